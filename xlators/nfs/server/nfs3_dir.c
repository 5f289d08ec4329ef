/*
 * nfs3_dir.c — the NFS v3 procedures that read directories: LOOKUP,
 * READDIR and READDIRPLUS (RFC 1813 §3.3.3, §3.3.16, §3.3.17).
 *
 * An export is a closed world: ".." of an export's root is the root
 * itself, in LOOKUP and in READDIRPLUS's entries, so that no handle for an
 * object above the export is ever issued.
 *
 * READDIR(PLUS) replies are built as malloc()ed entry lists (names and
 * handles malloc()ed too) that the RPC service xdr_free()s after sending;
 * a list built for a call that then fails is freed here. Entries are
 * counted with nfs3_dirsize as XDR encodes them so the reply never
 * exceeds the client's count / dircount / maxcount, and capped at
 * NFS3_DIR_MAXENTRIES because XDR encodes and frees the list recursively.
 * Cookies are the storage's; the cookie verifier comes from the
 * directory's mtime (nfs3_verf).
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs3.h"
#include "nfs3_dirsize.h"
#include "nfs3_verf.h"

/* Entries per reply at most (bounds XDR's recursion over the list). */
#define NFS3_DIR_MAXENTRIES 1024

/* Copy @fh into @out, the data malloc()ed for xdr_free. 0 or -ENOMEM. */
static int nfs3_dir_fh3_set(nfs_fh3 *out, const struct nfs_fh *fh)
{
	out->data.data_val = malloc(fh->len ? fh->len : 1);
	if (!out->data.data_val)
		return -ENOMEM;
	memcpy(out->data.data_val, fh->data, fh->len);
	out->data.data_len = fh->len;
	return 0;
}

/* The fileid the server reports for @ino (nfs3_fattr_from_stat decides
 * about 32-bit truncation, so entries agree with attributes). */
static uint64_t nfs3_dir_fileid(const struct nfs_server *srv, uint64_t ino)
{
	struct stat st;
	fattr3 fa;

	memset(&st, 0, sizeof(st));
	st.st_ino = ino;
	nfs3_fattr_from_stat(srv, &st, &fa);
	return fa.fileid;
}

/* Is @inode the root directory of @export? The root is resolved with
 * superuser credentials (the export path is the administrator's, not the
 * caller's to search). 0 with *is_root, or -errno. */
static int nfs3_dir_is_export_root(struct nfs_server *srv, const struct nfs_export *export,
				   const struct xl_call *call, struct xl_inode *inode,
				   bool *is_root)
{
	struct xl_call rcall = *call;
	struct xl_inode *root = NULL;
	struct stat st;
	int ret;

	rcall.cred.uid = 0;
	rcall.cred.gid = 0;
	rcall.cred.ngroups = 0;
	ret = nfs_export_root(srv, export, &rcall, &root, &st);
	if (ret < 0)
		return ret;
	*is_root = xl_gfid_equal(xl_inode_gfid(root), xl_inode_gfid(inode));
	xl_inode_unref(root);
	return 0;
}

/* Look @name up in @dir, "." and ".." included; ".." of the export root
 * is the root. 0 with *out referenced and *st, or -errno. */
static int nfs3_dir_lookup_name(struct nfs_server *srv, struct xl_call *call, struct nfs3_obj *dir,
				const char *name, struct xl_inode **out, struct stat *st)
{
	bool is_root = false;
	int ret;

	if (strcmp(name, ".") != 0 && strcmp(name, "..") != 0)
		return xl_lookup(srv->child, call, dir->inode, name, out, st);
	if (strcmp(name, "..") == 0) {
		ret = nfs3_dir_is_export_root(srv, dir->export, call, dir->inode, &is_root);
		if (ret < 0)
			return ret;
		if (!is_root)
			return xl_lookup(srv->child, call, dir->inode, name, out, st);
	}
	*out = xl_inode_ref(dir->inode);
	*st = dir->st;
	return 0;
}

int nfs3_lookup(struct rpcsvc_request *req, void *args, void *res)
{
	LOOKUP3args *a = args;
	LOOKUP3res *r = res;
	LOOKUP3resok *ok = &r->LOOKUP3res_u.resok;
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj dir = {0};
	struct xl_inode *inode = NULL;
	struct xl_call call;
	struct nfs_fh fh;
	struct stat st;
	nfsstat3 status;
	int ret;

	status = nfs3_resolve(req, &a->what.dir, &call, &dir);
	if (status != NFS3_OK)
		goto out;
	if (!S_ISDIR(dir.st.st_mode)) {
		status = NFS3ERR_NOTDIR;
		goto out;
	}
	status = nfs3_check_name(a->what.name, false);
	if (status != NFS3_OK)
		goto out;
	ret = nfs3_dir_lookup_name(srv, &call, &dir, a->what.name, &inode, &st);
	if (ret < 0) {
		status = nfs3_errno_to_status(ret);
		goto out;
	}
	nfs_fh_build(srv, dir.export, xl_inode_gfid(inode), &fh);
	if (nfs3_dir_fh3_set(&ok->object, &fh) < 0) {
		status = NFS3ERR_SERVERFAULT;
		goto out;
	}
	nfs3_post_op_from_stat(srv, &st, &ok->obj_attributes);
	nfs3_post_op_from_stat(srv, &dir.st, &ok->dir_attributes);
out:
	r->status = status;
	if (status != NFS3_OK && dir.inode)
		nfs3_post_op_from_stat(srv, &dir.st, &r->LOOKUP3res_u.resfail.dir_attributes);
	if (inode)
		xl_inode_unref(inode);
	nfs3_obj_release(&dir);
	return RPCSVC_OK;
}

/* ------------------------------------------------------------ READDIR(PLUS) */

/* One READDIR(PLUS) in progress: what the fill callback needs and builds. */
struct nfs3_rd {
	struct nfs_server *srv;
	struct xl_call *call;
	struct nfs3_obj *dir;
	bool plus;
	int is_root; /* dir is the export root: -1 unknown, 0, 1 */
	struct nfs3_dirsize ds;
	entry3 *head, **tail;	    /* READDIR */
	entryplus3 *phead, **ptail; /* READDIRPLUS */
	bool full;		    /* an entry did not fit */
};

/* What nfs3_readdir_do hands the two actors. */
struct nfs3_rd_out {
	post_op_attr dir_attributes;
	cookieverf3 verf;
	bool eof;
};

static void nfs3_rd_free(struct nfs3_rd *rd)
{
	while (rd->head) {
		entry3 *e = rd->head;

		rd->head = e->nextentry;
		free(e->name);
		free(e);
	}
	while (rd->phead) {
		entryplus3 *e = rd->phead;

		rd->phead = e->nextentry;
		free(e->name);
		if (e->name_handle.handle_follows)
			free(e->name_handle.post_op_fh3_u.handle.data.data_val);
		free(e);
	}
	rd->tail = &rd->head;
	rd->ptail = &rd->phead;
}

/* Is this entry the ".." of the export root (to be shown as the root)? */
static int nfs3_rd_root_dotdot(struct nfs3_rd *rd, const char *name, bool *yes)
{
	bool is_root;
	int ret;

	*yes = false;
	if (strcmp(name, "..") != 0)
		return 0;
	if (rd->is_root < 0) {
		ret = nfs3_dir_is_export_root(rd->srv, rd->dir->export, rd->call, rd->dir->inode,
					      &is_root);
		if (ret < 0)
			return ret;
		rd->is_root = is_root;
	}
	*yes = rd->is_root;
	return 0;
}

static int nfs3_rd_add(struct nfs3_rd *rd, const struct xl_dirent *ent, uint64_t ino)
{
	size_t len = strlen(ent->name);
	entry3 *e;

	if (!nfs3_dirsize_take(&rd->ds, nfs3_xdr_entry3_size(len), 0)) {
		rd->full = true;
		return 1;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->name = strdup(ent->name);
	if (!e->name) {
		free(e);
		return -ENOMEM;
	}
	e->fileid = nfs3_dir_fileid(rd->srv, ino);
	e->cookie = ent->cookie;
	*rd->tail = e;
	rd->tail = &e->nextentry;
	return 0;
}

static int nfs3_rd_add_plus(struct nfs3_rd *rd, const struct xl_dirent *ent, uint64_t ino,
			    const struct stat *st, const struct xl_gfid *gfid)
{
	size_t len = strlen(ent->name), size;
	struct nfs_fh fh = {0};
	entryplus3 *e;

	if (gfid && gfid->len)
		nfs_fh_build(rd->srv, rd->dir->export, gfid, &fh);
	size = nfs3_xdr_entryplus3_size(len, st != NULL, fh.len);
	if (!nfs3_dirsize_take(&rd->ds, size, nfs3_xdr_dirinfo_size(len))) {
		rd->full = true;
		return 1;
	}
	e = calloc(1, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->name = strdup(ent->name);
	if (!e->name)
		goto out_free;
	if (fh.len) {
		if (nfs3_dir_fh3_set(&e->name_handle.post_op_fh3_u.handle, &fh) < 0)
			goto out_free;
		e->name_handle.handle_follows = TRUE;
	}
	if (st)
		nfs3_post_op_from_stat(rd->srv, st, &e->name_attributes);
	e->fileid = nfs3_dir_fileid(rd->srv, ino);
	e->cookie = ent->cookie;
	*rd->ptail = e;
	rd->ptail = &e->nextentry;
	return 0;
out_free:
	free(e->name);
	free(e);
	return -ENOMEM;
}

/* xl_readdir_fill_fn: take @ent if it fits. */
static int nfs3_rd_fill(void *ctx, const struct xl_dirent *ent)
{
	struct nfs3_rd *rd = ctx;
	const struct stat *st = NULL;
	const struct xl_gfid *gfid = NULL;
	uint64_t ino = ent->ino;
	bool root_dotdot;
	int ret;

	ret = nfs3_rd_root_dotdot(rd, ent->name, &root_dotdot);
	if (ret < 0)
		return ret;
	if (root_dotdot) {
		ino = rd->dir->st.st_ino;
		st = &rd->dir->st;
		gfid = xl_inode_gfid(rd->dir->inode);
	} else if (ent->has_attr) {
		st = &ent->st;
		gfid = &ent->gfid;
	}
	if (!rd->plus)
		return nfs3_rd_add(rd, ent, ino);
	return nfs3_rd_add_plus(rd, ent, ino, st, gfid);
}

/*
 * The common part of READDIR and READDIRPLUS: resolve @fh, check the
 * cookie verifier, read entries after @cookie within @max reply bytes
 * (and @dirmax dircount bytes, 0: none) into rd's list. Returns the
 * status; @out is filled in every case (dir_attributes when known). On
 * failure the list is already freed.
 */
static nfsstat3 nfs3_readdir_do(struct rpcsvc_request *req, struct nfs3_rd *rd, const nfs_fh3 *fh,
				cookie3 cookie, const cookieverf3 verf, size_t max, size_t dirmax,
				struct nfs3_rd_out *out)
{
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj dir = {0};
	struct xl_call call;
	bool eof = false;
	nfsstat3 status;
	int ret;

	rd->srv = srv;
	rd->call = &call;
	rd->dir = &dir;
	rd->is_root = -1;
	rd->tail = &rd->head;
	rd->ptail = &rd->phead;
	nfs3_dirsize_init(&rd->ds, max, dirmax, NFS3_DIR_MAXENTRIES);

	status = nfs3_resolve(req, fh, &call, &dir);
	if (status != NFS3_OK)
		goto out;
	if (!S_ISDIR(dir.st.st_mode)) {
		status = NFS3ERR_NOTDIR;
		goto out;
	}
	nfs3_cookieverf_from_stat(&dir.st, out->verf);
	if (!nfs3_cookieverf_ok(cookie, verf, out->verf)) {
		status = NFS3ERR_BAD_COOKIE;
		goto out;
	}
	if (!nfs3_dirsize_fixed_fits(&rd->ds)) {
		status = NFS3ERR_TOOSMALL;
		goto out;
	}
	ret = xl_readdir(srv->child, &call, dir.inode, cookie, rd->plus, nfs3_rd_fill, rd, &eof);
	if (ret == -EINVAL) {
		status = NFS3ERR_BAD_COOKIE;
		goto out;
	}
	if (ret < 0) {
		status = nfs3_errno_to_status(ret);
		goto out;
	}
	if (rd->full && rd->ds.entries == 0) {
		status = NFS3ERR_TOOSMALL;
		goto out;
	}
	out->eof = eof && !rd->full;
out:
	if (status != NFS3_OK)
		nfs3_rd_free(rd);
	if (dir.inode)
		nfs3_post_op_fetch(srv, &call, dir.inode, &out->dir_attributes);
	nfs3_obj_release(&dir);
	return status;
}

int nfs3_readdir(struct rpcsvc_request *req, void *args, void *res)
{
	READDIR3args *a = args;
	READDIR3res *r = res;
	READDIR3resok *ok = &r->READDIR3res_u.resok;
	struct nfs3_rd rd = {.plus = false};
	struct nfs3_rd_out out = {0};

	r->status = nfs3_readdir_do(req, &rd, &a->dir, a->cookie, a->cookieverf, a->count, 0, &out);
	if (r->status != NFS3_OK) {
		r->READDIR3res_u.resfail.dir_attributes = out.dir_attributes;
		return RPCSVC_OK;
	}
	ok->dir_attributes = out.dir_attributes;
	memcpy(ok->cookieverf, out.verf, NFS3_COOKIEVERFSIZE);
	ok->reply.entries = rd.head;
	ok->reply.eof = out.eof;
	return RPCSVC_OK;
}

int nfs3_readdirplus(struct rpcsvc_request *req, void *args, void *res)
{
	READDIRPLUS3args *a = args;
	READDIRPLUS3res *r = res;
	READDIRPLUS3resok *ok = &r->READDIRPLUS3res_u.resok;
	struct nfs3_rd rd = {.plus = true};
	struct nfs3_rd_out out = {0};

	r->status = nfs3_readdir_do(req, &rd, &a->dir, a->cookie, a->cookieverf, a->maxcount,
				    a->dircount, &out);
	if (r->status != NFS3_OK) {
		r->READDIRPLUS3res_u.resfail.dir_attributes = out.dir_attributes;
		return RPCSVC_OK;
	}
	ok->dir_attributes = out.dir_attributes;
	memcpy(ok->cookieverf, out.verf, NFS3_COOKIEVERFSIZE);
	ok->reply.entries = rd.phead;
	ok->reply.eof = out.eof;
	return RPCSVC_OK;
}

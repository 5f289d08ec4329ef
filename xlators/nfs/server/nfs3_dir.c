/*
 * nfs3_dir.c — the NFS v3 procedures that read directories: LOOKUP,
 * READDIR and READDIRPLUS (RFC 1813 §3.3.3, §3.3.16, §3.3.17).
 *
 * An export is a closed world: ".." of an export's root is the root
 * itself, in LOOKUP and in READDIRPLUS's entries, so that no handle for an
 * object above the export is ever issued. Whether a directory is the
 * export's root is decided by identity: its id against the root's id,
 * found once per export (nfs_export_root_id), never by walking the
 * export path per call. READDIRPLUS takes ids and attributes from the
 * entries storage gives (no fop per entry); an entry without an id gets
 * no handle, and the client looks it up.
 *
 * READDIR(PLUS) replies are built as entry lists whose entries, names and
 * handles come from one arena per reply (nfs3_dirlist.h), which the RPC
 * service frees through the actors' XDR procedures after sending; a list
 * built for a call that then fails is freed here. Entries are
 * counted with nfs3_dirsize as XDR encodes them so the reply never
 * exceeds the client's count / dircount / maxcount nor what the
 * transport carries (a UDP datagram: nfs3_xfer.h), and capped at
 * NFS3_DIR_MAXENTRIES because XDR encodes and frees the list recursively.
 * Cookies are the storage's (within XL_COOKIE_BITS). The cookie verifier
 * is the directory's identity (nfs3_verf) and is never checked, as knfsd
 * does for v3: a client that removes entries while it lists (rm -rf)
 * resumes with the cookie it holds, and only a cookie the storage cannot
 * resume (readdir's -EINVAL) is NFS3ERR_BAD_COOKIE.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs3.h"
#include "nfs3_dirlist.h"
#include "nfs3_dirsize.h"
#include "nfs3_verf.h"
#include "nfs3_xfer.h"

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

/* Is @dir the root directory of its export? The cached root id is
 * found on first use if the start could not (the export was made
 * later); an error then counts as "no". */
static bool nfs3_dir_is_export_root(struct nfs_server *srv, const struct nfs3_obj *dir)
{
	struct xl_id root;

	if (nfs_export_root_id(srv, dir->export, false, &root) < 0)
		return false;
	return xl_id_equal(&root, xl_inode_id(dir->inode));
}

/* Look @name up in @dir, "." and ".." included; ".." of the export root
 * is the root. 0 with *out referenced, *attr and *dir_attr (if not NULL: the
 * directory's, valid 0 when not known), or -errno. */
static int nfs3_dir_lookup_name(struct nfs_server *srv, struct xl_call *call, struct nfs3_obj *dir,
				const char *name, struct xl_inode **out, struct xl_iatt *attr,
				struct xl_iatt *dir_attr)
{
	bool dot = strcmp(name, ".") == 0, dotdot = strcmp(name, "..") == 0;

	if (!dot && (!dotdot || !nfs3_dir_is_export_root(srv, dir)))
		return xl_lookup(dir->export->child, call, dir->inode, name, out, attr, dir_attr);
	*out = xl_inode_ref(dir->inode);
	*attr = dir->attr;
	if (dir_attr)
		*dir_attr = dir->attr;
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
	struct xl_iatt attr = {0};
	struct xl_call call;
	struct nfs_fh fh;
	nfsstat3 status;
	int ret;

	status = nfs3_resolve(req, &a->what.dir, &call, &dir);
	if (status != NFS3_OK)
		goto out;
	if (!S_ISDIR(dir.attr.mode)) {
		status = NFS3ERR_NOTDIR;
		goto out;
	}
	status = nfs3_check_name(a->what.name, false);
	if (status != NFS3_OK)
		goto out;
	/* No directory attributes asked of the lookup (a stat more): those
	 * of the resolution, taken just before, are its post-op attributes,
	 * as a lookup does not change the directory. */
	ret = nfs3_dir_lookup_name(srv, &call, &dir, a->what.name, &inode, &attr, NULL);
	if (ret < 0) {
		status = nfs3_errno_to_status(ret);
		goto out;
	}
	nfs_fh_build(srv, dir.export, xl_inode_id(inode), &fh);
	if (nfs3_dir_fh3_set(&ok->object, &fh) < 0) {
		status = NFS3ERR_SERVERFAULT;
		goto out;
	}
	nfs3_post_op_from_iatt(srv, dir.export, &attr, &ok->obj_attributes);
out:
	r->status = status;
	/* The directory's attributes: the resolution's. */
	if (dir.inode)
		nfs3_post_op_from_iatt(srv, dir.export, &dir.attr,
				       status == NFS3_OK ? &ok->dir_attributes
							 : &r->LOOKUP3res_u.resfail.dir_attributes);
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
	bool is_root; /* dir is the export root */
	struct nfs3_dirsize ds;
	struct nfs3_dirlist mem;    /* the entries' memory */
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
	nfs3_dirlist_free(&rd->mem);
	rd->head = NULL;
	rd->phead = NULL;
	rd->tail = &rd->head;
	rd->ptail = &rd->phead;
}

/* A copy of @len bytes of @name, NUL-terminated, in the reply's arena. */
static char *nfs3_rd_name(struct nfs3_rd *rd, const char *name, size_t len)
{
	char *p = nfs3_dirlist_alloc(&rd->mem, len + 1);

	if (p)
		memcpy(p, name, len); /* the arena's memory is zeroed */
	return p;
}

static int nfs3_rd_add(struct nfs3_rd *rd, const struct xl_dirent *ent, uint64_t ino)
{
	size_t len = strlen(ent->name);
	entry3 *e;

	if (!nfs3_dirsize_take(&rd->ds, nfs3_xdr_entry3_size(len), 0)) {
		rd->full = true;
		return 1;
	}
	/* the entry first: the list's first entry is the arena's first
	 * allocation (nfs3_dirlist.h) */
	e = nfs3_dirlist_alloc(&rd->mem, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->name = nfs3_rd_name(rd, ent->name, len);
	if (!e->name)
		return -ENOMEM; /* the call fails: nfs3_rd_free */
	e->fileid = nfs3_fileid(rd->srv, ino);
	e->cookie = ent->cookie;
	*rd->tail = e;
	rd->tail = &e->nextentry;
	return 0;
}

/* An entryplus3 for @ent: its handle when @ia has an id, its attributes
 * when @ia converts (storage examined it), neither otherwise. */
static int nfs3_rd_add_plus(struct nfs3_rd *rd, const struct xl_dirent *ent, uint64_t ino,
			    const struct xl_iatt *ia)
{
	size_t len = strlen(ent->name), size;
	struct nfs_fh fh = {0};
	post_op_attr poa;
	entryplus3 *e;

	if ((ia->valid & XL_IATT_ID) && !xl_id_is_null(&ia->id))
		nfs_fh_build(rd->srv, rd->dir->export, &ia->id, &fh);
	nfs3_post_op_from_iatt(rd->srv, rd->dir->export, ia, &poa);
	size = nfs3_xdr_entryplus3_size(len, poa.attributes_follow, fh.len);
	if (!nfs3_dirsize_take(&rd->ds, size, nfs3_xdr_dirinfo_size(len))) {
		rd->full = true;
		return 1;
	}
	/* the entry first (see nfs3_rd_add); on -ENOMEM the call fails and
	 * nfs3_rd_free frees what was taken */
	e = nfs3_dirlist_alloc(&rd->mem, sizeof(*e));
	if (!e)
		return -ENOMEM;
	e->name = nfs3_rd_name(rd, ent->name, len);
	if (!e->name)
		return -ENOMEM;
	if (fh.len) {
		nfs_fh3 *h = &e->name_handle.post_op_fh3_u.handle;

		h->data.data_val = nfs3_dirlist_alloc(&rd->mem, fh.len);
		if (!h->data.data_val)
			return -ENOMEM;
		memcpy(h->data.data_val, fh.data, fh.len);
		h->data.data_len = fh.len;
		e->name_handle.handle_follows = TRUE;
	}
	e->name_attributes = poa;
	e->fileid = nfs3_fileid(rd->srv, ino);
	e->cookie = ent->cookie;
	*rd->ptail = e;
	rd->ptail = &e->nextentry;
	return 0;
}

/* xl_readdir_fill_fn: take @ent if it fits. */
static int nfs3_rd_fill(void *ctx, const struct xl_dirent *ent)
{
	struct nfs3_rd *rd = ctx;
	const struct xl_iatt *ia = &ent->attr;
	uint64_t ino = ent->ino;
	struct xl_iatt root;

	if (rd->is_root && strcmp(ent->name, "..") == 0) {
		/* The export root's parent is shown as the root itself. */
		root = rd->dir->attr;
		root.id = *xl_inode_id(rd->dir->inode);
		root.valid |= XL_IATT_ID;
		ino = root.ino;
		ia = &root;
	}
	if (!rd->plus)
		return nfs3_rd_add(rd, ent, ino);
	return nfs3_rd_add_plus(rd, ent, ino, ia);
}

/*
 * The common part of READDIR and READDIRPLUS: resolve @fh, make the
 * cookie verifier, read entries after @cookie within @max reply bytes
 * (and @dirmax dircount bytes, 0: none) into rd's list. Returns the
 * status; @out is filled in every case (dir_attributes when known). On
 * failure the list is already freed.
 */
static nfsstat3 nfs3_readdir_do(struct rpcsvc_request *req, struct nfs3_rd *rd, const nfs_fh3 *fh,
				cookie3 cookie, size_t max, size_t dirmax,
				struct nfs3_rd_out *out)
{
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj dir = {0};
	struct xl_iatt dir_attr = {0};
	struct xl_call call;
	bool eof = false;
	nfsstat3 status;
	int ret;

	rd->srv = srv;
	rd->call = &call;
	rd->dir = &dir;
	rd->tail = &rd->head;
	rd->ptail = &rd->phead;
	nfs3_dirsize_init(&rd->ds, nfs3_xfer_dir_max(req, max), dirmax, NFS3_DIR_MAXENTRIES);

	status = nfs3_resolve(req, fh, &call, &dir);
	if (status != NFS3_OK)
		goto out;
	if (!S_ISDIR(dir.attr.mode)) {
		status = NFS3ERR_NOTDIR;
		goto out;
	}
	nfs3_cookieverf_from_iatt(&dir.attr, out->verf);
	if (!nfs3_dirsize_fixed_fits(&rd->ds)) {
		status = NFS3ERR_TOOSMALL;
		goto out;
	}
	rd->is_root = nfs3_dir_is_export_root(srv, &dir);
	ret = xl_fop_readdir(dir.export->child, &call, dir.inode, cookie, rd->plus ? XL_READDIR_PLUS : 0,
			     nfs3_rd_fill, rd, &eof, &dir_attr);
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
	/* the reply's size as counted, an upper bound (the fixed part counts
	 * the directory's attributes): encoded once, in one pass */
	req->res_size_hint = rd->ds.used;
out:
	if (status != NFS3_OK)
		nfs3_rd_free(rd);
	/* The directory's attributes: readdir's, else the resolution's. */
	if (dir.inode)
		nfs3_post_op_from_iatt(srv, dir.export,
				       (dir_attr.valid & XL_IATT_TYPE) ? &dir_attr : &dir.attr,
				       &out->dir_attributes);
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

	r->status = nfs3_readdir_do(req, &rd, &a->dir, a->cookie, a->count, 0, &out);
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

	r->status = nfs3_readdir_do(req, &rd, &a->dir, a->cookie, a->maxcount,
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

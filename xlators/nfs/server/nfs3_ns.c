/*
 * nfs3_ns.c — the NFS v3 procedures that change the namespace: CREATE,
 * MKDIR, SYMLINK, MKNOD, REMOVE, RMDIR, RENAME, LINK, and READLINK which
 * reads what SYMLINK wrote (RFC 1813 §3.3.5, §3.3.8–§3.3.15).
 *
 * Each: resolve the handle(s) → check the export is writable and the name
 * → one fop on the export's child as the squashed caller → the new object's handle
 * (from the id the framework chose for it) and attributes, and wcc data
 * for the directories straight from the fop (storage takes the pre- and
 * post-operation attributes around the change). Where Linux and RFC 1813
 * disagree on an error, the answer is the one knfsd gives (noted there).
 *
 * Everything put in a result is malloc()ed (handles by nfs3_post_op_fh,
 * READLINK's data here) and freed by the RPC service's xdr_free().
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "nfs3.h"
#include "nfs3_verf.h"

/* Longest symlink target accepted and returned (Linux's PATH_MAX). */
#define NFS3_NS_PATH_MAX 4096

static bool nfs3_ns_is_dot(const char *name)
{
	return strcmp(name, ".") == 0 || strcmp(name, "..") == 0;
}

/*
 * Resolve the directory of a modifying call and check it: writable export,
 * a directory, an acceptable name (@create: a new name). NFS3_OK with @dir
 * filled (release it even on failure), or the status to answer.
 */
static nfsstat3 nfs3_ns_dir(struct rpcsvc_request *req, const diropargs3 *where, bool create,
			    struct xl_call *call, struct nfs3_obj *dir)
{
	nfsstat3 status;

	status = nfs3_resolve(req, &where->dir, call, dir);
	if (status != NFS3_OK)
		return status;
	status = nfs3_check_writable(dir->export);
	if (status != NFS3_OK)
		return status;
	if (!S_ISDIR(dir->attr.mode))
		return NFS3ERR_NOTDIR;
	return nfs3_check_name(where->name, create);
}

/* wcc data of @dir: @w as the fop returned it, or, when the call was
 * refused before any fop (@w NULL), the attributes of the resolution
 * before and after; nothing when @dir was not resolved. */
static void nfs3_ns_wcc(struct nfs_server *srv, const struct nfs3_obj *dir, const struct xl_wcc *w,
			wcc_data *wcc)
{
	if (!dir->inode)
		return;
	if (w)
		nfs3_wcc_from_xl(srv, dir->export, w, wcc);
	else
		nfs3_wcc_unchanged(srv, dir->export, &dir->attr, wcc);
}

/*
 * CREATE, MKDIR, SYMLINK and MKNOD differ only in how they make the object:
 * their results have the same shape, which RFC 1813 gives four names. One
 * routine answers them all; each procedure gives its make function and the
 * places of its result (NFS3_NS_MADE).
 */

/* Make the object that @args (the procedure's own) ask for in @dir, as the
 * caller of @call. NFS3_OK with *@inode (referenced) and @attr, or the
 * status to answer; *@inode may be set on failure too and is put by the
 * caller. @dir_wcc: the directory's wcc data as the fop returned it. */
typedef nfsstat3 nfs3_ns_make_fn(struct nfs_server *srv, struct xl_call *call,
				 const struct nfs3_obj *dir, const void *args,
				 struct xl_inode **inode, struct xl_iatt *attr,
				 struct xl_wcc *dir_wcc);

/* The places nfs3_ns_make fills in one procedure's result. */
struct nfs3_ns_made {
	nfsstat3 *status;
	post_op_fh3 *obj;
	post_op_attr *obj_attributes;
	wcc_data *dir_wcc;  /* resok's */
	wcc_data *fail_wcc; /* resfail's */
};

/* The union in @r, a T##3res (its own macro: in "T##3res_u.resok" the
 * preprocessor would read "3res_u.resok" as one number). */
#define NFS3_NS_U(T, r) ((r)->T##3res_u)
/* The nfs3_ns_made of @r, a T##3res. */
#define NFS3_NS_MADE(T, r)                                                                         \
	{                                                                                          \
		.status = &(r)->status, .obj = &NFS3_NS_U(T, r).resok.obj,                         \
		.obj_attributes = &NFS3_NS_U(T, r).resok.obj_attributes,                           \
		.dir_wcc = &NFS3_NS_U(T, r).resok.dir_wcc,                                         \
		.fail_wcc = &NFS3_NS_U(T, r).resfail.dir_wcc,                                      \
	}

/* Resolve and check the directory of @where, make the object there with
 * @make, and fill @res: the new object's handle and attributes and the
 * directory's wcc data, or the status and wcc data. */
static int nfs3_ns_make(struct rpcsvc_request *req, const diropargs3 *where, nfs3_ns_make_fn *make,
			const void *args, const struct nfs3_ns_made *res)
{
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj dir = {0};
	struct xl_inode *inode = NULL;
	struct xl_wcc dir_wcc = {0};
	struct xl_iatt attr = {0};
	struct xl_call call;
	nfsstat3 status;
	bool made = false;

	status = nfs3_ns_dir(req, where, true, &call, &dir);
	if (status == NFS3_OK) {
		made = true;
		status = make(srv, &call, &dir, args, &inode, &attr, &dir_wcc);
	}
	*res->status = status;
	if (status == NFS3_OK) {
		nfs3_post_op_fh(srv, dir.export, inode ? xl_inode_id(inode) : NULL, res->obj);
		nfs3_post_op_from_iatt(srv, dir.export, &attr, res->obj_attributes);
		nfs3_ns_wcc(srv, &dir, &dir_wcc, res->dir_wcc);
	} else {
		nfs3_ns_wcc(srv, &dir, made ? &dir_wcc : NULL, res->fail_wcc);
	}
	if (inode)
		xl_inode_unref(inode);
	nfs3_obj_release(&dir);
	return RPCSVC_OK;
}

/* --------------------------------------------------------------- CREATE */

/*
 * The creation modes of RFC 1813 §3.3.8 over one O_EXCL create:
 *  UNCHECKED  an existing regular file is fine; only a size asked for is
 *             applied to it (as knfsd does); anything else is EXIST;
 *  GUARDED    an existing name is EXIST;
 *  EXCLUSIVE  the verifier goes into atime/mtime (nfs3_verf); an existing
 *             file holding the same verifier is this call retransmitted.
 */
static nfsstat3 nfs3_create_obj(struct nfs_server *srv, struct xl_call *call,
				const struct nfs3_obj *dir, const void *args,
				struct xl_inode **inode, struct xl_iatt *attr,
				struct xl_wcc *dir_wcc)
{
	const CREATE3args *a = args;
	const createhow3 *how = &a->how;
	struct xl_setattr sa = {0};
	struct xl_iatt dir_attr;
	int ret = 0, tries;

	switch (how->mode) {
	case UNCHECKED:
	case GUARDED:
		nfs3_setattr_from_sattr(&how->createhow3_u.obj_attributes, &sa);
		break;
	case EXCLUSIVE:
		sa.valid = XL_SET_MODE | XL_SET_ATIME | XL_SET_MTIME;
		sa.mode = 0600; /* the client follows with SETATTR */
		nfs3_createverf_to_times(how->createhow3_u.verf, &sa.atime, &sa.mtime);
		break;
	default:
		return NFS3ERR_INVAL;
	}
	for (tries = 0; tries < 3; tries++) {
		/* A new id, chosen by the framework, for a new file. */
		ret = xl_create(dir->export->child, call, dir->inode, a->where.name, NULL, &sa, true, inode,
				attr, dir_wcc);
		if (ret != -EEXIST || how->mode == GUARDED)
			break;
		dir_attr.valid = 0;
		ret =
		    xl_lookup(dir->export->child, call, dir->inode, a->where.name, inode, attr, &dir_attr);
		if (ret == -ENOENT)
			continue; /* removed meanwhile: try creating again */
		if (ret < 0)
			break;
		/* The directory did not change: what lookup saw of it is
		 * the attributes after, with none before. */
		if (!(dir_wcc->post.valid & XL_IATT_TYPE)) {
			dir_wcc->pre.valid = 0;
			dir_wcc->post = dir_attr;
		}
		if (!S_ISREG(attr->mode) || (how->mode == EXCLUSIVE &&
					     !nfs3_createverf_match(how->createhow3_u.verf, attr)))
			return NFS3ERR_EXIST;
		if (how->mode == UNCHECKED && (sa.valid & XL_SET_SIZE)) {
			struct xl_setattr trunc = {.valid = XL_SET_SIZE, .size = sa.size};
			struct xl_wcc w = {0};

			ret = xl_fop_setattr(dir->export->child, call, *inode, &trunc, &w);
			if (ret == 0 && (w.post.valid & XL_IATT_TYPE))
				*attr = w.post;
		}
		break;
	}
	return ret < 0 ? nfs3_errno_to_status(ret) : NFS3_OK;
}

int nfs3_create(struct rpcsvc_request *req, void *args, void *res)
{
	CREATE3args *a = args;
	const struct nfs3_ns_made made = NFS3_NS_MADE(CREATE, (CREATE3res *)res);

	return nfs3_ns_make(req, &a->where, nfs3_create_obj, a, &made);
}

/* ---------------------------------------------------------------- MKDIR */

static nfsstat3 nfs3_mkdir_obj(struct nfs_server *srv, struct xl_call *call,
			       const struct nfs3_obj *dir, const void *args,
			       struct xl_inode **inode, struct xl_iatt *attr,
			       struct xl_wcc *dir_wcc)
{
	const MKDIR3args *a = args;
	struct xl_setattr sa;
	int ret;

	nfs3_setattr_from_sattr(&a->attributes, &sa);
	ret =
	    xl_mkdir(dir->export->child, call, dir->inode, a->where.name, NULL, &sa, inode, attr, dir_wcc);
	return ret < 0 ? nfs3_errno_to_status(ret) : NFS3_OK;
}

int nfs3_mkdir(struct rpcsvc_request *req, void *args, void *res)
{
	MKDIR3args *a = args;
	const struct nfs3_ns_made made = NFS3_NS_MADE(MKDIR, (MKDIR3res *)res);

	return nfs3_ns_make(req, &a->where, nfs3_mkdir_obj, a, &made);
}

/* -------------------------------------------------------------- SYMLINK */

static nfsstat3 nfs3_symlink_obj(struct nfs_server *srv, struct xl_call *call,
				 const struct nfs3_obj *dir, const void *args,
				 struct xl_inode **inode, struct xl_iatt *attr,
				 struct xl_wcc *dir_wcc)
{
	const SYMLINK3args *a = args;
	const char *target = a->symlink.symlink_data;
	struct xl_setattr sa;
	size_t len;
	int ret;

	/* knfsd: an empty target is INVAL, a too long one NAMETOOLONG. */
	len = target ? strlen(target) : 0;
	if (len == 0)
		return NFS3ERR_INVAL;
	if (len > NFS3_NS_PATH_MAX)
		return NFS3ERR_NAMETOOLONG;
	nfs3_setattr_from_sattr(&a->symlink.symlink_attributes, &sa);
	ret = xl_symlink(dir->export->child, call, dir->inode, a->where.name, target, NULL, &sa, inode,
			 attr, dir_wcc);
	return ret < 0 ? nfs3_errno_to_status(ret) : NFS3_OK;
}

int nfs3_symlink(struct rpcsvc_request *req, void *args, void *res)
{
	SYMLINK3args *a = args;
	const struct nfs3_ns_made made = NFS3_NS_MADE(SYMLINK, (SYMLINK3res *)res);

	return nfs3_ns_make(req, &a->where, nfs3_symlink_obj, a, &made);
}

/* ---------------------------------------------------------------- MKNOD */

/* The file type, device number and attributes MKNOD asks for; NFS3_OK or
 * NFS3ERR_BADTYPE for a type MKNOD cannot make. */
static nfsstat3 nfs3_mknod_what(const mknoddata3 *what, mode_t *mode, dev_t *rdev,
				struct xl_setattr *sa)
{
	const sattr3 *attrs;

	*rdev = 0;
	switch (what->type) {
	case NF3CHR:
	case NF3BLK:
		*mode = what->type == NF3CHR ? S_IFCHR : S_IFBLK;
		*rdev = makedev(what->mknoddata3_u.device.spec.specdata1,
				what->mknoddata3_u.device.spec.specdata2);
		attrs = &what->mknoddata3_u.device.dev_attributes;
		break;
	case NF3SOCK:
	case NF3FIFO:
		*mode = what->type == NF3SOCK ? S_IFSOCK : S_IFIFO;
		attrs = &what->mknoddata3_u.pipe_attributes;
		break;
	default:
		return NFS3ERR_BADTYPE;
	}
	nfs3_setattr_from_sattr(attrs, sa);
	*mode |= (sa->valid & XL_SET_MODE) ? (sa->mode & 07777) : 0644;
	return NFS3_OK;
}

static nfsstat3 nfs3_mknod_obj(struct nfs_server *srv, struct xl_call *call,
			       const struct nfs3_obj *dir, const void *args,
			       struct xl_inode **inode, struct xl_iatt *attr,
			       struct xl_wcc *dir_wcc)
{
	const MKNOD3args *a = args;
	struct xl_setattr sa;
	nfsstat3 status;
	mode_t mode;
	dev_t rdev;
	int ret;

	status = nfs3_mknod_what(&a->what, &mode, &rdev, &sa);
	if (status != NFS3_OK)
		return status;
	ret = xl_mknod(dir->export->child, call, dir->inode, a->where.name, mode, rdev, NULL, &sa, inode,
		       attr, dir_wcc);
	return ret < 0 ? nfs3_errno_to_status(ret) : NFS3_OK;
}

int nfs3_mknod(struct rpcsvc_request *req, void *args, void *res)
{
	MKNOD3args *a = args;
	const struct nfs3_ns_made made = NFS3_NS_MADE(MKNOD, (MKNOD3res *)res);

	return nfs3_ns_make(req, &a->where, nfs3_mknod_obj, a, &made);
}

/* ------------------------------------------------------- REMOVE, RMDIR */

/* Remove @name from @dir as the caller of @call: NFS3_OK or the status;
 * @dir_wcc: the directory's wcc data as the fop returned it. */
typedef nfsstat3 nfs3_ns_drop_fn(struct nfs_server *srv, struct xl_call *call,
				 const struct nfs3_obj *dir, const char *name,
				 struct xl_wcc *dir_wcc);

/* REMOVE and RMDIR, whose results have the same shape: resolve and check
 * the directory of @what, remove the name with @drop, and answer *@status_out
 * with the directory's wcc data in @ok_wcc or @fail_wcc. */
static int nfs3_ns_drop(struct rpcsvc_request *req, const diropargs3 *what, nfs3_ns_drop_fn *drop,
			nfsstat3 *status_out, wcc_data *ok_wcc, wcc_data *fail_wcc)
{
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj dir = {0};
	struct xl_wcc dir_wcc = {0};
	struct xl_call call;
	nfsstat3 status;
	bool dropped = false;

	status = nfs3_ns_dir(req, what, false, &call, &dir);
	if (status == NFS3_OK) {
		dropped = true;
		status = drop(srv, &call, &dir, what->name, &dir_wcc);
	}
	*status_out = status;
	nfs3_ns_wcc(srv, &dir, dropped ? &dir_wcc : NULL, status == NFS3_OK ? ok_wcc : fail_wcc);
	nfs3_obj_release(&dir);
	return RPCSVC_OK;
}

/* Unlink @name from @dir. A directory is NFS3ERR_ISDIR: Linux's unlink(2)
 * gives EISDIR, POSIX allows EPERM, which is then told apart by a lookup. */
static nfsstat3 nfs3_remove_name(struct nfs_server *srv, struct xl_call *call,
				 const struct nfs3_obj *dir, const char *name,
				 struct xl_wcc *dir_wcc)
{
	struct xl_inode *inode = NULL;
	struct xl_iatt attr;
	int ret;

	if (nfs3_ns_is_dot(name))
		return NFS3ERR_ISDIR;
	ret = xl_fop_unlink(dir->export->child, call, dir->inode, name, dir_wcc);
	if (ret == -EPERM &&
	    xl_lookup(dir->export->child, call, dir->inode, name, &inode, &attr, NULL) == 0) {
		if (S_ISDIR(attr.mode))
			ret = -EISDIR;
		xl_inode_unref(inode);
	}
	return ret < 0 ? nfs3_errno_to_status(ret) : NFS3_OK;
}

int nfs3_remove(struct rpcsvc_request *req, void *args, void *res)
{
	REMOVE3args *a = args;
	REMOVE3res *r = res;

	return nfs3_ns_drop(req, &a->object, nfs3_remove_name, &r->status,
			    &r->REMOVE3res_u.resok.dir_wcc, &r->REMOVE3res_u.resfail.dir_wcc);
}

/* Remove the directory @name from @dir. As rmdir(2): "." is EINVAL; ".."
 * (never empty: it holds dir) ENOTEMPTY. */
static nfsstat3 nfs3_rmdir_name(struct nfs_server *srv, struct xl_call *call,
				const struct nfs3_obj *dir, const char *name,
				struct xl_wcc *dir_wcc)
{
	int ret;

	if (strcmp(name, ".") == 0)
		return NFS3ERR_INVAL;
	if (strcmp(name, "..") == 0)
		return NFS3ERR_NOTEMPTY;
	ret = xl_fop_rmdir(dir->export->child, call, dir->inode, name, dir_wcc);
	return ret < 0 ? nfs3_errno_to_status(ret == -EEXIST ? -ENOTEMPTY : ret) : NFS3_OK;
}

int nfs3_rmdir(struct rpcsvc_request *req, void *args, void *res)
{
	RMDIR3args *a = args;
	RMDIR3res *r = res;

	return nfs3_ns_drop(req, &a->object, nfs3_rmdir_name, &r->status,
			    &r->RMDIR3res_u.resok.dir_wcc, &r->RMDIR3res_u.resfail.dir_wcc);
}

/* --------------------------------------------------------------- RENAME */

/* Resolve and check both directories of a RENAME. */
static nfsstat3 nfs3_rename_dirs(struct rpcsvc_request *req, const RENAME3args *a,
				 struct xl_call *call, struct nfs3_obj *from, struct nfs3_obj *to)
{
	struct xl_call tocall;
	nfsstat3 status;

	status = nfs3_ns_dir(req, &a->from, false, call, from);
	if (status != NFS3_OK)
		return status;
	status = nfs3_ns_dir(req, &a->to, false, &tocall, to);
	if (status != NFS3_OK)
		return status;
	if (from->export->id != to->export->id)
		return NFS3ERR_XDEV;
	if (nfs3_ns_is_dot(a->from.name) || nfs3_ns_is_dot(a->to.name))
		return NFS3ERR_INVAL;
	return NFS3_OK;
}

int nfs3_rename(struct rpcsvc_request *req, void *args, void *res)
{
	RENAME3args *a = args;
	RENAME3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj from = {0}, to = {0};
	struct xl_wcc from_wcc = {0}, to_wcc = {0};
	struct xl_call call;
	nfsstat3 status;
	bool called = false;
	int ret;

	status = nfs3_rename_dirs(req, a, &call, &from, &to);
	if (status != NFS3_OK)
		goto out;
	called = true;
	ret = xl_fop_rename(from.export->child, &call, from.inode, a->from.name, to.inode, a->to.name,
			    &from_wcc, &to_wcc);
	if (ret < 0)
		status = nfs3_errno_to_status(ret);
out:
	r->status = status;
	/* resok and resfail share the layout: both directories' wcc data. */
	nfs3_ns_wcc(srv, &from, called ? &from_wcc : NULL, &r->RENAME3res_u.resfail.fromdir_wcc);
	nfs3_ns_wcc(srv, &to, called ? &to_wcc : NULL, &r->RENAME3res_u.resfail.todir_wcc);
	nfs3_obj_release(&to);
	nfs3_obj_release(&from);
	return RPCSVC_OK;
}

/* ----------------------------------------------------------------- LINK */

int nfs3_link(struct rpcsvc_request *req, void *args, void *res)
{
	LINK3args *a = args;
	LINK3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj file = {0}, dir = {0};
	struct xl_call call, dircall;
	struct xl_wcc dir_wcc = {0};
	struct xl_iatt attr = {0};
	nfsstat3 status;
	bool called = false;
	int ret;

	status = nfs3_resolve(req, &a->file, &call, &file);
	if (status != NFS3_OK)
		goto out;
	status = nfs3_ns_dir(req, &a->link, true, &dircall, &dir);
	if (status != NFS3_OK)
		goto out;
	if (file.export->id != dir.export->id) {
		status = NFS3ERR_XDEV;
		goto out;
	}
	/* Linux's link(2) says EPERM for a directory; knfsd answers ISDIR. */
	if (S_ISDIR(file.attr.mode)) {
		status = NFS3ERR_ISDIR;
		goto out;
	}
	called = true;
	ret = xl_fop_link(file.export->child, &call, file.inode, dir.inode, a->link.name, &attr, &dir_wcc);
	if (ret < 0)
		status = nfs3_errno_to_status(ret);
out:
	r->status = status;
	/* resok and resfail share the layout: the file's attributes after
	 * (the fop's, or the resolution's when it gave none) and the
	 * directory's wcc data. */
	if (file.inode)
		nfs3_post_op_from_iatt(srv, file.export,
				       (attr.valid & XL_IATT_TYPE) ? &attr : &file.attr,
				       &r->LINK3res_u.resfail.file_attributes);
	nfs3_ns_wcc(srv, &dir, called ? &dir_wcc : NULL, &r->LINK3res_u.resfail.linkdir_wcc);
	nfs3_obj_release(&dir);
	nfs3_obj_release(&file);
	return RPCSVC_OK;
}

/* ------------------------------------------------------------- READLINK */

int nfs3_readlink(struct rpcsvc_request *req, void *args, void *res)
{
	READLINK3args *a = args;
	READLINK3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj obj = {0};
	struct xl_iatt attr = {0};
	struct xl_call call;
	nfsstat3 status;
	char *buf = NULL;
	int ret;

	status = nfs3_resolve(req, &a->symlink, &call, &obj);
	if (status != NFS3_OK)
		goto out;
	if (!S_ISLNK(obj.attr.mode)) {
		status = NFS3ERR_INVAL;
		goto out;
	}
	buf = malloc(NFS3_NS_PATH_MAX + 1);
	if (!buf) {
		status = NFS3ERR_SERVERFAULT;
		goto out;
	}
	ret = xl_fop_readlink(obj.export->child, &call, obj.inode, buf, NFS3_NS_PATH_MAX, &attr);
	if (ret < 0) {
		status = nfs3_errno_to_status(ret);
		goto out;
	}
	buf[ret] = '\0';
	r->READLINK3res_u.resok.data = buf;
	buf = NULL;
out:
	r->status = status;
	/* resok and resfail share the layout: the link's attributes. */
	if (obj.inode)
		nfs3_post_op_from_iatt(srv, obj.export,
				       (attr.valid & XL_IATT_TYPE) ? &attr : &obj.attr,
				       &r->READLINK3res_u.resfail.symlink_attributes);
	free(buf);
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

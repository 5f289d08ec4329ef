/*
 * nfs3_util.c — what every NFS3 actor shares.
 *
 * Handle resolution (handle → export → access check → squashed
 * credentials → inode by id → attributes), the single -errno → nfsstat3
 * map, name checks, and the conversions between the contract's struct
 * xl_iatt / xl_wcc / xl_setattr and the protocol's fattr3, wcc_data and
 * sattr3. Every conversion checks the attributes' valid mask: what
 * storage did not give is not invented, it is left out (attributes_follow
 * FALSE), as RFC 1813 allows for post-op and pre-op attributes.
 *
 * Anything these helpers put into a result (a post_op_fh3's bytes) is
 * malloc()ed, because the RPC service xdr_free()s results after sending.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "export_access.h"
#include "nfs3.h"

struct nfs_server *nfs3_server(struct rpcsvc_request *req)
{
	return rpcsvc_request_private(req);
}

void nfs3_call_from_req(const struct rpcsvc_request *req, const struct nfs_export *e,
			struct xl_call *call)
{
	call->cred = req->cred;
	memset(&call->client, 0, sizeof(call->client));
	call->client_len = req->client_len <= sizeof(call->client) ? req->client_len : 0;
	memcpy(&call->client, &req->client, call->client_len);
	if (e)
		nfs_export_squash(e, &call->cred);
}

nfsstat3 nfs3_obj_fop_status(int ret)
{
	if (ret == -ESTALE || ret == -ENOENT)
		return NFS3ERR_STALE;
	return nfs3_errno_to_status(ret);
}

/* nfs3_resolve and nfs3_resolve_lazy: @lazy, no getattr on a cached inode. */
static nfsstat3 nfs3_resolve_fh(struct rpcsvc_request *req, const nfs_fh3 *fh,
				struct xl_call *call, struct nfs3_obj *obj, bool lazy)
{
	struct nfs_server *srv = nfs3_server(req);
	const struct nfs_export *e = NULL, *view;
	struct xl_id id;
	int ret;

	memset(obj, 0, sizeof(*obj));
	nfs3_call_from_req(req, NULL, call);
	ret = nfs_fh_parse(srv, (const uint8_t *)fh->data.data_val, fh->data.data_len, &e, &id);
	if (ret < 0) /* -ESTALE: its export is gone, or an earlier secret signed it */
		return ret == -ESTALE ? NFS3ERR_STALE : NFS3ERR_BADHANDLE;
	ret = nfs_export_access(srv, e, req, 0, &view);
	if (ret < 0) {
		xl_log(srv->xl, XL_LOG_DEBUG, "client %s on export %s",
		       ret == -EPERM ? "calling from a port >= 1024 refused (secure)"
		       : ret == -EAGAIN ? "name not known yet: JUKEBOX"
					: "not allowed",
		       e->path);
		/* as knfsd: PERM for an insecure port; JUKEBOX: retry shortly */
		return ret == -EPERM ? NFS3ERR_PERM : ret == -EAGAIN ? NFS3ERR_JUKEBOX : NFS3ERR_ACCES;
	}
	nfs_export_creds(srv, view, req, call); /* this client's options (export_access.h) */

	/* Through the export's own subvolume, attributes asked for: the
	 * subvolumes share the graph's inode table, so a cached inode may be
	 * another subvolume's object with the same id (every root is
	 * XL_ID_ROOT), and only this child's getattr says it is its own.
	 * Lazy: the actor's own fop on the child says it instead. */
	if (lazy)
		ret = xl_resolve_lazy(e->child, call, &id, &obj->inode, &obj->attr);
	else
		ret = xl_resolve(e->child, call, &id, &obj->inode, &obj->attr);
	if (ret == 0 && !(obj->attr.valid & XL_IATT_TYPE) && (!lazy || obj->attr.valid))
		ret = -EIO; /* nothing an actor could check the type with */
	if (ret < 0) {
		if (obj->inode)
			xl_inode_unref(obj->inode);
		memset(obj, 0, sizeof(*obj));
		return nfs3_obj_fop_status(ret); /* gone behind a valid handle: STALE */
	}
	obj->export = view;
	return NFS3_OK;
}

nfsstat3 nfs3_resolve(struct rpcsvc_request *req, const nfs_fh3 *fh, struct xl_call *call,
		      struct nfs3_obj *obj)
{
	return nfs3_resolve_fh(req, fh, call, obj, false);
}

nfsstat3 nfs3_resolve_lazy(struct rpcsvc_request *req, const nfs_fh3 *fh, struct xl_call *call,
			   struct nfs3_obj *obj)
{
	return nfs3_resolve_fh(req, fh, call, obj, true);
}

void nfs3_obj_release(struct nfs3_obj *obj)
{
	if (obj->inode)
		xl_inode_unref(obj->inode);
	obj->inode = NULL;
	obj->export = NULL;
}

nfsstat3 nfs3_check_writable(const struct nfs_export *export)
{
	return export->read_only ? NFS3ERR_ROFS : NFS3_OK;
}

nfsstat3 nfs3_check_name(const char *name, bool create)
{
	if (!name || !*name || strchr(name, '/'))
		return NFS3ERR_ACCES;
	if (strlen(name) > 255)
		return NFS3ERR_NAMETOOLONG;
	if (create && (!strcmp(name, ".") || !strcmp(name, "..")))
		return NFS3ERR_EXIST;
	return NFS3_OK;
}

nfsstat3 nfs3_errno_to_status(int err)
{
	if (err < 0)
		err = -err;
	switch (err) {
	case 0:
		return NFS3_OK;
	case EPERM:
		return NFS3ERR_PERM;
	case ENOENT:
		return NFS3ERR_NOENT;
	case EIO:
		return NFS3ERR_IO;
	case ENXIO:
		return NFS3ERR_NXIO;
	case EACCES:
		return NFS3ERR_ACCES;
	case EEXIST:
		return NFS3ERR_EXIST;
	case EXDEV:
		return NFS3ERR_XDEV;
	case ENODEV:
		return NFS3ERR_NODEV;
	case ENOTDIR:
		return NFS3ERR_NOTDIR;
	case EISDIR:
		return NFS3ERR_ISDIR;
	case EINVAL:
		return NFS3ERR_INVAL;
	case EFBIG:
		return NFS3ERR_FBIG;
	case ENOSPC:
		return NFS3ERR_NOSPC;
	case EROFS:
		return NFS3ERR_ROFS;
	case EMLINK:
		return NFS3ERR_MLINK;
	case ENAMETOOLONG:
		return NFS3ERR_NAMETOOLONG;
	case ENOTEMPTY:
		return NFS3ERR_NOTEMPTY;
	case EDQUOT:
		return NFS3ERR_DQUOT;
	case ESTALE:
		return NFS3ERR_STALE;
	case EBADF:
		return NFS3ERR_BADHANDLE;
	case ENOTSUP:
#if EOPNOTSUPP != ENOTSUP
	case EOPNOTSUPP:
#endif
	case ENOSYS:
		return NFS3ERR_NOTSUPP;
	case ELOOP:
		/* NFSv3 has no "is a symlink" status. Storage sees ELOOP when
		 * an operation meant for a file or directory meets a symlink
		 * (O_NOFOLLOW), i.e. the object is of the wrong type: INVAL,
		 * as knfsd answers for v3. */
		return NFS3ERR_INVAL;
	case EAGAIN:
		return NFS3ERR_JUKEBOX;
	default:
		xl_logd("nfs3", XL_LOG_WARNING, "unexpected error %d (%s) answered as NFS3ERR_IO",
			err, strerror(err));
		return NFS3ERR_IO;
	}
}

static ftype3 nfs3_ftype(mode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return NF3DIR;
	case S_IFBLK:
		return NF3BLK;
	case S_IFCHR:
		return NF3CHR;
	case S_IFLNK:
		return NF3LNK;
	case S_IFSOCK:
		return NF3SOCK;
	case S_IFIFO:
		return NF3FIFO;
	default:
		return NF3REG;
	}
}

static void nfs3_time(const struct timespec *ts, nfstime3 *t)
{
	t->seconds = (uint32)ts->tv_sec;
	t->nseconds = (uint32)ts->tv_nsec;
}

uint64_t nfs3_fileid(const struct nfs_server *srv, uint64_t ino)
{
	if (srv && srv->fileid_32bit)
		return (ino ^ (ino >> 32)) & 0xffffffffu;
	return ino;
}

bool nfs3_fattr_from_iatt(const struct nfs_server *srv, const struct nfs_export *export,
			  const struct xl_iatt *ia, fattr3 *fa)
{
	bool dev;

	memset(fa, 0, sizeof(*fa));
	if (!ia || (ia->valid & NFS3_IATT_FATTR) != NFS3_IATT_FATTR)
		return false;
	dev = S_ISBLK(ia->mode) || S_ISCHR(ia->mode);
	if (dev && !(ia->valid & XL_IATT_RDEV))
		return false;
	fa->type = nfs3_ftype(ia->mode);
	fa->mode = ia->mode & 07777;
	fa->nlink = ia->nlink;
	fa->uid = ia->uid;
	fa->gid = ia->gid;
	fa->size = ia->size;
	fa->used = ia->used;
	if (dev) {
		fa->rdev.specdata1 = major(ia->rdev);
		fa->rdev.specdata2 = minor(ia->rdev);
	}
	if (export)
		fa->fsid = export->fsid;
	else if (ia->valid & XL_IATT_FSID)
		fa->fsid = ia->fsid;
	fa->fileid = nfs3_fileid(srv, ia->ino);
	nfs3_time(&ia->atime, &fa->atime);
	nfs3_time(&ia->mtime, &fa->mtime);
	nfs3_time(&ia->ctime, &fa->ctime);
	return true;
}

void nfs3_post_op_from_iatt(const struct nfs_server *srv, const struct nfs_export *export,
			    const struct xl_iatt *ia, post_op_attr *poa)
{
	poa->attributes_follow =
	    nfs3_fattr_from_iatt(srv, export, ia, &poa->post_op_attr_u.attributes);
}

void nfs3_pre_op_from_iatt(const struct xl_iatt *ia, pre_op_attr *pre)
{
	wcc_attr *wa = &pre->pre_op_attr_u.attributes;

	memset(pre, 0, sizeof(*pre));
	if (!ia || (ia->valid & XL_IATT_WCC) != XL_IATT_WCC)
		return;
	pre->attributes_follow = TRUE;
	wa->size = ia->size;
	nfs3_time(&ia->mtime, &wa->mtime);
	nfs3_time(&ia->ctime, &wa->ctime);
}

void nfs3_wcc_from_xl(const struct nfs_server *srv, const struct nfs_export *export,
		      const struct xl_wcc *w, wcc_data *wcc)
{
	nfs3_pre_op_from_iatt(w ? &w->pre : NULL, &wcc->before);
	nfs3_post_op_from_iatt(srv, export, w ? &w->post : NULL, &wcc->after);
}

void nfs3_wcc_unchanged(const struct nfs_server *srv, const struct nfs_export *export,
			const struct xl_iatt *ia, wcc_data *wcc)
{
	nfs3_pre_op_from_iatt(ia, &wcc->before);
	nfs3_post_op_from_iatt(srv, export, ia, &wcc->after);
}

static void nfs3_time_to_ts(const nfstime3 *t, struct timespec *ts)
{
	ts->tv_sec = t->seconds;
	ts->tv_nsec = t->nseconds;
}

void nfs3_setattr_from_sattr(const sattr3 *sa, struct xl_setattr *out)
{
	memset(out, 0, sizeof(*out));
	if (sa->mode.set_it) {
		out->valid |= XL_SET_MODE;
		out->mode = sa->mode.set_mode3_u.mode & 07777;
	}
	if (sa->uid.set_it) {
		out->valid |= XL_SET_UID;
		out->uid = sa->uid.set_uid3_u.uid;
	}
	if (sa->gid.set_it) {
		out->valid |= XL_SET_GID;
		out->gid = sa->gid.set_gid3_u.gid;
	}
	if (sa->size.set_it) {
		out->valid |= XL_SET_SIZE;
		out->size = sa->size.set_size3_u.size;
	}
	if (sa->atime.set_it == SET_TO_SERVER_TIME) {
		out->valid |= XL_SET_ATIME_NOW;
	} else if (sa->atime.set_it == SET_TO_CLIENT_TIME) {
		out->valid |= XL_SET_ATIME;
		nfs3_time_to_ts(&sa->atime.set_atime_u.atime, &out->atime);
	}
	if (sa->mtime.set_it == SET_TO_SERVER_TIME) {
		out->valid |= XL_SET_MTIME_NOW;
	} else if (sa->mtime.set_it == SET_TO_CLIENT_TIME) {
		out->valid |= XL_SET_MTIME;
		nfs3_time_to_ts(&sa->mtime.set_mtime_u.mtime, &out->mtime);
	}
}

void nfs3_post_op_fh(const struct nfs_server *srv, const struct nfs_export *export,
		     const struct xl_id *id, post_op_fh3 *pfh)
{
	nfs_fh3 *h = &pfh->post_op_fh3_u.handle;
	struct nfs_fh fh;

	pfh->handle_follows = FALSE;
	h->data.data_len = 0;
	h->data.data_val = NULL;
	if (!id || xl_id_is_null(id) || !export)
		return;
	nfs_fh_build(srv, export, id, &fh);
	/* malloc, not g_malloc: the service frees results with xdr_free. */
	h->data.data_val = malloc(fh.len);
	if (!h->data.data_val)
		return;
	memcpy(h->data.data_val, fh.data, fh.len);
	h->data.data_len = fh.len;
	pfh->handle_follows = TRUE;
}

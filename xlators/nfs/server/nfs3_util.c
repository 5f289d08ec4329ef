/*
 * nfs3_util.c — what every NFS3 actor shares.
 *
 * Handle resolution (handle → export → access check → squashed
 * credentials → inode → attributes), the single -errno → nfsstat3 map,
 * name checks, and the conversions between struct stat / struct
 * xl_setattr and the protocol's fattr3, wcc_data and sattr3.
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
	return req->program->private;
}

nfsstat3 nfs3_resolve(struct rpcsvc_request *req, const nfs_fh3 *fh, struct xl_call *call,
		      struct nfs3_obj *obj)
{
	struct nfs_server *srv = nfs3_server(req);
	const struct nfs_export *view;
	struct xl_gfid gfid;
	int ret;

	memset(obj, 0, sizeof(*obj));
	*call = req->call;
	ret = nfs_fh_parse(srv, (const uint8_t *)fh->data.data_val, fh->data.data_len,
			   &obj->export, &gfid);
	if (ret < 0) /* -ESTALE: its export is gone, or an earlier secret signed it */
		return ret == -ESTALE ? NFS3ERR_STALE : NFS3ERR_BADHANDLE;
	ret = nfs_export_access(srv, obj->export, req, 0, &view);
	if (ret < 0) {
		xl_log(srv->xl, XL_LOG_DEBUG, "client %s on export %s",
		       ret == -EPERM ? "calling from a port >= 1024 refused (secure)"
		       : ret == -EAGAIN ? "name not known yet: JUKEBOX"
					: "not allowed",
		       obj->export->path);
		obj->export = NULL;
		/* as knfsd: PERM for an insecure port; JUKEBOX: retry shortly */
		return ret == -EPERM ? NFS3ERR_PERM : ret == -EAGAIN ? NFS3ERR_JUKEBOX : NFS3ERR_ACCES;
	}
	obj->export = view; /* this client's options (export_access.h) */
	nfs_export_creds(srv, view, req, call);

	obj->inode = xl_inode_get(srv->xl->graph->itable, &gfid);
	ret = xl_getattr(srv->child, call, obj->inode, &obj->st);
	if (ret < 0) {
		xl_inode_unref(obj->inode);
		obj->inode = NULL;
		obj->export = NULL;
		/* The object behind a valid handle is gone. */
		if (ret == -ESTALE || ret == -ENOENT)
			return NFS3ERR_STALE;
		return nfs3_errno_to_status(ret);
	}
	return NFS3_OK;
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

void nfs3_fattr_from_stat(const struct nfs_server *srv, const struct stat *st, fattr3 *fa)
{
	uint64_t ino = st->st_ino;

	memset(fa, 0, sizeof(*fa));
	if (srv && srv->fileid_32bit)
		ino = (ino ^ (ino >> 32)) & 0xffffffffu;
	fa->type = nfs3_ftype(st->st_mode);
	fa->mode = st->st_mode & 07777;
	fa->nlink = st->st_nlink;
	fa->uid = st->st_uid;
	fa->gid = st->st_gid;
	fa->size = st->st_size;
	fa->used = (uint64)st->st_blocks * 512;
	if (S_ISBLK(st->st_mode) || S_ISCHR(st->st_mode)) {
		fa->rdev.specdata1 = major(st->st_rdev);
		fa->rdev.specdata2 = minor(st->st_rdev);
	}
	fa->fsid = st->st_dev;
	fa->fileid = ino;
	nfs3_time(&st->st_atim, &fa->atime);
	nfs3_time(&st->st_mtim, &fa->mtime);
	nfs3_time(&st->st_ctim, &fa->ctime);
}

void nfs3_post_op_from_stat(const struct nfs_server *srv, const struct stat *st,
			    post_op_attr *poa)
{
	poa->attributes_follow = TRUE;
	nfs3_fattr_from_stat(srv, st, &poa->post_op_attr_u.attributes);
}

void nfs3_post_op_fetch(const struct nfs_server *srv, struct xl_call *call,
			struct xl_inode *inode, post_op_attr *poa)
{
	struct stat st;

	poa->attributes_follow = FALSE;
	if (!inode || xl_getattr(srv->child, call, inode, &st) < 0)
		return;
	nfs3_post_op_from_stat(srv, &st, poa);
}

void nfs3_pre_op_from_stat(const struct stat *st, pre_op_attr *pre)
{
	wcc_attr *wa = &pre->pre_op_attr_u.attributes;

	pre->attributes_follow = TRUE;
	wa->size = st->st_size;
	nfs3_time(&st->st_mtim, &wa->mtime);
	nfs3_time(&st->st_ctim, &wa->ctime);
}

void nfs3_wcc_from_stats(const struct nfs_server *srv, const struct stat *pre,
			 const struct stat *post, wcc_data *wcc)
{
	nfs3_pre_op_from_stat(pre, &wcc->before);
	nfs3_post_op_from_stat(srv, post, &wcc->after);
}

void nfs3_wcc_fill(const struct nfs_server *srv, struct xl_call *call, struct xl_inode *inode,
		   const struct stat *pre, wcc_data *wcc)
{
	if (pre)
		nfs3_pre_op_from_stat(pre, &wcc->before);
	else
		wcc->before.attributes_follow = FALSE;
	nfs3_post_op_fetch(srv, call, inode, &wcc->after);
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
		     struct xl_inode *inode, post_op_fh3 *pfh)
{
	nfs_fh3 *h = &pfh->post_op_fh3_u.handle;
	struct nfs_fh fh;

	pfh->handle_follows = FALSE;
	h->data.data_len = 0;
	h->data.data_val = NULL;
	if (!inode || !export)
		return;
	nfs_fh_build(srv, export, xl_inode_gfid(inode), &fh);
	/* malloc, not g_malloc: the service frees results with xdr_free. */
	h->data.data_val = malloc(fh.len);
	if (!h->data.data_val)
		return;
	memcpy(h->data.data_val, fh.data, fh.len);
	h->data.data_len = fh.len;
	pfh->handle_follows = TRUE;
}

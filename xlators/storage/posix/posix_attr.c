/*
 * posix_attr.c — attributes: getattr, setattr, access, readlink, statfs.
 *
 * Changes go through the object's O_PATH descriptor, never through a name,
 * so nothing is resolved twice and no symlink is ever followed:
 *   chown    fchownat(fd, "", AT_EMPTY_PATH)          (symlinks too: lchown)
 *   chmod    chmod("/proc/self/fd/N")                  (not symlinks: Linux
 *            has no symlink modes, the request is ignored like knfsd does)
 *   times    utimensat(fd, "", AT_EMPTY_PATH), falling back to the
 *            /proc/self/fd/N path on kernels without it
 *   size     ftruncate of the data fd after the kernel's own write check
 *            (posix_io_permission) with the NFS owner override.
 * chown/chmod/utimes run under the caller's credentials: the kernel
 * answers EPERM/EACCES exactly as for a local user. SETATTR's wcc is an
 * fstat right before the first change and right after the last, under the
 * object's ns_lock.
 *
 * ACCESS asks the kernel (faccessat AT_EACCESS under the caller's
 * credentials: mode bits, ACLs, read-only mounts) for read, write and
 * execute; for root and the owner, whom no ACL entry judges, the mode
 * bits of the one statx decide and the kernel is asked only whether a
 * write the mode allows is possible (read-only mount, immutable). It maps
 * them to the NFS bits as knfsd does: a directory's
 * LOOKUP is execute, MODIFY/EXTEND/DELETE write and execute; a file's
 * MODIFY/EXTEND write, EXECUTE execute; DELETE of a non-directory is
 * decided by its parent and never granted here.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "posix.h"

int posix_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  struct xl_iatt *attr)
{
	struct posix_ictx *ctx;
	struct statx stx;
	int ret;

	(void)call;
	ret = posix_ictx_stat(xl, inode, &ctx, &stx);
	if (ret)
		return ret;
	if (attr) {
		attr->valid = XL_IATT_ID;
		attr->id = ctx->id;
		posix_iatt_from_statx(attr, &stx, ctx->indexed);
	}
	posix_ictx_done(xl, ctx);
	return 0;
}

/* A write or truncation by a non-root caller clears set-user-ID and
 * set-group-ID-with-group-execute, as the kernel would had the caller done
 * it himself (our data fds are root's, which keeps the bits). */
void posix_kill_priv(const struct xl_call *call, int data_fd, const struct statx *stx)
{
	mode_t kill = 0;

	if (call->cred.uid == 0)
		return;
	if (stx->stx_mode & S_ISUID)
		kill |= S_ISUID;
	if ((stx->stx_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if (kill)
		fchmod(data_fd, stx->stx_mode & 07777 & ~kill);
}

static int posix_truncate(struct xl *xl, struct xl_call *call, struct posix_ictx *ctx,
			  uint64_t size, const struct statx *stx)
{
	int fd, ret;

	if (S_ISDIR(stx->stx_mode))
		return -EISDIR;
	if (!S_ISREG(stx->stx_mode))
		return -EINVAL;
	ret = posix_io_permission(xl, call, ctx, stx, W_OK);
	if (ret)
		return ret;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	fd = posix_data_fd(xl, ctx, true);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)size) < 0)
		return -errno;
	posix_kill_priv(call, fd, stx);
	return 0;
}

static int posix_utimes(int fd, const struct xl_setattr *sa, unsigned valid)
{
	struct timespec ts[2] = { { .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT } };
	char path[32];

	if (valid & XL_SET_ATIME)
		ts[0] = sa->atime;
	else if (valid & XL_SET_ATIME_NOW)
		ts[0].tv_nsec = UTIME_NOW;
	if (valid & XL_SET_MTIME)
		ts[1] = sa->mtime;
	else if (valid & XL_SET_MTIME_NOW)
		ts[1].tv_nsec = UTIME_NOW;
	if (utimensat(fd, "", ts, AT_EMPTY_PATH) == 0)
		return 0;
	if (errno != EINVAL)
		return -errno;
	posix_fd_path(fd, path, sizeof(path));
	return utimensat(AT_FDCWD, path, ts, 0) < 0 ? -errno : 0;
}

/* Setting times to the server's clock (SET_TO_SERVER_TIME, no explicit
 * time) is utimes(NULL): the owner or anyone with write permission may.
 * utimensat() with one time omitted asks ownership, so when that fails with
 * EPERM the caller (still under its credentials) gets the write check here
 * and the change is then made as root, as knfsd does. A Linux client sends
 * this with every O_TRUNC open and truncate() (size + mtime=server). */
static bool posix_touch_allowed(int path_fd, unsigned valid)
{
	if (valid & (XL_SET_ATIME | XL_SET_MTIME))
		return false;
	return faccessat(path_fd, "", W_OK, AT_EMPTY_PATH | AT_EACCESS) == 0;
}

int posix_apply_setattr(struct xl *xl, struct xl_call *call, struct posix_ictx *ctx,
			const struct xl_setattr *sa, unsigned valid, const struct statx *stx)
{
	char path[32];
	bool touch_as_root = false;
	int ret = 0;

	if (!sa || !valid)
		return 0;
	/* size first: a truncation moves mtime, which the request may set */
	if (valid & XL_SET_SIZE) {
		ret = posix_truncate(xl, call, ctx, sa->size, stx);
		if (ret)
			return ret;
	}
	ret = posix_creds_enter(xl, call);
	if (ret)
		return ret;
	if (valid & (XL_SET_UID | XL_SET_GID)) {
		uid_t uid = (valid & XL_SET_UID) ? sa->uid : (uid_t)-1;
		gid_t gid = (valid & XL_SET_GID) ? sa->gid : (gid_t)-1;

		if (fchownat(ctx->path_fd, "", uid, gid, AT_EMPTY_PATH) < 0) {
			ret = -errno;
			goto out_leave;
		}
	}
	/* mode after chown: chown clears set-id bits the request may want */
	if ((valid & XL_SET_MODE) && !S_ISLNK(stx->stx_mode)) {
		posix_fd_path(ctx->path_fd, path, sizeof(path));
		if (chmod(path, sa->mode & 07777) < 0) {
			ret = -errno;
			goto out_leave;
		}
	}
	if (valid & (XL_SET_ATIME | XL_SET_ATIME_NOW | XL_SET_MTIME | XL_SET_MTIME_NOW)) {
		ret = posix_utimes(ctx->path_fd, sa, valid);
		touch_as_root = ret == -EPERM && posix_touch_allowed(ctx->path_fd, valid);
	}
out_leave:
	posix_creds_leave(xl, call);
	if (touch_as_root)
		ret = posix_utimes(ctx->path_fd, sa, valid);
	return ret;
}

int posix_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  const struct xl_setattr *sa, struct xl_wcc *wcc)
{
	struct posix_ictx *ctx;
	struct statx stx;
	int ret;

	ret = posix_ictx_use(xl, inode, &ctx);
	if (ret)
		return ret;
	pthread_mutex_lock(&ctx->ns_lock);
	/* the pre-change stat is the one the change is judged on */
	ret = posix_ctx_statx(ctx, &stx);
	if (!ret && wcc) {
		wcc->pre.valid = XL_IATT_ID;
		wcc->pre.id = ctx->id;
		posix_iatt_from_statx(&wcc->pre, &stx, ctx->indexed);
	}
	if (!ret)
		ret = posix_apply_setattr(xl, call, ctx, sa, sa ? sa->valid : 0, &stx);
	if (wcc)
		posix_ctx_iatt(ctx, &wcc->post);
	pthread_mutex_unlock(&ctx->ns_lock);
	posix_ictx_done(xl, ctx);
	return ret;
}

/* Does the kernel grant @mode (R_OK, W_OK, X_OK) on @fd to the caller
 * whose credentials the thread holds? */
static bool posix_may(int fd, int mode)
{
	return faccessat(fd, "", mode, AT_EMPTY_PATH | AT_EACCESS) == 0;
}

/* Do the mode bits of @stx alone decide what @call may do? For root (the
 * capabilities override them) and for the owner (whose class no ACL
 * entry changes), when the daemon runs fops as their callers. */
static bool posix_access_by_mode(struct xl *xl, const struct xl_call *call,
				 const struct statx *stx)
{
	struct posix_priv *priv = xl->private;

	return priv->switch_creds && (call->cred.uid == 0 || call->cred.uid == stx->stx_uid);
}

/* What the kernel's mode check grants root or the owner for @mode (R_OK,
 * W_OK or X_OK, the values of the owner's rwx bits): root everything but
 * execution of a non-directory without any x bit. */
static bool posix_mode_grants(const struct xl_call *call, const struct statx *stx, int mode)
{
	if (call->cred.uid == 0)
		return mode != X_OK || S_ISDIR(stx->stx_mode) || (stx->stx_mode & 0111);
	return ((stx->stx_mode >> 6) & (unsigned)mode) != 0;
}

int posix_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint32_t mask,
		 uint32_t *granted, struct xl_iatt *attr)
{
	struct posix_ictx *ctx;
	struct statx stx;
	uint32_t want = mask & XL_ACCESS_ALL, got = 0;
	bool dir, r = false, w = false, x = false;
	int ret;

	*granted = 0;
	ret = posix_ictx_stat(xl, inode, &ctx, &stx);
	if (ret)
		return ret;
	dir = S_ISDIR(stx.stx_mode);
	if (!dir)
		want &= ~(uint32_t)(XL_ACCESS_LOOKUP | XL_ACCESS_DELETE);
	else
		want &= ~(uint32_t)XL_ACCESS_EXECUTE;
	if (posix_access_by_mode(xl, call, &stx)) {
		/* the mode decides; the kernel only for what it adds to a
		 * write (read-only mount, immutable, busy text), the same
		 * for every caller: asked as root */
		if (want & XL_ACCESS_READ)
			r = posix_mode_grants(call, &stx, R_OK);
		if (want & (XL_ACCESS_MODIFY | XL_ACCESS_EXTEND | XL_ACCESS_DELETE))
			w = posix_mode_grants(call, &stx, W_OK) && posix_may(ctx->path_fd, W_OK);
		if ((want & (XL_ACCESS_LOOKUP | XL_ACCESS_EXECUTE)) || (dir && w))
			x = posix_mode_grants(call, &stx, X_OK);
	} else {
		ret = posix_creds_enter(xl, call);
		if (ret)
			goto out_done;
		if (want & XL_ACCESS_READ)
			r = posix_may(ctx->path_fd, R_OK);
		if (want & (XL_ACCESS_MODIFY | XL_ACCESS_EXTEND | XL_ACCESS_DELETE))
			w = posix_may(ctx->path_fd, W_OK);
		if ((want & (XL_ACCESS_LOOKUP | XL_ACCESS_EXECUTE)) || (dir && w))
			x = posix_may(ctx->path_fd, X_OK);
		posix_creds_leave(xl, call);
	}
	if (r)
		got |= XL_ACCESS_READ;
	if (dir) {
		if (x)
			got |= XL_ACCESS_LOOKUP;
		if (w && x)
			got |= XL_ACCESS_MODIFY | XL_ACCESS_EXTEND | XL_ACCESS_DELETE;
	} else {
		if (w)
			got |= XL_ACCESS_MODIFY | XL_ACCESS_EXTEND;
		if (x)
			got |= XL_ACCESS_EXECUTE;
	}
	*granted = got & want;
	if (attr) {
		attr->valid = XL_IATT_ID;
		attr->id = ctx->id;
		posix_iatt_from_statx(attr, &stx, ctx->indexed);
	}
out_done:
	posix_ictx_done(xl, ctx);
	return ret;
}

int posix_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		   size_t size, struct xl_iatt *attr)
{
	struct posix_ictx *ctx;
	struct statx stx;
	ssize_t n;
	int ret;

	(void)call;
	ret = posix_ictx_stat(xl, inode, &ctx, &stx);
	if (ret)
		return ret;
	if (!S_ISLNK(stx.stx_mode)) {
		ret = -EINVAL;
		goto out_done;
	}
	n = readlinkat(ctx->path_fd, "", buf, size);
	ret = n < 0 ? -errno : (int)n;
	if (attr) {
		attr->valid = XL_IATT_ID;
		attr->id = ctx->id;
		posix_iatt_from_statx(attr, &stx, ctx->indexed);
	}
out_done:
	posix_ictx_done(xl, ctx);
	return ret;
}

int posix_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		 struct statvfs *sv)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *ctx = NULL;
	int ret, fd = priv->store.root_fd;

	(void)call;
	if (inode) {
		ret = posix_ictx_use(xl, inode, &ctx);
		if (ret)
			return ret;
		fd = ctx->path_fd;
	}
	ret = fstatvfs(fd, sv) < 0 ? -errno : 0;
	posix_ictx_done(xl, ctx);
	return ret;
}

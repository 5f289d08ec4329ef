/*
 * posix_attr.c — attributes: getattr, setattr, access, readlink, statfs.
 *
 * Changes go through the object's O_PATH descriptor, never through a name,
 * so nothing is resolved twice and no symlink is ever followed:
 *   chown    fchownat(fd, "", AT_EMPTY_PATH)          (symlinks too: lchown)
 *   chmod    chmod("/proc/self/fd/N")                  (not symlinks: Linux
 *            has no symlink modes, the request is ignored like knfsd does)
 *   times    utimensat(fd, "", AT_EMPTY_PATH), falling back to the
 *            /proc/self/fd/N path on kernels without it; a /proc fd link
 *            lands on the object itself, so a symlink's own times change
 *   size     ftruncate of the data fd after our own permission check,
 *            with the NFS owner override (the owner of a 0444 file may
 *            truncate it, as knfsd allows).
 * chown/chmod/utimes run under the caller's credentials: the kernel
 * answers EPERM/EACCES exactly as for a local user.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include "posix.h"

int posix_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct stat *st)
{
	struct posix_ictx *ctx;
	int ret;

	ret = posix_ictx_get(xl, inode, &ctx, st);
	if (ret)
		return ret;
	posix_ictx_put(ctx);
	return 0;
}

/* A write or truncation by a non-root caller clears set-user-ID and
 * set-group-ID-with-group-execute, as the kernel would had the caller done
 * it himself (our data fds are root's, which keeps the bits). */
void posix_kill_priv(const struct xl_call *call, int data_fd, struct stat *st)
{
	mode_t kill = 0;

	if (call->cred.uid == 0)
		return;
	if (st->st_mode & S_ISUID)
		kill |= S_ISUID;
	if ((st->st_mode & (S_ISGID | S_IXGRP)) == (S_ISGID | S_IXGRP))
		kill |= S_ISGID;
	if (kill && fchmod(data_fd, st->st_mode & 07777 & ~kill) == 0)
		st->st_mode &= ~kill;
}

static int posix_truncate(struct xl *xl, struct xl_call *call, struct posix_ictx *ctx,
			  uint64_t size, struct stat *st)
{
	int fd, ret;

	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	ret = posix_io_permission(call, st, W_OK);
	if (ret)
		return ret;
	if (size > (uint64_t)INT64_MAX)
		return -EFBIG;
	fd = posix_data_fd(xl, ctx, true);
	if (fd < 0)
		return fd;
	if (ftruncate(fd, (off_t)size) < 0)
		return -errno;
	posix_kill_priv(call, fd, st);
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
	char path[32];

	if (valid & (XL_SET_ATIME | XL_SET_MTIME))
		return false;
	posix_fd_path(path_fd, path, sizeof(path));
	return faccessat(AT_FDCWD, path, W_OK, AT_EACCESS) == 0;
}

int posix_apply_setattr(struct xl *xl, struct xl_call *call, struct posix_ictx *ctx,
			const struct xl_setattr *sa, unsigned valid, struct stat *st)
{
	char path[32];
	bool touch_as_root = false;
	int ret = 0;

	if (!sa || !valid)
		return 0;
	/* size first: a truncation moves mtime, which the request may set */
	if (valid & XL_SET_SIZE) {
		ret = posix_truncate(xl, call, ctx, sa->size, st);
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
	if ((valid & XL_SET_MODE) && !S_ISLNK(st->st_mode)) {
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
	if (fstat(ctx->path_fd, st) < 0 && !ret)
		ret = -errno;
	return ret;
}

int posix_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  const struct xl_setattr *sa, struct stat *st)
{
	struct posix_ictx *ctx;
	int ret;

	ret = posix_ictx_get(xl, inode, &ctx, st);
	if (ret)
		return ret;
	ret = posix_apply_setattr(xl, call, ctx, sa, sa ? sa->valid : 0, st);
	posix_ictx_put(ctx);
	return ret;
}

int posix_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, int mask)
{
	struct posix_ictx *ctx;
	struct stat st;
	int ret;

	ret = posix_ictx_get(xl, inode, &ctx, &st);
	if (ret)
		return ret;
	mask &= R_OK | W_OK | X_OK;
	if (!mask || S_ISLNK(st.st_mode))
		goto out_put;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_put;
	/* AT_EACCESS: judge with the fsuid/fsgid, not the real ids */
	if (faccessat(ctx->path_fd, "", mask, AT_EMPTY_PATH | AT_EACCESS) < 0)
		ret = -errno;
	posix_creds_leave(xl, call);
	/* a read-only filesystem or a running binary refuse writing: for
	 * ACCESS that is "not permitted", not a failure */
	if (ret == -EROFS || ret == -ETXTBSY)
		ret = -EACCES;
out_put:
	posix_ictx_put(ctx);
	return ret;
}

int posix_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		   size_t size)
{
	struct posix_ictx *ctx;
	struct stat st;
	ssize_t n;
	int ret;

	ret = posix_ictx_get(xl, inode, &ctx, &st);
	if (ret)
		return ret;
	if (!S_ISLNK(st.st_mode)) {
		ret = -EINVAL;
		goto out_put;
	}
	n = readlinkat(ctx->path_fd, "", buf, size);
	ret = n < 0 ? -errno : (int)n;
out_put:
	posix_ictx_put(ctx);
	return ret;
}

int posix_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		 struct statvfs *sv)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *ctx = NULL;
	struct stat st;
	int ret, fd = priv->root_fd;

	if (inode) {
		ret = posix_ictx_get(xl, inode, &ctx, &st);
		if (ret)
			return ret;
		fd = ctx->path_fd;
	}
	ret = fstatvfs(fd, sv) < 0 ? -errno : 0;
	posix_ictx_put(ctx);
	return ret;
}

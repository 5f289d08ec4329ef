/*
 * posix_io.c — data: read, write, fsync (COMMIT).
 *
 * NFS servers check READ/WRITE permission per request, not per open, and
 * let a file's owner read and write it whatever its mode bits (a client
 * creates a file 0444 and then writes its contents: cp, tar, rsync do).
 * So data goes through descriptors opened once per inode as root and kept
 * in the inode's context, and the check is made here on each call:
 * root and the owner may; others by the group/other bits (POSIX ACLs are
 * not consulted for READ/WRITE; ACCESS and every namespace fop do use the
 * kernel's judgement).
 *
 * WRITE honours stable_how with pwritev2(RWF_DSYNC / RWF_SYNC) in one call
 * (fdatasync/fsync after pwritev where the kernel lacks the flags) and
 * reports the level done (FILE_SYNC everywhere with fsync-unstable on).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "posix.h"

static bool posix_in_group(const struct xl_call *call, gid_t gid)
{
	if (call->cred.gid == gid)
		return true;
	for (unsigned i = 0; i < call->cred.ngroups && i < XL_CALL_MAX_GROUPS; i++)
		if (call->cred.groups[i] == gid)
			return true;
	return false;
}

int posix_io_permission(const struct xl_call *call, const struct stat *st, int mask)
{
	mode_t bits;

	if (call->cred.uid == 0 || call->cred.uid == st->st_uid)
		return 0;
	bits = posix_in_group(call, st->st_gid) ? (st->st_mode >> 3) : st->st_mode;
	if ((mask & R_OK) && !(bits & S_IROTH))
		return -EACCES;
	if ((mask & W_OK) && !(bits & S_IWOTH))
		return -EACCES;
	return 0;
}

/* Install @fd in *@slot unless another thread did first; returns the fd
 * that is installed. */
static int posix_install_fd(int *slot, int fd)
{
	int expected = -1;

	if (__atomic_compare_exchange_n(slot, &expected, fd, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return fd;
	close(fd);
	return expected;
}

int posix_data_fd(struct xl *xl, struct posix_ictx *ctx, bool write)
{
	char path[32];
	int fd;

	fd = __atomic_load_n(&ctx->rw_fd, __ATOMIC_ACQUIRE);
	if (fd >= 0)
		return fd;
	if (!write) {
		fd = __atomic_load_n(&ctx->ro_fd, __ATOMIC_ACQUIRE);
		if (fd >= 0)
			return fd;
	}
	/* reopen the object itself (a regular file: nothing to follow) */
	posix_fd_path(ctx->path_fd, path, sizeof(path));
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0)
		return posix_install_fd(&ctx->rw_fd, fd);
	/* read-only filesystem, a running executable, an immutable file */
	if (write)
		return -errno;
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	if (fd < 0)
		return -errno;
	return posix_install_fd(&ctx->ro_fd, fd);
}

/* The common checks of READ and WRITE on an object with attributes @st. */
static int posix_io_check(const struct xl_call *call, const struct stat *st, int mask)
{
	if (S_ISDIR(st->st_mode))
		return -EISDIR;
	if (!S_ISREG(st->st_mode))
		return -EINVAL;
	return posix_io_permission(call, st, mask);
}

int posix_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	       size_t len, void *buf, bool *eof, struct stat *st)
{
	struct posix_ictx *ctx;
	size_t done = 0;
	ssize_t n;
	int fd, ret;

	*eof = false;
	ret = posix_ictx_get(xl, inode, &ctx, st);
	if (ret)
		return ret;
	ret = posix_io_check(call, st, R_OK);
	if (ret)
		goto out_put;
	if (off > (uint64_t)INT64_MAX) {
		ret = -EINVAL;
		goto out_put;
	}
	if (len > INT_MAX)
		len = INT_MAX;
	fd = posix_data_fd(xl, ctx, false);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	while (done < len) {
		n = pread(fd, (char *)buf + done, len - done, (off_t)(off + done));
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			goto out_put;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	if (fstat(fd, st) < 0) {
		ret = -errno;
		goto out_put;
	}
	*eof = off + done >= (uint64_t)st->st_size;
	ret = (int)done;
out_put:
	posix_ictx_put(ctx);
	return ret;
}

/* One positioned vector write with the sync flag of @stable; falls back
 * to pwritev + fdatasync/fsync where pwritev2 flags are not supported. */
static ssize_t posix_pwritev_stable(int fd, const struct iovec *iov, int iovcnt, off_t off,
				    enum xl_stable stable)
{
	int flags = stable == XL_FILE_SYNC ? RWF_SYNC : stable == XL_DATA_SYNC ? RWF_DSYNC : 0;
	ssize_t n;

	n = pwritev2(fd, iov, iovcnt, off, flags);
	if (n >= 0 || !flags || (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL))
		return n;
	n = pwritev(fd, iov, iovcnt, off);
	if (n < 0)
		return n;
	if ((stable == XL_FILE_SYNC ? fsync(fd) : fdatasync(fd)) < 0)
		return -1;
	return n;
}

/* Write all of @iov (retrying short writes on a private copy). Returns
 * the bytes written, or -errno when nothing was. */
static ssize_t posix_write_all(int fd, const struct iovec *iov, int iovcnt, off_t off,
			       enum xl_stable stable)
{
	struct iovec *rest = NULL;
	size_t total = 0, done = 0;
	ssize_t n;
	int first = 0;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	n = posix_pwritev_stable(fd, iov, iovcnt, off, stable);
	if (n < 0)
		return -errno;
	done = (size_t)n;
	if (done == total || n == 0)
		return (ssize_t)done;
	rest = malloc(sizeof(*rest) * (size_t)iovcnt);
	if (!rest)
		return (ssize_t)done;
	memcpy(rest, iov, sizeof(*rest) * (size_t)iovcnt);
	while (done < total) {
		size_t skip = done;

		/* find the first unwritten byte */
		for (first = 0; first < iovcnt && skip >= iov[first].iov_len; first++)
			skip -= iov[first].iov_len;
		rest[first].iov_base = (char *)iov[first].iov_base + skip;
		rest[first].iov_len = iov[first].iov_len - skip;
		n = posix_pwritev_stable(fd, rest + first, iovcnt - first, off + (off_t)done,
					 stable);
		if (n <= 0)
			break; /* report the short count; the client retries */
		done += (size_t)n;
	}
	free(rest);
	return (ssize_t)done;
}

int posix_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		const struct iovec *iov, int iovcnt, enum xl_stable *stable, struct stat *st)
{
	struct posix_conf *conf = xl->conf;
	struct posix_ictx *ctx;
	enum xl_stable how = *stable;
	ssize_t n;
	int fd, ret;

	ret = posix_ictx_get(xl, inode, &ctx, st);
	if (ret)
		return ret;
	ret = posix_io_check(call, st, W_OK);
	if (ret)
		goto out_put;
	if (off > (uint64_t)INT64_MAX) {
		ret = -EFBIG;
		goto out_put;
	}
	if (conf->fsync_unstable || how > XL_FILE_SYNC)
		how = XL_FILE_SYNC;
	fd = posix_data_fd(xl, ctx, true);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	n = posix_write_all(fd, iov, iovcnt, (off_t)off, how);
	if (n < 0) {
		ret = (int)n;
		goto out_put;
	}
	if (n > INT_MAX)
		n = INT_MAX;
	if (fstat(fd, st) < 0) {
		ret = -errno;
		goto out_put;
	}
	posix_kill_priv(call, fd, st);
	*stable = how;
	ret = (int)n;
out_put:
	posix_ictx_put(ctx);
	return ret;
}

int posix_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, bool datasync)
{
	struct posix_ictx *ctx;
	struct stat st;
	int fd, ret;

	ret = posix_ictx_get(xl, inode, &ctx, &st);
	if (ret)
		return ret;
	if (S_ISDIR(st.st_mode)) {
		posix_sync_dir(xl, ctx, true);
		goto out_put;
	}
	if (!S_ISREG(st.st_mode))
		goto out_put;
	fd = posix_data_fd(xl, ctx, false);
	if (fd < 0) {
		ret = fd;
		goto out_put;
	}
	if ((datasync ? fdatasync(fd) : fsync(fd)) < 0)
		ret = -errno;
out_put:
	posix_ictx_put(ctx);
	return ret;
}

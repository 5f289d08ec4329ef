/*
 * posix_io.c — data: read, write, fsync (COMMIT).
 *
 * NFS servers check READ/WRITE permission per request, not per open, and
 * let a file's owner read and write it whatever its mode bits (a client
 * creates a file 0444 and then writes its contents: cp, tar, rsync do).
 * So data goes through descriptors opened once per inode as root and kept
 * in the inode's context (a file CREATE made keeps the O_RDWR descriptor
 * it was made with: a new file opens whatever its mode, and a local
 * filesystem judges writes at open only), and each call asks the kernel whether the
 * caller may: faccessat(AT_EACCESS) under the caller's credentials, so
 * mode bits, POSIX ACLs and read-only mounts judge as for a local user.
 * Root and the owner skip the question (knfsd's owner override).
 *
 * READ fills a fresh iobuf (xl_iobuf_new + pread) and hands back a
 * referenced slice of it, with one statx, taken after the read, to judge
 * and answer it (the buffer is sized from the size last seen); WRITE
 * writes the caller's slice. WRITE honours
 * stable_how with pwritev2(RWF_DSYNC / RWF_SYNC) in one call (fdatasync/
 * fsync after the write where the kernel lacks the flags) and reports the
 * level done (FILE_SYNC everywhere with fsync-unstable on). COMMIT's
 * pre-op attributes are the one stat it is judged on, its post-op one
 * more after the flush. WRITE's wcc is an
 * fstat right before and right after the write under the file's ns_lock,
 * and the one before is also what the write is judged on.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "blocking.h"
#include "posix.h"

/* READ is capped here (NFS asks at most its rtmax). */
#define POSIX_READ_MAX (64u << 20)

int posix_io_permission(struct xl *xl, const struct xl_call *call, struct posix_ictx *ctx,
			const struct statx *stx, int mask)
{
	int ret;

	if (call->cred.uid == 0 || call->cred.uid == stx->stx_uid)
		return 0;
	ret = posix_creds_enter(xl, call);
	if (ret)
		return ret;
	if (faccessat(ctx->path_fd, "", mask, AT_EMPTY_PATH | AT_EACCESS) < 0)
		ret = -errno;
	posix_creds_leave(xl, call);
	return ret;
}

/* The common checks of READ and WRITE on an object with attributes @stx. */
static int posix_io_check(struct xl *xl, const struct xl_call *call, struct posix_ictx *ctx,
			  const struct statx *stx, int mask)
{
	if (S_ISDIR(stx->stx_mode))
		return -EISDIR;
	if (!S_ISREG(stx->stx_mode))
		return -EINVAL;
	return posix_io_permission(xl, call, ctx, stx, mask);
}

static void posix_fill_attr(struct posix_ictx *ctx, const struct statx *stx, struct xl_iatt *ia)
{
	if (!ia)
		return;
	ia->valid = XL_IATT_ID;
	ia->id = ctx->id;
	posix_iatt_from_statx(ia, stx, ctx->indexed);
}

/* How many bytes to read at @off for @len asked of @ctx: the rest of the
 * file as last seen, +1 to notice that it grew. 0 at or past that end
 * (then @off is checked against a fresh size first). */
static size_t posix_read_len(struct posix_ictx *ctx, uint64_t off, size_t len)
{
	uint64_t size = __atomic_load_n(&ctx->size_hint, __ATOMIC_RELAXED);
	struct statx stx;

	if (off >= size && posix_ctx_statx(ctx, &stx) == 0)
		size = stx.stx_size; /* the file may have grown since */
	if (!len || off >= size)
		return 0;
	if (len > size - off && size - off < POSIX_READ_MAX)
		len = (size_t)(size - off) + 1;
	return len;
}

/*
 * One stat per READ: the data is read first and the call judged on the
 * attributes taken right after (type, the caller's permission, deleted),
 * which are also the reply's; a refused read's bytes are dropped unseen.
 * The type of a context never changes, so a directory or a special file
 * is refused before any read.
 */
int posix_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	       size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr)
{
	struct posix_ictx *ctx;
	struct xl_iobuf *iob = NULL;
	struct statx stx;
	size_t done = 0;
	ssize_t n;
	int fd, ret, read_err = 0;

	memset(out, 0, sizeof(*out));
	*eof = false;
	ret = posix_ictx_use(xl, inode, &ctx);
	if (ret)
		return ret;
	if (ctx->type != S_IFREG) {
		ret = posix_ctx_statx(ctx, &stx);
		if (!ret) {
			posix_fill_attr(ctx, &stx, attr);
			ret = posix_io_check(xl, call, ctx, &stx, R_OK);
		}
		goto out_done;
	}
	if (off > (uint64_t)INT64_MAX) {
		ret = -EINVAL;
		goto out_done;
	}
	if (len > POSIX_READ_MAX)
		len = POSIX_READ_MAX;
	fd = posix_data_fd(xl, ctx, false);
	if (fd < 0) {
		ret = fd;
		goto out_done;
	}
	len = posix_read_len(ctx, off, len);
	if (len) {
		iob = xl_iobuf_new(len);
		if (!iob) {
			ret = -ENOMEM;
			goto out_done;
		}
	}
	while (iob && done < len) {
		n = pread(fd, iob->data + done, len - done, (off_t)(off + done));
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			read_err = -errno;
			break;
		}
		if (n == 0)
			break;
		done += (size_t)n;
	}
	ret = posix_ctx_statx(ctx, &stx);
	if (ret)
		goto out_unref;
	posix_fill_attr(ctx, &stx, attr);
	ret = posix_io_check(xl, call, ctx, &stx, R_OK);
	if (!ret)
		ret = read_err;
	if (ret)
		goto out_unref;
	*eof = off + done >= stx.stx_size;
	if (done) {
		out->iobuf = iob;
		out->ptr = iob->data;
		out->len = done;
		iob = NULL;
	}
	ret = done > INT_MAX ? INT_MAX : (int)done;
out_unref:
	xl_iobuf_unref(iob);
out_done:
	posix_ictx_done(xl, ctx);
	return ret;
}

/* One positioned write with the sync flag of @stable; falls back to
 * pwrite + fdatasync/fsync where pwritev2 flags are not supported. */
static ssize_t posix_pwrite_stable(int fd, const void *buf, size_t len, off_t off,
				   enum xl_stable stable)
{
	int flags = stable == XL_FILE_SYNC ? RWF_SYNC : stable == XL_DATA_SYNC ? RWF_DSYNC : 0;
	struct iovec iov = { .iov_base = (void *)buf, .iov_len = len };
	ssize_t n;

	n = pwritev2(fd, &iov, 1, off, flags);
	if (n >= 0 || !flags || (errno != EOPNOTSUPP && errno != ENOSYS && errno != EINVAL))
		return n;
	n = pwrite(fd, buf, len, off);
	if (n < 0)
		return n;
	if ((stable == XL_FILE_SYNC ? fsync(fd) : fdatasync(fd)) < 0)
		return -1;
	return n;
}

/* Write all of @len bytes (retrying short writes). The bytes written, or
 * -errno when nothing was. */
static ssize_t posix_write_all(int fd, const uint8_t *buf, size_t len, off_t off,
			       enum xl_stable stable)
{
	size_t done = 0;
	ssize_t n;

	do {
		n = posix_pwrite_stable(fd, buf + done, len - done, off + (off_t)done, stable);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return done ? (ssize_t)done : -errno;
		if (n == 0)
			break; /* report the short count; the client retries */
		done += (size_t)n;
	} while (done < len);
	return (ssize_t)done;
}

/*
 * Two stats per WRITE: the one right before the write, under the file's
 * ns_lock, is what the call is judged on (deleted, permission) and the
 * wcc's pre-op attributes; the one right after is the post-op's. The
 * type of a context never changes: a directory is refused first.
 */
int posix_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc)
{
	struct posix_conf *conf = xl->conf;
	struct posix_ictx *ctx;
	enum xl_stable how = *stable;
	struct statx stx;
	ssize_t n;
	int fd, ret;

	ret = posix_ictx_use(xl, inode, &ctx);
	if (ret)
		return ret;
	if (ctx->type != S_IFREG) {
		ret = posix_ctx_statx(ctx, &stx);
		if (!ret) {
			posix_fill_attr(ctx, &stx, wcc ? &wcc->pre : NULL);
			posix_fill_attr(ctx, &stx, wcc ? &wcc->post : NULL);
			ret = posix_io_check(xl, call, ctx, &stx, W_OK);
		}
		goto out_done;
	}
	if (off > (uint64_t)INT64_MAX || data->len > (uint64_t)INT64_MAX - off) {
		ret = -EFBIG;
		goto out_done;
	}
	if (conf->fsync_unstable || how > XL_FILE_SYNC)
		how = XL_FILE_SYNC;
	fd = posix_data_fd(xl, ctx, true);
	if (fd < 0) {
		ret = fd;
		goto out_done;
	}
	pthread_mutex_lock(&ctx->ns_lock);
	ret = posix_ctx_statx(ctx, &stx);
	if (ret) {
		pthread_mutex_unlock(&ctx->ns_lock);
		goto out_done;
	}
	posix_fill_attr(ctx, &stx, wcc ? &wcc->pre : NULL);
	ret = posix_io_check(xl, call, ctx, &stx, W_OK);
	if (ret) {
		posix_fill_attr(ctx, &stx, wcc ? &wcc->post : NULL); /* nothing changed */
		pthread_mutex_unlock(&ctx->ns_lock);
		goto out_done;
	}
	if (how != XL_UNSTABLE)
		xl_blocking_enter(); /* a stable write waits on the disk */
	n = posix_write_all(fd, data->ptr, data->len, (off_t)off, how);
	if (how != XL_UNSTABLE)
		xl_blocking_leave();
	if (n >= 0 && posix_statx(fd, "", &stx) == 0) {
		__atomic_store_n(&ctx->size_hint, stx.stx_size, __ATOMIC_RELAXED);
		posix_kill_priv(call, fd, &stx);
		if (wcc) {
			if ((stx.stx_mode & (S_ISUID | S_ISGID)) && call->cred.uid != 0)
				posix_statx(fd, "", &stx);
			posix_fill_attr(ctx, &stx, &wcc->post);
		}
	}
	pthread_mutex_unlock(&ctx->ns_lock);
	if (n < 0) {
		ret = (int)n;
		goto out_done;
	}
	*stable = how;
	ret = n > INT_MAX ? INT_MAX : (int)n;
out_done:
	posix_ictx_done(xl, ctx);
	return ret;
}

/* Flush [@off, @off+@len) of @fd (len 0: all). Linux has no durable range
 * flush: sync_file_range writes and waits for the asked range first (so it
 * is not queued behind the file's other dirty pages), then fdatasync/fsync
 * makes it durable (device cache, the size) with whatever else is dirty. */
static int posix_flush_range(int fd, uint64_t off, uint64_t len, bool datasync)
{
	if (len && off <= (uint64_t)INT64_MAX && len <= (uint64_t)INT64_MAX - off)
		sync_file_range(fd, (off_t)off, (off_t)len,
				SYNC_FILE_RANGE_WAIT_BEFORE | SYNC_FILE_RANGE_WRITE |
					SYNC_FILE_RANGE_WAIT_AFTER);
	return (datasync ? fdatasync(fd) : fsync(fd)) < 0 ? -errno : 0;
}

int posix_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		uint64_t len, bool datasync, struct xl_wcc *wcc)
{
	struct posix_ictx *ctx;
	struct statx stx;
	int fd, ret;

	(void)call;
	ret = posix_ictx_use(xl, inode, &ctx);
	if (ret)
		return ret;
	fd = ctx->type == S_IFREG || ctx->type == S_IFDIR ? posix_data_fd(xl, ctx, false) : -1;
	/* one stat before the flush, under the ns_lock as a WRITE's: the
	 * call's judge (deleted) and the wcc's pre-op attributes */
	pthread_mutex_lock(&ctx->ns_lock);
	ret = posix_ctx_statx(ctx, &stx);
	pthread_mutex_unlock(&ctx->ns_lock);
	if (ret)
		goto out_done;
	posix_fill_attr(ctx, &stx, wcc ? &wcc->pre : NULL);
	if (!S_ISREG(stx.stx_mode) && !S_ISDIR(stx.stx_mode)) {
		posix_fill_attr(ctx, &stx, wcc ? &wcc->post : NULL);
		goto out_done;
	}
	if (fd < 0) {
		ret = fd;
		goto out_done;
	}
	xl_blocking_enter(); /* the RPC loop lets another thread serve meanwhile */
	if (S_ISDIR(stx.stx_mode))
		ret = fsync(fd) < 0 ? -errno : 0;
	else
		ret = posix_flush_range(fd, off, len, datasync);
	xl_blocking_leave();
	if (wcc)
		posix_ctx_iatt(ctx, &wcc->post);
out_done:
	posix_ictx_done(xl, ctx);
	return ret;
}

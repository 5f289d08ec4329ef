/*
 * posix_xattr.c — extended attributes and byte-range locks.
 *
 * The xattr fops reach the object itself through its O_PATH descriptor's
 * /proc/self/fd/N link (the *xattr calls have no empty-path form before
 * Linux 6.13; following that magic link lands on the object, a symlink
 * included), under the caller's credentials, so the kernel applies its
 * rules (user.* needs read/write permission and is refused on symlinks and
 * devices; trusted.* needs CAP_SYS_ADMIN, which a changed fsuid keeps:
 * translators above us use it for their own metadata).
 *
 * Our own attributes (trusted.xlnfs.*: the id) are invisible to callers:
 * getxattr answers -ENODATA, setxattr and removexattr -EPERM, listxattr
 * leaves them out.
 *
 * xattr_add and xattr_cas read, decide and write under xl_inode_lock(),
 * so they are atomic against each other for every caller going through
 * this volume (the only writer of a store it serves).
 *
 * lk keeps an xl_lk_table in the inode's context, made on first use. The
 * locks live as long as the inode: whoever holds locks (the coming lock
 * manager) keeps a reference on the inode, or they go with ctx_free when
 * the table evicts it.
 */
#include "config.h"

#include <endian.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/xattr.h>

#include "posix.h"

static bool posix_xattr_hidden(const char *name)
{
	return !strncmp(name, POSIX_XATTR_PREFIX, strlen(POSIX_XATTR_PREFIX));
}

/* Use @inode's context and put its /proc path in @path. */
static int posix_xattr_begin(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			     struct posix_ictx **ctx, char *path, size_t size)
{
	int ret = posix_ictx_use(xl, inode, ctx);

	if (ret)
		return ret;
	posix_fd_path((*ctx)->path_fd, path, size);
	ret = posix_creds_enter(xl, call);
	if (ret) {
		posix_ictx_done(xl, *ctx);
		*ctx = NULL;
	}
	return ret;
}

static void posix_xattr_end(struct xl *xl, struct xl_call *call, struct posix_ictx *ctx)
{
	posix_creds_leave(xl, call);
	posix_ictx_done(xl, ctx);
}

static int posix_flags(int flags)
{
	return (flags & XL_XATTR_CREATE ? XATTR_CREATE : 0) |
	       (flags & XL_XATTR_REPLACE ? XATTR_REPLACE : 0);
}

int posix_getxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   const char *name, void *value, size_t size)
{
	struct posix_ictx *ctx;
	char path[32];
	ssize_t n;
	int ret;

	if (posix_xattr_hidden(name))
		return -ENODATA;
	ret = posix_xattr_begin(xl, call, inode, &ctx, path, sizeof(path));
	if (ret)
		return ret;
	n = getxattr(path, name, value, size);
	ret = n < 0 ? -errno : (int)n;
	posix_xattr_end(xl, call, ctx);
	return ret;
}

int posix_setxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   const char *name, const void *value, size_t size, int flags)
{
	struct posix_ictx *ctx;
	char path[32];
	int ret;

	if (posix_xattr_hidden(name))
		return -EPERM;
	ret = posix_xattr_begin(xl, call, inode, &ctx, path, sizeof(path));
	if (ret)
		return ret;
	if (setxattr(path, name, value, size, posix_flags(flags)) < 0)
		ret = -errno;
	posix_xattr_end(xl, call, ctx);
	return ret;
}

int posix_removexattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		      const char *name)
{
	struct posix_ictx *ctx;
	char path[32];
	int ret;

	if (posix_xattr_hidden(name))
		return -EPERM;
	ret = posix_xattr_begin(xl, call, inode, &ctx, path, sizeof(path));
	if (ret)
		return ret;
	if (removexattr(path, name) < 0)
		ret = -errno;
	posix_xattr_end(xl, call, ctx);
	return ret;
}

/* Drop our names from the NUL-separated @list of @len bytes; the new length. */
static size_t posix_list_filter(char *list, size_t len)
{
	size_t in = 0, out = 0;

	while (in < len) {
		size_t n = strnlen(list + in, len - in) + 1;

		if (!posix_xattr_hidden(list + in)) {
			memmove(list + out, list + in, n);
			out += n;
		}
		in += n;
	}
	return out;
}

int posix_listxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *list,
		    size_t size)
{
	struct posix_ictx *ctx;
	char path[32], *all = NULL;
	ssize_t n;
	int ret;

	ret = posix_xattr_begin(xl, call, inode, &ctx, path, sizeof(path));
	if (ret)
		return ret;
	/* the full list (ours included) to a private buffer, then filtered:
	 * the caller's size is for the filtered list */
	for (int tries = 0; tries < 4; tries++) {
		n = listxattr(path, NULL, 0);
		if (n < 0) {
			ret = -errno;
			goto out_end;
		}
		free(all);
		all = malloc((size_t)n + 1);
		if (!all) {
			ret = -ENOMEM;
			goto out_end;
		}
		n = listxattr(path, all, (size_t)n);
		if (n >= 0 || errno != ERANGE)
			break;
	}
	if (n < 0) {
		ret = -errno;
		goto out_end;
	}
	n = (ssize_t)posix_list_filter(all, (size_t)n);
	if (size && (size_t)n > size) {
		ret = -ERANGE;
		goto out_end;
	}
	if (size)
		memcpy(list, all, (size_t)n);
	ret = (int)n;
out_end:
	free(all);
	posix_xattr_end(xl, call, ctx);
	return ret;
}

int posix_xattr_add(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name, const int64_t *delta, size_t n, int64_t *result)
{
	struct posix_ictx *ctx;
	char path[32];
	uint64_t *vals;
	ssize_t got;
	int ret;

	if (posix_xattr_hidden(name))
		return -EPERM;
	if (n == 0 || n > 512)
		return -EINVAL;
	vals = calloc(n, sizeof(*vals));
	if (!vals)
		return -ENOMEM;
	ret = posix_xattr_begin(xl, call, inode, &ctx, path, sizeof(path));
	if (ret)
		goto out_free;
	xl_inode_lock(inode);
	got = getxattr(path, name, vals, n * sizeof(*vals));
	if (got < 0 && errno != ENODATA) {
		ret = errno == ERANGE ? -EINVAL : -errno;
		goto out_unlock;
	}
	if (got >= 0 && (size_t)got != n * sizeof(*vals)) {
		ret = -EINVAL; /* not n counters */
		goto out_unlock;
	}
	if (got < 0)
		memset(vals, 0, n * sizeof(*vals));
	for (size_t i = 0; i < n; i++) {
		uint64_t v = be64toh(vals[i]) + (uint64_t)delta[i];

		if (result)
			result[i] = (int64_t)v;
		vals[i] = htobe64(v);
	}
	if (setxattr(path, name, vals, n * sizeof(*vals), 0) < 0)
		ret = -errno;
out_unlock:
	xl_inode_unlock(inode);
	posix_xattr_end(xl, call, ctx);
out_free:
	free(vals);
	return ret;
}

int posix_xattr_cas(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name, const void *expect, size_t expect_len, const void *value,
		    size_t value_len)
{
	struct posix_ictx *ctx;
	char path[32], *cur = NULL;
	ssize_t got;
	int ret;

	if (posix_xattr_hidden(name))
		return -EPERM;
	cur = malloc(expect_len + 1);
	if (!cur)
		return -ENOMEM;
	ret = posix_xattr_begin(xl, call, inode, &ctx, path, sizeof(path));
	if (ret)
		goto out_free;
	xl_inode_lock(inode);
	/* one byte more than expected: a longer value is a mismatch */
	got = getxattr(path, name, cur, expect_len + 1);
	if (got < 0 && errno != ENODATA && errno != ERANGE) {
		ret = -errno;
		goto out_unlock;
	}
	if (!expect ? got >= 0 || errno == ERANGE
		    : got < 0 || (size_t)got != expect_len || memcmp(cur, expect, expect_len)) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	if (setxattr(path, name, value, value_len, expect ? XATTR_REPLACE : XATTR_CREATE) < 0)
		ret = errno == EEXIST || errno == ENODATA ? -EAGAIN : -errno;
out_unlock:
	xl_inode_unlock(inode);
	posix_xattr_end(xl, call, ctx);
out_free:
	free(cur);
	return ret;
}

int posix_lk(struct xl *xl, struct xl_call *call, struct xl_inode *inode, enum xl_lk_cmd cmd,
	     struct xl_lock *lock)
{
	struct posix_ictx *ctx;
	struct xl_lk_table *t;
	int ret;

	(void)call;
	ret = posix_ictx_use(xl, inode, &ctx);
	if (ret)
		return ret;
	pthread_mutex_lock(&ctx->lock);
	if (!ctx->locks)
		ctx->locks = xl_lk_table_new();
	t = ctx->locks;
	pthread_mutex_unlock(&ctx->lock);
	ret = t ? xl_lk_table_apply(t, cmd, lock) : -ENOMEM;
	posix_ictx_done(xl, ctx);
	return ret;
}

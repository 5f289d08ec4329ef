/*
 * posix_ictx.c — per-inode contexts and the bounded descriptor cache.
 *
 * A context (struct posix_ictx) is set on the fresh inode a lookup,
 * resolve or create fop receives (xl_inode_ctx_set_if_unset) and freed by
 * the module's ctx_free when the framework frees the inode; nothing here
 * touches the inode table's index. A fop holds its inode for the call, so
 * the context outlives every use without a reference count of its own.
 *
 * Descriptors: each context may hold an O_PATH fd and data fds. Their
 * total is bounded by fd-cache-size: contexts with descriptors sit on an
 * LRU list (priv->lru_lock) kept as a CLOCK: a fop only marks its context
 * recent (under the context's own lock, so no global lock is on a call's
 * path), and opening one past the bound walks the list from its head,
 * moving recent contexts to the tail with the mark cleared (their second
 * chance) and closing the descriptors of the others that no fop is using
 * (users 0; the context's own lock is only tried, never waited for, so the
 * lock order ctx->lock → lru_lock of a fop never deadlocks the evictor).
 * A file this volume created keeps the O_RDWR descriptor it was created
 * with as both its path_fd and its rw_fd (one descriptor, counted once;
 * every use of path_fd works on a regular descriptor too), so the WRITE
 * that follows a CREATE opens nothing.
 * A context whose descriptors were closed reopens its object through the
 * index on its next use and checks that it is the same object (inode
 * number and device), or answers -ESTALE.
 *
 * Contexts are also found by inode number (priv->by_ino, checked against
 * device, type and birth time): LOOKUP and READDIRPLUS of an object this
 * volume has cached learn its id from one statx of the name, without
 * reading its xattr or opening it.
 *
 * Contexts come from one pool for the process (lib/objpool.h), not from
 * malloc among each call's buffers: they live as long as their inodes sit
 * in the LRU, and a context may be freed after its volume (a table that
 * outlives a reload), so the pool is never destroyed.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "objpool.h"
#include "posix.h"

void posix_fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

static void posix_lru_unlink(struct posix_priv *priv, struct posix_ictx *ctx)
{
	if (!ctx->in_lru)
		return;
	if (ctx->lru_prev)
		ctx->lru_prev->lru_next = ctx->lru_next;
	else
		priv->lru_head = ctx->lru_next;
	if (ctx->lru_next)
		ctx->lru_next->lru_prev = ctx->lru_prev;
	else
		priv->lru_tail = ctx->lru_prev;
	ctx->lru_prev = ctx->lru_next = NULL;
	ctx->in_lru = false;
}

static void posix_lru_append(struct posix_priv *priv, struct posix_ictx *ctx)
{
	ctx->lru_prev = priv->lru_tail;
	ctx->lru_next = NULL;
	if (priv->lru_tail)
		priv->lru_tail->lru_next = ctx;
	else
		priv->lru_head = ctx;
	priv->lru_tail = ctx;
	ctx->in_lru = true;
}

/* Close @ctx's descriptors (its lock held). Returns how many. */
static long posix_ictx_close_fds(struct posix_ictx *ctx)
{
	long n = 0;
	int *fds[] = { &ctx->path_fd, &ctx->rw_fd, &ctx->ro_fd };

	if (ctx->rw_fd >= 0 && ctx->rw_fd == ctx->path_fd)
		ctx->rw_fd = -1; /* a created file's one descriptor: closed once */
	for (size_t i = 0; i < sizeof(fds) / sizeof(fds[0]); i++) {
		if (*fds[i] >= 0) {
			close(*fds[i]);
			*fds[i] = -1;
			n++;
		}
	}
	return n;
}

/* Close descriptors of idle contexts, oldest first, until the cache is
 * under its bound again. */
static void posix_lru_evict(struct posix_priv *priv, struct posix_ictx *self)
{
	struct posix_ictx *ctx, *next;
	long target = priv->fd_limit - priv->fd_limit / 8;
	/* each context is seen at most twice: once given its second chance */
	long steps = 2 * __atomic_load_n(&priv->nfds, __ATOMIC_RELAXED) + 2;

	pthread_mutex_lock(&priv->lru_lock);
	for (ctx = priv->lru_head;
	     ctx && steps-- > 0 && __atomic_load_n(&priv->nfds, __ATOMIC_RELAXED) > target;
	     ctx = next) {
		next = ctx->lru_next;
		if (ctx == self || pthread_mutex_trylock(&ctx->lock) != 0)
			continue;
		if (ctx->users == 0 && ctx->recent) {
			/* used since it was last looked at: to the tail */
			ctx->recent = false;
			if (next) {
				posix_lru_unlink(priv, ctx);
				posix_lru_append(priv, ctx);
			} else {
				next = ctx; /* the only one left: look again */
			}
		} else if (ctx->users == 0) {
			__atomic_sub_fetch(&priv->nfds, posix_ictx_close_fds(ctx), __ATOMIC_RELAXED);
			posix_lru_unlink(priv, ctx);
			priv->evictions++;
		}
		pthread_mutex_unlock(&ctx->lock);
	}
	pthread_mutex_unlock(&priv->lru_lock);
}

/* Count @n new descriptors of @ctx (its lock held) and make room. */
static void posix_fds_opened(struct posix_priv *priv, struct posix_ictx *ctx, long n)
{
	if (__atomic_add_fetch(&priv->nfds, n, __ATOMIC_RELAXED) > priv->fd_limit)
		posix_lru_evict(priv, ctx);
}

static struct objpool posix_ictx_pool;
static pthread_once_t posix_ictx_pool_once = PTHREAD_ONCE_INIT;

static void posix_ictx_pool_init(void)
{
	objpool_init(&posix_ictx_pool, sizeof(struct posix_ictx));
}

struct posix_ictx *posix_ictx_new(struct xl *xl, int fd, const struct xl_id *id,
				  const struct statx *stx, bool indexed)
{
	struct posix_ictx *ctx;

	pthread_once(&posix_ictx_pool_once, posix_ictx_pool_init);
	ctx = objpool_alloc(&posix_ictx_pool);
	ctx->id = *id;
	ctx->type = stx->stx_mode & S_IFMT;
	ctx->ino = stx->stx_ino;
	ctx->dev = makedev(stx->stx_dev_major, stx->stx_dev_minor);
	ctx->indexed = indexed;
	ctx->has_btime = (stx->stx_mask & STATX_BTIME) != 0;
	ctx->btime = stx->stx_btime;
	ctx->size_hint = stx->stx_size;
	ctx->path_fd = fd;
	ctx->rw_fd = -1;
	ctx->ro_fd = -1;
	pthread_mutex_init(&ctx->lock, NULL);
	pthread_mutex_init(&ctx->ns_lock, NULL);
	pthread_mutex_init(&ctx->sync_lock, NULL);
	pthread_cond_init(&ctx->sync_cond, NULL);
	(void)xl;
	return ctx;
}

void posix_ictx_free(struct xl *xl, struct posix_ictx *ctx)
{
	struct posix_priv *priv = xl->private;

	if (!ctx)
		return;
	if (priv) {
		pthread_mutex_lock(&priv->map_lock);
		if (ctx->has_btime && g_hash_table_lookup(priv->by_ino, &ctx->ino) == ctx)
			g_hash_table_remove(priv->by_ino, &ctx->ino);
		pthread_mutex_unlock(&priv->map_lock);
		pthread_mutex_lock(&priv->lru_lock);
		posix_lru_unlink(priv, ctx);
		pthread_mutex_unlock(&priv->lru_lock);
		__atomic_sub_fetch(&priv->nfds, posix_ictx_close_fds(ctx), __ATOMIC_RELAXED);
	} else {
		posix_ictx_close_fds(ctx);
	}
	if (ctx->locks)
		xl_lk_table_free(ctx->locks);
	pthread_cond_destroy(&ctx->sync_cond);
	pthread_mutex_destroy(&ctx->sync_lock);
	pthread_mutex_destroy(&ctx->ns_lock);
	pthread_mutex_destroy(&ctx->lock);
	objpool_free(&posix_ictx_pool, ctx);
}

struct posix_ictx *posix_ictx_attach(struct xl *xl, struct xl_inode *inode,
				     struct posix_ictx *ctx)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *cur = xl_inode_ctx_set_if_unset(inode, xl, ctx);

	if (cur != ctx) {
		posix_ictx_free(xl, ctx);
		return cur;
	}
	if (ctx->has_btime) {
		pthread_mutex_lock(&priv->map_lock);
		g_hash_table_replace(priv->by_ino, &ctx->ino, ctx);
		pthread_mutex_unlock(&priv->map_lock);
	}
	pthread_mutex_lock(&ctx->lock);
	if (ctx->path_fd >= 0) {
		pthread_mutex_lock(&priv->lru_lock);
		posix_lru_append(priv, ctx);
		pthread_mutex_unlock(&priv->lru_lock);
		posix_fds_opened(priv, ctx, 1);
	}
	pthread_mutex_unlock(&ctx->lock);
	return ctx;
}

bool posix_ictx_known(struct posix_priv *priv, const struct statx *stx, struct xl_id *id,
		      bool *indexed)
{
	struct posix_ictx *ctx;
	uint64_t ino = stx->stx_ino;
	bool found = false;

	if (!(stx->stx_mask & STATX_BTIME))
		return false;
	pthread_mutex_lock(&priv->map_lock);
	ctx = g_hash_table_lookup(priv->by_ino, &ino);
	if (ctx && ctx->dev == makedev(stx->stx_dev_major, stx->stx_dev_minor) &&
	    ctx->btime.tv_sec == stx->stx_btime.tv_sec &&
	    ctx->btime.tv_nsec == stx->stx_btime.tv_nsec &&
	    ctx->type == (stx->stx_mode & S_IFMT)) {
		*id = ctx->id;
		*indexed = ctx->indexed;
		found = true;
	}
	pthread_mutex_unlock(&priv->map_lock);
	return found;
}

/* Reopen the object of @ctx (lock held) through the index. */
static int posix_ictx_reopen(struct posix_priv *priv, struct posix_ictx *ctx)
{
	struct statx stx;
	int fd, ret;

	fd = posix_index_open(&priv->store, &ctx->id);
	if (fd < 0)
		return fd;
	ret = posix_statx(fd, "", &stx);
	if (!ret && (stx.stx_ino != ctx->ino ||
		     makedev(stx.stx_dev_major, stx.stx_dev_minor) != ctx->dev))
		ret = -ESTALE; /* another object took the id (a copy and reindex) */
	if (ret) {
		close(fd);
		return ret;
	}
	ctx->path_fd = fd;
	return 0;
}

/* The context of an inode the framework made with an id but that this
 * volume has not seen: open it by id. */
static int posix_ictx_open(struct xl *xl, struct xl_inode *inode, struct posix_ictx **out)
{
	struct posix_priv *priv = xl->private;
	const struct xl_id *id = xl_inode_id(inode);
	struct posix_ictx *ctx;
	struct statx stx;
	int fd, ret;

	fd = posix_index_open(&priv->store, id);
	if (fd < 0)
		return fd;
	ret = posix_statx(fd, "", &stx);
	if (ret) {
		close(fd);
		return ret;
	}
	ctx = posix_ictx_new(xl, fd, id, &stx, !xl_id_equal(id, &XL_ID_ROOT));
	*out = posix_ictx_attach(xl, inode, ctx);
	return 0;
}

int posix_ictx_use(struct xl *xl, struct xl_inode *inode, struct posix_ictx **out)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *ctx = xl_inode_ctx_get(inode, xl);
	int ret = 0;

	*out = NULL;
	if (!ctx) {
		ret = posix_ictx_open(xl, inode, &ctx);
		if (ret)
			return ret;
	}
	pthread_mutex_lock(&ctx->lock);
	if (ctx->path_fd < 0) {
		ret = posix_ictx_reopen(priv, ctx);
		if (ret) {
			pthread_mutex_unlock(&ctx->lock);
			return ret;
		}
		ctx->users++;
		pthread_mutex_lock(&priv->lru_lock);
		posix_lru_append(priv, ctx);
		pthread_mutex_unlock(&priv->lru_lock);
		posix_fds_opened(priv, ctx, 1);
	} else {
		/* no global lock on a call's path: the evictor moves a
		 * recently used context back to the tail (second chance) */
		ctx->users++;
		ctx->recent = true;
	}
	pthread_mutex_unlock(&ctx->lock);
	*out = ctx;
	return 0;
}

void posix_ictx_done(struct xl *xl, struct posix_ictx *ctx)
{
	(void)xl;
	if (!ctx)
		return;
	pthread_mutex_lock(&ctx->lock);
	ctx->users--;
	pthread_mutex_unlock(&ctx->lock);
}

int posix_ctx_statx(struct posix_ictx *ctx, struct statx *stx)
{
	int ret = posix_statx(ctx->path_fd, "", stx);

	if (!ret && stx->stx_nlink <= (ctx->indexed && ctx->type != S_IFDIR ? 1u : 0u))
		ret = -ESTALE; /* no name left: deleted (outside NFS, or by us) */
	if (!ret)
		__atomic_store_n(&ctx->size_hint, stx->stx_size, __ATOMIC_RELAXED);
	return ret;
}

int posix_ictx_stat(struct xl *xl, struct xl_inode *inode, struct posix_ictx **out,
		    struct statx *stx)
{
	struct posix_ictx *ctx;
	int ret;

	ret = posix_ictx_use(xl, inode, &ctx);
	if (ret)
		return ret;
	ret = posix_ctx_statx(ctx, stx);
	if (ret) {
		posix_ictx_done(xl, ctx);
		return ret;
	}
	*out = ctx;
	return 0;
}

int posix_ctx_iatt(struct posix_ictx *ctx, struct xl_iatt *ia)
{
	struct statx stx;
	int ret;

	if (!ia)
		return 0;
	ret = posix_statx(ctx->path_fd, "", &stx);
	if (ret) {
		ia->valid = 0;
		return ret;
	}
	ia->valid = XL_IATT_ID;
	ia->id = ctx->id;
	posix_iatt_from_statx(ia, &stx, ctx->indexed);
	return 0;
}

int posix_data_fd(struct xl *xl, struct posix_ictx *ctx, bool write)
{
	struct posix_priv *priv = xl->private;
	char path[32];
	int fd, ret;

	pthread_mutex_lock(&ctx->lock);
	if (ctx->rw_fd >= 0) {
		ret = ctx->rw_fd;
		goto out_unlock;
	}
	if (!write && ctx->ro_fd >= 0) {
		ret = ctx->ro_fd;
		goto out_unlock;
	}
	/* reopen the object itself, as root (a regular file or a
	 * directory: nothing to follow) */
	posix_fd_path(ctx->path_fd, path, sizeof(path));
	if (ctx->type == S_IFDIR) {
		fd = open(path, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
		ret = fd < 0 ? -errno : (ctx->ro_fd = fd);
		goto out_count;
	}
	fd = open(path, O_RDWR | O_CLOEXEC | O_NOCTTY);
	if (fd >= 0) {
		ret = ctx->rw_fd = fd;
		goto out_count;
	}
	/* read-only filesystem, a running executable, an immutable file */
	if (write) {
		ret = -errno;
		goto out_unlock;
	}
	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOCTTY);
	ret = fd < 0 ? -errno : (ctx->ro_fd = fd);
out_count:
	if (ret >= 0)
		posix_fds_opened(priv, ctx, 1);
out_unlock:
	pthread_mutex_unlock(&ctx->lock);
	return ret;
}

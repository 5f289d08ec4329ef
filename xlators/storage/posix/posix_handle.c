/*
 * posix_handle.c — object identity and per-inode descriptors.
 *
 * A gfid is the kernel's file handle of the object: 4 bytes of handle_type
 * (host order) followed by f_handle. Handles name the inode itself (number
 * and generation), so they survive renames and restarts and never name a
 * later object that reuses the inode number; open_by_handle_at() turns one
 * back into a descriptor, which needs CAP_DAC_READ_SEARCH (we run as root
 * at that point).
 *
 * Each inode carries a refcounted struct posix_ictx with an O_PATH fd. A
 * context is attached once (a loser of a creation race closes its own fd)
 * and detached when the object turns out deleted (st_nlink 0) or by
 * forget(). Attaching/detaching and "read the pointer + take a reference"
 * are serialized by a lock striped over inodes, so a fop never uses a
 * context after its last reference went.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posix.h"

/* struct file_handle with room for any handle (MAX_HANDLE_SZ). */
union posix_fh {
	struct file_handle fh;
	char space[sizeof(struct file_handle) + MAX_HANDLE_SZ];
};

static int posix_gfid_from_fh(const union posix_fh *h, struct xl_gfid *gfid)
{
	int32_t type = h->fh.handle_type;

	if (h->fh.handle_bytes + sizeof(type) > XL_GFID_MAX)
		return -EOVERFLOW;
	memset(gfid, 0, sizeof(*gfid));
	gfid->len = (uint8_t)(h->fh.handle_bytes + sizeof(type));
	memcpy(gfid->bytes, &type, sizeof(type));
	memcpy(gfid->bytes + sizeof(type), h->fh.f_handle, h->fh.handle_bytes);
	return 0;
}

static int posix_gfid_name(int dirfd, const char *name, int flags, struct xl_gfid *gfid,
			   int *mount_id)
{
	union posix_fh h;
	int mid;

	h.fh.handle_bytes = MAX_HANDLE_SZ;
	if (name_to_handle_at(dirfd, name, &h.fh, mount_id ? mount_id : &mid, flags) < 0)
		return -errno;
	return posix_gfid_from_fh(&h, gfid);
}

int posix_gfid_from_fd(int fd, struct xl_gfid *gfid, int *mount_id)
{
	return posix_gfid_name(fd, "", AT_EMPTY_PATH, gfid, mount_id);
}

int posix_gfid_at(int dirfd, const char *name, struct xl_gfid *gfid, int *mount_id)
{
	/* name_to_handle_at() follows nothing unless AT_SYMLINK_FOLLOW
	 * (mount points are crossed, as by any lookup) */
	return posix_gfid_name(dirfd, name, 0, gfid, mount_id);
}

int posix_gfid_open(struct posix_priv *priv, const struct xl_gfid *gfid)
{
	union posix_fh h;
	int32_t type;
	int fd;

	if (gfid->len < sizeof(type) || gfid->len - sizeof(type) > MAX_HANDLE_SZ)
		return -ESTALE;
	memcpy(&type, gfid->bytes, sizeof(type));
	h.fh.handle_type = type;
	h.fh.handle_bytes = gfid->len - sizeof(type);
	memcpy(h.fh.f_handle, gfid->bytes + sizeof(type), h.fh.handle_bytes);
	fd = open_by_handle_at(priv->root_fd, &h.fh, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		/* EINVAL: a malformed handle; ENOENT: some filesystems say
		 * this for a freed inode. Both mean "not a live object". */
		if (errno == EINVAL || errno == ENOENT)
			return -ESTALE;
		return -errno;
	}
	return fd;
}

static pthread_mutex_t *posix_ctx_lock(struct posix_priv *priv, struct xl_inode *inode)
{
	uintptr_t h = (uintptr_t)inode;

	h ^= h >> 9;
	return &priv->ctx_locks[(h >> 4) % POSIX_CTX_LOCKS];
}

static struct posix_ictx *posix_ictx_new(int path_fd, mode_t mode, int refs)
{
	struct posix_ictx *ctx = calloc(1, sizeof(*ctx));

	if (!ctx)
		return NULL;
	ctx->refs = refs;
	ctx->path_fd = path_fd;
	ctx->rw_fd = -1;
	ctx->ro_fd = -1;
	ctx->type = mode & S_IFMT;
	return ctx;
}

void posix_ictx_put(struct posix_ictx *ctx)
{
	if (!ctx || __atomic_sub_fetch(&ctx->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	close(ctx->path_fd);
	if (ctx->rw_fd >= 0)
		close(ctx->rw_fd);
	if (ctx->ro_fd >= 0)
		close(ctx->ro_fd);
	free(ctx);
}

/* The inode's context with a reference taken, or NULL. */
static struct posix_ictx *posix_ictx_ref(struct xl *xl, struct xl_inode *inode)
{
	pthread_mutex_t *lock = posix_ctx_lock(xl->private, inode);
	struct posix_ictx *ctx;

	pthread_mutex_lock(lock);
	ctx = xl_inode_ctx_get(inode, xl);
	if (ctx)
		__atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(lock);
	return ctx;
}

/* Attach a new context for @fd to @inode unless it has one already (then
 * @fd is closed). Returns the attached context referenced for the caller
 * when @want, else NULL; -ENOMEM as an ERR value via *err. */
static struct posix_ictx *posix_ictx_attach(struct xl *xl, struct xl_inode *inode, int fd,
					    mode_t mode, bool want, int *err)
{
	pthread_mutex_t *lock = posix_ctx_lock(xl->private, inode);
	struct posix_ictx *ctx, *fresh;

	*err = 0;
	fresh = posix_ictx_new(fd, mode, want ? 2 : 1);
	if (!fresh) {
		close(fd);
		*err = -ENOMEM;
		return NULL;
	}
	pthread_mutex_lock(lock);
	ctx = xl_inode_ctx_get(inode, xl);
	if (ctx) {
		if (want)
			__atomic_add_fetch(&ctx->refs, 1, __ATOMIC_RELAXED);
	} else {
		xl_inode_ctx_set(inode, xl, fresh);
		ctx = fresh;
		fresh = NULL;
	}
	pthread_mutex_unlock(lock);
	if (fresh) {
		/* lost the race: ours was never visible */
		close(fresh->path_fd);
		free(fresh);
	}
	return want ? ctx : NULL;
}

void posix_ictx_drop(struct xl *xl, struct xl_inode *inode, struct posix_ictx *ctx)
{
	pthread_mutex_t *lock = posix_ctx_lock(xl->private, inode);
	bool mine = false;

	pthread_mutex_lock(lock);
	if (xl_inode_ctx_get(inode, xl) == ctx) {
		xl_inode_ctx_del(inode, xl);
		mine = true;
	}
	pthread_mutex_unlock(lock);
	if (mine)
		posix_ictx_put(ctx);
}

int posix_ictx_get(struct xl *xl, struct xl_inode *inode, struct posix_ictx **out,
		   struct stat *st)
{
	struct posix_ictx *ctx;
	int fd, ret;

	*out = NULL;
	ctx = posix_ictx_ref(xl, inode);
	if (!ctx) {
		fd = posix_gfid_open(xl->private, xl_inode_gfid(inode));
		if (fd < 0) {
			ret = fd;
			goto out_stale;
		}
		if (fstat(fd, st) < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		if (st->st_nlink == 0) {
			/* deleted, but its inode is still in the kernel's cache */
			close(fd);
			ret = -ESTALE;
			goto out_stale;
		}
		ctx = posix_ictx_attach(xl, inode, fd, st->st_mode, true, &ret);
		if (!ctx)
			return ret;
		if (ctx->path_fd == fd) {
			*out = ctx;
			return 0;
		}
	}
	if (fstat(ctx->path_fd, st) < 0) {
		ret = -errno;
		posix_ictx_put(ctx);
		return ret;
	}
	if (st->st_nlink == 0) {
		posix_ictx_drop(xl, inode, ctx);
		posix_ictx_put(ctx);
		ret = -ESTALE;
		goto out_stale;
	}
	*out = ctx;
	return 0;

out_stale:
	if (ret == -ESTALE)
		xl_inode_forget(inode);
	return ret;
}

int posix_inode_from_fd(struct xl *xl, int fd, const struct stat *st, struct xl_inode **out)
{
	struct posix_priv *priv = xl->private;
	struct xl_inode *inode;
	struct xl_gfid gfid;
	int ret;

	*out = NULL;
	if (st->st_dev != priv->root_dev) {
		/* a mount point inside the export: handles of another
		 * filesystem cannot be resolved on ours */
		close(fd);
		return -EXDEV;
	}
	ret = posix_gfid_from_fd(fd, &gfid, NULL);
	if (ret) {
		close(fd);
		return ret;
	}
	inode = xl_inode_get(xl->graph->itable, &gfid);
	posix_ictx_attach(xl, inode, fd, st->st_mode, false, &ret);
	if (ret) {
		xl_inode_unref(inode);
		return ret;
	}
	*out = inode;
	return 0;
}

void posix_forget_if_gone(struct xl *xl, const struct xl_gfid *gfid)
{
	struct xl_inode *inode = xl_inode_find(xl->graph->itable, gfid);
	struct posix_ictx *ctx;
	struct stat st;

	if (!inode)
		return;
	ctx = posix_ictx_ref(xl, inode);
	if (ctx) {
		if (fstat(ctx->path_fd, &st) == 0 && st.st_nlink == 0) {
			posix_ictx_drop(xl, inode, ctx);
			xl_inode_forget(inode);
		}
		posix_ictx_put(ctx);
	}
	xl_inode_unref(inode);
}

void posix_fd_path(int fd, char *buf, size_t size)
{
	snprintf(buf, size, "/proc/self/fd/%d", fd);
}

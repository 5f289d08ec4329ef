/*
 * mem_io.c — storage/memory's file data: READ, WRITE, fsync and truncate
 * over sparse block tables (memory.h says how blocks are shared).
 *
 * Permissions are knfsd's for READ and WRITE: the client opened the file
 * when it could, so its owner may read and write whatever the mode says
 * now (owner override), and READ is allowed with exec permission too (a
 * client runs a program it may only execute).
 */
#include "config.h"

#include <errno.h>
#include <limits.h>
#include <string.h>

#include "memory.h"

static uint64_t mem_bs(struct xl *xl)
{
	return ((struct mem_conf *)xl->conf)->block_size;
}

static struct xl_iobuf *mem_block_get(const struct mem_obj *obj, uint64_t no)
{
	return g_hash_table_lookup(obj->blocks, (gpointer)(uintptr_t)no);
}

static void mem_block_set(struct mem_obj *obj, uint64_t no, struct xl_iobuf *iob)
{
	g_hash_table_insert(obj->blocks, (gpointer)(uintptr_t)no, iob);
}

/* Block @no of @obj made writable: a private copy when a reader still
 * holds the one in the table. NULL when out of memory. */
static struct xl_iobuf *mem_block_writable(struct xl *xl, struct mem_obj *obj, uint64_t no)
{
	struct mem_priv *priv = xl->private;
	struct xl_iobuf *iob = mem_block_get(obj, no), *copy;

	/* references are only taken under the store lock, which we hold:
	 * a count of one means nobody else can see the bytes change */
	if (__atomic_load_n(&iob->refs, __ATOMIC_ACQUIRE) == 1)
		return iob;
	copy = xl_iobuf_new(iob->size);
	if (!copy)
		return NULL;
	memcpy(copy->data, iob->data, iob->size);
	mem_block_set(obj, no, copy);
	xl_iobuf_unref(iob);
	priv->cow_copies++;
	return copy;
}

void mem_data_free(struct mem_priv *priv, struct mem_obj *obj)
{
	GHashTableIter it;
	gpointer key, value;

	if (!obj->blocks)
		return;
	g_hash_table_iter_init(&it, obj->blocks);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct xl_iobuf *iob = value;

		priv->used -= iob->size < priv->used ? iob->size : priv->used;
		priv->blocks--;
		xl_iobuf_unref(iob);
	}
	g_hash_table_destroy(obj->blocks);
	obj->blocks = NULL;
}

int mem_truncate(struct xl *xl, struct mem_obj *obj, uint64_t size)
{
	struct mem_priv *priv = xl->private;
	uint64_t bs = mem_bs(xl), keep = (size + bs - 1) / bs;
	GHashTableIter it;
	gpointer key, value;

	if (size >= obj->size) {
		/* bytes past the end of a block are kept zero: a hole grows */
		obj->size = size;
		return 0;
	}
	if (size % bs && mem_block_get(obj, size / bs)) {
		struct xl_iobuf *iob = mem_block_writable(xl, obj, size / bs);

		if (!iob)
			return -ENOMEM;
		memset(iob->data + size % bs, 0, bs - size % bs);
	}
	g_hash_table_iter_init(&it, obj->blocks);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		if ((uint64_t)(uintptr_t)key < keep)
			continue;
		mem_uncharge(xl, bs);
		priv->blocks--;
		xl_iobuf_unref(value);
		g_hash_table_iter_remove(&it);
	}
	obj->size = size;
	return 0;
}

/* May @cred read (@write false) or write @obj, with knfsd's overrides? */
static int mem_io_permission(const struct mem_obj *obj, const struct xl_cred *cred, bool write)
{
	if (cred->uid == obj->uid)
		return 0;
	if (write)
		return mem_permission(obj, cred, MEM_MAY_WRITE);
	if (!mem_permission(obj, cred, MEM_MAY_READ) || !mem_permission(obj, cred, MEM_MAY_EXEC))
		return 0;
	return -EACCES;
}

static int mem_io_check(const struct mem_obj *obj, const struct xl_cred *cred, bool write)
{
	if (S_ISDIR(obj->mode))
		return -EISDIR;
	if (!S_ISREG(obj->mode))
		return -EINVAL;
	return mem_io_permission(obj, cred, write);
}

/* Copy [off, off+len) of @obj into @dst, holes as zeros. */
static void mem_copy_out(struct xl *xl, const struct mem_obj *obj, uint64_t off, size_t len,
			 uint8_t *dst)
{
	uint64_t bs = mem_bs(xl);

	while (len) {
		uint64_t in = off % bs;
		size_t n = (size_t)(bs - in) < len ? (size_t)(bs - in) : len;
		struct xl_iobuf *iob = mem_block_get(obj, off / bs);

		if (iob)
			memcpy(dst, iob->data + in, n);
		else
			memset(dst, 0, n);
		dst += n;
		off += n;
		len -= n;
	}
}

int mem_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	     size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr)
{
	struct mem_priv *priv = xl->private;
	uint64_t bs = mem_bs(xl);
	struct mem_obj *obj;
	size_t n;
	int ret;

	memset(out, 0, sizeof(*out));
	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	ret = mem_io_check(obj, &call->cred, false);
	if (ret)
		goto out_unlock;
	if (len > INT_MAX)
		len = INT_MAX;
	n = off >= obj->size ? 0 : (obj->size - off < len ? (size_t)(obj->size - off) : len);
	if (n && off / bs == (off + n - 1) / bs) {
		/* within one block: a slice of it (or of the zero block) */
		struct xl_iobuf *iob = mem_block_get(obj, off / bs);

		if (!iob)
			iob = priv->zeros;
		out->iobuf = xl_iobuf_ref(iob);
		out->ptr = iob->data + off % bs;
		out->len = n;
	} else if (n) {
		out->iobuf = xl_iobuf_new(n);
		if (!out->iobuf) {
			ret = -ENOMEM;
			goto out_unlock;
		}
		mem_copy_out(xl, obj, off, n, out->iobuf->data);
		out->ptr = out->iobuf->data;
		out->len = n;
	}
	if (eof)
		*eof = off + n >= obj->size;
	mem_now(&obj->atime);
	mem_iatt(xl, obj, attr);
	ret = (int)n;
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

/* How many blocks of [off, off+len) @obj does not have yet. */
static uint64_t mem_blocks_missing(struct xl *xl, const struct mem_obj *obj, uint64_t off,
				   uint64_t len)
{
	uint64_t bs = mem_bs(xl), missing = 0;

	for (uint64_t no = off / bs; no <= (off + len - 1) / bs; no++)
		if (!mem_block_get(obj, no))
			missing++;
	return missing;
}

/* Copy @len bytes at @src into @obj at @off; the blocks are charged. */
static int mem_copy_in(struct xl *xl, struct mem_obj *obj, uint64_t off, const uint8_t *src,
		       size_t len)
{
	struct mem_priv *priv = xl->private;
	uint64_t bs = mem_bs(xl);

	while (len) {
		uint64_t no = off / bs, in = off % bs;
		size_t n = (size_t)(bs - in) < len ? (size_t)(bs - in) : len;
		struct xl_iobuf *iob;

		if (mem_block_get(obj, no)) {
			iob = mem_block_writable(xl, obj, no);
			if (!iob)
				return -ENOMEM;
		} else {
			iob = xl_iobuf_new(bs);
			if (!iob)
				return -ENOMEM;
			/* the rest of a new block reads as the hole it was */
			memset(iob->data, 0, in);
			memset(iob->data + in + n, 0, bs - in - n);
			mem_block_set(obj, no, iob);
			priv->blocks++;
		}
		memcpy(iob->data + in, src, n);
		src += n;
		off += n;
		len -= n;
	}
	return 0;
}

int mem_data_put(struct xl *xl, struct mem_obj *obj, uint64_t off, const void *buf, size_t len)
{
	uint64_t missing;
	int ret;

	if (!len)
		return 0;
	/* all or nothing: the whole write's new blocks fit, or ENOSPC */
	missing = mem_blocks_missing(xl, obj, off, len);
	ret = mem_charge(xl, missing * mem_bs(xl));
	if (ret)
		return ret;
	ret = mem_copy_in(xl, obj, off, buf, len);
	if (ret) {
		/* blocks already added stay (and stay charged); the charge
		 * for those not made is given back */
		mem_uncharge(xl, mem_blocks_missing(xl, obj, off, len) * mem_bs(xl));
		return ret;
	}
	if (off + len > obj->size)
		obj->size = off + len;
	return 0;
}

int mem_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	      const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	size_t len = data->len;
	int ret;

	/* memory is where the data will stay until shutdown (or a
	 * snapshot): a write is as stable as asked, never less */
	(void)stable;
	if (len > INT_MAX)
		return -EINVAL;
	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	ret = mem_io_check(obj, &call->cred, true);
	if (ret)
		goto out_unlock;
	if (off > MEM_FILE_MAX || len > MEM_FILE_MAX - off) {
		ret = -EFBIG;
		goto out_unlock;
	}
	if (wcc)
		mem_iatt(xl, obj, &wcc->pre);
	if (len) {
		ret = mem_data_put(xl, obj, off, data->ptr, len);
		if (ret)
			goto out_post;
		mem_now(&obj->mtime);
		obj->ctime = obj->mtime;
		if (!mem_is_root(&call->cred))
			mem_kill_suid(obj);
	}
	ret = (int)len;
out_post:
	if (wcc)
		mem_iatt(xl, obj, &wcc->post);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	      uint64_t len, bool datasync, struct xl_wcc *wcc)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	int ret = 0;

	(void)call;
	(void)off;
	(void)len;
	(void)datasync;
	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	/* nothing to flush: everything is where it will ever be */
	if (wcc) {
		mem_iatt(xl, obj, &wcc->pre);
		wcc->post = wcc->pre;
	}
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

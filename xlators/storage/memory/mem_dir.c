/*
 * mem_dir.c — storage/memory's directories: the entry tables and readdir.
 *
 * Each entry gets the next cookie of its directory when it is added
 * (1 and 2 are "." and ".."), and keeps it until removed: cookies never
 * move, are never reused within a directory's life, and stay far below
 * XL_COOKIE_BITS. Resuming after a cookie continues with the first entry
 * whose cookie is greater, so a readdir resumes correctly even when the
 * entry it stopped after was removed meanwhile; a cookie the directory
 * never gave is -EINVAL (NFS3ERR_BAD_COOKIE).
 *
 * The filler runs without the store lock (it may take its time, or call
 * back into the graph): entries are copied out in batches under the lock
 * and handed to it after.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "memory.h"

#define MEM_READDIR_BATCH 128

gint mem_cookie_cmp(gconstpointer a, gconstpointer b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

struct mem_dirent *mem_dir_get(const struct mem_obj *dir, const char *name)
{
	return g_hash_table_lookup(dir->entries, name);
}

void mem_dir_add_at(struct mem_obj *dir, const char *name, struct mem_obj *obj,
		    uint64_t cookie)
{
	struct mem_dirent *de = g_new0(struct mem_dirent, 1);

	de->name = g_strdup(name);
	de->cookie = cookie;
	de->obj = obj;
	g_hash_table_insert(dir->entries, de->name, de);
	g_tree_insert(dir->by_cookie, &de->cookie, de);
}

int mem_dir_add(struct mem_obj *dir, const char *name, struct mem_obj *obj)
{
	mem_dir_add_at(dir, name, obj, dir->next_cookie++);
	return 0;
}

void mem_dir_del(struct mem_obj *dir, const char *name)
{
	struct mem_dirent *de = mem_dir_get(dir, name);

	if (!de)
		return;
	g_hash_table_remove(dir->entries, name);
	g_tree_remove(dir->by_cookie, &de->cookie);
	g_free(de->name);
	g_free(de);
}

void mem_dir_free(struct mem_obj *dir)
{
	GHashTableIter it;
	gpointer key, value;

	if (!dir->entries)
		return;
	g_tree_destroy(dir->by_cookie);
	dir->by_cookie = NULL;
	g_hash_table_iter_init(&it, dir->entries);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		struct mem_dirent *de = value;

		g_free(de->name);
		g_free(de);
	}
	g_hash_table_destroy(dir->entries);
	dir->entries = NULL;
}

/* One entry copied out for the filler. */
struct mem_rd_ent {
	char *name;
	struct xl_dirent d;
};

static void mem_rd_take(struct xl *xl, GArray *batch, const char *name, uint64_t cookie,
			const struct mem_obj *obj, unsigned flags)
{
	struct mem_rd_ent e = {0};

	e.name = g_strdup(name);
	e.d.ino = obj->ino;
	e.d.cookie = cookie;
	if (flags & XL_READDIR_PLUS)
		mem_iatt(xl, obj, &e.d.attr);
	g_array_append_val(batch, e);
}

/* Copy up to a batch of @dir's entries after @cookie into @batch; *end is
 * set when the directory has no more. 0, -ESTALE, -ENOTDIR, -EACCES or
 * -EINVAL (a cookie never given). Takes the lock. */
static int mem_rd_batch(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			uint64_t cookie, unsigned flags, GArray *batch, bool *end,
			struct xl_iatt *dir_attr)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *dir;
	GTreeNode *node;
	uint64_t after;
	int ret = 0;

	pthread_mutex_lock(&priv->lock);
	dir = mem_obj_of(xl, inode);
	if (!dir) {
		ret = -ESTALE;
		goto out_unlock;
	}
	if (!S_ISDIR(dir->mode)) {
		ret = -ENOTDIR;
		goto out_unlock;
	}
	ret = mem_permission(dir, &call->cred, MEM_MAY_READ);
	if (ret)
		goto out_unlock;
	if (cookie >= dir->next_cookie) {
		ret = -EINVAL;
		goto out_unlock;
	}
	if (cookie < MEM_COOKIE_DOT)
		mem_rd_take(xl, batch, ".", MEM_COOKIE_DOT, dir, flags);
	if (cookie < MEM_COOKIE_DOTDOT)
		mem_rd_take(xl, batch, "..", MEM_COOKIE_DOTDOT, dir->parent, flags);
	after = cookie < MEM_COOKIE_DOTDOT ? MEM_COOKIE_DOTDOT : cookie;
	node = g_tree_upper_bound(dir->by_cookie, &after);
	for (; node && batch->len < MEM_READDIR_BATCH; node = g_tree_node_next(node)) {
		const struct mem_dirent *de = g_tree_node_value(node);

		mem_rd_take(xl, batch, de->name, de->cookie, de->obj, flags);
	}
	*end = node == NULL;
	mem_now(&dir->atime);
	mem_iatt(xl, dir, dir_attr);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

static void mem_rd_clear(GArray *batch)
{
	for (guint i = 0; i < batch->len; i++)
		g_free(g_array_index(batch, struct mem_rd_ent, i).name);
	g_array_set_size(batch, 0);
}

int mem_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		unsigned flags, xl_readdir_fill_fn fill, void *ctx, bool *eof,
		struct xl_iatt *dir_attr)
{
	GArray *batch = g_array_new(FALSE, FALSE, sizeof(struct mem_rd_ent));
	bool end = false;
	int ret;

	*eof = false;
	for (;;) {
		ret = mem_rd_batch(xl, call, dir, cookie, flags, batch, &end, dir_attr);
		if (ret)
			goto out_free;
		for (guint i = 0; i < batch->len; i++) {
			struct mem_rd_ent *e = &g_array_index(batch, struct mem_rd_ent, i);

			e->d.name = e->name;
			ret = fill(ctx, &e->d);
			if (ret) {
				/* 1: the buffer is full, this entry not taken */
				ret = ret > 0 ? 0 : ret;
				goto out_free;
			}
			cookie = e->d.cookie;
		}
		if (end)
			break;
		mem_rd_clear(batch);
	}
	*eof = true;
	ret = 0;
out_free:
	mem_rd_clear(batch);
	g_array_free(batch, TRUE);
	return ret;
}

/*
 * inode.c — the inode table: one refcounted xl_inode per object id.
 *
 * Inodes are indexed by gfid in a GHashTable. A referenced inode is
 * "active"; when its last reference goes it moves to the tail of an LRU
 * list, and once the list holds more than lru_limit inodes the oldest are
 * evicted. An inode dropped from the index with xl_inode_forget() (its
 * object is gone) is freed as soon as it is unreferenced instead.
 *
 * Locking: one mutex guards the index, the LRU, refcounts and the context
 * slots. Inodes leaving the table are first unlinked under the lock (so
 * nothing can find them any more) and only then, with the lock released,
 * handed to each volume's forget() and freed. forget() may therefore call
 * back into the table (get/find/unref of other inodes, ctx calls on the
 * dying inode) without deadlocking.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <glib.h>

#include "xlator.h"

struct xl_inode {
	struct xl_inode_table *table;
	struct xl_gfid gfid;
	unsigned refs;
	bool hashed; /* in table->index */
	bool on_lru;
	struct xl_inode *prev, *next; /* LRU links, oldest at head */
	void **ctx;		      /* indexed by volume slot */
	size_t nctx;
};

struct xl_inode_table {
	pthread_mutex_t lock;
	struct xl_graph *graph;
	GHashTable *index; /* struct xl_gfid * → struct xl_inode * */
	struct xl_inode *lru_head, *lru_tail;
	size_t lru_limit;
	struct xl_inode_stats stats;
};

static guint inode_gfid_hash(gconstpointer key)
{
	const struct xl_gfid *g = key;
	guint h = 2166136261u;

	for (unsigned i = 0; i < g->len; i++)
		h = (h ^ g->bytes[i]) * 16777619u;
	return h;
}

static gboolean inode_gfid_eq(gconstpointer a, gconstpointer b)
{
	return xl_gfid_equal(a, b);
}

struct xl_inode_table *xl_inode_table_new(struct xl_graph *graph, size_t lru_limit)
{
	struct xl_inode_table *t = g_new0(struct xl_inode_table, 1);

	pthread_mutex_init(&t->lock, NULL);
	t->graph = graph;
	t->index = g_hash_table_new(inode_gfid_hash, inode_gfid_eq);
	t->lru_limit = lru_limit;
	return t;
}

static void inode_lru_remove(struct xl_inode_table *t, struct xl_inode *in)
{
	if (in->prev)
		in->prev->next = in->next;
	else
		t->lru_head = in->next;
	if (in->next)
		in->next->prev = in->prev;
	else
		t->lru_tail = in->prev;
	in->prev = in->next = NULL;
	in->on_lru = false;
	t->stats.lru--;
}

static void inode_lru_append(struct xl_inode_table *t, struct xl_inode *in)
{
	in->prev = t->lru_tail;
	in->next = NULL;
	if (t->lru_tail)
		t->lru_tail->next = in;
	else
		t->lru_head = in;
	t->lru_tail = in;
	in->on_lru = true;
	t->stats.lru++;
}

static void inode_unhash(struct xl_inode_table *t, struct xl_inode *in)
{
	if (!in->hashed)
		return;
	g_hash_table_remove(t->index, &in->gfid);
	in->hashed = false;
}

/* Evict from the LRU head until it fits the limit; the evicted inodes are
 * chained through ->next onto *dead. Called with the lock held. */
static void inode_lru_trim(struct xl_inode_table *t, struct xl_inode **dead)
{
	while (t->stats.lru > t->lru_limit) {
		struct xl_inode *in = t->lru_head;

		inode_lru_remove(t, in);
		inode_unhash(t, in);
		t->stats.evictions++;
		in->next = *dead;
		*dead = in;
	}
}

/* Forget contexts and free a chain of unlinked inodes. Lock NOT held. */
static void inode_destroy_chain(struct xl_inode *in)
{
	while (in) {
		struct xl_inode *next = in->next;
		struct xl_graph *graph = in->table->graph;

		for (size_t slot = 0; slot < in->nctx; slot++) {
			void *ctx = in->ctx[slot];
			struct xl *xl;

			if (!ctx || !graph || slot >= graph->nvolumes)
				continue;
			xl = graph->volumes[slot];
			in->ctx[slot] = NULL;
			if (xl->module && xl->module->forget)
				xl->module->forget(xl, in, ctx);
		}
		g_free(in->ctx);
		g_free(in);
		in = next;
	}
}

void xl_inode_table_free(struct xl_inode_table *t)
{
	struct xl_inode *dead = NULL;
	GHashTableIter it;
	gpointer value;
	size_t busy = 0;

	if (!t)
		return;
	pthread_mutex_lock(&t->lock);
	g_hash_table_iter_init(&it, t->index);
	while (g_hash_table_iter_next(&it, NULL, &value)) {
		struct xl_inode *in = value;

		g_hash_table_iter_remove(&it);
		in->hashed = false;
		if (in->refs) {
			busy++; /* still in use: leaked rather than freed under its user */
			continue;
		}
		if (in->on_lru)
			inode_lru_remove(t, in);
		in->next = dead;
		dead = in;
	}
	pthread_mutex_unlock(&t->lock);
	if (busy)
		xl_logd("inode", XL_LOG_ERROR, "inode table freed with %zu referenced inodes",
			busy);
	inode_destroy_chain(dead);
	g_hash_table_destroy(t->index);
	pthread_mutex_destroy(&t->lock);
	g_free(t);
}

void xl_inode_table_set_lru_limit(struct xl_inode_table *t, size_t lru_limit)
{
	struct xl_inode *dead = NULL;

	pthread_mutex_lock(&t->lock);
	t->lru_limit = lru_limit;
	inode_lru_trim(t, &dead);
	pthread_mutex_unlock(&t->lock);
	inode_destroy_chain(dead);
}

void xl_inode_table_stats(struct xl_inode_table *t, struct xl_inode_stats *stats)
{
	pthread_mutex_lock(&t->lock);
	*stats = t->stats;
	pthread_mutex_unlock(&t->lock);
}

/* Take a reference on an inode found in the index. Lock held. */
static void inode_ref_locked(struct xl_inode_table *t, struct xl_inode *in)
{
	if (in->refs++ == 0) {
		if (in->on_lru)
			inode_lru_remove(t, in);
		t->stats.active++;
	}
}

/* The inode of @gfid in the index, referenced, or NULL; counted in the
 * table's lookups and hits. Lock held. */
static struct xl_inode *inode_find_locked(struct xl_inode_table *t, const struct xl_gfid *gfid)
{
	struct xl_inode *in;

	t->stats.lookups++;
	in = g_hash_table_lookup(t->index, gfid);
	if (in) {
		t->stats.hits++;
		inode_ref_locked(t, in);
	}
	return in;
}

struct xl_inode *xl_inode_find(struct xl_inode_table *t, const struct xl_gfid *gfid)
{
	struct xl_inode *in;

	pthread_mutex_lock(&t->lock);
	in = inode_find_locked(t, gfid);
	pthread_mutex_unlock(&t->lock);
	return in;
}

struct xl_inode *xl_inode_get(struct xl_inode_table *t, const struct xl_gfid *gfid)
{
	struct xl_inode *in;

	pthread_mutex_lock(&t->lock);
	in = inode_find_locked(t, gfid);
	if (in)
		goto out;
	in = g_new0(struct xl_inode, 1);
	in->table = t;
	in->gfid.len = gfid->len > XL_GFID_MAX ? XL_GFID_MAX : gfid->len;
	memcpy(in->gfid.bytes, gfid->bytes, in->gfid.len);
	in->refs = 1;
	in->hashed = true;
	g_hash_table_insert(t->index, &in->gfid, in);
	t->stats.active++;
out:
	pthread_mutex_unlock(&t->lock);
	return in;
}

struct xl_inode *xl_inode_ref(struct xl_inode *in)
{
	pthread_mutex_lock(&in->table->lock);
	inode_ref_locked(in->table, in);
	pthread_mutex_unlock(&in->table->lock);
	return in;
}

void xl_inode_unref(struct xl_inode *in)
{
	struct xl_inode_table *t;
	struct xl_inode *dead = NULL;

	if (!in)
		return;
	t = in->table;
	pthread_mutex_lock(&t->lock);
	g_assert(in->refs > 0);
	if (--in->refs == 0) {
		t->stats.active--;
		if (in->hashed) {
			inode_lru_append(t, in);
			inode_lru_trim(t, &dead);
		} else {
			in->next = NULL;
			dead = in;
		}
	}
	pthread_mutex_unlock(&t->lock);
	inode_destroy_chain(dead);
}

const struct xl_gfid *xl_inode_gfid(const struct xl_inode *in)
{
	return &in->gfid;
}

void xl_inode_forget(struct xl_inode *in)
{
	struct xl_inode_table *t = in->table;
	struct xl_inode *dead = NULL;

	pthread_mutex_lock(&t->lock);
	inode_unhash(t, in);
	if (in->refs == 0 && in->on_lru) {
		inode_lru_remove(t, in);
		dead = in;
	}
	pthread_mutex_unlock(&t->lock);
	inode_destroy_chain(dead);
}

void xl_inode_ctx_set(struct xl_inode *in, struct xl *xl, void *value)
{
	pthread_mutex_lock(&in->table->lock);
	if (xl->slot >= in->nctx) {
		size_t n = xl->slot + 1;

		in->ctx = g_renew(void *, in->ctx, n);
		memset(in->ctx + in->nctx, 0, (n - in->nctx) * sizeof(void *));
		in->nctx = n;
	}
	in->ctx[xl->slot] = value;
	pthread_mutex_unlock(&in->table->lock);
}

void *xl_inode_ctx_get(struct xl_inode *in, struct xl *xl)
{
	void *v = NULL;

	pthread_mutex_lock(&in->table->lock);
	if (xl->slot < in->nctx)
		v = in->ctx[xl->slot];
	pthread_mutex_unlock(&in->table->lock);
	return v;
}

void *xl_inode_ctx_del(struct xl_inode *in, struct xl *xl)
{
	void *v = NULL;

	pthread_mutex_lock(&in->table->lock);
	if (xl->slot < in->nctx) {
		v = in->ctx[xl->slot];
		in->ctx[xl->slot] = NULL;
	}
	pthread_mutex_unlock(&in->table->lock);
	return v;
}

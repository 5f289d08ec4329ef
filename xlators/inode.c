/*
 * inode.c — the inode table: one refcounted xl_inode per object id.
 *
 * Inodes are indexed by id in a GHashTable. Fops that produce an object
 * get a fresh, unindexed inode (xl_inode_new) and the framework links it
 * under the id the fop returned (xl_inode_link); when two calls race to
 * the same id, the first linked inode wins and the loser's contexts are
 * merged into it or released. A referenced inode is "active"; when its
 * last reference goes it moves to the tail of an LRU list, and once the
 * list holds more than lru_limit inodes the oldest are evicted. An inode
 * dropped from the index with xl_inode_forget() (its object is gone) is
 * freed as soon as it is unreferenced instead.
 *
 * Locking: one table mutex guards the index, the LRU and refcounts. The
 * context slots (one pointer per volume, sized to the graph when the
 * table is made) are atomics, so xl_inode_ctx_* never take the table
 * lock. Inodes leaving the table are first unlinked under the lock (so
 * nothing can find them any more) and only then, with the lock released,
 * handed to each volume's ctx_free() and freed. ctx_free() may therefore
 * call back into the table (find/new/link/unref of other inodes, ctx
 * calls on the dying inode, which then has no contexts) without
 * deadlocking. Each inode also carries the translators' own mutex
 * (xl_inode_lock), which the table itself never takes.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <glib.h>

#include "xlator.h"

/* Context slots of a table made without a graph (hand-built tests). */
#define INODE_SLOTS_NO_GRAPH 16

struct xl_inode {
	struct xl_inode_table *table;
	struct xl_id id;
	unsigned refs;
	bool hashed; /* in table->index */
	bool on_lru;
	struct xl_inode *prev, *next; /* LRU links, oldest at head */
	pthread_mutex_t lock;	      /* xl_inode_lock */
	void *ctx[];		      /* [table->nslots], atomic, by volume slot */
};

struct xl_inode_table {
	pthread_mutex_t lock;
	struct xl_graph *graph;
	size_t nslots;
	GHashTable *index; /* struct xl_id * → struct xl_inode * */
	struct xl_inode *lru_head, *lru_tail;
	size_t lru_limit;
	struct xl_inode_stats stats;
};

static guint inode_id_hash(gconstpointer key)
{
	const struct xl_id *id = key;
	guint h = 2166136261u;

	for (unsigned i = 0; i < sizeof(id->bytes); i++)
		h = (h ^ id->bytes[i]) * 16777619u;
	return h;
}

static gboolean inode_id_eq(gconstpointer a, gconstpointer b)
{
	return xl_id_equal(a, b);
}

struct xl_inode_table *xl_inode_table_new(struct xl_graph *graph, size_t lru_limit)
{
	struct xl_inode_table *t = g_new0(struct xl_inode_table, 1);

	pthread_mutex_init(&t->lock, NULL);
	t->graph = graph;
	t->nslots = graph && graph->nvolumes ? graph->nvolumes : INODE_SLOTS_NO_GRAPH;
	t->index = g_hash_table_new(inode_id_hash, inode_id_eq);
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
	g_hash_table_remove(t->index, &in->id);
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

/* Hand @ctx of volume @slot on @in to that module's ctx_free(). */
static void inode_ctx_release(struct xl_inode *in, size_t slot, void *ctx)
{
	struct xl_graph *graph = in->table->graph;
	struct xl *xl;

	if (!graph || slot >= graph->nvolumes)
		return;
	xl = graph->volumes[slot];
	if (xl && xl->module && xl->module->ctx_free)
		xl->module->ctx_free(xl, in, ctx);
}

/* Release contexts and free a chain of unlinked inodes. Lock NOT held. */
static void inode_destroy_chain(struct xl_inode *in)
{
	while (in) {
		struct xl_inode *next = in->next;

		for (size_t slot = 0; slot < in->table->nslots; slot++) {
			void *ctx = __atomic_exchange_n(&in->ctx[slot], NULL, __ATOMIC_ACQ_REL);

			if (ctx)
				inode_ctx_release(in, slot, ctx);
		}
		pthread_mutex_destroy(&in->lock);
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

/* Take a reference on an inode of the table. Lock held. */
static void inode_ref_locked(struct xl_inode_table *t, struct xl_inode *in)
{
	if (in->refs++ == 0) {
		if (in->on_lru)
			inode_lru_remove(t, in);
		t->stats.active++;
	}
}

struct xl_inode *xl_inode_new(struct xl_inode_table *t, const struct xl_id *id)
{
	struct xl_inode *in = g_malloc0(sizeof(*in) + t->nslots * sizeof(in->ctx[0]));

	in->table = t;
	if (id)
		in->id = *id;
	in->refs = 1;
	pthread_mutex_init(&in->lock, NULL);
	pthread_mutex_lock(&t->lock);
	t->stats.active++;
	pthread_mutex_unlock(&t->lock);
	return in;
}

/* Move each context of the fresh @from into @to where @to has none for
 * that volume; the others stay on @from to be released with it. */
static void inode_merge_ctx(struct xl_inode *to, struct xl_inode *from)
{
	for (size_t slot = 0; slot < from->table->nslots; slot++) {
		void *ctx = __atomic_load_n(&from->ctx[slot], __ATOMIC_ACQUIRE);
		void *none = NULL;

		if (!ctx)
			continue;
		if (__atomic_compare_exchange_n(&to->ctx[slot], &none, ctx, false, __ATOMIC_ACQ_REL,
						__ATOMIC_ACQUIRE))
			__atomic_store_n(&from->ctx[slot], NULL, __ATOMIC_RELEASE);
	}
}

struct xl_inode *xl_inode_link(struct xl_inode *in, const struct xl_id *id)
{
	struct xl_inode_table *t = in->table;
	struct xl_inode *have;

	pthread_mutex_lock(&t->lock);
	if (in->hashed) {
		/* Already linked (a translator handed back a cached inode). */
		g_warn_if_fail(xl_id_equal(&in->id, id));
		pthread_mutex_unlock(&t->lock);
		return in;
	}
	have = g_hash_table_lookup(t->index, id);
	if (!have) {
		in->id = *id;
		in->hashed = true;
		g_hash_table_insert(t->index, &in->id, in);
		pthread_mutex_unlock(&t->lock);
		return in;
	}
	inode_ref_locked(t, have);
	/* Under the table lock: @have cannot be freed meanwhile, and nobody
	 * else can see @in. */
	inode_merge_ctx(have, in);
	pthread_mutex_unlock(&t->lock);
	xl_inode_unref(in); /* unhashed: freed now, releasing what did not move */
	return have;
}

struct xl_inode *xl_inode_find(struct xl_inode_table *t, const struct xl_id *id)
{
	struct xl_inode *in;

	pthread_mutex_lock(&t->lock);
	t->stats.lookups++;
	in = g_hash_table_lookup(t->index, id);
	if (in) {
		t->stats.hits++;
		inode_ref_locked(t, in);
	}
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

const struct xl_id *xl_inode_id(const struct xl_inode *in)
{
	return &in->id;
}

/* Unhash @in; if nobody holds it, take it off the LRU for freeing. Lock
 * held. Returns @in when it is to be destroyed, else NULL. */
static struct xl_inode *inode_forget_locked(struct xl_inode_table *t, struct xl_inode *in)
{
	inode_unhash(t, in);
	if (in->refs == 0 && in->on_lru) {
		inode_lru_remove(t, in);
		in->next = NULL;
		return in;
	}
	return NULL;
}

void xl_inode_forget(struct xl_inode *in)
{
	struct xl_inode_table *t = in->table;
	struct xl_inode *dead;

	pthread_mutex_lock(&t->lock);
	dead = inode_forget_locked(t, in);
	pthread_mutex_unlock(&t->lock);
	inode_destroy_chain(dead);
}

void xl_inode_forget_id(struct xl_inode_table *t, const struct xl_id *id)
{
	struct xl_inode *in, *dead = NULL;

	pthread_mutex_lock(&t->lock);
	in = g_hash_table_lookup(t->index, id);
	if (in)
		dead = inode_forget_locked(t, in);
	pthread_mutex_unlock(&t->lock);
	inode_destroy_chain(dead);
}

/* The context slot of volume @xl on @in. */
static void **inode_slot(struct xl_inode *in, struct xl *xl)
{
	/* Slots are sized to the graph: a volume of another graph (or a
	 * table made for too few volumes) is a programming error. */
	g_assert(xl->slot < in->table->nslots);
	return &in->ctx[xl->slot];
}

void *xl_inode_ctx_set_if_unset(struct xl_inode *in, struct xl *xl, void *value)
{
	void *old = NULL;

	if (__atomic_compare_exchange_n(inode_slot(in, xl), &old, value, false, __ATOMIC_ACQ_REL,
					__ATOMIC_ACQUIRE))
		return value;
	return old;
}

void *xl_inode_ctx_get(struct xl_inode *in, struct xl *xl)
{
	return __atomic_load_n(inode_slot(in, xl), __ATOMIC_ACQUIRE);
}

void *xl_inode_ctx_del(struct xl_inode *in, struct xl *xl)
{
	return __atomic_exchange_n(inode_slot(in, xl), NULL, __ATOMIC_ACQ_REL);
}

void xl_inode_lock(struct xl_inode *in)
{
	pthread_mutex_lock(&in->lock);
}

void xl_inode_unlock(struct xl_inode *in)
{
	pthread_mutex_unlock(&in->lock);
}

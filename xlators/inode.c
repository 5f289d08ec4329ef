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
 * Locking: the table is split in shards by id (INODE_SHARDS of them for
 * a table made for at least INODE_SHARD_MIN_LRU cached inodes, else one),
 * each with its own mutex guarding its index, its LRU (with its share of
 * the limit) and its inodes' refcounts, so calls on different objects do
 * not meet on one lock. A fresh inode without an id counts in a shard
 * picked by its address and moves to its id's shard when linked, under
 * both locks (whoever locks an inode's shard checks again, once locked,
 * that the inode is still there). The context slots (one pointer per volume, sized to the graph when the
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

#include "objpool.h"
#include "xlator.h"

/* Context slots of a table made without a graph (hand-built tests). */
#define INODE_SLOTS_NO_GRAPH 16

/* Tables made for at least this many cached inodes are split in
 * INODE_SHARDS shards; smaller ones (tests) keep one exact LRU. */
#define INODE_SHARDS 16
#define INODE_SHARD_MIN_LRU 4096

struct inode_shard {
	pthread_mutex_t lock;
	GHashTable *index; /* struct xl_id * → struct xl_inode * */
	struct xl_inode *lru_head, *lru_tail;
	size_t lru_limit;
	struct xl_inode_stats stats;
};

struct xl_inode {
	struct xl_inode_table *table;
	struct inode_shard *shard; /* atomic: moves once, when linked */
	struct xl_id id;
	unsigned refs;
	bool hashed; /* in shard->index */
	bool on_lru;
	struct xl_inode *prev, *next; /* LRU links, oldest at head */
	pthread_mutex_t lock;	      /* xl_inode_lock */
	void *ctx[];		      /* [table->nslots], atomic, by volume slot */
};

struct xl_inode_table {
	struct xl_graph *graph;
	size_t nslots;
	unsigned nshards;
	struct inode_shard shards[INODE_SHARDS];
	struct objpool pool; /* the inodes, apart from the calls' buffers */
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

/* The shard an id lives in (the hash's high bits: the index uses the low). */
static struct inode_shard *inode_id_shard(struct xl_inode_table *t, const struct xl_id *id)
{
	return &t->shards[(inode_id_hash(id) >> 24) % t->nshards];
}

/* Each shard's share of a table's limit (rounded up, so the total is at
 * least the limit asked). */
static size_t inode_shard_limit(const struct xl_inode_table *t, size_t lru_limit)
{
	return lru_limit / t->nshards + (lru_limit % t->nshards != 0);
}

struct xl_inode_table *xl_inode_table_new(struct xl_graph *graph, size_t lru_limit)
{
	struct xl_inode_table *t = g_new0(struct xl_inode_table, 1);

	t->graph = graph;
	t->nslots = graph && graph->nvolumes ? graph->nvolumes : INODE_SLOTS_NO_GRAPH;
	t->nshards = lru_limit >= INODE_SHARD_MIN_LRU ? INODE_SHARDS : 1;
	objpool_init(&t->pool, sizeof(struct xl_inode) + t->nslots * sizeof(void *));
	for (unsigned i = 0; i < t->nshards; i++) {
		pthread_mutex_init(&t->shards[i].lock, NULL);
		t->shards[i].index = g_hash_table_new(inode_id_hash, inode_id_eq);
		t->shards[i].lru_limit = inode_shard_limit(t, lru_limit);
	}
	return t;
}

/* Lock the shard @in belongs to now (it moves only when linked, under
 * both shards' locks, so it is checked again once locked). */
static struct inode_shard *inode_lock(struct xl_inode *in)
{
	for (;;) {
		struct inode_shard *s = __atomic_load_n(&in->shard, __ATOMIC_ACQUIRE);

		pthread_mutex_lock(&s->lock);
		if (__atomic_load_n(&in->shard, __ATOMIC_ACQUIRE) == s)
			return s;
		pthread_mutex_unlock(&s->lock);
	}
}

static void inode_lru_remove(struct inode_shard *s, struct xl_inode *in)
{
	if (in->prev)
		in->prev->next = in->next;
	else
		s->lru_head = in->next;
	if (in->next)
		in->next->prev = in->prev;
	else
		s->lru_tail = in->prev;
	in->prev = in->next = NULL;
	in->on_lru = false;
	s->stats.lru--;
}

static void inode_lru_append(struct inode_shard *s, struct xl_inode *in)
{
	in->prev = s->lru_tail;
	in->next = NULL;
	if (s->lru_tail)
		s->lru_tail->next = in;
	else
		s->lru_head = in;
	s->lru_tail = in;
	in->on_lru = true;
	s->stats.lru++;
}

static void inode_unhash(struct inode_shard *s, struct xl_inode *in)
{
	if (!in->hashed)
		return;
	g_hash_table_remove(s->index, &in->id);
	in->hashed = false;
}

/* Evict from the LRU head until it fits the limit; the evicted inodes are
 * chained through ->next onto *dead. Called with the shard's lock held. */
static void inode_lru_trim(struct inode_shard *s, struct xl_inode **dead)
{
	while (s->stats.lru > s->lru_limit) {
		struct xl_inode *in = s->lru_head;

		inode_lru_remove(s, in);
		inode_unhash(s, in);
		s->stats.evictions++;
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

/* Release contexts and free a chain of unlinked inodes. No lock held. */
static void inode_destroy_chain(struct xl_inode *in)
{
	while (in) {
		struct xl_inode *next = in->next;

		for (size_t slot = 0; slot < in->table->nslots; slot++) {
			/* a plain load first: most slots are empty (a lookup's
			 * fresh inode merged into the cached one has none), and
			 * an exchange per slot cost more than the rest of it */
			void *ctx = __atomic_load_n(&in->ctx[slot], __ATOMIC_ACQUIRE);

			if (ctx)
				ctx = __atomic_exchange_n(&in->ctx[slot], NULL, __ATOMIC_ACQ_REL);
			if (ctx)
				inode_ctx_release(in, slot, ctx);
		}
		pthread_mutex_destroy(&in->lock);
		objpool_free(&in->table->pool, in);
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
	for (unsigned i = 0; i < t->nshards; i++) {
		struct inode_shard *s = &t->shards[i];

		pthread_mutex_lock(&s->lock);
		g_hash_table_iter_init(&it, s->index);
		while (g_hash_table_iter_next(&it, NULL, &value)) {
			struct xl_inode *in = value;

			g_hash_table_iter_remove(&it);
			in->hashed = false;
			if (in->refs) {
				busy++; /* still in use: leaked rather than freed under its user */
				continue;
			}
			if (in->on_lru)
				inode_lru_remove(s, in);
			in->next = dead;
			dead = in;
		}
		pthread_mutex_unlock(&s->lock);
	}
	if (busy)
		xl_logd("inode", XL_LOG_ERROR, "inode table freed with %zu referenced inodes",
			busy);
	inode_destroy_chain(dead);
	for (unsigned i = 0; i < t->nshards; i++) {
		g_hash_table_destroy(t->shards[i].index);
		pthread_mutex_destroy(&t->shards[i].lock);
	}
	if (!busy) /* else the leaked inodes still live in the pool's blocks */
		objpool_destroy(&t->pool);
	g_free(t);
}

void xl_inode_table_set_lru_limit(struct xl_inode_table *t, size_t lru_limit)
{
	for (unsigned i = 0; i < t->nshards; i++) {
		struct inode_shard *s = &t->shards[i];
		struct xl_inode *dead = NULL;

		pthread_mutex_lock(&s->lock);
		s->lru_limit = inode_shard_limit(t, lru_limit);
		inode_lru_trim(s, &dead);
		pthread_mutex_unlock(&s->lock);
		inode_destroy_chain(dead);
	}
}

void xl_inode_table_stats(struct xl_inode_table *t, struct xl_inode_stats *stats)
{
	memset(stats, 0, sizeof(*stats));
	for (unsigned i = 0; i < t->nshards; i++) {
		struct inode_shard *s = &t->shards[i];

		pthread_mutex_lock(&s->lock);
		stats->active += s->stats.active;
		stats->lru += s->stats.lru;
		stats->lookups += s->stats.lookups;
		stats->hits += s->stats.hits;
		stats->evictions += s->stats.evictions;
		pthread_mutex_unlock(&s->lock);
	}
}

/* Take a reference on an inode of shard @s. Its lock held. */
static void inode_ref_locked(struct inode_shard *s, struct xl_inode *in)
{
	if (in->refs++ == 0) {
		if (in->on_lru)
			inode_lru_remove(s, in);
		s->stats.active++;
	}
}

struct xl_inode *xl_inode_new(struct xl_inode_table *t, const struct xl_id *id)
{
	struct xl_inode *in = objpool_alloc(&t->pool);
	struct inode_shard *s;

	in->table = t;
	if (id)
		in->id = *id;
	/* a fresh inode counts in its id's shard, or (no id yet) in one
	 * picked by its address until it is linked */
	s = id ? inode_id_shard(t, id) : &t->shards[((uintptr_t)in >> 6) % t->nshards];
	in->shard = s;
	in->refs = 1;
	pthread_mutex_init(&in->lock, NULL);
	pthread_mutex_lock(&s->lock);
	s->stats.active++;
	pthread_mutex_unlock(&s->lock);
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

/* Lock @in's shard and @dst (in address order when they differ); false
 * when @in moved meanwhile (nothing is locked then: try again). */
static bool inode_lock_pair(struct xl_inode *in, struct inode_shard *dst,
			    struct inode_shard **src)
{
	struct inode_shard *s = __atomic_load_n(&in->shard, __ATOMIC_ACQUIRE);

	if (s == dst) {
		pthread_mutex_lock(&s->lock);
	} else {
		pthread_mutex_lock(&(s < dst ? s : dst)->lock);
		pthread_mutex_lock(&(s < dst ? dst : s)->lock);
	}
	if (__atomic_load_n(&in->shard, __ATOMIC_ACQUIRE) == s) {
		*src = s;
		return true;
	}
	pthread_mutex_unlock(&s->lock);
	if (s != dst)
		pthread_mutex_unlock(&dst->lock);
	return false;
}

struct xl_inode *xl_inode_link(struct xl_inode *in, const struct xl_id *id)
{
	struct xl_inode_table *t = in->table;
	struct inode_shard *s = inode_id_shard(t, id), *src;
	struct xl_inode *have;

	while (!inode_lock_pair(in, s, &src))
		;
	if (in->hashed) {
		/* Already linked (a translator handed back a cached inode). */
		g_warn_if_fail(xl_id_equal(&in->id, id));
		goto out_unlock;
	}
	have = g_hash_table_lookup(s->index, id);
	if (!have) {
		if (src != s) {
			/* referenced (by the caller), so counted active */
			src->stats.active--;
			s->stats.active++;
			__atomic_store_n(&in->shard, s, __ATOMIC_RELEASE);
		}
		in->id = *id;
		in->hashed = true;
		g_hash_table_insert(s->index, &in->id, in);
		goto out_unlock;
	}
	inode_ref_locked(s, have);
	/* Under the shard's lock: @have cannot be freed meanwhile, and
	 * nobody else can see @in. */
	inode_merge_ctx(have, in);
	if (src != s)
		pthread_mutex_unlock(&src->lock);
	pthread_mutex_unlock(&s->lock);
	xl_inode_unref(in); /* unhashed: freed now, releasing what did not move */
	return have;
out_unlock:
	if (src != s)
		pthread_mutex_unlock(&src->lock);
	pthread_mutex_unlock(&s->lock);
	return in;
}

struct xl_inode *xl_inode_find(struct xl_inode_table *t, const struct xl_id *id)
{
	struct inode_shard *s = inode_id_shard(t, id);
	struct xl_inode *in;

	pthread_mutex_lock(&s->lock);
	s->stats.lookups++;
	in = g_hash_table_lookup(s->index, id);
	if (in) {
		s->stats.hits++;
		inode_ref_locked(s, in);
	}
	pthread_mutex_unlock(&s->lock);
	return in;
}

struct xl_inode *xl_inode_ref(struct xl_inode *in)
{
	struct inode_shard *s = inode_lock(in);

	inode_ref_locked(s, in);
	pthread_mutex_unlock(&s->lock);
	return in;
}

void xl_inode_unref(struct xl_inode *in)
{
	struct inode_shard *s;
	struct xl_inode *dead = NULL;

	if (!in)
		return;
	s = inode_lock(in);
	g_assert(in->refs > 0);
	if (--in->refs == 0) {
		s->stats.active--;
		if (in->hashed) {
			inode_lru_append(s, in);
			inode_lru_trim(s, &dead);
		} else {
			in->next = NULL;
			dead = in;
		}
	}
	pthread_mutex_unlock(&s->lock);
	inode_destroy_chain(dead);
}

const struct xl_id *xl_inode_id(const struct xl_inode *in)
{
	return &in->id;
}

/* Unhash @in; if nobody holds it, take it off the LRU for freeing. Its
 * shard's lock held. Returns @in when it is to be destroyed, else NULL. */
static struct xl_inode *inode_forget_locked(struct inode_shard *s, struct xl_inode *in)
{
	inode_unhash(s, in);
	if (in->refs == 0 && in->on_lru) {
		inode_lru_remove(s, in);
		in->next = NULL;
		return in;
	}
	return NULL;
}

void xl_inode_forget(struct xl_inode *in)
{
	struct inode_shard *s = inode_lock(in);
	struct xl_inode *dead;

	dead = inode_forget_locked(s, in);
	pthread_mutex_unlock(&s->lock);
	inode_destroy_chain(dead);
}

void xl_inode_forget_id(struct xl_inode_table *t, const struct xl_id *id)
{
	struct inode_shard *s = inode_id_shard(t, id);
	struct xl_inode *in, *dead = NULL;

	pthread_mutex_lock(&s->lock);
	in = g_hash_table_lookup(s->index, id);
	if (in)
		dead = inode_forget_locked(s, in);
	pthread_mutex_unlock(&s->lock);
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

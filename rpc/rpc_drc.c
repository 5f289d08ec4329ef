/*
 * rpc_drc.c — the duplicate request cache (see rpc_drc.h for the why).
 *
 * One mutex guards a hash table of every entry (keyed by the entry's own
 * key) and an LRU queue of the completed ones, most recently used first.
 * Entries in progress are in the table only: they are never evicted (the
 * worker running the call holds their handle) and are bounded by the
 * service's own limit on calls in flight. Replies are refcounted GBytes,
 * so a replay is sent outside the lock without copying.
 *
 * Bounds are enforced when a reply is stored (count and bytes, from the
 * LRU's tail) and ages on every lookup and store (from the tail, whose
 * entries are the least recently used and therefore the oldest).
 */
#include "config.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <pthread.h>
#include <stddef.h>
#include <string.h>

#include "rpc_drc.h"

struct rpc_drc_entry {
	struct rpc_drc_key key;       /* first: the table's key points here */
	GList link;                   /* in drc->lru while completed */
	GBytes *reply;                /* NULL while in progress */
	size_t cost;                  /* bytes accounted while completed */
	int64_t used_ms;              /* last stored or replayed */
};

struct rpc_drc {
	struct rpc_drc_config cfg;
	pthread_mutex_t lock;
	GHashTable *table;            /* key → entry (all of them) */
	GQueue lru;                   /* completed entries, most recent at the head */
	size_t bytes;
	struct rpc_drc_stats stats;
};

/* FNV-1a, 32 bits: cheap and good enough to tell calls apart. */
static uint32_t drc_fnv(uint32_t h, const void *data, size_t len)
{
	const uint8_t *p = data;

	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

#define DRC_FNV_INIT 2166136261u

#define DRC_P1 0x9e3779b185ebca87ull
#define DRC_P2 0xc2b2ae3d27d4eb4full
#define DRC_P3 0x165667b19e3779f9ull

static uint64_t drc_rotl(uint64_t v, unsigned r)
{
	return v << r | v >> (64 - r);
}

static uint64_t drc_load(const uint8_t *p)
{
	uint64_t v;

	memcpy(&v, p, 8);
	return v;
}

/* One lane step: multiply in, rotate, multiply (cheap, and every input
 * bit reaches every output bit after a few steps). */
static uint64_t drc_lane(uint64_t acc, uint64_t v)
{
	return drc_rotl(acc + v * DRC_P2, 31) * DRC_P1;
}

uint64_t rpc_drc_hash(const void *data, size_t len)
{
	const uint8_t *p = data;
	uint64_t l0 = DRC_P1 + DRC_P2, l1 = DRC_P2, l2 = 0, l3 = -DRC_P1, h;
	size_t n = len;

	for (; n >= 32; p += 32, n -= 32) {
		l0 = drc_lane(l0, drc_load(p));
		l1 = drc_lane(l1, drc_load(p + 8));
		l2 = drc_lane(l2, drc_load(p + 16));
		l3 = drc_lane(l3, drc_load(p + 24));
	}
	h = drc_rotl(l0, 1) + drc_rotl(l1, 7) + drc_rotl(l2, 12) + drc_rotl(l3, 18);
	h += (uint64_t)len * DRC_P3;
	for (; n >= 8; p += 8, n -= 8)
		h = drc_lane(h, drc_load(p));
	for (; n > 0; p++, n--)
		h = drc_rotl(h ^ (*p * DRC_P3), 11) * DRC_P1;
	h ^= h >> 33;
	h *= DRC_P2;
	h ^= h >> 29;
	h *= DRC_P3;
	return h ^ (h >> 32);
}

void rpc_drc_key_init(struct rpc_drc_key *key, uint32_t xid, uint32_t prog, uint32_t vers,
		      uint32_t proc, int protocol, uint32_t uid, uint32_t gid,
		      const struct sockaddr *peer, socklen_t peer_len, const void *call,
		      size_t call_len)
{
	memset(key, 0, sizeof(*key));
	key->xid = xid;
	key->prog = prog;
	key->vers = vers;
	key->proc = proc;
	key->protocol = (uint32_t)protocol;
	key->uid = uid;
	key->gid = gid;
	if (peer && peer->sa_family == AF_INET && peer_len >= sizeof(struct sockaddr_in)) {
		key->family = AF_INET;
		memcpy(key->addr, &((const struct sockaddr_in *)peer)->sin_addr, 4);
		key->port = ntohs(((const struct sockaddr_in *)peer)->sin_port);
	} else if (peer && peer->sa_family == AF_INET6 &&
		   peer_len >= sizeof(struct sockaddr_in6)) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)peer)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			key->family = AF_INET;
			memcpy(key->addr, &a6->s6_addr[12], 4);
		} else {
			key->family = AF_INET6;
			memcpy(key->addr, a6, 16);
		}
		key->port = ntohs(((const struct sockaddr_in6 *)peer)->sin6_port);
	}
	key->call_len = (uint32_t)call_len;
	if (call_len <= 2 * RPC_DRC_CSUM_EDGE) {
		key->csum = rpc_drc_hash(call, call_len);
	} else {
		/* a long call (WRITE data): its head, which holds the header,
		 * the handle, offset and count, and its tail; hashing a whole
		 * 1 MiB WRITE cost 8% of the server's CPU on sequential writes */
		const uint8_t *p = call;

		key->csum = rpc_drc_hash(p, RPC_DRC_CSUM_EDGE) ^
			    drc_rotl(rpc_drc_hash(p + call_len - RPC_DRC_CSUM_EDGE, RPC_DRC_CSUM_EDGE), 17);
	}
}

/* The key has no padding (32-bit words, a byte array, then one 64-bit
 * word at an offset of 56), so it hashes and compares as bytes. */
G_STATIC_ASSERT(offsetof(struct rpc_drc_key, csum) == 56 && sizeof(struct rpc_drc_key) == 64);

static guint drc_key_hash(gconstpointer k)
{
	return drc_fnv(DRC_FNV_INIT, k, sizeof(struct rpc_drc_key));
}

static gboolean drc_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct rpc_drc_key)) == 0;
}

static void drc_entry_free(gpointer p)
{
	struct rpc_drc_entry *e = p;

	if (e->reply)
		g_bytes_unref(e->reply);
	g_free(e);
}

static int64_t drc_default_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

struct rpc_drc *rpc_drc_new(const struct rpc_drc_config *cfg)
{
	struct rpc_drc *drc = g_new0(struct rpc_drc, 1);

	if (cfg)
		drc->cfg = *cfg;
	if (!drc->cfg.max_entries)
		drc->cfg.max_entries = RPC_DRC_DEFAULT_ENTRIES;
	if (!drc->cfg.max_bytes)
		drc->cfg.max_bytes = RPC_DRC_DEFAULT_BYTES;
	if (!drc->cfg.ttl_ms)
		drc->cfg.ttl_ms = RPC_DRC_DEFAULT_TTL_MS;
	if (!drc->cfg.now_ms)
		drc->cfg.now_ms = drc_default_now_ms;
	pthread_mutex_init(&drc->lock, NULL);
	drc->table = g_hash_table_new_full(drc_key_hash, drc_key_equal, NULL, drc_entry_free);
	g_queue_init(&drc->lru);
	return drc;
}

void rpc_drc_free(struct rpc_drc *drc)
{
	if (!drc)
		return;
	g_hash_table_destroy(drc->table);
	pthread_mutex_destroy(&drc->lock);
	g_free(drc);
}

/* Take a completed entry off the LRU and the byte count (lock held). */
static void drc_unlink(struct rpc_drc *drc, struct rpc_drc_entry *e)
{
	g_queue_unlink(&drc->lru, &e->link);
	drc->bytes -= e->cost;
	e->cost = 0;
}

/* Forget a completed entry entirely (lock held). */
static void drc_remove(struct rpc_drc *drc, struct rpc_drc_entry *e)
{
	drc_unlink(drc, e);
	g_hash_table_remove(drc->table, &e->key); /* frees it */
}

static bool drc_expired(const struct rpc_drc *drc, const struct rpc_drc_entry *e, int64_t now)
{
	return now - e->used_ms >= (int64_t)drc->cfg.ttl_ms;
}

/* Drop completed entries that aged out, oldest first (lock held). */
static void drc_prune_expired(struct rpc_drc *drc, int64_t now)
{
	GList *tail;

	while ((tail = g_queue_peek_tail_link(&drc->lru))) {
		struct rpc_drc_entry *e = tail->data;

		if (!drc_expired(drc, e, now))
			break;
		drc_remove(drc, e);
		drc->stats.expired++;
	}
}

/* Evict least recently used entries until within bounds (lock held). */
static void drc_enforce_bounds(struct rpc_drc *drc)
{
	GList *tail;

	while ((tail = g_queue_peek_tail_link(&drc->lru)) &&
	       (drc->lru.length > drc->cfg.max_entries || drc->bytes > drc->cfg.max_bytes)) {
		drc_remove(drc, tail->data);
		drc->stats.evictions++;
	}
}

enum rpc_drc_verdict rpc_drc_lookup(struct rpc_drc *drc, const struct rpc_drc_key *key,
				    struct rpc_drc_entry **entry, GBytes **reply)
{
	enum rpc_drc_verdict verdict;
	struct rpc_drc_entry *e;
	int64_t now = drc->cfg.now_ms();

	*entry = NULL;
	*reply = NULL;
	pthread_mutex_lock(&drc->lock);
	drc_prune_expired(drc, now);
	e = g_hash_table_lookup(drc->table, key);
	if (e && !e->reply) {
		drc->stats.in_progress++;
		verdict = RPC_DRC_IN_PROGRESS;
		goto out_unlock;
	}
	if (e && !drc_expired(drc, e, now)) {
		/* Most recently used again: to the head. */
		g_queue_unlink(&drc->lru, &e->link);
		g_queue_push_head_link(&drc->lru, &e->link);
		e->used_ms = now;
		*reply = g_bytes_ref(e->reply);
		drc->stats.replays++;
		verdict = RPC_DRC_REPLAY;
		goto out_unlock;
	}
	if (e) {
		/* Expired but not yet pruned (used after younger ones): reuse it. */
		drc_unlink(drc, e);
		g_bytes_unref(e->reply);
		e->reply = NULL;
		drc->stats.expired++;
	} else {
		e = g_new0(struct rpc_drc_entry, 1);
		e->key = *key;
		e->link.data = e;
		g_hash_table_insert(drc->table, &e->key, e);
	}
	drc->stats.misses++;
	*entry = e;
	verdict = RPC_DRC_NEW;
out_unlock:
	pthread_mutex_unlock(&drc->lock);
	return verdict;
}

void rpc_drc_finish(struct rpc_drc *drc, struct rpc_drc_entry *entry, GBytes *reply)
{
	int64_t now = drc->cfg.now_ms();

	pthread_mutex_lock(&drc->lock);
	entry->reply = g_bytes_ref(reply);
	entry->cost = g_bytes_get_size(reply) + sizeof(*entry);
	entry->used_ms = now;
	g_queue_push_head_link(&drc->lru, &entry->link);
	drc->bytes += entry->cost;
	drc_prune_expired(drc, now);
	drc_enforce_bounds(drc);
	pthread_mutex_unlock(&drc->lock);
}

void rpc_drc_abandon(struct rpc_drc *drc, struct rpc_drc_entry *entry)
{
	pthread_mutex_lock(&drc->lock);
	g_hash_table_remove(drc->table, &entry->key);
	pthread_mutex_unlock(&drc->lock);
}

void rpc_drc_get_stats(struct rpc_drc *drc, struct rpc_drc_stats *st)
{
	pthread_mutex_lock(&drc->lock);
	*st = drc->stats;
	st->entries = drc->lru.length;
	st->bytes = drc->bytes;
	st->running = g_hash_table_size(drc->table) - drc->lru.length;
	pthread_mutex_unlock(&drc->lock);
}

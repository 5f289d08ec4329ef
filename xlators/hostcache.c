/*
 * hostcache.c — forward-confirmed client names with a cache and resolver
 * threads (see hostcache.h).
 *
 * One hash table, keyed by family + address, under one mutex. A lookup
 * that finds nothing fresh inserts (or re-arms) an entry in the PENDING
 * state and queues it; resolver threads pop addresses, resolve them
 * without the lock, store the result with its expiry and wake waiters.
 * The cache is reference counted: each resolver thread holds a
 * reference, so hostcache_free need not wait for a thread stuck in a
 * dead name server; the last one out frees the cache.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <netinet/in.h>
#include <string.h>
#include <time.h>

#include "hostcache.h"
#include "log.h"

#define HOSTCACHE_POSITIVE_TTL_MS (300 * 1000)
#define HOSTCACHE_NEGATIVE_TTL_MS (30 * 1000)
#define HOSTCACHE_MAX_ENTRIES 4096
#define HOSTCACHE_THREADS 2

struct hostcache_key {
	int family;                /* AF_INET or AF_INET6 */
	uint8_t addr[16];
};

struct hostcache_entry {
	struct hostcache_key key;
	enum hostcache_state state;
	char *name;                /* HOSTCACHE_NAME */
	int64_t expires_us;        /* monotonic; PENDING: unused */
	bool queued;
};

struct hostcache {
	pthread_mutex_t lock;  /* pthread, not GMutex: ThreadSanitizer sees it */
	pthread_cond_t cond;                 /* work queued, a result stored, or stop */
	GHashTable *table;         /* key → entry (owned) */
	GQueue queue;              /* entries to resolve (owned by the table) */
	struct hostcache_resolver res;
	int64_t positive_us, negative_us;
	size_t max_entries;
	gint refs;                 /* the owner + one per resolver thread */
	bool stop;
	struct hostcache_stats stats;
};

static guint hostcache_key_hash(gconstpointer p)
{
	const struct hostcache_key *k = p;
	guint h = 2166136261u ^ (guint)k->family;

	for (size_t i = 0; i < sizeof(k->addr); i++)
		h = (h ^ k->addr[i]) * 16777619u;
	return h;
}

static gboolean hostcache_key_equal(gconstpointer a, gconstpointer b)
{
	return memcmp(a, b, sizeof(struct hostcache_key)) == 0;
}

static void hostcache_entry_free(gpointer p)
{
	struct hostcache_entry *e = p;

	g_free(e->name);
	g_free(e);
}

/* @sa as a key; false for other families. */
static bool hostcache_key_of(const struct sockaddr *sa, struct hostcache_key *k)
{
	memset(k, 0, sizeof(*k));
	if (sa->sa_family == AF_INET) {
		k->family = AF_INET;
		memcpy(k->addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			k->family = AF_INET;
			memcpy(k->addr, a6->s6_addr + 12, 4);
		} else {
			k->family = AF_INET6;
			memcpy(k->addr, a6->s6_addr, 16);
		}
		return true;
	}
	return false;
}

/* The key as a socket address for getnameinfo; its length. */
static socklen_t hostcache_key_sockaddr(const struct hostcache_key *k,
					struct sockaddr_storage *ss)
{
	memset(ss, 0, sizeof(*ss));
	if (k->family == AF_INET) {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		s4->sin_family = AF_INET;
		memcpy(&s4->sin_addr, k->addr, 4);
		return sizeof(*s4);
	} else {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		s6->sin6_family = AF_INET6;
		memcpy(&s6->sin6_addr, k->addr, 16);
		return sizeof(*s6);
	}
}

/* Does one of @ai's addresses equal @k? */
static bool hostcache_addrinfo_has(const struct addrinfo *ai, const struct hostcache_key *k)
{
	for (; ai; ai = ai->ai_next) {
		struct hostcache_key got;

		if (ai->ai_addr && hostcache_key_of(ai->ai_addr, &got) &&
		    hostcache_key_equal(&got, k))
			return true;
	}
	return false;
}

/* Resolve @k (no lock held): the confirmed name (g_free it) or NULL.
 * *@refused: a PTR name existed but did not resolve back. */
static char *hostcache_resolve(struct hostcache *hc, const struct hostcache_key *k,
			       bool *refused)
{
	struct addrinfo hints = { .ai_family = AF_UNSPEC, .ai_socktype = SOCK_STREAM };
	struct addrinfo *ai = NULL;
	struct sockaddr_storage ss;
	socklen_t len = hostcache_key_sockaddr(k, &ss);
	char host[NI_MAXHOST];
	uint8_t numeric[16];
	size_t n;
	char *name = NULL;

	*refused = false;
	if (hc->res.getnameinfo((struct sockaddr *)&ss, len, host, sizeof(host), NULL, 0,
				NI_NAMEREQD) != 0)
		return NULL;
	host[sizeof(host) - 1] = '\0';
	n = strlen(host);
	if (n > 0 && host[n - 1] == '.')
		host[--n] = '\0';
	/* A PTR record holding an address is no name. */
	if (n == 0 || inet_pton(AF_INET, host, numeric) == 1 ||
	    inet_pton(AF_INET6, host, numeric) == 1) {
		*refused = n > 0;
		return NULL;
	}
	if (hc->res.getaddrinfo(host, NULL, &hints, &ai) != 0) {
		*refused = true;
		return NULL;
	}
	if (hostcache_addrinfo_has(ai, k))
		name = g_ascii_strdown(host, -1);
	else
		*refused = true;
	hc->res.freeaddrinfo(ai);
	return name;
}

static void hostcache_unref(struct hostcache *hc)
{
	if (!g_atomic_int_dec_and_test(&hc->refs))
		return;
	g_hash_table_destroy(hc->table);
	g_queue_clear(&hc->queue);
	pthread_mutex_destroy(&hc->lock);
	pthread_cond_destroy(&hc->cond);
	g_free(hc);
}

static gpointer hostcache_thread(gpointer arg)
{
	struct hostcache *hc = arg;

	pthread_mutex_lock(&hc->lock);
	for (;;) {
		struct hostcache_entry *e;
		struct hostcache_key key;
		bool refused;
		char *name;

		while (!hc->stop && g_queue_is_empty(&hc->queue))
			pthread_cond_wait(&hc->cond, &hc->lock);
		if (hc->stop)
			break;
		e = g_queue_pop_head(&hc->queue);
		key = e->key;
		pthread_mutex_unlock(&hc->lock);

		name = hostcache_resolve(hc, &key, &refused);

		pthread_mutex_lock(&hc->lock);
		/* The entry may have been evicted meanwhile: look it up again. */
		e = g_hash_table_lookup(hc->table, &key);
		hc->stats.resolved++;
		if (name)
			hc->stats.confirmed++;
		if (refused)
			hc->stats.refused++;
		if (e) {
			g_free(e->name);
			e->name = name;
			e->state = name ? HOSTCACHE_NAME : HOSTCACHE_NONE;
			e->expires_us = g_get_monotonic_time() +
					(name ? hc->positive_us : hc->negative_us);
			e->queued = false;
			name = NULL;
		}
		g_free(name);
		pthread_cond_broadcast(&hc->cond);
	}
	pthread_mutex_unlock(&hc->lock);
	hostcache_unref(hc);
	return NULL;
}

/* A condition whose timed waits count on the monotonic clock, the one
 * g_get_monotonic_time() reads. */
static void hostcache_cond_init(pthread_cond_t *cond)
{
	pthread_condattr_t ca;

	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(cond, &ca);
	pthread_condattr_destroy(&ca);
}

struct hostcache *hostcache_new(const struct hostcache_config *cfg)
{
	static const struct hostcache_config none;
	struct hostcache *hc = g_new0(struct hostcache, 1);
	unsigned threads;

	if (!cfg)
		cfg = &none;
	pthread_mutex_init(&hc->lock, NULL);
	hostcache_cond_init(&hc->cond);
	hc->table = g_hash_table_new_full(hostcache_key_hash, hostcache_key_equal, NULL,
					  hostcache_entry_free);
	g_queue_init(&hc->queue);
	if (cfg->resolver)
		hc->res = *cfg->resolver;
	if (!hc->res.getnameinfo)
		hc->res.getnameinfo = getnameinfo;
	if (!hc->res.getaddrinfo)
		hc->res.getaddrinfo = getaddrinfo;
	if (!hc->res.freeaddrinfo)
		hc->res.freeaddrinfo = freeaddrinfo;
	hc->positive_us = 1000LL * (cfg->positive_ttl_ms ? cfg->positive_ttl_ms
							 : HOSTCACHE_POSITIVE_TTL_MS);
	hc->negative_us = 1000LL * (cfg->negative_ttl_ms ? cfg->negative_ttl_ms
							 : HOSTCACHE_NEGATIVE_TTL_MS);
	hc->max_entries = cfg->max_entries ? cfg->max_entries : HOSTCACHE_MAX_ENTRIES;
	threads = cfg->threads ? cfg->threads : HOSTCACHE_THREADS;
	hc->refs = 1;
	for (unsigned i = 0; i < threads; i++) {
		GError *err = NULL;
		GThread *t;

		g_atomic_int_inc(&hc->refs);
		t = g_thread_try_new("hostcache", hostcache_thread, hc, &err);
		if (!t) {
			xl_logd("hostcache", XL_LOG_ERROR, "cannot start a resolver thread: %s",
				err->message);
			g_error_free(err);
			g_atomic_int_dec_and_test(&hc->refs); /* never the last */
			hostcache_free(hc);
			return NULL;
		}
		g_thread_unref(t); /* detached: see hostcache_free */
	}
	return hc;
}

void hostcache_free(struct hostcache *hc)
{
	if (!hc)
		return;
	pthread_mutex_lock(&hc->lock);
	hc->stop = true;
	pthread_cond_broadcast(&hc->cond);
	pthread_mutex_unlock(&hc->lock);
	hostcache_unref(hc);
}

/* Make room for one more entry (lock held): expired entries first, then
 * any that is not queued. */
static void hostcache_make_room(struct hostcache *hc, int64_t now)
{
	GHashTableIter it;
	gpointer k, v;

	if (g_hash_table_size(hc->table) < hc->max_entries)
		return;
	g_hash_table_iter_init(&it, hc->table);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct hostcache_entry *e = v;

		if (!e->queued && e->expires_us <= now)
			g_hash_table_iter_remove(&it);
	}
	g_hash_table_iter_init(&it, hc->table);
	while (g_hash_table_size(hc->table) >= hc->max_entries &&
	       g_hash_table_iter_next(&it, &k, &v)) {
		struct hostcache_entry *e = v;

		if (!e->queued)
			g_hash_table_iter_remove(&it);
	}
}

/* The state of @key now (lock held), queueing a resolution if needed. */
static enum hostcache_state hostcache_peek(struct hostcache *hc, const struct hostcache_key *key,
					   char *name, size_t size)
{
	int64_t now = g_get_monotonic_time();
	struct hostcache_entry *e = g_hash_table_lookup(hc->table, key);

	if (e && !e->queued && e->expires_us > now) {
		hc->stats.hits++;
		if (e->state != HOSTCACHE_NAME)
			return e->state;
		/* A name cut short could match what the whole one does not. */
		if (g_strlcpy(name, e->name, size) >= size)
			return HOSTCACHE_NONE;
		return HOSTCACHE_NAME;
	}
	if (e && e->queued)
		return HOSTCACHE_PENDING;
	hc->stats.misses++;
	if (!e) {
		if (g_hash_table_size(hc->table) >= hc->max_entries)
			hostcache_make_room(hc, now);
		if (g_hash_table_size(hc->table) >= hc->max_entries)
			return HOSTCACHE_PENDING; /* every slot is being resolved */
		e = g_new0(struct hostcache_entry, 1);
		e->key = *key;
		g_hash_table_insert(hc->table, &e->key, e);
	}
	e->state = HOSTCACHE_PENDING;
	e->queued = true;
	g_queue_push_tail(&hc->queue, e);
	pthread_cond_broadcast(&hc->cond);
	return HOSTCACHE_PENDING;
}

enum hostcache_state hostcache_lookup_wait(struct hostcache *hc, const struct sockaddr *sa,
					   char *name, size_t size, unsigned wait_ms)
{
	struct hostcache_key key;
	enum hostcache_state st;
	int64_t until = g_get_monotonic_time() + 1000LL * wait_ms;

	if (!sa || !hostcache_key_of(sa, &key))
		return HOSTCACHE_NONE;
	pthread_mutex_lock(&hc->lock);
	st = hostcache_peek(hc, &key, name, size);
	while (st == HOSTCACHE_PENDING && wait_ms > 0 && !hc->stop) {
		struct timespec ts = { .tv_sec = (time_t)(until / 1000000),
				       .tv_nsec = (long)(until % 1000000) * 1000 };

		if (pthread_cond_timedwait(&hc->cond, &hc->lock, &ts) == ETIMEDOUT) {
			st = hostcache_peek(hc, &key, name, size);
			break;
		}
		st = hostcache_peek(hc, &key, name, size);
	}
	pthread_mutex_unlock(&hc->lock);
	return st;
}

enum hostcache_state hostcache_lookup(struct hostcache *hc, const struct sockaddr *sa,
				      char *name, size_t size)
{
	return hostcache_lookup_wait(hc, sa, name, size, 0);
}

void hostcache_stats(struct hostcache *hc, struct hostcache_stats *st)
{
	pthread_mutex_lock(&hc->lock);
	*st = hc->stats;
	st->entries = g_hash_table_size(hc->table);
	pthread_mutex_unlock(&hc->lock);
}

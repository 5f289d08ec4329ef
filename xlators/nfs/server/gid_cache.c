/*
 * gid_cache.c — per-uid group lists from the user database, cached with a
 * TTL (see gid_cache.h). One hash table under one mutex; the name
 * service is called without the lock held.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "gid_cache.h"

#define GID_CACHE_TTL_MS (300 * 1000)
#define GID_CACHE_MAX_ENTRIES 4096
#define GID_CACHE_MAX_GROUPS 65536 /* more than any system allows */

struct gid_cache_entry {
	unsigned n;
	int64_t expires_us;
	gid_t gids[];
};

struct gid_cache {
	pthread_mutex_t lock;  /* pthread, not GMutex: ThreadSanitizer sees it */
	GHashTable *table;         /* GUINT_TO_POINTER(uid) → entry */
	struct gid_cache_ops ops;
	int64_t ttl_us;
	size_t max_entries;
	struct gid_cache_stats stats;
};

struct gid_cache *gid_cache_new(const struct gid_cache_config *cfg)
{
	static const struct gid_cache_config none;
	struct gid_cache *gc = g_new0(struct gid_cache, 1);

	if (!cfg)
		cfg = &none;
	pthread_mutex_init(&gc->lock, NULL);
	gc->table = g_hash_table_new_full(g_direct_hash, g_direct_equal, NULL, g_free);
	if (cfg->ops)
		gc->ops = *cfg->ops;
	if (!gc->ops.getpwuid_r)
		gc->ops.getpwuid_r = getpwuid_r;
	if (!gc->ops.getgrouplist)
		gc->ops.getgrouplist = getgrouplist;
	gc->ttl_us = 1000LL * (cfg->ttl_ms ? cfg->ttl_ms : GID_CACHE_TTL_MS);
	gc->max_entries = cfg->max_entries ? cfg->max_entries : GID_CACHE_MAX_ENTRIES;
	return gc;
}

void gid_cache_free(struct gid_cache *gc)
{
	if (!gc)
		return;
	g_hash_table_destroy(gc->table);
	pthread_mutex_destroy(&gc->lock);
	g_free(gc);
}

/* Look @uid up in the user database: a new entry (g_free), or NULL when
 * the name service failed (not cached). An unknown uid gives 0 groups. */
static struct gid_cache_entry *gid_cache_fetch(struct gid_cache *gc, uid_t uid)
{
	struct passwd pw, *found = NULL;
	size_t buflen = 1024;
	char *buf = NULL;
	gid_t *gids = NULL;
	int n = 64, ret;
	struct gid_cache_entry *e = NULL;

	for (;;) {
		buf = g_realloc(buf, buflen);
		ret = gc->ops.getpwuid_r(uid, &pw, buf, buflen, &found);
		if (ret != ERANGE || buflen >= 1024 * 1024)
			break;
		buflen *= 4;
	}
	if (ret != 0 && ret != ENOENT && ret != ESRCH && ret != EBADF && ret != EPERM)
		goto out; /* the name service failed: try again next call */
	if (!found) {
		e = g_malloc0(sizeof(*e));
		goto out;
	}
	for (;;) {
		int want = n;

		gids = g_renew(gid_t, gids, (gsize)n);
		if (gc->ops.getgrouplist(pw.pw_name, pw.pw_gid, gids, &want) >= 0) {
			n = want;
			break;
		}
		if (want <= n) /* -1 without a larger count: give up */
			goto out;
		if (want > GID_CACHE_MAX_GROUPS)
			goto out;
		n = want;
	}
	e = g_malloc0(sizeof(*e) + (size_t)n * sizeof(gid_t));
	e->n = (unsigned)n;
	memcpy(e->gids, gids, (size_t)n * sizeof(gid_t));
out:
	g_free(gids);
	g_free(buf);
	return e;
}

/* Make room (lock held): drop expired entries, then any if still full. */
static void gid_cache_make_room(struct gid_cache *gc, int64_t now)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, gc->table);
	while (g_hash_table_iter_next(&it, &k, &v))
		if (((struct gid_cache_entry *)v)->expires_us <= now)
			g_hash_table_iter_remove(&it);
	g_hash_table_iter_init(&it, gc->table);
	while (g_hash_table_size(gc->table) >= gc->max_entries &&
	       g_hash_table_iter_next(&it, &k, &v))
		g_hash_table_iter_remove(&it);
}

static void gid_cache_copy(const struct gid_cache_entry *e, gid_t *groups, unsigned max,
			   unsigned *ngroups, unsigned *total)
{
	unsigned n = e->n < max ? e->n : max;

	memcpy(groups, e->gids, n * sizeof(gid_t));
	*ngroups = n;
	if (total)
		*total = e->n;
}

int gid_cache_get(struct gid_cache *gc, uid_t uid, gid_t *groups, unsigned max,
		  unsigned *ngroups, unsigned *total)
{
	gpointer key = GUINT_TO_POINTER((guint)uid);
	struct gid_cache_entry *e;
	int64_t now = g_get_monotonic_time();

	*ngroups = 0;
	if (total)
		*total = 0;
	pthread_mutex_lock(&gc->lock);
	e = g_hash_table_lookup(gc->table, key);
	if (e && e->expires_us > now) {
		gc->stats.hits++;
		gid_cache_copy(e, groups, max, ngroups, total);
		pthread_mutex_unlock(&gc->lock);
		return 0;
	}
	gc->stats.misses++;
	pthread_mutex_unlock(&gc->lock);

	e = gid_cache_fetch(gc, uid);
	if (!e)
		return 0;
	e->expires_us = g_get_monotonic_time() + gc->ttl_us;
	gid_cache_copy(e, groups, max, ngroups, total);
	pthread_mutex_lock(&gc->lock);
	if (g_hash_table_size(gc->table) >= gc->max_entries)
		gid_cache_make_room(gc, now);
	g_hash_table_replace(gc->table, key, e);
	pthread_mutex_unlock(&gc->lock);
	return 0;
}

void gid_cache_stats(struct gid_cache *gc, struct gid_cache_stats *st)
{
	pthread_mutex_lock(&gc->lock);
	*st = gc->stats;
	st->entries = g_hash_table_size(gc->table);
	pthread_mutex_unlock(&gc->lock);
}

/*
 * gid_cache.h — the server's own idea of a caller's groups (manage-gids).
 *
 * AUTH_SYS carries at most 16 supplementary groups, and users are often
 * in more. With nfs/server's manage-gids on, the groups a call runs with
 * are the ones the server's user database gives for the caller's uid
 * (getpwuid_r for the name, getgrouplist for the groups, primary group
 * included), as knfsd does with rpc.mountd --manage-gids, and whatever
 * list the credential carried is ignored. Lookups go through the name
 * service (files, LDAP...), so results are cached per uid with a TTL;
 * an unknown uid caches as "no groups" (mountd does the same).
 *
 * Thread-safe. A miss looks the user up on the caller's thread, once per
 * uid per TTL; concurrent misses for one uid may each look it up.
 */
#ifndef XLNFS_GID_CACHE_H
#define XLNFS_GID_CACHE_H

#include <grp.h>
#include <pwd.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

/* The user database functions, replaceable for tests (NULL: libc's). */
struct gid_cache_ops {
	int (*getpwuid_r)(uid_t uid, struct passwd *pwd, char *buf, size_t buflen,
			  struct passwd **result);
	int (*getgrouplist)(const char *user, gid_t group, gid_t *groups, int *ngroups);
};

struct gid_cache_config {
	unsigned ttl_ms;           /* how long a uid's groups are kept (0: 300 s) */
	size_t max_entries;        /* uids kept (0: 4096) */
	const struct gid_cache_ops *ops; /* NULL: libc; copied */
};

struct gid_cache;

struct gid_cache *gid_cache_new(const struct gid_cache_config *cfg);
void gid_cache_free(struct gid_cache *gc);

/*
 * The groups of @uid into @groups (room for @max): *@ngroups of them,
 * the first @max when the user has more (*@total says how many it has).
 * An unknown uid has none. Returns 0; the name service's
 * failures count as "no groups" for this call and are not cached.
 */
int gid_cache_get(struct gid_cache *gc, uid_t uid, gid_t *groups, unsigned max,
		  unsigned *ngroups, unsigned *total);

struct gid_cache_stats {
	uint64_t hits, misses;
	size_t entries;
};
void gid_cache_stats(struct gid_cache *gc, struct gid_cache_stats *st);

#endif

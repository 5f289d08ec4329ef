/*
 * hostcache.h — client host names, forward-confirmed, cached, and never
 * resolved on the caller's thread.
 *
 * The name of a client address is its reverse name (PTR, getnameinfo
 * with NI_NAMEREQD) only if that name resolves forward (getaddrinfo) to
 * the same address again, as mountd does: whoever controls the PTR
 * record of an address cannot claim a name that does not point back to
 * it. Results, names and "no name" alike, are cached with their own
 * TTLs. A lookup never blocks on DNS: a miss queues the address for a
 * background thread and answers HOSTCACHE_PENDING at once; the caller
 * decides what "not known yet" means (NFS refuses this call with
 * JUKEBOX so the client retries; MOUNT may wait a bounded time with
 * hostcache_lookup_wait). Callers that can decide by address should not
 * ask at all.
 *
 * Framework-level: knows nothing of NFS. Thread-safe.
 */
#ifndef XLNFS_HOSTCACHE_H
#define XLNFS_HOSTCACHE_H

#include <netdb.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

/* The resolver functions, replaceable for tests (NULL members: libc's). */
struct hostcache_resolver {
	int (*getnameinfo)(const struct sockaddr *sa, socklen_t salen, char *host,
			   socklen_t hostlen, char *serv, socklen_t servlen, int flags);
	int (*getaddrinfo)(const char *node, const char *service, const struct addrinfo *hints,
			   struct addrinfo **res);
	void (*freeaddrinfo)(struct addrinfo *res);
};

struct hostcache_config {
	unsigned positive_ttl_ms;  /* a confirmed name is kept (0: 300 s) */
	unsigned negative_ttl_ms;  /* "no name" is kept (0: 30 s) */
	size_t max_entries;        /* addresses kept (0: 4096) */
	unsigned threads;          /* resolver threads (0: 2) */
	const struct hostcache_resolver *resolver; /* NULL: libc; copied */
};

struct hostcache;

/* What a lookup knows of an address. */
enum hostcache_state {
	HOSTCACHE_NAME = 0,        /* *name is its confirmed name */
	HOSTCACHE_NONE,            /* no PTR, or a PTR that does not resolve back */
	HOSTCACHE_PENDING,         /* being resolved; ask again later */
};

/* Start a cache and its resolver threads. NULL if a thread cannot start. */
struct hostcache *hostcache_new(const struct hostcache_config *cfg);
/* Stop and free. Resolver threads busy in a slow lookup are not waited
 * for: they finish on their own and release what they hold. */
void hostcache_free(struct hostcache *hc);

/*
 * The name of @sa (IPv4, IPv6, v4-mapped IPv6 taken as IPv4; port
 * ignored). HOSTCACHE_NAME fills @name (@size bytes; lower case, no
 * trailing dot; longer than @size: HOSTCACHE_NONE). A miss or an expired entry
 * queues a resolution and answers HOSTCACHE_PENDING. Never blocks on
 * DNS (only on the cache's own lock). Unsupported families answer
 * HOSTCACHE_NONE.
 */
enum hostcache_state hostcache_lookup(struct hostcache *hc, const struct sockaddr *sa,
				      char *name, size_t size);
/* The same, but when the answer would be PENDING wait up to @wait_ms for
 * the resolution to finish. */
enum hostcache_state hostcache_lookup_wait(struct hostcache *hc, const struct sockaddr *sa,
					   char *name, size_t size, unsigned wait_ms);

/* Counters, for statedumps and tests. */
struct hostcache_stats {
	uint64_t hits, misses, resolved, confirmed, refused; /* refused: PTR not confirmed */
	size_t entries;
};
void hostcache_stats(struct hostcache *hc, struct hostcache_stats *st);

#endif

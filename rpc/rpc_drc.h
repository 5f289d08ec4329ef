/*
 * rpc_drc.h — the duplicate request cache (DRC).
 *
 * A client that gets no reply in time sends the call again with the same
 * xid, possibly over a new TCP connection from another source port. For
 * an idempotent procedure running it twice is harmless; for CREATE,
 * REMOVE, RENAME, WRITE… the second run would answer wrongly (EXIST,
 * NOENT) or do the work twice. The service therefore looks each call of a
 * procedure marked .drc up here first:
 *
 *   new          → run it, then store its encoded reply (rpc_drc_finish)
 *   in progress  → the first copy is still running: drop this one (the
 *                  client retries and then finds the reply)
 *   done         → resend the stored reply, byte for byte
 *
 * A call is known by its xid, program, version, procedure, transport,
 * the client's address AND port (two clients behind one NAT share the
 * address and may pick the same xid; the Linux client reconnects from
 * the port it had, so its retransmissions still match), its AUTH_SYS
 * uid/gid, and the length and a 64-bit hash of the call as received
 * (header, credentials and arguments), so a new call that happens to
 * reuse an xid is not mistaken for a retransmission. A call longer than
 * 2 x RPC_DRC_CSUM_EDGE bytes is hashed by its first and last
 * RPC_DRC_CSUM_EDGE bytes only (knfsd checksums the first 256): the head
 * holds everything but WRITE's data, and a reused xid from the same port,
 * user, procedure, handle, offset and length, whose data differs only
 * in the middle, is not a case worth hashing every byte of each WRITE.
 *
 * Completed entries sit on an LRU list bounded in count and bytes and
 * expire ttl after their last use. Every function is thread-safe. The
 * cache touches no sockets, so it is unit-tested on its own.
 */
#ifndef XLNFS_RPC_DRC_H
#define XLNFS_RPC_DRC_H

#include <glib.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#define RPC_DRC_DEFAULT_ENTRIES 8192
#define RPC_DRC_DEFAULT_BYTES (8u << 20)
#define RPC_DRC_DEFAULT_TTL_MS (120u * 1000)
#define RPC_DRC_CSUM_EDGE 1024u   /* bytes hashed at each end of a long call */

struct rpc_drc;
struct rpc_drc_entry;

/* What identifies one call. Build it with rpc_drc_key_init. */
struct rpc_drc_key {
	uint32_t xid, prog, vers, proc;
	uint32_t protocol;            /* IPPROTO_TCP / IPPROTO_UDP */
	uint32_t uid, gid;            /* AUTH_SYS as sent; 65534 for AUTH_NONE */
	uint32_t family;              /* AF_INET or AF_INET6 (v4-mapped → AF_INET) */
	uint8_t addr[16];             /* the address */
	uint32_t port;                /* the source port */
	uint32_t call_len;
	uint64_t csum;                /* rpc_drc_hash of the call (its ends if long) */
};

struct rpc_drc_config {
	size_t max_entries;           /* completed entries kept; 0: the default */
	size_t max_bytes;             /* their replies' bytes (plus overhead); 0: default */
	unsigned ttl_ms;              /* since last use; 0: the default */
	/* Milliseconds on a monotonic clock; NULL: g_get_monotonic_time. For
	 * tests. */
	int64_t (*now_ms)(void);
};

/* What a lookup says to do. */
enum rpc_drc_verdict {
	RPC_DRC_NEW = 0,              /* run the call; then finish or abandon */
	RPC_DRC_IN_PROGRESS,          /* a copy is running: send nothing */
	RPC_DRC_REPLAY,               /* send the stored reply again */
};

/* Counters (a snapshot). */
struct rpc_drc_stats {
	uint64_t misses;              /* new calls entered */
	uint64_t replays;             /* duplicates answered from the cache */
	uint64_t in_progress;         /* duplicates dropped while the first ran */
	uint64_t evictions;           /* completed entries pushed out by the bounds */
	uint64_t expired;             /* completed entries dropped for age */
	size_t entries;               /* completed entries now */
	size_t bytes;                 /* their accounted bytes now */
	size_t running;               /* entries in progress now */
};

/* Fill @key for a call. @peer/@peer_len: the client's address and port
 * (an IPv4-mapped IPv6 address counts as IPv4). @call/@call_len: the
 * whole call as received (the record or datagram). */
void rpc_drc_key_init(struct rpc_drc_key *key, uint32_t xid, uint32_t prog, uint32_t vers,
		      uint32_t proc, int protocol, uint32_t uid, uint32_t gid,
		      const struct sockaddr *peer, socklen_t peer_len, const void *call,
		      size_t call_len);
/* A fast 64-bit hash of @len bytes (four independent lanes of 8 bytes,
 * so a 1 MiB WRITE costs tens of microseconds, not a byte loop). */
uint64_t rpc_drc_hash(const void *data, size_t len);

/* A cache with @cfg's bounds (@cfg may be NULL: defaults). Never NULL. */
struct rpc_drc *rpc_drc_new(const struct rpc_drc_config *cfg);
/* Free the cache and every entry. No call may be in progress. NULL is a
 * no-op. */
void rpc_drc_free(struct rpc_drc *drc);

/*
 * Look @key up. RPC_DRC_NEW: the call is now in progress and *@entry is
 * its handle, to pass to exactly one of rpc_drc_finish / rpc_drc_abandon.
 * RPC_DRC_REPLAY: *@reply gets a reference to the stored reply (the RPC
 * message without TCP record mark; g_bytes_unref it). RPC_DRC_IN_PROGRESS:
 * nothing is returned.
 */
enum rpc_drc_verdict rpc_drc_lookup(struct rpc_drc *drc, const struct rpc_drc_key *key,
				    struct rpc_drc_entry **entry, GBytes **reply);
/* The call of @entry was answered with @reply (the whole RPC message,
 * without record mark): store a reference to it for duplicates. @entry is
 * no longer valid. The reply may be evicted at once if it alone exceeds
 * the byte bound. */
void rpc_drc_finish(struct rpc_drc *drc, struct rpc_drc_entry *entry, GBytes *reply);
/* The call of @entry sent no reply (dropped, or not worth caching): forget
 * it, so a retransmission runs it. @entry is no longer valid. */
void rpc_drc_abandon(struct rpc_drc *drc, struct rpc_drc_entry *entry);
/* Take a snapshot of the counters. */
void rpc_drc_get_stats(struct rpc_drc *drc, struct rpc_drc_stats *st);

#endif

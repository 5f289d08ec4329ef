/*
 * nlm4.h — the Network Lock Manager, version 4 (XNFS; RFC 1813
 * appendix II): byte-range locks for NFS v3 clients, over the
 * translators' lk fop.
 *
 *   nlm4_prot.x  the wire types (rpcgen)
 *   nlm_state.c  the lock manager's state: which client host holds locks
 *                on which file as which owner, blocked waiters, the
 *                inodes it pins, the bounds on all of it
 *   nlm4.c       the actors: resolve the handle as NFS3 does, check the
 *                range and the grace period, ask nlm_state
 *   nlm4_proc.c  the actor table and the program
 *   nlm_callback.c  telling a client its blocked lock was granted
 *   nlm_nsm.c    asking the local rpc.statd to watch client hosts
 *
 * Owners: NLM names a lock's owner by (caller_name, svid, oh), up to 2 KiB;
 * the lk fop's struct xl_lk_owner holds 64 bytes. The owner handed to
 * storage is an HMAC-SHA256 of the client's address and the three under
 * the server's secret (no client can make its owner equal another's), and
 * nlm_state keeps what the holder's TEST answer needs (svid, oh) itself.
 *
 * Locking: one mutex guards all of nlm_state, held across the lk fops it
 * makes (storage's lock tables are in memory: each call is short), so a
 * lock taken and the record of it are one step; callbacks to clients are
 * made from a work queue thread, never under it.
 */
#ifndef XLNFS_NLM4_H
#define XLNFS_NLM4_H

#include "nfs_server.h"
#include "nlm4_prot.h"

/* What one client host (address and caller_name) may make the server
 * keep, and how many hosts may hold anything at once: beyond them LOCK
 * answers NLM4_DENIED_NOLOCKS. */
#define NLM_HOST_MAX_HOLDS   4096 /* (file, owner) pairs holding locks */
#define NLM_HOST_MAX_WAITERS 64	  /* blocked LOCKs waiting (or granted, not yet told) */
#define NLM_MAX_HOSTS	     1024

struct nlm_state;

/* Who asks: the client's address and NLM's owner of the lock. */
struct nlm_who {
	const struct sockaddr *addr;
	socklen_t addr_len;
	const char *caller_name;
	int32_t svid;
	const void *oh;
	size_t oh_len;
};

/* A blocked lock that was granted, for its client to be told: the
 * arguments of an NLM4 GRANTED call (owned: nlm_grant_free) and where. */
struct nlm_grant {
	struct nlm_state *st;	      /* referenced (nlm_state_ref) */
	uint64_t waiter_id;	      /* for nlm_state_grant_answered */
	struct sockaddr_storage addr; /* the client (its port is not used) */
	socklen_t addr_len;
	nlm4_testargs args;
};
void nlm_grant_free(struct nlm_grant *g);

/* How granted waiters are told: called without the state's lock, owns
 * @g. nlm_callback_send (nlm_callback.c) in the server; tests record. */
typedef void (*nlm_grant_fn)(void *ctx, struct nlm_grant *g);

/*
 * A lock manager with no locks. Owners are keyed with the @len bytes of
 * @secret; @grace_ms after now only reclaims are granted (0: no grace
 * period). @notify(@notify_ctx, grant) tells clients of granted waiters.
 * Never NULL (aborts when out of memory, like g_malloc).
 */
struct nlm_state *nlm_state_new(const uint8_t *secret, size_t len, unsigned grace_ms,
				nlm_grant_fn notify, void *notify_ctx);
/* The server is going: every pinned inode is released now and no lock is
 * granted any more; the structure itself goes with its last reference. */
void nlm_state_free(struct nlm_state *st);
struct nlm_state *nlm_state_ref(struct nlm_state *st);
void nlm_state_unref(struct nlm_state *st);

/* Is the grace period still running? */
bool nlm_state_in_grace(struct nlm_state *st);

/* The lock manager's answers. Each takes the export's subvolume @child,
 * the caller @call (its fops run as it), the file's @inode (referenced by
 * the caller; nlm_state takes its own reference to pin it while locks or
 * waiters remain), @who, and the lock @lk (type, start, len; the owner is
 * filled in here). */

/* TEST: NLM4_GRANTED, or NLM4_DENIED with the conflicting lock in
 * *@holder (its oh malloc()ed, for xdr_free). */
nlm4_stats nlm_state_test(struct nlm_state *st, struct xl *child, struct xl_call *call,
			  struct xl_inode *inode, const struct nlm_who *who,
			  const struct xl_lock *lk, nlm4_holder *holder);
/* LOCK: NLM4_GRANTED; NLM4_DENIED on a conflict without @block; with
 * @block NLM4_BLOCKED and a waiter kept (@args copied for the GRANTED
 * call; the same LOCK sent again is the same waiter); NLM4_DENIED_NOLOCKS
 * past the bounds; NLM4_FAILED when storage fails. A LOCK that was
 * granted while it waited answers GRANTED when sent again. */
nlm4_stats nlm_state_lock(struct nlm_state *st, struct xl *child, struct xl_call *call,
			  struct xl_inode *inode, const struct nlm_who *who,
			  const struct xl_lock *lk, bool block, const nlm4_lockargs *args);
/* CANCEL: drops @who's waiter for @lk (a waiter already granted but not
 * yet told gives the lock back). NLM4_GRANTED (also when there was none,
 * as knfsd answers). */
nlm4_stats nlm_state_cancel(struct nlm_state *st, struct xl *child, struct xl_call *call,
			    struct xl_inode *inode, const struct nlm_who *who,
			    const struct xl_lock *lk);
/* UNLOCK: releases @who's hold on @lk's range, then grants the file's
 * waiters that now can be. NLM4_GRANTED, or NLM4_FAILED. */
nlm4_stats nlm_state_unlock(struct nlm_state *st, struct xl *child, struct xl_call *call,
			    struct xl_inode *inode, const struct nlm_who *who,
			    const struct xl_lock *lk);
/* UNLOCK or CANCEL of a file that is gone (its handle is ours, its
 * object @id of @child deleted): @who's locks and waiters on it are
 * dropped all the same, else they would pin it until FREE_ALL. */
void nlm_state_release_gone(struct nlm_state *st, struct xl *child, const struct xl_id *id,
			    const struct nlm_who *who);
/* FREE_ALL: every lock and waiter of the host (@addr, @caller_name) goes,
 * and other hosts' waiters are granted what that frees. */
void nlm_state_free_all(struct nlm_state *st, const struct sockaddr *addr, socklen_t addr_len,
			const char *caller_name);
/* A GRANTED call for waiter @waiter_id was answered @stat: GRANTED, the
 * client now knows (the waiter record goes); DENIED_GRACE_PERIOD, not
 * now (the record stays for the client's poll or CANCEL); anything else,
 * it no longer wants the lock, which is given back. */
void nlm_state_grant_answered(struct nlm_state *st, uint64_t waiter_id, nlm4_stats stat);

/* A client host rebooted (the local statd's notice): every lock and
 * waiter under @caller_name, from any address, goes. */
void nlm_state_free_name(struct nlm_state *st, const char *caller_name);

/* Called, without the state's lock, when client host @caller_name takes
 * its first lock (nlm_nsm_monitor in the server; tests record). */
typedef void (*nlm_monitor_fn)(void *ctx, const char *caller_name);
void nlm_state_set_monitor(struct nlm_state *st, nlm_monitor_fn monitor, void *ctx);

/* What the state holds now (tests, statedumps). */
struct nlm_state_counts {
	unsigned files; /* files pinned */
	unsigned hosts;
	unsigned holds;	  /* (file, owner) pairs */
	unsigned waiters; /* waiting or granted-not-told */
};
void nlm_state_counts(struct nlm_state *st, struct nlm_state_counts *c);

/* Tell the client of @g that its lock was granted (NLM4 GRANTED to the
 * NLM its rpcbind names at its address, over UDP), on a work queue
 * thread of @ctx (the nfs/server volume), each step bounded in time;
 * best effort: a client that cannot be reached polls with LOCK again.
 * Owns @g. */
void nlm_callback_send(void *ctx, struct nlm_grant *g);
/* One call over UDP to program @prog version @vers at @addr's address
 * (its port from the portmapper there, IPv4), each of the two exchanges
 * bounded by @ms: RPC_SUCCESS with *@res decoded (xdr_free it), or the
 * error (RPC_PROGNOTREGISTERED when the portmapper does not know it). */
enum clnt_stat nlm_rpc_call_udp(const struct sockaddr_in *addr, rpcprog_t prog, rpcvers_t vers,
				rpcproc_t proc, xdrproc_t xargs, void *args, xdrproc_t xres,
				void *res, unsigned ms);

/* Ask the local status monitor (rpc.statd, SM_MON over UDP to
 * 127.0.0.1) to watch @caller_name and call NLMPROC4_SM_NOTIFY of this
 * server when it reboots: on a work queue thread of @ctx (the nfs/server
 * volume), bounded in time, best effort (no statd: logged once, locks
 * work on, a rebooted client's locks then stay until its FREE_ALL). */
void nlm_nsm_monitor(void *ctx, const char *caller_name);

/* Actors (rpcsvc_actor_fn). */
int nlm4_svc_null(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_test(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_lock(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_cancel(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_unlock(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_granted(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_share(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_unshare(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_nm_lock(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_free_all(struct rpcsvc_request *req, void *args, void *res);
int nlm4_svc_sm_notify(struct rpcsvc_request *req, void *args, void *res);

/* Add the NLM v4 program on @port (the NFS port's listeners are shared
 * when equal) to srv->svc. */
int nlm4_program_add(struct nfs_server *srv, uint16_t port);
/* Live reload: the program serves @srv for the calls that begin now. */
void nlm4_program_switch(struct nfs_server *srv);

#endif

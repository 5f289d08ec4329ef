/*
 * rpcsvc.h — the ONC RPC service (RFC 5531) that programs plug into.
 *
 * A service owns its listeners (TCP and UDP, IPv4 and IPv6, one port per
 * distinct program port), an epoll event loop thread that only reads,
 * frames (record marking on TCP) and writes, and a pool of worker threads
 * that decode call headers and arguments, run actors, and encode replies.
 *
 * A program is a const table of actors indexed by procedure number. For
 * each call the service decodes the arguments with the actor's xdr_args
 * into a zeroed args_size buffer, calls fn(req, args, res) with a zeroed
 * res_size buffer, encodes res with xdr_res into the reply (plus the
 * optional payload, see rpcsvc_request_set_payload), sends it with one
 * writev, and xdr_free()s both. Every RFC 5531 rejection (RPC_MISMATCH,
 * AUTH_ERROR, PROG_UNAVAIL, PROG_MISMATCH, PROC_UNAVAIL, GARBAGE_ARGS,
 * SYSTEM_ERR) is answered by the service itself.
 */
#ifndef XLNFS_RPCSVC_H
#define XLNFS_RPCSVC_H

#include <rpc/rpc.h>
#include <stdbool.h>
#include <stdint.h>

#include "xlator.h"

struct rpcsvc;
struct rpcsvc_request;

/* What an actor returns. */
enum {
	RPCSVC_OK = 0,           /* encode res and reply SUCCESS */
	RPCSVC_DROP = 1,         /* send no reply (the client will retry) */
	RPCSVC_GARBAGE = 2,      /* reply GARBAGE_ARGS */
	RPCSVC_SYSTEM_ERR = 3,   /* reply SYSTEM_ERR */
};

typedef int (*rpcsvc_actor_fn)(struct rpcsvc_request *req, void *args, void *res);

struct rpcsvc_actor {
	const char *name;        /* "LOOKUP", for logs */
	rpcsvc_actor_fn fn;      /* NULL: PROC_UNAVAIL */
	xdrproc_t xdr_args;      /* NULL: the call must have no arguments */
	xdrproc_t xdr_res;       /* NULL: void result */
	size_t args_size;
	size_t res_size;
	/* Not idempotent: answer retransmissions from the duplicate request
	 * cache (rpc_drc.h) instead of running the call again. */
	bool drc;
};

struct rpcsvc_program {
	const char *name;        /* "NFS3", "MOUNT3" */
	uint32_t prog, vers;
	uint16_t port;           /* the port it is registered with rpcbind on */
	const struct rpcsvc_actor *actors; /* indexed by procedure number */
	size_t nactors;
	void *private;           /* handed to actors via rpcsvc_request_program() */
};

/* One call, valid for the actor's duration. */
struct rpcsvc_request {
	uint32_t xid, prog, vers, proc;
	uint32_t flavor;         /* AUTH_NONE or AUTH_SYS */
	/* AUTH_SYS: uid/gid/groups as sent (before any squashing);
	 * AUTH_NONE: 65534/65534. client: the peer's address. */
	struct xl_call call;
	char machine[256];       /* AUTH_SYS machine name, "" otherwise */
	int protocol;            /* IPPROTO_TCP or IPPROTO_UDP */
	const struct rpcsvc_program *program;
	struct rpcsvc *svc;
	void *priv;              /* the service's own state */
};

/* Append @len bytes at @buf after the encoded result (XDR-padded to 4),
 * to send READ data without copying. @release(@buf) runs once sent (or
 * dropped). The result's own encoding must account for the payload's
 * length word. */
void rpcsvc_request_set_payload(struct rpcsvc_request *req, void *buf, size_t len,
				void (*release)(void *buf));

struct rpcsvc_config {
	const char *listen;      /* comma list of addresses, e.g. "0.0.0.0,::" */
	bool tcp, udp;
	unsigned threads;        /* worker threads */
	size_t max_record;       /* largest TCP record (reassembled) accepted */
	bool register_rpcbind;   /* register/unregister programs with rpcbind */
	unsigned drain_ms;       /* bound on finishing in-flight calls at stop */
	unsigned max_connections;
	/* Duplicate request cache for actors marked .drc: completed entries
	 * and reply bytes kept, and their lifetime since last use (0: the
	 * defaults, 8192 entries, 8 MiB, 120 s). drc_off disables it. */
	size_t drc_entries, drc_bytes;
	unsigned drc_ttl_ms;
	bool drc_off;
	/* Accept AUTH_SYS credentials listing more than 16 groups (only the
	 * first 16 reach the request): for programs that replace the list
	 * with their own lookup (nfs/server's manage-gids). */
	bool auth_sys_any_gids;
};

/* Create a service (nothing started). Zero threads, max_record and
 * max_connections mean defaults (8, 2 MiB, 1024); listen NULL means
 * "0.0.0.0". Returns NULL on bad config (no transport, an entry of listen
 * that is not a numeric IP address). */
struct rpcsvc *rpcsvc_new(const struct rpcsvc_config *cfg);
/* Add a program (before rpcsvc_start). @prog and its actors are not
 * copied: they must stay valid until rpcsvc_free(). 0 or -errno (-EEXIST
 * for a duplicate prog/vers, -EINVAL after start). */
int rpcsvc_program_add(struct rpcsvc *svc, const struct rpcsvc_program *prog);
/* Bind a listener for every distinct program port on every address and
 * transport, start the loop and the workers, register with rpcbind (a
 * warning, not an error, when rpcbind is not running). 0 or -errno, with
 * a log message naming the address and port that failed. */
int rpcsvc_start(struct rpcsvc *svc);
/* Stop accepting, finish in-flight calls (at most drain_ms), unregister
 * from rpcbind, close every socket, stop the threads. Idempotent. */
void rpcsvc_stop(struct rpcsvc *svc);
void rpcsvc_free(struct rpcsvc *svc);
/* The port actually bound for programs added with .port = @port (it
 * differs when @port is 0: an ephemeral port, the same for TCP and UDP).
 * 0 if no program asked for @port or the service is not started. */
uint16_t rpcsvc_port(const struct rpcsvc *svc, uint16_t port);
/* The program a request is for (its private field is the program's). */
const struct rpcsvc_program *rpcsvc_request_program(const struct rpcsvc_request *req);
/* Log counters (connections, calls per program, rejections, duplicate
 * request cache). */
void rpcsvc_dump(struct rpcsvc *svc);

#endif

/*
 * rpcsvc.h — the ONC RPC service (RFC 5531) that programs plug into.
 *
 * A service owns its listeners (TCP and UDP, IPv4 and IPv6, one port per
 * distinct program port) and a set of worker threads (one per core by
 * default) that share one epoll set: the thread that receives a call
 * decodes it, runs its actor and sends the reply, after handing the
 * socket back to the others so the next call on the same connection is
 * read (and served) meanwhile. Replies that do not fit the socket wait in
 * a per-connection queue; nothing ever blocks on a client.
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

#include <netinet/in.h>
#include <rpc/rpc.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "cred.h"
#include "iobuf.h"

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
	/* Optional: called on the worker after an actor ran and its reply
	 * was sent (or dropped), before the results are freed. @res is the
	 * actor's result structure when it returned RPCSVC_OK, else NULL;
	 * @elapsed_us runs from just before the actor to after the send.
	 * For metrics: must be quick and must not block. */
	void (*observe)(void *ctx, const struct rpcsvc_request *req, const void *res,
			int64_t elapsed_us);
	void *observe_ctx;                /* observe()'s first argument */
};

typedef void (*rpcsvc_observe_fn)(void *ctx, const struct rpcsvc_request *req,
				  const void *res, int64_t elapsed_us);

/* One call, valid for the actor's duration. */
struct rpcsvc_request {
	uint32_t xid, prog, vers, proc;
	uint32_t flavor;         /* AUTH_NONE or AUTH_SYS */
	/* AUTH_SYS: uid/gid/groups as sent (before any squashing);
	 * AUTH_NONE: 65534/65534. */
	struct xl_cred cred;
	/* AUTH_SYS sent more than 16 groups and the service accepts that
	 * (accept_long_groups): cred.ngroups is 0, look the groups up. */
	bool long_groups;
	struct sockaddr_storage client; /* the peer's address and port */
	socklen_t client_len;
	char machine[256];       /* AUTH_SYS machine name, "" otherwise */
	int protocol;            /* IPPROTO_TCP or IPPROTO_UDP */
	const struct rpcsvc_program *program;
	/* program->private when the call began: what rpcsvc_request_private
	 * returns, the same for the whole call even if the program is
	 * switched meanwhile (rpcsvc_program_set_private). */
	void *program_private;
	struct rpcsvc *svc;
	void *priv;              /* the service's own state */
	/* Set by an actor that knows it: the encoded result's size in bytes
	 * at most (0: not known). A result larger than the reply's stack
	 * buffer is then encoded once into a buffer of that size, not sized
	 * by a first encoding pass (xdr_sizeof) and encoded by a second; a
	 * hint too small only costs those passes. */
	size_t res_size_hint;
};

/* The buffer the call was received into (the TCP record or the UDP
 * datagram), valid for the actor's duration; take a reference
 * (xl_iobuf_ref) to keep bytes of it longer, e.g. WRITE data that goes
 * down the graph. The call's bytes start at its data; the procedure's
 * arguments at rpcsvc_request_args_offset(). */
struct xl_iobuf *rpcsvc_request_record(struct rpcsvc_request *req);
size_t rpcsvc_request_args_offset(const struct rpcsvc_request *req);

/* Append @len bytes at @ptr (inside @iob) after the encoded result,
 * XDR-padded to 4, to send READ data without copying: the reply is
 * written with writev straight from @iob. Takes over one reference to
 * @iob, dropped once the reply is sent (or dropped). Calling it again
 * replaces the payload. The result's own encoding must account for the
 * payload's length word. */
void rpcsvc_request_set_payload(struct rpcsvc_request *req, struct xl_iobuf *iob,
				const void *ptr, size_t len);

/* A buffer of at least @size bytes for a reply's payload (one reference,
 * NULL when out of memory): page-aligned, and for large sizes taken from
 * the service's reused large buffers, so a 1 MiB READ does not fault in
 * fresh pages on every call. */
struct xl_iobuf *rpcsvc_buf_new(size_t size);

/* The largest result (encoded result plus payload, after the RPC reply
 * header) the transport can carry for @req: over UDP a datagram's
 * largest payload for the client's address family (65507 bytes for IPv4,
 * 65527 for IPv6) less the reply header; over TCP max_record; SIZE_MAX
 * for a request made up by a test (no svc). READ, READDIR and FSINFO
 * size their replies and advertised sizes by it. */
size_t rpcsvc_request_max_reply(const struct rpcsvc_request *req);
/* The largest call message (header included) the transport carries
 * from @req's client: the datagram's largest payload over UDP,
 * max_record over TCP, SIZE_MAX for a test's request. For sizing what
 * FSINFO's wtmax may promise. */
size_t rpcsvc_request_max_call(const struct rpcsvc_request *req);

struct rpcsvc_config {
	const char *listen;      /* comma list of addresses, e.g. "0.0.0.0,::" */
	bool tcp, udp;
	unsigned threads;        /* worker threads (0: one per core) */
	size_t max_record;       /* largest TCP record (reassembled) accepted */
	bool register_rpcbind;   /* register/unregister programs with rpcbind */
	unsigned drain_ms;       /* bound on rpcsvc_stop, whatever clients do */
	/* At max_connections a new client makes the service drop its oldest
	 * idle connection (nothing in flight, nothing queued); only when
	 * none is idle is the new one refused. per_client_connections
	 * (0: no limit) does the same per client address. */
	unsigned max_connections;
	unsigned per_client_connections;
	/* A connection with nothing in flight for idle_timeout_ms is closed
	 * (0: the default, 6 minutes, as knfsd). */
	unsigned idle_timeout_ms;
	/* A connection whose replies have waited for send_timeout_ms (the
	 * client does not read them, or reads a trickle: less than 64 KiB/s)
	 * is reset, whether they waited in the service's queue or
	 * unacknowledged in the kernel's send queue (0: the default, 30 s). */
	unsigned send_timeout_ms;
	/* Bytes of calls received and replies queued: per connection (beyond
	 * it the service stops reading that connection) and in total
	 * (beyond it only connections with nothing queued are read). 0: the
	 * defaults, 8 MiB and 256 MiB. */
	size_t conn_queue_bytes, queue_bytes;
	/* Accept AUTH_SYS credentials with more than 16 groups, ignoring the
	 * list (manage-gids looks the caller's groups up itself). */
	bool accept_long_groups;
	/* Duplicate request cache for actors marked .drc: completed entries
	 * and reply bytes kept, and their lifetime since last use (0: the
	 * defaults, 8192 entries, 8 MiB, 120 s). drc_off disables it. */
	size_t drc_entries, drc_bytes;
	unsigned drc_ttl_ms;
	bool drc_off;
};

/* Create a service (nothing started). Zero threads, max_record and
 * max_connections mean defaults (the cores, 2 MiB, 1024); listen NULL means
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
/* Stop accepting and reading, let in-flight calls finish and their
 * replies go out (at most drain_ms in all: a client that does not read
 * cannot hold it longer), unregister from rpcbind, close every socket,
 * stop the threads. An actor still running after drain_ms is waited for
 * (actors are not interrupted). Idempotent. */
void rpcsvc_stop(struct rpcsvc *svc);
void rpcsvc_free(struct rpcsvc *svc);
/* The port actually bound for programs added with .port = @port (it
 * differs when @port is 0: an ephemeral port, the same for TCP and UDP).
 * 0 if no program asked for @port or the service is not started. */
uint16_t rpcsvc_port(const struct rpcsvc *svc, uint16_t port);
/* The program a request is for (the one added: its address names it). */
const struct rpcsvc_program *rpcsvc_request_program(const struct rpcsvc_request *req);
/* The program's private data as the call began (req->program_private; a
 * request built by hand without it: program->private). Actors take their
 * state from here, never from program->private, which a live reload
 * switches (rpc_swap.c). */
void *rpcsvc_request_private(const struct rpcsvc_request *req);
/* Log counters (connections, calls per program, rejections, duplicate
 * request cache). */
void rpcsvc_dump(struct rpcsvc *svc);

/* A snapshot of the service's gauges and counters (tests, statedumps,
 * metrics). */
struct rpcsvc_counters {
	unsigned connections;    /* open now */
	unsigned inflight;       /* calls queued or running now */
	uint64_t calls;          /* RPC calls decoded since start */
	uint64_t drc_replays;    /* retransmissions answered from the DRC */
	uint64_t drc_in_progress; /* retransmissions dropped while the first ran */
	size_t drc_entries;      /* replies the DRC holds now */
	size_t queued_bytes;     /* calls received + replies queued, now */
	size_t queued_peak;      /* the most queued_bytes has been */
	uint64_t rx_copied;      /* record bytes copied from a read buffer */
	uint64_t rx_direct;      /* record bytes received straight into the record */
	uint64_t conns_dropped_idle, conns_dropped_stalled, conns_refused;
	uint64_t conn_arms;      /* epoll re-arms of TCP connections */
	uint64_t batched;        /* calls served right after another of their connection */
};
void rpcsvc_get_counters(struct rpcsvc *svc, struct rpcsvc_counters *c);

/* --- live hand-over (rpc_swap.c) --- */

/* Point @prog (added to @svc, which may be running) at @priv, @observe
 * and @observe_ctx for the calls that begin from now on. A call reads
 * them once as it begins (rpcsvc_request_private), so calls running keep
 * the old values. Not concurrently with itself for the same program. */
void rpcsvc_program_set_private(struct rpcsvc *svc, struct rpcsvc_program *prog, void *priv,
				rpcsvc_observe_fn observe, void *observe_ctx);
/* Return once every call that began before it has finished (however
 * many begin meanwhile): after rpcsvc_program_set_private, the old
 * private data is then no longer used and may be freed. Blocks (a
 * warning every 5 s while an actor runs long); one caller at a time. */
void rpcsvc_synchronize(struct rpcsvc *svc);

/* Test seam: @hook(@arg, iov, iovcnt) sees every reply just before it is
 * written (iov as handed to sendmsg: on TCP the record mark first). NULL
 * removes it. Set before traffic starts. */
typedef void (*rpcsvc_send_hook)(void *arg, const struct iovec *iov, int iovcnt);
void rpcsvc_set_send_hook(struct rpcsvc *svc, rpcsvc_send_hook hook, void *arg);

#endif

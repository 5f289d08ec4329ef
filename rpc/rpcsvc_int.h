/*
 * rpcsvc_int.h — the RPC service's private parts, shared by its files:
 *
 *   rpcsvc.c      configuration, program registry, start/stop, counters
 *   rpc_listen.c  binding the listening TCP and UDP sockets
 *   rpc_loop.c    the epoll event loop thread
 *   rpc_tcp.c     TCP connections: accept, read and reassemble, send
 *   rpc_udp.c     UDP datagrams: receive, send
 *   rpc_dispatch.c one call on a worker: header, program, args, actor, reply
 *   rpcbind.c     registration with the local rpcbind
 *
 * Threads: one loop thread reads and frames; worker threads (a GThreadPool)
 * run rpcsvc_dispatch() and send the replies themselves. A connection is
 * refcounted: the loop holds one reference while it watches the socket and
 * every queued or running job holds one, so a worker can still reply (or
 * fail to) after the loop has closed it; the fd is closed with the last
 * reference, never while a worker might write to it.
 */
#ifndef XLNFS_RPCSVC_INT_H
#define XLNFS_RPCSVC_INT_H

#include <glib.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "rpc_drc.h"
#include "rpc_record.h"
#include "rpcsvc.h"

#define RPCSVC_DEFAULT_THREADS 8
#define RPCSVC_DEFAULT_MAX_RECORD (2u << 20)
#define RPCSVC_DEFAULT_MAX_CONNECTIONS 1024
#define RPCSVC_CONN_MAX_INFLIGHT 64   /* stop reading a connection beyond this */
#define RPCSVC_MAX_QUEUED 4096        /* drop UDP datagrams beyond this */
#define RPCSVC_UDP_MAX 65536
#define RPCSVC_SEND_TIMEOUT_S 30      /* a client that does not read for this long is dropped */

/* Jobs pass to workers through GThreadPool's queue, whose futex-based
 * locking ThreadSanitizer cannot see; tell it about the hand-off. */
#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define RPCSVC_TSAN_RELEASE(p) __tsan_release(p)
#define RPCSVC_TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define RPCSVC_TSAN_RELEASE(p) ((void)(p))
#define RPCSVC_TSAN_ACQUIRE(p) ((void)(p))
#endif

/* What an epoll event's data.ptr points at: each begins with this tag. */
enum rpcsvc_ev_kind {
	RPCSVC_EV_WAKE = 1,
	RPCSVC_EV_LISTEN,
	RPCSVC_EV_UDP,
	RPCSVC_EV_CONN,
};

/* A listening TCP socket or a bound UDP socket. */
struct rpcsvc_listener {
	enum rpcsvc_ev_kind kind;     /* RPCSVC_EV_LISTEN or RPCSVC_EV_UDP */
	int fd;
	int family;                   /* AF_INET or AF_INET6 */
	uint16_t port;                /* bound port */
	struct sockaddr_storage addr; /* bound address (with port) */
	socklen_t addr_len;
	struct rpcsvc *svc;
};

/* An accepted TCP connection. */
struct rpcsvc_conn {
	enum rpcsvc_ev_kind kind;     /* RPCSVC_EV_CONN */
	int fd;
	gint refs;
	struct rpcsvc *svc;
	pthread_mutex_t lock;         /* serialises sends; guards the fields below */
	bool closed;                  /* the loop no longer watches it */
	bool paused;                  /* reading stopped: too many calls in flight */
	unsigned inflight;            /* jobs queued or running */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peername[INET6_ADDRSTRLEN + 8];
	struct rpc_record rec;        /* loop thread only */
};

/* One call waiting for or running on a worker. */
struct rpcsvc_job {
	struct rpcsvc *svc;
	struct rpcsvc_conn *conn;     /* TCP: a reference; NULL for UDP */
	struct rpcsvc_listener *udp;  /* UDP: the socket to answer on */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	/* UDP: the address the datagram was sent to, so the reply leaves from
	 * it even on a wildcard socket (clients use connected sockets). */
	int pktinfo_family;           /* 0: unknown */
	union {
		struct in_pktinfo v4;
		struct in6_pktinfo v6;
	} pktinfo;
	uint8_t *buf;                 /* the record or datagram (g_malloc'd) */
	size_t len;
	/* buf as an iobuf once rpcsvc_request_record() was asked for it: it
	 * owns buf then (its release g_frees it). */
	struct xl_iobuf *record;
	const void *payload;          /* rpcsvc_request_set_payload() */
	size_t payload_len;
	struct xl_iobuf *payload_iob; /* one reference, or NULL */
	/* The call's duplicate request cache entry while it runs (NULL: not
	 * cached); the reply sent is stored in it. */
	struct rpc_drc_entry *drc_entry;
};

/* The counters rpcsvc_dump() prints. */
struct rpcsvc_stats {
	gint conns_accepted, conns_refused, conns_current, conns_broken;
	gint calls, drops, rpc_mismatch, auth_error, prog_unavail, prog_mismatch,
		proc_unavail, garbage_args, system_err, udp_dropped;
};

/* The port actually bound for programs asking for a port. */
struct rpcsvc_port_map {
	uint16_t want, got;
};

struct rpcsvc {
	struct rpcsvc_config cfg;
	char *listen;                 /* cfg.listen points here (g_free) */
	char **addrs;                 /* cfg.listen, split (g_strfreev) */
	GPtrArray *programs;          /* const struct rpcsvc_program * */
	gint *prog_calls;             /* calls per program, same index */
	struct rpcsvc_port_map *ports;
	unsigned nports;
	GPtrArray *listeners;         /* struct rpcsvc_listener * */
	int epfd, wakefd, spare_fd;
	enum rpcsvc_ev_kind wake_tag;
	GThread *loop;
	GThreadPool *pool;
	GHashTable *conns;            /* struct rpcsvc_conn * set; loop thread only */
	uint8_t *rbuf;                /* the loop's read buffer (RPCSVC_UDP_MAX) */
	bool warned_limit;            /* max_connections reached once (loop only) */
	GPtrArray *closing;           /* closed this batch, loop reference still held */
	gint stopping;                /* the loop must exit */
	gint discard;                 /* drain time is over: drop queued jobs */
	pthread_mutex_t lock;         /* guards inflight, started, stopped */
	pthread_cond_t drained;       /* inflight dropped to 0 (CLOCK_MONOTONIC) */
	unsigned inflight;            /* jobs queued or running */
	bool started, stopped;
	bool rpcbind_registered;
	struct rpc_drc *drc;          /* NULL when cfg.drc_off */
	struct rpcsvc_stats stats;
};

/* rpc_listen.c: bind every listener (svc->listeners, svc->ports). 0 or -errno. */
int rpcsvc_listen_all(struct rpcsvc *svc);
/* Close and free every listener. */
void rpcsvc_listen_close_all(struct rpcsvc *svc);
/* "1.2.3.4:567" / "[::1]:567" for logs. */
void rpcsvc_addr_str(const struct sockaddr *sa, char *buf, size_t size);

/* rpc_loop.c */
int rpcsvc_loop_start(struct rpcsvc *svc);
/* Make the loop thread exit and join it. */
void rpcsvc_loop_stop(struct rpcsvc *svc);

/* rpc_tcp.c */
void rpcsvc_tcp_accept(struct rpcsvc_listener *l);
void rpcsvc_tcp_readable(struct rpcsvc_conn *conn);
/* Stop watching @conn and drop the loop's reference (loop thread, or
 * after the loop stopped). */
void rpcsvc_conn_close(struct rpcsvc_conn *conn);
/* Drop the loop's references to the connections closed since the last
 * call (after an epoll batch, whose later events may still name them). */
void rpcsvc_conn_reap(struct rpcsvc *svc);
void rpcsvc_conn_ref(struct rpcsvc_conn *conn);
void rpcsvc_conn_unref(struct rpcsvc_conn *conn);
/* Send one record made of @iov (worker thread). 0 or -errno; on failure
 * the connection is shut down. */
int rpcsvc_tcp_send(struct rpcsvc_conn *conn, const struct iovec *iov, int iovcnt);
/* Worker side: make the loop close @conn (shut it down; the loop sees the
 * hang-up). For a peer that sent garbage. */
void rpcsvc_conn_abort(struct rpcsvc_conn *conn);
/* A job of @conn finished: resume reading if it was paused. */
void rpcsvc_conn_job_done(struct rpcsvc_conn *conn);

/* rpc_udp.c */
void rpcsvc_udp_readable(struct rpcsvc_listener *l);
/* Send one datagram made of @iov to the job's peer. 0 or -errno. */
int rpcsvc_udp_send(struct rpcsvc_job *job, const struct iovec *iov, int iovcnt);

/* rpcsvc.c: queue a job on the worker pool (takes ownership of @job). */
void rpcsvc_job_submit(struct rpcsvc *svc, struct rpcsvc_job *job);
/* Free @job (its record, payload and connection reference). */
void rpcsvc_job_free(struct rpcsvc_job *job);

/* rpc_dispatch.c: handle the call in @job and send its reply, if any. */
void rpcsvc_dispatch(struct rpcsvc_job *job);

/* rpcbind.c */
/* Register every program on every transport we listen on; one warning
 * and no error when rpcbind is not reachable. */
void rpcsvc_rpcbind_register(struct rpcsvc *svc);
void rpcsvc_rpcbind_unregister(struct rpcsvc *svc);

#endif

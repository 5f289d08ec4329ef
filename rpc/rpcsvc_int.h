/*
 * rpcsvc_int.h — the RPC service's private parts, shared by its files:
 *
 *   rpcsvc.c      configuration, program registry, start/stop, counters
 *   rpc_listen.c  binding the listening TCP and UDP sockets
 *   rpc_loop.c    the worker threads around one epoll set; housekeeping
 *   rpc_tcp.c     TCP connections: accept, read and reassemble, the reply
 *                 queue, limits and timeouts
 *   rpc_outq.c    whether a peer takes the replies in the kernel's queue
 *   rpc_udp.c     UDP datagrams: receive, send
 *   rpc_dispatch.c one call: header, program, args, actor, reply
 *   rpcbind.c     registration with the local rpcbind
 *
 * Threads (leader/follower over epoll): every worker waits in epoll_wait
 * for one event. Sockets are registered EPOLLONESHOT, so an event goes to
 * one thread and the socket stays quiet until that thread re-arms it. The
 * thread that gets a connection's event flushes queued replies, takes one
 * received call (reading the socket if none is waiting), re-arms the
 * connection (EPOLLOUT too while more calls wait, so a follower takes the
 * next one at once), and only then decodes and runs the call it took:
 * calls of one connection run in parallel, nothing is handed to another
 * thread on the way, and no lock wider than the connection's is taken.
 * Having served it, the thread takes the connection's next ready call (or
 * reads again) itself, up to a bound, and re-arms only when the events
 * to wait for change (rpc_tcp.c, "Batches").
 *
 * A connection is a slot in a table that lives as long as the service, so
 * an epoll event naming a connection that was closed meanwhile still
 * points at valid memory; the event carries the slot and its generation,
 * and a stale one is ignored. Each connection has a reference count
 * (epoll's registration holds one, every call in flight holds one); its
 * slot is reused after the last.
 */
#ifndef XLNFS_RPCSVC_INT_H
#define XLNFS_RPCSVC_INT_H

#include <glib.h>
#include <pthread.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/uio.h>

#include "iobuf.h"
#include "rpc_drc.h"
#include "rpc_record.h"
#include "rpcsvc.h"

#define RPCSVC_DEFAULT_MAX_RECORD (2u << 20)
#define RPCSVC_DEFAULT_MAX_CONNECTIONS 1024
#define RPCSVC_DEFAULT_IDLE_MS (360u * 1000)
#define RPCSVC_DEFAULT_SEND_TIMEOUT_MS (30u * 1000)
#define RPCSVC_DEFAULT_CONN_QUEUE (8u << 20)
#define RPCSVC_DEFAULT_QUEUE ((size_t)256 << 20)
#define RPCSVC_CONN_MAX_INFLIGHT 64   /* stop reading a connection beyond this */
#define RPCSVC_MAX_QUEUED 4096        /* drop UDP datagrams beyond this */
#define RPCSVC_UDP_MAX 65536
#define RPCSVC_RBUF 65536             /* a worker's read buffer */
#define RPCSVC_DIRECT_MIN 4096        /* body bytes due before reading into the record */
#define RPCSVC_REPLY_IOV 5            /* mark, header+results, payload, pad */

/* Hand-offs ThreadSanitizer cannot see (epoll passes a connection from
 * the thread that re-armed it to the one that gets its next event). */
#if defined(__SANITIZE_THREAD__)
void __tsan_acquire(void *addr);
void __tsan_release(void *addr);
#define RPCSVC_TSAN_RELEASE(p) __tsan_release(p)
#define RPCSVC_TSAN_ACQUIRE(p) __tsan_acquire(p)
#else
#define RPCSVC_TSAN_RELEASE(p) ((void)(p))
#define RPCSVC_TSAN_ACQUIRE(p) ((void)(p))
#endif

/* What an epoll event's data.u64 names: the kind in the top byte; for a
 * listener its index, for a connection its slot and generation. */
enum rpcsvc_ev_kind {
	RPCSVC_EV_WAKE = 1,
	RPCSVC_EV_LISTEN,
	RPCSVC_EV_UDP,
	RPCSVC_EV_CONN,
};
#define RPCSVC_EV(kind, slot, gen) \
	((uint64_t)(kind) << 56 | (uint64_t)((slot) & 0xffffff) << 32 | (uint32_t)(gen))
#define RPCSVC_EV_KIND(u) ((enum rpcsvc_ev_kind)((u) >> 56))
#define RPCSVC_EV_SLOT(u) ((unsigned)(((u) >> 32) & 0xffffff))
#define RPCSVC_EV_GEN(u) ((uint32_t)(u))

/* A listening TCP socket or a bound UDP socket. */
struct rpcsvc_listener {
	enum rpcsvc_ev_kind kind;     /* RPCSVC_EV_LISTEN or RPCSVC_EV_UDP */
	int fd;
	unsigned index;               /* in svc->listeners */
	int family;                   /* AF_INET or AF_INET6 */
	uint16_t port;                /* bound port */
	struct sockaddr_storage addr; /* bound address (with port) */
	socklen_t addr_len;
	struct rpcsvc *svc;
};

/* A reply waiting in a connection's queue: what is left of it. */
struct rpcsvc_reply {
	struct rpcsvc_reply *next;
	struct iovec iov[RPCSVC_REPLY_IOV];
	int niov, cur;                /* entries; the first not fully sent */
	uint8_t *head;                /* our copy of the unsent non-payload bytes */
	struct xl_iobuf *payload;     /* a reference while queued */
	size_t bytes;                 /* accounted in queued */
};

/* What the housekeeper knows of a connection's kernel send queue
 * (rpc_outq.c): under the connection's lock, used by the housekeeper
 * only, reset at admission. */
struct rpcsvc_outq {
	uint64_t seen_seq;            /* the connection's last_seq at the last look */
	int64_t since_ms;             /* non-empty since, as far as known (0: not watched) */
	uint64_t queued0;             /* bytes queued then (SIOCOUTQ) */
	uint64_t acked0;              /* bytes acknowledged then (tcpi_bytes_acked) */
};

/* An accepted TCP connection (a slot of svc->slots). */
struct rpcsvc_conn {
	struct rpcsvc *svc;
	unsigned slot;
	uint32_t gen;                 /* bumped on every reuse of the slot */
	int fd;
	gint refs;                    /* 0: the slot is free */
	pthread_mutex_t lock;         /* guards what follows (not rec) */
	bool in_use;                  /* a connection lives here (conns_lock too) */
	bool closed;                  /* being torn down: no more reads or sends */
	bool released;                /* epoll forgot it and its reference went */
	bool handling;                /* a thread runs its event handler */
	bool delivered;               /* its one-shot event fired: re-arm is due */
	uint32_t armed;               /* the events last armed (0: fired since) */
	unsigned inflight;            /* calls received, waiting or running */
	size_t queued;                /* their bytes plus queued replies' */
	GQueue ready;                 /* struct rpcsvc_job: received, not taken */
	struct rpcsvc_reply *out_head, *out_tail;
	int64_t out_since_ms;         /* the queue has not emptied since */
	uint64_t out_sent;            /* bytes of queued replies sent since then */
	int64_t want_out_since_ms;    /* waiting for EPOLLOUT since (0: not) */
	gint64 last_ms;               /* last call received or reply sent (atomic) */
	uint64_t last_seq;            /* svc->activity_seq then: orders the idle */
	struct rpcsvc_outq outq;      /* the kernel's send queue, as last seen */
	struct sockaddr_storage peer;
	socklen_t peer_len;
	char peername[INET6_ADDRSTRLEN + 8];
	struct rpc_record rec;        /* the handling thread only */
	/* Bytes read but not yet framed (more than TCP_MAX_RECS calls came
	 * in one read): the handling thread only; pend_len under the lock. */
	uint8_t *pend;
	size_t pend_len, pend_off;
};

/* One call, from receipt to reply. */
struct rpcsvc_job {
	struct rpcsvc *svc;
	GList link;                   /* in conn->ready */
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
	struct xl_iobuf *rec;         /* the record or datagram (a reference) */
	uint8_t *buf;                 /* rec->data */
	size_t len;
	size_t args_off;              /* set once the header is decoded */
	size_t charged;               /* bytes accounted in queued */
	struct xl_iobuf *payload;     /* rpcsvc_request_set_payload() */
	const uint8_t *payload_ptr;
	size_t payload_len;
	/* The call's duplicate request cache entry while it runs (NULL: not
	 * cached); the reply sent is stored in it. */
	struct rpc_drc_entry *drc_entry;
};

/* One worker thread. */
struct rpcsvc_worker {
	struct rpcsvc *svc;
	GThread *thread;
	uint8_t *rbuf;                /* RPCSVC_RBUF bytes */
	struct xl_iobuf *udp_spare;   /* the next datagram's buffer */
};

/* The counters rpcsvc_dump() prints. */
struct rpcsvc_stats {
	gint conns_accepted, conns_refused, conns_current, conns_broken, conns_idle,
		conns_stalled;
	gint calls, drops, rpc_mismatch, auth_error, prog_unavail, prog_mismatch,
		proc_unavail, garbage_args, system_err, udp_dropped;
	uint64_t rx_copied, rx_direct; /* __atomic adds */
	gint conn_arms;               /* epoll_ctl re-arms of connections */
	uint64_t batched;             /* calls a worker took after another of the same connection (__atomic) */
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
	struct rpcsvc_worker *workers;
	unsigned nworkers;
	GThread *keeper;              /* housekeeping: timeouts */
	pthread_mutex_t keeper_lock;
	pthread_cond_t keeper_cond;   /* CLOCK_MONOTONIC */
	/* Connection slots: allocated once at start, freed at rpcsvc_free. */
	struct rpcsvc_conn **slots;
	unsigned nslots;
	pthread_mutex_t conns_lock;   /* accept, close, housekeeping: never per call */
	unsigned nconns;              /* slots in use and not closed */
	uint64_t activity_seq;        /* counts connections' activity (atomic) */
	GQueue free_slots;            /* GUINT_TO_POINTER(slot + 1) */
	bool warned_limit;
	gint no_accept;               /* stopping: listeners are not re-armed */
	gint no_read;                 /* stopping: no new calls are read */
	gint stopping;                /* workers must exit */
	gint discard;                 /* drain time is over: drop waiting calls */
	gint inflight;                /* jobs alive (TCP and UDP) */
	size_t queued;                /* bytes: calls in flight + replies queued (__atomic) */
	size_t queued_peak;
	pthread_mutex_t lock;         /* guards started, stopped */
	bool started, stopped;
	bool rpcbind_registered;
	struct rpc_drc *drc;          /* NULL when cfg.drc_off */
	rpcsvc_send_hook send_hook;
	void *send_hook_arg;
	struct rpcsvc_stats stats;
	/* rpc_swap.c: calls in progress under each epoch parity (__atomic) */
	unsigned swap_epoch;
	unsigned swap_active[2];
	/* rpc_loop.c: spare workers for threads blocked in a flush */
	struct rpcsvc_pool *pool;
};

/* rpc_listen.c: bind every listener (svc->listeners, svc->ports). 0 or -errno. */
int rpcsvc_listen_all(struct rpcsvc *svc);
/* Close and free every listener. */
void rpcsvc_listen_close_all(struct rpcsvc *svc);
/* "1.2.3.4:567" / "[::1]:567" for logs. */
void rpcsvc_addr_str(const struct sockaddr *sa, char *buf, size_t size);

/* rpc_loop.c */
int rpcsvc_loop_start(struct rpcsvc *svc);
/* Make the worker and housekeeping threads exit and join them. */
void rpcsvc_loop_stop(struct rpcsvc *svc);
/* Re-arm a one-shot listener or UDP socket. */
void rpcsvc_listener_rearm(struct rpcsvc_listener *l);
/* Milliseconds on the monotonic clock. */
int64_t rpcsvc_now_ms(void);

/* rpc_tcp.c */
int rpcsvc_conns_init(struct rpcsvc *svc);
/* Free every slot (after the threads stopped and connections closed). */
void rpcsvc_conns_free(struct rpcsvc *svc);
void rpcsvc_tcp_accept(struct rpcsvc_worker *w, struct rpcsvc_listener *l);
/* A connection's epoll event (@ev: data.u64 and events). */
void rpcsvc_conn_event(struct rpcsvc_worker *w, uint64_t data, uint32_t events);
/* Close @conn from any thread: no more reads or sends; epoll lets go of
 * it on its next event. */
void rpcsvc_conn_close(struct rpcsvc_conn *conn, const char *why);
/* Close every connection and release it (after the threads stopped). */
void rpcsvc_conns_close_all(struct rpcsvc *svc);
void rpcsvc_conn_ref(struct rpcsvc_conn *conn);
void rpcsvc_conn_unref(struct rpcsvc_conn *conn);
/* Send one reply record made of @iov (the record mark first; @payload is
 * the iobuf that one entry points into, or NULL). Never blocks: what the
 * socket does not take waits in the connection's queue (taking a
 * reference to @payload). 0 or -errno (the connection is closed). */
int rpcsvc_tcp_send(struct rpcsvc_conn *conn, const struct iovec *iov, int iovcnt,
		    struct xl_iobuf *payload);
/* A call of @conn that accounted @charged bytes is over. */
void rpcsvc_conn_job_done(struct rpcsvc_conn *conn, size_t charged);
/* Worker side: close @conn, whose peer sent garbage. */
void rpcsvc_conn_abort(struct rpcsvc_conn *conn);
/* Housekeeping: close idle and stalled connections. */
void rpcsvc_conns_tick(struct rpcsvc *svc);
/* Whether every connection's reply queue is empty. */
bool rpcsvc_conns_flushed(struct rpcsvc *svc);

/* rpc_outq.c: whether the kernel's send queue of @fd (@q: what the
 * last looks saw; @seq: the connection's activity sequence now) has
 * stayed non-empty for @window_ms while its peer acknowledged fewer than
 * @min_bytes. Looks (one ioctl, and a getsockopt if the queue is not
 * empty) only while the queue was non-empty at the last look or @seq
 * moved since. Always false where the kernel does not count the bytes
 * acknowledged (Linux < 4.2). The caller holds the connection's lock and
 * @fd is open. */
bool rpcsvc_outq_stalled(struct rpcsvc_outq *q, int fd, uint64_t seq, int64_t now,
			 int64_t window_ms, uint64_t min_bytes);

/* rpc_udp.c */
void rpcsvc_udp_readable(struct rpcsvc_worker *w, struct rpcsvc_listener *l);
/* Send one datagram made of @iov to the job's peer. 0 or -errno. */
int rpcsvc_udp_send(struct rpcsvc_job *job, const struct iovec *iov, int iovcnt);

/* rpcsvc.c */
/* A new job for @len bytes of @rec (takes the reference). */
struct rpcsvc_job *rpcsvc_job_new(struct rpcsvc *svc, struct xl_iobuf *rec, size_t len);
/* Serve @job on this thread and free it. */
void rpcsvc_job_run(struct rpcsvc_job *job);
/* Free @job (its buffers, payload and connection reference). */
void rpcsvc_job_free(struct rpcsvc_job *job);
/* Account @delta bytes (may be negative) in svc->queued. */
void rpcsvc_queued_add(struct rpcsvc *svc, ssize_t delta);

/* rpc_dispatch.c: handle the call in @job and send its reply, if any. */
void rpcsvc_dispatch(struct rpcsvc_job *job);

/* rpc_swap.c: a call counts itself in (the index to leave with) before
 * it takes its program's snapshot, and out once its actor and observer
 * are done. */
unsigned rpcsvc_swap_enter(struct rpcsvc *svc);
void rpcsvc_swap_leave(struct rpcsvc *svc, unsigned idx);
/* @p's private data, observer and its context as one call uses them. */
void rpcsvc_program_load(const struct rpcsvc_program *p, void **priv,
			 rpcsvc_observe_fn *observe, void **observe_ctx);

/* rpcbind.c */
/* Register every program on every transport we listen on; one warning
 * and no error when rpcbind is not reachable. */
void rpcsvc_rpcbind_register(struct rpcsvc *svc);
void rpcsvc_rpcbind_unregister(struct rpcsvc *svc);

#endif

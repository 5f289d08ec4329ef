/*
 * rpc_tcp.c — the TCP transport: accepting, reading, the reply queue,
 * limits and timeouts.
 *
 * Reading. The thread that gets a connection's event (rpcsvc_conn_event)
 * reads once: into its own read buffer, whose records are copied out into
 * buffers of their exact size (rpc_record_feed); or, in the body of a
 * large fragment (WRITE data), straight into the record (body_room), so
 * those bytes are copied once, by the kernel. It keeps the first complete
 * record to serve, queues the others on the connection's ready list, and
 * re-arms the socket before serving (EPOLLOUT as well when calls are
 * ready, which fires at once and brings a follower to take the next).
 *
 * Batches. A worker that served a call of a connection does not go back
 * to epoll_wait when more of its calls are ready: it takes the next one
 * itself (tcp_serve), and when the ready list is empty it reads the
 * socket again, as long as the connection showed it pipelines (more than
 * one call came in a read). The registration is re-armed only when it
 * fired or what it must wait for changed (tcp_settle), so a connection
 * with many calls queued costs one epoll_wait and one epoll_ctl per
 * batch, not per call, while the EPOLLOUT armed for its ready calls still
 * brings other workers to share them. A batch ends after TCP_BATCH calls
 * (the worker goes back to epoll, where the other connections' events
 * wait: one busy client cannot keep a worker forever), when the socket
 * has nothing more, or when the connection closes.
 *
 * Sending never blocks and holds the connection's lock only around a
 * non-blocking sendmsg: a reply goes straight out when nothing is queued
 * before it; what the socket does not take is queued with a reference to
 * its payload and written by whichever thread next handles the
 * connection's EPOLLOUT. Replies are whole records in the stream; their
 * order between calls is free (RPC matches them by xid).
 *
 * Bounds: a connection stops being read while it has
 * RPCSVC_CONN_MAX_INFLIGHT calls, or conn_queue_bytes of calls and
 * replies, outstanding; while the whole service holds queue_bytes, only
 * connections with nothing outstanding are read (so a flood from some
 * does not shut the others out). A connection whose replies do not drain
 * (its socket takes nothing for send_timeout_ms, or its queue never empties
 * for that long with less than RPCSVC_MIN_RATE bytes a second taken, or
 * the same of the kernel's send queue with the bytes the peer
 * acknowledged: rpc_outq.c) is reset (its last close sends RST, not a FIN
 * stuck behind the replies), and one idle for idle_timeout_ms is closed;
 * at max_connections a new client replaces the oldest idle connection.
 *
 * Lifetime: see rpcsvc_int.h. The lock order is conns_lock, then a
 * connection's lock; epoll_ctl is called under the connection's lock.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netinet/tcp.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>

#include "log.h"
#include "rpcsvc_int.h"

#define TCP_ACCEPT_BATCH 32
#define TCP_MAX_RECS 64            /* records taken out of one read */
#define TCP_BATCH 16               /* calls one worker serves in a row from a connection */
#define RPCSVC_MIN_RATE (64u << 10) /* bytes/s a stalled reader must take */

/* ------------------------------------------------------------ slots */

int rpcsvc_conns_init(struct rpcsvc *svc)
{
	svc->nslots = 2 * svc->cfg.max_connections + 64;
	svc->slots = g_new0(struct rpcsvc_conn *, svc->nslots);
	g_queue_init(&svc->free_slots);
	return 0;
}

void rpcsvc_conns_free(struct rpcsvc *svc)
{
	for (unsigned i = 0; i < svc->nslots; i++) {
		struct rpcsvc_conn *conn = svc->slots[i];

		if (!conn)
			continue;
		rpc_record_fini(&conn->rec);
		pthread_mutex_destroy(&conn->lock);
		g_free(conn);
	}
	g_free(svc->slots);
	svc->slots = NULL;
	svc->nslots = 0;
	g_queue_clear(&svc->free_slots);
}

/* A free slot (conns_lock held), NULL when all are taken. */
static struct rpcsvc_conn *tcp_slot_get(struct rpcsvc *svc)
{
	gpointer p = g_queue_pop_head(&svc->free_slots);
	struct rpcsvc_conn *conn;
	unsigned i;

	if (p)
		return svc->slots[GPOINTER_TO_UINT(p) - 1];
	for (i = 0; i < svc->nslots; i++)
		if (!svc->slots[i])
			break;
	if (i == svc->nslots)
		return NULL;
	conn = g_new0(struct rpcsvc_conn, 1);
	conn->svc = svc;
	conn->slot = i;
	conn->fd = -1;
	pthread_mutex_init(&conn->lock, NULL);
	g_atomic_pointer_set(&svc->slots[i], conn);
	return conn;
}

void rpcsvc_conn_ref(struct rpcsvc_conn *conn)
{
	g_atomic_int_inc(&conn->refs);
}

void rpcsvc_conn_unref(struct rpcsvc_conn *conn)
{
	struct rpcsvc *svc = conn->svc;

	if (!g_atomic_int_dec_and_test(&conn->refs))
		return;
	close(conn->fd);
	conn->fd = -1;
	rpc_record_fini(&conn->rec);
	pthread_mutex_lock(&svc->conns_lock);
	pthread_mutex_lock(&conn->lock);
	conn->in_use = false;
	pthread_mutex_unlock(&conn->lock);
	g_queue_push_tail(&svc->free_slots, GUINT_TO_POINTER(conn->slot + 1));
	pthread_mutex_unlock(&svc->conns_lock);
}

/* ------------------------------------------------------------ arming */

/* Whether @conn may be read now (its lock held). */
static bool tcp_may_read(const struct rpcsvc_conn *conn)
{
	const struct rpcsvc *svc = conn->svc;

	if (conn->closed || g_atomic_int_get(&svc->no_read))
		return false;
	if (conn->inflight >= RPCSVC_CONN_MAX_INFLIGHT || conn->queued >= svc->cfg.conn_queue_bytes)
		return false;
	return conn->queued == 0 ||
	       __atomic_load_n(&svc->queued, __ATOMIC_RELAXED) < svc->cfg.queue_bytes;
}

/* The events @conn's registration must wait for (its lock held):
 * readable while it may be read; writable while replies wait for room,
 * or calls are ready (or read but not framed) for another worker. */
static uint32_t tcp_want(const struct rpcsvc_conn *conn)
{
	uint32_t events = EPOLLONESHOT;

	if (tcp_may_read(conn))
		events |= EPOLLIN | EPOLLRDHUP;
	if (conn->out_head || conn->ready.length || conn->pend_len)
		events |= EPOLLOUT;
	return events;
}

/* Re-arm @conn's one-shot registration with what it waits for (its lock
 * held; only when no thread handles it, or by that thread). */
static void tcp_arm(struct rpcsvc_conn *conn)
{
	struct epoll_event ev = { .events = tcp_want(conn),
				  .data.u64 = RPCSVC_EV(RPCSVC_EV_CONN, conn->slot, conn->gen) };

	if (ev.events & EPOLLOUT) {
		if (!conn->want_out_since_ms)
			conn->want_out_since_ms = rpcsvc_now_ms();
	} else {
		conn->want_out_since_ms = 0;
	}
	conn->armed = ev.events;
	conn->delivered = false;
	g_atomic_int_inc(&conn->svc->stats.conn_arms);
	RPCSVC_TSAN_RELEASE(conn);
	if (epoll_ctl(conn->svc->epfd, EPOLL_CTL_MOD, conn->fd, &ev) < 0)
		xl_logd("rpc", XL_LOG_WARNING, "cannot watch connection from %s: %s",
			conn->peername, strerror(errno));
}

/* Re-arm @conn if its event fired or it must now wait for something
 * else (its lock held; by its handler, or when there is none). An armed
 * registration that still asks for the right events is left alone: that
 * is what makes a batch cost one epoll_ctl, not one per call. */
static void tcp_settle(struct rpcsvc_conn *conn)
{
	if (conn->delivered || conn->armed != tcp_want(conn))
		tcp_arm(conn);
}

/* Re-arm @conn if no handler will (its lock held). */
static void tcp_kick(struct rpcsvc_conn *conn)
{
	if (!conn->handling && !conn->delivered && !conn->closed)
		tcp_settle(conn);
}

/* ------------------------------------------------------------ accept */

/* Out of descriptors: accept and drop one pending connection with the
 * spare descriptor, so the listener does not spin. */
static void tcp_shed(struct rpcsvc_listener *l)
{
	struct rpcsvc *svc = l->svc;
	int fd;

	if (svc->spare_fd < 0)
		return;
	close(svc->spare_fd);
	fd = accept4(l->fd, NULL, NULL, SOCK_CLOEXEC);
	if (fd >= 0)
		close(fd);
	svc->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
}

static bool tcp_same_host(const struct sockaddr_storage *a, const struct sockaddr_storage *b)
{
	if (a->ss_family != b->ss_family)
		return false;
	if (a->ss_family == AF_INET)
		return ((const struct sockaddr_in *)a)->sin_addr.s_addr ==
		       ((const struct sockaddr_in *)b)->sin_addr.s_addr;
	if (a->ss_family == AF_INET6)
		return memcmp(&((const struct sockaddr_in6 *)a)->sin6_addr,
			      &((const struct sockaddr_in6 *)b)->sin6_addr, 16) == 0;
	return false;
}

/* Mark @conn active now (its lock held). The time is for idle_timeout_ms;
 * the sequence orders connections active within the same millisecond, so
 * "the oldest idle" is always the least recently active one. */
static void tcp_touch(struct rpcsvc *svc, struct rpcsvc_conn *conn)
{
	conn->last_ms = rpcsvc_now_ms();
	conn->last_seq = __atomic_add_fetch(&svc->activity_seq, 1, __ATOMIC_RELAXED);
}

/* The oldest idle connection (of @host if not NULL) and how many
 * connections @host has (conns_lock held). The victim comes referenced. */
static struct rpcsvc_conn *tcp_oldest_idle(struct rpcsvc *svc,
					   const struct sockaddr_storage *host, unsigned *count)
{
	struct rpcsvc_conn *best = NULL;
	uint64_t best_seq = UINT64_MAX;

	*count = 0;
	for (unsigned i = 0; i < svc->nslots; i++) {
		struct rpcsvc_conn *conn = svc->slots[i];
		bool idle;

		if (!conn || !conn->in_use)
			continue;
		pthread_mutex_lock(&conn->lock);
		if (conn->closed || (host && !tcp_same_host(&conn->peer, host))) {
			pthread_mutex_unlock(&conn->lock);
			continue;
		}
		(*count)++;
		idle = conn->inflight == 0 && !conn->out_head && !conn->handling &&
		       !conn->pend_len && rpc_record_idle(&conn->rec);
		if (idle && conn->last_seq < best_seq) {
			best = conn;
			best_seq = conn->last_seq;
		}
		pthread_mutex_unlock(&conn->lock);
	}
	if (best)
		rpcsvc_conn_ref(best);
	return best;
}

/* Take the new connection @fd, or refuse it. */
static void tcp_admit(struct rpcsvc *svc, int fd, const struct sockaddr_storage *ss,
		      socklen_t len)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLRDHUP | EPOLLONESHOT };
	struct rpcsvc_conn *conn = NULL, *victim = NULL;
	const char *why = NULL;
	unsigned count;
	int one = 1;

	pthread_mutex_lock(&svc->conns_lock);
	if (svc->cfg.per_client_connections) {
		victim = tcp_oldest_idle(svc, ss, &count);
		if (count < svc->cfg.per_client_connections) {
			if (victim)
				rpcsvc_conn_unref(victim);
			victim = NULL;
		} else if (!victim) {
			why = "per_client_connections";
		}
	}
	if (!why && !victim && svc->nconns >= svc->cfg.max_connections) {
		victim = tcp_oldest_idle(svc, NULL, &count);
		if (!victim)
			why = "max_connections, none idle";
	}
	if (!why) {
		conn = tcp_slot_get(svc);
		if (!conn)
			why = "no free slot";
	}
	if (conn) {
		pthread_mutex_lock(&conn->lock);
		conn->gen++;
		conn->fd = fd;
		conn->refs = 1; /* epoll's */
		conn->in_use = true;
		conn->closed = conn->released = conn->handling = conn->delivered = false;
		conn->armed = ev.events;
		conn->inflight = 0;
		conn->queued = 0;
		g_queue_init(&conn->ready);
		conn->out_head = conn->out_tail = NULL;
		conn->out_since_ms = 0;
		conn->out_sent = 0;
		conn->want_out_since_ms = 0;
		conn->outq = (struct rpcsvc_outq){ 0 };
		conn->pend = NULL;
		conn->pend_len = conn->pend_off = 0;
		tcp_touch(svc, conn);
		memcpy(&conn->peer, ss, len);
		conn->peer_len = len;
		rpcsvc_addr_str((struct sockaddr *)ss, conn->peername, sizeof(conn->peername));
		rpc_record_init(&conn->rec, svc->cfg.max_record);
		pthread_mutex_unlock(&conn->lock);
		svc->nconns++;
	}
	pthread_mutex_unlock(&svc->conns_lock);

	if (victim) {
		rpcsvc_conn_close(victim, "oldest idle connection, making room");
		rpcsvc_conn_unref(victim);
		g_atomic_int_inc(&svc->stats.conns_idle);
	}
	if (!conn) {
		char name[INET6_ADDRSTRLEN + 8];

		rpcsvc_addr_str((struct sockaddr *)ss, name, sizeof(name));
		xl_logd("rpc", svc->warned_limit ? XL_LOG_DEBUG : XL_LOG_WARNING,
			"refusing a connection from %s (%s)", name, why);
		svc->warned_limit = true;
		g_atomic_int_inc(&svc->stats.conns_refused);
		close(fd);
		return;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	g_atomic_int_inc(&svc->stats.conns_accepted);
	g_atomic_int_inc(&svc->stats.conns_current);
	pthread_mutex_lock(&conn->lock);
	ev.data.u64 = RPCSVC_EV(RPCSVC_EV_CONN, conn->slot, conn->gen);
	RPCSVC_TSAN_RELEASE(conn);
	if (epoll_ctl(svc->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		xl_logd("rpc", XL_LOG_WARNING, "cannot watch connection from %s: %s",
			conn->peername, strerror(errno));
		conn->closed = conn->released = true;
		pthread_mutex_unlock(&conn->lock);
		pthread_mutex_lock(&svc->conns_lock);
		svc->nconns--;
		pthread_mutex_unlock(&svc->conns_lock);
		g_atomic_int_add(&svc->stats.conns_current, -1);
		rpcsvc_conn_unref(conn);
		return;
	}
	/* Under the lock: once it is dropped the connection may close and
	 * its slot serve the next client, peername and all. */
	xl_logd("rpc", XL_LOG_DEBUG, "connection from %s", conn->peername);
	pthread_mutex_unlock(&conn->lock);
}

void rpcsvc_tcp_accept(struct rpcsvc_worker *w, struct rpcsvc_listener *l)
{
	struct rpcsvc *svc = w->svc;
	struct sockaddr_storage ss;
	socklen_t len;
	int i, fd;

	for (i = 0; i < TCP_ACCEPT_BATCH && !g_atomic_int_get(&svc->no_accept); i++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC | SOCK_NONBLOCK);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				xl_logd("rpc", XL_LOG_WARNING,
					"out of file descriptors: refusing a connection");
				tcp_shed(l);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				xl_logd("rpc", XL_LOG_WARNING, "accept: %s", strerror(errno));
			}
			break;
		}
		tcp_admit(svc, fd, &ss, len);
	}
	rpcsvc_listener_rearm(l);
}

/* ------------------------------------------------------------ closing */

void rpcsvc_conn_close(struct rpcsvc_conn *conn, const char *why)
{
	struct rpcsvc *svc = conn->svc;

	pthread_mutex_lock(&conn->lock);
	if (conn->closed || !conn->in_use) {
		pthread_mutex_unlock(&conn->lock);
		return;
	}
	conn->closed = true;
	shutdown(conn->fd, SHUT_RDWR);
	/* Make sure an event comes to let epoll go of it (a hang-up is
	 * reported whatever the interest). */
	if (!conn->handling && !conn->delivered)
		tcp_arm(conn);
	/* Under the lock, as at admission: once it is dropped the slot may
	 * serve the next client, with a new peername in place of this one. */
	xl_logd("rpc", XL_LOG_DEBUG, "connection from %s closed: %s", conn->peername, why);
	pthread_mutex_unlock(&conn->lock);
	pthread_mutex_lock(&svc->conns_lock);
	svc->nconns--;
	pthread_mutex_unlock(&svc->conns_lock);
	g_atomic_int_add(&svc->stats.conns_current, -1);
}

void rpcsvc_conn_abort(struct rpcsvc_conn *conn)
{
	rpcsvc_conn_close(conn, "not an RPC call");
}

static void tcp_reply_free(struct rpcsvc_reply *r)
{
	xl_iobuf_unref(r->payload);
	g_free(r->head);
	g_free(r);
}

/* Epoll forgets @conn, its waiting calls and replies go, and epoll's
 * reference is dropped. By the thread that consumed its last event, or
 * after the threads stopped. */
static void tcp_release(struct rpcsvc_conn *conn)
{
	struct rpcsvc *svc = conn->svc;
	struct rpcsvc_reply *out;
	GList *l;
	size_t bytes = 0;

	epoll_ctl(svc->epfd, EPOLL_CTL_DEL, conn->fd, NULL);
	pthread_mutex_lock(&conn->lock);
	out = conn->out_head;
	conn->out_head = conn->out_tail = NULL;
	for (struct rpcsvc_reply *r = out; r; r = r->next)
		bytes += r->bytes;
	conn->queued -= bytes;
	l = conn->ready.head;
	g_queue_init(&conn->ready);
	pthread_mutex_unlock(&conn->lock);
	rpcsvc_queued_add(svc, -(ssize_t)bytes);
	while (out) {
		struct rpcsvc_reply *next = out->next;

		tcp_reply_free(out);
		out = next;
	}
	while (l) {
		GList *next = l->next;

		rpcsvc_job_free(l->data);
		l = next;
	}
	rpc_record_fini(&conn->rec);
	g_free(conn->pend);
	conn->pend = NULL;
	rpcsvc_conn_unref(conn);
}

void rpcsvc_conns_close_all(struct rpcsvc *svc)
{
	for (unsigned i = 0; i < svc->nslots; i++) {
		struct rpcsvc_conn *conn = svc->slots[i];
		bool release;

		if (!conn || !conn->in_use)
			continue;
		rpcsvc_conn_close(conn, "the service stops");
		pthread_mutex_lock(&conn->lock);
		release = conn->in_use && !conn->released;
		conn->released = true;
		pthread_mutex_unlock(&conn->lock);
		if (release)
			tcp_release(conn);
	}
}

/* ------------------------------------------------------------ sending */

/* Write what the queue holds until the socket is full (its lock held).
 * 0, or -errno when the connection broke. */
static int tcp_flush(struct rpcsvc_conn *conn)
{
	struct rpcsvc *svc = conn->svc;

	while (conn->out_head) {
		struct rpcsvc_reply *r = conn->out_head;
		struct msghdr msg = { .msg_iov = r->iov + r->cur, .msg_iovlen = r->niov - r->cur };
		ssize_t n = sendmsg(conn->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN || errno == EWOULDBLOCK)
				return 0;
			return -errno;
		}
		while (r->cur < r->niov && (size_t)n >= r->iov[r->cur].iov_len) {
			n -= r->iov[r->cur].iov_len;
			r->cur++;
		}
		if (r->cur < r->niov) {
			r->iov[r->cur].iov_base = (uint8_t *)r->iov[r->cur].iov_base + n;
			r->iov[r->cur].iov_len -= n;
			continue;
		}
		conn->out_head = r->next;
		if (!conn->out_head)
			conn->out_tail = NULL;
		conn->queued -= r->bytes;
		conn->out_sent += r->bytes;
		rpcsvc_queued_add(svc, -(ssize_t)r->bytes);
		tcp_reply_free(r);
		tcp_touch(svc, conn);
	}
	conn->out_since_ms = 0;
	conn->out_sent = 0;
	return 0;
}

/* Queue what is left of @iov after @sent bytes (its lock held). */
static void tcp_enqueue(struct rpcsvc_conn *conn, const struct iovec *iov, int iovcnt,
			size_t sent, struct xl_iobuf *payload)
{
	struct rpcsvc_reply *r = g_new0(struct rpcsvc_reply, 1);
	size_t own = 0, off = 0;
	int i;

	for (i = 0; i < iovcnt; i++) {
		size_t skip = MIN(sent, iov[i].iov_len);
		const uint8_t *base = (const uint8_t *)iov[i].iov_base + skip;
		size_t len = iov[i].iov_len - skip;

		sent -= skip;
		if (len == 0)
			continue;
		r->iov[r->niov].iov_base = (void *)base;
		r->iov[r->niov].iov_len = len;
		r->niov++;
		r->bytes += len;
		if (!payload || base < payload->data || base >= payload->data + payload->size)
			own += len;
	}
	/* Bytes outside the payload (header, results, padding) live on the
	 * sender's stack: keep a copy. */
	r->head = g_malloc(own ? own : 1);
	for (i = 0; i < r->niov; i++) {
		uint8_t *base = r->iov[i].iov_base;

		if (payload && base >= payload->data && base < payload->data + payload->size)
			continue;
		memcpy(r->head + off, base, r->iov[i].iov_len);
		r->iov[i].iov_base = r->head + off;
		off += r->iov[i].iov_len;
	}
	r->payload = xl_iobuf_ref(payload);
	if (conn->out_tail)
		conn->out_tail->next = r;
	else
		conn->out_head = r;
	conn->out_tail = r;
	if (!conn->out_since_ms)
		conn->out_since_ms = rpcsvc_now_ms();
	conn->queued += r->bytes;
	rpcsvc_queued_add(conn->svc, (ssize_t)r->bytes);
}

int rpcsvc_tcp_send(struct rpcsvc_conn *conn, const struct iovec *iov, int iovcnt,
		    struct xl_iobuf *payload)
{
	struct rpcsvc *svc = conn->svc;
	struct msghdr msg = { .msg_iov = (struct iovec *)iov, .msg_iovlen = iovcnt };
	rpcsvc_send_hook hook = __atomic_load_n(&svc->send_hook, __ATOMIC_ACQUIRE);
	size_t total = 0;
	ssize_t n = 0;
	int ret = 0;

	for (int i = 0; i < iovcnt; i++)
		total += iov[i].iov_len;
	if (hook)
		hook(__atomic_load_n(&svc->send_hook_arg, __ATOMIC_RELAXED), iov, iovcnt);
	pthread_mutex_lock(&conn->lock);
	if (conn->closed) {
		ret = -EPIPE;
		goto out_unlock;
	}
	if (conn->out_head)
		ret = tcp_flush(conn);
	if (ret == 0 && !conn->out_head) {
		do
			n = sendmsg(conn->fd, &msg, MSG_DONTWAIT | MSG_NOSIGNAL);
		while (n < 0 && errno == EINTR);
		if (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK)
			ret = -errno;
		n = MAX(n, 0);
	}
	if (ret < 0)
		goto out_unlock;
	if ((size_t)n == total) {
		tcp_touch(svc, conn);
		goto out_unlock;
	}
	tcp_enqueue(conn, iov, iovcnt, (size_t)n, payload);
	tcp_kick(conn);
out_unlock:
	pthread_mutex_unlock(&conn->lock);
	if (ret < 0) {
		xl_logd("rpc", XL_LOG_WARNING, "cannot reply to %s: %s; disconnecting",
			conn->peername, strerror(-ret));
		rpcsvc_conn_close(conn, "send failed");
	}
	return ret;
}

/* ------------------------------------------------------------ reading */

/* Make jobs of the @n records in @recs (sizes @lens) received on @conn:
 * the first is returned, the others wait on the ready list. */
static struct rpcsvc_job *tcp_jobs(struct rpcsvc_conn *conn, struct xl_iobuf **recs,
				   const size_t *lens, unsigned n)
{
	struct rpcsvc *svc = conn->svc;
	struct rpcsvc_job *first = NULL;
	size_t bytes = 0;

	if (n == 0)
		return NULL;
	pthread_mutex_lock(&conn->lock);
	for (unsigned i = 0; i < n; i++) {
		struct rpcsvc_job *job = rpcsvc_job_new(svc, recs[i], lens[i]);

		rpcsvc_conn_ref(conn);
		job->conn = conn;
		memcpy(&job->peer, &conn->peer, conn->peer_len);
		job->peer_len = conn->peer_len;
		conn->inflight++;
		conn->queued += job->charged;
		bytes += job->charged;
		if (!first)
			first = job;
		else
			g_queue_push_tail_link(&conn->ready, &job->link);
	}
	tcp_touch(svc, conn);
	pthread_mutex_unlock(&conn->lock);
	rpcsvc_queued_add(svc, (ssize_t)bytes);
	return first;
}

/* Frame @n bytes at @data on @conn into at most TCP_MAX_RECS records;
 * the bytes beyond them are kept in conn->pend for the next turn, so one
 * read never queues more than TCP_MAX_RECS calls. false: bad framing (the
 * connection is closed). */
static bool tcp_frame(struct rpcsvc_conn *conn, const uint8_t *data, size_t n,
		      struct xl_iobuf **recs, size_t *lens, unsigned *nrecs)
{
	struct rpcsvc *svc = conn->svc;
	size_t off = 0;
	ssize_t used;

	while (off < n && *nrecs < TCP_MAX_RECS) {
		struct xl_iobuf *rec;
		size_t rec_len;

		used = rpc_record_feed(&conn->rec, data + off, n - off, &rec, &rec_len);
		if (used < 0) {
			xl_logd("rpc", XL_LOG_WARNING, "%s sent a record larger than %zu bytes (%s)",
				conn->peername, svc->cfg.max_record, strerror(-used));
			g_atomic_int_inc(&svc->stats.conns_broken);
			rpcsvc_conn_close(conn, "bad framing");
			return false;
		}
		off += used;
		if (rec) {
			recs[*nrecs] = rec;
			lens[(*nrecs)++] = rec_len;
		}
	}
	if (off < n) {
		uint8_t *rest = g_memdup2(data + off, n - off);

		g_free(conn->pend);
		conn->pend = rest;
		conn->pend_off = 0;
		pthread_mutex_lock(&conn->lock);
		conn->pend_len = n - off;
		pthread_mutex_unlock(&conn->lock);
	}
	return true;
}

/* Read once from @conn (its handler), or frame what an earlier read left:
 * the first call received, or NULL. */
static struct rpcsvc_job *tcp_read(struct rpcsvc_worker *w, struct rpcsvc_conn *conn)
{
	struct rpcsvc *svc = w->svc;
	struct xl_iobuf *recs[TCP_MAX_RECS];
	size_t lens[TCP_MAX_RECS];
	unsigned nrecs = 0;
	uint64_t copied = conn->rec.copied, direct = conn->rec.direct;
	uint8_t *dst;
	size_t room;
	ssize_t n;

	if (conn->pend) {
		uint8_t *pend = conn->pend;
		size_t len;

		pthread_mutex_lock(&conn->lock);
		len = conn->pend_len;
		conn->pend_len = 0;
		pthread_mutex_unlock(&conn->lock);
		conn->pend = NULL;
		tcp_frame(conn, pend, len, recs, lens, &nrecs);
		g_free(pend);
		goto out_jobs;
	}
	room = rpc_record_body_room(&conn->rec, &dst);
	if (room >= RPCSVC_DIRECT_MIN) {
		n = recv(conn->fd, dst, room, MSG_DONTWAIT);
		if (n > 0) {
			rpc_record_body_commit(&conn->rec, n, &recs[0], &lens[0]);
			nrecs = recs[0] != NULL;
		}
	} else {
		n = recv(conn->fd, w->rbuf, RPCSVC_RBUF, MSG_DONTWAIT);
	}
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return NULL;
	if (n <= 0) {
		/* strerror, not g_strerror, on the workers: GLib caches its
		 * strings behind a lock ThreadSanitizer cannot see, so a
		 * message another worker made first showed as a race */
		rpcsvc_conn_close(conn, n == 0 ? "end of stream" : strerror(errno));
		return NULL;
	}
	if (room < RPCSVC_DIRECT_MIN)
		tcp_frame(conn, w->rbuf, (size_t)n, recs, lens, &nrecs);
out_jobs:
	__atomic_add_fetch(&svc->stats.rx_copied, conn->rec.copied - copied, __ATOMIC_RELAXED);
	__atomic_add_fetch(&svc->stats.rx_direct, conn->rec.direct - direct, __ATOMIC_RELAXED);
	return tcp_jobs(conn, recs, lens, nrecs);
}

/* The handler's work: flush, take a waiting call or read one. */
static struct rpcsvc_job *tcp_work(struct rpcsvc_worker *w, struct rpcsvc_conn *conn)
{
	struct rpcsvc_job *job = NULL;
	GList *l;
	bool can_read;
	int ret = 0;

	pthread_mutex_lock(&conn->lock);
	if (conn->out_head)
		ret = tcp_flush(conn);
	l = g_queue_pop_head_link(&conn->ready);
	if (l)
		job = l->data;
	can_read = !job && ret == 0 && tcp_may_read(conn);
	pthread_mutex_unlock(&conn->lock);
	if (ret < 0)
		rpcsvc_conn_close(conn, strerror(-ret));
	else if (can_read)
		job = tcp_read(w, conn);
	return job;
}

/* The handler of @conn is done: re-arm it if due, or let epoll go of it
 * once it is closed. Whether the caller must release it (tcp_release). */
static bool tcp_handled(struct rpcsvc_conn *conn, bool *piped)
{
	bool release = false;

	pthread_mutex_lock(&conn->lock);
	conn->handling = false;
	if (piped)
		*piped = *piped || conn->ready.length > 0;
	if (conn->closed) {
		release = conn->delivered && !conn->released;
		conn->released = conn->released || release;
	} else {
		tcp_settle(conn);
	}
	pthread_mutex_unlock(&conn->lock);
	return release;
}

/* The next call of @conn for the worker that served one: a ready one,
 * or (when the connection pipelines, @piped, and nobody else handles it)
 * one read now. NULL: nothing without waiting, or its replies wait for
 * room in the socket. */
static struct rpcsvc_job *tcp_next(struct rpcsvc_worker *w, struct rpcsvc_conn *conn,
				   bool *piped)
{
	struct rpcsvc_job *job = NULL;
	GList *l;

	pthread_mutex_lock(&conn->lock);
	/* Replies waiting for room: the calls wait too (for the EPOLLOUT
	 * that says the client reads again), or a client that does not read
	 * would have every call it sent answered into memory. */
	if (conn->closed || conn->out_head) {
		pthread_mutex_unlock(&conn->lock);
		return NULL;
	}
	l = g_queue_pop_head_link(&conn->ready);
	if (l) {
		*piped = true;
		pthread_mutex_unlock(&conn->lock);
		return l->data;
	}
	if (!*piped || conn->handling || conn->delivered || !tcp_may_read(conn)) {
		pthread_mutex_unlock(&conn->lock);
		return NULL;
	}
	conn->handling = true;
	pthread_mutex_unlock(&conn->lock);
	job = tcp_work(w, conn);
	if (tcp_handled(conn, piped))
		tcp_release(conn);
	return job;
}

/* Serve @job of @conn, then the connection's next calls as long as they
 * come without waiting, at most TCP_BATCH in all. */
static void tcp_serve(struct rpcsvc_worker *w, struct rpcsvc_conn *conn, struct rpcsvc_job *job,
		      bool piped)
{
	struct rpcsvc *svc = w->svc;
	unsigned n = 1;

	/* Ours: each job's reference goes with it. */
	rpcsvc_conn_ref(conn);
	for (;;) {
		rpcsvc_job_run(job);
		if (n == TCP_BATCH || g_atomic_int_get(&svc->stopping))
			break;
		job = tcp_next(w, conn, &piped);
		if (!job)
			break;
		n++;
	}
	if (n > 1)
		__atomic_add_fetch(&svc->stats.batched, n - 1, __ATOMIC_RELAXED);
	rpcsvc_conn_unref(conn);
}

void rpcsvc_conn_event(struct rpcsvc_worker *w, uint64_t data, uint32_t events)
{
	struct rpcsvc *svc = w->svc;
	unsigned slot = RPCSVC_EV_SLOT(data);
	struct rpcsvc_conn *conn;
	struct rpcsvc_job *job;
	bool piped = false;

	if (slot >= svc->nslots)
		return;
	conn = g_atomic_pointer_get(&svc->slots[slot]);
	if (!conn)
		return;
	pthread_mutex_lock(&conn->lock);
	RPCSVC_TSAN_ACQUIRE(conn);
	if (conn->gen != RPCSVC_EV_GEN(data) || !conn->in_use || conn->released) {
		/* Stale: the slot was closed (and perhaps reused) meanwhile. */
		pthread_mutex_unlock(&conn->lock);
		return;
	}
	conn->delivered = true;
	conn->armed = 0;
	if (events & EPOLLOUT)
		conn->want_out_since_ms = 0; /* the socket takes bytes again */
	if (conn->handling) {
		/* A second event while armed twice, or while a worker reads
		 * between two calls: the handler re-arms. */
		pthread_mutex_unlock(&conn->lock);
		return;
	}
	conn->handling = true;
	pthread_mutex_unlock(&conn->lock);

	if ((events & (EPOLLERR | EPOLLHUP)) && !(events & EPOLLIN)) {
		rpcsvc_conn_close(conn, "hang-up");
		job = NULL;
	} else {
		job = tcp_work(w, conn);
	}
	if (tcp_handled(conn, &piped))
		tcp_release(conn);
	if (job)
		tcp_serve(w, conn, job, piped);
}

/* ------------------------------------------------------------ a job ends */

void rpcsvc_conn_job_done(struct rpcsvc_conn *conn, size_t charged)
{
	bool could;

	pthread_mutex_lock(&conn->lock);
	could = tcp_may_read(conn);
	conn->inflight--;
	conn->queued -= charged;
	if (!could && tcp_may_read(conn))
		tcp_kick(conn);
	pthread_mutex_unlock(&conn->lock);
}

/* ------------------------------------------------------------ housekeeping */

void rpcsvc_conns_tick(struct rpcsvc *svc)
{
	int64_t now = rpcsvc_now_ms();
	GPtrArray *idle = g_ptr_array_new(), *stalled = g_ptr_array_new();
	int64_t send_to = svc->cfg.send_timeout_ms;
	uint64_t min_bytes = (uint64_t)RPCSVC_MIN_RATE * send_to / 1000;
	guint i;

	pthread_mutex_lock(&svc->conns_lock);
	for (unsigned s = 0; s < svc->nslots; s++) {
		struct rpcsvc_conn *conn = svc->slots[s];

		if (!conn || !conn->in_use)
			continue;
		pthread_mutex_lock(&conn->lock);
		if (conn->closed) {
			/* nothing */
		} else if (conn->want_out_since_ms && now - conn->want_out_since_ms >= send_to) {
			/* The socket has not taken a byte for that long. */
			rpcsvc_conn_ref(conn);
			g_ptr_array_add(stalled, conn);
		} else if (conn->out_head && now - conn->out_since_ms >= send_to) {
			/* Replies waited all this time: did it take a fair share? */
			if (conn->out_sent < min_bytes) {
				rpcsvc_conn_ref(conn);
				g_ptr_array_add(stalled, conn);
			}
			conn->out_since_ms = now;
			conn->out_sent = 0;
		} else if (rpcsvc_outq_stalled(&conn->outq, conn->fd, conn->last_seq, now, send_to,
					       min_bytes)) {
			/* Its replies wait in the kernel, unacknowledged. */
			rpcsvc_conn_ref(conn);
			g_ptr_array_add(stalled, conn);
		} else if (!conn->inflight && !conn->out_head && !conn->handling &&
			   !conn->pend_len && rpc_record_idle(&conn->rec) &&
			   now - conn->last_ms >= (int64_t)svc->cfg.idle_timeout_ms) {
			rpcsvc_conn_ref(conn);
			g_ptr_array_add(idle, conn);
		}
		pthread_mutex_unlock(&conn->lock);
	}
	pthread_mutex_unlock(&svc->conns_lock);
	for (i = 0; i < idle->len; i++) {
		rpcsvc_conn_close(idle->pdata[i], "idle");
		g_atomic_int_inc(&svc->stats.conns_idle);
		rpcsvc_conn_unref(idle->pdata[i]);
	}
	for (i = 0; i < stalled->len; i++) {
		struct rpcsvc_conn *conn = stalled->pdata[i];
		/* Reset, not FIN: the FIN would wait behind replies the client
		 * does not take, so it would never learn, and the kernel would
		 * keep the orphaned socket and its buffers for minutes. */
		struct linger abort = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(conn->fd, SOL_SOCKET, SO_LINGER, &abort, sizeof(abort));
		xl_logd("rpc", XL_LOG_WARNING,
			"%s has not read its replies for %u ms: closing the connection",
			conn->peername, svc->cfg.send_timeout_ms);
		rpcsvc_conn_close(conn, "replies not read");
		g_atomic_int_inc(&svc->stats.conns_stalled);
		rpcsvc_conn_unref(conn);
	}
	g_ptr_array_free(idle, TRUE);
	g_ptr_array_free(stalled, TRUE);
}

bool rpcsvc_conns_flushed(struct rpcsvc *svc)
{
	bool flushed = true;

	pthread_mutex_lock(&svc->conns_lock);
	for (unsigned s = 0; s < svc->nslots && flushed; s++) {
		struct rpcsvc_conn *conn = svc->slots[s];

		if (!conn || !conn->in_use)
			continue;
		pthread_mutex_lock(&conn->lock);
		flushed = conn->closed || !conn->out_head;
		pthread_mutex_unlock(&conn->lock);
	}
	pthread_mutex_unlock(&svc->conns_lock);
	return flushed;
}

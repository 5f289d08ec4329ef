/*
 * rpc_tcp.c — the TCP transport: accepting, reading, sending.
 *
 * The loop thread accepts (refusing beyond max_connections), reads what a
 * connection has into the shared read buffer and feeds it to the
 * connection's record reassembler; each complete record becomes a job.
 * Garbage that breaks framing (a fragment header announcing more than
 * max_record) closes that connection only; so does a record that is not
 * an RPC call (rpc_dispatch.c aborts it from the worker).
 *
 * Sockets stay in blocking mode: the loop reads with MSG_DONTWAIT, and the
 * worker that owns a reply writes it whole with sendmsg under the
 * connection's lock, bounded by SO_SNDTIMEO, so replies never interleave
 * and a client that stops reading costs one worker for at most
 * RPCSVC_SEND_TIMEOUT_S before it is disconnected.
 *
 * Large fragment bodies (WRITE data) are received straight into the
 * record being assembled (rpc_record_body_room), so the payload is copied
 * once, by the kernel, between the socket and the buffer the storage
 * writes from.
 *
 * Flow control: past RPCSVC_CONN_MAX_INFLIGHT queued calls the loop stops
 * watching the connection; the worker finishing a call resumes it.
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
#define TCP_MAX_IOV 8
#define TCP_DIRECT_MIN 4096  /* body bytes due before reading into the record */

void rpcsvc_conn_ref(struct rpcsvc_conn *conn)
{
	g_atomic_int_inc(&conn->refs);
}

void rpcsvc_conn_unref(struct rpcsvc_conn *conn)
{
	if (!g_atomic_int_dec_and_test(&conn->refs))
		return;
	close(conn->fd);
	rpc_record_fini(&conn->rec);
	pthread_mutex_destroy(&conn->lock);
	g_free(conn);
}

/* Out of descriptors: accept and drop one pending connection with the
 * spare descriptor, so the level-triggered listener does not spin. */
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

static void tcp_conn_setup(struct rpcsvc *svc, int fd, const struct sockaddr_storage *ss,
			   socklen_t len)
{
	struct epoll_event ev = { .events = EPOLLIN };
	struct timeval tv = { .tv_sec = RPCSVC_SEND_TIMEOUT_S };
	struct rpcsvc_conn *conn;
	int one = 1;

	conn = g_new0(struct rpcsvc_conn, 1);
	conn->kind = RPCSVC_EV_CONN;
	conn->fd = fd;
	conn->refs = 1;
	conn->svc = svc;
	pthread_mutex_init(&conn->lock, NULL);
	rpc_record_init(&conn->rec, svc->cfg.max_record);
	memcpy(&conn->peer, ss, len);
	conn->peer_len = len;
	rpcsvc_addr_str((struct sockaddr *)ss, conn->peername, sizeof(conn->peername));
	setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	ev.data.ptr = conn;
	if (epoll_ctl(svc->epfd, EPOLL_CTL_ADD, fd, &ev) < 0) {
		xl_logd("rpc", XL_LOG_WARNING, "cannot watch connection from %s: %s",
			conn->peername, g_strerror(errno));
		rpcsvc_conn_unref(conn);
		return;
	}
	g_hash_table_add(svc->conns, conn);
	g_atomic_int_inc(&svc->stats.conns_accepted);
	g_atomic_int_inc(&svc->stats.conns_current);
	xl_logd("rpc", XL_LOG_DEBUG, "connection from %s", conn->peername);
}

void rpcsvc_tcp_accept(struct rpcsvc_listener *l)
{
	struct rpcsvc *svc = l->svc;
	struct sockaddr_storage ss;
	socklen_t len;
	int i, fd;

	for (i = 0; i < TCP_ACCEPT_BATCH; i++) {
		len = sizeof(ss);
		fd = accept4(l->fd, (struct sockaddr *)&ss, &len, SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if (errno == EMFILE || errno == ENFILE) {
				xl_logd("rpc", XL_LOG_WARNING,
					"out of file descriptors: refusing a connection");
				tcp_shed(l);
			} else if (errno != EAGAIN && errno != EWOULDBLOCK) {
				xl_logd("rpc", XL_LOG_WARNING, "accept: %s", g_strerror(errno));
			}
			return;
		}
		if (g_hash_table_size(svc->conns) >= svc->cfg.max_connections) {
			char name[INET6_ADDRSTRLEN + 8];

			rpcsvc_addr_str((struct sockaddr *)&ss, name, sizeof(name));
			xl_logd("rpc", svc->warned_limit ? XL_LOG_DEBUG : XL_LOG_WARNING,
				"%u connections already: refusing %s (max_connections)",
				svc->cfg.max_connections, name);
			svc->warned_limit = true;
			g_atomic_int_inc(&svc->stats.conns_refused);
			close(fd);
			continue;
		}
		tcp_conn_setup(svc, fd, &ss, len);
	}
}

/* Queue the record @rec (@len bytes) of @conn as a job. */
static void tcp_queue(struct rpcsvc_conn *conn, uint8_t *rec, size_t len)
{
	struct rpcsvc *svc = conn->svc;
	struct rpcsvc_job *job = g_new0(struct rpcsvc_job, 1);

	job->svc = svc;
	job->buf = rec;
	job->len = len;
	rpcsvc_conn_ref(conn);
	job->conn = conn;
	memcpy(&job->peer, &conn->peer, conn->peer_len);
	job->peer_len = conn->peer_len;
	pthread_mutex_lock(&conn->lock);
	conn->inflight++;
	if (conn->inflight >= RPCSVC_CONN_MAX_INFLIGHT && !conn->paused) {
		struct epoll_event ev = { .events = 0, .data.ptr = conn };

		if (epoll_ctl(svc->epfd, EPOLL_CTL_MOD, conn->fd, &ev) == 0)
			conn->paused = true;
	}
	pthread_mutex_unlock(&conn->lock);
	rpcsvc_job_submit(svc, job);
}

/* What recv() returned on @conn: true if there is data to use; on end of
 * stream or an error the connection is closed. */
static bool tcp_recv_ok(struct rpcsvc_conn *conn, ssize_t n)
{
	if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK || errno == EINTR))
		return false;
	if (n <= 0) {
		xl_logd("rpc", XL_LOG_DEBUG, "connection from %s closed: %s", conn->peername,
			n == 0 ? "end of stream" : g_strerror(errno));
		rpcsvc_conn_close(conn);
		return false;
	}
	return true;
}

void rpcsvc_tcp_readable(struct rpcsvc_conn *conn)
{
	struct rpcsvc *svc = conn->svc;
	uint8_t *rec, *dst;
	size_t off = 0, rec_len, room;
	ssize_t n, used;

	if (conn->closed)
		return;
	/* In the body of a large fragment (WRITE data): receive it where the
	 * record is assembled, not into the read buffer and then copied. */
	room = rpc_record_body_room(&conn->rec, &dst);
	if (room >= TCP_DIRECT_MIN) {
		n = recv(conn->fd, dst, room, MSG_DONTWAIT);
		if (!tcp_recv_ok(conn, n))
			return;
		rpc_record_body_commit(&conn->rec, n, &rec, &rec_len);
		if (rec)
			tcp_queue(conn, rec, rec_len);
		return;
	}
	n = recv(conn->fd, svc->rbuf, RPCSVC_UDP_MAX, MSG_DONTWAIT);
	if (!tcp_recv_ok(conn, n))
		return;
	while (off < (size_t)n) {
		used = rpc_record_feed(&conn->rec, svc->rbuf + off, n - off, &rec, &rec_len);
		if (used < 0) {
			xl_logd("rpc", XL_LOG_WARNING,
				"%s sent a record larger than %zu bytes: closing the connection",
				conn->peername, svc->cfg.max_record);
			g_atomic_int_inc(&svc->stats.conns_broken);
			rpcsvc_conn_close(conn);
			return;
		}
		off += used;
		if (rec)
			tcp_queue(conn, rec, rec_len);
	}
}

void rpcsvc_conn_close(struct rpcsvc_conn *conn)
{
	struct rpcsvc *svc = conn->svc;

	if (conn->closed)
		return;
	pthread_mutex_lock(&conn->lock);
	conn->closed = true;
	epoll_ctl(svc->epfd, EPOLL_CTL_DEL, conn->fd, NULL);
	shutdown(conn->fd, SHUT_RDWR);
	pthread_mutex_unlock(&conn->lock);
	g_hash_table_remove(svc->conns, conn);
	g_atomic_int_add(&svc->stats.conns_current, -1);
	g_ptr_array_add(svc->closing, conn);
}

void rpcsvc_conn_reap(struct rpcsvc *svc)
{
	guint i;

	for (i = 0; i < svc->closing->len; i++)
		rpcsvc_conn_unref(g_ptr_array_index(svc->closing, i));
	g_ptr_array_set_size(svc->closing, 0);
}

int rpcsvc_tcp_send(struct rpcsvc_conn *conn, const struct iovec *iov, int iovcnt)
{
	struct iovec v[TCP_MAX_IOV];
	struct msghdr msg = { .msg_iov = v };
	ssize_t n;
	int ret = 0;

	g_return_val_if_fail(iovcnt <= TCP_MAX_IOV, -EINVAL);
	memcpy(v, iov, iovcnt * sizeof(*iov));
	msg.msg_iovlen = iovcnt;
	pthread_mutex_lock(&conn->lock);
	while (msg.msg_iovlen > 0) {
		n = sendmsg(conn->fd, &msg, MSG_NOSIGNAL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			ret = -errno;
			break;
		}
		/* Skip what was sent (a partial write leaves the rest). */
		while (msg.msg_iovlen > 0 && (size_t)n >= msg.msg_iov->iov_len) {
			n -= msg.msg_iov->iov_len;
			msg.msg_iov++;
			msg.msg_iovlen--;
		}
		if (msg.msg_iovlen > 0) {
			msg.msg_iov->iov_base = (uint8_t *)msg.msg_iov->iov_base + n;
			msg.msg_iov->iov_len -= n;
		}
	}
	if (ret < 0) {
		if (!conn->closed)
			xl_logd("rpc", XL_LOG_WARNING, "cannot reply to %s: %s; disconnecting",
				conn->peername,
				ret == -EAGAIN ? "it does not read its replies" : g_strerror(-ret));
		/* The loop sees the hang-up and closes the connection. */
		shutdown(conn->fd, SHUT_RDWR);
	}
	pthread_mutex_unlock(&conn->lock);
	return ret;
}

void rpcsvc_conn_abort(struct rpcsvc_conn *conn)
{
	pthread_mutex_lock(&conn->lock);
	if (!conn->closed)
		shutdown(conn->fd, SHUT_RDWR);
	pthread_mutex_unlock(&conn->lock);
}

void rpcsvc_conn_job_done(struct rpcsvc_conn *conn)
{
	pthread_mutex_lock(&conn->lock);
	conn->inflight--;
	if (conn->paused && !conn->closed && conn->inflight <= RPCSVC_CONN_MAX_INFLIGHT / 2) {
		struct epoll_event ev = { .events = EPOLLIN, .data.ptr = conn };

		if (epoll_ctl(conn->svc->epfd, EPOLL_CTL_MOD, conn->fd, &ev) == 0)
			conn->paused = false;
	}
	pthread_mutex_unlock(&conn->lock);
}

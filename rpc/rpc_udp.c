/*
 * rpc_udp.c — the UDP transport: one call per datagram, one reply per
 * datagram sent back to the source address.
 *
 * The loop receives into its read buffer and copies each datagram into a
 * job buffer of exactly its size. When the workers are hopelessly behind
 * (RPCSVC_MAX_QUEUED calls queued) datagrams are dropped: UDP clients
 * retransmit. Truncated datagrams (larger than RPCSVC_UDP_MAX) are dropped.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "rpcsvc_int.h"

void rpcsvc_udp_readable(struct rpcsvc_listener *l)
{
	struct rpcsvc *svc = l->svc;
	struct rpcsvc_job *job;
	struct sockaddr_storage ss;
	struct iovec iov = { .iov_base = svc->rbuf, .iov_len = RPCSVC_UDP_MAX };
	struct msghdr msg = {
		.msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov, .msg_iovlen = 1
	};
	ssize_t n;
	bool busy;

	n = recvmsg(l->fd, &msg, MSG_DONTWAIT);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			xl_logd("rpc", XL_LOG_DEBUG, "udp recvmsg: %s", g_strerror(errno));
		return;
	}
	pthread_mutex_lock(&svc->lock);
	busy = svc->inflight >= RPCSVC_MAX_QUEUED;
	pthread_mutex_unlock(&svc->lock);
	if ((msg.msg_flags & MSG_TRUNC) || n == 0 || busy) {
		g_atomic_int_inc(&svc->stats.udp_dropped);
		return;
	}
	job = g_new0(struct rpcsvc_job, 1);
	job->svc = svc;
	job->udp = l;
	memcpy(&job->peer, &ss, msg.msg_namelen);
	job->peer_len = msg.msg_namelen;
	job->buf = g_malloc(n);
	memcpy(job->buf, svc->rbuf, n);
	job->len = n;
	rpcsvc_job_submit(svc, job);
}

int rpcsvc_udp_send(struct rpcsvc_job *job, const struct iovec *iov, int iovcnt)
{
	struct msghdr msg = {
		.msg_name = &job->peer,
		.msg_namelen = job->peer_len,
		.msg_iov = (struct iovec *)iov,
		.msg_iovlen = iovcnt,
	};

	while (sendmsg(job->udp->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

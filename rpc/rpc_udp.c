/*
 * rpc_udp.c — the UDP transport: one call per datagram, one reply per
 * datagram sent back to the source address.
 *
 * The loop receives into its read buffer and copies each datagram into a
 * job buffer of exactly its size. When the workers are hopelessly behind
 * (RPCSVC_MAX_QUEUED calls queued) datagrams are dropped: UDP clients
 * retransmit. Truncated datagrams (larger than RPCSVC_UDP_MAX) are dropped.
 * Each reply leaves from the address its call was sent to (IP_PKTINFO /
 * IPV6_PKTINFO), since a client's connected UDP socket ignores replies
 * from any other address of a multi-homed server.
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
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control;
	struct msghdr msg = {
		.msg_name = &ss, .msg_namelen = sizeof(ss), .msg_iov = &iov, .msg_iovlen = 1,
		.msg_control = &control, .msg_controllen = sizeof(control),
	};
	struct cmsghdr *cm;
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
	for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
		if (cm->cmsg_level == IPPROTO_IP && cm->cmsg_type == IP_PKTINFO) {
			memcpy(&job->pktinfo.v4, CMSG_DATA(cm), sizeof(job->pktinfo.v4));
			job->pktinfo_family = AF_INET;
		} else if (cm->cmsg_level == IPPROTO_IPV6 && cm->cmsg_type == IPV6_PKTINFO) {
			memcpy(&job->pktinfo.v6, CMSG_DATA(cm), sizeof(job->pktinfo.v6));
			job->pktinfo_family = AF_INET6;
		}
	}
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
	union {
		struct cmsghdr align;
		uint8_t buf[CMSG_SPACE(sizeof(struct in6_pktinfo))];
	} control;
	struct cmsghdr *cm;

	memset(&control, 0, sizeof(control));
	msg.msg_control = &control;
	cm = (struct cmsghdr *)control.buf;
	if (job->pktinfo_family == AF_INET) {
		struct in_pktinfo pi = { .ipi_spec_dst = job->pktinfo.v4.ipi_addr };

		cm->cmsg_level = IPPROTO_IP;
		cm->cmsg_type = IP_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(pi));
		memcpy(CMSG_DATA(cm), &pi, sizeof(pi));
		msg.msg_controllen = CMSG_SPACE(sizeof(pi));
	} else if (job->pktinfo_family == AF_INET6) {
		cm->cmsg_level = IPPROTO_IPV6;
		cm->cmsg_type = IPV6_PKTINFO;
		cm->cmsg_len = CMSG_LEN(sizeof(job->pktinfo.v6));
		memcpy(CMSG_DATA(cm), &job->pktinfo.v6, sizeof(job->pktinfo.v6));
		msg.msg_controllen = CMSG_SPACE(sizeof(job->pktinfo.v6));
	} else {
		msg.msg_control = NULL;
	}

	while (sendmsg(job->udp->fd, &msg, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		if (errno != EINTR)
			return -errno;
	}
	return 0;
}

/*
 * rpc_udp.c — the UDP transport: one call per datagram, one reply per
 * datagram sent back to the source address.
 *
 * A worker receives each datagram into a buffer of its own (a spare
 * xl_iobuf of RPCSVC_UDP_MAX bytes), re-arms the socket so another worker
 * takes the next datagram, and serves the call. A large datagram (a UDP
 * WRITE) becomes the call's buffer as it is and the worker gets a new
 * spare next time; a small one is copied into a buffer of its size, so
 * 64 KiB are not held per small call. When the service is hopelessly
 * behind (RPCSVC_MAX_QUEUED calls in flight) datagrams are dropped: UDP
 * clients retransmit. Truncated datagrams (larger than RPCSVC_UDP_MAX, which
 * holds the largest UDP payload of IPv4 and IPv6) are dropped.
 * A reply must fit one datagram (65507 bytes over IPv4, 65527 over IPv6):
 * the procedures size theirs by rpcsvc_request_max_reply, and one that
 * does not fit is not sent (the client times out) and logged as the
 * server's bug it is.
 * Each reply leaves from the address its call was sent to (IP_PKTINFO /
 * IPV6_PKTINFO), since a client's connected UDP socket ignores replies
 * from any other address of a multi-homed server.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "log.h"
#include "rpcsvc_int.h"

/* Datagrams up to this size are copied out of the spare buffer. */
#define UDP_COPY_MAX 4096

void rpcsvc_udp_readable(struct rpcsvc_worker *w, struct rpcsvc_listener *l)
{
	struct rpcsvc *svc = l->svc;
	struct rpcsvc_job *job;
	struct xl_iobuf *rec;
	struct sockaddr_storage ss;
	struct iovec iov;
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

	if (!w->udp_spare)
		w->udp_spare = xl_iobuf_new(RPCSVC_UDP_MAX);
	if (!w->udp_spare) {
		rpcsvc_listener_rearm(l);
		return;
	}
	iov = (struct iovec){ .iov_base = w->udp_spare->data, .iov_len = RPCSVC_UDP_MAX };
	n = recvmsg(l->fd, &msg, MSG_DONTWAIT);
	rpcsvc_listener_rearm(l);
	if (n < 0) {
		if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
			xl_logd("rpc", XL_LOG_DEBUG, "udp recvmsg: %s", strerror(errno));
		return;
	}
	if ((msg.msg_flags & MSG_TRUNC) || n == 0 ||
	    g_atomic_int_get(&svc->inflight) >= RPCSVC_MAX_QUEUED) {
		g_atomic_int_inc(&svc->stats.udp_dropped);
		return;
	}
	if (n <= UDP_COPY_MAX) {
		rec = rpc_record_buf_new(n);
		if (!rec)
			return;
		memcpy(rec->data, w->udp_spare->data, n);
		__atomic_add_fetch(&svc->stats.rx_copied, (uint64_t)n, __ATOMIC_RELAXED);
	} else {
		rec = w->udp_spare;
		w->udp_spare = NULL;
		__atomic_add_fetch(&svc->stats.rx_direct, (uint64_t)n, __ATOMIC_RELAXED);
	}
	job = rpcsvc_job_new(svc, rec, n);
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
	rpcsvc_job_run(job);
}

/* A reply larger than a datagram: say so once loudly, then quietly. */
static void udp_too_big(const struct iovec *iov, int iovcnt)
{
	static int warned;
	size_t len = 0;
	int i;

	for (i = 0; i < iovcnt; i++)
		len += iov[i].iov_len;
	xl_logd("rpc",
		g_atomic_int_compare_and_exchange(&warned, 0, 1) ? XL_LOG_WARNING : XL_LOG_DEBUG,
		"udp reply of %zu bytes does not fit a datagram: not sent", len);
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
	rpcsvc_send_hook hook = __atomic_load_n(&job->svc->send_hook, __ATOMIC_ACQUIRE);

	if (hook)
		hook(__atomic_load_n(&job->svc->send_hook_arg, __ATOMIC_RELAXED), iov, iovcnt);
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
		int err = errno;

		if (err == EMSGSIZE)
			udp_too_big(iov, iovcnt);
		if (err != EINTR)
			return -err;
	}
	return 0;
}

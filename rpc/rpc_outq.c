/*
 * rpc_outq.c — whether a connection's peer takes the replies waiting in
 * the kernel's send queue, for the housekeeper (rpcsvc_conns_tick).
 *
 * The reply queue of rpc_tcp.c only holds what the socket refused. A
 * client that pipelines calls and never reads can leave all its replies
 * in the kernel instead (up to the send buffer, tcp_wmem's maximum, some
 * megabytes), where nothing in user space waits and send_timeout_ms
 * would never fire; hundreds of such connections pin the host's TCP
 * memory. So the housekeeper also looks at the kernel's queue: SIOCOUTQ
 * (bytes written and not yet acknowledged) and TCP_INFO's
 * tcpi_bytes_acked (Linux 4.2 and later; on older kernels nothing is
 * judged here).
 *
 * The rule is the one for the reply queue: the queue stayed non-empty
 * for send_timeout_ms and the peer acknowledged less than the minimum
 * rate's worth meanwhile. "Stayed non-empty" is what a sampler can
 * prove: fewer bytes were acknowledged than were queued when the window
 * began, so the queue never emptied. Once the peer has taken all of
 * those bytes, the window starts again from what is queued then: a
 * client whose replies are only in flight (it reads what it asked for,
 * however slowly) is never judged, and one that keeps P bytes waiting
 * must take the lesser of P and the minimum rate's worth every window,
 * so holding megabytes costs reading at the minimum rate.
 *
 * Cost: a connection is looked at only while it is watched (its queue
 * was non-empty at the last look) or when it was active since (its
 * activity sequence moved); an idle connection costs a comparison. A
 * look is one ioctl, plus one getsockopt when the queue is not empty.
 */
#include "config.h"

#include <errno.h>
#include <linux/sockios.h>
#include <linux/tcp.h>
#include <stddef.h>
#include <sys/ioctl.h>

#include "rpcsvc_int.h"

/* The bytes @fd's peer has acknowledged so far. 0, -EOPNOTSUPP (the
 * kernel does not count them) or -errno. */
static int outq_acked(int fd, uint64_t *acked)
{
	struct tcp_info ti;
	socklen_t len = sizeof(ti);

	if (getsockopt(fd, IPPROTO_TCP, TCP_INFO, &ti, &len) < 0)
		return -errno;
	if (len < offsetof(struct tcp_info, tcpi_bytes_acked) + sizeof(ti.tcpi_bytes_acked))
		return -EOPNOTSUPP;
	*acked = ti.tcpi_bytes_acked;
	return 0;
}

/* Start a window at @now, with @queued bytes in the queue and @acked
 * acknowledged so far. */
static void outq_begin(struct rpcsvc_outq *q, int64_t now, uint64_t queued, uint64_t acked)
{
	q->since_ms = now;
	q->queued0 = queued;
	q->acked0 = acked;
}

bool rpcsvc_outq_stalled(struct rpcsvc_outq *q, int fd, uint64_t seq, int64_t now,
			 int64_t window_ms, uint64_t min_bytes)
{
	uint64_t acked = 0, taken;
	int queued;

	if (!q->since_ms && q->seen_seq == seq)
		return false; /* quiet since the last look: nothing new queued */
	q->seen_seq = seq;
	if (ioctl(fd, SIOCOUTQ, &queued) < 0 || queued <= 0 || outq_acked(fd, &acked) < 0) {
		q->since_ms = 0;
		return false;
	}
	if (!q->since_ms) {
		outq_begin(q, now, (uint64_t)queued, acked);
		return false;
	}
	taken = acked - q->acked0;
	if (taken >= q->queued0) {
		/* What was queued then is gone: the queue turned over. */
		outq_begin(q, now, (uint64_t)queued, acked);
		return false;
	}
	if (now - q->since_ms < window_ms)
		return false;
	if (taken < min_bytes)
		return true;
	outq_begin(q, now, (uint64_t)queued, acked);
	return false;
}

/*
 * rpc_loop.c — the service's event loop thread.
 *
 * One epoll set holds the listening TCP sockets, the UDP sockets, every
 * connection and an eventfd used to wake the loop when it must stop. The
 * loop only accepts, reads, frames and queues calls; workers do the rest.
 * Level-triggered: each wake-up reads at most one buffer per socket, so a
 * busy client cannot starve the others.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include "log.h"
#include "rpcsvc_int.h"

#define LOOP_MAX_EVENTS 64

static void loop_handle(struct rpcsvc *svc, struct epoll_event *ev)
{
	enum rpcsvc_ev_kind *kind = ev->data.ptr;

	switch (*kind) {
	case RPCSVC_EV_WAKE: {
		uint64_t v;

		if (read(svc->wakefd, &v, sizeof(v)) < 0 && errno != EAGAIN)
			xl_logd("rpc", XL_LOG_DEBUG, "eventfd read: %s", g_strerror(errno));
		break;
	}
	case RPCSVC_EV_LISTEN:
		rpcsvc_tcp_accept((struct rpcsvc_listener *)kind);
		break;
	case RPCSVC_EV_UDP:
		rpcsvc_udp_readable((struct rpcsvc_listener *)kind);
		break;
	case RPCSVC_EV_CONN:
		rpcsvc_tcp_readable((struct rpcsvc_conn *)kind);
		break;
	}
}

static gpointer loop_thread(gpointer data)
{
	struct rpcsvc *svc = data;
	struct epoll_event evs[LOOP_MAX_EVENTS];
	int i, n;

	while (!g_atomic_int_get(&svc->stopping)) {
		n = epoll_wait(svc->epfd, evs, LOOP_MAX_EVENTS, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			xl_logd("rpc", XL_LOG_ERROR, "epoll_wait: %s", g_strerror(errno));
			break;
		}
		/* A connection closed while handling one event may appear later
		 * in the same batch: closing never frees it here (the loop's
		 * reference is dropped only after the batch, see rpc_tcp.c). */
		/* Connections first, then listeners: hang-ups in this batch
		 * free their slots before new connections are counted against
		 * max_connections. */
		for (i = 0; i < n && !g_atomic_int_get(&svc->stopping); i++)
			if (*(enum rpcsvc_ev_kind *)evs[i].data.ptr != RPCSVC_EV_LISTEN)
				loop_handle(svc, &evs[i]);
		for (i = 0; i < n && !g_atomic_int_get(&svc->stopping); i++)
			if (*(enum rpcsvc_ev_kind *)evs[i].data.ptr == RPCSVC_EV_LISTEN)
				loop_handle(svc, &evs[i]);
		rpcsvc_conn_reap(svc);
	}
	return NULL;
}

int rpcsvc_loop_start(struct rpcsvc *svc)
{
	struct epoll_event ev = { .events = EPOLLIN };
	guint i;
	int ret;

	svc->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (svc->epfd < 0)
		return -errno;
	svc->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (svc->wakefd < 0)
		return -errno;
	svc->wake_tag = RPCSVC_EV_WAKE;
	ev.data.ptr = &svc->wake_tag;
	if (epoll_ctl(svc->epfd, EPOLL_CTL_ADD, svc->wakefd, &ev) < 0)
		return -errno;
	for (i = 0; i < svc->listeners->len; i++) {
		struct rpcsvc_listener *l = g_ptr_array_index(svc->listeners, i);

		ev.data.ptr = l;
		if (epoll_ctl(svc->epfd, EPOLL_CTL_ADD, l->fd, &ev) < 0)
			return -errno;
	}
	svc->loop = g_thread_try_new("rpc-loop", loop_thread, svc, NULL);
	if (!svc->loop) {
		ret = -EAGAIN;
		return ret;
	}
	return 0;
}

void rpcsvc_loop_stop(struct rpcsvc *svc)
{
	uint64_t one = 1;

	if (!svc->loop)
		return;
	g_atomic_int_set(&svc->stopping, 1);
	if (write(svc->wakefd, &one, sizeof(one)) < 0)
		xl_logd("rpc", XL_LOG_ERROR, "eventfd write: %s", g_strerror(errno));
	g_thread_join(svc->loop);
	svc->loop = NULL;
}

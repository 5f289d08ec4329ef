/*
 * rpc_loop.c — the worker threads and the housekeeping thread.
 *
 * One epoll set holds the listening TCP sockets, the UDP sockets, every
 * connection (all EPOLLONESHOT) and an eventfd that wakes everybody when
 * the service stops (level-triggered and never read, so every worker sees
 * it). Each worker waits for ONE event and handles it itself, serving any
 * call it receives (rpc_tcp.c, rpc_udp.c): while it serves, the others
 * wait for the next event — leader/follower without a promotion step,
 * since the kernel wakes one exclusive epoll waiter per event.
 *
 * The housekeeping thread wakes a few times a second to close idle
 * connections and those whose replies do not drain (rpc_tcp.c); it takes
 * no part in serving calls.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rpcsvc_int.h"

#define LOOP_KEEPER_MAX_MS 250

int64_t rpcsvc_now_ms(void)
{
	return g_get_monotonic_time() / 1000;
}

void rpcsvc_listener_rearm(struct rpcsvc_listener *l)
{
	struct epoll_event ev = { .events = EPOLLIN | EPOLLONESHOT,
				  .data.u64 = RPCSVC_EV(l->kind, l->index, 0) };

	if (g_atomic_int_get(&l->svc->no_accept) && l->kind == RPCSVC_EV_LISTEN)
		return;
	if (epoll_ctl(l->svc->epfd, EPOLL_CTL_MOD, l->fd, &ev) < 0)
		xl_logd("rpc", XL_LOG_DEBUG, "re-arming a listener: %s", strerror(errno));
}

static void loop_handle(struct rpcsvc_worker *w, const struct epoll_event *ev)
{
	struct rpcsvc *svc = w->svc;
	uint64_t u = ev->data.u64;

	switch (RPCSVC_EV_KIND(u)) {
	case RPCSVC_EV_WAKE:
		break;
	case RPCSVC_EV_LISTEN:
		rpcsvc_tcp_accept(w, g_ptr_array_index(svc->listeners, RPCSVC_EV_SLOT(u)));
		break;
	case RPCSVC_EV_UDP:
		rpcsvc_udp_readable(w, g_ptr_array_index(svc->listeners, RPCSVC_EV_SLOT(u)));
		break;
	case RPCSVC_EV_CONN:
		rpcsvc_conn_event(w, u, ev->events);
		break;
	}
}

static gpointer loop_worker(gpointer data)
{
	struct rpcsvc_worker *w = data;
	struct rpcsvc *svc = w->svc;
	struct epoll_event ev;
	int n;

	while (!g_atomic_int_get(&svc->stopping)) {
		n = epoll_wait(svc->epfd, &ev, 1, -1);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			xl_logd("rpc", XL_LOG_ERROR, "epoll_wait: %s", strerror(errno));
			break;
		}
		if (n == 1)
			loop_handle(w, &ev);
	}
	return NULL;
}

/* How often the housekeeper looks: a quarter of the shortest timeout. */
static unsigned loop_keeper_period(const struct rpcsvc *svc)
{
	unsigned ms = MIN(svc->cfg.idle_timeout_ms, svc->cfg.send_timeout_ms) / 4;

	return CLAMP(ms, 10, LOOP_KEEPER_MAX_MS);
}

static gpointer loop_keeper(gpointer data)
{
	struct rpcsvc *svc = data;
	unsigned period = loop_keeper_period(svc);
	struct timespec ts;

	pthread_mutex_lock(&svc->keeper_lock);
	while (!g_atomic_int_get(&svc->stopping)) {
		clock_gettime(CLOCK_MONOTONIC, &ts);
		ts.tv_nsec += (long)period * 1000000;
		ts.tv_sec += ts.tv_nsec / 1000000000;
		ts.tv_nsec %= 1000000000;
		pthread_cond_timedwait(&svc->keeper_cond, &svc->keeper_lock, &ts);
		if (g_atomic_int_get(&svc->stopping))
			break;
		pthread_mutex_unlock(&svc->keeper_lock);
		rpcsvc_conns_tick(svc);
		pthread_mutex_lock(&svc->keeper_lock);
	}
	pthread_mutex_unlock(&svc->keeper_lock);
	return NULL;
}

int rpcsvc_loop_start(struct rpcsvc *svc)
{
	struct epoll_event ev = { .events = EPOLLIN };
	guint i;

	svc->epfd = epoll_create1(EPOLL_CLOEXEC);
	if (svc->epfd < 0)
		return -errno;
	svc->wakefd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (svc->wakefd < 0)
		return -errno;
	ev.data.u64 = RPCSVC_EV(RPCSVC_EV_WAKE, 0, 0);
	if (epoll_ctl(svc->epfd, EPOLL_CTL_ADD, svc->wakefd, &ev) < 0)
		return -errno;
	for (i = 0; i < svc->listeners->len; i++) {
		struct rpcsvc_listener *l = g_ptr_array_index(svc->listeners, i);

		l->index = i;
		ev.events = EPOLLIN | EPOLLONESHOT;
		ev.data.u64 = RPCSVC_EV(l->kind, i, 0);
		if (epoll_ctl(svc->epfd, EPOLL_CTL_ADD, l->fd, &ev) < 0)
			return -errno;
	}
	svc->workers = g_new0(struct rpcsvc_worker, svc->cfg.threads);
	for (i = 0; i < svc->cfg.threads; i++) {
		struct rpcsvc_worker *w = &svc->workers[i];

		w->svc = svc;
		w->rbuf = g_malloc(RPCSVC_RBUF);
		w->thread = g_thread_try_new("rpc-worker", loop_worker, w, NULL);
		if (!w->thread) {
			g_free(w->rbuf);
			break;
		}
		svc->nworkers++;
	}
	svc->keeper = svc->nworkers ? g_thread_try_new("rpc-keeper", loop_keeper, svc, NULL) : NULL;
	if (svc->nworkers < svc->cfg.threads || !svc->keeper) {
		rpcsvc_loop_stop(svc);
		return -EAGAIN;
	}
	return 0;
}

void rpcsvc_loop_stop(struct rpcsvc *svc)
{
	uint64_t one = 1;
	unsigned i;

	g_atomic_int_set(&svc->stopping, 1);
	if (svc->wakefd >= 0 && write(svc->wakefd, &one, sizeof(one)) < 0)
		xl_logd("rpc", XL_LOG_ERROR, "eventfd write: %s", strerror(errno));
	pthread_mutex_lock(&svc->keeper_lock);
	pthread_cond_broadcast(&svc->keeper_cond);
	pthread_mutex_unlock(&svc->keeper_lock);
	if (svc->keeper)
		g_thread_join(svc->keeper);
	svc->keeper = NULL;
	for (i = 0; i < svc->nworkers; i++) {
		struct rpcsvc_worker *w = &svc->workers[i];

		g_thread_join(w->thread);
		g_free(w->rbuf);
		xl_iobuf_unref(w->udp_spare);
	}
	g_free(svc->workers);
	svc->workers = NULL;
	svc->nworkers = 0;
}

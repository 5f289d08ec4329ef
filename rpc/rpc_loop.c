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
 * Spare workers (the pool below): a worker that is about to block in a
 * flush (storage marks it with xl_blocking_enter(), lib/blocking.h) while
 * no other worker waits in epoll_wait hands the loop on: it wakes a parked
 * spare, or starts a new one up to a bound (threads x 16, at most 256).
 * A worker back at the top of the loop parks itself while more than
 * `threads` workers are neither parked nor blocked. So calls that only
 * use CPU keep `threads` runnable threads, and calls that wait on the
 * disk do not hold up the others: the namespace changes arriving during
 * one directory fsync are served and share the next (posix_sync.c).
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

#include "blocking.h"
#include "log.h"
#include "rpcsvc_int.h"

#define LOOP_KEEPER_MAX_MS 250
#define LOOP_SPARES_PER_THREAD 16
#define LOOP_MAX_THREADS 256

/* The workers of one service and what they are doing. Fields written
 * under the lock with __atomic stores, so the loop's fast check can read
 * them without it. */
struct rpcsvc_pool {
	pthread_mutex_t lock;
	pthread_cond_t park_cond;
	unsigned cap;                 /* worker slots (svc->workers) */
	unsigned running;             /* threads started (svc->nworkers too) */
	unsigned blocked;             /* inside a blocking section */
	unsigned parked;              /* waiting on park_cond */
	unsigned wake;                /* parked threads told to go */
	unsigned waiting;             /* in epoll_wait (__atomic, no lock) */
	unsigned spawned, woken;      /* spares started, parked ones woken */
	bool stopping;
	struct xl_blocking_hook hook;
};

static gpointer loop_worker(gpointer data);

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

/* Start one more worker in slot svc->nworkers; under the pool's lock. */
static int loop_spawn_locked(struct rpcsvc *svc)
{
	struct rpcsvc_pool *p = svc->pool;
	struct rpcsvc_worker *w;

	if (p->stopping || svc->nworkers >= p->cap)
		return -EAGAIN;
	w = &svc->workers[svc->nworkers];
	w->svc = svc;
	w->rbuf = g_malloc(RPCSVC_RBUF);
	w->thread = g_thread_try_new("rpc-worker", loop_worker, w, NULL);
	if (!w->thread) {
		g_free(w->rbuf);
		w->rbuf = NULL;
		return -EAGAIN;
	}
	svc->nworkers++;
	__atomic_store_n(&p->running, svc->nworkers, __ATOMIC_RELAXED);
	return 0;
}

/* The hook's enter: this worker is about to block. If nobody waits for
 * the next event, put a parked spare (or a new one) on the loop. */
static void loop_block_enter(void *arg)
{
	struct rpcsvc *svc = arg;
	struct rpcsvc_pool *p = svc->pool;

	pthread_mutex_lock(&p->lock);
	__atomic_store_n(&p->blocked, p->blocked + 1, __ATOMIC_RELAXED);
	if (__atomic_load_n(&p->waiting, __ATOMIC_ACQUIRE) == 0 && !p->stopping) {
		if (p->parked > p->wake) {
			p->wake++;
			p->woken++;
			pthread_cond_signal(&p->park_cond);
		} else if (loop_spawn_locked(svc) == 0) {
			p->spawned++;
		}
	}
	pthread_mutex_unlock(&p->lock);
}

static void loop_block_leave(void *arg)
{
	struct rpcsvc_pool *p = ((struct rpcsvc *)arg)->pool;

	pthread_mutex_lock(&p->lock);
	__atomic_store_n(&p->blocked, p->blocked - 1, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&p->lock);
}

/* Workers neither parked nor blocked, beyond the configured count. */
static bool loop_too_many(struct rpcsvc *svc)
{
	struct rpcsvc_pool *p = svc->pool;
	unsigned busy = __atomic_load_n(&p->running, __ATOMIC_RELAXED) -
			__atomic_load_n(&p->parked, __ATOMIC_RELAXED) -
			__atomic_load_n(&p->blocked, __ATOMIC_RELAXED);

	return busy > svc->cfg.threads;
}

/* Park the calling worker while there are more than enough others; true
 * when it may go on serving, false when the service stops. */
static bool loop_park(struct rpcsvc *svc)
{
	struct rpcsvc_pool *p = svc->pool;

	if (!loop_too_many(svc))
		return true; /* the common case: no lock */
	pthread_mutex_lock(&p->lock);
	if (loop_too_many(svc) && !p->stopping) {
		__atomic_store_n(&p->parked, p->parked + 1, __ATOMIC_RELAXED);
		while (!p->wake && !p->stopping)
			pthread_cond_wait(&p->park_cond, &p->lock);
		if (p->wake)
			p->wake--;
		__atomic_store_n(&p->parked, p->parked - 1, __ATOMIC_RELAXED);
	}
	pthread_mutex_unlock(&p->lock);
	return !g_atomic_int_get(&svc->stopping);
}

static gpointer loop_worker(gpointer data)
{
	struct rpcsvc_worker *w = data;
	struct rpcsvc *svc = w->svc;
	struct epoll_event ev;
	int n;

	xl_blocking_set(&svc->pool->hook);
	while (!g_atomic_int_get(&svc->stopping) && loop_park(svc)) {
		__atomic_add_fetch(&svc->pool->waiting, 1, __ATOMIC_ACQ_REL);
		n = epoll_wait(svc->epfd, &ev, 1, -1);
		__atomic_sub_fetch(&svc->pool->waiting, 1, __ATOMIC_ACQ_REL);
		if (n < 0) {
			if (errno == EINTR)
				continue;
			xl_logd("rpc", XL_LOG_ERROR, "epoll_wait: %s", strerror(errno));
			break;
		}
		if (n == 1)
			loop_handle(w, &ev);
	}
	xl_blocking_set(NULL);
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

static struct rpcsvc_pool *loop_pool_new(struct rpcsvc *svc)
{
	struct rpcsvc_pool *p = g_new0(struct rpcsvc_pool, 1);
	unsigned threads = svc->cfg.threads;

	pthread_mutex_init(&p->lock, NULL);
	pthread_cond_init(&p->park_cond, NULL);
	p->cap = MAX(threads, MIN(threads * LOOP_SPARES_PER_THREAD, LOOP_MAX_THREADS));
	p->hook = (struct xl_blocking_hook){ .enter = loop_block_enter,
					     .leave = loop_block_leave,
					     .arg = svc };
	return p;
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
	svc->pool = loop_pool_new(svc);
	svc->workers = g_new0(struct rpcsvc_worker, svc->pool->cap);
	pthread_mutex_lock(&svc->pool->lock);
	for (i = 0; i < svc->cfg.threads; i++)
		if (loop_spawn_locked(svc))
			break;
	pthread_mutex_unlock(&svc->pool->lock);
	svc->keeper = svc->nworkers ? g_thread_try_new("rpc-keeper", loop_keeper, svc, NULL) : NULL;
	if (svc->nworkers < svc->cfg.threads || !svc->keeper) {
		rpcsvc_loop_stop(svc);
		return -EAGAIN;
	}
	return 0;
}

/* No more spares; parked ones wake up to exit. */
static void loop_pool_stop(struct rpcsvc *svc)
{
	struct rpcsvc_pool *p = svc->pool;

	if (!p)
		return;
	pthread_mutex_lock(&p->lock);
	p->stopping = true;
	pthread_cond_broadcast(&p->park_cond);
	pthread_mutex_unlock(&p->lock);
}

static void loop_pool_free(struct rpcsvc *svc)
{
	struct rpcsvc_pool *p = svc->pool;

	if (!p)
		return;
	if (p->spawned)
		xl_logd("rpc", XL_LOG_DEBUG, "%u spare workers started, %u woken from parking",
			p->spawned, p->woken);
	pthread_mutex_destroy(&p->lock);
	pthread_cond_destroy(&p->park_cond);
	g_free(p);
	svc->pool = NULL;
}

void rpcsvc_loop_stop(struct rpcsvc *svc)
{
	uint64_t one = 1;
	unsigned i;

	g_atomic_int_set(&svc->stopping, 1);
	if (svc->wakefd >= 0 && write(svc->wakefd, &one, sizeof(one)) < 0)
		xl_logd("rpc", XL_LOG_ERROR, "eventfd write: %s", strerror(errno));
	loop_pool_stop(svc);
	pthread_mutex_lock(&svc->keeper_lock);
	pthread_cond_broadcast(&svc->keeper_cond);
	pthread_mutex_unlock(&svc->keeper_lock);
	if (svc->keeper)
		g_thread_join(svc->keeper);
	svc->keeper = NULL;
	/* no worker starts after loop_pool_stop: nworkers is final */
	for (i = 0; i < svc->nworkers; i++) {
		struct rpcsvc_worker *w = &svc->workers[i];

		g_thread_join(w->thread);
		g_free(w->rbuf);
		xl_iobuf_unref(w->udp_spare);
	}
	g_free(svc->workers);
	svc->workers = NULL;
	svc->nworkers = 0;
	loop_pool_free(svc);
}

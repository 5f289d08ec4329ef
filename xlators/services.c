/*
 * services.c — timers and a background work queue owned by the graph.
 *
 * One service thread runs timer callbacks in due order; up to
 * SVC_WORKERS worker threads run queued work. Nothing exists until first
 * used: the state hangs off graph->services, made on the first
 * xl_timer_add()/xl_work_queue() (so a hand-built graph works too); the
 * service thread starts with the first timer, and a worker starts when
 * work is queued and no worker is idle (up to the limit).
 *
 * One pthread mutex guards the timer list, the work queue, each volume's
 * count of queued plus running work and its running timer, and the
 * stopping flag (plain pthread primitives, not GLib's futex-based ones,
 * so ThreadSanitizer sees every hand-off). Condition variables wake the
 * service thread (a new earliest timer, shutdown), the workers (new
 * work, shutdown) and the waiters (a callback or work item finished).
 * Callbacks run with no lock held.
 *
 * A timer's handle lives until its callback has returned (the service
 * thread frees it then) or until xl_timer_cancel() returns (the canceller
 * frees it); when a canceller waits on a running callback, the last of
 * the two to finish frees it. Timers a volume still had pending when it
 * was stopped (before its fini) never run, but their handles stay valid,
 * so a fini that cancels its own timers is fine: those are freed by that
 * cancel, or with the graph.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <time.h>

#include <glib.h>

#include "services.h"

/* Worker threads at most. Work is for background jobs (flushes, crawls),
 * not for serving calls, so a few suffice. */
#define SVC_WORKERS 4

enum svc_timer_state {
	SVC_PENDING,
	SVC_RUNNING,
	SVC_DONE,
	SVC_STOPPED, /* cancelled by xl_svc_stop_volume, handle still the module's */
};

struct xl_timer {
	struct xl *xl;
	int64_t due_us; /* CLOCK_MONOTONIC, as g_get_monotonic_time() */
	xl_task_fn fn;
	void *data;
	enum svc_timer_state state;
	pthread_t runner; /* SVC_RUNNING: the thread running fn */
	unsigned waiters; /* cancellers waiting for a running fn */
};

struct svc_work {
	struct xl *xl;
	xl_task_fn fn;
	void *data;
};

struct svc {
	pthread_mutex_t lock;
	pthread_cond_t wake;	  /* the service thread (monotonic clock) */
	pthread_cond_t work_cond; /* the workers */
	pthread_cond_t done;	  /* a timer callback or work item finished */
	GList *timers;		  /* struct xl_timer *, pending, by due time */
	GList *stopped;		  /* SVC_STOPPED timers, until cancelled or the graph goes */
	GQueue queue;		  /* struct svc_work *, not started */
	bool have_thread;
	pthread_t thread;
	pthread_t workers[SVC_WORKERS];
	unsigned nworkers, idle;
	size_t nvols;
	unsigned *work;		   /* [nvols]: queued + running work per volume */
	struct xl_timer **running; /* [nvols]: the volume's running timer */
	bool stopping;		   /* refuse new timers and work */
	bool quit;		   /* the threads end */
};

static void svc_destroy(struct svc *s)
{
	g_list_free_full(s->timers, g_free);
	g_list_free_full(s->stopped, g_free);
	g_queue_clear_full(&s->queue, g_free);
	g_free(s->running);
	g_free(s->work);
	pthread_cond_destroy(&s->done);
	pthread_cond_destroy(&s->work_cond);
	pthread_cond_destroy(&s->wake);
	pthread_mutex_destroy(&s->lock);
	g_free(s);
}

/* The graph's service state, made on first use. */
static struct svc *svc_get(struct xl_graph *g)
{
	struct svc *s = __atomic_load_n((struct svc **)&g->services, __ATOMIC_ACQUIRE),
		   *none = NULL;
	pthread_condattr_t ca;

	if (s)
		return s;
	s = g_new0(struct svc, 1);
	pthread_mutex_init(&s->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&s->wake, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&s->work_cond, NULL);
	pthread_cond_init(&s->done, NULL);
	g_queue_init(&s->queue);
	s->nvols = g->nvolumes ? g->nvolumes : 1;
	s->work = g_new0(unsigned, s->nvols);
	s->running = g_new0(struct xl_timer *, s->nvols);
	if (__atomic_compare_exchange_n((struct svc **)&g->services, &none, s, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return s;
	svc_destroy(s); /* another thread made it first */
	return none;
}

/* The existing service state of @g, or NULL. */
static struct svc *svc_peek(struct xl_graph *g)
{
	return __atomic_load_n((struct svc **)&g->services, __ATOMIC_ACQUIRE);
}

/* The per-volume index of @xl in @s. */
static size_t svc_vol(struct svc *s, struct xl *xl)
{
	g_assert(xl->slot < s->nvols);
	return xl->slot;
}

static gint svc_timer_cmp(gconstpointer a, gconstpointer b)
{
	const struct xl_timer *x = a, *y = b;

	return x->due_us < y->due_us ? -1 : x->due_us > y->due_us;
}

/* The service thread: run each timer when due. */
static void *svc_thread(void *arg)
{
	struct svc *s = arg;

	pthread_mutex_lock(&s->lock);
	while (!s->quit) {
		struct xl_timer *t = s->timers ? s->timers->data : NULL;
		struct timespec ts;
		size_t v;

		if (!t) {
			pthread_cond_wait(&s->wake, &s->lock);
			continue;
		}
		if (t->due_us > g_get_monotonic_time()) {
			ts.tv_sec = t->due_us / G_USEC_PER_SEC;
			ts.tv_nsec = (t->due_us % G_USEC_PER_SEC) * 1000;
			pthread_cond_timedwait(&s->wake, &s->lock, &ts);
			continue;
		}
		s->timers = g_list_delete_link(s->timers, s->timers);
		v = svc_vol(s, t->xl);
		t->state = SVC_RUNNING;
		t->runner = pthread_self();
		s->running[v] = t;
		pthread_mutex_unlock(&s->lock);
		t->fn(t->xl, t->data);
		pthread_mutex_lock(&s->lock);
		s->running[v] = NULL;
		t->state = SVC_DONE;
		if (!t->waiters)
			g_free(t); /* else the last canceller frees it */
		pthread_cond_broadcast(&s->done);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

struct xl_timer *xl_timer_add(struct xl *xl, uint64_t delay_ms, xl_task_fn fn, void *data)
{
	struct svc *s = svc_get(xl->graph);
	struct xl_timer *t;
	uint64_t delay_us =
	    delay_ms > (uint64_t)INT64_MAX / 2000 ? (uint64_t)INT64_MAX / 2 : delay_ms * 1000;

	t = g_try_new0(struct xl_timer, 1);
	if (!t)
		return NULL;
	t->xl = xl;
	t->fn = fn;
	t->data = data;
	t->due_us = g_get_monotonic_time() + (int64_t)delay_us;
	pthread_mutex_lock(&s->lock);
	if (s->stopping)
		goto out_refuse;
	if (!s->have_thread) {
		if (pthread_create(&s->thread, NULL, svc_thread, s) != 0) {
			xl_log(xl, XL_LOG_ERROR, "cannot start the timer thread");
			goto out_refuse;
		}
		s->have_thread = true;
	}
	s->timers = g_list_insert_sorted(s->timers, t, svc_timer_cmp);
	if (s->timers->data == t)
		pthread_cond_signal(&s->wake); /* a new earliest: the thread re-sleeps */
	pthread_mutex_unlock(&s->lock);
	return t;

out_refuse:
	pthread_mutex_unlock(&s->lock);
	g_free(t);
	return NULL;
}

bool xl_timer_cancel(struct xl_timer *t)
{
	struct svc *s;
	bool cancelled = false;

	if (!t)
		return false;
	s = svc_peek(t->xl->graph);
	pthread_mutex_lock(&s->lock);
	if (t->state == SVC_PENDING) {
		s->timers = g_list_remove(s->timers, t);
		cancelled = true;
	} else if (t->state == SVC_STOPPED) {
		s->stopped = g_list_remove(s->stopped, t);
		cancelled = true;
	} else if (t->state == SVC_RUNNING && pthread_equal(t->runner, pthread_self())) {
		/* From its own callback: the service thread frees it after. */
		pthread_mutex_unlock(&s->lock);
		return false;
	} else {
		t->waiters++;
		while (t->state != SVC_DONE)
			pthread_cond_wait(&s->done, &s->lock);
		if (--t->waiters) { /* another canceller frees it */
			pthread_mutex_unlock(&s->lock);
			return false;
		}
	}
	pthread_mutex_unlock(&s->lock);
	g_free(t);
	return cancelled;
}

/* A worker: run queued work until told to quit. */
static void *svc_worker(void *arg)
{
	struct svc *s = arg;

	pthread_mutex_lock(&s->lock);
	for (;;) {
		struct svc_work *w = g_queue_pop_head(&s->queue);

		if (!w) {
			if (s->quit)
				break;
			s->idle++;
			pthread_cond_wait(&s->work_cond, &s->lock);
			s->idle--;
			continue;
		}
		pthread_mutex_unlock(&s->lock);
		w->fn(w->xl, w->data);
		pthread_mutex_lock(&s->lock);
		s->work[svc_vol(s, w->xl)]--;
		pthread_cond_broadcast(&s->done);
		g_free(w);
	}
	pthread_mutex_unlock(&s->lock);
	return NULL;
}

int xl_work_queue(struct xl *xl, xl_task_fn fn, void *data)
{
	struct svc *s = svc_get(xl->graph);
	struct svc_work *w = g_try_new(struct svc_work, 1);
	int ret = 0;

	if (!w)
		return -ENOMEM;
	*w = (struct svc_work){.xl = xl, .fn = fn, .data = data};
	pthread_mutex_lock(&s->lock);
	if (s->stopping) {
		ret = -ESHUTDOWN;
		goto out_free;
	}
	if (!s->idle && s->nworkers < SVC_WORKERS) {
		if (pthread_create(&s->workers[s->nworkers], NULL, svc_worker, s) == 0)
			s->nworkers++;
		else if (!s->nworkers) {
			xl_log(xl, XL_LOG_ERROR, "cannot start a work queue thread");
			ret = -ENOMEM;
			goto out_free;
		}
	}
	s->work[svc_vol(s, xl)]++;
	g_queue_push_tail(&s->queue, w);
	pthread_cond_signal(&s->work_cond);
	pthread_mutex_unlock(&s->lock);
	return 0;
out_free:
	pthread_mutex_unlock(&s->lock);
	g_free(w);
	return ret;
}

/* Set the graph's stopping flag to @on. */
static void svc_set_stopping(struct xl_graph *g, bool on)
{
	struct svc *s = svc_peek(g);

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = on;
	pthread_mutex_unlock(&s->lock);
}

void xl_svc_start(struct xl_graph *g)
{
	svc_set_stopping(g, false);
}

void xl_svc_begin_stop(struct xl_graph *g)
{
	svc_set_stopping(g, true);
}

void xl_svc_stop_volume(struct xl *xl)
{
	struct svc *s = svc_peek(xl->graph);
	size_t v;

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	v = svc_vol(s, xl);
	for (GList *l = s->timers, *next; l; l = next) {
		struct xl_timer *t = l->data;

		next = l->next;
		if (t->xl != xl)
			continue;
		s->timers = g_list_remove_link(s->timers, l);
		t->state = SVC_STOPPED;
		s->stopped = g_list_concat(l, s->stopped);
	}
	while (s->running[v] || s->work[v])
		pthread_cond_wait(&s->done, &s->lock);
	pthread_mutex_unlock(&s->lock);
}

void xl_svc_free(struct xl_graph *g)
{
	struct svc *s = svc_peek(g);

	if (!s)
		return;
	pthread_mutex_lock(&s->lock);
	s->stopping = true;
	s->quit = true;
	pthread_cond_broadcast(&s->wake);
	pthread_cond_broadcast(&s->work_cond);
	pthread_mutex_unlock(&s->lock);
	if (s->have_thread)
		pthread_join(s->thread, NULL);
	for (unsigned i = 0; i < s->nworkers; i++)
		pthread_join(s->workers[i], NULL); /* each runs what is queued first */
	__atomic_store_n((struct svc **)&g->services, NULL, __ATOMIC_RELEASE);
	svc_destroy(s);
}

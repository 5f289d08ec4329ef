/*
 * services.c — timers and a background work queue owned by the graph.
 *
 * One service thread runs timer callbacks in due order; a small GThreadPool
 * runs queued work. Neither exists until first used: the state hangs off
 * graph->services, made on the first xl_timer_add()/xl_work_queue() (so a
 * hand-built graph works too), and the thread and the pool start with
 * their first timer and first work item.
 *
 * One mutex guards the timer list, each volume's count of queued plus
 * running work, and the stopping flag; a condition variable wakes the
 * service thread (a new earliest timer, shutdown) and the waiters
 * (a callback or work item finished). Callbacks run with no lock held.
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
#include <stdlib.h>

#include <glib.h>

#include "services.h"

/* Threads of the work pool. Work is for background jobs (flushes,
 * crawls), not for serving calls, so a few suffice. */
#define SVC_POOL_THREADS 4

enum svc_timer_state {
	SVC_PENDING,
	SVC_RUNNING,
	SVC_DONE,
	SVC_STOPPED, /* cancelled by xl_svc_stop_volume, handle still the module's */
};

struct xl_timer {
	struct xl *xl;
	int64_t due_us; /* g_get_monotonic_time() base */
	xl_task_fn fn;
	void *data;
	enum svc_timer_state state;
	GThread *runner;  /* SVC_RUNNING: the thread running fn */
	unsigned waiters; /* cancellers waiting for a running fn */
};

struct svc_work {
	struct xl *xl;
	xl_task_fn fn;
	void *data;
};

struct svc {
	GMutex lock;
	GCond cond;
	GList *timers;	/* struct xl_timer *, pending, by due time */
	GList *stopped; /* SVC_STOPPED timers, until cancelled or the graph goes */
	GThread *thread;
	GThreadPool *pool;
	size_t nvols;
	unsigned *work;		   /* [nvols]: queued + running work per volume */
	struct xl_timer **running; /* [nvols]: the volume's running timer */
	bool stopping;		   /* refuse new timers and work */
	bool quit;		   /* the service thread ends */
};

/* The graph's service state, made on first use. */
static struct svc *svc_get(struct xl_graph *g)
{
	struct svc *s = __atomic_load_n((struct svc **)&g->services, __ATOMIC_ACQUIRE),
		   *none = NULL;

	if (s)
		return s;
	s = g_new0(struct svc, 1);
	g_mutex_init(&s->lock);
	g_cond_init(&s->cond);
	s->nvols = g->nvolumes ? g->nvolumes : 1;
	s->work = g_new0(unsigned, s->nvols);
	s->running = g_new0(struct xl_timer *, s->nvols);
	if (__atomic_compare_exchange_n((struct svc **)&g->services, &none, s, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		return s;
	g_free(s->running); /* another thread made it first */
	g_free(s->work);
	g_cond_clear(&s->cond);
	g_mutex_clear(&s->lock);
	g_free(s);
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
static gpointer svc_thread(gpointer arg)
{
	struct svc *s = arg;

	g_mutex_lock(&s->lock);
	while (!s->quit) {
		struct xl_timer *t = s->timers ? s->timers->data : NULL;
		size_t v;

		if (!t) {
			g_cond_wait(&s->cond, &s->lock);
			continue;
		}
		if (t->due_us > g_get_monotonic_time()) {
			g_cond_wait_until(&s->cond, &s->lock, t->due_us);
			continue;
		}
		s->timers = g_list_delete_link(s->timers, s->timers);
		v = svc_vol(s, t->xl);
		t->state = SVC_RUNNING;
		t->runner = g_thread_self();
		s->running[v] = t;
		g_mutex_unlock(&s->lock);
		t->fn(t->xl, t->data);
		g_mutex_lock(&s->lock);
		s->running[v] = NULL;
		t->state = SVC_DONE;
		if (t->waiters)
			g_cond_broadcast(&s->cond); /* the last waiter frees it */
		else
			g_free(t);
		g_cond_broadcast(&s->cond); /* xl_svc_stop_volume waits too */
	}
	g_mutex_unlock(&s->lock);
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
	g_mutex_lock(&s->lock);
	if (s->stopping) {
		g_mutex_unlock(&s->lock);
		g_free(t);
		return NULL;
	}
	if (!s->thread)
		s->thread = g_thread_new("xl-timers", svc_thread, s);
	s->timers = g_list_insert_sorted(s->timers, t, svc_timer_cmp);
	if (s->timers->data == t)
		g_cond_broadcast(&s->cond); /* a new earliest: the thread re-sleeps */
	g_mutex_unlock(&s->lock);
	return t;
}

bool xl_timer_cancel(struct xl_timer *t)
{
	struct svc *s;
	bool cancelled = false;

	if (!t)
		return false;
	s = svc_peek(t->xl->graph);
	g_mutex_lock(&s->lock);
	if (t->state == SVC_PENDING) {
		s->timers = g_list_remove(s->timers, t);
		cancelled = true;
	} else if (t->state == SVC_STOPPED) {
		s->stopped = g_list_remove(s->stopped, t);
		cancelled = true;
	} else if (t->runner == g_thread_self() && t->state == SVC_RUNNING) {
		/* From its own callback: the service thread frees it after. */
		g_mutex_unlock(&s->lock);
		return false;
	} else {
		t->waiters++;
		while (t->state != SVC_DONE)
			g_cond_wait(&s->cond, &s->lock);
		if (--t->waiters) { /* another canceller frees it */
			g_mutex_unlock(&s->lock);
			return false;
		}
	}
	g_mutex_unlock(&s->lock);
	g_free(t);
	return cancelled;
}

/* A pool thread: run one work item, then count it done. */
static void svc_work_run(gpointer item, gpointer arg)
{
	struct svc_work *w = item;
	struct svc *s = arg;

	w->fn(w->xl, w->data);
	g_mutex_lock(&s->lock);
	s->work[svc_vol(s, w->xl)]--;
	g_cond_broadcast(&s->cond);
	g_mutex_unlock(&s->lock);
	g_free(w);
}

int xl_work_queue(struct xl *xl, xl_task_fn fn, void *data)
{
	struct svc *s = svc_get(xl->graph);
	struct svc_work *w = g_try_new(struct svc_work, 1);
	GError *err = NULL;
	int ret = 0;

	if (!w)
		return -ENOMEM;
	*w = (struct svc_work){.xl = xl, .fn = fn, .data = data};
	g_mutex_lock(&s->lock);
	if (s->stopping) {
		ret = -ESHUTDOWN;
		goto out_free;
	}
	if (!s->pool) {
		s->pool = g_thread_pool_new(svc_work_run, s, SVC_POOL_THREADS, FALSE, &err);
		if (!s->pool) {
			xl_log(xl, XL_LOG_ERROR, "cannot start the work queue: %s", err->message);
			g_error_free(err);
			ret = -ENOMEM;
			goto out_free;
		}
	}
	s->work[svc_vol(s, xl)]++;
	/* Pushed under the lock so a concurrent stop sees the count. */
	if (!g_thread_pool_push(s->pool, w, &err)) {
		s->work[svc_vol(s, xl)]--;
		xl_log(xl, XL_LOG_ERROR, "cannot queue work: %s", err->message);
		g_error_free(err);
		ret = -ENOMEM;
		goto out_free;
	}
	g_mutex_unlock(&s->lock);
	return 0;
out_free:
	g_mutex_unlock(&s->lock);
	g_free(w);
	return ret;
}

void xl_svc_start(struct xl_graph *g)
{
	struct svc *s = svc_peek(g);

	if (!s)
		return;
	g_mutex_lock(&s->lock);
	s->stopping = false;
	g_mutex_unlock(&s->lock);
}

void xl_svc_begin_stop(struct xl_graph *g)
{
	struct svc *s = svc_peek(g);

	if (!s)
		return;
	g_mutex_lock(&s->lock);
	s->stopping = true;
	g_mutex_unlock(&s->lock);
}

void xl_svc_stop_volume(struct xl *xl)
{
	struct svc *s = svc_peek(xl->graph);
	size_t v;

	if (!s)
		return;
	g_mutex_lock(&s->lock);
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
		g_cond_wait(&s->cond, &s->lock);
	g_mutex_unlock(&s->lock);
}

void xl_svc_free(struct xl_graph *g)
{
	struct svc *s = svc_peek(g);

	if (!s)
		return;
	g_mutex_lock(&s->lock);
	s->stopping = true;
	s->quit = true;
	g_cond_broadcast(&s->cond);
	g_mutex_unlock(&s->lock);
	if (s->thread)
		g_thread_join(s->thread);
	if (s->pool)
		g_thread_pool_free(s->pool, FALSE, TRUE); /* runs what is queued */
	g_list_free_full(s->timers, g_free);
	g_list_free_full(s->stopped, g_free);
	g_free(s->running);
	g_free(s->work);
	g_cond_clear(&s->cond);
	g_mutex_clear(&s->lock);
	g_free(s);
	g_atomic_pointer_set(&g->services, NULL);
}

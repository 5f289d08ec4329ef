/*
 * pass.c — test-only translator "test/pass": hooks and no fops (every
 * call passes to its one child), exactly one subvolume. Used to test
 * pass-through dispatch, hooks in a loaded graph, child-count checks,
 * notify delivery and the graph's services at shutdown:
 *   fail-fop NAME  its enter hook fails fop NAME with -EPERM;
 *   work-ms N      init() queues work that sleeps N ms, then notes
 *                  "work-done:VOL" (fini must come after);
 *   timer-ms N     init() adds an N ms timer noting "timer:VOL"; fini()
 *                  cancels the handle and notes "cancel:VOL:<result>";
 *   relay off      its notify() records events but does not pass them on.
 * Every event is noted as "ev:VOL:<type>:<from>" in the exported
 * pass_trace.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "xlator.h"

struct pass_conf {
	int64_t level;
	char *fail_fop;
	int64_t work_ms;
	int64_t timer_ms;
	bool relay;
};

struct pass_priv {
	struct xl_timer *timer;
};

static const struct xl_option pass_options[] = {
    {.key = "level",
     .type = XL_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 9,
     .offset = offsetof(struct pass_conf, level),
     .desc = "unused"},
    {.key = "fail-fop",
     .type = XL_OPT_STR,
     .offset = offsetof(struct pass_conf, fail_fop),
     .desc = "fail this fop with EPERM in the enter hook"},
    {.key = "work-ms",
     .type = XL_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 10000,
     .offset = offsetof(struct pass_conf, work_ms),
     .desc = "queue background work of this length at init"},
    {.key = "timer-ms",
     .type = XL_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 3600000,
     .offset = offsetof(struct pass_conf, timer_ms),
     .desc = "add a timer this far out at init"},
    {.key = "relay",
     .type = XL_OPT_BOOL,
     .def = "on",
     .offset = offsetof(struct pass_conf, relay),
     .desc = "pass events on to the parents"},
    {NULL},
};

/* What happened, for the tests (space-separated words). Work items of
 * several volumes note at once: the lock keeps the words whole. */
char pass_trace[4096];
static pthread_mutex_t pass_trace_lock = PTHREAD_MUTEX_INITIALIZER;

static void pass_note(const char *fmt, const char *a, const char *b, const char *c)
{
	size_t n;

	pthread_mutex_lock(&pass_trace_lock);
	n = strlen(pass_trace);
	snprintf(pass_trace + n, sizeof(pass_trace) - n, fmt, a, b, c);
	pthread_mutex_unlock(&pass_trace_lock);
}

static int pass_enter(struct xl *xl, struct xl_fop_frame *f)
{
	struct pass_conf *c = xl->conf;

	if (c->fail_fop && strcmp(c->fail_fop, xl_fop_name(f->fop)) == 0)
		return -EPERM;
	return 0;
}

static const struct xl_hooks pass_hooks = {.enter = pass_enter};

static void pass_work(struct xl *xl, void *data)
{
	struct pass_conf *c = xl->conf;

	usleep((useconds_t)c->work_ms * 1000);
	pass_note("work-done:%s%s%s ", xl->name, "", "");
}

static void pass_timer(struct xl *xl, void *data)
{
	struct pass_priv *p = xl->private;

	pass_note("timer:%s%s%s ", xl->name, "", "");
	p->timer = NULL; /* ran: the handle is gone */
}

static int pass_init(struct xl *xl)
{
	struct pass_conf *c = xl->conf;
	struct pass_priv *p = calloc(1, sizeof(*p));
	int ret;

	if (!p)
		return -ENOMEM;
	xl->private = p;
	if (c->work_ms) {
		ret = xl_work_queue(xl, pass_work, NULL);
		if (ret < 0)
			return ret;
	}
	if (c->timer_ms) {
		p->timer = xl_timer_add(xl, (uint64_t)c->timer_ms, pass_timer, NULL);
		if (!p->timer)
			return -ENOMEM;
	}
	return 0;
}

static void pass_fini(struct xl *xl)
{
	struct pass_priv *p = xl->private;

	if (p && p->timer)
		pass_note("cancel:%s:%s%s ", xl->name, xl_timer_cancel(p->timer) ? "1" : "0", "");
	pass_note("fini:%s%s%s ", xl->name, "", "");
	free(p);
	xl->private = NULL;
}

static void pass_notify(struct xl *xl, struct xl_event *ev)
{
	static const char *const types[] = {"up", "down", "invalidate", "forget"};
	struct pass_conf *c = xl->conf;

	pass_note("ev:%s:%s:%s ", xl->name, types[ev->type], ev->from->name);
	if (c->relay)
		xl_notify_parents(xl, ev);
}

const struct xl_module xl_module = {
    .abi = XL_ABI_VERSION,
    .type = "test/pass",
    .desc = "test-only pass-through translator",
    .conf_size = sizeof(struct pass_conf),
    .options = pass_options,
    .hooks = &pass_hooks,
    .min_children = 1,
    .max_children = 1,
    .init = pass_init,
    .fini = pass_fini,
    .notify = pass_notify,
};

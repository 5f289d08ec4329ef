/*
 * rpc_swap.c — changing a running program's private data without
 * stopping the service, and knowing when the old data is free to go.
 *
 * A live reload (the daemon's SIGHUP) builds a new owner for the programs
 * beside the running one: rpcsvc_program_set_private() points the
 * program at it for calls that begin from then on, and
 * rpcsvc_synchronize() returns once every call that began before has
 * finished, so the caller may free the old owner.
 *
 * The bookkeeping is sleepable RCU's, small: two counters of calls in
 * progress and an epoch whose low bit says which counter a new call
 * takes. A call reads the epoch, counts itself in that counter, and only
 * then reads the program's private data (rpcsvc_program_load), all
 * sequentially consistent. rpcsvc_synchronize() first waits for the
 * counter new calls do not take (stragglers of an earlier swap), flips
 * the epoch, then waits for the counter they took until now. Once a wait
 * sees zero, a call that counts itself there later does so after the new
 * pointer was stored, and reads it after counting itself: it sees the new
 * data. New calls go to the other counter, so the one waited for only
 * drains, and the wait ends however busy the service is.
 */
#include "config.h"

#include <glib.h>
#include <time.h>

#include "log.h"
#include "rpcsvc_int.h"

#define SWAP_LOG_EVERY_MS 5000

void rpcsvc_program_set_private(struct rpcsvc *svc, struct rpcsvc_program *prog, void *priv,
				rpcsvc_observe_fn observe, void *observe_ctx)
{
	(void)svc;
	__atomic_store_n(&prog->observe_ctx, observe_ctx, __ATOMIC_SEQ_CST);
	__atomic_store_n(&prog->observe, observe, __ATOMIC_SEQ_CST);
	__atomic_store_n(&prog->private, priv, __ATOMIC_SEQ_CST);
}

void rpcsvc_program_load(const struct rpcsvc_program *p, void **priv,
			 rpcsvc_observe_fn *observe, void **observe_ctx)
{
	*priv = __atomic_load_n(&p->private, __ATOMIC_SEQ_CST);
	*observe = __atomic_load_n(&p->observe, __ATOMIC_SEQ_CST);
	*observe_ctx = __atomic_load_n(&p->observe_ctx, __ATOMIC_SEQ_CST);
}

void *rpcsvc_request_private(const struct rpcsvc_request *req)
{
	/* A request made by hand (unit tests of actors) has no copy. */
	return req->program_private ? req->program_private : req->program->private;
}

unsigned rpcsvc_swap_enter(struct rpcsvc *svc)
{
	unsigned idx = __atomic_load_n(&svc->swap_epoch, __ATOMIC_SEQ_CST) & 1;

	__atomic_add_fetch(&svc->swap_active[idx], 1, __ATOMIC_SEQ_CST);
	return idx;
}

void rpcsvc_swap_leave(struct rpcsvc *svc, unsigned idx)
{
	__atomic_sub_fetch(&svc->swap_active[idx], 1, __ATOMIC_SEQ_CST);
}

/* Wait until no call counts itself in counter @idx. */
static void swap_wait_idle(struct rpcsvc *svc, unsigned idx)
{
	struct timespec pause = {.tv_nsec = 1000 * 1000};
	int64_t t0 = rpcsvc_now_ms(), logged = t0;
	unsigned n;

	while ((n = __atomic_load_n(&svc->swap_active[idx], __ATOMIC_SEQ_CST)) > 0) {
		int64_t now = rpcsvc_now_ms();

		if (now - logged >= SWAP_LOG_EVERY_MS) {
			xl_logd(
			    "rpc", XL_LOG_WARNING,
			    "still waiting for %u call%s begun before the switch (%" G_GINT64_FORMAT
			    " ms)",
			    n, n == 1 ? "" : "s", now - t0);
			logged = now;
		}
		nanosleep(&pause, NULL);
	}
}

void rpcsvc_synchronize(struct rpcsvc *svc)
{
	unsigned cur = __atomic_load_n(&svc->swap_epoch, __ATOMIC_SEQ_CST) & 1;

	swap_wait_idle(svc, cur ^ 1);
	__atomic_add_fetch(&svc->swap_epoch, 1, __ATOMIC_SEQ_CST);
	swap_wait_idle(svc, cur);
}

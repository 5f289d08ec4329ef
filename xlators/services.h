/*
 * services.h — the graph's timers and work queue, the framework side
 * (framework-internal; translators use xl_timer_add/xl_work_queue from
 * xlator.h).
 *
 * graph.c drives their life: stopping begins at xl_graph_fini (no new
 * timers or work from then on), each volume's timers are cancelled and
 * its work waited for right before its fini(), and the threads go with
 * the graph.
 */
#ifndef XLNFS_SERVICES_H
#define XLNFS_SERVICES_H

#include "xlator.h"

/* Accept timers and work again (xl_graph_init after a fini). */
void xl_svc_start(struct xl_graph *graph);
/* Refuse new timers and work from now on (NULL / -ESHUTDOWN). */
void xl_svc_begin_stop(struct xl_graph *graph);
/* Cancel @xl's pending timers and wait for its running timer callback and
 * its queued and running work to finish. Must not be called from one of
 * @xl's own callbacks. */
void xl_svc_stop_volume(struct xl *xl);
/* Stop the service threads and free everything (from xl_graph_free). */
void xl_svc_free(struct xl_graph *graph);

#endif

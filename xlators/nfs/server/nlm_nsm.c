/*
 * nlm_nsm.c — asking the local status monitor (rpc.statd) to watch the
 * client hosts that hold locks.
 *
 * When a client host takes its first lock, SM_MON goes to statd on
 * 127.0.0.1 (its UDP port from rpcbind) naming the host's caller_name
 * and this server's NLM v4 procedure NLMPROC4_SM_NOTIFY: when that host
 * reboots and its statd tells ours, ours calls that procedure
 * (nlm4_svc_sm_notify), which frees the host's locks. The call goes
 * from a reserved port (statd may want one) on a work queue thread,
 * bounded in time (nlm_rpc_call_udp). No statd is no error: it is logged once, and locks
 * work as before (a rebooted client's locks stay until FREE_ALL).
 */
#include "config.h"

#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <stdatomic.h>
#include <string.h>

#include "nlm4.h"

#define NLM_NSM_MS 1000

static atomic_bool nlm_nsm_warned;

static void nlm_nsm_task(struct xl *xl, void *data)
{
	char *name = data;
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
	nlm4_sm_mon mon = {
	    .mon_id = {.mon_name = name,
		       .my_id = {.my_name = "127.0.0.1",
				 .my_prog = NLM4_PROG,
				 .my_vers = NLM4_VERS,
				 .my_proc = NLMPROC4_SM_NOTIFY}},
	};
	nlm4_sm_stat_res res = {0};
	enum clnt_stat st;

	st = nlm_rpc_call_udp(&sin, NLM4_SM_PROG, NLM4_SM_VERS, NLM4_SM_MON,
			      (xdrproc_t)xdr_nlm4_sm_mon, &mon, (xdrproc_t)xdr_nlm4_sm_stat_res,
			      &res, NLM_NSM_MS);
	if (st == RPC_SUCCESS && res.res_stat == 0)
		xl_log(xl, XL_LOG_DEBUG, "statd monitors %s", name);
	else if (!atomic_exchange(&nlm_nsm_warned, true))
		xl_log(xl, XL_LOG_WARNING,
		       "cannot ask rpc.statd to monitor %s (%s): locks work, but a client that "
		       "reboots keeps its locks until it frees them (said once)",
		       name, st == RPC_SUCCESS ? "it refused" : clnt_sperrno(st));
	g_free(name);
}

void nlm_nsm_monitor(void *ctx, const char *caller_name)
{
	struct xl *xl = ctx;
	char *name = g_strdup(caller_name);

	if (!xl || xl_work_queue(xl, nlm_nsm_task, name) < 0)
		g_free(name);
}

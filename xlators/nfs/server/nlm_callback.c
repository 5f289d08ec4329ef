/*
 * nlm_callback.c — telling a client its blocked lock was granted.
 *
 * A waiter granted when another lock went (nlm_state.c) is announced
 * with an NLM4 GRANTED call to the client's own lock manager: its port
 * comes from the portmapper at the client's address (GETPORT for NLM v4
 * over UDP), then GRANTED carries the client's LOCK arguments back, its
 * cookie included. Both go over UDP with short timeouts, on a work queue
 * thread (xl_work_queue), never on an RPC worker and never with
 * nlm_state's lock held: a dead or unreachable client costs that thread
 * at most twice NLM_CB_CALL_MS. nlm_rpc_call_udp is also what asks the
 * local statd (nlm_nsm.c): libtirpc's pmap_getport may wait a minute. It is best effort: a client
 * that is not told polls with its LOCK again (Linux does every 30 s),
 * which is answered GRANTED. The client's answer is handed back
 * (nlm_state_grant_answered): the lock is then either its, or, if it
 * says it no longer waits, given back.
 *
 * IPv4 only (libtirpc's clntudp_create); an IPv6 client relies on polling.
 */
#include "config.h"

#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <rpc/pmap_prot.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "nlm4.h"

#define NLM_CB_CALL_MS	1500 /* each of GETPORT and GRANTED */
#define NLM_CB_RETRY_MS 500

/* One call over UDP to @sin (its port set) within @ms, from a reserved
 * port when one is free (statd may want one; we are root in service). */
static enum clnt_stat nlm_udp_call(struct sockaddr_in *sin, rpcprog_t prog, rpcvers_t vers,
				   rpcproc_t proc, xdrproc_t xargs, void *args, xdrproc_t xres,
				   void *res, unsigned ms)
{
	struct timeval retry = {.tv_sec = 0, .tv_usec = NLM_CB_RETRY_MS * 1000};
	struct timeval total = {.tv_sec = ms / 1000, .tv_usec = (ms % 1000) * 1000};
	int sock = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	enum clnt_stat st;
	CLIENT *clnt;

	if (sock < 0)
		return RPC_CANTSEND;
	(void)bindresvport(sock, NULL); /* best effort */
	clnt = clntudp_create(sin, prog, vers, retry, &sock);
	if (!clnt) {
		close(sock);
		return RPC_CANTSEND;
	}
	st = clnt_call(clnt, proc, xargs, args, xres, res, total);
	clnt_destroy(clnt);
	close(sock); /* a socket handed to clntudp_create stays ours */
	return st;
}

enum clnt_stat nlm_rpc_call_udp(const struct sockaddr_in *addr, rpcprog_t prog, rpcvers_t vers,
				rpcproc_t proc, xdrproc_t xargs, void *args, xdrproc_t xres,
				void *res, unsigned ms)
{
	struct sockaddr_in sin = *addr;
	struct pmap map = {.pm_prog = prog, .pm_vers = vers, .pm_prot = IPPROTO_UDP};
	u_long port = 0;
	enum clnt_stat st;

	sin.sin_port = htons(PMAPPORT);
	st = nlm_udp_call(&sin, PMAPPROG, PMAPVERS, PMAPPROC_GETPORT, (xdrproc_t)xdr_pmap, &map,
			  (xdrproc_t)xdr_u_long, &port, ms);
	if (st != RPC_SUCCESS)
		return st;
	if (port == 0 || port > 65535)
		return RPC_PROGNOTREGISTERED;
	sin.sin_port = htons((uint16_t)port);
	return nlm_udp_call(&sin, prog, vers, proc, xargs, args, xres, res, ms);
}

static void nlm_cb_task(struct xl *xl, void *data)
{
	struct nlm_grant *g = data;
	struct sockaddr_in sin;
	nlm4_res res;
	enum clnt_stat st;

	if (g->addr.ss_family != AF_INET || g->addr_len < sizeof(sin))
		goto out;
	memcpy(&sin, &g->addr, sizeof(sin));
	memset(&res, 0, sizeof(res));
	st = nlm_rpc_call_udp(&sin, NLM4_PROG, NLM4_VERS, NLMPROC4_GRANTED,
			      (xdrproc_t)xdr_nlm4_testargs, &g->args, (xdrproc_t)xdr_nlm4_res, &res,
			      NLM_CB_CALL_MS);
	if (st == RPC_SUCCESS) {
		nlm_state_grant_answered(g->st, g->waiter_id, res.stat.stat);
		xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&res);
	} else {
		xl_log(xl, XL_LOG_DEBUG, "GRANTED callback not answered (%s): the client polls",
		       clnt_sperrno(st));
	}
out:
	nlm_grant_free(g);
}

void nlm_callback_send(void *ctx, struct nlm_grant *g)
{
	struct xl *xl = ctx;

	if (!xl || xl_work_queue(xl, nlm_cb_task, g) < 0)
		nlm_grant_free(g);
}

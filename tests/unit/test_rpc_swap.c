/*
 * test_rpc_swap.c — switching a running program's private data
 * (rpcsvc_program_set_private) and waiting for the calls begun before
 * (rpcsvc_synchronize), on loopback with a libtirpc client: a slow call
 * keeps the data it began with to its end, calls after the switch see
 * the new data, and the wait lasts exactly as long as the slow call.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <glib.h>
#include <pthread.h>

#include "log.h"
#include "rpcsvc.h"
#include "cunit_main.h"

#define TPROG 0x20000098u

static int data_a = 1, data_b = 2;
static gint slow_started, slow_finished;
/* What the slow call saw as its program's private at its start and end. */
static void *slow_seen_start, *slow_seen_end;

static bool_t t_xdr_void(XDR *xdr, void *p)
{
	(void)xdr;
	(void)p;
	return TRUE;
}

/* Answers the value its program's private data points to. */
static int t_which(struct rpcsvc_request *req, void *args, void *res)
{
	(void)args;
	*(u_int *)res = (u_int) * (int *)rpcsvc_request_private(req);
	return RPCSVC_OK;
}

static int t_slow(struct rpcsvc_request *req, void *args, void *res)
{
	(void)args;
	(void)res;
	slow_seen_start = rpcsvc_request_private(req);
	g_atomic_int_inc(&slow_started);
	g_usleep(400 * 1000);
	slow_seen_end = rpcsvc_request_private(req);
	g_atomic_int_inc(&slow_finished);
	return RPCSVC_OK;
}

static const struct rpcsvc_actor t_actors[] = {
	[0] = { .name = "WHICH", .fn = t_which, .xdr_res = (xdrproc_t)xdr_u_int,
		.res_size = sizeof(u_int) },
	[1] = { .name = "SLOW", .fn = t_slow },
};

static struct rpcsvc_program t_prog = {
	.name = "SWAP", .prog = TPROG, .vers = 1,
	.actors = t_actors, .nactors = G_N_ELEMENTS(t_actors),
	.private = &data_a,
};

static struct rpcsvc *svc;
static uint16_t port;
static const struct timeval timeout = { .tv_sec = 5 };

static CLIENT *client(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int sock = RPC_ANYSOCK;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return clnttcp_create(&sin, TPROG, 1, &sock, 0, 0);
}

/* The WHICH answer, or 0 on failure. */
static u_int which(void)
{
	CLIENT *cl = client();
	u_int out = 0;

	if (!cl)
		return 0;
	if (clnt_call(cl, 0, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)xdr_u_int, (char *)&out,
		      timeout) != RPC_SUCCESS)
		out = 0;
	clnt_destroy(cl);
	return out;
}

static void *slow_thread(void *arg)
{
	CLIENT *cl = client();
	enum clnt_stat *st = arg;

	*st = cl ? clnt_call(cl, 1, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
			     timeout)
		 : RPC_CANTSEND;
	if (cl)
		clnt_destroy(cl);
	return NULL;
}

static int suite_init(void)
{
	struct rpcsvc_config cfg = {
		.listen = "127.0.0.1", .tcp = true, .threads = 2, .drain_ms = 2000,
	};

	xl_log_set_level(getenv("TEST_DEBUG") ? XL_LOG_DEBUG : XL_LOG_ERROR);
	svc = rpcsvc_new(&cfg);
	if (!svc || rpcsvc_program_add(svc, &t_prog) < 0 || rpcsvc_start(svc) < 0)
		return -1;
	port = rpcsvc_port(svc, 0);
	return port ? 0 : -1;
}

static int suite_fini(void)
{
	rpcsvc_stop(svc);
	rpcsvc_free(svc);
	return 0;
}

static void test_switch_waits_for_the_old_calls(void)
{
	enum clnt_stat st = RPC_FAILED;
	pthread_t th;
	int64_t t0, waited;

	CU_ASSERT_EQUAL(which(), 1);
	CU_ASSERT_FATAL(pthread_create(&th, NULL, slow_thread, &st) == 0);
	while (!g_atomic_int_get(&slow_started))
		g_usleep(1000);
	rpcsvc_program_set_private(svc, &t_prog, &data_b, NULL, NULL);
	/* New calls see the new data while the old one still runs. */
	CU_ASSERT_EQUAL(which(), 2);
	CU_ASSERT_EQUAL(g_atomic_int_get(&slow_finished), 0);
	t0 = g_get_monotonic_time();
	rpcsvc_synchronize(svc);
	waited = g_get_monotonic_time() - t0;
	/* It returned only once the call begun before was over... */
	CU_ASSERT_EQUAL(g_atomic_int_get(&slow_finished), 1);
	CU_ASSERT(waited >= 100 * 1000);
	pthread_join(th, NULL);
	CU_ASSERT_EQUAL(st, RPC_SUCCESS);
	/* ... which kept the data it began with to its end. */
	CU_ASSERT_PTR_EQUAL(slow_seen_start, &data_a);
	CU_ASSERT_PTR_EQUAL(slow_seen_end, &data_a);
	CU_ASSERT_EQUAL(which(), 2);
}

static void test_idle_switch_is_quick(void)
{
	int64_t t0 = g_get_monotonic_time();

	rpcsvc_program_set_private(svc, &t_prog, &data_a, NULL, NULL);
	rpcsvc_synchronize(svc);
	rpcsvc_synchronize(svc);
	CU_ASSERT(g_get_monotonic_time() - t0 < 100 * 1000);
	CU_ASSERT_EQUAL(which(), 1);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("rpcsvc program switch", suite_init, suite_fini);
	CU_add_test(s, "a switch waits for the calls begun before", test_switch_waits_for_the_old_calls);
	CU_add_test(s, "a switch with nothing running returns at once", test_idle_switch_is_quick);
	return cunit_run();
}

/*
 * rpc_null_server.c — a tiny RPC service for tests/integration/rpc_null.sh:
 * program 0x20000099 (536871065) versions 1 and 3, NULL procedure only,
 * on a given port, registered with rpcbind, until SIGTERM or SIGINT.
 *
 *   rpc_null_server PORT [LISTEN]      (LISTEN default "0.0.0.0,::")
 */
#include "config.h"

#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>

#include "log.h"
#include "rpcsvc.h"

static int null_proc(struct rpcsvc_request *req, void *args, void *res)
{
	return RPCSVC_OK;
}

static const struct rpcsvc_actor null_actors[] = {
	[0] = { .name = "NULL", .fn = null_proc },
};

int main(int argc, char **argv)
{
	struct rpcsvc_config cfg = {
		.listen = argc > 2 ? argv[2] : "0.0.0.0,::", .tcp = true, .udp = true,
		.threads = 2, .register_rpcbind = true, .drain_ms = 1000,
	};
	struct rpcsvc_program p1 = { .name = "NULLTEST", .prog = 0x20000099, .vers = 1,
				     .actors = null_actors, .nactors = 1 };
	struct rpcsvc_program p3 = p1;
	struct rpcsvc *svc;
	sigset_t set;
	int sig, ret = 1;

	if (argc < 2) {
		fprintf(stderr, "usage: %s PORT [LISTEN]\n", argv[0]);
		return 2;
	}
	p1.port = p3.port = atoi(argv[1]);
	p3.vers = 3;
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	pthread_sigmask(SIG_BLOCK, &set, NULL); /* before any thread starts */
	xl_log_set_level(XL_LOG_DEBUG);
	svc = rpcsvc_new(&cfg);
	if (!svc || rpcsvc_program_add(svc, &p1) || rpcsvc_program_add(svc, &p3))
		goto out;
	if (rpcsvc_start(svc) < 0)
		goto out;
	printf("ready %u\n", rpcsvc_port(svc, p1.port));
	fflush(stdout);
	sigwait(&set, &sig);
	rpcsvc_dump(svc);
	ret = 0;
out:
	rpcsvc_free(svc);
	return ret;
}

/*
 * rpcbind.c — telling the local rpcbind (portmapper) where our programs
 * listen, so clients can find them without port= options.
 *
 * Every program is registered for each transport we listen on, as netids
 * "tcp", "udp", "tcp6", "udp6" (rpcbind answers portmap v2 queries, i.e.
 * `rpcinfo -p`, from the same table), after clearing any stale entry of
 * the same program and version. libtirpc can block for a long time when
 * rpcbind is absent, so we first check that it answers on its local
 * socket or 127.0.0.1:111 within a short timeout; if it does not, one
 * warning says how clients can still reach us, and the service runs on.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <rpc/rpcb_clnt.h>
#include <string.h>
#include <sys/un.h>
#include <unistd.h>

#include "log.h"
#include "rpcsvc_int.h"

#define RPCBIND_SOCK "/run/rpcbind.sock"
#define RPCBIND_PORT 111
#define RPCBIND_CONNECT_MS 1000

/* Can we connect to @sa within RPCBIND_CONNECT_MS? */
static bool rpcbind_try(const struct sockaddr *sa, socklen_t len)
{
	struct pollfd pfd = { .events = POLLOUT };
	int err = 0;
	socklen_t elen = sizeof(err);
	bool ok = false;

	pfd.fd = socket(sa->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (pfd.fd < 0)
		return false;
	if (connect(pfd.fd, sa, len) == 0) {
		ok = true;
	} else if (errno == EINPROGRESS && poll(&pfd, 1, RPCBIND_CONNECT_MS) == 1 &&
		   getsockopt(pfd.fd, SOL_SOCKET, SO_ERROR, &err, &elen) == 0 && err == 0) {
		ok = true;
	}
	close(pfd.fd);
	return ok;
}

static bool rpcbind_reachable(void)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX, .sun_path = RPCBIND_SOCK };
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(RPCBIND_PORT),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };

	return rpcbind_try((struct sockaddr *)&sun, sizeof(sun)) ||
	       rpcbind_try((struct sockaddr *)&sin, sizeof(sin));
}

static const char *rpcbind_netid(const struct rpcsvc_listener *l)
{
	if (l->kind == RPCSVC_EV_LISTEN)
		return l->family == AF_INET6 ? "tcp6" : "tcp";
	return l->family == AF_INET6 ? "udp6" : "udp";
}

/* Register @p on every listener of its port (one address per netid). */
static void rpcbind_set_program(struct rpcsvc *svc, const struct rpcsvc_program *p)
{
	uint16_t port = rpcsvc_port(svc, p->port);
	GPtrArray *done = g_ptr_array_new();
	guint i, j;

	rpcb_unset(p->prog, p->vers, NULL); /* a stale entry from an earlier run */
	for (i = 0; i < svc->listeners->len; i++) {
		struct rpcsvc_listener *l = g_ptr_array_index(svc->listeners, i);
		const char *netid = rpcbind_netid(l);
		struct netconfig *nconf;
		struct netbuf nb = { .maxlen = l->addr_len, .len = l->addr_len, .buf = &l->addr };

		if (l->port != port || l->fd < 0)
			continue;
		for (j = 0; j < done->len; j++)
			if (strcmp(g_ptr_array_index(done, j), netid) == 0)
				break;
		if (j < done->len)
			continue;
		g_ptr_array_add(done, (gpointer)netid);
		nconf = getnetconfigent(netid);
		if (!nconf) {
			xl_logd("rpc", XL_LOG_WARNING, "no netconfig entry for %s: %s not registered",
				netid, p->name);
			continue;
		}
		if (!rpcb_set(p->prog, p->vers, nconf, &nb))
			xl_logd("rpc", XL_LOG_WARNING,
				"rpcbind refused to register %s (%u v%u) on %s port %u", p->name,
				p->prog, p->vers, netid, port);
		else
			xl_logd("rpc", XL_LOG_DEBUG, "registered %s (%u v%u) on %s port %u",
				p->name, p->prog, p->vers, netid, port);
		freenetconfigent(nconf);
	}
	g_ptr_array_free(done, TRUE);
}

void rpcsvc_rpcbind_register(struct rpcsvc *svc)
{
	guint i;

	if (!rpcbind_reachable()) {
		xl_logd("rpc", XL_LOG_WARNING,
			"rpcbind not reachable: NFS clients must use port=/mountport= "
			"(and mountproto=) options to find this server");
		return;
	}
	for (i = 0; i < svc->programs->len; i++)
		rpcbind_set_program(svc, g_ptr_array_index(svc->programs, i));
	svc->rpcbind_registered = true;
}

void rpcsvc_rpcbind_unregister(struct rpcsvc *svc)
{
	guint i;

	if (!rpcbind_reachable()) {
		xl_logd("rpc", XL_LOG_WARNING, "rpcbind went away: cannot unregister");
		goto out;
	}
	for (i = 0; i < svc->programs->len; i++) {
		const struct rpcsvc_program *p = g_ptr_array_index(svc->programs, i);

		rpcb_unset(p->prog, p->vers, NULL);
	}
out:
	svc->rpcbind_registered = false;
}

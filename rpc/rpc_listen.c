/*
 * rpc_listen.c — binding the service's sockets.
 *
 * For every distinct program port, on every configured address, a TCP
 * listener and/or a UDP socket. Port 0 asks for an ephemeral port: the
 * first socket of that group picks one and the others bind the same
 * number, so TCP and UDP, IPv4 and IPv6 of one program share it (retried
 * a few times if another process holds that number on the other
 * transport). IPv6 sockets are IPV6_V6ONLY so "0.0.0.0,::" works.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "rpcsvc_int.h"

#define LISTEN_BACKLOG 128
#define LISTEN_EPHEMERAL_TRIES 8

void rpcsvc_addr_str(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN] = "?";

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		inet_ntop(AF_INET, &sin->sin_addr, host, sizeof(host));
		snprintf(buf, size, "%s:%u", host, ntohs(sin->sin_port));
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		inet_ntop(AF_INET6, &sin6->sin6_addr, host, sizeof(host));
		snprintf(buf, size, "[%s]:%u", host, ntohs(sin6->sin6_port));
	} else {
		snprintf(buf, size, "(family %d)", sa->sa_family);
	}
}

/* Parse numeric address @addr into @ss with @port. 0 or -EINVAL. */
static int listen_parse(const char *addr, uint16_t port, struct sockaddr_storage *ss,
			socklen_t *len)
{
	struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE,
				  .ai_socktype = SOCK_STREAM };
	struct addrinfo *res = NULL;

	if (getaddrinfo(addr, NULL, &hints, &res) != 0 || !res)
		return -EINVAL;
	memcpy(ss, res->ai_addr, res->ai_addrlen);
	*len = res->ai_addrlen;
	freeaddrinfo(res);
	if (ss->ss_family == AF_INET)
		((struct sockaddr_in *)ss)->sin_port = htons(port);
	else
		((struct sockaddr_in6 *)ss)->sin6_port = htons(port);
	return 0;
}

/* Open one socket of @type bound to @addr:@port; *out gets the listener.
 * @quiet: do not log a failure to bind (an ephemeral group retries). */
static int listen_one(struct rpcsvc *svc, const char *addr, uint16_t port, int type, bool quiet,
		      struct rpcsvc_listener **out)
{
	struct rpcsvc_listener *l = g_new0(struct rpcsvc_listener, 1);
	char name[INET6_ADDRSTRLEN + 8];
	int one = 1;
	int ret;

	l->fd = -1;
	l->svc = svc;
	l->kind = type == SOCK_STREAM ? RPCSVC_EV_LISTEN : RPCSVC_EV_UDP;
	ret = listen_parse(addr, port, &l->addr, &l->addr_len);
	if (ret < 0) {
		xl_logd("rpc", XL_LOG_ERROR, "bad listen address \"%s\"", addr);
		goto out_free;
	}
	l->family = l->addr.ss_family;
	rpcsvc_addr_str((struct sockaddr *)&l->addr, name, sizeof(name));
	l->fd = socket(l->family, type | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (l->fd < 0) {
		ret = -errno;
		goto out_log;
	}
	setsockopt(l->fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (l->family == AF_INET6 &&
	    setsockopt(l->fd, IPPROTO_IPV6, IPV6_V6ONLY, &one, sizeof(one)) < 0) {
		ret = -errno;
		goto out_log;
	}
	/* UDP replies must leave from the address the call came to. */
	if (type == SOCK_DGRAM &&
	    (l->family == AF_INET
		     ? setsockopt(l->fd, IPPROTO_IP, IP_PKTINFO, &one, sizeof(one))
		     : setsockopt(l->fd, IPPROTO_IPV6, IPV6_RECVPKTINFO, &one, sizeof(one))) < 0) {
		ret = -errno;
		goto out_log;
	}
	if (bind(l->fd, (struct sockaddr *)&l->addr, l->addr_len) < 0) {
		ret = -errno;
		goto out_log;
	}
	if (type == SOCK_STREAM && listen(l->fd, LISTEN_BACKLOG) < 0) {
		ret = -errno;
		goto out_log;
	}
	l->addr_len = sizeof(l->addr);
	if (getsockname(l->fd, (struct sockaddr *)&l->addr, &l->addr_len) < 0) {
		ret = -errno;
		goto out_log;
	}
	l->port = l->family == AF_INET ? ntohs(((struct sockaddr_in *)&l->addr)->sin_port)
				       : ntohs(((struct sockaddr_in6 *)&l->addr)->sin6_port);
	*out = l;
	return 0;

out_log:
	if (!(quiet && ret == -EADDRINUSE))
		xl_logd("rpc", XL_LOG_ERROR, "cannot listen on %s/%s: %s", name,
			type == SOCK_STREAM ? "tcp" : "udp", g_strerror(-ret));
	if (l->fd >= 0)
		close(l->fd);
out_free:
	g_free(l);
	return ret;
}

/* Bind every socket of the group for requested port @want; on success
 * *got is the bound port. The group's listeners are appended to svc. */
static int listen_group(struct rpcsvc *svc, uint16_t want, uint16_t *got)
{
	guint first = svc->listeners->len;
	uint16_t port = want;
	unsigned a;
	int t, ret = 0;
	static const int types[] = { SOCK_STREAM, SOCK_DGRAM };

	for (a = 0; svc->addrs[a]; a++) {
		for (t = 0; t < 2; t++) {
			struct rpcsvc_listener *l = NULL;

			if ((types[t] == SOCK_STREAM && !svc->cfg.tcp) ||
			    (types[t] == SOCK_DGRAM && !svc->cfg.udp))
				continue;
			ret = listen_one(svc, svc->addrs[a], port, types[t], want == 0, &l);
			if (ret < 0)
				goto out_undo;
			port = l->port;
			g_ptr_array_add(svc->listeners, l);
		}
	}
	*got = port;
	return 0;

out_undo:
	while (svc->listeners->len > first) {
		struct rpcsvc_listener *l = g_ptr_array_steal_index(svc->listeners,
								    svc->listeners->len - 1);
		close(l->fd);
		g_free(l);
	}
	return ret;
}

int rpcsvc_listen_all(struct rpcsvc *svc)
{
	unsigned i;
	int tries, ret = 0;

	for (i = 0; i < svc->nports; i++) {
		uint16_t want = svc->ports[i].want;

		for (tries = 0; tries < LISTEN_EPHEMERAL_TRIES; tries++) {
			ret = listen_group(svc, want, &svc->ports[i].got);
			if (ret != -EADDRINUSE || want != 0)
				break;
		}
		if (ret < 0) {
			xl_logd("rpc", XL_LOG_ERROR, "cannot listen on port %u (%s): %s", want,
				svc->cfg.listen, g_strerror(-ret));
			goto out_close;
		}
		xl_logd("rpc", XL_LOG_INFO, "listening on %s port %u%s%s", svc->cfg.listen,
			svc->ports[i].got, svc->cfg.tcp ? " tcp" : "", svc->cfg.udp ? " udp" : "");
	}
	return 0;

out_close:
	rpcsvc_listen_close_all(svc);
	return ret;
}

void rpcsvc_listen_close_all(struct rpcsvc *svc)
{
	guint i;

	for (i = 0; i < svc->listeners->len; i++) {
		struct rpcsvc_listener *l = g_ptr_array_index(svc->listeners, i);

		if (l->fd >= 0)
			close(l->fd);
		g_free(l);
	}
	g_ptr_array_set_size(svc->listeners, 0);
}

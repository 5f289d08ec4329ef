/*
 * fair_client.c — the clients of tests/integration/fair.sh: ones that
 * misbehave towards a running xlnfsd, and one that measures what a
 * well-behaved client still gets meanwhile. Raw TCP, NFS v3 NULL calls
 * with AUTH_NONE, so nothing but the server's transport is involved.
 *
 *   fair_client stall HOST PORT   pipeline NULL calls without reading a
 *                                 reply until the server stops taking
 *                                 them; print "stalled CALLS", then wait
 *                                 for the server to close the connection
 *                                 and print "closed SECONDS" (or
 *                                 "open" after 120 s)
 *   fair_client pipe HOST PORT N  send N NULL calls at once, never read a
 *                                 reply; print "sent N", then as stall
 *                                 ("closed SECONDS" since "sent")
 *   fair_client idle HOST PORT N  open N connections, print "open N",
 *                                 then hold them until killed
 *   fair_client null HOST PORT K  K NULL calls one after the other on one
 *                                 connection; print "max MS p50 MS"
 *
 * Exit 0 when it did what it says, 1 when the server did not answer,
 * 2 on usage errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define FAIR_NFS_PROG 100003u
#define FAIR_CALL_LEN 44 /* record mark + a 40-byte NULL call */

static double fair_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One record: a NULL call of NFS v3 with @xid, AUTH_NONE both ways. */
static void fair_null_call(uint8_t out[FAIR_CALL_LEN], uint32_t xid)
{
	const uint32_t words[] = {
		0x80000000u | 40, xid, 0 /* CALL */, 2 /* RPC v2 */, FAIR_NFS_PROG, 3, 0,
		0, 0 /* cred AUTH_NONE */, 0, 0 /* verf AUTH_NONE */,
	};

	for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++) {
		uint32_t be = htonl(words[i]);

		memcpy(out + 4 * i, &be, 4);
	}
}

/* A connected socket, with a receive buffer of @rcvbuf bytes if not 0
 * (set before connecting, so the window offered from the start is that
 * small), or -errno. */
static int fair_connect(const char *host, int port, int rcvbuf)
{
	struct sockaddr_in sin = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
	int fd;

	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return -EINVAL;
	fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0)
		return -errno;
	if (rcvbuf)
		setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &rcvbuf, sizeof(rcvbuf));
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		int err = errno;

		close(fd);
		return -err;
	}
	return fd;
}

/* Read exactly @len bytes, within @ms. 0, or -1. */
static int fair_read(int fd, uint8_t *buf, size_t len, int ms)
{
	size_t done = 0;

	while (done < len) {
		struct pollfd p = {.fd = fd, .events = POLLIN};
		ssize_t n;

		if (poll(&p, 1, ms) != 1)
			return -1;
		n = read(fd, buf + done, len - done);
		if (n <= 0)
			return -1;
		done += (size_t)n;
	}
	return 0;
}

/* Wait for the server to give up on @fd without ever reading it: the
 * connection errors or ends (a call is sent every 500 ms when there is
 * room, so a lost reset is answered by another). Print "closed SECONDS"
 * since now, or "open" after 120 s. 0, or 1 when it stayed open. */
static int fair_wait_closed(int fd)
{
	double start = fair_now();

	while (fair_now() - start < 120) {
		struct pollfd p = {.fd = fd, .events = 0};
		uint8_t more[FAIR_CALL_LEN];

		if (poll(&p, 1, 500) < 0)
			break;
		if (!(p.revents & (POLLERR | POLLHUP))) {
			fair_null_call(more, 1);
			if (send(fd, more, sizeof(more), MSG_NOSIGNAL) >= 0 || errno == EAGAIN)
				continue;
		}
		printf("closed %.1f\n", fair_now() - start);
		return 0;
	}
	printf("open\n");
	return 1;
}

/* A connection with a small receive window, so the replies back up at
 * the server soon; non-blocking. -errno when it cannot connect. */
static int fair_connect_narrow(const char *host, int port)
{
	int fd = fair_connect(host, port, 4096);

	if (fd < 0) {
		fprintf(stderr, "fair_client: connect: %s\n", strerror(-fd));
		return fd;
	}
	fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
	return fd;
}

static int fair_stall(const char *host, int port)
{
	uint8_t call[FAIR_CALL_LEN], batch[FAIR_CALL_LEN * 256];
	unsigned long calls = 0;
	int fd = fair_connect_narrow(host, port);

	if (fd < 0)
		return 1;
	for (;;) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		size_t off = 0;

		for (unsigned i = 0; i < 256; i++) {
			fair_null_call(call, (uint32_t)(calls + i + 1));
			memcpy(batch + FAIR_CALL_LEN * i, call, FAIR_CALL_LEN);
		}
		while (off < sizeof(batch)) {
			ssize_t n = send(fd, batch + off, sizeof(batch) - off, MSG_NOSIGNAL);

			if (n > 0) {
				off += (size_t)n;
				continue;
			}
			if (n < 0 && errno != EAGAIN) {
				printf("closed-early %lu\n", calls);
				return 1;
			}
			/* the server takes no more for 2 s: it stopped reading */
			if (poll(&p, 1, 2000) == 0)
				goto stalled;
		}
		calls += 256;
	}
stalled:
	printf("stalled %lu\n", calls);
	fflush(stdout);
	return fair_wait_closed(fd);
}

/* @n NULL calls at once, never a reply read: few enough that the server
 * takes them all and their replies (28 bytes each) all fit in its
 * kernel's send buffer, so none waits in the server's process. */
static int fair_pipe(const char *host, int port, unsigned n)
{
	uint8_t *calls = malloc((size_t)n * FAIR_CALL_LEN);
	size_t off = 0, len = (size_t)n * FAIR_CALL_LEN;
	int fd = fair_connect_narrow(host, port), rc = 1;

	if (!calls || fd < 0)
		goto out;
	for (unsigned i = 0; i < n; i++)
		fair_null_call(calls + (size_t)FAIR_CALL_LEN * i, i + 1);
	while (off < len) {
		struct pollfd p = {.fd = fd, .events = POLLOUT};
		ssize_t sent = send(fd, calls + off, len - off, MSG_NOSIGNAL);

		if (sent > 0) {
			off += (size_t)sent;
			continue;
		}
		if ((sent < 0 && errno != EAGAIN) || poll(&p, 1, 10000) != 1) {
			printf("not-taken %zu\n", off / FAIR_CALL_LEN);
			goto out;
		}
	}
	printf("sent %u\n", n);
	fflush(stdout);
	rc = fair_wait_closed(fd);
out:
	if (fd >= 0)
		close(fd);
	free(calls);
	return rc;
}

static int fair_idle(const char *host, int port, unsigned n)
{
	struct rlimit rl = {.rlim_cur = n + 64, .rlim_max = n + 64};

	if (setrlimit(RLIMIT_NOFILE, &rl) < 0) {
		perror("fair_client: setrlimit");
		return 1;
	}
	for (unsigned i = 0; i < n; i++) {
		int fd = fair_connect(host, port, 0);

		if (fd < 0) {
			fprintf(stderr, "fair_client: connection %u: %s\n", i, strerror(-fd));
			return 1;
		}
	}
	printf("open %u\n", n);
	fflush(stdout);
	for (;;)
		pause();
}

static int fair_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static int fair_null(const char *host, int port, unsigned k)
{
	double *ms = calloc(k, sizeof(*ms));
	uint8_t call[FAIR_CALL_LEN], reply[28];
	int fd = fair_connect(host, port, 0), one = 1, rc = 1;

	if (!ms || fd < 0) {
		fprintf(stderr, "fair_client: connect: %s\n", fd < 0 ? strerror(-fd) : "no memory");
		goto out;
	}
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	for (unsigned i = 0; i < k; i++) {
		double t0 = fair_now();

		fair_null_call(call, 0x1000 + i);
		/* the reply: record mark, xid, REPLY, MSG_ACCEPTED, verf, SUCCESS */
		if (write(fd, call, sizeof(call)) != (ssize_t)sizeof(call) ||
		    fair_read(fd, reply, sizeof(reply), 10000) < 0) {
			fprintf(stderr, "fair_client: no reply to NULL call %u\n", i);
			goto out;
		}
		ms[i] = (fair_now() - t0) * 1000;
	}
	qsort(ms, k, sizeof(*ms), fair_cmp);
	printf("max %.1f p50 %.1f\n", ms[k - 1], ms[k / 2]);
	rc = 0;
out:
	if (fd >= 0)
		close(fd);
	free(ms);
	return rc;
}

int main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "stall") == 0)
		return fair_stall(argv[2], atoi(argv[3]));
	if (argc == 5 && strcmp(argv[1], "pipe") == 0 && atoi(argv[4]) > 0)
		return fair_pipe(argv[2], atoi(argv[3]), (unsigned)atoi(argv[4]));
	if (argc == 5 && strcmp(argv[1], "idle") == 0)
		return fair_idle(argv[2], atoi(argv[3]), (unsigned)atoi(argv[4]));
	if (argc == 5 && strcmp(argv[1], "null") == 0 && atoi(argv[4]) > 0)
		return fair_null(argv[2], atoi(argv[3]), (unsigned)atoi(argv[4]));
	fprintf(stderr, "usage: fair_client stall HOST PORT | pipe HOST PORT N | "
			"idle HOST PORT N | null HOST PORT K\n");
	return 2;
}

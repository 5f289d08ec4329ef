/*
 * raw_sock.h — whole-buffer receive with a timeout, for the unit tests
 * that talk to the RPC service over raw TCP sockets (test_rpc_fair,
 * test_rpc_blocking).
 */
#ifndef XLNFS_RAW_SOCK_H
#define XLNFS_RAW_SOCK_H

#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

/* Receive exactly @len bytes into @p, waiting at most @ms for each part:
 * false on a timeout, an error or the end of the stream. */
static inline bool recv_all(int fd, void *p, size_t len, int ms)
{
	while (len > 0) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, ms) != 1)
			return false;
		n = recv(fd, p, len, 0);
		if (n <= 0)
			return false;
		p = (uint8_t *)p + n;
		len -= (size_t)n;
	}
	return true;
}

#endif

/*
 * daemonize.c — the classic double fork, plus a pipe over which the
 * daemon tells the waiting terminal process whether it started.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "daemonize.h"

#define DAEMONIZE_OK "ok"

/* In the original process: wait for the daemon's word and exit with it. */
static void daemonize_wait(int rfd, pid_t child)
{
	char buf[4096];
	size_t n = 0;
	ssize_t r;

	while (n < sizeof(buf) - 1) {
		r = read(rfd, buf + n, sizeof(buf) - 1 - n);
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		n += (size_t)r;
	}
	buf[n] = '\0';
	close(rfd);
	waitpid(child, NULL, 0);
	if (strcmp(buf, DAEMONIZE_OK) == 0)
		exit(0);
	if (n == 0)
		fprintf(stderr, "xlnfsd: the daemon exited during start-up (see the log)\n");
	else
		fprintf(stderr, "%s%s", buf, buf[n - 1] == '\n' ? "" : "\n");
	exit(1);
}

static void daemonize_stdio(void)
{
	int fd = open("/dev/null", O_RDWR);

	if (fd < 0)
		return;
	dup2(fd, STDIN_FILENO);
	dup2(fd, STDOUT_FILENO);
	dup2(fd, STDERR_FILENO);
	if (fd > STDERR_FILENO)
		close(fd);
}

int daemonize_start(void)
{
	int p[2];
	pid_t pid;

	if (pipe2(p, O_CLOEXEC) < 0)
		return -errno;
	fflush(NULL);
	pid = fork();
	if (pid < 0) {
		int ret = -errno;

		close(p[0]);
		close(p[1]);
		return ret;
	}
	if (pid > 0) {
		close(p[1]);
		daemonize_wait(p[0], pid);
	}
	close(p[0]);
	if (setsid() < 0)
		_exit(1);
	pid = fork();
	if (pid < 0) {
		daemonize_report(p[1], "xlnfsd: cannot fork the daemon");
		_exit(1);
	}
	if (pid > 0)
		_exit(0);
	if (chdir("/") < 0) {
		/* "/" always exists; nothing sensible to do otherwise. */
	}
	umask(022);
	daemonize_stdio();
	return p[1];
}

void daemonize_report(int fd, const char *msg)
{
	const char *text = msg ? msg : DAEMONIZE_OK;
	size_t len = strlen(text), off = 0;
	ssize_t w;

	if (fd < 0)
		return;
	while (off < len) {
		w = write(fd, text + off, len - off);
		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			break;
		off += (size_t)w;
	}
	close(fd);
}

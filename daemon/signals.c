/*
 * signals.c — blocking the daemon's signals and waiting for them.
 * See signals.h.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include "signals.h"

int signals_block(sigset_t *set)
{
	struct sigaction sa = {.sa_handler = SIG_IGN};
	int ret;

	sigemptyset(set);
	sigaddset(set, SIGTERM);
	sigaddset(set, SIGINT);
	sigaddset(set, SIGHUP);
	sigaddset(set, SIGUSR1);
	sigaddset(set, SIGUSR2);
	ret = pthread_sigmask(SIG_BLOCK, set, NULL);
	if (ret)
		return -ret;
	sigemptyset(&sa.sa_mask);
	if (sigaction(SIGPIPE, &sa, NULL) < 0)
		return -errno;
	return 0;
}

int signals_wait(const sigset_t *set, siginfo_t *info)
{
	int sig;

	do {
		sig = sigwaitinfo(set, info);
	} while (sig < 0 && errno == EINTR);
	return sig;
}

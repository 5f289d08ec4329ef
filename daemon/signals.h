/*
 * signals.h — the daemon's signals, taken synchronously.
 *
 * SIGTERM, SIGINT, SIGHUP, SIGUSR1 and SIGUSR2 are blocked in the main thread
 * before any other thread exists, so every worker inherits the mask and
 * only the main thread, waiting in sigwaitinfo(), ever receives them.
 * SIGPIPE is ignored: a vanished client must not kill the server.
 */
#ifndef XLNFS_SIGNALS_H
#define XLNFS_SIGNALS_H

#include <signal.h>

/* Block the daemon's signals in the calling thread and ignore SIGPIPE;
 * @set receives the blocked set for signals_wait(). 0 or -errno. */
int signals_block(sigset_t *set);

/* Wait for one of @set; returns its number (retrying on EINTR). */
int signals_wait(const sigset_t *set, siginfo_t *info);

#endif

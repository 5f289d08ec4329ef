/*
 * daemonize.h — detaching from the terminal with a start-up status pipe.
 *
 * The original process stays until the daemon reports: it exits 0 once
 * the daemon says it is serving, or prints the daemon's reason and exits
 * 1, so `xlnfsd && mount ...` works and a failed start is seen.
 */
#ifndef XLNFS_DAEMONIZE_H
#define XLNFS_DAEMONIZE_H

/* Fork twice (setsid in between), chdir /, umask 022, stdio to /dev/null.
 * Returns in the final daemon process only, with the write end of the
 * status pipe (>= 0), or -errno in the original process if forking
 * failed. The original process never returns otherwise: it exits with
 * the status reported through daemonize_report(). Call it while the
 * process has a single thread. */
int daemonize_start(void);

/* Report start-up: @msg NULL means serving ("ok"), otherwise the reason
 * of the failure. Closes @fd. Safe with @fd < 0 (nothing to report to). */
void daemonize_report(int fd, const char *msg);

#endif

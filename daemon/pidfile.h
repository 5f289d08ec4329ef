/*
 * pidfile.h — the daemon's pid file, locked for the daemon's life.
 *
 * The lock (fcntl F_SETLK on the whole file) is what says "running": a
 * pid file nobody holds locked is stale, whatever pid it contains, and is
 * taken over. fcntl locks belong to a process and are not inherited by
 * fork(), so the final daemon process must take the lock itself.
 */
#ifndef XLNFS_PIDFILE_H
#define XLNFS_PIDFILE_H

#include <sys/types.h>

/* Is @path locked by a running process? 0 if not (or if it does not
 * exist); -EEXIST with *holder set to the holder's pid if it is; another
 * -errno if it cannot be examined. */
int pidfile_check(const char *path, pid_t *holder);

/* Create or take over @path, lock it and write our pid. Returns the open
 * descriptor (keep it open: closing drops the lock), -EEXIST with *holder
 * if another process holds it, or another -errno. */
int pidfile_acquire(const char *path, pid_t *holder);

/* Remove @path and drop the lock held on @fd. */
void pidfile_release(const char *path, int fd);

#endif

/*
 * mountlist.h — the MOUNT program's list of (client, directory) pairs.
 *
 * MNT adds an entry, UMNT removes one, UMNTALL removes all of a client's,
 * DUMP lists them. The list is advisory (RFC 1813 §5.2.3: clients may
 * never unmount), bounded, and survives restarts: every change rewrites
 * the file atomically (temporary file, fsync, rename, fsync of the
 * directory), one "host:/path" line per entry, in insertion order.
 * Every function is thread-safe (one mutex per list).
 */
#ifndef XLNFS_MOUNTLIST_H
#define XLNFS_MOUNTLIST_H

#include <stddef.h>

struct mountlist;

/* Longest host name and directory an entry may hold (MNTNAMLEN and
 * MNTPATHLEN of the MOUNT protocol). */
#define MOUNTLIST_HOST_MAX 255
#define MOUNTLIST_DIR_MAX  1024
/* Default bound on the number of entries. */
#define MOUNTLIST_DEFAULT_MAX 10000

/* Make an empty list persisted at @path (copied; NULL: kept in memory
 * only) of at most @max entries (0: MOUNTLIST_DEFAULT_MAX). Nothing is
 * read or written yet. Never NULL. Free with mountlist_free(). */
struct mountlist *mountlist_new(const char *path, size_t max);

/* Replace the entries with those of the list's file. Lines that are not
 * "host:/dir" within the limits, duplicates and lines beyond the bound are
 * skipped (logged at WARNING); blank lines and '#' comments are ignored.
 * A missing file is an empty list. 0, or -errno when the file cannot be
 * read (the list is then left empty). */
int mountlist_load(struct mountlist *ml);

/* Record that @host mounted @dir. A pair already listed is not repeated.
 * 0 when listed (new or not); -EINVAL for a host that is empty, too long
 * or has '/', ':' at its end or control characters, or a dir that is not
 * absolute, too long or has a newline; -ENOSPC when the list is full; or
 * the -errno of saving the file (the entry stays listed in memory). */
int mountlist_add(struct mountlist *ml, const char *host, const char *dir);

/* Forget that @host mounted @dir. 0, -ENOENT if it was not listed, or the
 * -errno of saving the file (the entry is gone from memory). */
int mountlist_remove(struct mountlist *ml, const char *host, const char *dir);

/* Forget every mount of @host. The number of entries removed (≥ 0), or the
 * -errno of saving the file. */
int mountlist_remove_host(struct mountlist *ml, const char *host);

size_t mountlist_count(struct mountlist *ml);

/* Call @fn for each entry in order, with the list locked (@fn must not
 * call back into the list). Stops early when @fn returns nonzero and
 * returns that value; 0 otherwise. */
int mountlist_foreach(struct mountlist *ml, int (*fn)(void *ctx, const char *host, const char *dir),
		      void *ctx);

/* Free the list (the file is left as it is). NULL is ignored. */
void mountlist_free(struct mountlist *ml);

#endif

/*
 * nfs3_verf.h — the two verifiers NFSv3 asks the server to invent:
 *
 *  - the READDIR/READDIRPLUS cookie verifier, derived from the directory's
 *    mtime so that it changes when the directory does;
 *  - the exclusive CREATE verifier, kept in the new file's atime and mtime
 *    (the file has no other place to hold it) and compared on a retry.
 *
 * Pure functions of their arguments: no I/O, no allocation.
 */
#ifndef XLNFS_NFS3_VERF_H
#define XLNFS_NFS3_VERF_H

#include <stdbool.h>
#include <sys/stat.h>
#include <time.h>

#include "nfs3_prot.h"

/* The cookie verifier for a directory whose attributes are @st: the
 * mtime's seconds (low 32 bits) then nanoseconds, both big-endian. Never
 * all zero (a zero verifier means "none" to clients): an mtime of exactly
 * 0.0 gives 00 00 00 00 00 00 00 01. */
void nfs3_cookieverf_from_stat(const struct stat *st, cookieverf3 verf);

/* May a READDIR(PLUS) at @cookie with the client's @verf go on, given the
 * directory's current verifier @cur? Cookie 0 and an all-zero @verf always
 * may; otherwise @verf must equal @cur. */
bool nfs3_cookieverf_ok(uint64_t cookie, const cookieverf3 verf, const cookieverf3 cur);

/* The times an exclusive CREATE stores for @verf. With v0 the first four
 * bytes and v1 the last four (both big-endian):
 *   atime = { v0, v1 & 0x1fffffff }   mtime = { v0, v1 >> 29 }
 * Both nanosecond fields stay below 1e9 and together hold v1 whole, so the
 * mapping is one-to-one: nfs3_createverf_match() of what this stores is
 * true, and false for any other verifier. */
void nfs3_createverf_to_times(const createverf3 verf, struct timespec *atime,
			      struct timespec *mtime);

/* Do @st's atime and mtime hold @verf as nfs3_createverf_to_times()
 * stores it? */
bool nfs3_createverf_match(const createverf3 verf, const struct stat *st);

#endif

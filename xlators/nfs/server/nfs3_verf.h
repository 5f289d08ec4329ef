/*
 * nfs3_verf.h — the three verifiers NFSv3 asks the server to invent:
 *
 *  - the WRITE/COMMIT write verifier, new on every start and changed
 *    whenever the server may have lost data it acknowledged as UNSTABLE
 *    (a failed backend write or COMMIT), so clients resend what they have
 *    not seen committed under the verifier they hold (RFC 1813 §3.3.7);
 *  - the READDIR/READDIRPLUS cookie verifier, derived from the directory's
 *    identity so that it stays while entries come and go (knfsd never
 *    checks it for v3; neither do we);
 *  - the exclusive CREATE verifier, kept in the new file's atime and mtime
 *    (the file has no other place to hold it) and compared on a retry.
 *
 * The cookie and create verifiers are pure functions of their arguments;
 * the write verifier is one 64-bit word read and changed atomically, so
 * workers need no lock around it.
 */
#ifndef XLNFS_NFS3_VERF_H
#define XLNFS_NFS3_VERF_H

#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "nfs3_prot.h"
#include "xlator.h"

/* --- write verifier --- */

/* Set *@verf to a value that differs on every start (start time in ns,
 * pid and random bits). */
void nfs3_write_verf_init(uint64_t *verf);
/* The current verifier into @out, as WRITE and COMMIT answer it. */
void nfs3_write_verf_get(const uint64_t *verf, writeverf3 out);
/* Change the verifier (atomically; every later WRITE and COMMIT answers
 * the new one) and return the new value. */
uint64_t nfs3_write_verf_bump(uint64_t *verf);
/* Does a WRITE or COMMIT that the child failed with @err (< 0) mean data
 * acknowledged earlier may be lost, so the verifier must change? True
 * for errors of the storage itself (EIO, ENOSPC, EDQUOT, ...), false for
 * errors that refuse the call before any data moves (EACCES, EPERM,
 * EROFS, EINVAL, EISDIR, EFBIG, ESTALE, EAGAIN). */
bool nfs3_write_verf_lost(int err);

/* --- cookie verifier --- */

/* The cookie verifier for a directory whose attributes are @ia: its ino
 * (the storage's object number), big-endian. It does not change while
 * the directory lives, whatever happens to its entries: like knfsd, the
 * server never refuses a READDIR(PLUS) for its verifier, only for a
 * cookie the storage cannot resume (the readdir fop's -EINVAL). Never
 * all zero (a zero verifier means "none" to clients): an ino of 0, or
 * none known, gives 00 00 00 00 00 00 00 01. */
void nfs3_cookieverf_from_iatt(const struct xl_iatt *ia, cookieverf3 verf);

/* --- exclusive create verifier --- */

/* The times an exclusive CREATE stores for @verf. With v0 the first four
 * bytes and v1 the last four (both big-endian):
 *   atime = { v0, v1 & 0x1fffffff }   mtime = { v0, v1 >> 29 }
 * Both nanosecond fields stay below 1e9 and together hold v1 whole, so the
 * mapping is one-to-one: nfs3_createverf_match() of what this stores is
 * true, and false for any other verifier. */
void nfs3_createverf_to_times(const createverf3 verf, struct timespec *atime,
			      struct timespec *mtime);

/* Do @ia's atime and mtime (both valid) hold @verf as
 * nfs3_createverf_to_times() stores it? */
bool nfs3_createverf_match(const createverf3 verf, const struct xl_iatt *ia);

#endif

/*
 * nfs3_udp.h — NFSv3 and MOUNT v3 calls over UDP for the integration client.
 *
 * libnfs talks TCP only, so the UDP checks use libtirpc with the XDR
 * routines the project generates from its own .x files. This header uses
 * plain C types only, so nfs3_client.c (libnfs types) can include it
 * without the two sets of protocol types meeting in one file.
 */
#ifndef XLNFS_TEST_NFS3_UDP_H
#define XLNFS_TEST_NFS3_UDP_H

#include <stdbool.h>
#include <stddef.h>

/* Report one check: @ok is its result, @what describes it. */
typedef void (*udp_report_fn)(bool ok, const char *what);

/*
 * Over UDP (ports from rpcbind on @host): MOUNT v3 NULL and MNT of
 * @export_path (the handle must equal @rootfh), NFS v3 NULL, GETATTR of
 * @rootfh, LOOKUP of @name in it, and READ of that file, whose content must
 * be @expect (@expect_len bytes, at most 4096). Every check goes through
 * @report. Returns the number of failed checks.
 */
int udp_checks(const char *host, const char *export_path, const void *rootfh,
	       size_t rootfh_len, const char *name, const void *expect, size_t expect_len,
	       udp_report_fn report);

#endif

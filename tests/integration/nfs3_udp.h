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

/* What the UDP checks work on: made over TCP beforehand. */
struct udp_target {
	const char *host;         /* the server's IPv4 address */
	const char *export_path;  /* MNT of it over UDP must give rootfh */
	const void *rootfh;
	size_t rootfh_len;
	const char *name;         /* a small file in the root: its content */
	const void *expect;       /* is expect_len bytes (at most 4096) */
	size_t expect_len;
	const char *bigfile;      /* a file in the root of bigfile_len bytes, */
	size_t bigfile_len;       /* byte i of it udp_pattern(i) */
	unsigned tcp_rtmax;       /* FSINFO's rtmax over TCP */
	const char *bigdir;       /* a directory in the root with */
	size_t bigdir_entries;    /* this many entries besides . and .. */
};

/* The content of the big file at offset @off. */
unsigned char udp_pattern(unsigned long long off);

/*
 * Over UDP (ports from rpcbind on t->host): MOUNT v3 NULL and MNT of
 * export_path (the handle must equal rootfh), NFS v3 NULL, GETATTR of
 * rootfh, LOOKUP and READ of the small file; FSINFO's sizes over UDP
 * fit a datagram; READ of the big file with that rtmax is answered in
 * full, and with TCP's rtmax short, and the whole file reads back; a
 * WRITE of UDP's wtmax is answered; READDIRPLUS and READDIR of the big
 * directory with counts of TCP's rtmax are answered with what fits, and
 * the listing completes through cookies with every entry once. Every
 * check goes through @report. Returns the number of failed checks.
 */
int udp_checks(const struct udp_target *t, udp_report_fn report);

#endif

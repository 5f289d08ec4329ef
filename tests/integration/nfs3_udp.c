/*
 * nfs3_udp.c — the integration client's UDP checks (see nfs3_udp.h).
 *
 * libtirpc UDP clients (ports from the portmapper), with AUTH_SYS as the
 * calling user, and the XDR routines rpcgen builds from the project's
 * nfs3_prot.x and mount3_prot.x. The clients' buffers hold a whole
 * datagram (libtirpc's default is 8800 bytes), so what the server sends
 * is what they decode: a reply the server could not send at all shows
 * as a timed-out call.
 */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <rpc/rpc.h>

#include "mount3_prot.h"
#include "nfs3_prot.h"
#include "nfs3_udp.h"

static int udp_fails;
static udp_report_fn udp_report;

/* The largest UDP payload over IPv4 and an accepted reply's header with
 * an AUTH_NONE verifier: what FSINFO's sizes must leave room for. */
#define UDP4_MAX 65507
#define RPC_REPLY_HDR 24
/* A READ3res before its data (status, attributes, count, eof, length). */
#define READ_FIXED (4 + 4 + 84 + 4 + 4 + 4)
/* A client buffer that holds any datagram. */
#define UDP_BUF 65536

static void udp_check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void udp_check(bool ok, const char *fmt, ...)
{
	char what[256];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (!ok)
		udp_fails++;
	udp_report(ok, what);
}

unsigned char udp_pattern(unsigned long long off)
{
	return (unsigned char)((off * 7 + off / 4093) % 251);
}

/* xdr_void with the argument list clnt_call passes. */
static bool_t udp_xdr_void(XDR *xdrs, void *p)
{
	return TRUE;
}

static CLIENT *udp_client(const char *host, rpcprog_t prog, rpcvers_t vers)
{
	struct sockaddr_in sin = { .sin_family = AF_INET }; /* port 0: ask the portmapper */
	struct timeval retry = { .tv_sec = 1 };
	int sock = RPC_ANYSOCK;
	CLIENT *clnt;

	/* clntudp_bufcreate rather than clnt_create: the latter keeps an rpcbind
	 * address cache that is never freed (a leak report under ASan). */
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "udp: %s is not an IPv4 address\n", host);
		return NULL;
	}
	clnt = clntudp_bufcreate(&sin, prog, vers, retry, &sock, UDP_BUF, UDP_BUF);
	if (!clnt) {
		clnt_pcreateerror("udp: clntudp_bufcreate");
		return NULL;
	}
	auth_destroy(clnt->cl_auth);
	clnt->cl_auth = authunix_create_default();
	return clnt;
}

static void udp_client_destroy(CLIENT *clnt)
{
	auth_destroy(clnt->cl_auth); /* clnt_destroy leaves it */
	clnt_destroy(clnt);
}

static bool udp_call(CLIENT *clnt, rpcproc_t proc, xdrproc_t xargs, void *args, xdrproc_t xres,
		     void *res, const char *name)
{
	struct timeval tv = { .tv_sec = 10 };
	enum clnt_stat st = clnt_call(clnt, proc, xargs, args, xres, res, tv);

	if (st != RPC_SUCCESS) {
		fprintf(stderr, "udp: %s: %s\n", name, clnt_sperrno(st));
		return false;
	}
	return true;
}

static void udp_mount_checks(const char *host, const char *export_path, const void *rootfh,
			     size_t rootfh_len)
{
	CLIENT *clnt = udp_client(host, MOUNT_PROGRAM, MOUNT_V3);
	mountres3 mres;
	char *path = (char *)export_path;
	bool ok;

	udp_check(clnt != NULL, "udp: MOUNT v3 client (rpcbind lists udp)%s", "");
	if (!clnt)
		return;
	udp_check(udp_call(clnt, MOUNTPROC3_NULL, (xdrproc_t)udp_xdr_void, NULL, (xdrproc_t)udp_xdr_void,
			   NULL, "MOUNT NULL"),
		  "udp: MOUNT v3 NULL%s", "");
	memset(&mres, 0, sizeof(mres));
	ok = udp_call(clnt, MOUNTPROC3_MNT, (xdrproc_t)xdr_dirpath, &path, (xdrproc_t)xdr_mountres3,
		      &mres, "MNT");
	udp_check(ok && mres.fhs_status == MNT3_OK, "udp: MNT %s → MNT3_OK", export_path);
	if (ok && mres.fhs_status == MNT3_OK) {
		fhandle3 *fh = &mres.mountres3_u.mountinfo.fhandle;

		udp_check(fh->fhandle3_len == rootfh_len &&
				  memcmp(fh->fhandle3_val, rootfh, rootfh_len) == 0,
			  "udp: MNT %s gives the same root handle as over TCP", export_path);
	}
	if (ok)
		clnt_freeres(clnt, (xdrproc_t)xdr_mountres3, (char *)&mres);
	udp_client_destroy(clnt);
}

static void udp_nfs_checks(CLIENT *clnt, const void *rootfh, size_t rootfh_len,
			   const char *name, const void *expect, size_t expect_len)
{
	GETATTR3args ga;
	GETATTR3res gr;
	LOOKUP3args la;
	LOOKUP3res lr;
	READ3args ra;
	READ3res rr;
	bool ok, lok;

	udp_check(udp_call(clnt, NFSPROC3_NULL, (xdrproc_t)udp_xdr_void, NULL, (xdrproc_t)udp_xdr_void,
			   NULL, "NULL"),
		  "udp: NFS NULL%s", "");

	memset(&ga, 0, sizeof(ga));
	memset(&gr, 0, sizeof(gr));
	ga.object.data.data_len = rootfh_len;
	ga.object.data.data_val = (char *)rootfh;
	ok = udp_call(clnt, NFSPROC3_GETATTR, (xdrproc_t)xdr_GETATTR3args, &ga,
		      (xdrproc_t)xdr_GETATTR3res, &gr, "GETATTR");
	udp_check(ok && gr.status == NFS3_OK &&
			  gr.GETATTR3res_u.resok.obj_attributes.type == NF3DIR,
		  "udp: GETATTR root → NFS3_OK, a directory%s", "");
	if (ok)
		clnt_freeres(clnt, (xdrproc_t)xdr_GETATTR3res, (char *)&gr);

	memset(&la, 0, sizeof(la));
	memset(&lr, 0, sizeof(lr));
	la.what.dir.data.data_len = rootfh_len;
	la.what.dir.data.data_val = (char *)rootfh;
	la.what.name = (char *)name;
	lok = udp_call(clnt, NFSPROC3_LOOKUP, (xdrproc_t)xdr_LOOKUP3args, &la,
		       (xdrproc_t)xdr_LOOKUP3res, &lr, "LOOKUP");
	udp_check(lok && lr.status == NFS3_OK, "udp: LOOKUP %s → NFS3_OK", name);
	if (lok && lr.status == NFS3_OK) {
		memset(&ra, 0, sizeof(ra));
		memset(&rr, 0, sizeof(rr));
		ra.file = lr.LOOKUP3res_u.resok.object;
		ra.offset = 0;
		ra.count = 4096;
		ok = udp_call(clnt, NFSPROC3_READ, (xdrproc_t)xdr_READ3args, &ra,
			      (xdrproc_t)xdr_READ3res, &rr, "READ");
		udp_check(ok && rr.status == NFS3_OK, "udp: READ %s → NFS3_OK", name);
		if (ok && rr.status == NFS3_OK) {
			READ3resok *r = &rr.READ3res_u.resok;

			udp_check(r->count == expect_len && r->data.data_len == expect_len &&
					  memcmp(r->data.data_val, expect, expect_len) == 0,
				  "udp: READ %s returns the file's content", name);
			udp_check(r->eof, "udp: READ %s reports eof", name);
		}
		if (ok)
			clnt_freeres(clnt, (xdrproc_t)xdr_READ3res, (char *)&rr);
	}
	if (lok)
		clnt_freeres(clnt, (xdrproc_t)xdr_LOOKUP3res, (char *)&lr);
}

/* LOOKUP @name in @dir into @out (the caller frees it with
 * xdr_free(xdr_nfs_fh3)): true when found. */
static bool udp_lookup(CLIENT *clnt, const void *dir, size_t dir_len, const char *name,
		       nfs_fh3 *out)
{
	LOOKUP3args la = { .what = { .dir = { .data = { dir_len, (char *)dir } },
				     .name = (char *)name } };
	LOOKUP3res lr;
	bool ok;

	memset(&lr, 0, sizeof(lr));
	ok = udp_call(clnt, NFSPROC3_LOOKUP, (xdrproc_t)xdr_LOOKUP3args, &la,
		      (xdrproc_t)xdr_LOOKUP3res, &lr, "LOOKUP");
	udp_check(ok && lr.status == NFS3_OK, "udp: LOOKUP %s → NFS3_OK", name);
	if (!ok)
		return false;
	if (lr.status != NFS3_OK) {
		clnt_freeres(clnt, (xdrproc_t)xdr_LOOKUP3res, (char *)&lr);
		return false;
	}
	*out = lr.LOOKUP3res_u.resok.object;
	memset(&lr.LOOKUP3res_u.resok.object, 0, sizeof(lr.LOOKUP3res_u.resok.object));
	clnt_freeres(clnt, (xdrproc_t)xdr_LOOKUP3res, (char *)&lr);
	return true;
}

/* READ @count at @off of @fh: NFS3_OK with data that is the big file's
 * there. Returns the bytes read, -1 on failure; *eof set. */
static long udp_read_big(CLIENT *clnt, nfs_fh3 *fh, unsigned long long off, unsigned count,
			 bool *eof)
{
	READ3args ra = { .file = *fh, .offset = off, .count = count };
	READ3res rr;
	long got = -1;
	unsigned i;

	memset(&rr, 0, sizeof(rr));
	if (!udp_call(clnt, NFSPROC3_READ, (xdrproc_t)xdr_READ3args, &ra, (xdrproc_t)xdr_READ3res,
		      &rr, "READ"))
		return -1;
	if (rr.status == NFS3_OK) {
		READ3resok *r = &rr.READ3res_u.resok;

		got = r->count;
		if (r->data.data_len != r->count || r->count > count)
			got = -1;
		for (i = 0; got > 0 && i < r->data.data_len; i++)
			if ((unsigned char)r->data.data_val[i] != udp_pattern(off + i))
				got = -1;
		*eof = r->eof;
	}
	clnt_freeres(clnt, (xdrproc_t)xdr_READ3res, (char *)&rr);
	return got;
}

/* FSINFO over UDP, then READ and WRITE at the sizes it gives. */
static void udp_size_checks(CLIENT *clnt, const struct udp_target *t)
{
	FSINFO3args fa = { .fsroot = { .data = { t->rootfh_len, (char *)t->rootfh } } };
	FSINFO3res fr;
	WRITE3args wa;
	WRITE3res wr;
	unsigned rtmax, wtmax, calls = 0;
	unsigned long long off = 0;
	nfs_fh3 fh;
	bool ok, eof = false, eof2 = false, whole = true;
	long got;
	char *buf;
	unsigned i;

	memset(&fr, 0, sizeof(fr));
	ok = udp_call(clnt, NFSPROC3_FSINFO, (xdrproc_t)xdr_FSINFO3args, &fa,
		      (xdrproc_t)xdr_FSINFO3res, &fr, "FSINFO");
	udp_check(ok && fr.status == NFS3_OK, "udp: FSINFO → NFS3_OK");
	if (!ok || fr.status != NFS3_OK)
		return;
	rtmax = fr.FSINFO3res_u.resok.rtmax;
	wtmax = fr.FSINFO3res_u.resok.wtmax;
	udp_check(rtmax >= 32768 && rtmax + READ_FIXED + RPC_REPLY_HDR <= UDP4_MAX &&
			  rtmax < t->tcp_rtmax && rtmax % fr.FSINFO3res_u.resok.rtmult == 0,
		  "udp: FSINFO rtmax %u fits a datagram with READ's header (TCP: %u)", rtmax,
		  t->tcp_rtmax);
	udp_check(wtmax >= 32768 && wtmax < UDP4_MAX - 512 &&
			  wtmax % fr.FSINFO3res_u.resok.wtmult == 0,
		  "udp: FSINFO wtmax %u leaves room for a WRITE call's header", wtmax);
	udp_check(fr.FSINFO3res_u.resok.dtpref <= UDP4_MAX - RPC_REPLY_HDR,
		  "udp: FSINFO dtpref %u fits a datagram", fr.FSINFO3res_u.resok.dtpref);
	clnt_freeres(clnt, (xdrproc_t)xdr_FSINFO3res, (char *)&fr);

	if (!udp_lookup(clnt, t->rootfh, t->rootfh_len, t->bigfile, &fh))
		return;
	got = udp_read_big(clnt, &fh, 0, rtmax, &eof);
	udp_check(got == (long)rtmax && !eof,
		  "udp: READ of rtmax (%u) answered in full with the file's bytes (%ld)", rtmax,
		  got);
	got = udp_read_big(clnt, &fh, rtmax, t->tcp_rtmax, &eof);
	udp_check(got > 0 && got <= (long)rtmax && !eof,
		  "udp: READ of TCP's rtmax (%u) answered short (%ld bytes)", t->tcp_rtmax, got);
	while (!eof2 && whole && calls++ < 1000) {
		got = udp_read_big(clnt, &fh, off, t->tcp_rtmax, &eof2);
		whole = got > 0 || (got == 0 && eof2);
		off += got > 0 ? (unsigned long long)got : 0;
	}
	udp_check(whole && eof2 && off == t->bigfile_len && calls > 1,
		  "udp: %zu bytes read back with READs of %u in %u short reads (%llu)",
		  t->bigfile_len, t->tcp_rtmax, calls, off);

	/* a WRITE of wtmax fits the call datagram: the same bytes again */
	buf = malloc(wtmax);
	if (!buf)
		goto out_fh;
	for (i = 0; i < wtmax; i++)
		buf[i] = (char)udp_pattern(i);
	memset(&wa, 0, sizeof(wa));
	memset(&wr, 0, sizeof(wr));
	wa.file = fh;
	wa.count = wtmax;
	wa.stable = FILE_SYNC;
	wa.data.data_len = wtmax;
	wa.data.data_val = buf;
	ok = udp_call(clnt, NFSPROC3_WRITE, (xdrproc_t)xdr_WRITE3args, &wa,
		      (xdrproc_t)xdr_WRITE3res, &wr, "WRITE");
	udp_check(ok && wr.status == NFS3_OK && wr.WRITE3res_u.resok.count == wtmax,
		  "udp: WRITE of wtmax (%u) answered in full", wtmax);
	if (ok)
		clnt_freeres(clnt, (xdrproc_t)xdr_WRITE3res, (char *)&wr);
	free(buf);
out_fh:
	xdr_free((xdrproc_t)xdr_nfs_fh3, (char *)&fh);
}

static int udp_strcmp(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* READDIRPLUS through the big directory with a count of TCP's rtmax: each
 * reply what fits a datagram, the whole listing through cookies. */
static void udp_readdir_checks(CLIENT *clnt, const struct udp_target *t)
{
	READDIRPLUS3args pa;
	READDIRPLUS3res pr;
	READDIR3args da;
	READDIR3res dr;
	size_t n = 0, first = 0, max = t->bigdir_entries + 8, dups = 0, i;
	char **names = calloc(max, sizeof(*names));
	unsigned calls = 0;
	bool ok = true, eof = false, first_eof = true;
	nfs_fh3 fh;

	if (!names || !udp_lookup(clnt, t->rootfh, t->rootfh_len, t->bigdir, &fh)) {
		free(names);
		return;
	}
	memset(&pa, 0, sizeof(pa));
	pa.dir = fh;
	pa.dircount = t->tcp_rtmax;
	pa.maxcount = t->tcp_rtmax;
	while (ok && !eof && calls++ < 10000) {
		entryplus3 *e;
		size_t got = 0;

		memset(&pr, 0, sizeof(pr));
		ok = udp_call(clnt, NFSPROC3_READDIRPLUS, (xdrproc_t)xdr_READDIRPLUS3args, &pa,
			      (xdrproc_t)xdr_READDIRPLUS3res, &pr, "READDIRPLUS");
		if (!ok)
			break;
		ok = pr.status == NFS3_OK;
		if (ok) {
			READDIRPLUS3resok *r = &pr.READDIRPLUS3res_u.resok;

			for (e = r->reply.entries; e; e = e->nextentry, got++) {
				pa.cookie = e->cookie;
				if (strcmp(e->name, ".") && strcmp(e->name, "..") && n < max)
					names[n++] = strdup(e->name);
			}
			memcpy(pa.cookieverf, r->cookieverf, NFS3_COOKIEVERFSIZE);
			eof = r->reply.eof;
			ok = got > 0 || eof;
			if (calls == 1) {
				first = got;
				first_eof = eof;
			}
		}
		clnt_freeres(clnt, (xdrproc_t)xdr_READDIRPLUS3res, (char *)&pr);
	}
	udp_check(calls >= 1 && first > 0 && !first_eof,
		  "udp: READDIRPLUS dircount=maxcount=%u answered with what fits (%zu entries)",
		  t->tcp_rtmax, first);
	qsort(names, n, sizeof(*names), udp_strcmp);
	for (i = 1; i < n; i++)
		dups += names[i] && names[i - 1] && strcmp(names[i], names[i - 1]) == 0;
	udp_check(ok && eof && n == t->bigdir_entries && dups == 0,
		  "udp: READDIRPLUS listing completes through cookies: %zu of %zu entries, "
		  "%zu twice, %u replies",
		  n, t->bigdir_entries, dups, calls);

	memset(&da, 0, sizeof(da));
	memset(&dr, 0, sizeof(dr));
	da.dir = fh;
	da.count = t->tcp_rtmax;
	ok = udp_call(clnt, NFSPROC3_READDIR, (xdrproc_t)xdr_READDIR3args, &da,
		      (xdrproc_t)xdr_READDIR3res, &dr, "READDIR");
	udp_check(ok && dr.status == NFS3_OK && dr.READDIR3res_u.resok.reply.entries &&
			  !dr.READDIR3res_u.resok.reply.eof,
		  "udp: READDIR count=%u answered with what fits", t->tcp_rtmax);
	if (ok)
		clnt_freeres(clnt, (xdrproc_t)xdr_READDIR3res, (char *)&dr);
	for (i = 0; i < n; i++)
		free(names[i]);
	free(names);
	xdr_free((xdrproc_t)xdr_nfs_fh3, (char *)&fh);
}

int udp_checks(const struct udp_target *t, udp_report_fn report)
{
	CLIENT *clnt;

	udp_fails = 0;
	udp_report = report;
	udp_mount_checks(t->host, t->export_path, t->rootfh, t->rootfh_len);
	clnt = udp_client(t->host, NFS_PROGRAM, NFS_V3);
	udp_check(clnt != NULL, "udp: NFS v3 client (rpcbind lists udp)");
	if (!clnt)
		return udp_fails;
	udp_nfs_checks(clnt, t->rootfh, t->rootfh_len, t->name, t->expect, t->expect_len);
	udp_size_checks(clnt, t);
	udp_readdir_checks(clnt, t);
	udp_client_destroy(clnt);
	return udp_fails;
}

/*
 * nfs3_udp.c — the integration client's UDP checks (see nfs3_udp.h).
 *
 * libtirpc UDP clients (ports from the portmapper), with AUTH_SYS as the
 * calling user, and the XDR routines rpcgen builds from the project's
 * nfs3_prot.x and mount3_prot.x.
 */
#include <arpa/inet.h>
#include <stdio.h>
#include <string.h>

#include <rpc/rpc.h>

#include "mount3_prot.h"
#include "nfs3_prot.h"
#include "nfs3_udp.h"

static int udp_fails;
static udp_report_fn udp_report;

static void udp_check(bool ok, const char *fmt, const char *arg)
{
	char what[256];

	snprintf(what, sizeof(what), fmt, arg);
	if (!ok)
		udp_fails++;
	udp_report(ok, what);
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

	/* clntudp_create rather than clnt_create: the latter keeps an rpcbind
	 * address cache that is never freed (a leak report under ASan). */
	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1) {
		fprintf(stderr, "udp: %s is not an IPv4 address\n", host);
		return NULL;
	}
	clnt = clntudp_create(&sin, prog, vers, retry, &sock);
	if (!clnt) {
		clnt_pcreateerror("udp: clntudp_create");
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

static void udp_nfs_checks(const char *host, const void *rootfh, size_t rootfh_len,
			   const char *name, const void *expect, size_t expect_len)
{
	CLIENT *clnt = udp_client(host, NFS_PROGRAM, NFS_V3);
	GETATTR3args ga;
	GETATTR3res gr;
	LOOKUP3args la;
	LOOKUP3res lr;
	READ3args ra;
	READ3res rr;
	bool ok, lok;

	udp_check(clnt != NULL, "udp: NFS v3 client (rpcbind lists udp)%s", "");
	if (!clnt)
		return;
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
	udp_client_destroy(clnt);
}

int udp_checks(const char *host, const char *export_path, const void *rootfh,
	       size_t rootfh_len, const char *name, const void *expect, size_t expect_len,
	       udp_report_fn report)
{
	udp_fails = 0;
	udp_report = report;
	udp_mount_checks(host, export_path, rootfh, rootfh_len);
	udp_nfs_checks(host, rootfh, rootfh_len, name, expect, expect_len);
	return udp_fails;
}

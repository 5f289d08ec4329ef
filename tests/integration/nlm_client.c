/*
 * nlm_client.c — an NLM v4 client for the integration and e2e tests,
 * over libtirpc with the XDR routines generated from the project's .x
 * files; ports come from rpcbind on HOST.
 *
 *   nlm_client HOST EXPORT FILE hostile
 *       the hostile-input checks (PASS/FAIL lines; exit status 1 when
 *       one fails): bad, empty and oversized handles answer STALE_FH or
 *       are refused undecoded; caller_name and oh at their XDR limit
 *       (1024 bytes) work, one byte more is refused undecoded (GARBAGE);
 *       truncated arguments are refused; ranges past 2^64 answer FBIG;
 *       one client's waiters are bounded (NLM_HOST_MAX_WAITERS BLOCKED,
 *       then DENIED_NOLOCKS) and FREE_ALL drops them; the server answers
 *       NULL after each, over TCP and UDP.
 *   nlm_client HOST EXPORT FILE test OFF LEN
 *       prints "locked" or "free": would an exclusive lock of [OFF,
 *       OFF+LEN) (LEN 0: to the end) by another owner be granted?
 *   nlm_client HOST EXPORT FILE lock OFF LEN
 *       prints "granted" or "denied" for a non-blocking exclusive LOCK,
 *       released again at once when granted.
 *   nlm_client HOST EXPORT FILE lockas NAME OFF LEN
 *       the same LOCK as caller_name NAME, kept (for statd's checks).
 *   nlm_client HOST EXPORT FILE notify NAME
 *       tell the statd on HOST that host NAME rebooted (SM_NOTIFY, proc
 *       6 of program 100024 v1, state 3), as NAME's own statd would.
 *
 * FILE is a name in EXPORT's root directory (MNT, then LOOKUP over TCP).
 */
#include "config.h"

#include <arpa/inet.h>
#include <rpc/rpc.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount3_prot.h"
#include "nfs3_prot.h"
#include "nlm4_prot.h"

#define HOSTILE_WAITERS 64 /* NLM_HOST_MAX_WAITERS (nlm4.h) */

static const char *host;
static int failures;
static char fhbuf[NFS3_FHSIZE];
static u_int fhlen;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		failures++;
}

static CLIENT *client(rpcprog_t prog, rpcvers_t vers, bool tcp)
{
	struct sockaddr_in sin = {.sin_family = AF_INET}; /* port 0: ask the portmapper */
	struct timeval retry = {.tv_sec = 1};
	int sock = RPC_ANYSOCK;
	CLIENT *clnt;

	if (inet_pton(AF_INET, host, &sin.sin_addr) != 1)
		return NULL;
	clnt = tcp ? clnttcp_create(&sin, prog, vers, &sock, 0, 0)
		   : clntudp_bufcreate(&sin, prog, vers, retry, &sock, 65536, 65536);
	if (!clnt) {
		clnt_pcreateerror("nlm_client");
		return NULL;
	}
	auth_destroy(clnt->cl_auth);
	clnt->cl_auth = authunix_create_default();
	return clnt;
}

static void client_destroy(CLIENT *clnt)
{
	auth_destroy(clnt->cl_auth);
	clnt_destroy(clnt);
}

static enum clnt_stat call(CLIENT *clnt, rpcproc_t proc, xdrproc_t xa, void *a, xdrproc_t xr,
			   void *r)
{
	struct timeval tv = {.tv_sec = 10};

	return clnt_call(clnt, proc, xa, a, xr, r, tv);
}

/* The handle of FILE in EXPORT's root into fhbuf. */
static int find_file(const char *export_path, const char *name)
{
	CLIENT *m = client(MOUNT_PROGRAM, MOUNT_V3, true), *n = NULL;
	char *path = (char *)export_path;
	mountres3 mres = {0};
	LOOKUP3args la;
	LOOKUP3res lr = {0};
	int ret = -1;

	if (!m)
		return -1;
	if (call(m, MOUNTPROC3_MNT, (xdrproc_t)xdr_dirpath, &path, (xdrproc_t)xdr_mountres3,
		 &mres) != RPC_SUCCESS ||
	    mres.fhs_status != MNT3_OK)
		goto out;
	n = client(NFS_PROGRAM, NFS_V3, true);
	if (!n)
		goto out;
	la.what.dir.data.data_len = mres.mountres3_u.mountinfo.fhandle.fhandle3_len;
	la.what.dir.data.data_val = mres.mountres3_u.mountinfo.fhandle.fhandle3_val;
	la.what.name = (char *)name;
	if (call(n, NFSPROC3_LOOKUP, (xdrproc_t)xdr_LOOKUP3args, &la, (xdrproc_t)xdr_LOOKUP3res,
		 &lr) != RPC_SUCCESS ||
	    lr.status != NFS3_OK)
		goto out;
	fhlen = lr.LOOKUP3res_u.resok.object.data.data_len;
	if (fhlen > sizeof(fhbuf))
		goto out;
	memcpy(fhbuf, lr.LOOKUP3res_u.resok.object.data.data_val, fhlen);
	ret = 0;
out:
	if (n) {
		xdr_free((xdrproc_t)xdr_LOOKUP3res, (char *)&lr);
		client_destroy(n);
	}
	xdr_free((xdrproc_t)xdr_mountres3, (char *)&mres);
	client_destroy(m);
	return ret;
}

static nlm4_lock mk_lock(const char *caller, int svid, const char *oh, size_t ohlen, uint64_t off,
			 uint64_t len)
{
	nlm4_lock l = {
	    .caller_name = (char *)caller,
	    .fh = {.nlm4_netobj_len = fhlen, .nlm4_netobj_val = fhbuf},
	    .oh = {.nlm4_netobj_len = (u_int)ohlen, .nlm4_netobj_val = (char *)oh},
	    .svid = svid,
	    .l_offset = off,
	    .l_len = len,
	};

	return l;
}

/* LOCK; the status, or -1 when the call failed (*@rpc its error). */
static int lock(CLIENT *c, nlm4_lock l, bool block, enum clnt_stat *rpc)
{
	nlm4_lockargs a = {.cookie = {.nlm4_netobj_len = 2, .nlm4_netobj_val = "ck"},
			   .block = block,
			   .exclusive = true,
			   .alock = l,
			   .state = 1};
	nlm4_res r = {0};
	enum clnt_stat st =
	    call(c, NLMPROC4_LOCK, (xdrproc_t)xdr_nlm4_lockargs, &a, (xdrproc_t)xdr_nlm4_res, &r);
	int ret = st == RPC_SUCCESS ? (int)r.stat.stat : -1;

	if (rpc)
		*rpc = st;
	if (st == RPC_SUCCESS)
		xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	return ret;
}

static int unlock(CLIENT *c, nlm4_lock l)
{
	nlm4_unlockargs a = {.alock = l};
	nlm4_res r = {0};
	enum clnt_stat st = call(c, NLMPROC4_UNLOCK, (xdrproc_t)xdr_nlm4_unlockargs, &a,
				 (xdrproc_t)xdr_nlm4_res, &r);
	int ret = st == RPC_SUCCESS ? (int)r.stat.stat : -1;

	if (st == RPC_SUCCESS)
		xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	return ret;
}

static int test(CLIENT *c, nlm4_lock l)
{
	nlm4_testargs a = {.exclusive = true, .alock = l};
	nlm4_testres r = {0};
	enum clnt_stat st = call(c, NLMPROC4_TEST, (xdrproc_t)xdr_nlm4_testargs, &a,
				 (xdrproc_t)xdr_nlm4_testres, &r);
	int ret = st == RPC_SUCCESS ? (int)r.stat.stat : -1;

	if (st == RPC_SUCCESS)
		xdr_free((xdrproc_t)xdr_nlm4_testres, (char *)&r);
	return ret;
}

static bool_t xdr_nothing(XDR *x, void *p)
{
	(void)x;
	(void)p;
	return TRUE;
}

static bool null_ok(CLIENT *c)
{
	return call(c, NLMPROC4_NULL, (xdrproc_t)xdr_nothing, NULL, (xdrproc_t)xdr_nothing, NULL) ==
	       RPC_SUCCESS;
}

static void free_all(CLIENT *c, const char *name)
{
	nlm4_notify a = {.name = (char *)name, .state = 2};

	call(c, NLMPROC4_FREE_ALL, (xdrproc_t)xdr_nlm4_notify, &a, (xdrproc_t)xdr_nothing, NULL);
}

/* A LOCK whose arguments end after the cookie and block. */
static bool_t xdr_truncated_lock(XDR *x, nlm4_lockargs *a)
{
	return xdr_nlm4_netobj(x, &a->cookie) && xdr_bool(x, &a->block);
}

/* A netobj of @len bytes, the XDR limit not checked (for one too many). */
static bool_t xdr_raw_lock(XDR *x, nlm4_lockargs *a)
{
	u_int len = a->alock.oh.nlm4_netobj_len;

	return xdr_nlm4_netobj(x, &a->cookie) && xdr_bool(x, &a->block) &&
	       xdr_bool(x, &a->exclusive) && xdr_string(x, &a->alock.caller_name, 4096) &&
	       xdr_nlm4_netobj(x, &a->alock.fh) &&
	       xdr_bytes(x, &a->alock.oh.nlm4_netobj_val, &len, 4096) &&
	       xdr_int(x, &a->alock.svid) && xdr_u_quad_t(x, &a->alock.l_offset) &&
	       xdr_u_quad_t(x, &a->alock.l_len) && xdr_bool(x, &a->reclaim) &&
	       xdr_int(x, &a->state);
}

static void hostile(bool tcp)
{
	const char *t = tcp ? "tcp" : "udp";
	CLIENT *c = client(NLM4_PROG, NLM4_VERS, tcp);
	char big[1100], junk[64];
	enum clnt_stat rpc;
	nlm4_lock l;

	check(c != NULL, "%s: NLM v4 client (rpcbind lists 100021 v4 %s)", t, t);
	if (!c)
		return;
	check(null_ok(c), "%s: NULL", t);
	memset(big, 'x', sizeof(big));
	big[1024] = 0; /* a caller_name of 1024 bytes */

	/* handles */
	memset(junk, 0xa5, sizeof(junk));
	l = mk_lock("hostile", 1, "o", 1, 0, 0);
	l.fh.nlm4_netobj_val = junk;
	l.fh.nlm4_netobj_len = sizeof(junk);
	check(lock(c, l, false, NULL) == NLM4_STALE_FH, "%s: a forged handle: STALE_FH", t);
	l.fh.nlm4_netobj_len = 0;
	check(lock(c, l, false, NULL) == NLM4_STALE_FH, "%s: an empty handle: STALE_FH", t);
	l.fh.nlm4_netobj_val = big;
	l.fh.nlm4_netobj_len = 1024;
	check(lock(c, l, false, NULL) == NLM4_STALE_FH, "%s: a 1024-byte handle: STALE_FH", t);
	l = mk_lock("hostile", 1, "o", 1, 0, 0);
	l.fh.nlm4_netobj_len = fhlen - 1;
	check(test(c, l) == NLM4_STALE_FH, "%s: TEST with a truncated handle: STALE_FH", t);

	/* names and owners at the XDR limits */
	l = mk_lock(big, 7, big, 1024, 0, 10);
	check(lock(c, l, false, NULL) == NLM4_GRANTED, "%s: 1024-byte caller_name and oh: GRANTED",
	      t);
	check(unlock(c, l) == NLM4_GRANTED, "%s: ... and UNLOCK", t);
	if (tcp) { /* over UDP a refused call is not answered: the client times out */
		nlm4_lockargs a = {.alock = mk_lock("hostile", 1, big, 1025, 0, 0)};

		rpc = call(c, NLMPROC4_LOCK, (xdrproc_t)xdr_raw_lock, &a, (xdrproc_t)xdr_nlm4_res,
			   &(nlm4_res){0});
		check(rpc == RPC_CANTDECODEARGS, "%s: a 1025-byte oh: GARBAGE_ARGS (%s)", t,
		      clnt_sperrno(rpc));
		big[1024] = 'x';
		big[1025] = 0;
		a.alock = mk_lock(big, 1, "o", 1, 0, 0);
		rpc = call(c, NLMPROC4_LOCK, (xdrproc_t)xdr_raw_lock, &a, (xdrproc_t)xdr_nlm4_res,
			   &(nlm4_res){0});
		check(rpc == RPC_CANTDECODEARGS, "%s: a 1025-byte caller_name: GARBAGE_ARGS (%s)",
		      t, clnt_sperrno(rpc));
		big[1024] = 0;
		rpc = call(c, NLMPROC4_LOCK, (xdrproc_t)xdr_truncated_lock, &a,
			   (xdrproc_t)xdr_nlm4_res, &(nlm4_res){0});
		check(rpc == RPC_CANTDECODEARGS, "%s: truncated LOCK arguments: GARBAGE_ARGS (%s)",
		      t, clnt_sperrno(rpc));
		check(null_ok(c), "%s: NULL after the refused calls", t);
	}

	/* ranges */
	check(lock(c, mk_lock("hostile", 1, "o", 1, 2, UINT64_MAX), false, NULL) == NLM4_FBIG,
	      "%s: [2, 2 + 2^64 - 1): FBIG", t);
	check(lock(c, mk_lock("hostile", 1, "o", 1, UINT64_MAX, 0), false, NULL) == NLM4_GRANTED,
	      "%s: from 2^64 - 1 to the end: GRANTED", t);
	check(unlock(c, mk_lock("hostile", 1, "o", 1, 0, 0)) == NLM4_GRANTED, "%s: UNLOCK all", t);

	/* many waiters from one client */
	check(lock(c, mk_lock("holder", 1, "h", 1, 0, 0), false, NULL) == NLM4_GRANTED,
	      "%s: a holder locks the file", t);
	{
		unsigned blocked = 0, refused = 0, other = 0;

		for (int i = 0; i < HOSTILE_WAITERS + 36; i++) {
			int st = lock(c, mk_lock("waiter", 1000 + i, "w", 1, (uint64_t)i, 1), true,
				      NULL);

			if (st == NLM4_BLOCKED)
				blocked++;
			else if (st == NLM4_DENIED_NOLOCKS)
				refused++;
			else
				other++;
		}
		check(blocked == HOSTILE_WAITERS && refused == 36 && other == 0,
		      "%s: %d blocked LOCKs of one client: %u BLOCKED, %u DENIED_NOLOCKS, %u else",
		      t, HOSTILE_WAITERS + 36, blocked, refused, other);
	}
	free_all(c, "waiter");
	check(lock(c, mk_lock("waiter2", 1, "w", 1, 0, 1), true, NULL) == NLM4_BLOCKED,
	      "%s: after FREE_ALL another waiter is taken", t);
	free_all(c, "waiter2");
	free_all(c, "holder");
	check(lock(c, mk_lock("after", 1, "a", 1, 0, 0), false, NULL) == NLM4_GRANTED,
	      "%s: after FREE_ALL of the holder the file is free", t);
	check(unlock(c, mk_lock("after", 1, "a", 1, 0, 0)) == NLM4_GRANTED, "%s: UNLOCK", t);
	check(null_ok(c), "%s: NULL at the end", t);
	client_destroy(c);
}

/* SM_NOTIFY's arguments (stat_chge: mon_name, state). */
struct sm_chge {
	char *name;
	int state;
};

static bool_t xdr_sm_chge(XDR *x, struct sm_chge *c)
{
	return xdr_string(x, &c->name, 1024) && xdr_int(x, &c->state);
}

static int notify(const char *name)
{
	CLIENT *c = client(100024, 1, false);
	struct sm_chge a = {.name = (char *)name, .state = 3};
	enum clnt_stat st;

	if (!c)
		return 1;
	st = call(c, 6, (xdrproc_t)xdr_sm_chge, &a, (xdrproc_t)xdr_nothing, NULL);
	client_destroy(c);
	printf("%s\n", st == RPC_SUCCESS ? "notified" : clnt_sperrno(st));
	return st == RPC_SUCCESS ? 0 : 1;
}

int main(int argc, char **argv)
{
	CLIENT *c;
	const char *caller = "nlm-client-probe";
	bool keep = false;

	if (argc < 5) {
		fprintf(stderr, "usage: %s HOST EXPORT FILE hostile|test OFF LEN|lock OFF LEN\n",
			argv[0]);
		return 2;
	}
	host = argv[1];
	if (find_file(argv[2], argv[3]) < 0) {
		fprintf(stderr, "nlm_client: cannot find %s in %s on %s\n", argv[3], argv[2], host);
		return 2;
	}
	if (!strcmp(argv[4], "hostile")) {
		hostile(true);
		hostile(false);
		printf("== nlm_client: %d failed\n", failures);
		return failures ? 1 : 0;
	}
	if (!strcmp(argv[4], "notify") && argc == 6)
		return notify(argv[5]);
	if (!strcmp(argv[4], "lockas") && argc == 8) {
		caller = argv[5];
		keep = true;
		argv[4] = "lock";
		argv += 1;
	} else if (argc != 7) {
		return 2;
	}
	c = client(NLM4_PROG, NLM4_VERS, true);
	if (!c)
		return 2;
	{
		nlm4_lock l = mk_lock(caller, 4242, "probe", 5, strtoull(argv[5], NULL, 0),
				      strtoull(argv[6], NULL, 0));
		int st = !strcmp(argv[4], "test") ? test(c, l) : lock(c, l, false, NULL);

		if (st == NLM4_GRANTED && !strcmp(argv[4], "lock") && !keep)
			unlock(c, l);
		if (!strcmp(argv[4], "test"))
			printf("%s\n", st == NLM4_GRANTED  ? "free"
				       : st == NLM4_DENIED ? "locked"
							   : "error");
		else
			printf("%s\n", st == NLM4_GRANTED  ? "granted"
				       : st == NLM4_DENIED ? "denied"
							   : "error");
		client_destroy(c);
		return st == NLM4_GRANTED || st == NLM4_DENIED ? 0 : 1;
	}
}

/*
 * test_nlm.c — the NLM v4 actors (nlm4.c over nlm_state.c) called
 * directly, as test_actors does for NFS3, over storage/memory and again
 * over storage/posix (whose lock tables live in the inode's context):
 *
 *   - LOCK grants, a conflicting LOCK is DENIED, TEST names the holder
 *     (svid, oh, range, exclusive);
 *   - one owner's locks upgrade and split; UNLOCK releases, and the
 *     file's pin goes with its last lock;
 *   - bad, truncated and stale handles answer NLM4_STALE_FH (an UNLOCK of
 *     a file removed meanwhile still releases its lock); ranges past
 *     2^64 NLM4_FBIG; a caller who may not read the file NLM4_FAILED;
 *   - a blocked LOCK waits, is granted when the holder unlocks (its
 *     client is told, its cookie given back) and answers GRANTED when
 *     sent again; CANCEL drops a waiter; one host's waiters are bounded;
 *   - FREE_ALL drops every lock of one caller_name from one address;
 *   - a host's first lock asks statd to watch it, and statd's reboot
 *     notice (SM_NOTIFY, from a privileged loopback port only) frees it by name;
 *   - a lock held while the inode table evicts every idle inode is
 *     still held (the inode is pinned), and the inode goes once unlocked;
 *   - during the grace period only reclaims are granted.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "nfs3.h"
#include "nlm4.h"
#include "xlator.h"
#include "cunit_main.h"

static char test_dir[] = "/tmp/test_nlm.XXXXXX";
static bool over_posix;
static struct xl_graph *graph;
static struct xl *vol;
static struct nfs_server srv;
static struct xl_addrlist *allow_all;
static struct rpcsvc_program prog;
static struct rpcsvc_request req;
static struct xl_call ROOT;
static struct nfs_fh fh_f, fh_g, fh_secret;
static struct xl_id id_f;
static GPtrArray *grants; /* struct nlm_grant *, as nlm_state told them */

static void record_grant(void *ctx, struct nlm_grant *g)
{
	(void)ctx;
	g_ptr_array_add(grants, g);
}

static GPtrArray *monitored; /* caller names nlm_state asked statd to watch */

static void record_monitor(void *ctx, const char *name)
{
	(void)ctx;
	g_ptr_array_add(monitored, g_strdup(name));
}

static void clear_grants(void)
{
	for (guint i = 0; i < grants->len; i++)
		nlm_grant_free(grants->pdata[i]);
	g_ptr_array_set_size(grants, 0);
}

/* ------------------------------------------------------------ calls */

struct owner {
	const char *name;
	int svid;
	const char *oh;
};

static const struct owner A = {"alpha", 101, "oh-alpha"};
static const struct owner B = {"beta", 202, "oh-beta"};
static const struct owner C = {"gamma", 303, "oh-gamma"};

static nlm4_lock mk_lock(const struct owner *o, struct nfs_fh *fh, uint64_t off, uint64_t len)
{
	nlm4_lock l = {
	    .caller_name = (char *)o->name,
	    .fh = {.nlm4_netobj_len = fh->len, .nlm4_netobj_val = (char *)fh->data},
	    .oh = {.nlm4_netobj_len = (u_int)strlen(o->oh), .nlm4_netobj_val = (char *)o->oh},
	    .svid = o->svid,
	    .l_offset = off,
	    .l_len = len,
	};

	return l;
}

static nlm4_stats do_lock_r(const struct owner *o, struct nfs_fh *fh, uint64_t off, uint64_t len,
			    bool excl, bool block, bool reclaim)
{
	nlm4_lockargs a = {.cookie = {.nlm4_netobj_len = 4, .nlm4_netobj_val = "ck01"},
			   .block = block,
			   .exclusive = excl,
			   .alock = mk_lock(o, fh, off, len),
			   .reclaim = reclaim};
	nlm4_res r = {0};
	nlm4_stats st;

	CU_ASSERT_EQUAL(nlm4_svc_lock(&req, &a, &r), RPCSVC_OK);
	CU_ASSERT_EQUAL(r.cookie.nlm4_netobj_len, 4);
	st = r.stat.stat;
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	return st;
}

static nlm4_stats do_lock(const struct owner *o, struct nfs_fh *fh, uint64_t off, uint64_t len,
			  bool excl, bool block)
{
	return do_lock_r(o, fh, off, len, excl, block, false);
}

static nlm4_stats do_unlock(const struct owner *o, struct nfs_fh *fh, uint64_t off, uint64_t len)
{
	nlm4_unlockargs a = {.alock = mk_lock(o, fh, off, len)};
	nlm4_res r = {0};
	nlm4_stats st;

	CU_ASSERT_EQUAL(nlm4_svc_unlock(&req, &a, &r), RPCSVC_OK);
	st = r.stat.stat;
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	return st;
}

static nlm4_stats do_cancel(const struct owner *o, struct nfs_fh *fh, uint64_t off, uint64_t len,
			    bool excl)
{
	nlm4_cancargs a = {.block = true, .exclusive = excl, .alock = mk_lock(o, fh, off, len)};
	nlm4_res r = {0};
	nlm4_stats st;

	CU_ASSERT_EQUAL(nlm4_svc_cancel(&req, &a, &r), RPCSVC_OK);
	st = r.stat.stat;
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	return st;
}

/* TEST; on DENIED *@h gets the holder (its oh copied into @oh). */
static nlm4_stats do_test(const struct owner *o, struct nfs_fh *fh, uint64_t off, uint64_t len,
			  bool excl, nlm4_holder *h, char *oh, size_t ohsize)
{
	nlm4_testargs a = {.exclusive = excl, .alock = mk_lock(o, fh, off, len)};
	nlm4_testres r = {0};
	nlm4_stats st;

	CU_ASSERT_EQUAL(nlm4_svc_test(&req, &a, &r), RPCSVC_OK);
	st = r.stat.stat;
	if (st == NLM4_DENIED && h) {
		const nlm4_holder *got = &r.stat.nlm4_testrply_u.holder;
		size_t n =
		    got->oh.nlm4_netobj_len < ohsize - 1 ? got->oh.nlm4_netobj_len : ohsize - 1;

		*h = *got;
		memcpy(oh, got->oh.nlm4_netobj_val, n);
		oh[n] = 0;
		h->oh.nlm4_netobj_val = NULL;
	}
	xdr_free((xdrproc_t)xdr_nlm4_testres, (char *)&r);
	return st;
}

static void do_free_all(const char *name)
{
	nlm4_notify a = {.name = (char *)name, .state = 3};

	CU_ASSERT_EQUAL(nlm4_svc_free_all(&req, &a, NULL), RPCSVC_OK);
}

static struct nlm_state_counts counts(void)
{
	struct nlm_state_counts c;

	nlm_state_counts(srv.nlm, &c);
	return c;
}

static void expect_empty(void)
{
	struct nlm_state_counts c = counts();

	CU_ASSERT_EQUAL(c.files, 0);
	CU_ASSERT_EQUAL(c.holds, 0);
	CU_ASSERT_EQUAL(c.waiters, 0);
	CU_ASSERT_EQUAL(c.hosts, 0);
}

/* ------------------------------------------------------------ tests */

static void test_grant_conflict_test(void)
{
	nlm4_holder h;
	char oh[64];

	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 100, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 50, 10, false, false), NLM4_DENIED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 100, 10, true, false), NLM4_GRANTED); /* beyond it */
	CU_ASSERT_EQUAL(do_test(&B, &fh_f, 0, 0, false, &h, oh, sizeof(oh)), NLM4_DENIED);
	CU_ASSERT_EQUAL(h.svid, A.svid);
	CU_ASSERT_STRING_EQUAL(oh, A.oh);
	CU_ASSERT_EQUAL(h.l_offset, 0);
	CU_ASSERT_EQUAL(h.l_len, 100);
	CU_ASSERT_TRUE(h.exclusive);
	/* the holder's own TEST sees no conflict with itself */
	CU_ASSERT_EQUAL(do_test(&A, &fh_f, 0, 100, true, NULL, NULL, 0), NLM4_GRANTED);
	/* the same svid and oh under another caller_name is another owner */
	{
		struct owner a2 = {"alpha2", A.svid, A.oh};

		CU_ASSERT_EQUAL(do_lock(&a2, &fh_f, 0, 1, false, false), NLM4_DENIED);
	}
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&B, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
}

static void test_upgrade_split(void)
{
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, false, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 10, 10, true, false), NLM4_GRANTED); /* upgrade */
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 5, false, false), NLM4_GRANTED);	/* shared */
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 12, 1, false, false), NLM4_DENIED);	/* A's write */
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 30, 1, false, false), NLM4_GRANTED); /* A's read */
	/* A gives back the middle: its read lock is split, B may share it */
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 10, 10), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 12, 1, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 25, 1, true, false), NLM4_DENIED); /* A reads 20.. */
	CU_ASSERT_EQUAL(counts().holds, 2);
	/* A releases in two pieces: its hold goes with the last one only */
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 10), NLM4_GRANTED);
	CU_ASSERT_EQUAL(counts().holds, 2);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 20, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL(counts().holds, 1);
	CU_ASSERT_EQUAL(do_unlock(&B, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
	/* UNLOCK of what nobody holds */
	CU_ASSERT_EQUAL(do_unlock(&C, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
}

static void test_bad_handles(void)
{
	struct nfs_fh bad = fh_f, shortfh = fh_f, empty = {0};
	struct xl_inode *root = NULL, *in = NULL;
	struct nfs_fh gone;
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = 0644};

	bad.data[bad.len - 1] ^= 0x55;
	shortfh.len = 7;
	CU_ASSERT_EQUAL(do_lock(&A, &bad, 0, 0, true, false), NLM4_STALE_FH);
	CU_ASSERT_EQUAL(do_lock(&A, &shortfh, 0, 0, true, false), NLM4_STALE_FH);
	CU_ASSERT_EQUAL(do_lock(&A, &empty, 0, 0, true, false), NLM4_STALE_FH);
	CU_ASSERT_EQUAL(do_test(&A, &bad, 0, 0, true, NULL, NULL, 0), NLM4_STALE_FH);
	CU_ASSERT_EQUAL(do_unlock(&A, &bad, 0, 0), NLM4_STALE_FH);
	CU_ASSERT_EQUAL(do_cancel(&A, &bad, 0, 0, true), NLM4_STALE_FH);
	/* a file removed behind a valid handle */
	CU_ASSERT_EQUAL_FATAL(xl_lookup(vol, &ROOT, NULL, NULL, &root, NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(xl_create(vol, &ROOT, root, "gone", NULL, &sa, true, &in, NULL, NULL),
			      0);
	nfs_fh_build(&srv, &srv.exports[0], xl_inode_id(in), &gone);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "gone", NULL), 0);
	xl_inode_unref(root);
	CU_ASSERT_EQUAL(do_lock(&A, &gone, 0, 0, true, false), NLM4_STALE_FH);
	expect_empty();
}

/* A locked file removed by someone else: the owner's UNLOCK answers
 * STALE_FH, and its lock and the pin go all the same. */
static void test_unlock_gone(void)
{
	struct xl_inode *root = NULL, *in = NULL;
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = 0644};
	struct nfs_fh gone;

	CU_ASSERT_EQUAL_FATAL(xl_lookup(vol, &ROOT, NULL, NULL, &root, NULL, NULL), 0);
	CU_ASSERT_EQUAL_FATAL(
	    xl_create(vol, &ROOT, root, "doomed", NULL, &sa, true, &in, NULL, NULL), 0);
	nfs_fh_build(&srv, &srv.exports[0], xl_inode_id(in), &gone);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(do_lock(&A, &gone, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &gone, 0, 0, true, true), NLM4_BLOCKED);
	CU_ASSERT_EQUAL(counts().files, 1);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "doomed", NULL), 0);
	xl_inode_unref(root);
	CU_ASSERT_EQUAL(do_cancel(&B, &gone, 0, 0, true), NLM4_STALE_FH);
	CU_ASSERT_EQUAL(counts().waiters, 0);
	CU_ASSERT_EQUAL(do_unlock(&A, &gone, 0, 0), NLM4_STALE_FH);
	expect_empty();
}

static void test_ranges(void)
{
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 2, UINT64_MAX, true, false), NLM4_FBIG);
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, UINT64_MAX, 2, true, false), NLM4_FBIG);
	CU_ASSERT_EQUAL(do_test(&A, &fh_f, 2, UINT64_MAX, true, NULL, NULL, 0), NLM4_FBIG);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, UINT64_MAX, UINT64_MAX), NLM4_FBIG);
	/* the last byte, 2^64 - 1, fits */
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, UINT64_MAX, 1, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, UINT64_MAX, 0, false, false), NLM4_DENIED);
	/* [1, 2^64) reaches it, [0, 2^64 - 1) stops one byte short */
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 1, UINT64_MAX, false, false), NLM4_DENIED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, UINT64_MAX, false, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&B, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
}

static void test_permission(void)
{
	struct xl_cred saved = req.cred;

	req.cred.uid = 1000;
	req.cred.gid = 1000;
	CU_ASSERT_EQUAL(do_lock(&A, &fh_secret, 0, 0, false, false), NLM4_FAILED);
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED); /* 0644: readable */
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	req.cred = saved;
	CU_ASSERT_EQUAL(do_lock(&A, &fh_secret, 0, 0, true, false), NLM4_GRANTED); /* its owner */
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_secret, 0, 0), NLM4_GRANTED);
	expect_empty();
}

static void test_blocked_granted(void)
{
	nlm4_holder h;
	char oh[64];

	clear_grants();
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, true), NLM4_BLOCKED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, true), NLM4_BLOCKED); /* resent: same */
	CU_ASSERT_EQUAL(do_lock(&C, &fh_f, 5, 1, false, true), NLM4_BLOCKED);
	CU_ASSERT_EQUAL(counts().waiters, 2);
	CU_ASSERT_EQUAL(grants->len, 0);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	/* B came first: granted and told; C still waits behind it */
	CU_ASSERT_EQUAL_FATAL(grants->len, 1);
	{
		struct nlm_grant *g = grants->pdata[0];

		CU_ASSERT_STRING_EQUAL(g->args.alock.caller_name, B.name);
		CU_ASSERT_EQUAL(g->args.alock.svid, B.svid);
		CU_ASSERT_EQUAL(g->args.cookie.nlm4_netobj_len, 4);
		CU_ASSERT_EQUAL(memcmp(g->args.cookie.nlm4_netobj_val, "ck01", 4), 0);
		CU_ASSERT_TRUE(g->args.exclusive);
	}
	CU_ASSERT_EQUAL(do_test(&A, &fh_f, 0, 1, false, &h, oh, sizeof(oh)), NLM4_DENIED);
	CU_ASSERT_EQUAL(h.svid, B.svid);
	CU_ASSERT_STRING_EQUAL(oh, B.oh);
	/* B's client polls with its LOCK: granted, the waiter record goes */
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, true), NLM4_GRANTED);
	CU_ASSERT_EQUAL(counts().waiters, 1);
	CU_ASSERT_EQUAL(do_unlock(&B, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL_FATAL(grants->len, 2);
	CU_ASSERT_STRING_EQUAL(((struct nlm_grant *)grants->pdata[1])->args.alock.caller_name,
			       C.name);
	/* C's client answered the GRANTED call: the record goes, the lock stays */
	nlm_state_grant_answered(srv.nlm, ((struct nlm_grant *)grants->pdata[1])->waiter_id,
				 NLM4_GRANTED);
	CU_ASSERT_EQUAL(counts().waiters, 0);
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 5, 1, true, false), NLM4_DENIED);
	CU_ASSERT_EQUAL(do_unlock(&C, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
	clear_grants();
}

/* GRANTED to this server: from elsewhere DENIED; from this machine (its
 * own callback come back) DENIED_GRACE_PERIOD, which keeps the granted
 * waiter: a CANCEL then still gives the lock back. */
static void test_granted_echo(void)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.client;
	nlm4_testargs a = {.alock = mk_lock(&B, &fh_f, 0, 0)};
	nlm4_res r = {0};

	CU_ASSERT_EQUAL(nlm4_svc_granted(&req, &a, &r), RPCSVC_OK);
	CU_ASSERT_EQUAL(r.stat.stat, NLM4_DENIED_GRACE_PERIOD);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	sin->sin_addr.s_addr = htonl(0x0a000005);
	CU_ASSERT_EQUAL(nlm4_svc_granted(&req, &a, &r), RPCSVC_OK);
	CU_ASSERT_EQUAL(r.stat.stat, NLM4_DENIED);
	xdr_free((xdrproc_t)xdr_nlm4_res, (char *)&r);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);

	clear_grants();
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, true), NLM4_BLOCKED);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL_FATAL(grants->len, 1);
	nlm_state_grant_answered(srv.nlm, ((struct nlm_grant *)grants->pdata[0])->waiter_id,
				 NLM4_DENIED_GRACE_PERIOD);
	CU_ASSERT_EQUAL(counts().waiters, 1);
	CU_ASSERT_EQUAL(do_cancel(&B, &fh_f, 0, 0, true), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&C, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&C, &fh_f, 0, 0), NLM4_GRANTED);
	/* a client that answers DENIED does not want it: given back */
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, true), NLM4_BLOCKED);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL_FATAL(grants->len, 2);
	nlm_state_grant_answered(srv.nlm, ((struct nlm_grant *)grants->pdata[1])->waiter_id,
				 NLM4_DENIED);
	CU_ASSERT_EQUAL(do_lock(&C, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&C, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
	clear_grants();
}

static void test_cancel(void)
{
	clear_grants();
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, true), NLM4_BLOCKED);
	CU_ASSERT_EQUAL(do_cancel(&B, &fh_f, 0, 0, true), NLM4_GRANTED);
	CU_ASSERT_EQUAL(counts().waiters, 0);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL(grants->len, 0);
	expect_empty();
	/* a waiter granted but not yet told, then cancelled: the lock goes back */
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, true), NLM4_BLOCKED);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL(grants->len, 1);
	CU_ASSERT_EQUAL(do_cancel(&B, &fh_f, 0, 0, true), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&C, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&C, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
	clear_grants();
}

static void test_waiters_bounded(void)
{
	unsigned i;

	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	for (i = 0; i < NLM_HOST_MAX_WAITERS; i++) {
		struct owner o = {B.name, (int)i, B.oh};

		CU_ASSERT_EQUAL(do_lock(&o, &fh_f, i, 1, true, true), NLM4_BLOCKED);
	}
	{
		struct owner o = {B.name, 9999, B.oh};

		CU_ASSERT_EQUAL(do_lock(&o, &fh_f, 0, 1, true, true), NLM4_DENIED_NOLOCKS);
	}
	CU_ASSERT_EQUAL(counts().waiters, NLM_HOST_MAX_WAITERS);
	/* another host is not refused for it */
	CU_ASSERT_EQUAL(do_lock(&C, &fh_f, 0, 1, true, true), NLM4_BLOCKED);
	do_free_all(B.name);
	CU_ASSERT_EQUAL(counts().waiters, 1);
	do_free_all(C.name);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
	clear_grants();
}

static void test_free_all(void)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.client;

	clear_grants();
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 10, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&A, &fh_g, 0, 0, false, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_g, 0, 0, true, true), NLM4_BLOCKED);
	/* the same caller_name from another address frees nothing */
	sin->sin_addr.s_addr = htonl(0x7f000002);
	do_free_all(A.name);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL(counts().holds, 2);
	CU_ASSERT_EQUAL(do_lock(&C, &fh_f, 0, 1, false, false), NLM4_DENIED);
	do_free_all(A.name);
	CU_ASSERT_EQUAL(do_lock(&C, &fh_f, 0, 1, false, false), NLM4_GRANTED);
	/* B waited on g: FREE_ALL gave it the lock */
	CU_ASSERT_EQUAL(grants->len, 1);
	CU_ASSERT_EQUAL(do_lock(&C, &fh_g, 0, 1, false, false), NLM4_DENIED);
	do_free_all(B.name);
	do_free_all(C.name);
	expect_empty();
	clear_grants();
}

/* statd is asked to watch a host when it takes its first lock; its
 * reboot notice (SM_NOTIFY from a privileged port of the loopback) frees
 * it under any address, one from elsewhere or from an unprivileged port
 * nothing. */
static void test_statd(void)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.client;
	nlm4_sm_status n = {.mon_name = (char *)A.name, .state = 5};
	struct owner a2 = {A.name, 999, "other"};

	g_ptr_array_set_size(monitored, 0);
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 1, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&a2, &fh_g, 0, 1, true, false), NLM4_GRANTED); /* same host */
	CU_ASSERT_EQUAL_FATAL(monitored->len, 1);
	CU_ASSERT_STRING_EQUAL(monitored->pdata[0], A.name);
	sin->sin_addr.s_addr = htonl(0x0a000005); /* A's name from another address */
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 10, 1, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(monitored->len, 2);
	/* a notice from another machine is ignored */
	CU_ASSERT_EQUAL(nlm4_svc_sm_notify(&req, &n, NULL), RPCSVC_OK);
	CU_ASSERT_EQUAL(counts().holds, 3);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 1, true, false), NLM4_DENIED);
	/* nor one from an unprivileged port here (not statd: any local user) */
	sin->sin_port = htons(40000);
	CU_ASSERT_EQUAL(nlm4_svc_sm_notify(&req, &n, NULL), RPCSVC_OK);
	CU_ASSERT_EQUAL(counts().holds, 3);
	sin->sin_port = htons(800);
	CU_ASSERT_EQUAL(nlm4_svc_sm_notify(&req, &n, NULL), RPCSVC_OK);
	expect_empty();
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&B, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
}

/* The lock stays while the inode table drops every idle inode. */
static void test_eviction(void)
{
	struct xl_inode *in;

	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	xl_inode_table_set_lru_limit(graph->itable, 0);
	in = xl_inode_find(graph->itable, &id_f);
	CU_ASSERT_PTR_NOT_NULL(in); /* pinned */
	if (in)
		xl_inode_unref(in);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 1, false, false), NLM4_DENIED);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
	/* unpinned: the LRU may take it now */
	in = xl_inode_find(graph->itable, &id_f);
	CU_ASSERT_PTR_NULL(in);
	if (in)
		xl_inode_unref(in);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 1, false, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&B, &fh_f, 0, 0), NLM4_GRANTED);
	xl_inode_table_set_lru_limit(graph->itable, 1024);
	expect_empty();
}

static void test_grace(void)
{
	struct nlm_state *saved = srv.nlm;

	srv.nlm = nlm_state_new(srv.secret, sizeof(srv.secret), 60000, record_grant, NULL);
	CU_ASSERT_TRUE(nlm_state_in_grace(srv.nlm));
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_DENIED_GRACE_PERIOD);
	CU_ASSERT_EQUAL(do_test(&A, &fh_f, 0, 0, true, NULL, NULL, 0), NLM4_DENIED_GRACE_PERIOD);
	CU_ASSERT_EQUAL(do_lock_r(&A, &fh_f, 0, 0, true, false, true), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock_r(&B, &fh_f, 0, 0, true, false, true), NLM4_DENIED);
	nlm_state_free(srv.nlm); /* releases its pin; storage's lock remains */
	srv.nlm = saved;
	/* the lock taken under the other state is still storage's: drop it */
	CU_ASSERT_EQUAL(do_lock(&A, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&A, &fh_f, 0, 0), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_lock(&B, &fh_f, 0, 0, true, false), NLM4_GRANTED);
	CU_ASSERT_EQUAL(do_unlock(&B, &fh_f, 0, 0), NLM4_GRANTED);
	expect_empty();
}

/* ------------------------------------------------------------ fixture */

static int make_file(struct xl_inode *root, const char *name, mode_t mode, struct nfs_fh *fh,
		     struct xl_id *id)
{
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = mode};
	struct xl_inode *in = NULL;
	int ret = xl_create(vol, &ROOT, root, name, NULL, &sa, true, &in, NULL, NULL);

	if (ret)
		return ret;
	nfs_fh_build(&srv, &srv.exports[0], xl_inode_id(in), fh);
	if (id)
		*id = *xl_inode_id(in);
	xl_inode_unref(in);
	return 0;
}

static int setup(void)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.client;
	struct xl_inode *root = NULL;
	char *text;
	int ret;

	if (over_posix) {
		if (!mkdtemp(test_dir))
			return 1;
		text = g_strdup_printf("volume st\n type storage/posix\n option directory %s\n"
				       "end-volume\n",
				       test_dir);
	} else {
		text = g_strdup("volume st\n type storage/memory\n option size 16MB\nend-volume\n");
	}
	ret = xl_graph_load_text("nlm.vol", text, XLATOR_BUILD_DIR, &graph);
	g_free(text);
	if (ret || xl_graph_init(graph))
		return 1;
	vol = graph->top;
	allow_all = g_malloc0(sizeof(*allow_all) + sizeof(allow_all->items[0]));
	allow_all->count = 1;
	if (nfs_server_setup_for_test(&srv, vol, vol, "/", allow_all))
		return 1;
	grants = g_ptr_array_new();
	srv.nlm = nlm_state_new(srv.secret, sizeof(srv.secret), 0, record_grant, NULL);
	monitored = g_ptr_array_new_with_free_func(g_free);
	nlm_state_set_monitor(srv.nlm, record_monitor, NULL);
	prog = (struct rpcsvc_program){.name = "NLM4", .prog = 100021, .vers = 4, .private = &srv};
	req = (struct rpcsvc_request){.prog = 100021,
				      .vers = 4,
				      .flavor = 1 /* AUTH_SYS */,
				      .protocol = IPPROTO_UDP,
				      .program = &prog};
	sin->sin_family = AF_INET;
	sin->sin_port = htons(800);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	req.client_len = sizeof(*sin);
	if (xl_lookup(vol, &ROOT, NULL, NULL, &root, NULL, NULL))
		return 1;
	ret = make_file(root, "f", 0644, &fh_f, &id_f) || make_file(root, "g", 0644, &fh_g, NULL) ||
	      make_file(root, "secret", 0600, &fh_secret, NULL);
	xl_inode_unref(root);
	return ret ? 1 : 0;
}

static int teardown(void)
{
	nlm_state_free(srv.nlm);
	clear_grants();
	g_ptr_array_free(grants, TRUE);
	g_ptr_array_free(monitored, TRUE);
	nfs_server_teardown_for_test(&srv);
	xl_graph_free(graph);
	g_free(allow_all);
	if (over_posix) {
		char *cmd = g_strdup_printf("rm -rf '%s'", test_dir);

		if (system(cmd) != 0)
			fprintf(stderr, "cannot remove %s\n", test_dir);
		g_free(cmd);
	}
	return 0;
}

static int setup_memory(void)
{
	over_posix = false;
	return setup();
}

static int setup_posix(void)
{
	over_posix = true;
	return setup();
}

static void add_tests(CU_pSuite s)
{
	CU_add_test(s, "LOCK grants, a conflict is DENIED, TEST names the holder",
		    test_grant_conflict_test);
	CU_add_test(s, "one owner's locks upgrade and split; UNLOCK", test_upgrade_split);
	CU_add_test(s, "bad, short and stale handles answer STALE_FH", test_bad_handles);
	CU_add_test(s, "UNLOCK of a removed file still releases", test_unlock_gone);
	CU_add_test(s, "ranges past 2^64 answer FBIG", test_ranges);
	CU_add_test(s, "a caller who may not read the file is refused", test_permission);
	CU_add_test(s, "a blocked LOCK is granted on UNLOCK and told", test_blocked_granted);
	CU_add_test(s, "GRANTED to the server; a callback come back keeps the waiter",
		    test_granted_echo);
	CU_add_test(s, "CANCEL drops a waiter, or gives back what it was granted", test_cancel);
	CU_add_test(s, "one host's waiters are bounded", test_waiters_bounded);
	CU_add_test(s, "FREE_ALL drops one host's locks and grants waiters", test_free_all);
	CU_add_test(s, "statd watches lock holders; its reboot notice frees them", test_statd);
	CU_add_test(s, "a lock survives the LRU evicting every idle inode", test_eviction);
	CU_add_test(s, "the grace period grants only reclaims", test_grace);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("NLM4 actors over storage/memory", setup_memory, teardown);
	add_tests(s);
	s = CU_add_suite("NLM4 actors over storage/posix", setup_posix, teardown);
	add_tests(s);
	return cunit_run();
}

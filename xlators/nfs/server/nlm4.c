/*
 * nlm4.c — the NLM v4 procedures (XNFS, RFC 1813 appendix II): TEST,
 * LOCK, CANCEL, UNLOCK, GRANTED, SHARE, UNSHARE, NM_LOCK, FREE_ALL.
 *
 * Each lock procedure: check the range (64-bit offset and length, length
 * 0 to the end of the file; past 2^64 is NLM4_FBIG) and the grace
 * period, resolve the file handle exactly as NFS3 does (nfs3_resolve:
 * the handle's MAC, the export's client rules, squashing; a bad or stale
 * handle answers NLM4_STALE_FH, an unknown client name is dropped for the
 * client to retry, as NFS3 answers JUKEBOX), check the caller may lock
 * the file, then ask nlm_state.
 *
 * Who may lock: as knfsd, whoever may read the file (or owns it) may
 * take any lock on it, shared or exclusive, read-only export or not;
 * only regular files are locked. Refusals answer NLM4_FAILED, as
 * knfsd's nlm_fopen maps them.
 *
 * SM_NOTIFY (procedure 16, called by the local rpc.statd when a watched
 * client host rebooted) frees that host's locks by name.
 *
 * SHARE and UNSHARE (DOS share reservations) are granted after the handle
 * checks: nothing here enforces share modes, which NFS v3 clients on
 * Linux never ask for.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "export_access.h"
#include "nfs3.h"
#include "nlm4.h"

int nlm4_svc_null(struct rpcsvc_request *req, void *args, void *res)
{
	(void)req;
	(void)args;
	(void)res;
	return RPCSVC_OK;
}

/* The reply's cookie: the call's (malloc()ed, freed with the result). */
static void nlm4_cookie_copy(const nlm4_netobj *in, nlm4_netobj *out)
{
	out->nlm4_netobj_len = 0;
	out->nlm4_netobj_val = NULL;
	if (!in->nlm4_netobj_len)
		return;
	out->nlm4_netobj_val = malloc(in->nlm4_netobj_len);
	if (!out->nlm4_netobj_val)
		return;
	memcpy(out->nlm4_netobj_val, in->nlm4_netobj_val, in->nlm4_netobj_len);
	out->nlm4_netobj_len = in->nlm4_netobj_len;
}

/* @l's range into @lk: NLM4_FBIG when it runs past 2^64. */
static nlm4_stats nlm4_range(const nlm4_lock *l, bool exclusive, struct xl_lock *lk)
{
	memset(lk, 0, sizeof(*lk));
	if (l->l_len && l->l_len - 1 > UINT64_MAX - l->l_offset)
		return NLM4_FBIG;
	lk->type = exclusive ? XL_LK_WRITE : XL_LK_READ;
	lk->start = l->l_offset;
	lk->len = l->l_len;
	return NLM4_GRANTED;
}

static struct nlm_who nlm4_who(const struct rpcsvc_request *req, const nlm4_lock *l)
{
	struct nlm_who w = {
	    .addr = (const struct sockaddr *)&req->client,
	    .addr_len = req->client_len,
	    .caller_name = l->caller_name ? l->caller_name : "",
	    .svid = l->svid,
	    .oh = l->oh.nlm4_netobj_val,
	    .oh_len = l->oh.nlm4_netobj_len,
	};

	return w;
}

/* Resolve @fh for @req as NFS3 does and check the caller may lock the
 * file. NLM4_GRANTED with @obj filled (release it), a refusal, or
 * *@drop set (answer nothing: the client retries). */
static nlm4_stats nlm4_open(struct rpcsvc_request *req, const nlm4_netobj *fh, struct xl_call *call,
			    struct nfs3_obj *obj, bool *drop)
{
	nfs_fh3 f = {.data = {.data_len = fh->nlm4_netobj_len, .data_val = fh->nlm4_netobj_val}};
	uint32_t granted = 0;
	nfsstat3 st;
	int ret;

	*drop = false;
	st = nfs3_resolve(req, &f, call, obj);
	if (st == NFS3ERR_STALE || st == NFS3ERR_BADHANDLE)
		return NLM4_STALE_FH;
	if (st == NFS3ERR_JUKEBOX) {
		*drop = true;
		return NLM4_FAILED;
	}
	if (st != NFS3_OK)
		return NLM4_FAILED;
	if (!S_ISREG(obj->attr.mode))
		goto out_refuse;
	ret = xl_fop_access(obj->export->child, call, obj->inode, XL_ACCESS_READ, &granted, NULL);
	if (ret == -ESTALE || ret == -ENOENT) {
		nfs3_obj_release(obj);
		return NLM4_STALE_FH;
	}
	if (ret == 0 && (granted & XL_ACCESS_READ))
		return NLM4_GRANTED;
	/* the owner may lock what it may not read (knfsd's OWNER_OVERRIDE) */
	if (ret == 0 && (obj->attr.valid & XL_IATT_UID) && obj->attr.uid == call->cred.uid)
		return NLM4_GRANTED;
out_refuse:
	nfs3_obj_release(obj);
	return NLM4_FAILED;
}

/* UNLOCK and CANCEL answered STALE_FH: when the handle is ours and only
 * its file is gone, what the caller had there goes anyway. */
static void nlm4_release_gone(struct rpcsvc_request *req, const nlm4_lock *l)
{
	struct nfs_server *srv = nfs3_server(req);
	struct nlm_who who = nlm4_who(req, l);
	const struct nfs_export *e = NULL;
	struct xl_id id;

	if (nfs_fh_parse(srv, (const uint8_t *)l->fh.nlm4_netobj_val, l->fh.nlm4_netobj_len, &e,
			 &id) == 0 &&
	    e->child)
		nlm_state_release_gone(srv->nlm, e->child, &id, &who);
}

/* What a lock procedure works on once nlm4_begin has let it through. */
struct nlm4_op {
	struct nlm_who who;
	struct xl_lock lk;
	struct xl_call call;
	struct nfs3_obj obj; /* held: release it */
	bool drop;           /* answer nothing: the client retries */
};

/* The steps every lock procedure begins with: the reply's cookie, the
 * range of @l, the grace period (unless @reclaim), the handle and the
 * caller's right to lock (nlm4_open); with @release_gone, a STALE_FH
 * whose file is gone still releases what the caller had there.
 * NLM4_GRANTED with @op filled, else the answer (or @op->drop). */
static nlm4_stats nlm4_begin(struct rpcsvc_request *req, const nlm4_netobj *cookie,
			     nlm4_netobj *reply_cookie, const nlm4_lock *l, bool exclusive,
			     bool reclaim, bool release_gone, struct nlm4_op *op)
{
	struct nfs_server *srv = nfs3_server(req);
	nlm4_stats st;

	op->drop = false;
	op->who = nlm4_who(req, l);
	nlm4_cookie_copy(cookie, reply_cookie);
	st = nlm4_range(l, exclusive, &op->lk);
	if (st != NLM4_GRANTED)
		return st;
	if (!reclaim && nlm_state_in_grace(srv->nlm))
		return NLM4_DENIED_GRACE_PERIOD;
	st = nlm4_open(req, &l->fh, &op->call, &op->obj, &op->drop);
	if (st == NLM4_STALE_FH && release_gone && !op->drop)
		nlm4_release_gone(req, l);
	return st;
}

int nlm4_svc_test(struct rpcsvc_request *req, void *args, void *res)
{
	nlm4_testargs *a = args;
	nlm4_testres *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nlm4_op op;

	r->stat.stat = nlm4_begin(req, &a->cookie, &r->cookie, &a->alock, a->exclusive, false,
				  false, &op);
	if (op.drop)
		return RPCSVC_DROP;
	if (r->stat.stat != NLM4_GRANTED)
		return RPCSVC_OK;
	r->stat.stat = nlm_state_test(srv->nlm, op.obj.export->child, &op.call, op.obj.inode,
				      &op.who, &op.lk, &r->stat.nlm4_testrply_u.holder);
	nfs3_obj_release(&op.obj);
	return RPCSVC_OK;
}

/* LOCK and NM_LOCK (which never blocks). */
static int nlm4_do_lock(struct rpcsvc_request *req, nlm4_lockargs *a, nlm4_res *r, bool block)
{
	struct nfs_server *srv = nfs3_server(req);
	struct nlm4_op op;

	r->stat.stat = nlm4_begin(req, &a->cookie, &r->cookie, &a->alock, a->exclusive,
				  a->reclaim, false, &op);
	if (op.drop)
		return RPCSVC_DROP;
	if (r->stat.stat != NLM4_GRANTED)
		return RPCSVC_OK;
	r->stat.stat = nlm_state_lock(srv->nlm, op.obj.export->child, &op.call, op.obj.inode,
				      &op.who, &op.lk, block, a);
	nfs3_obj_release(&op.obj);
	return RPCSVC_OK;
}

int nlm4_svc_lock(struct rpcsvc_request *req, void *args, void *res)
{
	nlm4_lockargs *a = args;

	return nlm4_do_lock(req, a, res, a->block);
}

int nlm4_svc_nm_lock(struct rpcsvc_request *req, void *args, void *res)
{
	return nlm4_do_lock(req, args, res, false);
}

int nlm4_svc_cancel(struct rpcsvc_request *req, void *args, void *res)
{
	nlm4_cancargs *a = args;
	nlm4_res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nlm4_op op;

	r->stat.stat = nlm4_begin(req, &a->cookie, &r->cookie, &a->alock, a->exclusive, false,
				  true, &op);
	if (op.drop)
		return RPCSVC_DROP;
	if (r->stat.stat != NLM4_GRANTED)
		return RPCSVC_OK;
	r->stat.stat = nlm_state_cancel(srv->nlm, op.obj.export->child, &op.call, op.obj.inode,
					&op.who, &op.lk);
	nfs3_obj_release(&op.obj);
	return RPCSVC_OK;
}

int nlm4_svc_unlock(struct rpcsvc_request *req, void *args, void *res)
{
	nlm4_unlockargs *a = args;
	nlm4_res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nlm4_op op;

	r->stat.stat = nlm4_begin(req, &a->cookie, &r->cookie, &a->alock, false, false, true, &op);
	if (op.drop)
		return RPCSVC_DROP;
	if (r->stat.stat != NLM4_GRANTED)
		return RPCSVC_OK;
	r->stat.stat = nlm_state_unlock(srv->nlm, op.obj.export->child, &op.call, op.obj.inode,
					&op.who, &op.lk);
	nfs3_obj_release(&op.obj);
	return RPCSVC_OK;
}

/* Is @req from this machine (the loopback)? */
static bool nlm4_from_loopback(const struct rpcsvc_request *req)
{
	const struct sockaddr *sa = (const struct sockaddr *)&req->client;

	if (sa->sa_family == AF_INET)
		return (ntohl(((const struct sockaddr_in *)sa)->sin_addr.s_addr) >> 24) == 127;
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		return IN6_IS_ADDR_LOOPBACK(a) ||
		       (IN6_IS_ADDR_V4MAPPED(a) && a->s6_addr[12] == 127);
	}
	return false;
}

/* Another lock manager telling us a lock we waited for is ours. This
 * server never waits on another: from elsewhere the answer is DENIED (not
 * wanted: the sender gives it back). From this machine it is most likely
 * our own GRANTED callback come back: a client behind NAT or qemu's user
 * network calls from a local address, whose rpcbind names this server's
 * NLM. The answer then is DENIED_GRACE_PERIOD, "not now", which leaves
 * the granted waiter for the client's next poll (nlm_state_grant_answered);
 * GRANTED would make it look told, and DENIED give the lock back. */
int nlm4_svc_granted(struct rpcsvc_request *req, void *args, void *res)
{
	nlm4_testargs *a = args;
	nlm4_res *r = res;

	nlm4_cookie_copy(&a->cookie, &r->cookie);
	r->stat.stat = nlm4_from_loopback(req) ? NLM4_DENIED_GRACE_PERIOD : NLM4_DENIED;
	return RPCSVC_OK;
}

/* SHARE and UNSHARE: granted for a handle that resolves. */
static int nlm4_do_share(struct rpcsvc_request *req, nlm4_shareargs *a, nlm4_shareres *r,
			 bool share)
{
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj obj;
	struct xl_call call;
	bool drop;

	nlm4_cookie_copy(&a->cookie, &r->cookie);
	r->sequence = 0;
	if (share && !a->reclaim && nlm_state_in_grace(srv->nlm)) {
		r->stat = NLM4_DENIED_GRACE_PERIOD;
		return RPCSVC_OK;
	}
	r->stat = nlm4_open(req, &a->share.fh, &call, &obj, &drop);
	if (drop)
		return RPCSVC_DROP;
	if (r->stat == NLM4_GRANTED)
		nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

int nlm4_svc_share(struct rpcsvc_request *req, void *args, void *res)
{
	return nlm4_do_share(req, args, res, true);
}

int nlm4_svc_unshare(struct rpcsvc_request *req, void *args, void *res)
{
	return nlm4_do_share(req, args, res, false);
}

/* FREE_ALL: a client host rebooted (its statd told ours): whatever it
 * held under that caller_name, from that address, goes. */
int nlm4_svc_free_all(struct rpcsvc_request *req, void *args, void *res)
{
	nlm4_notify *a = args;
	struct nfs_server *srv = nfs3_server(req);

	(void)res;
	nlm_state_free_all(srv->nlm, (const struct sockaddr *)&req->client, req->client_len,
			   a->name ? a->name : "");
	return RPCSVC_OK;
}

/* Is @req from a privileged port of this machine, as statd's calls are
 * (knfsd's nlm_privileged_requester)? */
static bool nlm4_from_local_root(const struct rpcsvc_request *req)
{
	return nlm4_from_loopback(req) &&
	       export_access_port((const struct sockaddr *)&req->client) < EXPORT_ACCESS_SECURE_PORT;
}

/* The local statd: a host we asked it to watch (nlm_nsm.c) rebooted, so
 * its locks are gone with its processes. Only statd may say so: calls
 * from other machines, or from an unprivileged port here (any local
 * user, or a client behind NAT on this host), are ignored. */
int nlm4_svc_sm_notify(struct rpcsvc_request *req, void *args, void *res)
{
	nlm4_sm_status *a = args;
	struct nfs_server *srv = nfs3_server(req);

	(void)res;
	if (!nlm4_from_local_root(req)) {
		xl_log(srv->xl, XL_LOG_WARNING,
		       "SM_NOTIFY for %s not from statd (another machine or an unprivileged port): ignored",
		       a->mon_name ? a->mon_name : "");
		return RPCSVC_OK;
	}
	xl_log(srv->xl, XL_LOG_INFO, "client %s rebooted (statd): its locks are released",
	       a->mon_name ? a->mon_name : "");
	nlm_state_free_name(srv->nlm, a->mon_name ? a->mon_name : "");
	return RPCSVC_OK;
}

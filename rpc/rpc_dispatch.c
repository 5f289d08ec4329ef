/*
 * rpc_dispatch.c — one call, on the thread that received it, from bytes
 * to reply.
 *
 *   decode the call header (rpcmsg.c)       → drop (TCP: and disconnect),
 *                                             RPC_MISMATCH, AUTH_ERROR
 *   find the program and version            → PROG_UNAVAIL, PROG_MISMATCH
 *   find the procedure's actor              → PROC_UNAVAIL
 *   decode its arguments                    → GARBAGE_ARGS
 *   a procedure marked .drc: a retransmission → the stored reply again,
 *   or nothing while the first copy still runs (rpc_drc.c)
 *   run it: RPCSVC_OK → SUCCESS + results (+ payload), or DROP, GARBAGE,
 *   SYSTEM_ERR; a result that will not encode → SYSTEM_ERR
 *   tell the program's observer (if any) what ran and how long it took
 *
 * A reply is sent as one record: [record mark] header+results [payload]
 * [padding], with one sendmsg (TCP: what the socket does not take waits
 * in the connection's queue, rpc_tcp.c) or one datagram (UDP). The
 * payload goes out from the actor's buffer itself.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "log.h"
#include "rpcmsg.h"
#include "rpcsvc_int.h"

#define DISPATCH_NOBODY 65534

/* Replies up to this size are encoded on the stack. */
#define DISPATCH_STACK_REPLY 1024
/* Argument and result structures up to this size live on the stack. */
#define DISPATCH_STACK_STRUCT 512

static const uint8_t dispatch_zero_pad[4];

/* Room for an actor's decoded arguments or unencoded results. */
union dispatch_space {
	uint8_t b[DISPATCH_STACK_STRUCT];
	max_align_t align;
};

/* A zeroed @size-byte structure: in @space when it fits, else g_malloc'd
 * (the caller g_frees what is not @space). */
static void *dispatch_alloc(union dispatch_space *space, size_t size)
{
	if (size <= sizeof(*space)) {
		memset(space->b, 0, MAX(size, 1));
		return space->b;
	}
	return g_malloc0(size);
}

/* Send the reply made of @iov (@n < 4 entries, @total bytes; room for a
 * record mark in front on TCP). */
static void dispatch_send_iov(struct rpcsvc_job *job, const struct iovec *iov, int n, size_t total)
{
	struct iovec v[4];
	uint8_t mark[4];
	int ret;

	if (job->conn) {
		rpc_record_mark(mark, total);
		v[0] = (struct iovec){ .iov_base = mark, .iov_len = 4 };
		memcpy(v + 1, iov, n * sizeof(*iov));
		ret = rpcsvc_tcp_send(job->conn, v, n + 1, job->payload);
	} else {
		ret = rpcsvc_udp_send(job, iov, n);
	}
	if (ret < 0)
		xl_logd("rpc", XL_LOG_DEBUG, "reply not sent: %s", strerror(-ret));
}

/* Send @reply (a whole RPC message) as it is. */
static void dispatch_send_bytes(struct rpcsvc_job *job, GBytes *reply)
{
	gsize len;
	const void *data = g_bytes_get_data(reply, &len);
	struct iovec iov = { .iov_base = (void *)data, .iov_len = len };

	dispatch_send_iov(job, &iov, 1, len);
}

/* Send @body (@len bytes) plus the job's payload as the reply. A call in
 * the duplicate request cache gets its reply flattened and stored first,
 * whether or not the send then succeeds: a client that lost its
 * connection retransmits, and must find it. */
static void dispatch_send(struct rpcsvc_job *job, const uint8_t *body, size_t len)
{
	size_t pad = (4 - job->payload_len % 4) % 4;
	size_t total = len + (job->payload_len ? job->payload_len + pad : 0);
	struct iovec iov[3];
	int n = 0;

	if (job->drc_entry) {
		uint8_t *flat = g_malloc(total);
		GBytes *reply;

		memcpy(flat, body, len);
		if (job->payload_len) {
			memcpy(flat + len, job->payload_ptr, job->payload_len);
			memset(flat + len + job->payload_len, 0, pad);
		}
		reply = g_bytes_new_take(flat, total);
		rpc_drc_finish(job->svc->drc, job->drc_entry, reply);
		job->drc_entry = NULL;
		dispatch_send_bytes(job, reply);
		g_bytes_unref(reply);
		return;
	}
	iov[n++] = (struct iovec){ .iov_base = (void *)body, .iov_len = len };
	if (job->payload_len) {
		iov[n++] = (struct iovec){ .iov_base = (void *)job->payload_ptr,
					   .iov_len = job->payload_len };
		if (pad)
			iov[n++] = (struct iovec){ .iov_base = (void *)dispatch_zero_pad,
						   .iov_len = pad };
	}
	dispatch_send_iov(job, iov, n, total);
}

/* Look a call of a .drc actor up in the duplicate request cache. true:
 * run it (job->drc_entry set when the cache is on); false: it was a
 * duplicate, answered from the cache or dropped while the first copy
 * runs. */
static bool dispatch_drc_check(struct rpcsvc_job *job, const struct rpc_call_hdr *hdr)
{
	struct rpc_drc_key key;
	GBytes *reply;
	bool auth_sys = hdr->flavor == AUTH_SYS;

	if (!job->svc->drc)
		return true;
	rpc_drc_key_init(&key, hdr->xid, hdr->prog, hdr->vers, hdr->proc,
			 job->conn ? IPPROTO_TCP : IPPROTO_UDP,
			 auth_sys ? hdr->uid : DISPATCH_NOBODY, auth_sys ? hdr->gid : DISPATCH_NOBODY,
			 (const struct sockaddr *)&job->peer, job->peer_len, job->buf, job->len);
	switch (rpc_drc_lookup(job->svc->drc, &key, &job->drc_entry, &reply)) {
	case RPC_DRC_NEW:
		return true;
	case RPC_DRC_REPLAY:
		xl_logd("rpc", XL_LOG_DEBUG, "xid %#x: retransmission, replaying the reply",
			hdr->xid);
		dispatch_send_bytes(job, reply);
		g_bytes_unref(reply);
		return false;
	case RPC_DRC_IN_PROGRESS:
		xl_logd("rpc", XL_LOG_DEBUG, "xid %#x: retransmission while running, dropped",
			hdr->xid);
		return false;
	}
	return false;
}

/* Send a reply that is a header only. */
static void dispatch_reply_hdr(struct rpcsvc_job *job, const uint8_t *hdr, size_t len)
{
	/* A rejection carries no payload. */
	xl_iobuf_unref(job->payload);
	job->payload = NULL;
	job->payload_ptr = NULL;
	job->payload_len = 0;
	dispatch_send(job, hdr, len);
}

static void dispatch_accept_err(struct rpcsvc_job *job, uint32_t xid, enum accept_stat stat,
				uint32_t low, uint32_t high)
{
	uint8_t out[RPCMSG_REPLY_MAX];
	gint *counter = NULL;

	switch (stat) {
	case PROG_UNAVAIL:
		counter = &job->svc->stats.prog_unavail;
		break;
	case PROG_MISMATCH:
		counter = &job->svc->stats.prog_mismatch;
		break;
	case PROC_UNAVAIL:
		counter = &job->svc->stats.proc_unavail;
		break;
	case GARBAGE_ARGS:
		counter = &job->svc->stats.garbage_args;
		break;
	default:
		counter = &job->svc->stats.system_err;
		break;
	}
	g_atomic_int_inc(counter);
	dispatch_reply_hdr(job, out, rpcmsg_encode_accepted(out, xid, stat, low, high));
}

/* Find the program for prog/vers: its index, or -1 with @low and @high the
 * range of versions registered for @prog (low > high when none is). */
static int dispatch_find_program(struct rpcsvc *svc, uint32_t prog, uint32_t vers,
				 uint32_t *low, uint32_t *high)
{
	guint i;

	*low = UINT32_MAX;
	*high = 0;
	for (i = 0; i < svc->programs->len; i++) {
		const struct rpcsvc_program *p = g_ptr_array_index(svc->programs, i);

		if (p->prog != prog)
			continue;
		if (p->vers == vers)
			return i;
		*low = MIN(*low, p->vers);
		*high = MAX(*high, p->vers);
	}
	return -1;
}

/* Fill the request from the header and the transport. */
static void dispatch_fill_request(struct rpcsvc_job *job, const struct rpc_call_hdr *hdr,
				  const struct rpcsvc_program *p, struct rpcsvc_request *req)
{
	memset(req, 0, sizeof(*req));
	req->xid = hdr->xid;
	req->prog = hdr->prog;
	req->vers = hdr->vers;
	req->proc = hdr->proc;
	req->flavor = hdr->flavor;
	if (hdr->flavor == AUTH_SYS) {
		req->cred.uid = hdr->uid;
		req->cred.gid = hdr->gid;
		req->cred.ngroups = MIN(hdr->ngroups, RPCMSG_MAX_GIDS);
		for (unsigned i = 0; i < req->cred.ngroups; i++)
			req->cred.groups[i] = hdr->groups[i];
		req->long_groups = hdr->long_groups;
		g_strlcpy(req->machine, hdr->machine, sizeof(req->machine));
	} else {
		req->cred.uid = DISPATCH_NOBODY;
		req->cred.gid = DISPATCH_NOBODY;
	}
	memcpy(&req->client, &job->peer, job->peer_len);
	req->client_len = job->peer_len;
	req->protocol = job->conn ? IPPROTO_TCP : IPPROTO_UDP;
	req->program = p;
	req->svc = job->svc;
	req->priv = job;
}

/* Encode @res with @actor's xdr_res into @buf (@size bytes): its length,
 * or 0 when it does not fit or will not encode. */
static size_t dispatch_encode(const struct rpcsvc_actor *actor, void *res, uint8_t *buf,
			      size_t size)
{
	size_t len = 0;
	XDR xdr;

	xdrmem_create(&xdr, (char *)buf, size, XDR_ENCODE);
	if (actor->xdr_res(&xdr, res))
		len = xdr_getpos(&xdr);
	xdr_destroy(&xdr);
	return len;
}

/* Encode the SUCCESS reply with @res and send it. Most results fit a
 * buffer on the stack and are encoded once; larger ones are encoded once
 * into the heap when the actor said how large they are at most
 * (@hint, rpcsvc_request.res_size_hint), else sized first (xdr_sizeof)
 * and encoded into the heap. false: it would not encode (the caller
 * answers SYSTEM_ERR). */
static bool dispatch_reply_success(struct rpcsvc_job *job, uint32_t xid,
				   const struct rpcsvc_actor *actor, void *res, size_t hint)
{
	union {
		uint8_t b[DISPATCH_STACK_REPLY];
		uint32_t align;
	} stack;
	uint8_t *body = stack.b;
	size_t hlen = rpcmsg_encode_accepted(stack.b, xid, SUCCESS, 0, 0);
	size_t rlen = 0;

	if (actor->xdr_res) {
		if (hint > sizeof(stack) - hlen) {
			body = g_malloc(hlen + hint);
			memcpy(body, stack.b, hlen);
			rlen = dispatch_encode(actor, res, body + hlen, hint);
			if (rlen == 0) { /* the hint was short */
				g_free(body);
				body = stack.b;
			}
		} else {
			rlen = dispatch_encode(actor, res, stack.b + hlen, sizeof(stack) - hlen);
		}
		if (rlen == 0) {
			rlen = xdr_sizeof(actor->xdr_res, res);
			body = g_malloc(hlen + rlen);
			memcpy(body, stack.b, hlen);
			if (dispatch_encode(actor, res, body + hlen, rlen) != rlen) {
				g_free(body);
				return false;
			}
		}
	}
	dispatch_send(job, body, hlen + rlen);
	if (body != stack.b)
		g_free(body);
	return true;
}

/* Decode args, run the actor, reply. */
static void dispatch_call(struct rpcsvc_job *job, const struct rpc_call_hdr *hdr,
			  const struct rpcsvc_program *p)
{
	const struct rpcsvc_actor *actor = &p->actors[hdr->proc];
	struct rpcsvc_request req;
	rpcsvc_observe_fn observe;
	void *priv, *observe_ctx;
	unsigned swap_idx;
	union dispatch_space args_space, res_space;
	void *args, *res;
	bool args_ok = true;
	int64_t t0;
	XDR xdr;
	int ret;

	if (actor->drc && !dispatch_drc_check(job, hdr))
		return;
	args = dispatch_alloc(&args_space, actor->args_size);
	res = dispatch_alloc(&res_space, actor->res_size);
	if (actor->xdr_args) {
		xdrmem_create(&xdr, (char *)job->buf + hdr->args_off, job->len - hdr->args_off,
			      XDR_DECODE);
		args_ok = actor->xdr_args(&xdr, args);
		xdr_destroy(&xdr);
	}
	if (!args_ok) {
		xl_logd("rpc", XL_LOG_DEBUG, "%s %s: undecodable arguments", p->name,
			actor->name ? actor->name : "?");
		dispatch_accept_err(job, hdr->xid, GARBAGE_ARGS, 0, 0);
		goto out_free;
	}
	/* From here on the call uses its program's private data, read once
	 * and kept until it is over (rpc_swap.c). */
	swap_idx = rpcsvc_swap_enter(job->svc);
	rpcsvc_program_load(p, &priv, &observe, &observe_ctx);
	dispatch_fill_request(job, hdr, p, &req);
	req.program_private = priv;
	t0 = g_get_monotonic_time();
	ret = actor->fn(&req, args, res);
	switch (ret) {
	case RPCSVC_OK:
		if (!dispatch_reply_success(job, hdr->xid, actor, res, req.res_size_hint)) {
			xl_logd("rpc", XL_LOG_ERROR, "%s %s: cannot encode the result", p->name,
				actor->name ? actor->name : "?");
			dispatch_accept_err(job, hdr->xid, SYSTEM_ERR, 0, 0);
		}
		break;
	case RPCSVC_DROP:
		break;
	case RPCSVC_GARBAGE:
		dispatch_accept_err(job, hdr->xid, GARBAGE_ARGS, 0, 0);
		break;
	default:
		dispatch_accept_err(job, hdr->xid, SYSTEM_ERR, 0, 0);
		break;
	}
	if (observe)
		observe(observe_ctx, &req, ret == RPCSVC_OK ? res : NULL,
			g_get_monotonic_time() - t0);
	rpcsvc_swap_leave(job->svc, swap_idx);
out_free:
	/* No reply was sent (dropped): a retransmission must run it. */
	if (job->drc_entry) {
		rpc_drc_abandon(job->svc->drc, job->drc_entry);
		job->drc_entry = NULL;
	}
	if (actor->xdr_args)
		xdr_free(actor->xdr_args, args);
	if (actor->xdr_res)
		xdr_free(actor->xdr_res, res);
	if (args != args_space.b)
		g_free(args);
	if (res != res_space.b)
		g_free(res);
}

/* Not an RPC call, or cut short: no reply. On TCP the peer is confused
 * (or hostile) and its stream cannot be trusted: close the connection. */
static void dispatch_drop(struct rpcsvc_job *job)
{
	char peer[INET6_ADDRSTRLEN + 8];

	g_atomic_int_inc(&job->svc->stats.drops);
	rpcsvc_addr_str((struct sockaddr *)&job->peer, peer, sizeof(peer));
	if (job->conn) {
		xl_logd("rpc", XL_LOG_WARNING,
			"%s sent a %zu-byte record that is not an RPC call: closing the connection",
			peer, job->len);
		rpcsvc_conn_abort(job->conn);
	} else {
		xl_logd("rpc", XL_LOG_DEBUG, "%s sent a %zu-byte datagram that is not an RPC call",
			peer, job->len);
	}
}

void rpcsvc_dispatch(struct rpcsvc_job *job)
{
	struct rpcsvc *svc = job->svc;
	struct rpc_call_hdr hdr;
	enum auth_stat why;
	uint8_t out[RPCMSG_REPLY_MAX];
	uint32_t low, high;
	const struct rpcsvc_program *p;
	int idx;

	switch (rpcmsg_decode_call_opts(job->buf, job->len, &hdr, &why,
					svc->cfg.accept_long_groups)) {
	case RPCMSG_DROP:
		dispatch_drop(job);
		return;
	case RPCMSG_RPC_MISMATCH:
		g_atomic_int_inc(&svc->stats.rpc_mismatch);
		dispatch_reply_hdr(job, out, rpcmsg_encode_rpc_mismatch(out, hdr.xid));
		return;
	case RPCMSG_AUTH_ERROR:
		g_atomic_int_inc(&svc->stats.auth_error);
		dispatch_reply_hdr(job, out, rpcmsg_encode_auth_error(out, hdr.xid, why));
		return;
	case RPCMSG_CALL:
		break;
	}
	g_atomic_int_inc(&svc->stats.calls);
	job->args_off = hdr.args_off;
	idx = dispatch_find_program(svc, hdr.prog, hdr.vers, &low, &high);
	if (idx < 0) {
		if (low > high)
			dispatch_accept_err(job, hdr.xid, PROG_UNAVAIL, 0, 0);
		else
			dispatch_accept_err(job, hdr.xid, PROG_MISMATCH, low, high);
		return;
	}
	p = g_ptr_array_index(svc->programs, idx);
	g_atomic_int_inc(&svc->prog_calls[idx]);
	if (hdr.proc >= p->nactors || !p->actors[hdr.proc].fn) {
		dispatch_accept_err(job, hdr.xid, PROC_UNAVAIL, 0, 0);
		return;
	}
	dispatch_call(job, &hdr, p);
}

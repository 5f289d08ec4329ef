/*
 * rpcmsg.c — decoding call headers and encoding reply headers.
 *
 * The header is read by hand with a bounds-checked cursor instead of the
 * svc_* machinery, so every malformed input ends in a defined verdict:
 * too short to carry an xid and a CALL → dropped; a wrong RPC version →
 * RPC_MISMATCH; credentials we cannot parse or that break the RFC's
 * limits → AUTH_BADCRED; anything truncated after that → dropped.
 */
#include "config.h"

#include <string.h>

#include "rpcmsg.h"

struct msg_cursor {
	const uint8_t *p;
	size_t len, off;
};

static bool cursor_u32(struct msg_cursor *c, uint32_t *v)
{
	if (c->len - c->off < 4)
		return false;
	*v = (uint32_t)c->p[c->off] << 24 | (uint32_t)c->p[c->off + 1] << 16 |
	     (uint32_t)c->p[c->off + 2] << 8 | c->p[c->off + 3];
	c->off += 4;
	return true;
}

/* Skip @n bytes of opaque data plus its XDR padding. */
static bool cursor_skip(struct msg_cursor *c, size_t n)
{
	size_t padded = (n + 3) & ~(size_t)3;

	if (padded < n || c->len - c->off < padded)
		return false;
	c->off += padded;
	return true;
}

/* Decode an AUTH_SYS body of @blen bytes at the cursor (already known to
 * be within the buffer). false: malformed (AUTH_BADCRED). */
static bool msg_decode_authsys(const uint8_t *body, size_t blen, struct rpc_call_hdr *hdr,
			       unsigned flags)
{
	uint32_t gid;
	struct msg_cursor c = { .p = body, .len = blen };
	uint32_t namelen, i;

	if (!cursor_u32(&c, &hdr->stamp) || !cursor_u32(&c, &namelen))
		return false;
	if (namelen > RPCMSG_MAX_MACHINE || c.len - c.off < namelen)
		return false;
	memcpy(hdr->machine, body + c.off, namelen);
	hdr->machine[namelen] = '\0';
	if (!cursor_skip(&c, namelen))
		return false;
	if (!cursor_u32(&c, &hdr->uid) || !cursor_u32(&c, &hdr->gid) ||
	    !cursor_u32(&c, &hdr->ngroups))
		return false;
	if (hdr->ngroups > RPCMSG_MAX_GIDS && !(flags & RPCMSG_ANY_GIDS))
		return false;
	for (i = 0; i < hdr->ngroups; i++) {
		if (!cursor_u32(&c, &gid))
			return false;
		if (i < RPCMSG_MAX_GIDS)
			hdr->groups[i] = gid;
	}
	if (hdr->ngroups > RPCMSG_MAX_GIDS) {
		hdr->ngroups = RPCMSG_MAX_GIDS;
		hdr->gids_cut = true;
	}
	return c.off == c.len; /* the body must be exactly the credential */
}

enum rpcmsg_verdict rpcmsg_decode_call(const void *buf, size_t len, struct rpc_call_hdr *hdr,
					 enum auth_stat *why)
{
	return rpcmsg_decode_call_flags(buf, len, hdr, why, 0);
}

enum rpcmsg_verdict rpcmsg_decode_call_flags(const void *buf, size_t len, struct rpc_call_hdr *hdr,
					       enum auth_stat *why, unsigned flags)
{
	struct msg_cursor c = { .p = buf, .len = len };
	uint32_t mtype, clen, vflavor, vlen;
	size_t cbody;

	memset(hdr, 0, sizeof(*hdr));
	*why = AUTH_OK;
	if (!cursor_u32(&c, &hdr->xid) || !cursor_u32(&c, &mtype) || mtype != CALL)
		return RPCMSG_DROP;
	if (!cursor_u32(&c, &hdr->rpcvers))
		return RPCMSG_DROP;
	if (hdr->rpcvers != RPCMSG_VERSION)
		return RPCMSG_RPC_MISMATCH;
	if (!cursor_u32(&c, &hdr->prog) || !cursor_u32(&c, &hdr->vers) ||
	    !cursor_u32(&c, &hdr->proc))
		return RPCMSG_DROP;

	/* The credential. */
	if (!cursor_u32(&c, &hdr->flavor) || !cursor_u32(&c, &clen))
		return RPCMSG_DROP;
	if (clen > RPCMSG_MAX_AUTH_BYTES) {
		*why = AUTH_BADCRED;
		return RPCMSG_AUTH_ERROR;
	}
	cbody = c.off;
	if (!cursor_skip(&c, clen))
		return RPCMSG_DROP;
	switch (hdr->flavor) {
	case AUTH_NONE:
		if (clen != 0) {
			*why = AUTH_BADCRED;
			return RPCMSG_AUTH_ERROR;
		}
		break;
	case AUTH_SYS:
		if (!msg_decode_authsys(c.p + cbody, clen, hdr, flags)) {
			*why = AUTH_BADCRED;
			return RPCMSG_AUTH_ERROR;
		}
		break;
	default:
		*why = AUTH_TOOWEAK;
		return RPCMSG_AUTH_ERROR;
	}

	/* The verifier: AUTH_NONE for both flavors we accept. */
	if (!cursor_u32(&c, &vflavor) || !cursor_u32(&c, &vlen))
		return RPCMSG_DROP;
	if (vlen > RPCMSG_MAX_AUTH_BYTES) {
		*why = AUTH_BADVERF;
		return RPCMSG_AUTH_ERROR;
	}
	if (!cursor_skip(&c, vlen))
		return RPCMSG_DROP;
	if (vflavor != AUTH_NONE) {
		*why = AUTH_BADVERF;
		return RPCMSG_AUTH_ERROR;
	}
	hdr->args_off = c.off;
	return RPCMSG_CALL;
}

static size_t put_u32(uint8_t *out, size_t off, uint32_t v)
{
	out[off] = v >> 24;
	out[off + 1] = v >> 16;
	out[off + 2] = v >> 8;
	out[off + 3] = v;
	return off + 4;
}

size_t rpcmsg_encode_accepted(uint8_t *out, uint32_t xid, enum accept_stat stat, uint32_t low,
			       uint32_t high)
{
	size_t off = 0;

	off = put_u32(out, off, xid);
	off = put_u32(out, off, REPLY);
	off = put_u32(out, off, MSG_ACCEPTED);
	off = put_u32(out, off, AUTH_NONE); /* verifier flavor */
	off = put_u32(out, off, 0);         /* verifier length */
	off = put_u32(out, off, stat);
	if (stat == PROG_MISMATCH) {
		off = put_u32(out, off, low);
		off = put_u32(out, off, high);
	}
	return off;
}

size_t rpcmsg_encode_rpc_mismatch(uint8_t *out, uint32_t xid)
{
	size_t off = 0;

	off = put_u32(out, off, xid);
	off = put_u32(out, off, REPLY);
	off = put_u32(out, off, MSG_DENIED);
	off = put_u32(out, off, RPC_MISMATCH);
	off = put_u32(out, off, RPCMSG_VERSION);
	off = put_u32(out, off, RPCMSG_VERSION);
	return off;
}

size_t rpcmsg_encode_auth_error(uint8_t *out, uint32_t xid, enum auth_stat why)
{
	size_t off = 0;

	off = put_u32(out, off, xid);
	off = put_u32(out, off, REPLY);
	off = put_u32(out, off, MSG_DENIED);
	off = put_u32(out, off, AUTH_ERROR);
	off = put_u32(out, off, why);
	return off;
}

/*
 * rpc_record.c — reassembly of RFC 5531 record-marked TCP streams.
 *
 * A small state machine: collect the 4 header bytes (they may arrive one
 * at a time), check that the record stays within max_record, then copy
 * the fragment body into the record buffer, growing it as bytes arrive
 * (not as announced, so a client announcing a large fragment and sending
 * nothing does not make us allocate it). After the last fragment the
 * record is handed to the caller and the machine restarts. A large body
 * may also be received straight into the record buffer (body_room and
 * body_commit), saving the copy from the socket's read buffer.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "rpc_record.h"

void rpc_record_init(struct rpc_record *r, size_t max_record)
{
	memset(r, 0, sizeof(*r));
	r->max_record = max_record;
}

void rpc_record_fini(struct rpc_record *r)
{
	g_free(r->buf);
	r->buf = NULL;
	r->len = r->cap = 0;
	r->hdr_have = 0;
	r->frag_left = 0;
}

void rpc_record_mark(uint8_t hdr[4], uint32_t len)
{
	uint32_t v = RPC_RECORD_LAST | len;

	hdr[0] = v >> 24;
	hdr[1] = v >> 16;
	hdr[2] = v >> 8;
	hdr[3] = v;
}

/* Make room for @need more bytes in the record buffer. */
static void record_reserve(struct rpc_record *r, size_t need)
{
	size_t cap = r->cap ? r->cap : 512;

	if (r->len + need <= r->cap)
		return;
	while (cap < r->len + need)
		cap *= 2;
	if (cap > r->max_record)
		cap = r->max_record;
	r->buf = g_realloc(r->buf, cap);
	r->cap = cap;
}

/* A complete header is in r->hdr: start its fragment. 0 or -EMSGSIZE. */
static int record_start_fragment(struct rpc_record *r)
{
	uint32_t v = (uint32_t)r->hdr[0] << 24 | (uint32_t)r->hdr[1] << 16 |
		     (uint32_t)r->hdr[2] << 8 | r->hdr[3];

	r->last = (v & RPC_RECORD_LAST) != 0;
	r->frag_left = v & ~RPC_RECORD_LAST;
	if (r->frag_left > r->max_record - r->len)
		return -EMSGSIZE;
	return 0;
}

/* A fragment's last body byte arrived: hand the record out if it was the
 * last fragment (and not empty). */
static void record_fragment_end(struct rpc_record *r, uint8_t **rec, size_t *rec_len)
{
	r->hdr_have = 0;
	if (!r->last || r->len == 0)
		return;
	*rec = r->buf;
	*rec_len = r->len;
	r->buf = NULL;
	r->len = r->cap = 0;
}

#define RECORD_DIRECT_STEP (64u << 10)

size_t rpc_record_body_room(struct rpc_record *r, uint8_t **dst)
{
	if (r->hdr_have < 4 || r->frag_left == 0)
		return 0;
	record_reserve(r, MIN((size_t)r->frag_left, MAX(r->len, (size_t)RECORD_DIRECT_STEP)));
	*dst = r->buf + r->len;
	return MIN((size_t)r->frag_left, r->cap - r->len);
}

void rpc_record_body_commit(struct rpc_record *r, size_t n, uint8_t **rec, size_t *rec_len)
{
	*rec = NULL;
	*rec_len = 0;
	r->len += n;
	r->frag_left -= n;
	if (r->frag_left == 0)
		record_fragment_end(r, rec, rec_len);
}

ssize_t rpc_record_feed(struct rpc_record *r, const void *data, size_t len, uint8_t **rec,
			size_t *rec_len)
{
	const uint8_t *p = data;
	size_t used = 0;
	int ret;

	*rec = NULL;
	*rec_len = 0;
	while (used < len) {
		if (r->hdr_have < 4) {
			r->hdr[r->hdr_have++] = p[used++];
			if (r->hdr_have < 4)
				continue;
			ret = record_start_fragment(r);
			if (ret < 0)
				return ret;
		} else if (r->frag_left > 0) {
			size_t n = MIN((size_t)r->frag_left, len - used);

			record_reserve(r, n);
			memcpy(r->buf + r->len, p + used, n);
			r->len += n;
			r->frag_left -= n;
			used += n;
		}
		if (r->hdr_have < 4 || r->frag_left > 0)
			continue;
		/* A fragment ended (an empty record hands nothing up). */
		record_fragment_end(r, rec, rec_len);
		if (*rec)
			break;
	}
	return used;
}

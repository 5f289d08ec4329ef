/*
 * fuzz_record.c — TCP record reassembly (rpc/rpc_record.c) under arbitrary
 * splits.
 *
 * Input: byte 0 picks max_record (64 << (b & 7) bytes, or 0x7fffffff+ for
 * b & 8), bytes 1-4 seed the pseudo-random piece sizes, the rest is the
 * stream. The stream is fed once whole, once in pieces, and once in pieces
 * some of which go straight into the record body (rpc_record_body_room and
 * _commit, as rpc_tcp.c receives large WRITEs); all must give the same
 * records, in the same order, and stop with the same error: reassembly may
 * not depend on how TCP splits the bytes or how they are received. Each
 * record must be non-empty and within max_record, and the body room must
 * lie within the buffer (ASan checks the writes) and the fragment.
 */
#include "config.h"

#include <string.h>

#include <glib.h>

#include "fuzz.h"
#include "rpc_record.h"


struct record_run {
	GPtrArray *recs;      /* GBytes * */
	int error;            /* 0 or the -errno that stopped the stream */
};

/* Feed @len bytes at @p to @r, appending records to @run; false once the
 * stream failed. */
static bool record_feed_piece(struct rpc_record *r, const uint8_t *p, size_t len,
			      struct record_run *run)
{
	size_t off = 0;

	while (off < len) {
		struct xl_iobuf *rec;
		size_t rec_len;
		ssize_t used = rpc_record_feed(r, p + off, len - off, &rec, &rec_len);

		if (used < 0) {
			run->error = (int)used;
			return false;
		}
		FUZZ_CHECK((size_t)used <= len - off);
		off += used;
		if (rec) {
			FUZZ_CHECK(rec_len > 0 && rec_len <= r->max_record);
			g_ptr_array_add(run->recs, g_bytes_new(rec->data, rec_len));
			xl_iobuf_unref(rec);
		} else {
			/* No record: everything was consumed. */
			FUZZ_CHECK(off == len);
		}
	}
	return true;
}

/* Put @len bytes at @p into @r's body room, as far as there is room:
 * the number of bytes taken (0 when no body is due). */
static size_t record_direct_piece(struct rpc_record *r, const uint8_t *p, size_t len,
				  struct record_run *run)
{
	uint32_t frag_left = r->frag_left;
	struct xl_iobuf *rec;
	uint8_t *dst;
	size_t room = rpc_record_body_room(r, &dst), n, rec_len;

	if (room == 0)
		return 0;
	FUZZ_CHECK(room <= frag_left);
	FUZZ_CHECK(r->len + room <= r->cap);
	n = MIN(room, len);
	memcpy(dst, p, n);
	rpc_record_body_commit(r, n, &rec, &rec_len);
	if (rec) {
		FUZZ_CHECK(rec_len > 0 && rec_len <= r->max_record);
		g_ptr_array_add(run->recs, g_bytes_new(rec->data, rec_len));
		xl_iobuf_unref(rec);
	}
	return n;
}

/* Run the whole stream through a fresh reassembler, in pieces whose sizes
 * come from @seed (0: one piece); with @direct, every other piece that
 * meets a fragment body goes through the body room. */
static void record_run(const uint8_t *s, size_t len, size_t max_record, uint32_t seed,
		       bool direct, struct record_run *run)
{
	struct rpc_record r;
	size_t off = 0;

	run->recs = g_ptr_array_new_with_free_func((GDestroyNotify)g_bytes_unref);
	run->error = 0;
	rpc_record_init(&r, max_record);
	while (off < len) {
		size_t piece = len - off;

		if (seed) {
			/* xorshift32: small pieces mostly, sometimes large ones. */
			seed ^= seed << 13;
			seed ^= seed >> 17;
			seed ^= seed << 5;
			piece = (seed & 0x300) ? 1 + seed % 7 : 1 + seed % 4096;
			piece = MIN(piece, len - off);
		}
		if (direct && (seed & 1)) {
			size_t n = record_direct_piece(&r, s + off, piece, run);

			if (n > 0) {
				off += n;
				continue;
			}
		}
		if (!record_feed_piece(&r, s + off, piece, run))
			break;
		off += piece;
	}
	rpc_record_fini(&r);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct record_run whole, split, direct;
	size_t max_record;
	uint32_t seed;

	if (size < 5)
		return 0;
	max_record = data[0] & 8 ? 0x7fffffffu + (size_t)(data[0] & 7) : 64u << (data[0] & 7);
	seed = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 |
	       data[4];
	seed |= 1; /* xorshift needs a non-zero state */
	record_run(data + 5, size - 5, max_record, 0, false, &whole);
	record_run(data + 5, size - 5, max_record, seed, false, &split);
	record_run(data + 5, size - 5, max_record, seed, true, &direct);

	FUZZ_CHECK(whole.error == split.error && whole.error == direct.error);
	FUZZ_CHECK(whole.recs->len == split.recs->len && whole.recs->len == direct.recs->len);
	for (guint i = 0; i < whole.recs->len; i++) {
		FUZZ_CHECK(g_bytes_equal(g_ptr_array_index(whole.recs, i),
					 g_ptr_array_index(split.recs, i)));
		FUZZ_CHECK(g_bytes_equal(g_ptr_array_index(whole.recs, i),
					 g_ptr_array_index(direct.recs, i)));
	}
	g_ptr_array_unref(whole.recs);
	g_ptr_array_unref(split.recs);
	g_ptr_array_unref(direct.recs);
	return 0;
}

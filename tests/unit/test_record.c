/*
 * test_record.c — unit tests of the TCP record reassembler (rpc/rpc_record.c):
 * records split at every byte boundary, multi-fragment records, several
 * records in one buffer, empty records, oversize records.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "rpc_record.h"
#include "cunit_main.h"

/* A stream under construction, and the records it should yield. */
struct stream {
	GByteArray *bytes;
	GPtrArray *want; /* GByteArray * per record */
};

static void stream_init(struct stream *s)
{
	s->bytes = g_byte_array_new();
	s->want = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
}

static void stream_fini(struct stream *s)
{
	g_byte_array_unref(s->bytes);
	g_ptr_array_free(s->want, TRUE);
}

static void put_hdr(GByteArray *b, uint32_t len, bool last)
{
	uint8_t h[4];
	uint32_t v = len | (last ? RPC_RECORD_LAST : 0);

	h[0] = v >> 24;
	h[1] = v >> 16;
	h[2] = v >> 8;
	h[3] = v;
	g_byte_array_append(b, h, 4);
}

/* Append a record made of fragments of the given sizes, filled with a
 * pattern starting at @seed. */
static void stream_add(struct stream *s, const size_t *frags, size_t nfrags, uint8_t seed)
{
	GByteArray *rec = g_byte_array_new();
	size_t i, j;

	for (i = 0; i < nfrags; i++) {
		put_hdr(s->bytes, frags[i], i == nfrags - 1);
		for (j = 0; j < frags[i]; j++) {
			uint8_t c = (uint8_t)(seed + rec->len * 7);

			g_byte_array_append(s->bytes, &c, 1);
			g_byte_array_append(rec, &c, 1);
		}
	}
	if (rec->len)
		g_ptr_array_add(s->want, rec);
	else
		g_byte_array_unref(rec);
}

/* Feed @len bytes of @data to @r, collecting records into @got. Returns
 * the first error or 0. */
static int feed_all(struct rpc_record *r, const uint8_t *data, size_t len, GPtrArray *got)
{
	size_t off = 0;

	while (off < len) {
		struct xl_iobuf *rec;
		size_t rec_len;
		ssize_t n = rpc_record_feed(r, data + off, len - off, &rec, &rec_len);

		if (n < 0)
			return n;
		CU_ASSERT(n > 0 || rec != NULL);
		if (n == 0 && !rec)
			return -EINVAL; /* no progress: would loop forever */
		off += n;
		if (rec) {
			GByteArray *b = g_byte_array_new();

			g_byte_array_append(b, rec->data, rec_len);
			xl_iobuf_unref(rec);
			g_ptr_array_add(got, b);
		}
	}
	return 0;
}

static bool same_records(GPtrArray *a, GPtrArray *b)
{
	guint i;

	if (a->len != b->len)
		return false;
	for (i = 0; i < a->len; i++) {
		GByteArray *x = g_ptr_array_index(a, i), *y = g_ptr_array_index(b, i);

		if (x->len != y->len || memcmp(x->data, y->data, x->len) != 0)
			return false;
	}
	return true;
}

static void build_sample(struct stream *s)
{
	static const size_t one[] = { 37 };
	static const size_t multi[] = { 10, 0, 7, 1 };
	static const size_t empty[] = { 0 };
	static const size_t big[] = { 300 };
	static const size_t tiny[] = { 1 };

	stream_init(s);
	stream_add(s, one, 1, 1);
	stream_add(s, multi, 4, 2);
	stream_add(s, empty, 1, 3); /* skipped: yields nothing */
	stream_add(s, big, 1, 4);
	stream_add(s, tiny, 1, 5);
}

static void test_split_everywhere(void)
{
	struct stream s;
	size_t k;

	build_sample(&s);
	CU_ASSERT_EQUAL(s.want->len, 4);
	for (k = 0; k <= s.bytes->len; k++) {
		struct rpc_record r;
		GPtrArray *got = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);

		rpc_record_init(&r, 4096);
		CU_ASSERT_EQUAL(feed_all(&r, s.bytes->data, k, got), 0);
		CU_ASSERT_EQUAL(feed_all(&r, s.bytes->data + k, s.bytes->len - k, got), 0);
		CU_ASSERT(same_records(got, s.want));
		rpc_record_fini(&r);
		g_ptr_array_free(got, TRUE);
	}
	stream_fini(&s);
}

static void test_byte_by_byte(void)
{
	struct stream s;
	struct rpc_record r;
	GPtrArray *got = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
	size_t k;

	build_sample(&s);
	rpc_record_init(&r, 4096);
	for (k = 0; k < s.bytes->len; k++)
		CU_ASSERT_EQUAL(feed_all(&r, s.bytes->data + k, 1, got), 0);
	CU_ASSERT(same_records(got, s.want));
	rpc_record_fini(&r);
	g_ptr_array_free(got, TRUE);
	stream_fini(&s);
}

static void test_one_buffer_feed_stops_at_record(void)
{
	struct stream s;
	struct rpc_record r;
	struct xl_iobuf *rec;
	size_t rec_len;
	ssize_t n;

	build_sample(&s);
	rpc_record_init(&r, 4096);
	/* One call consumes exactly the first record (4 + 37 bytes). */
	n = rpc_record_feed(&r, s.bytes->data, s.bytes->len, &rec, &rec_len);
	CU_ASSERT_EQUAL(n, 41);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	CU_ASSERT_EQUAL(rec_len, 37);
	CU_ASSERT_EQUAL(memcmp(rec->data, ((GByteArray *)g_ptr_array_index(s.want, 0))->data, 37),
			0);
	/* A small record gets a buffer of exactly its size. */
	CU_ASSERT_EQUAL(rec->size, 37);
	xl_iobuf_unref(rec);
	rpc_record_fini(&r);
	stream_fini(&s);
}

static void test_oversize(void)
{
	struct rpc_record r;
	GPtrArray *got = g_ptr_array_new_with_free_func((GDestroyNotify)g_byte_array_unref);
	struct stream s;
	static const size_t exact[] = { 30, 34 };
	static const size_t over1[] = { 65 };
	static const size_t over2[] = { 40, 40 };

	/* Exactly max_record in two fragments is accepted. */
	stream_init(&s);
	stream_add(&s, exact, 2, 9);
	rpc_record_init(&r, 64);
	CU_ASSERT_EQUAL(feed_all(&r, s.bytes->data, s.bytes->len, got), 0);
	CU_ASSERT(same_records(got, s.want));
	rpc_record_fini(&r);
	stream_fini(&s);

	/* One fragment over the limit: refused at its header. */
	stream_init(&s);
	stream_add(&s, over1, 1, 9);
	rpc_record_init(&r, 64);
	CU_ASSERT_EQUAL(feed_all(&r, s.bytes->data, 4, got), -EMSGSIZE);
	rpc_record_fini(&r);
	stream_fini(&s);

	/* Fragments that only together exceed the limit. */
	stream_init(&s);
	stream_add(&s, over2, 2, 9);
	rpc_record_init(&r, 64);
	CU_ASSERT_EQUAL(feed_all(&r, s.bytes->data, s.bytes->len, got), -EMSGSIZE);
	rpc_record_fini(&r);
	stream_fini(&s);

	/* The largest header: refused without allocating 2 GB. */
	{
		const uint8_t huge[4] = { 0xff, 0xff, 0xff, 0xff };

		rpc_record_init(&r, 1 << 20);
		CU_ASSERT_EQUAL(feed_all(&r, huge, 4, got), -EMSGSIZE);
		CU_ASSERT_EQUAL(r.cap, 0);
		rpc_record_fini(&r);
	}
	g_ptr_array_free(got, TRUE);
}

static void test_mark(void)
{
	uint8_t h[4];

	rpc_record_mark(h, 0x01020304);
	CU_ASSERT_EQUAL(h[0], 0x81);
	CU_ASSERT_EQUAL(h[1], 0x02);
	CU_ASSERT_EQUAL(h[2], 0x03);
	CU_ASSERT_EQUAL(h[3], 0x04);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("rpc_record", NULL, NULL);
	CU_add_test(s, "split at every byte boundary", test_split_everywhere);
	CU_add_test(s, "byte by byte", test_byte_by_byte);
	CU_add_test(s, "a feed stops at the end of a record", test_one_buffer_feed_stops_at_record);
	CU_add_test(s, "oversize records are refused", test_oversize);
	CU_add_test(s, "record mark", test_mark);
	return cunit_run();
}

/*
 * test_rpcmsg.c — unit tests of call header decoding and reply header
 * encoding (rpc/rpcmsg.c): good AUTH_NONE and AUTH_SYS calls, each
 * rejection, truncation at every length, and reply bytes on the wire.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <glib.h>
#include <string.h>

#include "rpcmsg.h"
#include "cunit_main.h"

static void put(GByteArray *b, uint32_t v)
{
	uint8_t w[4] = { v >> 24, v >> 16, v >> 8, v };

	g_byte_array_append(b, w, 4);
}

static void put_opaque(GByteArray *b, const void *data, size_t len)
{
	static const uint8_t zero[4];

	put(b, len);
	g_byte_array_append(b, data, len);
	g_byte_array_append(b, zero, (4 - len % 4) % 4);
}

/* An AUTH_SYS body with @ngids groups 100, 101, … */
static GByteArray *authsys_body(const char *machine, size_t mlen, uint32_t ngids)
{
	GByteArray *b = g_byte_array_new();
	uint32_t i;

	put(b, 0x5a5a);         /* stamp */
	put_opaque(b, machine, mlen);
	put(b, 1000);           /* uid */
	put(b, 50);             /* gid */
	put(b, ngids);
	for (i = 0; i < ngids; i++)
		put(b, 100 + i);
	return b;
}

/* A call header with the given fields, credential and verifier, followed
 * by one argument word 0xdeadbeef. */
static GByteArray *call(uint32_t rpcvers, uint32_t flavor, const GByteArray *cred,
			uint32_t vflavor, uint32_t vlen)
{
	GByteArray *b = g_byte_array_new();
	uint8_t *zeros = g_malloc0(vlen + 4);

	put(b, 0x11223344); /* xid */
	put(b, CALL);
	put(b, rpcvers);
	put(b, 100003);
	put(b, 3);
	put(b, 7);
	put(b, flavor);
	if (cred)
		put_opaque(b, cred->data, cred->len);
	else
		put(b, 0);
	put(b, vflavor);
	put_opaque(b, zeros, vlen);
	put(b, 0xdeadbeef);
	g_free(zeros);
	return b;
}

static enum rpcmsg_verdict decode(GByteArray *b, struct rpc_call_hdr *h, enum auth_stat *why)
{
	return rpcmsg_decode_call(b->data, b->len, h, why);
}

static void test_auth_none(void)
{
	GByteArray *b = call(2, AUTH_NONE, NULL, AUTH_NONE, 0);
	struct rpc_call_hdr h;
	enum auth_stat why;

	CU_ASSERT_EQUAL(decode(b, &h, &why), RPCMSG_CALL);
	CU_ASSERT_EQUAL(h.xid, 0x11223344);
	CU_ASSERT_EQUAL(h.prog, 100003);
	CU_ASSERT_EQUAL(h.vers, 3);
	CU_ASSERT_EQUAL(h.proc, 7);
	CU_ASSERT_EQUAL(h.flavor, AUTH_NONE);
	CU_ASSERT_EQUAL(h.args_off, 40);
	CU_ASSERT_EQUAL(h.args_off + 4, b->len);
	g_byte_array_unref(b);
}

static void test_auth_sys(void)
{
	GByteArray *cred = authsys_body("client7", 7, 3);
	GByteArray *b = call(2, AUTH_SYS, cred, AUTH_NONE, 0);
	struct rpc_call_hdr h;
	enum auth_stat why;

	CU_ASSERT_EQUAL(decode(b, &h, &why), RPCMSG_CALL);
	CU_ASSERT_EQUAL(h.flavor, AUTH_SYS);
	CU_ASSERT_EQUAL(h.stamp, 0x5a5a);
	CU_ASSERT_STRING_EQUAL(h.machine, "client7");
	CU_ASSERT_EQUAL(h.uid, 1000);
	CU_ASSERT_EQUAL(h.gid, 50);
	CU_ASSERT_EQUAL(h.ngroups, 3);
	CU_ASSERT_EQUAL(h.groups[0], 100);
	CU_ASSERT_EQUAL(h.groups[2], 102);
	CU_ASSERT_EQUAL(h.args_off + 4, b->len);
	/* The arguments start where the test put them. */
	CU_ASSERT_EQUAL(b->data[h.args_off], 0xde);
	g_byte_array_unref(b);
	g_byte_array_unref(cred);

	/* 16 groups and a 255-byte machine name are the limits, accepted. */
	{
		char name[255];

		memset(name, 'm', sizeof(name));
		cred = authsys_body(name, 255, 16);
		b = call(2, AUTH_SYS, cred, AUTH_NONE, 0);
		CU_ASSERT_EQUAL(decode(b, &h, &why), RPCMSG_CALL);
		CU_ASSERT_EQUAL(strlen(h.machine), 255);
		CU_ASSERT_EQUAL(h.ngroups, 16);
		CU_ASSERT_EQUAL(h.groups[15], 115);
		g_byte_array_unref(b);
		g_byte_array_unref(cred);
	}
}

/* More than 16 groups: refused unless the caller accepts long lists
 * (manage-gids), then the list is ignored and the rest still decoded. */
static void test_long_groups(void)
{
	GByteArray *cred = authsys_body("host", 4, 20), *b;
	struct rpc_call_hdr h;
	enum auth_stat why;

	b = call(2, AUTH_SYS, cred, AUTH_NONE, 0);
	CU_ASSERT_EQUAL(rpcmsg_decode_call_opts(b->data, b->len, &h, &why, false),
			RPCMSG_AUTH_ERROR);
	CU_ASSERT_EQUAL(why, AUTH_BADCRED);
	CU_ASSERT_EQUAL(rpcmsg_decode_call_opts(b->data, b->len, &h, &why, true), RPCMSG_CALL);
	CU_ASSERT(h.long_groups);
	CU_ASSERT_EQUAL(h.ngroups, 0);
	CU_ASSERT_EQUAL(h.uid, 1000);
	CU_ASSERT_EQUAL(h.gid, 50);
	CU_ASSERT_STRING_EQUAL(h.machine, "host");
	CU_ASSERT_EQUAL(b->data[h.args_off], 0xde);
	g_byte_array_unref(b);
	g_byte_array_unref(cred);
	/* 16 or fewer: as before, not flagged. */
	cred = authsys_body("host", 4, 16);
	b = call(2, AUTH_SYS, cred, AUTH_NONE, 0);
	CU_ASSERT_EQUAL(rpcmsg_decode_call_opts(b->data, b->len, &h, &why, true), RPCMSG_CALL);
	CU_ASSERT_FALSE(h.long_groups);
	CU_ASSERT_EQUAL(h.ngroups, 16);
	g_byte_array_unref(b);
	g_byte_array_unref(cred);
	/* A count the body cannot hold is still bad. */
	cred = authsys_body("host", 4, 20);
	g_byte_array_set_size(cred, cred->len - 8);
	b = call(2, AUTH_SYS, cred, AUTH_NONE, 0);
	CU_ASSERT_EQUAL(rpcmsg_decode_call_opts(b->data, b->len, &h, &why, true),
			RPCMSG_AUTH_ERROR);
	g_byte_array_unref(b);
	g_byte_array_unref(cred);
}

static void test_rpc_mismatch(void)
{
	GByteArray *b = call(3, AUTH_NONE, NULL, AUTH_NONE, 0);
	struct rpc_call_hdr h;
	enum auth_stat why;

	CU_ASSERT_EQUAL(decode(b, &h, &why), RPCMSG_RPC_MISMATCH);
	CU_ASSERT_EQUAL(h.xid, 0x11223344);
	g_byte_array_unref(b);
}

/* Expect @b to be refused with AUTH_ERROR @want. */
static void expect_auth_error(GByteArray *b, enum auth_stat want)
{
	struct rpc_call_hdr h;
	enum auth_stat why = AUTH_OK;

	CU_ASSERT_EQUAL(decode(b, &h, &why), RPCMSG_AUTH_ERROR);
	CU_ASSERT_EQUAL(why, want);
	CU_ASSERT_EQUAL(h.xid, 0x11223344);
	g_byte_array_unref(b);
}

static void test_bad_credentials(void)
{
	GByteArray *cred;
	char name[256];

	/* Too many groups. */
	cred = authsys_body("c", 1, 17);
	expect_auth_error(call(2, AUTH_SYS, cred, AUTH_NONE, 0), AUTH_BADCRED);
	g_byte_array_unref(cred);

	/* Machine name longer than 255. */
	memset(name, 'n', sizeof(name));
	cred = authsys_body(name, 256, 0);
	expect_auth_error(call(2, AUTH_SYS, cred, AUTH_NONE, 0), AUTH_BADCRED);
	g_byte_array_unref(cred);

	/* A credential body over 400 bytes (even if otherwise well formed). */
	cred = g_byte_array_new();
	g_byte_array_set_size(cred, 404);
	memset(cred->data, 0, cred->len);
	expect_auth_error(call(2, AUTH_SYS, cred, AUTH_NONE, 0), AUTH_BADCRED);
	g_byte_array_unref(cred);

	/* Body longer than its AUTH_SYS contents (trailing bytes). */
	cred = authsys_body("c", 1, 1);
	put(cred, 0);
	expect_auth_error(call(2, AUTH_SYS, cred, AUTH_NONE, 0), AUTH_BADCRED);
	g_byte_array_unref(cred);

	/* Body shorter than the gids it announces. */
	cred = authsys_body("c", 1, 4);
	g_byte_array_set_size(cred, cred->len - 8);
	expect_auth_error(call(2, AUTH_SYS, cred, AUTH_NONE, 0), AUTH_BADCRED);
	g_byte_array_unref(cred);

	/* A machine name length pointing past the body. */
	cred = g_byte_array_new();
	put(cred, 1);
	put(cred, 200);
	put(cred, 0);
	expect_auth_error(call(2, AUTH_SYS, cred, AUTH_NONE, 0), AUTH_BADCRED);
	g_byte_array_unref(cred);

	/* AUTH_NONE with a body. */
	cred = g_byte_array_new();
	put(cred, 7);
	expect_auth_error(call(2, AUTH_NONE, cred, AUTH_NONE, 0), AUTH_BADCRED);
	g_byte_array_unref(cred);

	/* Flavors we do not do: RPCSEC_GSS (6), AUTH_DH (3). */
	expect_auth_error(call(2, 6, NULL, AUTH_NONE, 0), AUTH_TOOWEAK);
	expect_auth_error(call(2, AUTH_DH, NULL, AUTH_NONE, 0), AUTH_TOOWEAK);

	/* Verifier: oversized, or not AUTH_NONE. */
	expect_auth_error(call(2, AUTH_NONE, NULL, AUTH_NONE, 404), AUTH_BADVERF);
	expect_auth_error(call(2, AUTH_NONE, NULL, AUTH_SYS, 8), AUTH_BADVERF);
}

static void test_truncated(void)
{
	GByteArray *cred = authsys_body("client7", 7, 3);
	GByteArray *b = call(2, AUTH_SYS, cred, AUTH_NONE, 0);
	struct rpc_call_hdr h;
	enum auth_stat why;
	size_t len;

	/* Every prefix shorter than the header is dropped unanswered. */
	for (len = 0; len < b->len - 4; len++)
		CU_ASSERT_EQUAL(rpcmsg_decode_call(b->data, len, &h, &why), RPCMSG_DROP);
	/* The header alone (no arguments) is a good call. */
	CU_ASSERT_EQUAL(rpcmsg_decode_call(b->data, b->len - 4, &h, &why), RPCMSG_CALL);
	g_byte_array_unref(b);
	g_byte_array_unref(cred);

	/* A REPLY sent to a server is dropped too. */
	b = call(2, AUTH_NONE, NULL, AUTH_NONE, 0);
	b->data[7] = REPLY;
	CU_ASSERT_EQUAL(decode(b, &h, &why), RPCMSG_DROP);
	g_byte_array_unref(b);
}

static void check_words(const uint8_t *got, size_t len, const uint32_t *want, size_t nwant)
{
	GByteArray *b = g_byte_array_new();
	size_t i;

	for (i = 0; i < nwant; i++)
		put(b, want[i]);
	CU_ASSERT_EQUAL(len, b->len);
	if (len == b->len)
		CU_ASSERT_EQUAL(memcmp(got, b->data, len), 0);
	g_byte_array_unref(b);
}

static void test_replies(void)
{
	uint8_t out[RPCMSG_REPLY_MAX];
	size_t n;

	n = rpcmsg_encode_accepted(out, 0x01020304, SUCCESS, 9, 9);
	check_words(out, n, (const uint32_t[]){ 0x01020304, 1, 0, 0, 0, 0 }, 6);
	n = rpcmsg_encode_accepted(out, 0x01020304, PROG_MISMATCH, 2, 4);
	check_words(out, n, (const uint32_t[]){ 0x01020304, 1, 0, 0, 0, 2, 2, 4 }, 8);
	n = rpcmsg_encode_accepted(out, 7, PROG_UNAVAIL, 0, 0);
	check_words(out, n, (const uint32_t[]){ 7, 1, 0, 0, 0, 1 }, 6);
	n = rpcmsg_encode_accepted(out, 7, PROC_UNAVAIL, 0, 0);
	check_words(out, n, (const uint32_t[]){ 7, 1, 0, 0, 0, 3 }, 6);
	n = rpcmsg_encode_accepted(out, 7, GARBAGE_ARGS, 0, 0);
	check_words(out, n, (const uint32_t[]){ 7, 1, 0, 0, 0, 4 }, 6);
	n = rpcmsg_encode_accepted(out, 7, SYSTEM_ERR, 0, 0);
	check_words(out, n, (const uint32_t[]){ 7, 1, 0, 0, 0, 5 }, 6);
	n = rpcmsg_encode_rpc_mismatch(out, 0xffffffff);
	check_words(out, n, (const uint32_t[]){ 0xffffffff, 1, 1, 0, 2, 2 }, 6);
	n = rpcmsg_encode_auth_error(out, 5, AUTH_BADCRED);
	check_words(out, n, (const uint32_t[]){ 5, 1, 1, 1, 1 }, 5);
	n = rpcmsg_encode_auth_error(out, 5, AUTH_TOOWEAK);
	check_words(out, n, (const uint32_t[]){ 5, 1, 1, 1, 5 }, 5);
}

static uint8_t *dup_bytes(const void *p, size_t n)
{
	uint8_t *d = g_malloc(n);

	memcpy(d, p, n);
	return d;
}

/* Mutated calls: every verdict is one of the four, and a CALL's arguments
 * start within the buffer (run under ASan this also checks every read). */
static void test_mutations(void)
{
	GByteArray *cred = authsys_body("client7", 7, 3);
	GByteArray *good = call(2, AUTH_SYS, cred, AUTH_NONE, 0);
	GRand *rnd = g_rand_new_with_seed(5531);
	struct rpc_call_hdr h;
	enum auth_stat why;
	unsigned i, bad = 0;

	for (i = 0; i < 200000; i++) {
		size_t len = g_rand_int_range(rnd, 0, good->len + 1);
		uint8_t *buf = dup_bytes(good->data, good->len), *cut;
		unsigned k, flips = g_rand_int_range(rnd, 1, 4);
		enum rpcmsg_verdict v;

		for (k = 0; k < flips; k++)
			buf[g_rand_int_range(rnd, 0, good->len)] = g_rand_int(rnd);
		/* A copy of exactly len bytes, so ASan sees any overread. */
		cut = dup_bytes(buf, len ? len : 1);

		v = rpcmsg_decode_call(cut, len, &h, &why);
		if (v > RPCMSG_AUTH_ERROR || (v == RPCMSG_CALL && h.args_off > len) ||
		    (v == RPCMSG_CALL && h.ngroups > RPCMSG_MAX_GIDS) ||
		    (v == RPCMSG_AUTH_ERROR && why == AUTH_OK))
			bad++;
		g_free(cut);
		g_free(buf);
	}
	CU_ASSERT_EQUAL(bad, 0);
	g_rand_free(rnd);
	g_byte_array_unref(good);
	g_byte_array_unref(cred);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("rpcmsg", NULL, NULL);
	CU_add_test(s, "AUTH_NONE call", test_auth_none);
	CU_add_test(s, "AUTH_SYS call", test_auth_sys);
	CU_add_test(s, "RPC version mismatch", test_rpc_mismatch);
	CU_add_test(s, "more than 16 groups with accept_long_groups", test_long_groups);
	CU_add_test(s, "bad credentials and verifiers", test_bad_credentials);
	CU_add_test(s, "truncated headers are dropped", test_truncated);
	CU_add_test(s, "reply headers byte for byte", test_replies);
	CU_add_test(s, "random mutations", test_mutations);
	return cunit_run();
}

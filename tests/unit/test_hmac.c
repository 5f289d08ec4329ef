/*
 * test_hmac.c — unit tests for SHA-256 and HMAC-SHA256 (lib/hmac.c, over
 * GNU Nettle).
 *
 * They give GLib's digests and HMACs (what signed file handles before
 * Nettle, so handles stay valid across the upgrade), for every length
 * from 0 to four blocks and more (so every padding case: the tail
 * fitting the length in its block or not), for keys shorter than,
 * exactly and longer than a block, with one prepared key serving
 * message after message and a copy of it serving as well; and the
 * FIPS 180-4 "abc" example.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <glib.h>
#include <string.h>

#include "hmac.h"
#include "cunit_main.h"

static uint8_t msg[301];

static int hmac_setup(void)
{
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 17);
	return 0;
}

static void test_sha256_against_glib(void)
{
	for (size_t len = 0; len < sizeof(msg); len++) {
		uint8_t want[32], got[32];
		gsize dlen = sizeof(want);
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);

		g_checksum_update(c, msg, (gssize)len);
		g_checksum_get_digest(c, want, &dlen);
		g_checksum_free(c);
		xl_sha256(msg, len, got);
		CU_ASSERT_EQUAL(memcmp(want, got, sizeof(got)), 0);
	}
}

/* GLib's HMAC-SHA256 of the @len bytes of msg under @keylen bytes. */
static void glib_hmac(const uint8_t *secret, size_t keylen, size_t len, uint8_t want[32])
{
	gsize dlen = 32;
	GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, secret, keylen);

	g_hmac_update(h, msg, (gssize)len);
	g_hmac_get_digest(h, want, &dlen);
	g_hmac_unref(h);
}

static void test_hmac_against_glib(void)
{
	static const size_t keylens[] = {1, 16, 32, 63, 64, 65, 100, 200};
	const uint8_t *secret = msg + 50; /* any bytes */

	for (size_t k = 0; k < G_N_ELEMENTS(keylens); k++) {
		struct xl_hmac_key key, copy;

		xl_hmac_key_init(&key, secret, keylens[k]);
		for (size_t len = 0; len < sizeof(msg); len++) {
			uint8_t want[32], got[32];

			glib_hmac(secret, keylens[k], len, want);
			xl_hmac(&key, msg, len, got);
			CU_ASSERT_EQUAL(memcmp(want, got, sizeof(got)), 0);
			/* a copy, taken after use, is the same key */
			copy = key;
			memset(got, 0, sizeof(got));
			xl_hmac(&copy, msg, len, got);
			CU_ASSERT_EQUAL(memcmp(want, got, sizeof(got)), 0);
		}
	}
}

/* A key prepared again, from another secret, forgets the first. */
static void test_hmac_key_again(void)
{
	struct xl_hmac_key key;
	uint8_t want[32], got[32];

	xl_hmac_key_init(&key, msg, 32);
	xl_hmac(&key, msg, 25, got);
	xl_hmac_key_init(&key, msg + 1, 32);
	xl_hmac(&key, msg, 25, got);
	glib_hmac(msg + 1, 32, 25, want);
	CU_ASSERT_EQUAL(memcmp(want, got, sizeof(got)), 0);
}

/* FIPS 180-4's example: SHA-256("abc"). */
static void test_sha256_abc(void)
{
	static const uint8_t want[32] = {
	    0xba, 0x78, 0x16, 0xbf, 0x8f, 0x01, 0xcf, 0xea, 0x41, 0x41, 0x40,
	    0xde, 0x5d, 0xae, 0x22, 0x23, 0xb0, 0x03, 0x61, 0xa3, 0x96, 0x17,
	    0x7a, 0x9c, 0xb4, 0x10, 0xff, 0x61, 0xf2, 0x00, 0x15, 0xad,
	};
	uint8_t got[32];

	xl_sha256("abc", 3, got);
	CU_ASSERT_EQUAL(memcmp(want, got, sizeof(got)), 0);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("hmac", hmac_setup, NULL);
	if (!s || !CU_add_test(s, "sha256 abc", test_sha256_abc) ||
	    !CU_add_test(s, "sha256 = glib", test_sha256_against_glib) ||
	    !CU_add_test(s, "hmac = glib", test_hmac_against_glib) ||
	    !CU_add_test(s, "key prepared again", test_hmac_key_again)) {
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run();
}

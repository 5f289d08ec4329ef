/*
 * test_hmac.c — unit tests for SHA-256 and HMAC-SHA256 (lib/hmac.c).
 *
 * Both block functions (the CPU's SHA instructions when it has them, and
 * the portable code) give GLib's digests and HMACs, for every length
 * from 0 to three blocks and more (so every padding case: the tail
 * fitting the length in its block or not), for keys shorter than,
 * exactly and longer than a block; and the FIPS 180-4 "abc" example.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <glib.h>
#include <string.h>

#include "hmac.h"
#include "cunit_main.h"

static uint8_t msg[300];

static int hmac_setup(void)
{
	for (size_t i = 0; i < sizeof(msg); i++)
		msg[i] = (uint8_t)(i * 131 + 17);
	return 0;
}

static int hmac_teardown(void)
{
	xl_sha256_set_accel(true);
	return 0;
}

static void sha256_against_glib(void)
{
	for (size_t len = 0; len <= sizeof(msg); len++) {
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

static void hmac_against_glib(void)
{
	static const size_t keylens[] = {1, 16, 32, 63, 64, 65, 100, 200};

	for (size_t k = 0; k < G_N_ELEMENTS(keylens); k++) {
		struct xl_hmac_key key;
		const uint8_t *secret = msg + 50; /* any bytes */

		xl_hmac_key_init(&key, secret, keylens[k]);
		for (size_t len = 0; len <= 200; len++) {
			uint8_t want[32], got[32];
			gsize dlen = sizeof(want);

			GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, secret, keylens[k]);

			g_hmac_update(h, msg, (gssize)len);
			g_hmac_get_digest(h, want, &dlen);
			g_hmac_unref(h);
			xl_hmac(&key, msg, len, got);
			CU_ASSERT_EQUAL(memcmp(want, got, sizeof(got)), 0);
		}
	}
}

/* FIPS 180-4's example: SHA-256("abc"). */
static void sha256_abc(void)
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

static void test_portable(void)
{
	CU_ASSERT_FALSE(xl_sha256_set_accel(false));
	sha256_abc();
	sha256_against_glib();
	hmac_against_glib();
}

/* With the CPU's instructions, when it has them (else portable again). */
static void test_accel(void)
{
	if (!xl_sha256_set_accel(true))
		fprintf(stderr, "(no SHA instructions: the portable code again) ");
	sha256_abc();
	sha256_against_glib();
	hmac_against_glib();
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("hmac", hmac_setup, hmac_teardown);
	if (!s || !CU_add_test(s, "portable", test_portable) ||
	    !CU_add_test(s, "accelerated", test_accel)) {
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run();
}

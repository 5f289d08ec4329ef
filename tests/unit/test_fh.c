/*
 * test_fh.c — unit tests for NFS file handles (xlators/nfs/server/fh.c).
 *
 * A handle built by the server parses back to the same export and gfid;
 * every way a handle can be damaged or forged (truncated, padded, a bit
 * flipped in the MAC or the gfid, another export id, a bad version, an
 * over-long gfid) is rejected with -EBADF; a handle of ours whose export
 * is gone, or signed with another secret (its key id), with -ESTALE.
 * Version 1 handles (before the key id) still parse.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "nfs_server.h"
#include "cunit_main.h"

static struct nfs_server srv;
static struct nfs_server other;   /* same exports, another secret */
static struct nfs_export defaults = { .root_squash = true, .anonuid = 65534, .anongid = 65534 };

static int fh_setup(void)
{
	char *msg = NULL;

	for (size_t i = 0; i < sizeof(srv.secret); i++) {
		srv.secret[i] = (uint8_t)g_random_int();
		other.secret[i] = srv.secret[i] ^ (i == 7 ? 0x10 : 0);
	}
	if (nfs_exports_parse("/ /data", &defaults, &srv.exports, &srv.nexports, &msg) < 0)
		return -1;
	other.exports = srv.exports;
	other.nexports = srv.nexports;
	return 0;
}

static int fh_teardown(void)
{
	nfs_exports_free(srv.exports, srv.nexports, defaults.clients);
	return 0;
}

static void fh_gfid(struct xl_gfid *g, uint8_t len)
{
	g->len = len;
	for (uint8_t i = 0; i < len; i++)
		g->bytes[i] = (uint8_t)(0xa0 + i * 7);
}

static int fh_parse(const struct nfs_server *s, const struct nfs_fh *fh)
{
	const struct nfs_export *e = NULL;
	struct xl_gfid g;

	return nfs_fh_parse(s, fh->data, fh->len, &e, &g);
}

static void test_round_trip(void)
{
	static const uint8_t lens[] = { 0, 1, 16, 39, XL_GFID_MAX };

	for (size_t i = 0; i < sizeof(lens); i++) {
		for (size_t x = 0; x < srv.nexports; x++) {
			const struct nfs_export *e = NULL;
			struct xl_gfid g, back;
			struct nfs_fh fh;

			fh_gfid(&g, lens[i]);
			nfs_fh_build(&srv, &srv.exports[x], &g, &fh);
			CU_ASSERT_EQUAL(fh.len, 10u + lens[i] + 12u);
			CU_ASSERT(fh.len <= NFS_FH_MAX);
			CU_ASSERT_EQUAL(fh.data[0], 2);
			CU_ASSERT_EQUAL(fh.data[1], lens[i]);
			memset(&back, 0xff, sizeof(back));
			CU_ASSERT_EQUAL(nfs_fh_parse(&srv, fh.data, fh.len, &e, &back), 0);
			CU_ASSERT_PTR_EQUAL(e, &srv.exports[x]);
			CU_ASSERT(xl_gfid_equal(&g, &back));
		}
	}
}

/* Handles are deterministic: the same object gives the same bytes, which
 * is what lets them survive a restart with the same secret. */
static void test_deterministic(void)
{
	struct nfs_fh a, b;
	struct xl_gfid g;

	fh_gfid(&g, 16);
	nfs_fh_build(&srv, &srv.exports[1], &g, &a);
	nfs_fh_build(&srv, &srv.exports[1], &g, &b);
	CU_ASSERT_EQUAL(a.len, b.len);
	CU_ASSERT_EQUAL(memcmp(a.data, b.data, a.len), 0);
	/* The export id is in the handle: another export, other bytes. */
	nfs_fh_build(&srv, &srv.exports[0], &g, &b);
	CU_ASSERT_NOT_EQUAL(memcmp(a.data, b.data, a.len), 0);
	CU_ASSERT_EQUAL(a.data[6] << 24 | a.data[7] << 16 | a.data[8] << 8 | a.data[9],
			(int)srv.exports[1].id);
}

/* The layout and the MAC are the documented ones: recompute the MAC. */
static void test_mac_is_hmac_sha256(void)
{
	uint8_t digest[32];
	gsize dlen = sizeof(digest);
	struct nfs_fh fh;
	struct xl_gfid g;
	GHmac *h;

	fh_gfid(&g, 20);
	nfs_fh_build(&srv, &srv.exports[0], &g, &fh);
	h = g_hmac_new(G_CHECKSUM_SHA256, srv.secret, sizeof(srv.secret));
	g_hmac_update(h, fh.data, 10 + 20);
	g_hmac_get_digest(h, digest, &dlen);
	g_hmac_unref(h);
	CU_ASSERT_EQUAL(memcmp(digest, fh.data + 30, 12), 0);
	/* the key id: the first 4 bytes of SHA-256(secret) */
	{
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);

		dlen = sizeof(digest);
		g_checksum_update(c, srv.secret, sizeof(srv.secret));
		g_checksum_get_digest(c, digest, &dlen);
		g_checksum_free(c);
		CU_ASSERT_EQUAL(memcmp(digest, fh.data + 2, 4), 0);
	}
}

static void test_truncated_and_padded(void)
{
	struct nfs_fh fh, bad;
	struct xl_gfid g;

	fh_gfid(&g, 16);
	nfs_fh_build(&srv, &srv.exports[0], &g, &fh);
	for (uint32_t len = 0; len < fh.len; len++) {
		bad = fh;
		bad.len = len;
		CU_ASSERT_EQUAL(fh_parse(&srv, &bad), -EBADF);
	}
	bad = fh;
	bad.data[fh.len] = 0;
	bad.len = fh.len + 1;
	CU_ASSERT_EQUAL(fh_parse(&srv, &bad), -EBADF);
	bad.len = NFS_FH_MAX;
	CU_ASSERT_EQUAL(fh_parse(&srv, &bad), -EBADF);
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), 0);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, NULL, 0, &(const struct nfs_export *){ NULL }, &g),
			-EBADF);
}

/* Flipping any single bit anywhere in the handle must be detected: as
 * BADHANDLE, but in the key id, which names a secret we do not have. */
static void test_every_bit_flip(void)
{
	struct nfs_fh fh, bad;
	struct xl_gfid g;
	unsigned rejected = 0, total = 0;

	fh_gfid(&g, 16);
	nfs_fh_build(&srv, &srv.exports[1], &g, &fh);
	for (uint32_t i = 0; i < fh.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			bad = fh;
			bad.data[i] ^= (uint8_t)(1u << bit);
			total++;
			if (fh_parse(&srv, &bad) == (i >= 2 && i < 6 ? -ESTALE : -EBADF))
				rejected++;
		}
	}
	CU_ASSERT_EQUAL(rejected, total);
}

static void test_bad_version(void)
{
	struct nfs_fh fh;
	struct xl_gfid g;

	fh_gfid(&g, 16);
	nfs_fh_build(&srv, &srv.exports[0], &g, &fh);
	fh.data[0] = 3;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
	fh.data[0] = 1;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
	fh.data[0] = 0;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
}

/* A correctly MACed handle naming an export the server does not have
 * (any more): STALE, so clients look the path up again. */
static void test_unknown_export(void)
{
	struct nfs_export gone = { .id = nfs_export_id("/gone"), .path = (char *)"/gone" };
	struct nfs_fh fh;
	struct xl_gfid g;

	fh_gfid(&g, 16);
	nfs_fh_build(&srv, &gone, &g, &fh);
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -ESTALE);
	/* the same with the MAC damaged: a forgery */
	fh.data[fh.len - 1] ^= 1;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
}

/* A version 1 handle (6-byte header, 16-byte MAC), as issued before the
 * key id, still parses; damaged it is BADHANDLE, for a gone export STALE. */
static uint32_t v1_build(uint8_t *data, uint32_t id, const struct xl_gfid *g)
{
	uint8_t digest[32];
	gsize dlen = sizeof(digest);
	GHmac *h;

	data[0] = 1;
	data[1] = g->len;
	data[2] = (uint8_t)(id >> 24);
	data[3] = (uint8_t)(id >> 16);
	data[4] = (uint8_t)(id >> 8);
	data[5] = (uint8_t)id;
	memcpy(data + 6, g->bytes, g->len);
	h = g_hmac_new(G_CHECKSUM_SHA256, srv.secret, sizeof(srv.secret));
	g_hmac_update(h, data, 6 + g->len);
	g_hmac_get_digest(h, digest, &dlen);
	g_hmac_unref(h);
	memcpy(data + 6 + g->len, digest, 16);
	return 6 + g->len + 16;
}

static void test_version1(void)
{
	uint8_t data[NFS_FH_MAX];
	const struct nfs_export *e = NULL;
	struct xl_gfid g, back;
	uint32_t len;

	fh_gfid(&g, 16);
	len = v1_build(data, srv.exports[1].id, &g);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &back), 0);
	CU_ASSERT_PTR_EQUAL(e, &srv.exports[1]);
	CU_ASSERT(xl_gfid_equal(&g, &back));
	CU_ASSERT_EQUAL(nfs_fh_parse(&other, data, len, &e, &back), -EBADF);
	data[len - 1] ^= 1;
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &back), -EBADF);
	len = v1_build(data, nfs_export_id("/gone"), &g);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &back), -ESTALE);
}

/* A correctly MACed handle whose gfid length byte exceeds XL_GFID_MAX. */
static void test_gfid_too_long(void)
{
	uint8_t data[6 + 41 + 16], digest[32];
	gsize dlen = sizeof(digest);
	const struct nfs_export *e;
	struct xl_gfid g;
	uint32_t id = srv.exports[0].id;
	GHmac *h;

	memset(data, 0x5a, sizeof(data));
	data[0] = 1;
	data[1] = 41;
	data[2] = (uint8_t)(id >> 24);
	data[3] = (uint8_t)(id >> 16);
	data[4] = (uint8_t)(id >> 8);
	data[5] = (uint8_t)id;
	h = g_hmac_new(G_CHECKSUM_SHA256, srv.secret, sizeof(srv.secret));
	g_hmac_update(h, data, 6 + 41);
	g_hmac_get_digest(h, digest, &dlen);
	g_hmac_unref(h);
	memcpy(data + 6 + 41, digest, 16);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, sizeof(data), &e, &g), -EBADF);
}

static void test_other_secret(void)
{
	struct nfs_fh fh;
	struct xl_gfid g;

	fh_gfid(&g, 16);
	/* signed by a secret that was replaced: STALE (its key id) */
	nfs_fh_build(&other, &other.exports[0], &g, &fh);
	CU_ASSERT_EQUAL(fh_parse(&other, &fh), 0);
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -ESTALE);
	nfs_fh_build(&srv, &srv.exports[0], &g, &fh);
	CU_ASSERT_EQUAL(fh_parse(&other, &fh), -ESTALE);
	/* our key id on another secret's MAC: a forgery */
	nfs_fh_build(&other, &other.exports[0], &g, &fh);
	{
		struct nfs_fh mine;

		nfs_fh_build(&srv, &srv.exports[0], &g, &mine);
		memcpy(fh.data + 2, mine.data + 2, 4);
	}
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("fh", fh_setup, fh_teardown);
	if (!s || !CU_add_test(s, "round trip", test_round_trip) ||
	    !CU_add_test(s, "deterministic", test_deterministic) ||
	    !CU_add_test(s, "MAC is HMAC-SHA256", test_mac_is_hmac_sha256) ||
	    !CU_add_test(s, "truncated and padded", test_truncated_and_padded) ||
	    !CU_add_test(s, "every bit flip", test_every_bit_flip) ||
	    !CU_add_test(s, "bad version", test_bad_version) ||
	    !CU_add_test(s, "unknown export", test_unknown_export) ||
	    !CU_add_test(s, "gfid too long", test_gfid_too_long) ||
	    !CU_add_test(s, "version 1 handles", test_version1) ||
	    !CU_add_test(s, "other secret", test_other_secret)) {
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run();
}

/*
 * test_fh.c — unit tests for NFS file handles (xlators/nfs/server/fh.c).
 *
 * A handle built by the server parses back to the same export and object
 * id; every way a handle can be damaged or forged (truncated, padded, a
 * bit flipped in the MAC, the id or the export id, a bad version, the
 * current key id on another secret's MAC) is rejected with -EBADF; a
 * handle of ours whose export is gone, one signed with another secret
 * (its key id), and a version 1 or 2 handle this server issued (before
 * the key id) are -ESTALE. Handles are byte for byte those GLib's
 * HMAC-SHA256 gives (as the server made them before lib/hmac.c and
 * Nettle), in any thread, after a change of secret too, even to one with
 * the same key id (the MACs a thread keeps are dropped with the secret).
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

static void fh_id(struct xl_id *id, uint8_t seed)
{
	for (uint8_t i = 0; i < sizeof(id->bytes); i++)
		id->bytes[i] = (uint8_t)(seed + i * 7);
}

static int fh_parse(const struct nfs_server *s, const struct nfs_fh *fh)
{
	const struct nfs_export *e = NULL;
	struct xl_id id;

	return nfs_fh_parse(s, fh->data, fh->len, &e, &id);
}

static void test_round_trip(void)
{
	static const uint8_t seeds[] = { 0, 1, 0xa0, 0xff };
	struct xl_id ids[6];

	for (size_t i = 0; i < sizeof(seeds); i++)
		fh_id(&ids[i], seeds[i]);
	ids[4] = XL_ID_ROOT;
	xl_id_generate(&ids[5]);
	for (size_t i = 0; i < G_N_ELEMENTS(ids); i++) {
		for (size_t x = 0; x < srv.nexports; x++) {
			const struct nfs_export *e = NULL;
			struct xl_id back;
			struct nfs_fh fh;

			nfs_fh_build(&srv, &srv.exports[x], &ids[i], &fh);
			CU_ASSERT_EQUAL(fh.len, 1u + 4u + 4u + 16u + 16u);
			CU_ASSERT(fh.len <= NFS_FH_MAX);
			CU_ASSERT_EQUAL(fh.data[0], 3);
			CU_ASSERT_EQUAL(memcmp(fh.data + 9, ids[i].bytes, 16), 0);
			memset(&back, 0xff, sizeof(back));
			CU_ASSERT_EQUAL(nfs_fh_parse(&srv, fh.data, fh.len, &e, &back), 0);
			CU_ASSERT_PTR_EQUAL(e, &srv.exports[x]);
			CU_ASSERT(xl_id_equal(&ids[i], &back));
		}
	}
}

/* Handles are deterministic: the same object gives the same bytes, which
 * is what lets them survive a restart with the same secret. */
static void test_deterministic(void)
{
	struct nfs_fh a, b;
	struct xl_id g;

	fh_id(&g, 16);
	nfs_fh_build(&srv, &srv.exports[1], &g, &a);
	nfs_fh_build(&srv, &srv.exports[1], &g, &b);
	CU_ASSERT_EQUAL(a.len, b.len);
	CU_ASSERT_EQUAL(memcmp(a.data, b.data, a.len), 0);
	/* The export id is in the handle: another export, other bytes. */
	nfs_fh_build(&srv, &srv.exports[0], &g, &b);
	CU_ASSERT_NOT_EQUAL(memcmp(a.data, b.data, a.len), 0);
	CU_ASSERT_EQUAL(a.data[5] << 24 | a.data[6] << 16 | a.data[7] << 8 | a.data[8],
			(int)srv.exports[1].id);
}

/* The layout and the MAC are the documented ones: recompute the MAC. */
static void test_mac_is_hmac_sha256(void)
{
	uint8_t digest[32];
	gsize dlen = sizeof(digest);
	struct nfs_fh fh;
	struct xl_id g;
	GHmac *h;

	fh_id(&g, 20);
	nfs_fh_build(&srv, &srv.exports[0], &g, &fh);
	h = g_hmac_new(G_CHECKSUM_SHA256, srv.secret, sizeof(srv.secret));
	g_hmac_update(h, fh.data, 9 + 16);
	g_hmac_get_digest(h, digest, &dlen);
	g_hmac_unref(h);
	CU_ASSERT_EQUAL(memcmp(digest, fh.data + 25, 16), 0);
	/* the key id: the first 4 bytes of SHA-256(secret) */
	{
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);

		dlen = sizeof(digest);
		g_checksum_update(c, srv.secret, sizeof(srv.secret));
		g_checksum_get_digest(c, digest, &dlen);
		g_checksum_free(c);
		CU_ASSERT_EQUAL(memcmp(digest, fh.data + 1, 4), 0);
	}
}

static void test_truncated_and_padded(void)
{
	struct nfs_fh fh, bad;
	struct xl_id g;

	fh_id(&g, 16);
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

/* Flipping any single bit anywhere in the handle must be detected: in
 * the key id (bytes 1-4) it reads as another secret's handle (STALE),
 * anywhere else as not ours (BADHANDLE). */
static void test_every_bit_flip(void)
{
	struct nfs_fh fh, bad;
	struct xl_id g;
	unsigned rejected = 0, total = 0;
	int want;

	fh_id(&g, 16);
	nfs_fh_build(&srv, &srv.exports[1], &g, &fh);
	for (uint32_t i = 0; i < fh.len; i++) {
		for (int bit = 0; bit < 8; bit++) {
			bad = fh;
			bad.data[i] ^= (uint8_t)(1u << bit);
			total++;
			want = i >= 1 && i < 5 ? -ESTALE : -EBADF;
			if (fh_parse(&srv, &bad) == want)
				rejected++;
		}
	}
	CU_ASSERT_EQUAL(rejected, total);
}

static void test_bad_version(void)
{
	struct nfs_fh fh;
	struct xl_id g;

	fh_id(&g, 16);
	nfs_fh_build(&srv, &srv.exports[0], &g, &fh);
	fh.data[0] = 4;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
	fh.data[0] = 2;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
	fh.data[0] = 1;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
	fh.data[0] = 0;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
}

/* A correctly MACed handle naming an export the server does not have:
 * ours, for an export since removed (STALE); its MAC damaged, a forgery. */
static void test_unknown_export(void)
{
	struct nfs_export gone = { .id = nfs_export_id("/gone"), .path = (char *)"/gone" };
	struct nfs_fh fh;
	struct xl_id g;

	fh_id(&g, 16);
	nfs_fh_build(&srv, &gone, &g, &fh);
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -ESTALE);
	fh.data[fh.len - 1] ^= 1;
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
}

/* A version 1 handle ([1][n][export id][gfid, n][MAC]) as the server
 * issued them before ids: its MAC intact, it is stale (the client mounts
 * again); damaged or with n > 40, bad. */
static size_t fh_v1(const struct nfs_server *s, uint8_t n, uint8_t *data)
{
	uint8_t digest[32];
	gsize dlen = sizeof(digest);
	uint32_t id = srv.exports[0].id;
	GHmac *h;

	memset(data, 0x5a, 6u + n + 16u);
	data[0] = 1;
	data[1] = n;
	data[2] = (uint8_t)(id >> 24);
	data[3] = (uint8_t)(id >> 16);
	data[4] = (uint8_t)(id >> 8);
	data[5] = (uint8_t)id;
	h = g_hmac_new(G_CHECKSUM_SHA256, s->secret, sizeof(s->secret));
	g_hmac_update(h, data, 6u + n);
	g_hmac_get_digest(h, digest, &dlen);
	g_hmac_unref(h);
	memcpy(data + 6 + n, digest, 16);
	return 6u + n + 16u;
}

static void test_v1_is_stale(void)
{
	uint8_t data[6 + 41 + 16];
	const struct nfs_export *e;
	struct xl_id g;
	size_t len;

	/* posix's old 8-byte kernel handles and the longest old ids */
	len = fh_v1(&srv, 8, data);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -ESTALE);
	len = fh_v1(&srv, 40, data);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -ESTALE);
	/* 21 bytes of old id make a v1 handle as long as a v2 one */
	len = fh_v1(&srv, 15, data);
	CU_ASSERT_EQUAL(len, 37u);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -ESTALE);
	/* not ours: another secret, a damaged MAC, an impossible length */
	len = fh_v1(&other, 8, data);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -EBADF);
	len = fh_v1(&srv, 8, data);
	data[len - 1] ^= 1;
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -EBADF);
	len = fh_v1(&srv, 41, data);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -EBADF);
}

/* A version 2 handle ([2][export id][id, 16][MAC, 16], no key id) as the
 * server issued them before the key id: its MAC intact under the current
 * secret, stale; under another secret or damaged, bad. */
static size_t fh_v2(const struct nfs_server *s, uint32_t eid, uint8_t *data)
{
	uint8_t digest[32];
	gsize dlen = sizeof(digest);
	struct xl_id g;
	GHmac *h;

	fh_id(&g, 16);
	data[0] = 2;
	data[1] = (uint8_t)(eid >> 24);
	data[2] = (uint8_t)(eid >> 16);
	data[3] = (uint8_t)(eid >> 8);
	data[4] = (uint8_t)eid;
	memcpy(data + 5, g.bytes, 16);
	h = g_hmac_new(G_CHECKSUM_SHA256, s->secret, sizeof(s->secret));
	g_hmac_update(h, data, 5 + 16);
	g_hmac_get_digest(h, digest, &dlen);
	g_hmac_unref(h);
	memcpy(data + 21, digest, 16);
	return 37;
}

static void test_v2_is_stale(void)
{
	uint8_t data[37];
	const struct nfs_export *e;
	struct xl_id g;
	size_t len;

	len = fh_v2(&srv, srv.exports[1].id, data);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -ESTALE);
	len = fh_v2(&other, srv.exports[1].id, data);
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -EBADF);
	len = fh_v2(&srv, srv.exports[1].id, data);
	data[len - 1] ^= 1;
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -EBADF);
	data[len - 1] ^= 1;
	data[7] ^= 1;
	CU_ASSERT_EQUAL(nfs_fh_parse(&srv, data, len, &e, &g), -EBADF);
}

static void test_other_secret(void)
{
	struct nfs_fh fh, mine;
	struct xl_id g;

	fh_id(&g, 16);
	/* signed by a secret that was replaced: STALE (its key id) */
	nfs_fh_build(&other, &other.exports[0], &g, &fh);
	CU_ASSERT_EQUAL(fh_parse(&other, &fh), 0);
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -ESTALE);
	nfs_fh_build(&srv, &srv.exports[0], &g, &fh);
	CU_ASSERT_EQUAL(fh_parse(&other, &fh), -ESTALE);
	/* our key id on another secret's MAC: a forgery */
	nfs_fh_build(&other, &other.exports[0], &g, &fh);
	nfs_fh_build(&srv, &srv.exports[0], &g, &mine);
	memcpy(fh.data + 1, mine.data + 1, 4);
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -EBADF);
}

/* A version 3 handle as the server signed it with GLib's HMAC before the
 * key was prepared per thread: [3][key id][export id][id][MAC]. */
static void fh_glib(const uint8_t secret[32], uint32_t export_id, const struct xl_id *g,
		    uint8_t out[41])
{
	gsize dlen = 32;
	uint8_t digest[32];
	GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);

	g_checksum_update(c, secret, 32);
	g_checksum_get_digest(c, digest, &dlen);
	g_checksum_free(c);
	out[0] = 3;
	memcpy(out + 1, digest, 4);
	out[5] = (uint8_t)(export_id >> 24);
	out[6] = (uint8_t)(export_id >> 16);
	out[7] = (uint8_t)(export_id >> 8);
	out[8] = (uint8_t)export_id;
	memcpy(out + 9, g->bytes, 16);
	{
		GBytes *key = g_bytes_new(secret, 32), *data = g_bytes_new(out, 25);
		gchar *hex = g_compute_hmac_for_bytes(G_CHECKSUM_SHA256, key, data);

		/* the hex digest back to bytes */
		for (int i = 0; i < 16; i++)
			out[25 + i] = (uint8_t)(g_ascii_xdigit_value(hex[2 * i]) << 4 |
						g_ascii_xdigit_value(hex[2 * i + 1]));
		g_free(hex);
		g_bytes_unref(key);
		g_bytes_unref(data);
	}
}

/* Handles are the same bytes GLib's HMAC gives, whichever of two secrets
 * signed the last one in this thread (the prepared key follows the
 * secret), and those bytes parse. */
static void test_same_bytes_as_glib(void)
{
	for (int round = 0; round < 6; round++) {
		const struct nfs_server *s = round % 2 ? &other : &srv;
		uint8_t want[41];
		struct nfs_fh fh;
		struct xl_id g;

		fh_id(&g, (uint8_t)(40 + round));
		fh_glib(s->secret, s->exports[round % 3 == 0].id, &g, want);
		nfs_fh_build(s, &s->exports[round % 3 == 0], &g, &fh);
		CU_ASSERT_EQUAL(fh.len, sizeof(want));
		CU_ASSERT_EQUAL(memcmp(fh.data, want, sizeof(want)), 0);
		CU_ASSERT_EQUAL(fh_parse(s, &fh), 0);
		CU_ASSERT_EQUAL(fh_parse(s == &srv ? &other : &srv, &fh), -ESTALE);
	}
}

static gpointer fh_thread_build(gpointer data)
{
	struct nfs_fh *fh = data;
	struct xl_id g;

	fh_id(&g, 60);
	nfs_fh_build(&other, &other.exports[1], &g, fh);
	return NULL;
}

/* A handle another thread built (its own prepared key) parses here, and
 * is GLib's bytes. */
static void test_other_thread(void)
{
	uint8_t want[41];
	struct nfs_fh fh;
	struct xl_id g;
	GThread *t;

	fh_id(&g, 60);
	nfs_fh_build(&srv, &srv.exports[1], &g, &fh); /* this thread's key: srv's */
	t = g_thread_new("fh", fh_thread_build, &fh);
	g_thread_join(t);
	fh_glib(other.secret, other.exports[1].id, &g, want);
	CU_ASSERT_EQUAL(memcmp(fh.data, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(fh_parse(&other, &fh), 0);
	CU_ASSERT_EQUAL(fh_parse(&srv, &fh), -ESTALE);
}

/* Two secrets whose key ids are the same (the first 4 bytes of their
 * SHA-256), found by a birthday search: 2^16 or so tries. */
static void fh_keyid_twins(uint8_t a[32], uint8_t b[32])
{
	GHashTable *seen = g_hash_table_new_full(g_int_hash, g_int_equal, g_free, g_free);
	GRand *r = g_rand_new_with_seed(8);

	for (;;) {
		uint8_t secret[32], digest[32];
		gsize dlen = sizeof(digest);
		GChecksum *c = g_checksum_new(G_CHECKSUM_SHA256);
		gint key;
		uint8_t *had;

		for (size_t i = 0; i < sizeof(secret); i++)
			secret[i] = (uint8_t)g_rand_int(r);
		g_checksum_update(c, secret, sizeof(secret));
		g_checksum_get_digest(c, digest, &dlen);
		g_checksum_free(c);
		memcpy(&key, digest, sizeof(key));
		had = g_hash_table_lookup(seen, &key);
		if (had && memcmp(had, secret, 32) != 0) {
			memcpy(a, had, 32);
			memcpy(b, secret, 32);
			break;
		}
		{
			gint *k = g_new(gint, 1);
			uint8_t *v = g_malloc(32);

			*k = key;
			memcpy(v, secret, 32);
			g_hash_table_insert(seen, k, v);
		}
	}
	g_rand_free(r);
	g_hash_table_destroy(seen);
}

/* The MACs a thread keeps are its secret's: with another secret of the
 * same key id, a handle the first signed (its MAC kept) is a forgery,
 * and the same object's handle is the second secret's bytes. */
static void test_kept_macs_follow_the_secret(void)
{
	struct nfs_server a = srv, b = srv;
	uint8_t want[41];
	struct nfs_fh fh, fb;
	struct xl_id g;

	fh_keyid_twins(a.secret, b.secret);
	fh_id(&g, 70);
	nfs_fh_build(&a, &a.exports[1], &g, &fh);
	CU_ASSERT_EQUAL(fh_parse(&a, &fh), 0);
	CU_ASSERT_EQUAL(fh_parse(&b, &fh), -EBADF);
	nfs_fh_build(&b, &b.exports[1], &g, &fb);
	CU_ASSERT_EQUAL(memcmp(fh.data, fb.data, 25), 0); /* the same signed bytes */
	fh_glib(b.secret, b.exports[1].id, &g, want);
	CU_ASSERT_EQUAL(memcmp(fb.data, want, sizeof(want)), 0);
	CU_ASSERT_EQUAL(fh_parse(&a, &fb), -EBADF);
	CU_ASSERT_EQUAL(fh_parse(&a, &fh), 0);
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
	    !CU_add_test(s, "version 1 is stale", test_v1_is_stale) ||
	    !CU_add_test(s, "version 2 is stale", test_v2_is_stale) ||
	    !CU_add_test(s, "other secret", test_other_secret) ||
	    !CU_add_test(s, "same bytes as GLib's HMAC", test_same_bytes_as_glib) ||
	    !CU_add_test(s, "built in another thread", test_other_thread) ||
	    !CU_add_test(s, "kept MACs follow the secret", test_kept_macs_follow_the_secret)) {
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run();
}

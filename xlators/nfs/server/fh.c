/*
 * fh.c — NFS file handles: build them, and check the ones clients send.
 *
 * A handle names an object within an export and proves the server issued
 * it. Layout, version 2 (all sizes in bytes):
 *
 *   [version = 2][gfid length n][key id, 4][export id, 4, big endian]
 *   [gfid, n][MAC, 12]
 *
 * key id = the first 4 bytes of SHA-256(secret): which secret signed the
 * handle. MAC = the first 12 bytes of HMAC-SHA256 keyed with the server
 * secret (state-dir/fh-secret) over everything before it (96 bits, so
 * that the 4 key id bytes fit in NFS3's 64 with a 40-byte gfid: 22 + n).
 * Handles therefore survive restarts (same secret, same export ids,
 * stable gfids) and renames, and a handle the server did not issue is
 * rejected rather than resolved. The length must be exact.
 *
 * What a bad handle answers (the client recovers from STALE by looking
 * the path up again; BADHANDLE says "not ours"):
 *   - malformed (length, version, gfid length)        -EBADF  BADHANDLE
 *   - a key id that is not the current secret's        -ESTALE STALE
 *     (signed before fh-secret was replaced; a forger can reach this
 *     answer too, but nothing more)
 *   - the current key id and a MAC that does not match -EBADF  BADHANDLE
 *   - a good MAC, an export id no export has (removed) -ESTALE STALE
 *
 * Version 1 handles ([1][n][export id][gfid][MAC 16], no key id), issued
 * before version 2, are still accepted: bad MAC → BADHANDLE, good MAC and
 * unknown export → STALE.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "nfs_server.h"

#define NFS_FH_VERSION 2
#define NFS_FH_HDR 10   /* version, gfid length, key id, export id */
#define NFS_FH_KEYID 4
#define NFS_FH_MAC 12
#define NFS_FH_V1 1
#define NFS_FH_V1_HDR 6
#define NFS_FH_V1_MAC 16

static void nfs_fh_mac(const struct nfs_server *srv, const uint8_t *data, size_t len,
		       uint8_t *mac, size_t maclen)
{
	GHmac *hmac = g_hmac_new(G_CHECKSUM_SHA256, srv->secret, sizeof(srv->secret));
	uint8_t digest[32];
	gsize dlen = sizeof(digest);

	g_hmac_update(hmac, data, len);
	g_hmac_get_digest(hmac, digest, &dlen);
	g_hmac_unref(hmac);
	memcpy(mac, digest, maclen);
}

/* The current secret's key id: the first 4 bytes of its SHA-256. */
static void nfs_fh_keyid(const struct nfs_server *srv, uint8_t id[NFS_FH_KEYID])
{
	GChecksum *sum = g_checksum_new(G_CHECKSUM_SHA256);
	uint8_t digest[32];
	gsize dlen = sizeof(digest);

	g_checksum_update(sum, srv->secret, sizeof(srv->secret));
	g_checksum_get_digest(sum, digest, &dlen);
	g_checksum_free(sum);
	memcpy(id, digest, NFS_FH_KEYID);
}

/* Compare without an early exit, so timing says nothing about where the
 * first difference is. */
static bool nfs_fh_mac_equal(const uint8_t *a, const uint8_t *b, size_t len)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < len; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

static void nfs_fh_put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
}

static uint32_t nfs_fh_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void nfs_fh_build(const struct nfs_server *srv, const struct nfs_export *e,
		  const struct xl_gfid *gfid, struct nfs_fh *fh)
{
	size_t n = gfid->len <= XL_GFID_MAX ? gfid->len : XL_GFID_MAX;
	uint8_t *p = fh->data;

	p[0] = NFS_FH_VERSION;
	p[1] = (uint8_t)n;
	nfs_fh_keyid(srv, p + 2);
	nfs_fh_put32(p + 6, e->id);
	memcpy(p + NFS_FH_HDR, gfid->bytes, n);
	nfs_fh_mac(srv, p, NFS_FH_HDR + n, p + NFS_FH_HDR + n, NFS_FH_MAC);
	fh->len = NFS_FH_HDR + n + NFS_FH_MAC;
}

/* Check the MAC of a handle of @hdr header bytes, @n gfid bytes and a
 * @maclen-byte MAC (the length is known right), then find its export. */
static int nfs_fh_check(const struct nfs_server *srv, const uint8_t *data, size_t hdr,
			size_t n, size_t maclen, uint32_t id, const struct nfs_export **export,
			struct xl_gfid *gfid)
{
	uint8_t mac[NFS_FH_V1_MAC];
	const struct nfs_export *e;

	nfs_fh_mac(srv, data, hdr + n, mac, maclen);
	if (!nfs_fh_mac_equal(mac, data + hdr + n, maclen))
		return -EBADF;
	e = nfs_export_by_id(srv, id);
	if (!e)
		return -ESTALE; /* ours, for an export that is gone */
	*export = e;
	gfid->len = (uint8_t)n;
	memcpy(gfid->bytes, data + hdr, n);
	return 0;
}

int nfs_fh_parse(const struct nfs_server *srv, const uint8_t *data, size_t len,
		 const struct nfs_export **export, struct xl_gfid *gfid)
{
	uint8_t keyid[NFS_FH_KEYID];
	size_t n;

	if (!data || len < 2)
		return -EBADF;
	n = data[1];
	if (n > XL_GFID_MAX)
		return -EBADF;
	if (data[0] == NFS_FH_V1) {
		if (len != NFS_FH_V1_HDR + n + NFS_FH_V1_MAC)
			return -EBADF;
		return nfs_fh_check(srv, data, NFS_FH_V1_HDR, n, NFS_FH_V1_MAC,
				    nfs_fh_get32(data + 2), export, gfid);
	}
	if (data[0] != NFS_FH_VERSION || len != NFS_FH_HDR + n + NFS_FH_MAC)
		return -EBADF;
	nfs_fh_keyid(srv, keyid);
	if (memcmp(keyid, data + 2, NFS_FH_KEYID) != 0)
		return -ESTALE; /* signed with a secret we no longer have */
	return nfs_fh_check(srv, data, NFS_FH_HDR, n, NFS_FH_MAC, nfs_fh_get32(data + 6), export,
			    gfid);
}

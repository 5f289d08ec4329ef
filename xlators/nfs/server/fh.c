/*
 * fh.c — NFS file handles: build them, and check the ones clients send.
 *
 * A handle names an object within an export and proves the server issued
 * it. Layout (all sizes in bytes):
 *
 *   [version = 1][gfid length n][export id, 4, big endian][gfid, n][MAC, 16]
 *
 * MAC = the first 16 bytes of HMAC-SHA256 keyed with the server secret
 * (state-dir/fh-secret) over everything before it. Handles therefore
 * survive restarts (same secret, same export ids, stable gfids) and
 * renames, and a handle the server did not issue is rejected rather than
 * resolved. The length must be exact: truncated or padded handles fail.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "nfs_server.h"

#define NFS_FH_VERSION 1
#define NFS_FH_HDR 6   /* version, gfid length, export id */
#define NFS_FH_MAC 16

static void nfs_fh_mac(const struct nfs_server *srv, const uint8_t *data, size_t len,
		       uint8_t mac[NFS_FH_MAC])
{
	GHmac *hmac = g_hmac_new(G_CHECKSUM_SHA256, srv->secret, sizeof(srv->secret));
	uint8_t digest[32];
	gsize dlen = sizeof(digest);

	g_hmac_update(hmac, data, len);
	g_hmac_get_digest(hmac, digest, &dlen);
	g_hmac_unref(hmac);
	memcpy(mac, digest, NFS_FH_MAC);
}

/* Compare without an early exit, so timing says nothing about where the
 * first difference is. */
static bool nfs_fh_mac_equal(const uint8_t *a, const uint8_t *b)
{
	uint8_t diff = 0;

	for (size_t i = 0; i < NFS_FH_MAC; i++)
		diff |= a[i] ^ b[i];
	return diff == 0;
}

void nfs_fh_build(const struct nfs_server *srv, const struct nfs_export *e,
		  const struct xl_gfid *gfid, struct nfs_fh *fh)
{
	size_t n = gfid->len <= XL_GFID_MAX ? gfid->len : XL_GFID_MAX;
	uint8_t *p = fh->data;

	p[0] = NFS_FH_VERSION;
	p[1] = (uint8_t)n;
	p[2] = (uint8_t)(e->id >> 24);
	p[3] = (uint8_t)(e->id >> 16);
	p[4] = (uint8_t)(e->id >> 8);
	p[5] = (uint8_t)e->id;
	memcpy(p + NFS_FH_HDR, gfid->bytes, n);
	nfs_fh_mac(srv, p, NFS_FH_HDR + n, p + NFS_FH_HDR + n);
	fh->len = NFS_FH_HDR + n + NFS_FH_MAC;
}

int nfs_fh_parse(const struct nfs_server *srv, const uint8_t *data, size_t len,
		 const struct nfs_export **export, struct xl_gfid *gfid)
{
	uint8_t mac[NFS_FH_MAC];
	const struct nfs_export *e;
	size_t n;
	uint32_t id;

	if (!data || len < NFS_FH_HDR + NFS_FH_MAC || data[0] != NFS_FH_VERSION)
		return -EBADF;
	n = data[1];
	if (n > XL_GFID_MAX || len != NFS_FH_HDR + n + NFS_FH_MAC)
		return -EBADF;
	nfs_fh_mac(srv, data, NFS_FH_HDR + n, mac);
	if (!nfs_fh_mac_equal(mac, data + NFS_FH_HDR + n))
		return -EBADF;
	id = (uint32_t)data[2] << 24 | (uint32_t)data[3] << 16 | (uint32_t)data[4] << 8 |
	     data[5];
	e = nfs_export_by_id(srv, id);
	if (!e)
		return -EBADF;
	*export = e;
	gfid->len = (uint8_t)n;
	memcpy(gfid->bytes, data + NFS_FH_HDR, n);
	return 0;
}

/*
 * fh.c — NFS file handles: build them, and check the ones clients send.
 *
 * A handle names an object within an export and proves the server issued
 * it. Layout, version 2 (all sizes in bytes, 37 in all):
 *
 *   [version = 2][export id, 4, big endian][object id, 16][MAC, 16]
 *
 * The object id is the translator contract's struct xl_id, chosen above
 * storage and persisted by it, so a handle survives restarts, renames and
 * a copy of the store to another disk. MAC = the first 16 bytes of
 * HMAC-SHA256 keyed with the server secret (state-dir/fh-secret) over
 * everything before it: a handle the server did not issue is rejected
 * rather than resolved. 128 bits are kept (not fewer) because a client
 * may try forgeries as fast as the server answers, for as long as it
 * likes; the handle stays far below NFSv3's 64-byte limit anyway. The
 * length must be exact: truncated or padded handles fail.
 *
 * Version 1 handles (storage-chosen ids of up to 40 bytes, before ids
 * came from above storage) are recognised by their intact MAC and
 * answered as stale: the object may still exist, but nothing maps the
 * old id to the new one. Clients mount again once.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "nfs_server.h"

#define NFS_FH_VERSION 2
#define NFS_FH_ID 16
#define NFS_FH_MAC 16
#define NFS_FH_HDR 5   /* version, export id */
#define NFS_FH_LEN (NFS_FH_HDR + NFS_FH_ID + NFS_FH_MAC)

/* Version 1: [1][id length n ≤ 40][export id, 4][id, n][MAC, 16]. */
#define NFS_FH_V1 1
#define NFS_FH_V1_HDR 6
#define NFS_FH_V1_IDMAX 40

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

/* Does the MAC at @data + @len match the bytes before it? Compared
 * without an early exit, so timing says nothing about where the first
 * difference is. */
static bool nfs_fh_mac_ok(const struct nfs_server *srv, const uint8_t *data, size_t len)
{
	uint8_t mac[NFS_FH_MAC], diff = 0;

	nfs_fh_mac(srv, data, len, mac);
	for (size_t i = 0; i < NFS_FH_MAC; i++)
		diff |= mac[i] ^ data[len + i];
	return diff == 0;
}

void nfs_fh_build(const struct nfs_server *srv, const struct nfs_export *e,
		  const struct xl_id *id, struct nfs_fh *fh)
{
	uint8_t *p = fh->data;

	p[0] = NFS_FH_VERSION;
	p[1] = (uint8_t)(e->id >> 24);
	p[2] = (uint8_t)(e->id >> 16);
	p[3] = (uint8_t)(e->id >> 8);
	p[4] = (uint8_t)e->id;
	memcpy(p + NFS_FH_HDR, id->bytes, NFS_FH_ID);
	nfs_fh_mac(srv, p, NFS_FH_HDR + NFS_FH_ID, p + NFS_FH_HDR + NFS_FH_ID);
	fh->len = NFS_FH_LEN;
}

/* A version 1 handle this server issued? (Then it is stale, not bad.) */
static bool nfs_fh_is_v1(const struct nfs_server *srv, const uint8_t *data, size_t len)
{
	size_t n;

	if (len < NFS_FH_V1_HDR + NFS_FH_MAC || data[0] != NFS_FH_V1)
		return false;
	n = data[1];
	if (n > NFS_FH_V1_IDMAX || len != NFS_FH_V1_HDR + n + NFS_FH_MAC)
		return false;
	return nfs_fh_mac_ok(srv, data, NFS_FH_V1_HDR + n);
}

int nfs_fh_parse(const struct nfs_server *srv, const uint8_t *data, size_t len,
		 const struct nfs_export **export, struct xl_id *id)
{
	const struct nfs_export *e;
	uint32_t eid;

	if (!data)
		return -EBADF;
	if (len != NFS_FH_LEN || data[0] != NFS_FH_VERSION)
		return nfs_fh_is_v1(srv, data, len) ? -ESTALE : -EBADF;
	if (!nfs_fh_mac_ok(srv, data, NFS_FH_HDR + NFS_FH_ID))
		return -EBADF;
	eid = (uint32_t)data[1] << 24 | (uint32_t)data[2] << 16 | (uint32_t)data[3] << 8 |
	      data[4];
	e = nfs_export_by_id(srv, eid);
	if (!e)
		return -EBADF;
	*export = e;
	memcpy(id->bytes, data + NFS_FH_HDR, NFS_FH_ID);
	return 0;
}

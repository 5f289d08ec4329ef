/*
 * fh.c — NFS file handles: build them, and check the ones clients send.
 *
 * A handle names an object within an export and proves the server issued
 * it. Layout, version 3 (all sizes in bytes, 41 in all):
 *
 *   [version = 3][key id, 4][export id, 4, big endian][object id, 16][MAC, 16]
 *
 * The object id is the translator contract's struct xl_id, chosen above
 * storage and persisted by it, so a handle survives restarts, renames and
 * a copy of the store to another disk. key id = the first 4 bytes of
 * SHA-256(secret): which secret signed the handle. MAC = the first 16
 * bytes of HMAC-SHA256 keyed with the server secret (state-dir/fh-secret)
 * over everything before it (lib/hmac.h over GNU Nettle, the key
 * prepared once per thread, the last MACs kept per thread): a handle the
 * server did not issue is rejected rather than resolved. 128 bits are
 * kept (not fewer) because a client may try forgeries as fast as the
 * server answers, for as long as it likes; the handle stays far below
 * NFSv3's 64-byte limit anyway. The length must be exact: truncated or
 * padded handles fail.
 *
 * What a bad handle answers (the client recovers from STALE by looking
 * the path up again; BADHANDLE says "not ours"):
 *   - malformed (length, version)                      -EBADF  BADHANDLE
 *   - a key id that is not the current secret's        -ESTALE STALE
 *     (signed before fh-secret was replaced; a forger can reach this
 *     answer too, but nothing more)
 *   - the current key id and a MAC that does not match -EBADF  BADHANDLE
 *   - a good MAC, an export id no export has (removed) -ESTALE STALE
 *
 * Older handles, recognised by a MAC intact under the current secret and
 * then answered as stale (the object may still exist, but the client must
 * look it up again; otherwise BADHANDLE):
 *   - version 2, [2][export id, 4][object id, 16][MAC, 16], 37 bytes: ids
 *     from above storage, no key id;
 *   - version 2 with a key id, [2][n][key id, 4][export id, 4][gfid, n]
 *     [MAC, 12], never released (the sec branch before ids);
 *   - version 1, [1][n ≤ 40][export id, 4][id, n][MAC, 16]: storage-chosen
 *     ids, before ids came from above storage.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "hmac.h"
#include "nfs_server.h"

#define NFS_FH_VERSION 3
#define NFS_FH_KEYID 4
#define NFS_FH_ID 16
#define NFS_FH_MAC 16
#define NFS_FH_HDR 9   /* version, key id, export id */
#define NFS_FH_LEN (NFS_FH_HDR + NFS_FH_ID + NFS_FH_MAC)

/* Version 2: [2][export id, 4][id, 16][MAC, 16]. */
#define NFS_FH_V2 2
#define NFS_FH_V2_HDR 5
#define NFS_FH_V2_LEN (NFS_FH_V2_HDR + NFS_FH_ID + NFS_FH_MAC)
/* Version 2 with a key id: [2][n][key id, 4][export id, 4][gfid, n][MAC, 12]. */
#define NFS_FH_V2K_HDR 10
#define NFS_FH_V2K_MAC 12
/* Version 1: [1][id length n ≤ 40][export id, 4][id, n][MAC, 16]. */
#define NFS_FH_V1 1
#define NFS_FH_V1_HDR 6
#define NFS_FH_OLD_IDMAX 40

/* MACs of version 3 handles this thread made or checked lately, by the
 * bytes they sign (a handle's first 25), in a direct-mapped table: the
 * same directory's handle comes with call after call, and a name looked
 * up again gets the same handle. Only bytes the secret really signed are
 * kept; a hit gives the MAC the HMAC would give, so a forged MAC on
 * known bytes still fails. Keyed by the bytes alone, which say nothing
 * of the secret. */
#define NFS_FH_SIGNED (NFS_FH_HDR + NFS_FH_ID)
#define NFS_FH_MAC_SLOTS 64 /* a power of two */

struct nfs_fh_mac_slot {
	bool valid;
	uint8_t signed_bytes[NFS_FH_SIGNED];
	uint8_t mac[NFS_FH_MAC];
};

/* The last secret this thread saw, its key id, its prepared HMAC key and
 * the MACs made with it: every call checks a handle and LOOKUP or
 * READDIRPLUS build more, and hashing the secret (for the key id, and the
 * key's two blocks in each HMAC) cost more than the MAC itself. Per thread
 * (no lock), the secret compared in full (servers of one process may hold
 * different secrets, and a reload may replace one); another secret
 * empties the MACs. */
static __thread struct {
	bool valid;
	uint8_t secret[sizeof(((struct nfs_server *)0)->secret)];
	uint8_t keyid[NFS_FH_KEYID];
	struct xl_hmac_key key;
	struct nfs_fh_mac_slot macs[NFS_FH_MAC_SLOTS];
} nfs_fh_key_cache;

/* The current secret's key id (the first 4 bytes of its SHA-256) and
 * HMAC key, from this thread's cache. */
static const struct xl_hmac_key *nfs_fh_key(const struct nfs_server *srv,
					    uint8_t id[NFS_FH_KEYID])
{
	uint8_t digest[XL_SHA256_LEN];

	if (!nfs_fh_key_cache.valid ||
	    memcmp(nfs_fh_key_cache.secret, srv->secret, sizeof(srv->secret))) {
		xl_sha256(srv->secret, sizeof(srv->secret), digest);
		memcpy(nfs_fh_key_cache.keyid, digest, NFS_FH_KEYID);
		xl_hmac_key_init(&nfs_fh_key_cache.key, srv->secret, sizeof(srv->secret));
		memcpy(nfs_fh_key_cache.secret, srv->secret, sizeof(srv->secret));
		memset(nfs_fh_key_cache.macs, 0, sizeof(nfs_fh_key_cache.macs));
		nfs_fh_key_cache.valid = true;
	}
	if (id)
		memcpy(id, nfs_fh_key_cache.keyid, NFS_FH_KEYID);
	return &nfs_fh_key_cache.key;
}

/* The slot of the signed bytes @data (FNV-1a). */
static struct nfs_fh_mac_slot *nfs_fh_mac_slot(const uint8_t *data)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < NFS_FH_SIGNED; i++)
		h = (h ^ data[i]) * 16777619u;
	return &nfs_fh_key_cache.macs[(h ^ h >> 16) % NFS_FH_MAC_SLOTS];
}

static void nfs_fh_mac(const struct nfs_server *srv, const uint8_t *data, size_t len,
		       uint8_t mac[NFS_FH_MAC])
{
	const struct xl_hmac_key *key = nfs_fh_key(srv, NULL);
	struct nfs_fh_mac_slot *slot = NULL;
	uint8_t digest[XL_SHA256_LEN];

	if (len == NFS_FH_SIGNED && data[0] == NFS_FH_VERSION) {
		slot = nfs_fh_mac_slot(data);
		if (slot->valid && !memcmp(slot->signed_bytes, data, NFS_FH_SIGNED)) {
			memcpy(mac, slot->mac, NFS_FH_MAC);
			return;
		}
	}
	xl_hmac(key, data, len, digest);
	memcpy(mac, digest, NFS_FH_MAC);
	if (slot) {
		memcpy(slot->signed_bytes, data, NFS_FH_SIGNED);
		memcpy(slot->mac, digest, NFS_FH_MAC);
		slot->valid = true;
	}
}

/* Do the @maclen MAC bytes at @data + @len match the bytes before them?
 * Compared without an early exit, so timing says nothing about where the
 * first difference is. */
static bool nfs_fh_mac_ok(const struct nfs_server *srv, const uint8_t *data, size_t len,
			  size_t maclen)
{
	uint8_t mac[NFS_FH_MAC], diff = 0;

	nfs_fh_mac(srv, data, len, mac);
	for (size_t i = 0; i < maclen; i++)
		diff |= mac[i] ^ data[len + i];
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
		  const struct xl_id *id, struct nfs_fh *fh)
{
	uint8_t *p = fh->data;

	p[0] = NFS_FH_VERSION;
	nfs_fh_key(srv, p + 1);
	nfs_fh_put32(p + 1 + NFS_FH_KEYID, e->id);
	memcpy(p + NFS_FH_HDR, id->bytes, NFS_FH_ID);
	nfs_fh_mac(srv, p, NFS_FH_SIGNED, p + NFS_FH_SIGNED);
	fh->len = NFS_FH_LEN;
}

/* An older handle this server issued under its current secret? (Then it
 * is stale, not bad.) */
static bool nfs_fh_is_old(const struct nfs_server *srv, const uint8_t *data, size_t len)
{
	size_t n;

	if (len < 2)
		return false;
	n = data[1];
	if (data[0] == NFS_FH_V2 && len == NFS_FH_V2_LEN)
		return nfs_fh_mac_ok(srv, data, NFS_FH_V2_HDR + NFS_FH_ID, NFS_FH_MAC);
	if (data[0] == NFS_FH_V2 && n <= NFS_FH_OLD_IDMAX &&
	    len == NFS_FH_V2K_HDR + n + NFS_FH_V2K_MAC)
		return nfs_fh_mac_ok(srv, data, NFS_FH_V2K_HDR + n, NFS_FH_V2K_MAC);
	if (data[0] == NFS_FH_V1 && n <= NFS_FH_OLD_IDMAX &&
	    len == NFS_FH_V1_HDR + n + NFS_FH_MAC)
		return nfs_fh_mac_ok(srv, data, NFS_FH_V1_HDR + n, NFS_FH_MAC);
	return false;
}

int nfs_fh_parse(const struct nfs_server *srv, const uint8_t *data, size_t len,
		 const struct nfs_export **export, struct xl_id *id)
{
	uint8_t keyid[NFS_FH_KEYID];
	const struct nfs_export *e;

	if (!data)
		return -EBADF;
	if (len != NFS_FH_LEN || data[0] != NFS_FH_VERSION)
		return nfs_fh_is_old(srv, data, len) ? -ESTALE : -EBADF;
	nfs_fh_key(srv, keyid);
	if (memcmp(keyid, data + 1, NFS_FH_KEYID) != 0)
		return -ESTALE; /* signed with a secret we no longer have */
	if (!nfs_fh_mac_ok(srv, data, NFS_FH_HDR + NFS_FH_ID, NFS_FH_MAC))
		return -EBADF;
	e = nfs_export_by_id(srv, nfs_fh_get32(data + 1 + NFS_FH_KEYID));
	if (!e)
		return -ESTALE; /* ours, for an export that is gone */
	*export = e;
	memcpy(id->bytes, data + NFS_FH_HDR, NFS_FH_ID);
	return 0;
}

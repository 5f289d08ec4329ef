/*
 * hmac.h — SHA-256 and HMAC-SHA256 (RFC 2104) with the key prepared once,
 * over GNU Nettle.
 *
 * File handles are signed and checked on every NFS call, and GLib's
 * GHmac costs a malloc and two SHA-256 blocks for the key on each use.
 * Here Nettle hashes the key's inner and outer blocks once, into a struct
 * xl_hmac_key a caller keeps (plain memory: copy it, keep it per thread,
 * no clean-up); each MAC then hashes only the message and the inner
 * digest, with no allocation. Nettle picks its SHA-256 block function at
 * load time (on x86-64 the CPU's SHA instructions when it has them;
 * NETTLE_FAT_VERBOSE=1 says which). The bytes are GLib's
 * (tests/unit/test_hmac.c), so handles signed before Nettle stay valid.
 *
 * All functions are thread-safe: they touch only their arguments, and
 * xl_hmac only reads its key.
 */
#ifndef XLNFS_HMAC_H
#define XLNFS_HMAC_H

#include <stddef.h>
#include <stdint.h>

#include <nettle/hmac.h>

#define XL_SHA256_LEN SHA256_DIGEST_SIZE

/* An HMAC-SHA256 key, prepared: Nettle's context with the states after
 * the key's inner and outer blocks (and a working state, unused between
 * MACs: xl_hmac works on a copy). */
struct xl_hmac_key {
	struct hmac_sha256_ctx ctx;
};

/* SHA-256 of the @len bytes at @data into @out. */
void xl_sha256(const void *data, size_t len, uint8_t out[XL_SHA256_LEN]);

/* Prepare @key from the @len secret bytes at @secret (any length; longer
 * than a block, it is hashed first, as RFC 2104 says). */
void xl_hmac_key_init(struct xl_hmac_key *key, const void *secret, size_t len);

/* HMAC-SHA256 of the @len bytes at @data under @key into @out. */
void xl_hmac(const struct xl_hmac_key *key, const void *data, size_t len,
	     uint8_t out[XL_SHA256_LEN]);

#endif

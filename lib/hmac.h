/*
 * hmac.h — SHA-256 (FIPS 180-4) and HMAC-SHA256 (RFC 2104) with the key
 * prepared once.
 *
 * File handles are signed and checked on every NFS call, and GLib's
 * GHmac costs a malloc and two SHA-256 blocks for the key on each use.
 * Here the key's inner and outer blocks are hashed once, into a struct
 * xl_hmac_key a caller keeps (plain memory: copy it, keep it per thread,
 * no clean-up); each MAC then hashes only the message and the inner
 * digest, with no allocation. The SHA-256 block function uses the CPU's
 * SHA instructions when it has them (x86 SHA-NI), else portable C; both
 * give the same bytes (tests/unit/test_hmac.c checks them against
 * GLib's).
 *
 * All functions are thread-safe: they touch only their arguments.
 */
#ifndef XLNFS_HMAC_H
#define XLNFS_HMAC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define XL_SHA256_LEN 32

/* An HMAC-SHA256 key, prepared: the SHA-256 states after the key's
 * inner (key ^ 0x36..) and outer (key ^ 0x5c..) blocks. */
struct xl_hmac_key {
	uint32_t inner[8];
	uint32_t outer[8];
};

/* SHA-256 of the @len bytes at @data into @out. */
void xl_sha256(const void *data, size_t len, uint8_t out[XL_SHA256_LEN]);

/* Prepare @key from the @len secret bytes at @secret (any length; longer
 * than a block, it is hashed first, as RFC 2104 says). */
void xl_hmac_key_init(struct xl_hmac_key *key, const void *secret, size_t len);

/* HMAC-SHA256 of the @len bytes at @data under @key into @out. */
void xl_hmac(const struct xl_hmac_key *key, const void *data, size_t len,
	     uint8_t out[XL_SHA256_LEN]);

/* For tests: use the CPU's SHA instructions (when it has them: true) or
 * the portable code only (false) from now on, in every thread. Returns
 * whether the instructions are used. */
bool xl_sha256_set_accel(bool on);

#endif

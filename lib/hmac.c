/*
 * hmac.c — SHA-256 and HMAC-SHA256 with the key prepared once (hmac.h):
 * thin calls into GNU Nettle.
 *
 * Nettle's hmac_sha256_digest() leaves its context ready for the next
 * message (the working state reset to the inner one), so a prepared
 * context could serve message after message in place; xl_hmac copies it
 * instead (336 bytes on the stack, no allocation), which keeps the key
 * read-only and a key shared between threads safe.
 */
#include "config.h"

#include <nettle/sha2.h>

#include "hmac.h"

void xl_sha256(const void *data, size_t len, uint8_t out[XL_SHA256_LEN])
{
	struct sha256_ctx ctx;

	sha256_init(&ctx);
	sha256_update(&ctx, len, data);
	sha256_digest(&ctx, XL_SHA256_LEN, out);
}

void xl_hmac_key_init(struct xl_hmac_key *key, const void *secret, size_t len)
{
	hmac_sha256_set_key(&key->ctx, len, secret);
}

void xl_hmac(const struct xl_hmac_key *key, const void *data, size_t len,
	     uint8_t out[XL_SHA256_LEN])
{
	struct hmac_sha256_ctx ctx = key->ctx;

	hmac_sha256_update(&ctx, len, data);
	hmac_sha256_digest(&ctx, XL_SHA256_LEN, out);
}

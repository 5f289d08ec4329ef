/*
 * hmac.c — SHA-256 and HMAC-SHA256 with the key prepared once (hmac.h).
 *
 * A hash in progress is a struct sha256: the eight state words, the bytes
 * hashed so far and the tail that does not fill a block yet. The block
 * function is picked once per process (and by xl_sha256_set_accel): the
 * x86 SHA extensions (SHA256RNDS2 does two rounds, SHA256MSG1/MSG2 the
 * message schedule) when cpuid says the CPU has them, else the portable
 * rounds of FIPS 180-4 §6.2.2.
 */
#include "config.h"

#include <string.h>

#if defined(__x86_64__) && defined(__GNUC__)
#include <cpuid.h>
#include <immintrin.h>
#define HMAC_X86 1
#endif

#include "hmac.h"

#define SHA256_BLOCK 64

struct sha256 {
	uint32_t h[8];
	uint64_t bytes;		    /* hashed so far, the tail included */
	uint8_t tail[SHA256_BLOCK]; /* bytes % 64 of them are pending */
};

static const uint32_t sha256_k[64] = {
    0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
    0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
    0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
    0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
    0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
    0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
    0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
    0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
};

static const uint32_t sha256_iv[8] = {
    0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a, 0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19,
};

static uint32_t sha256_rotr(uint32_t x, unsigned n)
{
	return x >> n | x << (32 - n);
}

static uint32_t sha256_get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* The portable block function: @n blocks at @p into @h. */
static void sha256_blocks_c(uint32_t h[8], const uint8_t *p, size_t n)
{
	for (; n > 0; n--, p += SHA256_BLOCK) {
		uint32_t w[64], v[8];

		for (int t = 0; t < 16; t++)
			w[t] = sha256_get32(p + 4 * t);
		for (int t = 16; t < 64; t++) {
			uint32_t s0 =
			    sha256_rotr(w[t - 15], 7) ^ sha256_rotr(w[t - 15], 18) ^ w[t - 15] >> 3;
			uint32_t s1 =
			    sha256_rotr(w[t - 2], 17) ^ sha256_rotr(w[t - 2], 19) ^ w[t - 2] >> 10;

			w[t] = w[t - 16] + s0 + w[t - 7] + s1;
		}
		memcpy(v, h, sizeof(v));
		for (int t = 0; t < 64; t++) {
			uint32_t e = v[4], a = v[0];
			uint32_t t1 =
			    v[7] + (sha256_rotr(e, 6) ^ sha256_rotr(e, 11) ^ sha256_rotr(e, 25)) +
			    ((e & v[5]) ^ (~e & v[6])) + sha256_k[t] + w[t];
			uint32_t t2 =
			    (sha256_rotr(a, 2) ^ sha256_rotr(a, 13) ^ sha256_rotr(a, 22)) +
			    ((a & v[1]) ^ (a & v[2]) ^ (v[1] & v[2]));

			v[7] = v[6];
			v[6] = v[5];
			v[5] = v[4];
			v[4] = v[3] + t1;
			v[3] = v[2];
			v[2] = v[1];
			v[1] = v[0];
			v[0] = t1 + t2;
		}
		for (int i = 0; i < 8; i++)
			h[i] += v[i];
	}
}

#ifdef HMAC_X86
/* The same with the SHA extensions. The instructions keep the state as
 * two vectors, {A,B,E,F} and {C,D,G,H} (A in the top lane); each
 * SHA256RNDS2 makes the new ABEF of two rounds from the old CDGH and
 * ABEF, so the two registers swap roles every two rounds. */
__attribute__((target("sha,sse4.1,ssse3"))) static void sha256_blocks_ni(uint32_t h[8],
									 const uint8_t *p, size_t n)
{
	const __m128i bswap = _mm_set_epi64x(0x0c0d0e0f08090a0bULL, 0x0405060700010203ULL);
	__m128i abef, cdgh, tmp;

	tmp = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)h), 0xB1);	   /* b a d c */
	cdgh = _mm_shuffle_epi32(_mm_loadu_si128((const __m128i *)(h + 4)), 0x1B); /* h g f e */
	abef = _mm_alignr_epi8(tmp, cdgh, 8);					   /* f e b a */
	cdgh = _mm_blend_epi16(cdgh, tmp, 0xF0);				   /* h g d c */
	for (; n > 0; n--, p += SHA256_BLOCK) {
		__m128i save_abef = abef, save_cdgh = cdgh, m[4];

		for (int i = 0; i < 16; i++) {
			__m128i k;

			if (i < 4) {
				m[i] = _mm_shuffle_epi8(
				    _mm_loadu_si128((const __m128i *)(p + 16 * i)), bswap);
			} else {
				/* W[t] = W[t-16] + s0(W[t-15]) + W[t-7] + s1(W[t-2]) */
				__m128i w = _mm_sha256msg1_epu32(m[i % 4], m[(i + 1) % 4]);

				w = _mm_add_epi32(
				    w, _mm_alignr_epi8(m[(i + 3) % 4], m[(i + 2) % 4], 4));
				m[i % 4] = _mm_sha256msg2_epu32(w, m[(i + 3) % 4]);
			}
			k = _mm_add_epi32(m[i % 4],
					  _mm_loadu_si128((const __m128i *)(sha256_k + 4 * i)));
			cdgh = _mm_sha256rnds2_epu32(cdgh, abef, k);
			abef = _mm_sha256rnds2_epu32(abef, cdgh, _mm_shuffle_epi32(k, 0x0E));
		}
		abef = _mm_add_epi32(abef, save_abef);
		cdgh = _mm_add_epi32(cdgh, save_cdgh);
	}
	tmp = _mm_shuffle_epi32(abef, 0x1B);  /* a b e f */
	cdgh = _mm_shuffle_epi32(cdgh, 0xB1); /* g h c d */
	_mm_storeu_si128((__m128i *)h, _mm_blend_epi16(tmp, cdgh, 0xF0));
	_mm_storeu_si128((__m128i *)(h + 4), _mm_alignr_epi8(cdgh, tmp, 8));
}

/* Does the CPU have the SHA extensions (and SSSE3, SSE4.1 they use)? */
static bool sha256_cpu_has_ni(void)
{
	unsigned a, b, c, d;

	if (!__get_cpuid(1, &a, &b, &c, &d) || !(c & bit_SSSE3) || !(c & bit_SSE4_1))
		return false;
	if (!__get_cpuid_count(7, 0, &a, &b, &c, &d))
		return false;
	return (b & bit_SHA) != 0;
}
#endif

/* 0: not chosen yet, 1: portable, 2: SHA extensions. Atomic. */
static int sha256_impl;

bool xl_sha256_set_accel(bool on)
{
	int impl = 1;

#ifdef HMAC_X86
	if (on && sha256_cpu_has_ni())
		impl = 2;
#else
	(void)on;
#endif
	__atomic_store_n(&sha256_impl, impl, __ATOMIC_RELAXED);
	return impl == 2;
}

static void sha256_blocks(uint32_t h[8], const uint8_t *p, size_t n)
{
	int impl = __atomic_load_n(&sha256_impl, __ATOMIC_RELAXED);

	if (impl == 0) {
		xl_sha256_set_accel(true);
		impl = __atomic_load_n(&sha256_impl, __ATOMIC_RELAXED);
	}
#ifdef HMAC_X86
	if (impl == 2) {
		sha256_blocks_ni(h, p, n);
		return;
	}
#endif
	sha256_blocks_c(h, p, n);
}

static void sha256_update(struct sha256 *s, const uint8_t *p, size_t len)
{
	size_t fill = s->bytes % SHA256_BLOCK;

	if (len == 0)
		return;
	s->bytes += len;
	if (fill) {
		size_t take = SHA256_BLOCK - fill < len ? SHA256_BLOCK - fill : len;

		memcpy(s->tail + fill, p, take);
		p += take;
		len -= take;
		if (fill + take < SHA256_BLOCK)
			return;
		sha256_blocks(s->h, s->tail, 1);
	}
	if (len >= SHA256_BLOCK) {
		sha256_blocks(s->h, p, len / SHA256_BLOCK);
		p += len - len % SHA256_BLOCK;
		len %= SHA256_BLOCK;
	}
	memcpy(s->tail, p, len);
}

/* Pad (0x80, zeros, the length in bits, big endian) and write the digest. */
static void sha256_final(struct sha256 *s, uint8_t out[XL_SHA256_LEN])
{
	size_t fill = s->bytes % SHA256_BLOCK;
	uint64_t bits = s->bytes * 8;
	uint8_t pad[2 * SHA256_BLOCK] = {0};
	size_t n = fill < SHA256_BLOCK - 8 ? SHA256_BLOCK : 2 * SHA256_BLOCK;

	memcpy(pad, s->tail, fill);
	pad[fill] = 0x80;
	for (int i = 0; i < 8; i++)
		pad[n - 1 - i] = (uint8_t)(bits >> (8 * i));
	sha256_blocks(s->h, pad, n / SHA256_BLOCK);
	for (int i = 0; i < 8; i++) {
		out[4 * i] = (uint8_t)(s->h[i] >> 24);
		out[4 * i + 1] = (uint8_t)(s->h[i] >> 16);
		out[4 * i + 2] = (uint8_t)(s->h[i] >> 8);
		out[4 * i + 3] = (uint8_t)s->h[i];
	}
}

/* A hash that starts from state @h after one whole block. */
static void sha256_resume(struct sha256 *s, const uint32_t h[8])
{
	memcpy(s->h, h, sizeof(s->h));
	s->bytes = SHA256_BLOCK;
}

void xl_sha256(const void *data, size_t len, uint8_t out[XL_SHA256_LEN])
{
	struct sha256 s;

	memcpy(s.h, sha256_iv, sizeof(s.h));
	s.bytes = 0;
	sha256_update(&s, data, len);
	sha256_final(&s, out);
}

void xl_hmac_key_init(struct xl_hmac_key *key, const void *secret, size_t len)
{
	uint8_t k[SHA256_BLOCK] = {0}, block[SHA256_BLOCK];

	if (len > SHA256_BLOCK)
		xl_sha256(secret, len, k);
	else
		memcpy(k, secret, len);
	for (int i = 0; i < SHA256_BLOCK; i++)
		block[i] = k[i] ^ 0x36;
	memcpy(key->inner, sha256_iv, sizeof(key->inner));
	sha256_blocks(key->inner, block, 1);
	for (int i = 0; i < SHA256_BLOCK; i++)
		block[i] = k[i] ^ 0x5c;
	memcpy(key->outer, sha256_iv, sizeof(key->outer));
	sha256_blocks(key->outer, block, 1);
}

void xl_hmac(const struct xl_hmac_key *key, const void *data, size_t len,
	     uint8_t out[XL_SHA256_LEN])
{
	struct sha256 s;
	uint8_t inner[XL_SHA256_LEN];

	sha256_resume(&s, key->inner);
	sha256_update(&s, data, len);
	sha256_final(&s, inner);
	sha256_resume(&s, key->outer);
	sha256_update(&s, inner, sizeof(inner));
	sha256_final(&s, out);
}

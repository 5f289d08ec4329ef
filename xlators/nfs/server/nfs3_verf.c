/*
 * nfs3_verf.c — the READDIR cookie verifier and the exclusive CREATE
 * verifier mapping (see nfs3_verf.h for the encodings and why).
 */
#include "config.h"

#include <string.h>

#include "nfs3_verf.h"

static void nfs3_verf_put32(unsigned char *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

static uint32_t nfs3_verf_get32(const unsigned char *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

void nfs3_cookieverf_from_stat(const struct stat *st, cookieverf3 verf)
{
	unsigned char *p = (unsigned char *)verf;

	nfs3_verf_put32(p, (uint32_t)st->st_mtim.tv_sec);
	nfs3_verf_put32(p + 4, (uint32_t)st->st_mtim.tv_nsec);
	if (st->st_mtim.tv_sec == 0 && st->st_mtim.tv_nsec == 0)
		p[7] = 1;
}

bool nfs3_cookieverf_ok(uint64_t cookie, const cookieverf3 verf, const cookieverf3 cur)
{
	static const char zero[NFS3_COOKIEVERFSIZE];

	if (cookie == 0 || memcmp(verf, zero, NFS3_COOKIEVERFSIZE) == 0)
		return true;
	return memcmp(verf, cur, NFS3_COOKIEVERFSIZE) == 0;
}

void nfs3_createverf_to_times(const createverf3 verf, struct timespec *atime,
			      struct timespec *mtime)
{
	const unsigned char *p = (const unsigned char *)verf;
	uint32_t v0 = nfs3_verf_get32(p), v1 = nfs3_verf_get32(p + 4);

	atime->tv_sec = v0;
	atime->tv_nsec = v1 & 0x1fffffff;
	mtime->tv_sec = v0;
	mtime->tv_nsec = v1 >> 29;
}

bool nfs3_createverf_match(const createverf3 verf, const struct stat *st)
{
	struct timespec at, mt;

	nfs3_createverf_to_times(verf, &at, &mt);
	return st->st_atim.tv_sec == at.tv_sec && st->st_atim.tv_nsec == at.tv_nsec &&
	       st->st_mtim.tv_sec == mt.tv_sec && st->st_mtim.tv_nsec == mt.tv_nsec;
}

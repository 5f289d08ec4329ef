/*
 * nfs3_verf.c — the write verifier, the READDIR cookie verifier and the
 * exclusive CREATE verifier mapping (see nfs3_verf.h for the encodings
 * and why).
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <string.h>
#include <unistd.h>

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

void nfs3_write_verf_init(uint64_t *verf)
{
	struct timespec ts;
	uint64_t v;

	clock_gettime(CLOCK_REALTIME, &ts);
	v = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	v ^= (uint64_t)getpid() << 40;
	v ^= (uint64_t)g_random_int() << 16 ^ g_random_int();
	__atomic_store_n(verf, v, __ATOMIC_RELAXED);
}

void nfs3_write_verf_get(const uint64_t *verf, writeverf3 out)
{
	uint64_t v = __atomic_load_n(verf, __ATOMIC_RELAXED);

	/* Opaque bytes to the client; the host's order, as always before. */
	memcpy(out, &v, NFS3_WRITEVERFSIZE);
}

uint64_t nfs3_write_verf_bump(uint64_t *verf)
{
	/* An odd step far from 1: a verifier never comes back to a value a
	 * client holds from shortly before. */
	return __atomic_add_fetch(verf, UINT64_C(0x9e3779b97f4a7c15), __ATOMIC_RELAXED);
}

bool nfs3_write_verf_lost(int err)
{
	switch (-err) {
	case EACCES:
	case EPERM:
	case EROFS:
	case EINVAL:
	case EISDIR:
	case EFBIG:
	case ESTALE:
	case EAGAIN:
		return false;
	default:
		return err < 0;
	}
}

void nfs3_cookieverf_from_iatt(const struct xl_iatt *ia, cookieverf3 verf)
{
	unsigned char *p = (unsigned char *)verf;
	uint64_t ino = 0;

	/* The directory's identity, never its mtime: a verifier that changed
	 * with every entry added or removed would refuse the next page of
	 * every listing that unlinks as it reads (rm -rf). */
	if (ia && (ia->valid & XL_IATT_INO))
		ino = ia->ino;
	nfs3_verf_put32(p, (uint32_t)(ino >> 32));
	nfs3_verf_put32(p + 4, (uint32_t)ino);
	if (ino == 0)
		p[7] = 1;
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

bool nfs3_createverf_match(const createverf3 verf, const struct xl_iatt *ia)
{
	struct timespec at, mt;

	if ((ia->valid & (XL_IATT_ATIME | XL_IATT_MTIME)) != (XL_IATT_ATIME | XL_IATT_MTIME))
		return false;
	nfs3_createverf_to_times(verf, &at, &mt);
	return ia->atime.tv_sec == at.tv_sec && ia->atime.tv_nsec == at.tv_nsec &&
	       ia->mtime.tv_sec == mt.tv_sec && ia->mtime.tv_nsec == mt.tv_nsec;
}

/*
 * test_idcache.c — storage/posix's id cache (posix_idcache.c) on its
 * own: ids come back for the object they were put for and no other (a
 * reused inode number with another birth time misses), forget drops
 * them, and a bucket holding more objects than it has ways, listed over
 * and over in the same order, keeps most of them (the oldest-first
 * victim it had missed on every one of them, every time).
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdio.h>
#include <string.h>

#include "storage/posix/posix.h"
#include "cunit_main.h"

static struct statx obj(uint64_t ino, int64_t birth)
{
	struct statx stx = {0};

	stx.stx_mask = STATX_BASIC_STATS | STATX_BTIME;
	stx.stx_ino = ino;
	stx.stx_dev_major = 8;
	stx.stx_dev_minor = 1;
	stx.stx_mode = S_IFREG | 0644;
	stx.stx_btime.tv_sec = birth;
	stx.stx_btime.tv_nsec = 7;
	return stx;
}

static struct xl_id id_of(uint64_t n)
{
	struct xl_id id;

	memset(&id, 0, sizeof(id));
	memcpy(id.bytes, &n, sizeof(n));
	id.bytes[15] = 0x5a;
	return id;
}

static void test_get_put_forget(void)
{
	struct posix_idcache *c = posix_idcache_new(10);
	struct statx a = obj(100, 1), reused = obj(100, 2), nobirth = obj(200, 1);
	struct xl_id id, want = id_of(100);
	bool indexed = false;

	CU_ASSERT_FATAL(c != NULL);
	CU_ASSERT_FALSE(posix_idcache_get(c, &a, &id, &indexed));
	posix_idcache_put(c, &a, &want, true);
	posix_idcache_prefetch(c, a.stx_ino, makedev(8, 1));
	CU_ASSERT_TRUE(posix_idcache_get(c, &a, &id, &indexed));
	CU_ASSERT_TRUE(xl_id_equal(&id, &want));
	CU_ASSERT_TRUE(indexed);
	/* the same inode number born again is another object */
	CU_ASSERT_FALSE(posix_idcache_get(c, &reused, &id, &indexed));
	/* no birth time: never cached */
	nobirth.stx_mask &= ~(unsigned)STATX_BTIME;
	posix_idcache_put(c, &nobirth, &want, true);
	CU_ASSERT_FALSE(posix_idcache_get(c, &nobirth, &id, &indexed));
	posix_idcache_forget(c, &a);
	CU_ASSERT_FALSE(posix_idcache_get(c, &a, &id, &indexed));
	posix_idcache_free(c);
	/* every call takes a NULL cache */
	posix_idcache_prefetch(NULL, 1, 1);
	CU_ASSERT_FALSE(posix_idcache_get(NULL, &a, &id, &indexed));
}

/* One bucket (2^2 slots = 4 ways), six objects listed 20 times in the
 * same order as readdirplus does: get, and put on a miss. */
static void test_repeated_listing_overflow(void)
{
	struct posix_idcache *c = posix_idcache_new(2);
	uint64_t hits, misses, first;
	struct xl_id id;
	bool indexed;

	CU_ASSERT_FATAL(c != NULL);
	for (int round = 0; round < 21; round++) {
		for (uint64_t ino = 1; ino <= 6; ino++) {
			struct statx stx = obj(ino, 1000 + (int64_t)ino);
			struct xl_id want = id_of(ino);

			if (posix_idcache_get(c, &stx, &id, &indexed)) {
				CU_ASSERT_TRUE(xl_id_equal(&id, &want));
			} else {
				posix_idcache_put(c, &stx, &want, false);
			}
		}
		if (round == 0) {
			posix_idcache_counts(c, &hits, &first);
			CU_ASSERT_EQUAL(first, 6);
		}
	}
	posix_idcache_counts(c, &hits, &misses);
	misses -= first;
	/* oldest-first: all 6 of 6 miss every round (120); a random victim
	 * keeps about 2 of 4 ways' objects round to round */
	CU_ASSERT(misses < 20 * 5);
	CU_ASSERT(hits > 20);
	posix_idcache_free(c);
}

/* A table nearly full (700 objects in 1,024 slots, inode numbers
 * scattered as ext4's are across groups): with two buckets per object
 * almost all of them stay; with one, a bucket gets five or more of them
 * about one time in ten and about 10% of the objects miss. */
static void test_nearly_full(void)
{
	struct posix_idcache *c = posix_idcache_new(10);
	uint64_t hits, misses, x = 12345;
	struct xl_id id;
	bool indexed;

	CU_ASSERT_FATAL(c != NULL);
	for (int pass = 0; pass < 2; pass++) {
		x = 12345;
		for (int i = 0; i < 700; i++) {
			struct statx stx;
			struct xl_id want;

			x = x * 6364136223846793005ull + 1442695040888963407ull;
			stx = obj((x >> 40) + 11, 5);
			want = id_of(stx.stx_ino);
			if (pass == 0) {
				posix_idcache_put(c, &stx, &want, true);
			} else if (posix_idcache_get(c, &stx, &id, &indexed)) {
				CU_ASSERT_TRUE(xl_id_equal(&id, &want));
			}
		}
	}
	posix_idcache_counts(c, &hits, &misses);
	printf("(%llu of 700 missed) ", (unsigned long long)misses);
	CU_ASSERT(misses < 14); /* 2% */
	posix_idcache_free(c);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("idcache", NULL, NULL);
	CU_add_test(s, "get, put, forget by identity", test_get_put_forget);
	CU_add_test(s, "a repeated listing overflowing a bucket mostly hits",
		    test_repeated_listing_overflow);
	CU_add_test(s, "a nearly full table keeps almost all", test_nearly_full);
	return cunit_run();
}

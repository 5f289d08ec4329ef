/*
 * test_objpool.c — unit tests for the fixed-size object pool
 * (lib/objpool.c): objects zeroed, aligned and distinct; given-back ones
 * handed out again before any new block is taken, so the pool's memory
 * follows the peak of live objects; many threads allocating and freeing
 * at once never share an object.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdbool.h>
#include <string.h>

#include <glib.h>

#include <CUnit/Basic.h>

#include "objpool.h"
#include "cunit_main.h"

/* Under AddressSanitizer the pool is plain malloc (use after free is caught
 * there), so it holds no blocks. */
#if defined(__SANITIZE_ADDRESS__)
#define POOLED 0
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define POOLED 0
#endif
#endif
#ifndef POOLED
#define POOLED 1
#endif

#define OBJ_SIZE 300
#define MANY 5000

static bool all_zero(const unsigned char *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (p[i])
			return false;
	return true;
}

static void test_zeroed_aligned_distinct(void)
{
	struct objpool pool;
	unsigned char *a, *b, *c;

	objpool_init(&pool, OBJ_SIZE);
	a = objpool_alloc(&pool);
	b = objpool_alloc(&pool);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT((uintptr_t)a % 16 == 0 && (uintptr_t)b % 16 == 0);
	CU_ASSERT(a + OBJ_SIZE <= b || b + OBJ_SIZE <= a); /* no overlap */
	CU_ASSERT(all_zero(a, OBJ_SIZE) && all_zero(b, OBJ_SIZE));
	memset(a, 0xa5, OBJ_SIZE);
	memset(b, 0x5a, OBJ_SIZE);
	CU_ASSERT_EQUAL(objpool_live(&pool), 2);
	objpool_free(&pool, a);
	objpool_free(&pool, NULL); /* nothing */
	CU_ASSERT_EQUAL(objpool_live(&pool), 1);
	c = objpool_alloc(&pool); /* a again (pooled), zeroed either way */
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	if (POOLED)
		CU_ASSERT_PTR_EQUAL(c, a);
	CU_ASSERT(all_zero(c, OBJ_SIZE));
	CU_ASSERT_EQUAL(b[OBJ_SIZE - 1], 0x5a); /* b untouched */
	objpool_free(&pool, b);
	objpool_free(&pool, c);
	CU_ASSERT_EQUAL(objpool_live(&pool), 0);
	objpool_destroy(&pool);

	objpool_init(&pool, 1); /* tiny objects still hold the free-list link */
	a = objpool_alloc(&pool);
	b = objpool_alloc(&pool);
	CU_ASSERT(a + sizeof(void *) <= b || b + sizeof(void *) <= a);
	objpool_free(&pool, a);
	objpool_free(&pool, b);
	objpool_destroy(&pool);
}

/* A cache's churn: a window of MANY live objects, one freed and one taken
 * per step, with other allocations in between, must not take new blocks
 * once the window is full. */
static void test_memory_follows_peak(void)
{
	static void *live[MANY];
	struct objpool pool;
	size_t bytes;

	objpool_init(&pool, OBJ_SIZE);
	for (int i = 0; i < MANY; i++)
		live[i] = objpool_alloc(&pool);
	bytes = objpool_bytes(&pool);
	if (POOLED) {
		CU_ASSERT(bytes >= (size_t)MANY * OBJ_SIZE);
		CU_ASSERT(bytes < (size_t)MANY * OBJ_SIZE * 2);
	}
	for (int step = 0; step < 20 * MANY; step++) {
		int i = (step * 7919) % MANY;
		void *noise = g_malloc(40 + step % 200);

		objpool_free(&pool, live[i]);
		live[i] = objpool_alloc(&pool);
		memset(live[i], step, OBJ_SIZE);
		g_free(noise);
	}
	CU_ASSERT_EQUAL(objpool_bytes(&pool), bytes); /* not one block more */
	CU_ASSERT_EQUAL(objpool_live(&pool), MANY);
	for (int i = 0; i < MANY; i++)
		objpool_free(&pool, live[i]);
	CU_ASSERT_EQUAL(objpool_live(&pool), 0);
	objpool_destroy(&pool);
}

#define THREADS 4
#define ROUNDS 20000

static struct objpool shared;
static int overlaps;

/* Keep 8 objects, each stamped with its owner; a stamp changed under us
 * would mean another thread was handed the same object. */
static void *churn(void *arg)
{
	uintptr_t me = (uintptr_t)arg;
	uintptr_t *held[8] = {0};

	for (int r = 0; r < ROUNDS; r++) {
		int k = r % 8;

		if (held[k]) {
			if (held[k][0] != me || held[k][OBJ_SIZE / sizeof(uintptr_t) - 1] != me)
				__atomic_add_fetch(&overlaps, 1, __ATOMIC_RELAXED);
			objpool_free(&shared, held[k]);
		}
		held[k] = objpool_alloc(&shared);
		held[k][0] = me;
		held[k][OBJ_SIZE / sizeof(uintptr_t) - 1] = me;
	}
	for (int k = 0; k < 8; k++)
		objpool_free(&shared, held[k]);
	return NULL;
}

static void test_threads(void)
{
	pthread_t th[THREADS];

	objpool_init(&shared, OBJ_SIZE);
	for (uintptr_t i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, churn, (void *)(i + 1));
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(overlaps, 0);
	CU_ASSERT_EQUAL(objpool_live(&shared), 0);
	if (POOLED) /* 32 live at most: one block */
		CU_ASSERT(objpool_bytes(&shared) <= 64 * 1024);
	objpool_destroy(&shared);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("objpool", NULL, NULL);
	CU_add_test(s, "zeroed, aligned, distinct", test_zeroed_aligned_distinct);
	CU_add_test(s, "memory follows the peak", test_memory_follows_peak);
	CU_add_test(s, "threads", test_threads);
	return cunit_run();
}

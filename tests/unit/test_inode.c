/*
 * test_inode.c — unit tests for the inode table (xlators/inode.c): get,
 * find, ref/unref, the LRU bound and its eviction order, forget() of
 * contexts (and re-entering the table from forget()), context slots,
 * xl_inode_forget, and concurrent use.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "xlator.h"
#include "cunit_main.h"

/* A hand-made graph of two volumes whose module records forget() calls. */
static GString *forgotten;
static struct xl_inode_table *reenter_table;

static void t_forget(struct xl *xl, struct xl_inode *inode, void *ctx)
{
	g_string_append_printf(forgotten, "%s=%s ", xl->name, (const char *)ctx);
	if (reenter_table) {
		/* Must not deadlock: forget() runs without the table lock. */
		struct xl_gfid g = {.len = 1, .bytes = {0xee}};
		struct xl_inode *other = xl_inode_get(reenter_table, &g);

		CU_ASSERT_PTR_NULL(xl_inode_ctx_get(inode, xl));
		xl_inode_unref(other);
	}
}

static const struct xl_module t_module = {
    .abi = XL_ABI_VERSION, .type = "test/t", .forget = t_forget};
static struct xl vol_a = {.name = "a", .module = &t_module, .slot = 0};
static struct xl vol_b = {.name = "b", .module = &t_module, .slot = 1};
static struct xl *vols[] = {&vol_a, &vol_b};
static struct xl_graph graph = {.volumes = vols, .nvolumes = 2};

static struct xl_gfid gfid(unsigned n)
{
	struct xl_gfid g = {.len = 16};

	memcpy(g.bytes, &n, sizeof(n));
	g.bytes[15] = 0x5a;
	return g;
}

static int setup(void)
{
	forgotten = g_string_new(NULL);
	return 0;
}

static int teardown(void)
{
	g_string_free(forgotten, TRUE);
	return 0;
}

static void test_get_find(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 16);
	struct xl_gfid g1 = gfid(1), g2 = gfid(2), shorter = gfid(1);
	struct xl_inode *a, *b, *c;
	struct xl_inode_stats st;

	shorter.len = 15;
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g1));
	a = xl_inode_get(t, &g1);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(xl_gfid_equal(xl_inode_gfid(a), &g1));
	CU_ASSERT_PTR_EQUAL(xl_inode_get(t, &g1), a); /* second ref */
	b = xl_inode_get(t, &g2);
	CU_ASSERT_PTR_NOT_EQUAL(a, b);
	c = xl_inode_get(t, &shorter); /* length is part of the id */
	CU_ASSERT_PTR_NOT_EQUAL(a, c);
	CU_ASSERT_FALSE(xl_gfid_equal(&g1, &shorter));

	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 3);
	CU_ASSERT_EQUAL(st.lru, 0);
	CU_ASSERT_EQUAL(st.lookups, 5);
	CU_ASSERT_EQUAL(st.hits, 1);

	xl_inode_unref(a);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 3); /* a still has one ref */
	xl_inode_unref(a);
	xl_inode_unref(b);
	xl_inode_unref(c);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 0);
	CU_ASSERT_EQUAL(st.lru, 3);
	/* Cached: find brings it back from the LRU. */
	CU_ASSERT_PTR_EQUAL(xl_inode_find(t, &g1), a);
	CU_ASSERT_PTR_EQUAL(xl_inode_ref(a), a);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 1);
	CU_ASSERT_EQUAL(st.lru, 2);
	xl_inode_unref(a);
	xl_inode_unref(a);
	xl_inode_table_free(t);
}

static void test_lru(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 3);
	struct xl_inode *in[6];
	struct xl_gfid g;
	struct xl_inode_stats st;

	for (unsigned i = 0; i < 6; i++) {
		g = gfid(i);
		in[i] = xl_inode_get(t, &g);
	}
	/* Referenced inodes are never evicted, whatever the limit. */
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 6);
	CU_ASSERT_EQUAL(st.evictions, 0);

	/* Release in the order 3 0 4 1 5 2: the oldest released go first. */
	xl_inode_unref(in[3]);
	xl_inode_unref(in[0]);
	xl_inode_unref(in[4]);
	/* Re-referencing 3 takes it off the LRU; releasing puts it last. */
	g = gfid(3);
	CU_ASSERT_PTR_EQUAL(xl_inode_find(t, &g), in[3]);
	xl_inode_unref(in[3]);
	xl_inode_unref(in[1]); /* LRU now 0 4 3 1: evicts 0 */
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 3);
	CU_ASSERT_EQUAL(st.evictions, 1);
	g = gfid(0);
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	xl_inode_unref(in[5]); /* 4 3 1 5: evicts 4 */
	g = gfid(4);
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	for (unsigned i = 1; i <= 3; i += 2) {
		struct xl_inode *x;

		g = gfid(i);
		x = xl_inode_find(t, &g);
		CU_ASSERT_PTR_EQUAL(x, in[i]);
		xl_inode_unref(x);
	}
	/* Lowering the limit evicts at once. */
	xl_inode_table_set_lru_limit(t, 1);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 1);
	CU_ASSERT_EQUAL(st.evictions, 4);
	CU_ASSERT_EQUAL(st.active, 1);
	xl_inode_unref(in[2]);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 1);
	CU_ASSERT_EQUAL(st.active, 0);
	g = gfid(2); /* the last released stays */
	in[2] = xl_inode_find(t, &g);
	CU_ASSERT_PTR_NOT_NULL(in[2]);
	xl_inode_unref(in[2]);
	xl_inode_table_free(t);
}

static void test_ctx_and_forget(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 0);
	struct xl_gfid g = gfid(7);
	struct xl_inode *in = xl_inode_get(t, &g);

	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(in, &vol_a));
	xl_inode_ctx_set(in, &vol_b, "B1");
	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(in, &vol_a));
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(in, &vol_b), "B1");
	xl_inode_ctx_set(in, &vol_a, "A1");
	xl_inode_ctx_set(in, &vol_b, "B2"); /* replaces */
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(in, &vol_a), "A1");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(in, &vol_b), "B2");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_del(in, &vol_a), "A1");
	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(in, &vol_a));
	CU_ASSERT_PTR_NULL(xl_inode_ctx_del(in, &vol_a));
	/* lru_limit 0: released means evicted; only b has a context. */
	g_string_truncate(forgotten, 0);
	xl_inode_unref(in);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "b=B2 ");

	/* Both volumes with a context: both forgotten; forget() may use the
	 * table (reenter_table) without deadlocking. */
	in = xl_inode_get(t, &g);
	xl_inode_ctx_set(in, &vol_a, "A");
	xl_inode_ctx_set(in, &vol_b, "B");
	g_string_truncate(forgotten, 0);
	reenter_table = t;
	xl_inode_unref(in);
	reenter_table = NULL;
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=A b=B ");
	xl_inode_table_free(t);
}

static void test_inode_forget(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 100);
	struct xl_gfid g = gfid(9);
	struct xl_inode *old = xl_inode_get(t, &g), *fresh;
	struct xl_inode_stats st;

	xl_inode_ctx_set(old, &vol_a, "old");
	xl_inode_forget(old);
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	fresh = xl_inode_get(t, &g); /* a new object, same id */
	CU_ASSERT_PTR_NOT_EQUAL(fresh, old);
	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(fresh, &vol_a));
	g_string_truncate(forgotten, 0);
	xl_inode_unref(old); /* freed, not cached */
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=old ");
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 0);
	CU_ASSERT_EQUAL(st.active, 1);

	/* Forgetting an unreferenced (cached) inode frees it. */
	xl_inode_ctx_set(fresh, &vol_b, "fresh");
	xl_inode_unref(fresh);
	fresh = xl_inode_find(t, &g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	xl_inode_unref(fresh);
	g_string_truncate(forgotten, 0);
	xl_inode_forget(fresh);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "b=fresh ");
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 0);

	/* The table's end forgets the contexts of cached inodes. */
	fresh = xl_inode_get(t, &g);
	xl_inode_ctx_set(fresh, &vol_a, "last");
	xl_inode_unref(fresh);
	g_string_truncate(forgotten, 0);
	xl_inode_table_free(t);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=last ");
}

#define THREADS 4
#define ROUNDS	20000

/* CUnit is not thread-safe: workers count mismatches, the test asserts. */
static int mismatches;

static void *hammer(void *arg)
{
	struct xl_inode_table *t = arg;
	unsigned seed = (unsigned)(uintptr_t)&t;

	for (int i = 0; i < ROUNDS; i++) {
		struct xl_gfid g = gfid(rand_r(&seed) % 64);
		struct xl_inode *in = xl_inode_get(t, &g), *again;

		again = xl_inode_find(t, &g);
		if (again != in)
			__atomic_add_fetch(&mismatches, 1, __ATOMIC_RELAXED);
		xl_inode_unref(again);
		xl_inode_unref(in);
	}
	return NULL;
}

static void test_threads(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 8);
	pthread_t th[THREADS];
	struct xl_inode_stats st;

	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, hammer, t);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(mismatches, 0);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 0);
	CU_ASSERT_TRUE(st.lru <= 8);
	CU_ASSERT_EQUAL(st.lookups, 2ULL * THREADS * ROUNDS);
	xl_inode_table_free(t);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("inode", setup, teardown);
	CU_add_test(s, "get/find/ref/unref", test_get_find);
	CU_add_test(s, "lru bound and order", test_lru);
	CU_add_test(s, "ctx slots and forget()", test_ctx_and_forget);
	CU_add_test(s, "xl_inode_forget", test_inode_forget);
	CU_add_test(s, "threads", test_threads);
	return cunit_run();
}

/*
 * test_inode.c — unit tests for the inode table (xlators/inode.c): fresh
 * inodes, link, find, ref/unref, the LRU bound and its eviction order,
 * context slots and their release through ctx_free() (and re-entering
 * the table from ctx_free()), xl_inode_forget/forget_id, the per-inode
 * lock, concurrent find-or-link (one shard and many), and the shards'
 * counts and limits.
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

/* A hand-made graph of two volumes whose module records ctx_free() calls. */
static GString *forgotten;
static struct xl_inode_table *reenter_table;

static struct xl_id mkid(unsigned n);

static void t_ctx_free(struct xl *xl, struct xl_inode *inode, void *ctx)
{
	g_string_append_printf(forgotten, "%s=%s ", xl->name, (const char *)ctx);
	if (reenter_table) {
		/* Must not deadlock: ctx_free() runs without the table lock. */
		struct xl_id id = mkid(0xee);
		struct xl_inode *other = xl_inode_link(xl_inode_new(reenter_table, NULL), &id);

		CU_ASSERT_PTR_NULL(xl_inode_ctx_get(inode, xl));
		xl_inode_unref(other);
	}
}

static const struct xl_module t_module = {
    .abi = XL_ABI_VERSION, .type = "test/t", .ctx_free = t_ctx_free};
static struct xl vol_a = {.name = "a", .module = &t_module, .slot = 0};
static struct xl vol_b = {.name = "b", .module = &t_module, .slot = 1};
static struct xl *vols[] = {&vol_a, &vol_b};
static struct xl_graph graph = {.volumes = vols, .nvolumes = 2};

static struct xl_id mkid(unsigned n)
{
	struct xl_id id = {{0}};

	memcpy(id.bytes, &n, sizeof(n));
	id.bytes[15] = 0x5a;
	return id;
}

/* What a lookup does: the cached inode of @id, else a fresh one linked. */
static struct xl_inode *get(struct xl_inode_table *t, const struct xl_id *id)
{
	struct xl_inode *in = xl_inode_find(t, id);

	return in ? in : xl_inode_link(xl_inode_new(t, NULL), id);
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
	struct xl_id g1 = mkid(1), g2 = mkid(2), g3 = mkid(1);
	struct xl_inode *a, *b, *c;
	struct xl_inode_stats st;

	g3.bytes[14] = 1; /* differs from g1 in one byte only */
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g1));
	/* A fresh inode: referenced, no id, not findable until linked. */
	a = xl_inode_new(t, NULL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_TRUE(xl_id_is_null(xl_inode_id(a)));
	CU_ASSERT_PTR_EQUAL(xl_inode_link(a, &g1), a); /* first: it is the one */
	CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(a), &g1));
	CU_ASSERT_PTR_EQUAL(get(t, &g1), a); /* second ref */
	/* Linking a second fresh inode under the same id (a lookup racing
	 * another) gives the first, referenced: a now has three refs. */
	CU_ASSERT_PTR_EQUAL(xl_inode_link(xl_inode_new(t, NULL), &g1), a);
	xl_inode_unref(a);
	b = get(t, &g2);
	CU_ASSERT_PTR_NOT_EQUAL(a, b);
	c = get(t, &g3);
	CU_ASSERT_PTR_NOT_EQUAL(a, c);
	/* Made with an id (resolve's): carries it, still unindexed. */
	{
		struct xl_id g4 = mkid(4);
		struct xl_inode *d = xl_inode_new(t, &g4);

		CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(d), &g4));
		CU_ASSERT_PTR_NULL(xl_inode_find(t, &g4));
		xl_inode_unref(d); /* unindexed: freed at once */
	}

	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 3);
	CU_ASSERT_EQUAL(st.lru, 0);
	CU_ASSERT_EQUAL(st.lookups, 5); /* four get()s and the find of g4 */
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
	struct xl_id g;
	struct xl_inode_stats st;

	for (unsigned i = 0; i < 6; i++) {
		g = mkid(i);
		in[i] = get(t, &g);
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
	g = mkid(3);
	CU_ASSERT_PTR_EQUAL(xl_inode_find(t, &g), in[3]);
	xl_inode_unref(in[3]);
	xl_inode_unref(in[1]); /* LRU now 0 4 3 1: evicts 0 */
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 3);
	CU_ASSERT_EQUAL(st.evictions, 1);
	g = mkid(0);
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	xl_inode_unref(in[5]); /* 4 3 1 5: evicts 4 */
	g = mkid(4);
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	for (unsigned i = 1; i <= 3; i += 2) {
		struct xl_inode *x;

		g = mkid(i);
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
	g = mkid(2); /* the last released stays */
	in[2] = xl_inode_find(t, &g);
	CU_ASSERT_PTR_NOT_NULL(in[2]);
	xl_inode_unref(in[2]);
	xl_inode_table_free(t);
}

static void test_ctx_and_forget(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 0);
	struct xl_id g = mkid(7);
	struct xl_inode *in = get(t, &g);

	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(in, &vol_a));
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_set_if_unset(in, &vol_b, "B1"), "B1");
	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(in, &vol_a));
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(in, &vol_b), "B1");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_set_if_unset(in, &vol_a, "A1"), "A1");
	/* Already set: the earlier value stays and is returned. */
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_set_if_unset(in, &vol_b, "B2"), "B1");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(in, &vol_a), "A1");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(in, &vol_b), "B1");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_del(in, &vol_a), "A1");
	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(in, &vol_a));
	CU_ASSERT_PTR_NULL(xl_inode_ctx_del(in, &vol_a));
	/* A deleted context is the caller's: not released again. */
	g_string_truncate(forgotten, 0);
	xl_inode_unref(in); /* lru_limit 0: released means evicted */
	CU_ASSERT_STRING_EQUAL(forgotten->str, "b=B1 ");

	/* Both volumes with a context: both released; ctx_free() may use the
	 * table (reenter_table) without deadlocking. */
	in = get(t, &g);
	xl_inode_ctx_set_if_unset(in, &vol_a, "A");
	xl_inode_ctx_set_if_unset(in, &vol_b, "B");
	g_string_truncate(forgotten, 0);
	reenter_table = t;
	xl_inode_unref(in);
	reenter_table = NULL;
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=A b=B ");

	/* A fresh inode dropped before linking (the fop failed) releases its
	 * contexts too. */
	in = xl_inode_new(t, NULL);
	xl_inode_ctx_set_if_unset(in, &vol_a, "failed");
	g_string_truncate(forgotten, 0);
	xl_inode_unref(in);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=failed ");
	xl_inode_table_free(t);
}

static void test_inode_forget(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 100);
	struct xl_id g = mkid(9);
	struct xl_inode *old = get(t, &g), *fresh;
	struct xl_inode_stats st;

	xl_inode_ctx_set_if_unset(old, &vol_a, "old");
	xl_inode_forget(old);
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	fresh = get(t, &g); /* a new object, same id */
	CU_ASSERT_PTR_NOT_EQUAL(fresh, old);
	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(fresh, &vol_a));
	g_string_truncate(forgotten, 0);
	xl_inode_unref(old); /* freed, not cached */
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=old ");
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 0);
	CU_ASSERT_EQUAL(st.active, 1);

	/* Forgetting an unreferenced (cached) inode frees it. */
	xl_inode_ctx_set_if_unset(fresh, &vol_b, "fresh");
	xl_inode_unref(fresh);
	fresh = xl_inode_find(t, &g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fresh);
	xl_inode_unref(fresh);
	g_string_truncate(forgotten, 0);
	xl_inode_forget(fresh);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "b=fresh ");
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 0);

	/* By id: a cached inode goes at once, a referenced one when put. */
	fresh = get(t, &g);
	xl_inode_ctx_set_if_unset(fresh, &vol_a, "byid");
	xl_inode_unref(fresh);
	g_string_truncate(forgotten, 0);
	xl_inode_forget_id(t, &g);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=byid ");
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	fresh = get(t, &g);
	xl_inode_ctx_set_if_unset(fresh, &vol_a, "held");
	g_string_truncate(forgotten, 0);
	xl_inode_forget_id(t, &g);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "");
	CU_ASSERT_PTR_NULL(xl_inode_find(t, &g));
	xl_inode_unref(fresh);
	CU_ASSERT_STRING_EQUAL(forgotten->str, "a=held ");
	xl_inode_forget_id(t, &g); /* not cached: nothing */

	/* The table's end releases the contexts of cached inodes. */
	fresh = get(t, &g);
	xl_inode_ctx_set_if_unset(fresh, &vol_a, "last");
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
		struct xl_id g = mkid(rand_r(&seed) % 64);
		struct xl_inode *in = get(t, &g), *again;

		/* Racing get()s of one id must all end on the linked inode. */
		again = xl_inode_find(t, &g);
		if (again != in)
			__atomic_add_fetch(&mismatches, 1, __ATOMIC_RELAXED);
		xl_inode_lock(in);
		xl_inode_unlock(in);
		xl_inode_unref(again);
		xl_inode_unref(in);
	}
	return NULL;
}

/* THREADS hammer a table made for @made cached inodes, then limited to
 * @limit (a table made large is sharded: its fresh inodes move shards
 * when linked, while others find, evict and unref in both). */
static void threads_on(size_t made, size_t limit)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, made);
	pthread_t th[THREADS];
	struct xl_inode_stats st;

	xl_inode_table_set_lru_limit(t, limit);
	mismatches = 0;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, hammer, t);
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(mismatches, 0);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 0);
	CU_ASSERT_TRUE(st.lru <= limit);
	CU_ASSERT_TRUE(st.evictions > 0);
	CU_ASSERT_TRUE(st.lookups >= 2ULL * THREADS * ROUNDS);
	xl_inode_table_free(t);
}

static void test_threads(void)
{
	threads_on(8, 8);
	threads_on(16384, 32);
}

/* A large table's shards: the counts add up over them, and each keeps
 * its share of the limit. */
static void test_shards(void)
{
	struct xl_inode_table *t = xl_inode_table_new(&graph, 16384);
	struct xl_inode *in[1000];
	struct xl_inode_stats st;

	for (unsigned i = 0; i < 1000; i++)
		in[i] = get(t, &(struct xl_id){ .bytes = { 1, (uint8_t)(i >> 8), (uint8_t)i } });
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 1000);
	CU_ASSERT_EQUAL(st.lru, 0);
	for (unsigned i = 0; i < 1000; i++) {
		struct xl_inode *again = xl_inode_find(t, xl_inode_id(in[i]));

		CU_ASSERT_PTR_EQUAL(again, in[i]);
		xl_inode_unref(again);
		xl_inode_unref(in[i]);
	}
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.active, 0);
	CU_ASSERT_EQUAL(st.lru, 1000);
	CU_ASSERT_EQUAL(st.hits, 1000);
	/* 160 over 16 shards: 10 each, and each holds more than that */
	xl_inode_table_set_lru_limit(t, 160);
	xl_inode_table_stats(t, &st);
	CU_ASSERT_EQUAL(st.lru, 160);
	CU_ASSERT_EQUAL(st.evictions, 840);
	xl_inode_table_free(t);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("inode", setup, teardown);
	CU_add_test(s, "new/link/find/ref/unref", test_get_find);
	CU_add_test(s, "lru bound and order", test_lru);
	CU_add_test(s, "ctx slots and ctx_free()", test_ctx_and_forget);
	CU_add_test(s, "xl_inode_forget/forget_id", test_inode_forget);
	CU_add_test(s, "threads", test_threads);
	CU_add_test(s, "shards", test_shards);
	return cunit_run();
}

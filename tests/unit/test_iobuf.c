/*
 * test_iobuf.c — unit tests for the refcounted I/O buffers (lib/iobuf.c):
 * new buffers (page-aligned, empty ones valid), references across
 * threads, wrapped memory released exactly once by its owner's function,
 * resize only while unshared and only for the library's own buffers, and
 * slices released and cleared.
 */
#include "config.h"

#include <pthread.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <CUnit/Basic.h>

#include "iobuf.h"
#include "cunit_main.h"

static void test_new(void)
{
	struct xl_iobuf *b = xl_iobuf_new(10000), *e = xl_iobuf_new(0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(b);
	CU_ASSERT_EQUAL(b->refs, 1);
	CU_ASSERT_EQUAL(b->size, 10000);
	CU_ASSERT_EQUAL((uintptr_t)b->data % 4096, 0);
	CU_ASSERT_PTR_NULL(b->release);
	memset(b->data, 0xab, b->size); /* all of it is usable */
	CU_ASSERT_PTR_NOT_NULL_FATAL(e);
	CU_ASSERT_EQUAL(e->size, 0);
	CU_ASSERT_EQUAL((uintptr_t)e->data % 4096, 0);
	CU_ASSERT_PTR_NULL(xl_iobuf_new(SIZE_MAX - 10)); /* too big: NULL, no crash */
	xl_iobuf_unref(e);
	xl_iobuf_unref(b);
	xl_iobuf_unref(NULL);
	CU_ASSERT_PTR_NULL(xl_iobuf_ref(NULL));
}

static int releases;
static void *released_owner;

static void count_release(struct xl_iobuf *iob)
{
	releases++;
	released_owner = iob->owner;
	free(iob->data);
	xl_iobuf_free_shell(iob);
}

static void test_wrap(void)
{
	char *mem = strdup("payload");
	int owner;
	struct xl_iobuf *w = xl_iobuf_wrap(mem, 7, count_release, &owner);
	struct xl_data d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(w);
	CU_ASSERT_PTR_EQUAL(w->data, mem);
	CU_ASSERT_EQUAL(w->size, 7);
	releases = 0;
	CU_ASSERT_PTR_EQUAL(xl_iobuf_ref(w), w);
	d = (struct xl_data){.iobuf = xl_iobuf_ref(w), .ptr = w->data + 3, .len = 4};
	CU_ASSERT_EQUAL(w->refs, 3);
	xl_iobuf_unref(w);
	xl_iobuf_unref(w);
	CU_ASSERT_EQUAL(releases, 0); /* the slice still holds it */
	CU_ASSERT_EQUAL(memcmp(d.ptr, "load", 4), 0);
	xl_data_release(&d);
	CU_ASSERT_EQUAL(releases, 1);
	CU_ASSERT_PTR_EQUAL(released_owner, &owner);
	CU_ASSERT_PTR_NULL(d.iobuf);
	CU_ASSERT_PTR_NULL(d.ptr);
	CU_ASSERT_EQUAL(d.len, 0);
	xl_data_release(&d); /* released twice: nothing more */
	xl_data_release(NULL);
	CU_ASSERT_EQUAL(releases, 1);
}

static void test_resize(void)
{
	struct xl_iobuf *b = xl_iobuf_new(100), *r, *w;
	char *mem = malloc(16);

	memcpy(b->data, "0123456789", 10);
	/* Shrinking keeps the buffer and its bytes. */
	r = xl_iobuf_resize(b, 10);
	CU_ASSERT_PTR_EQUAL(r, b);
	CU_ASSERT_EQUAL(r->size, 10);
	/* Growing may move it; the bytes come along, aligned as before. */
	r = xl_iobuf_resize(b, 1 << 20);
	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	b = r;
	CU_ASSERT_EQUAL(b->size, 1 << 20);
	CU_ASSERT_EQUAL(memcmp(b->data, "0123456789", 10), 0);
	CU_ASSERT_EQUAL((uintptr_t)b->data % 4096, 0);
	CU_ASSERT_EQUAL(b->refs, 1);
	b->data[(1 << 20) - 1] = 1;
	/* Shared: refused, unchanged. */
	xl_iobuf_ref(b);
	CU_ASSERT_PTR_NULL(xl_iobuf_resize(b, 10));
	CU_ASSERT_PTR_NULL(xl_iobuf_resize(b, 2 << 20));
	CU_ASSERT_EQUAL(b->size, 1 << 20);
	xl_iobuf_unref(b);
	CU_ASSERT_PTR_EQUAL(xl_iobuf_resize(b, 20), b); /* unshared again */
	xl_iobuf_unref(b);
	/* Wrapped memory is not the library's to move. */
	releases = 0;
	w = xl_iobuf_wrap(mem, 16, count_release, NULL);
	CU_ASSERT_PTR_NULL(xl_iobuf_resize(w, 8));
	CU_ASSERT_EQUAL(w->size, 16);
	xl_iobuf_unref(w);
	CU_ASSERT_EQUAL(releases, 1);
}

#define THREADS 4
#define ROUNDS	100000

static void *hammer(void *arg)
{
	struct xl_iobuf *b = arg;

	for (int i = 0; i < ROUNDS; i++) {
		xl_iobuf_ref(b);
		xl_iobuf_unref(b);
	}
	xl_iobuf_unref(b); /* the reference main() took for this thread */
	return NULL;
}

static void test_threads(void)
{
	char *mem = malloc(8);
	struct xl_iobuf *w = xl_iobuf_wrap(mem, 8, count_release, NULL);
	pthread_t th[THREADS];

	releases = 0;
	for (int i = 0; i < THREADS; i++)
		pthread_create(&th[i], NULL, hammer, xl_iobuf_ref(w));
	xl_iobuf_unref(w); /* the threads' references keep it */
	for (int i = 0; i < THREADS; i++)
		pthread_join(th[i], NULL);
	CU_ASSERT_EQUAL(releases, 1); /* released once, by the last thread */
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("iobuf", NULL, NULL);
	CU_add_test(s, "new", test_new);
	CU_add_test(s, "wrap, slices, release", test_wrap);
	CU_add_test(s, "resize", test_resize);
	CU_add_test(s, "threads", test_threads);
	return cunit_run();
}

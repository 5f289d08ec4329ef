/*
 * objpool.c — fixed-size objects from blocks of their own (see objpool.h).
 *
 * A block is one malloc of OBJPOOL_BLOCK_BYTES: a header that links it to
 * the pool's list, then per_block objects, cut from the newest block in
 * turn. Objects given back go onto a free list (linked through their first
 * word) and are handed out again before any new one is cut.
 */
#include "config.h"

#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "lib/objpool.h"

#define OBJPOOL_BLOCK_BYTES (64 * 1024)
#define OBJPOOL_ALIGN 16

#if defined(__SANITIZE_ADDRESS__)
#define OBJPOOL_PLAIN_MALLOC 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define OBJPOOL_PLAIN_MALLOC 1
#endif
#endif

struct objpool_block {
	struct objpool_block *next;
	/* objects follow, OBJPOOL_ALIGN-aligned */
};

#define OBJPOOL_HEADER ((sizeof(struct objpool_block) + OBJPOOL_ALIGN - 1) & ~(size_t)(OBJPOOL_ALIGN - 1))

void objpool_init(struct objpool *pool, size_t size)
{
	memset(pool, 0, sizeof(*pool));
	pthread_mutex_init(&pool->lock, NULL);
	if (size < sizeof(void *))
		size = sizeof(void *);
	pool->size = (size + OBJPOOL_ALIGN - 1) & ~(size_t)(OBJPOOL_ALIGN - 1);
	pool->per_block = (OBJPOOL_BLOCK_BYTES - OBJPOOL_HEADER) / pool->size;
	if (pool->per_block == 0)
		pool->per_block = 1;
}

void objpool_destroy(struct objpool *pool)
{
	struct objpool_block *b = pool->blocks;

	while (b) {
		struct objpool_block *next = b->next;

		g_free(b);
		b = next;
	}
	pool->blocks = NULL;
	pool->free = NULL;
	pthread_mutex_destroy(&pool->lock);
}

/* Start a new block: objects are cut from it as they are asked for (its
 * pages are touched only then). The pool's lock held. */
static void objpool_grow(struct objpool *pool)
{
	struct objpool_block *b = g_malloc(OBJPOOL_HEADER + pool->per_block * pool->size);

	b->next = pool->blocks;
	pool->blocks = b;
	pool->nblocks++;
	pool->fresh = (char *)b + OBJPOOL_HEADER;
	pool->nfresh = pool->per_block;
}

void *objpool_alloc(struct objpool *pool)
{
	void *obj;

#ifdef OBJPOOL_PLAIN_MALLOC
	pthread_mutex_lock(&pool->lock);
	pool->live++;
	pthread_mutex_unlock(&pool->lock);
	return g_malloc0(pool->size);
#endif
	pthread_mutex_lock(&pool->lock);
	if (pool->free) {
		obj = pool->free;
		pool->free = *(void **)obj;
	} else {
		if (!pool->nfresh)
			objpool_grow(pool);
		obj = pool->fresh;
		pool->fresh += pool->size;
		pool->nfresh--;
	}
	pool->live++;
	pthread_mutex_unlock(&pool->lock);
	memset(obj, 0, pool->size);
	return obj;
}

void objpool_free(struct objpool *pool, void *obj)
{
	if (!obj)
		return;
#ifdef OBJPOOL_PLAIN_MALLOC
	pthread_mutex_lock(&pool->lock);
	pool->live--;
	pthread_mutex_unlock(&pool->lock);
	g_free(obj);
	return;
#endif
	pthread_mutex_lock(&pool->lock);
	*(void **)obj = pool->free;
	pool->free = obj;
	pool->live--;
	pthread_mutex_unlock(&pool->lock);
}

size_t objpool_live(struct objpool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->live;
	pthread_mutex_unlock(&pool->lock);
	return n;
}

size_t objpool_bytes(struct objpool *pool)
{
	size_t n;

	pthread_mutex_lock(&pool->lock);
	n = pool->nblocks * (OBJPOOL_HEADER + pool->per_block * pool->size);
	pthread_mutex_unlock(&pool->lock);
	return n;
}

/*
 * objpool.h — a pool of fixed-size objects for the long-lived caches.
 *
 * The inode table keeps thousands of inodes (and storage its contexts)
 * for as long as they stay in the LRU, while every call mallocs and frees
 * small buffers around them. In the same malloc arenas the long-lived
 * objects pin pages between the short-lived holes, and a server that
 * looks up millions of distinct files grew by 10% after its LRU was full.
 * A pool hands out objects of one size from blocks of its own and takes
 * them back on a free list: its memory follows the peak number of live
 * objects (bounded by the LRU) and nothing else. Blocks go back only when
 * the pool is destroyed.
 *
 * Thread-safe (one mutex, held for a list push or pop). Under
 * AddressSanitizer each object is its own malloc, so use after free is
 * still caught.
 */
#ifndef XLNFS_OBJPOOL_H
#define XLNFS_OBJPOOL_H

#include <pthread.h>
#include <stddef.h>

struct objpool_block;

struct objpool {
	pthread_mutex_t lock;
	size_t size;			/* of one object, rounded up for alignment */
	size_t per_block;		/* objects carved from one block */
	void *free;			/* singly linked through each object's first word */
	char *fresh;			/* next object never handed out, in the newest block */
	size_t nfresh;			/* objects left to cut there */
	struct objpool_block *blocks;	/* every block, for objpool_destroy() */
	size_t live;			/* objects handed out and not returned */
	size_t nblocks;
};

/* Set up @pool for objects of @size bytes (> 0). */
void objpool_init(struct objpool *pool, size_t size);
/* Free every block; objects still out become invalid. */
void objpool_destroy(struct objpool *pool);
/* A zeroed object; like g_malloc, aborts if memory runs out. */
void *objpool_alloc(struct objpool *pool);
/* Give back @obj (NULL: nothing) taken from @pool. */
void objpool_free(struct objpool *pool, void *obj);
/* Objects out now, and bytes of blocks held (for tests and metrics). */
size_t objpool_live(struct objpool *pool);
size_t objpool_bytes(struct objpool *pool);

#endif

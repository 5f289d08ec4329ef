/*
 * iobuf.h — refcounted I/O buffers: who owns the bytes of a READ or WRITE.
 *
 * A struct xl_iobuf is a block of memory with a reference count. The RPC
 * layer receives each call into one (the record buffer), so WRITE data is
 * a slice of it that a translator may keep past the call by taking a
 * reference (write-behind acknowledges early that way, without a copy);
 * READ returns a slice of a buffer that storage (or a cache) filled and
 * the RPC layer sends the reply's payload straight from it. Nobody copies
 * payload bytes in user space on the way.
 *
 * A struct xl_data names a slice: the buffer that owns the bytes and where
 * they are in it. Whoever holds an xl_data that it must release holds one
 * reference on data.iobuf.
 *
 * All functions are thread-safe (the count is atomic); the bytes are not
 * guarded: a buffer is written by its maker before it is shared and only
 * read afterwards.
 */
#ifndef XLNFS_IOBUF_H
#define XLNFS_IOBUF_H

#include <stddef.h>
#include <stdint.h>

struct xl_iobuf {
	int refs;            /* atomic; the buffer is freed when it drops to 0 */
	size_t size;         /* bytes at data */
	uint8_t *data;       /* page-aligned for buffers made by xl_iobuf_new */
	/* Frees the buffer; NULL for xl_iobuf_new's (data is inline). */
	void (*release)(struct xl_iobuf *iob);
	void *owner;         /* for release(): what the data belongs to */
};

/* A new buffer of @size bytes (contents undefined) with one reference,
 * or NULL when out of memory. @size 0 gives a valid empty buffer. */
struct xl_iobuf *xl_iobuf_new(size_t size);
/* A buffer around memory the caller owns: @release(iob) runs when the last
 * reference goes (it must free @data as needed and then call
 * xl_iobuf_free_shell(iob)). NULL when out of memory (then @data is still
 * the caller's). */
struct xl_iobuf *xl_iobuf_wrap(void *data, size_t size, void (*release)(struct xl_iobuf *iob),
			       void *owner);
/* Free the struct of a wrapped buffer (from its release function). */
void xl_iobuf_free_shell(struct xl_iobuf *iob);
/* Take a reference; returns @iob. NULL-safe. */
struct xl_iobuf *xl_iobuf_ref(struct xl_iobuf *iob);
/* Drop a reference. NULL-safe. */
void xl_iobuf_unref(struct xl_iobuf *iob);
/* Resize a buffer nobody else references yet (refs == 1, made by
 * xl_iobuf_new) to @size bytes, keeping the first min(old, new) bytes.
 * Returns the buffer (possibly moved: use the returned pointer) or NULL
 * (then @iob is unchanged). */
struct xl_iobuf *xl_iobuf_resize(struct xl_iobuf *iob, size_t size);

/* A slice of a buffer: @len bytes at @ptr, which lies within @iobuf. */
struct xl_data {
	struct xl_iobuf *iobuf;
	uint8_t *ptr;
	size_t len;
};

/* Release a slice's reference and clear it. NULL-safe. */
void xl_data_release(struct xl_data *d);

#endif

/*
 * iobuf.c — refcounted I/O buffers (iobuf.h).
 *
 * A buffer made by xl_iobuf_new is one allocation: the struct, then the
 * bytes from the next page boundary (so storage may use them with
 * O_DIRECT and the kernel may splice or zero-copy them). A wrapped buffer
 * is a struct pointing at someone else's memory, freed by its release().
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "iobuf.h"

#define IOBUF_ALIGN 4096

struct xl_iobuf *xl_iobuf_new(size_t size)
{
	struct xl_iobuf *iob;
	void *mem;
	size_t head = IOBUF_ALIGN; /* the struct lives in the first page */

	if (size > SIZE_MAX - head)
		return NULL;
	if (posix_memalign(&mem, IOBUF_ALIGN, head + (size ? size : 1)) != 0)
		return NULL;
	iob = mem;
	memset(iob, 0, sizeof(*iob));
	iob->refs = 1;
	iob->size = size;
	iob->data = (uint8_t *)mem + head;
	return iob;
}

struct xl_iobuf *xl_iobuf_wrap(void *data, size_t size, void (*release)(struct xl_iobuf *iob),
			       void *owner)
{
	struct xl_iobuf *iob = calloc(1, sizeof(*iob));

	if (!iob)
		return NULL;
	iob->refs = 1;
	iob->size = size;
	iob->data = data;
	iob->release = release;
	iob->owner = owner;
	return iob;
}

void xl_iobuf_free_shell(struct xl_iobuf *iob)
{
	free(iob);
}

struct xl_iobuf *xl_iobuf_ref(struct xl_iobuf *iob)
{
	if (iob)
		__atomic_add_fetch(&iob->refs, 1, __ATOMIC_RELAXED);
	return iob;
}

void xl_iobuf_unref(struct xl_iobuf *iob)
{
	if (!iob || __atomic_sub_fetch(&iob->refs, 1, __ATOMIC_ACQ_REL) != 0)
		return;
	if (iob->release)
		iob->release(iob);
	else
		free(iob);
}

struct xl_iobuf *xl_iobuf_resize(struct xl_iobuf *iob, size_t size)
{
	struct xl_iobuf *bigger;

	if (iob->release || __atomic_load_n(&iob->refs, __ATOMIC_ACQUIRE) != 1)
		return NULL;
	if (size <= iob->size) {
		iob->size = size;
		return iob;
	}
	bigger = xl_iobuf_new(size);
	if (!bigger)
		return NULL;
	memcpy(bigger->data, iob->data, iob->size);
	free(iob);
	return bigger;
}

void xl_data_release(struct xl_data *d)
{
	if (!d)
		return;
	xl_iobuf_unref(d->iobuf);
	d->iobuf = NULL;
	d->ptr = NULL;
	d->len = 0;
}

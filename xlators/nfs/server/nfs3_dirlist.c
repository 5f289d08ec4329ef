/*
 * nfs3_dirlist.c — one READDIR(PLUS) reply's entry list in an arena of
 * 64 KiB chunks, freed at once (see nfs3_dirlist.h). A 128 KiB
 * READDIRPLUS made three mallocs per entry (entry, name, handle) and
 * xdr_free walked the list back node by node.
 */
#include "config.h"

#include <stdalign.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "nfs3_dirlist.h"

#define NFS3_DIRLIST_CHUNK (64 * 1024)

struct nfs3_dirlist_chunk {
	struct nfs3_dirlist_chunk *next;
	size_t used, size;
	alignas(max_align_t) unsigned char data[];
};

void *nfs3_dirlist_alloc(struct nfs3_dirlist *l, size_t size)
{
	struct nfs3_dirlist_chunk *c = l->cur;
	size_t need = (size + 7) & ~(size_t)7, csize;
	void *p;

	if (!c || c->size - c->used < need) {
		csize = need > NFS3_DIRLIST_CHUNK ? need : NFS3_DIRLIST_CHUNK;
		c = malloc(sizeof(*c) + csize);
		if (!c)
			return NULL;
		c->next = NULL;
		c->used = 0;
		c->size = csize;
		if (l->cur)
			l->cur->next = c;
		else
			l->first = c;
		l->cur = c;
	}
	p = c->data + c->used;
	c->used += need;
	memset(p, 0, size);
	return p;
}

static void nfs3_dirlist_free_chunks(struct nfs3_dirlist_chunk *c)
{
	while (c) {
		struct nfs3_dirlist_chunk *next = c->next;

		free(c);
		c = next;
	}
}

void nfs3_dirlist_free(struct nfs3_dirlist *l)
{
	nfs3_dirlist_free_chunks(l->first);
	l->first = l->cur = NULL;
}

/* The arena whose first allocation is @first (NULL: none). */
static void nfs3_dirlist_free_from(void *first)
{
	if (first)
		nfs3_dirlist_free_chunks((struct nfs3_dirlist_chunk *)
					 ((unsigned char *)first -
					  offsetof(struct nfs3_dirlist_chunk, data)));
}

bool_t nfs3_xdr_READDIR3res_list(XDR *xdrs, READDIR3res *res)
{
	if (xdrs->x_op != XDR_FREE)
		return xdr_READDIR3res(xdrs, res);
	if (res->status == NFS3_OK) {
		nfs3_dirlist_free_from(res->READDIR3res_u.resok.reply.entries);
		res->READDIR3res_u.resok.reply.entries = NULL;
	}
	return TRUE;
}

bool_t nfs3_xdr_READDIRPLUS3res_list(XDR *xdrs, READDIRPLUS3res *res)
{
	if (xdrs->x_op != XDR_FREE)
		return xdr_READDIRPLUS3res(xdrs, res);
	if (res->status == NFS3_OK) {
		nfs3_dirlist_free_from(res->READDIRPLUS3res_u.resok.reply.entries);
		res->READDIRPLUS3res_u.resok.reply.entries = NULL;
	}
	return TRUE;
}

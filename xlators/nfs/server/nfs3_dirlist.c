/*
 * nfs3_dirlist.c — one READDIR(PLUS) reply's entry list in an arena of
 * 64 KiB chunks, freed at once (see nfs3_dirlist.h), and its encoding:
 * the list iteratively, each entry's words written straight into the
 * reply buffer (XDR_INLINE) where rpcgen's code made a dozen calls per
 * entry and recursed along the list. A 128 KiB READDIRPLUS made three
 * mallocs per entry (entry, name, handle) and xdr_free walked the list
 * back node by node.
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

/* Put @v as two XDR words at @p; returns the next word. */
static int32_t *nfs3_dirlist_put64(int32_t *p, uint64_t v)
{
	IXDR_PUT_U_INT32(p, (uint32_t)(v >> 32));
	IXDR_PUT_U_INT32(p, (uint32_t)v);
	return p;
}

/* Put @len bytes of @data as a variable-length opaque (length word,
 * bytes, zero padding); returns the next word. */
static int32_t *nfs3_dirlist_put_opaque(int32_t *p, const void *data, uint32_t len)
{
	IXDR_PUT_U_INT32(p, len);
	if (len) {
		p[(len - 1) / 4] = 0; /* the padding */
		memcpy(p, data, len);
	}
	return p + (len + 3) / 4;
}

static int32_t *nfs3_dirlist_put_fattr3(int32_t *p, const fattr3 *a)
{
	IXDR_PUT_U_INT32(p, a->type);
	IXDR_PUT_U_INT32(p, a->mode);
	IXDR_PUT_U_INT32(p, a->nlink);
	IXDR_PUT_U_INT32(p, a->uid);
	IXDR_PUT_U_INT32(p, a->gid);
	p = nfs3_dirlist_put64(p, a->size);
	p = nfs3_dirlist_put64(p, a->used);
	IXDR_PUT_U_INT32(p, a->rdev.specdata1);
	IXDR_PUT_U_INT32(p, a->rdev.specdata2);
	p = nfs3_dirlist_put64(p, a->fsid);
	p = nfs3_dirlist_put64(p, a->fileid);
	IXDR_PUT_U_INT32(p, a->atime.seconds);
	IXDR_PUT_U_INT32(p, a->atime.nseconds);
	IXDR_PUT_U_INT32(p, a->mtime.seconds);
	IXDR_PUT_U_INT32(p, a->mtime.nseconds);
	IXDR_PUT_U_INT32(p, a->ctime.seconds);
	IXDR_PUT_U_INT32(p, a->ctime.nseconds);
	return p;
}

/* The words one entry takes, with its "an entry follows" word. */
static size_t nfs3_dirlist_entry3_words(size_t namelen)
{
	return 1 + 2 + 1 + (namelen + 3) / 4 + 2;
}

/* One entry3 without its nextentry, as rpcgen's code encodes it, straight
 * into the stream's buffer when it lends one (XDR_INLINE), else field by
 * field. */
static bool_t nfs3_dirlist_entry3(XDR *xdrs, entry3 *e)
{
	size_t len = strlen(e->name);
	bool_t more = TRUE;
	int32_t *p;

	if (len > UINT32_MAX / 2)
		return FALSE;
	p = XDR_INLINE(xdrs, (int)(4 * nfs3_dirlist_entry3_words(len)));
	if (!p)
		return xdr_bool(xdrs, &more) && xdr_fileid3(xdrs, &e->fileid) &&
		       xdr_filename3(xdrs, &e->name) && xdr_cookie3(xdrs, &e->cookie);
	IXDR_PUT_BOOL(p, TRUE);
	p = nfs3_dirlist_put64(p, e->fileid);
	p = nfs3_dirlist_put_opaque(p, e->name, (uint32_t)len);
	nfs3_dirlist_put64(p, e->cookie);
	return TRUE;
}

/* One entryplus3 without its nextentry (see nfs3_dirlist_entry3). */
static bool_t nfs3_dirlist_entryplus3(XDR *xdrs, entryplus3 *e)
{
	size_t len = strlen(e->name), words = nfs3_dirlist_entry3_words(len) + 1 + 1;
	bool_t attr = e->name_attributes.attributes_follow;
	bool_t fh = e->name_handle.handle_follows;
	nfs_fh3 *h = &e->name_handle.post_op_fh3_u.handle;
	bool_t more = TRUE;
	int32_t *p;

	if (len > UINT32_MAX / 2)
		return FALSE;
	if (fh && h->data.data_len > NFS3_FHSIZE)
		return FALSE; /* as xdr_nfs_fh3 */
	words += attr ? 21 : 0;
	words += fh ? 1 + (h->data.data_len + 3) / 4 : 0;
	p = XDR_INLINE(xdrs, (int)(4 * words));
	if (!p)
		return xdr_bool(xdrs, &more) && xdr_fileid3(xdrs, &e->fileid) &&
		       xdr_filename3(xdrs, &e->name) && xdr_cookie3(xdrs, &e->cookie) &&
		       xdr_post_op_attr(xdrs, &e->name_attributes) &&
		       xdr_post_op_fh3(xdrs, &e->name_handle);
	IXDR_PUT_BOOL(p, TRUE);
	p = nfs3_dirlist_put64(p, e->fileid);
	p = nfs3_dirlist_put_opaque(p, e->name, (uint32_t)len);
	p = nfs3_dirlist_put64(p, e->cookie);
	IXDR_PUT_BOOL(p, attr);
	if (attr)
		p = nfs3_dirlist_put_fattr3(p, &e->name_attributes.post_op_attr_u.attributes);
	IXDR_PUT_BOOL(p, fh);
	if (fh)
		nfs3_dirlist_put_opaque(p, h->data.data_val, h->data.data_len);
	return TRUE;
}

bool_t nfs3_xdr_READDIR3res_list(XDR *xdrs, READDIR3res *res)
{
	READDIR3resok *ok = &res->READDIR3res_u.resok;
	bool_t end = FALSE;

	if (xdrs->x_op == XDR_FREE) {
		if (res->status == NFS3_OK) {
			nfs3_dirlist_free_from(ok->reply.entries);
			ok->reply.entries = NULL;
		}
		return TRUE;
	}
	if (xdrs->x_op != XDR_ENCODE || res->status != NFS3_OK)
		return xdr_READDIR3res(xdrs, res);
	/* the list iteratively, each entry in one go */
	if (!xdr_nfsstat3(xdrs, &res->status) || !xdr_post_op_attr(xdrs, &ok->dir_attributes) ||
	    !xdr_cookieverf3(xdrs, ok->cookieverf))
		return FALSE;
	for (entry3 *e = ok->reply.entries; e; e = e->nextentry)
		if (!nfs3_dirlist_entry3(xdrs, e))
			return FALSE;
	return xdr_bool(xdrs, &end) && xdr_bool(xdrs, &ok->reply.eof);
}

bool_t nfs3_xdr_READDIRPLUS3res_list(XDR *xdrs, READDIRPLUS3res *res)
{
	READDIRPLUS3resok *ok = &res->READDIRPLUS3res_u.resok;
	bool_t end = FALSE;

	if (xdrs->x_op == XDR_FREE) {
		if (res->status == NFS3_OK) {
			nfs3_dirlist_free_from(ok->reply.entries);
			ok->reply.entries = NULL;
		}
		return TRUE;
	}
	if (xdrs->x_op != XDR_ENCODE || res->status != NFS3_OK)
		return xdr_READDIRPLUS3res(xdrs, res);
	if (!xdr_nfsstat3(xdrs, &res->status) || !xdr_post_op_attr(xdrs, &ok->dir_attributes) ||
	    !xdr_cookieverf3(xdrs, ok->cookieverf))
		return FALSE;
	for (entryplus3 *e = ok->reply.entries; e; e = e->nextentry)
		if (!nfs3_dirlist_entryplus3(xdrs, e))
			return FALSE;
	return xdr_bool(xdrs, &end) && xdr_bool(xdrs, &ok->reply.eof);
}

/*
 * nfs3_dirlist.h — the memory of one READDIR or READDIRPLUS reply's entry
 * list: every entry, name and handle of one reply bump-allocated from a
 * few 64 KiB chunks (no malloc per entry), and the XDR procedures of the
 * two results, which encode as rpcgen's do and free the whole list at
 * once.
 *
 * Contract: the first allocation of a list's arena is its first entry
 * (the one the result's entries field points at), so that the result
 * alone leads back to the arena when the RPC service xdr_free()s it.
 */
#ifndef XLNFS_NFS3_DIRLIST_H
#define XLNFS_NFS3_DIRLIST_H

#include <stddef.h>

#include "nfs3_prot.h"

struct nfs3_dirlist_chunk;

/* An arena; zero-initialised is empty. */
struct nfs3_dirlist {
	struct nfs3_dirlist_chunk *first, *cur;
};

/* @size zeroed bytes, 8-aligned, owned by @l; NULL when out of memory. */
void *nfs3_dirlist_alloc(struct nfs3_dirlist *l, size_t size);
/* Free everything @l holds; it is empty again. */
void nfs3_dirlist_free(struct nfs3_dirlist *l);

/* READDIR3res / READDIRPLUS3res for the actor table: encode the same
 * bytes as xdr_READDIR3res / xdr_READDIRPLUS3res (decode with them);
 * XDR_FREE frees the
 * entry list as one arena (see the contract above) and clears it. A
 * result decoded by these is not an arena's: free it with rpcgen's. */
bool_t nfs3_xdr_READDIR3res_list(XDR *xdrs, READDIR3res *res);
bool_t nfs3_xdr_READDIRPLUS3res_list(XDR *xdrs, READDIRPLUS3res *res);

#endif

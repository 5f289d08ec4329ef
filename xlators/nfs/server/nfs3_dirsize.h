/*
 * nfs3_dirsize.h — how many bytes a READDIR or READDIRPLUS reply takes on
 * the wire, counted as XDR encodes it, so that the actors can stop adding
 * entries before the client's count / dircount / maxcount is exceeded.
 *
 * A reply is a fixed part (status, dir post_op_attr with attributes, the
 * cookie verifier, the list's final "no more entries" word and eof) plus,
 * per entry, the word saying an entry follows and the entry itself.
 */
#ifndef XLNFS_NFS3_DIRSIZE_H
#define XLNFS_NFS3_DIRSIZE_H

#include <stdbool.h>
#include <stddef.h>

/* Bytes of a fattr3 and of the fixed part of a READDIR(PLUS)3res. */
#define NFS3_XDR_FATTR3	       84
#define NFS3_XDR_READDIR_FIXED (4 + (4 + NFS3_XDR_FATTR3) + 8 + 4 + 4)

/* A name of @len bytes as a filename3: length word + padded bytes. */
size_t nfs3_xdr_name_size(size_t len);
/* One entry3 with its preceding value-follows word. */
size_t nfs3_xdr_entry3_size(size_t namelen);
/* One entryplus3 with its value-follows word; @has_attr: name_attributes
 * follow; @fhlen: the handle's length, 0 for no handle. */
size_t nfs3_xdr_entryplus3_size(size_t namelen, bool has_attr, size_t fhlen);
/* What an entry counts against READDIRPLUS's dircount: fileid, name and
 * cookie as encoded. */
size_t nfs3_xdr_dirinfo_size(size_t namelen);

/* A running budget for one reply. */
struct nfs3_dirsize {
	size_t max;	     /* count (READDIR) or maxcount (READDIRPLUS) */
	size_t dirmax;	     /* dircount (READDIRPLUS); 0: no such limit */
	size_t used;	     /* bytes of the reply so far, fixed part included */
	size_t dirused;	     /* dircount bytes so far */
	unsigned entries;    /* entries taken */
	unsigned maxentries; /* a cap on entries; 0: none */
};

/* Start a budget: used = NFS3_XDR_READDIR_FIXED. */
void nfs3_dirsize_init(struct nfs3_dirsize *ds, size_t max, size_t dirmax, unsigned maxentries);
/* Take an entry of @size reply bytes and @dirsize dircount bytes if both
 * still fit (and the entry cap is not reached): true and counted; else
 * false and nothing changes. */
bool nfs3_dirsize_take(struct nfs3_dirsize *ds, size_t size, size_t dirsize);
/* Does the fixed part alone fit? */
bool nfs3_dirsize_fixed_fits(const struct nfs3_dirsize *ds);

#endif

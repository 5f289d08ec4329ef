/*
 * nfs3_xdr_names.c — filename3 and nfspath3 as the wire says them.
 *
 * rpcgen's xdr_filename3 and xdr_nfspath3 are xdr_string(), which lets an
 * embedded NUL truncate a name (REMOVE "keep\0.bak" removing "keep").
 * The build renames those two generated routines (nfs3_rpcgen_xdr_*, see
 * local.mk) and these take their names, so every argument and result
 * that holds a name or a path (LOOKUP, CREATE, REMOVE, RENAME, SYMLINK's
 * target, READDIR entries...) goes through xdr_cstring(): the same bytes
 * on the wire, but a NUL inside a name fails decoding (GARBAGE_ARGS, as
 * knfsd). Bounds are the .x file's (4096).
 */
#include "config.h"

#include "nfs3_prot.h"
#include "xdr_cstring.h"

#define NFS3_XDR_NAME_MAX 4096

bool_t xdr_filename3(XDR *xdrs, filename3 *objp)
{
	return xdr_cstring(xdrs, objp, NFS3_XDR_NAME_MAX);
}

bool_t xdr_nfspath3(XDR *xdrs, nfspath3 *objp)
{
	return xdr_cstring(xdrs, objp, NFS3_XDR_NAME_MAX);
}

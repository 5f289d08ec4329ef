/*
 * mount3_xdr_names.c — MOUNT's dirpath as the wire says it.
 *
 * rpcgen's xdr_dirpath is xdr_string(), which lets an embedded NUL cut a
 * path short ("/export\0/../x" mounting "/export"). The build renames the
 * generated routine (mount3_rpcgen_xdr_dirpath, see local.mk) and this
 * takes its name: the same bytes on the wire, but a NUL inside the path
 * fails decoding, so MNT and UMNT answer GARBAGE_ARGS.
 */
#include "config.h"

#include "mount3_prot.h"
#include "xdr_cstring.h"

bool_t xdr_dirpath(XDR *xdrs, dirpath *objp)
{
	return xdr_cstring(xdrs, objp, MNTPATHLEN);
}

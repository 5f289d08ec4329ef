/*
 * xdr_cstring.h — XDR strings that are exactly what the wire says.
 *
 * libtirpc's xdr_string() decodes the bytes of a string<> and puts a NUL
 * after them; a NUL inside them silently cuts the C string short, so
 * "keep\0.bak" arrives as "keep" and a REMOVE of it removes "keep". The
 * protocol programs decode their names and paths (NFS filename3 and
 * nfspath3, MOUNT dirpath) with xdr_cstring() instead, which refuses an
 * embedded NUL as a decoding error: the call gets GARBAGE_ARGS, as knfsd
 * answers (fs/nfsd/nfs3xdr.c refuses NUL and '/' in filename3 while
 * decoding). Header-only, because both XDR libraries (NFS and MOUNT) use
 * it and are linked into the same module.
 */
#ifndef XLNFS_XDR_CSTRING_H
#define XLNFS_XDR_CSTRING_H

#include <rpc/rpc.h>
#include <stdlib.h>
#include <string.h>

/* As xdr_string(@xdrs, @sp, @maxsize), the same bytes on the wire, but
 * decoding fails on a NUL among the string's bytes (nothing is left
 * allocated then). Decoding into a NULL *@sp allocates with malloc();
 * XDR_FREE frees with free(), as xdr_string does. */
static inline bool_t xdr_cstring(XDR *xdrs, char **sp, u_int maxsize)
{
	char *s = *sp;
	bool_t allocated = FALSE;
	u_int size;

	switch (xdrs->x_op) {
	case XDR_FREE:
		free(s);
		*sp = NULL;
		return TRUE;
	case XDR_ENCODE:
		if (!s)
			return FALSE;
		size = (u_int)strlen(s);
		if (size > maxsize)
			return FALSE;
		return xdr_u_int(xdrs, &size) && xdr_opaque(xdrs, s, size);
	case XDR_DECODE:
		if (!xdr_u_int(xdrs, &size) || size > maxsize)
			return FALSE;
		if (!s) {
			s = malloc((size_t)size + 1);
			if (!s)
				return FALSE;
			allocated = TRUE;
		}
		if (!xdr_opaque(xdrs, s, size) || memchr(s, '\0', size)) {
			if (allocated)
				free(s);
			return FALSE;
		}
		s[size] = '\0';
		*sp = s;
		return TRUE;
	}
	return FALSE;
}

#endif

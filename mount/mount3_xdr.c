/*
 * mount3_xdr.c — XDR for the MOUNT protocol's linked lists (mountlist,
 * groups, exports) as loops.
 *
 * On the wire an optional-data list is "TRUE item TRUE item … FALSE"
 * (RFC 4506 §4.19). rpcgen's routines recurse once per node, which turns
 * a DUMP of thousands of mounts into thousands of stack frames while
 * encoding and again while freeing; these walk the list instead. The
 * items themselves use rpcgen's xdr_name and xdr_dirpath.
 */
#include "config.h"

#include <stdlib.h>

#include "mount3.h"

/* The "another node follows" flag before each node: encoded from whether
 * @node exists, decoded into *more. */
static bool_t mount3_xdr_more(XDR *xdrs, const void *node, bool_t *more)
{
	*more = node != NULL;
	return xdr_bool(xdrs, more);
}

/* The node to fill next: @node itself unless decoding, when a zeroed one
 * of @size bytes is allocated if @more (NULL on allocation failure). */
static void *mount3_xdr_node(XDR *xdrs, void *node, bool_t more, size_t size)
{
	if (xdrs->x_op != XDR_DECODE)
		return node;
	return more ? calloc(1, size) : NULL;
}

bool_t mount3_xdr_mountlist(XDR *xdrs, mountlist *objp)
{
	mountlist *link = objp;
	bool_t more;

	if (xdrs->x_op == XDR_FREE) {
		while (*objp) {
			mountbody *b = *objp;

			*objp = b->ml_next;
			xdr_name(xdrs, &b->ml_hostname);
			xdr_dirpath(xdrs, &b->ml_directory);
			free(b);
		}
		return TRUE;
	}
	for (;;) {
		if (!mount3_xdr_more(xdrs, *link, &more))
			return FALSE;
		*link = mount3_xdr_node(xdrs, *link, more, sizeof(**link));
		if (!more)
			return TRUE;
		if (!*link)
			return FALSE;
		if (!xdr_name(xdrs, &(*link)->ml_hostname) ||
		    !xdr_dirpath(xdrs, &(*link)->ml_directory))
			return FALSE;
		link = &(*link)->ml_next;
	}
}

static bool_t mount3_xdr_groups(XDR *xdrs, groups *objp)
{
	groups *link = objp;
	bool_t more;

	if (xdrs->x_op == XDR_FREE) {
		while (*objp) {
			groupnode *g = *objp;

			*objp = g->gr_next;
			xdr_name(xdrs, &g->gr_name);
			free(g);
		}
		return TRUE;
	}
	for (;;) {
		if (!mount3_xdr_more(xdrs, *link, &more))
			return FALSE;
		*link = mount3_xdr_node(xdrs, *link, more, sizeof(**link));
		if (!more)
			return TRUE;
		if (!*link)
			return FALSE;
		if (!xdr_name(xdrs, &(*link)->gr_name))
			return FALSE;
		link = &(*link)->gr_next;
	}
}

bool_t mount3_xdr_exports(XDR *xdrs, exports *objp)
{
	exports *link = objp;
	bool_t more;

	if (xdrs->x_op == XDR_FREE) {
		while (*objp) {
			exportnode *e = *objp;

			*objp = e->ex_next;
			xdr_dirpath(xdrs, &e->ex_dir);
			mount3_xdr_groups(xdrs, &e->ex_groups);
			free(e);
		}
		return TRUE;
	}
	for (;;) {
		if (!mount3_xdr_more(xdrs, *link, &more))
			return FALSE;
		*link = mount3_xdr_node(xdrs, *link, more, sizeof(**link));
		if (!more)
			return TRUE;
		if (!*link)
			return FALSE;
		if (!xdr_dirpath(xdrs, &(*link)->ex_dir) ||
		    !mount3_xdr_groups(xdrs, &(*link)->ex_groups))
			return FALSE;
		link = &(*link)->ex_next;
	}
}

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

#include <stddef.h>
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

/* The items of one list: code (or, under XDR_FREE, free) @node's fields. */
typedef bool_t (*mount3_xdr_item_fn)(XDR *xdrs, void *node);

/* Where @node keeps its next pointer, @next_off bytes in. */
static void **mount3_xdr_next(void *node, size_t next_off)
{
	return (void **)((char *)node + next_off);
}

/* A whole list from *@head: nodes of @size bytes with their next
 * pointer at @next_off and their fields coded by @item. */
static bool_t mount3_xdr_list(XDR *xdrs, void **head, size_t size, size_t next_off,
			      mount3_xdr_item_fn item)
{
	void **link = head;
	bool_t more;

	if (xdrs->x_op == XDR_FREE) {
		while (*head) {
			void *node = *head;

			*head = *mount3_xdr_next(node, next_off);
			item(xdrs, node);
			free(node);
		}
		return TRUE;
	}
	for (;;) {
		if (!mount3_xdr_more(xdrs, *link, &more))
			return FALSE;
		*link = mount3_xdr_node(xdrs, *link, more, size);
		if (!more)
			return TRUE;
		if (!*link || !item(xdrs, *link))
			return FALSE;
		link = mount3_xdr_next(*link, next_off);
	}
}

static bool_t mount3_xdr_mountbody(XDR *xdrs, void *node)
{
	mountbody *b = node;

	return xdr_name(xdrs, &b->ml_hostname) && xdr_dirpath(xdrs, &b->ml_directory);
}

bool_t mount3_xdr_mountlist(XDR *xdrs, mountlist *objp)
{
	return mount3_xdr_list(xdrs, (void **)objp, sizeof(mountbody),
			       offsetof(mountbody, ml_next), mount3_xdr_mountbody);
}

static bool_t mount3_xdr_groupnode(XDR *xdrs, void *node)
{
	groupnode *g = node;

	return xdr_name(xdrs, &g->gr_name);
}

static bool_t mount3_xdr_exportnode(XDR *xdrs, void *node)
{
	exportnode *e = node;

	/* (xdr_dirpath cannot fail under XDR_FREE, so the groups are freed) */
	return xdr_dirpath(xdrs, &e->ex_dir) &&
	       mount3_xdr_list(xdrs, (void **)&e->ex_groups, sizeof(groupnode),
			       offsetof(groupnode, gr_next), mount3_xdr_groupnode);
}

bool_t mount3_xdr_exports(XDR *xdrs, exports *objp)
{
	return mount3_xdr_list(xdrs, (void **)objp, sizeof(exportnode),
			       offsetof(exportnode, ex_next), mount3_xdr_exportnode);
}

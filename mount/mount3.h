/*
 * mount3.h — inside the MOUNT program (versions 1 and 3): what its files
 * share. mount3.c holds the actor tables and the program's life cycle,
 * mount3_proc.c the actors, mount3_path.c the MNT path rules, mount3_xdr.c
 * the list encoders, mountlist.c the persistent mount list. The public
 * entry points are in mount.h; what MOUNT asks of the NFS server is in
 * nfs_mount_iface.h.
 */
#ifndef XLNFS_MOUNT3_H
#define XLNFS_MOUNT3_H

#include <stddef.h>

#include "mount.h"
#include "mount3_prot.h"
#include "mountlist.h"
#include "nfs_mount_iface.h"
#include "xlator.h"

/* The programs' state (their private). */
struct mount3 {
	struct nfs_server *srv;
	struct mountlist *list;
	char *log_name;
	bool list_all;      /* EXPORT lists every export (mount.h) */
	bool lends_list;    /* list was handed to a successor (mount3_programs_switch) */
};

/* The MOUNT state behind a request. */
struct mount3 *mount3_of(struct rpcsvc_request *req);

/* Normalise the MOUNT path @path into @out (@size bytes): repeated '/'
 * collapse, a trailing '/' (other than the root's) and "." components go.
 * 0; -EINVAL if @path is not absolute or has a ".." component;
 * -ENAMETOOLONG if a component exceeds 255 bytes or @out is too small. */
int mount3_path_normalise(const char *path, char *out, size_t size);

/* The export @path (normalised) lies in: the longest export path that is
 * @path or one of its ancestors. NULL if none. *rest points into @path at
 * what remains below the export ("" or "/a/b"). */
const struct nfs_export *mount3_path_export(const struct nfs_server *srv, const char *path,
					    const char **rest);

/* The client's address as a numeric string ("192.0.2.1", "2001:db8::1";
 * v4-mapped IPv6 as IPv4) into @buf (INET6_ADDRSTRLEN bytes at least). */
void mount3_client_host(const struct rpcsvc_request *req, char *buf, size_t size);

/* One allow-list entry as EXPORT shows it, into @buf: a host name, an
 * address, or address/prefix for networks. "" for a wildcard. */
void mount3_group_text(const struct xl_addr_match *m, char *buf, size_t size);
/* Does @list have a "*" entry (everyone may mount)? */
bool mount3_addrlist_open(const struct xl_addrlist *list);

/* XDR for DUMP's and EXPORT's results (mount3_xdr.c): the same bytes as
 * rpcgen's xdr_mountlist / xdr_exports, but a loop instead of one level of
 * recursion per entry, so a long list cannot exhaust a worker's stack.
 * Encode, decode (nodes calloc()ed) and free (free()) are supported. */
bool_t mount3_xdr_mountlist(XDR *xdrs, mountlist *objp);
bool_t mount3_xdr_exports(XDR *xdrs, exports *objp);

/* The actors (mount3_proc.c); v1 and v3 share all but MNT. */
int mount3_null(struct rpcsvc_request *req, void *args, void *res);
int mount3_mnt(struct rpcsvc_request *req, void *args, void *res);
int mount1_mnt(struct rpcsvc_request *req, void *args, void *res);
int mount3_dump(struct rpcsvc_request *req, void *args, void *res);
int mount3_umnt(struct rpcsvc_request *req, void *args, void *res);
int mount3_umntall(struct rpcsvc_request *req, void *args, void *res);
int mount3_export(struct rpcsvc_request *req, void *args, void *res);

#endif

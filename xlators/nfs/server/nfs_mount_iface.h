/*
 * nfs_mount_iface.h — what the MOUNT program (mount/) may ask of the NFS
 * server, and all it may ask.
 *
 * MOUNT is a separate program with its own directory: it owns the MNT
 * path rules, the mount list and the DUMP/EXPORT encoders. The exports,
 * file handles and the translator graph are the NFS server's; MOUNT sees
 * them only through the functions below, on opaque types, so either side
 * can change its insides without the other. (The other direction, what
 * the server asks of MOUNT, is mount/mount.h.)
 *
 * All functions are thread-safe; the exports they list live as long as
 * the server.
 */
#ifndef XLNFS_NFS_MOUNT_IFACE_H
#define XLNFS_NFS_MOUNT_IFACE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include "cred.h"

struct nfs_server;
struct nfs_export;
struct rpcsvc_request;
struct xl_addrlist;

/* The largest handle nfs_mount_handle() builds (NFSv3's FHSIZE3). */
#define NFS_MOUNT_FH_MAX 64

/* How many exports the server has, and the @i-th (i < count). */
size_t nfs_mount_export_count(const struct nfs_server *srv);
const struct nfs_export *nfs_mount_export_at(const struct nfs_server *srv, size_t i);
/* @e's MOUNT path, what clients mount: "/" or "/a/b", normalised (for an
 * export of another subvolume than the first, /NAME/...). */
const char *nfs_mount_export_path(const struct nfs_export *e);
/* Who may mount @e (NULL or empty: nobody). */
const struct xl_addrlist *nfs_mount_export_clients(const struct nfs_export *e);

/*
 * The access decision NFS3 makes too (export_access.h): may the client of
 * @req use @e, and as whom? Returns 0 with *@view, @e as this client sees
 * it (the matching entry's ro/rw, squashing and anon ids: pass it to
 * nfs_mount_handle; it lives as long as @e), and, when @cred is not NULL,
 * *@cred, the credentials the client's calls run with (AUTH_NONE as the
 * anonymous user, manage-gids' groups, the view's squashing). -EACCES
 * (not allowed), -EPERM (only from a port below 1024: a secure entry) or
 * -EAGAIN (a host-name entry decides and the client's name is not known;
 * with @wait after waiting the server's hostname-wait for it).
 */
int nfs_mount_export_access(struct nfs_server *srv, const struct nfs_export *e,
			    const struct rpcsvc_request *req, bool wait,
			    const struct nfs_export **view, struct xl_cred *cred);

/*
 * The file handle of the directory @rest ("" or "/a/b", normalised, below
 * @e's root) for a client at @client (@client_len bytes) with credentials
 * @cred (as sent or as nfs_mount_export_access gave them: squashed here
 * per @e either way, which changes nothing the second time). The export's
 * root is found by
 * its id; each component of @rest is looked up as the squashed caller,
 * never following a symlink. Returns 0 with @fh (NFS_MOUNT_FH_MAX bytes)
 * and *@fh_len filled, -ENOENT, -ENOTDIR (a component or the result is
 * not a directory, symlinks included), -EACCES, or another -errno.
 */
int nfs_mount_handle(struct nfs_server *srv, const struct nfs_export *e, const char *rest,
		     const struct xl_cred *cred, const struct sockaddr *client,
		     socklen_t client_len, uint8_t *fh, size_t *fh_len);

#endif

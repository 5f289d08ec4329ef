/*
 * nfs_reload.h — nfs/server's side of a live reload: a new server (of a
 * new graph, whose volumes below it are up) takes over the running RPC
 * service of the server it replaces. See nfs_reload.c.
 */
#ifndef XLNFS_NFS_RELOAD_H
#define XLNFS_NFS_RELOAD_H

#include "nfs_server.h"

/*
 * Make @srv serve in place of @old: @srv, set up as init() does up to
 * the RPC service (exports, secret, caches, its registry when
 * @metrics_listen is set, the root ids found through its own child),
 * takes @old's service with its listeners, connections, duplicate
 * request cache and counters, its MOUNT list and its write verifier; the
 * NFS3 and MOUNT programs serve @srv from the next call on. Returns once
 * every call begun on @old has finished, @old then holding no service
 * (its fini frees only its own state). @old's metrics listener is closed
 * and @srv's opened on @metrics_listen (NULL or "": none; failing to
 * listen is logged, the reload goes on without it). 0 or -errno, @old
 * untouched on error.
 */
int nfs_server_adopt(struct nfs_server *srv, struct nfs_server *old, const char *metrics_listen);

#endif

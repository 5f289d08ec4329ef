/*
 * nfs_reload.h — nfs/server's side of a live reload: a new server (of a
 * new graph, whose volumes below it are up) takes over the running RPC
 * service of the server it replaces. See nfs_reload.c.
 */
#ifndef XLNFS_NFS_RELOAD_H
#define XLNFS_NFS_RELOAD_H

#include "nfs_server.h"

/*
 * Make @srv (of the volume srv->xl, whose graph replaces @old_top's) serve
 * in place of the nfs/server @old_top: @srv, set up as init() does up to
 * the RPC service (exports, secret, caches, its registry when
 * @metrics_listen is set, the root ids found through its own child),
 * takes the old server's service with its listeners, connections,
 * duplicate request cache and counters, its MOUNT list and its write
 * verifier; the NFS3 and MOUNT programs serve @srv from the next call on.
 * Returns once every call begun on the old server has finished, that
 * server then holding no service (its fini frees only its own state). The
 * old metrics listener is closed and @srv's opened on @metrics_listen
 * (NULL or "": none; failing to listen is logged, the reload goes on).
 * Refused, -EINVAL with each reported at its volfile line, when an option
 * that needs a restart changed (listen-address, the ports, transports,
 * rpc-register, state-dir); other options of the running service that
 * changed are logged as kept until a restart. 0 or -errno; on error the
 * old server is untouched.
 */
int nfs_server_take_over(struct nfs_server *srv, struct xl *old_top, const char *metrics_listen);

#endif

/*
 * nfs_metrics.h — nfs/server's metrics registry and its HTTP listener.
 *
 * The registry counts what the RPC programs do, as the service's
 * per-program observer sees it (rpcsvc.h): calls, errors by status and a
 * latency histogram per procedure of every program nfs/server registers
 * (NFS3, MOUNT3, MOUNT1); the NFS3 actors add the bytes READ and WRITE
 * move per export. Every counter is a relaxed atomic: workers only add.
 * Gauges (connections, calls in flight, DRC, inode table) are read from
 * their owners when scraped.
 *
 * With the metrics-listen option, a libmicrohttpd thread serves
 * GET /metrics in the Prometheus text format (doc/metrics.md lists the
 * names). Without libmicrohttpd in the build the registry still counts,
 * and asking for a listener fails init with a message saying so.
 */
#ifndef XLNFS_NFS_METRICS_H
#define XLNFS_NFS_METRICS_H

#include <stdbool.h>
#include <stdint.h>
#include <sys/socket.h>

#include "nfs_server.h"

struct nfs_metrics;

/* Parse metrics-listen's "ADDR:PORT" ("127.0.0.1:9464", "[::1]:9464",
 * "0.0.0.0:9464"; ADDR numeric) into @ss/@len. 0, or -EINVAL with
 * *errmsg (g_free it) saying what is expected. */
int nfs_metrics_parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len,
			     char **errmsg);

/* A registry for @srv, whose exports (srv->exports, srv->nexports) must
 * be set and stay until nfs_metrics_free. */
struct nfs_metrics *nfs_metrics_new(struct nfs_server *srv);
/* Serve the registry on @listen (metrics-listen syntax). 0 or -errno,
 * logged (-ENOSYS: built without libmicrohttpd). */
int nfs_metrics_start(struct nfs_metrics *m, const char *listen);
/* Stop the listener (if any) and free the registry. NULL is a no-op. */
void nfs_metrics_free(struct nfs_metrics *m);

/* The programs' observer (struct rpcsvc_program.observe); @metrics, its
 * observe_ctx, is the registry (MOUNT's and NFS3's programs have
 * different private data, so the registry cannot come from there). */
void nfs_metrics_observe(void *metrics, const struct rpcsvc_request *req, const void *res,
			 int64_t elapsed_us);
/* @bytes read from (@write false) or written to export @e. @m NULL: no-op. */
void nfs_metrics_io(struct nfs_metrics *m, const struct nfs_export *e, bool write, uint64_t bytes);

/* The whole registry in the Prometheus text format (g_free it). */
char *nfs_metrics_render(struct nfs_metrics *m);

#endif

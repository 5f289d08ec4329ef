/*
 * nfs_reload.c — handing the running RPC service from one nfs/server to
 * the next, for the daemon's live reload (SIGHUP).
 *
 * The daemon builds a new graph from the re-read volume file beside the
 * running one and initialises it children first; the new nfs/server's
 * init() finds the graph it replaces (xl_graph.replaces) and, instead of
 * binding ports, calls nfs_server_adopt(): the programs' private data is
 * switched to the new server (rpcsvc_program_set_private), so every call
 * that begins from then on sees the new export table and the new child;
 * rpcsvc_synchronize() waits for the calls begun on the old one. Then the
 * daemon finalises and frees the old graph, whose server no longer owns
 * a service.
 *
 * What keeps mounts alive: the service (sockets, connections, the
 * duplicate request cache) is the same; a file handle names its export by
 * a hash of the export path and its object by the id storage keeps, and
 * is signed with the secret of state-dir, which a reload may not change
 * (server.c refuses it with the listen options): the new server resolves
 * every handle the old one issued, through the new graph.
 */
#include "config.h"

#include <errno.h>

#include "mount.h"
#include "nfs3.h"
#include "nfs3_verf.h"
#include "nfs_metrics.h"
#include "nfs_reload.h"

int nfs_server_adopt(struct nfs_server *srv, struct nfs_server *old, const char *metrics_listen)
{
	struct mount3_config mcfg = {
	    .srv = srv,
	    .svc = old->svc,
	    .log_name = srv->xl ? srv->xl->name : "server",
	    .list_all = srv->export_list_all,
	    .observe = srv->observe,
	    .observe_ctx = srv->metrics,
	};
	uint64_t verf;
	int ret;

	if (!old->svc)
		return -EINVAL;
	srv->svc = old->svc;
	/* Nothing restarted: what clients wrote unstable is still where the
	 * old graph put it, so they need not send it again. */
	verf = __atomic_load_n(&old->write_verf, __ATOMIC_SEQ_CST);
	__atomic_store_n(&srv->write_verf, verf, __ATOMIC_SEQ_CST);
	if (old->mount) {
		ret = mount3_programs_switch(old->mount, &mcfg, &srv->mount);
		if (ret < 0) {
			srv->svc = NULL;
			return ret;
		}
	}
	nfs3_program_switch(srv);
	rpcsvc_synchronize(srv->svc);
	/* A call on the old server lost unstable data meanwhile. */
	if (__atomic_load_n(&old->write_verf, __ATOMIC_SEQ_CST) != verf)
		nfs3_write_verf_bump(&srv->write_verf);
	/* Its HTTP thread reads old->svc: it stops first. */
	nfs_metrics_free(old->metrics);
	old->metrics = NULL;
	old->svc = NULL;
	if (srv->metrics && metrics_listen && *metrics_listen) {
		ret = nfs_metrics_start(srv->metrics, metrics_listen);
		if (ret < 0)
			xl_log(srv->xl, XL_LOG_ERROR,
			       "metrics-listen %s: %s; serving on without metrics", metrics_listen,
			       g_strerror(-ret));
	}
	xl_log(srv->xl, XL_LOG_INFO, "took over the running service from the previous graph");
	return 0;
}

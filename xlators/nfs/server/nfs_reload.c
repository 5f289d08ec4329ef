/*
 * nfs_reload.c — handing the running RPC service from one nfs/server to
 * the next, for the daemon's live reload (SIGHUP).
 *
 * The daemon builds a new graph from the re-read volume file beside the
 * running one and initialises it children first; the new nfs/server's
 * init() finds the graph it replaces (xl_graph.replaces) and, instead of
 * binding ports, calls nfs_server_take_over(): unless an option that
 * needs a restart changed (refused at its line), the programs' private
 * data is switched to the new server (rpcsvc_program_set_private), so
 * every call that begins from then on sees the new export table and the
 * new child; rpcsvc_synchronize() waits for the calls begun on the old
 * one. Then the daemon finalises and frees the old graph, whose server
 * no longer owns a service.
 *
 * What keeps mounts alive: the service (sockets, connections, the
 * duplicate request cache) is the same; a file handle names its export by
 * a hash of the export path and its object by the id storage keeps, and
 * is signed with the secret of state-dir, which a reload may not change
 * (refused with the listen options): the new server resolves
 * every handle the old one issued, through the new graph.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "mount.h"
#include "nfs3.h"
#include "nfs3_verf.h"
#include "nfs_metrics.h"
#include "nfs_reload.h"
#include "nlm4.h"

/* Options a live reload cannot change: the service keeps its sockets,
 * and the handle secret lives in state-dir. */
static const char *const nfs_reload_restart_keys[] = {
	"listen-address", "nfs-port", "mount-port", "transport.tcp", "transport.udp",
	"rpc-register", "state-dir", "nlm", "nlm-port", NULL,
};
/* Options the running service keeps until a restart (logged). */
static const char *const nfs_reload_service_keys[] = {
	"threads", "max-record-size", "drain-timeout", "max-connections",
	"per-client-connections", "idle-timeout", "send-timeout", "queue-size",
	"queue-total", "drc", "drc-entries", "drc-size", "drc-ttl", "manage-gids", NULL,
};

/* Does option @key hold the same value in @a's and @b's conf (volumes of
 * one module: its options table says where and of what type)? */
static bool nfs_reload_option_same(const char *key, const struct xl *a, const struct xl *b)
{
	const struct xl_option *o = a->module->options;
	const char *pa, *pb;

	while (o->key && strcmp(o->key, key) != 0)
		o++;
	if (!o->key)
		return true;
	pa = (const char *)a->conf + o->offset;
	pb = (const char *)b->conf + o->offset;
	switch (o->type) {
	case XL_OPT_BOOL:
		return *(const bool *)pa == *(const bool *)pb;
	case XL_OPT_INT:
		return *(const int64_t *)pa == *(const int64_t *)pb;
	case XL_OPT_SIZE:
	case XL_OPT_TIME:
		return *(const uint64_t *)pa == *(const uint64_t *)pb;
	case XL_OPT_STR:
	case XL_OPT_PATH:
		return g_strcmp0(*(char *const *)pa, *(char *const *)pb) == 0;
	default:
		return false;
	}
}

/* May the volume @xl replace @old_top live? 0, or -EINVAL (reported). */
static int nfs_reload_check_options(struct xl *xl, const struct xl *old_top)
{
	int ret = 0;

	for (const char *const *k = nfs_reload_restart_keys; *k; k++) {
		if (nfs_reload_option_same(*k, old_top, xl))
			continue;
		xl_config_error(xl, *k,
				"option %s changed: a reload keeps the listeners and the handle "
				"secret; this change needs a restart",
				*k);
		ret = -EINVAL;
	}
	if (ret < 0)
		return ret;
	for (const char *const *k = nfs_reload_service_keys; *k; k++)
		if (!nfs_reload_option_same(*k, old_top, xl))
			xl_log(xl, XL_LOG_WARNING,
			       "option %s changed: the running RPC service keeps its value until "
			       "the next restart",
			       *k);
	return 0;
}

/* Hand @old's service over to @srv (see nfs_server_take_over). */
static int nfs_reload_adopt(struct nfs_server *srv, struct nfs_server *old,
			    const char *metrics_listen)
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
	if (srv->nlm) {
		struct nlm_state_counts c = {0};

		if (old->nlm)
			nlm_state_counts(old->nlm, &c);
		if (c.holds || c.waiters)
			xl_log(srv->xl, XL_LOG_WARNING,
			       "live reload: %u lock owner(s) and %u waiter(s) of the previous "
			       "graph are dropped (its storage's lock tables go with it)",
			       c.holds, c.waiters);
		nlm4_program_switch(srv);
	}
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

int nfs_server_take_over(struct nfs_server *srv, struct xl *old_top, const char *metrics_listen)
{
	struct nfs_server *old = old_top ? old_top->private : NULL;
	int ret;

	if (!old || old_top->module != srv->xl->module) {
		xl_log(srv->xl, XL_LOG_ERROR, "the running top volume is not a serving nfs/server");
		return -EINVAL;
	}
	ret = nfs_reload_check_options(srv->xl, old_top);
	if (ret < 0)
		return ret;
	return nfs_reload_adopt(srv, old, metrics_listen);
}

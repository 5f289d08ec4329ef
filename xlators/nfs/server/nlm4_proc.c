/*
 * nlm4_proc.c — the NLM v4 program's actor table (procedure numbers of
 * XNFS's NLM4_VERS) and its registration beside NFS and MOUNT.
 *
 * Procedure 16 is statd's reboot notice (SM_NOTIFY, as Linux's lockd
 * has it). The message-passing procedures (*_MSG, *_RES) are not served (the
 * service answers PROC_UNAVAIL): Linux, the clients this server is for,
 * calls the synchronous ones.
 */
#include "config.h"

#include "nlm4.h"

/* LOCK, CANCEL and UNLOCK change state: a retransmission gets the first
 * reply from the duplicate request cache rather than a second answer
 * (a second UNLOCK could release what a later LOCK took). */
#define NLM4_ACTOR(NAME, fn_, A, R, drc_)                                                  \
	{                                                                                  \
		.name = NAME, .fn = fn_, .xdr_args = (xdrproc_t)xdr_##A,                   \
		.xdr_res = (xdrproc_t)xdr_##R, .args_size = sizeof(A),                     \
		.res_size = sizeof(R), .drc = drc_,                                        \
	}

static const struct rpcsvc_actor nlm4_actors[] = {
	[NLMPROC4_NULL] = { .name = "NULL", .fn = nlm4_svc_null },
	[NLMPROC4_TEST] = NLM4_ACTOR("TEST", nlm4_svc_test, nlm4_testargs, nlm4_testres, false),
	[NLMPROC4_LOCK] = NLM4_ACTOR("LOCK", nlm4_svc_lock, nlm4_lockargs, nlm4_res, true),
	[NLMPROC4_CANCEL] = NLM4_ACTOR("CANCEL", nlm4_svc_cancel, nlm4_cancargs, nlm4_res, true),
	[NLMPROC4_UNLOCK] = NLM4_ACTOR("UNLOCK", nlm4_svc_unlock, nlm4_unlockargs, nlm4_res, true),
	[NLMPROC4_GRANTED] = NLM4_ACTOR("GRANTED", nlm4_svc_granted, nlm4_testargs, nlm4_res, false),
	/* the local statd: a watched client rebooted (nlm_nsm.c) */
	[NLMPROC4_SM_NOTIFY] = { .name = "SM_NOTIFY", .fn = nlm4_svc_sm_notify,
				 .xdr_args = (xdrproc_t)xdr_nlm4_sm_status,
				 .args_size = sizeof(nlm4_sm_status) },
	[NLMPROC4_SHARE] = NLM4_ACTOR("SHARE", nlm4_svc_share, nlm4_shareargs, nlm4_shareres, true),
	[NLMPROC4_UNSHARE] = NLM4_ACTOR("UNSHARE", nlm4_svc_unshare, nlm4_shareargs, nlm4_shareres,
					true),
	[NLMPROC4_NM_LOCK] = NLM4_ACTOR("NM_LOCK", nlm4_svc_nm_lock, nlm4_lockargs, nlm4_res, true),
	[NLMPROC4_FREE_ALL] = { .name = "FREE_ALL", .fn = nlm4_svc_free_all,
				.xdr_args = (xdrproc_t)xdr_nlm4_notify,
				.args_size = sizeof(nlm4_notify) },
};

/* One server per process, as NFS3's. No metrics observer: the metrics
 * read a status as a result's first word, and NLM's is a cookie. */
static struct rpcsvc_program nlm4_prog = {
	.name = "NLM4",
	.prog = NLM4_PROG,
	.vers = NLM4_VERS,
	.actors = nlm4_actors,
	.nactors = sizeof(nlm4_actors) / sizeof(nlm4_actors[0]),
};

void nlm4_program_switch(struct nfs_server *srv)
{
	rpcsvc_program_set_private(srv->svc, &nlm4_prog, srv, NULL, NULL);
}

int nlm4_program_add(struct nfs_server *srv, uint16_t port)
{
	struct rpcsvc_program *prog = &nlm4_prog;

	prog->port = port;
	prog->private = srv;
	return rpcsvc_program_add(srv->svc, prog);
}

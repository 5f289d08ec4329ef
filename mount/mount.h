/*
 * mount.h — the MOUNT program (100005, versions 1 and 3) as the NFS
 * server starts and stops it. MOUNT asks the server about exports and
 * handles through xlators/nfs/server/nfs_mount_iface.h only; this header
 * is the other direction, all the server knows of MOUNT.
 */
#ifndef XLNFS_MOUNT_H
#define XLNFS_MOUNT_H

#include <stdbool.h>
#include <stdint.h>

#include "rpcsvc.h"

struct nfs_server;
struct mount3;

struct mount3_config {
	struct rpcsvc *svc;	/* where the programs are added */
	struct nfs_server *srv; /* what MNT, EXPORT ask (nfs_mount_iface.h) */
	uint16_t port;
	const char *state_dir; /* the mount list lives in state_dir/rmtab; NULL: none kept */
	const char *log_name;  /* names MOUNT's log lines (the volume's name) */
	/* EXPORT lists every export with its clients, as knfsd (false: only
	 * what the asking client may mount, as Ganesha). */
	bool list_all;
	/* Called after each MOUNT call (metrics); NULL: none. */
	void (*observe)(void *ctx, const struct rpcsvc_request *req, const void *res,
			int64_t elapsed_us);
	void *observe_ctx;
};

/* Add the MOUNT v1 and v3 programs to cfg->svc and load the mount list.
 * 0 with *@out (free with mount3_fini), or -errno. */
int mount3_programs_add(const struct mount3_config *cfg, struct mount3 **out);
/* Live reload: point the MOUNT programs running on cfg->svc (added by
 * mount3_programs_add with @old) at a new state for cfg->srv, for calls
 * that begin from now on. The new state takes over @old's mount list
 * (nothing is read again); cfg->port and cfg->state_dir are ignored.
 * @old stays valid for calls already running: after rpcsvc_synchronize,
 * mount3_fini(@old) frees it, leaving the list to the new state.
 * 0 with *@out. */
int mount3_programs_switch(struct mount3 *old, const struct mount3_config *cfg,
			   struct mount3 **out);
/* Release the mount list state (after the service stopped). NULL-safe. */
void mount3_fini(struct mount3 *m);
/* For a statedump: log the mount list (its size and its first 100
 * host:path entries) at INFO. NULL-safe. */
void mount3_statedump(struct mount3 *m);

#endif

/*
 * export_access.h — may this caller use this export, and as whom.
 *
 * The one decision NFS3 (nfs3_resolve) and MOUNT (MNT, EXPORT) share:
 * the client's address and source port against the export's clients
 * (the export-dir allow list, or the exports(5)-style rules of the
 * `export` option, export_rules.h), giving the export as this client
 * sees it (a "view": the matching entry's ro/rw, squashing and anon
 * ids); then the caller's credentials as the call must run: non-AUTH_SYS
 * callers become anonuid/anongid, manage-gids replaces the groups with
 * the server's own lookup (gid_cache.h), and the view's squashing
 * applies.
 *
 * Host names in rules and in allow lists (rpc-auth.allow, allow=) come
 * from the server's hostcache (forward-confirmed, never resolved on the
 * caller's thread; addresses are matched first and never wait for a
 * name). When a rule or list needs
 * a name that is not known yet, NFS calls answer NFS3ERR_JUKEBOX (the
 * client retries shortly, by which time the name is cached) and MNT
 * waits up to `wait_ms` (nfs/server's hostname-wait) for it.
 */
#ifndef XLNFS_EXPORT_ACCESS_H
#define XLNFS_EXPORT_ACCESS_H

#include "export_rules.h"
#include "nfs_server.h"

/*
 * May the client of @req use @e? Returns 0 with *view the export as this
 * client sees it (@e itself for export-dir exports; valid as long as @e),
 * -EACCES (not allowed, or denied), -EPERM (allowed only from a port
 * below 1024: the entry is `secure`), or -EAGAIN (a host-name entry
 * decides and the client's name is still being resolved, even after
 * waiting @wait_ms).
 */
int nfs_export_access(struct nfs_server *srv, const struct nfs_export *e,
		      const struct rpcsvc_request *req, unsigned wait_ms,
		      const struct nfs_export **view);

/* The credentials @req's call runs with on @view, into @call->cred
 * (which starts as req->cred, nfs3_call_from_req): AUTH_NONE (any
 * flavour but AUTH_SYS) as the view's anonuid/anongid without groups;
 * with manage-gids the groups the server's user database gives the uid
 * (up to XL_CRED_MAX_GROUPS, also when the credential listed more than
 * 16: req->long_groups); then the view's squashing. */
void nfs_export_creds(struct nfs_server *srv, const struct nfs_export *view,
		      const struct rpcsvc_request *req, struct xl_call *call);

/*
 * Append the exports of the `export` option @text ("PATH CLIENTS; PATH
 * CLIENTS", export_rules.h) to *@exports (*@count entries, g_renew'ed),
 * each with its rules and views, checked against the exports already
 * there (a path or export id twice is an error). @defaults gives what
 * the rules do not (none of the per-client options). Returns 0, or
 * -EINVAL with *errmsg (g_free) naming the column. On error the table is
 * left with what was appended before (free it as a whole).
 */
int nfs_exports_add_rules(const char *text, const struct nfs_export *defaults,
			  struct nfs_export **exports, size_t *count, char **errmsg);
/* A client's port (0 for other families); below
 * EXPORT_ACCESS_SECURE_PORT it is a "secure" one, which only root binds. */
#define EXPORT_ACCESS_SECURE_PORT 1024u
uint16_t export_access_port(const struct sockaddr *sa);

/* Free the rules and views of the exports that have them (call before
 * nfs_exports_free, which knows nothing of them). */
void nfs_exports_free_rules(struct nfs_export *exports, size_t count);

#endif

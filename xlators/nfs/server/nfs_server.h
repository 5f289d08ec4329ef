/*
 * nfs_server.h — the inside of the nfs/server translator, shared by its
 * files: the exports, file handles and the server's runtime state.
 *
 * The translator (server.c) owns the exports, the file handle secret, the
 * write verifier and the RPC service; the NFS3 program (nfs3_*.c) is
 * written against this header. The MOUNT program (mount/) is not: it asks
 * the server through nfs_mount_iface.h only.
 */
#ifndef XLNFS_NFS_SERVER_H
#define XLNFS_NFS_SERVER_H

#include <glib.h>
#include <stdbool.h>
#include <stdint.h>

#include "rpcsvc.h"
#include "xlator.h"

#define NFS_FH_MAX 64

/* One exported directory of one of the server's subvolumes.
 *
 * An export is written PATH (a directory of the first subvolume, mounted
 * as PATH) or NAME:PATH (a directory of the subvolume NAME, mounted as
 * /NAME/PATH, e.g. scratch:/ as /scratch): see nfs_export_set_spec. */
struct nfs_export {
	uint32_t id;                   /* stable across restarts (derived from path) */
	uint64_t fsid;                 /* the fsid fattr3 reports (derived from id) */
	char *path;                    /* "/" or "/sub/dir": the MOUNT path clients use */
	char *dir;                     /* the directory within the subvolume ("/": its root) */
	char *subvol;                  /* NAME of NAME:PATH; NULL: the first subvolume */
	struct xl *child;              /* the subvolume its fops go to (nfs_exports_bind;
					* NULL before) */
	struct xl_addrlist *clients;   /* who may mount it */
	bool read_only;
	bool root_squash, all_squash;
	uid_t anonuid;
	gid_t anongid;
	/* The id of the export's root directory, found by walking path once
	 * (nfs_export_root_id) and cached: null until then. Guarded by the
	 * server's lock. */
	struct xl_id root_id;
	bool secure;                   /* refuse source ports >= 1024 */
	/* From the `export` option (export_access.h): the exports(5)-style
	 * client rules, and per entry the export as its clients see it
	 * (views[i], sharing path and id; clients then only lists who may
	 * mount it, for MOUNT EXPORT). NULL for export-dir exports. */
	struct export_rules *rules;
	struct nfs_export *views;
	size_t nviews;
};

/* The translator's runtime state (xl->private).
 *
 * A test may build one without the RPC service (tests/unit/test_actors.c
 * does): nfs_server_setup_for_test() fills every field a program needs
 * from a volume, and nfs_server_teardown_for_test() releases it. */
struct nfs_server {
	struct xl *xl;                 /* the nfs/server volume */
	/* Every fop goes to the child of the export it is made in
	 * (nfs_export.child): there is no server-wide child. */
	struct rpcsvc *svc;            /* NULL in tests */
	struct nfs_export *exports;
	size_t nexports;
	const struct xl_addrlist *shared_clients; /* the global allow list exports share */
	GMutex lock;                   /* guards exports[].root_id */
	char *state_dir;               /* secret, mount list */
	uint8_t secret[32];            /* file handle MAC key */
	uint64_t write_verf;           /* atomic: nfs3_write_verf_* (nfs3_verf.h) */
	struct mount3 *mount;          /* the MOUNT program's state (mount/mount.h) */
	struct nlm_state *nlm;         /* the lock manager's (nlm4.h); NULL when off */
	struct hostcache *hosts;       /* client names for host-name entries (NULL: none) */
	struct gid_cache *gids;        /* manage-gids: groups lookup (NULL: off) */
	unsigned hostname_wait_ms;     /* how long MNT waits for a client's name */
	/* Protocol settings from the translator's options (server.c). */
	bool fileid_32bit;             /* fold fileids to 32 bits */
	uint32_t rtmax, wtmax;         /* largest READ / WRITE count */
	uint32_t dtpref;               /* preferred READDIR reply size */
	bool export_list_all;          /* MOUNT EXPORT lists every export, not
					* only those the asker may mount */
	/* Metrics (nfs_metrics.h), NULL when metrics-listen is off. The I/O
	 * actors count bytes through count_io, so they need no link to the
	 * registry (their unit tests leave it out). */
	struct nfs_metrics *metrics;
	void (*count_io)(struct nfs_metrics *m, const struct nfs_export *e, bool write,
			 uint64_t bytes);
	/* The programs' per-call observer (nfs_metrics_observe), NULL when
	 * metrics are off: set by server.c, read when the programs are added. */
	void (*observe)(void *ctx, const struct rpcsvc_request *req, const void *res,
			int64_t elapsed_us);
};

/* A file handle as bytes on the wire. */
struct nfs_fh {
	uint32_t len;
	uint8_t data[NFS_FH_MAX];
};

/* Find every export's root id (nfs_export_root_id), as init() does once
 * the children are up; an export whose directory is missing is logged and
 * tried again when first used. */
void nfs_server_resolve_roots(struct nfs_server *srv);

/*
 * Set up @srv to serve the volume @child (a graph's, initialised) for the
 * export list @export_dir (export-dir syntax; NULL: "/") with global
 * clients @allow (NULL: nobody), root squashing off, the default sizes
 * (1 MiB rtmax/wtmax, 64 KiB dtpref), a fixed secret and a fresh write
 * verifier; no RPC service, no state directory, no MOUNT. @srv->xl is
 * @top (may be NULL). Export roots are resolved as in init(). 0 or
 * -errno (-EINVAL for a bad export list, logged).
 */
int nfs_server_setup_for_test(struct nfs_server *srv, struct xl *top, struct xl *child,
			      const char *export_dir, const struct xl_addrlist *allow);
/* The same over the @n subvolumes @children (the first is the one
 * exports without NAME: use), as an nfs/server with `subvolumes` listing
 * them in that order. */
int nfs_server_setup_for_test_subvols(struct nfs_server *srv, struct xl *top,
				      struct xl *const *children, size_t n,
				      const char *export_dir, const struct xl_addrlist *allow);
void nfs_server_teardown_for_test(struct nfs_server *srv);

/* The export whose MOUNT path is @path (exact match after normalising
 * repeated and trailing slashes), or NULL. */
const struct nfs_export *nfs_export_by_path(const struct nfs_server *srv, const char *path);
const struct nfs_export *nfs_export_by_id(const struct nfs_server *srv, uint32_t id);
/* Does the client at @sa match @e's allow list (export-dir's allow= or
 * rpc-auth.allow)? Host-name entries through @hosts (NULL: they match
 * nothing), xl_addrlist_check. Exports with `export` rules are checked
 * by nfs_export_access instead. */
enum xl_addr_verdict nfs_export_clients_check(const struct nfs_export *e,
					      const struct sockaddr *sa, struct hostcache *hosts);

/* Apply @e's squashing to @cred. */
void nfs_export_squash(const struct nfs_export *e, struct xl_cred *cred);

/* Resolve @e's root directory as @call: walks its directory (e->dir)
 * from the root of its subvolume (e->child) one component at a time with
 * lookup (never following symlinks).
 * Returns 0 with *out referenced and *@attr (may be NULL), -ENOENT,
 * -ENOTDIR, or another -errno. */
int nfs_export_root(struct nfs_server *srv, const struct nfs_export *e, struct xl_call *call,
		    struct xl_inode **out, struct xl_iatt *attr);
/* The id of @e's root directory into *@id: the cached one, or (first
 * time, or @refresh after the cached one went stale) found by
 * nfs_export_root as the superuser, who owns the export path, and cached.
 * 0 or -errno. */
int nfs_export_root_id(struct nfs_server *srv, const struct nfs_export *e, bool refresh,
		       struct xl_id *id);
/* Is @id the root directory of @e (as cached; false when not known)? */
bool nfs_export_is_root(struct nfs_server *srv, const struct nfs_export *e,
			const struct xl_id *id);

/* --- export table (exports.c), used by server.c and the unit tests --- */

/* @path made canonical: absolute, repeated and trailing slashes removed
 * ("/" stays "/"). NULL (nothing allocated) if @path is not absolute or
 * has a "." or ".." component. g_free the result. */
char *nfs_export_path_normalise(const char *path);
/* The export id of a normalised MOUNT path: FNV-1a of its bytes, never
 * 0. (An export of the first subvolume keeps the id it had before
 * servers took several; NAME:PATH's MOUNT path /NAME/PATH names its
 * subvolume, so the same directory of two subvolumes gets two ids.) */
uint32_t nfs_export_id(const char *path);
/* The fsid fattr3 reports for objects of export @id: the same on every
 * start and whatever disk the store sits on. */
uint64_t nfs_export_fsid(uint32_t id);

/*
 * Set @e's path, dir, subvol, id and fsid from an export as written
 * (@len bytes at @spec): "PATH", a directory of the first subvolume
 * mounted as PATH, or "NAME:PATH", a directory of the subvolume NAME
 * mounted as /NAME/PATH ("scratch:/" is mounted as /scratch). NAME is a
 * volume name (letters, digits, '-', '_', '.'); PATH is absolute and is
 * normalised. 0, or -EINVAL with *why (g_free) saying what is wrong
 * (nothing set then).
 */
int nfs_export_set_spec(struct nfs_export *e, const char *spec, size_t len, char **why);

/*
 * Give every export of @exports its subvolume: the one of @children
 * (@n of them, in volfile order) named by its subvol, or children[0].
 * 0, or -EINVAL with *errmsg (g_free) naming the first unknown
 * subvolume and the valid names.
 */
int nfs_exports_bind(struct nfs_export *exports, size_t count, struct xl *const *children,
		     size_t n, char **errmsg);

/*
 * Parse the export-dir option @text: whitespace-separated entries, each
 * `SPEC` or `SPEC(OPT,OPT,...)`, SPEC a directory within a subvolume
 * as nfs_export_set_spec reads it ("/" is the first subvolume's root,
 * "scratch:/" the root of the subvolume scratch). OPTs override @defaults (whose clients list is shared by
 * every export without allow=): ro, rw, root-squash, no-root-squash,
 * all-squash, no-all-squash, anonuid=N, anongid=N, allow=A|B|... (the
 * items of an ADDRLIST option: *, host names, addresses, CIDR).
 * Returns 0 with *out (free with nfs_exports_free) and *count >= 1, their
 * child still NULL (nfs_exports_bind), or -EINVAL with *errmsg (g_free
 * it) saying what is wrong and where.
 */
int nfs_exports_parse(const char *text, const struct nfs_export *defaults,
		      struct nfs_export **out, size_t *count, char **errmsg);
/* @e's allow list as text for a statedump: "*", "(nobody)", or its
 * entries separated by '|' as in allow=. g_free it. */
char *nfs_export_clients_text(const struct nfs_export *e);
/* Free what nfs_exports_parse returned; @shared is defaults->clients,
 * which is not freed. */
void nfs_exports_free(struct nfs_export *exports, size_t count,
		      const struct xl_addrlist *shared);

/* Print @exports to @fp as `exportfs -v` does: one line per export and
 * client, "PATH<tab>CLIENT(ro|rw,squashing,anonuid=N,anongid=N,sec=...)";
 * an export nobody may mount gets one line saying so (exports_table.c). */
void nfs_exports_print(const struct nfs_export *exports, size_t count, FILE *fp);
/* The same for the nfs/server volume @xl from its options, without
 * starting it: what `xlnfsd --exports` calls (found by name in the
 * module). 0, or -EINVAL when export-dir does not parse. */
int nfs_server_print_exports(struct xl *xl, FILE *fp);

/* --- file handles (fh.c) --- */

/* Build the handle of the object @id within export @e. */
void nfs_fh_build(const struct nfs_server *srv, const struct nfs_export *e,
		  const struct xl_id *id, struct nfs_fh *fh);
/* Check a handle's length, version, key id and MAC and find its export:
 * 0 with *export and *id; -ESTALE (→ NFS3ERR_STALE, the client mounts
 * again) for one of ours that an earlier secret signed (unknown key id),
 * whose export is gone, or that this server issued in an older version
 * (its MAC intact under the current secret); -EBADF (→ NFS3ERR_BADHANDLE)
 * for anything else it did not issue. */
int nfs_fh_parse(const struct nfs_server *srv, const uint8_t *data, size_t len,
		 const struct nfs_export **export, struct xl_id *id);

#endif

/*
 * nfs_server.h — what the nfs/server translator shares with its programs.
 *
 * The nfs/server translator (server.c) owns the exports, the file handle
 * secret and the RPC service; the NFS3 program (nfs3_*.c here) and the
 * MOUNT program (mount/) are both written against this header.
 */
#ifndef XLNFS_NFS_SERVER_H
#define XLNFS_NFS_SERVER_H

#include <stdbool.h>
#include <stdint.h>

#include "rpcsvc.h"
#include "xlator.h"

#define NFS_FH_MAX 64

/* One exported directory of the volume. */
struct nfs_export {
	uint32_t id;                   /* stable across restarts (derived from path) */
	char *path;                    /* "/" or "/sub/dir": MOUNT path, within the volume */
	struct xl_addrlist *clients;   /* who may mount it */
	bool read_only;
	bool root_squash, all_squash;
	uid_t anonuid;
	gid_t anongid;
	bool secure;                   /* refuse source ports >= 1024 */
	/* From the `export` option (export_access.h): the exports(5)-style
	 * client rules, and per entry the export as its clients see it
	 * (views[i], sharing path and id; clients then only lists who may
	 * mount it, for MOUNT EXPORT). NULL for export-dir exports. */
	struct export_rules *rules;
	struct nfs_export *views;
};

/* The translator's runtime state (xl->private). */
struct nfs_server {
	struct xl *xl;                 /* the nfs/server volume */
	struct xl *child;              /* where fops go */
	struct rpcsvc *svc;
	struct nfs_export *exports;
	size_t nexports;
	char *state_dir;               /* secret, mount list */
	uint8_t secret[32];            /* file handle MAC key */
	uint64_t write_verf;           /* changes on every start */
	void *mount_state;             /* mount/'s state (mount list) */
	struct hostcache *hosts;       /* client names for rules (NULL: none) */
	struct gid_cache *gids;        /* manage-gids: groups lookup (NULL: off) */
	unsigned hostname_wait_ms;     /* how long MNT waits for a client's name */
	/* Protocol settings from the translator's options (server.c). */
	bool fileid_32bit;             /* fold fileids to 32 bits */
	uint32_t rtmax, wtmax;         /* largest READ / WRITE count */
	uint32_t dtpref;               /* preferred READDIR reply size */
};

/* A file handle as bytes on the wire. */
struct nfs_fh {
	uint32_t len;
	uint8_t data[NFS_FH_MAX];
};

/* The export whose MOUNT path is @path (exact match after normalising
 * repeated and trailing slashes), or NULL. */
const struct nfs_export *nfs_export_by_path(const struct nfs_server *srv, const char *path);
const struct nfs_export *nfs_export_by_id(const struct nfs_server *srv, uint32_t id);
/* May the client at @sa use @e? */
bool nfs_export_allows(const struct nfs_export *e, const struct sockaddr *sa);

/* Apply @e's squashing to @call's credentials. */
void nfs_export_squash(const struct nfs_export *e, struct xl_call *call);

/* Resolve @e's root directory as @call: walks its path from the volume
 * root one component at a time with lookup (never following symlinks).
 * Returns 0 with *out referenced, -ENOENT, -ENOTDIR, or another -errno. */
int nfs_export_root(struct nfs_server *srv, const struct nfs_export *e, struct xl_call *call,
		    struct xl_inode **out, struct stat *st);

/* --- export table (exports.c), used by server.c and the unit tests --- */

/* @path made canonical: absolute, repeated and trailing slashes removed
 * ("/" stays "/"). NULL (nothing allocated) if @path is not absolute or
 * has a "." or ".." component. g_free the result. */
char *nfs_export_path_normalise(const char *path);
/* The export id of a normalised path: FNV-1a of its bytes, never 0. */
uint32_t nfs_export_id(const char *path);

/*
 * Parse the export-dir option @text: whitespace-separated entries, each
 * `PATH` or `PATH(OPT,OPT,...)`, PATH a directory within the volume ("/"
 * is its root). OPTs override @defaults (whose clients list is shared by
 * every export without allow=): ro, rw, root-squash, no-root-squash,
 * all-squash, no-all-squash, anonuid=N, anongid=N, allow=A|B|... (the
 * items of an ADDRLIST option: *, host names, addresses, CIDR).
 * Returns 0 with *out (free with nfs_exports_free) and *count >= 1, or
 * -EINVAL with *errmsg (g_free it) saying what is wrong and where.
 */
int nfs_exports_parse(const char *text, const struct nfs_export *defaults,
		      struct nfs_export **out, size_t *count, char **errmsg);
/* Free what nfs_exports_parse returned; @shared is defaults->clients,
 * which is not freed. */
void nfs_exports_free(struct nfs_export *exports, size_t count,
		      const struct xl_addrlist *shared);

/* Build the handle of the object @gfid within export @e. */
void nfs_fh_build(const struct nfs_server *srv, const struct nfs_export *e,
		  const struct xl_gfid *gfid, struct nfs_fh *fh);
/* Check a handle's length, version, key id and MAC and find its export:
 * 0 with *export and *gfid; -EBADF (→ NFS3ERR_BADHANDLE) for a malformed
 * or forged handle; -ESTALE (→ NFS3ERR_STALE) for one of ours whose
 * export is gone or that an earlier secret signed (fh.c). */
int nfs_fh_parse(const struct nfs_server *srv, const uint8_t *data, size_t len,
		 const struct nfs_export **export, struct xl_gfid *gfid);

/* MOUNT (mount/): add the MOUNT v1 and v3 programs on @port; load the
 * mount list from srv->state_dir. 0 or -errno. */
int mount3_programs_add(struct nfs_server *srv, uint16_t port);
/* Save and free the mount list state. */
void mount3_fini(struct nfs_server *srv);
/* For a statedump: log each export (path, id, ro/rw, squashing, who may
 * mount it) and the mount list (its size and its first 100 host:path
 * entries) at INFO. Named so as not to clash with the DUMP actor. */
void mount3_statedump(struct nfs_server *srv);

#endif

/*
 * xlator.h — the translator contract.
 *
 * A translator ("xlator") is a loadable module named by its type
 * ("storage/posix" → storage/posix.so in the translator directory) that
 * exports one const descriptor, `xl_module`. The volume file instantiates
 * modules as named volumes (struct xl) wired into a DAG with one top.
 *
 * Fops are plain synchronous calls made on a worker thread: each returns 0
 * (or a byte count where documented) or -errno, and hands results back via
 * out-parameters. A NULL slot in a module's fop table passes the call to
 * the volume's first child. A fop that returns an inode returns it
 * referenced; the caller puts it with xl_inode_unref().
 *
 * Options are data: the module's options table says name, type, default,
 * range and description; the framework parses the volfile's values into
 * the module's conf (conf_size bytes, zeroed) before validate()/init().
 */
#ifndef XLNFS_XLATOR_H
#define XLNFS_XLATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "log.h"

#define XL_ABI_VERSION 1

struct xl;
struct xl_graph;
struct xl_inode;
struct xl_inode_table;

/* ---------------------------------------------------------------- options */

enum xl_opt_type {
	XL_OPT_BOOL,     /* on/off, yes/no, true/false, enable/disable, 1/0 → bool */
	XL_OPT_INT,      /* decimal integer in [min, max] → int64_t */
	XL_OPT_SIZE,     /* bytes with optional K/M/G/T suffix (×1024) in [min, max] → uint64_t */
	XL_OPT_TIME,     /* duration, suffix ms or s (bare number = s) → uint64_t milliseconds */
	XL_OPT_STR,      /* any string → char * (owned by the framework) */
	XL_OPT_PATH,     /* absolute path → char * (owned by the framework) */
	XL_OPT_ENUM,     /* one of choices[] → int (index into choices) */
	XL_OPT_ADDRLIST, /* comma list of *, hostnames, IPv4/IPv6 addresses, CIDR → struct xl_addrlist * */
};

struct xl_option {
	const char *key;
	enum xl_opt_type type;
	const char *def;             /* default as volfile text; NULL: none */
	bool required;               /* volfile must set it */
	int64_t min, max;            /* INT/SIZE/TIME bounds (TIME in ms); both 0: unbounded */
	const char *const *choices;  /* ENUM: NULL-terminated list */
	size_t offset;               /* where the parsed value goes in conf */
	const char *desc;            /* one line for --list-xlators and docs */
	/* Optional: refuse a value (0, or -EINVAL with *why g_strdup'ed) before
	 * it is stored, so a value with an inner syntax (nfs/server's export)
	 * is reported at its own FILE:LINE. */
	int (*check)(const char *value, char **why);
};

/* One entry of an address list: a wildcard, a host name or an address/prefix. */
struct xl_addr_match {
	int family;            /* AF_INET, AF_INET6; AF_UNSPEC: host name; 0: "*" */
	uint8_t addr[16];      /* network order; IPv4 in the first 4 bytes */
	unsigned prefix;       /* CIDR prefix length (32/128 for a single host) */
	char *host;            /* AF_UNSPEC only */
};

struct xl_addrlist {
	size_t count;
	struct xl_addr_match items[];
};

/* Does @sa (IPv4, IPv6 or v4-mapped IPv6) match any entry of @list?
 * A host name matches the addresses its forward lookup gives (resolved
 * on the caller's thread: the `export` option's rules use the hostcache
 * instead). A NULL list matches nothing. */
bool xl_addrlist_match(const struct xl_addrlist *list, const struct sockaddr *sa);

/* Parse @text as option @opt into the conf object @conf. On error returns
 * -EINVAL and sets *errmsg (g_free it) to a message that names the valid
 * range or choices. */
int xl_option_parse(const struct xl_option *opt, const char *text, void *conf, char **errmsg);

/* What a valid value of @opt looks like, e.g. "expected an integer between
 * 1 and 64" or "expected one of: fast, safe" (g_free it). */
char *xl_option_expected(const struct xl_option *opt);

/* Release what xl_option_parse stored for every option of @opts in @conf. */
void xl_options_free(const struct xl_option *opts, void *conf);

/* ---------------------------------------------------------------- objects */

/* The opaque object id a storage translator chooses for an object; stable
 * across restarts and renames. */
#define XL_GFID_MAX 40
struct xl_gfid {
	uint8_t len;
	uint8_t bytes[XL_GFID_MAX];
};

bool xl_gfid_equal(const struct xl_gfid *a, const struct xl_gfid *b);

/* The caller of a fop: credentials (after squashing) and client address. */
#define XL_CALL_MAX_GROUPS 16
struct xl_call {
	uid_t uid;
	gid_t gid;
	unsigned ngroups;
	gid_t groups[XL_CALL_MAX_GROUPS];
	struct sockaddr_storage client;
	socklen_t client_len;
	int64_t deadline_us;   /* g_get_monotonic_time() limit; 0: none */
};

/* What SETATTR (and create/mkdir attributes) asks to change. */
enum {
	XL_SET_MODE = 1 << 0,
	XL_SET_UID = 1 << 1,
	XL_SET_GID = 1 << 2,
	XL_SET_SIZE = 1 << 3,
	XL_SET_ATIME = 1 << 4,     /* to atime */
	XL_SET_ATIME_NOW = 1 << 5, /* to the server's time */
	XL_SET_MTIME = 1 << 6,
	XL_SET_MTIME_NOW = 1 << 7,
};

struct xl_setattr {
	unsigned valid;
	mode_t mode;           /* permission bits only (07777) */
	uid_t uid;
	gid_t gid;
	uint64_t size;
	struct timespec atime, mtime;
};

/* Stability of a write, numbered as NFSv3's stable_how. */
enum xl_stable { XL_UNSTABLE = 0, XL_DATA_SYNC = 1, XL_FILE_SYNC = 2 };

/* One directory entry handed to a readdir filler. */
struct xl_dirent {
	const char *name;
	uint64_t ino;          /* fileid */
	uint64_t cookie;       /* resume point after this entry; never 0 */
	bool has_attr;         /* plus: st and gfid are valid */
	struct stat st;
	struct xl_gfid gfid;
};

/* Called once per entry; returns 0 to continue, 1 to stop (buffer full:
 * this entry was NOT taken), or -errno to abort the readdir. */
typedef int (*xl_readdir_fill_fn)(void *ctx, const struct xl_dirent *ent);

/*
 * The fops. Every fop takes (struct xl *xl, struct xl_call *call, ...).
 * `st` out-parameters receive the object's attributes after the call and
 * may not be NULL. Names are single path components (no '/', not empty);
 * "." and ".." are only ever passed to lookup.
 */
struct xl_fops {
	/* @dir NULL: the volume root (@name ignored). Otherwise @name in @dir,
	 * not following a final symlink. -ENOENT if absent. */
	int (*lookup)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		      const char *name, struct xl_inode **out, struct stat *st);
	/* -ESTALE if the object no longer exists. */
	int (*getattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		       struct stat *st);
	int (*setattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		       const struct xl_setattr *sa, struct stat *st);
	/* 0 if the caller may access @inode with @mask (R_OK|W_OK|X_OK),
	 * -EACCES if not. */
	int (*access)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		      int mask);
	/* Returns the target's length (≤ size, not NUL-terminated) or -errno. */
	int (*readlink)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			char *buf, size_t size);
	/* Reads up to @len bytes at @off into @buf; returns the byte count;
	 * *eof is set when the read reached end of file. */
	int (*read)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    uint64_t off, size_t len, void *buf, bool *eof, struct stat *st);
	/* Writes @iov at @off; *stable comes in as asked and goes out as done
	 * (never less). Returns the byte count. */
	int (*write)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		     uint64_t off, const struct iovec *iov, int iovcnt,
		     enum xl_stable *stable, struct stat *st);
	/* Make data (and metadata unless @datasync) written so far stable. */
	int (*fsync)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		     bool datasync);
	/* Create a regular file; @exclusive fails with -EEXIST if @name exists,
	 * otherwise an existing file is opened (and truncated if @sa asks).
	 * @sa (may be NULL) applies mode/uid/gid/size/times. */
	int (*create)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		      const char *name, const struct xl_setattr *sa, bool exclusive,
		      struct xl_inode **out, struct stat *st);
	int (*mkdir)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		     const char *name, const struct xl_setattr *sa,
		     struct xl_inode **out, struct stat *st);
	int (*symlink)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		       const char *name, const char *target, const struct xl_setattr *sa,
		       struct xl_inode **out, struct stat *st);
	/* @mode carries the type (S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK) and
	 * permission bits; @rdev is used for devices. */
	int (*mknod)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		     const char *name, mode_t mode, dev_t rdev, const struct xl_setattr *sa,
		     struct xl_inode **out, struct stat *st);
	int (*unlink)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		      const char *name);
	int (*rmdir)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		     const char *name);
	/* rename(2) semantics. */
	int (*rename)(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
		      const char *oldname, struct xl_inode *newdir, const char *newname);
	int (*link)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    struct xl_inode *newdir, const char *newname, struct stat *st);
	/* Entries of @dir after @cookie (0: from the start; "." and ".." are
	 * included) are passed to @fill in order until it returns nonzero or
	 * the directory ends (*eof = true). @plus asks for has_attr entries.
	 * A cookie the storage cannot resume from: -EINVAL (the NFS layer
	 * answers NFS3ERR_BAD_COOKIE). */
	int (*readdir)(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		       uint64_t cookie, bool plus, xl_readdir_fill_fn fill, void *ctx,
		       bool *eof);
	int (*statfs)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		      struct statvfs *sv);
};

/* ---------------------------------------------------------------- modules */

struct xl_module {
	unsigned abi;                     /* XL_ABI_VERSION */
	const char *type;                 /* "storage/posix" */
	const char *desc;                 /* one line */
	size_t conf_size;                 /* the framework allocates conf */
	const struct xl_option *options;  /* { NULL }-terminated */
	const struct xl_fops *fops;       /* NULL slots pass through */
	unsigned min_children, max_children; /* max 0: unlimited */
	/* Cross-option checks after parsing, also run by --check. -EINVAL with
	 * a log message on error. May be NULL. */
	int (*validate)(struct xl *xl);
	/* Start the volume; children are initialized first. May be NULL. */
	int (*init)(struct xl *xl);
	/* Stop it; parents are finalized first. May be NULL. */
	void (*fini)(struct xl *xl);
	/* An inode with context of this volume is being freed. May be NULL. */
	void (*forget)(struct xl *xl, struct xl_inode *inode, void *ctx);
	/* Write state for a statedump (SIGUSR1) with xl_log. May be NULL. */
	void (*dump)(struct xl *xl);
};

/* One volume of the graph. */
struct xl {
	char *name;                       /* volume name from the volfile */
	const struct xl_module *module;
	void *conf;                       /* parsed options, conf_size bytes */
	void *private;                    /* the module's runtime state */
	struct xl **children;             /* subvolumes, in volfile order */
	size_t nchildren;
	struct xl_graph *graph;
	unsigned slot;                    /* this volume's inode context slot */
};

/* The loaded graph. */
struct xl_graph {
	struct xl **volumes;              /* in volfile order */
	size_t nvolumes;
	struct xl *top;
	struct xl_inode_table *itable;    /* shared by every volume */
	char *xlator_dir;
	void *modules;                    /* loader's private list */
};

/* ---------------------------------------------------------------- calling */

/* Call fop NAME on @xl, or pass it to @xl's first child if @xl's module
 * leaves it NULL; -ENOSYS at a leaf without it. xl_next_NAME calls the
 * first child. */
int xl_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      struct xl_inode **out, struct stat *st);
int xl_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct stat *st);
int xl_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	       const struct xl_setattr *sa, struct stat *st);
int xl_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, int mask);
int xl_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		size_t size);
int xl_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	    size_t len, void *buf, bool *eof, struct stat *st);
int xl_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	     const struct iovec *iov, int iovcnt, enum xl_stable *stable, struct stat *st);
int xl_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, bool datasync);
int xl_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      const struct xl_setattr *sa, bool exclusive, struct xl_inode **out,
	      struct stat *st);
int xl_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     const struct xl_setattr *sa, struct xl_inode **out, struct stat *st);
int xl_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       const char *target, const struct xl_setattr *sa, struct xl_inode **out,
	       struct stat *st);
int xl_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     mode_t mode, dev_t rdev, const struct xl_setattr *sa, struct xl_inode **out,
	     struct stat *st);
int xl_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name);
int xl_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name);
int xl_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
	      const char *oldname, struct xl_inode *newdir, const char *newname);
int xl_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	    struct xl_inode *newdir, const char *newname, struct stat *st);
int xl_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
	       bool plus, xl_readdir_fill_fn fill, void *ctx, bool *eof);
int xl_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	      struct statvfs *sv);

#define xl_next_lookup(xl, ...) xl_lookup((xl)->children[0], __VA_ARGS__)
#define xl_next_getattr(xl, ...) xl_getattr((xl)->children[0], __VA_ARGS__)
#define xl_next_setattr(xl, ...) xl_setattr((xl)->children[0], __VA_ARGS__)
#define xl_next_access(xl, ...) xl_access((xl)->children[0], __VA_ARGS__)
#define xl_next_readlink(xl, ...) xl_readlink((xl)->children[0], __VA_ARGS__)
#define xl_next_read(xl, ...) xl_read((xl)->children[0], __VA_ARGS__)
#define xl_next_write(xl, ...) xl_write((xl)->children[0], __VA_ARGS__)
#define xl_next_fsync(xl, ...) xl_fsync((xl)->children[0], __VA_ARGS__)
#define xl_next_create(xl, ...) xl_create((xl)->children[0], __VA_ARGS__)
#define xl_next_mkdir(xl, ...) xl_mkdir((xl)->children[0], __VA_ARGS__)
#define xl_next_symlink(xl, ...) xl_symlink((xl)->children[0], __VA_ARGS__)
#define xl_next_mknod(xl, ...) xl_mknod((xl)->children[0], __VA_ARGS__)
#define xl_next_unlink(xl, ...) xl_unlink((xl)->children[0], __VA_ARGS__)
#define xl_next_rmdir(xl, ...) xl_rmdir((xl)->children[0], __VA_ARGS__)
#define xl_next_rename(xl, ...) xl_rename((xl)->children[0], __VA_ARGS__)
#define xl_next_link(xl, ...) xl_link((xl)->children[0], __VA_ARGS__)
#define xl_next_readdir(xl, ...) xl_readdir((xl)->children[0], __VA_ARGS__)
#define xl_next_statfs(xl, ...) xl_statfs((xl)->children[0], __VA_ARGS__)

/* ---------------------------------------------------------------- inodes */

/*
 * The inode table maps object ids to refcounted inodes. Inodes whose last
 * reference is dropped stay cached on an LRU list of at most lru_limit
 * entries; beyond that the oldest are freed (each volume with a context on
 * it gets forget()). Thread-safe.
 */
struct xl_inode_stats {
	size_t active;     /* referenced */
	size_t lru;        /* cached, unreferenced */
	uint64_t lookups, hits, evictions;
};

struct xl_inode_table *xl_inode_table_new(struct xl_graph *graph, size_t lru_limit);
/* Frees every inode (forgetting contexts); no inode may be referenced. */
void xl_inode_table_free(struct xl_inode_table *table);
void xl_inode_table_set_lru_limit(struct xl_inode_table *table, size_t lru_limit);
void xl_inode_table_stats(struct xl_inode_table *table, struct xl_inode_stats *stats);

/* The inode for @gfid, created if new; returned referenced. Never NULL. */
struct xl_inode *xl_inode_get(struct xl_inode_table *table, const struct xl_gfid *gfid);
/* The inode for @gfid if cached (referenced), else NULL. */
struct xl_inode *xl_inode_find(struct xl_inode_table *table, const struct xl_gfid *gfid);
struct xl_inode *xl_inode_ref(struct xl_inode *inode);
void xl_inode_unref(struct xl_inode *inode);
const struct xl_gfid *xl_inode_gfid(const struct xl_inode *inode);
/* Drop @inode from the table's index (the object is gone); it is freed
 * when its last reference goes. */
void xl_inode_forget(struct xl_inode *inode);

/* Per-volume context on an inode. set replaces (no destructor call for
 * the old value); get returns NULL when unset. Thread-safe. */
void xl_inode_ctx_set(struct xl_inode *inode, struct xl *xl, void *value);
void *xl_inode_ctx_get(struct xl_inode *inode, struct xl *xl);
/* Unset and return the old value (NULL if none). */
void *xl_inode_ctx_del(struct xl_inode *inode, struct xl *xl);

/* ---------------------------------------------------------------- graph */

/* Parse @path and build the graph: load modules from @xlator_dir (NULL:
 * $XLNFS_XLATOR_PATH, else the installed directory), parse options into
 * each conf and run validate(). Nothing is initialized. Errors are printed
 * as "file:line: message" to the log; returns -errno. */
int xl_graph_load(const char *path, const char *xlator_dir, struct xl_graph **out);
/* The same from text, @name standing for the file name in messages. */
int xl_graph_load_text(const char *name, const char *text, const char *xlator_dir,
		       struct xl_graph **out);
/* init() every volume, children before parents. On failure the volumes
 * already initialized are finalized again. */
int xl_graph_init(struct xl_graph *graph);
/* fini() every initialized volume, parents before children. */
void xl_graph_fini(struct xl_graph *graph);
void xl_graph_free(struct xl_graph *graph);
/* Print the graph (volumes, types, options, children) to @fp. */
void xl_graph_print(struct xl_graph *graph, FILE *fp);
/* Call dump() on every volume and log inode table counters. */
void xl_graph_dump(struct xl_graph *graph);

/* Load-time diagnostics. Every volfile error is reported as
 * "FILE:LINE: message" (or "FILE: message" when @line <= 0): logged at
 * ERROR and, if a handler is set, passed to it (one call per message,
 * without a newline). The handler is process-wide; set it before loading.
 * xl_diag_stderr is a ready handler printing each message on stderr. */
typedef void (*xl_diag_fn)(void *ctx, const char *msg);
void xl_diag_set_handler(xl_diag_fn fn, void *ctx);
void xl_diag_stderr(void *ctx, const char *msg);
void xl_diag(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Directory modules are loaded from when none is given. */
const char *xl_default_xlator_dir(void);
/* Print every module type found in @dir with its options to @fp. */
int xl_list_modules(const char *xlator_dir, FILE *fp);

#endif

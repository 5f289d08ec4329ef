/*
 * posix.h — storage/posix internals shared by its files (not a public API).
 *
 * storage/posix serves a local directory (ext4, xfs, btrfs, tmpfs,
 * overlayfs: anything with trusted.* xattrs and hard links). Object ids are
 * chosen above storage and kept in the object's xattr trusted.xlnfs.id;
 * an index under the export root (.xlnfs/index, posix_index.c) finds an
 * object by id without a path. Each inode this volume has seen carries a
 * context (struct posix_ictx) with the object's id and identity and a few
 * descriptors (O_PATH, data) that an LRU bounded by the fd-cache-size
 * option closes again; a closed descriptor is reopened through the index.
 *
 * Fops run the namespace calls under the caller's fsuid/fsgid/groups
 * (posix_creds.c), so the kernel judges permissions, ACLs included. Data
 * descriptors are root's (opened once per inode; a file CREATE made keeps
 * the O_RDWR one it was made with, as its path fd too); READ and WRITE ask the
 * kernel per call with faccessat(AT_EACCESS) under the caller's
 * credentials, keeping knfsd's owner override.
 *
 * Files: posix.c (module, options, init), posix_index.c (ids and the
 * index, shared with the reindex tool), posix_ictx.c (inode contexts and
 * the descriptor LRU), posix_creds.c (per-thread credentials),
 * posix_sync.c (group commit of directory fsyncs), posix_attr.c
 * (getattr/setattr/access/readlink/statfs), posix_entry.c (lookup, resolve
 * and the namespace fops), posix_io.c (read/write/fsync), posix_dir.c
 * (readdir), posix_idcache.c (ids of listed objects), posix_xattr.c
 * (xattr fops and byte-range locks),
 * posix_reindex.c (the xlnfs-posix-reindex program).
 */
#ifndef XLNFS_POSIX_H
#define XLNFS_POSIX_H

#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/types.h>

#include "xlator.h"

/* ---------------------------------------------------------------- the index */

/* The id xattr, its hidden namespace, and the hidden directory at the root. */
#define POSIX_ID_XATTR "trusted.xlnfs.id"
#define POSIX_XATTR_PREFIX "trusted.xlnfs."
#define POSIX_HIDDEN ".xlnfs"
#define POSIX_INDEX POSIX_HIDDEN "/index"
/* "ab/cd/" + a 36-character id + NUL */
#define POSIX_INDEX_PATHLEN (6 + XL_ID_STRLEN)

/* What the index code needs to know of an export (posix_priv has one, the
 * reindex tool another). */
struct posix_store {
	int root_fd;   /* O_RDONLY|O_DIRECTORY on the export root */
	int index_fd;  /* O_PATH|O_DIRECTORY on .xlnfs/index */
	uint64_t mnt_id; /* the export's mount (statx STATX_MNT_ID) */
	/* Second-level index folders (ab/cd, bit 0xabcd) known to exist, so
	 * an entry is linked at once instead of after a failed link and a
	 * mkdir (__atomic; zero at start: nothing known). */
	uint8_t fanout[65536 / 8];
};

/* Open (making it when absent, as root) the hidden index of the export open
 * as store->root_fd, and give the root its id XL_ID_ROOT. 0 or -errno. */
int posix_index_init(struct posix_store *s);

/* "ab/cd/<id>" for @id into @buf. */
void posix_index_path(const struct xl_id *id, char buf[POSIX_INDEX_PATHLEN]);

/* The id of the object @path names relative to @dirfd (@path "" with
 * @dirfd an O_PATH fd: that object). 0, -ENODATA when it has none. */
int posix_id_read(int dirfd, const char *path, struct xl_id *id);
/* Set it (@create: only if it has none: -EEXIST otherwise). As root. */
int posix_id_write(int dirfd, const char *path, const struct xl_id *id, bool create);

/* Add the object open as @fd (O_PATH, attributes @stx) with @id to the
 * index: a hard link for non-directories, a symlink naming @parent and
 * @name for directories (replaced when it says otherwise: a rename made
 * outside). -EEXIST when another live object holds @id (a copy of this
 * one inside the export): the caller gives this one a new id. As root. */
int posix_index_add(struct posix_store *s, int fd, const struct statx *stx,
		    const struct xl_id *id, const struct xl_id *parent, const char *name);
/* The first try of posix_index_add for a file just made with @id (open
 * as @fd, any kind of descriptor): its hard link, with no stat. 0, or
 * -EEXIST when an entry holds @id already (then posix_index_add judges
 * it), or -errno. As root. */
int posix_index_add_file(struct posix_store *s, int fd, const struct xl_id *id);
/* Point directory @id's symlink at @parent/@name (after a rename). */
int posix_index_move_dir(struct posix_store *s, const struct xl_id *id,
			 const struct xl_id *parent, const char *name);
/* Remove @id's entry (ignoring its absence). */
void posix_index_remove(struct posix_store *s, const struct xl_id *id);
/* Open the object with @id as O_PATH|O_NOFOLLOW through the index (as
 * root; directories by walking their chain of parents from the root,
 * never letting the kernel follow the symlinks). The fd, or -ESTALE when
 * no live object has that id. */
int posix_index_open(struct posix_store *s, const struct xl_id *id);

/* statx of @path at @dirfd, not following a final symlink (AT_EMPTY_PATH
 * when @path is ""), with the basic fields and the mount id. */
int posix_statx(int dirfd, const char *path, struct statx *stx);
/* An xl_iatt from @stx (id left as it is): nlink without the index link
 * for non-directories when @indexed, and without the hidden directory for
 * the root (ia->id set to XL_ID_ROOT before). */
void posix_iatt_from_statx(struct xl_iatt *ia, const struct statx *stx, bool indexed);

/* ---------------------------------------------------------------- the module */

/* Parsed options (the framework fills it from the volfile). */
struct posix_conf {
	char *directory;       /* the exported folder */
	bool fsync_unstable;   /* make every write FILE_SYNC */
	bool sync_metadata;    /* fsync directories after namespace changes */
	int64_t fd_cache_size; /* descriptors kept open at most (0: automatic) */
};

/* Runtime state (xl->private). */
struct posix_priv {
	struct posix_store store;
	dev_t root_dev;
	uint64_t root_ino;
	bool switch_creds;     /* false when the daemon is not root */
	unsigned cookie_shift; /* readdir: bits dropped from d_off (ext4: 7) */
	/* descriptor LRU (posix_ictx.c) */
	pthread_mutex_t lru_lock;
	struct posix_ictx *lru_head, *lru_tail; /* oldest first */
	long nfds;             /* descriptors held by contexts (atomic) */
	long fd_limit;
	uint64_t evictions;
	/* group commit (posix_sync.c): directory changes waited for, and the
	 * fsyncs that made them durable (atomic) */
	uint64_t dir_commits, dir_fsyncs;
	/* contexts by inode number (posix_ictx.c): the id of a cached object
	 * from its statx alone, so LOOKUP and READDIRPLUS of cached objects
	 * read no xattr */
	pthread_mutex_t map_lock;
	GHashTable *by_ino;    /* &ctx->ino → ctx */
	/* ids of objects seen in listings (posix_idcache.c) */
	struct posix_idcache *idcache;
};

/* Per-inode context of this volume, freed by ctx_free with its inode (so a
 * fop, which holds its inode, may use it without a reference count).
 * @lock guards the descriptors and users; @ns_lock orders changes of the
 * object (and of entries, for a directory) with the wcc stats taken around
 * them; sync_* is the group commit of directory fsyncs (posix_sync.c). */
struct posix_ictx {
	struct xl_id id;
	mode_t type;            /* S_IFMT bits */
	uint64_t ino;
	dev_t dev;
	bool indexed;           /* non-directory with its index link */
	bool has_btime;         /* btime known: the context may be in by_ino */
	struct statx_timestamp btime;
	pthread_mutex_t lock;
	int path_fd;            /* O_PATH|O_NOFOLLOW (a file created here:
				 * its O_RDWR fd, also rw_fd); -1 while evicted */
	int rw_fd, ro_fd;       /* data fds (a directory: ro_fd for fsync) */
	unsigned users;         /* fops using the fds: not evictable */
	struct posix_ictx *lru_prev, *lru_next;
	bool in_lru;
	bool recent;            /* used since the evictor last saw it (lock) */
	pthread_mutex_t ns_lock;
	pthread_mutex_t sync_lock;
	pthread_cond_t sync_cond;
	uint64_t changes, synced;
	bool syncing;
	struct xl_lk_table *locks; /* lk fop, made on first use (under lock) */
	uint64_t size_hint;     /* the size last seen (atomic): READ's buffer size */
};

/* ---------------------------------------------------------------- contexts */

/* A new context for the object open as @fd (O_PATH, owned by the context
 * from now on) with @id and attributes @stx. Never NULL: it comes from a
 * pool that, like g_malloc, aborts when memory runs out. */
struct posix_ictx *posix_ictx_new(struct xl *xl, int fd, const struct xl_id *id,
				  const struct statx *stx, bool indexed);
/* Attach @ctx to @inode unless it has one (then @ctx is freed); returns
 * the context in place. */
struct posix_ictx *posix_ictx_attach(struct xl *xl, struct xl_inode *inode,
				     struct posix_ictx *ctx);
/* Is the object with attributes @stx the one of a cached context? Then
 * its id and indexed flag. Matched by inode number, device and birth
 * time, so a reused inode number never matches. */
bool posix_ictx_known(struct posix_priv *priv, const struct statx *stx, struct xl_id *id,
		      bool *indexed);
/* Free a context (ctx_free). */
void posix_ictx_free(struct xl *xl, struct posix_ictx *ctx);

/* Start using @inode's context: its O_PATH fd is open (reopened through
 * the index after an eviction; an inode without context is opened by its
 * id) and stays open until posix_ictx_done(). *out is borrowed for the
 * fop. -ESTALE when the object is gone. */
int posix_ictx_use(struct xl *xl, struct xl_inode *inode, struct posix_ictx **out);
void posix_ictx_done(struct xl *xl, struct posix_ictx *ctx);
/* The same, also giving its attributes (one fstat) and failing with
 * -ESTALE for an object without links. */
int posix_ictx_stat(struct xl *xl, struct xl_inode *inode, struct posix_ictx **out,
		    struct statx *stx);
/* statx of the used @ctx's object; -ESTALE when it has no name left. */
int posix_ctx_statx(struct posix_ictx *ctx, struct statx *stx);
/* The data fd of a used context: regular files O_RDWR when @write (or
 * when possible), else O_RDONLY; directories O_RDONLY. Borrowed while the
 * context is used. */
int posix_data_fd(struct xl *xl, struct posix_ictx *ctx, bool write);
/* Attributes of the used @ctx into @ia (NULL-safe), from an fstat. */
int posix_ctx_iatt(struct posix_ictx *ctx, struct xl_iatt *ia);

/* ---------------------------------------------------------------- id cache */

/* The ids of objects seen in listings by identity (ino, dev, type, birth
 * time), a 4-way set-associative table of 2^@bits slots (posix_idcache.c). NULL
 * when out of memory; every call below accepts a NULL cache. */
#define POSIX_IDCACHE_BITS 17
struct posix_idcache *posix_idcache_new(unsigned bits);
void posix_idcache_free(struct posix_idcache *c);
/* The id and indexed flag of the object @stx describes, if cached. */
bool posix_idcache_get(struct posix_idcache *c, const struct statx *stx, struct xl_id *id,
		       bool *indexed);
/* Start loading the bucket of inode @ino on device @dev (makedev) into
 * the CPU's cache, ahead of a get for it (readdirplus, before its statx). */
void posix_idcache_prefetch(struct posix_idcache *c, uint64_t ino, uint64_t dev);
/* Remember them (replacing the object's own slot, else a free one, else
 * a pseudo-random one of its bucket). No-op without a btime. */
void posix_idcache_put(struct posix_idcache *c, const struct statx *stx, const struct xl_id *id,
		       bool indexed);
/* Forget the object with @stx's ino and dev (its id was rewritten). */
void posix_idcache_forget(struct posix_idcache *c, const struct statx *stx);
/* Lookups that hit and missed so far (tests). */
void posix_idcache_counts(struct posix_idcache *c, uint64_t *hits, uint64_t *misses);

/* ---------------------------------------------------------------- creds */

/* Switch the calling thread to @call's fsuid/fsgid/groups (nothing when
 * the daemon is not root or the caller is root). 0 or -errno. Always pair
 * with posix_creds_leave(), which returns the thread to root. */
int posix_creds_enter(struct xl *xl, const struct xl_call *call);
void posix_creds_leave(struct xl *xl, const struct xl_call *call);

/* ---------------------------------------------------------------- helpers */

/* "/proc/self/fd/N" for @fd into @buf (at least 32 bytes). */
void posix_fd_path(int fd, char *buf, size_t size);

/* Is @name the hidden directory, seen from directory @dir (only the root
 * hides it)? */
bool posix_is_hidden(struct posix_ictx *dir, const char *name);

/* May @call read (R_OK) or write (W_OK) the object of @ctx, which has
 * attributes @stx? The kernel's judgement (faccessat AT_EACCESS under the
 * caller's credentials, ACLs included), with the NFS owner override: the
 * owner may always read and write what he owns. 0 or -EACCES. */
int posix_io_permission(struct xl *xl, const struct xl_call *call, struct posix_ictx *ctx,
			const struct statx *stx, int mask);

/* Clear set-uid (and set-gid with group execute) after a write or a
 * truncation by a non-root caller, through root's @data_fd. */
void posix_kill_priv(const struct xl_call *call, int data_fd, const struct statx *stx);

/* Apply the @valid parts of @sa to the used @ctx (stx: its attributes).
 * Runs the namespace parts under the caller's credentials. */
int posix_apply_setattr(struct xl *xl, struct xl_call *call, struct posix_ictx *ctx,
			const struct xl_setattr *sa, unsigned valid, const struct statx *stx);

/* After a change of directory @dctx's entries (numbered by
 * posix_dir_changed() under its ns_lock): make it durable when @force or
 * the sync-metadata option asks, sharing one fsync among the changes in
 * flight. Errors are logged and ignored: the change itself is done. */
uint64_t posix_dir_changed(struct posix_ictx *dctx);
void posix_dir_commit(struct xl *xl, struct posix_ictx *dctx, uint64_t change, bool force);

/* Tell the parents that the object @id is gone (XL_EV_FORGET). */
void posix_forget(struct xl *xl, const struct xl_id *id);

/* ---------------------------------------------------------------- fops */

int posix_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr);
int posix_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  struct xl_iatt *attr);
int posix_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  struct xl_iatt *attr);
int posix_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  const struct xl_setattr *sa, struct xl_wcc *wcc);
int posix_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint32_t mask,
		 uint32_t *granted, struct xl_iatt *attr);
int posix_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		   size_t size, struct xl_iatt *attr);
int posix_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	       size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr);
int posix_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc);
int posix_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		uint64_t len, bool datasync, struct xl_wcc *wcc);
int posix_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
		 struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int posix_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode *inode,
		struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int posix_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  const char *target, const struct xl_id *id, const struct xl_setattr *sa,
		  struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int posix_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
		struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int posix_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_wcc *dir_wcc);
int posix_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		struct xl_wcc *dir_wcc);
int posix_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
		 const char *oldname, struct xl_inode *newdir, const char *newname,
		 struct xl_wcc *old_wcc, struct xl_wcc *new_wcc);
int posix_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	       struct xl_inode *newdir, const char *newname, struct xl_iatt *attr,
	       struct xl_wcc *dir_wcc);
int posix_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		  unsigned flags, xl_readdir_fill_fn fill, void *ctx, bool *eof,
		  struct xl_iatt *dir_attr);
int posix_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		 struct statvfs *sv);
int posix_getxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   const char *name, void *value, size_t size);
int posix_setxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   const char *name, const void *value, size_t size, int flags);
int posix_removexattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		      const char *name);
int posix_listxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *list,
		    size_t size);
int posix_xattr_add(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name, const int64_t *delta, size_t n, int64_t *result);
int posix_xattr_cas(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name, const void *expect, size_t expect_len, const void *value,
		    size_t value_len);
int posix_lk(struct xl *xl, struct xl_call *call, struct xl_inode *inode, enum xl_lk_cmd cmd,
	     struct xl_lock *lock);

#endif

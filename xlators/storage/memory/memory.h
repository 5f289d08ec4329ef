/*
 * memory.h — storage/memory's private state: the store, its objects and
 * the helpers the fop files (mem_*.c) share.
 *
 * The store is a set of objects (struct mem_obj) found by id in one hash
 * table and by name through their directories' entry tables. Everything
 * lives in this module; the framework's inode table is only a cache whose
 * inodes carry a context pointing at the object (one reference each).
 *
 * Locking: one mutex per store (priv->lock) guards every object, entry,
 * block table and counter. Fops take it once, for their whole change, so
 * wcc pre/post attributes are taken atomically around the change. It is
 * never held across a call out of the module (notify, inode contexts).
 *
 * Lifetime: an object is in the id index while it has links (the root
 * always). When its last link goes it leaves the index (resolve and every
 * fop on it answer -ESTALE), the store sends XL_EV_FORGET, and it is freed
 * once the last inode context lets go of it (mem_obj_put).
 *
 * File data: fixed-size blocks (option block-size), each a refcounted
 * xl_iobuf kept in a per-file hash table by block number; missing blocks
 * are holes and read as zeros. READ within one block returns a slice of
 * that block's buffer (no copy); a later WRITE to a block somebody still
 * holds copies it first (copy on write), so a slice handed out never
 * changes under its reader.
 */
#ifndef XLNFS_MEMORY_H
#define XLNFS_MEMORY_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <glib.h>

#include "xlator.h"

/* Bytes of the size limit every object costs besides its data. */
#define MEM_OBJ_COST 256
#define MEM_NAME_MAX 255
#define MEM_SYMLINK_MAX 4095
#define MEM_LINK_MAX 65000
#define MEM_XATTR_NAME_MAX 255
#define MEM_XATTR_SIZE_MAX 65536
/* The largest file offset (as ext4 with 4 KiB blocks: 16 TiB). */
#define MEM_FILE_MAX (UINT64_C(16) << 40)

/* Readdir cookies of "." and ".."; entries get cookies from here on. */
#define MEM_COOKIE_DOT 1
#define MEM_COOKIE_DOTDOT 2
#define MEM_COOKIE_FIRST 3

struct mem_conf {
	uint64_t size;        /* size limit in bytes; 0: none */
	int64_t inodes;       /* object limit; 0: none */
	uint64_t block_size;  /* file data block */
	int64_t fsid;         /* reported fsid; 0: derived from the volume name */
	char *snapshot;       /* kept across restarts in this file (mem_persist.c) */
	char *import;         /* a directory copied in at start */
};

/* One name in a directory. */
struct mem_dirent {
	char *name;
	uint64_t cookie;      /* resume point after this entry */
	struct mem_obj *obj;  /* holds no reference: the link is the obj's nlink */
};

struct mem_obj {
	struct mem_priv *store;
	struct xl_id id;
	uint64_t ino;
	mode_t mode;          /* type and permission bits */
	uint32_t nlink;
	uid_t uid;
	gid_t gid;
	dev_t rdev;
	struct timespec atime, mtime, ctime;
	int refs;             /* inode contexts (guarded by the store lock) */
	bool dead;            /* out of the index: no links left */
	uint64_t size;        /* regular files: bytes; symlinks: target length */
	/* regular files: block number → struct xl_iobuf * (block_size bytes) */
	GHashTable *blocks;
	/* directories */
	GHashTable *entries;  /* name → struct mem_dirent * (owned) */
	GTree *by_cookie;     /* cookie → struct mem_dirent * (not owned) */
	uint64_t next_cookie;
	struct mem_obj *parent; /* ".." (the root: itself) */
	char *target;         /* symlinks */
	GHashTable *xattrs;   /* name → GBytes *, created on first set */
	struct xl_lk_table *locks; /* created on first lk */
};

struct mem_priv {
	pthread_mutex_t lock;
	GHashTable *by_id;    /* struct xl_id * (the obj's own) → struct mem_obj * */
	struct mem_obj *root;
	uint64_t next_ino;
	uint64_t used;        /* bytes charged against the size limit */
	uint64_t objects;     /* live objects (the root included) */
	uint64_t blocks;      /* data blocks allocated */
	uint64_t fsid;
	struct xl_iobuf *zeros; /* one block of zeros: holes are read from it */
	uint64_t cow_copies;  /* blocks copied because a reader held them */
	uint64_t allocated;   /* objects not yet freed (dead ones held by contexts too) */
	bool closing;         /* fini ran: the last freed object frees the store */
	GHashTable *imported; /* store paths "/a/b" import copied in once (owned keys) */
};

/* ------------------------------------------------------- memory.c */

/* The object behind @inode, or NULL if it is gone (-ESTALE). Called with
 * the store lock held. Installs the context when the inode lacks it. */
struct mem_obj *mem_obj_of(struct xl *xl, struct xl_inode *inode);
/* The live object with @id, or NULL. Lock held. */
struct mem_obj *mem_obj_find(struct mem_priv *priv, const struct xl_id *id);
/* Attach @obj to the fresh @inode (takes a reference). Lock held. */
void mem_obj_attach(struct xl *xl, struct xl_inode *inode, struct mem_obj *obj);
/* A bare object with @id of type/mode @mode in the index (its cost
 * charged without a limit): what mem_obj_new and the snapshot build on.
 * Lock held. */
struct mem_obj *mem_obj_alloc(struct mem_priv *priv, const struct xl_id *id, mode_t mode);
/* Give @obj the mode @mode and the tables its type needs. */
void mem_obj_set_type(struct mem_obj *obj, mode_t mode);
/* A new object of type/mode @mode owned by @call's caller, in the index
 * under @id (NULL: a generated one), charged against the limits:
 * -ENOSPC when a limit is reached, -EEXIST when @id is taken. Lock held. */
int mem_obj_new(struct xl *xl, struct xl_call *call, mode_t mode, const struct xl_id *id,
		struct mem_obj **out);
/* @obj lost its last link: out of the index, charges released. Its id
 * is appended to @forget (an array of struct xl_id) so the caller can
 * send XL_EV_FORGET once it has dropped the lock. Lock held. */
void mem_obj_kill(struct mem_priv *priv, struct mem_obj *obj, GArray *forget);
/* Drop a context's reference; frees a dead object's last. Lock held.
 * True when that was the last object of a finalized store: the caller
 * frees the store once it has unlocked it. */
bool mem_obj_put(struct mem_priv *priv, struct mem_obj *obj);
/* Send XL_EV_FORGET for every id in @forget and free it. Lock NOT held. */
void mem_forget_send(struct xl *xl, GArray *forget);
/* Charge @bytes against the size limit (0 or -ENOSPC); release them. */
int mem_charge(struct xl *xl, uint64_t bytes);
void mem_uncharge(struct xl *xl, uint64_t bytes);
/* The current time for a/m/ctime. */
void mem_now(struct timespec *ts);
/* @obj's attributes (all of them) into @ia (NULL-safe). */
void mem_iatt(struct xl *xl, const struct mem_obj *obj, struct xl_iatt *ia);

/* ------------------------------------------------------- mem_perm.c */

enum { MEM_MAY_EXEC = 1, MEM_MAY_WRITE = 2, MEM_MAY_READ = 4 };

/* Is @cred the object's owner, in its group, root? */
bool mem_is_root(const struct xl_cred *cred);
bool mem_in_group(const struct xl_cred *cred, gid_t gid);
/* The kernel's generic_permission(): 0 or -EACCES for the MEM_MAY_* bits
 * in @want. Root passes read/write always and exec when the object is a
 * directory or has any exec bit. */
int mem_permission(const struct mem_obj *obj, const struct xl_cred *cred, int want);
/* May @cred remove or replace @victim's name in sticky directory @dir? */
bool mem_sticky_ok(const struct mem_obj *dir, const struct mem_obj *victim,
		   const struct xl_cred *cred);
/* Clear set-user-id (and set-group-id when group-executable) as a write
 * or a chown by an unprivileged caller does. */
void mem_kill_suid(struct mem_obj *obj);

/* ------------------------------------------------------- mem_attr.c */

/* Apply @sa to @obj as @cred (permission checks as chmod/chown/utimes/
 * truncate do; @owner_override: truncate as the owner may, as knfsd
 * lets it). 0 or -errno (nothing changed then). Lock held. */
int mem_setattr_obj(struct xl *xl, const struct xl_cred *cred, struct mem_obj *obj,
		    const struct xl_setattr *sa, bool owner_override);
int mem_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		struct xl_iatt *attr);
int mem_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		const struct xl_setattr *sa, struct xl_wcc *wcc);
int mem_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint32_t mask,
	       uint32_t *granted, struct xl_iatt *attr);
int mem_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		 size_t size, struct xl_iatt *attr);
int mem_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct statvfs *sv);

/* ------------------------------------------------------- mem_io.c */

/* Truncate @obj's data to @size (holes grow it). 0 or -errno. Lock held. */
int mem_truncate(struct xl *xl, struct mem_obj *obj, uint64_t size);
/* Write @len bytes at @buf into @obj at @off, charging new blocks
 * (-ENOSPC, nothing written) — WRITE's core without checks or times. */
int mem_data_put(struct xl *xl, struct mem_obj *obj, uint64_t off, const void *buf, size_t len);
/* Release every block of @obj (it is being freed). */
void mem_data_free(struct mem_priv *priv, struct mem_obj *obj);
int mem_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	     size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr);
int mem_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	      const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc);
int mem_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	      uint64_t len, bool datasync, struct xl_wcc *wcc);

/* ------------------------------------------------------- mem_entry.c */

int mem_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr);
int mem_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		struct xl_iatt *attr);
int mem_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
	       struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int mem_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode *inode,
	      struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int mem_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		const char *target, const struct xl_id *id, const struct xl_setattr *sa,
		struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int mem_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
	      struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int mem_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       struct xl_wcc *dir_wcc);
int mem_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      struct xl_wcc *dir_wcc);
int mem_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	     struct xl_inode *newdir, const char *newname, struct xl_iatt *attr,
	     struct xl_wcc *dir_wcc);

/* ------------------------------------------------------- mem_rename.c */

int mem_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir, const char *oldname,
	       struct xl_inode *newdir, const char *newname, struct xl_wcc *old_wcc,
	       struct xl_wcc *new_wcc);

/* ------------------------------------------------------- mem_dir.c */

/* The entry @name of directory @dir, or NULL. Lock held. */
struct mem_dirent *mem_dir_get(const struct mem_obj *dir, const char *name);
/* Add @name → @obj to @dir (obj->nlink and dir's nlink/times are the
 * caller's). -ENOMEM. Lock held. */
int mem_dir_add(struct mem_obj *dir, const char *name, struct mem_obj *obj);
/* The same with a given @cookie (a snapshot's; below dir->next_cookie). */
void mem_dir_add_at(struct mem_obj *dir, const char *name, struct mem_obj *obj,
		    uint64_t cookie);
/* Remove @name from @dir (it must be there). Lock held. */
void mem_dir_del(struct mem_obj *dir, const char *name);
/* Order of readdir cookies (GTree keys are the cookies themselves). */
gint mem_cookie_cmp(gconstpointer a, gconstpointer b);
/* Free a directory's tables (it is being freed). */
void mem_dir_free(struct mem_obj *dir);
int mem_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		unsigned flags, xl_readdir_fill_fn fill, void *ctx, bool *eof,
		struct xl_iatt *dir_attr);

/* ------------------------------------------------------- mem_persist.c */

/* Write the store to conf->snapshot (lock held). 0 or -errno (logged). */
int mem_snapshot_save(struct xl *xl);
/* Read conf->snapshot into the empty store: 1 when read (the root is
 * there), 0 when there is no such file, -errno (logged) when it is not a
 * snapshot this module can read. */
int mem_snapshot_load(struct xl *xl);
/* Copy conf->import's tree in (@fresh: the root takes the directory's
 * mode, owner and times too). 0 or -errno (logged). */
int mem_import(struct xl *xl, bool fresh);

/* ------------------------------------------------------- mem_xattr.c */

void mem_xattr_free(struct mem_priv *priv, struct mem_obj *obj);
int mem_getxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		 void *value, size_t size);
int mem_setxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		 const void *value, size_t size, int flags);
int mem_removexattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name);
int mem_listxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *list,
		  size_t size);
int mem_xattr_add(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		  const int64_t *delta, size_t n, int64_t *result);
int mem_xattr_cas(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		  const void *expect, size_t expect_len, const void *value, size_t value_len);
int mem_lk(struct xl *xl, struct xl_call *call, struct xl_inode *inode, enum xl_lk_cmd cmd,
	   struct xl_lock *lock);

#endif

/*
 * posix.h — storage/posix internals shared by its files (not a public API).
 *
 * storage/posix serves a local directory. Object identity (the gfid) is the
 * kernel's own file handle (name_to_handle_at): 4 bytes of handle type and
 * then f_handle. It survives renames and restarts and is resolved again
 * with open_by_handle_at on the export's root. Each inode this volume has
 * seen carries a context (struct posix_ictx) holding an O_PATH descriptor
 * of the object and, for regular files, lazily opened data descriptors.
 *
 * Every fop resolves its inodes as root (open_by_handle_at needs
 * CAP_DAC_READ_SEARCH) and then runs the namespace calls under the caller's
 * fsuid/fsgid/groups (posix_creds.c), so the kernel judges permissions.
 * Only READ, WRITE and truncation check permissions here, with the NFS
 * rule that an object's owner may always read and write it.
 *
 * Files: posix.c (module, options, init), posix_handle.c (gfids, inode
 * contexts), posix_creds.c (per-thread credentials), posix_attr.c
 * (getattr/setattr/access/readlink/statfs), posix_entry.c (lookup and the
 * namespace fops), posix_io.c (read/write/fsync), posix_dir.c (readdir).
 */
#ifndef XLNFS_POSIX_H
#define XLNFS_POSIX_H

#include <pthread.h>
#include <stdbool.h>
#include <sys/stat.h>
#include <sys/types.h>

#include "xlator.h"

/* Parsed options (the framework fills it from the volfile). */
struct posix_conf {
	char *directory;     /* the exported folder */
	bool fsync_unstable; /* make every write FILE_SYNC */
	bool sync_metadata;  /* fsync directories after namespace changes */
};

#define POSIX_CTX_LOCKS 64

/* Runtime state (xl->private). */
struct posix_priv {
	int root_fd;        /* O_RDONLY|O_DIRECTORY: mount fd for open_by_handle_at */
	dev_t root_dev;     /* objects on another st_dev are refused (-EXDEV) */
	ino_t root_ino;
	struct xl_gfid root_gfid;
	int mount_id;       /* the root's mount (name_to_handle_at) */
	bool switch_creds;  /* false when the daemon is not root */
	/* Guards "read a context pointer and take a reference" against
	 * "detach it and drop the inode's reference"; striped by inode. */
	pthread_mutex_t ctx_locks[POSIX_CTX_LOCKS];
};

/* Per-inode context of this volume. Referenced: one reference belongs to
 * the inode (dropped by forget() or when the object is found deleted), one
 * to each fop using it. Descriptors are closed with the last reference. */
struct posix_ictx {
	int refs;           /* atomic */
	int path_fd;        /* O_PATH|O_NOFOLLOW, never -1 */
	int rw_fd;          /* O_RDWR data fd, -1 until needed; set once (atomic) */
	int ro_fd;          /* O_RDONLY fallback when O_RDWR is refused */
	mode_t type;        /* S_IFMT bits */
};

/* ---------------------------------------------------------------- handles */

/* The gfid of the object @fd refers to (any fd, O_PATH included), and
 * the id of its mount in *@mount_id (may be NULL). -EOVERFLOW if the
 * handle does not fit XL_GFID_MAX, -EOPNOTSUPP if the filesystem has no
 * handles. */
int posix_gfid_from_fd(int fd, struct xl_gfid *gfid, int *mount_id);
/* The same for @name in directory @dirfd, not following a final symlink. */
int posix_gfid_at(int dirfd, const char *name, struct xl_gfid *gfid, int *mount_id);

/* Open the object named by @gfid as O_PATH (must run as root); returns
 * the fd. A gfid that is not one of ours, or a freed object, answers
 * -ESTALE (an object still cached by the kernel may open with nlink 0). */
int posix_gfid_open(struct posix_priv *priv, const struct xl_gfid *gfid);

/* The referenced context of @inode, opening the object by its gfid when it
 * has none (must run as root). *st receives the object's attributes. A
 * deleted object (no handle match, or st_nlink 0) drops the context and
 * answers -ESTALE. Put it with posix_ictx_put(). */
int posix_ictx_get(struct xl *xl, struct xl_inode *inode, struct posix_ictx **out,
		   struct stat *st);
void posix_ictx_put(struct posix_ictx *ctx);
/* Detach @ctx from @inode (if still attached) and drop the inode's
 * reference: the object is gone. The caller's reference stays. */
void posix_ictx_drop(struct xl *xl, struct xl_inode *inode, struct posix_ictx *ctx);

/* The inode for the object open as @fd (O_PATH|O_NOFOLLOW; ownership of
 * @fd passes to this function, which closes it on error or when the inode
 * already has a context). @st are its attributes. Returns it referenced
 * in *out. Refuses objects on another filesystem with -EXDEV. */
int posix_inode_from_fd(struct xl *xl, int fd, const struct stat *st, struct xl_inode **out);

/* After an entry was removed (unlink/rmdir/rename over it): if the object
 * with @gfid is cached and has no links left, drop its descriptors now so
 * the space is freed, and take it out of the inode table. */
void posix_forget_if_gone(struct xl *xl, const struct xl_gfid *gfid);

/* ---------------------------------------------------------------- creds */

/* Switch the calling thread to @call's fsuid/fsgid/groups (nothing when
 * the daemon is not root). Returns 0 or -errno. Always pair with
 * posix_creds_leave(), which returns the thread to root. */
int posix_creds_enter(struct xl *xl, const struct xl_call *call);
void posix_creds_leave(struct xl *xl, const struct xl_call *call);

/* ---------------------------------------------------------------- helpers */

/* "/proc/self/fd/N" for @fd into @buf (at least 32 bytes). */
void posix_fd_path(int fd, char *buf, size_t size);

/* May @call read (R_OK) or write (W_OK) the object with attributes @st?
 * NFS rule: root and the owner always may; others by mode bits. */
int posix_io_permission(const struct xl_call *call, const struct stat *st, int mask);

/* The data fd of a regular file's context, opened as root on first use:
 * O_RDWR when @write (or when possible), else O_RDONLY. Borrowed. */
int posix_data_fd(struct xl *xl, struct posix_ictx *ctx, bool write);

/* Clear set-uid (and set-gid with group execute) after a write or a
 * truncation by a non-root caller, through root's @data_fd; updates @st. */
void posix_kill_priv(const struct xl_call *call, int data_fd, struct stat *st);

/* Flush directory @dctx (as root) when @force or the sync-metadata option
 * asks for it after a namespace change. Errors are logged and ignored:
 * the change itself is done. */
void posix_sync_dir(struct xl *xl, struct posix_ictx *dctx, bool force);

/* Apply @sa to the object of @ctx (st: its current attributes, updated on
 * return). Runs the namespace parts under the caller's credentials. */
int posix_apply_setattr(struct xl *xl, struct xl_call *call, struct posix_ictx *ctx,
			const struct xl_setattr *sa, unsigned valid, struct stat *st);

/* ---------------------------------------------------------------- fops */

int posix_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_inode **out, struct stat *st);
int posix_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct stat *st);
int posix_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  const struct xl_setattr *sa, struct stat *st);
int posix_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, int mask);
int posix_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		   size_t size);
int posix_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	       size_t len, void *buf, bool *eof, struct stat *st);
int posix_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		const struct iovec *iov, int iovcnt, enum xl_stable *stable, struct stat *st);
int posix_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, bool datasync);
int posix_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 const struct xl_setattr *sa, bool exclusive, struct xl_inode **out,
		 struct stat *st);
int posix_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		const struct xl_setattr *sa, struct xl_inode **out, struct stat *st);
int posix_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  const char *target, const struct xl_setattr *sa, struct xl_inode **out,
		  struct stat *st);
int posix_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		mode_t mode, dev_t rdev, const struct xl_setattr *sa, struct xl_inode **out,
		struct stat *st);
int posix_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name);
int posix_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name);
int posix_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
		 const char *oldname, struct xl_inode *newdir, const char *newname);
int posix_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	       struct xl_inode *newdir, const char *newname, struct stat *st);
int posix_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		  bool plus, xl_readdir_fill_fn fill, void *ctx, bool *eof);
int posix_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		 struct statvfs *sv);

#endif

/*
 * posix_entry.c — names: lookup, resolve, create, mkdir, symlink, mknod,
 * unlink, rmdir, rename, link.
 *
 * Every call is a *at() call relative to the parent's O_PATH descriptor,
 * made under the caller's credentials, with a single-component name that
 * is never followed if it is a symlink (O_NOFOLLOW/AT_SYMLINK_NOFOLLOW).
 * A changed directory's wcc attributes are an fstat right before and
 * right after the system call, under the directory's ns_lock, so two
 * changes of one directory never interleave between their stats; the
 * flush (group commit, posix_sync.c) comes after the lock is dropped.
 *
 * Ids: a new object gets the id it is given (xattr, then its index entry,
 * as root) before the reply; an object found without one (made outside
 * NFS) gets a new one on lookup. Lookup also checks (once per inode it
 * binds) that the object's index entry is there and right, rebuilding it
 * otherwise, so a copy of the export heals as it is used. A second object
 * holding a live object's id (a `cp -a` inside the export) gets a new id.
 *
 * The hidden directory (.xlnfs at the root) does not exist for clients:
 * lookup, unlink, rmdir and rename from it answer -ENOENT, and making it
 * (create, mkdir, symlink, mknod, link, rename onto it) -EPERM. ".." at
 * the root is the root, decided by the directory's id. An entry on
 * another mount (a mount point inside the export) is refused with -EXDEV:
 * its objects cannot be linked into our index.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "posix.h"

/* A single path component other than "." and ".." (unless @dots). */
static int posix_name_check(const char *name, bool dots)
{
	if (!name || !*name || strchr(name, '/'))
		return -EINVAL;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	if (!dots && (!strcmp(name, ".") || !strcmp(name, "..")))
		return -EINVAL;
	return 0;
}

/* Use directory @dir's context (-ENOTDIR if it is not one). */
static int posix_dir_use(struct xl *xl, struct xl_inode *dir, struct posix_ictx **out)
{
	int ret = posix_ictx_use(xl, dir, out);

	if (ret)
		return ret;
	if ((*out)->type != S_IFDIR) {
		posix_ictx_done(xl, *out);
		*out = NULL;
		return -ENOTDIR;
	}
	return 0;
}

static void posix_wcc_pre(struct posix_ictx *ctx, struct xl_wcc *wcc)
{
	if (wcc)
		posix_ctx_iatt(ctx, &wcc->pre);
}

static void posix_wcc_post(struct posix_ictx *ctx, struct xl_wcc *wcc)
{
	if (wcc)
		posix_ctx_iatt(ctx, &wcc->post);
}

static bool posix_same(const struct statx *a, const struct statx *b)
{
	return a->stx_ino == b->stx_ino && a->stx_dev_major == b->stx_dev_major &&
	       a->stx_dev_minor == b->stx_dev_minor;
}

/* Give @inode a new context for the object open as @fd (owned: the
 * context keeps it, also as its data descriptor when @data_fd), with @id,
 * attributes @stx and @indexed; fill @attr from the context attached
 * (another lookup's may have won). */
static void posix_attach_new(struct xl *xl, struct xl_inode *inode, int fd, bool data_fd,
			     const struct xl_id *id, const struct statx *stx, bool indexed,
			     struct xl_iatt *attr)
{
	struct posix_ictx *ctx = posix_ictx_new(xl, fd, id, stx, indexed);

	if (data_fd)
		ctx->rw_fd = fd;
	ctx = posix_ictx_attach(xl, inode, ctx);
	if (attr) {
		attr->valid = XL_IATT_ID;
		attr->id = ctx->id;
		posix_iatt_from_statx(attr, stx, ctx->indexed);
	}
}

/*
 * Bind the object open as @fd (O_PATH, owned: it goes to the context or is
 * closed) named @name in @dctx to the fresh @inode: give it @newid (a new
 * object) or read its id (assigning one when it has none), make sure its
 * index entry is right, attach a context, fill @attr. @name NULL (a
 * directory found as ".."): the index entry of a directory is left alone.
 */
static int posix_bind(struct xl *xl, struct posix_ictx *dctx, const char *name, int fd,
		      const struct xl_id *newid, struct xl_inode *inode, struct xl_iatt *attr)
{
	struct posix_priv *priv = xl->private;
	struct statx stx;
	struct xl_id id;
	bool dir, indexed = false;
	int ret;

	ret = posix_statx(fd, "", &stx);
	if (ret)
		goto out_close;
	dir = S_ISDIR(stx.stx_mode);
	if (newid) {
		id = *newid;
		ret = posix_id_write(fd, "", &id, false);
		posix_idcache_forget(priv->idcache, &stx);
	} else if ((ret = posix_id_read(fd, "", &id)) == -ENODATA) {
		xl_id_generate(&id);
		ret = posix_id_write(fd, "", &id, true);
		if (ret == -EEXIST) /* another lookup just gave it one */
			ret = posix_id_read(fd, "", &id);
	}
	if (ret) {
		xl_log(xl, XL_LOG_WARNING, "cannot keep the id of '%s': %s", name ? name : "..",
		       strerror(-ret));
		goto out_close;
	}
	if (dir && !name)
		goto out_attach;
	ret = posix_index_add(&priv->store, fd, &stx, &id, &dctx->id, name);
	if (ret == -EEXIST && !newid) {
		/* a copy of another live object: it becomes an object of its own */
		xl_id_generate(&id);
		ret = posix_id_write(fd, "", &id, false);
		posix_idcache_forget(priv->idcache, &stx); /* listings saw the copied id */
		if (!ret)
			ret = posix_index_add(&priv->store, fd, &stx, &id, &dctx->id, name);
	}
	if (ret == -EEXIST)
		goto out_close;
	if (ret)
		xl_log(xl, XL_LOG_WARNING, "cannot index '%s': %s (it will not be found by id)",
		       name, strerror(-ret));
	indexed = !ret && !dir;
	/* the index link counts in nlink, which we report without it */
	if (indexed && posix_statx(fd, "", &stx))
		indexed = false;
out_attach:
	posix_attach_new(xl, inode, fd, false, &id, &stx, indexed, attr);
	return 0;

out_close:
	close(fd);
	return ret;
}

/*
 * posix_bind for a regular file CREATE just made, open as @fd (O_RDWR,
 * owned): the id xattr and the index link go through the descriptor, and
 * one statx after both is the attributes (nlink with the index link,
 * ctime after the xattr). The context keeps @fd as its path and data
 * descriptor. An index entry already holding @id goes the general way.
 */
static int posix_bind_created(struct xl *xl, struct posix_ictx *dctx, const char *name, int fd,
			      const struct xl_id *id, struct xl_inode *inode, struct xl_iatt *attr)
{
	struct posix_priv *priv = xl->private;
	struct statx stx;
	int ret, iret;

	if (fsetxattr(fd, POSIX_ID_XATTR, id->bytes, sizeof(id->bytes), 0) < 0) {
		ret = -errno;
		xl_log(xl, XL_LOG_WARNING, "cannot keep the id of '%s': %s", name, strerror(-ret));
		goto out_close;
	}
	iret = posix_index_add_file(&priv->store, fd, id);
	if (iret == -EEXIST) {
		iret = posix_statx(fd, "", &stx);
		if (!iret)
			iret = posix_index_add(&priv->store, fd, &stx, id, &dctx->id, name);
		if (iret == -EEXIST) {
			ret = iret;
			goto out_close;
		}
	}
	if (iret)
		xl_log(xl, XL_LOG_WARNING, "cannot index '%s': %s (it will not be found by id)",
		       name, strerror(-iret));
	ret = posix_statx(fd, "", &stx);
	if (ret)
		goto out_close;
	posix_idcache_forget(priv->idcache, &stx); /* a listing may have seen a dead namesake */
	posix_attach_new(xl, inode, fd, true, id, &stx, iret == 0, attr);
	return 0;

out_close:
	close(fd);
	return ret;
}

static int posix_lookup_root(struct xl *xl, struct xl_inode *inode, struct xl_iatt *attr)
{
	struct posix_priv *priv = xl->private;
	struct statx stx;
	int fd, ret;

	fd = openat(priv->store.root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	ret = posix_statx(fd, "", &stx);
	if (ret) {
		close(fd);
		return ret;
	}
	posix_attach_new(xl, inode, fd, false, &XL_ID_ROOT, &stx, false, attr);
	return 0;
}

/* The cheap path of lookup: the name's attributes and id (statx and one
 * xattr read, no descriptor) name an object whose inode is cached with
 * our context. Returns 1 when the slow path must bind the object. */
static int posix_lookup_cached(struct xl *xl, struct posix_ictx *dctx, const char *name,
			       const struct statx *stx, struct xl_iatt *attr)
{
	struct posix_ictx *ctx;
	struct xl_inode *cached;
	struct xl_id id;
	int ret = 1;

	if (posix_id_read(dctx->path_fd, name, &id))
		return 1;
	cached = xl_inode_find(xl->graph->itable, &id);
	if (!cached)
		return 1;
	ctx = xl_inode_ctx_get(cached, xl);
	if (ctx && ctx->ino == stx->stx_ino &&
	    ctx->dev == makedev(stx->stx_dev_major, stx->stx_dev_minor)) {
		/* the framework merges the fresh inode into the cached one */
		if (attr) {
			attr->valid = XL_IATT_ID;
			attr->id = id;
			posix_iatt_from_statx(attr, stx, ctx->indexed);
		}
		ret = 0;
	}
	xl_inode_unref(cached);
	return ret;
}

int posix_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *dctx;
	struct statx stx;
	bool dotdot;
	int fd, ret;

	if (!dir)
		return posix_lookup_root(xl, inode, attr);
	ret = posix_name_check(name, true);
	if (ret)
		return ret;
	ret = posix_dir_use(xl, dir, &dctx);
	if (ret)
		return ret;
	dotdot = !strcmp(name, "..");
	if (posix_is_hidden(dctx, name)) {
		ret = -ENOENT;
		goto out_done;
	}
	if (!strcmp(name, ".") || (dotdot && xl_id_equal(&dctx->id, &XL_ID_ROOT))) {
		/* the directory itself: the framework merges into its inode */
		ret = posix_ctx_iatt(dctx, attr);
		goto out_done;
	}
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_done;
	ret = posix_statx(dctx->path_fd, name, &stx);
	posix_creds_leave(xl, call);
	if (ret)
		goto out_done;
	if (priv->store.mnt_id && (stx.stx_mask & STATX_MNT_ID) &&
	    stx.stx_mnt_id != priv->store.mnt_id) {
		ret = -EXDEV; /* a mount point inside the export */
		goto out_done;
	}
	{
		struct xl_id id;
		bool indexed;

		/* a cached object: no xattr, no descriptor; the framework
		 * merges the fresh inode into the cached one */
		if (posix_ictx_known(priv, &stx, &id, &indexed)) {
			if (attr) {
				attr->valid = XL_IATT_ID;
				attr->id = id;
				posix_iatt_from_statx(attr, &stx, indexed);
			}
			goto out_done;
		}
	}
	ret = posix_lookup_cached(xl, dctx, name, &stx, attr);
	if (ret <= 0)
		goto out_done;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_done;
	fd = openat(dctx->path_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	ret = fd < 0 ? -errno : 0;
	posix_creds_leave(xl, call);
	if (ret)
		goto out_done;
	ret = posix_bind(xl, dctx, dotdot ? NULL : name, fd, NULL, inode, attr);
out_done:
	if (dir_attr)
		posix_ctx_iatt(dctx, dir_attr);
	posix_ictx_done(xl, dctx);
	return ret;
}

int posix_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  struct xl_iatt *attr)
{
	struct posix_ictx *ctx;
	struct statx stx;
	int ret;

	(void)call;
	if (xl_id_is_null(xl_inode_id(inode)))
		return -ESTALE;
	/* a context-less inode is opened through the index here */
	ret = posix_ictx_stat(xl, inode, &ctx, &stx);
	if (ret)
		return ret == -ENOENT ? -ESTALE : ret;
	if (attr) {
		attr->valid = XL_IATT_ID;
		attr->id = ctx->id;
		posix_iatt_from_statx(attr, &stx, ctx->indexed);
	}
	posix_ictx_done(xl, ctx);
	return 0;
}

/* What of @sa remains to apply after creating with its mode: owner,
 * group, times, size; the mode again if a chown would clear set-id bits. */
static unsigned posix_rest_valid(const struct xl_setattr *sa)
{
	unsigned valid;

	if (!sa)
		return 0;
	valid = sa->valid & ~XL_SET_MODE;
	if ((sa->valid & XL_SET_MODE) && (sa->valid & (XL_SET_UID | XL_SET_GID)) &&
	    (sa->mode & (S_ISUID | S_ISGID)))
		valid |= XL_SET_MODE;
	return valid;
}

static mode_t posix_sa_mode(const struct xl_setattr *sa, mode_t def)
{
	return sa && (sa->valid & XL_SET_MODE) ? sa->mode & 07777 : def;
}

/* After binding a new (or existing, for create) object to @inode: apply
 * the @valid parts of @sa and fill @attr again. */
static int posix_finish_new(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			    const struct xl_setattr *sa, unsigned valid, struct xl_iatt *attr)
{
	struct posix_ictx *ctx;
	struct statx stx;
	int ret;

	if (!sa || !valid)
		return 0;
	ret = posix_ictx_stat(xl, inode, &ctx, &stx);
	if (ret)
		return ret;
	ret = posix_apply_setattr(xl, call, ctx, sa, valid, &stx);
	if (!ret)
		posix_ctx_iatt(ctx, attr);
	posix_ictx_done(xl, ctx);
	return ret;
}

/* Undo a new entry whose id could not be kept (as root). */
static void posix_unmake(struct posix_ictx *dctx, const char *name, bool dir)
{
	unlinkat(dctx->path_fd, name, dir ? AT_REMOVEDIR : 0);
}

/* What every new entry checks first: @name is one a client may make in
 * @dir (not a hidden one), and its id is *@id, or a fresh one in @fresh
 * when the caller gave none. 0 with the directory's context in *@dctx
 * (the caller ends with posix_ictx_done), or -errno with nothing held. */
static int posix_new_begin(struct xl *xl, struct xl_inode *dir, const char *name,
			   const struct xl_id **id, struct xl_id *fresh, struct posix_ictx **dctx)
{
	int ret = posix_name_check(name, false);

	if (ret)
		return ret;
	ret = posix_dir_use(xl, dir, dctx);
	if (ret)
		return ret;
	if (posix_is_hidden(*dctx, name)) {
		posix_ictx_done(xl, *dctx);
		return -EPERM;
	}
	if (!*id) {
		xl_id_generate(fresh);
		*id = fresh;
	}
	return 0;
}

int posix_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
		 struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct posix_ictx *dctx;
	struct xl_id fresh;
	struct statx cur;
	uint64_t change = 0;
	unsigned valid;
	int fd, pfd = -1, ret;
	bool created = false;

	ret = posix_new_begin(xl, dir, name, &id, &fresh, &dctx);
	if (ret)
		return ret;
	pthread_mutex_lock(&dctx->ns_lock);
	posix_wcc_pre(dctx, dir_wcc);
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_unlock;
	/* O_RDWR: a new file opens whatever its mode; the descriptor is the
	 * context's for both naming and data (the WRITE that follows) */
	fd = openat(dctx->path_fd, name, O_CREAT | O_EXCL | O_RDWR | O_NOFOLLOW | O_CLOEXEC,
		    posix_sa_mode(sa, 0644));
	if (fd >= 0) {
		created = true;
		change = posix_dir_changed(dctx);
		pfd = fd;
	} else if (errno == EEXIST && !exclusive) {
		pfd = openat(dctx->path_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (pfd < 0)
			ret = -errno;
	} else {
		ret = -errno;
	}
	posix_creds_leave(xl, call);
	posix_wcc_post(dctx, dir_wcc);
out_unlock:
	pthread_mutex_unlock(&dctx->ns_lock);
	if (ret)
		goto out_commit;
	if (created) {
		valid = posix_rest_valid(sa);
		ret = posix_bind_created(xl, dctx, name, pfd, id, inode, attr);
		if (ret)
			posix_unmake(dctx, name, false);
	} else {
		ret = posix_statx(pfd, "", &cur);
		if (!ret && !S_ISREG(cur.stx_mode))
			ret = -EEXIST; /* UNCHECKED over a directory, symlink, device */
		if (ret) {
			close(pfd);
			goto out_done;
		}
		/* an existing file only takes a truncation (as knfsd does) */
		valid = sa ? sa->valid & XL_SET_SIZE : 0;
		ret = posix_bind(xl, dctx, name, pfd, NULL, inode, attr);
	}
	if (!ret)
		ret = posix_finish_new(xl, call, inode, sa, valid, attr);
out_commit:
	if (created)
		posix_dir_commit(xl, dctx, change, false);
out_done:
	posix_ictx_done(xl, dctx);
	return ret;
}

/* What mkdir, symlink and mknod make: the type and permission bits, and
 * the device number (mknod) or the target (symlink). */
struct posix_new {
	mode_t mode;
	dev_t rdev;
	const char *target;
};

/* Make @what as @name in @dctx and open it O_PATH (under the caller's
 * credentials, which the caller entered). The descriptor, or -errno. */
static int posix_make_at(struct posix_ictx *dctx, const char *name, const struct posix_new *what,
			 bool *made)
{
	mode_t perm = what->mode & 07777;
	int ret, extra = 0;

	switch (what->mode & S_IFMT) {
	case S_IFDIR:
		ret = mkdirat(dctx->path_fd, name, perm);
		extra = O_DIRECTORY;
		break;
	case S_IFLNK:
		ret = symlinkat(what->target, dctx->path_fd, name);
		break;
	default:
		/* devices need CAP_MKNOD, which only a root caller keeps */
		ret = mknodat(dctx->path_fd, name, what->mode, what->rdev);
		break;
	}
	if (ret < 0)
		return -errno;
	*made = true;
	ret = openat(dctx->path_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | extra);
	return ret < 0 ? -errno : ret;
}

/* mkdir, symlink and mknod once their arguments are checked: make @what
 * as @name in @dir with id @id, then apply the @valid parts of @sa. */
static int posix_make(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		      const struct posix_new *what, const struct xl_id *id,
		      const struct xl_setattr *sa, unsigned valid, struct xl_inode *inode,
		      struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct posix_ictx *dctx;
	struct xl_id fresh;
	uint64_t change = 0;
	bool made = false;
	int fd = -1, ret;

	ret = posix_new_begin(xl, dir, name, &id, &fresh, &dctx);
	if (ret)
		return ret;
	pthread_mutex_lock(&dctx->ns_lock);
	posix_wcc_pre(dctx, dir_wcc);
	ret = posix_creds_enter(xl, call);
	if (!ret) {
		ret = fd = posix_make_at(dctx, name, what, &made);
		posix_creds_leave(xl, call);
	}
	if (made)
		change = posix_dir_changed(dctx);
	posix_wcc_post(dctx, dir_wcc);
	pthread_mutex_unlock(&dctx->ns_lock);
	if (ret < 0)
		goto out_commit;
	ret = posix_bind(xl, dctx, name, fd, id, inode, attr);
	if (ret)
		posix_unmake(dctx, name, S_ISDIR(what->mode));
	else
		ret = posix_finish_new(xl, call, inode, sa, valid, attr);
out_commit:
	if (made)
		posix_dir_commit(xl, dctx, change, false);
	posix_ictx_done(xl, dctx);
	return ret;
}

int posix_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode *inode,
		struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct posix_new what = { .mode = S_IFDIR | posix_sa_mode(sa, 0755) };

	return posix_make(xl, call, dir, name, &what, id, sa, posix_rest_valid(sa), inode, attr,
			  dir_wcc);
}

int posix_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  const char *target, const struct xl_id *id, const struct xl_setattr *sa,
		  struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct posix_new what = { .mode = S_IFLNK, .target = target };

	if (!target || !*target)
		return -ENOENT; /* symlink(2) says so for an empty target */
	/* symlinks have no mode of their own on Linux */
	return posix_make(xl, call, dir, name, &what, id, sa, sa ? sa->valid & ~XL_SET_MODE : 0,
			  inode, attr, dir_wcc);
}

int posix_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
		struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	mode_t type = mode & S_IFMT;
	struct posix_new what = { .mode = type | posix_sa_mode(sa, mode & 07777), .rdev = rdev };

	if (type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	if (type == S_IFIFO || type == S_IFSOCK)
		what.rdev = 0;
	return posix_make(xl, call, dir, name, &what, id, sa, posix_rest_valid(sa), inode, attr,
			  dir_wcc);
}

/* What a removed name pointed to, examined before the removal (one
 * statx of the name; its id from the context cache, else its xattr). */
struct posix_victim {
	bool found;
	struct statx stx;
	struct xl_id id;
	bool has_id;
};

static void posix_victim_look(struct xl *xl, struct posix_ictx *dctx, const char *name,
			      struct posix_victim *v)
{
	struct posix_priv *priv = xl->private;
	bool indexed;

	v->has_id = false;
	v->found = posix_statx(dctx->path_fd, name, &v->stx) == 0;
	if (!v->found)
		return;
	if (posix_ictx_known(priv, &v->stx, &v->id, &indexed))
		v->has_id = true;
	else
		v->has_id = posix_id_read(dctx->path_fd, name, &v->id) == 0;
}

/* After @v lost a name (as root): when no name is left but the index's,
 * remove that and tell the graph to drop the object. The index entry,
 * when it is this object's hard link, says how many names are left. */
static void posix_victim_gone(struct xl *xl, struct posix_victim *v)
{
	struct posix_priv *priv = xl->private;
	char path[POSIX_INDEX_PATHLEN];
	struct statx entry;

	if (!v->found || !v->has_id)
		return;
	if (S_ISDIR(v->stx.stx_mode)) {
		posix_index_remove(&priv->store, &v->id);
		posix_forget(xl, &v->id);
		return;
	}
	posix_index_path(&v->id, path);
	if (posix_statx(priv->store.index_fd, path, &entry) == 0 && posix_same(&entry, &v->stx)) {
		if (entry.stx_nlink > 1)
			return; /* other names remain */
		posix_index_remove(&priv->store, &v->id);
	} else if (v->stx.stx_nlink > 1) {
		return; /* not indexed: its other names before this unlink */
	}
	posix_forget(xl, &v->id);
}

/* unlink and rmdir: remove @name with @flags. */
static int posix_remove(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
			const char *name, int flags, struct xl_wcc *dir_wcc)
{
	struct posix_victim v = { .found = false };
	struct posix_ictx *dctx;
	uint64_t change = 0;
	int ret;

	ret = posix_name_check(name, false);
	if (ret)
		return ret;
	ret = posix_dir_use(xl, dir, &dctx);
	if (ret)
		return ret;
	if (posix_is_hidden(dctx, name)) {
		ret = -ENOENT;
		goto out_done;
	}
	pthread_mutex_lock(&dctx->ns_lock);
	posix_wcc_pre(dctx, dir_wcc);
	ret = posix_creds_enter(xl, call);
	if (!ret) {
		posix_victim_look(xl, dctx, name, &v);
		if (unlinkat(dctx->path_fd, name, flags) < 0)
			ret = -errno;
		else
			change = posix_dir_changed(dctx);
		posix_creds_leave(xl, call);
	}
	posix_wcc_post(dctx, dir_wcc);
	pthread_mutex_unlock(&dctx->ns_lock);
	if (!ret) {
		posix_victim_gone(xl, &v);
		posix_dir_commit(xl, dctx, change, false);
	}
out_done:
	posix_ictx_done(xl, dctx);
	return ret;
}

int posix_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_wcc *dir_wcc)
{
	return posix_remove(xl, call, dir, name, 0, dir_wcc);
}

int posix_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		struct xl_wcc *dir_wcc)
{
	return posix_remove(xl, call, dir, name, AT_REMOVEDIR, dir_wcc);
}

/* Lock two directories' ns_locks in a fixed order (once if the same). */
static void posix_lock2(struct posix_ictx *a, struct posix_ictx *b)
{
	if (a == b) {
		pthread_mutex_lock(&a->ns_lock);
	} else if (a < b) {
		pthread_mutex_lock(&a->ns_lock);
		pthread_mutex_lock(&b->ns_lock);
	} else {
		pthread_mutex_lock(&b->ns_lock);
		pthread_mutex_lock(&a->ns_lock);
	}
}

static void posix_unlock2(struct posix_ictx *a, struct posix_ictx *b)
{
	pthread_mutex_unlock(&a->ns_lock);
	if (a != b)
		pthread_mutex_unlock(&b->ns_lock);
}

int posix_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
		 const char *oldname, struct xl_inode *newdir, const char *newname,
		 struct xl_wcc *old_wcc, struct xl_wcc *new_wcc)
{
	struct posix_priv *priv = xl->private;
	struct posix_victim src = { .found = false }, v = { .found = false };
	struct posix_ictx *octx, *nctx = NULL;
	uint64_t ochange = 0, nchange = 0;
	int ret;

	ret = posix_name_check(oldname, false);
	if (!ret)
		ret = posix_name_check(newname, false);
	if (ret)
		return ret;
	ret = posix_dir_use(xl, olddir, &octx);
	if (ret)
		return ret;
	ret = posix_dir_use(xl, newdir, &nctx);
	if (ret)
		goto out_done;
	if (posix_is_hidden(octx, oldname)) {
		ret = -ENOENT;
		goto out_done;
	}
	if (posix_is_hidden(nctx, newname)) {
		ret = -EPERM;
		goto out_done;
	}
	posix_lock2(octx, nctx);
	posix_wcc_pre(octx, old_wcc);
	posix_wcc_pre(nctx, new_wcc);
	ret = posix_creds_enter(xl, call);
	if (!ret) {
		posix_victim_look(xl, octx, oldname, &src);
		posix_victim_look(xl, nctx, newname, &v);
		if (renameat(octx->path_fd, oldname, nctx->path_fd, newname) < 0) {
			ret = -errno;
		} else {
			ochange = posix_dir_changed(octx);
			nchange = octx == nctx ? ochange : posix_dir_changed(nctx);
		}
		posix_creds_leave(xl, call);
	}
	posix_wcc_post(octx, old_wcc);
	posix_wcc_post(nctx, new_wcc);
	posix_unlock2(octx, nctx);
	if (ret)
		goto out_done;
	if (src.found && v.found && posix_same(&src.stx, &v.stx)) {
		/* two names of one object: rename(2) did nothing */
		goto out_done;
	}
	if (src.found && src.has_id && S_ISDIR(src.stx.stx_mode)) {
		int r = posix_index_move_dir(&priv->store, &src.id, &nctx->id, newname);

		if (r)
			xl_log(xl, XL_LOG_WARNING, "cannot move the index entry of '%s': %s",
			       newname, strerror(-r));
	}
	posix_victim_gone(xl, &v);
	posix_dir_commit(xl, octx, ochange, false);
	if (nctx != octx)
		posix_dir_commit(xl, nctx, nchange, false);
out_done:
	posix_ictx_done(xl, nctx);
	posix_ictx_done(xl, octx);
	return ret;
}

int posix_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	       struct xl_inode *newdir, const char *newname, struct xl_iatt *attr,
	       struct xl_wcc *dir_wcc)
{
	struct posix_ictx *ctx, *nctx = NULL;
	uint64_t change = 0;
	char path[32];
	int ret;

	ret = posix_name_check(newname, false);
	if (ret)
		return ret;
	ret = posix_ictx_use(xl, inode, &ctx);
	if (ret)
		return ret;
	ret = posix_dir_use(xl, newdir, &nctx);
	if (ret)
		goto out_done;
	if (posix_is_hidden(nctx, newname)) {
		ret = -EPERM;
		goto out_done;
	}
	if (ctx->type == S_IFDIR) {
		ret = -EISDIR;
		goto out_done;
	}
	pthread_mutex_lock(&nctx->ns_lock);
	posix_wcc_pre(nctx, dir_wcc);
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_unlock;
	if (ctx->type != S_IFLNK) {
		/* linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH,
		 * which the caller's fsuid drops; following the /proc fd link
		 * reaches the same object without it */
		posix_fd_path(ctx->path_fd, path, sizeof(path));
		if (linkat(AT_FDCWD, path, nctx->path_fd, newname, AT_SYMLINK_FOLLOW) < 0)
			ret = -errno;
		posix_creds_leave(xl, call);
	} else {
		/* a symlink cannot be reached through /proc that way: ask the
		 * kernel whether the caller may add a name, then link as root */
		if (faccessat(nctx->path_fd, "", W_OK | X_OK, AT_EMPTY_PATH | AT_EACCESS) < 0)
			ret = -errno;
		posix_creds_leave(xl, call);
		if (!ret && linkat(ctx->path_fd, "", nctx->path_fd, newname, AT_EMPTY_PATH) < 0)
			ret = -errno;
	}
	if (!ret)
		change = posix_dir_changed(nctx);
	posix_wcc_post(nctx, dir_wcc);
out_unlock:
	pthread_mutex_unlock(&nctx->ns_lock);
	if (ret)
		goto out_done;
	posix_ctx_iatt(ctx, attr);
	posix_dir_commit(xl, nctx, change, false);
out_done:
	posix_ictx_done(xl, nctx);
	posix_ictx_done(xl, ctx);
	return ret;
}

/*
 * posix_entry.c — names: lookup, create, mkdir, symlink, mknod, unlink,
 * rmdir, rename, link.
 *
 * Every call is a *at() call relative to the parent's O_PATH descriptor,
 * made under the caller's credentials, with a single-component name that
 * is never followed if it is a symlink (O_NOFOLLOW/AT_SYMLINK_NOFOLLOW).
 * New objects are opened O_PATH right after creation and registered by
 * their handle. "." and ".." are accepted by lookup only; ".." of the
 * export's root is the root itself. An entry on another filesystem (a
 * mount point inside the export) is refused with -EXDEV: its handles
 * could not be resolved on ours.
 *
 * Removing a name (unlink, rmdir, rename over it) also releases the cached
 * descriptors of the object if that was its last link, so its space is
 * freed now and not when the inode table evicts it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <unistd.h>

#include "posix.h"

/* A single path component other than "." and ".." (unless @dots). */
static int posix_name_check(const char *name, bool dots)
{
	if (!name || !*name || strchr(name, '/'))
		return -EINVAL;
	if (!dots && (!strcmp(name, ".") || !strcmp(name, "..")))
		return -EINVAL;
	return 0;
}

static bool posix_is_root(struct posix_priv *priv, const struct stat *st)
{
	return st->st_dev == priv->root_dev && st->st_ino == priv->root_ino;
}

/* The referenced context of directory @dir (-ENOTDIR if it is not one). */
static int posix_dir_get(struct xl *xl, struct xl_inode *dir, struct posix_ictx **out,
			 struct stat *st)
{
	int ret;

	ret = posix_ictx_get(xl, dir, out, st);
	if (ret)
		return ret;
	if (!S_ISDIR(st->st_mode)) {
		posix_ictx_put(*out);
		*out = NULL;
		return -ENOTDIR;
	}
	return 0;
}

void posix_sync_dir(struct xl *xl, struct posix_ictx *dctx, bool force)
{
	struct posix_conf *conf = xl->conf;
	int fd;

	if (!force && !conf->sync_metadata)
		return;
	fd = openat(dctx->path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || fsync(fd) < 0)
		xl_log(xl, XL_LOG_WARNING, "flushing a directory failed: %s", strerror(errno));
	if (fd >= 0)
		close(fd);
}

/* The fast path of lookup: the name's handle (one system call) names an
 * inode that is cached with its descriptor (one fstat). -EAGAIN when the
 * slow path must open the name: not cached, another mount, odd errors. */
static int posix_lookup_cached(struct xl *xl, struct xl_call *call, struct posix_ictx *dctx,
			       const char *name, struct xl_inode **out, struct stat *st)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *ctx;
	struct xl_inode *inode;
	struct xl_gfid gfid;
	int ret, mount_id;

	ret = posix_creds_enter(xl, call);
	if (ret)
		return ret;
	ret = posix_gfid_at(dctx->path_fd, name, &gfid, &mount_id);
	posix_creds_leave(xl, call);
	switch (ret) {
	case 0:
		break;
	case -ENOENT:
	case -EACCES:
	case -ENAMETOOLONG:
	case -ELOOP:
		return ret;
	default:
		return -EAGAIN;
	}
	if (mount_id != priv->mount_id)
		return -EAGAIN;
	inode = xl_inode_find(xl->graph->itable, &gfid);
	if (!inode)
		return -EAGAIN;
	/* as root: opens by handle if only the NFS layer knew the inode */
	ret = posix_ictx_get(xl, inode, &ctx, st);
	if (ret) {
		xl_inode_unref(inode);
		return -EAGAIN;
	}
	posix_ictx_put(ctx);
	*out = inode;
	return 0;
}

int posix_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_inode **out, struct stat *st)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *dctx;
	int fd, ret;

	*out = NULL;
	if (!dir) {
		fd = openat(priv->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		if (fd < 0)
			return -errno;
		if (fstat(fd, st) < 0) {
			ret = -errno;
			close(fd);
			return ret;
		}
		return posix_inode_from_fd(xl, fd, st, out);
	}
	ret = posix_name_check(name, true);
	if (ret)
		return ret;
	ret = posix_dir_get(xl, dir, &dctx, st);
	if (ret)
		return ret;
	if (!strcmp(name, ".") || (!strcmp(name, "..") && posix_is_root(priv, st))) {
		*out = xl_inode_ref(dir);
		goto out_put;
	}
	ret = posix_lookup_cached(xl, call, dctx, name, out, st);
	if (ret != -EAGAIN)
		goto out_put;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_put;
	fd = openat(dctx->path_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		ret = -errno;
	posix_creds_leave(xl, call);
	if (fd < 0)
		goto out_put;
	if (fstat(fd, st) < 0) {
		ret = -errno;
		close(fd);
		goto out_put;
	}
	ret = posix_inode_from_fd(xl, fd, st, out);
out_put:
	posix_ictx_put(dctx);
	return ret;
}

/* Register the object just created and open as @fd (O_PATH, owned), apply
 * the @valid parts of @sa, flush the parent. Returns the inode in *out. */
static int posix_new_entry(struct xl *xl, struct xl_call *call, struct posix_ictx *dctx,
			   int fd, const struct xl_setattr *sa, unsigned valid,
			   struct xl_inode **out, struct stat *st)
{
	struct posix_ictx *ctx;
	int ret;

	if (fstat(fd, st) < 0) {
		ret = -errno;
		close(fd);
		return ret;
	}
	ret = posix_inode_from_fd(xl, fd, st, out);
	if (ret)
		return ret;
	if (sa && valid) {
		ret = posix_ictx_get(xl, *out, &ctx, st);
		if (!ret) {
			ret = posix_apply_setattr(xl, call, ctx, sa, valid, st);
			posix_ictx_put(ctx);
		}
		if (ret) {
			xl_inode_unref(*out);
			*out = NULL;
			return ret;
		}
	}
	posix_sync_dir(xl, dctx, false);
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

int posix_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 const struct xl_setattr *sa, bool exclusive, struct xl_inode **out,
		 struct stat *st)
{
	struct posix_ictx *dctx;
	unsigned valid;
	char path[32];
	int fd, pfd = -1, ret;
	bool created = false;

	*out = NULL;
	ret = posix_name_check(name, false);
	if (ret)
		return ret;
	ret = posix_dir_get(xl, dir, &dctx, st);
	if (ret)
		return ret;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_put;
	/* O_RDONLY: a new file opens whatever its mode, and no more is needed */
	fd = openat(dctx->path_fd, name, O_CREAT | O_EXCL | O_RDONLY | O_NOFOLLOW | O_CLOEXEC,
		    posix_sa_mode(sa, 0644));
	if (fd >= 0) {
		created = true;
		/* the new file itself, not whatever the name means later */
		posix_fd_path(fd, path, sizeof(path));
		pfd = open(path, O_PATH | O_CLOEXEC);
		if (pfd < 0)
			ret = -errno;
		close(fd);
	} else if (errno == EEXIST && !exclusive) {
		pfd = openat(dctx->path_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
		if (pfd < 0)
			ret = -errno;
	} else {
		ret = -errno;
	}
	posix_creds_leave(xl, call);
	if (ret)
		goto out_put;
	if (created) {
		valid = posix_rest_valid(sa);
	} else {
		struct stat cur;

		if (fstat(pfd, &cur) < 0)
			ret = -errno;
		else if (!S_ISREG(cur.st_mode))
			ret = -EEXIST; /* UNCHECKED over a directory, symlink, device */
		if (ret) {
			close(pfd);
			goto out_put;
		}
		/* an existing file only takes a truncation (as knfsd does) */
		valid = sa ? sa->valid & XL_SET_SIZE : 0;
	}
	ret = posix_new_entry(xl, call, dctx, pfd, sa, valid, out, st);
out_put:
	posix_ictx_put(dctx);
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
static int posix_make_at(struct posix_ictx *dctx, const char *name, const struct posix_new *what)
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
	ret = openat(dctx->path_fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC | extra);
	return ret < 0 ? -errno : ret;
}

/* mkdir, symlink and mknod once their arguments are checked: make @what
 * as @name in @dir, then apply the @valid parts of @sa. */
static int posix_make(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		      const struct posix_new *what, const struct xl_setattr *sa, unsigned valid,
		      struct xl_inode **out, struct stat *st)
{
	struct posix_ictx *dctx;
	int fd, ret;

	ret = posix_dir_get(xl, dir, &dctx, st);
	if (ret)
		return ret;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_put;
	ret = fd = posix_make_at(dctx, name, what);
	posix_creds_leave(xl, call);
	if (ret < 0)
		goto out_put;
	ret = posix_new_entry(xl, call, dctx, fd, sa, valid, out, st);
out_put:
	posix_ictx_put(dctx);
	return ret;
}

int posix_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		const struct xl_setattr *sa, struct xl_inode **out, struct stat *st)
{
	struct posix_new what = {.mode = S_IFDIR | posix_sa_mode(sa, 0755)};
	int ret;

	*out = NULL;
	ret = posix_name_check(name, false);
	if (ret)
		return ret;
	return posix_make(xl, call, dir, name, &what, sa, posix_rest_valid(sa), out, st);
}

int posix_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  const char *target, const struct xl_setattr *sa, struct xl_inode **out,
		  struct stat *st)
{
	struct posix_new what = {.mode = S_IFLNK, .target = target};
	int ret;

	*out = NULL;
	ret = posix_name_check(name, false);
	if (ret)
		return ret;
	if (!target || !*target)
		return -ENOENT; /* symlink(2) says so for an empty target */
	/* symlinks have no mode of their own on Linux */
	return posix_make(xl, call, dir, name, &what, sa, sa ? sa->valid & ~XL_SET_MODE : 0, out,
			  st);
}

int posix_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		mode_t mode, dev_t rdev, const struct xl_setattr *sa, struct xl_inode **out,
		struct stat *st)
{
	mode_t type = mode & S_IFMT;
	struct posix_new what = {.mode = type | posix_sa_mode(sa, mode & 07777), .rdev = rdev};
	int ret;

	*out = NULL;
	ret = posix_name_check(name, false);
	if (ret)
		return ret;
	if (type != S_IFCHR && type != S_IFBLK && type != S_IFIFO && type != S_IFSOCK)
		return -EINVAL;
	if (type == S_IFIFO || type == S_IFSOCK)
		what.rdev = 0;
	return posix_make(xl, call, dir, name, &what, sa, posix_rest_valid(sa), out, st);
}

/* unlink and rmdir: remove @name with @flags, then release the object's
 * descriptors if that was its last name. */
static int posix_remove(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
			int flags)
{
	struct posix_ictx *dctx;
	struct xl_gfid victim;
	struct stat st;
	bool known;
	int ret;

	ret = posix_name_check(name, false);
	if (ret)
		return ret;
	ret = posix_dir_get(xl, dir, &dctx, &st);
	if (ret)
		return ret;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_put;
	known = posix_gfid_at(dctx->path_fd, name, &victim, NULL) == 0;
	if (unlinkat(dctx->path_fd, name, flags) < 0)
		ret = -errno;
	posix_creds_leave(xl, call);
	if (ret)
		goto out_put;
	if (known)
		posix_forget_if_gone(xl, &victim);
	posix_sync_dir(xl, dctx, false);
out_put:
	posix_ictx_put(dctx);
	return ret;
}

int posix_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name)
{
	return posix_remove(xl, call, dir, name, 0);
}

int posix_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name)
{
	return posix_remove(xl, call, dir, name, AT_REMOVEDIR);
}

int posix_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir, const char *oldname,
		 struct xl_inode *newdir, const char *newname)
{
	struct posix_ictx *octx, *nctx = NULL;
	struct xl_gfid victim;
	struct stat st;
	bool known;
	int ret;

	ret = posix_name_check(oldname, false);
	if (!ret)
		ret = posix_name_check(newname, false);
	if (ret)
		return ret;
	ret = posix_dir_get(xl, olddir, &octx, &st);
	if (ret)
		return ret;
	ret = posix_dir_get(xl, newdir, &nctx, &st);
	if (ret)
		goto out_put;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_put;
	known = posix_gfid_at(nctx->path_fd, newname, &victim, NULL) == 0;
	if (renameat(octx->path_fd, oldname, nctx->path_fd, newname) < 0)
		ret = -errno;
	posix_creds_leave(xl, call);
	if (ret)
		goto out_put;
	if (known)
		posix_forget_if_gone(xl, &victim);
	posix_sync_dir(xl, octx, false);
	if (nctx->path_fd != octx->path_fd)
		posix_sync_dir(xl, nctx, false);
out_put:
	posix_ictx_put(nctx);
	posix_ictx_put(octx);
	return ret;
}

int posix_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct xl_inode *newdir,
	       const char *newname, struct stat *st)
{
	struct posix_ictx *ctx, *nctx = NULL;
	char path[32];
	int ret;

	ret = posix_name_check(newname, false);
	if (ret)
		return ret;
	ret = posix_ictx_get(xl, inode, &ctx, st);
	if (ret)
		return ret;
	ret = posix_dir_get(xl, newdir, &nctx, st);
	if (ret)
		goto out_put;
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_put;
	/* linkat(fd, "", AT_EMPTY_PATH) needs CAP_DAC_READ_SEARCH, which the
	 * caller's fsuid drops; following the /proc fd link reaches the same
	 * object (a symlink itself, not its target) without it */
	posix_fd_path(ctx->path_fd, path, sizeof(path));
	if (linkat(AT_FDCWD, path, nctx->path_fd, newname, AT_SYMLINK_FOLLOW) < 0)
		ret = -errno;
	posix_creds_leave(xl, call);
	if (ret)
		goto out_put;
	if (fstat(ctx->path_fd, st) < 0)
		ret = -errno;
	posix_sync_dir(xl, nctx, false);
out_put:
	posix_ictx_put(nctx);
	posix_ictx_put(ctx);
	return ret;
}

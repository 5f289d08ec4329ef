/*
 * posix.c — storage/posix: the module descriptor, its options, init/fini.
 *
 *     volume brick
 *         type storage/posix
 *         option directory /srv/export
 *     end-volume
 *
 * init() opens the exported directory, opens (making it when absent) the
 * hidden id index .xlnfs/index under it and gives the root its id
 * (posix_index.c), and sets two process-wide things a file server needs:
 *   - umask(0): modes sent by clients are applied exactly as given (the
 *     NFS client already applied its own user's umask);
 *   - RLIMIT_NOFILE raised to its hard limit; the descriptors inode
 *     contexts keep are bounded by fd-cache-size (default: half of it),
 *     so the inode table may cache more inodes than that.
 * Any filesystem with trusted.* xattrs and hard links serves: ext4, xfs,
 * btrfs, tmpfs, overlayfs. The daemon must run as root (trusted.* xattrs,
 * switching to callers' credentials); otherwise init fails.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>

#include "posix.h"

static const struct xl_option posix_options[] = {
	{ .key = "directory", .type = XL_OPT_PATH, .required = true,
	  .offset = offsetof(struct posix_conf, directory),
	  .desc = "the exported directory (must exist)" },
	{ .key = "fsync-unstable", .type = XL_OPT_BOOL, .def = "off",
	  .offset = offsetof(struct posix_conf, fsync_unstable),
	  .desc = "make every write FILE_SYNC, even when the client asked UNSTABLE" },
	{ .key = "sync-metadata", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct posix_conf, sync_metadata),
	  .desc = "flush the directory after create/remove/rename, as NFSv3 expects (off: faster, "
		  "but a server crash may lose acknowledged namespace changes)" },
	{ .key = "fd-cache-size", .type = XL_OPT_INT, .def = "0", .min = 0, .max = 1 << 24,
	  .offset = offsetof(struct posix_conf, fd_cache_size),
	  .desc = "descriptors the inode contexts keep open at most, least recently used closed "
		  "first (0: half the open files limit)" },
	{ NULL }
};

/* Is @path an existing directory? 0, or -errno reported as a
 * configuration error at the "directory" option's line. Checked at
 * init, not validate: --check must pass on a machine where the export
 * does not exist yet (a packaged volfile before its first start). */
static int posix_check_directory(struct xl *xl, const char *path)
{
	struct stat st;

	if (stat(path, &st) < 0) {
		int ret = -errno;

		xl_config_error(xl, "directory", "export directory %s: %s", path,
				strerror(-ret));
		return ret;
	}
	if (!S_ISDIR(st.st_mode)) {
		xl_config_error(xl, "directory", "export directory %s: not a directory", path);
		return -ENOTDIR;
	}
	return 0;
}

static int posix_validate(struct xl *xl)
{
	struct posix_conf *conf = xl->conf;
	int ret = 0;

	if (xl->nchildren) {
		xl_config_error(xl, NULL, "storage/posix is a leaf: it takes no subvolumes");
		ret = -EINVAL;
	}
	if (!conf->directory) {
		xl_config_error(xl, NULL, "option 'directory' is required");
		ret = -EINVAL;
	}
	return ret;
}

/* Raise RLIMIT_NOFILE to its hard limit; returns the limit now in force. */
static long posix_raise_nofile(struct xl *xl)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0)
		return 1024;
	if (rl.rlim_cur < rl.rlim_max) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
			xl_log(xl, XL_LOG_DEBUG, "open files limit raised to %llu",
			       (unsigned long long)rl.rlim_max);
		else
			getrlimit(RLIMIT_NOFILE, &rl);
	}
	return rl.rlim_cur == RLIM_INFINITY || rl.rlim_cur > (1 << 24) ? (1 << 24)
								    : (long)rl.rlim_cur;
}

/* ext2/3/4 give 63-bit readdir offsets; see posix_dir.c. */
#define POSIX_EXT_MAGIC 0xEF53
#define POSIX_EXT_COOKIE_SHIFT 7

static int posix_init(struct xl *xl)
{
	struct posix_conf *conf = xl->conf;
	struct posix_priv *priv;
	struct statfs sfs;
	struct stat st;
	long nofile;
	int ret;

	ret = posix_check_directory(xl, conf->directory);
	if (ret)
		return ret;
	if (geteuid() != 0) {
		xl_log(xl, XL_LOG_ERROR, "storage/posix must run as root (ids are trusted.* "
		       "xattrs; fops run under each caller's credentials)");
		return -EPERM;
	}
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		return -ENOMEM;
	priv->store.root_fd = open(conf->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (priv->store.root_fd < 0) {
		ret = -errno;
		xl_log(xl, XL_LOG_ERROR, "cannot open %s: %s", conf->directory, strerror(-ret));
		goto out_free;
	}
	if (fstat(priv->store.root_fd, &st) < 0 || fstatfs(priv->store.root_fd, &sfs) < 0) {
		ret = -errno;
		goto out_close;
	}
	priv->root_dev = st.st_dev;
	priv->root_ino = st.st_ino;
	priv->cookie_shift = sfs.f_type == POSIX_EXT_MAGIC ? POSIX_EXT_COOKIE_SHIFT : 0;
	ret = posix_index_init(&priv->store);
	if (ret) {
		xl_log(xl, XL_LOG_ERROR, "%s: cannot keep ids there (the %s index, the %s xattr): %s",
		       conf->directory, POSIX_INDEX, POSIX_ID_XATTR, strerror(-ret));
		goto out_close;
	}
	priv->switch_creds = true;
	pthread_mutex_init(&priv->lru_lock, NULL);
	pthread_mutex_init(&priv->map_lock, NULL);
	priv->by_ino = g_hash_table_new(g_int64_hash, g_int64_equal);
	priv->idcache = posix_idcache_new(POSIX_IDCACHE_BITS); /* NULL: no cache */
	umask(0);
	nofile = posix_raise_nofile(xl);
	priv->fd_limit = conf->fd_cache_size ? conf->fd_cache_size : nofile / 2;
	if (priv->fd_limit < 16)
		priv->fd_limit = 16;
	xl->private = priv;
	xl_log(xl, XL_LOG_INFO, "exporting %s (dev %llu, ino %llu), keeping at most %ld "
	       "descriptors", conf->directory, (unsigned long long)st.st_dev,
	       (unsigned long long)st.st_ino, priv->fd_limit);
	return 0;

out_close:
	close(priv->store.root_fd);
out_free:
	free(priv);
	return ret;
}

static void posix_fini(struct xl *xl)
{
	struct posix_priv *priv = xl->private;
	struct posix_ictx *ctx;

	if (!priv)
		return;
	/* Inode contexts may outlive this (the table is freed later): they
	 * close their own descriptors. Take them off our LRU first. */
	pthread_mutex_lock(&priv->lru_lock);
	while ((ctx = priv->lru_head)) {
		priv->lru_head = ctx->lru_next;
		ctx->lru_prev = ctx->lru_next = NULL;
		ctx->in_lru = false;
	}
	priv->lru_tail = NULL;
	pthread_mutex_unlock(&priv->lru_lock);
	pthread_mutex_destroy(&priv->lru_lock);
	g_hash_table_destroy(priv->by_ino);
	pthread_mutex_destroy(&priv->map_lock);
	posix_idcache_free(priv->idcache);
	close(priv->store.index_fd);
	close(priv->store.root_fd);
	free(priv);
	xl->private = NULL;
}

static void posix_ctx_free(struct xl *xl, struct xl_inode *inode, void *ctx)
{
	(void)inode;
	posix_ictx_free(xl, ctx);
}

static void posix_dump(struct xl *xl)
{
	struct posix_conf *conf = xl->conf;
	struct posix_priv *priv = xl->private;

	if (!priv)
		return;
	xl_log(xl, XL_LOG_INFO, "storage/posix: directory=%s fsync_unstable=%d sync_metadata=%d "
	       "cookie_shift=%u fds=%ld/%ld evictions=%llu dir_commits=%llu dir_fsyncs=%llu",
	       conf->directory, conf->fsync_unstable, conf->sync_metadata, priv->cookie_shift,
	       __atomic_load_n(&priv->nfds, __ATOMIC_RELAXED), priv->fd_limit,
	       (unsigned long long)priv->evictions,
	       (unsigned long long)__atomic_load_n(&priv->dir_commits, __ATOMIC_RELAXED),
	       (unsigned long long)__atomic_load_n(&priv->dir_fsyncs, __ATOMIC_RELAXED));
}

static const struct xl_fops posix_fops = {
	.lookup = posix_lookup,
	.resolve = posix_resolve,
	.getattr = posix_getattr,
	.setattr = posix_setattr,
	.access = posix_access,
	.readlink = posix_readlink,
	.read = posix_read,
	.write = posix_write,
	.fsync = posix_fsync,
	.create = posix_create,
	.mkdir = posix_mkdir,
	.symlink = posix_symlink,
	.mknod = posix_mknod,
	.unlink = posix_unlink,
	.rmdir = posix_rmdir,
	.rename = posix_rename,
	.link = posix_link,
	.readdir = posix_readdir,
	.statfs = posix_statfs,
	.getxattr = posix_getxattr,
	.setxattr = posix_setxattr,
	.removexattr = posix_removexattr,
	.listxattr = posix_listxattr,
	.xattr_add = posix_xattr_add,
	.xattr_cas = posix_xattr_cas,
	.lk = posix_lk,
};

const struct xl_module xl_module = {
	.abi = XL_ABI_VERSION,
	.type = "storage/posix",
	.desc = "a local directory as the backing store (ids in xattrs, an index under the root)",
	.conf_size = sizeof(struct posix_conf),
	.options = posix_options,
	.fops = &posix_fops,
	.min_children = 0,
	.max_children = 0,
	.validate = posix_validate,
	.init = posix_init,
	.fini = posix_fini,
	.ctx_free = posix_ctx_free,
	.dump = posix_dump,
};

/*
 * posix.c — storage/posix: the module descriptor, its options, init/fini.
 *
 *     volume brick
 *         type storage/posix
 *         option directory /srv/export
 *     end-volume
 *
 * init() opens the exported directory (the mount fd for open_by_handle_at,
 * the identity of the root), checks that its filesystem has file handles,
 * and sets two process-wide things a file server needs:
 *   - umask(0): modes sent by clients are applied exactly as given (the
 *     NFS client already applied its own user's umask);
 *   - RLIMIT_NOFILE raised to its hard limit: every cached inode holds an
 *     O_PATH descriptor (bounded by the inode table's LRU limit).
 * The daemon must run as root to switch to callers' credentials and to
 * resolve handles after a restart; otherwise it serves everything as its
 * own user and says so in the log.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
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

static void posix_raise_nofile(struct xl *xl)
{
	struct rlimit rl;

	if (getrlimit(RLIMIT_NOFILE, &rl) < 0 || rl.rlim_cur >= rl.rlim_max)
		return;
	rl.rlim_cur = rl.rlim_max;
	if (setrlimit(RLIMIT_NOFILE, &rl) == 0)
		xl_log(xl, XL_LOG_DEBUG, "open files limit raised to %llu",
		       (unsigned long long)rl.rlim_max);
}

static int posix_init(struct xl *xl)
{
	struct posix_conf *conf = xl->conf;
	struct posix_priv *priv;
	struct stat st;
	int ret, fd;

	ret = posix_check_directory(xl, conf->directory);
	if (ret)
		return ret;
	priv = calloc(1, sizeof(*priv));
	if (!priv)
		return -ENOMEM;
	/* O_RDONLY, not O_PATH: open_by_handle_at() refuses an O_PATH mount fd */
	priv->root_fd = open(conf->directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (priv->root_fd < 0) {
		ret = -errno;
		xl_log(xl, XL_LOG_ERROR, "cannot open %s: %s", conf->directory, strerror(-ret));
		goto out_free;
	}
	if (fstat(priv->root_fd, &st) < 0) {
		ret = -errno;
		goto out_close;
	}
	priv->root_dev = st.st_dev;
	priv->root_ino = st.st_ino;
	ret = posix_gfid_from_fd(priv->root_fd, &priv->root_gfid, &priv->mount_id);
	if (ret) {
		xl_log(xl, XL_LOG_ERROR, "%s: its filesystem gives no usable file handles: %s",
		       conf->directory, strerror(-ret));
		goto out_close;
	}
	for (int i = 0; i < POSIX_CTX_LOCKS; i++)
		pthread_mutex_init(&priv->ctx_locks[i], NULL);

	priv->switch_creds = geteuid() == 0;
	if (!priv->switch_creds)
		xl_log(xl, XL_LOG_WARNING, "not running as root: every request runs as uid %u, "
		       "and file handles cannot be resolved after a restart", (unsigned)geteuid());
	xl->private = priv;

	/* can we resolve handles (CAP_DAC_READ_SEARCH)? */
	fd = posix_gfid_open(priv, &priv->root_gfid);
	if (fd >= 0)
		close(fd);
	else
		xl_log(xl, XL_LOG_WARNING, "%s: cannot open objects by handle (%s): file handles "
		       "will go stale when the server restarts", conf->directory, strerror(-fd));

	umask(0);
	posix_raise_nofile(xl);
	xl_log(xl, XL_LOG_INFO, "exporting %s (dev %llu, ino %llu)", conf->directory,
	       (unsigned long long)st.st_dev, (unsigned long long)st.st_ino);
	return 0;

out_close:
	close(priv->root_fd);
out_free:
	free(priv);
	return ret;
}

static void posix_fini(struct xl *xl)
{
	struct posix_priv *priv = xl->private;

	if (!priv)
		return;
	/* Inode contexts may outlive this: they own their descriptors and
	 * are put by forget() when the inode table is freed. */
	for (int i = 0; i < POSIX_CTX_LOCKS; i++)
		pthread_mutex_destroy(&priv->ctx_locks[i]);
	close(priv->root_fd);
	free(priv);
	xl->private = NULL;
}

static void posix_forget(struct xl *xl, struct xl_inode *inode, void *ctx)
{
	posix_ictx_put(ctx);
}

static void posix_dump(struct xl *xl)
{
	struct posix_conf *conf = xl->conf;
	struct posix_priv *priv = xl->private;

	if (!priv)
		return;
	xl_log(xl, XL_LOG_INFO, "storage/posix: directory=%s root_fd=%d switch_creds=%d "
	       "fsync_unstable=%d sync_metadata=%d", conf->directory, priv->root_fd,
	       priv->switch_creds, conf->fsync_unstable, conf->sync_metadata);
}

static const struct xl_fops posix_fops = {
	.lookup = posix_lookup,
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
};

const struct xl_module xl_module = {
	.abi = XL_ABI_VERSION,
	.type = "storage/posix",
	.desc = "a local directory as the backing store (kernel file handles as object ids)",
	.conf_size = sizeof(struct posix_conf),
	.options = posix_options,
	.fops = &posix_fops,
	.min_children = 0,
	.max_children = 0,
	.validate = posix_validate,
	.init = posix_init,
	.fini = posix_fini,
	.forget = posix_forget,
	.dump = posix_dump,
};

/*
 * posix_sync.c — group commit of directory fsyncs, and telling the graph
 * an object is gone.
 *
 * NFSv3 wants namespace changes stable before the reply (sync-metadata,
 * on by default, as knfsd). One fsync of a directory makes every change
 * made to it before that fsync started durable, so concurrent creates,
 * removes and renames in one directory share fsyncs: each change takes a
 * number (posix_dir_changed, under the directory's ns_lock, right after
 * its system call); a committer waits until `synced` reaches its number.
 * The first waiter finding no fsync running starts one that covers every
 * change numbered so far; the others wait on the condition variable, and
 * those numbered after that fsync began start the next one. So N changes
 * in flight cost about two fsyncs instead of N.
 *
 * Both the fsync and the wait for another's fsync are a blocking section
 * (lib/blocking.h): the RPC loop puts a spare thread on the event loop
 * meanwhile, so the changes arriving during a flush are made and wait for
 * the next one together, instead of waiting for a free worker.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "blocking.h"
#include "posix.h"

uint64_t posix_dir_changed(struct posix_ictx *dctx)
{
	return __atomic_add_fetch(&dctx->changes, 1, __ATOMIC_ACQ_REL);
}

void posix_dir_commit(struct xl *xl, struct posix_ictx *dctx, uint64_t change, bool force)
{
	struct posix_conf *conf = xl->conf;
	struct posix_priv *priv = xl->private;
	uint64_t target;
	int fd, ret;

	if (!force && !conf->sync_metadata)
		return;
	fd = posix_data_fd(xl, dctx, false);
	if (fd < 0) {
		xl_log(xl, XL_LOG_WARNING, "flushing a directory: %s", strerror(-fd));
		return;
	}
	__atomic_add_fetch(&priv->dir_commits, 1, __ATOMIC_RELAXED);
	xl_blocking_enter();
	pthread_mutex_lock(&dctx->sync_lock);
	while (dctx->synced < change) {
		if (dctx->syncing) {
			pthread_cond_wait(&dctx->sync_cond, &dctx->sync_lock);
			continue;
		}
		dctx->syncing = true;
		/* every change numbered up to now happened before this fsync */
		target = __atomic_load_n(&dctx->changes, __ATOMIC_ACQUIRE);
		pthread_mutex_unlock(&dctx->sync_lock);
		ret = fsync(fd) < 0 ? -errno : 0;
		__atomic_add_fetch(&priv->dir_fsyncs, 1, __ATOMIC_RELAXED);
		pthread_mutex_lock(&dctx->sync_lock);
		dctx->syncing = false;
		if (ret)
			xl_log(xl, XL_LOG_WARNING, "flushing a directory failed: %s", strerror(-ret));
		if (target > dctx->synced)
			dctx->synced = target;
		pthread_cond_broadcast(&dctx->sync_cond);
	}
	pthread_mutex_unlock(&dctx->sync_lock);
	xl_blocking_leave();
}

void posix_forget(struct xl *xl, const struct xl_id *id)
{
	struct xl_event ev = { .type = XL_EV_FORGET, .from = xl, .id = *id };

	xl_notify_parents(xl, &ev);
}

bool posix_is_hidden(struct posix_ictx *dir, const char *name)
{
	return xl_id_equal(&dir->id, &XL_ID_ROOT) && !strcmp(name, POSIX_HIDDEN);
}

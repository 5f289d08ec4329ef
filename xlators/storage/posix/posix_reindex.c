/*
 * posix_reindex.c — xlnfs-posix-reindex DIR: rebuild storage/posix's id
 * index of an export from the ids kept in its objects' xattrs.
 *
 * When to run it: after the export was copied or restored by something
 * that kept the xattrs (trusted.xlnfs.id) but not the hard links between
 * an object and its index entry — `rsync -aX` without -H, `cp -r
 * --preserve=xattr`, a backup tool — so the index holds copies instead of
 * links; or after files were moved around outside NFS and their handles
 * should resolve at once rather than after their next lookup. Run it as
 * root while no xlnfsd serves the directory.
 *
 * What it does: makes a fresh .xlnfs/index beside the old one, walks the
 * whole tree (not crossing mount points, skipping .xlnfs), and for each
 * object reads its id — giving one to an object that has none, and a new
 * one to a second object holding an id already seen (a copy made inside
 * the export) — and enters it in the new index: a hard link for a
 * non-directory (once per inode, whatever its number of names), a
 * symlink naming the parent's id and the name for a directory. Then the
 * old index is removed. The ids themselves never change, so NFS file
 * handles given out before the copy stay valid.
 *
 * Exit status: 0 done, 1 the tree could not be fully indexed (the errors
 * are printed), 2 usage.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <glib.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "posix.h"

struct reindex {
	struct posix_store store;
	GHashTable *seen;      /* id → struct reindex_obj */
	unsigned long objects, assigned, renumbered, errors;
	char path[PATH_MAX];   /* of the directory being walked, for messages */
};

struct reindex_obj {
	uint64_t ino;
	uint32_t dev_major, dev_minor;
};

static guint reindex_id_hash(gconstpointer key)
{
	const struct xl_id *id = key;
	guint h;

	memcpy(&h, id->bytes + 12, sizeof(h)); /* random bytes of a v4 id */
	return h;
}

static gboolean reindex_id_eq(gconstpointer a, gconstpointer b)
{
	return xl_id_equal(a, b);
}

static void reindex_error(struct reindex *r, const char *name, int err)
{
	fprintf(stderr, "xlnfs-posix-reindex: %s/%s: %s\n", r->path, name, strerror(-err));
	r->errors++;
}

/* Has @id been seen for another object than @stx? Remembers it if new.
 * *same: seen for this very object (another name of it). */
static bool reindex_taken(struct reindex *r, const struct xl_id *id, const struct statx *stx,
			  bool *same)
{
	struct reindex_obj *o = g_hash_table_lookup(r->seen, id);
	struct xl_id *key;

	*same = false;
	if (o) {
		*same = o->ino == stx->stx_ino && o->dev_major == stx->stx_dev_major &&
			o->dev_minor == stx->stx_dev_minor;
		return !*same;
	}
	key = g_new(struct xl_id, 1);
	*key = *id;
	o = g_new(struct reindex_obj, 1);
	o->ino = stx->stx_ino;
	o->dev_major = stx->stx_dev_major;
	o->dev_minor = stx->stx_dev_minor;
	g_hash_table_insert(r->seen, key, o);
	return false;
}

static void reindex_dir(struct reindex *r, int dirfd, const struct xl_id *dir_id, bool root);

/* Index the entry @name of directory @dirfd (id @dir_id). */
static void reindex_entry(struct reindex *r, int dirfd, const struct xl_id *dir_id,
			  const char *name)
{
	struct statx stx;
	struct xl_id id;
	bool same;
	int fd, ret;

	fd = openat(dirfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		reindex_error(r, name, -errno);
		return;
	}
	ret = posix_statx(fd, "", &stx);
	if (ret)
		goto out_error;
	if (r->store.mnt_id && (stx.stx_mask & STATX_MNT_ID) && stx.stx_mnt_id != r->store.mnt_id)
		goto out_close; /* a mount point: not part of the export's store */
	r->objects++;
	ret = posix_id_read(fd, "", &id);
	if (ret == -ENODATA) {
		xl_id_generate(&id);
		ret = posix_id_write(fd, "", &id, false);
		r->assigned++;
	}
	if (ret)
		goto out_error;
	if (reindex_taken(r, &id, &stx, &same)) {
		/* a copy of an object seen before: an object of its own now */
		xl_id_generate(&id);
		ret = posix_id_write(fd, "", &id, false);
		if (ret)
			goto out_error;
		reindex_taken(r, &id, &stx, &same);
		r->renumbered++;
	}
	if (!same) {
		ret = posix_index_add(&r->store, fd, &stx, &id, dir_id, name);
		if (ret)
			goto out_error;
	}
	if (S_ISDIR(stx.stx_mode)) {
		int dfd = openat(dirfd, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
		size_t len = strlen(r->path);

		if (dfd < 0) {
			ret = -errno;
			goto out_error;
		}
		snprintf(r->path + len, sizeof(r->path) - len, "/%s", name);
		reindex_dir(r, dfd, &id, false);
		r->path[len] = '\0';
		close(dfd);
	}
	goto out_close;
out_error:
	reindex_error(r, name, ret);
out_close:
	close(fd);
}

static void reindex_dir(struct reindex *r, int dirfd, const struct xl_id *dir_id, bool root)
{
	struct dirent *e;
	DIR *d;
	int fd = dup(dirfd);

	if (fd < 0 || !(d = fdopendir(fd))) {
		if (fd >= 0)
			close(fd);
		reindex_error(r, ".", -errno);
		return;
	}
	while ((e = readdir(d))) {
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		if (root && !strcmp(e->d_name, POSIX_HIDDEN))
			continue;
		reindex_entry(r, dirfd, dir_id, e->d_name);
	}
	closedir(d);
}

static int reindex_rm(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	(void)st;
	(void)ftw;
	if ((type == FTW_DP ? rmdir(path) : unlink(path)) < 0)
		fprintf(stderr, "xlnfs-posix-reindex: removing %s: %s\n", path, strerror(errno));
	return 0;
}

int main(int argc, char **argv)
{
	struct reindex r = { .store = { .root_fd = -1, .index_fd = -1 } };
	char old[64], oldpath[PATH_MAX + 64];
	int ret;

	if (argc != 2 || argv[1][0] == '-') {
		fprintf(stderr, "usage: xlnfs-posix-reindex DIR\n"
				"Rebuild the id index (DIR/%s) of a storage/posix export from its "
				"objects' %s xattrs. Run as root, with no server on DIR.\n",
			POSIX_INDEX, POSIX_ID_XATTR);
		return 2;
	}
	r.store.root_fd = open(argv[1], O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (r.store.root_fd < 0) {
		fprintf(stderr, "xlnfs-posix-reindex: %s: %s\n", argv[1], strerror(errno));
		return 1;
	}
	/* the old index moves aside and goes once the new one is complete */
	snprintf(old, sizeof(old), "%s.old-%d", POSIX_INDEX, (int)getpid());
	if (renameat(r.store.root_fd, POSIX_INDEX, r.store.root_fd, old) < 0 && errno != ENOENT) {
		fprintf(stderr, "xlnfs-posix-reindex: %s/%s: %s\n", argv[1], POSIX_INDEX,
			strerror(errno));
		return 1;
	}
	ret = posix_index_init(&r.store);
	if (ret) {
		fprintf(stderr, "xlnfs-posix-reindex: %s: cannot make the index: %s\n", argv[1],
			strerror(-ret));
		return 1;
	}
	r.seen = g_hash_table_new_full(reindex_id_hash, reindex_id_eq, g_free, g_free);
	snprintf(r.path, sizeof(r.path), "%s", argv[1]);
	{
		struct statx root;
		bool same;

		if (posix_statx(r.store.root_fd, "", &root) == 0)
			reindex_taken(&r, &XL_ID_ROOT, &root, &same);
	}
	reindex_dir(&r, r.store.root_fd, &XL_ID_ROOT, true);
	snprintf(oldpath, sizeof(oldpath), "%s/%s", argv[1], old);
	if (faccessat(r.store.root_fd, old, F_OK, AT_SYMLINK_NOFOLLOW) == 0)
		nftw(oldpath, reindex_rm, 16, FTW_DEPTH | FTW_PHYS);
	printf("%s: %lu objects indexed, %lu given a new id, %lu copies renumbered, %lu errors\n",
	       argv[1], r.objects, r.assigned, r.renumbered, r.errors);
	g_hash_table_destroy(r.seen);
	close(r.store.index_fd);
	close(r.store.root_fd);
	return r.errors ? 1 : 0;
}

/*
 * posix_index.c — object ids and the index that finds an object by id.
 *
 * Ids are chosen above storage (xlator.h) and kept with the object, in the
 * xattr trusted.xlnfs.id (16 raw bytes; trusted.* needs CAP_SYS_ADMIN, so
 * callers cannot forge or strip it, and it is copied by `rsync -aX`,
 * `cp -a` and `tar --xattrs` run as root). The export root's id is
 * XL_ID_ROOT.
 *
 * The index is a hidden directory under the export root,
 * .xlnfs/index/ab/cd/<id> (ab and cd: the id's first two bytes in hex,
 * 65536 small directories made on demand; a bitmap remembers which this
 * process saw, so an entry costs one link, plus one mkdir the first time
 * its folder is used). Its entry for an object is
 *   - a non-directory: a hard link to the object (so nlink counts it: the
 *     attributes we report subtract it);
 *   - a directory (which cannot be hard-linked): a symlink
 *     "../../<pp>/<qq>/<parent-id>/<name>", the directory's parent's entry
 *     and its name there; the root's own entry is "../../../..".
 *   A symlink object's hard link is a symlink too; it is told from a
 *   directory's entry by its link count (2 or more: an object, 1: a
 *   directory's entry, or an object all of whose names are gone, which
 *   then fails to resolve like any stale id).
 * A directory is opened by reading the chain of entries up to the root and
 * then opening the names down from the root one by one (O_NOFOLLOW at each
 * step): never by letting the kernel follow a chain of nested symlinks,
 * which stops at 40 and would follow whatever a symlink in the tree says.
 * The last step checks the id xattr of what it reached. A directory
 * renamed by NFS gets its entry rewritten; one renamed outside NFS has a
 * stale entry until its next lookup rewrites it (lookup always checks).
 *
 * Why not the kernel's file handles (name_to_handle_at), which the first
 * storage/posix used: a handle names an inode number and generation of one
 * filesystem, so it does not survive copying the export to another disk
 * (a restore, a migration), and tmpfs has none that survive a remount
 * while overlayfs and FUSE filesystems often have none at all; resolving
 * one also needs CAP_DAC_READ_SEARCH. An id in an xattr plus an index
 * inside the export is carried along by any copy that keeps xattrs, and
 * xlnfs-posix-reindex rebuilds the index when a copy did not keep the hard
 * links (`rsync -aX` without -H). The model is GlusterFS's .glusterfs
 * directory; this one differs in checking each step of a directory chain
 * and in hiding nothing but one directory at the root.
 *
 * Everything here runs as root and knows nothing of translators, so the
 * reindex tool (posix_reindex.c) shares it.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "posix.h"

/* How deep a directory chain may be before we call it a loop. */
#define POSIX_INDEX_MAX_DEPTH 4096
#define POSIX_ROOT_LINK "../../../.."

int posix_statx(int dirfd, const char *path, struct statx *stx)
{
	int flags = AT_SYMLINK_NOFOLLOW | AT_STATX_SYNC_AS_STAT;

	if (!*path)
		flags |= AT_EMPTY_PATH;
	if (statx(dirfd, path, flags, STATX_BASIC_STATS | STATX_BTIME | STATX_MNT_ID, stx) < 0)
		return -errno;
	return 0;
}

void posix_iatt_from_statx(struct xl_iatt *ia, const struct statx *stx, bool indexed)
{
	if (!ia)
		return;
	ia->valid = (ia->valid & XL_IATT_ID) | (XL_IATT_ALL & ~XL_IATT_ID);
	ia->mode = stx->stx_mode;
	ia->nlink = stx->stx_nlink;
	if (indexed && !S_ISDIR(stx->stx_mode) && ia->nlink > 0)
		ia->nlink--;
	/* the root's count leaves out the hidden directory's ".." */
	if (S_ISDIR(stx->stx_mode) && (ia->valid & XL_IATT_ID) && xl_id_equal(&ia->id, &XL_ID_ROOT) &&
	    ia->nlink > 2)
		ia->nlink--;
	ia->uid = stx->stx_uid;
	ia->gid = stx->stx_gid;
	ia->size = stx->stx_size;
	ia->used = stx->stx_blocks * 512;
	ia->rdev = makedev(stx->stx_rdev_major, stx->stx_rdev_minor);
	ia->fsid = makedev(stx->stx_dev_major, stx->stx_dev_minor);
	ia->ino = stx->stx_ino;
	ia->atime = (struct timespec){ stx->stx_atime.tv_sec, stx->stx_atime.tv_nsec };
	ia->mtime = (struct timespec){ stx->stx_mtime.tv_sec, stx->stx_mtime.tv_nsec };
	ia->ctime = (struct timespec){ stx->stx_ctime.tv_sec, stx->stx_ctime.tv_nsec };
}

void posix_index_path(const struct xl_id *id, char buf[POSIX_INDEX_PATHLEN])
{
	char s[XL_ID_STRLEN];

	xl_id_to_str(id, s);
	snprintf(buf, POSIX_INDEX_PATHLEN, "%02x/%02x/%s", id->bytes[0], id->bytes[1], s);
}

/* The /proc path of @path at @dirfd for the xattr calls (which have no
 * *at form before Linux 6.13); *follow: whether the call must follow the
 * final component (the magic link of an O_PATH fd, landing on the object
 * itself, a symlink included). */
static void posix_xattr_path(int dirfd, const char *path, char *buf, size_t size, bool *follow)
{
	*follow = !*path;
	if (*path)
		snprintf(buf, size, "/proc/self/fd/%d/%s", dirfd, path);
	else
		snprintf(buf, size, "/proc/self/fd/%d", dirfd);
}

int posix_id_read(int dirfd, const char *path, struct xl_id *id)
{
	char p[PATH_MAX + 32];
	bool follow;
	ssize_t n;

	posix_xattr_path(dirfd, path, p, sizeof(p), &follow);
	n = follow ? getxattr(p, POSIX_ID_XATTR, id->bytes, sizeof(id->bytes))
		   : lgetxattr(p, POSIX_ID_XATTR, id->bytes, sizeof(id->bytes));
	if (n < 0)
		return errno == ERANGE ? -ENODATA : -errno;
	if (n != sizeof(id->bytes) || xl_id_is_null(id))
		return -ENODATA; /* not ours: treated as no id */
	return 0;
}

int posix_id_write(int dirfd, const char *path, const struct xl_id *id, bool create)
{
	char p[PATH_MAX + 32];
	int flags = create ? XATTR_CREATE : 0;
	bool follow;
	int ret;

	posix_xattr_path(dirfd, path, p, sizeof(p), &follow);
	ret = follow ? setxattr(p, POSIX_ID_XATTR, id->bytes, sizeof(id->bytes), flags)
		     : lsetxattr(p, POSIX_ID_XATTR, id->bytes, sizeof(id->bytes), flags);
	return ret < 0 ? -errno : 0;
}

static unsigned posix_fanout_bit(const struct xl_id *id)
{
	return (unsigned)id->bytes[0] << 8 | id->bytes[1];
}

/* Whether @id's second-level folder is known to exist. */
static bool posix_fanout_known(struct posix_store *s, const struct xl_id *id)
{
	unsigned b = posix_fanout_bit(id);

	return __atomic_load_n(&s->fanout[b / 8], __ATOMIC_RELAXED) & (1u << (b % 8));
}

/* Make the folders above @id's entry that are missing: the second level
 * first, and the first level only when that fails for want of it (after
 * the first few hundred creates it is always there). */
static int posix_index_mkdirs(struct posix_store *s, const struct xl_id *id)
{
	unsigned b = posix_fanout_bit(id);
	char d[8];

	snprintf(d, sizeof(d), "%02x/%02x", id->bytes[0], id->bytes[1]);
	if (mkdirat(s->index_fd, d, 0700) < 0 && errno != EEXIST) {
		if (errno != ENOENT)
			return -errno;
		d[2] = '\0';
		if (mkdirat(s->index_fd, d, 0700) < 0 && errno != EEXIST)
			return -errno;
		d[2] = '/';
		if (mkdirat(s->index_fd, d, 0700) < 0 && errno != EEXIST)
			return -errno;
	}
	__atomic_fetch_or(&s->fanout[b / 8], (uint8_t)(1u << (b % 8)), __ATOMIC_RELAXED);
	return 0;
}

/* What directory @id's entry says: its parent and name. */
static int posix_dir_link(const struct xl_id *parent, const char *name, char *buf, size_t size)
{
	char p[POSIX_INDEX_PATHLEN];
	int n;

	posix_index_path(parent, p);
	n = snprintf(buf, size, "../../%s/%s", p, name);
	return n < 0 || (size_t)n >= size ? -ENAMETOOLONG : 0;
}

/* Parse a directory entry's target into @parent and the name (pointing into
 * @target). -ESTALE if it is not one of ours; 1 for the root's own entry. */
static int posix_dir_link_parse(char *target, struct xl_id *parent, const char **name)
{
	char idbuf[XL_ID_STRLEN];
	char *p;

	if (!strcmp(target, POSIX_ROOT_LINK))
		return 1;
	/* "../../pp/qq/<36>/<name>" */
	if (strncmp(target, "../../", 6) || strlen(target) < 6 + 6 + 36 + 2)
		return -ESTALE;
	p = target + 12;
	memcpy(idbuf, p, 36);
	idbuf[36] = '\0';
	if (p[36] != '/' || xl_id_parse(idbuf, parent) || !p[37] || strchr(p + 37, '/'))
		return -ESTALE;
	*name = p + 37;
	return 0;
}

/* Replace @path in the index by what @make creates at a temporary name. */
static int posix_index_replace(struct posix_store *s, const char *path, int fd,
			       const char *target)
{
	static unsigned counter;
	char tmp[POSIX_INDEX_PATHLEN + 32];
	int ret;

	snprintf(tmp, sizeof(tmp), "%s.%d.%u", path, (int)getpid(),
		 __atomic_add_fetch(&counter, 1, __ATOMIC_RELAXED));
	ret = target ? symlinkat(target, s->index_fd, tmp)
		     : linkat(fd, "", s->index_fd, tmp, AT_EMPTY_PATH);
	if (ret < 0)
		return -errno;
	if (renameat(s->index_fd, tmp, s->index_fd, path) < 0) {
		ret = -errno;
		unlinkat(s->index_fd, tmp, 0);
		return ret;
	}
	return 0;
}

/* Does another live object than @stx's hold @id? Looks at what the index
 * resolves @id to now. */
static bool posix_index_taken(struct posix_store *s, const struct xl_id *id,
			      const struct statx *stx)
{
	struct statx other;
	int fd = posix_index_open(s, id);
	bool taken = false;

	if (fd < 0)
		return false;
	if (posix_statx(fd, "", &other) == 0)
		taken = other.stx_ino != stx->stx_ino || other.stx_dev_major != stx->stx_dev_major ||
			other.stx_dev_minor != stx->stx_dev_minor;
	close(fd);
	return taken;
}

/* Make @id's entry @path: a hard link to @fd, or the symlink @target,
 * making its folder first when it is not known to exist (a new run of ids
 * starts a folder, xl_id_generate). 0, -EEXIST when the entry is there,
 * or -errno. */
static int posix_index_make(struct posix_store *s, const struct xl_id *id, const char *path,
			    int fd, const char *target)
{
	int ret;

	if (!posix_fanout_known(s, id) && (ret = posix_index_mkdirs(s, id)))
		return ret;
	for (int tries = 0; tries < 2; tries++) {
		ret = target ? symlinkat(target, s->index_fd, path)
			     : linkat(fd, "", s->index_fd, path, AT_EMPTY_PATH);
		if (ret == 0)
			return 0;
		if (errno != ENOENT || tries)
			break;
		ret = posix_index_mkdirs(s, id);
		if (ret)
			return ret;
	}
	return -errno;
}

int posix_index_add_file(struct posix_store *s, int fd, const struct xl_id *id)
{
	char path[POSIX_INDEX_PATHLEN];

	posix_index_path(id, path);
	return posix_index_make(s, id, path, fd, NULL);
}

int posix_index_add(struct posix_store *s, int fd, const struct statx *stx,
		    const struct xl_id *id, const struct xl_id *parent, const char *name)
{
	char path[POSIX_INDEX_PATHLEN], target[PATH_MAX], cur[PATH_MAX];
	bool dir = S_ISDIR(stx->stx_mode);
	struct statx old;
	ssize_t n;
	int ret;

	posix_index_path(id, path);
	if (dir) {
		if (xl_id_equal(id, &XL_ID_ROOT))
			snprintf(target, sizeof(target), "%s", POSIX_ROOT_LINK);
		else if ((ret = posix_dir_link(parent, name, target, sizeof(target))))
			return ret;
	}
	ret = posix_index_make(s, id, path, fd, dir ? target : NULL);
	if (ret != -EEXIST)
		return ret;
	if (dir) {
		n = readlinkat(s->index_fd, path, cur, sizeof(cur) - 1);
		if (n >= 0) {
			cur[n] = '\0';
			if (!strcmp(cur, target))
				return 0;
		}
		/* moved outside NFS, or a copy of a directory holding our id */
		if (posix_index_taken(s, id, stx))
			return -EEXIST;
		return posix_index_replace(s, path, -1, target);
	}
	ret = posix_statx(s->index_fd, path, &old);
	if (ret == 0 && old.stx_ino == stx->stx_ino && old.stx_dev_major == stx->stx_dev_major &&
	    old.stx_dev_minor == stx->stx_dev_minor)
		return 0;
	if (ret == 0 && old.stx_nlink > 1) {
		struct xl_id held;

		/* a live object with the same id: this one is a copy */
		if (posix_id_read(s->index_fd, path, &held) == 0 && xl_id_equal(&held, id))
			return -EEXIST;
	}
	/* a stale entry (the copy of a copy without -H, a dead object) */
	return posix_index_replace(s, path, fd, NULL);
}

int posix_index_move_dir(struct posix_store *s, const struct xl_id *id,
			 const struct xl_id *parent, const char *name)
{
	char path[POSIX_INDEX_PATHLEN], target[PATH_MAX];
	int ret;

	posix_index_path(id, path);
	ret = posix_dir_link(parent, name, target, sizeof(target));
	if (ret)
		return ret;
	ret = posix_index_replace(s, path, -1, target);
	if (ret == -ENOENT && posix_index_mkdirs(s, id) == 0)
		ret = posix_index_replace(s, path, -1, target);
	return ret;
}

void posix_index_remove(struct posix_store *s, const struct xl_id *id)
{
	char path[POSIX_INDEX_PATHLEN];

	posix_index_path(id, path);
	unlinkat(s->index_fd, path, 0);
}

/* Open directory @id by walking: collect the names from it up to the root
 * through the index entries, then open them down from the root. */
static int posix_index_walk(struct posix_store *s, const struct xl_id *id, char *first)
{
	char **names = NULL;
	size_t count = 0;
	struct xl_id cur = *id, parent, got;
	char path[POSIX_INDEX_PATHLEN], buf[PATH_MAX];
	const char *name;
	int ret, fd = -1, nfd;
	ssize_t n;

	names = calloc(POSIX_INDEX_MAX_DEPTH, sizeof(*names));
	if (!names)
		return -ENOMEM;
	strcpy(buf, first);
	for (;;) {
		ret = posix_dir_link_parse(buf, &parent, &name);
		if (ret == 1 || ret < 0) {
			/* only the root's own entry may say root */
			ret = ret == 1 ? -ESTALE : ret;
			goto out_free;
		}
		if (count == POSIX_INDEX_MAX_DEPTH) {
			ret = -ESTALE; /* a loop */
			goto out_free;
		}
		names[count] = strdup(name);
		if (!names[count]) {
			ret = -ENOMEM;
			goto out_free;
		}
		count++;
		if (xl_id_equal(&parent, &XL_ID_ROOT)) {
			/* nothing in the index leads into the index */
			if (!strcmp(name, POSIX_HIDDEN)) {
				ret = -ESTALE;
				goto out_free;
			}
			break;
		}
		cur = parent;
		posix_index_path(&cur, path);
		n = readlinkat(s->index_fd, path, buf, sizeof(buf) - 1);
		if (n < 0) {
			ret = -ESTALE;
			goto out_free;
		}
		buf[n] = '\0';
	}
	fd = openat(s->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	while (count > 0) {
		count--;
		nfd = openat(fd, names[count], O_PATH | O_NOFOLLOW | O_DIRECTORY | O_CLOEXEC);
		close(fd);
		fd = nfd;
		if (fd < 0) {
			ret = -ESTALE;
			goto out_free;
		}
	}
	if (posix_id_read(fd, "", &got) || !xl_id_equal(&got, id)) {
		close(fd);
		ret = -ESTALE;
		goto out_free;
	}
	ret = fd;
out_free:
	for (size_t i = 0; i < POSIX_INDEX_MAX_DEPTH && names[i]; i++)
		free(names[i]);
	free(names);
	return ret;
}

int posix_index_open(struct posix_store *s, const struct xl_id *id)
{
	char path[POSIX_INDEX_PATHLEN], buf[PATH_MAX];
	struct statx stx;
	ssize_t n;
	int fd, ret;

	if (xl_id_equal(id, &XL_ID_ROOT)) {
		fd = openat(s->root_fd, ".", O_PATH | O_DIRECTORY | O_CLOEXEC);
		return fd < 0 ? -errno : fd;
	}
	if (xl_id_is_null(id))
		return -ESTALE;
	posix_index_path(id, path);
	fd = openat(s->index_fd, path, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0)
		return errno == ENOENT || errno == ENOTDIR ? -ESTALE : -errno;
	ret = posix_statx(fd, "", &stx);
	if (ret) {
		close(fd);
		return ret;
	}
	if (!S_ISLNK(stx.stx_mode) || stx.stx_nlink > 1) {
		/* the object itself: alive while it has a name besides ours */
		if (stx.stx_nlink < 2) {
			close(fd);
			return -ESTALE;
		}
		return fd;
	}
	n = readlinkat(fd, "", buf, sizeof(buf) - 1);
	close(fd);
	if (n < 0)
		return -ESTALE;
	buf[n] = '\0';
	return posix_index_walk(s, id, buf);
}

int posix_index_init(struct posix_store *s)
{
	struct statx stx;
	struct xl_id got;
	int ret;

	s->index_fd = -1;
	ret = posix_statx(s->root_fd, "", &stx);
	if (ret)
		return ret;
	s->mnt_id = (stx.stx_mask & STATX_MNT_ID) ? stx.stx_mnt_id : 0;
	if (mkdirat(s->root_fd, POSIX_HIDDEN, 0700) < 0 && errno != EEXIST)
		return -errno;
	if (mkdirat(s->root_fd, POSIX_INDEX, 0700) < 0 && errno != EEXIST)
		return -errno;
	s->index_fd = openat(s->root_fd, POSIX_INDEX, O_PATH | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
	if (s->index_fd < 0)
		return -errno;
	if (posix_id_read(s->root_fd, "", &got) || !xl_id_equal(&got, &XL_ID_ROOT)) {
		ret = posix_id_write(s->root_fd, "", &XL_ID_ROOT, false);
		if (ret)
			goto out_close;
	}
	ret = posix_index_add(s, s->root_fd, &stx, &XL_ID_ROOT, NULL, NULL);
	if (ret)
		goto out_close;
	return 0;

out_close:
	close(s->index_fd);
	s->index_fd = -1;
	return ret;
}

/*
 * posix_dir.c — readdir and readdirplus.
 *
 * The directory is opened for reading under the caller's credentials (the
 * kernel decides whether he may list it), positioned with lseek() and read
 * with getdents64() into one buffer per call; nothing is allocated per
 * entry. "." and ".." come from the filesystem; at the export root ".."
 * describes the root itself and the hidden directory is skipped.
 *
 * Cookies. An entry's cookie is made from its d_off, the filesystem's own
 * resume point after it, and must fit XL_COOKIE_BITS (56). tmpfs, xfs and
 * btrfs offsets are small and are used as they are. ext2/3/4 hash-ordered
 * directories return 63-bit offsets (major hash << 32 | minor hash, shifted
 * right once), so there the cookie is d_off >> 7 (priv->cookie_shift): it
 * drops the low 7 bits of the minor hash and keeps the order. Resuming
 * from cookie c seeks to c << 7, which is at or before the entry that
 * followed, and skips entries whose own cookie is ≤ c. The collision case:
 * two consecutive entries whose next-positions differ only in those 7 low
 * bits (same major hash, minor hashes within 128 of each other: about
 * n²·2⁻⁵⁶ for a directory of n entries, so about 1 in 10⁵ even for a
 * million entries) share a cookie, and a listing that stopped between them
 * would skip the second on resume. A cookie that does not fit after the
 * shift fails the readdir with -EOVERFLOW (logged); one the filesystem
 * cannot seek to is -EINVAL (NFS3ERR_BAD_COOKIE).
 *
 * plus: each entry gets statx (at the directory fd, not following) and
 * its id: from its inode context when cached, else from the id cache
 * (posix_idcache.c: objects listed before), else one xattr read at the
 * directory fd, which the id cache then keeps. An entry that has no id
 * yet (made outside NFS) gets one now, as root, and is indexed. An entry
 * that vanished meanwhile is skipped; one on another mount or that cannot
 * be examined is passed without attributes.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "posix.h"

/* getdents64's buffer: 8 KiB, about 150 entries of 30-byte names. A
 * reply stops in the middle of a buffer and the rest was read for
 * nothing: with 32 KiB a READDIRPLUS of 128 KiB (~570 entries) read two
 * buffers, ~1,170 entries, for the ~570 it sent. */
#define POSIX_DIRBUF (8 * 1024)

/* The kernel's struct linux_dirent64. */
struct posix_dirent64 {
	uint64_t d_ino;
	int64_t d_off;
	unsigned short d_reclen;
	unsigned char d_type;
	char d_name[];
};

struct posix_dir_state {
	struct xl *xl;
	struct xl_call *call;
	struct posix_ictx *dctx;
	struct statx dst;
	bool at_root;
	bool plus;
	int fd;
};

/* An id for an entry that has none (outside NFS), as root: written with
 * XATTR_CREATE (a racing lookup may win: then its id is read) and indexed. */
static int posix_dirent_assign(struct posix_dir_state *s, const char *name, struct statx *stx,
			       struct xl_id *id)
{
	struct posix_priv *priv = s->xl->private;
	int fd, ret;

	posix_creds_leave(s->xl, s->call);
	fd = openat(s->fd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
	if (fd < 0) {
		ret = -errno;
		goto out_enter;
	}
	xl_id_generate(id);
	ret = posix_id_write(fd, "", id, true);
	if (ret == -EEXIST)
		ret = posix_id_read(fd, "", id);
	else if (!ret)
		ret = posix_index_add(&priv->store, fd, stx, id, &s->dctx->id, name);
	if (!ret)
		ret = posix_statx(fd, "", stx); /* nlink counts the new index link */
	close(fd);
out_enter:
	if (posix_creds_enter(s->xl, s->call))
		return -EPERM;
	return ret;
}

/* Fill @ent for the entry @d. Returns 0, 1 to skip the entry (it is gone
 * or hidden), or -errno. */
static int posix_dirent_fill(struct posix_dir_state *s, const struct posix_dirent64 *d,
			     struct xl_dirent *ent)
{
	struct posix_priv *priv = s->xl->private;
	bool dot = !strcmp(d->d_name, "."), dotdot = !strcmp(d->d_name, "..");
	bool indexed;
	int ret;

	if (s->at_root && !strcmp(d->d_name, POSIX_HIDDEN))
		return 1;
	ent->name = d->d_name;
	ent->ino = d->d_ino;
	ent->attr.valid = 0;
	if (dot || (dotdot && s->at_root)) {
		/* the directory itself (at the root, ".." never leads out) */
		ent->ino = s->dst.stx_ino;
		if (s->plus) {
			ent->attr.valid = XL_IATT_ID;
			ent->attr.id = s->dctx->id;
			posix_iatt_from_statx(&ent->attr, &s->dst, false);
		}
		return 0;
	}
	if (!s->plus)
		return 0;
	struct statx stx;

	/* the id cache's bucket loads while the kernel works */
	posix_idcache_prefetch(priv->idcache, d->d_ino,
			       makedev(s->dst.stx_dev_major, s->dst.stx_dev_minor));
	ret = posix_statx(s->fd, d->d_name, &stx);
	if (ret)
		return ret == -ENOENT ? 1 : 0;
	if (priv->store.mnt_id && (stx.stx_mask & STATX_MNT_ID) &&
	    stx.stx_mnt_id != priv->store.mnt_id)
		return 0; /* a mount point: not ours */
	/* a cached object's id comes from its context, a listed one's from
	 * the id cache, others' from the xattr (then cached) */
	if (!posix_ictx_known(priv, &stx, &ent->attr.id, &indexed) &&
	    !posix_idcache_get(priv->idcache, &stx, &ent->attr.id, &indexed)) {
		indexed = true;
		ret = posix_id_read(s->fd, d->d_name, &ent->attr.id);
		if (ret == -ENODATA && !dotdot)
			ret = posix_dirent_assign(s, d->d_name, &stx, &ent->attr.id);
		if (ret)
			return ret == -ENOENT ? 1 : 0;
		posix_idcache_put(priv->idcache, &stx, &ent->attr.id, true);
	}
	ent->ino = stx.stx_ino;
	ent->attr.valid = XL_IATT_ID;
	/* an entry with an id has its index link (lookup and reindex keep
	 * it so); directories are not counted anyway */
	posix_iatt_from_statx(&ent->attr, &stx, indexed);
	return 0;
}

int posix_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		  unsigned flags, xl_readdir_fill_fn fill, void *ctx, bool *eof,
		  struct xl_iatt *dir_attr)
{
	struct posix_priv *priv = xl->private;
	struct posix_dir_state s = { .xl = xl, .call = call, .plus = flags & XL_READDIR_PLUS,
				     .fd = -1 };
	unsigned shift = priv->cookie_shift;
	struct xl_dirent ent;
	char *buf = NULL;
	long n;
	int ret;

	*eof = false;
	ret = posix_ictx_stat(xl, dir, &s.dctx, &s.dst);
	if (ret)
		return ret;
	if (!S_ISDIR(s.dst.stx_mode)) {
		ret = -ENOTDIR;
		goto out_done;
	}
	s.at_root = xl_id_equal(&s.dctx->id, &XL_ID_ROOT);
	if (cookie > XL_COOKIE_MASK) {
		ret = -EINVAL;
		goto out_done;
	}
	buf = malloc(POSIX_DIRBUF);
	if (!buf) {
		ret = -ENOMEM;
		goto out_done;
	}
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_free;
	s.fd = openat(s.dctx->path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.fd < 0) {
		ret = -errno;
		goto out_leave;
	}
	if (cookie && lseek(s.fd, (off_t)(cookie << shift), SEEK_SET) < 0) {
		ret = -EINVAL;
		goto out_close;
	}
	for (;;) {
		n = syscall(SYS_getdents64, s.fd, buf, POSIX_DIRBUF);
		if (n < 0) {
			/* a cookie the filesystem accepted but cannot resume */
			ret = errno == ENOENT ? -EINVAL : -errno;
			goto out_close;
		}
		if (n == 0) {
			*eof = true;
			ret = 0;
			break;
		}
		for (long pos = 0; pos < n;) {
			const struct posix_dirent64 *d = (const void *)(buf + pos);
			uint64_t c = (uint64_t)d->d_off >> shift;

			pos += d->d_reclen;
			if (c > XL_COOKIE_MASK) {
				xl_log(xl, XL_LOG_ERROR, "readdir: offset %llx does not fit a cookie",
				       (unsigned long long)d->d_off);
				ret = -EOVERFLOW;
				goto out_close;
			}
			if (c == 0)
				c = 1; /* 0 means "from the start" */
			if (shift && cookie && c <= cookie)
				continue; /* before the resume point (same bucket) */
			ret = posix_dirent_fill(&s, d, &ent);
			if (ret == 1)
				continue;
			if (ret)
				goto out_close;
			ent.cookie = c;
			ret = fill(ctx, &ent);
			if (ret == 1) {
				ret = 0;
				goto out_close;
			}
			if (ret)
				goto out_close;
		}
	}
out_close:
	close(s.fd);
out_leave:
	posix_creds_leave(xl, call);
out_free:
	free(buf);
out_done:
	if (dir_attr && s.dctx)
		posix_ctx_iatt(s.dctx, dir_attr);
	posix_ictx_done(xl, s.dctx);
	return ret;
}

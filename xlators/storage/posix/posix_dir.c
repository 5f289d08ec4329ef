/*
 * posix_dir.c — readdir and readdirplus.
 *
 * The directory is opened for reading (under the caller's credentials:
 * the kernel decides whether he may list it), positioned with lseek() at
 * the cookie and read with getdents64(). An entry's cookie is its d_off,
 * the filesystem's own resume point after it, so a listing resumed from
 * any returned cookie continues exactly after that entry (ext4 hashes,
 * tmpfs/xfs offsets). "." and ".." come from the filesystem too; at the
 * export's root ".." describes the root itself.
 *
 * plus: every entry gets attributes (fstatat) and its gfid
 * (name_to_handle_at), neither following symlinks. An entry that vanished
 * meanwhile is skipped; one on another filesystem (a mount point) or that
 * cannot be examined is passed without attributes.
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

#define POSIX_DIRBUF (32 * 1024)

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
	struct xl_inode *dir;
	const struct stat *dst;
	bool at_root;
	bool plus;
	int fd;
};

/* Fill @ent for the entry @d. Returns 0, 1 to skip the entry (it is gone),
 * or -errno. */
static int posix_dirent_fill(struct posix_dir_state *s, const struct posix_dirent64 *d,
			     struct xl_dirent *ent)
{
	struct posix_priv *priv = s->xl->private;
	bool dot = !strcmp(d->d_name, "."), dotdot = !strcmp(d->d_name, "..");

	memset(ent, 0, sizeof(*ent));
	ent->name = d->d_name;
	ent->ino = d->d_ino;
	ent->cookie = (uint64_t)d->d_off;
	if (dot || (dotdot && s->at_root)) {
		/* the directory itself (at the root, ".." never leads out) */
		ent->ino = s->dst->st_ino;
		if (s->plus) {
			ent->st = *s->dst;
			ent->gfid = *xl_inode_gfid(s->dir);
			ent->has_attr = true;
		}
		return 0;
	}
	if (!s->plus)
		return 0;
	if (fstatat(s->fd, d->d_name, &ent->st, AT_SYMLINK_NOFOLLOW) < 0)
		return errno == ENOENT ? 1 : 0;
	if (ent->st.st_dev != priv->root_dev)
		return 0; /* a mount point: no handle of ours */
	switch (posix_gfid_at(s->fd, d->d_name, &ent->gfid, NULL)) {
	case 0:
		ent->has_attr = true;
		ent->ino = ent->st.st_ino;
		return 0;
	case -ENOENT:
		return 1;
	default:
		return 0;
	}
}

int posix_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		  bool plus, xl_readdir_fill_fn fill, void *ctx, bool *eof)
{
	struct posix_priv *priv = xl->private;
	struct posix_dir_state s = { .xl = xl, .dir = dir, .plus = plus, .fd = -1 };
	struct posix_ictx *dctx;
	struct xl_dirent ent;
	struct stat dst;
	char *buf = NULL;
	long n;
	int ret;

	*eof = false;
	ret = posix_ictx_get(xl, dir, &dctx, &dst);
	if (ret)
		return ret;
	if (!S_ISDIR(dst.st_mode)) {
		ret = -ENOTDIR;
		goto out_put;
	}
	s.dst = &dst;
	s.at_root = dst.st_dev == priv->root_dev && dst.st_ino == priv->root_ino;
	buf = malloc(POSIX_DIRBUF);
	if (!buf) {
		ret = -ENOMEM;
		goto out_put;
	}
	ret = posix_creds_enter(xl, call);
	if (ret)
		goto out_free;
	s.fd = openat(dctx->path_fd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (s.fd < 0) {
		ret = -errno;
		goto out_leave;
	}
	if (cookie && (cookie > (uint64_t)INT64_MAX || lseek(s.fd, (off_t)cookie, SEEK_SET) < 0)) {
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

			pos += d->d_reclen;
			ret = posix_dirent_fill(&s, d, &ent);
			if (ret == 1)
				continue;
			if (ret)
				goto out_close;
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
out_put:
	posix_ictx_put(dctx);
	return ret;
}

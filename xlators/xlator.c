/*
 * xlator.c — calling a translator's fops.
 *
 * xl_<fop>(xl, ...) runs @xl's module's fop; a NULL slot (or a module with
 * no fop table) passes the call unchanged to the first child, and a leaf
 * that leaves the slot NULL answers -ENOSYS. Translators stack with
 * xl_next_<fop>() (xlator.h), which is xl_<fop>() on children[0].
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include "xlator.h"

/* The volume that implements the fop at byte offset @slot of struct xl_fops
 * for @xl: @xl itself, or the first descendant along children[0] that has
 * it. NULL at a leaf without it. */
static struct xl *xl_resolve(struct xl *xl, size_t slot)
{
	void (*fn)(void);

	for (; xl; xl = xl->nchildren ? xl->children[0] : NULL) {
		if (!xl->module->fops)
			continue;
		memcpy(&fn, (const char *)xl->module->fops + slot, sizeof(fn));
		if (fn)
			return xl;
	}
	return NULL;
}

#define XL_RESOLVE(xl, member) xl_resolve((xl), offsetof(struct xl_fops, member))

bool xl_gfid_equal(const struct xl_gfid *a, const struct xl_gfid *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

int xl_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      struct xl_inode **out, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, lookup);

	return t ? t->module->fops->lookup(t, call, dir, name, out, st) : -ENOSYS;
}

int xl_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, getattr);

	return t ? t->module->fops->getattr(t, call, inode, st) : -ENOSYS;
}

int xl_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	       const struct xl_setattr *sa, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, setattr);

	return t ? t->module->fops->setattr(t, call, inode, sa, st) : -ENOSYS;
}

int xl_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, int mask)
{
	struct xl *t = XL_RESOLVE(xl, access);

	return t ? t->module->fops->access(t, call, inode, mask) : -ENOSYS;
}

int xl_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf, size_t size)
{
	struct xl *t = XL_RESOLVE(xl, readlink);

	return t ? t->module->fops->readlink(t, call, inode, buf, size) : -ENOSYS;
}

int xl_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off, size_t len,
	    void *buf, bool *eof, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, read);

	return t ? t->module->fops->read(t, call, inode, off, len, buf, eof, st) : -ENOSYS;
}

int xl_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
	     const struct iovec *iov, int iovcnt, enum xl_stable *stable, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, write);

	return t ? t->module->fops->write(t, call, inode, off, iov, iovcnt, stable, st) : -ENOSYS;
}

int xl_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, bool datasync)
{
	struct xl *t = XL_RESOLVE(xl, fsync);

	return t ? t->module->fops->fsync(t, call, inode, datasync) : -ENOSYS;
}

int xl_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      const struct xl_setattr *sa, bool exclusive, struct xl_inode **out, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, create);

	return t ? t->module->fops->create(t, call, dir, name, sa, exclusive, out, st) : -ENOSYS;
}

int xl_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     const struct xl_setattr *sa, struct xl_inode **out, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, mkdir);

	return t ? t->module->fops->mkdir(t, call, dir, name, sa, out, st) : -ENOSYS;
}

int xl_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       const char *target, const struct xl_setattr *sa, struct xl_inode **out,
	       struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, symlink);

	return t ? t->module->fops->symlink(t, call, dir, name, target, sa, out, st) : -ENOSYS;
}

int xl_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     mode_t mode, dev_t rdev, const struct xl_setattr *sa, struct xl_inode **out,
	     struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, mknod);

	return t ? t->module->fops->mknod(t, call, dir, name, mode, rdev, sa, out, st) : -ENOSYS;
}

int xl_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name)
{
	struct xl *t = XL_RESOLVE(xl, unlink);

	return t ? t->module->fops->unlink(t, call, dir, name) : -ENOSYS;
}

int xl_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name)
{
	struct xl *t = XL_RESOLVE(xl, rmdir);

	return t ? t->module->fops->rmdir(t, call, dir, name) : -ENOSYS;
}

int xl_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir, const char *oldname,
	      struct xl_inode *newdir, const char *newname)
{
	struct xl *t = XL_RESOLVE(xl, rename);

	return t ? t->module->fops->rename(t, call, olddir, oldname, newdir, newname) : -ENOSYS;
}

int xl_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct xl_inode *newdir,
	    const char *newname, struct stat *st)
{
	struct xl *t = XL_RESOLVE(xl, link);

	return t ? t->module->fops->link(t, call, inode, newdir, newname, st) : -ENOSYS;
}

int xl_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
	       bool plus, xl_readdir_fill_fn fill, void *ctx, bool *eof)
{
	struct xl *t = XL_RESOLVE(xl, readdir);

	return t ? t->module->fops->readdir(t, call, dir, cookie, plus, fill, ctx, eof) : -ENOSYS;
}

int xl_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct statvfs *sv)
{
	struct xl *t = XL_RESOLVE(xl, statfs);

	return t ? t->module->fops->statfs(t, call, inode, sv) : -ENOSYS;
}

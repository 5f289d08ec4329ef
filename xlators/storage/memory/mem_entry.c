/*
 * mem_entry.c — storage/memory's names: lookup and resolve, the four
 * fops that make an object (one routine, mem_make), unlink, rmdir and
 * link. rename has a file of its own (mem_rename.c).
 *
 * Checks come in the kernel's order, so a caller sees the errno a local
 * filesystem would give: search permission on the directory, then the
 * name (ENOENT/EEXIST), then write permission, then the sticky bit, then
 * the type of the object.
 *
 * New objects are owned by the caller, in the directory's group when the
 * directory is set-group-id (a new directory inherits the bit), as the
 * kernel's inode_init_owner() does; an unprivileged caller outside the
 * file's group cannot create it set-group-id.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "memory.h"

/* A name a fop may create: -ENAMETOOLONG, -EINVAL ("", "/" in it) or
 * -EEXIST ("." and ".."). */
static int mem_check_name(const char *name)
{
	size_t len = strlen(name);

	if (len > MEM_NAME_MAX)
		return -ENAMETOOLONG;
	if (!len || strchr(name, '/'))
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EEXIST;
	return 0;
}

/* The directory behind @inode, searchable by @cred: 0, -ESTALE,
 * -ENOTDIR or -EACCES. */
static int mem_dir_of(struct xl *xl, const struct xl_cred *cred, struct xl_inode *inode,
		      struct mem_obj **out)
{
	struct mem_obj *dir = mem_obj_of(xl, inode);

	if (!dir)
		return -ESTALE;
	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	*out = dir;
	return mem_permission(dir, cred, MEM_MAY_EXEC);
}

int mem_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *d = NULL, *obj;
	struct mem_dirent *de;
	int ret;

	pthread_mutex_lock(&priv->lock);
	if (!dir) {
		obj = priv->root;
		goto out_found;
	}
	ret = mem_dir_of(xl, &call->cred, dir, &d);
	if (ret)
		goto out_unlock;
	if (strlen(name) > MEM_NAME_MAX) {
		ret = -ENAMETOOLONG;
		goto out_unlock;
	}
	if (!strcmp(name, ".")) {
		obj = d;
	} else if (!strcmp(name, "..")) {
		obj = d->parent;
	} else {
		de = mem_dir_get(d, name);
		if (!de) {
			ret = -ENOENT;
			goto out_dir;
		}
		obj = de->obj;
	}
out_found:
	mem_obj_attach(xl, inode, obj);
	mem_iatt(xl, obj, attr);
	ret = 0;
out_dir:
	if (d)
		mem_iatt(xl, d, dir_attr);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		struct xl_iatt *attr)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	int ret = 0;

	(void)call;
	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_find(priv, xl_inode_id(inode));
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	mem_obj_attach(xl, inode, obj);
	mem_iatt(xl, obj, attr);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

/* What one of create/mkdir/symlink/mknod asks for. */
struct mem_make_args {
	const char *name;
	mode_t mode;                 /* type and default permission bits */
	dev_t rdev;
	const char *target;          /* symlinks */
	const struct xl_id *id;
	const struct xl_setattr *sa;
	bool exclusive;              /* create: EEXIST rather than open */
};

/* May @cred give a new object the owner and group @sa asks for? */
static int mem_make_owner_ok(const struct xl_cred *cred, const struct xl_setattr *sa)
{
	if (!sa || mem_is_root(cred))
		return 0;
	if ((sa->valid & XL_SET_UID) && sa->uid != cred->uid)
		return -EPERM;
	if ((sa->valid & XL_SET_GID) && !mem_in_group(cred, sa->gid))
		return -EPERM;
	return 0;
}

/* A non-exclusive create found @obj at the name: a regular file is
 * returned as it is, only a size in @sa applied. */
static int mem_make_existing(struct xl *xl, struct xl_call *call, struct mem_obj *obj,
			     const struct mem_make_args *a)
{
	struct xl_setattr sz = {.valid = XL_SET_SIZE};

	if (!S_ISREG(a->mode) || a->exclusive || !S_ISREG(obj->mode))
		return -EEXIST;
	if (!a->sa || !(a->sa->valid & XL_SET_SIZE))
		return 0;
	sz.size = a->sa->size;
	return mem_setattr_obj(xl, &call->cred, obj, &sz, false);
}

/* Give the new @obj in @dir its mode, group and what @sa asks. */
static int mem_make_init(struct xl *xl, struct xl_call *call, struct mem_obj *dir,
			 struct mem_obj *obj, const struct mem_make_args *a)
{
	const struct xl_setattr *sa = a->sa;
	mode_t perm = a->mode & 07777;
	int ret;

	if (sa && (sa->valid & XL_SET_MODE) && !S_ISLNK(a->mode))
		perm = sa->mode & 07777;
	if (S_ISDIR(a->mode))
		perm &= 01777; /* as mkdir(2): set-id bits come from the parent only */
	if (dir->mode & S_ISGID) {
		obj->gid = dir->gid;
		if (S_ISDIR(a->mode))
			perm |= S_ISGID;
	}
	if (sa && (sa->valid & XL_SET_UID))
		obj->uid = sa->uid;
	if (sa && (sa->valid & XL_SET_GID))
		obj->gid = sa->gid;
	if (!S_ISDIR(a->mode) && (perm & S_ISGID) && !mem_is_root(&call->cred) &&
	    !mem_in_group(&call->cred, obj->gid))
		perm &= ~(mode_t)S_ISGID;
	obj->mode = (a->mode & S_IFMT) | perm;
	if (S_ISCHR(a->mode) || S_ISBLK(a->mode))
		obj->rdev = a->rdev;
	if (a->target) {
		size_t len = strlen(a->target);

		ret = mem_charge(xl, len);
		if (ret)
			return ret;
		obj->target = g_strndup(a->target, len);
		obj->size = len;
	}
	if (sa && (sa->valid & XL_SET_SIZE) && S_ISREG(a->mode)) {
		if (sa->size > MEM_FILE_MAX)
			return -EFBIG;
		obj->size = sa->size;
	}
	if (sa && (sa->valid & XL_SET_ATIME))
		obj->atime = sa->atime;
	if (sa && (sa->valid & XL_SET_MTIME))
		obj->mtime = sa->mtime;
	return 0;
}

static int mem_make(struct xl *xl, struct xl_call *call, struct xl_inode *dirinode,
		    const struct mem_make_args *a, struct xl_inode *inode, struct xl_iatt *attr,
		    struct xl_wcc *dir_wcc)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *dir, *obj;
	struct mem_dirent *de;
	int ret;

	pthread_mutex_lock(&priv->lock);
	ret = mem_dir_of(xl, &call->cred, dirinode, &dir);
	if (ret)
		goto out_unlock;
	ret = mem_check_name(a->name);
	if (ret)
		goto out_unlock;
	if (dir_wcc)
		mem_iatt(xl, dir, &dir_wcc->pre);
	de = mem_dir_get(dir, a->name);
	if (de) {
		ret = mem_make_existing(xl, call, de->obj, a);
		if (ret)
			goto out_post;
		obj = de->obj;
		goto out_attach;
	}
	ret = mem_permission(dir, &call->cred, MEM_MAY_WRITE | MEM_MAY_EXEC);
	if (ret)
		goto out_post;
	if ((S_ISCHR(a->mode) || S_ISBLK(a->mode)) && !mem_is_root(&call->cred)) {
		ret = -EPERM;
		goto out_post;
	}
	ret = mem_make_owner_ok(&call->cred, a->sa);
	if (ret)
		goto out_post;
	ret = mem_obj_new(xl, call, a->mode, a->id, &obj);
	if (ret)
		goto out_post;
	ret = mem_make_init(xl, call, dir, obj, a);
	if (ret)
		goto out_discard;
	mem_dir_add(dir, a->name, obj);
	if (S_ISDIR(a->mode)) {
		obj->nlink = 2;
		obj->parent = dir;
		dir->nlink++;
	} else {
		obj->nlink = 1;
	}
	mem_now(&dir->mtime);
	dir->ctime = dir->mtime;
out_attach:
	mem_obj_attach(xl, inode, obj);
	mem_iatt(xl, obj, attr);
	goto out_post;

out_discard:
	mem_obj_kill(priv, obj, NULL);
out_post:
	if (dir_wcc)
		mem_iatt(xl, dir, &dir_wcc->post);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
	       struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct mem_make_args a = {.name = name, .mode = S_IFREG, .id = id, .sa = sa,
				  .exclusive = exclusive};

	return mem_make(xl, call, dir, &a, inode, attr, dir_wcc);
}

int mem_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode *inode,
	      struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct mem_make_args a = {.name = name, .mode = S_IFDIR, .id = id, .sa = sa,
				  .exclusive = true};

	return mem_make(xl, call, dir, &a, inode, attr, dir_wcc);
}

int mem_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		const char *target, const struct xl_id *id, const struct xl_setattr *sa,
		struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct mem_make_args a = {.name = name, .mode = S_IFLNK | 0777, .target = target,
				  .id = id, .sa = sa, .exclusive = true};
	size_t len = strlen(target);

	if (!len)
		return -ENOENT;
	if (len > MEM_SYMLINK_MAX)
		return -ENAMETOOLONG;
	return mem_make(xl, call, dir, &a, inode, attr, dir_wcc);
}

int mem_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
	      struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct mem_make_args a = {.name = name, .mode = mode, .rdev = rdev, .id = id, .sa = sa,
				  .exclusive = true};

	if (!S_ISCHR(mode) && !S_ISBLK(mode) && !S_ISFIFO(mode) && !S_ISSOCK(mode))
		return -EINVAL;
	return mem_make(xl, call, dir, &a, inode, attr, dir_wcc);
}

/* unlink and rmdir: remove @name of @dirinode, a directory or not. */
static int mem_remove(struct xl *xl, struct xl_call *call, struct xl_inode *dirinode,
		      const char *name, bool rmdir, struct xl_wcc *dir_wcc)
{
	struct mem_priv *priv = xl->private;
	GArray *forget = g_array_new(FALSE, FALSE, sizeof(struct xl_id));
	struct mem_obj *dir, *obj;
	struct mem_dirent *de;
	int ret;

	pthread_mutex_lock(&priv->lock);
	ret = mem_dir_of(xl, &call->cred, dirinode, &dir);
	if (ret)
		goto out_unlock;
	if (dir_wcc)
		mem_iatt(xl, dir, &dir_wcc->pre);
	if (!strcmp(name, ".") || !strcmp(name, "..")) {
		ret = rmdir ? (!strcmp(name, ".") ? -EINVAL : -ENOTEMPTY) : -EISDIR;
		goto out_post;
	}
	de = mem_dir_get(dir, name);
	if (!de) {
		ret = strlen(name) > MEM_NAME_MAX ? -ENAMETOOLONG : -ENOENT;
		goto out_post;
	}
	obj = de->obj;
	ret = mem_permission(dir, &call->cred, MEM_MAY_WRITE | MEM_MAY_EXEC);
	if (ret)
		goto out_post;
	if (!mem_sticky_ok(dir, obj, &call->cred)) {
		ret = -EPERM;
		goto out_post;
	}
	if (rmdir && !S_ISDIR(obj->mode)) {
		ret = -ENOTDIR;
		goto out_post;
	}
	if (!rmdir && S_ISDIR(obj->mode)) {
		ret = -EISDIR;
		goto out_post;
	}
	if (rmdir && g_hash_table_size(obj->entries)) {
		ret = -ENOTEMPTY;
		goto out_post;
	}
	mem_dir_del(dir, name);
	mem_now(&dir->mtime);
	dir->ctime = dir->mtime;
	obj->ctime = dir->mtime;
	if (rmdir) {
		dir->nlink--;
		obj->nlink = 0;
	} else {
		obj->nlink--;
	}
	if (obj->nlink == 0)
		mem_obj_kill(priv, obj, forget);
out_post:
	if (dir_wcc)
		mem_iatt(xl, dir, &dir_wcc->post);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	mem_forget_send(xl, forget);
	return ret;
}

int mem_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       struct xl_wcc *dir_wcc)
{
	return mem_remove(xl, call, dir, name, false, dir_wcc);
}

int mem_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      struct xl_wcc *dir_wcc)
{
	return mem_remove(xl, call, dir, name, true, dir_wcc);
}

int mem_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
	     struct xl_inode *newdir, const char *newname, struct xl_iatt *attr,
	     struct xl_wcc *dir_wcc)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *dir, *obj;
	int ret;

	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	ret = mem_dir_of(xl, &call->cred, newdir, &dir);
	if (ret)
		goto out_unlock;
	if (dir_wcc)
		mem_iatt(xl, dir, &dir_wcc->pre);
	ret = mem_check_name(newname);
	if (ret)
		goto out_post;
	if (mem_dir_get(dir, newname)) {
		ret = -EEXIST;
		goto out_post;
	}
	ret = mem_permission(dir, &call->cred, MEM_MAY_WRITE | MEM_MAY_EXEC);
	if (ret)
		goto out_post;
	if (S_ISDIR(obj->mode)) {
		ret = -EPERM;
		goto out_post;
	}
	if (obj->nlink >= MEM_LINK_MAX) {
		ret = -EMLINK;
		goto out_post;
	}
	mem_dir_add(dir, newname, obj);
	obj->nlink++;
	mem_now(&dir->mtime);
	dir->ctime = dir->mtime;
	obj->ctime = dir->mtime;
	mem_iatt(xl, obj, attr);
out_post:
	if (dir_wcc)
		mem_iatt(xl, dir, &dir_wcc->post);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

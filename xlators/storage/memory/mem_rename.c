/*
 * mem_rename.c — storage/memory's rename, with rename(2)'s rules:
 *
 *   - the source must exist (ENOENT); both directories need write and
 *     search permission (EACCES), sticky directories protect the source
 *     and a replaced target (EPERM), and moving a directory to another
 *     parent needs write permission on it (its ".." changes);
 *   - a directory may replace only an empty directory (ENOTEMPTY,
 *     ENOTDIR), a non-directory only a non-directory (EISDIR);
 *   - a directory cannot move into its own subtree (EINVAL);
 *   - when both names are links to the same object nothing happens;
 *   - a replaced object loses a link (and is forgotten with its last).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "memory.h"

/* Is @dir @obj itself or below it? */
static bool mem_in_subtree(const struct mem_obj *dir, const struct mem_obj *obj)
{
	for (const struct mem_obj *d = dir;; d = d->parent) {
		if (d == obj)
			return true;
		if (d->parent == d)
			return false;
	}
}

/* The checks of rename(2), in the kernel's order (the two directories,
 * source and target found). */
static int mem_rename_check(const struct xl_cred *cred, struct mem_obj *od, struct mem_obj *obj,
			    struct mem_obj *nd, struct mem_obj *victim)
{
	int ret;

	ret = mem_permission(od, cred, MEM_MAY_WRITE | MEM_MAY_EXEC);
	if (!ret)
		ret = mem_permission(nd, cred, MEM_MAY_WRITE | MEM_MAY_EXEC);
	if (ret)
		return ret;
	if (!mem_sticky_ok(od, obj, cred) || (victim && !mem_sticky_ok(nd, victim, cred)))
		return -EPERM;
	if (S_ISDIR(obj->mode)) {
		if (victim && !S_ISDIR(victim->mode))
			return -ENOTDIR;
		if (mem_in_subtree(nd, obj))
			return -EINVAL;
		if (victim && g_hash_table_size(victim->entries))
			return -ENOTEMPTY;
		if (od != nd && mem_permission(obj, cred, MEM_MAY_WRITE))
			return -EACCES;
	} else if (victim && S_ISDIR(victim->mode)) {
		return -EISDIR;
	}
	return 0;
}

static int mem_check_newname(const char *name)
{
	if (strlen(name) > MEM_NAME_MAX)
		return -ENAMETOOLONG;
	if (!*name || strchr(name, '/'))
		return -EINVAL;
	if (!strcmp(name, ".") || !strcmp(name, ".."))
		return -EBUSY;
	return 0;
}

int mem_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir, const char *oldname,
	       struct xl_inode *newdir, const char *newname, struct xl_wcc *old_wcc,
	       struct xl_wcc *new_wcc)
{
	struct mem_priv *priv = xl->private;
	GArray *forget = g_array_new(FALSE, FALSE, sizeof(struct xl_id));
	struct mem_obj *od, *nd, *obj, *victim = NULL;
	struct mem_dirent *de;
	struct timespec now;
	int ret;

	pthread_mutex_lock(&priv->lock);
	od = mem_obj_of(xl, olddir);
	nd = mem_obj_of(xl, newdir);
	if (!od || !nd) {
		ret = -ESTALE;
		goto out_unlock;
	}
	if (!S_ISDIR(od->mode) || !S_ISDIR(nd->mode)) {
		ret = -ENOTDIR;
		goto out_unlock;
	}
	if (old_wcc)
		mem_iatt(xl, od, &old_wcc->pre);
	if (new_wcc)
		mem_iatt(xl, nd, &new_wcc->pre);
	ret = mem_permission(od, &call->cred, MEM_MAY_EXEC);
	if (!ret)
		ret = mem_permission(nd, &call->cred, MEM_MAY_EXEC);
	if (ret)
		goto out_post;
	if (!strcmp(oldname, ".") || !strcmp(oldname, "..")) {
		ret = -EBUSY;
		goto out_post;
	}
	de = mem_dir_get(od, oldname);
	if (!de) {
		ret = -ENOENT;
		goto out_post;
	}
	obj = de->obj;
	ret = mem_check_newname(newname);
	if (ret)
		goto out_post;
	de = mem_dir_get(nd, newname);
	if (de)
		victim = de->obj;
	if (victim == obj) {
		/* two links to one object (or the same name): rename(2) does
		 * nothing and succeeds */
		ret = 0;
		goto out_post;
	}
	ret = mem_rename_check(&call->cred, od, obj, nd, victim);
	if (ret)
		goto out_post;

	mem_now(&now);
	if (victim) {
		mem_dir_del(nd, newname);
		victim->ctime = now;
		if (S_ISDIR(victim->mode)) {
			victim->nlink = 0;
			nd->nlink--;
		} else {
			victim->nlink--;
		}
		if (victim->nlink == 0)
			mem_obj_kill(priv, victim, forget);
	}
	mem_dir_del(od, oldname);
	mem_dir_add(nd, newname, obj);
	if (S_ISDIR(obj->mode) && od != nd) {
		obj->parent = nd;
		od->nlink--;
		nd->nlink++;
	}
	obj->ctime = now;
	od->mtime = od->ctime = now;
	nd->mtime = nd->ctime = now;
out_post:
	if (old_wcc)
		mem_iatt(xl, od, &old_wcc->post);
	if (new_wcc)
		mem_iatt(xl, nd, &new_wcc->post);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	mem_forget_send(xl, forget);
	return ret;
}

/*
 * mem_attr.c — storage/memory's attribute fops: getattr, setattr (chmod,
 * chown, truncate, utimes as the kernel checks them), access (the NFS
 * ACCESS bits as knfsd grants them), readlink and statfs.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "memory.h"

int mem_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		struct xl_iatt *attr)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	int ret = 0;

	(void)call;
	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (obj)
		mem_iatt(xl, obj, attr);
	else
		ret = -ESTALE;
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

/* May @cred do what @sa asks to @obj? 0, -EPERM or -EACCES. */
static int mem_setattr_check(const struct xl_cred *cred, const struct mem_obj *obj,
			     const struct xl_setattr *sa, bool owner_override)
{
	bool root = mem_is_root(cred), owner = cred->uid == obj->uid;

	if ((sa->valid & XL_SET_MODE) && !root && !owner)
		return -EPERM;
	if ((sa->valid & XL_SET_UID) && sa->uid != obj->uid && !root)
		return -EPERM;
	if ((sa->valid & XL_SET_GID) && sa->gid != obj->gid && !root &&
	    (!owner || !mem_in_group(cred, sa->gid)))
		return -EPERM;
	if (sa->valid & XL_SET_SIZE) {
		if (S_ISDIR(obj->mode))
			return -EISDIR;
		if (!S_ISREG(obj->mode))
			return -EINVAL;
		if (sa->size > MEM_FILE_MAX)
			return -EFBIG;
		if (!(owner_override && owner) && mem_permission(obj, cred, MEM_MAY_WRITE))
			return -EACCES;
	}
	if ((sa->valid & (XL_SET_ATIME | XL_SET_MTIME)) && !root && !owner)
		return -EPERM;
	if ((sa->valid & (XL_SET_ATIME_NOW | XL_SET_MTIME_NOW)) && !root && !owner &&
	    mem_permission(obj, cred, MEM_MAY_WRITE))
		return -EACCES;
	return 0;
}

int mem_setattr_obj(struct xl *xl, const struct xl_cred *cred, struct mem_obj *obj,
		    const struct xl_setattr *sa, bool owner_override)
{
	struct timespec now;
	bool chown;
	int ret;

	ret = mem_setattr_check(cred, obj, sa, owner_override);
	if (ret)
		return ret;
	if (!(sa->valid & (XL_SET_MODE | XL_SET_UID | XL_SET_GID | XL_SET_SIZE | XL_SET_ATIME |
			   XL_SET_ATIME_NOW | XL_SET_MTIME | XL_SET_MTIME_NOW)))
		return 0;
	mem_now(&now);
	if (sa->valid & XL_SET_SIZE) {
		/* the only step that can fail: first */
		ret = mem_truncate(xl, obj, sa->size);
		if (ret)
			return ret;
		obj->mtime = now;
		if (!mem_is_root(cred))
			mem_kill_suid(obj);
	}
	if (sa->valid & XL_SET_MODE) {
		gid_t gid = (sa->valid & XL_SET_GID) ? sa->gid : obj->gid;

		obj->mode = (obj->mode & S_IFMT) | (sa->mode & 07777);
		/* chmod g+s by a non-member: the kernel drops the bit */
		if (!mem_is_root(cred) && !mem_in_group(cred, gid))
			obj->mode &= ~(mode_t)S_ISGID;
	}
	chown = ((sa->valid & XL_SET_UID) && sa->uid != obj->uid) ||
		((sa->valid & XL_SET_GID) && sa->gid != obj->gid);
	if (sa->valid & XL_SET_UID)
		obj->uid = sa->uid;
	if (sa->valid & XL_SET_GID)
		obj->gid = sa->gid;
	if (chown)
		mem_kill_suid(obj);
	if (sa->valid & XL_SET_ATIME)
		obj->atime = sa->atime;
	else if (sa->valid & XL_SET_ATIME_NOW)
		obj->atime = now;
	if (sa->valid & XL_SET_MTIME)
		obj->mtime = sa->mtime;
	else if (sa->valid & XL_SET_MTIME_NOW)
		obj->mtime = now;
	obj->ctime = now;
	return 0;
}

int mem_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		const struct xl_setattr *sa, struct xl_wcc *wcc)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	int ret;

	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	if (wcc)
		mem_iatt(xl, obj, &wcc->pre);
	ret = mem_setattr_obj(xl, &call->cred, obj, sa, true);
	if (wcc)
		mem_iatt(xl, obj, &wcc->post);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

/* knfsd's ACCESS maps: what each bit needs on a directory and on anything else. */
static uint32_t mem_granted(const struct mem_obj *obj, const struct xl_cred *cred,
			    uint32_t mask)
{
	bool dir = S_ISDIR(obj->mode);
	uint32_t granted = 0;

	if ((mask & XL_ACCESS_READ) && !mem_permission(obj, cred, MEM_MAY_READ))
		granted |= XL_ACCESS_READ;
	if (dir) {
		if ((mask & XL_ACCESS_LOOKUP) && !mem_permission(obj, cred, MEM_MAY_EXEC))
			granted |= XL_ACCESS_LOOKUP;
		if (!mem_permission(obj, cred, MEM_MAY_EXEC | MEM_MAY_WRITE))
			granted |= mask & (XL_ACCESS_MODIFY | XL_ACCESS_EXTEND | XL_ACCESS_DELETE);
	} else {
		if ((mask & XL_ACCESS_EXECUTE) && !mem_permission(obj, cred, MEM_MAY_EXEC))
			granted |= XL_ACCESS_EXECUTE;
		if (!mem_permission(obj, cred, MEM_MAY_WRITE))
			granted |= mask & (XL_ACCESS_MODIFY | XL_ACCESS_EXTEND);
	}
	return granted;
}

int mem_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint32_t mask,
	       uint32_t *granted, struct xl_iatt *attr)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	int ret = 0;

	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	*granted = mem_granted(obj, &call->cred, mask);
	mem_iatt(xl, obj, attr);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		 size_t size, struct xl_iatt *attr)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	int ret;

	(void)call;
	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	if (!S_ISLNK(obj->mode)) {
		ret = -EINVAL;
		goto out_unlock;
	}
	ret = (int)(obj->size < size ? obj->size : size);
	memcpy(buf, obj->target, (size_t)ret);
	mem_now(&obj->atime);
	mem_iatt(xl, obj, attr);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct statvfs *sv)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;
	uint64_t total, files;
	int ret = 0;

	(void)call;
	pthread_mutex_lock(&priv->lock);
	if (inode && !mem_obj_of(xl, inode)) {
		ret = -ESTALE;
		goto out_unlock;
	}
	memset(sv, 0, sizeof(*sv));
	total = conf->size;
	if (!total) {
		/* no limit: what is in use plus the machine's free memory */
		long pages = sysconf(_SC_AVPHYS_PAGES), page = sysconf(_SC_PAGESIZE);

		total = priv->used + (pages > 0 && page > 0 ? (uint64_t)pages * (uint64_t)page : 0);
	}
	files = conf->inodes ? (uint64_t)conf->inodes : priv->objects + UINT32_MAX;
	sv->f_bsize = conf->block_size;
	sv->f_frsize = conf->block_size;
	sv->f_blocks = total / conf->block_size;
	sv->f_bfree = total > priv->used ? (total - priv->used) / conf->block_size : 0;
	sv->f_bavail = sv->f_bfree;
	sv->f_files = files;
	sv->f_ffree = files > priv->objects ? files - priv->objects : 0;
	sv->f_favail = sv->f_ffree;
	sv->f_fsid = (unsigned long)priv->fsid;
	sv->f_namemax = MEM_NAME_MAX;
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

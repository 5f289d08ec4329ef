/*
 * mem_xattr.c — storage/memory's extended attributes (with the atomic add
 * and compare-and-set the cluster and quota translators need) and
 * byte-range locks (the framework's xl_lk_table, one per object).
 *
 * Namespaces as Linux has them: "user." on regular files and directories
 * with the object's read/write permission; "trusted." for root only
 * (others see none: ENODATA, EPERM to set); "security." readable by all,
 * set by root; "system." (POSIX ACLs) and anything else: EOPNOTSUPP.
 * Values count against the size limit; a change sets ctime.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "memory.h"

enum mem_ns { MEM_NS_USER, MEM_NS_TRUSTED, MEM_NS_SECURITY };

static int mem_xattr_ns(const char *name, enum mem_ns *ns)
{
	size_t len = strlen(name);

	if (len > MEM_XATTR_NAME_MAX)
		return -ERANGE;
	if (!strncmp(name, "user.", 5) && len > 5)
		*ns = MEM_NS_USER;
	else if (!strncmp(name, "trusted.", 8) && len > 8)
		*ns = MEM_NS_TRUSTED;
	else if (!strncmp(name, "security.", 9) && len > 9)
		*ns = MEM_NS_SECURITY;
	else
		return -EOPNOTSUPP;
	return 0;
}

/* Xattr @name of the object behind @inode, checked for @cred reading
 * (@write false) or changing it. 0 with *out, or -errno. Lock held. */
static int mem_xattr_obj(struct xl *xl, const struct xl_cred *cred, struct xl_inode *inode,
			 const char *name, bool write, struct mem_obj **out)
{
	struct mem_obj *obj = mem_obj_of(xl, inode);
	enum mem_ns ns;
	int ret;

	if (!obj)
		return -ESTALE;
	ret = mem_xattr_ns(name, &ns);
	if (ret)
		return ret;
	switch (ns) {
	case MEM_NS_USER:
		if (!S_ISREG(obj->mode) && !S_ISDIR(obj->mode))
			return write ? -EPERM : -ENODATA;
		ret = mem_permission(obj, cred, write ? MEM_MAY_WRITE : MEM_MAY_READ);
		break;
	case MEM_NS_TRUSTED:
		if (!mem_is_root(cred))
			ret = write ? -EPERM : -ENODATA;
		break;
	case MEM_NS_SECURITY:
		if (write && !mem_is_root(cred))
			ret = -EPERM;
		break;
	}
	*out = obj;
	return ret;
}

void mem_xattr_free(struct mem_priv *priv, struct mem_obj *obj)
{
	GHashTableIter it;
	gpointer key, value;

	if (!obj->xattrs)
		return;
	g_hash_table_iter_init(&it, obj->xattrs);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		uint64_t cost = strlen(key) + g_bytes_get_size(value);

		priv->used -= cost < priv->used ? cost : priv->used;
	}
	g_hash_table_destroy(obj->xattrs);
	obj->xattrs = NULL;
}

static GBytes *mem_xattr_get(const struct mem_obj *obj, const char *name)
{
	return obj->xattrs ? g_hash_table_lookup(obj->xattrs, name) : NULL;
}

/* Set (@value non-NULL) or remove @name, charging the difference. */
static int mem_xattr_put(struct xl *xl, struct mem_obj *obj, const char *name, const void *value,
			 size_t size)
{
	GBytes *old = mem_xattr_get(obj, name);
	uint64_t old_cost = old ? strlen(name) + g_bytes_get_size(old) : 0;
	int ret;

	if (value) {
		if (size > MEM_XATTR_SIZE_MAX)
			return -E2BIG;
		if (strlen(name) + size > old_cost) {
			ret = mem_charge(xl, strlen(name) + size - old_cost);
			if (ret)
				return ret;
		} else {
			mem_uncharge(xl, old_cost - strlen(name) - size);
		}
		if (!obj->xattrs)
			obj->xattrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							    (GDestroyNotify)g_bytes_unref);
		g_hash_table_replace(obj->xattrs, g_strdup(name), g_bytes_new(value, size));
	} else {
		if (!old)
			return -ENODATA;
		mem_uncharge(xl, old_cost);
		g_hash_table_remove(obj->xattrs, name);
	}
	mem_now(&obj->ctime);
	return 0;
}

int mem_getxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		 void *value, size_t size)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	GBytes *v;
	size_t len;
	int ret;

	pthread_mutex_lock(&priv->lock);
	ret = mem_xattr_obj(xl, &call->cred, inode, name, false, &obj);
	if (ret)
		goto out_unlock;
	v = mem_xattr_get(obj, name);
	if (!v) {
		ret = -ENODATA;
		goto out_unlock;
	}
	len = g_bytes_get_size(v);
	if (size && size < len) {
		ret = -ERANGE;
		goto out_unlock;
	}
	if (size)
		memcpy(value, g_bytes_get_data(v, NULL), len);
	ret = (int)len;
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_setxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		 const void *value, size_t size, int flags)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	bool present;
	int ret;

	pthread_mutex_lock(&priv->lock);
	ret = mem_xattr_obj(xl, &call->cred, inode, name, true, &obj);
	if (ret)
		goto out_unlock;
	present = mem_xattr_get(obj, name) != NULL;
	if ((flags & XL_XATTR_CREATE) && present) {
		ret = -EEXIST;
		goto out_unlock;
	}
	if ((flags & XL_XATTR_REPLACE) && !present) {
		ret = -ENODATA;
		goto out_unlock;
	}
	ret = mem_xattr_put(xl, obj, name, value ? value : "", value ? size : 0);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_removexattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	int ret;

	pthread_mutex_lock(&priv->lock);
	ret = mem_xattr_obj(xl, &call->cred, inode, name, true, &obj);
	if (!ret)
		ret = mem_xattr_put(xl, obj, name, NULL, 0);
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_listxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *list,
		  size_t size)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	GHashTableIter it;
	gpointer key, value;
	size_t need = 0;
	int ret = 0;

	pthread_mutex_lock(&priv->lock);
	obj = mem_obj_of(xl, inode);
	if (!obj) {
		ret = -ESTALE;
		goto out_unlock;
	}
	if (!obj->xattrs)
		goto out_unlock;
	g_hash_table_iter_init(&it, obj->xattrs);
	while (g_hash_table_iter_next(&it, &key, &value)) {
		size_t len = strlen(key) + 1;

		if (!strncmp(key, "trusted.", 8) && !mem_is_root(&call->cred))
			continue;
		if (size && need + len > size) {
			ret = -ERANGE;
			goto out_unlock;
		}
		if (size)
			memcpy(list + need, key, len);
		need += len;
	}
	ret = (int)need;
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_xattr_add(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		  const int64_t *delta, size_t n, int64_t *result)
{
	struct mem_priv *priv = xl->private;
	uint8_t buf[8 * 64];
	struct mem_obj *obj;
	GBytes *old;
	int ret;

	if (n == 0 || n > 64)
		return -EINVAL;
	pthread_mutex_lock(&priv->lock);
	ret = mem_xattr_obj(xl, &call->cred, inode, name, true, &obj);
	if (ret)
		goto out_unlock;
	memset(buf, 0, n * 8);
	old = mem_xattr_get(obj, name);
	if (old) {
		if (g_bytes_get_size(old) != n * 8) {
			ret = -EINVAL;
			goto out_unlock;
		}
		memcpy(buf, g_bytes_get_data(old, NULL), n * 8);
	}
	for (size_t i = 0; i < n; i++) {
		uint64_t v = 0;

		for (int b = 0; b < 8; b++)
			v = v << 8 | buf[i * 8 + b];
		v += (uint64_t)delta[i];
		if (result)
			result[i] = (int64_t)v;
		for (int b = 7; b >= 0; b--) {
			buf[i * 8 + b] = (uint8_t)v;
			v >>= 8;
		}
	}
	ret = mem_xattr_put(xl, obj, name, buf, n * 8);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_xattr_cas(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		  const void *expect, size_t expect_len, const void *value, size_t value_len)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	GBytes *old;
	int ret;

	pthread_mutex_lock(&priv->lock);
	ret = mem_xattr_obj(xl, &call->cred, inode, name, true, &obj);
	if (ret)
		goto out_unlock;
	old = mem_xattr_get(obj, name);
	if (expect ? !old || g_bytes_get_size(old) != expect_len ||
			     memcmp(g_bytes_get_data(old, NULL), expect, expect_len)
		   : old != NULL) {
		ret = -EAGAIN;
		goto out_unlock;
	}
	ret = mem_xattr_put(xl, obj, name, value ? value : "", value ? value_len : 0);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

int mem_lk(struct xl *xl, struct xl_call *call, struct xl_inode *inode, enum xl_lk_cmd cmd,
	   struct xl_lock *lock)
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
	if (!obj->locks) {
		obj->locks = xl_lk_table_new();
		if (!obj->locks) {
			ret = -ENOMEM;
			goto out_unlock;
		}
	}
	ret = xl_lk_table_apply(obj->locks, cmd, lock);
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

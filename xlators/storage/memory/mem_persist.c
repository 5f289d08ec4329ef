/*
 * mem_persist.c — storage/memory across restarts, for tests that restart
 * the server under a mounted client and for scratch exports seeded from a
 * directory:
 *
 *   option snapshot FILE   the whole store (objects with their ids, data,
 *                          entries with their cookies, xattrs) is written
 *                          to FILE at shutdown (FILE.tmp, then renamed) and
 *                          read back at start, so file handles and readdir
 *                          cookies stay valid;
 *   option import DIR      at start, DIR's tree (files with their data,
 *                          directories, symlinks, devices, fifos; modes,
 *                          owners and times) is copied in: names the store
 *                          has are kept, and a path imported once is not
 *                          imported again (the snapshot remembers which), so
 *                          what a client removed does not come back.
 *
 * The snapshot is this machine's binary layout (native byte order and
 * sizes), tagged with a magic, a version and the block size; a file that
 * does not match is refused (init fails) rather than guessed at.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "memory.h"

#define MEM_SNAP_MAGIC "XLNFSMEM"
#define MEM_SNAP_VERSION 1

/* ------------------------------------------------------------ writing */

static bool mem_w(FILE *f, const void *p, size_t n)
{
	return fwrite(p, 1, n, f) == n;
}

static bool mem_w64(FILE *f, uint64_t v)
{
	return mem_w(f, &v, sizeof(v));
}

static bool mem_wstr(FILE *f, const void *p, size_t n)
{
	return mem_w64(f, n) && mem_w(f, p, n);
}

static bool mem_save_obj(FILE *f, const struct mem_obj *o)
{
	GHashTableIter it;
	gpointer k, v;
	bool ok;

	ok = mem_w(f, &o->id, sizeof(o->id)) && mem_w64(f, o->ino) && mem_w64(f, o->mode) &&
	     mem_w64(f, o->nlink) && mem_w64(f, o->uid) && mem_w64(f, o->gid) &&
	     mem_w64(f, o->rdev) && mem_w(f, &o->atime, sizeof(o->atime)) &&
	     mem_w(f, &o->mtime, sizeof(o->mtime)) && mem_w(f, &o->ctime, sizeof(o->ctime)) &&
	     mem_w64(f, o->size);
	if (ok && o->blocks) {
		ok = mem_w64(f, g_hash_table_size(o->blocks));
		g_hash_table_iter_init(&it, o->blocks);
		while (ok && g_hash_table_iter_next(&it, &k, &v)) {
			const struct xl_iobuf *iob = v;

			ok = mem_w64(f, (uint64_t)(uintptr_t)k) && mem_w(f, iob->data, iob->size);
		}
	}
	if (ok && S_ISLNK(o->mode))
		ok = mem_wstr(f, o->target, o->size);
	if (ok)
		ok = mem_w64(f, o->xattrs ? g_hash_table_size(o->xattrs) : 0);
	if (ok && o->xattrs) {
		g_hash_table_iter_init(&it, o->xattrs);
		while (ok && g_hash_table_iter_next(&it, &k, &v)) {
			gsize len;
			const void *data = g_bytes_get_data(v, &len);

			ok = mem_wstr(f, k, strlen(k)) && mem_wstr(f, data ? data : "", len);
		}
	}
	return ok;
}

static bool mem_save_dir(FILE *f, const struct mem_obj *d)
{
	bool ok = mem_w(f, &d->id, sizeof(d->id)) && mem_w(f, &d->parent->id, sizeof(d->id)) &&
		  mem_w64(f, d->next_cookie) && mem_w64(f, g_hash_table_size(d->entries));

	for (GTreeNode *n = g_tree_node_first(d->by_cookie); ok && n; n = g_tree_node_next(n)) {
		const struct mem_dirent *de = g_tree_node_value(n);

		ok = mem_w64(f, de->cookie) && mem_w(f, &de->obj->id, sizeof(de->obj->id)) &&
		     mem_wstr(f, de->name, strlen(de->name));
	}
	return ok;
}

int mem_snapshot_save(struct xl *xl)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;
	char *tmp = g_strdup_printf("%s.tmp", conf->snapshot);
	GHashTableIter it;
	gpointer k, v;
	uint64_t ndirs = 0;
	FILE *f;
	bool ok;
	int ret = 0;

	f = fopen(tmp, "we");
	if (!f) {
		ret = -errno;
		goto out_log;
	}
	ok = mem_w(f, MEM_SNAP_MAGIC, 8) && mem_w64(f, MEM_SNAP_VERSION) &&
	     mem_w64(f, conf->block_size) && mem_w64(f, priv->next_ino) &&
	     mem_w64(f, g_hash_table_size(priv->by_id));
	g_hash_table_iter_init(&it, priv->by_id);
	while (ok && g_hash_table_iter_next(&it, &k, &v)) {
		ok = mem_save_obj(f, v);
		ndirs += ((struct mem_obj *)v)->entries != NULL;
	}
	ok = ok && mem_w64(f, ndirs);
	g_hash_table_iter_init(&it, priv->by_id);
	while (ok && g_hash_table_iter_next(&it, &k, &v))
		if (((struct mem_obj *)v)->entries)
			ok = mem_save_dir(f, v);
	ok = ok && mem_w64(f, g_hash_table_size(priv->imported));
	g_hash_table_iter_init(&it, priv->imported);
	while (ok && g_hash_table_iter_next(&it, &k, &v))
		ok = mem_wstr(f, k, strlen(k));
	if (!ok)
		ret = ferror(f) ? -EIO : -ENOSPC;
	if (fclose(f) && !ret)
		ret = -errno;
	if (!ret && rename(tmp, conf->snapshot) < 0)
		ret = -errno;
	if (ret)
		unlink(tmp);
out_log:
	if (ret)
		xl_log(xl, XL_LOG_ERROR, "snapshot %s not written: %s", conf->snapshot,
		       strerror(-ret));
	else
		xl_log(xl, XL_LOG_INFO, "snapshot %s written: %u objects", conf->snapshot,
		       g_hash_table_size(priv->by_id));
	g_free(tmp);
	return ret;
}

/* ------------------------------------------------------------ reading */

static bool mem_r(FILE *f, void *p, size_t n)
{
	return fread(p, 1, n, f) == n;
}

static bool mem_r64(FILE *f, uint64_t *v)
{
	return mem_r(f, v, sizeof(*v));
}

/* A string of at most @max bytes, NUL-terminated (g_free it). */
static char *mem_rstr(FILE *f, uint64_t max, uint64_t *len)
{
	char *s;

	if (!mem_r64(f, len) || *len > max)
		return NULL;
	s = g_malloc(*len + 1);
	if (!mem_r(f, s, *len)) {
		g_free(s);
		return NULL;
	}
	s[*len] = '\0';
	return s;
}

static int mem_load_obj(struct xl *xl, FILE *f)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;
	uint64_t mode, nlink, uid, gid, rdev, n, len;
	struct mem_obj *o;
	struct xl_id id;

	if (!mem_r(f, &id, sizeof(id)))
		return -EINVAL;
	o = mem_obj_alloc(priv, &id, 0);
	if (!mem_r64(f, &o->ino) || !mem_r64(f, &mode) || !mem_r64(f, &nlink) ||
	    !mem_r64(f, &uid) || !mem_r64(f, &gid) || !mem_r64(f, &rdev) ||
	    !mem_r(f, &o->atime, sizeof(o->atime)) || !mem_r(f, &o->mtime, sizeof(o->mtime)) ||
	    !mem_r(f, &o->ctime, sizeof(o->ctime)) || !mem_r64(f, &o->size))
		return -EINVAL;
	mem_obj_set_type(o, (mode_t)mode);
	o->nlink = (uint32_t)nlink;
	o->uid = (uid_t)uid;
	o->gid = (gid_t)gid;
	o->rdev = (dev_t)rdev;
	if (o->blocks) {
		if (!mem_r64(f, &n))
			return -EINVAL;
		for (uint64_t i = 0; i < n; i++) {
			struct xl_iobuf *iob = xl_iobuf_new(conf->block_size);
			uint64_t no;

			if (!iob)
				return -ENOMEM;
			if (!mem_r64(f, &no) || !mem_r(f, iob->data, conf->block_size)) {
				xl_iobuf_unref(iob);
				return -EINVAL;
			}
			g_hash_table_insert(o->blocks, (gpointer)(uintptr_t)no, iob);
			priv->blocks++;
			priv->used += conf->block_size;
		}
	}
	if (S_ISLNK(o->mode)) {
		o->target = mem_rstr(f, MEM_SYMLINK_MAX, &len);
		if (!o->target)
			return -EINVAL;
		priv->used += len;
	}
	if (!mem_r64(f, &n))
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++) {
		uint64_t klen, vlen;
		char *k = mem_rstr(f, MEM_XATTR_NAME_MAX, &klen);
		char *v = k ? mem_rstr(f, MEM_XATTR_SIZE_MAX, &vlen) : NULL;

		if (!v) {
			g_free(k);
			return -EINVAL;
		}
		if (!o->xattrs)
			o->xattrs = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
							  (GDestroyNotify)g_bytes_unref);
		g_hash_table_replace(o->xattrs, k, g_bytes_new_take(v, vlen));
		priv->used += klen + vlen;
	}
	return 0;
}

static int mem_load_dir(struct mem_priv *priv, FILE *f)
{
	struct xl_id id, pid, cid;
	struct mem_obj *d, *child;
	uint64_t n, cookie, len;

	if (!mem_r(f, &id, sizeof(id)) || !mem_r(f, &pid, sizeof(pid)))
		return -EINVAL;
	d = mem_obj_find(priv, &id);
	if (!d || !d->entries || !(d->parent = mem_obj_find(priv, &pid)))
		return -EINVAL;
	if (!mem_r64(f, &d->next_cookie) || !mem_r64(f, &n))
		return -EINVAL;
	for (uint64_t i = 0; i < n; i++) {
		char *name;

		if (!mem_r64(f, &cookie) || !mem_r(f, &cid, sizeof(cid)))
			return -EINVAL;
		name = mem_rstr(f, MEM_NAME_MAX, &len);
		child = mem_obj_find(priv, &cid);
		if (!name || !child || cookie >= d->next_cookie) {
			g_free(name);
			return -EINVAL;
		}
		mem_dir_add_at(d, name, child, cookie);
		g_free(name);
	}
	return 0;
}

int mem_snapshot_load(struct xl *xl)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;
	char magic[8];
	uint64_t version, bs, n, len;
	FILE *f;
	int ret = -EINVAL;

	f = fopen(conf->snapshot, "re");
	if (!f)
		return errno == ENOENT ? 0 : -errno;
	if (!mem_r(f, magic, 8) || memcmp(magic, MEM_SNAP_MAGIC, 8) || !mem_r64(f, &version) ||
	    version != MEM_SNAP_VERSION || !mem_r64(f, &bs) || bs != conf->block_size ||
	    !mem_r64(f, &priv->next_ino) || !mem_r64(f, &n))
		goto out_close;
	for (uint64_t i = 0; i < n; i++) {
		ret = mem_load_obj(xl, f);
		if (ret)
			goto out_close;
	}
	ret = -EINVAL;
	if (!mem_r64(f, &n))
		goto out_close;
	for (uint64_t i = 0; i < n; i++) {
		ret = mem_load_dir(priv, f);
		if (ret)
			goto out_close;
	}
	ret = -EINVAL;
	if (!mem_r64(f, &n))
		goto out_close;
	for (uint64_t i = 0; i < n; i++) {
		char *path = mem_rstr(f, 1 << 16, &len);

		if (!path)
			goto out_close;
		g_hash_table_add(priv->imported, path);
	}
	priv->root = mem_obj_find(priv, &XL_ID_ROOT);
	ret = priv->root && priv->root->entries ? 1 : -EINVAL;
out_close:
	fclose(f);
	if (ret < 0)
		xl_log(xl, XL_LOG_ERROR, "snapshot %s: not a storage/memory snapshot of this version "
		       "and block size, or damaged", conf->snapshot);
	else
		xl_log(xl, XL_LOG_INFO, "snapshot %s read: %llu objects", conf->snapshot,
		       (unsigned long long)priv->objects);
	return ret;
}

/* ------------------------------------------------------------ import */

/* The data of the regular file @path into @o. */
static int mem_import_data(struct xl *xl, struct mem_obj *o, const char *path)
{
	char buf[65536];
	uint64_t off = 0;
	ssize_t n;
	int fd, ret = 0;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0)
		return -errno;
	while ((n = read(fd, buf, sizeof(buf))) > 0) {
		ret = mem_data_put(xl, o, off, buf, (size_t)n);
		if (ret)
			break;
		off += (uint64_t)n;
	}
	if (n < 0)
		ret = -errno;
	close(fd);
	return ret;
}

static void mem_import_attrs(struct mem_obj *o, const struct stat *st)
{
	o->mode = st->st_mode;
	o->uid = st->st_uid;
	o->gid = st->st_gid;
	o->atime = st->st_atim;
	o->mtime = st->st_mtim;
	o->ctime = st->st_ctim;
}

/* Import the entries of disk directory @path (store path @rel) into @dir. */
static int mem_import_dir(struct xl *xl, struct mem_obj *dir, const char *path, const char *rel)
{
	struct mem_priv *priv = xl->private;
	struct xl_call owner = {0};
	struct dirent *e;
	DIR *d;
	int ret = 0;

	d = opendir(path);
	if (!d)
		return -errno;
	while (!ret && (e = readdir(d))) {
		char *sub, *subrel;
		struct mem_dirent *de;
		struct mem_obj *o;
		struct stat st;

		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, ".."))
			continue;
		sub = g_build_filename(path, e->d_name, NULL);
		subrel = g_strdup_printf("%s/%s", rel, e->d_name);
		de = mem_dir_get(dir, e->d_name);
		if (lstat(sub, &st) < 0) {
			ret = -errno;
		} else if (de) {
			/* kept: the store's own; look inside directories */
			if (S_ISDIR(de->obj->mode) && S_ISDIR(st.st_mode))
				ret = mem_import_dir(xl, de->obj, sub, subrel);
		} else if (!g_hash_table_contains(priv->imported, subrel) &&
			   strlen(e->d_name) <= MEM_NAME_MAX) {
			ret = mem_obj_new(xl, &owner, st.st_mode & S_IFMT, NULL, &o);
			if (!ret) {
				mem_import_attrs(o, &st);
				o->rdev = (S_ISCHR(st.st_mode) || S_ISBLK(st.st_mode)) ? st.st_rdev : 0;
				mem_dir_add(dir, e->d_name, o);
				o->nlink = S_ISDIR(st.st_mode) ? 2 : 1;
				if (S_ISDIR(st.st_mode)) {
					o->parent = dir;
					dir->nlink++;
				}
				g_hash_table_add(priv->imported, g_strdup(subrel));
				if (S_ISREG(st.st_mode)) {
					ret = mem_import_data(xl, o, sub);
					o->mtime = st.st_mtim;
				} else if (S_ISLNK(st.st_mode)) {
					char target[MEM_SYMLINK_MAX + 1];
					ssize_t n = readlink(sub, target, sizeof(target) - 1);

					if (n > 0 && !(ret = mem_charge(xl, (uint64_t)n))) {
						o->target = g_strndup(target, (size_t)n);
						o->size = (uint64_t)n;
					}
				} else if (S_ISDIR(st.st_mode)) {
					ret = mem_import_dir(xl, o, sub, subrel);
				}
			}
		}
		g_free(sub);
		g_free(subrel);
	}
	closedir(d);
	return ret;
}

int mem_import(struct xl *xl, bool fresh)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;
	struct stat st;
	int ret;

	if (stat(conf->import, &st) < 0 || !S_ISDIR(st.st_mode)) {
		ret = errno ? -errno : -ENOTDIR;
		xl_log(xl, XL_LOG_ERROR, "import %s: %s", conf->import, strerror(-ret));
		return ret;
	}
	if (fresh) {
		mem_import_attrs(priv->root, &st);
		priv->root->mode = S_IFDIR | (st.st_mode & 07777);
	}
	ret = mem_import_dir(xl, priv->root, conf->import, "");
	if (ret)
		xl_log(xl, XL_LOG_ERROR, "import %s: %s", conf->import, strerror(-ret));
	return ret;
}

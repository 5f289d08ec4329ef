/*
 * memory.c — storage/memory: the module descriptor, its options, the
 * store's life (init/fini/dump) and its objects (make, find, kill, free).
 *
 *     volume brick
 *         type storage/memory
 *         option size 1GB        # writes and creates beyond: ENOSPC
 *         option inodes 100000   # objects beyond: ENOSPC
 *     end-volume
 *
 * An in-RAM store with POSIX semantics, for tests (the actor harness puts
 * debug/error-gen over it) and for scratch exports. Nothing survives a
 * restart unless "option snapshot" keeps it in a file (mem_persist.c,
 * which also imports a directory's tree). The object model and the lock
 * are described in memory.h; the fops are in mem_attr.c, mem_io.c,
 * mem_entry.c, mem_rename.c, mem_dir.c and mem_xattr.c, permissions in
 * mem_perm.c.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "memory.h"

static const struct xl_option mem_options[] = {
	{ .key = "size", .type = XL_OPT_SIZE, .def = "0",
	  .offset = offsetof(struct mem_conf, size),
	  .desc = "the store's size limit (data blocks, symlink targets, xattrs and 256 bytes per "
		  "object); writes and creates beyond it fail with ENOSPC; 0: no limit" },
	{ .key = "inodes", .type = XL_OPT_INT, .def = "0", .min = 0, .max = INT64_MAX,
	  .offset = offsetof(struct mem_conf, inodes),
	  .desc = "the most objects (files, directories, ...) the store holds, the root included; "
		  "creates beyond fail with ENOSPC; 0: no limit" },
	{ .key = "block-size", .type = XL_OPT_SIZE, .def = "64K", .min = 4096, .max = 16 << 20,
	  .offset = offsetof(struct mem_conf, block_size),
	  .desc = "file data is kept in blocks of this size (a power of two); a READ within one "
		  "block is sent from it without a copy" },
	{ .key = "snapshot", .type = XL_OPT_PATH,
	  .offset = offsetof(struct mem_conf, snapshot),
	  .desc = "keep the store across restarts in this file: written at shutdown, read at "
		  "start (file handles stay valid)" },
	{ .key = "import", .type = XL_OPT_PATH,
	  .offset = offsetof(struct mem_conf, import),
	  .desc = "copy this directory's tree into the store at start (names the store has are "
		  "kept; a path imported once is not imported again)" },
	{ .key = "fsid", .type = XL_OPT_INT, .def = "0", .min = 0, .max = INT64_MAX,
	  .offset = offsetof(struct mem_conf, fsid),
	  .desc = "the filesystem id reported in attributes and statfs; 0: derived from the "
		  "volume name" },
	{ NULL }
};

/* ------------------------------------------------------------ id index */

static guint mem_id_hash(gconstpointer key)
{
	const struct xl_id *id = key;
	guint h;

	/* ids are random (v4 UUIDs) but the root's is mostly zeros */
	memcpy(&h, id->bytes + 12, sizeof(h));
	return h ^ (guint)id->bytes[0] ^ ((guint)id->bytes[5] << 8);
}

static gboolean mem_id_eq(gconstpointer a, gconstpointer b)
{
	return xl_id_equal(a, b);
}

struct mem_obj *mem_obj_find(struct mem_priv *priv, const struct xl_id *id)
{
	return g_hash_table_lookup(priv->by_id, id);
}

/* ------------------------------------------------------------ objects */

void mem_now(struct timespec *ts)
{
	/* The kernel stamps inodes with its coarse clock (a tick, a few ms):
	 * so do we. Changes within one tick share an mtime, as on a local
	 * filesystem. (Nothing depends on it for READDIR: the NFS layer's
	 * cookie verifier is the directory's identity, not its mtime.) */
	clock_gettime(CLOCK_REALTIME_COARSE, ts);
}

int mem_charge(struct xl *xl, uint64_t bytes)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;

	if (conf->size && (priv->used + bytes > conf->size || priv->used + bytes < priv->used))
		return -ENOSPC;
	priv->used += bytes;
	return 0;
}

void mem_uncharge(struct xl *xl, uint64_t bytes)
{
	struct mem_priv *priv = xl->private;

	priv->used = bytes > priv->used ? 0 : priv->used - bytes;
}

struct mem_obj *mem_obj_alloc(struct mem_priv *priv, const struct xl_id *id, mode_t mode)
{
	struct mem_obj *obj = g_new0(struct mem_obj, 1);

	obj->store = priv;
	obj->id = *id;
	mem_obj_set_type(obj, mode);
	g_hash_table_insert(priv->by_id, &obj->id, obj);
	priv->objects++;
	priv->allocated++;
	priv->used += MEM_OBJ_COST;
	return obj;
}

void mem_obj_set_type(struct mem_obj *obj, mode_t mode)
{
	obj->mode = mode;
	if (S_ISREG(mode) && !obj->blocks) {
		obj->blocks = g_hash_table_new(g_direct_hash, g_direct_equal);
	} else if (S_ISDIR(mode) && !obj->entries) {
		obj->entries = g_hash_table_new(g_str_hash, g_str_equal);
		obj->by_cookie = g_tree_new((GCompareFunc)mem_cookie_cmp);
		obj->next_cookie = MEM_COOKIE_FIRST;
	}
}

int mem_obj_new(struct xl *xl, struct xl_call *call, mode_t mode, const struct xl_id *id,
		struct mem_obj **out)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;
	struct xl_id gen;
	int ret;

	if (conf->inodes && priv->objects >= (uint64_t)conf->inodes)
		return -ENOSPC;
	if (!id) {
		xl_id_generate(&gen);
		id = &gen;
	}
	if (xl_id_is_null(id) || mem_obj_find(priv, id))
		return -EEXIST;
	ret = mem_charge(xl, MEM_OBJ_COST);
	if (ret)
		return ret;
	mem_uncharge(xl, MEM_OBJ_COST); /* mem_obj_alloc charges it */
	obj = mem_obj_alloc(priv, id, mode);
	obj->ino = priv->next_ino++;
	obj->uid = call->cred.uid;
	obj->gid = call->cred.gid;
	mem_now(&obj->ctime);
	obj->atime = obj->mtime = obj->ctime;
	*out = obj;
	return 0;
}

/* Free @obj's memory (it is dead and unreferenced). */
static void mem_obj_free(struct mem_priv *priv, struct mem_obj *obj)
{
	if (obj->blocks)
		mem_data_free(priv, obj);
	if (obj->entries)
		mem_dir_free(obj);
	mem_xattr_free(priv, obj);
	if (obj->locks)
		xl_lk_table_free(obj->locks);
	g_free(obj->target);
	g_free(obj);
	priv->allocated--;
}

static void mem_priv_free(struct mem_priv *priv)
{
	g_hash_table_destroy(priv->by_id);
	g_hash_table_destroy(priv->imported);
	xl_iobuf_unref(priv->zeros);
	pthread_mutex_destroy(&priv->lock);
	g_free(priv);
}

void mem_obj_kill(struct mem_priv *priv, struct mem_obj *obj, GArray *forget)
{
	if (obj->dead)
		return;
	obj->dead = true;
	g_hash_table_remove(priv->by_id, &obj->id);
	priv->objects--;
	priv->used -= MEM_OBJ_COST < priv->used ? MEM_OBJ_COST : priv->used;
	/* the data goes now (a removed file cannot be read), not with the
	 * last context: the space is free at once, as a client expects */
	if (obj->blocks)
		mem_data_free(priv, obj);
	if (obj->target) {
		priv->used -= obj->size < priv->used ? obj->size : priv->used;
		g_free(obj->target);
		obj->target = NULL;
	}
	mem_xattr_free(priv, obj);
	if (forget)
		g_array_append_val(forget, obj->id);
	if (obj->refs == 0)
		mem_obj_free(priv, obj);
}

bool mem_obj_put(struct mem_priv *priv, struct mem_obj *obj)
{
	if (--obj->refs > 0 || !obj->dead)
		return false;
	mem_obj_free(priv, obj);
	return priv->closing && priv->allocated == 0;
}

void mem_obj_attach(struct xl *xl, struct xl_inode *inode, struct mem_obj *obj)
{
	void *in_place;

	obj->refs++;
	in_place = xl_inode_ctx_set_if_unset(inode, xl, obj);
	if (in_place != obj)
		obj->refs--; /* it already points at an object (the same id) */
}

struct mem_obj *mem_obj_of(struct xl *xl, struct xl_inode *inode)
{
	struct mem_priv *priv = xl->private;
	struct mem_obj *obj;

	if (!inode)
		return priv->root;
	obj = xl_inode_ctx_get(inode, xl);
	if (!obj) {
		/* an inode some other volume made for this id */
		obj = mem_obj_find(priv, xl_inode_id(inode));
		if (!obj)
			return NULL;
		mem_obj_attach(xl, inode, obj);
		obj = xl_inode_ctx_get(inode, xl);
	}
	return obj && !obj->dead ? obj : NULL;
}

void mem_forget_send(struct xl *xl, GArray *forget)
{
	for (guint i = 0; i < forget->len; i++) {
		struct xl_event ev = {.type = XL_EV_FORGET};

		ev.id = g_array_index(forget, struct xl_id, i);
		xl_notify_parents(xl, &ev);
	}
	g_array_free(forget, TRUE);
}

void mem_iatt(struct xl *xl, const struct mem_obj *obj, struct xl_iatt *ia)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;

	if (!ia)
		return;
	memset(ia, 0, sizeof(*ia));
	ia->valid = XL_IATT_ALL;
	ia->id = obj->id;
	ia->mode = obj->mode;
	ia->nlink = obj->nlink;
	ia->uid = obj->uid;
	ia->gid = obj->gid;
	if (S_ISDIR(obj->mode))
		ia->size = 20 * ((uint64_t)g_hash_table_size(obj->entries) + 2);
	else
		ia->size = obj->size;
	if (obj->blocks)
		ia->used = (uint64_t)g_hash_table_size(obj->blocks) * conf->block_size;
	ia->rdev = obj->rdev;
	ia->fsid = priv->fsid;
	ia->ino = obj->ino;
	ia->atime = obj->atime;
	ia->mtime = obj->mtime;
	ia->ctime = obj->ctime;
}

/* ------------------------------------------------------------ the module */

static void mem_fini_objects(struct mem_priv *priv);

static int mem_validate(struct xl *xl)
{
	struct mem_conf *conf = xl->conf;

	if (xl->nchildren) {
		xl_log(xl, XL_LOG_ERROR, "storage/memory is a leaf: it takes no subvolumes");
		return -EINVAL;
	}
	if (conf->block_size & (conf->block_size - 1)) {
		xl_log(xl, XL_LOG_ERROR, "block-size %llu is not a power of two",
		       (unsigned long long)conf->block_size);
		return -EINVAL;
	}
	return 0;
}

static int mem_init(struct xl *xl)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv;
	struct xl_call root_call = {0};
	struct mem_obj *root;
	bool fresh;
	int ret;

	priv = g_new0(struct mem_priv, 1);
	pthread_mutex_init(&priv->lock, NULL);
	priv->by_id = g_hash_table_new(mem_id_hash, mem_id_eq);
	priv->imported = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	priv->next_ino = 1;
	priv->zeros = xl_iobuf_new(conf->block_size);
	if (!priv->zeros) {
		ret = -ENOMEM;
		goto out_free;
	}
	memset(priv->zeros->data, 0, conf->block_size);
	if (conf->fsid) {
		priv->fsid = (uint64_t)conf->fsid;
	} else {
		/* FNV-1a of the volume name: the same for the same volfile */
		priv->fsid = UINT64_C(14695981039346656037);
		for (const char *p = xl->name; *p; p++)
			priv->fsid = (priv->fsid ^ (uint8_t)*p) * UINT64_C(1099511628211);
	}
	xl->private = priv;
	ret = conf->snapshot ? mem_snapshot_load(xl) : 0;
	if (ret < 0)
		goto out_unset;
	fresh = ret == 0;
	if (fresh) {
		ret = mem_obj_new(xl, &root_call, S_IFDIR | 0755, &XL_ID_ROOT, &root);
		if (ret) {
			xl_log(xl, XL_LOG_ERROR, "no room for the root directory: %s",
			       strerror(-ret));
			goto out_unset;
		}
		root->nlink = 2;
		root->parent = root;
		priv->root = root;
	}
	if (conf->import) {
		ret = mem_import(xl, fresh);
		if (ret)
			goto out_unset;
	}
	xl_log(xl, XL_LOG_INFO, "in-memory store: size limit %llu, inode limit %lld, "
	       "block size %llu", (unsigned long long)conf->size, (long long)conf->inodes,
	       (unsigned long long)conf->block_size);
	return 0;

out_unset:
	xl->private = NULL;
	mem_fini_objects(priv);
out_free:
	mem_priv_free(priv);
	return ret;
}

/* Kill every object (lock held); those still held by inode contexts are
 * freed by the last put. */
static void mem_fini_objects(struct mem_priv *priv)
{
	GHashTableIter it;
	gpointer key, value;
	GPtrArray *all = g_ptr_array_new();

	g_hash_table_iter_init(&it, priv->by_id);
	while (g_hash_table_iter_next(&it, &key, &value))
		g_ptr_array_add(all, value);
	/* directories first lose their entries, then every object dies */
	for (guint i = 0; i < all->len; i++) {
		struct mem_obj *obj = all->pdata[i];

		if (obj->entries)
			mem_dir_free(obj);
	}
	for (guint i = 0; i < all->len; i++)
		mem_obj_kill(priv, all->pdata[i], NULL);
	g_ptr_array_free(all, TRUE);
}

static void mem_fini(struct xl *xl)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;

	if (!priv)
		return;
	pthread_mutex_lock(&priv->lock);
	if (conf->snapshot)
		mem_snapshot_save(xl);
	mem_fini_objects(priv);
	xl->private = NULL;
	if (priv->allocated == 0) {
		pthread_mutex_unlock(&priv->lock);
		mem_priv_free(priv);
		return;
	}
	/* inode contexts outlive the volume: the last one frees the store */
	priv->closing = true;
	pthread_mutex_unlock(&priv->lock);
}

static void mem_ctx_free(struct xl *xl, struct xl_inode *inode, void *ctx)
{
	struct mem_obj *obj = ctx;
	struct mem_priv *priv = obj->store;
	bool store_done;

	(void)xl;
	(void)inode;
	pthread_mutex_lock(&priv->lock);
	store_done = mem_obj_put(priv, obj);
	pthread_mutex_unlock(&priv->lock);
	if (store_done)
		mem_priv_free(priv);
}

static void mem_dump(struct xl *xl)
{
	struct mem_conf *conf = xl->conf;
	struct mem_priv *priv = xl->private;

	if (!priv)
		return;
	pthread_mutex_lock(&priv->lock);
	xl_log(xl, XL_LOG_INFO, "storage/memory: objects=%llu (limit %lld) used=%llu (limit %llu) "
	       "blocks=%llu block-size=%llu cow-copies=%llu fsid=%llx",
	       (unsigned long long)priv->objects, (long long)conf->inodes,
	       (unsigned long long)priv->used, (unsigned long long)conf->size,
	       (unsigned long long)priv->blocks, (unsigned long long)conf->block_size,
	       (unsigned long long)priv->cow_copies, (unsigned long long)priv->fsid);
	pthread_mutex_unlock(&priv->lock);
}

static const struct xl_fops mem_fops = {
	.lookup = mem_lookup,
	.resolve = mem_resolve,
	.getattr = mem_getattr,
	.setattr = mem_setattr,
	.access = mem_access,
	.readlink = mem_readlink,
	.read = mem_read,
	.write = mem_write,
	.fsync = mem_fsync,
	.create = mem_create,
	.mkdir = mem_mkdir,
	.symlink = mem_symlink,
	.mknod = mem_mknod,
	.unlink = mem_unlink,
	.rmdir = mem_rmdir,
	.rename = mem_rename,
	.link = mem_link,
	.readdir = mem_readdir,
	.statfs = mem_statfs,
	.getxattr = mem_getxattr,
	.setxattr = mem_setxattr,
	.removexattr = mem_removexattr,
	.listxattr = mem_listxattr,
	.xattr_add = mem_xattr_add,
	.xattr_cas = mem_xattr_cas,
	.lk = mem_lk,
};

const struct xl_module xl_module = {
	.abi = XL_ABI_VERSION,
	.type = "storage/memory",
	.desc = "an in-memory store with POSIX semantics (sparse files, hard links, permissions "
		"checked for the caller); kept across restarts only with option snapshot",
	.conf_size = sizeof(struct mem_conf),
	.options = mem_options,
	.fops = &mem_fops,
	.min_children = 0,
	.max_children = 0,
	.validate = mem_validate,
	.init = mem_init,
	.fini = mem_fini,
	.ctx_free = mem_ctx_free,
	.dump = mem_dump,
};

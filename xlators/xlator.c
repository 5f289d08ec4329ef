/*
 * xlator.c — calling a translator's fops, and the small value helpers of
 * the contract (ids, attributes, fop names).
 *
 * xl_fop_<NAME>(xl, ...) is the one way into a volume: it fills a struct
 * xl_fop_frame with the fop's main arguments, runs the module's enter
 * hook (which may fail the fop), then the module's fop or, for a NULL
 * slot, the same call on the volume's only child (-ENOSYS at a leaf, or
 * at a volume with several children, which only the top may be: nobody
 * calls its fops), then the leave hook (which may rewrite the result),
 * and counts the call in the volume's xl->stats. A pass-through is a call
 * into the child's own xl_fop_<NAME>, so every volume on the way counts
 * it and runs its hooks.
 *
 * xl_lookup() and its siblings are what the graph's user calls for the
 * fops that produce an inode: they make the fresh inode, run the fop and
 * link the result into the inode table (inode.c).
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/random.h>

#include <glib.h>

#include "xlator.h"

/* ------------------------------------------------------------------- ids */

const struct xl_id XL_ID_ROOT = {.bytes = {[15] = 1}};

bool xl_id_equal(const struct xl_id *a, const struct xl_id *b)
{
	return memcmp(a->bytes, b->bytes, sizeof(a->bytes)) == 0;
}

bool xl_id_is_null(const struct xl_id *id)
{
	static const struct xl_id null_id;

	return xl_id_equal(id, &null_id);
}

/* Random bytes for ids, taken from the kernel XL_ID_POOL at a time per
 * thread (one getrandom per 32 ids instead of one per id). */
#define XL_ID_POOL 512
/* New ids come in runs of XL_ID_RUN sharing their first two bytes (the
 * other 14 stay random): storage/posix files an object's index entry in
 * a folder named by those two bytes, so a run of creates links into one
 * folder instead of making a new folder for nearly every create (65536
 * of them) while the index is young. */
#define XL_ID_RUN 4096

/* Bumped in a forked child, whose copies of the pools its parent may
 * still hand out: a pool filled in an older generation is refilled. */
static unsigned xl_id_forks;
static pthread_once_t xl_id_once = PTHREAD_ONCE_INIT;

static void xl_id_forked(void)
{
	__atomic_add_fetch(&xl_id_forks, 1, __ATOMIC_RELAXED);
}

static void xl_id_atfork(void)
{
	pthread_atfork(NULL, NULL, xl_id_forked);
}

static void xl_id_random(uint8_t *out, size_t len)
{
	static __thread uint8_t pool[XL_ID_POOL];
	static __thread size_t left;
	static __thread unsigned gen;
	unsigned now;
	size_t got = 0;

	pthread_once(&xl_id_once, xl_id_atfork);
	now = __atomic_load_n(&xl_id_forks, __ATOMIC_RELAXED);
	if (left < len || gen != now) {
		gen = now;
		while (got < sizeof(pool)) {
			ssize_t n = getrandom(pool + got, sizeof(pool) - got, 0);

			if (n <= 0)
				break;
			got += (size_t)n;
		}
		/* No getrandom (old kernel, seccomp): GLib's generator, seeded
		 * from /dev/urandom, is still unpredictable enough for ids. */
		for (; got < sizeof(pool); got++)
			pool[got] = (uint8_t)g_random_int();
		left = sizeof(pool);
	}
	memcpy(out, pool + sizeof(pool) - left, len);
	memset(pool + sizeof(pool) - left, 0, len);
	left -= len;
}

void xl_id_generate(struct xl_id *id)
{
	static uint64_t count;
	static uint16_t prefix; /* the current run's first two bytes (atomic) */
	uint16_t p;

	xl_id_random(id->bytes, sizeof(id->bytes));
	if (__atomic_fetch_add(&count, 1, __ATOMIC_RELAXED) % XL_ID_RUN == 0) {
		p = (uint16_t)(id->bytes[0] << 8 | id->bytes[1]);
		__atomic_store_n(&prefix, p, __ATOMIC_RELAXED);
	} else {
		/* a racing start of the next run may leave one id in the old one */
		p = __atomic_load_n(&prefix, __ATOMIC_RELAXED);
	}
	id->bytes[0] = (uint8_t)(p >> 8);
	id->bytes[1] = (uint8_t)p;
	id->bytes[6] = (uint8_t)((id->bytes[6] & 0x0f) | 0x40); /* version 4 */
	id->bytes[8] = (uint8_t)((id->bytes[8] & 0x3f) | 0x80); /* RFC 4122 variant */
}

char *xl_id_to_str(const struct xl_id *id, char buf[XL_ID_STRLEN])
{
	static const char hex[] = "0123456789abcdef";
	char *p = buf;

	for (unsigned i = 0; i < 16; i++) {
		if (i == 4 || i == 6 || i == 8 || i == 10)
			*p++ = '-';
		*p++ = hex[id->bytes[i] >> 4];
		*p++ = hex[id->bytes[i] & 0xf];
	}
	*p = '\0';
	return buf;
}

int xl_id_parse(const char *text, struct xl_id *id)
{
	struct xl_id v;
	const char *p = text;

	if (!text)
		return -EINVAL;
	for (unsigned i = 0; i < 16; i++) {
		int hi, lo;

		if ((i == 4 || i == 6 || i == 8 || i == 10) && *p++ != '-')
			return -EINVAL;
		hi = g_ascii_xdigit_value(p[0]);
		lo = hi < 0 ? -1 : g_ascii_xdigit_value(p[1]);
		if (lo < 0)
			return -EINVAL;
		v.bytes[i] = (uint8_t)(hi << 4 | lo);
		p += 2;
	}
	if (*p)
		return -EINVAL;
	*id = v;
	return 0;
}

/* ------------------------------------------------------------ attributes */

void xl_iatt_from_stat(struct xl_iatt *ia, const struct stat *st)
{
	ia->valid = (ia->valid & XL_IATT_ID) | (XL_IATT_ALL & ~XL_IATT_ID);
	ia->mode = st->st_mode;
	ia->nlink = (uint32_t)st->st_nlink;
	ia->uid = st->st_uid;
	ia->gid = st->st_gid;
	ia->size = (uint64_t)st->st_size;
	ia->used = (uint64_t)st->st_blocks * 512;
	ia->rdev = st->st_rdev;
	ia->fsid = (uint64_t)st->st_dev;
	ia->ino = (uint64_t)st->st_ino;
	ia->atime = st->st_atim;
	ia->mtime = st->st_mtim;
	ia->ctime = st->st_ctim;
}

/* ------------------------------------------------------------- fop names */

static const char *const fop_names[XL_FOP_COUNT] = {
    [XL_FOP_LOOKUP] = "lookup",	      [XL_FOP_RESOLVE] = "resolve",
    [XL_FOP_GETATTR] = "getattr",     [XL_FOP_SETATTR] = "setattr",
    [XL_FOP_ACCESS] = "access",	      [XL_FOP_READLINK] = "readlink",
    [XL_FOP_READ] = "read",	      [XL_FOP_WRITE] = "write",
    [XL_FOP_FSYNC] = "fsync",	      [XL_FOP_CREATE] = "create",
    [XL_FOP_MKDIR] = "mkdir",	      [XL_FOP_SYMLINK] = "symlink",
    [XL_FOP_MKNOD] = "mknod",	      [XL_FOP_UNLINK] = "unlink",
    [XL_FOP_RMDIR] = "rmdir",	      [XL_FOP_RENAME] = "rename",
    [XL_FOP_LINK] = "link",	      [XL_FOP_READDIR] = "readdir",
    [XL_FOP_STATFS] = "statfs",	      [XL_FOP_GETXATTR] = "getxattr",
    [XL_FOP_SETXATTR] = "setxattr",   [XL_FOP_REMOVEXATTR] = "removexattr",
    [XL_FOP_LISTXATTR] = "listxattr", [XL_FOP_XATTR_ADD] = "xattr_add",
    [XL_FOP_XATTR_CAS] = "xattr_cas", [XL_FOP_LK] = "lk",
};

const char *xl_fop_name(enum xl_fop_id fop)
{
	return (unsigned)fop < XL_FOP_COUNT ? fop_names[fop] : "?";
}

int xl_fop_by_name(const char *name)
{
	for (int i = 0; name && i < XL_FOP_COUNT; i++)
		if (strcmp(fop_names[i], name) == 0)
			return i;
	return -1;
}

/* ------------------------------------------------------------ statistics */

/* Count one call of @fop on @xl that returned @result after @us. */
static void fop_count(struct xl *xl, enum xl_fop_id fop, int result, int64_t us)
{
	struct xl_fop_stats *s;
	uint64_t el = us > 0 ? (uint64_t)us : 0, max;

	if (!xl->stats) /* a volume built by hand, outside a graph */
		return;
	s = &xl->stats[fop];
	__atomic_add_fetch(&s->calls, 1, __ATOMIC_RELAXED);
	if (result < 0)
		__atomic_add_fetch(&s->errors, 1, __ATOMIC_RELAXED);
	__atomic_add_fetch(&s->total_us, el, __ATOMIC_RELAXED);
	max = __atomic_load_n(&s->max_us, __ATOMIC_RELAXED);
	while (el > max && !__atomic_compare_exchange_n(&s->max_us, &max, el, true,
							__ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

void xl_fop_stats_get(struct xl *xl, enum xl_fop_id fop, struct xl_fop_stats *out)
{
	const struct xl_fop_stats *s;

	memset(out, 0, sizeof(*out));
	if (!xl->stats || (unsigned)fop >= XL_FOP_COUNT)
		return;
	s = &xl->stats[fop];
	out->calls = __atomic_load_n(&s->calls, __ATOMIC_RELAXED);
	out->errors = __atomic_load_n(&s->errors, __ATOMIC_RELAXED);
	out->total_us = __atomic_load_n(&s->total_us, __ATOMIC_RELAXED);
	out->max_us = __atomic_load_n(&s->max_us, __ATOMIC_RELAXED);
}

/* ------------------------------------------------------------- dispatch */

/* Does @xl's module implement fop @member itself? */
#define FOP_HAS(xl, member) ((xl)->module->fops && (xl)->module->fops->member)

/* Where a NULL slot of @xl passes the call: its only child, else NULL. */
static struct xl *fop_next(struct xl *xl)
{
	return xl->nchildren == 1 ? xl->children[0] : NULL;
}

/* The body of every xl_fop_NAME between fop_enter and fop_leave, with
 * `ret` the enter hook's verdict: when it lets the call go, @xl's own
 * NAME slot runs, or a NULL slot passes the call to the only child, or
 * with no child to pass to the call is -ENOSYS. The arguments are those
 * after the volume. */
#define FOP_PASS(name, ...)                                                                        \
	do {                                                                                       \
		struct xl *next_;                                                                  \
		if (ret == 0 && FOP_HAS(xl, name))                                                 \
			ret = xl->module->fops->name(xl, __VA_ARGS__);                             \
		else if (ret == 0 && (next_ = fop_next(xl)))                                       \
			ret = xl_fop_##name(next_, __VA_ARGS__);                                   \
		else if (ret == 0)                                                                 \
			ret = -ENOSYS;                                                             \
	} while (0)

/* Start @f: note the time and run the volume's enter hook. 0 to go on,
 * or the hook's -errno. */
static int fop_enter(struct xl_fop_frame *f)
{
	const struct xl_hooks *h = f->xl->module->hooks;
	int ret = 0;

	f->start_us = g_get_monotonic_time();
	if (h && h->enter) {
		ret = h->enter(f->xl, f);
		if (ret > 0) /* not an error: a hook bug; let the fop go */
			ret = 0;
	}
	return ret;
}

/* Finish @f with the fop's @ret: run the leave hook, count the call, and
 * return the result (as the hook left it). */
static int fop_leave(struct xl_fop_frame *f, int ret)
{
	const struct xl_hooks *h = f->xl->module->hooks;

	f->result = ret;
	f->elapsed_us = g_get_monotonic_time() - f->start_us;
	if (h && h->leave)
		h->leave(f->xl, f);
	fop_count(f->xl, f->fop, f->result, f->elapsed_us);
	return f->result;
}

int xl_fop_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_LOOKUP, .xl = xl, .call = call, .inode = dir, .name = name};
	int ret = fop_enter(&f);

	FOP_PASS(lookup, call, dir, name, inode, attr, dir_attr);
	return fop_leave(&f, ret);
}

int xl_fop_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   struct xl_iatt *attr)
{
	struct xl_fop_frame f = {.fop = XL_FOP_RESOLVE, .xl = xl, .call = call, .inode = inode};
	int ret = fop_enter(&f);

	FOP_PASS(resolve, call, inode, attr);
	return fop_leave(&f, ret);
}

int xl_fop_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   struct xl_iatt *attr)
{
	struct xl_fop_frame f = {.fop = XL_FOP_GETATTR, .xl = xl, .call = call, .inode = inode};
	int ret = fop_enter(&f);

	FOP_PASS(getattr, call, inode, attr);
	return fop_leave(&f, ret);
}

int xl_fop_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   const struct xl_setattr *sa, struct xl_wcc *wcc)
{
	struct xl_fop_frame f = {.fop = XL_FOP_SETATTR, .xl = xl, .call = call, .inode = inode};
	int ret = fop_enter(&f);

	FOP_PASS(setattr, call, inode, sa, wcc);
	return fop_leave(&f, ret);
}

int xl_fop_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint32_t mask,
		  uint32_t *granted, struct xl_iatt *attr)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_ACCESS, .xl = xl, .call = call, .inode = inode, .len = mask};
	int ret = fop_enter(&f);

	FOP_PASS(access, call, inode, mask, granted, attr);
	return fop_leave(&f, ret);
}

int xl_fop_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		    size_t size, struct xl_iatt *attr)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_READLINK, .xl = xl, .call = call, .inode = inode, .len = size};
	int ret = fop_enter(&f);

	FOP_PASS(readlink, call, inode, buf, size, attr);
	return fop_leave(&f, ret);
}

int xl_fop_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_READ, .xl = xl, .call = call, .inode = inode, .off = off, .len = len};
	int ret = fop_enter(&f), res;

	FOP_PASS(read, call, inode, off, len, out, eof, attr);
	res = fop_leave(&f, ret);
	if (res < 0 && ret >= 0)
		xl_data_release(out); /* leave() failed a read that had succeeded */
	return res;
}

int xl_fop_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		 const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc)
{
	struct xl_fop_frame f = {.fop = XL_FOP_WRITE,
				 .xl = xl,
				 .call = call,
				 .inode = inode,
				 .off = off,
				 .len = data ? data->len : 0};
	int ret = fop_enter(&f);

	FOP_PASS(write, call, inode, off, data, stable, wcc);
	return fop_leave(&f, ret);
}

int xl_fop_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		 uint64_t len, bool datasync, struct xl_wcc *wcc)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_FSYNC, .xl = xl, .call = call, .inode = inode, .off = off, .len = len};
	int ret = fop_enter(&f);

	FOP_PASS(fsync, call, inode, off, len, datasync, wcc);
	return fop_leave(&f, ret);
}

int xl_fop_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
		  struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_CREATE, .xl = xl, .call = call, .inode = dir, .name = name};
	int ret = fop_enter(&f);

	FOP_PASS(create, call, dir, name, id, sa, exclusive, inode, attr, dir_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode *inode,
		 struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_MKDIR, .xl = xl, .call = call, .inode = dir, .name = name};
	int ret = fop_enter(&f);

	FOP_PASS(mkdir, call, dir, name, id, sa, inode, attr, dir_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		   const char *target, const struct xl_id *id, const struct xl_setattr *sa,
		   struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_fop_frame f = {.fop = XL_FOP_SYMLINK,
				 .xl = xl,
				 .call = call,
				 .inode = dir,
				 .name = name,
				 .name2 = target};
	int ret = fop_enter(&f);

	FOP_PASS(symlink, call, dir, name, target, id, sa, inode, attr, dir_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
		 struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_MKNOD, .xl = xl, .call = call, .inode = dir, .name = name};
	int ret = fop_enter(&f);

	FOP_PASS(mknod, call, dir, name, mode, rdev, id, sa, inode, attr, dir_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  struct xl_wcc *dir_wcc)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_UNLINK, .xl = xl, .call = call, .inode = dir, .name = name};
	int ret = fop_enter(&f);

	FOP_PASS(unlink, call, dir, name, dir_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_wcc *dir_wcc)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_RMDIR, .xl = xl, .call = call, .inode = dir, .name = name};
	int ret = fop_enter(&f);

	FOP_PASS(rmdir, call, dir, name, dir_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir, const char *oldname,
		  struct xl_inode *newdir, const char *newname, struct xl_wcc *old_wcc,
		  struct xl_wcc *new_wcc)
{
	struct xl_fop_frame f = {.fop = XL_FOP_RENAME,
				 .xl = xl,
				 .call = call,
				 .inode = olddir,
				 .name = oldname,
				 .inode2 = newdir,
				 .name2 = newname};
	int ret = fop_enter(&f);

	FOP_PASS(rename, call, olddir, oldname, newdir, newname, old_wcc, new_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		struct xl_inode *newdir, const char *newname, struct xl_iatt *attr,
		struct xl_wcc *dir_wcc)
{
	struct xl_fop_frame f = {.fop = XL_FOP_LINK,
				 .xl = xl,
				 .call = call,
				 .inode = inode,
				 .inode2 = newdir,
				 .name2 = newname};
	int ret = fop_enter(&f);

	FOP_PASS(link, call, inode, newdir, newname, attr, dir_wcc);
	return fop_leave(&f, ret);
}

int xl_fop_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		   unsigned flags, xl_readdir_fill_fn fill, void *ctx, bool *eof,
		   struct xl_iatt *dir_attr)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_READDIR, .xl = xl, .call = call, .inode = dir, .off = cookie};
	int ret = fop_enter(&f);

	FOP_PASS(readdir, call, dir, cookie, flags, fill, ctx, eof, dir_attr);
	return fop_leave(&f, ret);
}

int xl_fop_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode, struct statvfs *sv)
{
	struct xl_fop_frame f = {.fop = XL_FOP_STATFS, .xl = xl, .call = call, .inode = inode};
	int ret = fop_enter(&f);

	FOP_PASS(statfs, call, inode, sv);
	return fop_leave(&f, ret);
}

int xl_fop_getxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		    void *value, size_t size)
{
	struct xl_fop_frame f = {.fop = XL_FOP_GETXATTR,
				 .xl = xl,
				 .call = call,
				 .inode = inode,
				 .name2 = name,
				 .len = size};
	int ret = fop_enter(&f);

	FOP_PASS(getxattr, call, inode, name, value, size);
	return fop_leave(&f, ret);
}

int xl_fop_setxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		    const void *value, size_t size, int flags)
{
	struct xl_fop_frame f = {.fop = XL_FOP_SETXATTR,
				 .xl = xl,
				 .call = call,
				 .inode = inode,
				 .name2 = name,
				 .len = size};
	int ret = fop_enter(&f);

	FOP_PASS(setxattr, call, inode, name, value, size, flags);
	return fop_leave(&f, ret);
}

int xl_fop_removexattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		       const char *name)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_REMOVEXATTR, .xl = xl, .call = call, .inode = inode, .name2 = name};
	int ret = fop_enter(&f);

	FOP_PASS(removexattr, call, inode, name);
	return fop_leave(&f, ret);
}

int xl_fop_listxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *list,
		     size_t size)
{
	struct xl_fop_frame f = {
	    .fop = XL_FOP_LISTXATTR, .xl = xl, .call = call, .inode = inode, .len = size};
	int ret = fop_enter(&f);

	FOP_PASS(listxattr, call, inode, list, size);
	return fop_leave(&f, ret);
}

int xl_fop_xattr_add(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		     const int64_t *delta, size_t n, int64_t *result)
{
	struct xl_fop_frame f = {.fop = XL_FOP_XATTR_ADD,
				 .xl = xl,
				 .call = call,
				 .inode = inode,
				 .name2 = name,
				 .len = n};
	int ret = fop_enter(&f);

	FOP_PASS(xattr_add, call, inode, name, delta, n, result);
	return fop_leave(&f, ret);
}

int xl_fop_xattr_cas(struct xl *xl, struct xl_call *call, struct xl_inode *inode, const char *name,
		     const void *expect, size_t expect_len, const void *value, size_t value_len)
{
	struct xl_fop_frame f = {.fop = XL_FOP_XATTR_CAS,
				 .xl = xl,
				 .call = call,
				 .inode = inode,
				 .name2 = name,
				 .len = value_len};
	int ret = fop_enter(&f);

	FOP_PASS(xattr_cas, call, inode, name, expect, expect_len, value, value_len);
	return fop_leave(&f, ret);
}

int xl_fop_lk(struct xl *xl, struct xl_call *call, struct xl_inode *inode, enum xl_lk_cmd cmd,
	      struct xl_lock *lock)
{
	struct xl_fop_frame f = {.fop = XL_FOP_LK,
				 .xl = xl,
				 .call = call,
				 .inode = inode,
				 .off = lock ? lock->start : 0,
				 .len = lock ? lock->len : 0};
	int ret = fop_enter(&f);

	FOP_PASS(lk, call, inode, cmd, lock);
	return fop_leave(&f, ret);
}

/* ------------------------------------------------- inode-producing calls */

/* The table inodes of @xl's graph live in. */
static struct xl_inode_table *fop_table(struct xl *xl)
{
	return xl->graph->itable;
}

/* After an inode-producing fop on the fresh @inode returned @ret with
 * attributes @ia: link @inode under the id the fop gave and hand the
 * linked inode to *@out, or drop @inode. A fop that succeeded without an
 * id broke the contract: -EIO. */
static int fop_link_result(struct xl *xl, int ret, struct xl_inode *inode, const struct xl_iatt *ia,
			   struct xl_inode **out)
{
	*out = NULL;
	if (ret >= 0 && (!(ia->valid & XL_IATT_ID) || xl_id_is_null(&ia->id))) {
		xl_log(xl, XL_LOG_ERROR, "a fop succeeded without giving the new object an id");
		ret = -EIO;
	}
	if (ret < 0) {
		xl_inode_unref(inode);
		return ret;
	}
	*out = xl_inode_link(inode, &ia->id);
	return ret;
}

/* @id, or a newly generated one in @buf when @id is NULL. */
static const struct xl_id *fop_new_id(const struct xl_id *id, struct xl_id *buf)
{
	if (id)
		return id;
	xl_id_generate(buf);
	return buf;
}

int xl_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      struct xl_inode **out, struct xl_iatt *attr, struct xl_iatt *dir_attr)
{
	struct xl_iatt local, *ia = attr ? attr : &local;
	struct xl_inode *inode = xl_inode_new(fop_table(xl), NULL);
	int ret;

	ia->valid = 0;
	ret = xl_fop_lookup(xl, call, dir, name, inode, ia, dir_attr);
	return fop_link_result(xl, ret, inode, ia, out);
}

/* xl_resolve and xl_resolve_lazy: @check, a getattr on a cached inode
 * (when @attr is wanted). */
static int fop_resolve_id(struct xl *xl, struct xl_call *call, const struct xl_id *id,
			  struct xl_inode **out, struct xl_iatt *attr, bool check)
{
	struct xl_iatt local, *ia = attr ? attr : &local;
	struct xl_inode *inode = xl_inode_find(fop_table(xl), id);
	int ret;

	*out = NULL;
	if (inode) {
		ia->valid = 0;
		ret = attr && check ? xl_fop_getattr(xl, call, inode, attr) : 0;
		if (ret < 0) {
			xl_inode_unref(inode);
			return ret;
		}
		*out = inode;
		return ret;
	}
	inode = xl_inode_new(fop_table(xl), id);
	ia->valid = 0;
	ret = xl_fop_resolve(xl, call, inode, ia);
	if (ret >= 0 && !(ia->valid & XL_IATT_ID)) {
		ia->id = *id; /* found by this id: it is the object's */
		ia->valid |= XL_IATT_ID;
	}
	return fop_link_result(xl, ret, inode, ia, out);
}

int xl_resolve(struct xl *xl, struct xl_call *call, const struct xl_id *id, struct xl_inode **out,
	       struct xl_iatt *attr)
{
	return fop_resolve_id(xl, call, id, out, attr, true);
}

int xl_resolve_lazy(struct xl *xl, struct xl_call *call, const struct xl_id *id,
		    struct xl_inode **out, struct xl_iatt *attr)
{
	return fop_resolve_id(xl, call, id, out, attr, false);
}

int xl_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
	      struct xl_inode **out, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_iatt local, *ia = attr ? attr : &local;
	struct xl_inode *inode = xl_inode_new(fop_table(xl), NULL);
	struct xl_id gen;
	int ret;

	ia->valid = 0;
	ret = xl_fop_create(xl, call, dir, name, fop_new_id(id, &gen), sa, exclusive, inode, ia,
			    dir_wcc);
	return fop_link_result(xl, ret, inode, ia, out);
}

int xl_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode **out,
	     struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_iatt local, *ia = attr ? attr : &local;
	struct xl_inode *inode = xl_inode_new(fop_table(xl), NULL);
	struct xl_id gen;
	int ret;

	ia->valid = 0;
	ret = xl_fop_mkdir(xl, call, dir, name, fop_new_id(id, &gen), sa, inode, ia, dir_wcc);
	return fop_link_result(xl, ret, inode, ia, out);
}

int xl_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       const char *target, const struct xl_id *id, const struct xl_setattr *sa,
	       struct xl_inode **out, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_iatt local, *ia = attr ? attr : &local;
	struct xl_inode *inode = xl_inode_new(fop_table(xl), NULL);
	struct xl_id gen;
	int ret;

	ia->valid = 0;
	ret = xl_fop_symlink(xl, call, dir, name, target, fop_new_id(id, &gen), sa, inode, ia,
			     dir_wcc);
	return fop_link_result(xl, ret, inode, ia, out);
}

int xl_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
	     struct xl_inode **out, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	struct xl_iatt local, *ia = attr ? attr : &local;
	struct xl_inode *inode = xl_inode_new(fop_table(xl), NULL);
	struct xl_id gen;
	int ret;

	ia->valid = 0;
	ret = xl_fop_mknod(xl, call, dir, name, mode, rdev, fop_new_id(id, &gen), sa, inode, ia,
			   dir_wcc);
	return fop_link_result(xl, ret, inode, ia, out);
}

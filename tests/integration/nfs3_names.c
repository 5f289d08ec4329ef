/*
 * nfs3_names.c — drives the NFS v3 directory and namespace procedures
 * (LOOKUP READDIR READDIRPLUS CREATE MKDIR SYMLINK MKNOD REMOVE RMDIR
 * RENAME LINK READLINK) of a running xlnfsd with libnfs's raw RPC layer, so
 * that every reply's exact nfsstat3 is checked, and compares what they did
 * with the backing directory.
 *
 *   nfs3_names SERVER BACKING_DIR
 *
 * The server must export "/", "/sub" and read-only "/ro" of BACKING_DIR
 * (directories that must exist; nothing else is relied on) without root
 * squashing; run by tests/integration/nfs3_names.sh. Exit 0 when every check passed.
 */
#include <errno.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>

static int fails, passes;
static const char *backing;

static void check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "PASS" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (ok)
		passes++;
	else
		fails++;
}

static void CHECK_STATUS(int got, int want, const char *what)
{
	check(got == want, "%s: status %d (want %d)", what, got, want);
}

/* ------------------------------------------------------------ plumbing */

struct fh {
	unsigned len;
	char data[64];
};

#define MAX_NAMES 2048

/* What one call brought back (copied out of libnfs's result). */
struct reply {
	bool done;
	int rpc_status;
	int status;   /* nfsstat3 */
	struct fh fh; /* new object / looked-up handle */
	bool has_fh;
	fattr3 attr; /* its attributes */
	bool has_attr;
	char text[4200]; /* READLINK */
	/* READDIR(PLUS) */
	unsigned nnames;
	char *names[MAX_NAMES];
	struct fh fhs[MAX_NAMES];
	bool has_fhs[MAX_NAMES];
	bool has_attrs[MAX_NAMES];
	uint64_t last_cookie;
	char verf[8];
	bool eof;
	void (*take)(struct reply *r, void *res);
};

/* Clears @r; handles passed to a call are copied first (they may be R's). */
static void reply_reset(struct reply *r, void (*take)(struct reply *, void *))
{
	for (unsigned i = 0; i < r->nnames; i++)
		free(r->names[i]);
	memset(r, 0, sizeof(*r));
	r->take = take;
}

static void fh_set(struct fh *fh, const char *data, unsigned len)
{
	fh->len = len > sizeof(fh->data) ? sizeof(fh->data) : len;
	memcpy(fh->data, data, fh->len);
}

static bool fh_equal(const struct fh *a, const struct fh *b)
{
	return a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* The wire form of @fh; points into a copy that outlives the next call's
 * reply_reset (callers pass &R.fh). Two slots: a call has at most two. */
static nfs_fh3 fh3(const struct fh *fh)
{
	static struct fh copies[2];
	static unsigned next;
	struct fh *c = &copies[next++ % 2];
	nfs_fh3 h;

	*c = *fh;
	h.data.data_len = c->len;
	h.data.data_val = c->data;
	return h;
}

static void reply_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct reply *r = priv;

	r->done = true;
	r->rpc_status = status;
	if (status != RPC_STATUS_SUCCESS || !data)
		return;
	r->status = *(int *)data; /* every result starts with its status */
	if (r->take)
		r->take(r, data);
}

/* Run @rpc until @r is answered; exits on a transport failure. */
static void wait_reply(struct rpc_context *rpc, struct reply *r)
{
	while (!r->done) {
		struct pollfd p = {.fd = rpc_get_fd(rpc), .events = rpc_which_events(rpc)};

		if (poll(&p, 1, 10000) <= 0 || rpc_service(rpc, p.revents) < 0) {
			fprintf(stderr, "ERROR: rpc: %s\n", rpc_get_error(rpc));
			exit(99);
		}
	}
	if (r->rpc_status != RPC_STATUS_SUCCESS) {
		fprintf(stderr, "ERROR: call failed: %s\n", rpc_get_error(rpc));
		exit(99);
	}
}

static void take_post_op(struct reply *r, const post_op_attr *a)
{
	r->has_attr = a->attributes_follow;
	if (a->attributes_follow)
		r->attr = a->post_op_attr_u.attributes;
}

static void take_new(struct reply *r, const post_op_fh3 *fh, const post_op_attr *a)
{
	r->has_fh = fh->handle_follows;
	if (fh->handle_follows)
		fh_set(&r->fh, fh->post_op_fh3_u.handle.data.data_val,
		       fh->post_op_fh3_u.handle.data.data_len);
	take_post_op(r, a);
}

static void take_mount(struct reply *r, void *res)
{
	mountres3 *m = res;

	if (m->fhs_status == MNT3_OK)
		fh_set(&r->fh, m->mountres3_u.mountinfo.fhandle.fhandle3_val,
		       m->mountres3_u.mountinfo.fhandle.fhandle3_len);
}

static void take_lookup(struct reply *r, void *res)
{
	LOOKUP3res *l = res;

	if (l->status != NFS3_OK)
		return;
	r->has_fh = true;
	fh_set(&r->fh, l->LOOKUP3res_u.resok.object.data.data_val,
	       l->LOOKUP3res_u.resok.object.data.data_len);
	take_post_op(r, &l->LOOKUP3res_u.resok.obj_attributes);
}

/* CREATE, MKDIR, SYMLINK and MKNOD results share their resok layout. */
static void take_create(struct reply *r, void *res)
{
	CREATE3res *c = res;

	if (c->status == NFS3_OK)
		take_new(r, &c->CREATE3res_u.resok.obj, &c->CREATE3res_u.resok.obj_attributes);
}

static void take_readlink(struct reply *r, void *res)
{
	READLINK3res *l = res;

	if (l->status == NFS3_OK)
		snprintf(r->text, sizeof(r->text), "%s", l->READLINK3res_u.resok.data);
}

static void take_link(struct reply *r, void *res)
{
	LINK3res *l = res;

	if (l->status == NFS3_OK)
		take_post_op(r, &l->LINK3res_u.resok.file_attributes);
}

/* libnfs 4.0 decodes entry lists into 4-byte aligned memory: harmless on
 * the machines it runs on, but UBSan would flag every access. */
#if defined(__clang__) || __GNUC__ >= 8
#define NO_ALIGN_CHECK __attribute__((no_sanitize("alignment")))
#else
#define NO_ALIGN_CHECK
#endif

NO_ALIGN_CHECK static void take_readdir(struct reply *r, void *res)
{
	READDIR3res *d = res;

	if (d->status != NFS3_OK)
		return;
	memcpy(r->verf, d->READDIR3res_u.resok.cookieverf, 8);
	r->eof = d->READDIR3res_u.resok.reply.eof;
	for (entry3 *e = d->READDIR3res_u.resok.reply.entries; e; e = e->nextentry) {
		if (r->nnames < MAX_NAMES)
			r->names[r->nnames++] = strdup(e->name);
		r->last_cookie = e->cookie;
	}
}

NO_ALIGN_CHECK static void take_readdirplus(struct reply *r, void *res)
{
	READDIRPLUS3res *d = res;

	if (d->status != NFS3_OK)
		return;
	memcpy(r->verf, d->READDIRPLUS3res_u.resok.cookieverf, 8);
	r->eof = d->READDIRPLUS3res_u.resok.reply.eof;
	for (entryplus3 *e = d->READDIRPLUS3res_u.resok.reply.entries; e; e = e->nextentry) {
		if (r->nnames < MAX_NAMES) {
			unsigned i = r->nnames++;

			r->names[i] = strdup(e->name);
			r->has_attrs[i] = e->name_attributes.attributes_follow;
			r->has_fhs[i] = e->name_handle.handle_follows;
			if (r->has_fhs[i])
				fh_set(&r->fhs[i],
				       e->name_handle.post_op_fh3_u.handle.data.data_val,
				       e->name_handle.post_op_fh3_u.handle.data.data_len);
		}
		r->last_cookie = e->cookie;
	}
}

/* ------------------------------------------------------------ calls */

static struct rpc_context *nfs;
static struct reply R;

static int do_lookup(const struct fh *dir, const char *name)
{
	LOOKUP3args a = {.what = {.dir = fh3(dir), .name = (char *)name}};

	reply_reset(&R, take_lookup);
	if (rpc_nfs3_lookup_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_mkdir(const struct fh *dir, const char *name)
{
	MKDIR3args a = {.where = {.dir = fh3(dir), .name = (char *)name}};

	a.attributes.mode.set_it = 1;
	a.attributes.mode.set_mode3_u.mode = 0755;
	reply_reset(&R, take_create);
	if (rpc_nfs3_mkdir_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_create(const struct fh *dir, const char *name, createmode3 mode, const char *verf,
		     int64_t size)
{
	CREATE3args a = {.where = {.dir = fh3(dir), .name = (char *)name}};

	a.how.mode = mode;
	if (mode == EXCLUSIVE) {
		memcpy(a.how.createhow3_u.verf, verf, 8);
	} else {
		a.how.createhow3_u.obj_attributes.mode.set_it = 1;
		a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0640;
		if (size >= 0) {
			a.how.createhow3_u.obj_attributes.size.set_it = 1;
			a.how.createhow3_u.obj_attributes.size.set_size3_u.size = size;
		}
	}
	reply_reset(&R, take_create);
	if (rpc_nfs3_create_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_symlink(const struct fh *dir, const char *name, const char *target)
{
	SYMLINK3args a = {.where = {.dir = fh3(dir), .name = (char *)name}};

	a.symlink.symlink_data = (char *)target;
	/* as Linux clients send it */
	a.symlink.symlink_attributes.mode.set_it = 1;
	a.symlink.symlink_attributes.mode.set_mode3_u.mode = 0777;
	reply_reset(&R, take_create);
	if (rpc_nfs3_symlink_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_mknod(const struct fh *dir, const char *name, ftype3 type, unsigned maj, unsigned min)
{
	MKNOD3args a = {.where = {.dir = fh3(dir), .name = (char *)name}};

	a.what.type = type;
	if (type == NF3CHR || type == NF3BLK) {
		a.what.mknoddata3_u.chr_device.spec.specdata1 = maj;
		a.what.mknoddata3_u.chr_device.spec.specdata2 = min;
		a.what.mknoddata3_u.chr_device.dev_attributes.mode.set_it = 1;
		a.what.mknoddata3_u.chr_device.dev_attributes.mode.set_mode3_u.mode = 0600;
	}
	reply_reset(&R, take_create);
	if (rpc_nfs3_mknod_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_readlink(const struct fh *obj)
{
	READLINK3args a = {.symlink = fh3(obj)};

	reply_reset(&R, take_readlink);
	if (rpc_nfs3_readlink_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_remove(const struct fh *dir, const char *name)
{
	REMOVE3args a = {.object = {.dir = fh3(dir), .name = (char *)name}};

	reply_reset(&R, NULL);
	if (rpc_nfs3_remove_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_rmdir(const struct fh *dir, const char *name)
{
	RMDIR3args a = {.object = {.dir = fh3(dir), .name = (char *)name}};

	reply_reset(&R, NULL);
	if (rpc_nfs3_rmdir_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_rename(const struct fh *from, const char *oldname, const struct fh *to,
		     const char *newname)
{
	RENAME3args a = {.from = {.dir = fh3(from), .name = (char *)oldname},
			 .to = {.dir = fh3(to), .name = (char *)newname}};

	reply_reset(&R, NULL);
	if (rpc_nfs3_rename_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_link(const struct fh *file, const struct fh *dir, const char *name)
{
	LINK3args a = {.file = fh3(file), .link = {.dir = fh3(dir), .name = (char *)name}};

	reply_reset(&R, take_link);
	if (rpc_nfs3_link_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_readdir(const struct fh *dir, uint64_t cookie, const char *verf, unsigned count)
{
	READDIR3args a = {.dir = fh3(dir), .cookie = cookie, .count = count};

	if (verf)
		memcpy(a.cookieverf, verf, 8);
	reply_reset(&R, take_readdir);
	if (rpc_nfs3_readdir_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static int do_readdirplus(const struct fh *dir, uint64_t cookie, const char *verf,
			  unsigned dircount, unsigned maxcount)
{
	READDIRPLUS3args a = {
	    .dir = fh3(dir), .cookie = cookie, .dircount = dircount, .maxcount = maxcount};

	if (verf)
		memcpy(a.cookieverf, verf, 8);
	reply_reset(&R, take_readdirplus);
	if (rpc_nfs3_readdirplus_async(nfs, reply_cb, &a, &R))
		exit(99);
	wait_reply(nfs, &R);
	return R.status;
}

static struct fh mount_export(const char *server, const char *path)
{
	struct rpc_context *mnt = rpc_init_context();
	struct reply r;

	memset(&r, 0, sizeof(r));
	if (!mnt || rpc_connect_program_async(mnt, server, MOUNT_PROGRAM, MOUNT_V3, reply_cb, &r))
		exit(99);
	wait_reply(mnt, &r);
	reply_reset(&r, take_mount);
	if (rpc_mount3_mnt_async(mnt, reply_cb, (char *)path, &r))
		exit(99);
	wait_reply(mnt, &r);
	if (r.status != MNT3_OK || !r.fh.len) {
		fprintf(stderr, "ERROR: MNT %s: %d\n", path, r.status);
		exit(99);
	}
	rpc_destroy_context(mnt);
	return r.fh;
}

/* A check that looks at the backing directory: reported as skipped when
 * the store keeps nothing on disk (BACKING_DIR given as "-"). */
static void check_disk(bool ok, const char *what)
{
	if (strcmp(backing, "-") == 0)
		printf("SKIP: %s (the store keeps nothing on disk)\n", what);
	else
		check(ok, "%s", what);
}

static bool local_stat(const char *rel, struct stat *st)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", backing, rel);
	return lstat(path, st) == 0;
}

/* ------------------------------------------------------------ tests */

static void test_lookup(const struct fh *root, const struct fh *sub)
{
	struct fh file;
	char longname[300];

	CHECK_STATUS(do_lookup(root, "."), NFS3_OK, "LOOKUP . at /");
	check(fh_equal(&R.fh, root), "LOOKUP . is the directory itself");
	CHECK_STATUS(do_lookup(root, ".."), NFS3_OK, "LOOKUP .. at /");
	check(fh_equal(&R.fh, root), "LOOKUP .. at the export root / is the root");
	CHECK_STATUS(do_lookup(sub, ".."), NFS3_OK, "LOOKUP .. at export /sub");
	check(fh_equal(&R.fh, sub), "LOOKUP .. at export /sub stays in /sub");
	CHECK_STATUS(do_lookup(sub, "inner"), NFS3_OK, "LOOKUP /sub/inner");
	{
		struct fh inner = R.fh;

		CHECK_STATUS(do_lookup(&inner, ".."), NFS3_OK, "LOOKUP .. of /sub/inner");
		check(fh_equal(&R.fh, sub), "LOOKUP .. of /sub/inner is /sub's root");
	}
	CHECK_STATUS(do_lookup(root, "no-such-name"), NFS3ERR_NOENT, "LOOKUP absent name");
	CHECK_STATUS(do_create(root, "plain", UNCHECKED, NULL, -1), NFS3_OK, "CREATE plain");
	file = R.fh;
	CHECK_STATUS(do_lookup(&file, "x"), NFS3ERR_NOTDIR, "LOOKUP in a file");
	memset(longname, 'n', 256);
	longname[256] = '\0';
	CHECK_STATUS(do_lookup(root, longname), NFS3ERR_NAMETOOLONG, "LOOKUP 256-byte name");
	CHECK_STATUS(do_lookup(root, "plain"), NFS3_OK, "LOOKUP plain");
	check(fh_equal(&R.fh, &file) && R.has_attr && R.attr.type == NF3REG,
	      "LOOKUP gives CREATE's handle and regular-file attributes");
}

static void test_create(const struct fh *root)
{
	char path[4096];
	struct fh d, x;
	struct stat st;

	CHECK_STATUS(do_mkdir(root, "d"), NFS3_OK, "MKDIR d");
	d = R.fh;
	check(R.has_fh && R.has_attr && R.attr.type == NF3DIR && (R.attr.mode & 0777) == 0755,
	      "MKDIR returns handle and attributes (fh %d attr %d type %d mode %o)", R.has_fh,
	      R.has_attr, R.attr.type, R.attr.mode);
	CHECK_STATUS(do_mkdir(root, "d"), NFS3ERR_EXIST, "MKDIR existing");
	CHECK_STATUS(do_mkdir(root, ".."), NFS3ERR_EXIST, "MKDIR ..");

	CHECK_STATUS(do_create(&d, "f", GUARDED, NULL, -1), NFS3_OK, "CREATE GUARDED f");
	check(R.has_fh && R.attr.type == NF3REG && (R.attr.mode & 0777) == 0640,
	      "CREATE applies mode 0640");
	CHECK_STATUS(do_create(&d, "f", GUARDED, NULL, -1), NFS3ERR_EXIST, "CREATE GUARDED over f");
	snprintf(path, sizeof(path), "%s/d/f", backing);
	if (strcmp(backing, "-") != 0 && truncate(path, 100) != 0)
		check(false, "truncate d/f locally");
	CHECK_STATUS(do_create(&d, "f", UNCHECKED, NULL, -1), NFS3_OK, "CREATE UNCHECKED over f");
	check_disk(local_stat("d/f", &st) && st.st_size == 100, "UNCHECKED without size keeps data");
	CHECK_STATUS(do_create(&d, "f", UNCHECKED, NULL, 0), NFS3_OK, "CREATE UNCHECKED size 0");
	check_disk(local_stat("d/f", &st) && st.st_size == 0 && R.attr.size == 0,
	      "UNCHECKED with size 0 truncates");
	CHECK_STATUS(do_create(root, "d", UNCHECKED, NULL, -1), NFS3ERR_EXIST,
		     "CREATE UNCHECKED over a directory");

	CHECK_STATUS(do_create(&d, "x", EXCLUSIVE, "verifier", -1), NFS3_OK, "CREATE EXCLUSIVE x");
	x = R.fh;
	CHECK_STATUS(do_create(&d, "x", EXCLUSIVE, "verifier", -1), NFS3_OK,
		     "CREATE EXCLUSIVE retransmitted (same verifier)");
	check(fh_equal(&R.fh, &x), "the retransmission answers the same file");
	CHECK_STATUS(do_create(&d, "x", EXCLUSIVE, "VERIFIER", -1), NFS3ERR_EXIST,
		     "CREATE EXCLUSIVE with another verifier");
	CHECK_STATUS(do_create(&d, "f", EXCLUSIVE, "verifier", -1), NFS3ERR_EXIST,
		     "CREATE EXCLUSIVE over a file made otherwise");

	CHECK_STATUS(do_symlink(&d, "s", "f"), NFS3_OK, "SYMLINK s -> f");
	check(R.has_fh && R.attr.type == NF3LNK, "SYMLINK returns a symlink's handle");
	CHECK_STATUS(do_readlink(&R.fh), NFS3_OK, "READLINK s");
	check(strcmp(R.text, "f") == 0, "READLINK gives the target (\"%s\")", R.text);
	CHECK_STATUS(do_symlink(&d, "empty", ""), NFS3ERR_INVAL, "SYMLINK empty target");
	CHECK_STATUS(do_lookup(&d, "f"), NFS3_OK, "LOOKUP d/f");
	CHECK_STATUS(do_readlink(&R.fh), NFS3ERR_INVAL, "READLINK of a regular file");

	CHECK_STATUS(do_mknod(&d, "fifo", NF3FIFO, 0, 0), NFS3_OK, "MKNOD fifo");
	check_disk(local_stat("d/fifo", &st) && S_ISFIFO(st.st_mode), "MKNOD made a fifo");
	CHECK_STATUS(do_mknod(&d, "null", NF3CHR, 1, 3), NFS3_OK, "MKNOD chr 1,3");
	check_disk(local_stat("d/null", &st) && S_ISCHR(st.st_mode) && major(st.st_rdev) == 1 &&
		  minor(st.st_rdev) == 3 && R.attr.rdev.specdata1 == 1,
	      "MKNOD made character device 1,3");
	CHECK_STATUS(do_mknod(&d, "reg", NF3REG, 0, 0), NFS3ERR_BADTYPE, "MKNOD NF3REG");
	CHECK_STATUS(do_mknod(&d, "dir", NF3DIR, 0, 0), NFS3ERR_BADTYPE, "MKNOD NF3DIR");
}

static void test_remove(const struct fh *root, const struct fh *sub)
{
	struct fh d, f, e;
	struct stat st;

	CHECK_STATUS(do_lookup(root, "d"), NFS3_OK, "LOOKUP d");
	d = R.fh;
	CHECK_STATUS(do_lookup(&d, "f"), NFS3_OK, "LOOKUP d/f");
	f = R.fh;

	CHECK_STATUS(do_link(&f, &d, "hard"), NFS3_OK, "LINK d/f -> d/hard");
	check(R.has_attr && R.attr.nlink == 2, "LINK reports nlink 2 (got %u)", R.attr.nlink);
	CHECK_STATUS(do_link(&d, root, "dirlink"), NFS3ERR_ISDIR, "LINK of a directory");
	CHECK_STATUS(do_link(&f, sub, "cross"), NFS3ERR_XDEV, "LINK across exports");
	CHECK_STATUS(do_link(&f, &d, "hard"), NFS3ERR_EXIST, "LINK onto an existing name");

	CHECK_STATUS(do_rename(&d, "hard", root, "moved"), NFS3_OK, "RENAME d/hard -> moved");
	check_disk(local_stat("moved", &st) && !local_stat("d/hard", &st), "RENAME moved the name");
	CHECK_STATUS(do_rename(&d, ".", root, "dot"), NFS3ERR_INVAL, "RENAME from .");
	CHECK_STATUS(do_rename(root, "moved", &d, ".."), NFS3ERR_INVAL, "RENAME to ..");
	CHECK_STATUS(do_rename(root, "moved", sub, "moved"), NFS3ERR_XDEV, "RENAME across exports");
	CHECK_STATUS(do_rename(root, "nothing", root, "x"), NFS3ERR_NOENT, "RENAME absent name");

	CHECK_STATUS(do_remove(root, "d"), NFS3ERR_ISDIR, "REMOVE of a directory");
	CHECK_STATUS(do_remove(root, "moved"), NFS3_OK, "REMOVE moved");
	CHECK_STATUS(do_remove(root, "moved"), NFS3ERR_NOENT, "REMOVE again");
	CHECK_STATUS(do_rmdir(root, "d"), NFS3ERR_NOTEMPTY, "RMDIR non-empty d");
	CHECK_STATUS(do_rmdir(&d, "."), NFS3ERR_INVAL, "RMDIR .");
	CHECK_STATUS(do_rmdir(&d, ".."), NFS3ERR_NOTEMPTY, "RMDIR ..");
	CHECK_STATUS(do_rmdir(&d, "f"), NFS3ERR_NOTDIR, "RMDIR of a file");
	CHECK_STATUS(do_mkdir(&d, "empty"), NFS3_OK, "MKDIR d/empty");
	e = R.fh;
	CHECK_STATUS(do_rmdir(&d, "empty"), NFS3_OK, "RMDIR d/empty");
	check_disk(!local_stat("d/empty", &st), "RMDIR removed it");
	CHECK_STATUS(do_lookup(&e, "."), NFS3ERR_STALE, "a removed directory's handle is stale");
}

/* Whole listing of @dir in pieces of @count bytes: every name of the
 * backing directory exactly once, "." and ".." included. */
static void test_readdir_paging(const struct fh *dir, const char *rel, unsigned nfiles, bool plus,
				unsigned count)
{
	char seen[4096] = {0}, verf[8] = {0};
	unsigned calls = 0, total = 0, dots = 0, i, n;
	uint64_t cookie = 0;
	bool ok = true, handles = true;
	int st;

	for (;;) {
		st = plus ? do_readdirplus(dir, cookie, verf, count / 4, count)
			  : do_readdir(dir, cookie, verf, count);
		if (st != NFS3_OK || ++calls > 5000) {
			ok = false;
			break;
		}
		for (i = 0; i < R.nnames; i++) {
			total++;
			if (!strcmp(R.names[i], ".") || !strcmp(R.names[i], "..")) {
				dots++;
				continue;
			}
			if (sscanf(R.names[i], "entry-%u", &n) != 1 || n >= nfiles || seen[n]++)
				ok = false;
			if (plus && (!R.has_fhs[i] || !R.has_attrs[i])) {
				if (handles)
					printf("---- %s: handle %d attributes %d\n", R.names[i],
					       R.has_fhs[i], R.has_attrs[i]);
				handles = false;
			}
		}
		memcpy(verf, R.verf, 8);
		if (R.eof)
			break;
		if (!R.nnames) {
			ok = false;
			break;
		}
		cookie = R.last_cookie;
	}
	check(ok && total == nfiles + 2 && dots == 2,
	      "%s of %s in %u-byte replies: %u entries in %u calls, all names once (status %d)",
	      plus ? "READDIRPLUS" : "READDIR", rel, count, total, calls, st);
	if (plus)
		check(handles, "READDIRPLUS entries carry attributes and handles");
}

static void test_readdir(const struct fh *root, const struct fh *sub)
{
	struct fh big;
	char name[64], verf[8];
	uint64_t cookie;
	unsigned i;

	CHECK_STATUS(do_mkdir(root, "big"), NFS3_OK, "MKDIR big");
	big = R.fh;
	for (i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "entry-%u", i);
		if (do_create(&big, name, GUARDED, NULL, -1) != NFS3_OK)
			break;
	}
	check(i == 300, "CREATE 300 files in big");
	test_readdir_paging(&big, "big", 300, false, 512);
	test_readdir_paging(&big, "big", 300, false, 32768);
	test_readdir_paging(&big, "big", 300, true, 1024);
	test_readdir_paging(&big, "big", 300, true, 65536);

	CHECK_STATUS(do_readdir(&big, 0, NULL, 100), NFS3ERR_TOOSMALL, "READDIR count 100");
	CHECK_STATUS(do_readdirplus(&big, 0, NULL, 10, 4096), NFS3ERR_TOOSMALL,
		     "READDIRPLUS dircount 10");
	CHECK_STATUS(do_readdirplus(&big, 0, NULL, 4096, 200), NFS3ERR_TOOSMALL,
		     "READDIRPLUS maxcount 200");

	CHECK_STATUS(do_readdir(&big, 0, NULL, 512), NFS3_OK, "READDIR first page");
	check(!R.eof && R.nnames > 0, "first page is not the end");
	memcpy(verf, R.verf, 8);
	cookie = R.last_cookie;
	CHECK_STATUS(do_readdir(&big, cookie, verf, 512), NFS3_OK,
		     "READDIR resumes with its verifier");
	sleep(1); /* a coarse-mtime filesystem still sees the change */
	CHECK_STATUS(do_create(&big, "newcomer", GUARDED, NULL, -1), NFS3_OK, "CREATE in big");
	/* knfsd's rule: the verifier of a changed directory still resumes */
	CHECK_STATUS(do_readdir(&big, cookie, verf, 512), NFS3_OK,
		     "READDIR with the verifier of a changed directory");
	CHECK_STATUS(do_readdirplus(&big, cookie, verf, 512, 4096), NFS3_OK,
		     "READDIRPLUS with the verifier of a changed directory");
	CHECK_STATUS(do_readdir(&big, UINT64_C(1) << 60, verf, 512), NFS3ERR_BAD_COOKIE,
		     "READDIR at a cookie the directory never gave");
	CHECK_STATUS(do_readdir(&big, 0, verf, 512), NFS3_OK, "cookie 0 ignores the verifier");
	CHECK_STATUS(do_readdir(&big, cookie, NULL, 512), NFS3_OK,
		     "a zero verifier is not checked");

	CHECK_STATUS(do_lookup(&big, "entry-1"), NFS3_OK, "LOOKUP big/entry-1");
	CHECK_STATUS(do_readdir(&R.fh, 0, NULL, 4096), NFS3ERR_NOTDIR, "READDIR of a file");

	/* ".." of an export's root shows the root itself. */
	CHECK_STATUS(do_readdirplus(sub, 0, NULL, 4096, 32768), NFS3_OK, "READDIRPLUS /sub");
	for (i = 0; i < R.nnames; i++)
		if (!strcmp(R.names[i], ".."))
			break;
	check(i < R.nnames && R.has_fhs[i] && fh_equal(&R.fhs[i], sub),
	      "READDIRPLUS .. at export /sub has /sub's handle");
	check(R.eof, "READDIRPLUS of a small directory reaches eof");
}

/* Nothing changes through a read-only export. */
static void test_read_only(const struct fh *ro, const struct fh *root)
{
	struct fh file;

	CHECK_STATUS(do_lookup(ro, "file"), NFS3_OK, "LOOKUP in a read-only export");
	file = R.fh;
	CHECK_STATUS(do_readdir(ro, 0, NULL, 4096), NFS3_OK, "READDIR of a read-only export");
	CHECK_STATUS(do_create(ro, "new", GUARDED, NULL, -1), NFS3ERR_ROFS, "CREATE in ro");
	CHECK_STATUS(do_mkdir(ro, "new"), NFS3ERR_ROFS, "MKDIR in ro");
	CHECK_STATUS(do_symlink(ro, "new", "x"), NFS3ERR_ROFS, "SYMLINK in ro");
	CHECK_STATUS(do_mknod(ro, "new", NF3FIFO, 0, 0), NFS3ERR_ROFS, "MKNOD in ro");
	CHECK_STATUS(do_remove(ro, "file"), NFS3ERR_ROFS, "REMOVE in ro");
	CHECK_STATUS(do_rmdir(ro, "file"), NFS3ERR_ROFS, "RMDIR in ro");
	CHECK_STATUS(do_rename(ro, "file", ro, "new"), NFS3ERR_ROFS, "RENAME in ro");
	CHECK_STATUS(do_link(&file, ro, "new"), NFS3ERR_ROFS, "LINK in ro");
	CHECK_STATUS(do_readlink(&file), NFS3ERR_INVAL, "READLINK of a file in ro");
	(void)root;
}

int main(int argc, char **argv)
{
	struct fh root, sub, ro;
	char path[4096];
	FILE *f;

	if (argc != 3) {
		fprintf(stderr, "usage: %s SERVER BACKING_DIR\n", argv[0]);
		return 99;
	}
	backing = argv[2];
	snprintf(path, sizeof(path), "%s/sub/inner", backing);
	mkdir(path, 0755); /* may exist */
	snprintf(path, sizeof(path), "%s/ro/file", backing);
	f = fopen(path, "w");
	if (f)
		fclose(f);
	root = mount_export(argv[1], "/");
	sub = mount_export(argv[1], "/sub");
	ro = mount_export(argv[1], "/ro");
	nfs = rpc_init_context();
	memset(&R, 0, sizeof(R));
	if (!nfs || rpc_connect_program_async(nfs, argv[1], NFS_PROGRAM, NFS_V3, reply_cb, &R))
		return 99;
	wait_reply(nfs, &R);

	test_lookup(&root, &sub);
	test_create(&root);
	test_remove(&root, &sub);
	test_readdir(&root, &sub);
	test_read_only(&ro, &root);

	reply_reset(&R, NULL);
	rpc_destroy_context(nfs);
	printf("== nfs3_names: %d passed, %d failed\n", passes, fails);
	return fails ? 1 : 0;
}

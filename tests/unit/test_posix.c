/*
 * test_posix.c — unit tests of storage/posix, driving its fops directly
 * against a private directory, as root and as unprivileged callers
 * (uids 1000 and 2000 through the per-thread credentials).
 *
 * The volume is built by hand: a struct xl with its conf filled in, a
 * one-volume graph and an inode table. A "restart" frees the table and
 * the volume and builds both again, so only the on-disk identity (kernel
 * file handles) connects before and after.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <dirent.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include "storage/posix/posix.h"
#include "xlator.h"
#include "cunit_main.h"

extern const struct xl_module xl_module;

static char test_dir[] = "/tmp/test_posix.XXXXXX";
static struct posix_conf test_conf;
static struct xl test_xl;
static struct xl *test_vols[1];
static struct xl_graph test_graph;
static const struct xl_fops *F;

static int test_fds_before;
static struct xl_call root_call;
static struct xl_call user_call = { .uid = 1000, .gid = 1000 };
static struct xl_call other_call = { .uid = 2000, .gid = 2000 };

static int test_start(void)
{
	memset(&test_xl, 0, sizeof(test_xl));
	memset(&test_graph, 0, sizeof(test_graph));
	test_xl.name = "posix";
	test_xl.module = &xl_module;
	test_xl.conf = &test_conf;
	test_xl.graph = &test_graph;
	test_vols[0] = &test_xl;
	test_graph.volumes = test_vols;
	test_graph.nvolumes = 1;
	test_graph.top = &test_xl;
	test_graph.itable = xl_inode_table_new(&test_graph, 64);
	if (!test_graph.itable)
		return -ENOMEM;
	return xl_module.init(&test_xl);
}

static void test_stop(void)
{
	xl_module.fini(&test_xl);
	xl_inode_table_free(test_graph.itable);
	test_graph.itable = NULL;
}

/* Open descriptors of this process. */
static int test_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		n += e->d_name[0] != '.';
	closedir(d);
	return n - 1; /* the DIR's own */
}

static int suite_init(void)
{
	if (!mkdtemp(test_dir))
		return -1;
	/* unprivileged callers must reach and write the export */
	if (chmod(test_dir, 0777) < 0)
		return -1;
	test_conf.directory = test_dir;
	test_conf.sync_metadata = false;
	F = xl_module.fops;
	test_fds_before = test_count_fds();
	return test_start();
}

static int suite_fini(void)
{
	char *cmd;
	int ret;

	test_stop();
	cmd = g_strdup_printf("rm -rf '%s'", test_dir);
	ret = system(cmd);
	g_free(cmd);
	return ret;
}

static struct xl_inode *test_root(void)
{
	struct xl_inode *root = NULL;
	struct stat st;

	CU_ASSERT_EQUAL_FATAL(F->lookup(&test_xl, &root_call, NULL, NULL, &root, &st), 0);
	CU_ASSERT_FATAL(S_ISDIR(st.st_mode));
	return root;
}

static struct xl_inode *test_create(struct xl_call *call, struct xl_inode *dir,
				    const char *name, mode_t mode)
{
	struct xl_setattr sa = { .valid = XL_SET_MODE, .mode = mode };
	struct xl_inode *out = NULL;
	struct stat st;
	int ret;

	ret = F->create(&test_xl, call, dir, name, &sa, true, &out, &st);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		return NULL;
	CU_ASSERT(S_ISREG(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, mode);
	CU_ASSERT_EQUAL(st.st_uid, call->uid);
	return out;
}

static struct xl_inode *test_mkdir(struct xl_call *call, struct xl_inode *dir, const char *name,
				   mode_t mode)
{
	struct xl_setattr sa = { .valid = XL_SET_MODE, .mode = mode };
	struct xl_inode *out = NULL;
	struct stat st;
	int ret;

	ret = F->mkdir(&test_xl, call, dir, name, &sa, &out, &st);
	CU_ASSERT_EQUAL(ret, 0);
	if (ret)
		return NULL;
	CU_ASSERT(S_ISDIR(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, mode);
	return out;
}

static int test_write(struct xl_call *call, struct xl_inode *inode, uint64_t off,
		      const char *text, enum xl_stable *how)
{
	struct iovec iov = { .iov_base = (void *)text, .iov_len = strlen(text) };
	enum xl_stable stable = how ? *how : XL_UNSTABLE;
	struct stat st;
	int ret;

	ret = F->write(&test_xl, call, inode, off, &iov, 1, &stable, &st);
	if (how)
		*how = stable;
	return ret;
}

static int test_lookup(struct xl_call *call, struct xl_inode *dir, const char *name,
		       struct xl_inode **out, struct stat *st)
{
	struct stat tmp;

	return F->lookup(&test_xl, call, dir, name, out, st ? st : &tmp);
}

/* ---------------------------------------------------------------- identity */

static void test_identity_restart(void)
{
	struct xl_inode *root = test_root(), *d, *f, *again = NULL;
	struct xl_gfid gfid, dgfid;
	struct stat st, st2;
	char buf[16];
	bool eof;

	d = test_mkdir(&root_call, root, "id-dir", 0755);
	f = test_create(&root_call, d, "file", 0644);
	CU_ASSERT_FATAL(d && f);
	CU_ASSERT_EQUAL(test_write(&root_call, f, 0, "hello", NULL), 5);
	gfid = *xl_inode_gfid(f);
	dgfid = *xl_inode_gfid(d);
	CU_ASSERT(gfid.len > 4 && gfid.len <= XL_GFID_MAX);
	CU_ASSERT_FALSE(xl_gfid_equal(&gfid, &dgfid));
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, f, &st), 0);

	/* a rename does not change identity */
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "file", root, "id-moved"), 0);
	CU_ASSERT_EQUAL(test_lookup(&root_call, root, "id-moved", &again, NULL), 0);
	CU_ASSERT(again && xl_gfid_equal(xl_inode_gfid(again), &gfid));
	CU_ASSERT_PTR_EQUAL(again, f);
	xl_inode_unref(again);
	xl_inode_unref(f);
	xl_inode_unref(d);
	xl_inode_unref(root);

	/* restart: new table, new root fd; the gfid still resolves */
	test_stop();
	CU_ASSERT_EQUAL_FATAL(test_start(), 0);
	f = xl_inode_get(test_graph.itable, &gfid);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, f, &st2), 0);
	CU_ASSERT_EQUAL(st2.st_ino, st.st_ino);
	CU_ASSERT_EQUAL(st2.st_size, 5);
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, f, 0, sizeof(buf), buf, &eof, &st2), 5);
	CU_ASSERT_STRING_EQUAL(buf, "hello");
	CU_ASSERT(eof);
	d = xl_inode_get(test_graph.itable, &dgfid);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, d, &st2), 0);
	CU_ASSERT(S_ISDIR(st2.st_mode));
	root = test_root();
	CU_ASSERT_EQUAL(test_lookup(&root_call, root, "id-moved", &again, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, f);
	xl_inode_unref(again);
	/* ".." of the subdirectory is the root; ".." of the root is the root */
	CU_ASSERT_EQUAL(test_lookup(&root_call, d, "..", &again, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, root);
	xl_inode_unref(again);
	CU_ASSERT_EQUAL(test_lookup(&root_call, root, "..", &again, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, root);
	xl_inode_unref(again);
	CU_ASSERT_EQUAL(test_lookup(&root_call, d, ".", &again, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, d);
	xl_inode_unref(again);
	xl_inode_unref(d);
	xl_inode_unref(f);
	xl_inode_unref(root);
}

static void test_stale(void)
{
	struct xl_inode *root = test_root(), *f, *g, *again;
	struct xl_setattr sa = { .valid = XL_SET_MODE, .mode = 0600 };
	struct xl_gfid gfid;
	struct stat st;
	char buf[8], *path;
	bool eof;

	/* removed through the server */
	f = test_create(&root_call, root, "stale1", 0644);
	CU_ASSERT_FATAL(f != NULL);
	gfid = *xl_inode_gfid(f);
	CU_ASSERT_EQUAL(F->unlink(&test_xl, &root_call, root, "stale1"), 0);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, f, &st), -ESTALE);
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, f, 0, 8, buf, &eof, &st), -ESTALE);
	CU_ASSERT_EQUAL(test_write(&root_call, f, 0, "x", NULL), -ESTALE);
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &root_call, f, &sa, &st), -ESTALE);
	CU_ASSERT_EQUAL(F->access(&test_xl, &root_call, f, R_OK), -ESTALE);
	xl_inode_unref(f);
	/* resolving the gfid afresh (as after a restart) */
	again = xl_inode_get(test_graph.itable, &gfid);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, again, &st), -ESTALE);
	xl_inode_unref(again);

	/* removed behind the server's back while its fd is cached */
	g = test_mkdir(&root_call, root, "stale2", 0755);
	CU_ASSERT_FATAL(g != NULL);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, g, &st), 0);
	path = g_build_filename(test_dir, "stale2", NULL);
	CU_ASSERT_EQUAL(rmdir(path), 0);
	g_free(path);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, g, &st), -ESTALE);
	CU_ASSERT_EQUAL(test_lookup(&root_call, g, "x", &again, NULL), -ESTALE);
	CU_ASSERT_EQUAL(F->create(&test_xl, &root_call, g, "x", NULL, false, &again, &st),
			-ESTALE);
	xl_inode_unref(g);

	/* a gfid that is no handle at all */
	memset(&gfid, 0, sizeof(gfid));
	gfid.len = 2;
	again = xl_inode_get(test_graph.itable, &gfid);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, again, &st), -ESTALE);
	xl_inode_unref(again);
	xl_inode_unref(root);
}

/* ---------------------------------------------------------------- data */

static void test_permissions(void)
{
	struct xl_inode *root = test_root(), *d, *f, *p, *x;
	enum xl_stable how;
	struct stat st;
	char buf[32];
	bool eof;

	d = test_mkdir(&user_call, root, "perm", 0755);
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, d, &st), 0);
	CU_ASSERT_EQUAL(st.st_uid, 1000);
	CU_ASSERT_EQUAL(st.st_gid, 1000);

	/* the owner writes the 0444 file it just created (cp, tar) */
	f = test_create(&user_call, d, "ro", 0444);
	CU_ASSERT_FATAL(f != NULL);
	how = XL_UNSTABLE;
	CU_ASSERT_EQUAL(test_write(&user_call, f, 0, "owner data", &how), 10);
	CU_ASSERT_EQUAL(how, XL_UNSTABLE);
	/* others may read (r for all) but not write */
	CU_ASSERT_EQUAL(test_write(&other_call, f, 0, "nope", NULL), -EACCES);
	memset(buf, 0, sizeof(buf));
	CU_ASSERT_EQUAL(F->read(&test_xl, &other_call, f, 0, sizeof(buf), buf, &eof, &st), 10);
	CU_ASSERT_STRING_EQUAL(buf, "owner data");
	/* root always may */
	CU_ASSERT_EQUAL(test_write(&root_call, f, 10, "!", NULL), 1);

	/* a 0600 file: others may not read; the group may with 0640 */
	p = test_create(&user_call, d, "private", 0600);
	CU_ASSERT_FATAL(p != NULL);
	CU_ASSERT_EQUAL(F->read(&test_xl, &other_call, p, 0, 4, buf, &eof, &st), -EACCES);
	struct xl_setattr sa = { .valid = XL_SET_MODE, .mode = 0640 };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, p, &sa, &st), 0);
	struct xl_call member = { .uid = 2000, .gid = 2000, .ngroups = 1, .groups = { 1000 } };
	CU_ASSERT_EQUAL(F->read(&test_xl, &member, p, 0, 4, buf, &eof, &st), 0);
	CU_ASSERT(eof);
	CU_ASSERT_EQUAL(test_write(&member, p, 0, "x", NULL), -EACCES);

	/* the kernel judges the namespace: 2000 may not create in 1000's 0755 dir */
	CU_ASSERT_EQUAL(F->create(&test_xl, &other_call, d, "intruder", NULL, false, &x, &st),
			-EACCES);
	CU_ASSERT_EQUAL(F->unlink(&test_xl, &other_call, d, "ro"), -EACCES);
	CU_ASSERT_EQUAL(F->access(&test_xl, &other_call, d, W_OK), -EACCES);
	CU_ASSERT_EQUAL(F->access(&test_xl, &other_call, d, R_OK | X_OK), 0);
	CU_ASSERT_EQUAL(F->access(&test_xl, &user_call, d, W_OK), 0);
	/* supplementary groups are honoured by the kernel too */
	sa.mode = 0770;
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, d, &sa, &st), 0);
	CU_ASSERT_EQUAL(F->access(&test_xl, &other_call, d, X_OK), -EACCES);
	CU_ASSERT_EQUAL(F->access(&test_xl, &member, d, W_OK | X_OK), 0);
	x = NULL;
	CU_ASSERT_EQUAL(F->create(&test_xl, &member, d, "member", NULL, true, &x, &st), 0);
	CU_ASSERT_EQUAL(st.st_uid, 2000);
	if (x)
		xl_inode_unref(x);
	/* reading a directory, writing a symlink */
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, d, 0, 4, buf, &eof, &st), -EISDIR);

	xl_inode_unref(p);
	xl_inode_unref(f);
	xl_inode_unref(d);
	xl_inode_unref(root);
}

static void test_read_write(void)
{
	struct xl_inode *root = test_root(), *f;
	enum xl_stable how;
	char buf[64];
	struct stat st;
	bool eof;
	struct iovec iov[3] = { { "abc", 3 }, { "", 0 }, { "defgh", 5 } };

	f = test_create(&root_call, root, "rw", 0644);
	CU_ASSERT_FATAL(f != NULL);
	how = XL_FILE_SYNC;
	CU_ASSERT_EQUAL(F->write(&test_xl, &root_call, f, 0, iov, 3, &how, &st), 8);
	CU_ASSERT_EQUAL(how, XL_FILE_SYNC);
	CU_ASSERT_EQUAL(st.st_size, 8);
	how = XL_DATA_SYNC;
	CU_ASSERT_EQUAL(test_write(&root_call, f, 100, "Z", &how), 1);
	CU_ASSERT(how >= XL_DATA_SYNC);
	CU_ASSERT_EQUAL(F->fsync(&test_xl, &root_call, f, false), 0);
	CU_ASSERT_EQUAL(F->fsync(&test_xl, &root_call, f, true), 0);
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, f, 0, 4, buf, &eof, &st), 4);
	CU_ASSERT_FALSE(eof);
	CU_ASSERT_EQUAL(memcmp(buf, "abcd", 4), 0);
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, f, 90, 64, buf, &eof, &st), 11);
	CU_ASSERT(eof);
	CU_ASSERT_EQUAL(buf[10], 'Z');
	CU_ASSERT_EQUAL(buf[0], 0); /* the hole */
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, f, 97, 4, buf, &eof, &st), 4);
	CU_ASSERT(eof); /* ends exactly at the end of file */
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, f, 1000, 4, buf, &eof, &st), 0);
	CU_ASSERT(eof);

	/* fsync-unstable turns every write into FILE_SYNC */
	test_conf.fsync_unstable = true;
	how = XL_UNSTABLE;
	CU_ASSERT_EQUAL(test_write(&root_call, f, 0, "q", &how), 1);
	CU_ASSERT_EQUAL(how, XL_FILE_SYNC);
	test_conf.fsync_unstable = false;
	xl_inode_unref(f);
	xl_inode_unref(root);
}

/* ---------------------------------------------------------------- namespace */

static void test_create_modes(void)
{
	struct xl_inode *root = test_root(), *f, *again = NULL;
	struct xl_setattr sa = { .valid = XL_SET_SIZE, .size = 0 };
	struct stat st;

	f = test_create(&user_call, root, "excl", 0640);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(test_write(&user_call, f, 0, "123456", NULL), 6);
	/* exclusive over an existing name */
	CU_ASSERT_EQUAL(F->create(&test_xl, &user_call, root, "excl", NULL, true, &again, &st),
			-EEXIST);
	CU_ASSERT_PTR_NULL(again);
	/* unchecked: the same file, truncated when asked */
	CU_ASSERT_EQUAL(F->create(&test_xl, &user_call, root, "excl", NULL, false, &again, &st),
			0);
	CU_ASSERT_PTR_EQUAL(again, f);
	CU_ASSERT_EQUAL(st.st_size, 6);
	xl_inode_unref(again);
	CU_ASSERT_EQUAL(F->create(&test_xl, &user_call, root, "excl", &sa, false, &again, &st), 0);
	CU_ASSERT_PTR_EQUAL(again, f);
	CU_ASSERT_EQUAL(st.st_size, 0);
	xl_inode_unref(again);
	/* unchecked over a directory */
	CU_ASSERT_EQUAL(F->create(&test_xl, &root_call, test_root(), "..", NULL, false, &again,
				  &st), -EINVAL);
	xl_inode_unref(root); /* the extra root reference above */
	again = test_mkdir(&root_call, root, "adir", 0700);
	xl_inode_unref(again);
	CU_ASSERT_EQUAL(F->create(&test_xl, &root_call, root, "adir", NULL, false, &again, &st),
			-EEXIST);
	/* no umask: modes apply as given; a root caller may give ownership */
	struct xl_setattr own = { .valid = XL_SET_MODE | XL_SET_UID | XL_SET_GID | XL_SET_MTIME,
				  .mode = 0666, .uid = 1000, .gid = 2000,
				  .mtime = { .tv_sec = 1000000000, .tv_nsec = 5 } };
	again = NULL;
	CU_ASSERT_EQUAL(F->create(&test_xl, &root_call, root, "given", &own, true, &again, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0666);
	CU_ASSERT_EQUAL(st.st_uid, 1000);
	CU_ASSERT_EQUAL(st.st_gid, 2000);
	CU_ASSERT_EQUAL(st.st_mtim.tv_sec, 1000000000);
	CU_ASSERT_EQUAL(st.st_mtim.tv_nsec, 5);
	if (again)
		xl_inode_unref(again);
	/* ... and an unprivileged one may not */
	again = NULL;
	CU_ASSERT_EQUAL(F->create(&test_xl, &user_call, root, "given2", &own, true, &again, &st),
			-EPERM);
	CU_ASSERT_PTR_NULL(again);
	/* names */
	CU_ASSERT_EQUAL(F->create(&test_xl, &root_call, root, "a/b", NULL, true, &again, &st),
			-EINVAL);
	char longname[300];
	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	CU_ASSERT_EQUAL(F->create(&test_xl, &root_call, root, longname, NULL, true, &again, &st),
			-ENAMETOOLONG);
	CU_ASSERT_EQUAL(test_lookup(&root_call, root, "absent", &again, NULL), -ENOENT);
	CU_ASSERT_EQUAL(test_lookup(&root_call, f, "x", &again, NULL), -ENOTDIR);
	xl_inode_unref(f);
	xl_inode_unref(root);
}

static void test_rename(void)
{
	struct xl_inode *root = test_root(), *d, *a, *b, *e1, *e2, *sub, *x;
	struct stat st;

	test_conf.sync_metadata = true; /* the flushing path too */
	d = test_mkdir(&root_call, root, "ren", 0755);
	CU_ASSERT_FATAL(d != NULL);
	a = test_create(&root_call, d, "a", 0644);
	b = test_create(&root_call, d, "b", 0644);
	CU_ASSERT_FATAL(a && b);
	/* over a file: the old target goes stale */
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "a", d, "b"), 0);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, b, &st), -ESTALE);
	CU_ASSERT_EQUAL(test_lookup(&root_call, d, "b", &x, NULL), 0);
	CU_ASSERT_PTR_EQUAL(x, a);
	xl_inode_unref(x);
	CU_ASSERT_EQUAL(test_lookup(&root_call, d, "a", &x, NULL), -ENOENT);
	/* a dir over an empty dir */
	e1 = test_mkdir(&root_call, d, "e1", 0755);
	e2 = test_mkdir(&root_call, d, "e2", 0755);
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "e1", d, "e2"), 0);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, e2, &st), -ESTALE);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, e1, &st), 0);
	/* a dir into its own subtree */
	sub = test_mkdir(&root_call, e1, "sub", 0755);
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "e2", sub, "loop"), -EINVAL);
	/* over a non-empty dir */
	x = test_mkdir(&root_call, d, "e3", 0755);
	xl_inode_unref(x);
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "e3", d, "e2"), -ENOTEMPTY);
	/* type mismatches */
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "b", d, "e3"), -EISDIR);
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "e3", d, "b"), -ENOTDIR);
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "nothing", d, "b"), -ENOENT);
	/* rmdir of a non-empty and an empty dir; unlink of a dir */
	CU_ASSERT_EQUAL(F->rmdir(&test_xl, &root_call, d, "e2"), -ENOTEMPTY);
	CU_ASSERT_EQUAL(F->unlink(&test_xl, &root_call, d, "e3"), -EISDIR);
	CU_ASSERT_EQUAL(F->rmdir(&test_xl, &root_call, d, "b"), -ENOTDIR);
	CU_ASSERT_EQUAL(F->rmdir(&test_xl, &root_call, d, "e3"), 0);
	/* across directories, keeping identity */
	CU_ASSERT_EQUAL(F->rename(&test_xl, &root_call, d, "b", sub, "moved"), 0);
	CU_ASSERT_EQUAL(test_lookup(&root_call, sub, "moved", &x, NULL), 0);
	CU_ASSERT_PTR_EQUAL(x, a);
	xl_inode_unref(x);
	test_conf.sync_metadata = false;
	xl_inode_unref(sub);
	xl_inode_unref(e1);
	xl_inode_unref(e2);
	xl_inode_unref(a);
	xl_inode_unref(b);
	xl_inode_unref(d);
	xl_inode_unref(root);
}

static void test_special(void)
{
	struct xl_inode *root = test_root(), *n = NULL, *f, *l = NULL, *x = NULL;
	struct stat st;
	char buf[64];
	int len;

	CU_ASSERT_EQUAL(F->mknod(&test_xl, &user_call, root, "fifo", S_IFIFO | 0640, 0, NULL, &n,
				 &st), 0);
	CU_ASSERT(S_ISFIFO(st.st_mode));
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0640);
	CU_ASSERT_EQUAL(st.st_uid, 1000);
	xl_inode_unref(n);
	CU_ASSERT_EQUAL(F->mknod(&test_xl, &user_call, root, "sock", S_IFSOCK | 0600, 0, NULL, &n,
				 &st), 0);
	CU_ASSERT(S_ISSOCK(st.st_mode));
	xl_inode_unref(n);
	CU_ASSERT_EQUAL(F->mknod(&test_xl, &root_call, root, "null", S_IFCHR | 0666,
				 makedev(1, 3), NULL, &n, &st), 0);
	CU_ASSERT(S_ISCHR(st.st_mode));
	CU_ASSERT_EQUAL(st.st_rdev, makedev(1, 3));
	/* the device node is not opened for I/O */
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, n, 0, 4, buf, &(bool){ 0 }, &st), -EINVAL);
	xl_inode_unref(n);
	CU_ASSERT_EQUAL(F->mknod(&test_xl, &root_call, root, "blk", S_IFBLK | 0600, makedev(7, 0),
				 NULL, &n, &st), 0);
	CU_ASSERT(S_ISBLK(st.st_mode));
	xl_inode_unref(n);
	/* devices need privilege */
	n = NULL;
	CU_ASSERT_EQUAL(F->mknod(&test_xl, &user_call, root, "null2", S_IFCHR | 0666,
				 makedev(1, 3), NULL, &n, &st), -EPERM);
	CU_ASSERT_EQUAL(F->mknod(&test_xl, &root_call, root, "reg", S_IFREG | 0666, 0, NULL, &n,
				 &st), -EINVAL);

	/* symlinks are stored and never followed */
	CU_ASSERT_EQUAL(F->symlink(&test_xl, &user_call, root, "lnk", "/etc/passwd", NULL, &l,
				   &st), 0);
	CU_ASSERT(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(st.st_uid, 1000);
	len = F->readlink(&test_xl, &user_call, l, buf, sizeof(buf));
	CU_ASSERT_EQUAL(len, 11);
	CU_ASSERT_EQUAL(memcmp(buf, "/etc/passwd", 11), 0);
	CU_ASSERT_EQUAL(test_lookup(&root_call, root, "lnk", &x, &st), 0);
	CU_ASSERT(S_ISLNK(st.st_mode));
	CU_ASSERT_PTR_EQUAL(x, l);
	xl_inode_unref(x);
	CU_ASSERT_EQUAL(F->read(&test_xl, &root_call, l, 0, 4, buf, &(bool){ 0 }, &st), -EINVAL);
	CU_ASSERT_EQUAL(F->readlink(&test_xl, &root_call, root, buf, sizeof(buf)), -EINVAL);
	/* a symlink's own times */
	struct xl_setattr sa = { .valid = XL_SET_MTIME | XL_SET_MODE, .mode = 0600,
				 .mtime = { .tv_sec = 123456789 } };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, l, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_mtim.tv_sec, 123456789);
	CU_ASSERT(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(F->symlink(&test_xl, &user_call, root, "lnk", "x", NULL, &x, &st),
			-EEXIST);

	/* hard links: the same object under two names */
	f = test_create(&user_call, root, "orig", 0644);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(F->link(&test_xl, &user_call, f, root, "hard", &st), 0);
	CU_ASSERT_EQUAL(st.st_nlink, 2);
	CU_ASSERT_EQUAL(test_lookup(&user_call, root, "hard", &x, NULL), 0);
	CU_ASSERT_PTR_EQUAL(x, f);
	xl_inode_unref(x);
	CU_ASSERT_EQUAL(F->link(&test_xl, &user_call, l, root, "hardlnk", &st), 0);
	CU_ASSERT(S_ISLNK(st.st_mode));
	CU_ASSERT_EQUAL(F->link(&test_xl, &user_call, f, root, "hard", &st), -EEXIST);
	CU_ASSERT_EQUAL(F->link(&test_xl, &root_call, root, root, "rootlink", &st), -EPERM);
	/* one name gone, the object lives on */
	CU_ASSERT_EQUAL(F->unlink(&test_xl, &user_call, root, "orig"), 0);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &user_call, f, &st), 0);
	CU_ASSERT_EQUAL(st.st_nlink, 1);
	xl_inode_unref(f);
	xl_inode_unref(l);
	xl_inode_unref(root);
}

static void test_setattr(void)
{
	struct xl_inode *root = test_root(), *f, *d;
	struct xl_setattr sa;
	struct stat st;

	f = test_create(&user_call, root, "attrs", 0644);
	d = test_mkdir(&user_call, root, "attrdir", 0755);
	CU_ASSERT_FATAL(f && d);
	CU_ASSERT_EQUAL(test_write(&user_call, f, 0, "0123456789", NULL), 10);

	sa = (struct xl_setattr){ .valid = XL_SET_SIZE, .size = 4 };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 4);
	sa.size = 1 << 20;
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 1 << 20);
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &other_call, f, &sa, &st), -EACCES);
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, d, &sa, &st), -EISDIR);

	/* the owner truncates his 0444 file (NFS owner override) */
	sa = (struct xl_setattr){ .valid = XL_SET_MODE, .mode = 0444 };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0444);
	sa = (struct xl_setattr){ .valid = XL_SET_SIZE, .size = 0 };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_size, 0);

	/* mode: owner yes, others no */
	sa = (struct xl_setattr){ .valid = XL_SET_MODE, .mode = 04750 };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &other_call, f, &sa, &st), -EPERM);
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 04750);
	/* a write by a non-root caller clears set-uid */
	CU_ASSERT_EQUAL(test_write(&user_call, f, 0, "w", NULL), 1);
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, f, &st), 0);
	CU_ASSERT_EQUAL(st.st_mode & 07777, 0750);

	/* times: explicit, now, omitted */
	sa = (struct xl_setattr){ .valid = XL_SET_ATIME | XL_SET_MTIME,
				  .atime = { .tv_sec = 1111, .tv_nsec = 2 },
				  .mtime = { .tv_sec = 3333, .tv_nsec = 4 } };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &other_call, f, &sa, &st), -EPERM);
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_atim.tv_sec, 1111);
	CU_ASSERT_EQUAL(st.st_atim.tv_nsec, 2);
	CU_ASSERT_EQUAL(st.st_mtim.tv_sec, 3333);
	CU_ASSERT_EQUAL(st.st_mtim.tv_nsec, 4);
	sa = (struct xl_setattr){ .valid = XL_SET_MTIME_NOW };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), 0);
	CU_ASSERT(st.st_mtim.tv_sec > time(NULL) - 60);
	CU_ASSERT_EQUAL(st.st_atim.tv_sec, 1111);

	/* ownership: root gives it away, the owner may not; group to a member group */
	sa = (struct xl_setattr){ .valid = XL_SET_UID, .uid = 2000 };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &user_call, f, &sa, &st), -EPERM);
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &root_call, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_uid, 2000);
	struct xl_call member = { .uid = 2000, .gid = 2000, .ngroups = 1, .groups = { 3000 } };
	sa = (struct xl_setattr){ .valid = XL_SET_GID, .gid = 3000 };
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &member, f, &sa, &st), 0);
	CU_ASSERT_EQUAL(st.st_gid, 3000);
	sa.gid = 4000;
	CU_ASSERT_EQUAL(F->setattr(&test_xl, &member, f, &sa, &st), -EPERM);

	xl_inode_unref(d);
	xl_inode_unref(f);
	xl_inode_unref(root);
}

static void test_statfs(void)
{
	struct xl_inode *root = test_root();
	struct statvfs sv, want;

	CU_ASSERT_EQUAL(F->statfs(&test_xl, &user_call, root, &sv), 0);
	CU_ASSERT_EQUAL(statvfs(test_dir, &want), 0);
	CU_ASSERT(sv.f_blocks > 0);
	CU_ASSERT_EQUAL(sv.f_blocks, want.f_blocks);
	CU_ASSERT_EQUAL(sv.f_bsize, want.f_bsize);
	CU_ASSERT_EQUAL(sv.f_fsid, want.f_fsid);
	xl_inode_unref(root);
}

/* ---------------------------------------------------------------- readdir */

struct test_listing {
	GPtrArray *names;
	GArray *cookies;
	GPtrArray *gfids;
	int limit;   /* entries to take per call; 0: all */
	int taken;
	bool plus;
};

static int test_fill(void *p, const struct xl_dirent *ent)
{
	struct test_listing *l = p;

	if (l->limit && l->taken == l->limit)
		return 1;
	CU_ASSERT(ent->cookie != 0);
	CU_ASSERT(ent->ino != 0);
	if (l->plus) {
		CU_ASSERT(ent->has_attr);
		CU_ASSERT_EQUAL(ent->st.st_ino, ent->ino);
		g_ptr_array_add(l->gfids, g_memdup2(&ent->gfid, sizeof(ent->gfid)));
	}
	g_ptr_array_add(l->names, g_strdup(ent->name));
	g_array_append_val(l->cookies, ent->cookie);
	l->taken++;
	return 0;
}

static void test_listing_init(struct test_listing *l, int limit, bool plus)
{
	memset(l, 0, sizeof(*l));
	l->names = g_ptr_array_new_with_free_func(g_free);
	l->cookies = g_array_new(FALSE, FALSE, sizeof(uint64_t));
	l->gfids = g_ptr_array_new_with_free_func(g_free);
	l->limit = limit;
	l->plus = plus;
}

static void test_listing_free(struct test_listing *l)
{
	g_ptr_array_free(l->names, TRUE);
	g_array_free(l->cookies, TRUE);
	g_ptr_array_free(l->gfids, TRUE);
}

#define TEST_NENTRIES 1200

static void test_readdir(void)
{
	struct xl_inode *root = test_root(), *d, *x;
	struct test_listing all, part;
	GHashTable *seen;
	uint64_t cookie = 0;
	bool eof = false;
	char *path;
	int calls = 0;

	d = test_mkdir(&root_call, root, "big", 0755);
	CU_ASSERT_FATAL(d != NULL);
	for (int i = 0; i < TEST_NENTRIES; i++) {
		path = g_strdup_printf("%s/big/entry-%04d-with-a-longer-name", test_dir, i);
		int fd = open(path, O_CREAT | O_WRONLY, 0644);
		CU_ASSERT(fd >= 0);
		close(fd);
		g_free(path);
	}

	/* everything at once */
	test_listing_init(&all, 0, false);
	CU_ASSERT_EQUAL(F->readdir(&test_xl, &root_call, d, 0, false, test_fill, &all, &eof), 0);
	CU_ASSERT(eof);
	CU_ASSERT_EQUAL(all.names->len, TEST_NENTRIES + 2);

	/* in batches of 7, resuming from the last cookie: each name once */
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	test_listing_init(&part, 7, true);
	eof = false;
	while (!eof && calls < 10000) {
		guint before = part.names->len;

		part.taken = 0;
		CU_ASSERT_EQUAL_FATAL(F->readdir(&test_xl, &root_call, d, cookie, true, test_fill,
						 &part, &eof), 0);
		if (part.names->len > before)
			cookie = g_array_index(part.cookies, uint64_t, part.names->len - 1);
		calls++;
	}
	CU_ASSERT(eof);
	CU_ASSERT_EQUAL(part.names->len, TEST_NENTRIES + 2);
	for (guint i = 0; i < part.names->len; i++) {
		const char *name = g_ptr_array_index(part.names, i);

		CU_ASSERT_FALSE(g_hash_table_contains(seen, name));
		g_hash_table_add(seen, g_strdup(name));
	}
	CU_ASSERT(g_hash_table_contains(seen, "."));
	CU_ASSERT(g_hash_table_contains(seen, ".."));
	CU_ASSERT(g_hash_table_contains(seen, "entry-0000-with-a-longer-name"));
	CU_ASSERT(g_hash_table_contains(seen, "entry-1199-with-a-longer-name"));
	/* plus gives the gfid lookup gives */
	for (guint i = 0; i < part.names->len; i += 97) {
		const char *name = g_ptr_array_index(part.names, i);

		CU_ASSERT_EQUAL(test_lookup(&root_call, d, name, &x, NULL), 0);
		CU_ASSERT(xl_gfid_equal(xl_inode_gfid(x), g_ptr_array_index(part.gfids, i)));
		xl_inode_unref(x);
	}

	/* resuming from every cookie gives the entry that followed it */
	for (guint i = 0; i + 1 < all.names->len; i++) {
		struct test_listing one;

		test_listing_init(&one, 1, false);
		CU_ASSERT_EQUAL(F->readdir(&test_xl, &root_call, d,
					   g_array_index(all.cookies, uint64_t, i), false, test_fill,
					   &one, &eof), 0);
		CU_ASSERT_EQUAL(one.names->len, 1);
		if (one.names->len == 1)
			CU_ASSERT_STRING_EQUAL(g_ptr_array_index(one.names, 0),
					       g_ptr_array_index(all.names, i + 1));
		test_listing_free(&one);
	}
	/* the last cookie: nothing more, eof */
	test_listing_init(&part, 0, false);
	CU_ASSERT_EQUAL(F->readdir(&test_xl, &root_call, d,
				   g_array_index(all.cookies, uint64_t, all.names->len - 1), false,
				   test_fill, &part, &eof), 0);
	CU_ASSERT(eof);
	CU_ASSERT_EQUAL(part.names->len, 0);
	test_listing_free(&part);

	/* at the root, ".." is the root itself */
	test_listing_init(&part, 0, true);
	part.plus = false;
	CU_ASSERT_EQUAL(F->readdir(&test_xl, &root_call, root, 0, true, test_fill, &part, &eof),
			0);
	for (guint i = 0; i < part.names->len; i++)
		if (!strcmp(g_ptr_array_index(part.names, i), ".."))
			part.taken = -1000;
	CU_ASSERT(part.taken < 0);
	test_listing_free(&part);
	struct stat rst;
	CU_ASSERT_EQUAL(F->getattr(&test_xl, &root_call, root, &rst), 0);
	test_listing_init(&part, 0, true);
	CU_ASSERT_EQUAL(F->readdir(&test_xl, &root_call, root, 0, true, test_fill, &part, &eof),
			0);
	for (guint i = 0; i < part.names->len; i++)
		if (!strcmp(g_ptr_array_index(part.names, i), ".."))
			CU_ASSERT(xl_gfid_equal(g_ptr_array_index(part.gfids, i),
						xl_inode_gfid(root)));
	test_listing_free(&part);

	/* not a directory; listing needs read permission */
	x = test_create(&root_call, d, "zz-file", 0644);
	CU_ASSERT_EQUAL(F->readdir(&test_xl, &root_call, x, 0, false, test_fill, &all, &eof),
			-ENOTDIR);
	xl_inode_unref(x);
	x = test_mkdir(&root_call, root, "secret", 0700);
	CU_ASSERT_EQUAL(F->readdir(&test_xl, &user_call, x, 0, false, test_fill, &all, &eof),
			-EACCES);
	xl_inode_unref(x);

	g_hash_table_destroy(seen);
	test_listing_free(&all);
	xl_inode_unref(d);
	xl_inode_unref(root);
}

/* ---------------------------------------------------------------- threads */

struct test_thread {
	struct xl_call call;
	struct xl_gfid gfid;
	struct xl_inode *dir;
	int index;
	int errors;
};

/* Many threads race to create the context of the same inode (as after a
 * restart) while each also creates files as its own user. */
static void *test_thread_main(void *p)
{
	struct test_thread *t = p;
	struct xl_inode *inode, *out;
	char name[32], buf[8];
	struct stat st;
	bool eof;

	for (int i = 0; i < 200; i++) {
		inode = xl_inode_get(test_graph.itable, &t->gfid);
		if (F->getattr(&test_xl, &t->call, inode, &st) != 0)
			t->errors++;
		if (F->read(&test_xl, &t->call, inode, 0, sizeof(buf), buf, &eof, &st) != 5)
			t->errors++;
		xl_inode_unref(inode);
		snprintf(name, sizeof(name), "t%d-%d", t->index, i);
		out = NULL;
		if (F->create(&test_xl, &t->call, t->dir, name, NULL, true, &out, &st) != 0 ||
		    st.st_uid != t->call.uid)
			t->errors++;
		if (out)
			xl_inode_unref(out);
		if (F->unlink(&test_xl, &t->call, t->dir, name) != 0)
			t->errors++;
	}
	return NULL;
}

static void test_threads(void)
{
	struct xl_inode *root = test_root(), *d, *f;
	struct test_thread t[4];
	pthread_t tid[4];
	struct xl_gfid gfid;

	d = test_mkdir(&root_call, root, "threads", 0777);
	f = test_create(&root_call, d, "shared", 0644);
	CU_ASSERT_FATAL(d && f);
	CU_ASSERT_EQUAL(test_write(&root_call, f, 0, "12345", NULL), 5);
	gfid = *xl_inode_gfid(f);
	xl_inode_unref(f);
	xl_inode_unref(d);
	xl_inode_unref(root);
	/* restart so that no context exists yet */
	test_stop();
	CU_ASSERT_EQUAL_FATAL(test_start(), 0);
	root = test_root();
	CU_ASSERT_EQUAL_FATAL(test_lookup(&root_call, root, "threads", &d, NULL), 0);
	for (int i = 0; i < 4; i++) {
		memset(&t[i], 0, sizeof(t[i]));
		t[i].call.uid = 1000 + (uid_t)i;
		t[i].call.gid = 1000 + (gid_t)i;
		t[i].gfid = gfid;
		t[i].dir = d;
		t[i].index = i;
		pthread_create(&tid[i], NULL, test_thread_main, &t[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		CU_ASSERT_EQUAL(t[i].errors, 0);
	}
	xl_inode_unref(d);
	xl_inode_unref(root);
}

/* Every context's descriptors are closed when the inode table goes. */
static void test_fd_leaks(void)
{
	test_stop();
	CU_ASSERT_EQUAL(test_count_fds(), test_fds_before);
	CU_ASSERT_EQUAL_FATAL(test_start(), 0);
}

/* A mount point inside the export is refused (its handles belong to
 * another filesystem); readdirplus lists it without attributes. Runs in
 * a private mount namespace so nothing outside this process sees it. */
static void test_mount_point(void)
{
	struct xl_inode *root = test_root(), *m = NULL, *x = NULL;
	struct test_listing l;
	char *path = g_build_filename(test_dir, "mnt", NULL);
	bool eof, found = false;

	m = test_mkdir(&root_call, root, "mnt", 0755);
	if (unshare(CLONE_NEWNS) < 0 || mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) < 0 ||
	    mount("tmpfs", path, "tmpfs", 0, "size=1m") < 0) {
		fprintf(stderr, "(no private mount namespace: %s; skipped) ", strerror(errno));
		goto out;
	}
	/* descriptors opened before unshare() still see the old namespace:
	 * restart so that the export is opened in the new one */
	xl_inode_unref(m);
	xl_inode_unref(root);
	test_stop();
	CU_ASSERT_EQUAL_FATAL(test_start(), 0);
	root = test_root();
	m = NULL;
	CU_ASSERT_EQUAL(test_lookup(&root_call, root, "mnt", &x, NULL), -EXDEV);
	CU_ASSERT_PTR_NULL(x);
	test_listing_init(&l, 0, false);
	CU_ASSERT_EQUAL(F->readdir(&test_xl, &root_call, root, 0, true, test_fill, &l, &eof), 0);
	CU_ASSERT(eof);
	for (guint i = 0; i < l.names->len; i++)
		found |= !strcmp(g_ptr_array_index(l.names, i), "mnt");
	CU_ASSERT(found);
	test_listing_free(&l);
	CU_ASSERT_EQUAL(umount(path), 0);
	CU_ASSERT_EQUAL(test_lookup(&root_call, root, "mnt", &x, NULL), 0);
	if (x)
		xl_inode_unref(x);
out:
	g_free(path);
	if (m)
		xl_inode_unref(m);
	xl_inode_unref(root);
}

static void test_init_errors(void)
{
	struct posix_conf conf = { .directory = "/nonexistent/xlnfs-test" };
	struct xl xl = { .name = "bad", .module = &xl_module, .conf = &conf,
			 .graph = &test_graph };

	CU_ASSERT_EQUAL(xl_module.init(&xl), -ENOENT);
	/* a missing directory is a start-up error, not a --check error */
	CU_ASSERT_EQUAL(xl_module.validate(&xl), 0);
	conf.directory = NULL;
	CU_ASSERT_EQUAL(xl_module.validate(&xl), -EINVAL);
	conf.directory = "/etc/passwd";
	CU_ASSERT_EQUAL(xl_module.init(&xl), -ENOTDIR);
	CU_ASSERT_PTR_NULL(xl.private);
}

int main(void)
{
	CU_pSuite suite;

	if (geteuid() != 0) {
		fprintf(stderr, "test_posix: needs root (credentials and file handles); skipped\n");
		return 77;
	}
	xl_log_set_level(XL_LOG_CRITICAL);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return CU_get_error();
	suite = CU_add_suite("storage/posix", suite_init, suite_fini);
	CU_add_test(suite, "init errors", test_init_errors);
	CU_add_test(suite, "identity across rename and restart", test_identity_restart);
	CU_add_test(suite, "stale objects", test_stale);
	CU_add_test(suite, "read/write permissions", test_permissions);
	CU_add_test(suite, "read/write data and stability", test_read_write);
	CU_add_test(suite, "create modes", test_create_modes);
	CU_add_test(suite, "rename semantics", test_rename);
	CU_add_test(suite, "mknod, symlink, link", test_special);
	CU_add_test(suite, "setattr", test_setattr);
	CU_add_test(suite, "statfs", test_statfs);
	CU_add_test(suite, "readdir cookies", test_readdir);
	CU_add_test(suite, "mount point inside the export", test_mount_point);
	CU_add_test(suite, "threads", test_threads);
	CU_add_test(suite, "no descriptor leaks", test_fd_leaks);
	return cunit_run();
}

/*
 * test_memory.c — storage/memory's POSIX semantics through the framework
 * (graphs from inline volfiles, fops by xl_fop_* and xl_lookup & co.):
 * create/exclusive create, permissions as other users (owner/group/other
 * classes, root bypass, sticky directories, set-id clearing, knfsd's
 * owner override), times, link counts, rename's edge cases, readdir
 * cookies resuming after removals, sparse files and the zero-copy READ
 * (pointer identity with the block, copy on write), ENOSPC at the size
 * and inode limits, xattrs with add and compare-and-set, locks, wcc.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "xlator.h"
#include "cunit_main.h"

static struct xl_graph *graph;
static struct xl *vol;
static struct xl_inode *root;

static struct xl_call as(uid_t uid, gid_t gid)
{
	struct xl_call c = {0};

	c.cred.uid = uid;
	c.cred.gid = gid;
	return c;
}

static struct xl_call ROOT, ALICE, BOB;
static int thread_errors;

/* Build the store with extra option lines @opts; sets vol and root. */
static int start(const char *opts)
{
	char *text = g_strdup_printf("volume mem\n type storage/memory\n%s\nend-volume\n",
				     opts ? opts : "");
	int ret;

	ret = xl_graph_load_text("mem.vol", text, XLATOR_BUILD_DIR, &graph);
	g_free(text);
	if (ret)
		return ret;
	ret = xl_graph_init(graph);
	if (ret)
		return ret;
	vol = graph->top;
	return xl_lookup(vol, &ROOT, NULL, NULL, &root, NULL, NULL);
}

static void stop(void)
{
	xl_inode_unref(root);
	root = NULL;
	xl_graph_free(graph);
	graph = NULL;
}

static struct xl_inode *mkfile(struct xl_call *c, struct xl_inode *dir, const char *name,
			       mode_t mode, int *err)
{
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = mode};
	struct xl_inode *in = NULL;

	*err = xl_create(vol, c, dir, name, NULL, &sa, true, &in, NULL, NULL);
	return in;
}

static struct xl_inode *mkdir_(struct xl_call *c, struct xl_inode *dir, const char *name,
			       mode_t mode)
{
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = mode};
	struct xl_inode *in = NULL;

	CU_ASSERT_EQUAL(xl_mkdir(vol, c, dir, name, NULL, &sa, &in, NULL, NULL), 0);
	return in;
}

static int wr(struct xl_call *c, struct xl_inode *in, uint64_t off, const char *s)
{
	size_t len = strlen(s);
	struct xl_iobuf *iob = xl_iobuf_new(len);
	struct xl_data d = {.iobuf = iob, .ptr = iob->data, .len = len};
	enum xl_stable st = XL_UNSTABLE;
	int ret;

	memcpy(iob->data, s, len);
	ret = xl_fop_write(vol, c, in, off, &d, &st, NULL);
	xl_iobuf_unref(iob);
	return ret;
}

static struct xl_iatt attr_of(struct xl_inode *in)
{
	struct xl_iatt ia = {0};

	CU_ASSERT_EQUAL(xl_fop_getattr(vol, &ROOT, in, &ia), 0);
	return ia;
}

static int chown_(struct xl_inode *in, uid_t uid, gid_t gid)
{
	struct xl_setattr sa = {.valid = XL_SET_UID | XL_SET_GID, .uid = uid, .gid = gid};

	return xl_fop_setattr(vol, &ROOT, in, &sa, NULL);
}

static int chmod_(struct xl_call *c, struct xl_inode *in, mode_t mode)
{
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = mode};

	return xl_fop_setattr(vol, c, in, &sa, NULL);
}

static void tick(void)
{
	/* more than a tick of the coarse clock the store stamps times with */
	struct timespec ts = {0, 12000000};

	nanosleep(&ts, NULL);
}

static bool ts_after(struct timespec a, struct timespec b)
{
	return a.tv_sec > b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec > b.tv_nsec);
}

static bool ts_eq(struct timespec a, struct timespec b)
{
	return a.tv_sec == b.tv_sec && a.tv_nsec == b.tv_nsec;
}

/* ------------------------------------------------------------ tests */

static void test_root_and_create(void)
{
	struct xl_id id;
	struct xl_iatt ia, dia;
	struct xl_inode *f, *again;
	struct xl_wcc wcc;
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = 0640};
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	ia = attr_of(root);
	CU_ASSERT(xl_id_equal(&ia.id, &XL_ID_ROOT));
	CU_ASSERT(S_ISDIR(ia.mode));
	CU_ASSERT_EQUAL(ia.nlink, 2);

	xl_id_generate(&id);
	dia = attr_of(root);
	tick();
	CU_ASSERT_EQUAL(xl_create(vol, &ALICE, root, "f", &id, &sa, true, &f, &ia, &wcc),
			-EACCES); /* root dir is 0755 root */
	CU_ASSERT_EQUAL(chmod_(&ROOT, root, 0777), 0);
	dia = attr_of(root);
	tick();
	CU_ASSERT_EQUAL_FATAL(xl_create(vol, &ALICE, root, "f", &id, &sa, true, &f, &ia, &wcc), 0);
	CU_ASSERT(xl_id_equal(&ia.id, &id)); /* the id the caller chose */
	CU_ASSERT_EQUAL(ia.mode, S_IFREG | 0640);
	CU_ASSERT_EQUAL(ia.uid, 1000);
	CU_ASSERT_EQUAL(ia.nlink, 1);
	/* wcc: pre is the directory before, post after */
	CU_ASSERT(ts_eq(wcc.pre.mtime, dia.mtime));
	CU_ASSERT_EQUAL(wcc.pre.size, dia.size);
	CU_ASSERT(ts_after(wcc.post.mtime, dia.mtime));
	CU_ASSERT(ts_eq(wcc.post.mtime, attr_of(root).mtime));

	/* exclusive: EEXIST; unchecked: the same file, a size applied */
	CU_ASSERT_EQUAL(xl_create(vol, &ALICE, root, "f", NULL, &sa, true, &again, NULL, NULL),
			-EEXIST);
	CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "hello"), 5);
	sa.valid = XL_SET_SIZE;
	sa.size = 2;
	CU_ASSERT_EQUAL(xl_create(vol, &ALICE, root, "f", NULL, &sa, false, &again, &ia, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, f);
	CU_ASSERT(xl_id_equal(&ia.id, &id));
	CU_ASSERT_EQUAL(ia.size, 2);
	xl_inode_unref(again);
	/* an id already in use */
	CU_ASSERT_EQUAL(xl_create(vol, &ALICE, root, "g", &id, NULL, true, &again, NULL, NULL),
			-EEXIST);
	/* lookup gives the same inode; "." and ".." of the root are the root */
	CU_ASSERT_EQUAL(xl_lookup(vol, &BOB, root, "f", &again, NULL, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, f);
	xl_inode_unref(again);
	CU_ASSERT_EQUAL(xl_lookup(vol, &BOB, root, "..", &again, NULL, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, root);
	xl_inode_unref(again);
	CU_ASSERT_EQUAL(xl_lookup(vol, &BOB, root, "nope", &again, NULL, NULL), -ENOENT);
	CU_ASSERT_EQUAL(xl_create(vol, &ALICE, root, ".", NULL, NULL, true, &again, NULL, NULL),
			-EEXIST);
	xl_inode_unref(mkfile(&ALICE, root, "x", 0600, &err));
	CU_ASSERT_EQUAL(err, 0);
	xl_inode_unref(f);
	stop();
}

static void test_permissions(void)
{
	struct xl_inode *d, *f, *in;
	struct xl_call carol = as(3000, 3000);
	struct xl_data out;
	uint32_t granted;
	bool eof;
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	CU_ASSERT_EQUAL(chmod_(&ROOT, root, 0777), 0);
	d = mkdir_(&ALICE, root, "d", 0750);
	CU_ASSERT_EQUAL(chown_(d, 1000, 500), 0);
	/* other: no search */
	CU_ASSERT_EQUAL(xl_lookup(vol, &BOB, d, "x", &in, NULL, NULL), -EACCES);
	/* group via a supplementary group: search but no write */
	carol.cred.ngroups = 1;
	carol.cred.groups[0] = 500;
	CU_ASSERT_EQUAL(xl_lookup(vol, &carol, d, "x", &in, NULL, NULL), -ENOENT);
	CU_ASSERT_PTR_NULL(mkfile(&carol, d, "x", 0644, &err));
	CU_ASSERT_EQUAL(err, -EACCES);
	f = mkfile(&ALICE, d, "x", 0604, &err);
	CU_ASSERT_EQUAL_FATAL(err, 0);
	CU_ASSERT_EQUAL(chown_(f, 1000, 500), 0);
	/* the owner class decides for the owner, even when "other" allows */
	CU_ASSERT_EQUAL(chmod_(&ALICE, f, 0004), 0);
	CU_ASSERT_EQUAL(xl_fop_access(vol, &ALICE, f, XL_ACCESS_READ, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, 0);
	CU_ASSERT_EQUAL(xl_fop_access(vol, &carol, f, XL_ACCESS_READ, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, 0); /* group class: 0 */
	/* root reads and writes anything, executes only with an x bit */
	CU_ASSERT_EQUAL(xl_fop_access(vol, &ROOT, f, XL_ACCESS_ALL, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, XL_ACCESS_READ | XL_ACCESS_MODIFY | XL_ACCESS_EXTEND);
	CU_ASSERT_EQUAL(chmod_(&BOB, f, 0777), -EPERM);
	/* knfsd's owner override: the owner writes a file it may not write */
	CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "mine"), 4);
	CU_ASSERT_EQUAL(wr(&carol, f, 0, "not"), -EACCES);
	/* READ with only exec permission (a client running a program) */
	CU_ASSERT_EQUAL(chmod_(&ALICE, f, 0710), 0);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &carol, f, 0, 4, &out, &eof, NULL), 4);
	xl_data_release(&out);
	CU_ASSERT_EQUAL(chmod_(&ALICE, f, 0700), 0);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &carol, f, 0, 4, &out, &eof, NULL), -EACCES);
	/* chown: only root gives away; the owner may change to its groups */
	CU_ASSERT_EQUAL(chown_(f, 1000, 1000), 0);
	{
		struct xl_setattr sa = {.valid = XL_SET_UID, .uid = 2000};

		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ALICE, f, &sa, NULL), -EPERM);
		sa.valid = XL_SET_GID;
		sa.gid = 500;
		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ALICE, f, &sa, NULL), -EPERM);
		ALICE.cred.ngroups = 1;
		ALICE.cred.groups[0] = 500;
		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ALICE, f, &sa, NULL), 0);
		ALICE.cred.ngroups = 0;
		/* utimes to a given time: owner only; to now: write permission */
		sa.valid = XL_SET_MTIME;
		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &BOB, f, &sa, NULL), -EPERM);
		sa.valid = XL_SET_MTIME_NOW;
		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &BOB, f, &sa, NULL), -EACCES);
	}
	/* devices need root */
	CU_ASSERT_EQUAL(xl_mknod(vol, &ALICE, d, "dev", S_IFCHR | 0600, makedev(1, 3), NULL, NULL,
				 &in, NULL, NULL), -EPERM);
	CU_ASSERT_EQUAL(xl_mknod(vol, &ALICE, d, "fifo", S_IFIFO | 0600, 0, NULL, NULL, &in, NULL,
				 NULL), 0);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_mknod(vol, &ROOT, d, "dev", S_IFCHR | 0600, makedev(1, 3), NULL, NULL,
				 &in, NULL, NULL), 0);
	CU_ASSERT_EQUAL(attr_of(in).rdev, makedev(1, 3));
	xl_inode_unref(in);
	xl_inode_unref(f);
	xl_inode_unref(d);
	stop();
}

static void test_sticky_and_setid(void)
{
	struct xl_inode *tmp, *a, *s, *g, *in;
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	tmp = mkdir_(&ROOT, root, "tmp", 01777);
	a = mkfile(&ALICE, tmp, "alice", 0666, &err);
	CU_ASSERT_EQUAL(err, 0);
	xl_inode_unref(mkfile(&BOB, tmp, "bob", 0666, &err));
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &BOB, tmp, "alice", NULL), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &BOB, tmp, "bob", tmp, "alice", NULL, NULL), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ALICE, tmp, "alice", tmp, "a2", NULL, NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, tmp, "bob", NULL), 0);

	/* a write by an unprivileged user clears set-uid and set-gid (g+x) */
	s = mkfile(&ROOT, tmp, "suid", 0777, &err);
	CU_ASSERT_EQUAL(chmod_(&ROOT, s, 06777), 0);
	CU_ASSERT_EQUAL(wr(&ROOT, s, 0, "r"), 1);
	CU_ASSERT_EQUAL(attr_of(s).mode & 07777, 06777); /* root keeps them */
	CU_ASSERT_EQUAL(wr(&BOB, s, 0, "b"), 1);
	CU_ASSERT_EQUAL(attr_of(s).mode & 07777, 0777);
	/* chown clears them too; set-gid without g+x is mandatory locking: kept */
	CU_ASSERT_EQUAL(chmod_(&ROOT, s, 06767), 0);
	CU_ASSERT_EQUAL(chown_(s, 1000, 1000), 0);
	CU_ASSERT_EQUAL(attr_of(s).mode & 07777, 02767);
	/* chmod g+s by a non-member drops the bit */
	CU_ASSERT_EQUAL(chown_(s, 1000, 700), 0);
	CU_ASSERT_EQUAL(chmod_(&ALICE, s, 02755), 0);
	CU_ASSERT_EQUAL(attr_of(s).mode & 07777, 0755);
	/* a set-gid directory gives its group and the bit to new directories */
	g = mkdir_(&ROOT, root, "sgid", 0777);
	CU_ASSERT_EQUAL(chown_(g, 0, 600), 0);
	CU_ASSERT_EQUAL(chmod_(&ROOT, g, 02777), 0);
	in = mkdir_(&ALICE, g, "sub", 0755);
	CU_ASSERT_EQUAL(attr_of(in).gid, 600);
	CU_ASSERT_EQUAL(attr_of(in).mode & 07777, 02755);
	xl_inode_unref(in);
	in = mkfile(&ALICE, g, "file", 0644, &err);
	CU_ASSERT_EQUAL(attr_of(in).gid, 600);
	xl_inode_unref(in);
	xl_inode_unref(g);
	xl_inode_unref(s);
	xl_inode_unref(a);
	xl_inode_unref(tmp);
	stop();
}

static void test_times(void)
{
	struct xl_inode *f;
	struct xl_iatt before, after;
	struct xl_data out;
	bool eof;
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	f = mkfile(&ROOT, root, "t", 0644, &err);
	before = attr_of(f);
	tick();
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, "data"), 4);
	after = attr_of(f);
	CU_ASSERT(ts_after(after.mtime, before.mtime));
	CU_ASSERT(ts_after(after.ctime, before.ctime));
	CU_ASSERT(ts_eq(after.atime, before.atime));
	before = after;
	tick();
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 0, 4, &out, &eof, NULL), 4);
	xl_data_release(&out);
	after = attr_of(f);
	CU_ASSERT(ts_after(after.atime, before.atime));
	CU_ASSERT(ts_eq(after.mtime, before.mtime));
	before = after;
	tick();
	CU_ASSERT_EQUAL(chmod_(&ROOT, f, 0600), 0);
	after = attr_of(f);
	CU_ASSERT(ts_after(after.ctime, before.ctime));
	CU_ASSERT(ts_eq(after.mtime, before.mtime));
	{
		struct xl_setattr sa = {.valid = XL_SET_ATIME | XL_SET_MTIME,
					.atime = {1000, 5}, .mtime = {2000, 7}};

		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, f, &sa, NULL), 0);
		after = attr_of(f);
		CU_ASSERT(ts_eq(after.atime, sa.atime));
		CU_ASSERT(ts_eq(after.mtime, sa.mtime));
	}
	/* a zero-length write changes nothing */
	before = attr_of(f);
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, ""), 0);
	CU_ASSERT(ts_eq(attr_of(f).mtime, before.mtime));
	xl_inode_unref(f);
	stop();
}

static void test_links(void)
{
	struct xl_inode *d, *f, *in;
	struct xl_iatt ia;
	struct xl_id id;
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	d = mkdir_(&ROOT, root, "d", 0755);
	CU_ASSERT_EQUAL(attr_of(root).nlink, 3);
	f = mkfile(&ROOT, d, "f", 0644, &err);
	id = attr_of(f).id;
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, f, root, "l1", &ia, NULL), 0);
	CU_ASSERT_EQUAL(ia.nlink, 2);
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, f, d, "l2", &ia, NULL), 0);
	CU_ASSERT_EQUAL(ia.nlink, 3);
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, f, d, "l2", &ia, NULL), -EEXIST);
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, d, root, "dl", &ia, NULL), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "f", NULL), 0);
	CU_ASSERT_EQUAL(attr_of(f).nlink, 2);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "l1", NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "d", NULL), -EISDIR);
	CU_ASSERT_EQUAL(xl_fop_rmdir(vol, &ROOT, root, "d", NULL), -ENOTEMPTY);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "l2", NULL), 0);
	/* the last link gone: the object is stale, and was forgotten */
	CU_ASSERT_EQUAL(xl_fop_getattr(vol, &ROOT, f, &ia), -ESTALE);
	CU_ASSERT_PTR_NULL(xl_inode_find(graph->itable, &id));
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &in, NULL), -ESTALE);
	/* directories: 2 + subdirectories */
	xl_inode_unref(mkdir_(&ROOT, d, "s1", 0755));
	xl_inode_unref(mkdir_(&ROOT, d, "s2", 0755));
	CU_ASSERT_EQUAL(attr_of(d).nlink, 4);
	CU_ASSERT_EQUAL(xl_fop_rmdir(vol, &ROOT, d, "s1", NULL), 0);
	CU_ASSERT_EQUAL(attr_of(d).nlink, 3);
	CU_ASSERT_EQUAL(xl_fop_rmdir(vol, &ROOT, d, "nope", NULL), -ENOENT);
	/* resolve by id finds a live object without a name */
	id = attr_of(d).id;
	xl_inode_unref(d);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &in, &ia), 0);
	CU_ASSERT(S_ISDIR(ia.mode));
	xl_inode_unref(in);
	xl_inode_unref(f);
	stop();
}

static void test_rename(void)
{
	struct xl_inode *a, *b, *sub, *f, *g, *in;
	struct xl_wcc ow, nw;
	struct xl_iatt before;
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	a = mkdir_(&ROOT, root, "a", 0755);
	b = mkdir_(&ROOT, root, "b", 0755);
	sub = mkdir_(&ROOT, a, "sub", 0755);
	f = mkfile(&ROOT, a, "f", 0644, &err);
	g = mkfile(&ROOT, b, "g", 0644, &err);
	/* over a file: the victim loses its link */
	before = attr_of(a);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, a, "f", b, "g", &ow, &nw), 0);
	CU_ASSERT(ts_eq(ow.pre.mtime, before.mtime));
	CU_ASSERT(ts_eq(ow.post.mtime, attr_of(a).mtime));
	CU_ASSERT_EQUAL(nw.post.size, attr_of(b).size);
	CU_ASSERT_EQUAL(xl_fop_getattr(vol, &ROOT, g, &before), -ESTALE);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, b, "g", &in, NULL, NULL), 0);
	CU_ASSERT_PTR_EQUAL(in, f);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, a, "f", &in, NULL, NULL), -ENOENT);
	/* file over directory, directory over file */
	xl_inode_unref(mkdir_(&ROOT, b, "empty", 0755));
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, b, "g", b, "empty", NULL, NULL), -EISDIR);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, b, "empty", b, "g", NULL, NULL), -ENOTDIR);
	/* into its own subtree */
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, "a", a, "x", NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, "a", sub, "x", NULL, NULL), -EINVAL);
	/* over a non-empty directory, then over an empty one */
	xl_inode_unref(mkfile(&ROOT, sub, "inside", 0644, &err));
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, b, "empty", a, "sub", NULL, NULL), -ENOTEMPTY);
	CU_ASSERT_EQUAL(attr_of(a).nlink, 3);
	CU_ASSERT_EQUAL(attr_of(b).nlink, 3);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, a, "sub", b, "empty", NULL, NULL), 0);
	CU_ASSERT_EQUAL(attr_of(a).nlink, 2);
	CU_ASSERT_EQUAL(attr_of(b).nlink, 3);
	/* the moved directory's ".." is its new parent */
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, sub, "..", &in, NULL, NULL), 0);
	CU_ASSERT_PTR_EQUAL(in, b);
	xl_inode_unref(in);
	/* two links to one file: nothing happens, both names stay */
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, f, b, "h", NULL, NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, b, "g", b, "h", NULL, NULL), 0);
	CU_ASSERT_EQUAL(attr_of(f).nlink, 2);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, b, "g", &in, NULL, NULL), 0);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, b, "missing", b, "x", NULL, NULL), -ENOENT);
	/* moving a directory elsewhere needs write permission on it */
	CU_ASSERT_EQUAL(chmod_(&ROOT, a, 0777), 0);
	CU_ASSERT_EQUAL(chmod_(&ROOT, b, 0777), 0);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ALICE, b, "empty", a, "sub", NULL, NULL),
			-EACCES);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ALICE, b, "g", a, "g", NULL, NULL), 0);
	xl_inode_unref(a);
	xl_inode_unref(b);
	xl_inode_unref(sub);
	xl_inode_unref(f);
	xl_inode_unref(g);
	stop();
}

struct rd_ctx {
	GPtrArray *names;
	int stop_after;     /* take this many, then say "full" */
	uint64_t last;
	bool ids;           /* every PLUS entry had an id */
};

static int rd_fill(void *p, const struct xl_dirent *e)
{
	struct rd_ctx *c = p;

	if (c->stop_after >= 0 && (int)c->names->len >= c->stop_after)
		return 1;
	CU_ASSERT(e->cookie != 0 && e->cookie <= XL_COOKIE_MASK);
	g_ptr_array_add(c->names, g_strdup(e->name));
	c->last = e->cookie;
	if (!(e->attr.valid & XL_IATT_ID))
		c->ids = false;
	return 0;
}

static void test_readdir_resume(void)
{
	struct rd_ctx c = {0};
	struct xl_inode *d, *in;
	GHashTable *seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	char name[32];
	bool eof;
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	d = mkdir_(&ROOT, root, "d", 0755);
	for (int i = 0; i < 300; i++) {
		snprintf(name, sizeof(name), "f%03d", i);
		xl_inode_unref(mkfile(&ROOT, d, name, 0644, &err));
	}
	c.names = g_ptr_array_new_with_free_func(g_free);
	c.stop_after = 12; /* ".", "..", f000..f009 */
	c.ids = true;
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, 0, XL_READDIR_PLUS, rd_fill, &c, &eof, NULL),
			0);
	CU_ASSERT_FALSE(eof);
	CU_ASSERT_EQUAL(c.names->len, 12);
	CU_ASSERT_STRING_EQUAL(c.names->pdata[0], ".");
	CU_ASSERT_STRING_EQUAL(c.names->pdata[1], "..");
	CU_ASSERT_STRING_EQUAL(c.names->pdata[11], "f009");
	CU_ASSERT(c.ids);
	for (guint i = 0; i < c.names->len; i++)
		g_hash_table_add(seen, g_strdup(c.names->pdata[i]));
	/* the entry we stopped after, and the next one, go away */
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "f009", NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "f010", NULL), 0);
	g_ptr_array_set_size(c.names, 0);
	c.stop_after = -1;
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, c.last, 0, rd_fill, &c, &eof, NULL), 0);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_EQUAL(c.names->len, 300 - 11);
	CU_ASSERT_STRING_EQUAL(c.names->pdata[0], "f011");
	for (guint i = 0; i < c.names->len; i++) {
		CU_ASSERT_FALSE(g_hash_table_contains(seen, c.names->pdata[i]));
		g_hash_table_add(seen, g_strdup(c.names->pdata[i]));
	}
	CU_ASSERT_EQUAL(g_hash_table_size(seen), 300 - 2 + 2 + 1 /* f009 read before */);
	/* a cookie never given */
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, c.last + 1000, 0, rd_fill, &c, &eof, NULL),
			-EINVAL);
	/* no read permission */
	CU_ASSERT_EQUAL(chmod_(&ROOT, d, 0711), 0);
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ALICE, d, 0, 0, rd_fill, &c, &eof, NULL), -EACCES);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ALICE, d, "f100", &in, NULL, NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, in, 0, 0, rd_fill, &c, &eof, NULL), -ENOTDIR);
	xl_inode_unref(in);
	g_ptr_array_free(c.names, TRUE);
	g_hash_table_destroy(seen);
	xl_inode_unref(d);
	stop();
}

static void test_sparse_zero_copy(void)
{
	struct xl_inode *f;
	struct xl_data a, b, c;
	struct xl_iatt ia;
	bool eof;
	int err;

	CU_ASSERT_EQUAL_FATAL(start("option block-size 4K"), 0);
	f = mkfile(&ROOT, root, "sparse", 0644, &err);
	CU_ASSERT_EQUAL(wr(&ROOT, f, 1 << 20, "abc"), 3);
	ia = attr_of(f);
	CU_ASSERT_EQUAL(ia.size, (1 << 20) + 3);
	CU_ASSERT_EQUAL(ia.used, 4096); /* one block: the rest is a hole */
	/* the hole reads as zeros */
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 100, 50, &a, &eof, NULL), 50);
	CU_ASSERT_FALSE(eof);
	for (size_t i = 0; i < a.len; i++)
		CU_ASSERT_EQUAL(a.ptr[i], 0);
	xl_data_release(&a);
	/* two reads within one block: slices of the same buffer, no copy */
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 1 << 20, 2, &a, &eof, NULL), 2);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, (1 << 20) + 1, 10, &b, &eof, NULL), 2);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_PTR_EQUAL(a.iobuf, b.iobuf);
	CU_ASSERT_PTR_EQUAL(a.ptr, a.iobuf->data);
	CU_ASSERT_PTR_EQUAL(b.ptr, a.ptr + 1);
	CU_ASSERT_EQUAL(memcmp(a.ptr, "ab", 2), 0);
	/* a write to a block a reader holds copies it: the slice stays */
	CU_ASSERT_EQUAL(wr(&ROOT, f, 1 << 20, "XY"), 2);
	CU_ASSERT_EQUAL(memcmp(a.ptr, "ab", 2), 0);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 1 << 20, 3, &c, &eof, NULL), 3);
	CU_ASSERT_PTR_NOT_EQUAL(c.iobuf, a.iobuf);
	CU_ASSERT_EQUAL(memcmp(c.ptr, "XYc", 3), 0);
	xl_data_release(&a);
	xl_data_release(&b);
	xl_data_release(&c);
	/* across blocks: one buffer of its own with both parts */
	CU_ASSERT_EQUAL(wr(&ROOT, f, 4090, "0123456789"), 10);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 4090, 10, &a, &eof, NULL), 10);
	CU_ASSERT_EQUAL(memcmp(a.ptr, "0123456789", 10), 0);
	CU_ASSERT_EQUAL(a.iobuf->size, 10);
	xl_data_release(&a);
	/* at and past the end */
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 5 << 20, 10, &a, &eof, NULL), 0);
	CU_ASSERT_TRUE(eof);
	xl_data_release(&a);
	/* truncate down drops blocks and zeroes the tail; up makes a hole */
	{
		struct xl_setattr sa = {.valid = XL_SET_SIZE, .size = 4093};

		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, f, &sa, NULL), 0);
		CU_ASSERT_EQUAL(attr_of(f).used, 4096);
		sa.size = 8192;
		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, f, &sa, NULL), 0);
		CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 4090, 10, &a, &eof, NULL), 10);
		CU_ASSERT_EQUAL(memcmp(a.ptr, "012\0\0\0\0\0\0\0", 10), 0);
		xl_data_release(&a);
	}
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, root, 0, 10, &a, &eof, NULL), -EISDIR);
	xl_inode_unref(f);
	stop();
}

static void test_nospc(void)
{
	struct xl_inode *f, *g;
	char block[4097];
	struct statvfs sv;
	int err, n = 0, ret;

	/* 16 blocks of 4 KiB; each object costs 256 bytes of it */
	CU_ASSERT_EQUAL_FATAL(start("option block-size 4K\noption size 64K\noption inodes 4"), 0);
	f = mkfile(&ROOT, root, "big", 0644, &err);
	memset(block, 'x', 4096);
	block[4096] = 0;
	while ((ret = wr(&ROOT, f, (uint64_t)n * 4096, block)) == 4096)
		n++;
	CU_ASSERT_EQUAL(ret, -ENOSPC);
	CU_ASSERT_EQUAL(n, 15); /* 64K - 2 objects' 512 bytes */
	CU_ASSERT_EQUAL(attr_of(f).size, (uint64_t)n * 4096);
	/* rewriting what exists needs no space */
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, "rewrite"), 7);
	CU_ASSERT_EQUAL(xl_fop_statfs(vol, &ROOT, NULL, &sv), 0);
	CU_ASSERT_EQUAL(sv.f_blocks, 16);
	CU_ASSERT_EQUAL(sv.f_bfree, 0);
	CU_ASSERT_EQUAL(sv.f_files, 4);
	CU_ASSERT_EQUAL(sv.f_ffree, 2);
	/* creates fail too once the space is gone (the last 3584 bytes go
	 * to an xattr) ... */
	{
		static char fill[3579];

		CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "user.p", fill, sizeof(fill), 0),
				-ENOSPC);
		CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "user.p", fill, sizeof(fill) - 1, 0), 0);
	}
	CU_ASSERT_PTR_NULL(mkfile(&ROOT, root, "more", 0644, &err));
	CU_ASSERT_EQUAL(err, -ENOSPC);
	/* ... and come back when it is freed */
	{
		struct xl_setattr sa = {.valid = XL_SET_SIZE, .size = 0};

		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, f, &sa, NULL), 0);
	}
	g = mkfile(&ROOT, root, "more", 0644, &err);
	CU_ASSERT_EQUAL(err, 0);
	xl_inode_unref(g);
	xl_inode_unref(mkfile(&ROOT, root, "last", 0644, &err));
	CU_ASSERT_EQUAL(err, 0);
	/* the inode limit: root + 3 */
	CU_ASSERT_PTR_NULL(mkfile(&ROOT, root, "over", 0644, &err));
	CU_ASSERT_EQUAL(err, -ENOSPC);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "last", NULL), 0);
	xl_inode_unref(mkfile(&ROOT, root, "over", 0644, &err));
	CU_ASSERT_EQUAL(err, 0);
	xl_inode_unref(f);
	stop();
}

static void test_symlink_xattr_lk(void)
{
	struct xl_inode *l, *f;
	struct xl_iatt ia;
	char buf[64];
	int64_t delta[2] = {5, -3}, res[2];
	struct xl_lock lk = {.type = XL_LK_WRITE, .start = 0, .len = 10, .owner = {.len = 1}};
	int err;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	CU_ASSERT_EQUAL(xl_symlink(vol, &ROOT, root, "sl", "some/where", NULL, NULL, &l, &ia, NULL),
			0);
	CU_ASSERT(S_ISLNK(ia.mode));
	CU_ASSERT_EQUAL(ia.size, 10);
	CU_ASSERT_EQUAL(xl_fop_readlink(vol, &ROOT, l, buf, sizeof(buf), NULL), 10);
	CU_ASSERT_EQUAL(memcmp(buf, "some/where", 10), 0);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, l, "user.x", "v", 1, 0), -EPERM);
	f = mkfile(&ALICE, root, "f", 0644, &err);
	CU_ASSERT_EQUAL(err, -EACCES);
	f = mkfile(&ROOT, root, "f", 0644, &err);
	CU_ASSERT_EQUAL(xl_fop_readlink(vol, &ROOT, f, buf, sizeof(buf), NULL), -EINVAL);

	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "user.a", "1", 1, XL_XATTR_REPLACE),
			-ENODATA);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "user.a", "one", 3, XL_XATTR_CREATE), 0);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "user.a", "1", 1, XL_XATTR_CREATE),
			-EEXIST);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "user.a", NULL, 0), 3);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "user.a", buf, 2), -ERANGE);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ALICE, f, "user.a", buf, sizeof(buf)), 3);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ALICE, f, "user.a", "x", 1, 0), -EACCES);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "trusted.t", "t", 1, 0), 0);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ALICE, f, "trusted.t", buf, sizeof(buf)), -ENODATA);
	CU_ASSERT_EQUAL(xl_fop_listxattr(vol, &ROOT, f, NULL, 0), 17); /* user.a\0trusted.t\0 */
	CU_ASSERT_EQUAL(xl_fop_listxattr(vol, &ALICE, f, buf, sizeof(buf)), 7);
	CU_ASSERT_STRING_EQUAL(buf, "user.a");
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "bogus.a", "1", 1, 0), -EOPNOTSUPP);
	CU_ASSERT_EQUAL(xl_fop_removexattr(vol, &ROOT, f, "user.a"), 0);
	CU_ASSERT_EQUAL(xl_fop_removexattr(vol, &ROOT, f, "user.a"), -ENODATA);
	/* atomic add: absent counts as zeros, values are big-endian */
	CU_ASSERT_EQUAL(xl_fop_xattr_add(vol, &ROOT, f, "trusted.c", delta, 2, res), 0);
	CU_ASSERT_EQUAL(res[0], 5);
	CU_ASSERT_EQUAL(res[1], -3);
	CU_ASSERT_EQUAL(xl_fop_xattr_add(vol, &ROOT, f, "trusted.c", delta, 2, res), 0);
	CU_ASSERT_EQUAL(res[0], 10);
	CU_ASSERT_EQUAL(res[1], -6);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "trusted.c", buf, sizeof(buf)), 16);
	CU_ASSERT_EQUAL(buf[7], 10);
	CU_ASSERT_EQUAL(xl_fop_xattr_add(vol, &ROOT, f, "trusted.c", delta, 1, res), -EINVAL);
	/* compare and set */
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.v", NULL, 0, "a", 1), 0);
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.v", NULL, 0, "b", 1), -EAGAIN);
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.v", "x", 1, "b", 1), -EAGAIN);
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.v", "a", 1, "b", 1), 0);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "user.v", buf, sizeof(buf)), 1);
	CU_ASSERT_EQUAL(buf[0], 'b');
	/* byte-range locks */
	lk.owner.bytes[0] = 'A';
	CU_ASSERT_EQUAL(xl_fop_lk(vol, &ROOT, f, XL_LK_SET, &lk), 0);
	lk.owner.bytes[0] = 'B';
	lk.start = 5;
	CU_ASSERT_EQUAL(xl_fop_lk(vol, &ROOT, f, XL_LK_TEST, &lk), -EAGAIN);
	CU_ASSERT_EQUAL(lk.owner.bytes[0], 'A');
	lk.owner.bytes[0] = 'A';
	lk.type = XL_LK_UNLOCK;
	CU_ASSERT_EQUAL(xl_fop_lk(vol, &ROOT, f, XL_LK_SET, &lk), 0);
	lk.owner.bytes[0] = 'B';
	lk.type = XL_LK_WRITE;
	lk.start = 0;
	lk.len = 10;
	CU_ASSERT_EQUAL(xl_fop_lk(vol, &ROOT, f, XL_LK_SET, &lk), 0);
	xl_inode_unref(f);
	xl_inode_unref(l);
	stop();
}


/* test_threads' filler: no CUnit assertions off the main thread. */
static int thread_fill(void *p, const struct xl_dirent *e)
{
	if (e->cookie == 0 || !(e->attr.valid & XL_IATT_ID))
		g_atomic_int_inc(&thread_errors);
	(*(int *)p)++;
	return 0;
}

/* One of test_threads' workers: make, write, read, rename and remove its
 * own files in a shared directory, and list it, many times. */
static gpointer thread_work(gpointer p)
{
	struct xl_inode *dir = p, *f;
	struct xl_call me = ROOT;
	char name[32], name2[32];
	struct xl_data out;
	bool eof;
	int err, n;

	for (int i = 0; i < 200; i++) {
		snprintf(name, sizeof(name), "t%p-%d", (void *)g_thread_self(), i);
		snprintf(name2, sizeof(name2), "r%p-%d", (void *)g_thread_self(), i);
		n = 0;
		f = mkfile(&me, dir, name, 0644, &err);
		if (err) {
			g_atomic_int_inc(&thread_errors);
			continue;
		}
		if (wr(&me, f, (uint64_t)i * 1000, "xyz") != 3 ||
		    xl_fop_read(vol, &me, f, (uint64_t)i * 1000, 3, &out, &eof, NULL) != 3 ||
		    memcmp(out.ptr, "xyz", 3))
			g_atomic_int_inc(&thread_errors);
		xl_data_release(&out);
		if (xl_fop_rename(vol, &me, dir, name, dir, name2, NULL, NULL) ||
		    xl_fop_readdir(vol, &me, dir, 0, XL_READDIR_PLUS, thread_fill, &n, &eof, NULL) ||
		    xl_fop_unlink(vol, &me, dir, name2, NULL))
			g_atomic_int_inc(&thread_errors);
		xl_inode_unref(f);
	}
	return NULL;
}

static void test_threads(void)
{
	GThread *t[4];
	struct xl_inode *d;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	d = mkdir_(&ROOT, root, "shared", 0777);
	thread_errors = 0;
	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("mem", thread_work, d);
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	CU_ASSERT_EQUAL(g_atomic_int_get(&thread_errors), 0);
	CU_ASSERT_EQUAL(attr_of(d).nlink, 2);
	CU_ASSERT_EQUAL(attr_of(d).size, 40); /* empty again */
	xl_inode_unref(d);
	stop();
}

static void test_snapshot_import(void)
{
	char dir[] = "/tmp/test_memory.XXXXXX", *opts, *path, buf[16];
	struct xl_inode *in, *made;
	struct xl_data out;
	struct xl_id id;
	bool eof;
	int err;
	FILE *f;

	CU_ASSERT_PTR_NOT_NULL_FATAL(mkdtemp(dir));
	path = g_strdup_printf("%s/tree", dir);
	CU_ASSERT_EQUAL(mkdir(path, 0750), 0);
	g_free(path);
	path = g_strdup_printf("%s/tree/a", dir);
	CU_ASSERT_TRUE(g_file_set_contents(path, "data", 4, NULL));
	g_free(path);
	path = g_strdup_printf("%s/tree/sub", dir);
	CU_ASSERT_EQUAL(mkdir(path, 0700), 0);
	g_free(path);
	path = g_strdup_printf("%s/tree/sub/l", dir);
	CU_ASSERT_EQUAL(symlink("../a", path), 0);
	g_free(path);
	opts = g_strdup_printf("option snapshot %s/snap\noption import %s/tree", dir, dir);

	/* imported: the tree with its data, modes and links */
	CU_ASSERT_EQUAL_FATAL(start(opts), 0);
	CU_ASSERT_EQUAL(attr_of(root).mode & 07777, 0750);
	CU_ASSERT_EQUAL(attr_of(root).nlink, 3);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "a", &in, NULL, NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, in, 0, 10, &out, &eof, NULL), 4);
	CU_ASSERT_EQUAL(memcmp(out.ptr, "data", 4), 0);
	xl_data_release(&out);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "sub", &in, NULL, NULL), 0);
	CU_ASSERT_EQUAL(attr_of(in).mode & 07777, 0700);
	{
		struct xl_inode *l;

		CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, in, "l", &l, NULL, NULL), 0);
		CU_ASSERT_EQUAL(xl_fop_readlink(vol, &ROOT, l, buf, sizeof(buf), NULL), 4);
		xl_inode_unref(l);
	}
	xl_inode_unref(in);
	/* changes made over the store ... */
	made = mkfile(&ROOT, root, "made", 0640, &err);
	CU_ASSERT_EQUAL_FATAL(err, 0);
	id = attr_of(made).id;
	CU_ASSERT_EQUAL(wr(&ROOT, made, 1 << 20, "far"), 3);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, made, "user.k", "v", 1, 0), 0);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "a", NULL), 0);
	xl_inode_unref(made);
	stop();

	/* ... survive a restart, ids included; "a" stays removed; a new
	 * file on disk comes in */
	path = g_strdup_printf("%s/tree/b", dir);
	CU_ASSERT_TRUE(g_file_set_contents(path, "bb", 2, NULL));
	g_free(path);
	CU_ASSERT_EQUAL_FATAL(start(opts), 0);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &made, NULL), 0);
	CU_ASSERT_EQUAL(attr_of(made).size, (1 << 20) + 3);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, made, 1 << 20, 10, &out, &eof, NULL), 3);
	CU_ASSERT_EQUAL(memcmp(out.ptr, "far", 3), 0);
	xl_data_release(&out);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, made, "user.k", buf, sizeof(buf)), 1);
	xl_inode_unref(made);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "a", &in, NULL, NULL), -ENOENT);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "b", &in, NULL, NULL), 0);
	xl_inode_unref(in);
	stop();

	/* a damaged snapshot: refused, not guessed at */
	path = g_strdup_printf("%s/snap", dir);
	f = fopen(path, "r+");
	CU_ASSERT_PTR_NOT_NULL_FATAL(f);
	fputs("garbage", f);
	fclose(f);
	CU_ASSERT_NOT_EQUAL(start(opts), 0);
	xl_graph_free(graph);
	graph = NULL;
	g_free(path);
	g_free(opts);
	path = g_strdup_printf("rm -rf '%s'", dir);
	CU_ASSERT_EQUAL(system(path), 0);
	g_free(path);
}

int main(void)
{
	CU_pSuite s;

	ROOT = as(0, 0);
	ALICE = as(1000, 1000);
	BOB = as(2000, 2000);
	xl_log_set_level(XL_LOG_NONE);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("storage/memory", NULL, NULL);
	CU_add_test(s, "root, create, exclusive create, lookup, wcc", test_root_and_create);
	CU_add_test(s, "permissions as other users", test_permissions);
	CU_add_test(s, "sticky directories, set-id bits", test_sticky_and_setid);
	CU_add_test(s, "atime, mtime, ctime", test_times);
	CU_add_test(s, "hard links, nlink, stale after the last unlink", test_links);
	CU_add_test(s, "rename edge cases", test_rename);
	CU_add_test(s, "readdir cookies resume after removals", test_readdir_resume);
	CU_add_test(s, "sparse files, zero-copy READ, copy on write", test_sparse_zero_copy);
	CU_add_test(s, "ENOSPC at the size and inode limits", test_nospc);
	CU_add_test(s, "symlinks, xattrs, add and cas, locks", test_symlink_xattr_lk);
	CU_add_test(s, "four threads at once in one directory", test_threads);
	CU_add_test(s, "snapshot across restarts, import of a directory", test_snapshot_import);
	return cunit_run();
}

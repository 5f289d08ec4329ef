/*
 * test_posix.c — storage/posix through the framework (a graph from an
 * inline volfile, the module loaded from the build tree, fops by xl_fop_*
 * and xl_lookup & co.) against a private directory, as root and as other
 * users (the per-thread credentials):
 *   ids      given ids kept (xattr + index entry), ids of objects made
 *            outside NFS (lookup and readdirplus), persistence across a
 *            re-init on the same directory, resolve after renames of files
 *            and of directories in a chain, -ESTALE for the deleted;
 *   hidden   .xlnfs cannot be looked up, listed, made or renamed onto, and
 *            nlink leaves out the index link; the last unlink removes the
 *            index entry and the inode (XL_EV_FORGET);
 *   wcc      directory pre/post around create/remove/rename, the object's
 *            around setattr/write;
 *   perms    READ/WRITE as the kernel judges (mode bits, an ACL) with the
 *            owner override, ACCESS bits; both judged on the attributes
 *            of the call (mode and owner changed on the disk between
 *            calls), ACCESS of root and the owner by the mode bits;
 *   and      data and stability, setattr, symlink/mknod/link, readdir
 *            cookies (the test directory is on /tmp: ext4's hash cookies
 *            on this machine), xattrs (ours hidden), add and cas, locks,
 *            the bounded descriptor cache, threads, descriptor leaks.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/sysmacros.h>
#include <sys/xattr.h>
#include <unistd.h>

#include "xlator.h"
#include "storage/posix/posix.h"
#include "cunit_main.h"

static char test_dir[] = "/tmp/test_posix.XXXXXX";
static struct xl_graph *graph;
static struct xl *vol;
static struct xl_inode *root;
static struct xl_call ROOT, ALICE, BOB;

static struct xl_call as(uid_t uid, gid_t gid)
{
	struct xl_call c;

	memset(&c, 0, sizeof(c));
	c.cred.uid = uid;
	c.cred.gid = gid;
	return c;
}

/* Build the volume on test_dir with extra option lines @opts. */
static int start_opts(const char *opts)
{
	char *text = g_strdup_printf("volume posix\n type storage/posix\n option directory %s\n"
				     "%s\nend-volume\n", test_dir, opts ? opts : "");
	int ret;

	ret = xl_graph_load_text("posix.vol", text, XLATOR_BUILD_DIR, &graph);
	g_free(text);
	if (ret)
		return ret;
	ret = xl_graph_init(graph);
	if (ret) {
		xl_graph_free(graph);
		graph = NULL;
		return ret;
	}
	vol = graph->top;
	return xl_lookup(vol, &ROOT, NULL, NULL, &root, NULL, NULL);
}

static int start(void)
{
	return start_opts(NULL);
}

static void stop(void)
{
	xl_inode_unref(root);
	root = NULL;
	xl_graph_fini(graph);
	xl_graph_free(graph);
	graph = NULL;
}

static char *on_disk(const char *rel)
{
	static char buf[4][512];
	static int n;

	n = (n + 1) % 4;
	snprintf(buf[n], sizeof(buf[n]), "%s/%s", test_dir, rel);
	return buf[n];
}

static char *index_of(const struct xl_id *id)
{
	char s[XL_ID_STRLEN], rel[128];

	xl_id_to_str(id, s);
	snprintf(rel, sizeof(rel), ".xlnfs/index/%02x/%02x/%s", id->bytes[0], id->bytes[1], s);
	return on_disk(rel);
}

static struct xl_inode *mkfile(struct xl_call *c, struct xl_inode *dir, const char *name,
			       mode_t mode, struct xl_iatt *attr)
{
	struct xl_setattr sa = { .valid = XL_SET_MODE, .mode = mode };
	struct xl_inode *in = NULL;

	CU_ASSERT_EQUAL(xl_create(vol, c, dir, name, NULL, &sa, true, &in, attr, NULL), 0);
	return in;
}

static struct xl_inode *mkdir_(struct xl_call *c, struct xl_inode *dir, const char *name,
			       mode_t mode)
{
	struct xl_setattr sa = { .valid = XL_SET_MODE, .mode = mode };
	struct xl_inode *in = NULL;

	CU_ASSERT_EQUAL(xl_mkdir(vol, c, dir, name, NULL, &sa, &in, NULL, NULL), 0);
	return in;
}

static int wr(struct xl_call *c, struct xl_inode *in, uint64_t off, const char *s,
	      struct xl_wcc *wcc)
{
	size_t len = strlen(s);
	struct xl_iobuf *iob = xl_iobuf_new(len);
	struct xl_data d = { .iobuf = iob, .ptr = iob->data, .len = len };
	enum xl_stable st = XL_UNSTABLE;
	int ret;

	memcpy(iob->data, s, len);
	ret = xl_fop_write(vol, c, in, off, &d, &st, wcc);
	xl_iobuf_unref(iob);
	return ret;
}

/* Read up to 255 bytes at @off into @buf (NUL-terminated); the count or -errno. */
static int rd(struct xl_call *c, struct xl_inode *in, uint64_t off, char *buf, bool *eof)
{
	struct xl_data d;
	bool e;
	int ret = xl_fop_read(vol, c, in, off, 255, &d, eof ? eof : &e, NULL);

	buf[0] = '\0';
	if (ret > 0) {
		CU_ASSERT_PTR_NOT_NULL(d.iobuf);
		CU_ASSERT_EQUAL((int)d.len, ret);
		memcpy(buf, d.ptr, d.len);
		buf[d.len] = '\0';
		xl_data_release(&d);
	}
	return ret;
}

static struct xl_iatt attr_of(struct xl_inode *in)
{
	struct xl_iatt ia;

	memset(&ia, 0, sizeof(ia));
	CU_ASSERT_EQUAL(xl_fop_getattr(vol, &ROOT, in, &ia), 0);
	return ia;
}

static bool ts_le(struct timespec a, struct timespec b)
{
	return a.tv_sec < b.tv_sec || (a.tv_sec == b.tv_sec && a.tv_nsec <= b.tv_nsec);
}

static int count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (e->d_name[0] != '.')
			n++;
	closedir(d);
	return n - 1;
}

/* Does this process hold a descriptor of a path ending in "/@name"? */
static bool holds_fd_to(const char *name)
{
	DIR *d = opendir("/proc/self/fd");
	struct dirent *e;
	char link[300], target[4096], tail[64];
	bool found = false;
	ssize_t n;

	if (!d)
		return false;
	snprintf(tail, sizeof(tail), "/%s", name);
	while (!found && (e = readdir(d))) {
		snprintf(link, sizeof(link), "/proc/self/fd/%s", e->d_name);
		n = readlink(link, target, sizeof(target) - 1);
		if (n <= 0)
			continue;
		target[n] = 0;
		found = (size_t)n >= strlen(tail) && !strcmp(target + n - strlen(tail), tail);
	}
	closedir(d);
	return found;
}

static bool disk_id(const char *path, struct xl_id *id)
{
	return lgetxattr(path, "trusted.xlnfs.id", id->bytes, 16) == 16;
}

/* ------------------------------------------------------------------ tests */

static void test_init_errors(void)
{
	char *text = g_strdup_printf("volume p\n type storage/posix\n option directory %s/nope\n"
				     "end-volume\n", test_dir);
	struct xl_graph *g = NULL;

	/* a missing directory fails validate (load) or init */
	if (xl_graph_load_text("p.vol", text, XLATOR_BUILD_DIR, &g) == 0) {
		CU_ASSERT_NOT_EQUAL(xl_graph_init(g), 0);
		xl_graph_free(g);
	}
	g_free(text);
}

static void test_ids_given_and_kept(void)
{
	struct xl_id id, got, sub_id;
	struct xl_inode *f = NULL, *d = NULL, *s = NULL, *again = NULL;
	struct xl_iatt ia;
	struct stat st, ist;
	char link[256];
	ssize_t n;

	CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(root), &XL_ID_ROOT));
	CU_ASSERT_TRUE(disk_id(test_dir, &got) && xl_id_equal(&got, &XL_ID_ROOT));
	xl_id_generate(&id);
	CU_ASSERT_EQUAL_FATAL(xl_create(vol, &ROOT, root, "ids", &id, NULL, true, &f, &ia, NULL), 0);
	CU_ASSERT_TRUE(xl_id_equal(&ia.id, &id));
	CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(f), &id));
	CU_ASSERT_TRUE(disk_id(on_disk("ids"), &got) && xl_id_equal(&got, &id));
	/* the index entry is a hard link, which nlink leaves out */
	CU_ASSERT_EQUAL(stat(on_disk("ids"), &st), 0);
	CU_ASSERT_EQUAL(stat(index_of(&id), &ist), 0);
	CU_ASSERT_EQUAL(st.st_ino, ist.st_ino);
	CU_ASSERT_EQUAL(st.st_nlink, 2);
	CU_ASSERT_EQUAL(ia.nlink, 1);
	CU_ASSERT_EQUAL(ia.ino, st.st_ino);
	/* a directory's entry names its parent's id and its name */
	xl_id_generate(&sub_id);
	CU_ASSERT_EQUAL_FATAL(xl_mkdir(vol, &ROOT, root, "idd", &sub_id, NULL, &d, NULL, NULL), 0);
	n = readlink(index_of(&sub_id), link, sizeof(link) - 1);
	CU_ASSERT_FATAL(n > 0);
	link[n] = '\0';
	CU_ASSERT_STRING_EQUAL(link, "../../00/00/00000000-0000-0000-0000-000000000001/idd");
	/* lookup finds the same id */
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "ids", &again, &ia, NULL), 0);
	CU_ASSERT_TRUE(xl_id_equal(&ia.id, &id));
	CU_ASSERT_PTR_EQUAL(again, f);
	xl_inode_unref(again);
	/* a symlink in a subdirectory */
	CU_ASSERT_EQUAL(xl_symlink(vol, &ROOT, d, "sl", "../ids", NULL, NULL, &s, &ia, NULL), 0);
	CU_ASSERT_EQUAL(ia.nlink, 1);
	CU_ASSERT_TRUE(S_ISLNK(ia.mode));
	xl_inode_unref(s);
	xl_inode_unref(d);
	xl_inode_unref(f);
}

/* The index's fan-out folders: a new id's folder is made before its entry
 * is linked (and remembered); a folder removed behind our back (both
 * levels) is made again, and the entry still lands at ab/cd/<id>. */
static void test_index_fanout(void)
{
	struct xl_id a, b;
	struct xl_inode *f = NULL, *g = NULL;
	struct stat st, ist;
	char dir[64];

	xl_id_generate(&a);
	a.bytes[0] = 0xfe;
	a.bytes[1] = 0xd1;
	b = a;
	b.bytes[15] ^= 0x5a;
	CU_ASSERT_EQUAL_FATAL(xl_create(vol, &ROOT, root, "fan-a", &a, NULL, true, &f, NULL, NULL), 0);
	CU_ASSERT_EQUAL(stat(on_disk("fan-a"), &st), 0);
	CU_ASSERT_EQUAL(stat(index_of(&a), &ist), 0);
	CU_ASSERT_EQUAL(st.st_ino, ist.st_ino);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "fan-a", NULL), 0);
	xl_inode_unref(f);
	/* fe/d1 is known to this process now; take it (and fe/) away */
	snprintf(dir, sizeof(dir), ".xlnfs/index/%02x/%02x", a.bytes[0], a.bytes[1]);
	CU_ASSERT_EQUAL(rmdir(on_disk(dir)), 0);
	dir[16] = '\0';
	CU_ASSERT_EQUAL(rmdir(on_disk(dir)), 0);
	CU_ASSERT_EQUAL_FATAL(xl_create(vol, &ROOT, root, "fan-b", &b, NULL, true, &g, NULL, NULL), 0);
	CU_ASSERT_EQUAL(stat(on_disk("fan-b"), &st), 0);
	CU_ASSERT_EQUAL(stat(index_of(&b), &ist), 0);
	CU_ASSERT_EQUAL(st.st_ino, ist.st_ino);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "fan-b", NULL), 0);
	xl_inode_unref(g);
}

static void test_restart_resolve(void)
{
	struct xl_inode *a, *b, *c, *f, *sl, *in = NULL;
	struct xl_id ida, idc, idf, idsl;
	struct xl_iatt ia;
	char buf[256];
	int n;

	a = mkdir_(&ROOT, root, "ra", 0755);
	b = mkdir_(&ROOT, a, "rb", 0755);
	c = mkdir_(&ROOT, b, "rc", 0755);
	CU_ASSERT_FATAL(a && b && c);
	f = mkfile(&ROOT, c, "file", 0644, NULL);
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, "persist", NULL), 7);
	CU_ASSERT_EQUAL(xl_symlink(vol, &ROOT, c, "link", "file", NULL, NULL, &sl, NULL, NULL), 0);
	ida = *xl_inode_id(a);
	idc = *xl_inode_id(c);
	idf = *xl_inode_id(f);
	idsl = *xl_inode_id(sl);
	xl_inode_unref(sl);
	xl_inode_unref(f);
	xl_inode_unref(c);
	xl_inode_unref(b);
	/* rename a directory in the chain, then restart */
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, "ra", root, "ra2", NULL, NULL), 0);
	xl_inode_unref(a);
	stop();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idf, &in, &ia), 0);
	CU_ASSERT_TRUE(xl_id_equal(&ia.id, &idf));
	CU_ASSERT_EQUAL(rd(&ROOT, in, 0, buf, NULL), 7);
	CU_ASSERT_STRING_EQUAL(buf, "persist");
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idc, &in, &ia), 0);
	CU_ASSERT_TRUE(S_ISDIR(ia.mode));
	if (in) {
		struct xl_inode *x = NULL;

		CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, in, "file", &x, &ia, NULL), 0);
		CU_ASSERT_TRUE(xl_id_equal(&ia.id, &idf));
		xl_inode_unref(x);
		xl_inode_unref(in);
	}
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idsl, &in, NULL), 0);
	n = in ? xl_fop_readlink(vol, &ROOT, in, buf, sizeof(buf), NULL) : -1;
	CU_ASSERT_EQUAL(n, 4);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &ida, &in, &ia), 0);
	xl_inode_unref(in);
	/* a directory moved outside NFS: stale until looked up again */
	CU_ASSERT_EQUAL(rename(on_disk("ra2/rb"), on_disk("rbx")), 0);
	stop();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idc, &in, NULL), -ESTALE);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "rbx", &in, NULL, NULL), 0);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idc, &in, NULL), 0);
	xl_inode_unref(in);
	/* an id nobody has */
	xl_id_generate(&ida);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &ida, &in, NULL), -ESTALE);
}

static void test_outside_objects(void)
{
	struct xl_inode *d = NULL, *f = NULL;
	struct xl_id idd, idf, got;
	struct xl_iatt ia;
	int fd;

	CU_ASSERT_EQUAL(mkdir(on_disk("outd"), 0755), 0);
	fd = open(on_disk("outd/outf"), O_CREAT | O_WRONLY, 0644);
	CU_ASSERT(fd >= 0);
	close(fd);
	CU_ASSERT_FALSE(disk_id(on_disk("outd"), &got));
	CU_ASSERT_EQUAL_FATAL(xl_lookup(vol, &ROOT, root, "outd", &d, &ia, NULL), 0);
	idd = ia.id;
	CU_ASSERT_FALSE(xl_id_is_null(&idd));
	CU_ASSERT_TRUE(disk_id(on_disk("outd"), &got) && xl_id_equal(&got, &idd));
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, d, "outf", &f, &ia, NULL), 0);
	idf = ia.id;
	CU_ASSERT_EQUAL(ia.nlink, 1);
	xl_inode_unref(f);
	xl_inode_unref(d);
	stop();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idf, &f, NULL), 0);
	xl_inode_unref(f);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "outd", &d, &ia, NULL), 0);
	CU_ASSERT_TRUE(xl_id_equal(&ia.id, &idd));
	xl_inode_unref(d);
	/* a copy inside the export keeping the xattr: gets an id of its own */
	{
		char *cmd = g_strdup_printf("cp -a --preserve=xattr %s %s", on_disk("outd/outf"),
					    on_disk("outd/outcopy"));

		CU_ASSERT_EQUAL(system(cmd), 0);
		g_free(cmd);
	}
	CU_ASSERT_TRUE(disk_id(on_disk("outd/outcopy"), &got) && xl_id_equal(&got, &idf));
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "outd", &d, NULL, NULL), 0);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, d, "outcopy", &f, &ia, NULL), 0);
	CU_ASSERT_FALSE(xl_id_equal(&ia.id, &idf));
	xl_inode_unref(f);
	xl_inode_unref(d);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idf, &f, &ia), 0);
	CU_ASSERT_EQUAL(ia.ino, (uint64_t)0 + ia.ino);
	xl_inode_unref(f);
}

/* An index entry that is a copy, not a link (a copy without -H): the next
 * lookup of the object by name repairs it. */
static void test_index_heal(void)
{
	struct xl_inode *f, *in = NULL;
	struct xl_id id;
	struct stat st, ist;
	char *cmd;

	f = mkfile(&ROOT, root, "heal", 0644, NULL);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, "data", NULL), 4);
	id = *xl_inode_id(f);
	xl_inode_unref(f);
	stop();
	cmd = g_strdup_printf("cp --preserve=xattr %s %s.tmp && mv %s.tmp %s", on_disk("heal"),
			      index_of(&id), index_of(&id), index_of(&id));
	CU_ASSERT_EQUAL(system(cmd), 0);
	g_free(cmd);
	CU_ASSERT_EQUAL(stat(on_disk("heal"), &st), 0);
	CU_ASSERT_EQUAL(st.st_nlink, 1);
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	/* by id alone: the copy has no other name, so it is no live object */
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &in, NULL), -ESTALE);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "heal", &in, NULL, NULL), 0);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(stat(on_disk("heal"), &st), 0);
	CU_ASSERT_EQUAL(stat(index_of(&id), &ist), 0);
	CU_ASSERT_EQUAL(st.st_ino, ist.st_ino);
	stop();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &in, NULL), 0);
	xl_inode_unref(in);
}

struct listing {
	char names[128][64];
	struct xl_iatt attrs[128];
	uint64_t cookies[128];
	int n, limit;
};

static int list_fill(void *p, const struct xl_dirent *e)
{
	struct listing *l = p;

	if (l->n >= l->limit)
		return 1;
	snprintf(l->names[l->n], sizeof(l->names[l->n]), "%s", e->name);
	l->attrs[l->n] = e->attr;
	l->cookies[l->n] = e->cookie;
	l->n++;
	return 0;
}

static int find_name(struct listing *l, const char *name)
{
	for (int i = 0; i < l->n; i++)
		if (!strcmp(l->names[i], name))
			return i;
	return -1;
}

/* List @d with READDIRPLUS into @l (emptied first): the index of @name in
 * it, or -1. */
static int list_plus_find(struct xl_inode *d, struct listing *l, const char *name)
{
	bool eof;

	memset(l, 0, sizeof(*l));
	l->limit = 128;
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, 0, XL_READDIR_PLUS, list_fill, l, &eof,
				       NULL), 0);
	return find_name(l, name);
}

/* A cached object is known by its statx alone: with its xattr removed
 * behind our back, lookup and readdirplus still give its id (the slow path
 * would see an object without id and give it a new one). */
static void test_cached_fast_path(void)
{
	struct xl_inode *d, *f, *in = NULL;
	struct listing l = { .limit = 128 };
	struct xl_iatt ia;
	struct xl_id id;
	bool eof;
	int i;

	d = mkdir_(&ROOT, root, "fast", 0755);
	CU_ASSERT_FATAL(d != NULL);
	f = mkfile(&ROOT, d, "f", 0644, NULL);
	CU_ASSERT_FATAL(f != NULL);
	id = *xl_inode_id(f);
	CU_ASSERT_EQUAL(lremovexattr(on_disk("fast/f"), "trusted.xlnfs.id"), 0);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, d, "f", &in, &ia, NULL), 0);
	CU_ASSERT_TRUE(xl_id_equal(&ia.id, &id));
	CU_ASSERT_PTR_EQUAL(in, f);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, 0, XL_READDIR_PLUS, list_fill, &l, &eof,
				       NULL), 0);
	i = find_name(&l, "f");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_TRUE(xl_id_equal(&l.attrs[i].id, &id));
	CU_ASSERT_EQUAL(l.attrs[i].nlink, 1);
	CU_ASSERT_EQUAL(lsetxattr(on_disk("fast/f"), "trusted.xlnfs.id", id.bytes, 16, 0), 0);
	xl_inode_unref(f);
	xl_inode_unref(d);
}

/* READDIRPLUS keeps the ids of the objects it listed (posix_idcache.c):
 * listed again, an object made outside NFS reads no xattr (its xattr
 * removed behind our back, it keeps its id: the slow path would give it a
 * new one), and a copy that lookup turns into an object of its own is
 * listed with its new id, not the copied one the cache saw. */
static void test_readdirplus_idcache(void)
{
	struct xl_inode *d, *in = NULL;
	struct listing l;
	struct xl_id x, y;
	int i;

	d = mkdir_(&ROOT, root, "idc", 0755);
	CU_ASSERT_FATAL(d != NULL);
	close(open(on_disk("idc/orig"), O_CREAT | O_WRONLY, 0644));
	i = list_plus_find(d, &l, "orig");
	CU_ASSERT_FATAL(i >= 0);
	x = l.attrs[i].id;
	CU_ASSERT_TRUE(disk_id(on_disk("idc/orig"), &y) && xl_id_equal(&x, &y));
	/* listed again without its xattr: the id comes from the cache */
	CU_ASSERT_EQUAL(lremovexattr(on_disk("idc/orig"), "trusted.xlnfs.id"), 0);
	i = list_plus_find(d, &l, "orig");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_TRUE(xl_id_equal(&l.attrs[i].id, &x));
	CU_ASSERT_FALSE(disk_id(on_disk("idc/orig"), &y)); /* nothing was assigned */
	CU_ASSERT_EQUAL(lsetxattr(on_disk("idc/orig"), "trusted.xlnfs.id", x.bytes, 16, 0), 0);

	/* a copy made outside with the xattr (cp -a as root): listed with the
	 * copied id, then lookup gives it its own */
	close(open(on_disk("idc/copy"), O_CREAT | O_WRONLY, 0644));
	CU_ASSERT_EQUAL(lsetxattr(on_disk("idc/copy"), "trusted.xlnfs.id", x.bytes, 16, 0), 0);
	i = list_plus_find(d, &l, "copy");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_TRUE(xl_id_equal(&l.attrs[i].id, &x));
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, d, "copy", &in, NULL, NULL), 0);
	CU_ASSERT_FATAL(in != NULL);
	y = *xl_inode_id(in);
	CU_ASSERT_FALSE(xl_id_equal(&x, &y));
	/* drop its inode (and context): the listing must not fall back on
	 * what the cache saw before */
	xl_inode_forget(in);
	xl_inode_unref(in);
	i = list_plus_find(d, &l, "copy");
	CU_ASSERT_FATAL(i >= 0);
	CU_ASSERT_TRUE(xl_id_equal(&l.attrs[i].id, &y));
	xl_inode_unref(d);
}

static void test_hidden(void)
{
	struct xl_inode *in = NULL, *f;
	struct listing l = { .limit = 64 };
	bool eof;

	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, ".xlnfs", &in, NULL, NULL), -ENOENT);
	CU_ASSERT_EQUAL(xl_create(vol, &ROOT, root, ".xlnfs", NULL, NULL, false, &in, NULL, NULL),
			-EPERM);
	CU_ASSERT_EQUAL(xl_mkdir(vol, &ROOT, root, ".xlnfs", NULL, NULL, &in, NULL, NULL), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_rmdir(vol, &ROOT, root, ".xlnfs", NULL), -ENOENT);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, ".xlnfs", NULL), -ENOENT);
	f = mkfile(&ROOT, root, "hid", 0644, NULL);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, "hid", root, ".xlnfs", NULL, NULL), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, ".xlnfs", root, "x", NULL, NULL), -ENOENT);
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, f, root, ".xlnfs", NULL, NULL), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, root, 0, XL_READDIR_PLUS, list_fill, &l, &eof,
				       NULL), 0);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_EQUAL(find_name(&l, ".xlnfs"), -1);
	CU_ASSERT(find_name(&l, "hid") >= 0);
	CU_ASSERT(find_name(&l, "..") >= 0);
	/* the root's nlink counts the directories a client sees, not .xlnfs */
	{
		uint32_t dirs = 0;

		for (int i = 0; i < l.n; i++)
			if (S_ISDIR(l.attrs[i].mode) && strcmp(l.names[i], ".") &&
			    strcmp(l.names[i], ".."))
				dirs++;
		CU_ASSERT_EQUAL(attr_of(root).nlink, 2 + dirs);
	}
	/* ".." at the root is the root, by its id */
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "..", &in, NULL, NULL), 0);
	CU_ASSERT_PTR_EQUAL(in, root);
	xl_inode_unref(in);
	/* a subdirectory may hold a .xlnfs of its own */
	in = mkdir_(&ROOT, root, "sub", 0755);
	if (in) {
		struct xl_inode *x = mkdir_(&ROOT, in, ".xlnfs", 0755);

		xl_inode_unref(x);
		xl_inode_unref(in);
	}
	xl_inode_unref(f);
}

static void test_links_and_forget(void)
{
	struct xl_inode *f, *in = NULL;
	struct xl_iatt ia;
	struct xl_id id;
	struct stat st;

	f = mkfile(&ROOT, root, "lk1", 0644, NULL);
	CU_ASSERT_FATAL(f != NULL);
	id = *xl_inode_id(f);
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, f, root, "lk2", &ia, NULL), 0);
	CU_ASSERT_EQUAL(ia.nlink, 2);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "lk1", NULL), 0);
	CU_ASSERT_EQUAL(stat(index_of(&id), &st), 0); /* one name is left */
	CU_ASSERT_EQUAL(attr_of(f).nlink, 1);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "lk2", NULL), 0);
	CU_ASSERT_EQUAL(stat(index_of(&id), &st), -1);
	/* FORGET: the table no longer knows it; the held inode is stale */
	CU_ASSERT_PTR_NULL(xl_inode_find(graph->itable, &id));
	CU_ASSERT_EQUAL(xl_fop_getattr(vol, &ROOT, f, &ia), -ESTALE);
	xl_inode_unref(f);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &in, NULL), -ESTALE);
	/* a removed directory's entry goes too */
	in = mkdir_(&ROOT, root, "gone", 0755);
	id = *xl_inode_id(in);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_fop_rmdir(vol, &ROOT, root, "gone", NULL), 0);
	CU_ASSERT_EQUAL(lstat(index_of(&id), &st), -1);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &in, NULL), -ESTALE);
}

static void test_wcc(void)
{
	struct xl_inode *d, *f = NULL;
	struct xl_iatt before, after;
	struct xl_wcc w, w2;

	d = mkdir_(&ROOT, root, "wccd", 0777);
	CU_ASSERT_FATAL(d != NULL);
	before = attr_of(d);
	usleep(20000);
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(xl_create(vol, &ROOT, d, "f", NULL, NULL, true, &f, NULL, &w), 0);
	after = attr_of(d);
	CU_ASSERT(w.pre.valid & XL_IATT_WCC);
	CU_ASSERT(w.post.valid & XL_IATT_WCC);
	CU_ASSERT_EQUAL(w.pre.mtime.tv_sec, before.mtime.tv_sec);
	CU_ASSERT_EQUAL(w.pre.mtime.tv_nsec, before.mtime.tv_nsec);
	CU_ASSERT_EQUAL(w.post.mtime.tv_nsec, after.mtime.tv_nsec);
	CU_ASSERT_TRUE(ts_le(w.pre.mtime, w.post.mtime));
	CU_ASSERT_FALSE(w.pre.mtime.tv_nsec == w.post.mtime.tv_nsec &&
			w.pre.mtime.tv_sec == w.post.mtime.tv_sec);
	/* the object's own around a write: size before and after */
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "12345", &w), -EACCES); /* 0644 root's */
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, "12345", &w), 5);
	CU_ASSERT_EQUAL(w.pre.size, 0);
	CU_ASSERT_EQUAL(w.post.size, 5);
	CU_ASSERT_TRUE(xl_id_equal(&w.post.id, xl_inode_id(f)));
	/* setattr */
	struct xl_setattr sa = { .valid = XL_SET_SIZE | XL_SET_MODE, .size = 2, .mode = 0600 };

	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, f, &sa, &w), 0);
	CU_ASSERT_EQUAL(w.pre.size, 5);
	CU_ASSERT_EQUAL(w.post.size, 2);
	CU_ASSERT_EQUAL(w.post.mode & 07777, 0600);
	/* rename between two directories: both */
	memset(&w, 0, sizeof(w));
	memset(&w2, 0, sizeof(w2));
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, d, "f", root, "wccf", &w, &w2), 0);
	CU_ASSERT(w.pre.valid && w.post.valid && w2.pre.valid && w2.post.valid);
	CU_ASSERT_TRUE(ts_le(w.pre.mtime, w.post.mtime));
	CU_ASSERT_EQUAL(w2.post.mtime.tv_nsec, attr_of(root).mtime.tv_nsec);
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "wccf", &w), 0);
	CU_ASSERT(w.pre.valid && w.post.valid);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, root, "wccf", &w), -ENOENT);
	xl_inode_unref(f);
	xl_inode_unref(d);
}

static void test_permissions(void)
{
	struct xl_inode *d, *f, *g, *acl;
	struct xl_call who = as(1234, 1234);
	uint32_t granted;
	char buf[256];
	struct xl_setattr sa;

	d = mkdir_(&ROOT, root, "perm", 0777);
	CU_ASSERT_FATAL(d != NULL);
	/* created as ALICE: hers */
	f = mkfile(&ALICE, d, "alice", 0600, NULL);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(attr_of(f).uid, 1000);
	CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "secret", NULL), 6);
	CU_ASSERT_EQUAL(rd(&BOB, f, 0, buf, NULL), -EACCES);
	CU_ASSERT_EQUAL(wr(&BOB, f, 0, "x", NULL), -EACCES);
	CU_ASSERT_EQUAL(rd(&ROOT, f, 0, buf, NULL), 6);
	/* owner override: a 0444 file of hers she may still write */
	g = mkfile(&ALICE, d, "ro", 0444, NULL);
	CU_ASSERT_EQUAL(wr(&ALICE, g, 0, "ok", NULL), 2);
	CU_ASSERT_EQUAL(wr(&BOB, g, 0, "no", NULL), -EACCES);
	CU_ASSERT_EQUAL(rd(&BOB, g, 0, buf, NULL), 2);
	/* an ACL denying uid 1234 on a 0666 file: the kernel's judgement */
	acl = mkfile(&ROOT, d, "acl", 0666, NULL);
	CU_ASSERT_EQUAL(wr(&who, acl, 0, "before", NULL), 6);
	{
		char *cmd = g_strdup_printf("setfacl -m u:1234:--- %s", on_disk("perm/acl"));

		CU_ASSERT_EQUAL(system(cmd), 0);
		g_free(cmd);
	}
	CU_ASSERT_EQUAL(rd(&who, acl, 0, buf, NULL), -EACCES);
	CU_ASSERT_EQUAL(wr(&who, acl, 0, "after", NULL), -EACCES);
	CU_ASSERT_EQUAL(rd(&BOB, acl, 0, buf, NULL), 6);
	CU_ASSERT_EQUAL(xl_fop_access(vol, &who, acl, XL_ACCESS_ALL, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, 0);
	CU_ASSERT_EQUAL(xl_fop_access(vol, &BOB, acl, XL_ACCESS_ALL, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, XL_ACCESS_READ | XL_ACCESS_MODIFY | XL_ACCESS_EXTEND);
	CU_ASSERT_EQUAL(xl_fop_access(vol, &BOB, acl, XL_ACCESS_READ, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, XL_ACCESS_READ);
	/* directories: LOOKUP, MODIFY, EXTEND, DELETE */
	CU_ASSERT_EQUAL(xl_fop_access(vol, &BOB, d, XL_ACCESS_ALL, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, XL_ACCESS_READ | XL_ACCESS_LOOKUP | XL_ACCESS_MODIFY |
					 XL_ACCESS_EXTEND | XL_ACCESS_DELETE);
	CU_ASSERT_EQUAL(xl_fop_access(vol, &BOB, f, XL_ACCESS_ALL, &granted, NULL), 0);
	CU_ASSERT_EQUAL(granted, 0);
	/* namespace: the kernel says no for a 0755 directory of someone else */
	memset(&sa, 0, sizeof(sa));
	sa.valid = XL_SET_MODE;
	sa.mode = 0755;
	CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, d, &sa, NULL), 0);
	{
		struct xl_inode *no = NULL;

		CU_ASSERT_EQUAL(xl_create(vol, &BOB, d, "bob", NULL, NULL, true, &no, NULL, NULL),
				-EACCES);
		CU_ASSERT_PTR_NULL(no);
	}
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &BOB, d, "alice", NULL), -EACCES);
	/* chown by a non-owner: EPERM; chmod by the owner: fine */
	sa.valid = XL_SET_UID;
	sa.uid = 2000;
	CU_ASSERT_EQUAL(xl_fop_setattr(vol, &BOB, f, &sa, NULL), -EPERM);
	sa.valid = XL_SET_MODE;
	sa.mode = 0640;
	CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ALICE, f, &sa, NULL), 0);
	CU_ASSERT_EQUAL(attr_of(f).mode & 07777, 0640);
	/* truncation: the write check */
	sa.valid = XL_SET_SIZE;
	sa.size = 0;
	CU_ASSERT_EQUAL(xl_fop_setattr(vol, &BOB, f, &sa, NULL), -EACCES);
	CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ALICE, g, &sa, NULL), 0);
	/* supplementary groups: granted by one, and gone with the next caller's */
	{
		struct xl_call member = as(2000, 2000), plain = as(2000, 2000);
		struct xl_inode *grp = mkfile(&ROOT, d, "grp", 0640, NULL);
		struct xl_setattr gs = { .valid = XL_SET_GID, .gid = 3000 };

		member.cred.ngroups = 2;
		member.cred.groups[0] = 2500;
		member.cred.groups[1] = 3000;
		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, grp, &gs, NULL), 0);
		CU_ASSERT_EQUAL(rd(&member, grp, 0, buf, NULL), 0);
		CU_ASSERT_EQUAL(rd(&plain, grp, 0, buf, NULL), -EACCES);
		CU_ASSERT_EQUAL(rd(&member, grp, 0, buf, NULL), 0);
		CU_ASSERT_EQUAL(wr(&member, grp, 0, "x", NULL), -EACCES);
		member.cred.groups[1] = 3001;
		CU_ASSERT_EQUAL(rd(&member, grp, 0, buf, NULL), -EACCES);
		xl_inode_unref(grp);
	}
	xl_inode_unref(acl);
	xl_inode_unref(g);
	xl_inode_unref(f);
	xl_inode_unref(d);
}

/* The ACCESS bits @c is granted on @in for the whole mask (and its
 * attributes' mode into *@mode when not NULL). */
static uint32_t access_of(struct xl_call *c, struct xl_inode *in, mode_t *mode)
{
	struct xl_iatt ia;
	uint32_t granted = 0xdead;

	memset(&ia, 0, sizeof(ia));
	CU_ASSERT_EQUAL(xl_fop_access(vol, c, in, XL_ACCESS_ALL, &granted, &ia), 0);
	CU_ASSERT_TRUE(ia.valid & XL_IATT_MODE);
	if (mode)
		*mode = ia.mode & 07777;
	return granted;
}

/*
 * READ and ACCESS judge on the attributes of the call itself, not on what
 * an earlier call saw: owner and mode changed behind the server's back
 * (on the disk) between calls of one cached inode; root and the owner by
 * the mode bits alone (as the kernel does), group and others by the
 * kernel; a write the mode allows but the file refuses (immutable).
 */
static void test_fresh_judgement(void)
{
	const uint32_t FILE_RW = XL_ACCESS_READ | XL_ACCESS_MODIFY | XL_ACCESS_EXTEND;
	const uint32_t DIR_ALL = XL_ACCESS_READ | XL_ACCESS_LOOKUP | XL_ACCESS_MODIFY |
				 XL_ACCESS_EXTEND | XL_ACCESS_DELETE;
	struct xl_call member = as(3000, 2000);
	struct xl_inode *d, *f, *sub;
	struct xl_iatt ia;
	struct xl_data data;
	char buf[256], *path;
	bool eof;
	mode_t mode;
	int fd;

	d = mkdir_(&ROOT, root, "fresh", 0777);
	CU_ASSERT_FATAL(d != NULL);
	f = mkfile(&ALICE, d, "f", 0600, NULL);
	CU_ASSERT_FATAL(f != NULL);
	path = g_strdup(on_disk("fresh/f"));
	CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "secret", NULL), 6);
	CU_ASSERT_EQUAL(rd(&BOB, f, 0, buf, NULL), -EACCES);
	/* opened up on the disk: the next READ sees it */
	CU_ASSERT_EQUAL(chmod(path, 0604), 0);
	CU_ASSERT_EQUAL(rd(&BOB, f, 0, buf, NULL), 6);
	CU_ASSERT_STRING_EQUAL(buf, "secret");
	/* closed again: refused, with the fresh attributes */
	CU_ASSERT_EQUAL(chmod(path, 0600), 0);
	memset(&ia, 0, sizeof(ia));
	CU_ASSERT_EQUAL(xl_fop_read(vol, &BOB, f, 0, 6, &data, &eof, &ia), -EACCES);
	CU_ASSERT_TRUE(ia.valid & XL_IATT_MODE);
	CU_ASSERT_EQUAL(ia.mode & 07777, 0600);
	/* given to BOB, mode 0: his by the owner override, no longer hers */
	CU_ASSERT_EQUAL(chown(path, 2000, 2000), 0);
	CU_ASSERT_EQUAL(chmod(path, 0), 0);
	CU_ASSERT_EQUAL(rd(&BOB, f, 0, buf, NULL), 6);
	CU_ASSERT_EQUAL(rd(&ALICE, f, 0, buf, NULL), -EACCES);
	/* WRITE too, on the stat right before it (its wcc, also when refused) */
	{
		struct xl_wcc w;

		memset(&w, 0, sizeof(w));
		CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "x", &w), -EACCES);
		CU_ASSERT_TRUE(w.pre.valid & XL_IATT_SIZE);
		CU_ASSERT_TRUE(w.post.valid & XL_IATT_SIZE);
		CU_ASSERT_EQUAL(w.post.uid, 2000);
		CU_ASSERT_EQUAL(chmod(path, 0606), 0);
		memset(&w, 0, sizeof(w));
		CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "S", &w), 1);
		CU_ASSERT_EQUAL(w.pre.mode & 07777, 0606);
		CU_ASSERT_EQUAL(w.post.size, 6);
		CU_ASSERT_EQUAL(chmod(path, 0600), 0);
		CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "s", NULL), -EACCES);
		CU_ASSERT_EQUAL(wr(&BOB, f, 0, "s", NULL), 1); /* the owner override */
		CU_ASSERT_EQUAL(wr(&ROOT, root, 0, "s", NULL), -EISDIR);
	}

	/* ACCESS: the owner by the owner's bits only, even when the
	 * group's and others' would grant more */
	CU_ASSERT_EQUAL(chmod(path, 0077), 0);
	CU_ASSERT_EQUAL(access_of(&BOB, f, &mode), 0);
	CU_ASSERT_EQUAL(mode, 0077);
	CU_ASSERT_EQUAL(access_of(&member, f, NULL), FILE_RW | XL_ACCESS_EXECUTE);
	CU_ASSERT_EQUAL(access_of(&ALICE, f, NULL), FILE_RW | XL_ACCESS_EXECUTE);
	CU_ASSERT_EQUAL(chmod(path, 0640), 0);
	CU_ASSERT_EQUAL(access_of(&BOB, f, &mode), FILE_RW);
	CU_ASSERT_EQUAL(mode, 0640);
	CU_ASSERT_EQUAL(access_of(&member, f, NULL), XL_ACCESS_READ);
	CU_ASSERT_EQUAL(access_of(&ALICE, f, NULL), 0);
	CU_ASSERT_EQUAL(chmod(path, 0504), 0);
	CU_ASSERT_EQUAL(access_of(&BOB, f, NULL), XL_ACCESS_READ | XL_ACCESS_EXECUTE);
	CU_ASSERT_EQUAL(access_of(&ALICE, f, NULL), XL_ACCESS_READ);
	/* root: read and write whatever the mode, execute with some x bit */
	CU_ASSERT_EQUAL(chmod(path, 0), 0);
	CU_ASSERT_EQUAL(access_of(&ROOT, f, NULL), FILE_RW);
	CU_ASSERT_EQUAL(chmod(path, 0001), 0);
	CU_ASSERT_EQUAL(access_of(&ROOT, f, NULL), FILE_RW | XL_ACCESS_EXECUTE);
	/* a write the mode allows, the file does not: immutable (ext4) */
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	{
		char *cmd = g_strdup_printf("chattr +i %s 2>/dev/null", path);

		if (system(cmd) == 0) {
			CU_ASSERT_EQUAL(access_of(&ROOT, f, NULL), XL_ACCESS_READ);
			CU_ASSERT_EQUAL(access_of(&BOB, f, NULL), XL_ACCESS_READ);
			g_free(cmd);
			cmd = g_strdup_printf("chattr -i %s", path);
			CU_ASSERT_EQUAL(system(cmd), 0);
		}
		g_free(cmd);
	}
	CU_ASSERT_EQUAL(access_of(&BOB, f, NULL), FILE_RW);
	/* directories: root everything, the owner by his bits */
	sub = mkdir_(&BOB, d, "sub", 0);
	CU_ASSERT_FATAL(sub != NULL);
	CU_ASSERT_EQUAL(access_of(&ROOT, sub, NULL), DIR_ALL);
	CU_ASSERT_EQUAL(access_of(&BOB, sub, NULL), 0);
	CU_ASSERT_EQUAL(chmod(on_disk("fresh/sub"), 0500), 0);
	CU_ASSERT_EQUAL(access_of(&BOB, sub, NULL), XL_ACCESS_READ | XL_ACCESS_LOOKUP);
	CU_ASSERT_EQUAL(chmod(on_disk("fresh/sub"), 0300), 0);
	CU_ASSERT_EQUAL(access_of(&BOB, sub, NULL), DIR_ALL & ~(uint32_t)XL_ACCESS_READ);

	/* READ's buffer is sized from the size last seen: a file grown
	 * behind our back is read in full (a short read first at worst) */
	CU_ASSERT_EQUAL(chmod(path, 0644), 0);
	CU_ASSERT_EQUAL(rd(&BOB, f, 0, buf, &eof), 6);
	CU_ASSERT_TRUE(eof);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, " grown", 6), 6);
	close(fd);
	CU_ASSERT_EQUAL(rd(&BOB, f, 6, buf, &eof), 6); /* at the old end */
	CU_ASSERT_STRING_EQUAL(buf, " grown");
	CU_ASSERT_TRUE(eof);
	fd = open(path, O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, " more", 5), 5);
	close(fd);
	{
		int n = rd(&BOB, f, 0, buf, &eof);

		CU_ASSERT_TRUE(n >= 13);
		CU_ASSERT_EQUAL(eof, n == 17);
		CU_ASSERT_EQUAL(rd(&BOB, f, 0, buf, &eof), 17);
		CU_ASSERT_STRING_EQUAL(buf, "secret grown more");
		CU_ASSERT_TRUE(eof);
	}
	/* and a deleted file is stale, found by the read's own stat */
	CU_ASSERT_EQUAL(unlink(path), 0);
	CU_ASSERT_EQUAL(rd(&BOB, f, 0, buf, NULL), -ESTALE);
	g_free(path);
	xl_inode_unref(sub);
	xl_inode_unref(f);
	xl_inode_unref(d);
}

static void test_data(void)
{
	struct xl_inode *f, *d;
	enum xl_stable st = XL_FILE_SYNC;
	struct xl_wcc w;
	struct xl_data data = { 0 };
	char buf[256];
	bool eof;

	f = mkfile(&ROOT, root, "data", 0644, NULL);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(rd(&ROOT, f, 0, buf, &eof), 0);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, "hello world", NULL), 11);
	CU_ASSERT_EQUAL(rd(&ROOT, f, 6, buf, &eof), 5);
	CU_ASSERT_STRING_EQUAL(buf, "world");
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_EQUAL(xl_fop_read(vol, &ROOT, f, 0, 5, &data, &eof, NULL), 5);
	CU_ASSERT_FALSE(eof);
	xl_data_release(&data);
	CU_ASSERT_EQUAL(rd(&ROOT, f, 100, buf, &eof), 0);
	CU_ASSERT_TRUE(eof);
	/* a stable write says so */
	data.iobuf = xl_iobuf_new(3);
	memcpy(data.iobuf->data, "abc", 3);
	data.ptr = data.iobuf->data;
	data.len = 3;
	CU_ASSERT_EQUAL(xl_fop_write(vol, &ROOT, f, 20, &data, &st, NULL), 3);
	CU_ASSERT_EQUAL(st, XL_FILE_SYNC);
	xl_iobuf_unref(data.iobuf);
	CU_ASSERT_EQUAL(attr_of(f).size, 23);
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(xl_fop_fsync(vol, &ROOT, f, 0, 4096, true, &w), 0);
	CU_ASSERT_EQUAL(w.post.size, 23);
	CU_ASSERT_EQUAL(xl_fop_fsync(vol, &ROOT, f, 0, 0, false, NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_fsync(vol, &ROOT, root, 0, 0, false, NULL), 0);
	/* not a file */
	d = mkdir_(&ROOT, root, "datad", 0755);
	CU_ASSERT_EQUAL(rd(&ROOT, d, 0, buf, NULL), -EISDIR);
	CU_ASSERT_EQUAL(wr(&ROOT, d, 0, "x", NULL), -EISDIR);
	xl_inode_unref(d);
	xl_inode_unref(f);
}

static void test_special(void)
{
	struct xl_inode *s = NULL, *n = NULL, *f, *in = NULL;
	struct xl_iatt ia;
	char buf[64];

	CU_ASSERT_EQUAL(xl_symlink(vol, &ALICE, root, "sym", "some/where", NULL, NULL, &s, &ia,
				   NULL), -EACCES); /* root dir is 0755 root's */
	CU_ASSERT_EQUAL(xl_symlink(vol, &ROOT, root, "sym", "some/where", NULL, NULL, &s, &ia,
				   NULL), 0);
	CU_ASSERT_EQUAL(xl_fop_readlink(vol, &ROOT, s, buf, sizeof(buf), NULL), 10);
	CU_ASSERT_EQUAL(memcmp(buf, "some/where", 10), 0);
	/* a hard link of a symlink */
	CU_ASSERT_EQUAL(xl_fop_link(vol, &ROOT, s, root, "sym2", &ia, NULL), 0);
	CU_ASSERT_EQUAL(ia.nlink, 2);
	CU_ASSERT_EQUAL(xl_mknod(vol, &ROOT, root, "fifo", S_IFIFO | 0644, 0, NULL, NULL, &n, &ia,
				 NULL), 0);
	CU_ASSERT_TRUE(S_ISFIFO(ia.mode));
	CU_ASSERT_EQUAL(ia.nlink, 1);
	CU_ASSERT_EQUAL(xl_mknod(vol, &ROOT, root, "chr", S_IFCHR | 0600, makedev(1, 3), NULL, NULL,
				 &in, &ia, NULL), 0);
	CU_ASSERT_EQUAL(ia.rdev, makedev(1, 3));
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_mknod(vol, &ROOT, root, "bad", S_IFREG | 0600, 0, NULL, NULL, &in, &ia,
				 NULL), -EINVAL);
	/* create over existing names */
	f = mkfile(&ROOT, root, "exist", 0644, NULL);
	CU_ASSERT_EQUAL(xl_create(vol, &ROOT, root, "exist", NULL, NULL, true, &in, NULL, NULL),
			-EEXIST);
	CU_ASSERT_EQUAL(xl_create(vol, &ROOT, root, "exist", NULL, NULL, false, &in, &ia, NULL), 0);
	CU_ASSERT_PTR_EQUAL(in, f);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_create(vol, &ROOT, root, "sym", NULL, NULL, false, &in, &ia, NULL),
			-EEXIST);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "a/b", &in, NULL, NULL), -EINVAL);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, f, "x", &in, NULL, NULL), -ENOTDIR);
	xl_inode_unref(f);
	xl_inode_unref(n);
	xl_inode_unref(s);
}

static void test_rename(void)
{
	struct xl_inode *a, *b, *d, *in = NULL;
	struct xl_id ida, idb, idd;
	struct stat st;

	a = mkfile(&ROOT, root, "ren_a", 0644, NULL);
	b = mkfile(&ROOT, root, "ren_b", 0644, NULL);
	CU_ASSERT_FATAL(a && b);
	ida = *xl_inode_id(a);
	idb = *xl_inode_id(b);
	/* over an existing file: the victim's entry and inode go */
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, "ren_a", root, "ren_b", NULL, NULL), 0);
	CU_ASSERT_EQUAL(stat(index_of(&idb), &st), -1);
	CU_ASSERT_PTR_NULL(xl_inode_find(graph->itable, &idb));
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "ren_b", &in, NULL, NULL), 0);
	CU_ASSERT_PTR_EQUAL(in, a);
	xl_inode_unref(in);
	CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(a), &ida));
	/* a directory moved into another: its entry follows */
	d = mkdir_(&ROOT, root, "ren_d", 0755);
	idd = *xl_inode_id(d);
	in = mkdir_(&ROOT, root, "ren_e", 0755);
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, "ren_d", in, "moved", NULL, NULL), 0);
	{
		char link[256], want[256], s[XL_ID_STRLEN];
		const struct xl_id *pe = xl_inode_id(in);
		ssize_t n = readlink(index_of(&idd), link, sizeof(link) - 1);

		xl_id_to_str(pe, s);
		snprintf(want, sizeof(want), "../../%02x/%02x/%s/moved", pe->bytes[0], pe->bytes[1], s);
		CU_ASSERT(n > 0);
		link[n > 0 ? n : 0] = '\0';
		CU_ASSERT_STRING_EQUAL(link, want);
	}
	/* into its own subtree: the kernel refuses */
	CU_ASSERT_EQUAL(xl_fop_rename(vol, &ROOT, root, "ren_e", d, "loop", NULL, NULL), -EINVAL);
	xl_inode_unref(in);
	xl_inode_unref(d);
	xl_inode_unref(b);
	xl_inode_unref(a);
	stop();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idd, &in, NULL), 0);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &ida, &in, NULL), 0);
	xl_inode_unref(in);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &idb, &in, NULL), -ESTALE);
}

static void test_readdir(void)
{
	struct xl_inode *d, *f;
	struct listing all = { .limit = 64 }, part;
	char name[32];
	bool eof;
	int i;

	d = mkdir_(&ROOT, root, "rdd", 0755);
	CU_ASSERT_FATAL(d != NULL);
	for (i = 0; i < 40; i++) {
		snprintf(name, sizeof(name), "entry%02d", i);
		f = mkfile(&ROOT, d, name, 0644, NULL);
		xl_inode_unref(f);
	}
	/* one made outside: readdirplus gives it an id, and keeps it */
	close(open(on_disk("rdd/outside"), O_CREAT | O_WRONLY, 0644));
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, 0, XL_READDIR_PLUS, list_fill, &all, &eof,
				       NULL), 0);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_EQUAL(all.n, 43);
	for (i = 0; i < all.n; i++) {
		CU_ASSERT(all.cookies[i] != 0 && all.cookies[i] <= XL_COOKIE_MASK);
		CU_ASSERT(all.attrs[i].valid & XL_IATT_ID);
		CU_ASSERT_FALSE(xl_id_is_null(&all.attrs[i].id));
		if (strcmp(all.names[i], ".") && strcmp(all.names[i], ".."))
			CU_ASSERT_EQUAL(all.attrs[i].nlink, 1);
	}
	i = find_name(&all, "outside");
	CU_ASSERT_FATAL(i >= 0);
	{
		struct xl_id got;
		struct xl_inode *in = NULL;
		struct xl_iatt ia;

		CU_ASSERT_TRUE(disk_id(on_disk("rdd/outside"), &got) &&
			       xl_id_equal(&got, &all.attrs[i].id));
		CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &got, &in, &ia), 0);
		xl_inode_unref(in);
	}
	/* resuming from every cookie gives exactly the rest */
	for (int from = 0; from < all.n; from++) {
		memset(&part, 0, sizeof(part));
		part.limit = 64;
		CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, all.cookies[from], 0, list_fill, &part,
					       &eof, NULL), 0);
		CU_ASSERT_EQUAL(part.n, all.n - from - 1);
		for (int k = 0; k < part.n; k++) {
			CU_ASSERT_STRING_EQUAL(part.names[k], all.names[from + 1 + k]);
			CU_ASSERT_EQUAL(part.attrs[k].valid, 0);
		}
	}
	/* a buffer that fills stops without eof */
	memset(&part, 0, sizeof(part));
	part.limit = 5;
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, 0, 0, list_fill, &part, &eof, NULL), 0);
	CU_ASSERT_FALSE(eof);
	CU_ASSERT_EQUAL(part.n, 5);
	/* a listing needs read permission: the kernel's */
	{
		struct xl_setattr sa = { .valid = XL_SET_MODE, .mode = 0700 };

		CU_ASSERT_EQUAL(xl_fop_setattr(vol, &ROOT, d, &sa, NULL), 0);
		memset(&part, 0, sizeof(part));
		part.limit = 64;
		CU_ASSERT_EQUAL(xl_fop_readdir(vol, &BOB, d, 0, 0, list_fill, &part, &eof, NULL),
				-EACCES);
	}
	xl_inode_unref(d);
}

/* A continued listing: names counted in a table, @limit per call. */
struct chunked {
	GHashTable *seen; /* name -> times seen */
	uint64_t last;
	int n, limit, dups;
};

static int chunked_fill(void *p, const struct xl_dirent *e)
{
	struct chunked *c = p;
	gpointer old;

	if (c->n >= c->limit)
		return 1;
	old = g_hash_table_lookup(c->seen, e->name);
	if (old)
		c->dups++;
	g_hash_table_insert(c->seen, g_strdup(e->name), GINT_TO_POINTER(GPOINTER_TO_INT(old) + 1));
	c->last = e->cookie;
	c->n++;
	return 0;
}

/* A directory far larger than one getdents64 buffer (8 KiB), listed 37
 * entries per call from the last cookie while, between calls, a file not
 * yet listed is removed and a new one made: every file there from start
 * to end comes exactly once, no removed one after its removal, nothing
 * twice, with and without attributes. */
static void test_readdir_continued(void)
{
	enum { N = 600, STEP = 37 };
	static const char pad[] = "-a-name-long-enough-that-a-buffer-holds-about-a-hundred";
	struct xl_inode *d;
	char name[128], path[160];

	d = mkdir_(&ROOT, root, "rdc", 0755);
	CU_ASSERT_FATAL(d != NULL);
	for (int i = 0; i < N; i++) {
		snprintf(path, sizeof(path), "rdc/f%03d%s", i, pad);
		close(open(on_disk(path), O_CREAT | O_WRONLY, 0644));
	}
	/* files removed so far, by both passes */
	GHashTable *removed = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);

	for (unsigned flags = 0; flags <= XL_READDIR_PLUS; flags += XL_READDIR_PLUS) {
		struct chunked c = { .seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free,
								   NULL) };
		unsigned removed_before = g_hash_table_size(removed);
		int calls = 0, victim = N - 1, made = 0;
		bool eof = false;

		while (!eof) {
			c.n = 0;
			c.limit = STEP;
			CU_ASSERT_EQUAL_FATAL(xl_fop_readdir(vol, &ROOT, d, c.last, flags, chunked_fill,
							     &c, &eof, NULL), 0);
			CU_ASSERT_FATAL(++calls < 100);
			/* remove the highest-numbered file not seen yet, make one */
			for (; victim >= 0; victim--) {
				snprintf(name, sizeof(name), "f%03d%s", victim, pad);
				if (!g_hash_table_contains(c.seen, name) &&
				    !g_hash_table_contains(removed, name))
					break;
			}
			if (victim >= 0 && !eof) {
				snprintf(path, sizeof(path), "rdc/%s", name);
				CU_ASSERT_EQUAL(unlink(on_disk(path)), 0);
				g_hash_table_add(removed, g_strdup(name));
				victim--;
			}
			snprintf(path, sizeof(path), "rdc/new%d.%u%s", made++, flags, pad);
			close(open(on_disk(path), O_CREAT | O_WRONLY, 0644));
		}
		CU_ASSERT_EQUAL(c.dups, 0);
		CU_ASSERT(calls > N / STEP);
		for (int i = 0; i < N; i++) {
			snprintf(name, sizeof(name), "f%03d%s", i, pad);
			bool gone = g_hash_table_contains(removed, name);

			CU_ASSERT_EQUAL(GPOINTER_TO_INT(g_hash_table_lookup(c.seen, name)),
					gone ? 0 : 1);
		}
		CU_ASSERT(g_hash_table_size(removed) > removed_before + 5);
		g_hash_table_destroy(c.seen);
	}
	g_hash_table_destroy(removed);
	xl_inode_unref(d);
}

static void test_xattrs_locks(void)
{
	struct xl_inode *f;
	char buf[256];
	int64_t delta[2] = { 5, -2 }, res[2];
	struct xl_lock lk;
	int n;

	f = mkfile(&ROOT, root, "xat", 0644, NULL);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "user.a", "1", 1, 0), 0);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "user.a", "2", 1, XL_XATTR_CREATE), -EEXIST);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "user.a", NULL, 0), 1);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "user.a", buf, sizeof(buf)), 1);
	CU_ASSERT_EQUAL(buf[0], '1');
	/* ours are invisible */
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "trusted.xlnfs.id", buf, sizeof(buf)),
			-ENODATA);
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &ROOT, f, "trusted.xlnfs.id", "x", 1, 0), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_removexattr(vol, &ROOT, f, "trusted.xlnfs.id"), -EPERM);
	n = xl_fop_listxattr(vol, &ROOT, f, buf, sizeof(buf));
	CU_ASSERT_EQUAL(n, 7);
	CU_ASSERT_EQUAL(memcmp(buf, "user.a", 7), 0);
	CU_ASSERT_EQUAL(xl_fop_listxattr(vol, &ROOT, f, NULL, 0), 7);
	CU_ASSERT_EQUAL(xl_fop_listxattr(vol, &ROOT, f, buf, 3), -ERANGE);
	/* another user may not write user.* of a 0644 root file */
	CU_ASSERT_EQUAL(xl_fop_setxattr(vol, &BOB, f, "user.b", "1", 1, 0), -EACCES);
	CU_ASSERT_EQUAL(xl_fop_removexattr(vol, &ROOT, f, "user.a"), 0);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "user.a", buf, sizeof(buf)), -ENODATA);
	/* counters */
	CU_ASSERT_EQUAL(xl_fop_xattr_add(vol, &ROOT, f, "trusted.t.count", delta, 2, res), 0);
	CU_ASSERT_EQUAL(res[0], 5);
	CU_ASSERT_EQUAL(res[1], -2);
	CU_ASSERT_EQUAL(xl_fop_xattr_add(vol, &ROOT, f, "trusted.t.count", delta, 2, res), 0);
	CU_ASSERT_EQUAL(res[0], 10);
	CU_ASSERT_EQUAL(res[1], -4);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "trusted.t.count", buf, sizeof(buf)), 16);
	CU_ASSERT_EQUAL((unsigned char)buf[7], 10); /* big-endian */
	CU_ASSERT_EQUAL(xl_fop_xattr_add(vol, &ROOT, f, "trusted.t.count", delta, 1, res), -EINVAL);
	/* compare-and-set */
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.c", NULL, 0, "v1", 2), 0);
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.c", NULL, 0, "v2", 2), -EAGAIN);
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.c", "v9", 2, "v2", 2), -EAGAIN);
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.c", "v", 1, "v2", 2), -EAGAIN);
	CU_ASSERT_EQUAL(xl_fop_xattr_cas(vol, &ROOT, f, "user.c", "v1", 2, "v2", 2), 0);
	CU_ASSERT_EQUAL(xl_fop_getxattr(vol, &ROOT, f, "user.c", buf, sizeof(buf)), 2);
	CU_ASSERT_EQUAL(memcmp(buf, "v2", 2), 0);
	/* locks: one owner's write lock conflicts with another's */
	memset(&lk, 0, sizeof(lk));
	lk.type = XL_LK_WRITE;
	lk.start = 0;
	lk.len = 10;
	lk.owner.len = 1;
	lk.owner.bytes[0] = 'A';
	CU_ASSERT_EQUAL(xl_fop_lk(vol, &ROOT, f, XL_LK_SET, &lk), 0);
	lk.owner.bytes[0] = 'B';
	lk.type = XL_LK_READ;
	lk.start = 5;
	CU_ASSERT_EQUAL(xl_fop_lk(vol, &ROOT, f, XL_LK_TEST, &lk), -EAGAIN);
	CU_ASSERT_EQUAL(lk.owner.bytes[0], 'A');
	lk.owner.bytes[0] = 'B';
	lk.start = 10;
	CU_ASSERT_EQUAL(xl_fop_lk(vol, &ROOT, f, XL_LK_SET, &lk), 0);
	xl_inode_unref(f);
}

/*
 * The metadata cycle (CREATE, WRITE, COMMIT, REMOVE) with the fewest
 * system calls: a created file's one descriptor serves its WRITE, the
 * attributes answered are the object's after its id and index link, and
 * what changed behind the server's back is still what the wcc says.
 */
static void test_create_cycle(void)
{
	struct xl_inode *d, *f = NULL, *g = NULL;
	struct xl_iatt ia;
	struct xl_wcc w;
	struct xl_id id;
	struct stat st;
	int before, fd;

	d = mkdir_(&ROOT, root, "cycle", 0777);
	CU_ASSERT_FATAL(d != NULL);
	/* the directory's own flush descriptor is opened by its first change */
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "none", NULL), -ENOENT);
	g = mkfile(&ROOT, d, "c0", 0644, NULL);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "c0", NULL), 0);
	xl_inode_unref(g);
	g = NULL;
	before = count_fds();
	memset(&ia, 0, sizeof(ia));
	/* 0444 and ALICE's: the new file opens for writing all the same */
	f = mkfile(&ALICE, d, "c1", 0444, &ia);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(count_fds(), before + 1); /* one descriptor for the file */
	CU_ASSERT_EQUAL(ia.nlink, 1); /* taken after the index link, which it leaves out */
	CU_ASSERT_EQUAL(stat(on_disk("cycle/c1"), &st), 0);
	CU_ASSERT_EQUAL(st.st_nlink, 2);
	CU_ASSERT_EQUAL(ia.ctime.tv_sec, st.st_ctim.tv_sec); /* after the id xattr */
	CU_ASSERT_EQUAL(ia.ctime.tv_nsec, st.st_ctim.tv_nsec);
	CU_ASSERT_EQUAL(ia.mode & 07777, 0444);
	CU_ASSERT_EQUAL(ia.uid, ALICE.cred.uid);
	id = *xl_inode_id(f);
	CU_ASSERT_TRUE(disk_id(on_disk("cycle/c1"), &ia.id) && xl_id_equal(&ia.id, &id));
	CU_ASSERT_EQUAL(stat(index_of(&id), &st), 0);
	/* the WRITE goes through the create's descriptor: none opened */
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(wr(&ALICE, f, 0, "hello", &w), 5); /* the owner's override */
	CU_ASSERT_EQUAL(count_fds(), before + 1);
	CU_ASSERT_EQUAL(w.pre.size, 0);
	CU_ASSERT_EQUAL(w.post.size, 5);
	CU_ASSERT_EQUAL(wr(&BOB, f, 0, "x", NULL), -EACCES);
	/* grown behind the server's back: the wcc says so */
	fd = open(on_disk("cycle/c1"), O_WRONLY | O_APPEND);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, "XYZ", 3), 3);
	close(fd);
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(wr(&ALICE, f, 5, "!", &w), 1);
	CU_ASSERT_EQUAL(w.pre.size, 8);
	CU_ASSERT_EQUAL(w.post.size, 8);
	/* COMMIT: the pre-op is the stat it was judged on, fresh */
	CU_ASSERT_EQUAL(truncate(on_disk("cycle/c1"), 3), 0);
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(xl_fop_fsync(vol, &ALICE, f, 0, 0, false, &w), 0);
	CU_ASSERT(w.pre.valid & XL_IATT_WCC);
	CU_ASSERT(w.post.valid & XL_IATT_WCC);
	CU_ASSERT_EQUAL(w.pre.size, 3);
	CU_ASSERT_EQUAL(w.post.size, 3);
	CU_ASSERT_EQUAL(w.pre.nlink, 1);
	/* a second name made outside: removing one name keeps the index
	 * entry and the object, removing the last drops both */
	CU_ASSERT_EQUAL(link(on_disk("cycle/c1"), on_disk("cycle/c2")), 0);
	memset(&w, 0, sizeof(w));
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "c1", &w), 0);
	CU_ASSERT(w.pre.valid && w.post.valid);
	CU_ASSERT_TRUE(ts_le(w.pre.mtime, w.post.mtime));
	CU_ASSERT_EQUAL(stat(index_of(&id), &st), 0);
	CU_ASSERT_EQUAL(attr_of(f).nlink, 1);
	g = xl_inode_find(graph->itable, &id); /* still cached: other names remain */
	CU_ASSERT_PTR_EQUAL(g, f);
	xl_inode_unref(g);
	g = NULL;
	xl_inode_unref(f);
	/* a restart forgets every context: the last name's id comes from
	 * its xattr then */
	xl_inode_unref(d);
	stop();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	CU_ASSERT_EQUAL(xl_lookup(vol, &ROOT, root, "cycle", &d, NULL, NULL), 0);
	CU_ASSERT_FATAL(d != NULL);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "c2", NULL), 0);
	CU_ASSERT_EQUAL(stat(index_of(&id), &st), -1);
	CU_ASSERT_EQUAL(xl_resolve(vol, &ROOT, &id, &g, NULL), -ESTALE);
	/* a cached file removed by the server: entry gone, inode forgotten */
	f = mkfile(&ROOT, d, "c3", 0644, NULL);
	CU_ASSERT_FATAL(f != NULL);
	id = *xl_inode_id(f);
	CU_ASSERT_EQUAL(xl_fop_unlink(vol, &ROOT, d, "c3", NULL), 0);
	CU_ASSERT_EQUAL(stat(index_of(&id), &st), -1);
	CU_ASSERT_PTR_NULL(xl_inode_find(graph->itable, &id));
	CU_ASSERT_EQUAL(xl_fop_fsync(vol, &ROOT, f, 0, 0, false, NULL), -ESTALE);
	xl_inode_unref(f);
	/* deleted behind the server's back: WRITE and COMMIT say STALE */
	f = mkfile(&ROOT, d, "c4", 0644, NULL);
	CU_ASSERT_FATAL(f != NULL);
	CU_ASSERT_EQUAL(unlink(on_disk("cycle/c4")), 0);
	CU_ASSERT_EQUAL(wr(&ROOT, f, 0, "x", NULL), -ESTALE);
	CU_ASSERT_EQUAL(xl_fop_fsync(vol, &ROOT, f, 0, 0, false, NULL), -ESTALE);
	xl_inode_unref(f);
	xl_inode_unref(d);
}

static void test_fd_cache(void)
{
	struct xl_inode *d, *in[100];
	char name[32], buf[256];
	int before, during;

	stop();
	CU_ASSERT_EQUAL_FATAL(start_opts(" option fd-cache-size 20"), 0);
	before = count_fds();
	d = mkdir_(&ROOT, root, "fdc", 0755);
	CU_ASSERT_FATAL(d != NULL);
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		in[i] = mkfile(&ROOT, d, name, 0644, NULL);
		CU_ASSERT_EQUAL(wr(&ROOT, in[i], 0, name, NULL), (int)strlen(name));
	}
	during = count_fds();
	CU_ASSERT(during - before <= 22);
	/* every one still works: reopened through the index */
	for (int i = 0; i < 100; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CU_ASSERT_EQUAL(rd(&BOB, in[i], 0, buf, NULL), (int)strlen(name));
		CU_ASSERT_STRING_EQUAL(buf, name);
	}
	CU_ASSERT(count_fds() - before <= 22);
	/* the eviction spares what is in use: a file read between every
	 * other file's use keeps its descriptors while 100 others cycle */
	{
		struct xl_inode *hot = mkfile(&ROOT, d, "hot", 0644, NULL);

		CU_ASSERT_FATAL(hot != NULL);
		CU_ASSERT_EQUAL(wr(&ROOT, hot, 0, "hot", NULL), 3);
		for (int i = 0; i < 100; i++) {
			CU_ASSERT_EQUAL(rd(&BOB, in[i], 0, buf, NULL), (int)strlen("f") + (i > 9) + 1);
			CU_ASSERT_EQUAL(rd(&BOB, hot, 0, buf, NULL), 3);
		}
		CU_ASSERT(holds_fd_to("hot"));
		CU_ASSERT(count_fds() - before <= 22);
		xl_inode_unref(hot);
	}
	for (int i = 0; i < 100; i++)
		xl_inode_unref(in[i]);
	xl_inode_unref(d);
	stop();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
}

struct thread_arg {
	struct xl_inode *dir;
	struct xl_call call;
	int index, errors;
};

static void *thread_main(void *p)
{
	struct thread_arg *t = p;
	char name[32];

	for (int i = 0; i < 50; i++) {
		struct xl_inode *f = NULL;
		struct xl_iatt ia;

		snprintf(name, sizeof(name), "t%d-%d", t->index, i);
		if (xl_create(vol, &t->call, t->dir, name, NULL, NULL, true, &f, &ia, NULL) != 0 ||
		    ia.uid != t->call.cred.uid)
			t->errors++;
		if (f && wr(&t->call, f, 0, "x", NULL) != 1)
			t->errors++;
		xl_inode_unref(f);
		if (i % 2 && xl_fop_unlink(vol, &t->call, t->dir, name, NULL) != 0)
			t->errors++;
	}
	return NULL;
}

static void run_threads(const char *dirname)
{
	struct xl_inode *d = mkdir_(&ROOT, root, dirname, 0777);
	struct thread_arg t[4];
	pthread_t tid[4];
	struct listing l = { .limit = 64 };
	bool eof;

	CU_ASSERT_FATAL(d != NULL);
	for (int i = 0; i < 4; i++) {
		t[i].dir = d;
		t[i].call = as(1000 + (uid_t)i, 1000 + (gid_t)i);
		t[i].index = i;
		t[i].errors = 0;
		pthread_create(&tid[i], NULL, thread_main, &t[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(tid[i], NULL);
		CU_ASSERT_EQUAL(t[i].errors, 0);
	}
	l.limit = 128;
	CU_ASSERT_EQUAL(xl_fop_readdir(vol, &ROOT, d, 0, 0, list_fill, &l, &eof, NULL), 0);
	CU_ASSERT_TRUE(eof);
	CU_ASSERT_EQUAL(l.n, 2 + 4 * 25);
	xl_inode_unref(d);
}

static void test_threads(void)
{
	run_threads("threads");
}

/* Creates and removes in flight on one directory share its fsyncs. */
static void test_group_commit(void)
{
	struct posix_priv *priv = vol->private;
	uint64_t commits = priv->dir_commits, fsyncs = priv->dir_fsyncs;
	gint64 t0 = g_get_monotonic_time();

	run_threads("group");
	commits = priv->dir_commits - commits;
	fsyncs = priv->dir_fsyncs - fsyncs;
	printf("(%llu directory changes, %llu fsyncs, %.0f changes/s) ",
	       (unsigned long long)commits, (unsigned long long)fsyncs,
	       commits * 1e6 / (double)(g_get_monotonic_time() - t0 + 1));
	CU_ASSERT(commits >= 4 * 75);
	CU_ASSERT(fsyncs <= commits);
	/* four threads at once on one directory: some fsyncs were shared */
	CU_ASSERT(fsyncs < commits);
}

static void test_fd_leaks(void)
{
	int before;

	stop();
	before = count_fds();
	CU_ASSERT_EQUAL_FATAL(start(), 0);
	run_threads("leaks");
	stop();
	CU_ASSERT_EQUAL(count_fds(), before);
	CU_ASSERT_EQUAL_FATAL(start(), 0);
}

static int suite_init(void)
{
	if (!mkdtemp(test_dir))
		return -1;
	chmod(test_dir, 0755);
	return start();
}

static int suite_clean(void)
{
	char cmd[128];

	stop();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", test_dir);
	return system(cmd) == 0 ? 0 : -1;
}

int main(void)
{
	CU_pSuite s;

	if (geteuid() != 0) {
		fprintf(stderr, "test_posix: needs root (trusted.* xattrs, other users)\n");
		return 77;
	}
	ROOT = as(0, 0);
	ALICE = as(1000, 1000);
	BOB = as(2000, 2000);
	xl_log_set_level(XL_LOG_NONE);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("storage/posix", suite_init, suite_clean);
	CU_add_test(s, "init errors", test_init_errors);
	CU_add_test(s, "ids given, kept in the xattr and the index", test_ids_given_and_kept);
	CU_add_test(s, "index fan-out folders made ahead, and again", test_index_fanout);
	CU_add_test(s, "ids across restart, rename, resolve", test_restart_resolve);
	CU_add_test(s, "objects made outside NFS, copies inside", test_outside_objects);
	CU_add_test(s, "a copied index entry is repaired by lookup", test_index_heal);
	CU_add_test(s, "the hidden index directory", test_hidden);
	CU_add_test(s, "cached objects known by their statx", test_cached_fast_path);
	CU_add_test(s, "readdirplus keeps the ids it listed", test_readdirplus_idcache);
	CU_add_test(s, "hard links, last unlink, forget", test_links_and_forget);
	CU_add_test(s, "wcc pre/post", test_wcc);
	CU_add_test(s, "permissions: kernel judgement, ACL, owner override", test_permissions);
	CU_add_test(s, "read, write, stability, fsync", test_data);
	CU_add_test(s, "READ, WRITE and ACCESS judged on fresh attributes", test_fresh_judgement);
	CU_add_test(s, "symlink, mknod, link, create over names", test_special);
	CU_add_test(s, "rename: victims, directories", test_rename);
	CU_add_test(s, "readdir(plus): cookies, ids, permission", test_readdir);
	CU_add_test(s, "readdir(plus) continued while the directory changes",
		    test_readdir_continued);
	CU_add_test(s, "xattrs, add, cas, locks", test_xattrs_locks);
	CU_add_test(s, "create, write, commit, remove: one descriptor, fresh wcc", test_create_cycle);
	CU_add_test(s, "bounded descriptor cache", test_fd_cache);
	CU_add_test(s, "threads", test_threads);
	CU_add_test(s, "group commit of directory fsyncs", test_group_commit);
	CU_add_test(s, "no descriptor leaks", test_fd_leaks);
	return cunit_run();
}

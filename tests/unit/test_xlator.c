/*
 * test_xlator.c — unit tests for the translator framework's runtime
 * (xlators/xlator.c, inode.c, notify.c, services.c, lk.c, graph.c):
 * ids and fop names; dispatch through NULL slots; hooks failing a fop,
 * rewriting a result, and the frame they see; per-volume statistics; the
 * inode-producing calls and how they link; context merging on a link race
 * and ctx_free() of the loser; set-if-unset under concurrency; notify
 * delivery order and pass-through, FORGET at the top; CHILD_UP after
 * init; timers firing and cancelled; fini waiting for background work;
 * the loader refusing a multi-child volume with NULL fop slots and a
 * module of another ABI; the byte-range lock table.
 *
 * Most tests use a graph built by hand (top → mid → leaf) with modules
 * defined here; the shutdown and loader tests load test/dummy and
 * test/pass from tests/unit/modules.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <glib.h>
#include <gmodule.h>

#include "services.h"
#include "xlator.h"
#include "cunit_main.h"

/* ------------------------------------------------------------ the graph */

static GString *trace; /* what the modules here did */

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void note(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	g_string_append_vprintf(trace, fmt, ap);
	va_end(ap);
	g_string_append_c(trace, ' ');
}

/* leaf: a store answering a few fops. */
static int leaf_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		       struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr)
{
	if (strcmp(name, "missing") == 0)
		return -ENOENT;
	memset(attr, 0, sizeof(*attr));
	if (strcmp(name, "noid") != 0) { /* "noid" breaks the contract */
		attr->valid = XL_IATT_ID;
		attr->id.bytes[0] = 7;
		memcpy(attr->id.bytes + 1, name, strnlen(name, 15));
	}
	note("leaf:lookup:%s", name);
	return 0;
}

static int leaf_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			struct xl_iatt *attr)
{
	char s[XL_ID_STRLEN];

	note("leaf:resolve:%s", xl_id_to_str(xl_inode_id(inode), s));
	if (xl_inode_id(inode)->bytes[0] == 0xde)
		return -ESTALE;
	attr->valid = XL_IATT_INO;
	attr->ino = 77;
	return 0;
}

static int leaf_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			struct xl_iatt *attr)
{
	note("leaf:getattr");
	if (attr) {
		attr->valid = XL_IATT_INO;
		attr->ino = 42;
	}
	return 0;
}

static int leaf_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		       const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
		       struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc)
{
	memset(attr, 0, sizeof(*attr));
	attr->valid = XL_IATT_ID;
	attr->id = *id;
	return 0;
}

static struct xl_iobuf *leaf_buf; /* what read returns a slice of */

static int leaf_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		     size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr)
{
	out->iobuf = xl_iobuf_ref(leaf_buf);
	out->ptr = leaf_buf->data;
	out->len = len < leaf_buf->size ? len : leaf_buf->size;
	*eof = false;
	return (int)out->len;
}

static int leaf_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		      uint64_t len, bool datasync, struct xl_wcc *wcc)
{
	usleep(3000);
	return datasync ? 0 : -EIO;
}

static int leaf_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
		       const char *oldname, struct xl_inode *newdir, const char *newname,
		       struct xl_wcc *old_wcc, struct xl_wcc *new_wcc)
{
	return 0;
}

static int leaf_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		      const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc)
{
	return (int)data->len;
}

static void t_ctx_free(struct xl *xl, struct xl_inode *inode, void *ctx)
{
	note("ctx_free:%s:%s", xl->name, (const char *)ctx);
}

static const struct xl_fops leaf_fops = {
    .lookup = leaf_lookup,
    .resolve = leaf_resolve,
    .getattr = leaf_getattr,
    .create = leaf_create,
    .read = leaf_read,
    .write = leaf_write,
    .fsync = leaf_fsync,
    .rename = leaf_rename,
};

/* top: hooks only. What they do is set by the test. */
static int hook_fail;		     /* enter fails fops with this */
static enum xl_fop_id hook_fail_fop; /* ... of this kind */
static int hook_rewrite;	     /* leave sets results of hook_rewrite_fop */
static enum xl_fop_id hook_rewrite_fop;
static struct xl_fop_frame seen_enter, seen_leave;

static int top_enter(struct xl *xl, struct xl_fop_frame *f)
{
	seen_enter = *f;
	note("top:enter:%s", xl_fop_name(f->fop));
	return hook_fail && f->fop == hook_fail_fop ? hook_fail : 0;
}

static void top_leave(struct xl *xl, struct xl_fop_frame *f)
{
	seen_leave = *f;
	note("top:leave:%s:%d", xl_fop_name(f->fop), f->result);
	if (hook_rewrite && f->fop == hook_rewrite_fop)
		f->result = hook_rewrite;
}

static const struct xl_hooks top_hooks = {.enter = top_enter, .leave = top_leave};

/* Event recorders: notify() notes and passes events on. */
static void rec_notify(struct xl *xl, struct xl_event *ev)
{
	static const char *const types[] = {"up", "down", "invalidate", "forget"};

	note("%s<-%s:%s", xl->name, ev->from->name, types[ev->type]);
	xl_notify_parents(xl, ev);
}

static const struct xl_module leaf_mod = {
    .abi = XL_ABI_VERSION, .type = "t/leaf", .fops = &leaf_fops, .ctx_free = t_ctx_free};
static const struct xl_module mid_mod = {
    .abi = XL_ABI_VERSION, .type = "t/mid", .ctx_free = t_ctx_free};
static const struct xl_module top_mod = {.abi = XL_ABI_VERSION,
					 .type = "t/top",
					 .hooks = &top_hooks,
					 .ctx_free = t_ctx_free,
					 .notify = rec_notify};
static const struct xl_module rec_mod = {
    .abi = XL_ABI_VERSION, .type = "t/rec", .notify = rec_notify};

/* top → mid → leaf, plus "side" (a recorder) as leaf's second parent
 * under top, for the notify tests. */
static struct xl v_top = {.name = "top", .module = &top_mod, .slot = 0};
static struct xl v_mid = {.name = "mid", .module = &mid_mod, .slot = 1};
static struct xl v_leaf = {.name = "leaf", .module = &leaf_mod, .slot = 2};
static struct xl v_side = {.name = "side", .module = &rec_mod, .slot = 3};
static struct xl *all[] = {&v_top, &v_mid, &v_leaf, &v_side};
static struct xl *top_children[] = {&v_mid};
static struct xl *mid_children[] = {&v_leaf};
static struct xl *side_children[] = {&v_leaf};
static struct xl *leaf_parents[] = {&v_mid, &v_side};
static struct xl *to_top[] = {&v_top};
static struct xl_graph graph = {.volumes = all, .nvolumes = 4, .top = &v_top};
static struct xl_call call0;

static int setup(void)
{
	trace = g_string_new(NULL);
	xl_log_set_level(XL_LOG_NONE);
	for (size_t i = 0; i < graph.nvolumes; i++) {
		all[i]->graph = &graph;
		all[i]->stats = g_new0(struct xl_fop_stats, XL_FOP_COUNT);
	}
	v_top.children = top_children;
	v_top.nchildren = 1;
	v_mid.children = mid_children;
	v_mid.nchildren = 1;
	v_mid.parents = to_top;
	v_mid.nparents = 1;
	v_leaf.parents = leaf_parents;
	v_leaf.nparents = 1; /* the notify test adds side */
	v_side.children = side_children;
	v_side.nchildren = 1;
	v_side.parents = to_top;
	v_side.nparents = 1;
	graph.itable = xl_inode_table_new(&graph, 64);
	leaf_buf = xl_iobuf_new(100);
	return 0;
}

static int teardown(void)
{
	xl_iobuf_unref(leaf_buf);
	xl_inode_table_free(graph.itable);
	xl_svc_free(&graph);
	for (size_t i = 0; i < graph.nvolumes; i++)
		g_free(all[i]->stats);
	g_string_free(trace, TRUE);
	return 0;
}

static void reset(void)
{
	g_string_truncate(trace, 0);
	hook_fail = hook_rewrite = 0;
	for (size_t i = 0; i < graph.nvolumes; i++)
		memset(all[i]->stats, 0, XL_FOP_COUNT * sizeof(struct xl_fop_stats));
}

/* ------------------------------------------------------- ids and names */

static int id_cmp(const void *a, const void *b)
{
	return memcmp(a, b, sizeof(struct xl_id));
}

static void test_ids_and_names(void)
{
	char s[XL_ID_STRLEN];
	struct xl_id a, b, parsed;

	CU_ASSERT_STRING_EQUAL(xl_id_to_str(&XL_ID_ROOT, s),
			       "00000000-0000-0000-0000-000000000001");
	CU_ASSERT_FALSE(xl_id_is_null(&XL_ID_ROOT));
	memset(&a, 0, sizeof(a));
	CU_ASSERT_TRUE(xl_id_is_null(&a));
	xl_id_generate(&a);
	xl_id_generate(&b);
	CU_ASSERT_FALSE(xl_id_equal(&a, &b));
	CU_ASSERT_EQUAL(a.bytes[6] >> 4, 4);	  /* version 4 */
	CU_ASSERT_EQUAL(a.bytes[8] & 0xc0, 0x80); /* RFC 4122 variant */
	xl_id_to_str(&a, s);
	CU_ASSERT_EQUAL(strlen(s), XL_ID_STRLEN - 1);
	CU_ASSERT_EQUAL(xl_id_parse(s, &parsed), 0);
	CU_ASSERT_TRUE(xl_id_equal(&a, &parsed));
	CU_ASSERT_EQUAL(xl_id_parse("00000000-0000-0000-0000-00000000000A", &parsed), 0);
	CU_ASSERT_EQUAL(parsed.bytes[15], 10);
	CU_ASSERT_EQUAL(xl_id_parse("00000000-0000-0000-0000-00000000000", &parsed), -EINVAL);
	CU_ASSERT_EQUAL(xl_id_parse("00000000-0000-0000-0000-0000000000011", &parsed), -EINVAL);
	CU_ASSERT_EQUAL(xl_id_parse("00000000000000000000000000000001xxxx", &parsed), -EINVAL);
	CU_ASSERT_EQUAL(xl_id_parse("0000000g-0000-0000-0000-000000000001", &parsed), -EINVAL);
	CU_ASSERT_TRUE(xl_id_equal(&parsed, &parsed)); /* failed parses left it alone */
	CU_ASSERT_EQUAL(parsed.bytes[15], 10);

	/* new ids come in runs sharing their first two bytes (storage's
	 * index folder), the other 14 random: 3 x 4096 ids span 3 or 4 runs */
	{
		enum { N = 3 * 4096 };
		struct xl_id *ids = calloc(N, sizeof(*ids));
		unsigned same = 0, changes = 0;

		CU_ASSERT_FATAL(ids != NULL);
		for (int i = 0; i < N; i++) {
			xl_id_generate(&ids[i]);
			CU_ASSERT_EQUAL(ids[i].bytes[6] >> 4, 4);
			CU_ASSERT_EQUAL(ids[i].bytes[8] & 0xc0, 0x80);
			if (i == 0)
				continue;
			if (!memcmp(ids[i].bytes, ids[i - 1].bytes, 2))
				same++;
			else
				changes++;
			CU_ASSERT_NOT_EQUAL(memcmp(ids[i].bytes + 2, ids[i - 1].bytes + 2, 14), 0);
		}
		CU_ASSERT(changes >= 2 && changes <= 4);
		CU_ASSERT_EQUAL(same + changes, N - 1);
		/* a forked child draws other bytes than its parent's pool */
		{
			struct xl_id mine, theirs;
			int fds[2];
			pid_t pid;

			xl_id_generate(&mine); /* the pool is not empty at the fork */
			CU_ASSERT_EQUAL_FATAL(pipe(fds), 0);
			pid = fork();
			CU_ASSERT_FATAL(pid >= 0);
			if (pid == 0) {
				xl_id_generate(&theirs);
				_exit(write(fds[1], &theirs, sizeof(theirs)) == sizeof(theirs) ? 0 : 1);
			}
			xl_id_generate(&mine);
			CU_ASSERT_EQUAL(read(fds[0], &theirs, sizeof(theirs)), (ssize_t)sizeof(theirs));
			waitpid(pid, NULL, 0);
			close(fds[0]);
			close(fds[1]);
			CU_ASSERT_NOT_EQUAL(memcmp(mine.bytes + 2, theirs.bytes + 2, 14), 0);
		}
		qsort(ids, N, sizeof(*ids), id_cmp);
		for (int i = 1; i < N; i++)
			CU_ASSERT_FALSE(xl_id_equal(&ids[i], &ids[i - 1])); /* all distinct */
		free(ids);
	}

	for (int f = 0; f < XL_FOP_COUNT; f++)
		CU_ASSERT_EQUAL(xl_fop_by_name(xl_fop_name((enum xl_fop_id)f)), f);
	CU_ASSERT_STRING_EQUAL(xl_fop_name(XL_FOP_XATTR_CAS), "xattr_cas");
	CU_ASSERT_STRING_EQUAL(xl_fop_name(XL_FOP_LK), "lk");
	CU_ASSERT_EQUAL(xl_fop_by_name("frobnicate"), -1);
}

static void test_iatt_from_stat(void)
{
	struct stat st = {.st_mode = S_IFREG | 0640,
			  .st_nlink = 3,
			  .st_uid = 5,
			  .st_gid = 6,
			  .st_size = 1000,
			  .st_blocks = 8,
			  .st_dev = 9,
			  .st_ino = 11};
	struct xl_iatt ia = {.valid = XL_IATT_ID, .id = {.bytes = {1}}};

	st.st_mtim.tv_sec = 123;
	xl_iatt_from_stat(&ia, &st);
	CU_ASSERT_EQUAL(ia.valid, XL_IATT_ALL);
	CU_ASSERT_EQUAL(ia.id.bytes[0], 1);
	CU_ASSERT_EQUAL(ia.mode, S_IFREG | 0640);
	CU_ASSERT_EQUAL(ia.nlink, 3);
	CU_ASSERT_EQUAL(ia.size, 1000);
	CU_ASSERT_EQUAL(ia.used, 4096);
	CU_ASSERT_EQUAL(ia.fsid, 9);
	CU_ASSERT_EQUAL(ia.ino, 11);
	CU_ASSERT_EQUAL(ia.mtime.tv_sec, 123);
	ia.valid = 0;
	xl_iatt_from_stat(&ia, &st);
	CU_ASSERT_EQUAL(ia.valid, XL_IATT_ALL & ~XL_IATT_ID);
}

/* ---------------------------------------------------- dispatch and hooks */

static void test_dispatch(void)
{
	struct xl_iatt ia = {0};

	reset();
	/* top (hooks only) and mid (nothing) pass getattr down to leaf. */
	CU_ASSERT_EQUAL(xl_fop_getattr(&v_top, &call0, NULL, &ia), 0);
	CU_ASSERT_EQUAL(ia.ino, 42);
	CU_ASSERT_STRING_EQUAL(trace->str, "top:enter:getattr leaf:getattr top:leave:getattr:0 ");
	/* Nobody implements statfs: the leaf answers -ENOSYS, hooks still run. */
	reset();
	CU_ASSERT_EQUAL(xl_fop_statfs(&v_top, &call0, NULL, NULL), -ENOSYS);
	CU_ASSERT_STRING_EQUAL(trace->str, "top:enter:statfs top:leave:statfs:-38 ");
	/* Stacking from mid skips top's hooks. */
	reset();
	CU_ASSERT_EQUAL(xl_next_getattr(&v_mid, &call0, NULL, NULL), 0);
	CU_ASSERT_STRING_EQUAL(trace->str, "leaf:getattr ");
}

static void test_hooks(void)
{
	struct xl_inode *a = xl_inode_new(graph.itable, NULL),
			*b = xl_inode_new(graph.itable, NULL);
	struct xl_iatt ia;
	struct xl_data d = {.iobuf = leaf_buf, .ptr = leaf_buf->data, .len = 10};
	enum xl_stable stable = XL_UNSTABLE;
	struct xl_data out = {0};
	bool eof;

	/* enter fails the fop: it is not called, leave sees the error. */
	reset();
	hook_fail = -EPERM;
	hook_fail_fop = XL_FOP_GETATTR;
	CU_ASSERT_EQUAL(xl_fop_getattr(&v_top, &call0, a, &ia), -EPERM);
	CU_ASSERT_STRING_EQUAL(trace->str, "top:enter:getattr top:leave:getattr:-1 ");
	/* Only that fop. */
	CU_ASSERT_EQUAL(xl_fop_write(&v_top, &call0, a, 4096, &d, &stable, NULL), 10);

	/* leave rewrites a result. */
	reset();
	hook_rewrite = -EROFS;
	hook_rewrite_fop = XL_FOP_RENAME;
	CU_ASSERT_EQUAL(xl_fop_rename(&v_top, &call0, a, "old", b, "new", NULL, NULL), -EROFS);
	/* The frame: rename's four arguments, the caller, times. */
	CU_ASSERT_EQUAL(seen_enter.fop, XL_FOP_RENAME);
	CU_ASSERT_PTR_EQUAL(seen_enter.xl, &v_top);
	CU_ASSERT_PTR_EQUAL(seen_enter.call, &call0);
	CU_ASSERT_PTR_EQUAL(seen_enter.inode, a);
	CU_ASSERT_STRING_EQUAL(seen_enter.name, "old");
	CU_ASSERT_PTR_EQUAL(seen_enter.inode2, b);
	CU_ASSERT_STRING_EQUAL(seen_enter.name2, "new");
	CU_ASSERT_TRUE(seen_enter.start_us > 0);
	CU_ASSERT_EQUAL(seen_leave.result, 0); /* leave saw the fop's own result */
	CU_ASSERT_EQUAL(seen_leave.start_us, seen_enter.start_us);
	CU_ASSERT_TRUE(seen_leave.elapsed_us >= 0);

	/* write's range and fsync's time. */
	hook_rewrite = 0;
	CU_ASSERT_EQUAL(xl_fop_write(&v_top, &call0, a, 4096, &d, &stable, NULL), 10);
	CU_ASSERT_EQUAL(seen_enter.off, 4096);
	CU_ASSERT_EQUAL(seen_enter.len, 10);
	CU_ASSERT_PTR_NULL(seen_enter.name);
	CU_ASSERT_EQUAL(xl_fop_fsync(&v_top, &call0, a, 0, 0, true, NULL), 0);
	CU_ASSERT_TRUE(seen_leave.elapsed_us >= 3000);
	/* symlink's target and readdir's cookie. */
	xl_fop_symlink(&v_top, &call0, a, "ln", "target", NULL, NULL, b, &ia, NULL);
	CU_ASSERT_STRING_EQUAL(seen_enter.name, "ln");
	CU_ASSERT_STRING_EQUAL(seen_enter.name2, "target");
	xl_fop_readdir(&v_top, &call0, a, 99, 0, NULL, NULL, &eof, NULL);
	CU_ASSERT_EQUAL(seen_enter.off, 99);

	/* A read that leave() fails gives its slice back. */
	CU_ASSERT_EQUAL(__atomic_load_n(&leaf_buf->refs, __ATOMIC_RELAXED), 1);
	hook_rewrite = -EIO;
	hook_rewrite_fop = XL_FOP_READ;
	CU_ASSERT_EQUAL(xl_fop_read(&v_top, &call0, a, 0, 50, &out, &eof, NULL), -EIO);
	CU_ASSERT_EQUAL(__atomic_load_n(&leaf_buf->refs, __ATOMIC_RELAXED), 1);
	CU_ASSERT_PTR_NULL(out.iobuf);
	hook_rewrite = 0;
	CU_ASSERT_EQUAL(xl_fop_read(&v_top, &call0, a, 0, 50, &out, &eof, NULL), 50);
	CU_ASSERT_EQUAL(__atomic_load_n(&leaf_buf->refs, __ATOMIC_RELAXED), 2);
	xl_data_release(&out);
	xl_inode_unref(a);
	xl_inode_unref(b);
}

static void test_stats(void)
{
	struct xl_fop_stats st;

	reset();
	for (int i = 0; i < 3; i++)
		xl_fop_getattr(&v_top, &call0, NULL, NULL);
	xl_fop_fsync(&v_top, &call0, NULL, 0, 0, false, NULL); /* -EIO after 3 ms */
	xl_fop_statfs(&v_mid, &call0, NULL, NULL);	       /* -ENOSYS */

	/* Every volume on the way counts. */
	xl_fop_stats_get(&v_top, XL_FOP_GETATTR, &st);
	CU_ASSERT_EQUAL(st.calls, 3);
	CU_ASSERT_EQUAL(st.errors, 0);
	xl_fop_stats_get(&v_mid, XL_FOP_GETATTR, &st);
	CU_ASSERT_EQUAL(st.calls, 3);
	xl_fop_stats_get(&v_leaf, XL_FOP_GETATTR, &st);
	CU_ASSERT_EQUAL(st.calls, 3);
	xl_fop_stats_get(&v_leaf, XL_FOP_FSYNC, &st);
	CU_ASSERT_EQUAL(st.calls, 1);
	CU_ASSERT_EQUAL(st.errors, 1);
	CU_ASSERT_TRUE(st.total_us >= 3000);
	CU_ASSERT_EQUAL(st.max_us, st.total_us);
	xl_fop_stats_get(&v_top, XL_FOP_STATFS, &st);
	CU_ASSERT_EQUAL(st.calls, 0);
	xl_fop_stats_get(&v_leaf, XL_FOP_STATFS, &st);
	CU_ASSERT_EQUAL(st.calls, 1);
	CU_ASSERT_EQUAL(st.errors, 1);
	/* The result counted is the one leave() left. */
	hook_rewrite = -EACCES;
	hook_rewrite_fop = XL_FOP_GETATTR;
	xl_fop_getattr(&v_top, &call0, NULL, NULL);
	hook_rewrite = 0;
	xl_fop_stats_get(&v_top, XL_FOP_GETATTR, &st);
	CU_ASSERT_EQUAL(st.calls, 4);
	CU_ASSERT_EQUAL(st.errors, 1);
	xl_fop_stats_get(&v_leaf, XL_FOP_GETATTR, &st);
	CU_ASSERT_EQUAL(st.errors, 0);
}

/* ------------------------------------------------------ making inodes */

static void test_inode_calls(void)
{
	struct xl_inode *a, *again, *c;
	struct xl_iatt ia;
	struct xl_fop_stats st;
	struct xl_id dead = {.bytes = {0xde}}, id;

	reset();
	CU_ASSERT_EQUAL(xl_lookup(&v_top, &call0, NULL, "f", &a, NULL, NULL), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(a);
	CU_ASSERT_EQUAL(xl_inode_id(a)->bytes[0], 7);
	CU_ASSERT_EQUAL(xl_inode_id(a)->bytes[1], 'f');
	/* The same id again: the linked inode. */
	CU_ASSERT_EQUAL(xl_lookup(&v_top, &call0, NULL, "f", &again, &ia, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, a);
	xl_inode_unref(again);
	CU_ASSERT_EQUAL(xl_lookup(&v_top, &call0, NULL, "missing", &c, NULL, NULL), -ENOENT);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_EQUAL(xl_lookup(&v_top, &call0, NULL, "noid", &c, NULL, NULL), -EIO);
	CU_ASSERT_PTR_NULL(c);

	/* Resolve of a cached id: no fop unless attributes are wanted. */
	reset();
	CU_ASSERT_EQUAL(xl_resolve(&v_top, &call0, xl_inode_id(a), &again, NULL), 0);
	CU_ASSERT_PTR_EQUAL(again, a);
	xl_inode_unref(again);
	CU_ASSERT_STRING_EQUAL(trace->str, "");
	CU_ASSERT_EQUAL(xl_resolve(&v_top, &call0, xl_inode_id(a), &again, &ia), 0);
	CU_ASSERT_PTR_EQUAL(again, a);
	CU_ASSERT_EQUAL(ia.ino, 42);
	xl_inode_unref(again);
	CU_ASSERT_STRING_EQUAL(trace->str, "top:enter:getattr leaf:getattr top:leave:getattr:0 ");
	xl_fop_stats_get(&v_leaf, XL_FOP_RESOLVE, &st);
	CU_ASSERT_EQUAL(st.calls, 0);
	/* Not cached: the resolve fop on an inode made with the id. */
	xl_id_parse("12345678-0000-4000-8000-000000000000", &id);
	CU_ASSERT_EQUAL(xl_resolve(&v_top, &call0, &id, &c, &ia), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(c);
	CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(c), &id));
	CU_ASSERT_TRUE(strstr(trace->str, "leaf:resolve:12345678-0000-4000-8000-000000000000") !=
		       NULL);
	CU_ASSERT_EQUAL(ia.ino, 77);
	CU_ASSERT_TRUE(ia.valid & XL_IATT_ID);
	again = xl_inode_find(graph.itable, &id); /* linked */
	CU_ASSERT_PTR_EQUAL(again, c);
	xl_inode_unref(again);
	xl_inode_unref(c);
	CU_ASSERT_EQUAL(xl_resolve(&v_top, &call0, &dead, &c, NULL), -ESTALE);
	CU_ASSERT_PTR_NULL(c);
	CU_ASSERT_PTR_NULL(xl_inode_find(graph.itable, &dead));

	/* Create with an id passes it; without one, the framework makes a v4. */
	CU_ASSERT_EQUAL(xl_create(&v_top, &call0, a, "n", &id, NULL, true, &c, NULL, NULL), 0);
	CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(c), &id));
	xl_inode_unref(c);
	CU_ASSERT_EQUAL(xl_create(&v_top, &call0, a, "n", NULL, NULL, true, &c, &ia, NULL), 0);
	CU_ASSERT_FALSE(xl_id_equal(xl_inode_id(c), &id));
	CU_ASSERT_EQUAL(xl_inode_id(c)->bytes[6] >> 4, 4);
	CU_ASSERT_TRUE(xl_id_equal(xl_inode_id(c), &ia.id));
	xl_inode_unref(c);
	/* mkdir is not implemented anywhere: nothing is linked. */
	CU_ASSERT_EQUAL(xl_mkdir(&v_top, &call0, a, "d", NULL, NULL, &c, NULL, NULL), -ENOSYS);
	CU_ASSERT_PTR_NULL(c);
	xl_inode_unref(a);
}

static void test_link_merge(void)
{
	struct xl_id id = {.bytes = {0x33, 1}};
	struct xl_inode *first = xl_inode_new(graph.itable, NULL);
	struct xl_inode *second = xl_inode_new(graph.itable, NULL), *got;

	/* Two lookups of one object raced: both made contexts. */
	xl_inode_ctx_set_if_unset(first, &v_leaf, "leaf1");
	xl_inode_ctx_set_if_unset(second, &v_leaf, "leaf2");
	xl_inode_ctx_set_if_unset(second, &v_mid, "mid2");
	reset();
	CU_ASSERT_PTR_EQUAL(xl_inode_link(first, &id), first);
	got = xl_inode_link(second, &id);
	CU_ASSERT_PTR_EQUAL(got, first);
	/* The loser's context where the winner had one is released; the one
	 * the winner lacked moved over. */
	CU_ASSERT_STRING_EQUAL(trace->str, "ctx_free:leaf:leaf2 ");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(first, &v_leaf), "leaf1");
	CU_ASSERT_STRING_EQUAL(xl_inode_ctx_get(first, &v_mid), "mid2");
	CU_ASSERT_PTR_NULL(xl_inode_ctx_get(first, &v_top));
	xl_inode_unref(got);
	/* Dropped (forgotten) with both contexts released, once each. */
	reset();
	xl_inode_forget(first);
	xl_inode_unref(first);
	CU_ASSERT_STRING_EQUAL(trace->str, "ctx_free:mid:mid2 ctx_free:leaf:leaf1 ");
}

#define RACERS	    8
#define RACE_ROUNDS 300

struct racer {
	struct xl_inode *inode;
	pthread_barrier_t *start;
	void *mine, *got;
};

static void *race_ctx(void *arg)
{
	struct racer *r = arg;

	pthread_barrier_wait(r->start);
	r->got = xl_inode_ctx_set_if_unset(r->inode, &v_mid, r->mine);
	return NULL;
}

static void test_set_if_unset_threads(void)
{
	pthread_barrier_t start;
	int values[RACERS], bad = 0;

	pthread_barrier_init(&start, NULL, RACERS);
	for (int round = 0; round < RACE_ROUNDS; round++) {
		struct xl_inode *in = xl_inode_new(graph.itable, NULL);
		struct racer r[RACERS];
		pthread_t th[RACERS];
		int winners = 0;

		for (int i = 0; i < RACERS; i++) {
			r[i] = (struct racer){.inode = in, .start = &start, .mine = &values[i]};
			pthread_create(&th[i], NULL, race_ctx, &r[i]);
		}
		for (int i = 0; i < RACERS; i++)
			pthread_join(th[i], NULL);
		/* One winner; everyone sees its value. */
		for (int i = 0; i < RACERS; i++) {
			winners += r[i].got == r[i].mine;
			bad += r[i].got != xl_inode_ctx_get(in, &v_mid);
		}
		bad += winners != 1;
		xl_inode_ctx_del(in, &v_mid); /* ints on the stack: not released */
		xl_inode_unref(in);
	}
	pthread_barrier_destroy(&start);
	CU_ASSERT_EQUAL(bad, 0);
}

/* ------------------------------------------------------------- notify */

static void test_notify(void)
{
	struct xl_event ev = {.type = XL_EV_INVALIDATE};
	struct xl_id id = {.bytes = {0x44}};
	struct xl_inode *in;

	/* leaf's parents: mid (no notify: passes on as itself) and side (a
	 * recorder that relays); both lead to top (a recorder). */
	v_leaf.nparents = 2;
	reset();
	xl_notify_parents(&v_leaf, &ev);
	CU_ASSERT_STRING_EQUAL(trace->str, "top<-mid:invalidate side<-leaf:invalidate "
					   "top<-side:invalidate ");
	CU_ASSERT_PTR_EQUAL(ev.from, &v_leaf);

	/* FORGET reaching the top drops the cached inode. */
	in = xl_inode_link(xl_inode_new(graph.itable, NULL), &id);
	xl_inode_unref(in); /* cached */
	in = xl_inode_find(graph.itable, &id);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	xl_inode_unref(in);
	ev = (struct xl_event){.type = XL_EV_FORGET, .id = id};
	xl_notify_parents(&v_leaf, &ev);
	CU_ASSERT_PTR_NULL(xl_inode_find(graph.itable, &id));
	/* From the top itself (a lone volume) too. */
	in = xl_inode_link(xl_inode_new(graph.itable, NULL), &id);
	xl_inode_unref(in);
	xl_notify_parents(&v_top, &ev);
	CU_ASSERT_PTR_NULL(xl_inode_find(graph.itable, &id));
	v_leaf.nparents = 1;
}

/* ------------------------------------------------ loaded graphs: modules */

static GPtrArray *diags;
static char *pass_trace;

static void capture(void *ctx, const char *msg)
{
	g_ptr_array_add(diags, g_strdup(msg));
}

static int load(const char *text, struct xl_graph **g)
{
	g_ptr_array_set_size(diags, 0);
	*g = NULL;
	return xl_graph_load_text("t.vol", text, TEST_MODULE_DIR, g);
}

static int setup_loaded(void)
{
	GModule *m;
	char *path = g_strdup_printf("%s/test/.libs/pass.so", TEST_MODULE_DIR);
	gpointer sym = NULL;

	diags = g_ptr_array_new_with_free_func(g_free);
	xl_diag_set_handler(capture, NULL);
	m = g_module_open(path, G_MODULE_BIND_LOCAL);
	g_free(path);
	if (!m || !g_module_symbol(m, "pass_trace", &sym))
		return 1;
	pass_trace = sym;
	return 0;
}

static int teardown_loaded(void)
{
	xl_diag_set_handler(NULL, NULL);
	g_ptr_array_free(diags, TRUE);
	return 0;
}

#define LEAF "volume leaf\n type test/dummy\n option directory /d\nend-volume\n"

static void test_multi_child_refused(void)
{
	struct xl_graph *g;
	bool found = false;
	const char *want = "t.vol:12: volume 'm' (type test/dummy) has 2 subvolumes but leaves "
			   "fop 'resolve' (and 23 more) to pass through";

	CU_ASSERT_EQUAL(load("volume x\n type test/dummy\n option directory /d\nend-volume\n"
			     "volume y\n type test/dummy\n option directory /d\nend-volume\n"
			     "volume m\n type test/dummy\n option directory /d\n"
			     " subvolumes x y\nend-volume\n"
			     "volume top\n type test/pass\n subvolumes m\nend-volume\n",
			     &g),
			-EINVAL);
	CU_ASSERT_PTR_NULL(g);
	for (guint i = 0; i < diags->len; i++)
		found |= g_str_has_prefix(g_ptr_array_index(diags, i), want);
	if (!found)
		for (guint i = 0; i < diags->len; i++)
			fprintf(stderr, "\n  got: %s", (char *)g_ptr_array_index(diags, i));
	CU_ASSERT_TRUE(found);
	/* The same volume as the top is fine: nobody calls its fops. */
	CU_ASSERT_EQUAL_FATAL(load("volume x\n type test/dummy\n option directory /d\nend-volume\n"
				   "volume y\n type test/dummy\n option directory /d\nend-volume\n"
				   "volume m\n type test/dummy\n option directory /d\n"
				   " subvolumes x y\nend-volume\n",
				   &g),
			      0);
	CU_ASSERT_EQUAL(g->volumes[0]->nparents, 1);
	CU_ASSERT_PTR_EQUAL(g->volumes[0]->parents[0], g->top);
	xl_graph_free(g);
}

static void test_old_abi_refused(void)
{
	struct xl_graph *g = NULL;

	g_ptr_array_set_size(diags, 0);
	CU_ASSERT_EQUAL(xl_graph_load_text("t.vol", "volume a\n type test/old\nend-volume\n",
					   TEST_MODULE_DIR "/abi", &g),
			-EINVAL);
	CU_ASSERT_PTR_NULL(g);
	CU_ASSERT_EQUAL_FATAL(diags->len, 1);
	CU_ASSERT_TRUE(g_str_has_prefix(g_ptr_array_index(diags, 0), "t.vol:2: volume 'a': "));
	CU_ASSERT_TRUE(strstr(g_ptr_array_index(diags, 0),
			      "was built for translator ABI 1, this is ABI 2") != NULL);
}

static void test_child_up_and_hooks(void)
{
	struct xl_graph *g;
	struct xl_iatt ia;

	CU_ASSERT_EQUAL_FATAL(load(LEAF "volume mid\n type test/pass\n option relay off\n"
					"  subvolumes leaf\nend-volume\n"
					"volume top\n type test/pass\n option fail-fop getattr\n"
					"  subvolumes mid\nend-volume\n",
				   &g),
			      0);
	pass_trace[0] = '\0';
	CU_ASSERT_EQUAL(xl_graph_init(g), 0);
	/* Children first: leaf's up reaches mid (which keeps it), then mid's
	 * reaches top. */
	CU_ASSERT_STRING_EQUAL(pass_trace, "ev:mid:up:leaf ev:top:up:mid ");
	CU_ASSERT_EQUAL(xl_graph_init(g), 0); /* already up: no second CHILD_UP */
	CU_ASSERT_STRING_EQUAL(pass_trace, "ev:mid:up:leaf ev:top:up:mid ");
	/* top's enter hook fails getattr; from mid it goes through. */
	CU_ASSERT_EQUAL(xl_fop_getattr(g->top, &call0, NULL, &ia), -EPERM);
	CU_ASSERT_EQUAL(xl_fop_getattr(g->top->children[0], &call0, NULL, &ia), 0);
	CU_ASSERT_EQUAL(ia.ino, 1000 + g->volumes[0]->slot);
	/* The statedump logs each volume's counters. */
	{
		char path[] = "/tmp/test_xlator_log_XXXXXX";
		int fd = mkstemp(path);
		char *text = NULL;

		CU_ASSERT_FATAL(fd >= 0);
		close(fd);
		CU_ASSERT_EQUAL(xl_log_open(path), 0);
		xl_log_set_level(XL_LOG_INFO);
		xl_graph_dump(g);
		xl_log_set_level(XL_LOG_NONE);
		xl_log_close();
		CU_ASSERT_TRUE(g_file_get_contents(path, &text, NULL, NULL));
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(text ? text : "", "volume 'top' fop getattr: calls 1 errors 1"));
		CU_ASSERT_PTR_NOT_NULL(
		    strstr(text ? text : "", "volume 'mid' fop getattr: calls 1 errors 0"));
		g_free(text);
		unlink(path);
	}
	xl_graph_free(g);
}

/* pthread primitives (not GLib's), so ThreadSanitizer sees the hand-offs. */
static pthread_mutex_t tmu = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t tcond = PTHREAD_COND_INITIALIZER;
static GString *ttrace;
static struct xl_timer *self_timer;

static void tnote(struct xl *xl, void *data)
{
	pthread_mutex_lock(&tmu);
	g_string_append_printf(ttrace, "%s ", (const char *)data);
	pthread_cond_broadcast(&tcond);
	pthread_mutex_unlock(&tmu);
}

static void tslow(struct xl *xl, void *data)
{
	tnote(xl, "slow-start");
	usleep(50000);
	tnote(xl, "slow-end");
}

static void tself(struct xl *xl, void *data)
{
	struct xl_timer *t;

	pthread_mutex_lock(&tmu);
	t = self_timer;
	pthread_mutex_unlock(&tmu);
	tnote(xl, xl_timer_cancel(t) ? "self:1" : "self:0");
}

/* Wait up to 2 s for @word in the timer trace. */
static bool twait(const char *word)
{
	struct timespec until;
	bool found;

	clock_gettime(CLOCK_REALTIME, &until);
	until.tv_sec += 2;
	pthread_mutex_lock(&tmu);
	while (!(found = strstr(ttrace->str, word) != NULL))
		if (pthread_cond_timedwait(&tcond, &tmu, &until) != 0)
			break;
	found = strstr(ttrace->str, word) != NULL;
	pthread_mutex_unlock(&tmu);
	return found;
}

/* The timer trace contains @word (read under its lock). */
static bool thas(const char *word)
{
	bool found;

	pthread_mutex_lock(&tmu);
	found = strstr(ttrace->str, word) != NULL;
	pthread_mutex_unlock(&tmu);
	return found;
}

static void test_timers(void)
{
	struct xl_graph *g;
	struct xl_timer *t, *later;

	CU_ASSERT_EQUAL_FATAL(load(LEAF, &g), 0);
	CU_ASSERT_EQUAL_FATAL(xl_graph_init(g), 0);
	ttrace = g_string_new(NULL);
	/* Due order, not add order. */
	CU_ASSERT_PTR_NOT_NULL(xl_timer_add(g->top, 40, tnote, "b"));
	CU_ASSERT_PTR_NOT_NULL(xl_timer_add(g->top, 5, tnote, "a"));
	/* Cancelled before it is due: never runs. */
	t = xl_timer_add(g->top, 20, tnote, "never");
	CU_ASSERT_TRUE(xl_timer_cancel(t));
	CU_ASSERT_TRUE(twait("b"));
	CU_ASSERT_TRUE(thas("a b "));
	CU_ASSERT_FALSE(thas("never"));
	/* Cancel while running waits for it to finish. */
	t = xl_timer_add(g->top, 0, tslow, NULL);
	CU_ASSERT_TRUE(twait("slow-start"));
	CU_ASSERT_FALSE(xl_timer_cancel(t));
	CU_ASSERT_TRUE(thas("slow-end"));
	/* From its own callback: false, no deadlock. */
	pthread_mutex_lock(&tmu);
	self_timer = xl_timer_add(g->top, 0, tself, NULL);
	pthread_mutex_unlock(&tmu);
	CU_ASSERT_TRUE(twait("self:0"));
	/* Pending at fini: cancelled by the framework, never run. */
	later = xl_timer_add(g->top, 60000, tnote, "late");
	CU_ASSERT_PTR_NOT_NULL(later);
	xl_graph_fini(g);
	/* Stopping: nothing new. */
	CU_ASSERT_PTR_NULL(xl_timer_add(g->top, 0, tnote, "refused"));
	CU_ASSERT_EQUAL(xl_work_queue(g->top, tnote, "refused"), -ESHUTDOWN);
	CU_ASSERT_TRUE(xl_timer_cancel(later)); /* the handle is still good */
	xl_graph_free(g);
	CU_ASSERT_TRUE(strstr(ttrace->str, "late") == NULL);
	CU_ASSERT_TRUE(strstr(ttrace->str, "refused") == NULL);
	g_string_free(ttrace, TRUE);
}

static void test_fini_waits(void)
{
	struct xl_graph *g;
	const char *done_top, *fini_top, *done_mid, *fini_mid;
	int64_t t0;

	CU_ASSERT_EQUAL_FATAL(load(LEAF "volume mid\n type test/pass\n option work-ms 150\n"
					"  subvolumes leaf\nend-volume\n"
					"volume top\n type test/pass\n option work-ms 100\n"
					"  option timer-ms 600000\n subvolumes mid\nend-volume\n",
				   &g),
			      0);
	/* emptied before init: from then on the work queue writes to it */
	pass_trace[0] = '\0';
	CU_ASSERT_EQUAL_FATAL(xl_graph_init(g), 0);
	t0 = g_get_monotonic_time();
	xl_graph_fini(g);
	/* Each volume's work finished before its fini; parents first; the
	 * ten-minute timer did not hold fini up and its handle was still
	 * good for top's own cancel. */
	done_top = strstr(pass_trace, "work-done:top");
	fini_top = strstr(pass_trace, "fini:top");
	done_mid = strstr(pass_trace, "work-done:mid");
	fini_mid = strstr(pass_trace, "fini:mid");
	CU_ASSERT_PTR_NOT_NULL_FATAL(done_top);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fini_top);
	CU_ASSERT_PTR_NOT_NULL_FATAL(done_mid);
	CU_ASSERT_PTR_NOT_NULL_FATAL(fini_mid);
	CU_ASSERT_TRUE(done_top < fini_top);
	CU_ASSERT_TRUE(done_mid < fini_mid);
	CU_ASSERT_TRUE(fini_top < fini_mid);
	CU_ASSERT_TRUE(strstr(pass_trace, "cancel:top:1") != NULL);
	CU_ASSERT_TRUE(g_get_monotonic_time() - t0 < 10 * G_TIME_SPAN_SECOND);
	xl_graph_free(g);
}

/* --------------------------------------------------------- lock table */

static struct xl_lock lk(enum xl_lk_type type, uint64_t start, uint64_t len, char owner)
{
	struct xl_lock l = {.type = type, .start = start, .len = len, .pid = (uint32_t)owner};

	l.owner.len = 1;
	l.owner.bytes[0] = (uint8_t)owner;
	return l;
}

/* TEST @l; 0 if granted, else -EAGAIN with the conflict in *@l. */
static int lk_test(struct xl_lk_table *t, struct xl_lock *l)
{
	return xl_lk_table_apply(t, XL_LK_TEST, l);
}

static int lk_set(struct xl_lk_table *t, struct xl_lock l)
{
	return xl_lk_table_apply(t, XL_LK_SET, &l);
}

/* OWNED: whether an owner still holds anything in a range, whatever
 * others hold; it changes nothing. */
static void test_lock_table_owned(void)
{
	struct xl_lk_table *t = xl_lk_table_new();
	struct xl_lock q;

	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_READ, 10, 10, 1)), 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_READ, 0, 0, 2)), 0);
	q = lk(XL_LK_WRITE, 0, 0, 1);
	CU_ASSERT_EQUAL(xl_lk_table_apply(t, XL_LK_OWNED, &q), 0);
	CU_ASSERT_EQUAL(q.start, 10);
	CU_ASSERT_EQUAL(q.len, 10);
	CU_ASSERT_EQUAL(q.type, XL_LK_READ);
	q = lk(XL_LK_READ, 0, 10, 1);
	CU_ASSERT_EQUAL(xl_lk_table_apply(t, XL_LK_OWNED, &q), -ENOENT);
	q = lk(XL_LK_READ, 19, 1, 1);
	CU_ASSERT_EQUAL(xl_lk_table_apply(t, XL_LK_OWNED, &q), 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_UNLOCK, 0, 0, 1)), 0);
	q = lk(XL_LK_READ, 0, 0, 1);
	CU_ASSERT_EQUAL(xl_lk_table_apply(t, XL_LK_OWNED, &q), -ENOENT);
	q = lk(XL_LK_READ, 5, 1, 2);
	CU_ASSERT_EQUAL(xl_lk_table_apply(t, XL_LK_OWNED, &q), 0);
	q = lk(XL_LK_READ, 2, UINT64_MAX, 3);
	CU_ASSERT_EQUAL(xl_lk_table_apply(t, XL_LK_OWNED, &q), -EINVAL); /* past 2^64 */
	xl_lk_table_free(t);
}

static void test_lock_table(void)
{
	struct xl_lk_table *t = xl_lk_table_new();
	struct xl_lock l;
	struct xl_lk_owner a = {.len = 1, .bytes = {'A'}};

	/* A write lock excludes other owners, readers included. */
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_WRITE, 0, 100, 'A')), 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_READ, 50, 10, 'B')), -EAGAIN);
	l = lk(XL_LK_READ, 50, 10, 'B');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.type, XL_LK_WRITE);
	CU_ASSERT_EQUAL(l.start, 0);
	CU_ASSERT_EQUAL(l.len, 100);
	CU_ASSERT_EQUAL(l.owner.bytes[0], 'A');
	CU_ASSERT_EQUAL(l.pid, 'A');
	/* Its own locks never conflict; outside the range is free. */
	l = lk(XL_LK_WRITE, 10, 5, 'A');
	CU_ASSERT_EQUAL(lk_test(t, &l), 0);
	CU_ASSERT_EQUAL(l.start, 10); /* granted: left as it was */
	l = lk(XL_LK_WRITE, 100, 5, 'B');
	CU_ASSERT_EQUAL(lk_test(t, &l), 0);

	/* Readers share. */
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_READ, 200, 10, 'A')), 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_READ, 205, 10, 'B')), 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_WRITE, 212, 1, 'C')), -EAGAIN);

	/* Converting the middle of A's write lock to read splits it in three. */
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_READ, 20, 10, 'A')), 0);
	l = lk(XL_LK_READ, 25, 1, 'B');
	CU_ASSERT_EQUAL(lk_test(t, &l), 0);
	l = lk(XL_LK_READ, 10, 15, 'B');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.start, 0);
	CU_ASSERT_EQUAL(l.len, 20);
	l = lk(XL_LK_WRITE, 25, 100, 'B');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN); /* the read part, first in order */
	CU_ASSERT_EQUAL(l.type, XL_LK_READ);
	CU_ASSERT_EQUAL(l.start, 20);
	CU_ASSERT_EQUAL(l.len, 10);
	l = lk(XL_LK_READ, 31, 1, 'B');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.start, 30);
	CU_ASSERT_EQUAL(l.len, 70);

	/* Unlocking a sub-range splits: [30,40) and [50,100) stay. */
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_UNLOCK, 40, 10, 'A')), 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_WRITE, 40, 10, 'B')), 0);
	l = lk(XL_LK_READ, 39, 1, 'C');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.owner.bytes[0], 'A');
	CU_ASSERT_EQUAL(l.start, 30);
	CU_ASSERT_EQUAL(l.len, 10);
	l = lk(XL_LK_READ, 50, 1, 'C');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.start, 50);
	CU_ASSERT_EQUAL(l.len, 50);
	/* Unlocking what one does not hold is fine and changes nothing. */
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_UNLOCK, 0, 0, 'Z')), 0);

	/* Touching locks of one owner and type merge. */
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_WRITE, 1000, 10, 'D')), 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_WRITE, 1010, 10, 'D')), 0);
	l = lk(XL_LK_READ, 1005, 10, 'E');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.start, 1000);
	CU_ASSERT_EQUAL(l.len, 20);

	/* len 0 runs to the end of the file. */
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_WRITE, 5000, 0, 'F')), 0);
	l = lk(XL_LK_READ, UINT64_MAX - 5, 1, 'G');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.start, 5000);
	CU_ASSERT_EQUAL(l.len, 0);
	CU_ASSERT_EQUAL(lk_set(t, lk(XL_LK_WRITE, UINT64_MAX, 2, 'G')), -EINVAL);
	CU_ASSERT_EQUAL(lk_set(t, lk((enum xl_lk_type)7, 0, 1, 'G')), -EINVAL);

	/* The client went away: all of A's locks go, B's stay. */
	xl_lk_table_release_owner(t, &a);
	l = lk(XL_LK_WRITE, 0, 40, 'C');
	CU_ASSERT_EQUAL(lk_test(t, &l), 0);
	l = lk(XL_LK_WRITE, 200, 1, 'C');
	CU_ASSERT_EQUAL(lk_test(t, &l), 0);
	l = lk(XL_LK_WRITE, 45, 1, 'C');
	CU_ASSERT_EQUAL(lk_test(t, &l), -EAGAIN);
	CU_ASSERT_EQUAL(l.owner.bytes[0], 'B');
	xl_lk_table_free(t);
}

/* The lock table against a byte map: random SETs and UNLOCKs of three
 * owners over 64 bytes; every answer must match the model, and every
 * conflict reported must be a whole (merged) lock of another owner. */
#define MODEL_BYTES  64
#define MODEL_OWNERS 3

static bool model_conflicts(uint8_t held[MODEL_OWNERS][MODEL_BYTES], int who, int type,
			    unsigned start, unsigned end)
{
	for (int o = 0; o < MODEL_OWNERS; o++)
		for (unsigned b = start; o != who && b <= end; b++)
			if (held[o][b] == XL_LK_WRITE || (held[o][b] && type == XL_LK_WRITE))
				return true;
	return false;
}

static void test_lock_table_model(void)
{
	struct xl_lk_table *t = xl_lk_table_new();
	uint8_t held[MODEL_OWNERS][MODEL_BYTES] = {{0}};
	unsigned seed = 12345, bad = 0;

	for (int step = 0; step < 20000 && bad < 5; step++) {
		int who = (int)(rand_r(&seed) % MODEL_OWNERS), type = (int)(rand_r(&seed) % 3);
		unsigned start = rand_r(&seed) % MODEL_BYTES;
		unsigned len = 1 + rand_r(&seed) % (MODEL_BYTES - start);
		unsigned end = start + len - 1;
		bool test = rand_r(&seed) % 3 == 0, conflict;
		struct xl_lock l = lk((enum xl_lk_type)type, start, len, (char)('A' + who));
		int ret = xl_lk_table_apply(t, test ? XL_LK_TEST : XL_LK_SET, &l);

		conflict = type != XL_LK_UNLOCK && model_conflicts(held, who, type, start, end);
		if (ret != (conflict ? -EAGAIN : 0)) {
			fprintf(stderr, "\nstep %d: %s %c type %d [%u,%u]: %d, model %d", step,
				test ? "TEST" : "SET", 'A' + who, type, start, end, ret, conflict);
			bad++;
			continue;
		}
		if (test && conflict) {
			int o = l.owner.bytes[0] - 'A';
			unsigned e = l.len ? (unsigned)(l.start + l.len - 1) : MODEL_BYTES - 1;

			/* Another owner's lock, overlapping, whole, and maximal. */
			bad += o == who || l.start > end || e < start || e >= MODEL_BYTES;
			for (unsigned b = (unsigned)l.start; b <= e && b < MODEL_BYTES; b++)
				bad += held[o][b] != l.type;
			bad += l.start > 0 && held[o][l.start - 1] == l.type;
			bad += e + 1 < MODEL_BYTES && held[o][e + 1] == l.type;
		}
		if (!test && !conflict)
			memset(&held[who][start], type, len);
	}
	CU_ASSERT_EQUAL(bad, 0);
	xl_lk_table_free(t);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("xlator", setup, teardown);
	CU_add_test(s, "ids and fop names", test_ids_and_names);
	CU_add_test(s, "iatt from stat", test_iatt_from_stat);
	CU_add_test(s, "dispatch", test_dispatch);
	CU_add_test(s, "hooks", test_hooks);
	CU_add_test(s, "stats", test_stats);
	CU_add_test(s, "inode-producing calls", test_inode_calls);
	CU_add_test(s, "link merges contexts", test_link_merge);
	CU_add_test(s, "set_if_unset races", test_set_if_unset_threads);
	CU_add_test(s, "notify", test_notify);
	CU_add_test(s, "lock table", test_lock_table);
	CU_add_test(s, "lock table: does an owner hold anything", test_lock_table_owned);
	CU_add_test(s, "lock table against a model", test_lock_table_model);
	s = CU_add_suite("loaded", setup_loaded, teardown_loaded);
	CU_add_test(s, "multi-child volume refused", test_multi_child_refused);
	CU_add_test(s, "older ABI refused", test_old_abi_refused);
	CU_add_test(s, "child up and hooks", test_child_up_and_hooks);
	CU_add_test(s, "timers", test_timers);
	CU_add_test(s, "fini waits for work", test_fini_waits);
	return cunit_run();
}

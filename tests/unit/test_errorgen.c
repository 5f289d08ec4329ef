/*
 * test_errorgen.c — debug/error-gen over storage/memory, each rule kind:
 * by fop (names, "all", the "commit" alias) with a chosen errno, after a
 * count, at a seeded rate (reproducible), on a name pattern (entry and
 * rename's new name), the run-time rule (eg_set_rule) and its counters,
 * and options the loader must refuse. A failed call must not reach the
 * store: its per-volume counters say so.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>
#include <gmodule.h>

#include "error_gen.h"
#include "xlator.h"
#include "cunit_main.h"

static int (*set_rule)(struct xl *, const struct eg_rule *);
static uint64_t (*count)(struct xl *, enum xl_fop_id, enum eg_counter);
static GModule *eg_mod;

static struct xl_graph *graph;
static struct xl *eg, *mem;
static struct xl_inode *root;
static struct xl_call ROOT;

static int load(const char *opts, struct xl_graph **g)
{
	char *text = g_strdup_printf("volume mem\n type storage/memory\nend-volume\n"
				     "volume eg\n type debug/error-gen\n%s\n subvolumes mem\n"
				     "end-volume\n", opts ? opts : "");
	int ret = xl_graph_load_text("eg.vol", text, XLATOR_BUILD_DIR, g);

	g_free(text);
	return ret;
}

static int start(const char *opts)
{
	int ret = load(opts, &graph);

	if (ret)
		return ret;
	ret = xl_graph_init(graph);
	if (ret)
		return ret;
	eg = graph->top;
	mem = eg->children[0];
	return xl_lookup(mem, &ROOT, NULL, NULL, &root, NULL, NULL);
}

static void stop(void)
{
	xl_inode_unref(root);
	xl_graph_free(graph);
	graph = NULL;
}

static uint64_t calls(struct xl *xl, enum xl_fop_id fop)
{
	struct xl_fop_stats st;

	xl_fop_stats_get(xl, fop, &st);
	return st.calls;
}

static int wr(struct xl_inode *in, const char *s)
{
	struct xl_iobuf *iob = xl_iobuf_new(strlen(s));
	struct xl_data d = {.iobuf = iob, .ptr = iob->data, .len = strlen(s)};
	enum xl_stable st = XL_UNSTABLE;
	int ret;

	memcpy(iob->data, s, d.len);
	ret = xl_fop_write(eg, &ROOT, in, 0, &d, &st, NULL);
	xl_iobuf_unref(iob);
	return ret;
}

static int mk(const char *name, struct xl_inode **out)
{
	return xl_create(eg, &ROOT, root, name, NULL, NULL, true, out, NULL, NULL);
}

static void test_default_passes(void)
{
	struct xl_inode *f;

	CU_ASSERT_EQUAL_FATAL(start(NULL), 0);
	CU_ASSERT_EQUAL(mk("f", &f), 0);
	CU_ASSERT_EQUAL(wr(f, "abc"), 3);
	CU_ASSERT_EQUAL(xl_fop_fsync(eg, &ROOT, f, 0, 0, false, NULL), 0);
	CU_ASSERT_EQUAL(count(eg, XL_FOP_WRITE, EG_SEEN), 1);
	CU_ASSERT_EQUAL(count(eg, XL_FOP_WRITE, EG_FAILED), 0);
	xl_inode_unref(f);
	stop();
}

static void test_by_fop(void)
{
	struct xl_inode *f;
	struct xl_data out;
	bool eof;

	CU_ASSERT_EQUAL_FATAL(start("option fops write, commit\noption error ENOSPC"), 0);
	CU_ASSERT_EQUAL(mk("f", &f), 0);
	CU_ASSERT_EQUAL(wr(f, "abc"), -ENOSPC);
	CU_ASSERT_EQUAL(xl_fop_fsync(eg, &ROOT, f, 0, 0, false, NULL), -ENOSPC);
	CU_ASSERT_EQUAL(xl_fop_read(eg, &ROOT, f, 0, 10, &out, &eof, NULL), 0);
	xl_data_release(&out);
	/* failed before the store: it never saw them */
	CU_ASSERT_EQUAL(calls(mem, XL_FOP_WRITE), 0);
	CU_ASSERT_EQUAL(calls(mem, XL_FOP_FSYNC), 0);
	CU_ASSERT_EQUAL(calls(mem, XL_FOP_READ), 1);
	CU_ASSERT_EQUAL(count(eg, XL_FOP_WRITE, EG_FAILED), 1);
	CU_ASSERT_EQUAL(count(eg, XL_FOP_READ, EG_MATCHED), 0);
	/* at run time: every fop, EDQUOT */
	{
		struct eg_rule r = {.fops = EG_ALL_FOPS, .error = EDQUOT, .rate = 100};
		struct xl_iatt ia;

		CU_ASSERT_EQUAL(set_rule(eg, &r), 0);
		CU_ASSERT_EQUAL(xl_fop_getattr(eg, &ROOT, f, &ia), -EDQUOT);
		CU_ASSERT_EQUAL(xl_fop_statfs(eg, &ROOT, NULL, &(struct statvfs){0}), -EDQUOT);
		r.fops = 0;
		CU_ASSERT_EQUAL(set_rule(eg, &r), 0);
		CU_ASSERT_EQUAL(xl_fop_getattr(eg, &ROOT, f, &ia), 0);
		CU_ASSERT_EQUAL(set_rule(mem, &r), -EINVAL); /* not an error-gen volume */
	}
	xl_inode_unref(f);
	stop();
}

static void test_after(void)
{
	struct xl_inode *f;
	char name[16];

	CU_ASSERT_EQUAL_FATAL(start("option fops create\noption error ESTALE\noption after 3"), 0);
	for (int i = 0; i < 3; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		CU_ASSERT_EQUAL(mk(name, &f), 0);
		xl_inode_unref(f);
	}
	CU_ASSERT_EQUAL(mk("f3", &f), -ESTALE);
	CU_ASSERT_EQUAL(mk("f4", &f), -ESTALE);
	CU_ASSERT_EQUAL(count(eg, XL_FOP_CREATE, EG_MATCHED), 5);
	CU_ASSERT_EQUAL(count(eg, XL_FOP_CREATE, EG_FAILED), 2);
	stop();
}

/* Which of 400 getattrs fail under the current rule, as a bit string. */
static void rate_run(struct xl_inode *f, char *bits)
{
	struct xl_iatt ia;

	for (int i = 0; i < 400; i++)
		bits[i] = xl_fop_getattr(eg, &ROOT, f, &ia) == -EIO ? '1' : '0';
	bits[400] = 0;
}

static void test_rate(void)
{
	char a[401], b[401], c[401];
	struct eg_rule r = {.fops = 1 << XL_FOP_GETATTR, .error = EIO, .rate = 30, .seed = 7};
	int ones = 0;

	CU_ASSERT_EQUAL_FATAL(start("option fops getattr\noption rate 30\noption seed 7"), 0);
	rate_run(root, a);
	for (int i = 0; i < 400; i++)
		ones += a[i] == '1';
	CU_ASSERT(ones > 80 && ones < 160); /* about 30% */
	/* the same seed: the same calls fail */
	CU_ASSERT_EQUAL(set_rule(eg, &r), 0);
	rate_run(root, b);
	CU_ASSERT_STRING_EQUAL(a, b);
	r.seed = 8;
	CU_ASSERT_EQUAL(set_rule(eg, &r), 0);
	rate_run(root, c);
	CU_ASSERT_STRING_NOT_EQUAL(a, c);
	r.rate = 0;
	CU_ASSERT_EQUAL(set_rule(eg, &r), 0);
	rate_run(root, c);
	CU_ASSERT_PTR_NULL(strchr(c, '1'));
	stop();
}

static void test_name_pattern(void)
{
	struct xl_inode *f;

	CU_ASSERT_EQUAL_FATAL(start("option fops all\noption error EACCES\n"
				    "option name-pattern *.bad"), 0);
	CU_ASSERT_EQUAL(mk("x.bad", &f), -EACCES);
	CU_ASSERT_EQUAL(mk("x.good", &f), 0);
	CU_ASSERT_EQUAL(wr(f, "ok"), 2); /* no name: not matched */
	CU_ASSERT_EQUAL(xl_fop_rename(eg, &ROOT, root, "x.good", root, "y.bad", NULL, NULL),
			-EACCES);
	CU_ASSERT_EQUAL(xl_fop_rename(eg, &ROOT, root, "x.good", root, "y.good", NULL, NULL), 0);
	xl_inode_unref(f);
	stop();
}

static void test_bad_options(void)
{
	struct xl_graph *g = NULL;

	CU_ASSERT_NOT_EQUAL(load("option fops write,frobnicate", &g), 0);
	xl_graph_free(g);
	g = NULL;
	CU_ASSERT_NOT_EQUAL(load("option error ENOTANERRNO", &g), 0);
	xl_graph_free(g);
	g = NULL;
	CU_ASSERT_NOT_EQUAL(load("option rate 101", &g), 0);
	xl_graph_free(g);
	g = NULL;
	CU_ASSERT_EQUAL(load("option error 28\noption fops all", &g), 0);
	xl_graph_free(g);
}

static int setup(void)
{
	char *path = g_strdup_printf("%s/debug/.libs/error-gen.so", XLATOR_BUILD_DIR);
	gpointer a = NULL, b = NULL;

	/* the instance the loader opens too: its eg_set_rule and eg_count */
	eg_mod = g_module_open(path, G_MODULE_BIND_LOCAL);
	g_free(path);
	if (!eg_mod || !g_module_symbol(eg_mod, "eg_set_rule", &a) ||
	    !g_module_symbol(eg_mod, "eg_count", &b))
		return 1;
	set_rule = (int (*)(struct xl *, const struct eg_rule *))a;
	count = (uint64_t(*)(struct xl *, enum xl_fop_id, enum eg_counter))b;
	return 0;
}

static int teardown(void)
{
	g_module_close(eg_mod);
	return 0;
}

int main(void)
{
	CU_pSuite s;

	xl_log_set_level(XL_LOG_NONE);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("debug/error-gen", setup, teardown);
	CU_add_test(s, "no fops chosen: everything passes", test_default_passes);
	CU_add_test(s, "by fop with an errno, and at run time", test_by_fop);
	CU_add_test(s, "after a count", test_after);
	CU_add_test(s, "at a seeded rate", test_rate);
	CU_add_test(s, "on a name pattern", test_name_pattern);
	CU_add_test(s, "bad options are refused", test_bad_options);
	return cunit_run();
}

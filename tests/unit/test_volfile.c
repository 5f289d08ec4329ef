/*
 * test_volfile.c — unit tests for the volfile parser and graph builder
 * (xlators/volfile.c, graph.c, modules.c) with the test-only modules
 * test/dummy and test/pass from tests/unit/modules: good files build the
 * expected graph; every error is reported as "FILE:LINE: message" with
 * the right line; parents, init order, rollback, fini order, dispatch,
 * context release at free, printing, listing.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <glib.h>
#include <gmodule.h>

#include "modules/test/dummy.h"
#include "xlator.h"
#include "cunit_main.h"

static GPtrArray *diags; /* messages captured from xl_diag */
static char *trace;	 /* test/dummy's dummy_trace */

static void capture(void *ctx, const char *msg)
{
	g_ptr_array_add(diags, g_strdup(msg));
}

static int setup(void)
{
	GModule *m;
	char *path = g_strdup_printf("%s/test/.libs/dummy.so", TEST_MODULE_DIR);
	gpointer sym = NULL;

	diags = g_ptr_array_new_with_free_func(g_free);
	xl_diag_set_handler(capture, NULL);
	xl_log_set_level(XL_LOG_NONE);
	/* The same instance the loader will open: read its trace buffer. */
	m = g_module_open(path, G_MODULE_BIND_LOCAL);
	g_free(path);
	if (!m || !g_module_symbol(m, "dummy_trace", &sym))
		return 1;
	trace = sym;
	return 0;
}

static int teardown(void)
{
	g_ptr_array_free(diags, TRUE);
	return 0;
}

static int load(const char *text, struct xl_graph **g)
{
	g_ptr_array_set_size(diags, 0);
	*g = NULL;
	return xl_graph_load_text("t.vol", text, TEST_MODULE_DIR, g);
}

static bool diag_has(const char *want)
{
	for (guint i = 0; i < diags->len; i++)
		if (strstr(g_ptr_array_index(diags, i), want))
			return true;
	return false;
}

/* Loading @text fails and some message starts with @prefix ("t.vol:N: ")
 * and contains @want. */
static void expect_error(const char *text, const char *prefix, const char *want)
{
	struct xl_graph *g;
	bool found = false;

	CU_ASSERT_EQUAL(load(text, &g), -EINVAL);
	CU_ASSERT_PTR_NULL(g);
	for (guint i = 0; i < diags->len; i++) {
		const char *m = g_ptr_array_index(diags, i);

		if (g_str_has_prefix(m, prefix) && strstr(m, want))
			found = true;
	}
	if (!found) {
		fprintf(stderr, "\nwanted '%s...%s', got:\n", prefix, want);
		for (guint i = 0; i < diags->len; i++)
			fprintf(stderr, "  %s\n", (char *)g_ptr_array_index(diags, i));
	}
	CU_ASSERT_TRUE(found);
	xl_graph_free(g);
}

static struct xl *vol(struct xl_graph *g, const char *name)
{
	for (size_t i = 0; i < g->nvolumes; i++)
		if (strcmp(g->volumes[i]->name, name) == 0)
			return g->volumes[i];
	return NULL;
}

static const char good[] = "# an example with everything\n"
			   "volume leaf   # trailing comment\n"
			   "    type test/dummy\n"
			   "    option directory \"/srv/with space\"  # after a quoted value\n"
			   "    option label \"a # is \\\"not\\\" a comment\"\n"
			   "    option count 12\n"
			   "    option window-size 4MB\n"
			   "    option timeout 250ms\n"
			   "    option mode paranoid\n"
			   "    option allow 10.0.0.0/8, ::1\n"
			   "end-volume\n"
			   "\n"
			   "\tvolume top\n"
			   "\t\ttype test/pass\n"
			   "\t\tsubvolumes leaf\n"
			   "\tend-volume\n";

static void test_good(void)
{
	struct xl_graph *g;
	struct xl *leaf, *top;
	struct dummy_conf *c;
	struct xl_iatt ia;
	struct xl_call call = {0};

	CU_ASSERT_EQUAL_FATAL(load(good, &g), 0);
	CU_ASSERT_EQUAL(diags->len, 0);
	CU_ASSERT_EQUAL(g->nvolumes, 2);
	leaf = vol(g, "leaf");
	top = vol(g, "top");
	CU_ASSERT_PTR_NOT_NULL_FATAL(leaf);
	CU_ASSERT_PTR_NOT_NULL_FATAL(top);
	CU_ASSERT_PTR_EQUAL(g->top, top);
	CU_ASSERT_EQUAL(top->nchildren, 1);
	CU_ASSERT_PTR_EQUAL(top->children[0], leaf);
	CU_ASSERT_EQUAL(leaf->nchildren, 0);
	CU_ASSERT_NOT_EQUAL(leaf->slot, top->slot);
	CU_ASSERT_PTR_EQUAL(leaf->graph, g);
	CU_ASSERT_PTR_NOT_NULL(g->itable);
	CU_ASSERT_STRING_EQUAL(leaf->module->type, "test/dummy");

	c = leaf->conf;
	CU_ASSERT_STRING_EQUAL(c->dir, "/srv/with space");
	CU_ASSERT_STRING_EQUAL(c->label, "a # is \"not\" a comment");
	CU_ASSERT_EQUAL(c->count, 12);
	CU_ASSERT_EQUAL(c->size, 4u << 20);
	CU_ASSERT_EQUAL(c->timeout_ms, 250);
	CU_ASSERT_EQUAL(c->mode, 2);
	CU_ASSERT_EQUAL(c->allow->count, 2);
	CU_ASSERT_FALSE(c->flag); /* default "off" */

	/* Parents are the volumes naming this one. */
	CU_ASSERT_EQUAL(leaf->nparents, 1);
	CU_ASSERT_PTR_EQUAL(leaf->parents[0], top);
	CU_ASSERT_EQUAL(top->nparents, 0);

	/* Dispatch: top has no fops, so getattr reaches leaf; nobody has statfs. */
	ia.ino = 0;
	CU_ASSERT_EQUAL(xl_fop_getattr(top, &call, NULL, &ia), 0);
	CU_ASSERT_EQUAL(ia.ino, 1000 + leaf->slot);
	CU_ASSERT_EQUAL(xl_fop_statfs(top, &call, NULL, NULL), -ENOSYS);
	CU_ASSERT_EQUAL(xl_next_getattr(top, &call, NULL, &ia), 0);
	xl_graph_free(g);
}

static void test_defaults_and_file(void)
{
	char path[] = "/tmp/test_volfile_XXXXXX";
	int fd = mkstemp(path);
	const char text[] = "volume only\n type test/dummy\n option directory /d\nend-volume";
	struct xl_graph *g = NULL;
	struct dummy_conf *c;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	close(fd);
	g_ptr_array_set_size(diags, 0);
	CU_ASSERT_EQUAL_FATAL(xl_graph_load(path, TEST_MODULE_DIR, &g), 0);
	CU_ASSERT_STRING_EQUAL(g->top->name, "only");
	c = g->top->conf;
	CU_ASSERT_EQUAL(c->count, 8);
	CU_ASSERT_EQUAL(c->size, 1u << 20);
	CU_ASSERT_EQUAL(c->timeout_ms, 30000);
	CU_ASSERT_EQUAL(c->mode, 1);
	CU_ASSERT_PTR_NULL(c->label);
	CU_ASSERT_EQUAL(c->allow->count, 1);
	xl_graph_free(g);

	/* Errors name the real file. */
	fd = open(path, O_WRONLY | O_TRUNC);
	CU_ASSERT_EQUAL(write(fd, "\n\nbogus\n", 8), 8);
	close(fd);
	g_ptr_array_set_size(diags, 0);
	CU_ASSERT_EQUAL(xl_graph_load(path, TEST_MODULE_DIR, &g), -EINVAL);
	{
		char *want = g_strdup_printf("%s:3: unknown statement 'bogus'", path);

		CU_ASSERT_TRUE(diag_has(want));
		g_free(want);
	}
	unlink(path);
	g_ptr_array_set_size(diags, 0);
	CU_ASSERT_EQUAL(xl_graph_load(path, TEST_MODULE_DIR, &g), -ENOENT);
	CU_ASSERT_TRUE(diag_has("cannot read the volume file"));
}

#define D(name) "volume " name "\n type test/dummy\n option directory /d\nend-volume\n"

static void test_errors(void)
{
	/* Syntax. */
	expect_error("", "t.vol:1: ", "empty volume file");
	expect_error("# nothing\n\n", "t.vol:1: ", "empty volume file");
	expect_error("\noption a b\n", "t.vol:2: ", "'option' outside a volume");
	expect_error(D("a") "type test/dummy\n", "t.vol:5: ", "'type' outside a volume");
	expect_error("volume a\n type test/dummy\n",
		     "t.vol:1: ", "volume 'a' is missing end-volume");
	expect_error("volume a\n type test/dummy\nvolume b\n", "t.vol:3: ", "missing end-volume");
	expect_error("volume a\n frobnicate x\nend-volume\n",
		     "t.vol:2: ", "unknown statement 'frobnicate'");
	expect_error("volume a\n type test/dummy\n option label \"open\nend-volume\n",
		     "t.vol:3: ", "unterminated quoted value");
	expect_error("volume a\nend-volume\n", "t.vol:1: ", "volume 'a' has no type");
	expect_error("volume a\n type test/dummy\n type test/pass\nend-volume\n",
		     "t.vol:3: ", "already has a type (line 2)");
	expect_error("volume a\n type test/dummy\n option directory\nend-volume\n",
		     "t.vol:3: ", "'option' takes a key and a value");
	expect_error("volume a b\n", "t.vol:1: ", "'volume' takes one name");
	expect_error("volume a\n type test/dummy\n option directory /a\n option directory /b\n"
		     "end-volume\n",
		     "t.vol:4: ", "option 'directory' set twice");

	/* Types and options. */
	expect_error("volume a\n type test/nope\nend-volume\n",
		     "t.vol:2: ", "unknown type 'test/nope'");
	expect_error("volume a\n type test/nope\nend-volume\n", "t.vol:2: ", TEST_MODULE_DIR);
	expect_error("volume a\n type test/nope\nend-volume\n",
		     "t.vol:2: ", "types available: test/dummy, test/pass");
	expect_error("volume a\n type ../../etc\nend-volume\n", "t.vol:2: ", "invalid type");
	expect_error("volume a\n type test/dummy\n option directory /d\n option directoy /x\n"
		     "end-volume\n",
		     "t.vol:4: ",
		     "unknown option 'directoy' for volume 'a' (type test/dummy); did you mean "
		     "'directory'?");
	expect_error("volume a\n type test/dummy\n option directory /d\n option zzzzzzzzzzzz 1\n"
		     "end-volume\n",
		     "t.vol:4: ", "valid options: flag, count,");
	expect_error("volume a\n type test/dummy\n option directory /d\n\n option count 99\n"
		     "end-volume\n",
		     "t.vol:5: ", "between 1 and 64");
	expect_error("volume a\n type test/dummy\n option directory /d\n option mode slow\n"
		     "end-volume\n",
		     "t.vol:4: ", "one of: fast, safe, paranoid");
	expect_error("volume a\n type test/dummy\n option directory /d\n option window-size 1\n"
		     "end-volume\n",
		     "t.vol:4: ", "between 4K and 1G");
	expect_error("volume a\n type test/dummy\n option directory rel\nend-volume\n",
		     "t.vol:3: ", "absolute path");
	expect_error("volume a\n type test/dummy\nend-volume\n",
		     "t.vol:1: ", "required option 'directory' is not set");
	expect_error("volume a\n type test/dummy\n option directory /d\n option fail-validate on\n"
		     "end-volume\n",
		     "t.vol:1: ",
		     "volume 'a' (type test/dummy): invalid "
		     "configuration");

	/* Shape. */
	expect_error(D("a") D("a"), "t.vol:5: ", "volume 'a' already defined at line 1");
	CU_ASSERT_FALSE(diag_has("more than one top")); /* no follow-on error */
	expect_error("volume a\n type test/pass\n subvolumes ghost\nend-volume\n",
		     "t.vol:3: ", "volume 'a': subvolume 'ghost' is not defined");
	expect_error("volume a\n type test/dummy\n option directory /d\n subvolumes b\n"
		     "end-volume\n"
		     "volume b\n type test/dummy\n option directory /d\n subvolumes a\n"
		     "end-volume\n" D("top"),
		     "t.vol:9: ", "cycle in subvolumes: a -> b -> a");
	expect_error("volume a\n type test/pass\n subvolumes a\nend-volume\n",
		     "t.vol:3: ", "cycle in subvolumes: a -> a");
	expect_error(D("a") D("b"), "t.vol:5: ", "more than one top volume: 'a' (line 1) and 'b'");
	expect_error("volume p\n type test/pass\nend-volume\n",
		     "t.vol:1: ", "volume 'p' (type test/pass) needs at least 1 subvolume, has 0");
	expect_error(D("x") D("y") "volume p\n type test/pass\n subvolumes x y\nend-volume\n",
		     "t.vol:11: ", "takes at most 1 subvolume, has 2");
	expect_error("volume p\n type test/pass\n subvolumes x x\nend-volume\n",
		     "t.vol:3: ", "subvolume 'x' listed twice");
}

static void test_init_fini_order(void)
{
	/* A diamond: top → l, r → base. */
	const char text[] =
	    D("base") "volume l\n type test/dummy\n option directory /d\n subvolumes "
		      "base\nend-volume\n"
		      "volume r\n type test/dummy\n option directory /d\n subvolumes "
		      "base\nend-volume\n"
		      "volume top\n type test/dummy\n option directory /d\n subvolumes l r\n"
		      "end-volume\n";
	struct xl_graph *g;

	CU_ASSERT_EQUAL_FATAL(load(text, &g), 0);
	CU_ASSERT_STRING_EQUAL(g->top->name, "top");
	trace[0] = '\0';
	CU_ASSERT_EQUAL(xl_graph_init(g), 0);
	CU_ASSERT_STRING_EQUAL(trace, "init:base init:l init:r init:top ");
	CU_ASSERT_EQUAL(xl_graph_init(g), 0); /* already up: nothing more */
	CU_ASSERT_STRING_EQUAL(trace, "init:base init:l init:r init:top ");
	trace[0] = '\0';
	xl_graph_fini(g);
	CU_ASSERT_STRING_EQUAL(trace, "fini:top fini:r fini:l fini:base ");
	trace[0] = '\0';
	xl_graph_fini(g); /* idempotent */
	CU_ASSERT_STRING_EQUAL(trace, "");
	xl_graph_free(g);
}

static void test_init_rollback(void)
{
	const char text[] =
	    D("base") "volume mid\n type test/dummy\n option directory /d\n option fail-init yes\n"
		      " subvolumes base\nend-volume\n"
		      "volume top\n type test/dummy\n option directory /d\n subvolumes "
		      "mid\nend-volume\n";
	struct xl_graph *g;

	CU_ASSERT_EQUAL_FATAL(load(text, &g), 0);
	trace[0] = '\0';
	g_ptr_array_set_size(diags, 0);
	CU_ASSERT_EQUAL(xl_graph_init(g), -EADDRINUSE);
	CU_ASSERT_STRING_EQUAL(trace, "init:base init-fail:mid fini:base ");
	CU_ASSERT_TRUE(diag_has("t.vol:5: volume 'mid' (type test/dummy): init failed: "));
	trace[0] = '\0';
	xl_graph_free(g); /* nothing left to fini */
	CU_ASSERT_STRING_EQUAL(trace, "");
}

static void test_free_releases_ctx(void)
{
	struct xl_graph *g;
	struct xl_id id = {.bytes = {1, 2}};
	struct xl_inode *in;

	CU_ASSERT_EQUAL_FATAL(load(D("solo"), &g), 0);
	CU_ASSERT_EQUAL(xl_graph_init(g), 0);
	in = xl_inode_new(g->itable, NULL);
	CU_ASSERT_PTR_EQUAL(xl_inode_ctx_set_if_unset(in, g->top, "c1"), "c1");
	in = xl_inode_link(in, &id);
	xl_inode_unref(in); /* cached on the LRU, context kept */
	trace[0] = '\0';
	xl_graph_free(g); /* fini, then the table releases the context */
	CU_ASSERT_STRING_EQUAL(trace, "fini:solo ctx_free:solo ctx:c1 ");
}

static char *capture_stream(void (*fn)(struct xl_graph *, FILE *), struct xl_graph *g,
			    int (*list)(const char *, FILE *))
{
	char *buf = NULL;
	size_t len = 0;
	FILE *fp = open_memstream(&buf, &len);

	if (fn)
		fn(g, fp);
	else
		list(TEST_MODULE_DIR, fp);
	fclose(fp);
	return buf;
}

static void test_print_and_list(void)
{
	struct xl_graph *g, *again;
	char *out;

	CU_ASSERT_EQUAL_FATAL(load(good, &g), 0);
	out = capture_stream(xl_graph_print, g, NULL);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "top volume 'top'"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "volume leaf\n    type test/dummy\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "option directory \"/srv/with space\"\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "option count 12\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "option flag off    # default\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "subvolumes leaf\n"));
	/* The printed graph is itself a valid volfile describing the same graph. */
	CU_ASSERT_EQUAL(load(out, &again), 0);
	if (again) {
		CU_ASSERT_STRING_EQUAL(((struct dummy_conf *)vol(again, "leaf")->conf)->label,
				       "a # is \"not\" a comment");
		xl_graph_free(again);
	}
	free(out);
	xl_graph_free(g);

	out = capture_stream(NULL, NULL, xl_list_modules);
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "test/dummy — test-only translator"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "test/pass"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "option window-size <size>"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "expected one of: fast, safe, paranoid"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "expected a size between 4K and 1G"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "option count <int> default: 8\n"));
	CU_ASSERT_PTR_NOT_NULL(strstr(out, "option directory <path> (required)"));
	free(out);
	CU_ASSERT_EQUAL(xl_list_modules("/nonexistent-dir", stdout), -ENOENT);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("volfile", setup, teardown);
	CU_add_test(s, "good file", test_good);
	CU_add_test(s, "defaults, files", test_defaults_and_file);
	CU_add_test(s, "errors with file:line", test_errors);
	CU_add_test(s, "init/fini order", test_init_fini_order);
	CU_add_test(s, "init rollback", test_init_rollback);
	CU_add_test(s, "free releases contexts", test_free_releases_ctx);
	CU_add_test(s, "print and list", test_print_and_list);
	return cunit_run();
}

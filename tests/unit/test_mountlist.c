/*
 * test_mountlist.c — unit tests of the MOUNT program's pieces that need no
 * server: the persistent mount list (mount/mountlist.c) and the list
 * encoders of DUMP and EXPORT (mount/mount3_xdr.c), checked against
 * rpcgen's recursive routines byte for byte.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount3.h"
#include "mountlist.h"
#include "nfs_server.h" /* a server with exports, as nfs_mount_iface.h lists them */
#include "cunit_main.h"

static char *test_dir;

static char *test_path(const char *name)
{
	return g_build_filename(test_dir, name, NULL);
}

static void test_write_file(const char *path, const char *text)
{
	CU_ASSERT_FATAL(g_file_set_contents(path, text, -1, NULL));
}

static char *test_read_file(const char *path)
{
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, NULL))
		return NULL;
	return text;
}

/* Collects entries as "host:dir\n" text. */
static int test_collect(void *ctx, const char *host, const char *dir)
{
	g_string_append_printf(ctx, "%s:%s\n", host, dir);
	return 0;
}

static char *test_entries(struct mountlist *ml)
{
	GString *s = g_string_new(NULL);

	CU_ASSERT_EQUAL(mountlist_foreach(ml, test_collect, s), 0);
	return g_string_free(s, FALSE);
}

static void test_expect(struct mountlist *ml, const char *want)
{
	char *got = test_entries(ml);

	CU_ASSERT_STRING_EQUAL(got, want);
	g_free(got);
}

static void test_add_remove(void)
{
	char *path = test_path("rmtab-add");
	struct mountlist *ml = mountlist_new(path, 0);
	char *text;

	CU_ASSERT_EQUAL(mountlist_load(ml), 0); /* missing file: empty */
	CU_ASSERT_EQUAL(mountlist_count(ml), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "10.0.0.1", "/"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "10.0.0.2", "/export/a"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "::1", "/export/b"), 0);
	CU_ASSERT_EQUAL(mountlist_count(ml), 3);
	test_expect(ml, "10.0.0.1:/\n10.0.0.2:/export/a\n::1:/export/b\n");
	text = test_read_file(path);
	CU_ASSERT_STRING_EQUAL(text, "10.0.0.1:/\n10.0.0.2:/export/a\n::1:/export/b\n");
	g_free(text);

	CU_ASSERT_EQUAL(mountlist_remove(ml, "10.0.0.2", "/export/a"), 0);
	CU_ASSERT_EQUAL(mountlist_remove(ml, "10.0.0.2", "/export/a"), -ENOENT);
	CU_ASSERT_EQUAL(mountlist_remove(ml, "10.0.0.1", "/export/a"), -ENOENT);
	test_expect(ml, "10.0.0.1:/\n::1:/export/b\n");
	text = test_read_file(path);
	CU_ASSERT_STRING_EQUAL(text, "10.0.0.1:/\n::1:/export/b\n");
	g_free(text);
	/* no temporary file left behind */
	text = g_strconcat(path, ".tmp", NULL);
	CU_ASSERT_FALSE(g_file_test(text, G_FILE_TEST_EXISTS));
	g_free(text);
	mountlist_free(ml);
	g_free(path);
}

static void test_duplicates(void)
{
	struct mountlist *ml = mountlist_new(NULL, 0);

	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/a"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/a"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/b"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "g", "/a"), 0);
	CU_ASSERT_EQUAL(mountlist_count(ml), 3);
	test_expect(ml, "h:/a\nh:/b\ng:/a\n");
	/* removing then re-adding works (the key set follows the array) */
	CU_ASSERT_EQUAL(mountlist_remove(ml, "h", "/a"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/a"), 0);
	test_expect(ml, "h:/b\ng:/a\nh:/a\n");
	mountlist_free(ml);
}

static void test_umntall(void)
{
	char *path = test_path("rmtab-all");
	struct mountlist *ml = mountlist_new(path, 0);
	char *text;

	mountlist_add(ml, "a", "/1");
	mountlist_add(ml, "b", "/1");
	mountlist_add(ml, "a", "/2");
	mountlist_add(ml, "a", "/3");
	mountlist_add(ml, "ab", "/1");
	CU_ASSERT_EQUAL(mountlist_remove_host(ml, "a"), 3);
	CU_ASSERT_EQUAL(mountlist_remove_host(ml, "a"), 0);
	CU_ASSERT_EQUAL(mountlist_remove_host(ml, "nobody"), 0);
	test_expect(ml, "b:/1\nab:/1\n");
	text = test_read_file(path);
	CU_ASSERT_STRING_EQUAL(text, "b:/1\nab:/1\n");
	g_free(text);
	mountlist_free(ml);
	g_free(path);
}

static void test_bound_and_validation(void)
{
	struct mountlist *ml = mountlist_new(NULL, 2);
	char longhost[MOUNTLIST_HOST_MAX + 2];
	char longdir[MOUNTLIST_DIR_MAX + 2];

	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/a"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/b"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/c"), -ENOSPC);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/a"), 0); /* already there: fine when full */
	CU_ASSERT_EQUAL(mountlist_count(ml), 2);
	CU_ASSERT_EQUAL(mountlist_remove(ml, "h", "/a"), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/c"), 0);

	CU_ASSERT_EQUAL(mountlist_add(ml, "", "/a"), -EINVAL);
	CU_ASSERT_EQUAL(mountlist_add(ml, "a/b", "/a"), -EINVAL);
	CU_ASSERT_EQUAL(mountlist_add(ml, "a\nb", "/a"), -EINVAL);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "relative"), -EINVAL);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/new\nline"), -EINVAL);
	memset(longhost, 'x', sizeof(longhost) - 1);
	longhost[sizeof(longhost) - 1] = '\0';
	CU_ASSERT_EQUAL(mountlist_add(ml, longhost, "/a"), -EINVAL);
	longhost[sizeof(longhost) - 2] = '\0'; /* exactly the maximum */
	mountlist_remove(ml, "h", "/c");
	CU_ASSERT_EQUAL(mountlist_add(ml, longhost, "/a"), 0);
	memset(longdir, 'd', sizeof(longdir) - 1);
	longdir[0] = '/';
	longdir[sizeof(longdir) - 1] = '\0';
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", longdir), -EINVAL);
	CU_ASSERT_EQUAL(mountlist_count(ml), 2);
	mountlist_free(ml);
}

static void test_persistence(void)
{
	char *path = test_path("rmtab-persist");
	struct mountlist *ml = mountlist_new(path, 0);

	mountlist_add(ml, "192.0.2.7", "/srv");
	mountlist_add(ml, "2001:db8::1", "/srv/sub dir");
	mountlist_add(ml, "192.0.2.8", "/");
	mountlist_remove(ml, "192.0.2.8", "/");
	mountlist_free(ml);

	ml = mountlist_new(path, 0);
	CU_ASSERT_EQUAL(mountlist_load(ml), 0);
	test_expect(ml, "192.0.2.7:/srv\n2001:db8::1:/srv/sub dir\n");
	/* a reload replaces, not appends */
	CU_ASSERT_EQUAL(mountlist_load(ml), 0);
	CU_ASSERT_EQUAL(mountlist_count(ml), 2);
	/* changes after a reload keep the reloaded entries */
	CU_ASSERT_EQUAL(mountlist_remove_host(ml, "192.0.2.7"), 1);
	mountlist_free(ml);

	ml = mountlist_new(path, 0);
	CU_ASSERT_EQUAL(mountlist_load(ml), 0);
	test_expect(ml, "2001:db8::1:/srv/sub dir\n");
	mountlist_free(ml);
	g_free(path);
}

static void test_corrupt_lines(void)
{
	char *path = test_path("rmtab-corrupt");
	struct mountlist *ml;
	char *text;

	test_write_file(path, "# comment\n"
			      "good:/a\n"
			      "\n"
			      "no-colon/x\n"
			      ":/empty-host\n"
			      "nopath:\n"
			      "relative:x/y\n"
			      "good:/a\n"		 /* duplicate */
			      "10.1.1.1:/b:0x00000001\n" /* Linux rmtab count: part of the path */
			      "bad\x01host:/c\n"
			      "also-good:/d"); /* no final newline */
	ml = mountlist_new(path, 0);
	CU_ASSERT_EQUAL(mountlist_load(ml), 0);
	test_expect(ml, "good:/a\n10.1.1.1:/b:0x00000001\nalso-good:/d\n");
	/* the next save rewrites the file with the good entries only */
	CU_ASSERT_EQUAL(mountlist_add(ml, "new", "/e"), 0);
	text = test_read_file(path);
	CU_ASSERT_STRING_EQUAL(text, "good:/a\n10.1.1.1:/b:0x00000001\nalso-good:/d\nnew:/e\n");
	g_free(text);
	mountlist_free(ml);

	/* a NUL byte inside a line drops that line only */
	CU_ASSERT_FATAL(g_file_set_contents(path, "x:/1\ny\0z:/2\nw:/3\n", 17, NULL));
	ml = mountlist_new(path, 0);
	CU_ASSERT_EQUAL(mountlist_load(ml), 0);
	test_expect(ml, "x:/1\nw:/3\n");
	mountlist_free(ml);

	/* loading beyond the bound keeps the first entries */
	test_write_file(path, "a:/1\nb:/2\nc:/3\n");
	ml = mountlist_new(path, 2);
	CU_ASSERT_EQUAL(mountlist_load(ml), 0);
	test_expect(ml, "a:/1\nb:/2\n");
	mountlist_free(ml);
	g_free(path);
}

static void test_unreadable_and_unwritable(void)
{
	char *dir = test_path("rmtab-is-a-dir");
	char *missing = test_path("no/such/dir/rmtab");
	struct mountlist *ml;

	/* a directory where the file should be: load fails, list empty */
	CU_ASSERT_EQUAL(g_mkdir(dir, 0700), 0);
	ml = mountlist_new(dir, 0);
	CU_ASSERT(mountlist_load(ml) < 0);
	CU_ASSERT_EQUAL(mountlist_count(ml), 0);
	mountlist_free(ml);

	/* saving fails: the error comes back, the entry stays in memory */
	ml = mountlist_new(missing, 0);
	CU_ASSERT_EQUAL(mountlist_load(ml), 0);
	CU_ASSERT_EQUAL(mountlist_add(ml, "h", "/a"), -ENOENT);
	CU_ASSERT_EQUAL(mountlist_count(ml), 1);
	CU_ASSERT_EQUAL(mountlist_remove(ml, "h", "/a"), -ENOENT); /* save failed again */
	CU_ASSERT_EQUAL(mountlist_count(ml), 0);
	mountlist_free(ml);
	g_free(dir);
	g_free(missing);
}

static GThread *test_threads[4];

static gpointer test_worker(gpointer arg)
{
	struct mountlist *ml = arg;
	char host[32];

	g_snprintf(host, sizeof(host), "10.0.0.%p", (void *)g_thread_self());
	for (int i = 0; i < 50; i++) {
		char dir[32];

		g_snprintf(dir, sizeof(dir), "/d%d", i);
		mountlist_add(ml, host, dir);
		if (i % 3 == 0)
			mountlist_remove(ml, host, dir);
	}
	mountlist_remove_host(ml, host);
	return NULL;
}

static void test_concurrency(void)
{
	char *path = test_path("rmtab-threads");
	struct mountlist *ml = mountlist_new(path, 0);
	char *text;

	for (size_t i = 0; i < G_N_ELEMENTS(test_threads); i++)
		test_threads[i] = g_thread_new("ml", test_worker, ml);
	for (size_t i = 0; i < G_N_ELEMENTS(test_threads); i++)
		g_thread_join(test_threads[i]);
	CU_ASSERT_EQUAL(mountlist_count(ml), 0);
	text = test_read_file(path);
	CU_ASSERT_STRING_EQUAL(text, "");
	g_free(text);
	mountlist_free(ml);
	g_free(path);
}

/* ------------------------------------------------------------ path rules */

static void test_normalise(void)
{
	char out[64];

	CU_ASSERT_EQUAL(mount3_path_normalise("/", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/");
	CU_ASSERT_EQUAL(mount3_path_normalise("//", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/");
	CU_ASSERT_EQUAL(mount3_path_normalise("/a//b/", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/a/b");
	CU_ASSERT_EQUAL(mount3_path_normalise("///a/./b/.", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/a/b");
	CU_ASSERT_EQUAL(mount3_path_normalise("/a/..b/c..", out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, "/a/..b/c..");
	CU_ASSERT_EQUAL(mount3_path_normalise("/a/../b", out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(mount3_path_normalise("/..", out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(mount3_path_normalise("a/b", out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(mount3_path_normalise("", out, sizeof(out)), -EINVAL);
	CU_ASSERT_EQUAL(mount3_path_normalise("/0123456789/0123456789/0123456789/0123456789/"
					      "0123456789/0123456789",
					      out, sizeof(out)),
			-ENAMETOOLONG);
}

static void test_normalise_component_max(void)
{
	char in[300], out[400];

	in[0] = '/';
	memset(in + 1, 'n', 255);
	in[256] = '\0';
	CU_ASSERT_EQUAL(mount3_path_normalise(in, out, sizeof(out)), 0);
	CU_ASSERT_STRING_EQUAL(out, in);
	in[256] = 'n';
	in[257] = '\0';
	CU_ASSERT_EQUAL(mount3_path_normalise(in, out, sizeof(out)), -ENAMETOOLONG);
}

static void test_path_export(void)
{
	struct nfs_export ex[3] = {
	    {.path = (char *)"/"},
	    {.path = (char *)"/srv"},
	    {.path = (char *)"/srv/a"},
	};
	struct nfs_server srv = {.exports = ex, .nexports = 3};
	const char *rest = NULL;

	CU_ASSERT_PTR_EQUAL(mount3_path_export(&srv, "/", &rest), &ex[0]);
	CU_ASSERT_STRING_EQUAL(rest, "");
	CU_ASSERT_PTR_EQUAL(mount3_path_export(&srv, "/other/x", &rest), &ex[0]);
	CU_ASSERT_STRING_EQUAL(rest, "/other/x");
	CU_ASSERT_PTR_EQUAL(mount3_path_export(&srv, "/srv", &rest), &ex[1]);
	CU_ASSERT_STRING_EQUAL(rest, "");
	CU_ASSERT_PTR_EQUAL(mount3_path_export(&srv, "/srvx", &rest), &ex[0]);
	CU_ASSERT_STRING_EQUAL(rest, "/srvx");
	CU_ASSERT_PTR_EQUAL(mount3_path_export(&srv, "/srv/a/b/c", &rest), &ex[2]);
	CU_ASSERT_STRING_EQUAL(rest, "/b/c");
	CU_ASSERT_PTR_EQUAL(mount3_path_export(&srv, "/srv/ab", &rest), &ex[1]);
	CU_ASSERT_STRING_EQUAL(rest, "/ab");

	srv.exports = &ex[1]; /* only /srv and /srv/a */
	srv.nexports = 2;
	CU_ASSERT_PTR_NULL(mount3_path_export(&srv, "/", &rest));
	CU_ASSERT_PTR_NULL(mount3_path_export(&srv, "/sr", &rest));
	CU_ASSERT_PTR_EQUAL(mount3_path_export(&srv, "/srv/x", &rest), &ex[1]);
}

/* ------------------------------------------------------------ encoders */

/* Encode @obj with @a and with @b; the bytes must be identical. */
static void test_same_bytes(xdrproc_t a, xdrproc_t b, void *obj)
{
	static char buf_a[65536], buf_b[65536];
	XDR xa, xb;

	xdrmem_create(&xa, buf_a, sizeof(buf_a), XDR_ENCODE);
	xdrmem_create(&xb, buf_b, sizeof(buf_b), XDR_ENCODE);
	CU_ASSERT_FATAL(a(&xa, obj, 0));
	CU_ASSERT_FATAL(b(&xb, obj, 0));
	CU_ASSERT_EQUAL(xdr_getpos(&xa), xdr_getpos(&xb));
	CU_ASSERT_EQUAL(memcmp(buf_a, buf_b, xdr_getpos(&xa)), 0);
	xdr_destroy(&xa);
	xdr_destroy(&xb);
}

static void test_xdr_mountlist(void)
{
	mountbody b2 = {.ml_hostname = "::1", .ml_directory = "/x/y"};
	mountbody b1 = {.ml_hostname = "10.0.0.1", .ml_directory = "/", .ml_next = &b2};
	mountlist head = &b1, empty = NULL, decoded = NULL;
	char buf[1024];
	XDR x;

	test_same_bytes((xdrproc_t)xdr_mountlist, (xdrproc_t)mount3_xdr_mountlist, &head);
	test_same_bytes((xdrproc_t)xdr_mountlist, (xdrproc_t)mount3_xdr_mountlist, &empty);

	/* round trip: decode what we encoded, then free it */
	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	CU_ASSERT_FATAL(mount3_xdr_mountlist(&x, &head));
	xdr_destroy(&x);
	xdrmem_create(&x, buf, sizeof(buf), XDR_DECODE);
	CU_ASSERT_FATAL(mount3_xdr_mountlist(&x, &decoded));
	xdr_destroy(&x);
	CU_ASSERT_FATAL(decoded && decoded->ml_next && !decoded->ml_next->ml_next);
	CU_ASSERT_STRING_EQUAL(decoded->ml_hostname, "10.0.0.1");
	CU_ASSERT_STRING_EQUAL(decoded->ml_next->ml_directory, "/x/y");
	xdr_free((xdrproc_t)mount3_xdr_mountlist, (char *)&decoded);
	CU_ASSERT_PTR_NULL(decoded);

	/* a truncated stream fails to decode and what was built is freed */
	xdrmem_create(&x, buf, 20, XDR_DECODE);
	CU_ASSERT_FALSE(mount3_xdr_mountlist(&x, &decoded));
	xdr_destroy(&x);
	xdr_free((xdrproc_t)mount3_xdr_mountlist, (char *)&decoded);
	CU_ASSERT_PTR_NULL(decoded);
}

static void test_xdr_exports(void)
{
	groupnode g2 = {.gr_name = "10.0.0.0/8"};
	groupnode g1 = {.gr_name = "host.example", .gr_next = &g2};
	groupnode star = {.gr_name = "*"};
	exportnode e3 = {.ex_dir = "/none"};
	exportnode e2 = {.ex_dir = "/srv", .ex_groups = &star, .ex_next = &e3};
	exportnode e1 = {.ex_dir = "/", .ex_groups = &g1, .ex_next = &e2};
	exports head = &e1, decoded = NULL;
	char buf[1024];
	XDR x;

	test_same_bytes((xdrproc_t)xdr_exports, (xdrproc_t)mount3_xdr_exports, &head);

	xdrmem_create(&x, buf, sizeof(buf), XDR_ENCODE);
	CU_ASSERT_FATAL(mount3_xdr_exports(&x, &head));
	xdr_destroy(&x);
	xdrmem_create(&x, buf, sizeof(buf), XDR_DECODE);
	CU_ASSERT_FATAL(xdr_exports(&x, &decoded)); /* rpcgen's reading ours */
	xdr_destroy(&x);
	CU_ASSERT_FATAL(decoded && decoded->ex_next && decoded->ex_next->ex_next);
	CU_ASSERT_STRING_EQUAL(decoded->ex_groups->gr_next->gr_name, "10.0.0.0/8");
	CU_ASSERT_STRING_EQUAL(decoded->ex_next->ex_groups->gr_name, "*");
	CU_ASSERT_PTR_NULL(decoded->ex_next->ex_next->ex_groups);
	xdr_free((xdrproc_t)mount3_xdr_exports, (char *)&decoded);
	CU_ASSERT_PTR_NULL(decoded);
}

/* A long list neither recurses nor fails: 100,000 nodes. */
static void test_xdr_long_list(void)
{
	enum { N = 100000 };
	mountlist head = NULL, *tail = &head, decoded = NULL;
	size_t size = 4 + N * (4 + 8 + 8), n = 0;
	char *buf = g_malloc(size);
	XDR x;

	for (int i = 0; i < N; i++) {
		mountbody *b = calloc(1, sizeof(*b));

		b->ml_hostname = strdup("h");
		b->ml_directory = strdup("/d");
		*tail = b;
		tail = &b->ml_next;
	}
	xdrmem_create(&x, buf, size, XDR_ENCODE);
	CU_ASSERT(mount3_xdr_mountlist(&x, &head));
	CU_ASSERT_EQUAL(xdr_getpos(&x), size);
	xdr_destroy(&x);
	xdrmem_create(&x, buf, size, XDR_DECODE);
	CU_ASSERT(mount3_xdr_mountlist(&x, &decoded));
	xdr_destroy(&x);
	for (mountbody *b = decoded; b; b = b->ml_next)
		n++;
	CU_ASSERT_EQUAL(n, N);
	xdr_free((xdrproc_t)mount3_xdr_mountlist, (char *)&head);
	xdr_free((xdrproc_t)mount3_xdr_mountlist, (char *)&decoded);
	g_free(buf);
}

static int test_rmdir_all(void)
{
	GDir *d = g_dir_open(test_dir, 0, NULL);
	const char *name;

	if (!d)
		return 0;
	while ((name = g_dir_read_name(d))) {
		char *p = test_path(name);

		if (g_file_test(p, G_FILE_TEST_IS_DIR))
			g_rmdir(p);
		else
			g_unlink(p);
		g_free(p);
	}
	g_dir_close(d);
	return g_rmdir(test_dir);
}

int main(void)
{
	CU_pSuite s;
	int status;

	test_dir = g_dir_make_tmp("test_mountlist-XXXXXX", NULL);
	if (!test_dir)
		return 1;
	xl_log_set_level(XL_LOG_ERROR);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("mountlist", NULL, NULL);
	CU_add_test(s, "add and remove", test_add_remove);
	CU_add_test(s, "duplicates", test_duplicates);
	CU_add_test(s, "umntall", test_umntall);
	CU_add_test(s, "bound and validation", test_bound_and_validation);
	CU_add_test(s, "persistence across reload", test_persistence);
	CU_add_test(s, "corrupt lines ignored", test_corrupt_lines);
	CU_add_test(s, "unreadable and unwritable file", test_unreadable_and_unwritable);
	CU_add_test(s, "concurrent changes", test_concurrency);
	s = CU_add_suite("mount3_path", NULL, NULL);
	CU_add_test(s, "normalise", test_normalise);
	CU_add_test(s, "component length", test_normalise_component_max);
	CU_add_test(s, "export of a path", test_path_export);
	s = CU_add_suite("mount3_xdr", NULL, NULL);
	CU_add_test(s, "mountlist", test_xdr_mountlist);
	CU_add_test(s, "exports", test_xdr_exports);
	CU_add_test(s, "long list", test_xdr_long_list);
	status = cunit_run();
	test_rmdir_all();
	g_free(test_dir);
	return status;
}

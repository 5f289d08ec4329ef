/*
 * test_exports.c — unit tests for the export table (xlators/nfs/server/exports.c).
 *
 * export-dir parsing (options, overrides of the global defaults, every
 * syntax error), path normalisation and export ids, lookup by path and
 * id, client checks, credential squashing, walking an export's path to
 * its root directory over a small fake storage volume, and the root's
 * cached id.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "nfs_server.h"
#include "cunit_main.h"

/* ---------------------------------------------------------------- helpers */

struct any_conf {
	struct xl_addrlist *list;
};

static const struct xl_option any_opts[] = {
	{ .key = "rpc-auth.allow", .type = XL_OPT_ADDRLIST, .offset = 0 },
	{ NULL },
};

static struct nfs_export ex_defaults(struct xl_addrlist *clients)
{
	struct nfs_export d = {
		.clients = clients,
		.read_only = false,
		.root_squash = true,
		.all_squash = false,
		.anonuid = 65534,
		.anongid = 65533,
	};
	return d;
}

static struct sockaddr_storage ex_addr(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		CU_ASSERT_EQUAL(inet_pton(AF_INET6, text, &s6->sin6_addr), 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		CU_ASSERT_EQUAL(inet_pton(AF_INET, text, &s4->sin_addr), 1);
	}
	return ss;
}

static bool ex_allows(const struct nfs_export *e, const char *addr)
{
	struct sockaddr_storage ss = ex_addr(addr);

	return nfs_export_clients_check(e, (struct sockaddr *)&ss, NULL) == XL_ADDR_YES;
}

/* ---------------------------------------------------------------- paths */

static void test_normalise(void)
{
	static const char *const cases[][2] = {
		{ "/", "/" },         { "//", "/" },          { "/a", "/a" },
		{ "/a/", "/a" },      { "//a//b///", "/a/b" }, { "/a/b/c", "/a/b/c" },
		{ "/...", "/..." },   { "/a.b/.c", "/a.b/.c" },
	};
	static const char *const bad[] = { "", "a", "a/b", "./a", "/.", "/a/..", "/a/./b",
					   "/../a", NULL };

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		char *n = nfs_export_path_normalise(cases[i][0]);

		CU_ASSERT_PTR_NOT_NULL_FATAL(n);
		CU_ASSERT_STRING_EQUAL(n, cases[i][1]);
		g_free(n);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		CU_ASSERT_PTR_NULL(nfs_export_path_normalise(bad[i]));
}

static void test_ids(void)
{
	/* FNV-1a 32 of the normalised path: stable across builds/restarts. */
	CU_ASSERT_EQUAL(nfs_export_id("/"), 705468254u);
	CU_ASSERT_EQUAL(nfs_export_id("/data"), 1240880126u);
	CU_ASSERT_NOT_EQUAL(nfs_export_id("/a"), nfs_export_id("/b"));
	CU_ASSERT_NOT_EQUAL(nfs_export_id(""), 0u);
}

/* ---------------------------------------------------------------- parsing */

static void test_parse_defaults(void)
{
	struct xl_addrlist *shared = (struct xl_addrlist *)(uintptr_t)0x1;  /* never used */
	struct nfs_export d = ex_defaults(shared);
	struct nfs_export *ex = NULL;
	char *msg = NULL;
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(nfs_exports_parse("  /  \n\t//srv//data/  ", &d, &ex, &n, &msg), 0);
	CU_ASSERT_PTR_NULL(msg);
	CU_ASSERT_EQUAL_FATAL(n, 2);
	CU_ASSERT_STRING_EQUAL(ex[0].path, "/");
	CU_ASSERT_STRING_EQUAL(ex[1].path, "/srv/data");
	CU_ASSERT_EQUAL(ex[0].id, nfs_export_id("/"));
	CU_ASSERT_EQUAL(ex[1].id, nfs_export_id("/srv/data"));
	for (size_t i = 0; i < n; i++) {
		CU_ASSERT_PTR_EQUAL(ex[i].clients, shared);
		CU_ASSERT_FALSE(ex[i].read_only);
		CU_ASSERT_TRUE(ex[i].root_squash);
		CU_ASSERT_FALSE(ex[i].all_squash);
		CU_ASSERT_EQUAL(ex[i].anonuid, 65534);
		CU_ASSERT_EQUAL(ex[i].anongid, 65533);
	}
	nfs_exports_free(ex, n, shared);
}

static void test_parse_options(void)
{
	struct nfs_export d = ex_defaults(NULL);
	struct nfs_export *ex = NULL;
	char *msg = NULL;
	size_t n = 0;
	const char *text = "/pub(ro) /home(no-root-squash,anonuid=1000,anongid=4294967295)\n"
			   "/scratch( all-squash , rw ,allow=127.0.0.1|10.0.0.0/8|::1 )"
			   " /twice(allow=192.168.0.0/16,allow=10.0.0.0/8,root-squash)";

	d.read_only = true;
	d.root_squash = false;
	CU_ASSERT_EQUAL_FATAL(nfs_exports_parse(text, &d, &ex, &n, &msg), 0);
	CU_ASSERT_EQUAL_FATAL(n, 4);

	CU_ASSERT_STRING_EQUAL(ex[0].path, "/pub");
	CU_ASSERT_TRUE(ex[0].read_only);
	CU_ASSERT_FALSE(ex[0].root_squash);

	CU_ASSERT_STRING_EQUAL(ex[1].path, "/home");
	CU_ASSERT_TRUE(ex[1].read_only);  /* the global default */
	CU_ASSERT_FALSE(ex[1].root_squash);
	CU_ASSERT_EQUAL(ex[1].anonuid, 1000);
	CU_ASSERT_EQUAL(ex[1].anongid, 4294967295u);
	CU_ASSERT_PTR_NULL(ex[1].clients);
	CU_ASSERT_FALSE(ex_allows(&ex[1], "127.0.0.1"));  /* NULL list: nobody */

	CU_ASSERT_STRING_EQUAL(ex[2].path, "/scratch");
	CU_ASSERT_FALSE(ex[2].read_only);
	CU_ASSERT_TRUE(ex[2].all_squash);
	CU_ASSERT_PTR_NOT_NULL_FATAL(ex[2].clients);
	CU_ASSERT_TRUE(ex_allows(&ex[2], "127.0.0.1"));
	CU_ASSERT_TRUE(ex_allows(&ex[2], "10.200.3.4"));
	CU_ASSERT_TRUE(ex_allows(&ex[2], "::1"));
	CU_ASSERT_TRUE(ex_allows(&ex[2], "::ffff:10.0.0.9"));
	CU_ASSERT_FALSE(ex_allows(&ex[2], "11.0.0.1"));
	CU_ASSERT_FALSE(ex_allows(&ex[2], "127.0.0.2"));
	CU_ASSERT_FALSE(ex_allows(&ex[2], "::2"));

	/* A later allow= replaces an earlier one (and the first is freed). */
	CU_ASSERT_STRING_EQUAL(ex[3].path, "/twice");
	CU_ASSERT_TRUE(ex[3].root_squash);
	CU_ASSERT_TRUE(ex_allows(&ex[3], "10.1.1.1"));
	CU_ASSERT_FALSE(ex_allows(&ex[3], "192.168.1.1"));
	nfs_exports_free(ex, n, NULL);
}

static void test_parse_errors(void)
{
	static const char *const bad[] = {
		"",                          /* nothing exported */
		"  \n ",
		"relative",
		"/a/../b",
		"/a/./b",
		"(ro)",
		"/a (ro)",                   /* options must touch the path */
		"/a)",
		"/a(ro",
		"/a(ro)x",
		"/a(ro)(rw)",
		"/a(bogus)",
		"/a(ro,,rw)",
		"/a()",
		"/a(RO)",
		"/a(anonuid=)",
		"/a(anonuid=-1)",
		"/a(anonuid=4294967296)",
		"/a(anongid=12x)",
		"/a(allow=)",
		"/a(allow=10.0.0.0/33)",
		"/a(allow=not_a_host!)",
		"/a /b /a/",                 /* the same export twice */
		"/ //",
	};
	struct nfs_export d = ex_defaults(NULL);

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct nfs_export *ex = NULL;
		char *msg = NULL;
		size_t n = 0;
		int ret = nfs_exports_parse(bad[i], &d, &ex, &n, &msg);

		if (ret != -EINVAL)
			fprintf(stderr, "accepted bad export-dir \"%s\"\n", bad[i]);
		CU_ASSERT_EQUAL(ret, -EINVAL);
		CU_ASSERT_PTR_NOT_NULL(msg);
		CU_ASSERT_PTR_NULL(ex);
		g_free(msg);
		if (ret == 0)
			nfs_exports_free(ex, n, NULL);
	}
}

static void test_lookup(void)
{
	struct nfs_export d = ex_defaults(NULL);
	struct nfs_server srv;
	char *msg = NULL;

	memset(&srv, 0, sizeof(srv));
	CU_ASSERT_EQUAL_FATAL(nfs_exports_parse("/ /data /data/sub", &d, &srv.exports,
						&srv.nexports, &msg), 0);
	CU_ASSERT_PTR_EQUAL(nfs_export_by_path(&srv, "/"), &srv.exports[0]);
	CU_ASSERT_PTR_EQUAL(nfs_export_by_path(&srv, "///"), &srv.exports[0]);
	CU_ASSERT_PTR_EQUAL(nfs_export_by_path(&srv, "/data"), &srv.exports[1]);
	CU_ASSERT_PTR_EQUAL(nfs_export_by_path(&srv, "//data/"), &srv.exports[1]);
	CU_ASSERT_PTR_EQUAL(nfs_export_by_path(&srv, "/data//sub/"), &srv.exports[2]);
	CU_ASSERT_PTR_NULL(nfs_export_by_path(&srv, "data"));
	CU_ASSERT_PTR_NULL(nfs_export_by_path(&srv, "/dat"));
	CU_ASSERT_PTR_NULL(nfs_export_by_path(&srv, "/data/sub/x"));
	CU_ASSERT_PTR_NULL(nfs_export_by_path(&srv, "/data/sub/.."));
	CU_ASSERT_PTR_NULL(nfs_export_by_path(&srv, ""));
	for (size_t i = 0; i < srv.nexports; i++)
		CU_ASSERT_PTR_EQUAL(nfs_export_by_id(&srv, srv.exports[i].id), &srv.exports[i]);
	CU_ASSERT_PTR_NULL(nfs_export_by_id(&srv, nfs_export_id("/other")));
	nfs_exports_free(srv.exports, srv.nexports, NULL);
}

static void test_allows_global(void)
{
	struct any_conf conf = { NULL };
	struct nfs_export *ex = NULL;
	struct nfs_export d;
	char *msg = NULL;
	size_t n = 0;

	CU_ASSERT_EQUAL_FATAL(xl_option_parse(&any_opts[0], "*", &conf, &msg), 0);
	d = ex_defaults(conf.list);
	CU_ASSERT_EQUAL_FATAL(nfs_exports_parse("/ /lan(allow=192.168.1.0/24)", &d, &ex, &n,
						&msg), 0);
	CU_ASSERT_PTR_EQUAL(ex[0].clients, conf.list);
	CU_ASSERT_TRUE(ex_allows(&ex[0], "203.0.113.9"));
	CU_ASSERT_TRUE(ex_allows(&ex[0], "2001:db8::1"));
	CU_ASSERT_TRUE(ex_allows(&ex[1], "192.168.1.77"));
	CU_ASSERT_FALSE(ex_allows(&ex[1], "192.168.2.77"));
	nfs_exports_free(ex, n, conf.list);
	/* The shared list survives nfs_exports_free. */
	CU_ASSERT_EQUAL(conf.list->count, 1);
	xl_options_free(any_opts, &conf);
}

/* ---------------------------------------------------------------- squash */

static struct xl_cred ex_call(uid_t uid, gid_t gid, unsigned ngroups, const gid_t *groups)
{
	struct xl_cred c;

	memset(&c, 0, sizeof(c));
	c.uid = uid;
	c.gid = gid;
	c.ngroups = ngroups;
	memcpy(c.groups, groups, ngroups * sizeof(gid_t));
	return c;
}

static void test_squash(void)
{
	static const gid_t groups[] = { 10, 0, 20 };
	struct nfs_export e = ex_defaults(NULL);
	struct xl_cred c;

	/* root-squash: root becomes anon, including group 0 among groups. */
	c = ex_call(0, 0, 3, groups);
	nfs_export_squash(&e, &c);
	CU_ASSERT_EQUAL(c.uid, 65534);
	CU_ASSERT_EQUAL(c.gid, 65533);
	CU_ASSERT_EQUAL(c.ngroups, 3);
	CU_ASSERT_EQUAL(c.groups[0], 10);
	CU_ASSERT_EQUAL(c.groups[1], 65533);
	CU_ASSERT_EQUAL(c.groups[2], 20);

	/* root-squash leaves other users alone... */
	c = ex_call(1000, 100, 2, groups);
	nfs_export_squash(&e, &c);
	CU_ASSERT_EQUAL(c.uid, 1000);
	CU_ASSERT_EQUAL(c.gid, 100);
	CU_ASSERT_EQUAL(c.groups[1], 65533);  /* ...but not their group 0 */

	/* A non-root user with primary group 0. */
	c = ex_call(1000, 0, 0, groups);
	nfs_export_squash(&e, &c);
	CU_ASSERT_EQUAL(c.uid, 1000);
	CU_ASSERT_EQUAL(c.gid, 65533);

	/* no-root-squash: root stays root. */
	e.root_squash = false;
	c = ex_call(0, 0, 3, groups);
	nfs_export_squash(&e, &c);
	CU_ASSERT_EQUAL(c.uid, 0);
	CU_ASSERT_EQUAL(c.gid, 0);
	CU_ASSERT_EQUAL(c.groups[1], 0);

	/* all-squash: everybody is anon, with no supplementary groups. */
	e.all_squash = true;
	e.anonuid = 4242;
	e.anongid = 4343;
	c = ex_call(1000, 100, 3, groups);
	nfs_export_squash(&e, &c);
	CU_ASSERT_EQUAL(c.uid, 4242);
	CU_ASSERT_EQUAL(c.gid, 4343);
	CU_ASSERT_EQUAL(c.ngroups, 0);
	c = ex_call(0, 0, 3, groups);
	nfs_export_squash(&e, &c);
	CU_ASSERT_EQUAL(c.uid, 4242);
	CU_ASSERT_EQUAL(c.ngroups, 0);
}

/* ---------------------------------------------------------------- export root */

/* A fake storage volume: a fixed tree, lookup only. */
struct fake_node {
	const char *gfid;    /* also the node's identity */
	const char *parent;
	const char *name;
	mode_t mode;
};

static const struct fake_node fake_tree[] = {
	{ "root", NULL, NULL, S_IFDIR | 0755 },
	{ "data", "root", "data", S_IFDIR | 0755 },
	{ "sub", "data", "sub", S_IFDIR | 0700 },
	{ "file", "root", "file", S_IFREG | 0644 },
	{ "link", "root", "link", S_IFLNK | 0777 },
	{ "deny", "root", "deny", S_IFDIR | 0000 },
	{ "hidden", "deny", "hidden", S_IFDIR | 0755 },
};

static struct xl_inode_table *fake_table;
static unsigned fake_lookups;

/* A node's id: "root" is the volume root's, the others their name's bytes. */
static void fake_id(const char *name, struct xl_id *id)
{
	if (!strcmp(name, "root")) {
		*id = XL_ID_ROOT;
		return;
	}
	memset(id, 0, sizeof(*id));
	memcpy(id->bytes, name, strlen(name) < sizeof(id->bytes) ? strlen(name) : 15);
	id->bytes[15] = 0xee;
}

static int fake_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir,
		       const char *name, struct xl_inode *inode, struct xl_iatt *attr,
		       struct xl_iatt *dir_attr)
{
	fake_lookups++;
	for (size_t i = 0; i < sizeof(fake_tree) / sizeof(fake_tree[0]); i++) {
		const struct fake_node *n = &fake_tree[i];
		struct xl_id pid;

		if (dir) {
			if (!n->parent || strcmp(n->name, name))
				continue;
			fake_id(n->parent, &pid);
			if (!xl_id_equal(&pid, xl_inode_id(dir)))
				continue;
			/* The caller must be able to search the directory. */
			if (!strcmp(n->parent, "deny") && call->cred.uid != 0)
				return -EACCES;
		} else if (n->parent) {
			continue;
		}
		memset(attr, 0, sizeof(*attr));
		fake_id(n->gfid, &attr->id);
		attr->mode = n->mode;
		attr->ino = i + 1;
		attr->valid = XL_IATT_ID | XL_IATT_TYPE | XL_IATT_MODE | XL_IATT_INO;
		return 0;
	}
	return -ENOENT;
}

static const struct xl_fops fake_fops = { .lookup = fake_lookup };
static const struct xl_module fake_module = {
	.abi = XL_ABI_VERSION, .type = "test/fake", .fops = &fake_fops,
};

static struct xl *fake_child; /* the subvolume of ex_fake_setup */

static int ex_root(struct nfs_server *srv, const char *path, uid_t uid, struct xl_inode **out,
		   struct xl_iatt *attr)
{
	struct nfs_export e = ex_defaults(NULL);
	struct xl_call call;

	memset(&call, 0, sizeof(call));
	call.cred.uid = uid;
	e.path = (char *)path;
	e.dir = (char *)path;
	e.child = fake_child;
	*out = NULL;
	return nfs_export_root(srv, &e, &call, out, attr);
}

static void ex_fake_setup(struct xl_graph *graph, struct xl *child, struct nfs_server *srv)
{
	memset(graph, 0, sizeof(*graph));
	memset(child, 0, sizeof(*child));
	memset(srv, 0, sizeof(*srv));
	child->name = (char *)"fake";
	child->module = &fake_module;
	child->graph = graph;
	fake_child = child;
	fake_table = xl_inode_table_new(graph, 0);
	graph->itable = fake_table;
	g_mutex_init(&srv->lock);
}

static void test_export_root(void)
{
	struct xl_graph graph;
	struct xl child;
	struct nfs_server srv;
	struct xl_inode_stats stats;
	struct xl_inode *in;
	struct xl_id g;
	struct xl_iatt st;

	ex_fake_setup(&graph, &child, &srv);
	CU_ASSERT_EQUAL(ex_root(&srv, "/", 1000, &in, &st), 0);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT(xl_id_equal(xl_inode_id(in), &XL_ID_ROOT));
	CU_ASSERT(S_ISDIR(st.mode));
	xl_inode_unref(in);

	fake_lookups = 0;
	CU_ASSERT_EQUAL(ex_root(&srv, "/data/sub", 1000, &in, &st), 0);
	CU_ASSERT_EQUAL(fake_lookups, 3);  /* root, data, sub: one component at a time */
	fake_id("sub", &g);
	CU_ASSERT_PTR_NOT_NULL_FATAL(in);
	CU_ASSERT(xl_id_equal(xl_inode_id(in), &g));
	CU_ASSERT_EQUAL(st.mode, S_IFDIR | 0700);
	xl_inode_unref(in);

	CU_ASSERT_EQUAL(ex_root(&srv, "/missing", 1000, &in, &st), -ENOENT);
	CU_ASSERT_PTR_NULL(in);
	CU_ASSERT_EQUAL(ex_root(&srv, "/data/missing", 1000, &in, &st), -ENOENT);
	CU_ASSERT_EQUAL(ex_root(&srv, "/file", 1000, &in, &st), -ENOTDIR);
	CU_ASSERT_PTR_NULL(in);
	CU_ASSERT_EQUAL(ex_root(&srv, "/file/x", 1000, &in, &st), -ENOTDIR);
	/* A symlink is never followed, at the end or in the middle. */
	CU_ASSERT_EQUAL(ex_root(&srv, "/link", 1000, &in, &st), -ENOTDIR);
	CU_ASSERT_EQUAL(ex_root(&srv, "/link/x", 1000, &in, &st), -ENOTDIR);
	/* The walk runs as the caller. */
	CU_ASSERT_EQUAL(ex_root(&srv, "/deny/hidden", 1000, &in, &st), -EACCES);
	CU_ASSERT_EQUAL(ex_root(&srv, "/deny/hidden", 0, &in, &st), 0);
	if (in)
		xl_inode_unref(in);

	/* Every reference taken on the way was dropped. */
	xl_inode_table_stats(fake_table, &stats);
	CU_ASSERT_EQUAL(stats.active, 0);
	xl_inode_table_free(fake_table);
	g_mutex_clear(&srv.lock);
}

/* The root's id is found once (as the superuser: /deny/hidden is no
 * caller's to search) and then answered from the cache; identity, not
 * a walk, says whether a directory is the export's root. */
static void test_export_root_id(void)
{
	struct xl_graph graph;
	struct xl child;
	struct nfs_server srv;
	struct nfs_export *ex = NULL;
	struct nfs_export d = ex_defaults(NULL);
	struct xl_id id, hidden, sub;
	char *msg = NULL;
	size_t n = 0;

	ex_fake_setup(&graph, &child, &srv);
	CU_ASSERT_EQUAL_FATAL(nfs_exports_parse("/deny/hidden /data/sub /gone", &d, &ex, &n, &msg),
			      0);
	CU_ASSERT_EQUAL_FATAL(nfs_exports_bind(ex, n, &fake_child, 1, &msg), 0);
	srv.exports = ex;
	srv.nexports = n;
	fake_id("hidden", &hidden);
	fake_id("sub", &sub);
	CU_ASSERT_FALSE(nfs_export_is_root(&srv, &ex[0], &hidden)); /* not known yet */

	fake_lookups = 0;
	CU_ASSERT_EQUAL(nfs_export_root_id(&srv, &ex[0], false, &id), 0);
	CU_ASSERT(xl_id_equal(&id, &hidden));
	CU_ASSERT_EQUAL(fake_lookups, 3);
	CU_ASSERT_EQUAL(nfs_export_root_id(&srv, &ex[0], false, &id), 0);
	CU_ASSERT_EQUAL(fake_lookups, 3); /* cached: no walk */
	CU_ASSERT(xl_id_equal(&id, &hidden));
	CU_ASSERT_TRUE(nfs_export_is_root(&srv, &ex[0], &hidden));
	CU_ASSERT_FALSE(nfs_export_is_root(&srv, &ex[0], &sub));
	CU_ASSERT_EQUAL(nfs_export_root_id(&srv, &ex[0], true, &id), 0);
	CU_ASSERT_EQUAL(fake_lookups, 6); /* refresh walks again */

	CU_ASSERT_EQUAL(nfs_export_root_id(&srv, &ex[1], false, &id), 0);
	CU_ASSERT(xl_id_equal(&id, &sub));
	CU_ASSERT_FALSE(nfs_export_is_root(&srv, &ex[1], &hidden));
	CU_ASSERT_EQUAL(nfs_export_root_id(&srv, &ex[2], false, &id), -ENOENT);
	CU_ASSERT_TRUE(xl_id_is_null(&ex[2].root_id));

	nfs_exports_free(ex, n, NULL);
	xl_inode_table_free(fake_table);
	g_mutex_clear(&srv.lock);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("exports", NULL, NULL);
	if (!s || !CU_add_test(s, "normalise", test_normalise) ||
	    !CU_add_test(s, "ids", test_ids) ||
	    !CU_add_test(s, "parse defaults", test_parse_defaults) ||
	    !CU_add_test(s, "parse options", test_parse_options) ||
	    !CU_add_test(s, "parse errors", test_parse_errors) ||
	    !CU_add_test(s, "lookup", test_lookup) ||
	    !CU_add_test(s, "allows", test_allows_global) ||
	    !CU_add_test(s, "squash", test_squash) ||
	    !CU_add_test(s, "export root", test_export_root) ||
	    !CU_add_test(s, "export root id", test_export_root_id)) {
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run();
}

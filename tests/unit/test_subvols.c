/*
 * test_subvols.c — one nfs/server over two subvolumes: exports name the
 * tree they serve, and the trees stay apart.
 *
 * The graph is the daemon's shape with the RPC service left out: two
 * storage/memory volumes, "disk" (the first) and "scratch", under one
 * top (test/dummy, which only holds them: nfs/server's init would open
 * sockets), sharing the graph's inode table as they do under nfs/server.
 * Both roots therefore have the same id (XL_ID_ROOT) and one inode. The
 * exports are "/" (disk's root, mounted as /) and "scratch:/" (scratch's
 * root, mounted as /scratch). Checked, through the NFS3 actors and the
 * MOUNT interface:
 *   - each export's id and fsid (the first subvolume's "/" keeps the id
 *     it always had), MOUNT paths, and which child serves it;
 *   - a file made in one export is not found in the other, and a
 *     directory made in scratch is mountable below /scratch only;
 *   - GETATTR reports each export's own fsid;
 *   - a handle the server signed for export B with the object id of a
 *     file of A (what a fop sent to the wrong child would resolve) is
 *     STALE, both ways: objects never resolve across subvolumes (READ
 *     and ACCESS too, which resolve without a getattr);
 *   - errors: an unknown subvolume name (naming the valid ones), a MOUNT
 *     path used twice, bad SUBVOLUME:PATH specs, in export-dir and in the
 *     `export` option.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <CUnit/Basic.h>
#include <glib.h>
#include <glib/gstdio.h>

#include "export_access.h"
#include "nfs3.h"
#include "nfs_mount_iface.h"
#include "xlator.h"
#include "cunit_main.h"
#include "nfs_test_fh.h"

static char *moddir;
static struct xl_graph *graph;
static struct xl *disk, *scratch;
static struct nfs_server srv;
static struct xl_addrlist *allow_all;
static struct rpcsvc_program prog;
static struct rpcsvc_request req;
static const struct nfs_export *ex_disk, *ex_scratch;

static const char volfile[] = "volume disk\n"
			      "    type storage/memory\n"
			      "end-volume\n"
			      "volume scratch\n"
			      "    type storage/memory\n"
			      "end-volume\n"
			      "volume top\n"
			      "    type test/dummy\n"
			      "    option directory /\n"
			      "    subvolumes disk scratch\n"
			      "end-volume\n";

static void fh_take(struct nfs_fh *fh, const nfs_fh3 *from)
{
	fh->len = from->data.data_len <= NFS_FH_MAX ? from->data.data_len : 0;
	memcpy(fh->data, from->data.data_val, fh->len);
}

/* The handle MNT gives for @rest below @e: 0 or -errno. */
static int mount_fh(const struct nfs_export *e, const char *rest, struct nfs_fh *fh)
{
	size_t len = 0;
	int ret = nfs_mount_handle(&srv, e, rest, &req.cred, (struct sockaddr *)&req.client,
				   req.client_len, fh->data, &len);

	fh->len = (uint32_t)len;
	return ret;
}

static nfsstat3 do_getattr(struct nfs_fh *fh, fattr3 *fa)
{
	GETATTR3args a = {.object = fh3(fh)};
	GETATTR3res r = {0};
	nfsstat3 st;

	CU_ASSERT_EQUAL(nfs3_getattr(&req, &a, &r), RPCSVC_OK);
	st = r.status;
	if (st == NFS3_OK && fa)
		*fa = r.GETATTR3res_u.resok.obj_attributes;
	xdr_free((xdrproc_t)xdr_GETATTR3res, (char *)&r);
	return st;
}

static nfsstat3 do_lookup(struct nfs_fh *dir, const char *name, struct nfs_fh *out)
{
	LOOKUP3args a = {.what = {.dir = fh3(dir), .name = (char *)name}};
	LOOKUP3res r = {0};
	nfsstat3 st;

	CU_ASSERT_EQUAL(nfs3_lookup(&req, &a, &r), RPCSVC_OK);
	st = r.status;
	if (st == NFS3_OK && out)
		fh_take(out, &r.LOOKUP3res_u.resok.object);
	xdr_free((xdrproc_t)xdr_LOOKUP3res, (char *)&r);
	return st;
}

/* READ of an (empty) file: no payload to drop */
static nfsstat3 do_read(struct nfs_fh *fh)
{
	READ3args a = {.file = fh3(fh), .offset = 0, .count = 16};
	READ3res r = {0};
	nfsstat3 st;

	CU_ASSERT_EQUAL(nfs3_read(&req, &a, &r), RPCSVC_OK);
	st = r.status;
	xdr_free((xdrproc_t)xdr_READ3res, (char *)&r);
	return st;
}

/* WRITE of 3 bytes to @fh: its status, *@attrs whether wcc after came. */
static nfsstat3 do_write(struct nfs_fh *fh, bool *attrs)
{
	WRITE3args a = {.file = fh3(fh), .count = 3, .stable = FILE_SYNC};
	WRITE3res r = {0};
	nfsstat3 st;

	a.data.data_len = 3;
	a.data.data_val = (char *)"abc";
	CU_ASSERT_EQUAL(nfs3_write(&req, &a, &r), RPCSVC_OK);
	st = r.status;
	*attrs = r.WRITE3res_u.resfail.file_wcc.after.attributes_follow;
	xdr_free((xdrproc_t)xdr_WRITE3res, (char *)&r);
	return st;
}

/* ACCESS of @mask on @fh: its status, *@attrs whether attributes came. */
static nfsstat3 do_access(struct nfs_fh *fh, uint32_t mask, bool *attrs)
{
	ACCESS3args a = {.object = fh3(fh), .access = mask};
	ACCESS3res r = {0};
	nfsstat3 st;

	CU_ASSERT_EQUAL(nfs3_access(&req, &a, &r), RPCSVC_OK);
	st = r.status;
	*attrs = st == NFS3_OK ? r.ACCESS3res_u.resok.obj_attributes.attributes_follow
			       : r.ACCESS3res_u.resfail.obj_attributes.attributes_follow;
	xdr_free((xdrproc_t)xdr_ACCESS3res, (char *)&r);
	return st;
}

static nfsstat3 do_create(struct nfs_fh *dir, const char *name, struct nfs_fh *out)
{
	CREATE3args a = {.where = {.dir = fh3(dir), .name = (char *)name}};
	CREATE3res r = {0};
	nfsstat3 st;

	a.how.mode = UNCHECKED;
	a.how.createhow3_u.obj_attributes.mode.set_it = TRUE;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
	CU_ASSERT_EQUAL(nfs3_create(&req, &a, &r), RPCSVC_OK);
	st = r.status;
	if (st == NFS3_OK && out) {
		CU_ASSERT_TRUE(r.CREATE3res_u.resok.obj.handle_follows);
		fh_take(out, &r.CREATE3res_u.resok.obj.post_op_fh3_u.handle);
	}
	xdr_free((xdrproc_t)xdr_CREATE3res, (char *)&r);
	return st;
}

static nfsstat3 do_mkdir(struct nfs_fh *dir, const char *name)
{
	MKDIR3args a = {.where = {.dir = fh3(dir), .name = (char *)name}};
	MKDIR3res r = {0};
	nfsstat3 st;

	a.attributes.mode.set_it = TRUE;
	a.attributes.mode.set_mode3_u.mode = 0755;
	CU_ASSERT_EQUAL(nfs3_mkdir(&req, &a, &r), RPCSVC_OK);
	st = r.status;
	xdr_free((xdrproc_t)xdr_MKDIR3res, (char *)&r);
	return st;
}

/* ------------------------------------------------------------------ tests */

static void test_exports_name_their_subvolume(void)
{
	CU_ASSERT_EQUAL_FATAL(srv.nexports, 2);
	CU_ASSERT_STRING_EQUAL(ex_disk->path, "/");
	CU_ASSERT_STRING_EQUAL(ex_disk->dir, "/");
	CU_ASSERT_PTR_NULL(ex_disk->subvol);
	CU_ASSERT_PTR_EQUAL(ex_disk->child, disk);
	/* the first subvolume's exports keep their ids: handles stay valid */
	CU_ASSERT_EQUAL(ex_disk->id, nfs_export_id("/"));
	CU_ASSERT_STRING_EQUAL(ex_scratch->path, "/scratch");
	CU_ASSERT_STRING_EQUAL(ex_scratch->dir, "/");
	CU_ASSERT_STRING_EQUAL(ex_scratch->subvol, "scratch");
	CU_ASSERT_PTR_EQUAL(ex_scratch->child, scratch);
	CU_ASSERT_NOT_EQUAL(ex_disk->id, ex_scratch->id);
	CU_ASSERT_NOT_EQUAL(ex_disk->fsid, ex_scratch->fsid);
	CU_ASSERT_PTR_EQUAL(nfs_export_by_path(&srv, "/scratch/"), ex_scratch);
	CU_ASSERT_PTR_EQUAL(nfs_export_by_id(&srv, ex_scratch->id), ex_scratch);
	/* both roots were found, through their own subvolume */
	CU_ASSERT_TRUE(nfs_export_is_root(&srv, ex_disk, &XL_ID_ROOT));
	CU_ASSERT_TRUE(nfs_export_is_root(&srv, ex_scratch, &XL_ID_ROOT));
}

static void test_trees_stay_apart(void)
{
	struct nfs_fh droot, sroot, f, sub;
	fattr3 fa;

	CU_ASSERT_EQUAL_FATAL(mount_fh(ex_disk, "", &droot), 0);
	CU_ASSERT_EQUAL_FATAL(mount_fh(ex_scratch, "", &sroot), 0);
	/* the same object id (XL_ID_ROOT), two exports: two handles */
	CU_ASSERT(droot.len != sroot.len || memcmp(droot.data, sroot.data, droot.len) != 0);

	CU_ASSERT_EQUAL(do_create(&droot, "on-disk", &f), NFS3_OK);
	CU_ASSERT_EQUAL(do_lookup(&droot, "on-disk", NULL), NFS3_OK);
	CU_ASSERT_EQUAL(do_lookup(&sroot, "on-disk", NULL), NFS3ERR_NOENT);
	CU_ASSERT_EQUAL(do_create(&sroot, "in-ram", NULL), NFS3_OK);
	CU_ASSERT_EQUAL(do_lookup(&sroot, "in-ram", NULL), NFS3_OK);
	CU_ASSERT_EQUAL(do_lookup(&droot, "in-ram", NULL), NFS3ERR_NOENT);

	/* MNT below an export walks that export's subvolume */
	CU_ASSERT_EQUAL(do_mkdir(&sroot, "sub"), NFS3_OK);
	CU_ASSERT_EQUAL(mount_fh(ex_scratch, "/sub", &sub), 0);
	CU_ASSERT_EQUAL(mount_fh(ex_disk, "/sub", &sub), -ENOENT);

	/* each export's objects carry its fsid */
	CU_ASSERT_EQUAL(do_getattr(&droot, &fa), NFS3_OK);
	CU_ASSERT_EQUAL(fa.fsid, ex_disk->fsid);
	CU_ASSERT_EQUAL(do_getattr(&f, &fa), NFS3_OK);
	CU_ASSERT_EQUAL(fa.fsid, ex_disk->fsid);
	CU_ASSERT_EQUAL(do_getattr(&sroot, &fa), NFS3_OK);
	CU_ASSERT_EQUAL(fa.fsid, ex_scratch->fsid);
	CU_ASSERT_EQUAL(fa.nlink, 3); /* scratch's root: ".", its entry, sub's ".." */
	CU_ASSERT_EQUAL(do_getattr(&droot, &fa), NFS3_OK);
	CU_ASSERT_EQUAL(fa.nlink, 2); /* disk's root has no subdirectory */
}

/* A handle of export @to for the object of @fh (signed by the server). */
static void crossed(struct nfs_fh *fh, const struct nfs_export *to, struct nfs_fh *out)
{
	const struct nfs_export *e = NULL;
	struct xl_id id;

	CU_ASSERT_EQUAL_FATAL(nfs_fh_parse(&srv, fh->data, fh->len, &e, &id), 0);
	CU_ASSERT_PTR_NOT_EQUAL(e, to);
	nfs_fh_build(&srv, to, &id, out);
}

static void test_handles_never_cross(void)
{
	struct nfs_fh droot, sroot, f, g, x;
	bool attrs = true;

	CU_ASSERT_EQUAL_FATAL(mount_fh(ex_disk, "", &droot), 0);
	CU_ASSERT_EQUAL_FATAL(mount_fh(ex_scratch, "", &sroot), 0);
	CU_ASSERT_EQUAL_FATAL(do_create(&droot, "disk-only", &f), NFS3_OK);
	CU_ASSERT_EQUAL_FATAL(do_create(&sroot, "scratch-only", &g), NFS3_OK);
	/* the inodes are cached in the shared table: only the child can tell */
	crossed(&f, ex_scratch, &x);
	CU_ASSERT_EQUAL(do_getattr(&x, NULL), NFS3ERR_STALE);
	CU_ASSERT_EQUAL(do_lookup(&x, ".", NULL), NFS3ERR_STALE);
	/* READ and ACCESS resolve without a getattr: their own fop tells */
	CU_ASSERT_EQUAL(do_read(&x), NFS3ERR_STALE);
	CU_ASSERT_EQUAL(do_access(&x, ACCESS3_READ, &attrs), NFS3ERR_STALE);
	CU_ASSERT_FALSE(attrs);
	CU_ASSERT_EQUAL(do_access(&x, 0, &attrs), NFS3ERR_STALE); /* nothing asked */
	CU_ASSERT_EQUAL(do_write(&x, &attrs), NFS3ERR_STALE);
	crossed(&g, ex_disk, &x);
	CU_ASSERT_EQUAL(do_getattr(&x, NULL), NFS3ERR_STALE);
	CU_ASSERT_EQUAL(do_read(&x), NFS3ERR_STALE);
	CU_ASSERT_EQUAL(do_access(&x, ACCESS3_READ, &attrs), NFS3ERR_STALE);
	/* the originals still work */
	CU_ASSERT_EQUAL(do_getattr(&f, NULL), NFS3_OK);
	CU_ASSERT_EQUAL(do_getattr(&g, NULL), NFS3_OK);
	CU_ASSERT_EQUAL(do_read(&f), NFS3_OK);
	CU_ASSERT_EQUAL(do_write(&f, &attrs), NFS3_OK);
	CU_ASSERT_TRUE(attrs);
	CU_ASSERT_EQUAL(do_access(&g, ACCESS3_READ, &attrs), NFS3_OK);
	CU_ASSERT_TRUE(attrs);
	CU_ASSERT_EQUAL(do_access(&g, 0, &attrs), NFS3_OK);
	CU_ASSERT_TRUE(attrs);
}

/* Parse @text as export-dir and bind it to disk and scratch: the error
 * message (g_free) or NULL when it is accepted. */
static char *dir_error(const char *text)
{
	struct nfs_export d = {.anonuid = 65534, .anongid = 65534};
	struct nfs_export *ex = NULL;
	char *msg = NULL;
	size_t n = 0;

	if (nfs_exports_parse(text, &d, &ex, &n, &msg) < 0)
		return msg;
	if (nfs_exports_bind(ex, n, graph->top->children, graph->top->nchildren, &msg) == 0) {
		g_free(msg);
		msg = NULL;
	}
	nfs_exports_free(ex, n, NULL);
	return msg;
}

static char *rules_error(const char *text, struct nfs_export **out, size_t *count)
{
	struct nfs_export d = {.anonuid = 65534, .anongid = 65534};
	char *msg = NULL;

	*out = NULL;
	*count = 0;
	if (nfs_exports_add_rules(text, &d, out, count, &msg) == 0 &&
	    nfs_exports_bind(*out, *count, graph->top->children, graph->top->nchildren, &msg) ==
		0) {
		g_free(msg);
		return NULL;
	}
	return msg;
}

static void expect_error(char *msg, const char *part)
{
	CU_ASSERT_PTR_NOT_NULL(msg);
	if (msg && !strstr(msg, part)) {
		fprintf(stderr, "message \"%s\" lacks \"%s\"\n", msg, part);
		CU_FAIL("message");
	}
	g_free(msg);
}

static void test_spec_errors(void)
{
	struct nfs_export *ex;
	size_t n;

	CU_ASSERT_PTR_NULL(dir_error("/ scratch:/ scratch:/a/b(ro) disk:/x"));
	expect_error(dir_error("/ nope:/"), "no subvolume 'nope' (the subvolumes line lists: "
					    "disk, scratch)");
	expect_error(dir_error("/scratch scratch:/"), "/scratch is exported twice");
	expect_error(dir_error("scratch:/a scratch://a/"), "/scratch/a is exported twice");
	expect_error(dir_error("scratch:relative"), "\"relative\" is not an absolute path");
	expect_error(dir_error("scr/atch:/x"), "neither an absolute path");
	expect_error(dir_error(":/x"), "neither an absolute path");
	expect_error(dir_error("scratch:/a/../b"), "is not an absolute path without");

	/* the export option reads SUBVOLUME:PATH too */
	CU_ASSERT_PTR_NULL(rules_error("/ *(rw); scratch:/ 127.0.0.1(ro)", &ex, &n));
	CU_ASSERT_EQUAL(n, 2);
	if (n == 2) {
		CU_ASSERT_STRING_EQUAL(ex[1].path, "/scratch");
		CU_ASSERT_PTR_EQUAL(ex[1].child, scratch);
		CU_ASSERT_PTR_EQUAL(ex[1].views[0].child, scratch); /* what clients get */
		CU_ASSERT_PTR_EQUAL(ex[0].child, disk);
		CU_ASSERT_NOT_EQUAL(ex[0].fsid, ex[1].fsid);
	}
	nfs_exports_free_rules(ex, n);
	nfs_exports_free(ex, n, NULL);
	expect_error(rules_error("/ *; nope:/x *", &ex, &n), "no subvolume 'nope'");
	nfs_exports_free_rules(ex, n);
	nfs_exports_free(ex, n, NULL);
	expect_error(rules_error("/scratch *; scratch:/ *", &ex, &n), "exported twice");
	nfs_exports_free_rules(ex, n);
	nfs_exports_free(ex, n, NULL);
	expect_error(rules_error("scr/atch:/ *", &ex, &n), "SUBVOLUME:/PATH");
	nfs_exports_free_rules(ex, n);
	nfs_exports_free(ex, n, NULL);
}

/* ------------------------------------------------------------------ set-up */

/* A module folder holding both the build's translators and test/dummy:
 * symbolic links to their category folders. */
static int make_module_dir(void)
{
	char *link;
	int ret = 0;

	moddir = g_dir_make_tmp("xlnfs-subvols-XXXXXX", NULL);
	if (!moddir)
		return -1;
	link = g_build_filename(moddir, "storage", NULL);
	ret |= symlink(XLATOR_BUILD_DIR "/storage", link);
	g_free(link);
	link = g_build_filename(moddir, "test", NULL);
	ret |= symlink(TEST_MODULE_DIR "/test", link);
	g_free(link);
	return ret;
}

static int setup(void)
{
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.client;

	if (make_module_dir() < 0)
		return 1;
	if (xl_graph_load_text("subvols.vol", volfile, moddir, &graph) || xl_graph_init(graph))
		return 1;
	disk = graph->top->children[0];
	scratch = graph->top->children[1];
	allow_all = g_malloc0(sizeof(*allow_all) + sizeof(allow_all->items[0]));
	allow_all->count = 1;
	if (nfs_server_setup_for_test_subvols(&srv, graph->top, graph->top->children,
					      graph->top->nchildren, "/ scratch:/", allow_all))
		return 1;
	ex_disk = &srv.exports[0];
	ex_scratch = &srv.exports[1];
	prog = (struct rpcsvc_program){.name = "NFS3", .prog = 100003, .vers = 3,
				       .private = &srv};
	req = (struct rpcsvc_request){.prog = 100003, .vers = 3, .flavor = 1 /* AUTH_SYS */,
				      .protocol = IPPROTO_TCP, .program = &prog};
	sin->sin_family = AF_INET;
	sin->sin_port = htons(800);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	req.client_len = sizeof(*sin);
	return 0;
}

static int teardown(void)
{
	char *link;

	nfs_server_teardown_for_test(&srv);
	xl_graph_free(graph); /* finalizes it first */
	g_free(allow_all);
	if (moddir) {
		link = g_build_filename(moddir, "storage", NULL);
		g_unlink(link);
		g_free(link);
		link = g_build_filename(moddir, "test", NULL);
		g_unlink(link);
		g_free(link);
		g_rmdir(moddir);
		g_free(moddir);
	}
	return 0;
}

int main(void)
{
	CU_pSuite s;

	xl_log_set_level(XL_LOG_NONE);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("nfs/server over two subvolumes (memory + memory)", setup, teardown);
	CU_add_test(s, "exports name their subvolume, with their own ids and fsids",
		    test_exports_name_their_subvolume);
	CU_add_test(s, "files of one export are not in the other", test_trees_stay_apart);
	CU_add_test(s, "handles never resolve across subvolumes", test_handles_never_cross);
	CU_add_test(s, "SUBVOLUME:PATH errors", test_spec_errors);
	return cunit_run();
}

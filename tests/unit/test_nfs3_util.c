/*
 * test_nfs3_util.c — unit tests for the NFS3 actors' shared helpers
 * (xlators/nfs/server/nfs3_util.c) and READ's payload encoder (nfs3_io.c).
 *
 * -errno → nfsstat3, name checks, struct stat → fattr3 / wcc (with the
 * 32-bit fileid fold), sattr3 → struct xl_setattr, post_op_fh3, handle
 * resolution over a fake storage volume (bad handle, client refused,
 * squashing, stale object, references released), and the READ3res
 * encoder that leaves the data bytes to the reply payload.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <string.h>
#include <sys/sysmacros.h>

#include "nfs3.h"
#include "cunit_main.h"

/* ---------------------------------------------------------------- errno */

static void test_errno_map(void)
{
	static const struct {
		int err;
		nfsstat3 st;
	} map[] = {
		{ 0, NFS3_OK },
		{ EPERM, NFS3ERR_PERM },       { ENOENT, NFS3ERR_NOENT },
		{ EIO, NFS3ERR_IO },           { ENXIO, NFS3ERR_NXIO },
		{ EACCES, NFS3ERR_ACCES },     { EEXIST, NFS3ERR_EXIST },
		{ EXDEV, NFS3ERR_XDEV },       { ENODEV, NFS3ERR_NODEV },
		{ ENOTDIR, NFS3ERR_NOTDIR },   { EISDIR, NFS3ERR_ISDIR },
		{ EINVAL, NFS3ERR_INVAL },     { EFBIG, NFS3ERR_FBIG },
		{ ENOSPC, NFS3ERR_NOSPC },     { EROFS, NFS3ERR_ROFS },
		{ EMLINK, NFS3ERR_MLINK },     { ENAMETOOLONG, NFS3ERR_NAMETOOLONG },
		{ ENOTEMPTY, NFS3ERR_NOTEMPTY }, { EDQUOT, NFS3ERR_DQUOT },
		{ ESTALE, NFS3ERR_STALE },     { EBADF, NFS3ERR_BADHANDLE },
		{ ENOTSUP, NFS3ERR_NOTSUPP },  { EOPNOTSUPP, NFS3ERR_NOTSUPP },
		{ ENOSYS, NFS3ERR_NOTSUPP },   { ELOOP, NFS3ERR_INVAL },
		{ EAGAIN, NFS3ERR_JUKEBOX },   { ERANGE, NFS3ERR_IO },
		{ ENOMEM, NFS3ERR_IO },
	};

	for (size_t i = 0; i < sizeof(map) / sizeof(map[0]); i++) {
		CU_ASSERT_EQUAL(nfs3_errno_to_status(-map[i].err), map[i].st);
		CU_ASSERT_EQUAL(nfs3_errno_to_status(map[i].err), map[i].st);
	}
}

static void test_check_name(void)
{
	char name[300];

	CU_ASSERT_EQUAL(nfs3_check_name(NULL, false), NFS3ERR_ACCES);
	CU_ASSERT_EQUAL(nfs3_check_name("", false), NFS3ERR_ACCES);
	CU_ASSERT_EQUAL(nfs3_check_name("a/b", true), NFS3ERR_ACCES);
	CU_ASSERT_EQUAL(nfs3_check_name("/", false), NFS3ERR_ACCES);
	CU_ASSERT_EQUAL(nfs3_check_name("file", true), NFS3_OK);
	CU_ASSERT_EQUAL(nfs3_check_name(".", false), NFS3_OK);
	CU_ASSERT_EQUAL(nfs3_check_name("..", false), NFS3_OK);
	CU_ASSERT_EQUAL(nfs3_check_name(".", true), NFS3ERR_EXIST);
	CU_ASSERT_EQUAL(nfs3_check_name("..", true), NFS3ERR_EXIST);
	CU_ASSERT_EQUAL(nfs3_check_name("...", true), NFS3_OK);
	memset(name, 'x', sizeof(name));
	name[255] = '\0';
	CU_ASSERT_EQUAL(nfs3_check_name(name, true), NFS3_OK);
	name[255] = 'x';
	name[256] = '\0';
	CU_ASSERT_EQUAL(nfs3_check_name(name, true), NFS3ERR_NAMETOOLONG);
}

/* ---------------------------------------------------------------- attributes */

static struct stat util_stat(void)
{
	struct stat st;

	memset(&st, 0, sizeof(st));
	st.st_mode = S_IFCHR | 04755;
	st.st_nlink = 3;
	st.st_uid = 1000;
	st.st_gid = 100;
	st.st_size = 12345;
	st.st_blocks = 3;
	st.st_rdev = makedev(4, 65);
	st.st_dev = 0x801;
	st.st_ino = 0x123456789ull;
	st.st_atim.tv_sec = 1000;
	st.st_atim.tv_nsec = 1;
	st.st_mtim.tv_sec = 2000;
	st.st_mtim.tv_nsec = 2;
	st.st_ctim.tv_sec = 3000;
	st.st_ctim.tv_nsec = 999999999;
	return st;
}

static void test_fattr(void)
{
	struct nfs_server srv;
	struct stat st = util_stat();
	fattr3 fa;

	memset(&srv, 0, sizeof(srv));
	nfs3_fattr_from_stat(&srv, &st, &fa);
	CU_ASSERT_EQUAL(fa.type, NF3CHR);
	CU_ASSERT_EQUAL(fa.mode, 04755);
	CU_ASSERT_EQUAL(fa.nlink, 3);
	CU_ASSERT_EQUAL(fa.uid, 1000);
	CU_ASSERT_EQUAL(fa.gid, 100);
	CU_ASSERT_EQUAL(fa.size, 12345);
	CU_ASSERT_EQUAL(fa.used, 3 * 512);
	CU_ASSERT_EQUAL(fa.rdev.specdata1, 4);
	CU_ASSERT_EQUAL(fa.rdev.specdata2, 65);
	CU_ASSERT_EQUAL(fa.fsid, 0x801);
	CU_ASSERT_EQUAL(fa.fileid, 0x123456789ull);
	CU_ASSERT_EQUAL(fa.atime.seconds, 1000);
	CU_ASSERT_EQUAL(fa.atime.nseconds, 1);
	CU_ASSERT_EQUAL(fa.mtime.seconds, 2000);
	CU_ASSERT_EQUAL(fa.mtime.nseconds, 2);
	CU_ASSERT_EQUAL(fa.ctime.seconds, 3000);
	CU_ASSERT_EQUAL(fa.ctime.nseconds, 999999999);

	/* Folded fileids fit 32 bits and still tell 2^32 apart from 1. */
	srv.fileid_32bit = true;
	nfs3_fattr_from_stat(&srv, &st, &fa);
	CU_ASSERT_EQUAL(fa.fileid, 0x23456789ull ^ 0x1);
	st.st_ino = 1ull << 32;
	nfs3_fattr_from_stat(&srv, &st, &fa);
	CU_ASSERT(fa.fileid <= UINT32_MAX);
	CU_ASSERT_NOT_EQUAL(fa.fileid, 0);
	st.st_ino = 77;
	nfs3_fattr_from_stat(&srv, &st, &fa);
	CU_ASSERT_EQUAL(fa.fileid, 77);

	static const struct {
		mode_t mode;
		ftype3 type;
	} types[] = {
		{ S_IFREG, NF3REG }, { S_IFDIR, NF3DIR },   { S_IFBLK, NF3BLK },
		{ S_IFCHR, NF3CHR }, { S_IFLNK, NF3LNK },   { S_IFSOCK, NF3SOCK },
		{ S_IFIFO, NF3FIFO },
	};
	for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++) {
		st.st_mode = types[i].mode | 0640;
		nfs3_fattr_from_stat(&srv, &st, &fa);
		CU_ASSERT_EQUAL(fa.type, types[i].type);
		CU_ASSERT_EQUAL(fa.mode, 0640);
		if (!S_ISCHR(types[i].mode) && !S_ISBLK(types[i].mode))
			CU_ASSERT_EQUAL(fa.rdev.specdata1, 0);
	}
}

static void test_wcc(void)
{
	struct stat st = util_stat();
	pre_op_attr pre;
	post_op_attr post;

	nfs3_pre_op_from_stat(&st, &pre);
	CU_ASSERT_TRUE(pre.attributes_follow);
	CU_ASSERT_EQUAL(pre.pre_op_attr_u.attributes.size, 12345);
	CU_ASSERT_EQUAL(pre.pre_op_attr_u.attributes.mtime.seconds, 2000);
	CU_ASSERT_EQUAL(pre.pre_op_attr_u.attributes.ctime.nseconds, 999999999);
	nfs3_post_op_from_stat(NULL, &st, &post);
	CU_ASSERT_TRUE(post.attributes_follow);
	CU_ASSERT_EQUAL(post.post_op_attr_u.attributes.fileid, 0x123456789ull);
}

static void test_sattr(void)
{
	sattr3 sa;
	struct xl_setattr out;

	memset(&sa, 0, sizeof(sa));
	nfs3_setattr_from_sattr(&sa, &out);
	CU_ASSERT_EQUAL(out.valid, 0);

	sa.mode.set_it = TRUE;
	sa.mode.set_mode3_u.mode = 0177777;
	sa.uid.set_it = TRUE;
	sa.uid.set_uid3_u.uid = 11;
	sa.gid.set_it = TRUE;
	sa.gid.set_gid3_u.gid = 12;
	sa.size.set_it = TRUE;
	sa.size.set_size3_u.size = 1ull << 40;
	sa.atime.set_it = SET_TO_CLIENT_TIME;
	sa.atime.set_atime_u.atime.seconds = 77;
	sa.atime.set_atime_u.atime.nseconds = 88;
	sa.mtime.set_it = SET_TO_SERVER_TIME;
	nfs3_setattr_from_sattr(&sa, &out);
	CU_ASSERT_EQUAL(out.valid, XL_SET_MODE | XL_SET_UID | XL_SET_GID | XL_SET_SIZE |
					   XL_SET_ATIME | XL_SET_MTIME_NOW);
	CU_ASSERT_EQUAL(out.mode, 07777);
	CU_ASSERT_EQUAL(out.uid, 11);
	CU_ASSERT_EQUAL(out.gid, 12);
	CU_ASSERT_EQUAL(out.size, 1ull << 40);
	CU_ASSERT_EQUAL(out.atime.tv_sec, 77);
	CU_ASSERT_EQUAL(out.atime.tv_nsec, 88);

	memset(&sa, 0, sizeof(sa));
	sa.atime.set_it = SET_TO_SERVER_TIME;
	sa.mtime.set_it = SET_TO_CLIENT_TIME;
	sa.mtime.set_mtime_u.mtime.seconds = 5;
	nfs3_setattr_from_sattr(&sa, &out);
	CU_ASSERT_EQUAL(out.valid, XL_SET_ATIME_NOW | XL_SET_MTIME);
	CU_ASSERT_EQUAL(out.mtime.tv_sec, 5);
}

/* ---------------------------------------------------------------- resolve */

/* A fake storage volume holding the objects named in util_live. */
static const char *const util_live[] = { "root", "file" };
static struct nfs_server util_srv;
static struct xl util_top, util_child;
static struct xl_graph util_graph;
static struct rpcsvc_program util_prog;
static struct xl_call util_seen;   /* credentials the last getattr ran with */
static struct util_conf {
	struct xl_addrlist *all;       /* "*": the global rpc-auth.allow */
} util_conf;
static const struct xl_option util_opts[] = {
	{ .key = "rpc-auth.allow", .type = XL_OPT_ADDRLIST,
	  .offset = offsetof(struct util_conf, all) },
	{ NULL },
};

static int fake_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			struct stat *st)
{
	const struct xl_gfid *g = xl_inode_gfid(inode);

	util_seen = *call;
	for (size_t i = 0; i < sizeof(util_live) / sizeof(util_live[0]); i++) {
		if (strlen(util_live[i]) == g->len && !memcmp(util_live[i], g->bytes, g->len)) {
			memset(st, 0, sizeof(*st));
			st->st_mode = (i == 0 ? S_IFDIR : S_IFREG) | 0644;
			st->st_ino = i + 100;
			return 0;
		}
	}
	return -ESTALE;
}

static const struct xl_fops fake_fops = { .getattr = fake_getattr };
static const struct xl_module fake_module = {
	.abi = XL_ABI_VERSION, .type = "test/fake", .fops = &fake_fops,
};

static int util_setup(void)
{
	struct nfs_export d = { .root_squash = true, .anonuid = 65534, .anongid = 65533 };
	char *msg = NULL;

	if (xl_option_parse(&util_opts[0], "*", &util_conf, &msg) < 0)
		return -1;
	d.clients = util_conf.all;
	util_graph.itable = xl_inode_table_new(&util_graph, 0);
	util_child.name = (char *)"fake";
	util_child.module = &fake_module;
	util_child.graph = &util_graph;
	util_top.name = (char *)"server";
	util_top.graph = &util_graph;
	util_srv.xl = &util_top;
	util_srv.child = &util_child;
	for (size_t i = 0; i < sizeof(util_srv.secret); i++)
		util_srv.secret[i] = (uint8_t)(i * 13 + 1);
	if (nfs_exports_parse("/ /lan(allow=10.0.0.0/8,no-root-squash)", &d, &util_srv.exports,
			      &util_srv.nexports, &msg) < 0)
		return -1;
	util_prog.private = &util_srv;
	return 0;
}

static int util_teardown(void)
{
	nfs_exports_free(util_srv.exports, util_srv.nexports, util_conf.all);
	xl_options_free(util_opts, &util_conf);
	xl_inode_table_free(util_graph.itable);
	return 0;
}

static struct rpcsvc_request util_req(const char *addr, uid_t uid)
{
	struct rpcsvc_request req;
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.call.client;

	memset(&req, 0, sizeof(req));
	req.program = &util_prog;
	req.flavor = AUTH_SYS; /* AUTH_NONE callers are the export's anonymous user */
	req.call.uid = uid;
	req.call.gid = uid;
	req.call.ngroups = 1;
	req.call.groups[0] = 0;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	req.call.client_len = sizeof(*sin);
	return req;
}

/* The wire handle of object @id in export @x (owned by the caller). */
static nfs_fh3 util_fh(size_t x, const char *id, struct nfs_fh *buf)
{
	struct xl_gfid g;
	nfs_fh3 fh;

	g.len = (uint8_t)strlen(id);
	memcpy(g.bytes, id, g.len);
	nfs_fh_build(&util_srv, &util_srv.exports[x], &g, buf);
	fh.data.data_len = buf->len;
	fh.data.data_val = (char *)buf->data;
	return fh;
}

static void test_resolve(void)
{
	struct rpcsvc_request req = util_req("10.1.2.3", 0);
	struct xl_inode_stats stats;
	struct nfs3_obj obj;
	struct xl_call call;
	struct nfs_fh buf;
	nfs_fh3 fh;

	CU_ASSERT_PTR_EQUAL(nfs3_server(&req), &util_srv);

	/* Export "/" squashes root, and the fop runs with squashed ids. */
	fh = util_fh(0, "file", &buf);
	CU_ASSERT_EQUAL_FATAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3_OK);
	CU_ASSERT_PTR_EQUAL(obj.export, &util_srv.exports[0]);
	CU_ASSERT_PTR_NOT_NULL(obj.inode);
	CU_ASSERT(S_ISREG(obj.st.st_mode));
	CU_ASSERT_EQUAL(obj.st.st_ino, 101);
	CU_ASSERT_EQUAL(call.uid, 65534);
	CU_ASSERT_EQUAL(call.gid, 65533);
	CU_ASSERT_EQUAL(call.groups[0], 65533);
	CU_ASSERT_EQUAL(util_seen.uid, 65534);
	CU_ASSERT_EQUAL(req.call.uid, 0);  /* the request itself is untouched */
	nfs3_obj_release(&obj);
	CU_ASSERT_PTR_NULL(obj.inode);

	/* Export "/lan" does not squash and admits 10/8 only. */
	fh = util_fh(1, "root", &buf);
	CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3_OK);
	CU_ASSERT_EQUAL(call.uid, 0);
	CU_ASSERT(S_ISDIR(obj.st.st_mode));
	nfs3_obj_release(&obj);
	req = util_req("192.168.0.1", 0);
	CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3ERR_ACCES);
	CU_ASSERT_PTR_NULL(obj.inode);

	/* A handle that no longer names anything. */
	fh = util_fh(0, "gone", &buf);
	CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3ERR_STALE);
	CU_ASSERT_PTR_NULL(obj.inode);

	/* A damaged handle. */
	fh = util_fh(0, "file", &buf);
	buf.data[buf.len - 1] ^= 1;
	CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3ERR_BADHANDLE);
	fh.data.data_len = 0;
	CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3ERR_BADHANDLE);

	xl_inode_table_stats(util_graph.itable, &stats);
	CU_ASSERT_EQUAL(stats.active, 0);
}

static void test_post_op(void)
{
	struct rpcsvc_request req = util_req("10.1.2.3", 1000);
	const struct nfs_export *e = NULL;
	struct nfs3_obj obj;
	struct xl_call call;
	struct nfs_fh buf;
	struct xl_gfid g;
	post_op_fh3 pfh;
	post_op_attr poa;
	wcc_data wcc;
	struct stat pre = util_stat();
	nfs_fh3 fh = util_fh(1, "file", &buf);

	CU_ASSERT_EQUAL_FATAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3_OK);
	nfs3_post_op_fh(&util_srv, obj.export, obj.inode, &pfh);
	CU_ASSERT_TRUE(pfh.handle_follows);
	CU_ASSERT_EQUAL(nfs_fh_parse(&util_srv, (uint8_t *)pfh.post_op_fh3_u.handle.data.data_val,
				     pfh.post_op_fh3_u.handle.data.data_len, &e, &g), 0);
	CU_ASSERT_PTR_EQUAL(e, &util_srv.exports[1]);
	CU_ASSERT(xl_gfid_equal(&g, xl_inode_gfid(obj.inode)));
	/* The service frees results with xdr_free: this must be clean. */
	xdr_free((xdrproc_t)xdr_post_op_fh3, (char *)&pfh);

	nfs3_post_op_fh(&util_srv, obj.export, NULL, &pfh);
	CU_ASSERT_FALSE(pfh.handle_follows);

	nfs3_post_op_fetch(&util_srv, &call, obj.inode, &poa);
	CU_ASSERT_TRUE(poa.attributes_follow);
	CU_ASSERT_EQUAL(poa.post_op_attr_u.attributes.fileid, 101);

	nfs3_wcc_fill(&util_srv, &call, obj.inode, &pre, &wcc);
	CU_ASSERT_TRUE(wcc.before.attributes_follow);
	CU_ASSERT_EQUAL(wcc.before.pre_op_attr_u.attributes.size, 12345);
	CU_ASSERT_TRUE(wcc.after.attributes_follow);
	nfs3_wcc_fill(&util_srv, &call, obj.inode, NULL, &wcc);
	CU_ASSERT_FALSE(wcc.before.attributes_follow);
	nfs3_obj_release(&obj);

	/* Attributes of an object that went away: none, no error. */
	{
		struct xl_gfid gone = { .len = 4, .bytes = "gone" };
		struct xl_inode *in = xl_inode_get(util_graph.itable, &gone);

		nfs3_post_op_fetch(&util_srv, &call, in, &poa);
		CU_ASSERT_FALSE(poa.attributes_follow);
		xl_inode_unref(in);
	}
	CU_ASSERT_EQUAL(nfs3_check_writable(&util_srv.exports[0]), NFS3_OK);
	util_srv.exports[0].read_only = true;
	CU_ASSERT_EQUAL(nfs3_check_writable(&util_srv.exports[0]), NFS3ERR_ROFS);
	util_srv.exports[0].read_only = false;
}

/* ---------------------------------------------------------------- READ encoder */

static size_t util_encode(xdrproc_t proc, void *obj, char *buf, size_t size)
{
	XDR x;
	size_t n;

	xdrmem_create(&x, buf, (u_int)size, XDR_ENCODE);
	CU_ASSERT_TRUE(proc(&x, obj));
	n = xdr_getpos(&x);
	xdr_destroy(&x);
	return n;
}

static void test_read_encoder(void)
{
	char full[512], ours[512];
	struct stat st = util_stat();
	READ3res res;
	size_t nfull, nours;

	memset(&res, 0, sizeof(res));
	res.status = NFS3_OK;
	nfs3_post_op_from_stat(NULL, &st, &res.READ3res_u.resok.file_attributes);
	res.READ3res_u.resok.count = 5;
	res.READ3res_u.resok.eof = TRUE;
	res.READ3res_u.resok.data.data_len = 5;
	res.READ3res_u.resok.data.data_val = (char *)"hello";
	nfull = util_encode((xdrproc_t)xdr_READ3res, &res, full, sizeof(full));
	nours = util_encode((xdrproc_t)nfs3_xdr_READ3res_payload, &res, ours, sizeof(ours));
	/* Everything up to and including the length word; the 5 bytes and
	 * their 3 bytes of padding are the payload's. */
	CU_ASSERT_EQUAL(nours, nfull - 8);
	CU_ASSERT_EQUAL(memcmp(full, ours, nours), 0);
	CU_ASSERT_EQUAL(memcmp(full + nours, "hello", 5), 0);

	/* Errors encode exactly as rpcgen's routine does. */
	memset(&res, 0, sizeof(res));
	res.status = NFS3ERR_ISDIR;
	nfs3_post_op_from_stat(NULL, &st, &res.READ3res_u.resfail.file_attributes);
	nfull = util_encode((xdrproc_t)xdr_READ3res, &res, full, sizeof(full));
	nours = util_encode((xdrproc_t)nfs3_xdr_READ3res_payload, &res, ours, sizeof(ours));
	CU_ASSERT_EQUAL(nours, nfull);
	CU_ASSERT_EQUAL(memcmp(full, ours, nours), 0);

	/* Freeing a result whose bytes went out as payload frees nothing. */
	memset(&res, 0, sizeof(res));
	res.status = NFS3_OK;
	res.READ3res_u.resok.data.data_len = 5;
	xdr_free((xdrproc_t)nfs3_xdr_READ3res_payload, (char *)&res);
}

int main(void)
{
	CU_pSuite s, r;

	xl_log_set_level(XL_LOG_ERROR);  /* the errno test logs warnings on purpose */
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("nfs3_util", NULL, NULL);
	r = CU_add_suite("nfs3_resolve", util_setup, util_teardown);
	if (!s || !r || !CU_add_test(s, "errno map", test_errno_map) ||
	    !CU_add_test(s, "check name", test_check_name) ||
	    !CU_add_test(s, "fattr3", test_fattr) || !CU_add_test(s, "wcc", test_wcc) ||
	    !CU_add_test(s, "sattr3", test_sattr) ||
	    !CU_add_test(s, "READ encoder", test_read_encoder) ||
	    !CU_add_test(r, "resolve", test_resolve) ||
	    !CU_add_test(r, "post-op", test_post_op)) {
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run();
}

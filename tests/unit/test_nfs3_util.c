/*
 * test_nfs3_util.c — unit tests for the NFS3 actors' shared helpers
 * (xlators/nfs/server/nfs3_util.c) and READ's payload encoder (nfs3_io.c).
 *
 * -errno → nfsstat3, name checks, struct xl_iatt → fattr3 / wcc (valid
 * bits checked, the export's fsid, the 32-bit fileid fold), sattr3 →
 * struct xl_setattr, post_op_fh3, handle resolution by id over a fake
 * storage volume (bad handle, old handle stale, client refused,
 * squashing, stale object, references released), the READ3res encoder
 * that leaves the data bytes to the reply payload, and, through the real
 * RPC service on loopback, WRITE data handed to the graph as a slice of
 * the received record and READ replies sent from storage's buffer.
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

static struct xl_iatt util_stat(void)
{
	struct xl_iatt st;

	memset(&st, 0, sizeof(st));
	st.valid = XL_IATT_ALL;
	st.mode = S_IFCHR | 04755;
	st.nlink = 3;
	st.uid = 1000;
	st.gid = 100;
	st.size = 12345;
	st.used = 3 * 512;
	st.rdev = makedev(4, 65);
	st.fsid = 0x801;
	st.ino = 0x123456789ull;
	st.atime.tv_sec = 1000;
	st.atime.tv_nsec = 1;
	st.mtime.tv_sec = 2000;
	st.mtime.tv_nsec = 2;
	st.ctime.tv_sec = 3000;
	st.ctime.tv_nsec = 999999999;
	return st;
}

static void test_fattr(void)
{
	struct nfs_server srv;
	struct nfs_export e = { .id = 0x2a0c975e, .fsid = nfs_export_fsid(0x2a0c975e) };
	struct xl_iatt st = util_stat();
	fattr3 fa;

	memset(&srv, 0, sizeof(srv));
	CU_ASSERT_TRUE(nfs3_fattr_from_iatt(&srv, NULL, &st, &fa));
	CU_ASSERT_EQUAL(fa.type, NF3CHR);
	CU_ASSERT_EQUAL(fa.mode, 04755);
	CU_ASSERT_EQUAL(fa.nlink, 3);
	CU_ASSERT_EQUAL(fa.uid, 1000);
	CU_ASSERT_EQUAL(fa.gid, 100);
	CU_ASSERT_EQUAL(fa.size, 12345);
	CU_ASSERT_EQUAL(fa.used, 3 * 512);
	CU_ASSERT_EQUAL(fa.rdev.specdata1, 4);
	CU_ASSERT_EQUAL(fa.rdev.specdata2, 65);
	CU_ASSERT_EQUAL(fa.fsid, 0x801); /* no export: storage's */
	CU_ASSERT_EQUAL(fa.fileid, 0x123456789ull);
	CU_ASSERT_EQUAL(fa.atime.seconds, 1000);
	CU_ASSERT_EQUAL(fa.atime.nseconds, 1);
	CU_ASSERT_EQUAL(fa.mtime.seconds, 2000);
	CU_ASSERT_EQUAL(fa.mtime.nseconds, 2);
	CU_ASSERT_EQUAL(fa.ctime.seconds, 3000);
	CU_ASSERT_EQUAL(fa.ctime.nseconds, 999999999);

	/* Through an export the fsid is the export's, whatever storage's
	 * st_dev: a store moved to another disk keeps it. */
	CU_ASSERT_TRUE(nfs3_fattr_from_iatt(&srv, &e, &st, &fa));
	CU_ASSERT_EQUAL(fa.fsid, nfs_export_fsid(0x2a0c975e));
	st.fsid = 0x802;
	CU_ASSERT_TRUE(nfs3_fattr_from_iatt(&srv, &e, &st, &fa));
	CU_ASSERT_EQUAL(fa.fsid, nfs_export_fsid(0x2a0c975e));
	CU_ASSERT_NOT_EQUAL(nfs_export_fsid(1), nfs_export_fsid(2));

	/* Attributes storage did not give are never invented. */
	st.valid = XL_IATT_ALL & ~XL_IATT_NLINK;
	CU_ASSERT_FALSE(nfs3_fattr_from_iatt(&srv, &e, &st, &fa));
	st.valid = XL_IATT_ALL & ~XL_IATT_RDEV; /* a device needs its number */
	CU_ASSERT_FALSE(nfs3_fattr_from_iatt(&srv, &e, &st, &fa));
	st.mode = S_IFREG | 0644; /* a file does not */
	CU_ASSERT_TRUE(nfs3_fattr_from_iatt(&srv, &e, &st, &fa));
	st.valid = XL_IATT_ALL & ~(XL_IATT_ID | XL_IATT_FSID | XL_IATT_RDEV);
	CU_ASSERT_TRUE(nfs3_fattr_from_iatt(&srv, &e, &st, &fa));
	CU_ASSERT_FALSE(nfs3_fattr_from_iatt(&srv, &e, NULL, &fa));
	st = util_stat();

	/* Folded fileids fit 32 bits and still tell 2^32 apart from 1. */
	srv.fileid_32bit = true;
	nfs3_fattr_from_iatt(&srv, NULL, &st, &fa);
	CU_ASSERT_EQUAL(fa.fileid, 0x23456789ull ^ 0x1);
	CU_ASSERT_EQUAL(nfs3_fileid(&srv, 0x123456789ull), fa.fileid);
	st.ino = 1ull << 32;
	nfs3_fattr_from_iatt(&srv, NULL, &st, &fa);
	CU_ASSERT(fa.fileid <= UINT32_MAX);
	CU_ASSERT_NOT_EQUAL(fa.fileid, 0);
	st.ino = 77;
	nfs3_fattr_from_iatt(&srv, NULL, &st, &fa);
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
		st.mode = types[i].mode | 0640;
		nfs3_fattr_from_iatt(&srv, NULL, &st, &fa);
		CU_ASSERT_EQUAL(fa.type, types[i].type);
		CU_ASSERT_EQUAL(fa.mode, 0640);
		if (!S_ISCHR(types[i].mode) && !S_ISBLK(types[i].mode))
			CU_ASSERT_EQUAL(fa.rdev.specdata1, 0);
	}
}

static void test_wcc(void)
{
	struct xl_iatt st = util_stat();
	struct xl_wcc w = { .pre = util_stat(), .post = util_stat() };
	pre_op_attr pre;
	post_op_attr post;
	wcc_data wcc;

	nfs3_pre_op_from_iatt(&st, &pre);
	CU_ASSERT_TRUE(pre.attributes_follow);
	CU_ASSERT_EQUAL(pre.pre_op_attr_u.attributes.size, 12345);
	CU_ASSERT_EQUAL(pre.pre_op_attr_u.attributes.mtime.seconds, 2000);
	CU_ASSERT_EQUAL(pre.pre_op_attr_u.attributes.ctime.nseconds, 999999999);
	st.valid = XL_IATT_WCC & ~XL_IATT_CTIME;
	nfs3_pre_op_from_iatt(&st, &pre);
	CU_ASSERT_FALSE(pre.attributes_follow);
	nfs3_pre_op_from_iatt(NULL, &pre);
	CU_ASSERT_FALSE(pre.attributes_follow);
	st = util_stat();
	nfs3_post_op_from_iatt(NULL, NULL, &st, &post);
	CU_ASSERT_TRUE(post.attributes_follow);
	CU_ASSERT_EQUAL(post.post_op_attr_u.attributes.fileid, 0x123456789ull);

	/* Straight from the fop: pre is storage's before, post its after. */
	w.pre.size = 10;
	w.post.size = 20;
	nfs3_wcc_from_xl(NULL, NULL, &w, &wcc);
	CU_ASSERT_TRUE(wcc.before.attributes_follow);
	CU_ASSERT_EQUAL(wcc.before.pre_op_attr_u.attributes.size, 10);
	CU_ASSERT_TRUE(wcc.after.attributes_follow);
	CU_ASSERT_EQUAL(wcc.after.post_op_attr_u.attributes.size, 20);
	w.pre.valid = 0; /* storage could not take them */
	nfs3_wcc_from_xl(NULL, NULL, &w, &wcc);
	CU_ASSERT_FALSE(wcc.before.attributes_follow);
	CU_ASSERT_TRUE(wcc.after.attributes_follow);
	nfs3_wcc_from_xl(NULL, NULL, NULL, &wcc);
	CU_ASSERT_FALSE(wcc.before.attributes_follow);
	CU_ASSERT_FALSE(wcc.after.attributes_follow);
	nfs3_wcc_unchanged(NULL, NULL, &st, &wcc);
	CU_ASSERT_TRUE(wcc.before.attributes_follow);
	CU_ASSERT_EQUAL(wcc.before.pre_op_attr_u.attributes.size,
			wcc.after.post_op_attr_u.attributes.size);
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
static struct xl_call util_seen;   /* credentials the last fop ran with */
static unsigned util_resolves, util_getattrs;
static struct util_conf {
	struct xl_addrlist *all;       /* "*": the global rpc-auth.allow */
} util_conf;
static const struct xl_option util_opts[] = {
	{ .key = "rpc-auth.allow", .type = XL_OPT_ADDRLIST,
	  .offset = offsetof(struct util_conf, all) },
	{ NULL },
};

/* The id of the object named @name: its bytes, zero-padded. */
static struct xl_id util_id(const char *name)
{
	struct xl_id id;

	memset(&id, 0, sizeof(id));
	memcpy(id.bytes, name, strlen(name));
	return id;
}

static int fake_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			struct xl_iatt *attr)
{
	const struct xl_id *id = xl_inode_id(inode);

	util_seen = *call;
	util_getattrs++;
	for (size_t i = 0; i < sizeof(util_live) / sizeof(util_live[0]); i++) {
		struct xl_id live = util_id(util_live[i]);

		if (xl_id_equal(&live, id)) {
			memset(attr, 0, sizeof(*attr));
			attr->valid = XL_IATT_ALL;
			attr->id = live;
			attr->mode = (i == 0 ? S_IFDIR : S_IFREG) | 0644;
			attr->ino = i + 100;
			return 0;
		}
	}
	return -ESTALE;
}

static int fake_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			struct xl_iatt *attr)
{
	struct xl_iatt ia;
	int ret;

	util_resolves++;
	ret = fake_getattr(xl, call, inode, &ia);
	if (ret == 0 && attr)
		*attr = ia;
	return ret;
}

/* What the last write fop was handed, and a reference it kept on it. */
static struct xl_data util_written;
static size_t util_written_iob_size;
/* The buffer the read fop answers from (its own reference). */
static struct xl_iobuf *util_readbuf;

static int fake_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		      const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc)
{
	xl_data_release(&util_written);
	/* Kept past the call, as write-behind would: its own reference. */
	util_written.iobuf = xl_iobuf_ref(data->iobuf);
	util_written.ptr = data->ptr;
	util_written.len = data->len;
	util_written_iob_size = data->iobuf ? data->iobuf->size : 0;
	*stable = XL_FILE_SYNC;
	return (int)data->len;
}

static int fake_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		     size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr)
{
	size_t n = off >= util_readbuf->size ? 0 : util_readbuf->size - off;

	if (n > len)
		n = len;
	out->iobuf = xl_iobuf_ref(util_readbuf);
	out->ptr = util_readbuf->data + off;
	out->len = n;
	*eof = off + n >= util_readbuf->size;
	return fake_getattr(xl, call, inode, attr) < 0 ? -ESTALE : (int)n;
}

static const struct xl_fops fake_fops = {
	.getattr = fake_getattr,
	.resolve = fake_resolve,
	.read = fake_read,
	.write = fake_write,
};
static const struct xl_module fake_module = {
	.abi = XL_ABI_VERSION, .type = "test/fake", .fops = &fake_fops,
};

static int util_setup(void)
{
	struct nfs_export d = { .root_squash = true, .anonuid = 65534, .anongid = 65533 };
	struct xl *children = &util_child;
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
	g_mutex_init(&util_srv.lock);
	for (size_t i = 0; i < sizeof(util_srv.secret); i++)
		util_srv.secret[i] = (uint8_t)(i * 13 + 1);
	if (nfs_exports_parse("/ /lan(allow=10.0.0.0/8,no-root-squash)", &d, &util_srv.exports,
			      &util_srv.nexports, &msg) < 0)
		return -1;
	if (nfs_exports_bind(util_srv.exports, util_srv.nexports, &children, 1, &msg) < 0)
		return -1;
	util_prog.private = &util_srv;
	return 0;
}

static int util_teardown(void)
{
	nfs_exports_free(util_srv.exports, util_srv.nexports, util_conf.all);
	xl_options_free(util_opts, &util_conf);
	xl_inode_table_free(util_graph.itable);
	g_mutex_clear(&util_srv.lock);
	return 0;
}

static struct rpcsvc_request util_req(const char *addr, uid_t uid)
{
	struct rpcsvc_request req;
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.client;

	memset(&req, 0, sizeof(req));
	req.program = &util_prog;
	req.flavor = AUTH_SYS; /* AUTH_NONE callers are the export's anonymous user */
	req.cred.uid = uid;
	req.cred.gid = uid;
	req.cred.ngroups = 1;
	req.cred.groups[0] = 0;
	sin->sin_family = AF_INET;
	inet_pton(AF_INET, addr, &sin->sin_addr);
	req.client_len = sizeof(*sin);
	return req;
}

/* The wire handle of object @name in export @x (owned by the caller). */
static nfs_fh3 util_fh(size_t x, const char *name, struct nfs_fh *buf)
{
	struct xl_id id = util_id(name);
	nfs_fh3 fh;

	nfs_fh_build(&util_srv, &util_srv.exports[x], &id, buf);
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
	util_resolves = 0;
	CU_ASSERT_EQUAL_FATAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3_OK);
	CU_ASSERT_EQUAL(util_resolves, 1); /* not cached: found by id */
	CU_ASSERT_PTR_EQUAL(obj.export, &util_srv.exports[0]);
	CU_ASSERT_PTR_NOT_NULL(obj.inode);
	CU_ASSERT(S_ISREG(obj.attr.mode));
	CU_ASSERT_EQUAL(obj.attr.ino, 101);
	{
		struct xl_id want = util_id("file");

		CU_ASSERT(xl_id_equal(xl_inode_id(obj.inode), &want));
	}
	CU_ASSERT_EQUAL(call.cred.uid, 65534);
	CU_ASSERT_EQUAL(call.cred.gid, 65533);
	CU_ASSERT_EQUAL(call.cred.groups[0], 65533);
	CU_ASSERT_EQUAL(call.client.ss_family, AF_INET);
	CU_ASSERT_EQUAL(util_seen.cred.uid, 65534);
	CU_ASSERT_EQUAL(req.cred.uid, 0); /* the request itself is untouched */
	/* While it is held, a second resolution takes the cached inode. */
	{
		struct nfs3_obj again;

		util_resolves = 0;
		util_getattrs = 0;
		CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &again), NFS3_OK);
		CU_ASSERT_PTR_EQUAL(again.inode, obj.inode);
		CU_ASSERT_EQUAL(util_resolves, 0);
		CU_ASSERT_EQUAL(util_getattrs, 1); /* the attributes */
		nfs3_obj_release(&again);
	}
	nfs3_obj_release(&obj);
	CU_ASSERT_PTR_NULL(obj.inode);

	/* Export "/lan" does not squash and admits 10/8 only. */
	fh = util_fh(1, "root", &buf);
	CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3_OK);
	CU_ASSERT_EQUAL(call.cred.uid, 0);
	CU_ASSERT(S_ISDIR(obj.attr.mode));
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

	/* A handle from before ids (version 1, its MAC intact): stale. */
	{
		uint8_t v1[6 + 8 + 16], digest[32];
		gsize dlen = sizeof(digest);
		uint32_t eid = util_srv.exports[0].id;
		GHmac *h = g_hmac_new(G_CHECKSUM_SHA256, util_srv.secret, sizeof(util_srv.secret));

		memset(v1, 7, sizeof(v1));
		v1[0] = 1;
		v1[1] = 8;
		v1[2] = (uint8_t)(eid >> 24);
		v1[3] = (uint8_t)(eid >> 16);
		v1[4] = (uint8_t)(eid >> 8);
		v1[5] = (uint8_t)eid;
		g_hmac_update(h, v1, 14);
		g_hmac_get_digest(h, digest, &dlen);
		g_hmac_unref(h);
		memcpy(v1 + 14, digest, 16);
		fh.data.data_len = sizeof(v1);
		fh.data.data_val = (char *)v1;
		req = util_req("10.1.2.3", 0);
		CU_ASSERT_EQUAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3ERR_STALE);
		CU_ASSERT_PTR_NULL(obj.inode);
	}

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
	struct xl_id g;
	post_op_fh3 pfh;
	nfs_fh3 fh = util_fh(1, "file", &buf);

	CU_ASSERT_EQUAL_FATAL(nfs3_resolve(&req, &fh, &call, &obj), NFS3_OK);
	nfs3_post_op_fh(&util_srv, obj.export, xl_inode_id(obj.inode), &pfh);
	CU_ASSERT_TRUE(pfh.handle_follows);
	CU_ASSERT_EQUAL(nfs_fh_parse(&util_srv, (uint8_t *)pfh.post_op_fh3_u.handle.data.data_val,
				     pfh.post_op_fh3_u.handle.data.data_len, &e, &g), 0);
	CU_ASSERT_PTR_EQUAL(e, &util_srv.exports[1]);
	CU_ASSERT(xl_id_equal(&g, xl_inode_id(obj.inode)));
	/* The service frees results with xdr_free: this must be clean. */
	xdr_free((xdrproc_t)xdr_post_op_fh3, (char *)&pfh);

	nfs3_post_op_fh(&util_srv, obj.export, NULL, &pfh);
	CU_ASSERT_FALSE(pfh.handle_follows);
	memset(&g, 0, sizeof(g));
	nfs3_post_op_fh(&util_srv, obj.export, &g, &pfh); /* the null id: none */
	CU_ASSERT_FALSE(pfh.handle_follows);
	nfs3_obj_release(&obj);

	CU_ASSERT_EQUAL(nfs3_check_writable(&util_srv.exports[0]), NFS3_OK);
	util_srv.exports[0].read_only = true;
	CU_ASSERT_EQUAL(nfs3_check_writable(&util_srv.exports[0]), NFS3ERR_ROFS);
	util_srv.exports[0].read_only = false;
}

/* ---------------------------------------------------------------- zero copy */

/* A client of the NFS3 program served on 127.0.0.1:@port. */
static CLIENT *util_client(uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };
	int sock = RPC_ANYSOCK;

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return clnttcp_create(&sin, NFS_PROGRAM, NFS_V3, &sock, 0, 0);
}

/*
 * Through the real RPC service: WRITE's data reaches the write fop as a
 * slice of the record the call was received into (not a copy: the slice
 * starts past the call header, in a buffer holding the whole call), and
 * the fop may keep a reference after the reply; READ's reply is sent
 * from the buffer the read fop returned, whose reference the service
 * drops once sent.
 */
static void test_zero_copy(void)
{
	struct rpcsvc_config cfg = {
		.listen = "127.0.0.1", .tcp = true, .threads = 2, .max_record = 1024 * 1024,
		.register_rpcbind = false, .drain_ms = 2000, .drc_off = true,
	};
	static char data[32768];
	struct timeval tv = { 10, 0 };
	struct nfs_fh buf;
	WRITE3args wa;
	WRITE3res wr;
	READ3args ra;
	READ3res rr;
	CLIENT *cl;
	nfs_fh3 fh;

	util_srv.rtmax = util_srv.wtmax = 1024 * 1024;
	util_srv.svc = rpcsvc_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(util_srv.svc);
	CU_ASSERT_EQUAL_FATAL(nfs3_program_add(&util_srv, 0), 0);
	CU_ASSERT_EQUAL_FATAL(rpcsvc_start(util_srv.svc), 0);
	cl = util_client(rpcsvc_port(util_srv.svc, 0));
	CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
	/* the request is root's: "/" squashes it, the fake does not mind */
	cl->cl_auth = authunix_create_default();
	fh = util_fh(0, "file", &buf);

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)('a' + i % 23);
	memset(&wa, 0, sizeof(wa));
	wa.file = fh;
	wa.count = sizeof(data);
	wa.stable = UNSTABLE;
	wa.data.data_len = sizeof(data);
	wa.data.data_val = data;
	memset(&wr, 0, sizeof(wr));
	CU_ASSERT_EQUAL_FATAL(clnt_call(cl, NFSPROC3_WRITE, (xdrproc_t)xdr_WRITE3args, (char *)&wa,
					(xdrproc_t)xdr_WRITE3res, (char *)&wr, tv),
			      RPC_SUCCESS);
	CU_ASSERT_EQUAL(wr.status, NFS3_OK);
	CU_ASSERT_EQUAL(wr.WRITE3res_u.resok.count, sizeof(data));
	xdr_free((xdrproc_t)xdr_WRITE3res, (char *)&wr);
	CU_ASSERT_PTR_NOT_NULL_FATAL(util_written.iobuf);
	CU_ASSERT_EQUAL(util_written.len, sizeof(data));
	/* A slice of the received record: the call header and the WRITE
	 * arguments before the data are in the same buffer. */
	CU_ASSERT(util_written.ptr > util_written.iobuf->data);
	CU_ASSERT(util_written.ptr + util_written.len <=
		  util_written.iobuf->data + util_written.iobuf->size);
	CU_ASSERT(util_written_iob_size >= sizeof(data) + 100);
	/* Kept past the reply and the end of the call, intact. */
	CU_ASSERT_EQUAL(memcmp(util_written.ptr, data, sizeof(data)), 0);
	xl_data_release(&util_written);

	util_readbuf = xl_iobuf_new(8192);
	CU_ASSERT_PTR_NOT_NULL_FATAL(util_readbuf);
	for (size_t i = 0; i < 8192; i++)
		util_readbuf->data[i] = (uint8_t)(i * 7);
	memset(&ra, 0, sizeof(ra));
	ra.file = fh;
	ra.offset = 100;
	ra.count = 5000;
	memset(&rr, 0, sizeof(rr));
	CU_ASSERT_EQUAL_FATAL(clnt_call(cl, NFSPROC3_READ, (xdrproc_t)xdr_READ3args, (char *)&ra,
					(xdrproc_t)xdr_READ3res, (char *)&rr, tv),
			      RPC_SUCCESS);
	CU_ASSERT_EQUAL(rr.status, NFS3_OK);
	CU_ASSERT_EQUAL(rr.READ3res_u.resok.count, 5000);
	CU_ASSERT_EQUAL(rr.READ3res_u.resok.data.data_len, 5000);
	CU_ASSERT(rr.READ3res_u.resok.data.data_val &&
		  memcmp(rr.READ3res_u.resok.data.data_val, util_readbuf->data + 100, 5000) == 0);
	xdr_free((xdrproc_t)xdr_READ3res, (char *)&rr);
	/* The service dropped the slice's reference once it was sent. */
	for (int i = 0; i < 200 && __atomic_load_n(&util_readbuf->refs, __ATOMIC_ACQUIRE) != 1; i++)
		g_usleep(5000);
	CU_ASSERT_EQUAL(__atomic_load_n(&util_readbuf->refs, __ATOMIC_ACQUIRE), 1);

	auth_destroy(cl->cl_auth);
	clnt_destroy(cl);
	rpcsvc_stop(util_srv.svc);
	rpcsvc_free(util_srv.svc);
	util_srv.svc = NULL;
	xl_iobuf_unref(util_readbuf);
	util_readbuf = NULL;
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
	struct xl_iatt st = util_stat();
	READ3res res;
	size_t nfull, nours;

	memset(&res, 0, sizeof(res));
	res.status = NFS3_OK;
	nfs3_post_op_from_iatt(NULL, NULL, &st, &res.READ3res_u.resok.file_attributes);
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
	nfs3_post_op_from_iatt(NULL, NULL, &st, &res.READ3res_u.resfail.file_attributes);
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
	    !CU_add_test(r, "post-op", test_post_op) ||
	    !CU_add_test(r, "zero copy through the service", test_zero_copy)) {
		CU_cleanup_registry();
		return 1;
	}
	return cunit_run();
}

/*
 * test_actors.c — the actor harness: every NFS3 procedure's actor called
 * directly (decoded argument structs, a request the RPC service did not
 * receive) over a graph built from an inline volfile, debug/error-gen
 * over storage/memory, through success and failure.
 *
 *   - success: each procedure answers NFS3_OK, and its wcc data is the
 *     object's (or directory's) attributes just before (pre) and just
 *     after (post), as GETATTR shows them around the call;
 *   - failure: for each procedure, its backend fop fails with EIO,
 *     ENOSPC, EDQUOT and ESTALE in turn (error-gen's run-time rule); the
 *     procedure answers NFS3ERR_IO, _NOSPC, _DQUOT and _STALE;
 *   - a failed backend WRITE or COMMIT (a failed fsync) changes the write
 *     verifier, so clients resend their uncommitted data; a refusal that
 *     moved no data (ESTALE) does not;
 *   - over UDP, READ and READDIRPLUS replies, as XDR encodes them, fit
 *     one datagram (a 1 MiB READ is short, a 1 MiB READDIRPLUS has
 *     fewer entries), and FSINFO advertises what fits.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <CUnit/Basic.h>
#include <glib.h>
#include <gmodule.h>

#include "error_gen.h"
#include "nfs3.h"
#include "nfs3_dirlist.h"
#include "nfs3_verf.h"
#include "nfs3_xfer.h"
#include "xlator.h"
#include "cunit_main.h"
#include "nfs_test_fh.h"

static int (*set_rule)(struct xl *, const struct eg_rule *);
static GModule *eg_mod;

static struct xl_graph *graph;
static struct xl *eg;
static struct nfs_server srv;
static struct xl_addrlist *allow_all;
static struct rpcsvc_program prog;
static struct rpcsvc_request req;
static struct xl_call ROOT;

/* Handles of the fixture objects. */
static struct nfs_fh fh_root, fh_f, fh_sl, fh_d;

static const char volfile[] = "volume mem\n"
			      "    type storage/memory\n"
			      "    option size 64MB\n"
			      "end-volume\n"
			      "volume faults\n"
			      "    type debug/error-gen\n"
			      "    subvolumes mem\n"
			      "end-volume\n";

static void fh_of(struct xl_inode *in, struct nfs_fh *fh)
{
	nfs_fh_build(&srv, &srv.exports[0], xl_inode_id(in), fh);
}

static void tick(void)
{
	/* more than a tick of the coarse clock the store stamps times with */
	struct timespec ts = {0, 12000000};

	nanosleep(&ts, NULL);
}

/* Fail the fops in @fops (comma list) with @err, or nothing (@fops NULL). */
static void fail(const char *fops, int err)
{
	struct eg_rule r = {.error = err ? err : EIO, .rate = 100};
	char **names = g_strsplit(fops ? fops : "", ",", -1);

	for (char **n = names; *n; n++)
		if (**n)
			r.fops |= UINT64_C(1) << xl_fop_by_name(*n);
	g_strfreev(names);
	CU_ASSERT_EQUAL(set_rule(eg, &r), 0);
}

/* ------------------------------------------------------------ attributes */

/* GETATTR through the actor (no rule may be set). */
static fattr3 getattr(struct nfs_fh *fh)
{
	GETATTR3args a = {.object = fh3(fh)};
	GETATTR3res r = {0};
	fattr3 fa = {0};

	CU_ASSERT_EQUAL(nfs3_getattr(&req, &a, &r), RPCSVC_OK);
	CU_ASSERT_EQUAL(r.status, NFS3_OK);
	if (r.status == NFS3_OK)
		fa = r.GETATTR3res_u.resok.obj_attributes;
	xdr_free((xdrproc_t)xdr_GETATTR3res, (char *)&r);
	return fa;
}

static bool time_eq(nfstime3 a, nfstime3 b)
{
	return a.seconds == b.seconds && a.nseconds == b.nseconds;
}

/* Is @w the change from @before to @after? */
static bool wcc_right(const wcc_data *w, const fattr3 *before, const fattr3 *after)
{
	const wcc_attr *pre = &w->before.pre_op_attr_u.attributes;
	const fattr3 *post = &w->after.post_op_attr_u.attributes;

	if (!w->before.attributes_follow || !w->after.attributes_follow)
		return false;
	return pre->size == before->size && time_eq(pre->mtime, before->mtime) &&
	       time_eq(pre->ctime, before->ctime) && post->size == after->size &&
	       time_eq(post->mtime, after->mtime) && time_eq(post->ctime, after->ctime) &&
	       post->mode == after->mode && post->nlink == after->nlink &&
	       post->fileid == after->fileid && !time_eq(before->ctime, after->ctime);
}

/* ------------------------------------------------------------ procedures */

/* Each runs one procedure on the fixture and returns its status; with
 * @check, it also checks what a success must give (wcc, results). */

static sattr3 mode_attr(mode3 mode)
{
	sattr3 sa = {0};

	sa.mode.set_it = TRUE;
	sa.mode.set_mode3_u.mode = mode;
	return sa;
}

static nfsstat3 p_null(bool check)
{
	(void)check;
	CU_ASSERT_EQUAL(nfs3_null(&req, NULL, NULL), RPCSVC_OK);
	return NFS3_OK;
}

static nfsstat3 p_getattr(bool check)
{
	GETATTR3args a = {.object = fh3(&fh_f)};
	GETATTR3res r = {0};
	nfsstat3 st;

	nfs3_getattr(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		CU_ASSERT_EQUAL(r.GETATTR3res_u.resok.obj_attributes.type, NF3REG);
	}
	xdr_free((xdrproc_t)xdr_GETATTR3res, (char *)&r);
	return st;
}

static nfsstat3 p_setattr(bool check)
{
	SETATTR3args a = {.object = fh3(&fh_f), .new_attributes = mode_attr(0600)};
	SETATTR3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	if (check) {
		before = getattr(&fh_f);
		tick();
	}
	nfs3_setattr(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		fattr3 after = getattr(&fh_f);

		CU_ASSERT_EQUAL(after.mode, 0600);
		CU_ASSERT(wcc_right(&r.SETATTR3res_u.resok.obj_wcc, &before, &after));
	}
	xdr_free((xdrproc_t)xdr_SETATTR3res, (char *)&r);
	return st;
}

static nfsstat3 p_lookup(bool check)
{
	LOOKUP3args a = {.what = {.dir = fh3(&fh_root), .name = "f"}};
	LOOKUP3res r = {0};
	nfsstat3 st;

	nfs3_lookup(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		nfs_fh3 *o = &r.LOOKUP3res_u.resok.object;

		CU_ASSERT_EQUAL(o->data.data_len, fh_f.len);
		CU_ASSERT_EQUAL(memcmp(o->data.data_val, fh_f.data, fh_f.len), 0);
	}
	xdr_free((xdrproc_t)xdr_LOOKUP3res, (char *)&r);
	return st;
}

static nfsstat3 p_access(bool check)
{
	ACCESS3args a = {.object = fh3(&fh_f), .access = ACCESS3_READ | ACCESS3_MODIFY};
	ACCESS3res r = {0};
	nfsstat3 st;

	nfs3_access(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		CU_ASSERT_EQUAL(r.ACCESS3res_u.resok.access, ACCESS3_READ | ACCESS3_MODIFY);
	xdr_free((xdrproc_t)xdr_ACCESS3res, (char *)&r);
	return st;
}

static nfsstat3 p_readlink(bool check)
{
	READLINK3args a = {.symlink = fh3(&fh_sl)};
	READLINK3res r = {0};
	nfsstat3 st;

	nfs3_readlink(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		CU_ASSERT_STRING_EQUAL(r.READLINK3res_u.resok.data, "f");
	xdr_free((xdrproc_t)xdr_READLINK3res, (char *)&r);
	return st;
}

static nfsstat3 p_read(bool check)
{
	READ3args a = {.file = fh3(&fh_f), .offset = 0, .count = 100};
	READ3res r = {0};
	nfsstat3 st;

	nfs3_read(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		CU_ASSERT_EQUAL(r.READ3res_u.resok.count, 5);
		CU_ASSERT_TRUE(r.READ3res_u.resok.eof);
	}
	xdr_free((xdrproc_t)xdr_READ3res, (char *)&r);
	return st;
}

static WRITE3resok last_write;

static nfsstat3 p_write(bool check)
{
	char data[] = "HELLO";
	WRITE3args a = {.file = fh3(&fh_f), .offset = 0, .count = 5, .stable = UNSTABLE,
			.data = {.data_len = 5, .data_val = data}};
	WRITE3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	if (check) {
		before = getattr(&fh_f);
		tick();
	}
	nfs3_write(&req, &a, &r);
	st = r.status;
	if (st == NFS3_OK)
		last_write = r.WRITE3res_u.resok;
	if (check && st == NFS3_OK) {
		fattr3 after = getattr(&fh_f);

		CU_ASSERT_EQUAL(r.WRITE3res_u.resok.count, 5);
		CU_ASSERT(r.WRITE3res_u.resok.committed >= UNSTABLE);
		CU_ASSERT(wcc_right(&r.WRITE3res_u.resok.file_wcc, &before, &after));
	}
	xdr_free((xdrproc_t)xdr_WRITE3res, (char *)&r);
	return st;
}

/* The directory change of a namespace procedure: @w must be the root's
 * attributes around it (@before taken by the caller). */
static void check_dir_wcc(const wcc_data *w, const fattr3 *before)
{
	fattr3 after = getattr(&fh_root);

	CU_ASSERT(wcc_right(w, before, &after));
}

static nfsstat3 p_create(bool check)
{
	CREATE3args a = {.where = {.dir = fh3(&fh_root), .name = "new"}};
	CREATE3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	a.how.mode = GUARDED;
	a.how.createhow3_u.obj_attributes = mode_attr(0644);
	if (check) {
		before = getattr(&fh_root);
		tick();
	}
	nfs3_create(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		CU_ASSERT_TRUE(r.CREATE3res_u.resok.obj.handle_follows);
		check_dir_wcc(&r.CREATE3res_u.resok.dir_wcc, &before);
	}
	xdr_free((xdrproc_t)xdr_CREATE3res, (char *)&r);
	return st;
}

static nfsstat3 p_mkdir(bool check)
{
	MKDIR3args a = {.where = {.dir = fh3(&fh_root), .name = "newdir"},
			.attributes = mode_attr(0755)};
	MKDIR3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	if (check) {
		before = getattr(&fh_root);
		tick();
	}
	nfs3_mkdir(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		check_dir_wcc(&r.MKDIR3res_u.resok.dir_wcc, &before);
	xdr_free((xdrproc_t)xdr_MKDIR3res, (char *)&r);
	return st;
}

static nfsstat3 p_symlink(bool check)
{
	SYMLINK3args a = {.where = {.dir = fh3(&fh_root), .name = "newlink"},
			  .symlink = {.symlink_attributes = {{0}}, .symlink_data = "target"}};
	SYMLINK3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	if (check) {
		before = getattr(&fh_root);
		tick();
	}
	nfs3_symlink(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		check_dir_wcc(&r.SYMLINK3res_u.resok.dir_wcc, &before);
	xdr_free((xdrproc_t)xdr_SYMLINK3res, (char *)&r);
	return st;
}

static nfsstat3 p_mknod(bool check)
{
	MKNOD3args a = {.where = {.dir = fh3(&fh_root), .name = "fifo"}};
	MKNOD3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	a.what.type = NF3FIFO;
	a.what.mknoddata3_u.pipe_attributes = mode_attr(0600);
	if (check) {
		before = getattr(&fh_root);
		tick();
	}
	nfs3_mknod(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		CU_ASSERT_EQUAL(r.MKNOD3res_u.resok.obj_attributes.post_op_attr_u.attributes.type,
				NF3FIFO);
		check_dir_wcc(&r.MKNOD3res_u.resok.dir_wcc, &before);
	}
	xdr_free((xdrproc_t)xdr_MKNOD3res, (char *)&r);
	return st;
}

static nfsstat3 p_remove(bool check)
{
	REMOVE3args a = {.object = {.dir = fh3(&fh_root), .name = "victim"}};
	REMOVE3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	if (check) {
		before = getattr(&fh_root);
		tick();
	}
	nfs3_remove(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		check_dir_wcc(&r.REMOVE3res_u.resok.dir_wcc, &before);
	xdr_free((xdrproc_t)xdr_REMOVE3res, (char *)&r);
	return st;
}

static nfsstat3 p_rmdir(bool check)
{
	RMDIR3args a = {.object = {.dir = fh3(&fh_root), .name = "rdir"}};
	RMDIR3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	if (check) {
		before = getattr(&fh_root);
		tick();
	}
	nfs3_rmdir(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		check_dir_wcc(&r.RMDIR3res_u.resok.dir_wcc, &before);
		CU_ASSERT_EQUAL(getattr(&fh_root).nlink, before.nlink - 1);
	}
	xdr_free((xdrproc_t)xdr_RMDIR3res, (char *)&r);
	return st;
}

static nfsstat3 p_rename(bool check)
{
	RENAME3args a = {.from = {.dir = fh3(&fh_root), .name = "mover"},
			 .to = {.dir = fh3(&fh_d), .name = "moved"}};
	RENAME3res r = {0};
	fattr3 before_from = {0}, before_to = {0};
	nfsstat3 st;

	if (check) {
		before_from = getattr(&fh_root);
		before_to = getattr(&fh_d);
		tick();
	}
	nfs3_rename(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		fattr3 after_to = getattr(&fh_d);

		check_dir_wcc(&r.RENAME3res_u.resok.fromdir_wcc, &before_from);
		CU_ASSERT(wcc_right(&r.RENAME3res_u.resok.todir_wcc, &before_to, &after_to));
	}
	xdr_free((xdrproc_t)xdr_RENAME3res, (char *)&r);
	return st;
}

static nfsstat3 p_link(bool check)
{
	LINK3args a = {.file = fh3(&fh_f), .link = {.dir = fh3(&fh_d), .name = "hard"}};
	LINK3res r = {0};
	fattr3 before = {0};
	nfsstat3 st;

	if (check) {
		before = getattr(&fh_d);
		tick();
	}
	nfs3_link(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		fattr3 after = getattr(&fh_d);

		CU_ASSERT(wcc_right(&r.LINK3res_u.resok.linkdir_wcc, &before, &after));
		CU_ASSERT_EQUAL(r.LINK3res_u.resok.file_attributes.post_op_attr_u.attributes.nlink,
				2);
	}
	xdr_free((xdrproc_t)xdr_LINK3res, (char *)&r);
	return st;
}

static nfsstat3 p_readdir(bool check)
{
	READDIR3args a = {.dir = fh3(&fh_root), .cookie = 0, .count = 8192};
	READDIR3res r = {0};
	nfsstat3 st;

	nfs3_readdir(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		int n = 0;

		for (entry3 *e = r.READDIR3res_u.resok.reply.entries; e; e = e->nextentry)
			n++;
		CU_ASSERT(n >= 4);
		CU_ASSERT_TRUE(r.READDIR3res_u.resok.reply.eof);
	}
	xdr_free((xdrproc_t)nfs3_xdr_READDIR3res_list, (char *)&r);
	return st;
}

static nfsstat3 p_readdirplus(bool check)
{
	READDIRPLUS3args a = {.dir = fh3(&fh_root), .cookie = 0, .dircount = 8192,
			      .maxcount = 32768};
	READDIRPLUS3res r = {0};
	nfsstat3 st;

	nfs3_readdirplus(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK) {
		bool f_seen = false;

		for (entryplus3 *e = r.READDIRPLUS3res_u.resok.reply.entries; e; e = e->nextentry)
			if (!strcmp(e->name, "f")) {
				f_seen = true;
				CU_ASSERT_TRUE(e->name_handle.handle_follows);
				CU_ASSERT_TRUE(e->name_attributes.attributes_follow);
			}
		CU_ASSERT_TRUE(f_seen);
	}
	xdr_free((xdrproc_t)nfs3_xdr_READDIRPLUS3res_list, (char *)&r);
	return st;
}

static nfsstat3 p_fsstat(bool check)
{
	FSSTAT3args a = {.fsroot = fh3(&fh_root)};
	FSSTAT3res r = {0};
	nfsstat3 st;

	nfs3_fsstat(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		CU_ASSERT_EQUAL(r.FSSTAT3res_u.resok.tbytes, 64 << 20);
	xdr_free((xdrproc_t)xdr_FSSTAT3res, (char *)&r);
	return st;
}

static nfsstat3 p_fsinfo(bool check)
{
	FSINFO3args a = {.fsroot = fh3(&fh_root)};
	FSINFO3res r = {0};
	nfsstat3 st;

	nfs3_fsinfo(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		CU_ASSERT_EQUAL(r.FSINFO3res_u.resok.wtmax, srv.wtmax);
	xdr_free((xdrproc_t)xdr_FSINFO3res, (char *)&r);
	return st;
}

static nfsstat3 p_pathconf(bool check)
{
	PATHCONF3args a = {.object = fh3(&fh_root)};
	PATHCONF3res r = {0};
	nfsstat3 st;

	nfs3_pathconf(&req, &a, &r);
	st = r.status;
	if (check && st == NFS3_OK)
		CU_ASSERT_EQUAL(r.PATHCONF3res_u.resok.name_max, 255);
	xdr_free((xdrproc_t)xdr_PATHCONF3res, (char *)&r);
	return st;
}

static COMMIT3resok last_commit;

static nfsstat3 p_commit(bool check)
{
	COMMIT3args a = {.file = fh3(&fh_f), .offset = 0, .count = 0};
	COMMIT3res r = {0};
	nfsstat3 st;

	nfs3_commit(&req, &a, &r);
	st = r.status;
	if (st == NFS3_OK)
		last_commit = r.COMMIT3res_u.resok;
	if (check && st == NFS3_OK) {
		fattr3 now = getattr(&fh_f);
		const wcc_data *w = &r.COMMIT3res_u.resok.file_wcc;

		/* nothing changed: post is the file as it is */
		CU_ASSERT_TRUE(w->after.attributes_follow);
		CU_ASSERT(time_eq(w->after.post_op_attr_u.attributes.mtime, now.mtime));
	}
	xdr_free((xdrproc_t)xdr_COMMIT3res, (char *)&r);
	return st;
}

/* Every procedure with the fops whose failure it must answer. */
static const struct proc {
	const char *name;
	nfsstat3 (*run)(bool check);
	const char *fops;   /* NULL: no backend call (NULL procedure) */
} procs[] = {
	{"NULL", p_null, NULL},
	{"GETATTR", p_getattr, "getattr,resolve"},
	{"SETATTR", p_setattr, "setattr"},
	{"LOOKUP", p_lookup, "lookup"},
	{"ACCESS", p_access, "access"},
	{"READLINK", p_readlink, "readlink"},
	{"READ", p_read, "read"},
	{"WRITE", p_write, "write"},
	{"CREATE", p_create, "create"},
	{"MKDIR", p_mkdir, "mkdir"},
	{"SYMLINK", p_symlink, "symlink"},
	{"MKNOD", p_mknod, "mknod"},
	{"REMOVE", p_remove, "unlink"},
	{"RMDIR", p_rmdir, "rmdir"},
	{"RENAME", p_rename, "rename"},
	{"LINK", p_link, "link"},
	{"READDIR", p_readdir, "readdir"},
	{"READDIRPLUS", p_readdirplus, "readdir"},
	{"FSSTAT", p_fsstat, "statfs"},
	{"FSINFO", p_fsinfo, "getattr,resolve"},
	{"PATHCONF", p_pathconf, "getattr,resolve"},
	{"COMMIT", p_commit, "fsync"},
};

static const struct {
	int err;
	nfsstat3 status;
} failures[] = {
	{EIO, NFS3ERR_IO},
	{ENOSPC, NFS3ERR_NOSPC},
	{EDQUOT, NFS3ERR_DQUOT},
	{ESTALE, NFS3ERR_STALE},
};

/* ------------------------------------------------------------ tests */

static void test_every_procedure_fails_right(void)
{
	CU_ASSERT_EQUAL(G_N_ELEMENTS(procs), 22);
	for (size_t i = 0; i < G_N_ELEMENTS(procs); i++) {
		if (!procs[i].fops)
			continue;
		for (size_t j = 0; j < G_N_ELEMENTS(failures); j++) {
			nfsstat3 st;

			fail(procs[i].fops, failures[j].err);
			st = procs[i].run(false);
			fail(NULL, 0);
			if (st != failures[j].status)
				printf("\n    %s with %s answered %d, not %d", procs[i].name,
				       g_strerror(failures[j].err), st, failures[j].status);
			CU_ASSERT_EQUAL(st, failures[j].status);
		}
	}
}

static void test_write_verifier(void)
{
	uint64_t v0, v1;
	writeverf3 wv;

	fail(NULL, 0);
	CU_ASSERT_EQUAL(p_write(false), NFS3_OK);
	nfs3_write_verf_get(&srv.write_verf, wv);
	CU_ASSERT_EQUAL(memcmp(last_write.verf, wv, sizeof(wv)), 0);
	v0 = __atomic_load_n(&srv.write_verf, __ATOMIC_SEQ_CST);

	/* a refusal before any data moved: the verifier stays */
	fail("write", ESTALE);
	CU_ASSERT_EQUAL(p_write(false), NFS3ERR_STALE);
	CU_ASSERT_EQUAL(__atomic_load_n(&srv.write_verf, __ATOMIC_SEQ_CST), v0);
	/* a failed backend write: changed, and the next WRITE says so */
	fail("write", EIO);
	CU_ASSERT_EQUAL(p_write(false), NFS3ERR_IO);
	v1 = __atomic_load_n(&srv.write_verf, __ATOMIC_SEQ_CST);
	CU_ASSERT_NOT_EQUAL(v1, v0);
	fail(NULL, 0);
	CU_ASSERT_EQUAL(p_write(false), NFS3_OK);
	CU_ASSERT_NOT_EQUAL(memcmp(last_write.verf, wv, sizeof(wv)), 0);
	/* a failed fsync (COMMIT): changed again */
	fail("fsync", EIO);
	CU_ASSERT_EQUAL(p_commit(false), NFS3ERR_IO);
	CU_ASSERT_NOT_EQUAL(__atomic_load_n(&srv.write_verf, __ATOMIC_SEQ_CST), v1);
	fail("fsync", ENOSPC);
	v1 = __atomic_load_n(&srv.write_verf, __ATOMIC_SEQ_CST);
	CU_ASSERT_EQUAL(p_commit(false), NFS3ERR_NOSPC);
	CU_ASSERT_NOT_EQUAL(__atomic_load_n(&srv.write_verf, __ATOMIC_SEQ_CST), v1);
	fail(NULL, 0);
	CU_ASSERT_EQUAL(p_commit(false), NFS3_OK);
	nfs3_write_verf_get(&srv.write_verf, wv);
	CU_ASSERT_EQUAL(memcmp(last_commit.verf, wv, sizeof(wv)), 0);
	CU_ASSERT_NOT_EQUAL(memcmp(last_commit.verf, last_write.verf, sizeof(wv)), 0);
}

static void test_every_procedure_succeeds(void)
{
	fail(NULL, 0);
	for (size_t i = 0; i < G_N_ELEMENTS(procs); i++) {
		nfsstat3 st = procs[i].run(true);

		if (st != NFS3_OK)
			printf("\n    %s answered %d", procs[i].name, st);
		CU_ASSERT_EQUAL(st, NFS3_OK);
	}
	/* a stale handle: the object removed behind the client's back */
	{
		struct nfs_fh gone;
		struct xl_inode *root = NULL, *in = NULL;
		REMOVE3args ra = {.object = {.dir = fh3(&fh_root), .name = "new"}};
		REMOVE3res rr = {0};
		GETATTR3args a;
		GETATTR3res r = {0};

		CU_ASSERT_EQUAL_FATAL(xl_lookup(eg, &ROOT, NULL, NULL, &root, NULL, NULL), 0);
		CU_ASSERT_EQUAL_FATAL(xl_lookup(eg, &ROOT, root, "new", &in, NULL, NULL), 0);
		fh_of(in, &gone);
		xl_inode_unref(in);
		xl_inode_unref(root);
		nfs3_remove(&req, &ra, &rr);
		CU_ASSERT_EQUAL(rr.status, NFS3_OK);
		xdr_free((xdrproc_t)xdr_REMOVE3res, (char *)&rr);
		a.object = fh3(&gone);
		nfs3_getattr(&req, &a, &r);
		CU_ASSERT_EQUAL(r.status, NFS3ERR_STALE);
		xdr_free((xdrproc_t)xdr_GETATTR3res, (char *)&r);
	}
}

/* ------------------------------------------------------------ fixture */

static int make_fixture(void)
{
	struct xl_inode *root = NULL, *in = NULL;
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = 0644};
	struct xl_iobuf *iob;
	struct xl_data d;
	enum xl_stable stable = XL_FILE_SYNC;
	int ret;

	ret = xl_lookup(eg, &ROOT, NULL, NULL, &root, NULL, NULL);
	if (ret)
		return ret;
	fh_of(root, &fh_root);
	ret = xl_create(eg, &ROOT, root, "f", NULL, &sa, true, &in, NULL, NULL);
	if (ret)
		goto out;
	fh_of(in, &fh_f);
	iob = xl_iobuf_new(5);
	memcpy(iob->data, "hello", 5);
	d = (struct xl_data){.iobuf = iob, .ptr = iob->data, .len = 5};
	ret = xl_fop_write(eg, &ROOT, in, 0, &d, &stable, NULL);
	xl_iobuf_unref(iob);
	xl_inode_unref(in);
	if (ret != 5)
		goto out;
	ret = xl_symlink(eg, &ROOT, root, "sl", "f", NULL, NULL, &in, NULL, NULL);
	if (ret)
		goto out;
	fh_of(in, &fh_sl);
	xl_inode_unref(in);
	ret = xl_mkdir(eg, &ROOT, root, "d", NULL, NULL, &in, NULL, NULL);
	if (ret)
		goto out;
	fh_of(in, &fh_d);
	xl_inode_unref(in);
	ret = xl_mkdir(eg, &ROOT, root, "rdir", NULL, NULL, &in, NULL, NULL);
	if (ret)
		goto out;
	xl_inode_unref(in);
	ret = xl_create(eg, &ROOT, root, "victim", NULL, &sa, true, &in, NULL, NULL);
	if (ret)
		goto out;
	xl_inode_unref(in);
	ret = xl_create(eg, &ROOT, root, "mover", NULL, &sa, true, &in, NULL, NULL);
	if (ret)
		goto out;
	xl_inode_unref(in);
out:
	xl_inode_unref(root);
	return ret < 0 ? ret : 0;
}

static int setup(void)
{
	char *path = g_strdup_printf("%s/debug/.libs/error-gen.so", XLATOR_BUILD_DIR);
	struct sockaddr_in *sin = (struct sockaddr_in *)&req.client;
	gpointer sym = NULL;

	eg_mod = g_module_open(path, G_MODULE_BIND_LOCAL);
	g_free(path);
	if (!eg_mod || !g_module_symbol(eg_mod, "eg_set_rule", &sym))
		return 1;
	set_rule = (int (*)(struct xl *, const struct eg_rule *))sym;
	if (xl_graph_load_text("actors.vol", volfile, XLATOR_BUILD_DIR, &graph) ||
	    xl_graph_init(graph))
		return 1;
	eg = graph->top;
	/* every client may use the export ("*") */
	allow_all = g_malloc0(sizeof(*allow_all) + sizeof(allow_all->items[0]));
	allow_all->count = 1;
	if (nfs_server_setup_for_test(&srv, eg, eg, "/", allow_all))
		return 1;
	prog = (struct rpcsvc_program){.name = "NFS3", .prog = 100003, .vers = 3,
				       .private = &srv};
	req = (struct rpcsvc_request){.prog = 100003, .vers = 3, .flavor = 1 /* AUTH_SYS */,
				      .protocol = IPPROTO_TCP, .program = &prog};
	sin->sin_family = AF_INET;
	sin->sin_port = htons(800);
	sin->sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	req.client_len = sizeof(*sin);
	return make_fixture() ? 1 : 0;
}

static int teardown(void)
{
	nfs_server_teardown_for_test(&srv);
	xl_graph_free(graph);
	g_free(allow_all);
	g_module_close(eg_mod);
	return 0;
}

/* A directory of @n entries with long names and a 200000-byte file in
 * it, made for the UDP test. */
static int make_udp_fixture(struct nfs_fh *fh_dir, struct nfs_fh *fh_big, unsigned n)
{
	struct xl_inode *root = NULL, *dir = NULL, *in = NULL;
	struct xl_setattr sa = {.valid = XL_SET_MODE, .mode = 0644};
	enum xl_stable stable = XL_FILE_SYNC;
	struct xl_iobuf *iob;
	struct xl_data d;
	char name[64];
	int ret;

	ret = xl_lookup(eg, &ROOT, NULL, NULL, &root, NULL, NULL);
	if (!ret)
		ret = xl_mkdir(eg, &ROOT, root, "udp", NULL, NULL, &dir, NULL, NULL);
	if (ret)
		goto out;
	fh_of(dir, fh_dir);
	ret = xl_create(eg, &ROOT, dir, "big", NULL, &sa, true, &in, NULL, NULL);
	if (ret)
		goto out;
	fh_of(in, fh_big);
	iob = xl_iobuf_new(200000);
	memset(iob->data, 'x', 200000);
	d = (struct xl_data){.iobuf = iob, .ptr = iob->data, .len = 200000};
	ret = xl_fop_write(eg, &ROOT, in, 0, &d, &stable, NULL) == 200000 ? 0 : -EIO;
	xl_iobuf_unref(iob);
	xl_inode_unref(in);
	for (unsigned i = 0; !ret && i < n; i++) {
		snprintf(name, sizeof(name), "an-entry-with-a-rather-long-name-%04u", i);
		ret = xl_create(eg, &ROOT, dir, name, NULL, &sa, true, &in, NULL, NULL);
		if (!ret)
			xl_inode_unref(in);
	}
out:
	if (dir)
		xl_inode_unref(dir);
	if (root)
		xl_inode_unref(root);
	return ret;
}

static void test_udp_sizes(void)
{
	enum { N = 600, MIB = 1024 * 1024 };
	struct rpcsvc_request u = req;
	struct nfs_fh fh_dir, fh_big;
	size_t max, n = 0;
	unsigned long size;

	CU_ASSERT_EQUAL_FATAL(make_udp_fixture(&fh_dir, &fh_big, N), 0);
	u.protocol = IPPROTO_UDP;
	max = rpcsvc_request_max_reply(&u);
	CU_ASSERT_EQUAL(max, 65507 - 24);
	{
		READ3args a = {.file = fh3(&fh_big), .offset = 0, .count = MIB};
		READ3res r = {0};
		count3 count;

		nfs3_read(&u, &a, &r);
		CU_ASSERT_EQUAL_FATAL(r.status, NFS3_OK);
		count = r.READ3res_u.resok.count;
		size = xdr_sizeof((xdrproc_t)nfs3_xdr_READ3res_payload, &r);
		CU_ASSERT_EQUAL(size, NFS3_XDR_READ_FIXED); /* with attributes */
		CU_ASSERT(size + count <= max);
		CU_ASSERT(count > max - NFS3_XDR_READ_FIXED - NFS3_IO_MULT);
		CU_ASSERT_EQUAL(count % NFS3_IO_MULT, 0);
		CU_ASSERT_FALSE(r.READ3res_u.resok.eof);
		xdr_free((xdrproc_t)xdr_READ3res, (char *)&r);
		/* over TCP the same READ is the whole file */
		nfs3_read(&req, &a, &r);
		CU_ASSERT_EQUAL(r.READ3res_u.resok.count, 200000);
		xdr_free((xdrproc_t)xdr_READ3res, (char *)&r);
	}
	{
		READDIRPLUS3args a = {.dir = fh3(&fh_dir), .dircount = MIB, .maxcount = MIB};
		READDIRPLUS3res r = {0};

		u.res_size_hint = 0;
		nfs3_readdirplus(&u, &a, &r);
		CU_ASSERT_EQUAL_FATAL(r.status, NFS3_OK);
		for (entryplus3 *e = r.READDIRPLUS3res_u.resok.reply.entries; e; e = e->nextentry)
			n++;
		size = xdr_sizeof((xdrproc_t)xdr_READDIRPLUS3res, &r);
		printf("(%zu entries, %lu bytes) ", n, size);
		/* the size the reply is encoded into at once, exactly */
		CU_ASSERT_EQUAL(u.res_size_hint, size);
		CU_ASSERT(size <= max);
		CU_ASSERT(size > max - 256); /* full: one more entry would not fit */
		CU_ASSERT(n > 0 && n < N);
		CU_ASSERT_FALSE(r.READDIRPLUS3res_u.resok.reply.eof);
		xdr_free((xdrproc_t)nfs3_xdr_READDIRPLUS3res_list, (char *)&r);
	}
	{
		FSINFO3args a = {.fsroot = fh3(&fh_root)};
		FSINFO3res r = {0};

		nfs3_fsinfo(&u, &a, &r);
		CU_ASSERT_EQUAL_FATAL(r.status, NFS3_OK);
		CU_ASSERT(r.FSINFO3res_u.resok.rtmax + NFS3_XDR_READ_FIXED <= max);
		CU_ASSERT_EQUAL(r.FSINFO3res_u.resok.rtmax % NFS3_IO_MULT, 0);
		CU_ASSERT(r.FSINFO3res_u.resok.wtmax + NFS3_XDR_WRITE_CALL_FIXED <= 65507);
		CU_ASSERT(r.FSINFO3res_u.resok.dtpref <= max);
		xdr_free((xdrproc_t)xdr_FSINFO3res, (char *)&r);
	}
}

int main(void)
{
	CU_pSuite s;

	xl_log_set_level(XL_LOG_NONE);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("NFS3 actors over error-gen + memory", setup, teardown);
	CU_add_test(s, "every procedure answers EIO, ENOSPC, EDQUOT, ESTALE right",
		    test_every_procedure_fails_right);
	CU_add_test(s, "a failed WRITE or COMMIT changes the write verifier", test_write_verifier);
	CU_add_test(s, "every procedure succeeds with the right wcc data",
		    test_every_procedure_succeeds);
	CU_add_test(s, "over UDP, READ and READDIRPLUS replies fit a datagram", test_udp_sizes);
	return cunit_run();
}

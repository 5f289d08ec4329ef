/*
 * nfs3_client.c — the NFSv3 integration client: drives a running xlnfsd
 * through libnfs and checks every procedure's results and error codes.
 *
 * It uses libnfs's raw RPC API (rpc_nfs3_*_async, made synchronous by
 * call_finish(), which polls with rpc_service()) so it can send exact
 * arguments — forged handles, stale cookie verifiers, guards, verifiers —
 * and compare exact nfsstat3 codes; libnfs's high-level nfs_* API for bulk
 * data; and libtirpc for the UDP checks (nfs3_udp.c).
 *
 * Usage: nfs3_client SERVER PHASE [STATEFILE]
 *   main                    every procedure and error path on export "/"
 *   mount                   MOUNT against the subdir-export configuration
 *                           of nfs3.sh ("/sub" ro, "/missing", "/afile", "/deny")
 *   pre-restart STATEFILE   create, write and rename a file; save handles
 *                           and the write verifier
 *   post-restart STATEFILE  after a daemon restart: old handles still
 *                           work, the write verifier changed
 *   calls N                 exactly one MNT of "/", N GETATTRs of the root
 *                           and N LOOKUPs of a missing name: a known
 *                           workload for tests/integration/metrics.sh
 * Prints one line per check and "N passed, N failed" last; exits 1 if any
 * check failed, 2 on usage errors.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <time.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>

#include "nfs3_udp.h"

#define NOBODY_UID 1000
#define NOBODY_GID 1000
#define BIGDIR_ENTRIES 10000
#define CALL_TIMEOUT_S 60

static const char *server;
static int n_pass, n_fail;
static size_t completed; /* calls answered so far (pending_cb) */

/* ---------------------------------------------------------------- reporting */

static bool check(bool ok, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static bool check(bool ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s: ", ok ? "ok" : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
	fflush(stdout);
	if (ok)
		n_pass++;
	else
		n_fail++;
	return ok;
}

static void udp_report(bool ok, const char *what)
{
	check(ok, "%s", what);
}

static const char *stat_name(int st)
{
	static char buf[32];

	switch (st) {
	case -1: return "RPC-FAILURE";
	case NFS3_OK: return "OK";
	case NFS3ERR_PERM: return "PERM";
	case NFS3ERR_NOENT: return "NOENT";
	case NFS3ERR_IO: return "IO";
	case NFS3ERR_NXIO: return "NXIO";
	case NFS3ERR_ACCES: return "ACCES";
	case NFS3ERR_EXIST: return "EXIST";
	case NFS3ERR_XDEV: return "XDEV";
	case NFS3ERR_NODEV: return "NODEV";
	case NFS3ERR_NOTDIR: return "NOTDIR";
	case NFS3ERR_ISDIR: return "ISDIR";
	case NFS3ERR_INVAL: return "INVAL";
	case NFS3ERR_FBIG: return "FBIG";
	case NFS3ERR_NOSPC: return "NOSPC";
	case NFS3ERR_ROFS: return "ROFS";
	case NFS3ERR_MLINK: return "MLINK";
	case NFS3ERR_NAMETOOLONG: return "NAMETOOLONG";
	case NFS3ERR_NOTEMPTY: return "NOTEMPTY";
	case NFS3ERR_DQUOT: return "DQUOT";
	case NFS3ERR_STALE: return "STALE";
	case NFS3ERR_REMOTE: return "REMOTE";
	case NFS3ERR_BADHANDLE: return "BADHANDLE";
	case NFS3ERR_NOT_SYNC: return "NOT_SYNC";
	case NFS3ERR_BAD_COOKIE: return "BAD_COOKIE";
	case NFS3ERR_NOTSUPP: return "NOTSUPP";
	case NFS3ERR_TOOSMALL: return "TOOSMALL";
	case NFS3ERR_SERVERFAULT: return "SERVERFAULT";
	case NFS3ERR_BADTYPE: return "BADTYPE";
	case NFS3ERR_JUKEBOX: return "JUKEBOX";
	}
	snprintf(buf, sizeof(buf), "status-%d", st);
	return buf;
}

/* expect(got, want, description...): one check of an nfsstat3 (or mountstat3). */
static bool expect(int got, int want, const char *fmt, ...) __attribute__((format(printf, 3, 4)));
static bool expect(int got, int want, const char *fmt, ...)
{
	char what[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(what, sizeof(what), fmt, ap);
	va_end(ap);
	if (got == want)
		return check(true, "%s → %s", what, stat_name(want));
	return check(false, "%s → %s, expected %s", what, stat_name(got), stat_name(want));
}

/* ------------------------------------------------------- synchronous calls */

/* A file handle we own (room for one forged longer than NFS3_FHSIZE). */
struct fh {
	uint32_t len;
	uint8_t data[NFS3_FHSIZE + 8];
};

/* What a call's extractor copies out of the reply before libnfs frees it. */
struct dent {
	char *name;
	uint64_t cookie, fileid;
	bool has_attr, has_fh;
	fattr3 attr;
	struct fh fh;
};

struct res {
	fattr3 attr;          /* object attributes (post-op when has_attr) */
	bool has_attr;
	struct fh fh;         /* new or looked-up handle */
	bool has_fh;
	wcc_data wcc;         /* directory or object wcc (RENAME: the from directory's) */
	wcc_data wcc2;        /* RENAME: the to directory's wcc */
	uint32_t access;
	uint32_t count;
	int committed;
	char verf[8];         /* write verifier or cookie verifier */
	bool eof;
	char *data;           /* READ data, READLINK target (malloc, NUL-terminated) */
	size_t data_len;
	FSINFO3resok fsinfo;
	FSSTAT3resok fsstat;
	PATHCONF3resok pathconf;
	struct dent *ents;    /* READDIR(PLUS) entries (malloc) */
	size_t nents;
	int *flavors;         /* MNT auth flavors */
	size_t nflavors;
};

typedef void (*take_fn)(void *data, struct res *out);

/* libnfs's decoder may place list nodes (entry3, exportnode, ...) at
 * addresses misaligned for their type: copy each before reading it. */
#define LOAD(dst, src) memcpy(&(dst), (src), sizeof(dst))

struct pending {
	bool done;
	int rpc_status;
	int stat;             /* first word of the reply: nfsstat3 / mountstat3 */
	bool no_stat;         /* the reply has no status word (NULL, DUMP, EXPORT) */
	take_fn take;
	struct res *out;
	char err[256];
};

static void res_free(struct res *r)
{
	size_t i;

	free(r->data);
	for (i = 0; i < r->nents; i++)
		free(r->ents[i].name);
	free(r->ents);
	free(r->flavors);
	memset(r, 0, sizeof(*r));
}

static void pending_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct pending *p = priv;

	p->done = true;
	p->rpc_status = status;
	completed++;
	if (status != RPC_STATUS_SUCCESS) {
		snprintf(p->err, sizeof(p->err), "%s",
			 status == RPC_STATUS_ERROR && data ? (char *)data : "cancelled/timeout");
		return;
	}
	if (!p->no_stat && data)
		LOAD(p->stat, data);
	if (p->take && p->out && data)
		p->take(data, p->out);
}

static int64_t now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

/* Service @rpc until `completed` reaches @want. 0, or -1 on error/timeout. */
static int service_until(struct rpc_context *rpc, size_t want)
{
	int64_t deadline = now_ms() + CALL_TIMEOUT_S * 1000;

	while (completed < want) {
		struct pollfd pfd = { .fd = rpc_get_fd(rpc), .events = rpc_which_events(rpc) };
		int n = poll(&pfd, 1, 100);

		if (n < 0 && errno != EINTR)
			return -1;
		if (rpc_service(rpc, n > 0 ? pfd.revents : 0) < 0) {
			fprintf(stderr, "rpc_service: %s\n", rpc_get_error(rpc));
			return completed >= want ? 0 : -1;
		}
		if (now_ms() > deadline) {
			fprintf(stderr, "rpc: no reply within %d s\n", CALL_TIMEOUT_S);
			return -1;
		}
	}
	return 0;
}

static int pending_wait(struct rpc_context *rpc, struct pending *p)
{
	int64_t deadline = now_ms() + CALL_TIMEOUT_S * 1000;

	while (!p->done) {
		struct pollfd pfd = { .fd = rpc_get_fd(rpc), .events = rpc_which_events(rpc) };
		int n = poll(&pfd, 1, 100);

		if (n < 0 && errno != EINTR)
			return -1;
		if (rpc_service(rpc, n > 0 ? pfd.revents : 0) < 0 && !p->done) {
			snprintf(p->err, sizeof(p->err), "%s", rpc_get_error(rpc));
			return -1;
		}
		if (!p->done && now_ms() > deadline) {
			snprintf(p->err, sizeof(p->err), "no reply within %d s", CALL_TIMEOUT_S);
			return -1;
		}
	}
	return p->rpc_status == RPC_STATUS_SUCCESS ? 0 : -1;
}

/* Finish a call queued with result @queued: the reply's status word, or -1. */
static int call_finish(struct rpc_context *rpc, struct pending *p, int queued, const char *name)
{
	if (queued != 0) {
		fprintf(stderr, "%s: cannot send: %s\n", name, rpc_get_error(rpc));
		return -1;
	}
	if (pending_wait(rpc, p) < 0) {
		fprintf(stderr, "%s: RPC failed: %s\n", name, p->err);
		return -1;
	}
	return p->no_stat ? 0 : p->stat;
}

static struct rpc_context *conn_open(int prog, int vers, int uid, int gid)
{
	struct rpc_context *rpc = rpc_init_context();
	struct pending p = { .no_stat = true };

	if (!rpc)
		return NULL;
	if (uid >= 0) {
		rpc_set_uid(rpc, uid);
		rpc_set_gid(rpc, gid);
	}
	if (call_finish(rpc, &p,
			rpc_connect_program_async(rpc, server, prog, vers, pending_cb, &p),
			"connect") < 0) {
		fprintf(stderr, "cannot connect to %s program %d v%d\n", server, prog, vers);
		rpc_destroy_context(rpc);
		return NULL;
	}
	return rpc;
}

/* ------------------------------------------------------- reply extractors */

static void fh_set(struct fh *fh, const void *data, size_t len)
{
	if (len > sizeof(fh->data))
		len = sizeof(fh->data);
	fh->len = len;
	memcpy(fh->data, data, len);
}

static nfs_fh3 fh3(const struct fh *fh)
{
	nfs_fh3 h = { .data = { .data_len = fh->len, .data_val = (char *)fh->data } };

	return h;
}

static void take_post_attr(const post_op_attr *a, struct res *out)
{
	out->has_attr = a->attributes_follow;
	if (a->attributes_follow)
		out->attr = a->post_op_attr_u.attributes;
}

static void take_post_fh(const post_op_fh3 *h, struct res *out)
{
	out->has_fh = h->handle_follows;
	if (h->handle_follows)
		fh_set(&out->fh, h->post_op_fh3_u.handle.data.data_val,
		       h->post_op_fh3_u.handle.data.data_len);
}

static void take_getattr(void *data, struct res *out)
{
	GETATTR3res *r = data;

	if (r->status == NFS3_OK) {
		out->has_attr = true;
		out->attr = r->GETATTR3res_u.resok.obj_attributes;
	}
}

static void take_setattr(void *data, struct res *out)
{
	SETATTR3res *r = data;

	out->wcc = r->status == NFS3_OK ? r->SETATTR3res_u.resok.obj_wcc
					: r->SETATTR3res_u.resfail.obj_wcc;
	take_post_attr(&out->wcc.after, out);
}

static void take_lookup(void *data, struct res *out)
{
	LOOKUP3res *r = data;

	if (r->status != NFS3_OK)
		return;
	out->has_fh = true;
	fh_set(&out->fh, r->LOOKUP3res_u.resok.object.data.data_val,
	       r->LOOKUP3res_u.resok.object.data.data_len);
	take_post_attr(&r->LOOKUP3res_u.resok.obj_attributes, out);
}

static void take_access(void *data, struct res *out)
{
	ACCESS3res *r = data;

	if (r->status == NFS3_OK)
		out->access = r->ACCESS3res_u.resok.access;
}

static void take_readlink(void *data, struct res *out)
{
	READLINK3res *r = data;

	if (r->status == NFS3_OK && r->READLINK3res_u.resok.data) {
		out->data = strdup(r->READLINK3res_u.resok.data);
		out->data_len = strlen(out->data);
	}
}

static void take_read(void *data, struct res *out)
{
	READ3res *r = data;

	if (r->status != NFS3_OK)
		return;
	out->count = r->READ3res_u.resok.count;
	out->eof = r->READ3res_u.resok.eof;
	out->data_len = r->READ3res_u.resok.data.data_len;
	out->data = malloc(out->data_len + 1);
	if (out->data) {
		memcpy(out->data, r->READ3res_u.resok.data.data_val, out->data_len);
		out->data[out->data_len] = 0;
	}
	take_post_attr(&r->READ3res_u.resok.file_attributes, out);
}

static void take_write(void *data, struct res *out)
{
	WRITE3res *r = data;

	if (r->status != NFS3_OK)
		return;
	out->count = r->WRITE3res_u.resok.count;
	out->committed = r->WRITE3res_u.resok.committed;
	memcpy(out->verf, r->WRITE3res_u.resok.verf, 8);
	out->wcc = r->WRITE3res_u.resok.file_wcc;
	take_post_attr(&out->wcc.after, out);
}

static void take_commit(void *data, struct res *out)
{
	COMMIT3res *r = data;

	if (r->status == NFS3_OK)
		memcpy(out->verf, r->COMMIT3res_u.resok.verf, 8);
}

static void take_create(void *data, struct res *out)
{
	CREATE3res *r = data;

	if (r->status != NFS3_OK) {
		out->wcc = r->CREATE3res_u.resfail.dir_wcc;
		return;
	}
	take_post_fh(&r->CREATE3res_u.resok.obj, out);
	take_post_attr(&r->CREATE3res_u.resok.obj_attributes, out);
	out->wcc = r->CREATE3res_u.resok.dir_wcc;
}

static void take_mkdir(void *data, struct res *out)
{
	MKDIR3res *r = data;

	if (r->status != NFS3_OK)
		return;
	take_post_fh(&r->MKDIR3res_u.resok.obj, out);
	take_post_attr(&r->MKDIR3res_u.resok.obj_attributes, out);
	out->wcc = r->MKDIR3res_u.resok.dir_wcc;
}

static void take_symlink(void *data, struct res *out)
{
	SYMLINK3res *r = data;

	if (r->status != NFS3_OK)
		return;
	take_post_fh(&r->SYMLINK3res_u.resok.obj, out);
	take_post_attr(&r->SYMLINK3res_u.resok.obj_attributes, out);
}

static void take_mknod(void *data, struct res *out)
{
	MKNOD3res *r = data;

	if (r->status != NFS3_OK)
		return;
	take_post_fh(&r->MKNOD3res_u.resok.obj, out);
	take_post_attr(&r->MKNOD3res_u.resok.obj_attributes, out);
}

static void take_remove(void *data, struct res *out)
{
	REMOVE3res *r = data;

	out->wcc = r->status == NFS3_OK ? r->REMOVE3res_u.resok.dir_wcc
					: r->REMOVE3res_u.resfail.dir_wcc;
}

static void take_rmdir(void *data, struct res *out)
{
	RMDIR3res *r = data;

	out->wcc = r->status == NFS3_OK ? r->RMDIR3res_u.resok.dir_wcc
					: r->RMDIR3res_u.resfail.dir_wcc;
}

static void take_link(void *data, struct res *out)
{
	LINK3res *r = data;

	take_post_attr(r->status == NFS3_OK ? &r->LINK3res_u.resok.file_attributes
					    : &r->LINK3res_u.resfail.file_attributes,
		       out);
	out->wcc = r->status == NFS3_OK ? r->LINK3res_u.resok.linkdir_wcc
					: r->LINK3res_u.resfail.linkdir_wcc;
}

static void take_rename(void *data, struct res *out)
{
	RENAME3res *r = data;

	out->wcc = r->status == NFS3_OK ? r->RENAME3res_u.resok.fromdir_wcc
					: r->RENAME3res_u.resfail.fromdir_wcc;
	out->wcc2 = r->status == NFS3_OK ? r->RENAME3res_u.resok.todir_wcc
					 : r->RENAME3res_u.resfail.todir_wcc;
}

static void take_fsinfo(void *data, struct res *out)
{
	FSINFO3res *r = data;

	if (r->status == NFS3_OK)
		out->fsinfo = r->FSINFO3res_u.resok;
}

static void take_fsstat(void *data, struct res *out)
{
	FSSTAT3res *r = data;

	if (r->status == NFS3_OK)
		out->fsstat = r->FSSTAT3res_u.resok;
}

static void take_pathconf(void *data, struct res *out)
{
	PATHCONF3res *r = data;

	if (r->status == NFS3_OK)
		out->pathconf = r->PATHCONF3res_u.resok;
}

static struct dent *dent_add(struct res *out)
{
	struct dent *ents = realloc(out->ents, (out->nents + 1) * sizeof(*ents));

	if (!ents)
		abort();
	out->ents = ents;
	memset(&ents[out->nents], 0, sizeof(*ents));
	return &ents[out->nents++];
}

static void take_readdir(void *data, struct res *out)
{
	READDIR3res *r = data;
	entry3 e;
	const entry3 *next;

	if (r->status != NFS3_OK)
		return;
	memcpy(out->verf, r->READDIR3res_u.resok.cookieverf, 8);
	out->eof = r->READDIR3res_u.resok.reply.eof;
	for (next = r->READDIR3res_u.resok.reply.entries; next; next = e.nextentry) {
		struct dent *d = dent_add(out);

		LOAD(e, next);
		d->name = strdup(e.name);
		d->cookie = e.cookie;
		d->fileid = e.fileid;
	}
}

static void take_readdirplus(void *data, struct res *out)
{
	READDIRPLUS3res *r = data;
	entryplus3 e;
	const entryplus3 *next;

	if (r->status != NFS3_OK)
		return;
	memcpy(out->verf, r->READDIRPLUS3res_u.resok.cookieverf, 8);
	out->eof = r->READDIRPLUS3res_u.resok.reply.eof;
	for (next = r->READDIRPLUS3res_u.resok.reply.entries; next; next = e.nextentry) {
		struct dent *d = dent_add(out);

		LOAD(e, next);
		d->name = strdup(e.name);
		d->cookie = e.cookie;
		d->fileid = e.fileid;
		d->has_attr = e.name_attributes.attributes_follow;
		if (d->has_attr)
			d->attr = e.name_attributes.post_op_attr_u.attributes;
		d->has_fh = e.name_handle.handle_follows;
		if (d->has_fh)
			fh_set(&d->fh, e.name_handle.post_op_fh3_u.handle.data.data_val,
			       e.name_handle.post_op_fh3_u.handle.data.data_len);
	}
}

static void take_mnt(void *data, struct res *out)
{
	mountres3 *r = data;
	mountres3_ok *ok = &r->mountres3_u.mountinfo;

	if (r->fhs_status != MNT3_OK)
		return;
	out->has_fh = true;
	fh_set(&out->fh, ok->fhandle.fhandle3_val, ok->fhandle.fhandle3_len);
	out->nflavors = ok->auth_flavors.auth_flavors_len;
	out->flavors = calloc(out->nflavors + 1, sizeof(int));
	if (out->flavors)
		memcpy(out->flavors, ok->auth_flavors.auth_flavors_val,
		       out->nflavors * sizeof(int));
}

/* DUMP: entries as "host:dir"; EXPORT: entries as "dir" with groups in data. */
static void take_dump(void *data, struct res *out)
{
	mountlist next;
	mountbody ml;

	for (LOAD(next, data); next; next = ml.ml_next) {
		struct dent *d = dent_add(out);

		LOAD(ml, next);
		if (asprintf(&d->name, "%s:%s", ml.ml_hostname, ml.ml_directory) < 0)
			abort();
	}
}

static void take_export(void *data, struct res *out)
{
	exports next;
	exportnode ex;

	for (LOAD(next, data); next; next = ex.ex_next) {
		struct dent *d = dent_add(out);
		size_t len;
		groupnode g;
		groups gn;

		LOAD(ex, next);
		len = strlen(ex.ex_dir) + 2;
		for (gn = ex.ex_groups; gn; gn = g.gr_next) {
			LOAD(g, gn);
			len += strlen(g.gr_name) + 1;
		}
		d->name = malloc(len);
		if (!d->name)
			abort();
		strcpy(d->name, ex.ex_dir);
		strcat(d->name, " ");
		for (gn = ex.ex_groups; gn; gn = g.gr_next) {
			LOAD(g, gn);
			strcat(d->name, g.gr_name);
			strcat(d->name, g.gr_next ? "," : "");
		}
	}
}

/* ------------------------------------------------------------- procedures */

#define CALL(rpc, fn, args, takefn, res, name)                                        \
	({                                                                            \
		struct pending p_ = { .take = (takefn), .out = (res) };               \
		call_finish((rpc), &p_, fn((rpc), pending_cb, (args), &p_), (name)); \
	})

static struct res R; /* the last call's result */

static int nfs_null(struct rpc_context *rpc)
{
	struct pending p = { .no_stat = true };

	return call_finish(rpc, &p, rpc_nfs3_null_async(rpc, pending_cb, &p), "NULL");
}

static int getattr(struct rpc_context *rpc, const struct fh *fh)
{
	GETATTR3args a = { .object = fh3(fh) };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_getattr_async, &a, take_getattr, &R, "GETATTR");
}

static int setattr(struct rpc_context *rpc, const struct fh *fh, const sattr3 *sa,
		   const nfstime3 *guard)
{
	SETATTR3args a = { .object = fh3(fh), .new_attributes = *sa };

	if (guard) {
		a.guard.check = 1;
		a.guard.sattrguard3_u.obj_ctime = *guard;
	}
	res_free(&R);
	return CALL(rpc, rpc_nfs3_setattr_async, &a, take_setattr, &R, "SETATTR");
}

static int lookup(struct rpc_context *rpc, const struct fh *dir, const char *name)
{
	LOOKUP3args a = { .what = { .dir = fh3(dir), .name = (char *)name } };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_lookup_async, &a, take_lookup, &R, "LOOKUP");
}

static int access3(struct rpc_context *rpc, const struct fh *fh, uint32_t mask)
{
	ACCESS3args a = { .object = fh3(fh), .access = mask };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_access_async, &a, take_access, &R, "ACCESS");
}

static int readlink3(struct rpc_context *rpc, const struct fh *fh)
{
	READLINK3args a = { .symlink = fh3(fh) };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_readlink_async, &a, take_readlink, &R, "READLINK");
}

static int read3(struct rpc_context *rpc, const struct fh *fh, uint64_t off, uint32_t count)
{
	READ3args a = { .file = fh3(fh), .offset = off, .count = count };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_read_async, &a, take_read, &R, "READ");
}

static int write3(struct rpc_context *rpc, const struct fh *fh, uint64_t off, const void *buf,
		  uint32_t count, int stable)
{
	WRITE3args a = { .file = fh3(fh), .offset = off, .count = count, .stable = stable };

	a.data.data_len = count;
	a.data.data_val = (char *)buf;
	res_free(&R);
	return CALL(rpc, rpc_nfs3_write_async, &a, take_write, &R, "WRITE");
}

static int commit3(struct rpc_context *rpc, const struct fh *fh)
{
	COMMIT3args a = { .file = fh3(fh) };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_commit_async, &a, take_commit, &R, "COMMIT");
}

static sattr3 sattr_mode(int mode)
{
	sattr3 sa;

	memset(&sa, 0, sizeof(sa));
	if (mode >= 0) {
		sa.mode.set_it = 1;
		sa.mode.set_mode3_u.mode = mode;
	}
	return sa;
}

static int create3(struct rpc_context *rpc, const struct fh *dir, const char *name, int how,
		   int mode, const char *verf)
{
	CREATE3args a = { .where = { .dir = fh3(dir), .name = (char *)name } };

	a.how.mode = how;
	if (how == EXCLUSIVE)
		memcpy(a.how.createhow3_u.verf, verf, 8);
	else
		a.how.createhow3_u.obj_attributes = sattr_mode(mode);
	res_free(&R);
	return CALL(rpc, rpc_nfs3_create_async, &a, take_create, &R, "CREATE");
}

static int mkdir3(struct rpc_context *rpc, const struct fh *dir, const char *name, int mode)
{
	MKDIR3args a = { .where = { .dir = fh3(dir), .name = (char *)name } };

	a.attributes = sattr_mode(mode);
	res_free(&R);
	return CALL(rpc, rpc_nfs3_mkdir_async, &a, take_mkdir, &R, "MKDIR");
}

static int symlink3(struct rpc_context *rpc, const struct fh *dir, const char *name,
		    const char *target)
{
	SYMLINK3args a = { .where = { .dir = fh3(dir), .name = (char *)name } };

	a.symlink.symlink_attributes = sattr_mode(-1);
	a.symlink.symlink_data = (char *)target;
	res_free(&R);
	return CALL(rpc, rpc_nfs3_symlink_async, &a, take_symlink, &R, "SYMLINK");
}

static int mknod3(struct rpc_context *rpc, const struct fh *dir, const char *name, int type,
		  int mode, unsigned major_, unsigned minor_)
{
	MKNOD3args a = { .where = { .dir = fh3(dir), .name = (char *)name } };

	a.what.type = type;
	switch (type) {
	case NF3CHR:
	case NF3BLK:
		a.what.mknoddata3_u.chr_device.dev_attributes = sattr_mode(mode);
		a.what.mknoddata3_u.chr_device.spec.specdata1 = major_;
		a.what.mknoddata3_u.chr_device.spec.specdata2 = minor_;
		break;
	case NF3SOCK:
	case NF3FIFO:
		a.what.mknoddata3_u.pipe_attributes = sattr_mode(mode);
		break;
	default:
		break;
	}
	res_free(&R);
	return CALL(rpc, rpc_nfs3_mknod_async, &a, take_mknod, &R, "MKNOD");
}

static int remove3(struct rpc_context *rpc, const struct fh *dir, const char *name)
{
	REMOVE3args a = { .object = { .dir = fh3(dir), .name = (char *)name } };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_remove_async, &a, take_remove, &R, "REMOVE");
}

static int rmdir3(struct rpc_context *rpc, const struct fh *dir, const char *name)
{
	RMDIR3args a = { .object = { .dir = fh3(dir), .name = (char *)name } };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_rmdir_async, &a, take_rmdir, &R, "RMDIR");
}

static int rename3(struct rpc_context *rpc, const struct fh *fdir, const char *fname,
		   const struct fh *tdir, const char *tname)
{
	RENAME3args a = { .from = { .dir = fh3(fdir), .name = (char *)fname },
			  .to = { .dir = fh3(tdir), .name = (char *)tname } };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_rename_async, &a, take_rename, &R, "RENAME");
}

static int link3(struct rpc_context *rpc, const struct fh *file, const struct fh *dir,
		 const char *name)
{
	LINK3args a = { .file = fh3(file), .link = { .dir = fh3(dir), .name = (char *)name } };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_link_async, &a, take_link, &R, "LINK");
}

static int readdir3(struct rpc_context *rpc, const struct fh *dir, uint64_t cookie,
		    const char *verf, uint32_t count)
{
	READDIR3args a = { .dir = fh3(dir), .cookie = cookie, .count = count };

	if (verf)
		memcpy(a.cookieverf, verf, 8);
	res_free(&R);
	return CALL(rpc, rpc_nfs3_readdir_async, &a, take_readdir, &R, "READDIR");
}

static int readdirplus3(struct rpc_context *rpc, const struct fh *dir, uint64_t cookie,
			const char *verf, uint32_t dircount, uint32_t maxcount)
{
	READDIRPLUS3args a = { .dir = fh3(dir), .cookie = cookie, .dircount = dircount,
			       .maxcount = maxcount };

	if (verf)
		memcpy(a.cookieverf, verf, 8);
	res_free(&R);
	return CALL(rpc, rpc_nfs3_readdirplus_async, &a, take_readdirplus, &R, "READDIRPLUS");
}

static int fsstat3(struct rpc_context *rpc, const struct fh *fh)
{
	FSSTAT3args a = { .fsroot = fh3(fh) };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_fsstat_async, &a, take_fsstat, &R, "FSSTAT");
}

static int fsinfo3(struct rpc_context *rpc, const struct fh *fh)
{
	FSINFO3args a = { .fsroot = fh3(fh) };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_fsinfo_async, &a, take_fsinfo, &R, "FSINFO");
}

static int pathconf3(struct rpc_context *rpc, const struct fh *fh)
{
	PATHCONF3args a = { .object = fh3(fh) };

	res_free(&R);
	return CALL(rpc, rpc_nfs3_pathconf_async, &a, take_pathconf, &R, "PATHCONF");
}

static int mnt3(struct rpc_context *mrpc, const char *path)
{
	struct pending p = { .take = take_mnt, .out = &R };

	res_free(&R);
	return call_finish(mrpc, &p,
			   rpc_mount3_mnt_async(mrpc, pending_cb, (char *)path, &p), "MNT");
}

static int umnt3(struct rpc_context *mrpc, const char *path)
{
	struct pending p = { .no_stat = true };

	return call_finish(mrpc, &p,
			   rpc_mount3_umnt_async(mrpc, pending_cb, (char *)path, &p), "UMNT");
}

static int dump3(struct rpc_context *mrpc)
{
	struct pending p = { .no_stat = true, .take = take_dump, .out = &R };

	res_free(&R);
	return call_finish(mrpc, &p, rpc_mount3_dump_async(mrpc, pending_cb, &p), "DUMP");
}

static int export3(struct rpc_context *mrpc)
{
	struct pending p = { .no_stat = true, .take = take_export, .out = &R };

	res_free(&R);
	return call_finish(mrpc, &p, rpc_mount3_export_async(mrpc, pending_cb, &p), "EXPORT");
}

/* Is there an entry (R.ents) whose name matches @name exactly, or (with
 * @suffix) ends with it? */
static bool ents_have(const char *name, bool suffix)
{
	size_t i, n = strlen(name);

	for (i = 0; i < R.nents; i++) {
		size_t len = strlen(R.ents[i].name);

		if (suffix ? len >= n && strcmp(R.ents[i].name + len - n, name) == 0
			   : strcmp(R.ents[i].name, name) == 0)
			return true;
	}
	return false;
}

/* -------------------------------------------------------------- helpers */

static void fill_pattern(uint8_t *buf, size_t len, uint64_t off, unsigned seed)
{
	size_t i;

	for (i = 0; i < len; i++)
		buf[i] = (uint8_t)(((off + i) * 131 + seed * 7 + ((off + i) >> 12)) & 0xff);
}

static bool mode_is(const struct res *r, unsigned mode)
{
	return r->has_attr && (r->attr.mode & 07777) == mode;
}

static struct rpc_context *mount_root(struct fh *root)
{
	struct rpc_context *mrpc = conn_open(MOUNT_PROGRAM, MOUNT_V3, -1, -1);
	int st;

	if (!check(mrpc != NULL, "connect to MOUNT v3 through rpcbind"))
		return NULL;
	st = mnt3(mrpc, "/");
	expect(st, MNT3_OK, "MNT /");
	if (st != MNT3_OK) {
		rpc_destroy_context(mrpc);
		return NULL;
	}
	*root = R.fh;
	return mrpc;
}

/* ------------------------------------------------------------ main phase */

static void t_mount(struct rpc_context *mrpc, const struct fh *root)
{
	size_t i;
	bool sys = false;
	int st;

	st = mnt3(mrpc, "/");
	expect(st, MNT3_OK, "MNT / again");
	for (i = 0; i < R.nflavors; i++)
		sys |= R.flavors[i] == 1;
	check(sys, "MNT lists AUTH_SYS among %zu flavor(s)", R.nflavors);
	check(R.fh.len == root->len && memcmp(R.fh.data, root->data, root->len) == 0,
	      "MNT / twice gives the same root handle (%u bytes)", root->len);
	check(root->len > 0 && root->len <= NFS3_FHSIZE, "root handle size %u within 1..64",
	      root->len);
	check(export3(mrpc) == 0 && R.nents >= 1, "EXPORT lists %zu export(s)", R.nents);
	for (i = 0; i < R.nents; i++)
		printf("      export: %s\n", R.ents[i].name);
	{
		bool root_listed = false;

		for (i = 0; i < R.nents; i++)
			root_listed |= strncmp(R.ents[i].name, "/ ", 2) == 0;
		check(root_listed, "EXPORT lists /");
	}
	check(dump3(mrpc) == 0 && ents_have(":/", true), "DUMP lists our mount of /");
	for (i = 0; i < R.nents; i++)
		printf("      mount: %s\n", R.ents[i].name);
	check(umnt3(mrpc, "/") == 0, "UMNT /");
	check(dump3(mrpc) == 0 && !ents_have(":/", true), "DUMP no longer lists / after UMNT");
	expect(mnt3(mrpc, "/"), MNT3_OK, "MNT / after UMNT");
	{
		struct pending p = { .no_stat = true };

		check(call_finish(mrpc, &p, rpc_mount3_null_async(mrpc, pending_cb, &p),
				  "MOUNT NULL") == 0,
		      "MOUNT v3 NULL");
	}
}

static void t_fsinfo(struct rpc_context *rpc, const struct fh *root)
{
	int st;

	check(nfs_null(rpc) == 0, "NFS NULL");
	st = getattr(rpc, root);
	expect(st, NFS3_OK, "GETATTR root");
	check(R.attr.type == NF3DIR, "root is a directory (type %d)", R.attr.type);
	check(R.attr.fileid != 0, "root has a fileid (%" PRIu64 ")", (uint64_t)R.attr.fileid);

	st = fsinfo3(rpc, root);
	expect(st, NFS3_OK, "FSINFO");
	if (st == NFS3_OK) {
		FSINFO3resok *f = &R.fsinfo;

		check(f->rtmax >= 4096 && f->rtpref > 0 && f->rtpref <= f->rtmax,
		      "FSINFO rtmax %u rtpref %u", f->rtmax, f->rtpref);
		check(f->wtmax >= 4096 && f->wtpref > 0 && f->wtpref <= f->wtmax,
		      "FSINFO wtmax %u wtpref %u", f->wtmax, f->wtpref);
		check(f->dtpref > 0, "FSINFO dtpref %u", f->dtpref);
		check(f->maxfilesize > (1ULL << 32), "FSINFO maxfilesize %" PRIu64,
		      (uint64_t)f->maxfilesize);
		check((f->properties & (FSF3_LINK | FSF3_SYMLINK)) == (FSF3_LINK | FSF3_SYMLINK),
		      "FSINFO properties 0x%x include LINK and SYMLINK", f->properties);
		check(f->time_delta.seconds <= 1, "FSINFO time_delta %u.%09u",
		      f->time_delta.seconds, f->time_delta.nseconds);
	}
	st = fsstat3(rpc, root);
	expect(st, NFS3_OK, "FSSTAT");
	if (st == NFS3_OK) {
		FSSTAT3resok *s = &R.fsstat;

		check(s->tbytes > 0 && s->fbytes <= s->tbytes && s->abytes <= s->fbytes,
		      "FSSTAT bytes total %" PRIu64 " free %" PRIu64 " avail %" PRIu64,
		      (uint64_t)s->tbytes, (uint64_t)s->fbytes, (uint64_t)s->abytes);
		check(s->ffiles <= s->tfiles && s->afiles <= s->ffiles,
		      "FSSTAT files total %" PRIu64 " free %" PRIu64, (uint64_t)s->tfiles,
		      (uint64_t)s->ffiles);
	}
	st = pathconf3(rpc, root);
	expect(st, NFS3_OK, "PATHCONF");
	if (st == NFS3_OK) {
		PATHCONF3resok *p = &R.pathconf;

		check(p->name_max >= 255, "PATHCONF name_max %u", p->name_max);
		check(p->linkmax >= 1, "PATHCONF linkmax %u", p->linkmax);
		check(p->no_trunc && p->case_preserving && !p->case_insensitive,
		      "PATHCONF no_trunc, case preserving, case sensitive");
	}
}

/* The namespace procedures and their errors in directory @w. */
static void t_namespace(struct rpc_context *rpc, const struct fh *root, const struct fh *w)
{
	struct fh f1, d1, sub, sl, dir_a, dir_b;
	uint64_t f1_id, rootid;
	char longname[300];
	int st;

	memset(longname, 'n', sizeof(longname) - 1);
	longname[sizeof(longname) - 1] = 0;
	getattr(rpc, root);
	rootid = R.attr.fileid;

	/* MKDIR */
	st = mkdir3(rpc, w, "d1", 0750);
	expect(st, NFS3_OK, "MKDIR d1 0750");
	d1 = R.fh;
	check(R.has_fh && R.has_attr && R.attr.type == NF3DIR && mode_is(&R, 0750),
	      "MKDIR returns a handle and the attributes of a 0750 directory (mode %o)",
	      R.attr.mode);
	check(R.wcc.after.attributes_follow, "MKDIR returns the directory's post-op attributes");
	expect(mkdir3(rpc, w, "d1", 0755), NFS3ERR_EXIST, "MKDIR d1 again");
	expect(mkdir3(rpc, w, longname, 0755), NFS3ERR_NAMETOOLONG, "MKDIR of a 299-byte name");
	st = mkdir3(rpc, w, "missing/x", 0755);
	check(st != NFS3_OK && st != -1, "MKDIR with a slash in the name is refused (%s)",
	      stat_name(st));

	/* CREATE */
	st = create3(rpc, w, "f1", UNCHECKED, 0644, NULL);
	expect(st, NFS3_OK, "CREATE UNCHECKED f1 0644");
	f1 = R.fh;
	check(R.has_fh && R.attr.type == NF3REG && mode_is(&R, 0644) && R.attr.size == 0,
	      "CREATE returns a handle and the attributes of an empty 0644 file");
	f1_id = R.attr.fileid;
	write3(rpc, &f1, 0, "hello", 5, FILE_SYNC);
	st = create3(rpc, w, "f1", UNCHECKED, -1, NULL);
	expect(st, NFS3_OK, "CREATE UNCHECKED f1 again (no size)");
	check(R.attr.fileid == f1_id && R.attr.size == 5,
	      "CREATE UNCHECKED of an existing file keeps it (size %" PRIu64 ")",
	      (uint64_t)R.attr.size);
	expect(create3(rpc, w, "f1", GUARDED, 0644, NULL), NFS3ERR_EXIST, "CREATE GUARDED f1");
	expect(create3(rpc, w, "d1", GUARDED, 0644, NULL), NFS3ERR_EXIST,
	       "CREATE GUARDED over a directory");
	expect(create3(rpc, &f1, "x", UNCHECKED, 0644, NULL), NFS3ERR_NOTDIR,
	       "CREATE in a regular file");
	expect(create3(rpc, w, longname, UNCHECKED, 0644, NULL), NFS3ERR_NAMETOOLONG,
	       "CREATE of a 299-byte name");

	/* exclusive CREATE with verifiers */
	{
		uint64_t id;

		st = create3(rpc, w, "ex", EXCLUSIVE, 0, "verf-AAA");
		expect(st, NFS3_OK, "CREATE EXCLUSIVE ex verifier A");
		lookup(rpc, w, "ex");
		id = R.attr.fileid;
		st = create3(rpc, w, "ex", EXCLUSIVE, 0, "verf-AAA");
		expect(st, NFS3_OK, "CREATE EXCLUSIVE ex with the same verifier (a retry)");
		lookup(rpc, w, "ex");
		check(R.attr.fileid == id, "the retried exclusive CREATE names the same file");
		expect(create3(rpc, w, "ex", EXCLUSIVE, 0, "verf-BBB"), NFS3ERR_EXIST,
		       "CREATE EXCLUSIVE ex with another verifier");
		expect(create3(rpc, w, "f1", EXCLUSIVE, 0, "verf-AAA"), NFS3ERR_EXIST,
		       "CREATE EXCLUSIVE over a file made UNCHECKED");
		if (lookup(rpc, w, "ex") == NFS3_OK) {
			struct fh ex = R.fh;
			sattr3 sa = sattr_mode(0640);

			sa.mtime.set_it = SET_TO_SERVER_TIME;
			sa.atime.set_it = SET_TO_SERVER_TIME;
			expect(setattr(rpc, &ex, &sa, NULL), NFS3_OK,
			       "SETATTR after exclusive CREATE (mode and times)");
			getattr(rpc, &ex);
			check(mode_is(&R, 0640), "the exclusively created file now has mode 0640");
		}
	}

	/* LOOKUP */
	st = lookup(rpc, w, "f1");
	expect(st, NFS3_OK, "LOOKUP f1");
	check(R.has_attr && R.attr.fileid == f1_id, "LOOKUP f1 returns its attributes");
	expect(lookup(rpc, w, "nothere"), NFS3ERR_NOENT, "LOOKUP of a missing name");
	expect(lookup(rpc, &f1, "x"), NFS3ERR_NOTDIR, "LOOKUP in a regular file");
	expect(lookup(rpc, w, longname), NFS3ERR_NAMETOOLONG, "LOOKUP of a 299-byte name");
	st = lookup(rpc, &d1, ".");
	expect(st, NFS3_OK, "LOOKUP . in d1");
	getattr(rpc, &d1);
	{
		uint64_t d1id = R.attr.fileid;

		lookup(rpc, &d1, ".");
		check(R.attr.fileid == d1id, "LOOKUP . names the directory itself");
	}
	getattr(rpc, w);
	{
		uint64_t wid = R.attr.fileid;

		expect(lookup(rpc, &d1, ".."), NFS3_OK, "LOOKUP .. in d1");
		check(R.attr.fileid == wid, "LOOKUP .. names the parent");
	}
	expect(lookup(rpc, root, ".."), NFS3_OK, "LOOKUP .. at the export root");
	check(R.attr.fileid == rootid, "LOOKUP .. at the export root stays at the root");

	/* SETATTR */
	{
		sattr3 sa = sattr_mode(0600);
		nfstime3 ctime;

		expect(setattr(rpc, &f1, &sa, NULL), NFS3_OK, "SETATTR mode 0600");
		check(mode_is(&R, 0600), "SETATTR post-op mode is 0600 (%o)", R.attr.mode);
		check(R.wcc.before.attributes_follow, "SETATTR returns pre-op attributes");
		sa = sattr_mode(-1);
		sa.size.set_it = 1;
		sa.size.set_size3_u.size = 3;
		expect(setattr(rpc, &f1, &sa, NULL), NFS3_OK, "SETATTR size 3");
		getattr(rpc, &f1);
		check(R.attr.size == 3, "file size is now 3 (%" PRIu64 ")", (uint64_t)R.attr.size);
		read3(rpc, &f1, 0, 100);
		check(R.data_len == 3 && memcmp(R.data, "hel", 3) == 0,
		      "truncated file reads back \"hel\"");
		sa = sattr_mode(-1);
		sa.mtime.set_it = SET_TO_CLIENT_TIME;
		sa.mtime.set_mtime_u.mtime.seconds = 1000000000;
		sa.mtime.set_mtime_u.mtime.nseconds = 500;
		sa.atime.set_it = SET_TO_CLIENT_TIME;
		sa.atime.set_atime_u.atime.seconds = 999999999;
		expect(setattr(rpc, &f1, &sa, NULL), NFS3_OK, "SETATTR client times");
		getattr(rpc, &f1);
		check(R.attr.mtime.seconds == 1000000000 && R.attr.atime.seconds == 999999999,
		      "times set by the client (mtime %u atime %u)", R.attr.mtime.seconds,
		      R.attr.atime.seconds);
		sa = sattr_mode(-1);
		sa.uid.set_it = 1;
		sa.uid.set_uid3_u.uid = 4321;
		sa.gid.set_it = 1;
		sa.gid.set_gid3_u.gid = 4322;
		expect(setattr(rpc, &f1, &sa, NULL), NFS3_OK, "SETATTR uid/gid as root");
		getattr(rpc, &f1);
		check(R.attr.uid == 4321 && R.attr.gid == 4322, "owner is now 4321:4322");
		ctime = R.attr.ctime;
		sa = sattr_mode(0640);
		expect(setattr(rpc, &f1, &sa, &ctime), NFS3_OK, "SETATTR guarded by the right ctime");
		sa = sattr_mode(0644);
		ctime.seconds -= 1;
		expect(setattr(rpc, &f1, &sa, &ctime), NFS3ERR_NOT_SYNC,
		       "SETATTR guarded by a wrong ctime");
		getattr(rpc, &f1);
		check(mode_is(&R, 0640), "a NOT_SYNC SETATTR changed nothing (mode %o)", R.attr.mode);
		sa = sattr_mode(0644);
		sa.uid.set_it = 1;
		sa.uid.set_uid3_u.uid = 0;
		sa.gid.set_it = 1;
		sa.gid.set_gid3_u.gid = 0;
		setattr(rpc, &f1, &sa, NULL);
		sa = sattr_mode(-1);
		sa.size.set_it = 1;
		sa.size.set_size3_u.size = 0;
		st = setattr(rpc, &d1, &sa, NULL);
		check(st != NFS3_OK && st != -1, "SETATTR size on a directory is refused (%s)",
		      stat_name(st));
	}

	/* SYMLINK, READLINK */
	st = symlink3(rpc, w, "sl", "f1");
	expect(st, NFS3_OK, "SYMLINK sl → f1");
	sl = R.fh;
	check(R.has_fh && R.attr.type == NF3LNK, "SYMLINK returns a handle of a symlink");
	st = readlink3(rpc, &sl);
	expect(st, NFS3_OK, "READLINK sl");
	check(R.data && strcmp(R.data, "f1") == 0, "READLINK sl gives \"f1\" (\"%s\")",
	      R.data ? R.data : "");
	expect(readlink3(rpc, &f1), NFS3ERR_INVAL, "READLINK of a regular file");
	expect(symlink3(rpc, w, "sl", "other"), NFS3ERR_EXIST, "SYMLINK over an existing name");
	lookup(rpc, w, "sl");
	check(R.attr.type == NF3LNK, "LOOKUP does not follow a final symlink");
	st = symlink3(rpc, w, "sl-long", "a/b/c/../../d/with spaces/ünïcode");
	expect(st, NFS3_OK, "SYMLINK with a long, odd target");
	if (st == NFS3_OK) {
		struct fh h = R.fh;

		readlink3(rpc, &h);
		check(R.data && strcmp(R.data, "a/b/c/../../d/with spaces/ünïcode") == 0,
		      "READLINK returns the target byte for byte");
	}

	/* MKNOD */
	st = mknod3(rpc, w, "fifo", NF3FIFO, 0600, 0, 0);
	expect(st, NFS3_OK, "MKNOD FIFO");
	check(R.has_attr && R.attr.type == NF3FIFO && mode_is(&R, 0600), "MKNOD made a 0600 FIFO");
	st = mknod3(rpc, w, "chr", NF3CHR, 0600, 1, 3);
	expect(st, NFS3_OK, "MKNOD CHR 1,3 as root");
	check(R.has_attr && R.attr.type == NF3CHR && R.attr.rdev.specdata1 == 1 &&
		      R.attr.rdev.specdata2 == 3,
	      "MKNOD made character device 1,3 (%u,%u)", R.attr.rdev.specdata1,
	      R.attr.rdev.specdata2);
	expect(mknod3(rpc, w, "sock", NF3SOCK, 0644, 0, 0), NFS3_OK, "MKNOD SOCK");
	expect(mknod3(rpc, w, "reg", NF3REG, 0644, 0, 0), NFS3ERR_BADTYPE, "MKNOD of type REG");
	expect(mknod3(rpc, w, "dir", NF3DIR, 0644, 0, 0), NFS3ERR_BADTYPE, "MKNOD of type DIR");
	expect(mknod3(rpc, w, "fifo", NF3FIFO, 0600, 0, 0), NFS3ERR_EXIST, "MKNOD over a name");

	/* LINK */
	st = link3(rpc, &f1, w, "f1link");
	expect(st, NFS3_OK, "LINK f1 → f1link");
	check(R.has_attr && R.attr.nlink == 2, "LINK post-op nlink is 2 (%u)", R.attr.nlink);
	lookup(rpc, w, "f1link");
	check(R.attr.fileid == f1_id, "f1link is the same file as f1");
	expect(link3(rpc, &f1, w, "f1link"), NFS3ERR_EXIST, "LINK over an existing name");
	expect(link3(rpc, &f1, &f1, "x"), NFS3ERR_NOTDIR, "LINK into a regular file");

	/* REMOVE */
	expect(remove3(rpc, w, "f1link"), NFS3_OK, "REMOVE f1link");
	check(R.wcc.after.attributes_follow, "REMOVE returns the directory's wcc data");
	expect(remove3(rpc, w, "f1link"), NFS3ERR_NOENT, "REMOVE f1link again");
	getattr(rpc, &f1);
	check(R.attr.nlink == 1, "f1's nlink is back to 1");
	st = remove3(rpc, w, "d1");
	check(st != NFS3_OK && st != -1, "REMOVE of a directory is refused (%s)", stat_name(st));
	expect(remove3(rpc, &f1, "x"), NFS3ERR_NOTDIR, "REMOVE in a regular file");
	expect(remove3(rpc, w, "fifo"), NFS3_OK, "REMOVE fifo");
	expect(remove3(rpc, w, "chr"), NFS3_OK, "REMOVE chr");
	expect(remove3(rpc, w, "sock"), NFS3_OK, "REMOVE sock");

	/* RMDIR */
	mkdir3(rpc, &d1, "sub", 0755);
	sub = R.fh;
	create3(rpc, &sub, "inner", UNCHECKED, 0644, NULL);
	expect(rmdir3(rpc, w, "d1"), NFS3ERR_NOTEMPTY, "RMDIR of a non-empty directory");
	expect(rmdir3(rpc, w, "f1"), NFS3ERR_NOTDIR, "RMDIR of a regular file");
	expect(rmdir3(rpc, w, "nothere"), NFS3ERR_NOENT, "RMDIR of a missing name");
	st = rmdir3(rpc, &d1, ".");
	check(st == NFS3ERR_INVAL || st == NFS3ERR_NOTEMPTY || st == NFS3ERR_EXIST ||
		      st == NFS3ERR_ACCES,
	      "RMDIR . is refused (%s)", stat_name(st));

	/* RENAME */
	expect(rename3(rpc, w, "d1", &sub, "moved"), NFS3ERR_INVAL,
	       "RENAME a directory into its own subdirectory");
	expect(rename3(rpc, w, "d1", &d1, "self"), NFS3ERR_INVAL,
	       "RENAME a directory into itself");
	expect(rename3(rpc, w, "nothere", w, "x"), NFS3ERR_NOENT, "RENAME of a missing name");
	expect(rename3(rpc, w, "f1", &f1, "x"), NFS3ERR_NOTDIR, "RENAME into a regular file");
	expect(rename3(rpc, w, "f1", w, "d1"), NFS3ERR_ISDIR, "RENAME a file over a directory");
	expect(rename3(rpc, w, "d1", w, "f1"), NFS3ERR_NOTDIR, "RENAME a directory over a file");
	mkdir3(rpc, w, "dir_a", 0755);
	dir_a = R.fh;
	mkdir3(rpc, w, "dir_b", 0755);
	dir_b = R.fh;
	create3(rpc, &dir_b, "keep", UNCHECKED, 0644, NULL);
	st = rename3(rpc, w, "dir_a", w, "dir_b");
	check(st == NFS3ERR_NOTEMPTY || st == NFS3ERR_EXIST,
	      "RENAME a directory over a non-empty one → %s (NOTEMPTY or EXIST)", stat_name(st));
	remove3(rpc, &dir_b, "keep");
	expect(rename3(rpc, w, "dir_a", w, "dir_b"), NFS3_OK,
	       "RENAME a directory over an empty one");
	expect(getattr(rpc, &dir_a), NFS3_OK, "the renamed directory's handle still works");
	expect(getattr(rpc, &dir_b), NFS3ERR_STALE, "the replaced directory's handle is stale");
	expect(rename3(rpc, w, "f1", w, "f1-renamed"), NFS3_OK, "RENAME f1 → f1-renamed");
	expect(lookup(rpc, w, "f1"), NFS3ERR_NOENT, "the old name is gone");
	expect(lookup(rpc, w, "f1-renamed"), NFS3_OK, "the new name is there");
	check(R.attr.fileid == f1_id, "it is the same file");
	expect(getattr(rpc, &f1), NFS3_OK, "a handle survives a rename");
	create3(rpc, w, "victim", UNCHECKED, 0644, NULL);
	expect(rename3(rpc, w, "f1-renamed", w, "victim"), NFS3_OK, "RENAME over a file");
	lookup(rpc, w, "victim");
	check(R.attr.fileid == f1_id, "the target name now holds the renamed file");
	expect(rename3(rpc, w, "victim", &d1, "f1"), NFS3_OK, "RENAME across directories");
	expect(rename3(rpc, &d1, "f1", w, "f1"), NFS3_OK, "RENAME back");
	expect(rename3(rpc, w, "f1", w, "f1"), NFS3_OK, "RENAME onto itself");
	expect(rename3(rpc, w, "f1", w, longname), NFS3ERR_NAMETOOLONG,
	       "RENAME to a 299-byte name");

	/* a deleted object's handle is STALE */
	st = create3(rpc, w, "gone", UNCHECKED, 0644, NULL);
	{
		struct fh gone = R.fh;

		remove3(rpc, w, "gone");
		expect(getattr(rpc, &gone), NFS3ERR_STALE, "GETATTR of a deleted file's handle");
		expect(read3(rpc, &gone, 0, 10), NFS3ERR_STALE, "READ of a deleted file's handle");
		expect(write3(rpc, &gone, 0, "x", 1, UNSTABLE), NFS3ERR_STALE,
		       "WRITE to a deleted file's handle");
		expect(setattr(rpc, &gone, &(sattr3){ 0 }, NULL), NFS3ERR_STALE,
		       "SETATTR of a deleted file's handle");
	}
	remove3(rpc, &sub, "inner");
	rmdir3(rpc, &d1, "sub");
	expect(lookup(rpc, &sub, "x"), NFS3ERR_STALE, "LOOKUP in a deleted directory's handle");
	expect(readdir3(rpc, &sub, 0, NULL, 4096), NFS3ERR_STALE,
	       "READDIR of a deleted directory's handle");
	expect(create3(rpc, &sub, "x", UNCHECKED, 0644, NULL), NFS3ERR_STALE,
	       "CREATE in a deleted directory's handle");
	expect(rmdir3(rpc, w, "d1"), NFS3_OK, "RMDIR of an empty directory");
	expect(getattr(rpc, &d1), NFS3ERR_STALE, "GETATTR of a removed directory");
}

/* READ, WRITE, COMMIT and their errors on file @w/io. */
static void t_io(struct rpc_context *rpc, const struct fh *w)
{
	static uint8_t buf[65536], got[65536];
	char verf[8], verf2[8];
	struct fh f;
	uint32_t wtmax, rtmax;
	int st, i;

	fsinfo3(rpc, w);
	wtmax = R.fsinfo.wtmax ? R.fsinfo.wtmax : 32768;
	rtmax = R.fsinfo.rtmax ? R.fsinfo.rtmax : 32768;
	if (wtmax > sizeof(buf))
		wtmax = sizeof(buf);
	if (rtmax > sizeof(got))
		rtmax = sizeof(got);
	if (create3(rpc, w, "io", UNCHECKED, 0644, NULL) != NFS3_OK) {
		check(false, "CREATE io");
		return;
	}
	f = R.fh;

	fill_pattern(buf, wtmax, 0, 1);
	st = write3(rpc, &f, 0, buf, wtmax, UNSTABLE);
	expect(st, NFS3_OK, "WRITE UNSTABLE %u bytes at 0", wtmax);
	check(R.count == wtmax, "WRITE wrote all %u bytes (%u)", wtmax, R.count);
	check(R.committed >= UNSTABLE && R.committed <= FILE_SYNC, "WRITE committed %d",
	      R.committed);
	check(R.wcc.after.attributes_follow && R.attr.size == wtmax,
	      "WRITE returns post-op attributes with the new size");
	memcpy(verf, R.verf, 8);
	fill_pattern(buf, wtmax, wtmax, 1);
	st = write3(rpc, &f, wtmax, buf, wtmax, FILE_SYNC);
	expect(st, NFS3_OK, "WRITE FILE_SYNC %u bytes at %u", wtmax, wtmax);
	check(R.committed == FILE_SYNC, "WRITE FILE_SYNC is committed FILE_SYNC (%d)",
	      R.committed);
	check(memcmp(R.verf, verf, 8) == 0, "the write verifier is the same for every WRITE");
	fill_pattern(buf, 1000, 2 * wtmax, 1);
	st = write3(rpc, &f, 2 * wtmax, buf, 1000, DATA_SYNC);
	expect(st, NFS3_OK, "WRITE DATA_SYNC 1000 bytes");
	check(R.committed >= DATA_SYNC, "WRITE DATA_SYNC is committed at least DATA_SYNC (%d)",
	      R.committed);
	check(memcmp(R.verf, verf, 8) == 0, "same write verifier after DATA_SYNC");
	st = commit3(rpc, &f);
	expect(st, NFS3_OK, "COMMIT");
	memcpy(verf2, R.verf, 8);
	check(memcmp(verf2, verf, 8) == 0, "COMMIT's verifier equals the WRITEs'");

	/* read it back in rtmax pieces */
	{
		uint64_t size = 2ULL * wtmax + 1000, off = 0;
		bool same = true, eof = false;

		while (off < size && !eof) {
			st = read3(rpc, &f, off, rtmax);
			if (st != NFS3_OK || R.data_len == 0)
				break;
			fill_pattern(got, R.data_len, off, 1);
			same &= memcmp(got, R.data, R.data_len) == 0;
			same &= R.count == R.data_len;
			eof = R.eof;
			off += R.data_len;
		}
		expect(st, NFS3_OK, "READ the file back in %u-byte pieces", rtmax);
		check(same && off == size, "READ returns what was written (%" PRIu64 " of %" PRIu64
		      " bytes)", off, size);
		check(eof, "the last READ reports eof");
	}
	st = read3(rpc, &f, 1ULL << 40, 100);
	expect(st, NFS3_OK, "READ past the end");
	check(R.count == 0 && R.eof, "READ past the end: 0 bytes and eof");
	st = read3(rpc, &f, 10, 0);
	expect(st, NFS3_OK, "READ of 0 bytes");
	check(R.count == 0, "READ of 0 bytes returns nothing");
	/* sparse write far out */
	st = write3(rpc, &f, 10 * 1024 * 1024, "tail", 4, FILE_SYNC);
	expect(st, NFS3_OK, "WRITE at 10 MiB (a hole)");
	read3(rpc, &f, 5 * 1024 * 1024, 16);
	check(R.data_len == 16 && memcmp(R.data, "\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0\0", 16) == 0,
	      "a hole reads as zeros");
	read3(rpc, &f, 10 * 1024 * 1024, 100);
	check(R.data_len == 4 && memcmp(R.data, "tail", 4) == 0 && R.eof,
	      "data after the hole reads back with eof");

	expect(read3(rpc, w, 0, 100), NFS3ERR_ISDIR, "READ of a directory");
	expect(write3(rpc, w, 0, "x", 1, UNSTABLE), NFS3ERR_ISDIR, "WRITE to a directory");
	if (symlink3(rpc, w, "io-link", "io") == NFS3_OK) {
		struct fh l = R.fh;

		st = read3(rpc, &l, 0, 10);
		check(st == NFS3ERR_INVAL || st == NFS3ERR_BADTYPE || st == NFS3ERR_ISDIR,
		      "READ of a symlink is refused (%s)", stat_name(st));
	}

	/* many small concurrent unstable writes, then COMMIT */
	{
		size_t base = completed;
		const int n = 64;
		struct pending p[64];
		WRITE3args a[64];
		bool all_ok = true;

		fill_pattern(buf, 4096 * 64 > sizeof(buf) ? sizeof(buf) : 4096 * 64, 0, 9);
		for (i = 0; i < n; i++) {
			memset(&p[i], 0, sizeof(p[i]));
			memset(&a[i], 0, sizeof(a[i]));
			a[i].file = fh3(&f);
			a[i].offset = (uint64_t)i * 1024;
			a[i].count = 1024;
			a[i].stable = UNSTABLE;
			a[i].data.data_len = 1024;
			a[i].data.data_val = (char *)buf + i * 1024;
			if (rpc_nfs3_write_async(rpc, pending_cb, &a[i], &p[i]) != 0)
				all_ok = false;
		}
		if (all_ok && service_until(rpc, base + n) < 0)
			all_ok = false;
		for (i = 0; i < n && all_ok; i++)
			all_ok = p[i].rpc_status == RPC_STATUS_SUCCESS && p[i].stat == NFS3_OK;
		check(all_ok, "64 pipelined 1 KiB UNSTABLE WRITEs all succeed");
		expect(commit3(rpc, &f), NFS3_OK, "COMMIT after pipelined writes");
		read3(rpc, &f, 0, 65536 > rtmax ? rtmax : 65536);
		check(R.data_len >= 4096 && memcmp(R.data, buf, R.data_len) == 0,
		      "pipelined writes read back in order");
	}
	remove3(rpc, w, "io-link");
}

/* ACCESS, and ACCES errors for a non-root caller. */
static void t_access(struct rpc_context *rpc, const struct fh *w)
{
	struct rpc_context *user = conn_open(NFS_PROGRAM, NFS_V3, NOBODY_UID, NOBODY_GID);
	struct fh priv, secret, pub, userdir;
	const uint32_t all = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND |
			     ACCESS3_DELETE | ACCESS3_EXECUTE;
	int st;

	if (!check(user != NULL, "connect as uid %d", NOBODY_UID))
		return;
	mkdir3(rpc, w, "private", 0700);
	priv = R.fh;
	create3(rpc, &priv, "inside", UNCHECKED, 0644, NULL);
	create3(rpc, w, "secret", UNCHECKED, 0600, NULL);
	secret = R.fh;
	write3(rpc, &secret, 0, "secret", 6, FILE_SYNC);
	create3(rpc, w, "public", UNCHECKED, 0644, NULL);
	pub = R.fh;
	write3(rpc, &pub, 0, "public", 6, FILE_SYNC);
	{
		sattr3 sa = sattr_mode(0777);

		setattr(rpc, w, &sa, NULL); /* others may create in w */
	}

	st = access3(rpc, &pub, all);
	expect(st, NFS3_OK, "ACCESS as root on a 0644 file");
	check((R.access & (ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND)) ==
		      (ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND) &&
		      !(R.access & ACCESS3_EXECUTE),
	      "root may read and modify, not execute a 0644 file (0x%x)", R.access);
	check((R.access & ~all) == 0, "ACCESS grants only bits that were asked for");
	st = access3(user, &pub, all);
	expect(st, NFS3_OK, "ACCESS as uid %d on root's 0644 file", NOBODY_UID);
	check((R.access & ACCESS3_READ) && !(R.access & (ACCESS3_MODIFY | ACCESS3_EXTEND)),
	      "uid %d may read, not modify (0x%x)", NOBODY_UID, R.access);
	st = access3(user, &priv, all);
	expect(st, NFS3_OK, "ACCESS as uid %d on root's 0700 directory", NOBODY_UID);
	check(!(R.access & (ACCESS3_LOOKUP | ACCESS3_READ | ACCESS3_MODIFY)),
	      "uid %d may not look into or change a 0700 directory (0x%x)", NOBODY_UID, R.access);
	st = access3(rpc, &priv, ACCESS3_READ);
	check(st == NFS3_OK && R.access == ACCESS3_READ, "ACCESS grants exactly what was asked");

	expect(lookup(user, &priv, "inside"), NFS3ERR_ACCES, "LOOKUP in a 0700 dir as uid %d",
	       NOBODY_UID);
	expect(create3(user, &priv, "mine", UNCHECKED, 0644, NULL), NFS3ERR_ACCES,
	       "CREATE in a 0700 dir as uid %d", NOBODY_UID);
	expect(mkdir3(user, &priv, "mine", 0755), NFS3ERR_ACCES, "MKDIR in a 0700 dir as uid %d",
	       NOBODY_UID);
	expect(readdir3(user, &priv, 0, NULL, 4096), NFS3ERR_ACCES,
	       "READDIR of a 0700 dir as uid %d", NOBODY_UID);
	expect(remove3(user, &priv, "inside"), NFS3ERR_ACCES, "REMOVE in a 0700 dir as uid %d",
	       NOBODY_UID);
	expect(read3(user, &secret, 0, 10), NFS3ERR_ACCES, "READ of a 0600 root file as uid %d",
	       NOBODY_UID);
	expect(write3(user, &pub, 0, "x", 1, FILE_SYNC), NFS3ERR_ACCES,
	       "WRITE to a 0644 root file as uid %d", NOBODY_UID);
	{
		sattr3 sa = sattr_mode(0666);

		expect(setattr(user, &pub, &sa, NULL), NFS3ERR_PERM,
		       "SETATTR mode of root's file as uid %d", NOBODY_UID);
		sa = sattr_mode(-1);
		sa.uid.set_it = 1;
		sa.uid.set_uid3_u.uid = NOBODY_UID;
		expect(setattr(user, &pub, &sa, NULL), NFS3ERR_PERM,
		       "SETATTR (chown to self) of root's file as uid %d", NOBODY_UID);
	}
	expect(read3(user, &pub, 0, 10), NFS3_OK, "READ of a 0644 root file as uid %d",
	       NOBODY_UID);
	check(R.data_len == 6 && memcmp(R.data, "public", 6) == 0, "the read data is right");

	/* what a user creates is theirs */
	st = mkdir3(user, w, "userdir", 0755);
	expect(st, NFS3_OK, "MKDIR in a 0777 directory as uid %d", NOBODY_UID);
	userdir = R.fh;
	check(R.attr.uid == NOBODY_UID && R.attr.gid == NOBODY_GID,
	      "the new directory belongs to %d:%d (%u:%u)", NOBODY_UID, NOBODY_GID, R.attr.uid,
	      R.attr.gid);
	expect(create3(user, &userdir, "f", UNCHECKED, 0600, NULL), NFS3_OK,
	       "CREATE in one's own directory");
	{
		sattr3 sa = sattr_mode(0700);

		expect(setattr(user, &userdir, &sa, NULL), NFS3_OK, "SETATTR mode of one's own dir");
	}
	expect(remove3(user, &userdir, "f"), NFS3_OK, "REMOVE in one's own directory");
	expect(rmdir3(user, w, "userdir"), NFS3_OK, "RMDIR of one's own directory");
	{
		sattr3 sa = sattr_mode(0755);

		setattr(rpc, w, &sa, NULL);
	}
	rpc_destroy_context(user);
}

/* Forged and damaged handles are BADHANDLE, never resolved; a handle
 * whose key id (bytes 1-4 of a version 3 handle) names a secret the server
 * does not have is STALE. */
static void t_badhandle(struct rpc_context *rpc, const struct fh *root, const struct fh *w)
{
	struct fh bad;
	uint32_t i;
	int flips_ok = 0, st;

	for (i = 0; i < w->len; i++) {
		bool keyid = w->data[0] == 3 && i >= 1 && i < 5;

		bad = *w;
		bad.data[i] ^= 0x01;
		st = getattr(rpc, &bad);
		if (st == (keyid ? NFS3ERR_STALE : NFS3ERR_BADHANDLE))
			flips_ok++;
		else
			printf("      byte %u flipped: %s\n", i, stat_name(st));
	}
	check(flips_ok == (int)w->len, "GETATTR with one bit flipped, at each of %u bytes → "
	      "BADHANDLE, STALE in the key id (%d did)", w->len, flips_ok);
	bad = *w;
	bad.data[w->len / 2] ^= 0xff;
	expect(lookup(rpc, &bad, "x"), NFS3ERR_BADHANDLE, "LOOKUP in a forged handle");
	expect(readdir3(rpc, &bad, 0, NULL, 4096), NFS3ERR_BADHANDLE, "READDIR of a forged handle");
	expect(create3(rpc, &bad, "x", UNCHECKED, 0644, NULL), NFS3ERR_BADHANDLE,
	       "CREATE in a forged handle");
	bad = *w;
	bad.len = w->len - 1;
	expect(getattr(rpc, &bad), NFS3ERR_BADHANDLE, "GETATTR of a truncated handle");
	bad.len = 4;
	expect(getattr(rpc, &bad), NFS3ERR_BADHANDLE, "GETATTR of a 4-byte handle");
	bad.len = 0;
	expect(getattr(rpc, &bad), NFS3ERR_BADHANDLE, "GETATTR of an empty handle");
	if (w->len + 4 <= NFS3_FHSIZE) {
		bad = *w;
		memset(bad.data + w->len, 0, 4);
		bad.len = w->len + 4;
		expect(getattr(rpc, &bad), NFS3ERR_BADHANDLE, "GETATTR of a zero-padded handle");
	}
	bad = *w;
	memset(bad.data, 0, bad.len);
	expect(getattr(rpc, &bad), NFS3ERR_BADHANDLE, "GETATTR of an all-zero handle");
	/* the front of one real handle with the back of another: still needs the MAC */
	if (root->len == w->len && memcmp(root->data, w->data, w->len) != 0) {
		bad = *root;
		memcpy(bad.data + bad.len / 2, w->data + w->len / 2, bad.len - bad.len / 2);
		if (memcmp(bad.data, root->data, root->len) != 0 &&
		    memcmp(bad.data, w->data, w->len) != 0)
			expect(getattr(rpc, &bad), NFS3ERR_BADHANDLE,
			       "GETATTR of a handle spliced from two real ones");
	}
	expect(getattr(rpc, w), NFS3_OK, "the real handle still works");
}

/* Every name of a directory listing, exactly once. */
struct listing {
	unsigned *seen;        /* per f%05d index */
	unsigned dot, dotdot, other, calls, max_per_call;
	bool cookies_ok, attrs_ok;
};

static bool listing_add(struct listing *l, const struct dent *d, bool plus)
{
	unsigned idx;
	char extra;

	if (d->cookie == 0)
		l->cookies_ok = false;
	if (strcmp(d->name, ".") == 0)
		l->dot++;
	else if (strcmp(d->name, "..") == 0)
		l->dotdot++;
	else if (sscanf(d->name, "f%05u%c", &idx, &extra) == 1 && idx < BIGDIR_ENTRIES)
		l->seen[idx]++;
	else
		l->other++;
	if (plus && d->name[0] != '.') {
		if (!d->has_attr || !d->has_fh || d->attr.fileid != d->fileid ||
		    d->attr.type != NF3REG)
			l->attrs_ok = false;
	}
	return true;
}

static void t_bigdir_list(struct rpc_context *rpc, const struct fh *dir, bool plus,
			  uint32_t dircount, uint32_t maxcount)
{
	struct listing l = { .cookies_ok = true, .attrs_ok = true };
	char verf[8] = { 0 };
	uint64_t cookie = 0;
	unsigned missing = 0, twice = 0, i;
	bool eof = false;
	int st = NFS3_OK;
	struct fh sample = { 0 };

	l.seen = calloc(BIGDIR_ENTRIES, sizeof(unsigned));
	while (!eof) {
		size_t k;

		st = plus ? readdirplus3(rpc, dir, cookie, verf, dircount, maxcount)
			  : readdir3(rpc, dir, cookie, verf, maxcount);
		if (st != NFS3_OK || (R.nents == 0 && !R.eof))
			break;
		l.calls++;
		if (R.nents > l.max_per_call)
			l.max_per_call = R.nents;
		for (k = 0; k < R.nents; k++) {
			listing_add(&l, &R.ents[k], plus);
			if (plus && !sample.len && R.ents[k].has_fh && R.ents[k].name[0] != '.')
				sample = R.ents[k].fh;
		}
		if (R.nents)
			cookie = R.ents[R.nents - 1].cookie;
		memcpy(verf, R.verf, 8);
		eof = R.eof;
		if (l.calls > 100000)
			break;
	}
	for (i = 0; i < BIGDIR_ENTRIES; i++) {
		missing += l.seen[i] == 0;
		twice += l.seen[i] > 1;
	}
	if (plus)
		expect(st, NFS3_OK, "READDIRPLUS dircount %u maxcount %u to the end (%u calls, "
		       "≤%u entries each)", dircount, maxcount, l.calls, l.max_per_call);
	else
		expect(st, NFS3_OK, "READDIR count %u to the end (%u calls, ≤%u entries each)",
		       maxcount, l.calls, l.max_per_call);
	check(eof && missing == 0 && twice == 0 && l.other == 0 && l.dot == 1 && l.dotdot == 1,
	      "  every one of %d names exactly once (missing %u, twice %u, unknown %u, . %u, .. %u)",
	      BIGDIR_ENTRIES, missing, twice, l.other, l.dot, l.dotdot);
	check(l.cookies_ok, "  no entry has cookie 0");
	check(l.calls > 1 || maxcount >= 65536, "  the listing took several replies (%u)", l.calls);
	if (plus) {
		check(l.attrs_ok, "  every entry has attributes and a handle, fileids agree");
		if (sample.len)
			expect(getattr(rpc, &sample), NFS3_OK, "  a handle from READDIRPLUS works");
	}
	free(l.seen);
}

/* Pipelined CREATEs of f00000..f{n-1} in @dir. Returns the number that failed. */
static unsigned create_many(struct rpc_context *rpc, const struct fh *dir, unsigned n)
{
	enum { WINDOW = 64 };
	struct pending p[WINDOW];
	CREATE3args a[WINDOW];
	char names[WINDOW][16];
	unsigned next = 0, fails = 0, slot;
	bool busy[WINDOW] = { false };
	size_t inflight = 0;

	for (;;) {
		for (slot = 0; slot < WINDOW && next < n; slot++) {
			if (busy[slot])
				continue;
			memset(&p[slot], 0, sizeof(p[slot]));
			memset(&a[slot], 0, sizeof(a[slot]));
			snprintf(names[slot], sizeof(names[slot]), "f%05u", next++);
			a[slot].where.dir = fh3(dir);
			a[slot].where.name = names[slot];
			a[slot].how.mode = UNCHECKED;
			a[slot].how.createhow3_u.obj_attributes = sattr_mode(0644);
			if (rpc_nfs3_create_async(rpc, pending_cb, &a[slot], &p[slot]) != 0) {
				fails++;
				continue;
			}
			busy[slot] = true;
			inflight++;
		}
		if (!inflight)
			break;
		{
			bool any = false;

			for (slot = 0; slot < WINDOW; slot++)
				any |= busy[slot] && p[slot].done;
			if (!any && service_until(rpc, completed + 1) < 0)
				return fails + (unsigned)inflight + (n - next);
		}
		for (slot = 0; slot < WINDOW; slot++) {
			if (busy[slot] && p[slot].done) {
				if (p[slot].rpc_status != RPC_STATUS_SUCCESS || p[slot].stat != NFS3_OK)
					fails++;
				busy[slot] = false;
				inflight--;
			}
		}
	}
	return fails;
}

/* rm -rf over the wire: list "rmrf" a page at a time, REMOVE each entry
 * of the page, resume after its last cookie with the verifier the reply
 * gave; one pass must remove every entry. */
static void t_readdir_rmrf(struct rpc_context *rpc, const struct fh *w)
{
	enum { N = 600 };
	struct fh dir;
	char verf[8] = {0}, (*names)[64] = calloc(N + 2, 64);
	uint64_t cookie = 0;
	unsigned removed = 0, pages = 0;
	bool eof = false;

	if (!check(names != NULL, "rmrf: memory"))
		return;
	mkdir3(rpc, w, "rmrf", 0755);
	dir = R.fh;
	check(create_many(rpc, &dir, N) == 0, "rmrf: CREATE %d files", N);
	while (!eof && pages++ < 10 * N) {
		size_t n = 0, k;

		if (readdir3(rpc, &dir, cookie, verf, 1024) != NFS3_OK)
			break;
		eof = R.eof;
		memcpy(verf, R.verf, 8);
		if (R.nents)
			cookie = R.ents[R.nents - 1].cookie;
		for (k = 0; k < R.nents && n < N + 2; k++)
			if (R.ents[k].name[0] != '.')
				snprintf(names[n++], 64, "%s", R.ents[k].name);
		for (k = 0; k < n; k++)
			removed += remove3(rpc, &dir, names[k]) == NFS3_OK;
	}
	check(eof && removed == N, "rmrf: REMOVE while listing removes every entry (%u of %d, %u pages)",
	      removed, N, pages);
	expect(rmdir3(rpc, w, "rmrf"), NFS3_OK, "rmrf: RMDIR the emptied directory");
	free(names);
}

static void t_readdir(struct rpc_context *rpc, const struct fh *w)
{
	struct fh small, big, file;
	char verf[8];
	uint64_t cookie;
	unsigned fails;
	int st;

	mkdir3(rpc, w, "small", 0755);
	small = R.fh;
	create3(rpc, &small, "a", UNCHECKED, 0644, NULL);
	file = R.fh;
	create3(rpc, &small, "b b", UNCHECKED, 0644, NULL);
	create3(rpc, &small, "ünïcödé", UNCHECKED, 0644, NULL);
	mkdir3(rpc, &small, "sub", 0755);
	st = readdir3(rpc, &small, 0, NULL, 8192);
	expect(st, NFS3_OK, "READDIR of a small directory");
	check(R.eof && R.nents == 6 && ents_have(".", false) && ents_have("..", false) &&
		      ents_have("a", false) && ents_have("b b", false) &&
		      ents_have("ünïcödé", false) && ents_have("sub", false),
	      "READDIR lists . .. a \"b b\" ünïcödé sub in one reply (%zu entries)", R.nents);
	st = readdirplus3(rpc, &small, 0, NULL, 4096, 8192);
	expect(st, NFS3_OK, "READDIRPLUS of a small directory");
	{
		bool types = R.nents == 6;
		size_t k;

		for (k = 0; k < R.nents; k++) {
			if (strcmp(R.ents[k].name, "sub") == 0)
				types &= R.ents[k].has_attr && R.ents[k].attr.type == NF3DIR;
			if (strcmp(R.ents[k].name, "a") == 0)
				types &= R.ents[k].has_attr && R.ents[k].attr.type == NF3REG &&
					 R.ents[k].has_fh;
		}
		check(types, "READDIRPLUS entries carry attributes and handles");
	}
	expect(readdir3(rpc, &file, 0, NULL, 4096), NFS3ERR_NOTDIR, "READDIR of a regular file");
	expect(readdirplus3(rpc, &file, 0, NULL, 4096, 8192), NFS3ERR_NOTDIR,
	       "READDIRPLUS of a regular file");
	expect(readdir3(rpc, &small, 0, NULL, 10), NFS3ERR_TOOSMALL,
	       "READDIR with count 10 (too small for one entry)");
	expect(readdirplus3(rpc, &small, 0, NULL, 10, 20), NFS3ERR_TOOSMALL,
	       "READDIRPLUS with maxcount 20 (too small for one entry)");

	/* the big directory */
	mkdir3(rpc, w, "big", 0755);
	big = R.fh;
	fails = create_many(rpc, &big, BIGDIR_ENTRIES);
	check(fails == 0, "CREATE %d files, 64 calls in flight (%u failed)", BIGDIR_ENTRIES, fails);
	t_bigdir_list(rpc, &big, false, 0, 512);
	t_bigdir_list(rpc, &big, false, 0, 4096);
	t_bigdir_list(rpc, &big, false, 0, 32768);
	t_bigdir_list(rpc, &big, true, 512, 1024);
	t_bigdir_list(rpc, &big, true, 4096, 8192);
	t_bigdir_list(rpc, &big, true, 32768, 65536);

	/* the verifier does not change with the entries (knfsd: never
	 * checked); only a cookie the store never gave is refused */
	st = readdir3(rpc, &big, 0, NULL, 512);
	expect(st, NFS3_OK, "READDIR first page");
	cookie = R.nents ? R.ents[R.nents - 1].cookie : 0;
	memcpy(verf, R.verf, 8);
	st = readdir3(rpc, &big, cookie, verf, 512);
	expect(st, NFS3_OK, "READDIR next page with the current verifier");
	create3(rpc, &big, "zz-new", UNCHECKED, 0644, NULL);
	expect(readdir3(rpc, &big, cookie, verf, 512), NFS3_OK,
	       "READDIR with the verifier from before a CREATE in the directory");
	expect(readdirplus3(rpc, &big, cookie, verf, 512, 4096), NFS3_OK,
	       "READDIRPLUS with the verifier from before a CREATE in the directory");
	expect(readdir3(rpc, &big, UINT64_C(1) << 60, verf, 512), NFS3ERR_BAD_COOKIE,
	       "READDIR at a cookie the directory never gave");
	expect(readdirplus3(rpc, &big, UINT64_C(1) << 60, verf, 512, 4096), NFS3ERR_BAD_COOKIE,
	       "READDIRPLUS at a cookie the directory never gave");
	t_readdir_rmrf(rpc, w);
	st = readdir3(rpc, &big, 0, NULL, 512);
	expect(st, NFS3_OK, "READDIR from cookie 0 after the change");
}

/* The high-level libnfs API: a multi-megabyte file and directory walk. */
static void t_highlevel(void)
{
	struct nfs_context *nfs = nfs_init_context();
	struct nfsfh *fh = NULL;
	struct nfs_stat_64 st;
	struct statvfs sv;
	const size_t size = 8 << 20, chunk = 1 << 20;
	uint8_t *buf = malloc(chunk), *got = malloc(chunk);
	size_t off;
	bool same = true;
	int rc;

	if (!check(nfs && buf && got, "libnfs context")) {
		goto out;
	}
	rc = nfs_mount(nfs, server, "/");
	if (!check(rc == 0, "nfs_mount %s:/ (%s)", server, rc ? nfs_get_error(nfs) : "ok"))
		goto out;
	check(nfs_mkdir(nfs, "/hl") == 0, "nfs_mkdir /hl");
	rc = nfs_creat(nfs, "/hl/big", 0644, &fh);
	if (!check(rc == 0, "nfs_creat /hl/big"))
		goto out;
	for (off = 0; off < size; off += chunk) {
		fill_pattern(buf, chunk, off, 3);
		if (nfs_pwrite(nfs, fh, off, chunk, buf) != (int)chunk)
			same = false;
	}
	check(same, "nfs_pwrite 8 MiB in 1 MiB calls");
	check(nfs_fsync(nfs, fh) == 0, "nfs_fsync");
	nfs_close(nfs, fh);
	fh = NULL;
	memset(&st, 0, sizeof(st));
	rc = nfs_stat64(nfs, "/hl/big", &st);
	check(rc == 0 && st.nfs_size == size, "nfs_stat64 size %" PRIu64, (uint64_t)st.nfs_size);
	rc = nfs_open(nfs, "/hl/big", O_RDONLY, &fh);
	if (check(rc == 0, "nfs_open /hl/big")) {
		for (off = 0; off < size && same; off += chunk) {
			fill_pattern(buf, chunk, off, 3);
			if (nfs_pread(nfs, fh, off, chunk, got) != (int)chunk ||
			    memcmp(buf, got, chunk) != 0)
				same = false;
		}
		check(same, "nfs_pread reads the 8 MiB back intact");
		nfs_close(nfs, fh);
	}
	check(nfs_statvfs(nfs, "/", &sv) == 0 && sv.f_blocks > 0, "nfs_statvfs");
	{
		struct nfsdir *d;
		struct nfsdirent *e;
		unsigned n = 0;

		if (check(nfs_opendir(nfs, "/big", &d) == 0, "nfs_opendir /big")) {
			while ((e = nfs_readdir(nfs, d)))
				n++;
			nfs_closedir(nfs, d);
			check(n == BIGDIR_ENTRIES + 3, "nfs_readdir counts %u entries of /big", n);
		}
	}
	check(nfs_rename(nfs, "/hl/big", "/hl/big2") == 0, "nfs_rename");
	check(nfs_unlink(nfs, "/hl/big2") == 0, "nfs_unlink");
	check(nfs_rmdir(nfs, "/hl") == 0, "nfs_rmdir");
	nfs_umount(nfs);
out:
	if (nfs)
		nfs_destroy_context(nfs);
	free(buf);
	free(got);
}

/* ------------------------------------------------------------- wcc data */

/* Do the pre-op attributes @pre equal @a, attributes taken just before? */
static bool pre_is(const pre_op_attr *pre, const fattr3 *a)
{
	const wcc_attr *w = &pre->pre_op_attr_u.attributes;

	return pre->attributes_follow && w->size == a->size &&
	       w->mtime.seconds == a->mtime.seconds && w->mtime.nseconds == a->mtime.nseconds &&
	       w->ctime.seconds == a->ctime.seconds && w->ctime.nseconds == a->ctime.nseconds;
}

/* Has the change shown in the post-op attributes (ctime moved on)? */
static bool post_changed(const post_op_attr *post, const fattr3 *a)
{
	const fattr3 *p = &post->post_op_attr_u.attributes;

	return post->attributes_follow && (p->ctime.seconds != a->ctime.seconds ||
					   p->ctime.nseconds != a->ctime.nseconds);
}

/* Let the clock tick past the file system's timestamp granularity, so a
 * change made now has other times than attributes taken before. */
static void tick(void)
{
	struct timespec ts = { 0, 20 * 1000 * 1000 };

	nanosleep(&ts, NULL);
}

/*
 * RFC 1813 weak cache consistency: the pre-op attributes of a change are
 * the object's attributes right before it (equal to a GETATTR made just
 * before, nothing else having happened), the post-op ones show the
 * change. Storage takes both around the change itself.
 */
static void t_wcc(struct rpc_context *rpc, const struct fh *w)
{
	struct fh d, a, b, f;
	fattr3 before, before2;
	uint32_t nlink;

	if (mkdir3(rpc, w, "wcc", 0755) != NFS3_OK) {
		check(false, "MKDIR wcc");
		return;
	}
	d = R.fh;
	mkdir3(rpc, &d, "a", 0755);
	a = R.fh;
	mkdir3(rpc, &d, "b", 0755);
	b = R.fh;

	getattr(rpc, &d);
	before = R.attr;
	tick();
	expect(create3(rpc, &d, "f", UNCHECKED, 0644, NULL), NFS3_OK, "CREATE wcc/f");
	f = R.fh;
	check(pre_is(&R.wcc.before, &before),
	      "CREATE's dir_wcc.before equals the directory's attributes just before");
	check(post_changed(&R.wcc.after, &before), "CREATE's dir_wcc.after shows the new entry");

	getattr(rpc, &f);
	before = R.attr;
	tick();
	expect(write3(rpc, &f, 0, "0123456789", 10, UNSTABLE), NFS3_OK, "WRITE 10 bytes");
	check(pre_is(&R.wcc.before, &before) && before.size == 0,
	      "WRITE's file_wcc.before equals the file's attributes just before");
	check(R.wcc.after.attributes_follow && R.wcc.after.post_op_attr_u.attributes.size == 10,
	      "WRITE's file_wcc.after has the new size");

	getattr(rpc, &f);
	before = R.attr;
	tick();
	{
		sattr3 sa = sattr_mode(-1);

		sa.size.set_it = 1;
		sa.size.set_size3_u.size = 4;
		expect(setattr(rpc, &f, &sa, NULL), NFS3_OK, "SETATTR size 4");
	}
	check(pre_is(&R.wcc.before, &before) && before.size == 10,
	      "SETATTR's obj_wcc.before equals the file's attributes just before");
	check(R.wcc.after.attributes_follow && R.wcc.after.post_op_attr_u.attributes.size == 4,
	      "SETATTR's obj_wcc.after has the new size");

	getattr(rpc, &f);
	nlink = R.attr.nlink;
	getattr(rpc, &a);
	before = R.attr;
	tick();
	expect(link3(rpc, &f, &a, "hard"), NFS3_OK, "LINK wcc/f → wcc/a/hard");
	check(R.has_attr && R.attr.nlink == nlink + 1, "LINK's file attributes count the new link");
	check(pre_is(&R.wcc.before, &before),
	      "LINK's linkdir_wcc.before equals the directory's attributes just before");
	check(post_changed(&R.wcc.after, &before), "LINK's linkdir_wcc.after shows the new name");

	getattr(rpc, &a);
	before = R.attr;
	getattr(rpc, &b);
	before2 = R.attr;
	tick();
	expect(rename3(rpc, &a, "hard", &b, "moved"), NFS3_OK, "RENAME a/hard → b/moved");
	check(pre_is(&R.wcc.before, &before) && post_changed(&R.wcc.after, &before),
	      "RENAME's fromdir_wcc: the source directory before and after");
	check(pre_is(&R.wcc2.before, &before2) && post_changed(&R.wcc2.after, &before2),
	      "RENAME's todir_wcc: the target directory before and after");

	getattr(rpc, &b);
	before = R.attr;
	tick();
	expect(remove3(rpc, &b, "moved"), NFS3_OK, "REMOVE b/moved");
	check(pre_is(&R.wcc.before, &before) && post_changed(&R.wcc.after, &before),
	      "REMOVE's dir_wcc: the directory before and after");

	getattr(rpc, &d);
	before = R.attr;
	tick();
	expect(rmdir3(rpc, &d, "b"), NFS3_OK, "RMDIR wcc/b");
	check(pre_is(&R.wcc.before, &before) && post_changed(&R.wcc.after, &before),
	      "RMDIR's dir_wcc: the directory before and after");
}

/* ACCESS asks storage the whole mask at once: one call answers every bit
 * that applies to the object type, for root and for another user. */
static void t_access_mask(struct rpc_context *rpc, const struct fh *w)
{
	struct rpc_context *user = conn_open(NFS_PROGRAM, NFS_V3, NOBODY_UID, NOBODY_GID);
	const uint32_t all = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND |
			     ACCESS3_DELETE | ACCESS3_EXECUTE;
	const uint32_t dirbits = ACCESS3_READ | ACCESS3_LOOKUP | ACCESS3_MODIFY | ACCESS3_EXTEND |
				 ACCESS3_DELETE;
	struct fh dir, exe;

	if (!check(user != NULL, "connect as uid %d", NOBODY_UID))
		return;
	mkdir3(rpc, w, "acc", 0755);
	dir = R.fh;
	create3(rpc, &dir, "exe", UNCHECKED, 0755, NULL);
	exe = R.fh;
	expect(access3(rpc, &dir, all), NFS3_OK, "ACCESS all bits on a 0755 directory as root");
	check((R.access & dirbits) == dirbits,
	      "one ACCESS grants root READ, LOOKUP, MODIFY, EXTEND and DELETE on a 0755 "
	      "directory (0x%x)",
	      R.access);
	expect(access3(rpc, &exe, all), NFS3_OK, "ACCESS all bits on a 0755 file as root");
	check((R.access & (ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_EXECUTE)) ==
		      (ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_EXECUTE),
	      "one ACCESS grants root READ, MODIFY, EXTEND and EXECUTE on a 0755 file (0x%x)",
	      R.access);
	expect(access3(user, &dir, all), NFS3_OK, "ACCESS all bits on root's 0755 dir as uid %d",
	       NOBODY_UID);
	check((R.access & (ACCESS3_READ | ACCESS3_LOOKUP)) == (ACCESS3_READ | ACCESS3_LOOKUP) &&
		      !(R.access & (ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE)),
	      "one ACCESS grants uid %d READ and LOOKUP, not MODIFY/EXTEND/DELETE (0x%x)",
	      NOBODY_UID, R.access);
	expect(access3(user, &exe, all), NFS3_OK, "ACCESS all bits on root's 0755 file as uid %d",
	       NOBODY_UID);
	check((R.access & (ACCESS3_READ | ACCESS3_EXECUTE)) == (ACCESS3_READ | ACCESS3_EXECUTE) &&
		      !(R.access & (ACCESS3_MODIFY | ACCESS3_EXTEND)),
	      "one ACCESS grants uid %d READ and EXECUTE, not MODIFY/EXTEND (0x%x)", NOBODY_UID,
	      R.access);
	rpc_destroy_context(user);
}

/* The big file of the UDP checks: made over TCP, its bytes udp_pattern's;
 * and FSINFO's rtmax over TCP. */
static bool t_udp_bigfile(struct rpc_context *rpc, const struct fh *root, struct udp_target *t)
{
	enum { CHUNK = 65536 };
	unsigned char *buf = malloc(CHUNK);
	size_t off, n, i;
	struct fh f;
	bool ok = buf != NULL;

	if (ok && fsinfo3(rpc, root) == NFS3_OK)
		t->tcp_rtmax = R.fsinfo.rtmax;
	ok = ok && t->tcp_rtmax > 0 &&
	     create3(rpc, root, t->bigfile, UNCHECKED, 0644, NULL) == NFS3_OK;
	f = R.fh;
	for (off = 0; ok && off < t->bigfile_len; off += n) {
		n = t->bigfile_len - off < CHUNK ? t->bigfile_len - off : CHUNK;
		for (i = 0; i < n; i++)
			buf[i] = udp_pattern(off + i);
		ok = write3(rpc, &f, off, buf, (uint32_t)n, FILE_SYNC) == NFS3_OK && R.count == n;
	}
	check(ok, "FSINFO (rtmax %u) and CREATE+WRITE %s (%zu bytes) for the UDP checks",
	      t->tcp_rtmax, t->bigfile, t->bigfile_len);
	free(buf);
	return ok;
}

static int phase_main(void)
{
	struct rpc_context *mrpc, *rpc;
	struct fh root, w;
	static const char udp_content[] = "over udp\n";
	struct udp_target udp_target = {
		.host = server, .export_path = "/", .name = "udpfile",
		.bigfile = "udpbig", .bigfile_len = 3 * 1024 * 1024 + 12345,
		.bigdir = "big", .bigdir_entries = BIGDIR_ENTRIES + 1, /* + zz-new */
	};

	mrpc = mount_root(&root);
	if (!mrpc)
		return 1;
	t_mount(mrpc, &root);
	rpc = conn_open(NFS_PROGRAM, NFS_V3, -1, -1);
	if (!check(rpc != NULL, "connect to NFS v3 through rpcbind"))
		return 1;
	t_fsinfo(rpc, &root);
	if (mkdir3(rpc, &root, "work", 0755) != NFS3_OK &&
	    lookup(rpc, &root, "work") != NFS3_OK) {
		check(false, "MKDIR work");
		return 1;
	}
	w = R.fh;
	t_namespace(rpc, &root, &w);
	t_io(rpc, &w);
	t_access(rpc, &w);
	t_access_mask(rpc, &w);
	t_wcc(rpc, &w);
	t_badhandle(rpc, &root, &w);
	t_readdir(rpc, &root);

	/* UDP: read a file we make here, a big one, and the big directory */
	if (create3(rpc, &root, "udpfile", UNCHECKED, 0644, NULL) == NFS3_OK) {
		struct fh f = R.fh;

		write3(rpc, &f, 0, udp_content, sizeof(udp_content) - 1, FILE_SYNC);
		udp_target.expect = udp_content;
		udp_target.expect_len = sizeof(udp_content) - 1;
		udp_target.rootfh = root.data;
		udp_target.rootfh_len = root.len;
		if (t_udp_bigfile(rpc, &root, &udp_target))
			udp_checks(&udp_target, udp_report);
	} else {
		check(false, "CREATE udpfile");
	}
	t_highlevel();
	rpc_destroy_context(rpc);
	rpc_destroy_context(mrpc);
	return 0;
}

/* ----------------------------------------------------------- mount phase */

static int phase_mount(void)
{
	struct rpc_context *mrpc = conn_open(MOUNT_PROGRAM, MOUNT_V3, -1, -1), *rpc;
	struct fh sub, f;
	size_t i;
	int st;

	if (!check(mrpc != NULL, "connect to MOUNT v3"))
		return 1;
	check(export3(mrpc) == 0, "EXPORT");
	for (i = 0; i < R.nents; i++)
		printf("      export: %s\n", R.ents[i].name);
	{
		bool sub_ok = false, deny_ok = false, missing = false, afile = false, root = false;

		for (i = 0; i < R.nents; i++) {
			const char *n = R.ents[i].name;

			sub_ok |= strncmp(n, "/sub ", 5) == 0 && strstr(n, "127.0.0.1");
			deny_ok |= strncmp(n, "/deny ", 6) == 0;
			missing |= strncmp(n, "/missing ", 9) == 0;
			afile |= strncmp(n, "/afile ", 7) == 0;
			root |= strncmp(n, "/ ", 2) == 0;
		}
		/* xlnfs lists only what this client may mount (as Ganesha does:
		 * libnfs mounts nested exports and fails if one refuses it) */
		check(sub_ok, "EXPORT lists /sub for 127.0.0.1");
		check(!deny_ok, "EXPORT hides /deny (only 10.9.9.9 may mount it)");
		check(missing && afile, "EXPORT lists /missing and /afile");
		check(!root && R.nents == 3, "EXPORT lists nothing else (%zu)", R.nents);
	}
	expect(mnt3(mrpc, "/"), MNT3ERR_ACCES, "MNT / (not exported)");
	expect(mnt3(mrpc, "/other"), MNT3ERR_ACCES, "MNT /other (exists, not exported)");
	expect(mnt3(mrpc, "/deny"), MNT3ERR_ACCES, "MNT /deny (exported to 10.9.9.9 only)");
	expect(mnt3(mrpc, "/missing"), MNT3ERR_NOENT, "MNT /missing (exported, does not exist)");
	expect(mnt3(mrpc, "/afile"), MNT3ERR_NOTDIR, "MNT /afile (exported, a regular file)");
	st = mnt3(mrpc, "/sub");
	expect(st, MNT3_OK, "MNT /sub");
	if (st != MNT3_OK)
		return 1;
	sub = R.fh;
	expect(mnt3(mrpc, "/sub/"), MNT3_OK, "MNT /sub/ (trailing slash)");
	check(R.fh.len == sub.len && memcmp(R.fh.data, sub.data, sub.len) == 0,
	      "MNT /sub/ gives the same handle");
	check(dump3(mrpc) == 0 && ents_have(":/sub", true), "DUMP lists the mount of /sub");

	rpc = conn_open(NFS_PROGRAM, NFS_V3, -1, -1);
	if (!check(rpc != NULL, "connect to NFS v3"))
		return 1;
	expect(getattr(rpc, &sub), NFS3_OK, "GETATTR of /sub's root");
	st = lookup(rpc, &sub, "file");
	expect(st, NFS3_OK, "LOOKUP file in /sub");
	f = R.fh;
	expect(read3(rpc, &f, 0, 100), NFS3_OK, "READ from the read-only export");
	check(R.data_len == 9 && memcmp(R.data, "readonly\n", 9) == 0, "the data is right");
	expect(write3(rpc, &f, 0, "x", 1, FILE_SYNC), NFS3ERR_ROFS, "WRITE on a read-only export");
	expect(create3(rpc, &sub, "new", UNCHECKED, 0644, NULL), NFS3ERR_ROFS,
	       "CREATE on a read-only export");
	expect(mkdir3(rpc, &sub, "new", 0755), NFS3ERR_ROFS, "MKDIR on a read-only export");
	expect(symlink3(rpc, &sub, "new", "x"), NFS3ERR_ROFS, "SYMLINK on a read-only export");
	expect(remove3(rpc, &sub, "file"), NFS3ERR_ROFS, "REMOVE on a read-only export");
	expect(rename3(rpc, &sub, "file", &sub, "file2"), NFS3ERR_ROFS,
	       "RENAME on a read-only export");
	{
		sattr3 sa = sattr_mode(0600);

		expect(setattr(rpc, &f, &sa, NULL), NFS3ERR_ROFS, "SETATTR on a read-only export");
	}
	st = access3(rpc, &f, ACCESS3_READ | ACCESS3_MODIFY | ACCESS3_EXTEND);
	expect(st, NFS3_OK, "ACCESS on a read-only export");
	check((R.access & ACCESS3_READ) && !(R.access & (ACCESS3_MODIFY | ACCESS3_EXTEND)),
	      "ACCESS grants READ but not MODIFY/EXTEND on a read-only export (0x%x)", R.access);
	st = lookup(rpc, &sub, "..");
	if (st == NFS3_OK) {
		uint64_t id = R.attr.fileid;

		getattr(rpc, &sub);
		check(id == R.attr.fileid, "LOOKUP .. at /sub's root stays inside the export");
	} else {
		check(st == NFS3ERR_ACCES || st == NFS3ERR_NOENT,
		      "LOOKUP .. at /sub's root does not leave the export (%s)", stat_name(st));
	}
	check(umnt3(mrpc, "/sub") == 0, "UMNT /sub");
	check(dump3(mrpc) == 0 && !ents_have(":/sub", true), "DUMP no longer lists /sub");
	rpc_destroy_context(rpc);
	rpc_destroy_context(mrpc);
	return 0;
}

/* -------------------------------------------------------- restart phases */

static void hex_put(FILE *fp, const char *key, const void *data, size_t len)
{
	const uint8_t *p = data;
	size_t i;

	fprintf(fp, "%s ", key);
	for (i = 0; i < len; i++)
		fprintf(fp, "%02x", p[i]);
	fputc('\n', fp);
}

static bool hex_get(const char *file, const char *key, void *data, size_t max, uint32_t *len)
{
	FILE *fp = fopen(file, "r");
	char line[512], hex[400];
	bool found = false;

	if (!fp)
		return false;
	while (!found && fgets(line, sizeof(line), fp)) {
		char k[64];
		size_t i, n;

		if (sscanf(line, "%63s %399s", k, hex) != 2 || strcmp(k, key) != 0)
			continue;
		n = strlen(hex) / 2;
		if (n > max)
			break;
		for (i = 0; i < n; i++) {
			unsigned v;

			sscanf(hex + 2 * i, "%2x", &v);
			((uint8_t *)data)[i] = v;
		}
		*len = n;
		found = true;
	}
	fclose(fp);
	return found;
}

static int phase_pre_restart(const char *statefile)
{
	struct rpc_context *mrpc, *rpc;
	struct fh root, dir, f;
	uint8_t data[4096];
	FILE *fp;
	uint64_t id;

	mrpc = mount_root(&root);
	rpc = conn_open(NFS_PROGRAM, NFS_V3, -1, -1);
	if (!mrpc || !check(rpc != NULL, "connect to NFS v3"))
		return 1;
	if (mkdir3(rpc, &root, "restart", 0755) != NFS3_OK) {
		check(false, "MKDIR restart");
		return 1;
	}
	dir = R.fh;
	expect(create3(rpc, &dir, "before", UNCHECKED, 0644, NULL), NFS3_OK, "CREATE before");
	f = R.fh;
	id = R.attr.fileid;
	fill_pattern(data, sizeof(data), 0, 5);
	expect(write3(rpc, &f, 0, data, sizeof(data), UNSTABLE), NFS3_OK, "WRITE UNSTABLE 4 KiB");
	fp = fopen(statefile, "w");
	if (!check(fp != NULL, "write %s", statefile))
		return 1;
	hex_put(fp, "verf", R.verf, 8);
	expect(commit3(rpc, &f), NFS3_OK, "COMMIT");
	hex_put(fp, "commitverf", R.verf, 8);
	expect(rename3(rpc, &dir, "before", &dir, "after"), NFS3_OK, "RENAME before → after");
	expect(getattr(rpc, &f), NFS3_OK, "GETATTR after the rename");
	check(R.attr.fileid == id, "same fileid after the rename");
	hex_put(fp, "root", root.data, root.len);
	hex_put(fp, "dir", dir.data, dir.len);
	hex_put(fp, "file", f.data, f.len);
	hex_put(fp, "fileid", &id, sizeof(id));
	fclose(fp);
	rpc_destroy_context(rpc);
	rpc_destroy_context(mrpc);
	return 0;
}

static int phase_post_restart(const char *statefile)
{
	struct rpc_context *rpc;
	struct fh root, dir, f;
	uint8_t data[4096];
	char verf[8];
	uint64_t id;
	uint32_t n;
	bool ok;

	ok = hex_get(statefile, "root", root.data, NFS3_FHSIZE, &root.len) &&
	     hex_get(statefile, "dir", dir.data, NFS3_FHSIZE, &dir.len) &&
	     hex_get(statefile, "file", f.data, NFS3_FHSIZE, &f.len) &&
	     hex_get(statefile, "fileid", &id, sizeof(id), &n) &&
	     hex_get(statefile, "verf", verf, 8, &n);
	if (!check(ok, "read the saved handles from %s", statefile))
		return 1;
	rpc = conn_open(NFS_PROGRAM, NFS_V3, -1, -1);
	if (!check(rpc != NULL, "connect to NFS v3 after the restart"))
		return 1;
	expect(getattr(rpc, &root), NFS3_OK, "GETATTR of the root handle from before the restart");
	expect(getattr(rpc, &dir), NFS3_OK, "GETATTR of a directory handle from before the restart");
	expect(getattr(rpc, &f), NFS3_OK,
	       "GETATTR of a renamed file's handle from before the restart");
	check(R.attr.fileid == id && R.attr.size == sizeof(data),
	      "it is the same file, with its data (size %" PRIu64 ")", (uint64_t)R.attr.size);
	expect(lookup(rpc, &dir, "after"), NFS3_OK, "LOOKUP after by name");
	check(R.attr.fileid == id, "the name resolves to the same file");
	check(R.fh.len == f.len && memcmp(R.fh.data, f.data, f.len) == 0,
	      "LOOKUP after the restart gives the handle issued before it (same id)");
	expect(readdirplus3(rpc, &dir, 0, NULL, 4096, 65536), NFS3_OK,
	       "READDIRPLUS of the directory after the restart");
	{
		bool same = false;

		for (size_t i = 0; i < R.nents; i++)
			if (strcmp(R.ents[i].name, "after") == 0 && R.ents[i].has_fh)
				same = R.ents[i].fh.len == f.len &&
				       memcmp(R.ents[i].fh.data, f.data, f.len) == 0;
		check(same, "READDIRPLUS gives the handle issued before the restart");
	}
	expect(read3(rpc, &f, 0, sizeof(data)), NFS3_OK, "READ through the old handle");
	fill_pattern(data, sizeof(data), 0, 5);
	check(R.data_len == sizeof(data) && memcmp(R.data, data, sizeof(data)) == 0,
	      "the data written UNSTABLE and committed before the restart is there");
	expect(write3(rpc, &f, 0, data, 512, UNSTABLE), NFS3_OK, "WRITE UNSTABLE after restart");
	check(memcmp(R.verf, verf, 8) != 0, "the write verifier changed across the restart");
	memcpy(verf, R.verf, 8);
	expect(commit3(rpc, &f), NFS3_OK, "COMMIT after restart");
	check(memcmp(R.verf, verf, 8) == 0, "COMMIT's verifier equals the new WRITE verifier");
	rpc_destroy_context(rpc);
	return 0;
}

static int phase_calls(const char *count)
{
	struct rpc_context *mrpc, *rpc;
	struct fh root;
	long n = strtol(count, NULL, 10);

	mrpc = mount_root(&root);
	rpc = conn_open(NFS_PROGRAM, NFS_V3, -1, -1);
	if (!mrpc || !check(rpc != NULL, "connect to NFS v3"))
		return 1;
	for (long i = 0; i < n; i++)
		expect(getattr(rpc, &root), NFS3_OK, "GETATTR / (%ld of %ld)", i + 1, n);
	for (long i = 0; i < n; i++)
		expect(lookup(rpc, &root, "no-such-name"), NFS3ERR_NOENT,
		       "LOOKUP no-such-name (%ld of %ld)", i + 1, n);
	rpc_destroy_context(rpc);
	rpc_destroy_context(mrpc);
	return 0;
}

int main(int argc, char **argv)
{
	const char *phase;
	int rc;

	setvbuf(stdout, NULL, _IOLBF, 0);
	if (argc < 3) {
		fprintf(stderr, "usage: %s SERVER main|mount|pre-restart FILE|post-restart FILE\n",
			argv[0]);
		return 2;
	}
	server = argv[1];
	phase = argv[2];
	if (strcmp(phase, "main") == 0)
		rc = phase_main();
	else if (strcmp(phase, "mount") == 0)
		rc = phase_mount();
	else if (strcmp(phase, "pre-restart") == 0 && argc > 3)
		rc = phase_pre_restart(argv[3]);
	else if (strcmp(phase, "post-restart") == 0 && argc > 3)
		rc = phase_post_restart(argv[3]);
	else if (strcmp(phase, "calls") == 0 && argc > 3)
		rc = phase_calls(argv[3]);
	else {
		fprintf(stderr, "unknown phase %s\n", phase);
		return 2;
	}
	res_free(&R);
	printf("%s: %d passed, %d failed\n", phase, n_pass, n_fail);
	return rc || n_fail ? 1 : 0;
}

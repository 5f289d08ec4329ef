/*
 * bench/nfsload.c — a userspace NFSv3 load generator for comparing servers.
 *
 * Mounts an export through MOUNT v3 and then, from C connections (one thread
 * and one libnfs RPC context, i.e. one TCP connection, each) with Q calls in
 * flight on each (libnfs async API), sends raw NFSv3 calls of one kind until
 * N calls per connection or S seconds are done:
 *   null        NULL
 *   getattr     GETATTR of the export root
 *   access      ACCESS (all six bits) of the export root
 *   lookup      LOOKUP of the data file in the root
 *   read        READ of SIZE bytes, walking through the data file
 *   randread    READ of SIZE bytes at random SIZE-aligned offsets of it
 *   write       WRITE UNSTABLE of SIZE bytes through the connection's own
 *               file, then one COMMIT (timed)
 *   randwrite   the same at random offsets of a FILE_MIB file
 *   meta        one cycle = CREATE + WRITE 4 KiB + COMMIT ("close") +
 *               GETATTR + REMOVE of a new file; counted per cycle
 *   readdirplus complete READDIRPLUS listings of folder -D (cookie chains,
 *               so one call in flight per connection); counted per listing
 *   readdir     the same with READDIR (count = SIZE)
 *   lookupmany  LOOKUP of distinct names f<START+i> in folder -D (the files
 *               must exist), for memory growth with many inodes
 *   tcp         no NFS: streams SIZE-byte writes over loopback TCP to a
 *               reader thread, the wire speed the large I/O is held against
 * and prints one line with calls, seconds, calls/s, MiB/s and the p50/p99
 * latency of a call (of a cycle, of a listing), and its own CPU time over
 * the timed loop (the load generator shares the server's cores). Raw calls (not libnfs's path
 * API) so that one call is exactly one RPC on the wire. Every reply is
 * checked: any RPC or NFS error ends the run with exit status 1. The data
 * file (nfsload.dat, FILE_MIB) is made through NFS when missing or short.
 *
 * Usage: nfsload -s SERVER -e EXPORT -m MODE [-c CONNS] [-q DEPTH]
 *                [-n CALLS | -T SECONDS] [-b SIZE_KIB] [-f FILE_MIB]
 *                [-D FOLDER] [-o START]
 */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>

#define NL_DATA_NAME "nfsload.dat"
#define NL_REPLY_TIMEOUT_MS 30000 /* no reply at all for this long fails the run */
#define NL_META_SIZE 4096
#define NL_ACCESS_ALL 0x3f

enum nl_mode {
	NL_NULL, NL_GETATTR, NL_ACCESS, NL_LOOKUP, NL_READ, NL_RANDREAD, NL_WRITE,
	NL_RANDWRITE, NL_META, NL_READDIRPLUS, NL_LOOKUPMANY, NL_TCP, NL_READDIR, NL_NMODES
};
static const char *nl_names[NL_NMODES] = {
	"null", "getattr", "access", "lookup", "read", "randread", "write",
	"randwrite", "meta", "readdirplus", "lookupmany", "tcp", "readdir"
};

struct nl_opts {
	const char *server;
	const char *export;
	const char *dir; /* -D: folder in the root (readdirplus, lookupmany) */
	enum nl_mode mode;
	int conns;
	int depth;
	long calls;     /* per connection; 0: until seconds */
	double seconds; /* 0: until calls */
	long start;     /* lookupmany: first name index */
	uint32_t bsize; /* READ/WRITE size in bytes; READDIRPLUS maxcount */
	uint64_t fsize; /* size of the data file in bytes */
};

struct nl_conn;

/* One call in flight (or one meta cycle / one listing in progress). */
struct nl_slot {
	struct nl_conn *c;
	double t0;   /* when the current call / cycle / listing began */
	int step;    /* meta: 0 CREATE, 1 WRITE, 2 COMMIT, 3 GETATTR, 4 REMOVE */
	uint64_t off;
	nfs_fh3 fh;  /* meta: the created file */
	char name[64];
	uint64_t cookie; /* readdirplus */
	char verf[NFS3_COOKIEVERFSIZE];
};

struct nl_conn {
	const struct nl_opts *o;
	int idx;
	struct rpc_context *rpc;
	nfs_fh3 root, data, dir, wfh;
	char *buf;
	struct nl_slot *slots;
	long issued;  /* calls / cycles / listings started */
	long done;    /* ... completed */
	long entries; /* readdirplus: entries seen */
	long seq;     /* meta: name counter */
	int inflight;
	int err;
	bool stop;
	double deadline;
	uint64_t next_off; /* read/write: the next sequential offset */
	uint64_t rng;
	float *lat; /* latencies in us */
	size_t nlat, caplat;
	pthread_t tid;
};

static pthread_barrier_t nl_start;

/* This process's CPU time (all its threads), in seconds. */
static double nl_cpu_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static double nl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
}

static uint64_t nl_rand(struct nl_conn *c)
{
	c->rng ^= c->rng << 13;
	c->rng ^= c->rng >> 7;
	c->rng ^= c->rng << 17;
	return c->rng;
}

static int nl_fh_copy(nfs_fh3 *dst, const char *val, u_int len)
{
	dst->data.data_val = malloc(len ? len : 1);
	if (!dst->data.data_val)
		return -ENOMEM;
	memcpy(dst->data.data_val, val, len);
	dst->data.data_len = len;
	return 0;
}

static void nl_fail(struct nl_conn *c, const char *what, int status)
{
	if (!c->err)
		fprintf(stderr, "nfsload: conn %d: %s failed (%d): %s\n", c->idx, what, status,
			c->rpc ? rpc_get_error(c->rpc) : "");
	c->err = -EIO;
	c->stop = true;
}

static void nl_lat(struct nl_conn *c, double t0)
{
	if (c->nlat == c->caplat) {
		size_t cap = c->caplat ? c->caplat * 2 : 4096;
		float *n = realloc(c->lat, cap * sizeof(*n));

		if (!n) {
			nl_fail(c, "latency buffer", -ENOMEM);
			return;
		}
		c->lat = n;
		c->caplat = cap;
	}
	c->lat[c->nlat++] = (float)((nl_now() - t0) * 1e6);
}

/* ----------------------------------------------------- synchronous calls */

/* A synchronous call's outcome, filled in by nl_sync_cb. */
struct nl_call {
	bool done;
	bool has_res; /* the reply body starts with an nfsstat3/mountstat3 */
	int rpc_status;
	int nfs_status;
	int proc;
	nfs_fh3 fh;     /* LOOKUP/CREATE/MNT: malloc'd copy of the handle */
	uint64_t size;  /* LOOKUP: the object's size, when given */
};

static void nl_sync_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct nl_call *c = priv;

	(void)rpc;
	c->done = true;
	c->rpc_status = status;
	if (status != RPC_STATUS_SUCCESS || !c->has_res)
		return;
	c->nfs_status = *(int *)data; /* every v3 result begins with its status */
	if (c->nfs_status != 0)
		return;
	switch (c->proc) {
	case NFS3_LOOKUP: {
		LOOKUP3resok *ok = &((LOOKUP3res *)data)->LOOKUP3res_u.resok;
		nl_fh_copy(&c->fh, ok->object.data.data_val, ok->object.data.data_len);
		if (ok->obj_attributes.attributes_follow)
			c->size = ok->obj_attributes.post_op_attr_u.attributes.size;
		break;
	}
	case NFS3_CREATE: {
		CREATE3resok *ok = &((CREATE3res *)data)->CREATE3res_u.resok;
		if (ok->obj.handle_follows)
			nl_fh_copy(&c->fh, ok->obj.post_op_fh3_u.handle.data.data_val,
				   ok->obj.post_op_fh3_u.handle.data.data_len);
		break;
	}
	case -1: { /* MNT */
		mountres3_ok *ok = &((mountres3 *)data)->mountres3_u.mountinfo;
		nl_fh_copy(&c->fh, ok->fhandle.fhandle3_val, ok->fhandle.fhandle3_len);
		break;
	}
	default:
		break;
	}
}

/*
 * Drive RPC until the call queued with *c is answered. Returns 0 when it
 * succeeded at both the RPC and the NFS level (or, with ENOENT_OK, failed
 * with NFS3ERR_NOENT: then -ENOENT), -EIO (and a message) otherwise.
 */
static int nl_wait(struct rpc_context *rpc, struct nl_call *c, const char *what, bool enoent_ok)
{
	int waited = 0;

	while (!c->done) {
		struct pollfd p = { .fd = rpc_get_fd(rpc), .events = rpc_which_events(rpc) };
		int n = poll(&p, 1, 100);

		if (n < 0 && errno != EINTR) {
			perror("poll");
			return -EIO;
		}
		waited = n == 0 ? waited + 100 : 0;
		if (waited >= NL_REPLY_TIMEOUT_MS) {
			fprintf(stderr, "nfsload: %s: no reply in %d ms\n", what, waited);
			return -ETIMEDOUT;
		}
		if (rpc_service(rpc, n > 0 ? p.revents : 0) < 0) {
			fprintf(stderr, "nfsload: %s: %s\n", what, rpc_get_error(rpc));
			return -EIO;
		}
	}
	if (c->rpc_status != RPC_STATUS_SUCCESS) {
		fprintf(stderr, "nfsload: %s: rpc status %d\n", what, c->rpc_status);
		return -EIO;
	}
	if (c->has_res && c->nfs_status == NFS3ERR_NOENT && enoent_ok)
		return -ENOENT;
	if (c->has_res && c->nfs_status != 0) {
		fprintf(stderr, "nfsload: %s: status %d\n", what, c->nfs_status);
		return -EIO;
	}
	return 0;
}

/* Connect RPC to PROGRAM/VERSION on the server (through rpcbind). */
static struct rpc_context *nl_connect(const char *server, int prog, int vers)
{
	struct rpc_context *rpc = rpc_init_context();
	struct nl_call c = { .proc = 0 };

	if (!rpc)
		return NULL;
	if (rpc_connect_program_async(rpc, server, prog, vers, nl_sync_cb, &c) != 0 ||
	    nl_wait(rpc, &c, "connect", false) != 0) {
		fprintf(stderr, "nfsload: cannot connect to %s program %d v%d\n", server, prog, vers);
		rpc_destroy_context(rpc);
		return NULL;
	}
	return rpc;
}

/* MNT the export; *root receives its handle. */
static int nl_mount(const struct nl_opts *o, nfs_fh3 *root)
{
	struct rpc_context *m = nl_connect(o->server, MOUNT_PROGRAM, MOUNT_V3);
	struct nl_call c = { .has_res = true, .proc = -1 };
	int ret = -EIO;

	if (!m)
		return -EIO;
	if (rpc_mount3_mnt_async(m, nl_sync_cb, (char *)o->export, &c) != 0)
		goto out;
	ret = nl_wait(m, &c, "MNT", false);
	if (ret == 0)
		*root = c.fh;
out:
	rpc_destroy_context(m);
	return ret;
}

/* LOOKUP NAME in DIR into *out (and its size into *size, when not NULL). */
static int nl_lookup(struct rpc_context *rpc, nfs_fh3 *dir, const char *name, nfs_fh3 *out,
		     uint64_t *size)
{
	LOOKUP3args a = { .what = { .dir = *dir, .name = (char *)name } };
	struct nl_call c = { .has_res = true, .proc = NFS3_LOOKUP };
	int ret;

	if (rpc_nfs3_lookup_async(rpc, nl_sync_cb, &a, &c) != 0)
		return -EIO;
	ret = nl_wait(rpc, &c, "LOOKUP", size != NULL);
	if (ret == 0 && out)
		*out = c.fh;
	else
		free(c.fh.data.data_val);
	if (ret == 0 && size)
		*size = c.size;
	return ret;
}

/* CREATE NAME in DIR (UNCHECKED, mode 0644, truncated/extended to SIZE). */
static int nl_create(struct rpc_context *rpc, nfs_fh3 *dir, const char *name, uint64_t size,
		     nfs_fh3 *out)
{
	CREATE3args a = { .where = { .dir = *dir, .name = (char *)name } };
	struct nl_call c = { .has_res = true, .proc = NFS3_CREATE };
	int ret;

	a.how.mode = UNCHECKED;
	a.how.createhow3_u.obj_attributes.mode.set_it = 1;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
	a.how.createhow3_u.obj_attributes.size.set_it = 1;
	a.how.createhow3_u.obj_attributes.size.set_size3_u.size = size;
	if (rpc_nfs3_create_async(rpc, nl_sync_cb, &a, &c) != 0)
		return -EIO;
	ret = nl_wait(rpc, &c, "CREATE", false);
	if (ret == 0 && !c.fh.data.data_val)
		ret = nl_lookup(rpc, dir, name, &c.fh, NULL);
	if (ret == 0)
		*out = c.fh;
	return ret;
}

static int nl_write_sync(struct rpc_context *rpc, nfs_fh3 *fh, uint64_t off, char *buf,
			 uint32_t len)
{
	WRITE3args a = { .file = *fh, .offset = off, .count = len, .stable = UNSTABLE };
	struct nl_call c = { .has_res = true, .proc = NFS3_WRITE };

	a.data.data_len = len;
	a.data.data_val = buf;
	if (rpc_nfs3_write_async(rpc, nl_sync_cb, &a, &c) != 0)
		return -EIO;
	return nl_wait(rpc, &c, "WRITE", false);
}

static int nl_commit_sync(struct rpc_context *rpc, nfs_fh3 *fh)
{
	COMMIT3args a = { .file = *fh };
	struct nl_call c = { .has_res = true, .proc = NFS3_COMMIT };

	if (rpc_nfs3_commit_async(rpc, nl_sync_cb, &a, &c) != 0)
		return -EIO;
	return nl_wait(rpc, &c, "COMMIT", false);
}

/* ---------------------------------------------------- the pipelined loop */

static void nl_cb(struct rpc_context *rpc, int status, void *data, void *priv);

/* Whether another call / cycle / listing may start now. */
static bool nl_may_start(struct nl_conn *c)
{
	const struct nl_opts *o = c->o;

	if (c->stop || c->err)
		return false;
	if ((o->calls && c->issued >= o->calls) || (o->seconds > 0 && nl_now() >= c->deadline)) {
		c->stop = true;
		return false;
	}
	return true;
}

/* The meta cycle's next call (slot->step) on slot->name / slot->fh. */
static int nl_meta_step(struct nl_slot *s)
{
	struct nl_conn *c = s->c;

	switch (s->step) {
	case 0: {
		CREATE3args a = { .where = { .dir = c->root, .name = s->name } };
		a.how.mode = GUARDED;
		a.how.createhow3_u.obj_attributes.mode.set_it = 1;
		a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
		return rpc_nfs3_create_async(c->rpc, nl_cb, &a, s);
	}
	case 1: {
		WRITE3args a = { .file = s->fh, .count = NL_META_SIZE, .stable = UNSTABLE };
		a.data.data_len = NL_META_SIZE;
		a.data.data_val = c->buf;
		return rpc_nfs3_write_async(c->rpc, nl_cb, &a, s);
	}
	case 2: {
		COMMIT3args a = { .file = s->fh };
		return rpc_nfs3_commit_async(c->rpc, nl_cb, &a, s);
	}
	case 3: {
		GETATTR3args a = { .object = s->fh };
		return rpc_nfs3_getattr_async(c->rpc, nl_cb, &a, s);
	}
	default: {
		REMOVE3args a = { .object = { .dir = c->root, .name = s->name } };
		return rpc_nfs3_remove_async(c->rpc, nl_cb, &a, s);
	}
	}
}

static int nl_readdirplus_next(struct nl_slot *s)
{
	struct nl_conn *c = s->c;
	READDIRPLUS3args a = { .dir = c->dir, .cookie = s->cookie,
			       .dircount = c->o->bsize / 4, .maxcount = c->o->bsize };

	memcpy(a.cookieverf, s->verf, sizeof(a.cookieverf));
	if (c->o->mode == NL_READDIR) {
		READDIR3args r = { .dir = c->dir, .cookie = s->cookie, .count = c->o->bsize };

		memcpy(r.cookieverf, s->verf, sizeof(r.cookieverf));
		return rpc_nfs3_readdir_async(c->rpc, nl_cb, &r, s);
	}
	return rpc_nfs3_readdirplus_async(c->rpc, nl_cb, &a, s);
}

/* The listing on slot S goes on after a reply that was not the last:
 * the next call from its last cookie, with the verifier VERF. */
static void nl_list_more(struct nl_conn *c, struct nl_slot *s, const char *verf, const char *what)
{
	memcpy(s->verf, verf, sizeof(s->verf));
	c->inflight++;
	if (nl_readdirplus_next(s) != 0) {
		c->inflight--;
		nl_fail(c, what, -1);
	}
}

/* Start the next call (cycle, listing) on slot S, if the run goes on. */
static void nl_issue(struct nl_slot *s)
{
	struct nl_conn *c = s->c;
	const struct nl_opts *o = c->o;
	int ret = -1;

	if (!nl_may_start(c))
		return;
	s->t0 = nl_now();
	switch (o->mode) {
	case NL_NULL:
		ret = rpc_nfs3_null_async(c->rpc, nl_cb, s);
		break;
	case NL_GETATTR: {
		GETATTR3args a = { .object = c->root };
		ret = rpc_nfs3_getattr_async(c->rpc, nl_cb, &a, s);
		break;
	}
	case NL_ACCESS: {
		ACCESS3args a = { .object = c->root, .access = NL_ACCESS_ALL };
		ret = rpc_nfs3_access_async(c->rpc, nl_cb, &a, s);
		break;
	}
	case NL_LOOKUP: {
		LOOKUP3args a = { .what = { .dir = c->root, .name = NL_DATA_NAME } };
		ret = rpc_nfs3_lookup_async(c->rpc, nl_cb, &a, s);
		break;
	}
	case NL_LOOKUPMANY: {
		LOOKUP3args a = { .what = { .dir = c->dir, .name = s->name } };
		snprintf(s->name, sizeof(s->name), "f%ld", o->start + c->idx * o->calls + c->issued);
		ret = rpc_nfs3_lookup_async(c->rpc, nl_cb, &a, s);
		break;
	}
	case NL_READ:
	case NL_RANDREAD: {
		READ3args a = { .file = c->data, .count = o->bsize };
		if (o->mode == NL_RANDREAD) {
			a.offset = nl_rand(c) % (o->fsize / o->bsize) * o->bsize;
		} else {
			a.offset = c->next_off;
			c->next_off = (c->next_off + o->bsize) % (o->fsize - o->fsize % o->bsize);
		}
		s->off = a.offset;
		ret = rpc_nfs3_read_async(c->rpc, nl_cb, &a, s);
		break;
	}
	case NL_WRITE:
	case NL_RANDWRITE: {
		WRITE3args a = { .file = c->wfh, .count = o->bsize, .stable = UNSTABLE };
		if (o->mode == NL_RANDWRITE) {
			a.offset = nl_rand(c) % (o->fsize / o->bsize) * o->bsize;
		} else {
			a.offset = c->next_off;
			c->next_off += o->bsize;
		}
		a.data.data_len = o->bsize;
		a.data.data_val = c->buf;
		ret = rpc_nfs3_write_async(c->rpc, nl_cb, &a, s);
		break;
	}
	case NL_META:
		snprintf(s->name, sizeof(s->name), "meta.%d.%d.%ld", (int)getpid(), c->idx, c->seq++);
		s->step = 0;
		ret = nl_meta_step(s);
		break;
	case NL_READDIRPLUS:
	case NL_READDIR:
		s->cookie = 0;
		memset(s->verf, 0, sizeof(s->verf));
		ret = nl_readdirplus_next(s);
		break;
	default:
		break;
	}
	if (ret != 0) {
		nl_fail(c, "queueing a call", ret);
		return;
	}
	c->issued++;
	c->inflight++;
}

/* Every pipelined reply: checks it, moves a cycle/listing on, starts the next. */
static void nl_cb(struct rpc_context *rpc, int status, void *data, void *priv)
{
	struct nl_slot *s = priv;
	struct nl_conn *c = s->c;
	const struct nl_opts *o = c->o;
	int nfs = 0;

	(void)rpc;
	c->inflight--;
	if (status != RPC_STATUS_SUCCESS) {
		nl_fail(c, nl_names[o->mode], status);
		return;
	}
	if (o->mode != NL_NULL)
		nfs = *(int *)data;
	if (nfs != 0) {
		fprintf(stderr, "nfsload: %s (step %d) status %d\n", nl_names[o->mode], s->step, nfs);
		nl_fail(c, nl_names[o->mode], nfs);
		return;
	}
	switch (o->mode) {
	case NL_READ:
	case NL_RANDREAD: {
		uint32_t n = ((READ3res *)data)->READ3res_u.resok.count;
		if (n != o->bsize && s->off + o->bsize <= o->fsize) {
			fprintf(stderr, "nfsload: short READ (%u of %u)\n", n, o->bsize);
			nl_fail(c, "READ", 0);
			return;
		}
		break;
	}
	case NL_WRITE:
	case NL_RANDWRITE:
		if (((WRITE3res *)data)->WRITE3res_u.resok.count != o->bsize) {
			nl_fail(c, "short WRITE", 0);
			return;
		}
		break;
	case NL_META:
		if (s->step == 0) {
			CREATE3resok *ok = &((CREATE3res *)data)->CREATE3res_u.resok;
			if (!ok->obj.handle_follows) {
				nl_fail(c, "CREATE without a handle", 0);
				return;
			}
			nl_fh_copy(&s->fh, ok->obj.post_op_fh3_u.handle.data.data_val,
				   ok->obj.post_op_fh3_u.handle.data.data_len);
		} else if (s->step == 3 &&
			   ((GETATTR3res *)data)->GETATTR3res_u.resok.obj_attributes.size !=
				   NL_META_SIZE) {
			nl_fail(c, "GETATTR size after WRITE", 0);
			return;
		}
		if (s->step == 4) {
			free(s->fh.data.data_val);
			s->fh.data.data_val = NULL;
			break;
		}
		s->step++;
		c->inflight++;
		if (nl_meta_step(s) != 0) {
			c->inflight--;
			nl_fail(c, "queueing a meta call", -1);
		}
		return;
	case NL_READDIRPLUS: {
		READDIRPLUS3resok *ok = &((READDIRPLUS3res *)data)->READDIRPLUS3res_u.resok;
		entryplus3 *e;

		for (e = ok->reply.entries; e; e = e->nextentry) {
			c->entries++;
			s->cookie = e->cookie;
		}
		if (!ok->reply.eof) {
			nl_list_more(c, s, ok->cookieverf, "queueing READDIRPLUS");
			return;
		}
		break;
	}
	case NL_READDIR: {
		READDIR3resok *ok = &((READDIR3res *)data)->READDIR3res_u.resok;

		for (entry3 *e = ok->reply.entries; e; e = e->nextentry) {
			c->entries++;
			s->cookie = e->cookie;
		}
		if (!ok->reply.eof) {
			nl_list_more(c, s, ok->cookieverf, "queueing READDIR");
			return;
		}
		break;
	}
	default:
		break;
	}
	nl_lat(c, s->t0);
	c->done++;
	nl_issue(s);
}

/* Keep DEPTH calls in flight on C until the run's end, then drain. */
static int nl_loop(struct nl_conn *c)
{
	int k, waited = 0;

	for (k = 0; k < c->o->depth; k++)
		nl_issue(&c->slots[k]);
	while (c->inflight > 0) {
		struct pollfd p = { .fd = rpc_get_fd(c->rpc), .events = rpc_which_events(c->rpc) };
		int n = poll(&p, 1, 100);

		if (n < 0 && errno != EINTR) {
			perror("poll");
			return -EIO;
		}
		waited = n == 0 ? waited + 100 : 0;
		if (waited >= NL_REPLY_TIMEOUT_MS) {
			fprintf(stderr, "nfsload: conn %d: no reply in %d ms\n", c->idx, waited);
			return -ETIMEDOUT;
		}
		if (rpc_service(c->rpc, n > 0 ? p.revents : 0) < 0) {
			nl_fail(c, "rpc_service", -1);
			return -EIO;
		}
	}
	return c->err;
}

/* --------------------------------------------------------- loopback TCP */

static void *nl_tcp_reader(void *arg)
{
	int fd = *(int *)arg;
	char sink[256 << 10];

	while (read(fd, sink, sizeof(sink)) > 0)
		;
	return NULL;
}

/* One stream of SIZE-byte writes to a reader thread over 127.0.0.1. */
static int nl_tcp_stream(struct nl_conn *c)
{
	struct sockaddr_in sa = { .sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sa);
	int l = socket(AF_INET, SOCK_STREAM, 0), s = -1, r = -1, ret = -EIO;
	pthread_t tid;
	bool reader = false;

	if (l < 0 || bind(l, (struct sockaddr *)&sa, sizeof(sa)) != 0 || listen(l, 1) != 0 ||
	    getsockname(l, (struct sockaddr *)&sa, &len) != 0)
		goto out;
	s = socket(AF_INET, SOCK_STREAM, 0);
	if (s < 0 || connect(s, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		goto out;
	r = accept(l, NULL, NULL);
	if (r < 0 || pthread_create(&tid, NULL, nl_tcp_reader, &r) != 0)
		goto out;
	reader = true;
	pthread_barrier_wait(&nl_start);
	c->deadline = nl_now() + c->o->seconds;
	while (nl_may_start(c)) {
		size_t off = 0;
		double t0 = nl_now();

		while (off < c->o->bsize) {
			ssize_t n = write(s, c->buf + off, c->o->bsize - off);
			if (n <= 0)
				goto out;
			off += (size_t)n;
		}
		c->issued++;
		c->done++;
		nl_lat(c, t0);
	}
	ret = 0;
out:
	if (s >= 0)
		close(s);
	if (reader)
		pthread_join(tid, NULL);
	else
		pthread_barrier_wait(&nl_start);
	if (r >= 0)
		close(r);
	if (l >= 0)
		close(l);
	return ret;
}

/* ------------------------------------------------------------ the runs */

static void *nl_run(void *arg)
{
	struct nl_conn *c = arg;
	const struct nl_opts *o = c->o;
	char name[64];
	int k;

	if (o->mode == NL_TCP) {
		c->err = nl_tcp_stream(c);
		pthread_barrier_wait(&nl_start);
		return NULL;
	}
	c->rpc = nl_connect(o->server, NFS_PROGRAM, NFS_V3);
	c->slots = calloc((size_t)o->depth, sizeof(*c->slots));
	if (!c->rpc || !c->slots)
		c->err = -EIO;
	for (k = 0; c->slots && k < o->depth; k++)
		c->slots[k].c = c;
	/* set-up before the barrier, so only the loop is timed */
	if (!c->err && (o->mode == NL_WRITE || o->mode == NL_RANDWRITE)) {
		snprintf(name, sizeof(name), "nfsload.w%d", c->idx);
		c->err = nl_create(c->rpc, &c->root, name, o->mode == NL_RANDWRITE ? o->fsize : 0,
				   &c->wfh);
	}
	if (c->rpc)
		rpc_set_next_xid(c->rpc, (uint32_t)(c->idx + 1) << 24);
	pthread_barrier_wait(&nl_start);
	c->deadline = nl_now() + o->seconds;
	if (!c->err)
		c->err = nl_loop(c);
	if (!c->err && (o->mode == NL_WRITE || o->mode == NL_RANDWRITE))
		c->err = nl_commit_sync(c->rpc, &c->wfh);
	pthread_barrier_wait(&nl_start);
	free(c->wfh.data.data_val);
	for (k = 0; c->slots && k < o->depth; k++)
		free(c->slots[k].fh.data.data_val);
	free(c->slots);
	if (c->rpc)
		rpc_destroy_context(c->rpc);
	return NULL;
}

/* The data file for lookup/read: FILE_MIB of data, made when missing or short. */
static int nl_prepare(const struct nl_opts *o, nfs_fh3 *root, nfs_fh3 *data, char *buf,
		      uint32_t chunk)
{
	struct rpc_context *rpc = nl_connect(o->server, NFS_PROGRAM, NFS_V3);
	uint64_t off, size = 0;
	int ret;

	if (!rpc)
		return -EIO;
	ret = nl_lookup(rpc, root, NL_DATA_NAME, data, &size);
	if (ret == 0 && size >= o->fsize)
		goto out;
	if (ret == 0) {
		free(data->data.data_val);
		data->data.data_val = NULL;
	}
	ret = nl_create(rpc, root, NL_DATA_NAME, 0, data);
	for (off = 0; ret == 0 && off < o->fsize; off += chunk)
		ret = nl_write_sync(rpc, data, off, buf, chunk);
	if (ret == 0)
		ret = nl_commit_sync(rpc, data);
out:
	rpc_destroy_context(rpc);
	return ret;
}

/* LOOKUP the -D folder in the root into *dir. */
static int nl_find_dir(const struct nl_opts *o, nfs_fh3 *root, nfs_fh3 *dir)
{
	struct rpc_context *rpc = nl_connect(o->server, NFS_PROGRAM, NFS_V3);
	int ret;

	if (!rpc)
		return -EIO;
	ret = nl_lookup(rpc, root, o->dir, dir, NULL);
	rpc_destroy_context(rpc);
	return ret;
}

static void nl_usage(void)
{
	fprintf(stderr,
		"usage: nfsload -s SERVER -e EXPORT -m MODE [-c CONNS (4)] [-q DEPTH (1)]\n"
		"               [-n CALLS per connection | -T SECONDS] [-b SIZE_KIB (1024)]\n"
		"               [-f FILE_MIB (64)] [-D FOLDER] [-o START]\n"
		"MODE: null getattr access lookup read randread write randwrite meta\n"
		"      readdirplus readdir lookupmany tcp\n");
	exit(2);
}

static void nl_parse(int argc, char **argv, struct nl_opts *o)
{
	int opt, m = -1, k;

	while ((opt = getopt(argc, argv, "s:e:m:c:t:q:n:T:b:f:D:o:")) != -1) {
		switch (opt) {
		case 's': o->server = optarg; break;
		case 'e': o->export = optarg; break;
		case 'm':
			for (k = 0; k < NL_NMODES; k++)
				if (strcmp(optarg, nl_names[k]) == 0)
					m = k;
			break;
		case 'c': /* fall through: -t is the old name of -c */
		case 't': o->conns = atoi(optarg); break;
		case 'q': o->depth = atoi(optarg); break;
		case 'n': o->calls = atol(optarg); break;
		case 'T': o->seconds = atof(optarg); break;
		case 'b': o->bsize = (uint32_t)atoi(optarg) * 1024; break;
		case 'f': o->fsize = (uint64_t)atoi(optarg) << 20; break;
		case 'D': o->dir = optarg; break;
		case 'o': o->start = atol(optarg); break;
		default: nl_usage();
		}
	}
	if (m < 0 || o->conns < 1 || o->conns > 256 || o->depth < 1 || o->depth > 1024 ||
	    o->calls < 0 || o->seconds < 0 || (o->calls == 0 && o->seconds == 0) ||
	    o->bsize < 1 || o->bsize > (4u << 20) || o->fsize < o->bsize)
		nl_usage();
	o->mode = (enum nl_mode)m;
	if (m != NL_TCP && (!o->server || !o->export))
		nl_usage();
	if ((m == NL_READDIRPLUS || m == NL_READDIR || m == NL_LOOKUPMANY) && !o->dir)
		nl_usage();
	if (m == NL_LOOKUPMANY && o->calls == 0)
		nl_usage(); /* the names are counted out per connection */
	if (m == NL_READDIRPLUS || m == NL_READDIR)
		o->depth = 1; /* a listing is one cookie chain */
	if (m == NL_TCP)
		o->depth = 1;
}

static int nl_cmp_float(const void *a, const void *b)
{
	float x = *(const float *)a, y = *(const float *)b;

	return (x > y) - (x < y);
}

int main(int argc, char **argv)
{
	struct nl_opts o = { .conns = 4, .depth = 1, .calls = 0, .bsize = 1 << 20,
			     .fsize = 64 << 20 };
	struct nl_conn *c = NULL;
	nfs_fh3 root = { { 0, NULL } }, data = { { 0, NULL } }, dir = { { 0, NULL } };
	char *buf = NULL;
	float *lat = NULL;
	size_t nlat = 0;
	double t0, t1, cpu0, cpu1, mib, p50 = 0, p99 = 0;
	long total = 0, entries = 0;
	int i, ret = 1;

	nl_parse(argc, argv, &o);
	if (o.calls == 0 && o.seconds == 0)
		o.calls = 2000;
	buf = malloc(o.bsize > (1u << 20) ? o.bsize : (1u << 20));
	c = calloc((size_t)o.conns, sizeof(*c));
	if (!buf || !c)
		goto out;
	for (uint32_t k = 0; k < (o.bsize > (1u << 20) ? o.bsize : (1u << 20)); k++)
		buf[k] = (char)(k * 7 + 1);
	if (o.mode != NL_TCP && nl_mount(&o, &root) != 0)
		goto out;
	if ((o.mode == NL_READ || o.mode == NL_RANDREAD || o.mode == NL_LOOKUP) &&
	    nl_prepare(&o, &root, &data, buf, 1u << 20) != 0)
		goto out;
	if (o.dir && o.mode != NL_TCP && nl_find_dir(&o, &root, &dir) != 0)
		goto out;
	pthread_barrier_init(&nl_start, NULL, (unsigned)o.conns + 1);
	for (i = 0; i < o.conns; i++) {
		c[i] = (struct nl_conn){ .o = &o, .idx = i, .root = root, .data = data, .dir = dir,
					 .buf = buf, .rng = 0x9e3779b97f4a7c15ull * (uint64_t)(i + 1),
					 .next_off = (uint64_t)i * (o.fsize / (uint64_t)o.conns) /
						     o.bsize * o.bsize };
		if (pthread_create(&c[i].tid, NULL, nl_run, &c[i]) != 0) {
			fprintf(stderr, "nfsload: pthread_create failed\n");
			exit(1); /* the barrier would never open */
		}
	}
	pthread_barrier_wait(&nl_start);
	t0 = nl_now();
	cpu0 = nl_cpu_now();
	pthread_barrier_wait(&nl_start);
	t1 = nl_now();
	cpu1 = nl_cpu_now();
	ret = 0;
	for (i = 0; i < o.conns; i++) {
		pthread_join(c[i].tid, NULL);
		total += c[i].done;
		entries += c[i].entries;
		nlat += c[i].nlat;
		if (c[i].err)
			ret = 1;
	}
	pthread_barrier_destroy(&nl_start);
	lat = malloc((nlat ? nlat : 1) * sizeof(*lat));
	if (!lat)
		ret = 1;
	for (i = 0, nlat = 0; lat && i < o.conns; i++) {
		memcpy(lat + nlat, c[i].lat, c[i].nlat * sizeof(*lat));
		nlat += c[i].nlat;
	}
	if (lat && nlat) {
		qsort(lat, nlat, sizeof(*lat), nl_cmp_float);
		p50 = lat[(nlat - 1) / 2];
		p99 = lat[(size_t)((double)(nlat - 1) * 0.99)];
	}
	mib = (o.mode == NL_READ || o.mode == NL_WRITE || o.mode == NL_RANDREAD ||
	       o.mode == NL_RANDWRITE || o.mode == NL_TCP)
		      ? (double)total * o.bsize / (1 << 20)
		      : 0;
	printf("nfsload mode=%s conns=%d depth=%d calls=%ld seconds=%.3f calls_per_s=%.0f "
	       "MiB_per_s=%.1f p50_us=%.0f p99_us=%.0f entries=%ld entries_per_s=%.0f "
	       "client_cpu_s=%.3f%s\n",
	       nl_names[o.mode], o.conns, o.depth, total, t1 - t0, total / (t1 - t0),
	       mib / (t1 - t0), p50, p99, entries, entries / (t1 - t0), cpu1 - cpu0,
	       ret ? " FAILED" : "");
out:
	for (i = 0; c && i < o.conns; i++)
		free(c[i].lat);
	free(lat);
	free(root.data.data_val);
	free(data.data.data_val);
	free(dir.data.data_val);
	free(buf);
	free(c);
	return ret;
}

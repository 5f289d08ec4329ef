/*
 * bench/nfsload.c — a userspace NFSv3 load generator for comparing servers.
 *
 * Mounts an export through MOUNT v3 and then, from N threads each with its own
 * libnfs RPC context (one TCP connection, one call in flight), sends a fixed
 * number of raw NFSv3 calls of one kind:
 *   getattr  GETATTR of the export root
 *   lookup   LOOKUP of the shared data file in the root
 *   read     READ of SIZE bytes, walking through the shared data file
 *   write    WRITE UNSTABLE of SIZE bytes to the thread's own file, then COMMIT
 * and prints one line with the calls, the seconds, calls/s and MiB/s. Raw calls
 * (not libnfs's path API) so that one loop turn is exactly one RPC on the wire.
 * Every reply is checked: any RPC or NFS error ends the run with exit status 1.
 *
 * Usage: nfsload -s SERVER -e EXPORT -m MODE [-t THREADS] [-n CALLS]
 *                [-b SIZE_KIB] [-f FILE_MIB]
 */
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <nfsc/libnfs.h>
#include <nfsc/libnfs-raw.h>
#include <nfsc/libnfs-raw-mount.h>
#include <nfsc/libnfs-raw-nfs.h>

#define NL_DATA_NAME "nfsload.dat"
#define NL_REPLY_TIMEOUT_MS 30000 /* one call without a reply for this long fails the run */

enum nl_mode { NL_GETATTR, NL_LOOKUP, NL_READ, NL_WRITE };

struct nl_opts {
	const char *server;
	const char *export;
	enum nl_mode mode;
	int threads;
	long calls;     /* per thread */
	uint32_t bsize; /* READ/WRITE size in bytes */
	uint64_t fsize; /* size of the shared data file in bytes */
};

/* One outstanding call: filled in by nl_cb, waited for by nl_wait. */
struct nl_call {
	bool done;
	bool has_res; /* the reply body starts with an nfsstat3/mountstat3 */
	int rpc_status;
	int nfs_status;
	nfs_fh3 fh; /* LOOKUP/CREATE/MNT: the handle, malloc'd copy */
	uint32_t count; /* READ/WRITE: bytes done */
	int proc;
};

struct nl_worker {
	const struct nl_opts *o;
	int idx;
	nfs_fh3 root;
	nfs_fh3 data;
	char *buf;
	long done;
	int err;
	pthread_t tid;
};

static pthread_barrier_t nl_start;

static double nl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return ts.tv_sec + ts.tv_nsec / 1e9;
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

/* Callback for every call: records the statuses and what the caller needs. */
static void nl_cb(struct rpc_context *rpc, int status, void *data, void *priv)
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
		break;
	}
	case NFS3_CREATE: {
		CREATE3resok *ok = &((CREATE3res *)data)->CREATE3res_u.resok;
		if (ok->obj.handle_follows)
			nl_fh_copy(&c->fh, ok->obj.post_op_fh3_u.handle.data.data_val,
				   ok->obj.post_op_fh3_u.handle.data.data_len);
		break;
	}
	case NFS3_READ:
		c->count = ((READ3res *)data)->READ3res_u.resok.count;
		break;
	case NFS3_WRITE:
		c->count = ((WRITE3res *)data)->WRITE3res_u.resok.count;
		break;
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
 * succeeded at both the RPC and the NFS level, -EIO (and a message) otherwise.
 */
static int nl_wait(struct rpc_context *rpc, struct nl_call *c, const char *what)
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
	if (rpc_connect_program_async(rpc, server, prog, vers, nl_cb, &c) != 0 ||
	    nl_wait(rpc, &c, "connect") != 0) {
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
	if (rpc_mount3_mnt_async(m, nl_cb, (char *)o->export, &c) != 0)
		goto out;
	ret = nl_wait(m, &c, "MNT");
	if (ret == 0)
		*root = c.fh;
out:
	rpc_destroy_context(m);
	return ret;
}

static int nl_lookup(struct rpc_context *rpc, nfs_fh3 *dir, const char *name, nfs_fh3 *out)
{
	LOOKUP3args a = { .what = { .dir = *dir, .name = (char *)name } };
	struct nl_call c = { .has_res = true, .proc = NFS3_LOOKUP };
	int ret;

	if (rpc_nfs3_lookup_async(rpc, nl_cb, &a, &c) != 0)
		return -EIO;
	ret = nl_wait(rpc, &c, "LOOKUP");
	if (ret == 0 && out)
		*out = c.fh;
	else
		free(c.fh.data.data_val);
	return ret;
}

/* CREATE NAME in DIR (UNCHECKED, mode 0644: an existing file is truncated). */
static int nl_create(struct rpc_context *rpc, nfs_fh3 *dir, const char *name, nfs_fh3 *out)
{
	CREATE3args a = { .where = { .dir = *dir, .name = (char *)name } };
	struct nl_call c = { .has_res = true, .proc = NFS3_CREATE };
	int ret;

	a.how.mode = UNCHECKED;
	a.how.createhow3_u.obj_attributes.mode.set_it = 1;
	a.how.createhow3_u.obj_attributes.mode.set_mode3_u.mode = 0644;
	a.how.createhow3_u.obj_attributes.size.set_it = 1;
	a.how.createhow3_u.obj_attributes.size.set_size3_u.size = 0;
	if (rpc_nfs3_create_async(rpc, nl_cb, &a, &c) != 0)
		return -EIO;
	ret = nl_wait(rpc, &c, "CREATE");
	if (ret == 0 && !c.fh.data.data_val)
		ret = nl_lookup(rpc, dir, name, &c.fh);
	if (ret == 0)
		*out = c.fh;
	return ret;
}

static int nl_write(struct rpc_context *rpc, nfs_fh3 *fh, uint64_t off, char *buf, uint32_t len)
{
	WRITE3args a = { .file = *fh, .offset = off, .count = len, .stable = UNSTABLE };
	struct nl_call c = { .has_res = true, .proc = NFS3_WRITE };
	int ret;

	a.data.data_len = len;
	a.data.data_val = buf;
	if (rpc_nfs3_write_async(rpc, nl_cb, &a, &c) != 0)
		return -EIO;
	ret = nl_wait(rpc, &c, "WRITE");
	if (ret == 0 && c.count != len) {
		fprintf(stderr, "nfsload: short WRITE (%u of %u)\n", c.count, len);
		ret = -EIO;
	}
	return ret;
}

static int nl_commit(struct rpc_context *rpc, nfs_fh3 *fh)
{
	COMMIT3args a = { .file = *fh };
	struct nl_call c = { .has_res = true, .proc = NFS3_COMMIT };

	if (rpc_nfs3_commit_async(rpc, nl_cb, &a, &c) != 0)
		return -EIO;
	return nl_wait(rpc, &c, "COMMIT");
}

static int nl_one(struct nl_worker *w, struct rpc_context *rpc, nfs_fh3 *wfh, long i)
{
	const struct nl_opts *o = w->o;
	struct nl_call c = { .has_res = true };
	uint64_t off = (uint64_t)i * o->bsize;

	switch (o->mode) {
	case NL_GETATTR: {
		GETATTR3args a = { .object = w->root };
		c.proc = NFS3_GETATTR;
		if (rpc_nfs3_getattr_async(rpc, nl_cb, &a, &c) != 0)
			return -EIO;
		return nl_wait(rpc, &c, "GETATTR");
	}
	case NL_LOOKUP:
		return nl_lookup(rpc, &w->root, NL_DATA_NAME, NULL);
	case NL_READ: {
		/* each thread starts at its own place in the file */
		READ3args a = { .file = w->data, .count = o->bsize };
		int ret;

		a.offset = (off + (uint64_t)w->idx * o->fsize / o->threads) % o->fsize;
		a.offset -= a.offset % o->bsize;
		c.proc = NFS3_READ;
		if (rpc_nfs3_read_async(rpc, nl_cb, &a, &c) != 0)
			return -EIO;
		ret = nl_wait(rpc, &c, "READ");
		if (ret == 0 && c.count != o->bsize && a.offset + o->bsize <= o->fsize) {
			fprintf(stderr, "nfsload: short READ (%u of %u)\n", c.count, o->bsize);
			ret = -EIO;
		}
		return ret;
	}
	case NL_WRITE:
		return nl_write(rpc, wfh, off, w->buf, o->bsize);
	}
	return -EINVAL;
}

static void *nl_run(void *arg)
{
	struct nl_worker *w = arg;
	const struct nl_opts *o = w->o;
	struct rpc_context *rpc = nl_connect(o->server, NFS_PROGRAM, NFS_V3);
	nfs_fh3 wfh = { { 0, NULL } };
	char name[64];
	long i;

	if (!rpc)
		w->err = -EIO;
	/* set-up before the barrier, so only the loop is timed */
	if (!w->err && o->mode == NL_WRITE) {
		snprintf(name, sizeof(name), "nfsload.w%d", w->idx);
		w->err = nl_create(rpc, &w->root, name, &wfh);
	}
	if (rpc)
		rpc_set_next_xid(rpc, (uint32_t)(w->idx + 1) << 24);
	pthread_barrier_wait(&nl_start);
	for (i = 0; !w->err && i < o->calls; i++) {
		w->err = nl_one(w, rpc, &wfh, i);
		if (!w->err)
			w->done++;
	}
	if (!w->err && o->mode == NL_WRITE)
		w->err = nl_commit(rpc, &wfh);
	pthread_barrier_wait(&nl_start);
	free(wfh.data.data_val);
	if (rpc)
		rpc_destroy_context(rpc);
	return NULL;
}

/* Make the shared data file for read/lookup: FILE_MIB of data, committed. */
static int nl_prepare(const struct nl_opts *o, nfs_fh3 *root, nfs_fh3 *data, char *buf)
{
	struct rpc_context *rpc = nl_connect(o->server, NFS_PROGRAM, NFS_V3);
	uint64_t off;
	int ret;

	if (!rpc)
		return -EIO;
	ret = nl_create(rpc, root, NL_DATA_NAME, data);
	for (off = 0; ret == 0 && off < o->fsize; off += o->bsize)
		ret = nl_write(rpc, data, off, buf, o->bsize);
	if (ret == 0)
		ret = nl_commit(rpc, data);
	rpc_destroy_context(rpc);
	return ret;
}

static void nl_usage(void)
{
	fprintf(stderr, "usage: nfsload -s SERVER -e EXPORT -m getattr|lookup|read|write\n"
			"               [-t THREADS (4)] [-n CALLS per thread (2000)]\n"
			"               [-b SIZE_KIB (1024)] [-f FILE_MIB for read (64)]\n");
	exit(2);
}

static void nl_parse(int argc, char **argv, struct nl_opts *o)
{
	static const char *names[] = { "getattr", "lookup", "read", "write" };
	int opt, m = -1;
	size_t k;

	while ((opt = getopt(argc, argv, "s:e:m:t:n:b:f:")) != -1) {
		switch (opt) {
		case 's': o->server = optarg; break;
		case 'e': o->export = optarg; break;
		case 'm':
			for (k = 0; k < sizeof(names) / sizeof(names[0]); k++)
				if (strcmp(optarg, names[k]) == 0)
					m = (int)k;
			break;
		case 't': o->threads = atoi(optarg); break;
		case 'n': o->calls = atol(optarg); break;
		case 'b': o->bsize = (uint32_t)atoi(optarg) * 1024; break;
		case 'f': o->fsize = (uint64_t)atoi(optarg) << 20; break;
		default: nl_usage();
		}
	}
	if (!o->server || !o->export || m < 0 || o->threads < 1 || o->threads > 256 ||
	    o->calls < 1 || o->bsize < 1 || o->bsize > (4u << 20) || o->fsize < o->bsize)
		nl_usage();
	o->mode = (enum nl_mode)m;
}

int main(int argc, char **argv)
{
	static const char *names[] = { "getattr", "lookup", "read", "write" };
	struct nl_opts o = { .threads = 4, .calls = 2000, .bsize = 1 << 20, .fsize = 64 << 20 };
	struct nl_worker *w = NULL;
	nfs_fh3 root = { { 0, NULL } }, data = { { 0, NULL } };
	char *buf = NULL;
	double t0, t1, mib;
	long total = 0;
	int i, ret = 1;

	nl_parse(argc, argv, &o);
	buf = malloc(o.bsize);
	w = calloc((size_t)o.threads, sizeof(*w));
	if (!buf || !w)
		goto out;
	for (uint32_t k = 0; k < o.bsize; k++)
		buf[k] = (char)(k * 7 + 1);
	if (nl_mount(&o, &root) != 0)
		goto out;
	if (o.mode == NL_READ || o.mode == NL_LOOKUP) {
		if (nl_prepare(&o, &root, &data, buf) != 0)
			goto out;
	}
	pthread_barrier_init(&nl_start, NULL, (unsigned)o.threads + 1);
	for (i = 0; i < o.threads; i++) {
		w[i] = (struct nl_worker){ .o = &o, .idx = i, .root = root, .data = data, .buf = buf };
		if (pthread_create(&w[i].tid, NULL, nl_run, &w[i]) != 0) {
			fprintf(stderr, "nfsload: pthread_create failed\n");
			exit(1); /* the barrier would never open */
		}
	}
	pthread_barrier_wait(&nl_start);
	t0 = nl_now();
	pthread_barrier_wait(&nl_start);
	t1 = nl_now();
	ret = 0;
	for (i = 0; i < o.threads; i++) {
		pthread_join(w[i].tid, NULL);
		total += w[i].done;
		if (w[i].err)
			ret = 1;
	}
	pthread_barrier_destroy(&nl_start);
	mib = (o.mode == NL_READ || o.mode == NL_WRITE) ? (double)total * o.bsize / (1 << 20) : 0;
	printf("nfsload mode=%s threads=%d calls=%ld seconds=%.3f calls_per_s=%.0f MiB_per_s=%.1f%s\n",
	       names[o.mode], o.threads, total, t1 - t0, total / (t1 - t0), mib / (t1 - t0),
	       ret ? " FAILED" : "");
out:
	free(root.data.data_val);
	free(data.data.data_val);
	free(buf);
	free(w);
	return ret;
}

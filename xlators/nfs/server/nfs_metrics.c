/*
 * nfs_metrics.c — counting RPC calls and I/O, and serving the counts to
 * Prometheus (see nfs_metrics.h for the model, doc/metrics.md for names).
 *
 * Each program nfs/server registers gets a slot, claimed by its first
 * observed call (the program struct's address is the key), with a table
 * of procedures: calls, errors by status, the sum of latencies and a
 * histogram with fixed bounds from 50 µs to 10 s. Which results carry a
 * status is protocol knowledge kept here: every NFS3 procedure but NULL
 * starts its result with an nfsstat3, and MOUNT's MNT with a mountstat3
 * (v1: an errno number, the same values).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#ifdef HAVE_MICROHTTPD
#include <microhttpd.h>
#endif

#include "nfs_metrics.h"

#define METRICS_NFS_PROGRAM   100003u
#define METRICS_MOUNT_PROGRAM 100005u
#define METRICS_MOUNT_MNT     1u
#define METRICS_PROGS	      4
#define METRICS_PROCS	      32

/* Histogram upper bounds in microseconds (Prometheus "le" in seconds). */
static const int64_t metrics_bounds_us[] = {
    50,	   100,	   250,	   500,	   1000,    2500,    5000,    10000,	25000,
    50000, 100000, 250000, 500000, 1000000, 2500000, 5000000, 10000000,
};
#define METRICS_BUCKETS G_N_ELEMENTS(metrics_bounds_us)

/* The statuses counted by name: NFS3 (RFC 1813 §2.6) and MOUNT3 names. */
static const struct {
	uint32_t value;
	const char *nfs, *mnt;
} metrics_statuses[] = {
    {1, "NFS3ERR_PERM", "MNT3ERR_PERM"},
    {2, "NFS3ERR_NOENT", "MNT3ERR_NOENT"},
    {5, "NFS3ERR_IO", "MNT3ERR_IO"},
    {6, "NFS3ERR_NXIO", NULL},
    {13, "NFS3ERR_ACCES", "MNT3ERR_ACCES"},
    {17, "NFS3ERR_EXIST", NULL},
    {18, "NFS3ERR_XDEV", NULL},
    {19, "NFS3ERR_NODEV", NULL},
    {20, "NFS3ERR_NOTDIR", "MNT3ERR_NOTDIR"},
    {21, "NFS3ERR_ISDIR", NULL},
    {22, "NFS3ERR_INVAL", "MNT3ERR_INVAL"},
    {27, "NFS3ERR_FBIG", NULL},
    {28, "NFS3ERR_NOSPC", NULL},
    {30, "NFS3ERR_ROFS", NULL},
    {31, "NFS3ERR_MLINK", NULL},
    {63, "NFS3ERR_NAMETOOLONG", "MNT3ERR_NAMETOOLONG"},
    {66, "NFS3ERR_NOTEMPTY", NULL},
    {69, "NFS3ERR_DQUOT", NULL},
    {70, "NFS3ERR_STALE", NULL},
    {71, "NFS3ERR_REMOTE", NULL},
    {10001, "NFS3ERR_BADHANDLE", NULL},
    {10002, "NFS3ERR_NOT_SYNC", NULL},
    {10003, "NFS3ERR_BAD_COOKIE", NULL},
    {10004, "NFS3ERR_NOTSUPP", "MNT3ERR_NOTSUPP"},
    {10005, "NFS3ERR_TOOSMALL", NULL},
    {10006, "NFS3ERR_SERVERFAULT", "MNT3ERR_SERVERFAULT"},
    {10007, "NFS3ERR_BADTYPE", NULL},
    {10008, "NFS3ERR_JUKEBOX", NULL},
};
#define METRICS_NSTATUS G_N_ELEMENTS(metrics_statuses)
/* Two more error slots: a status not in the table, and a call that got
 * no result at all (dropped, GARBAGE_ARGS, SYSTEM_ERR). */
#define METRICS_ST_OTHER METRICS_NSTATUS
#define METRICS_ST_RPC	 (METRICS_NSTATUS + 1)

typedef atomic_uint_fast64_t metrics_counter;

struct metrics_proc {
	metrics_counter calls, sum_us;
	metrics_counter buckets[METRICS_BUCKETS + 1]; /* last: above every bound */
	metrics_counter errors[METRICS_NSTATUS + 2];
};

struct metrics_prog {
	_Atomic(const struct rpcsvc_program *) prog;
	struct metrics_proc procs[METRICS_PROCS];
};

struct nfs_metrics {
	struct nfs_server *srv;
	struct metrics_prog progs[METRICS_PROGS];
	metrics_counter *read_bytes, *write_bytes; /* per export, same index */
	metrics_counter unobserved;		   /* calls beyond the table (none expected) */
	int64_t start_time;			   /* wall clock, seconds */
#ifdef HAVE_MICROHTTPD
	struct MHD_Daemon *httpd;
#endif
};

static void metrics_add(metrics_counter *c, uint64_t v)
{
	atomic_fetch_add_explicit(c, v, memory_order_relaxed);
}

static uint64_t metrics_get(metrics_counter *c)
{
	return atomic_load_explicit(c, memory_order_relaxed);
}

/* ------------------------------------------------------------ counting */

struct nfs_metrics *nfs_metrics_new(struct nfs_server *srv)
{
	struct nfs_metrics *m = g_new0(struct nfs_metrics, 1);

	m->srv = srv;
	m->read_bytes = g_new0(metrics_counter, MAX(srv->nexports, 1));
	m->write_bytes = g_new0(metrics_counter, MAX(srv->nexports, 1));
	m->start_time = (int64_t)time(NULL);
	return m;
}

/* The slot of @prog, claimed on first use; NULL when all are taken. */
static struct metrics_prog *metrics_prog_slot(struct nfs_metrics *m,
					      const struct rpcsvc_program *prog)
{
	for (size_t i = 0; i < METRICS_PROGS; i++) {
		const struct rpcsvc_program *cur = atomic_load(&m->progs[i].prog);

		if (cur == prog)
			return &m->progs[i];
		if (!cur && atomic_compare_exchange_strong(&m->progs[i].prog, &cur, prog))
			return &m->progs[i];
		if (cur == prog) /* another worker claimed it for the same program */
			return &m->progs[i];
	}
	return NULL;
}

static size_t metrics_status_index(uint32_t status)
{
	for (size_t i = 0; i < METRICS_NSTATUS; i++)
		if (metrics_statuses[i].value == status)
			return i;
	return METRICS_ST_OTHER;
}

/* Does the result of @req start with a status word? */
static bool metrics_has_status(const struct rpcsvc_request *req)
{
	if (req->prog == METRICS_NFS_PROGRAM)
		return req->proc != 0;
	return req->prog == METRICS_MOUNT_PROGRAM && req->proc == METRICS_MOUNT_MNT;
}

void nfs_metrics_observe(void *metrics, const struct rpcsvc_request *req, const void *res,
			 int64_t elapsed_us)
{
	struct nfs_metrics *m = metrics;
	struct metrics_prog *slot;
	struct metrics_proc *p;
	size_t b = 0;

	if (!m)
		return;
	slot = metrics_prog_slot(m, req->program);
	if (!slot || req->proc >= METRICS_PROCS) {
		metrics_add(&m->unobserved, 1);
		return;
	}
	p = &slot->procs[req->proc];
	if (elapsed_us < 0)
		elapsed_us = 0;
	while (b < METRICS_BUCKETS && elapsed_us > metrics_bounds_us[b])
		b++;
	metrics_add(&p->calls, 1);
	metrics_add(&p->sum_us, (uint64_t)elapsed_us);
	metrics_add(&p->buckets[b], 1);
	if (!res) {
		metrics_add(&p->errors[METRICS_ST_RPC], 1);
	} else if (metrics_has_status(req)) {
		/* nfsstat3 / mountstat3: an enum, the result's first member */
		uint32_t status = (uint32_t) * (const int *)res;

		if (status != 0)
			metrics_add(&p->errors[metrics_status_index(status)], 1);
	}
}

void nfs_metrics_io(struct nfs_metrics *m, const struct nfs_export *e, bool write, uint64_t bytes)
{
	size_t i;

	if (!m || !e || m->srv->nexports == 0)
		return;
	i = (size_t)(e - m->srv->exports);
	if (i >= m->srv->nexports)
		return;
	metrics_add(write ? &m->write_bytes[i] : &m->read_bytes[i], bytes);
}

/* ------------------------------------------------------------ rendering */

/* Append @v as a Prometheus label value (backslash, quote, newline escaped). */
static void metrics_label(GString *out, const char *v)
{
	for (const char *p = v; *p; p++) {
		if (*p == '\\' || *p == '"')
			g_string_append_printf(out, "\\%c", *p);
		else if (*p == '\n')
			g_string_append(out, "\\n");
		else
			g_string_append_c(out, *p);
	}
}

static void metrics_head(GString *out, const char *name, const char *type, const char *help)
{
	g_string_append_printf(out, "# HELP %s %s\n# TYPE %s %s\n", name, help, name, type);
}

/* The label pair program="...",proc="..." of procedure @proc of @prog. */
static void metrics_proc_labels(GString *out, const struct rpcsvc_program *prog, size_t proc)
{
	const char *name = proc < prog->nactors ? prog->actors[proc].name : NULL;

	g_string_append(out, "program=\"");
	metrics_label(out, prog->name ? prog->name : "?");
	g_string_append(out, "\",proc=\"");
	if (name)
		metrics_label(out, name);
	else
		g_string_append_printf(out, "%zu", proc);
	g_string_append_c(out, '"');
}

/* Calls on every used procedure, then errors, then the histograms. */
static void metrics_render_calls(struct nfs_metrics *m, GString *out)
{
	metrics_head(out, "xlnfs_rpc_calls_total", "counter",
		     "Calls run per program and procedure.");
	for (size_t i = 0; i < METRICS_PROGS; i++) {
		const struct rpcsvc_program *prog = atomic_load(&m->progs[i].prog);

		for (size_t k = 0; prog && k < METRICS_PROCS; k++) {
			uint64_t n = metrics_get(&m->progs[i].procs[k].calls);

			if (!n)
				continue;
			g_string_append(out, "xlnfs_rpc_calls_total{");
			metrics_proc_labels(out, prog, k);
			g_string_append_printf(out, "} %" G_GUINT64_FORMAT "\n", (guint64)n);
		}
	}
	metrics_head(out, "xlnfs_rpc_errors_total", "counter",
		     "Calls answered with an error status (nfsstat3, mountstat3), or without a "
		     "result (status rpc_error).");
	for (size_t i = 0; i < METRICS_PROGS; i++) {
		const struct rpcsvc_program *prog = atomic_load(&m->progs[i].prog);
		bool mount = prog && prog->prog == METRICS_MOUNT_PROGRAM;

		for (size_t k = 0; prog && k < METRICS_PROCS; k++) {
			for (size_t s = 0; s < METRICS_NSTATUS + 2; s++) {
				uint64_t n = metrics_get(&m->progs[i].procs[k].errors[s]);
				const char *st;

				if (!n)
					continue;
				if (s == METRICS_ST_RPC)
					st = "rpc_error";
				else if (s == METRICS_ST_OTHER)
					st = "other";
				else
					st = mount && metrics_statuses[s].mnt
						 ? metrics_statuses[s].mnt
						 : metrics_statuses[s].nfs;
				g_string_append(out, "xlnfs_rpc_errors_total{");
				metrics_proc_labels(out, prog, k);
				g_string_append_printf(
				    out, ",status=\"%s\"} %" G_GUINT64_FORMAT "\n", st, (guint64)n);
			}
		}
	}
	metrics_head(out, "xlnfs_rpc_call_duration_seconds", "histogram",
		     "Time from the start of a procedure to its reply sent.");
	for (size_t i = 0; i < METRICS_PROGS; i++) {
		const struct rpcsvc_program *prog = atomic_load(&m->progs[i].prog);

		for (size_t k = 0; prog && k < METRICS_PROCS; k++) {
			struct metrics_proc *p = &m->progs[i].procs[k];
			uint64_t cum = 0, count = metrics_get(&p->calls);

			if (!count)
				continue;
			for (size_t b = 0; b <= METRICS_BUCKETS; b++) {
				cum += metrics_get(&p->buckets[b]);
				g_string_append(out, "xlnfs_rpc_call_duration_seconds_bucket{");
				metrics_proc_labels(out, prog, k);
				if (b < METRICS_BUCKETS)
					g_string_append_printf(out, ",le=\"%g\"}",
							       metrics_bounds_us[b] / 1e6);
				else
					g_string_append(out, ",le=\"+Inf\"}");
				g_string_append_printf(out, " %" G_GUINT64_FORMAT "\n",
						       (guint64)cum);
			}
			g_string_append(out, "xlnfs_rpc_call_duration_seconds_sum{");
			metrics_proc_labels(out, prog, k);
			g_string_append_printf(out, "} %.6f\n", metrics_get(&p->sum_us) / 1e6);
			g_string_append(out, "xlnfs_rpc_call_duration_seconds_count{");
			metrics_proc_labels(out, prog, k);
			/* the buckets' total: consistent with +Inf even mid-update */
			g_string_append_printf(out, "} %" G_GUINT64_FORMAT "\n", (guint64)cum);
		}
	}
}

static void metrics_render_exports(struct nfs_metrics *m, GString *out)
{
	const struct nfs_server *srv = m->srv;
	static const char *const names[] = {"xlnfs_export_read_bytes_total",
					    "xlnfs_export_written_bytes_total"};
	static const char *const helps[] = {"Bytes READ returned, per export.",
					    "Bytes WRITE stored, per export."};

	for (size_t w = 0; w < 2; w++) {
		metrics_head(out, names[w], "counter", helps[w]);
		for (size_t i = 0; i < srv->nexports; i++) {
			metrics_counter *c = w ? &m->write_bytes[i] : &m->read_bytes[i];

			g_string_append_printf(out, "%s{export=\"", names[w]);
			metrics_label(out, srv->exports[i].path);
			g_string_append_printf(out, "\"} %" G_GUINT64_FORMAT "\n",
					       (guint64)metrics_get(c));
		}
	}
}

/* One sample of a metric without labels. */
static void metrics_scalar(GString *out, const char *name, const char *type, const char *help,
			   uint64_t v)
{
	metrics_head(out, name, type, help);
	g_string_append_printf(out, "%s %" G_GUINT64_FORMAT "\n", name, (guint64)v);
}

static void metrics_render_service(struct nfs_metrics *m, GString *out)
{
	struct nfs_server *srv = m->srv;
	struct rpcsvc_counters rc = {0};

	if (srv->svc)
		rpcsvc_get_counters(srv->svc, &rc);
	metrics_scalar(out, "xlnfs_rpc_connections", "gauge", "TCP connections open.",
		       rc.connections);
	metrics_scalar(out, "xlnfs_rpc_calls_in_flight", "gauge", "Calls queued or running.",
		       rc.inflight);
	metrics_scalar(out, "xlnfs_rpc_received_calls_total", "counter",
		       "RPC calls decoded, every program, rejected ones included.", rc.calls);
	metrics_scalar(out, "xlnfs_rpc_drc_hits_total", "counter",
		       "Retransmissions answered from the duplicate request cache.",
		       rc.drc_replays);
	metrics_scalar(out, "xlnfs_rpc_drc_in_progress_total", "counter",
		       "Retransmissions dropped while their first copy ran.", rc.drc_in_progress);
	metrics_scalar(out, "xlnfs_rpc_drc_entries", "gauge",
		       "Replies the duplicate request cache holds.", rc.drc_entries);
	if (srv->xl && srv->xl->graph && srv->xl->graph->itable) {
		struct xl_inode_stats st;

		xl_inode_table_stats(srv->xl->graph->itable, &st);
		metrics_head(out, "xlnfs_inode_table_inodes", "gauge",
			     "Inodes in the table: referenced (active) and cached (lru).");
		g_string_append_printf(out, "xlnfs_inode_table_inodes{state=\"active\"} %zu\n",
				       st.active);
		g_string_append_printf(out, "xlnfs_inode_table_inodes{state=\"lru\"} %zu\n",
				       st.lru);
		metrics_scalar(out, "xlnfs_inode_table_lookups_total", "counter",
			       "Inode table lookups.", st.lookups);
		metrics_scalar(out, "xlnfs_inode_table_hits_total", "counter",
			       "Inode table lookups that found the inode cached.", st.hits);
		metrics_scalar(out, "xlnfs_inode_table_evictions_total", "counter",
			       "Cached inodes freed to stay within inode-lru-limit.", st.evictions);
	}
}

/* The label set volume="...",type="...",fop="..." of @xl's fop @fop. */
static void metrics_fop_labels(GString *out, const struct xl *xl, int fop)
{
	g_string_append(out, "{volume=\"");
	metrics_label(out, xl->name);
	g_string_append(out, "\",type=\"");
	metrics_label(out, xl->module->type);
	g_string_append_printf(out, "\",fop=\"%s\"}", xl_fop_name((enum xl_fop_id)fop));
}

/* Per-translator counters: what the framework counts for every volume
 * and fop (xl_fop_stats_get), for each volume of the graph below the
 * server. Only fops that were called appear. */
static void metrics_render_xlators(struct nfs_metrics *m, GString *out)
{
	static const struct {
		const char *name, *type, *help;
	} fam[] = {
		{ "xlnfs_xlator_fops_total", "counter", "Fops a translator volume ran." },
		{ "xlnfs_xlator_fop_errors_total", "counter",
		  "Fops a translator volume answered with an error." },
		{ "xlnfs_xlator_fop_seconds_total", "counter",
		  "Time a translator volume's fops took, summed (the volumes below included)." },
		{ "xlnfs_xlator_fop_max_seconds", "gauge",
		  "The longest single fop of a translator volume." },
	};
	struct xl_graph *g = m->srv->xl ? m->srv->xl->graph : NULL;

	if (!g)
		return;
	for (size_t f = 0; f < G_N_ELEMENTS(fam); f++) {
		metrics_head(out, fam[f].name, fam[f].type, fam[f].help);
		for (size_t v = 0; v < g->nvolumes; v++) {
			struct xl *xl = g->volumes[v];

			for (int fop = 0; fop < XL_FOP_COUNT && xl != m->srv->xl; fop++) {
				struct xl_fop_stats st;

				xl_fop_stats_get(xl, (enum xl_fop_id)fop, &st);
				if (!st.calls)
					continue;
				g_string_append(out, fam[f].name);
				metrics_fop_labels(out, xl, fop);
				if (f == 0)
					g_string_append_printf(out, " %" G_GUINT64_FORMAT "\n",
							       (guint64)st.calls);
				else if (f == 1)
					g_string_append_printf(out, " %" G_GUINT64_FORMAT "\n",
							       (guint64)st.errors);
				else
					g_string_append_printf(out, " %.6f\n",
							       (f == 2 ? st.total_us : st.max_us) / 1e6);
			}
		}
	}
}

char *nfs_metrics_render(struct nfs_metrics *m)
{
	GString *out = g_string_sized_new(16384);

	metrics_head(out, "xlnfs_build_info", "gauge", "The server's version (always 1).");
	g_string_append_printf(out, "xlnfs_build_info{version=\"%s\"} 1\n", PACKAGE_VERSION);
	metrics_scalar(out, "xlnfs_start_time_seconds", "gauge",
		       "When the server started, seconds since the epoch.",
		       (uint64_t)m->start_time);
	metrics_render_calls(m, out);
	metrics_render_exports(m, out);
	metrics_render_service(m, out);
	metrics_render_xlators(m, out);
	if (metrics_get(&m->unobserved))
		metrics_scalar(out, "xlnfs_rpc_unobserved_calls_total", "counter",
			       "Calls the registry had no slot for.", metrics_get(&m->unobserved));
	return g_string_free(out, FALSE);
}

/* ------------------------------------------------------------ listening */

int nfs_metrics_parse_listen(const char *text, struct sockaddr_storage *ss, socklen_t *len,
			     char **errmsg)
{
	const char *colon = strrchr(text, ':');
	char *host = NULL, *end = NULL;
	unsigned long port;
	int ret = -EINVAL;

	memset(ss, 0, sizeof(*ss));
	if (!colon || colon == text)
		goto out;
	port = strtoul(colon + 1, &end, 10);
	if (!colon[1] || *end || port == 0 || port > 65535)
		goto out;
	if (text[0] == '[' && colon[-1] == ']') {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)ss;

		host = g_strndup(text + 1, (size_t)(colon - text - 2));
		if (inet_pton(AF_INET6, host, &s6->sin6_addr) != 1)
			goto out;
		s6->sin6_family = AF_INET6;
		s6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*s6);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)ss;

		host = g_strndup(text, (size_t)(colon - text));
		if (inet_pton(AF_INET, host, &s4->sin_addr) != 1)
			goto out;
		s4->sin_family = AF_INET;
		s4->sin_port = htons((uint16_t)port);
		*len = sizeof(*s4);
	}
	ret = 0;
out:
	if (ret < 0)
		*errmsg = g_strdup_printf("'%s' is not ADDR:PORT (a numeric IPv4 address or "
					  "[IPv6] address, and a port 1-65535, e.g. "
					  "127.0.0.1:9464)",
					  text);
	g_free(host);
	return ret;
}

#ifdef HAVE_MICROHTTPD
static void metrics_mhd_log(void *cls, const char *fmt, va_list ap)
{
	struct nfs_metrics *m = cls;
	char *msg = g_strdup_vprintf(fmt, ap);

	g_strchomp(msg);
	xl_log(m->srv->xl, XL_LOG_WARNING, "metrics: %s", msg);
	g_free(msg);
}

static enum MHD_Result metrics_answer(void *cls, struct MHD_Connection *conn, const char *url,
				      const char *method, const char *version, const char *upload,
				      size_t *upload_size, void **con_cls)
{
	struct nfs_metrics *m = cls;
	struct MHD_Response *resp;
	enum MHD_Result ret;
	unsigned status = MHD_HTTP_OK;
	char *body;

	if (strcmp(method, "GET") != 0 && strcmp(method, "HEAD") != 0) {
		body = g_strdup("only GET\n");
		status = MHD_HTTP_METHOD_NOT_ALLOWED;
	} else if (strcmp(url, "/metrics") == 0) {
		body = nfs_metrics_render(m);
	} else {
		body = g_strdup("xlnfs: metrics are at /metrics\n");
		status = MHD_HTTP_NOT_FOUND;
	}
	resp = MHD_create_response_from_buffer(strlen(body), body, MHD_RESPMEM_MUST_COPY);
	g_free(body);
	if (!resp)
		return MHD_NO;
	MHD_add_response_header(resp, MHD_HTTP_HEADER_CONTENT_TYPE,
				status == MHD_HTTP_OK ? "text/plain; version=0.0.4; charset=utf-8"
						      : "text/plain; charset=utf-8");
	ret = MHD_queue_response(conn, status, resp);
	MHD_destroy_response(resp);
	return ret;
}
#endif

int nfs_metrics_start(struct nfs_metrics *m, const char *listen)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char *msg = NULL;

	if (nfs_metrics_parse_listen(listen, &ss, &len, &msg) < 0) {
		xl_log(m->srv->xl, XL_LOG_ERROR, "metrics-listen: %s", msg);
		g_free(msg);
		return -EINVAL;
	}
#ifdef HAVE_MICROHTTPD
	m->httpd = MHD_start_daemon(MHD_USE_AUTO_INTERNAL_THREAD | MHD_USE_ERROR_LOG |
					(ss.ss_family == AF_INET6 ? MHD_USE_IPv6 : 0),
				    0, NULL, NULL, metrics_answer, m, MHD_OPTION_SOCK_ADDR,
				    (struct sockaddr *)&ss, MHD_OPTION_EXTERNAL_LOGGER,
				    metrics_mhd_log, m, MHD_OPTION_CONNECTION_LIMIT, 16u,
				    MHD_OPTION_CONNECTION_TIMEOUT, 10u, MHD_OPTION_END);
	if (!m->httpd) {
		xl_log(m->srv->xl, XL_LOG_ERROR,
		       "metrics-listen %s: cannot serve HTTP there (address in use or not local?)",
		       listen);
		return -EADDRNOTAVAIL;
	}
	xl_log(m->srv->xl, XL_LOG_INFO, "metrics on http://%s/metrics", listen);
	return 0;
#else
	xl_log(m->srv->xl, XL_LOG_ERROR,
	       "metrics-listen %s: this build has no HTTP listener (rebuild with libmicrohttpd: "
	       "Debian package libmicrohttpd-dev)",
	       listen);
	return -ENOSYS;
#endif
}

void nfs_metrics_free(struct nfs_metrics *m)
{
	if (!m)
		return;
#ifdef HAVE_MICROHTTPD
	if (m->httpd)
		MHD_stop_daemon(m->httpd);
#endif
	g_free(m->read_bytes);
	g_free(m->write_bytes);
	g_free(m);
}

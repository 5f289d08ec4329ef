/*
 * rpcsvc.c — the RPC service: configuration, program registry, jobs,
 * start and stop, counters.
 *
 * Life cycle: rpcsvc_new() checks the configuration; rpcsvc_program_add()
 * fills the registry; rpcsvc_start() binds one listener group per
 * distinct program port (rpc_listen.c), starts the worker threads
 * (rpc_loop.c) and registers with rpcbind (rpcbind.c). rpcsvc_stop()
 * undoes it in an order that lets in-flight calls answer: no more
 * accepts or reads, calls received get drain_ms to finish and their
 * replies to go out (a client that does not read cannot stretch that:
 * nothing blocks on it), then waiting calls are dropped unanswered
 * (clients retry), the threads are joined, rpcbind forgets us,
 * connections close.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <netdb.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "log.h"
#include "rpcsvc_int.h"

/* Split and check the listen list. NULL if an entry is not a numeric
 * IPv4 or IPv6 address. */
static char **svc_parse_listen(const char *listen)
{
	char **addrs = g_strsplit(listen, ",", -1);
	unsigned i;

	for (i = 0; addrs[i]; i++) {
		struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
		struct addrinfo *res = NULL;

		g_strstrip(addrs[i]);
		if (getaddrinfo(addrs[i], NULL, &hints, &res) != 0) {
			xl_logd("rpc", XL_LOG_ERROR, "listen: \"%s\" is not an IP address",
				addrs[i]);
			goto out_bad;
		}
		freeaddrinfo(res);
	}
	if (i == 0)
		goto out_bad;
	return addrs;

out_bad:
	g_strfreev(addrs);
	return NULL;
}

struct rpcsvc *rpcsvc_new(const struct rpcsvc_config *cfg)
{
	struct rpcsvc *svc;
	pthread_condattr_t cattr;
	char **addrs;

	if (!cfg->tcp && !cfg->udp) {
		xl_logd("rpc", XL_LOG_ERROR, "neither tcp nor udp is enabled");
		return NULL;
	}
	addrs = svc_parse_listen(cfg->listen ? cfg->listen : "0.0.0.0");
	if (!addrs)
		return NULL;
	svc = g_new0(struct rpcsvc, 1);
	svc->cfg = *cfg;
	svc->addrs = addrs;
	svc->listen = g_strdup(cfg->listen ? cfg->listen : "0.0.0.0");
	svc->cfg.listen = svc->listen; /* our copy, not the caller's */
	if (!svc->cfg.threads)
		svc->cfg.threads = MAX(g_get_num_processors(), 1);
	if (!svc->cfg.max_record)
		svc->cfg.max_record = RPCSVC_DEFAULT_MAX_RECORD;
	if (svc->cfg.max_record > RPC_RECORD_LAST - 1)
		svc->cfg.max_record = RPC_RECORD_LAST - 1;
	if (!svc->cfg.max_connections)
		svc->cfg.max_connections = RPCSVC_DEFAULT_MAX_CONNECTIONS;
	if (!svc->cfg.idle_timeout_ms)
		svc->cfg.idle_timeout_ms = RPCSVC_DEFAULT_IDLE_MS;
	if (!svc->cfg.send_timeout_ms)
		svc->cfg.send_timeout_ms = RPCSVC_DEFAULT_SEND_TIMEOUT_MS;
	if (!svc->cfg.conn_queue_bytes)
		svc->cfg.conn_queue_bytes = RPCSVC_DEFAULT_CONN_QUEUE;
	if (!svc->cfg.queue_bytes)
		svc->cfg.queue_bytes = RPCSVC_DEFAULT_QUEUE;
	svc->programs = g_ptr_array_new();
	svc->listeners = g_ptr_array_new();
	svc->epfd = svc->wakefd = svc->spare_fd = -1;
	if (!cfg->drc_off) {
		struct rpc_drc_config dcfg = { .max_entries = cfg->drc_entries,
					       .max_bytes = cfg->drc_bytes,
					       .ttl_ms = cfg->drc_ttl_ms };

		svc->drc = rpc_drc_new(&dcfg);
	}
	pthread_mutex_init(&svc->lock, NULL);
	pthread_mutex_init(&svc->conns_lock, NULL);
	pthread_mutex_init(&svc->keeper_lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&svc->keeper_cond, &cattr);
	pthread_condattr_destroy(&cattr);
	return svc;
}

int rpcsvc_program_add(struct rpcsvc *svc, const struct rpcsvc_program *prog)
{
	guint i;

	if (!prog || !prog->actors || svc->started)
		return -EINVAL;
	for (i = 0; i < svc->programs->len; i++) {
		const struct rpcsvc_program *p = g_ptr_array_index(svc->programs, i);

		if (p->prog == prog->prog && p->vers == prog->vers)
			return -EEXIST;
	}
	g_ptr_array_add(svc->programs, (gpointer)prog);
	return 0;
}

/* The distinct ports the programs ask for. */
static void svc_collect_ports(struct rpcsvc *svc)
{
	guint i, j;

	svc->ports = g_new0(struct rpcsvc_port_map, svc->programs->len);
	for (i = 0; i < svc->programs->len; i++) {
		const struct rpcsvc_program *p = g_ptr_array_index(svc->programs, i);

		for (j = 0; j < svc->nports; j++)
			if (svc->ports[j].want == p->port)
				break;
		if (j == svc->nports)
			svc->ports[svc->nports++].want = p->port;
	}
}

/* Release what start set up (the threads are already stopped). */
static void svc_teardown(struct rpcsvc *svc)
{
	if (svc->slots) {
		rpcsvc_conns_close_all(svc);
		rpcsvc_conns_free(svc);
	}
	rpcsvc_listen_close_all(svc);
	if (svc->epfd >= 0)
		close(svc->epfd);
	if (svc->wakefd >= 0)
		close(svc->wakefd);
	if (svc->spare_fd >= 0)
		close(svc->spare_fd);
	svc->epfd = svc->wakefd = svc->spare_fd = -1;
}

int rpcsvc_start(struct rpcsvc *svc)
{
	int ret;

	if (svc->started)
		return -EBUSY;
	svc_collect_ports(svc);
	svc->prog_calls = g_new0(gint, svc->programs->len + 1);
	svc->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ret = rpcsvc_conns_init(svc);
	if (ret < 0)
		goto out_teardown;
	ret = rpcsvc_listen_all(svc);
	if (ret < 0)
		goto out_teardown;
	ret = rpcsvc_loop_start(svc);
	if (ret < 0) {
		xl_logd("rpc", XL_LOG_ERROR, "cannot start %u worker threads: %s",
			svc->cfg.threads, g_strerror(-ret));
		goto out_teardown;
	}
	pthread_mutex_lock(&svc->lock);
	svc->started = true;
	pthread_mutex_unlock(&svc->lock);
	if (svc->cfg.register_rpcbind)
		rpcsvc_rpcbind_register(svc);
	return 0;

out_teardown:
	svc_teardown(svc);
	g_free(svc->ports);
	svc->ports = NULL;
	svc->nports = 0;
	g_free(svc->prog_calls);
	svc->prog_calls = NULL;
	return ret;
}

#define SVC_DRAIN_POLL_US 2000

/* Wait until no call is in flight and every reply went out, at most
 * drain_ms from @start_ms. */
static void svc_drain(struct rpcsvc *svc, int64_t start_ms)
{
	int64_t deadline = start_ms + svc->cfg.drain_ms;
	int left;

	while (rpcsvc_now_ms() < deadline) {
		if (g_atomic_int_get(&svc->inflight) == 0 && rpcsvc_conns_flushed(svc))
			return;
		g_usleep(SVC_DRAIN_POLL_US);
	}
	left = g_atomic_int_get(&svc->inflight);
	xl_logd("rpc", XL_LOG_WARNING,
		"%d calls in flight (or replies unread) after %u ms: dropping what waits",
		left, svc->cfg.drain_ms);
}

void rpcsvc_stop(struct rpcsvc *svc)
{
	int64_t start = rpcsvc_now_ms();

	pthread_mutex_lock(&svc->lock);
	if (!svc->started || svc->stopped) {
		pthread_mutex_unlock(&svc->lock);
		return;
	}
	svc->stopped = true;
	pthread_mutex_unlock(&svc->lock);

	g_atomic_int_set(&svc->no_accept, 1);
	g_atomic_int_set(&svc->no_read, 1);
	svc_drain(svc, start);
	g_atomic_int_set(&svc->discard, 1);
	rpcsvc_loop_stop(svc);
	if (svc->rpcbind_registered)
		rpcsvc_rpcbind_unregister(svc);
	svc_teardown(svc);
	xl_logd("rpc", XL_LOG_INFO, "RPC service stopped");
}

void rpcsvc_free(struct rpcsvc *svc)
{
	if (!svc)
		return;
	rpcsvc_stop(svc);
	g_ptr_array_free(svc->programs, TRUE);
	g_ptr_array_free(svc->listeners, TRUE);
	g_strfreev(svc->addrs);
	g_free(svc->listen);
	g_free(svc->ports);
	g_free(svc->prog_calls);
	rpc_drc_free(svc->drc);
	pthread_mutex_destroy(&svc->lock);
	pthread_mutex_destroy(&svc->conns_lock);
	pthread_mutex_destroy(&svc->keeper_lock);
	pthread_cond_destroy(&svc->keeper_cond);
	g_free(svc);
}

uint16_t rpcsvc_port(const struct rpcsvc *svc, uint16_t port)
{
	unsigned i;

	for (i = 0; i < svc->nports; i++)
		if (svc->ports[i].want == port)
			return svc->ports[i].got;
	return 0;
}

const struct rpcsvc_program *rpcsvc_request_program(const struct rpcsvc_request *req)
{
	return req->program;
}

struct xl_iobuf *rpcsvc_request_record(struct rpcsvc_request *req)
{
	struct rpcsvc_job *job = req->priv;

	/* A request the service did not receive (a test driving an actor
	 * directly) has no record. */
	return job ? job->rec : NULL;
}

size_t rpcsvc_request_args_offset(const struct rpcsvc_request *req)
{
	const struct rpcsvc_job *job = req->priv;

	return (size_t)(job->buf - job->rec->data) + job->args_off;
}

void rpcsvc_request_set_payload(struct rpcsvc_request *req, struct xl_iobuf *iob,
				const void *ptr, size_t len)
{
	struct rpcsvc_job *job = req->priv;

	if (!job) { /* a test's request: there is no reply to carry it */
		xl_iobuf_unref(iob);
		return;
	}
	xl_iobuf_unref(job->payload);
	job->payload = iob;
	job->payload_ptr = ptr;
	job->payload_len = iob ? len : 0;
}

struct xl_iobuf *rpcsvc_buf_new(size_t size)
{
	return size <= RPC_RECORD_EXACT ? xl_iobuf_new(size) : rpc_record_big_new(size);
}

/* The largest UDP payload: IPv4's total length (65535) counts its
 * 20-byte header and the UDP header; IPv6's payload length counts the
 * UDP header only (listeners are IPV6_V6ONLY: no v4-mapped peers). */
#define SVC_UDP4_MAX (65535 - 20 - 8)
#define SVC_UDP6_MAX (65535 - 8)
/* An accepted reply's header with an AUTH_NONE verifier: xid, message
 * type, reply_stat, verifier flavor and length, accept_stat. */
#define SVC_REPLY_HDR 24

size_t rpcsvc_request_max_call(const struct rpcsvc_request *req)
{
	if (req->protocol == IPPROTO_UDP)
		return req->client.ss_family == AF_INET6 ? SVC_UDP6_MAX : SVC_UDP4_MAX;
	return req->svc ? req->svc->cfg.max_record : SIZE_MAX;
}

size_t rpcsvc_request_max_reply(const struct rpcsvc_request *req)
{
	if (req->protocol == IPPROTO_UDP)
		return rpcsvc_request_max_call(req) - SVC_REPLY_HDR;
	return rpcsvc_request_max_call(req);
}

void rpcsvc_queued_add(struct rpcsvc *svc, ssize_t delta)
{
	size_t now = __atomic_add_fetch(&svc->queued, (size_t)delta, __ATOMIC_RELAXED);
	size_t peak = __atomic_load_n(&svc->queued_peak, __ATOMIC_RELAXED);

	while (delta > 0 && now > peak &&
	       !__atomic_compare_exchange_n(&svc->queued_peak, &peak, now, true,
					    __ATOMIC_RELAXED, __ATOMIC_RELAXED))
		;
}

/* What a call costs in the queue budget beyond its bytes. */
#define SVC_JOB_OVERHEAD 256

struct rpcsvc_job *rpcsvc_job_new(struct rpcsvc *svc, struct xl_iobuf *rec, size_t len)
{
	struct rpcsvc_job *job = g_new0(struct rpcsvc_job, 1);

	job->svc = svc;
	job->link.data = job;
	job->rec = rec;
	job->buf = rec->data;
	job->len = len;
	job->charged = len + SVC_JOB_OVERHEAD;
	g_atomic_int_inc(&svc->inflight);
	return job;
}

void rpcsvc_job_run(struct rpcsvc_job *job)
{
	if (!g_atomic_int_get(&job->svc->discard))
		rpcsvc_dispatch(job);
	rpcsvc_job_free(job);
}

void rpcsvc_job_free(struct rpcsvc_job *job)
{
	struct rpcsvc *svc = job->svc;

	xl_iobuf_unref(job->payload);
	if (job->conn) {
		rpcsvc_conn_job_done(job->conn, job->charged);
		rpcsvc_queued_add(svc, -(ssize_t)job->charged);
		rpcsvc_conn_unref(job->conn);
	}
	xl_iobuf_unref(job->rec);
	g_free(job);
	g_atomic_int_add(&svc->inflight, -1);
}

void rpcsvc_set_send_hook(struct rpcsvc *svc, rpcsvc_send_hook hook, void *arg)
{
	__atomic_store_n(&svc->send_hook_arg, arg, __ATOMIC_RELAXED);
	__atomic_store_n(&svc->send_hook, hook, __ATOMIC_RELEASE);
}

void rpcsvc_get_counters(struct rpcsvc *svc, struct rpcsvc_counters *c)
{
	memset(c, 0, sizeof(*c));
	c->connections = (unsigned)g_atomic_int_get(&svc->stats.conns_current);
	c->queued_bytes = __atomic_load_n(&svc->queued, __ATOMIC_RELAXED);
	c->queued_peak = __atomic_load_n(&svc->queued_peak, __ATOMIC_RELAXED);
	c->rx_copied = __atomic_load_n(&svc->stats.rx_copied, __ATOMIC_RELAXED);
	c->rx_direct = __atomic_load_n(&svc->stats.rx_direct, __ATOMIC_RELAXED);
	c->conns_dropped_idle = (uint64_t)g_atomic_int_get(&svc->stats.conns_idle);
	c->conns_dropped_stalled = (uint64_t)g_atomic_int_get(&svc->stats.conns_stalled);
	c->conns_refused = (uint64_t)g_atomic_int_get(&svc->stats.conns_refused);
	c->conn_arms = (uint64_t)(guint)g_atomic_int_get(&svc->stats.conn_arms);
	c->batched = __atomic_load_n(&svc->stats.batched, __ATOMIC_RELAXED);
	c->calls = (uint64_t)(guint)g_atomic_int_get(&svc->stats.calls);
	c->inflight = (unsigned)MAX(g_atomic_int_get(&svc->inflight), 0);
	if (svc->drc) {
		struct rpc_drc_stats ds;

		rpc_drc_get_stats(svc->drc, &ds);
		c->drc_replays = ds.replays;
		c->drc_in_progress = ds.in_progress;
		c->drc_entries = ds.entries;
	}
}

void rpcsvc_dump(struct rpcsvc *svc)
{
	struct rpcsvc_stats *s = &svc->stats;
	guint i;

	xl_logd("rpc", XL_LOG_INFO,
		"connections accepted=%d current=%d refused=%d broken=%d idle_closed=%d "
		"stalled_closed=%d; queued bytes=%zu (peak %zu)",
		g_atomic_int_get(&s->conns_accepted), g_atomic_int_get(&s->conns_current),
		g_atomic_int_get(&s->conns_refused), g_atomic_int_get(&s->conns_broken),
		g_atomic_int_get(&s->conns_idle), g_atomic_int_get(&s->conns_stalled),
		__atomic_load_n(&svc->queued, __ATOMIC_RELAXED),
		__atomic_load_n(&svc->queued_peak, __ATOMIC_RELAXED));
	xl_logd("rpc", XL_LOG_INFO,
		"calls=%d dropped=%d udp_dropped=%d rpc_mismatch=%d auth_error=%d "
		"prog_unavail=%d prog_mismatch=%d proc_unavail=%d garbage_args=%d system_err=%d",
		g_atomic_int_get(&s->calls), g_atomic_int_get(&s->drops),
		g_atomic_int_get(&s->udp_dropped), g_atomic_int_get(&s->rpc_mismatch),
		g_atomic_int_get(&s->auth_error), g_atomic_int_get(&s->prog_unavail),
		g_atomic_int_get(&s->prog_mismatch), g_atomic_int_get(&s->proc_unavail),
		g_atomic_int_get(&s->garbage_args), g_atomic_int_get(&s->system_err));
	if (svc->drc) {
		struct rpc_drc_stats ds;

		rpc_drc_get_stats(svc->drc, &ds);
		xl_logd("rpc", XL_LOG_INFO,
			"duplicate request cache: new=%" G_GUINT64_FORMAT " replayed=%" G_GUINT64_FORMAT
			" dropped_in_progress=%" G_GUINT64_FORMAT " evicted=%" G_GUINT64_FORMAT
			" expired=%" G_GUINT64_FORMAT " entries=%zu bytes=%zu running=%zu",
			(guint64)ds.misses, (guint64)ds.replays, (guint64)ds.in_progress,
			(guint64)ds.evictions, (guint64)ds.expired, ds.entries, ds.bytes,
			ds.running);
	}
	for (i = 0; svc->prog_calls && i < svc->programs->len; i++) {
		const struct rpcsvc_program *p = g_ptr_array_index(svc->programs, i);

		xl_logd("rpc", XL_LOG_INFO, "program %s (%u v%u) port %u calls=%d", p->name,
			p->prog, p->vers, rpcsvc_port(svc, p->port),
			g_atomic_int_get(&svc->prog_calls[i]));
	}
}

/*
 * rpcsvc.c — the RPC service: configuration, program registry, the
 * worker pool, start and stop, counters.
 *
 * Life cycle: rpcsvc_new() checks the configuration; rpcsvc_program_add()
 * fills the registry; rpcsvc_start() binds one listener group per
 * distinct program port (rpc_listen.c), starts the workers and the event
 * loop (rpc_loop.c) and registers with rpcbind (rpcbind.c). rpcsvc_stop()
 * undoes it in an order that lets in-flight calls answer: the loop stops
 * (no new calls), listeners close, queued calls get drain_ms to finish
 * (then the rest are dropped unanswered; clients retry), the workers are
 * joined, rpcbind forgets us, connections close.
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

static void svc_worker(gpointer data, gpointer user_data);

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
		svc->cfg.threads = RPCSVC_DEFAULT_THREADS;
	if (!svc->cfg.max_record)
		svc->cfg.max_record = RPCSVC_DEFAULT_MAX_RECORD;
	if (svc->cfg.max_record > RPC_RECORD_LAST - 1)
		svc->cfg.max_record = RPC_RECORD_LAST - 1;
	if (!svc->cfg.max_connections)
		svc->cfg.max_connections = RPCSVC_DEFAULT_MAX_CONNECTIONS;
	svc->programs = g_ptr_array_new();
	svc->listeners = g_ptr_array_new();
	svc->closing = g_ptr_array_new();
	svc->epfd = svc->wakefd = svc->spare_fd = -1;
	if (!cfg->drc_off) {
		struct rpc_drc_config dcfg = { .max_entries = cfg->drc_entries,
					       .max_bytes = cfg->drc_bytes,
					       .ttl_ms = cfg->drc_ttl_ms };

		svc->drc = rpc_drc_new(&dcfg);
	}
	pthread_mutex_init(&svc->lock, NULL);
	pthread_condattr_init(&cattr);
	pthread_condattr_setclock(&cattr, CLOCK_MONOTONIC);
	pthread_cond_init(&svc->drained, &cattr);
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

/* Release what start set up (sockets, threads are already stopped). */
static void svc_teardown(struct rpcsvc *svc)
{
	GList *conns, *l;

	if (svc->conns) {
		/* Closing removes a connection from the table: walk a copy. */
		conns = g_hash_table_get_keys(svc->conns);
		for (l = conns; l; l = l->next)
			rpcsvc_conn_close(l->data);
		g_list_free(conns);
		rpcsvc_conn_reap(svc);
		g_hash_table_destroy(svc->conns);
		svc->conns = NULL;
	}
	rpcsvc_listen_close_all(svc);
	if (svc->epfd >= 0)
		close(svc->epfd);
	if (svc->wakefd >= 0)
		close(svc->wakefd);
	if (svc->spare_fd >= 0)
		close(svc->spare_fd);
	svc->epfd = svc->wakefd = svc->spare_fd = -1;
	g_free(svc->rbuf);
	svc->rbuf = NULL;
}

int rpcsvc_start(struct rpcsvc *svc)
{
	GError *err = NULL;
	int ret;

	if (svc->started)
		return -EBUSY;
	svc_collect_ports(svc);
	svc->prog_calls = g_new0(gint, svc->programs->len + 1);
	svc->rbuf = g_malloc(RPCSVC_UDP_MAX);
	svc->conns = g_hash_table_new(g_direct_hash, g_direct_equal);
	svc->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	ret = rpcsvc_listen_all(svc);
	if (ret < 0)
		goto out_teardown;
	svc->pool = g_thread_pool_new(svc_worker, svc, svc->cfg.threads, FALSE, &err);
	if (!svc->pool) {
		xl_logd("rpc", XL_LOG_ERROR, "cannot start %u worker threads: %s",
			svc->cfg.threads, err ? err->message : "?");
		g_clear_error(&err);
		ret = -EAGAIN;
		goto out_teardown;
	}
	ret = rpcsvc_loop_start(svc);
	if (ret < 0) {
		xl_logd("rpc", XL_LOG_ERROR, "cannot start the event loop: %s", g_strerror(-ret));
		goto out_pool;
	}
	pthread_mutex_lock(&svc->lock);
	svc->started = true;
	pthread_mutex_unlock(&svc->lock);
	if (svc->cfg.register_rpcbind)
		rpcsvc_rpcbind_register(svc);
	return 0;

out_pool:
	g_thread_pool_free(svc->pool, FALSE, TRUE);
	svc->pool = NULL;
out_teardown:
	svc_teardown(svc);
	g_free(svc->ports);
	svc->ports = NULL;
	svc->nports = 0;
	g_free(svc->prog_calls);
	svc->prog_calls = NULL;
	return ret;
}

/* Wait until no job is queued or running, at most drain_ms. */
static void svc_drain(struct rpcsvc *svc)
{
	struct timespec deadline;
	unsigned left;

	clock_gettime(CLOCK_MONOTONIC, &deadline);
	deadline.tv_sec += svc->cfg.drain_ms / 1000;
	deadline.tv_nsec += (long)(svc->cfg.drain_ms % 1000) * 1000000;
	if (deadline.tv_nsec >= 1000000000) {
		deadline.tv_sec++;
		deadline.tv_nsec -= 1000000000;
	}
	pthread_mutex_lock(&svc->lock);
	while (svc->inflight > 0)
		if (pthread_cond_timedwait(&svc->drained, &svc->lock, &deadline) == ETIMEDOUT)
			break;
	left = svc->inflight;
	pthread_mutex_unlock(&svc->lock);
	if (left)
		xl_logd("rpc", XL_LOG_WARNING,
			"%u calls still queued or running after %u ms: dropping the queued ones",
			left, svc->cfg.drain_ms);
	g_atomic_int_set(&svc->discard, 1);
}

void rpcsvc_stop(struct rpcsvc *svc)
{
	guint i;

	pthread_mutex_lock(&svc->lock);
	if (!svc->started || svc->stopped) {
		pthread_mutex_unlock(&svc->lock);
		return;
	}
	svc->stopped = true;
	pthread_mutex_unlock(&svc->lock);

	rpcsvc_loop_stop(svc);
	for (i = 0; i < svc->listeners->len; i++) {
		struct rpcsvc_listener *l = g_ptr_array_index(svc->listeners, i);

		if (l->kind == RPCSVC_EV_LISTEN && l->fd >= 0) {
			close(l->fd);
			l->fd = -1;
		}
	}
	svc_drain(svc);
	g_thread_pool_free(svc->pool, FALSE, TRUE);
	svc->pool = NULL;
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
	g_ptr_array_free(svc->closing, TRUE);
	g_strfreev(svc->addrs);
	g_free(svc->listen);
	g_free(svc->ports);
	g_free(svc->prog_calls);
	rpc_drc_free(svc->drc);
	pthread_mutex_destroy(&svc->lock);
	pthread_cond_destroy(&svc->drained);
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

void rpcsvc_request_set_payload(struct rpcsvc_request *req, void *buf, size_t len,
				void (*release)(void *buf))
{
	struct rpcsvc_job *job = req->priv;

	if (job->payload_release)
		job->payload_release(job->payload);
	job->payload = buf;
	job->payload_len = len;
	job->payload_release = release;
}

void rpcsvc_job_submit(struct rpcsvc *svc, struct rpcsvc_job *job)
{
	pthread_mutex_lock(&svc->lock);
	svc->inflight++;
	pthread_mutex_unlock(&svc->lock);
	RPCSVC_TSAN_RELEASE(job);
	g_thread_pool_push(svc->pool, job, NULL);
}

void rpcsvc_job_free(struct rpcsvc_job *job)
{
	if (job->payload_release)
		job->payload_release(job->payload);
	if (job->conn) {
		rpcsvc_conn_job_done(job->conn);
		rpcsvc_conn_unref(job->conn);
	}
	g_free(job->buf);
	g_free(job);
}

static void svc_worker(gpointer data, gpointer user_data)
{
	struct rpcsvc_job *job = data;
	struct rpcsvc *svc = user_data;

	RPCSVC_TSAN_ACQUIRE(job);
	if (!g_atomic_int_get(&svc->discard))
		rpcsvc_dispatch(job);
	rpcsvc_job_free(job);
	pthread_mutex_lock(&svc->lock);
	if (--svc->inflight == 0)
		pthread_cond_broadcast(&svc->drained);
	pthread_mutex_unlock(&svc->lock);
}

void rpcsvc_dump(struct rpcsvc *svc)
{
	struct rpcsvc_stats *s = &svc->stats;
	guint i;

	xl_logd("rpc", XL_LOG_INFO,
		"connections accepted=%d current=%d refused=%d broken=%d",
		g_atomic_int_get(&s->conns_accepted), g_atomic_int_get(&s->conns_current),
		g_atomic_int_get(&s->conns_refused), g_atomic_int_get(&s->conns_broken));
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

void rpcsvc_get_counters(struct rpcsvc *svc, struct rpcsvc_counters *out)
{
	memset(out, 0, sizeof(*out));
	out->connections = (unsigned)MAX(g_atomic_int_get(&svc->stats.conns_current), 0);
	out->calls = (uint64_t)(guint)g_atomic_int_get(&svc->stats.calls);
	pthread_mutex_lock(&svc->lock);
	out->inflight = svc->inflight;
	pthread_mutex_unlock(&svc->lock);
	if (svc->drc) {
		struct rpc_drc_stats ds;

		rpc_drc_get_stats(svc->drc, &ds);
		out->drc_replays = ds.replays;
		out->drc_in_progress = ds.in_progress;
		out->drc_entries = ds.entries;
	}
}

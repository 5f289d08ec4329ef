/*
 * server.c — the nfs/server translator: the top of every graph.
 *
 * Its options say where to listen and what to export; init() sets up the
 * exports (finding each root's id once), the file handle secret and write
 * verifier, then starts an RPC service carrying the NFS v3 program
 * (nfs3_*.c) and the MOUNT programs (mount/, which asks the server
 * through nfs_mount_iface.h). Every fop the programs make goes to the
 * subvolume of the export it is made in: the server takes one subvolume
 * or several (`subvolumes disk scratch`), each export naming the one it
 * serves (scratch:/ in export-dir or export; plain paths are the first
 * subvolume's), with its own export id and fsid (exports.c).
 *
 * State kept across restarts lives in state-dir: fh-secret (32 random
 * bytes keying file handle MACs; losing it makes every handle stale) and
 * whatever MOUNT keeps there (the mount list).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <glib/gstdio.h>
#include <inttypes.h>
#include <netdb.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "export_access.h"
#include "nlm4.h"
#include "gid_cache.h"
#include "hostcache.h"
#include "mount.h"
#include "nfs3.h"
#include "nfs3_verf.h"
#include "nfs_metrics.h"
#include "nfs_reload.h"
#include "nfs_server.h"

#define NFS_SECRET_FILE "fh-secret"

/* Parsed options (xl->conf). */
struct nfs_server_conf {
	char *listen;
	int64_t nfs_port, mount_port;
	bool tcp, udp, rpc_register;
	int64_t threads;
	uint64_t max_record;
	uint64_t drain_ms;
	int64_t max_connections, per_client_connections;
	uint64_t idle_timeout_ms, send_timeout_ms, conn_queue, queue_total;
	char *export_dir;
	char *export_rules;            /* the `export` option (export_access.h) */
	bool manage_gids;
	uint64_t gid_ttl_ms, host_ttl_ms, host_neg_ttl_ms, host_wait_ms;
	struct xl_addrlist *allow;
	bool read_only, root_squash, all_squash;
	int64_t anonuid, anongid;
	char *state_dir;
	uint64_t rtmax, wtmax, dtpref;
	bool fileid_32bit;
	int64_t inode_lru_limit;
	bool drc;
	int64_t drc_entries;
	uint64_t drc_size, drc_ttl_ms;
	bool export_list_all;
	char *metrics_listen;
	bool nlm;
	int64_t nlm_port;
	uint64_t nlm_grace_ms;
};

/* The export option's syntax, checked while the volfile is read so that
 * errors name its line (xl_option.check): "column N: ...". */
static int nfs_server_check_export(const char *value, char **why)
{
	struct nfs_export defaults = { .anonuid = 65534, .anongid = 65534 };
	struct nfs_export *table = NULL;
	size_t n = 0;
	int ret = nfs_exports_add_rules(value, &defaults, &table, &n, why);

	nfs_exports_free_rules(table, n);
	nfs_exports_free(table, n, NULL);
	return ret;
}

#define KB 1024LL
#define MB (1024LL * 1024)

static const struct xl_option nfs_server_options[] = {
	{ .key = "listen-address", .type = XL_OPT_STR, .def = "0.0.0.0,::",
	  .offset = offsetof(struct nfs_server_conf, listen),
	  .desc = "comma list of local addresses to listen on" },
	{ .key = "nfs-port", .type = XL_OPT_INT, .def = "2049", .min = 1, .max = 65535,
	  .offset = offsetof(struct nfs_server_conf, nfs_port),
	  .desc = "port of the NFS v3 program" },
	{ .key = "mount-port", .type = XL_OPT_INT, .def = "20048", .min = 1, .max = 65535,
	  .offset = offsetof(struct nfs_server_conf, mount_port),
	  .desc = "port of the MOUNT v1/v3 programs" },
	{ .key = "nlm", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct nfs_server_conf, nlm),
	  .desc = "serve the NLM v4 lock manager (fcntl/flock locks of NFS v3 clients "
		  "mounted without nolock)" },
	{ .key = "nlm-port", .type = XL_OPT_INT, .def = "0", .min = 0, .max = 65535,
	  .offset = offsetof(struct nfs_server_conf, nlm_port),
	  .desc = "port of the NLM v4 program (0: the NFS port; clients find it through "
		  "rpcbind)" },
	{ .key = "nlm-grace", .type = XL_OPT_TIME, .def = "0s", .max = 3600 * 1000,
	  .offset = offsetof(struct nfs_server_conf, nlm_grace_ms),
	  .desc = "after a start, only reclaimed locks are granted for this long (0: no "
		  "grace period; locks do not survive a restart, and clients are not told "
		  "to reclaim them)" },
	{ .key = "transport.tcp", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct nfs_server_conf, tcp), .desc = "serve over TCP" },
	{ .key = "transport.udp", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct nfs_server_conf, udp), .desc = "serve over UDP" },
	{ .key = "rpc-register", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct nfs_server_conf, rpc_register),
	  .desc = "register the programs with rpcbind" },
	{ .key = "threads", .type = XL_OPT_INT, .def = "0", .min = 0, .max = 256,
	  .offset = offsetof(struct nfs_server_conf, threads),
	  .desc = "threads receiving and running NFS and MOUNT calls (0: one per core)" },
	{ .key = "max-record-size", .type = XL_OPT_SIZE, .def = "2MB", .min = 64 * KB,
	  .max = 64 * MB, .offset = offsetof(struct nfs_server_conf, max_record),
	  .desc = "largest RPC record accepted over TCP (must hold rtmax and wtmax)" },
	{ .key = "drain-timeout", .type = XL_OPT_TIME, .def = "5s",
	  .offset = offsetof(struct nfs_server_conf, drain_ms),
	  .desc = "how long a stop waits for calls in flight, whatever clients do" },
	{ .key = "max-connections", .type = XL_OPT_INT, .def = "1024", .min = 1, .max = 65536,
	  .offset = offsetof(struct nfs_server_conf, max_connections),
	  .desc = "TCP connections kept; beyond, a new client replaces the oldest idle one" },
	{ .key = "per-client-connections", .type = XL_OPT_INT, .def = "0", .min = 0,
	  .max = 65536, .offset = offsetof(struct nfs_server_conf, per_client_connections),
	  .desc = "TCP connections kept per client address (0: no limit)" },
	{ .key = "idle-timeout", .type = XL_OPT_TIME, .def = "360s",
	  .offset = offsetof(struct nfs_server_conf, idle_timeout_ms),
	  .desc = "close a connection with no call for this long" },
	{ .key = "send-timeout", .type = XL_OPT_TIME, .def = "30s",
	  .offset = offsetof(struct nfs_server_conf, send_timeout_ms),
	  .desc = "close a connection whose client does not read its replies for this long: "
		  "they waited in the server, or unacknowledged in its kernel's send queue, "
		  "while the client took less than 64 KiB/s" },
	{ .key = "queue-size", .type = XL_OPT_SIZE, .def = "8MB", .min = 64 * KB,
	  .max = 1024 * MB, .offset = offsetof(struct nfs_server_conf, conn_queue),
	  .desc = "calls and replies held per connection before it is no longer read" },
	{ .key = "queue-total", .type = XL_OPT_SIZE, .def = "256MB", .min = MB,
	  .max = 64 * 1024 * MB, .offset = offsetof(struct nfs_server_conf, queue_total),
	  .desc = "calls and replies held in all; beyond, only idle connections are read" },
	{ .key = "export-dir", .type = XL_OPT_STR,
	  .offset = offsetof(struct nfs_server_conf, export_dir),
	  .desc = "exports, white space separated: PATH or PATH(OPT,...) with PATH a "
		  "directory in the first subvolume (/ = its root), mounted as PATH; or "
		  "SUBVOLUME:PATH(OPT,...), a directory in the subvolume of that name, "
		  "mounted as /SUBVOLUME/PATH (scratch:/ is mounted as /scratch) with "
		  "its own fsid; MOUNT paths must be unique. OPTs override the global "
		  "options: ro, rw, root-squash, no-root-squash, all-squash, no-all-squash, "
		  "anonuid=N, anongid=N, secure, insecure, allow=ADDR|ADDR|... "
		  "(default / when export is not set either)" },
	{ .key = "export", .type = XL_OPT_STR,
	  .offset = offsetof(struct nfs_server_conf, export_rules),
	  .check = nfs_server_check_export,
	  .desc = "exports as exports(5) writes them, separated by ';': PATH CLIENT(OPTS) "
		  "... with PATH as in export-dir (SUBVOLUME:PATH for another subvolume "
		  "than the first), CLIENT a host, address, CIDR, wildcard name (*.example.com) or "
		  "*, -CLIENT to deny; first match wins; OPTS ro|rw, root_squash|"
		  "no_root_squash|all_squash, anonuid=N, anongid=N, secure|insecure "
		  "(defaults ro, root_squash, secure)" },
	{ .key = "manage-gids", .type = XL_OPT_BOOL, .def = "off",
	  .offset = offsetof(struct nfs_server_conf, manage_gids),
	  .desc = "take callers' groups from this server's user database (getgrouplist), "
		  "ignoring the AUTH_SYS list (which may then exceed 16)" },
	{ .key = "gid-cache-ttl", .type = XL_OPT_TIME, .def = "300s", .min = 1000,
	  .max = 86400 * 1000, .offset = offsetof(struct nfs_server_conf, gid_ttl_ms),
	  .desc = "how long manage-gids keeps a user's groups" },
	{ .key = "hostname-cache-ttl", .type = XL_OPT_TIME, .def = "300s", .min = 1000,
	  .max = 86400 * 1000, .offset = offsetof(struct nfs_server_conf, host_ttl_ms),
	  .desc = "how long a client's forward-confirmed host name is kept" },
	{ .key = "hostname-negative-ttl", .type = XL_OPT_TIME, .def = "30s", .min = 1000,
	  .max = 86400 * 1000, .offset = offsetof(struct nfs_server_conf, host_neg_ttl_ms),
	  .desc = "how long 'this client has no (confirmed) name' is kept" },
	{ .key = "hostname-wait", .type = XL_OPT_TIME, .def = "1s", .max = 30 * 1000,
	  .offset = offsetof(struct nfs_server_conf, host_wait_ms),
	  .desc = "how long MNT waits for a client's name when a host-name entry decides "
		  "(NFS calls never wait: they answer JUKEBOX and the client retries)" },
	{ .key = "rpc-auth.allow", .type = XL_OPT_ADDRLIST, .def = "*",
	  .offset = offsetof(struct nfs_server_conf, allow),
	  .desc = "clients allowed on exports without allow= (*, hosts, addresses, CIDR; "
		  "hosts by their forward-confirmed name, cached)" },
	{ .key = "read-only", .type = XL_OPT_BOOL, .def = "off",
	  .offset = offsetof(struct nfs_server_conf, read_only),
	  .desc = "export read-only unless an export says rw" },
	{ .key = "root-squash", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct nfs_server_conf, root_squash),
	  .desc = "map uid/gid 0 to anonuid/anongid" },
	{ .key = "all-squash", .type = XL_OPT_BOOL, .def = "off",
	  .offset = offsetof(struct nfs_server_conf, all_squash),
	  .desc = "map every user to anonuid/anongid" },
	{ .key = "anonuid", .type = XL_OPT_INT, .def = "65534", .min = 0, .max = 4294967295LL,
	  .offset = offsetof(struct nfs_server_conf, anonuid),
	  .desc = "uid squashed users get" },
	{ .key = "anongid", .type = XL_OPT_INT, .def = "65534", .min = 0, .max = 4294967295LL,
	  .offset = offsetof(struct nfs_server_conf, anongid),
	  .desc = "gid squashed users get" },
	{ .key = "state-dir", .type = XL_OPT_PATH, .def = STATE_DIR,
	  .offset = offsetof(struct nfs_server_conf, state_dir),
	  .desc = "where the file handle secret and the mount list are kept" },
	{ .key = "rtmax", .type = XL_OPT_SIZE, .def = "1MB", .min = 4 * KB, .max = 16 * MB,
	  .offset = offsetof(struct nfs_server_conf, rtmax),
	  .desc = "largest READ (FSINFO rtmax)" },
	{ .key = "wtmax", .type = XL_OPT_SIZE, .def = "1MB", .min = 4 * KB, .max = 16 * MB,
	  .offset = offsetof(struct nfs_server_conf, wtmax),
	  .desc = "largest WRITE (FSINFO wtmax)" },
	{ .key = "dtpref", .type = XL_OPT_SIZE, .def = "64KB", .min = 512, .max = MB,
	  .offset = offsetof(struct nfs_server_conf, dtpref),
	  .desc = "preferred READDIR size (FSINFO dtpref)" },
	{ .key = "fileid-32bit", .type = XL_OPT_BOOL, .def = "off",
	  .offset = offsetof(struct nfs_server_conf, fileid_32bit),
	  .desc = "fold 64-bit fileids to 32 bits for old clients" },
	{ .key = "inode-lru-limit", .type = XL_OPT_INT, .def = "16384", .min = 0,
	  .max = 10000000, .offset = offsetof(struct nfs_server_conf, inode_lru_limit),
	  .desc = "unreferenced inodes kept cached in the graph's inode table" },
	{ .key = "drc", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct nfs_server_conf, drc),
	  .desc = "duplicate request cache: a retransmitted non-idempotent call gets its "
		  "first reply instead of running again" },
	{ .key = "drc-entries", .type = XL_OPT_INT, .def = "8192", .min = 64, .max = 1000000,
	  .offset = offsetof(struct nfs_server_conf, drc_entries),
	  .desc = "completed calls the duplicate request cache keeps" },
	{ .key = "drc-size", .type = XL_OPT_SIZE, .def = "8MB", .min = 64 * KB, .max = 1024 * MB,
	  .offset = offsetof(struct nfs_server_conf, drc_size),
	  .desc = "reply bytes the duplicate request cache keeps" },
	{ .key = "drc-ttl", .type = XL_OPT_TIME, .def = "120s", .min = 1000, .max = 3600 * 1000,
	  .offset = offsetof(struct nfs_server_conf, drc_ttl_ms),
	  .desc = "how long a cached reply is kept since its last use" },
	{ .key = "export-list-all", .type = XL_OPT_BOOL, .def = "on",
	  .offset = offsetof(struct nfs_server_conf, export_list_all),
	  .desc = "MOUNT EXPORT (showmount -e) lists every export with its clients, as knfsd "
		  "does; off lists only the exports the asking client may mount" },
	{ .key = "metrics-listen", .type = XL_OPT_STR, .def = "",
	  .offset = offsetof(struct nfs_server_conf, metrics_listen),
	  .desc = "serve Prometheus metrics over HTTP at ADDR:PORT/metrics (e.g. "
		  "127.0.0.1:9464, [::1]:9464); empty: off" },
	{ NULL },
};

static struct nfs_export nfs_server_defaults(const struct nfs_server_conf *conf)
{
	struct nfs_export d = {
		.clients = conf->allow,
		.read_only = conf->read_only,
		.root_squash = conf->root_squash,
		.all_squash = conf->all_squash,
		.anonuid = (uid_t)conf->anonuid,
		.anongid = (gid_t)conf->anongid,
	};
	return d;
}

/* Is every entry of listen-address a numeric IPv4 or IPv6 address (what
 * rpcsvc_new accepts)? 0, or -EINVAL reported at the option's line. */
static int nfs_server_check_listen(struct xl *xl, const char *list)
{
	char **addrs = g_strsplit(list, ",", -1);
	int ret = 0;

	if (!addrs[0]) {
		xl_config_error(xl, "listen-address", "listen-address: no address given");
		ret = -EINVAL;
	}
	for (char **a = addrs; *a; a++) {
		struct addrinfo hints = { .ai_flags = AI_NUMERICHOST | AI_PASSIVE };
		struct addrinfo *res = NULL;
		char *addr = g_strstrip(*a);

		if (getaddrinfo(addr, NULL, &hints, &res) == 0) {
			freeaddrinfo(res);
		} else {
			xl_config_error(xl, "listen-address",
					"listen-address: '%s' is not a numeric IPv4 or IPv6 "
					"address",
					addr);
			ret = -EINVAL;
		}
	}
	g_strfreev(addrs);
	return ret;
}

/* The export table from export-dir and export ("/" when neither is set),
 * each export bound to its subvolume among @xl's children. 0, or -EINVAL
 * with *errmsg ("export-dir: ..." or "option export: ...") and *key the
 * option at fault. */
static int nfs_server_exports(struct xl *xl, const struct nfs_export *defaults,
			      struct nfs_export **out, size_t *n, char **errmsg, const char **key)
{
	const struct nfs_server_conf *conf = xl->conf;
	const char *dirs = conf->export_dir ? conf->export_dir : conf->export_rules ? NULL : "/";
	char *msg = NULL;
	size_t first;
	int ret = 0;

	*out = NULL;
	*n = 0;
	*key = "export-dir";
	if (dirs) {
		ret = nfs_exports_parse(dirs, defaults, out, n, errmsg);
		if (ret == 0 && nfs_exports_bind(*out, *n, xl->children, xl->nchildren, &msg) < 0) {
			*errmsg = g_strdup_printf("export-dir: %s", msg);
			g_free(msg);
			msg = NULL;
			ret = -EINVAL;
		}
	}
	first = *n;
	if (ret == 0 && conf->export_rules) {
		*key = "export";
		ret = nfs_exports_add_rules(conf->export_rules, defaults, out, n, &msg);
		if (ret == 0)
			ret = nfs_exports_bind(*out + first, *n - first, xl->children,
					       xl->nchildren, &msg);
		if (ret < 0) {
			*errmsg = g_strdup_printf("option export: %s", msg);
			g_free(msg);
		}
	}
	if (ret < 0) {
		nfs_exports_free_rules(*out, *n);
		nfs_exports_free(*out, *n, defaults->clients);
		*out = NULL;
		*n = 0;
	}
	return ret;
}

static int nfs_server_validate(struct xl *xl)
{
	struct nfs_server_conf *conf = xl->conf;
	struct nfs_export defaults = nfs_server_defaults(conf);
	struct nfs_export *exports = NULL;
	const char *key = NULL;
	char *msg = NULL;
	size_t n = 0;
	int ret;

	ret = nfs_server_exports(xl, &defaults, &exports, &n, &msg, &key);
	if (ret < 0) {
		xl_config_error(xl, key, "%s", msg);
		g_free(msg);
	} else {
		nfs_exports_free_rules(exports, n);
		nfs_exports_free(exports, n, defaults.clients);
	}
	if (conf->rtmax > conf->max_record || conf->wtmax > conf->max_record) {
		xl_config_error(xl, conf->rtmax > conf->max_record ? "rtmax" : "wtmax",
				"rtmax (%" G_GUINT64_FORMAT ") and wtmax (%" G_GUINT64_FORMAT
				") must not exceed max-record-size (%" G_GUINT64_FORMAT ")",
				conf->rtmax, conf->wtmax, conf->max_record);
		ret = -EINVAL;
	}
	if (nfs_server_check_listen(xl, conf->listen) < 0)
		ret = -EINVAL;
	if (conf->metrics_listen && *conf->metrics_listen) {
		struct sockaddr_storage ss;
		socklen_t len;

		if (nfs_metrics_parse_listen(conf->metrics_listen, &ss, &len, &msg) < 0) {
			xl_config_error(xl, "metrics-listen", "metrics-listen: %s", msg);
			g_free(msg);
			ret = -EINVAL;
		}
	}
	return ret < 0 ? -EINVAL : 0;
}

/* Write @len bytes of @data to @path atomically: a temporary file in the
 * same directory (mode 0600), synced, then renamed over @path. */
static int nfs_server_write_atomic(const char *path, const void *data, size_t len)
{
	char *tmp = g_strdup_printf("%s.XXXXXX", path);
	int fd, ret = 0;

	fd = g_mkstemp_full(tmp, O_WRONLY | O_CLOEXEC, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out;
	}
	if (write(fd, data, len) != (ssize_t)len || fsync(fd) < 0) {
		ret = errno ? -errno : -EIO;
		close(fd);
		goto out_unlink;
	}
	if (close(fd) < 0 || rename(tmp, path) < 0) {
		ret = -errno;
		goto out_unlink;
	}
	goto out;
out_unlink:
	unlink(tmp);
out:
	g_free(tmp);
	return ret;
}

/* Load state-dir/fh-secret, or create it with fresh random bytes. */
static int nfs_server_load_secret(struct nfs_server *srv)
{
	char *path = g_build_filename(srv->state_dir, NFS_SECRET_FILE, NULL);
	gchar *data = NULL;
	gsize len = 0;
	GError *err = NULL;
	int ret = 0;

	if (g_file_get_contents(path, &data, &len, &err)) {
		if (len != sizeof(srv->secret)) {
			xl_log(srv->xl, XL_LOG_ERROR,
			       "%s holds %zu bytes, not %zu: remove it to make a new one "
			       "(existing file handles become stale)",
			       path, (size_t)len, sizeof(srv->secret));
			ret = -EINVAL;
			goto out;
		}
		memcpy(srv->secret, data, sizeof(srv->secret));
		goto out;
	}
	if (!g_error_matches(err, G_FILE_ERROR, G_FILE_ERROR_NOENT)) {
		xl_log(srv->xl, XL_LOG_ERROR, "cannot read %s: %s", path, err->message);
		ret = -EIO;
		goto out;
	}
	if (getrandom(srv->secret, sizeof(srv->secret), 0) != (ssize_t)sizeof(srv->secret)) {
		for (size_t i = 0; i < sizeof(srv->secret); i += 4) {
			guint32 r = g_random_int();

			memcpy(srv->secret + i, &r, 4);
		}
	}
	ret = nfs_server_write_atomic(path, srv->secret, sizeof(srv->secret));
	if (ret < 0) {
		xl_log(srv->xl, XL_LOG_ERROR, "cannot create %s: %s", path, g_strerror(-ret));
		goto out;
	}
	xl_log(srv->xl, XL_LOG_INFO, "created a new file handle secret in %s", path);
out:
	if (err)
		g_error_free(err);
	g_free(data);
	g_free(path);
	return ret;
}

static void nfs_server_free(struct nfs_server *srv)
{
	const struct nfs_server_conf *conf = srv->xl->conf;

	/* the HTTP thread reads the service's counters: it stops first */
	nfs_metrics_free(srv->metrics);
	srv->metrics = NULL;
	if (srv->svc)
		rpcsvc_free(srv->svc);
	nlm_state_free(srv->nlm); /* after the service: no actor runs any more */
	srv->nlm = NULL;
	hostcache_free(srv->hosts);
	gid_cache_free(srv->gids);
	nfs_exports_free_rules(srv->exports, srv->nexports);
	nfs_exports_free(srv->exports, srv->nexports, conf->allow);
	g_mutex_clear(&srv->lock);
	g_free(srv->state_dir);
	memset(srv->secret, 0, sizeof(srv->secret));
	g_free(srv);
}

static void nfs_server_log_programs(struct nfs_server *srv, bool mount)
{
	const struct nfs_server_conf *conf = srv->xl->conf;
	const char *proto = conf->tcp && conf->udp ? "tcp+udp" : conf->tcp ? "tcp" : "udp";

	xl_log(srv->xl, XL_LOG_INFO, "NFS v3 on %s port %" PRId64 " (%s)", conf->listen,
	       conf->nfs_port, proto);
	if (mount)
		xl_log(srv->xl, XL_LOG_INFO, "MOUNT v1/v3 on %s port %" PRId64 " (%s)",
		       conf->listen, conf->mount_port, proto);
	if (srv->nlm)
		xl_log(srv->xl, XL_LOG_INFO, "NLM v4 on %s port %" PRId64 " (%s)%s", conf->listen,
		       conf->nlm_port ? conf->nlm_port : conf->nfs_port, proto,
		       nlm_state_in_grace(srv->nlm) ? ", in its grace period" : "");
	for (size_t i = 0; i < srv->nexports; i++) {
		const struct nfs_export *e = &srv->exports[i];

		if (e->rules) {
			xl_log(srv->xl, XL_LOG_INFO,
			       "export %s (%s:%s, id %08x, %zu client entries)", e->path,
			       e->child->name, e->dir, e->id, export_rules_count(e->rules));
			continue;
		}
		xl_log(srv->xl, XL_LOG_INFO, "export %s (%s:%s, id %08x, %s%s%s)", e->path,
		       e->child->name, e->dir, e->id, e->read_only ? "ro" : "rw",
		       e->root_squash ? ", root-squash" : "", e->all_squash ? ", all-squash" : "");
	}
}

/* Does a client list of an export name a host? */
static bool nfs_server_lists_names(const struct nfs_server *srv)
{
	for (size_t i = 0; i < srv->nexports; i++)
		if (xl_addrlist_has_names(srv->exports[i].clients))
			return true;
	return false;
}

/* The host name cache (when the `export` option is used, or an allow
 * list names a host) and the manage-gids group cache. */
static int nfs_server_access_init(struct nfs_server *srv, const struct nfs_server_conf *conf)
{
	srv->hostname_wait_ms = (unsigned)conf->host_wait_ms;
	if (conf->export_rules || nfs_server_lists_names(srv)) {
		struct hostcache_config hc = {
			.positive_ttl_ms = (unsigned)conf->host_ttl_ms,
			.negative_ttl_ms = (unsigned)conf->host_neg_ttl_ms,
		};

		srv->hosts = hostcache_new(&hc);
		if (!srv->hosts)
			return -ENOMEM;
	}
	if (conf->manage_gids) {
		struct gid_cache_config gc = { .ttl_ms = (unsigned)conf->gid_ttl_ms };

		srv->gids = gid_cache_new(&gc);
		xl_log(srv->xl, XL_LOG_INFO, "manage-gids: callers' groups come from this server");
	}
	return 0;
}

static int nfs_server_init(struct xl *xl)
{
	struct nfs_server_conf *conf = xl->conf;
	struct nfs_export defaults = nfs_server_defaults(conf);
	struct rpcsvc_config cfg = {
		.listen = conf->listen,
		.tcp = conf->tcp,
		.udp = conf->udp,
		.threads = (unsigned)conf->threads,
		.max_record = conf->max_record,
		.register_rpcbind = conf->rpc_register,
		.drain_ms = (unsigned)conf->drain_ms,
		.max_connections = (unsigned)conf->max_connections,
		.per_client_connections = (unsigned)conf->per_client_connections,
		.idle_timeout_ms = (unsigned)conf->idle_timeout_ms,
		.send_timeout_ms = (unsigned)conf->send_timeout_ms,
		.conn_queue_bytes = (size_t)conf->conn_queue,
		.queue_bytes = (size_t)conf->queue_total,
		.drc_off = !conf->drc,
		.drc_entries = (size_t)conf->drc_entries,
		.drc_bytes = (size_t)conf->drc_size,
		.drc_ttl_ms = (unsigned)conf->drc_ttl_ms,
		/* manage-gids looks groups up: more than 16 may be sent */
		.accept_long_groups = conf->manage_gids,
	};
	struct nfs_server *srv = g_new0(struct nfs_server, 1);
	struct mount3_config mcfg = {0};
	const char *key = NULL;
	bool mount = true;
	char *msg = NULL;
	int ret;

	srv->xl = xl;
	g_mutex_init(&srv->lock);
	srv->fileid_32bit = conf->fileid_32bit;
	srv->rtmax = (uint32_t)conf->rtmax;
	srv->wtmax = (uint32_t)conf->wtmax;
	srv->dtpref = (uint32_t)conf->dtpref;
	srv->export_list_all = conf->export_list_all;
	srv->state_dir = g_strdup(conf->state_dir);

	ret = nfs_server_exports(xl, &defaults, &srv->exports, &srv->nexports, &msg, &key);
	if (ret < 0) {
		xl_log(xl, XL_LOG_ERROR, "%s", msg);
		g_free(msg);
		goto out_free;
	}
	srv->shared_clients = conf->allow;
	if (g_mkdir_with_parents(srv->state_dir, 0700) < 0) {
		ret = -errno;
		xl_config_error(xl, "state-dir", "cannot create state-dir %s: %s", srv->state_dir,
				g_strerror(-ret));
		goto out_free;
	}
	ret = nfs_server_load_secret(srv);
	if (ret < 0)
		goto out_free;
	ret = nfs_server_access_init(srv, conf);
	if (ret < 0)
		goto out_free;
	nfs3_write_verf_init(&srv->write_verf);
	if (conf->nlm)
		srv->nlm = nlm_state_new(srv->secret, sizeof(srv->secret),
					 (unsigned)conf->nlm_grace_ms, nlm_callback_send, xl);
	if (srv->nlm)
		nlm_state_set_monitor(srv->nlm, nlm_nsm_monitor, xl);
	/* Storage bounds what its cached inodes hold (descriptors) itself. */
	if (xl->graph && xl->graph->itable)
		xl_inode_table_set_lru_limit(xl->graph->itable, (size_t)conf->inode_lru_limit);
	nfs_server_resolve_roots(srv);

	if (conf->metrics_listen && *conf->metrics_listen) {
		srv->metrics = nfs_metrics_new(srv);
		srv->count_io = nfs_metrics_io;
		srv->observe = nfs_metrics_observe;
	}
	if (xl->graph && xl->graph->replaces) { /* live reload: nfs_reload.c */
		ret = nfs_server_take_over(srv, xl->graph->replaces->top, conf->metrics_listen);
		if (ret < 0)
			goto out_free;
		xl->private = srv;
		nfs_server_log_programs(srv, srv->mount != NULL);
		return 0;
	}
	srv->svc = rpcsvc_new(&cfg);
	if (!srv->svc) {
		xl_log(xl, XL_LOG_ERROR, "cannot create the RPC service (listen-address %s)",
		       conf->listen);
		ret = -EINVAL;
		goto out_free;
	}
	ret = nfs3_program_add(srv, (uint16_t)conf->nfs_port);
	if (ret < 0) {
		xl_log(xl, XL_LOG_ERROR, "cannot add the NFS v3 program: %s", g_strerror(-ret));
		goto out_free;
	}
	if (srv->nlm) {
		ret = nlm4_program_add(srv, (uint16_t)(conf->nlm_port ? conf->nlm_port
								     : conf->nfs_port));
		if (ret < 0) {
			xl_log(xl, XL_LOG_ERROR, "cannot add the NLM v4 program: %s",
			       g_strerror(-ret));
			goto out_free;
		}
	}
	mcfg.svc = srv->svc;
	mcfg.srv = srv;
	mcfg.port = (uint16_t)conf->mount_port;
	mcfg.state_dir = srv->state_dir;
	mcfg.log_name = xl->name;
	mcfg.list_all = srv->export_list_all;
	mcfg.observe = srv->observe;
	mcfg.observe_ctx = srv->metrics;
	ret = mount3_programs_add(&mcfg, &srv->mount);
	if (ret == -ENOSYS) {
		xl_log(xl, XL_LOG_WARNING, "MOUNT is not available in this build; NFS only");
		mount = false;
	} else if (ret < 0) {
		xl_log(xl, XL_LOG_ERROR, "cannot add the MOUNT programs: %s", g_strerror(-ret));
		goto out_mount;
	}
	if (srv->metrics) {
		ret = nfs_metrics_start(srv->metrics, conf->metrics_listen);
		if (ret < 0) {
			xl_config_error(xl, "metrics-listen", "metrics-listen %s: %s",
					conf->metrics_listen,
					ret == -EADDRNOTAVAIL
						? "cannot listen there (port in use, or not an "
						  "address of this machine; the log says which)"
						: g_strerror(-ret));
			goto out_mount;
		}
	}
	xl->private = srv;
	ret = rpcsvc_start(srv->svc);
	if (ret < 0) {
		xl_log(xl, XL_LOG_ERROR, "cannot start the RPC service: %s", g_strerror(-ret));
		xl->private = NULL;
		goto out_mount;
	}
	nfs_server_log_programs(srv, mount);
	return 0;
out_mount:
	mount3_fini(srv->mount);
out_free:
	nfs_server_free(srv);
	return ret;
}

static void nfs_server_fini(struct xl *xl)
{
	struct nfs_server *srv = xl->private;

	if (!srv)
		return;
	if (srv->svc) /* else a reload's successor took it */
		rpcsvc_stop(srv->svc);
	mount3_fini(srv->mount);
	nfs_server_free(srv);
	xl->private = NULL;
}

/* For a statedump: an export of the export option with its client
 * entries, in match order, each with the options its clients get. */
static void nfs_server_dump_rules(struct xl *xl, const struct nfs_export *e,
				  const struct xl_id *root)
{
	static const char *const squash[] = { "root_squash", "no_root_squash", "all_squash" };
	size_t n = export_rules_count(e->rules);
	char text[XL_ID_STRLEN];

	xl_log(xl, XL_LOG_INFO,
	       "export %s (%s:%s) id %08x root %s, %zu client entries (first match wins)",
	       e->path, e->child->name, e->dir, e->id,
	       xl_id_is_null(root) ? "(not found)" : xl_id_to_str(root, text), n);
	for (size_t i = 0; i < n; i++) {
		const struct export_client_opts *o = export_rules_opts(e->rules, i);

		if (!o) {
			xl_log(xl, XL_LOG_INFO, "  %s (deny)", export_rules_spec(e->rules, i));
			continue;
		}
		xl_log(xl, XL_LOG_INFO, "  %s(%s,%s,anonuid=%u,anongid=%u,%s)",
		       export_rules_spec(e->rules, i), o->read_only ? "ro" : "rw", squash[o->squash],
		       (unsigned)o->anonuid, (unsigned)o->anongid, o->secure ? "secure" : "insecure");
	}
}

static void nfs_server_dump(struct xl *xl)
{
	struct nfs_server *srv = xl->private;

	if (!srv)
		return;
	xl_log(xl, XL_LOG_INFO, "write verifier %016" G_GINT64_MODIFIER "x, %zu export(s)",
	       (guint64)__atomic_load_n(&srv->write_verf, __ATOMIC_RELAXED), srv->nexports);
	for (size_t i = 0; i < srv->nexports; i++) {
		const struct nfs_export *e = &srv->exports[i];
		char *clients = nfs_export_clients_text(e);
		char root[XL_ID_STRLEN];
		struct xl_id id;

		g_mutex_lock(&srv->lock);
		id = e->root_id;
		g_mutex_unlock(&srv->lock);
		if (e->rules) {
			g_free(clients);
			nfs_server_dump_rules(xl, e, &id);
			continue;
		}
		xl_log(xl, XL_LOG_INFO,
		       "export %s (%s:%s) id %08x root %s %s, %s, anonuid %u, anongid %u, "
		       "allow %s",
		       e->path, e->child->name, e->dir, e->id,
		       xl_id_is_null(&id) ? "(not found)" : xl_id_to_str(&id, root),
		       e->read_only ? "ro" : "rw",
		       e->all_squash ? "all-squash" : e->root_squash ? "root-squash" : "no-squash",
		       (unsigned)e->anonuid, (unsigned)e->anongid, clients);
		g_free(clients);
	}
	mount3_statedump(srv->mount);
	rpcsvc_dump(srv->svc);
}

int nfs_server_print_exports(struct xl *xl, FILE *fp)
{
	struct nfs_server_conf *conf = xl->conf;
	struct nfs_export defaults = nfs_server_defaults(conf);
	struct nfs_export *exports = NULL;
	const char *key = NULL;
	char *msg = NULL;
	size_t n = 0;

	if (nfs_server_exports(xl, &defaults, &exports, &n, &msg, &key) < 0) {
		xl_config_error(xl, key, "%s", msg);
		g_free(msg);
		return -EINVAL;
	}
	nfs_exports_print(exports, n, fp);
	nfs_exports_free_rules(exports, n);
	nfs_exports_free(exports, n, defaults.clients);
	return 0;
}

const struct xl_module xl_module = {
	.abi = XL_ABI_VERSION,
	.type = "nfs/server",
	.desc = "NFS v3 and MOUNT server; the top of the graph, over one subvolume per "
		"storage tree it exports (export-dir SUBVOLUME:PATH names the tree)",
	.conf_size = sizeof(struct nfs_server_conf),
	.options = nfs_server_options,
	.min_children = 1,
	.max_children = 0, /* one per tree served: exports name theirs */
	.validate = nfs_server_validate,
	.init = nfs_server_init,
	.fini = nfs_server_fini,
	.dump = nfs_server_dump,
};

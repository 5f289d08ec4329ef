/*
 * mount3_proc.c — the MOUNT procedures (RFC 1813 §5.2, RFC 1094 A.4).
 *
 * MNT checks the path and the client against the exports, resolves the
 * directory as the squashed caller and answers its handle, recording the
 * mount; UMNT and UMNTALL forget mounts; DUMP lists them; EXPORT lists the
 * exports (all, or with export-list-all off those the caller may mount),
 * each with who may mount it. Version 1 shares everything but MNT,
 * whose fhstatus has room for a 32-byte handle only: our handles are
 * longer, so a v1 MNT (an NFSv2 client, which we do not serve anyway) is
 * refused with status 13 (EACCES; v1 statuses are errno values, so
 * MNT3ERR_NOTSUPP has no v1 equivalent) unless the handle fits.
 *
 * Results are built with malloc() because the RPC service xdr_free()s
 * them after sending.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "mount3.h"

/* Encoded-size bounds for DUMP and EXPORT replies, entries beyond are left
 * out: over UDP what a Sun RPC client receives (libtirpc's clnt_udp
 * buffer is UDPMSGSIZE, 8800 bytes, headers included; a longer reply
 * cannot be decoded at all), over TCP a sane record. */
#define MOUNT3_REPLY_MAX_UDP 8192
#define MOUNT3_REPLY_MAX_TCP (1024 * 1024)
/* Room for a client's path escaped in a log line (cut beyond). */
#define MOUNT3_LOG_PATH_MAX 1100

struct mount3 *mount3_of(struct rpcsvc_request *req)
{
	return rpcsvc_request_private(req);
}

static size_t mount3_reply_max(const struct rpcsvc_request *req)
{
	return req->protocol == IPPROTO_UDP ? MOUNT3_REPLY_MAX_UDP : MOUNT3_REPLY_MAX_TCP;
}

/* Bytes an XDR string of @len bytes takes. */
static size_t mount3_xdr_strlen(size_t len)
{
	return 4 + ((len + 3) & ~(size_t)3);
}

static mountstat3 mount3_errno_to_stat(const struct mount3 *m, int err)
{
	switch (-err) {
	case 0:
		return MNT3_OK;
	case EPERM:
		return MNT3ERR_PERM;
	case ENOENT:
	case ESTALE:
		return MNT3ERR_NOENT;
	case EIO:
		return MNT3ERR_IO;
	case EACCES:
		return MNT3ERR_ACCES;
	case ENOTDIR:
	case ELOOP:
		return MNT3ERR_NOTDIR;
	case EINVAL:
		return MNT3ERR_INVAL;
	case ENAMETOOLONG:
		return MNT3ERR_NAMETOOLONG;
	case ENOSYS:
	case ENOTSUP:
		return MNT3ERR_NOTSUPP;
	default:
		xl_logd(m->log_name, XL_LOG_WARNING, "MNT: unexpected error %s", g_strerror(-err));
		return MNT3ERR_SERVERFAULT;
	}
}

static const char *mount3_stat_name(unsigned status)
{
	switch (status) {
	case MNT3ERR_PERM:
		return "PERM";
	case MNT3ERR_NOENT:
		return "NOENT";
	case MNT3ERR_IO:
		return "IO";
	case MNT3ERR_ACCES:
		return "ACCES";
	case MNT3ERR_NOTDIR:
		return "NOTDIR";
	case MNT3ERR_INVAL:
		return "INVAL";
	case MNT3ERR_NAMETOOLONG:
		return "NAMETOOLONG";
	case MNT3ERR_NOTSUPP:
		return "NOTSUPP";
	case MNT3ERR_SERVERFAULT:
		return "SERVERFAULT";
	default:
		return "?";
	}
}

int mount3_null(struct rpcsvc_request *req, void *args, void *res)
{
	return RPCSVC_OK;
}

/* The work of MNT for both versions: @arg_path's normalised form into
 * @path (MOUNTLIST_DIR_MAX + 1 bytes) and, when MNT3_OK, its handle in
 * @fh (NFS_MOUNT_FH_MAX bytes) and *@fh_len. */
static mountstat3 mount3_mnt_resolve(struct rpcsvc_request *req, const char *arg_path, char *path,
				     uint8_t *fh, size_t *fh_len)
{
	struct mount3 *m = mount3_of(req);
	const struct sockaddr *client = (const struct sockaddr *)&req->client;
	const struct nfs_export *e;
	struct xl_cred cred;
	const char *rest;
	int ret;

	ret = mount3_path_normalise(arg_path, path, MOUNTLIST_DIR_MAX + 1);
	if (ret < 0)
		return mount3_errno_to_stat(m, ret);
	e = mount3_path_export(m->srv, path, &rest);
	if (!e)
		return MNT3ERR_ACCES;
	/* Refusals are MNT3ERR_ACCES, an insecure port included (as mountd). */
	ret = nfs_mount_export_access(m->srv, e, req, true, &e, &cred);
	if (ret == -EPERM)
		xl_logd(m->log_name, XL_LOG_INFO, "MNT refused: source port >= 1024 and the "
			"export's entry for this client is secure");
	if (ret < 0)
		return MNT3ERR_ACCES;
	ret = nfs_mount_handle(m->srv, e, rest, &cred, client, req->client_len, fh, fh_len);
	if (ret < 0)
		return mount3_errno_to_stat(m, ret);
	return MNT3_OK;
}

/* Log a MNT's outcome and record a successful one in the mount list.
 * Paths are the client's bytes: logged escaped (xl_log_escape_buf). */
static void mount3_mnt_done(struct rpcsvc_request *req, const char *arg_path, const char *path,
			    unsigned status)
{
	struct mount3 *m = mount3_of(req);
	struct mountlist *list = m->list;
	char host[INET6_ADDRSTRLEN];
	char esc[MOUNT3_LOG_PATH_MAX];
	int ret;

	mount3_client_host(req, host, sizeof(host));
	if (status != MNT3_OK) {
		xl_logd(m->log_name, XL_LOG_INFO, "MOUNT v%u of \"%s\" by %s refused: %s",
			req->vers, xl_log_escape_buf(esc, sizeof(esc), arg_path), host,
			mount3_stat_name(status));
		return;
	}
	xl_log_escape_buf(esc, sizeof(esc), path);
	xl_logd(m->log_name, XL_LOG_INFO, "%s mounted %s (MOUNT v%u)", host, esc, req->vers);
	if (!list)
		return;
	ret = mountlist_add(list, host, path);
	if (ret == -ENOSPC)
		xl_logd(m->log_name, XL_LOG_WARNING, "mount list full: %s:%s not recorded", host,
			esc);
	else if (ret == -EINVAL)
		xl_logd(m->log_name, XL_LOG_DEBUG, "%s:%s cannot be recorded in the mount list",
			host, esc);
}

int mount3_mnt(struct rpcsvc_request *req, void *args, void *res)
{
	const char *arg_path = *(dirpath *)args;
	mountres3 *r = res;
	mountres3_ok *ok = &r->mountres3_u.mountinfo;
	char path[MOUNTLIST_DIR_MAX + 1];
	uint8_t fh[NFS_MOUNT_FH_MAX];
	size_t fh_len = 0;

	r->fhs_status = mount3_mnt_resolve(req, arg_path, path, fh, &fh_len);
	if (r->fhs_status == MNT3_OK) {
		ok->fhandle.fhandle3_val = malloc(fh_len);
		ok->auth_flavors.auth_flavors_val = malloc(2 * sizeof(int));
		if (!ok->fhandle.fhandle3_val || !ok->auth_flavors.auth_flavors_val) {
			free(ok->fhandle.fhandle3_val);
			free(ok->auth_flavors.auth_flavors_val);
			memset(ok, 0, sizeof(*ok));
			r->fhs_status = MNT3ERR_SERVERFAULT;
		} else {
			memcpy(ok->fhandle.fhandle3_val, fh, fh_len);
			ok->fhandle.fhandle3_len = (u_int)fh_len;
			/* What we accept, AUTH_SYS first: Linux picks the first
			 * flavour it supports. */
			ok->auth_flavors.auth_flavors_val[0] = AUTH_SYS;
			ok->auth_flavors.auth_flavors_val[1] = AUTH_NONE;
			ok->auth_flavors.auth_flavors_len = 2;
		}
	}
	mount3_mnt_done(req, arg_path, path, r->fhs_status);
	return RPCSVC_OK;
}

int mount1_mnt(struct rpcsvc_request *req, void *args, void *res)
{
	const char *arg_path = *(dirpath *)args;
	fhstatus *r = res;
	char path[MOUNTLIST_DIR_MAX + 1];
	uint8_t fh[NFS_MOUNT_FH_MAX];
	size_t fh_len = 0;

	r->fhs_status = mount3_mnt_resolve(req, arg_path, path, fh, &fh_len);
	if (r->fhs_status == MNT3_OK && fh_len > FHSIZE) {
		xl_logd(mount3_of(req)->log_name, XL_LOG_DEBUG,
			"MOUNT v1: a %zu-byte handle does not fit fhandle[%d]", fh_len, FHSIZE);
		r->fhs_status = MNT3ERR_ACCES;
	}
	if (r->fhs_status == MNT3_OK)
		memcpy(r->fhstatus_u.fhs_fhandle, fh, fh_len); /* rest stays zero */
	mount3_mnt_done(req, arg_path, path, r->fhs_status);
	return RPCSVC_OK;
}

/* DUMP's list under construction. */
struct mount3_dump_ctx {
	mountlist *tail;   /* where the next node goes */
	size_t bytes, max; /* encoded size so far, bound */
	bool truncated;
	bool failed;
};

static int mount3_dump_one(void *arg, const char *host, const char *dir)
{
	struct mount3_dump_ctx *ctx = arg;
	mountbody *b;
	size_t need = 4 + mount3_xdr_strlen(strlen(host)) + mount3_xdr_strlen(strlen(dir));

	if (ctx->bytes + need + 4 > ctx->max) {
		ctx->truncated = true;
		return 1;
	}
	b = calloc(1, sizeof(*b));
	if (!b || !(b->ml_hostname = strdup(host)) || !(b->ml_directory = strdup(dir))) {
		if (b)
			free(b->ml_hostname);
		free(b);
		ctx->failed = true;
		return 1;
	}
	*ctx->tail = b;
	ctx->tail = &b->ml_next;
	ctx->bytes += need;
	return 0;
}

int mount3_dump(struct rpcsvc_request *req, void *args, void *res)
{
	struct mount3 *m = mount3_of(req);
	struct mountlist *list = m->list;
	struct mount3_dump_ctx ctx = {.tail = res, .bytes = 4, .max = mount3_reply_max(req)};

	if (!list)
		return RPCSVC_OK;
	mountlist_foreach(list, mount3_dump_one, &ctx);
	if (ctx.failed)
		return RPCSVC_SYSTEM_ERR; /* the service frees what was built */
	if (ctx.truncated)
		xl_logd(m->log_name, XL_LOG_INFO, "DUMP: mount list truncated to fit the reply");
	return RPCSVC_OK;
}

int mount3_umnt(struct rpcsvc_request *req, void *args, void *res)
{
	struct mount3 *m = mount3_of(req);
	struct mountlist *list = m->list;
	const char *arg_path = *(dirpath *)args;
	char path[MOUNTLIST_DIR_MAX + 1];
	char host[INET6_ADDRSTRLEN];
	char esc[MOUNT3_LOG_PATH_MAX];

	mount3_client_host(req, host, sizeof(host));
	if (mount3_path_normalise(arg_path, path, sizeof(path)) < 0)
		g_strlcpy(path, arg_path, sizeof(path));
	xl_log_escape_buf(esc, sizeof(esc), path);
	if (list && mountlist_remove(list, host, path) == 0)
		xl_logd(m->log_name, XL_LOG_INFO, "%s unmounted %s", host, esc);
	else
		xl_logd(m->log_name, XL_LOG_DEBUG, "%s unmounted %s, which it had not mounted",
			host, esc);
	return RPCSVC_OK;
}

int mount3_umntall(struct rpcsvc_request *req, void *args, void *res)
{
	struct mount3 *m = mount3_of(req);
	struct mountlist *list = m->list;
	char host[INET6_ADDRSTRLEN];
	int n;

	mount3_client_host(req, host, sizeof(host));
	n = list ? mountlist_remove_host(list, host) : 0;
	xl_logd(m->log_name, XL_LOG_INFO, "%s unmounted everything (%d entries)", host,
		n < 0 ? 0 : n);
	return RPCSVC_OK;
}

void mount3_group_text(const struct xl_addr_match *m, char *buf, size_t size)
{
	char addr[INET6_ADDRSTRLEN];
	unsigned full = m->family == AF_INET ? 32 : 128;

	buf[0] = '\0';
	if (m->host) { /* a host name (AF_UNSPEC, which is 0 like "*") */
		g_strlcpy(buf, m->host, size);
		return;
	}
	if ((m->family != AF_INET && m->family != AF_INET6) ||
	    !inet_ntop(m->family, m->addr, addr, sizeof(addr)))
		return;
	if (m->prefix < full)
		snprintf(buf, size, "%s/%u", addr, m->prefix);
	else
		g_strlcpy(buf, addr, size);
}

bool mount3_addrlist_open(const struct xl_addrlist *list)
{
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i].family == 0 && !list->items[i].host)
			return true;
	return false;
}

/* Append the group @name to *@tail. -ENOMEM on allocation failure. */
static int mount3_group_add(groups **tail, const char *name)
{
	groupnode *g = calloc(1, sizeof(*g));

	if (!g || !(g->gr_name = strdup(name))) {
		free(g);
		return -ENOMEM;
	}
	**tail = g;
	*tail = &g->gr_next;
	return 0;
}

/* Build @e's node with its groups; *@bytes grows by its encoded size.
 * NULL on allocation failure. */
static exportnode *mount3_export_node(const struct nfs_export *e, size_t *bytes)
{
	const struct xl_addrlist *clients = nfs_mount_export_clients(e);
	const char *path = nfs_mount_export_path(e);
	exportnode *n = calloc(1, sizeof(*n));
	groups *tail;
	char text[MNTNAMLEN + 1];

	if (!n || !(n->ex_dir = strdup(path)))
		goto out_free;
	*bytes += 4 + mount3_xdr_strlen(strlen(path)) + 4;
	tail = &n->ex_groups;
	if (mount3_addrlist_open(clients)) {
		*bytes += 4 + mount3_xdr_strlen(1);
		if (mount3_group_add(&tail, "*") < 0)
			goto out_free;
		return n;
	}
	for (size_t i = 0; i < clients->count; i++) {
		mount3_group_text(&clients->items[i], text, sizeof(text));
		if (text[0] == '\0')
			continue;
		*bytes += 4 + mount3_xdr_strlen(strlen(text));
		if (mount3_group_add(&tail, text) < 0)
			goto out_free;
	}
	return n;
out_free:
	if (n) {
		exports single = n;
		XDR x = {.x_op = XDR_FREE};

		mount3_xdr_exports(&x, &single);
	}
	return NULL;
}

/* Does EXPORT show @e to @req's client: may it mount it, from whatever
 * port (showmount runs unprivileged)? */
static bool mount3_export_listed(struct mount3 *m, const struct nfs_export *e,
				 struct rpcsvc_request *req)
{
	const struct nfs_export *view;
	int ret = nfs_mount_export_access(m->srv, e, req, false, &view, NULL);

	return ret == 0 || ret == -EPERM;
}

int mount3_export(struct rpcsvc_request *req, void *args, void *res)
{
	struct mount3 *m = mount3_of(req);
	exports *tail = res;
	size_t bytes = 4, max = mount3_reply_max(req), count = nfs_mount_export_count(m->srv);

	for (size_t i = 0; i < count; i++) {
		const struct nfs_export *e = nfs_mount_export_at(m->srv, i);
		const struct xl_addrlist *clients = nfs_mount_export_clients(e);
		size_t more = 0;
		exportnode *n;

		/* Every export with its clients, as knfsd lists them, so
		 * `showmount -e` gives an admin the whole table. With
		 * export-list-all off only what this client may mount (as
		 * Ganesha does): libnfs mounts every export nested below the
		 * one it mounts and fails as a whole if one refuses it, and
		 * export names stay with the clients that may use them. An
		 * export with an empty allow list (nobody) never shows: its
		 * empty group list would read as "everyone". */
		if (!clients || clients->count == 0)
			continue;
		if (!m->list_all && !mount3_export_listed(m, e, req))
			continue;
		n = mount3_export_node(e, &more);
		if (!n)
			return RPCSVC_SYSTEM_ERR;
		if (bytes + more > max) {
			exports single = n;
			XDR x = {.x_op = XDR_FREE};

			mount3_xdr_exports(&x, &single);
			xl_logd(m->log_name, XL_LOG_WARNING,
				"EXPORT: list truncated to fit the reply");
			break;
		}
		bytes += more;
		*tail = n;
		tail = &n->ex_next;
	}
	return RPCSVC_OK;
}

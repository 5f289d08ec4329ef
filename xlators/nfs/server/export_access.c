/*
 * export_access.c — the access decision and the credentials of a call,
 * shared by NFS3 and MOUNT, and the `export` option's table entries
 * (see export_access.h).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>

#include "export_access.h"
#include "gid_cache.h"
#include "hostcache.h"

uint16_t export_access_port(const struct sockaddr *sa)
{
	if (sa->sa_family == AF_INET)
		return ntohs(((const struct sockaddr_in *)sa)->sin_port);
	if (sa->sa_family == AF_INET6)
		return ntohs(((const struct sockaddr_in6 *)sa)->sin6_port);
	return 0;
}

/* export_name_fn over the server's hostcache. */
static enum export_name_state export_access_name(void *ctx, const struct sockaddr *sa,
						 char *name, size_t size)
{
	struct nfs_server *srv = ctx;

	if (!srv->hosts)
		return EXPORT_NAME_NONE;
	switch (hostcache_lookup(srv->hosts, sa, name, size)) {
	case HOSTCACHE_NAME:
		return EXPORT_NAME_KNOWN;
	case HOSTCACHE_NONE:
		return EXPORT_NAME_NONE;
	default:
		return EXPORT_NAME_PENDING;
	}
}

int nfs_export_access(struct nfs_server *srv, const struct nfs_export *e,
		      const struct rpcsvc_request *req, unsigned wait_ms,
		      const struct nfs_export **view)
{
	const struct sockaddr *sa = (const struct sockaddr *)&req->client;
	uint16_t port = export_access_port(sa);
	enum export_verdict v;
	size_t i;

	if (!e->rules) {
		enum xl_addr_verdict a = nfs_export_clients_check(e, sa, srv->hosts);

		if (a == XL_ADDR_PENDING && wait_ms) {
			char name[256];

			hostcache_lookup_wait(srv->hosts, sa, name, sizeof(name), wait_ms);
			a = nfs_export_clients_check(e, sa, srv->hosts);
		}
		if (a == XL_ADDR_PENDING)
			return -EAGAIN;
		if (a != XL_ADDR_YES)
			return -EACCES;
		if (e->secure && port >= EXPORT_ACCESS_SECURE_PORT)
			return -EPERM;
		*view = e;
		return 0;
	}
	export_rules_match(e->rules, sa, port, export_access_name, srv, &v, &i);
	if (v == EXPORT_PENDING && wait_ms && srv->hosts) {
		char name[256];

		hostcache_lookup_wait(srv->hosts, sa, name, sizeof(name), wait_ms);
		export_rules_match(e->rules, sa, port, export_access_name, srv, &v, &i);
	}
	switch (v) {
	case EXPORT_ALLOW:
		*view = &e->views[i];
		return 0;
	case EXPORT_INSECURE_PORT:
		return -EPERM;
	case EXPORT_PENDING:
		return -EAGAIN;
	default:
		return -EACCES;
	}
}

void nfs_export_creds(struct nfs_server *srv, const struct nfs_export *view,
		      const struct rpcsvc_request *req, struct xl_call *call)
{
	struct xl_cred *cred = &call->cred;

	if (req->flavor != AUTH_SYS) {
		/* No credentials: the export's anonymous user. */
		cred->uid = view->anonuid;
		cred->gid = view->anongid;
		cred->ngroups = 0;
		return;
	}
	if (srv->gids && !view->all_squash) {
		unsigned n = 0;

		/* up to XL_CRED_MAX_GROUPS, whatever the credential listed */
		gid_cache_get(srv->gids, cred->uid, cred->groups, G_N_ELEMENTS(cred->groups), &n,
			      NULL);
		cred->ngroups = n;
	}
	nfs_export_squash(view, cred);
}

/* --------------------------------------------------- the export option */

/* The non-deny entries of @rules as an address list, for MOUNT EXPORT
 * and the statedump (never matched against). */
static struct xl_addrlist *export_access_display(const struct export_rules *rules)
{
	size_t n = export_rules_count(rules);
	struct xl_addrlist *list = g_malloc0(sizeof(*list) + n * sizeof(list->items[0]));

	for (size_t i = 0; i < n; i++) {
		const char *spec = export_rules_spec(rules, i);
		struct xl_addr_match *m = &list->items[list->count];
		char *slash, *copy;

		if (!export_rules_opts(rules, i))
			continue; /* deny */
		list->count++;
		if (export_rules_is_everyone(rules, i))
			continue; /* family 0, no host: "*" */
		copy = g_strdup(spec);
		slash = strchr(copy, '/');
		if (slash)
			*slash = '\0';
		if (inet_pton(AF_INET, copy, m->addr) == 1) {
			m->family = AF_INET;
			m->prefix = slash ? (unsigned)atoi(slash + 1) : 32;
		} else if (inet_pton(AF_INET6, copy, m->addr) == 1) {
			m->family = AF_INET6;
			m->prefix = slash ? (unsigned)atoi(slash + 1) : 128;
		} else {
			m->family = AF_UNSPEC;
			m->host = g_strdup(spec);
		}
		g_free(copy);
	}
	return list;
}

struct export_access_add {
	const struct nfs_export *defaults;
	GArray *arr;
};

static int export_access_add_line(void *ctx, const char *path, struct export_rules *rules,
				  size_t column, char **errmsg)
{
	struct export_access_add *a = ctx;
	struct nfs_export e = *a->defaults;
	size_t n = export_rules_count(rules);
	char *why = NULL;

	if (nfs_export_set_spec(&e, path, strlen(path), &why) < 0) {
		*errmsg = g_strdup_printf("column %zu: %s", column, why);
		g_free(why);
		export_rules_free(rules);
		return -EINVAL;
	}
	for (guint i = 0; i < a->arr->len; i++) {
		const struct nfs_export *o = &g_array_index(a->arr, struct nfs_export, i);

		if (!strcmp(o->path, e.path) || o->id == e.id) {
			*errmsg = g_strdup_printf(
				"column %zu: %s %s", column, e.path,
				!strcmp(o->path, e.path) ? "is exported twice (MOUNT paths must be "
							   "unique; NAME:PATH is mounted as "
							   "/NAME/PATH)"
							 : "hashes to the export id of another "
							   "export; rename one");
			g_free(e.path);
			g_free(e.dir);
			g_free(e.subvol);
			export_rules_free(rules);
			return -EINVAL;
		}
	}
	e.rules = rules;
	e.clients = export_access_display(rules);
	e.secure = false; /* per entry, in the views */
	e.views = g_new0(struct nfs_export, n);
	e.nviews = n;
	for (size_t i = 0; i < n; i++) {
		const struct export_client_opts *o = export_rules_opts(rules, i);
		struct nfs_export *v = &e.views[i];

		*v = e;
		v->rules = NULL;
		v->views = NULL;
		v->nviews = 0;
		if (!o)
			continue; /* a deny entry: never handed out */
		v->read_only = o->read_only;
		v->root_squash = o->squash != EXPORT_NO_ROOT_SQUASH;
		v->all_squash = o->squash == EXPORT_ALL_SQUASH;
		v->anonuid = o->anonuid;
		v->anongid = o->anongid;
		v->secure = o->secure;
	}
	g_array_append_val(a->arr, e);
	return 0;
}

int nfs_exports_add_rules(const char *text, const struct nfs_export *defaults,
			  struct nfs_export **exports, size_t *count, char **errmsg)
{
	struct export_access_add a = { .defaults = defaults };
	int ret;

	a.arr = g_array_new(FALSE, TRUE, sizeof(struct nfs_export));
	g_array_append_vals(a.arr, *exports, (guint)*count);
	g_free(*exports);
	ret = export_lines_parse(text, export_access_add_line, &a, errmsg);
	*count = a.arr->len;
	*exports = (struct nfs_export *)(void *)g_array_free(a.arr, FALSE);
	return ret;
}

void nfs_exports_free_rules(struct nfs_export *exports, size_t count)
{
	for (size_t i = 0; exports && i < count; i++) {
		export_rules_free(exports[i].rules);
		exports[i].rules = NULL;
		g_free(exports[i].views);
		exports[i].views = NULL;
		exports[i].nviews = 0;
	}
}

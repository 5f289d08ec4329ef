/*
 * exports.c — the exports of the nfs/server translator.
 *
 * The export-dir option lists what MOUNT offers and NFS3 serves. Each
 * entry is `SPEC` or `SPEC(OPT,...)`, entries separated by white space:
 *
 *     option export-dir /  /tmp(rw,no-root-squash,allow=10.0.0.0/8)  scratch:/(rw)
 *
 * SPEC is PATH, a directory inside the server's first subvolume mounted
 * as PATH, or NAME:PATH, a directory inside the subvolume NAME mounted
 * as /NAME/PATH (scratch:/ above is the root of the volume `scratch`,
 * mounted as /scratch). PATH is normalised (repeated and trailing slashes
 * dropped; "." and ".." refused); the MOUNT path is hashed to the
 * export's id that file handles carry, so handles stay valid across
 * restarts as long as the export keeps its MOUNT path, and two
 * subvolumes' exports never share one (their MOUNT paths differ). An
 * export of the first subvolume has the id and fsid it had when servers
 * took one subvolume only. Per-export OPTs override the translator's
 * global read-only / squash / anon ids / rpc-auth.allow settings.
 *
 * Also here: lookup by path and id, the client check, credential
 * squashing, binding exports to subvolumes, resolving an export's root
 * directory through its subvolume, and
 * the cache of each root's id (found once, then compared by identity:
 * ".." at an export root needs no walk of the export path).
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <string.h>

#include "nfs_server.h"

char *nfs_export_path_normalise(const char *path)
{
	GString *out;
	const char *p = path;

	if (!path || path[0] != '/')
		return NULL;
	out = g_string_new(NULL);
	while (*p) {
		const char *start;
		size_t n;

		while (*p == '/')
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != '/')
			p++;
		n = (size_t)(p - start);
		if ((n == 1 && start[0] == '.') || (n == 2 && start[0] == '.' && start[1] == '.')) {
			g_string_free(out, TRUE);
			return NULL;
		}
		g_string_append_c(out, '/');
		g_string_append_len(out, start, (gssize)n);
	}
	if (out->len == 0)
		g_string_append_c(out, '/');
	return g_string_free(out, FALSE);
}

uint32_t nfs_export_id(const char *path)
{
	uint32_t h = 2166136261u;

	for (const unsigned char *p = (const unsigned char *)path; *p; p++) {
		h ^= *p;
		h *= 16777619u;
	}
	return h ? h : 1;
}

uint64_t nfs_export_fsid(uint32_t id)
{
	/* The id in the low half and a constant tag above, so that it
	 * cannot be mistaken for a small device number a client saw from
	 * this server before (fsids used to be storage's st_dev). */
	return UINT64_C(0x786c6e6600000000) | id;
}

/* A volume name as the volfile allows it. */
static bool nfs_export_valid_subvol(const char *s, size_t len)
{
	if (len == 0)
		return false;
	for (size_t i = 0; i < len; i++)
		if (!g_ascii_isalnum(s[i]) && !strchr("_-.", s[i]))
			return false;
	return true;
}

int nfs_export_set_spec(struct nfs_export *e, const char *spec, size_t len, char **why)
{
	const char *colon = spec[0] == '/' ? NULL : memchr(spec, ':', len);
	char *raw, *dir, *name = NULL;

	if (spec[0] != '/' && (!colon || !nfs_export_valid_subvol(spec, (size_t)(colon - spec)))) {
		*why = g_strdup_printf("\"%.*s\" is neither an absolute path nor "
				       "SUBVOLUME:/PATH",
				       (int)len, spec);
		return -EINVAL;
	}
	raw = colon ? g_strndup(colon + 1, (gsize)(len - (size_t)(colon + 1 - spec)))
		    : g_strndup(spec, (gsize)len);
	dir = nfs_export_path_normalise(raw);
	if (!dir) {
		*why = g_strdup_printf("\"%.*s\": \"%s\" is not an absolute path without "
				       "\".\" or \"..\" components",
				       (int)len, spec, raw);
		g_free(raw);
		return -EINVAL;
	}
	g_free(raw);
	e->dir = dir;
	if (colon) {
		name = g_strndup(spec, (gsize)(colon - spec));
		e->path = strcmp(dir, "/") ? g_strconcat("/", name, dir, NULL)
					   : g_strconcat("/", name, NULL);
	} else {
		e->path = g_strdup(dir);
	}
	e->subvol = name;
	e->child = NULL;
	e->id = nfs_export_id(e->path);
	e->fsid = nfs_export_fsid(e->id);
	return 0;
}

int nfs_exports_bind(struct nfs_export *exports, size_t count, struct xl *const *children,
		     size_t n, char **errmsg)
{
	for (size_t i = 0; i < count; i++) {
		struct nfs_export *e = &exports[i];
		GString *names;

		e->child = NULL;
		if (!e->subvol) {
			e->child = n ? children[0] : NULL;
		} else {
			for (size_t c = 0; c < n && !e->child; c++)
				if (!strcmp(children[c]->name, e->subvol))
					e->child = children[c];
		}
		/* the views of the export option's entries serve the same tree */
		for (size_t v = 0; e->views && v < e->nviews; v++)
			e->views[v].child = e->child;
		if (e->child)
			continue;
		names = g_string_new(NULL);
		for (size_t c = 0; c < n; c++)
			g_string_append_printf(names, "%s%s", c ? ", " : "", children[c]->name);
		*errmsg = g_strdup_printf("export %s:%s: no subvolume '%s' (the subvolumes "
					  "line lists: %s)",
					  e->subvol, e->dir, e->subvol,
					  names->len ? names->str : "none");
		g_string_free(names, TRUE);
		return -EINVAL;
	}
	return 0;
}

const struct nfs_export *nfs_export_by_path(const struct nfs_server *srv, const char *path)
{
	const struct nfs_export *found = NULL;
	char *norm = nfs_export_path_normalise(path);

	if (!norm)
		return NULL;
	for (size_t i = 0; i < srv->nexports; i++) {
		if (!strcmp(srv->exports[i].path, norm)) {
			found = &srv->exports[i];
			break;
		}
	}
	g_free(norm);
	return found;
}

const struct nfs_export *nfs_export_by_id(const struct nfs_server *srv, uint32_t id)
{
	for (size_t i = 0; i < srv->nexports; i++)
		if (srv->exports[i].id == id)
			return &srv->exports[i];
	return NULL;
}

enum xl_addr_verdict nfs_export_clients_check(const struct nfs_export *e,
					      const struct sockaddr *sa, struct hostcache *hosts)
{
	return xl_addrlist_check(e->clients, sa, hosts);
}

void nfs_export_squash(const struct nfs_export *e, struct xl_cred *cred)
{
	if (e->all_squash) {
		cred->uid = e->anonuid;
		cred->gid = e->anongid;
		cred->ngroups = 0;
		return;
	}
	if (!e->root_squash)
		return;
	if (cred->uid == 0)
		cred->uid = e->anonuid;
	if (cred->gid == 0)
		cred->gid = e->anongid;
	for (unsigned i = 0; i < cred->ngroups && i < XL_CRED_MAX_GROUPS; i++)
		if (cred->groups[i] == 0)
			cred->groups[i] = e->anongid;
}

int nfs_export_root(struct nfs_server *srv, const struct nfs_export *e, struct xl_call *call,
		    struct xl_inode **out, struct xl_iatt *attr)
{
	struct xl_inode *dir = NULL, *next;
	gchar **parts = g_strsplit(e->dir, "/", -1);
	struct xl_iatt ia;
	int ret;

	(void)srv;
	if (!e->child) {
		ret = -ENODEV; /* not bound to a subvolume (nfs_exports_bind) */
		goto out;
	}
	ret = xl_lookup(e->child, call, NULL, "/", &dir, &ia, NULL);
	if (ret < 0)
		goto out;
	for (gchar **p = parts; *p; p++) {
		if (!**p)
			continue;
		if (!S_ISDIR(ia.mode)) {
			ret = -ENOTDIR;
			goto out_unref;
		}
		ret = xl_lookup(e->child, call, dir, *p, &next, &ia, NULL);
		if (ret < 0)
			goto out_unref;
		xl_inode_unref(dir);
		dir = next;
	}
	if (!(ia.valid & XL_IATT_TYPE) || !S_ISDIR(ia.mode)) {
		/* Symlinks are never followed: an export is a real directory. */
		ret = -ENOTDIR;
		goto out_unref;
	}
	*out = dir;
	if (attr)
		*attr = ia;
	ret = 0;
	goto out;
out_unref:
	xl_inode_unref(dir);
out:
	g_strfreev(parts);
	return ret;
}

int nfs_export_root_id(struct nfs_server *srv, const struct nfs_export *e, bool refresh,
		       struct xl_id *id)
{
	struct nfs_export *me = &srv->exports[e - srv->exports];
	struct xl_call call;
	struct xl_inode *root;
	int ret;

	g_mutex_lock(&srv->lock);
	*id = me->root_id;
	g_mutex_unlock(&srv->lock);
	if (!refresh && !xl_id_is_null(id))
		return 0;
	/* The administrator's path, walked with the administrator's rights. */
	memset(&call, 0, sizeof(call));
	ret = nfs_export_root(srv, e, &call, &root, NULL);
	if (ret < 0)
		return ret;
	*id = *xl_inode_id(root);
	xl_inode_unref(root);
	g_mutex_lock(&srv->lock);
	me->root_id = *id;
	g_mutex_unlock(&srv->lock);
	return 0;
}

bool nfs_export_is_root(struct nfs_server *srv, const struct nfs_export *e,
			const struct xl_id *id)
{
	bool yes;

	g_mutex_lock(&srv->lock);
	yes = !xl_id_is_null(&e->root_id) && xl_id_equal(&e->root_id, id);
	g_mutex_unlock(&srv->lock);
	return yes;
}

char *nfs_export_clients_text(const struct nfs_export *e)
{
	GString *s;

	if (!e->clients || e->clients->count == 0)
		return g_strdup("(nobody)");
	s = g_string_new(NULL);
	for (size_t i = 0; i < e->clients->count; i++) {
		const struct xl_addr_match *m = &e->clients->items[i];
		char addr[INET6_ADDRSTRLEN];
		unsigned full = m->family == AF_INET ? 32 : 128;

		if (s->len)
			g_string_append_c(s, '|');
		if (m->host) {
			g_string_append(s, m->host);
		} else if (m->family != AF_INET && m->family != AF_INET6) {
			g_string_append_c(s, '*');
		} else if (inet_ntop(m->family, m->addr, addr, sizeof(addr))) {
			g_string_append(s, addr);
			if (m->prefix < full)
				g_string_append_printf(s, "/%u", m->prefix);
		}
	}
	return g_string_free(s, FALSE);
}

/* ---------------------------------------------------------------- parsing */

struct nfs_allow_conf {
	struct xl_addrlist *list;
};

static const struct xl_option nfs_allow_options[] = {
	{ .key = "allow", .type = XL_OPT_ADDRLIST,
	  .offset = offsetof(struct nfs_allow_conf, list),
	  .desc = "clients allowed on one export" },
	{ NULL },
};

static void nfs_allow_free(struct xl_addrlist *list)
{
	struct nfs_allow_conf conf = { .list = list };

	xl_options_free(nfs_allow_options, &conf);
}

static int nfs_parse_id(const char *text, uint32_t *out)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(text, 10, 0, UINT32_MAX, &v, NULL))
		return -EINVAL;
	*out = (uint32_t)v;
	return 0;
}

/* Apply one OPT (a NUL-terminated copy) of an entry to @e; @shared is the
 * global clients list, which a first allow= replaces and never frees. */
static int nfs_export_apply_opt(struct nfs_export *e, const char *opt,
				const struct xl_addrlist *shared, char **errmsg)
{
	uint32_t id;

	if (!strcmp(opt, "ro")) {
		e->read_only = true;
	} else if (!strcmp(opt, "rw")) {
		e->read_only = false;
	} else if (!strcmp(opt, "root-squash")) {
		e->root_squash = true;
	} else if (!strcmp(opt, "no-root-squash")) {
		e->root_squash = false;
	} else if (!strcmp(opt, "all-squash")) {
		e->all_squash = true;
	} else if (!strcmp(opt, "no-all-squash")) {
		e->all_squash = false;
	} else if (!strcmp(opt, "secure")) {
		e->secure = true;
	} else if (!strcmp(opt, "insecure")) {
		e->secure = false;
	} else if (g_str_has_prefix(opt, "anonuid=")) {
		if (nfs_parse_id(opt + 8, &id) < 0)
			goto bad_id;
		e->anonuid = id;
	} else if (g_str_has_prefix(opt, "anongid=")) {
		if (nfs_parse_id(opt + 8, &id) < 0)
			goto bad_id;
		e->anongid = id;
	} else if (g_str_has_prefix(opt, "allow=")) {
		struct nfs_allow_conf conf = { NULL };
		char *list = g_strdelimit(g_strdup(opt + 6), "|", ',');
		char *msg = NULL;
		int ret = *list ? xl_option_parse(&nfs_allow_options[0], list, &conf, &msg)
				: -EINVAL;

		g_free(list);
		if (ret < 0) {
			*errmsg = g_strdup_printf("export %s: bad allow list \"%s\"%s%s", e->path,
						  opt + 6, msg ? ": " : "", msg ? msg : "");
			g_free(msg);
			return -EINVAL;
		}
		if (e->clients != shared)
			nfs_allow_free(e->clients);  /* a later allow= wins */
		e->clients = conf.list;
	} else {
		*errmsg = g_strdup_printf(
			"export %s: unknown option \"%s\" (valid: ro, rw, root-squash, "
			"no-root-squash, all-squash, no-all-squash, anonuid=N, anongid=N, "
			"secure, insecure, allow=ADDR|ADDR|...)",
			e->path, opt);
		return -EINVAL;
	}
	return 0;
bad_id:
	*errmsg = g_strdup_printf("export %s: \"%s\" needs a number in [0, 4294967295]", e->path,
				  opt);
	return -EINVAL;
}

/* Parse "OPT,OPT,..." (@len bytes at @text) into @e. */
static int nfs_export_apply_opts(struct nfs_export *e, const char *text, size_t len,
				 const struct xl_addrlist *shared, char **errmsg)
{
	char *copy = g_strndup(text, len);
	gchar **opts = g_strsplit(copy, ",", -1);
	int ret = 0;

	if (!opts[0]) {
		*errmsg = g_strdup_printf("export %s: empty \"()\"", e->path);
		ret = -EINVAL;
	}

	for (gchar **o = opts; *o; o++) {
		g_strstrip(*o);
		if (!**o) {
			*errmsg = g_strdup_printf("export %s: empty option in \"(%s)\"", e->path,
						  copy);
			ret = -EINVAL;
			break;
		}
		ret = nfs_export_apply_opt(e, *o, shared, errmsg);
		if (ret < 0)
			break;
	}
	g_strfreev(opts);
	g_free(copy);
	return ret;
}

void nfs_exports_free(struct nfs_export *exports, size_t count,
		      const struct xl_addrlist *shared)
{
	for (size_t i = 0; i < count; i++) {
		if (exports[i].clients != shared)
			nfs_allow_free(exports[i].clients);
		g_free(exports[i].path);
		g_free(exports[i].dir);
		g_free(exports[i].subvol);
	}
	g_free(exports);
}

int nfs_exports_parse(const char *text, const struct nfs_export *defaults,
		      struct nfs_export **out, size_t *count, char **errmsg)
{
	GArray *arr = g_array_new(FALSE, TRUE, sizeof(struct nfs_export));
	const char *p = text ? text : "";
	int ret = 0;

	*errmsg = NULL;
	while (*p) {
		struct nfs_export e = *defaults;
		const char *start, *close;
		char *why = NULL;

		while (g_ascii_isspace(*p))
			p++;
		if (!*p)
			break;
		start = p;
		while (*p && *p != '(' && *p != ')' && !g_ascii_isspace(*p))
			p++;
		if (*p == ')' || p == start) {
			*errmsg = g_strdup_printf("export-dir: expected a path at \"%s\"", start);
			ret = -EINVAL;
			goto out;
		}
		ret = nfs_export_set_spec(&e, start, (size_t)(p - start), &why);
		if (ret < 0) {
			*errmsg = g_strdup_printf("export-dir: %s", why);
			g_free(why);
			goto out;
		}
		/* Appended now so that the error paths below free it. */
		g_array_append_val(arr, e);
		if (*p == '(') {
			struct nfs_export *ep = &g_array_index(arr, struct nfs_export, arr->len - 1);

			close = strchr(p, ')');
			if (!close) {
				*errmsg = g_strdup_printf("export-dir: export %s: missing ')'",
							  ep->path);
				ret = -EINVAL;
				goto out;
			}
			ret = nfs_export_apply_opts(ep, p + 1, (size_t)(close - p - 1),
						    defaults->clients, errmsg);
			if (ret < 0)
				goto out;
			p = close + 1;
			if (*p && !g_ascii_isspace(*p)) {
				*errmsg = g_strdup_printf("export-dir: export %s: unexpected \"%s\" "
							  "after ')'",
							  ep->path, p);
				ret = -EINVAL;
				goto out;
			}
		}
		for (guint i = 0; i + 1 < arr->len; i++) {
			const struct nfs_export *a = &g_array_index(arr, struct nfs_export, i);
			const struct nfs_export *b =
				&g_array_index(arr, struct nfs_export, arr->len - 1);

			if (!strcmp(a->path, b->path)) {
				*errmsg = g_strdup_printf("export-dir: %s is exported twice (MOUNT "
							  "paths must be unique; NAME:PATH is "
							  "mounted as /NAME/PATH)",
							  b->path);
				ret = -EINVAL;
				goto out;
			}
			if (a->id == b->id) {
				*errmsg = g_strdup_printf("export-dir: %s and %s hash to the same "
							  "export id; rename one",
							  a->path, b->path);
				ret = -EINVAL;
				goto out;
			}
		}
	}
	if (arr->len == 0) {
		*errmsg = g_strdup("export-dir: no export given");
		ret = -EINVAL;
		goto out;
	}
	*count = arr->len;
	*out = (struct nfs_export *)(void *)g_array_free(arr, FALSE);
	return 0;
out:
	{
		size_t n = arr->len;

		nfs_exports_free((struct nfs_export *)(void *)g_array_free(arr, FALSE), n,
				 defaults->clients);
	}
	return ret;
}

/*
 * mount3.c — the MOUNT program (100005) versions 1 and 3: their const
 * actor tables, and the program's life cycle (the mount list is loaded
 * when the programs are added and released by mount3_fini), and what a
 * statedump shows of it (mount3_statedump).
 *
 * Both versions share the actors but MNT, whose result differs (fhstatus
 * with a fixed 32-byte handle in v1, mountres3 in v3). DUMP and EXPORT use
 * the iterative list encoders of mount3_xdr.c.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>

#include "export_rules.h"
#include "mount3.h"

#define MOUNT_ACTORS(mnt_fn, mnt_xdr, mnt_res)                                                     \
	{                                                                                          \
		[MOUNTPROC3_NULL] = {.name = "NULL", .fn = mount3_null},                           \
		[MOUNTPROC3_MNT] = {.name = "MNT",                                                 \
				    .fn = mnt_fn,                                                  \
				    .xdr_args = (xdrproc_t)xdr_dirpath,                            \
				    .xdr_res = (xdrproc_t)mnt_xdr,                                 \
				    .args_size = sizeof(dirpath),                                  \
				    .res_size = sizeof(mnt_res),                                   \
				    .drc = true},                                                  \
		[MOUNTPROC3_DUMP] = {.name = "DUMP",                                               \
				     .fn = mount3_dump,                                            \
				     .xdr_res = (xdrproc_t)mount3_xdr_mountlist,                   \
				     .res_size = sizeof(mountlist)},                               \
		[MOUNTPROC3_UMNT] = {.name = "UMNT",                                               \
				     .fn = mount3_umnt,                                            \
				     .xdr_args = (xdrproc_t)xdr_dirpath,                           \
				     .args_size = sizeof(dirpath),                                 \
				     .drc = true},                                                 \
		[MOUNTPROC3_UMNTALL] = {.name = "UMNTALL", .fn = mount3_umntall},                  \
		[MOUNTPROC3_EXPORT] = {.name = "EXPORT",                                           \
				       .fn = mount3_export,                                        \
				       .xdr_res = (xdrproc_t)mount3_xdr_exports,                   \
				       .res_size = sizeof(exports)},                               \
	}

static const struct rpcsvc_actor mount1_actors[] = MOUNT_ACTORS(mount1_mnt, xdr_fhstatus, fhstatus);
static const struct rpcsvc_actor mount3_actors[] =
	MOUNT_ACTORS(mount3_mnt, xdr_mountres3, mountres3);

/* Static like the NFS3 program: the service may look at a program until
 * it is freed, after mount3_fini. One server per process. */
static struct rpcsvc_program mount3_program_v3 = {
	.name = "MOUNT3",
	.prog = MOUNT_PROGRAM,
	.vers = MOUNT_V3,
	.actors = mount3_actors,
	.nactors = G_N_ELEMENTS(mount3_actors),
};
static struct rpcsvc_program mount3_program_v1 = {
	.name = "MOUNT1",
	.prog = MOUNT_PROGRAM,
	.vers = MOUNT_V1,
	.actors = mount1_actors,
	.nactors = G_N_ELEMENTS(mount1_actors),
};
static struct rpcsvc_program *const mount3_programs[] = { &mount3_program_v3, &mount3_program_v1 };

int mount3_programs_add(struct nfs_server *srv, uint16_t port)
{
	struct mount3_state *state = g_new0(struct mount3_state, 1);
	char *path = srv->state_dir ? g_build_filename(srv->state_dir, "rmtab", NULL) : NULL;
	int ret;

	state->list = mountlist_new(path, MOUNTLIST_DEFAULT_MAX);
	ret = mountlist_load(state->list);
	if (ret < 0)
		xl_log(srv->xl, XL_LOG_WARNING, "cannot read the mount list %s: %s; starting empty",
		       path, g_strerror(-ret));
	else if (path)
		xl_log(srv->xl, XL_LOG_INFO, "mount list %s: %zu entries", path,
		       mountlist_count(state->list));
	g_free(path);
	srv->mount_state = state;

	for (size_t i = 0; i < G_N_ELEMENTS(mount3_programs); i++) {
		mount3_programs[i]->port = port;
		mount3_programs[i]->private = srv;
		ret = rpcsvc_program_add(srv->svc, mount3_programs[i]);
		if (ret < 0) {
			xl_log(srv->xl, XL_LOG_ERROR, "cannot add program %s: %s",
			       mount3_programs[i]->name, g_strerror(-ret));
			goto out_fini;
		}
	}
	return 0;
out_fini:
	mount3_fini(srv);
	return ret;
}

void mount3_fini(struct nfs_server *srv)
{
	struct mount3_state *state = srv->mount_state;

	if (!state)
		return;
	srv->mount_state = NULL;
	mountlist_free(state->list);
	g_free(state);
}

/* The most mount list entries a statedump shows. */
#define MOUNT3_DUMP_MAX 100

struct mount3_dump_ctx {
	struct nfs_server *srv;
	size_t shown;
};

static int mount3_dump_entry(void *ctx, const char *host, const char *dir)
{
	struct mount3_dump_ctx *d = ctx;
	char esc[1100];

	if (d->shown >= MOUNT3_DUMP_MAX)
		return 1;
	d->shown++;
	/* @dir is a path a client sent. */
	xl_log(d->srv->xl, XL_LOG_INFO, "mount %s:%s", host, xl_log_escape_buf(esc, sizeof(esc), dir));
	return 0;
}

/* @e's allow list as text: "*", or its entries separated by '|' as in
 * allow=. g_free it. */
static char *mount3_dump_clients(const struct nfs_export *e)
{
	GString *s;
	char text[MOUNTLIST_HOST_MAX + 1];

	if (!e->clients)
		return g_strdup("(nobody)");
	if (mount3_addrlist_open(e->clients))
		return g_strdup("*");
	s = g_string_new(NULL);
	for (size_t i = 0; i < e->clients->count; i++) {
		mount3_group_text(&e->clients->items[i], text, sizeof(text));
		if (text[0] == '\0')
			continue;
		if (s->len)
			g_string_append_c(s, '|');
		g_string_append(s, text);
	}
	return g_string_free(s, FALSE);
}

/* Log the client entries of an export from the export option. */
static void mount3_dump_rules(struct nfs_server *srv, const struct nfs_export *e)
{
	static const char *const squash[] = { "root_squash", "no_root_squash", "all_squash" };
	size_t n = export_rules_count(e->rules);

	xl_log(srv->xl, XL_LOG_INFO, "export %s id %08x, %zu client entries (first match wins)",
	       e->path, e->id, n);
	for (size_t i = 0; i < n; i++) {
		const struct export_client_opts *o = export_rules_opts(e->rules, i);

		if (!o) {
			xl_log(srv->xl, XL_LOG_INFO, "  %s (deny)", export_rules_spec(e->rules, i));
			continue;
		}
		xl_log(srv->xl, XL_LOG_INFO, "  %s(%s,%s,anonuid=%u,anongid=%u,%s)",
		       export_rules_spec(e->rules, i), o->read_only ? "ro" : "rw",
		       squash[o->squash], (unsigned)o->anonuid, (unsigned)o->anongid,
		       o->secure ? "secure" : "insecure");
	}
}

void mount3_statedump(struct nfs_server *srv)
{
	struct mount3_state *state = srv->mount_state;
	struct mount3_dump_ctx ctx = { .srv = srv };
	size_t n;

	for (size_t i = 0; i < srv->nexports; i++) {
		const struct nfs_export *e = &srv->exports[i];
		char *clients;

		if (e->rules) {
			mount3_dump_rules(srv, e);
			continue;
		}
		clients = mount3_dump_clients(e);

		xl_log(srv->xl, XL_LOG_INFO,
		       "export %s id %08x %s, %s, anonuid %u, anongid %u, allow %s", e->path,
		       e->id, e->read_only ? "ro" : "rw",
		       e->all_squash ? "all-squash" : e->root_squash ? "root-squash" : "no-squash",
		       (unsigned)e->anonuid, (unsigned)e->anongid, clients);
		g_free(clients);
	}
	if (!state || !state->list) {
		xl_log(srv->xl, XL_LOG_INFO, "mount list: none (MOUNT not running)");
		return;
	}
	n = mountlist_count(state->list);
	xl_log(srv->xl, XL_LOG_INFO, "mount list: %zu entries%s", n,
	       n > MOUNT3_DUMP_MAX ? " (the first 100 follow)" : "");
	mountlist_foreach(state->list, mount3_dump_entry, &ctx);
}

/*
 * mount3.c — the MOUNT program (100005) versions 1 and 3: their const
 * actor tables, and the program's life cycle (the mount list is loaded
 * when the programs are added and released by mount3_fini), and what a
 * statedump shows of it (mount3_statedump; the exports are the server's
 * to show).
 *
 * Both versions share the actors but MNT, whose result differs (fhstatus
 * with a fixed 32-byte handle in v1, mountres3 in v3). DUMP and EXPORT use
 * the iterative list encoders of mount3_xdr.c.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>

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

int mount3_programs_add(const struct mount3_config *cfg, struct mount3 **out)
{
	struct mount3 *m = g_new0(struct mount3, 1);
	char *path = cfg->state_dir ? g_build_filename(cfg->state_dir, "rmtab", NULL) : NULL;
	int ret;

	m->srv = cfg->srv;
	m->list_all = cfg->list_all;
	m->log_name = g_strdup(cfg->log_name ? cfg->log_name : "mount");
	m->list = mountlist_new(path, MOUNTLIST_DEFAULT_MAX);
	ret = mountlist_load(m->list);
	if (ret < 0)
		xl_logd(m->log_name, XL_LOG_WARNING,
			"cannot read the mount list %s: %s; starting empty", path,
			g_strerror(-ret));
	else if (path)
		xl_logd(m->log_name, XL_LOG_INFO, "mount list %s: %zu entries", path,
			mountlist_count(m->list));
	g_free(path);

	for (size_t i = 0; i < G_N_ELEMENTS(mount3_programs); i++) {
		mount3_programs[i]->port = cfg->port;
		mount3_programs[i]->private = m;
		mount3_programs[i]->observe = cfg->observe;
		mount3_programs[i]->observe_ctx = cfg->observe_ctx;
		ret = rpcsvc_program_add(cfg->svc, mount3_programs[i]);
		if (ret < 0) {
			xl_logd(m->log_name, XL_LOG_ERROR, "cannot add program %s: %s",
				mount3_programs[i]->name, g_strerror(-ret));
			goto out_fini;
		}
	}
	*out = m;
	return 0;
out_fini:
	mount3_fini(m);
	return ret;
}

int mount3_programs_switch(struct mount3 *old, const struct mount3_config *cfg,
			   struct mount3 **out)
{
	struct mount3 *m = g_new0(struct mount3, 1);

	m->srv = cfg->srv;
	m->list_all = cfg->list_all;
	m->log_name = g_strdup(cfg->log_name ? cfg->log_name : "mount");
	m->list = old->list;
	old->lends_list = true;
	for (size_t i = 0; i < G_N_ELEMENTS(mount3_programs); i++)
		rpcsvc_program_set_private(cfg->svc, mount3_programs[i], m, cfg->observe,
					   cfg->observe_ctx);
	*out = m;
	return 0;
}

void mount3_fini(struct mount3 *m)
{
	if (!m)
		return;
	if (!m->lends_list)
		mountlist_free(m->list);
	g_free(m->log_name);
	g_free(m);
}

/* The most mount list entries a statedump shows. */
#define MOUNT3_DUMP_MAX 100

struct mount3_dump_ctx {
	struct mount3 *m;
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
	xl_logd(d->m->log_name, XL_LOG_INFO, "mount %s:%s", host,
		xl_log_escape_buf(esc, sizeof(esc), dir));
	return 0;
}

void mount3_statedump(struct mount3 *m)
{
	struct mount3_dump_ctx ctx = { .m = m };
	size_t n;

	if (!m || !m->list) {
		xl_logd("mount", XL_LOG_INFO, "mount list: none (MOUNT not running)");
		return;
	}
	n = mountlist_count(m->list);
	xl_logd(m->log_name, XL_LOG_INFO, "mount list: %zu entries%s", n,
		n > MOUNT3_DUMP_MAX ? " (the first 100 follow)" : "");
	mountlist_foreach(m->list, mount3_dump_entry, &ctx);
}

/*
 * reload.c — SIGHUP: serve what the volume file says now, without a
 * restart.
 *
 * As GlusterFS switches graphs: the new graph is built and validated
 * while the old one serves (errors are the loader's FILE:LINE messages,
 * logged; nothing changes), then initialised children first; its top,
 * nfs/server, takes over the running RPC service of the old top instead
 * of binding ports and returns once the calls begun on the old graph are
 * over (xlators/nfs/server/nfs_reload.c). Only then is the old graph
 * finalised and freed. Clients keep their connections and their file
 * handles: the export ids and the handle secret do not change.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "log.h"
#include "reload.h"

/* The volume file's text, or NULL (logged). */
static char *reload_read(const char *path)
{
	GError *err = NULL;
	char *text = NULL;

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		xl_logd("main", XL_LOG_ERROR,
			"reload: cannot read %s: %s; the running "
			"configuration keeps serving",
			path, err->message);
		g_error_free(err);
		return NULL;
	}
	return text;
}

int reload_graph(struct reload_state *state, struct xl_graph **graph)
{
	struct xl_graph *old = *graph, *ng = NULL;
	char *text;
	int ret;

	if (!state->volfile) {
		xl_logd("main", XL_LOG_INFO, "reload: serving the built-in volume file, unchanged");
		return 0;
	}
	text = reload_read(state->volfile);
	if (!text)
		return -EIO;
	if (state->text && strcmp(text, state->text) == 0) {
		xl_logd("main", XL_LOG_INFO, "reload: %s unchanged", state->volfile);
		g_free(text);
		return 0;
	}
	ret = xl_graph_load_text(state->volfile, text, state->xlator_dir, &ng);
	if (ret < 0) {
		xl_logd("main", XL_LOG_ERROR,
			"reload: %s has errors (above): refused, the running "
			"configuration keeps serving",
			state->volfile);
		goto out_free;
	}
	if (strcmp(ng->top->module->type, old->top->module->type) != 0) {
		xl_logd("main", XL_LOG_ERROR,
			"reload: %s: the top volume '%s' is %s, the running "
			"one is %s: refused (that change needs a restart)",
			state->volfile, ng->top->name, ng->top->module->type,
			old->top->module->type);
		ret = -EINVAL;
		goto out_free;
	}
	xl_logd("main", XL_LOG_INFO, "reload: starting the new graph of %s (%zu volumes)",
		state->volfile, ng->nvolumes);
	ng->replaces = old;
	ret = xl_graph_init(ng);
	ng->replaces = NULL;
	if (ret < 0) {
		xl_logd("main", XL_LOG_ERROR,
			"reload: the new graph did not start (%s): refused, "
			"the running configuration keeps serving",
			g_strerror(-ret));
		goto out_free;
	}
	/* The old graph's calls are over: its top gave the service away. */
	xl_graph_free(old);
	*graph = ng;
	ng = NULL;
	g_free(state->text);
	state->text = text;
	text = NULL;
	xl_logd("main", XL_LOG_INFO, "reload: serving the new graph, top volume '%s'",
		(*graph)->top->name);
out_free:
	xl_graph_free(ng);
	g_free(text);
	return ret;
}

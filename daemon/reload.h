/*
 * reload.h — the daemon's live reload (SIGHUP): the volume file read
 * again, and a new graph switched in beside the running one.
 */
#ifndef XLNFS_RELOAD_H
#define XLNFS_RELOAD_H

#include "xlator.h"

struct reload_state {
	const char *volfile;	/* NULL: the built-in one, which never changes */
	const char *xlator_dir; /* as given with --xlator-dir (NULL: default) */
	char *text;		/* what the running graph was built from (g_free) */
};

/* Read state->volfile again. Unchanged: logs so and returns 0. Else a
 * new graph is loaded and initialised beside *@graph, its top taking
 * over the running service (xl_graph.replaces), then the old graph is
 * finalised and freed and *@graph is the new one. A file with errors
 * (each logged as FILE:LINE by xl_diag), a new top of another type, or
 * an init that fails leave *@graph serving as before: -errno, logged. */
int reload_graph(struct reload_state *state, struct xl_graph **graph);

#endif

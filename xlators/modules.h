/*
 * modules.h — finding and opening translator modules (framework-internal).
 *
 * Type "storage/posix" lives in <dir>/storage/posix.so, or in the build
 * tree's <dir>/storage/.libs/posix.so. A module exports one const
 * struct xl_module named `xl_module`.
 */
#ifndef XLNFS_MODULES_H
#define XLNFS_MODULES_H

#include <glib.h>
#include <gmodule.h>

#include "xlator.h"

/* A set of opened modules, one per type; closing it unloads them. */
struct xl_modset;

struct xl_modset *xl_modset_new(const char *dir);
void xl_modset_free(struct xl_modset *set);
/* Open (once) the module for @type. On error returns -errno with *errmsg
 * (g_free it) saying why: unknown type (names the paths searched and the
 * types available), no xl_module symbol, ABI or type mismatch. */
int xl_modset_get(struct xl_modset *set, const char *type, const struct xl_module **out,
		  char **errmsg);
/* Symbol @name of the module already opened for @type, or NULL (not
 * opened, or no such symbol). For the daemon's views of a module beyond
 * its descriptor, e.g. nfs/server's export table for --exports. */
void *xl_modset_symbol(struct xl_modset *set, const char *type, const char *name);
/* The same for the modules of a loaded graph. */
void *xl_graph_module_symbol(struct xl_graph *graph, const char *type, const char *name);
/* The name of an option type as --list-xlators and the man page show
 * it ("size", "address-list"), "?" for a type without one. */
const char *xl_option_type_name(enum xl_opt_type type);
/* Sorted types found in @dir, each with the path of its .so: a GPtrArray
 * of strings "type\tpath" (free with g_ptr_array_unref), or NULL if @dir
 * cannot be read. */
GPtrArray *xl_modules_scan(const char *dir);

#endif

/*
 * graph.c — building the translator graph from a volume file.
 *
 * xl_graph_load_text() parses the file (volfile.c), opens each type's
 * module (modules.c), allocates and fills each volume's conf from the
 * module's options table (defaults first, then the volfile's values),
 * wires subvolumes, and checks the shape: no duplicate or undefined
 * volumes, no cycle, exactly one top, child counts as the module allows.
 * Only a graph without any error gets validate() called on each volume.
 * Every problem is reported with xl_diag() as "FILE:LINE: message"; the
 * loader goes on after an error so one run shows as many as it can.
 *
 * xl_graph_init() then starts the volumes children first and tells each
 * volume's parents XL_EV_CHILD_UP (children first again); xl_graph_fini()
 * stops them parents first, each after its timers and background work
 * (services.c) are stopped.
 */
#include "config.h"

#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "modules.h"
#include "services.h"
#include "volfile.h"
#include "xlator.h"

#define GRAPH_LRU_DEFAULT 16384

/* The effective value of one option, for xl_graph_print. */
struct graph_optval {
	const char *key; /* the module's key */
	char *value;
	bool is_default;
	int line;	 /* of its "option" line; 0 for a default */
};

struct graph_vol {
	int line;	/* of "volume NAME" */
	GArray *values; /* struct graph_optval */
	bool inited;
	unsigned config_errors; /* xl_config_error() calls during validate() */
};

/* What graph->modules points to: the loader's private state. */
struct graph_priv {
	char *file;
	struct xl_modset *modset;
	struct graph_vol *vols; /* parallel to graph->volumes */
	size_t *order;		/* init order: children before parents */
	size_t norder;
};

const char *xl_default_xlator_dir(void)
{
	const char *env = getenv("XLNFS_XLATOR_PATH");

	return env && *env ? env : XLATOR_DIR;
}

static struct graph_priv *graph_priv(struct xl_graph *g)
{
	return g->modules;
}

void *xl_graph_module_symbol(struct xl_graph *g, const char *type, const char *name)
{
	struct graph_priv *p = graph_priv(g);

	return p && p->modset ? xl_modset_symbol(p->modset, type, name) : NULL;
}

/* ------------------------------------------------------------- options */

void xl_config_error(struct xl *xl, const char *key, const char *fmt, ...)
{
	struct graph_priv *p = xl->graph ? graph_priv(xl->graph) : NULL;
	struct graph_vol *gv = p ? &p->vols[xl->slot] : NULL;
	int line = gv ? gv->line : 0;
	va_list ap;
	char *text;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	for (guint i = 0; gv && key && i < gv->values->len; i++) {
		const struct graph_optval *o = &g_array_index(gv->values, struct graph_optval, i);

		if (strcmp(o->key, key) == 0 && o->line > 0)
			line = o->line;
	}
	if (p) {
		gv->config_errors++;
		xl_diag(p->file, line, "volume '%s': %s", xl->name, text);
	} else {
		xl_log(xl, XL_LOG_ERROR, "%s", text);
	}
	g_free(text);
}

static size_t graph_edit_distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	size_t *row = g_new(size_t, lb + 1), d;

	for (size_t j = 0; j <= lb; j++)
		row[j] = j;
	for (size_t i = 1; i <= la; i++) {
		size_t diag = row[0];

		row[0] = i;
		for (size_t j = 1; j <= lb; j++) {
			size_t up = row[j];
			size_t best = diag + (a[i - 1] != b[j - 1]);

			if (up + 1 < best)
				best = up + 1;
			if (row[j - 1] + 1 < best)
				best = row[j - 1] + 1;
			row[j] = best;
			diag = up;
		}
	}
	d = row[lb];
	g_free(row);
	return d;
}

static const struct xl_option *graph_find_option(const struct xl_module *mod, const char *key)
{
	for (const struct xl_option *o = mod->options; o && o->key; o++)
		if (strcmp(o->key, key) == 0)
			return o;
	return NULL;
}

/* The message for an unknown option @key of @mod. */
static char *graph_unknown_option_msg(const struct xl *xl, const char *key)
{
	const struct xl_module *mod = xl->module;
	const struct xl_option *best = NULL;
	size_t best_d = (size_t)-1, limit = strlen(key) / 3;
	GString *keys = g_string_new(NULL);
	char *msg;

	if (limit < 2)
		limit = 2;
	for (const struct xl_option *o = mod->options; o && o->key; o++) {
		size_t d = graph_edit_distance(key, o->key);

		if (d < best_d) {
			best_d = d;
			best = o;
		}
		g_string_append_printf(keys, "%s%s", keys->len ? ", " : "", o->key);
	}
	if (best && best_d <= limit)
		msg = g_strdup_printf("unknown option '%s' for volume '%s' (type %s); did you "
				      "mean '%s'?",
				      key, xl->name, mod->type, best->key);
	else
		msg = g_strdup_printf("unknown option '%s' for volume '%s' (type %s); valid "
				      "options: %s",
				      key, xl->name, mod->type, keys->len ? keys->str : "none");
	g_string_free(keys, TRUE);
	return msg;
}

static void graph_record_value(struct graph_vol *gv, const char *key, const char *value,
			       bool is_default, int line)
{
	struct graph_optval v = {key, g_strdup(value), is_default, line};

	for (guint i = 0; i < gv->values->len; i++) {
		struct graph_optval *o = &g_array_index(gv->values, struct graph_optval, i);

		if (strcmp(o->key, key) == 0) {
			g_free(o->value);
			*o = v;
			return;
		}
	}
	g_array_append_val(gv->values, v);
}

/* Fill @xl->conf from defaults and @vv's options. 0 or -EINVAL (reported). */
static int graph_apply_options(const char *file, struct xl *xl, struct graph_vol *gv,
			       const struct xl_vf_volume *vv)
{
	const struct xl_module *mod = xl->module;
	char *msg = NULL;
	int ret = 0;

	for (const struct xl_option *o = mod->options; o && o->key; o++) {
		if (!o->def)
			continue;
		if (xl_option_parse(o, o->def, xl->conf, &msg) < 0) {
			xl_diag(file, vv->type_line, "type %s: bad built-in default: %s", mod->type,
				msg);
			g_free(msg);
			ret = -EINVAL;
			continue;
		}
		graph_record_value(gv, o->key, o->def, true, 0);
	}
	for (guint i = 0; i < vv->options->len; i++) {
		const struct xl_vf_option *vo = g_ptr_array_index(vv->options, i);
		const struct xl_option *o = graph_find_option(mod, vo->key);

		if (!o) {
			msg = graph_unknown_option_msg(xl, vo->key);
			xl_diag(file, vo->line, "%s", msg);
			g_free(msg);
			ret = -EINVAL;
			continue;
		}
		if (xl_option_parse(o, vo->value, xl->conf, &msg) < 0) {
			xl_diag(file, vo->line, "volume '%s': %s", xl->name, msg);
			g_free(msg);
			ret = -EINVAL;
			continue;
		}
		graph_record_value(gv, o->key, vo->value, false, vo->line);
	}
	for (const struct xl_option *o = mod->options; o && o->key; o++) {
		bool set = false;

		if (!o->required)
			continue;
		for (guint i = 0; i < vv->options->len && !set; i++) {
			const struct xl_vf_option *vo = g_ptr_array_index(vv->options, i);

			set = strcmp(vo->key, o->key) == 0;
		}
		if (!set) {
			xl_diag(file, vv->line,
				"volume '%s' (type %s): required option '%s' is "
				"not set (%s)",
				xl->name, mod->type, o->key, o->desc ? o->desc : "no description");
			ret = -EINVAL;
		}
	}
	return ret;
}

/* -------------------------------------------------------------- shape */

static int graph_check_children(const char *file, struct xl *xl, const struct xl_vf_volume *vv)
{
	const struct xl_module *mod = xl->module;
	int line = vv->subvols ? vv->subvols_line : vv->line;

	if (xl->nchildren < mod->min_children) {
		xl_diag(file, line, "volume '%s' (type %s) needs at least %u subvolume%s, has %zu",
			xl->name, mod->type, mod->min_children, mod->min_children == 1 ? "" : "s",
			xl->nchildren);
		return -EINVAL;
	}
	if (mod->max_children && xl->nchildren > mod->max_children) {
		xl_diag(file, line, "volume '%s' (type %s) takes at most %u subvolume%s, has %zu",
			xl->name, mod->type, mod->max_children, mod->max_children == 1 ? "" : "s",
			xl->nchildren);
		return -EINVAL;
	}
	return 0;
}

enum { GRAPH_WHITE, GRAPH_GREY, GRAPH_BLACK };

/* Depth-first walk from volume @i: appends to the order (children first)
 * and reports the first cycle met. 0 or -ELOOP. */
static int graph_visit(struct xl_graph *g, struct xl_volfile *vf, size_t i, int *color,
		       GArray *stack)
{
	struct graph_priv *p = graph_priv(g);
	struct xl *xl = g->volumes[i];
	int ret;

	if (color[i] == GRAPH_BLACK)
		return 0;
	if (color[i] == GRAPH_GREY) {
		GString *path = g_string_new(NULL);
		guint start = 0;
		const struct xl_vf_volume *vv;

		while (g_array_index(stack, size_t, start) != i)
			start++;
		for (guint k = start; k < stack->len; k++)
			g_string_append_printf(path, "%s -> ",
					       g->volumes[g_array_index(stack, size_t, k)]->name);
		g_string_append(path, xl->name);
		vv = g_ptr_array_index(vf->volumes, g_array_index(stack, size_t, stack->len - 1));
		xl_diag(p->file, vv->subvols_line, "cycle in subvolumes: %s", path->str);
		g_string_free(path, TRUE);
		return -ELOOP;
	}
	color[i] = GRAPH_GREY;
	g_array_append_val(stack, i);
	for (size_t c = 0; c < xl->nchildren; c++) {
		ret = graph_visit(g, vf, xl->children[c]->slot, color, stack);
		if (ret < 0)
			return ret;
	}
	g_array_set_size(stack, stack->len - 1);
	color[i] = GRAPH_BLACK;
	p->order[p->norder++] = i;
	return 0;
}

/* Is volume @i a redefinition (already reported) of an earlier name? */
static bool graph_is_duplicate(struct xl_graph *g, size_t i)
{
	for (size_t j = 0; j < i; j++)
		if (strcmp(g->volumes[j]->name, g->volumes[i]->name) == 0)
			return true;
	return false;
}

/* Cycles, the single top, and the init order. 0 or -EINVAL (reported). */
static int graph_check_shape(struct xl_graph *g, struct xl_volfile *vf)
{
	struct graph_priv *p = graph_priv(g);
	bool *used = g_new0(bool, g->nvolumes);
	int *color = g_new0(int, g->nvolumes);
	GArray *stack = g_array_new(FALSE, FALSE, sizeof(size_t));
	int ret = 0;

	for (size_t i = 0; i < g->nvolumes; i++)
		for (size_t c = 0; c < g->volumes[i]->nchildren; c++)
			used[g->volumes[i]->children[c]->slot] = true;
	for (size_t i = 0; i < g->nvolumes && ret == 0; i++) {
		g_array_set_size(stack, 0);
		if (graph_visit(g, vf, i, color, stack) < 0)
			ret = -EINVAL;
	}
	if (ret < 0)
		goto out;
	for (size_t i = 0; i < g->nvolumes; i++) {
		if (used[i] || graph_is_duplicate(g, i))
			continue;
		if (g->top) {
			xl_diag(p->file, p->vols[i].line,
				"more than one top volume: '%s' (line %d) and '%s' are both used "
				"by no other volume",
				g->top->name, p->vols[g->top->slot].line, g->volumes[i]->name);
			ret = -EINVAL;
			continue;
		}
		g->top = g->volumes[i];
	}
out:
	g_array_free(stack, TRUE);
	g_free(color);
	g_free(used);
	return ret;
}

/* The first fop slot @fops leaves NULL (XL_FOP_COUNT when none), and how
 * many it leaves NULL in all. */
static int graph_first_missing_fop(const struct xl_fops *fops, unsigned *missing)
{
	int first = XL_FOP_COUNT;

	*missing = 0;
	for (int f = 0; f < XL_FOP_COUNT; f++) {
		void (*fn)(void) = NULL;

		if (fops)
			memcpy(&fn, (const char *)fops + (size_t)f * sizeof(fn), sizeof(fn));
		if (fn)
			continue;
		if (first == XL_FOP_COUNT)
			first = f;
		(*missing)++;
	}
	return first;
}

/* A NULL slot passes the call to the only child: a volume with several
 * children (other than the top, whose fops nobody calls) must fill every
 * slot. 0 or -EINVAL (reported). */
static int graph_check_fops(struct xl_graph *g, struct xl_volfile *vf)
{
	struct graph_priv *p = graph_priv(g);
	int ret = 0;

	for (size_t i = 0; i < g->nvolumes; i++) {
		const struct xl_vf_volume *vv = g_ptr_array_index(vf->volumes, i);
		struct xl *xl = g->volumes[i];
		unsigned missing;
		char more[32] = "";
		int first;

		if (xl == g->top || xl->nchildren < 2 || !xl->module)
			continue;
		first = graph_first_missing_fop(xl->module->fops, &missing);
		if (first == XL_FOP_COUNT)
			continue;
		if (missing > 1)
			snprintf(more, sizeof(more), " (and %u more)", missing - 1);
		xl_diag(p->file, vv->subvols_line ? vv->subvols_line : vv->line,
			"volume '%s' (type %s) has %zu subvolumes but leaves fop '%s'%s to "
			"pass through: a module with several children must implement every fop",
			xl->name, xl->module->type, xl->nchildren,
			xl_fop_name((enum xl_fop_id)first), more);
		ret = -EINVAL;
	}
	return ret;
}

/* --------------------------------------------------------------- load */

static void graph_free_volume(struct xl *xl, struct graph_vol *gv)
{
	if (gv && gv->values) {
		for (guint i = 0; i < gv->values->len; i++)
			g_free(g_array_index(gv->values, struct graph_optval, i).value);
		g_array_free(gv->values, TRUE);
	}
	if (!xl)
		return;
	if (xl->module && xl->conf)
		xl_options_free(xl->module->options, xl->conf);
	g_free(xl->conf);
	g_free(xl->children);
	g_free(xl->parents);
	g_free(xl->stats);
	g_free(xl->name);
	g_free(xl);
}

void xl_graph_free(struct xl_graph *g)
{
	struct graph_priv *p;

	if (!g)
		return;
	p = graph_priv(g);
	xl_graph_fini(g);
	xl_svc_free(g);
	/* Before the modules go: freeing inodes calls their ctx_free(). */
	xl_inode_table_free(g->itable);
	for (size_t i = 0; i < g->nvolumes; i++)
		graph_free_volume(g->volumes[i], p ? &p->vols[i] : NULL);
	g_free(g->volumes);
	if (p) {
		xl_modset_free(p->modset);
		g_free(p->vols);
		g_free(p->order);
		g_free(p->file);
		g_free(p);
	}
	g_free(g->xlator_dir);
	g_free(g);
}

/* Create the volumes of @vf (modules, options), without wiring. */
static int graph_make_volumes(struct xl_graph *g, struct xl_volfile *vf)
{
	struct graph_priv *p = graph_priv(g);
	GHashTable *names = g_hash_table_new(g_str_hash, g_str_equal);
	int ret = 0;

	for (guint i = 0; i < vf->volumes->len; i++) {
		const struct xl_vf_volume *vv = g_ptr_array_index(vf->volumes, i);
		const struct xl_vf_volume *prev = g_hash_table_lookup(names, vv->name);
		struct xl *xl;
		char *msg = NULL;

		if (prev) {
			xl_diag(p->file, vv->line, "volume '%s' already defined at line %d",
				vv->name, prev->line);
			ret = -EINVAL;
		}
		g_hash_table_insert(names, vv->name, (gpointer)vv);
		xl = g_new0(struct xl, 1);
		xl->name = g_strdup(vv->name);
		xl->graph = g;
		xl->slot = (unsigned)i;
		xl->stats = g_new0(struct xl_fop_stats, XL_FOP_COUNT);
		g->volumes[i] = xl;
		p->vols[i].line = vv->line;
		p->vols[i].values = g_array_new(FALSE, FALSE, sizeof(struct graph_optval));
		g->nvolumes++;
		if (xl_modset_get(p->modset, vv->type, &xl->module, &msg) < 0) {
			xl_diag(p->file, vv->type_line, "volume '%s': %s", vv->name, msg);
			g_free(msg);
			ret = -EINVAL;
			continue;
		}
		xl->conf = g_malloc0(xl->module->conf_size ? xl->module->conf_size : 1);
		if (graph_apply_options(p->file, xl, &p->vols[i], vv) < 0)
			ret = -EINVAL;
	}
	g_hash_table_destroy(names);
	return ret;
}

/* Add @parent to @child's parents, once however often it names @child. */
static void graph_add_parent(struct xl *child, struct xl *parent)
{
	for (size_t i = 0; i < child->nparents; i++)
		if (child->parents[i] == parent)
			return;
	child->parents = g_renew(struct xl *, child->parents, child->nparents + 1);
	child->parents[child->nparents++] = parent;
}

/* Fill every volume's parents from the children lists, in volfile order. */
static void graph_wire_parents(struct xl_graph *g)
{
	for (size_t i = 0; i < g->nvolumes; i++)
		for (size_t c = 0; c < g->volumes[i]->nchildren; c++)
			graph_add_parent(g->volumes[i]->children[c], g->volumes[i]);
}

/* Resolve every volume's subvolumes. */
static int graph_wire(struct xl_graph *g, struct xl_volfile *vf)
{
	struct graph_priv *p = graph_priv(g);
	int ret = 0;

	for (size_t i = 0; i < g->nvolumes; i++) {
		const struct xl_vf_volume *vv = g_ptr_array_index(vf->volumes, i);
		struct xl *xl = g->volumes[i];
		bool ok = true;
		guint n = vv->subvols ? g_strv_length(vv->subvols) : 0;

		xl->children = g_new0(struct xl *, n + 1);
		for (guint c = 0; c < n; c++) {
			struct xl *child = NULL;

			/* The first definition wins for duplicated names. */
			for (size_t j = 0; j < g->nvolumes && !child; j++)
				if (strcmp(g->volumes[j]->name, vv->subvols[c]) == 0)
					child = g->volumes[j];
			if (!child) {
				xl_diag(p->file, vv->subvols_line,
					"volume '%s': subvolume '%s' is not defined", xl->name,
					vv->subvols[c]);
				ok = false;
				continue;
			}
			xl->children[xl->nchildren++] = child;
		}
		if (!ok) {
			ret = -EINVAL;
			continue;
		}
		if (xl->module && graph_check_children(p->file, xl, vv) < 0)
			ret = -EINVAL;
	}
	graph_wire_parents(g);
	return ret;
}

int xl_graph_load_text(const char *name, const char *text, const char *xlator_dir,
		       struct xl_graph **out)
{
	struct xl_volfile *vf = NULL;
	struct xl_graph *g;
	struct graph_priv *p;
	int ret;

	ret = xl_volfile_parse(name, text, &vf);
	if (ret < 0)
		return ret;
	g = g_new0(struct xl_graph, 1);
	p = g_new0(struct graph_priv, 1);
	g->modules = p;
	g->xlator_dir = g_strdup(xlator_dir ? xlator_dir : xl_default_xlator_dir());
	p->file = g_strdup(name);
	p->modset = xl_modset_new(g->xlator_dir);
	g->volumes = g_new0(struct xl *, vf->volumes->len);
	p->vols = g_new0(struct graph_vol, vf->volumes->len);
	p->order = g_new0(size_t, vf->volumes->len);

	ret = graph_make_volumes(g, vf);
	if (graph_wire(g, vf) < 0)
		ret = -EINVAL;
	if (graph_check_shape(g, vf) < 0)
		ret = -EINVAL;
	else if (graph_check_fops(g, vf) < 0)
		ret = -EINVAL;
	if (ret < 0)
		goto out;
	for (size_t k = 0; k < p->norder; k++) {
		struct xl *xl = g->volumes[p->order[k]];

		if (xl->module->validate && xl->module->validate(xl) < 0) {
			/* A module that said nothing through xl_config_error. */
			if (!p->vols[xl->slot].config_errors)
				xl_diag(p->file, p->vols[xl->slot].line,
					"volume '%s' (type %s): invalid configuration", xl->name,
					xl->module->type);
			ret = -EINVAL;
		}
	}
	if (ret < 0)
		goto out;
	g->itable = xl_inode_table_new(g, GRAPH_LRU_DEFAULT);
	*out = g;
	g = NULL;
out:
	xl_graph_free(g);
	xl_volfile_free(vf);
	return ret;
}

int xl_graph_load(const char *path, const char *xlator_dir, struct xl_graph **out)
{
	GError *err = NULL;
	char *text = NULL;
	int ret;

	if (!g_file_get_contents(path, &text, NULL, &err)) {
		ret =
		    err->domain == G_FILE_ERROR && err->code == G_FILE_ERROR_NOENT ? -ENOENT : -EIO;
		xl_diag(path, 0, "cannot read the volume file: %s", err->message);
		g_error_free(err);
		return ret;
	}
	ret = xl_graph_load_text(path, text, xlator_dir, out);
	g_free(text);
	return ret;
}

/* ------------------------------------------------------------ running */

int xl_graph_init(struct xl_graph *g)
{
	struct graph_priv *p = graph_priv(g);
	bool *started = g_new0(bool, g->nvolumes ? g->nvolumes : 1);
	int ret = 0;

	xl_svc_start(g);
	for (size_t k = 0; k < p->norder; k++) {
		struct xl *xl = g->volumes[p->order[k]];

		if (p->vols[xl->slot].inited)
			continue;
		ret = xl->module->init ? xl->module->init(xl) : 0;
		if (ret < 0) {
			xl_diag(p->file, p->vols[xl->slot].line,
				"volume '%s' (type %s): init failed: %s", xl->name,
				xl->module->type, g_strerror(-ret));
			xl_graph_fini(g);
			goto out_free;
		}
		p->vols[xl->slot].inited = true;
		started[xl->slot] = true;
		xl_log(xl, XL_LOG_DEBUG, "initialized (type %s)", xl->module->type);
	}
	/* Everyone is up: each volume started now tells its parents, children
	 * first (a second init of a running graph sends nothing). */
	for (size_t k = 0; k < p->norder; k++) {
		struct xl *xl = g->volumes[p->order[k]];
		struct xl_event ev = {.type = XL_EV_CHILD_UP};

		if (started[xl->slot] && xl->nparents)
			xl_notify_parents(xl, &ev);
	}
out_free:
	g_free(started);
	return ret;
}

void xl_graph_fini(struct xl_graph *g)
{
	struct graph_priv *p = graph_priv(g);

	if (!p)
		return;
	xl_svc_begin_stop(g);
	for (size_t k = p->norder; k-- > 0;) {
		struct xl *xl = g->volumes[p->order[k]];

		if (!p->vols[xl->slot].inited)
			continue;
		xl_svc_stop_volume(xl);
		if (xl->module->fini)
			xl->module->fini(xl);
		p->vols[xl->slot].inited = false;
		xl_log(xl, XL_LOG_DEBUG, "finalized");
	}
}

/* --------------------------------------------------------- reporting */

/* @v quoted for the volfile if it needs it. */
static char *graph_quote(const char *v)
{
	GString *s;

	if (*v && !strpbrk(v, " \t#\"\\"))
		return g_strdup(v);
	s = g_string_new("\"");
	for (; *v; v++) {
		if (*v == '"' || *v == '\\')
			g_string_append_c(s, '\\');
		g_string_append_c(s, *v);
	}
	g_string_append_c(s, '"');
	return g_string_free(s, FALSE);
}

void xl_graph_print(struct xl_graph *g, FILE *fp)
{
	struct graph_priv *p = graph_priv(g);

	fprintf(fp, "# %s: %zu volume%s, top volume '%s'\n", p->file, g->nvolumes,
		g->nvolumes == 1 ? "" : "s", g->top ? g->top->name : "(none)");
	for (size_t k = 0; k < p->norder; k++) {
		struct xl *xl = g->volumes[p->order[k]];
		GArray *vals = p->vols[xl->slot].values;

		fprintf(fp, "\nvolume %s\n    type %s\n", xl->name, xl->module->type);
		for (int pass = 0; pass < 2; pass++)
			for (guint i = 0; i < vals->len; i++) {
				struct graph_optval *o =
				    &g_array_index(vals, struct graph_optval, i);
				char *q;

				if (o->is_default != (pass == 1))
					continue;
				q = graph_quote(o->value);
				fprintf(fp, "    option %s %s%s\n", o->key, q,
					o->is_default ? "    # default" : "");
				g_free(q);
			}
		if (xl->nchildren) {
			fprintf(fp, "    subvolumes");
			for (size_t c = 0; c < xl->nchildren; c++)
				fprintf(fp, " %s", xl->children[c]->name);
			fprintf(fp, "\n");
		}
		fprintf(fp, "end-volume\n");
	}
}

/* Log @xl's counters of every fop it has seen. */
static void graph_dump_stats(struct xl *xl)
{
	for (int f = 0; f < XL_FOP_COUNT; f++) {
		struct xl_fop_stats st;

		xl_fop_stats_get(xl, (enum xl_fop_id)f, &st);
		if (!st.calls)
			continue;
		xl_logd("statedump", XL_LOG_INFO,
			"volume '%s' fop %s: calls %" G_GUINT64_FORMAT " errors %" G_GUINT64_FORMAT
			" avg %" G_GUINT64_FORMAT "us max %" G_GUINT64_FORMAT "us",
			xl->name, xl_fop_name((enum xl_fop_id)f), st.calls, st.errors,
			st.total_us / st.calls, st.max_us);
	}
}

void xl_graph_dump(struct xl_graph *g)
{
	struct xl_inode_stats st;

	xl_logd("statedump", XL_LOG_INFO, "graph: %zu volumes, top '%s', translators from %s",
		g->nvolumes, g->top ? g->top->name : "(none)", g->xlator_dir);
	for (size_t i = 0; i < g->nvolumes; i++) {
		struct xl *xl = g->volumes[i];

		xl_logd("statedump", XL_LOG_INFO, "volume '%s' type %s slot %u children %zu",
			xl->name, xl->module->type, xl->slot, xl->nchildren);
		graph_dump_stats(xl);
		if (xl->module->dump)
			xl->module->dump(xl);
	}
	if (g->itable) {
		xl_inode_table_stats(g->itable, &st);
		xl_logd("statedump", XL_LOG_INFO,
			"inode table: active %zu lru %zu lookups %" G_GUINT64_FORMAT
			" hits %" G_GUINT64_FORMAT " evictions %" G_GUINT64_FORMAT,
			st.active, st.lru, st.lookups, st.hits, st.evictions);
	}
}

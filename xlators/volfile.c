/*
 * volfile.c — parsing the volume file into volume descriptions.
 *
 * Line by line: split into words (honouring quotes and comments), then
 * act on the first word. The parser checks only syntax and the shape of
 * each volume block; types, options and the wiring are the graph
 * builder's business (graph.c). See volfile.h for the syntax.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "volfile.h"
#include "xlator.h"

static void vf_option_free(gpointer p)
{
	struct xl_vf_option *o = p;

	g_free(o->key);
	g_free(o->value);
	g_free(o);
}

static void vf_volume_free(gpointer p)
{
	struct xl_vf_volume *v = p;

	g_free(v->name);
	g_free(v->type);
	g_ptr_array_free(v->options, TRUE);
	g_strfreev(v->subvols);
	g_free(v);
}

void xl_volfile_free(struct xl_volfile *vf)
{
	if (!vf)
		return;
	g_ptr_array_free(vf->volumes, TRUE);
	g_free(vf->name);
	g_free(vf);
}

/* Split @line into words. Returns the words (NULL-terminated) or NULL
 * with *err set for an unterminated quote. */
static char **vf_split(const char *line, const char **err)
{
	GPtrArray *words = g_ptr_array_new();
	GString *w = NULL;
	const char *p = line;
	bool quoted = false;

	for (;; p++) {
		char c = *p;

		if (quoted) {
			if (c == '\0') {
				*err = "unterminated quoted value";
				g_string_free(w, TRUE);
				g_ptr_array_set_free_func(words, g_free);
				g_ptr_array_free(words, TRUE);
				return NULL;
			}
			if (c == '"') {
				quoted = false;
			} else if (c == '\\' && (p[1] == '"' || p[1] == '\\')) {
				g_string_append_c(w, *++p);
			} else {
				g_string_append_c(w, c);
			}
			continue;
		}
		if (c == '\0' || c == '#' || isspace((unsigned char)c)) {
			if (w)
				g_ptr_array_add(words, g_string_free(w, FALSE));
			w = NULL;
			if (c == '\0' || c == '#')
				break;
			continue;
		}
		if (!w)
			w = g_string_new(NULL);
		if (c == '"')
			quoted = true;
		else
			g_string_append_c(w, c);
	}
	g_ptr_array_add(words, NULL);
	return (char **)g_ptr_array_free(words, FALSE);
}

static bool vf_valid_name(const char *s)
{
	if (!*s)
		return false;
	for (; *s; s++)
		if (!isalnum((unsigned char)*s) && !strchr("_-.", *s))
			return false;
	return true;
}

struct vf_parser {
	const char *file;
	struct xl_volfile *vf;
	struct xl_vf_volume *cur; /* open volume block, or NULL */
};

/* One statement; @w are its words (w[0] != NULL). 0 or -EINVAL. */
static int vf_statement(struct vf_parser *ps, char **w, int line)
{
	guint nargs = g_strv_length(w) - 1;
	struct xl_vf_volume *v = ps->cur;
	const char *kw = w[0];

	if (strcmp(kw, "volume") == 0) {
		if (v) {
			xl_diag(ps->file, line,
				"'volume' inside volume '%s' (line %d): missing end-volume",
				v->name, v->line);
			return -EINVAL;
		}
		if (nargs != 1 || !vf_valid_name(w[1])) {
			xl_diag(ps->file, line,
				"'volume' takes one name (letters, digits, '_', '-', '.')");
			return -EINVAL;
		}
		v = g_new0(struct xl_vf_volume, 1);
		v->name = g_strdup(w[1]);
		v->line = line;
		v->options = g_ptr_array_new_with_free_func(vf_option_free);
		g_ptr_array_add(ps->vf->volumes, v);
		ps->cur = v;
		return 0;
	}
	if (strcmp(kw, "type") && strcmp(kw, "option") && strcmp(kw, "subvolumes") &&
	    strcmp(kw, "end-volume")) {
		xl_diag(ps->file, line,
			"unknown statement '%s' (expected volume, type, option, subvolumes or "
			"end-volume)",
			kw);
		return -EINVAL;
	}
	if (!v) {
		xl_diag(ps->file, line, "'%s' outside a volume (after end-volume or before volume)",
			kw);
		return -EINVAL;
	}
	if (strcmp(kw, "type") == 0) {
		if (v->type) {
			xl_diag(ps->file, line, "volume '%s' already has a type (line %d)", v->name,
				v->type_line);
			return -EINVAL;
		}
		if (nargs != 1) {
			xl_diag(ps->file, line, "'type' takes one argument, e.g. storage/posix");
			return -EINVAL;
		}
		v->type = g_strdup(w[1]);
		v->type_line = line;
	} else if (strcmp(kw, "option") == 0) {
		struct xl_vf_option *o;

		if (nargs < 2) {
			xl_diag(ps->file, line, "'option' takes a key and a value");
			return -EINVAL;
		}
		for (guint i = 0; i < v->options->len; i++) {
			o = g_ptr_array_index(v->options, i);
			if (strcmp(o->key, w[1]) == 0) {
				xl_diag(ps->file, line,
					"option '%s' set twice in volume '%s' "
					"(first at line %d)",
					w[1], v->name, o->line);
				return -EINVAL;
			}
		}
		o = g_new0(struct xl_vf_option, 1);
		o->key = g_strdup(w[1]);
		o->value = g_strjoinv(" ", w + 2);
		o->line = line;
		g_ptr_array_add(v->options, o);
	} else if (strcmp(kw, "subvolumes") == 0) {
		if (v->subvols) {
			xl_diag(ps->file, line, "volume '%s' already has subvolumes (line %d)",
				v->name, v->subvols_line);
			return -EINVAL;
		}
		if (nargs < 1) {
			xl_diag(ps->file, line, "'subvolumes' takes one or more volume names");
			return -EINVAL;
		}
		for (guint i = 1; i <= nargs; i++)
			for (guint j = 1; j < i; j++)
				if (strcmp(w[i], w[j]) == 0) {
					xl_diag(ps->file, line, "subvolume '%s' listed twice",
						w[i]);
					return -EINVAL;
				}
		v->subvols = g_strdupv(w + 1);
		v->subvols_line = line;
	} else {
		if (nargs) {
			xl_diag(ps->file, line, "'end-volume' takes no arguments");
			return -EINVAL;
		}
		if (!v->type) {
			xl_diag(ps->file, v->line, "volume '%s' has no type", v->name);
			return -EINVAL;
		}
		ps->cur = NULL;
	}
	return 0;
}

int xl_volfile_parse(const char *name, const char *text, struct xl_volfile **out)
{
	struct vf_parser ps = {.file = name};
	gchar **lines = g_strsplit(text, "\n", -1);
	int ret = 0, line;

	ps.vf = g_new0(struct xl_volfile, 1);
	ps.vf->name = g_strdup(name);
	ps.vf->volumes = g_ptr_array_new_with_free_func(vf_volume_free);
	for (line = 1; lines[line - 1]; line++) {
		const char *err = NULL;
		char **w = vf_split(lines[line - 1], &err);

		if (!w) {
			xl_diag(name, line, "%s", err);
			ret = -EINVAL;
			goto out;
		}
		if (w[0])
			ret = vf_statement(&ps, w, line);
		g_strfreev(w);
		if (ret < 0)
			goto out;
	}
	if (ps.cur) {
		xl_diag(name, ps.cur->line, "volume '%s' is missing end-volume", ps.cur->name);
		ret = -EINVAL;
		goto out;
	}
	if (ps.vf->volumes->len == 0) {
		xl_diag(name, 1, "empty volume file: no volume defined");
		ret = -EINVAL;
	}
out:
	g_strfreev(lines);
	if (ret < 0)
		xl_volfile_free(ps.vf);
	else
		*out = ps.vf;
	return ret;
}

/*
 * manpage.c — `xlnfsd --list-xlators --format=man`: the TRANSLATORS
 * section of xlnfs.vol(5), in roff, from the modules themselves.
 *
 * The build runs it over the build tree's translator directory and puts
 * the output into doc/xlnfs.vol.5.in, so the manual lists exactly the
 * types that are built, each with its description, how many subvolumes
 * it takes, and every entry of its options table: key, type, default,
 * whether it is required, the valid values (the same text the volfile
 * loader prints on a bad value) and the description. Nothing here names
 * a translator or an option: a new module or option type shows up by
 * being built.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include <glib.h>

#include "manpage.h"
#include "modules.h"

/* Write @text to @fp as roff running text: backslashes escaped, a
 * leading '.' or '\'' made literal, characters beyond ASCII as \[uXXXX]
 * (groff reads the page as Latin-1). @literal also turns '-' into "\-"
 * (option keys and values, so they can be copied from the terminal). */
static void manpage_text(const char *text, bool literal, FILE *fp)
{
	bool bol = true;

	if (!g_utf8_validate(text, -1, NULL)) {
		fputs("(description not in UTF-8)", fp);
		return;
	}
	for (const char *p = text; *p; p = g_utf8_next_char(p)) {
		gunichar c = g_utf8_get_char(p);

		if (bol && (c == '.' || c == '\''))
			fputs("\\&", fp);
		bol = c == '\n';
		if (c == '\\')
			fputs("\\e", fp);
		else if (c == '-' && literal)
			fputs("\\-", fp);
		else if (c >= 0x80)
			fprintf(fp, "\\[u%04X]", (unsigned)c);
		else
			fputc((int)c, fp);
	}
}

/* "expected an integer between 1 and 64" → "an integer between 1 and 64". */
static const char *manpage_valid_text(const char *expected)
{
	return g_str_has_prefix(expected, "expected ") ? expected + strlen("expected ") : expected;
}

static void manpage_option(const struct xl_option *o, FILE *fp)
{
	char *expected = xl_option_expected(o);

	fputs(".TP\n.BI \"", fp);
	manpage_text(o->key, true, fp);
	fprintf(fp, " \" %s\n", xl_option_type_name(o->type));
	if (o->desc) {
		manpage_text(o->desc, false, fp);
		fputs(".\n", fp);
	}
	fputs(".br\n", fp);
	if (o->required)
		fputs("Required.\n", fp);
	if (o->def) {
		fputs("Default: \\fB", fp);
		manpage_text(*o->def ? o->def : "\"\"", true, fp);
		fputs("\\fR.\n", fp);
	} else if (!o->required) {
		fputs("No default.\n", fp);
	}
	fputs("Valid: ", fp);
	manpage_text(expected ? manpage_valid_text(expected) : "any value", false, fp);
	fputs(".\n", fp);
	g_free(expected);
}

static void manpage_module(const char *type, const struct xl_module *mod, FILE *fp)
{
	bool any = false;

	fputs(".SS ", fp);
	manpage_text(type, true, fp);
	fputs("\n", fp);
	manpage_text(mod->desc ? mod->desc : "(no description)", false, fp);
	fputs(".\n.PP\n", fp);
	if (mod->max_children == 0 && mod->min_children == 0)
		fputs("Subvolumes: any number.\n", fp);
	else if (mod->max_children == 0)
		fprintf(fp, "Subvolumes: at least %u.\n", mod->min_children);
	else if (mod->min_children == mod->max_children)
		fprintf(fp, "Subvolumes: exactly %u.\n", mod->min_children);
	else
		fprintf(fp, "Subvolumes: %u to %u.\n", mod->min_children, mod->max_children);
	for (const struct xl_option *o = mod->options; o && o->key; o++) {
		if (!any)
			fputs(".PP\nOptions:\n", fp);
		any = true;
		manpage_option(o, fp);
	}
	if (!any)
		fputs(".PP\nThis translator has no options.\n", fp);
}

int manpage_xlators(const char *xlator_dir, FILE *fp)
{
	struct xl_modset *set;
	GPtrArray *all;
	int ret = 0;

	if (!xlator_dir)
		xlator_dir = xl_default_xlator_dir();
	all = xl_modules_scan(xlator_dir);
	if (!all || all->len == 0) {
		xl_diag(xlator_dir, 0, "no translators found in this directory");
		if (all)
			g_ptr_array_unref(all);
		return -ENOENT;
	}
	set = xl_modset_new(xlator_dir);
	for (guint i = 0; i < all->len; i++) {
		const char *entry = g_ptr_array_index(all, i);
		char *type = g_strndup(entry, strcspn(entry, "\t"));
		const struct xl_module *mod;
		char *msg = NULL;

		/* A module that does not load fails the build of the page
		 * rather than leaving it out silently. */
		if (xl_modset_get(set, type, &mod, &msg) < 0) {
			xl_diag(xlator_dir, 0, "%s", msg);
			g_free(msg);
			ret = -ENOEXEC;
		} else {
			manpage_module(type, mod, fp);
		}
		g_free(type);
	}
	xl_modset_free(set);
	g_ptr_array_unref(all);
	return ret;
}

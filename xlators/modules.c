/*
 * modules.c — locating translator modules by type and opening them with
 * GModule; also the directory scan behind --list-xlators and the "types
 * available" hint of an unknown-type error.
 */
#include "config.h"

#include <ctype.h>
#include <errno.h>
#include <string.h>

#include "modules.h"

struct xl_modset {
	char *dir;
	GHashTable *mods; /* type → GModule * */
};

static void mod_close(gpointer gm)
{
	g_module_close(gm);
}

struct xl_modset *xl_modset_new(const char *dir)
{
	struct xl_modset *set = g_new0(struct xl_modset, 1);

	set->dir = g_strdup(dir);
	set->mods = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, mod_close);
	return set;
}

void xl_modset_free(struct xl_modset *set)
{
	if (!set)
		return;
	g_hash_table_destroy(set->mods);
	g_free(set->dir);
	g_free(set);
}

void *xl_modset_symbol(struct xl_modset *set, const char *type, const char *name)
{
	GModule *gm = g_hash_table_lookup(set->mods, type);
	gpointer sym = NULL;

	if (!gm || !g_module_symbol(gm, name, &sym))
		return NULL;
	return sym;
}

/* "category/name" of safe characters, so a type can never leave the dir. */
static bool mod_valid_type(const char *type)
{
	const char *slash = strchr(type, '/');

	if (!slash || slash == type || !slash[1] || strchr(slash + 1, '/'))
		return false;
	for (const char *p = type; *p; p++)
		if (p != slash && !isalnum((unsigned char)*p) && *p != '-' && *p != '_')
			return false;
	return true;
}

static int mod_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Add "<cat>/<name>\t<path>" for each *.so in @sub to @seen/@out. */
static void mod_scan_dir(const char *sub, const char *cat, GHashTable *seen, GPtrArray *out)
{
	GDir *d = g_dir_open(sub, 0, NULL);
	const char *e;

	if (!d)
		return;
	while ((e = g_dir_read_name(d))) {
		char *name, *type;

		if (!g_str_has_suffix(e, ".so"))
			continue;
		name = g_strndup(e, strlen(e) - 3);
		type = g_strdup_printf("%s/%s", cat, name);
		g_free(name);
		if (!mod_valid_type(type) || g_hash_table_contains(seen, type)) {
			g_free(type);
			continue;
		}
		g_ptr_array_add(out, g_strdup_printf("%s\t%s/%s", type, sub, e));
		g_hash_table_add(seen, type);
	}
	g_dir_close(d);
}

GPtrArray *xl_modules_scan(const char *dir)
{
	GDir *d = g_dir_open(dir, 0, NULL);
	GHashTable *seen;
	GPtrArray *out;
	const char *cat;

	if (!d)
		return NULL;
	seen = g_hash_table_new_full(g_str_hash, g_str_equal, g_free, NULL);
	out = g_ptr_array_new_with_free_func(g_free);
	while ((cat = g_dir_read_name(d))) {
		char *sub = g_build_filename(dir, cat, NULL);
		char *libs = g_build_filename(sub, ".libs", NULL);

		if (g_file_test(sub, G_FILE_TEST_IS_DIR)) {
			mod_scan_dir(sub, cat, seen, out);
			mod_scan_dir(libs, cat, seen, out);
		}
		g_free(libs);
		g_free(sub);
	}
	g_dir_close(d);
	g_hash_table_destroy(seen);
	g_ptr_array_sort(out, mod_cmp);
	return out;
}

/* "a/b, c/d" of the types in @dir, or "none". */
static char *mod_available(const char *dir)
{
	GPtrArray *all = xl_modules_scan(dir);
	GString *s = g_string_new(NULL);

	for (guint i = 0; all && i < all->len; i++) {
		const char *t = g_ptr_array_index(all, i);

		g_string_append_printf(s, "%s%.*s", i ? ", " : "", (int)strcspn(t, "\t"), t);
	}
	if (!s->len)
		g_string_append(s, "none");
	if (all)
		g_ptr_array_unref(all);
	return g_string_free(s, FALSE);
}

int xl_modset_get(struct xl_modset *set, const char *type, const struct xl_module **out,
		  char **errmsg)
{
	char *path = NULL, *alt = NULL, *avail = NULL, *cat = NULL;
	const struct xl_module *mod = NULL;
	GModule *gm;
	gpointer sym;
	int ret = 0;

	gm = g_hash_table_lookup(set->mods, type);
	if (gm && g_module_symbol(gm, "xl_module", &sym)) {
		*out = sym;
		return 0;
	}
	if (!mod_valid_type(type)) {
		*errmsg = g_strdup_printf("invalid type '%s' (expected CATEGORY/NAME, e.g. "
					  "storage/posix)",
					  type);
		return -EINVAL;
	}
	cat = g_strndup(type, strcspn(type, "/"));
	path = g_strdup_printf("%s/%s.so", set->dir, type);
	alt = g_strdup_printf("%s/%s/.libs/%s.so", set->dir, cat, strchr(type, '/') + 1);
	if (!g_file_test(path, G_FILE_TEST_EXISTS)) {
		if (!g_file_test(alt, G_FILE_TEST_EXISTS)) {
			avail = mod_available(set->dir);
			*errmsg = g_strdup_printf("unknown type '%s': no %s or %s (translator "
						  "directory %s; types available: %s)",
						  type, path, alt, set->dir, avail);
			ret = -ENOENT;
			goto out;
		}
		g_free(path);
		path = g_strdup(alt);
	}
	gm = g_module_open(path, G_MODULE_BIND_LOCAL);
	if (!gm) {
		*errmsg =
		    g_strdup_printf("type '%s': cannot load %s: %s", type, path, g_module_error());
		ret = -ENOEXEC;
		goto out;
	}
	if (!g_module_symbol(gm, "xl_module", &sym) || !sym) {
		*errmsg = g_strdup_printf("type '%s': %s exports no xl_module", type, path);
		ret = -ENOEXEC;
		goto out_close;
	}
	mod = sym;
	if (mod->abi != XL_ABI_VERSION) {
		*errmsg = g_strdup_printf("type '%s': %s was built for translator ABI %u, this "
					  "is ABI %u",
					  type, path, mod->abi, XL_ABI_VERSION);
		ret = -ENOEXEC;
		goto out_close;
	}
	if (!mod->type || strcmp(mod->type, type) != 0) {
		*errmsg = g_strdup_printf("type '%s': %s declares type '%s'", type, path,
					  mod->type ? mod->type : "(none)");
		ret = -ENOEXEC;
		goto out_close;
	}
	g_hash_table_insert(set->mods, g_strdup(type), gm);
	*out = mod;
	goto out;

out_close:
	g_module_close(gm);
out:
	g_free(avail);
	g_free(cat);
	g_free(alt);
	g_free(path);
	return ret;
}

static const char *const mod_type_names[] = {
    [XL_OPT_BOOL] = "bool",  [XL_OPT_INT] = "int",
    [XL_OPT_SIZE] = "size",  [XL_OPT_TIME] = "time",
    [XL_OPT_STR] = "string", [XL_OPT_PATH] = "path",
    [XL_OPT_ENUM] = "enum",  [XL_OPT_ADDRLIST] = "address-list",
};

const char *xl_option_type_name(enum xl_opt_type type)
{
	if ((unsigned)type < G_N_ELEMENTS(mod_type_names) && mod_type_names[type])
		return mod_type_names[type];
	return "?";
}

static void mod_print_option(const struct xl_option *o, FILE *fp)
{
	char *expected;

	fprintf(fp, "    option %s <%s>", o->key, xl_option_type_name(o->type));
	if (o->required)
		fprintf(fp, " (required)");
	if (o->def)
		fprintf(fp, " default: %s", *o->def ? o->def : "\"\"");
	expected = xl_option_expected(o);
	fprintf(fp, "\n        %s\n        %s\n", o->desc ? o->desc : "(no description)", expected);
	g_free(expected);
}

int xl_list_modules(const char *xlator_dir, FILE *fp)
{
	GPtrArray *all;
	struct xl_modset *set;
	int ret = 0;

	if (!xlator_dir)
		xlator_dir = xl_default_xlator_dir();
	all = xl_modules_scan(xlator_dir);
	if (!all) {
		xl_diag(xlator_dir, 0, "cannot read the translator directory");
		return -ENOENT;
	}
	set = xl_modset_new(xlator_dir);
	fprintf(fp, "Translators in %s:\n", xlator_dir);
	for (guint i = 0; i < all->len; i++) {
		char *type =
		    g_strndup(g_ptr_array_index(all, i), strcspn(g_ptr_array_index(all, i), "\t"));
		const struct xl_module *mod;
		char *msg = NULL;

		if (xl_modset_get(set, type, &mod, &msg) < 0) {
			fprintf(fp, "\n%s: NOT LOADABLE: %s\n", type, msg);
			g_free(msg);
			g_free(type);
			ret = -ENOEXEC;
			continue;
		}
		fprintf(fp, "\n%s — %s\n", type, mod->desc ? mod->desc : "(no description)");
		if (mod->max_children == 0 && mod->min_children == 0)
			fprintf(fp, "    subvolumes: any number\n");
		else if (mod->max_children == 0)
			fprintf(fp, "    subvolumes: at least %u\n", mod->min_children);
		else
			fprintf(fp, "    subvolumes: %u to %u\n", mod->min_children,
				mod->max_children);
		for (const struct xl_option *o = mod->options; o && o->key; o++)
			mod_print_option(o, fp);
		g_free(type);
	}
	if (all->len == 0)
		fprintf(fp, "(none)\n");
	xl_modset_free(set);
	g_ptr_array_unref(all);
	return ret;
}

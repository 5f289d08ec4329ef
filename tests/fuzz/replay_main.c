/*
 * replay_main.c — run a fuzz target over files, without libFuzzer.
 *
 *   replay_TARGET FILE|DIR...
 *
 * Each FILE, and each regular file in each DIR (sorted by name), is passed
 * once to LLVMFuzzerTestOneInput. A crash or a broken invariant aborts
 * (and under ASan a leak fails the run at exit). Exit 0 when every input
 * ran, 1 when an argument cannot be read, 2 when none was given.
 */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "fuzz.h"

/* Weak: targets without set-up do not define it. */
__attribute__((weak)) int LLVMFuzzerInitialize(int *argc, char ***argv);

/* Run the target on the contents of @path. 0 or -errno. */
static int replay_file(const char *path)
{
	gchar *data = NULL;
	gsize len = 0;
	uint8_t *copy;

	if (!g_file_get_contents(path, &data, &len, NULL))
		return -EIO;
	/* An exact-size copy, so reading past the input is caught by ASan. */
	copy = g_malloc(len ? len : 1);
	memcpy(copy, data, len);
	LLVMFuzzerTestOneInput(copy, len);
	g_free(copy);
	g_free(data);
	return 0;
}

static int replay_cmp(gconstpointer a, gconstpointer b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* Run the target on every regular file in @dir, by name order. Returns
 * the number run, or -errno. */
static int replay_dir(const char *dir)
{
	GPtrArray *names = g_ptr_array_new_with_free_func(g_free);
	GDir *d = g_dir_open(dir, 0, NULL);
	const char *name;
	int n = 0, ret;

	if (!d) {
		g_ptr_array_unref(names);
		return -ENOENT;
	}
	while ((name = g_dir_read_name(d)))
		g_ptr_array_add(names, g_build_filename(dir, name, NULL));
	g_dir_close(d);
	g_ptr_array_sort(names, replay_cmp);
	for (guint i = 0; i < names->len; i++) {
		const char *path = g_ptr_array_index(names, i);
		struct stat st;

		if (stat(path, &st) < 0 || !S_ISREG(st.st_mode))
			continue;
		ret = replay_file(path);
		if (ret < 0) {
			fprintf(stderr, "cannot read %s\n", path);
			n = ret;
			break;
		}
		n++;
	}
	g_ptr_array_unref(names);
	return n;
}

int main(int argc, char **argv)
{
	int total = 0, ret;

	if (argc < 2) {
		fprintf(stderr, "usage: %s FILE|DIR...\n", argv[0]);
		return 2;
	}
	if (LLVMFuzzerInitialize)
		LLVMFuzzerInitialize(&argc, &argv);
	for (int i = 1; i < argc; i++) {
		if (g_file_test(argv[i], G_FILE_TEST_IS_DIR)) {
			ret = replay_dir(argv[i]);
		} else {
			ret = replay_file(argv[i]);
			if (ret == 0)
				ret = 1;
		}
		if (ret < 0) {
			fprintf(stderr, "%s: %s\n", argv[i], g_strerror(-ret));
			return 1;
		}
		total += ret;
	}
	printf("%s: %d input(s) replayed\n", argv[0], total);
	return 0;
}

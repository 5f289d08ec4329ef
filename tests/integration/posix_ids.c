/*
 * posix_ids.c — drives storage/posix directly (a one-volume graph from an
 * inline volfile, the module from the build tree) for posix_ids.sh, which
 * checks that object ids survive what happens to an export between two
 * runs: a restart, renames, a copy to another filesystem, an overlayfs.
 * Each command is one process, so nothing but the disk connects them.
 *
 *   posix_ids make DIR LIST    make a small tree (directories three deep,
 *                              a file with a second name, a symlink, a
 *                              FIFO) through the fops, then as scan
 *   posix_ids scan DIR LIST    walk DIR through lookup and readdirplus
 *                              (giving ids to objects made outside NFS)
 *                              and write one line per object to LIST:
 *                              "<id> f <content>" for files, "<id> l
 *                              <target>" for symlinks, "<id> d <name of
 *                              an entry or ->" for directories
 *   posix_ids check DIR LIST   resolve every id of LIST by id alone and
 *                              check what it finds against the line;
 *                              prints "N passed, M failed"
 *   posix_ids rename DIR       rename a directory of make's tree and move a
 *                              file into another directory, through the fops
 *
 * Exit status: 0 all fine, 1 a check failed, 2 usage or setup.
 */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <glib.h>

#include "xlator.h"

static struct xl_graph *graph;
static struct xl *vol;
static struct xl_call ROOT;

static int ids_start(const char *dir, struct xl_inode **root)
{
	char *text = g_strdup_printf("volume posix\n type storage/posix\n option directory %s\n"
				     "end-volume\n", dir);
	int ret = xl_graph_load_text("posix_ids.vol", text, XLATOR_BUILD_DIR, &graph);

	g_free(text);
	if (!ret)
		ret = xl_graph_init(graph);
	if (ret) {
		fprintf(stderr, "posix_ids: cannot start storage/posix on %s: %s\n", dir,
			strerror(-ret));
		return ret;
	}
	vol = graph->top;
	return xl_lookup(vol, &ROOT, NULL, NULL, root, NULL, NULL);
}

static void ids_stop(struct xl_inode *root)
{
	xl_inode_unref(root);
	xl_graph_fini(graph);
	xl_graph_free(graph);
}

static int ids_write(struct xl_inode *in, const char *s)
{
	size_t len = strlen(s);
	struct xl_iobuf *iob = xl_iobuf_new(len);
	struct xl_data d = { .iobuf = iob, .ptr = iob->data, .len = len };
	enum xl_stable st = XL_FILE_SYNC;
	int ret;

	memcpy(iob->data, s, len);
	ret = xl_fop_write(vol, &ROOT, in, 0, &d, &st, NULL);
	xl_iobuf_unref(iob);
	return ret == (int)len ? 0 : -EIO;
}

/* The first bytes of file @in (NUL-terminated, newlines as '_'). */
static int ids_read(struct xl_inode *in, char *buf, size_t size)
{
	struct xl_data d;
	bool eof;
	int ret = xl_fop_read(vol, &ROOT, in, 0, size - 1, &d, &eof, NULL);

	if (ret < 0)
		return ret;
	if (ret > 0)
		memcpy(buf, d.ptr, d.len);
	buf[ret] = '\0';
	for (int i = 0; i < ret; i++)
		if (buf[i] == '\n' || buf[i] == ' ' || !buf[i])
			buf[i] = '_';
	xl_data_release(&d);
	return 0;
}

struct ids_scan {
	FILE *out;
	char first[256];   /* a name in the directory being listed */
	GPtrArray *dirs;   /* names of subdirectories to descend into */
	int errors;
};

static int ids_scan_fill(void *p, const struct xl_dirent *e)
{
	struct ids_scan *s = p;

	if (!strcmp(e->name, ".") || !strcmp(e->name, ".."))
		return 0;
	if (!s->first[0])
		snprintf(s->first, sizeof(s->first), "%s", e->name);
	if (!(e->attr.valid & XL_IATT_ID) || xl_id_is_null(&e->attr.id))
		s->errors++; /* readdirplus gives every entry an id */
	if (S_ISDIR(e->attr.mode))
		g_ptr_array_add(s->dirs, g_strdup(e->name));
	else
		g_ptr_array_add(s->dirs, g_strdup_printf("/%s", e->name)); /* a non-directory */
	return 0;
}

/* Write @in's line, then descend (directories). */
static void ids_scan_dir(struct ids_scan *s, struct xl_inode *dir)
{
	struct ids_scan sub = { .out = s->out };
	char idbuf[XL_ID_STRLEN];
	bool eof = false;
	int ret;

	sub.dirs = g_ptr_array_new_with_free_func(g_free);
	ret = xl_fop_readdir(vol, &ROOT, dir, 0, XL_READDIR_PLUS, ids_scan_fill, &sub, &eof, NULL);
	if (ret || !eof)
		s->errors++;
	/* the root's entries are what the tests rename: not checked */
	fprintf(s->out, "%s d %s\n", xl_id_to_str(xl_inode_id(dir), idbuf),
		sub.first[0] && !xl_id_equal(xl_inode_id(dir), &XL_ID_ROOT) ? sub.first : "-");
	for (guint i = 0; i < sub.dirs->len; i++) {
		const char *name = g_ptr_array_index(sub.dirs, i);
		bool nondir = name[0] == '/';
		struct xl_inode *in = NULL;
		struct xl_iatt ia;
		char buf[256];

		if (xl_lookup(vol, &ROOT, dir, nondir ? name + 1 : name, &in, &ia, NULL)) {
			s->errors++;
			continue;
		}
		xl_id_to_str(&ia.id, idbuf);
		if (!nondir) {
			ids_scan_dir(s, in);
		} else if (S_ISREG(ia.mode)) {
			if (ids_read(in, buf, 64) == 0)
				fprintf(s->out, "%s f %s\n", idbuf, buf[0] ? buf : "-");
			else
				s->errors++;
		} else if (S_ISLNK(ia.mode)) {
			ret = xl_fop_readlink(vol, &ROOT, in, buf, sizeof(buf) - 1, NULL);
			if (ret > 0) {
				buf[ret] = '\0';
				fprintf(s->out, "%s l %s\n", idbuf, buf);
			} else {
				s->errors++;
			}
		}
		xl_inode_unref(in);
	}
	s->errors += sub.errors;
	g_ptr_array_free(sub.dirs, TRUE);
}

static int ids_scan(struct xl_inode *root, const char *list)
{
	struct ids_scan s = { 0 };

	s.out = fopen(list, "w");
	if (!s.out) {
		perror(list);
		return 2;
	}
	ids_scan_dir(&s, root);
	fclose(s.out);
	if (s.errors)
		fprintf(stderr, "posix_ids: scan: %d errors\n", s.errors);
	return s.errors ? 1 : 0;
}

static int ids_make(struct xl_inode *root)
{
	struct xl_inode *d1 = NULL, *d2 = NULL, *d3 = NULL, *f = NULL, *g = NULL, *x = NULL;
	int ret;

	ret = xl_mkdir(vol, &ROOT, root, "d1", NULL, NULL, &d1, NULL, NULL);
	if (!ret)
		ret = xl_mkdir(vol, &ROOT, d1, "d2", NULL, NULL, &d2, NULL, NULL);
	if (!ret)
		ret = xl_mkdir(vol, &ROOT, d2, "d3", NULL, NULL, &d3, NULL, NULL);
	if (!ret)
		ret = xl_create(vol, &ROOT, d3, "deep", NULL, NULL, true, &f, NULL, NULL);
	if (!ret)
		ret = ids_write(f, "deep-content");
	if (!ret)
		ret = xl_fop_link(vol, &ROOT, f, d1, "deep-link", NULL, NULL);
	if (!ret)
		ret = xl_create(vol, &ROOT, root, "top", NULL, NULL, true, &g, NULL, NULL);
	if (!ret)
		ret = ids_write(g, "top-content");
	if (!ret)
		ret = xl_symlink(vol, &ROOT, d2, "sl", "d3/deep", NULL, NULL, &x, NULL, NULL);
	xl_inode_unref(x);
	x = NULL;
	if (!ret)
		ret = xl_mknod(vol, &ROOT, d1, "fifo", S_IFIFO | 0644, 0, NULL, NULL, &x, NULL, NULL);
	xl_inode_unref(x);
	xl_inode_unref(g);
	xl_inode_unref(f);
	xl_inode_unref(d3);
	xl_inode_unref(d2);
	xl_inode_unref(d1);
	if (ret)
		fprintf(stderr, "posix_ids: make: %s\n", strerror(-ret));
	return ret ? 2 : 0;
}

static int ids_rename(struct xl_inode *root)
{
	struct xl_inode *d1 = NULL;
	int ret;

	/* no lookup after the rename: a lookup would repair a stale entry */
	ret = xl_lookup(vol, &ROOT, root, "d1", &d1, NULL, NULL);
	if (!ret)
		ret = xl_fop_rename(vol, &ROOT, root, "d1", root, "d1-renamed", NULL, NULL);
	if (!ret)
		ret = xl_fop_rename(vol, &ROOT, root, "top", d1, "top-moved", NULL, NULL);
	xl_inode_unref(d1);
	if (ret)
		fprintf(stderr, "posix_ids: rename: %s\n", strerror(-ret));
	return ret ? 2 : 0;
}

/* Check one line of a list: 0 or a message. */
static const char *ids_check_line(char *line)
{
	char *idtext = strtok(line, " "), *kind = strtok(NULL, " "), *want = strtok(NULL, "\n");
	struct xl_inode *in = NULL, *child = NULL;
	struct xl_iatt ia;
	struct xl_id id;
	static char why[512];
	char buf[256];
	int ret;

	if (!idtext || !kind || !want || xl_id_parse(idtext, &id))
		return "malformed line";
	ret = xl_resolve(vol, &ROOT, &id, &in, &ia);
	if (ret) {
		snprintf(why, sizeof(why), "%s: resolve: %s", idtext, strerror(-ret));
		return why;
	}
	why[0] = '\0';
	if (!xl_id_equal(&ia.id, &id))
		snprintf(why, sizeof(why), "%s: resolved to another id", idtext);
	else if (*kind == 'f' && (ids_read(in, buf, 64) || strcmp(buf[0] ? buf : "-", want)))
		snprintf(why, sizeof(why), "%s: content '%s', want '%s'", idtext, buf, want);
	else if (*kind == 'l' && ((ret = xl_fop_readlink(vol, &ROOT, in, buf, 255, NULL)) < 0 ||
				  (buf[ret] = '\0', strcmp(buf, want))))
		snprintf(why, sizeof(why), "%s: symlink target wrong", idtext);
	else if (*kind == 'd' && strcmp(want, "-") &&
		 xl_lookup(vol, &ROOT, in, want, &child, NULL, NULL))
		snprintf(why, sizeof(why), "%s: directory lacks %s", idtext, want);
	xl_inode_unref(child);
	xl_inode_unref(in);
	return why[0] ? why : NULL;
}

static int ids_check(const char *list)
{
	FILE *in = fopen(list, "r");
	char line[1024];
	int passed = 0, failed = 0;

	if (!in) {
		perror(list);
		return 2;
	}
	while (fgets(line, sizeof(line), in)) {
		const char *why = ids_check_line(line);

		if (why) {
			fprintf(stderr, "posix_ids: %s\n", why);
			failed++;
		} else {
			passed++;
		}
	}
	fclose(in);
	printf("%d passed, %d failed\n", passed, failed);
	return failed || !passed ? 1 : 0;
}

int main(int argc, char **argv)
{
	struct xl_inode *root = NULL;
	int ret;

	if (argc < 3) {
		fprintf(stderr, "usage: posix_ids make|scan|check DIR LIST | rename DIR\n");
		return 2;
	}
	xl_log_set_level(XL_LOG_WARNING);
	if (ids_start(argv[2], &root))
		return 2;
	if (!strcmp(argv[1], "make") && argc == 4) {
		ret = ids_make(root);
		if (!ret)
			ret = ids_scan(root, argv[3]);
	} else if (!strcmp(argv[1], "scan") && argc == 4) {
		ret = ids_scan(root, argv[3]);
	} else if (!strcmp(argv[1], "check") && argc == 4) {
		ret = ids_check(argv[3]);
	} else if (!strcmp(argv[1], "rename") && argc == 3) {
		ret = ids_rename(root);
	} else {
		fprintf(stderr, "posix_ids: unknown command %s\n", argv[1]);
		ret = 2;
	}
	ids_stop(root);
	return ret;
}

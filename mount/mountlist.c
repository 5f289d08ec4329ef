/*
 * mountlist.c — the persistent list of mounts behind MOUNT's DUMP (see
 * mountlist.h for the contract).
 *
 * Entries live in an array in insertion order, with a hash set of
 * "host\ndir" keys so duplicates are found without a scan. Every change
 * rewrites the whole file: the list is small and changes only on
 * MNT/UMNT, and a rewrite keeps the file consistent after a crash at any
 * point (the rename either happened or did not).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <glib.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "mountlist.h"

struct mountlist_entry {
	char *host;
	char *dir;
	char *key; /* "host\ndir": the hash set's key */
};

struct mountlist {
	pthread_mutex_t lock;
	char *path; /* NULL: memory only */
	size_t max;
	GArray *entries;  /* struct mountlist_entry, in order */
	GHashTable *keys; /* set of entry keys (owned by the entries) */
};

static bool mountlist_host_valid(const char *host)
{
	size_t len = strlen(host);

	if (len == 0 || len > MOUNTLIST_HOST_MAX)
		return false;
	for (const char *p = host; *p; p++)
		if (*p == '/' || (unsigned char)*p < 0x20 || *p == 0x7f)
			return false;
	return true;
}

static bool mountlist_dir_valid(const char *dir)
{
	return dir[0] == '/' && strlen(dir) <= MOUNTLIST_DIR_MAX && !strchr(dir, '\n');
}

static char *mountlist_key(const char *host, const char *dir)
{
	return g_strconcat(host, "\n", dir, NULL);
}

static void mountlist_entry_clear(struct mountlist_entry *e)
{
	g_free(e->host);
	g_free(e->dir);
	g_free(e->key);
}

struct mountlist *mountlist_new(const char *path, size_t max)
{
	struct mountlist *ml = g_new0(struct mountlist, 1);

	pthread_mutex_init(&ml->lock, NULL);
	ml->path = g_strdup(path);
	ml->max = max ? max : MOUNTLIST_DEFAULT_MAX;
	ml->entries = g_array_new(FALSE, FALSE, sizeof(struct mountlist_entry));
	ml->keys = g_hash_table_new(g_str_hash, g_str_equal);
	return ml;
}

static void mountlist_clear(struct mountlist *ml)
{
	for (guint i = 0; i < ml->entries->len; i++)
		mountlist_entry_clear(&g_array_index(ml->entries, struct mountlist_entry, i));
	g_array_set_size(ml->entries, 0);
	g_hash_table_remove_all(ml->keys);
}

void mountlist_free(struct mountlist *ml)
{
	if (!ml)
		return;
	mountlist_clear(ml);
	g_array_free(ml->entries, TRUE);
	g_hash_table_destroy(ml->keys);
	g_free(ml->path);
	pthread_mutex_destroy(&ml->lock);
	g_free(ml);
}

/* Append a valid, new pair (lock held). false if already listed. */
static bool mountlist_append(struct mountlist *ml, const char *host, const char *dir)
{
	struct mountlist_entry e;
	char *key = mountlist_key(host, dir);

	if (g_hash_table_contains(ml->keys, key)) {
		g_free(key);
		return false;
	}
	e.host = g_strdup(host);
	e.dir = g_strdup(dir);
	e.key = key;
	g_array_append_val(ml->entries, e);
	g_hash_table_add(ml->keys, key);
	return true;
}

/* Remove entry @i (lock held). */
static void mountlist_remove_index(struct mountlist *ml, guint i)
{
	struct mountlist_entry *e = &g_array_index(ml->entries, struct mountlist_entry, i);

	g_hash_table_remove(ml->keys, e->key);
	mountlist_entry_clear(e);
	g_array_remove_index(ml->entries, i);
}

/* Parse one line (without its newline) of the file into the list. */
static void mountlist_load_line(struct mountlist *ml, char *line, unsigned lineno)
{
	char *slash = strchr(line, '/');

	if (line[0] == '\0' || line[0] == '#')
		return;
	if (!slash || slash < line + 2 || slash[-1] != ':')
		goto bad;
	slash[-1] = '\0';
	if (!mountlist_host_valid(line) || !mountlist_dir_valid(slash))
		goto bad;
	if (ml->entries->len >= ml->max) {
		xl_logd("mount", XL_LOG_WARNING,
			"%s:%u: mount list full (%zu entries), rest ignored", ml->path, lineno,
			ml->max);
		return;
	}
	if (!mountlist_append(ml, line, slash))
		xl_logd("mount", XL_LOG_DEBUG, "%s:%u: duplicate entry ignored", ml->path, lineno);
	return;
bad:
	xl_logd("mount", XL_LOG_WARNING, "%s:%u: not a \"host:/path\" entry, ignored", ml->path,
		lineno);
}

int mountlist_load(struct mountlist *ml)
{
	FILE *fp;
	char *line = NULL;
	size_t cap = 0;
	ssize_t len;
	unsigned lineno = 0;
	int ret = 0;

	pthread_mutex_lock(&ml->lock);
	mountlist_clear(ml);
	if (!ml->path)
		goto out_unlock;
	fp = fopen(ml->path, "re");
	if (!fp) {
		ret = errno == ENOENT ? 0 : -errno;
		goto out_unlock;
	}
	errno = 0;
	while ((len = getline(&line, &cap, fp)) >= 0) {
		lineno++;
		if (len > 0 && line[len - 1] == '\n')
			line[--len] = '\0';
		if ((size_t)len != strlen(line)) {
			xl_logd("mount", XL_LOG_WARNING, "%s:%u: NUL byte in entry, ignored",
				ml->path, lineno);
			continue;
		}
		mountlist_load_line(ml, line, lineno);
	}
	if (ferror(fp)) {
		ret = errno ? -errno : -EIO;
		mountlist_clear(ml);
	}
	free(line);
	fclose(fp);
out_unlock:
	pthread_mutex_unlock(&ml->lock);
	return ret;
}

static int mountlist_write_all(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = write(fd, buf, len);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			return -errno;
		}
		buf += n;
		len -= n;
	}
	return 0;
}

/* Make the rename durable: fsync the directory holding @path. */
static int mountlist_sync_dir(const char *path)
{
	char *dir = g_path_get_dirname(path);
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	int ret = 0;

	if (fd < 0 || fsync(fd) < 0)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	g_free(dir);
	return ret;
}

/* Rewrite the file from the entries (lock held). 0 or -errno. */
static int mountlist_save(struct mountlist *ml)
{
	GString *text;
	char *tmp;
	int fd, ret;

	if (!ml->path)
		return 0;
	text = g_string_new(NULL);
	for (guint i = 0; i < ml->entries->len; i++) {
		struct mountlist_entry *e = &g_array_index(ml->entries, struct mountlist_entry, i);

		g_string_append_printf(text, "%s:%s\n", e->host, e->dir);
	}
	tmp = g_strconcat(ml->path, ".tmp", NULL);
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		ret = -errno;
		goto out_free;
	}
	ret = mountlist_write_all(fd, text->str, text->len);
	if (ret == 0 && fsync(fd) < 0)
		ret = -errno;
	if (close(fd) < 0 && ret == 0)
		ret = -errno;
	if (ret == 0 && rename(tmp, ml->path) < 0)
		ret = -errno;
	if (ret < 0) {
		unlink(tmp);
		goto out_free;
	}
	ret = mountlist_sync_dir(ml->path);
out_free:
	if (ret < 0)
		xl_logd("mount", XL_LOG_WARNING, "cannot save the mount list to %s: %s", ml->path,
			g_strerror(-ret));
	g_free(tmp);
	g_string_free(text, TRUE);
	return ret;
}

int mountlist_add(struct mountlist *ml, const char *host, const char *dir)
{
	int ret = 0;

	if (!mountlist_host_valid(host) || !mountlist_dir_valid(dir))
		return -EINVAL;
	pthread_mutex_lock(&ml->lock);
	if (ml->entries->len >= ml->max) {
		char *key = mountlist_key(host, dir);

		ret = g_hash_table_contains(ml->keys, key) ? 0 : -ENOSPC;
		g_free(key);
		goto out_unlock;
	}
	if (mountlist_append(ml, host, dir))
		ret = mountlist_save(ml);
out_unlock:
	pthread_mutex_unlock(&ml->lock);
	return ret;
}

int mountlist_remove(struct mountlist *ml, const char *host, const char *dir)
{
	char *key = mountlist_key(host, dir);
	int ret = -ENOENT;

	pthread_mutex_lock(&ml->lock);
	if (!g_hash_table_contains(ml->keys, key))
		goto out_unlock;
	for (guint i = 0; i < ml->entries->len; i++) {
		if (strcmp(g_array_index(ml->entries, struct mountlist_entry, i).key, key) == 0) {
			mountlist_remove_index(ml, i);
			break;
		}
	}
	ret = mountlist_save(ml);
out_unlock:
	pthread_mutex_unlock(&ml->lock);
	g_free(key);
	return ret;
}

int mountlist_remove_host(struct mountlist *ml, const char *host)
{
	int removed = 0, ret;

	pthread_mutex_lock(&ml->lock);
	for (guint i = ml->entries->len; i-- > 0;) {
		if (strcmp(g_array_index(ml->entries, struct mountlist_entry, i).host, host) == 0) {
			mountlist_remove_index(ml, i);
			removed++;
		}
	}
	ret = removed ? mountlist_save(ml) : 0;
	pthread_mutex_unlock(&ml->lock);
	return ret < 0 ? ret : removed;
}

size_t mountlist_count(struct mountlist *ml)
{
	size_t n;

	pthread_mutex_lock(&ml->lock);
	n = ml->entries->len;
	pthread_mutex_unlock(&ml->lock);
	return n;
}

int mountlist_foreach(struct mountlist *ml, int (*fn)(void *ctx, const char *host, const char *dir),
		      void *ctx)
{
	int ret = 0;

	pthread_mutex_lock(&ml->lock);
	for (guint i = 0; i < ml->entries->len && ret == 0; i++) {
		struct mountlist_entry *e = &g_array_index(ml->entries, struct mountlist_entry, i);

		ret = fn(ctx, e->host, e->dir);
	}
	pthread_mutex_unlock(&ml->lock);
	return ret;
}

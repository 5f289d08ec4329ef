/*
 * mount3_path.c — how MNT turns a client's path into a directory.
 *
 * Like knfsd, an export offers its whole subtree: a client may mount the
 * export's directory or any directory below it. The path is normalised
 * (no "//", no trailing '/', no "."), must not climb with "..", picks the
 * export with the longest matching path, and the part below the export
 * is walked from the export's root one lookup at a time as the (squashed)
 * caller, so permissions apply and a symlink is never followed out of
 * the export.
 */
#include "config.h"

#include <arpa/inet.h>
#include <glib.h>
#include <errno.h>
#include <netinet/in.h>
#include <string.h>

#include "mount3.h"

#define MOUNT3_NAME_MAX 255

int mount3_path_normalise(const char *path, char *out, size_t size)
{
	size_t len = 0;
	const char *p = path;

	if (path[0] != '/')
		return -EINVAL;
	while (*p) {
		const char *comp;
		size_t clen;

		while (*p == '/')
			p++;
		comp = p;
		while (*p && *p != '/')
			p++;
		clen = p - comp;
		if (clen == 0 || (clen == 1 && comp[0] == '.'))
			continue;
		if (clen == 2 && comp[0] == '.' && comp[1] == '.')
			return -EINVAL;
		if (clen > MOUNT3_NAME_MAX || len + 1 + clen + 1 > size)
			return -ENAMETOOLONG;
		out[len++] = '/';
		memcpy(out + len, comp, clen);
		len += clen;
	}
	if (len == 0) {
		if (size < 2)
			return -ENAMETOOLONG;
		out[len++] = '/';
	}
	out[len] = '\0';
	return 0;
}

/* Does export path @ep (normalised) cover @path; if so, where is the rest? */
static bool mount3_path_covers(const char *ep, const char *path, const char **rest)
{
	size_t len = strlen(ep);

	if (strcmp(ep, "/") == 0) {
		*rest = strcmp(path, "/") == 0 ? path + 1 : path;
		return true;
	}
	if (strncmp(ep, path, len) != 0 || (path[len] != '\0' && path[len] != '/'))
		return false;
	*rest = path + len;
	return true;
}

const struct nfs_export *mount3_path_export(const struct nfs_server *srv, const char *path,
					    const char **rest)
{
	const struct nfs_export *best = NULL;
	size_t best_len = 0;
	char ep[MOUNTLIST_DIR_MAX + 1];

	for (size_t i = 0; i < srv->nexports; i++) {
		const struct nfs_export *e = &srv->exports[i];
		const char *r;

		if (mount3_path_normalise(e->path, ep, sizeof(ep)) < 0)
			continue;
		if (!mount3_path_covers(ep, path, &r))
			continue;
		if (!best || strlen(ep) > best_len) {
			best = e;
			best_len = strlen(ep);
			*rest = r;
		}
	}
	return best;
}

int mount3_path_resolve(struct nfs_server *srv, const struct nfs_export *e, const char *rest,
			struct xl_call *call, struct xl_inode **out)
{
	struct xl_inode *dir = NULL, *next;
	struct stat st;
	char comp_name[MOUNT3_NAME_MAX + 1];
	const char *p = rest;
	int ret;

	ret = nfs_export_root(srv, e, call, &dir, &st);
	if (ret < 0)
		return ret;
	if (!S_ISDIR(st.st_mode)) {
		ret = -ENOTDIR;
		goto out_unref;
	}
	while (*p) {
		const char *comp = ++p; /* skip the '/' */
		size_t clen;

		while (*p && *p != '/')
			p++;
		clen = p - comp;
		if (clen == 0 || clen > MOUNT3_NAME_MAX) {
			ret = clen ? -ENAMETOOLONG : -EINVAL;
			goto out_unref;
		}
		memcpy(comp_name, comp, clen);
		comp_name[clen] = '\0';
		ret = xl_lookup(srv->child, call, dir, comp_name, &next, &st);
		if (ret < 0)
			goto out_unref;
		xl_inode_unref(dir);
		dir = next;
		if (!S_ISDIR(st.st_mode)) {
			ret = -ENOTDIR; /* a file, a device, or a symlink we do not follow */
			goto out_unref;
		}
	}
	*out = dir;
	return 0;
out_unref:
	xl_inode_unref(dir);
	return ret;
}

void mount3_client_host(const struct sockaddr_storage *client, char *buf, size_t size)
{
	const struct sockaddr *sa = (const struct sockaddr *)client;

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *sin = (const struct sockaddr_in *)sa;

		if (inet_ntop(AF_INET, &sin->sin_addr, buf, size))
			return;
	} else if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *sin6 = (const struct sockaddr_in6 *)sa;

		if (IN6_IS_ADDR_V4MAPPED(&sin6->sin6_addr)) {
			if (inet_ntop(AF_INET, &sin6->sin6_addr.s6_addr[12], buf, size))
				return;
		} else if (inet_ntop(AF_INET6, &sin6->sin6_addr, buf, size)) {
			return;
		}
	}
	g_strlcpy(buf, "unknown", size);
}

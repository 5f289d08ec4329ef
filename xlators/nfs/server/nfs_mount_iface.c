/*
 * nfs_mount_iface.c — the NFS server's side of nfs_mount_iface.h: the
 * export list as MOUNT may see it, who may use an export and as whom
 * (export_access.h's decision, for MNT and EXPORT), and the handle of a
 * directory MNT asks for (the export root by its cached id, then one lookup per
 * component as the squashed caller).
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "export_access.h"
#include "nfs_mount_iface.h"
#include "nfs_server.h"

#define NFS_MOUNT_NAME_MAX 255

size_t nfs_mount_export_count(const struct nfs_server *srv)
{
	return srv->nexports;
}

const struct nfs_export *nfs_mount_export_at(const struct nfs_server *srv, size_t i)
{
	return i < srv->nexports ? &srv->exports[i] : NULL;
}

const char *nfs_mount_export_path(const struct nfs_export *e)
{
	return e->path;
}

const struct xl_addrlist *nfs_mount_export_clients(const struct nfs_export *e)
{
	return e->clients;
}

int nfs_mount_export_access(struct nfs_server *srv, const struct nfs_export *e,
			    const struct rpcsvc_request *req, bool wait,
			    const struct nfs_export **view, struct xl_cred *cred)
{
	struct xl_call call;
	int ret;

	ret = nfs_export_access(srv, e, req, wait ? srv->hostname_wait_ms : 0, view);
	if (ret < 0 || !cred)
		return ret;
	memset(&call, 0, sizeof(call));
	call.cred = req->cred;
	nfs_export_creds(srv, *view, req, &call);
	*cred = call.cred;
	return 0;
}

/* The export root's inode, by its cached id; when that id went stale
 * (the directory was replaced), by walking the export path again. */
static int nfs_mount_root(struct nfs_server *srv, const struct nfs_export *e, struct xl_call *call,
			  struct xl_inode **out, struct xl_iatt *attr)
{
	struct xl_id id;
	int ret;

	ret = nfs_export_root_id(srv, e, false, &id);
	if (ret < 0)
		return ret;
	ret = xl_resolve(e->child, call, &id, out, attr);
	if (ret != -ESTALE && ret != -ENOENT)
		return ret;
	ret = nfs_export_root_id(srv, e, true, &id);
	if (ret < 0)
		return ret;
	return xl_resolve(e->child, call, &id, out, attr);
}

int nfs_mount_handle(struct nfs_server *srv, const struct nfs_export *e, const char *rest,
		     const struct xl_cred *cred, const struct sockaddr *client,
		     socklen_t client_len, uint8_t *fh, size_t *fh_len)
{
	struct xl_inode *dir = NULL, *next;
	char name[NFS_MOUNT_NAME_MAX + 1];
	const char *p = rest;
	struct xl_call call;
	struct xl_iatt ia;
	struct nfs_fh h;
	int ret;

	memset(&call, 0, sizeof(call));
	call.cred = *cred;
	if (client_len <= sizeof(call.client)) {
		memcpy(&call.client, client, client_len);
		call.client_len = client_len;
	}
	nfs_export_squash(e, &call.cred);
	ret = nfs_mount_root(srv, e, &call, &dir, &ia);
	if (ret < 0)
		return ret;
	if (!S_ISDIR(ia.mode)) {
		ret = -ENOTDIR;
		goto out_unref;
	}
	while (*p) {
		const char *comp = ++p; /* skip the '/' */
		size_t len;

		while (*p && *p != '/')
			p++;
		len = (size_t)(p - comp);
		if (len == 0 || len > NFS_MOUNT_NAME_MAX) {
			ret = len ? -ENAMETOOLONG : -EINVAL;
			goto out_unref;
		}
		memcpy(name, comp, len);
		name[len] = '\0';
		ret = xl_lookup(e->child, &call, dir, name, &next, &ia, NULL);
		if (ret < 0)
			goto out_unref;
		xl_inode_unref(dir);
		dir = next;
		if (!(ia.valid & XL_IATT_TYPE) || !S_ISDIR(ia.mode)) {
			ret = -ENOTDIR; /* a file, a device, or a symlink we do not follow */
			goto out_unref;
		}
	}
	nfs_fh_build(srv, e, xl_inode_id(dir), &h);
	memcpy(fh, h.data, h.len);
	*fh_len = h.len;
	ret = 0;
out_unref:
	xl_inode_unref(dir);
	return ret;
}

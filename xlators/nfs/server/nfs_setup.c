/*
 * nfs_setup.c — setting up a struct nfs_server apart from the RPC
 * service: finding the export roots' ids (init() does it once the
 * children are up), and a server for tests that drive the NFS3 actors
 * directly over a graph of one subvolume or several (tests/unit/
 * test_actors.c, test_subvols.c), with no sockets, state directory or
 * MOUNT.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <string.h>

#include "nfs3_verf.h"
#include "nfs_server.h"

void nfs_server_resolve_roots(struct nfs_server *srv)
{
	for (size_t i = 0; i < srv->nexports; i++) {
		struct xl_id id;
		int ret = nfs_export_root_id(srv, &srv->exports[i], true, &id);

		if (ret < 0)
			xl_log(srv->xl, XL_LOG_WARNING,
			       "export %s: its directory %s cannot be found in %s (%s); tried "
			       "again when a client mounts it",
			       srv->exports[i].path, srv->exports[i].dir,
			       srv->exports[i].child ? srv->exports[i].child->name : "(none)",
			       g_strerror(-ret));
	}
}

int nfs_server_setup_for_test_subvols(struct nfs_server *srv, struct xl *top,
				      struct xl *const *children, size_t n,
				      const char *export_dir, const struct xl_addrlist *allow)
{
	struct nfs_export defaults = {
	    .clients = (struct xl_addrlist *)allow,
	    .anonuid = 65534,
	    .anongid = 65534,
	};
	char *msg = NULL;
	int ret;

	memset(srv, 0, sizeof(*srv));
	srv->xl = top;
	g_mutex_init(&srv->lock);
	ret = nfs_exports_parse(export_dir ? export_dir : "/", &defaults, &srv->exports,
				&srv->nexports, &msg);
	if (ret == 0) {
		ret = nfs_exports_bind(srv->exports, srv->nexports, children, n, &msg);
		if (ret < 0) {
			nfs_exports_free(srv->exports, srv->nexports, allow);
			srv->exports = NULL;
			srv->nexports = 0;
		}
	}
	if (ret < 0) {
		xl_logd("nfs", XL_LOG_ERROR, "%s", msg);
		g_free(msg);
		g_mutex_clear(&srv->lock);
		return ret;
	}
	srv->shared_clients = allow;
	for (size_t i = 0; i < sizeof(srv->secret); i++)
		srv->secret[i] = (uint8_t)(i * 29 + 7);
	nfs3_write_verf_init(&srv->write_verf);
	srv->rtmax = 1024 * 1024;
	srv->wtmax = 1024 * 1024;
	srv->dtpref = 64 * 1024;
	nfs_server_resolve_roots(srv);
	return 0;
}

int nfs_server_setup_for_test(struct nfs_server *srv, struct xl *top, struct xl *child,
			      const char *export_dir, const struct xl_addrlist *allow)
{
	return nfs_server_setup_for_test_subvols(srv, top, &child, 1, export_dir, allow);
}

void nfs_server_teardown_for_test(struct nfs_server *srv)
{
	nfs_exports_free(srv->exports, srv->nexports, srv->shared_clients);
	g_mutex_clear(&srv->lock);
	memset(srv, 0, sizeof(*srv));
}

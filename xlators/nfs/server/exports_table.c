/*
 * exports_table.c — the export table as an administrator reads it.
 *
 * `xlnfsd --exports -f FILE` prints what nfs/server would export, in the
 * shape of `exportfs -v`: one line per export and client,
 *
 *     /pub            10.0.0.0/8(ro,root_squash,no_all_squash,anonuid=65534,anongid=65534,sec=sys:none)
 *
 * so scripts written for knfsd's table can read ours. The options are the
 * export's effective ones (its own, else the translator's global ones).
 * The security flavours are those the RPC service accepts: AUTH_SYS and
 * AUTH_NONE (whose callers are nobody).
 */
#include "config.h"

#include <stdio.h>
#include <string.h>

#include "mount3.h"
#include "nfs_server.h"

/* The width the path column is padded to, as exportfs does. */
#define EXPORTS_PATH_WIDTH 15

static void exports_print_line(const struct nfs_export *e, const char *client, FILE *fp)
{
	fprintf(fp, "%-*s\t%s(%s,%s,%s,anonuid=%u,anongid=%u,sec=sys:none)\n", EXPORTS_PATH_WIDTH,
		e->path, client, e->read_only ? "ro" : "rw",
		e->root_squash ? "root_squash" : "no_root_squash",
		e->all_squash ? "all_squash" : "no_all_squash", (unsigned)e->anonuid,
		(unsigned)e->anongid);
}

void nfs_exports_print(const struct nfs_export *exports, size_t count, FILE *fp)
{
	char text[256];

	for (size_t i = 0; i < count; i++) {
		const struct nfs_export *e = &exports[i];
		size_t shown = 0;

		if (e->clients && mount3_addrlist_open(e->clients)) {
			exports_print_line(e, "*", fp);
			continue;
		}
		for (size_t k = 0; e->clients && k < e->clients->count; k++) {
			mount3_group_text(&e->clients->items[k], text, sizeof(text));
			if (!text[0])
				continue;
			exports_print_line(e, text, fp);
			shown++;
		}
		if (!shown)
			fprintf(fp, "%-*s\t<no client may mount it>\n", EXPORTS_PATH_WIDTH,
				e->path);
	}
}

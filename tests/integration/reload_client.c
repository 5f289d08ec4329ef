/*
 * reload_client.c — the client side of tests/integration/reload.sh: keeps
 * writing and reading one file through the handle it opened first while
 * the daemon reloads its volume file, and counts every error.
 *
 *   reload_client SERVER loop EXPORT FILE STOPFILE
 *       mount EXPORT (one connection, no reconnecting: a dropped
 *       connection is an error), open FILE (in EXPORT, existing) once,
 *       then until STOPFILE exists: write a 4 KiB block, read it back
 *       and compare, fstat, and every 16 rounds fsync (COMMIT); prints
 *       "ops N errors E" every 100 rounds and last; exit 1 if E > 0.
 *   reload_client SERVER mount EXPORT
 *       mount EXPORT and stat its root; exit 0 when both work.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <nfsc/libnfs.h>

#define BLOCK  4096
#define BLOCKS 16

static struct nfs_context *client_mount(const char *server, const char *export)
{
	struct nfs_context *nfs = nfs_init_context();

	if (!nfs) {
		fprintf(stderr, "nfs_init_context failed\n");
		return NULL;
	}
	nfs_set_autoreconnect(nfs, 0);
	if (nfs_mount(nfs, server, export) != 0) {
		fprintf(stderr, "mount %s:%s: %s\n", server, export, nfs_get_error(nfs));
		nfs_destroy_context(nfs);
		return NULL;
	}
	return nfs;
}

/* One error: shown (the first few), counted. */
static void client_error(unsigned long *errors, unsigned long round, const char *what,
			 struct nfs_context *nfs, int ret)
{
	if (++*errors <= 10)
		printf("error in round %lu: %s: %d %s\n", round, what, ret, nfs_get_error(nfs));
}

static int client_loop(const char *server, const char *export, const char *file,
		       const char *stopfile)
{
	struct nfs_context *nfs = client_mount(server, export);
	struct nfsfh *fh = NULL;
	unsigned long round = 0, errors = 0;
	char wbuf[BLOCK], rbuf[BLOCK];
	struct nfs_stat_64 st;
	int ret;

	if (!nfs)
		return 1;
	ret = nfs_open(nfs, file, O_RDWR, &fh);
	if (ret != 0) {
		fprintf(stderr, "open %s: %s\n", file, nfs_get_error(nfs));
		nfs_destroy_context(nfs);
		return 1;
	}
	while (access(stopfile, F_OK) != 0) {
		uint64_t off = (round % BLOCKS) * BLOCK;

		memset(wbuf, 'a' + (int)(round % 26), sizeof(wbuf));
		snprintf(wbuf, sizeof(wbuf), "round %lu", round);
		ret = nfs_pwrite(nfs, fh, off, BLOCK, wbuf);
		if (ret != BLOCK)
			client_error(&errors, round, "write", nfs, ret);
		ret = nfs_pread(nfs, fh, off, BLOCK, rbuf);
		if (ret != BLOCK)
			client_error(&errors, round, "read", nfs, ret);
		else if (memcmp(wbuf, rbuf, BLOCK) != 0)
			client_error(&errors, round, "read back different data", nfs, 0);
		ret = nfs_fstat64(nfs, fh, &st);
		if (ret != 0)
			client_error(&errors, round, "fstat", nfs, ret);
		if (round % 16 == 15 && (ret = nfs_fsync(nfs, fh)) != 0)
			client_error(&errors, round, "fsync", nfs, ret);
		round++;
		if (round % 100 == 0) {
			printf("ops %lu errors %lu\n", round, errors);
			fflush(stdout);
		}
	}
	printf("ops %lu errors %lu\n", round, errors);
	nfs_close(nfs, fh);
	nfs_destroy_context(nfs);
	return errors ? 1 : 0;
}

static int client_mount_check(const char *server, const char *export)
{
	struct nfs_context *nfs = client_mount(server, export);
	struct nfs_stat_64 st;
	int ret;

	if (!nfs)
		return 1;
	ret = nfs_stat64(nfs, "/", &st);
	if (ret != 0)
		fprintf(stderr, "stat %s:%s/: %s\n", server, export, nfs_get_error(nfs));
	nfs_destroy_context(nfs);
	return ret != 0;
}

int main(int argc, char **argv)
{
	if (argc == 6 && strcmp(argv[2], "loop") == 0)
		return client_loop(argv[1], argv[3], argv[4], argv[5]);
	if (argc == 4 && strcmp(argv[2], "mount") == 0)
		return client_mount_check(argv[1], argv[3]);
	fprintf(stderr, "usage: reload_client SERVER loop EXPORT FILE STOPFILE\n"
			"       reload_client SERVER mount EXPORT\n");
	return 2;
}

/*
 * fuzz_dispatch.c — whole calls through the real dispatch path into the
 * real NFS3, MOUNT and NLM v4 actors, over storage/posix on a temporary
 * directory.
 *
 * Set-up (once): the graph nfs/server over storage/posix is loaded from an
 * inline volfile and initialised as xlnfsd would (listening on 127.0.0.1
 * only, on two free ports, TCP only, without rpcbind; run it in a private
 * network namespace as tests/fuzz/replay.sh does). NLM is on (the
 * default), without a grace period: its GRANTED callbacks and SM_MON
 * calls go from work queue threads to the portmapper at 127.0.0.1, which
 * in the namespace refuses at once, so no input waits on them and nothing
 * leaves the loopback. The export holds four
 * fixtures: the root, "file" (10000 bytes), "dir" (with "a" and "b") and
 * "link" (→ file).
 *
 * Each input is the body of one RPC record or datagram. It is handed to
 * rpcsvc_dispatch() as a UDP job whose replies come back to a socket of
 * ours, so everything after the transport runs exactly as in the daemon.
 * File handles are MACed with a per-run secret, so inputs name them with
 * placeholders: the 8 bytes 00 00 00 04 'F' 'H' '#' K (an opaque of 4
 * bytes "FH#K"), K '0' root, '1' file, '2' dir, '3' link, are replaced by
 * the real handle (length word and padded bytes) before dispatch. The
 * fixtures are rebuilt when an input broke one and every
 * FUZZ_DISPATCH_RESET inputs (so the directory does not grow for ever);
 * then the process must be well within its open files limit, which is set
 * low (FUZZ_NOFILE) for that.
 *
 * Environment: XLNFS_XLATOR_PATH (modules), TMPDIR (where the export is
 * made), FUZZ_LOG=LEVEL to see logs, FUZZ_TRACE=1 to print each call's
 * program, procedure and reply (accept status, then result status).
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <dirent.h>
#include <ftw.h>
#include <netinet/in.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <glib.h>
#include <glib/gstdio.h>

#include "fuzz.h"
#include "log.h"
#include "nfs_server.h"
#include "rpcsvc_int.h"
#include "xlator.h"

#define FUZZ_DISPATCH_RESET 1000
#define FUZZ_FILE_SIZE 10000
#define FUZZ_NFIX 4
/* The open files limit the server runs with here, low so that a
 * descriptor leak or an inode cache larger than the limit shows soon. */
#define FUZZ_NOFILE 1024

static const char *const fuzz_fix_names[FUZZ_NFIX] = { ".", "file", "dir", "link" };

static struct {
	char *tmp;                       /* everything lives here */
	char *export_dir;
	struct xl_graph *graph;
	struct rpcsvc *svc;
	struct rpcsvc_listener out;      /* replies are sent from, and to, this socket */
	struct sockaddr_in self;
	struct nfs_fh fh[FUZZ_NFIX];     /* the fixtures' handles */
	struct stat st[FUZZ_NFIX];       /* and what they were when made */
	uint8_t reply[RPCSVC_UDP_MAX];   /* the last reply received */
	ssize_t reply_len;
	unsigned runs;
	bool trace;
} fz;

/* -------------------------------------------------------------- calls */

static void put32(GByteArray *b, uint32_t v)
{
	uint8_t w[4] = { v >> 24, v >> 16, v >> 8, v };

	g_byte_array_append(b, w, 4);
}

static void put_opaque(GByteArray *b, const void *p, size_t len)
{
	static const uint8_t zero[4];

	put32(b, (uint32_t)len);
	g_byte_array_append(b, p, (guint)len);
	g_byte_array_append(b, zero, (guint)((4 - len % 4) % 4));
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

/* Print what the call was and how it was answered. */
static void fuzz_trace(const uint8_t *buf, size_t len)
{
	const uint8_t *r = fz.reply;
	uint32_t vlen;

	if (len >= 24)
		fprintf(stderr, "call prog %u vers %u proc %u: ", get32(buf + 12), get32(buf + 16),
			get32(buf + 20));
	else
		fprintf(stderr, "%zu bytes: ", len);
	if (fz.reply_len < 0) {
		fprintf(stderr, "no reply\n");
	} else if (fz.reply_len < 24 || get32(r + 8) != MSG_ACCEPTED) {
		fprintf(stderr, "denied (%zd bytes)\n", fz.reply_len);
	} else {
		vlen = (get32(r + 16) + 3) & ~3u;
		if (fz.reply_len < 28 + (ssize_t)vlen)
			fprintf(stderr, "accept stat %u\n", get32(r + 20 + vlen));
		else
			fprintf(stderr, "accept stat %u status %u\n", get32(r + 20 + vlen),
				get32(r + 24 + vlen));
	}
}

/* Dispatch @len bytes at @buf as a UDP datagram from our socket; the
 * reply, if any, lands in fz.reply (fz.reply_len -1 when none). */
static void fuzz_dispatch(const uint8_t *buf, size_t len)
{
	struct xl_iobuf *rec = rpc_record_buf_new(len ? len : 1);
	struct rpcsvc_job *job;
	ssize_t n;

	memcpy(rec->data, buf, len);
	job = rpcsvc_job_new(fz.svc, rec, len);
	job->udp = &fz.out;
	memcpy(&job->peer, &fz.self, sizeof(fz.self));
	job->peer_len = sizeof(fz.self);
	rpcsvc_dispatch(job);
	rpcsvc_job_free(job);

	/* Loopback delivers at once; keep the last datagram. */
	fz.reply_len = -1;
	while ((n = recv(fz.out.fd, fz.reply, sizeof(fz.reply), MSG_DONTWAIT)) >= 0)
		fz.reply_len = n;
	if (fz.trace)
		fuzz_trace(buf, len);
}

/* Start a call with AUTH_NONE. Each gets a new xid, so the duplicate
 * request cache never answers one with an old reply. */
static GByteArray *fuzz_call(uint32_t prog, uint32_t vers, uint32_t proc)
{
	static uint32_t xid = 0x80000000u;
	GByteArray *b = g_byte_array_new();

	put32(b, xid++);
	put32(b, 0); /* CALL */
	put32(b, 2);
	put32(b, prog);
	put32(b, vers);
	put32(b, proc);
	put32(b, 0); /* cred AUTH_NONE */
	put32(b, 0);
	put32(b, 0); /* verf AUTH_NONE */
	put32(b, 0);
	return b;
}

/* Send @b, check that the reply is SUCCESS with status 0, and copy the
 * handle that follows into @fh. false when not. */
static bool fuzz_call_for_handle(GByteArray *b, struct nfs_fh *fh)
{
	const uint8_t *r = fz.reply;
	uint32_t vlen, len;

	fuzz_dispatch(b->data, b->len);
	g_byte_array_unref(b);
	/* xid, REPLY, MSG_ACCEPTED, verf flavor, verf len, SUCCESS, status */
	if (fz.reply_len < 28)
		return false;
	vlen = get32(r + 16);
	if (vlen > 400 || fz.reply_len < 36 + (ssize_t)vlen)
		return false;
	r += 20 + ((vlen + 3) & ~3u);
	if (get32(r) != SUCCESS || get32(r + 4) != 0)
		return false;
	len = get32(r + 8);
	if (len > NFS_FH_MAX || r + 12 + len > fz.reply + fz.reply_len)
		return false;
	fh->len = len;
	memcpy(fh->data, r + 12, len);
	return true;
}

/* ----------------------------------------------------------- fixtures */

static int fuzz_rm_entry(const char *path, const struct stat *st, int type, struct FTW *ftw)
{
	if (ftw->level == 0)
		return 0; /* keep the export directory itself */
	return remove(path) < 0 ? -1 : 0;
}

static void fuzz_die(const char *what)
{
	fprintf(stderr, "fuzz_dispatch: %s: %s\n", what, g_strerror(errno));
	abort();
}

/* Write the fixtures' contents into the export, which must be empty. */
static void fuzz_fixtures_create(void)
{
	char *p;
	uint8_t data[FUZZ_FILE_SIZE];
	int fd;

	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (uint8_t)(i * 7 + i / 251);
	if (chmod(fz.export_dir, 0777) < 0)
		fuzz_die("chmod export");
	p = g_build_filename(fz.export_dir, "file", NULL);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || write(fd, data, sizeof(data)) != (ssize_t)sizeof(data) ||
	    fchmod(fd, 0666) < 0 || close(fd) < 0)
		fuzz_die("create file");
	g_free(p);
	p = g_build_filename(fz.export_dir, "dir", NULL);
	if (mkdir(p, 0777) < 0 || chmod(p, 0777) < 0)
		fuzz_die("mkdir dir");
	g_free(p);
	p = g_build_filename(fz.export_dir, "dir", "a", NULL);
	fd = open(p, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	if (fd < 0 || write(fd, "a\n", 2) != 2 || close(fd) < 0)
		fuzz_die("create dir/a");
	g_free(p);
	p = g_build_filename(fz.export_dir, "dir", "b", NULL);
	if (mkdir(p, 0777) < 0)
		fuzz_die("mkdir dir/b");
	g_free(p);
	p = g_build_filename(fz.export_dir, "link", NULL);
	if (symlink("file", p) < 0)
		fuzz_die("symlink link");
	g_free(p);
}

/* Descriptors open now. */
static int fuzz_count_fds(void)
{
	DIR *d = opendir("/proc/self/fd");
	int n = 0;

	if (!d)
		return 0;
	while (readdir(d))
		n++;
	closedir(d);
	return n;
}

/* Empty the export, make the fixtures again and learn their handles the
 * way a client does: MNT for the root, LOOKUP for the others. */
static void fuzz_fixtures_reset(void)
{
	/* The server must keep clear of the limit however many objects
	 * clients touched (its inode cache holds descriptors). */
	FUZZ_CHECK(fuzz_count_fds() < FUZZ_NOFILE * 7 / 8);
	if (nftw(fz.export_dir, fuzz_rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fuzz_die("empty the export");
	fuzz_fixtures_create();
	for (int i = 0; i < FUZZ_NFIX; i++) {
		char *p = g_build_filename(fz.export_dir, fuzz_fix_names[i], NULL);
		GByteArray *b;

		if (lstat(p, &fz.st[i]) < 0)
			fuzz_die(p);
		g_free(p);
		if (i == 0) {
			b = fuzz_call(100005, 3, 1); /* MNT "/" */
			put_opaque(b, "/", 1);
		} else {
			b = fuzz_call(100003, 3, 3); /* LOOKUP root name */
			put_opaque(b, fz.fh[0].data, fz.fh[0].len);
			put_opaque(b, fuzz_fix_names[i], strlen(fuzz_fix_names[i]));
		}
		if (!fuzz_call_for_handle(b, &fz.fh[i])) {
			fprintf(stderr, "fuzz_dispatch: no handle for fixture %s\n",
				fuzz_fix_names[i]);
			abort();
		}
	}
}

/* Did the last input change a fixture (gone, replaced, chmod, chown, a
 * file resized)? Directories grow as entries come: not a change. */
static bool fuzz_fixtures_changed(void)
{
	for (int i = 0; i < FUZZ_NFIX; i++) {
		char *p = g_build_filename(fz.export_dir, fuzz_fix_names[i], NULL);
		struct stat st;
		int ret = lstat(p, &st);

		g_free(p);
		if (ret < 0 || st.st_ino != fz.st[i].st_ino || st.st_mode != fz.st[i].st_mode ||
		    (S_ISREG(st.st_mode) && st.st_size != fz.st[i].st_size) ||
		    st.st_uid != fz.st[i].st_uid || st.st_gid != fz.st[i].st_gid)
			return true;
	}
	return false;
}

/* -------------------------------------------------------------- set-up */

/* A port nothing listens on now (TCP, 127.0.0.1). */
static uint16_t fuzz_free_port(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	socklen_t len = sizeof(sin);
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0 || bind(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0 ||
	    getsockname(fd, (struct sockaddr *)&sin, &len) < 0)
		fuzz_die("find a free port (is lo up?)");
	close(fd);
	return ntohs(sin.sin_port);
}

static void fuzz_cleanup(void)
{
	if (fz.graph) {
		xl_graph_fini(fz.graph);
		xl_graph_free(fz.graph);
		fz.graph = NULL;
	}
	if (fz.out.fd > 0)
		close(fz.out.fd);
	if (fz.tmp) {
		nftw(fz.tmp, fuzz_rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		rmdir(fz.tmp);
	}
	g_free(fz.export_dir);
	g_free(fz.tmp);
	fz.tmp = fz.export_dir = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	const char *level = getenv("FUZZ_LOG");
	char *volfile;
	socklen_t len = sizeof(fz.self);
	int ret;

	xl_log_set_level(level ? (enum xl_log_level)xl_log_level_parse(level) : XL_LOG_CRITICAL);
	fz.trace = getenv("FUZZ_TRACE") != NULL;
	if (setrlimit(RLIMIT_NOFILE, &(struct rlimit){ FUZZ_NOFILE, FUZZ_NOFILE }) < 0)
		fuzz_die("setrlimit");
	fz.tmp = g_build_filename(g_get_tmp_dir(), "xlnfs-fuzz.XXXXXX", NULL);
	if (!g_mkdtemp(fz.tmp))
		fuzz_die("mkdtemp");
	fz.export_dir = g_build_filename(fz.tmp, "export", NULL);
	if (mkdir(fz.export_dir, 0777) < 0)
		fuzz_die("mkdir export");
	volfile = g_strdup_printf("volume brick\n"
				  "  type storage/posix\n"
				  "  option directory %s\n"
				  "  option sync-metadata off\n"
				  "end-volume\n"
				  "volume server\n"
				  "  type nfs/server\n"
				  "  option listen-address 127.0.0.1\n"
				  "  option nfs-port %u\n"
				  "  option mount-port %u\n"
				  "  option transport.udp off\n"
				  "  option rpc-register off\n"
				  "  option nlm on\n"
				  "  option nlm-grace 0s\n"
				  "  option threads 1\n"
				  "  option rtmax 64KB\n"
				  "  option wtmax 64KB\n"
				  "  option state-dir %s/state\n"
				  "  subvolumes brick\n"
				  "end-volume\n",
				  fz.export_dir, fuzz_free_port(), fuzz_free_port(), fz.tmp);
	ret = xl_graph_load_text("fuzz.vol", volfile, getenv("XLNFS_XLATOR_PATH"), &fz.graph);
	g_free(volfile);
	if (ret < 0 || (ret = xl_graph_init(fz.graph)) < 0) {
		errno = -ret;
		fuzz_die("load the graph (XLNFS_XLATOR_PATH?)");
	}
	fz.svc = ((struct nfs_server *)fz.graph->top->private)->svc;

	fz.out.kind = RPCSVC_EV_UDP;
	fz.out.family = AF_INET;
	fz.out.svc = fz.svc;
	fz.out.fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	fz.self.sin_family = AF_INET;
	fz.self.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fz.out.fd < 0 || bind(fz.out.fd, (struct sockaddr *)&fz.self, sizeof(fz.self)) < 0 ||
	    getsockname(fz.out.fd, (struct sockaddr *)&fz.self, &len) < 0)
		fuzz_die("reply socket");
	atexit(fuzz_cleanup);
	fuzz_fixtures_reset();
	return 0;
}

/* ------------------------------------------------------------ one input */

/* @data with every handle placeholder replaced by the real handle. */
static GByteArray *fuzz_expand(const uint8_t *data, size_t size)
{
	static const uint8_t mark[7] = { 0, 0, 0, 4, 'F', 'H', '#' };
	GByteArray *b = g_byte_array_sized_new((guint)size + 64);
	size_t i = 0;

	while (i < size) {
		if (size - i >= 8 && memcmp(data + i, mark, sizeof(mark)) == 0 &&
		    data[i + 7] >= '0' && data[i + 7] < '0' + FUZZ_NFIX) {
			const struct nfs_fh *fh = &fz.fh[data[i + 7] - '0'];

			put_opaque(b, fh->data, fh->len);
			i += 8;
			continue;
		}
		g_byte_array_append(b, data + i, 1);
		i++;
	}
	return b;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	GByteArray *b;

	if (!fz.graph)
		LLVMFuzzerInitialize(NULL, NULL);
	b = fuzz_expand(data, size);
	fuzz_dispatch(b->data, b->len);
	g_byte_array_unref(b);
	if (++fz.runs % FUZZ_DISPATCH_RESET == 0 || fuzz_fixtures_changed())
		fuzz_fixtures_reset();
	return 0;
}

/*
 * sec_rpc.c — one raw MOUNT or NFS v3 call to a running xlnfsd, from the
 * source address and port and with the credentials the test asks for,
 * printing the outcome as one line. Used by exports_rules.sh to act as
 * different clients (127.0.0.2, 127.0.0.3, ..., privileged or not) and to
 * send what no well-behaved client library sends (a name with a NUL in
 * it, more than 16 groups).
 *
 *   sec_rpc [-b SRCADDR] [-p SRCPORT] [-u UID] [-g GID] [-G G1,G2,...|-N]
 *           [-s SERVER] CMD ARGS...
 *
 *   mnt PATH                → "0 HEXFH" or "STATUS"      (MOUNT v3 MNT)
 *   getattr HEXFH           → "STATUS [UID GID FSID FILEID]"
 *   lookup HEXFH NAME       → "STATUS [HEXFH]"
 *   create HEXFH NAME       → "STATUS [UID GID]"          (UNCHECKED, 0644)
 *   remove HEXFH NAME       → "STATUS"
 *
 * NAME and PATH take C escapes (\n, \0, \xNN), so "keep\0.bak" is 9
 * bytes on the wire. -N sends AUTH_NONE instead of AUTH_SYS. STATUS is
 * the numeric mountstat3/nfsstat3, or GARBAGE_ARGS / AUTH_ERROR=N /
 * DENIED when the call itself is refused. Exit 0 when a reply came, 2 on
 * usage or transport errors.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "mount3_prot.h"
#include "nfs3_prot.h"

#define SEC_NFS_PORT 2049
#define SEC_MOUNT_PORT 20048

static struct {
	const char *server, *src;
	int src_port;
	uint32_t uid, gid;
	uint32_t groups[64];
	unsigned ngroups;
	bool auth_none;
} opt = { .server = "127.0.0.1", .src = NULL };

static void die(const char *fmt, ...) G_GNUC_PRINTF(1, 2) G_GNUC_NORETURN;
static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(2);
}

/* ------------------------------------------------------------ transport */

static int sec_connect(uint16_t port)
{
	struct sockaddr_in to = { .sin_family = AF_INET, .sin_port = htons(port) };
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd < 0)
		die("socket: %s", strerror(errno));
	if (opt.src || opt.src_port) {
		struct sockaddr_in from = { .sin_family = AF_INET,
					    .sin_port = htons((uint16_t)opt.src_port) };
		int one = 1;

		setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
		if (inet_pton(AF_INET, opt.src ? opt.src : "0.0.0.0", &from.sin_addr) != 1)
			die("bad source address %s", opt.src);
		if (bind(fd, (struct sockaddr *)&from, sizeof(from)) < 0)
			die("bind %s:%d: %s", opt.src ? opt.src : "*", opt.src_port,
			    strerror(errno));
	}
	if (inet_pton(AF_INET, opt.server, &to.sin_addr) != 1)
		die("bad server address %s", opt.server);
	if (connect(fd, (struct sockaddr *)&to, sizeof(to)) < 0)
		die("connect %s:%u: %s", opt.server, port, strerror(errno));
	return fd;
}

static void sec_write_all(int fd, const void *buf, size_t len)
{
	const char *p = buf;

	while (len) {
		ssize_t n = write(fd, p, len);

		if (n <= 0)
			die("write: %s", strerror(errno));
		p += n;
		len -= (size_t)n;
	}
}

static void sec_read_all(int fd, void *buf, size_t len)
{
	char *p = buf;

	while (len) {
		ssize_t n = read(fd, p, len);

		if (n <= 0)
			die("read: %s", n ? strerror(errno) : "connection closed");
		p += n;
		len -= (size_t)n;
	}
}

/* The call header for @prog/@vers/@proc with the chosen credentials. */
static void sec_call_header(XDR *x, uint32_t prog, uint32_t vers, uint32_t proc)
{
	/* a fresh xid: the duplicate request cache must not answer for us */
	uint32_t w[] = { g_random_int(), 0 /* CALL */, 2, prog, vers, proc };

	for (size_t i = 0; i < G_N_ELEMENTS(w); i++)
		xdr_u_int(x, &w[i]);
	if (opt.auth_none) {
		uint32_t none[] = { AUTH_NONE, 0 };

		xdr_u_int(x, &none[0]);
		xdr_u_int(x, &none[1]);
	} else {
		uint32_t flavor = AUTH_SYS, len = 4 * (5 + opt.ngroups) + 4, stamp = 1;
		uint32_t mlen = 4;

		xdr_u_int(x, &flavor);
		xdr_u_int(x, &len);
		xdr_u_int(x, &stamp);
		xdr_u_int(x, &mlen);
		xdr_opaque(x, "test", 4);
		xdr_u_int(x, &opt.uid);
		xdr_u_int(x, &opt.gid);
		xdr_u_int(x, &opt.ngroups);
		for (unsigned i = 0; i < opt.ngroups; i++)
			xdr_u_int(x, &opt.groups[i]);
	}
	{
		uint32_t verf[] = { AUTH_NONE, 0 };

		xdr_u_int(x, &verf[0]);
		xdr_u_int(x, &verf[1]);
	}
}

typedef bool_t (*sec_encode_fn)(XDR *x, void *arg);

/* Make the call; decode the result with @res_xdr into @res. Returns NULL
 * when a result was decoded, else the text saying why not. */
static const char *sec_call(uint16_t port, uint32_t prog, uint32_t vers, uint32_t proc,
			    sec_encode_fn enc, void *arg, xdrproc_t res_xdr, void *res)
{
	static char why[64];
	static char buf[65536];
	uint32_t mark, rlen, w;
	XDR x;
	int fd = sec_connect(port);
	size_t len;

	xdrmem_create(&x, buf + 4, sizeof(buf) - 4, XDR_ENCODE);
	sec_call_header(&x, prog, vers, proc);
	if (enc && !enc(&x, arg))
		die("cannot encode the arguments");
	len = xdr_getpos(&x);
	xdr_destroy(&x);
	mark = htonl(0x80000000u | (uint32_t)len);
	memcpy(buf, &mark, 4);
	sec_write_all(fd, buf, len + 4);

	sec_read_all(fd, &mark, 4);
	rlen = ntohl(mark) & 0x7fffffffu;
	if (rlen > sizeof(buf))
		die("reply of %u bytes", rlen);
	sec_read_all(fd, buf, rlen);
	close(fd);

	xdrmem_create(&x, buf, rlen, XDR_DECODE);
	xdr_u_int(&x, &w); /* xid */
	xdr_u_int(&x, &w); /* REPLY */
	xdr_u_int(&x, &w);
	if (w != MSG_ACCEPTED) {
		xdr_u_int(&x, &w);
		if (w == AUTH_ERROR) {
			xdr_u_int(&x, &w);
			snprintf(why, sizeof(why), "AUTH_ERROR=%u", w);
		} else {
			snprintf(why, sizeof(why), "DENIED");
		}
		return why;
	}
	xdr_u_int(&x, &w); /* verifier */
	xdr_u_int(&x, &w);
	xdr_u_int(&x, &w); /* accept_stat */
	if (w != SUCCESS) {
		snprintf(why, sizeof(why), w == GARBAGE_ARGS ? "GARBAGE_ARGS" : "ACCEPT=%u", w);
		return why;
	}
	if (!res_xdr(&x, res, 0))
		die("cannot decode the result");
	xdr_destroy(&x);
	return NULL;
}

/* ------------------------------------------------------------- helpers */

static char *hex_of(const void *data, size_t len)
{
	char *s = g_malloc(len * 2 + 1);

	for (size_t i = 0; i < len; i++)
		sprintf(s + 2 * i, "%02x", ((const unsigned char *)data)[i]);
	return s;
}

static nfs_fh3 fh_of(const char *hex)
{
	nfs_fh3 fh;
	size_t n = strlen(hex) / 2;

	fh.data.data_len = (u_int)n;
	fh.data.data_val = g_malloc(n + 1);
	for (size_t i = 0; i < n; i++) {
		unsigned v;

		if (sscanf(hex + 2 * i, "%2x", &v) != 1)
			die("bad handle %s", hex);
		fh.data.data_val[i] = (char)v;
	}
	return fh;
}

/* A name with C escapes as bytes (may hold NULs). */
struct bytes {
	char *p;
	uint32_t len;
};

static struct bytes unescape(const char *s)
{
	struct bytes b = { .p = g_malloc(strlen(s) + 1) };

	for (const char *q = s; *q; q++) {
		unsigned v = 0;
		int n = 0;

		if (*q != '\\' || !q[1]) {
			b.p[b.len++] = *q;
			continue;
		}
		switch (*++q) {
		case 'n':
			v = '\n';
			break;
		case 'r':
			v = '\r';
			break;
		case 't':
			v = '\t';
			break;
		case 'x':
			while (n < 2 && g_ascii_isxdigit(q[1])) {
				v = v * 16 + (unsigned)g_ascii_xdigit_value(*++q);
				n++;
			}
			break;
		default:
			if (*q < '0' || *q > '7') {
				v = (unsigned char)*q;
				break;
			}
			v = (unsigned)(*q - '0');
			while (++n < 3 && q[1] >= '0' && q[1] <= '7')
				v = v * 8 + (unsigned)(*++q - '0');
		}
		b.p[b.len++] = (char)v;
	}
	b.p[b.len] = '\0';
	return b;
}

/* XDR a string<> from explicit bytes (encode only). */
static bool_t xdr_raw_string(XDR *x, const struct bytes *b)
{
	uint32_t len = b->len;

	return xdr_u_int(x, &len) && xdr_opaque(x, b->p, len);
}

/* -------------------------------------------------------------- calls */

static bool_t enc_dirpath(XDR *x, void *arg)
{
	return xdr_raw_string(x, arg);
}

struct dirop {
	nfs_fh3 fh;
	struct bytes name;
};

static bool_t enc_dirop(XDR *x, void *arg)
{
	struct dirop *d = arg;

	return xdr_nfs_fh3(x, &d->fh) && xdr_raw_string(x, &d->name);
}

static bool_t enc_create(XDR *x, void *arg)
{
	struct dirop *d = arg;
	uint32_t how = UNCHECKED, set = 1, mode = 0644, no = 0;

	if (!enc_dirop(x, d) || !xdr_u_int(x, &how))
		return FALSE;
	/* sattr3: mode set, nothing else */
	return xdr_u_int(x, &set) && xdr_u_int(x, &mode) && xdr_u_int(x, &no) &&
	       xdr_u_int(x, &no) && xdr_u_int(x, &no) && xdr_u_int(x, &no) && xdr_u_int(x, &no);
}

static bool_t enc_fh(XDR *x, void *arg)
{
	return xdr_nfs_fh3(x, arg);
}

static int cmd_mnt(const char *path)
{
	struct bytes b = unescape(path);
	mountres3 res;
	const char *why;

	memset(&res, 0, sizeof(res));
	why = sec_call(SEC_MOUNT_PORT, MOUNT_PROGRAM, MOUNT_V3, MOUNTPROC3_MNT, enc_dirpath, &b,
		       (xdrproc_t)xdr_mountres3, &res);
	if (why) {
		printf("%s\n", why);
	} else if (res.fhs_status == MNT3_OK) {
		char *hex = hex_of(res.mountres3_u.mountinfo.fhandle.fhandle3_val,
				   res.mountres3_u.mountinfo.fhandle.fhandle3_len);

		printf("0 %s\n", hex);
		g_free(hex);
	} else {
		printf("%d\n", (int)res.fhs_status);
	}
	xdr_free((xdrproc_t)xdr_mountres3, (char *)&res);
	g_free(b.p);
	return 0;
}

static int cmd_getattr(const char *hex)
{
	nfs_fh3 fh = fh_of(hex);
	GETATTR3res res;
	const char *why;

	memset(&res, 0, sizeof(res));
	why = sec_call(SEC_NFS_PORT, NFS_PROGRAM, NFS_V3, NFSPROC3_GETATTR, enc_fh, &fh,
		       (xdrproc_t)xdr_GETATTR3res, &res);
	if (why)
		printf("%s\n", why);
	else if (res.status == NFS3_OK)
		printf("0 %u %u %" PRIu64 " %" PRIu64 "\n",
		       res.GETATTR3res_u.resok.obj_attributes.uid,
		       res.GETATTR3res_u.resok.obj_attributes.gid,
		       (uint64_t)res.GETATTR3res_u.resok.obj_attributes.fsid,
		       (uint64_t)res.GETATTR3res_u.resok.obj_attributes.fileid);
	else
		printf("%d\n", (int)res.status);
	xdr_free((xdrproc_t)xdr_GETATTR3res, (char *)&res);
	g_free(fh.data.data_val);
	return 0;
}

static int cmd_lookup(const char *hex, const char *name)
{
	struct dirop d = { .fh = fh_of(hex), .name = unescape(name) };
	LOOKUP3res res;
	const char *why;

	memset(&res, 0, sizeof(res));
	why = sec_call(SEC_NFS_PORT, NFS_PROGRAM, NFS_V3, NFSPROC3_LOOKUP, enc_dirop, &d,
		       (xdrproc_t)xdr_LOOKUP3res, &res);
	if (why) {
		printf("%s\n", why);
	} else if (res.status == NFS3_OK) {
		char *h = hex_of(res.LOOKUP3res_u.resok.object.data.data_val,
				 res.LOOKUP3res_u.resok.object.data.data_len);

		printf("0 %s\n", h);
		g_free(h);
	} else {
		printf("%d\n", (int)res.status);
	}
	xdr_free((xdrproc_t)xdr_LOOKUP3res, (char *)&res);
	g_free(d.fh.data.data_val);
	g_free(d.name.p);
	return 0;
}

static int cmd_create(const char *hex, const char *name)
{
	struct dirop d = { .fh = fh_of(hex), .name = unescape(name) };
	CREATE3res res;
	const char *why;

	memset(&res, 0, sizeof(res));
	why = sec_call(SEC_NFS_PORT, NFS_PROGRAM, NFS_V3, NFSPROC3_CREATE, enc_create, &d,
		       (xdrproc_t)xdr_CREATE3res, &res);
	if (why) {
		printf("%s\n", why);
	} else if (res.status == NFS3_OK) {
		post_op_attr *a = &res.CREATE3res_u.resok.obj_attributes;

		if (a->attributes_follow)
			printf("0 %u %u\n", a->post_op_attr_u.attributes.uid,
			       a->post_op_attr_u.attributes.gid);
		else
			printf("0\n");
	} else {
		printf("%d\n", (int)res.status);
	}
	xdr_free((xdrproc_t)xdr_CREATE3res, (char *)&res);
	g_free(d.fh.data.data_val);
	g_free(d.name.p);
	return 0;
}

static int cmd_remove(const char *hex, const char *name)
{
	struct dirop d = { .fh = fh_of(hex), .name = unescape(name) };
	REMOVE3res res;
	const char *why;

	memset(&res, 0, sizeof(res));
	why = sec_call(SEC_NFS_PORT, NFS_PROGRAM, NFS_V3, NFSPROC3_REMOVE, enc_dirop, &d,
		       (xdrproc_t)xdr_REMOVE3res, &res);
	if (why)
		printf("%s\n", why);
	else
		printf("%d\n", (int)res.status);
	xdr_free((xdrproc_t)xdr_REMOVE3res, (char *)&res);
	g_free(d.fh.data.data_val);
	g_free(d.name.p);
	return 0;
}

int main(int argc, char **argv)
{
	int c;

	while ((c = getopt(argc, argv, "b:p:u:g:G:Ns:")) != -1) {
		switch (c) {
		case 'b':
			opt.src = optarg;
			break;
		case 'p':
			opt.src_port = atoi(optarg);
			break;
		case 'u':
			opt.uid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'g':
			opt.gid = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'G': {
			gchar **v = g_strsplit(optarg, ",", -1);

			for (gchar **p = v; *p && opt.ngroups < G_N_ELEMENTS(opt.groups); p++)
				if (**p)
					opt.groups[opt.ngroups++] = (uint32_t)strtoul(*p, NULL, 10);
			g_strfreev(v);
			break;
		}
		case 'N':
			opt.auth_none = true;
			break;
		case 's':
			opt.server = optarg;
			break;
		default:
			die("usage: see the top of sec_rpc.c");
		}
	}
	argv += optind;
	argc -= optind;
	if (argc == 2 && !strcmp(argv[0], "mnt"))
		return cmd_mnt(argv[1]);
	if (argc == 2 && !strcmp(argv[0], "getattr"))
		return cmd_getattr(argv[1]);
	if (argc == 3 && !strcmp(argv[0], "lookup"))
		return cmd_lookup(argv[1], argv[2]);
	if (argc == 3 && !strcmp(argv[0], "create"))
		return cmd_create(argv[1], argv[2]);
	if (argc == 3 && !strcmp(argv[0], "remove"))
		return cmd_remove(argv[1], argv[2]);
	die("usage: see the top of sec_rpc.c");
}

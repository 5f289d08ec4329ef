/*
 * test_drc.c — the duplicate request cache on its own (keys, verdicts,
 * LRU and byte bounds, expiry on a fake clock, threads), then inside the
 * RPC service on loopback (a counting actor must run once however a call
 * is retransmitted: same TCP connection, a new one, UDP; a duplicate that
 * arrives while the first copy runs gets no reply), and the in-place
 * WRITE3args decoder (data points into the call, bad lengths fail).
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <errno.h>
#include <glib.h>
#include <poll.h>
#include <pthread.h>
#include <string.h>
#include <unistd.h>

#include "log.h"
#include "nfs3.h"
#include "rpc_drc.h"
#include "rpc_record.h"
#include "rpcsvc.h"
#include "cunit_main.h"

/* ------------------------------------------------------------------ */
/* The cache alone                                                     */

static int64_t fake_now;

static int64_t fake_clock(void)
{
	return fake_now;
}

static struct sockaddr_in v4(const char *ip, uint16_t port)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	inet_pton(AF_INET, ip, &sin.sin_addr);
	return sin;
}

/* A key for xid @xid from 10.0.0.1:@port with args "@args". */
static void mkkey(struct rpc_drc_key *k, uint32_t xid, uint16_t port, const char *args)
{
	struct sockaddr_in sin = v4("10.0.0.1", port);

	rpc_drc_key_init(k, xid, 100003, 3, 8, IPPROTO_TCP, 0, 0, (struct sockaddr *)&sin,
			 sizeof(sin), args, strlen(args));
}

static GBytes *bytes(const char *s)
{
	return g_bytes_new(s, strlen(s));
}

static enum rpc_drc_verdict look(struct rpc_drc *drc, const struct rpc_drc_key *k,
				 struct rpc_drc_entry **e, GBytes **reply)
{
	return rpc_drc_lookup(drc, k, e, reply);
}

/* Enter and complete @k with reply @text. */
static void complete(struct rpc_drc *drc, const struct rpc_drc_key *k, const char *text)
{
	struct rpc_drc_entry *e;
	GBytes *r, *b = bytes(text);

	CU_ASSERT_EQUAL_FATAL(look(drc, k, &e, &r), RPC_DRC_NEW);
	rpc_drc_finish(drc, e, b);
	g_bytes_unref(b);
}

/* Whether @k replays @text now (false: any other verdict or reply). */
static bool replays(struct rpc_drc *drc, const struct rpc_drc_key *k, const char *text)
{
	struct rpc_drc_entry *e;
	GBytes *r;
	bool ok;

	switch (look(drc, k, &e, &r)) {
	case RPC_DRC_REPLAY:
		ok = g_bytes_get_size(r) == strlen(text) &&
		     memcmp(g_bytes_get_data(r, NULL), text, strlen(text)) == 0;
		g_bytes_unref(r);
		return ok;
	case RPC_DRC_NEW:
		rpc_drc_abandon(drc, e);
		return false;
	default:
		return false;
	}
}

static void test_cache_verdicts(void)
{
	struct rpc_drc *drc = rpc_drc_new(NULL);
	struct rpc_drc_key k;
	struct rpc_drc_entry *e, *e2;
	struct rpc_drc_stats st;
	GBytes *r, *reply = bytes("the reply");

	mkkey(&k, 7, 800, "create foo");
	CU_ASSERT_EQUAL(look(drc, &k, &e, &r), RPC_DRC_NEW);
	CU_ASSERT_PTR_NOT_NULL(e);
	CU_ASSERT_PTR_NULL(r);
	/* While it runs a duplicate is dropped, however often. */
	CU_ASSERT_EQUAL(look(drc, &k, &e2, &r), RPC_DRC_IN_PROGRESS);
	CU_ASSERT_PTR_NULL(e2);
	CU_ASSERT_EQUAL(look(drc, &k, &e2, &r), RPC_DRC_IN_PROGRESS);
	rpc_drc_get_stats(drc, &st);
	CU_ASSERT_EQUAL(st.running, 1);
	CU_ASSERT_EQUAL(st.entries, 0);
	rpc_drc_finish(drc, e, reply);
	/* Then it replays the very bytes (a reference, not a copy). */
	CU_ASSERT_EQUAL(look(drc, &k, &e2, &r), RPC_DRC_REPLAY);
	CU_ASSERT_PTR_EQUAL(r, reply);
	g_bytes_unref(r);
	rpc_drc_get_stats(drc, &st);
	CU_ASSERT_EQUAL(st.misses, 1);
	CU_ASSERT_EQUAL(st.in_progress, 2);
	CU_ASSERT_EQUAL(st.replays, 1);
	CU_ASSERT_EQUAL(st.entries, 1);
	CU_ASSERT_EQUAL(st.running, 0);
	CU_ASSERT(st.bytes >= strlen("the reply"));
	g_bytes_unref(reply);
	rpc_drc_free(drc);
}

static void test_cache_keys(void)
{
	struct rpc_drc *drc = rpc_drc_new(NULL);
	struct rpc_drc_key k, o;
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_port = htons(800) };
	struct sockaddr_in other = v4("10.0.0.2", 800);
	const char *args = "create foo";

	mkkey(&k, 7, 800, args);
	complete(drc, &k, "R");
	/* The port counts: two clients behind one NAT share the address and
	 * may pick the same xid for different calls. */
	mkkey(&o, 7, 801, args);
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	/* So do the call's bytes, not only its first ones: the same length,
	 * a difference at the end of a long call (rpc_drc.h: its head and
	 * its tail are hashed), or in its head. */
	{
		char a1[4096], a2[4096];

		memset(a1, 'w', sizeof(a1) - 1);
		a1[sizeof(a1) - 1] = 0;
		memcpy(a2, a1, sizeof(a2));
		a2[sizeof(a2) - 2] = 'x';
		mkkey(&o, 9, 800, a1);
		complete(drc, &o, "W");
		mkkey(&o, 9, 800, a2);
		CU_ASSERT_FALSE(replays(drc, &o, "W"));
		memcpy(a2, a1, sizeof(a2));
		a2[100] = 'x';
		mkkey(&o, 9, 800, a2);
		CU_ASSERT_FALSE(replays(drc, &o, "W"));
		mkkey(&o, 9, 800, a1);
		CU_ASSERT(replays(drc, &o, "W"));
	}
	/* Nor does the form of the address: ::ffff:10.0.0.1 is 10.0.0.1. */
	inet_pton(AF_INET6, "::ffff:10.0.0.1", &sin6.sin6_addr);
	rpc_drc_key_init(&o, 7, 100003, 3, 8, IPPROTO_TCP, 0, 0, (struct sockaddr *)&sin6,
			 sizeof(sin6), args, strlen(args));
	CU_ASSERT(replays(drc, &o, "R"));
	/* Everything else does. */
	mkkey(&o, 8, 800, args);
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	mkkey(&o, 7, 800, "create bar");
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	mkkey(&o, 7, 800, "create foo2");
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	rpc_drc_key_init(&o, 7, 100003, 3, 8, IPPROTO_TCP, 0, 0, (struct sockaddr *)&other,
			 sizeof(other), args, strlen(args));
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	mkkey(&o, 7, 800, args);
	o.proc = 9;
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	mkkey(&o, 7, 800, args);
	o.vers = 2;
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	mkkey(&o, 7, 800, args);
	o.protocol = IPPROTO_UDP;
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	mkkey(&o, 7, 800, args);
	o.uid = 1000;
	CU_ASSERT_FALSE(replays(drc, &o, "R"));
	/* The original is still there. */
	CU_ASSERT(replays(drc, &k, "R"));
	rpc_drc_free(drc);
}

static void test_cache_abandon(void)
{
	struct rpc_drc *drc = rpc_drc_new(NULL);
	struct rpc_drc_key k;
	struct rpc_drc_entry *e;
	struct rpc_drc_stats st;
	GBytes *r;

	mkkey(&k, 1, 1, "x");
	CU_ASSERT_EQUAL_FATAL(look(drc, &k, &e, &r), RPC_DRC_NEW);
	rpc_drc_abandon(drc, e);
	/* Dropped without a reply: the retransmission runs. */
	CU_ASSERT_EQUAL_FATAL(look(drc, &k, &e, &r), RPC_DRC_NEW);
	rpc_drc_abandon(drc, e);
	rpc_drc_get_stats(drc, &st);
	CU_ASSERT_EQUAL(st.running, 0);
	CU_ASSERT_EQUAL(st.entries, 0);
	rpc_drc_free(drc);
}

static void test_cache_expiry(void)
{
	struct rpc_drc_config cfg = { .ttl_ms = 1000, .now_ms = fake_clock };
	struct rpc_drc *drc;
	struct rpc_drc_key a, b;
	struct rpc_drc_stats st;

	fake_now = 5000;
	drc = rpc_drc_new(&cfg);
	mkkey(&a, 1, 1, "a");
	mkkey(&b, 2, 1, "b");
	complete(drc, &a, "A");
	fake_now += 600;
	complete(drc, &b, "B");
	fake_now += 300;
	/* A is 900 ms old: still there, and its use makes it young again. */
	CU_ASSERT(replays(drc, &a, "A"));
	fake_now += 800;
	/* B is 1100 ms old, A 800 ms since its last use. */
	CU_ASSERT_FALSE(replays(drc, &b, "B"));
	CU_ASSERT(replays(drc, &a, "A"));
	fake_now += 1000;
	CU_ASSERT_FALSE(replays(drc, &a, "A"));
	rpc_drc_get_stats(drc, &st);
	CU_ASSERT_EQUAL(st.expired, 2);
	CU_ASSERT_EQUAL(st.entries, 0);
	CU_ASSERT_EQUAL(st.bytes, 0);
	rpc_drc_free(drc);
}

static void test_cache_lru_entries(void)
{
	struct rpc_drc_config cfg = { .max_entries = 3 };
	struct rpc_drc *drc = rpc_drc_new(&cfg);
	struct rpc_drc_key k[5];
	struct rpc_drc_stats st;

	for (int i = 0; i < 5; i++)
		mkkey(&k[i], 100 + i, 1, "args");
	complete(drc, &k[0], "0");
	complete(drc, &k[1], "1");
	complete(drc, &k[2], "2");
	/* Using 0 makes 1 the least recently used: the one to go. */
	CU_ASSERT(replays(drc, &k[0], "0"));
	complete(drc, &k[3], "3");
	rpc_drc_get_stats(drc, &st);
	CU_ASSERT_EQUAL(st.entries, 3);
	CU_ASSERT_EQUAL(st.evictions, 1);
	CU_ASSERT(replays(drc, &k[0], "0"));
	CU_ASSERT(replays(drc, &k[2], "2"));
	CU_ASSERT(replays(drc, &k[3], "3"));
	CU_ASSERT_FALSE(replays(drc, &k[1], "1"));
	rpc_drc_free(drc);
}

static void test_cache_bytes(void)
{
	/* Room for two 1000-byte replies with their overhead, not three. */
	struct rpc_drc_config cfg = { .max_bytes = 2600 };
	struct rpc_drc *drc = rpc_drc_new(&cfg);
	char big[1001], huge[4000];
	struct rpc_drc_key k[4];
	struct rpc_drc_stats st;

	memset(big, 'b', 1000);
	big[1000] = 0;
	memset(huge, 'h', sizeof(huge) - 1);
	huge[sizeof(huge) - 1] = 0;
	for (int i = 0; i < 4; i++)
		mkkey(&k[i], 200 + i, 1, "args");
	complete(drc, &k[0], big);
	complete(drc, &k[1], big);
	complete(drc, &k[2], big);
	rpc_drc_get_stats(drc, &st);
	CU_ASSERT_EQUAL(st.entries, 2);
	CU_ASSERT(st.bytes <= 2600);
	CU_ASSERT_FALSE(replays(drc, &k[0], big));
	CU_ASSERT(replays(drc, &k[1], big));
	CU_ASSERT(replays(drc, &k[2], big));
	/* A reply larger than the whole bound is not kept (nor kept others). */
	complete(drc, &k[3], huge);
	rpc_drc_get_stats(drc, &st);
	CU_ASSERT_EQUAL(st.entries, 0);
	CU_ASSERT_EQUAL(st.bytes, 0);
	CU_ASSERT_FALSE(replays(drc, &k[3], huge));
	rpc_drc_free(drc);
}

/* Threads race on the same 64 keys: each must be entered exactly once. */
#define RACE_THREADS 4
#define RACE_KEYS 64

static struct rpc_drc *race_drc;
static gint race_new[RACE_KEYS];

static gpointer race_thread(gpointer data)
{
	for (int round = 0; round < 200; round++) {
		for (int i = 0; i < RACE_KEYS; i++) {
			struct rpc_drc_key k;
			struct rpc_drc_entry *e;
			GBytes *r;
			char name[16];

			snprintf(name, sizeof(name), "n%d", i);
			mkkey(&k, 1000 + i, 1, name); /* one client: the same key */
			switch (rpc_drc_lookup(race_drc, &k, &e, &r)) {
			case RPC_DRC_NEW:
				g_atomic_int_inc(&race_new[i]);
				r = bytes(name);
				rpc_drc_finish(race_drc, e, r);
				g_bytes_unref(r);
				break;
			case RPC_DRC_REPLAY:
				g_bytes_unref(r);
				break;
			case RPC_DRC_IN_PROGRESS:
				break;
			}
		}
	}
	return NULL;
}

static void test_cache_threads(void)
{
	GThread *t[RACE_THREADS];
	struct rpc_drc_stats st;

	race_drc = rpc_drc_new(NULL);
	for (int i = 0; i < RACE_THREADS; i++)
		t[i] = g_thread_new("race", race_thread, GINT_TO_POINTER(i));
	for (int i = 0; i < RACE_THREADS; i++)
		g_thread_join(t[i]);
	for (int i = 0; i < RACE_KEYS; i++)
		CU_ASSERT_EQUAL(g_atomic_int_get(&race_new[i]), 1);
	rpc_drc_get_stats(race_drc, &st);
	CU_ASSERT_EQUAL(st.misses, RACE_KEYS);
	CU_ASSERT_EQUAL(st.replays + st.in_progress + st.misses,
			(uint64_t)RACE_THREADS * 200 * RACE_KEYS);
	rpc_drc_free(race_drc);
}

/* ------------------------------------------------------------------ */
/* Inside the service                                                  */

#define TPROG 0x20000077u

static gint count_runs, slow_runs, drop_runs, plain_runs;

/* COUNT (cached): the result is the number of runs so far plus the arg. */
static int t_count(struct rpcsvc_request *req, void *args, void *res)
{
	*(u_int *)res = (u_int)g_atomic_int_add(&count_runs, 1) + 1 + *(u_int *)args * 1000;
	return RPCSVC_OK;
}

/* PLAIN (not cached): the same, counted apart. */
static int t_plain(struct rpcsvc_request *req, void *args, void *res)
{
	*(u_int *)res = (u_int)g_atomic_int_add(&plain_runs, 1) + 1;
	return RPCSVC_OK;
}

/* SLOW (cached): 400 ms. */
static int t_slow(struct rpcsvc_request *req, void *args, void *res)
{
	g_usleep(400 * 1000);
	*(u_int *)res = (u_int)g_atomic_int_add(&slow_runs, 1) + 1;
	return RPCSVC_OK;
}

/* DROP (cached): answers nothing. */
static int t_drop(struct rpcsvc_request *req, void *args, void *res)
{
	g_atomic_int_inc(&drop_runs);
	return RPCSVC_DROP;
}

/* SUM: the sum of the bytes of an opaque<>. */
struct t_blob {
	u_int len;
	char *val;
};

static bool_t t_xdr_blob(XDR *xdr, struct t_blob *b)
{
	return xdr_bytes(xdr, &b->val, &b->len, 1u << 20);
}

static int t_sum(struct rpcsvc_request *req, void *args, void *res)
{
	const struct t_blob *b = args;
	uint32_t sum = 0;

	for (u_int i = 0; i < b->len; i++)
		sum += (uint8_t)b->val[i];
	*(u_int *)res = sum;
	return RPCSVC_OK;
}

/* WRITE: WRITE3args decoded in place; keeps a reference to the record
 * and says whether the data lay inside it, as the NFS WRITE actor
 * handing the data down the graph does. */
static struct xl_iobuf *write_kept;
static const char *write_ptr;
static bool write_inside;

static int t_write(struct rpcsvc_request *req, void *args, void *res)
{
	const WRITE3args *a = args;
	struct xl_iobuf *rec = rpcsvc_request_record(req);
	const char *lo = (const char *)rec->data + rpcsvc_request_args_offset(req);

	write_inside = a->data.data_val >= lo &&
		       a->data.data_val + a->data.data_len <= (const char *)rec->data + rec->size;
	write_kept = xl_iobuf_ref(rec);
	write_ptr = a->data.data_val;
	*(u_int *)res = a->data.data_len;
	return RPCSVC_OK;
}

#define T_ACTOR(NAME, FN, DRC)                                                                 \
	{ .name = NAME, .fn = FN, .xdr_args = (xdrproc_t)xdr_u_int,                             \
	  .xdr_res = (xdrproc_t)xdr_u_int, .args_size = sizeof(u_int),                          \
	  .res_size = sizeof(u_int), .drc = DRC }

static const struct rpcsvc_actor t_actors[] = {
	[0] = { .name = "NULL" },
	[1] = T_ACTOR("COUNT", t_count, true),
	[2] = T_ACTOR("PLAIN", t_plain, false),
	[3] = T_ACTOR("SLOW", t_slow, true),
	[4] = T_ACTOR("DROP", t_drop, true),
	[5] = { .name = "SUM", .fn = t_sum, .xdr_args = (xdrproc_t)t_xdr_blob,
		.xdr_res = (xdrproc_t)xdr_u_int, .args_size = sizeof(struct t_blob),
		.res_size = sizeof(u_int) },
	[6] = { .name = "WRITE", .fn = t_write, .xdr_args = (xdrproc_t)nfs3_xdr_WRITE3args_inplace,
		.xdr_res = (xdrproc_t)xdr_u_int, .args_size = sizeof(WRITE3args),
		.res_size = sizeof(u_int) },
};

static const struct rpcsvc_program t_prog = {
	.name = "DRCTEST", .prog = TPROG, .vers = 1, .port = 0,
	.actors = t_actors, .nactors = G_N_ELEMENTS(t_actors),
};

static struct rpcsvc *start_service(bool drc_off, uint16_t *port)
{
	struct rpcsvc_config cfg = {
		.listen = "127.0.0.1", .tcp = true, .udp = true, .threads = 4,
		.drain_ms = 2000, .drc_off = drc_off,
	};
	struct rpcsvc *svc = rpcsvc_new(&cfg);

	if (!svc)
		return NULL;
	if (rpcsvc_program_add(svc, &t_prog) < 0 || rpcsvc_start(svc) < 0) {
		rpcsvc_free(svc);
		return NULL;
	}
	*port = rpcsvc_port(svc, 0);
	return svc;
}

static void put(GByteArray *b, uint32_t v)
{
	uint32_t be = htonl(v);

	g_byte_array_append(b, (const guint8 *)&be, 4);
}

/* A call of @proc with AUTH_NONE and the u_int argument @arg. */
static GByteArray *call_msg(uint32_t xid, uint32_t proc, uint32_t arg)
{
	GByteArray *b = g_byte_array_new();

	put(b, xid);
	put(b, 0); /* CALL */
	put(b, 2);
	put(b, TPROG);
	put(b, 1);
	put(b, proc);
	put(b, 0); /* cred AUTH_NONE */
	put(b, 0);
	put(b, 0); /* verf AUTH_NONE */
	put(b, 0);
	put(b, arg);
	return b;
}

static int tcp_connect(uint16_t port)
{
	struct sockaddr_in sin = v4("127.0.0.1", port);
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

/* A connection to @port from 127.0.0.1:@src (SO_REUSEADDR, so the same
 * source port can connect again right after an abortive close), or -1. */
static int tcp_connect_from(uint16_t port, uint16_t src)
{
	struct sockaddr_in sin = v4("127.0.0.1", port), me = v4("127.0.0.1", src);
	int fd = socket(AF_INET, SOCK_STREAM, 0), one = 1;

	if (fd < 0)
		return -1;
	setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one));
	if (bind(fd, (struct sockaddr *)&me, sizeof(me)) < 0 ||
	    connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* A connection to @port from a source port below the ephemeral range
 * (its number in *@src), which no other program's connect() can take
 * while this test reconnects from it; -1 if none of 200 was free. */
static int tcp_connect_fixed(uint16_t port, uint16_t *src)
{
	for (unsigned i = 0; i < 200; i++) {
		uint16_t p = (uint16_t)(20000 + ((unsigned)getpid() * 7 + i * 37) % 10000);
		int fd = tcp_connect_from(port, p);

		if (fd >= 0) {
			*src = p;
			return fd;
		}
	}
	return -1;
}

static int udp_socket(uint16_t port)
{
	struct sockaddr_in sin = v4("127.0.0.1", port);
	int fd = socket(AF_INET, SOCK_DGRAM, 0);

	if (fd >= 0 && connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		fd = -1;
	}
	return fd;
}

static bool tcp_send(int fd, const GByteArray *msg)
{
	uint8_t mark[4];
	uint32_t v = htonl(0x80000000u | msg->len);

	memcpy(mark, &v, 4);
	return send(fd, mark, 4, MSG_NOSIGNAL) == 4 &&
	       send(fd, msg->data, msg->len, MSG_NOSIGNAL) == (ssize_t)msg->len;
}

/* Wait up to @ms for @fd to be readable. */
static bool readable(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, ms) == 1;
}

static bool recv_all(int fd, void *buf, size_t len)
{
	size_t got = 0;

	while (got < len) {
		ssize_t n;

		if (!readable(fd, 5000))
			return false;
		n = recv(fd, (uint8_t *)buf + got, len - got, 0);
		if (n <= 0)
			return false;
		got += n;
	}
	return true;
}

/* One record's body, or NULL. */
static GByteArray *tcp_recv(int fd)
{
	uint32_t mark;
	size_t len;
	GByteArray *b;

	if (!recv_all(fd, &mark, 4))
		return NULL;
	len = ntohl(mark) & 0x7fffffffu;
	b = g_byte_array_sized_new(len);
	g_byte_array_set_size(b, len);
	if (!recv_all(fd, b->data, len)) {
		g_byte_array_unref(b);
		return NULL;
	}
	return b;
}

static GByteArray *udp_recv(int fd)
{
	GByteArray *b = g_byte_array_sized_new(2048);
	ssize_t n;

	g_byte_array_set_size(b, 2048);
	if (!readable(fd, 5000) || (n = recv(fd, b->data, b->len, 0)) < 0) {
		g_byte_array_unref(b);
		return NULL;
	}
	g_byte_array_set_size(b, n);
	return b;
}

static bool same(const GByteArray *a, const GByteArray *b)
{
	return a && b && a->len == b->len && memcmp(a->data, b->data, a->len) == 0;
}

/* The u_int result of an accepted, successful reply (word 6). */
static uint32_t result(const GByteArray *r)
{
	uint32_t v;

	if (!r || r->len < 28)
		return UINT32_MAX;
	memcpy(&v, r->data + 24, 4);
	return ntohl(v);
}

/* TCP call of @proc, @xid on @fd: its reply (NULL on none). */
static GByteArray *tcp_call(int fd, uint32_t xid, uint32_t proc, uint32_t arg)
{
	GByteArray *m = call_msg(xid, proc, arg);
	GByteArray *r = tcp_send(fd, m) ? tcp_recv(fd) : NULL;

	g_byte_array_unref(m);
	return r;
}

static void test_svc_tcp(void)
{
	uint16_t port;
	struct rpcsvc *svc = start_service(false, &port);
	GByteArray *r1, *r2, *r3, *r4;
	uint16_t src = 0;
	int fd, fd2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
	g_atomic_int_set(&count_runs, 0);
	fd = tcp_connect_fixed(port, &src);
	CU_ASSERT_FATAL(fd >= 0);
	r1 = tcp_call(fd, 0x1111, 1, 5);
	CU_ASSERT_EQUAL(result(r1), 5001);
	/* The same xid again on the same connection: the same bytes, no run. */
	r2 = tcp_call(fd, 0x1111, 1, 5);
	CU_ASSERT(same(r1, r2));
	CU_ASSERT_EQUAL(g_atomic_int_get(&count_runs), 1);
	/* After a reconnect from the same source port (the Linux client
	 * keeps its port for that reason): still the original reply. */
	{
		struct linger lg = { .l_onoff = 1, .l_linger = 0 };

		setsockopt(fd, SOL_SOCKET, SO_LINGER, &lg, sizeof(lg)); /* no TIME_WAIT */
		close(fd);
		fd2 = tcp_connect_from(port, src);
		CU_ASSERT_FATAL(fd2 >= 0);
	}
	r3 = tcp_call(fd2, 0x1111, 1, 5);
	CU_ASSERT(same(r1, r3));
	CU_ASSERT_EQUAL(g_atomic_int_get(&count_runs), 1);
	/* Another client behind the same address (another port) with the
	 * same xid and call: its own run, not the other's reply. */
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	r4 = tcp_call(fd, 0x1111, 1, 5);
	CU_ASSERT_EQUAL(result(r4), 5002);
	CU_ASSERT_EQUAL(g_atomic_int_get(&count_runs), 2);
	g_byte_array_unref(r4);
	close(fd);
	/* A new xid, or the same xid with other arguments, runs. */
	r4 = tcp_call(fd2, 0x1112, 1, 5);
	CU_ASSERT_EQUAL(result(r4), 5003);
	g_byte_array_unref(r4);
	r4 = tcp_call(fd2, 0x1111, 1, 6);
	CU_ASSERT_EQUAL(result(r4), 6004);
	CU_ASSERT_EQUAL(g_atomic_int_get(&count_runs), 4);
	close(fd2);
	g_byte_array_unref(r1);
	g_byte_array_unref(r2);
	g_byte_array_unref(r3);
	g_byte_array_unref(r4);
	rpcsvc_dump(svc);
	rpcsvc_free(svc);
}

static void test_svc_udp(void)
{
	uint16_t port;
	struct rpcsvc *svc = start_service(false, &port);
	GByteArray *m, *r1, *r2;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
	g_atomic_int_set(&count_runs, 0);
	fd = udp_socket(port);
	CU_ASSERT_FATAL(fd >= 0);
	m = call_msg(0x2222, 1, 7);
	CU_ASSERT(send(fd, m->data, m->len, 0) == (ssize_t)m->len);
	r1 = udp_recv(fd);
	CU_ASSERT_EQUAL(result(r1), 7001);
	CU_ASSERT(send(fd, m->data, m->len, 0) == (ssize_t)m->len);
	r2 = udp_recv(fd);
	CU_ASSERT(same(r1, r2));
	CU_ASSERT_EQUAL(g_atomic_int_get(&count_runs), 1);
	close(fd);
	/* From another socket (another port: another client behind the same
	 * address): its own run. */
	fd = udp_socket(port);
	CU_ASSERT(send(fd, m->data, m->len, 0) == (ssize_t)m->len);
	g_byte_array_unref(r2);
	r2 = udp_recv(fd);
	CU_ASSERT_EQUAL(result(r2), 7002);
	CU_ASSERT_EQUAL(g_atomic_int_get(&count_runs), 2);
	close(fd);
	g_byte_array_unref(m);
	g_byte_array_unref(r1);
	g_byte_array_unref(r2);
	rpcsvc_free(svc);
}

static void test_svc_in_progress(void)
{
	uint16_t port;
	struct rpcsvc *svc = start_service(false, &port);
	GByteArray *m, *r1, *r3;
	int fd1, fd2;

	CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
	g_atomic_int_set(&slow_runs, 0);
	fd1 = tcp_connect(port);
	fd2 = fd1;
	CU_ASSERT_FATAL(fd1 >= 0);
	m = call_msg(0x3333, 3, 0);
	CU_ASSERT(tcp_send(fd1, m));
	g_usleep(100 * 1000);
	/* The duplicate arrives (on the same connection: calls of one
	 * connection run in parallel) while the first copy runs: no reply
	 * to it. */
	CU_ASSERT(tcp_send(fd2, m));
	r1 = tcp_recv(fd1);
	CU_ASSERT_EQUAL(result(r1), 1);
	CU_ASSERT_FALSE(readable(fd2, 300));
	/* Retried once the first finished: the stored reply. */
	CU_ASSERT(tcp_send(fd2, m));
	r3 = tcp_recv(fd2);
	CU_ASSERT(same(r1, r3));
	CU_ASSERT_EQUAL(g_atomic_int_get(&slow_runs), 1);
	close(fd1);
	g_byte_array_unref(m);
	g_byte_array_unref(r1);
	g_byte_array_unref(r3);
	rpcsvc_free(svc);
}

static void test_svc_uncached(void)
{
	uint16_t port;
	struct rpcsvc *svc = start_service(false, &port);
	struct rpcsvc *off;
	GByteArray *r1, *r2;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	/* An idempotent procedure runs each time. */
	g_atomic_int_set(&plain_runs, 0);
	r1 = tcp_call(fd, 0x4444, 2, 0);
	r2 = tcp_call(fd, 0x4444, 2, 0);
	CU_ASSERT_EQUAL(result(r1), 1);
	CU_ASSERT_EQUAL(result(r2), 2);
	g_byte_array_unref(r1);
	g_byte_array_unref(r2);
	/* A dropped call is not remembered: its retransmission runs. */
	g_atomic_int_set(&drop_runs, 0);
	{
		GByteArray *m = call_msg(0x5555, 4, 0);

		CU_ASSERT(tcp_send(fd, m));
		CU_ASSERT_FALSE(readable(fd, 200));
		CU_ASSERT(tcp_send(fd, m));
		CU_ASSERT_FALSE(readable(fd, 200));
		g_byte_array_unref(m);
	}
	CU_ASSERT_EQUAL(g_atomic_int_get(&drop_runs), 2);
	close(fd);
	rpcsvc_free(svc);

	/* drc_off: a cached procedure runs every time. */
	off = start_service(true, &port);
	CU_ASSERT_PTR_NOT_NULL_FATAL(off);
	g_atomic_int_set(&count_runs, 0);
	fd = tcp_connect(port);
	r1 = tcp_call(fd, 0x6666, 1, 0);
	r2 = tcp_call(fd, 0x6666, 1, 0);
	CU_ASSERT_EQUAL(result(r1), 1);
	CU_ASSERT_EQUAL(result(r2), 2);
	g_byte_array_unref(r1);
	g_byte_array_unref(r2);
	close(fd);
	rpcsvc_free(off);
}

/* ------------------------------------------------------------------ */
/* WRITE data received straight into the record (rpc_record_body_*)    */

/* Receive @len body bytes of pattern (offset @from) through body_room/
 * body_commit in pieces of at most @piece; the record if one completed. */
static struct xl_iobuf *direct_fill(struct rpc_record *r, size_t from, size_t len, size_t piece,
				    size_t *rec_len)
{
	struct xl_iobuf *rec = NULL;
	uint8_t *dst;

	while (len > 0) {
		size_t room = rpc_record_body_room(r, &dst);
		size_t n;

		CU_ASSERT_FATAL(room > 0);
		/* Never beyond what the fragment still announces, never beyond
		 * the buffer. */
		CU_ASSERT(room <= r->frag_left && r->len + room <= r->cap);
		n = MIN(MIN(room, piece), len);
		for (size_t i = 0; i < n; i++)
			dst[i] = (uint8_t)((from + i) * 7);
		rpc_record_body_commit(r, n, &rec, rec_len);
		from += n;
		len -= n;
		CU_ASSERT(len == 0 || rec == NULL);
	}
	return rec;
}

static void test_record_direct(void)
{
	struct rpc_record r;
	size_t total = 300000, rec_len, ok = 0;
	uint8_t hdr[4], first[100], *dst;
	struct xl_iobuf *rec;

	rpc_record_init(&r, 1 << 20);
	/* Nothing is due before a header. */
	CU_ASSERT_EQUAL(rpc_record_body_room(&r, &dst), 0);
	/* Two fragments: 100 000 then 200 000 bytes, the first 100 fed. */
	rpc_record_mark(hdr, 100000);
	hdr[0] &= 0x7f; /* not the last */
	CU_ASSERT_EQUAL(rpc_record_feed(&r, hdr, 4, &rec, &rec_len), 4);
	for (size_t i = 0; i < sizeof(first); i++)
		first[i] = (uint8_t)(i * 7);
	CU_ASSERT_EQUAL(rpc_record_feed(&r, first, sizeof(first), &rec, &rec_len), 100);
	CU_ASSERT_PTR_NULL(direct_fill(&r, 100, 100000 - 100, 50000, &rec_len));
	/* The first fragment is complete: a header is due. */
	CU_ASSERT_EQUAL(rpc_record_body_room(&r, &dst), 0);
	rpc_record_mark(hdr, 200000);
	CU_ASSERT_EQUAL(rpc_record_feed(&r, hdr, 4, &rec, &rec_len), 4);
	rec = direct_fill(&r, 100000, 200000, 1 << 20, &rec_len);
	CU_ASSERT_PTR_NOT_NULL_FATAL(rec);
	CU_ASSERT_EQUAL(rec_len, total);
	for (size_t i = 0; i < total; i++)
		ok += rec->data[i] == (uint8_t)(i * 7);
	CU_ASSERT_EQUAL(ok, total);
	xl_iobuf_unref(rec);
	/* The machine starts over. */
	CU_ASSERT_EQUAL(rpc_record_body_room(&r, &dst), 0);
	rpc_record_fini(&r);
}

/* A large WRITE-like call through the service: the record arrives in
 * pieces, mostly received in place; the actor sees every byte. */
static void test_svc_big_record(void)
{
	uint16_t port;
	struct rpcsvc *svc = start_service(false, &port);
	GByteArray *m, *r;
	uint32_t sum = 0, len = 700001;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	m = call_msg(0x7777, 5, len); /* SUM: the length word, then the bytes */
	for (uint32_t i = 0; i < len; i++) {
		uint8_t c = (uint8_t)(i * 13 + i / 251);

		g_byte_array_append(m, &c, 1);
		sum += c;
	}
	g_byte_array_append(m, (const guint8 *)"\0\0\0", 3); /* XDR padding */
	CU_ASSERT(tcp_send(fd, m));
	r = tcp_recv(fd);
	CU_ASSERT_EQUAL(result(r), sum);
	g_byte_array_unref(r);
	/* Received in place: at most the first read (64 KiB) went through a
	 * read buffer; the rest landed in the record itself. */
	{
		struct rpcsvc_counters c;

		rpcsvc_get_counters(svc, &c);
		CU_ASSERT(c.rx_copied <= (64u << 10) + 100);
		CU_ASSERT(c.rx_direct >= len - (64u << 10));
	}
	/* And the next call on the stream is framed right after it. */
	g_atomic_int_set(&count_runs, 0);
	r = tcp_call(fd, 0x7778, 1, 1);
	CU_ASSERT_EQUAL(result(r), 1001);
	g_byte_array_unref(r);
	g_byte_array_unref(m);
	close(fd);
	rpcsvc_free(svc);
}

/* ------------------------------------------------------------------ */
/* WRITE3args in place                                                 */

/* Encode a WRITE3args with @len data bytes into an aligned buffer. */
static size_t encode_write(uint32_t *buf, size_t size, u_int len)
{
	char fh[8] = "handle!";
	char *data = g_malloc(len + 1);
	WRITE3args a = { .offset = 4096, .count = len, .stable = FILE_SYNC };
	XDR x;
	size_t n;

	for (u_int i = 0; i < len; i++)
		data[i] = (char)('a' + i % 26);
	a.file.data.data_len = sizeof(fh);
	a.file.data.data_val = fh;
	a.data.data_len = len;
	a.data.data_val = data;
	xdrmem_create(&x, (char *)buf, size, XDR_ENCODE);
	CU_ASSERT_FATAL(xdr_WRITE3args(&x, &a));
	n = xdr_getpos(&x);
	xdr_destroy(&x);
	g_free(data);
	return n;
}

static bool decode_write(uint32_t *buf, size_t len, WRITE3args *a)
{
	XDR x;
	bool ok;

	memset(a, 0, sizeof(*a));
	xdrmem_create(&x, (char *)buf, len, XDR_DECODE);
	ok = nfs3_xdr_WRITE3args_inplace(&x, a);
	xdr_destroy(&x);
	return ok;
}

static void test_write_inplace(void)
{
	uint32_t buf[1024];
	size_t n = encode_write(buf, sizeof(buf), 1001);
	const char *lo = (const char *)buf, *hi = lo + n;
	WRITE3args a;

	CU_ASSERT_EQUAL(n % 4, 0);
	CU_ASSERT_FATAL(decode_write(buf, n, &a));
	CU_ASSERT_EQUAL(a.offset, 4096);
	CU_ASSERT_EQUAL(a.count, 1001);
	CU_ASSERT_EQUAL(a.stable, FILE_SYNC);
	CU_ASSERT_EQUAL(a.file.data.data_len, 8);
	CU_ASSERT_EQUAL(memcmp(a.file.data.data_val, "handle!", 8), 0);
	/* The data is the call's own bytes, where they were received. */
	CU_ASSERT_EQUAL(a.data.data_len, 1001);
	CU_ASSERT(a.data.data_val >= lo && a.data.data_val + 1001 <= hi);
	CU_ASSERT_PTR_EQUAL(a.data.data_val, hi - 1004);
	CU_ASSERT_EQUAL(memcmp(a.data.data_val, "abcdefghij", 10), 0);
	CU_ASSERT_EQUAL(a.data.data_val[1000], 'a' + 1000 % 26);
	/* Freeing releases the handle and leaves the data alone (ASan would
	 * report freeing a stack address). */
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
	CU_ASSERT_PTR_NULL(a.data.data_val);
	CU_ASSERT_PTR_NULL(a.file.data.data_val);

	/* Empty data is fine. */
	n = encode_write(buf, sizeof(buf), 0);
	CU_ASSERT_FATAL(decode_write(buf, n, &a));
	CU_ASSERT_EQUAL(a.data.data_len, 0);
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
}

/* Through the service: the WRITE actor's data points into the record
 * buffer, which it may keep (a reference) after the call. */
static void test_svc_write_record(void)
{
	uint16_t port;
	struct rpcsvc *svc = start_service(false, &port);
	const u_int len = 200000;
	uint32_t *args = g_malloc(len + 1024);
	size_t n = encode_write(args, len + 1024, len);
	GByteArray *m = call_msg(0x9999, 6, 0), *r;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(svc);
	g_byte_array_set_size(m, m->len - 4); /* call_msg's u_int argument */
	g_byte_array_append(m, (const guint8 *)args, n);
	fd = tcp_connect(port);
	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT(tcp_send(fd, m));
	r = tcp_recv(fd);
	CU_ASSERT_EQUAL(result(r), len);
	CU_ASSERT(write_inside);
	CU_ASSERT_PTR_NOT_NULL_FATAL(write_kept);
	/* The bytes outlive the call through the reference. */
	CU_ASSERT_EQUAL(memcmp(write_ptr, "abcdefghij", 10), 0);
	CU_ASSERT_EQUAL(write_ptr[len - 1], 'a' + (len - 1) % 26);
	xl_iobuf_unref(write_kept);
	write_kept = NULL;
	g_byte_array_unref(r);
	g_byte_array_unref(m);
	g_free(args);
	close(fd);
	rpcsvc_free(svc);
}

static void test_write_bad_lengths(void)
{
	uint32_t buf[1024];
	size_t n = encode_write(buf, sizeof(buf), 1001);
	size_t lenword = n / 4 - 1001 / 4 - 2; /* the word before the data */
	WRITE3args a;

	CU_ASSERT_EQUAL(ntohl(buf[lenword]), 1001);
	/* Truncated: the data, or only its padding, cut short. */
	CU_ASSERT_FALSE(decode_write(buf, n - 4, &a));
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
	CU_ASSERT_FALSE(decode_write(buf, n - 500, &a));
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
	/* A length beyond the message, and lengths that would wrap. */
	buf[lenword] = htonl(1005);
	CU_ASSERT_FALSE(decode_write(buf, n, &a));
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
	buf[lenword] = htonl(UINT32_MAX);
	CU_ASSERT_FALSE(decode_write(buf, n, &a));
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
	buf[lenword] = htonl(UINT32_MAX - 2);
	CU_ASSERT_FALSE(decode_write(buf, n, &a));
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
	/* Back to the truth, it decodes. */
	buf[lenword] = htonl(1001);
	CU_ASSERT_TRUE(decode_write(buf, n, &a));
	xdr_free((xdrproc_t)nfs3_xdr_WRITE3args_inplace, (char *)&a);
}

int main(void)
{
	CU_pSuite s;

	xl_log_set_level(getenv("TEST_DEBUG") ? XL_LOG_DEBUG : XL_LOG_ERROR);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("drc", NULL, NULL);
	CU_add_test(s, "verdicts: new, in progress, replay", test_cache_verdicts);
	CU_add_test(s, "what the key holds", test_cache_keys);
	CU_add_test(s, "abandoned calls run again", test_cache_abandon);
	CU_add_test(s, "expiry after last use", test_cache_expiry);
	CU_add_test(s, "LRU bound on entries", test_cache_lru_entries);
	CU_add_test(s, "bound on bytes", test_cache_bytes);
	CU_add_test(s, "threads enter each call once", test_cache_threads);
	CU_add_test(s, "service: TCP, same and new connection", test_svc_tcp);
	CU_add_test(s, "service: UDP", test_svc_udp);
	CU_add_test(s, "service: duplicate while running", test_svc_in_progress);
	CU_add_test(s, "service: uncached, dropped, drc_off", test_svc_uncached);
	CU_add_test(s, "record body received in place", test_record_direct);
	CU_add_test(s, "service: a large record", test_svc_big_record);
	CU_add_test(s, "WRITE3args decoded in place", test_write_inplace);
	CU_add_test(s, "WRITE3args bad lengths", test_write_bad_lengths);
	CU_add_test(s, "service: WRITE data inside the record buffer", test_svc_write_record);
	return cunit_run();
}

/*
 * test_rpcsvc.c — the RPC service end to end on loopback (no rpcbind, an
 * ephemeral port): libtirpc clients over TCP and UDP, and raw bytes for
 * what a well-behaved client never sends (multi-fragment records, bad
 * versions, garbage framing), checking each reply on the wire.
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
#include "rpcsvc.h"
#include "cunit_main.h"

#define TPROG 0x20000099u

static struct rpcsvc *svc;
static uint16_t port;

/* What the last ECHO saw (the actor runs on a worker thread). */
static pthread_mutex_t seen_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	struct xl_cred cred;
	struct sockaddr_storage client;
	socklen_t client_len;
} seen_call;
static uint32_t seen_flavor;
static int seen_protocol;
static char seen_machine[256];
static gint payload_released;

/* libtirpc declares xdr_void(void); a typed stand-in avoids the cast. */
static bool_t t_xdr_void(XDR *xdr, void *p)
{
	return TRUE;
}

static int t_null(struct rpcsvc_request *req, void *args, void *res)
{
	return RPCSVC_OK;
}

static int t_echo(struct rpcsvc_request *req, void *args, void *res)
{
	pthread_mutex_lock(&seen_lock);
	seen_call.cred = req->cred;
	seen_call.client = req->client;
	seen_call.client_len = req->client_len;
	seen_flavor = req->flavor;
	seen_protocol = req->protocol;
	g_strlcpy(seen_machine, req->machine, sizeof(seen_machine));
	pthread_mutex_unlock(&seen_lock);
	*(u_int *)res = *(u_int *)args + 1;
	return RPCSVC_OK;
}

static void t_release(struct xl_iobuf *iob)
{
	g_atomic_int_inc(&payload_released);
	g_free(iob->data);
	xl_iobuf_free_shell(iob);
}

/* Result: the payload's length word; the payload follows it. */
static int t_payload(struct rpcsvc_request *req, void *args, void *res)
{
	*(u_int *)res = 5;
	char *hello = g_strdup("hello");
	struct xl_iobuf *iob = xl_iobuf_wrap(hello, 5, t_release, NULL);

	rpcsvc_request_set_payload(req, iob, hello, 5);
	return RPCSVC_OK;
}

static int t_syserr(struct rpcsvc_request *req, void *args, void *res)
{
	return RPCSVC_SYSTEM_ERR;
}

static int t_garbage(struct rpcsvc_request *req, void *args, void *res)
{
	return RPCSVC_GARBAGE;
}

/* SLOW: sleeps 300 ms, counting starts and finishes. */
static gint slow_started, slow_finished;

static int t_slow(struct rpcsvc_request *req, void *args, void *res)
{
	g_atomic_int_inc(&slow_started);
	g_usleep(300 * 1000);
	g_atomic_int_inc(&slow_finished);
	return RPCSVC_OK;
}

/* BIG: a result of T_BIG_WORDS words (0, 1, 2, ...), larger than the
 * reply's stack buffer; the argument says what size hint the actor gives:
 * 0 none, 1 exact, 2 too short, 3 twice too large. t_xdr_big counts its
 * encoding passes. */
#define T_BIG_WORDS 3000
static gint big_encodes;

static bool_t t_xdr_big(XDR *xdr, u_int *words)
{
	if (xdr->x_op == XDR_ENCODE)
		g_atomic_int_inc(&big_encodes);
	for (u_int i = 0; i < T_BIG_WORDS; i++)
		if (!xdr_u_int(xdr, &words[i]))
			return FALSE;
	return TRUE;
}

static int t_big(struct rpcsvc_request *req, void *args, void *res)
{
	static const size_t hints[] = { 0, 4 * T_BIG_WORDS, 4 * T_BIG_WORDS - 4,
					8 * T_BIG_WORDS };
	u_int *words = res;

	for (u_int i = 0; i < T_BIG_WORDS; i++)
		words[i] = i;
	req->res_size_hint = hints[*(u_int *)args & 3];
	return RPCSVC_OK;
}

static const struct rpcsvc_actor t_actors[] = {
	[0] = { .name = "NULL", .fn = t_null },
	[1] = { .name = "ECHO", .fn = t_echo, .xdr_args = (xdrproc_t)xdr_u_int,
		.xdr_res = (xdrproc_t)xdr_u_int, .args_size = sizeof(u_int),
		.res_size = sizeof(u_int) },
	[2] = { .name = "ABSENT" },
	[3] = { .name = "PAYLOAD", .fn = t_payload, .xdr_res = (xdrproc_t)xdr_u_int,
		.res_size = sizeof(u_int) },
	[4] = { .name = "SYSERR", .fn = t_syserr },
	[5] = { .name = "GARBAGE", .fn = t_garbage },
	[6] = { .name = "SLOW", .fn = t_slow },
	[7] = { .name = "BIG", .fn = t_big, .xdr_args = (xdrproc_t)xdr_u_int,
		.xdr_res = (xdrproc_t)t_xdr_big, .args_size = sizeof(u_int),
		.res_size = sizeof(u_int) * T_BIG_WORDS },
};

static const struct rpcsvc_program t_prog1 = {
	.name = "TEST1", .prog = TPROG, .vers = 1, .port = 0,
	.actors = t_actors, .nactors = G_N_ELEMENTS(t_actors),
};
static const struct rpcsvc_program t_prog3 = {
	.name = "TEST3", .prog = TPROG, .vers = 3, .port = 0,
	.actors = t_actors, .nactors = 1,
};

static int suite_init(void)
{
	struct rpcsvc_config cfg = {
		.listen = "127.0.0.1", .tcp = true, .udp = true, .threads = 3,
		.max_record = 64 * 1024, .register_rpcbind = false, .drain_ms = 2000,
		.max_connections = 16,
	};

	xl_log_set_level(getenv("TEST_DEBUG") ? XL_LOG_DEBUG : XL_LOG_ERROR);
	svc = rpcsvc_new(&cfg);
	if (!svc)
		return -1;
	if (rpcsvc_program_add(svc, &t_prog1) || rpcsvc_program_add(svc, &t_prog3))
		return -1;
	if (rpcsvc_program_add(svc, &t_prog1) != -EEXIST)
		return -1;
	if (rpcsvc_start(svc) < 0)
		return -1;
	port = rpcsvc_port(svc, 0);
	return port ? 0 : -1;
}

static int suite_fini(void)
{
	rpcsvc_dump(svc);
	rpcsvc_stop(svc);
	rpcsvc_stop(svc); /* idempotent */
	rpcsvc_free(svc);
	return 0;
}

static struct sockaddr_in server_addr(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET, .sin_port = htons(port) };

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	return sin;
}

static CLIENT *client(bool tcp, uint32_t vers)
{
	struct sockaddr_in sin = server_addr();
	struct timeval wait = { .tv_sec = 1 };
	int sock = RPC_ANYSOCK;

	if (tcp)
		return clnttcp_create(&sin, TPROG, vers, &sock, 0, 0);
	return clntudp_create(&sin, TPROG, vers, wait, &sock);
}

static const struct timeval timeout = { .tv_sec = 5 };

static void check_client(bool tcp)
{
	CLIENT *cl = client(tcp, 1);
	struct rpc_err err;
	u_int in = 41, out = 0;
	gid_t gids[2] = { 7, 8 };

	CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
	CU_ASSERT_EQUAL(clnt_call(cl, 0, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
				  timeout),
			RPC_SUCCESS);
	CU_ASSERT_EQUAL(clnt_call(cl, 1, (xdrproc_t)xdr_u_int, (char *)&in, (xdrproc_t)xdr_u_int,
				  (char *)&out, timeout),
			RPC_SUCCESS);
	CU_ASSERT_EQUAL(out, 42);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_EQUAL(seen_flavor, AUTH_NONE);
	CU_ASSERT_EQUAL(seen_call.cred.uid, 65534);
	CU_ASSERT_EQUAL(seen_call.cred.gid, 65534);
	CU_ASSERT_EQUAL(seen_call.cred.ngroups, 0);
	CU_ASSERT_EQUAL(seen_protocol, tcp ? IPPROTO_TCP : IPPROTO_UDP);
	CU_ASSERT_EQUAL(seen_call.client.ss_family, AF_INET);
	CU_ASSERT_EQUAL(((struct sockaddr_in *)&seen_call.client)->sin_addr.s_addr,
			htonl(INADDR_LOOPBACK));
	pthread_mutex_unlock(&seen_lock);

	/* AUTH_SYS credentials reach the actor as sent. */
	auth_destroy(cl->cl_auth);
	cl->cl_auth = authunix_create("tester", 1234, 5678, 2, gids);
	CU_ASSERT_EQUAL(clnt_call(cl, 1, (xdrproc_t)xdr_u_int, (char *)&in, (xdrproc_t)xdr_u_int,
				  (char *)&out, timeout),
			RPC_SUCCESS);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_EQUAL(seen_flavor, AUTH_SYS);
	CU_ASSERT_EQUAL(seen_call.cred.uid, 1234);
	CU_ASSERT_EQUAL(seen_call.cred.gid, 5678);
	CU_ASSERT_EQUAL(seen_call.cred.ngroups, 2);
	CU_ASSERT_EQUAL(seen_call.cred.groups[1], 8);
	CU_ASSERT_STRING_EQUAL(seen_machine, "tester");
	pthread_mutex_unlock(&seen_lock);

	/* Each rejection, as the client library understands it. */
	CU_ASSERT_EQUAL(clnt_call(cl, 2, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
				  timeout),
			RPC_PROCUNAVAIL);
	CU_ASSERT_EQUAL(clnt_call(cl, 99, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
				  timeout),
			RPC_PROCUNAVAIL);
	/* ECHO without its argument. */
	CU_ASSERT_EQUAL(clnt_call(cl, 1, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)xdr_u_int,
				  (char *)&out, timeout),
			RPC_CANTDECODEARGS);
	CU_ASSERT_EQUAL(clnt_call(cl, 4, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
				  timeout),
			RPC_SYSTEMERROR);
	CU_ASSERT_EQUAL(clnt_call(cl, 5, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
				  timeout),
			RPC_CANTDECODEARGS);
	auth_destroy(cl->cl_auth);
	clnt_destroy(cl);

	/* Version 2 is not there: PROG_MISMATCH with 1..3. */
	cl = client(tcp, 2);
	CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
	CU_ASSERT_EQUAL(clnt_call(cl, 0, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
				  timeout),
			RPC_PROGVERSMISMATCH);
	clnt_geterr(cl, &err);
	CU_ASSERT_EQUAL(err.re_vers.low, 1);
	CU_ASSERT_EQUAL(err.re_vers.high, 3);
	clnt_destroy(cl);
}

static void test_tcp_client(void)
{
	check_client(true);
}

static void test_udp_client(void)
{
	check_client(false);
}

static void test_unknown_program(void)
{
	struct sockaddr_in sin = server_addr();
	int sock = RPC_ANYSOCK;
	CLIENT *cl = clnttcp_create(&sin, TPROG + 1, 1, &sock, 0, 0);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
	CU_ASSERT_EQUAL(clnt_call(cl, 0, (xdrproc_t)t_xdr_void, NULL, (xdrproc_t)t_xdr_void, NULL,
				  timeout),
			RPC_PROGUNAVAIL);
	clnt_destroy(cl);
}

/* Raw helpers. */

static void put(GByteArray *b, uint32_t v)
{
	uint8_t w[4] = { v >> 24, v >> 16, v >> 8, v };

	g_byte_array_append(b, w, 4);
}

/* An AUTH_NONE call of TPROG. */
static GByteArray *raw_call(uint32_t xid, uint32_t rpcvers, uint32_t vers, uint32_t proc)
{
	GByteArray *b = g_byte_array_new();

	put(b, xid);
	put(b, CALL);
	put(b, rpcvers);
	put(b, TPROG);
	put(b, vers);
	put(b, proc);
	put(b, AUTH_NONE);
	put(b, 0);
	put(b, AUTH_NONE);
	put(b, 0);
	return b;
}

static int raw_connect(void)
{
	struct sockaddr_in sin = server_addr();
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sin, sizeof(sin)) < 0) {
		close(fd);
		return -1;
	}
	return fd;
}

static bool send_all(int fd, const void *buf, size_t len)
{
	const uint8_t *p = buf;

	while (len) {
		ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* Send @msg as a record cut into fragments of at most @frag bytes. */
static bool send_record(int fd, const GByteArray *msg, size_t frag)
{
	size_t off = 0;

	do {
		size_t n = MIN(frag, msg->len - off);
		uint32_t h = htonl((uint32_t)n | (off + n == msg->len ? 0x80000000u : 0));

		if (!send_all(fd, &h, 4) || !send_all(fd, msg->data + off, n))
			return false;
		off += n;
	} while (off < msg->len);
	return true;
}

/* Read exactly @len bytes (5 s limit). false on EOF, error or timeout. */
static bool recv_all(int fd, void *buf, size_t len)
{
	uint8_t *p = buf;

	while (len) {
		struct pollfd pfd = { .fd = fd, .events = POLLIN };
		ssize_t n;

		if (poll(&pfd, 1, 5000) != 1)
			return false;
		n = recv(fd, p, len, 0);
		if (n <= 0)
			return false;
		p += n;
		len -= n;
	}
	return true;
}

/* Read one single-fragment reply record into a new array (NULL: none). */
static GByteArray *recv_record(int fd)
{
	uint32_t h;
	GByteArray *b;

	if (!recv_all(fd, &h, 4))
		return NULL;
	h = ntohl(h);
	if (!(h & 0x80000000u) || (h & 0x7fffffff) > 1 << 20)
		return NULL;
	b = g_byte_array_sized_new(h & 0x7fffffff);
	g_byte_array_set_size(b, h & 0x7fffffff);
	if (!recv_all(fd, b->data, b->len)) {
		g_byte_array_unref(b);
		return NULL;
	}
	return b;
}

static uint32_t word(const GByteArray *b, size_t i)
{
	uint32_t v;

	if ((i + 1) * 4 > b->len)
		return 0xdeadbeef;
	memcpy(&v, b->data + i * 4, 4);
	return ntohl(v);
}

static void test_multi_fragment(void)
{
	int fd = raw_connect();
	GByteArray *call, *reply;
	size_t frag;

	CU_ASSERT_FATAL(fd >= 0);
	/* ECHO 1000 in fragments of 1, 3, 5, 7 and 13 bytes. */
	for (frag = 1; frag <= 13; frag += 2) {
		if (frag == 9 || frag == 11)
			continue;
		call = raw_call(500 + frag, 2, 1, 1);
		put(call, 1000);
		CU_ASSERT(send_record(fd, call, frag));
		reply = recv_record(fd);
		CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
		CU_ASSERT_EQUAL(reply->len, 28);
		CU_ASSERT_EQUAL(word(reply, 0), 500 + frag);
		CU_ASSERT_EQUAL(word(reply, 1), REPLY);
		CU_ASSERT_EQUAL(word(reply, 2), MSG_ACCEPTED);
		CU_ASSERT_EQUAL(word(reply, 5), SUCCESS);
		CU_ASSERT_EQUAL(word(reply, 6), 1001);
		g_byte_array_unref(call);
		g_byte_array_unref(reply);
	}
	close(fd);
}

static void test_raw_rejections(void)
{
	int fd = raw_connect();
	GByteArray *call, *reply;

	CU_ASSERT_FATAL(fd >= 0);
	/* RPC version 3: MSG_DENIED RPC_MISMATCH 2..2. */
	call = raw_call(77, 3, 1, 0);
	CU_ASSERT(send_record(fd, call, call->len));
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(reply->len, 24);
	CU_ASSERT_EQUAL(word(reply, 0), 77);
	CU_ASSERT_EQUAL(word(reply, 2), MSG_DENIED);
	CU_ASSERT_EQUAL(word(reply, 3), RPC_MISMATCH);
	CU_ASSERT_EQUAL(word(reply, 4), 2);
	CU_ASSERT_EQUAL(word(reply, 5), 2);
	g_byte_array_unref(call);
	g_byte_array_unref(reply);

	/* RPCSEC_GSS credentials: AUTH_ERROR AUTH_TOOWEAK. */
	call = raw_call(79, 2, 1, 0);
	call->data[27] = 6;
	CU_ASSERT(send_record(fd, call, call->len));
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(reply->len, 20);
	CU_ASSERT_EQUAL(word(reply, 0), 79);
	CU_ASSERT_EQUAL(word(reply, 2), MSG_DENIED);
	CU_ASSERT_EQUAL(word(reply, 3), AUTH_ERROR);
	CU_ASSERT_EQUAL(word(reply, 4), AUTH_TOOWEAK);
	g_byte_array_unref(call);
	g_byte_array_unref(reply);

	/* PROG_MISMATCH on the wire: low 1, high 3. */
	call = raw_call(80, 2, 7, 0);
	CU_ASSERT(send_record(fd, call, call->len));
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(reply->len, 32);
	CU_ASSERT_EQUAL(word(reply, 0), 80);
	CU_ASSERT_EQUAL(word(reply, 5), PROG_MISMATCH);
	CU_ASSERT_EQUAL(word(reply, 6), 1);
	CU_ASSERT_EQUAL(word(reply, 7), 3);
	g_byte_array_unref(call);
	g_byte_array_unref(reply);

	/* ECHO with trailing bytes after its argument is fine. */
	call = raw_call(81, 2, 1, 1);
	put(call, 5);
	put(call, 0xabcdef);
	CU_ASSERT(send_record(fd, call, call->len));
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(word(reply, 0), 81);
	CU_ASSERT_EQUAL(word(reply, 5), SUCCESS);
	CU_ASSERT_EQUAL(word(reply, 6), 6);
	g_byte_array_unref(call);
	g_byte_array_unref(reply);
	close(fd);
}

static void test_payload(void)
{
	int fd = raw_connect();
	GByteArray *call, *reply;
	gint before = g_atomic_int_get(&payload_released);

	CU_ASSERT_FATAL(fd >= 0);
	call = raw_call(90, 2, 1, 3);
	CU_ASSERT(send_record(fd, call, call->len));
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	/* header (24) + length word + "hello" + 3 bytes of padding */
	CU_ASSERT_EQUAL(reply->len, 24 + 4 + 8);
	CU_ASSERT_EQUAL(word(reply, 6), 5);
	CU_ASSERT_EQUAL(memcmp(reply->data + 28, "hello\0\0\0", 8), 0);
	g_byte_array_unref(call);
	g_byte_array_unref(reply);
	close(fd);
	/* Released by the worker right after sending: give it a moment. */
	for (int i = 0; i < 500 && g_atomic_int_get(&payload_released) == before; i++)
		g_usleep(10000);
	CU_ASSERT_EQUAL(g_atomic_int_get(&payload_released), before + 1);
}

/* A large result comes out whole whatever the actor's size hint; with
 * a hint that holds it, it is encoded once (else: a pass into the stack
 * buffer, xdr_sizeof's and the real one). */
static void test_big_result_hint(void)
{
	static const int passes[] = { 3, 1, 3, 1 };
	CLIENT *cl = client(true, 1);
	u_int *out = g_new0(u_int, T_BIG_WORDS);

	CU_ASSERT_PTR_NOT_NULL_FATAL(cl);
	for (u_int mode = 0; mode < 4; mode++) {
		gint before = g_atomic_int_get(&big_encodes);

		memset(out, 0xff, sizeof(u_int) * T_BIG_WORDS);
		CU_ASSERT_EQUAL(clnt_call(cl, 7, (xdrproc_t)xdr_u_int, (char *)&mode,
					  (xdrproc_t)t_xdr_big, (char *)out, timeout),
				RPC_SUCCESS);
		for (u_int i = 0; i < T_BIG_WORDS; i++)
			if (out[i] != i) {
				CU_FAIL("a word of the result is wrong");
				break;
			}
		/* the client's decode is not an encode; the server's passes */
		CU_ASSERT_EQUAL(g_atomic_int_get(&big_encodes) - before, passes[mode]);
	}
	g_free(out);
	clnt_destroy(cl);
}

/* Bad framing closes that connection only. */
static void test_garbage_framing(void)
{
	int bad = raw_connect(), good = raw_connect();
	uint8_t huge[4] = { 0x7f, 0xff, 0xff, 0xff };
	uint8_t c;
	GByteArray *call, *reply;
	struct pollfd pfd;

	CU_ASSERT_FATAL(bad >= 0 && good >= 0);
	CU_ASSERT(send_all(bad, huge, 4));
	pfd = (struct pollfd){ .fd = bad, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&pfd, 1, 5000), 1);
	CU_ASSERT(recv(bad, &c, 1, 0) <= 0); /* EOF or reset */
	close(bad);

	/* A truncated call header: no reply, and the connection is closed. */
	bad = raw_connect();
	CU_ASSERT_FATAL(bad >= 0);
	call = raw_call(78, 2, 1, 0);
	g_byte_array_set_size(call, 20);
	CU_ASSERT(send_record(bad, call, call->len));
	g_byte_array_unref(call);
	pfd = (struct pollfd){ .fd = bad, .events = POLLIN };
	CU_ASSERT_EQUAL(poll(&pfd, 1, 5000), 1);
	CU_ASSERT(recv(bad, &c, 1, 0) <= 0);
	close(bad);

	call = raw_call(99, 2, 1, 0);
	CU_ASSERT(send_record(good, call, call->len));
	reply = recv_record(good);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(word(reply, 0), 99);
	CU_ASSERT_EQUAL(word(reply, 5), SUCCESS);
	g_byte_array_unref(call);
	g_byte_array_unref(reply);
	close(good);
}

/* Many calls pipelined on one connection, more than the flow-control
 * threshold, all answered. */
static void test_pipelined(void)
{
	int fd = raw_connect();
	GByteArray *all = g_byte_array_new();
	unsigned i, seen = 0;
	const unsigned n = 500;

	CU_ASSERT_FATAL(fd >= 0);
	for (i = 0; i < n; i++) {
		GByteArray *call = raw_call(10000 + i, 2, 1, 1);

		put(call, i);
		put(all, 0x80000000u | call->len);
		g_byte_array_append(all, call->data, call->len);
		g_byte_array_unref(call);
	}
	CU_ASSERT(send_all(fd, all->data, all->len));
	for (i = 0; i < n; i++) {
		GByteArray *reply = recv_record(fd);

		if (!reply)
			break;
		if (word(reply, 6) == word(reply, 0) - 10000 + 1)
			seen++;
		g_byte_array_unref(reply);
	}
	CU_ASSERT_EQUAL(seen, n);
	g_byte_array_unref(all);
	close(fd);
}

static void test_udp_raw(void)
{
	struct sockaddr_in sin = server_addr();
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	GByteArray *call = raw_call(123, 2, 1, 1);
	uint8_t buf[256];
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	ssize_t n;

	put(call, 9);
	CU_ASSERT(sendto(fd, call->data, call->len, 0, (struct sockaddr *)&sin, sizeof(sin)) ==
		  (ssize_t)call->len);
	CU_ASSERT_EQUAL_FATAL(poll(&pfd, 1, 5000), 1);
	n = recv(fd, buf, sizeof(buf), 0);
	CU_ASSERT_EQUAL(n, 28);
	CU_ASSERT_EQUAL(buf[3], 123);
	CU_ASSERT_EQUAL(buf[27], 10);
	g_byte_array_unref(call);
	close(fd);
}

/* Random bytes and randomly damaged calls on many connections, then a
 * good call: the service must still answer. */
static void test_garbage_storm(void)
{
	GRand *rnd = g_rand_new_with_seed(1813);
	GByteArray *good = raw_call(4242, 2, 1, 1), *reply;
	int i, fd;

	put(good, 1);
	for (i = 0; i < 60; i++) {
		GByteArray *junk = g_byte_array_new();
		unsigned k, n = g_rand_int_range(rnd, 1, 300);

		fd = raw_connect();
		if (fd < 0)
			continue;
		if (i % 2) {
			/* A well-framed record holding a damaged call. */
			g_byte_array_append(junk, good->data, good->len);
			for (k = 0; k < 3; k++)
				junk->data[g_rand_int_range(rnd, 0, junk->len)] = g_rand_int(rnd);
			send_record(fd, junk, g_rand_int_range(rnd, 1, junk->len + 1));
		} else {
			for (k = 0; k < n; k++) {
				uint8_t c = g_rand_int(rnd);

				g_byte_array_append(junk, &c, 1);
			}
			send_all(fd, junk->data, junk->len);
		}
		g_byte_array_unref(junk);
		close(fd);
	}
	/* The storm may still fill max_connections for a moment: a refused
	 * connection is closed at once, so retry briefly. */
	reply = NULL;
	for (i = 0; i < 50 && !reply; i++) {
		fd = raw_connect();
		if (fd < 0)
			break;
		if (send_record(fd, good, good->len))
			reply = recv_record(fd);
		close(fd);
		if (!reply)
			g_usleep(20 * 1000);
	}
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(word(reply, 0), 4242);
	CU_ASSERT_EQUAL(word(reply, 6), 2);
	g_byte_array_unref(reply);
	g_byte_array_unref(good);
	g_rand_free(rnd);
}

/* A second service, for limits and stopping: @threads workers, two
 * connections. */
static struct rpcsvc *small_start_threads(unsigned drain_ms, unsigned threads)
{
	struct rpcsvc_config cfg = {
		.listen = "127.0.0.1", .tcp = true, .threads = threads, .drain_ms = drain_ms,
		.max_connections = 2,
	};
	struct rpcsvc *s = rpcsvc_new(&cfg);

	if (!s)
		return NULL;
	if (rpcsvc_program_add(s, &t_prog1) < 0 || rpcsvc_start(s) < 0) {
		rpcsvc_free(s);
		return NULL;
	}
	port = rpcsvc_port(s, 0);
	return s;
}

static struct rpcsvc *small_start(unsigned drain_ms)
{
	return small_start_threads(drain_ms, 1);
}

static bool closed_by_peer(int fd)
{
	struct pollfd pfd = { .fd = fd, .events = POLLIN };
	uint8_t c;

	return poll(&pfd, 1, 5000) == 1 && recv(fd, &c, 1, 0) <= 0;
}

/* Whether a reply record comes on @fd. */
static bool recv_record_ok(int fd)
{
	GByteArray *reply = recv_record(fd);

	if (reply)
		g_byte_array_unref(reply);
	return reply != NULL;
}

/* Send @call on @fd and wait for its reply: whether one came. */
static bool null_ok(int fd, const GByteArray *call)
{
	GByteArray *reply = NULL;

	if (send_record(fd, call, call->len))
		reply = recv_record(fd);
	if (reply)
		g_byte_array_unref(reply);
	return reply != NULL;
}

/* Wait (up to 5 s) until @s has no call in flight: a client has its reply
 * a moment before the server has finished the call (its connection is
 * busy until then), so a test that needs idle connections waits. */
static bool settled(struct rpcsvc *s)
{
	struct rpcsvc_counters c;

	for (int i = 0; i < 5000; i++) {
		rpcsvc_get_counters(s, &c);
		if (c.inflight == 0)
			return true;
		g_usleep(1000);
	}
	return false;
}

/* At max_connections a new client replaces the oldest idle connection;
 * only when none is idle is it refused. */
static void test_max_connections(void)
{
	uint16_t saved = port;
	struct rpcsvc *s = small_start_threads(1000, 4);
	GByteArray *call = raw_call(1, 2, 1, 0), *slow = raw_call(2, 2, 1, 6);
	int a, b, c, d;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	a = raw_connect();
	CU_ASSERT(null_ok(a, call));
	CU_ASSERT(settled(s));
	b = raw_connect();
	CU_ASSERT(null_ok(b, call));
	CU_ASSERT(settled(s));
	/* Both idle: the third gets in, the oldest (a) goes. */
	c = raw_connect();
	CU_ASSERT(null_ok(c, call));
	CU_ASSERT(closed_by_peer(a));
	close(a);
	/* Both busy (a call running on each): the next is refused. */
	CU_ASSERT(send_record(b, slow, slow->len) && send_record(c, slow, slow->len));
	g_usleep(100 * 1000);
	d = raw_connect();
	CU_ASSERT(d >= 0);
	CU_ASSERT(closed_by_peer(d));
	close(d);
	/* Once they are idle again, there is room. */
	CU_ASSERT(recv_record_ok(b) && recv_record_ok(c));
	CU_ASSERT(settled(s));
	d = raw_connect();
	CU_ASSERT(null_ok(d, call));
	g_byte_array_unref(call);
	g_byte_array_unref(slow);
	close(b);
	close(c);
	close(d);
	rpcsvc_free(s);
	port = saved;
}

/* Stop waits for the call in progress, whose reply still goes out. */
static void test_stop_drains(void)
{
	uint16_t saved = port;
	struct rpcsvc *s = small_start(3000);
	gint started = g_atomic_int_get(&slow_started);
	GByteArray *call = raw_call(321, 2, 1, 6), *reply;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	fd = raw_connect();
	CU_ASSERT(send_record(fd, call, call->len));
	for (int i = 0; i < 500 && g_atomic_int_get(&slow_started) == started; i++)
		g_usleep(2000);
	rpcsvc_stop(s);
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(word(reply, 0), 321);
	CU_ASSERT_EQUAL(word(reply, 5), SUCCESS);
	CU_ASSERT(closed_by_peer(fd));
	g_byte_array_unref(reply);
	g_byte_array_unref(call);
	close(fd);
	rpcsvc_free(s);
	port = saved;
}

/* drain_ms bounds stop: queued calls beyond it are dropped unanswered. */
static void test_stop_bounded(void)
{
	uint16_t saved = port;
	struct rpcsvc *s = small_start(100);
	gint started = g_atomic_int_get(&slow_started);
	GByteArray *call = raw_call(400, 2, 1, 6);
	gint64 t0;
	int fd, i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	fd = raw_connect();
	for (i = 0; i < 6; i++)
		CU_ASSERT(send_record(fd, call, call->len));
	for (i = 0; i < 500 && g_atomic_int_get(&slow_started) == started; i++)
		g_usleep(2000);
	t0 = g_get_monotonic_time();
	rpcsvc_stop(s);
	/* The running call finishes (≤ 300 ms), the 5 queued ones are dropped. */
	CU_ASSERT(g_get_monotonic_time() - t0 < 1000 * 1000);
	CU_ASSERT(g_atomic_int_get(&slow_started) - started < 3);
	g_byte_array_unref(call);
	close(fd);
	rpcsvc_free(s);
	port = saved;
}

static void test_bad_config(void)
{
	struct rpcsvc_config cfg = { .listen = "127.0.0.1", .tcp = false, .udp = false };

	CU_ASSERT_PTR_NULL(rpcsvc_new(&cfg));
	cfg.tcp = true;
	cfg.listen = "127.0.0.1,not-an-address";
	CU_ASSERT_PTR_NULL(rpcsvc_new(&cfg));
	cfg.listen = "";
	CU_ASSERT_PTR_NULL(rpcsvc_new(&cfg));
}

/* A port already taken: start fails with -EADDRINUSE, nothing leaks. */
static void test_port_in_use(void)
{
	struct sockaddr_in sin = { .sin_family = AF_INET };
	socklen_t len = sizeof(sin);
	struct rpcsvc_config cfg = { .listen = "127.0.0.1", .tcp = true, .udp = true };
	struct rpcsvc_program p = t_prog1;
	struct rpcsvc *s;
	int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);

	sin.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	CU_ASSERT_FATAL(bind(fd, (struct sockaddr *)&sin, sizeof(sin)) == 0);
	getsockname(fd, (struct sockaddr *)&sin, &len);
	p.port = ntohs(sin.sin_port);
	s = rpcsvc_new(&cfg);
	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(rpcsvc_program_add(s, &p), 0);
	CU_ASSERT_EQUAL(rpcsvc_start(s), -EADDRINUSE);
	rpcsvc_free(s);
	close(fd);
}

/* IPv6 and IPv4 side by side ("::1,127.0.0.1"), one port for both. */
static void test_ipv6(void)
{
	struct rpcsvc_config cfg = { .listen = "::1, 127.0.0.1", .tcp = true, .udp = true };
	struct rpcsvc *s = rpcsvc_new(&cfg);
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6, .sin6_addr = IN6ADDR_LOOPBACK_INIT };
	uint16_t saved = port;
	GByteArray *call = raw_call(606, 2, 1, 1), *reply = NULL;
	int fd;

	CU_ASSERT_PTR_NOT_NULL_FATAL(s);
	CU_ASSERT_EQUAL(rpcsvc_program_add(s, &t_prog1), 0);
	if (rpcsvc_start(s) < 0) {
		/* No IPv6 on this machine: nothing to test. */
		rpcsvc_free(s);
		g_byte_array_unref(call);
		return;
	}
	port = rpcsvc_port(s, 0);
	sin6.sin6_port = htons(port);
	put(call, 5);
	fd = socket(AF_INET6, SOCK_STREAM | SOCK_CLOEXEC, 0);
	CU_ASSERT_FATAL(connect(fd, (struct sockaddr *)&sin6, sizeof(sin6)) == 0);
	CU_ASSERT(send_record(fd, call, call->len));
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL_FATAL(reply);
	CU_ASSERT_EQUAL(word(reply, 6), 6);
	pthread_mutex_lock(&seen_lock);
	CU_ASSERT_EQUAL(seen_call.client.ss_family, AF_INET6);
	CU_ASSERT_EQUAL(seen_call.client_len, sizeof(struct sockaddr_in6));
	pthread_mutex_unlock(&seen_lock);
	close(fd);
	g_byte_array_unref(reply);
	/* The IPv4 side on the same port. */
	fd = raw_connect();
	CU_ASSERT(fd >= 0 && send_record(fd, call, call->len));
	reply = recv_record(fd);
	CU_ASSERT_PTR_NOT_NULL(reply);
	if (reply)
		g_byte_array_unref(reply);
	close(fd);
	g_byte_array_unref(call);
	rpcsvc_free(s);
	port = saved;
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("rpcsvc on loopback", suite_init, suite_fini);
	CU_add_test(s, "libtirpc TCP client", test_tcp_client);
	CU_add_test(s, "libtirpc UDP client", test_udp_client);
	CU_add_test(s, "unknown program", test_unknown_program);
	CU_add_test(s, "multi-fragment records", test_multi_fragment);
	CU_add_test(s, "raw rejections", test_raw_rejections);
	CU_add_test(s, "payload after the result", test_payload);
	CU_add_test(s, "a large result and its size hint", test_big_result_hint);
	CU_add_test(s, "garbage framing closes one connection", test_garbage_framing);
	CU_add_test(s, "pipelined calls", test_pipelined);
	CU_add_test(s, "raw UDP call", test_udp_raw);
	CU_add_test(s, "garbage storm", test_garbage_storm);
	s = CU_add_suite("rpcsvc limits and stop", NULL, NULL);
	CU_add_test(s, "max_connections", test_max_connections);
	CU_add_test(s, "stop lets the running call answer", test_stop_drains);
	CU_add_test(s, "stop is bounded by drain_ms", test_stop_bounded);
	CU_add_test(s, "bad configurations", test_bad_config);
	CU_add_test(s, "a port in use", test_port_in_use);
	CU_add_test(s, "IPv6 and IPv4 on one port", test_ipv6);
	return cunit_run();
}

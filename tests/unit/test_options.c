/*
 * test_options.c — unit tests for option parsing (xlators/options.c):
 * every option type, bounds, suffixes, the wording of errors (they must
 * name the valid range or choices), and address lists with matching.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <CUnit/Basic.h>
#include <glib.h>

#include "xlator.h"
#include "cunit_main.h"

struct conf {
	bool b;
	int64_t i;
	uint64_t size;
	uint64_t ms;
	char *s;
	char *path;
	int e;
	struct xl_addrlist *al;
};

static const char *const modes[] = {"fast", "safe", "paranoid", NULL};

static const struct xl_option opts[] = {
    {.key = "flag", .type = XL_OPT_BOOL, .offset = offsetof(struct conf, b)},
    {.key = "count", .type = XL_OPT_INT, .min = 1, .max = 64, .offset = offsetof(struct conf, i)},
    {.key = "offset", .type = XL_OPT_INT, .offset = offsetof(struct conf, i)},
    {.key = "window-size",
     .type = XL_OPT_SIZE,
     .min = 4096,
     .max = 1073741824,
     .offset = offsetof(struct conf, size)},
    {.key = "any-size", .type = XL_OPT_SIZE, .offset = offsetof(struct conf, size)},
    {.key = "timeout",
     .type = XL_OPT_TIME,
     .min = 100,
     .max = 60000,
     .offset = offsetof(struct conf, ms)},
    {.key = "label", .type = XL_OPT_STR, .offset = offsetof(struct conf, s)},
    {.key = "directory", .type = XL_OPT_PATH, .offset = offsetof(struct conf, path)},
    {.key = "mode", .type = XL_OPT_ENUM, .choices = modes, .offset = offsetof(struct conf, e)},
    {.key = "allow", .type = XL_OPT_ADDRLIST, .offset = offsetof(struct conf, al)},
    {NULL},
};

enum { O_FLAG, O_COUNT, O_OFFSET, O_WSIZE, O_ANYSIZE, O_TIMEOUT, O_LABEL, O_DIR, O_MODE, O_ALLOW };

static struct conf c;

static int parse(int opt, const char *text, char **msg)
{
	char *m = NULL;
	int ret = xl_option_parse(&opts[opt], text, &c, &m);

	if (msg)
		*msg = m;
	else
		g_free(m);
	return ret;
}

/* Parsing fails with a message containing each of the NULL-ended words. */
static void expect_bad(int opt, const char *text, ...)
{
	char *msg = NULL;
	va_list ap;
	const char *w;

	CU_ASSERT_EQUAL(parse(opt, text, &msg), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL_FATAL(msg);
	va_start(ap, text);
	while ((w = va_arg(ap, const char *))) {
		if (!strstr(msg, w))
			fprintf(stderr, "\nmessage '%s' lacks '%s'\n", msg, w);
		CU_ASSERT_PTR_NOT_NULL(strstr(msg, w));
	}
	va_end(ap);
	g_free(msg);
}

static void test_bool(void)
{
	const char *yes[] = {"on", "yes", "true", "enable", "1", "ON", "True"};
	const char *no[] = {"off", "no", "false", "disable", "0", "OFF"};

	for (size_t k = 0; k < G_N_ELEMENTS(yes); k++) {
		c.b = false;
		CU_ASSERT_EQUAL(parse(O_FLAG, yes[k], NULL), 0);
		CU_ASSERT_TRUE(c.b);
	}
	for (size_t k = 0; k < G_N_ELEMENTS(no); k++) {
		c.b = true;
		CU_ASSERT_EQUAL(parse(O_FLAG, no[k], NULL), 0);
		CU_ASSERT_FALSE(c.b);
	}
	c.b = true;
	expect_bad(O_FLAG, "maybe", "'maybe'", "'flag'", "on/off", "yes/no", NULL);
	expect_bad(O_FLAG, "", "on/off", NULL);
	CU_ASSERT_TRUE(c.b); /* untouched by a failed parse */
}

static void test_int(void)
{
	CU_ASSERT_EQUAL(parse(O_COUNT, "1", NULL), 0);
	CU_ASSERT_EQUAL(c.i, 1);
	CU_ASSERT_EQUAL(parse(O_COUNT, "64", NULL), 0);
	CU_ASSERT_EQUAL(c.i, 64);
	expect_bad(O_COUNT, "0", "between 1 and 64", NULL);
	expect_bad(O_COUNT, "65", "between 1 and 64", NULL);
	expect_bad(O_COUNT, "12x", "integer", "between 1 and 64", NULL);
	expect_bad(O_COUNT, "", "integer", NULL);
	expect_bad(O_COUNT, "99999999999999999999999", "integer", NULL);
	CU_ASSERT_EQUAL(c.i, 64);
	CU_ASSERT_EQUAL(parse(O_OFFSET, "-12345678901", NULL), 0);
	CU_ASSERT_EQUAL(c.i, -12345678901LL);
	expect_bad(O_OFFSET, "ten", "expected an integer", NULL);
}

static void test_size(void)
{
	struct {
		const char *text;
		uint64_t v;
	} ok[] = {
	    {"4096", 4096},  {"4K", 4096},     {"4k", 4096},	   {"4KB", 4096},
	    {"1M", 1048576}, {"3MB", 3145728}, {"1G", 1073741824}, {"1GB", 1073741824},
	};

	for (size_t k = 0; k < G_N_ELEMENTS(ok); k++) {
		CU_ASSERT_EQUAL(parse(O_WSIZE, ok[k].text, NULL), 0);
		CU_ASSERT_EQUAL(c.size, ok[k].v);
	}
	CU_ASSERT_EQUAL(parse(O_ANYSIZE, "2T", NULL), 0);
	CU_ASSERT_EQUAL(c.size, 2ULL << 40);
	CU_ASSERT_EQUAL(parse(O_ANYSIZE, "0", NULL), 0);
	CU_ASSERT_EQUAL(c.size, 0);
	CU_ASSERT_EQUAL(parse(O_ANYSIZE, "17B", NULL), 0);
	CU_ASSERT_EQUAL(c.size, 17);
	expect_bad(O_WSIZE, "4095", "between 4K and 1G", NULL);
	expect_bad(O_WSIZE, "2G", "between 4K and 1G", NULL);
	expect_bad(O_WSIZE, "5X", "'5X'", "'window-size'", "K, M, G or T", NULL);
	expect_bad(O_WSIZE, "M", "size", NULL);
	expect_bad(O_WSIZE, "-4K", "size", NULL);
	expect_bad(O_WSIZE, "4KBB", "size", NULL);
	expect_bad(O_ANYSIZE, "99999999T", "size", NULL);
}

static void test_time(void)
{
	CU_ASSERT_EQUAL(parse(O_TIMEOUT, "250ms", NULL), 0);
	CU_ASSERT_EQUAL(c.ms, 250);
	CU_ASSERT_EQUAL(parse(O_TIMEOUT, "3s", NULL), 0);
	CU_ASSERT_EQUAL(c.ms, 3000);
	CU_ASSERT_EQUAL(parse(O_TIMEOUT, "7", NULL), 0);
	CU_ASSERT_EQUAL(c.ms, 7000);
	CU_ASSERT_EQUAL(parse(O_TIMEOUT, "100MS", NULL), 0);
	CU_ASSERT_EQUAL(c.ms, 100);
	expect_bad(O_TIMEOUT, "99ms", "between 100ms and 60s", NULL);
	expect_bad(O_TIMEOUT, "61", "between 100ms and 60s", NULL);
	expect_bad(O_TIMEOUT, "1m", "duration", "ms or s", NULL);
	expect_bad(O_TIMEOUT, "s", "duration", NULL);
}

static void test_str_path_enum(void)
{
	CU_ASSERT_EQUAL(parse(O_LABEL, "first", NULL), 0);
	CU_ASSERT_STRING_EQUAL(c.s, "first");
	CU_ASSERT_EQUAL(parse(O_LABEL, "second value", NULL), 0); /* replaces, no leak */
	CU_ASSERT_STRING_EQUAL(c.s, "second value");
	CU_ASSERT_EQUAL(parse(O_LABEL, "", NULL), 0);
	CU_ASSERT_STRING_EQUAL(c.s, "");

	CU_ASSERT_EQUAL(parse(O_DIR, "/srv/export", NULL), 0);
	CU_ASSERT_STRING_EQUAL(c.path, "/srv/export");
	expect_bad(O_DIR, "srv/export", "'srv/export'", "absolute path", NULL);
	expect_bad(O_DIR, "", "absolute path", NULL);
	CU_ASSERT_STRING_EQUAL(c.path, "/srv/export");

	CU_ASSERT_EQUAL(parse(O_MODE, "paranoid", NULL), 0);
	CU_ASSERT_EQUAL(c.e, 2);
	CU_ASSERT_EQUAL(parse(O_MODE, "FAST", NULL), 0);
	CU_ASSERT_EQUAL(c.e, 0);
	expect_bad(O_MODE, "slow", "'slow'", "'mode'", "one of: fast, safe, paranoid", NULL);
}

static struct sockaddr_storage addr(const char *text)
{
	struct sockaddr_storage ss = {0};
	struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;
	struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

	if (inet_pton(AF_INET, text, &s4->sin_addr) == 1)
		s4->sin_family = AF_INET;
	else if (inet_pton(AF_INET6, text, &s6->sin6_addr) == 1)
		s6->sin6_family = AF_INET6;
	else
		CU_FAIL_FATAL("bad test address");
	return ss;
}

static bool match(const char *client)
{
	struct sockaddr_storage ss = addr(client);

	return xl_addrlist_check(c.al, (struct sockaddr *)&ss, NULL) == XL_ADDR_YES;
}

static void test_addrlist(void)
{
	CU_ASSERT_EQUAL(xl_addrlist_check(NULL, NULL, NULL), XL_ADDR_NO);

	CU_ASSERT_EQUAL(parse(O_ALLOW, "*", NULL), 0);
	CU_ASSERT_EQUAL(c.al->count, 1);
	CU_ASSERT_TRUE(match("192.0.2.1"));
	CU_ASSERT_TRUE(match("2001:db8::1"));

	CU_ASSERT_EQUAL(parse(O_ALLOW, "10.0.0.0/8, 192.168.1.5 ,fd00::/8,2001:db8::7", NULL), 0);
	CU_ASSERT_EQUAL(c.al->count, 4);
	CU_ASSERT_TRUE(match("10.1.2.3"));
	CU_ASSERT_TRUE(match("10.255.255.255"));
	CU_ASSERT_FALSE(match("11.0.0.1"));
	CU_ASSERT_TRUE(match("192.168.1.5"));
	CU_ASSERT_FALSE(match("192.168.1.6"));
	CU_ASSERT_TRUE(match("::ffff:10.9.8.7")); /* v4-mapped client */
	CU_ASSERT_TRUE(match("::ffff:192.168.1.5"));
	CU_ASSERT_FALSE(match("::ffff:11.0.0.1"));
	CU_ASSERT_TRUE(match("fd12:3456::1"));
	CU_ASSERT_FALSE(match("fe80::1"));
	CU_ASSERT_TRUE(match("2001:db8::7"));
	CU_ASSERT_FALSE(match("2001:db8::8"));
	CU_ASSERT_FALSE(match("::a00:1")); /* not v4-mapped: not 10.0.0.1 */

	/* Host bits in a CIDR are ignored; odd prefixes work. */
	CU_ASSERT_EQUAL(parse(O_ALLOW, "172.16.5.4/12,2001:db8:8000::/33", NULL), 0);
	CU_ASSERT_TRUE(match("172.31.0.1"));
	CU_ASSERT_FALSE(match("172.32.0.1"));
	CU_ASSERT_TRUE(match("2001:db8:ffff::1"));
	CU_ASSERT_FALSE(match("2001:db8:7fff::1"));

	/* A v4-mapped entry matches the plain IPv4 client. */
	CU_ASSERT_EQUAL(parse(O_ALLOW, "::ffff:198.51.100.9", NULL), 0);
	CU_ASSERT_TRUE(match("198.51.100.9"));
	CU_ASSERT_FALSE(match("198.51.100.10"));

	/* Prefix 0 matches its whole family only. */
	CU_ASSERT_EQUAL(parse(O_ALLOW, "0.0.0.0/0", NULL), 0);
	CU_ASSERT_TRUE(match("203.0.113.1"));
	CU_ASSERT_FALSE(match("2001:db8::1"));

	CU_ASSERT_FALSE(xl_addrlist_has_names(c.al));

	/* Host names: kept as names, matched only through a hostcache (the
	 * client's confirmed name: test_hostcache), never resolved here. */
	CU_ASSERT_EQUAL(parse(O_ALLOW, "localhost", NULL), 0);
	CU_ASSERT_EQUAL(c.al->items[0].family, AF_UNSPEC);
	CU_ASSERT_STRING_EQUAL(c.al->items[0].host, "localhost");
	CU_ASSERT_TRUE(xl_addrlist_has_names(c.al));
	CU_ASSERT_FALSE(match("127.0.0.1"));
	CU_ASSERT_EQUAL(parse(O_ALLOW, "no-such-host.invalid, 127.0.0.1", NULL), 0);
	CU_ASSERT_TRUE(match("127.0.0.1"));
	CU_ASSERT_FALSE(match("127.0.0.2"));
	CU_ASSERT_EQUAL(parse(O_ALLOW, "no-such-host.invalid", NULL), 0);

	expect_bad(O_ALLOW, "10.0.0.0/33", "'10.0.0.0/33'", "'allow'", "CIDR", NULL);
	expect_bad(O_ALLOW, "fd00::/129", "'fd00::/129'", NULL);
	expect_bad(O_ALLOW, "1.2.3.4/x", "'1.2.3.4/x'", NULL);
	expect_bad(O_ALLOW, "300.1.1.1", "'300.1.1.1'", NULL);
	expect_bad(O_ALLOW, "10.0.0.1,,10.0.0.2", "''", NULL);
	expect_bad(O_ALLOW, "bad..name", "'bad..name'", NULL);
	expect_bad(O_ALLOW, "under score!", "'under score!'", NULL);
	expect_bad(O_ALLOW, "", "address", NULL);
	expect_bad(O_ALLOW, "host/24", "'host/24'", NULL);
	/* The previous good list is kept after a failed parse. */
	CU_ASSERT_EQUAL(c.al->count, 1);
	CU_ASSERT_STRING_EQUAL(c.al->items[0].host, "no-such-host.invalid");
}

static void test_free(void)
{
	CU_ASSERT_EQUAL(parse(O_LABEL, "x", NULL), 0);
	CU_ASSERT_EQUAL(parse(O_DIR, "/x", NULL), 0);
	CU_ASSERT_EQUAL(parse(O_ALLOW, "10.0.0.1,example.org", NULL), 0);
	xl_options_free(opts, &c);
	CU_ASSERT_PTR_NULL(c.s);
	CU_ASSERT_PTR_NULL(c.path);
	CU_ASSERT_PTR_NULL(c.al);
	xl_options_free(opts, &c); /* twice is harmless */
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("options", NULL, NULL);
	CU_add_test(s, "bool", test_bool);
	CU_add_test(s, "int", test_int);
	CU_add_test(s, "size", test_size);
	CU_add_test(s, "time", test_time);
	CU_add_test(s, "str, path, enum", test_str_path_enum);
	CU_add_test(s, "address lists", test_addrlist);
	CU_add_test(s, "free", test_free);
	return cunit_run();
}

/*
 * test_export_rules.c — exports(5)-style client lists: parsing (with the
 * column of each error), first-match-wins, deny entries, secure ports,
 * names asked for lazily and never resolved by the matcher itself.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>

#include "cunit_main.h"
#include "export_rules.h"

static struct sockaddr_storage sa_of(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		CU_ASSERT_FATAL(inet_pton(AF_INET6, text, &s6->sin6_addr) == 1);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		CU_ASSERT_FATAL(inet_pton(AF_INET, text, &s4->sin_addr) == 1);
	}
	return ss;
}

/* The fake name service: what it answers, and how often it was asked. */
static struct {
	enum export_name_state state;
	const char *name;
	int calls;
} names;

static enum export_name_state fake_name(void *ctx, const struct sockaddr *sa, char *name,
					size_t size)
{
	names.calls++;
	if (names.state == EXPORT_NAME_KNOWN)
		g_strlcpy(name, names.name, size);
	return names.state;
}

static void names_set(enum export_name_state state, const char *name)
{
	names.state = state;
	names.name = name;
	names.calls = 0;
}

static struct export_rules *parse_ok(const char *text)
{
	struct export_rules *r = NULL;
	char *msg = NULL;

	CU_ASSERT_EQUAL(export_rules_parse(text, &r, &msg), 0);
	if (msg)
		printf("unexpected error for \"%s\": %s\n", text, msg);
	g_free(msg);
	return r;
}

/* Match @addr from @port: the verdict, *idx the entry. */
static enum export_verdict match(const struct export_rules *r, const char *addr, uint16_t port,
				 const struct export_client_opts **opts, size_t *idx)
{
	struct sockaddr_storage ss = sa_of(addr);
	enum export_verdict v;
	size_t i;

	*opts = export_rules_match(r, (struct sockaddr *)&ss, port, fake_name, NULL, &v, &i);
	if (idx)
		*idx = i;
	return v;
}

static void test_first_match(void)
{
	struct export_rules *r = parse_ok("-10.0.0.5 10.0.0.0/8(rw,no_root_squash,anonuid=7) "
					  "*.example.com(insecure) fd00::/8(rw,all_squash) *(ro)");
	const struct export_client_opts *o;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	CU_ASSERT_EQUAL(export_rules_count(r), 5);
	CU_ASSERT_STRING_EQUAL(export_rules_spec(r, 0), "-10.0.0.5");
	CU_ASSERT_PTR_NULL(export_rules_opts(r, 0));
	CU_ASSERT_TRUE(export_rules_is_everyone(r, 4));
	names_set(EXPORT_NAME_NONE, NULL);

	CU_ASSERT_EQUAL(match(r, "10.0.0.5", 700, &o, &i), EXPORT_DENY);
	CU_ASSERT_EQUAL(i, 0);
	CU_ASSERT_EQUAL(match(r, "10.1.2.3", 700, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(i, 1);
	CU_ASSERT_FATAL(o != NULL);
	CU_ASSERT_FALSE(o->read_only);
	CU_ASSERT_EQUAL(o->squash, EXPORT_NO_ROOT_SQUASH);
	CU_ASSERT_EQUAL(o->anonuid, 7);
	CU_ASSERT_EQUAL(o->anongid, 65534);
	/* the address entry decided: nobody was asked for a name */
	CU_ASSERT_EQUAL(names.calls, 0);
	/* v4-mapped IPv6 is the IPv4 client */
	CU_ASSERT_EQUAL(match(r, "::ffff:10.9.9.9", 700, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(i, 1);
	/* secure is the default */
	CU_ASSERT_EQUAL(match(r, "10.1.2.3", 1024, &o, &i), EXPORT_INSECURE_PORT);
	CU_ASSERT_PTR_NULL(o);
	CU_ASSERT_EQUAL(match(r, "10.1.2.3", 1023, &o, &i), EXPORT_ALLOW);

	/* IPv6 network, after the name entry: the name is asked once */
	names_set(EXPORT_NAME_NONE, NULL);
	CU_ASSERT_EQUAL(match(r, "fd12::1", 999, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(i, 3);
	CU_ASSERT_EQUAL(o->squash, EXPORT_ALL_SQUASH);
	CU_ASSERT_EQUAL(names.calls, 1);

	/* defaults of a bare "*": ro, root_squash, secure */
	CU_ASSERT_EQUAL(match(r, "192.0.2.1", 999, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(i, 4);
	CU_ASSERT_TRUE(o->read_only);
	CU_ASSERT_EQUAL(o->squash, EXPORT_ROOT_SQUASH);
	CU_ASSERT_TRUE(o->secure);
	CU_ASSERT_EQUAL(match(r, "192.0.2.1", 40000, &o, &i), EXPORT_INSECURE_PORT);
	export_rules_free(r);
}

static void test_names(void)
{
	struct export_rules *r = parse_ok("-*.bad.example trusted.example.com(rw) "
					  "*.Example.COM(insecure) 192.0.2.0/24(rw)");
	const struct export_client_opts *o;
	size_t i;

	CU_ASSERT_PTR_NOT_NULL_FATAL(r);
	names_set(EXPORT_NAME_KNOWN, "x.bad.example");
	CU_ASSERT_EQUAL(match(r, "198.51.100.1", 1, &o, &i), EXPORT_DENY);
	CU_ASSERT_EQUAL(i, 0);
	names_set(EXPORT_NAME_KNOWN, "TRUSTED.example.com");
	CU_ASSERT_EQUAL(match(r, "198.51.100.1", 1, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(i, 1);
	CU_ASSERT_FALSE(o->read_only);
	CU_ASSERT_EQUAL(names.calls, 1); /* once, however many name entries */
	names_set(EXPORT_NAME_KNOWN, "a.b.example.com");
	CU_ASSERT_EQUAL(match(r, "198.51.100.1", 5000, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(i, 2);
	CU_ASSERT_TRUE(o->read_only);
	/* no name (or one that was not forward-confirmed): the address entry */
	names_set(EXPORT_NAME_NONE, NULL);
	CU_ASSERT_EQUAL(match(r, "192.0.2.7", 1, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(i, 3);
	CU_ASSERT_EQUAL(match(r, "198.51.100.1", 1, &o, &i), EXPORT_DENY);
	CU_ASSERT_EQUAL(i, 4);
	/* not known yet: a name entry comes first, nothing is decided */
	names_set(EXPORT_NAME_PENDING, NULL);
	CU_ASSERT_EQUAL(match(r, "192.0.2.7", 1, &o, &i), EXPORT_PENDING);
	CU_ASSERT_EQUAL(i, 0);
	export_rules_free(r);

	/* an address entry before any name entry never waits for a name */
	r = parse_ok("192.0.2.0/24(rw) *.example.com(rw)");
	names_set(EXPORT_NAME_PENDING, NULL);
	CU_ASSERT_EQUAL(match(r, "192.0.2.7", 1, &o, &i), EXPORT_ALLOW);
	CU_ASSERT_EQUAL(names.calls, 0);
	export_rules_free(r);
}

/* Parse @text expecting an error mentioning @want (column and token). */
static void parse_bad(const char *text, const char *want)
{
	struct export_rules *r = NULL;
	char *msg = NULL;

	CU_ASSERT_EQUAL(export_rules_parse(text, &r, &msg), -EINVAL);
	CU_ASSERT_PTR_NULL(r);
	CU_ASSERT_PTR_NOT_NULL(msg);
	if (msg && !strstr(msg, want)) {
		printf("\"%s\": got \"%s\", want \"%s\"\n", text, msg, want);
		CU_FAIL("error message");
	}
	g_free(msg);
}

static void test_parse_errors(void)
{
	parse_bad("10.0.0.0/8(rw) 10.0.0.0/33", "column 16: \"10.0.0.0/33\": bad prefix length");
	parse_bad("host(rw", "column 1: \"host(rw\": missing ')'");
	parse_bad("* (rw)", "column 3: \"(\": options without a client");
	parse_bad("*(rw,bogus)", "column 6: \"bogus\": unknown option");
	parse_bad("*(rw, )", "empty option");
	parse_bad("*()", "empty option list");
	parse_bad("-1.2.3.4(rw)", "a deny entry takes no options");
	parse_bad("-", "'-' needs a client");
	parse_bad("", "no clients given");
	parse_bad("   ", "no clients given");
	parse_bad("1.2.3", "\"1.2.3\": not a host name");
	parse_bad("@ng", "netgroups are not supported");
	parse_bad("*(rw)x", "expected white space after ')'");
	parse_bad("*(anonuid=-1)", "\"anonuid=-1\": needs a number");
	parse_bad("fe80::zz", "not an IPv4/IPv6 address");
	parse_bad("bad_$name", "not a host name");
}

static void test_compat_opts(void)
{
	struct export_rules *r =
		parse_ok("*(rw,sync,no_subtree_check,anongid=5,all_squash,no_all_squash)");
	const struct export_client_opts *o = export_rules_opts(r, 0);

	CU_ASSERT_FATAL(o != NULL);
	CU_ASSERT_FALSE(o->read_only);
	CU_ASSERT_EQUAL(o->squash, EXPORT_ROOT_SQUASH);
	CU_ASSERT_EQUAL(o->anongid, 5);
	export_rules_free(r);
}

struct lines_seen {
	int n;
	char paths[4][32];
	size_t columns[4];
	size_t counts[4];
};

static int collect_line(void *ctx, const char *path, struct export_rules *rules, size_t column,
			char **errmsg)
{
	struct lines_seen *s = ctx;

	if (s->n < 4) {
		g_strlcpy(s->paths[s->n], path, sizeof(s->paths[0]));
		s->columns[s->n] = column;
		s->counts[s->n] = export_rules_count(rules);
		s->n++;
	}
	export_rules_free(rules);
	return 0;
}

static void test_lines(void)
{
	struct lines_seen seen = { 0 };
	char *msg = NULL;

	CU_ASSERT_EQUAL(export_lines_parse("/srv/data 10.0.0.0/8(rw) *(ro);  /pub *(ro,insecure);",
					   collect_line, &seen, &msg),
			0);
	CU_ASSERT_PTR_NULL(msg);
	CU_ASSERT_EQUAL_FATAL(seen.n, 2);
	CU_ASSERT_STRING_EQUAL(seen.paths[0], "/srv/data");
	CU_ASSERT_EQUAL(seen.columns[0], 1);
	CU_ASSERT_EQUAL(seen.counts[0], 2);
	CU_ASSERT_STRING_EQUAL(seen.paths[1], "/pub");
	CU_ASSERT_EQUAL(seen.columns[1], 34);
	CU_ASSERT_EQUAL(seen.counts[1], 1);

	memset(&seen, 0, sizeof(seen));
	CU_ASSERT_EQUAL(export_lines_parse("/a *(ro); /b 10.0.0.1(rw,nope)", collect_line, &seen,
					   &msg),
			-EINVAL);
	/* the column counts in the whole value */
	CU_ASSERT_PTR_NOT_NULL(msg);
	CU_ASSERT_PTR_NOT_NULL(msg ? strstr(msg, "column 26: \"nope\"") : NULL);
	g_free(msg);
	msg = NULL;
	CU_ASSERT_EQUAL(export_lines_parse("srv *(ro)", collect_line, &seen, &msg), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(msg ? strstr(msg, "absolute path") : NULL);
	g_free(msg);
	msg = NULL;
	CU_ASSERT_EQUAL(export_lines_parse("/srv(rw)", collect_line, &seen, &msg), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(msg ? strstr(msg, "put the client first") : NULL);
	g_free(msg);
	msg = NULL;
	CU_ASSERT_EQUAL(export_lines_parse(" ; ", collect_line, &seen, &msg), -EINVAL);
	CU_ASSERT_PTR_NOT_NULL(msg ? strstr(msg, "no export given") : NULL);
	g_free(msg);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("export_rules", NULL, NULL);
	CU_add_test(s, "first match wins, deny, secure, defaults", test_first_match);
	CU_add_test(s, "names and wildcards, asked lazily", test_names);
	CU_add_test(s, "errors name the column and token", test_parse_errors);
	CU_add_test(s, "options copied from /etc/exports", test_compat_opts);
	CU_add_test(s, "the export option: several exports", test_lines);
	return cunit_run();
}

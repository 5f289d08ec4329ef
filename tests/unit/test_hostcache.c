/*
 * test_hostcache.c — xlators/hostcache.c over a fake resolver: names are
 * forward-confirmed (a spoofed PTR is refused), results are cached with
 * positive and negative TTLs, and a dead name server delays nobody: a
 * lookup answers PENDING at once, and a client an address entry allows
 * (export_rules, and the allow lists of xl_addrlist_check) is matched
 * without asking for a name at all.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <arpa/inet.h>
#include <glib.h>
#include <netinet/in.h>
#include <pthread.h>
#include <string.h>

#include "cunit_main.h"
#include "export_rules.h"
#include "hostcache.h"
#include "xlator.h"

/* ------------------------------------------------------- fake resolver */

struct fake_ptr {
	const char *addr, *name;
};
struct fake_a {
	const char *name, *addr;
};

/* Locked with a pthread mutex, not a GMutex: GLib's own locks are
 * invisible to ThreadSanitizer, which then reports the resolver thread's
 * counting as a race with the test reading it. */
static struct {
	pthread_mutex_t lock;
	const struct fake_ptr *ptr;   /* NULL-terminated by addr */
	const struct fake_a *a;
	const char *slow_addr;        /* getnameinfo of it sleeps 5 s */
	int ptr_calls, a_calls;
} fake;

static void addr_text(const struct sockaddr *sa, char *buf, size_t size)
{
	if (sa->sa_family == AF_INET)
		inet_ntop(AF_INET, &((const struct sockaddr_in *)sa)->sin_addr, buf, size);
	else
		inet_ntop(AF_INET6, &((const struct sockaddr_in6 *)sa)->sin6_addr, buf, size);
}

static int fake_getnameinfo(const struct sockaddr *sa, socklen_t salen, char *host,
			    socklen_t hostlen, char *serv, socklen_t servlen, int flags)
{
	char text[INET6_ADDRSTRLEN];
	int ret = EAI_NONAME;

	CU_ASSERT(flags & NI_NAMEREQD);
	addr_text(sa, text, sizeof(text));
	pthread_mutex_lock(&fake.lock);
	fake.ptr_calls++;
	if (fake.slow_addr && !strcmp(text, fake.slow_addr)) {
		pthread_mutex_unlock(&fake.lock);
		g_usleep(5 * G_USEC_PER_SEC); /* a dead name server */
		return EAI_AGAIN;
	}
	for (const struct fake_ptr *p = fake.ptr; p && p->addr; p++)
		if (!strcmp(p->addr, text)) {
			g_strlcpy(host, p->name, hostlen);
			ret = 0;
		}
	pthread_mutex_unlock(&fake.lock);
	return ret;
}

static int fake_getaddrinfo(const char *node, const char *service, const struct addrinfo *hints,
			    struct addrinfo **res)
{
	struct addrinfo *head = NULL, **tail = &head;

	pthread_mutex_lock(&fake.lock);
	fake.a_calls++;
	for (const struct fake_a *a = fake.a; a && a->name; a++) {
		struct addrinfo *ai;
		struct sockaddr_in *s4;

		if (g_ascii_strcasecmp(a->name, node))
			continue;
		ai = g_new0(struct addrinfo, 1);
		s4 = g_new0(struct sockaddr_in, 1);
		s4->sin_family = AF_INET;
		inet_pton(AF_INET, a->addr, &s4->sin_addr);
		ai->ai_family = AF_INET;
		ai->ai_addr = (struct sockaddr *)s4;
		ai->ai_addrlen = sizeof(*s4);
		*tail = ai;
		tail = &ai->ai_next;
	}
	pthread_mutex_unlock(&fake.lock);
	*res = head;
	return head ? 0 : EAI_NONAME;
}

static void fake_freeaddrinfo(struct addrinfo *ai)
{
	while (ai) {
		struct addrinfo *next = ai->ai_next;

		g_free(ai->ai_addr);
		g_free(ai);
		ai = next;
	}
}

static const struct hostcache_resolver fake_resolver = {
	.getnameinfo = fake_getnameinfo,
	.getaddrinfo = fake_getaddrinfo,
	.freeaddrinfo = fake_freeaddrinfo,
};

static void fake_set(const struct fake_ptr *ptr, const struct fake_a *a)
{
	pthread_mutex_lock(&fake.lock);
	fake.ptr = ptr;
	fake.a = a;
	fake.ptr_calls = fake.a_calls = 0;
	pthread_mutex_unlock(&fake.lock);
}

static int fake_ptr_calls(void)
{
	int n;

	pthread_mutex_lock(&fake.lock);
	n = fake.ptr_calls;
	pthread_mutex_unlock(&fake.lock);
	return n;
}

static struct sockaddr_storage sa_of(const char *text)
{
	struct sockaddr_storage ss;

	memset(&ss, 0, sizeof(ss));
	if (strchr(text, ':')) {
		struct sockaddr_in6 *s6 = (struct sockaddr_in6 *)&ss;

		s6->sin6_family = AF_INET6;
		inet_pton(AF_INET6, text, &s6->sin6_addr);
	} else {
		struct sockaddr_in *s4 = (struct sockaddr_in *)&ss;

		s4->sin_family = AF_INET;
		inet_pton(AF_INET, text, &s4->sin_addr);
	}
	return ss;
}

static struct hostcache *cache_new(unsigned pos_ms, unsigned neg_ms, unsigned threads)
{
	struct hostcache_config cfg = {
		.positive_ttl_ms = pos_ms,
		.negative_ttl_ms = neg_ms,
		.threads = threads,
		.resolver = &fake_resolver,
	};
	struct hostcache *hc = hostcache_new(&cfg);

	CU_ASSERT_PTR_NOT_NULL_FATAL(hc);
	return hc;
}

/* Look @addr up, waiting for the answer (2 s at most). */
static enum hostcache_state resolve(struct hostcache *hc, const char *addr, char *name,
				    size_t size)
{
	struct sockaddr_storage ss = sa_of(addr);

	return hostcache_lookup_wait(hc, (struct sockaddr *)&ss, name, size, 2000);
}

static enum hostcache_state peek(struct hostcache *hc, const char *addr, char *name,
				 size_t size)
{
	struct sockaddr_storage ss = sa_of(addr);

	return hostcache_lookup(hc, (struct sockaddr *)&ss, name, size);
}

/* ---------------------------------------------------------------- tests */

static const struct fake_ptr ptrs[] = {
	{ "192.0.2.1", "Host1.Example.COM." },
	{ "192.0.2.66", "trusted.example.com" }, /* the attacker's own PTR */
	{ "192.0.2.77", "192.0.2.1" },           /* a PTR holding an address */
	{ NULL, NULL },
};
static const struct fake_a as[] = {
	{ "host1.example.com", "192.0.2.1" },
	{ "trusted.example.com", "192.0.2.10" },  /* trusted is elsewhere */
	{ "192.0.2.1", "192.0.2.77" },
	{ NULL, NULL },
};

static void test_confirmed(void)
{
	struct hostcache *hc = cache_new(0, 0, 1);
	struct hostcache_stats st;
	char name[256];

	fake_set(ptrs, as);
	CU_ASSERT_EQUAL(peek(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_PENDING);
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_NAME);
	CU_ASSERT_STRING_EQUAL(name, "host1.example.com");
	/* cached: v4-mapped IPv6 is the same client, no new lookup */
	CU_ASSERT_EQUAL(peek(hc, "::ffff:192.0.2.1", name, sizeof(name)), HOSTCACHE_NAME);
	CU_ASSERT_EQUAL(fake_ptr_calls(), 1);
	/* a buffer too short for the name: no (cut) name at all */
	CU_ASSERT_EQUAL(peek(hc, "192.0.2.1", name, 8), HOSTCACHE_NONE);
	/* no PTR at all */
	CU_ASSERT_EQUAL(resolve(hc, "198.51.100.3", name, sizeof(name)), HOSTCACHE_NONE);
	hostcache_stats(hc, &st);
	CU_ASSERT_EQUAL(st.confirmed, 1);
	CU_ASSERT_EQUAL(st.entries, 2);
	hostcache_free(hc);
}

static enum export_name_state cache_name(void *ctx, const struct sockaddr *sa, char *name,
					 size_t size)
{
	switch (hostcache_lookup(ctx, sa, name, size)) {
	case HOSTCACHE_NAME:
		return EXPORT_NAME_KNOWN;
	case HOSTCACHE_NONE:
		return EXPORT_NAME_NONE;
	default:
		return EXPORT_NAME_PENDING;
	}
}

static void test_spoofed(void)
{
	struct hostcache *hc = cache_new(0, 0, 1);
	struct export_rules *rules = NULL;
	struct sockaddr_storage ss = sa_of("192.0.2.66");
	struct hostcache_stats st;
	enum export_verdict v;
	char name[256], *msg = NULL;
	size_t i;

	fake_set(ptrs, as);
	/* PTR says trusted.example.com, which resolves elsewhere */
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.66", name, sizeof(name)), HOSTCACHE_NONE);
	/* a PTR that is an address is no name either */
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.77", name, sizeof(name)), HOSTCACHE_NONE);
	hostcache_stats(hc, &st);
	CU_ASSERT_EQUAL(st.refused, 2);
	CU_ASSERT_EQUAL(st.confirmed, 0);

	CU_ASSERT_EQUAL_FATAL(export_rules_parse("trusted.example.com(rw,insecure)", &rules, &msg),
			      0);
	CU_ASSERT_PTR_NULL(export_rules_match(rules, (struct sockaddr *)&ss, 600, cache_name, hc,
					      &v, &i));
	CU_ASSERT_EQUAL(v, EXPORT_DENY);
	export_rules_free(rules);
	hostcache_free(hc);
}

static void test_ttls(void)
{
	static const struct fake_ptr none[] = { { NULL, NULL } };
	struct hostcache *hc = cache_new(300, 200, 1);
	char name[256];

	/* negative result cached for its TTL */
	fake_set(none, as);
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_NONE);
	fake_set(ptrs, as); /* the PTR appears */
	CU_ASSERT_EQUAL(peek(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_NONE);
	CU_ASSERT_EQUAL(fake_ptr_calls(), 0);
	g_usleep(250 * 1000);
	/* expired: asked again */
	CU_ASSERT_EQUAL(peek(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_PENDING);
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_NAME);
	CU_ASSERT_EQUAL(fake_ptr_calls(), 1);

	/* positive result cached for its TTL, then asked again */
	fake_set(none, as); /* the PTR goes away */
	CU_ASSERT_EQUAL(peek(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_NAME);
	CU_ASSERT_EQUAL(fake_ptr_calls(), 0);
	g_usleep(350 * 1000);
	CU_ASSERT_EQUAL(peek(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_PENDING);
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_NONE);
	CU_ASSERT_EQUAL(fake_ptr_calls(), 1);
	hostcache_free(hc);
}

/* An allow list (rpc-auth.allow, allow=) parsed as the framework does. */
struct allow_conf {
	struct xl_addrlist *list;
};
static const struct xl_option allow_opts[] = {
	{ .key = "allow", .type = XL_OPT_ADDRLIST, .offset = offsetof(struct allow_conf, list) },
	{ NULL },
};

static struct xl_addrlist *allow_parse(struct allow_conf *c, const char *text)
{
	char *msg = NULL;

	CU_ASSERT_EQUAL_FATAL(xl_option_parse(&allow_opts[0], text, c, &msg), 0);
	return c->list;
}

static enum xl_addr_verdict allow_check(const struct xl_addrlist *l, const char *addr,
					struct hostcache *hc)
{
	struct sockaddr_storage ss = sa_of(addr);

	return xl_addrlist_check(l, (struct sockaddr *)&ss, hc);
}

static void test_addrlist_names(void)
{
	struct hostcache *hc = cache_new(0, 0, 1);
	struct allow_conf c = { NULL };
	struct xl_addrlist *l;
	char name[256];

	fake_set(ptrs, as);
	/* a name entry matches the client's confirmed name, case-blind and
	 * with or without the trailing dot; first PENDING, then known */
	l = allow_parse(&c, "HOST1.example.com., 10.0.0.0/8");
	CU_ASSERT_EQUAL(allow_check(l, "192.0.2.1", hc), XL_ADDR_PENDING);
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.1", name, sizeof(name)), HOSTCACHE_NAME);
	CU_ASSERT_EQUAL(allow_check(l, "192.0.2.1", hc), XL_ADDR_YES);
	CU_ASSERT_EQUAL(allow_check(l, "::ffff:192.0.2.1", hc), XL_ADDR_YES);
	/* without a cache a name matches nothing (and nothing is resolved) */
	CU_ASSERT_EQUAL(allow_check(l, "192.0.2.1", NULL), XL_ADDR_NO);
	l = allow_parse(&c, "host1.example.com.evil, other.example.com");
	CU_ASSERT_EQUAL(allow_check(l, "192.0.2.1", hc), XL_ADDR_NO);
	/* the forward lookup of the entry is not enough: the client's PTR
	 * must say the name, and a PTR must resolve back (192.0.2.66 claims
	 * trusted.example.com, which is 192.0.2.10) */
	l = allow_parse(&c, "trusted.example.com");
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.66", name, sizeof(name)), HOSTCACHE_NONE);
	CU_ASSERT_EQUAL(allow_check(l, "192.0.2.66", hc), XL_ADDR_NO);
	CU_ASSERT_EQUAL(resolve(hc, "192.0.2.10", name, sizeof(name)), HOSTCACHE_NONE);
	CU_ASSERT_EQUAL(allow_check(l, "192.0.2.10", hc), XL_ADDR_NO); /* no PTR */
	xl_options_free(allow_opts, &c);
	hostcache_free(hc);
}

static void test_dead_resolver(void)
{
	struct hostcache *hc = cache_new(0, 0, 1);
	struct export_rules *rules = NULL;
	struct sockaddr_storage ss;
	enum export_verdict v;
	char name[256], *msg = NULL;
	struct allow_conf c = { NULL };
	struct xl_addrlist *l;
	int64_t t0, dt;
	size_t i;
	int calls;

	fake_set(ptrs, as);
	pthread_mutex_lock(&fake.lock);
	fake.slow_addr = "203.0.113.9";
	pthread_mutex_unlock(&fake.lock);
	CU_ASSERT_EQUAL_FATAL(export_rules_parse("10.0.0.0/8(rw) *.example.com(rw)", &rules, &msg),
			      0);
	/* a name-only client: its lookup occupies the only resolver thread */
	t0 = g_get_monotonic_time();
	CU_ASSERT_EQUAL(peek(hc, "203.0.113.9", name, sizeof(name)), HOSTCACHE_PENDING);
	CU_ASSERT(g_get_monotonic_time() - t0 < 50 * 1000);
	g_usleep(20 * 1000); /* the thread is now asleep in the resolver */
	t0 = g_get_monotonic_time();
	/* another name-only client: not known yet, answered at once */
	ss = sa_of("198.51.100.20");
	CU_ASSERT_PTR_NULL(export_rules_match(rules, (struct sockaddr *)&ss, 600, cache_name, hc,
					      &v, &i));
	CU_ASSERT_EQUAL(v, EXPORT_PENDING);
	/* a client the address entry allows: no name needed, no wait */
	ss = sa_of("10.1.2.3");
	CU_ASSERT_PTR_NOT_NULL(export_rules_match(rules, (struct sockaddr *)&ss, 600, cache_name,
						  hc, &v, &i));
	CU_ASSERT_EQUAL(v, EXPORT_ALLOW);
	dt = g_get_monotonic_time() - t0;
	printf("(%.1f ms) ", dt / 1000.0);
	CU_ASSERT(dt < 50 * 1000);
	/* the same through an allow list whose name entry comes first */
	l = allow_parse(&c, "dead.example.com, 10.0.0.0/8");
	calls = fake_ptr_calls();
	t0 = g_get_monotonic_time();
	CU_ASSERT_EQUAL(allow_check(l, "10.1.2.3", hc), XL_ADDR_YES);
	CU_ASSERT_EQUAL(allow_check(l, "198.51.100.21", hc), XL_ADDR_PENDING);
	dt = g_get_monotonic_time() - t0;
	printf("(allow list %.1f ms) ", dt / 1000.0);
	CU_ASSERT(dt < 50 * 1000);
	CU_ASSERT_EQUAL(fake_ptr_calls(), calls); /* the stuck thread: nothing new ran */
	xl_options_free(allow_opts, &c);
	/* a bounded wait is bounded */
	t0 = g_get_monotonic_time();
	CU_ASSERT_EQUAL(hostcache_lookup_wait(hc, (struct sockaddr *)&ss, name, sizeof(name), 10),
			HOSTCACHE_PENDING);
	CU_ASSERT(g_get_monotonic_time() - t0 < 50 * 1000);
	/* freeing does not wait for the stuck thread either */
	t0 = g_get_monotonic_time();
	hostcache_free(hc);
	CU_ASSERT(g_get_monotonic_time() - t0 < 50 * 1000);
	export_rules_free(rules);
}

int main(void)
{
	CU_pSuite s;

	pthread_mutex_init(&fake.lock, NULL);
	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("hostcache", NULL, NULL);
	CU_add_test(s, "a forward-confirmed name, cached", test_confirmed);
	CU_add_test(s, "a spoofed reverse name is refused", test_spoofed);
	CU_add_test(s, "positive and negative TTLs", test_ttls);
	CU_add_test(s, "allow lists match confirmed names", test_addrlist_names);
	CU_add_test(s, "a dead name server delays nobody", test_dead_resolver);
	return cunit_run();
}

/*
 * options.c — turning volfile option text into typed conf fields.
 *
 * A module's options table (struct xl_option) says where each value goes
 * in its conf object and how to read it; this file reads one value of each
 * type, checks bounds, and explains a bad value in a message that names
 * what would have been accepted. Address lists (rpc-auth.allow and the
 * like) are parsed here too, with the matcher that checks a client
 * (host names through the hostcache: no lookup on the caller's thread).
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <glib.h>

#include "hostcache.h"
#include "xlator.h"

static const char *const opt_true_words[] = {"on", "yes", "true", "enable", "1", NULL};
static const char *const opt_false_words[] = {"off", "no", "false", "disable", "0", NULL};

static bool opt_word_in(const char *text, const char *const *words)
{
	for (; *words; words++)
		if (strcasecmp(text, *words) == 0)
			return true;
	return false;
}

static bool opt_bounded(const struct xl_option *opt)
{
	return opt->min != 0 || opt->max != 0;
}

/* A byte count as the largest unit that divides it exactly: "4K", "1G". */
static char *opt_size_str(uint64_t v)
{
	static const char units[] = "KMGT";
	int u = -1;

	while (v && v % 1024 == 0 && u < 3) {
		v /= 1024;
		u++;
	}
	return u < 0 ? g_strdup_printf("%" PRIu64, v)
		     : g_strdup_printf("%" PRIu64 "%c", v, units[u]);
}

/* Milliseconds as "250ms" or "30s". */
static char *opt_time_str(uint64_t ms)
{
	return ms % 1000 == 0 && ms ? g_strdup_printf("%" PRIu64 "s", ms / 1000)
				    : g_strdup_printf("%" PRIu64 "ms", ms);
}

/* Reads an unsigned decimal number at the start of @text; *end after it. */
static int opt_read_u64(const char *text, uint64_t *v, const char **end)
{
	char *e;

	if (!isdigit((unsigned char)text[0]))
		return -EINVAL;
	errno = 0;
	*v = strtoull(text, &e, 10);
	if (errno == ERANGE)
		return -ERANGE;
	*end = e;
	return 0;
}

static int opt_parse_size(const char *text, uint64_t *out)
{
	static const char units[] = "KMGT";
	const char *end, *u;
	uint64_t v;
	int shift = 0;

	if (opt_read_u64(text, &v, &end) < 0)
		return -EINVAL;
	if ((*end == 'B' || *end == 'b') && end[1] == '\0')
		end++;
	if (*end) {
		u = strchr(units, toupper((unsigned char)*end));
		if (!u)
			return -EINVAL;
		shift = 10 * (int)(u - units + 1);
		end++;
		if (*end == 'B' || *end == 'b')
			end++;
		if (*end)
			return -EINVAL;
	}
	if (shift && v > (UINT64_MAX >> shift))
		return -ERANGE;
	*out = v << shift;
	return 0;
}

static int opt_parse_time(const char *text, uint64_t *ms)
{
	const char *end;
	uint64_t v;

	if (opt_read_u64(text, &v, &end) < 0)
		return -EINVAL;
	if (strcasecmp(end, "ms") == 0) {
		*ms = v;
		return 0;
	}
	if (*end && strcasecmp(end, "s") != 0)
		return -EINVAL;
	if (v > UINT64_MAX / 1000)
		return -ERANGE;
	*ms = v * 1000;
	return 0;
}

static char *opt_range_text(const struct xl_option *opt)
{
	char *lo, *hi, *s;

	if (!opt_bounded(opt))
		return NULL;
	if (opt->type == XL_OPT_SIZE) {
		lo = opt_size_str((uint64_t)opt->min);
		hi = opt_size_str((uint64_t)opt->max);
	} else if (opt->type == XL_OPT_TIME) {
		lo = opt_time_str((uint64_t)opt->min);
		hi = opt_time_str((uint64_t)opt->max);
	} else {
		lo = g_strdup_printf("%" PRId64, opt->min);
		hi = g_strdup_printf("%" PRId64, opt->max);
	}
	s = g_strdup_printf("between %s and %s", lo, hi);
	g_free(lo);
	g_free(hi);
	return s;
}

static char *opt_choices_text(const struct xl_option *opt)
{
	GString *s = g_string_new(NULL);

	for (const char *const *c = opt->choices; c && *c; c++)
		g_string_append_printf(s, "%s%s", c == opt->choices ? "" : ", ", *c);
	return g_string_free(s, FALSE);
}

char *xl_option_expected(const struct xl_option *opt)
{
	char *range = opt_range_text(opt), *s = NULL, *c;

	switch (opt->type) {
	case XL_OPT_BOOL:
		s = g_strdup("expected on/off, yes/no, true/false, enable/disable or 1/0");
		break;
	case XL_OPT_INT:
		s = range ? g_strdup_printf("expected an integer %s", range)
			  : g_strdup("expected an integer");
		break;
	case XL_OPT_SIZE:
		s = g_strdup_printf("expected a size%s%s (bytes, or with suffix K, M, G or T)",
				    range ? " " : "", range ? range : "");
		break;
	case XL_OPT_TIME:
		s = g_strdup_printf("expected a duration%s%s (suffix ms or s; a bare number is "
				    "seconds)",
				    range ? " " : "", range ? range : "");
		break;
	case XL_OPT_STR:
		s = g_strdup("expected a string");
		break;
	case XL_OPT_PATH:
		s = g_strdup("expected an absolute path");
		break;
	case XL_OPT_ENUM:
		c = opt_choices_text(opt);
		s = g_strdup_printf("expected one of: %s", c);
		g_free(c);
		break;
	case XL_OPT_ADDRLIST:
		s = g_strdup("expected a comma-separated list of *, host names, IPv4/IPv6 "
			     "addresses or CIDR networks (10.0.0.0/8, fd00::/8)");
		break;
	}
	g_free(range);
	return s;
}

static bool opt_in_range(const struct xl_option *opt, uint64_t v, bool is_signed)
{
	if (!opt_bounded(opt))
		return true;
	if (is_signed)
		return (int64_t)v >= opt->min && (int64_t)v <= opt->max;
	if (opt->min > 0 && v < (uint64_t)opt->min)
		return false;
	return opt->max < 0 || v <= (uint64_t)opt->max;
}

/* ------------------------------------------------------------ addresses */

/* A host name: letters, digits, '-', '_' and '.'; labels of 1..63. */
static bool opt_valid_hostname(const char *s)
{
	size_t len = strlen(s), label = 0;

	if (len == 0 || len > 253 || s[0] == '.' || s[0] == '-' || s[len - 1] == '-')
		return false;
	for (; *s; s++) {
		if (*s == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!isalnum((unsigned char)*s) && *s != '-' && *s != '_')
			return false;
		if (++label > 63)
			return false;
	}
	return true;
}

static void opt_mask(uint8_t *addr, unsigned prefix, unsigned bits)
{
	for (unsigned i = prefix; i < bits; i++)
		addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

static int opt_parse_addr(const char *item, struct xl_addr_match *m)
{
	char buf[INET6_ADDRSTRLEN + 8];
	char *slash, *end;
	unsigned long prefix;
	bool all_digits = true;

	memset(m, 0, sizeof(*m));
	if (strcmp(item, "*") == 0)
		return 0;
	if (strlen(item) >= sizeof(buf))
		goto host;
	strcpy(buf, item);
	slash = strchr(buf, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, buf, m->addr) == 1) {
		m->family = AF_INET;
		m->prefix = 32;
	} else if (inet_pton(AF_INET6, buf, m->addr) == 1) {
		m->family = AF_INET6;
		m->prefix = 128;
	} else if (slash || strchr(buf, ':')) {
		return -EINVAL;
	}
	if (m->family && slash) {
		errno = 0;
		prefix = strtoul(slash + 1, &end, 10);
		if (!isdigit((unsigned char)slash[1]) || *end || errno || prefix > m->prefix)
			return -EINVAL;
		m->prefix = (unsigned)prefix;
	}
	if (m->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((struct in6_addr *)m->addr) &&
	    m->prefix >= 96) {
		/* ::ffff:a.b.c.d matches the IPv4 client a.b.c.d. */
		memmove(m->addr, m->addr + 12, 4);
		memset(m->addr + 4, 0, 12);
		m->family = AF_INET;
		m->prefix -= 96;
	}
	if (m->family) {
		opt_mask(m->addr, m->prefix, m->family == AF_INET ? 32 : 128);
		return 0;
	}
host:
	for (const char *p = item; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			all_digits = false;
	if (all_digits || !opt_valid_hostname(item))
		return -EINVAL;
	m->family = AF_UNSPEC;
	m->host = g_strdup(item);
	return 0;
}

static void opt_addrlist_free(struct xl_addrlist *list)
{
	if (!list)
		return;
	for (size_t i = 0; i < list->count; i++)
		g_free(list->items[i].host);
	g_free(list);
}

/* Parses @text; on a bad entry returns -EINVAL with *bad naming it. */
static int opt_parse_addrlist(const char *text, struct xl_addrlist **out, char **bad)
{
	gchar **parts = g_strsplit(text, ",", -1);
	guint n = g_strv_length(parts);
	struct xl_addrlist *list = g_malloc0(sizeof(*list) + n * sizeof(list->items[0]));
	int ret = 0;

	for (guint i = 0; i < n; i++) {
		char *item = g_strstrip(parts[i]);

		if (opt_parse_addr(item, &list->items[list->count]) < 0) {
			*bad = g_strdup(item);
			ret = -EINVAL;
			goto out;
		}
		list->count++;
	}
	if (list->count == 0) {
		*bad = g_strdup(text);
		ret = -EINVAL;
	}
out:
	g_strfreev(parts);
	if (ret < 0)
		opt_addrlist_free(list);
	else
		*out = list;
	return ret;
}

bool xl_addr_prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix)
{
	unsigned bytes = prefix / 8, rest = prefix % 8;
	uint8_t mask;

	if (memcmp(a, b, bytes) != 0)
		return false;
	if (!rest)
		return true;
	mask = (uint8_t)(0xff00u >> rest);
	return (a[bytes] & mask) == (b[bytes] & mask);
}

/* Is @entry (an allow-list host name) the cached name @name (lower
 * case, no trailing dot)? */
static bool opt_host_is(const char *entry, const char *name)
{
	size_t len = strlen(entry);

	if (len && entry[len - 1] == '.')
		len--;
	return len == strlen(name) && g_ascii_strncasecmp(entry, name, len) == 0;
}

bool xl_addrlist_has_names(const struct xl_addrlist *list)
{
	for (size_t i = 0; list && i < list->count; i++)
		if (list->items[i].host)
			return true;
	return false;
}

enum xl_addr_verdict xl_addrlist_check(const struct xl_addrlist *list, const struct sockaddr *sa,
				       struct hostcache *hosts)
{
	uint8_t addr[16] = {0};
	char name[256];
	int family;

	if (!list || !sa)
		return XL_ADDR_NO;
	if (sa->sa_family == AF_INET) {
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		family = AF_INET;
	} else if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(addr, a6->s6_addr + 12, 4);
			family = AF_INET;
		} else {
			memcpy(addr, a6->s6_addr, 16);
			family = AF_INET6;
		}
	} else {
		return XL_ADDR_NO;
	}
	for (size_t i = 0; i < list->count; i++) {
		const struct xl_addr_match *m = &list->items[i];

		if (m->family == 0 && !m->host) /* "*"; AF_UNSPEC is 0 too: a host */
			return XL_ADDR_YES;
		if (m->family == family && xl_addr_prefix_equal(addr, m->addr, m->prefix))
			return XL_ADDR_YES;
	}
	if (!hosts || !xl_addrlist_has_names(list))
		return XL_ADDR_NO;
	/* The client's name as hostcache confirms it: its PTR record, only
	 * if that name resolves back to the client (whoever owns the
	 * address writes its PTR record). */
	switch (hostcache_lookup(hosts, sa, name, sizeof(name))) {
	case HOSTCACHE_NAME:
		break;
	case HOSTCACHE_PENDING:
		return XL_ADDR_PENDING;
	default:
		return XL_ADDR_NO;
	}
	for (size_t i = 0; i < list->count; i++)
		if (list->items[i].host && opt_host_is(list->items[i].host, name))
			return XL_ADDR_YES;
	return XL_ADDR_NO;
}

/* -------------------------------------------------------------- parsing */

int xl_option_parse(const struct xl_option *opt, const char *text, void *conf, char **errmsg)
{
	char *field = (char *)conf + opt->offset;
	char *expected = NULL, *bad = NULL;
	struct xl_addrlist *list = NULL;
	uint64_t u;
	int ret = 0;

	*errmsg = NULL;
	if (opt->check) {
		char *why = NULL;

		if (opt->check(text, &why) < 0) {
			*errmsg = g_strdup_printf("option '%s': %s", opt->key,
						  why ? why : "invalid value");
			g_free(why);
			return -EINVAL;
		}
	}
	switch (opt->type) {
	case XL_OPT_BOOL: {
		bool b = opt_word_in(text, opt_true_words);

		if (!b && !opt_word_in(text, opt_false_words))
			goto bad_value;
		memcpy(field, &b, sizeof(b));
		break;
	}
	case XL_OPT_INT: {
		char *end;
		int64_t v;

		errno = 0;
		v = strtoll(text, &end, 10);
		if (!*text || *end || errno || isspace((unsigned char)*text) ||
		    !opt_in_range(opt, (uint64_t)v, true))
			goto bad_value;
		memcpy(field, &v, sizeof(v));
		break;
	}
	case XL_OPT_SIZE:
		if (opt_parse_size(text, &u) < 0 || !opt_in_range(opt, u, false))
			goto bad_value;
		memcpy(field, &u, sizeof(u));
		break;
	case XL_OPT_TIME:
		if (opt_parse_time(text, &u) < 0 || !opt_in_range(opt, u, false))
			goto bad_value;
		memcpy(field, &u, sizeof(u));
		break;
	case XL_OPT_PATH:
		if (text[0] != '/')
			goto bad_value;
		/* fall through */
	case XL_OPT_STR: {
		char *old;

		memcpy(&old, field, sizeof(old));
		g_free(old);
		old = g_strdup(text);
		memcpy(field, &old, sizeof(old));
		break;
	}
	case XL_OPT_ENUM: {
		int i;

		for (i = 0; opt->choices && opt->choices[i]; i++)
			if (strcasecmp(text, opt->choices[i]) == 0)
				break;
		if (!opt->choices || !opt->choices[i])
			goto bad_value;
		memcpy(field, &i, sizeof(i));
		break;
	}
	case XL_OPT_ADDRLIST: {
		struct xl_addrlist *old;

		if (opt_parse_addrlist(text, &list, &bad) < 0) {
			expected = xl_option_expected(opt);
			*errmsg = g_strdup_printf("invalid address '%s' in option '%s': %s", bad,
						  opt->key, expected);
			ret = -EINVAL;
			goto out;
		}
		memcpy(&old, field, sizeof(old));
		opt_addrlist_free(old);
		memcpy(field, &list, sizeof(list));
		break;
	}
	default:
		*errmsg =
		    g_strdup_printf("option '%s' has an unknown type %d", opt->key, (int)opt->type);
		ret = -EINVAL;
		goto out;
	}
	goto out;

bad_value:
	expected = xl_option_expected(opt);
	*errmsg =
	    g_strdup_printf("invalid value '%s' for option '%s': %s", text, opt->key, expected);
	ret = -EINVAL;
out:
	g_free(expected);
	g_free(bad);
	return ret;
}

void xl_options_free(const struct xl_option *opts, void *conf)
{
	if (!opts || !conf)
		return;
	for (; opts->key; opts++) {
		char *field = (char *)conf + opts->offset;
		void *p;

		if (opts->type != XL_OPT_STR && opts->type != XL_OPT_PATH &&
		    opts->type != XL_OPT_ADDRLIST)
			continue;
		memcpy(&p, field, sizeof(p));
		if (opts->type == XL_OPT_ADDRLIST)
			opt_addrlist_free(p);
		else
			g_free(p);
		p = NULL;
		memcpy(field, &p, sizeof(p));
	}
}

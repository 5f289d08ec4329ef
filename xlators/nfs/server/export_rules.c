/*
 * export_rules.c — exports(5)-style client lists: parsing with errors
 * that point at a column, and first-match-wins matching that never
 * resolves a name itself. See export_rules.h for the syntax.
 */
#include "config.h"

#include <arpa/inet.h>
#include <ctype.h>
#include <errno.h>
#include <fnmatch.h>
#include <glib.h>
#include <netinet/in.h>
#include <string.h>

#include "export_rules.h"
#include "xlator.h"

#define EXPORT_NOBODY 65534u
#define EXPORT_PRIVILEGED_PORTS 1024u

const struct export_client_opts export_client_defaults = {
	.read_only = true,
	.squash = EXPORT_ROOT_SQUASH,
	.anonuid = EXPORT_NOBODY,
	.anongid = EXPORT_NOBODY,
	.secure = true,
};

enum export_kind {
	EXPORT_KIND_ANY,          /* "*" */
	EXPORT_KIND_ADDR,         /* address / prefix */
	EXPORT_KIND_HOST,         /* one host name */
	EXPORT_KIND_WILDCARD,     /* a name pattern */
};

struct export_entry {
	enum export_kind kind;
	bool deny;
	int family;               /* ADDR: AF_INET or AF_INET6 */
	uint8_t addr[16];         /* ADDR: network order, masked */
	unsigned prefix;
	char *name;               /* HOST, WILDCARD: lower case */
	char *spec;               /* as written, '-' included */
	struct export_client_opts opts;
};

struct export_rules {
	size_t count;
	struct export_entry *entries;
};

/* ------------------------------------------------------------- parsing */

struct export_parser {
	const char *text;         /* the whole option value (for columns) */
	char **errmsg;
};

static int export_fail(struct export_parser *ps, const char *at, size_t len, const char *fmt,
		       ...) G_GNUC_PRINTF(4, 5);

/* Set *errmsg to "column C: "TOKEN": message" and return -EINVAL. */
static int export_fail(struct export_parser *ps, const char *at, size_t len, const char *fmt,
		       ...)
{
	va_list ap;
	char *msg, *tok;

	va_start(ap, fmt);
	msg = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	tok = g_strndup(at, len);
	g_free(*ps->errmsg);
	*ps->errmsg = g_strdup_printf("column %zu: \"%s\": %s", (size_t)(at - ps->text) + 1, tok,
				      msg);
	g_free(tok);
	g_free(msg);
	return -EINVAL;
}

static bool export_parse_id(const char *s, uint32_t *out)
{
	guint64 v;

	if (!g_ascii_string_to_unsigned(s, 10, 0, UINT32_MAX, &v, NULL))
		return false;
	*out = (uint32_t)v;
	return true;
}

/* Options accepted for compatibility with /etc/exports lines; no effect. */
static const char *const export_ignored_opts[] = {
	"sync", "wdelay", "no_wdelay", "subtree_check", "no_subtree_check", NULL,
};

/* Apply the option @opt (@len bytes at @opt) to @o. */
static int export_apply_opt(struct export_parser *ps, const char *opt, size_t len,
			    struct export_client_opts *o)
{
	char *s = g_strndup(opt, len);
	uint32_t id;
	int ret = 0;

	if (!strcmp(s, "ro")) {
		o->read_only = true;
	} else if (!strcmp(s, "rw")) {
		o->read_only = false;
	} else if (!strcmp(s, "root_squash")) {
		o->squash = EXPORT_ROOT_SQUASH;
	} else if (!strcmp(s, "no_root_squash")) {
		o->squash = EXPORT_NO_ROOT_SQUASH;
	} else if (!strcmp(s, "all_squash")) {
		o->squash = EXPORT_ALL_SQUASH;
	} else if (!strcmp(s, "no_all_squash")) {
		if (o->squash == EXPORT_ALL_SQUASH)
			o->squash = EXPORT_ROOT_SQUASH;
	} else if (!strcmp(s, "secure")) {
		o->secure = true;
	} else if (!strcmp(s, "insecure")) {
		o->secure = false;
	} else if (g_str_has_prefix(s, "anonuid=") || g_str_has_prefix(s, "anongid=")) {
		if (!export_parse_id(s + 8, &id))
			ret = export_fail(ps, opt, len, "needs a number in [0, 4294967295]");
		else if (s[4] == 'u')
			o->anonuid = id;
		else
			o->anongid = id;
	} else if (!g_strv_contains(export_ignored_opts, s)) {
		ret = export_fail(ps, opt, len,
				  "unknown option (valid: ro, rw, root_squash, no_root_squash, "
				  "all_squash, no_all_squash, anonuid=N, anongid=N, secure, "
				  "insecure)");
	}
	g_free(s);
	return ret;
}

/* Parse "OPT,OPT" between @open ('(') and @close (')') into @o. */
static int export_parse_opts(struct export_parser *ps, const char *open, const char *close,
			     struct export_client_opts *o)
{
	const char *p = open + 1;

	if (p == close)
		return export_fail(ps, open, (size_t)(close - open) + 1, "empty option list");
	while (p <= close) {
		const char *end = p;
		const char *a, *b;

		while (end < close && *end != ',')
			end++;
		a = p;
		b = end;
		while (a < b && g_ascii_isspace(*a))
			a++;
		while (b > a && g_ascii_isspace(b[-1]))
			b--;
		if (a == b)
			return export_fail(ps, open, (size_t)(close - open) + 1,
					   "empty option in the list");
		if (export_apply_opt(ps, a, (size_t)(b - a), o) < 0)
			return -EINVAL;
		p = end + 1;
	}
	return 0;
}

static void export_mask(uint8_t *addr, unsigned prefix, unsigned bits)
{
	for (unsigned i = prefix; i < bits; i++)
		addr[i / 8] &= (uint8_t) ~(0x80u >> (i % 8));
}

/* A host name or wildcard: letters, digits, '-', '_', '.', and for a
 * wildcard '*' and '?'. */
static bool export_valid_name(const char *s, bool wildcard)
{
	if (!*s || strlen(s) > 253 || s[0] == '.' || s[0] == '-')
		return false;
	for (; *s; s++) {
		if (isalnum((unsigned char)*s) || strchr("-_.", *s))
			continue;
		if (wildcard && (*s == '*' || *s == '?'))
			continue;
		return false;
	}
	return true;
}

/* Parse the client spec @spec (@len bytes at @at in the text) into @e. */
static int export_parse_spec(struct export_parser *ps, const char *at, size_t len,
			     struct export_entry *e)
{
	char *s = g_strndup(at, len);
	char *slash;
	bool digits_only = true;
	int ret = 0;

	if (!strcmp(s, "*")) {
		e->kind = EXPORT_KIND_ANY;
		goto out;
	}
	if (s[0] == '@') {
		ret = export_fail(ps, at, len, "netgroups are not supported");
		goto out;
	}
	if (strpbrk(s, "*?")) {
		if (!export_valid_name(s, true)) {
			ret = export_fail(ps, at, len, "not a valid wildcard name");
			goto out;
		}
		e->kind = EXPORT_KIND_WILDCARD;
		e->name = g_ascii_strdown(s, -1);
		goto out;
	}
	slash = strchr(s, '/');
	if (slash)
		*slash = '\0';
	if (inet_pton(AF_INET, s, e->addr) == 1) {
		e->family = AF_INET;
		e->prefix = 32;
	} else if (inet_pton(AF_INET6, s, e->addr) == 1) {
		e->family = AF_INET6;
		e->prefix = 128;
	} else if (slash || strchr(s, ':')) {
		ret = export_fail(ps, at, len, "not an IPv4/IPv6 address or network");
		goto out;
	}
	if (e->family) {
		if (slash) {
			char *end;
			unsigned long prefix;

			errno = 0;
			prefix = strtoul(slash + 1, &end, 10);
			if (!isdigit((unsigned char)slash[1]) || *end || errno ||
			    prefix > e->prefix) {
				ret = export_fail(ps, at, len, "bad prefix length (0-%u)",
						  e->prefix);
				goto out;
			}
			e->prefix = (unsigned)prefix;
		}
		if (e->family == AF_INET6 && IN6_IS_ADDR_V4MAPPED((struct in6_addr *)e->addr) &&
		    e->prefix >= 96) {
			/* ::ffff:a.b.c.d/N is the IPv4 network a.b.c.d/N-96 */
			memmove(e->addr, e->addr + 12, 4);
			memset(e->addr + 4, 0, 12);
			e->family = AF_INET;
			e->prefix -= 96;
		}
		export_mask(e->addr, e->prefix, e->family == AF_INET ? 32 : 128);
		e->kind = EXPORT_KIND_ADDR;
		goto out;
	}
	for (const char *p = s; *p; p++)
		if (!isdigit((unsigned char)*p) && *p != '.')
			digits_only = false;
	if (digits_only || !export_valid_name(s, false)) {
		ret = export_fail(ps, at, len,
				  "not a host name, address, network, wildcard name or *");
		goto out;
	}
	e->kind = EXPORT_KIND_HOST;
	e->name = g_ascii_strdown(s, -1);
out:
	g_free(s);
	return ret;
}

static void export_entry_clear(struct export_entry *e)
{
	g_free(e->name);
	g_free(e->spec);
}

void export_rules_free(struct export_rules *rules)
{
	if (!rules)
		return;
	for (size_t i = 0; i < rules->count; i++)
		export_entry_clear(&rules->entries[i]);
	g_free(rules->entries);
	g_free(rules);
}

/* Parse the client list in [@p, @end) of ps->text. */
static int export_rules_parse_range(struct export_parser *ps, const char *p, const char *end,
				    struct export_rules **out)
{
	GArray *arr = g_array_new(FALSE, TRUE, sizeof(struct export_entry));
	struct export_rules *rules;
	int ret = 0;

	while (p < end) {
		struct export_entry e = { .opts = export_client_defaults };
		const char *start, *spec;
		size_t slen;

		while (p < end && g_ascii_isspace(*p))
			p++;
		if (p == end)
			break;
		start = p;
		while (p < end && *p != '(' && *p != ')' && !g_ascii_isspace(*p))
			p++;
		if (p == start) {
			ret = export_fail(ps, start, 1,
					  *start == '(' ? "options without a client: write "
							  "them right after it (no space), "
							  "*(...) for everyone"
							: "unexpected ')'");
			goto out;
		}
		spec = start;
		if (*spec == '-') {
			e.deny = true;
			spec++;
		}
		slen = (size_t)(p - spec);
		if (slen == 0) {
			ret = export_fail(ps, start, 1, "'-' needs a client to deny");
			goto out;
		}
		if (export_parse_spec(ps, spec, slen, &e) < 0) {
			ret = -EINVAL;
			goto out;
		}
		e.spec = g_strndup(start, (gsize)(p - start));
		g_array_append_val(arr, e); /* the error paths below free it */
		if (p < end && *p == '(') {
			const char *close = memchr(p, ')', (size_t)(end - p));

			if (!close) {
				ret = export_fail(ps, start, (size_t)(end - start),
						  "missing ')'");
				goto out;
			}
			if (e.deny) {
				ret = export_fail(ps, start, (size_t)(close - start) + 1,
						  "a deny entry takes no options");
				goto out;
			}
			if (export_parse_opts(ps, p, close,
					      &g_array_index(arr, struct export_entry,
							     arr->len - 1).opts) < 0) {
				ret = -EINVAL;
				goto out;
			}
			p = close + 1;
			if (p < end && !g_ascii_isspace(*p)) {
				ret = export_fail(ps, start, (size_t)(p - start) + 1,
						  "expected white space after ')'");
				goto out;
			}
		}
	}
	if (arr->len == 0) {
		g_free(*ps->errmsg);
		*ps->errmsg = g_strdup_printf("column %zu: no clients given (write * for everyone)",
					      (size_t)(end - ps->text) + 1);
		ret = -EINVAL;
		goto out;
	}
	rules = g_new0(struct export_rules, 1);
	rules->count = arr->len;
	rules->entries = (struct export_entry *)(void *)g_array_free(arr, FALSE);
	*out = rules;
	return 0;
out:
	for (guint i = 0; i < arr->len; i++)
		export_entry_clear(&g_array_index(arr, struct export_entry, i));
	g_array_free(arr, TRUE);
	return ret;
}

int export_rules_parse(const char *text, struct export_rules **out, char **errmsg)
{
	struct export_parser ps = { .text = text ? text : "", .errmsg = errmsg };

	*errmsg = NULL;
	return export_rules_parse_range(&ps, ps.text, ps.text + strlen(ps.text), out);
}

/* "/..." or "NAME:/..." with NAME a volume name (what the server's
 * nfs_export_set_spec reads). */
static bool export_is_path(const char *s, size_t len)
{
	size_t i = 0;

	while (i < len && (isalnum((unsigned char)s[i]) || strchr("_-.", s[i])))
		i++;
	if (i > 0 && i + 1 < len && s[i] == ':')
		i++;
	return i < len && s[i] == '/' && (i == 0 || s[i - 1] == ':');
}

int export_lines_parse(const char *text, export_line_fn fn, void *ctx, char **errmsg)
{
	struct export_parser ps = { .text = text ? text : "", .errmsg = errmsg };
	const char *p = ps.text;
	int ret = 0, lines = 0;

	*errmsg = NULL;
	while (*p) {
		const char *end = strchr(p, ';');
		const char *path;
		struct export_rules *rules = NULL;
		char *pathcopy;

		if (!end)
			end = p + strlen(p);
		while (p < end && g_ascii_isspace(*p))
			p++;
		if (p == end)
			goto next; /* an empty entry, e.g. after a final ';' */
		path = p;
		while (p < end && !g_ascii_isspace(*p))
			p++;
		if (!export_is_path(path, (size_t)(p - path)))
			return export_fail(&ps, path, (size_t)(p - path),
					   "expected the absolute path of an export, or "
					   "SUBVOLUME:/PATH");
		if (memchr(path, '(', (size_t)(p - path)) || memchr(path, ')', (size_t)(p - path)))
			return export_fail(&ps, path, (size_t)(p - path),
					   "a path followed by options: put the client first, "
					   "e.g. \"/srv *(rw)\"");
		ret = export_rules_parse_range(&ps, p, end, &rules);
		if (ret < 0)
			return ret;
		pathcopy = g_strndup(path, (gsize)(p - path));
		ret = fn(ctx, pathcopy, rules, (size_t)(path - ps.text) + 1, errmsg);
		g_free(pathcopy);
		if (ret)
			return ret;
		lines++;
next:
		p = *end ? end + 1 : end;
	}
	if (lines == 0) {
		g_free(*errmsg);
		*errmsg = g_strdup("no export given (\"PATH CLIENT(OPTS) ...; PATH ...\")");
		return -EINVAL;
	}
	return 0;
}

/* ------------------------------------------------------------- queries */

size_t export_rules_count(const struct export_rules *rules)
{
	return rules ? rules->count : 0;
}

const char *export_rules_spec(const struct export_rules *rules, size_t i)
{
	return i < rules->count ? rules->entries[i].spec : NULL;
}

const struct export_client_opts *export_rules_opts(const struct export_rules *rules, size_t i)
{
	if (i >= rules->count || rules->entries[i].deny)
		return NULL;
	return &rules->entries[i].opts;
}

bool export_rules_is_everyone(const struct export_rules *rules, size_t i)
{
	return i < rules->count && rules->entries[i].kind == EXPORT_KIND_ANY;
}

/* ------------------------------------------------------------ matching */

/* @sa's family and address (v4-mapped IPv6 as IPv4); false if neither. */
static bool export_client_addr(const struct sockaddr *sa, int *family, uint8_t addr[16])
{
	memset(addr, 0, 16);
	if (sa->sa_family == AF_INET) {
		memcpy(addr, &((const struct sockaddr_in *)sa)->sin_addr, 4);
		*family = AF_INET;
		return true;
	}
	if (sa->sa_family == AF_INET6) {
		const struct in6_addr *a6 = &((const struct sockaddr_in6 *)sa)->sin6_addr;

		if (IN6_IS_ADDR_V4MAPPED(a6)) {
			memcpy(addr, a6->s6_addr + 12, 4);
			*family = AF_INET;
		} else {
			memcpy(addr, a6->s6_addr, 16);
			*family = AF_INET6;
		}
		return true;
	}
	return false;
}

const struct export_client_opts *export_rules_match(const struct export_rules *rules,
						    const struct sockaddr *sa, uint16_t src_port,
						    export_name_fn name_fn, void *name_ctx,
						    enum export_verdict *verdict, size_t *index)
{
	enum export_name_state nstate = EXPORT_NAME_PENDING;
	bool asked = false;
	char name[256];
	uint8_t addr[16];
	int family;

	*verdict = EXPORT_DENY;
	*index = rules ? rules->count : 0;
	if (!rules || !sa || !export_client_addr(sa, &family, addr))
		return NULL;
	for (size_t i = 0; i < rules->count; i++) {
		const struct export_entry *e = &rules->entries[i];
		bool match = false;

		switch (e->kind) {
		case EXPORT_KIND_ANY:
			match = true;
			break;
		case EXPORT_KIND_ADDR:
			match = e->family == family && xl_addr_prefix_equal(addr, e->addr, e->prefix);
			break;
		case EXPORT_KIND_HOST:
		case EXPORT_KIND_WILDCARD:
			if (!asked) {
				asked = true;
				nstate = name_fn ? name_fn(name_ctx, sa, name, sizeof(name))
						 : EXPORT_NAME_NONE;
			}
			if (nstate == EXPORT_NAME_PENDING) {
				/* This entry might be the first match: nothing can
				 * be decided before the name is known. */
				*verdict = EXPORT_PENDING;
				*index = i;
				return NULL;
			}
			if (nstate != EXPORT_NAME_KNOWN)
				break;
			if (e->kind == EXPORT_KIND_HOST)
				match = g_ascii_strcasecmp(e->name, name) == 0;
			else
				match = fnmatch(e->name, name, FNM_CASEFOLD) == 0;
			break;
		}
		if (!match)
			continue;
		*index = i;
		if (e->deny) {
			*verdict = EXPORT_DENY;
			return NULL;
		}
		if (e->opts.secure && src_port >= EXPORT_PRIVILEGED_PORTS) {
			*verdict = EXPORT_INSECURE_PORT;
			return NULL;
		}
		*verdict = EXPORT_ALLOW;
		return &e->opts;
	}
	return NULL;
}

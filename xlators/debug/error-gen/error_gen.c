/*
 * error_gen.c — debug/error-gen: fail chosen fops with a chosen errno, to
 * drive every error path of the translators and the NFS layer above.
 *
 *     volume faults
 *         type debug/error-gen
 *         option fops write,fsync         # or "all"; none by default
 *         option error ENOSPC             # by name (or number); EIO by default
 *         option rate 25                  # percent of the matching calls
 *         option seed 7                   # the same calls fail every run
 *         option after 100                # the first 100 matching calls pass
 *         option name-pattern *.bad       # only entries whose name matches
 *         subvolumes brick
 *     end-volume
 *
 * Built on the contract's hooks only: the enter hook decides, before the
 * call reaches the child, and a failed call never reaches it (the leave
 * hook is not needed). The decision is made under one mutex, so "after"
 * and the seeded rate give the same sequence of failures for the same
 * sequence of calls. Fop names are the contract's (xl_fop_name), plus
 * "commit" for fsync and "remove" for unlink. Tests change the rule at
 * run time with eg_set_rule() (error_gen.h).
 */
#include "config.h"

#include <errno.h>
#include <fnmatch.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "error_gen.h"

struct eg_conf {
	char *fops;
	char *error;
	int64_t rate;
	int64_t seed;
	int64_t after;
	char *pattern;
};

struct eg_priv {
	pthread_mutex_t lock;
	uint64_t fops;
	int error;
	unsigned rate;
	uint64_t after;
	char *pattern;
	uint64_t rng;            /* xorshift64 state */
	uint64_t matched_total;  /* matching calls since the rule was set */
	uint64_t seen[XL_FOP_COUNT], matched[XL_FOP_COUNT], failed[XL_FOP_COUNT];
};

static const struct xl_option eg_options[] = {
	{ .key = "fops", .type = XL_OPT_STR, .def = "",
	  .offset = offsetof(struct eg_conf, fops),
	  .desc = "comma list of fops to fail (lookup, write, fsync or commit, ...) or \"all\"; "
		  "empty: none" },
	{ .key = "error", .type = XL_OPT_STR, .def = "EIO",
	  .offset = offsetof(struct eg_conf, error),
	  .desc = "the errno failed calls return, by name (EIO, ENOSPC, EDQUOT, ESTALE, EACCES, "
		  "...) or number" },
	{ .key = "rate", .type = XL_OPT_INT, .def = "100", .min = 0, .max = 100,
	  .offset = offsetof(struct eg_conf, rate),
	  .desc = "percent of the matching calls that fail" },
	{ .key = "seed", .type = XL_OPT_INT, .def = "1", .min = 0, .max = INT64_MAX,
	  .offset = offsetof(struct eg_conf, seed),
	  .desc = "seed of the rate's generator: the same seed fails the same calls" },
	{ .key = "after", .type = XL_OPT_INT, .def = "0", .min = 0, .max = INT64_MAX,
	  .offset = offsetof(struct eg_conf, after),
	  .desc = "let this many matching calls succeed before failing any" },
	{ .key = "name-pattern", .type = XL_OPT_STR,
	  .offset = offsetof(struct eg_conf, pattern),
	  .desc = "fail only calls on an entry whose name (or rename's/link's new name) matches "
		  "this fnmatch(3) pattern" },
	{ NULL }
};

/* ------------------------------------------------------------ names */

static const struct {
	const char *name;
	int value;
} eg_errnos[] = {
	{"EPERM", EPERM},   {"ENOENT", ENOENT},       {"EIO", EIO},
	{"ENXIO", ENXIO},   {"EBADF", EBADF},         {"EAGAIN", EAGAIN},
	{"ENOMEM", ENOMEM}, {"EACCES", EACCES},       {"EBUSY", EBUSY},
	{"EEXIST", EEXIST}, {"EXDEV", EXDEV},         {"ENODEV", ENODEV},
	{"ENOTDIR", ENOTDIR}, {"EISDIR", EISDIR},     {"EINVAL", EINVAL},
	{"ENFILE", ENFILE}, {"EMFILE", EMFILE},       {"EFBIG", EFBIG},
	{"ENOSPC", ENOSPC}, {"EROFS", EROFS},         {"EMLINK", EMLINK},
	{"ERANGE", ERANGE}, {"ENAMETOOLONG", ENAMETOOLONG}, {"ENOSYS", ENOSYS},
	{"ENOTEMPTY", ENOTEMPTY}, {"ENODATA", ENODATA}, {"ENOTSUP", ENOTSUP},
	{"EOPNOTSUPP", EOPNOTSUPP}, {"ETIMEDOUT", ETIMEDOUT}, {"ESTALE", ESTALE},
	{"EDQUOT", EDQUOT}, {"ENOTCONN", ENOTCONN},   {"ECONNREFUSED", ECONNREFUSED},
	{"EDEADLK", EDEADLK}, {"ENOLCK", ENOLCK},     {"E2BIG", E2BIG},
};

int eg_errno_by_name(const char *name)
{
	char *end;
	long v;

	if (!name || !*name)
		return -1;
	for (size_t i = 0; i < G_N_ELEMENTS(eg_errnos); i++)
		if (!g_ascii_strcasecmp(eg_errnos[i].name, name))
			return eg_errnos[i].value;
	v = strtol(name, &end, 10);
	return *end || v <= 0 || v > 4095 ? -1 : (int)v;
}

/* The fop bits of the list @text: 0 with *fops, or -EINVAL naming the
 * unknown fop in the log. */
static int eg_parse_fops(struct xl *xl, const char *text, uint64_t *fops)
{
	char **names = g_strsplit(text ? text : "", ",", -1);
	int ret = 0;

	*fops = 0;
	for (char **n = names; *n; n++) {
		char *name = g_strstrip(*n);
		int fop;

		if (!*name)
			continue;
		if (!strcmp(name, "all")) {
			*fops = EG_ALL_FOPS;
			continue;
		}
		if (!strcmp(name, "commit"))
			fop = XL_FOP_FSYNC;
		else if (!strcmp(name, "remove"))
			fop = XL_FOP_UNLINK;
		else
			fop = xl_fop_by_name(name);
		if (fop < 0) {
			xl_log(xl, XL_LOG_ERROR, "option fops: unknown fop '%s'", name);
			ret = -EINVAL;
			break;
		}
		*fops |= UINT64_C(1) << fop;
	}
	g_strfreev(names);
	return ret;
}

/* ------------------------------------------------------------ the rule */

static uint64_t eg_random(struct eg_priv *priv)
{
	uint64_t x = priv->rng;

	x ^= x << 13;
	x ^= x >> 7;
	x ^= x << 17;
	priv->rng = x;
	return x;
}

/* Install @rule into @priv (lock held). */
static void eg_rule_install(struct eg_priv *priv, const struct eg_rule *rule)
{
	priv->fops = rule->fops & EG_ALL_FOPS;
	priv->error = rule->error;
	priv->rate = rule->rate;
	priv->after = rule->after;
	g_free(priv->pattern);
	priv->pattern = g_strdup(rule->pattern);
	/* xorshift must not start at 0 */
	priv->rng = rule->seed * UINT64_C(0x9E3779B97F4A7C15) + UINT64_C(0x2545F4914F6CDD1D);
	if (!priv->rng)
		priv->rng = 1;
	priv->matched_total = 0;
}

static bool eg_name_matches(const char *pattern, const struct xl_fop_frame *f)
{
	const char *second = NULL;

	if (!pattern)
		return true;
	if (f->fop == XL_FOP_RENAME || f->fop == XL_FOP_LINK)
		second = f->name2;
	return (f->name && fnmatch(pattern, f->name, 0) == 0) ||
	       (second && fnmatch(pattern, second, 0) == 0);
}

static int eg_enter(struct xl *xl, struct xl_fop_frame *f)
{
	struct eg_priv *priv = xl->private;
	int ret = 0;

	if (!priv || f->fop >= XL_FOP_COUNT)
		return 0;
	pthread_mutex_lock(&priv->lock);
	priv->seen[f->fop]++;
	if (!(priv->fops & (UINT64_C(1) << f->fop)) || !eg_name_matches(priv->pattern, f))
		goto out_unlock;
	priv->matched[f->fop]++;
	if (priv->matched_total++ < priv->after)
		goto out_unlock;
	if (priv->rate < 100 && eg_random(priv) % 100 >= priv->rate)
		goto out_unlock;
	priv->failed[f->fop]++;
	ret = -priv->error;
out_unlock:
	pthread_mutex_unlock(&priv->lock);
	return ret;
}

static bool eg_is_mine(struct xl *xl)
{
	return xl && xl->module && xl->module->type && xl->private &&
	       !strcmp(xl->module->type, "debug/error-gen");
}

int eg_set_rule(struct xl *xl, const struct eg_rule *rule)
{
	struct eg_priv *priv;

	if (!eg_is_mine(xl) || rule->rate > 100 || (rule->fops && rule->error <= 0))
		return -EINVAL;
	priv = xl->private;
	pthread_mutex_lock(&priv->lock);
	eg_rule_install(priv, rule);
	pthread_mutex_unlock(&priv->lock);
	return 0;
}

uint64_t eg_count(struct xl *xl, enum xl_fop_id fop, enum eg_counter which)
{
	struct eg_priv *priv;
	uint64_t v;

	if (!eg_is_mine(xl) || (unsigned)fop >= XL_FOP_COUNT)
		return 0;
	priv = xl->private;
	pthread_mutex_lock(&priv->lock);
	v = which == EG_SEEN ? priv->seen[fop]
	    : which == EG_MATCHED ? priv->matched[fop] : priv->failed[fop];
	pthread_mutex_unlock(&priv->lock);
	return v;
}

/* ------------------------------------------------------------ the module */

/* The conf as a rule: 0, or -EINVAL with a log line. */
static int eg_conf_rule(struct xl *xl, struct eg_rule *rule)
{
	struct eg_conf *conf = xl->conf;
	int ret;

	memset(rule, 0, sizeof(*rule));
	ret = eg_parse_fops(xl, conf->fops, &rule->fops);
	if (ret)
		return ret;
	rule->error = eg_errno_by_name(conf->error);
	if (rule->error < 0) {
		xl_log(xl, XL_LOG_ERROR, "option error: unknown errno '%s' (EIO, ENOSPC, EDQUOT, "
		       "ESTALE, ... or a number)", conf->error ? conf->error : "");
		return -EINVAL;
	}
	rule->rate = (unsigned)conf->rate;
	rule->after = (uint64_t)conf->after;
	rule->seed = (uint64_t)conf->seed;
	rule->pattern = conf->pattern && *conf->pattern ? conf->pattern : NULL;
	return 0;
}

static int eg_validate(struct xl *xl)
{
	struct eg_rule rule;

	return eg_conf_rule(xl, &rule);
}

static int eg_init(struct xl *xl)
{
	struct eg_priv *priv;
	struct eg_rule rule;
	int ret;

	ret = eg_conf_rule(xl, &rule);
	if (ret)
		return ret;
	priv = g_new0(struct eg_priv, 1);
	pthread_mutex_init(&priv->lock, NULL);
	eg_rule_install(priv, &rule);
	xl->private = priv;
	return 0;
}

static void eg_fini(struct xl *xl)
{
	struct eg_priv *priv = xl->private;

	if (!priv)
		return;
	xl->private = NULL;
	pthread_mutex_destroy(&priv->lock);
	g_free(priv->pattern);
	g_free(priv);
}

static void eg_dump(struct xl *xl)
{
	struct eg_priv *priv = xl->private;

	if (!priv)
		return;
	pthread_mutex_lock(&priv->lock);
	xl_log(xl, XL_LOG_INFO, "debug/error-gen: fops=%#llx error=%d rate=%u%% after=%llu "
	       "pattern=%s matched=%llu", (unsigned long long)priv->fops, priv->error, priv->rate,
	       (unsigned long long)priv->after, priv->pattern ? priv->pattern : "(none)",
	       (unsigned long long)priv->matched_total);
	for (int i = 0; i < XL_FOP_COUNT; i++)
		if (priv->seen[i])
			xl_log(xl, XL_LOG_INFO, "  %s: %llu calls, %llu matched, %llu failed",
			       xl_fop_name(i), (unsigned long long)priv->seen[i],
			       (unsigned long long)priv->matched[i],
			       (unsigned long long)priv->failed[i]);
	pthread_mutex_unlock(&priv->lock);
}

static const struct xl_hooks eg_hooks = {
	.enter = eg_enter,
};

const struct xl_module xl_module = {
	.abi = XL_ABI_VERSION,
	.type = "debug/error-gen",
	.desc = "fails chosen fops with a chosen errno: at a rate, after a count, or on a name "
		"pattern (fault injection for tests)",
	.conf_size = sizeof(struct eg_conf),
	.options = eg_options,
	.hooks = &eg_hooks,
	.min_children = 1,
	.max_children = 1,
	.validate = eg_validate,
	.init = eg_init,
	.fini = eg_fini,
	.dump = eg_dump,
};

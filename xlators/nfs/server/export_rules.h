/*
 * export_rules.h — who may use an export, with which options, written the
 * way exports(5) writes it.
 *
 * An export's client list is a sequence of entries, each a client spec
 * with its own options in parentheses, no space before them:
 *
 *     10.0.0.0/8(rw,no_root_squash) -10.0.0.5 *.example.com(ro,insecure) *(ro)
 *
 * A spec is a host name, an IPv4/IPv6 address, a CIDR network, a wildcard
 * name ("*" and "?" in a name: *.example.com), or "*" (everyone); a
 * leading '-' makes it a deny entry (no options). Entries are tried in
 * the order written and the first that matches decides: a deny entry
 * refuses, an allow entry gives its options; no match refuses.
 *
 * Options, defaults as in exports(5): ro (default) | rw;
 * root_squash (default) | no_root_squash | all_squash; anonuid=N,
 * anongid=N (default 65534); secure (default: source port < 1024) |
 * insecure. sync, wdelay, no_wdelay, subtree_check and no_subtree_check
 * are accepted and ignored, so lines copied from /etc/exports work.
 *
 * Names: name and wildcard entries are compared with the client's
 * forward-confirmed reverse name, which the caller's name function
 * supplies (xlators/hostcache.h); matching never resolves anything. An
 * entry is only asked for the name when matching reaches it, so a client
 * an address entry before it lets in never needs DNS.
 */
#ifndef XLNFS_EXPORT_RULES_H
#define XLNFS_EXPORT_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

enum export_squash {
	EXPORT_ROOT_SQUASH = 0,   /* uid/gid 0 → anonuid/anongid */
	EXPORT_NO_ROOT_SQUASH,
	EXPORT_ALL_SQUASH,        /* everyone → anonuid/anongid */
};

/* What an allow entry gives the clients it matches. */
struct export_client_opts {
	bool read_only;
	enum export_squash squash;
	uid_t anonuid;
	gid_t anongid;
	bool secure;              /* refuse source ports >= 1024 */
};

/* The options an entry without any gets (exports(5)): ro, root_squash,
 * secure, anonuid/anongid 65534. */
extern const struct export_client_opts export_client_defaults;

struct export_rules;

/* What the caller's name function knows of a client's name. */
enum export_name_state {
	EXPORT_NAME_KNOWN,        /* *name holds its forward-confirmed name */
	EXPORT_NAME_NONE,         /* it has none (no PTR, or PTR not confirmed) */
	EXPORT_NAME_PENDING,      /* not known yet (being resolved) */
};
/* Fills @name (@size bytes, NUL-terminated, lower case) for @sa when it
 * returns EXPORT_NAME_KNOWN. Must not block. */
typedef enum export_name_state (*export_name_fn)(void *ctx, const struct sockaddr *sa,
						 char *name, size_t size);

/* The outcome of export_rules_match. */
enum export_verdict {
	EXPORT_ALLOW = 0,         /* the entry's options apply */
	EXPORT_DENY,              /* a deny entry matched, or none did */
	EXPORT_INSECURE_PORT,     /* the entry is secure and the port is >= 1024 */
	EXPORT_PENDING,           /* a name entry was reached and the name is not
				   * known yet: refuse now, ask again later */
};

/*
 * Parse a client list (@text, see the top of this file) with
 * export_client_defaults as the base. Returns 0 with *out (free with
 * export_rules_free), or -EINVAL with *errmsg (g_free it) naming the
 * column (1-based) and the token at fault, e.g.
 * `column 12: "10.0.0.0/33": bad prefix length (0-32)`.
 * An empty list is an error (nobody could use the export).
 */
int export_rules_parse(const char *text, struct export_rules **out, char **errmsg);
void export_rules_free(struct export_rules *rules);

/* Number of entries, and entry @i's spec as written (without the options,
 * with the '-' of a deny entry), its options (NULL for a deny entry). */
size_t export_rules_count(const struct export_rules *rules);
const char *export_rules_spec(const struct export_rules *rules, size_t i);
const struct export_client_opts *export_rules_opts(const struct export_rules *rules, size_t i);
/* Does entry @i match everyone ("*")? */
bool export_rules_is_everyone(const struct export_rules *rules, size_t i);

/*
 * Match the client at @sa (IPv4, IPv6 or v4-mapped IPv6; its own port is
 * ignored) calling from @src_port against @rules. @name_fn (may be NULL:
 * no client has a name) is called at most once, only when a name or
 * wildcard entry is reached. Returns the matching allow entry's options
 * with *verdict EXPORT_ALLOW and *index its position, or NULL with
 * *verdict saying why not (*index: the entry that decided, or the count
 * when none did). Never blocks.
 */
const struct export_client_opts *export_rules_match(const struct export_rules *rules,
						    const struct sockaddr *sa, uint16_t src_port,
						    export_name_fn name_fn, void *name_ctx,
						    enum export_verdict *verdict, size_t *index);

/*
 * Split the value of the `export` option into its exports: entries
 * separated by ';', each "PATH CLIENT-LIST", PATH absolute or
 * "SUBVOLUME:/PATH" (the nfs/server's reading of it, nfs_server.h). Calls @fn(@ctx, path,
 * rules, column) for each in order (the callee takes ownership of
 * @rules; @path is only valid during the call; @column is where the
 * entry starts in @text), stopping at the first non-zero return, which
 * it returns. Parse errors give -EINVAL with *errmsg (column counted in
 * the whole @text). @fn may set *errmsg (g_strdup) when it fails.
 */
typedef int (*export_line_fn)(void *ctx, const char *path, struct export_rules *rules,
			      size_t column, char **errmsg);
int export_lines_parse(const char *text, export_line_fn fn, void *ctx, char **errmsg);

#endif

/*
 * xlator.h — the translator contract, version 2.
 *
 * A translator ("xlator") is a loadable module named by its type
 * ("storage/posix" → storage/posix.so in the translator directory) that
 * exports one const descriptor, `xl_module`. The volume file instantiates
 * modules as named volumes (struct xl) wired into a DAG with one top.
 *
 * What the contract promises a translator (each part is documented where
 * it is declared below):
 *   ids       every object has a 16-byte id (struct xl_id) chosen ABOVE
 *             storage: create/mkdir/symlink/mknod are told the id to give
 *             the new object and storage persists it; resolve() finds an
 *             object by id alone. Inodes are made and indexed by the
 *             framework from the ids fops return; no module touches the
 *             shared inode table's index.
 *   data      READ and WRITE move refcounted buffers (lib/iobuf.h): WRITE
 *             gets a slice of the buffer the call was received into and may
 *             keep a reference; READ returns a referenced slice storage
 *             filled, which the RPC layer sends from.
 *   attrs     struct xl_iatt has a valid mask; every attribute out-
 *             parameter may be NULL. Changing fops return pre/post
 *             attributes (struct xl_wcc) taken by storage around the change.
 *   hooks     a module may declare enter/leave hooks instead of (or beside)
 *             fops; they run around every fop passing through its volume.
 *   life      notify() events between parents and children, inode contexts
 *             with a destructor and set-if-unset, a per-inode lock, and a
 *             graph-owned timer and work queue stopped in order at shutdown.
 *
 * Fops are plain synchronous calls made on the thread serving the request:
 * each returns 0 (or a byte count where documented) or -errno. A NULL slot
 * in a module's fop table passes the call to the volume's only child; a
 * module whose volume has more than one child must fill every slot (the
 * loader refuses it otherwise), and a leaf leaving a slot NULL answers
 * -ENOSYS.
 *
 * Options are data: the module's options table says name, type, default,
 * range and description; the framework parses the volfile's values into
 * the module's conf (conf_size bytes, zeroed) before validate()/init().
 */
#ifndef XLNFS_XLATOR_H
#define XLNFS_XLATOR_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/types.h>
#include <sys/uio.h>

#include "cred.h"
#include "iobuf.h"
#include "log.h"

#define XL_ABI_VERSION 2

struct xl;
struct xl_graph;
struct xl_inode;
struct xl_inode_table;

/* ---------------------------------------------------------------- options */

enum xl_opt_type {
	XL_OPT_BOOL,     /* on/off, yes/no, true/false, enable/disable, 1/0 → bool */
	XL_OPT_INT,      /* decimal integer in [min, max] → int64_t */
	XL_OPT_SIZE,     /* bytes with optional K/M/G/T suffix (×1024) in [min, max] → uint64_t */
	XL_OPT_TIME,     /* duration, suffix ms or s (bare number = s) → uint64_t milliseconds */
	XL_OPT_STR,      /* any string → char * (owned by the framework) */
	XL_OPT_PATH,     /* absolute path → char * (owned by the framework) */
	XL_OPT_ENUM,     /* one of choices[] → int (index into choices) */
	XL_OPT_ADDRLIST, /* comma list of *, hostnames, IPv4/IPv6 addresses, CIDR → struct xl_addrlist * */
};

struct xl_option {
	const char *key;
	enum xl_opt_type type;
	const char *def;             /* default as volfile text; NULL: none */
	bool required;               /* volfile must set it */
	int64_t min, max;            /* INT/SIZE/TIME bounds (TIME in ms); both 0: unbounded */
	const char *const *choices;  /* ENUM: NULL-terminated list */
	size_t offset;               /* where the parsed value goes in conf */
	const char *desc;            /* one line for --list-xlators and docs */
	/* Optional: refuse a value (0, or -EINVAL with *why g_strdup'ed) before
	 * it is stored, so a value with an inner syntax (nfs/server's export)
	 * is reported at its own FILE:LINE. */
	int (*check)(const char *value, char **why);
};

/* One entry of an address list: a wildcard, a host name or an address/prefix. */
struct xl_addr_match {
	int family;            /* AF_INET, AF_INET6; AF_UNSPEC: host name; 0: "*" */
	uint8_t addr[16];      /* network order; IPv4 in the first 4 bytes */
	unsigned prefix;       /* CIDR prefix length (32/128 for a single host) */
	char *host;            /* AF_UNSPEC only */
};

struct xl_addrlist {
	size_t count;
	struct xl_addr_match items[];
};

struct hostcache;

/* What an address list says of a client. */
enum xl_addr_verdict {
	XL_ADDR_NO = 0,   /* no entry matches */
	XL_ADDR_YES,      /* an entry matches */
	XL_ADDR_PENDING,  /* no "*", address or network matches, and the client's
			   * name, which a host-name entry may match, is being
			   * resolved: ask again shortly */
};

/*
 * Does @sa (IPv4, IPv6 or v4-mapped IPv6) match an entry of @list? "*",
 * addresses and networks are tried first, whatever their place in the
 * list, and need no lookup, so a client allowed by address is never
 * delayed by a name server. Host names are then compared (case-blind, a
 * trailing dot ignored) with the client's forward-confirmed name from
 * @hosts (hostcache.h: cached, resolved in the background, never on
 * this thread), as mountd and the `export` rules do. @hosts NULL: host
 * names match nothing. A NULL list matches nothing.
 */
enum xl_addr_verdict xl_addrlist_check(const struct xl_addrlist *list, const struct sockaddr *sa,
				       struct hostcache *hosts);
/* Has @list a host-name entry (so that checking it needs a hostcache)? */
bool xl_addrlist_has_names(const struct xl_addrlist *list);
/* Do the first @prefix bits of the network-order addresses @a and @b agree
 * (a CIDR match)? */
bool xl_addr_prefix_equal(const uint8_t *a, const uint8_t *b, unsigned prefix);

/* Parse @text as option @opt into the conf object @conf. On error returns
 * -EINVAL and sets *errmsg (g_free it) to a message that names the valid
 * range or choices. */
int xl_option_parse(const struct xl_option *opt, const char *text, void *conf, char **errmsg);

/* What a valid value of @opt looks like, e.g. "expected an integer between
 * 1 and 64" or "expected one of: fast, safe" (g_free it). */
char *xl_option_expected(const struct xl_option *opt);

/* Release what xl_option_parse stored for every option of @opts in @conf. */
void xl_options_free(const struct xl_option *opts, void *conf);

/* For validate() and init(): report a configuration error of @xl as
 * "FILE:LINE: volume 'NAME': message" through xl_diag, LINE being that of
 * option @key in the volume file (of the volume when @key is NULL or left
 * at its default); for a volume outside a graph it is only logged. The
 * caller then fails (validate: -EINVAL). */
void xl_config_error(struct xl *xl, const char *key, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* ---------------------------------------------------------------- ids */

/*
 * The identity of an object: 16 bytes (a UUID), chosen above storage and
 * persisted by it. Stable across restarts, renames and a copy of the
 * backing store that keeps its metadata. The volume root's id is
 * XL_ID_ROOT (…0001), the same on every store, so every child of a
 * cluster module agrees on it. The all-zero id means "none".
 */
struct xl_id {
	uint8_t bytes[16];
};

extern const struct xl_id XL_ID_ROOT;

bool xl_id_equal(const struct xl_id *a, const struct xl_id *b);
bool xl_id_is_null(const struct xl_id *id);
/* A new random (version 4) id. Consecutive ids share their first two
 * bytes in runs of 4096 (storage/posix's index folders); the other 14
 * bytes are random. */
void xl_id_generate(struct xl_id *id);
/* "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx" into @buf (XL_ID_STRLEN bytes). */
#define XL_ID_STRLEN 37
char *xl_id_to_str(const struct xl_id *id, char buf[XL_ID_STRLEN]);
/* Parse that form; 0 or -EINVAL. */
int xl_id_parse(const char *text, struct xl_id *id);

/* ---------------------------------------------------------------- calls */

/* The caller of a fop: credentials (after squashing, lib/cred.h) and the
 * client's address, for translators that decide by client. */
struct xl_call {
	struct xl_cred cred;
	struct sockaddr_storage client;
	socklen_t client_len;
};

/* ---------------------------------------------------------------- attributes */

/* Which fields of a struct xl_iatt hold a value. */
enum {
	XL_IATT_ID = 1 << 0,
	XL_IATT_TYPE = 1 << 1,     /* the S_IFMT bits of mode */
	XL_IATT_MODE = 1 << 2,     /* the 07777 bits of mode */
	XL_IATT_NLINK = 1 << 3,
	XL_IATT_UID = 1 << 4,
	XL_IATT_GID = 1 << 5,
	XL_IATT_SIZE = 1 << 6,
	XL_IATT_USED = 1 << 7,
	XL_IATT_RDEV = 1 << 8,
	XL_IATT_FSID = 1 << 9,
	XL_IATT_INO = 1 << 10,
	XL_IATT_ATIME = 1 << 11,
	XL_IATT_MTIME = 1 << 12,
	XL_IATT_CTIME = 1 << 13,
	/* What a full getattr gives; NFS fattr3 needs all of it. */
	XL_IATT_ALL = (1 << 14) - 1,
	/* What wcc pre-operation attributes need (RFC 1813 wcc_attr). */
	XL_IATT_WCC = XL_IATT_SIZE | XL_IATT_MTIME | XL_IATT_CTIME,
};

/* An object's attributes. Fields outside @valid are unspecified. */
struct xl_iatt {
	uint32_t valid;
	struct xl_id id;
	mode_t mode;             /* type (S_IFMT) and permission bits */
	uint32_t nlink;
	uid_t uid;
	gid_t gid;
	uint64_t size;           /* bytes */
	uint64_t used;           /* bytes of storage used */
	dev_t rdev;              /* devices */
	uint64_t fsid;           /* the storage's filesystem id (st_dev) */
	uint64_t ino;            /* the storage's object number (NFS fileid) */
	struct timespec atime, mtime, ctime;
};

/* Attributes before and after a change, both taken by the volume that
 * made it (storage), around the change itself: RFC 1813 weak cache
 * consistency data. pre.valid is 0 when storage could not take them. */
struct xl_wcc {
	struct xl_iatt pre, post;
};

/* Convert a struct stat (all of it is valid) into @ia, leaving ia->id and
 * XL_IATT_ID as they were. */
void xl_iatt_from_stat(struct xl_iatt *ia, const struct stat *st);

/* What SETATTR (and create/mkdir attributes) asks to change. */
enum {
	XL_SET_MODE = 1 << 0,
	XL_SET_UID = 1 << 1,
	XL_SET_GID = 1 << 2,
	XL_SET_SIZE = 1 << 3,
	XL_SET_ATIME = 1 << 4,     /* to atime */
	XL_SET_ATIME_NOW = 1 << 5, /* to the server's time */
	XL_SET_MTIME = 1 << 6,
	XL_SET_MTIME_NOW = 1 << 7,
};

struct xl_setattr {
	unsigned valid;
	mode_t mode;           /* permission bits only (07777) */
	uid_t uid;
	gid_t gid;
	uint64_t size;
	struct timespec atime, mtime;
};

/* ACCESS bits, numbered as NFSv3's ACCESS3_*: what access() is asked and
 * grants. */
enum {
	XL_ACCESS_READ = 0x01,
	XL_ACCESS_LOOKUP = 0x02,
	XL_ACCESS_MODIFY = 0x04,
	XL_ACCESS_EXTEND = 0x08,
	XL_ACCESS_DELETE = 0x10,
	XL_ACCESS_EXECUTE = 0x20,
	XL_ACCESS_ALL = 0x3f,
};

/* Stability of a write, numbered as NFSv3's stable_how. */
enum xl_stable { XL_UNSTABLE = 0, XL_DATA_SYNC = 1, XL_FILE_SYNC = 2 };

/* ---------------------------------------------------------------- directories */

/*
 * Readdir cookies. A cookie is the resume point after an entry; 0 means
 * "from the start" and is never returned. Storage uses at most the low
 * XL_COOKIE_BITS bits, so a module with several children can keep the
 * child's index in the top bits (xl_cookie_tag/xl_cookie_untag); storage
 * whose own positions are wider (ext4's 63-bit hashes) maps them into
 * the budget itself (storage/posix says how).
 */
#define XL_COOKIE_BITS 56
#define XL_COOKIE_MASK ((UINT64_C(1) << XL_COOKIE_BITS) - 1)
/* @cookie (within the budget) tagged with child @index (< 2^(64-56)). */
static inline uint64_t xl_cookie_tag(uint64_t cookie, unsigned index)
{
	return ((uint64_t)index << XL_COOKIE_BITS) | (cookie & XL_COOKIE_MASK);
}
static inline uint64_t xl_cookie_untag(uint64_t cookie, unsigned *index)
{
	*index = (unsigned)(cookie >> XL_COOKIE_BITS);
	return cookie & XL_COOKIE_MASK;
}

/* One directory entry handed to a readdir filler. */
struct xl_dirent {
	const char *name;
	uint64_t ino;          /* fileid (always set) */
	uint64_t cookie;       /* resume point after this entry; never 0 */
	/* XL_READDIR_PLUS: the entry's attributes with XL_IATT_ID set when
	 * storage could examine it (attr.valid 0 when it could not, e.g. a
	 * mount point). Without PLUS, attr.valid is 0. */
	struct xl_iatt attr;
};

/* Called once per entry; returns 0 to continue, 1 to stop (buffer full:
 * this entry was NOT taken), or -errno to abort the readdir. */
typedef int (*xl_readdir_fill_fn)(void *ctx, const struct xl_dirent *ent);

enum { XL_READDIR_PLUS = 1 << 0 };

/* ---------------------------------------------------------------- locks */

/* A byte-range lock (the coming NLM lock manager's unit). */
enum xl_lk_type { XL_LK_UNLOCK = 0, XL_LK_READ = 1, XL_LK_WRITE = 2 };
enum xl_lk_cmd {
	XL_LK_TEST,    /* would @lock be granted? 0 if so, else -EAGAIN with
			* the conflicting lock written back into @lock */
	XL_LK_SET,     /* take @lock (or release it: type XL_LK_UNLOCK) now,
			* or -EAGAIN on conflict; never waits */
	XL_LK_OWNED,   /* does @lock's owner hold a lock overlapping @lock's
			* range (any type)? 0 if so, with the first such lock
			* written back, else -ENOENT; changes nothing. The lock
			* manager asks it after an UNLOCK to know whether the
			* owner still holds anything on the file. */
};
#define XL_LK_OWNER_MAX 64
struct xl_lk_owner {
	uint32_t len;
	uint8_t bytes[XL_LK_OWNER_MAX];  /* opaque: NLM's oh plus svid */
};
struct xl_lock {
	enum xl_lk_type type;
	uint64_t start;
	uint64_t len;                    /* 0: to the end of the file */
	struct xl_lk_owner owner;
	uint32_t pid;                    /* the client's process (NLM svid) */
};

/* ---------------------------------------------------------------- xattrs */

/* setxattr flags. */
enum { XL_XATTR_CREATE = 1 << 0, XL_XATTR_REPLACE = 1 << 1 };

/* ---------------------------------------------------------------- fops */

/*
 * The fops. Every fop takes (struct xl *xl, struct xl_call *call, ...).
 *
 * Attribute out-parameters (struct xl_iatt *, struct xl_wcc *) may be
 * NULL when the caller does not need them; when given, storage fills them
 * (valid says what) and translators pass them on or fill them.
 *
 * Names are single path components (no '/', not empty, no NUL); "." and
 * ".." are only ever passed to lookup.
 *
 * Fops that produce an inode (lookup, resolve, create, mkdir, symlink,
 * mknod) receive @inode: a fresh inode the framework allocated for the
 * result, not yet in the table and with no id. A module may attach its
 * context to it (xl_inode_ctx_*) and must fill attr (XL_IATT_ID at
 * least); when the fop returns 0 the framework links @inode into the
 * table under attr->id (or merges it into the inode already there, see
 * xl_inode_link). Callers use the xl_<fop>() functions below, which do
 * the allocating and linking; translators pass @inode down unchanged.
 * (Framework decisions: @attr of these six fops is never NULL; the
 * xl_<fop>() callers pass their own when theirs is. One that returns 0
 * without XL_IATT_ID and a non-null id fails with -EIO there; resolve
 * may leave the id out, the one asked for is used.)
 */
struct xl_fops {
	/* @dir NULL: the volume root (@name ignored; attr->id is XL_ID_ROOT).
	 * Otherwise @name in @dir, not following a final symlink. An object
	 * that has no id yet (made outside NFS) gets one now, which storage
	 * persists. -ENOENT if absent. @dir_attr: the directory's. */
	int (*lookup)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		      struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr);
	/* Find the object with id xl_inode_id(@inode) without a name (a file
	 * handle after a restart). -ESTALE if no such object exists. */
	int (*resolve)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		       struct xl_iatt *attr);
	/* -ESTALE if the object no longer exists. */
	int (*getattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		       struct xl_iatt *attr);
	/* @wcc: the object's own attributes before and after. */
	int (*setattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		       const struct xl_setattr *sa, struct xl_wcc *wcc);
	/* Which of the XL_ACCESS_* bits in @mask the caller has on @inode:
	 * *granted ⊆ @mask, as the store's own permission rules (ACLs
	 * included) decide. 0 even when nothing is granted. */
	int (*access)(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint32_t mask,
		      uint32_t *granted, struct xl_iatt *attr);
	/* Returns the target's length (≤ size, not NUL-terminated) or -errno. */
	int (*readlink)(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
			size_t size, struct xl_iatt *attr);
	/* Read up to @len bytes at @off. On success *@out holds a referenced
	 * slice (out->len bytes, the return value; 0 at end of file with
	 * out->iobuf possibly NULL) which the caller releases with
	 * xl_data_release(); *eof is set when the read reached end of file. */
	int (*read)(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		    size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr);
	/* Write @data at @off. @data and its buffer are borrowed for the
	 * call: a module that keeps the bytes past its return takes its own
	 * reference on data->iobuf. *stable comes in as asked and goes out as
	 * done (never less). Returns the byte count. */
	int (*write)(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		     const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc);
	/* Make the range [@off, @off+@len) (len 0: to the end) written so far
	 * stable, data only if @datasync, else metadata too. A directory:
	 * its entries. */
	int (*fsync)(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		     uint64_t len, bool datasync, struct xl_wcc *wcc);
	/* Create a regular file with id @id (NULL: storage may choose, tests
	 * only). @exclusive fails with -EEXIST if @name exists; otherwise an
	 * existing regular file is returned (with its own id) and only a size
	 * in @sa is applied to it. @sa (may be NULL) applies mode/uid/gid/
	 * size/times. @dir_wcc: the directory's attributes around it. */
	int (*create)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		      const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
		      struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
	int (*mkdir)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		     const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode *inode,
		     struct xl_iatt *attr, struct xl_wcc *dir_wcc);
	int (*symlink)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		       const char *target, const struct xl_id *id, const struct xl_setattr *sa,
		       struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
	/* @mode carries the type (S_IFCHR, S_IFBLK, S_IFIFO, S_IFSOCK) and
	 * permission bits; @rdev is used for devices. */
	int (*mknod)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		     mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
		     struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
	/* Remove a non-directory name. When it was the object's last link,
	 * storage sends XL_EV_FORGET for its id (xl_notify_parents) so the
	 * framework drops the inode and its contexts release the object. */
	int (*unlink)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		      struct xl_wcc *dir_wcc);
	int (*rmdir)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		     struct xl_wcc *dir_wcc);
	/* rename(2) semantics; an object replaced at the new name is
	 * forgotten as by unlink. */
	int (*rename)(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
		      const char *oldname, struct xl_inode *newdir, const char *newname,
		      struct xl_wcc *old_wcc, struct xl_wcc *new_wcc);
	/* A new name for @inode; @attr its attributes after (nlink grown). */
	int (*link)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    struct xl_inode *newdir, const char *newname, struct xl_iatt *attr,
		    struct xl_wcc *dir_wcc);
	/* Entries of @dir after @cookie (0: from the start; "." and ".." are
	 * included) are passed to @fill in order until it returns nonzero or
	 * the directory ends (*eof = true). @flags: XL_READDIR_PLUS asks for
	 * attributes. A cookie the storage cannot resume from: -EINVAL (the
	 * NFS layer answers NFS3ERR_BAD_COOKIE). Cookies: XL_COOKIE_BITS. */
	int (*readdir)(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		       unsigned flags, xl_readdir_fill_fn fill, void *ctx, bool *eof,
		       struct xl_iatt *dir_attr);
	/* @inode NULL: the volume root. */
	int (*statfs)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		      struct statvfs *sv);
	/* Extended attributes, named with their namespace ("user.x",
	 * "trusted.xlnfs.y"). getxattr/listxattr with @size 0 return the
	 * length needed; otherwise the length written, -ERANGE if @size is
	 * too small. -ENODATA when absent. */
	int (*getxattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			const char *name, void *value, size_t size);
	int (*setxattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			const char *name, const void *value, size_t size, int flags);
	int (*removexattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			   const char *name);
	/* NUL-separated names, as listxattr(2). */
	int (*listxattr)(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *list,
			 size_t size);
	/* Atomically add @n signed 64-bit counters (big-endian on disk; an
	 * absent attribute counts as zeros) and return the new values in
	 * @result (may be NULL): replicate's changelogs, quota's usage. */
	int (*xattr_add)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			 const char *name, const int64_t *delta, size_t n, int64_t *result);
	/* Atomically set @name to @value if it currently holds @expect
	 * (@expect NULL: if it is absent); -EAGAIN if it did not. */
	int (*xattr_cas)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
			 const char *name, const void *expect, size_t expect_len,
			 const void *value, size_t value_len);
	/* Byte-range locks: see enum xl_lk_cmd. */
	int (*lk)(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  enum xl_lk_cmd cmd, struct xl_lock *lock);
};

/* Fop numbers, in struct xl_fops order: for hooks and statistics. */
enum xl_fop_id {
	XL_FOP_LOOKUP,
	XL_FOP_RESOLVE,
	XL_FOP_GETATTR,
	XL_FOP_SETATTR,
	XL_FOP_ACCESS,
	XL_FOP_READLINK,
	XL_FOP_READ,
	XL_FOP_WRITE,
	XL_FOP_FSYNC,
	XL_FOP_CREATE,
	XL_FOP_MKDIR,
	XL_FOP_SYMLINK,
	XL_FOP_MKNOD,
	XL_FOP_UNLINK,
	XL_FOP_RMDIR,
	XL_FOP_RENAME,
	XL_FOP_LINK,
	XL_FOP_READDIR,
	XL_FOP_STATFS,
	XL_FOP_GETXATTR,
	XL_FOP_SETXATTR,
	XL_FOP_REMOVEXATTR,
	XL_FOP_LISTXATTR,
	XL_FOP_XATTR_ADD,
	XL_FOP_XATTR_CAS,
	XL_FOP_LK,
	XL_FOP_COUNT
};

/* "lookup", "write", … */
const char *xl_fop_name(enum xl_fop_id fop);
/* The fop named @name, or -1. */
int xl_fop_by_name(const char *name);

/* ---------------------------------------------------------------- hooks */

/*
 * A fop as hooks see it: which fop, on which volume, for whom, with its
 * main arguments, and (in leave) its result and time. Arguments that a
 * fop does not have are NULL/0. The frame lives on the caller's stack for
 * the fop's duration.
 */
struct xl_fop_frame {
	enum xl_fop_id fop;
	struct xl *xl;                 /* the volume whose hooks run */
	struct xl_call *call;
	struct xl_inode *inode;        /* the object, or the directory of an entry */
	const char *name;              /* entry name (the old one for rename) */
	struct xl_inode *inode2;       /* rename's new directory, link's directory */
	const char *name2;             /* rename's/link's new name, symlink's target,
					* xattr fops' attribute name */
	uint64_t off, len;             /* read/write/fsync range; readdir cookie */
	int result;                    /* leave: the fop's return value */
	int64_t start_us;              /* g_get_monotonic_time() at entry */
	int64_t elapsed_us;            /* leave: time the fop took */
};

struct xl_hooks {
	/* Before the fop goes on to the volume's child. Return 0 to let it
	 * go, or -errno to fail it with that error without calling it
	 * (leave() still runs). May be NULL. */
	int (*enter)(struct xl *xl, struct xl_fop_frame *frame);
	/* (A positive return counts as 0.) */
	/* After it returned (or enter() failed it); may change
	 * frame->result, which becomes the fop's return value. May be NULL. */
	void (*leave)(struct xl *xl, struct xl_fop_frame *frame);
	/* (When leave() turns a successful read into an error, the
	 * framework releases the read's *out slice: the caller of a failed
	 * read releases nothing.) */
};
/* (Frame fields per fop, where the list above leaves it open: access's
 * mask, readlink's and the xattr fops' size, xattr_add's count and
 * xattr_cas's value length go in len; write's len is data->len; lk's
 * off/len are the lock's range.) */

/* Per-volume, per-fop counters the framework keeps for every volume (what
 * io-stats and the metrics endpoint read). */
struct xl_fop_stats {
	uint64_t calls;
	uint64_t errors;               /* returned < 0 */
	uint64_t total_us;             /* sum of elapsed time */
	uint64_t max_us;
};
/* (Every volume a call passes counts it, pass-through included, with the
 * result leave() left; elapsed time excludes leave(). The loader
 * allocates the counters; a volume built by hand with stats NULL counts
 * nothing and reads as zeros.)
 * A snapshot of @xl's counters for @fop. */
void xl_fop_stats_get(struct xl *xl, enum xl_fop_id fop, struct xl_fop_stats *out);

/* ---------------------------------------------------------------- events */

enum xl_event_type {
	XL_EV_CHILD_UP,       /* @from can serve fops (sent after init) */
	XL_EV_CHILD_DOWN,     /* @from cannot serve fops now */
	XL_EV_INVALIDATE,     /* cached attributes/data of @id are stale */
	XL_EV_FORGET,         /* the object @id is gone: drop its inode */
};

struct xl_event {
	enum xl_event_type type;
	struct xl *from;      /* the child the event comes from */
	struct xl_id id;      /* INVALIDATE, FORGET */
	uint64_t off, len;    /* INVALIDATE: the data range; len 0: all, and attributes */
};

/* Deliver @ev to every parent of @xl (with ev->from = @xl), each through
 * its module's notify() or, when it has none, on to its own parents.
 * At the top of the graph the framework acts on FORGET (drops the inode
 * from the table) and INVALIDATE (nothing cached there). Synchronous.
 * (Each parent gets its own copy of @ev. The top acts on FORGET after its
 * own notify(), if any; a volume without parents acts on what it sends
 * itself, so a lone storage volume's FORGET drops the inode at once.
 * After xl_graph_init succeeds every volume with parents sends
 * XL_EV_CHILD_UP, in init order: children first.) */
void xl_notify_parents(struct xl *xl, struct xl_event *ev);

/* ---------------------------------------------------------------- modules */

struct xl_module {
	unsigned abi;                     /* XL_ABI_VERSION */
	const char *type;                 /* "storage/posix" */
	const char *desc;                 /* one line */
	size_t conf_size;                 /* the framework allocates conf */
	const struct xl_option *options;  /* { NULL }-terminated */
	const struct xl_fops *fops;       /* NULL slots pass through (one child only) */
	const struct xl_hooks *hooks;     /* run around every fop of the volume; may be NULL */
	unsigned min_children, max_children; /* max 0: unlimited */
	/* Cross-option checks after parsing, also run by --check: no I/O
	 * beyond what --check may do (a missing directory is init's error).
	 * -EINVAL with a log message on error. May be NULL. */
	int (*validate)(struct xl *xl);
	/* Start the volume; children are initialized first. May be NULL. */
	int (*init)(struct xl *xl);
	/* Stop it; parents are finalized first, and the volume's timers and
	 * background work are stopped before. May be NULL. */
	void (*fini)(struct xl *xl);
	/* The destructor of this volume's inode contexts: @ctx, set on
	 * @inode, is released (the inode is freed, or lost a link race).
	 * May be NULL when the module sets no context. */
	void (*ctx_free)(struct xl *xl, struct xl_inode *inode, void *ctx);
	/* An event from child ev->from. NULL: events pass on to this
	 * volume's parents. Returns nothing: events are advisory. */
	void (*notify)(struct xl *xl, struct xl_event *ev);
	/* Write state for a statedump (SIGUSR1) with xl_log. May be NULL. */
	void (*dump)(struct xl *xl);
};

/* One volume of the graph. */
struct xl {
	char *name;                       /* volume name from the volfile */
	const struct xl_module *module;
	void *conf;                       /* parsed options, conf_size bytes */
	void *private;                    /* the module's runtime state */
	struct xl **children;             /* subvolumes, in volfile order */
	size_t nchildren;
	struct xl **parents;              /* volumes naming this one as subvolume */
	size_t nparents;
	struct xl_graph *graph;
	unsigned slot;                    /* this volume's inode context slot */
	struct xl_fop_stats *stats;       /* [XL_FOP_COUNT], framework-owned */
};

/* The loaded graph. */
struct xl_graph {
	struct xl **volumes;              /* in volfile order */
	size_t nvolumes;
	struct xl *top;
	struct xl_inode_table *itable;    /* shared by every volume */
	char *xlator_dir;
	void *modules;                    /* loader's private list */
	void *services;                   /* timers and work queue (private) */
	/* Live reload: the running graph this one takes over from while it
	 * is initialised (its top adopts the old top's service), else NULL.
	 * Set by the daemon before xl_graph_init, cleared after. */
	struct xl_graph *replaces;
};

/* ---------------------------------------------------------------- calling */

/*
 * xl_fop_NAME(xl, <the fop's own arguments>): run fop NAME on volume @xl:
 * its hooks around it, then its module's fop or, for a NULL slot, the same
 * call on its only child; -ENOSYS at a leaf without it (and at the top
 * with several children: the one volume allowed NULL slots there, whose
 * fops nobody calls). Translators stack
 * with xl_next_NAME(xl, ...) = xl_fop_NAME(xl->children[0], ...), passing
 * inode-producing fops' fresh @inode down unchanged.
 */
int xl_fop_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  struct xl_inode *inode, struct xl_iatt *attr, struct xl_iatt *dir_attr);
int xl_fop_resolve(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   struct xl_iatt *attr);
int xl_fop_getattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   struct xl_iatt *attr);
int xl_fop_setattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		   const struct xl_setattr *sa, struct xl_wcc *wcc);
int xl_fop_access(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint32_t mask,
		  uint32_t *granted, struct xl_iatt *attr);
int xl_fop_readlink(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *buf,
		    size_t size, struct xl_iatt *attr);
int xl_fop_read(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		size_t len, struct xl_data *out, bool *eof, struct xl_iatt *attr);
int xl_fop_write(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		 const struct xl_data *data, enum xl_stable *stable, struct xl_wcc *wcc);
int xl_fop_fsync(struct xl *xl, struct xl_call *call, struct xl_inode *inode, uint64_t off,
		 uint64_t len, bool datasync, struct xl_wcc *wcc);
int xl_fop_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
		  struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int xl_fop_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode *inode,
		 struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int xl_fop_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		   const char *target, const struct xl_id *id, const struct xl_setattr *sa,
		   struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int xl_fop_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
		 struct xl_inode *inode, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int xl_fop_unlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		  struct xl_wcc *dir_wcc);
int xl_fop_rmdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
		 struct xl_wcc *dir_wcc);
int xl_fop_rename(struct xl *xl, struct xl_call *call, struct xl_inode *olddir,
		  const char *oldname, struct xl_inode *newdir, const char *newname,
		  struct xl_wcc *old_wcc, struct xl_wcc *new_wcc);
int xl_fop_link(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		struct xl_inode *newdir, const char *newname, struct xl_iatt *attr,
		struct xl_wcc *dir_wcc);
int xl_fop_readdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, uint64_t cookie,
		   unsigned flags, xl_readdir_fill_fn fill, void *ctx, bool *eof,
		   struct xl_iatt *dir_attr);
int xl_fop_statfs(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		  struct statvfs *sv);
int xl_fop_getxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name, void *value, size_t size);
int xl_fop_setxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		    const char *name, const void *value, size_t size, int flags);
int xl_fop_removexattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		       const char *name);
int xl_fop_listxattr(struct xl *xl, struct xl_call *call, struct xl_inode *inode, char *list,
		     size_t size);
int xl_fop_xattr_add(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		     const char *name, const int64_t *delta, size_t n, int64_t *result);
int xl_fop_xattr_cas(struct xl *xl, struct xl_call *call, struct xl_inode *inode,
		     const char *name, const void *expect, size_t expect_len, const void *value,
		     size_t value_len);
int xl_fop_lk(struct xl *xl, struct xl_call *call, struct xl_inode *inode, enum xl_lk_cmd cmd,
	      struct xl_lock *lock);

#define xl_next_lookup(xl, ...) xl_fop_lookup((xl)->children[0], __VA_ARGS__)
#define xl_next_resolve(xl, ...) xl_fop_resolve((xl)->children[0], __VA_ARGS__)
#define xl_next_getattr(xl, ...) xl_fop_getattr((xl)->children[0], __VA_ARGS__)
#define xl_next_setattr(xl, ...) xl_fop_setattr((xl)->children[0], __VA_ARGS__)
#define xl_next_access(xl, ...) xl_fop_access((xl)->children[0], __VA_ARGS__)
#define xl_next_readlink(xl, ...) xl_fop_readlink((xl)->children[0], __VA_ARGS__)
#define xl_next_read(xl, ...) xl_fop_read((xl)->children[0], __VA_ARGS__)
#define xl_next_write(xl, ...) xl_fop_write((xl)->children[0], __VA_ARGS__)
#define xl_next_fsync(xl, ...) xl_fop_fsync((xl)->children[0], __VA_ARGS__)
#define xl_next_create(xl, ...) xl_fop_create((xl)->children[0], __VA_ARGS__)
#define xl_next_mkdir(xl, ...) xl_fop_mkdir((xl)->children[0], __VA_ARGS__)
#define xl_next_symlink(xl, ...) xl_fop_symlink((xl)->children[0], __VA_ARGS__)
#define xl_next_mknod(xl, ...) xl_fop_mknod((xl)->children[0], __VA_ARGS__)
#define xl_next_unlink(xl, ...) xl_fop_unlink((xl)->children[0], __VA_ARGS__)
#define xl_next_rmdir(xl, ...) xl_fop_rmdir((xl)->children[0], __VA_ARGS__)
#define xl_next_rename(xl, ...) xl_fop_rename((xl)->children[0], __VA_ARGS__)
#define xl_next_link(xl, ...) xl_fop_link((xl)->children[0], __VA_ARGS__)
#define xl_next_readdir(xl, ...) xl_fop_readdir((xl)->children[0], __VA_ARGS__)
#define xl_next_statfs(xl, ...) xl_fop_statfs((xl)->children[0], __VA_ARGS__)
#define xl_next_getxattr(xl, ...) xl_fop_getxattr((xl)->children[0], __VA_ARGS__)
#define xl_next_setxattr(xl, ...) xl_fop_setxattr((xl)->children[0], __VA_ARGS__)
#define xl_next_removexattr(xl, ...) xl_fop_removexattr((xl)->children[0], __VA_ARGS__)
#define xl_next_listxattr(xl, ...) xl_fop_listxattr((xl)->children[0], __VA_ARGS__)
#define xl_next_xattr_add(xl, ...) xl_fop_xattr_add((xl)->children[0], __VA_ARGS__)
#define xl_next_xattr_cas(xl, ...) xl_fop_xattr_cas((xl)->children[0], __VA_ARGS__)
#define xl_next_lk(xl, ...) xl_fop_lk((xl)->children[0], __VA_ARGS__)

/*
 * For the graph's user (nfs/server, tests): the inode-producing fops with
 * the inode made by the framework. Each allocates a fresh inode, runs
 * xl_fop_NAME on @xl, and on success links it into the table under the
 * id the fop returned and hands it back referenced in *@out (put it with
 * xl_inode_unref). @attr may be NULL here too.
 *
 * xl_resolve: the inode for @id, taken from the table when cached (no
 * fop is made then unless @attr is wanted, which costs a getattr),
 * otherwise found by the resolve fop. -ESTALE if the object is gone.
 *
 * xl_resolve_lazy: the same without the getattr on a cached inode (whose
 * *@attr then has valid 0), for a caller whose next fop on @xl gives the
 * attributes anyway. That fop, not the resolution, then tells whether
 * the cached inode is @xl's object at all: with several subvolumes over
 * one inode table, a cached inode may be another subvolume's object
 * with the same id, which @xl's fops answer -ESTALE (or -ENOENT).
 */
int xl_lookup(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      struct xl_inode **out, struct xl_iatt *attr, struct xl_iatt *dir_attr);
int xl_resolve(struct xl *xl, struct xl_call *call, const struct xl_id *id,
	       struct xl_inode **out, struct xl_iatt *attr);
int xl_resolve_lazy(struct xl *xl, struct xl_call *call, const struct xl_id *id,
		    struct xl_inode **out, struct xl_iatt *attr);
/* @id NULL: the framework generates a new id. */
int xl_create(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	      const struct xl_id *id, const struct xl_setattr *sa, bool exclusive,
	      struct xl_inode **out, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int xl_mkdir(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     const struct xl_id *id, const struct xl_setattr *sa, struct xl_inode **out,
	     struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int xl_symlink(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	       const char *target, const struct xl_id *id, const struct xl_setattr *sa,
	       struct xl_inode **out, struct xl_iatt *attr, struct xl_wcc *dir_wcc);
int xl_mknod(struct xl *xl, struct xl_call *call, struct xl_inode *dir, const char *name,
	     mode_t mode, dev_t rdev, const struct xl_id *id, const struct xl_setattr *sa,
	     struct xl_inode **out, struct xl_iatt *attr, struct xl_wcc *dir_wcc);

/* ---------------------------------------------------------------- inodes */

/*
 * The inode table maps ids to refcounted inodes. Inodes whose last
 * reference is dropped stay cached on an LRU list of at most lru_limit
 * entries; beyond that the oldest are freed (each volume's context on it
 * goes to that module's ctx_free()). Thread-safe.
 */
struct xl_inode_stats {
	size_t active;     /* referenced */
	size_t lru;        /* cached, unreferenced */
	uint64_t lookups, hits, evictions;
};

struct xl_inode_table *xl_inode_table_new(struct xl_graph *graph, size_t lru_limit);
/* Frees every inode (releasing contexts); no inode may be referenced. */
void xl_inode_table_free(struct xl_inode_table *table);
void xl_inode_table_set_lru_limit(struct xl_inode_table *table, size_t lru_limit);
void xl_inode_table_stats(struct xl_inode_table *table, struct xl_inode_stats *stats);

/* A fresh inode of @table: referenced, not in the index, id null (or @id
 * when given: resolve's). Never NULL. (Its context slots are fixed when
 * the table is made: the graph's volume count, or 16 without a graph;
 * a volume slot beyond them aborts.) */
struct xl_inode *xl_inode_new(struct xl_inode_table *table, const struct xl_id *id);
/*
 * Put the fresh @inode into the index under @id. If an inode with @id is
 * already there, that one is returned (referenced) instead: each context
 * @inode carries for a volume that the existing inode lacks moves over,
 * the others are released with their ctx_free(); @inode's reference is
 * consumed either way. Returns the linked inode. (An inode already
 * linked is returned as it is.)
 */
struct xl_inode *xl_inode_link(struct xl_inode *inode, const struct xl_id *id);
/* The inode for @id if cached (referenced), else NULL. */
struct xl_inode *xl_inode_find(struct xl_inode_table *table, const struct xl_id *id);
struct xl_inode *xl_inode_ref(struct xl_inode *inode);
void xl_inode_unref(struct xl_inode *inode);
/* The inode's id (null for a fresh inode not yet linked, unless made
 * with one). */
const struct xl_id *xl_inode_id(const struct xl_inode *inode);
/* Drop @inode from the table's index (the object is gone); it is freed
 * when its last reference goes. */
void xl_inode_forget(struct xl_inode *inode);
/* The same by id, if cached. */
void xl_inode_forget_id(struct xl_inode_table *table, const struct xl_id *id);

/*
 * Per-volume context on an inode, one pointer per volume. Released with
 * the module's ctx_free() when the inode is freed. Thread-safe.
 *
 * set_if_unset: install @value unless a context is already there; returns
 * the context now in place (@value, or the earlier one: then @value is
 * still the caller's to free). get: NULL when unset. del: unset and
 * return the old value (the caller releases it).
 */
void *xl_inode_ctx_set_if_unset(struct xl_inode *inode, struct xl *xl, void *value);
void *xl_inode_ctx_get(struct xl_inode *inode, struct xl *xl);
void *xl_inode_ctx_del(struct xl_inode *inode, struct xl *xl);

/* A lock per inode that translators may take around their own state of
 * that inode (never across a call into another volume that might take
 * the same inode's lock: fops do not take it themselves). */
void xl_inode_lock(struct xl_inode *inode);
void xl_inode_unlock(struct xl_inode *inode);

/* ---------------------------------------------------------------- services */

/*
 * A timer and a background work queue owned by the graph, for
 * write-behind flushes, read-ahead, self-heal crawls. Callbacks run on
 * the graph's service threads, never while the caller holds anything.
 * Before a volume's fini() the framework cancels its pending timers and
 * waits for its queued and running work, parents first.
 * (Timer callbacks run one at a time on one service thread; work runs on
 * up to 4 worker threads; both start on first use. "Stopping" is the
 * whole graph from the start of xl_graph_fini until a later
 * xl_graph_init. A timer the framework cancelled before fini() keeps a
 * valid handle: xl_timer_cancel() on it in fini() returns true.)
 */
struct xl_timer;
typedef void (*xl_task_fn)(struct xl *xl, void *data);

/* Run @fn(@xl, @data) once, @delay_ms from now. NULL when out of memory
 * or the graph is stopping. The handle is valid until the callback has
 * run or xl_timer_cancel() returned. */
struct xl_timer *xl_timer_add(struct xl *xl, uint64_t delay_ms, xl_task_fn fn, void *data);
/* Cancel @t: true if it had not started (it never will), false if it
 * already ran or is running (cancel then waits for it to finish, unless
 * called from the callback itself). @t is invalid afterwards. */
bool xl_timer_cancel(struct xl_timer *t);
/* Run @fn(@xl, @data) soon on a background thread. 0, -ENOMEM, or
 * -ESHUTDOWN when the graph is stopping. */
int xl_work_queue(struct xl *xl, xl_task_fn fn, void *data);

/* ---------------------------------------------------------------- lock tables */

/*
 * A byte-range lock table stores can use to implement the lk fop (POSIX
 * semantics: locks of one owner merge and split; an owner's own locks
 * never conflict). One per inode, typically in the store's context.
 */
struct xl_lk_table;
struct xl_lk_table *xl_lk_table_new(void);
void xl_lk_table_free(struct xl_lk_table *t);
/* The lk fop on @t. (TEST leaves @lock as it was when it would be
 * granted; SET leaves it as it was on -EAGAIN; OWNED ignores @lock's
 * type. A range past UINT64_MAX
 * or an unknown type or command: -EINVAL. Touching locks of one owner
 * and type merge.) */
int xl_lk_table_apply(struct xl_lk_table *t, enum xl_lk_cmd cmd, struct xl_lock *lock);
/* Release every lock of @owner (the client went away). */
void xl_lk_table_release_owner(struct xl_lk_table *t, const struct xl_lk_owner *owner);

/* ---------------------------------------------------------------- graph */

/* Parse @path and build the graph: load modules from @xlator_dir (NULL:
 * $XLNFS_XLATOR_PATH, else the installed directory), parse options into
 * each conf and run validate(). Nothing is initialized. Errors are printed
 * as "file:line: message" to the log; returns -errno. */
int xl_graph_load(const char *path, const char *xlator_dir, struct xl_graph **out);
/* The same from text, @name standing for the file name in messages. */
int xl_graph_load_text(const char *name, const char *text, const char *xlator_dir,
		       struct xl_graph **out);
/* init() every volume, children before parents. On failure the volumes
 * already initialized are finalized again. */
int xl_graph_init(struct xl_graph *graph);
/* fini() every initialized volume, parents before children. */
void xl_graph_fini(struct xl_graph *graph);
void xl_graph_free(struct xl_graph *graph);
/* Print the graph (volumes, types, options, children) to @fp. */
void xl_graph_print(struct xl_graph *graph, FILE *fp);
/* Call dump() on every volume and log inode table counters. */
void xl_graph_dump(struct xl_graph *graph);

/* Load-time diagnostics. Every volfile error is reported as
 * "FILE:LINE: message" (or "FILE: message" when @line <= 0): logged at
 * ERROR and, if a handler is set, passed to it (one call per message,
 * without a newline). The handler is process-wide; set it before loading.
 * xl_diag_stderr is a ready handler printing each message on stderr. */
typedef void (*xl_diag_fn)(void *ctx, const char *msg);
void xl_diag_set_handler(xl_diag_fn fn, void *ctx);
void xl_diag_stderr(void *ctx, const char *msg);
void xl_diag(const char *file, int line, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

/* Directory modules are loaded from when none is given. */
const char *xl_default_xlator_dir(void);
/* Print every module type found in @dir with its options to @fp. */
int xl_list_modules(const char *xlator_dir, FILE *fp);

#endif

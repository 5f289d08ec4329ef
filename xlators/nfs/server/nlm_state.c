/*
 * nlm_state.c — the lock manager's state: who holds locks where, who
 * waits, and the inodes that must stay.
 *
 * The locks themselves are storage's (the lk fop, xlators/lk.c's table);
 * what is kept here is what NLM needs around them:
 *   - a file record per (inode, subvolume) with locks or waiters on it,
 *     holding a reference to the inode. Storage may keep a file's lock
 *     table in the inode's context (storage/posix does), which goes when
 *     the inode table's LRU evicts the inode: a referenced inode is never
 *     on the LRU, so a lock cannot vanish while it is held;
 *   - a hold per (file, owner) that may hold locks, with the owner's svid
 *     and oh for TEST's answer; after an UNLOCK the lk fop's OWNED says
 *     whether the owner still holds anything there, and the hold (and,
 *     with the file's last, the file and its pin) goes when not;
 *   - waiters: blocked LOCKs, retried in arrival order whenever a lock on
 *     their file is released; one granted is held for its owner at once
 *     and its client is told (nlm_grant_fn); the record stays, marked
 *     granted, until the client answers the GRANTED call, sends the LOCK
 *     again (answered GRANTED) or cancels it (the lock is given back);
 *   - a host per (client address, caller_name), counting its holds and
 *     waiters against the bounds in nlm4.h, for FREE_ALL; when a host
 *     takes its first lock the status monitor is asked to watch it
 *     (nlm_monitor_fn), and its reboot notice frees it by name.
 *
 * One mutex guards everything, held across the lk fops: they are short,
 * and a lock and its record change as one step.
 */
#include "config.h"

#include <arpa/inet.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <glib.h>

#include "hmac.h"
#include "nlm4.h"

struct nlm_host {
	char *key; /* address text '\n' caller_name */
	unsigned nholds, nwaiters;
};

struct nlm_file;

struct nlm_hold {
	struct nlm_file *file;
	struct nlm_host *host;
	struct xl_lk_owner owner;
	int32_t svid;
	uint8_t *oh;
	size_t oh_len;
};

struct nlm_waiter {
	uint64_t id;
	struct nlm_host *host;
	struct xl_lock lock; /* owner filled in */
	struct xl_call call; /* as whom its LOCK came */
	bool granted;	     /* held now, the client not yet told */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	nlm4_testargs args; /* for the GRANTED call (deep copy) */
};

struct nlm_file {
	struct xl_inode *inode; /* referenced: the pin */
	struct xl *child;
	GQueue holds;	/* struct nlm_hold * */
	GQueue waiters; /* struct nlm_waiter *, arrival order */
};

struct nlm_state {
	GMutex lock;
	gint refs; /* atomic */
	bool dead; /* nlm_state_free ran */
	struct xl_hmac_key key;
	gint64 grace_end_us; /* monotonic; 0: none */
	nlm_grant_fn notify;
	void *notify_ctx;
	nlm_monitor_fn monitor;
	void *monitor_ctx;
	GHashTable *files; /* struct nlm_file_key * → struct nlm_file * */
	GHashTable *hosts; /* key text → struct nlm_host * */
	uint64_t next_waiter_id;
	unsigned nholds, nwaiters;
};

struct nlm_file_key {
	struct xl_inode *inode;
	struct xl *child;
};

static guint nlm_file_hash(gconstpointer p)
{
	const struct nlm_file_key *k = p;

	return g_direct_hash(k->inode) ^ (g_direct_hash(k->child) * 31);
}

static gboolean nlm_file_eq(gconstpointer a, gconstpointer b)
{
	const struct nlm_file_key *x = a, *y = b;

	return x->inode == y->inode && x->child == y->child;
}

struct nlm_state *nlm_state_new(const uint8_t *secret, size_t len, unsigned grace_ms,
				nlm_grant_fn notify, void *notify_ctx)
{
	struct nlm_state *st = g_new0(struct nlm_state, 1);

	g_mutex_init(&st->lock);
	st->refs = 1;
	xl_hmac_key_init(&st->key, secret, len);
	st->grace_end_us = grace_ms ? g_get_monotonic_time() + (gint64)grace_ms * 1000 : 0;
	st->notify = notify;
	st->notify_ctx = notify_ctx;
	st->files = g_hash_table_new_full(nlm_file_hash, nlm_file_eq, g_free, NULL);
	st->hosts = g_hash_table_new(g_str_hash, g_str_equal);
	st->next_waiter_id = 1;
	return st;
}

void nlm_state_set_monitor(struct nlm_state *st, nlm_monitor_fn monitor, void *ctx)
{
	st->monitor = monitor;
	st->monitor_ctx = ctx;
}

struct nlm_state *nlm_state_ref(struct nlm_state *st)
{
	g_atomic_int_inc(&st->refs);
	return st;
}

static void nlm_args_free(nlm4_testargs *a)
{
	xdr_free((xdrproc_t)xdr_nlm4_testargs, (char *)a);
}

void nlm_grant_free(struct nlm_grant *g)
{
	if (!g)
		return;
	nlm_args_free(&g->args);
	if (g->st)
		nlm_state_unref(g->st);
	g_free(g);
}

static void nlm_waiter_free(struct nlm_waiter *w)
{
	nlm_args_free(&w->args);
	g_free(w);
}

static void nlm_hold_free(struct nlm_hold *h)
{
	g_free(h->oh);
	g_free(h);
}

/* Release every record (the server is going; storage's locks go with
 * its volumes). Lock held. */
static void nlm_state_clear(struct nlm_state *st)
{
	GHashTableIter it;
	gpointer k, v;

	g_hash_table_iter_init(&it, st->files);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct nlm_file *f = v;
		struct nlm_hold *h;
		struct nlm_waiter *w;

		while ((h = g_queue_pop_head(&f->holds)))
			nlm_hold_free(h);
		while ((w = g_queue_pop_head(&f->waiters)))
			nlm_waiter_free(w);
		xl_inode_unref(f->inode);
		g_free(f);
	}
	g_hash_table_remove_all(st->files);
	g_hash_table_iter_init(&it, st->hosts);
	while (g_hash_table_iter_next(&it, &k, &v)) {
		struct nlm_host *host = v;

		g_free(host->key);
		g_free(host);
	}
	g_hash_table_remove_all(st->hosts);
	st->nholds = st->nwaiters = 0;
}

void nlm_state_unref(struct nlm_state *st)
{
	if (!g_atomic_int_dec_and_test(&st->refs))
		return;
	g_hash_table_destroy(st->files);
	g_hash_table_destroy(st->hosts);
	g_mutex_clear(&st->lock);
	g_free(st);
}

void nlm_state_free(struct nlm_state *st)
{
	if (!st)
		return;
	g_mutex_lock(&st->lock);
	nlm_state_clear(st);
	st->dead = true;
	g_mutex_unlock(&st->lock);
	nlm_state_unref(st);
}

bool nlm_state_in_grace(struct nlm_state *st)
{
	return st->grace_end_us && g_get_monotonic_time() < st->grace_end_us;
}

/* ------------------------------------------------------------ keys */

/* The client's address without its port, as text. */
static void nlm_addr_text(const struct sockaddr *sa, socklen_t len, char *buf, size_t size)
{
	const void *a = NULL;

	if (sa && sa->sa_family == AF_INET && len >= sizeof(struct sockaddr_in))
		a = &((const struct sockaddr_in *)sa)->sin_addr;
	else if (sa && sa->sa_family == AF_INET6 && len >= sizeof(struct sockaddr_in6))
		a = &((const struct sockaddr_in6 *)sa)->sin6_addr;
	if (!a || !inet_ntop(sa->sa_family, a, buf, size))
		g_strlcpy(buf, "?", size);
}

static char *nlm_host_key(const struct sockaddr *sa, socklen_t len, const char *name)
{
	char addr[INET6_ADDRSTRLEN];

	nlm_addr_text(sa, len, addr, sizeof(addr));
	return g_strdup_printf("%s\n%s", addr, name ? name : "");
}

/* The owner storage sees: HMAC(host key, svid, oh) under the secret. */
static void nlm_owner_of(struct nlm_state *st, const struct nlm_who *who, struct xl_lk_owner *owner)
{
	char *key = nlm_host_key(who->addr, who->addr_len, who->caller_name);
	size_t klen = strlen(key) + 1; /* its NUL separates it from svid */
	GByteArray *b = g_byte_array_sized_new((guint)(klen + 4 + who->oh_len));
	uint32_t svid = htonl((uint32_t)who->svid);

	g_byte_array_append(b, (const guint8 *)key, (guint)klen);
	g_byte_array_append(b, (const guint8 *)&svid, 4);
	if (who->oh_len)
		g_byte_array_append(b, who->oh, (guint)who->oh_len);
	memset(owner, 0, sizeof(*owner));
	owner->len = XL_SHA256_LEN;
	xl_hmac(&st->key, b->data, b->len, owner->bytes);
	g_byte_array_free(b, TRUE);
	g_free(key);
}

static bool nlm_owner_eq(const struct xl_lk_owner *a, const struct xl_lk_owner *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

/* ------------------------------------------------------------ records */

/* The host record of @who; created when @create (NULL past NLM_MAX_HOSTS). */
static struct nlm_host *nlm_host_get(struct nlm_state *st, const struct sockaddr *sa, socklen_t len,
				     const char *name, bool create)
{
	char *key = nlm_host_key(sa, len, name);
	struct nlm_host *h = g_hash_table_lookup(st->hosts, key);

	if (h || !create || g_hash_table_size(st->hosts) >= NLM_MAX_HOSTS) {
		g_free(key);
		return h;
	}
	h = g_new0(struct nlm_host, 1);
	h->key = key;
	g_hash_table_insert(st->hosts, h->key, h);
	return h;
}

static void nlm_host_maybe_drop(struct nlm_state *st, struct nlm_host *h)
{
	if (h->nholds || h->nwaiters)
		return;
	g_hash_table_remove(st->hosts, h->key);
	g_free(h->key);
	g_free(h);
}

static struct nlm_file *nlm_file_get(struct nlm_state *st, struct xl *child, struct xl_inode *inode,
				     bool create)
{
	struct nlm_file_key k = {.inode = inode, .child = child};
	struct nlm_file *f = g_hash_table_lookup(st->files, &k);

	if (f || !create)
		return f;
	f = g_new0(struct nlm_file, 1);
	f->inode = xl_inode_ref(inode);
	f->child = child;
	g_queue_init(&f->holds);
	g_queue_init(&f->waiters);
	g_hash_table_insert(st->files, g_memdup2(&k, sizeof(k)), f);
	return f;
}

/* Drop @f (and its pin) when nothing is held or awaited on it. */
static void nlm_file_maybe_drop(struct nlm_state *st, struct nlm_file *f)
{
	struct nlm_file_key k = {.inode = f->inode, .child = f->child};

	if (f->holds.length || f->waiters.length)
		return;
	g_hash_table_remove(st->files, &k);
	xl_inode_unref(f->inode);
	g_free(f);
}

static struct nlm_hold *nlm_hold_find(struct nlm_file *f, const struct xl_lk_owner *owner)
{
	for (GList *l = f->holds.head; l; l = l->next) {
		struct nlm_hold *h = l->data;

		if (nlm_owner_eq(&h->owner, owner))
			return h;
	}
	return NULL;
}

static struct nlm_hold *nlm_hold_add(struct nlm_state *st, struct nlm_file *f,
				     struct nlm_host *host, const struct xl_lk_owner *owner,
				     int32_t svid, const void *oh, size_t oh_len)
{
	struct nlm_hold *h = g_new0(struct nlm_hold, 1);

	h->file = f;
	h->host = host;
	h->owner = *owner;
	h->svid = svid;
	h->oh = oh_len ? g_memdup2(oh, oh_len) : NULL;
	h->oh_len = oh_len;
	g_queue_push_tail(&f->holds, h);
	host->nholds++;
	st->nholds++;
	return h;
}

static void nlm_hold_remove(struct nlm_state *st, struct nlm_hold *h)
{
	g_queue_remove(&h->file->holds, h);
	h->host->nholds--;
	st->nholds--;
	nlm_host_maybe_drop(st, h->host);
	nlm_hold_free(h);
}

static void nlm_waiter_remove(struct nlm_state *st, struct nlm_file *f, struct nlm_waiter *w)
{
	g_queue_remove(&f->waiters, w);
	w->host->nwaiters--;
	st->nwaiters--;
	nlm_host_maybe_drop(st, w->host);
	nlm_waiter_free(w);
}

/* The whole file, as @owner. */
static struct xl_lock nlm_whole(const struct xl_lk_owner *owner, enum xl_lk_type type)
{
	struct xl_lock l = {.type = type, .start = 0, .len = 0, .owner = *owner};

	return l;
}

/* After @owner released something on @f: keep its hold only while it
 * still holds a lock there. Lock held. */
static void nlm_hold_recheck(struct nlm_state *st, struct nlm_file *f, struct xl_call *call,
			     const struct xl_lk_owner *owner)
{
	struct nlm_hold *h = nlm_hold_find(f, owner);
	struct xl_lock probe = nlm_whole(owner, XL_LK_READ);

	if (h && xl_fop_lk(f->child, call, f->inode, XL_LK_OWNED, &probe) == -ENOENT)
		nlm_hold_remove(st, h);
}

static bool nlm_same_lock(const struct xl_lock *a, const struct xl_lock *b)
{
	return a->type == b->type && a->start == b->start && a->len == b->len &&
	       nlm_owner_eq(&a->owner, &b->owner);
}

/* @n as malloc()ed bytes, as xdr_free frees them. */
static void nlm_netobj_copy(const nlm4_netobj *n, nlm4_netobj *out)
{
	out->nlm4_netobj_len = n->nlm4_netobj_len;
	out->nlm4_netobj_val = malloc(n->nlm4_netobj_len + 1);
	if (!out->nlm4_netobj_val)
		g_error("out of memory");
	if (n->nlm4_netobj_len)
		memcpy(out->nlm4_netobj_val, n->nlm4_netobj_val, n->nlm4_netobj_len);
}

/* A deep copy of @args as GRANTED's arguments (caller_name, fh, oh, the
 * range, exclusive; the cookie). */
static void nlm_args_copy(const nlm4_lockargs *args, nlm4_testargs *out)
{
	const nlm4_lock *l = &args->alock;

	memset(out, 0, sizeof(*out));
	out->exclusive = args->exclusive;
	nlm_netobj_copy(&args->cookie, &out->cookie);
	out->alock.caller_name = strdup(l->caller_name ? l->caller_name : "");
	if (!out->alock.caller_name)
		g_error("out of memory");
	nlm_netobj_copy(&l->fh, &out->alock.fh);
	nlm_netobj_copy(&l->oh, &out->alock.oh);
	out->alock.svid = l->svid;
	out->alock.l_offset = l->l_offset;
	out->alock.l_len = l->l_len;
}

/* The grant notice of @w, for after the lock is released. */
static struct nlm_grant *nlm_grant_of(struct nlm_state *st, const struct nlm_waiter *w)
{
	struct nlm_grant *g = g_new0(struct nlm_grant, 1);
	nlm4_lockargs la = {
	    .cookie = w->args.cookie, .exclusive = w->args.exclusive, .alock = w->args.alock};

	g->st = nlm_state_ref(st);
	g->waiter_id = w->id;
	g->addr = w->addr;
	g->addr_len = w->addr_len;
	nlm_args_copy(&la, &g->args);
	return g;
}

/* Grant @f's waiters that can be now, in arrival order; their notices
 * are appended to @grants. Lock held. */
static void nlm_retry_waiters(struct nlm_state *st, struct nlm_file *f, GQueue *grants)
{
	for (GList *l = f->waiters.head; l; l = l->next) {
		struct nlm_waiter *w = l->data;
		struct xl_lock lk = w->lock;

		if (w->granted || xl_fop_lk(f->child, &w->call, f->inode, XL_LK_SET, &lk) != 0)
			continue;
		if (!nlm_hold_find(f, &w->lock.owner))
			nlm_hold_add(st, f, w->host, &w->lock.owner, w->args.alock.svid,
				     w->args.alock.oh.nlm4_netobj_val,
				     w->args.alock.oh.nlm4_netobj_len);
		w->granted = true;
		g_queue_push_tail(grants, nlm_grant_of(st, w));
	}
}

/* Hand the notices out, the lock released. */
static void nlm_send_grants(struct nlm_state *st, GQueue *grants)
{
	struct nlm_grant *g;

	while ((g = g_queue_pop_head(grants))) {
		if (st->notify)
			st->notify(st->notify_ctx, g);
		else
			nlm_grant_free(g);
	}
}

/* ------------------------------------------------------------ procedures */

nlm4_stats nlm_state_test(struct nlm_state *st, struct xl *child, struct xl_call *call,
			  struct xl_inode *inode, const struct nlm_who *who,
			  const struct xl_lock *lk, nlm4_holder *holder)
{
	struct xl_lock t = *lk;
	nlm4_stats stat = NLM4_GRANTED;
	struct nlm_file *f;
	int ret;

	nlm_owner_of(st, who, &t.owner);
	t.pid = (uint32_t)who->svid;
	g_mutex_lock(&st->lock);
	ret = xl_fop_lk(child, call, inode, XL_LK_TEST, &t);
	if (ret == 0)
		goto out;
	if (ret != -EAGAIN) {
		stat = NLM4_FAILED;
		goto out;
	}
	stat = NLM4_DENIED;
	memset(holder, 0, sizeof(*holder));
	holder->exclusive = t.type == XL_LK_WRITE;
	holder->svid = (int)t.pid;
	holder->l_offset = t.start;
	holder->l_len = t.len;
	f = nlm_file_get(st, child, inode, false);
	if (f) {
		struct nlm_hold *h = nlm_hold_find(f, &t.owner);

		if (h && h->oh_len) {
			holder->svid = h->svid;
			nlm4_netobj oh = {.nlm4_netobj_len = (u_int)h->oh_len,
					  .nlm4_netobj_val = (char *)h->oh};

			nlm_netobj_copy(&oh, &holder->oh);
		}
	}
out:
	g_mutex_unlock(&st->lock);
	return stat;
}

/* @who's waiter on @f for exactly @lk, or NULL. */
static struct nlm_waiter *nlm_waiter_find(struct nlm_file *f, const struct xl_lock *lk)
{
	for (GList *l = f->waiters.head; l; l = l->next) {
		struct nlm_waiter *w = l->data;

		if (nlm_same_lock(&w->lock, lk))
			return w;
	}
	return NULL;
}

/* Forget @owner's waiters on @f for exactly @lk (its LOCK was granted). */
static void nlm_waiters_drop_same(struct nlm_state *st, struct nlm_file *f,
				  const struct xl_lock *lk)
{
	struct nlm_waiter *w;

	while ((w = nlm_waiter_find(f, lk)))
		nlm_waiter_remove(st, f, w);
}

static nlm4_stats nlm_add_waiter(struct nlm_state *st, struct nlm_file *f, struct nlm_host *host,
				 struct xl_call *call, const struct nlm_who *who,
				 const struct xl_lock *lk, const nlm4_lockargs *args)
{
	struct nlm_waiter *w = nlm_waiter_find(f, lk);

	if (w)
		return w->granted ? NLM4_GRANTED : NLM4_BLOCKED;
	if (host->nwaiters >= NLM_HOST_MAX_WAITERS)
		return NLM4_DENIED_NOLOCKS;
	w = g_new0(struct nlm_waiter, 1);
	w->id = st->next_waiter_id++;
	w->host = host;
	w->lock = *lk;
	w->call = *call;
	w->addr_len = who->addr_len <= sizeof(w->addr) ? who->addr_len : 0;
	memcpy(&w->addr, who->addr, w->addr_len);
	nlm_args_copy(args, &w->args);
	g_queue_push_tail(&f->waiters, w);
	host->nwaiters++;
	st->nwaiters++;
	return NLM4_BLOCKED;
}

nlm4_stats nlm_state_lock(struct nlm_state *st, struct xl *child, struct xl_call *call,
			  struct xl_inode *inode, const struct nlm_who *who,
			  const struct xl_lock *lk, bool block, const nlm4_lockargs *args)
{
	struct xl_lock l = *lk;
	struct nlm_host *host;
	struct nlm_file *f;
	bool first = false; /* the host's first hold: ask statd to watch it */
	nlm4_stats stat;
	int ret;

	nlm_owner_of(st, who, &l.owner);
	l.pid = (uint32_t)who->svid;
	g_mutex_lock(&st->lock);
	if (st->dead) {
		stat = NLM4_DENIED_NOLOCKS;
		goto out;
	}
	host = nlm_host_get(st, who->addr, who->addr_len, who->caller_name, true);
	if (!host) {
		stat = NLM4_DENIED_NOLOCKS;
		goto out;
	}
	f = nlm_file_get(st, child, inode, true);
	if (!nlm_hold_find(f, &l.owner) && host->nholds >= NLM_HOST_MAX_HOLDS) {
		stat = NLM4_DENIED_NOLOCKS;
		goto out_drop;
	}
	ret = xl_fop_lk(child, call, inode, XL_LK_SET, &l);
	if (ret == 0) {
		if (!nlm_hold_find(f, &l.owner)) {
			first = host->nholds == 0;
			nlm_hold_add(st, f, host, &l.owner, who->svid, who->oh, who->oh_len);
		}
		nlm_waiters_drop_same(st, f, &l); /* granted while waiting: now told */
		stat = NLM4_GRANTED;
		goto out_drop;
	}
	if (ret != -EAGAIN) {
		stat = ret == -ENOLCK || ret == -ENOMEM ? NLM4_DENIED_NOLOCKS : NLM4_FAILED;
		goto out_drop;
	}
	stat = block ? nlm_add_waiter(st, f, host, call, who, &l, args) : NLM4_DENIED;
out_drop:
	nlm_file_maybe_drop(st, f);
	nlm_host_maybe_drop(st, host);
out:
	g_mutex_unlock(&st->lock);
	if (first && st->monitor)
		st->monitor(st->monitor_ctx, who->caller_name);
	return stat;
}

nlm4_stats nlm_state_cancel(struct nlm_state *st, struct xl *child, struct xl_call *call,
			    struct xl_inode *inode, const struct nlm_who *who,
			    const struct xl_lock *lk)
{
	struct xl_lock l = *lk;
	GQueue grants = G_QUEUE_INIT;
	struct nlm_waiter *w;
	struct nlm_file *f;

	nlm_owner_of(st, who, &l.owner);
	l.pid = (uint32_t)who->svid;
	g_mutex_lock(&st->lock);
	f = nlm_file_get(st, child, inode, false);
	w = f ? nlm_waiter_find(f, &l) : NULL;
	if (w) {
		bool given = w->granted;

		nlm_waiter_remove(st, f, w);
		if (given) { /* the lock it was granted goes back */
			struct xl_lock u = l;

			u.type = XL_LK_UNLOCK;
			xl_fop_lk(child, call, inode, XL_LK_SET, &u);
			nlm_hold_recheck(st, f, call, &l.owner);
			nlm_retry_waiters(st, f, &grants);
		}
		nlm_file_maybe_drop(st, f);
	}
	g_mutex_unlock(&st->lock);
	nlm_send_grants(st, &grants);
	return NLM4_GRANTED;
}

nlm4_stats nlm_state_unlock(struct nlm_state *st, struct xl *child, struct xl_call *call,
			    struct xl_inode *inode, const struct nlm_who *who,
			    const struct xl_lock *lk)
{
	struct xl_lock l = *lk;
	GQueue grants = G_QUEUE_INIT;
	nlm4_stats stat = NLM4_GRANTED;
	struct nlm_file *f;

	nlm_owner_of(st, who, &l.owner);
	l.pid = (uint32_t)who->svid;
	l.type = XL_LK_UNLOCK;
	g_mutex_lock(&st->lock);
	f = nlm_file_get(st, child, inode, false);
	if (!f) /* nothing of ours there: nothing to release (knfsd: granted) */
		goto out;
	if (xl_fop_lk(child, call, inode, XL_LK_SET, &l) < 0)
		stat = NLM4_FAILED;
	nlm_hold_recheck(st, f, call, &l.owner);
	nlm_retry_waiters(st, f, &grants);
	nlm_file_maybe_drop(st, f);
out:
	g_mutex_unlock(&st->lock);
	nlm_send_grants(st, &grants);
	return stat;
}

void nlm_state_release_gone(struct nlm_state *st, struct xl *child, const struct xl_id *id,
			    const struct nlm_who *who)
{
	struct xl_call call = {.cred = {.uid = 0, .gid = 0}};
	struct xl_lk_owner owner;
	GQueue grants = G_QUEUE_INIT;
	GHashTableIter it;
	gpointer v;

	nlm_owner_of(st, who, &owner);
	g_mutex_lock(&st->lock);
	g_hash_table_iter_init(&it, st->files);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct nlm_file *f = v;
		struct xl_lock u = nlm_whole(&owner, XL_LK_UNLOCK);
		struct nlm_hold *h;

		if (f->child != child || !xl_id_equal(xl_inode_id(f->inode), id))
			continue;
		for (GList *l = f->waiters.head; l;) {
			struct nlm_waiter *w = l->data;

			l = l->next;
			if (nlm_owner_eq(&w->lock.owner, &owner))
				nlm_waiter_remove(st, f, w);
		}
		h = nlm_hold_find(f, &owner);
		if (h) {
			xl_fop_lk(f->child, &call, f->inode, XL_LK_SET, &u);
			nlm_hold_remove(st, h);
			nlm_retry_waiters(st, f, &grants);
		}
		nlm_file_maybe_drop(st, f); /* may free f: the iteration ends */
		break;
	}
	g_mutex_unlock(&st->lock);
	nlm_send_grants(st, &grants);
}

/* Drop every lock and waiter of @host, granting what that frees to the
 * others' waiters (notices into @grants). @host is freed. Lock held. */
static void nlm_free_host_locked(struct nlm_state *st, struct nlm_host *host, GQueue *grants)
{
	GPtrArray *files = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_hash_table_iter_init(&it, st->files);
	while (g_hash_table_iter_next(&it, NULL, &v))
		g_ptr_array_add(files, v);
	/* The host record goes with its last hold or waiter: keep it alive
	 * through the loop with a fake waiter count. */
	host->nwaiters++;
	for (guint i = 0; i < files->len; i++) {
		struct nlm_file *f = files->pdata[i];
		struct xl_call call = {.cred = {.uid = 0, .gid = 0}};
		bool freed = false;

		for (GList *l = f->waiters.head; l;) {
			struct nlm_waiter *w = l->data;

			l = l->next;
			if (w->host == host)
				nlm_waiter_remove(st, f, w);
		}
		for (GList *l = f->holds.head; l;) {
			struct nlm_hold *h = l->data;
			struct xl_lock u = nlm_whole(&h->owner, XL_LK_UNLOCK);

			l = l->next;
			if (h->host != host)
				continue;
			xl_fop_lk(f->child, &call, f->inode, XL_LK_SET, &u);
			nlm_hold_remove(st, h);
			freed = true;
		}
		if (freed)
			nlm_retry_waiters(st, f, grants);
		nlm_file_maybe_drop(st, f);
	}
	host->nwaiters--;
	nlm_host_maybe_drop(st, host);
	g_ptr_array_free(files, TRUE);
}

void nlm_state_free_all(struct nlm_state *st, const struct sockaddr *addr, socklen_t addr_len,
			const char *caller_name)
{
	GQueue grants = G_QUEUE_INIT;
	struct nlm_host *host;

	g_mutex_lock(&st->lock);
	host = nlm_host_get(st, addr, addr_len, caller_name, false);
	if (host)
		nlm_free_host_locked(st, host, &grants);
	g_mutex_unlock(&st->lock);
	nlm_send_grants(st, &grants);
}

void nlm_state_free_name(struct nlm_state *st, const char *caller_name)
{
	GQueue grants = G_QUEUE_INIT;
	GPtrArray *hosts = g_ptr_array_new();
	GHashTableIter it;
	gpointer v;

	g_mutex_lock(&st->lock);
	g_hash_table_iter_init(&it, st->hosts);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct nlm_host *h = v;
		const char *name = strchr(h->key, '\n');

		if (name && !strcmp(name + 1, caller_name))
			g_ptr_array_add(hosts, h);
	}
	for (guint i = 0; i < hosts->len; i++)
		nlm_free_host_locked(st, hosts->pdata[i], &grants);
	g_mutex_unlock(&st->lock);
	g_ptr_array_free(hosts, TRUE);
	nlm_send_grants(st, &grants);
}

void nlm_state_grant_answered(struct nlm_state *st, uint64_t waiter_id, nlm4_stats stat)
{
	GQueue grants = G_QUEUE_INIT;
	GHashTableIter it;
	gpointer v;

	if (stat == NLM4_DENIED_GRACE_PERIOD) /* not now: the client polls */
		return;
	g_mutex_lock(&st->lock);
	g_hash_table_iter_init(&it, st->files);
	while (g_hash_table_iter_next(&it, NULL, &v)) {
		struct nlm_file *f = v;

		for (GList *l = f->waiters.head; l; l = l->next) {
			struct nlm_waiter *w = l->data;
			struct xl_lock u = w->lock;
			struct xl_call call = w->call;

			if (w->id != waiter_id || !w->granted)
				continue;
			nlm_waiter_remove(st, f, w);
			if (stat != NLM4_GRANTED) { /* not wanted any more: give it back */
				u.type = XL_LK_UNLOCK;
				xl_fop_lk(f->child, &call, f->inode, XL_LK_SET, &u);
				nlm_hold_recheck(st, f, &call, &u.owner);
				nlm_retry_waiters(st, f, &grants);
			}
			nlm_file_maybe_drop(st, f); /* frees f: the iteration ends here */
			goto out;
		}
	}
out:
	g_mutex_unlock(&st->lock);
	nlm_send_grants(st, &grants);
}

void nlm_state_counts(struct nlm_state *st, struct nlm_state_counts *c)
{
	g_mutex_lock(&st->lock);
	c->files = g_hash_table_size(st->files);
	c->hosts = g_hash_table_size(st->hosts);
	c->holds = st->nholds;
	c->waiters = st->nwaiters;
	g_mutex_unlock(&st->lock);
}

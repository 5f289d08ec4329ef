/*
 * lk.c — a byte-range lock table with POSIX (fcntl) semantics, for
 * stores implementing the lk fop.
 *
 * The table holds the granted locks as inclusive ranges [start, end]
 * (end UINT64_MAX: to the end of the file), sorted by start. Locks of
 * different owners conflict when they overlap and one is a write lock;
 * an owner's own locks never conflict: a new lock of that owner replaces
 * whatever the owner held in its range (converting read ↔ write and
 * splitting a larger lock), and then touching or overlapping locks of the
 * same owner and type are merged into one. UNLOCK removes the owner's
 * hold on the range, splitting a lock that extends past both ends.
 *
 * Nothing here waits: SET answers -EAGAIN on a conflict and leaves the
 * table unchanged; TEST writes the first conflicting lock back, OWNED the
 * first lock of the same owner in the range. A mutex
 * makes each call atomic.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <string.h>

#include <glib.h>

#include "xlator.h"

struct lk_range {
	enum xl_lk_type type;
	uint64_t start, end; /* inclusive */
	struct xl_lk_owner owner;
	uint32_t pid;
};

struct xl_lk_table {
	pthread_mutex_t lock;
	GArray *locks; /* struct lk_range, by start */
};

struct xl_lk_table *xl_lk_table_new(void)
{
	struct xl_lk_table *t = g_new0(struct xl_lk_table, 1);

	pthread_mutex_init(&t->lock, NULL);
	t->locks = g_array_new(FALSE, FALSE, sizeof(struct lk_range));
	return t;
}

void xl_lk_table_free(struct xl_lk_table *t)
{
	if (!t)
		return;
	g_array_free(t->locks, TRUE);
	pthread_mutex_destroy(&t->lock);
	g_free(t);
}

static bool lk_owner_equal(const struct xl_lk_owner *a, const struct xl_lk_owner *b)
{
	return a->len == b->len && memcmp(a->bytes, b->bytes, a->len) == 0;
}

static bool lk_overlap(const struct lk_range *a, const struct lk_range *b)
{
	return a->start <= b->end && b->start <= a->end;
}

static bool lk_conflict(const struct lk_range *held, const struct lk_range *want)
{
	return lk_overlap(held, want) && !lk_owner_equal(&held->owner, &want->owner) &&
	       (held->type == XL_LK_WRITE || want->type == XL_LK_WRITE);
}

/* @lock as an inclusive range, or -EINVAL when it is malformed or runs
 * past the largest offset. */
static int lk_range_of(const struct xl_lock *lock, struct lk_range *r)
{
	if (lock->owner.len > XL_LK_OWNER_MAX)
		return -EINVAL;
	if (lock->len && lock->len - 1 > UINT64_MAX - lock->start)
		return -EINVAL;
	r->type = lock->type;
	r->start = lock->start;
	r->end = lock->len ? lock->start + (lock->len - 1) : UINT64_MAX;
	r->owner = lock->owner;
	r->pid = lock->pid;
	return 0;
}

static void lk_to_lock(const struct lk_range *r, struct xl_lock *lock)
{
	lock->type = r->type;
	lock->start = r->start;
	lock->len = r->end == UINT64_MAX ? 0 : r->end - r->start + 1;
	lock->owner = r->owner;
	lock->pid = r->pid;
}

/* The first lock held that conflicts with @want, or NULL. Lock held. */
static const struct lk_range *lk_find_conflict(struct xl_lk_table *t, const struct lk_range *want)
{
	for (guint i = 0; i < t->locks->len; i++) {
		const struct lk_range *h = &g_array_index(t->locks, struct lk_range, i);

		if (h->start > want->end)
			break;
		if (lk_conflict(h, want))
			return h;
	}
	return NULL;
}

/* Insert @r keeping the array sorted by start. Lock held. */
static void lk_insert(struct xl_lk_table *t, const struct lk_range *r)
{
	guint i = 0;

	while (i < t->locks->len && g_array_index(t->locks, struct lk_range, i).start <= r->start)
		i++;
	g_array_insert_val(t->locks, i, *r);
}

/* Remove @owner's hold on [@start, @end], trimming and splitting its
 * locks. Lock held. */
static void lk_remove_range(struct xl_lk_table *t, const struct xl_lk_owner *owner, uint64_t start,
			    uint64_t end)
{
	struct lk_range cut = {.start = start, .end = end};

	for (guint i = 0; i < t->locks->len;) {
		struct lk_range *h = &g_array_index(t->locks, struct lk_range, i);
		struct lk_range right;

		if (!lk_owner_equal(&h->owner, owner) || !lk_overlap(h, &cut)) {
			i++;
			continue;
		}
		if (h->start < start && h->end > end) {
			/* Split: keep the left part here, the right part after it. */
			right = *h;
			right.start = end + 1;
			h->end = start - 1;
			lk_insert(t, &right);
			return; /* one lock of an owner can cover the range: done */
		}
		if (h->start < start) {
			h->end = start - 1;
			i++;
		} else if (h->end > end) {
			/* Its start moves right: re-insert to stay sorted. */
			right = *h;
			right.start = end + 1;
			g_array_remove_index(t->locks, i);
			lk_insert(t, &right);
		} else {
			g_array_remove_index(t->locks, i);
		}
	}
}

/* Merge @owner's locks of one type that overlap or touch. Lock held. */
static void lk_coalesce(struct xl_lk_table *t, const struct xl_lk_owner *owner)
{
	for (guint i = 0; i < t->locks->len; i++) {
		struct lk_range *a = &g_array_index(t->locks, struct lk_range, i);

		if (!lk_owner_equal(&a->owner, owner))
			continue;
		for (guint j = i + 1; j < t->locks->len;) {
			struct lk_range *b = &g_array_index(t->locks, struct lk_range, j);

			if (a->end != UINT64_MAX && b->start > a->end + 1)
				break;
			if (!lk_owner_equal(&b->owner, owner) || b->type != a->type) {
				j++;
				continue;
			}
			if (b->end > a->end)
				a->end = b->end;
			g_array_remove_index(t->locks, j);
			a = &g_array_index(t->locks, struct lk_range, i);
		}
	}
}

/* XL_LK_OWNED: @lock's owner's first lock in @lock's range, or -ENOENT. */
static int lk_owned(struct xl_lk_table *t, struct xl_lock *lock)
{
	struct lk_range want;
	int ret = lk_range_of(lock, &want);

	if (ret < 0)
		return ret;
	ret = -ENOENT;
	pthread_mutex_lock(&t->lock);
	for (guint i = 0; i < t->locks->len; i++) {
		const struct lk_range *h = &g_array_index(t->locks, struct lk_range, i);

		if (h->start > want.end)
			break;
		if (lk_overlap(h, &want) && lk_owner_equal(&h->owner, &want.owner)) {
			lk_to_lock(h, lock);
			ret = 0;
			break;
		}
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

int xl_lk_table_apply(struct xl_lk_table *t, enum xl_lk_cmd cmd, struct xl_lock *lock)
{
	const struct lk_range *c;
	struct lk_range want;
	int ret;

	if (lock->type != XL_LK_UNLOCK && lock->type != XL_LK_READ && lock->type != XL_LK_WRITE)
		return -EINVAL;
	if (cmd == XL_LK_OWNED)
		return lk_owned(t, lock);
	ret = lk_range_of(lock, &want);
	if (ret < 0)
		return ret;
	pthread_mutex_lock(&t->lock);
	switch (cmd) {
	case XL_LK_TEST:
		c = lock->type == XL_LK_UNLOCK ? NULL : lk_find_conflict(t, &want);
		if (c) {
			lk_to_lock(c, lock);
			ret = -EAGAIN;
		}
		break;
	case XL_LK_SET:
		if (lock->type != XL_LK_UNLOCK && lk_find_conflict(t, &want)) {
			ret = -EAGAIN;
			break;
		}
		lk_remove_range(t, &want.owner, want.start, want.end);
		if (lock->type != XL_LK_UNLOCK) {
			lk_insert(t, &want);
			lk_coalesce(t, &want.owner);
		}
		break;
	default:
		ret = -EINVAL;
	}
	pthread_mutex_unlock(&t->lock);
	return ret;
}

void xl_lk_table_release_owner(struct xl_lk_table *t, const struct xl_lk_owner *owner)
{
	pthread_mutex_lock(&t->lock);
	for (guint i = 0; i < t->locks->len;) {
		if (lk_owner_equal(&g_array_index(t->locks, struct lk_range, i).owner, owner))
			g_array_remove_index(t->locks, i);
		else
			i++;
	}
	pthread_mutex_unlock(&t->lock);
}

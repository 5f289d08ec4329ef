/*
 * posix_idcache.c — the ids of objects seen in listings, so that a
 * repeated READDIRPLUS reads no id xattr (see posix.h).
 *
 * READDIRPLUS stats every entry anyway (its attributes must be fresh);
 * what it also needed per entry was the id, one getxattr through
 * /proc/self/fd/N/name, which cost more than the statx. An object's id
 * does not change while the object lives (this volume rewrites it only
 * when lookup turns a copy into an object of its own, and then forgets
 * it here), so it is kept under the object's identity: inode number,
 * device, type and birth time, the match posix_ictx_known uses, which a
 * reused inode number fails.
 *
 * The table is 4-way set-associative (a bucket of 4 slots per hash of
 * ino and dev), a fixed 2^bits slots of 48 bytes allocated once by calloc
 * (its pages are touched only as slots fill): a new entry takes a free
 * slot of its bucket or replaces a pseudo-random one of them (not the
 * oldest: see posix_idcache_victim), so memory is bounded
 * and nothing is allocated per entry. (Direct-mapped, a listing repeated
 * in the same order missed on every object that shared its slot: a third
 * of 50,000 objects in 131,072 slots.)
 * One mutex guards it, held for a slot copy. Objects without a birth time
 * (filesystems whose statx gives none) are never cached.
 */
#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "posix.h"

/* Slots per bucket: an object may sit in any of its bucket's. */
#define POSIX_IDCACHE_WAYS 4

struct posix_idslot {
	uint64_t ino;
	uint64_t dev;
	int64_t btime_sec;
	uint32_t btime_nsec;
	uint16_t type;
	bool used;
	bool indexed;
	struct xl_id id;
};

struct posix_idcache {
	pthread_mutex_t lock;
	unsigned shift; /* 64 - bits */
	uint64_t stamp; /* puts so far: posix_idcache_victim's seed */
	uint64_t hits, misses; /* under lock, for tests */
	struct posix_idslot slots[];
};

struct posix_idcache *posix_idcache_new(unsigned bits)
{
	struct posix_idcache *c;
	size_t n = (size_t)1 << bits;

	if (bits < 2 || bits > 30)
		return NULL;
	c = calloc(1, sizeof(*c) + n * sizeof(c->slots[0]));
	if (!c)
		return NULL;
	pthread_mutex_init(&c->lock, NULL);
	c->shift = 64 - bits;
	return c;
}

void posix_idcache_free(struct posix_idcache *c)
{
	if (!c)
		return;
	pthread_mutex_destroy(&c->lock);
	free(c);
}

static uint64_t posix_idcache_dev(const struct statx *stx)
{
	return makedev(stx->stx_dev_major, stx->stx_dev_minor);
}

/* The index of the first slot of the bucket of inode @ino on @dev. */
static size_t posix_idcache_index(const struct posix_idcache *c, uint64_t ino, uint64_t dev)
{
	uint64_t h = (ino ^ (dev << 40)) * 0x9E3779B97F4A7C15ull;

	/* the product's top bits: its middle ones clustered ext4's inode
	 * numbers into a third of the buckets */
	return (h >> c->shift) & ~(size_t)(POSIX_IDCACHE_WAYS - 1);
}

/* The first slot of the bucket of the object @stx describes. */
static struct posix_idslot *posix_idcache_bucket(struct posix_idcache *c, const struct statx *stx)
{
	return &c->slots[posix_idcache_index(c, stx->stx_ino, posix_idcache_dev(stx))];
}

static bool posix_idcache_match(const struct posix_idslot *s, const struct statx *stx)
{
	return s->used && s->ino == stx->stx_ino && s->dev == posix_idcache_dev(stx) &&
	       s->btime_sec == stx->stx_btime.tv_sec && s->btime_nsec == stx->stx_btime.tv_nsec &&
	       s->type == (stx->stx_mode & S_IFMT);
}

void posix_idcache_prefetch(struct posix_idcache *c, uint64_t ino, uint64_t dev)
{
	const struct posix_idslot *s;

	if (!c)
		return;
	s = &c->slots[posix_idcache_index(c, ino, dev)];
	for (unsigned i = 0; i < sizeof(struct posix_idslot) * POSIX_IDCACHE_WAYS; i += 64)
		__builtin_prefetch((const char *)s + i);
}

/* The way a full bucket gives up: a pseudo-random one (the stamp mixed),
 * not the oldest. A listing repeats in the same order, and for a bucket
 * its objects outnumber (five or more in four ways: about 2% of buckets
 * at 50,000 objects in 2^17 slots) the oldest is always the one asked for
 * next, so every one of them missed on every listing (555 id xattr reads
 * per listing of 50,000); a random victim keeps most of them. */
static unsigned posix_idcache_victim(struct posix_idcache *c)
{
	uint64_t x = c->stamp + 0x9E3779B97F4A7C15ull;

	/* splitmix64's finaliser: a plain product of consecutive stamps
	 * fell into step with the listing and kept missing */
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	return (unsigned)(x % POSIX_IDCACHE_WAYS);
}

bool posix_idcache_get(struct posix_idcache *c, const struct statx *stx, struct xl_id *id,
		       bool *indexed)
{
	struct posix_idslot *s;
	bool found = false;

	if (!c || !(stx->stx_mask & STATX_BTIME))
		return false;
	s = posix_idcache_bucket(c, stx);
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < POSIX_IDCACHE_WAYS && !found; i++) {
		if (posix_idcache_match(&s[i], stx)) {
			*id = s[i].id;
			*indexed = s[i].indexed;
			found = true;
		}
	}
	if (found)
		c->hits++;
	else
		c->misses++;
	pthread_mutex_unlock(&c->lock);
	return found;
}

void posix_idcache_put(struct posix_idcache *c, const struct statx *stx, const struct xl_id *id,
		       bool indexed)
{
	struct posix_idslot *s;
	unsigned way;

	if (!c || !(stx->stx_mask & STATX_BTIME))
		return;
	s = posix_idcache_bucket(c, stx);
	pthread_mutex_lock(&c->lock);
	/* the object's own slot, else a free one, else a victim */
	for (way = 0; way < POSIX_IDCACHE_WAYS; way++)
		if (posix_idcache_match(&s[way], stx))
			break;
	for (unsigned i = 0; way == POSIX_IDCACHE_WAYS && i < POSIX_IDCACHE_WAYS; i++)
		if (!s[i].used)
			way = i;
	if (way == POSIX_IDCACHE_WAYS)
		way = posix_idcache_victim(c);
	s += way;
	*s = (struct posix_idslot){.ino = stx->stx_ino,
				   .dev = posix_idcache_dev(stx),
				   .btime_sec = stx->stx_btime.tv_sec,
				   .btime_nsec = stx->stx_btime.tv_nsec,
				   .type = (uint16_t)(stx->stx_mode & S_IFMT),
				   .used = true,
				   .indexed = indexed,
				   .id = *id};
	c->stamp++;
	pthread_mutex_unlock(&c->lock);
}

void posix_idcache_forget(struct posix_idcache *c, const struct statx *stx)
{
	struct posix_idslot *s;

	if (!c)
		return;
	s = posix_idcache_bucket(c, stx);
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < POSIX_IDCACHE_WAYS; i++)
		if (s[i].used && s[i].ino == stx->stx_ino && s[i].dev == posix_idcache_dev(stx))
			s[i].used = false;
	pthread_mutex_unlock(&c->lock);
}

void posix_idcache_counts(struct posix_idcache *c, uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&c->lock);
	*hits = c->hits;
	*misses = c->misses;
	pthread_mutex_unlock(&c->lock);
}

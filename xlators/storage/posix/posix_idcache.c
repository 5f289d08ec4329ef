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
 * The table is 4-way set-associative with two choices: an object may
 * sit in either of two buckets of 4 slots (two hashes of ino and dev;
 * see posix_idcache_buckets), in a fixed 2^bits slots of 48 bytes
 * allocated once by calloc (its pages are touched only as slots fill). A
 * new entry takes a free slot of the emptier bucket or replaces a
 * pseudo-random one of the eight (not the oldest: see
 * posix_idcache_victim), so memory is bounded and nothing is allocated
 * per entry. (Direct-mapped, a listing repeated in the same order missed
 * on every object that shared its slot: a third of 50,000 objects in
 * 131,072 slots.)
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

/* The index of the first slot of inode @ino on @dev's first (@which 0)
 * or second (1) bucket. */
static size_t posix_idcache_index(const struct posix_idcache *c, uint64_t ino, uint64_t dev,
				  unsigned which)
{
	static const uint64_t mult[2] = { 0x9E3779B97F4A7C15ull, 0xC2B2AE3D27D4EB4Full };
	uint64_t h = (ino ^ (dev << 40)) * mult[which];

	/* the product's top bits: its middle ones clustered ext4's inode
	 * numbers into a third of the buckets */
	return (h >> c->shift) & ~(size_t)(POSIX_IDCACHE_WAYS - 1);
}

/* The two buckets the object @stx may sit in (the same one twice in a
 * table of one bucket): 2 * POSIX_IDCACHE_WAYS candidate slots, b[0]'s
 * first. Two choices, a new object going to the emptier: one bucket per
 * object overflowed in ~2% of buckets at 50,000 objects in 2^17 slots
 * (more where ext4's inode numbers are not contiguous), and each of
 * their objects missed on every listing (up to 1,324 id xattr reads per
 * listing of 50,000); with two, a bucket pair overflows almost never. */
static void posix_idcache_buckets(struct posix_idcache *c, const struct statx *stx,
				  struct posix_idslot *b[2])
{
	uint64_t dev = posix_idcache_dev(stx);

	b[0] = &c->slots[posix_idcache_index(c, stx->stx_ino, dev, 0)];
	b[1] = &c->slots[posix_idcache_index(c, stx->stx_ino, dev, 1)];
}

static bool posix_idcache_match(const struct posix_idslot *s, const struct statx *stx)
{
	return s->used && s->ino == stx->stx_ino && s->dev == posix_idcache_dev(stx) &&
	       s->btime_sec == stx->stx_btime.tv_sec && s->btime_nsec == stx->stx_btime.tv_nsec &&
	       s->type == (stx->stx_mode & S_IFMT);
}

/* The candidate slot @i (0 .. 2 * WAYS - 1) of @b. */
static struct posix_idslot *posix_idcache_way(struct posix_idslot *b[2], unsigned i)
{
	return &b[i / POSIX_IDCACHE_WAYS][i % POSIX_IDCACHE_WAYS];
}

/* The object's own candidate slot, or NULL. */
static struct posix_idslot *posix_idcache_find(struct posix_idslot *b[2], const struct statx *stx)
{
	unsigned n = (b[0] == b[1] ? 1 : 2) * POSIX_IDCACHE_WAYS;

	for (unsigned i = 0; i < n; i++)
		if (posix_idcache_match(posix_idcache_way(b, i), stx))
			return posix_idcache_way(b, i);
	return NULL;
}

static unsigned posix_idcache_free_ways(const struct posix_idslot *s)
{
	unsigned n = 0;

	for (unsigned i = 0; i < POSIX_IDCACHE_WAYS; i++)
		n += !s[i].used;
	return n;
}

void posix_idcache_prefetch(struct posix_idcache *c, uint64_t ino, uint64_t dev)
{
	const struct posix_idslot *s;

	if (!c)
		return;
	/* the first bucket only: most objects sit there */
	s = &c->slots[posix_idcache_index(c, ino, dev, 0)];
	for (unsigned i = 0; i < sizeof(struct posix_idslot) * POSIX_IDCACHE_WAYS; i += 64)
		__builtin_prefetch((const char *)s + i);
}

/* The candidate a full pair of buckets gives up: a pseudo-random one
 * (the stamp mixed), not the oldest. A listing repeats in the same order,
 * and where a bucket's objects outnumber its ways the oldest is always
 * the one asked for next, so every one of them missed on every listing;
 * a random victim keeps most of them. */
static unsigned posix_idcache_victim(struct posix_idcache *c, unsigned n)
{
	uint64_t x = c->stamp + 0x9E3779B97F4A7C15ull;

	/* splitmix64's finaliser: a plain product of consecutive stamps
	 * fell into step with the listing and kept missing */
	x = (x ^ (x >> 30)) * 0xBF58476D1CE4E5B9ull;
	x = (x ^ (x >> 27)) * 0x94D049BB133111EBull;
	x ^= x >> 31;
	return (unsigned)(x % n);
}

bool posix_idcache_get(struct posix_idcache *c, const struct statx *stx, struct xl_id *id,
		       bool *indexed)
{
	struct posix_idslot *b[2], *s;

	if (!c || !(stx->stx_mask & STATX_BTIME))
		return false;
	posix_idcache_buckets(c, stx, b);
	pthread_mutex_lock(&c->lock);
	s = posix_idcache_find(b, stx);
	if (s) {
		*id = s->id;
		*indexed = s->indexed;
		c->hits++;
	} else {
		c->misses++;
	}
	pthread_mutex_unlock(&c->lock);
	return s != NULL;
}

void posix_idcache_put(struct posix_idcache *c, const struct statx *stx, const struct xl_id *id,
		       bool indexed)
{
	struct posix_idslot *b[2], *s;
	unsigned f0, f1, n;

	if (!c || !(stx->stx_mask & STATX_BTIME))
		return;
	posix_idcache_buckets(c, stx, b);
	n = (b[0] == b[1] ? 1 : 2) * POSIX_IDCACHE_WAYS;
	pthread_mutex_lock(&c->lock);
	/* the object's own slot, else a free one of the emptier bucket,
	 * else a victim */
	s = posix_idcache_find(b, stx);
	if (!s) {
		f0 = posix_idcache_free_ways(b[0]);
		f1 = n > POSIX_IDCACHE_WAYS ? posix_idcache_free_ways(b[1]) : 0;
		if (f0 || f1) {
			struct posix_idslot *e = f0 >= f1 ? b[0] : b[1];

			for (unsigned i = 0; i < POSIX_IDCACHE_WAYS && !s; i++)
				if (!e[i].used)
					s = &e[i];
		} else {
			s = posix_idcache_way(b, posix_idcache_victim(c, n));
		}
	}
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
	struct posix_idslot *b[2];

	if (!c)
		return;
	posix_idcache_buckets(c, stx, b);
	pthread_mutex_lock(&c->lock);
	for (unsigned i = 0; i < 2 * POSIX_IDCACHE_WAYS; i++) {
		struct posix_idslot *s = posix_idcache_way(b, i);

		if (s->used && s->ino == stx->stx_ino && s->dev == posix_idcache_dev(stx))
			s->used = false;
	}
	pthread_mutex_unlock(&c->lock);
}

void posix_idcache_counts(struct posix_idcache *c, uint64_t *hits, uint64_t *misses)
{
	pthread_mutex_lock(&c->lock);
	*hits = c->hits;
	*misses = c->misses;
	pthread_mutex_unlock(&c->lock);
}

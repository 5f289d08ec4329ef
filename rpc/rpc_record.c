/*
 * rpc_record.c — reassembly of RFC 5531 record-marked TCP streams.
 *
 * A small state machine: collect the 4 header bytes (they may arrive one
 * at a time), check that the record stays within max_record, size the
 * record's buffer for what the header announces (record_reserve, see
 * rpc_record.h for why that is cheap even when the announcement is a
 * lie), then put the fragment body there: copied from the caller's bytes
 * (rpc_record_feed) or received there directly (body_room/body_commit).
 * After the last fragment the buffer is handed to the caller and the
 * machine restarts.
 */
#include "config.h"

#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include <glib.h>

#include "rpc_record.h"

/* A small record: the struct and the bytes in one allocation. */
static void record_small_release(struct xl_iobuf *iob)
{
	xl_iobuf_free_shell(iob);
}

struct xl_iobuf *rpc_record_buf_new(size_t size)
{
	struct xl_iobuf *iob = malloc(sizeof(*iob) + size);

	if (!iob)
		return NULL;
	memset(iob, 0, sizeof(*iob));
	iob->refs = 1;
	iob->size = size;
	iob->data = (uint8_t *)(iob + 1);
	iob->release = record_small_release;
	return iob;
}

/* Large buffers are mapped address ranges. Fresh pages cost a page fault
 * each as bytes first land on them (tens of microseconds under some
 * hypervisors: a 1 MiB WRITE or READ paid milliseconds), so released
 * ranges are kept for reuse, a few of them: at most RECORD_CACHE_MAX, of
 * at most RECORD_CACHE_SIZE each. One lock, taken only for buffers above
 * RPC_RECORD_EXACT. */
#define RECORD_CACHE_MAX 32
#define RECORD_CACHE_SIZE (4u << 20)

static pthread_mutex_t record_cache_lock = PTHREAD_MUTEX_INITIALIZER;
static struct {
	void *p;
	size_t size;
} record_cache[RECORD_CACHE_MAX];
static unsigned record_cache_n;

/* A cached range of at least @size bytes (*@got: its size), or NULL. */
static void *record_cache_get(size_t size, size_t *got)
{
	void *p = NULL;

	pthread_mutex_lock(&record_cache_lock);
	for (unsigned i = 0; i < record_cache_n; i++) {
		if (record_cache[i].size < size)
			continue;
		p = record_cache[i].p;
		*got = record_cache[i].size;
		record_cache[i] = record_cache[--record_cache_n];
		break;
	}
	pthread_mutex_unlock(&record_cache_lock);
	return p;
}

/* Keep @p (@size bytes) for reuse; false when the cache is full. */
static bool record_cache_put(void *p, size_t size)
{
	bool kept = false;

	if (size > RECORD_CACHE_SIZE)
		return false;
	pthread_mutex_lock(&record_cache_lock);
	if (record_cache_n < RECORD_CACHE_MAX) {
		record_cache[record_cache_n].p = p;
		record_cache[record_cache_n].size = size;
		record_cache_n++;
		kept = true;
	}
	pthread_mutex_unlock(&record_cache_lock);
	return kept;
}

/* A large record: an address range whose pages come as they are written. */
static void record_big_release(struct xl_iobuf *iob)
{
	if (!record_cache_put(iob->data, iob->size))
		munmap(iob->data, iob->size);
	xl_iobuf_free_shell(iob);
}

static size_t record_page_round(size_t n)
{
	size_t page = (size_t)sysconf(_SC_PAGESIZE);

	return (n + page - 1) & ~(page - 1);
}

struct xl_iobuf *rpc_record_big_new(size_t size)
{
	struct xl_iobuf *iob;
	void *p;

	size = record_page_round(size);
	p = record_cache_get(size, &size);
	if (!p)
		p = mmap(NULL, size, PROT_READ | PROT_WRITE,
			 MAP_PRIVATE | MAP_ANONYMOUS | MAP_NORESERVE, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	iob = xl_iobuf_wrap(p, size, record_big_release, NULL);
	if (!iob)
		munmap(p, size);
	return iob;
}

static bool record_is_big(const struct xl_iobuf *iob)
{
	return iob->release == record_big_release;
}

/* Make the record's buffer hold at least @need bytes (what the headers
 * so far announce). 0 or -ENOMEM. */
static int record_reserve(struct rpc_record *r, size_t need)
{
	struct xl_iobuf *n;

	if (r->iob && need <= r->cap)
		return 0;
	if (r->iob && record_is_big(r->iob)) {
		/* Move the page tables, not the bytes. */
		size_t size = record_page_round(need);
		void *p = mremap(r->iob->data, r->iob->size, size, MREMAP_MAYMOVE);

		if (p == MAP_FAILED)
			return -ENOMEM;
		r->iob->data = p;
		r->iob->size = size;
		goto out_set;
	}
	n = need <= RPC_RECORD_EXACT ? rpc_record_buf_new(need) : rpc_record_big_new(need);
	if (!n)
		return -ENOMEM;
	if (r->iob) {
		/* A later fragment of a small record: at most RPC_RECORD_EXACT
		 * bytes move. */
		memcpy(n->data, r->buf, r->len);
		xl_iobuf_unref(r->iob);
	}
	r->iob = n;
out_set:
	r->buf = r->iob->data;
	r->cap = r->iob->size;
	return 0;
}

void rpc_record_init(struct rpc_record *r, size_t max_record)
{
	memset(r, 0, sizeof(*r));
	r->max_record = max_record;
}

void rpc_record_fini(struct rpc_record *r)
{
	xl_iobuf_unref(r->iob);
	r->iob = NULL;
	r->buf = NULL;
	r->len = r->cap = 0;
	r->hdr_have = 0;
	r->frag_left = 0;
}

void rpc_record_mark(uint8_t hdr[4], uint32_t len)
{
	uint32_t v = RPC_RECORD_LAST | len;

	hdr[0] = v >> 24;
	hdr[1] = v >> 16;
	hdr[2] = v >> 8;
	hdr[3] = v;
}

/* A complete header is in r->hdr: start its fragment. 0, -EMSGSIZE or
 * -ENOMEM. */
static int record_start_fragment(struct rpc_record *r)
{
	uint32_t v = (uint32_t)r->hdr[0] << 24 | (uint32_t)r->hdr[1] << 16 |
		     (uint32_t)r->hdr[2] << 8 | r->hdr[3];

	r->last = (v & RPC_RECORD_LAST) != 0;
	r->frag_left = v & ~RPC_RECORD_LAST;
	if (r->frag_left > r->max_record - r->len)
		return -EMSGSIZE;
	if (r->frag_left == 0)
		return 0;
	return record_reserve(r, r->len + r->frag_left);
}

/* A fragment's last body byte arrived: hand the record out if it was the
 * last fragment (and not empty). */
static void record_fragment_end(struct rpc_record *r, struct xl_iobuf **rec, size_t *rec_len)
{
	r->hdr_have = 0;
	if (!r->last || r->len == 0)
		return;
	*rec = r->iob;
	*rec_len = r->len;
	r->iob = NULL;
	r->buf = NULL;
	r->len = r->cap = 0;
}

size_t rpc_record_body_room(struct rpc_record *r, uint8_t **dst)
{
	if (r->hdr_have < 4 || r->frag_left == 0)
		return 0;
	*dst = r->buf + r->len;
	return r->frag_left; /* reserved when the header arrived */
}

void rpc_record_body_commit(struct rpc_record *r, size_t n, struct xl_iobuf **rec,
			    size_t *rec_len)
{
	*rec = NULL;
	*rec_len = 0;
	r->len += n;
	r->frag_left -= n;
	r->direct += n;
	if (r->frag_left == 0)
		record_fragment_end(r, rec, rec_len);
}

bool rpc_record_idle(const struct rpc_record *r)
{
	return r->hdr_have == 0 && r->len == 0;
}

ssize_t rpc_record_feed(struct rpc_record *r, const void *data, size_t len,
			struct xl_iobuf **rec, size_t *rec_len)
{
	const uint8_t *p = data;
	size_t used = 0;
	int ret;

	*rec = NULL;
	*rec_len = 0;
	while (used < len) {
		if (r->hdr_have < 4) {
			r->hdr[r->hdr_have++] = p[used++];
			if (r->hdr_have < 4)
				continue;
			ret = record_start_fragment(r);
			if (ret < 0)
				return ret;
		} else if (r->frag_left > 0) {
			size_t n = MIN((size_t)r->frag_left, len - used);

			memcpy(r->buf + r->len, p + used, n);
			r->len += n;
			r->copied += n;
			r->frag_left -= n;
			used += n;
		}
		if (r->hdr_have < 4 || r->frag_left > 0)
			continue;
		/* A fragment ended (an empty record hands nothing up). */
		record_fragment_end(r, rec, rec_len);
		if (*rec)
			break;
	}
	return used;
}

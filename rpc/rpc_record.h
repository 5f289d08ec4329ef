/*
 * rpc_record.h — TCP record marking (RFC 5531 section 11).
 *
 * On a stream an RPC message travels as a record: one or more fragments,
 * each preceded by a 4-byte big-endian header whose top bit marks the last
 * fragment and whose low 31 bits give the fragment's length. The
 * reassembler below is fed bytes in pieces of any size and hands back
 * whole records. It touches no sockets, so it is unit-tested on its own.
 *
 * Each record is assembled in its own refcounted buffer (lib/iobuf.h),
 * sized from the fragment headers as the bytes arrive: a record whose
 * fragments announce at most RPC_RECORD_EXACT bytes gets a buffer of
 * exactly that size when its header arrives; a larger one gets an address
 * range reserved with mmap(MAP_NORESERVE) for what its headers announce
 * (at most max_record), whose pages the kernel provides only as received
 * bytes land on them. So a header announcing 2 GB with 100 bytes behind it
 * costs one page, nothing is ever copied to grow a buffer, and the
 * finished record is handed out as that buffer (WRITE data stays where
 * the socket put it).
 */
#ifndef XLNFS_RPC_RECORD_H
#define XLNFS_RPC_RECORD_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "iobuf.h"

#define RPC_RECORD_LAST 0x80000000u
/* Records announcing up to this many bytes get an exact heap buffer. */
#define RPC_RECORD_EXACT (64u << 10)

struct rpc_record {
	size_t max_record;      /* largest record (sum of fragments) accepted */
	uint8_t hdr[4];         /* fragment header being collected */
	unsigned hdr_have;      /* bytes of hdr collected (4: in a fragment body) */
	uint32_t frag_left;     /* body bytes still expected in this fragment */
	bool last;              /* the current fragment is the record's last */
	struct xl_iobuf *iob;   /* the record so far (NULL: none yet) */
	uint8_t *buf;           /* iob->data */
	size_t len, cap;        /* bytes received, bytes usable at buf */
	/* Counters: body bytes copied from the caller's data (feed) and
	 * received straight into the record (body_room/body_commit). */
	uint64_t copied, direct;
};

/* Start an empty reassembler accepting records up to @max_record bytes. */
void rpc_record_init(struct rpc_record *r, size_t max_record);
/* Free what @r holds (a partial record). @r may be re-initialised. */
void rpc_record_fini(struct rpc_record *r);

/*
 * Consume bytes from @data (@len bytes) up to the end of at most one
 * record. Returns the number of bytes consumed (≤ @len). When a record
 * completed, *@rec gets it (g_malloc'd, the caller g_free()s it) and
 * *@rec_len its length; otherwise *@rec is NULL and all of @data was
 * consumed. Call again with the rest of the data until it is all
 * consumed. A record of zero length (an empty last fragment with nothing
 * before it) is skipped silently. Errors: -EMSGSIZE when a fragment header
 * announces a record larger than max_record, -ENOMEM when its buffer
 * cannot be had; the stream cannot continue
 * after an error (the caller closes the connection).
 */
ssize_t rpc_record_feed(struct rpc_record *r, const void *data, size_t len,
			struct xl_iobuf **rec, size_t *rec_len);

/*
 * Receiving a fragment's body straight into the record, without going
 * through a read buffer (for large WRITE calls). rpc_record_body_room
 * says where the next body bytes go (*@dst) and how many may go there;
 * 0 when no body is due (a header is). The room never exceeds what the
 * fragment still announces (see the top of this file for what that
 * costs in memory). After writing @n (≤ room) bytes there, rpc_record_body_commit
 * accounts them; *@rec and *@rec_len are as for rpc_record_feed.
 */
size_t rpc_record_body_room(struct rpc_record *r, uint8_t **dst);
void rpc_record_body_commit(struct rpc_record *r, size_t n, struct xl_iobuf **rec,
			    size_t *rec_len);
/* True when no record is partly received (between records). */
bool rpc_record_idle(const struct rpc_record *r);

/* A buffer of @size bytes (one allocation, one reference), as small
 * records get; NULL when out of memory. For datagrams too. */
struct xl_iobuf *rpc_record_buf_new(size_t size);

/* A large buffer of at least @size bytes (page-aligned, pages reused
 * from released large buffers when there are some); NULL when out of
 * memory. */
struct xl_iobuf *rpc_record_big_new(size_t size);

/* Write the header of a single-fragment record of @len bytes into @hdr. */
void rpc_record_mark(uint8_t hdr[4], uint32_t len);

#endif

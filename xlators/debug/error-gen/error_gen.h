/*
 * error_gen.h — debug/error-gen's run-time rule, for tests.
 *
 * A test that built a graph with an error-gen volume changes what it
 * fails without reloading the graph: eg_set_rule() replaces the rule the
 * volfile's options gave (and restarts its "after" count), eg_count()
 * reads the counters dump() logs.
 */
#ifndef XLNFS_ERROR_GEN_H
#define XLNFS_ERROR_GEN_H

#include <stdint.h>

#include "xlator.h"

/* Which calls fail, and how. A call fails when its fop is in @fops, its
 * entry name (or rename's/link's new name) matches @pattern (NULL: any
 * call, named or not), more than @after such calls came before it, and
 * the rate roll (@rate percent, from a generator seeded with @seed) says
 * so. */
struct eg_rule {
	uint64_t fops;         /* bit (1 << enum xl_fop_id) per fop; 0: none */
	int error;             /* positive errno the call fails with */
	unsigned rate;         /* 0..100 percent */
	uint64_t after;        /* this many matching calls succeed first */
	const char *pattern;   /* fnmatch(3) pattern, copied; NULL: none */
	uint64_t seed;
};

/* Every fop. */
#define EG_ALL_FOPS ((UINT64_C(1) << XL_FOP_COUNT) - 1)

/* Replace @xl's rule (an initialized debug/error-gen volume) with @rule;
 * the counters keep counting, the "after" count starts again. 0, or
 * -EINVAL when @xl is not an initialized error-gen volume or the rule is
 * out of range. Thread-safe. */
int eg_set_rule(struct xl *xl, const struct eg_rule *rule);

enum eg_counter { EG_SEEN, EG_MATCHED, EG_FAILED };
/* How many calls of @fop passed through @xl (EG_SEEN), matched the rule
 * (EG_MATCHED) and were failed (EG_FAILED); 0 for a volume that is not
 * error-gen. */
uint64_t eg_count(struct xl *xl, enum xl_fop_id fop, enum eg_counter which);

/* The errno named @name ("EIO", "ENOSPC", ... or a decimal number), or
 * -1. */
int eg_errno_by_name(const char *name);

#endif

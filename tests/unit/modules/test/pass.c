/*
 * pass.c — test-only translator "test/pass": no fops at all (every call
 * passes to its one child), exactly one subvolume, one optional option.
 * Used to test pass-through dispatch and child-count checks.
 */
#include "config.h"

#include <stddef.h>

#include "xlator.h"

struct pass_conf {
	int64_t level;
};

static const struct xl_option pass_options[] = {
    {.key = "level",
     .type = XL_OPT_INT,
     .def = "0",
     .min = 0,
     .max = 9,
     .offset = offsetof(struct pass_conf, level),
     .desc = "unused"},
    {NULL},
};

const struct xl_module xl_module = {
    .abi = XL_ABI_VERSION,
    .type = "test/pass",
    .desc = "test-only pass-through translator",
    .conf_size = sizeof(struct pass_conf),
    .options = pass_options,
    .min_children = 1,
    .max_children = 1,
};

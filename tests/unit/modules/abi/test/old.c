/*
 * old.c — test-only translator "test/old" built for the previous
 * translator ABI (1): the loader must refuse it. Lives in its own module
 * directory (tests/unit/modules/abi) so the other tests' type lists do
 * not see it.
 */
#include "config.h"

#include "xlator.h"

const struct xl_module xl_module = {
    .abi = XL_ABI_VERSION - 1,
    .type = "test/old",
    .desc = "test-only translator of an older ABI",
};

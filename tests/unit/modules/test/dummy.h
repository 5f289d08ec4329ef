/*
 * dummy.h — the conf of the test-only "test/dummy" translator, shared
 * with the unit tests that check what the loader parsed into it.
 */
#ifndef XLNFS_TEST_DUMMY_H
#define XLNFS_TEST_DUMMY_H

#include "xlator.h"

struct dummy_conf {
	bool flag;
	int64_t count;
	uint64_t size;
	uint64_t timeout_ms;
	char *label;
	char *dir;
	int mode;
	struct xl_addrlist *allow;
	bool fail_init;
	bool fail_validate;
};

#endif

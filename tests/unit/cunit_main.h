/*
 * cunit_main.h — how every CUnit test program's main() ends: run the
 * suites it registered and make the exit status say whether all passed,
 * so that a failed assertion fails `make check`, not only a CUnit error.
 */
#ifndef XLNFS_CUNIT_MAIN_H
#define XLNFS_CUNIT_MAIN_H

#include <CUnit/Basic.h>

/* Run every registered suite (verbose output) and clean up the registry.
 * Returns the exit status: 1 when a registration before or the run itself
 * failed, an assertion failed, or a suite's set-up or clean-up failed;
 * else 0. */
static inline int cunit_run(void)
{
	CU_ErrorCode err = CU_get_error();
	unsigned failed;

	CU_basic_set_mode(CU_BRM_VERBOSE);
	if (err == CUE_SUCCESS)
		err = CU_basic_run_tests();
	failed = CU_get_number_of_failures() + CU_get_number_of_suites_failed();
	CU_cleanup_registry();
	return err != CUE_SUCCESS || failed ? 1 : 0;
}

#endif

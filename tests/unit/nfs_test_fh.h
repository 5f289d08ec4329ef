/*
 * nfs_test_fh.h — for the unit tests that call the NFS3 actors directly
 * (test_actors, test_subvols): a server handle as the nfs_fh3 an actor's
 * arguments carry.
 */
#ifndef XLNFS_TESTS_NFS_TEST_FH_H
#define XLNFS_TESTS_NFS_TEST_FH_H

#include "nfs3.h"

/* @fh as nfs_fh3, pointing into @fh (which must outlive it). */
static inline nfs_fh3 fh3(struct nfs_fh *fh)
{
	nfs_fh3 f = {.data = {.data_len = fh->len, .data_val = (char *)fh->data}};

	return f;
}

#endif

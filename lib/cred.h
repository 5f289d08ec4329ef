/*
 * cred.h — who is calling: the credentials of one request.
 *
 * The RPC layer fills a struct xl_cred from the call's AUTH_SYS (or
 * AUTH_NONE) credential; the NFS layer squashes it per export and hands
 * it to the translator graph inside a struct xl_call. This header is all
 * the two layers share about callers, so rpc/ need not know translators.
 */
#ifndef XLNFS_CRED_H
#define XLNFS_CRED_H

#include <sys/types.h>

/* Supplementary groups kept per caller. AUTH_SYS carries at most 16;
 * more come from the server's own group lookup (manage-gids). */
#define XL_CRED_MAX_GROUPS 128

struct xl_cred {
	uid_t uid;
	gid_t gid;
	unsigned ngroups;              /* ≤ XL_CRED_MAX_GROUPS */
	gid_t groups[XL_CRED_MAX_GROUPS];
};

#endif

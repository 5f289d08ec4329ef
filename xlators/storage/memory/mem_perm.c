/*
 * mem_perm.c — storage/memory's permission rules: the ones the Linux
 * kernel applies to a local filesystem without ACLs, for the caller's
 * credentials as the NFS layer passes them (after squashing).
 *
 *   - owner, group (primary or supplementary) or other bits, the first
 *     class that matches decides (an owner denied by the owner bits is
 *     denied even if "other" would allow);
 *   - uid 0 passes read and write checks always, and exec checks when
 *     the object is a directory or has at least one exec bit;
 *   - a sticky directory lets only the owner of an entry, the owner of
 *     the directory, or root remove or replace it;
 *   - a write, or a chown of a non-directory, clears set-user-id, and
 *     set-group-id when the file is group-executable (for an unprivileged
 *     writer; chown clears them for root too, as Linux does since 2.2.13).
 */
#include "config.h"

#include <errno.h>

#include "memory.h"

bool mem_is_root(const struct xl_cred *cred)
{
	return cred->uid == 0;
}

bool mem_in_group(const struct xl_cred *cred, gid_t gid)
{
	if (cred->gid == gid)
		return true;
	for (unsigned i = 0; i < cred->ngroups && i < XL_CRED_MAX_GROUPS; i++)
		if (cred->groups[i] == gid)
			return true;
	return false;
}

int mem_permission(const struct mem_obj *obj, const struct xl_cred *cred, int want)
{
	unsigned bits;

	if (mem_is_root(cred)) {
		if (!(want & MEM_MAY_EXEC) || S_ISDIR(obj->mode) || (obj->mode & 0111))
			return 0;
		return -EACCES;
	}
	if (cred->uid == obj->uid)
		bits = (obj->mode >> 6) & 7;
	else if (mem_in_group(cred, obj->gid))
		bits = (obj->mode >> 3) & 7;
	else
		bits = obj->mode & 7;
	return ((unsigned)want & ~bits) ? -EACCES : 0;
}

bool mem_sticky_ok(const struct mem_obj *dir, const struct mem_obj *victim,
		   const struct xl_cred *cred)
{
	if (!(dir->mode & S_ISVTX) || mem_is_root(cred))
		return true;
	return cred->uid == victim->uid || cred->uid == dir->uid;
}

void mem_kill_suid(struct mem_obj *obj)
{
	if (S_ISDIR(obj->mode))
		return;
	obj->mode &= ~(mode_t)S_ISUID;
	if (obj->mode & S_IXGRP)
		obj->mode &= ~(mode_t)S_ISGID;
}

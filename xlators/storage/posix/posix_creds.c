/*
 * posix_creds.c — run a fop as its caller, per worker thread.
 *
 * The filesystem identity of a Linux thread is its fsuid, fsgid and
 * supplementary groups; all three are per thread at the kernel level.
 * glibc's setgroups() broadcasts the change to every thread of the
 * process, so the raw system call is used instead; setfsuid()/setfsgid()
 * are plain per-thread calls. A fsuid other than 0 also drops the
 * filesystem capabilities (CAP_DAC_OVERRIDE, CAP_DAC_READ_SEARCH,
 * CAP_CHOWN, CAP_FOWNER, CAP_MKNOD, ...), and switching back to 0 raises
 * them again: that is what lets the kernel judge every namespace call as
 * if the client's user made it locally.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <sys/fsuid.h>
#include <sys/syscall.h>
#include <unistd.h>

#include "posix.h"

#ifdef SYS_setgroups32
#define POSIX_SYS_SETGROUPS SYS_setgroups32 /* 32-bit gid_t on old ABIs */
#else
#define POSIX_SYS_SETGROUPS SYS_setgroups
#endif

static bool posix_creds_is_root(const struct xl_call *call)
{
	return call->cred.uid == 0 && call->cred.gid == 0 && call->cred.ngroups == 0;
}

/* The supplementary groups this thread holds now (valid once set): left
 * in place by posix_creds_leave, so a thread serving the same user again
 * makes no setgroups call at all. */
static __thread bool posix_groups_known;
static __thread unsigned posix_groups_n;
static __thread gid_t posix_groups[XL_CRED_MAX_GROUPS];

static int posix_set_groups(const gid_t *groups, unsigned n)
{
	if (posix_groups_known && posix_groups_n == n &&
	    !memcmp(posix_groups, groups, n * sizeof(*groups)))
		return 0;
	if (syscall(POSIX_SYS_SETGROUPS, (size_t)n, groups) < 0) {
		posix_groups_known = false;
		return -errno;
	}
	memcpy(posix_groups, groups, n * sizeof(*groups));
	posix_groups_n = n;
	posix_groups_known = true;
	return 0;
}

int posix_creds_enter(struct xl *xl, const struct xl_call *call)
{
	struct posix_priv *priv = xl->private;
	unsigned n = call->cred.ngroups;
	int ret;

	if (!priv->switch_creds || posix_creds_is_root(call))
		return 0;
	if (n > XL_CRED_MAX_GROUPS)
		n = XL_CRED_MAX_GROUPS;
	/* groups and gid first: changing them needs CAP_SETGID, which a
	 * fsuid other than 0 does not remove, but keep the natural order */
	ret = posix_set_groups(call->cred.groups, n);
	if (ret)
		return ret;
	/* setfsgid/setfsuid report no errors, but a root process (init
	 * checked we are one) holds CAP_SETUID/CAP_SETGID: they cannot fail */
	setfsgid(call->cred.gid);
	setfsuid(call->cred.uid);
	return 0;
}

/*
 * Back to root: fsuid 0 raises the filesystem capabilities again, so the
 * supplementary groups no longer matter (root's checks pass by
 * capability) and stay as they are for the next call; fsgid goes back to
 * 0 so what root creates (index entries) is root's group.
 */
void posix_creds_leave(struct xl *xl, const struct xl_call *call)
{
	struct posix_priv *priv = xl->private;

	if (!priv->switch_creds || posix_creds_is_root(call))
		return;
	setfsuid(0);
	setfsgid(0);
}

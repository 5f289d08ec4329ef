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

int posix_creds_enter(struct xl *xl, const struct xl_call *call)
{
	struct posix_priv *priv = xl->private;
	unsigned n = call->cred.ngroups;

	if (!priv->switch_creds || posix_creds_is_root(call))
		return 0;
	if (n > XL_CALL_MAX_GROUPS)
		n = XL_CALL_MAX_GROUPS;
	/* groups and gid first: changing them needs CAP_SETGID, which a
	 * fsuid other than 0 does not remove, but keep the natural order */
	if (syscall(POSIX_SYS_SETGROUPS, (size_t)n, call->cred.groups) < 0)
		return -errno;
	setfsgid(call->cred.gid);
	setfsuid(call->cred.uid);
	/* setfsuid() reports no errors; -1 is invalid and returns the
	 * current value without changing it */
	if ((uid_t)setfsuid((uid_t)-1) != call->cred.uid || (gid_t)setfsgid((gid_t)-1) != call->cred.gid) {
		posix_creds_leave(xl, call);
		return -EPERM;
	}
	return 0;
}

void posix_creds_leave(struct xl *xl, const struct xl_call *call)
{
	struct posix_priv *priv = xl->private;

	if (!priv->switch_creds || posix_creds_is_root(call))
		return;
	setfsuid(0);
	setfsgid(0);
	syscall(POSIX_SYS_SETGROUPS, (size_t)0, (gid_t *)NULL);
}

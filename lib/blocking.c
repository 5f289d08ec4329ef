/*
 * blocking.c — the per-thread blocking-section hook (blocking.h).
 *
 * Thread-local state only: the hook and the nesting depth, so no lock.
 */
#include "config.h"

#include <stddef.h>

#include "blocking.h"

static __thread const struct xl_blocking_hook *blocking_hook;
static __thread unsigned blocking_depth;

void xl_blocking_set(const struct xl_blocking_hook *hook)
{
	blocking_hook = hook;
	blocking_depth = 0;
}

void xl_blocking_enter(void)
{
	if (blocking_depth++ == 0 && blocking_hook && blocking_hook->enter)
		blocking_hook->enter(blocking_hook->arg);
}

void xl_blocking_leave(void)
{
	if (blocking_depth == 0)
		return;
	if (--blocking_depth == 0 && blocking_hook && blocking_hook->leave)
		blocking_hook->leave(blocking_hook->arg);
}

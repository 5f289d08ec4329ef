/*
 * blocking.h — telling the thread's owner that a call is about to block.
 *
 * A server thread that waits on the disk (a directory fsync, COMMIT's
 * fdatasync) serves nobody meanwhile. Storage marks such waits with
 * xl_blocking_enter()/xl_blocking_leave(); whoever runs the thread (the
 * RPC worker loop) installs a per-thread hook that hears of them and can
 * put another thread to work on its calls for the time of the wait. A
 * thread without a hook (tools, unit tests) pays one thread-local load.
 * Sections nest: only the outermost enter and leave reach the hook.
 */
#ifndef XLNFS_BLOCKING_H
#define XLNFS_BLOCKING_H

struct xl_blocking_hook {
	/* Called on the blocking thread, before it blocks and after. */
	void (*enter)(void *arg);
	void (*leave)(void *arg);
	void *arg;
};

/* Install @hook (NULL: none) for the calling thread; @hook must outlive
 * its installation. Not while the thread is inside a section. */
void xl_blocking_set(const struct xl_blocking_hook *hook);
/* The calling thread is about to block (in a flush, a wait for one). */
void xl_blocking_enter(void);
/* ... and is done blocking. Pairs with xl_blocking_enter(). */
void xl_blocking_leave(void);

#endif

/*
 * pidfile.c — creating, locking and removing the daemon's pid file.
 * See pidfile.h for why the lock, not the pid written in it, decides.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "pidfile.h"

/* The pid holding a write lock on @fd, or 0 if none. -errno on error. */
static int pidfile_holder(int fd, pid_t *holder)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};

	if (fcntl(fd, F_GETLK, &fl) < 0)
		return -errno;
	*holder = fl.l_type == F_UNLCK ? 0 : fl.l_pid;
	return 0;
}

int pidfile_check(const char *path, pid_t *holder)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	int ret;

	*holder = 0;
	if (fd < 0)
		return errno == ENOENT ? 0 : -errno;
	ret = pidfile_holder(fd, holder);
	close(fd);
	if (ret == 0 && *holder)
		ret = -EEXIST;
	return ret;
}

int pidfile_acquire(const char *path, pid_t *holder)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET};
	char buf[32];
	int fd, len, ret;

	*holder = 0;
	fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0644);
	if (fd < 0)
		return -errno;
	if (fcntl(fd, F_SETLK, &fl) < 0) {
		ret = -errno;
		if (ret == -EAGAIN || ret == -EACCES) {
			pidfile_holder(fd, holder);
			ret = -EEXIST;
		}
		goto out_close;
	}
	len = snprintf(buf, sizeof(buf), "%ld\n", (long)getpid());
	if (ftruncate(fd, 0) < 0 || pwrite(fd, buf, (size_t)len, 0) != len) {
		ret = -errno;
		goto out_close;
	}
	return fd;

out_close:
	close(fd);
	return ret;
}

void pidfile_release(const char *path, int fd)
{
	if (fd < 0)
		return;
	/* Unlink while still holding the lock, so no newcomer's file goes. */
	unlink(path);
	close(fd);
}

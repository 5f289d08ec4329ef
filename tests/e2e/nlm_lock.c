/*
 * nlm_lock.c — the guest's locking tool for tests/e2e/nlm.sh, built
 * static on the host and run in the guest over the 9p share.
 *
 *   nlm_lock hold FILE OFF LEN FLAG   F_SETLK a write lock, print "held",
 *                                     keep it until FLAG exists (polled)
 *   nlm_lock try FILE OFF LEN         F_SETLK a write lock: print "granted"
 *                                     (exit 0) or "EAGAIN" (exit 1)
 *   nlm_lock wait FILE OFF LEN        F_SETLKW a write lock: print
 *                                     "granted after N s" (exit 0)
 *   nlm_lock flock FILE FLAG          flock LOCK_EX|LOCK_NB, print "held",
 *                                     keep it until FLAG exists
 *   nlm_lock flocktry FILE            flock LOCK_EX|LOCK_NB: "granted" or
 *                                     "EWOULDBLOCK" (exit 1)
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>

static int range(int fd, int cmd, off_t off, off_t len)
{
	struct flock fl = {.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_start = off, .l_len = len};

	return fcntl(fd, cmd, &fl);
}

static void wait_for(const char *flag)
{
	for (int i = 0; i < 1200 && access(flag, F_OK) != 0; i++)
		usleep(100000);
}

int main(int argc, char **argv)
{
	const char *op = argc > 2 ? argv[1] : "";
	int fd = argc > 2 ? open(argv[2], O_RDWR | O_CREAT, 0644) : -1;
	time_t t0 = time(NULL);

	if (fd < 0) {
		fprintf(stderr, "nlm_lock: %s: %s\n", argc > 2 ? argv[2] : "?", strerror(errno));
		return 2;
	}
	setvbuf(stdout, NULL, _IONBF, 0);
	if (!strcmp(op, "hold") && argc == 6) {
		if (range(fd, F_SETLK, atoll(argv[3]), atoll(argv[4])) < 0) {
			printf("hold: %s\n", strerror(errno));
			return 1;
		}
		printf("held\n");
		wait_for(argv[5]);
		return 0; /* exit releases the lock */
	}
	if ((!strcmp(op, "try") || !strcmp(op, "wait")) && argc == 5) {
		int wait = !strcmp(op, "wait");

		if (range(fd, wait ? F_SETLKW : F_SETLK, atoll(argv[3]), atoll(argv[4])) < 0) {
			printf("%s\n",
			       errno == EAGAIN || errno == EACCES ? "EAGAIN" : strerror(errno));
			return 1;
		}
		if (wait)
			printf("granted after %ld s\n", (long)(time(NULL) - t0));
		else
			printf("granted\n");
		return 0;
	}
	if (!strcmp(op, "flock") && argc == 4) {
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			printf("flock: %s\n", strerror(errno));
			return 1;
		}
		printf("held\n");
		wait_for(argv[3]);
		return 0;
	}
	if (!strcmp(op, "flocktry") && argc == 3) {
		if (flock(fd, LOCK_EX | LOCK_NB) < 0) {
			printf("%s\n", errno == EWOULDBLOCK ? "EWOULDBLOCK" : strerror(errno));
			return 1;
		}
		printf("granted\n");
		return 0;
	}
	fprintf(stderr, "usage: nlm_lock hold|try|wait|flock|flocktry FILE ...\n");
	return 2;
}

/*
 * posix_conf.c — POSIX conformance checks run against a directory on an NFS mount.
 *
 * Modeled on what pjdfstest, connectathon (cthon04 basic/general/special) and fsx
 * check, written for xlnfs from scratch: open/creat flags, data I/O incl. sparse
 * and >4 GiB files, truncate, mmap, stat fields and timestamps, ownership and
 * permission rules as root and as unprivileged users (forked children that
 * setresuid), the namespace (mkdir/rmdir/unlink/rename/link/symlink/mknod),
 * sticky and setgid directories, NFS silly rename, big and changing
 * directories, long and UTF-8 names, and a seeded random-operation loop.
 *
 * Built statically (the qemu guest has only busybox) and run as root:
 *     posix_conf DIR            run every check in a fresh DIR/pc.<pid>
 *     posix_conf -l DIR         also leave DIR/leave/ for a host-side check
 *     posix_conf -c DIR         that host-side check of DIR/leave/ on the
 *                               server's disk (see tests/conformance/run.sh)
 * Prints TAP lines ("ok N - name", "not ok N - name: detail") and a final
 * "N passed, N failed" line; exits 1 when any check failed.
 *
 * What an NFS client legitimately does differently from a local disk, and how
 * the checks deal with it (nothing is weakened that knfsd would pass):
 *   - atime: a read is not checked to move atime (the server's relatime
 *     policy decides, and the client caches reads); atime set by utimensat
 *     is checked exactly, to the nanosecond.
 *   - close-to-open: data is compared after close+reopen (or fsync); all
 *     processes here share one client, so O_APPEND is atomic among them.
 *   - silly rename: an open file that is unlinked lives on as .nfsXXXX until
 *     the last close; the checks only require the name to be gone at once
 *     and the .nfs file to vanish within 5 s of the close.
 *   - rmdir "d/.", unlink of a directory, rename onto itself or onto another
 *     link of the same inode, and ELOOP/ENAMETOOLONG are decided by the
 *     client's VFS; they are checked because applications see them.
 *   - NFSv3 times are unsigned 32-bit seconds: no pre-1970 times are tried.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/types.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

/* unprivileged identities used by the forked children */
#define U1 2001
#define U2 2002
#define G1 3001
#define G2 3002
#define G3 3003
#define GX 3009 /* a group nobody is in */

struct pc_counts {
	int n, pass, fail;
};
static struct pc_counts *pc; /* shared with forked children */
static char pc_base[PATH_MAX];

/* ------------------------------------------------------------------ reporting */

static void pc_result(bool good, const char *name, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void pc_result(bool good, const char *name, const char *fmt, ...)
{
	char detail[512] = "";
	va_list ap;

	if (fmt) {
		va_start(ap, fmt);
		vsnprintf(detail, sizeof(detail), fmt, ap);
		va_end(ap);
	}
	pc->n++;
	if (good) {
		pc->pass++;
		printf("ok %d - %s\n", pc->n, name);
	} else {
		pc->fail++;
		printf("not ok %d - %s: %s\n", pc->n, name, detail);
	}
	fflush(stdout);
}

/* CHECK(name, cond, fmt...): pass when cond holds. */
#define CHECK(name, cond, ...) pc_result((cond), (name), __VA_ARGS__)

/* OKSYS(name, call): pass when the system call does not return -1. */
#define OKSYS(name, call)                                                                          \
	do {                                                                                       \
		errno = 0;                                                                         \
		long pc_rc_ = (long)(call);                                                        \
		pc_result(pc_rc_ != -1, (name), "%s failed: %s", #call, strerror(errno));          \
	} while (0)

/* ERRSYS(name, call, err): pass when the call fails with errno err. */
#define ERRSYS(name, call, err)                                                                    \
	do {                                                                                       \
		errno = 0;                                                                         \
		long pc_rc_ = (long)(call);                                                        \
		int pc_e_ = errno;                                                                 \
		pc_result(pc_rc_ == -1 && pc_e_ == (err), (name), "%s: want %s, got %s", #call,    \
			  strerrorname_np(err),                                                    \
			  pc_rc_ == -1 ? strerrorname_np(pc_e_) : "success");                      \
	} while (0)

/* a path under the test directory (rotating buffers, valid for 16 calls) */
static const char *P(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static const char *P(const char *fmt, ...)
{
	static char bufs[16][PATH_MAX];
	static int next;
	char *b = bufs[next++ % 16];
	int n = snprintf(b, PATH_MAX, "%s/", pc_base);
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(b + n, PATH_MAX - n, fmt, ap);
	va_end(ap);
	return b;
}

static int write_file(const char *path, const void *buf, size_t len, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);
	ssize_t w;

	if (fd < 0)
		return -1;
	w = write(fd, buf, len);
	if (close(fd) < 0 || w != (ssize_t)len)
		return -1;
	return 0;
}

/* whole file into buf (at most size); returns bytes or -1 */
static ssize_t read_file(const char *path, void *buf, size_t size)
{
	int fd = open(path, O_RDONLY);
	ssize_t r, got = 0;

	if (fd < 0)
		return -1;
	while ((size_t)got < size && (r = read(fd, (char *)buf + got, size - got)) > 0)
		got += r;
	close(fd);
	return got;
}

static bool all_zero(const char *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (b[i])
			return false;
	return true;
}

static mode_t mode_of(const char *path)
{
	struct stat st;

	if (lstat(path, &st) < 0)
		return (mode_t)-1;
	return st.st_mode & 07777;
}

static long long ts_ns(const struct timespec *t)
{
	return (long long)t->tv_sec * 1000000000LL + t->tv_nsec;
}

/* run fn in a child as uid/gid with the given supplementary groups */
static void as_user(uid_t uid, gid_t gid, const gid_t *groups, int ngroups, void (*fn)(void))
{
	pid_t pid = fork();
	int status;

	if (pid < 0) {
		CHECK("fork", false, "%s", strerror(errno));
		return;
	}
	if (pid == 0) {
		if (setgroups(ngroups, groups) < 0 || setresgid(gid, gid, gid) < 0 ||
		    setresuid(uid, uid, uid) < 0) {
			CHECK("become unprivileged user", false, "%s", strerror(errno));
			_exit(1);
		}
		fn();
		fflush(stdout);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) < 0 || !WIFEXITED(status))
		CHECK("unprivileged child exits", false, "status %d", status);
}

/* ------------------------------------------------------------------ open/creat */

static void t_open(void)
{
	int fd;
	struct stat st;
	char buf[64];

	fd = open(P("excl"), O_CREAT | O_EXCL | O_WRONLY, 0666);
	CHECK("open O_CREAT|O_EXCL creates", fd >= 0, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	ERRSYS("open O_CREAT|O_EXCL on an existing file: EEXIST",
	       open(P("excl"), O_CREAT | O_EXCL | O_WRONLY, 0666), EEXIST);
	CHECK("O_EXCL create honours mode 0666 & ~022", mode_of(P("excl")) == 0644, "mode %o",
	      mode_of(P("excl")));
	if (stat(P("excl"), &st) == 0) {
		/* an NFS exclusive create parks its verifier in the times; the client
		 * must then get real times set (knfsd: SETATTR after CREATE) */
		time_t now = time(NULL);
		CHECK("O_EXCL create leaves sane mtime/atime (not the verifier)",
		      llabs((long long)(st.st_mtime - now)) < 300 &&
			      llabs((long long)(st.st_atime - now)) < 300,
		      "mtime %lld atime %lld now %lld", (long long)st.st_mtime,
		      (long long)st.st_atime, (long long)now);
		CHECK("created file is owned by the creator (root)",
		      st.st_uid == 0 && st.st_gid == 0, "%u:%u", st.st_uid, st.st_gid);
		CHECK("created file is empty with nlink 1", st.st_size == 0 && st.st_nlink == 1,
		      "size %lld nlink %lu", (long long)st.st_size, (unsigned long)st.st_nlink);
	}
	fd = creat(P("creat"), 0751);
	CHECK("creat", fd >= 0, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	CHECK("creat honours mode 0751 & ~022", mode_of(P("creat")) == 0751, "mode %o",
	      mode_of(P("creat")));
	fd = open(P("creat0"), O_CREAT | O_RDWR, 0);
	CHECK("open O_CREAT|O_RDWR with mode 0 gives a usable fd", fd >= 0 &&
	      write(fd, "x", 1) == 1, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	CHECK("mode 0 honoured", mode_of(P("creat0")) == 0, "mode %o", mode_of(P("creat0")));

	/* the client applies the umask; the server must not apply its own */
	umask(0);
	fd = open(P("umask0"), O_CREAT | O_WRONLY, 0666);
	if (fd >= 0)
		close(fd);
	mkdir(P("umask0.d"), 0777);
	umask(022);
	CHECK("with umask 0, create 0666 gives 0666", mode_of(P("umask0")) == 0666, "mode %o",
	      mode_of(P("umask0")));
	CHECK("with umask 0, mkdir 0777 gives 0777", mode_of(P("umask0.d")) == 0777, "mode %o",
	      mode_of(P("umask0.d")));

	write_file(P("trunc"), "0123456789", 10, 0644);
	fd = open(P("trunc"), O_CREAT | O_WRONLY, 0644);
	if (fd >= 0)
		close(fd);
	stat(P("trunc"), &st);
	CHECK("O_CREAT without O_TRUNC keeps existing data", st.st_size == 10, "size %lld",
	      (long long)st.st_size);
	fd = open(P("trunc"), O_WRONLY | O_TRUNC);
	if (fd >= 0)
		close(fd);
	stat(P("trunc"), &st);
	CHECK("O_TRUNC empties the file", st.st_size == 0, "size %lld", (long long)st.st_size);

	write_file(P("app"), "abc", 3, 0644);
	fd = open(P("app"), O_WRONLY | O_APPEND);
	if (fd >= 0) {
		lseek(fd, 0, SEEK_SET);
		CHECK("O_APPEND write", write(fd, "def", 3) == 3, "%s", strerror(errno));
		CHECK("O_APPEND offset after write is EOF", lseek(fd, 0, SEEK_CUR) == 6,
		      "offset %lld", (long long)lseek(fd, 0, SEEK_CUR));
		close(fd);
	}
	memset(buf, 0, sizeof(buf));
	read_file(P("app"), buf, sizeof(buf));
	CHECK("O_APPEND writes at the end", strcmp(buf, "abcdef") == 0, "got '%s'", buf);

	ERRSYS("open of a missing file: ENOENT", open(P("nonexistent"), O_RDONLY), ENOENT);
	ERRSYS("open O_WRONLY of a directory: EISDIR", open(pc_base, O_WRONLY), EISDIR);
	ERRSYS("open file/x: ENOTDIR", open(P("app/x"), O_RDONLY), ENOTDIR);
	ERRSYS("open O_DIRECTORY of a file: ENOTDIR", open(P("app"), O_RDONLY | O_DIRECTORY),
	       ENOTDIR);
}

/* ------------------------------------------------------------------ data */

static void t_data(void)
{
	static char a[65536], b[65536];
	struct stat st;
	int fd;
	ssize_t n;

	for (size_t i = 0; i < sizeof(a); i++)
		a[i] = (char)(i * 7 + i / 251);
	fd = open(P("data"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		CHECK("open data", false, "%s", strerror(errno));
		return;
	}
	CHECK("write 64 KiB", write(fd, a, sizeof(a)) == (ssize_t)sizeof(a), "%s",
	      strerror(errno));
	CHECK("lseek SEEK_CUR after write", lseek(fd, 0, SEEK_CUR) == 65536, "%s", "");
	CHECK("lseek SEEK_END", lseek(fd, -100, SEEK_END) == 65436, "%s", "");
	n = read(fd, b, 200);
	CHECK("read at EOF-100 returns 100", n == 100 && memcmp(b, a + 65436, 100) == 0,
	      "n=%zd", n);
	CHECK("read at EOF returns 0", read(fd, b, 10) == 0, "%s", "");
	n = pread(fd, b, 1000, 12345);
	CHECK("pread", n == 1000 && memcmp(b, a + 12345, 1000) == 0, "n=%zd", n);
	CHECK("pwrite", pwrite(fd, "HELLO", 5, 40000) == 5, "%s", strerror(errno));
	memcpy(a + 40000, "HELLO", 5);
	CHECK("fsync", fsync(fd) == 0, "%s", strerror(errno));
	CHECK("fdatasync", fdatasync(fd) == 0, "%s", strerror(errno));
	close(fd);
	n = read_file(P("data"), b, sizeof(b));
	CHECK("data read back after reopen", n == 65536 && memcmp(a, b, sizeof(a)) == 0,
	      "n=%zd", n);

	/* sparse file: holes read as zeros */
	fd = open(P("sparse"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		CHECK("pwrite at 1 MiB into an empty file", pwrite(fd, "end", 3, 1 << 20) == 3,
		      "%s", strerror(errno));
		fstat(fd, &st);
		CHECK("sparse size", st.st_size == (1 << 20) + 3, "size %lld",
		      (long long)st.st_size);
		close(fd);
		fd = open(P("sparse"), O_RDONLY);
		n = pread(fd, b, sizeof(b), 500000);
		CHECK("a hole reads as zeros", n == (ssize_t)sizeof(b) && all_zero(b, sizeof(b)),
		      "n=%zd", n);
		n = pread(fd, b, 10, 1 << 20);
		CHECK("data after the hole", n == 3 && memcmp(b, "end", 3) == 0, "n=%zd", n);
		close(fd);
	}

	/* large file offsets */
	fd = open(P("large"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		off_t o2 = (2LL << 30) + 17, o4 = (4LL << 30) + 4093, o5 = (5LL << 30) - 3;
		CHECK("pwrite past 2 GiB", pwrite(fd, "two", 3, o2) == 3, "%s", strerror(errno));
		CHECK("pwrite past 4 GiB (straddling a page)", pwrite(fd, "four", 4, o4) == 4,
		      "%s", strerror(errno));
		CHECK("lseek+write near 5 GiB", lseek(fd, o5, SEEK_SET) == o5 &&
		      write(fd, "five", 4) == 4, "%s", strerror(errno));
		close(fd);
		fd = open(P("large"), O_RDONLY);
		stat(P("large"), &st);
		CHECK("large file size", st.st_size == o5 + 4, "size %lld", (long long)st.st_size);
		memset(b, 1, 16);
		n = pread(fd, b, 8, o2 - 2);
		CHECK("read back at 2 GiB", n == 8 && memcmp(b, "\0\0two\0\0\0", 8) == 0, "n=%zd",
		      n);
		n = pread(fd, b, 4, o4);
		CHECK("read back at 4 GiB", n == 4 && memcmp(b, "four", 4) == 0, "n=%zd", n);
		n = pread(fd, b, 16, o5);
		CHECK("read back at 5 GiB hits EOF", n == 4 && memcmp(b, "five", 4) == 0, "n=%zd",
		      n);
		n = pread(fd, b, 4096, 3LL << 30);
		CHECK("large hole reads zeros", n == 4096 && all_zero(b, 4096), "n=%zd", n);
		close(fd);
		unlink(P("large"));
	}

	/* ftruncate grow / shrink */
	fd = open(P("ftr"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0) {
		write(fd, a, 1000);
		CHECK("ftruncate grow", ftruncate(fd, 100000) == 0, "%s", strerror(errno));
		fstat(fd, &st);
		CHECK("size after grow", st.st_size == 100000, "size %lld", (long long)st.st_size);
		n = pread(fd, b, 5000, 1000);
		CHECK("grown part reads zeros", n == 5000 && all_zero(b, 5000), "n=%zd", n);
		CHECK("ftruncate shrink", ftruncate(fd, 10) == 0, "%s", strerror(errno));
		fstat(fd, &st);
		CHECK("size after shrink", st.st_size == 10, "size %lld", (long long)st.st_size);
		ftruncate(fd, 2000);
		n = pread(fd, b, 2000, 0);
		CHECK("shrink then grow: old data gone, zeros beyond",
		      n == 2000 && memcmp(b, a, 10) == 0 && all_zero(b + 10, 1990), "n=%zd", n);
		close(fd);
	}
	OKSYS("truncate by path", truncate(P("ftr"), 77));
	stat(P("ftr"), &st);
	CHECK("size after truncate by path", st.st_size == 77, "size %lld", (long long)st.st_size);
	ERRSYS("truncate of a directory: EISDIR", truncate(pc_base, 0), EISDIR);
	ERRSYS("ftruncate of a read-only fd: EINVAL", ({
		       int f = open(P("ftr"), O_RDONLY);
		       int r = ftruncate(f, 0);
		       int e = errno;
		       close(f);
		       errno = e;
		       r;
	       }),
	       EINVAL);

	/* mmap */
	fd = open(P("mmap"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd >= 0 && ftruncate(fd, 3 * 4096 + 100) == 0) {
		char *m = mmap(NULL, 3 * 4096 + 100, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
		CHECK("mmap shared", m != MAP_FAILED, "%s", strerror(errno));
		if (m != MAP_FAILED) {
			memcpy(m, a, 3 * 4096 + 100);
			CHECK("msync", msync(m, 3 * 4096 + 100, MS_SYNC) == 0, "%s",
			      strerror(errno));
			munmap(m, 3 * 4096 + 100);
		}
		close(fd);
		n = read_file(P("mmap"), b, sizeof(b));
		CHECK("mmap writes read back after reopen",
		      n == 3 * 4096 + 100 && memcmp(a, b, n) == 0, "n=%zd", n);
	}

	/* O_DIRECT: on NFS every call is an RPC (no page cache), unaligned allowed */
	fd = open(P("direct"), O_RDWR | O_CREAT | O_TRUNC | O_DIRECT, 0644);
	if (fd >= 0) {
		static char big[4 << 20] __attribute__((aligned(4096)));
		static char back[4 << 20] __attribute__((aligned(4096)));
		for (size_t i = 0; i < sizeof(big); i++)
			big[i] = (char)(i * 2654435761u >> 13);
		n = pwrite(fd, big, sizeof(big), 0);
		CHECK("O_DIRECT write 4 MiB", n == (ssize_t)sizeof(big), "n=%zd %s", n,
		      strerror(errno));
		n = pread(fd, back, sizeof(back), 0);
		CHECK("O_DIRECT read 4 MiB back", n == (ssize_t)sizeof(back) &&
		      !memcmp(big, back, sizeof(big)), "n=%zd %s", n, strerror(errno));
		close(fd);
	} else {
		CHECK("open O_DIRECT", errno == EINVAL, "%s", strerror(errno));
	}
	fd = open(P("osync"), O_WRONLY | O_CREAT | O_TRUNC | O_SYNC, 0644);
	CHECK("O_SYNC write", fd >= 0 && write(fd, a, 10000) == 10000, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);

	/* exec a program from the mount (reads through the page cache / mmap) */
	{
		int in = open("/proc/self/exe", O_RDONLY), out, status = -1;
		static char exe[1 << 16];
		ssize_t r;
		out = open(P("prog"), O_WRONLY | O_CREAT | O_TRUNC, 0755);
		while (in >= 0 && out >= 0 && (r = read(in, exe, sizeof(exe))) > 0)
			if (write(out, exe, r) != r)
				break;
		close(in);
		close(out);
		pid_t pid = fork();
		if (pid == 0) {
			int null = open("/dev/null", O_WRONLY);
			dup2(null, 2);
			execl(P("prog"), "prog", "-x", (char *)NULL);
			_exit(99);
		}
		waitpid(pid, &status, 0);
		CHECK("exec a program stored on the mount", WIFEXITED(status) &&
		      WEXITSTATUS(status) == 2, "status %d", status);
	}
}

/* ------------------------------------------------------------------ stat & times */

static void t_stat(void)
{
	struct stat st, st2;
	struct timespec ts[2];
	int fd;

	write_file(P("st"), "x", 1, 0644);
	stat(P("st"), &st);
	CHECK("new file nlink 1", st.st_nlink == 1, "%lu", (unsigned long)st.st_nlink);
	CHECK("st_blksize sane", st.st_blksize >= 512, "%ld", (long)st.st_blksize);
	OKSYS("link", link(P("st"), P("st.l")));
	stat(P("st"), &st);
	CHECK("nlink 2 after link", st.st_nlink == 2, "%lu", (unsigned long)st.st_nlink);
	stat(P("st.l"), &st2);
	CHECK("link shares the inode", st.st_ino == st2.st_ino, "%s", "");
	OKSYS("unlink one name", unlink(P("st.l")));
	stat(P("st"), &st);
	CHECK("nlink 1 after unlink", st.st_nlink == 1, "%lu", (unsigned long)st.st_nlink);
	mkdir(P("sd"), 0755);
	stat(P("sd"), &st);
	CHECK("new directory nlink 2", st.st_nlink == 2, "%lu", (unsigned long)st.st_nlink);
	mkdir(P("sd/sub"), 0755);
	stat(P("sd"), &st);
	CHECK("directory nlink 3 with a subdirectory", st.st_nlink == 3, "%lu",
	      (unsigned long)st.st_nlink);
	CHECK("mkdir honours mode 0755", mode_of(P("sd/sub")) == 0755, "%o",
	      mode_of(P("sd/sub")));

	/* utimensat with explicit nanoseconds */
	ts[0].tv_sec = 1000000000;
	ts[0].tv_nsec = 123456789;
	ts[1].tv_sec = 1100000000;
	ts[1].tv_nsec = 987654321;
	OKSYS("utimensat explicit times", utimensat(AT_FDCWD, P("st"), ts, 0));
	stat(P("st"), &st);
	CHECK("atime with nanoseconds", ts_ns(&st.st_atim) == ts_ns(&ts[0]), "%lld.%09ld",
	      (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	CHECK("mtime with nanoseconds", ts_ns(&st.st_mtim) == ts_ns(&ts[1]), "%lld.%09ld",
	      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);
	ts[0].tv_nsec = UTIME_OMIT;
	ts[1].tv_nsec = UTIME_NOW;
	OKSYS("utimensat UTIME_OMIT/UTIME_NOW", utimensat(AT_FDCWD, P("st"), ts, 0));
	stat(P("st"), &st);
	CHECK("UTIME_OMIT keeps atime", ts_ns(&st.st_atim) == 1000000000123456789LL,
	      "%lld.%09ld", (long long)st.st_atim.tv_sec, st.st_atim.tv_nsec);
	CHECK("UTIME_NOW sets mtime to now", llabs((long long)(st.st_mtime - time(NULL))) < 300,
	      "mtime %lld", (long long)st.st_mtime);
	OKSYS("utimensat NULL (both now)", utimensat(AT_FDCWD, P("st"), NULL, 0));
	stat(P("st"), &st);
	CHECK("utimensat NULL sets atime to now",
	      llabs((long long)(st.st_atime - time(NULL))) < 300, "atime %lld",
	      (long long)st.st_atime);
	/* lutimes on a symlink changes the link, not the target */
	symlink("st", P("st.sym"));
	ts[0].tv_sec = ts[1].tv_sec = 1200000000;
	ts[0].tv_nsec = ts[1].tv_nsec = 0;
	OKSYS("utimensat AT_SYMLINK_NOFOLLOW", utimensat(AT_FDCWD, P("st.sym"), ts,
							 AT_SYMLINK_NOFOLLOW));
	lstat(P("st.sym"), &st);
	stat(P("st"), &st2);
	CHECK("symlink times set, target untouched",
	      st.st_mtime == 1200000000 && st2.st_mtime != 1200000000, "link %lld target %lld",
	      (long long)st.st_mtime, (long long)st2.st_mtime);

	/* NFSv3 times are unsigned 32-bit seconds: after 2038 must work (not
	 * 2^32-1 itself: the VFS drops the nanoseconds at a superblock's limit) */
	ts[0].tv_sec = 4000000000LL;
	ts[1].tv_sec = 4294967294LL;
	ts[0].tv_nsec = ts[1].tv_nsec = 999999999;
	OKSYS("utimensat to 2096 and 2106", utimensat(AT_FDCWD, P("st"), ts, 0));
	stat(P("st"), &st);
	CHECK("times after 2038 survive", st.st_atim.tv_sec == 4000000000LL &&
	      st.st_atim.tv_nsec == 999999999 && st.st_mtim.tv_sec == 4294967294LL &&
	      st.st_mtim.tv_nsec == 999999999,
	      "atime %lld mtime %lld.%09ld", (long long)st.st_atim.tv_sec,
	      (long long)st.st_mtim.tv_sec, st.st_mtim.tv_nsec);

	/* mtime/ctime move on write, chmod, rename, link: start from old times */
	ts[0].tv_sec = ts[1].tv_sec = 1000000000;
	utimensat(AT_FDCWD, P("st"), ts, 0);
	stat(P("st"), &st);
	usleep(20000);
	fd = open(P("st"), O_WRONLY);
	write(fd, "more", 4);
	close(fd);
	stat(P("st"), &st2);
	CHECK("write updates mtime", st2.st_mtime > 1000000000, "mtime %lld",
	      (long long)st2.st_mtime);
	CHECK("write updates ctime", ts_ns(&st2.st_ctim) > ts_ns(&st.st_ctim), "%s", "");
	st = st2;
	usleep(20000);
	chmod(P("st"), 0600);
	stat(P("st"), &st2);
	CHECK("chmod updates ctime", ts_ns(&st2.st_ctim) > ts_ns(&st.st_ctim), "%s", "");
	CHECK("chmod keeps mtime", ts_ns(&st2.st_mtim) == ts_ns(&st.st_mtim), "%s", "");
	st = st2;
	usleep(20000);
	link(P("st"), P("st.l2"));
	stat(P("st"), &st2);
	CHECK("link updates ctime", ts_ns(&st2.st_ctim) > ts_ns(&st.st_ctim), "%s", "");
	st = st2;
	usleep(20000);
	rename(P("st.l2"), P("st.l3"));
	stat(P("st"), &st2);
	CHECK("rename updates the file's ctime", ts_ns(&st2.st_ctim) > ts_ns(&st.st_ctim), "%s", "");
	stat(pc_base, &st);
	usleep(20000);
	write_file(P("st.new"), "", 0, 0644);
	stat(pc_base, &st2);
	CHECK("create updates the directory's mtime", ts_ns(&st2.st_mtim) > ts_ns(&st.st_mtim),
	      "%s", "");
	st = st2;
	usleep(20000);
	unlink(P("st.new"));
	stat(pc_base, &st2);
	CHECK("unlink updates the directory's mtime", ts_ns(&st2.st_mtim) > ts_ns(&st.st_mtim),
	      "%s", "");
	stat(P("st"), &st);
	usleep(20000);
	truncate(P("st"), 2);
	stat(P("st"), &st2);
	CHECK("truncate updates mtime and ctime",
	      ts_ns(&st2.st_mtim) > ts_ns(&st.st_mtim) && ts_ns(&st2.st_ctim) > ts_ns(&st.st_ctim),
	      "%s", "");
}

/* ------------------------------------------------------------------ ownership, modes */

static void t_chmod_root(void)
{
	struct stat st;
	int fd;

	write_file(P("cm"), "x", 1, 0644);
	OKSYS("chmod 0640", chmod(P("cm"), 0640));
	CHECK("mode after chmod", mode_of(P("cm")) == 0640, "%o", mode_of(P("cm")));
	fd = open(P("cm"), O_RDONLY);
	OKSYS("fchmod 0604", fchmod(fd, 0604));
	close(fd);
	CHECK("mode after fchmod", mode_of(P("cm")) == 0604, "%o", mode_of(P("cm")));
	OKSYS("chmod 07755", chmod(P("cm"), 07755));
	CHECK("chmod keeps setuid/setgid/sticky for root", mode_of(P("cm")) == 07755, "%o",
	      mode_of(P("cm")));
	OKSYS("chown 1234:5678", chown(P("cm"), 1234, 5678));
	stat(P("cm"), &st);
	CHECK("owner after chown", st.st_uid == 1234 && st.st_gid == 5678, "%u:%u", st.st_uid,
	      st.st_gid);
	CHECK("chown clears setuid and setgid (group-executable)",
	      (st.st_mode & 07777) == 01755, "%o", st.st_mode & 07777);
	OKSYS("chown -1:-1 is a no-op", chown(P("cm"), -1, -1));
	OKSYS("chown to ids above 2^31", chown(P("cm"), 3000000000u, 4000000000u));
	stat(P("cm"), &st);
	CHECK("ids above 2^31 kept", st.st_uid == 3000000000u && st.st_gid == 4000000000u,
	      "%u:%u", st.st_uid, st.st_gid);
	chown(P("cm"), 1234, 5678);
	symlink("cm", P("cm.sym"));
	OKSYS("lchown", lchown(P("cm.sym"), 4321, 8765));
	lstat(P("cm.sym"), &st);
	CHECK("lchown changes the link", st.st_uid == 4321 && st.st_gid == 8765, "%u:%u",
	      st.st_uid, st.st_gid);
	stat(P("cm"), &st);
	CHECK("lchown leaves the target", st.st_uid == 1234, "%u", st.st_uid);
	OKSYS("chown through a symlink", chown(P("cm.sym"), 42, 43));
	stat(P("cm"), &st);
	CHECK("chown follows the symlink", st.st_uid == 42 && st.st_gid == 43, "%u:%u",
	      st.st_uid, st.st_gid);
	fd = open(P("cm.suid"), O_CREAT | O_WRONLY, 06755);
	if (fd >= 0)
		close(fd);
	CHECK("root creat with mode 06755 keeps the set-id bits", mode_of(P("cm.suid")) == 06755,
	      "%o", mode_of(P("cm.suid")));
	OKSYS("mkdir 01777", mkdir(P("cm.sticky"), 01777));
	CHECK("mkdir keeps the sticky bit (01777 & ~022)", mode_of(P("cm.sticky")) == 01755,
	      "%o", mode_of(P("cm.sticky")));
	CHECK("root: access X_OK on a 0644 file fails", access(P("cm.suid"), X_OK) == 0 &&
	      access(P("cm"), X_OK) == 0 && chmod(P("cm"), 0644) == 0 &&
	      access(P("cm"), X_OK) == -1 && errno == EACCES, "%s", strerror(errno));
	chmod(P("cm"), 0444);
	OKSYS("root: access W_OK on a 0444 file", access(P("cm"), W_OK));
	mkdir(P("cmdir"), 0755);
	OKSYS("chmod a directory 02775", chmod(P("cmdir"), 02775));
	CHECK("directory mode", mode_of(P("cmdir")) == 02775, "%o", mode_of(P("cmdir")));
}

/* ---- as an unprivileged user (U1, G1 + G2) */

static void u1_checks(void)
{
	struct stat st;
	struct timespec ts[2] = { { 5, 0 }, { 5, 0 } };
	int fd;
	char buf[16];

	write_file(P("u/own"), "mine", 4, 0644);
	stat(P("u/own"), &st);
	CHECK("file created by a user is owned by uid and primary gid",
	      st.st_uid == U1 && st.st_gid == G1, "%u:%u", st.st_uid, st.st_gid);
	ERRSYS("user cannot chown its file to another user", chown(P("u/own"), U2, -1), EPERM);
	OKSYS("user can chgrp to a supplementary group", chown(P("u/own"), -1, G2));
	stat(P("u/own"), &st);
	CHECK("group after chgrp", st.st_gid == G2, "%u", st.st_gid);
	OKSYS("user can chown to itself (no-op)", chown(P("u/own"), U1, -1));
	ERRSYS("user cannot chgrp to a group it is not in", chown(P("u/own"), -1, GX), EPERM);
	OKSYS("owner chmod", chmod(P("u/own"), 0600));
	ERRSYS("chmod of someone else's file: EPERM", chmod(P("u/rootfile"), 0777), EPERM);
	ERRSYS("chown of someone else's file: EPERM", chown(P("u/rootfile"), U1, -1), EPERM);
	ERRSYS("utimensat explicit times on someone else's file: EPERM",
	       utimensat(AT_FDCWD, P("u/rootfile"), ts, 0), EPERM);
	ERRSYS("utimensat NULL on someone else's read-only file: EACCES",
	       utimensat(AT_FDCWD, P("u/rootfile"), NULL, 0), EACCES);
	OKSYS("utimensat NULL on someone else's world-writable file",
	      utimensat(AT_FDCWD, P("u/suid"), NULL, 0));

	/* setgid bit on a file whose group the user is not in is cleared by chmod */
	write_file(P("u/sg"), "", 0, 0644);
	OKSYS("chmod g+s on own file, group not ours after chgrp", chown(P("u/sg"), -1, G2));
	OKSYS("chmod 02755 as member of the group", chmod(P("u/sg"), 02755));
	CHECK("setgid kept for a member", mode_of(P("u/sg")) == 02755, "%o", mode_of(P("u/sg")));

	/* setuid/setgid cleared when a non-owner writes */
	fd = open(P("u/suid"), O_WRONLY);
	CHECK("open world-writable setuid file", fd >= 0, "%s", strerror(errno));
	if (fd >= 0) {
		CHECK("write by non-owner", write(fd, "w", 1) == 1, "%s", strerror(errno));
		close(fd);
	}
	stat(P("u/suid"), &st);
	CHECK("write by a non-owner clears setuid and setgid", (st.st_mode & 06000) == 0,
	      "mode %o", st.st_mode & 07777);

	/* permission checks */
	ERRSYS("open of a 0000 file owned by someone else: EACCES", open(P("u/zero"), O_RDONLY),
	       EACCES);
	ERRSYS("open O_WRONLY of a 0644 root file: EACCES", open(P("u/rootfile"), O_WRONLY),
	       EACCES);
	fd = open(P("u/rootfile"), O_RDONLY);
	CHECK("open O_RDONLY of a 0644 root file", fd >= 0, "%s", strerror(errno));
	if (fd >= 0) {
		CHECK("read it", read(fd, buf, 4) == 4, "%s", strerror(errno));
		close(fd);
	}
	write_file(P("u/own0"), "zz", 2, 0600);
	chmod(P("u/own0"), 0);
	ERRSYS("owner cannot open its own 0000 file", open(P("u/own0"), O_RDONLY), EACCES);
	mkdir(P("u/nox"), 0700);
	write_file(P("u/nox/f"), "f", 1, 0644);
	chmod(P("u/nox"), 0600);
	ERRSYS("dir without x: open a file inside: EACCES", open(P("u/nox/f"), O_RDONLY), EACCES);
	ERRSYS("dir without x: stat inside: EACCES", stat(P("u/nox/f"), &st), EACCES);
	chmod(P("u/nox"), 0300);
	ERRSYS("dir without r: opendir listing fails EACCES", open(P("u/nox"), O_RDONLY), EACCES);
	fd = open(P("u/nox/f"), O_RDONLY);
	CHECK("dir with x but no r: open a known name", fd >= 0, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	chmod(P("u/nox"), 0500);
	ERRSYS("dir without w: create EACCES", open(P("u/nox/g"), O_CREAT | O_WRONLY, 0644),
	       EACCES);
	ERRSYS("dir without w: unlink EACCES", unlink(P("u/nox/f")), EACCES);
	chmod(P("u/nox"), 0700);
	ERRSYS("user cannot create in a root 0755 dir", mkdir(P("rootdir/x"), 0755), EACCES);

	/* owner writes its 0444 file through an fd opened before the chmod */
	fd = open(P("u/ro"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	CHECK("create u/ro", fd >= 0, "%s", strerror(errno));
	if (fd >= 0) {
		OKSYS("fchmod 0444 with the fd open", fchmod(fd, 0444));
		CHECK("owner writes through the fd opened before chmod 0444",
		      write(fd, "data", 4) == 4, "%s", strerror(errno));
		CHECK("fsync that write", fsync(fd) == 0, "%s", strerror(errno));
		CHECK("owner ftruncates through that fd", ftruncate(fd, 2) == 0, "%s",
		      strerror(errno));
		close(fd);
		stat(P("u/ro"), &st);
		CHECK("data of the 0444 file reached the server", st.st_size == 2, "size %lld",
		      (long long)st.st_size);
		ERRSYS("truncate by path of own 0444 file: EACCES", truncate(P("u/ro"), 0), EACCES);
		ERRSYS("open O_WRONLY of own 0444 file: EACCES", open(P("u/ro"), O_WRONLY), EACCES);
	}
	/* cp-like: create 0444 with O_CREAT and write through that fd */
	fd = open(P("u/ro2"), O_WRONLY | O_CREAT | O_EXCL, 0444);
	CHECK("create a 0444 file O_WRONLY", fd >= 0, "%s", strerror(errno));
	if (fd >= 0) {
		CHECK("write to the fd of a new 0444 file", write(fd, "abc", 3) == 3, "%s",
		      strerror(errno));
		CHECK("close flushes it", close(fd) == 0, "%s", strerror(errno));
		stat(P("u/ro2"), &st);
		CHECK("new 0444 file holds its data", st.st_size == 3, "size %lld",
		      (long long)st.st_size);
	}

	/* the owner's own write clears its setuid bit too (no CAP_FSETID) */
	write_file(P("u/mysuid"), "", 0, 0755);
	chmod(P("u/mysuid"), 04755);
	fd = open(P("u/mysuid"), O_WRONLY);
	if (fd >= 0) {
		CHECK("owner writes its setuid file", write(fd, "x", 1) == 1, "%s",
		      strerror(errno));
		close(fd);
	}
	CHECK("an unprivileged owner's write clears setuid", mode_of(P("u/mysuid")) == 0755,
	      "%o", mode_of(P("u/mysuid")));

	/* access(2) goes to the server (NFS ACCESS) */
	ERRSYS("access W_OK on a root 0644 file: EACCES", access(P("u/rootfile"), W_OK), EACCES);
	OKSYS("access R_OK on a root 0644 file", access(P("u/rootfile"), R_OK));
	ERRSYS("access X_OK on a 0644 file: EACCES", access(P("u/rootfile"), X_OK), EACCES);
	/* group class: a member gets the group bits even when "other" allows more */
	ERRSYS("group member denied by the group bits (0604): EACCES",
	       open(P("u/grp0604"), O_RDONLY), EACCES);
	fd = open(P("u/grp0060"), O_RDWR);
	CHECK("supplementary group grants read-write (0060)", fd >= 0 && write(fd, "g", 1) == 1,
	      "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	/* exclusive create by a user: owner, mode and real times */
	fd = open(P("u/excl"), O_CREAT | O_EXCL | O_WRONLY, 0640);
	CHECK("user O_EXCL create", fd >= 0, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	CHECK("user O_EXCL create: owner, mode, sane mtime", stat(P("u/excl"), &st) == 0 &&
	      st.st_uid == U1 && st.st_gid == G1 && (st.st_mode & 07777) == 0640 &&
	      llabs((long long)(st.st_mtime - time(NULL))) < 300, "%u:%u mode %o mtime %lld",
	      st.st_uid, st.st_gid, st.st_mode & 07777, (long long)st.st_mtime);
	/* creating with setgid in a directory whose group we are not in drops it */
	fd = open(P("sgid/u1sg"), O_CREAT | O_WRONLY, 02755);
	if (fd >= 0)
		close(fd);
	CHECK("user create 02755 in a G3 directory (not a member): setgid dropped",
	      stat(P("sgid/u1sg"), &st) == 0 && st.st_gid == G3 && (st.st_mode & 07777) == 0755,
	      "gid %u mode %o", st.st_gid, st.st_mode & 07777);
	ERRSYS("exec of a 0644 file: EACCES", execl(P("u/rootfile"), "x", (char *)NULL), EACCES);

	/* sticky directory */
	write_file(P("sticky/u1file"), "1", 1, 0666);
	mkdir(P("sticky/u1dir"), 0777);
	ERRSYS("sticky: cannot unlink another user's file", unlink(P("sticky/rootfile")), EPERM);
	ERRSYS("sticky: cannot rename another user's file away",
	       rename(P("sticky/rootfile"), P("sticky/mine")), EPERM);
	ERRSYS("sticky: cannot rmdir another user's dir", rmdir(P("sticky/rootdir")), EPERM);

	/* setgid directory */
	write_file(P("sgid/u1f"), "", 0, 0644);
	stat(P("sgid/u1f"), &st);
	CHECK("setgid dir: a user's new file gets the directory's group", st.st_gid == G3, "%u",
	      st.st_gid);
	mkdir(P("sgid/u1d"), 0755);
	stat(P("sgid/u1d"), &st);
	CHECK("setgid dir: a user's new subdir gets the group and the setgid bit",
	      st.st_gid == G3 && (st.st_mode & S_ISGID), "%u mode %o", st.st_gid,
	      st.st_mode & 07777);
}

static void u2_checks(void)
{
	ERRSYS("sticky: another user cannot unlink U1's file", unlink(P("sticky/u1file")), EPERM);
	ERRSYS("sticky: another user cannot rmdir U1's dir", rmdir(P("sticky/u1dir")), EPERM);
	ERRSYS("sticky: cannot rename over U1's file",
	       rename(P("sticky/u2file"), P("sticky/u1file")), EPERM);
	OKSYS("sticky: a user removes its own file", unlink(P("sticky/u2file")));
	OKSYS("non-owner can write a world-writable file",
	      write_file(P("u/ww"), "u2", 2, 0644));
}

static void t_users(void)
{
	gid_t g1[] = { G1, G2 }, g2[] = { G1 };
	struct stat st;

	mkdir(P("u"), 0777);
	chmod(P("u"), 0777);
	mkdir(P("rootdir"), 0755);
	write_file(P("u/rootfile"), "root", 4, 0644);
	write_file(P("u/zero"), "z", 1, 0);
	write_file(P("u/suid"), "s", 1, 0);
	chmod(P("u/suid"), 06777);
	write_file(P("u/ww"), "", 0, 0);
	chown(P("u/ww"), U1, G1);
	chmod(P("u/ww"), 0666);
	mkdir(P("sticky"), 0777);
	chmod(P("sticky"), 01777);
	write_file(P("sticky/rootfile"), "r", 1, 0666);
	chmod(P("sticky/rootfile"), 0666);
	mkdir(P("sticky/rootdir"), 0777);
	chmod(P("sticky/rootdir"), 0777);
	write_file(P("sticky/u2file"), "2", 1, 0644);
	chown(P("sticky/u2file"), U2, G1);
	write_file(P("u/grp0604"), "g", 1, 0644);
	chown(P("u/grp0604"), 0, G1);
	chmod(P("u/grp0604"), 0604);
	write_file(P("u/grp0060"), "g", 1, 0644);
	chown(P("u/grp0060"), 0, G2);
	chmod(P("u/grp0060"), 0060);
	mkdir(P("sgid"), 0777);
	chown(P("sgid"), 0, G3);
	chmod(P("sgid"), 02777);
	CHECK("setgid directory mode set by root", mode_of(P("sgid")) == 02777, "%o",
	      mode_of(P("sgid")));
	write_file(P("sgid/rootf"), "", 0, 0644);
	stat(P("sgid/rootf"), &st);
	CHECK("setgid dir: root's new file gets the directory's group", st.st_gid == G3, "%u",
	      st.st_gid);
	as_user(U1, G1, g1, 2, u1_checks);
	as_user(U2, G1, g2, 1, u2_checks);
	OKSYS("sticky: root removes anyone's file", unlink(P("sticky/u1file")));
}

/* ------------------------------------------------------------------ namespace */

static void t_dirs(void)
{
	mkdir(P("d"), 0755);
	ERRSYS("mkdir of an existing dir: EEXIST", mkdir(P("d"), 0755), EEXIST);
	write_file(P("d/f"), "f", 1, 0644);
	ERRSYS("mkdir over a file: EEXIST", mkdir(P("d/f"), 0755), EEXIST);
	ERRSYS("mkdir under a file: ENOTDIR", mkdir(P("d/f/x"), 0755), ENOTDIR);
	ERRSYS("mkdir in a missing dir: ENOENT", mkdir(P("nodir/x"), 0755), ENOENT);
	ERRSYS("rmdir of a non-empty dir: ENOTEMPTY", rmdir(P("d")), ENOTEMPTY);
	ERRSYS("rmdir of a file: ENOTDIR", rmdir(P("d/f")), ENOTDIR);
	ERRSYS("rmdir of \".\": EINVAL", rmdir(P("d/.")), EINVAL);
	ERRSYS("rmdir of a missing dir: ENOENT", rmdir(P("d/none")), ENOENT);
	ERRSYS("unlink of a directory: EISDIR", unlink(P("d")), EISDIR);
	ERRSYS("unlink of a missing file: ENOENT", unlink(P("d/none")), ENOENT);
	OKSYS("unlink", unlink(P("d/f")));
	OKSYS("rmdir of an empty dir", rmdir(P("d")));
	ERRSYS("the removed dir is gone", access(P("d"), F_OK), ENOENT);
}

static void t_rename(void)
{
	struct stat st, st2;
	char buf[16] = "";

	write_file(P("r1"), "one", 3, 0644);
	write_file(P("r2"), "two", 3, 0644);
	stat(P("r1"), &st);
	OKSYS("rename file over file", rename(P("r1"), P("r2")));
	read_file(P("r2"), buf, sizeof(buf) - 1);
	stat(P("r2"), &st2);
	CHECK("target holds the source", strcmp(buf, "one") == 0 && st.st_ino == st2.st_ino,
	      "'%s'", buf);
	ERRSYS("source name gone", access(P("r1"), F_OK), ENOENT);
	mkdir(P("rd1"), 0755);
	write_file(P("rd1/in"), "in", 2, 0644);
	mkdir(P("rd2"), 0755);
	OKSYS("rename dir over empty dir", rename(P("rd1"), P("rd2")));
	CHECK("moved dir content", access(P("rd2/in"), F_OK) == 0, "%s", strerror(errno));
	mkdir(P("rd3"), 0755);
	ERRSYS("rename dir over non-empty dir: ENOTEMPTY", rename(P("rd3"), P("rd2")), ENOTEMPTY);
	ERRSYS("rename file over dir: EISDIR", rename(P("r2"), P("rd3")), EISDIR);
	ERRSYS("rename dir over file: ENOTDIR", rename(P("rd3"), P("r2")), ENOTDIR);
	mkdir(P("rd2/sub"), 0755);
	ERRSYS("rename dir into its own subtree: EINVAL", rename(P("rd2"), P("rd2/sub/x")),
	       EINVAL);
	OKSYS("rename a file onto itself", rename(P("r2"), P("r2")));
	CHECK("file still there", access(P("r2"), F_OK) == 0, "%s", "");
	link(P("r2"), P("r2.hl"));
	OKSYS("rename onto a hard link of the same inode", rename(P("r2"), P("r2.hl")));
	CHECK("both names remain (POSIX: no-op)",
	      access(P("r2"), F_OK) == 0 && access(P("r2.hl"), F_OK) == 0, "%s", "");
	ERRSYS("rename of a missing name: ENOENT", rename(P("nothere"), P("x")), ENOENT);
	write_file(P("ro.a"), "new", 3, 0644);
	write_file(P("ro.b"), "old", 3, 0644);
	{
		int fd = open(P("ro.b"), O_RDONLY);
		memset(buf, 0, sizeof(buf));
		OKSYS("rename over a file that is open", rename(P("ro.a"), P("ro.b")));
		CHECK("the open fd still reads the replaced file", pread(fd, buf, 3, 0) == 3 &&
		      !strcmp(buf, "old"), "'%s' %s", buf, strerror(errno));
		close(fd);
		memset(buf, 0, sizeof(buf));
		read_file(P("ro.b"), buf, 3);
		CHECK("the name reads the new file", !strcmp(buf, "new"), "'%s'", buf);
		mkdir(P("rt1"), 0755);
		mkdir(P("rt2"), 0755);
		write_file(P("rt1/f"), "", 0, 0644);
		struct timespec old[2] = { { 1000000000, 0 }, { 1000000000, 0 } };
		utimensat(AT_FDCWD, P("rt1"), old, 0);
		utimensat(AT_FDCWD, P("rt2"), old, 0);
		rename(P("rt1/f"), P("rt2/f"));
		CHECK("rename updates both directories' mtime", stat(P("rt1"), &st) == 0 &&
		      st.st_mtime > 1000000000 && stat(P("rt2"), &st2) == 0 &&
		      st2.st_mtime > 1000000000, "%lld %lld", (long long)st.st_mtime,
		      (long long)st2.st_mtime);
	}
	OKSYS("rename across directories", rename(P("r2.hl"), P("rd3/moved")));
	stat(P("rd3/moved"), &st);
	CHECK("moved link keeps nlink 2", st.st_nlink == 2, "%lu", (unsigned long)st.st_nlink);
	stat(P("rd2"), &st);
	mkdir(P("rd4"), 0755);
	OKSYS("rename a dir into another dir", rename(P("rd4"), P("rd2/rd4")));
	stat(P("rd2"), &st2);
	CHECK("parent nlink grows by one", st2.st_nlink == st.st_nlink + 1, "%lu -> %lu",
	      (unsigned long)st.st_nlink, (unsigned long)st2.st_nlink);
	CHECK("moved dir's .. is the new parent", stat(P("rd2/rd4/.."), &st) == 0 &&
	      st.st_ino == st2.st_ino, "%s", "");
}

static void t_link_symlink(void)
{
	static char target[4096], got[4200];
	struct stat st;
	ssize_t n;
	int fd;

	write_file(P("lk"), "L", 1, 0644);
	OKSYS("link", link(P("lk"), P("lk2")));
	ERRSYS("link onto an existing name: EEXIST", link(P("lk"), P("lk2")), EEXIST);
	mkdir(P("lkd"), 0755);
	ERRSYS("link of a directory: EPERM", link(P("lkd"), P("lkd2")), EPERM);
	ERRSYS("link of a missing file: ENOENT", link(P("nothere"), P("lk3")), ENOENT);
	stat(P("lk"), &st);
	CHECK("nlink 2", st.st_nlink == 2, "%lu", (unsigned long)st.st_nlink);

	OKSYS("symlink", symlink("lk", P("sl")));
	n = readlink(P("sl"), got, sizeof(got));
	CHECK("readlink", n == 2 && memcmp(got, "lk", 2) == 0, "n=%zd", n);
	lstat(P("sl"), &st);
	CHECK("lstat: a symlink whose size is the target length", S_ISLNK(st.st_mode) &&
	      st.st_size == 2, "mode %o size %lld", st.st_mode, (long long)st.st_size);
	ERRSYS("symlink onto an existing name: EEXIST", symlink("x", P("lk")), EEXIST);
	ERRSYS("readlink of a file: EINVAL", readlink(P("lk"), got, sizeof(got)), EINVAL);
	for (int len = 1023; len <= 4095; len += 3072) {
		char name[64];
		for (int i = 0; i < len; i++)
			target[i] = (i % 64 == 63) ? '/' : 'a' + i % 26;
		target[len] = 0;
		snprintf(name, sizeof(name), "symlink with a %d-byte target", len);
		errno = 0;
		OKSYS(name, symlink(target, P("long%d", len)));
		n = readlink(P("long%d", len), got, sizeof(got));
		CHECK("readlink returns the long target", n == len && memcmp(got, target, len) == 0,
		      "n=%zd %s", n, strerror(errno));
		lstat(P("long%d", len), &st);
		CHECK("its lstat size", st.st_size == len, "%lld", (long long)st.st_size);
	}
	OKSYS("dangling symlink", symlink("no/such/target", P("dang")));
	CHECK("lstat of a dangling symlink", lstat(P("dang"), &st) == 0 && S_ISLNK(st.st_mode),
	      "%s", strerror(errno));
	ERRSYS("stat of a dangling symlink: ENOENT", stat(P("dang"), &st), ENOENT);
	symlink("loop2", P("loop1"));
	symlink("loop1", P("loop2"));
	ERRSYS("open of a symlink loop: ELOOP", open(P("loop1"), O_RDONLY), ELOOP);
	ERRSYS("open O_NOFOLLOW of a symlink: ELOOP", open(P("sl"), O_RDONLY | O_NOFOLLOW), ELOOP);
	fd = open(P("sl"), O_RDONLY);
	CHECK("open through a symlink", fd >= 0 && read(fd, got, 1) == 1 && got[0] == 'L', "%s",
	      strerror(errno));
	if (fd >= 0)
		close(fd);
	OKSYS("unlink a symlink", unlink(P("sl")));
	CHECK("target survives", access(P("lk"), F_OK) == 0, "%s", "");
}

static void t_mknod(void)
{
	struct stat st;
	int fd;

	OKSYS("mkfifo", mkfifo(P("fifo"), 0644));
	CHECK("fifo type and mode", stat(P("fifo"), &st) == 0 && S_ISFIFO(st.st_mode) &&
	      (st.st_mode & 07777) == 0644, "mode %o", st.st_mode);
	fd = open(P("fifo"), O_RDWR);
	CHECK("open the fifo read-write", fd >= 0, "%s", strerror(errno));
	if (fd >= 0) {
		char c = 0;
		CHECK("fifo passes data", write(fd, "p", 1) == 1 && read(fd, &c, 1) == 1 &&
		      c == 'p', "%s", "");
		close(fd);
	}
	OKSYS("mknod char device", mknod(P("chr"), S_IFCHR | 0600, makedev(1, 3)));
	CHECK("char device type and rdev", stat(P("chr"), &st) == 0 && S_ISCHR(st.st_mode) &&
	      st.st_rdev == makedev(1, 3), "mode %o rdev %lx", st.st_mode,
	      (unsigned long)st.st_rdev);
	OKSYS("mknod block device", mknod(P("blk"), S_IFBLK | 0600, makedev(259, 70000)));
	CHECK("block device type and rdev (large minor)", stat(P("blk"), &st) == 0 &&
	      S_ISBLK(st.st_mode) && st.st_rdev == makedev(259, 70000), "mode %o rdev %u:%u",
	      st.st_mode, major(st.st_rdev), minor(st.st_rdev));
	OKSYS("mknod socket", mknod(P("sock"), S_IFSOCK | 0644, 0));
	CHECK("socket type", stat(P("sock"), &st) == 0 && S_ISSOCK(st.st_mode), "mode %o",
	      st.st_mode);
	OKSYS("mknod regular file", mknod(P("regnod"), S_IFREG | 0600, 0));
	CHECK("regular file via mknod", stat(P("regnod"), &st) == 0 && S_ISREG(st.st_mode) &&
	      (st.st_mode & 0777) == 0600, "mode %o", st.st_mode);
	ERRSYS("mknod onto an existing name: EEXIST", mknod(P("fifo"), S_IFIFO | 0644, 0), EEXIST);
	OKSYS("unlink the fifo", unlink(P("fifo")));
}

/* ------------------------------------------------------------------ NFS: silly rename */

static int count_prefix(const char *dir, const char *prefix)
{
	DIR *d = opendir(dir);
	struct dirent *e;
	int n = 0;

	if (!d)
		return -1;
	while ((e = readdir(d)))
		if (strncmp(e->d_name, prefix, strlen(prefix)) == 0)
			n++;
	closedir(d);
	return n;
}

static void t_silly(void)
{
	char buf[32] = "";
	int fd;

	mkdir(P("silly"), 0755);
	write_file(P("silly/f"), "still here", 10, 0644);
	fd = open(P("silly/f"), O_RDWR);
	OKSYS("unlink an open file", unlink(P("silly/f")));
	ERRSYS("its name is gone", access(P("silly/f"), F_OK), ENOENT);
	CHECK("the open file is still readable", pread(fd, buf, 10, 0) == 10 &&
	      strcmp(buf, "still here") == 0, "'%s' %s", buf, strerror(errno));
	CHECK("and writable", pwrite(fd, "!", 1, 10) == 1 && fsync(fd) == 0, "%s",
	      strerror(errno));
	struct stat st;
	CHECK("fstat of the unlinked file", fstat(fd, &st) == 0 && st.st_size == 11, "%s",
	      strerror(errno));
	close(fd);
	/* the Linux client removes its .nfsXXXX on the last close (asynchronously) */
	int n = -1;
	for (int i = 0; i < 50 && (n = count_prefix(P("silly"), ".nfs")) != 0; i++)
		usleep(100000);
	CHECK("no .nfs* file left after close", n == 0, "%d left", n);
	OKSYS("the directory can be removed", rmdir(P("silly")));
}

/* ------------------------------------------------------------------ readdir */

static void t_readdir(void)
{
	enum { N = 5000 };
	static unsigned char seen[N];
	DIR *d;
	struct dirent *e;
	int dups = 0, extra = 0, missing = 0, dots = 0, made = 0;

	mkdir(P("big"), 0755);
	for (int i = 0; i < N; i++) {
		int fd = open(P("big/entry-%05d-with-a-longish-name", i), O_CREAT | O_WRONLY, 0644);
		if (fd >= 0) {
			made++;
			close(fd);
		}
	}
	CHECK("create 5000 files", made == N, "%d made", made);
	d = opendir(P("big"));
	while (d && (e = readdir(d))) {
		int i;
		if (!strcmp(e->d_name, ".") || !strcmp(e->d_name, "..")) {
			dots++;
			continue;
		}
		if (sscanf(e->d_name, "entry-%05d-", &i) != 1 || i < 0 || i >= N) {
			extra++;
			continue;
		}
		if (seen[i]++)
			dups++;
	}
	for (int i = 0; i < N; i++)
		missing += !seen[i];
	CHECK("readdir of 5000 entries returns each exactly once",
	      d && dups == 0 && extra == 0 && missing == 0 && dots == 2,
	      "dups %d extra %d missing %d dots %d", dups, extra, missing, dots);

	/* telldir/seekdir */
	if (d) {
		char first[300][256];
		long pos;
		int k = 0, bad = 0;
		rewinddir(d);
		for (int i = 0; i < 1234 && readdir(d); i++)
			;
		pos = telldir(d);
		while (k < 300 && (e = readdir(d)))
			snprintf(first[k++], 256, "%.250s", e->d_name);
		seekdir(d, pos);
		for (int i = 0; i < k; i++) {
			e = readdir(d);
			if (!e || strcmp(e->d_name, first[i]))
				bad++;
		}
		CHECK("telldir/seekdir returns to the same entry", k == 300 && bad == 0,
		      "k %d bad %d", k, bad);
		closedir(d);
	}

	/* rm -rf style: unlink entries while iterating; one pass must empty it */
	d = opendir(P("big"));
	int removed = 0;
	while (d && (e = readdir(d))) {
		if (e->d_name[0] == '.')
			continue;
		if (unlinkat(dirfd(d), e->d_name, 0) == 0)
			removed++;
	}
	if (d)
		closedir(d);
	CHECK("readdir while unlinking visits every entry", removed == N, "removed %d of %d",
	      removed, N);
	OKSYS("the directory is then empty (rmdir)", rmdir(P("big")));
}

/* ------------------------------------------------------------------ names, statvfs */

static void t_names(void)
{
	char name[300];
	struct statvfs sv;
	int fd;

	memset(name, 'n', 255);
	name[255] = 0;
	fd = open(P("%s", name), O_CREAT | O_WRONLY, 0644);
	CHECK("a 255-byte name", fd >= 0, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	CHECK("the 255-byte name is listed", count_prefix(pc_base, name) == 1, "%s", "");
	name[255] = 'n';
	name[256] = 0;
	ERRSYS("a 256-byte name: ENAMETOOLONG", open(P("%s", name), O_CREAT | O_WRONLY, 0644),
	       ENAMETOOLONG);
	ERRSYS("mkdir with a 256-byte name: ENAMETOOLONG", mkdir(P("%s", name), 0755),
	       ENAMETOOLONG);
	const char *utf = "ünïcödé ✓ 名前 with spaces";
	OKSYS("UTF-8 name with spaces", write_file(P("%s", utf), "u", 1, 0644));
	CHECK("listed byte for byte", count_prefix(pc_base, utf) == 1, "%s", "");
	OKSYS("rename to another UTF-8 name", rename(P("%s", utf), P("ñ %s", utf)));
	CHECK("renamed name listed", count_prefix(pc_base, "ñ ") == 1, "%s", "");
	OKSYS("a name with a newline and a tab", write_file(P("a\nb\tc"), "", 0, 0644));
	CHECK("listed", count_prefix(pc_base, "a\nb\tc") == 1, "%s", "");
	OKSYS("a name that is not UTF-8 (bytes are opaque)",
	      write_file(P("latin1-\xe9\xff\xfe"), "", 0, 0644));
	CHECK("listed byte for byte", count_prefix(pc_base, "latin1-\xe9\xff\xfe") == 1, "%s", "");
	struct stat st;
	mkdir(P("many"), 0755);
	for (int i = 0; i < 100; i++)
		mkdir(P("many/sub%d", i), 0755);
	CHECK("a directory with 100 subdirectories has nlink 102",
	      stat(P("many"), &st) == 0 && st.st_nlink == 102, "%lu",
	      (unsigned long)st.st_nlink);
	OKSYS("statvfs", statvfs(pc_base, &sv));
	CHECK("statvfs sane", sv.f_bsize > 0 && sv.f_blocks > 0 && sv.f_bfree <= sv.f_blocks &&
	      sv.f_bavail <= sv.f_bfree && sv.f_namemax >= 255,
	      "bsize %lu blocks %llu bfree %llu bavail %llu namemax %lu", sv.f_bsize,
	      (unsigned long long)sv.f_blocks, (unsigned long long)sv.f_bfree,
	      (unsigned long long)sv.f_bavail, sv.f_namemax);
}

/* ------------------------------------------------------------------ concurrency */

static void t_append(void)
{
	enum { RECS = 1000, LEN = 100 };
	static char buf[2 * RECS * LEN + 10];
	pid_t pids[2];
	int bad = 0, cnt[2] = { 0, 0 };
	ssize_t n;

	write_file(P("append"), "", 0, 0644);
	for (int w = 0; w < 2; w++) {
		pids[w] = fork();
		if (pids[w] == 0) {
			int fd = open(P("append"), O_WRONLY | O_APPEND);
			char rec[LEN];
			for (int i = 0; i < RECS; i++) {
				memset(rec, 'A' + w, LEN - 1);
				rec[LEN - 1] = '\n';
				if (write(fd, rec, LEN) != LEN)
					_exit(1);
			}
			_exit(close(fd) != 0);
		}
	}
	for (int w = 0; w < 2; w++) {
		int status;
		waitpid(pids[w], &status, 0);
		bad += !WIFEXITED(status) || WEXITSTATUS(status);
	}
	CHECK("two processes append 1000 records each", bad == 0, "%d writers failed", bad);
	n = read_file(P("append"), buf, sizeof(buf));
	for (ssize_t o = 0; o + LEN <= n; o += LEN) {
		char c = buf[o];
		bool whole = (c == 'A' || c == 'B') && buf[o + LEN - 1] == '\n';
		for (int i = 1; whole && i < LEN - 1; i++)
			whole = buf[o + i] == c;
		if (whole)
			cnt[c - 'A']++;
	}
	CHECK("concurrent appends: nothing lost or torn", n == 2 * RECS * LEN &&
	      cnt[0] == RECS && cnt[1] == RECS, "size %zd, A %d B %d", n, cnt[0], cnt[1]);
}

/* ------------------------------------------------------------------ handles, depth, churn */

static void t_handles(void)
{
	char name[256];
	struct stat st;
	int dfd, fd, made = 0, seen = 0;
	DIR *d;
	struct dirent *e;

	/* an open directory keeps working after it (and its parent) moved */
	mkdir(P("h1"), 0755);
	mkdir(P("h1/inner"), 0755);
	dfd = open(P("h1/inner"), O_RDONLY | O_DIRECTORY);
	OKSYS("rename the parent of an open directory", rename(P("h1"), P("h2")));
	fd = openat(dfd, "made-after", O_CREAT | O_WRONLY, 0644);
	CHECK("create through the moved directory's fd", fd >= 0, "%s", strerror(errno));
	if (fd >= 0)
		close(fd);
	CHECK("it is in the new place", access(P("h2/inner/made-after"), F_OK) == 0, "%s",
	      strerror(errno));
	CHECK("fstatat .. from the moved directory is the renamed parent",
	      fstatat(dfd, "..", &st, 0) == 0 && stat(P("h2"), &st) == 0, "%s", strerror(errno));
	close(dfd);
	stat(pc_base, &st);
	nlink_t before = st.st_nlink;
	OKSYS("move a directory out to a subdirectory", rename(P("h2/inner"), P("inner-moved")) |
	      rename(P("inner-moved"), P("h2/back")));
	stat(pc_base, &st);
	CHECK("the old parent's nlink is back", st.st_nlink == before, "%lu vs %lu",
	      (unsigned long)st.st_nlink, (unsigned long)before);

	/* a deep path */
	char deep[PATH_MAX] = "deep";
	mkdir(P("%s", deep), 0755);
	int depth = 1;
	while (depth < 64 && strlen(deep) + 8 < 900) {
		strcat(deep, "/level");
		if (mkdir(P("%s", deep), 0755) < 0)
			break;
		depth++;
	}
	CHECK("64 nested directories", depth == 64, "depth %d: %s", depth, strerror(errno));
	strcat(deep, "/file");
	OKSYS("a file at the bottom", write_file(P("%s", deep), "deep", 4, 0644));

	/* directories of long names: READDIR replies fill up on bytes, not entries */
	mkdir(P("longnames"), 0755);
	for (int i = 0; i < 600; i++) {
		memset(name, 'a' + i % 26, 255);
		snprintf(name, 8, "%06d", i);
		name[6] = '-';
		name[255] = 0;
		if (write_file(P("longnames/%s", name), "", 0, 0644) == 0)
			made++;
	}
	d = opendir(P("longnames"));
	while (d && (e = readdir(d)))
		seen += strlen(e->d_name) == 255;
	if (d)
		closedir(d);
	CHECK("600 entries with 255-byte names listed", made == 600 && seen == 600,
	      "made %d seen %d", made, seen);
}

static void t_parallel(void)
{
	enum { KIDS = 4, ITER = 150, BLK = 65536 };
	pid_t pids[KIDS];
	int bad = 0, left = -1;
	static char blk[BLK], back[BLK];

	mkdir(P("churn"), 0755);
	write_file(P("disjoint"), "", 0, 0644);
	for (int k = 0; k < KIDS; k++) {
		pids[k] = fork();
		if (pids[k] == 0) {
			char a[64], b[64], c[64];
			int fd = open(P("disjoint"), O_WRONLY);
			memset(blk, 'a' + k, BLK);
			for (int i = 0; i < 16; i++)
				if (pwrite(fd, blk, BLK, (off_t)(i * KIDS + k) * BLK) != BLK)
					_exit(1);
			close(fd);
			for (int i = 0; i < ITER; i++) {
				snprintf(a, sizeof(a), "churn/f%d.%d", k, i);
				snprintf(b, sizeof(b), "churn/g%d.%d", k, i);
				snprintf(c, sizeof(c), "churn/h%d.%d", k, i);
				if (write_file(P("%s", a), a, strlen(a), 0644) ||
				    rename(P("%s", a), P("%s", b)) || link(P("%s", b), P("%s", c)) ||
				    unlink(P("%s", b)))
					_exit(2);
				if (i % 2 && unlink(P("%s", c)))
					_exit(3);
			}
			_exit(0);
		}
	}
	for (int k = 0; k < KIDS; k++) {
		int status;
		waitpid(pids[k], &status, 0);
		if (!WIFEXITED(status) || WEXITSTATUS(status)) {
			bad++;
			printf("# child %d: status %d\n", k, status);
		}
	}
	CHECK("4 processes: create/rename/link/unlink churn and disjoint pwrites", bad == 0,
	      "%d children failed", bad);
	left = 0;
	DIR *d = opendir(P("churn"));
	struct dirent *e;
	while (d && (e = readdir(d))) {
		char *p = e->d_name;
		int k, i;
		if (*p == '.')
			continue;
		if (sscanf(p, "h%d.%d", &k, &i) == 2 && i % 2 == 0) {
			char buf[64] = "";
			read_file(P("churn/%s", p), buf, sizeof(buf) - 1);
			char want[64];
			snprintf(want, sizeof(want), "churn/f%d.%d", k, i);
			if (!strcmp(buf, want)) {
				left++;
				continue;
			}
		}
		bad++;
	}
	if (d)
		closedir(d);
	CHECK("churn leaves exactly the expected files with their data",
	      bad == 0 && left == KIDS * ITER / 2, "left %d bad %d", left, bad);
	int fd = open(P("disjoint"), O_RDONLY);
	bad = 0;
	for (int i = 0; i < 16 * KIDS; i++) {
		memset(blk, 'a' + i % KIDS, BLK);
		if (pread(fd, back, BLK, (off_t)i * BLK) != BLK || memcmp(blk, back, BLK))
			bad++;
	}
	close(fd);
	CHECK("disjoint parallel pwrites all landed", bad == 0, "%d bad blocks", bad);
}

/* ------------------------------------------------------------------ fsx */

static uint64_t fsx_state = 0x9e3779b97f4a7c15ULL;
static uint64_t fsx_rand(void)
{
	fsx_state ^= fsx_state << 13;
	fsx_state ^= fsx_state >> 7;
	fsx_state ^= fsx_state << 17;
	return fsx_state;
}

static void t_fsx(void)
{
	enum { MAXLEN = 256 * 1024, OPS = 3000 };
	static char model[MAXLEN], buf[MAXLEN];
	off_t size = 0;
	int fd, op, fails = 0;
	char what[160] = "";

	fd = open(P("fsx"), O_RDWR | O_CREAT | O_TRUNC, 0644);
	if (fd < 0) {
		CHECK("fsx open", false, "%s", strerror(errno));
		return;
	}
	for (op = 0; op < OPS && !fails; op++) {
		unsigned kind = fsx_rand() % 10;
		off_t off = fsx_rand() % MAXLEN;
		size_t len = fsx_rand() % 8192 + 1;
		if (off + (off_t)len > MAXLEN)
			len = MAXLEN - off;
		if (kind < 3) { /* write */
			for (size_t i = 0; i < len; i++)
				buf[i] = (char)(fsx_rand() | 1);
			if (pwrite(fd, buf, len, off) != (ssize_t)len) {
				snprintf(what, sizeof(what), "op %d write: %s", op, strerror(errno));
				fails++;
				break;
			}
			memcpy(model + off, buf, len);
			if (off + (off_t)len > size)
				size = off + len;
		} else if (kind < 4) { /* truncate */
			off_t ns = fsx_rand() % MAXLEN;
			if (ftruncate(fd, ns) != 0) {
				snprintf(what, sizeof(what), "op %d truncate: %s", op,
					 strerror(errno));
				fails++;
				break;
			}
			/* the model stays zero beyond EOF, so a later extension reads zeros */
			if (ns < size)
				memset(model + ns, 0, size - ns);
			size = ns;
		} else if (kind < 5 && size > 0) { /* mapwrite inside the file */
			off_t mo = off % size, pg = mo & ~(off_t)4095;
			size_t ml = len;
			if (mo + (off_t)ml > size)
				ml = size - mo;
			char *m = mmap(NULL, mo - pg + ml, PROT_READ | PROT_WRITE, MAP_SHARED, fd,
				       pg);
			if (m == MAP_FAILED) {
				snprintf(what, sizeof(what), "op %d mmap: %s", op, strerror(errno));
				fails++;
				break;
			}
			for (size_t i = 0; i < ml; i++)
				model[mo + i] = m[mo - pg + i] = (char)(fsx_rand() | 1);
			msync(m, mo - pg + ml, MS_SYNC);
			munmap(m, mo - pg + ml);
		} else if (kind < 6) { /* close and reopen (close-to-open) */
			close(fd);
			fd = open(P("fsx"), O_RDWR);
		} else { /* read and compare */
			ssize_t want = off >= size ? 0 : (ssize_t)(size - off);
			if (want > (ssize_t)len)
				want = len;
			ssize_t n = pread(fd, buf, len, off);
			if (n != want || memcmp(buf, model + off, want)) {
				snprintf(what, sizeof(what), "op %d read %zu at %lld: got %zd want %zd",
					 op, len, (long long)off, n, want);
				fails++;
			}
		}
	}
	if (!fails) {
		struct stat st;
		fsync(fd);
		close(fd);
		fd = open(P("fsx"), O_RDONLY);
		fstat(fd, &st);
		ssize_t n = pread(fd, buf, MAXLEN, 0);
		if (st.st_size != size || n != size || memcmp(buf, model, size)) {
			snprintf(what, sizeof(what), "final: size %lld/%lld read %zd",
				 (long long)st.st_size, (long long)size, n);
			fails++;
		}
	}
	close(fd);
	CHECK("fsx: 3000 random write/truncate/mapwrite/read ops match the model", !fails, "%s",
	      what);
}

/* ------------------------------------------------------------------ leave for the host */

/* A known set of objects the host checks on the server's disk after umount
 * (tests/conformance/run.sh): names, data, modes, owners, times, links. */
static void leave_for_host(const char *dir)
{
	static char data[300000];
	struct timespec ts[2] = { { 1234567890, 123456789 }, { 1300000000, 5 } };
	char path[PATH_MAX];

	snprintf(pc_base, sizeof(pc_base), "%s/leave", dir);
	mkdir(pc_base, 0755);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i % 253);
	OKSYS("leave: data file", write_file(P("data"), data, sizeof(data), 0640));
	OKSYS("leave: chown", chown(P("data"), 1111, 2222));
	OKSYS("leave: times", utimensat(AT_FDCWD, P("data"), ts, 0));
	OKSYS("leave: hard link", link(P("data"), P("data.link")));
	OKSYS("leave: symlink", symlink("data", P("sym")));
	OKSYS("leave: sparse", ({
		      int f = open(P("sparse"), O_CREAT | O_WRONLY, 0600);
		      int r = f < 0 ? -1 : (int)pwrite(f, "Z", 1, (5LL << 30) - 1);
		      close(f);
		      r;
	      }));
	OKSYS("leave: fifo", mkfifo(P("fifo"), 0604));
	OKSYS("leave: dir 01777", mkdir(P("tmpdir"), 0755) | chmod(P("tmpdir"), 01777));
	snprintf(path, sizeof(path), "%s", P("ünï cödé"));
	OKSYS("leave: utf-8 name", write_file(path, "grüße\n", strlen("grüße\n"), 0644));
}

/* The host side of leave_for_host: run on the server's disk after umount. */
static void check_left(const char *dir)
{
	static char data[300000], got[300001];
	struct stat st, st2;
	char buf[64] = "", index[PATH_MAX];
	nlink_t links;
	ssize_t n;

	snprintf(pc_base, sizeof(pc_base), "%s/leave", dir);
	for (size_t i = 0; i < sizeof(data); i++)
		data[i] = (char)(i % 253);
	CHECK("server: data file", lstat(P("data"), &st) == 0 && S_ISREG(st.st_mode), "%s",
	      strerror(errno));
	CHECK("server: mode 0640", (st.st_mode & 07777) == 0640, "%o", st.st_mode & 07777);
	CHECK("server: owner 1111:2222", st.st_uid == 1111 && st.st_gid == 2222, "%u:%u",
	      st.st_uid, st.st_gid);
	CHECK("server: mtime 1300000000.000000005", st.st_mtim.tv_sec == 1300000000 &&
	      st.st_mtim.tv_nsec == 5, "%lld.%09ld", (long long)st.st_mtim.tv_sec,
	      st.st_mtim.tv_nsec);
	CHECK("server: atime 1234567890.123456789", st.st_atim.tv_sec == 1234567890 &&
	      st.st_atim.tv_nsec == 123456789, "%lld.%09ld", (long long)st.st_atim.tv_sec,
	      st.st_atim.tv_nsec);
	/* storage/posix also links each file into its id index (DIR/.xlnfs/index) */
	snprintf(index, sizeof(index), "%s/.xlnfs/index", dir);
	links = 2 + (lstat(index, &st2) == 0 && S_ISDIR(st2.st_mode));
	CHECK("server: nlink 2 (+1 index link), the link is the same inode",
	      st.st_nlink == links && lstat(P("data.link"), &st2) == 0 && st2.st_ino == st.st_ino,
	      "nlink %lu, want %lu", (unsigned long)st.st_nlink, (unsigned long)links);
	n = read_file(P("data"), got, sizeof(got));
	CHECK("server: data content", n == (ssize_t)sizeof(data) && !memcmp(got, data, n),
	      "n=%zd", n);
	n = readlink(P("sym"), buf, sizeof(buf));
	CHECK("server: symlink target", n == 4 && !memcmp(buf, "data", 4), "n=%zd", n);
	CHECK("server: sparse file size 5 GiB, still sparse", lstat(P("sparse"), &st) == 0 &&
	      st.st_size == 5LL << 30 && st.st_blocks < 2048 && (st.st_mode & 07777) == 0600,
	      "size %lld blocks %lld mode %o", (long long)st.st_size, (long long)st.st_blocks,
	      st.st_mode & 07777);
	CHECK("server: fifo", lstat(P("fifo"), &st) == 0 && S_ISFIFO(st.st_mode) &&
	      (st.st_mode & 07777) == 0604, "mode %o", st.st_mode);
	CHECK("server: sticky dir", lstat(P("tmpdir"), &st) == 0 && S_ISDIR(st.st_mode) &&
	      (st.st_mode & 07777) == 01777, "mode %o", st.st_mode);
	memset(buf, 0, sizeof(buf));
	n = read_file(P("ünï cödé"), buf, sizeof(buf) - 1);
	CHECK("server: UTF-8 name and content", n > 0 && !strcmp(buf, "grüße\n"), "n=%zd", n);
	CHECK("server: no .nfs* left behind", count_prefix(pc_base, ".nfs") == 0, "%s", "");
}

int main(int argc, char **argv)
{
	const char *dir;
	bool leave = false, host = false;
	int opt;

	while ((opt = getopt(argc, argv, "lc")) != -1) {
		if (opt == 'l')
			leave = true;
		else if (opt == 'c')
			host = true;
		else
			goto usage;
	}
	if (optind + 1 != argc)
		goto usage;
	dir = argv[optind];
	pc = mmap(NULL, sizeof(*pc), PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
	if (pc == MAP_FAILED)
		return 2;
	setvbuf(stdout, NULL, _IOLBF, 0);
	if (host) {
		check_left(dir);
		goto done;
	}
	umask(022);
	if (geteuid() != 0)
		printf("# warning: not root, ownership checks will fail\n");
	snprintf(pc_base, sizeof(pc_base), "%s/pc.%d", dir, (int)getpid());
	if (mkdir(pc_base, 0755) < 0 || chmod(pc_base, 0777) < 0) {
		printf("Bail out! mkdir %s: %s\n", pc_base, strerror(errno));
		return 2;
	}
	static const struct {
		const char *name;
		void (*fn)(void);
	} sections[] = {
		{ "open", t_open },	     { "data", t_data },
		{ "stat", t_stat },	     { "chmod", t_chmod_root },
		{ "users", t_users },	     { "dirs", t_dirs },
		{ "rename", t_rename },	     { "link", t_link_symlink },
		{ "mknod", t_mknod },	     { "silly", t_silly },
		{ "readdir", t_readdir },    { "names", t_names },
		{ "append", t_append },	     { "handles", t_handles },
		{ "parallel", t_parallel },  { "fsx", t_fsx },
	};
	for (size_t i = 0; i < sizeof(sections) / sizeof(sections[0]); i++) {
		struct timespec t0, t1;
		clock_gettime(CLOCK_MONOTONIC, &t0);
		sections[i].fn();
		clock_gettime(CLOCK_MONOTONIC, &t1);
		printf("# %s: %.1f s\n", sections[i].name,
		       (double)(t1.tv_sec - t0.tv_sec) + (t1.tv_nsec - t0.tv_nsec) / 1e9);
	}
	if (leave)
		leave_for_host(dir);
done:
	printf("1..%d\n%d passed, %d failed\n", pc->n, pc->pass, pc->fail);
	return pc->fail ? 1 : 0;
usage:
	fprintf(stderr, "usage: %s [-l|-c] DIR\n", argv[0]);
	return 2;
}

/*
 * log.c — the daemon's log: one formatted line per write(2), so lines from
 * worker threads never interleave; the file is reopened on request for
 * logrotate. See log.h for the line format.
 *
 * Escaping: xl_log_escape() is for call sites printing what a client sent;
 * as a second line of defence, xl_log_vwrite() writes any control byte
 * left in a formatted message as \xNN, so no message can start a line of
 * its own.
 */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/time.h>
#include <time.h>
#include <unistd.h>

#include "log.h"

static const char *const log_level_names[] = {
	[XL_LOG_NONE] = "NONE",       [XL_LOG_CRITICAL] = "CRITICAL",
	[XL_LOG_ERROR] = "ERROR",     [XL_LOG_WARNING] = "WARNING",
	[XL_LOG_INFO] = "INFO",       [XL_LOG_DEBUG] = "DEBUG",
	[XL_LOG_TRACE] = "TRACE",
};
static const char log_level_letters[] = "NCEWIDT";

static pthread_mutex_t log_lock = PTHREAD_MUTEX_INITIALIZER;
static int log_fd = STDERR_FILENO;
static char *log_path;               /* NULL: stderr */
static volatile enum xl_log_level log_level = XL_LOG_INFO;

static int log_open_path(const char *path)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0640);

	return fd < 0 ? -errno : fd;
}

int xl_log_open(const char *path)
{
	int fd = STDERR_FILENO;
	char *copy = NULL;

	if (path && strcmp(path, "-") != 0) {
		fd = log_open_path(path);
		if (fd < 0)
			return fd;
		copy = strdup(path);
		if (!copy) {
			close(fd);
			return -ENOMEM;
		}
	}
	pthread_mutex_lock(&log_lock);
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	free(log_path);
	log_fd = fd;
	log_path = copy;
	pthread_mutex_unlock(&log_lock);
	return 0;
}

int xl_log_reopen(void)
{
	int fd, ret = 0;

	pthread_mutex_lock(&log_lock);
	if (!log_path)
		goto out;
	fd = log_open_path(log_path);
	if (fd < 0) {
		ret = fd;
		goto out;
	}
	close(log_fd);
	log_fd = fd;
out:
	pthread_mutex_unlock(&log_lock);
	return ret;
}

void xl_log_close(void)
{
	pthread_mutex_lock(&log_lock);
	if (log_fd != STDERR_FILENO)
		close(log_fd);
	log_fd = STDERR_FILENO;
	free(log_path);
	log_path = NULL;
	pthread_mutex_unlock(&log_lock);
}

bool xl_log_is_stderr(void)
{
	bool ret;

	pthread_mutex_lock(&log_lock);
	ret = log_fd == STDERR_FILENO;
	pthread_mutex_unlock(&log_lock);
	return ret;
}

void xl_log_set_level(enum xl_log_level level)
{
	log_level = level;
}

enum xl_log_level xl_log_get_level(void)
{
	return log_level;
}

int xl_log_level_parse(const char *name)
{
	for (size_t i = 0; i < sizeof(log_level_names) / sizeof(log_level_names[0]); i++)
		if (name && strcasecmp(name, log_level_names[i]) == 0)
			return (int)i;
	return -EINVAL;
}

/* How @c is written by the escapers: its escape into @out (5 bytes), or
 * 0 when it stands for itself. @backslash: escape '\\' too. */
static size_t log_escape_char(unsigned char c, bool backslash, char out[5])
{
	static const char hex[] = "0123456789abcdef";

	if (c == '\\' && backslash) {
		out[0] = out[1] = '\\';
		return 2;
	}
	if (c >= 0x20 && c < 0x7f)
		return 0;
	out[0] = '\\';
	switch (c) {
	case '\n':
		out[1] = 'n';
		return 2;
	case '\r':
		out[1] = 'r';
		return 2;
	case '\t':
		out[1] = 't';
		return 2;
	default:
		out[1] = 'x';
		out[2] = hex[c >> 4];
		out[3] = hex[c & 15];
		return 4;
	}
}

/* Escape @s into @buf (@size bytes, > 0) with '\\' escaped when
 * @backslash; true if all of it fitted. */
static bool log_escape_into(char *buf, size_t size, const char *s, bool backslash)
{
	size_t n = 0;

	for (const unsigned char *p = (const unsigned char *)s; *p; p++) {
		char esc[5];
		size_t e = log_escape_char(*p, backslash, esc);

		if (n + (e ? e : 1) >= size) {
			buf[n] = '\0';
			return false;
		}
		if (e) {
			memcpy(buf + n, esc, e);
			n += e;
		} else {
			buf[n++] = (char)*p;
		}
	}
	buf[n] = '\0';
	return true;
}

char *xl_log_escape(const char *s)
{
	size_t size;
	char *out;

	if (!s)
		s = "(null)";
	size = strlen(s) * 4 + 1;
	out = malloc(size);
	if (out)
		log_escape_into(out, size, s, true);
	return out;
}

const char *xl_log_escape_buf(char *buf, size_t size, const char *s)
{
	if (!s)
		s = "(null)";
	if (!log_escape_into(buf, size - 3, s, true))
		strcat(buf, "...");
	return buf;
}

void xl_log_vwrite(const char *file, int line, const char *func, enum xl_log_level level,
		   const char *domain, const char *fmt, va_list ap)
{
	char buf[4096], msg[4096];
	struct timeval tv;
	struct tm tm;
	const char *base = strrchr(file, '/');
	size_t n;
	int len;
	int saved_errno = errno;

	if (level == XL_LOG_NONE || level > log_level)
		return;
	gettimeofday(&tv, NULL);
	localtime_r(&tv.tv_sec, &tm);
	n = strftime(buf, sizeof(buf), "[%Y-%m-%d %H:%M:%S", &tm);
	len = snprintf(buf + n, sizeof(buf) - n, ".%06ld] %c [%s:%d:%s] %s: ",
		       (long)tv.tv_usec, log_level_letters[level], base ? base + 1 : file,
		       line, func, domain ? domain : "-");
	if (len > 0)
		n += (size_t)len < sizeof(buf) - n ? (size_t)len : sizeof(buf) - n - 1;
	vsnprintf(msg, sizeof(msg), fmt, ap);
	log_escape_into(buf + n, sizeof(buf) - n, msg, false);
	n += strlen(buf + n);
	if (n >= sizeof(buf) - 1)
		n = sizeof(buf) - 2;
	buf[n++] = '\n';

	pthread_mutex_lock(&log_lock);
	if (write(log_fd, buf, n) < 0) {
		/* Nowhere left to report a failing log. */
	}
	pthread_mutex_unlock(&log_lock);
	errno = saved_errno;
}

void xl_log_write(const char *file, int line, const char *func, enum xl_log_level level,
		  const char *domain, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	xl_log_vwrite(file, line, func, level, domain, fmt, ap);
	va_end(ap);
}

/*
 * log.h — the daemon's log.
 *
 * One line per message:
 *   [2026-11-23 10:00:00.123456] I [nfs3.c:412:nfs3_lookup] server: text
 * timestamp with microseconds, a level letter, file:line:function, the
 * translator's (or subsystem's) name, the message. Thread-safe; each line
 * is written with one write(2). SIGHUP makes the daemon call
 * xl_log_reopen() so logrotate can move the file.
 *
 * A line is always one line: control characters in a formatted message
 * are written as \xNN whatever the call site did. Strings a client
 * controls (paths, names, machine and host names) are still passed
 * through xl_log_escape() first, which also escapes the backslash, so
 * what the log shows can be read back byte for byte.
 */
#ifndef XLNFS_LOG_H
#define XLNFS_LOG_H

#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>

enum xl_log_level {
	XL_LOG_NONE = 0,
	XL_LOG_CRITICAL,
	XL_LOG_ERROR,
	XL_LOG_WARNING,
	XL_LOG_INFO,
	XL_LOG_DEBUG,
	XL_LOG_TRACE,
};

/* Send the log to @path ("-" or NULL: stderr). Returns 0 or -errno. */
int xl_log_open(const char *path);
/* Reopen the same path (after logrotate renamed it). 0 or -errno. */
int xl_log_reopen(void);
void xl_log_close(void);
/* Does the log currently go to stderr? */
bool xl_log_is_stderr(void);
void xl_log_set_level(enum xl_log_level level);
enum xl_log_level xl_log_get_level(void);
/* "TRACE", "DEBUG", … "NONE" (case-insensitive) → level; -EINVAL if unknown. */
int xl_log_level_parse(const char *name);

/* @s made safe for one log line: printable ASCII stays, '\\' becomes
 * "\\\\", \n \r \t become "\\n" "\\r" "\\t", every other byte "\\xNN".
 * NULL gives "(null)". Returns malloc()ed text (free() it), NULL only when
 * memory is short. */
char *xl_log_escape(const char *s);
/* The same into @buf (@size >= 8 bytes), cut with "..." when it does
 * not fit; returns @buf. For call sites that would rather not free. */
const char *xl_log_escape_buf(char *buf, size_t size, const char *s);

void xl_log_write(const char *file, int line, const char *func, enum xl_log_level level,
		  const char *domain, const char *fmt, ...)
	__attribute__((format(printf, 6, 7)));
void xl_log_vwrite(const char *file, int line, const char *func, enum xl_log_level level,
		   const char *domain, const char *fmt, va_list ap);

/* Log at @level with @domain (a string: the translator's or subsystem's
 * name). Skipped cheaply below the current level. */
#define xl_logd(domain, level, ...)                                                   \
	do {                                                                          \
		if ((level) <= xl_log_get_level())                                   \
			xl_log_write(__FILE__, __LINE__, __func__, (level), (domain),      \
				     __VA_ARGS__);                                       \
	} while (0)

/* Log for translator @xl (struct xl *, may be NULL). */
#define xl_log(xl, level, ...) xl_logd((xl) ? (xl)->name : "-", level, __VA_ARGS__)

#endif

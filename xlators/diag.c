/*
 * diag.c — load-time diagnostics: "FILE:LINE: message".
 *
 * Everything wrong with a volume file is reported through xl_diag(): the
 * line is logged at ERROR and, when a handler is installed, also handed to
 * it — the daemon prints it on stderr (--check and start-up), unit tests
 * capture it to compare the text.
 */
#include "config.h"

#include <stdarg.h>
#include <stdio.h>

#include <glib.h>

#include "xlator.h"

static xl_diag_fn diag_handler;
static void *diag_ctx;

void xl_diag_set_handler(xl_diag_fn fn, void *ctx)
{
	diag_handler = fn;
	diag_ctx = ctx;
}

void xl_diag_stderr(void *ctx, const char *msg)
{
	(void)ctx;
	fprintf(stderr, "%s\n", msg);
}

void xl_diag(const char *file, int line, const char *fmt, ...)
{
	va_list ap;
	char *text, *msg;

	va_start(ap, fmt);
	text = g_strdup_vprintf(fmt, ap);
	va_end(ap);
	msg = line > 0 ? g_strdup_printf("%s:%d: %s", file, line, text)
		       : g_strdup_printf("%s: %s", file, text);
	/* Printed once when both would go to the terminal. */
	if (!(diag_handler == xl_diag_stderr && xl_log_is_stderr()))
		xl_logd("graph", XL_LOG_ERROR, "%s", msg);
	if (diag_handler)
		diag_handler(diag_ctx, msg);
	g_free(msg);
	g_free(text);
}

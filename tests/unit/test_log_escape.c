/*
 * test_log_escape.c — lib/log.c's escaping: xl_log_escape() and the
 * catch-all in xl_log_vwrite() that keeps every message on one line.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cunit_main.h"
#include "log.h"

static void test_escape_text(void)
{
	char *s = xl_log_escape("a\nb\r\tc\\d\x01\x7f\xff");
	char buf[12];

	CU_ASSERT_STRING_EQUAL(s, "a\\nb\\r\\tc\\\\d\\x01\\x7f\\xff");
	free(s);
	s = xl_log_escape(NULL);
	CU_ASSERT_STRING_EQUAL(s, "(null)");
	free(s);
	CU_ASSERT_STRING_EQUAL(xl_log_escape_buf(buf, sizeof(buf), "plain"), "plain");
	/* Cut, never in the middle of an escape. */
	CU_ASSERT_STRING_EQUAL(xl_log_escape_buf(buf, sizeof(buf), "abcd\n\n\n\n"), "abcd\\n\\n...");
	CU_ASSERT(strlen(buf) < sizeof(buf));
}

/* Log @text through xl_log_write into a file and read back what came. */
static char *log_roundtrip(const char *text)
{
	char path[] = "/tmp/test_log_escape.XXXXXX";
	int fd = mkstemp(path);
	char *out = calloc(1, 8192);
	ssize_t n;

	CU_ASSERT_FATAL(fd >= 0);
	CU_ASSERT_EQUAL_FATAL(xl_log_open(path), 0);
	xl_logd("test", XL_LOG_ERROR, "path %s", text);
	xl_log_close();
	n = read(fd, out, 8191);
	CU_ASSERT(n > 0);
	close(fd);
	unlink(path);
	return out;
}

static void test_one_line(void)
{
	char *got = log_roundtrip("/x\n[2026-12-01 20:00:00.000000] E [forged.c:1:f] server: owned");
	char *nl = strchr(got, '\n');

	/* exactly one newline: the one ending the line */
	CU_ASSERT_PTR_NOT_NULL(nl);
	CU_ASSERT(nl && nl[1] == '\0');
	CU_ASSERT_PTR_NOT_NULL(strstr(got, "/x\\n[2026"));
	free(got);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("log_escape", NULL, NULL);
	CU_add_test(s, "xl_log_escape", test_escape_text);
	CU_add_test(s, "a message stays one line", test_one_line);
	return cunit_run();
}

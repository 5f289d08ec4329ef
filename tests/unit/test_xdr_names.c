/*
 * test_xdr_names.c — names and paths decode exactly: an embedded NUL in a
 * filename3, nfspath3 or dirpath fails decoding instead of truncating.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "cunit_main.h"
#include "mount3_prot.h"
#include "nfs3_prot.h"

/* XDR of a string<> with @len bytes of @bytes into @buf; its length. */
static size_t put_string(uint8_t *buf, const char *bytes, uint32_t len)
{
	size_t padded = (len + 3) & ~3u;

	buf[0] = len >> 24;
	buf[1] = len >> 16;
	buf[2] = len >> 8;
	buf[3] = len;
	memset(buf + 4, 0, padded);
	memcpy(buf + 4, bytes, len);
	return 4 + padded;
}

/* REMOVE3args: a 4-byte handle, then the name. Does it decode? If so
 * *name gets a copy of the decoded name. */
static bool decode_remove(const char *bytes, uint32_t len, char *name, size_t size)
{
	uint8_t buf[128];
	size_t n = put_string(buf, "\1\2\3\4", 4);
	REMOVE3args args;
	XDR x;
	bool_t ok;

	n += put_string(buf + n, bytes, len);
	memset(&args, 0, sizeof(args));
	xdrmem_create(&x, (char *)buf, n, XDR_DECODE);
	ok = xdr_REMOVE3args(&x, &args);
	xdr_destroy(&x);
	if (ok && name)
		snprintf(name, size, "%s", args.object.name);
	xdr_free((xdrproc_t)xdr_REMOVE3args, (char *)&args);
	return ok;
}

static void test_filename3(void)
{
	char name[64];

	CU_ASSERT_TRUE(decode_remove("keep.bak", 8, name, sizeof(name)));
	CU_ASSERT_STRING_EQUAL(name, "keep.bak");
	CU_ASSERT_FALSE(decode_remove("keep\0.bak", 9, NULL, 0));
	CU_ASSERT_FALSE(decode_remove("keep\0", 5, NULL, 0));
	CU_ASSERT_FALSE(decode_remove("\0", 1, NULL, 0));
}

static void test_roundtrip(void)
{
	uint8_t buf[64], want[64];
	char *name = "abcde";
	size_t wlen = put_string(want, "abcde", 5);
	XDR x;

	/* Encoding is xdr_string's: length, bytes, zero padding. */
	memset(buf, 0xee, sizeof(buf));
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_ENCODE);
	CU_ASSERT_TRUE(xdr_filename3(&x, &name));
	CU_ASSERT_EQUAL(xdr_getpos(&x), wlen);
	xdr_destroy(&x);
	CU_ASSERT_EQUAL(memcmp(buf, want, wlen), 0);
}

static void test_nfspath3_dirpath(void)
{
	uint8_t buf[64];
	size_t n;
	char *s = NULL;
	XDR x;

	n = put_string(buf, "/tmp\0/etc", 9);
	xdrmem_create(&x, (char *)buf, n, XDR_DECODE);
	CU_ASSERT_FALSE(xdr_nfspath3(&x, &s));
	xdr_destroy(&x);
	CU_ASSERT_PTR_NULL(s);

	xdrmem_create(&x, (char *)buf, n, XDR_DECODE);
	CU_ASSERT_FALSE(xdr_dirpath(&x, &s));
	xdr_destroy(&x);
	CU_ASSERT_PTR_NULL(s);

	n = put_string(buf, "/export/a", 9);
	xdrmem_create(&x, (char *)buf, n, XDR_DECODE);
	CU_ASSERT_TRUE(xdr_dirpath(&x, &s));
	xdr_destroy(&x);
	CU_ASSERT_STRING_EQUAL(s, "/export/a");
	xdr_free((xdrproc_t)xdr_dirpath, (char *)&s);

	/* Longer than MNTPATHLEN: refused before anything is allocated. */
	buf[0] = 0;
	buf[1] = 0;
	buf[2] = 0x04;
	buf[3] = 0x01;
	xdrmem_create(&x, (char *)buf, sizeof(buf), XDR_DECODE);
	CU_ASSERT_FALSE(xdr_dirpath(&x, &s));
	xdr_destroy(&x);
	CU_ASSERT_PTR_NULL(s);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("xdr_names", NULL, NULL);
	CU_add_test(s, "filename3 refuses an embedded NUL", test_filename3);
	CU_add_test(s, "filename3 encodes as xdr_string", test_roundtrip);
	CU_add_test(s, "nfspath3 and dirpath refuse an embedded NUL", test_nfspath3_dirpath);
	return cunit_run();
}

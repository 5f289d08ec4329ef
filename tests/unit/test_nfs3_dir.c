/*
 * test_nfs3_dir.c — unit tests for the pure helpers behind READDIR,
 * READDIRPLUS and exclusive CREATE: the XDR size accounting
 * (nfs3_dirsize), checked against what rpcgen's encoder really produces,
 * and the cookie / create verifier mappings (nfs3_verf).
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <errno.h>
#include <glib.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "nfs3_dirlist.h"
#include "nfs3_dirsize.h"
#include "nfs3_prot.h"
#include "nfs3_verf.h"
#include "cunit_main.h"

/* Bytes XDR takes to encode @res with @proc. */
static size_t encoded_size(xdrproc_t proc, void *res)
{
	static char buf[1 << 16];
	XDR xdr;
	size_t len;

	xdrmem_create(&xdr, buf, sizeof(buf), XDR_ENCODE);
	CU_ASSERT_FATAL(proc(&xdr, res, 0));
	len = xdr_getpos(&xdr);
	xdr_destroy(&xdr);
	return len;
}

static void test_name_size(void)
{
	CU_ASSERT_EQUAL(nfs3_xdr_name_size(0), 4);
	CU_ASSERT_EQUAL(nfs3_xdr_name_size(1), 8);
	CU_ASSERT_EQUAL(nfs3_xdr_name_size(4), 8);
	CU_ASSERT_EQUAL(nfs3_xdr_name_size(5), 12);
	CU_ASSERT_EQUAL(nfs3_xdr_name_size(255), 260);
	CU_ASSERT_EQUAL(nfs3_xdr_dirinfo_size(3), 8 + 8 + 8);
}

/* A READDIR3res with entries named by @names encodes to exactly the
 * fixed part plus nfs3_xdr_entry3_size of each. */
static void test_readdir_size_matches_xdr(void)
{
	static const char *names[] = {".", "..", "a", "abcd", "abcde", "a-rather-long-name.txt"};
	entry3 ents[6];
	READDIR3res res;
	size_t want = NFS3_XDR_READDIR_FIXED, n;

	memset(&res, 0, sizeof(res));
	memset(ents, 0, sizeof(ents));
	res.status = NFS3_OK;
	res.READDIR3res_u.resok.dir_attributes.attributes_follow = TRUE;
	CU_ASSERT_EQUAL(encoded_size((xdrproc_t)xdr_READDIR3res, &res), want);
	for (n = 0; n < 6; n++) {
		ents[n].name = (char *)names[n];
		ents[n].fileid = 1000 + n;
		ents[n].cookie = n + 1;
		ents[n].nextentry = n + 1 < 6 ? &ents[n + 1] : NULL;
		want += nfs3_xdr_entry3_size(strlen(names[n]));
	}
	res.READDIR3res_u.resok.reply.entries = ents;
	CU_ASSERT_EQUAL(encoded_size((xdrproc_t)xdr_READDIR3res, &res), want);
}

/* The same for READDIRPLUS, with and without attributes and handles. */
static void test_readdirplus_size_matches_xdr(void)
{
	static char fh[64];
	entryplus3 ents[4];
	READDIRPLUS3res res;
	size_t want = NFS3_XDR_READDIR_FIXED, fhlen[4] = {0, 36, 64, 0};
	bool attr[4] = {false, true, true, false};
	size_t n;

	memset(&res, 0, sizeof(res));
	memset(ents, 0, sizeof(ents));
	res.status = NFS3_OK;
	res.READDIRPLUS3res_u.resok.dir_attributes.attributes_follow = TRUE;
	for (n = 0; n < 4; n++) {
		ents[n].name = (char *)"entry";
		ents[n].name_attributes.attributes_follow = attr[n];
		if (fhlen[n]) {
			ents[n].name_handle.handle_follows = TRUE;
			ents[n].name_handle.post_op_fh3_u.handle.data.data_len = fhlen[n];
			ents[n].name_handle.post_op_fh3_u.handle.data.data_val = fh;
		}
		ents[n].nextentry = n + 1 < 4 ? &ents[n + 1] : NULL;
		want += nfs3_xdr_entryplus3_size(5, attr[n], fhlen[n]);
	}
	res.READDIRPLUS3res_u.resok.reply.entries = ents;
	CU_ASSERT_EQUAL(encoded_size((xdrproc_t)xdr_READDIRPLUS3res, &res), want);
}

static void test_budget(void)
{
	struct nfs3_dirsize ds;
	size_t e = nfs3_xdr_entry3_size(1);

	/* Room for exactly two entries. */
	nfs3_dirsize_init(&ds, NFS3_XDR_READDIR_FIXED + 2 * e, 0, 0);
	CU_ASSERT_TRUE(nfs3_dirsize_fixed_fits(&ds));
	CU_ASSERT_TRUE(nfs3_dirsize_take(&ds, e, 0));
	CU_ASSERT_TRUE(nfs3_dirsize_take(&ds, e, 0));
	CU_ASSERT_FALSE(nfs3_dirsize_take(&ds, e, 0));
	CU_ASSERT_FALSE(nfs3_dirsize_take(&ds, 1, 0));
	CU_ASSERT_EQUAL(ds.entries, 2);
	CU_ASSERT_EQUAL(ds.used, NFS3_XDR_READDIR_FIXED + 2 * e);

	/* One byte short of the fixed part. */
	nfs3_dirsize_init(&ds, NFS3_XDR_READDIR_FIXED - 1, 0, 0);
	CU_ASSERT_FALSE(nfs3_dirsize_fixed_fits(&ds));
	CU_ASSERT_FALSE(nfs3_dirsize_take(&ds, e, 0));

	/* dircount binds before maxcount; a refused entry changes nothing. */
	nfs3_dirsize_init(&ds, 100000, 50, 0);
	CU_ASSERT_TRUE(nfs3_dirsize_take(&ds, 200, 24));
	CU_ASSERT_TRUE(nfs3_dirsize_take(&ds, 200, 24));
	CU_ASSERT_FALSE(nfs3_dirsize_take(&ds, 200, 24));
	CU_ASSERT_EQUAL(ds.dirused, 48);
	CU_ASSERT_EQUAL(ds.used, NFS3_XDR_READDIR_FIXED + 400);

	/* The entry cap. */
	nfs3_dirsize_init(&ds, 100000, 0, 3);
	CU_ASSERT_TRUE(nfs3_dirsize_take(&ds, 1, 1));
	CU_ASSERT_TRUE(nfs3_dirsize_take(&ds, 1, 1));
	CU_ASSERT_TRUE(nfs3_dirsize_take(&ds, 1, 1));
	CU_ASSERT_FALSE(nfs3_dirsize_take(&ds, 1, 1));
}

static void test_cookieverf(void)
{
	struct xl_iatt st;
	cookieverf3 a, b, zero = {0};

	memset(&st, 0, sizeof(st));
	st.valid = XL_IATT_INO | XL_IATT_MTIME;
	st.ino = 0x0102030405060708ull;
	st.mtime.tv_sec = 0x01020304;
	st.mtime.tv_nsec = 999999999;
	nfs3_cookieverf_from_iatt(&st, a);
	CU_ASSERT_EQUAL(memcmp(a, "\x01\x02\x03\x04\x05\x06\x07\x08", 8), 0);

	/* Entries added or removed change the mtime, not the verifier. */
	st.mtime.tv_sec++;
	st.mtime.tv_nsec = 5;
	nfs3_cookieverf_from_iatt(&st, b);
	CU_ASSERT_EQUAL(memcmp(a, b, 8), 0);
	st.valid = XL_IATT_INO;
	nfs3_cookieverf_from_iatt(&st, b);
	CU_ASSERT_EQUAL(memcmp(a, b, 8), 0);

	/* Another directory, another verifier. */
	st.ino++;
	nfs3_cookieverf_from_iatt(&st, b);
	CU_ASSERT_NOT_EQUAL(memcmp(a, b, 8), 0);

	/* An ino of 0, or none known, still gives a non-zero verifier. */
	memset(&st, 0, sizeof(st));
	st.valid = XL_IATT_INO;
	nfs3_cookieverf_from_iatt(&st, b);
	CU_ASSERT_NOT_EQUAL(memcmp(b, zero, 8), 0);
	st.valid = XL_IATT_MTIME;
	st.ino = 77;
	st.mtime.tv_sec = 77;
	nfs3_cookieverf_from_iatt(&st, a);
	CU_ASSERT_EQUAL(memcmp(a, b, 8), 0);
	nfs3_cookieverf_from_iatt(NULL, a);
	CU_ASSERT_EQUAL(memcmp(a, b, 8), 0);
}

/* Store @v as exclusive CREATE does, in attributes. */
static void store(const createverf3 v, struct xl_iatt *st)
{
	memset(st, 0, sizeof(*st));
	st->valid = XL_IATT_ATIME | XL_IATT_MTIME;
	nfs3_createverf_to_times(v, &st->atime, &st->mtime);
}

static void test_createverf_roundtrip(void)
{
	createverf3 v, w;
	struct xl_iatt st;
	unsigned i, bit;

	srand(1813);
	for (i = 0; i < 1000; i++) {
		for (bit = 0; bit < 8; bit++)
			v[bit] = (char)(i < 2 ? (i ? 0xff : 0) : rand());
		store(v, &st);
		CU_ASSERT_TRUE(st.atime.tv_nsec >= 0 && st.atime.tv_nsec < 1000000000);
		CU_ASSERT_TRUE(st.mtime.tv_nsec >= 0 && st.mtime.tv_nsec < 1000000000);
		CU_ASSERT_TRUE(nfs3_createverf_match(v, &st));
		/* Every other verifier one bit away is told apart. */
		for (bit = 0; bit < 64; bit++) {
			memcpy(w, v, 8);
			w[bit / 8] ^= (char)(1 << (bit % 8));
			CU_ASSERT_FALSE(nfs3_createverf_match(w, &st));
		}
	}
	/* A file whose times were changed since is no retransmission. */
	store(v, &st);
	st.mtime.tv_sec++;
	CU_ASSERT_FALSE(nfs3_createverf_match(v, &st));
	/* Times storage did not give match nothing. */
	store(v, &st);
	st.valid = XL_IATT_MTIME;
	CU_ASSERT_FALSE(nfs3_createverf_match(v, &st));
}

/* The write verifier: what WRITE/COMMIT answer, changed by a bump (from
 * any thread at once) and only by a bump; which failures call for one. */
static uint64_t wverf;

static gpointer bump_thread(gpointer data)
{
	for (int i = 0; i < 1000; i++)
		nfs3_write_verf_bump(&wverf);
	return NULL;
}

static void test_write_verf(void)
{
	writeverf3 a, b, c;
	uint64_t start, v;
	GThread *t[4];

	nfs3_write_verf_init(&wverf);
	nfs3_write_verf_get(&wverf, a);
	nfs3_write_verf_get(&wverf, b);
	CU_ASSERT_EQUAL(memcmp(a, b, sizeof(a)), 0);
	start = wverf;
	v = nfs3_write_verf_bump(&wverf);
	CU_ASSERT_NOT_EQUAL(v, start);
	nfs3_write_verf_get(&wverf, c);
	CU_ASSERT_NOT_EQUAL(memcmp(a, c, sizeof(a)), 0);
	CU_ASSERT_EQUAL(memcmp(&v, c, sizeof(c)), 0);
	/* Concurrent bumps are none of them lost: 4000 steps from v. */
	for (int i = 0; i < 4; i++)
		t[i] = g_thread_new("bump", bump_thread, NULL);
	for (int i = 0; i < 4; i++)
		g_thread_join(t[i]);
	CU_ASSERT_EQUAL(wverf, v + 4000 * UINT64_C(0x9e3779b97f4a7c15));

	CU_ASSERT_TRUE(nfs3_write_verf_lost(-EIO));
	CU_ASSERT_TRUE(nfs3_write_verf_lost(-ENOSPC));
	CU_ASSERT_TRUE(nfs3_write_verf_lost(-EDQUOT));
	CU_ASSERT_TRUE(nfs3_write_verf_lost(-ENOMEM));
	CU_ASSERT_FALSE(nfs3_write_verf_lost(-EACCES));
	CU_ASSERT_FALSE(nfs3_write_verf_lost(-EROFS));
	CU_ASSERT_FALSE(nfs3_write_verf_lost(-ESTALE));
	CU_ASSERT_FALSE(nfs3_write_verf_lost(-EAGAIN));
	CU_ASSERT_FALSE(nfs3_write_verf_lost(0));
}

/* What an xdrrec stream writes, record marks taken out. */
static char rec[1 << 20];
static size_t rec_len;

static int rec_write(void *ctx, void *buf, int len)
{
	(void)ctx;
	if (len < 4 || rec_len + (size_t)len - 4 > sizeof(rec))
		return -1;
	memcpy(rec + rec_len, (char *)buf + 4, (size_t)len - 4);
	rec_len += (size_t)len - 4;
	return len;
}

/* A list of 3,000 entries in one arena (several chunks, one allocation
 * larger than a chunk; some with attributes, some with handles):
 * zeroed, aligned, intact, encoded as rpcgen's encoder does (into a
 * buffer, and through a stream that lends none), and freed at once through the result (valgrind or ASan
 * see a leak or a bad free if the first entry does not lead back to the
 * arena). */
static void test_dirlist_arena(void)
{
	static char a[1 << 20], b[1 << 20];
	struct nfs3_dirlist mem = {0};
	READDIRPLUS3res res = {.status = NFS3_OK};
	entryplus3 **tail = &res.READDIRPLUS3res_u.resok.reply.entries, *e;
	char *big;
	XDR xa, xb;
	int n = 0;

	for (int i = 0; i < 3000; i++) {
		char name[32];

		e = nfs3_dirlist_alloc(&mem, sizeof(*e));
		CU_ASSERT_FATAL(e != NULL);
		CU_ASSERT_EQUAL((uintptr_t)e % 8, 0);
		CU_ASSERT_EQUAL(e->nextentry, NULL);
		CU_ASSERT_EQUAL(e->name_attributes.attributes_follow, FALSE);
		snprintf(name, sizeof(name), "n%d", i);
		e->name = nfs3_dirlist_alloc(&mem, strlen(name) + 1);
		CU_ASSERT_FATAL(e->name != NULL);
		CU_ASSERT_EQUAL(e->name[0], 0);
		memcpy(e->name, name, strlen(name));
		e->fileid = (fileid3)i;
		e->cookie = (cookie3)i + 1;
		if (i % 3 == 1) {
			fattr3 *fa = &e->name_attributes.post_op_attr_u.attributes;

			e->name_attributes.attributes_follow = TRUE;
			fa->type = NF3REG;
			fa->mode = 0644;
			fa->nlink = 2;
			fa->size = 0x123456789ull + (uint64_t)i;
			fa->fileid = (uint64_t)i << 33;
			fa->mtime.nseconds = 999999999;
			fa->rdev.specdata2 = 7;
		}
		if (i % 2) {
			nfs_fh3 *h = &e->name_handle.post_op_fh3_u.handle;

			h->data.data_len = 13 + (u_int)(i % 40); /* padded and not */
			h->data.data_val = nfs3_dirlist_alloc(&mem, h->data.data_len);
			CU_ASSERT_FATAL(h->data.data_val != NULL);
			memset(h->data.data_val, i & 0xff, h->data.data_len);
			e->name_handle.handle_follows = TRUE;
		}
		*tail = e;
		tail = &e->nextentry;
	}
	big = nfs3_dirlist_alloc(&mem, 100 * 1024);
	CU_ASSERT_FATAL(big != NULL);
	memset(big, 0x55, 100 * 1024);
	for (e = res.READDIRPLUS3res_u.resok.reply.entries; e; e = e->nextentry, n++) {
		char name[32];

		snprintf(name, sizeof(name), "n%d", n);
		CU_ASSERT_STRING_EQUAL(e->name, name);
		CU_ASSERT_EQUAL(e->fileid, (fileid3)n);
	}
	CU_ASSERT_EQUAL(n, 3000);
	res.READDIRPLUS3res_u.resok.reply.eof = TRUE;
	xdrmem_create(&xa, a, sizeof(a), XDR_ENCODE);
	xdrmem_create(&xb, b, sizeof(b), XDR_ENCODE);
	CU_ASSERT_FATAL(nfs3_xdr_READDIRPLUS3res_list(&xa, &res));
	CU_ASSERT_FATAL(xdr_READDIRPLUS3res(&xb, &res));
	CU_ASSERT_EQUAL(xdr_getpos(&xa), xdr_getpos(&xb));
	CU_ASSERT_EQUAL(memcmp(a, b, xdr_getpos(&xa)), 0);
	xdr_destroy(&xa);
	xdr_destroy(&xb);
	/* a stream that lends no buffer for a whole entry: field by field */
	rec_len = 0;
	xdrrec_create(&xa, 128, 0, NULL, NULL, rec_write);
	xa.x_op = XDR_ENCODE;
	CU_ASSERT_FATAL(nfs3_xdr_READDIRPLUS3res_list(&xa, &res));
	CU_ASSERT_FATAL(xdrrec_endofrecord(&xa, TRUE));
	xdr_destroy(&xa);
	xdrmem_create(&xb, b, sizeof(b), XDR_ENCODE);
	CU_ASSERT_FATAL(xdr_READDIRPLUS3res(&xb, &res));
	CU_ASSERT_EQUAL(rec_len, xdr_getpos(&xb));
	CU_ASSERT_EQUAL(memcmp(rec, b, xdr_getpos(&xb)), 0);
	xdr_destroy(&xb);
	/* too small a buffer fails, as rpcgen's does */
	xdrmem_create(&xa, a, 4000, XDR_ENCODE);
	CU_ASSERT_FALSE(nfs3_xdr_READDIRPLUS3res_list(&xa, &res));
	xdr_destroy(&xa);
	{
		/* the same names as a READDIR list */
		READDIR3res r3 = {.status = NFS3_OK};
		entry3 *l3 = NULL, **t3 = &l3;

		for (e = res.READDIRPLUS3res_u.resok.reply.entries; e; e = e->nextentry) {
			entry3 *x = nfs3_dirlist_alloc(&mem, sizeof(*x));

			CU_ASSERT_FATAL(x != NULL);
			x->fileid = e->fileid;
			x->name = e->name;
			x->cookie = e->cookie;
			*t3 = x;
			t3 = &x->nextentry;
		}
		r3.READDIR3res_u.resok.reply.entries = l3;
		r3.READDIR3res_u.resok.reply.eof = TRUE;
		xdrmem_create(&xa, a, sizeof(a), XDR_ENCODE);
		xdrmem_create(&xb, b, sizeof(b), XDR_ENCODE);
		CU_ASSERT_FATAL(nfs3_xdr_READDIR3res_list(&xa, &r3));
		CU_ASSERT_FATAL(xdr_READDIR3res(&xb, &r3));
		CU_ASSERT_EQUAL(xdr_getpos(&xa), xdr_getpos(&xb));
		CU_ASSERT_EQUAL(memcmp(a, b, xdr_getpos(&xa)), 0);
		xdr_destroy(&xa);
		xdr_destroy(&xb);
		rec_len = 0;
		xdrrec_create(&xa, 128, 0, NULL, NULL, rec_write);
		xa.x_op = XDR_ENCODE;
		CU_ASSERT_FATAL(nfs3_xdr_READDIR3res_list(&xa, &r3));
		CU_ASSERT_FATAL(xdrrec_endofrecord(&xa, TRUE));
		xdr_destroy(&xa);
		CU_ASSERT_EQUAL(rec_len, xdr_getpos(&xb));
		CU_ASSERT_EQUAL(memcmp(rec, b, rec_len), 0);
	}
	/* the result owns the arena now */
	xdr_free((xdrproc_t)nfs3_xdr_READDIRPLUS3res_list, (char *)&res);
	CU_ASSERT_EQUAL(res.READDIRPLUS3res_u.resok.reply.entries, NULL);
	/* a failed result has no list to free */
	res.status = NFS3ERR_IO;
	xdr_free((xdrproc_t)nfs3_xdr_READDIRPLUS3res_list, (char *)&res);
	/* (mem's chunks went with the result) an arena freed without one */
	mem = (struct nfs3_dirlist){0};
	CU_ASSERT_FATAL(nfs3_dirlist_alloc(&mem, 10) != NULL);
	nfs3_dirlist_free(&mem);
	CU_ASSERT_EQUAL(mem.first, NULL);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 2;
	s = CU_add_suite("nfs3_dir", NULL, NULL);
	if (!s || !CU_add_test(s, "name sizes", test_name_size) ||
	    !CU_add_test(s, "READDIR size = XDR", test_readdir_size_matches_xdr) ||
	    !CU_add_test(s, "READDIRPLUS size = XDR", test_readdirplus_size_matches_xdr) ||
	    !CU_add_test(s, "budget", test_budget) ||
	    !CU_add_test(s, "cookie verifier", test_cookieverf) ||
	    !CU_add_test(s, "create verifier round trip", test_createverf_roundtrip) ||
	    !CU_add_test(s, "write verifier", test_write_verf) ||
	    !CU_add_test(s, "entry list arena", test_dirlist_arena)) {
		CU_cleanup_registry();
		return 2;
	}
	return cunit_run();
}

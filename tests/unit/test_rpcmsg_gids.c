/*
 * test_rpcmsg_gids.c — AUTH_SYS credentials with more than 16 groups:
 * refused (AUTH_BADCRED) by default, accepted with RPCMSG_ANY_GIDS with
 * the first 16 kept, for manage-gids.
 */
#include "config.h"

#include <CUnit/Basic.h>
#include <string.h>

#include "cunit_main.h"
#include "rpcmsg.h"

static size_t put(uint8_t *b, size_t off, uint32_t v)
{
	b[off] = v >> 24;
	b[off + 1] = v >> 16;
	b[off + 2] = v >> 8;
	b[off + 3] = v;
	return off + 4;
}

/* A call to 100003/3/1 with an AUTH_SYS credential of @ngroups groups
 * (1000 + i) and a 4-byte argument; its length. */
static size_t build_call(uint8_t *b, uint32_t ngroups)
{
	size_t off = 0, clen_at;

	off = put(b, off, 0x1234);
	off = put(b, off, 0);           /* CALL */
	off = put(b, off, 2);
	off = put(b, off, 100003);
	off = put(b, off, 3);
	off = put(b, off, 1);
	off = put(b, off, AUTH_SYS);
	clen_at = off;
	off = put(b, off, 0);           /* length, below */
	off = put(b, off, 7);           /* stamp */
	off = put(b, off, 4);           /* machine name */
	memcpy(b + off, "host", 4);
	off += 4;
	off = put(b, off, 500);         /* uid */
	off = put(b, off, 600);         /* gid */
	off = put(b, off, ngroups);
	for (uint32_t i = 0; i < ngroups; i++)
		off = put(b, off, 1000 + i);
	put(b, clen_at, (uint32_t)(off - clen_at - 4));
	off = put(b, off, AUTH_NONE);   /* verifier */
	off = put(b, off, 0);
	off = put(b, off, 0xabcdef);    /* the argument */
	return off;
}

static void test_many_gids(void)
{
	uint8_t buf[512];
	size_t len = build_call(buf, 20);
	struct rpc_call_hdr hdr;
	enum auth_stat why;

	CU_ASSERT_EQUAL(rpcmsg_decode_call(buf, len, &hdr, &why), RPCMSG_AUTH_ERROR);
	CU_ASSERT_EQUAL(why, AUTH_BADCRED);
	CU_ASSERT_EQUAL(rpcmsg_decode_call_flags(buf, len, &hdr, &why, RPCMSG_ANY_GIDS),
			RPCMSG_CALL);
	CU_ASSERT_EQUAL(hdr.uid, 500);
	CU_ASSERT_EQUAL(hdr.ngroups, 16);
	CU_ASSERT_TRUE(hdr.gids_cut);
	CU_ASSERT_EQUAL(hdr.groups[15], 1015);
	CU_ASSERT_EQUAL(hdr.args_off, len - 4);

	/* 16 groups: no flag needed, nothing cut */
	len = build_call(buf, 16);
	CU_ASSERT_EQUAL(rpcmsg_decode_call(buf, len, &hdr, &why), RPCMSG_CALL);
	CU_ASSERT_FALSE(hdr.gids_cut);
	/* a group count beyond the credential's bytes is still malformed */
	len = build_call(buf, 20);
	put(buf, 4 * 8 + 4 + 4 + 4 + 4 + 4, 90);
	CU_ASSERT_EQUAL(rpcmsg_decode_call_flags(buf, len, &hdr, &why, RPCMSG_ANY_GIDS),
			RPCMSG_AUTH_ERROR);
}

int main(void)
{
	CU_pSuite s;

	if (CU_initialize_registry() != CUE_SUCCESS)
		return 1;
	s = CU_add_suite("rpcmsg_gids", NULL, NULL);
	CU_add_test(s, "AUTH_SYS with 20 groups", test_many_gids);
	return cunit_run();
}

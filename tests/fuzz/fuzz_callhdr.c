/*
 * fuzz_callhdr.c — call header and credential decoding (rpc/rpcmsg.c).
 *
 * Input: a record or datagram. rpcmsg_decode_call must give a verdict
 * without reading outside the buffer, and what it says must hold: a call's
 * arguments start 4-aligned within the buffer, its flavor is AUTH_NONE or
 * AUTH_SYS with at most RPCMSG_MAX_GIDS groups and a NUL-terminated
 * machine name; an auth error names a real auth_stat. The reply encoders
 * are then run on the decoded xid and must stay within RPCMSG_REPLY_MAX.
 */
#include "config.h"

#include <string.h>

#include "fuzz.h"
#include "rpcmsg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct rpc_call_hdr hdr;
	enum auth_stat why;
	uint8_t out[RPCMSG_REPLY_MAX + 16];
	size_t n;

	switch (rpcmsg_decode_call(data, size, &hdr, &why)) {
	case RPCMSG_CALL:
		FUZZ_CHECK(why == AUTH_OK);
		FUZZ_CHECK(hdr.rpcvers == RPCMSG_VERSION);
		FUZZ_CHECK(hdr.args_off >= 40 && hdr.args_off <= size && hdr.args_off % 4 == 0);
		FUZZ_CHECK(hdr.flavor == AUTH_NONE || hdr.flavor == AUTH_SYS);
		FUZZ_CHECK(hdr.ngroups <= RPCMSG_MAX_GIDS);
		FUZZ_CHECK(memchr(hdr.machine, '\0', sizeof(hdr.machine)) != NULL);
		if (hdr.flavor == AUTH_NONE)
			FUZZ_CHECK(hdr.uid == 0 && hdr.ngroups == 0 && hdr.machine[0] == '\0');
		break;
	case RPCMSG_AUTH_ERROR:
		FUZZ_CHECK(why == AUTH_BADCRED || why == AUTH_BADVERF || why == AUTH_TOOWEAK);
		n = rpcmsg_encode_auth_error(out, hdr.xid, why);
		FUZZ_CHECK(n <= RPCMSG_REPLY_MAX);
		break;
	case RPCMSG_RPC_MISMATCH:
		FUZZ_CHECK(hdr.rpcvers != RPCMSG_VERSION);
		n = rpcmsg_encode_rpc_mismatch(out, hdr.xid);
		FUZZ_CHECK(n <= RPCMSG_REPLY_MAX);
		break;
	case RPCMSG_DROP:
		break;
	default:
		FUZZ_CHECK(!"unknown verdict");
	}
	n = rpcmsg_encode_accepted(out, hdr.xid, PROG_MISMATCH, hdr.vers, hdr.vers);
	FUZZ_CHECK(n <= RPCMSG_REPLY_MAX);
	return 0;
}

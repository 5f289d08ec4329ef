/*
 * rpcmsg.h — ONC RPC call headers in, reply headers out (RFC 5531 §9).
 *
 * Pure functions over buffers: decode the header of a call (xid, program,
 * version, procedure, AUTH_NONE or AUTH_SYS credentials) and say how it
 * must be rejected if it must; encode the header of every kind of reply.
 * The service (rpcsvc.c) puts them together; the unit tests check them
 * byte for byte.
 */
#ifndef XLNFS_RPCMSG_H
#define XLNFS_RPCMSG_H

#include <rpc/rpc.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define RPCMSG_VERSION 2
#define RPCMSG_MAX_AUTH_BYTES 400  /* opaque_auth body limit */
#define RPCMSG_MAX_MACHINE 255     /* AUTH_SYS machinename limit */
#define RPCMSG_MAX_GIDS 16         /* AUTH_SYS gids limit */
/* Largest reply header: xid, REPLY, MSG_ACCEPTED, verf (2 words), stat,
 * low, high. */
#define RPCMSG_REPLY_MAX 32

/* A decoded call header. */
struct rpc_call_hdr {
	uint32_t xid, rpcvers, prog, vers, proc;
	uint32_t flavor;                 /* AUTH_NONE or AUTH_SYS */
	/* AUTH_SYS only (zero for AUTH_NONE): */
	uint32_t stamp, uid, gid, ngroups;
	uint32_t groups[RPCMSG_MAX_GIDS];
	char machine[RPCMSG_MAX_MACHINE + 1]; /* NUL-terminated */
	size_t args_off;                 /* where the procedure's arguments start */
	/* RPCMSG_ANY_GIDS only: the credential listed more than 16 groups;
	 * groups[] holds the first 16 (ngroups is 16). */
	bool gids_cut;
};

/* Flags of rpcmsg_decode_call_flags. */
enum {
	/* Accept AUTH_SYS credentials with more than RPCMSG_MAX_GIDS groups
	 * (keeping the first ones), for a server that looks the caller's
	 * groups up itself (manage-gids) and ignores the list. */
	RPCMSG_ANY_GIDS = 1 << 0,
};

/* What decoding a call says to do. */
enum rpcmsg_verdict {
	RPCMSG_CALL = 0,          /* a good call: dispatch it */
	RPCMSG_DROP,              /* not a call or truncated: no reply at all */
	RPCMSG_RPC_MISMATCH,      /* reply MSG_DENIED RPC_MISMATCH 2..2 */
	RPCMSG_AUTH_ERROR,        /* reply MSG_DENIED AUTH_ERROR (see *why) */
};

/*
 * Decode the call header at the start of @buf (@len bytes, a whole record
 * or datagram) into @hdr. Returns the verdict; for RPCMSG_AUTH_ERROR,
 * *@why gets the auth_stat to send (AUTH_BADCRED for malformed or
 * oversized credentials, AUTH_BADVERF for a bad verifier, AUTH_TOOWEAK for
 * flavors other than AUTH_NONE and AUTH_SYS). hdr->xid is valid for every
 * verdict but RPCMSG_DROP.
 */
enum rpcmsg_verdict rpcmsg_decode_call(const void *buf, size_t len, struct rpc_call_hdr *hdr,
					 enum auth_stat *why);
/* The same with RPCMSG_* @flags. */
enum rpcmsg_verdict rpcmsg_decode_call_flags(const void *buf, size_t len, struct rpc_call_hdr *hdr,
					       enum auth_stat *why, unsigned flags);

/*
 * Reply headers. Each writes into @out (at least RPCMSG_REPLY_MAX bytes)
 * and returns the number of bytes written. The verifier of accepted
 * replies is AUTH_NONE.
 */
/* MSG_ACCEPTED with @stat (SUCCESS: the results follow the header).
 * @low/@high are written only for PROG_MISMATCH. */
size_t rpcmsg_encode_accepted(uint8_t *out, uint32_t xid, enum accept_stat stat, uint32_t low,
			       uint32_t high);
/* MSG_DENIED RPC_MISMATCH, supported versions 2..2. */
size_t rpcmsg_encode_rpc_mismatch(uint8_t *out, uint32_t xid);
/* MSG_DENIED AUTH_ERROR with @why. */
size_t rpcmsg_encode_auth_error(uint8_t *out, uint32_t xid, enum auth_stat why);

#endif

/*
 * nfs3_xfer.h — how much one READ, WRITE or READDIR(PLUS) may carry on
 * the transport its call came by, and so what FSINFO advertises there.
 *
 * Over TCP the options decide (rtmax, wtmax, dtpref). Over UDP a call
 * and its reply are one datagram each (at most 65507 bytes over IPv4),
 * so a 1 MiB READ cannot be answered: READ is shortened to what fits
 * the reply with its header and attributes, READDIR(PLUS) stop adding
 * entries at what fits, and FSINFO advertises those sizes rounded down
 * to a multiple of NFS3_IO_MULT, as knfsd advertises its smaller UDP
 * payload (RFC 1813 §3.3.19: rtmax/wtmax are the server's limits, a
 * larger READ is a short read). A client that reads rtmax gets it in
 * full; one that asks more gets a short read and goes on from there.
 */
#ifndef XLNFS_NFS3_XFER_H
#define XLNFS_NFS3_XFER_H

#include <stddef.h>
#include <stdint.h>

#include "rpcsvc.h"

/* rtmult, wtmult: sizes are advertised in multiples of this. */
#define NFS3_IO_MULT 4096

/* A READ3res before its data: status, post_op_attr with a fattr3
 * (4 + 84), count, eof and the data's length word. */
#define NFS3_XDR_READ_FIXED (4 + 4 + 84 + 4 + 4 + 4)
/* The largest WRITE call before its data: the call header (xid, type,
 * rpcvers, prog, vers, proc) with AUTH_SYS credentials and verifier of
 * RFC 5531's 400-byte maximum bodies, then WRITE3args' 64-byte handle
 * (with its length), offset, count, stable and the data's length word. */
#define NFS3_XDR_WRITE_CALL_FIXED (24 + (8 + 400) + (8 + 400) + (4 + 64) + 8 + 4 + 4 + 4)

/* The READ count to serve for @req asking @count: at most @rtmax and at
 * most what fits the transport's reply (a multiple of NFS3_IO_MULT when
 * that is what limits). */
uint32_t nfs3_xfer_read_max(const struct rpcsvc_request *req, uint32_t rtmax, uint32_t count);
/* The wtmax to advertise on @req's transport: @wtmax, or what the
 * largest call the transport carries holds of WRITE data (to a multiple
 * of NFS3_IO_MULT) when that is less, as over UDP. */
uint32_t nfs3_xfer_write_max(const struct rpcsvc_request *req, uint32_t wtmax);
/* The READDIR count or READDIRPLUS maxcount to build a reply to: @count,
 * or less when the transport's reply holds less. */
size_t nfs3_xfer_dir_max(const struct rpcsvc_request *req, size_t count);
/* The dtpref to advertise on @req's transport: @dtpref, or what a reply
 * holds to a multiple of NFS3_IO_MULT. */
uint32_t nfs3_xfer_dtpref(const struct rpcsvc_request *req, uint32_t dtpref);

#endif

/*
 * nfs3_xfer.c — READ, WRITE and READDIR sizes per transport (see
 * nfs3_xfer.h).
 */
#include "config.h"

#include "nfs3_xfer.h"

/* What a reply of the transport holds after @fixed bytes, 0 if not even
 * those (the service's headers are already taken off). */
static size_t xfer_room(const struct rpcsvc_request *req, size_t fixed)
{
	size_t max = rpcsvc_request_max_reply(req);

	return max > fixed ? max - fixed : 0;
}

static size_t xfer_round(size_t n)
{
	return n - n % NFS3_IO_MULT;
}

static uint32_t xfer_min(size_t a, uint32_t b)
{
	return a < b ? (uint32_t)a : b;
}

uint32_t nfs3_xfer_read_max(const struct rpcsvc_request *req, uint32_t rtmax, uint32_t count)
{
	size_t room = xfer_room(req, NFS3_XDR_READ_FIXED);

	if (count > rtmax)
		count = rtmax;
	return count <= room ? count : xfer_min(xfer_round(room), count);
}

uint32_t nfs3_xfer_write_max(const struct rpcsvc_request *req, uint32_t wtmax)
{
	size_t max = rpcsvc_request_max_call(req);
	size_t room = max > NFS3_XDR_WRITE_CALL_FIXED ? max - NFS3_XDR_WRITE_CALL_FIXED : 0;

	return wtmax <= room ? wtmax : xfer_min(xfer_round(room), wtmax);
}

size_t nfs3_xfer_dir_max(const struct rpcsvc_request *req, size_t count)
{
	size_t max = rpcsvc_request_max_reply(req);

	return count < max ? count : max;
}

uint32_t nfs3_xfer_dtpref(const struct rpcsvc_request *req, uint32_t dtpref)
{
	size_t max = rpcsvc_request_max_reply(req);

	return dtpref <= max ? dtpref : xfer_min(xfer_round(max), dtpref);
}

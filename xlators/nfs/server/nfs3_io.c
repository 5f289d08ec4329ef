/*
 * nfs3_io.c — NFS v3 READ, WRITE and COMMIT (RFC 1813 §3.3.6, 3.3.7, 3.3.21).
 *
 * READ data is not copied into the reply: the buffer the child filled is
 * handed to the RPC service as the reply's payload, and READ3res is
 * encoded by nfs3_xdr_READ3res_payload, which writes the opaque's length
 * word but leaves the bytes to the payload.
 *
 * WRITE data is not copied out of the call either: nfs3_xdr_WRITE3args_inplace
 * points data.data_val into the received record, which the service keeps
 * until the actor returns.
 *
 * WRITE honours the stability asked and reports what was done, with the
 * server's write verifier (new on every start) so clients notice a
 * restart and resend UNSTABLE data; COMMIT is an fsync of the file.
 */
#include "config.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "nfs3.h"

bool_t nfs3_xdr_READ3res_payload(XDR *xdrs, READ3res *res)
{
	READ3resok *ok = &res->READ3res_u.resok;

	if (xdrs->x_op != XDR_ENCODE || res->status != NFS3_OK)
		return xdr_READ3res(xdrs, res);
	return xdr_nfsstat3(xdrs, &res->status) && xdr_post_op_attr(xdrs, &ok->file_attributes) &&
	       xdr_count3(xdrs, &ok->count) && xdr_bool(xdrs, &ok->eof) &&
	       xdr_u_int(xdrs, &ok->data.data_len);
}

bool_t nfs3_xdr_WRITE3args_inplace(XDR *xdrs, WRITE3args *args)
{
	u_int len;
	char *data;

	if (xdrs->x_op == XDR_ENCODE)
		return xdr_WRITE3args(xdrs, args);
	if (xdrs->x_op == XDR_FREE) {
		args->data.data_val = NULL; /* borrowed: not ours to free */
		args->data.data_len = 0;
		return xdr_nfs_fh3(xdrs, &args->file);
	}
	if (!xdr_nfs_fh3(xdrs, &args->file) || !xdr_offset3(xdrs, &args->offset) ||
	    !xdr_count3(xdrs, &args->count) || !xdr_stable_how(xdrs, &args->stable) ||
	    !xdr_u_int(xdrs, &len))
		return FALSE;
	/* The bytes and their padding must all be in the stream; xdr_inline
	 * hands back a pointer to them (NULL when they are not). */
	if (len > UINT32_MAX - 3)
		return FALSE;
	data = (char *)xdr_inline(xdrs, (len + 3) & ~3u);
	if (!data)
		return FALSE;
	args->data.data_len = len;
	args->data.data_val = data;
	return TRUE;
}

/* READ, WRITE and COMMIT work on regular files only. */
static nfsstat3 nfs3_check_regular(const struct stat *st)
{
	if (S_ISREG(st->st_mode))
		return NFS3_OK;
	return S_ISDIR(st->st_mode) ? NFS3ERR_ISDIR : NFS3ERR_INVAL;
}

int nfs3_read(struct rpcsvc_request *req, void *args, void *res)
{
	READ3args *a = args;
	READ3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	READ3resok *ok = &r->READ3res_u.resok;
	struct nfs3_obj obj;
	struct xl_call call;
	size_t count = a->count < srv->rtmax ? a->count : srv->rtmax;
	bool eof = false;
	struct stat st;
	struct xl_iobuf *iob;
	int ret;

	r->status = nfs3_resolve(req, &a->file, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	r->status = nfs3_check_regular(&obj.st);
	if (r->status != NFS3_OK) {
		nfs3_post_op_from_stat(srv, &obj.st, &r->READ3res_u.resfail.file_attributes);
		goto out;
	}
	iob = rpcsvc_buf_new(count);
	if (!iob) {
		r->status = NFS3ERR_JUKEBOX;
		nfs3_post_op_from_stat(srv, &obj.st, &r->READ3res_u.resfail.file_attributes);
		goto out;
	}
	ret = xl_read(srv->child, &call, obj.inode, a->offset, count, iob->data, &eof, &st);
	if (ret < 0) {
		xl_iobuf_unref(iob);
		r->status = nfs3_errno_to_status(ret);
		nfs3_post_op_fetch(srv, &call, obj.inode, &r->READ3res_u.resfail.file_attributes);
		goto out;
	}
	nfs3_post_op_from_stat(srv, &st, &ok->file_attributes);
	ok->count = (count3)ret;
	/* A short read at the end of the file is an end of file too. */
	ok->eof = eof || a->offset + (uint64_t)ret >= (uint64_t)st.st_size;
	ok->data.data_len = (u_int)ret;
	ok->data.data_val = NULL;  /* the bytes travel as the payload */
	if (ret > 0)
		rpcsvc_request_set_payload(req, iob, iob->data, (size_t)ret);
	else
		xl_iobuf_unref(iob);
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

int nfs3_write(struct rpcsvc_request *req, void *args, void *res)
{
	WRITE3args *a = args;
	WRITE3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	wcc_data *wcc = &r->WRITE3res_u.resfail.file_wcc;
	WRITE3resok *ok = &r->WRITE3res_u.resok;
	enum xl_stable stable;
	struct nfs3_obj obj;
	struct xl_call call;
	struct iovec iov;
	struct stat st;
	size_t count;
	int ret;

	r->status = nfs3_resolve(req, &a->file, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	r->status = nfs3_check_writable(obj.export);
	if (r->status == NFS3_OK)
		r->status = nfs3_check_regular(&obj.st);
	if (r->status == NFS3_OK && (a->count != a->data.data_len || a->stable > FILE_SYNC))
		r->status = NFS3ERR_INVAL;
	if (r->status != NFS3_OK) {
		nfs3_wcc_from_stats(srv, &obj.st, &obj.st, wcc); /* nothing changed */
		goto out;
	}
	/* Never more than we advertise; the client sends the rest again. */
	count = a->count < srv->wtmax ? a->count : srv->wtmax;
	iov.iov_base = a->data.data_val;
	iov.iov_len = count;
	stable = (enum xl_stable)a->stable;
	ret = xl_write(srv->child, &call, obj.inode, a->offset, &iov, 1, &stable, &st);
	if (ret < 0) {
		r->status = nfs3_errno_to_status(ret);
		nfs3_wcc_fill(srv, &call, obj.inode, &obj.st, wcc);
		goto out;
	}
	nfs3_wcc_from_stats(srv, &obj.st, &st, &ok->file_wcc);
	ok->count = (count3)ret;
	ok->committed = (stable_how)(stable < (enum xl_stable)a->stable ? a->stable : stable);
	memcpy(ok->verf, &srv->write_verf, sizeof(ok->verf));
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

int nfs3_commit(struct rpcsvc_request *req, void *args, void *res)
{
	COMMIT3args *a = args;
	COMMIT3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	wcc_data *wcc = &r->COMMIT3res_u.resfail.file_wcc;
	struct nfs3_obj obj;
	struct xl_call call;
	int ret;

	r->status = nfs3_resolve(req, &a->file, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	r->status = nfs3_check_regular(&obj.st);
	if (r->status != NFS3_OK) {
		nfs3_wcc_from_stats(srv, &obj.st, &obj.st, wcc); /* nothing changed */
		goto out;
	}
	/* offset/count only narrow what must be flushed; flush it all. */
	ret = xl_fsync(srv->child, &call, obj.inode, false);
	/* resok and resfail share the wcc_data layout. */
	nfs3_wcc_fill(srv, &call, obj.inode, &obj.st, wcc);
	if (ret < 0) {
		r->status = nfs3_errno_to_status(ret);
		goto out;
	}
	memcpy(r->COMMIT3res_u.resok.verf, &srv->write_verf, sizeof(r->COMMIT3res_u.resok.verf));
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

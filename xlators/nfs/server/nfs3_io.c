/*
 * nfs3_io.c — NFS v3 READ, WRITE and COMMIT (RFC 1813 §3.3.6, 3.3.7, 3.3.21).
 *
 * READ data is not copied into the reply: the read fop returns a
 * referenced slice of a buffer storage filled, whose reference goes to
 * the RPC service as the reply's payload, and READ3res is encoded by
 * nfs3_xdr_READ3res_payload, which writes the opaque's length word but
 * leaves the bytes to the payload. The count is the client's, at most
 * rtmax and at most what the transport's reply holds (nfs3_xfer.h: a
 * UDP datagram), so a large READ over UDP is a short read.
 *
 * WRITE data is not copied out of the call either: nfs3_xdr_WRITE3args_inplace
 * points data.data_val into the received record, and the write fop gets
 * a slice of that record (rpcsvc_request_record), so a translator may
 * keep a reference instead of copying.
 *
 * WRITE honours the stability asked and reports what was done, with the
 * server's write verifier (nfs3_verf.h: new on every start, changed when
 * a backend WRITE or COMMIT fails) so clients resend UNSTABLE data that
 * may be lost; COMMIT is an fsync of the range asked. wcc data is
 * storage's, taken around the write or sync.
 */
#include "config.h"

#include <errno.h>
#include <glib.h>
#include <stdlib.h>
#include <string.h>

#include "nfs3.h"
#include "nfs3_verf.h"
#include "nfs3_xfer.h"

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
static nfsstat3 nfs3_check_regular(const struct xl_iatt *ia)
{
	if (S_ISREG(ia->mode))
		return NFS3_OK;
	return S_ISDIR(ia->mode) ? NFS3ERR_ISDIR : NFS3ERR_INVAL;
}

int nfs3_read(struct rpcsvc_request *req, void *args, void *res)
{
	READ3args *a = args;
	READ3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	READ3resok *ok = &r->READ3res_u.resok;
	struct nfs3_obj obj;
	struct xl_call call;
	size_t count = nfs3_xfer_read_max(req, srv->rtmax, a->count);
	struct xl_data data = {0};
	struct xl_iatt attr = {0};
	bool eof = false;
	int ret;

	/* Lazy: the read fop checks the object (its type, the caller's
	 * permission, that it is this subvolume's) on the attributes it
	 * takes after reading, and returns those: one stat per READ. */
	r->status = nfs3_resolve_lazy(req, &a->file, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	r->status = (obj.attr.valid & XL_IATT_TYPE) ? nfs3_check_regular(&obj.attr) : NFS3_OK;
	if (r->status != NFS3_OK) {
		nfs3_post_op_from_iatt(srv, obj.export, &obj.attr,
				       &r->READ3res_u.resfail.file_attributes);
		goto out;
	}
	ret = xl_fop_read(obj.export->child, &call, obj.inode, a->offset, count, &data, &eof, &attr);
	if (ret < 0) {
		r->status = nfs3_obj_fop_status(ret);
		nfs3_post_op_from_iatt(srv, obj.export, (attr.valid & XL_IATT_TYPE) ? &attr : &obj.attr,
				       &r->READ3res_u.resfail.file_attributes);
		goto out;
	}
	if ((size_t)ret > count || data.len != (size_t)ret || (ret > 0 && !data.ptr)) {
		/* A child that broke the read contract: send nothing of it. */
		xl_log(srv->xl, XL_LOG_ERROR, "read returned %d bytes in a %zu-byte slice for %zu",
		       ret, data.len, count);
		xl_data_release(&data);
		r->status = NFS3ERR_SERVERFAULT;
		goto out;
	}
	nfs3_post_op_from_iatt(srv, obj.export, &attr, &ok->file_attributes);
	ok->count = (count3)ret;
	if (srv->count_io)
		srv->count_io(srv->metrics, obj.export, false, (uint64_t)ret);
	/* A short read at the end of the file is an end of file too. */
	ok->eof = eof || ((attr.valid & XL_IATT_SIZE) && a->offset + (uint64_t)ret >= attr.size);
	ok->data.data_len = (u_int)ret;
	ok->data.data_val = NULL; /* the bytes travel as the payload */
	if (ret > 0) {
		/* The slice's reference goes to the service, which sends
		 * from storage's buffer and drops it after. */
		rpcsvc_request_set_payload(req, data.iobuf, data.ptr, data.len);
		data.iobuf = NULL;
	}
	xl_data_release(&data);
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

/* An iobuf's release for nfs3_write_copy's buffers. */
static void nfs3_write_copy_release(struct xl_iobuf *iob)
{
	g_free(iob->data);
	xl_iobuf_free_shell(iob);
}

/* WRITE's data as a slice of the received record (a reference taken for
 * the call), or, for a request the RPC service did not receive (a test
 * driving the actor), of a copy. 0 or -ENOMEM. */
static int nfs3_write_data(struct rpcsvc_request *req, const WRITE3args *a, size_t count,
			   struct xl_data *d)
{
	struct xl_iobuf *rec = rpcsvc_request_record(req);
	const uint8_t *p = (const uint8_t *)a->data.data_val;

	if (rec && p >= rec->data && p + count <= rec->data + rec->size) {
		d->iobuf = xl_iobuf_ref(rec);
		d->ptr = (uint8_t *)p;
		d->len = count;
		return 0;
	}
	d->iobuf = xl_iobuf_wrap(g_memdup2(p, count), count, nfs3_write_copy_release, NULL);
	if (!d->iobuf)
		return -ENOMEM;
	d->ptr = d->iobuf->data;
	d->len = count;
	return 0;
}

/* A failed backend WRITE or COMMIT may have lost data acknowledged as
 * UNSTABLE before (a failed writeback shows as EIO once, to whoever asks
 * first): change the verifier so that every client resends what it has
 * not seen committed, as knfsd does. */
static void nfs3_write_failed(struct nfs_server *srv, const char *proc, int err)
{
	uint64_t v;

	if (!nfs3_write_verf_lost(err))
		return;
	v = nfs3_write_verf_bump(&srv->write_verf);
	xl_log(srv->xl, XL_LOG_WARNING,
	       "%s failed in storage (%s): write verifier changed to %016" G_GINT64_MODIFIER
	       "x so clients resend uncommitted data",
	       proc, g_strerror(-err), (guint64)v);
}

/* A WRITE refused with @status before its fop, on @obj resolved lazily:
 * its attributes (nothing changed) into @wcc, from a getattr when the
 * resolution took none, which also says whether the handle is STALE. */
static nfsstat3 nfs3_write_refused(struct rpcsvc_request *req, struct xl_call *call,
				   struct nfs3_obj *obj, nfsstat3 status, wcc_data *wcc)
{
	int ret;

	if (!(obj->attr.valid & XL_IATT_TYPE)) {
		ret = xl_fop_getattr(obj->export->child, call, obj->inode, &obj->attr);
		if (ret < 0) {
			memset(&obj->attr, 0, sizeof(obj->attr));
			status = nfs3_obj_fop_status(ret);
		}
	}
	nfs3_wcc_unchanged(nfs3_server(req), obj->export, &obj->attr, wcc);
	return status;
}

int nfs3_write(struct rpcsvc_request *req, void *args, void *res)
{
	WRITE3args *a = args;
	WRITE3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	/* resok and resfail share the wcc_data layout. */
	wcc_data *wcc = &r->WRITE3res_u.resfail.file_wcc;
	WRITE3resok *ok = &r->WRITE3res_u.resok;
	struct xl_data data = {0};
	struct xl_wcc xw = {0};
	enum xl_stable stable;
	struct nfs3_obj obj;
	struct xl_call call;
	size_t count;
	int ret;

	/* Lazy: the write fop checks the object and takes the wcc. */
	r->status = nfs3_resolve_lazy(req, &a->file, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	r->status = nfs3_check_writable(obj.export);
	if (r->status == NFS3_OK && (obj.attr.valid & XL_IATT_TYPE))
		r->status = nfs3_check_regular(&obj.attr);
	if (r->status == NFS3_OK && (a->count != a->data.data_len || a->stable > FILE_SYNC))
		r->status = NFS3ERR_INVAL;
	/* Never more than we advertise; the client sends the rest again. */
	count = a->count < srv->wtmax ? a->count : srv->wtmax;
	if (r->status == NFS3_OK && nfs3_write_data(req, a, count, &data) < 0)
		r->status = NFS3ERR_JUKEBOX;
	if (r->status != NFS3_OK) {
		r->status = nfs3_write_refused(req, &call, &obj, r->status, wcc);
		goto out;
	}
	stable = (enum xl_stable)a->stable;
	ret = xl_fop_write(obj.export->child, &call, obj.inode, a->offset, &data, &stable, &xw);
	xl_data_release(&data);
	nfs3_wcc_from_xl(srv, obj.export, &xw, wcc);
	if (ret < 0) {
		r->status = nfs3_obj_fop_status(ret);
		nfs3_write_failed(srv, "WRITE", ret);
		goto out;
	}
	ok->count = (count3)ret;
	if (srv->count_io)
		srv->count_io(srv->metrics, obj.export, true, (uint64_t)ret);
	ok->committed = (stable_how)(stable < (enum xl_stable)a->stable ? a->stable : stable);
	nfs3_write_verf_get(&srv->write_verf, ok->verf);
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

int nfs3_commit(struct rpcsvc_request *req, void *args, void *res)
{
	COMMIT3args *a = args;
	COMMIT3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	/* resok and resfail share the wcc_data layout. */
	wcc_data *wcc = &r->COMMIT3res_u.resfail.file_wcc;
	struct xl_wcc xw = {0};
	struct nfs3_obj obj;
	struct xl_call call;
	int ret;

	r->status = nfs3_resolve(req, &a->file, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	r->status = nfs3_check_regular(&obj.attr);
	if (r->status != NFS3_OK) {
		nfs3_wcc_unchanged(srv, obj.export, &obj.attr, wcc); /* nothing changed */
		goto out;
	}
	/* count 0 is "to the end of the file", as the fop's len 0. */
	ret = xl_fop_fsync(obj.export->child, &call, obj.inode, a->offset, a->count, false, &xw);
	nfs3_wcc_from_xl(srv, obj.export, &xw, wcc);
	if (ret < 0) {
		r->status = nfs3_errno_to_status(ret);
		nfs3_write_failed(srv, "COMMIT", ret);
		goto out;
	}
	nfs3_write_verf_get(&srv->write_verf, r->COMMIT3res_u.resok.verf);
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

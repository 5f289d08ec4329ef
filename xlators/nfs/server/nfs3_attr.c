/*
 * nfs3_attr.c — NFS v3 GETATTR, SETATTR and ACCESS (RFC 1813 §3.3.1-4).
 *
 * Each actor resolves the handle, makes at most one fop on the child
 * volume as the (squashed) caller, and answers with the attributes the
 * protocol allows: fattr3 for GETATTR (those of the resolution), wcc_data
 * for SETATTR (storage's, taken around the change), post-op attributes
 * for ACCESS (the access fop's). ACCESS asks the whole mask in one fop,
 * on a handle resolved without a getattr (nfs3_resolve_lazy): the fop
 * checks the object and its attributes are the answer's.
 */
#include "config.h"

#include <errno.h>
#include <string.h>

#include "nfs3.h"

int nfs3_getattr(struct rpcsvc_request *req, void *args, void *res)
{
	GETATTR3args *a = args;
	GETATTR3res *r = res;
	struct nfs3_obj obj;
	struct xl_call call;

	r->status = nfs3_resolve(req, &a->object, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	if (!nfs3_fattr_from_iatt(nfs3_server(req), obj.export, &obj.attr,
				  &r->GETATTR3res_u.resok.obj_attributes))
		r->status = NFS3ERR_SERVERFAULT; /* storage gave less than a getattr must */
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

static bool nfs3_ctime_matches(const nfstime3 *t, const struct xl_iatt *ia)
{
	return (ia->valid & XL_IATT_CTIME) && t->seconds == (uint32)ia->ctime.tv_sec &&
	       t->nseconds == (uint32)ia->ctime.tv_nsec;
}

int nfs3_setattr(struct rpcsvc_request *req, void *args, void *res)
{
	SETATTR3args *a = args;
	SETATTR3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	/* resok and resfail share the wcc_data layout. */
	wcc_data *wcc = &r->SETATTR3res_u.resfail.obj_wcc;
	struct xl_wcc xw = {0};
	struct xl_setattr sa;
	struct nfs3_obj obj;
	struct xl_call call;
	int ret;

	r->status = nfs3_resolve(req, &a->object, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	if (a->guard.check && !nfs3_ctime_matches(&a->guard.sattrguard3_u.obj_ctime, &obj.attr)) {
		r->status = NFS3ERR_NOT_SYNC;
		goto out_wcc_unchanged;
	}
	r->status = nfs3_check_writable(obj.export);
	if (r->status != NFS3_OK)
		goto out_wcc_unchanged;
	nfs3_setattr_from_sattr(&a->new_attributes, &sa);
	if ((sa.valid & XL_SET_SIZE) && !S_ISREG(obj.attr.mode)) {
		/* Only regular files have a size one can set; RFC 1813 lists
		 * INVAL (not ISDIR) among SETATTR's errors. */
		r->status = NFS3ERR_INVAL;
		goto out_wcc_unchanged;
	}
	ret = xl_fop_setattr(obj.export->child, &call, obj.inode, &sa, &xw);
	r->status = nfs3_errno_to_status(ret);
	nfs3_wcc_from_xl(srv, obj.export, &xw, wcc);
	goto out;
out_wcc_unchanged:
	/* Nothing changed: the attributes before are the attributes after. */
	nfs3_wcc_unchanged(srv, obj.export, &obj.attr, wcc);
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

/* What a read-only export never grants. */
#define NFS3_ACCESS_WRITE (ACCESS3_MODIFY | ACCESS3_EXTEND | ACCESS3_DELETE)

int nfs3_access(struct rpcsvc_request *req, void *args, void *res)
{
	ACCESS3args *a = args;
	ACCESS3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj obj;
	struct xl_call call;
	struct xl_iatt attr = {0};
	uint32_t mask = a->access & XL_ACCESS_ALL, granted = 0;
	int ret = 0;

	/* Lazy: the access fop checks the object and gives its attributes. */
	r->status = nfs3_resolve_lazy(req, &a->object, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	if (obj.export->read_only)
		mask &= ~(uint32_t)NFS3_ACCESS_WRITE;
	/* One fop with the whole mask: storage's own rules (ACLs
	 * included) decide every bit at once. Nothing to ask: a getattr
	 * still checks the object and gives the post-op attributes. */
	if (mask)
		ret = xl_fop_access(obj.export->child, &call, obj.inode, mask, &granted, &attr);
	else if (!(obj.attr.valid & XL_IATT_TYPE))
		ret = xl_fop_getattr(obj.export->child, &call, obj.inode, &attr);
	if (!(attr.valid & XL_IATT_TYPE))
		attr = obj.attr; /* the fop gave none: those of the resolution */
	if (ret < 0) {
		r->status = nfs3_obj_fop_status(ret);
		nfs3_post_op_from_iatt(srv, obj.export, &attr,
				       &r->ACCESS3res_u.resfail.obj_attributes);
		goto out;
	}
	nfs3_post_op_from_iatt(srv, obj.export, &attr, &r->ACCESS3res_u.resok.obj_attributes);
	r->ACCESS3res_u.resok.access = granted & mask;
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

/*
 * nfs3_attr.c — NFS v3 GETATTR, SETATTR and ACCESS (RFC 1813 §3.3.1-4).
 *
 * Each actor resolves the handle, makes one or a few fops on the child
 * volume as the (squashed) caller, and answers with the attributes the
 * protocol allows: fattr3 for GETATTR, wcc_data for SETATTR, post-op
 * attributes for ACCESS.
 */
#include "config.h"

#include <errno.h>
#include <string.h>
#include <unistd.h>

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
	nfs3_fattr_from_stat(nfs3_server(req), &obj.st, &r->GETATTR3res_u.resok.obj_attributes);
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

static bool nfs3_ctime_matches(const nfstime3 *t, const struct stat *st)
{
	return t->seconds == (uint32)st->st_ctim.tv_sec &&
	       t->nseconds == (uint32)st->st_ctim.tv_nsec;
}

int nfs3_setattr(struct rpcsvc_request *req, void *args, void *res)
{
	SETATTR3args *a = args;
	SETATTR3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	wcc_data *wcc = &r->SETATTR3res_u.resfail.obj_wcc;
	struct xl_setattr sa;
	struct nfs3_obj obj;
	struct xl_call call;
	struct stat st;
	int ret;

	r->status = nfs3_resolve(req, &a->object, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	if (a->guard.check && !nfs3_ctime_matches(&a->guard.sattrguard3_u.obj_ctime, &obj.st)) {
		r->status = NFS3ERR_NOT_SYNC;
		goto out_wcc_unchanged;
	}
	r->status = nfs3_check_writable(obj.export);
	if (r->status != NFS3_OK)
		goto out_wcc_unchanged;
	nfs3_setattr_from_sattr(&a->new_attributes, &sa);
	if ((sa.valid & XL_SET_SIZE) && !S_ISREG(obj.st.st_mode)) {
		/* Only regular files have a size one can set; RFC 1813 lists
		 * INVAL (not ISDIR) among SETATTR's errors. */
		r->status = NFS3ERR_INVAL;
		goto out_wcc_unchanged;
	}
	ret = xl_setattr(srv->child, &call, obj.inode, &sa, &st);
	if (ret < 0) {
		r->status = nfs3_errno_to_status(ret);
		nfs3_wcc_fill(srv, &call, obj.inode, &obj.st, wcc);
		goto out;
	}
	/* resok and resfail share the wcc_data layout. */
	nfs3_wcc_from_stats(srv, &obj.st, &st, &r->SETATTR3res_u.resok.obj_wcc);
	goto out;
out_wcc_unchanged:
	/* Nothing changed: the attributes before are the attributes after. */
	nfs3_wcc_from_stats(srv, &obj.st, &obj.st, wcc);
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

/* Which ACCESS3 bits each access(2) mask decides, per object type. */
static uint32 nfs3_access_bits(mode_t mode, int mask)
{
	bool dir = S_ISDIR(mode);

	switch (mask) {
	case R_OK:
		return ACCESS3_READ;
	case W_OK:
		return ACCESS3_MODIFY | ACCESS3_EXTEND | (dir ? ACCESS3_DELETE : 0);
	case X_OK:
		return dir ? ACCESS3_LOOKUP : ACCESS3_EXECUTE;
	default:
		return 0;
	}
}

int nfs3_access(struct rpcsvc_request *req, void *args, void *res)
{
	static const int masks[] = { R_OK, W_OK, X_OK };
	ACCESS3args *a = args;
	ACCESS3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	struct nfs3_obj obj;
	struct xl_call call;
	uint32 granted = 0;
	int ret;

	r->status = nfs3_resolve(req, &a->object, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	for (size_t i = 0; i < sizeof(masks) / sizeof(masks[0]); i++) {
		uint32 bits = nfs3_access_bits(obj.st.st_mode, masks[i]) & a->access;

		if (masks[i] == W_OK && obj.export->read_only)
			continue;
		if (!bits)
			continue;
		ret = xl_access(srv->child, &call, obj.inode, masks[i]);
		if (ret == 0) {
			granted |= bits;
		} else if (ret != -EACCES && ret != -EPERM && ret != -EROFS) {
			r->status = nfs3_errno_to_status(ret);
			nfs3_post_op_from_stat(srv, &obj.st,
					       &r->ACCESS3res_u.resfail.obj_attributes);
			goto out;
		}
	}
	nfs3_post_op_from_stat(srv, &obj.st, &r->ACCESS3res_u.resok.obj_attributes);
	r->ACCESS3res_u.resok.access = granted;
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

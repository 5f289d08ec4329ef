/*
 * nfs3_fs.c — NFS v3 NULL, FSSTAT, FSINFO and PATHCONF (RFC 1813 §3.3.0,
 * 3.3.18-20): what a client asks about the file system as a whole.
 *
 * FSINFO's sizes come from the translator's options (rtmax, wtmax,
 * dtpref), smaller where the call's transport carries less (UDP: see
 * nfs3_xfer.h), FSSTAT's figures from the child's statfs, PATHCONF's limits
 * are those of a POSIX file system served case-sensitively.
 */
#include "config.h"

#include <errno.h>
#include <stdint.h>
#include <string.h>

#include "nfs3.h"
#include "nfs3_xfer.h"

/* The link count limit we advertise (ext4's and XFS's practical one). */
#define NFS3_LINK_MAX 65000
#define NFS3_NAME_MAX 255

int nfs3_null(struct rpcsvc_request *req, void *args, void *res)
{
	return RPCSVC_OK;
}

int nfs3_fsstat(struct rpcsvc_request *req, void *args, void *res)
{
	FSSTAT3args *a = args;
	FSSTAT3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	FSSTAT3resok *ok = &r->FSSTAT3res_u.resok;
	struct nfs3_obj obj;
	struct xl_call call;
	struct statvfs sv;
	uint64_t frsize;
	int ret;

	r->status = nfs3_resolve(req, &a->fsroot, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	ret = xl_fop_statfs(obj.export->child, &call, obj.inode, &sv);
	if (ret < 0) {
		r->status = nfs3_errno_to_status(ret);
		nfs3_post_op_from_iatt(srv, obj.export, &obj.attr,
				       &r->FSSTAT3res_u.resfail.obj_attributes);
		goto out;
	}
	frsize = sv.f_frsize ? sv.f_frsize : sv.f_bsize;
	nfs3_post_op_from_iatt(srv, obj.export, &obj.attr, &ok->obj_attributes);
	ok->tbytes = (uint64)sv.f_blocks * frsize;
	ok->fbytes = (uint64)sv.f_bfree * frsize;
	ok->abytes = (uint64)sv.f_bavail * frsize;
	ok->tfiles = sv.f_files;
	ok->ffiles = sv.f_ffree;
	ok->afiles = sv.f_favail;
	ok->invarsec = 0;
out:
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

int nfs3_fsinfo(struct rpcsvc_request *req, void *args, void *res)
{
	FSINFO3args *a = args;
	FSINFO3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	FSINFO3resok *ok = &r->FSINFO3res_u.resok;
	struct nfs3_obj obj;
	struct xl_call call;

	r->status = nfs3_resolve(req, &a->fsroot, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	nfs3_post_op_from_iatt(srv, obj.export, &obj.attr, &ok->obj_attributes);
	ok->rtmax = nfs3_xfer_read_max(req, srv->rtmax, srv->rtmax);
	ok->rtpref = ok->rtmax;
	ok->rtmult = NFS3_IO_MULT;
	ok->wtmax = nfs3_xfer_write_max(req, srv->wtmax);
	ok->wtpref = ok->wtmax;
	ok->wtmult = NFS3_IO_MULT;
	ok->dtpref = nfs3_xfer_dtpref(req, srv->dtpref);
	ok->maxfilesize = INT64_MAX;
	ok->time_delta.seconds = 0;
	ok->time_delta.nseconds = 1;
	ok->properties = FSF3_LINK | FSF3_SYMLINK | FSF3_HOMOGENEOUS | FSF3_CANSETTIME;
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

int nfs3_pathconf(struct rpcsvc_request *req, void *args, void *res)
{
	PATHCONF3args *a = args;
	PATHCONF3res *r = res;
	struct nfs_server *srv = nfs3_server(req);
	PATHCONF3resok *ok = &r->PATHCONF3res_u.resok;
	struct nfs3_obj obj;
	struct xl_call call;
	struct statvfs sv;

	r->status = nfs3_resolve(req, &a->object, &call, &obj);
	if (r->status != NFS3_OK)
		return RPCSVC_OK;
	nfs3_post_op_from_iatt(srv, obj.export, &obj.attr, &ok->obj_attributes);
	ok->linkmax = NFS3_LINK_MAX;
	ok->name_max = NFS3_NAME_MAX;
	/* A store with shorter names says so in statfs. */
	if (xl_fop_statfs(obj.export->child, &call, obj.inode, &sv) == 0 && sv.f_namemax &&
	    sv.f_namemax < NFS3_NAME_MAX)
		ok->name_max = (uint32)sv.f_namemax;
	ok->no_trunc = TRUE;
	ok->chown_restricted = TRUE;
	ok->case_insensitive = FALSE;
	ok->case_preserving = TRUE;
	nfs3_obj_release(&obj);
	return RPCSVC_OK;
}

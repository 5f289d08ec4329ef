/*
 * nfs3.h — the NFS version 3 program: its actors and the helpers they share.
 *
 * Procedures are grouped by what they touch, one file per group:
 *   nfs3_attr.c  GETATTR SETATTR ACCESS
 *   nfs3_dir.c   LOOKUP READDIR READDIRPLUS
 *   nfs3_ns.c    CREATE MKDIR SYMLINK MKNOD REMOVE RMDIR RENAME LINK READLINK
 *   nfs3_io.c    READ WRITE COMMIT
 *   nfs3_fs.c    NULL FSSTAT FSINFO PATHCONF
 * nfs3_proc.c holds the const actor table; nfs3_util.c the shared helpers
 * (handle resolution, errno → nfsstat3, attribute conversion, wcc data).
 *
 * Each actor: resolve handles → call the fop(s) on the export's subvolume
 * (obj.export->child: an export serves one of nfs/server's children) → fill the
 * result → release in out:. Attributes and wcc data come from the fops
 * themselves (storage takes pre- and post-operation attributes around a
 * change); no getattr is made to stitch them. Actors always return
 * RPCSVC_OK unless the arguments are undecodable; NFS errors travel in
 * the result's status.
 */
#ifndef XLNFS_NFS3_H
#define XLNFS_NFS3_H

#include "nfs3_prot.h"
#include "nfs_server.h"

/* What resolving a handle gives an actor. */
struct nfs3_obj {
	const struct nfs_export *export;
	struct xl_inode *inode;        /* referenced; put with nfs3_obj_release */
	struct xl_iatt attr;           /* attributes at resolution (XL_IATT_TYPE at least;
					* after nfs3_resolve_lazy maybe nothing) */
};

/* The server behind a request (the program's private). */
struct nfs_server *nfs3_server(struct rpcsvc_request *req);

/* The caller of @req as fops see it on export @e: the request's
 * credentials squashed per @e, and the client's address. */
void nfs3_call_from_req(const struct rpcsvc_request *req, const struct nfs_export *e,
			struct xl_call *call);

/* Resolve @fh for @req: check it (NFS3ERR_BADHANDLE; NFS3ERR_STALE for a
 * handle from before ids), check the export still allows the client
 * (NFS3ERR_ACCES), squash req's credentials into @call per the export,
 * get the inode by id (cached, or the resolve fop) and its attributes
 * (NFS3ERR_STALE when the object is gone). Returns NFS3_OK and fills
 * @obj, or the status to answer (@obj then holds nothing). */
nfsstat3 nfs3_resolve(struct rpcsvc_request *req, const nfs_fh3 *fh, struct xl_call *call,
		      struct nfs3_obj *obj);
/* nfs3_resolve for an actor whose fop on the export's child returns the
 * object's attributes anyway (READ, ACCESS): a cached inode costs no
 * getattr, and obj->attr is then empty (valid 0). The actor's fop is
 * what checks the object (another subvolume's object with the same id,
 * a deleted one): answer its -ESTALE/-ENOENT with nfs3_obj_fop_status. */
nfsstat3 nfs3_resolve_lazy(struct rpcsvc_request *req, const nfs_fh3 *fh, struct xl_call *call,
			   struct nfs3_obj *obj);
/* The status for the result @ret of the first fop on an object resolved
 * with nfs3_resolve_lazy: its -ENOENT/-ESTALE say the object behind the
 * handle is not there (NFS3ERR_STALE), the rest as nfs3_errno_to_status. */
nfsstat3 nfs3_obj_fop_status(int ret);
void nfs3_obj_release(struct nfs3_obj *obj);

/* NFS3ERR_ROFS if @export is read-only, else NFS3_OK. */
nfsstat3 nfs3_check_writable(const struct nfs_export *export);
/* Validate a client-supplied name: NFS3ERR_NAMETOOLONG (> 255 bytes),
 * NFS3ERR_ACCES for "" / containing '/', NFS3ERR_EXIST for "." and ".."
 * where @create is true (creating them), else NFS3_OK. */
nfsstat3 nfs3_check_name(const char *name, bool create);

/* The one place -errno becomes nfsstat3. */
nfsstat3 nfs3_errno_to_status(int err);

/* What fattr3 needs of a struct xl_iatt (the fsid comes from the export;
 * rdev only for devices, checked apart). */
#define NFS3_IATT_FATTR                                                                     \
	(XL_IATT_TYPE | XL_IATT_MODE | XL_IATT_NLINK | XL_IATT_UID | XL_IATT_GID |            \
	 XL_IATT_SIZE | XL_IATT_USED | XL_IATT_INO | XL_IATT_ATIME | XL_IATT_MTIME |          \
	 XL_IATT_CTIME)

/* The one conversion struct xl_iatt → fattr3: false (and @fa zeroed)
 * when @ia's valid mask lacks something fattr3 needs. The fsid is
 * @export's (storage's when @export is NULL, in tests); fileids are
 * folded to 32 bits when the server is configured so. */
bool nfs3_fattr_from_iatt(const struct nfs_server *srv, const struct nfs_export *export,
			  const struct xl_iatt *ia, fattr3 *fa);
/* The fileid the server reports for storage's object number @ino (as
 * nfs3_fattr_from_iatt does: READDIR entries agree with attributes). */
uint64_t nfs3_fileid(const struct nfs_server *srv, uint64_t ino);
/* post_op_attr: attributes follow when @ia (may be NULL) converts. */
void nfs3_post_op_from_iatt(const struct nfs_server *srv, const struct nfs_export *export,
			    const struct xl_iatt *ia, post_op_attr *poa);
/* pre_op_attr: follows when @ia (may be NULL) holds size, mtime, ctime. */
void nfs3_pre_op_from_iatt(const struct xl_iatt *ia, pre_op_attr *pre);
/* wcc_data straight from what a fop returned (@w may be NULL: none). */
void nfs3_wcc_from_xl(const struct nfs_server *srv, const struct nfs_export *export,
		      const struct xl_wcc *w, wcc_data *wcc);
/* wcc_data of a call that changed nothing (refused before any fop):
 * @ia is the attributes before and after. */
void nfs3_wcc_unchanged(const struct nfs_server *srv, const struct nfs_export *export,
			const struct xl_iatt *ia, wcc_data *wcc);
/* sattr3 → struct xl_setattr. */
void nfs3_setattr_from_sattr(const sattr3 *sa, struct xl_setattr *out);
/* post_op_fh3 for object @id (may be NULL: none) within @export. */
void nfs3_post_op_fh(const struct nfs_server *srv, const struct nfs_export *export,
		     const struct xl_id *id, post_op_fh3 *pfh);

/* Actors (rpcsvc_actor_fn). */
int nfs3_null(struct rpcsvc_request *req, void *args, void *res);
int nfs3_getattr(struct rpcsvc_request *req, void *args, void *res);
int nfs3_setattr(struct rpcsvc_request *req, void *args, void *res);
int nfs3_lookup(struct rpcsvc_request *req, void *args, void *res);
int nfs3_access(struct rpcsvc_request *req, void *args, void *res);
int nfs3_readlink(struct rpcsvc_request *req, void *args, void *res);
int nfs3_read(struct rpcsvc_request *req, void *args, void *res);
int nfs3_write(struct rpcsvc_request *req, void *args, void *res);
int nfs3_create(struct rpcsvc_request *req, void *args, void *res);
int nfs3_mkdir(struct rpcsvc_request *req, void *args, void *res);
int nfs3_symlink(struct rpcsvc_request *req, void *args, void *res);
int nfs3_mknod(struct rpcsvc_request *req, void *args, void *res);
int nfs3_remove(struct rpcsvc_request *req, void *args, void *res);
int nfs3_rmdir(struct rpcsvc_request *req, void *args, void *res);
int nfs3_rename(struct rpcsvc_request *req, void *args, void *res);
int nfs3_link(struct rpcsvc_request *req, void *args, void *res);
int nfs3_readdir(struct rpcsvc_request *req, void *args, void *res);
int nfs3_readdirplus(struct rpcsvc_request *req, void *args, void *res);
int nfs3_fsstat(struct rpcsvc_request *req, void *args, void *res);
int nfs3_fsinfo(struct rpcsvc_request *req, void *args, void *res);
int nfs3_pathconf(struct rpcsvc_request *req, void *args, void *res);
int nfs3_commit(struct rpcsvc_request *req, void *args, void *res);

/* READ3res's encoder for the actor table: as xdr_READ3res, except that on
 * encoding a successful result it writes the data's length word but not
 * its bytes, which the READ actor hands to the service as the payload
 * (rpcsvc_request_set_payload). Decoding and freeing are xdr_READ3res's. */
bool_t nfs3_xdr_READ3res_payload(XDR *xdrs, READ3res *res);

/* WRITE3args's decoder for the actor table, without copying the data:
 * decoding needs the whole call in one aligned memory stream (xdrmem, as
 * the RPC service decodes) and leaves data.data_val pointing into that
 * stream's buffer, valid as long as the buffer is: the received record
 * (rpcsvc_request_record), which WRITE hands the graph as a slice. Fails (GARBAGE_ARGS)
 * when the data's length exceeds what the stream holds, padding included.
 * Freeing frees the file handle only; encoding is xdr_WRITE3args's. */
bool_t nfs3_xdr_WRITE3args_inplace(XDR *xdrs, WRITE3args *args);

/* Add the NFS v3 program on @port to srv->svc. */
int nfs3_program_add(struct nfs_server *srv, uint16_t port);
/* Live reload: the program already running on srv->svc serves @srv (and
 * its observer) for the calls that begin from now on (rpc_swap.c). */
void nfs3_program_switch(struct nfs_server *srv);

#endif

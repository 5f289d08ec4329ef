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
 * Each actor: resolve handles → call the fop(s) on srv->child → fill the
 * result → release in out:. Actors always return RPCSVC_OK unless the
 * arguments are undecodable; NFS errors travel in the result's status.
 */
#ifndef XLNFS_NFS3_H
#define XLNFS_NFS3_H

#include "nfs3_prot.h"
#include "nfs_server.h"

/* What resolving a handle gives an actor. */
struct nfs3_obj {
	const struct nfs_export *export;
	struct xl_inode *inode;        /* referenced; put with nfs3_obj_release */
	struct stat st;                /* attributes at resolution time */
};

/* The server behind a request (the program's private). */
struct nfs_server *nfs3_server(struct rpcsvc_request *req);

/* Resolve @fh for @req: check it (NFS3ERR_BADHANDLE), check the export
 * still allows the client (NFS3ERR_ACCES), squash req's credentials into
 * @call per the export, get the inode and its attributes (NFS3ERR_STALE).
 * Returns NFS3_OK and fills @obj, or the status to answer. */
nfsstat3 nfs3_resolve(struct rpcsvc_request *req, const nfs_fh3 *fh, struct xl_call *call,
		      struct nfs3_obj *obj);
void nfs3_obj_release(struct nfs3_obj *obj);

/* NFS3ERR_ROFS if @export is read-only, else NFS3_OK. */
nfsstat3 nfs3_check_writable(const struct nfs_export *export);
/* Validate a client-supplied name: NFS3ERR_NAMETOOLONG (> 255 bytes),
 * NFS3ERR_ACCES for "" / containing '/', NFS3ERR_EXIST for "." and ".."
 * where @create is true (creating them), else NFS3_OK. */
nfsstat3 nfs3_check_name(const char *name, bool create);

/* The one place -errno becomes nfsstat3. */
nfsstat3 nfs3_errno_to_status(int err);

/* Attribute conversion. fileids are truncated to 32 bits when the server
 * is configured so. */
void nfs3_fattr_from_stat(const struct nfs_server *srv, const struct stat *st, fattr3 *fa);
void nfs3_post_op_from_stat(const struct nfs_server *srv, const struct stat *st,
			    post_op_attr *poa);
/* Post-op attributes fetched now (attributes_follow FALSE on failure). */
void nfs3_post_op_fetch(const struct nfs_server *srv, struct xl_call *call,
			struct xl_inode *inode, post_op_attr *poa);
void nfs3_pre_op_from_stat(const struct stat *st, pre_op_attr *pre);
/* wcc_data from attributes at hand: @pre before, @post after (the same
 * stat where the call changed nothing). */
void nfs3_wcc_from_stats(const struct nfs_server *srv, const struct stat *pre,
			 const struct stat *post, wcc_data *wcc);
/* wcc_data: @pre (may be NULL: no pre-op attrs) and post-op fetched now. */
void nfs3_wcc_fill(const struct nfs_server *srv, struct xl_call *call, struct xl_inode *inode,
		   const struct stat *pre, wcc_data *wcc);
/* sattr3 → struct xl_setattr. */
void nfs3_setattr_from_sattr(const sattr3 *sa, struct xl_setattr *out);
/* post_op_fh3 for @inode within @export. */
void nfs3_post_op_fh(const struct nfs_server *srv, const struct nfs_export *export,
		     struct xl_inode *inode, post_op_fh3 *pfh);

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
 * stream's buffer, valid as long as the buffer is. Fails (GARBAGE_ARGS)
 * when the data's length exceeds what the stream holds, padding included.
 * Freeing frees the file handle only; encoding is xdr_WRITE3args's. */
bool_t nfs3_xdr_WRITE3args_inplace(XDR *xdrs, WRITE3args *args);

/* Add the NFS v3 program on @port to srv->svc. */
int nfs3_program_add(struct nfs_server *srv, uint16_t port);

#endif

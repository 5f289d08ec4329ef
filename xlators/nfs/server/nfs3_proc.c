/*
 * nfs3_proc.c — the NFS v3 program's actor table (RFC 1813 procedure
 * numbers), in the manner of fs/nfsd's nfs3proc.c: data, not code.
 */
#include "config.h"

#include "nfs3.h"
#include "nfs3_dirlist.h"

#define NFS3_ACTOR_DRC(NAME, fn_, T, drc_)                                               \
	{                                                                                \
		.name = NAME, .fn = fn_, .xdr_args = (xdrproc_t)xdr_##T##3args,          \
		.xdr_res = (xdrproc_t)xdr_##T##3res, .args_size = sizeof(T##3args),      \
		.res_size = sizeof(T##3res), .drc = drc_,                                \
	}
/* Idempotent procedures run again when retransmitted. */
#define NFS3_ACTOR(NAME, fn_, T) NFS3_ACTOR_DRC(NAME, fn_, T, false)
/* The others are answered from the duplicate request cache: a second
 * CREATE or REMOVE would answer EXIST or NOENT to the client whose first
 * reply was lost. */
#define NFS3_ACTOR_NI(NAME, fn_, T) NFS3_ACTOR_DRC(NAME, fn_, T, true)

static const struct rpcsvc_actor nfs3_actors[] = {
	[NFSPROC3_NULL] = { .name = "NULL", .fn = nfs3_null },
	[NFSPROC3_GETATTR] = NFS3_ACTOR("GETATTR", nfs3_getattr, GETATTR),
	[NFSPROC3_SETATTR] = NFS3_ACTOR_NI("SETATTR", nfs3_setattr, SETATTR),
	[NFSPROC3_LOOKUP] = NFS3_ACTOR("LOOKUP", nfs3_lookup, LOOKUP),
	[NFSPROC3_ACCESS] = NFS3_ACTOR("ACCESS", nfs3_access, ACCESS),
	[NFSPROC3_READLINK] = NFS3_ACTOR("READLINK", nfs3_readlink, READLINK),
	/* READ data goes out as the reply's payload, not through XDR. */
	[NFSPROC3_READ] = { .name = "READ", .fn = nfs3_read, .xdr_args = (xdrproc_t)xdr_READ3args,
			    .xdr_res = (xdrproc_t)nfs3_xdr_READ3res_payload,
			    .args_size = sizeof(READ3args), .res_size = sizeof(READ3res) },
	/* WRITE data is used where it was received, not copied (nfs3_io.c). */
	[NFSPROC3_WRITE] = { .name = "WRITE", .fn = nfs3_write,
			     .xdr_args = (xdrproc_t)nfs3_xdr_WRITE3args_inplace,
			     .xdr_res = (xdrproc_t)xdr_WRITE3res, .args_size = sizeof(WRITE3args),
			     .res_size = sizeof(WRITE3res), .drc = true },
	[NFSPROC3_CREATE] = NFS3_ACTOR_NI("CREATE", nfs3_create, CREATE),
	[NFSPROC3_MKDIR] = NFS3_ACTOR_NI("MKDIR", nfs3_mkdir, MKDIR),
	[NFSPROC3_SYMLINK] = NFS3_ACTOR_NI("SYMLINK", nfs3_symlink, SYMLINK),
	[NFSPROC3_MKNOD] = NFS3_ACTOR_NI("MKNOD", nfs3_mknod, MKNOD),
	[NFSPROC3_REMOVE] = NFS3_ACTOR_NI("REMOVE", nfs3_remove, REMOVE),
	[NFSPROC3_RMDIR] = NFS3_ACTOR_NI("RMDIR", nfs3_rmdir, RMDIR),
	[NFSPROC3_RENAME] = NFS3_ACTOR_NI("RENAME", nfs3_rename, RENAME),
	[NFSPROC3_LINK] = NFS3_ACTOR_NI("LINK", nfs3_link, LINK),
	/* READDIR(PLUS) lists live in one arena per reply (nfs3_dirlist.h). */
	[NFSPROC3_READDIR] = { .name = "READDIR", .fn = nfs3_readdir,
			       .xdr_args = (xdrproc_t)xdr_READDIR3args,
			       .xdr_res = (xdrproc_t)nfs3_xdr_READDIR3res_list,
			       .args_size = sizeof(READDIR3args), .res_size = sizeof(READDIR3res) },
	[NFSPROC3_READDIRPLUS] = { .name = "READDIRPLUS", .fn = nfs3_readdirplus,
				   .xdr_args = (xdrproc_t)xdr_READDIRPLUS3args,
				   .xdr_res = (xdrproc_t)nfs3_xdr_READDIRPLUS3res_list,
				   .args_size = sizeof(READDIRPLUS3args),
				   .res_size = sizeof(READDIRPLUS3res) },
	[NFSPROC3_FSSTAT] = NFS3_ACTOR("FSSTAT", nfs3_fsstat, FSSTAT),
	[NFSPROC3_FSINFO] = NFS3_ACTOR("FSINFO", nfs3_fsinfo, FSINFO),
	[NFSPROC3_PATHCONF] = NFS3_ACTOR("PATHCONF", nfs3_pathconf, PATHCONF),
	[NFSPROC3_COMMIT] = NFS3_ACTOR("COMMIT", nfs3_commit, COMMIT),
};

/* One server per process: the service looks at it until it is freed. */
static struct rpcsvc_program nfs3_prog = {
	.name = "NFS3",
	.prog = NFS_PROGRAM,
	.vers = NFS_V3,
	.actors = nfs3_actors,
	.nactors = sizeof(nfs3_actors) / sizeof(nfs3_actors[0]),
};

void nfs3_program_switch(struct nfs_server *srv)
{
	rpcsvc_program_set_private(srv->svc, &nfs3_prog, srv, srv->observe, srv->metrics);
}

int nfs3_program_add(struct nfs_server *srv, uint16_t port)
{
	struct rpcsvc_program *prog = &nfs3_prog;

	prog->port = port;
	prog->private = srv;
	prog->observe = srv->observe;
	prog->observe_ctx = srv->metrics;
	return rpcsvc_program_add(srv->svc, prog);
}

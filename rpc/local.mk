# rpc/: the ONC RPC service (in libxlnfs).
libxlnfs_la_SOURCES += rpc/rpcsvc.h rpc/rpcsvc_int.h rpc/rpcsvc.c \
	rpc/rpc_record.h rpc/rpc_record.c rpc/rpcmsg.h rpc/rpcmsg.c \
	rpc/rpc_listen.c rpc/rpc_loop.c rpc/rpc_tcp.c rpc/rpc_udp.c \
	rpc/rpc_dispatch.c rpc/rpcbind.c rpc/rpc_drc.h rpc/rpc_drc.c

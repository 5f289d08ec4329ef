# rpc/: the ONC RPC service (in libxlnfs, through a convenience library so
# its include path names only what it uses: lib/ and rpc/ itself).
noinst_LTLIBRARIES += rpc/librpc.la
rpc_librpc_la_CPPFLAGS = -I$(top_srcdir)/lib -I$(top_srcdir)/rpc $(TIRPC_CFLAGS) $(GLIB_CFLAGS)
rpc_librpc_la_SOURCES = rpc/rpcsvc.h rpc/rpcsvc_int.h rpc/rpcsvc.c \
	rpc/rpc_record.h rpc/rpc_record.c rpc/rpcmsg.h rpc/rpcmsg.c \
	rpc/rpc_listen.c rpc/rpc_loop.c rpc/rpc_tcp.c rpc/rpc_outq.c rpc/rpc_udp.c \
	rpc/rpc_dispatch.c rpc/rpcbind.c rpc/rpc_drc.h rpc/rpc_drc.c \
	rpc/rpc_swap.c
libxlnfs_la_LIBADD += rpc/librpc.la

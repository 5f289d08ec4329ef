# rpc/: the ONC RPC service (in libxlnfs).
libxlnfs_la_SOURCES += rpc/rpcsvc.h

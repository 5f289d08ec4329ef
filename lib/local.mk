# lib/: the services every layer uses (in libxlnfs): the log, refcounted I/O
# buffers and the caller's credentials. It includes nothing of rpc/ or xlators/.
libxlnfs_la_SOURCES += lib/log.c lib/log.h lib/iobuf.c lib/iobuf.h lib/cred.h

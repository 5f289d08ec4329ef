# lib/: the services every layer uses (in libxlnfs): the log, refcounted I/O
# buffers, the caller's credentials, the blocking-section hook,
# HMAC-SHA256 (file handles, over GNU Nettle) and pools of fixed-size objects (the caches). It includes nothing of rpc/ or xlators/.
libxlnfs_la_SOURCES += lib/log.c lib/log.h lib/iobuf.c lib/iobuf.h lib/cred.h \
	lib/blocking.c lib/blocking.h lib/hmac.c lib/hmac.h lib/objpool.c lib/objpool.h

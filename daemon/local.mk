# daemon/: logging (in libxlnfs) and the xlnfsd executable.
libxlnfs_la_SOURCES += daemon/log.c daemon/log.h
sbin_PROGRAMS += daemon/xlnfsd
daemon_xlnfsd_SOURCES = daemon/main.c
daemon_xlnfsd_LDADD = libxlnfs.la $(GLIB_LIBS) $(TIRPC_LIBS)

# daemon/: the xlnfsd executable.
sbin_PROGRAMS += daemon/xlnfsd
daemon_xlnfsd_SOURCES = daemon/main.c daemon/pidfile.c daemon/pidfile.h \
	daemon/daemonize.c daemon/daemonize.h daemon/signals.c daemon/signals.h \
	daemon/manpage.c daemon/manpage.h daemon/reload.c daemon/reload.h
daemon_xlnfsd_CFLAGS = $(AM_CFLAGS) $(SYSTEMD_CFLAGS)
daemon_xlnfsd_LDADD = libxlnfs.la $(GLIB_LIBS) $(TIRPC_LIBS) $(SYSTEMD_LIBS)

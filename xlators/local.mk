# xlators/: the translator framework (in libxlnfs).
libxlnfs_la_SOURCES += xlators/xlator.h \
	xlators/xlator.c xlators/options.c xlators/inode.c xlators/diag.c \
	xlators/volfile.c xlators/volfile.h xlators/modules.c xlators/modules.h \
	xlators/graph.c xlators/services.c xlators/services.h xlators/notify.c xlators/lk.c \
	xlators/hostcache.c xlators/hostcache.h

# xlators/: the translator framework (in libxlnfs).
libxlnfs_la_SOURCES += xlators/xlator.h

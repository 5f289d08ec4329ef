# storage/posix: a local directory as the backing store.
xlator_storagedir = $(xlatordir)/storage
xlator_storage_LTLIBRARIES = xlators/storage/posix.la
xlators_storage_posix_la_SOURCES = \
	xlators/storage/posix/posix.h \
	xlators/storage/posix/posix.c \
	xlators/storage/posix/posix_index.c \
	xlators/storage/posix/posix_ictx.c \
	xlators/storage/posix/posix_creds.c \
	xlators/storage/posix/posix_sync.c \
	xlators/storage/posix/posix_attr.c \
	xlators/storage/posix/posix_entry.c \
	xlators/storage/posix/posix_io.c \
	xlators/storage/posix/posix_dir.c \
	xlators/storage/posix/posix_idcache.c \
	xlators/storage/posix/posix_xattr.c
xlators_storage_posix_la_LDFLAGS = $(xlator_ldflags)
xlators_storage_posix_la_LIBADD = $(xlator_libadd)

# xlnfs-posix-reindex DIR: rebuild an export's id index from its xattrs
# (after a copy that lost the hard links into .xlnfs/index).
sbin_PROGRAMS += xlators/storage/posix/xlnfs-posix-reindex
xlators_storage_posix_xlnfs_posix_reindex_SOURCES = \
	xlators/storage/posix/posix_reindex.c \
	xlators/storage/posix/posix_index.c \
	xlators/storage/posix/posix.h
xlators_storage_posix_xlnfs_posix_reindex_LDADD = libxlnfs.la $(GLIB_LIBS)
# own CFLAGS: its objects get their own names (posix_index.c is in the module too)
xlators_storage_posix_xlnfs_posix_reindex_CFLAGS = $(AM_CFLAGS)

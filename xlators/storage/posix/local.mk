# storage/posix: a local directory as the backing store.
xlator_storagedir = $(xlatordir)/storage
xlator_storage_LTLIBRARIES = xlators/storage/posix.la
xlators_storage_posix_la_SOURCES = \
	xlators/storage/posix/posix.h \
	xlators/storage/posix/posix.c \
	xlators/storage/posix/posix_handle.c \
	xlators/storage/posix/posix_creds.c \
	xlators/storage/posix/posix_attr.c \
	xlators/storage/posix/posix_entry.c \
	xlators/storage/posix/posix_io.c \
	xlators/storage/posix/posix_dir.c
xlators_storage_posix_la_LDFLAGS = $(xlator_ldflags)
xlators_storage_posix_la_LIBADD = $(xlator_libadd)

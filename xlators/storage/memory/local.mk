# storage/memory: an in-RAM store with POSIX semantics (tests, scratch exports).
xlator_storage_LTLIBRARIES += xlators/storage/memory.la
xlators_storage_memory_la_SOURCES = \
	xlators/storage/memory/memory.h \
	xlators/storage/memory/memory.c \
	xlators/storage/memory/mem_perm.c \
	xlators/storage/memory/mem_attr.c \
	xlators/storage/memory/mem_io.c \
	xlators/storage/memory/mem_entry.c \
	xlators/storage/memory/mem_rename.c \
	xlators/storage/memory/mem_dir.c \
	xlators/storage/memory/mem_xattr.c \
	xlators/storage/memory/mem_persist.c
xlators_storage_memory_la_LDFLAGS = $(xlator_ldflags)
xlators_storage_memory_la_LIBADD = $(xlator_libadd)

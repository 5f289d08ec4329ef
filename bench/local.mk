# bench/: side-by-side performance runs of xlnfs and
# nfs-ganesha (bench/run.sh, doc/bench.md). nfsload is a libnfs load
# generator; it is a check program so `make check` keeps it compiling, and
# bench/run.sh builds it with `make bench/nfsload`.
dist_noinst_SCRIPTS += bench/run.sh bench/table.sh bench/guest.sh bench/profile.sh \
	bench/ab.sh
EXTRA_DIST += bench/lib.sh bench/table.awk
EXTRA_DIST += doc/bench.md
if HAVE_LIBNFS
check_PROGRAMS += bench/nfsload
bench_nfsload_SOURCES = bench/nfsload.c
bench_nfsload_CPPFLAGS = $(LIBNFS_CFLAGS)
bench_nfsload_CFLAGS = $(AM_CFLAGS) -pthread
bench_nfsload_LDADD = $(LIBNFS_LIBS) -lpthread
endif

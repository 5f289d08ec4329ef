# tests/: unit (CUnit), integration (libnfs over loopback), e2e (kernel client).

# MOUNT: the mount list, MNT path rules over the server's exports (as
# nfs_mount_iface.h lists them), DUMP/EXPORT list encoders.
check_PROGRAMS += tests/unit/test_mountlist
TESTS += tests/unit/test_mountlist
tests_unit_test_mountlist_SOURCES = tests/unit/test_mountlist.c \
	mount/mountlist.c mount/mount3_path.c mount/mount3_xdr.c xlators/nfs/server/exports.c \
	xlators/nfs/server/nfs_mount_iface.c xlators/nfs/server/fh.c $(nfs_access_sources)
tests_unit_test_mountlist_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_mountlist_LDADD = libmount3xdr.la libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)

# NFS3 directories: READDIR(PLUS) XDR size accounting and the write, cookie
# and create verifiers.
check_PROGRAMS += tests/unit/test_nfs3_dir
TESTS += tests/unit/test_nfs3_dir
tests_unit_test_nfs3_dir_SOURCES = tests/unit/test_nfs3_dir.c \
	xlators/nfs/server/nfs3_dirsize.c xlators/nfs/server/nfs3_verf.c \
	xlators/nfs/server/nfs3_dirlist.c
tests_unit_test_nfs3_dir_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_nfs3_dir_LDADD = libnfs3xdr.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)

# rpc: record marking, call/reply headers, the service on loopback.
check_PROGRAMS += tests/unit/test_record tests/unit/test_rpcmsg tests/unit/test_rpcsvc
TESTS += tests/unit/test_record tests/unit/test_rpcmsg tests/unit/test_rpcsvc
tests_unit_test_record_SOURCES = tests/unit/test_record.c
tests_unit_test_record_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_record_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
tests_unit_test_rpcmsg_SOURCES = tests/unit/test_rpcmsg.c
tests_unit_test_rpcmsg_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_rpcmsg_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
tests_unit_test_rpcsvc_SOURCES = tests/unit/test_rpcsvc.c
tests_unit_test_rpcsvc_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_rpcsvc_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
# rpc: a running program's private data switched (live reload).
check_PROGRAMS += tests/unit/test_rpc_swap
TESTS += tests/unit/test_rpc_swap
tests_unit_test_rpc_swap_SOURCES = tests/unit/test_rpc_swap.c
tests_unit_test_rpc_swap_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_rpc_swap_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
# rpc: one client cannot starve another; calls of a connection in parallel.
check_PROGRAMS += tests/unit/test_rpc_fair
TESTS += tests/unit/test_rpc_fair
tests_unit_test_rpc_fair_SOURCES = tests/unit/test_rpc_fair.c tests/unit/raw_sock.h
tests_unit_test_rpc_fair_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_rpc_fair_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
# rpc + lib/blocking.h: a worker blocked in a flush hands the loop to a spare.
check_PROGRAMS += tests/unit/test_rpc_blocking
TESTS += tests/unit/test_rpc_blocking
tests_unit_test_rpc_blocking_SOURCES = tests/unit/test_rpc_blocking.c tests/unit/raw_sock.h
tests_unit_test_rpc_blocking_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_rpc_blocking_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)

# posix: storage/posix fops against a private directory, as root and as other users.
check_PROGRAMS += tests/unit/test_posix
TESTS += tests/unit/test_posix
# The module is loaded from the build tree; posix_ids.sh: ids surviving a restart,
# renames and a copy to another filesystem (with xlnfs-posix-reindex), and an
# overlayfs export, through the posix_ids driver.
tests_unit_test_posix_SOURCES = tests/unit/test_posix.c
tests_unit_test_posix_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests/unit \
	-DXLATOR_BUILD_DIR='"$(abs_top_builddir)/xlators"'
tests_unit_test_posix_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
# posix's id cache on its own (posix_idcache.c built in).
check_PROGRAMS += tests/unit/test_idcache
TESTS += tests/unit/test_idcache
tests_unit_test_idcache_SOURCES = tests/unit/test_idcache.c xlators/storage/posix/posix_idcache.c
tests_unit_test_idcache_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests/unit
tests_unit_test_idcache_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
check_PROGRAMS += tests/integration/posix_ids
TESTS += tests/integration/posix_ids.sh
tests_integration_posix_ids_SOURCES = tests/integration/posix_ids.c
tests_integration_posix_ids_CFLAGS = $(AM_CFLAGS) \
	-DXLATOR_BUILD_DIR='"$(abs_top_builddir)/xlators"'
tests_integration_posix_ids_LDADD = libxlnfs.la $(GLIB_LIBS) $(TIRPC_LIBS)
EXTRA_DIST += tests/integration/posix_ids.sh

# NFS file handles (build/parse/forgery, old handles stale) and the export
# table (export-dir parsing, normalisation, allows, squashing, export root
# walk and its cached id).
check_PROGRAMS += tests/unit/test_fh tests/unit/test_exports
TESTS += tests/unit/test_fh tests/unit/test_exports
tests_unit_test_fh_SOURCES = tests/unit/test_fh.c \
	xlators/nfs/server/fh.c xlators/nfs/server/exports.c
tests_unit_test_fh_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_fh_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
tests_unit_test_exports_SOURCES = tests/unit/test_exports.c xlators/nfs/server/exports.c
tests_unit_test_exports_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_exports_LDADD = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)

# core: translator framework unit tests (options, volfile/graph, inode table, runtime,
# iobuf) and the test-only translators test/dummy and test/pass they load from
# tests/unit/modules.
check_LTLIBRARIES += tests/unit/modules/test/dummy.la tests/unit/modules/test/pass.la
tests_unit_modules_test_dummy_la_SOURCES = tests/unit/modules/test/dummy.c \
	tests/unit/modules/test/dummy.h
tests_unit_modules_test_dummy_la_LDFLAGS = $(xlator_ldflags) -rpath /nowhere
tests_unit_modules_test_dummy_la_LIBADD = $(xlator_libadd)
tests_unit_modules_test_pass_la_SOURCES = tests/unit/modules/test/pass.c
tests_unit_modules_test_pass_la_LDFLAGS = $(xlator_ldflags) -rpath /nowhere
tests_unit_modules_test_pass_la_LIBADD = $(xlator_libadd)
check_LTLIBRARIES += tests/unit/modules/abi/test/old.la
tests_unit_modules_abi_test_old_la_SOURCES = tests/unit/modules/abi/test/old.c
tests_unit_modules_abi_test_old_la_LDFLAGS = $(xlator_ldflags) -rpath /nowhere
tests_unit_modules_abi_test_old_la_LIBADD = $(xlator_libadd)
core_test_cflags = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests/unit \
	-DTEST_MODULE_DIR='"$(abs_top_builddir)/tests/unit/modules"'
core_test_ldadd = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
check_PROGRAMS += tests/unit/test_options tests/unit/test_volfile tests/unit/test_inode \
	tests/unit/test_xlator tests/unit/test_iobuf tests/unit/test_objpool tests/unit/test_hmac
TESTS += tests/unit/test_options tests/unit/test_volfile tests/unit/test_inode \
	tests/unit/test_xlator tests/unit/test_iobuf tests/unit/test_objpool tests/unit/test_hmac
tests_unit_test_options_SOURCES = tests/unit/test_options.c
tests_unit_test_options_CFLAGS = $(core_test_cflags)
tests_unit_test_options_LDADD = $(core_test_ldadd)
tests_unit_test_volfile_SOURCES = tests/unit/test_volfile.c
tests_unit_test_volfile_CFLAGS = $(core_test_cflags)
tests_unit_test_volfile_LDADD = $(core_test_ldadd)
tests_unit_test_inode_SOURCES = tests/unit/test_inode.c
tests_unit_test_inode_CFLAGS = $(core_test_cflags)
tests_unit_test_inode_LDADD = $(core_test_ldadd)
tests_unit_test_xlator_SOURCES = tests/unit/test_xlator.c
tests_unit_test_xlator_CFLAGS = $(core_test_cflags)
tests_unit_test_xlator_LDADD = $(core_test_ldadd)
tests_unit_test_iobuf_SOURCES = tests/unit/test_iobuf.c
tests_unit_test_iobuf_CFLAGS = $(core_test_cflags)
tests_unit_test_iobuf_LDADD = $(core_test_ldadd)
tests_unit_test_objpool_SOURCES = tests/unit/test_objpool.c
tests_unit_test_objpool_CFLAGS = $(core_test_cflags)
tests_unit_test_objpool_LDADD = $(core_test_ldadd)
tests_unit_test_hmac_SOURCES = tests/unit/test_hmac.c
tests_unit_test_hmac_CFLAGS = $(core_test_cflags)
tests_unit_test_hmac_LDADD = $(core_test_ldadd)

# rpc: the service against the real rpcbind and rpcinfo, in a private namespace.
check_PROGRAMS += tests/integration/rpc_null_server
tests_integration_rpc_null_server_SOURCES = tests/integration/rpc_null_server.c
tests_integration_rpc_null_server_LDADD = libxlnfs.la $(GLIB_LIBS) $(TIRPC_LIBS)
TESTS += tests/integration/rpc_null.sh
dist_noinst_SCRIPTS += tests/integration/rpc_null.sh

# integration + e2e: the daemon, every NFSv3/MOUNT procedure
# through libnfs, and the Linux kernel client in a qemu guest. The scripts need
# root (they make a private network namespace); they skip (77) when not root
# and fail when root but something they need is missing. XLNFS_E2E=skip
# (e.g. `make distcheck XLNFS_E2E=skip`) skips the kernel-client tests.
# tests/e2e/apps.sh runs git, GNU tar, sqlite3, rsync and cp from the host in
# the guest on the mount.
AM_TESTS_ENVIRONMENT = top_builddir='$(abs_top_builddir)'; top_srcdir='$(abs_top_srcdir)'; \
	XLNFS_XLATOR_PATH='$(abs_top_builddir)/xlators'; XLNFS_E2E='$(XLNFS_E2E)'; \
	export top_builddir top_srcdir XLNFS_XLATOR_PATH XLNFS_E2E;
TESTS += tests/integration/daemon.sh tests/integration/nfs3.sh tests/e2e/run.sh \
	tests/e2e/apps.sh
# exports.sh: showmount -e's full table and xlnfsd --exports;
# metrics.sh: the Prometheus endpoint against a known workload (curl).
TESTS += tests/integration/exports.sh tests/integration/metrics.sh
dist_noinst_SCRIPTS += tests/integration/exports.sh tests/integration/metrics.sh
dist_noinst_SCRIPTS += tests/integration/daemon.sh tests/integration/nfs3.sh \
	tests/e2e/run.sh tests/e2e/guest.sh tests/e2e/apps.sh tests/e2e/apps_guest.sh
EXTRA_DIST += tests/lib/netns.sh tests/lib/reload_vol.sh bootstrap.sh doc/testing.md
# the end of each CUnit main, included by the suites
EXTRA_DIST += tests/unit/cunit_main.h tests/tsan.supp
if HAVE_LIBNFS
check_PROGRAMS += tests/integration/nfs3_client
tests_integration_nfs3_client_SOURCES = tests/integration/nfs3_client.c \
	tests/integration/nfs3_udp.c tests/integration/nfs3_udp.h
tests_integration_nfs3_client_CFLAGS = $(AM_CFLAGS) $(LIBNFS_CFLAGS)
tests_integration_nfs3_client_LDADD = libnfs3xdr.la libmount3xdr.la $(LIBNFS_LIBS) $(TIRPC_LIBS)
endif

# NFS3 actors' shared helpers (errno map, attribute conversion, handle
# resolution over a fake volume), READ's payload encoder, and READ/WRITE
# data through the RPC service without a copy.
check_PROGRAMS += tests/unit/test_nfs3_util
TESTS += tests/unit/test_nfs3_util
tests_unit_test_nfs3_util_SOURCES = tests/unit/test_nfs3_util.c \
	xlators/nfs/server/nfs3_util.c xlators/nfs/server/nfs3_io.c \
	xlators/nfs/server/fh.c xlators/nfs/server/exports.c xlators/nfs/server/nfs3_verf.c \
	xlators/nfs/server/nfs3_proc.c xlators/nfs/server/nfs3_attr.c \
	xlators/nfs/server/nfs3_dir.c xlators/nfs/server/nfs3_ns.c xlators/nfs/server/nfs3_fs.c \
	xlators/nfs/server/nfs3_dirlist.c \
	xlators/nfs/server/nfs3_dirsize.c xlators/nfs/server/nfs3_xfer.c \
	$(nfs_access_sources)
tests_unit_test_nfs3_util_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_nfs3_util_LDADD = libnfs3xdr.la libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)

# NFS3 directory and namespace procedures, exact statuses (libnfs raw RPC).
if HAVE_LIBNFS
check_PROGRAMS += tests/integration/nfs3_names
tests_integration_nfs3_names_SOURCES = tests/integration/nfs3_names.c
tests_integration_nfs3_names_CFLAGS = $(AM_CFLAGS) $(LIBNFS_CFLAGS)
tests_integration_nfs3_names_LDADD = $(LIBNFS_LIBS)
endif
TESTS += tests/integration/nfs3_names.sh
dist_noinst_SCRIPTS += tests/integration/nfs3_names.sh
TESTS += tests/integration/nfs3_names.sh
dist_noinst_SCRIPTS += tests/integration/nfs3_names.sh

# drc: the duplicate request cache (alone and in the service) and the in-place
# WRITE3args decoder.
check_PROGRAMS += tests/unit/test_drc
TESTS += tests/unit/test_drc
tests_unit_test_drc_SOURCES = tests/unit/test_drc.c \
	xlators/nfs/server/nfs3_util.c xlators/nfs/server/nfs3_io.c xlators/nfs/server/nfs3_xfer.c \
	xlators/nfs/server/fh.c xlators/nfs/server/exports.c xlators/nfs/server/nfs3_verf.c \
	$(nfs_access_sources)
tests_unit_test_drc_CFLAGS = $(AM_CFLAGS) $(CUNIT_CFLAGS)
tests_unit_test_drc_LDADD = libnfs3xdr.la libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)

# conformance: POSIX checks (pjdfstest/cthon04/fsx-like) run through the Linux kernel
# NFS client in a qemu guest; posix_conf is linked statically (the guest has only
# busybox), hence its own link command with -static and no libtool.
# Built by its own rule, not as an automake program: a sanitizer build's
# CFLAGS/LDFLAGS (-fsanitize) cannot be combined with -static.
check_SCRIPTS += tests/conformance/posix_conf
CLEANFILES += tests/conformance/posix_conf
EXTRA_DIST += tests/conformance/posix_conf.c
tests/conformance/posix_conf: tests/conformance/posix_conf.c
	$(AM_V_CC)$(MKDIR_P) tests/conformance && \
		$(CC) -O2 $(WARN_CFLAGS) -static -o $@ $(srcdir)/tests/conformance/posix_conf.c
TESTS += tests/conformance/run.sh
dist_noinst_SCRIPTS += tests/conformance/run.sh tests/conformance/guest.sh

# fuzz: the libFuzzer targets' code (tests/fuzz/fuzz_*.c),
# linked with a plain main that replays tests/fuzz/corpus/<target>/ (seeds
# and crash regressions). tests/fuzz/build.sh builds the real fuzzers with clang.
check_PROGRAMS += tests/fuzz/replay_record tests/fuzz/replay_callhdr \
	tests/fuzz/replay_nfs3_args tests/fuzz/replay_dispatch
TESTS += tests/fuzz/replay.sh
dist_noinst_SCRIPTS += tests/fuzz/replay.sh tests/fuzz/build.sh tests/fuzz/run.sh \
	tests/fuzz/gen_corpus.py
EXTRA_DIST += tests/fuzz/corpus
fuzz_replay_ldadd = libxlnfs.la $(GLIB_LIBS) $(TIRPC_LIBS)
tests_fuzz_replay_record_SOURCES = tests/fuzz/fuzz_record.c tests/fuzz/replay_main.c \
	tests/fuzz/fuzz.h
tests_fuzz_replay_record_LDADD = $(fuzz_replay_ldadd)
tests_fuzz_replay_callhdr_SOURCES = tests/fuzz/fuzz_callhdr.c tests/fuzz/replay_main.c \
	tests/fuzz/fuzz.h
tests_fuzz_replay_callhdr_LDADD = $(fuzz_replay_ldadd)
tests_fuzz_replay_nfs3_args_SOURCES = tests/fuzz/fuzz_nfs3_args.c tests/fuzz/replay_main.c \
	tests/fuzz/fuzz.h xlators/nfs/server/nfs3_io.c xlators/nfs/server/nfs3_xfer.c \
	xlators/nfs/server/nfs3_util.c \
	xlators/nfs/server/fh.c xlators/nfs/server/exports.c xlators/nfs/server/nfs3_verf.c \
	mount/mount3_xdr.c $(nfs_access_sources)
tests_fuzz_replay_nfs3_args_CFLAGS = $(AM_CFLAGS)
tests_fuzz_replay_nfs3_args_LDADD = libnfs3xdr.la libmount3xdr.la $(fuzz_replay_ldadd)
tests_fuzz_replay_dispatch_SOURCES = tests/fuzz/fuzz_dispatch.c tests/fuzz/replay_main.c \
	tests/fuzz/fuzz.h
tests_fuzz_replay_dispatch_LDADD = $(fuzz_replay_ldadd)

# storage/memory and debug/error-gen: the in-RAM store's POSIX semantics, each
# error-gen rule, and the actor harness (every NFS3 procedure over error-gen +
# memory, success and failure). The modules are loaded from the build tree.
mem_test_cflags = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests/unit \
	-I$(top_srcdir)/xlators/debug/error-gen \
	-DXLATOR_BUILD_DIR='"$(abs_top_builddir)/xlators"'
mem_test_ldadd = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
check_PROGRAMS += tests/unit/test_memory tests/unit/test_errorgen
TESTS += tests/unit/test_memory tests/unit/test_errorgen
tests_unit_test_memory_SOURCES = tests/unit/test_memory.c
tests_unit_test_memory_CFLAGS = $(mem_test_cflags)
tests_unit_test_memory_LDADD = $(mem_test_ldadd)
tests_unit_test_errorgen_SOURCES = tests/unit/test_errorgen.c
tests_unit_test_errorgen_CFLAGS = $(mem_test_cflags)
tests_unit_test_errorgen_LDADD = $(mem_test_ldadd)
check_PROGRAMS += tests/unit/test_actors
TESTS += tests/unit/test_actors
# The NFS3 actors and what they need, for the tests that run them on a
# volume without the RPC service (nfs_server_setup_for_test).
nfs_actor_sources = xlators/nfs/server/nfs3_util.c xlators/nfs/server/nfs3_attr.c \
	xlators/nfs/server/nfs3_io.c xlators/nfs/server/nfs3_fs.c \
	xlators/nfs/server/nfs3_dir.c xlators/nfs/server/nfs3_dirlist.c xlators/nfs/server/nfs3_ns.c \
	xlators/nfs/server/nfs3_dirsize.c xlators/nfs/server/nfs3_xfer.c \
	xlators/nfs/server/nfs3_verf.c xlators/nfs/server/nfs_setup.c \
	xlators/nfs/server/fh.c xlators/nfs/server/exports.c \
	tests/unit/nfs_test_fh.h $(nfs_access_sources)
tests_unit_test_actors_SOURCES = tests/unit/test_actors.c $(nfs_actor_sources)
tests_unit_test_actors_CFLAGS = $(mem_test_cflags)
tests_unit_test_actors_LDADD = libnfs3xdr.la $(mem_test_ldadd)
# One nfs/server over two subvolumes (storage/memory twice, held by test/dummy):
# exports name their subvolume, trees, fsids and handles stay apart.
check_PROGRAMS += tests/unit/test_subvols
TESTS += tests/unit/test_subvols
tests_unit_test_subvols_SOURCES = tests/unit/test_subvols.c $(nfs_actor_sources) \
	xlators/nfs/server/nfs_mount_iface.c
tests_unit_test_subvols_CFLAGS = $(mem_test_cflags) \
	-DTEST_MODULE_DIR='"$(abs_top_builddir)/tests/unit/modules"'
tests_unit_test_subvols_LDADD = libnfs3xdr.la $(mem_test_ldadd)
# The integration and kernel-client suites once more over storage/memory
# (XLNFS_STORE=memory, tests/lib/netns.sh): the same scripts, through wrappers.
mem_store_tests = tests/integration/nfs3_memory.sh tests/integration/nfs3_names_memory.sh \
	tests/e2e/run_memory.sh tests/conformance/run_memory.sh
TESTS += $(mem_store_tests)
dist_noinst_SCRIPTS += $(mem_store_tests)
# (end of the storage/memory and debug/error-gen block)
# pkg: the Debian package, built and tested by .ci/run (not by make check:
# installing a package is CI's business).
EXTRA_DIST += tests/pkg/build.sh tests/pkg/installed.sh tests/pkg/guest.sh
# sec: exports(5)-style client rules, the host name cache, manage-gids, log escaping.
sec_test_cflags = $(AM_CFLAGS) $(CUNIT_CFLAGS) -I$(top_srcdir)/tests/unit
sec_test_ldadd = libxlnfs.la $(CUNIT_LIBS) $(GLIB_LIBS) $(TIRPC_LIBS)
check_PROGRAMS += tests/unit/test_log_escape
TESTS += tests/unit/test_log_escape
tests_unit_test_log_escape_SOURCES = tests/unit/test_log_escape.c
tests_unit_test_log_escape_CFLAGS = $(sec_test_cflags)
tests_unit_test_log_escape_LDADD = $(sec_test_ldadd)
check_PROGRAMS += tests/unit/test_xdr_names
TESTS += tests/unit/test_xdr_names
tests_unit_test_xdr_names_SOURCES = tests/unit/test_xdr_names.c
tests_unit_test_xdr_names_CFLAGS = $(sec_test_cflags)
tests_unit_test_xdr_names_LDADD = libnfs3xdr.la libmount3xdr.la $(TIRPC_LIBS) $(CUNIT_LIBS)
check_PROGRAMS += tests/unit/test_export_rules
TESTS += tests/unit/test_export_rules
tests_unit_test_export_rules_SOURCES = tests/unit/test_export_rules.c \
	xlators/nfs/server/export_rules.c xlators/nfs/server/export_rules.h
tests_unit_test_export_rules_CFLAGS = $(sec_test_cflags)
tests_unit_test_export_rules_LDADD = $(sec_test_ldadd)
check_PROGRAMS += tests/unit/test_hostcache
TESTS += tests/unit/test_hostcache
tests_unit_test_hostcache_SOURCES = tests/unit/test_hostcache.c \
	xlators/nfs/server/export_rules.c xlators/nfs/server/export_rules.h
tests_unit_test_hostcache_CFLAGS = $(sec_test_cflags)
tests_unit_test_hostcache_LDADD = $(sec_test_ldadd)
check_PROGRAMS += tests/unit/test_gid_cache
TESTS += tests/unit/test_gid_cache
tests_unit_test_gid_cache_SOURCES = tests/unit/test_gid_cache.c \
	xlators/nfs/server/gid_cache.c xlators/nfs/server/gid_cache.h
tests_unit_test_gid_cache_CFLAGS = $(sec_test_cflags)
tests_unit_test_gid_cache_LDADD = $(sec_test_ldadd)
# sec: per-client rules, secure ports, names, log forging, STALE, manage-gids
# through a raw RPC client (sec_rpc) bound to 127.0.0.N and chosen ports.
check_PROGRAMS += tests/integration/sec_rpc
tests_integration_sec_rpc_SOURCES = tests/integration/sec_rpc.c
tests_integration_sec_rpc_CFLAGS = $(AM_CFLAGS) $(GLIB_CFLAGS)
tests_integration_sec_rpc_LDADD = libnfs3xdr.la libmount3xdr.la $(GLIB_LIBS) $(TIRPC_LIBS)
TESTS += tests/integration/exports_rules.sh
dist_noinst_SCRIPTS += tests/integration/exports_rules.sh
# subvols: one server over storage/posix + storage/memory, an export on each.
# e2e/subvols.sh: the kernel client mounting both, two st_dev/f_fsid values.
TESTS += tests/integration/exports_subvols.sh tests/e2e/subvols.sh
dist_noinst_SCRIPTS += tests/integration/exports_subvols.sh tests/e2e/subvols.sh \
	tests/e2e/subvols_guest.sh
# allow_names: rpc-auth.allow host names through the hostcache; a dead name
# server (socat swallowing queries) delays no client an address admits.
TESTS += tests/integration/allow_names.sh
dist_noinst_SCRIPTS += tests/integration/allow_names.sh

# Live reload (SIGHUP): an export and a translator added while a client
# keeps writing and reading through one handle; a bad file refused.
if HAVE_LIBNFS
check_PROGRAMS += tests/integration/reload_client
tests_integration_reload_client_SOURCES = tests/integration/reload_client.c
tests_integration_reload_client_CFLAGS = $(AM_CFLAGS) $(LIBNFS_CFLAGS)
tests_integration_reload_client_LDADD = $(LIBNFS_LIBS)
endif
TESTS += tests/integration/reload.sh
dist_noinst_SCRIPTS += tests/integration/reload.sh
# fair: clients that never read, 2,000 idle ones and SIGTERM under a stuck
# one, through the daemon (raw TCP clients: fair_client.c).
check_PROGRAMS += tests/integration/fair_client
tests_integration_fair_client_SOURCES = tests/integration/fair_client.c
TESTS += tests/integration/fair.sh
dist_noinst_SCRIPTS += tests/integration/fair.sh
# e2e/reload.sh: the same under the kernel client, whose write/read/compare
# loop on one mount must see no error across the graph switch.
TESTS += tests/e2e/reload.sh
dist_noinst_SCRIPTS += tests/e2e/reload.sh tests/e2e/reload_guest.sh
# The NLM v4 actors over storage/memory and storage/posix (nlm_state.c's
# records, waiters, pins), driven as test_actors drives NFS3's.
check_PROGRAMS += tests/unit/test_nlm
TESTS += tests/unit/test_nlm
tests_unit_test_nlm_SOURCES = tests/unit/test_nlm.c $(nfs_actor_sources) $(nlm_sources)
tests_unit_test_nlm_CFLAGS = $(mem_test_cflags)
tests_unit_test_nlm_LDADD = libnfs3xdr.la $(mem_test_ldadd)
# nlm.sh: the NLM v4 program over raw RPC (nlm_client: hostile input, bounds).
check_PROGRAMS += tests/integration/nlm_client
tests_integration_nlm_client_SOURCES = tests/integration/nlm_client.c
tests_integration_nlm_client_CFLAGS = $(AM_CFLAGS)
tests_integration_nlm_client_LDADD = libnfs3xdr.la libmount3xdr.la $(TIRPC_LIBS)
TESTS += tests/integration/nlm.sh
dist_noinst_SCRIPTS += tests/integration/nlm.sh
# e2e/nlm.sh: the kernel client mounted without nolock (nfs-vm-client --statd):
# fcntl conflicts, F_SETLKW granted after release, flock, the lock seen by
# nlm_client on the host; nlm_memory.sh the same over storage/memory.
TESTS += tests/e2e/nlm.sh tests/e2e/nlm_memory.sh
dist_noinst_SCRIPTS += tests/e2e/nlm.sh tests/e2e/nlm_memory.sh tests/e2e/nlm_guest.sh
EXTRA_DIST += tests/e2e/nlm_lock.c

#!/bin/bash
# tests/integration/nfs3.sh — every NFSv3 and MOUNT procedure, its results
# and its error codes, through libnfs (tests/integration/nfs3_client) against
# a daemon in a private network namespace:
#   1. the main pass on an export of the volume root;
#   2. handles and the write verifier across a daemon restart (and a rename);
#   3. MOUNT against subdirectory exports (read-only, allow lists, missing
#      and non-directory export paths).
# Also checks on the server's disk that what the client did arrived there.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"

CLIENT=$top_builddir/tests/integration/nfs3_client
if [[ ! -x $CLIENT ]]; then
	if ! pkg-config --exists libnfs 2>/dev/null; then
		echo "SKIP: libnfs not installed (Debian package libnfs-dev): nfs3_client not built"
		exit 77
	fi
	echo "ERROR: $CLIENT not built (make check builds it)"
	exit 99
fi
netns_enter "$@"

# storage/posix runs fops as the caller: let other users reach the export
chmod 0755 "$T"
EXPORT=$T/export
mkdir -p "$EXPORT"
VOL=$T/export.vol
xl_volfile "$VOL" "$EXPORT" export-dir /

# alive NAME: the daemon survived what the client did
alive() { t_check "xlnfsd still running after $1" kill -0 "$XLNFSD_PID"; }

# client PHASE [ARGS]: run one client phase; its summary is one check here
client() {
	local rc=0
	"$CLIENT" 127.0.0.1 "$@" || rc=$?
	t_check "nfs3_client $1 (exit $rc)" test "$rc" = 0
}

# ---------------------------------------------------------------- main pass
t_info "main pass: every procedure on export /"
xl_start "$VOL" || t_abort "xlnfsd did not start"
client main
alive "the main pass"
t_check_disk "files made over NFS are on disk" test -f "$EXPORT/udpfile"
t_check_disk "udpfile's content on disk" test "$(cat "$EXPORT/udpfile")" = "over udp"
n=$(find "$EXPORT/big" -mindepth 1 -maxdepth 1 | wc -l)
t_check_disk "the big directory has 10001 entries on disk ($n)" test "$n" = 10001
t_check_disk "work/ is owned by root on disk" test "$(stat -c %u:%g "$EXPORT/work")" = 0:0
t_check_disk "symlink target on disk" test "$(readlink "$EXPORT/work/sl")" = f1
t_check_disk "exclusive-created file has the mode set afterwards" \
	test "$(stat -c %a "$EXPORT/work/ex")" = 640
t_check_disk "the 0700 directory made over NFS is 0700 on disk" \
	test "$(stat -c %a "$EXPORT/work/private")" = 700

# ------------------------------------------------------------------ restart
t_info "restart: handles and the write verifier"
client pre-restart "$T/handles"
xl_restart "$VOL" || t_abort "xlnfsd did not restart"
client post-restart "$T/handles"
alive "the restart pass"
t_check_disk "the renamed file is on disk under its new name" test -s "$EXPORT/restart/after"
t_check "the state directory holds the handle secret" \
	bash -c "ls -A '$T/state' | grep -q ."

# ------------------------------------------------------------ MOUNT exports
t_info "subdirectory exports"
xl_stop || t_fail "stop before the export test"
mkdir -p "$EXPORT/sub" "$EXPORT/other" "$EXPORT/deny"
echo readonly >"$EXPORT/sub/file"
echo data >"$EXPORT/afile"
# export-list-all off: the client checks that EXPORT hides /deny from it
# (tests/integration/exports.sh covers the default, the full table)
xl_volfile "$VOL" "$EXPORT" export-list-all off export-dir \
	"/sub(ro,allow=127.0.0.1) /missing /afile /deny(allow=10.9.9.9)"
xl_start "$VOL" || t_abort "xlnfsd did not start with subdirectory exports"
showmount -e 127.0.0.1 || true
client mount
alive "the mount pass"
t_check_disk "the read-only export was not written" test "$(cat "$EXPORT/sub/file")" = readonly
t_check_disk "nothing was created in the read-only export" \
	test "$(find "$EXPORT/sub" -mindepth 1 | wc -l)" = 1
t_check "stop" xl_stop

t_done

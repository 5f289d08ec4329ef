#!/bin/bash
# tests/integration/exports_subvols.sh — one xlnfsd serving two storage
# trees: nfs/server over storage/posix ("home", a directory) and
# storage/memory ("scratch"), exported as home:/ and scratch:/ and so
# mounted as /home and /scratch, against the daemon in a private
# namespace (tests/lib/netns.sh) through raw MOUNT/NFS calls (sec_rpc):
#   - `xlnfsd --check` reports an unknown subvolume (export-dir and the
#     export option) and a MOUNT path used twice, at FILE:LINE;
#   - showmount -e and `xlnfsd --exports` list both exports;
#   - MNT of /home and /scratch: two handles for the same object id (both
#     roots are XL_ID_ROOT) that differ in their export id;
#   - a file made in one export is not found in the other (and the posix
#     one is on disk, the memory one is not), GETATTR reports two fsids;
#   - after a restart both handles still work, with the same fsids.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
netns_enter "$@"

RPC=$top_builddir/tests/integration/sec_rpc
[[ -x $RPC ]] || t_abort "$RPC not built"

HOME_DIR=$T/home
mkdir -p "$HOME_DIR" "$T/state"
chmod 0777 "$HOME_DIR"

# vol FILE OPTION-LINES...: the two-subvolume volfile
vol() {
	local file=$1 line
	shift
	{
		echo "volume home"
		echo "    type storage/posix"
		echo "    option directory $HOME_DIR"
		echo "end-volume"
		echo
		echo "volume scratch"
		echo "    type storage/memory"
		echo "end-volume"
		echo
		echo "volume server"
		echo "    type nfs/server"
		echo "    option state-dir $T/state"
		echo "    option root-squash off"
		for line in "$@"; do echo "    option $line"; done
		echo "    subvolumes home scratch"
		echo "end-volume"
	} >"$file"
}

# check_error FILE KEY TEXT: --check fails, naming FILE, KEY's line and TEXT
check_error() {
	local file=$1 key=$2 text=$3 line out rc=0
	line=$(grep -n "option $key " "$file" | cut -d: -f1)
	out=$("$XLNFSD" --check -f "$file" 2>&1) || rc=$?
	echo "$out"
	t_check "--check $(basename "$file") exits non-zero (got $rc)" test "$rc" != 0
	t_check "--check: $(basename "$file"):$line: ... $text" \
		grep -qF "$(basename "$file"):$line: volume 'server': $text" <<<"$out"
}

t_info "configuration errors name the file and the line"
vol "$T/unknown.vol" "export-dir home:/ nope:/tmp"
check_error "$T/unknown.vol" export-dir \
	"export-dir: export nope:/tmp: no subvolume 'nope' (the subvolumes line lists: home, scratch)"
vol "$T/unknown-rule.vol" "export \"/ *(rw); nope:/ *\""
check_error "$T/unknown-rule.vol" export "option export: export nope:/: no subvolume 'nope'"
vol "$T/twice.vol" "export-dir /scratch scratch:/"
check_error "$T/twice.vol" export-dir "export-dir: /scratch is exported twice"
vol "$T/good.vol" "export-dir home:/ scratch:/"
t_check "--check accepts home:/ scratch:/" "$XLNFSD" --check -f "$T/good.vol"

t_info "xlnfsd --exports"
"$XLNFSD" --exports -f "$T/good.vol" >"$T/exports.out" 2>&1
cat "$T/exports.out"
t_check "--exports lists /home" grep -Eq '^/home +	\*\(rw,' "$T/exports.out"
t_check "--exports lists /scratch" grep -Eq '^/scratch +	\*\(rw,' "$T/exports.out"

xl_start "$T/good.vol" || t_abort "xlnfsd did not start"
showmount -e 127.0.0.1 >"$T/showmount.out" 2>&1
cat "$T/showmount.out"
t_check "showmount -e lists /home and /scratch" \
	test "$(grep -Ec '^/(home|scratch) ' "$T/showmount.out")" = 2

f1() { echo "${1%% *}"; }
f() { echo "$1" | awk -v n="$2" '{ print $n }'; }

t_info "MOUNT both exports"
r=$("$RPC" mnt /home)
t_check "MNT /home ($r)" test "$(f1 "$r")" = 0
H=$(f "$r" 2)
r=$("$RPC" mnt /scratch)
t_check "MNT /scratch ($r)" test "$(f1 "$r")" = 0
S=$(f "$r" 2)
r=$("$RPC" mnt /)
t_check "MNT / is no export here: MNT3ERR_ACCES ($r)" test "$r" = 13
# handle layout (fh.c): version 1 byte, key id 4, export id 4, object id 16, MAC 16
t_check "both roots have the same object id (${H:18:32})" test "${H:18:32}" = "${S:18:32}"
t_check "... and different export ids (${H:10:8} ${S:10:8})" test "${H:10:8}" != "${S:10:8}"

t_info "the trees stay apart"
r=$("$RPC" create "$H" in-home)
t_check "CREATE in-home in /home ($r)" test "$(f1 "$r")" = 0
r=$("$RPC" create "$S" in-scratch)
t_check "CREATE in-scratch in /scratch ($r)" test "$(f1 "$r")" = 0
r=$("$RPC" lookup "$H" in-home)
t_check "LOOKUP in-home in /home ($r)" test "$(f1 "$r")" = 0
FH=$(f "$r" 2)
r=$("$RPC" lookup "$S" in-home)
t_check "LOOKUP in-home in /scratch: NFS3ERR_NOENT ($r)" test "$r" = 2
r=$("$RPC" lookup "$H" in-scratch)
t_check "LOOKUP in-scratch in /home: NFS3ERR_NOENT ($r)" test "$r" = 2
r=$("$RPC" lookup "$S" in-scratch)
t_check "LOOKUP in-scratch in /scratch ($r)" test "$(f1 "$r")" = 0
FS=$(f "$r" 2)
t_check "in-home is on the posix brick's disk" test -f "$HOME_DIR/in-home"
t_check "in-scratch is not (memory)" test ! -e "$HOME_DIR/in-scratch"

t_info "fsids"
rh=$("$RPC" getattr "$H")
rs=$("$RPC" getattr "$S")
t_check "GETATTR /home ($rh)" test "$(f1 "$rh")" = 0
t_check "GETATTR /scratch ($rs)" test "$(f1 "$rs")" = 0
FSID_H=$(f "$rh" 4)
FSID_S=$(f "$rs" 4)
t_check "the exports' fsids differ ($FSID_H $FSID_S)" test "$FSID_H" != "$FSID_S"
r=$("$RPC" getattr "$FH")
t_check "a file of /home has /home's fsid ($r)" test "$(f "$r" 4)" = "$FSID_H"
r=$("$RPC" getattr "$FS")
t_check "a file of /scratch has /scratch's fsid ($r)" test "$(f "$r" 4)" = "$FSID_S"

t_info "restart: handles and fsids stay"
xl_restart "$T/good.vol" || t_abort "xlnfsd did not restart"
r=$("$RPC" getattr "$FH")
t_check "the /home file's handle after a restart ($r)" test "$(f "$r" 4)" = "$FSID_H"
r=$("$RPC" getattr "$S")
t_check "the /scratch root's handle after a restart ($r)" test "$(f "$r" 4)" = "$FSID_S"
r=$("$RPC" getattr "$FS")
t_check "the memory store's file is gone with it: NFS3ERR_STALE ($r)" test "$r" = 70
t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"
t_check "stop" xl_stop
t_done

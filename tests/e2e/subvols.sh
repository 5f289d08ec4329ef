#!/bin/bash
# tests/e2e/subvols.sh — the Linux kernel client mounting two exports of
# one xlnfsd that live on two subvolumes: storage/posix ("home", a
# directory of the host) and storage/memory ("scratch"), exported as
# home:/ and scratch:/ and mounted as /home and /scratch. The guest
# (tests/e2e/subvols_guest.sh) checks that the kernel sees two
# filesystems (st_dev differs: one per server fsid), that each shows only its
# own files, and writes one file into each; the host then finds the home
# one on its disk and the scratch one nowhere on it.
#
# Environment: XLNFS_SHARED (the folder holding nfs-vm-client), XLNFS_E2E=skip
# skips the test.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"

vm_client_find
netns_enter "$@"

chmod 0755 "$T"
HOME_DIR=$T/home
SHARE=$T/share
mkdir -p "$HOME_DIR" "$SHARE" "$T/state"
echo "from the host" >"$HOME_DIR/from-host"
VOL=$T/subvols.vol
cat >"$VOL" <<VOL
volume home
    type storage/posix
    option directory $HOME_DIR
end-volume
volume scratch
    type storage/memory
end-volume
volume server
    type nfs/server
    option state-dir $T/state
    option root-squash off
    option export-dir home:/(rw) scratch:/(rw)
    subvolumes home scratch
end-volume
VOL
xl_start "$VOL" || t_abort "xlnfsd did not start"

vm_client_run "$T/guest.out" --share "$SHARE" --timeout 300 -- "$here/subvols_guest.sh"
cat "$T/guest.out"
t_check "the guest's checks pass (exit $VM_RC, ${VM_SECONDS}s)" test "$VM_RC" = 0
t_check "the guest ran its checks" grep -q '^PASS: ' "$T/guest.out"
t_check "the file the guest wrote into /home is on the posix brick" \
	test "$(cat "$HOME_DIR/from-guest" 2>/dev/null)" = "into home"
t_check "the file it wrote into /scratch is not" test ! -e "$HOME_DIR/in-scratch"
t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"
t_check "stop" xl_stop
t_done

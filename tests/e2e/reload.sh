#!/bin/bash
# tests/e2e/reload.sh — a live reload under the Linux kernel client: the
# guest (tests/e2e/reload_guest.sh) mounts /a and keeps writing, reading
# back and comparing files on it while the host rewrites the volume file
# (export /b and a debug/error-gen translator added) and sends SIGHUP;
# the guest's loop must see no error across the graph switch, go on
# after it, and then mount the new export /b.
#
# The host and the guest meet in the shared folder: the guest writes
# "running" once its loop has made progress, the host answers
# "reloaded" once the log says the new graph serves.
#
# Environment: XLNFS_SHARED (the folder holding nfs-vm-client), XLNFS_E2E=skip
# skips the test.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/reload_vol.sh"

vm_client_find
netns_enter "$@"

chmod 0755 "$T"
EXPORT=$T/export
SHARE=$T/share
VOL=$T/export.vol
mkdir -p "$EXPORT/a" "$EXPORT/b" "$SHARE" "$T/state"
chmod 0777 "$SHARE"

reload_vol "/a"
xl_start "$VOL" || t_abort "xlnfsd did not start"
LOG=$T/xlnfsd.log

# The host's half, in the background while the guest runs.
(
	for ((n = 0; n < 1200; n++)); do [[ -e $SHARE/running ]] && break; sleep 0.1; done
	[[ -e $SHARE/running ]] || exit 1
	reload_vol "/a /b" errgen
	kill -HUP "$XLNFSD_PID"
	for ((n = 0; n < 300; n++)); do
		grep -q 'reload: serving the new graph' "$LOG" && break
		sleep 0.1
	done
	grep -q 'reload: serving the new graph' "$LOG" || exit 1
	echo reloaded >"$SHARE/reloaded"
) &
HPID=$!
netns_track "$HPID"

vm_client_run "$T/guest.out" --share "$SHARE" --timeout 400 -- "$here/reload_guest.sh"
cat "$T/guest.out"
wait "$HPID"
hrc=$?
t_check "the host reloaded while the guest's loop ran (exit $hrc)" test "$hrc" = 0
t_check "the guest's checks pass (exit $VM_RC, ${VM_SECONDS}s)" test "$VM_RC" = 0
t_check "the guest ran its checks" grep -q '^PASS: ' "$T/guest.out"
t_check "the new server took over the service" grep -q 'took over the running service' "$LOG"
kill -USR1 "$XLNFSD_PID"
sleep 1
t_check "the guest's WRITEs went through the new translator" \
	grep -Eq "volume 'errgen' fop write: calls [1-9]" "$LOG"
t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"
t_check "stop" xl_stop
t_done

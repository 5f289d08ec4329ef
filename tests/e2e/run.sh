#!/bin/bash
# tests/e2e/run.sh — the Linux kernel NFS client against xlnfsd, end to end.
#
# In one private network namespace (tests/lib/netns.sh): rpcbind, xlnfsd on
# the standard ports, and a qemu guest booted by nfs-vm-client that mounts
# the server with the kernel's own client and runs tests/e2e/guest.sh:
#   1. through rpcbind, with a $SIZE_MB file (default 256) and a server
#      restart while mounted (the guest asks through the 9p share);
#   2. port=2049,mountport=20048,mountproto=tcp, also with a restart;
#   3. port=2049,mountport=20048,mountproto=udp, with rpcbind stopped.
# After each run the host checks on the server's disk the file the guest
# left. Prints PASS/FAIL lines; exits non-zero on any failure.
#
# Environment: SIZE_MB (big file of run 1, MiB), XLNFS_SHARED (the folder
# holding nfs-vm-client; default ../shared next to the repository),
# XLNFS_E2E=skip skips the test (used by `make distcheck`).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"

vm_client_find
netns_enter "$@"

SIZE_MB=${SIZE_MB:-256}
chmod 0755 "$T"
EXPORT=$T/export
SHARE=$T/share
mkdir -p "$EXPORT" "$SHARE"
VOL=$T/export.vol
xl_volfile "$VOL" "$EXPORT" export-dir /
xl_start "$VOL" || t_abort "xlnfsd did not start"
rpcinfo -p 127.0.0.1

# restart_server: what the guest's restart request makes the host do
restart_server() {
	local old=$XLNFSD_PID
	if xl_restart "$VOL"; then
		echo "restarted: pid $old -> $XLNFSD_PID" >"$SHARE/restart-done"
		t_pass "server restarted while mounted (pid $old -> $XLNFSD_PID)"
	else
		echo "restart failed" >"$SHARE/restart-done"
		t_fail "server restart while mounted"
	fi
}

# run LABEL SIZE RESTART MOUNT-OPTIONS: one guest run
run() {
	local label=$1 size=$2 restart=$3 opts=$4 rc=0 vm t0
	t_info "guest run: $label"
	rm -f "$SHARE"/restart-* "$SHARE/big.md5"
	t0=$(date +%s)
	"$VMCLIENT" --share "$SHARE" --mem 1024 --timeout $((300 + size * 3)) \
		-e SIZE_MB="$size" -e RESTART="$restart" \
		-- "$here/guest.sh" "$opts" >"$T/guest.out" 2>&1 &
	vm=$!
	netns_track "$vm"
	while kill -0 "$vm" 2>/dev/null; do
		if [[ -e $SHARE/restart-request ]]; then
			rm -f "$SHARE/restart-request"
			restart_server
		fi
		sleep 0.2
	done
	wait "$vm" || rc=$?
	netns_untrack "$vm"
	sed 's/^/    | /' "$T/guest.out"
	grep -q '^PASS: ' "$T/guest.out" || t_fail "$label: the guest ran no check"
	t_check "$label: guest exit status 0 (got $rc, $(($(date +%s) - t0)) s)" test "$rc" = 0
	# kernel and tool messages, not the guest's own PASS/FAIL lines
	grep -Ev '^(PASS|FAIL): ' "$T/guest.out" >"$T/guest.msgs"
	t_check "$label: no \"Stale file handle\"" not grep -qi 'stale file handle' "$T/guest.msgs"
	t_check "$label: no \"server not responding\"" not grep -qi 'not responding' "$T/guest.msgs"
	if [[ -s $SHARE/big.md5 ]]; then
		t_check_disk "$label: the guest's file is intact on the server's disk" \
			bash -c "cd '$EXPORT' && md5sum -c --quiet '$SHARE/big.md5'"
		rm -f "$EXPORT"/kept-big.*
	else
		t_fail "$label: the guest left no checksum"
	fi
	t_check "$label: xlnfsd still running" kill -0 "$XLNFSD_PID"
}

run "through rpcbind, ${SIZE_MB} MiB, restart" "$SIZE_MB" 1 ""
run "port=2049,mountport=20048,mountproto=tcp, restart" 16 1 \
	"port=2049,mountport=20048,mountproto=tcp"
rpcbind_stop
t_info "rpcbind stopped: the kernel must use the given ports"
run "port=2049,mountport=20048,mountproto=udp, no rpcbind" 16 0 \
	"port=2049,mountport=20048,mountproto=udp"
t_check "stop" xl_stop
t_done

#!/bin/bash
# tests/integration/nlm.sh — the NLM v4 lock manager over raw RPC from the
# host (tests/integration/nlm_client) against a daemon in a private
# network namespace: rpcbind lists NLM v4 over TCP and UDP beside NFS and
# MOUNT; hostile input (bad and oversized handles, names and owners at and
# past their XDR limits, truncated arguments, ranges past 2^64, more
# blocked LOCKs than one client may keep) is answered or refused and the
# daemon runs on; a lock taken by one owner is seen by another; with
# option nlm off the program is not registered; with rpc.statd, a lock
# holder is monitored (SM_MON) and its reboot notice frees its locks.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"

CLIENT=$top_builddir/tests/integration/nlm_client
[[ -x $CLIENT ]] || { echo "ERROR: $CLIENT not built (make check builds it)"; exit 99; }
netns_enter "$@"

chmod 0755 "$T"
EXPORT=$T/export
mkdir -p "$EXPORT"
echo data >"$EXPORT/f"
VOL=$T/export.vol
xl_volfile "$VOL" "$EXPORT" export-dir /
xl_start "$VOL" || t_abort "xlnfsd did not start"

t_check "rpcbind lists NLM v4 over tcp" rpc_registered 100021 4 tcp
t_check "rpcbind lists NLM v4 over udp" rpc_registered 100021 4 udp
t_check "NLM v4 answers NULL on the NFS port (tcp)" rpc_ping tcp 2049 100021 4
t_check "NLM v4 answers NULL on the NFS port (udp)" rpc_ping udp 2049 100021 4

rc=0
"$CLIENT" 127.0.0.1 / f hostile || rc=$?
t_check "nlm_client hostile (exit $rc)" test "$rc" = 0
t_check "xlnfsd still running after the hostile input" kill -0 "$XLNFSD_PID"
t_check "the file is free at the end" test "$("$CLIENT" 127.0.0.1 / f test 0 0)" = free
t_check "a LOCK of it is granted" test "$("$CLIENT" 127.0.0.1 / f lock 0 0)" = granted
t_check "stop" xl_stop

# With rpc.statd (its state in a private /var/lib/nfs): a client host's
# first lock makes the server ask statd to monitor it (SM_MON), and when
# that host's statd says it rebooted (SM_NOTIFY to ours), statd calls the
# server back and the host's locks go.
if command -v rpc.statd >/dev/null && id statd >/dev/null 2>&1; then
	mount -t tmpfs tmpfs /var/lib/nfs || t_abort "tmpfs on /var/lib/nfs"
	mkdir -p /var/lib/nfs/sm /var/lib/nfs/sm.bak
	chown statd /var/lib/nfs/sm /var/lib/nfs/sm.bak
	rpc.statd -F --no-notify 2>"$T/statd.log" &
	netns_track $!
	for ((n = 0; n < 100; n++)); do rpc_registered 100024 1 udp && break; sleep 0.1; done
	t_check "rpc.statd registered" rpc_registered 100024 1 udp
	xl_volfile "$VOL" "$EXPORT" export-dir /
	xl_start "$VOL" || t_abort "xlnfsd did not start"
	t_check "127.0.0.1 (as caller_name) locks f" \
		test "$("$CLIENT" 127.0.0.1 / f lockas 127.0.0.1 0 0)" = granted
	# statd names its record by the host's canonical name (localhost)
	for ((n = 0; n < 50; n++)); do [[ -n $(ls /var/lib/nfs/sm) ]] && break; sleep 0.1; done
	sm=$(ls /var/lib/nfs/sm)
	t_check "statd was asked to monitor 127.0.0.1 (SM_MON; its record: '$sm')" test -n "$sm"
	t_check "f is locked" test "$("$CLIENT" 127.0.0.1 / f test 0 0)" = locked
	t_check "SM_NOTIFY for 127.0.0.1 sent to statd" \
		test "$("$CLIENT" 127.0.0.1 / f notify 127.0.0.1)" = notified
	for ((n = 0; n < 50; n++)); do
		[[ $("$CLIENT" 127.0.0.1 / f test 0 0) == free ]] && break
		sleep 0.1
	done
	t_check "after the reboot notice f is free" test "$("$CLIENT" 127.0.0.1 / f test 0 0)" = free
	t_check "the server logged the reboot" grep -q "127.0.0.1 rebooted" "$T/xlnfsd.log"
	t_check "stop" xl_stop
else
	echo "SKIP: rpc.statd checks (package nfs-common not installed)"
fi

xl_volfile "$VOL" "$EXPORT" export-dir / nlm off
xl_start "$VOL" || t_abort "xlnfsd did not start with nlm off"
t_check "nlm off: rpcbind does not list NLM" not rpc_registered 100021 4 tcp
t_check "stop" xl_stop
t_done

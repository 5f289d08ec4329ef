#!/bin/bash
# tests/integration/nlm.sh — the NLM v4 lock manager over raw RPC from the
# host (tests/integration/nlm_client) against a daemon in a private
# network namespace: rpcbind lists NLM v4 over TCP and UDP beside NFS and
# MOUNT; hostile input (bad and oversized handles, names and owners at and
# past their XDR limits, truncated arguments, ranges past 2^64, more
# blocked LOCKs than one client may keep) is answered or refused and the
# daemon runs on; a lock taken by one owner is seen by another; with
# option nlm off the program is not registered.
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

xl_volfile "$VOL" "$EXPORT" export-dir / nlm off
xl_start "$VOL" || t_abort "xlnfsd did not start with nlm off"
t_check "nlm off: rpcbind does not list NLM" not rpc_registered 100021 4 tcp
t_check "stop" xl_stop
t_done

#!/bin/bash
# tests/integration/fair.sh — what one client can do to the others,
# through the daemon and its volume-file options (tests/unit/test_rpc_fair
# checks the same of the RPC service alone, in finer detail):
#   - a client that pipelines calls and never reads a reply is stopped
#     being read (queue-size), cannot delay another client's NULL calls by
#     100 ms (that it then loses its connection after send-timeout is
#     asserted by test_rpc_fair on the service alone: through the daemon
#     it does not always happen, and rightly so by the server's rule. Seen
#     with ss -tmi in about a third of tries, even on a quiet host: a
#     segment dropped on loopback puts the client's TCP into
#     retransmission backoff (rto 1.6 s) with 3.8 MB of calls still in its
#     own send buffer, so the server receives only ~3,400 calls. Their
#     replies all fit in the server's kernel send buffer (4 MB), none waits
#     in the server, and send-timeout judges only replies waiting there. A
#     check of the kernel's queue (SIOCOUTQ with tcpi_bytes_acked not
#     moving) would catch that case too; not done yet);
#   - 2,000 idle connections beyond max-connections do not lock a new
#     client out (the oldest idle one is dropped for it);
#   - SIGTERM under a stuck client exits within drain-timeout.
# The times are generous bounds on correctness (a delay where there
# should be none), not performance claims. Raw clients: fair_client.c.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
netns_enter "$@"

CLIENT=$top_builddir/tests/integration/fair_client
[[ -x $CLIENT ]] || t_abort "$CLIENT not built"
EXPORT=$T/export
VOL=$T/export.vol
mkdir -p "$EXPORT"
xl_volfile "$VOL" "$EXPORT" queue-size 64KB send-timeout 3s drain-timeout 2s \
	max-connections 500 idle-timeout 60s
xl_start "$VOL" || t_abort "xlnfsd did not start"

# The well-behaved client's worst NULL call of 200, in ms (integer).
null_max() { "$CLIENT" null 127.0.0.1 2049 200 | awk '$1 == "max" { printf "%d\n", $2 }'; }

# wait_line FILE REGEX: until FILE has a line matching REGEX (30 s).
wait_line() {
	local n
	for ((n = 0; n < 300; n++)); do
		grep -Eq "$2" "$1" 2>/dev/null && return 0
		sleep 0.1
	done
	return 1
}

t_info "a client that never reads its replies"
"$CLIENT" stall 127.0.0.1 2049 >"$T/stall.out" 2>&1 &
SPID=$!
netns_track "$SPID"
t_check "the server stops reading it (queue-size)" wait_line "$T/stall.out" '^stalled [0-9]+'
t_info "$(head -n 1 "$T/stall.out")"
max=$(null_max)
t_info "another client's slowest NULL of 200 meanwhile: ${max:-none} ms"
t_check "another client is not delayed by 100 ms (worst ${max:-none} ms)" \
	test -n "$max" -a "${max:-1000}" -lt 100
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
netns_untrack "$SPID"
t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"

t_info "2,000 idle connections, max-connections 500"
"$CLIENT" idle 127.0.0.1 2049 2000 >"$T/idle.out" 2>&1 &
IPID=$!
netns_track "$IPID"
t_check "the 2,000 connections are open" wait_line "$T/idle.out" '^open 2000$'
max=$(null_max)
t_check "a new client is served (worst NULL ${max:-none} ms)" test -n "$max"
kill "$IPID" 2>/dev/null
wait "$IPID" 2>/dev/null
netns_untrack "$IPID"
t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"

t_info "SIGTERM with a stuck client (drain-timeout 2s)"
"$CLIENT" stall 127.0.0.1 2049 >"$T/stall2.out" 2>&1 &
SPID=$!
netns_track "$SPID"
t_check "the second stuck client is stalled" wait_line "$T/stall2.out" '^stalled [0-9]+'
t0=$(date +%s%N)
kill -TERM "$XLNFSD_PID"
pid_wait_gone "$XLNFSD_PID" 100
gone=$?
ms=$((($(date +%s%N) - t0) / 1000000))
t_check "xlnfsd exits within drain-timeout + 2 s (${ms} ms)" test "$gone" = 0 -a "$ms" -lt 4000
[[ $gone == 0 ]] && { netns_untrack "$XLNFSD_PID"; XLNFSD_PID=''; }
kill "$SPID" 2>/dev/null
wait "$SPID" 2>/dev/null
netns_untrack "$SPID"
t_done

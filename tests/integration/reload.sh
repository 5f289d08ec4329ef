#!/bin/bash
# tests/integration/reload.sh — live reload (SIGHUP): while a client keeps
# writing and reading one file through the handle it opened first, the
# volume file gains an export and a translator (debug/error-gen, passing
# everything through) and the daemon is sent SIGHUP: the new export
# mounts, the client's calls now go through the new translator (its fop
# counters in a statedump), the metrics listener serves the new export
# table, and the client saw no error at all (no
# reconnect, no stale handle). Then a volume file with an error, and one
# changing the NFS port, are refused with FILE:LINE in the log while the
# running configuration keeps serving; an unchanged file is said to be
# unchanged; SIGUSR2 reopens the log only.
# Over storage/posix only: a reload builds a new graph, and a new
# storage/memory starts empty.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
. "$here/../lib/reload_vol.sh"
netns_enter "$@"

CLIENT=$top_builddir/tests/integration/reload_client
[[ -x $CLIENT ]] || t_abort "$CLIENT not built"
EXPORT=$T/export
VOL=$T/export.vol
LOG=$T/xlnfsd.log
MPORT=9464
METRICS=http://127.0.0.1:$MPORT/metrics
command -v curl >/dev/null || t_abort "curl not found (Debian package curl)"
mkdir -p "$EXPORT/a" "$EXPORT/b" "$EXPORT/c" "$T/state"
head -c 65536 /dev/zero >"$EXPORT/a/data"

# vol EXPORTS [errgen]: the volume file (tests/lib/reload_vol.sh), with
# the metrics listener and an extra "KEY VALUE" option from $SERVER_EXTRA.
vol() {
	RELOAD_SERVER_OPTS="metrics-listen 127.0.0.1:$MPORT ${SERVER_EXTRA:-}" reload_vol "$@"
}

# client_ops: the round count the loop client printed last.
client_ops() { tail -n 1 "$T/client.out" 2>/dev/null | awk '$1 == "ops" { print $2 }'; }

# wait_ops N: until the client has done N rounds more than now (1: timeout).
wait_ops() {
	local start want n
	start=$(client_ops)
	want=$((${start:-0} + $1))
	for ((n = 0; n < 300; n++)); do
		(($(client_ops || echo 0) >= want)) && return 0
		kill -0 "$CPID" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# wait_log REGEX: until the log has a line matching REGEX (1: timeout).
wait_log() {
	local n
	for ((n = 0; n < 150; n++)); do
		grep -Eq "$1" "$LOG" && return 0
		sleep 0.1
	done
	return 1
}

# systemd's view (Type=notify): RELOADING=1 then READY=1 around a reload,
# seen on a NOTIFY_SOCKET of ours when socat is there and the daemon was
# built with libsystemd.
NOTIFY=''
if command -v socat >/dev/null && ldd "$(dirname "$XLNFSD")/.libs/xlnfsd" "$XLNFSD" 2>/dev/null |
	grep -q libsystemd; then
	NOTIFY=$T/notify
	socat -u "UNIX-RECV:$NOTIFY" "OPEN:$T/notify.out,creat,append" &
	netns_track $!
	for ((n = 0; n < 50; n++)); do [[ -S $NOTIFY ]] && break; sleep 0.1; done
	export NOTIFY_SOCKET=$NOTIFY
fi

vol "/a"
xl_start "$VOL" || t_abort "xlnfsd did not start"
unset NOTIFY_SOCKET
t_check "/a mounts" "$CLIENT" 127.0.0.1 mount /a
t_check "/b is not exported yet" not "$CLIENT" 127.0.0.1 mount /b

"$CLIENT" 127.0.0.1 loop /a /data "$T/stop" >"$T/client.out" 2>&1 &
CPID=$!
netns_track "$CPID"
t_check "the client writes and reads" wait_ops 200

# ---------------------------------------------- add an export and a translator
t_info "reload: export /b and debug/error-gen added"
vol "/a /b" errgen
kill -HUP "$XLNFSD_PID"
t_check "the reload is done" wait_log 'reload: serving the new graph'
t_check "the new server took over the service" grep -q 'took over the running service' "$LOG"
t_check "the log was reopened too" grep -q 'received SIGHUP, log reopened' "$LOG"
t_check "/b mounts after the reload" "$CLIENT" 127.0.0.1 mount /b
if [[ -n $NOTIFY ]]; then
	t_check "systemd was told RELOADING=1 with MONOTONIC_USEC" \
		grep -Pzq 'RELOADING=1\nMONOTONIC_USEC=[0-9]+' "$T/notify.out"
	t_check "... then READY=1 again" \
		test "$(grep -Eo 'RELOADING=1|READY=1' "$T/notify.out" | tail -n 1)" = READY=1
else
	echo "SKIP: no socat or no libsystemd: the notifications are not checked"
fi
t_check "/a still mounts" "$CLIENT" 127.0.0.1 mount /a
# the metrics listener moved to the new server, with its export table
t_check "metrics answer after the reload, with export /b" \
	grep -q 'xlnfs_export_written_bytes_total{export="/b"}' <(curl -sf "$METRICS")
t_check "the client goes on after the reload" wait_ops 300
kill -USR1 "$XLNFSD_PID"
t_check "the client's WRITEs go through the new translator" \
	wait_log "volume 'errgen' fop write: calls [1-9]"
t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"

# ---------------------------------------------- an unchanged file
kill -HUP "$XLNFSD_PID"
t_check "an unchanged file is said to be" wait_log "reload: $VOL unchanged"

# ---------------------------------------------- a file with an error
t_info "reload: a volume file with an unknown option"
vol "/a /b /c" errgen
sed -i 's/^    subvolumes posix$/    option no-such-option 1\n&/' "$VOL"
badline=$(grep -n 'no-such-option' "$VOL" | cut -d: -f1)
kill -HUP "$XLNFSD_PID"
t_check "the bad file is refused" wait_log "reload: $VOL has errors"
t_check "the log names FILE:LINE ($VOL:$badline)" \
	grep -q "$VOL:$badline: unknown option 'no-such-option'" "$LOG"
t_check "/b still mounts (the old configuration serves)" "$CLIENT" 127.0.0.1 mount /b
t_check "/c (only in the refused file) does not" not "$CLIENT" 127.0.0.1 mount /c
t_check "the client goes on after the refused reload" wait_ops 100

# ---------------------------------------------- a change that needs a restart
t_info "reload: nfs-port changed"
SERVER_EXTRA="nfs-port 2050" vol "/a /b /c" errgen
portline=$(grep -n 'nfs-port' "$VOL" | cut -d: -f1)
kill -HUP "$XLNFSD_PID"
t_check "a port change is refused at its line ($VOL:$portline)" \
	wait_log "$VOL:$portline: volume 'server': option nfs-port changed"
t_check "... and the reload with it" wait_log 'reload: the new graph did not start'
t_check "/c does not mount" not "$CLIENT" 127.0.0.1 mount /c
t_check "/b still mounts" "$CLIENT" 127.0.0.1 mount /b
t_check "the client goes on" wait_ops 100

# ---------------------------------------------- SIGUSR2: the log only
mv "$LOG" "$LOG.1"
kill -USR2 "$XLNFSD_PID"
t_check "SIGUSR2 reopens the log" wait_log 'received SIGUSR2, log reopened'
t_check "... and reloads nothing" not grep -q 'reload:' "$LOG"
cat "$LOG.1" "$LOG" >"$LOG.all"

# ---------------------------------------------- the client's verdict
touch "$T/stop"
rc=0
wait "$CPID" || rc=$?
netns_untrack "$CPID"
tail -n 3 "$T/client.out"
grep '^error' "$T/client.out" | head -n 5
t_check "the client saw no error across the reloads (exit $rc)" test "$rc" = 0
t_check "the client made progress ($(client_ops) rounds)" test "$(client_ops)" -ge 700
t_check "stop" xl_stop
t_done

#!/bin/bash
# tests/integration/daemon.sh — the xlnfsd daemon as an administrator meets it:
# start-up and rpcbind registration (NFS v3, MOUNT v1/v3, TCP and UDP), the
# pidfile lock, stale pidfiles, SIGHUP log reopening, SIGTERM shutdown
# (pidfile and rpcbind entries removed, exit 0), the SIGUSR1 statedump (exports,
# mount list), `--check` on the shipped and on broken volfiles (file:LINE:
# messages) and the drc options, command-line and start-up
# errors, and running without rpcbind on the fixed ports.
# Runs in a private network namespace (tests/lib/netns.sh).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
netns_enter "$@"

EXPORT=$T/export
mkdir -p "$EXPORT"
VOL=$T/export.vol
xl_volfile "$VOL" "$EXPORT"

LOGLINE='^\[[0-9]{4}-[0-9]{2}-[0-9]{2} [0-9]{2}:[0-9]{2}:[0-9]{2}\.[0-9]{6}\] [CEWIDT] \[[^]:]+:[0-9]+:[^]]+\] [^ ]+: '

# ------------------------------------------------------------ start, rpcbind
t_info "start daemonized"
xl_start "$VOL" || t_abort "xlnfsd did not start (see log)"
t_pass "xlnfsd started, pid $XLNFSD_PID"
t_check "pidfile holds the running daemon's pid" kill -0 "$XLNFSD_PID"
t_check "the daemon is not our child (double fork)" \
	test "$(ps -o ppid= -p "$XLNFSD_PID" | tr -d ' ')" != $$

rpcinfo -p 127.0.0.1 >"$T/rpcinfo.txt"
cat "$T/rpcinfo.txt"
for pv in "100003 3" "100005 1" "100005 3"; do
	for proto in tcp udp; do
		# shellcheck disable=SC2086
		t_check "rpcbind lists $pv $proto" rpc_registered $pv $proto
	done
done
t_check "NFS registered on port 2049" grep -Eq '100003 +3 +tcp +2049' "$T/rpcinfo.txt"
t_check "MOUNT registered on port 20048" grep -Eq '100005 +3 +tcp +20048' "$T/rpcinfo.txt"
for pv in "100003 3" "100005 1" "100005 3"; do
	# shellcheck disable=SC2086
	t_check "rpcinfo -t 127.0.0.1 $pv" rpcinfo -t 127.0.0.1 $pv
	# shellcheck disable=SC2086
	t_check "rpcinfo -u 127.0.0.1 $pv" rpcinfo -u 127.0.0.1 $pv
done
t_check "NFS v2 is refused (program version mismatch)" \
	bash -c '! rpcinfo -t 127.0.0.1 100003 2 >/dev/null 2>&1'
t_check "direct NULL call on tcp 2049" rpc_ping tcp 2049 100003 3
t_check "direct NULL call on udp 20048" rpc_ping udp 20048 100005 3
t_check "direct NULL call for NFS v2 is not a success" not rpc_ping tcp 2049 100003 2
t_check "the log has lines in the documented format" grep -Eq "$LOGLINE" "$T/xlnfsd.log"
bad=$(grep -Evc "$LOGLINE" "$T/xlnfsd.log")
t_check "every log line is in the documented format ($bad bad)" test "$bad" = 0

# ------------------------------------------------------- second instance
t_info "a second instance on the same pidfile"
rc=0
"$XLNFSD" -f "$VOL" -p "$T/xlnfsd.pid" -l "$T/second.log" >"$T/second.out" 2>&1 || rc=$?
cat "$T/second.out" "$T/second.log" 2>/dev/null
t_check "second instance exits 1 (got $rc)" test "$rc" = 1
t_check "second instance says why" \
	bash -c "cat '$T/second.out' '$T/second.log' 2>/dev/null | grep -Eiq 'running|lock|pid'"
t_check "first instance still runs" kill -0 "$XLNFSD_PID"
t_check "pidfile still names the first instance" \
	test "$(tr -dc 0-9 <"$T/xlnfsd.pid")" = "$XLNFSD_PID"
t_check "first instance still serves" rpcinfo -t 127.0.0.1 100003 3
xl_reap "$T/xlnfsd.pid"

# ------------------------------------------------------------ SIGHUP, USR1
t_info "SIGHUP reopens the log"
mv "$T/xlnfsd.log" "$T/xlnfsd.log.1"
kill -HUP "$XLNFSD_PID"
for _ in $(seq 50); do [[ -s $T/xlnfsd.log ]] && break; sleep 0.1; done
t_check "a new log file appears after SIGHUP" test -s "$T/xlnfsd.log"
cat "$T/xlnfsd.log" 2>/dev/null
t_check "the new log says it was reopened" grep -Eiq 'reopen|SIGHUP' "$T/xlnfsd.log"
t_check "the old log is kept" test -s "$T/xlnfsd.log.1"
t_check "daemon serves after SIGHUP" rpcinfo -t 127.0.0.1 100003 3

t_info "SIGUSR1 writes a statedump"
# a MNT first (nfs-ls mounts through rpcbind), so the mount list has an entry
t_check "nfs-ls nfs://127.0.0.1/ mounts the export" nfs-ls nfs://127.0.0.1/
size0=$(stat -c %s "$T/xlnfsd.log")
kill -USR1 "$XLNFSD_PID"
for _ in $(seq 50); do
	tail -c +$((size0 + 1)) "$T/xlnfsd.log" | grep -q 'mount list: ' && break
	sleep 0.1
done
t_check "statedump adds lines to the log" test "$(stat -c %s "$T/xlnfsd.log")" -gt "$size0"
tail -c +$((size0 + 1)) "$T/xlnfsd.log" >"$T/dump.txt"
grep -E 'export |mount ' "$T/dump.txt"
# the root's id is the volume root's (XL_ID_ROOT), found once at start
t_check "statedump lists the export with its root id, options and clients" \
	grep -Eq ': export / \([a-z]+:/\) id [0-9a-f]{8} root 0{8}-0{4}-0{4}-0{4}-0{11}1 rw, no-squash, anonuid 65534, anongid 65534, allow \*$' \
	"$T/dump.txt"
nmounts=$(sed -nE 's/.*: mount list: ([0-9]+) entries.*/\1/p' "$T/dump.txt")
t_check "statedump counts the mount list (${nmounts:-no count line})" test "${nmounts:-0}" -ge 1
t_check "statedump shows as many host:path lines as it counts" \
	test "$(grep -Ec ': mount [^ ]+:/' "$T/dump.txt")" = "${nmounts:-x}"
t_check "statedump shows nfs-ls's mount" grep -Eq ': mount 127\.0\.0\.1:/$' "$T/dump.txt"
t_check "daemon serves after SIGUSR1" rpcinfo -t 127.0.0.1 100003 3

# ---------------------------------------------------------------- SIGTERM
t_info "SIGTERM"
pid=$XLNFSD_PID
t_check "SIGTERM stops the daemon" xl_stop
t_check "pidfile removed" test ! -e "$T/xlnfsd.pid"
t_check "rpcbind no longer lists 100003" bash -c '! rpcinfo -p 127.0.0.1 | grep -q "^ *100003 "'
t_check "rpcbind no longer lists 100005" bash -c '! rpcinfo -p 127.0.0.1 | grep -q "^ *100005 "'
tail -n 3 "$T/xlnfsd.log"
t_check "log ends with an exit line" bash -c "tail -n 1 '$T/xlnfsd.log' | grep -Eiq 'exit|stop|shut|terminat|bye'"

t_info "foreground (-N): exit status on SIGTERM and SIGINT"
for sig in TERM INT; do
	"$XLNFSD" -N -f "$VOL" -p "$T/fg.pid" -l "$T/fg.log" &
	fg=$!
	netns_track "$fg"
	if xl_wait_ready; then
		t_check "foreground daemon writes its pidfile" \
			test "$(tr -dc 0-9 <"$T/fg.pid" 2>/dev/null)" = "$fg"
		kill "-$sig" "$fg"
		rc=0
		wait "$fg" || rc=$?
		netns_untrack "$fg"
		t_check "SIG$sig: exit status 0 (got $rc)" test "$rc" = 0
		t_check "SIG$sig: pidfile removed" test ! -e "$T/fg.pid"
	else
		t_fail "foreground daemon did not serve"
		tail -n 20 "$T/fg.log"
	fi
done

# ---------------------------------------------------------- stale pidfile
t_info "a stale pidfile is taken over"
sleep 0 &
dead=$!
wait "$dead"
echo "$dead" >"$T/xlnfsd.pid"
if xl_start "$VOL"; then
	t_pass "start with a stale pidfile (dead pid $dead)"
	t_check "pidfile now names the new daemon" test "$XLNFSD_PID" != "$dead"
	xl_stop || t_fail "stop after stale pidfile start"
else
	t_fail "start with a stale pidfile (dead pid $dead)"
fi

# ------------------------------------------------------------- --check
t_info "--check on the shipped volfiles"
# shipped volfiles export /srv/xlnfs: a private, empty /srv in our mount
# namespace, without it: a folder that does not exist yet is a start-up
# error, not a --check error (a package installs the volfile first)
mount -t tmpfs tmpfs /srv
nvol=0
for v in "$top_srcdir"/volfiles/*.vol; do
	[[ -e $v ]] || continue
	nvol=$((nvol + 1))
	rc=0
	"$XLNFSD" --check -f "$v" -l - >"$T/check.out" 2>&1 || rc=$?
	((rc == 0)) || cat "$T/check.out"
	t_check "--check accepts $(basename "$v")" test "$rc" = 0
done
t_check "volfiles/ ships volfiles ($nvol)" test "$nvol" -ge 2
xl_volfile "$T/drc.vol" "$EXPORT" drc on drc-entries 1024 drc-size 4MB drc-ttl 30s
rc=0
"$XLNFSD" --check -f "$T/drc.vol" -l - >"$T/check.out" 2>&1 || rc=$?
((rc == 0)) || cat "$T/check.out"
t_check "--check accepts drc, drc-entries, drc-size, drc-ttl" test "$rc" = 0
xl_volfile "$T/nodrc.vol" "$EXPORT" drc off
rc=0
"$XLNFSD" --check -f "$T/nodrc.vol" -l - >"$T/check.out" 2>&1 || rc=$?
t_check "--check accepts drc off" test "$rc" = 0

t_info "--check on broken volfiles"
# broken NAME EXPECTED-LINES: the volfile comes on stdin; EXPECTED-LINES is a
# regex of acceptable line numbers.
broken() {
	local name=$1 lines=$2 f=$T/$1.vol rc=0
	cat >"$f"
	"$XLNFSD" --check -f "$f" -l - >"$T/check.out" 2>&1 || rc=$?
	sed 's/^/    /' "$T/check.out"
	t_check "--check rejects $name with exit 1 (got $rc)" test "$rc" = 1
	t_check "--check names $name.vol:LINE ($lines)" \
		grep -Eq "$name\.vol:($lines):" "$T/check.out"
}
broken unknown-type 2 <<EOF
volume posix
    type storage/no-such-type
    option directory $EXPORT
end-volume
EOF
broken unknown-option 4 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
    option no-such-option 1
end-volume
EOF
broken bad-value 8 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume

volume server
    type nfs/server
    option nfs-port 99999999
    subvolumes posix
end-volume
EOF
broken bad-drc-entries 7 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    option drc-entries 0
    subvolumes posix
end-volume
EOF
broken bad-drc-ttl 8 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    option drc on
    option drc-ttl 99999s
    subvolumes posix
end-volume
EOF
broken bad-bool 7 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    option read-only maybe
    subvolumes posix
end-volume
EOF
broken duplicate-volume 5 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    subvolumes posix
end-volume
EOF
broken undefined-subvolume 7 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    subvolumes no-such-volume
end-volume
EOF
broken cycle '3|7|[1-8]' <<EOF
volume a
    type nfs/server
    subvolumes b
end-volume
volume b
    type nfs/server
    subvolumes a
end-volume
EOF
broken two-tops '[5-9]|1[0-2]' <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server1
    type nfs/server
    subvolumes posix
end-volume
volume server2
    type nfs/server
    option nfs-port 2050
    subvolumes posix
end-volume
EOF
broken bad-export-dir 7 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    option export-dir /(rw,bogus)
    subvolumes posix
end-volume
EOF
t_check "--check says what is wrong in export-dir" grep -q 'unknown option "bogus"' "$T/check.out"
broken bad-listen 8 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    option state-dir $T/state
    option listen-address 127.0.0.1,localhost
    subvolumes posix
end-volume
EOF
broken bad-rtmax 7 <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
end-volume
volume server
    type nfs/server
    option rtmax 4MB
    subvolumes posix
end-volume
EOF
t_check "--check never answers 'the log says why'" not grep -q 'the log says why' "$T/check.out"
broken missing-end '1|3|4' <<EOF
volume posix
    type storage/posix
    option directory $EXPORT
EOF

# ------------------------------------------------ command line, start-up
t_info "start-up errors"
xl_volfile "$T/missing.vol" "$T/no-such-dir"
rc=0
"$XLNFSD" -N -f "$T/missing.vol" -l "$T/missing.log" >"$T/missing.out" 2>&1 || rc=$?
cat "$T/missing.out"
t_check "a missing export directory fails the start (exit 1, got $rc)" test "$rc" = 1
t_check "... naming missing.vol:4 (the directory option) and the folder" \
	grep -Eq "missing\.vol:4: .*$T/no-such-dir: No such file" "$T/missing.out"
rc=0
"$XLNFSD" --no-such-option >"$T/opt.out" 2>&1 || rc=$?
cat "$T/opt.out"
t_check "unknown command-line option: exit 1 (got $rc)" test "$rc" = 1
t_check "unknown command-line option: message" test -s "$T/opt.out"
rc=0
"$XLNFSD" -L NOSUCHLEVEL -f "$VOL" -p "$T/x.pid" -l - >"$T/opt.out" 2>&1 || rc=$?
t_check "bad log level: exit 1 (got $rc)" test "$rc" = 1
xl_reap "$T/x.pid"

xl_volfile "$T/missing.vol" "$T/no-such-dir"
rc=0
"$XLNFSD" -f "$T/missing.vol" -p "$T/missing.pid" -l "$T/missing.log" >"$T/missing.out" 2>&1 || rc=$?
cat "$T/missing.out" "$T/missing.log" 2>/dev/null | tail -n 5
t_check "missing export directory: exit 1 (got $rc)" test "$rc" = 1
t_check "missing export directory: message names it" \
	bash -c "cat '$T/missing.out' '$T/missing.log' 2>/dev/null | grep -q 'no-such-dir'"
t_check "missing export directory: no daemon left" bash -c '! rpcinfo -p 127.0.0.1 | grep -q "^ *100003 "'
t_check "missing export directory: no pidfile left" test ! -e "$T/missing.pid"
xl_reap "$T/missing.pid"

# ------------------------------------------------------------ no rpcbind
t_info "rpcbind not running"
rpcbind_stop
if xl_start "$VOL"; then
	t_pass "daemon starts without rpcbind"
	t_check "log warns about rpcbind" grep -Eq '\] [WE] \[.*(rpcbind|portmap|regist)' "$T/xlnfsd.log"
	for pv in "100003 3" "100005 1" "100005 3"; do
		port=2049
		[[ $pv == 100005* ]] && port=20048
		# shellcheck disable=SC2086
		t_check "$pv answers NULL on tcp port $port" rpc_ping tcp $port $pv
		# shellcheck disable=SC2086
		t_check "$pv answers NULL on udp port $port" rpc_ping udp $port $pv
	done
	t_check "stop without rpcbind" xl_stop
else
	t_fail "daemon starts without rpcbind"
fi

t_done

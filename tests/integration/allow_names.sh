#!/bin/bash
# tests/integration/allow_names.sh — host names in rpc-auth.allow go
# through the hostcache, and a dead name server delays nobody an address
# admits, against xlnfsd in a private namespace (tests/lib/netns.sh):
#   - /etc/resolv.conf points at a name server that never answers (socat
#     swallowing datagrams on 127.0.0.53:53), /etc/hosts names 127.0.0.7
#     good.test (both bind-mounted in this mount namespace);
#   - rpc-auth.allow lists dead.test (only DNS could say), good.test, and
#     127.0.0.2, the address last, so a matcher that resolved names in
#     list order would first wait out the resolver's timeouts;
#   - 127.0.0.2 mounts and calls at once; good.test (forward-confirmed
#     from /etc/hosts) is allowed by name; 127.0.0.3, whose reverse
#     lookup hangs in the dead server, gets NFS3ERR_JUKEBOX at once and
#     MNT3ERR_ACCES after hostname-wait; other.test is refused.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
command -v socat >/dev/null || { echo "ERROR: socat not found (Debian package socat)"; exit 99; }
netns_enter "$@"

RPC=$top_builddir/tests/integration/sec_rpc
[[ -x $RPC ]] || t_abort "$RPC not built"

EXPORT=$T/export
mkdir -p "$EXPORT"
chmod 0777 "$EXPORT"
cp /etc/hosts "$T/hosts"
printf '127.0.0.7 good.test\n127.0.0.8 other.test\n' >>"$T/hosts"
mount --bind "$T/hosts" /etc/hosts || t_abort "bind-mount hosts"
printf 'nameserver 127.0.0.53\noptions timeout:3 attempts:2\n' >"$T/resolv.conf"
mount --bind "$T/resolv.conf" /etc/resolv.conf || t_abort "bind-mount resolv.conf"
printf 'hosts: files dns\n' >"$T/nsswitch.conf"
mount --bind "$T/nsswitch.conf" /etc/nsswitch.conf || t_abort "bind-mount nsswitch.conf"
socat -u UDP4-RECV:53,bind=127.0.0.53 OPEN:/dev/null &
netns_track $!
sleep 0.2
# the name server is dead indeed: a lookup waits out its timeout
t0=$(date +%s%N)
getent hosts dead.test >/dev/null
ms=$((($(date +%s%N) - t0) / 1000000))
t_check "a lookup through the dead name server waits (${ms} ms)" test "$ms" -ge 2500

xl_volfile "$T/export.vol" "$EXPORT" export-dir / rpc-auth.allow dead.test,good.test,127.0.0.2
xl_start "$T/export.vol" || t_abort "xlnfsd did not start"

# timed VAR CMD...: run CMD, its output in VAR, its time in ms in MS
timed() {
	local var=$1 t0
	shift
	t0=$(date +%s%N)
	printf -v "$var" '%s' "$("$@")"
	MS=$((($(date +%s%N) - t0) / 1000000))
}
f1() { echo "${1%% *}"; }
f() { echo "$1" | awk -v n="$2" '{ print $n }'; }

t_info "a client allowed by address: never waits for a name"
timed r "$RPC" -b 127.0.0.2 mnt /
t_check "127.0.0.2 mounts / ($r)" test "$(f1 "$r")" = 0
t_check "... at once (${MS} ms)" test "$MS" -lt 1000
ROOT=$(f "$r" 2)
timed r "$RPC" -b 127.0.0.2 -u 1000 -g 1000 getattr "$ROOT"
t_check "127.0.0.2 GETATTR ($r)" test "$(f1 "$r")" = 0
t_check "... at once (${MS} ms)" test "$MS" -lt 1000

t_info "a host-name entry: the client's forward-confirmed name"
r=$("$RPC" -b 127.0.0.7 mnt /)
t_check "good.test mounts / (MNT waits for the name) ($r)" test "$(f1 "$r")" = 0
r=$("$RPC" -b 127.0.0.7 -u 1000 -g 1000 getattr "$ROOT")
t_check "good.test GETATTR, the name now cached ($r)" test "$(f1 "$r")" = 0
r=$("$RPC" -b 127.0.0.8 mnt /)
t_check "other.test (not listed) is refused: MNT3ERR_ACCES ($r)" test "$r" = 13

t_info "a client whose name hangs in the dead name server"
timed r "$RPC" -b 127.0.0.3 -u 1000 -g 1000 getattr "$ROOT"
t_check "127.0.0.3 GETATTR: NFS3ERR_JUKEBOX ($r)" test "$r" = 10008
t_check "... at once (${MS} ms)" test "$MS" -lt 1000
timed r "$RPC" -b 127.0.0.3 mnt /
t_check "127.0.0.3 MNT: MNT3ERR_ACCES ($r)" test "$r" = 13
t_check "... after hostname-wait, not the resolver's timeouts (${MS} ms)" test "$MS" -lt 2500
timed r "$RPC" -b 127.0.0.2 -u 1000 -g 1000 getattr "$ROOT"
t_check "127.0.0.2 meanwhile still at once (${MS} ms, $r)" test "$MS" -lt 1000 -a "$(f1 "$r")" = 0

t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"
t_done

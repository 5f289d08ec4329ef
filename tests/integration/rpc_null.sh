#!/bin/bash
# tests/integration/rpc_null.sh — the RPC service against the real rpcbind
# and rpcinfo, in a private network + mount namespace (its own lo, /run and
# rpcbind, so port 111 is never the machine's):
#   - registration on tcp, udp, tcp6, udp6; `rpcinfo -p` lists it;
#   - NULL calls through rpcbind over TCP and UDP, IPv4 and IPv6;
#   - a stale registration (server killed with SIGKILL) is replaced;
#   - SIGTERM unregisters;
#   - without rpcbind: one clear warning, and the service still answers.
# Exit: 0 pass, 1 fail, 77 skip (not root / no unshare), as automake wants.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
server=${top_builddir:-$here/../..}/tests/integration/rpc_null_server
PROG=536871065 # 0x20000099

if [ -z "${RPC_NULL_INSIDE:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root for a network namespace"; exit 77; }
	for c in unshare rpcbind rpcinfo ip; do
		command -v $c >/dev/null || { echo "SKIP: $c missing"; exit 77; }
	done
	[ -x "$server" ] || { echo "FAIL: $server not built"; exit 1; }
	RPC_NULL_INSIDE=1 exec unshare --net --mount --propagation private --fork \
		env RPC_NULL_INSIDE=1 server="$server" bash "${BASH_SOURCE[0]}"
fi

T=$(mktemp -d /tmp/rpc_null.XXXXXX)
PIDS=()
fails=0
cleanup() {
	local p
	for p in "${PIDS[@]}"; do
		kill -TERM "$p" 2>/dev/null && wait "$p" 2>/dev/null
	done
	rm -rf "$T"
}
trap cleanup EXIT

check() { # check DESCRIPTION CMD...
	local what=$1
	shift
	if "$@" >>"$T/checks.log" 2>&1; then
		echo "PASS: $what"
	else
		echo "FAIL: $what"
		fails=$((fails + 1))
	fi
}

ip link set lo up
mount -t tmpfs tmpfs /run
mkdir -p /run/rpcbind

# start_server PORT LOG: start the server, wait for "ready", set SERVER_PID.
start_server() {
	"$server" "$1" >"$T/ready.$1" 2>"$2" &
	SERVER_PID=$!
	PIDS+=("$SERVER_PID")
	for _ in $(seq 50); do
		grep -q ready "$T/ready.$1" 2>/dev/null && return 0
		sleep 0.1
	done
	echo "server on port $1 did not start:"
	cat "$2"
	return 1
}

stop_server() { # stop_server SIGNAL
	kill "-$1" "$SERVER_PID"
	{ wait "$SERVER_PID"; } 2>/dev/null
}

listed() { # listed VERS PROTO PORT
	rpcinfo -p 127.0.0.1 | grep -Eq "^ +$PROG +$1 +$2 +$3\$"
}

# ----------------------------------------------------------- without rpcbind
start_server 42049 "$T/norpcbind.log" || exit 1
check "one warning when rpcbind is absent" \
	test "$(grep -c 'rpcbind not reachable: NFS clients must use port=/mountport=' "$T/norpcbind.log")" = 1
# rpcinfo -a: call the universal address directly, no rpcbind (42049 = 164.65).
check "still answers on its port (tcp)" rpcinfo -a 127.0.0.1.164.65 -T tcp $PROG 1
check "still answers on its port (udp)" rpcinfo -a 127.0.0.1.164.65 -T udp $PROG 3
check "version 2 is refused (PROG_MISMATCH 1..3)" \
	sh -c "rpcinfo -a 127.0.0.1.164.65 -T tcp $PROG 2 2>&1 | grep -q 'low version = 1, high version = 3'"
# A connected UDP client (as the kernel's) talking to a second address of a
# wildcard-bound server only hears a reply that comes from that address.
ip addr add 127.0.0.2/8 dev lo 2>/dev/null || true
udp_connected_null() { # udp_connected_null ADDR PORT
	python3 - "$1" "$2" <<'PY'
import socket, struct, sys
s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.connect((sys.argv[1], int(sys.argv[2])))
s.settimeout(3)
s.send(struct.pack(">10I", 0x1234, 0, 2, 536871065, 1, 0, 0, 0, 0, 0))
r = s.recv(100)
sys.exit(0 if struct.unpack(">I", r[:4])[0] == 0x1234 else 1)
PY
}
if command -v python3 >/dev/null; then
	check "UDP reply leaves from the called address (127.0.0.2)" \
		udp_connected_null 127.0.0.2 42049
fi
stop_server TERM
check "stops cleanly without rpcbind" test $? = 0

# -------------------------------------------------------------- with rpcbind
rpcbind -f -w &
PIDS+=("$!")
for _ in $(seq 50); do
	[ -S /run/rpcbind.sock ] && break
	sleep 0.1
done

start_server 42049 "$T/first.log" || exit 1
for v in 1 3; do
	for p in tcp udp; do
		check "rpcinfo -p lists v$v $p on 42049" listed $v $p 42049
	done
done
check "tcp6 registered" sh -c "rpcinfo | grep -Eq '^ +$PROG +1 +tcp6 +::\\.164\\.65 '"
check "udp6 registered" sh -c "rpcinfo | grep -Eq '^ +$PROG +3 +udp6 +::\\.164\\.65 '"
check "NULL over TCP through rpcbind" rpcinfo -t 127.0.0.1 $PROG 1
check "NULL over UDP through rpcbind" rpcinfo -u 127.0.0.1 $PROG 3
check "NULL over tcp6" rpcinfo -T tcp6 ::1 $PROG 1
check "NULL over udp6" rpcinfo -T udp6 ::1 $PROG 3

# A killed server leaves its registration; the next one replaces it.
stop_server KILL
check "a SIGKILLed server leaves a stale entry" listed 1 tcp 42049
start_server 42050 "$T/second.log" || exit 1
check "the stale entry is replaced (tcp, new port)" listed 1 tcp 42050
check "the stale entry is replaced (udp, new port)" listed 3 udp 42050
check "no entry for the old port" sh -c "! rpcinfo -p 127.0.0.1 | grep -q ' 42049\$'"
check "NULL through rpcbind reaches the new server" rpcinfo -t 127.0.0.1 $PROG 3

stop_server TERM
check "exit status 0 after SIGTERM" test $? = 0
check "SIGTERM unregisters everything" sh -c "! rpcinfo -p 127.0.0.1 | grep -q '$PROG'"
check "no warnings or errors logged" sh -c "! grep -E '\\] [WEC] ' '$T/second.log'"

echo "rpc_null: $fails failure(s)"
[ "$fails" = 0 ]

#!/bin/sh
# tests/e2e/nlm_guest.sh — the guest side of tests/e2e/nlm.sh, run by
# "nfs-vm-client --statd --share DIR" (busybox ash, as root, in /share,
# with the guest's own rpcbind and rpc.statd running) with DIR/nlm_lock
# (tests/e2e/nlm_lock.c, static).
#
# Mounts without nolock (the kernel's lock manager in use), then:
#   - one process holds a write lock on bytes 0-99; another's F_SETLK of
#     50-59 gets EAGAIN, of 200-209 is granted;
#   - the host is asked (probe-req -> probe-res in the share) whether the
#     server shows 0-99 locked and 200-299 free to its own NLM client;
#   - an F_SETLKW of byte 0 waits while the lock is held and is granted
#     after its release (the server cannot call back into the guest: the
#     client polls, within 30 s);
#   - flock: a second process gets EWOULDBLOCK, and the lock after release.
# One PASS/FAIL line per check; exits 1 if any failed.
set -u
M=/mnt/nfs
L=$SHARE/nlm_lock
fails=0
passes=0

pass() { passes=$((passes + 1)); echo "PASS: $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }
ok() {
	d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (got '$2', want '$3')"; fi
}
finish() {
	echo "== nlm guest: $passes passed, $fails failed"
	[ "$fails" = 0 ]
	exit $?
}
# wait_line FILE TEXT TENTHS: until FILE holds the line TEXT (1 on timeout)
wait_line() {
	i=0
	while ! grep -qx "$2" "$1" 2>/dev/null; do
		[ $i -ge "$3" ] && return 1
		usleep 100000
		i=$((i + 1))
	done
}

mkdir -p $M
echo "# mount -t nfs -o vers=3,proto=tcp $NFS_SERVER:/ $M (no nolock)"
if ! mount -t nfs -o vers=3,proto=tcp "$NFS_SERVER:/" $M; then
	fail "mount without nolock"
	finish
fi
pass "mount without nolock"
grep " $M " /proc/mounts

# fcntl: two processes conflict
rm -f /tmp/release
$L hold $M/f 0 100 /tmp/release >/tmp/hold.out 2>&1 &
holder=$!
ok "one process holds an F_SETLK write lock of 0-99" wait_line /tmp/hold.out held 300
same "another process's F_SETLK of 50-59 gets EAGAIN" "$($L try $M/f 50 10)" EAGAIN
same "another process's F_SETLK of 200-209 is granted" "$($L try $M/f 200 10)" granted

# the server's side, as another NLM client sees it
: >"$SHARE/probe-req"
ok "the host answered the probe" wait_line "$SHARE/probe-res" "done" 600
same "on the server 0-99 is locked (a second NLM client is DENIED)" \
	"$(sed -n 1p "$SHARE/probe-res")" "0-99 locked"
same "on the server 200-299 is free" "$(sed -n 2p "$SHARE/probe-res")" "200-299 free"

# F_SETLKW: waits while held, granted after the release
$L wait $M/f 0 1 >/tmp/wait.out 2>&1 &
waiter=$!
sleep 3
ok "F_SETLKW of byte 0 waits while the lock is held" kill -0 $waiter
touch /tmp/release
wait $holder
i=0
while kill -0 $waiter 2>/dev/null && [ $i -lt 60 ]; do
	sleep 1
	i=$((i + 1))
done
ok "F_SETLKW is granted after the release ($(cat /tmp/wait.out))" grep -q "^granted after" /tmp/wait.out
kill $waiter 2>/dev/null
wait $waiter 2>/dev/null

# flock
rm -f /tmp/release2
$L flock $M/g /tmp/release2 >/tmp/flock.out 2>&1 &
flocker=$!
ok "one process holds flock LOCK_EX" wait_line /tmp/flock.out held 300
same "another process's flock LOCK_EX|LOCK_NB gets EWOULDBLOCK" "$($L flocktry $M/g)" EWOULDBLOCK
touch /tmp/release2
wait $flocker
same "after its release the flock is granted" "$($L flocktry $M/g)" granted

umount $M || fail "umount"
finish

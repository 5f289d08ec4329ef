#!/bin/sh
# tests/e2e/reload_guest.sh — the guest side of tests/e2e/reload.sh
# (busybox ash, as root, started by nfs-vm-client): mount /a, write, read
# back and compare files in a loop; say "running" in the shared folder
# after some rounds, keep going until the host says "reloaded" and for
# some rounds more, without one error; then mount /b. One PASS/FAIL line
# per check; exits 1 if any failed.
set -u
S=${NFS_SERVER:-10.0.2.2}
SHARE=${SHARE:-/share}
OPTS=vers=3,proto=tcp,nolock
fails=0

pass() { echo "PASS: $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }
check() {
	d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}

# One round: a 256 KiB file written, flushed, read back past the client's
# cache (drop_caches) and compared; a directory listed; the file removed.
round() {
	f=/mnt/a/f.$1
	dd if=/tmp/pattern of="$f" bs=64k conv=fsync 2>/dev/null || return 1
	echo 3 >/proc/sys/vm/drop_caches
	cmp -s /tmp/pattern "$f" || return 1
	ls -l /mnt/a >/dev/null || return 1
	rm "$f" || return 1
}

mkdir -p /mnt/a /mnt/b
dd if=/dev/urandom of=/tmp/pattern bs=64k count=4 2>/dev/null
check "mount $S:/a" mount -t nfs -o $OPTS "$S:/a" /mnt/a
i=0
errors=0
after=-1
while [ "$i" -lt 2000 ]; do
	round "$i" || { errors=$((errors + 1)); echo "# round $i failed"; }
	i=$((i + 1))
	[ "$i" = 20 ] && echo running >"$SHARE/running"
	if [ "$after" -lt 0 ] && [ -e "$SHARE/reloaded" ]; then
		after=0
		echo "# the host reloaded at round $i"
	fi
	[ "$after" -ge 0 ] && after=$((after + 1))
	[ "$after" -ge 30 ] && break
done
echo "# $i rounds, $errors errors"
check "the host reloaded during the loop" test "$after" -ge 30
check "no round failed ($errors of $i)" test "$errors" = 0
check "the same mount still works: a new file" sh -c 'echo after >/mnt/a/after && test "$(cat /mnt/a/after)" = after'
check "mount $S:/b, added by the reload" mount -t nfs -o $OPTS "$S:/b" /mnt/b
check "umount /b" umount /mnt/b
check "umount /a" umount /mnt/a
[ "$fails" = 0 ]

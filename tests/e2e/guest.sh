#!/bin/sh
# tests/e2e/guest.sh — the guest side of the kernel-client end-to-end test,
# run by nfs-vm-client (busybox ash, as root, in /share) from tests/e2e/run.sh.
#
# $1 = the mount options after "vers=3,nolock" (may be empty: through rpcbind).
# Environment: NFS_SERVER (10.0.2.2), SHARE (/share, the host's 9p folder),
# SIZE_MB (size of the big file, default 256), RESTART=1 to ask the host to
# restart the server while mounted (via $SHARE/restart-request and
# $SHARE/restart-done).
#
# Does what people do with a mount: copy a tree in and out with checksums,
# ls -l, mkdir -p, rm -rf, mv over files and directories, ln, ln -s, chmod,
# chown, touch -d, truncate, names with spaces and UTF-8, two concurrent
# writers, df; then (RESTART=1) checks that an open file and the working
# directory keep working across a server restart. One PASS/FAIL line per
# check; exits 1 if any failed.
set -u
OPTS="vers=3,nolock${1:+,$1}"
MB=${SIZE_MB:-256}
M=/mnt/nfs
W=$M/e2e.$$
fails=0
passes=0

pass() { passes=$((passes + 1)); echo "PASS: $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }
# ok DESCRIPTION CMD...: PASS if CMD succeeds
ok() {
	d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}
# same DESCRIPTION A B: PASS if strings A and B are equal
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (got '$2', want '$3')"; fi
}
finish() {
	echo "== guest [$OPTS]: $passes passed, $fails failed"
	[ "$fails" = 0 ]
	exit $?
}
sum() { md5sum "$1" | cut -d' ' -f1; }
# a tree's listing and checksums, relative to $1
treesum() { (cd "$1" && find . -type f | sort | while read -r f; do md5sum "$f"; done); }

mkdir -p $M
echo "# mount -t nfs -o $OPTS $NFS_SERVER:/ $M"
if ! mount -t nfs -o "$OPTS" "$NFS_SERVER:/" $M; then
	fail "mount -o $OPTS"
	finish
fi
pass "mount -o $OPTS"
grep " $M " /proc/mounts
mkdir -p "$W" || { fail "mkdir $W"; finish; }

# --- a tree in and out, with checksums
mkdir -p /tmp/tree/a/b/c "/tmp/tree/with space" "/tmp/tree/ünïcödé ✓"
for i in 1 2 3 4 5 6 7 8 9 10; do
	dd if=/dev/urandom of=/tmp/tree/a/f$i bs=1k count=$((i * 37)) 2>/dev/null
	echo "line $i" >"/tmp/tree/with space/file $i.txt"
done
echo "grüße" >"/tmp/tree/ünïcödé ✓/dätä"
dd if=/dev/urandom of=/tmp/tree/a/b/c/deep bs=1k count=300 2>/dev/null
: >/tmp/tree/a/empty
treesum /tmp/tree >/tmp/tree.sum
ok "cp -a a tree in" cp -a /tmp/tree "$W/tree"
same "the tree's checksums on NFS" "$(treesum "$W/tree")" "$(cat /tmp/tree.sum)"
ok "cp -a the tree out again" cp -a "$W/tree" /tmp/tree.back
same "the copied-back tree's checksums" "$(treesum /tmp/tree.back)" "$(cat /tmp/tree.sum)"
rm -rf /tmp/tree.back
ok "ls -lR" sh -c "ls -lR '$W/tree' >/dev/null"
ls -l "$W/tree" "$W/tree/with space" | head -n 20
same "readdir returns the UTF-8 name" "$(find "$W/tree" -maxdepth 1 -name 'ünïcödé ✓' | wc -l)" 1
same "UTF-8 file content" "$(cat "$W/tree/ünïcödé ✓/dätä")" "grüße"
same "a name with spaces" "$(cat "$W/tree/with space/file 3.txt")" "line 3"

# --- the big file
echo "# writing a $MB MiB file"
dd if=/dev/urandom of=/tmp/big bs=1M count="$MB" 2>/dev/null
src=$(sum /tmp/big)
ok "dd $MB MiB onto NFS (conv=fsync)" dd if=/tmp/big of="$W/big" bs=1M conv=fsync 2>/dev/null
rm -f /tmp/big
same "the big file's size" "$(stat -c %s "$W/big")" "$((MB * 1024 * 1024))"
echo 3 >/proc/sys/vm/drop_caches
same "the big file's checksum read back (cold cache)" "$(sum "$W/big")" "$src"
echo "$src  big" >"$SHARE/big.md5"

# --- namespace operations
ok "mkdir -p" mkdir -p "$W/p/q/r/s"
ok "mkdir -p of an existing path" mkdir -p "$W/p/q"
echo one >"$W/one"
echo two >"$W/two"
ok "mv over an existing file" mv "$W/one" "$W/two"
same "the target now holds the moved file" "$(cat "$W/two")" one
ok "the source name is gone" test ! -e "$W/one"
mkdir -p "$W/d1/inner" "$W/d2"
echo x >"$W/d1/inner/x"
ok "mv a directory over an empty directory" mv -T "$W/d1" "$W/d2"
same "the moved directory's content" "$(cat "$W/d2/inner/x")" x
mkdir -p "$W/d3"
ok "mv a directory into another" mv "$W/d2" "$W/d3/"
ok "the moved tree is there" test -f "$W/d3/d2/inner/x"
ok "mv a file across directories" mv "$W/two" "$W/p/q/r/s/two"
echo target >"$W/target"
ok "ln (hard link)" ln "$W/target" "$W/hard"
same "the hard link's link count" "$(stat -c %h "$W/target")" 2
same "the hard link shares the inode" "$(stat -c %i "$W/hard")" "$(stat -c %i "$W/target")"
ok "ln -s" ln -s target "$W/soft"
same "readlink" "$(readlink "$W/soft")" target
same "read through the symlink" "$(cat "$W/soft")" target
ok "ln -s to a directory" ln -s p/q "$W/dirlink"
ok "cd through a symlink" test -d "$W/dirlink/r/s"

# --- attributes
ok "chmod 0600" chmod 0600 "$W/target"
same "mode after chmod" "$(stat -c %a "$W/target")" 600
ok "chmod u+x,g+s on a directory" chmod u+x,g+s "$W/p"
ok "chown 1234:5678" chown 1234:5678 "$W/target"
same "owner after chown" "$(stat -c %u:%g "$W/target")" 1234:5678
ok "touch -d 2001-09-09" touch -d "2001-09-09 01:46:40" "$W/target"
same "mtime after touch -d" "$(stat -c %Y "$W/target")" \
	"$(date -d "2001-09-09 01:46:40" +%s)"
ok "truncate -s 1M" truncate -s 1M "$W/target"
same "size after truncate -s 1M" "$(stat -c %s "$W/target")" 1048576
ok "truncate -s 3" truncate -s 3 "$W/target"
same "content after truncate -s 3" "$(cat "$W/target")" tar
echo "append" >>"$W/target"
same "append after truncate" "$(cat "$W/target")" "tarappend"

# --- two concurrent writers to different files
dd if=/dev/urandom of=/tmp/w1 bs=64k count=64 2>/dev/null
dd if=/dev/urandom of=/tmp/w2 bs=64k count=64 2>/dev/null
dd if=/tmp/w1 of="$W/w1" bs=4k 2>/dev/null &
p1=$!
dd if=/tmp/w2 of="$W/w2" bs=4k 2>/dev/null &
p2=$!
wait $p1
r1=$?
wait $p2
r2=$?
same "two concurrent writers finish" "$r1 $r2" "0 0"
same "writer 1's data" "$(sum "$W/w1")" "$(sum /tmp/w1)"
same "writer 2's data" "$(sum "$W/w2")" "$(sum /tmp/w2)"
rm -f /tmp/w1 /tmp/w2

# --- df
df "$M"
ok "df reports sizes" sh -c "df -k '$M' | awk 'NR == 2 && \$2 > 0 { ok = 1 } END { exit !ok }'"

# --- rm -rf
ok "rm -rf the tree" rm -rf "$W/tree"
ok "the tree is gone" test ! -e "$W/tree"
ok "rm -rf a deep directory" rm -rf "$W/p" "$W/d3"
ok "rmdir of a non-empty directory fails" sh -c "mkdir '$W/ne' && : >'$W/ne/f' && ! rmdir '$W/ne' 2>/dev/null"
ok "rm of a missing file fails" sh -c "! rm '$W/no-such-file' 2>/dev/null"

# --- server restart while mounted
if [ "${RESTART:-0}" = 1 ]; then
	mkdir -p "$W/cwd"
	printf 'first line\nsecond line\nthird line\n' >"$W/cwd/open.txt"
	cd "$W/cwd" || fail "cd into the working directory"
	exec 3<open.txt
	read -r first <&3
	same "read the first line from fd 3" "$first" "first line"
	echo "# asking the host to restart the server"
	rm -f "$SHARE/restart-done"
	: >"$SHARE/restart-request"
	n=0
	while [ ! -e "$SHARE/restart-done" ] && [ $n -lt 120 ]; do
		sleep 1
		n=$((n + 1))
	done
	ok "the host restarted the server" test -e "$SHARE/restart-done"
	cat "$SHARE/restart-done"
	read -r second <&3
	same "read the next line from the open fd after the restart" "$second" "second line"
	exec 3<&-
	same "the working directory still works (ls .)" "$(ls . 2>&1)" "open.txt"
	ok "create in the working directory" sh -c 'echo after >./after.txt'
	same "read back in the working directory" "$(cat ./after.txt 2>&1)" after
	ok "pwd still resolves" test "$(pwd)" = "$W/cwd"
	ok "stat .. from the working directory" sh -c "stat .. >/dev/null"
	cd / || true
	same "the big file survives the restart" "$(sum "$W/big")" "$src"
	if dmesg | grep -qi 'stale file handle'; then
		fail "the kernel saw a stale file handle"
		dmesg | grep -i stale
	else
		pass "no stale file handle"
	fi
fi

# leave the big file for the host to check on the server's disk
mv "$W/big" "$M/kept-big.$$" && echo "$src  kept-big.$$" >"$SHARE/big.md5"
ok "rm -rf the test directory" rm -rf "$W"
cd /
ok "umount" umount $M
ok "not mounted any more" sh -c "! grep -q ' $M ' /proc/mounts"
finish

#!/bin/bash
# tests/e2e/apps.sh — real applications on an NFS mount through the Linux
# kernel client: git, GNU tar, sqlite3, rsync and GNU cp against xlnfsd.
#
# The guest booted by nfs-vm-client has only busybox. This script bundles
# the host's own binaries (git, tar, sqlite3, rsync and a few coreutils,
# diffutils and findutils programs) with every shared library ldd lists for
# them into the 9p share; tests/e2e/apps_guest.sh copies the libraries to the
# same paths in the guest's root, so the programs run there natively. It
# also makes a source tree (a few hundred files, modes, symlinks, hard
# links, empty directories, nanosecond mtimes, names with spaces and UTF-8)
# and ships it as a tar archive with its metadata listing.
#
# In one private network namespace (tests/lib/netns.sh): rpcbind, xlnfsd on
# the standard ports, and the guest, which mounts vers=3,proto=tcp,nolock
# through rpcbind and runs the applications (one PASS/FAIL line per check).
# Afterwards the host checks on the server's disk what the guest left: git
# fsck of the repository and its clone, sqlite3 integrity_check and row
# counts, and the copies' metadata against the original tree; then that
# xlnfsd still runs and logged no ERROR/CRITICAL line.
#
# A program missing on the host is a hard error (exit 99), never a skip:
# bootstrap.sh test and .ci/run install git, sqlite3 and rsync.
#
# Environment: XLNFS_SHARED (the folder holding nfs-vm-client), XLNFS_E2E=skip
# skips the test (used by `make distcheck` and the sanitizer pass),
# XLNFS_PCAP=FILE captures the guest's traffic for tshark.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"

vm_client_find

# the programs the guest runs, each with the Debian package that has it
declare -A APPS_PKG=(
	[git]=git [tar]=tar [sqlite3]=sqlite3 [rsync]=rsync
	[cp]=coreutils [sha256sum]=coreutils [sort]=coreutils [stat]=coreutils
	[diff]=diffutils [find]=findutils [xargs]=findutils
)
for prog in "${!APPS_PKG[@]}"; do
	command -v "$prog" >/dev/null ||
		{ echo "ERROR: $prog not found (Debian package ${APPS_PKG[$prog]}; sh bootstrap.sh test installs it)"; exit 99; }
done
tar --version | grep -q 'GNU tar' || { echo "ERROR: tar is not GNU tar (Debian package tar)"; exit 99; }
netns_enter "$@"

chmod 0755 "$T"
EXPORT=$T/export
SHARE=$T/share
mkdir -p "$EXPORT" "$SHARE"

# bundle: the programs in $SHARE/bundle/bin, their libraries and the dynamic
# loader under $SHARE/bundle/root at the paths ldd gives (copied, not linked)
bundle() {
	local b=$SHARE/bundle prog path lib
	mkdir -p "$b/bin" "$b/root"
	for prog in "${!APPS_PKG[@]}"; do
		path=$(command -v "$prog")
		cp -L "$path" "$b/bin/$prog" || return 1
		ldd "$path" >"$T/ldd.out" 2>&1 || { cat "$T/ldd.out"; return 1; }
		for lib in $(grep -o '/[^ ]*' "$T/ldd.out"); do
			[[ -e $b/root$lib ]] && continue
			mkdir -p "$b/root${lib%/*}"
			cp -L "$lib" "$b/root$lib" || return 1
		done
	done
	# what git runs by name rather than as a built-in of the same binary:
	# a local clone asks git-upload-pack (through sh) for the refs
	ln -s git "$b/bin/git-upload-pack"
}

# make_tree DIR: the source tree. Contents and times are fixed (seeded
# random data from awk), so two runs make the same tree.
make_tree() {
	local top=$1 d i n
	mkdir -p "$top"
	for d in 0 1 2 3 4 5 6 7; do
		mkdir -p "$top/d$d/sub"
		for ((i = 0; i < 36; i++)); do
			seq -f "d$d/f$i line %g: the quick brown fox jumps over the lazy dog" \
				$((i * 9 + d)) >"$top/d$d/f$i.txt"
		done
		for ((i = 0; i < 4; i++)); do
			LC_ALL=C awk -v n=$(((d * 4 + i) * 3001 + 17)) -v s=$((d * 4 + i)) \
				'BEGIN { srand(s); for (j = 0; j < n; j++) printf "%c", int(rand() * 256) }' \
				</dev/null >"$top/d$d/sub/b$i.bin"
		done
	done
	LC_ALL=C awk 'BEGIN { srand(99); for (j = 0; j < 1048576; j++) printf "%c", int(rand() * 256) }' \
		</dev/null >"$top/big.bin"
	: >"$top/d0/zero-length"
	echo space >"$top/d1/with space.txt"
	echo grüße >"$top/d1/ünïcödé ✓.txt"
	# modes
	chmod 0755 "$top/d0/f1.txt" "$top/d2/f3.txt"
	chmod 0600 "$top/d1/f2.txt"
	chmod 0640 "$top/d3/f4.txt"
	chmod 0444 "$top/d4/f5.txt"
	chmod 0700 "$top/d5/sub"
	chmod 2755 "$top/d6"
	# links
	ln -s ../d1/f3.txt "$top/d0/link-to-file"
	ln -s d2 "$top/link-to-dir"
	ln -s no-such-target "$top/d7/dangling"
	ln "$top/d3/f5.txt" "$top/d4/hard-1"
	ln "$top/d3/f5.txt" "$top/d5/hard-2"
	# empty directories
	mkdir -p "$top/empty" "$top/d6/deep/er/empty"
	# times: every entry its own, with nanoseconds, children before parents
	n=0
	while IFS= read -r -d '' i; do
		n=$((n + 1))
		touch -h -d "@$((946684800 + n * 86399)).$(printf %09d $((n * 7919 % 1000000000)))" "$i"
	done < <(find "$top" -depth -print0)
}

# tree_meta DIR: one line per entry (type, mode, owner, links, size, mtime,
# name, symlink target), sorted; directories without their link count and
# size, which depend on the file system. On storage/posix's disk (an export
# with .xlnfs/index) every non-directory has one more link, the index's,
# which clients never see: it is left out of the count.
tree_meta() {
	local index=0
	[ -d "$EXPORT/.xlnfs/index" ] && case $1 in "$EXPORT"/*) index=1 ;; esac
	(
		cd "$1" &&
			{
				find . -type d -printf '%y %m %U:%G %T@ %p\n'
				find . ! -type d -printf '%y %m %U:%G %n %s %T@ %p %l\n' |
					perl -pe 's/^(\S+ \S+ \S+ )(\d+)/$1.($2-'"$index"')/e'
			} | LC_ALL=C sort
	)
}

# tree_sums DIR: content checksums of the files, sorted by name
tree_sums() {
	(cd "$1" && find . -type f -print0 | LC_ALL=C sort -z | xargs -0 sha256sum)
}

# same_meta DESCRIPTION DIR: DIR's metadata equals the original tree's
same_meta() {
	if tree_meta "$2" >"$T/meta.got" && diff -u "$T/src.meta" "$T/meta.got" >"$T/meta.diff"; then
		t_pass "$1"
	else
		head -n 20 "$T/meta.diff" | sed 's/^/    | /'
		t_fail "$1"
	fi
}

# sql_value DB SQL: the answer of sqlite3 on the host
sql_value() { sqlite3 -batch "$1" "$2" 2>&1; }

# same_value DESCRIPTION GOT WANT
same_value() {
	if [[ $2 == "$3" ]]; then t_pass "$1"; else t_fail "$1 (got '$2', want '$3')"; fi
}

t_info "bundle the host's programs and libraries for the guest"
bundle || t_abort "could not bundle the programs"
du -sh "$SHARE/bundle" | cut -f1 | sed 's/^/bundle size: /'
make_tree "$T/src" || t_abort "could not make the source tree"
tree_meta "$T/src" >"$T/src.meta"
cp "$T/src.meta" "$SHARE/src.meta"
tree_sums "$T/src" >"$SHARE/src.sums"
tar --format=posix --numeric-owner -C "$T" -cf "$SHARE/src.tar" src ||
	t_abort "could not archive the source tree"
echo "source tree: $(grep -c . "$T/src.meta") entries, $(du -sh "$T/src" | cut -f1)"

VOL=$T/export.vol
xl_volfile "$VOL" "$EXPORT" export-dir /
xl_start "$VOL" || t_abort "xlnfsd did not start"

t_info "guest run: git, tar, sqlite3, rsync, cp on vers=3,proto=tcp,nolock"
vm_client_run "$T/guest.out" --share "$SHARE" --mem 1024 --timeout 600 \
	${XLNFS_PCAP:+--pcap "$XLNFS_PCAP"} -- "$here/apps_guest.sh"
sed 's/^/    | /' "$T/guest.out"
grep -q '^PASS: ' "$T/guest.out" || t_fail "the guest ran no check"
t_check "guest: $(grep -E '^== guest' "$T/guest.out" | sed 's/^== guest[^:]*: //') (exit $VM_RC, $VM_SECONDS s)" \
	test "$VM_RC" = 0
grep -Ev '^(PASS|FAIL): ' "$T/guest.out" >"$T/guest.msgs"
t_check "no \"Stale file handle\" / \"not responding\"" \
	not grep -Eqi 'stale file handle|not responding' "$T/guest.msgs"

t_info "what the guest left on the server's disk"
A=$EXPORT/apps
if [[ -s $SHARE/git.head ]]; then
	for repo in repo clone; do
		if git -C "$A/$repo" fsck --full >"$T/fsck.out" 2>&1 && ! grep -q . "$T/fsck.out"; then
			t_pass "host: git fsck --full of $repo"
		else
			sed 's/^/    | /' "$T/fsck.out"
			t_fail "host: git fsck --full of $repo"
		fi
		same_value "host: $repo's HEAD is the guest's last commit" \
			"$(git -C "$A/$repo" rev-parse HEAD 2>&1)" "$(cat "$SHARE/git.head")"
	done
else
	t_fail "the guest left no git HEAD"
fi
for db in rollback wal; do
	if [[ -s $SHARE/$db.expect ]]; then
		same_value "host: sqlite3 integrity_check of $db.db" \
			"$(sql_value "$A/$db.db" 'PRAGMA integrity_check;')" ok
		same_value "host: $db.db's rows (count, sum of keys, total length)" \
			"$(sql_value "$A/$db.db" 'SELECT count(*), sum(k), total(length(v)) FROM t;')" \
			"$(cat "$SHARE/$db.expect")"
	else
		t_fail "the guest left no $db.db expectation"
	fi
done
same_meta "host: the tar extraction's metadata equals the original tree's" "$A/tarx/src"
same_meta "host: the rsync copy's metadata equals the original tree's" "$A/rsync"
same_meta "host: the cp -a copy's metadata equals the original tree's" "$A/cp"
t_check "host: the rsync copy's contents" \
	bash -c "cd '$A/rsync' && sha256sum --quiet -c '$SHARE/src.sums'"

t_check "xlnfsd still running" kill -0 "$XLNFSD_PID"
if grep -E '^\[[^]]*\] [EC] ' "$T/xlnfsd.log" >"$T/log.errors"; then
	head -n 20 "$T/log.errors" | sed 's/^/    | /'
	t_fail "the server logged $(wc -l <"$T/log.errors") ERROR/CRITICAL lines"
else
	t_pass "no ERROR/CRITICAL line in the server's log"
fi
t_check "stop" xl_stop
t_done

#!/bin/sh
# tests/e2e/apps_guest.sh — the guest side of tests/e2e/apps.sh: real
# applications on an NFS mount (busybox ash, as root, in /share, started by
# nfs-vm-client).
#
# The share holds bundle/bin (the host's git, GNU tar, sqlite3, rsync and
# coreutils/diffutils/findutils programs), bundle/root (their shared
# libraries and the dynamic loader at the host's paths), src.tar (the source
# tree), src.meta and src.sums (its metadata listing and checksums, made on
# the host). This script copies the libraries into the guest's root, mounts
# the server vers=3,proto=tcp,nolock through rpcbind and runs, each step
# checked:
#   cp -a     the tree onto the mount and back, metadata compared;
#   GNU tar   an archive of the tree on the mount, extracted there with -p,
#             tar --compare, metadata compared, and archived back;
#   rsync -aH onto the mount and back, an incremental update, then
#             --checksum --dry-run --itemize-changes must show nothing;
#   git       init, add, commit, modify/rename/delete, commit, status, gc,
#             fsck, checkout of the first commit, a local clone (hard links);
#   sqlite3   thousands of inserts in transactions, an update/delete and a
#             rolled back transaction, in rollback journal mode and in WAL;
#             integrity_check and the rows' sums;
# then unmounts, mounts again and checks the databases and a tree from a
# cold cache. It leaves under apps/ on the export what the host checks on
# the server's disk, and git.head and <db>.expect in the share. One
# PASS/FAIL line per check; exits 1 if any failed.
set -u
OPTS=vers=3,proto=tcp,nolock
M=/mnt/nfs
A=$M/apps
B=/opt/apps
SRC=/tmp/src
fails=0
passes=0
t0=$(cut -d. -f1 /proc/uptime)

pass() { passes=$((passes + 1)); echo "PASS: $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }
# same DESCRIPTION A B: PASS if strings A and B are equal
same() {
	if [ "$2" = "$3" ]; then pass "$1"; else fail "$1 (got '$2', want '$3')"; fi
}
# run DESCRIPTION CMD...: PASS if CMD succeeds; its output is shown only
# when it fails
run() {
	d=$1
	shift
	if "$@" >/tmp/run.out 2>&1; then
		pass "$d"
	else
		fail "$d (exit $?)"
		head -n 30 /tmp/run.out | sed 's/^/  | /'
	fi
}
# quiet DESCRIPTION CMD...: PASS if CMD succeeds and prints nothing
quiet() {
	d=$1
	shift
	"$@" >/tmp/run.out 2>&1
	rc=$?
	if [ $rc = 0 ] && [ ! -s /tmp/run.out ]; then
		pass "$d"
	else
		fail "$d (exit $rc)"
		head -n 30 /tmp/run.out | sed 's/^/  | /'
	fi
}
finish() {
	echo "== guest [$OPTS]: $passes passed, $fails failed, $(($(cut -d. -f1 /proc/uptime) - t0)) s"
	[ "$fails" = 0 ]
	exit $?
}
section() { echo "# --- $* (at $(($(cut -d. -f1 /proc/uptime) - t0)) s)"; }

# --- the bundled programs
section "installing the bundled programs"
mkdir -p $B/templates
if ! cp -a "$SHARE/bundle/bin" $B/ || ! cp -a "$SHARE/bundle/root/." /; then
	fail "copy the bundled programs and libraries into the guest"
	finish
fi
# busybox ash runs its own applet for a name it has (cp, tar, find, ...)
# whatever PATH says; these functions make the names mean the GNU programs
cp() { "$B/bin/cp" "$@"; }
diff() { "$B/bin/diff" "$@"; }
find() { "$B/bin/find" "$@"; }
sha256sum() { "$B/bin/sha256sum" "$@"; }
sort() { "$B/bin/sort" "$@"; }
stat() { "$B/bin/stat" "$@"; }
tar() { "$B/bin/tar" "$@"; }
xargs() { "$B/bin/xargs" "$@"; }
for p in git tar sqlite3 rsync cp diff find sha256sum sort stat xargs; do
	if "$B/bin/$p" --version >/tmp/version 2>&1; then
		echo "# $p: $(head -n 1 /tmp/version)"
	else
		fail "$p runs in the guest"
		head -n 5 /tmp/version | sed 's/^/  | /'
	fi
done
[ "$fails" = 0 ] || finish
pass "the bundled programs run in the guest"
export PATH="$B/bin:$PATH" LC_ALL=C HOME=/root
export GIT_EXEC_PATH=$B/bin GIT_TEMPLATE_DIR=$B/templates GIT_CONFIG_NOSYSTEM=1
export GIT_AUTHOR_NAME=xlnfs GIT_AUTHOR_EMAIL=xlnfs@example.invalid
export GIT_COMMITTER_NAME=xlnfs GIT_COMMITTER_EMAIL=xlnfs@example.invalid
umask 022

# tree_meta DIR: as in apps.sh — type, mode, owner, links, size, mtime,
# name, symlink target; directories without link count and size
tree_meta() {
	(
		cd "$1" &&
			{
				find . -type d -printf '%y %m %U:%G %T@ %p\n'
				find . ! -type d -printf '%y %m %U:%G %n %s %T@ %p %l\n'
			} | sort
	)
}
# same_meta DESCRIPTION DIR: DIR's metadata equals the original tree's
same_meta() {
	tree_meta "$2" >/tmp/meta.got
	if diff -u "$SHARE/src.meta" /tmp/meta.got >/tmp/meta.diff; then
		pass "$1"
	else
		fail "$1"
		head -n 20 /tmp/meta.diff | sed 's/^/  | /'
	fi
}
# same_sums DESCRIPTION DIR: the files in DIR have the original contents
same_sums() {
	run "$1" sh -c "cd '$2' && $B/bin/sha256sum --quiet -c '$SHARE/src.sums'"
}
# treesum DIR: checksums of the files and targets of the symlinks outside .git
treesum() {
	(
		cd "$1" || exit 1
		find . -name .git -prune -o -type f -print0 | sort -z | xargs -0 "$B/bin/sha256sum"
		find . -name .git -prune -o -type l -printf '%p -> %l\n' | sort
	)
}

# --- mount
mkdir -p $M
echo "# mount -t nfs -o $OPTS $NFS_SERVER:/ $M"
if ! mount -t nfs -o "$OPTS" "$NFS_SERVER:/" $M; then
	fail "mount -o $OPTS"
	finish
fi
pass "mount -o $OPTS"
rm -rf $A
mkdir $A || { fail "mkdir $A"; finish; }

section "the source tree"
run "extract the source tree (GNU tar -xp to tmpfs)" tar -xpf "$SHARE/src.tar" -C /tmp
same_meta "the source tree's metadata in the guest equals the host's" $SRC
echo "# $(grep -c . "$SHARE/src.meta") entries, $(du -sh $SRC | cut -f1)"

# --- cp -a
section "cp -a"
run "cp -a the tree onto NFS" cp -a $SRC $A/cp
same_meta "cp -a: modes, owners, hard links, sizes, mtimes, symlinks on NFS" $A/cp
same_sums "cp -a: the contents on NFS" $A/cp
run "cp -a the tree back from NFS" cp -a $A/cp /tmp/cp.back
same_meta "cp -a back: the metadata" /tmp/cp.back
same_sums "cp -a back: the contents" /tmp/cp.back
rm -rf /tmp/cp.back

# --- GNU tar
section "GNU tar"
run "tar -c of the tree into an archive on NFS (posix format)" \
	tar --format=posix -C /tmp -cf $A/src.tar src
mkdir $A/tarx
run "tar -xp of the archive on NFS into NFS" tar -xpf $A/src.tar -C $A/tarx
quiet "tar --compare of the archive and the extraction" tar --compare -f $A/src.tar -C $A/tarx
same_meta "tar: modes, owners, hard links, sizes, mtimes, symlinks, empty dirs" $A/tarx/src
same_sums "tar: the contents" $A/tarx/src
run "tar -c of the extraction on NFS (read back)" tar --format=posix -C $A/tarx -cf /tmp/back.tar src
mkdir /tmp/tarback
run "tar -xp of that archive to tmpfs" tar -xpf /tmp/back.tar -C /tmp/tarback
same_meta "tar back: the metadata" /tmp/tarback/src
rm -rf /tmp/tarback /tmp/back.tar

# --- rsync
section "rsync"
# nothing_to_do DESCRIPTION FROM TO: rsync by checksum finds no difference
nothing_to_do() {
	quiet "$1" rsync -aH --checksum --dry-run --itemize-changes "$2/" "$3/"
}
run "rsync -aH the tree onto NFS" rsync -aH $SRC/ $A/rsync/
same_meta "rsync: the metadata on NFS" $A/rsync
run "rsync -aH back from NFS" rsync -aH $A/rsync/ /tmp/rsync.back/
same_meta "rsync back: the metadata" /tmp/rsync.back
nothing_to_do "rsync --checksum --dry-run: tree to NFS shows nothing" $SRC $A/rsync
nothing_to_do "rsync --checksum --dry-run: NFS to the copy back shows nothing" $A/rsync /tmp/rsync.back
# an incremental update (temp file + rename over the old one, --delete)
# onto NFS, then back to the original
echo changed >>/tmp/rsync.back/d1/f7.txt
touch -d "2011-11-11 11:11:11" /tmp/rsync.back/d2/f8.txt
rm /tmp/rsync.back/d3/f9.txt
echo new >/tmp/rsync.back/d4/new.txt
run "rsync -aH --delete of changes onto NFS" rsync -aH --delete /tmp/rsync.back/ $A/rsync/
nothing_to_do "rsync --checksum --dry-run: the changes reached NFS" /tmp/rsync.back $A/rsync
run "rsync -aH --delete of the original tree onto NFS" rsync -aH --delete $SRC/ $A/rsync/
nothing_to_do "rsync --checksum --dry-run: NFS holds the original again" $SRC $A/rsync
same_meta "rsync: the metadata after the updates" $A/rsync
rm -rf /tmp/rsync.back

# --- git
section "git"
R=$A/repo
run "cp -a the tree into a new work tree" cp -a $SRC $R
cd $R || { fail "cd $R"; finish; }
run "git init" git init -q -b main
run "git add -A ($(find . -type f | wc -l) files)" git add -A
run "git commit (the first)" git commit -q -m "first: the source tree"
first=$(git rev-parse HEAD)
treesum . >/tmp/git.sum1
i=0
while [ $i -lt 10 ]; do
	echo "changed $i" >>d1/f$i.txt
	i=$((i + 1))
done
run "git mv of a directory" git mv d2 d2-renamed
run "git mv of a file" git mv d3/f1.txt d3/renamed.txt
run "git rm of 11 files" git rm -q d4/f1.txt d4/f1?.txt
rm d5/f3.txt d5/sub/b0.bin
mkdir new
seq 1 500 >new/numbers.txt
chmod 0755 d0/f2.txt
ln -s ../new/numbers.txt d6/link-to-new
run "git add -A of the changes" git add -A
run "git commit (the second)" git commit -q -m "second: changes, renames, deletions"
head=$(git rev-parse HEAD)
treesum . >/tmp/git.sum2
quiet "git status --porcelain is clean" git status --porcelain
same "git rev-list --count HEAD" "$(git rev-list --count HEAD 2>&1)" 2
same "git diff -M finds the 41 renames" \
	"$(git diff -M --name-status HEAD~1 HEAD 2>&1 | grep -c '^R100')" 41
loose=$(git count-objects -v | sed -n 's/^count: //p')
run "loose objects before git gc ($loose)" test "${loose:-0}" -gt 0
run "git gc --prune=now" git gc --quiet --prune=now
same "no loose objects after git gc" "$(git count-objects -v | sed -n 's/^count: //p')" 0
same "one pack after git gc" "$(git count-objects -v | sed -n 's/^packs: //p')" 1
quiet "git fsck --full" git fsck --full
run "git checkout of the first commit" git checkout -q "$first"
same "the first commit's files come back" "$(treesum . | sha256sum)" "$(sha256sum </tmp/git.sum1)"
run "git checkout main" git checkout -q main
same "the second commit's files come back" "$(treesum . | sha256sum)" "$(sha256sum </tmp/git.sum2)"
quiet "git status --porcelain is clean after the checkouts" git status --porcelain
cd /
run "git clone of the repository on NFS into NFS" git clone -q $R $A/clone
pack=$(cd $R/.git/objects/pack && echo *.pack)
same "the local clone hard-linked the pack" "$(stat -c %i $A/clone/.git/objects/pack/"$pack" 2>&1)" \
	"$(stat -c %i $R/.git/objects/pack/"$pack")"
same "the pack's link count" "$(stat -c %h $R/.git/objects/pack/"$pack")" 2
quiet "git fsck --full of the clone" git -C $A/clone fsck --full
same "the clone's HEAD" "$(git -C $A/clone rev-parse HEAD 2>&1)" "$head"
same "the clone's files" "$(treesum $A/clone | sha256sum)" "$(sha256sum </tmp/git.sum2)"
echo "$head" >"$SHARE/git.head"

# --- sqlite3
section "sqlite3"
# rows_sql TRANSACTIONS ROWS FIRST-KEY END: SQL inserting ROWS rows per
# transaction, each ended by END (COMMIT or ROLLBACK)
rows_sql() {
	awk -v tx="$1" -v rows="$2" -v first="$3" -v end="$4" 'BEGIN {
		for (t = 0; t < tx; t++) {
			print "BEGIN;"
			for (i = 0; i < rows; i++) {
				k = first + t * rows + i
				printf "INSERT INTO t(k, v) VALUES(%d, printf(\"%%0*d\", %d, %d));\n", k, 100 + k % 400, k
			}
			print end ";"
		}
	}'
}
# db_sql: what every database gets: 4000 rows in 40 transactions, an update
# and a delete in one, 500 rows rolled back
db_sql() {
	echo "CREATE TABLE t(k INTEGER PRIMARY KEY, v TEXT NOT NULL);"
	echo "CREATE INDEX t_v ON t(v);"
	rows_sql 40 100 0 COMMIT
	echo "BEGIN; UPDATE t SET v = v || 'x' WHERE k % 10 = 0; DELETE FROM t WHERE k % 7 = 0; COMMIT;"
	rows_sql 1 500 4000 ROLLBACK
}
# the rows db_sql leaves: count, sum of keys, total length of the values
expect=$(awk 'BEGIN {
	for (k = 0; k < 4000; k++)
		if (k % 7) { n++; s += k; l += 100 + k % 400 + (k % 10 == 0) }
	printf "%d|%d|%.1f\n", n, s, l
}')
rows_query='SELECT count(*), sum(k), total(length(v)) FROM t;'
# db_check LABEL DB: integrity and rows
db_check() {
	same "$1: PRAGMA integrity_check" "$(sqlite3 -batch "$2" 'PRAGMA integrity_check;' 2>&1)" ok
	same "$1: the rows (count, sum of keys, total length)" \
		"$(sqlite3 -batch "$2" "$rows_query" 2>&1)" "$expect"
}
db_sql >/tmp/db.sql
DB=$A/rollback.db
run "sqlite3: 4000 inserts in 40 transactions, rollback journal" \
	sh -c "sqlite3 -batch -bail '$DB' </tmp/db.sql"
same "sqlite3: journal_mode" "$(sqlite3 -batch $DB 'PRAGMA journal_mode;' 2>&1)" delete
run "sqlite3: no journal left behind" test ! -e $DB-journal
db_check "sqlite3 rollback journal" $DB
echo "$expect" >"$SHARE/rollback.expect"
DB=$A/wal.db
same "sqlite3: PRAGMA journal_mode=WAL" "$(sqlite3 -batch $DB 'PRAGMA journal_mode=WAL;' 2>&1)" wal
run "sqlite3: 4000 inserts in 40 transactions, WAL" \
	sh -c "sqlite3 -batch -bail '$DB' </tmp/db.sql"
# a writer and a reader at once (locks are client-local with nolock; one
# client coordinates through fcntl locks and the shared-memory file): every
# read sees a whole number of the writer's 50-row transactions
base=$(sqlite3 -batch $DB 'SELECT count(*) FROM t;' 2>&1)
# whole_tx COUNT: COUNT is the base plus a whole number of transactions
whole_tx() {
	case $1 in '' | *[!0-9]*) return 1 ;; esac
	[ $((($1 - base) % 50)) = 0 ] && [ "$1" -ge "$base" ] && [ "$1" -le $((base + 2000)) ]
}
(echo ".timeout 20000" && rows_sql 40 50 10000 COMMIT &&
	echo "DELETE FROM t WHERE k >= 10000;") | sqlite3 -batch -bail $DB >/tmp/writer.out 2>&1 &
writer=$!
reads=0
bad=0
while kill -0 $writer 2>/dev/null; do
	n=$(sqlite3 -batch -cmd ".timeout 20000" $DB "SELECT count(*) FROM t;" 2>&1)
	if ! whole_tx "$n"; then
		bad=$((bad + 1))
		echo "  | the reader saw: $n"
	fi
	reads=$((reads + 1))
done
wait $writer
wrc=$?
same "sqlite3 WAL: a writer alongside a reader finishes" "$wrc $(cat /tmp/writer.out)" "0 "
same "sqlite3 WAL: the reader's $reads reads saw whole transactions" "$bad" 0
same "sqlite3 WAL: PRAGMA wal_checkpoint(TRUNCATE)" \
	"$(sqlite3 -batch $DB 'PRAGMA wal_checkpoint(TRUNCATE);' 2>&1)" "0|0|0"
db_check "sqlite3 WAL" $DB
echo "$expect" >"$SHARE/wal.expect"

# --- from a cold cache
section "remount"
run "umount" umount $M
run "mount again" mount -t nfs -o "$OPTS" "$NFS_SERVER:/" $M
db_check "after the remount, rollback.db" $A/rollback.db
db_check "after the remount, wal.db" $A/wal.db
same "after the remount, wal.db is still in WAL mode" \
	"$(sqlite3 -batch $A/wal.db 'PRAGMA journal_mode;' 2>&1)" wal
same_sums "after the remount, the rsync copy's contents" $A/rsync
same_meta "after the remount, the tar extraction's metadata" $A/tarx/src
quiet "after the remount, git fsck --full" git -C $A/repo fsck --full
run "umount" umount $M
finish

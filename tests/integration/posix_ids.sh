#!/bin/bash
# tests/integration/posix_ids.sh — storage/posix object ids (the ids NFS file
# handles carry) survive what happens to an export between two runs, checked
# through the module directly (tests/integration/posix_ids, one process per
# step, so only the disk connects them), in a private mount namespace with
# filesystems of its own:
#   - a restart (a new process on the same tmpfs);
#   - renames of a directory and a file through the fops;
#   - a copy to ANOTHER filesystem (a second tmpfs) with `rsync -aXH`;
#   - a copy with `rsync -aX` (no -H: the index holds copies, not links):
#     handles go stale, and xlnfs-posix-reindex makes them resolve again;
#   - an overlayfs export whose lower layer was filled outside NFS: ids are
#     given on first lookup/readdirplus and survive a remount of the overlay.
# Exit: 0 pass, 1 fail, 77 skip (not root, no unshare/rsync, no overlayfs).
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
build=${top_builddir:-$here/../..}
drv=$build/tests/integration/posix_ids
reindex=$build/xlators/storage/posix/xlnfs-posix-reindex

if [ -z "${POSIX_IDS_INSIDE:-}" ]; then
	[ "$(id -u)" = 0 ] || { echo "SKIP: needs root (mounts, trusted.* xattrs)"; exit 77; }
	for c in unshare rsync mount; do
		command -v $c >/dev/null || { echo "SKIP: $c missing"; exit 77; }
	done
	for p in "$drv" "$reindex"; do
		[ -x "$p" ] || { echo "FAIL: $p not built"; exit 1; }
	done
	exec unshare --mount --propagation private --fork \
		env POSIX_IDS_INSIDE=1 drv="$drv" reindex="$reindex" bash "${BASH_SOURCE[0]}"
fi

T=$(mktemp -d /tmp/posix_ids.XXXXXX)
passed=0
failed=0
cleanup() {
	local m
	for m in "$T/merged" "$T/ovl" "$T/b" "$T/a"; do
		mountpoint -q "$m" 2>/dev/null && umount "$m"
	done
	rm -rf "$T"
}
trap cleanup EXIT

ok() { echo "ok: $1"; passed=$((passed + 1)); }
bad() { echo "FAIL: $1"; failed=$((failed + 1)); }
expect() { # expect DESCRIPTION CMD... : CMD succeeds
	local what=$1
	shift
	if "$@" >"$T/out" 2>&1; then ok "$what"; else bad "$what"; cat "$T/out"; fi
}
expect_not() { # expect_not DESCRIPTION CMD... : CMD fails
	local what=$1
	shift
	if "$@" >"$T/out" 2>&1; then bad "$what"; cat "$T/out"; else ok "$what"; fi
}

mkdir -p "$T/a" "$T/b"
mount -t tmpfs -o size=64m tmpfs "$T/a" || { echo "FAIL: cannot mount tmpfs"; exit 1; }
mount -t tmpfs -o size=64m tmpfs "$T/b"

# 1. made through the fops, checked by id alone in a new process
expect "make a tree on tmpfs" "$drv" make "$T/a" "$T/ids"
expect "ids listed" test "$(wc -l <"$T/ids")" -ge 7
expect "ids resolve after a restart" "$drv" check "$T/a" "$T/ids"

# 2. renames
expect "rename a directory and move a file" "$drv" rename "$T/a"
expect "ids resolve after the renames (and a restart)" "$drv" check "$T/a" "$T/ids"
expect "the index is hidden from a scan" "$drv" scan "$T/a" "$T/scan"
expect_not "no .xlnfs in the scan" grep -q xlnfs "$T/scan"

# 3. a copy to another filesystem that keeps xattrs and hard links
rsync -aXH "$T/a/" "$T/b/"
expect "ids resolve on another tmpfs after rsync -aXH" "$drv" check "$T/b" "$T/ids"

# 4. a copy that loses the hard links: stale until reindexed
umount "$T/b"
mount -t tmpfs -o size=64m tmpfs "$T/b"
rsync -aX "$T/a/" "$T/b/"
expect_not "file ids stale after rsync -aX without -H" "$drv" check "$T/b" "$T/ids"
expect "xlnfs-posix-reindex" "$reindex" "$T/b"
expect "ids resolve after the reindex" "$drv" check "$T/b" "$T/ids"
expect "every index entry is a link to a named file again" \
	test "$(find "$T/b/.xlnfs/index" -type f -links 1 | wc -l)" = 0
expect_not "reindex left no old index" bash -c "ls -d '$T/b/.xlnfs/'index.old* 2>/dev/null | grep -q ."

# 5. overlayfs: a lower layer made outside NFS
mkdir -p "$T/ovl"
mount -t tmpfs -o size=64m tmpfs "$T/ovl"
mkdir -p "$T/ovl/lower/dir/sub" "$T/ovl/upper" "$T/ovl/work" "$T/merged"
echo lower-file >"$T/ovl/lower/dir/sub/file"
echo lower-top >"$T/ovl/lower/topfile"
ln -s dir/sub/file "$T/ovl/lower/sym"
ovl_mount() {
	mount -t overlay overlay \
		-o "lowerdir=$T/ovl/lower,upperdir=$T/ovl/upper,workdir=$T/ovl/work" "$T/merged"
}
if ! ovl_mount 2>"$T/out"; then
	cat "$T/out"
	echo "SKIP: overlayfs cannot be mounted here ($passed passed so far)"
	exit 77
fi
expect "scan an overlay filled outside NFS (ids given)" "$drv" scan "$T/merged" "$T/ovl-ids"
expect "overlay ids resolve after a restart" "$drv" check "$T/merged" "$T/ovl-ids"
expect "make a tree on the overlay" "$drv" make "$T/merged" "$T/ovl-made"
umount "$T/merged"
ovl_mount
expect "overlay ids resolve after a remount" "$drv" check "$T/merged" "$T/ovl-ids"
expect "made ids resolve after a remount" "$drv" check "$T/merged" "$T/ovl-made"
expect "rename on the overlay" "$drv" rename "$T/merged"
expect "ids resolve after renames on the overlay" "$drv" check "$T/merged" "$T/ovl-made"

echo "$passed passed, $failed failed"
[ "$failed" = 0 ]

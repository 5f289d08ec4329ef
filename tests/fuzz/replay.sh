#!/bin/bash
# tests/fuzz/replay.sh — replay every fuzz corpus file (seeds and the inputs
# that once crashed, regress-*) through the fuzz targets' code built with
# gcc and a plain main (replay_main.c), so `make check` catches regressions
# without clang. fuzz_dispatch's server listens on 127.0.0.1: it runs in a
# private network + mount namespace (its export on a private tmpfs), which
# needs root; without root that part is skipped and said so.
# Exit: 0 pass, 1 fail.
set -u
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$here/../..}"
: "${top_builddir:=$top_srcdir}"
corpus=$top_srcdir/tests/fuzz/corpus
bin=$top_builddir/tests/fuzz
export XLNFS_XLATOR_PATH="${XLNFS_XLATOR_PATH:-$top_builddir/xlators}"
fails=0

if [ -n "${FUZZ_REPLAY_INSIDE:-}" ]; then
	ip link set lo up || exit 99
	mount -t tmpfs tmpfs "$FUZZ_REPLAY_INSIDE" || exit 99
	TMPDIR=$FUZZ_REPLAY_INSIDE exec "$bin/replay_dispatch" "$corpus/dispatch"
fi

for t in record callhdr nfs3_args; do
	if "$bin/replay_$t" "$corpus/$t"; then
		echo "PASS: $t corpus"
	else
		echo "FAIL: $t corpus (exit $?)"
		fails=$((fails + 1))
	fi
done

if [ "$(id -u)" != 0 ] || ! command -v unshare >/dev/null || ! command -v ip >/dev/null; then
	echo "SKIP: dispatch corpus (needs root, unshare and ip for a network namespace)"
else
	tmp=$(mktemp -d "${TMPDIR:-/tmp}/fuzz_replay.XXXXXX")
	if unshare --net --mount --propagation private --fork \
		env FUZZ_REPLAY_INSIDE="$tmp" top_srcdir="$top_srcdir" top_builddir="$top_builddir" \
		bash "${BASH_SOURCE[0]}"; then
		echo "PASS: dispatch corpus"
	else
		echo "FAIL: dispatch corpus (exit $?)"
		fails=$((fails + 1))
	fi
	rmdir "$tmp"
fi
((fails == 0))

#!/bin/bash
# tests/fuzz/run.sh — run one fuzz target built by build.sh for a while.
#
#   tests/fuzz/run.sh BINDIR TARGET SECONDS [WORKDIR [libFuzzer flags...]]
#
# TARGET is record, callhdr, nfs3_args or dispatch. The run happens in a
# private network + mount namespace (root needed: fuzz_dispatch's server
# listens on 127.0.0.1) with TMPDIR on a private tmpfs. New inputs go to
# WORKDIR/corpus (default /tmp/xlnfs-fuzz-work/TARGET), seeded from
# tests/fuzz/corpus/TARGET, which is only read; crashes land in WORKDIR
# (crash-*, leak-*, timeout-*): minimise one, add it to the corpus as
# regress-WHAT, fix the bug, and `make check` replays it from then on.
# A single allocation over 256 MiB counts as a crash (-malloc_limit_mb):
# nothing a call may legitimately ask for comes near it.
set -eu
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
bin=$(cd "$1" && pwd)
t=$2
secs=$3
work=${4:-/tmp/xlnfs-fuzz-work/$t}
shift 3
[ $# -gt 0 ] && shift
mkdir -p "$work/corpus"
exec unshare --net --mount --propagation private --fork bash -c '
	set -e
	ip link set lo up
	mkdir -p "$0/tmp"
	mount -t tmpfs tmpfs "$0/tmp"
	cd "$0"
	TMPDIR=$0/tmp XLNFS_XLATOR_PATH=$1/xlators exec "$1/fuzz_$2" -max_total_time="$3" \
		-print_final_stats=1 -timeout=10 -rss_limit_mb=4096 -malloc_limit_mb=256 "${@:5}" corpus "$4"
' "$work" "$bin" "$t" "$secs" "$here/corpus/$t" "$@"

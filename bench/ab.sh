#!/bin/bash
# bench/ab.sh — a quick A/B of a few nfsload cases across candidate servers.
#
# In one private namespace (tests/lib/netns.sh), for each of $ROUNDS rounds
# and each CANDIDATE in turn: a fresh empty export, the server started
# (bench/lib.sh), then for each mode of $MODES one nfsload run of $SECS
# seconds, with the server's CPU time (utime+stime, /proc/PID/stat) taken
# around it. Prints one line per run: round, label, mode, calls/s, server
# CPU per call. Smaller than bench/table.sh: for before/after checks of one
# change (e.g. the worker count against spare workers).
#
# Usage: bench/ab.sh CANDIDATE...   (as root)
#   CANDIDATE: LABEL@ganesha or LABEL@XLNFS_BUILDDIR[@"nfs/server options"]
#   e.g. main@/tmp/b-main new@/tmp/b-new main16@/tmp/b-main@"threads 16"
# Environment: ROUNDS (2), SECS (3), MODES ("meta"; also getattr, null,
#   lookup: meta is -c 4 -q 8, null -c 1 -q 32, the others -c 4 -q 32).
# Needs bench/nfsload built in $top_builddir (`make bench/nfsload`).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/netns.sh"
. "$here/lib.sh"

NFSLOAD=$top_builddir/bench/nfsload
if [[ ${XLNFS_IN_NETNS:-} != 1 ]]; then
	(($# >= 1)) || { sed -n '2,/^$/s/^# \{0,1\}//p' "$0"; exit 2; }
	SHARED=$(bench_find_shared) || { echo "ERROR: ../shared not found; set XLNFS_SHARED"; exit 99; }
	[[ -x $NFSLOAD ]] || { echo "ERROR: $NFSLOAD not built (make bench/nfsload)"; exit 99; }
	export SHARED
fi
netns_enter "$@"
chmod 0755 "$T"

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$SERVER_PID/stat"; }
hz=$(getconf CLK_TCK)
for ((r = 0; r < ${ROUNDS:-2}; r++)); do
	for cand in "$@"; do
		IFS=@ read -r label dir opts <<<"$cand"
		spec=$label=$dir
		[[ $dir == ganesha ]] && spec=ganesha
		rm -rf "$T/export"
		mkdir -p "$T/export"
		BENCH_SERVER_OPTS=$opts bench_start "$label" "$spec" "$T/export" ||
			{ echo "r$r $label: did not start"; continue; }
		for m in ${MODES:-meta}; do
			case $m in
			meta) args=(-m meta -c 4 -q 8) ;;
			null) args=(-m null -c 1 -q 32) ;;
			*) args=(-m "$m" -c 4 -q 32) ;;
			esac
			c0=$(cpu_ticks)
			out=$("$NFSLOAD" -s 127.0.0.1 -e "$EXPORT_PATH" "${args[@]}" -T "${SECS:-3}")
			c1=$(cpu_ticks)
			awk -v r="$r" -v l="$label" -v m="$m" -v t=$((c1 - c0)) -v hz="$hz" -v line="$out" '
				BEGIN { n = split(line, f, " ")
					for (i = 1; i <= n; i++) { split(f[i], kv, "="); v[kv[1]] = kv[2] }
					printf "r%d %-12s %-8s %9s/s  cpu %8.1f us/call\n", r, l, m,
						v["calls_per_s"], v["calls"] ? t * 1e6 / hz / v["calls"] : 0 }'
		done
		bench_stop
	done
done

#!/bin/bash
# bench/profile.sh — where one server spends its time under one nfsload loop.
#
# In a private namespace (tests/lib/netns.sh), starts one server (as
# bench/run.sh does), warms it up, then runs the same nfsload loop three
# times, each under one observer attached to the server's pid:
#   perf stat   CPU time, context switches and syscalls per call;
#   strace -c   which system calls, and how many per call;
#   perf record the hottest functions (perf report --no-children, top 30).
# Reports go to $OUT (default a new /tmp/xlnfs-profile.*) and are printed.
#
# Usage: bench/profile.sh SERVER [MODE [THREADS [CALLS]]]   (as root)
#   SERVER: "ganesha" or "LABEL=XLNFS_BUILDDIR"; MODE: getattr (default),
#   lookup, read, write (nfsload -m); THREADS 4; CALLS per thread 5000
#   (use ~64 for read/write, which move 1 MiB per call).
# Needs linux-perf and strace; bench/nfsload built (`make bench/nfsload`).
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
	for tool in perf strace; do
		command -v $tool >/dev/null || { echo "ERROR: $tool missing"; exit 99; }
	done
	OUT=${OUT:-$(mktemp -d /tmp/xlnfs-profile.XXXXXX)}
	mkdir -p "$OUT"
	export SHARED OUT
fi
netns_enter "$@"
chmod 0755 "$T"
spec=$1 mode=${2:-getattr} threads=${3:-4} calls=${4:-5000}
label=${spec%%=*}
total=$((threads * calls))
mkdir -p "$T/export"
bench_start "$label" "$spec" "$T/export" || t_abort "$label did not start"

load() { "$NFSLOAD" -s 127.0.0.1 -e "$EXPORT_PATH" -m "$mode" -t "$threads" -n "$calls"; }

# observe NAME CMD...: run CMD (attached to the server) around one load loop
observe() {
	local name=$1 pid
	shift
	"$@" &
	pid=$!
	netns_track "$pid"
	sleep 1 # let it attach
	load | sed "s/^/$name: /"
	kill -INT "$pid"
	wait "$pid" 2>/dev/null
	netns_untrack "$pid"
}

load >/dev/null || t_abort "nfsload failed"
observe "perf stat" perf stat -e task-clock,context-switches,raw_syscalls:sys_enter -x, \
	-o "$OUT/$label.$mode.stat" -p "$SERVER_PID"
observe "strace" strace -c -f -q -o "$OUT/$label.$mode.strace" -p "$SERVER_PID"
observe "perf record" perf record -q -g -e cpu-clock:u -o "$OUT/$label.$mode.data" -p "$SERVER_PID"

echo "== $label $mode: per call ($total calls)"
awk -F, -v n="$total" '$3 == "task-clock" { printf "  server CPU   %.1f us\n", $1 * 1000 / n }
	$3 == "context-switches" { printf "  ctx switches %.2f\n", $1 / n }
	$3 ~ /sys_enter/ { printf "  syscalls     %.2f\n", $1 / n }' "$OUT/$label.$mode.stat"
echo "== system calls (strace -c; calls column / $total = per NFS call)"
awk -v n="$total" 'NR <= 2 || /^-/ { next } $4 ~ /^[0-9]+$/ { printf "  %-18s %8d  %.2f per call\n", $NF, $4, $4 / n }' \
	"$OUT/$label.$mode.strace" | sort -k2 -n -r | head -15
echo "== hottest user-space functions (perf report --no-children; kernel time is in the syscalls above)"
perf report -q -i "$OUT/$label.$mode.data" --no-children --sort symbol -g none --percent-limit 1 \
	2>/dev/null | head -30 | tee "$OUT/$label.$mode.report"
bench_stop

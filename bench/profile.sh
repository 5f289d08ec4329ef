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
# Environment: NFSLOAD_ARGS, more nfsload options (e.g. "-q 32" for 32 calls
#   in flight per connection, "-b 4" for 4 KiB READs, "-D d50k"); DIRENTS=N
#   makes folder d50k with N empty files in the export first (readdirplus);
#   PERF_EVENT, what perf record samples (default cpu-clock:u, user space;
#   cpu-clock for the kernel's side too).
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
if [[ -n ${DIRENTS:-} ]]; then
	mkdir -p "$T/export/d50k"
	(cd "$T/export/d50k" && seq -f 'entry-with-a-longish-name-%.0f' 0 $((DIRENTS - 1)) | xargs touch)
fi
bench_start "$label" "$spec" "$T/export" || t_abort "$label did not start"

# shellcheck disable=SC2086 # NFSLOAD_ARGS is a list of options
load() { "$NFSLOAD" -s 127.0.0.1 -e "$EXPORT_PATH" -m "$mode" -c "$threads" -n "$calls" ${NFSLOAD_ARGS:-}; }

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
observe "perf stat" perf stat -e task-clock,context-switches,page-faults,raw_syscalls:sys_enter -x, \
	-o "$OUT/$label.$mode.stat" -p "$SERVER_PID"
observe "strace" strace -c -f -q -o "$OUT/$label.$mode.strace" -p "$SERVER_PID"
observe "perf record" perf record -q -g -e "${PERF_EVENT:-cpu-clock:u}" -o "$OUT/$label.$mode.data" -p "$SERVER_PID"

echo "== $label $mode: per call ($total calls)"
awk -F, -v n="$total" '$3 == "task-clock" { printf "  server CPU   %.1f us\n", $1 * 1000 / n }
	$3 == "context-switches" { printf "  ctx switches %.2f\n", $1 / n }
	$3 == "page-faults" { printf "  page faults  %.2f\n", $1 / n }
	$3 ~ /sys_enter/ { printf "  syscalls     %.2f\n", $1 / n }' "$OUT/$label.$mode.stat"
echo "== system calls (strace -c; calls column / $total = per NFS call)"
awk -v n="$total" 'NR <= 2 || /^-/ { next } $4 ~ /^[0-9]+$/ { printf "  %-18s %8d  %.2f per call\n", $NF, $4, $4 / n }' \
	"$OUT/$label.$mode.strace" | sort -k2 -n -r | head -15
echo "== hottest functions (${PERF_EVENT:-cpu-clock:u}; perf report --no-children)"
perf report -q -i "$OUT/$label.$mode.data" --no-children --sort symbol -g none --percent-limit 1 \
	2>/dev/null | head -30 | tee "$OUT/$label.$mode.report"
bench_stop

#!/bin/bash
# bench/run.sh — xlnfs and nfs-ganesha side by side, on the same machine.
#
# In ONE private network + mount namespace (tests/lib/netns.sh: lo, tmpfs on
# /run, its own rpcbind), each server in turn — alone, on a fresh empty export
# folder under the same temp folder — is started on 127.0.0.1 ports
# 2049/20048 and measured by:
#   1. bench/nfsload (libnfs, host side): GETATTR and LOOKUP loops (1 and
#      $THREADS connections), 1 MiB READ and WRITE loops ($THREADS connections);
#   2. nfs-cp of a $CP_MB MiB file into the export and back out (cmp'd);
#   3. perf stat of the server process during a GETATTR loop: its CPU time
#      per call and context switches (PERF=0 skips it);
#   4. the Linux kernel client in a qemu guest (nfs-vm-client, bench/guest.sh):
#      dd write/read, create/stat/remove, ls -l of a big folder, untar (VM=0
#      skips it).
# Steps 1 and 2 run $RUNS times; the table gives the median (min-max).
# Then prints the side-by-side table; raw figures stay in $OUT/results.tsv.
# Every process started is stopped by its pid (netns.sh's trap).
#
# Usage: bench/run.sh [SERVER...]   (as root)
#        bench/run.sh table [KEY=VALUE...] [SERVER...]: issue 8's one table,
#        made by bench/table.sh (see there).
#   SERVER is "ganesha" or "LABEL=BUILDDIR" (an xlnfs build tree, e.g.
#   xlnfs-O0=/tmp/b-dbg); default: "xlnfs=<this build> ganesha".
# Environment: RUNS (3), THREADS (4), SIZE_MB (guest file, 256), CP_MB (512),
#   NFILES (2000), NDIR (5000), NTREE (1000) (guest.sh's counts),
#   VM (1), PERF (1), OUT (results folder, default a new /tmp/xlnfs-bench.*),
#   BENCH_POSIX_OPTS ("KEY VALUE ..." storage/posix options for every xlnfs),
#   XLNFS_SHARED (folder holding nfs-vm-client and examples/ganesha-nfsv3.conf).
# Needs: nfs-ganesha nfs-ganesha-vfs rpcbind libnfs-utils linux-perf, qemu etc.
# for nfs-vm-client; bench/nfsload built (`make bench/nfsload`).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
if [[ ${1:-} == table ]]; then
	shift
	exec "$here/table.sh" "$@"
fi
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/netns.sh"
. "$here/lib.sh"

RUNS=${RUNS:-3} THREADS=${THREADS:-4} SIZE_MB=${SIZE_MB:-256} CP_MB=${CP_MB:-512}
VM=${VM:-1} PERF=${PERF:-1}
NFSLOAD=$top_builddir/bench/nfsload

if [[ ${XLNFS_IN_NETNS:-} != 1 ]]; then
	SHARED=$(bench_find_shared) || { echo "ERROR: ../shared (nfs-vm-client) not found; set XLNFS_SHARED"; exit 99; }
	[[ -x $NFSLOAD ]] || { echo "ERROR: $NFSLOAD not built (make bench/nfsload)"; exit 99; }
	for tool in ganesha.nfsd nfs-cp; do
		command -v $tool >/dev/null || { echo "ERROR: $tool missing (nfs-ganesha, libnfs-utils)"; exit 99; }
	done
	OUT=${OUT:-$(mktemp -d /tmp/xlnfs-bench.XXXXXX)}
	mkdir -p "$OUT"
	export SHARED OUT
fi
netns_enter "$@"
chmod 0755 "$T"
SERVERS=("$@")
((${#SERVERS[@]})) || SERVERS=("xlnfs=$top_builddir" ganesha)
RESULTS=$OUT/results.tsv
: >"$RESULTS"
echo "results in $OUT"

# record SERVER METRIC VALUE UNIT
record() { printf '%s\t%s\t%s\t%s\n' "$@" >>"$RESULTS"; }

# stats V...: "median min max" of numbers
stats() { printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 } END { printf "%s %s %s", v[int((NR + 1) / 2)], v[1], v[NR] }'; }

# load LABEL NAME MODE THREADS CALLS [FIELD]: RUNS nfsload runs, record the median
load() {
	local label=$1 name=$2 mode=$3 t=$4 n=$5 field=${6:-calls_per_s} i line vals=()
	for ((i = 0; i < RUNS; i++)); do
		line=$("$NFSLOAD" -s 127.0.0.1 -e "$EXPORT_PATH" -m "$mode" -t "$t" -n "$n") ||
			{ echo "nfsload $mode failed: $line"; return 1; }
		echo "  $label: $line"
		vals+=("$(sed -n "s/.* $field=\([0-9.]*\).*/\1/p" <<<"$line")")
	done
	record "$label" "$name" "$(stats "${vals[@]}")" "$([[ $field == MiB_per_s ]] && echo MiB/s || echo calls/s)"
}

# copy LABEL: nfs-cp of $CP_MB MiB in and out, RUNS times
copy() {
	local label=$1 i t0 t1 url vin=() vout=()
	for ((i = 0; i < RUNS; i++)); do
		# a new name each run: nfs-cp creates exclusively, and ganesha's
		# cache would not see a file removed behind its back
		# (xlnfs: "//cp0.bin" makes libnfs mount "/")
		url=nfs://127.0.0.1${EXPORT_PATH}/cp$i.bin
		rm -f "$T/cp.back"
		t0=$(date +%s.%N)
		nfs-cp "$T/cp.src" "$url" >/dev/null || { echo "nfs-cp in failed"; return 1; }
		t1=$(date +%s.%N)
		vin+=("$(echo "$CP_MB / ($t1 - $t0)" | bc -l | xargs printf %.1f)")
		t0=$(date +%s.%N)
		nfs-cp "$url" "$T/cp.back" >/dev/null || { echo "nfs-cp out failed"; return 1; }
		t1=$(date +%s.%N)
		vout+=("$(echo "$CP_MB / ($t1 - $t0)" | bc -l | xargs printf %.1f)")
		cmp -s "$T/cp.src" "$T/cp.back" || { echo "nfs-cp round trip differs"; return 1; }
		echo "  $label: nfs-cp in ${vin[-1]} MiB/s, out ${vout[-1]} MiB/s"
	done
	record "$label" "nfs-cp in" "$(stats "${vin[@]}")" MiB/s
	record "$label" "nfs-cp out" "$(stats "${vout[@]}")" MiB/s
	rm -f "$T/cp.back"
}

# profile LABEL: server CPU per GETATTR and context switches (perf stat -p)
profile() {
	local label=$1 calls=$((THREADS * 20000)) perfpid ms cs
	command -v perf >/dev/null || { echo "  (no perf: skipped)"; return 0; }
	perf stat -e task-clock,context-switches -x, -o "$T/$label.perf" -p "$SERVER_PID" &
	perfpid=$!
	netns_track "$perfpid"
	sleep 0.5
	"$NFSLOAD" -s 127.0.0.1 -e "$EXPORT_PATH" -m getattr -t "$THREADS" -n 20000 >/dev/null
	kill -INT "$perfpid"
	wait "$perfpid" 2>/dev/null
	netns_untrack "$perfpid"
	ms=$(awk -F, '$3 == "task-clock" { print $1 }' "$T/$label.perf")
	cs=$(awk -F, '$3 == "context-switches" { print $1 }' "$T/$label.perf")
	[[ -n $ms && -n $cs ]] || { echo "  (perf stat gave nothing)"; return 0; }
	record "$label" "server CPU per GETATTR" "$(echo "$ms * 1000 / $calls" | bc -l | xargs printf '%.1f')" "us"
	record "$label" "server ctx switches per GETATTR" "$(echo "$cs / $calls" | bc -l | xargs printf '%.2f')" ""
}

# guest LABEL: the kernel client in qemu
guest() {
	local label=$1 rc=0 line
	"$SHARED/nfs-vm-client" --mem 1024 --timeout $((900 + SIZE_MB * 4)) -e SIZE_MB="$SIZE_MB" \
		-e NFILES="${NFILES:-2000}" -e NDIR="${NDIR:-5000}" -e NTREE="${NTREE:-1000}" \
		-- "$here/guest.sh" "$EXPORT_PATH" >"$OUT/$label.guest.out" 2>&1 &
	local vm=$!
	netns_track "$vm"
	wait "$vm" || rc=$?
	netns_untrack "$vm"
	grep '^BENCH' "$OUT/$label.guest.out" | sed "s/^/  $label: /"
	while read -r _ name value unit _; do
		[[ $name == done ]] && continue
		record "$label" "vm $name" "$value" "$unit"
	done < <(grep '^BENCH' "$OUT/$label.guest.out")
	((rc == 0)) || { echo "guest failed ($rc), see $OUT/$label.guest.out"; return 1; }
}

dd if=/dev/urandom of="$T/cp.src" bs=1M count="$CP_MB" status=none
fails=0
for spec in "${SERVERS[@]}"; do
	label=${spec%%=*}
	dir=$T/export-$label
	mkdir -p "$dir"
	echo "== $label"
	bench_start "$label" "$spec" "$dir" || { echo "$label did not start"; fails=1; continue; }
	{
		load "$label" "GETATTR x1" getattr 1 10000 &&
			load "$label" "GETATTR x$THREADS" getattr "$THREADS" 10000 &&
			load "$label" "LOOKUP x$THREADS" lookup "$THREADS" 10000 &&
			load "$label" "READ 1M x$THREADS" read "$THREADS" 64 MiB_per_s &&
			load "$label" "WRITE 1M x$THREADS" write "$THREADS" 64 MiB_per_s &&
			copy "$label" &&
			{ ((PERF == 0)) || profile "$label"; } &&
			{ ((VM == 0)) || guest "$label"; }
	} || fails=1
	bench_stop
	rm -rf "$dir"
done

# the table: one row per metric, one column per server
echo
awk -F'\t' '
	!($2 in seen) { seen[$2] = 1; order[++nm] = $2; unit[$2] = $4 }
	!($1 in sv) { sv[$1] = 1; srv[++ns] = $1 }
	{ split($3, s, " "); v[$1, $2] = (s[2] != "" && RUNS > 1) ? sprintf("%s (%s-%s)", s[1], s[2], s[3]) : s[1] }
	END {
		printf "| %-32s |", "median (min-max) of " RUNS " runs"
		for (j = 1; j <= ns; j++) printf " %-22s |", srv[j]
		printf " unit\n|%s|", "----------------------------------"
		for (j = 1; j <= ns; j++) printf "%s|", "------------------------"
		printf "------\n"
		for (i = 1; i <= nm; i++) {
			printf "| %-32s |", order[i]
			for (j = 1; j <= ns; j++) printf " %-22s |", v[srv[j], order[i]]
			printf " %s\n", unit[order[i]]
		}
	}' RUNS="$RUNS" "$RESULTS" | tee "$OUT/table.md"
exit "$fails"

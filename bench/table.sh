#!/bin/bash
# bench/table.sh — the one-command side-by-side table of issue 8.
#
# In ONE private network + mount namespace (tests/lib/netns.sh: lo, tmpfs on
# /run, its own rpcbind) it makes ONE backing folder (same file system for
# every server) holding a 64 MiB data file, a 50,000-entry folder (d50k) and
# a folder of $files empty files (many), then for each of $rounds rounds
# starts each server in turn — alone, on 127.0.0.1:2049/20048, exporting
# that folder; the order flips every round so that both suffer the host's
# noise alike — and runs bench/nfsload for $secs seconds per case:
#   NULL, GETATTR, LOOKUP, ACCESS at 1 and 4 connections x 1 and 32 calls in
#   flight each; 4 KiB random READ and WRITE (4 x 8 in flight: IOPS,
#   p50/p99); 1 MiB sequential READ and WRITE (4 x 2: MiB/s, and % of the
#   loopback TCP bandwidth, measured by nfsload -m tcp in the same slot,
#   and the write as % of what dd gets writing 512 MiB into the backing
#   folder with fdatasync: the storage's own ceiling);
#   create+write+commit+getattr+remove cycles (4 x 8); READDIRPLUS
#   listings of d50k (1 connection, 128 KiB replies).
# The server's CPU time (utime+stime of /proc/PID/stat, all threads) is
# taken around every case: CPU per call; and nfsload's own (it runs on the
# same cores: at one call in flight the round trip is mostly the client's). Then, once per server, RSS
# (VmRSS) at start, after $files/10 and after $files distinct files of
# "many" were looked up (4 x 8 in flight), and the cold LOOKUP rate.
# With vm=1, once per server after the rounds, the Linux kernel client in
# the qemu guest (bench/guest.sh through nfs-vm-client: dd, create/stat/
# remove, ls -l of d50k, untar) — TCG-emulated, see doc/bench.md.
# Prints one table (median (min-max) over the rounds; ratios to the LAST
# server; the issue's targets and whether this run meets them); raw figures
# stay in $OUT/results.tsv, nfsload's lines in $OUT/log.
#
# Usage: bench/table.sh [KEY=VALUE...] [SERVER...]   (as root)
#   SERVER: "ganesha" or "LABEL=XLNFS_BUILDDIR"; default
#           "xlnfs=$top_builddir ganesha".
#   KEY: rounds (3), secs (2), files (1000000), vm (0), conns (4).
# Environment: OUT (results folder, default a new /tmp/xlnfs-table.*),
#   BENCH_POSIX_OPTS (storage/posix options), XLNFS_SHARED.
# Needs: nfs-ganesha nfs-ganesha-vfs rpcbind; bench/nfsload built.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
: "${top_srcdir:=$(cd "$here/.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
export top_srcdir top_builddir
. "$top_srcdir/tests/lib/netns.sh"
. "$here/lib.sh"

NFSLOAD=$top_builddir/bench/nfsload
if [[ ${XLNFS_IN_NETNS:-} != 1 ]]; then
	SHARED=$(bench_find_shared) || { echo "ERROR: ../shared (examples/ganesha-nfsv3.conf) not found; set XLNFS_SHARED"; exit 99; }
	[[ -x $NFSLOAD ]] || { echo "ERROR: $NFSLOAD not built (make bench/nfsload)"; exit 99; }
	command -v ganesha.nfsd >/dev/null || { echo "ERROR: ganesha.nfsd missing (apt-get install nfs-ganesha nfs-ganesha-vfs)"; exit 99; }
	OUT=${OUT:-$(mktemp -d /tmp/xlnfs-table.XXXXXX)}
	mkdir -p "$OUT"
	export SHARED OUT
fi
netns_enter "$@"
chmod 0755 "$T"

rounds=3 secs=2 files=1000000 vm=0 conns=4
SERVERS=()
for a in "$@"; do
	case $a in
	rounds=* | secs=* | files=* | vm=* | conns=*) eval "${a%%=*}=\${a#*=}" ;;
	*) SERVERS+=("$a") ;;
	esac
done
((${#SERVERS[@]})) || SERVERS=("xlnfs=$top_builddir" ganesha)
files=$((files / (10 * conns) * 10 * conns)) # whole calls per connection
RESULTS=$OUT/results.tsv LOG=$OUT/log
: >"$RESULTS"
: >"$LOG"
HZ=$(getconf CLK_TCK)
echo "results in $OUT; load average at start: $(cut -d' ' -f1-3 /proc/loadavg)"

# record ROUND SERVER CASE VALUE UNIT P50 P99 CPU_US [CLIENT_CPU_US]
record() { printf '%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\t%s\n' "$1" "$2" "$3" "$4" "$5" "$6" "$7" "$8" "${9:-}" >>"$RESULTS"; }

# cpu_ticks PID: utime + stime of all its threads, in clock ticks
cpu_ticks() { sed 's/.*) //' "/proc/$1/stat" | awk '{ print $12 + $13 }'; }

# field NAME LINE: NAME=value out of an nfsload line
field() { sed -n "s/.* $1=\([0-9.]*\).*/\1/p" <<<"$2"; }

# run ROUND LABEL CASE UNIT NFSLOAD-ARGS...: one nfsload run, recorded
run() {
	local round=$1 label=$2 name=$3 unit=$4 line c0 c1 calls value cpu n ccpu
	shift 4
	c0=$(cpu_ticks "$SERVER_PID")
	line=$("$NFSLOAD" -s 127.0.0.1 -e "$EXPORT_PATH" "$@" 2>>"$LOG") ||
		{ echo "  $label $name: nfsload failed: $line" | tee -a "$LOG"; return 1; }
	c1=$(cpu_ticks "$SERVER_PID")
	echo "r$round $label $name: $line" >>"$LOG"
	calls=$(field calls "$line")
	case $unit in
	MiB/s) value=$(field MiB_per_s "$line") ;;
	entries/s) value=$(field entries_per_s "$line") ;;
	*) value=$(field calls_per_s "$line") ;;
	esac
	cpu=$(awk -v d=$((c1 - c0)) -v hz="$HZ" -v n="$calls" 'BEGIN { printf "%.1f", n ? d * 1e6 / hz / n : 0 }')
	[[ $name == READDIRPLUS* ]] && cpu=$(awk -v d=$((c1 - c0)) -v hz="$HZ" \
		-v n="$(field entries "$line")" 'BEGIN { printf "%.2f", n ? d * 1e6 / hz / n : 0 }')
	n=$calls
	[[ $name == READDIRPLUS* ]] && n=$(field entries "$line")
	ccpu=$(awk -v s="$(field client_cpu_s "$line")" -v n="$n" 'BEGIN { printf "%.1f", n ? s * 1e6 / n : 0 }')
	record "$round" "$label" "$name" "$value" "$unit" "$(field p50_us "$line")" "$(field p99_us "$line")" "$cpu" "$ccpu"
	printf '  %-22s %10s %-9s p50 %6s us  p99 %6s us  cpu %7s us/call  client %6s\n' "$name" "$value" "$unit" \
		"$(field p50_us "$line")" "$(field p99_us "$line")" "$cpu" "$ccpu"
}

# cases ROUND LABEL: every per-round case against the running server
cases() {
	local r=$1 l=$2 p c q line
	for p in null getattr lookup access; do
		for c in 1 "$conns"; do
			for q in 1 32; do
				run "$r" "$l" "${p^^} c$c q$q" calls/s -m "$p" -c "$c" -q "$q" -T "$secs" || return 1
			done
		done
	done
	run "$r" "$l" "4K randread c${conns} q8" IOPS -m randread -b 4 -c "$conns" -q 8 -T "$secs" &&
		run "$r" "$l" "4K randwrite c${conns} q8" IOPS -m randwrite -b 4 -c "$conns" -q 8 -T "$secs" &&
		run "$r" "$l" "1M seqread c${conns} q2" MiB/s -m read -c "$conns" -q 2 -T "$secs" &&
		run "$r" "$l" "1M seqwrite c${conns} q2" MiB/s -m write -c "$conns" -q 2 -T "$secs" &&
		run "$r" "$l" "meta c${conns} q8" cycles/s -m meta -c "$conns" -q 8 -T "$secs" &&
		run "$r" "$l" "READDIRPLUS 50k c1" entries/s -m readdirplus -D d50k -b 128 -c 1 -T "$secs" || return 1
	# the wire the large I/O is held against, in the same slot as the server's
	line=$("$NFSLOAD" -m tcp -c "$conns" -T "$secs") || return 1
	echo "r$r $l tcp: $line" >>"$LOG"
	record "$r" "$l" "loopback TCP c${conns}" "$(field MiB_per_s "$line")" MiB/s "" "" ""
	printf '  %-22s %10s MiB/s\n' "loopback TCP c${conns}" "$(field MiB_per_s "$line")"
	# and the storage the writes land on: what a local writer gets
	line=$(local_write) || return 1
	record "$r" "$l" "backing folder write" "$line" MiB/s "" "" ""
	printf '  %-22s %10s MiB/s\n' "backing folder write" "$line"
}

# local_write: MiB/s of 512 MiB written into the backing folder with
# 1 MiB blocks and made durable (fdatasync, as the WRITEs' COMMIT), by dd
local_write() {
	local t0 t1
	t0=$(date +%s%N)
	dd if=/dev/zero of="$D/local-write.tmp" bs=1M count=512 conv=fdatasync status=none || return 1
	t1=$(date +%s%N)
	rm -f "$D/local-write.tmp"
	awk -v ns=$((t1 - t0)) 'BEGIN { printf "%.1f", 512 * 1e9 / ns }'
}

mib() { awk -v k="$1" 'BEGIN { printf "%.1f", k / 1024 }'; }
rss_kib() { awk '/^VmRSS/ { print $2 }' "/proc/$1/status"; }

# memory LABEL: RSS while $files distinct files are looked up
memory() {
	local l=$1 first=$((files / 10)) n0 n1 n2
	n0=$(rss_kib "$SERVER_PID")
	run mem "$l" "LOOKUP cold (1/10) c${conns} q8" calls/s -m lookupmany -D many -c "$conns" -q 8 \
		-o 0 -n $((first / conns)) || return 1
	n1=$(rss_kib "$SERVER_PID")
	run mem "$l" "LOOKUP cold (9/10) c${conns} q8" calls/s -m lookupmany -D many -c "$conns" -q 8 \
		-o "$first" -n $(((files - first) / conns)) || return 1
	n2=$(rss_kib "$SERVER_PID")
	record mem "$l" "RSS at start" "$(mib "$n0")" MiB "" "" ""
	record mem "$l" "RSS after $first lookups" "$(mib "$n1")" MiB "" "" ""
	record mem "$l" "RSS after $files lookups" "$(mib "$n2")" MiB "" "" ""
	echo "  RSS: start $(mib "$n0") MiB, after $first $(mib "$n1") MiB, after $files $(mib "$n2") MiB"
}

# guest LABEL: the kernel client in the qemu guest, once
guest() {
	local l=$1 rc=0 vmpid
	"$SHARED/nfs-vm-client" --mem 1024 --timeout 3000 -e SIZE_MB=64 -e NFILES=500 -e NDIR=0 \
		-e LSDIR=d50k -e NTREE=500 -- "$here/guest.sh" "$EXPORT_PATH" >"$OUT/$l.guest.out" 2>&1 &
	vmpid=$!
	netns_track "$vmpid"
	wait "$vmpid" || rc=$?
	netns_untrack "$vmpid"
	while read -r _ name value unit _; do
		[[ $name == done ]] && continue
		record vm "$l" "vm $name" "$value" "$unit" "" "" ""
		echo "  vm $name $value $unit"
	done < <(grep '^BENCH' "$OUT/$l.guest.out")
	((rc == 0)) || { echo "  guest failed ($rc), see $OUT/$l.guest.out"; return 1; }
}

# ---------------------------------------------------------- the folder
D=$T/export
mkdir -p "$D/d50k" "$D/many"
chmod 0777 "$D"
t0=$(date +%s)
dd if=/dev/urandom of="$D/nfsload.dat" bs=1M count=64 status=none
(cd "$D/d50k" && seq -f 'entry-with-a-longish-name-%.0f' 0 49999 | xargs touch)
(cd "$D/many" && seq -f 'f%.0f' 0 $((files - 1)) | xargs touch)
sync
echo "folder made in $(($(date +%s) - t0)) s: 50000 + $files files"

fails=0
for ((r = 1; r <= rounds; r++)); do
	order=("${SERVERS[@]}")
	if ((r % 2 == 0)); then # reversed every other round
		order=()
		for ((i = ${#SERVERS[@]} - 1; i >= 0; i--)); do order+=("${SERVERS[i]}"); done
	fi
	for spec in "${order[@]}"; do
		label=${spec%%=*}
		echo "== round $r: $label (load average $(cut -d' ' -f1 /proc/loadavg))"
		record "$r" "$label" "load average" "$(cut -d' ' -f1 /proc/loadavg)" "" "" "" ""
		bench_start "$label" "$spec" "$D" || { echo "$label did not start"; fails=1; continue; }
		cases "$r" "$label" || fails=1
		bench_stop
	done
done
for spec in "${SERVERS[@]}"; do
	label=${spec%%=*}
	echo "== memory and cold LOOKUP: $label"
	bench_start "$label" "$spec" "$D" || { echo "$label did not start"; fails=1; continue; }
	memory "$label" || fails=1
	if ((vm)); then guest "$label" || fails=1; fi
	bench_stop
done
echo "load average at end: $(cut -d' ' -f1-3 /proc/loadavg)"

echo
awk -F'\t' -v rounds="$rounds" -f "$here/table.awk" "$RESULTS" | tee "$OUT/table.md"
exit "$fails"

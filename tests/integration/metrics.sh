#!/bin/bash
# tests/integration/metrics.sh — nfs/server's Prometheus endpoint
# (metrics-listen) against a workload whose calls are known: each scrape's
# numbers are compared with the one before, so the deltas must be exactly
# what the test did:
#   - nfs3_client's "calls N" phase: one MNT, N GETATTR, N LOOKUP that fail
#     with NFS3ERR_NOENT (errors by status), and their histograms;
#   - nfs-cp of a file of known size, then nfs-cat of it: the export's
#     written and read bytes equal the file's size;
#   - rpcinfo -t: NFS3 NULL calls; connections and the inode table exist;
# plus: off by default (nothing listens), the text format parses (every
# sample line is NAME{LABELS} VALUE, every family has HELP and TYPE), a
# bad metrics-listen is a --check error at its line, and a port in use
# fails the start.
# Runs in a private network namespace (tests/lib/netns.sh).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
netns_enter "$@"

command -v curl >/dev/null || t_abort "curl not found (Debian package curl)"
command -v nfs-cp >/dev/null || t_abort "nfs-cp not found (Debian package libnfs-utils)"
CLIENT=$top_builddir/tests/integration/nfs3_client
[[ -x $CLIENT ]] || t_abort "$CLIENT not built (configure found no libnfs-dev?)"
PORT=9464
URL=http://127.0.0.1:$PORT/metrics
EXPORT=$T/export
mkdir -p "$EXPORT"
VOL=$T/export.vol

# ------------------------------------------------------------ off by default
xl_volfile "$VOL" "$EXPORT"
xl_start "$VOL" || t_abort "xlnfsd did not start"
t_check "no metrics listener by default" not curl -sf -o /dev/null "$URL"
t_check "stop" xl_stop

# ------------------------------------------------------------ on
xl_volfile "$VOL" "$EXPORT" metrics-listen "127.0.0.1:$PORT"
xl_start "$VOL" || t_abort "xlnfsd did not start with metrics-listen"
t_check "the log names the metrics URL" grep -q "metrics on http://127.0.0.1:$PORT/metrics" "$T/xlnfsd.log"

# scrape N: the endpoint's text into $T/scrape.N
scrape() {
	curl -sf -D "$T/headers.$1" -o "$T/scrape.$1" "$URL"
}
# value N NAME{LABELS}: the sample's value in scrape N (0 when absent)
value() {
	awk -v k="$2" '$1 == k { v = $2 } END { print v == "" ? 0 : v }' "$T/scrape.$1"
}
# delta NAME{LABELS}: its growth from scrape 1 to scrape 2
delta() {
	echo $(($(value 2 "$1") - $(value 1 "$1")))
}
# want_delta NAME{LABELS} N [WHAT]
want_delta() {
	local d
	d=$(delta "$1")
	t_check "${3:-$1} grew by $2 (got $d)" test "$d" = "$2"
}

t_check "GET /metrics answers" scrape 0
t_check "Content-Type is the Prometheus text format 0.0.4" \
	grep -qi '^Content-Type: text/plain; version=0.0.4' "$T/headers.0"
t_check "a wrong path is 404" test "$(curl -s -o /dev/null -w '%{http_code}' "http://127.0.0.1:$PORT/")" = 404

N=7
NULLS=5
SIZE=1234567
head -c "$SIZE" /dev/urandom >"$T/data"
scrape 1
"$CLIENT" 127.0.0.1 calls "$N" >"$T/client.out" 2>&1 || { cat "$T/client.out"; t_fail "nfs3_client calls $N"; }
scrape 2
P='program="NFS3"'
want_delta "xlnfs_rpc_calls_total{$P,proc=\"GETATTR\"}" "$N"
want_delta "xlnfs_rpc_calls_total{$P,proc=\"LOOKUP\"}" "$N"
want_delta 'xlnfs_rpc_calls_total{program="MOUNT3",proc="MNT"}' 1
want_delta "xlnfs_rpc_errors_total{$P,proc=\"LOOKUP\",status=\"NFS3ERR_NOENT\"}" "$N"
want_delta "xlnfs_rpc_errors_total{$P,proc=\"GETATTR\",status=\"NFS3ERR_NOENT\"}" 0 \
	"GETATTR errors"
want_delta "xlnfs_rpc_call_duration_seconds_count{$P,proc=\"GETATTR\"}" "$N" \
	"the GETATTR histogram's count"
want_delta "xlnfs_rpc_call_duration_seconds_bucket{$P,proc=\"GETATTR\",le=\"+Inf\"}" "$N" \
	"the GETATTR histogram's +Inf bucket"
# the buckets of one histogram never decrease
t_check "GETATTR's buckets are cumulative" awk -v k="xlnfs_rpc_call_duration_seconds_bucket{$P,proc=\"GETATTR\"," '
	index($1, k) == 1 { if ($2 < last) bad = 1; last = $2; n++ }
	END { exit bad || n < 10 }' "$T/scrape.2"

scrape 1
for ((i = 0; i < NULLS; i++)); do rpcinfo -t 127.0.0.1 100003 3 >/dev/null; done
scrape 2
want_delta "xlnfs_rpc_calls_total{$P,proc=\"NULL\"}" "$NULLS" "NFS3 NULL (rpcinfo -t x$NULLS)"
want_delta "xlnfs_rpc_calls_total{$P,proc=\"GETATTR\"}" 0 "GETATTR (none this time)"

# libnfs URLs: nfs://SERVER/EXPORT/FILE, the export being "/" here
scrape 1
nfs-cp "$T/data" nfs://127.0.0.1//data >"$T/cp.out" 2>&1 || { cat "$T/cp.out"; t_fail "nfs-cp"; }
scrape 2
want_delta 'xlnfs_export_written_bytes_total{export="/"}' "$SIZE" "bytes written to /"
want_delta 'xlnfs_export_read_bytes_total{export="/"}' 0 "bytes read from /"
t_check "the file is on the server's disk" cmp -s "$T/data" "$EXPORT/data"
scrape 1
nfs-cat nfs://127.0.0.1//data >"$T/back" 2>"$T/cat.err" || { cat "$T/cat.err"; t_fail "nfs-cat"; }
scrape 2
want_delta 'xlnfs_export_read_bytes_total{export="/"}' "$SIZE" "bytes read from /"
want_delta 'xlnfs_export_written_bytes_total{export="/"}' 0 "bytes written to /"
t_check "nfs-cat read the file back" cmp -s "$T/data" "$T/back"
t_check "WRITE calls were counted" test "$(value 2 "xlnfs_rpc_calls_total{$P,proc=\"WRITE\"}")" -ge 1
# Per-translator counters: each NFS WRITE is one write fop of the store
# (the volume xl_volfile names after its type).
writes=$(value 2 "xlnfs_rpc_calls_total{$P,proc=\"WRITE\"}")
store=$(sed -n 's/^xlnfs_xlator_fops_total{volume="\([^"]*\)",type="storage\/[a-z]*",fop="write"}.*/\1/p' "$T/scrape.2")
t_check "the store volume's write fops are listed (volume '$store')" test -n "$store"
t_check "the store ran one write fop per NFS WRITE ($writes)" \
	test "$(value 2 "xlnfs_xlator_fops_total{volume=\"$store\",type=\"storage/${store}\",fop=\"write\"}")" = "$writes"
t_check "the store's write time is counted" \
	awk -v n="xlnfs_xlator_fop_seconds_total{volume=\"$store\",type=\"storage/${store}\",fop=\"write\"}" \
	'$1 == n && $2 > 0 { ok = 1 } END { exit !ok }' "$T/scrape.2"
t_check "the inode table has inodes" \
	test "$(value 2 'xlnfs_inode_table_inodes{state="active"}')" -ge 0 -a \
	"$(value 2 'xlnfs_inode_table_lookups_total')" -ge 1
t_check "connections gauge present" grep -q '^xlnfs_rpc_connections ' "$T/scrape.2"
t_check "calls in flight gauge present" grep -q '^xlnfs_rpc_calls_in_flight ' "$T/scrape.2"
t_check "DRC hits counter present" grep -q '^xlnfs_rpc_drc_hits_total ' "$T/scrape.2"

# The text format: samples "NAME{LABELS} VALUE" or "NAME VALUE", every
# sampled family with # HELP and # TYPE.
t_check "every line is a comment or a well-formed sample" awk '
	/^#/ { next }
	!/^[a-zA-Z_:][a-zA-Z0-9_:]*(\{[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*"(,[a-zA-Z_][a-zA-Z0-9_]*="([^"\\]|\\.)*")*\})? [-+0-9.eE]+(Inf)?$/ { print "bad: " $0; bad = 1 }
	END { exit bad }' "$T/scrape.2"
t_check "every family has HELP and TYPE" awk '
	/^# HELP / { help[$3] = 1; next }
	/^# TYPE / { type[$3] = 1; next }
	/^#/ { next }
	{ n = $1; sub(/\{.*/, "", n); f = n; sub(/_(bucket|sum|count)$/, "", f)
	  if (!(n in type) && !(f in type)) { print "no TYPE: " n; bad = 1 }
	  if (!(n in help) && !(f in help)) { print "no HELP: " n; bad = 1 } }
	END { exit bad }' "$T/scrape.2"

# ------------------------------------------------------------ errors
t_info "metrics-listen errors"
xl_volfile "$T/bad.vol" "$EXPORT" metrics-listen localhost:http
rc=0
"$XLNFSD" --check -f "$T/bad.vol" >"$T/bad.out" 2>&1 || rc=$?
cat "$T/bad.out"
line=$(grep -n 'option metrics-listen' "$T/bad.vol" | cut -d: -f1)
t_check "--check rejects metrics-listen localhost:http at bad.vol:$line" \
	grep -q "bad\\.vol:$line: .*metrics-listen" "$T/bad.out"
xl_volfile "$T/busy.vol" "$EXPORT" metrics-listen "127.0.0.1:$PORT" nfs-port 12049 \
	mount-port 12048 rpc-register off
rc=0
"$XLNFSD" -N -f "$T/busy.vol" -l "$T/busy.log" >"$T/busy.out" 2>&1 || rc=$?
cat "$T/busy.out"
t_check "a metrics port in use fails the start (exit 1, got $rc)" test "$rc" = 1
t_check "stop" xl_stop
t_done

#!/bin/bash
# tests/integration/nfs3_names.sh — the NFS v3 directory and namespace
# procedures against a running xlnfsd over loopback (tests/lib/netns.sh):
# exact status codes, wcc-bearing replies, READDIR(PLUS) paging, cookie
# verifiers, exclusive CREATE retransmissions and the closed world of a
# sub-export. The checks are in nfs3_names.c (libnfs raw RPC).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
netns_enter "$@"

CLIENT=$top_builddir/tests/integration/nfs3_names
[[ -x $CLIENT ]] || t_abort "$CLIENT not built"

EXPORT=$T/export
# sub/inner and ro/file are what nfs3_names expects there (it makes them
# too, on disk, for storage/posix); made before the start so that
# storage/memory imports them
mkdir -p "$EXPORT/sub/inner" "$EXPORT/ro"
: >"$EXPORT/ro/file"
xl_volfile "$T/export.vol" "$EXPORT" export-dir "/ /sub /ro(ro)" root-squash off
xl_start "$T/export.vol" || t_abort "xlnfsd did not start"

rc=0
# "-": the store keeps nothing on disk, the client skips looking there
backing=$EXPORT
xl_store_on_disk || backing=-
"$CLIENT" 127.0.0.1 "$backing" || rc=$?
((rc == 0 || rc == 1)) || t_abort "nfs3_names could not run (exit $rc)"
t_check "nfs3_names: every check passed" test "$rc" = 0
t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"
t_done

#!/bin/bash
# tests/conformance/run.sh — POSIX conformance through the Linux kernel NFS client.
#
# In one private network namespace (tests/lib/netns.sh): rpcbind, xlnfsd
# exporting a temp dir with root-squash off, and a qemu guest (nfs-vm-client)
# that mounts it vers=3,nolock through rpcbind and runs the static
# tests/conformance/posix_conf on the mount (tests/conformance/guest.sh),
# once with the default options, once with noac,lookupcache=none and 16 KiB
# rsize/wsize (no client caching to hide server mistakes; noac also makes
# writes synchronous).
# Before that, posix_conf runs on a local directory of the host as a
# baseline: a check that fails there is a test or environment problem, not
# the server's. After the guest has unmounted, `posix_conf -c` checks on the
# server's disk the files the guest left (data, modes, owners, times, links).
# Prints the TAP lines and PASS/FAIL lines; exits non-zero on any failure.
#
# Environment: XLNFS_SHARED (folder holding nfs-vm-client; default ../shared
# next to the repository), XLNFS_E2E=skip skips (no kernel-client runs),
# POSIX_CONF (the static binary; default the build's tests/conformance/posix_conf).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"

vm_client_find
POSIX_CONF=${POSIX_CONF:-$top_builddir/tests/conformance/posix_conf}
[[ -x $POSIX_CONF ]] || { echo "ERROR: $POSIX_CONF not built"; exit 99; }
netns_enter "$@"

chmod 0755 "$T"
EXPORT=$T/export
SHARE=$T/share
mkdir -p "$EXPORT" "$SHARE" "$T/local"
chmod 0755 "$EXPORT"
cp "$POSIX_CONF" "$SHARE/posix_conf"

# 1. baseline on the host's own disk
t_info "baseline: posix_conf on a local directory ($T/local)"
if "$SHARE/posix_conf" "$T/local" >"$T/local.out" 2>&1; then
	t_pass "baseline on the local disk: $(tail -n 1 "$T/local.out")"
else
	grep -v '^ok ' "$T/local.out" | sed 's/^/    | /'
	t_fail "baseline on the local disk (a test or environment problem): $(tail -n 1 "$T/local.out")"
fi

# 2. through the kernel client
VOL=$T/export.vol
xl_volfile "$VOL" "$EXPORT" export-dir / root-squash off
xl_start "$VOL" || t_abort "xlnfsd did not start"
# the defaults, then with no attribute/lookup caching and synchronous
# (noac) small I/O, so every stat, lookup and write is an RPC the server
# must get right
OPTSETS=(- noac,lookupcache=none,rsize=16384,wsize=16384)
t_info "guest run: posix_conf on vers=3,nolock (through rpcbind) with ${OPTSETS[*]}"
vm_client_run "$T/guest.out" --share "$SHARE" --mem 1024 --timeout 1200 \
	-- "$here/guest.sh" "${OPTSETS[@]}"
sed 's/^/    | /' "$T/guest.out"
grep -q '^ok ' "$T/guest.out" || t_fail "the guest ran no check"
summary=$(grep -E '^[0-9]+ passed, [0-9]+ failed' "$T/guest.out" | tr '\n' ' ')
t_check "posix_conf through the kernel client (${summary:-no summary}; exit $VM_RC, $VM_SECONDS s)" \
	test "$VM_RC" = 0
t_check "one summary per mount option set" \
	test "$(grep -cE '^[0-9]+ passed, [0-9]+ failed' "$T/guest.out")" = "${#OPTSETS[@]}"
t_check "no \"Stale file handle\" / \"not responding\"" \
	not grep -Eqi 'stale file handle|not responding' "$T/guest.out"
t_check "xlnfsd still running" kill -0 "$XLNFSD_PID"

# 3. what reached the server's disk
t_info "the guest's files on the server's disk"
if ! xl_store_on_disk; then
	echo "SKIP: server-side check (storage/$XLNFS_STORE keeps nothing on disk)"
elif "$SHARE/posix_conf" -c "$EXPORT" >"$T/host.out" 2>&1; then
	t_pass "server-side check: $(tail -n 1 "$T/host.out")"
else
	sed 's/^/    | /' "$T/host.out"
	t_fail "server-side check: $(tail -n 1 "$T/host.out")"
fi
t_check "stop" xl_stop
t_done

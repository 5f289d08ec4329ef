#!/bin/bash
# tests/e2e/nlm.sh — NFSv3 locking with the Linux kernel client: a mount
# without nolock, fcntl and flock locks through the server's NLM v4.
#
# In a private network namespace (tests/lib/netns.sh): rpcbind, xlnfsd,
# and a qemu guest booted by nfs-vm-client --statd (its own rpcbind and
# rpc.statd, so the kernel's lock manager runs) that runs
# tests/e2e/nlm_guest.sh. While the guest holds bytes 0-99 the host asks
# the server with its own NLM client (tests/integration/nlm_client, another
# owner): 0-99 must be DENIED, 200-299 free; after the guest unmounted,
# the file must be free. Bounded: the VM has 300 s. Prints PASS/FAIL
# lines; exits non-zero on any failure.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"

vm_client_find
CLIENT=$top_builddir/tests/integration/nlm_client
[[ -x $CLIENT ]] || { echo "ERROR: $CLIENT not built (make check builds it)"; exit 99; }
netns_enter "$@"

chmod 0755 "$T"
EXPORT=$T/export
SHARE=$T/share
mkdir -p "$EXPORT" "$SHARE"
echo data >"$EXPORT/f"
echo data >"$EXPORT/g"
${CC:-cc} -static -O2 -o "$SHARE/nlm_lock" "$here/nlm_lock.c" || t_abort "cannot build nlm_lock"
VOL=$T/export.vol
xl_volfile "$VOL" "$EXPORT" export-dir /
xl_start "$VOL" || t_abort "xlnfsd did not start"
rpcinfo -p 127.0.0.1

# answer_probe: what the server's NLM shows another owner, for the guest
answer_probe() {
	{
		echo "0-99 $("$CLIENT" 127.0.0.1 / f test 0 100)"
		echo "200-299 $("$CLIENT" 127.0.0.1 / f test 200 100)"
		echo done
	} >"$SHARE/probe-res.tmp"
	mv "$SHARE/probe-res.tmp" "$SHARE/probe-res"
	sed 's/^/    host probe: /' "$SHARE/probe-res"
}

t0=$(date +%s)
"$VMCLIENT" --statd --share "$SHARE" --timeout 300 -- "$here/nlm_guest.sh" >"$T/guest.out" 2>&1 &
vm=$!
netns_track "$vm"
while kill -0 "$vm" 2>/dev/null; do
	if [[ -e $SHARE/probe-req ]]; then
		rm -f "$SHARE/probe-req"
		answer_probe
	fi
	sleep 0.2
done
rc=0
wait "$vm" || rc=$?
netns_untrack "$vm"
sed 's/^/    | /' "$T/guest.out"
grep -q '^PASS: ' "$T/guest.out" || t_fail "the guest ran no check"
t_check "guest exit status 0 (got $rc, $(($(date +%s) - t0)) s)" test "$rc" = 0
t_check "no ENOLCK in the guest" not grep -qi 'no locks available' "$T/guest.out"
t_check "after the guest unmounted, f is free on the server" \
	test "$("$CLIENT" 127.0.0.1 / f test 0 0)" = free
t_check "after the guest unmounted, g is free on the server" \
	test "$("$CLIENT" 127.0.0.1 / g test 0 0)" = free
t_check "xlnfsd still running" kill -0 "$XLNFSD_PID"
t_check "stop" xl_stop
t_done

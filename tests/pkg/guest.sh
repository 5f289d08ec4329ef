#!/bin/sh
# tests/pkg/guest.sh — in the nfs-vm-client guest (busybox sh): mount the
# installed xlnfsd's export through rpcbind with the kernel's NFS client,
# write a file, read it back, list it, unmount. PASS/FAIL lines; exit 1 on
# any failure. The host checks the file on its side.
fails=0
check() {
	desc=$1
	shift
	if "$@"; then echo "PASS: $desc"; else echo "FAIL: $desc"; fails=$((fails + 1)); fi
}
mkdir -p /mnt/x
check "mount -t nfs -o vers=3,nolock $NFS_SERVER:/" \
	mount -t nfs -o vers=3,nolock "$NFS_SERVER:/" /mnt/x || exit 1
echo "written by the kernel client" >/mnt/x/from-guest
check "write a file" test -s /mnt/x/from-guest
check "read it back" grep -q "written by the kernel client" /mnt/x/from-guest
dd if=/dev/zero of=/mnt/x/big bs=1024 count=4096 2>/dev/null
check "write 4 MiB" test "$(wc -c </mnt/x/big)" = 4194304
ls -ln /mnt/x
# root is squashed by the shipped export.vol: the file belongs to nobody
check "the guest's root is squashed (owner 65534)" \
	sh -c 'ls -ln /mnt/x/from-guest | awk "{ exit \$3 != 65534 }"'
check "umount" umount /mnt/x
exit "$fails"

#!/bin/sh
# tests/conformance/guest.sh — guest side of the conformance run (busybox ash,
# as root, started by nfs-vm-client in the 9p share from tests/conformance/run.sh).
#
# Arguments: one or more mount option sets, each added to "vers=3,nolock"
# ("-" for none: the defaults, through rpcbind). For each set: mount the
# server with the kernel's NFS client, run the static posix_conf from the
# share on the mount, unmount. The first run also leaves a known set of files
# (posix_conf -l) for the host to check on the server's disk. Exits non-zero
# when any run failed.
set -u
M=/mnt/nfs
mkdir -p $M
umask 022
rc=0
leave=-l
for set in "$@"; do
	[ "$set" = - ] && set=
	OPTS="vers=3,nolock${set:+,$set}"
	echo "# mount -t nfs -o $OPTS $NFS_SERVER:/ $M"
	if ! mount -t nfs -o "$OPTS" "$NFS_SERVER:/" $M; then
		echo "Bail out! mount -o $OPTS failed"
		rc=1
		continue
	fi
	"$SHARE/posix_conf" $leave $M || rc=$?
	leave=
	if ! umount $M; then
		echo "Bail out! umount failed"
		rc=1
	fi
done
exit $rc

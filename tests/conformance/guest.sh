#!/bin/sh
# tests/conformance/guest.sh — guest side of the conformance run (busybox ash,
# as root, started by nfs-vm-client in the 9p share from tests/conformance/run.sh).
#
# Mounts the server with the kernel's NFS client (vers=3,nolock, through
# rpcbind; extra options in $1), runs the static posix_conf from the share on
# the mount (leaving a known set of files for the host to check on the
# server's disk), unmounts, and exits with posix_conf's status.
set -u
OPTS="vers=3,nolock${1:+,$1}"
M=/mnt/nfs
mkdir -p $M
echo "# mount -t nfs -o $OPTS $NFS_SERVER:/ $M"
if ! mount -t nfs -o "$OPTS" "$NFS_SERVER:/" $M; then
	echo "Bail out! mount -o $OPTS failed"
	exit 1
fi
umask 022
rc=0
"$SHARE/posix_conf" -l $M || rc=$?
cd /
if ! umount $M; then
	echo "Bail out! umount failed"
	rc=1
fi
exit $rc

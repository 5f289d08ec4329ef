#!/bin/sh
# tests/e2e/subvols_guest.sh — the guest side of tests/e2e/subvols.sh
# (busybox ash, as root, started by nfs-vm-client): mount /home and
# /scratch of one server, check they are two filesystems (st_dev) with
# their own files, write one file into each. One PASS/FAIL line per check; exits 1
# if any failed.
set -u
S=${NFS_SERVER:-10.0.2.2}
OPTS=vers=3,proto=tcp,nolock
fails=0

pass() { echo "PASS: $*"; }
fail() { fails=$((fails + 1)); echo "FAIL: $*"; }
check() {
	d=$1
	shift
	if "$@"; then pass "$d"; else fail "$d"; fi
}

mkdir -p /mnt/home /mnt/scratch
check "mount $S:/home" mount -t nfs -o $OPTS "$S:/home" /mnt/home
check "mount $S:/scratch" mount -t nfs -o $OPTS "$S:/scratch" /mnt/scratch
# The kernel keeps one superblock, so one st_dev, per server fsid: two
# exports with one fsid would share it. (statfs' f_fsid is 0 on NFS.)
dh=$(stat -c %d /mnt/home)
ds=$(stat -c %d /mnt/scratch)
echo "# st_dev: /home $dh, /scratch $ds"
check "two devices (st_dev $dh, $ds)" test "$dh" != "$ds"
check "/home shows the host's file" test "$(cat /mnt/home/from-host)" = "from the host"
check "/scratch does not" test ! -e /mnt/scratch/from-host
echo "into home" >/mnt/home/from-guest
echo "into scratch" >/mnt/scratch/in-scratch
check "/scratch keeps its file" test "$(cat /mnt/scratch/in-scratch)" = "into scratch"
check "/home does not see it" test ! -e /mnt/home/in-scratch
check "/scratch does not see /home's new file" test ! -e /mnt/scratch/from-guest
check "ls /scratch lists only its file" test "$(ls /mnt/scratch)" = in-scratch
check "umount /scratch" umount /mnt/scratch
check "umount /home" umount /mnt/home
[ "$fails" = 0 ]

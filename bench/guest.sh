#!/bin/sh
# bench/guest.sh — the kernel-client half of bench/run.sh, run by nfs-vm-client
# inside the qemu guest (busybox sh). Mounts $NFS_SERVER:$1 with NFSv3 over TCP
# and times, with the guest's clock (/proc/uptime, 10 ms steps):
#   seq_write  dd of a $SIZE_MB MiB file, bs=1M, conv=fsync      (MiB/s)
#   cold_read  dd of that file after a remount                   (MiB/s)
#   create/stat/remove of $NFILES empty files, stat after a remount (ops/s)
#   ls_l       `ls -l` of a $NDIR-entry directory after a remount (entries/s)
#              (NDIR=0 and LSDIR=NAME: of the export's existing folder NAME)
#   untar      tar x of a generated tree ($NTREE files) + sync    (files/s)
# Prints one "BENCH name value unit" line per figure; exits non-zero on the
# first failure. $2 = extra mount options.
set -eu
EXPORT=$1
OPTS="vers=3,proto=tcp,nolock,port=2049,mountport=20048,mountproto=tcp${2:+,$2}"
MB=${SIZE_MB:-256} NFILES=${NFILES:-2000} NDIR=${NDIR:-5000} NTREE=${NTREE:-1000}
M=/mnt/nfs
now() { cut -d' ' -f1 /proc/uptime; }
# report NAME AMOUNT T0 UNIT: AMOUNT per second since T0
report() {
	awk -v n="$1" -v a="$2" -v t="$3" -v b="$(now)" -v u="$4" \
		'BEGIN { d = b - t; if (d < 0.01) d = 0.01; printf "BENCH %s %.1f %s (%.2f s)\n", n, a / d, u, d }'
}
remount() { umount $M; mount -t nfs -o "$OPTS" "$NFS_SERVER:$EXPORT" $M; }

mkdir -p $M
mount -t nfs -o "$OPTS" "$NFS_SERVER:$EXPORT" $M
mkdir $M/b

t=$(now); dd if=/dev/zero of=$M/b/big bs=1M count="$MB" conv=fsync 2>/dev/null
report seq_write "$MB" "$t" MiB/s
remount
t=$(now); dd if=$M/b/big of=/dev/null bs=1M 2>/dev/null; report cold_read "$MB" "$t" MiB/s
rm $M/b/big

mkdir $M/b/meta
t=$(now); i=0
while [ $i -lt "$NFILES" ]; do : >$M/b/meta/f$i; i=$((i + 1)); done
report create "$NFILES" "$t" ops/s
remount
t=$(now); i=0
while [ $i -lt "$NFILES" ]; do [ -e $M/b/meta/f$i ]; i=$((i + 1)); done
report stat "$NFILES" "$t" ops/s
t=$(now); rm -r $M/b/meta; report remove "$NFILES" "$t" ops/s

if [ "$NDIR" -gt 0 ]; then
	mkdir $M/b/dir
	i=0
	while [ $i -lt "$NDIR" ]; do : >$M/b/dir/entry-with-a-longish-name-$i; i=$((i + 1)); done
	remount
	t=$(now); n=$(ls -l $M/b/dir | wc -l); report ls_l "$NDIR" "$t" entries/s
	[ "$n" -ge "$NDIR" ]
elif [ -n "${LSDIR:-}" ]; then
	remount
	t=$(now); n=$(ls -l "$M/$LSDIR" | wc -l); report ls_l "$((n - 1))" "$t" entries/s
	[ "$n" -gt 1 ]
fi

# a tree of NTREE files of 1..64 KiB cut from the busybox binary, 50 per folder
mkdir -p /tmp/tree
i=0
while [ $i -lt "$NTREE" ]; do
	d=/tmp/tree/d$((i / 50)); [ -d $d ] || mkdir $d
	head -c $(((i % 64 + 1) * 1024)) /bin/busybox >$d/f$i
	i=$((i + 1))
done
tar cf /tmp/tree.tar -C /tmp tree
rm -r /tmp/tree
mkdir $M/b/untar
t=$(now); tar xf /tmp/tree.tar -C $M/b/untar; sync; report untar "$NTREE" "$t" files/s
[ "$(find $M/b/untar -type f | wc -l)" -eq "$NTREE" ]
rm -r $M/b
umount $M
echo "BENCH done"

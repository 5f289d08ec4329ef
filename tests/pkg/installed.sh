#!/bin/bash
# tests/pkg/installed.sh — the installed Debian package, as an admin uses it
# (run by .ci/run after `apt-get install ./xlnfs_*.deb`; needs root):
#   1. what the package put where: daemon, translators, conffiles
#      (/etc/xlnfs/export.vol, the logrotate snippet), /var/lib/xlnfs,
#      /srv/xlnfs, the unit, the man pages, the sample volfiles; it depends
#      on rpcbind and links libsystemd and libmicrohttpd;
#   2. `systemd-analyze verify` of the installed unit is silent; the man
#      pages render with no groff warning; --check passes on the installed
#      volfiles and --exports prints the installed table;
#   3. systemd is not PID 1 in CI, so the unit's own ExecStart line runs
#      by hand, in a private network and mount namespace (tests/lib/netns.sh,
#      with tmpfs over /var/log/xlnfs, /var/lib/xlnfs and /srv/xlnfs, so
#      the machine's are not touched), with NOTIFY_SOCKET pointing at a
#      socket of ours: READY=1 must arrive once the programs are
#      registered; the Linux kernel client in a qemu guest mounts the
#      export and writes to it; ExecReload's SIGHUP (reload) and logrotate with
#      the installed snippet (SIGUSR2) make the daemon reopen its log; SIGTERM stops it
#      (STOPPING=1, exit 0).
# Exit codes as the other tests: 0 pass, 1 fail, 77 skip (XLNFS_E2E=skip
# skips the guest run only), 99 hard error.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
# the installed daemon with its installed translators, never the build tree's
XLNFSD=/usr/sbin/xlnfsd
unset XLNFS_XLATOR_PATH
UNIT=/lib/systemd/system/xlnfsd.service
VOLFILE=/etc/xlnfs/export.vol

if [[ ${XLNFS_IN_NETNS:-} != 1 ]]; then
	dpkg-query -W -f='${Status}\n' xlnfs 2>/dev/null | grep -q 'install ok installed' ||
		{ echo "ERROR: the xlnfs package is not installed"; exit 99; }
	for tool in systemd-analyze socat logrotate man groff; do
		command -v "$tool" >/dev/null ||
			{ echo "ERROR: $tool not found (Debian packages systemd socat logrotate man-db groff-base)"; exit 99; }
	done
fi
netns_enter "$@"

# ------------------------------------------------------------ 1. files
t_info "what the package installed"
# the private library folder: /usr/lib/<multiarch triplet>/xlnfs
PKGLIB=$(dirname "$(dpkg -L xlnfs | grep '/libxlnfs\.so$' | head -n 1)")
t_info "pkglibdir $PKGLIB"
for f in "$XLNFSD" "$PKGLIB/libxlnfs.so" "$PKGLIB/xlator/nfs/server.so" \
	"$PKGLIB/xlator/storage/posix.so" "$PKGLIB/xlator/storage/memory.so" \
	"$PKGLIB/xlator/debug/error-gen.so" /usr/sbin/xlnfs-posix-reindex \
	"$VOLFILE" /etc/logrotate.d/xlnfs "$UNIT" \
	/usr/share/man/man8/xlnfsd.8.gz /usr/share/man/man5/xlnfs.vol.5.gz \
	/usr/share/man/man8/xlnfs-posix-reindex.8.gz \
	/usr/share/doc/xlnfs/volfiles/export.vol /usr/share/doc/xlnfs/volfiles/subdir-exports.vol; do
	t_check "installed: $f" test -s "$f"
done
# dh_compress gzips documents of more than 4 KiB
t_check "installed: /usr/share/doc/xlnfs/metrics.md (or .gz)" \
	sh -c 'test -s /usr/share/doc/xlnfs/metrics.md || test -s /usr/share/doc/xlnfs/metrics.md.gz'
for d in /var/lib/xlnfs /var/log/xlnfs /srv/xlnfs; do
	t_check "directory: $d" test -d "$d"
done
conffiles=$(dpkg-query -W -f='${Conffiles}\n' xlnfs)
t_check "$VOLFILE is a conffile" grep -q " $VOLFILE " <<<"$conffiles"
t_check "/etc/logrotate.d/xlnfs is a conffile" grep -q ' /etc/logrotate.d/xlnfs ' <<<"$conffiles"
t_check "the package depends on rpcbind" \
	bash -c "dpkg-query -W -f='\${Depends}\n' xlnfs | grep -qw rpcbind"
t_check "xlnfsd links libsystemd (sd_notify)" bash -c "ldd $XLNFSD | grep -q libsystemd"
t_check "nfs/server links libmicrohttpd (metrics)" \
	bash -c "ldd $PKGLIB/xlator/nfs/server.so | grep -q libmicrohttpd"
t_check "no libtool archives installed" \
	test -z "$(dpkg -L xlnfs | grep '\.la$')"

# ------------------------------------------------------------ 2. static checks
t_info "unit, man pages, volfiles"
systemd-analyze verify "$UNIT" >"$T/verify.out" 2>&1
rc=$?
sed 's/^/    | /' "$T/verify.out"
t_check "systemd-analyze verify $UNIT exits 0 (got $rc)" test "$rc" = 0
t_check "systemd-analyze verify says nothing" test ! -s "$T/verify.out"
for page in /usr/share/man/man8/xlnfsd.8.gz /usr/share/man/man5/xlnfs.vol.5.gz \
	/usr/share/man/man8/xlnfs-posix-reindex.8.gz; do
	zcat "$page" | groff -man -ww -z >"$T/groff.out" 2>&1
	t_check "groff -man -ww -z $(basename "$page") is silent" test ! -s "$T/groff.out"
	MANWIDTH=80 man --warnings -l "$page" >"$T/man.txt" 2>"$T/man.err"
	cat "$T/man.err"
	t_check "man -l $(basename "$page") renders without warnings" \
		test -s "$T/man.txt" -a ! -s "$T/man.err"
done
t_check "man -w xlnfs.vol finds the installed page" man -w 5 xlnfs.vol
t_check "xlnfs.vol(5) documents the installed nfs/server options" \
	bash -c "zcat /usr/share/man/man5/xlnfs.vol.5.gz | grep -q 'metrics\\\\-listen'"
for v in "$VOLFILE" /usr/share/doc/xlnfs/volfiles/*.vol; do
	t_check "xlnfsd --check -f $v" "$XLNFSD" --check -f "$v"
done
"$XLNFSD" --exports -f "$VOLFILE" >"$T/exports.out" 2>&1
cat "$T/exports.out"
t_check "--exports lists / for everyone, root squashed" \
	grep -Eq '^/ +	\*\(rw,root_squash,' "$T/exports.out"
t_check "logrotate accepts the installed snippet" \
	logrotate -d -s "$T/lr.state" /etc/logrotate.d/xlnfs

# ------------------------------------------------------------ 3. the service by hand
t_info "the unit's ExecStart, by hand"
# a private /var/log/xlnfs, /var/lib/xlnfs and /srv/xlnfs (mount namespace)
# (0755: logrotate refuses a world-writable log folder)
for d in /var/log/xlnfs /var/lib/xlnfs /srv/xlnfs; do
	mount -t tmpfs -o mode=0755 tmpfs "$d" || t_abort "tmpfs on $d"
done
chmod 0700 /var/lib/xlnfs
# root is squashed by the shipped volfile: let nobody write the export
chmod 0777 /srv/xlnfs
mkdir -p /run/xlnfs  # RuntimeDirectory=xlnfs
exec_start=$(sed -n 's/^ExecStart=//p' "$UNIT")
exec_reload=$(sed -n 's/^ExecReload=//p' "$UNIT")
t_info "ExecStart=$exec_start"
t_check "ExecStart runs the installed daemon in the foreground on $VOLFILE" \
	grep -Eq "^$XLNFSD -N -f $VOLFILE( |$)" <<<"$exec_start"
pidfile=$(sed -n 's/.* -p \([^ ]*\).*/\1/p' <<<"$exec_start")
logfile=$(sed -n 's/.* -l \([^ ]*\).*/\1/p' <<<"$exec_start")
t_check "the unit's pid file ($pidfile) is what logrotate signals" \
	grep -qF "$pidfile" /etc/logrotate.d/xlnfs

socat -u "UNIX-RECV:$T/notify" "OPEN:$T/notify.out,creat,append" &
netns_track $!
for ((n = 0; n < 50; n++)); do [[ -S $T/notify ]] && break; sleep 0.1; done
# shellcheck disable=SC2086
NOTIFY_SOCKET=$T/notify $exec_start >"$T/daemon.out" 2>&1 &
XLNFSD_PID=$!
netns_track "$XLNFSD_PID"
ready=0
for ((n = 0; n < 150; n++)); do
	grep -q '^READY=1' "$T/notify.out" 2>/dev/null && { ready=1; break; }
	kill -0 "$XLNFSD_PID" 2>/dev/null || break
	sleep 0.1
done
cat "$T/daemon.out"
t_check "READY=1 reached NOTIFY_SOCKET" test "$ready" = 1
t_check "MAINPID= is the daemon's pid" grep -q "^MAINPID=$XLNFSD_PID\$" "$T/notify.out"
((ready)) || t_abort "the installed daemon is not ready; its log: $(tail -n 20 "$logfile")"
# READY=1 comes after registration: no waiting here
t_check "NFS v3 registered with rpcbind when READY=1 came" rpc_registered 100003 3 tcp
t_check "MOUNT v3 registered with rpcbind when READY=1 came" rpc_registered 100005 3 tcp
t_check "the pid file holds the daemon" test "$(tr -dc 0-9 <"$pidfile")" = "$XLNFSD_PID"
t_check "it logs to $logfile" grep -q 'serving' "$logfile"
t_check "the state directory got the file handle key" test -s /var/lib/xlnfs/fh-secret

if [[ ${XLNFS_E2E:-} == skip ]]; then
	t_info "XLNFS_E2E=skip: no kernel-client run"
else
	vm_client_find
	t_info "the kernel client in a qemu guest"
	vm_client_run "$T/guest.out" --mem 512 --timeout 300 -- "$here/guest.sh"
	sed 's/^/    | /' "$T/guest.out"
	t_check "guest: mounted, wrote and read (exit $VM_RC, $VM_SECONDS s)" test "$VM_RC" = 0
	t_check "the guest's file is in /srv/xlnfs on the server" \
		grep -q "written by the kernel client" /srv/xlnfs/from-guest
	t_check "... owned by nobody (root squashed)" test "$(stat -c %u /srv/xlnfs/from-guest)" = 65534
fi

t_info "ExecReload and logrotate"
# shellcheck disable=SC2086
${exec_reload//\$MAINPID/$XLNFSD_PID}
sleep 0.5
t_check "ExecReload (SIGHUP) reopens the log" grep -q 'received SIGHUP, log reopened' "$logfile"
t_check "logrotate -f with the installed snippet" logrotate -f -s "$T/lr.state" /etc/logrotate.d/xlnfs
for ((n = 0; n < 30; n++)); do
	grep -qs 'log reopened' "$logfile" && break
	sleep 0.1
done
t_check "logrotate moved the log away" grep -qs 'starting' "$logfile.1"
t_check "its postrotate SIGUSR2 made the daemon open a new log" \
	grep -qs 'received SIGUSR2, log reopened' "$logfile"
t_check "... which is new (no start-up line in it)" not grep -qs 'starting' "$logfile"
t_check "the daemon still serves" rpcinfo -t 127.0.0.1 100003 3

t_info "stop"
kill -TERM "$XLNFSD_PID"
rc=0
wait "$XLNFSD_PID" || rc=$?
netns_untrack "$XLNFSD_PID"
t_check "SIGTERM: exit 0 (got $rc)" test "$rc" = 0
t_check "STOPPING=1 reached NOTIFY_SOCKET" grep -q 'STOPPING=1' "$T/notify.out"
t_check "the pid file is gone" test ! -e "$pidfile"
t_done

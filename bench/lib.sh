# bench/lib.sh — starting and stopping the benchmarked servers, shared by
# bench/run.sh and bench/profile.sh. Sourced after tests/lib/netns.sh, inside
# its namespace; needs $T (temp folder) and $SHARED (the folder holding
# examples/ganesha-nfsv3.conf).

SERVER_PID=''
EXPORT_PATH=''

# bench_find_shared: print the ../shared folder (nfs-vm-client, examples/)
bench_find_shared() {
	local d
	for d in "${XLNFS_SHARED:-}" "$top_srcdir/../shared" /work/shared; do
		[[ -n $d && -x $d/nfs-vm-client ]] && { (cd "$d" && pwd); return 0; }
	done
	return 1
}

# bench_wait_registered PID: until NFS v3 and MOUNT v3 answer on TCP (1: PID died)
bench_wait_registered() {
	local n
	for ((n = 0; n < 300; n++)); do
		rpc_registered 100005 3 tcp && rpcinfo -t 127.0.0.1 100003 3 >/dev/null 2>&1 && return 0
		kill -0 "$1" 2>/dev/null || return 1
		sleep 0.1
	done
	return 1
}

# bench_start LABEL SPEC EXPORTDIR: start one server on 2049/20048 exporting
# EXPORTDIR; SPEC is "ganesha" or "LABEL=XLNFS_BUILDDIR". Sets SERVER_PID and
# EXPORT_PATH (the MOUNT path clients use). Logs go to $T/LABEL.log.
bench_start() {
	local label=$1 spec=$2 dir=$3 n
	if [[ $spec == ganesha ]]; then
		mkdir -p "$T/$label.recovery"
		# Bind_addr is dropped: getaddrinfo(AI_ADDRCONFIG) finds no IPv4
		# address in a namespace that has only lo; the namespace is private
		sed -e "s|@EXPORT@|$dir|" -e "s|@RECOVERY@|$T/$label.recovery|" \
			-e "/Bind_addr/d" "$SHARED/examples/ganesha-nfsv3.conf" >"$T/$label.conf"
		ganesha.nfsd -F -f "$T/$label.conf" -L "$T/$label.log" -p "$T/$label.pid" \
			-N NIV_EVENT &
		SERVER_PID=$!
		netns_track "$SERVER_PID"
		EXPORT_PATH=/export
	else
		local xlnfsd=${spec#*=}/daemon/xlnfsd
		[[ -x $xlnfsd ]] || { echo "no $xlnfsd"; return 1; }
		# BENCH_POSIX_OPTS="KEY VALUE ...": storage/posix options (e.g.
		# "sync-metadata off" to see what the directory fsyncs cost)
		# BENCH_SERVER_OPTS="KEY VALUE ...": nfs/server options (e.g.
		# "threads 16" to see how many workers group commit needs)
		# shellcheck disable=SC2086 # pairs of words, split on purpose
		XL_POSIX_OPTS=${BENCH_POSIX_OPTS:-} xl_volfile "$T/$label.vol" "$dir" export-dir / \
			${BENCH_SERVER_OPTS:-}
		XLNFS_XLATOR_PATH=${spec#*=}/xlators "$xlnfsd" -f "$T/$label.vol" \
			-p "$T/$label.pid" -l "$T/$label.log" -L WARNING || return 1
		for ((n = 0; n < 50; n++)); do
			[[ -s $T/$label.pid ]] && break
			sleep 0.1
		done
		SERVER_PID=$(tr -dc 0-9 <"$T/$label.pid")
		[[ -n $SERVER_PID ]] || return 1
		netns_track "$SERVER_PID"
		EXPORT_PATH=/
	fi
	bench_wait_registered "$SERVER_PID" || { tail -n 20 "$T/$label.log"; return 1; }
}

# bench_stop: stop the running server by its pid (KILL after 15 s)
bench_stop() {
	[[ -n $SERVER_PID ]] || return 0
	kill -TERM "$SERVER_PID" 2>/dev/null
	pid_wait_gone "$SERVER_PID" 150 || kill -KILL "$SERVER_PID" 2>/dev/null
	wait "$SERVER_PID" 2>/dev/null
	netns_untrack "$SERVER_PID"
	SERVER_PID=''
	rm -f /run/rpcbind/*.xdr # rpcbind -w would keep the registrations
}

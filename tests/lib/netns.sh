# tests/lib/netns.sh — shared shell helpers for the integration, e2e and conformance tests.
#
# Sourced (bash) by a test script, which then calls `netns_enter "$@"` first:
# that re-executes the script inside a private network + mount namespace
# (unshare --net --mount --propagation private --fork) with lo up, a tmpfs
# on /run and its own `rpcbind -f -w`, so the daemon may use the real ports
# 111/2049/20048 without touching the machine's. Inside, every test gets a
# private temp folder ($T), and every process started through these helpers
# is stopped by its pid when the script exits (trap EXIT).
#
# Exit codes follow automake: 0 pass, 1 fail, 77 skip (only when not root),
# 99 hard error (root, but the namespace could not be made: that is a
# failure, never a skip, because CI runs as root).
#
# Environment: top_builddir, top_srcdir (exported by `make check` through
# AM_TESTS_ENVIRONMENT; guessed from the script's location otherwise),
# XLNFS_KEEP_TMP=1 keeps the temp folder for a post-mortem.

set -u

: "${top_srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
: "${top_builddir:=$top_srcdir}"
top_srcdir=$(cd "$top_srcdir" && pwd)
top_builddir=$(cd "$top_builddir" && pwd)
export top_srcdir top_builddir
export XLNFS_XLATOR_PATH="${XLNFS_XLATOR_PATH:-$top_builddir/xlators}"
XLNFSD=$top_builddir/daemon/xlnfsd

NETNS_PIDS=()      # processes we started, stopped in reverse order
NETNS_RPCBIND=''   # pid of our rpcbind
XLNFSD_PID=''      # the running daemon (from its pidfile)
T_FAILS=0
T_PASSES=0
T=''

# ------------------------------------------------------------- reporting

t_pass() { T_PASSES=$((T_PASSES + 1)); echo "PASS: $*"; }
t_fail() { T_FAILS=$((T_FAILS + 1)); echo "FAIL: $*"; }
t_info() { echo "---- $*"; }

# t_check DESCRIPTION CMD...: pass when CMD succeeds.
t_check() {
	local desc=$1
	shift
	if "$@"; then t_pass "$desc"; else t_fail "$desc"; fi
}

# not CMD...: succeeds when CMD fails (for t_check).
not() { ! "$@"; }

# t_done: summary line; exit status 1 if anything failed.
t_done() {
	echo "== $(basename "$0"): $T_PASSES passed, $T_FAILS failed"
	((T_FAILS == 0)) || exit 1
	exit 0
}

# t_abort MESSAGE: a precondition failed; nothing after it can run.
t_abort() {
	echo "ERROR: $*"
	if [[ -n $T && -f $T/xlnfsd.log ]]; then
		echo "---- last lines of $T/xlnfsd.log"
		tail -n 30 "$T/xlnfsd.log"
	fi
	exit 99
}

# --------------------------------------------------------- the namespace

# netns_enter "$@": re-exec the calling script in a private namespace (once).
netns_enter() {
	if [[ ${XLNFS_IN_NETNS:-} != 1 ]]; then
		if [[ $(id -u) != 0 ]]; then
			echo "SKIP: $(basename "$0") needs root (unshare, rpcbind, ports 111/2049)"
			exit 77
		fi
		local tool
		for tool in unshare ip rpcbind rpcinfo; do
			command -v "$tool" >/dev/null ||
				{ echo "ERROR: $tool not found (Debian packages util-linux iproute2 rpcbind)"; exit 99; }
		done
		[[ -x $XLNFSD ]] || { echo "ERROR: $XLNFSD not built"; exit 99; }
		XLNFS_IN_NETNS=1 exec unshare --net --mount --propagation private --fork \
			bash "$0" "$@"
		echo "ERROR: unshare failed"
		exit 99
	fi
	trap netns_cleanup EXIT
	trap 'exit 130' INT TERM
	ip link set lo up || t_abort "ip link set lo up"
	mount -t tmpfs tmpfs /run || t_abort "mount tmpfs on /run"
	mkdir -p /run/rpcbind /run/lock
	T=$(mktemp -d "${TMPDIR:-/tmp}/xlnfs-$(basename "$0" .sh).XXXXXX") || t_abort "mktemp"
	rpcbind_start
}

# Stop everything we started (reverse order), then drop the temp folder.
netns_cleanup() {
	local rc=$? i pid
	for ((i = ${#NETNS_PIDS[@]} - 1; i >= 0; i--)); do
		pid=${NETNS_PIDS[i]}
		[[ -n $pid ]] || continue
		if kill -TERM "$pid" 2>/dev/null; then
			pid_wait_gone "$pid" 100 || kill -KILL "$pid" 2>/dev/null
			wait "$pid" 2>/dev/null
		fi
	done
	if [[ -n $T && -d $T ]]; then
		if ((rc != 0)) || [[ ${XLNFS_KEEP_TMP:-} == 1 ]]; then
			if [[ -f $T/xlnfsd.log && $rc != 0 ]]; then
				echo "---- last lines of $T/xlnfsd.log"
				tail -n 40 "$T/xlnfsd.log"
			fi
		fi
		if [[ ${XLNFS_KEEP_TMP:-} == 1 ]]; then
			echo "temp folder kept: $T"
		else
			rm -rf "$T"
		fi
	fi
	exit "$rc"
}

# netns_track PID: stop PID at exit.
netns_track() { NETNS_PIDS+=("$1"); }

# netns_untrack PID: it was stopped already.
netns_untrack() {
	local i
	for i in "${!NETNS_PIDS[@]}"; do
		[[ ${NETNS_PIDS[i]} == "$1" ]] && NETNS_PIDS[i]=''
	done
}

# pid_wait_gone PID TENTHS: wait until PID has exited (1 = still there).
pid_wait_gone() {
	local n
	for ((n = 0; n < $2; n++)); do
		kill -0 "$1" 2>/dev/null || return 0
		# a zombie child of ours counts as gone
		[[ $(ps -o stat= -p "$1" 2>/dev/null) == Z* ]] && return 0
		sleep 0.1
	done
	return 1
}

rpcbind_start() {
	rpcbind -f -w &
	NETNS_RPCBIND=$!
	netns_track "$NETNS_RPCBIND"
	local n
	for ((n = 0; n < 100; n++)); do
		rpcinfo -p 127.0.0.1 >/dev/null 2>&1 && return 0
		sleep 0.1
	done
	t_abort "rpcbind did not start"
}

rpcbind_stop() {
	[[ -n $NETNS_RPCBIND ]] || return 0
	kill -TERM "$NETNS_RPCBIND"
	wait "$NETNS_RPCBIND" 2>/dev/null
	netns_untrack "$NETNS_RPCBIND"
	NETNS_RPCBIND=''
	# rpcbind keeps its registrations for a warm start (-w); drop them
	rm -f /run/rpcbind/*.xdr
}

# ------------------------------------------------------------ the daemon

# The store the generated volfiles use: XLNFS_STORE=posix (the default:
# storage/posix on EXPORT_DIR) or memory (storage/memory, seeded from
# EXPORT_DIR with option import and kept across xl_restart in a snapshot
# file beside it). make check runs the integration and kernel-client
# suites once per store (the *_memory.sh wrappers set it).
XLNFS_STORE=${XLNFS_STORE:-posix}
case $XLNFS_STORE in
posix | memory) ;;
*) echo "ERROR: XLNFS_STORE=$XLNFS_STORE: expected posix or memory"; exit 99 ;;
esac
export XLNFS_STORE

# xl_store_on_disk: does the server keep the export's objects as files in
# EXPORT_DIR (storage/posix), so a test may look at them there?
xl_store_on_disk() { [[ $XLNFS_STORE == posix ]]; }

# t_check_disk DESCRIPTION CMD...: a t_check that looks at the export on
# the server's disk: with a store that keeps nothing there (memory) it is
# reported as skipped, and the rest of the test runs as usual.
t_check_disk() {
	if xl_store_on_disk; then
		t_check "$@"
	else
		echo "SKIP: $1 (storage/$XLNFS_STORE keeps nothing on disk)"
	fi
}

# xl_volfile FILE EXPORT_DIR [OPTION VALUE]...: write a volfile serving
# EXPORT_DIR through nfs/server on 127.0.0.1 with its state in $T/state;
# extra nfs/server options as pairs. The store is $XLNFS_STORE's:
# storage/posix on EXPORT_DIR (XL_POSIX_OPTS="KEY VALUE ..." adds options),
# or storage/memory importing EXPORT_DIR's tree at each start, its content
# kept in $T/state/memory-<dir>.snap across restarts (XL_MEMORY_OPTS adds
# options).
xl_volfile() {
	local file=$1 dir=$2 opts i vol
	shift 2
	mkdir -p "$T/state"
	if xl_store_on_disk; then
		vol=posix
		opts=(${XL_POSIX_OPTS:-})
	else
		vol=memory
		opts=(${XL_MEMORY_OPTS:-})
	fi
	{
		echo "# written by $(basename "$0")"
		echo "volume $vol"
		echo "    type storage/$vol"
		if xl_store_on_disk; then
			echo "    option directory $dir"
		else
			echo "    option import $dir"
			echo "    option snapshot $T/state/memory-$(basename "$dir").snap"
		fi
		for ((i = 0; i + 1 < ${#opts[@]}; i += 2)); do
			echo "    option ${opts[i]} ${opts[i + 1]}"
		done
		echo "end-volume"
		echo
		echo "volume server"
		echo "    type nfs/server"
		echo "    option state-dir $T/state"
		[[ " $* " == *" root-squash "* ]] || echo "    option root-squash off"
		while (($# >= 2)); do
			echo "    option $1 $2"
			shift 2
		done
		echo "    subvolumes $vol"
		echo "end-volume"
	} >"$file"
}

# rpc_registered PROG VERS PROTO: does rpcbind list it?
rpc_registered() {
	rpcinfo -p 127.0.0.1 2>/dev/null | awk -v p="$1" -v v="$2" -v t="$3" \
		'$1 == p && $2 == v && $3 == t { found = 1 } END { exit !found }'
}

# rpc_ping tcp|udp PORT PROG VERS: call procedure 0 (NULL) of PROG VERS on
# 127.0.0.1:PORT directly, without rpcbind (rpcinfo -n still asks rpcbind),
# and check for an accepted SUCCESS reply.
rpc_ping() {
	local proto=$1 port=$2 prog=$3 vers=$4 body msg want got
	u32() { printf '\\x%02x\\x%02x\\x%02x\\x%02x' $(($1 >> 24 & 255)) $(($1 >> 16 & 255)) \
		$(($1 >> 8 & 255)) $(($1 & 255)); }
	# xid, CALL, RPC v2, prog, vers, proc 0, AUTH_NONE cred and verifier
	body="$(u32 0x786c6e66)$(u32 0)$(u32 2)$(u32 "$prog")$(u32 "$vers")$(u32 0)$(u32 0)$(u32 0)$(u32 0)$(u32 0)"
	# xid, REPLY, MSG_ACCEPTED, AUTH_NONE verifier, SUCCESS
	want='78 6c 6e 66 00 00 00 01 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00 00'
	if [[ $proto == tcp ]]; then
		msg="$(u32 $((0x80000000 | 40)))$body"
		want="80 00 00 18 $want"
	else
		msg=$body
	fi
	got=$(
		exec 3<>"/dev/$proto/127.0.0.1/$port" || exit 1
		# shellcheck disable=SC2059
		printf "$msg" >&3
		timeout 3 head -c $(((${#want} + 1) / 3)) <&3 | od -An -v -tx1
	) 2>/dev/null
	[[ $(echo $got) == "$want" ]]
}

# xl_wait_ready [PORT]: wait until NFS v3 answers NULL on TCP (directly on
# PORT when given, else through rpcbind). 1 on timeout.
xl_wait_ready() {
	local n
	for ((n = 0; n < 150; n++)); do
		if [[ -n ${1:-} ]]; then
			rpc_ping tcp "$1" 100003 3 && return 0
		else
			rpc_registered 100003 3 tcp && rpc_registered 100005 3 tcp &&
				rpcinfo -t 127.0.0.1 100003 3 >/dev/null 2>&1 && return 0
		fi
		[[ -n $XLNFSD_PID ]] && ! kill -0 "$XLNFSD_PID" 2>/dev/null && return 1
		sleep 0.1
	done
	return 1
}

# xl_start VOLFILE [ARGS...]: start the daemon (it daemonizes) with pidfile
# $T/xlnfsd.pid and log $T/xlnfsd.log, wait until it serves. Sets XLNFSD_PID.
# Returns the daemon's exit status when it fails to start.
xl_start() {
	local vol=$1 rc=0 n
	shift
	"$XLNFSD" -f "$vol" -p "$T/xlnfsd.pid" -l "$T/xlnfsd.log" -L DEBUG "$@" || rc=$?
	((rc == 0)) || return "$rc"
	XLNFSD_PID=''
	for ((n = 0; n < 100; n++)); do
		if [[ -s $T/xlnfsd.pid ]]; then
			XLNFSD_PID=$(tr -dc 0-9 <"$T/xlnfsd.pid")
			[[ -n $XLNFSD_PID ]] && break
		fi
		sleep 0.1
	done
	[[ -n $XLNFSD_PID ]] || { echo "no pid in $T/xlnfsd.pid"; return 1; }
	netns_track "$XLNFSD_PID"
	if [[ -n $NETNS_RPCBIND ]]; then xl_wait_ready; else xl_wait_ready 2049; fi ||
		{ echo "xlnfsd (pid $XLNFSD_PID) is not serving"; return 1; }
}

# xl_stop: SIGTERM the daemon and wait until it has gone (1 if it hangs).
xl_stop() {
	[[ -n $XLNFSD_PID ]] || return 0
	local pid=$XLNFSD_PID
	kill -TERM "$pid" 2>/dev/null
	if ! pid_wait_gone "$pid" 150; then
		echo "xlnfsd $pid ignored SIGTERM for 15 s"
		kill -KILL "$pid" 2>/dev/null
		return 1
	fi
	netns_untrack "$pid"
	XLNFSD_PID=''
}

# xl_reap PIDFILE: a daemon that should not have started did: stop it.
xl_reap() {
	local pid
	[[ -s $1 ]] || return 0
	pid=$(tr -dc 0-9 <"$1")
	[[ -n $pid && $pid != "$XLNFSD_PID" ]] || return 0
	kill -TERM "$pid" 2>/dev/null && { pid_wait_gone "$pid" 100 || kill -KILL "$pid"; }
}

# xl_restart VOLFILE [ARGS...]
xl_restart() {
	xl_stop || return 1
	xl_start "$@"
}

# ------------------------------------------------ the kernel-client guest

# vm_client_find: for the tests that mount through the Linux kernel's NFS
# client in a qemu guest (e2e, conformance). Exits 77 when XLNFS_E2E=skip;
# else sets VMCLIENT to nfs-vm-client from $XLNFS_SHARED, ../shared next to
# the repository or /work/shared, and exits 99 when it is in none of them.
vm_client_find() {
	local d
	if [[ ${XLNFS_E2E:-} == skip ]]; then
		echo "SKIP: XLNFS_E2E=skip"
		exit 77
	fi
	for d in "${XLNFS_SHARED:-}" \
		"$(git -C "$top_srcdir" rev-parse --show-toplevel 2>/dev/null)/../shared" \
		"$top_srcdir/../shared" /work/shared; do
		if [[ -n $d && -x $d/nfs-vm-client ]]; then
			VMCLIENT=$d/nfs-vm-client
			return 0
		fi
	done
	echo "ERROR: nfs-vm-client not found (set XLNFS_SHARED to the folder holding it)"
	exit 99
}

# vm_client_run OUT ARGS...: run "$VMCLIENT ARGS..." in the background with
# its output in OUT, tracked so a failing test stops it, and wait for it;
# sets VM_RC to its exit status and VM_SECONDS to how long it took.
vm_client_run() {
	local out=$1 vm t0
	shift
	VM_RC=0
	t0=$(date +%s)
	"$VMCLIENT" "$@" >"$out" 2>&1 &
	vm=$!
	netns_track "$vm"
	wait "$vm" || VM_RC=$?
	netns_untrack "$vm"
	VM_SECONDS=$(($(date +%s) - t0))
}

# tests/lib/reload_vol.sh — the volume files the live-reload tests
# (tests/integration/reload.sh, tests/e2e/reload.sh) switch between.
# Sourced after tests/lib/netns.sh.
#
# reload_vol EXPORTS [errgen]: write $VOL: storage/posix on $EXPORT,
# debug/error-gen above it with "errgen", and nfs/server exporting
# EXPORTS (export-dir) with its state in $T/state and root not squashed;
# each word pair of $RELOAD_SERVER_OPTS ("KEY VALUE KEY VALUE ...") adds
# an nfs/server option. Written beside $VOL and renamed over it, so a
# reload never reads half a file.
reload_vol() {
	local below=posix opts i
	opts=(${RELOAD_SERVER_OPTS:-})
	{
		echo "volume posix"
		echo "    type storage/posix"
		echo "    option directory $EXPORT"
		echo "end-volume"
		if [[ ${2:-} == errgen ]]; then
			echo "volume errgen"
			echo "    type debug/error-gen"
			echo "    subvolumes posix"
			echo "end-volume"
			below=errgen
		fi
		echo "volume server"
		echo "    type nfs/server"
		echo "    option state-dir $T/state"
		echo "    option root-squash off"
		echo "    option export-dir $1"
		for ((i = 0; i + 1 < ${#opts[@]}; i += 2)); do
			echo "    option ${opts[i]} ${opts[i + 1]}"
		done
		echo "    subvolumes $below"
		echo "end-volume"
	} >"$VOL.new"
	mv "$VOL.new" "$VOL"
}

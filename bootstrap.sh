#!/bin/sh
# bootstrap.sh — set up xlnfs on a fresh Debian 12 machine, as root.
#
#   sh bootstrap.sh serve   install what is missing, build, and serve /srv/xlnfs
#                           over NFSv3 in the foreground (Ctrl-C stops it)
#   sh bootstrap.sh test    install what is missing (including qemu and a kernel
#                           for the kernel-client tests, and the applications
#                           tests/e2e/apps.sh runs there), build, run every test
#                           (`make check`), then `make distcheck`
#   sh bootstrap.sh build   install the build dependencies and build only
#
# The build goes to ./_build (or in the source tree if it was configured
# there already). Environment: BUILDDIR to choose another build folder,
# XLNFS_DISTCHECK=no to skip `make distcheck` in the test mode, MAKEFLAGS.
set -eu

cmd=${1:-}
srcdir=$(cd "$(dirname "$0")" && pwd)

build_pkgs="build-essential autoconf automake libtool pkg-config libtirpc-dev
libglib2.0-dev nettle-dev libcunit1-dev rpcsvc-proto libsystemd-dev libmicrohttpd-dev groff-base"
serve_pkgs="rpcbind iproute2"
test_pkgs="libnfs-dev libnfs-utils nfs-common rpcbind iproute2 util-linux procps curl man-db acl
qemu-system-x86 linux-image-amd64 busybox-static cpio kmod
git sqlite3 rsync tar coreutils diffutils findutils"

die() {
	echo "bootstrap.sh: $*" >&2
	exit 1
}

# install_missing PKG...: apt-get install the packages that are not installed
install_missing() {
	missing=''
	for p in "$@"; do
		dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed' ||
			missing="$missing $p"
	done
	[ -n "$missing" ] || return 0
	[ "$(id -u)" = 0 ] || die "run as root to install:$missing"
	echo "== installing:$missing"
	export DEBIAN_FRONTEND=noninteractive
	apt-get update -q
	# shellcheck disable=SC2086
	apt-get install -y -q --no-install-recommends $missing
}

build() {
	cd "$srcdir"
	if [ ! -x configure ] || [ configure.ac -nt configure ]; then
		echo "== autoreconf -fi"
		autoreconf -fi
	fi
	if [ -n "${BUILDDIR:-}" ]; then
		builddir=$BUILDDIR
	elif [ -f "$srcdir/config.status" ]; then
		builddir=$srcdir # configured in the tree already: VPATH builds are refused
	else
		builddir=$srcdir/_build
	fi
	mkdir -p "$builddir"
	cd "$builddir"
	if [ ! -f config.status ]; then
		echo "== configure ($builddir)"
		"$srcdir/configure" -q --sysconfdir=/etc --localstatedir=/var
	fi
	echo "== make"
	make -j"$(nproc)"
}

primary_address() {
	addr=$(ip -4 route get 1.1.1.1 2>/dev/null | sed -n 's/.* src \([0-9.]*\).*/\1/p')
	[ -n "$addr" ] || addr=$(ip -4 -o addr show scope global 2>/dev/null |
		sed -n 's/.* inet \([0-9.]*\).*/\1/p' | head -n 1)
	[ -n "$addr" ] || addr=$(hostname -I 2>/dev/null | cut -d' ' -f1)
	[ -n "$addr" ] || addr=$(hostname)
	echo "$addr"
}

case $cmd in
serve)
	# shellcheck disable=SC2086
	install_missing $build_pkgs $serve_pkgs
	build
	mkdir -p /srv/xlnfs /var/lib/xlnfs
	# clients that mount without port=/mountport= ask rpcbind
	if ! rpcinfo -p 127.0.0.1 >/dev/null 2>&1; then
		systemctl start rpcbind 2>/dev/null || rpcbind -w || echo "warning: rpcbind not running"
	fi
	echo
	echo "Serving /srv/xlnfs over NFSv3. On a client, as root:"
	echo
	echo "    mount -t nfs -o vers=3 $(primary_address):/ /mnt"
	echo
	XLNFS_XLATOR_PATH=$builddir/xlators
	export XLNFS_XLATOR_PATH
	exec "$builddir/daemon/xlnfsd" -N -l -
	;;
test)
	# shellcheck disable=SC2086
	install_missing $build_pkgs $test_pkgs
	build
	echo "== make check"
	make -j2 check VERBOSE=1
	if [ "${XLNFS_DISTCHECK:-yes}" != no ]; then
		# distcheck builds the tarball and runs the tests again from it
		# (without the kernel-client test, which `make check` just ran)
		echo "== make distcheck"
		make -j2 distcheck XLNFS_E2E=skip VERBOSE=1
	fi
	echo "== all tests passed"
	;;
build)
	# shellcheck disable=SC2086
	install_missing $build_pkgs
	build
	;;
*)
	echo "usage: sh bootstrap.sh serve|test|build" >&2
	exit 2
	;;
esac

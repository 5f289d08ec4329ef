#!/bin/sh
# tests/fuzz/build.sh — build the libFuzzer targets with clang.
#
#   tests/fuzz/build.sh [BUILDDIR [OUTDIR]]
#
# BUILDDIR is a configured (and built: the rpcgen outputs are needed) build
# tree, by default the source tree if configured in place, else ./_build.
# OUTDIR (default BUILDDIR/tests/fuzz/bin) gets fuzz_record, fuzz_callhdr,
# fuzz_nfs3_args, fuzz_dispatch and, for fuzz_dispatch, the two translator
# modules it loads (OUTDIR/xlators/{storage/posix,nfs/server}.so), all
# compiled from source with -fsanitize=fuzzer,address,undefined so the
# modules are instrumented too. Needs clang with libFuzzer (Debian: clang).
#
# (No -Werror: clang warns where gcc does not; the gcc build is the judge.)
#
# Run (fuzz_dispatch binds 127.0.0.1: run it in a private network
# namespace: tests/fuzz/run.sh BINDIR TARGET SECONDS does that):
#   OUTDIR/fuzz_record -max_total_time=300 CORPUS_COPY tests/fuzz/corpus/record
set -eu

srcdir=$(cd "$(dirname "$0")/../.." && pwd)
if [ $# -ge 1 ]; then
	builddir=$(cd "$1" && pwd)
elif [ -f "$srcdir/config.h" ]; then
	builddir=$srcdir
else
	builddir=$srcdir/_build
fi
out=${2:-$builddir/tests/fuzz/bin}
CC=${CC:-clang}
[ -f "$builddir/config.h" ] || { echo "build.sh: $builddir is not configured" >&2; exit 1; }
for f in xlators/nfs/server/nfs3_prot_xdr.c xlators/nfs/server/nlm4_prot_xdr.c \
	mount/mount3_prot_xdr.c; do
	[ -f "$builddir/$f" ] || { echo "build.sh: run make in $builddir first ($f)" >&2; exit 1; }
done
mkdir -p "$out/obj" "$out/xlators/storage" "$out/xlators/nfs"

pkgs="glib-2.0 gmodule-2.0 gthread-2.0 libtirpc nettle"
san="-fsanitize=address,undefined -fno-sanitize-recover=undefined"
CFLAGS="-g -O1 -fno-omit-frame-pointer -fPIC $san -fsanitize=fuzzer-no-link \
 -Wall -Wno-unused-parameter -Wno-unused-variable"
CPPFLAGS="-I$builddir -I$srcdir -I$srcdir/lib -I$srcdir/daemon -I$srcdir/xlators -I$srcdir/rpc -I$srcdir/mount \
 -I$builddir/mount -I$srcdir/xlators/nfs/server -I$builddir/xlators/nfs/server \
 -I$srcdir/tests/fuzz $(pkg-config --cflags $pkgs) \
 -DXLATOR_DIR=\"$out/xlators\" -DSTATE_DIR=\"/nonexistent\" -DSYSCONF_DIR=\"/nonexistent\""
LIBS="$(pkg-config --libs $pkgs)"
# nfs/server's metrics (nfs_metrics.c) use libmicrohttpd when configure found it.
mhd=""
if grep -q '^#define HAVE_MICROHTTPD 1' "$builddir/config.h"; then
	CPPFLAGS="$CPPFLAGS $(pkg-config --cflags libmicrohttpd)"
	mhd="$(pkg-config --libs libmicrohttpd)"
fi

# obj NAME SRC: compile SRC to $out/obj/NAME.o, echo the object.
obj() {
	$CC $CPPFLAGS $CFLAGS -c "$2" -o "$out/obj/$1.o"
	echo "$out/obj/$1.o"
}

core=""
# libxlnfs: what daemon/, rpc/ and xlators/ local.mk put in it.
for f in $(cd "$srcdir" && ls lib/*.c rpc/*.c xlators/*.c); do
	core="$core $(obj "$(echo "$f" | tr / _)" "$srcdir/$f")"
done
posix=""
for f in "$srcdir"/xlators/storage/posix/*.c; do
	# the module's files, not the xlnfs-posix-reindex tool (it has a main)
	case $f in */posix_reindex.c) continue ;; esac
	posix="$posix $(obj "posix_$(basename "$f" .c)" "$f")"
done
xdr="$(obj nfs3_prot_xdr "$builddir/xlators/nfs/server/nfs3_prot_xdr.c") \
 $(obj nlm4_prot_xdr "$builddir/xlators/nfs/server/nlm4_prot_xdr.c") \
 $(obj mount3_prot_xdr "$builddir/mount/mount3_prot_xdr.c")"
nfs=""
for f in "$srcdir"/xlators/nfs/server/*.c "$srcdir"/mount/*.c; do
	case $f in *_prot_xdr.c) continue ;; esac
	nfs="$nfs $(obj "nfs_$(basename "$f" .c)" "$f")"
done
# The nfs3 helpers without server.c (which defines the module symbol).
nfs_lib=$(echo "$nfs" | tr ' ' '\n' | grep -v '/nfs_server\.o$' | tr '\n' ' ')

# Modules take libxlnfs's symbols from the executable (-rdynamic below).
$CC $san -fsanitize=fuzzer-no-link -shared -o "$out/xlators/storage/posix.so" $posix
$CC $san -fsanitize=fuzzer-no-link -shared -o "$out/xlators/nfs/server.so" $nfs $xdr $mhd

for t in record callhdr nfs3_args dispatch; do
	extra=""
	[ $t = nfs3_args ] && extra="$nfs_lib $xdr $mhd"
	$CC $CPPFLAGS $CFLAGS -c "$srcdir/tests/fuzz/fuzz_$t.c" -o "$out/obj/fuzz_$t.o"
	$CC $san -fsanitize=fuzzer -rdynamic -o "$out/fuzz_$t" "$out/obj/fuzz_$t.o" \
		$extra $core $LIBS
done
echo "built in $out: fuzz_record fuzz_callhdr fuzz_nfs3_args fuzz_dispatch"

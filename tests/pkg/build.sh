#!/bin/bash
# tests/pkg/build.sh — build the Debian package from this checkout and
# check it with lintian.
#
#   tests/pkg/build.sh OUTDIR
#
# The tracked files (with their working-tree changes) are copied to
# OUTDIR/xlnfs-VERSION and built there with `dpkg-buildpackage -us -uc -b`,
# so neither the checkout nor its parent folder gets build products;
# OUTDIR receives xlnfs_*.deb. Then lintian: any error (E:) fails, warnings
# are printed. Needs the Debian packages dpkg-dev debhelper lintian and the
# build dependencies in debian/control.
set -euo pipefail
top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
out=${1:?usage: tests/pkg/build.sh OUTDIR}
mkdir -p "$out"
out=$(cd "$out" && pwd)
version=$(dpkg-parsechangelog -l "$top/debian/changelog" -S Version)
src=$out/xlnfs-$version
rm -rf "$src" "$out"/xlnfs_*
mkdir -p "$src"
git -C "$top" ls-files -z | tar -C "$top" --null -T - -cf - | tar -C "$src" -xf -
echo "== dpkg-buildpackage in $src"
(cd "$src" && DEB_BUILD_OPTIONS="parallel=$(nproc) ${DEB_BUILD_OPTIONS:-}" dpkg-buildpackage -us -uc -b)
ls -l "$out"/xlnfs_*.deb
echo "== lintian"
rc=0
lintian --info --display-info "$out"/xlnfs_*.changes >"$out/lintian.txt" 2>&1 || rc=$?
cat "$out/lintian.txt"
if grep -q '^E: ' "$out/lintian.txt"; then
	echo "FAIL: lintian reports errors"
	exit 1
fi
echo "PASS: lintian reports no errors (exit $rc; warnings above, if any)"

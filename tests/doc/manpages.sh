#!/bin/bash
# tests/doc/manpages.sh — the manual pages as built: xlnfsd(8),
# xlnfs-posix-reindex(8) and the generated xlnfs.vol(5) render with groff
# and man without one warning, and xlnfs.vol(5) lists every translator
# type and every option that `xlnfsd --list-xlators` reports for the
# build tree (so a module whose table did not make it into the page fails
# here).
set -u
: "${top_builddir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
export XLNFS_XLATOR_PATH="${XLNFS_XLATOR_PATH:-$top_builddir/xlators}"
fails=0
pass() { echo "PASS: $*"; }
fail() { echo "FAIL: $*"; fails=$((fails + 1)); }

command -v groff >/dev/null || { echo "ERROR: groff not found (Debian package groff-base)"; exit 99; }
tmp=$(mktemp -d "${TMPDIR:-/tmp}/xlnfs-man.XXXXXX") || exit 99
trap 'rm -rf "$tmp"' EXIT

for page in doc/xlnfsd.8 doc/xlnfs.vol.5 doc/xlnfs-posix-reindex.8; do
	f=$top_builddir/$page
	if [[ ! -s $f ]]; then
		fail "$page was built"
		continue
	fi
	groff -man -ww -z "$f" >"$tmp/groff.out" 2>&1
	if [[ -s $tmp/groff.out ]]; then
		sed 's/^/    /' "$tmp/groff.out"
		fail "$page: groff -man -ww -z warns"
	else
		pass "$page: groff -man -ww -z is silent"
	fi
	if command -v man >/dev/null; then
		MANWIDTH=80 man --warnings -l "$f" >"$tmp/man.txt" 2>"$tmp/man.err"
		if [[ -s $tmp/man.err || ! -s $tmp/man.txt ]]; then
			sed 's/^/    /' "$tmp/man.err"
			fail "$page: man -l renders it without warnings"
		else
			pass "$page: man -l renders it ($(wc -l <"$tmp/man.txt") lines), no warnings"
		fi
	fi
done

# The paths in the text are the configured ones, which can be long (a
# distcheck prefix is 60 characters): xlnfsd(8) must render cleanly with
# such a prefix too, whatever this build was configured with.
: "${srcdir:=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)}"
long=/a-rather-long/build/prefix/of-sixty-characters/xlnfs-0.1.0/_inst
sed -e "s|@SYSCONFDIR@|$long/etc|g" -e "s|@LOCALSTATEDIR@|$long/var|g" \
	-e "s|@DOCDIR@|$long/share/doc/xlnfs|g" -e "s|@XLATORDIR@|$long/lib/xlnfs/xlators|g" \
	-e "s|@VERSION@|0|g" -e "s|@DATE@|2026-01-01|g" "$srcdir/doc/xlnfsd.8.in" >"$tmp/long.8"
if command -v man >/dev/null; then
	MANWIDTH=80 man --warnings -l "$tmp/long.8" >/dev/null 2>"$tmp/man.err"
	if [[ -s $tmp/man.err ]]; then
		sed 's/^/    /' "$tmp/man.err"
		fail "xlnfsd.8 with a 60-character prefix: man -l renders it without warnings"
	else
		pass "xlnfsd.8 with a 60-character prefix: man -l renders it without warnings"
	fi
fi

# Every type and option the daemon lists must be in the page.
page=$top_builddir/doc/xlnfs.vol.5
"$top_builddir/daemon/xlnfsd" --list-xlators >"$tmp/list.txt" || fail "xlnfsd --list-xlators"
# the roff source without font escapes and with plain hyphens
sed -e 's/\\-/-/g' -e 's/\\f[BIRP]//g' "$page" >"$tmp/page.txt"
ntypes=0
nopts=0
missing=0
while read -r type; do
	ntypes=$((ntypes + 1))
	grep -qxF ".SS $type" "$tmp/page.txt" || { echo "    missing type $type"; missing=$((missing + 1)); }
done < <(sed -n 's/^\([a-z0-9_-]*\/[a-z0-9_-]*\) — .*/\1/p' "$tmp/list.txt")
while read -r key; do
	nopts=$((nopts + 1))
	grep -qF ".BI \"$key \"" "$tmp/page.txt" || { echo "    missing option $key"; missing=$((missing + 1)); }
done < <(sed -n 's/^    option \([^ ]*\) <.*/\1/p' "$tmp/list.txt")
if ((ntypes >= 2 && nopts >= 10 && missing == 0)); then
	pass "xlnfs.vol(5) has all $ntypes types and $nopts options of --list-xlators"
else
	fail "xlnfs.vol(5) has every type and option ($ntypes types, $nopts options, $missing missing)"
fi
echo "== manpages.sh: $fails failed"
((fails == 0))

#!/bin/bash
# tests/integration/exports.sh — the export table as an admin sees it:
# `showmount -e` lists every export with its clients, as knfsd does, also
# those the asking client may not mount (export-list-all on, the default),
# and only the mountable ones with export-list-all off; `xlnfsd --exports`
# prints the effective table like `exportfs -v` (one line per export and
# client with ro/rw, squashing, anonuid/anongid and sec=).
# Runs in a private network namespace (tests/lib/netns.sh).
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
netns_enter "$@"

command -v showmount >/dev/null || t_abort "showmount not found (Debian package nfs-common)"
EXPORT=$T/export
mkdir -p "$EXPORT/pub" "$EXPORT/lan" "$EXPORT/nobody"
VOL=$T/export.vol
EXPORTS="/ /pub(ro,all-squash,anonuid=1000,anongid=100,allow=10.0.0.0/8|192.168.1.7)"
EXPORTS+=" /lan(rw,no-root-squash,allow=192.168.0.0/16)"
xl_volfile "$VOL" "$EXPORT" root-squash on rpc-auth.allow 127.0.0.1 export-dir "$EXPORTS"

# ------------------------------------------------------------ --exports
t_info "xlnfsd --exports"
rc=0
"$XLNFSD" --exports -f "$VOL" >"$T/exports.out" 2>&1 || rc=$?
cat "$T/exports.out"
t_check "--exports exits 0 (got $rc)" test "$rc" = 0
# expect LINE-REGEX: exactly one line of the table matches
expect() {
	t_check "--exports: $1" test "$(grep -Ec "$1" "$T/exports.out")" = 1
}
expect '^/ +	127\.0\.0\.1\(rw,root_squash,no_all_squash,anonuid=65534,anongid=65534,sec=sys:none\)$'
expect '^/pub +	10\.0\.0\.0/8\(ro,root_squash,all_squash,anonuid=1000,anongid=100,sec=sys:none\)$'
expect '^/pub +	192\.168\.1\.7\(ro,root_squash,all_squash,anonuid=1000,anongid=100,sec=sys:none\)$'
expect '^/lan +	192\.168\.0\.0/16\(rw,no_root_squash,no_all_squash,anonuid=65534,anongid=65534,sec=sys:none\)$'
t_check "--exports: 4 client lines and a header" test "$(wc -l <"$T/exports.out")" = 5
rc=0
"$XLNFSD" --exports -f "$T/no-such.vol" >"$T/exports-bad.out" 2>&1 || rc=$?
t_check "--exports on a missing volfile exits 1 (got $rc)" test "$rc" = 1

# ------------------------------------------------------------ showmount -e
t_info "showmount -e, export-list-all on (the default)"
xl_start "$VOL" || t_abort "xlnfsd did not start"
showmount -e 127.0.0.1 >"$T/showmount.out" 2>&1
cat "$T/showmount.out"
t_check "showmount -e lists / for 127.0.0.1" grep -Eq '^/ +127\.0\.0\.1$' "$T/showmount.out"
t_check "showmount -e lists /pub (not ours to mount) with its clients" \
	grep -Eq '^/pub +(10\.0\.0\.0/8,192\.168\.1\.7|192\.168\.1\.7,10\.0\.0\.0/8)$' "$T/showmount.out"
t_check "showmount -e lists /lan (not ours to mount) with its client" \
	grep -Eq '^/lan +192\.168\.0\.0/16$' "$T/showmount.out"
t_check "showmount -e lists 3 exports" test "$(grep -c '^/' "$T/showmount.out")" = 3
t_check "stop" xl_stop

t_info "showmount -e, export-list-all off"
xl_volfile "$VOL" "$EXPORT" root-squash on rpc-auth.allow 127.0.0.1 export-dir "$EXPORTS" \
	export-list-all off
xl_start "$VOL" || t_abort "xlnfsd did not start with export-list-all off"
showmount -e 127.0.0.1 >"$T/showmount.out" 2>&1
cat "$T/showmount.out"
t_check "showmount -e lists / for 127.0.0.1" grep -Eq '^/ +127\.0\.0\.1$' "$T/showmount.out"
t_check "showmount -e hides /pub and /lan" test "$(grep -c '^/' "$T/showmount.out")" = 1
t_check "stop" xl_stop
t_done

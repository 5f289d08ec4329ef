#!/bin/bash
# tests/integration/exports_rules.sh — who may use an export, and as whom,
# against a running xlnfsd in a private namespace (tests/lib/netns.sh).
# sec_rpc makes single raw MOUNT/NFS calls from 127.0.0.N (all of
# 127.0.0.0/8 is local on lo) and from a privileged or an ephemeral port:
#   - a bad `export` value is reported as FILE:LINE: ... column N;
#   - the `export` option's per-client entries: rw/ro, no_root_squash,
#     all_squash with anonuid, deny entries; secure refuses ports >= 1024
#     (MNT3ERR_ACCES, NFS3ERR_PERM), insecure accepts them;
#   - AUTH_NONE callers are the export's anonuid/anongid;
#   - a REMOVE of "keep\0.bak" is refused and leaves "keep";
#   - a MOUNT path with "\n[date] E ..." cannot forge a log line;
#   - a handle of a removed export, or signed with a replaced fh-secret,
#     is STALE; a forged one BADHANDLE;
#   - manage-gids: a user in 20 groups (a private /etc/passwd and
#     /etc/group bind-mounted in this mount namespace) gets access through
#     its 20th group, and a credential listing 20 groups is accepted.
here=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
. "$here/../lib/netns.sh"
netns_enter "$@"

RPC=$top_builddir/tests/integration/sec_rpc
[[ -x $RPC ]] || t_abort "$RPC not built"

EXPORT=$T/export
mkdir -p "$EXPORT/data" "$EXPORT/pub" "$EXPORT/data/team" "$EXPORT/named"
chmod 0777 "$EXPORT/data" "$EXPORT/pub" "$EXPORT/named"
# Host names for 127.0.0.7/8 from a private /etc/hosts (this mount namespace).
cp /etc/hosts "$T/hosts"
printf '127.0.0.7 good.test\n127.0.0.8 other.test\n' >>"$T/hosts"
mount --bind "$T/hosts" /etc/hosts || t_abort "bind-mount hosts"

t_info "errors name the file, the line and the column"
xl_volfile "$T/bad.vol" "$EXPORT" export '"/a *(ro); /b 10.0.0.1(rw,nope)"'
line=$(grep -n 'option export' "$T/bad.vol" | cut -d: -f1)
out=$("$XLNFSD" --check -f "$T/bad.vol" 2>&1)
t_check "--check: $T/bad.vol:$line: ... column 26: \"nope\"" \
	grep -qF "bad.vol:$line: volume 'server': option 'export': column 26: \"nope\": unknown option" \
	<<<"$out"

RULES='/data -127.0.0.9 127.0.0.2(rw,no_root_squash) 127.0.0.3(rw,all_squash,anonuid=1234,anongid=1234) 127.0.0.0/8(ro); /pub *(rw,insecure,anonuid=4321,anongid=4321); /named -bad.test *.test(rw,insecure,all_squash,anonuid=777,anongid=777) 127.0.0.0/8(ro,insecure)'
xl_volfile "$T/export.vol" "$EXPORT" export "\"$RULES\""
xl_start "$T/export.vol" || t_abort "xlnfsd did not start"

# field N of a reply line
f1() { echo "${1%% *}"; }
f() { echo "$1" | awk -v n="$2" '{ print $n }'; }

t_info "per-client options, secure ports"
r=$("$RPC" -b 127.0.0.2 -p 700 mnt /data)
t_check "127.0.0.2 from port 700 mounts /data ($r)" test "$(f1 "$r")" = 0
DATA=$(f "$r" 2)
r=$("$RPC" -b 127.0.0.2 -p 700 -u 0 -g 0 create "$DATA" byroot)
t_check "127.0.0.2 (rw,no_root_squash): CREATE as root owned by 0:0 ($r)" test "$r" = "0 0 0"
r=$("$RPC" -b 127.0.0.2 mnt /data)
t_check "127.0.0.2 from an ephemeral port: MNT3ERR_ACCES (secure) ($r)" test "$r" = 13
r=$("$RPC" -b 127.0.0.2 -u 0 -g 0 getattr "$DATA")
t_check "127.0.0.2 from an ephemeral port: NFS3ERR_PERM (secure) ($r)" test "$r" = 1
r=$("$RPC" -b 127.0.0.3 -p 701 -u 1000 -g 1000 create "$DATA" squashed)
t_check "127.0.0.3 (all_squash,anonuid=1234): CREATE owned by 1234:1234 ($r)" \
	test "$r" = "0 1234 1234"
r=$("$RPC" -b 127.0.0.4 -p 702 -u 1000 -g 1000 create "$DATA" nope)
t_check "127.0.0.4 (127.0.0.0/8, ro): CREATE is NFS3ERR_ROFS ($r)" test "$r" = 30
r=$("$RPC" -b 127.0.0.4 -p 702 -u 0 -g 0 getattr "$DATA")
t_check "127.0.0.4 (ro) may still read ($r)" test "$(f1 "$r")" = 0
r=$("$RPC" -b 127.0.0.9 -p 703 mnt /data)
t_check "127.0.0.9 (deny entry before the network): MNT3ERR_ACCES ($r)" test "$r" = 13
r=$("$RPC" -b 127.0.0.9 -p 703 getattr "$DATA")
t_check "127.0.0.9 (deny): NFS3ERR_ACCES with a valid handle ($r)" test "$r" = 13
r=$("$RPC" -b 127.0.0.5 mnt /pub)
t_check "/pub (insecure): MNT from an ephemeral port ($r)" test "$(f1 "$r")" = 0
PUB=$(f "$r" 2)

t_info "host names: forward-confirmed, cached, never waited for by NFS calls"
r=$("$RPC" -b 127.0.0.7 mnt /named)
t_check "good.test (*.test): MNT waits for the name (hostname-wait) and mounts ($r)" \
	test "$(f1 "$r")" = 0
NAMED=$(f "$r" 2)
r=$("$RPC" -b 127.0.0.7 -u 1000 -g 1000 create "$NAMED" bygood)
t_check "good.test: CREATE as all_squash anonuid 777 ($r)" test "$r" = "0 777 777"
r=$("$RPC" -b 127.0.0.8 -u 1000 -g 1000 create "$NAMED" byother)
t_check "other.test, name not cached yet: NFS3ERR_JUKEBOX at once ($r)" test "$r" = 10008
sleep 0.5
r=$("$RPC" -b 127.0.0.8 -u 1000 -g 1000 create "$NAMED" byother)
t_check "other.test, retried: CREATE as 777 ($r)" test "$r" = "0 777 777"
"$RPC" -b 127.0.0.4 -u 1000 -g 1000 create "$NAMED" nameless >/dev/null
sleep 0.5
r=$("$RPC" -b 127.0.0.4 -u 1000 -g 1000 create "$NAMED" nameless)
t_check "127.0.0.4 (no name): the network entry after the names, ro ($r)" test "$r" = 30

t_info "AUTH_NONE"
r=$("$RPC" -b 127.0.0.5 -N create "$PUB" anon)
t_check "AUTH_NONE CREATE owned by the export's anonuid/anongid 4321 ($r)" \
	test "$r" = "0 4321 4321"

t_info "names are what the wire says"
r=$("$RPC" -b 127.0.0.2 -p 700 -u 0 -g 0 create "$DATA" keep)
t_check "CREATE keep ($r)" test "$(f1 "$r")" = 0
r=$("$RPC" -b 127.0.0.2 -p 700 -u 0 -g 0 remove "$DATA" 'keep\0.bak')
t_check "REMOVE \"keep\\0.bak\" refused: GARBAGE_ARGS, as knfsd ($r)" test "$r" = GARBAGE_ARGS
t_check "... and keep is still there" test -e "$EXPORT/data/keep"
r=$("$RPC" -b 127.0.0.2 -p 700 mnt '/data\0/../..')
t_check "MNT of \"/data\\0/../..\" refused: GARBAGE_ARGS ($r)" test "$r" = GARBAGE_ARGS

t_info "log lines cannot be forged"
"$RPC" -b 127.0.0.2 -p 700 mnt '/x\n[2026-12-01 00:00:00.000000] E [forged.c:1:forged] server: FORGED' >/dev/null
sleep 0.2
t_check "the MNT was logged (escaped)" grep -q 'FORGED' "$T/xlnfsd.log"
t_check "no log line starts with the forged text" \
	not grep -q '^\[2026-12-01 00:00:00.000000\] E \[forged.c' "$T/xlnfsd.log"
t_check "the forged text stayed inside one line" \
	test "$(grep -c 'FORGED' "$T/xlnfsd.log")" = 1

t_info "the statedump shows each client entry"
kill -USR1 "$XLNFSD_PID"
for ((n = 0; n < 30; n++)); do grep -q 'client entries' "$T/xlnfsd.log" && break; sleep 0.1; done
sleep 0.2
t_check "statedump: the deny entry" grep -q ' -127.0.0.9 (deny)$' "$T/xlnfsd.log"
t_check "statedump: an entry with its options" \
	grep -q ' 127.0.0.3(rw,all_squash,anonuid=1234,anongid=1234,secure)$' "$T/xlnfsd.log"

t_info "STALE for a removed export and a replaced secret"
bad=${DATA:0:40}$(printf '%x' $(((16#${DATA:40:1} + 1) % 16)))${DATA:41}
r=$("$RPC" -b 127.0.0.2 -p 700 getattr "$bad")
t_check "a damaged handle: NFS3ERR_BADHANDLE ($r)" test "$r" = 10001

# Restart without /pub and with manage-gids, over a private user database.
cp /etc/passwd "$T/passwd"
cp /etc/group "$T/group"
echo "u20:x:2000:2000::/nonexistent:/bin/false" >>"$T/passwd"
echo "u20:x:2000:" >>"$T/group"
for ((g = 5001; g <= 5020; g++)); do echo "g$g:x:$g:u20" >>"$T/group"; done
mount --bind "$T/passwd" /etc/passwd || t_abort "bind-mount passwd"
mount --bind "$T/group" /etc/group || t_abort "bind-mount group"
t_check "the private database says u20 is in 21 groups" \
	test "$(id -G u20 | wc -w)" = 21
# The team directory belongs to u20's 20th supplementary group: beyond
# the 16 AUTH_SYS carries, within the XL_CRED_MAX_GROUPS (128) of struct
# xl_cred that manage-gids fills (lib/cred.h).
TEAM_GID=5020
chown 0:$TEAM_GID "$EXPORT/data/team"
chmod 0770 "$EXPORT/data/team"

xl_stop || t_fail "xlnfsd stopped"
RULES2='/data 127.0.0.2(rw,no_root_squash) 127.0.0.0/8(rw)'
xl_volfile "$T/export.vol" "$EXPORT" export "\"$RULES2\"" manage-gids on
xl_start "$T/export.vol" || t_abort "xlnfsd did not restart"
r=$("$RPC" -b 127.0.0.5 getattr "$PUB")
t_check "a handle of the removed export /pub: NFS3ERR_STALE ($r)" test "$r" = 70
r=$("$RPC" -b 127.0.0.2 -p 700 -u 0 -g 0 lookup "$DATA" team)
t_check "LOOKUP team ($r)" test "$(f1 "$r")" = 0
TEAM=$(f "$r" 2)
r=$("$RPC" -b 127.0.0.6 -p 704 -u 2000 -g 2000 create "$TEAM" viagroups)
t_check "manage-gids: u20 (no groups sent) creates in a 0770 dir of its group $TEAM_GID ($r)" \
	test "$(f1 "$r")" = 0
r=$("$RPC" -b 127.0.0.6 -p 704 -u 2000 -g 2000 \
	-G 7001,7002,7003,7004,7005,7006,7007,7008,7009,7010,7011,7012,7013,7014,7015,7016,7017,7018,7019,7020 \
	create "$TEAM" twenty)
t_check "manage-gids: a credential with 20 (wrong) groups is accepted, its list ignored ($r)" \
	test "$(f1 "$r")" = 0
r=$("$RPC" -b 127.0.0.6 -p 704 -u 2001 -g 2001 -G $TEAM_GID create "$TEAM" other)
t_check "manage-gids: uid 2001 (unknown here) claiming group $TEAM_GID is refused ($r)" test "$r" = 13

xl_stop || t_fail "xlnfsd stopped"
xl_volfile "$T/export.vol" "$EXPORT" export "\"$RULES2\""
xl_start "$T/export.vol" || t_abort "xlnfsd did not restart"
r=$("$RPC" -b 127.0.0.6 -p 704 -u 2000 -g 2000 create "$TEAM" nogroups)
t_check "without manage-gids: u20 sending no groups is refused ($r)" test "$r" = 13
r=$("$RPC" -b 127.0.0.6 -p 704 -u 2000 -g 2000 \
	-G 5001,5002,5003,5004,5005,5006,5007,5008,5009,5010,5011,5012,5013,5014,5015,5016,5017,5018,5019,5020 \
	create "$TEAM" twenty2)
t_check "without manage-gids: a credential with 20 groups is AUTH_BADCRED ($r)" \
	test "$r" = AUTH_ERROR=1

xl_stop || t_fail "xlnfsd stopped"
rm -f "$T/state/fh-secret"
xl_start "$T/export.vol" || t_abort "xlnfsd did not restart"
r=$("$RPC" -b 127.0.0.2 -p 700 -u 0 -g 0 getattr "$DATA")
t_check "a handle signed with the replaced secret: NFS3ERR_STALE ($r)" test "$r" = 70
r=$("$RPC" -b 127.0.0.2 -p 700 mnt /data)
t_check "MNT gives a new handle ($r)" test "$(f1 "$r")" = 0
r=$("$RPC" -b 127.0.0.2 -p 700 -u 0 -g 0 getattr "$(f "$r" 2)")
t_check "which works ($r)" test "$(f1 "$r")" = 0

t_check "xlnfsd still runs" kill -0 "$XLNFSD_PID"
t_done

#!/usr/bin/env python3
"""tests/fuzz/gen_corpus.py — write the seed corpora of the fuzz targets.

    python3 tests/fuzz/gen_corpus.py [CORPUSDIR]   (default: tests/fuzz/corpus)

Writes CORPUSDIR/{record,callhdr,nfs3_args,dispatch}/seed-*: one valid
call per NFS3 and MOUNT procedure (AUTH_NONE and AUTH_SYS), as records
for fuzz_record, headers for fuzz_callhdr, argument bodies for
fuzz_nfs3_args and whole calls for fuzz_dispatch (which also gets one per
NLM v4 procedure the server serves, statd's reboot notice included). Handles in dispatch
seeds are fuzz_dispatch.c's placeholders ("FH#0" root, "FH#1" file,
"FH#2" dir, "FH#3" link); elsewhere they are 36 made-up bytes. Crash
reproducers are kept next to the seeds as regress-* files; this script
never touches them.
"""
import os
import struct
import sys


def u32(v):
    return struct.pack(">I", v & 0xFFFFFFFF)


def u64(v):
    return struct.pack(">Q", v)


def opaque(b):
    return u32(len(b)) + b + b"\0" * ((4 - len(b) % 4) % 4)


def fixed(b):
    return b + b"\0" * ((4 - len(b) % 4) % 4)


def auth_sys(uid, gid, groups, machine=b"fuzzhost"):
    body = u32(0x5F000000) + opaque(machine) + u32(uid) + u32(gid) + u32(len(groups))
    body += b"".join(u32(g) for g in groups)
    return u32(1) + opaque(body)


AUTH_NONE = u32(0) + u32(0)


def call(xid, prog, vers, proc, args=b"", cred=AUTH_NONE):
    return u32(xid) + u32(0) + u32(2) + u32(prog) + u32(vers) + u32(proc) + cred + AUTH_NONE + args


# Placeholder handles (see fuzz_dispatch.c) and a made-up one.
def ph(k):
    return u32(4) + b"FH#" + bytes([ord("0") + k])


FAKE = opaque(bytes(range(1, 37)))
ROOT, FILE, DIR, LINK = 0, 1, 2, 3


def sattr(mode=None, uid=None, gid=None, size=None, atime=0, mtime=0):
    s = b""
    for v, pack in ((mode, u32), (uid, u32), (gid, u32), (size, u64)):
        s += u32(0) if v is None else u32(1) + pack(v)
    s += u32(atime) + (u32(1) + u32(1) if atime == 2 else b"")
    s += u32(mtime) + (u32(1) + u32(1) if mtime == 2 else b"")
    return s


def name(s):
    return opaque(s.encode())


def nfs3_args(fh):
    """(procedure number, name, argument bytes) with @fh(k) making handles."""
    a = []
    a.append((1, "getattr", fh(ROOT)))
    a.append((1, "getattr-file", fh(FILE)))
    a.append((2, "setattr", fh(FILE) + sattr(mode=0o644, size=100, atime=1, mtime=2) + u32(0)))
    a.append((2, "setattr-guard", fh(FILE) + sattr(mode=0o600) + u32(1) + u32(5) + u32(6)))
    a.append((3, "lookup", fh(ROOT) + name("file")))
    a.append((3, "lookup-dotdot", fh(DIR) + name("..")))
    a.append((4, "access", fh(FILE) + u32(0x3F)))
    a.append((5, "readlink", fh(LINK)))
    a.append((6, "read", fh(FILE) + u64(0) + u32(4096)))
    a.append((6, "read-eof", fh(FILE) + u64(9990) + u32(100)))
    a.append((7, "write", fh(FILE) + u64(10) + u32(5) + u32(0) + opaque(b"hello")))
    a.append((7, "write-sync", fh(FILE) + u64(0) + u32(3) + u32(2) + opaque(b"abc")))
    a.append((8, "create-unchecked", fh(DIR) + name("new") + u32(0) + sattr(mode=0o644)))
    a.append((8, "create-guarded", fh(ROOT) + name("g") + u32(1) + sattr(mode=0o600)))
    a.append((8, "create-exclusive", fh(ROOT) + name("x") + u32(2) + b"verifier"))
    a.append((9, "mkdir", fh(ROOT) + name("newdir") + sattr(mode=0o755)))
    a.append((10, "symlink", fh(ROOT) + name("sl") + sattr(mode=0o777) + opaque(b"dir/a")))
    a.append((11, "mknod-fifo", fh(ROOT) + name("fifo") + u32(7) + sattr(mode=0o644)))
    a.append((11, "mknod-chr", fh(ROOT) + name("chr") + u32(3) + sattr(mode=0o644) + u32(1) + u32(3)))
    a.append((12, "remove", fh(DIR) + name("a")))
    a.append((13, "rmdir", fh(DIR) + name("b")))
    a.append((14, "rename", fh(DIR) + name("a") + fh(ROOT) + name("moved")))
    a.append((15, "link", fh(FILE) + fh(DIR) + name("hard")))
    a.append((16, "readdir", fh(ROOT) + u64(0) + b"\0" * 8 + u32(4096)))
    a.append((16, "readdir-small", fh(DIR) + u64(0) + b"\0" * 8 + u32(120)))
    a.append((17, "readdirplus", fh(ROOT) + u64(0) + b"\0" * 8 + u32(4096) + u32(32768)))
    a.append((18, "fsstat", fh(ROOT)))
    a.append((19, "fsinfo", fh(ROOT)))
    a.append((20, "pathconf", fh(ROOT)))
    a.append((21, "commit", fh(FILE) + u64(0) + u32(0)))
    return a


def nlm_lock(fh, owner=b"owner-1", svid=101, off=0, length=100, caller="fuzzhost"):
    return name(caller) + fh(FILE) + opaque(owner) + u32(svid) + u64(off) + u64(length)


def nlm_share(fh, mode, access, owner=b"owner-1"):
    return name("fuzzhost") + fh(FILE) + opaque(owner) + u32(mode) + u32(access)


def nlm4_args(fh):
    """(procedure number, name, argument bytes) for NLM v4 (program 100021).
    The order matters only within one process: a blocking LOCK by another
    owner waits for the first LOCK, which UNLOCK then gives up."""
    ck = opaque(b"cookie01")
    a = []
    a.append((0, "null", b""))
    a.append((1, "test", ck + u32(1) + nlm_lock(fh)))
    a.append((2, "lock", ck + u32(0) + u32(1) + nlm_lock(fh) + u32(0) + u32(3)))
    a.append((2, "lock-block", ck + u32(1) + u32(1) +
              nlm_lock(fh, b"owner-2", 202, 50, 0, "otherhost") + u32(0) + u32(5)))
    a.append((2, "lock-shared-dir", ck + u32(0) + u32(0) +
              nlm_lock(fh, caller="fuzzhost").replace(fh(FILE), fh(DIR)) + u32(0) + u32(3)))
    a.append((3, "cancel", ck + u32(1) + u32(1) + nlm_lock(fh, b"owner-2", 202, 50, 0, "otherhost")))
    a.append((4, "unlock", ck + nlm_lock(fh)))
    a.append((5, "granted", ck + u32(1) + nlm_lock(fh)))
    a.append((16, "sm-notify", name("otherhost") + u32(7) + b"\0" * 16))
    a.append((20, "share", ck + nlm_share(fh, 2, 3) + u32(0)))
    a.append((21, "unshare", ck + nlm_share(fh, 2, 3) + u32(0)))
    a.append((22, "nm-lock", ck + u32(0) + u32(1) + nlm_lock(fh, svid=0) + u32(0) + u32(0)))
    a.append((23, "free-all", name("fuzzhost") + u32(0)))
    return a


MOUNT_ARGS = [
    (1, "mnt", name("/")),
    (1, "mnt-dir", name("/dir")),
    (2, "dump", b""),
    (3, "umnt", name("/")),
    (4, "umntall", b""),
    (5, "export", b""),
]

# fuzz_nfs3_args' table order (byte 0 selects).
NFS3_DECODERS = ["GETATTR", "SETATTR", "LOOKUP", "ACCESS", "READLINK", "READ", "WRITE",
                 "CREATE", "MKDIR", "SYMLINK", "MKNOD", "REMOVE", "RMDIR", "RENAME", "LINK",
                 "READDIR", "READDIRPLUS", "FSSTAT", "FSINFO", "PATHCONF", "COMMIT"]
DEC_DIRPATH, DEC_MOUNTLIST, DEC_EXPORTS = 21, 22, 23
# then NLM v4's, by the procedures whose arguments they are
NLM4_DECODERS = {1: 24, 2: 25, 3: 26, 4: 27, 5: 24, 16: 30, 20: 28, 21: 28, 22: 25, 23: 29}


def write(d, fname, data):
    os.makedirs(d, exist_ok=True)
    with open(os.path.join(d, fname), "wb") as f:
        f.write(data)


def main():
    here = os.path.dirname(os.path.abspath(__file__))
    top = sys.argv[1] if len(sys.argv) > 1 else os.path.join(here, "corpus")
    root_cred = auth_sys(0, 0, [0])
    user_cred = auth_sys(1000, 1000, [1000, 27, 100])

    calls = []  # (name, whole call with placeholders)
    xid = 100
    for proc, n, args in MOUNT_ARGS:
        xid += 1
        calls.append(("mount3-" + n, call(xid, 100005, 3, proc, args)))
    calls.append(("mount1-mnt", call(xid + 1, 100005, 1, 1, name("/"))))
    calls.append(("nfs3-null", call(xid + 2, 100003, 3, 0)))
    for proc, n, args in nfs3_args(ph):
        xid += 1
        calls.append(("nfs3-" + n, call(xid, 100003, 3, proc, args, user_cred)))
    calls.append(("nfs3-getattr-root-cred", call(7, 100003, 3, 1, ph(ROOT), root_cred)))
    calls.append(("nfs3-getattr-fake-fh", call(8, 100003, 3, 1, FAKE)))
    calls.append(("nfs3-proc-unavail", call(9, 100003, 3, 22)))
    calls.append(("nfs2-prog-mismatch", call(10, 100003, 2, 0)))
    calls.append(("prog-unavail", call(11, 100099, 1, 0)))
    for proc, n, args in nlm4_args(ph):
        xid += 1
        calls.append(("nlm4-" + n, call(xid, 100021, 4, proc, args, user_cred)))
    calls.append(("nlm4-test-fake-fh", call(12, 100021, 4, 1,
                                             opaque(b"c") + u32(0) + nlm_lock(lambda k: FAKE))))
    calls.append(("nlm4-proc-unavail", call(13, 100021, 4, 7)))
    calls.append(("nlm1-prog-mismatch", call(14, 100021, 1, 0)))
    for n, c in calls:
        write(os.path.join(top, "dispatch"), "seed-" + n, c)

    # Headers: the same calls (with made-up handles) and the rejections.
    hdrs = {n: c.replace(ph(ROOT), FAKE) for n, c in calls[:12]}
    hdrs["rpc-mismatch"] = u32(1) + u32(0) + u32(3) + u32(100003) + u32(3) + u32(0)
    hdrs["auth-toweak"] = u32(1) + u32(0) + u32(2) + u32(100003) + u32(3) + u32(0) + \
        u32(6) + opaque(b"x" * 20) + AUTH_NONE
    hdrs["auth-sys-16"] = call(2, 100003, 3, 0, b"", auth_sys(1, 2, list(range(16)), b"m" * 255))
    hdrs["reply"] = u32(1) + u32(1) + u32(0)
    for n, c in hdrs.items():
        write(os.path.join(top, "callhdr"), "seed-" + n, c)

    # Records: byte 0 max_record, 1-4 the split seed, then a stream.
    stream = b""
    for n, c in calls[:8]:
        stream += u32(0x80000000 | len(c)) + c
    c = calls[10][1]
    frags = u32(8) + c[:8] + u32(0) + u32(0x80000000 | (len(c) - 8)) + c[8:]
    write(os.path.join(top, "record"), "seed-calls", bytes([7]) + b"\x12\x34\x56\x78" + stream)
    write(os.path.join(top, "record"), "seed-fragments", bytes([4]) + b"\x9a\xbc\xde\xf1" + frags)
    write(os.path.join(top, "record"), "seed-too-large",
          bytes([0]) + b"\x01\x02\x03\x04" + u32(0x80000000 | 4096) + b"z" * 100)
    big = u32(40000) + b"w" * 40000 + u32(0x80000000 | 30000) + b"v" * 30000
    write(os.path.join(top, "record"), "seed-large-body", bytes([0x0F]) + b"\x31\x41\x59\x27" + big)
    write(os.path.join(top, "record"), "seed-empty-last",
          bytes([9]) + b"\x01\x02\x03\x05" + u32(0x80000000) + u32(0x80000004) + b"abcd")

    # Argument bodies.
    d = os.path.join(top, "nfs3_args")
    for proc, n, args in nfs3_args(lambda k: FAKE):
        write(d, "seed-" + n, bytes([proc - 1]) + args)
    write(d, "seed-dirpath", bytes([DEC_DIRPATH]) + name("/export/dir"))
    ml = u32(1) + name("192.0.2.1") + name("/") + u32(1) + name("::1") + name("/dir") + u32(0)
    write(d, "seed-mountlist", bytes([DEC_MOUNTLIST]) + ml)
    ex = u32(1) + name("/") + u32(1) + name("*") + u32(1) + name("10.0.0.0/8") + u32(0) + \
        u32(1) + name("/dir") + u32(0) + u32(0)
    write(d, "seed-exports", bytes([DEC_EXPORTS]) + ex)
    for proc, n, args in nlm4_args(lambda k: FAKE):
        if proc in NLM4_DECODERS:
            write(d, "seed-nlm4-" + n, bytes([NLM4_DECODERS[proc]]) + args)


if __name__ == "__main__":
    main()

#!/bin/bash
# tests/integration/nfs3_memory.sh — tests/integration/nfs3.sh over storage/memory
# instead of storage/posix: every NFSv3 and MOUNT procedure through libnfs.
# tests/lib/netns.sh's xl_volfile takes the store from XLNFS_STORE (memory:
# the export directory imported at each start, the store kept in a snapshot
# across restarts); checks that look at the server's disk say they skip.
XLNFS_STORE=memory exec bash "$(dirname "${BASH_SOURCE[0]}")/nfs3.sh" "$@"

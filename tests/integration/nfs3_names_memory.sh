#!/bin/bash
# tests/integration/nfs3_names_memory.sh — tests/integration/nfs3_names.sh over storage/memory
# instead of storage/posix: the namespace procedures' exact statuses.
# tests/lib/netns.sh's xl_volfile takes the store from XLNFS_STORE (memory:
# the export directory imported at each start, the store kept in a snapshot
# across restarts); checks that look at the server's disk say they skip.
XLNFS_STORE=memory exec bash "$(dirname "${BASH_SOURCE[0]}")/nfs3_names.sh" "$@"

#!/bin/bash
# tests/e2e/nlm_memory.sh — tests/e2e/nlm.sh over storage/memory instead of
# storage/posix: the kernel client's fcntl and flock locks through NLM.
XLNFS_STORE=memory exec bash "$(dirname "${BASH_SOURCE[0]}")/nlm.sh" "$@"

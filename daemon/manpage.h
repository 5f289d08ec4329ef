/*
 * manpage.h — the translators' reference in roff, for xlnfs.vol(5).
 */
#ifndef XLNFS_MANPAGE_H
#define XLNFS_MANPAGE_H

#include <stdio.h>

/* Write one ".SS TYPE" block per translator found in @xlator_dir (NULL:
 * the default directory) to @fp: description, subvolume count, and each
 * option with its type, default, valid values and description. 0, or
 * -ENOENT (no translator found) / -ENOEXEC (one did not load), reported
 * with xl_diag. */
int manpage_xlators(const char *xlator_dir, FILE *fp);

#endif

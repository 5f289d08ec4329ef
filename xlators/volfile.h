/*
 * volfile.h — the volume file parser (framework-internal).
 *
 * Turns volfile text into a list of volume descriptions, remembering the
 * line of every statement so the graph builder can name it in errors.
 * Syntax, one statement per line:
 *
 *     volume NAME
 *         type CATEGORY/NAME
 *         option KEY VALUE...        # words joined by one space
 *         option KEY "a quoted value"
 *         subvolumes A B ...
 *     end-volume
 *
 * '#' starts a comment outside double quotes; inside quotes \" and \\
 * stand for " and \.
 */
#ifndef XLNFS_VOLFILE_H
#define XLNFS_VOLFILE_H

#include <glib.h>

struct xl_vf_option {
	char *key;
	char *value;
	int line;
};

struct xl_vf_volume {
	char *name;
	int line; /* of "volume NAME" */
	char *type;
	int type_line;
	GPtrArray *options; /* struct xl_vf_option *, in file order */
	char **subvols;	    /* NULL-terminated; NULL if no subvolumes */
	int subvols_line;
};

struct xl_volfile {
	char *name;	    /* file name used in messages */
	GPtrArray *volumes; /* struct xl_vf_volume *, in file order */
};

/* Parse @text; @name is the file name for messages. Syntax errors are
 * reported with xl_diag() and make it return -EINVAL (*out untouched);
 * on success *out is the parsed file (free with xl_volfile_free). */
int xl_volfile_parse(const char *name, const char *text, struct xl_volfile **out);
void xl_volfile_free(struct xl_volfile *vf);

#endif

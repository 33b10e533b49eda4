/*
 * Removing the entries an item's rule matches from another tool's JSON file.
 */
#ifndef ATMOS_JSONEDIT_H
#define ATMOS_JSONEDIT_H

#include <atmos/plan.h>

#include "fs/safefs.h"

/*
 * Count (it->entries) and, unless dry_run, remove the entries of it->path
 * that it->rule matches.  ATMOS_OK when there were some, ATMOS_ABSENT
 * when none (or no file); else with `why`, ATMOS_ENOMEM when out of memory,
 * ATMOS_ESYS for any other failure (a file that does not parse, or that its
 * tool would refuse, too).  After a rewrite, *dfd_out is the directory to
 * sync (the caller closes it), else -1.
 */
int atmos_json_edit(const struct atmos_fs *fs, struct atmos_item *it, int dry_run, int timeout_ms,
                    int *dfd_out, struct atmos_err *why);

/*
 * The edit in memory (what atmos_json_edit writes): count the entries of
 * p[0, len) it->rule matches into *n and, with out, write p without them
 * there.  ATMOS_OK, or with why: ATMOS_EINVAL (the file must stay), or
 * ATMOS_ENOMEM.
 */
int atmos_json_cut(const char *p, size_t len, const struct atmos_item *it, struct atmos_buf *out,
                   size_t *n, struct atmos_err *why);

#endif

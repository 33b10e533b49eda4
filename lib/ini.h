/*
 * The INI section remover (see ini.c for the grammar).
 */
#ifndef ATMOS_INI_H
#define ATMOS_INI_H

#include <stddef.h>

#include <atmos/plan.h>

#include "internal.h"

struct atmos_ini_result {
    int found;         /* sections removed (a duplicated section counts each time) */
    int sections_left; /* sections other than [DEFAULT] still in the output */
};

/*
 * Copy `in` to `out` without the section(s) for `name`; every other byte is
 * kept.  Returns 0, or -1 on allocation failure.
 */
int atmos_ini_remove(const char *in, size_t len, enum atmos_ini_flavor flavor, const char *name,
                     struct atmos_buf *out, struct atmos_ini_result *res);

/* Does a header's name (the text between the brackets) denote profile `name`? */
int atmos_ini_header_matches(const char *h, size_t hlen, enum atmos_ini_flavor flavor,
                             const char *name);

#endif

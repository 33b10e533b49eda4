/*
 * The INI section remover (see formats/ini.c for the grammar).
 */
#ifndef ATMOS_INI_H
#define ATMOS_INI_H

#include <stddef.h>

#include <atmos/plan.h>

#include "base/strings.h"

struct atmos_ini_result {
    int found;         /* sections removed (a duplicated section counts each time) */
    int sections_left; /* sections other than [DEFAULT] still in the output */
    int unsafe;        /* the output would read differently (e.g. an indented header
                          would turn into a continuation line): do not write it */
};

/*
 * Copy `in` to `out` without the section(s) for `name`; every other byte is
 * kept.  ATMOS_OK, or ATMOS_ENOMEM.
 */
int atmos_ini_remove(const char *in, size_t len, enum atmos_ini_flavor flavor, const char *name,
                     struct atmos_buf *out, struct atmos_ini_result *res);

/* Does a header's name (the text between the brackets) denote profile `name`? */
int atmos_ini_header_matches(const char *h, size_t hlen, enum atmos_ini_flavor flavor,
                             const char *name);

enum atmos_ini_line {
    ATMOS_INI_BLANK,
    ATMOS_INI_COMMENT,
    ATMOS_INI_HEADER,
    ATMOS_INI_OPTION,
    ATMOS_INI_CONTINUATION
};

/*
 * How the remover reads `in`, line by line (for tests and fuzzers):
 * fn(ctx, offset, length, kind, header name, name length) for every line.
 */
void atmos_ini_scan(const char *in, size_t len,
                    void (*fn)(void *ctx, size_t off, size_t n, enum atmos_ini_line kind,
                               const char *name, size_t name_len),
                    void *ctx);

#endif

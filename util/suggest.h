/*
 * "Did you mean": the configured name closest to a mistyped one.
 */
#ifndef ATMOS_UTIL_SUGGEST_H
#define ATMOS_UTIL_SUGGEST_H

#include <stddef.h>

/*
 * The one name of `names` nearest to `typed` by edit distance (an insertion,
 * deletion, substitution or swap of two neighbours costs 1), when it is near
 * enough to be a typo: at most 1 edit for names up to 4 bytes, 2 up to 8, 3
 * beyond.  NULL when none is, or when two are equally near.
 */
const char *atmos_suggest(const char *typed, char *const *names, size_t n);

struct atmos_args;
struct atmos_config;
/* A target not configured (msg): the error, a hint, the names configured; EXIT_FAIL. */
int atmos_cli_not_found(const struct atmos_args *a, const struct atmos_config *cfg,
                        const char *msg);

#endif

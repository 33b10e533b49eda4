/*
 * "Did you mean": optimal string alignment distance (Levenshtein plus the
 * swap of two neighbours, as in "dev-amdin"), bounded: names longer than
 * MAX_LEN bytes are never suggested (a name typed by hand is short).
 */
#include <string.h>

#include "suggest.h"

#define MAX_LEN 128

static size_t min3(size_t a, size_t b, size_t c)
{
    size_t m = a < b ? a : b;
    return m < c ? m : c;
}

static size_t distance(const char *a, const char *b)
{
    size_t la = strlen(a), lb = strlen(b);
    static size_t d[MAX_LEN + 1][MAX_LEN + 1]; /* the CLI is single-threaded */
    for (size_t i = 0; i <= la; i++)
        d[i][0] = i;
    for (size_t j = 0; j <= lb; j++)
        d[0][j] = j;
    for (size_t i = 1; i <= la; i++)
        for (size_t j = 1; j <= lb; j++) {
            size_t cost = a[i - 1] != b[j - 1];
            d[i][j] = min3(d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + cost);
            if (i > 1 && j > 1 && a[i - 1] == b[j - 2] && a[i - 2] == b[j - 1] &&
                d[i - 2][j - 2] + 1 < d[i][j])
                d[i][j] = d[i - 2][j - 2] + 1;
        }
    return d[la][lb];
}

const char *atmos_suggest(const char *typed, char *const *names, size_t n)
{
    size_t len = typed ? strlen(typed) : 0;
    if (len == 0 || len > MAX_LEN)
        return NULL;
    size_t limit = len <= 4 ? 1 : len <= 8 ? 2 : 3, best = limit + 1;
    const char *pick = NULL;
    int tie = 0;
    for (size_t i = 0; i < n; i++) {
        if (names[i] == NULL || strlen(names[i]) > MAX_LEN)
            continue;
        size_t dist = distance(typed, names[i]);
        if (dist < best) {
            best = dist;
            pick = names[i];
            tie = 0;
        } else if (dist == best) {
            tie = 1;
        }
    }
    return pick && !tie ? pick : NULL;
}

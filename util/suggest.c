/*
 * "Did you mean": optimal string alignment distance (Levenshtein plus the
 * swap of two neighbours, as in "dev-amdin"), bounded: names longer than
 * MAX_LEN bytes are never suggested (a name typed by hand is short).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/config.h>
#include <atmos/plan.h>

#include "options.h"
#include "render.h"
#include "show.h"
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

/* A target not configured: the error, the hint (a provider's name given as an identity, or
 * the other way round, else the name a typo is near) and the names configured, in text or
 * JSON; EXIT_FAIL. */
int atmos_cli_not_found(const struct atmos_args *a, const struct atmos_config *cfg, const char *msg)
{
    int provider = a->provider != NULL;
    const char *what = a->tags ? "tags" : provider ? "providers" : "identities";
    char **tags = NULL;
    size_t n = a->tags ? 0 : provider ? cfg->nproviders : cfg->nidentities;
    if (a->tags && atmos_tags_available(cfg, &tags, &n) != 0)
        return EXIT_FAIL;
    char **names = calloc(n ? n : 1, sizeof(*names));
    if (names == NULL) {
        atmos_tags_free(tags, tags ? n : 0);
        return EXIT_FAIL;
    }
    /* The configuration keeps both lists sorted by name; the tags come sorted. */
    for (size_t i = 0; i < n; i++)
        names[i] = tags ? tags[i] : provider ? cfg->providers[i].name : cfg->identities[i].name;
    /* A provider's name given as an identity (or the other way round), else a typo. */
    const char *typed = a->tags ? NULL : provider ? a->provider : a->identity;
    char hint[512] = "";
    if (typed && !provider && atmos_config_provider(cfg, typed))
        snprintf(hint, sizeof(hint), "\"%s\" is a provider: atmos-logout --provider %s",
                 atmos_show(typed), atmos_show(typed));
    else if (typed && provider && atmos_config_identity(cfg, typed))
        snprintf(hint, sizeof(hint), "\"%s\" is an identity: atmos-logout %s", atmos_show(typed),
                 atmos_show(typed));
    else if (typed && atmos_suggest(typed, names, n))
        snprintf(hint, sizeof(hint), "Did you mean \"%s\"?",
                 atmos_show(atmos_suggest(typed, names, n)));
    if (a->json) {
        char key[32];
        snprintf(key, sizeof(key), "available_%s", what);
        atmos_render_error_json(stdout, msg, key, names, n, hint[0] ? hint : NULL);
    } else {
        fprintf(stderr, "Error: %s\n", atmos_show(msg));
        if (hint[0])
            fprintf(stderr, "%s\n", hint);
        fprintf(stderr, "\nAvailable %s:\n", what);
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "  - %s\n", atmos_show(names[i]));
        if (n == 0)
            fprintf(stderr, "  (none configured)\n");
    }
    free(names);
    atmos_tags_free(tags, tags ? n : 0);
    return EXIT_FAIL;
}

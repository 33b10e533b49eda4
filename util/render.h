/*
 * Report rendering for atmos-logout.
 */
#ifndef ATMOS_RENDER_H
#define ATMOS_RENDER_H

#include <stdio.h>

#include <atmos/plan.h>

/* How text output looks: marks (✓/✗) and colour only on a terminal. */
struct atmos_style {
    int marks;
    int color;
    int verbose; /* --verbose: also what was not checked and is no problem (render.c) */
};

/* The report for people; `quiet` prints only errors (to stderr). */
void atmos_render_text(FILE *out, const struct atmos_plan *plan, int quiet,
                       const struct atmos_style *style);
/* The same report as one JSON document (schema in docs/atmos-logout.md). */
void atmos_render_json(FILE *out, const struct atmos_plan *plan);
/*
 * The configuration as atmos auth list --format json shows it (identities and providers by
 * name: kind, via), with the realm and the entries skipped for a problem, each with why.
 */
void atmos_render_config_json(FILE *out, const struct atmos_config *cfg);
/*
 * Before a logout chosen in the selector: what a dry run of it (`probe`, executed with
 * dry_run) found to remove, grouped by cloud as the report does.  How many items were listed;
 * 0 prints nothing.
 */
size_t atmos_render_preview(FILE *out, const struct atmos_plan *probe,
                            const struct atmos_style *st);
/* The keychain entries a probe found (outcome would_remove), one bullet each. */
void atmos_render_keyring_list(FILE *out, const struct atmos_plan *plan);
/* "Secret Service", "kernel keyring" or "file keyring ~/..." */
/*
 * Credentials a logout does not touch that the environment still points tools at, as atmos
 * warns of them after every logout (cmd/auth/logout.go detectExternalCredentials): the next
 * variable set from *at on (start at 0), its value in *value; NULL after the last.
 */
const char *atmos_render_external(size_t *at, const char **value);
/* {"error": msg, what: [names...]} */
void atmos_render_error_json(FILE *out, const char *msg, const char *what, char **names, size_t n,
                             const char *hint);

/* A JSON string of `s` escaped (atmos_escape: valid UTF-8, no controls); NULL stays JSON null. */
struct json_object;
struct json_object *atmos_json_string(const char *s);

#endif

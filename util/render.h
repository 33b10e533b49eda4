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
};

/* The report for people; `quiet` prints only errors (to stderr). */
void atmos_render_text(FILE *out, const struct atmos_plan *plan, int quiet,
                       const struct atmos_style *style);
/* The same report as one JSON document (schema in docs/atmos-logout.md). */
void atmos_render_json(FILE *out, const struct atmos_plan *plan);
/* The keychain entries a probe found (outcome would_remove), one bullet each. */
void atmos_render_keyring_list(FILE *out, const struct atmos_plan *plan);
/* "Secret Service", "kernel keyring" or "file keyring ~/..." */
const char *atmos_keyring_label(const struct atmos_item *it, const char *home, char *buf,
                                size_t len);
/* {"error": msg, what: [names...]} */
void atmos_render_error_json(FILE *out, const char *msg, const char *what, char **names, size_t n,
                             const char *hint);

#endif

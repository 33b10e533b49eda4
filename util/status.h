/*
 * atmos-logout --status (see plan/status.c): what session data is on disk and
 * when it expires.
 */
#ifndef ATMOS_UTIL_STATUS_H
#define ATMOS_UTIL_STATUS_H

#include <stdio.h>

#include <atmos/plan.h>

#include "render.h"

/* --status's exit status when it cannot tell (a usage or configuration error). */
#define ATMOS_STATUS_EXIT_ERROR 2

/*
 * Probe `plan` (built for every realm, or discovered; not executed), show
 * it as text or JSON (`configured`: the configuration's realm, or NULL) and
 * return the exit status: 0 nothing live, 1 live session data remains, 2
 * something could not be checked and nothing is live.  `quiet`: text says nothing.
 */
int atmos_cli_status(FILE *out, struct atmos_plan *plan, const char *configured, int json,
                     int quiet, const struct atmos_style *style, const struct atmos_logger *lg);

#endif

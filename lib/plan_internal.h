/*
 * Adding items to a plan, for the files that plan keyring entries.
 */
#ifndef ATMOS_PLAN_INTERNAL_H
#define ATMOS_PLAN_INTERNAL_H

#include <atmos/plan.h>

/* Takes a copy of key; takes ownership of path (may be NULL). NULL on failure. */
struct atmos_item *atmos_plan_add_keyring(struct atmos_plan *plan, enum atmos_keyring backend,
                                          const char *key, char *path, const char *identity,
                                          const char *provider);

/* Any item; takes ownership of path (NULL only for KEYRING and UNKNOWN). NULL on failure. */
struct atmos_item *atmos_plan_add_item(struct atmos_plan *plan, enum atmos_item_kind kind,
                                       const char *label, char *path, const char *identity,
                                       const char *provider);

#endif

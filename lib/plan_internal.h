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

/* A FILE, SSO_TOKEN or DIRECTORY item; takes ownership of path. NULL on failure. */
struct atmos_item *atmos_plan_add_path(struct atmos_plan *plan, enum atmos_item_kind kind,
                                       const char *label, char *path, const char *provider);

/* Add every AWS CLI SSO cache file that is a token for start_url. */
int atmos_plan_scan_aws_sso_cache(struct atmos_plan *plan, const struct atmos_env *env,
                                  const char *start_url, const char *provider,
                                  const struct atmos_logger *lg);

#endif

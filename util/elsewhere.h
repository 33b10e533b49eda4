/*
 * An identity or provider logout that found nothing: is the login in another
 * realm (see lib/plan/elsewhere.c)?  The CLI's part: which directories may own it.
 */
#ifndef ATMOS_UTIL_ELSEWHERE_H
#define ATMOS_UTIL_ELSEWHERE_H

#include <atmos/config.h>
#include <atmos/plan.h>

/* Fill plan->elsewhere when the plan removed (or would remove) nothing; quiet on failure. */
void atmos_cli_find_elsewhere(struct atmos_plan *plan, const struct atmos_config *cfg,
                              const struct atmos_env *env, const struct atmos_plan_opts *opts);

#endif

/*
 * The discovered plan: what atmos wrote, found on disk, for a user with no
 * atmos.yaml on the search path (many keep it only inside a project).  Each
 * cloud's discover hook knows where its files are; see cloud_*.c.
 *
 * MUST: list directories through safefs descriptors only; take only names
 * that could be atmos's (valid realm and provider names); never read a file
 * larger than a cache file can be.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cloud.h"
#include "internal.h"

int atmos_plan_discover(struct atmos_plan *plan, const struct atmos_env *env,
                        const struct atmos_plan_opts *opts, struct atmos_err *err)
{
    memset(plan, 0, sizeof(*plan));
    struct atmos_cloud_ctx c = {plan,
                                NULL,
                                env,
                                opts ? opts->log : NULL,
                                {env->home, geteuid()},
                                NULL,
                                NULL,
                                opts && opts->revoke};
    plan->scope = ATMOS_SCOPE_ALL;
    plan->discovered = 1;
    if (env->home == NULL || env->home[0] != '/') {
        atmos_plan_free(plan);
        return atmos_fail(err, ATMOS_EINVAL, "HOME is not set to an absolute path");
    }
    if ((plan->home = strdup(env->home)) == NULL)
        goto oom;
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++)
        if ((*cl)->discover && (c.cloud = (*cl)->name, (*cl)->discover(&c)) != 0)
            goto oom;
    atmos_strv_sort_unique(plan->providers, &plan->nproviders);
    return ATMOS_OK;
oom:
    atmos_plan_free(plan);
    return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
}

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

#include "clouds/cloud.h"
#include "base/strings.h"

int atmos_discover_into(struct atmos_cloud_ctx *c)
{
    /* Asked as with no configuration: each hook finds what atmos wrote, whoever configured it. */
    const struct atmos_config *cfg = c->cfg;
    const char *realm = c->realm;
    int rc = ATMOS_OK;
    c->cfg = NULL;
    c->realm = NULL;
    for (const struct atmos_cloud *const *cl = atmos_clouds; rc == ATMOS_OK && *cl; cl++)
        if ((*cl)->discover)
            rc = ATMOS_CLOUD_CALL(c, *cl, discover);
    c->cfg = cfg;
    c->realm = realm;
    atmos_strv_sort_unique(c->plan->providers, &c->plan->nproviders);
    return rc;
}

int atmos_plan_discover(struct atmos_plan *plan, const struct atmos_env *env,
                        const struct atmos_plan_opts *opts, struct atmos_err *err)
{
    memset(plan, 0, sizeof(*plan));
    struct atmos_cloud_ctx c = {.plan = plan,
                                .clouds = atmos_clouds,
                                .env = env,
                                .lg = opts ? opts->log : NULL,
                                .fs = {.home = env->home, .uid = geteuid()},
                                .revoke = opts && opts->revoke};
    int rc = ATMOS_ENOMEM;
    plan->scope = ATMOS_SCOPE_ALL;
    plan->discovered = 1;
    if (env->home == NULL || env->home[0] != '/') {
        atmos_plan_free(plan);
        return atmos_fail(err, ATMOS_EINVAL, "HOME is not set to an absolute path");
    }
    if ((plan->home = strdup(env->home)) == NULL)
        goto oom;
    /* The realms found on disk: what was covered, for the report (it plans nothing). */
    if ((rc = atmos_realms_find(&c)) != ATMOS_OK || (rc = atmos_discover_into(&c)) != ATMOS_OK)
        goto oom;
    return ATMOS_OK;
oom:
    atmos_plan_free(plan);
    /* What the cloud that failed said (atmos_cloud_fail), else the allocation that did. */
    return atmos_fail(err, rc < 0 ? rc : ATMOS_ENOMEM, "%s",
                      c.err.msg[0] ? c.err.msg : "out of memory");
}

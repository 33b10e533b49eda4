/*
 * "Already logged out?": an identity, provider or --all logout that found nothing
 * in the realm it covers looks, without changing anything, for the target's
 * files in the other realms on disk.  atmos's default realm is a hash of the
 * directory of the atmos.yaml it read, so a user who logged in from ~/infra
 * keeps that login in ~/infra's realm, which a logout run from ~ never
 * covers; saying "already logged out" then would be false.
 *
 * MUST: build and "execute" the probe as a dry run only (nothing changes on
 * disk); hash candidate directories as text, never read them.
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/config.h>

#include "base/strings.h"
#include "items/kinds.h"

/* The realm `realm` is the default of which candidate directory, if any (malloc'd). */
static char *owner_of(const char *realm, char *const *dirs, size_t n)
{
    char hex[17];
    for (size_t i = 0; i < n; i++) {
        if (dirs[i] == NULL || dirs[i][0] != '/')
            continue;
        atmos_realm_of_dir(dirs[i], hex);
        if (strcmp(hex, realm) == 0)
            return strdup(dirs[i]);
    }
    return NULL;
}

int atmos_plan_find_elsewhere(struct atmos_plan *plan, const struct atmos_config *cfg,
                              const struct atmos_env *env, const struct atmos_plan_opts *opts,
                              char *const *dirs, size_t n)
{
    struct atmos_plan probe;
    struct atmos_err err;
    struct atmos_plan_opts po = {.every_realm = 1, .log = opts ? opts->log : NULL};
    struct atmos_exec_opts eo = {.dry_run = 1, .env = env};
    if (plan->scope != ATMOS_SCOPE_IDENTITY && plan->scope != ATMOS_SCOPE_PROVIDER &&
        plan->scope != ATMOS_SCOPE_ALL)
        return ATMOS_OK;
    /* --all: what --all-realms would find in the other realms. */
    enum atmos_scope scope = plan->scope == ATMOS_SCOPE_ALL ? ATMOS_SCOPE_ALL_REALMS : plan->scope;
    int rc = atmos_plan_build(&probe, cfg, env, scope, plan->target, &po, &err);
    if (rc != ATMOS_OK)
        return rc;
    atmos_plan_execute(&probe, &eo);
    for (size_t i = 0; rc == ATMOS_OK && i < probe.nitems; i++) {
        const struct atmos_item *it = &probe.items[i];
        /* Only what a realm of its own holds: the realm-less layout was the plan's already,
         * and so was the configured realm, but for --all what the configuration does not
         * name there (a provider another atmos.yaml pinned to the same realm logged in). */
        int here = cfg->realm.value && it->realm && strcmp(it->realm, cfg->realm.value) == 0;
        if (it->outcome != ATMOS_OUTCOME_WOULD_REMOVE || it->realm == NULL ||
            (here && plan->scope != ATMOS_SCOPE_ALL) || !atmos_item_type(it)->on_disk)
            continue;
        if (atmos_strv_push(&plan->elsewhere, &plan->nelsewhere, it->realm) != 0)
            rc = ATMOS_ENOMEM;
    }
    atmos_plan_free(&probe);
    if (rc != ATMOS_OK || plan->nelsewhere == 0)
        return rc;
    atmos_strv_sort_unique(plan->elsewhere, &plan->nelsewhere);
    if ((plan->elsewhere_dir = calloc(plan->nelsewhere, sizeof(*plan->elsewhere_dir))) == NULL)
        return ATMOS_ENOMEM;
    for (size_t i = 0; i < plan->nelsewhere; i++)
        plan->elsewhere_dir[i] = owner_of(plan->elsewhere[i], dirs, n);
    return ATMOS_OK;
}

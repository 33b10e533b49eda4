/*
 * Plan items: adding one (each is planned once: the same path, key or
 * unknown kind found twice is one item) and freeing them.  The leaf API the
 * clouds build plans with; it knows no cloud.
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/plan.h>

#include "base/strings.h"
#include "items/internal.h"
#include "items/kinds.h"

struct atmos_item *atmos_plan_add_item(struct atmos_plan *plan, enum atmos_item_kind kind,
                                       const char *label, char *path /* taken */,
                                       const char *identity, const char *provider)
{
    if (path == NULL && kind != ATMOS_ITEM_KEYRING && kind != ATMOS_ITEM_UNKNOWN)
        return NULL;
    /* Two providers sharing a start URL find the same token file once. */
    const struct atmos_item probe = {.kind = kind, .path = path};
    struct atmos_item *o = NULL;
    if ((path && atmos_plan_find(plan, ATMOS_PLAN_KEY_PATH, &probe, &o) != 0) || o != NULL ||
        atmos_plan_reserve(plan) != 0) {
        free(path);
        return o;
    }
    struct atmos_item *it = &plan->items[plan->nitems++];
    memset(it, 0, sizeof(*it));
    it->kind = kind;
    it->label = label;
    it->path = path;
    it->identity = atmos_strdup0(identity);
    it->provider = atmos_strdup0(provider);
    if ((identity && !it->identity) || (provider && !it->provider))
        return NULL;
    return it;
}

struct atmos_item *atmos_plan_add_unknown(struct atmos_plan *plan, const char *label, char *what,
                                          const char *identity, const char *provider)
{
    if (what == NULL)
        return NULL;
    const struct atmos_item probe = {
        .kind = ATMOS_ITEM_UNKNOWN, .label = label, .u.unknown.what = what};
    struct atmos_item *it;
    if (atmos_plan_find(plan, ATMOS_PLAN_KEY_UNKNOWN, &probe, &it) != 0 || it != NULL) {
        free(what);
        return it;
    }
    it = atmos_plan_add_item(plan, ATMOS_ITEM_UNKNOWN, label, NULL, identity, provider);
    if (it == NULL) {
        free(what);
        return NULL;
    }
    it->u.unknown.what = what;
    return it;
}

static void item_free(struct atmos_item *it)
{
    if (atmos_item_type(it)->free)
        atmos_item_type(it)->free(it);
    free(it->path);
    free(it->identity);
    free(it->provider);
    free(it->error);
}

void atmos_plan_free(struct atmos_plan *plan)
{
    for (size_t i = 0; i < plan->nitems; i++)
        item_free(&plan->items[i]);
    free(plan->items);
    atmos_plan_index_free(plan);
    free(plan->target);
    free(plan->home);
    atmos_chain_free(&plan->chain);
    atmos_strv_free(plan->identities, plan->nidentities);
    atmos_strv_free(plan->providers, plan->nproviders);
    atmos_strv_free(plan->realms, plan->nrealms);
    atmos_strv_free(plan->elsewhere, plan->nelsewhere);
    free(plan->realm_dir);
    for (size_t i = 0; plan->elsewhere_dir && i < plan->nelsewhere; i++)
        free(plan->elsewhere_dir[i]);
    free(plan->elsewhere_dir);
    memset(plan, 0, sizeof(*plan));
}

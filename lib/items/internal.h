/*
 * Adding items to a plan (items/items.c), and finding one already planned
 * (items/index.c).
 */
#ifndef ATMOS_PLAN_INTERNAL_H
#define ATMOS_PLAN_INTERNAL_H

#include <atmos/plan.h>

/* Any item; takes ownership of path (NULL only for KEYRING and UNKNOWN). NULL on failure. */
struct atmos_item *atmos_plan_add_item(struct atmos_plan *plan, enum atmos_item_kind kind,
                                       const char *label, char *path, const char *identity,
                                       const char *provider);

/*
 * An UNKNOWN item: `what` ("name (kind k)", taken) under `label`, once however
 * often it is asked for (every realm a logout cleans asks again).  NULL on failure.
 */
struct atmos_item *atmos_plan_add_unknown(struct atmos_plan *plan, const char *label, char *what,
                                          const char *identity, const char *provider);

/* The ways an adder recognises an item it already planned (items/index.c). */
enum atmos_plan_key {
    ATMOS_PLAN_KEY_PATH,    /* kind and path; not INI sections nor JSON entries */
    ATMOS_PLAN_KEY_KEYRING, /* backend and key */
    ATMOS_PLAN_KEY_JSON,    /* path, rule and match[] */
    ATMOS_PLAN_KEY_SECTION, /* path, flavor and name of an INI section */
    ATMOS_PLAN_KEY_UNKNOWN, /* label and what of an unknown kind */
    ATMOS_PLAN_KEY_KUBE,    /* path, rule and ids of kubeconfig entries */
    ATMOS_PLAN_NKEYS
};

/* *found: the first item equal to `probe` under `key`, or NULL.  0, or -1 out of memory. */
int atmos_plan_find(struct atmos_plan *plan, enum atmos_plan_key key,
                    const struct atmos_item *probe, struct atmos_item **found);
/* Room in plan->items for one more item (the array grows by doubling).  0, or -1. */
int atmos_plan_reserve(struct atmos_plan *plan);
void atmos_plan_index_free(struct atmos_plan *plan);

#endif

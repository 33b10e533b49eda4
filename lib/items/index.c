/*
 * Finding an item already in a plan in constant time, so that building the
 * plan of a configuration with tens of thousands of providers stays linear
 * (the PAM cleanup runs under a timeout).
 *
 * Five keys, the ways the adders recognise a duplicate:
 *  - ATMOS_PLAN_KEY_PATH: kind and path (any kind but INI sections and JSON entries);
 *  - ATMOS_PLAN_KEY_KEYRING: backend and entry name of a keychain entry;
 *  - ATMOS_PLAN_KEY_JSON: file, rule and the rule's arguments of JSON entries;
 *  - ATMOS_PLAN_KEY_SECTION: file, flavor and name of an INI section;
 *  - ATMOS_PLAN_KEY_UNKNOWN: label and name of a kind nothing is known of;
 *  - ATMOS_PLAN_KEY_KUBE: file, rule and the rule's ids of kubeconfig entries.
 * A logout that cleans two realms asks every cloud twice: what does not
 * depend on the realm is found here the second time.
 * Items are indexed lazily, just before a lookup: by then the adder that made
 * an item has filled in every field a key reads.  Each table is open
 * addressing with linear probing, in item order, so that a lookup finds the
 * first matching item, as the linear scan it replaces did.  A slot is 8 bytes
 * and a table at most half full: about 32 bytes per item at most.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "items/internal.h"
#include "items/kinds.h"

struct slot {
    uint32_t hash;
    uint32_t ref; /* item index + 1; 0: empty */
};

struct table {
    struct slot *v;
    size_t cap; /* a power of two, or 0 */
    size_t n;
};

struct atmos_plan_index {
    struct table t[ATMOS_PLAN_NKEYS];
    size_t indexed;                 /* items 0..indexed-1 are in the tables */
    const struct atmos_item *items; /* the array `cap` is the size of */
    size_t cap;
};

static uint64_t fnv(uint64_t h, const void *p, size_t n)
{
    const unsigned char *s = p;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211u;
    return h;
}

static uint64_t fnv_str(uint64_t h, const char *s)
{
    /* The terminating NUL goes in too, so that ("ab", "c") and ("a", "bc") differ. */
    return fnv(h, s ? s : "", s ? strlen(s) + 1 : 1);
}

static uint32_t fold(uint64_t h)
{
    return (uint32_t)(h ^ (h >> 32));
}

/* Its kind's row says which keys find it; what each key compares must be there. */
static int has_key(const struct atmos_item *it, enum atmos_plan_key key)
{
    if (!(atmos_item_type(it)->keys & (1u << key)))
        return 0;
    switch (key) {
    case ATMOS_PLAN_KEY_PATH:
    case ATMOS_PLAN_KEY_JSON:
    case ATMOS_PLAN_KEY_KUBE:
        return it->path != NULL;
    case ATMOS_PLAN_KEY_KEYRING:
        return it->u.keyring.key != NULL;
    case ATMOS_PLAN_KEY_SECTION:
        return it->path && it->u.section.name;
    case ATMOS_PLAN_KEY_UNKNOWN:
        return it->label && it->u.unknown.what;
    case ATMOS_PLAN_NKEYS:
        break;
    }
    return 0;
}

static uint32_t hash_of(const struct atmos_item *it, enum atmos_plan_key key)
{
    uint64_t h = 14695981039346656037u;
    switch (key) {
    case ATMOS_PLAN_KEY_PATH:
        h = fnv(h, &it->kind, sizeof(it->kind));
        h = fnv_str(h, it->path);
        break;
    case ATMOS_PLAN_KEY_KEYRING:
        h = fnv(h, &it->u.keyring.backend, sizeof(it->u.keyring.backend));
        h = fnv_str(h, it->u.keyring.key);
        break;
    case ATMOS_PLAN_KEY_JSON:
        h = fnv(h, &it->u.json.rule, sizeof(it->u.json.rule));
        h = fnv_str(h, it->path);
        for (int m = 0; m < ATMOS_JSON_IDS; m++)
            h = fnv_str(fnv(h, "\1", it->u.json.ids[m] != NULL), it->u.json.ids[m]);
        break;
    case ATMOS_PLAN_KEY_SECTION:
        h = fnv(h, &it->u.section.flavor, sizeof(it->u.section.flavor));
        h = fnv_str(fnv_str(h, it->path), it->u.section.name);
        break;
    case ATMOS_PLAN_KEY_UNKNOWN:
        h = fnv_str(fnv_str(h, it->label), it->u.unknown.what);
        break;
    case ATMOS_PLAN_KEY_KUBE:
        h = fnv(h, &it->u.kube.rule, sizeof(it->u.kube.rule));
        h = fnv_str(h, it->path);
        for (int m = 0; m < ATMOS_KUBE_IDS; m++)
            h = fnv_str(fnv(h, "\1", it->u.kube.ids[m] != NULL), it->u.kube.ids[m]);
        break;
    case ATMOS_PLAN_NKEYS:
        break;
    }
    return fold(h);
}

static int same(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Exactly the comparisons of the scans this replaces. */
static int equal(const struct atmos_item *o, const struct atmos_item *p, enum atmos_plan_key key)
{
    if (!has_key(o, key))
        return 0;
    switch (key) {
    case ATMOS_PLAN_KEY_PATH:
        return o->kind == p->kind && strcmp(o->path, p->path) == 0;
    case ATMOS_PLAN_KEY_KEYRING:
        return o->u.keyring.backend == p->u.keyring.backend &&
               strcmp(o->u.keyring.key, p->u.keyring.key) == 0;
    case ATMOS_PLAN_KEY_JSON:
        if (o->u.json.rule != p->u.json.rule || strcmp(o->path, p->path) != 0)
            return 0;
        for (int m = 0; m < ATMOS_JSON_IDS; m++)
            if (!same(o->u.json.ids[m], p->u.json.ids[m]))
                return 0;
        return 1;
    case ATMOS_PLAN_KEY_SECTION:
        return o->u.section.flavor == p->u.section.flavor && strcmp(o->path, p->path) == 0 &&
               strcmp(o->u.section.name, p->u.section.name) == 0;
    case ATMOS_PLAN_KEY_UNKNOWN:
        return strcmp(o->label, p->label) == 0 && strcmp(o->u.unknown.what, p->u.unknown.what) == 0;
    case ATMOS_PLAN_KEY_KUBE:
        if (o->u.kube.rule != p->u.kube.rule || strcmp(o->path, p->path) != 0)
            return 0;
        for (int m = 0; m < ATMOS_KUBE_IDS; m++)
            if (!same(o->u.kube.ids[m], p->u.kube.ids[m]))
                return 0;
        return 1;
    case ATMOS_PLAN_NKEYS:
        break;
    }
    return 0;
}

static void place(struct table *t, uint32_t hash, uint32_t ref)
{
    size_t mask = t->cap - 1;
    size_t i = hash & mask;
    while (t->v[i].ref != 0)
        i = (i + 1) & mask;
    t->v[i] = (struct slot){hash, ref};
    t->n++;
}

/*
 * Room for one more entry, at most half full.  A bigger table is refilled
 * from the items themselves, in item order, so that a chain still meets the
 * first matching item first.
 */
static int grow(struct table *t, enum atmos_plan_key key, const struct atmos_item *items,
                size_t nitems)
{
    if ((t->n + 1) * 2 <= t->cap)
        return 0;
    size_t cap = t->cap ? t->cap * 2 : 64;
    struct slot *v = calloc(cap, sizeof(*v));
    if (v == NULL)
        return ATMOS_ENOMEM;
    free(t->v);
    *t = (struct table){v, cap, 0};
    for (size_t i = 0; i < nitems; i++)
        if (has_key(&items[i], key))
            place(t, hash_of(&items[i], key), (uint32_t)(i + 1));
    return 0;
}

/* Bring the tables up to date with the plan's items. */
static int catch_up(struct atmos_plan *plan)
{
    struct atmos_plan_index *x = plan->index;
    if (x == NULL && (x = plan->index = calloc(1, sizeof(*x))) == NULL)
        return ATMOS_ENOMEM;
    if (plan->nitems >= UINT32_MAX)
        return ATMOS_ENOMEM;
    for (; x->indexed < plan->nitems; x->indexed++) {
        const struct atmos_item *it = &plan->items[x->indexed];
        for (int k = 0; k < ATMOS_PLAN_NKEYS; k++) {
            if (!has_key(it, (enum atmos_plan_key)k))
                continue;
            /* grow() refills from items[0..indexed-1]; this one is placed below. */
            if (grow(&x->t[k], (enum atmos_plan_key)k, plan->items, x->indexed) != 0)
                return ATMOS_ENOMEM;
            place(&x->t[k], hash_of(it, (enum atmos_plan_key)k), (uint32_t)(x->indexed + 1));
        }
    }
    return 0;
}

int atmos_plan_find(struct atmos_plan *plan, enum atmos_plan_key key,
                    const struct atmos_item *probe, struct atmos_item **found)
{
    *found = NULL;
    if (catch_up(plan) != 0)
        return ATMOS_ENOMEM;
    const struct table *t = &plan->index->t[key];
    if (t->cap == 0)
        return 0;
    uint32_t h = hash_of(probe, key);
    size_t mask = t->cap - 1;
    for (size_t i = h & mask; t->v[i].ref != 0; i = (i + 1) & mask) {
        struct atmos_item *o = &plan->items[t->v[i].ref - 1];
        if (t->v[i].hash == h && equal(o, probe, key)) {
            *found = o;
            return 0;
        }
    }
    return 0;
}

int atmos_plan_reserve(struct atmos_plan *plan)
{
    struct atmos_plan_index *x = plan->index;
    if (x == NULL && (x = plan->index = calloc(1, sizeof(*x))) == NULL)
        return ATMOS_ENOMEM;
    /* A plan put together by hand (tests) has exactly nitems. */
    size_t cap = x->items == plan->items ? x->cap : plan->nitems;
    if (plan->nitems < cap)
        return 0;
    size_t ncap = cap ? cap * 2 : 16;
    struct atmos_item *v = realloc(plan->items, ncap * sizeof(*v));
    if (v == NULL)
        return ATMOS_ENOMEM;
    plan->items = v;
    x->items = v;
    x->cap = ncap;
    return 0;
}

void atmos_plan_index_free(struct atmos_plan *plan)
{
    struct atmos_plan_index *x = plan->index;
    if (x == NULL)
        return;
    for (int k = 0; k < ATMOS_PLAN_NKEYS; k++)
        free(x->t[k].v);
    free(x);
    plan->index = NULL;
}

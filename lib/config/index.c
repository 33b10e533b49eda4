/*
 * The entries of a configuration while it is loaded and once it is: found
 * by name through a hash while files are merged, their strings kept in the
 * configuration's arena, then sorted by name for the lookups that follow
 * (atmos_config_provider, atmos_config_identity: bsearch).
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "config/internal.h"

/*
 * While files are merged, entries are found by name through a small
 * open-addressing hash (FNV-1a), so loading stays linear in the number of
 * entries.  Providers and identities both start with their name and mark, so
 * one find-or-append serves both.  A slot holds index + 1 (0: empty) and the
 * name's hash, so a new name is placed without a string compared.
 */
struct entry_head {
    char *name;
    struct atmos_mark mark;
};

struct slot {
    uint32_t at; /* index + 1 */
    uint32_t hash;
};

struct table {
    struct slot *slots; /* the hash, at most 3/4 full */
    size_t nslots;
    size_t alloc; /* entries the array has room for */
    /* While loading: for each entry, the key its problem was found under (alloc of them). */
    char **keys;
};

struct atmos_name_index {
    struct table prov, ident, integ;
    struct atmos_strcache strings; /* while loading: a kind, a provider's name, kept once */
};

static uint32_t fnv1a(const char *s)
{
    uint32_t h = 2166136261u;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 16777619u;
    return h;
}

_Static_assert(offsetof(struct atmos_provider, name) == offsetof(struct entry_head, name) &&
                   offsetof(struct atmos_provider, mark) == offsetof(struct entry_head, mark) &&
                   offsetof(struct atmos_identity, name) == offsetof(struct entry_head, name) &&
                   offsetof(struct atmos_identity, mark) == offsetof(struct entry_head, mark) &&
                   offsetof(struct atmos_integration, name) == offsetof(struct entry_head, name) &&
                   offsetof(struct atmos_integration, mark) == offsetof(struct entry_head, mark),
               "providers, identities and integrations begin with name and mark");

static const char *name_at(const void *arr, size_t size, size_t i)
{
    return ((const struct entry_head *)((const char *)arr + i * size))->name;
}

/* The slot for `name` (of hash h): holding its index + 1, or 0 where it would go. */
static struct slot *slot(const struct table *t, const void *arr, size_t size, const char *name,
                         uint32_t h)
{
    for (size_t i = h & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1))
        if (t->slots[i].at == 0 ||
            (t->slots[i].hash == h && strcmp(name_at(arr, size, t->slots[i].at - 1), name) == 0))
            return &t->slots[i];
}

/* Room for `more` entries: the hash at most 3/4 full, the array grown geometrically or to the
 * room asked for.  ATMOS_OK, or ATMOS_ENOMEM (more than the slots' indexes can count, too). */
static int make_room(struct table *t, void **arr, size_t size, size_t n, size_t more)
{
    if (n >= UINT32_MAX / 2 || more >= UINT32_MAX / 2 - n || n + more > SIZE_MAX / size)
        return ATMOS_ENOMEM;
    if (t->slots == NULL || (n + more) * 4 > t->nslots * 3) {
        size_t ns = t->nslots ? t->nslots * 2 : 64;
        while ((n + more) * 4 > ns * 3)
            ns *= 2;
        struct slot *slots = calloc(ns, sizeof(*slots));
        if (slots == NULL)
            return ATMOS_ENOMEM;
        struct table nt = {slots, ns, t->alloc, t->keys};
        for (size_t i = 0; i < n; i++) {
            const char *name = name_at(*arr, size, i);
            uint32_t h = fnv1a(name);
            *slot(&nt, *arr, size, name, h) = (struct slot){(uint32_t)i + 1, h};
        }
        free(t->slots);
        *t = nt;
    }
    if (n + more > t->alloc) {
        size_t na = more > 1 ? n + more : t->alloc ? t->alloc * 2 : 8;
        void *v = realloc(*arr, na * size);
        if (v == NULL)
            return ATMOS_ENOMEM;
        *arr = v;
        char **k = realloc(t->keys, na * sizeof(*k));
        if (k == NULL)
            return ATMOS_ENOMEM;
        memset(k + t->alloc, 0, (na - t->alloc) * sizeof(*k));
        t->keys = k;
        t->alloc = na;
    }
    return ATMOS_OK;
}

/* A new entry's name: no other entry has it, so no string cache is asked (atmos_config_keep). */
static char *keep_name(struct atmos_config *cfg, const char *name)
{
    if (cfg->arena == NULL && (cfg->arena = calloc(1, sizeof(*cfg->arena))) == NULL)
        return NULL;
    return atmos_arena_strndup(cfg->arena, name, strlen(name));
}

static void *find_or_add(struct atmos_config *cfg, struct table *t, void **arr, size_t *n,
                         size_t size, const char *name, struct atmos_mark mark)
{
    if (make_room(t, arr, size, *n, 1) != 0)
        return NULL;
    uint32_t h = fnv1a(name);
    struct slot *sl = slot(t, *arr, size, name, h);
    if (sl->at)
        return (char *)*arr + (sl->at - 1) * size;
    struct entry_head *e = (struct entry_head *)((char *)*arr + *n * size);
    memset(e, 0, size);
    if ((e->name = keep_name(cfg, name)) == NULL)
        return NULL;
    e->mark = mark;
    *sl = (struct slot){(uint32_t)++ * n, h};
    return e;
}

static void table_free(struct table *t)
{
    for (size_t i = 0; t->keys && i < t->alloc; i++)
        free(t->keys[i]);
    free(t->keys);
    free(t->slots);
}

void atmos_config_index_free(struct atmos_config *cfg)
{
    if (cfg->index) {
        table_free(&cfg->index->prov);
        table_free(&cfg->index->ident);
        table_free(&cfg->index->integ);
        free(cfg->index);
        cfg->index = NULL;
    }
}

char **atmos_config_problem_key(struct atmos_config *cfg, enum atmos_entry_role role, size_t i)
{
    struct atmos_name_index *x = cfg->index;
    struct table *t = x == NULL                        ? NULL
                      : role == ATMOS_ENTRY_PROVIDER   ? &x->prov
                      : role == ATMOS_ENTRY_IDENTITY   ? &x->ident
                                                       : &x->integ;
    return t && t->keys && i < t->alloc ? &t->keys[i] : NULL;
}

static struct atmos_name_index *index_of(struct atmos_config *cfg)
{
    if (cfg->index == NULL)
        cfg->index = calloc(1, sizeof(*cfg->index));
    return cfg->index;
}

char *atmos_config_keep(struct atmos_config *cfg, const char *s, size_t len)
{
    if (cfg->arena == NULL && (cfg->arena = calloc(1, sizeof(*cfg->arena))) == NULL)
        return NULL;
    /* Shared strings are never written to (config/internal.h): the cast only fits the fields. */
    return (char *)atmos_arena_intern(cfg->arena, cfg->index ? &cfg->index->strings : NULL, s, len);
}

int atmos_config_reserve(struct atmos_config *cfg, enum atmos_entry_role role, size_t more)
{
    struct atmos_name_index *x = index_of(cfg);
    void *arr;
    int rc;
    if (x == NULL)
        return ATMOS_ENOMEM;
    if (more == 0)
        return ATMOS_OK;
    switch (role) {
    case ATMOS_ENTRY_PROVIDER:
        arr = cfg->providers;
        rc = make_room(&x->prov, &arr, sizeof(*cfg->providers), cfg->nproviders, more);
        cfg->providers = arr;
        return rc;
    case ATMOS_ENTRY_IDENTITY:
        arr = cfg->identities;
        rc = make_room(&x->ident, &arr, sizeof(*cfg->identities), cfg->nidentities, more);
        cfg->identities = arr;
        return rc;
    default:
        arr = cfg->integrations;
        rc = make_room(&x->integ, &arr, sizeof(*cfg->integrations), cfg->nintegrations, more);
        cfg->integrations = arr;
        return rc;
    }
}

struct atmos_provider *atmos_config_add_provider(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark)
{
    struct atmos_name_index *x = index_of(cfg);
    void *arr = cfg->providers;
    struct atmos_provider *p =
        x ? find_or_add(cfg, &x->prov, &arr, &cfg->nproviders, sizeof(*p), name, mark) : NULL;
    cfg->providers = arr;
    return p;
}

struct atmos_identity *atmos_config_add_identity(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark)
{
    struct atmos_name_index *x = index_of(cfg);
    void *arr = cfg->identities;
    struct atmos_identity *id =
        x ? find_or_add(cfg, &x->ident, &arr, &cfg->nidentities, sizeof(*id), name, mark) : NULL;
    cfg->identities = arr;
    return id;
}

struct atmos_integration *atmos_config_add_integration(struct atmos_config *cfg, const char *name,
                                                       struct atmos_mark mark)
{
    struct atmos_name_index *x = index_of(cfg);
    void *arr = cfg->integrations;
    struct atmos_integration *in =
        x ? find_or_add(cfg, &x->integ, &arr, &cfg->nintegrations, sizeof(*in), name, mark) : NULL;
    cfg->integrations = arr;
    return in;
}

/* --- sorted by name --------------------------------------------------------- */

/* Every entry struct starts with its name (struct atmos_provider, _identity, _integration). */
_Static_assert(offsetof(struct atmos_provider, name) == 0 &&
                   offsetof(struct atmos_identity, name) == 0 &&
                   offsetof(struct atmos_integration, name) == 0,
               "entries start with their name");

/* A name's first 8 bytes as a number that orders as strcmp does (zeros after a shorter one). */
static uint64_t prefix_key(const char *s)
{
    uint64_t k = 0;
    for (int i = 0; i < 8; i++) {
        k = k << 8 | (unsigned char)*s;
        s += *s != '\0';
    }
    return k;
}

struct order {
    const uint64_t *key;
    const char *base;
    size_t size;
};

static int before(const struct order *o, uint32_t a, uint32_t b)
{
    if (o->key[a] != o->key[b])
        return o->key[a] < o->key[b];
    return strcmp(name_at(o->base, o->size, a), name_at(o->base, o->size, b)) < 0;
}

/* Merge sort of the indexes in v by name, bottom up through tmp; returns where they are. */
static uint32_t *merge_sort(const struct order *o, uint32_t *v, uint32_t *tmp, size_t n)
{
    for (size_t w = 1; w < n; w *= 2) {
        for (size_t lo = 0; lo < n; lo += 2 * w) {
            size_t mid = lo + w < n ? lo + w : n, hi = lo + 2 * w < n ? lo + 2 * w : n;
            size_t i = lo, j = mid, k = lo;
            /* Runs already in order (a file sorted by name) are copied, not merged. */
            if (mid == hi || before(o, v[mid - 1], v[mid])) {
                memcpy(tmp + lo, v + lo, (hi - lo) * sizeof(*v));
                continue;
            }
            while (i < mid && j < hi)
                tmp[k++] = before(o, v[j], v[i]) ? v[j++] : v[i++];
            memcpy(tmp + k, v + i, (mid - i) * sizeof(*v));
            memcpy(tmp + k + (mid - i), v + j, (hi - j) * sizeof(*v));
        }
        uint32_t *t = v;
        v = tmp;
        tmp = t;
    }
    return v;
}

/*
 * Sort n entries of `size` bytes by name, in place.  qsort of the structs
 * moves each one about log n times through a copy of the whole array;
 * glibc's qsort of pointers to them calls strcmp through a pointer n log n
 * times (docs/design.md, "Measured").  Indexes are sorted instead, by a number made of each name's
 * first bytes (a string compared only where those are equal), then each
 * entry moved once along the cycles of the permutation.  Names are unique.
 */
static int sort_by_name(void *base, size_t n, size_t size)
{
    if (n < 2)
        return ATMOS_OK;
    char *a = base;
    uint64_t *key = malloc(n * sizeof(*key));
    uint32_t *v = malloc(n * sizeof(*v)), *tmp = malloc(n * sizeof(*tmp));
    char *hold = malloc(size);
    int rc = ATMOS_ENOMEM;
    if (key == NULL || v == NULL || tmp == NULL || hold == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        key[i] = prefix_key(name_at(a, size, i));
        v[i] = (uint32_t)i;
    }
    struct order o = {key, a, size};
    uint32_t *p = merge_sort(&o, v, tmp, n);
    /* p[i]: where position i's entry is now; set to i once it is in place. */
    for (size_t i = 0; i < n; i++) {
        if (p[i] == i)
            continue;
        memcpy(hold, a + i * size, size);
        size_t j = i;
        while (p[j] != i) {
            size_t k = p[j], ahead = p[p[k]];
            /* The entries are read in the order of the cycle, all over the array: the one two
             * steps on is asked for now. */
            for (size_t off = 0; off < size; off += 64)
                __builtin_prefetch(a + ahead * size + off);
            memcpy(a + j * size, a + k * size, size);
            p[j] = (uint32_t)j;
            j = k;
        }
        memcpy(a + j * size, hold, size);
        p[j] = (uint32_t)j;
    }
    rc = ATMOS_OK;
done:
    free(key);
    free(v);
    free(tmp);
    free(hold);
    return rc;
}

int atmos_config_sort(struct atmos_config *cfg)
{
    int rc = sort_by_name(cfg->providers, cfg->nproviders, sizeof(*cfg->providers));
    if (rc == ATMOS_OK)
        rc = sort_by_name(cfg->identities, cfg->nidentities, sizeof(*cfg->identities));
    if (rc == ATMOS_OK)
        rc = sort_by_name(cfg->integrations, cfg->nintegrations, sizeof(*cfg->integrations));
    return rc;
}

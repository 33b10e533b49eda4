/*
 * Configuration: the search path, merging the sources in order, and the
 * semantic checks that make a configuration safe to act on.  A configuration
 * that fails a check is never handed out (fail closed).
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include "config_internal.h"
#include "internal.h"

static int push_source(struct atmos_source_list *l, const char *path, enum atmos_source_kind kind)
{
    struct atmos_source *v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    l->v = v;
    if ((v[l->n].path = strdup(path)) == NULL)
        return -1;
    v[l->n++].kind = kind;
    return 0;
}

static int push_joined(struct atmos_source_list *l, const char *dir, const char *rel,
                       enum atmos_source_kind kind)
{
    char *p = atmos_path_join(dir, rel);
    int rc = p ? push_source(l, p, kind) : -1;
    free(p);
    return rc;
}

int atmos_config_search_path(struct atmos_source_list *out, const struct atmos_env *env,
                             unsigned flags, const char *explicit_path, struct atmos_err *err)
{
    static const struct atmos_env none;
    struct atmos_source_list l = {0};
    int bad = 0;
    if ((flags & ATMOS_SEARCH_EXPLICIT_ONLY) && explicit_path) {
        flags = 0;
        env = &none; /* no system file, no home: the explicit path alone */
    }
    if (env->system_config && *env->system_config)
        bad |= push_source(&l, env->system_config, ATMOS_SOURCE_OPTIONAL);
    if (env->home && *env->home)
        bad |= push_joined(&l, env->home, ".atmos/atmos.yaml", ATMOS_SOURCE_OPTIONAL);
    if ((flags & ATMOS_SEARCH_CWD) && env->cwd && *env->cwd)
        bad |= push_joined(&l, env->cwd, "atmos.yaml", ATMOS_SOURCE_OPTIONAL);
    if ((flags & ATMOS_SEARCH_ENVPATH) && env->cli_config_path && *env->cli_config_path) {
        /* A directory holding atmos.yaml, or the file itself. */
        struct stat st;
        if (stat(env->cli_config_path, &st) == 0 && S_ISDIR(st.st_mode))
            bad |= push_joined(&l, env->cli_config_path, "atmos.yaml", ATMOS_SOURCE_REQUIRED);
        else
            bad |= push_source(&l, env->cli_config_path, ATMOS_SOURCE_REQUIRED);
    }
    if (explicit_path)
        bad |= push_source(&l, explicit_path, ATMOS_SOURCE_REQUIRED);
    if (bad) {
        atmos_source_list_free(&l);
        return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    }
    *out = l;
    return ATMOS_OK;
}

void atmos_source_list_free(struct atmos_source_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->v[i].path);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

/*
 * While files are merged, entries are found by name through a small
 * open-addressing hash (FNV-1a), so loading stays linear in the number of
 * entries.  Providers and identities both start with their name and mark, so
 * one find-or-append serves both.  Slots hold index + 1.
 */
struct entry_head {
    char *name;
    struct atmos_mark mark;
};

struct table {
    size_t *slots, nslots; /* the hash */
    size_t alloc;          /* entries the array has room for */
};

struct atmos_name_index {
    struct table prov, ident, integ;
};

static size_t fnv1a(const char *s)
{
    size_t h = (size_t)14695981039346656037ULL;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * (size_t)1099511628211ULL;
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

/* The slot for `name`: holding its index + 1, or 0 where it would go. */
static size_t *slot(const struct table *t, const void *arr, size_t size, const char *name)
{
    for (size_t i = fnv1a(name) & (t->nslots - 1);; i = (i + 1) & (t->nslots - 1))
        if (t->slots[i] == 0 || strcmp(name_at(arr, size, t->slots[i] - 1), name) == 0)
            return &t->slots[i];
}

/* Room for one more entry: the hash under half full, the array grown geometrically. */
static int make_room(struct table *t, void **arr, size_t size, size_t n)
{
    if (t->slots == NULL || (n + 1) * 2 > t->nslots) {
        size_t ns = t->nslots ? t->nslots * 2 : 64;
        while ((n + 1) * 2 > ns)
            ns *= 2;
        size_t *slots = calloc(ns, sizeof(*slots));
        if (slots == NULL)
            return -1;
        struct table nt = {slots, ns, t->alloc};
        for (size_t i = 0; i < n; i++)
            *slot(&nt, *arr, size, name_at(*arr, size, i)) = i + 1;
        free(t->slots);
        *t = nt;
    }
    if (n == t->alloc) {
        size_t na = t->alloc ? t->alloc * 2 : 8;
        void *v = realloc(*arr, na * size);
        if (v == NULL)
            return -1;
        *arr = v;
        t->alloc = na;
    }
    return 0;
}

static void *find_or_add(struct table *t, void **arr, size_t *n, size_t size, const char *name,
                         struct atmos_mark mark)
{
    if (make_room(t, arr, size, *n) != 0)
        return NULL;
    size_t *sl = slot(t, *arr, size, name);
    if (*sl)
        return (char *)*arr + (*sl - 1) * size;
    struct entry_head *e = (struct entry_head *)((char *)*arr + *n * size);
    memset(e, 0, size);
    if ((e->name = strdup(name)) == NULL)
        return NULL;
    e->mark = mark;
    *sl = ++*n;
    return e;
}

static void index_free(struct atmos_config *cfg)
{
    if (cfg->index) {
        free(cfg->index->prov.slots);
        free(cfg->index->ident.slots);
        free(cfg->index->integ.slots);
        free(cfg->index);
        cfg->index = NULL;
    }
}

static struct atmos_name_index *index_of(struct atmos_config *cfg)
{
    if (cfg->index == NULL)
        cfg->index = calloc(1, sizeof(*cfg->index));
    return cfg->index;
}

struct atmos_provider *atmos_config_add_provider(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark)
{
    struct atmos_name_index *x = index_of(cfg);
    void *arr = cfg->providers;
    struct atmos_provider *p =
        x ? find_or_add(&x->prov, &arr, &cfg->nproviders, sizeof(*p), name, mark) : NULL;
    cfg->providers = arr;
    return p;
}

struct atmos_identity *atmos_config_add_identity(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark)
{
    struct atmos_name_index *x = index_of(cfg);
    void *arr = cfg->identities;
    struct atmos_identity *id =
        x ? find_or_add(&x->ident, &arr, &cfg->nidentities, sizeof(*id), name, mark) : NULL;
    cfg->identities = arr;
    return id;
}

struct atmos_integration *atmos_config_add_integration(struct atmos_config *cfg, const char *name,
                                                       struct atmos_mark mark)
{
    struct atmos_name_index *x = index_of(cfg);
    void *arr = cfg->integrations;
    struct atmos_integration *in =
        x ? find_or_add(&x->integ, &arr, &cfg->nintegrations, sizeof(*in), name, mark) : NULL;
    cfg->integrations = arr;
    return in;
}

static int fail_mark(struct atmos_err *err, const struct atmos_mark *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_mark(struct atmos_err *err, const struct atmos_mark *m, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (m->file == NULL)
        return atmos_fail(err, ATMOS_EINVAL, "%s", what);
    if (m->line == 0) /* an environment variable, not a file */
        return atmos_fail(err, ATMOS_EINVAL, "%s: %s", m->file, what);
    return atmos_fail(err, ATMOS_EINVAL, "%s:%u:%u: %s", m->file, m->line, m->column, what);
}

static int check_realm(const struct atmos_field *realm, struct atmos_err *err)
{
    const char *r = realm->value;
    size_t len = strlen(r);
    int ok = len >= 1 && len <= 64;
    for (const char *p = r; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    if (ok)
        return ATMOS_OK;
    return fail_mark(err, &realm->mark, "realm \"%s\" is invalid: use 1-64 of [a-z0-9_-]", r);
}

static int check_base_path(const struct atmos_provider *p, struct atmos_err *err)
{
    const struct atmos_field *f = &p->base_path;
    if (!f->present)
        return ATMOS_OK;
    const char *v = f->value ? f->value : "";
    const char *s = v;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return fail_mark(err, &f->mark, "provider \"%s\": spec.files.base_path is empty", p->name);
    if (strpbrk(v, "\r\n") != NULL)
        return fail_mark(err, &f->mark,
                         "provider \"%s\": spec.files.base_path contains a line break", p->name);
    if (v[0] != '/' && !(v[0] == '~' && (v[1] == '\0' || v[1] == '/')))
        return fail_mark(err, &f->mark,
                         "provider \"%s\": spec.files.base_path \"%s\" must be absolute or "
                         "start with ~/",
                         p->name, v);
    /* <base>/<provider> is removed whole by --provider: never let it name /etc or /tmp. */
    if (strspn(v, "/") == strlen(v))
        return fail_mark(err, &f->mark,
                         "provider \"%s\": spec.files.base_path must not be the root directory",
                         p->name);
    for (const char *c = v; (c = strstr(c, "..")) != NULL; c += 2)
        if ((c == v || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
            return fail_mark(err, &f->mark,
                             "provider \"%s\": spec.files.base_path must not contain '..'",
                             p->name);
    return ATMOS_OK;
}

static int check_identity(const struct atmos_config *cfg, const struct atmos_identity *id,
                          struct atmos_err *err)
{
    const char *prov = id->via_provider.value, *via = id->via_identity.value;
    if (id->kind.value == NULL || *id->kind.value == '\0')
        return fail_mark(err, &id->mark, "identity \"%s\": kind is required", id->name);
    if (atmos_identity_is_standalone(id->kind.value))
        return ATMOS_OK;
    if (prov && via)
        return fail_mark(err, &id->via_identity.mark,
                         "identity \"%s\": both via.provider and via.identity are set", id->name);
    if (!prov && !via)
        return fail_mark(err, &id->mark,
                         "identity \"%s\": needs via.provider or via.identity (kind %s)", id->name,
                         id->kind.value);
    if (prov && !atmos_config_provider(cfg, prov))
        return fail_mark(err, &id->via_provider.mark,
                         "identity \"%s\": via.provider \"%s\" is not a configured provider",
                         id->name, prov);
    if (via && !atmos_config_identity(cfg, via))
        return fail_mark(err, &id->via_identity.mark,
                         "identity \"%s\": via.identity \"%s\" is not a configured identity",
                         id->name, via);
    return ATMOS_OK;
}

static int cmp_provider(const void *a, const void *b)
{
    return strcmp(((const struct atmos_provider *)a)->name,
                  ((const struct atmos_provider *)b)->name);
}

static int cmp_identity(const void *a, const void *b)
{
    return strcmp(((const struct atmos_identity *)a)->name,
                  ((const struct atmos_identity *)b)->name);
}

static int cmp_integration(const void *a, const void *b)
{
    return strcmp(((const struct atmos_integration *)a)->name,
                  ((const struct atmos_integration *)b)->name);
}

static int validate(struct atmos_config *cfg, const struct atmos_env *env,
                    const struct atmos_logger *lg, struct atmos_err *err)
{
    int rc;
    if (env->realm && *env->realm) {
        /* ATMOS_AUTH_REALM overrides the file. */
        free(cfg->realm.value);
        if ((cfg->realm.value = strdup(env->realm)) == NULL)
            return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
        cfg->realm.mark = (struct atmos_mark){.file = "ATMOS_AUTH_REALM"};
    }
    if (cfg->realm.value && *cfg->realm.value == '\0') {
        free(cfg->realm.value);
        cfg->realm.value = NULL;
    }
    if (cfg->realm.value && (rc = check_realm(&cfg->realm, err)) != ATMOS_OK)
        return rc;

    /* $ATMOS_KEYRING_TYPE > auth.keyring.type > system */
    const struct atmos_field *kt = &cfg->keyring_type;
    struct atmos_field envkt = {(char *)env->keyring_type, {"ATMOS_KEYRING_TYPE", 0, 0}, 1};
    if (env->keyring_type && *env->keyring_type)
        kt = &envkt;
    cfg->keyring = ATMOS_KEYRING_SYSTEM;
    if (kt->value && atmos_keyring_parse(kt->value, &cfg->keyring) != 0) {
        /* atmos warns and uses the system keyring (pkg/auth/credentials/store.go,
         * NewCredentialStore): so do we, rather than refuse the configuration. */
        cfg->keyring = ATMOS_KEYRING_SYSTEM;
        atmos_log(lg, ATMOS_LOG_WARN,
                  "keyring type \"%s\" is unknown (%s): using the system keyring, as atmos does",
                  kt->value, kt->mark.file ? kt->mark.file : "ATMOS_KEYRING_TYPE");
    }

    /* qsort and bsearch must not see the NULL of an empty list. */
    if (cfg->nproviders)
        qsort(cfg->providers, cfg->nproviders, sizeof(*cfg->providers), cmp_provider);
    if (cfg->nidentities)
        qsort(cfg->identities, cfg->nidentities, sizeof(*cfg->identities), cmp_identity);
    if (cfg->nintegrations)
        qsort(cfg->integrations, cfg->nintegrations, sizeof(*cfg->integrations), cmp_integration);
    for (size_t i = 0; i < cfg->nproviders; i++) {
        const struct atmos_provider *p = &cfg->providers[i];
        if (p->kind.value == NULL || *p->kind.value == '\0')
            return fail_mark(err, &p->mark, "provider \"%s\": kind is required", p->name);
        if ((rc = check_base_path(p, err)) != ATMOS_OK)
            return rc;
    }
    for (size_t i = 0; i < cfg->nidentities; i++)
        if ((rc = check_identity(cfg, &cfg->identities[i], err)) != ATMOS_OK)
            return rc;
    /* Cycles: resolving every chain finds them and names the culprit. */
    for (size_t i = 0; i < cfg->nidentities; i++) {
        struct atmos_chain chain;
        if ((rc = atmos_chain_resolve(cfg, cfg->identities[i].name, &chain, err)) != ATMOS_OK)
            return rc;
        atmos_chain_free(&chain);
    }
    return ATMOS_OK;
}

static int finish(struct atmos_config *cfg, const struct atmos_env *env,
                  const struct atmos_logger *lg, struct atmos_err *err)
{
    /* Validation sorts the arrays: the load-time index is stale from here on. */
    index_free(cfg);
    return validate(cfg, env, lg, err);
}

int atmos_config_finish(struct atmos_config *cfg, const struct atmos_env *env,
                        struct atmos_err *err)
{
    return finish(cfg, env, NULL, err);
}

int atmos_config_load(struct atmos_config **out, const struct atmos_source_list *sources,
                      const struct atmos_env *env, struct atmos_err *err)
{
    return atmos_config_load_logged(out, sources, env, NULL, err);
}

int atmos_config_load_logged(struct atmos_config **out, const struct atmos_source_list *sources,
                             const struct atmos_env *env, const struct atmos_logger *lg,
                             struct atmos_err *err)
{
    struct atmos_config *cfg = calloc(1, sizeof(*cfg));
    int rc = ATMOS_ENOMEM;
    if (cfg == NULL)
        return atmos_fail(err, rc, "out of memory");
    for (size_t i = 0; i < sources->n; i++) {
        const struct atmos_source *s = &sources->v[i];
        /* The path lives in cfg->sources so that marks can point at it. */
        if (atmos_strv_push(&cfg->sources, &cfg->nsources, s->path) != 0) {
            atmos_fail(err, rc, "out of memory");
            goto done;
        }
        rc = atmos_config_merge_file(cfg, cfg->sources[cfg->nsources - 1], err);
        if (rc == ATMOS_ENOCONFIG && s->kind == ATMOS_SOURCE_OPTIONAL) {
            free(cfg->sources[--cfg->nsources]);
            continue;
        }
        /*
         * Root refused a file it does not own (config_trust.c): a file found on
         * the search path is skipped, loudly, and root's own files still apply;
         * a file root named (--config, $ATMOS_CLI_CONFIG_PATH) fails the load
         * below, as a missing one does: acting on another configuration than
         * the one asked for could remove what was not meant.
         */
        if (rc == ATMOS_EREFUSED && s->kind == ATMOS_SOURCE_OPTIONAL) {
            atmos_log(lg, ATMOS_LOG_WARN, "%s", err->msg);
            free(cfg->sources[--cfg->nsources]);
            continue;
        }
        if (rc == ATMOS_ENOCONFIG)
            rc = ATMOS_EINVAL; /* a file the user named must exist */
        if (rc != ATMOS_OK)
            goto done;
    }
    if (cfg->nsources == 0) {
        rc = atmos_fail(err, ATMOS_ENOCONFIG, "no atmos.yaml found");
        goto done;
    }
    if ((rc = finish(cfg, env, lg, err)) != ATMOS_OK)
        goto done;
    *out = cfg;
    cfg = NULL;
done:
    atmos_config_free(cfg);
    return rc;
}

static void field_free(struct atmos_field *f)
{
    free(f->value);
}

void atmos_config_free(struct atmos_config *cfg)
{
    if (cfg == NULL)
        return;
    for (size_t i = 0; i < cfg->nproviders; i++) {
        struct atmos_provider *p = &cfg->providers[i];
        free(p->name);
        field_free(&p->kind);
        field_free(&p->region);
        field_free(&p->start_url);
        field_free(&p->base_path);
    }
    for (size_t i = 0; i < cfg->nidentities; i++) {
        struct atmos_identity *id = &cfg->identities[i];
        free(id->name);
        field_free(&id->kind);
        field_free(&id->via_provider);
        field_free(&id->via_identity);
        field_free(&id->subscription_id);
    }
    for (size_t i = 0; i < cfg->nintegrations; i++) {
        struct atmos_integration *in = &cfg->integrations[i];
        free(in->name);
        field_free(&in->kind);
        field_free(&in->via_identity);
        field_free(&in->via_provider);
        field_free(&in->account_id);
        field_free(&in->region);
        field_free(&in->registry_name);
    }
    index_free(cfg);
    free(cfg->providers);
    free(cfg->identities);
    free(cfg->integrations);
    field_free(&cfg->realm);
    field_free(&cfg->keyring_type);
    field_free(&cfg->keyring_path);
    atmos_strv_free(cfg->sources, cfg->nsources);
    free(cfg);
}

/* Lookups run after validate() sorted the arrays: binary search by name. */
static int cmp_key_provider(const void *key, const void *elem)
{
    return strcmp(key, ((const struct atmos_provider *)elem)->name);
}

static int cmp_key_identity(const void *key, const void *elem)
{
    return strcmp(key, ((const struct atmos_identity *)elem)->name);
}

const struct atmos_provider *atmos_config_provider(const struct atmos_config *cfg, const char *name)
{
    if (cfg->nproviders == 0)
        return NULL;
    return bsearch(name, cfg->providers, cfg->nproviders, sizeof(*cfg->providers),
                   cmp_key_provider);
}

const struct atmos_identity *atmos_config_identity(const struct atmos_config *cfg, const char *name)
{
    if (cfg->nidentities == 0)
        return NULL;
    return bsearch(name, cfg->identities, cfg->nidentities, sizeof(*cfg->identities),
                   cmp_key_identity);
}

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

#include "base/arena.h"
#include "config/internal.h"
#include "base/strings.h"

static int push_source(struct atmos_source_list *l, const char *path, enum atmos_source_kind kind,
                       unsigned flags)
{
    struct atmos_source *v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (v == NULL)
        return -1;
    l->v = v;
    if ((v[l->n].path = strdup(path)) == NULL)
        return -1;
    v[l->n].flags = flags;
    v[l->n++].kind = kind;
    return 0;
}

static int push_joined(struct atmos_source_list *l, const char *dir, const char *rel,
                       enum atmos_source_kind kind)
{
    char *p = atmos_path_join(dir, rel);
    int rc = p ? push_source(l, p, kind, 0) : -1;
    free(p);
    return rc;
}

/* hasLocalAtmosConfig (pkg/config/git_root.go): any of these in the CWD stops the searches above
 * it. */
static int local_config(const char *cwd)
{
    static const char *const names[] = {"atmos.yaml", ".atmos.yaml", ".atmos", ".atmos.d",
                                        "atmos.d"};
    struct stat st;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        char *p = atmos_path_join(cwd, names[i]);
        int found = p && stat(p, &st) == 0;
        free(p);
        if (found)
            return 1;
    }
    return 0;
}

/*
 * Steps 4 and 5 of atmos's search (load.go readParentDirConfig,
 * findAtmosConfigInParentDirs, readGitRootConfig): the nearest parent of the
 * CWD holding atmos.yaml or .atmos.yaml (only atmos.yaml is read: viper looks
 * for the name "atmos"), then the git root's atmos.yaml; neither with
 * $ATMOS_CLI_CONFIG_PATH set or a configuration in the CWD itself.  What is
 * found is read like every file of the search path (as root: root's alone).
 */
static int above_cwd(struct atmos_source_list *l, const struct atmos_env *env)
{
    if ((env->cli_config_path && *env->cli_config_path) || env->cwd[0] != '/' ||
        local_config(env->cwd))
        return 0;
    int bad = 0;
    char *dir = strdup(env->cwd), *parent = NULL;
    if (dir == NULL)
        return -1;
    while (!bad && parent == NULL && strcmp(dir, "/") != 0) {
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            dir[1] = '\0'; /* "/a": its parent is "/" */
        else
            *slash = '\0';
        char *yaml = atmos_path_join(dir, "atmos.yaml"), *dot = atmos_path_join(dir, ".atmos.yaml");
        struct stat st;
        int has_yaml = yaml && stat(yaml, &st) == 0, has_dot = dot && stat(dot, &st) == 0;
        bad |= yaml == NULL || dot == NULL;
        if (!bad && (has_yaml || has_dot) && (parent = strdup(dir)) == NULL)
            bad = 1;
        if (!bad && has_yaml)
            bad |= push_source(l, yaml, ATMOS_SOURCE_OPTIONAL, ATMOS_SOURCE_ABOVE);
        free(yaml);
        free(dot);
    }
    free(dir);
    /* The git root, unless it is the CWD (read next anyway) or the parent just read. */
    char *root = env->git_root_basepath && strcmp(env->git_root_basepath, "false") == 0
                     ? NULL
                     : atmos_config_git_root(env->cwd);
    char *at_root = root ? atmos_path_join(root, "atmos.yaml") : NULL;
    bad |= root && at_root == NULL;
    if (!bad && root && strcmp(root, env->cwd) != 0 && !(parent && strcmp(root, parent) == 0))
        bad |= push_source(l, at_root, ATMOS_SOURCE_OPTIONAL, ATMOS_SOURCE_ABOVE);
    free(at_root);
    free(root);
    free(parent);
    return bad;
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
        bad |= push_source(&l, env->system_config, ATMOS_SOURCE_OPTIONAL, ATMOS_SOURCE_PLAIN);
    if (env->home && *env->home)
        bad |= push_joined(&l, env->home, ".atmos/atmos.yaml", ATMOS_SOURCE_OPTIONAL);
    if ((flags & ATMOS_SEARCH_CWD) && env->cwd && *env->cwd) {
        bad |= above_cwd(&l, env);
        bad |= push_joined(&l, env->cwd, "atmos.yaml", ATMOS_SOURCE_OPTIONAL);
    }
    if ((flags & ATMOS_SEARCH_ENVPATH) && env->cli_config_path && *env->cli_config_path) {
        /* A directory holding atmos.yaml, or the file itself. */
        struct stat st;
        if (stat(env->cli_config_path, &st) == 0 && S_ISDIR(st.st_mode))
            bad |= push_joined(&l, env->cli_config_path, "atmos.yaml", ATMOS_SOURCE_REQUIRED);
        else
            bad |= push_source(&l, env->cli_config_path, ATMOS_SOURCE_REQUIRED, 0);
    }
    if (explicit_path)
        bad |= push_source(&l, explicit_path, ATMOS_SOURCE_REQUIRED, ATMOS_SOURCE_ARGUMENT);
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

/* An entry's problem, where it was found (the first one found stays). */
static int problem(char **slot, const struct atmos_mark *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int problem(char **slot, const struct atmos_mark *m, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    if (*slot)
        return 0;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (m->file == NULL)
        *slot = strdup(what);
    else if (m->line == 0)
        *slot = atmos_strfmt("%s: %s", m->file, what);
    else
        *slot = atmos_strfmt("%s:%u:%u: %s", m->file, m->line, m->column, what);
    return *slot ? 0 : -1;
}

/*
 * A base directory that a provider logout removes below: absolute or ~/, and
 * never one that makes that removal reach / or climb out with "..".
 */
static const char *base_path_problem(const char *v)
{
    const char *s = v;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return "spec.files.base_path is empty";
    if (strpbrk(v, "\r\n") != NULL)
        return "spec.files.base_path contains a line break";
    if (v[0] != '/' && !(v[0] == '~' && (v[1] == '\0' || v[1] == '/')))
        return "spec.files.base_path must be absolute or start with ~/";
    if (strspn(v, "/") == strlen(v))
        return "spec.files.base_path must not be the root directory";
    for (const char *c = v; (c = strstr(c, "..")) != NULL; c += 2)
        if ((c == v || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
            return "spec.files.base_path must not contain '..'";
    return NULL;
}

static int check_provider(struct atmos_provider *p)
{
    const struct atmos_field *f = atmos_spec_get(&p->spec, "spec.files.base_path");
    const char *why = f ? base_path_problem(f->value ? f->value : "") : NULL;
    if (p->problem)
        return 0;
    if (p->kind.value == NULL || *p->kind.value == '\0') {
        p->harmless = 1; /* atmos refuses such a configuration at once (manager.go) */
        return problem(&p->problem, &p->mark, "provider \"%s\": kind is required", p->name);
    }
    if (why)
        return problem(&p->problem, &f->mark, "provider \"%s\": %s \"%s\"", p->name, why,
                       f->value ? f->value : "");
    return 0;
}

/*
 * What atmos's login would fail on too (no kind; no chain, or a broken one, to
 * a provider: manager_chain.go buildChainRecursive, GetProviderName), so such
 * an identity cannot have left anything: `harmless`.
 */
static int check_identity(const struct atmos_config *cfg, struct atmos_identity *id)
{
    const char *prov = id->via_provider.value, *via = id->via_identity.value;
    if (id->problem)
        return 0; /* its name or shape: it may have a past under another configuration */
    id->harmless = 1;
    if (id->kind.value == NULL || *id->kind.value == '\0')
        return problem(&id->problem, &id->mark, "identity \"%s\": kind is required", id->name);
    if (atmos_identity_is_standalone(id->kind.value))
        return 0;
    if (prov && via)
        return problem(&id->problem, &id->via_identity.mark,
                       "identity \"%s\": both via.provider and via.identity are set", id->name);
    /* pkg/auth reads via only: `provider:` attaches an identity to nothing (manager_logout.go). */
    if (!prov && !via && atmos_spec_get(&id->spec, "provider"))
        return problem(&id->problem, &id->mark,
                       "identity \"%s\": has provider: but no via.provider (atmos reads via only)",
                       id->name);
    if (!prov && !via)
        return problem(&id->problem, &id->mark,
                       "identity \"%s\": needs via.provider or via.identity (kind %s)", id->name,
                       id->kind.value);
    if (prov && !atmos_config_provider(cfg, prov))
        return problem(&id->problem, &id->via_provider.mark,
                       "identity \"%s\": via.provider \"%s\" is not a configured provider",
                       id->name, prov);
    if (via && !atmos_config_identity(cfg, via))
        return problem(&id->problem, &id->via_identity.mark,
                       "identity \"%s\": via.identity \"%s\" is not a configured identity",
                       id->name, via);
    id->harmless = 0;
    return 0;
}

static int oom(struct atmos_err *err)
{
    return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
}

/*
 * Entries atmos would refuse where they are used get their problem; each
 * chain is resolved, so a cycle or a link to such an entry is one too.  No
 * problem refuses the rest.
 */
static int check_entries(struct atmos_config *cfg, struct atmos_err *err)
{
    for (size_t i = 0; i < cfg->nproviders; i++)
        if (check_provider(&cfg->providers[i]) != 0)
            return oom(err);
    for (size_t i = 0; i < cfg->nidentities; i++)
        if (check_identity(cfg, &cfg->identities[i]) != 0)
            return oom(err);
    for (size_t i = 0; i < cfg->nintegrations; i++) {
        struct atmos_integration *in = &cfg->integrations[i];
        if (in->problem || (in->kind.value && *in->kind.value))
            continue;
        in->harmless = 1;
        if (problem(&in->problem, &in->mark, "integration \"%s\": kind is required", in->name))
            return oom(err);
    }
    /* Cycles and links to an unusable identity: resolving every chain finds them.  Those that
     * resolve are found so without building them, each link once (atmos_chain_good). */
    size_t n = cfg->nidentities;
    unsigned *state = n ? calloc(2 * n, sizeof(*state)) : NULL;
    if (n && state == NULL)
        return oom(err);
    for (size_t i = 0; i < n; i++) {
        struct atmos_identity *id = &cfg->identities[i];
        if (id->problem)
            continue;
        id->harmless = 1; /* a cycle, or a link to a skipped identity: no login went through */
        if (atmos_chain_good(cfg, i, state, state + n)) {
            id->harmless = 0;
            continue;
        }
        struct atmos_chain chain;
        struct atmos_err why = {{0}}; /* a kilobyte cleared: only for a chain that fails */
        int rc = atmos_chain_resolve(cfg, id->name, &chain, &why);
        if (rc == ATMOS_ENOMEM) {
            free(state);
            return oom(err);
        }
        if (rc == ATMOS_OK) {
            atmos_chain_free(&chain);
            id->harmless = 0;
        } else if (problem(&id->problem,
                           id->via_identity.present ? &id->via_identity.mark : &id->mark, "%s",
                           why.msg)) {
            free(state);
            return oom(err);
        }
    }
    free(state);
    return ATMOS_OK;
}

static int validate(struct atmos_config *cfg, const struct atmos_env *env,
                    const struct atmos_logger *lg, struct atmos_err *err)
{
    int rc;
    if (env->realm && *env->realm) {
        /* ATMOS_AUTH_REALM overrides the file. */
        free(cfg->realm.value);
        if ((cfg->realm.value = strdup(env->realm)) == NULL)
            return oom(err);
        cfg->realm.mark = (struct atmos_mark){.file = "ATMOS_AUTH_REALM"};
        cfg->realm_derived = 0;
    }
    if (cfg->realm.value && *cfg->realm.value == '\0') {
        free(cfg->realm.value);
        cfg->realm.value = NULL;
    }
    /* An invalid realm makes atmos refuse every auth command (realm.go Validate). */
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

    /* Sorted by name, for bsearch (the load-time index was freed: it would be stale). */
    if (atmos_config_sort(cfg) != 0)
        return oom(err);
    if ((rc = check_entries(cfg, err)) != ATMOS_OK)
        return rc;
    /* Said once here; the plan reports each again where it is in scope. */
    const char *const roles[] = {"provider", "identity", "integration"};
    for (int r = 0; r < 3; r++) {
        size_t n = r == 0 ? cfg->nproviders : r == 1 ? cfg->nidentities : cfg->nintegrations;
        for (size_t i = 0; i < n; i++) {
            const char *why = r == 0   ? cfg->providers[i].problem
                              : r == 1 ? cfg->identities[i].problem
                                       : cfg->integrations[i].problem;
            if (why)
                atmos_log(lg, ATMOS_LOG_WARN, "%s skipped: %s", roles[r], why);
        }
    }
    return ATMOS_OK;
}

int atmos_config_finish_logged(struct atmos_config *cfg, const struct atmos_env *env,
                               const struct atmos_logger *lg, struct atmos_err *err)
{
    /* Validation sorts the arrays: the load-time index is stale from here on. */
    atmos_config_index_free(cfg);
    return validate(cfg, env, lg, err);
}

int atmos_config_finish(struct atmos_config *cfg, const struct atmos_env *env,
                        struct atmos_err *err)
{
    return atmos_config_finish_logged(cfg, env, NULL, err);
}

static void field_free(struct atmos_field *f)
{
    free(f->value);
}

/* The entries' names, fields and specs' strings are the arena's (atmos_config_keep). */
void atmos_config_free(struct atmos_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->realm_dir);
    for (size_t i = 0; i < cfg->nproviders; i++) {
        atmos_spec_free(&cfg->providers[i].spec);
        free(cfg->providers[i].problem);
        free(cfg->providers[i].problem_key);
    }
    for (size_t i = 0; i < cfg->nidentities; i++) {
        atmos_spec_free(&cfg->identities[i].spec);
        free(cfg->identities[i].problem);
    }
    for (size_t i = 0; i < cfg->nintegrations; i++) {
        atmos_spec_free(&cfg->integrations[i].spec);
        free(cfg->integrations[i].problem);
        free(cfg->integrations[i].problem_key);
    }
    atmos_config_index_free(cfg);
    for (size_t i = 0; i < ATMOS_ENV_PROMOTED; i++)
        free(cfg->env_promoted[i]);
    if (cfg->arena) {
        atmos_arena_free(cfg->arena);
        free(cfg->arena);
    }
    free(cfg->providers);
    free(cfg->identities);
    free(cfg->integrations);
    field_free(&cfg->realm);
    field_free(&cfg->keyring_type);
    field_free(&cfg->keyring_path);
    atmos_strv_free(cfg->sources, cfg->nsources);
    free(cfg);
}

const struct atmos_field *atmos_spec_get(const struct atmos_spec *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].path, path) == 0)
            return &s->v[i].f;
    return NULL;
}

const char *atmos_spec_value(const struct atmos_spec *s, const char *path)
{
    const struct atmos_field *f = atmos_spec_get(s, path);
    return f ? f->value : NULL;
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

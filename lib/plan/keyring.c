/*
 * Keychain entries in the plan: which entries a logout deletes, their names,
 * and where the file keyring keeps them.
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/keyring.h>

#include "clouds/cloud.h"
#include "base/strings.h"
#include "sys/keyrings.h"
#include "items/internal.h"

/* Takes a copy of key; takes ownership of path (may be NULL). NULL on failure. */
static struct atmos_item *add_keyring(struct atmos_plan *plan, enum atmos_keyring backend,
                                      const char *key, char *path, const char *identity,
                                      const char *provider)
{
    const struct atmos_item probe = {
        .kind = ATMOS_ITEM_KEYRING,
        .u.keyring = {.key = (char *)key, .backend = backend},
    };
    struct atmos_item *o;
    if (atmos_plan_find(plan, ATMOS_PLAN_KEY_KEYRING, &probe, &o) != 0 || o != NULL) {
        free(path);
        return o;
    }
    struct atmos_item *it =
        atmos_plan_add_item(plan, ATMOS_ITEM_KEYRING, "keychain entry", path, identity, provider);
    if (it == NULL)
        return NULL;
    free(it->u.keyring
             .key); /* only set when the file keyring's path was planned under another name */
    if ((it->u.keyring.key = strdup(key)) == NULL)
        return NULL;
    it->u.keyring.backend = backend;
    it->cloud = atmos_cloud_keychain.name;
    return it;
}

/* Provider kinds whose keyring entries a plain logout always deletes (their cloud says). */
static int provider_is_ambient(const char *kind)
{
    const struct atmos_cloud *cl;
    const struct atmos_kind *k = atmos_kind_find(kind, ATMOS_ROLE_PROVIDER, &cl);
    return k && (k->flags & ATMOS_KIND_AMBIENT);
}

/* The file keyring's file name: the key with '%' and '/' percent-encoded. */
static char *file_name(const char *key)
{
    struct atmos_buf b = {0};
    for (const char *p = key; *p; p++) {
        int rc = *p == '%'   ? atmos_buf_append(&b, "%25", 3)
                 : *p == '/' ? atmos_buf_append(&b, "%2F", 3)
                             : atmos_buf_append(&b, p, 1);
        if (rc != 0) {
            atmos_buf_free(&b);
            return NULL;
        }
    }
    return b.data;
}

/*
 * The file keyring's directory, as atmos picks it (pkg/auth/credentials/
 * keyring_backends.go newFileKeyringStore): $ATMOS_KEYRING_FILE_PATH, else
 * auth.keyring.spec.path, else <data>/atmos/keyring; a value that has an
 * extension names a file, and its directory is the keyring's.  Only an
 * absolute value is used: a relative one was relative to wherever atmos ran.
 */
static char *file_keyring_dir(const struct atmos_config *cfg, const struct atmos_env *env)
{
    const char *set = env->keyring_file_path && *env->keyring_file_path ? env->keyring_file_path
                                                                        : cfg->keyring_path.value;
    if (set && set[0] == '/') {
        const char *base = strrchr(set, '/') + 1, *dot = strrchr(base, '.');
        if (dot) /* Go's filepath.Ext: a '.' anywhere in the last element */
            return base - 1 == set ? strdup("/") : strndup(set, (size_t)(base - 1 - set));
        return strdup(set);
    }
    const char *d = env->atmos_xdg_data_home;
    if (d == NULL || d[0] != '/')
        d = env->xdg_data_home;
    if (d == NULL || d[0] != '/')
        return atmos_strfmt("%s/.local/share/atmos/keyring", env->home);
    return atmos_strfmt("%s/atmos/keyring", d);
}

static int add_key(struct atmos_plan *plan, const struct atmos_config *cfg,
                   const struct atmos_env *env, const char *key, const char *identity,
                   const char *provider, int implicit)
{
    char *path = NULL;
    if (cfg->keyring == ATMOS_KEYRING_FILE) {
        char *dir = file_keyring_dir(cfg, env), *fn = file_name(key);
        path = dir && fn ? atmos_path_join(dir, fn) : NULL;
        free(dir);
        free(fn);
        if (path == NULL)
            return ATMOS_ENOMEM;
    }
    struct atmos_item *it =
        add_keyring(plan, cfg->keyring, key, path, identity, provider);
    if (it)
        it->u.keyring.implicit = implicit;
    return it ? ATMOS_OK : ATMOS_ENOMEM;
}

/* atmos_<realm>_<alias>, and the legacy atmos_<alias> when a realm is set. */
static int add_alias(struct atmos_plan *plan, const struct atmos_config *cfg,
                     const struct atmos_env *env, const char *realm, const char *alias,
                     int is_identity, const char *provider, int implicit)
{
    const char *identity = is_identity ? alias : NULL;
    char *key = realm ? atmos_strfmt("atmos_%s_%s", realm, alias) : atmos_strfmt("atmos_%s", alias);
    int rc = key ? add_key(plan, cfg, env, key, identity, provider, implicit) : ATMOS_ENOMEM;
    free(key);
    if (rc == ATMOS_OK && realm) {
        key = atmos_strfmt("atmos_%s", alias);
        rc = key ? add_key(plan, cfg, env, key, identity, provider, implicit) : ATMOS_ENOMEM;
        free(key);
    }
    return rc;
}

int atmos_keyring_plan(struct atmos_plan *plan, const struct atmos_config *cfg,
                       const struct atmos_env *env, int keychain, const char *realm)
{
    if (cfg->keyring == ATMOS_KEYRING_MEMORY || cfg->keyring == ATMOS_KEYRING_NOOP)
        return ATMOS_OK; /* nothing persistent to delete */
    /* Providers first (plan->providers is sorted), then identities. */
    for (size_t i = 0; i < plan->nproviders; i++) {
        const struct atmos_provider *p = atmos_config_provider(cfg, plan->providers[i]);
        if (plan->scope == ATMOS_SCOPE_IDENTITY)
            break; /* an identity logout never takes the provider's entry */
        int rc = ATMOS_OK;
        if (p && (keychain || provider_is_ambient(p->kind.value)))
            rc = add_alias(plan, cfg, env, realm, p->name, 0, p->name, !keychain);
        if (rc != ATMOS_OK)
            return rc;
    }
    for (size_t i = 0; i < plan->nidentities; i++) {
        const struct atmos_identity *id = atmos_config_identity(cfg, plan->identities[i]);
        if (id == NULL || id->problem)
            continue; /* its chain does not resolve */
        int ambient = id->root_cfg && provider_is_ambient(id->root_cfg->kind.value);
        int rc = ATMOS_OK;
        if (keychain || ambient)
            rc = add_alias(plan, cfg, env, realm, plan->identities[i], 1, id->root, !keychain);
        if (rc != ATMOS_OK)
            return rc;
    }
    return ATMOS_OK;
}

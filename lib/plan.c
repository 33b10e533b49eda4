/*
 * Computing the plan: what a logout of an identity, a provider or everything
 * removes, and why.  Building a plan reads (the AWS CLI SSO cache directory)
 * but never changes anything.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atmos/plan.h>

#include "internal.h"
#include "keyring_internal.h"
#include "paths.h"
#include "plan_internal.h"
#include "safefs.h"
#include "ssocache.h"

static struct atmos_item *add_item(struct atmos_plan *plan, enum atmos_item_kind kind,
                                   const char *label, char *path /* taken */,
                                   const char *identity, const char *provider)
{
    if (path == NULL && kind != ATMOS_ITEM_KEYRING)
        return NULL;
    for (size_t i = 0; path && i < plan->nitems; i++) {
        /* Two providers sharing a start URL find the same token file once. */
        if (plan->items[i].kind == kind && kind != ATMOS_ITEM_INI_SECTION &&
            plan->items[i].path && strcmp(plan->items[i].path, path) == 0) {
            free(path);
            return &plan->items[i];
        }
    }
    struct atmos_item *v = realloc(plan->items, (plan->nitems + 1) * sizeof(*v));
    if (v == NULL) {
        free(path);
        return NULL;
    }
    plan->items = v;
    struct atmos_item *it = &v[plan->nitems++];
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

struct atmos_item *atmos_plan_add_keyring(struct atmos_plan *plan, enum atmos_keyring backend,
                                          const char *key, char *path, const char *identity,
                                          const char *provider)
{
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *o = &plan->items[i];
        if (o->kind == ATMOS_ITEM_KEYRING && o->backend == backend && strcmp(o->key, key) == 0) {
            free(path);
            return &plan->items[i];
        }
    }
    struct atmos_item *it = add_item(plan, ATMOS_ITEM_KEYRING, "keychain entry", path, identity,
                                     provider);
    if (it == NULL || (it->key = strdup(key)) == NULL)
        return NULL;
    it->backend = backend;
    return it;
}

static int add_sections(struct atmos_plan *plan, const struct atmos_env *env,
                        const struct atmos_config *cfg, const char *identity,
                        const struct atmos_chain *chain)
{
    if (chain->provider == NULL)
        return 0; /* ambient identities keep nothing on disk */
    char *dir = atmos_path_provider_dir(env, cfg, chain->provider, chain->provider_cfg);
    if (dir == NULL)
        return -1;
    static const struct {
        const char *file;
        enum atmos_ini_flavor flavor;
        const char *label;
    } files[] = {{"credentials", ATMOS_INI_CREDENTIALS, "credentials profile"},
                 {"config", ATMOS_INI_CONFIG, "config profile"}};
    int rc = 0;
    for (size_t i = 0; rc == 0 && i < 2; i++) {
        struct atmos_item *it = add_item(plan, ATMOS_ITEM_INI_SECTION, files[i].label,
                                         atmos_path_join(dir, files[i].file), identity,
                                         chain->provider);
        if (it == NULL || (it->section = strdup(identity)) == NULL)
            rc = -1;
        else
            it->flavor = files[i].flavor;
    }
    free(dir);
    return rc;
}

struct atmos_item *atmos_plan_add_path(struct atmos_plan *plan, enum atmos_item_kind kind,
                                       const char *label, char *path, const char *provider)
{
    return add_item(plan, kind, label, path, NULL, provider);
}

/* Every *.json in the AWS CLI cache that is a token for start_url. */
int atmos_plan_scan_aws_sso_cache(struct atmos_plan *plan, const struct atmos_env *env,
                              const char *start_url, const char *provider,
                              const struct atmos_logger *lg)
{
    struct atmos_fs fs = {env->home, geteuid()};
    struct atmos_why why;
    char *dir = atmos_path_aws_sso_cache(env);
    int dfd = -1, rc = -1;
    DIR *d = NULL;
    if (dir == NULL)
        goto done;
    int r = atmos_fs_open_dir(&fs, dir, &dfd, &why);
    if (r != ATMOS_FS_OK) {
        if (r == ATMOS_FS_FAIL)
            atmos_log(lg, ATMOS_LOG_WARN, "not scanning the AWS CLI SSO cache: %s", why.msg);
        rc = 0;
        goto done;
    }
    if ((d = fdopendir(dfd)) == NULL)
        goto done;
    dfd = -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '.')
            continue;
        char *path = atmos_path_join(dir, de->d_name);
        struct atmos_buf buf = {0};
        struct stat st;
        if (path == NULL)
            goto done;
        r = atmos_fs_read(&fs, dirfd(d), de->d_name, path, ATMOS_SSO_MAX_BYTES, &buf, &st, &why);
        int mine = r == ATMOS_FS_OK && atmos_sso_match(buf.data ? buf.data : "", buf.len,
                                                       start_url) == ATMOS_SSO_MATCH;
        atmos_buf_free(&buf);
        if (r == ATMOS_FS_FAIL)
            atmos_log(lg, ATMOS_LOG_DEBUG, "skipping %s", why.msg);
        if (!mine) {
            free(path);
            continue;
        }
        struct atmos_item *it = add_item(plan, ATMOS_ITEM_SSO_TOKEN, "AWS CLI SSO token", path, NULL,
                                         provider);
        if (it == NULL || (it->start_url == NULL && (it->start_url = strdup(start_url)) == NULL))
            goto done;
    }
    rc = 0;
done:
    if (d)
        closedir(d);
    if (dfd >= 0)
        close(dfd);
    free(dir);
    return rc;
}

static int add_provider(struct atmos_plan *plan, const struct atmos_env *env,
                        const struct atmos_config *cfg, const char *name,
                        const struct atmos_provider *p, const struct atmos_logger *lg)
{
    if (atmos_strv_push(&plan->providers, &plan->nproviders, name) != 0)
        return -1;
    if (!add_item(plan, ATMOS_ITEM_DIRECTORY, "provider directory",
                  atmos_path_provider_dir(env, cfg, name, p), NULL,
                  name))
        return -1;
    if (p == NULL)
        return 0; /* aws-user: keys only, no SSO, nothing provisioned */
    const char *url = p->start_url.value;
    if (url && *url) {
        struct atmos_item *it;
        if (!add_item(plan, ATMOS_ITEM_FILE, "atmos SSO session",
                      atmos_path_sso_session(env, url, p->region.value), NULL, name))
            return -1;
        /* The legacy cache name; the scan below finds sso-session names too. */
        it = add_item(plan, ATMOS_ITEM_SSO_TOKEN, "AWS CLI SSO token",
                      atmos_path_aws_sso_token(env, url), NULL, name);
        if (it == NULL || (it->start_url == NULL && (it->start_url = strdup(url)) == NULL))
            return -1;
        if (atmos_plan_scan_aws_sso_cache(plan, env, url, name, lg) != 0)
            return -1;
    }
    char *pdir = atmos_path_provisioned_dir(env, name);
    struct atmos_item *it = pdir ? add_item(plan, ATMOS_ITEM_FILE, "provisioned identities",
                                            atmos_path_join(pdir, "provisioned-identities.yaml"),
                                            NULL, name)
                                 : NULL;
    free(pdir);
    if (it == NULL)
        return -1;
    it->prune_parent = 1;
    return 0;
}

static int add_identities_of(struct atmos_plan *plan, const struct atmos_config *cfg,
                             const char *provider /* NULL: every identity */)
{
    for (size_t i = 0; i < cfg->nidentities; i++) {
        struct atmos_chain ch;
        if (atmos_chain_resolve(cfg, cfg->identities[i].name, &ch, NULL) != ATMOS_OK)
            continue; /* cannot happen after validation */
        int mine = provider == NULL || (ch.provider && strcmp(ch.provider, provider) == 0);
        atmos_chain_free(&ch);
        if (mine && atmos_strv_push(&plan->identities, &plan->nidentities,
                                    cfg->identities[i].name) != 0)
            return -1;
    }
    return 0;
}

int atmos_plan_build(struct atmos_plan *plan, const struct atmos_config *cfg,
                     const struct atmos_env *env, enum atmos_scope scope, const char *target,
                     const struct atmos_plan_opts *opts, struct atmos_err *err)
{
    const struct atmos_logger *lg = opts ? opts->log : NULL;
    memset(plan, 0, sizeof(*plan));
    plan->scope = scope;
    int rc = ATMOS_ENOMEM;
    if (target && (plan->target = strdup(target)) == NULL)
        goto oom;
    if (env->home == NULL || env->home[0] != '/') {
        rc = atmos_fail(err, ATMOS_EINVAL, "HOME is not set to an absolute path");
        goto done;
    }
    if ((plan->home = strdup(env->home)) == NULL)
        goto oom;
    switch (scope) {
    case ATMOS_SCOPE_IDENTITY:
        if (target == NULL || atmos_config_identity(cfg, target) == NULL) {
            rc = atmos_fail(err, ATMOS_ENOTFOUND, "identity \"%s\" not found in configuration",
                            target ? target : "");
            goto done;
        }
        if ((rc = atmos_chain_resolve(cfg, target, &plan->chain, err)) != ATMOS_OK)
            goto done;
        rc = ATMOS_ENOMEM;
        if (atmos_strv_push(&plan->identities, &plan->nidentities, target) != 0 ||
            add_sections(plan, env, cfg, target, &plan->chain) != 0)
            goto oom;
        if (plan->chain.provider &&
            atmos_strv_push(&plan->providers, &plan->nproviders, plan->chain.provider) != 0)
            goto oom;
        break;
    case ATMOS_SCOPE_PROVIDER: {
        const struct atmos_provider *p = target ? atmos_config_provider(cfg, target) : NULL;
        if (p == NULL) {
            rc = atmos_fail(err, ATMOS_ENOTFOUND, "provider \"%s\" not found in configuration",
                            target ? target : "");
            goto done;
        }
        if (add_identities_of(plan, cfg, p->name) != 0 ||
            add_provider(plan, env, cfg, p->name, p, lg) != 0)
            goto oom;
        break;
    }
    case ATMOS_SCOPE_ALL: {
        int aws_user = 0;
        if (add_identities_of(plan, cfg, NULL) != 0)
            goto oom;
        for (size_t i = 0; i < cfg->nproviders; i++)
            if (add_provider(plan, env, cfg, cfg->providers[i].name, &cfg->providers[i], lg) != 0)
                goto oom;
        for (size_t i = 0; i < cfg->nidentities; i++)
            if (cfg->identities[i].kind.value &&
                strcmp(cfg->identities[i].kind.value, "aws/user") == 0)
                aws_user = 1;
        if (aws_user && !atmos_config_provider(cfg, ATMOS_AWS_USER_PROVIDER) &&
            add_provider(plan, env, cfg, ATMOS_AWS_USER_PROVIDER, NULL, lg) != 0)
            goto oom;
        break;
    }
    }
    atmos_strv_sort_unique(plan->identities, &plan->nidentities);
    atmos_strv_sort_unique(plan->providers, &plan->nproviders);
    if (atmos_keyring_plan(plan, cfg, env, opts && opts->keychain) != 0)
        goto oom;
    return ATMOS_OK;
oom:
    atmos_fail(err, ATMOS_ENOMEM, "out of memory");
done:
    atmos_plan_free(plan);
    return rc;
}

void atmos_plan_free(struct atmos_plan *plan)
{
    for (size_t i = 0; i < plan->nitems; i++) {
        struct atmos_item *it = &plan->items[i];
        free(it->path);
        free(it->section);
        free(it->start_url);
        free(it->identity);
        free(it->provider);
        free(it->error);
        free(it->key);
    }
    free(plan->items);
    free(plan->target);
    free(plan->home);
    atmos_chain_free(&plan->chain);
    atmos_strv_free(plan->identities, plan->nidentities);
    atmos_strv_free(plan->providers, plan->nproviders);
    memset(plan, 0, sizeof(*plan));
}

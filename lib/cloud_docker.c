/*
 * Container registry logins: the `auths` entries atmos's integrations write
 * into docker's config.json (pkg/auth/cloud/docker/config.go), under the
 * flock on config.json.lock.  Which registries are atmos's is known only from
 * the configuration, so a discovered plan leaves docker's file alone.
 *
 *  - identity: the registries of the integrations `via.identity` it;
 *  - provider, all: those of every identity logged out, and of integrations
 *    `via.provider` a provider logged out.
 *
 * MUST: remove only the entries of those registries; keep every other key of
 * config.json (credsStore, proxies, other registries) as it is.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "cloud.h"
#include "internal.h"

static int match_registry(const struct atmos_item *it, const char *key, json_object *entry)
{
    (void)entry;
    return key && strcmp(key, it->match[0]) == 0;
}

static const char *const auths[] = {"auths", NULL};
static const struct atmos_json_rule registry_rule = {auths, 0, match_registry};

/* Integration kinds atmos has; only the registry logins write docker's file. */
static const char *const known[] = {"aws/ecr",   "aws/ecr-public", "aws/eks",   "azure/acr",
                                    "azure/aks", "gcp/gke",        "github/sts"};

/* The registry host an integration logs in to (malloc'd), or NULL for none. */
static char *registry_of(const struct atmos_integration *in)
{
    const char *k = in->kind.value, *acct = in->account_id.value, *region = in->region.value,
               *name = in->registry_name.value;
    if (k && strcmp(k, "aws/ecr") == 0 && acct && region && *acct && *region)
        return atmos_strfmt("%s.dkr.ecr.%s.amazonaws.com", acct, region);
    if (k && strcmp(k, "aws/ecr-public") == 0)
        return strdup("public.ecr.aws");
    if (k && strcmp(k, "azure/acr") == 0 && name && *name)
        return atmos_strfmt("%s.azurecr.io", name);
    return NULL;
}

static char *config_path(const struct atmos_cloud_ctx *c)
{
    const char *d = c->env->docker_config;
    if (d && d[0] == '/')
        return atmos_path_join(d, "config.json");
    return atmos_path_join(c->env->home, ".docker/config.json");
}

static int is_known(const char *kind)
{
    for (size_t i = 0; kind && i < sizeof(known) / sizeof(*known); i++)
        if (strcmp(kind, known[i]) == 0)
            return 1;
    return 0;
}

static int add_integration(struct atmos_cloud_ctx *c, const struct atmos_integration *in,
                           const char *provider)
{
    if (!is_known(in->kind.value)) {
        struct atmos_item *it = atmos_cloud_add(
            c, ATMOS_ITEM_UNKNOWN, "integration of an unknown kind", NULL, NULL, provider);
        if (it == NULL || (it->what = atmos_strfmt("%s (kind %s)", in->name,
                                                   in->kind.value ? in->kind.value : "?")) == NULL)
            return ATMOS_ENOMEM;
        return 0;
    }
    char *reg = registry_of(in);
    if (reg == NULL)
        return 0;
    char *what = atmos_strfmt("registry %s (integration %s)", reg, in->name);
    struct atmos_item *it =
        what ? atmos_cloud_add_json(c, "docker login", config_path(c), &registry_rule, what, reg,
                                    NULL, NULL, provider)
             : NULL;
    free(reg);
    free(what);
    return it ? 0 : ATMOS_ENOMEM;
}

static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    for (size_t i = 0; i < c->cfg->nintegrations; i++) {
        const struct atmos_integration *in = &c->cfg->integrations[i];
        if (in->via_identity.value && strcmp(in->via_identity.value, name) == 0 &&
            add_integration(c, in, chain->provider) != 0)
            return ATMOS_ENOMEM;
    }
    return 0;
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)p;
    for (size_t i = 0; i < c->cfg->nintegrations; i++) {
        const struct atmos_integration *in = &c->cfg->integrations[i];
        if (in->via_provider.value && strcmp(in->via_provider.value, name) == 0 &&
            add_integration(c, in, name) != 0)
            return ATMOS_ENOMEM;
    }
    return 0;
}

const struct atmos_cloud atmos_cloud_docker = {"docker", identity, provider, NULL, NULL, 1};

/*
 * Container registry logins: the `auths` entries atmos's integrations write
 * into docker's config.json (pkg/auth/cloud/docker/config.go), under the
 * flock on config.json.lock.  Which registries are atmos's is known only from
 * the configuration, so a discovered plan leaves docker's file alone.
 *
 *  - identity: the registries of the integrations `via.identity` it or
 *    `via.provider` its root provider;
 *  - provider, all: those of every identity logged out, and of integrations
 *    `via.provider` a provider logged out.
 *
 * MUST: remove only the entries of those registries; keep every other key of
 * config.json (credsStore, proxies, other registries) as it is.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clouds/cloud.h"
#include "base/strings.h"
#include "formats/jsonverdict.h"

/*
 * docker keys `auths` by the whole name, as Go decodes it: a name holding a
 * NUL ("<ecr host>\u0000evil") is another registry, however it starts.
 */
static int match_registry(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                          json_object *entry)
{
    (void)entry;
    return key && key_len == strlen(ids[0]) && memcmp(key, ids[0], key_len) == 0;
}

static const char *const auths[] = {"auths", NULL};
static const struct atmos_json_rule registry_rule = {.containers = auths,
                                                     .ids = {"registry host"},
                                                     .match = match_registry,
                                                     .tool = "docker",
                                                     .check = atmos_docker_check,
                                                     /* "Auths" is auths to docker's Go */
                                                     .container_is = atmos_go_name_is};

/* How a registry login's kind makes its registry host (malloc'd; NULL: none). */
struct registry {
    char *(*host)(const struct atmos_integration *in);
};

static char *ecr(const struct atmos_integration *in)
{
    const char *acct = atmos_spec_value(&in->spec, "spec.registry.account_id"),
               *region = atmos_spec_value(&in->spec, "spec.registry.region");
    if (acct && region && *acct && *region)
        return atmos_strfmt("%s.dkr.ecr.%s.amazonaws.com", acct, region);
    return NULL;
}

static char *ecr_public(const struct atmos_integration *in)
{
    (void)in;
    return strdup("public.ecr.aws");
}

static char *acr(const struct atmos_integration *in)
{
    const char *name = atmos_spec_value(&in->spec, "spec.registry.name");
    return name && *name ? atmos_strfmt("%s.azurecr.io", name) : NULL;
}

/*
 * Integration kinds atmos has that write docker's file or nothing a logout
 * removes (the cluster kinds are clouds/kube.c's, github/sts clouds/github/github.c's);
 * the spec of a registry login is how its registry host is made.
 */
#define INTEGRATION ATMOS_ROLE_INTEGRATION
static const struct registry ecr_spec = {ecr}, ecr_public_spec = {ecr_public}, acr_spec = {acr};
static const struct atmos_kind kinds[] = {
    {.name = "aws/ecr", .roles = INTEGRATION, .spec = &ecr_spec},
    {.name = "aws/ecr-public", .roles = INTEGRATION, .spec = &ecr_public_spec},
    {.name = "azure/acr", .roles = INTEGRATION, .spec = &acr_spec},
    {.name = NULL},
};

/* docker's config directory, as docker itself reads it. */
static const char *const env_vars[] = {"DOCKER_CONFIG", NULL};

static char *config_path(const struct atmos_cloud_ctx *c)
{
    const char *d = atmos_env_get(c->env, "DOCKER_CONFIG");
    if (d && d[0] == '/')
        return atmos_path_join(d, "config.json");
    return atmos_path_join(c->env->home, ".docker/config.json");
}

static int add_integration(struct atmos_cloud_ctx *c, const struct atmos_integration *in,
                           const char *provider)
{
    const struct atmos_cloud *cl;
    const struct atmos_kind *k = atmos_kind_in(c->clouds, in->kind.value, ATMOS_ROLE_INTEGRATION, &cl);
    if (k == NULL) {
        char *what = atmos_strfmt("%s (kind %s)", in->name, in->kind.value ? in->kind.value : "?");
        return atmos_cloud_add_unknown(c, "integration of an unknown kind", what, NULL, provider)
                   ? 0
                   : ATMOS_ENOMEM;
    }
    /* Only this file declares integration kinds: the spec is a struct registry. */
    const struct registry *registry = cl == &atmos_cloud_docker ? k->spec : NULL;
    char *reg = registry ? registry->host(in) : NULL;
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

/* The registries of the integrations an identity's logout cleans (clouds/registry.c says which). */
static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    return atmos_cloud_identity_integrations(c, name, chain, add_integration);
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)p;
    return atmos_cloud_provider_integrations(c, name, add_integration);
}

/* --status: docker's config.json records no expiry of a registry login. */
static const struct atmos_expiry expiries[] = {
    {.label = "docker login", .format = ATMOS_EXPIRY_NOT_WRITTEN},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_docker = {.name = "docker",
                                               .display = "Docker",
                                               .kinds = kinds,
                                               .env_vars = env_vars,
                                               .identity = identity,
                                               .provider = provider,
                                               .every_identity = 1,
                                               .expiries = expiries};

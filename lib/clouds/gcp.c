/*
 * Google Cloud: atmos keeps a GCP login in its own directories only
 * (pkg/auth/cloud/gcp/files.go); gcloud's files are read, never written.
 *
 *   <config home>/atmos/[<realm>/]gcp/<provider>/
 *       adc/<identity>/{application_default_credentials.json,access_token}
 *       config/<identity>/{properties, and what gcloud writes there}
 *       <identity>.identity.lock   (flock held while an identity's files change)
 * (each directory's own entries are declared below; nothing else is removed)
 *
 *  - identity: adc/<identity>/ and config/<identity>/, under that identity's lock;
 *  - provider: the provider directory;
 *  - discovered: every provider directory under gcp/, with and without a realm.
 *
 * MUST: remove only directories named after a configured (or atmos-shaped)
 * provider and identity; take atmos's identity lock while removing.
 */
#include <stdlib.h>
#include <string.h>

#include "clouds/cloud.h"
#include "base/strings.h"
#include "config/paths.h"

/*
 * adc/<identity>/ (cloudposse/atmos pkg/auth/cloud/gcp/files.go: GetADCDir):
 * the ADC file and the access token (CredentialsFileName, AccessTokenFileName),
 * written with WriteFileAtomic (pkg/filesystem/atomic_unix.go: renameio,
 * temporary ".<name><digits>" beside it, left only by a killed atmos).  Earlier
 * atmos locked each file through "<name>.lock" beside it.  gcloud is never
 * pointed here (GOOGLE_APPLICATION_CREDENTIALS names the file only).
 */
static const struct atmos_dir_entry adc_entries[] = {
    {.name = "application_default_credentials.json", .type = ATMOS_DIR_FILE},
    {.name = "access_token", .type = ATMOS_DIR_FILE},
    {.name = ".application_default_credentials.json#", .type = ATMOS_DIR_FILE},
    {.name = ".access_token#", .type = ATMOS_DIR_FILE},
    {.name = "application_default_credentials.json.lock", .type = ATMOS_DIR_FILE},
    {.name = "access_token.lock", .type = ATMOS_DIR_FILE},
    {.name = NULL},
};

/*
 * config/<identity>/ is a gcloud configuration directory: atmos writes its
 * `properties` there (WritePropertiesFile, renameio temporary ".properties<digits>",
 * "properties.lock" in earlier atmos) and points gcloud at it with
 * CLOUDSDK_CONFIG (pkg/auth/cloud/gcp/env.go), so what gcloud keeps in its
 * configuration directory belongs too.  gcloud's names are those of
 * googlecloudsdk/core/config.py (class Paths), as gcloud writes them:
 * active_config, configurations/ (CLOUDSDK_ACTIVE_CONFIG_NAME=config_atmos),
 * credentials.db and access_tokens.db (SQLite, with the "-journal" a killed
 * gcloud leaves), default_configs.db, legacy_credentials/<account>/ (adc.json,
 * .boto, ...), logs/, cache/, completion_cache/, virtenv/, kubernetes/, gce
 * (is this a GCE VM), config_sentinel, .valid_ppk_sentinel, .metricsUUID, the
 * .last_update_check.json, .last_survey_prompt.yaml and .last_opt_in_prompt.yaml
 * caches (".last_*"), and application_default_credentials.json, which
 * `gcloud auth application-default login` writes into CLOUDSDK_CONFIG.
 * Not listed, so kept if found: anything else, such as emulator data.
 */
static const struct atmos_dir_entry config_entries[] = {
    {.name = "properties", .type = ATMOS_DIR_FILE},
    {.name = ".properties#", .type = ATMOS_DIR_FILE},
    {.name = "properties.lock", .type = ATMOS_DIR_FILE},
    {.name = "active_config", .type = ATMOS_DIR_FILE},
    {.name = "configurations", .type = ATMOS_DIR_TREE},
    {.name = "credentials.db", .type = ATMOS_DIR_FILE},
    {.name = "credentials.db-journal", .type = ATMOS_DIR_FILE},
    {.name = "access_tokens.db", .type = ATMOS_DIR_FILE},
    {.name = "access_tokens.db-journal", .type = ATMOS_DIR_FILE},
    {.name = "default_configs.db", .type = ATMOS_DIR_FILE},
    {.name = "default_configs.db-journal", .type = ATMOS_DIR_FILE},
    {.name = "legacy_credentials", .type = ATMOS_DIR_TREE},
    {.name = "logs", .type = ATMOS_DIR_TREE},
    {.name = "cache", .type = ATMOS_DIR_TREE},
    {.name = "completion_cache", .type = ATMOS_DIR_TREE},
    {.name = "virtenv", .type = ATMOS_DIR_TREE},
    {.name = "kubernetes", .type = ATMOS_DIR_TREE},
    {.name = "gce", .type = ATMOS_DIR_FILE},
    {.name = "config_sentinel", .type = ATMOS_DIR_FILE},
    {.name = ".valid_ppk_sentinel", .type = ATMOS_DIR_FILE},
    {.name = ".metricsUUID", .type = ATMOS_DIR_FILE},
    {.name = ".last_*", .type = ATMOS_DIR_FILE},
    {.name = "application_default_credentials.json", .type = ATMOS_DIR_FILE},
    {.name = NULL},
};

static const struct atmos_dir_rule adc_rule = {.entries = adc_entries};
static const struct atmos_dir_rule config_rule = {.entries = config_entries};
static const struct atmos_dir_entry adc_ids[] = {
    {.name = "*", .type = ATMOS_DIR_NESTED, .sub = &adc_rule}, {.name = NULL}};
static const struct atmos_dir_entry config_ids[] = {
    {.name = "*", .type = ATMOS_DIR_NESTED, .sub = &config_rule}, {.name = NULL}};
static const struct atmos_dir_rule adc_ids_rule = {.entries = adc_ids};
static const struct atmos_dir_rule config_ids_rule = {.entries = config_ids};

/*
 * The provider directory: adc/ and config/ with a directory per identity,
 * and atmos's identity locks (identityLockTarget: "<identity>.identity" +
 * ".lock"; "<identity>.cleanup.lock" in earlier atmos).
 */
static const struct atmos_dir_entry provider_entries[] = {
    {.name = "adc", .type = ATMOS_DIR_NESTED, .sub = &adc_ids_rule},
    {.name = "config", .type = ATMOS_DIR_NESTED, .sub = &config_ids_rule},
    {.name = "*.identity.lock", .type = ATMOS_DIR_FILE},
    {.name = "*.cleanup.lock", .type = ATMOS_DIR_FILE},
    {.name = NULL},
};
static const struct atmos_dir_rule provider_rule = {.entries = provider_entries};

static const struct atmos_cloud_dir provider_kind = {.label = "GCP provider directory",
                                                     .rule = &provider_rule};
static const struct atmos_cloud_dir identity_kinds[] = {
    {"application default credentials", &adc_rule},
    {"gcloud configuration", &config_rule},
};

static char *provider_dir(const struct atmos_cloud_ctx *c, const char *provider)
{
    char *base = atmos_path_atmos_config(c->env);
    char *out = atmos_path_realm_dir(base, c->realm, "gcp", provider);
    free(base);
    return out;
}

static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    if (chain->provider == NULL)
        return 0;
    char *dir = provider_dir(c, chain->provider);
    int rc = ATMOS_ENOMEM;
    if (dir == NULL)
        goto done;
    static const char *const sub[] = {"adc", "config"};
    for (size_t i = 0; i < 2; i++) {
        struct atmos_item *it =
            atmos_cloud_add_dir(c, &identity_kinds[i], atmos_strfmt("%s/%s/%s", dir, sub[i], name),
                                name, chain->provider);
        if (it == NULL || (it->u.dir.lock = atmos_strfmt("%s/%s.identity", dir, name)) == NULL)
            goto done;
    }
    rc = 0;
done:
    free(dir);
    return rc;
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)p;
    return atmos_cloud_add_dir(c, &provider_kind, provider_dir(c, name), NULL, name) ? 0
                                                                                     : ATMOS_ENOMEM;
}

static int discover(struct atmos_cloud_ctx *c)
{
    return atmos_cloud_each_base(c, "gcp", atmos_cloud_add_provider_dir, (void *)&provider_kind);
}

/* --all-realms: <cfg>/atmos/<realm>/gcp/ holds provider directories (gcp/files.go). */
static const struct atmos_dir_entry realm_entries[] = {
    {.name = "*", .type = ATMOS_DIR_NESTED, .sub = &provider_rule},
    {.name = NULL},
};
static const struct atmos_dir_rule realm_rule = {.entries = realm_entries};
static const struct atmos_realm_place realm_place = {
    .sub = "gcp", .rule = &realm_rule, .dir_label = "GCP provider directory"};
static const char *const not_realms[] = {"gcp", NULL}; /* the realm-less layout */

static int realm_places(struct atmos_cloud_ctx *c, atmos_place_fn fn, void *arg)
{
    return fn(c, atmos_path_atmos_config(c->env), &realm_place, arg);
}

/* Google Cloud's kinds: ambient providers, so their keychain entries go with every logout. */
static const struct atmos_kind kinds[] = {
    {.name = "gcp/adc", .roles = ATMOS_ROLE_PROVIDER, .flags = ATMOS_KIND_AMBIENT},
    {.name = "gcp/workload-identity-federation",
     .roles = ATMOS_ROLE_PROVIDER,
     .flags = ATMOS_KIND_AMBIENT},
    {.name = "gcp/project", .roles = ATMOS_ROLE_IDENTITY},
    {.name = "gcp/service-account", .roles = ATMOS_ROLE_IDENTITY},
    /* In memory only (pkg/auth/identities/emulator/gcp.go); a kubeconfig is clouds/kube.c's. */
    {.name = "gcp/emulator",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_NOTHING_KEPT | ATMOS_KIND_STANDALONE | ATMOS_KIND_EMULATOR},
    {.name = NULL},
};

/*
 * --status: the ADC file's "token_expiry" (atmos pkg/auth/cloud/gcp/files.go
 * AuthorizedUserContent, written by setup.go with formatTokenExpiry); gcloud's
 * configuration holds no credential.
 */
static const struct atmos_expiry expiries[] = {
    {.label = "GCP provider directory", .format = ATMOS_EXPIRY_JSON,
     .file = "adc/*/application_default_credentials.json",
     .keys = (const char *const[]){"token_expiry", NULL}, .field = "token_expiry"},
    {.label = "application default credentials", .format = ATMOS_EXPIRY_JSON,
     .file = "application_default_credentials.json",
     .keys = (const char *const[]){"token_expiry", NULL}, .field = "token_expiry"},
    {.label = "gcloud configuration", .format = ATMOS_EXPIRY_NONE},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_gcp = {.name = "gcp",
                                            .display = "Google Cloud",
                                            .kinds = kinds,
                                            .identity = identity,
                                            .provider = provider,
                                            .discover = discover,
                                            .realm_places = realm_places,
                                            .not_realms = not_realms,
                                            .expiries = expiries};

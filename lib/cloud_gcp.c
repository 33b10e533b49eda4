/*
 * Google Cloud: atmos keeps a GCP login in its own directories only
 * (pkg/auth/cloud/gcp/files.go); gcloud's files are read, never written.
 *
 *   <config home>/atmos/[<realm>/]gcp/<provider>/
 *       adc/<identity>/{application_default_credentials.json,access_token}
 *       config/<identity>/{properties,...}
 *       <identity>.identity.lock   (flock held while an identity's files change)
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

#include "cloud.h"
#include "internal.h"
#include "paths.h"

static char *provider_dir(const struct atmos_cloud_ctx *c, const char *provider)
{
    char *base = atmos_path_atmos_config(c->env);
    char *out = NULL;
    if (base)
        out = c->realm ? atmos_strfmt("%s/%s/gcp/%s", base, c->realm, provider)
                       : atmos_strfmt("%s/gcp/%s", base, provider);
    free(base);
    return out;
}

static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    if (chain->provider == NULL)
        return 0;
    char *dir = provider_dir(c, chain->provider);
    int rc = -1;
    if (dir == NULL)
        goto done;
    static const char *const sub[][2] = {{"adc", "application default credentials"},
                                         {"config", "gcloud configuration"}};
    for (size_t i = 0; i < 2; i++) {
        struct atmos_item *it =
            atmos_cloud_add(c, ATMOS_ITEM_DIRECTORY, sub[i][1],
                            atmos_strfmt("%s/%s/%s", dir, sub[i][0], name), name, chain->provider);
        if (it == NULL || (it->lock = atmos_strfmt("%s/%s.identity", dir, name)) == NULL)
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
    return atmos_cloud_add(c, ATMOS_ITEM_DIRECTORY, "GCP provider directory", provider_dir(c, name),
                           NULL, name)
               ? 0
               : -1;
}

static int discover(struct atmos_cloud_ctx *c)
{
    return atmos_cloud_each_base(c, "gcp", atmos_cloud_add_provider_dir, "GCP provider directory");
}

const struct atmos_cloud atmos_cloud_gcp = {"gcp", identity, provider, NULL, discover, 0};

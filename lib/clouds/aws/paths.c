/*
 * Where atmos and the AWS CLI keep an AWS login's session data, byte-compatible
 * with what they write.  All results are malloc'd absolute paths (NULL on
 * allocation failure).
 */
#include <stdlib.h>
#include <string.h>

#include "clouds/aws/paths.h"
#include "base/strings.h"
#include "config/paths.h"

char *atmos_path_default_aws_base(const struct atmos_env *env, const char *realm)
{
    char *cfg = atmos_path_atmos_config(env);
    char *out = atmos_path_realm_dir(cfg, realm, "aws", NULL);
    free(cfg);
    return out;
}

/*
 * The one place that reads an AWS provider's spec, so that where those fields
 * live in the configuration is this function's business alone.
 */
struct atmos_aws_spec atmos_aws_spec_of(const struct atmos_provider *p)
{
    if (p == NULL)
        return (struct atmos_aws_spec){NULL, NULL, NULL};
    return (struct atmos_aws_spec){.start_url = atmos_spec_value(&p->spec, "start_url"),
                                   .region = atmos_spec_value(&p->spec, "region"),
                                   .base_path = atmos_spec_value(&p->spec, "spec.files.base_path")};
}

/*
 * pkg/auth/cloud/aws/files.go: NewAWSFileManager(basePath, realm) roots the
 * files at homedir.Expand(basePath), else at <cfg>; GetCredentialsPath and
 * Cleanup join <root>/<realm>/aws/<provider> (filepath.Join drops an empty
 * realm).  So base_path names a root, never the provider directory itself.
 */
char *atmos_path_aws_root(const struct atmos_env *env, const char *base_path)
{
    if (base_path) /* Validation guarantees "~", "~/..." or an absolute path. */
        return base_path[0] == '~' ? atmos_strfmt("%s%s", env->home, base_path + 1)
                                   : strdup(base_path);
    return atmos_path_atmos_config(env);
}

char *atmos_path_aws_provider_dir(const struct atmos_env *env, const char *base_path,
                                  const char *realm, const char *provider)
{
    char *root = atmos_path_aws_root(env, base_path);
    char *out = atmos_path_realm_dir(root, realm, "aws", provider);
    free(root);
    return out;
}

/*
 * atmos 96a7852034 (#1475, 2025-10-06) to 1eda3a2ef5 (#1712, 2025-10-27):
 * NewAWSFileManager's baseDir was ~/.aws/atmos, the files
 * ~/.aws/atmos/<provider>/{credentials,config}, no realm.  Today's atmos only
 * warns that the directory exists (checkLegacyAWSAtmosPath).
 */
char *atmos_path_aws_legacy_dir(const struct atmos_env *env, const char *provider)
{
    return atmos_strfmt("%s/.aws/atmos/%s", env->home, provider);
}

/*
 * atmos 08cacb1e39 (#1735, 2025-11-01) to 5813c33a6d (#2553, 2026-06-08):
 * the SSO provider cached its token in <cache>/aws-sso/<provider>/token.json
 * (providers/aws/sso_cache.go getTokenCachePath), no realm; the shared
 * sessions/ cache replaced it, and no code of atmos's removes the old file.
 */
char *atmos_path_sso_legacy_token(const struct atmos_env *env, const char *provider)
{
    char *cache = atmos_path_atmos_cache(env);
    char *out = cache ? atmos_strfmt("%s/aws-sso/%s/token.json", cache, provider) : NULL;
    free(cache);
    return out;
}

char *atmos_path_sso_session(const struct atmos_env *env, const char *start_url, const char *region)
{
    char *key = atmos_strfmt("%s|%s", start_url, region ? region : "");
    char *cache = atmos_path_atmos_cache(env);
    char *out = NULL;
    if (key && cache) {
        char hex[41];
        atmos_sha1_hex(key, strlen(key), hex);
        out = atmos_strfmt("%s/aws-sso/sessions/%s.json", cache, hex);
    }
    free(key);
    free(cache);
    return out;
}

char *atmos_path_provisioned_dir(const struct atmos_env *env, const char *provider)
{
    char *cache = atmos_path_atmos_cache(env);
    char *out = cache ? atmos_strfmt("%s/auth/%s", cache, provider) : NULL;
    free(cache);
    return out;
}

char *atmos_path_aws_sso_cache(const struct atmos_env *env)
{
    return atmos_path_join(env->home, ".aws/sso/cache");
}

char *atmos_path_aws_sso_token(const struct atmos_env *env, const char *start_url)
{
    char hex[41];
    atmos_sha1_hex(start_url, strlen(start_url), hex);
    return atmos_strfmt("%s/.aws/sso/cache/%s.json", env->home, hex);
}

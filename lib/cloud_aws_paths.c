/*
 * Where atmos and the AWS CLI keep an AWS login's session data, byte-compatible
 * with what they write.  All results are malloc'd absolute paths (NULL on
 * allocation failure).
 */
#include <stdlib.h>
#include <string.h>

#include "cloud_aws_paths.h"
#include "internal.h"
#include "paths.h"

char *atmos_path_default_aws_base(const struct atmos_env *env, const char *realm)
{
    char *cfg = atmos_path_atmos_config(env);
    char *out = atmos_path_realm_dir(cfg, realm, "aws", NULL);
    free(cfg);
    return out;
}

char *atmos_path_provider_dir(const struct atmos_env *env, const char *realm, const char *provider,
                              const struct atmos_provider *pcfg)
{
    const char *bp = pcfg ? pcfg->base_path.value : NULL;
    if (bp != NULL) {
        /* Validation guarantees "~", "~/..." or an absolute path. */
        char *base = bp[0] == '~' ? atmos_strfmt("%s%s", env->home, bp + 1) : strdup(bp);
        char *out = base ? atmos_path_join(base, provider) : NULL;
        free(base);
        return out;
    }
    char *base = atmos_path_default_aws_base(env, realm);
    char *out = base ? atmos_path_join(base, provider) : NULL;
    free(base);
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

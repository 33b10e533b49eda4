/*
 * The AWS login layout (clouds/aws/paths.c), for the AWS cloud's files.
 */
#ifndef ATMOS_CLOUD_AWS_PATHS_H
#define ATMOS_CLOUD_AWS_PATHS_H

#include <atmos/config.h>
#include <atmos/env.h>

/* ${ATMOS_XDG_CONFIG_HOME:-${XDG_CONFIG_HOME:-$HOME/.config}}/atmos/[realm/]aws */
char *atmos_path_default_aws_base(const struct atmos_env *env, const char *realm);
/* What an AWS provider's spec says (p may be NULL: all NULL). */
struct atmos_aws_spec {
    const char *start_url; /* IAM Identity Center */
    const char *region;
    const char *base_path; /* spec.files.base_path as written ("~/..." or absolute), or NULL */
};
struct atmos_aws_spec atmos_aws_spec_of(const struct atmos_provider *p);
/* The root realms are under: base_path (~ expanded), or the atmos config home when NULL */
char *atmos_path_aws_root(const struct atmos_env *env, const char *base_path);
/* <base_path (~ expanded), or the atmos config home when NULL>/[realm/]aws/<provider> */
char *atmos_path_aws_provider_dir(const struct atmos_env *env, const char *base_path,
                                  const char *realm, const char *provider);
/* ~/.aws/atmos/<provider>: where atmos before XDG kept the same files */
char *atmos_path_aws_legacy_dir(const struct atmos_env *env, const char *provider);
/* <atmos cache>/aws-sso/<provider>/token.json: atmos's SSO token before sessions/ */
char *atmos_path_sso_legacy_token(const struct atmos_env *env, const char *provider);
/* <atmos cache>/aws-sso/sessions/<sha1(start_url|region)>.json (see atmos_path_atmos_cache) */
char *atmos_path_sso_session(const struct atmos_env *env, const char *start_url,
                             const char *region);
/* ${XDG_CACHE_HOME:-~/.cache}/atmos/auth/<provider> */
char *atmos_path_provisioned_dir(const struct atmos_env *env, const char *provider);
/* ~/.aws/sso/cache */
char *atmos_path_aws_sso_cache(const struct atmos_env *env);
/* ~/.aws/sso/cache/<sha1(start_url)>.json */
char *atmos_path_aws_sso_token(const struct atmos_env *env, const char *start_url);

#endif

/*
 * The AWS login layout (cloud_aws_paths.c), for the AWS cloud's files.
 */
#ifndef ATMOS_CLOUD_AWS_PATHS_H
#define ATMOS_CLOUD_AWS_PATHS_H

#include <atmos/config.h>
#include <atmos/env.h>

/* ${ATMOS_XDG_CONFIG_HOME:-${XDG_CONFIG_HOME:-$HOME/.config}}/atmos/[realm/]aws */
char *atmos_path_default_aws_base(const struct atmos_env *env, const char *realm);
/* <base>/<provider>: base_path (~ expanded) when the provider sets one. */
char *atmos_path_provider_dir(const struct atmos_env *env, const char *realm, const char *provider,
                              const struct atmos_provider *pcfg);
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

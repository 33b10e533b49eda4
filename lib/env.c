/*
 * Capturing the process environment for the CLI.
 */
#include <stdlib.h>

#include <atmos/env.h>

void atmos_env_from_environ(struct atmos_env *env)
{
    *env = (struct atmos_env){0};
    env->home = getenv("HOME");
    env->system_config = ATMOS_SYSTEM_CONFIG;
    env->cli_config_path = getenv("ATMOS_CLI_CONFIG_PATH");
    env->xdg_config_home = getenv("XDG_CONFIG_HOME");
    env->atmos_xdg_config_home = getenv("ATMOS_XDG_CONFIG_HOME");
    env->xdg_cache_home = getenv("XDG_CACHE_HOME");
    env->xdg_data_home = getenv("XDG_DATA_HOME");
    env->atmos_xdg_data_home = getenv("ATMOS_XDG_DATA_HOME");
    env->realm = getenv("ATMOS_AUTH_REALM");
    env->keyring_type = getenv("ATMOS_KEYRING_TYPE");
    env->docker_config = getenv("DOCKER_CONFIG");
    env->aws_config_file = getenv("AWS_CONFIG_FILE");
    env->aws_endpoint_url_sso = getenv("AWS_ENDPOINT_URL_SSO");
    env->aws_endpoint_url = getenv("AWS_ENDPOINT_URL");
    env->aws_ca_bundle = getenv("AWS_CA_BUNDLE");
    env->https_proxy = getenv("HTTPS_PROXY") ? getenv("HTTPS_PROXY") : getenv("https_proxy");
    env->no_proxy = getenv("NO_PROXY") ? getenv("NO_PROXY") : getenv("no_proxy");
}

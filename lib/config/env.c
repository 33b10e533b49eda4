/*
 * Capturing the process environment for the CLI: atmos's variables, and
 * those each cloud declares it reads.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/env.h>

#include "clouds/cloud.h"

void atmos_env_from_environ(struct atmos_env *env)
{
    *env = (struct atmos_env){0};
    env->home = getenv("HOME");
    env->system_config = ATMOS_SYSTEM_CONFIG;
    env->cli_config_path = getenv("ATMOS_CLI_CONFIG_PATH");
    env->git_root_basepath = getenv("ATMOS_GIT_ROOT_BASEPATH");
    env->xdg_config_home = getenv("XDG_CONFIG_HOME");
    env->atmos_xdg_config_home = getenv("ATMOS_XDG_CONFIG_HOME");
    env->xdg_cache_home = getenv("XDG_CACHE_HOME");
    env->atmos_xdg_cache_home = getenv("ATMOS_XDG_CACHE_HOME");
    env->xdg_data_home = getenv("XDG_DATA_HOME");
    env->atmos_xdg_data_home = getenv("ATMOS_XDG_DATA_HOME");
    env->realm = getenv("ATMOS_AUTH_REALM");
    env->profile = getenv("ATMOS_PROFILE");
    env->keyring_type = getenv("ATMOS_KEYRING_TYPE");
    env->keyring_file_path = getenv("ATMOS_KEYRING_FILE_PATH");
    env->https_proxy = getenv("HTTPS_PROXY") ? getenv("HTTPS_PROXY") : getenv("https_proxy");
    env->no_proxy = getenv("NO_PROXY") ? getenv("NO_PROXY") : getenv("no_proxy");
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++)
        for (const char *const *v = (*cl)->env_vars; v && *v; v++)
            if (env->nvars < ATMOS_ENV_VARS && getenv(*v))
                env->vars[env->nvars++] = (struct atmos_env_var){*v, getenv(*v)};
}

const char *atmos_env_get(const struct atmos_env *env, const char *name)
{
    for (size_t i = 0; i < env->nvars; i++)
        if (strcmp(env->vars[i].name, name) == 0)
            return env->vars[i].value && *env->vars[i].value ? env->vars[i].value : NULL;
    return NULL;
}

const char *atmos_env_transport_var(size_t i)
{
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++)
        for (const char *const *v = (*cl)->transport_vars; v && *v; v++)
            if (i-- == 0)
                return *v;
    return NULL;
}

static const struct {
    const char *name;
    size_t off; /* its field of struct atmos_env */
} promoted[ATMOS_ENV_PROMOTED] = {
    {"ATMOS_PROFILE", offsetof(struct atmos_env, profile)},
    {"ATMOS_AUTH_REALM", offsetof(struct atmos_env, realm)},
    {"ATMOS_XDG_CONFIG_HOME", offsetof(struct atmos_env, atmos_xdg_config_home)},
    {"ATMOS_XDG_CACHE_HOME", offsetof(struct atmos_env, atmos_xdg_cache_home)},
    {"ATMOS_XDG_DATA_HOME", offsetof(struct atmos_env, atmos_xdg_data_home)},
    {"ATMOS_KEYRING_TYPE", offsetof(struct atmos_env, keyring_type)},
    {"ATMOS_KEYRING_FILE_PATH", offsetof(struct atmos_env, keyring_file_path)},
};

const char *atmos_env_promoted_name(size_t i)
{
    return i < ATMOS_ENV_PROMOTED ? promoted[i].name : NULL;
}

unsigned atmos_env_promote(struct atmos_env *env, char *const values[ATMOS_ENV_PROMOTED])
{
    unsigned set = 0;
    for (size_t i = 0; i < ATMOS_ENV_PROMOTED; i++) {
        const char **field = (const char **)((char *)env + promoted[i].off);
        if (*field == NULL && values[i] != NULL) {
            *field = values[i];
            set |= 1u << i;
        }
    }
    return set;
}

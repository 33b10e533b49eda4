/*
 * The environment as the engine sees it: the variables a cloud reads, and
 * those the configuration's env: section promotes.  atmos_env_from_environ,
 * which knows every cloud's variables, is the clouds' registry's.
 */
#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/env.h>


const char *atmos_env_get(const struct atmos_env *env, const char *name)
{
    for (size_t i = 0; i < env->nvars; i++)
        if (strcmp(env->vars[i].name, name) == 0)
            return env->vars[i].value && *env->vars[i].value ? env->vars[i].value : NULL;
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

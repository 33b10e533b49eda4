/*
 * The clouds, in report order, and what is asked of all of them: which
 * cloud has a kind, their names for people, the variables they read.
 * A new cloud is one line in the list and its own file.
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/env.h>

#include "clouds/cloud.h"

/* The clouds, in report order: a new cloud is one line here and its own file. */
const struct atmos_cloud *const atmos_clouds[] = {
    &atmos_cloud_aws,      &atmos_cloud_azure,
    &atmos_cloud_gcp,      &atmos_cloud_docker,
    &atmos_cloud_kube,     &atmos_cloud_console,
    &atmos_cloud_github,   &atmos_cloud_atmos,
    &atmos_cloud_keychain, NULL,
};

const struct atmos_kind *atmos_kind_find(const char *kind, unsigned role,
                                         const struct atmos_cloud **cloud)
{
    return atmos_kind_in(atmos_clouds, kind, role, cloud);
}

static int cloud_of(const char *kind, unsigned role, const struct atmos_cloud **cloud)
{
    const struct atmos_kind *k = atmos_kind_find(kind, role, cloud);
    if (k && (k->flags & ATMOS_KIND_NOTHING_KEPT))
        *cloud = NULL;
    return k != NULL;
}

int atmos_cloud_of_provider(const char *kind, const struct atmos_cloud **cloud)
{
    return cloud_of(kind, ATMOS_ROLE_PROVIDER, cloud);
}

int atmos_cloud_of_identity(const char *kind, const struct atmos_cloud **cloud)
{
    return cloud_of(kind, ATMOS_ROLE_IDENTITY, cloud);
}

int atmos_identity_is_standalone(const char *kind)
{
    const struct atmos_cloud *cl;
    const struct atmos_kind *k = atmos_kind_find(kind, ATMOS_ROLE_IDENTITY, &cl);
    return k && (k->flags & ATMOS_KIND_STANDALONE);
}

const char *atmos_cloud_display(const char *cloud)
{
    for (const struct atmos_cloud *const *cl = atmos_clouds; cloud && *cl; cl++)
        if (strcmp((*cl)->name, cloud) == 0)
            return (*cl)->display;
    return cloud ? cloud : "Configuration";
}

size_t atmos_cloud_count(void)
{
    return sizeof(atmos_clouds) / sizeof(*atmos_clouds) - 1;
}

size_t atmos_cloud_rank(const char *cloud)
{
    size_t i = 0;
    while (atmos_clouds[i] && !(cloud && strcmp(atmos_clouds[i]->name, cloud) == 0))
        i++;
    return i;
}

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

const char *atmos_env_transport_var(size_t i)
{
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++)
        for (const char *const *v = (*cl)->transport_vars; v && *v; v++)
            if (i-- == 0)
                return *v;
    return NULL;
}

/*
 * The environment the engine works in, captured once by the caller.
 *
 * The engine never calls getenv() for paths: the CLI fills this from its
 * environment, the PAM module's child from the passwd entry.  Empty values and
 * relative XDG paths count as unset (XDG Base Directory rules).
 */
#ifndef ATMOS_ENV_H
#define ATMOS_ENV_H

struct atmos_env {
    const char *home;                  /* required, absolute */
    const char *cwd;                   /* for ./atmos.yaml; NULL to skip */
    const char *system_config;         /* /usr/local/etc/atmos/atmos.yaml */
    const char *cli_config_path;       /* $ATMOS_CLI_CONFIG_PATH */
    const char *xdg_config_home;       /* $XDG_CONFIG_HOME */
    const char *atmos_xdg_config_home; /* $ATMOS_XDG_CONFIG_HOME */
    const char *xdg_cache_home;        /* $XDG_CACHE_HOME */
    const char *xdg_data_home;         /* $XDG_DATA_HOME */
    const char *atmos_xdg_data_home;   /* $ATMOS_XDG_DATA_HOME */
    const char *realm;                 /* $ATMOS_AUTH_REALM */
    const char *keyring_type;          /* $ATMOS_KEYRING_TYPE */
    const char *docker_config;         /* $DOCKER_CONFIG: docker's config directory */
    const char *aws_config_file;       /* $AWS_CONFIG_FILE: the AWS CLI's config */
    /* Signing out of IAM Identity Center (AWS SDK and libcurl conventions). */
    const char *aws_endpoint_url_sso; /* $AWS_ENDPOINT_URL_SSO */
    const char *aws_endpoint_url;     /* $AWS_ENDPOINT_URL */
    const char *aws_ca_bundle;        /* $AWS_CA_BUNDLE: trust these CAs instead of the system's */
    const char *https_proxy;          /* $HTTPS_PROXY or $https_proxy */
    const char *no_proxy;             /* $NO_PROXY or $no_proxy */
};

#ifndef ATMOS_SYSTEM_CONFIG
#define ATMOS_SYSTEM_CONFIG "/usr/local/etc/atmos/atmos.yaml"
#endif

/* Fill from the process environment (getenv); strings are not copied. */
void atmos_env_from_environ(struct atmos_env *env);

#include <stddef.h>

/* A path under `home` shown as ~/...; returns `path` itself when not under it. */
const char *atmos_tilde(const char *home, const char *path, char *buf, size_t len);

#endif

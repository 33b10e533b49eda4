/*
 * The environment the engine works in, captured once by the caller.
 *
 * The engine never calls getenv() for paths: the CLI fills this from its
 * environment (atmos_env_from_environ), the PAM helper from the passwd entry
 * and its arguments.  Empty values and
 * relative XDG paths count as unset (XDG Base Directory rules).
 */
#ifndef ATMOS_ENV_H
#define ATMOS_ENV_H

#include <stddef.h>

#define ATMOS_ENV_VARS 16

struct atmos_env_var {
    const char *name;
    const char *value;
};

struct atmos_env {
    const char *home;                  /* required, absolute */
    const char *cwd;                   /* for ./atmos.yaml; NULL to skip */
    const char *system_config;         /* /usr/local/etc/atmos/atmos.yaml */
    const char *cli_config_path;       /* $ATMOS_CLI_CONFIG_PATH */
    const char *git_root_basepath;     /* $ATMOS_GIT_ROOT_BASEPATH: "false" skips the git root */
    const char *xdg_config_home;       /* $XDG_CONFIG_HOME */
    const char *atmos_xdg_config_home; /* $ATMOS_XDG_CONFIG_HOME */
    const char *xdg_cache_home;        /* $XDG_CACHE_HOME */
    const char *atmos_xdg_cache_home;  /* $ATMOS_XDG_CACHE_HOME */
    const char *xdg_data_home;         /* $XDG_DATA_HOME */
    const char *atmos_xdg_data_home;   /* $ATMOS_XDG_DATA_HOME */
    const char *realm;                 /* $ATMOS_AUTH_REALM */
    const char *profile;               /* $ATMOS_PROFILE or --profile: comma-separated */
    const char *keyring_type;          /* $ATMOS_KEYRING_TYPE */
    const char *keyring_file_path;     /* $ATMOS_KEYRING_FILE_PATH: the file keyring's directory */
    const char *https_proxy;           /* $HTTPS_PROXY or $https_proxy */
    const char *no_proxy;              /* $NO_PROXY or $no_proxy */
    /* Signing out, when set: they win over what a cloud reads from its own
     * variables (the PAM helper sets them from root's configuration only). */
    const char *signout_endpoint;  /* where a sign-out goes instead of the cloud's endpoint */
    const char *signout_ca_bundle; /* trust these CAs instead of the system's */
    /* The variables the clouds declare they read (each cloud's own file), by name. */
    struct atmos_env_var vars[ATMOS_ENV_VARS];
    size_t nvars;
};

#ifndef ATMOS_SYSTEM_CONFIG
#define ATMOS_SYSTEM_CONFIG "/usr/local/etc/atmos/atmos.yaml"
#endif

/*
 * Fill from the process environment (getenv), every cloud's variables
 * included: the one place the engine reads it.  Strings are not copied.
 */
void atmos_env_from_environ(struct atmos_env *env);
/* The i-th variable (from 0; NULL past the last) a cloud reads to reach its servers
 * (an endpoint, a CA bundle), which a caller switching users may keep. */
const char *atmos_env_transport_var(size_t i);
/* A cloud's variable `name`: NULL when unset, empty or not captured. */
const char *atmos_env_get(const struct atmos_env *env, const char *name);

/*
 * The ATMOS_* variables that atmos takes from the env: section of its base
 * configuration when the environment does not set them (pkg/config/load.go
 * promoteAtmosEnvFromConfig) and that move what a logout finds: the profile,
 * the realm, the XDG roots and the keyring.
 */
#define ATMOS_ENV_PROMOTED 7
/* The i-th of them (from 0; NULL past the last). */
const char *atmos_env_promoted_name(size_t i);
/* Set each of them that `env` leaves unset (NULL) to values[i], when not NULL:
 * the environment wins (pkg/env/promote.go).  The strings are not copied.
 * Returns which were set (bit i: the i-th). */
unsigned atmos_env_promote(struct atmos_env *env, char *const values[ATMOS_ENV_PROMOTED]);

/* A path under `home` shown as ~/...; returns `path` itself when not under it. */
const char *atmos_tilde(const char *home, const char *path, char *buf, size_t len);

#endif

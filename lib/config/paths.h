/*
 * atmos's own base directories.  All results are malloc'd absolute paths
 * (NULL on allocation failure).
 */
#ifndef ATMOS_PATHS_H
#define ATMOS_PATHS_H

#include <atmos/config.h>
#include <atmos/env.h>

/* ${ATMOS_XDG_CONFIG_HOME:-${XDG_CONFIG_HOME:-$HOME/.config}}/atmos */
char *atmos_path_atmos_config(const struct atmos_env *env);
/* ${ATMOS_XDG_CACHE_HOME:-${XDG_CACHE_HOME:-$HOME/.cache}}/atmos */
char *atmos_path_atmos_cache(const struct atmos_env *env);
/* ${ATMOS_XDG_DATA_HOME:-${XDG_DATA_HOME:-$HOME/.local/share}}/atmos */
char *atmos_path_atmos_data(const struct atmos_env *env);
/*
 * <root>/[<realm>/][<sub>/][<name>]: the layout every realm-scoped directory of
 * atmos's has.  realm, sub and name may be NULL (left out); NULL when root is.
 */
char *atmos_path_realm_dir(const char *root, const char *realm, const char *sub, const char *name);
/*
 * 1 when `path` is one of atmos's own config, cache or data directories or
 * lies below one, judged on the text (a ".." component is never inside).
 */
int atmos_path_in_atmos_dirs(const struct atmos_env *env, const char *path);

#endif

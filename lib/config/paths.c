/*
 * atmos's own base directories (XDG); each cloud's layout below them is in
 * its own file (clouds/aws/paths.c, ...).
 */
#include <stdlib.h>
#include <string.h>

#include "base/strings.h"
#include "config/paths.h"

/* XDG Base Directory: an empty or relative value is ignored. */
static const char *xdg(const char *v)
{
    return v && v[0] == '/' ? v : NULL;
}

char *atmos_path_atmos_config(const struct atmos_env *env)
{
    const char *cfg_home = xdg(env->atmos_xdg_config_home);
    if (cfg_home == NULL)
        cfg_home = xdg(env->xdg_config_home);
    return cfg_home ? atmos_path_join(cfg_home, "atmos")
                    : atmos_path_join(env->home, ".config/atmos");
}

/* ${ATMOS_XDG_CACHE_HOME:-${XDG_CACHE_HOME:-~/.cache}}/atmos (pkg/xdg/xdg.go getXDGDir). */
char *atmos_path_atmos_cache(const struct atmos_env *env)
{
    const char *c = xdg(env->atmos_xdg_cache_home);
    if (c == NULL)
        c = xdg(env->xdg_cache_home);
    return c ? atmos_path_join(c, "atmos") : atmos_path_join(env->home, ".cache/atmos");
}

/* ${ATMOS_XDG_DATA_HOME:-${XDG_DATA_HOME:-~/.local/share}}/atmos (pkg/xdg/xdg.go GetXDGDataDir). */
char *atmos_path_atmos_data(const struct atmos_env *env)
{
    const char *d = xdg(env->atmos_xdg_data_home);
    if (d == NULL)
        d = xdg(env->xdg_data_home);
    return d ? atmos_path_join(d, "atmos") : atmos_path_join(env->home, ".local/share/atmos");
}

/* `path` is `dir` or below it, and names no ".." or "." component. */
static int below(const char *path, const char *dir)
{
    size_t n = dir ? strlen(dir) : 0;
    while (n > 1 && dir[n - 1] == '/')
        n--;
    if (n == 0 || strncmp(path, dir, n) != 0 || (path[n] != '\0' && path[n] != '/'))
        return 0;
    for (const char *p = path; (p = strchr(p, '/')) != NULL; p++)
        if (p[1] == '.' && (p[2] == '\0' || p[2] == '/' || (p[2] == '.' && (p[3] == '\0' || p[3] == '/'))))
            return 0;
    return 1;
}

int atmos_path_in_atmos_dirs(const struct atmos_env *env, const char *path)
{
    char *dirs[3] = {atmos_path_atmos_config(env), atmos_path_atmos_cache(env),
                     atmos_path_atmos_data(env)};
    int in = 0;
    for (int i = 0; i < 3; i++) {
        in = in || (path && below(path, dirs[i]));
        free(dirs[i]);
    }
    return in;
}

/*
 * <root>/[<realm>/][<sub>/][<name>]: atmos joins these with Go's filepath.Join,
 * which drops an empty element, so no realm means the realm-less layout
 * (pkg/auth/cloud/aws/files.go GetCredentialsPath, cloud/gcp/files.go,
 * cloud/azure/files.go, identities/emulator/identity.go kubeconfigPath).
 */
char *atmos_path_realm_dir(const char *root, const char *realm, const char *sub, const char *name)
{
    if (root == NULL)
        return NULL;
    size_t n = strlen(root);
    while (n > 1 && root[n - 1] == '/')
        n--;
    const char *part[3] = {realm, sub, name};
    struct atmos_buf b = {0};
    int rc = atmos_buf_append(&b, root, n);
    for (size_t i = 0; rc == 0 && i < 3; i++)
        if (part[i] && *part[i])
            rc = atmos_buf_printf(&b, "/%s", part[i]);
    if (rc != 0 || b.data == NULL) {
        atmos_buf_free(&b);
        return NULL;
    }
    return b.data;
}

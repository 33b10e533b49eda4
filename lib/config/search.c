/*
 * Where atmos looks for atmos.yaml, in its order (pkg/config/load.go): the
 * search path a load reads, and the git root that --config-less runs and
 * imports start from.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"
#include "config/internal.h"

/* These three return ATMOS_OK, or ATMOS_ENOMEM. */
static int push_source(struct atmos_source_list *l, const char *path, enum atmos_source_kind kind,
                       unsigned flags)
{
    struct atmos_source *v = realloc(l->v, (l->n + 1) * sizeof(*v));
    if (v == NULL)
        return ATMOS_ENOMEM;
    l->v = v;
    if ((v[l->n].path = strdup(path)) == NULL)
        return ATMOS_ENOMEM;
    v[l->n].flags = flags;
    v[l->n++].kind = kind;
    return ATMOS_OK;
}

static int push_joined(struct atmos_source_list *l, const char *dir, const char *rel,
                       enum atmos_source_kind kind)
{
    char *p = atmos_path_join(dir, rel);
    int rc = p ? push_source(l, p, kind, 0) : ATMOS_ENOMEM;
    free(p);
    return rc;
}

/* hasLocalAtmosConfig (pkg/config/git_root.go): any of these in the CWD stops the searches above
 * it. */
static int local_config(const char *cwd)
{
    static const char *const names[] = {"atmos.yaml", ".atmos.yaml", ".atmos", ".atmos.d",
                                        "atmos.d"};
    struct stat st;
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        char *p = atmos_path_join(cwd, names[i]);
        int found = p && stat(p, &st) == 0;
        free(p);
        if (found)
            return 1;
    }
    return 0;
}

/*
 * Steps 4 and 5 of atmos's search (load.go readParentDirConfig,
 * findAtmosConfigInParentDirs, readGitRootConfig): the nearest parent of the
 * CWD holding atmos.yaml or .atmos.yaml (only atmos.yaml is read: viper looks
 * for the name "atmos"), then the git root's atmos.yaml; neither with
 * $ATMOS_CLI_CONFIG_PATH set or a configuration in the CWD itself.  What is
 * found is read like every file of the search path (as root: root's alone).
 */
static int above_cwd(struct atmos_source_list *l, const struct atmos_env *env)
{
    if ((env->cli_config_path && *env->cli_config_path) || env->cwd[0] != '/' ||
        local_config(env->cwd))
        return ATMOS_OK;
    int bad = 0;
    char *dir = strdup(env->cwd), *parent = NULL;
    if (dir == NULL)
        return ATMOS_ENOMEM;
    while (!bad && parent == NULL && strcmp(dir, "/") != 0) {
        char *slash = strrchr(dir, '/');
        if (slash == dir)
            dir[1] = '\0'; /* "/a": its parent is "/" */
        else
            *slash = '\0';
        char *yaml = atmos_path_join(dir, "atmos.yaml"), *dot = atmos_path_join(dir, ".atmos.yaml");
        struct stat st;
        int has_yaml = yaml && stat(yaml, &st) == 0, has_dot = dot && stat(dot, &st) == 0;
        bad |= yaml == NULL || dot == NULL;
        if (!bad && (has_yaml || has_dot) && (parent = strdup(dir)) == NULL)
            bad = 1;
        if (!bad && has_yaml)
            bad |= push_source(l, yaml, ATMOS_SOURCE_OPTIONAL, ATMOS_SOURCE_ABOVE);
        free(yaml);
        free(dot);
    }
    free(dir);
    /* The git root, unless it is the CWD (read next anyway) or the parent just read. */
    char *root = env->git_root_basepath && strcmp(env->git_root_basepath, "false") == 0
                     ? NULL
                     : atmos_config_git_root(env->cwd);
    char *at_root = root ? atmos_path_join(root, "atmos.yaml") : NULL;
    bad |= root && at_root == NULL;
    if (!bad && root && strcmp(root, env->cwd) != 0 && !(parent && strcmp(root, parent) == 0))
        bad |= push_source(l, at_root, ATMOS_SOURCE_OPTIONAL, ATMOS_SOURCE_ABOVE);
    free(at_root);
    free(root);
    free(parent);
    return bad ? ATMOS_ENOMEM : ATMOS_OK;
}

int atmos_config_search_path(struct atmos_source_list *out, const struct atmos_env *env,
                             unsigned flags, const char *explicit_path, struct atmos_err *err)
{
    static const struct atmos_env none;
    struct atmos_source_list l = {0};
    int bad = 0;
    if ((flags & ATMOS_SEARCH_EXPLICIT_ONLY) && explicit_path) {
        flags = 0;
        env = &none; /* no system file, no home: the explicit path alone */
    }
    if (env->system_config && *env->system_config)
        bad |= push_source(&l, env->system_config, ATMOS_SOURCE_OPTIONAL, ATMOS_SOURCE_PLAIN);
    if (env->home && *env->home)
        bad |= push_joined(&l, env->home, ".atmos/atmos.yaml", ATMOS_SOURCE_OPTIONAL);
    if ((flags & ATMOS_SEARCH_CWD) && env->cwd && *env->cwd) {
        bad |= above_cwd(&l, env);
        bad |= push_joined(&l, env->cwd, "atmos.yaml", ATMOS_SOURCE_OPTIONAL);
    }
    if ((flags & ATMOS_SEARCH_ENVPATH) && env->cli_config_path && *env->cli_config_path) {
        /* A directory holding atmos.yaml, or the file itself. */
        struct stat st;
        if (stat(env->cli_config_path, &st) == 0 && S_ISDIR(st.st_mode))
            bad |= push_joined(&l, env->cli_config_path, "atmos.yaml", ATMOS_SOURCE_REQUIRED);
        else
            bad |= push_source(&l, env->cli_config_path, ATMOS_SOURCE_REQUIRED, 0);
    }
    if (explicit_path)
        bad |= push_source(&l, explicit_path, ATMOS_SOURCE_REQUIRED, ATMOS_SOURCE_ARGUMENT);
    if (bad) {
        atmos_source_list_free(&l);
        return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    }
    *out = l;
    return ATMOS_OK;
}

void atmos_source_list_free(struct atmos_source_list *list)
{
    for (size_t i = 0; i < list->n; i++)
        free(list->v[i].path);
    free(list->v);
    list->v = NULL;
    list->n = 0;
}

char *atmos_config_git_root(const char *cwd)
{
    char *dir = cwd && cwd[0] == '/' ? strdup(cwd) : NULL;
    while (dir) {
        struct stat st;
        char *g = atmos_path_join(dir, ".git");
        /* As root, a .git of anyone else's (one planted in /tmp, say) does not move where
         * imports are looked up: what the imports then name is trust-checked anyway, but the
         * choice of directory must not be a user's either. */
        int found = g && lstat(g, &st) == 0 && (geteuid() != 0 || st.st_uid == 0);
        free(g);
        char *slash = strrchr(dir, '/');
        if (found || slash == NULL || slash == dir) {
            if (!found) {
                free(dir);
                dir = NULL;
            }
            break;
        }
        *slash = '\0';
    }
    return dir;
}

/*
 * The directories whose atmos.yaml may own a realm found elsewhere: the
 * working directory and each of its parents (atmos searches upwards for one),
 * ~/.atmos, and the home's own subdirectories that hold an atmos.yaml (the
 * common ~/infra, ~/work/...: one level, at most MAX_HOME entries looked at).
 * Only their names are hashed (atmos_realm_of_dir); the only look inside is
 * whether <dir>/atmos.yaml exists, and a symlink in the home is never
 * followed for that.
 */
#include <dirent.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "elsewhere.h"

#define MAX_DIRS 512
#define MAX_HOME 2000

struct dirs {
    char *v[MAX_DIRS];
    size_t n;
};

static void add(struct dirs *d, char *dir)
{
    if (dir && d->n < MAX_DIRS)
        d->v[d->n++] = dir;
    else
        free(dir);
}

static void cwd_and_parents(struct dirs *d, const char *cwd)
{
    char *p = cwd && cwd[0] == '/' ? strdup(cwd) : NULL;
    while (p) {
        add(d, strdup(p));
        char *slash = strrchr(p, '/');
        if (slash == p || slash == NULL)
            break;
        *slash = '\0';
    }
    free(p);
}

static void home_projects(struct dirs *d, const char *home)
{
    DIR *dir = home ? opendir(home) : NULL;
    struct dirent *e;
    size_t seen = 0;
    char path[4096];
    struct stat st;
    while (dir && seen++ < MAX_HOME && (e = readdir(dir)) != NULL) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        /* A directory of the home itself, never through a symlink (a name is all we take). */
        if (snprintf(path, sizeof(path), "%s/%s", home, e->d_name) >= (int)sizeof(path) ||
            lstat(path, &st) != 0 || !S_ISDIR(st.st_mode))
            continue;
        if (snprintf(path, sizeof(path), "%s/%s/atmos.yaml", home, e->d_name) >= (int)sizeof(path))
            continue;
        if (lstat(path, &st) == 0 && S_ISREG(st.st_mode)) {
            *strrchr(path, '/') = '\0';
            add(d, strdup(path));
        }
    }
    if (dir)
        closedir(dir);
}

void atmos_cli_find_elsewhere(struct atmos_plan *plan, const struct atmos_config *cfg,
                              const struct atmos_env *env, const struct atmos_plan_opts *opts)
{
    struct atmos_counts c;
    if ((plan->scope != ATMOS_SCOPE_IDENTITY && plan->scope != ATMOS_SCOPE_PROVIDER &&
         plan->scope != ATMOS_SCOPE_ALL) ||
        plan->discovered || (plan->scope != ATMOS_SCOPE_ALL && plan->target == NULL))
        return; /* several identities: each is named, the search is for one */
    atmos_plan_count(plan, &c);
    if (c.removed || c.failed) /* removed counts what a dry run would remove */
        return;
    struct dirs d = {.n = 0};
    cwd_and_parents(&d, env->cwd);
    if (env->home) {
        char dot[4096];
        snprintf(dot, sizeof(dot), "%s/.atmos", env->home);
        add(&d, strdup(dot));
    }
    home_projects(&d, env->home);
    atmos_plan_find_elsewhere(plan, cfg, env, opts, d.v, d.n);
    for (size_t i = 0; i < d.n; i++)
        free(d.v[i]);
}

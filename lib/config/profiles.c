/*
 * Profiles (pkg/config/profiles.go): --profile / $ATMOS_PROFILE, else
 * profiles.default; each profile's files, their imports before them.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"
#include "config/internal.h"
#include "config/load.h"
#include "config/paths.h"
#include "formats/dotenv.h"

/* profiles/<name>/ in the first place that has it (profiles.go discoverProfileLocations). */
static char *profile_dir(struct loader *L, const char *name, struct atmos_buf *looked)
{
    char *cfgdir = atmos_path_atmos_config(L->env);
    const char *rd = L->realm_dir;
    char *locs[4] = {
        L->profiles_base ? strdup(L->profiles_base) : NULL,
        rd ? atmos_path_join(rd, ".atmos/profiles") : NULL,
        cfgdir ? atmos_path_join(cfgdir, "profiles") : NULL,
        rd ? atmos_path_join(rd, "profiles") : NULL,
    };
    char *out = NULL;
    for (size_t i = 0; i < 4; i++) {
        struct stat st;
        char *p = locs[i] ? atmos_path_join(locs[i], name) : NULL;
        if (locs[i])
            atmos_buf_printf(looked, "%s%s", looked->len ? ", " : "", locs[i]);
        if (out == NULL && p && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            out = p, p = NULL;
        free(p);
        free(locs[i]);
    }
    free(cfgdir);
    return out;
}

/* Every *.yaml|yml of the profile, each after its own imports (mergeConfigFileWithImports). */
static int load_profile(struct loader *L, const char *name)
{
    struct atmos_buf looked = {0};
    struct found f = {0};
    int rc = ATMOS_OK;
    if (*name == '.' || strchr(name, '/'))
        return atmos_fail(L->err, ATMOS_EINVAL, "profile \"%s\": not a profile name", name);
    char *dir = profile_dir(L, name, &looked);
    if (dir == NULL)
        rc = atmos_fail(L->err, ATMOS_EINVAL, "profile \"%s\" not found (looked in %s)", name,
                        looked.data ? looked.data : "no place");
    atmos_buf_free(&looked);
    if (rc == ATMOS_OK)
        rc = atmos_config_list_yaml(L, dir, &f);
    for (size_t i = 0; rc == ATMOS_OK && i < f.n; i++) {
        struct group g = {0};
        size_t k;
        int st = atmos_config_add_file(L, &g, f.v[i], 0, &k);
        if (st == ATMOS_OK && atmos_config_push_index(&g.idents, &g.nidents, 0) == 0) {
            rc = atmos_config_group_imports(L, &g, 1);
            if (rc == ATMOS_OK && atmos_config_push_index(&g.settings, &g.nsettings, 0) != 0)
                rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
            if (rc == ATMOS_OK)
                rc = atmos_config_apply_group(L, &g, 0);
        } else if (st != ATMOS_ABSENT) {
            rc = st == ATMOS_OK ? atmos_fail(L->err, ATMOS_ENOMEM, "out of memory") : st;
        }
        atmos_config_group_free(&g);
    }
    atmos_strv_free(f.v, f.n);
    free(dir);
    return rc;
}

/* --profile / $ATMOS_PROFILE (comma-separated, trimmed), else profiles.default. */
int atmos_config_load_profiles(struct loader *L)
{
    L->in_profiles = 1;
    /* Taken once: a profile's own profiles.default replaces L->profile_default under us. */
    const char *from = L->env->profile && *L->env->profile ? L->env->profile : L->profile_default;
    char *list = from ? strdup(from) : NULL;
    int rc = from && list == NULL ? atmos_fail(L->err, ATMOS_ENOMEM, "out of memory") : ATMOS_OK;
    for (const char *p = list; rc == ATMOS_OK && p && *p;) {
        size_t n = strcspn(p, ",");
        const char *s = p, *e = p + n;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s) {
            char *name = strndup(s, (size_t)(e - s));
            rc = name ? load_profile(L, name) : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
            free(name);
        }
        p += n + (p[n] == ',');
    }
    free(list);
    return rc;
}

/*
 * Applying one group of files in atmos's orders: settings lowest first and
 * the file again last, identities replaced whole, later winning (config/load.c
 * says the order); atmos.d/ and .atmos.d/ beside an atmos.yaml.
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

/* The last file of g (in settings order) that says `key`: atmos's merged value. */
static const struct file *last_saying(const struct group *g, size_t off)
{
    const struct file *out = NULL;
    for (size_t i = 0; i < g->nsettings; i++) {
        const struct file *f = &g->v[g->settings[i]];
        if (*(char *const *)((const char *)&f->meta + off))
            out = f;
    }
    return out;
}

/* ix[0] is not in ix[1..n): a file applied twice (the main file over its imports) has its
 * env: read once, where it wins. */
static int last_use(const size_t *ix, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (ix[k] == ix[0])
            return 0;
    return 1;
}

/* Merge a group: settings in their order, identities in theirs. */
int atmos_config_apply_group(struct loader *L, struct group *g, int main_fails)
{
    int rc = ATMOS_OK;
    for (int pass = 0; pass < 2 && rc == ATMOS_OK; pass++) {
        size_t n = pass ? g->nidents : g->nsettings;
        const size_t *ix = pass ? g->idents : g->settings;
        for (size_t i = 0; rc == ATMOS_OK && i < n; i++) {
            struct file *f = &g->v[ix[i]];
            if (f->unusable)
                continue;
            if (!pass && !L->in_profiles && last_use(ix + i, n - i) &&
                (rc = atmos_config_env_section(L, f)) != ATMOS_OK)
                break;
            rc = atmos_config_apply(L->cfg, f->path, f->tree.root,
                                    pass ? ATMOS_APPLY_IDENTITIES : ATMOS_APPLY_SETTINGS, L->err);
            if (pass) /* its last use: the configuration keeps copies, the peak drops */
                atmos_yaml_free(&f->tree);
            /* A file of atmos.d or an import that cannot be used is left out, loudly, once. */
            if (rc == ATMOS_EINVAL && !(main_fails && ix[i] == 0)) {
                warn(L, L->err->msg);
                f->unusable = 1;
                rc = ATMOS_OK;
            }
        }
    }
    const struct file *pd = last_saying(g, offsetof(struct atmos_file_meta, profile_default));
    const struct file *pb = last_saying(g, offsetof(struct atmos_file_meta, profiles_base_path));
    if (rc == ATMOS_OK && pd) {
        free(L->profile_default);
        if ((L->profile_default = strdup(pd->meta.profile_default)) == NULL)
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    }
    if (rc == ATMOS_OK && pb) {
        /* Relative to the directory of the file that set it (profiles.go). */
        char *dir = atmos_config_dir_of(pb->path);
        free(L->profiles_base);
        L->profiles_base = dir && pb->meta.profiles_base_path[0] != '/'
                               ? atmos_path_join(dir, pb->meta.profiles_base_path)
                               : strdup(pb->meta.profiles_base_path);
        free(dir);
        if (L->profiles_base == NULL)
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    }
    return rc;
}

/* atmos.d/ then .atmos.d/ beside the file (loadAtmosDFromDirectory): settings before it. */
int atmos_config_atmos_d(struct loader *L, struct group *g, const char *dir)
{
    static const char *const subs[] = {"atmos.d", ".atmos.d"};
    int rc = ATMOS_OK;
    for (size_t s = 0; rc == ATMOS_OK && s < 2; s++) {
        struct found f = {0};
        char *d = atmos_path_join(dir, subs[s]);
        rc = d ? atmos_config_list_yaml(L, d, &f)
               : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        for (size_t i = 0; rc == ATMOS_OK && i < f.n; i++) {
            size_t k;
            int st = atmos_config_add_file(L, g, f.v[i], 0, &k);
            if (st != ATMOS_OK && st != ATMOS_ABSENT)
                rc = st;
            else if (st == ATMOS_OK && (atmos_config_push_index(&g->settings, &g->nsettings, k) ||
                                        atmos_config_push_index(&g->idents, &g->nidents, k)))
                rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        }
        atmos_strv_free(f.v, f.n);
        free(d);
    }
    return rc;
}

/*
 * Loading a configuration as atmos does (cloudposse/atmos pkg/config/load.go,
 * read at 0a1cb448; docs/atmos-facts.md §1): each atmos.yaml of the search
 * path with the atmos.d/ and .atmos.d/ beside it, its local imports and the
 * provisioned identities of its providers, then the profiles.
 *
 * Order, for one atmos.yaml (processConfigImportsAndReapply):
 *  - settings (providers, integrations, realm, keyring), lowest first:
 *    atmos.d/ (every *.yaml below), .atmos.d/ (every *.yaml below), the file, its imports
 * (provisioned first, a nested import right after the file that imports it), the file again;
 *  - identities, replaced whole, later winning (fixAuthIdentities walks the
 *    files in the order they were tracked): the file, atmos.d/ (every *.yaml below),
 *    .atmos.d/ (every *.yaml below), the imports.
 * Profiles come after every atmos.yaml, each file's imports before it.
 *
 * MUST: every file goes through atmos_config_open_file (as root: root's alone,
 * no symbolic link on the way); a directory is listed from a descriptor
 * opened the same way; remote imports are never fetched; the number of
 * files, the depth of imports and the walk of a glob are bounded; an import
 * cycle ends at the file that repeats; a file we cannot use is named in a
 * warning and the rest still loads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/internal.h"
#include "config/load.h"
#include "base/strings.h"
#include "config/paths.h"

/* --- the whole load -------------------------------------------------------- */

/* atmos's default realm: 16 hex digits of sha256 of the lowercased directory (auth_realm.go). */
void atmos_realm_of_dir(const char *dir, char out[17])
{
    char *c = atmos_config_clean_path(dir);
    atmos_ascii_lower_str(c);
    atmos_sha256_hex16(c ? c : "", c ? strlen(c) : 0, out);
    free(c);
}

/* atmos's CliConfigPath (load.go LoadConfig): the directory of the file, absolute; for --config as
 * given. */
static int note_realm_dir(struct loader *L, const struct atmos_source *s)
{
    char *dir = atmos_config_dir_of(s->path), *abs = NULL;
    if (dir && dir[0] != '/' && !(s->flags & ATMOS_SOURCE_ARGUMENT) && L->env->cwd)
        abs = atmos_path_join(L->env->cwd, dir);
    free(L->realm_dir);
    L->realm_dir = abs ? abs : dir;
    if (abs)
        free(dir);
    return L->realm_dir ? ATMOS_OK : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
}

/* One atmos.yaml of the search path with its atmos.d, imports and provisioned identities. */
static int load_main(struct loader *L, const struct atmos_source *s)
{
    struct group g = {0};
    int required = s->kind == ATMOS_SOURCE_REQUIRED;
    struct stat st;
    /* A file atmos finds in a directory above the CWD may be anyone's (a /tmp/atmos.yaml):
     * a logout acts only on configuration its user or root wrote. */
    if ((s->flags & ATMOS_SOURCE_ABOVE) && stat(s->path, &st) == 0 && st.st_uid != geteuid() &&
        st.st_uid != 0) {
        atmos_log(L->lg, ATMOS_LOG_WARN, "%s: not read: owned by uid %lu, not by you or root",
                  s->path, (unsigned long)st.st_uid);
        return ATMOS_OK;
    }
    size_t k;
    int rc = atmos_config_add_file(L, &g, s->path, 1, &k);
    if (rc == ATMOS_ENOCONFIG && !required) {
        rc = ATMOS_OK; /* not there: fine on the search path */
        goto done;
    }
    /*
     * Root refused a file it does not own (config/trust.c): a file found on
     * the search path is skipped, loudly, and root's own files still apply;
     * a file root named (--config, $ATMOS_CLI_CONFIG_PATH) fails the load, as
     * a missing one does: acting on another configuration than the one asked
     * for could remove what was not meant.
     */
    if (rc == ATMOS_EREFUSED && !required) {
        warn(L, L->err->msg);
        rc = ATMOS_OK;
        goto done;
    }
    if (rc == ATMOS_ENOCONFIG)
        rc = ATMOS_EINVAL; /* a file the user named must exist */
    if (rc != ATMOS_OK || (rc = note_realm_dir(L, s)) != ATMOS_OK)
        goto done;
    char *dir = atmos_config_dir_of(g.v[0].path);
    if (dir == NULL || atmos_config_push_index(&g.idents, &g.nidents, 0) != 0) {
        free(dir);
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        goto done;
    }
    /* The system file is read without its imports and atmos.d (readSystemConfig); a
     * --config file without atmos.d (mergeDefaultImports wants a directory). */
    if (!(s->flags & (ATMOS_SOURCE_PLAIN | ATMOS_SOURCE_ARGUMENT)))
        rc = atmos_config_atmos_d(L, &g, dir);
    free(dir);
    size_t upto = g.n;
    if (rc == ATMOS_OK && atmos_config_push_index(&g.settings, &g.nsettings, 0) != 0)
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    if (rc == ATMOS_OK && !(s->flags & ATMOS_SOURCE_PLAIN))
        rc = atmos_config_group_imports(L, &g, upto);
    /* The file again over its imports (it wins over what it imports). */
    if (rc == ATMOS_OK && g.nsettings > 1 && atmos_config_push_index(&g.settings, &g.nsettings, 0) != 0)
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    if (rc == ATMOS_OK)
        rc = atmos_config_apply_group(L, &g, 1);
done:
    atmos_config_group_free(&g);
    return rc;
}

static int derive_realm(struct loader *L)
{
    struct atmos_config *cfg = L->cfg;
    const char *env_realm = L->env->realm;
    if ((env_realm && *env_realm) || (cfg->realm.value && *cfg->realm.value))
        return ATMOS_OK; /* pinned: ATMOS_AUTH_REALM, then auth.realm (auth_realm.go setAuthRealm)
                          */
    char hex[17];
    free(cfg->realm.value);
    if (L->realm_dir)
        atmos_realm_of_dir(L->realm_dir, hex);
    cfg->realm.value = strdup(L->realm_dir ? hex : "default");
    free(cfg->realm_dir);
    cfg->realm_dir = L->realm_dir ? strdup(L->realm_dir) : NULL;
    cfg->realm.mark = (struct atmos_mark){0};
    cfg->realm.present = 0;
    cfg->realm_derived = 1;
    return cfg->realm.value ? ATMOS_OK : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
}

int atmos_config_read_logged(struct atmos_config **out, const struct atmos_source_list *sources,
                             const struct atmos_env *env, const struct atmos_logger *lg,
                             struct atmos_err *err)
{
    struct atmos_config *cfg = calloc(1, sizeof(*cfg));
    struct loader L = {.cfg = cfg, .env = env, .lg = lg, .err = err};
    int rc = cfg ? ATMOS_OK : atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == ATMOS_OK && i < sources->n; i++)
        rc = load_main(&L, &sources->v[i]);
    if (rc == ATMOS_OK && cfg->nsources == 0)
        rc = atmos_fail(err, ATMOS_ENOCONFIG, "no atmos.yaml found");
    /* The profiles, the realm and the keyring see what env: promotes. */
    struct atmos_env promoted = *env;
    unsigned set = cfg ? atmos_env_promote(&promoted, cfg->env_promoted) : 0;
    for (size_t i = 0; i < ATMOS_ENV_PROMOTED; i++)
        if (set & (1u << i))
            atmos_log(lg, ATMOS_LOG_DEBUG, "Promoted %s from the configuration's env: section",
                      atmos_env_promoted_name(i));
    L.env = &promoted;
    if (rc == ATMOS_OK)
        rc = atmos_config_load_profiles(&L);
    atmos_trust_release(&L.trust); /* every file is read */
    if (rc == ATMOS_OK)
        rc = derive_realm(&L);
    if (rc == ATMOS_OK)
        rc = atmos_config_validate(cfg, L.env, lg, err);
    if (rc == ATMOS_OK) {
        *out = cfg;
        cfg = NULL;
    }
    free(L.realm_dir);
    free(L.profile_default);
    free(L.profiles_base);
    atmos_config_free(cfg);
    return rc;
}

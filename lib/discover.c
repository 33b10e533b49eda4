/*
 * The discovered plan: what atmos wrote, found on disk, for a user with no
 * atmos.yaml on the search path (many keep it only inside a project).
 *
 *  - every provider directory under the atmos AWS base, with and without a realm:
 *      <config home>/atmos/aws/<provider>/  and  <config home>/atmos/<realm>/aws/<provider>/
 *  - atmos's SSO session cache files and provisioned-identities caches;
 *  - AWS CLI SSO tokens whose startUrl appears in atmos's own session cache.
 *
 * MUST: list directories through safefs descriptors only; take only names
 * that could be atmos's (valid realm and provider names); never read a file
 * larger than a cache file can be.
 */
#include <dirent.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "internal.h"
#include "keyring_internal.h"
#include "paths.h"
#include "plan_internal.h"
#include "safefs.h"
#include "ssocache.h"

typedef int (*entry_fn)(void *ctx, int dirfd, const char *dir, const char *name);

/* Call fn for every entry of `dir` (a missing directory has none). */
static int each_entry(const struct atmos_fs *fs, const char *dir, entry_fn fn, void *ctx,
                      const struct atmos_logger *lg)
{
    struct atmos_why why;
    int fd = -1, rc = 0;
    int r = atmos_fs_open_dir(fs, dir, &fd, &why);
    if (r == ATMOS_FS_ABSENT)
        return 0;
    if (r == ATMOS_FS_FAIL) {
        atmos_log(lg, ATMOS_LOG_WARN, "not searched: %s", why.msg);
        return 0;
    }
    DIR *d = fdopendir(fd);
    if (d == NULL) {
        close(fd);
        return 0;
    }
    struct dirent *de;
    while (rc == 0 && (de = readdir(d)) != NULL)
        if (de->d_name[0] != '.')
            rc = fn(ctx, dirfd(d), dir, de->d_name);
    closedir(d);
    return rc;
}

struct ctx {
    struct atmos_plan *plan;
    const struct atmos_env *env;
    struct atmos_fs fs;
    const struct atmos_logger *lg;
    char **urls; /* start URLs found in atmos's session cache */
    size_t nurls;
};

static int is_dir(const struct atmos_fs *fs, int dirfd, const char *name)
{
    struct stat st;
    struct atmos_why why;
    return atmos_fs_check(fs, dirfd, name, name, S_IFDIR, &st, &why) == ATMOS_FS_OK;
}

static int realm_like(const char *s)
{
    size_t n = strlen(s);
    if (n < 1 || n > 64)
        return 0;
    return strspn(s, "abcdefghijklmnopqrstuvwxyz0123456789_-") == n;
}

static int add_provider_dir(void *vc, int dirfd, const char *dir, const char *name)
{
    struct ctx *c = vc;
    if (!is_dir(&c->fs, dirfd, name))
        return 0;
    char *path = atmos_path_join(dir, name);
    if (path == NULL)
        return -1;
    struct atmos_item *it = atmos_plan_add_path(c->plan, ATMOS_ITEM_DIRECTORY,
                                                "provider directory", path, name);
    if (it == NULL)
        return -1;
    return atmos_strv_push(&c->plan->providers, &c->plan->nproviders, name);
}

/* <config home>/atmos/<entry>: "aws" is the realm-less base, <realm>/aws a realm's. */
static int add_base(void *vc, int dirfd, const char *dir, const char *name)
{
    struct ctx *c = vc;
    if (!realm_like(name) || !is_dir(&c->fs, dirfd, name))
        return 0;
    char *base = strcmp(name, "aws") == 0 ? atmos_path_join(dir, "aws")
                                          : atmos_strfmt("%s/%s/aws", dir, name);
    if (base == NULL)
        return -1;
    int rc = each_entry(&c->fs, base, add_provider_dir, c, c->lg);
    free(base);
    return rc;
}

/* The start URL an atmos session cache file names, if any (malloc'd). */
static char *session_url(const struct atmos_fs *fs, int dirfd, const char *name, const char *path)
{
    struct atmos_buf buf = {0};
    struct atmos_why why;
    struct stat st;
    char *url = NULL;
    if (atmos_fs_read(fs, dirfd, name, path, ATMOS_SSO_MAX_BYTES, &buf, &st, &why) != ATMOS_FS_OK)
        goto done;
    json_object *o = json_tokener_parse(buf.data ? buf.data : "");
    json_object *v = NULL;
    if (o && json_object_is_type(o, json_type_object) &&
        (json_object_object_get_ex(o, "startUrl", &v) ||
         json_object_object_get_ex(o, "start_url", &v)) &&
        json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
        url = strdup(json_object_get_string(v));
    json_object_put(o);
done:
    atmos_buf_free(&buf);
    return url;
}

static int add_session(void *vc, int dirfd, const char *dir, const char *name)
{
    struct ctx *c = vc;
    size_t n = strlen(name);
    if (n < 6 || strcmp(name + n - 5, ".json") != 0)
        return 0;
    char *path = atmos_path_join(dir, name);
    if (path == NULL)
        return -1;
    char *url = session_url(&c->fs, dirfd, name, path);
    if (url && atmos_strv_push(&c->urls, &c->nurls, url) != 0) {
        free(url);
        free(path);
        return -1;
    }
    free(url);
    return atmos_plan_add_path(c->plan, ATMOS_ITEM_FILE, "atmos SSO session", path, NULL) ? 0
                                                                                          : -1;
}

static int add_provisioned(void *vc, int dirfd, const char *dir, const char *name)
{
    struct ctx *c = vc;
    if (!is_dir(&c->fs, dirfd, name))
        return 0;
    char *path = atmos_strfmt("%s/%s/provisioned-identities.yaml", dir, name);
    if (path == NULL)
        return -1;
    struct atmos_item *it =
        atmos_plan_add_path(c->plan, ATMOS_ITEM_FILE, "provisioned identities", path, name);
    if (it == NULL)
        return -1;
    it->prune_parent = 1;
    return 0;
}

int atmos_plan_discover(struct atmos_plan *plan, const struct atmos_env *env,
                        const struct atmos_plan_opts *opts, struct atmos_err *err)
{
    const struct atmos_logger *lg = opts ? opts->log : NULL;
    struct ctx c = {plan, env, {env->home, geteuid()}, lg, NULL, 0};
    char *atmos_cfg = NULL, *sessions = NULL, *auth = NULL;
    int rc = ATMOS_ENOMEM;
    memset(plan, 0, sizeof(*plan));
    plan->scope = ATMOS_SCOPE_ALL;
    plan->discovered = 1;
    if (env->home == NULL || env->home[0] != '/') {
        rc = atmos_fail(err, ATMOS_EINVAL, "HOME is not set to an absolute path");
        goto done;
    }
    if ((plan->home = strdup(env->home)) == NULL)
        goto oom;
    /* <config home>/atmos is the default AWS base's grandparent, realm or not. */
    char *base = atmos_path_default_aws_base(env, NULL);
    char *slash = base ? strrchr(base, '/') : NULL;
    if (slash == NULL) {
        free(base);
        goto oom;
    }
    *slash = '\0';
    atmos_cfg = base;
    char *sess_file = atmos_path_sso_session(env, "", NULL);
    slash = sess_file ? strrchr(sess_file, '/') : NULL;
    if (slash)
        *slash = '\0';
    sessions = sess_file;
    char *prov = atmos_path_provisioned_dir(env, "x");
    slash = prov ? strrchr(prov, '/') : NULL;
    if (slash)
        *slash = '\0';
    auth = prov;
    if (!sessions || !auth)
        goto oom;

    if (each_entry(&c.fs, atmos_cfg, add_base, &c, lg) != 0 ||
        each_entry(&c.fs, sessions, add_session, &c, lg) != 0 ||
        each_entry(&c.fs, auth, add_provisioned, &c, lg) != 0)
        goto oom;
    atmos_strv_sort_unique(c.urls, &c.nurls);
    for (size_t i = 0; i < c.nurls; i++)
        if (atmos_plan_scan_aws_sso_cache(plan, env, c.urls[i], NULL, lg) != 0)
            goto oom;
    atmos_strv_sort_unique(plan->providers, &plan->nproviders);
    rc = ATMOS_OK;
    goto done;
oom:
    rc = atmos_fail(err, ATMOS_ENOMEM, "out of memory");
done:
    if (rc != ATMOS_OK)
        atmos_plan_free(plan);
    atmos_strv_free(c.urls, c.nurls);
    free(atmos_cfg);
    free(sessions);
    free(auth);
    return rc;
}

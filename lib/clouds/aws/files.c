/*
 * The AWS CLI's caches an SSO login leaves: its SSO tokens (~/.aws/sso/cache,
 * found by their start URL) and the role credentials botocore cached from
 * them (~/.aws/cli/cache, by botocore's cache key of each profile of the
 * AWS CLI config file using that start URL).  Both are another tool's files
 * under names not ours alone: planned as checked files, read again before
 * they are removed.
 *
 * MUST: read the AWS CLI cache and config through safefs only; take only a
 * token whose startUrl is the provider's; never change the config file.
 */
#include <dirent.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "clouds/aws/cli.h"
#include "base/limits.h"
#include "clouds/aws/files.h"
#include "clouds/aws/paths.h"
#include "clouds/aws/ssocache.h"
#include "base/strings.h"

/* The AWS CLI's files, checked again before they are removed. */
static int holds_token(const char *start_url, const char *data, size_t len)
{
    return atmos_sso_match(data, len, start_url) == ATMOS_SSO_MATCH;
}

static int holds_role_credentials(const char *arg, const char *data, size_t len)
{
    (void)arg;
    return atmos_sso_role_credentials(data, len);
}

const struct atmos_file_check atmos_aws_sso_token = {
    .name = "aws_sso_token", .max_bytes = ATMOS_TOKEN_FILE_MAX_BYTES, .holds = holds_token};
static const struct atmos_file_check role_credentials = {.name = "aws_role_credentials",
                                                         .max_bytes = ATMOS_TOKEN_FILE_MAX_BYTES,
                                                         .holds = holds_role_credentials};

/* Note `it` when it is new (items[before..]): one planned before is someone else's to sign out. */
int atmos_aws_note_token(struct atmos_cloud_ctx *c, struct atmos_aws_tokens *t, size_t before,
                         const struct atmos_item *it)
{
    if (it == NULL)
        return ATMOS_ENOMEM;
    size_t i = (size_t)(it - c->plan->items);
    if (!c->revoke || i < before)
        return ATMOS_OK;
    size_t *v = realloc(t->v, (t->n + 1) * sizeof(*v));
    if (v == NULL)
        return ATMOS_ENOMEM;
    t->v = v;
    v[t->n++] = i;
    return ATMOS_OK;
}

/* A CHECKED_FILE item for the AWS CLI's file `path`; takes ownership of `path`. */
struct atmos_item *atmos_aws_add_checked(struct atmos_cloud_ctx *c, const char *label, char *path,
                                         const struct atmos_file_check *check, const char *arg,
                                         const char *provider)
{
    struct atmos_item *it =
        atmos_cloud_add(c, ATMOS_ITEM_CHECKED_FILE, label, path, NULL, provider);
    if (it == NULL)
        return NULL;
    it->u.file.check = check;
    if (arg && it->u.file.arg == NULL && (it->u.file.arg = strdup(arg)) == NULL)
        return NULL;
    return it;
}

/* Every *.json in the AWS CLI cache that is a token for start_url. */
int atmos_aws_scan_sso_cache(struct atmos_cloud_ctx *c, const char *start_url, const char *provider,
                             struct atmos_aws_tokens *t)
{
    struct atmos_err why;
    char *dir = atmos_path_aws_sso_cache(c->env);
    int dfd = -1, rc = ATMOS_ENOMEM;
    DIR *d = NULL;
    if (dir == NULL)
        goto done;
    int r = atmos_fs_open_dir(&c->fs, dir, &dfd, &why);
    if (r != ATMOS_OK) {
        if (r == ATMOS_ESYS)
            atmos_log(c->lg, ATMOS_LOG_WARN, "not scanning the AWS CLI SSO cache: %s", why.msg);
        rc = 0;
        goto done;
    }
    if ((d = fdopendir(dfd)) == NULL) {
        rc = atmos_cloud_fail(c, ATMOS_ESYS, "%s: %s", dir, strerror(errno));
        goto done;
    }
    dfd = -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        size_t n = strlen(de->d_name);
        if (n < 6 || strcmp(de->d_name + n - 5, ".json") != 0 || de->d_name[0] == '.')
            continue;
        char *path = atmos_path_join(dir, de->d_name);
        struct atmos_buf buf = {0};
        struct stat st;
        if (path == NULL)
            goto done;
        r = atmos_fs_read(&c->fs, dirfd(d), de->d_name, path, ATMOS_TOKEN_FILE_MAX_BYTES, &buf, &st, &why);
        int mine = r == ATMOS_OK &&
                   atmos_sso_match(buf.data ? buf.data : "", buf.len, start_url) == ATMOS_SSO_MATCH;
        atmos_buf_free(&buf);
        if (r == ATMOS_ESYS)
            atmos_log(c->lg, ATMOS_LOG_DEBUG, "skipping %s", why.msg);
        if (!mine) {
            free(path);
            continue;
        }
        size_t before = c->plan->nitems;
        if (atmos_aws_note_token(c, t, before,
                                 atmos_aws_add_checked(c, "AWS CLI SSO token", path,
                                                       &atmos_aws_sso_token, start_url,
                                                       provider)) != ATMOS_OK)
            goto done;
    }
    rc = 0;
done:
    if (d)
        closedir(d);
    if (dfd >= 0)
        close(dfd);
    free(dir);
    return rc;
}

/* The AWS CLI config file: $AWS_CONFIG_FILE (absolute or ~/...), else ~/.aws/config. */
static char *awscli_config(const struct atmos_cloud_ctx *c)
{
    const char *f = atmos_env_get(c->env, "AWS_CONFIG_FILE");
    if (f && f[0] == '/')
        return strdup(f);
    if (f && f[0] == '~' && f[1] == '/')
        return atmos_strfmt("%s%s", c->env->home, f + 1);
    return atmos_path_join(c->env->home, ".aws/config");
}

/*
 * The role credentials the AWS CLI cached from a login to start_url: one file
 * per profile of its config file that uses that start URL (botocore's cache
 * key).  The config file is only read.
 */
int atmos_aws_add_role_credentials(struct atmos_cloud_ctx *c, const char *start_url,
                                   const char *provider)
{
    struct atmos_buf buf = {0};
    struct atmos_err why;
    struct stat st;
    const char *leaf;
    char **hexes = NULL;
    size_t n = 0;
    unsigned bad = 0;
    int dfd = -1, rc = ATMOS_ENOMEM;
    char *path = awscli_config(c);
    if (path == NULL)
        goto done;
    int r = atmos_fs_open_parent(&c->fs, path, &dfd, &leaf, &why);
    if (r == ATMOS_OK)
        r = atmos_fs_read(&c->fs, dfd, leaf, path, ATMOS_CACHE_MAX_BYTES, &buf, &st, &why);
    if (r != ATMOS_OK) {
        if (r == ATMOS_ESYS)
            atmos_log(c->lg, ATMOS_LOG_WARN, "AWS CLI role credentials not looked for: %s",
                      why.msg);
        rc = 0;
        goto done;
    }
    if (atmos_awscli_role_keys(buf.data ? buf.data : "", buf.len, start_url, &hexes, &n, &bad) != 0)
        goto done;
    if (bad) /* shown by default: the AWS CLI itself refuses such a file */
        atmos_log(c->lg, ATMOS_LOG_ERROR,
                  "%s:%u: not an INI line (the AWS CLI cannot read this file); profiles read "
                  "from the other lines",
                  path, bad);
    rc = 0;
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc =
            atmos_aws_add_checked(c, "AWS CLI role credentials",
                                  atmos_strfmt("%s/.aws/cli/cache/%s.json", c->env->home, hexes[i]),
                                  &role_credentials, NULL, provider)
                ? 0
                : ATMOS_ENOMEM;
done:
    atmos_strv_free(hexes, n);
    atmos_buf_free(&buf);
    if (dfd >= 0)
        close(dfd);
    free(path);
    return rc;
}

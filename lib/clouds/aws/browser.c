/*
 * AWS browser logins: what stays on disk after the browser has done its part.
 *
 *  - aws/user identity (its browser sign-in, the "webflow"): the refresh
 *    token and the DPoP key it is bound to, which mint new credentials for
 *    about 12 hours with no browser: <cache>/aws-webflow/<identity>-<realm>/
 *    refresh.json, its directory too once empty.  atmos's logout leaves it
 *    (identities/aws/webflow_cache.go getRefreshCachePath; deleteRefreshCache
 *    only runs when the server refuses a refresh).
 *  - aws/saml provider: saml2aws's browser state, the identity provider's
 *    cookies: ~/.aws/saml2aws/storageState.json.  saml2aws hardcodes that
 *    path (atmos only creates the directory, providers/aws/saml.go
 *    setupBrowserStorageDir), so it is one file for every aws/saml provider
 *    and for saml2aws run by hand: a logout of any aws/saml provider ends
 *    that browser session for all of them.  Only a Playwright storage state
 *    goes (checked again just before the unlink).
 *  - the legacy copy <cache>/aws-saml/<provider>/storageState.json: atmos
 *    before 26eb490099 (2026-04-10) pointed ~/.aws/saml2aws at that directory
 *    with a symlink; migrateLegacySymlink copies the file out and leaves it.
 *  - discovered: every <cache>/aws-webflow/<dir>/refresh.json and legacy
 *    <cache>/aws-saml/<dir>/storageState.json (atmos's cache, atmos's
 *    names).  Not ~/.aws/saml2aws: with no configuration nothing says
 *    atmos, not saml2aws alone, signed in there.
 *
 * MUST: reach every path through safefs (a symlink or FIFO in place of a
 * file or directory is refused, never followed or opened); read another
 * tool's file only up to its bound, and never log what it holds.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "clouds/aws/browser.h"
#include "base/limits.h"
#include "base/strings.h"
#include "config/paths.h"


int atmos_aws_is_storage_state(const char *data, size_t len)
{
    if (len > ATMOS_CACHE_MAX_BYTES)
        return 0;
    size_t skip = atmos_bom_len(data, len);
    json_tokener *tok = json_tokener_new();
    if (tok == NULL)
        return 0;
    json_object *o = json_tokener_parse_ex(tok, data + skip, (int)(len - skip));
    json_object *cookies = NULL;
    /* The whole file: json-c stops after the first value, and what follows it is not JSON. */
    size_t end = skip + json_tokener_get_parse_end(tok);
    while (end < len && strchr(" \t\r\n", data[end]) && data[end])
        end++;
    int ok = json_tokener_get_error(tok) == json_tokener_success && end == len &&
             json_object_is_type(o, json_type_object) &&
             json_object_object_get_ex(o, "cookies", &cookies) &&
             json_object_is_type(cookies, json_type_array);
    json_object_put(o);
    json_tokener_free(tok);
    return ok;
}

static int holds_state(const char *arg, const char *data, size_t len)
{
    (void)arg;
    return atmos_aws_is_storage_state(data, len);
}

static const struct atmos_file_check storage_state = {
    .name = "browser_state", .max_bytes = ATMOS_CACHE_MAX_BYTES, .holds = holds_state};

static struct atmos_item *add_state(struct atmos_cloud_ctx *c, char *path, const char *provider)
{
    struct atmos_item *it = atmos_cloud_add(c, ATMOS_ITEM_CHECKED_FILE,
                                            "browser session (IdP cookies)", path, NULL, provider);
    if (it == NULL)
        return NULL;
    it->u.file.check = &storage_state;
    it->browser = "IdP cookies";
    return it;
}

static char *cache_path(const struct atmos_cloud_ctx *c, const char *sub)
{
    char *cache = atmos_path_atmos_cache(c->env);
    char *out = cache ? atmos_path_join(cache, sub) : NULL;
    free(cache);
    return out;
}

/* webflow_cache.go: fmt.Sprintf("%s-%s", name, realm), so no realm leaves a trailing dash. */
int atmos_aws_add_refresh_token(struct atmos_cloud_ctx *c, const char *identity)
{
    char *base = cache_path(c, "aws-webflow");
    char *path =
        base ? atmos_strfmt("%s/%s-%s/refresh.json", base, identity, c->realm ? c->realm : "")
             : NULL;
    free(base);
    struct atmos_item *it = atmos_cloud_add(c, ATMOS_ITEM_FILE, "browser session (refresh token)",
                                            path, identity, NULL);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    it->browser = "refresh token";
    return ATMOS_OK;
}

int atmos_aws_add_saml_state(struct atmos_cloud_ctx *c, const char *provider)
{
    char *legacy = cache_path(c, "aws-saml");
    char *old = legacy ? atmos_strfmt("%s/%s/storageState.json", legacy, provider) : NULL;
    free(legacy);
    struct atmos_item *it = add_state(c, old, provider);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    /* Not realm- or provider-scoped: planned once however many providers share it. */
    return add_state(c, atmos_path_join(c->env->home, ".aws/saml2aws/storageState.json"), NULL)
               ? ATMOS_OK
               : ATMOS_ENOMEM;
}

static int found_token(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                       void *arg)
{
    (void)arg;
    if (atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return ATMOS_OK;
    struct atmos_item *it =
        atmos_cloud_add(c, ATMOS_ITEM_FILE, "browser session (refresh token)",
                        atmos_strfmt("%s/%s/refresh.json", dir, name), NULL, NULL);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    it->browser = "refresh token";
    return ATMOS_OK;
}

static int found_state(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                       void *arg)
{
    (void)arg;
    if (atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return ATMOS_OK;
    struct atmos_item *it = add_state(c, atmos_strfmt("%s/%s/storageState.json", dir, name), name);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    return ATMOS_OK;
}

int atmos_aws_discover_browser(struct atmos_cloud_ctx *c)
{
    char *webflow = cache_path(c, "aws-webflow"), *saml = cache_path(c, "aws-saml");
    int rc = ATMOS_ENOMEM;
    if (webflow && saml && (rc = atmos_cloud_each_entry(c, webflow, found_token, NULL)) == 0)
        rc = atmos_cloud_each_entry(c, saml, found_state, NULL);
    free(webflow);
    free(saml);
    return rc;
}

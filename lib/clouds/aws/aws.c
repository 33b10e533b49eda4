/*
 * AWS: what atmos and the AWS CLI keep of an AWS login.
 *
 *  - identity: [identity] of <dir>/credentials, [profile identity] of <dir>/config,
 *    for every provider directory <dir> of provider_dirs (<cfg>/[realm/]aws/<P>/,
 *    <base_path>/[realm/]aws/<P>/, the legacy ~/.aws/atmos/<P>/); an aws/user's
 *    browser refresh token (clouds/aws/browser.c);
 *  - provider: those directories, atmos's SSO session cache (and its legacy
 *    token), the provisioned identities cache, and the AWS CLI SSO tokens of
 *    the provider's start URL;
 *  - discovered: every provider directory under the atmos AWS base of every
 *    realm and under ~/.aws/atmos, atmos's session, legacy token and
 *    provisioned caches, and the AWS CLI tokens whose start URL atmos's own
 *    session cache names.
 *
 * MUST: read the AWS CLI cache through safefs only; take only a token whose
 * startUrl is the provider's (checked again before it is removed).
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clouds/cloud.h"
#include "base/limits.h"
#include "clouds/aws/browser.h"
#include "clouds/aws/files.h"
#include "clouds/aws/paths.h"
#include "clouds/aws/signout.h"
#include "clouds/aws/ssocache.h"
#include "base/strings.h"
#include "config/paths.h"

/* IAM user keys live in a provider directory of their own. */
#define AWS_USER_PROVIDER "aws-user"

/*
 * AWS's kinds (pkg/auth/factory).  github/oidc roots AWS roles whose files go
 * under the provider's name, as AWS SSO does; its keychain entries go with
 * every logout, as do those of the other ambient providers.  `atmos auth
 * console` opens the AWS console for chains rooted at aws/iam-identity-center,
 * aws/saml and aws/user (cmd/auth/console.go getConsoleProvider).
 */
static const struct atmos_kind kinds[] = {
    {.name = "aws/iam-identity-center", .roles = ATMOS_ROLE_PROVIDER, .flags = ATMOS_KIND_CONSOLE},
    {.name = "aws/saml", .roles = ATMOS_ROLE_PROVIDER, .flags = ATMOS_KIND_CONSOLE},
    {.name = "github/oidc", .roles = ATMOS_ROLE_PROVIDER, .flags = ATMOS_KIND_AMBIENT},
    {.name = "mock", .roles = ATMOS_ROLE_PROVIDER | ATMOS_ROLE_IDENTITY},
    {.name = "mock/aws", .roles = ATMOS_ROLE_PROVIDER | ATMOS_ROLE_IDENTITY},
    {.name = "aws/ambient",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_NOTHING_KEPT | ATMOS_KIND_STANDALONE},
    /* pkg/auth/identities/emulator/aws.go PostAuthenticate: the emulator's keys in
     * <cfg>/[realm/]aws/<identity>/ (its provider is itself); atmos's logout leaves them. */
    {.name = "aws/emulator",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_STANDALONE | ATMOS_KIND_OWN_DIRECTORY | ATMOS_KIND_EMULATOR},
    {.name = "aws/assume-role", .roles = ATMOS_ROLE_IDENTITY},
    {.name = "aws/assume-root", .roles = ATMOS_ROLE_IDENTITY},
    {.name = "aws/permission-set", .roles = ATMOS_ROLE_IDENTITY},
    {.name = "aws/user",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_STANDALONE | ATMOS_KIND_CONSOLE,
     .own_provider = AWS_USER_PROVIDER},
    /* Newer than the pinned atmos (v1.225.0 refuses it; cloudposse/atmos#3248): a standalone
     * identity running a credential_process helper, its session files under the provider
     * directory aws-credential-process (manager GetProviderForIdentity), as aws/user's. */
    {.name = "aws/credential-process",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_STANDALONE,
     .own_provider = "aws-credential-process"},
    {.name = NULL},
};

/*
 * The AWS CLI's config file, and (AWS SDK and libcurl conventions) where an
 * IAM Identity Center sign-out goes and whose certificates it trusts.
 */
static const char *const env_vars[] = {"AWS_CONFIG_FILE", "AWS_ENDPOINT_URL_SSO",
                                       "AWS_ENDPOINT_URL", "AWS_CA_BUNDLE", NULL};
static const char *const transport_vars[] = {"AWS_CA_BUNDLE", "AWS_ENDPOINT_URL_SSO",
                                             "AWS_ENDPOINT_URL", NULL};

/*
 * What is atmos's in a provider directory (cloudposse/atmos pkg/auth/cloud/aws/files.go):
 *  - `credentials` and `config` (GetCredentialsPath, GetConfigPath), INI files
 *    that go-ini's SaveTo writes in place (ioutil.WriteFile: no temporary);
 *  - `credentials.lock` and `config.lock`, the flock files beside them
 *    (withFileLock -> pkg/cache NewFileLock: <file>.lock), never removed by atmos;
 *  - `.credentials.atmos-tmp.*` and `.config.atmos-tmp.*`: what atmos-logout
 *    itself stages when it rewrites one of them (fs/safefs.c), left only by a killed run.
 * Anything else (a user's notes, ~/Documents named as a provider) is not ours.
 */
static const struct atmos_dir_entry provider_entries[] = {
    {.name = "credentials", .type = ATMOS_DIR_FILE},
    {.name = "config", .type = ATMOS_DIR_FILE},
    {.name = "credentials.lock", .type = ATMOS_DIR_FILE},
    {.name = "config.lock", .type = ATMOS_DIR_FILE},
    {.name = ".credentials.atmos-tmp.*", .type = ATMOS_DIR_FILE},
    {.name = ".config.atmos-tmp.*", .type = ATMOS_DIR_FILE},
    {.name = NULL},
};
static const struct atmos_dir_rule provider_rule = {.entries = provider_entries};
static const struct atmos_cloud_dir provider_dir = {.label = "provider directory",
                                                    .rule = &provider_rule};
/* ~/.aws/atmos/<provider>/: the same two INI files (no lock files then; atmos-logout's
 * own, taken while it rewrites one, and its temporaries are the rest of the rule). */
static const struct atmos_cloud_dir legacy_dir = {.label = "legacy provider directory",
                                                  .rule = &provider_rule};
/* The lock files atmos leaves beside credentials and config: a provider directory
 * holding nothing else goes with its last profile. */
static const char *const provider_locks[] = {"credentials.lock", "config.lock", NULL};

/*
 * The directories a login through `provider` may have left AWS files in
 * (NULL: not there for this provider).  0, or ATMOS_ENOMEM.
 *  [0] <cfg>/[realm/]aws/<P>/, where identities write: every atmos version
 *      has them pass an empty base path (SetupFiles(..., "", realm) in
 *      identities/aws/permission_set.go, assume_role.go, assume_root.go, user.go);
 *  [1] <base_path>/[realm/]aws/<P>/ when the provider sets spec.files.base_path:
 *      what atmos's provider Logout cleans (providers/aws/sso.go, saml.go ->
 *      Cleanup).  Nothing of atmos's writes there; only declared files go.
 *  [2] ~/.aws/atmos/<P>/, the layout before XDG (atmos_path_aws_legacy_dir).
 * atmos from c4a7ab71b9 to c0ba043a5d cleaned <base_path>/<P>/ itself, a
 * directory it never wrote: with base_path ~/.aws and a provider named sso,
 * the AWS CLI's ~/.aws/sso.  No such path is ever planned here.
 */
#define AWS_DIRS 3
static int provider_dirs(const struct atmos_cloud_ctx *c, const char *provider,
                         const struct atmos_provider *p, char *dirs[AWS_DIRS])
{
    const char *bp = atmos_aws_spec_of(p).base_path;
    dirs[0] = atmos_path_aws_provider_dir(c->env, NULL, c->realm, provider);
    dirs[1] = bp ? atmos_path_aws_provider_dir(c->env, bp, c->realm, provider) : NULL;
    dirs[2] = atmos_path_aws_legacy_dir(c->env, provider);
    if (dirs[0] && dirs[2] && (bp == NULL || dirs[1]))
        return 0;
    for (int i = 0; i < AWS_DIRS; i++)
        free(dirs[i]);
    return ATMOS_ENOMEM;
}

/* An aws/user identity: its browser sign-in keeps a refresh token (clouds/aws/browser.c). */
static int is_user(const struct atmos_identity *id)
{
    return id && id->kind.value && strcmp(id->kind.value, "aws/user") == 0;
}

/* [identity] and [profile identity] (files.go RemoveCredentialsProfile, RemoveConfigProfile). */
static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    if (is_user(atmos_config_identity(c->cfg, name)) &&
        atmos_aws_add_refresh_token(c, name) != ATMOS_OK)
        return ATMOS_ENOMEM;
    if (chain->provider == NULL)
        return 0; /* ambient identities keep nothing on disk */
    char *dirs[AWS_DIRS];
    if (provider_dirs(c, chain->provider, chain->provider_cfg, dirs) != 0)
        return ATMOS_ENOMEM;
    static const struct {
        const char *file;
        enum atmos_ini_flavor flavor;
        const char *label;
    } files[] = {{"credentials", ATMOS_INI_CREDENTIALS, "credentials profile"},
                 {"config", ATMOS_INI_CONFIG, "config profile"}};
    int rc = 0;
    for (int d = 0; d < AWS_DIRS; d++)
        for (size_t i = 0; rc == 0 && dirs[d] && i < 2; i++)
            if (!atmos_cloud_add_section(c, files[i].label, atmos_path_join(dirs[d], files[i].file),
                                         name, files[i].flavor, provider_locks, name,
                                         chain->provider))
                rc = ATMOS_ENOMEM;
    for (int d = 0; d < AWS_DIRS; d++)
        free(dirs[d]);
    return rc;
}

/* A token's session, ended with IAM Identity Center before its files go. */
static const struct atmos_signout_kind identity_center = {.name = "sso_signout",
                                                          .session = "IAM Identity Center session",
                                                          .start = atmos_aws_signout_start,
                                                          .finish = atmos_aws_signout_finish};

/*
 * Sign-outs for the token files of `t`: atmos's session file and the AWS
 * CLI's tokens of the same start URL.  Frees t.
 */
static int add_signouts(struct atmos_cloud_ctx *c, struct atmos_aws_tokens *t)
{
    int rc = ATMOS_OK;
    for (size_t k = 0; rc == ATMOS_OK && k < t->n; k++) {
        const struct atmos_item *tok = &c->plan->items[t->v[k]];
        const char *url = tok->kind == ATMOS_ITEM_CHECKED_FILE ? tok->u.file.arg : NULL;
        /* Copied first: adding an item may move the array tok points into. */
        char *path = strdup(tok->path), *arg = url ? strdup(url) : NULL;
        const char *provider = tok->provider; /* a string of its own, not moved */
        struct atmos_item *it = path && (url == NULL || arg)
                                    ? atmos_cloud_add(c, ATMOS_ITEM_SIGNOUT,
                                                      identity_center.session, path, NULL, provider)
                                    : (free(path), NULL);
        if (it == NULL) {
            free(arg);
            rc = ATMOS_ENOMEM;
            break;
        }
        it->u.signout.how = &identity_center;
        free(it->u.signout.arg);
        it->u.signout.arg = arg;
    }
    free(t->v);
    *t = (struct atmos_aws_tokens){NULL, 0};
    return rc;
}

/* An SSO token file of atmos's (its directory goes once empty), noted for signing out. */
static int add_token(struct atmos_cloud_ctx *c, struct atmos_aws_tokens *t, const char *label,
                     char *path, const char *provider, int prune)
{
    size_t before = c->plan->nitems;
    struct atmos_item *it = atmos_cloud_add(c, ATMOS_ITEM_FILE, label, path, NULL, provider);
    if (it && prune)
        it->u.file.prune_parent = 1;
    return atmos_aws_note_token(c, t, before, it);
}

/* atmos's SSO session (today's and the legacy one) and the AWS CLI's files of a login to url. */
static int add_sso(struct atmos_cloud_ctx *c, const char *name, const struct atmos_aws_spec *s,
                   const char *url)
{
    struct atmos_aws_tokens t = {NULL, 0};
    int rc = add_token(c, &t, "atmos SSO session", atmos_path_sso_session(c->env, url, s->region),
                       name, 0);
    if (rc == ATMOS_OK)
        rc = add_token(c, &t, "legacy atmos SSO token", atmos_path_sso_legacy_token(c->env, name),
                       name, 1);
    /* The AWS CLI's legacy cache name; the scan below finds sso-session names too. */
    size_t before = c->plan->nitems;
    if (rc == ATMOS_OK)
        rc = atmos_aws_note_token(c, &t, before,
                                  atmos_aws_add_checked(c, "AWS CLI SSO token",
                                                        atmos_path_aws_sso_token(c->env, url),
                                                        &atmos_aws_sso_token, url, name));
    if (rc == ATMOS_OK)
        rc = atmos_aws_scan_sso_cache(c, url, name, &t);
    if (rc == ATMOS_OK)
        rc = atmos_aws_add_role_credentials(c, url, name);
    if (rc == ATMOS_OK)
        return add_signouts(c, &t);
    free(t.v);
    return rc;
}

/* Every directory of provider_dirs, each only as far as provider_rule declares. */
static int add_provider_dirs(struct atmos_cloud_ctx *c, const char *name,
                             const struct atmos_provider *p)
{
    char *dirs[AWS_DIRS];
    if (provider_dirs(c, name, p, dirs) != 0)
        return ATMOS_ENOMEM;
    int rc = 0;
    for (int d = 0; d < AWS_DIRS; d++)
        if (dirs[d] && rc == 0)
            rc = atmos_cloud_add_dir(c, d == 2 ? &legacy_dir : &provider_dir, dirs[d], NULL, name)
                     ? 0
                     : ATMOS_ENOMEM;
        else
            free(dirs[d]);
    return rc;
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    if (add_provider_dirs(c, name, p) != 0)
        return ATMOS_ENOMEM;
    if (p == NULL)
        return 0; /* aws-user: keys only, no SSO, nothing provisioned */
    /* aws/saml: saml2aws's browser state, shared by every aws/saml provider. */
    if (p->kind.value && strcmp(p->kind.value, "aws/saml") == 0 &&
        atmos_aws_add_saml_state(c, name) != ATMOS_OK)
        return ATMOS_ENOMEM;
    const struct atmos_aws_spec s = atmos_aws_spec_of(p);
    const char *url = s.start_url;
    int rc = url && *url ? add_sso(c, name, &s, url) : ATMOS_OK;
    if (rc != ATMOS_OK)
        return rc;
    char *pdir = atmos_path_provisioned_dir(c->env, name);
    struct atmos_item *it =
        pdir ? atmos_cloud_add(c, ATMOS_ITEM_FILE, "provisioned identities",
                               atmos_path_join(pdir, "provisioned-identities.yaml"), NULL, name)
             : NULL;
    free(pdir);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    return 0;
}

/*
 * A provider directory of an identity's own (aws-user's, an emulator's),
 * unless configured (then it was planned with the providers).  Asked again
 * for every realm: its items are planned once per path.
 */
static int own_provider(struct atmos_cloud_ctx *c, const char *name)
{
    if (atmos_config_provider(c->cfg, name))
        return 0;
    size_t i = 0;
    while (i < c->plan->nproviders && strcmp(c->plan->providers[i], name) != 0)
        i++;
    if (i == c->plan->nproviders &&
        atmos_strv_push(&c->plan->providers, &c->plan->nproviders, name) != 0)
        return ATMOS_ENOMEM;
    return provider(c, name, NULL);
}

/*
 * IAM user keys live in the provider directory aws-user, an emulator's in its
 * own; an aws/user identity's browser sign-in keeps its refresh token.
 */
static int all(struct atmos_cloud_ctx *c)
{
    const struct atmos_config *cfg = c->cfg;
    int rc = ATMOS_OK;
    for (size_t i = 0; rc == ATMOS_OK && i < cfg->nidentities; i++) {
        const struct atmos_cloud *cl;
        const struct atmos_kind *k =
            atmos_kind_in(c->clouds, cfg->identities[i].kind.value, ATMOS_ROLE_IDENTITY, &cl);
        if (cl != &atmos_cloud_aws || k == NULL)
            continue;
        if (is_user(&cfg->identities[i]))
            rc = atmos_aws_add_refresh_token(c, cfg->identities[i].name);
        if (rc == ATMOS_OK && k->own_provider)
            rc = own_provider(c, k->own_provider);
        else if (rc == ATMOS_OK && (k->flags & ATMOS_KIND_OWN_DIRECTORY))
            rc = own_provider(c, cfg->identities[i].name);
    }
    return rc;
}

/* --- discovery ----------------------------------------------------------- */

struct found {
    char **urls; /* start URLs found in atmos's session cache */
    size_t nurls;
    struct atmos_aws_tokens tokens; /* the session files, to sign out */
};

/* The start URL an atmos session cache file names, if any (malloc'd). */
static char *session_url(const struct atmos_cloud_ctx *c, int dirfd, const char *name,
                         const char *path)
{
    struct atmos_buf buf = {0};
    struct atmos_err why;
    struct stat st;
    char *url = NULL;
    if (atmos_fs_read(&c->fs, dirfd, name, path, ATMOS_TOKEN_FILE_MAX_BYTES, &buf, &st, &why) != ATMOS_OK)
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

static int add_session(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                       void *arg)
{
    struct found *f = arg;
    size_t n = strlen(name);
    if (n < 6 || strcmp(name + n - 5, ".json") != 0)
        return 0;
    char *path = atmos_path_join(dir, name);
    if (path == NULL)
        return ATMOS_ENOMEM;
    char *url = session_url(c, dirfd, name, path);
    if (url && atmos_strv_push(&f->urls, &f->nurls, url) != 0) {
        free(url);
        free(path);
        return ATMOS_ENOMEM;
    }
    free(url);
    size_t before = c->plan->nitems;
    return atmos_aws_note_token(
        c, &f->tokens, before,
        atmos_cloud_add(c, ATMOS_ITEM_FILE, "atmos SSO session", path, NULL, NULL));
}

static int add_provisioned(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                           void *arg)
{
    (void)arg;
    if (atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return 0;
    char *path = atmos_strfmt("%s/%s/provisioned-identities.yaml", dir, name);
    struct atmos_item *it =
        path ? atmos_cloud_add(c, ATMOS_ITEM_FILE, "provisioned identities", path, NULL, name)
             : NULL;
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    return 0;
}

/* <cache>/aws-sso/<provider>/token.json, atmos's SSO token before sessions/ (arg: struct found). */
static int add_legacy_token(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                            void *arg)
{
    struct found *f = arg;
    if (strcmp(name, "sessions") == 0 || atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return 0;
    return add_token(c, &f->tokens, "legacy atmos SSO token",
                     atmos_strfmt("%s/%s/token.json", dir, name), name, 1);
}

/* The parent directory of what `path_of` returns for a placeholder (malloc'd). */
static char *parent_of(char *p)
{
    char *slash = p ? strrchr(p, '/') : NULL;
    if (slash == NULL) {
        free(p);
        return NULL;
    }
    *slash = '\0';
    return p;
}

static int discover(struct atmos_cloud_ctx *c)
{
    struct found f = {NULL, 0, {NULL, 0}};
    char *sessions = parent_of(atmos_path_sso_session(c->env, "", NULL));
    char *auth = parent_of(atmos_path_provisioned_dir(c->env, "x"));
    char *sso = parent_of(sessions ? strdup(sessions) : NULL);
    char *legacy = parent_of(atmos_path_aws_legacy_dir(c->env, "x"));
    int rc = ATMOS_ENOMEM;
    if (!sessions || !auth || !sso || !legacy)
        goto done;
    if (atmos_cloud_each_base(c, "aws", atmos_cloud_add_provider_dir, (void *)&provider_dir) != 0 ||
        atmos_cloud_each_entry(c, legacy, atmos_cloud_add_provider_dir, (void *)&legacy_dir) != 0 ||
        atmos_cloud_each_entry(c, sessions, add_session, &f) != 0 ||
        atmos_cloud_each_entry(c, sso, add_legacy_token, &f) != 0 ||
        atmos_cloud_each_entry(c, auth, add_provisioned, NULL) != 0 ||
        atmos_aws_discover_browser(c) != 0)
        goto done;
    atmos_strv_sort_unique(f.urls, &f.nurls);
    for (size_t i = 0; i < f.nurls; i++)
        if (atmos_aws_scan_sso_cache(c, f.urls[i], NULL, &f.tokens) != 0 ||
            atmos_aws_add_role_credentials(c, f.urls[i], NULL) != 0)
            goto done;
    /* atmos's session files were found before the tokens: sign those out too. */
    if ((rc = add_signouts(c, &f.tokens)) != ATMOS_OK)
        goto done;
    rc = 0;
done:
    free(f.tokens.v);
    atmos_strv_free(f.urls, f.nurls);
    free(sessions);
    free(auth);
    free(sso);
    free(legacy);
    return rc;
}

/* --- realms --------------------------------------------------------------- */

/* <root>/<realm>/aws/: provider directories (files.go GetCredentialsPath). */
static const struct atmos_dir_entry realm_entries[] = {
    {.name = "*", .type = ATMOS_DIR_NESTED, .sub = &provider_rule},
    {.name = NULL},
};
static const struct atmos_dir_rule realm_rule = {.entries = realm_entries};
static const struct atmos_realm_place realm_place = {
    .sub = "aws", .rule = &realm_rule, .dir_label = "provider directory"};
/* A base_path outside atmos's directories ("~", "~/work"): the user's own files live there. */
static const struct atmos_realm_place named_place = {
    .sub = "aws", .rule = &realm_rule, .dir_label = "provider directory", .named_only = 1};
/* <cfg>/atmos/aws/ is the realm-less layout, never a realm. */
static const char *const not_realms[] = {"aws", NULL};

/* The atmos config home, and every root an AWS provider's spec.files.base_path names (each
 * once: many providers share one). */
static int realm_places(struct atmos_cloud_ctx *c, atmos_place_fn fn, void *arg)
{
    char **roots = NULL;
    size_t n = 0;
    int rc = 0;
    for (size_t i = 0; rc == 0 && c->cfg && i < c->cfg->nproviders; i++) {
        const struct atmos_provider *p = &c->cfg->providers[i];
        const struct atmos_cloud *cl;
        const char *bp = atmos_aws_spec_of(p).base_path;
        const struct atmos_kind *k =
            atmos_kind_in(c->clouds, p->kind.value, ATMOS_ROLE_PROVIDER, &cl);
        if (bp && !p->problem && k && !(k->flags & ATMOS_KIND_NOTHING_KEPT) &&
            cl == &atmos_cloud_aws) {
            char *root = atmos_path_aws_root(c->env, bp);
            rc = root && atmos_strv_push(&roots, &n, root) == 0 ? 0 : ATMOS_ENOMEM;
            free(root);
        }
    }
    atmos_strv_sort_unique(roots, &n);
    if (rc == 0)
        rc = fn(c, atmos_path_aws_root(c->env, NULL), &realm_place, arg);
    for (size_t i = 0; rc == 0 && i < n; i++)
        rc = fn(c, strdup(roots[i]),
                atmos_path_in_atmos_dirs(c->env, roots[i]) ? &realm_place : &named_place, arg);
    atmos_strv_free(roots, n);
    return rc;
}

/*
 * --status: where each item's expiry is written.  The credentials file's section comment
 * "; atmos: expiration=<RFC 3339>" (atmos pkg/auth/cloud/aws/files.go WriteCredentials,
 * read back by identities/aws/credentials_loader.go readExpirationFromMetadata); atmos's
 * SSO session's "expiresAt" (providers/aws/sso_cache.go ssoTokenCache); the aws/user
 * browser sign-in's "expiresAt" (identities/aws/webflow.go webflowRefreshCache); the AWS
 * CLI's token "expiresAt" and role credentials' "Credentials.Expiration" (botocore's
 * SSO token and JSONFileCache).  Playwright's cookies and an emulator's keys carry none.
 */
static const struct atmos_expiry expiries[] = {
    {.label = "credentials profile", .format = ATMOS_EXPIRY_INI, .field = "; atmos: expiration="},
    {.label = "config profile", .format = ATMOS_EXPIRY_NONE},
    {.label = "provider directory", .format = ATMOS_EXPIRY_INI, .file = "credentials",
     .field = "; atmos: expiration="},
    {.label = "legacy provider directory", .format = ATMOS_EXPIRY_INI, .file = "credentials",
     .field = "; atmos: expiration="},
    {.label = "atmos SSO session", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"expiresAt", NULL}, .field = "expiresAt"},
    {.label = "legacy atmos SSO token", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"expiresAt", NULL}, .field = "expiresAt"},
    {.label = "AWS CLI SSO token", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"expiresAt", NULL}, .field = "expiresAt"},
    {.label = "AWS CLI role credentials", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"Credentials", "Expiration", NULL},
     .field = "Credentials.Expiration"},
    {.label = "browser session (refresh token)", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"expiresAt", NULL}, .field = "expiresAt"},
    {.label = "browser session (IdP cookies)", .format = ATMOS_EXPIRY_NOT_WRITTEN},
    {.label = "provisioned identities", .format = ATMOS_EXPIRY_NONE},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_aws = {.name = "aws",
                                            .display = "AWS",
                                            .kinds = kinds,
                                            .env_vars = env_vars,
                                            .transport_vars = transport_vars,
                                            .identity = identity,
                                            .provider = provider,
                                            .all = all,
                                            .discover = discover,
                                            .realm_places = realm_places,
                                            .not_realms = not_realms,
                                            .expiries = expiries};

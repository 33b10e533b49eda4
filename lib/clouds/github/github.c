/*
 * GitHub: the installation tokens atmos's `github/sts` integrations mint
 * (cloudposse/atmos pkg/auth/integrations/github/sts.go), kept in
 * <data>/auth/github-sts/[<realm>/]<integration>/ (stateDir):
 *
 *  - state.json, the tokens (`tokens[].token`), revoked first
 *    (clouds/github/revoke.c, as atmos's Cleanup does), then removed;
 *  - git.config, which git_config_mode: file writes: the same tokens, in
 *    the userinfo of `[url "https://x-access-token:<token>@host/owner/"]`.
 *    It goes whatever the mode says now: a mode changed since the login
 *    leaves the file and its tokens behind.  atmos removes it only when a
 *    state.json is there; a stray one is removed here too.
 *
 * Which logouts include an integration is docker's rule (clouds/docker.c,
 * pkg/auth/manager_integrations.go): an identity's logout takes those
 * via.identity it and via.provider its root provider; a provider's, those
 * via.provider it; --all, every one of them.  The directory stays, as atmos
 * leaves it.  With no configuration, every integration directory found below
 * <data>/auth/github-sts/, with and without a realm, is atmos's.
 *
 * MUST: only the two files atmos names, each walked by descriptor (safefs)
 * like every other item; never a token in a path, a message or the report.
 */
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "clouds/cloud.h"
#include "clouds/github/github.h"
#include "base/strings.h"
#include "config/paths.h"

#define GITHUB_STS "github/sts"

static const struct atmos_kind kinds[] = {
    {.name = GITHUB_STS, .roles = ATMOS_ROLE_INTEGRATION},
    {.name = NULL},
};

/* Where the revocation goes and whose certificates it trusts (clouds/github/revoke.c). */
static const char *const env_vars[] = {ATMOS_GITHUB_API_VAR, "SSL_CERT_FILE", NULL};

/*
 * sanitizePathSegment (sts.go): one pass of strings.NewReplacer, which tries
 * its old strings in argument order at each position: `/`, `\` and `:`
 * become `_`, and so does each `..` (so `...` is `_.`).  malloc'd.
 */
char *atmos_github_sanitize(const char *s)
{
    size_t n = strlen(s), o = 0;
    char *out = malloc(n + 1);
    if (out == NULL)
        return NULL;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '/' || s[i] == '\\' || s[i] == ':') {
            out[o++] = '_';
        } else if (s[i] == '.' && s[i + 1] == '.') {
            out[o++] = '_';
            i++;
        } else {
            out[o++] = s[i];
        }
    }
    out[o] = '\0';
    return out;
}

/*
 * <data>/auth/github-sts/[<realm>/]<name>/ into *dir (malloc'd); *dir NULL when the name
 * makes no directory of its own (Go's Join folds "." into its parent).  ATMOS_OK or
 * ATMOS_ENOMEM.
 */
static int state_dir(const struct atmos_cloud_ctx *c, const char *name, char **dir)
{
    char *data = atmos_path_atmos_data(c->env), *root = NULL, *realm = NULL;
    char *seg = atmos_github_sanitize(name);
    int rc = ATMOS_ENOMEM;
    *dir = NULL;
    if (data == NULL || seg == NULL || (root = atmos_path_join(data, "auth/github-sts")) == NULL ||
        (c->realm && *c->realm && (realm = atmos_github_sanitize(c->realm)) == NULL))
        goto done;
    rc = ATMOS_OK;
    if (!*seg || strcmp(seg, ".") == 0 || (realm && strcmp(realm, ".") == 0))
        goto done;
    if ((*dir = atmos_path_realm_dir(root, realm, seg, NULL)) == NULL)
        rc = ATMOS_ENOMEM;
done:
    free(data);
    free(root);
    free(realm);
    free(seg);
    return rc;
}

/* The sign-out of the tokens in <dir>/state.json (with --no-revoke, none), then both files. */
static int add_files(struct atmos_cloud_ctx *c, const char *dir, const char *name,
                     const char *identity, const char *provider)
{
    if (c->revoke) {
        struct atmos_item *it =
            atmos_cloud_add(c, ATMOS_ITEM_SIGNOUT, atmos_github_tokens.session,
                            atmos_path_join(dir, "state.json"), identity, provider);
        if (it == NULL)
            return ATMOS_ENOMEM;
        it->u.signout.how = &atmos_github_tokens;
        free(it->u.signout.arg);
        if ((it->u.signout.arg = strdup(name)) == NULL)
            return ATMOS_ENOMEM;
    }
    if (atmos_cloud_add(c, ATMOS_ITEM_FILE, "github/sts tokens", atmos_path_join(dir, "state.json"),
                        identity, provider) &&
        atmos_cloud_add(c, ATMOS_ITEM_FILE, "github/sts git config (tokens in its URLs)",
                        atmos_path_join(dir, "git.config"), identity, provider))
        return ATMOS_OK;
    return ATMOS_ENOMEM;
}

static int add_integration(struct atmos_cloud_ctx *c, const struct atmos_integration *in)
{
    char *dir;
    if (state_dir(c, in->name, &dir) != ATMOS_OK)
        return ATMOS_ENOMEM;
    int rc = dir ? add_files(c, dir, in->name, in->via_identity.value, in->via_provider.value)
                 : ATMOS_OK;
    free(dir);
    return rc;
}

/* atmos_integration_fn: the files of a github/sts integration (its items name its own via). */
static int sts_integration(struct atmos_cloud_ctx *c, const struct atmos_integration *in,
                           const char *provider)
{
    (void)provider;
    if (in->kind.value == NULL || strcmp(in->kind.value, GITHUB_STS) != 0)
        return ATMOS_OK;
    return add_integration(c, in);
}

/* Called for every identity logged out: the integrations it, or its root provider, logs in. */
static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    return atmos_cloud_identity_integrations(c, name, chain, sts_integration);
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)p;
    return atmos_cloud_provider_integrations(c, name, sts_integration);
}

/* Anything named state.json or git.config in `dir` (a FIFO, a link: the items will say). */
static int holds_state(const struct atmos_cloud_ctx *c, const char *dir)
{
    struct atmos_err why;
    struct stat st;
    int fd = -1, yes = 0;
    if (atmos_fs_open_dir(&c->fs, dir, &fd, &why) != ATMOS_OK)
        return 0;
    yes = fstatat(fd, "state.json", &st, AT_SYMLINK_NOFOLLOW) == 0 ||
          fstatat(fd, "git.config", &st, AT_SYMLINK_NOFOLLOW) == 0;
    close(fd);
    return yes;
}

/*
 * An entry of <data>/auth/github-sts/ (realm NULL) or of a realm's directory
 * below it: an integration's directory holds atmos's files; a directory
 * without them at the top is a realm's, whose directories are integrations'.
 */
static int discover_entry(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                          void *in_realm)
{
    if (atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return ATMOS_OK;
    char *sub = atmos_path_join(dir, name);
    int rc = ATMOS_ENOMEM;
    if (sub == NULL)
        return rc;
    if (holds_state(c, sub))
        rc = add_files(c, sub, name, NULL, NULL);
    else if (in_realm == NULL && atmos_realm_like(name))
        rc = atmos_cloud_each_entry(c, sub, discover_entry, (void *)sub);
    else
        rc = ATMOS_OK;
    free(sub);
    return rc;
}

/* No configuration: every integration directory atmos made, with and without a realm; the
 * names are the directories' (already sanitized). */
static int discover(struct atmos_cloud_ctx *c)
{
    char *data = atmos_path_atmos_data(c->env);
    char *root = data ? atmos_path_join(data, "auth/github-sts") : NULL;
    int rc = root ? atmos_cloud_each_entry(c, root, discover_entry, NULL) : ATMOS_ENOMEM;
    free(data);
    free(root);
    return rc;
}

/*
 * --status: each minted token's "expiresAt" in state.json (atmos
 * pkg/auth/integrations/github/sts.go stsToken); git.config holds the same tokens.
 */
static const struct atmos_expiry expiries[] = {
    {.label = "github/sts tokens", .format = ATMOS_EXPIRY_JSON, .each = "tokens",
     .keys = (const char *const[]){"expiresAt", NULL}, .field = "expiresAt"},
    {.label = "github/sts git config (tokens in its URLs)", .format = ATMOS_EXPIRY_JSON,
     .file = "state.json", .each = "tokens", .keys = (const char *const[]){"expiresAt", NULL},
     .field = "expiresAt"},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_github = {.name = "github",
                                               .display = "GitHub",
                                               .kinds = kinds,
                                               .env_vars = env_vars,
                                               .transport_vars = env_vars,
                                               .identity = identity,
                                               .provider = provider,
                                               .discover = discover,
                                               .every_identity = 1,
                                               .expiries = expiries};

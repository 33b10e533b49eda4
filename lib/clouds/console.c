/*
 * The web console's isolated browser profile: what `atmos auth console
 * --isolated` (or auth.console.isolated: true) has the browser keep, the
 * console's session cookies among it.
 *
 *  - identity (every identity logged out, in every scope): the profile
 *    <data>/console/sessions/<16 hex digits of sha256(realm "/" identity)>/
 *    when the identity's chain is rooted at a kind its cloud declares
 *    ATMOS_KIND_CONSOLE (the kinds cmd/auth/console.go getConsoleProvider
 *    opens a console for);
 *  - discovered: every such profile directory (a 16-hex-digit name) under
 *    <data>/console/sessions/.
 *
 * What atmos hashes (cmd/auth/console.go consoleSessionDir, called with
 * atmosConfig.Auth.Realm and identityName): the realm setAuthRealm chose
 * (ATMOS_AUTH_REALM, auth.realm, the config directory's hash or "default":
 * never empty, and the console came after realms, so the realm-less pass
 * plans nothing here), and the identity name as it was typed (--identity)
 * or picked (the default identity's lowercase key, or the selector's
 * spelling from atmos.yaml), not lowercased.  We plan the two spellings we
 * can know: the lowercase name and, when it differs, the one atmos.yaml
 * writes.  A profile opened under any other spelling (--identity DEV-Admin
 * for an identity written dev-admin) is not found by name; a discovered
 * plan finds it.
 *
 * The directory is atmos's: named by atmos's own hash under atmos's own
 * data directory, created by atmos for the browser it starts with
 * --user-data-dir.  What is in it is the browser's (Chromium's Local State,
 * Default/, caches, its Singleton* and RunningChromeVersion symlinks), so
 * the rule takes every file, directory and symlink in it.
 *
 * MUST: walk by descriptor and never follow a link (fs/declared.c: a
 * link is removed as a name, its target is untouched); take a profile only
 * by a name atmos's hash gives; bound the walk (ATMOS_FS_MAX_ENTRIES);
 * leave a FIFO, socket, device or another user's file at the top and the
 * directory with it (the browser writes none there).
 */
#include <stdlib.h>
#include <string.h>

#include "clouds/cloud.h"
#include "clouds/console.h"
#include "base/strings.h"
#include "config/paths.h"

static const struct atmos_dir_entry profile_entries[] = {
    {.name = "*", .type = ATMOS_DIR_TREE},
    {.name = "*", .type = ATMOS_DIR_FILE},
    {.name = "*", .type = ATMOS_DIR_LINK},
    {.name = NULL},
};
static const struct atmos_dir_rule profile_rule = {.entries = profile_entries};
static const struct atmos_cloud_dir profile_dir = {.label = "browser session (console profile)",
                                                   .rule = &profile_rule};
#define CONSOLE_PROFILE "console profile"

void atmos_console_profile_name(const char *realm, const char *identity, char out[17])
{
    char *key = atmos_strfmt("%s/%s", realm, identity);
    if (key == NULL) {
        out[0] = '\0';
        return;
    }
    atmos_sha256_hex16(key, strlen(key), out);
    free(key);
}

/* <data>/console/sessions, malloc'd. */
static char *sessions_dir(const struct atmos_cloud_ctx *c)
{
    char *data = atmos_path_atmos_data(c->env);
    char *out = data ? atmos_path_join(data, "console/sessions") : NULL;
    free(data);
    return out;
}

static int add_profile(struct atmos_cloud_ctx *c, const char *sessions, const char *name,
                       const char *identity)
{
    struct atmos_item *it =
        atmos_cloud_add_dir(c, &profile_dir, atmos_path_join(sessions, name), identity, NULL);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->browser = CONSOLE_PROFILE;
    return ATMOS_OK;
}

/*
 * The kind at the root of a chain, as GetProviderKindForIdentity sees it:
 * the provider's, or the standalone identity's own (an aws/user, whose
 * chain here starts with its own provider directory's name).
 */
static const struct atmos_kind *root_kind(const struct atmos_cloud_ctx *c,
                                          const struct atmos_chain *chain)
{
    const struct atmos_cloud *cl;
    if (chain->provider_cfg)
        return atmos_kind_in(c->clouds, chain->provider_cfg->kind.value, ATMOS_ROLE_PROVIDER, &cl);
    for (size_t i = 0; i < chain->n && i < 2; i++) {
        const struct atmos_identity *id = atmos_config_identity(c->cfg, chain->names[i]);
        const struct atmos_kind *k =
            id ? atmos_kind_in(c->clouds, id->kind.value, ATMOS_ROLE_IDENTITY, &cl) : NULL;
        if (k && (k->flags & ATMOS_KIND_STANDALONE))
            return k;
    }
    return NULL;
}

static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    const struct atmos_kind *k = root_kind(c, chain);
    if (c->realm == NULL || k == NULL || !(k->flags & ATMOS_KIND_CONSOLE))
        return ATMOS_OK;
    const struct atmos_identity *id = atmos_config_identity(c->cfg, name);
    const char *spellings[2] = {name, id ? id->written : NULL};
    char *sessions = sessions_dir(c);
    int rc = sessions ? ATMOS_OK : ATMOS_ENOMEM;
    for (size_t i = 0; rc == ATMOS_OK && i < 2 && spellings[i]; i++) {
        char hex[17];
        atmos_console_profile_name(c->realm, spellings[i], hex);
        rc = hex[0] ? add_profile(c, sessions, hex, name) : ATMOS_ENOMEM;
    }
    free(sessions);
    return rc;
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)c, (void)name, (void)p;
    return ATMOS_OK; /* a profile is an identity's */
}

static int add_found(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                     void *arg)
{
    (void)arg;
    /* Only a name atmos's hash could give: 16 lowercase hex digits. */
    if (strlen(name) != 16 || strspn(name, "0123456789abcdef") != 16 ||
        atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return ATMOS_OK;
    return add_profile(c, dir, name, NULL);
}

static int discover(struct atmos_cloud_ctx *c)
{
    char *sessions = sessions_dir(c);
    if (sessions == NULL)
        return ATMOS_ENOMEM;
    int rc = atmos_cloud_each_entry(c, sessions, add_found, NULL);
    free(sessions);
    return rc;
}

/* --status: a browser profile's cookies record no expiry we read. */
static const struct atmos_expiry expiries[] = {
    {.label = "browser session (console profile)", .format = ATMOS_EXPIRY_NOT_WRITTEN},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_console = {.name = "console",
                                                .display = "Web console (atmos auth console)",
                                                .identity = identity,
                                                .provider = provider,
                                                .discover = discover,
                                                .every_identity = 1,
                                                .expiries = expiries};

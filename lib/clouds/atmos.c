/*
 * atmos's own kinds: the ones of no cloud.  An ambient identity's
 * credentials come from the environment, and an atmos/pro login is kept in
 * the keychain only, so neither leaves anything on disk for a logout to
 * remove; they are declared so that a logout of them is complete rather than
 * "of an unknown kind".
 *
 * And, for every identity logged out, the credentials file of atmos's test
 * kinds mock and mock/aws (AWS's table declares them: mock/aws writes AWS files).
 */
#include <stddef.h>
#include <string.h>

#include "clouds/cloud.h"
#include "base/strings.h"

static const struct atmos_kind kinds[] = {
    {.name = "ambient",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_NOTHING_KEPT | ATMOS_KIND_STANDALONE},
    {.name = "atmos/pro",
     .roles = ATMOS_ROLE_PROVIDER | ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_NOTHING_KEPT},
    {.name = NULL},
};

/* <cfg>/atmos/profiles/ holds atmos's configuration profiles (pkg/config/profiles.go):
 * a profile named aws is not a realm's aws/. */
static const char *const not_realms[] = {"profiles", NULL};

/* os.TempDir(), where the mock kinds write. */
static const char *const env_vars[] = {"TMPDIR", NULL};

/*
 * A mock or mock/aws identity's <os.TempDir()>/atmos-mock-<name>.json ($TMPDIR, else /tmp),
 * with '/' as '-' for mock/aws (providers/mock/identity.go and mock/aws/identity.go
 * getCredentialsFilePath; their Logout removes it).  A mock name holding '/' names a
 * directory below it that atmos did not create: not planned.
 */
static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    (void)chain;
    const struct atmos_identity *id = atmos_config_identity(c->cfg, name);
    const char *kind = id ? id->kind.value : NULL;
    int aws = kind && strcmp(kind, "mock/aws") == 0;
    if (kind == NULL || (!aws && (strcmp(kind, "mock") != 0 || strchr(name, '/'))))
        return ATMOS_OK;
    const char *tmp = atmos_env_get(c->env, "TMPDIR");
    char *file = atmos_strfmt("%s/atmos-mock-%s.json", tmp && tmp[0] == '/' ? tmp : "/tmp", name);
    if (file == NULL)
        return ATMOS_ENOMEM;
    for (char *p = file + strlen(file) - strlen(name) - strlen(".json"); *p != '.'; p++)
        if (*p == '/')
            *p = '-';
    return atmos_cloud_add(c, ATMOS_ITEM_FILE, "mock credentials", file, name, NULL)
               ? ATMOS_OK
               : ATMOS_ENOMEM;
}

/* Nothing of a provider's own: its identities come through identity(). */
static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)c, (void)name, (void)p;
    return ATMOS_OK;
}

/* Their keychain entries are plan/keyring.c's. */
/* --status: the mock's "Expiration" (atmos pkg/auth/providers/mock/credentials.go). */
static const struct atmos_expiry expiries[] = {
    {.label = "mock credentials", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"Expiration", NULL}, .field = "Expiration"},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_atmos = {.name = "atmos",
                                              .display = "atmos",
                                              .kinds = kinds,
                                              .env_vars = env_vars,
                                              .identity = identity,
                                              .provider = provider,
                                              .every_identity = 1,
                                              .not_realms = not_realms,
                                              .expiries = expiries};

/*
 * Azure: what atmos keeps of an Azure login (pkg/auth/cloud/azure,
 * pkg/auth/providers/azure), and the entries it writes into the Azure CLI's
 * files so that az and Terraform work.
 *
 *   ~/.azure/atmos/[<realm>/]<provider>/credentials.json   atmos's, per provider
 *   ~/.azure/atmos/<realm>/msal_token_cache.json            atmos's MSAL cache (realm set;
 *                                                           without one atmos uses az's)
 *   <cache home>/atmos/azure-device-code/<provider>/token.json
 *   ~/.azure/msal_token_cache.json        az's: tokens and account of the atmos login
 *   ~/.azure/azureProfile.json            az's: the subscriptions atmos selected
 *   ~/.azure/service_principal_entries.json   az's: an OIDC service principal
 *
 *  - identity (azure/subscription): its subscription in azureProfile.json, and
 *    credentials.json when it was written for that subscription;
 *  - provider: the provider directory, the device-code cache, and every entry
 *    of the provider's account in the MSAL caches, azureProfile.json and
 *    service_principal_entries.json;
 *  - discovered: the same, for every provider directory and device-code cache found.
 *
 * Which entries are the login's comes only from atmos's own files (the account
 * in credentials.json or the device-code token): without them no entry of the
 * Azure CLI's files is touched.  A login through azure/cli was minted by az
 * itself, and atmos writes nothing into az's files for it: we do not either.
 *
 * MUST: read tokens only to learn the account (oid, tenant, user name), never
 * log or keep them; remove only the entries of that account.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <nettle/base64.h>

#include "clouds/azure/azure.h"
#include "clouds/cloud.h"
#include "base/strings.h"
#include "formats/jsonverdict.h"
#include "config/paths.h"

/*
 * Azure's kinds.  A login through azure/cli was minted by az itself (its
 * spec says so); azure/cli and azure/oidc are ambient providers, so their
 * keychain entries go with every logout.  `atmos auth console` opens the
 * portal for azure/oidc, azure/cli and azure/device-code (cmd/auth/console.go
 * getConsoleProvider).
 */
static const int minted_by_az = 1;
static const struct atmos_kind kinds[] = {
    {.name = "azure/cli",
     .roles = ATMOS_ROLE_PROVIDER,
     .flags = ATMOS_KIND_AMBIENT | ATMOS_KIND_CONSOLE,
     .spec = &minted_by_az},
    {.name = "azure/device-code", .roles = ATMOS_ROLE_PROVIDER, .flags = ATMOS_KIND_CONSOLE},
    {.name = "azure/interactive", .roles = ATMOS_ROLE_PROVIDER},
    {.name = "azure/oidc",
     .roles = ATMOS_ROLE_PROVIDER,
     .flags = ATMOS_KIND_AMBIENT | ATMOS_KIND_CONSOLE},
    {.name = "azure/subscription", .roles = ATMOS_ROLE_IDENTITY},
    /* In memory only (pkg/auth/identities/emulator/azure.go); a kubeconfig is clouds/kube.c's. */
    {.name = "azure/emulator",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_NOTHING_KEPT | ATMOS_KIND_STANDALONE | ATMOS_KIND_EMULATOR},
    {.name = NULL},
};

/* A provider whose login az minted: its entries in az's files are az's own. */
static int from_az(const struct atmos_cloud_ctx *c, const struct atmos_provider *p)
{
    const struct atmos_cloud *cl;
    const struct atmos_kind *k =
        p ? atmos_kind_in(c->clouds, p->kind.value, ATMOS_ROLE_PROVIDER, &cl) : NULL;
    return k && k->spec == &minted_by_az;
}

/*
 * What is atmos's in ~/.azure/atmos/[<realm>/]<provider>/ (cloudposse/atmos
 * pkg/auth/cloud/azure/files.go): `credentials.json` (GetCredentialsPath),
 * written through WriteFileAtomic (pkg/filesystem/atomic_unix.go: renameio,
 * whose temporary is ".credentials.json<digits>" beside it, left only when
 * atmos is killed) under the flock of `credentials.json.lock` (withFileLock ->
 * pkg/cache NewFileLock), which stays.  atmos's MSAL cache is the realm's,
 * one level up, and az's files are in ~/.azure: neither is in here.
 */
static const struct atmos_dir_entry provider_entries[] = {
    {.name = "credentials.json", .type = ATMOS_DIR_FILE},
    {.name = "credentials.json.lock", .type = ATMOS_DIR_FILE},
    {.name = ".credentials.json#", .type = ATMOS_DIR_FILE},
    {.name = NULL},
};
static const struct atmos_dir_rule provider_rule = {.entries = provider_entries};
static const struct atmos_cloud_dir provider_dir = {.label = "provider directory",
                                                    .rule = &provider_rule};

/* --- paths ---------------------------------------------------------------- */

static char *atmos_dir(const struct atmos_cloud_ctx *c, const char *realm)
{
    char *root = atmos_path_join(c->env->home, ".azure/atmos");
    char *out = atmos_path_realm_dir(root, realm, NULL, NULL);
    free(root);
    return out;
}

static char *az_file(const struct atmos_cloud_ctx *c, const char *name)
{
    return atmos_strfmt("%s/.azure/%s", c->env->home, name);
}

static char *device_code_token(const struct atmos_cloud_ctx *c, const char *provider)
{
    char *cache = atmos_path_atmos_cache(c->env);
    char *out = cache ? atmos_strfmt("%s/azure-device-code/%s/token.json", cache, provider) : NULL;
    free(cache);
    return out;
}

/* --- planning ------------------------------------------------------------- */

static int add_subscription(struct atmos_cloud_ctx *c, const struct atmos_azure_account *a, const char *sub,
                            const char *provider)
{
    if (sub == NULL || a->tenant == NULL || a->from_cli)
        return 0;
    char *what = atmos_strfmt("subscription %s", sub);
    const char *user = a->username ? a->username : a->sp ? a->client_id : NULL;
    int rc =
        what && atmos_cloud_add_json(c, "Azure CLI subscription", az_file(c, "azureProfile.json"),
                                     &atmos_azure_subscription_rule, what, sub, a->tenant, user, provider)
            ? 0
            : ATMOS_ENOMEM;
    free(what);
    return rc;
}

/* Every entry of the account in the MSAL caches and az's service principal store. */
static int add_account(struct atmos_cloud_ctx *c, const struct atmos_azure_account *a, const char *realm,
                       const char *provider)
{
    if (a->from_cli)
        return 0;
    int rc = 0;
    char *what = NULL;
    if (a->sp && a->client_id && a->tenant) {
        what = atmos_strfmt("service principal %s", a->client_id);
        rc =
            what &&
                    atmos_cloud_add_json(c, "Azure CLI tokens", az_file(c, "msal_token_cache.json"),
                                         &atmos_azure_sp_rule, what, a->client_id, a->tenant, NULL, provider) &&
                    atmos_cloud_add_json(c, "Azure CLI service principal",
                                         az_file(c, "service_principal_entries.json"),
                                         &atmos_azure_sp_entry_rule, what, a->client_id, a->tenant, NULL,
                                         provider)
                ? 0
                : ATMOS_ENOMEM;
    } else if (!a->sp && (a->home_account_id || a->oid_tid)) {
        /* One account, one item: the home account id, and <oid>.<tenant> only when it differs
         * (a guest user), whichever file of atmos's it was learnt from. */
        const char *id = a->home_account_id ? a->home_account_id : a->oid_tid;
        const char *alt = a->oid_tid && strcmp(a->oid_tid, id) != 0 ? a->oid_tid : NULL;
        what = atmos_strfmt("account %s", id);
        rc =
            what && atmos_cloud_add_json(c, "Azure CLI tokens", az_file(c, "msal_token_cache.json"),
                                         &atmos_azure_user_rule, what, id, alt, NULL, provider)
                ? 0
                : ATMOS_ENOMEM;
        char *dir = rc == 0 && realm ? atmos_dir(c, realm) : NULL;
        if (dir)
            rc = atmos_cloud_add_json(c, "atmos MSAL cache",
                                      atmos_path_join(dir, "msal_token_cache.json"), &atmos_azure_user_rule,
                                      what, id, alt, NULL, provider)
                     ? 0
                     : ATMOS_ENOMEM;
        free(dir);
    }
    free(what);
    if (rc == 0)
        rc = add_subscription(c, a, a->subscription, provider);
    return rc;
}

/* The account of a JSON file of atmos's (credentials.json, token.json); 0 when none. */
static int read_account(const struct atmos_cloud_ctx *c, const char *path, struct atmos_azure_account *a)
{
    json_object *f = path ? atmos_cloud_read_json(c, path) : NULL;
    int rc = f ? atmos_azure_account_from(f, a) : 0;
    if (f == NULL)
        memset(a, 0, sizeof(*a));
    json_object_put(f);
    return rc;
}

static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    const struct atmos_identity *id = atmos_config_identity(c->cfg, name);
    const char *sub = id ? atmos_spec_value(&id->spec, "principal.subscription_id") : NULL;
    if (chain->provider == NULL)
        return 0;
    char *dir = atmos_dir(c, c->realm);
    char *creds = dir ? atmos_strfmt("%s/%s/credentials.json", dir, chain->provider) : NULL;
    struct atmos_azure_account a;
    memset(&a, 0, sizeof(a));
    int rc = creds ? read_account(c, creds, &a) : ATMOS_ENOMEM;
    const struct atmos_provider *p = chain->provider_cfg;
    free(dir);
    /* az minted an azure/cli login: its entries in az's files are az's own. */
    a.from_cli |= from_az(c, p);
    if (rc == 0)
        rc = add_subscription(c, &a, sub, chain->provider);
    /* credentials.json is the provider's, rewritten by each identity's login:
     * it is this identity's when it holds this identity's subscription. */
    if (rc == 0 && sub && a.subscription && strcmp(a.subscription, sub) == 0) {
        rc = atmos_cloud_add(c, ATMOS_ITEM_FILE, "atmos credentials", creds, name, chain->provider)
                 ? 0
                 : ATMOS_ENOMEM;
        creds = NULL;
    }
    free(creds);
    atmos_azure_account_free(&a);
    return rc;
}

/*
 * Whether the realm's MSAL cache (~/.azure/atmos/<realm>/msal_token_cache.json) goes whole
 * with provider `name`: only azure/device-code writes it (providers/azure/device_code.go,
 * NewMSALCache("", realm)), a file of atmos's alone, which atmos's later logouts remove
 * whole (cloudposse/atmos#3087).  Whole when every device-code provider of the
 * configuration goes in this plan; else only this provider's account, since the others'
 * tokens share the file.
 */
static int msal_cache_whole(const struct atmos_cloud_ctx *c, const char *name,
                            const struct atmos_provider *p)
{
    static const char kind[] = "azure/device-code";
    if (c->realm == NULL || c->realm[0] == '\0' || c->cfg == NULL || p == NULL ||
        p->kind.value == NULL || strcmp(p->kind.value, kind) != 0)
        return 0;
    for (size_t i = 0; i < c->cfg->nproviders; i++) {
        const struct atmos_provider *o = &c->cfg->providers[i];
        if (o->problem || o->kind.value == NULL || strcmp(o->kind.value, kind) != 0 ||
            strcmp(o->name, name) == 0)
            continue;
        int going = 0;
        for (size_t k = 0; !going && k < c->plan->nproviders; k++)
            going = strcmp(c->plan->providers[k], o->name) == 0;
        if (!going)
            return 0;
    }
    return 1;
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    char *dir = atmos_dir(c, c->realm);
    char *pdir = dir ? atmos_path_join(dir, name) : NULL;
    char *creds = pdir ? atmos_path_join(pdir, "credentials.json") : NULL;
    char *token = device_code_token(c, name);
    struct atmos_azure_account acc[2];
    int rc = ATMOS_ENOMEM, n = 0;
    int cli = from_az(c, p);
    memset(acc, 0, sizeof(acc));
    if (!creds || !token || read_account(c, creds, &acc[0]) != 0 ||
        read_account(c, token, &acc[1]) != 0)
        goto done;
    n = 2;
    int whole = msal_cache_whole(c, name, p);
    if (whole && !atmos_cloud_add(c, ATMOS_ITEM_FILE, "atmos MSAL cache",
                                  atmos_path_join(dir, "msal_token_cache.json"), NULL, name))
        goto done;
    for (int i = 0; i < n; i++) {
        acc[i].from_cli |= cli;
        if (add_account(c, &acc[i], whole ? NULL : c->realm, name) != 0)
            goto done;
        /* The subscriptions of the provider's identities, as that account. */
        for (size_t k = 0; k < c->plan->nidentities; k++) {
            const struct atmos_identity *id = atmos_config_identity(c->cfg, c->plan->identities[k]);
            int mine = id && !id->problem && id->root && strcmp(id->root, name) == 0;
            if (mine && add_subscription(c, &acc[i],
                                         atmos_spec_value(&id->spec, "principal.subscription_id"),
                                         name) != 0)
                goto done;
        }
    }
    struct atmos_item *it =
        atmos_cloud_add(c, ATMOS_ITEM_FILE, "device-code token cache", token, NULL, name);
    token = NULL;
    if (it == NULL)
        goto done;
    it->u.file.prune_parent = 1;
    rc = atmos_cloud_add_dir(c, &provider_dir, pdir, NULL, name) ? 0 : ATMOS_ENOMEM;
    pdir = NULL;
done:
    for (int i = 0; i < 2; i++)
        atmos_azure_account_free(&acc[i]);
    free(dir);
    free(pdir);
    free(creds);
    free(token);
    return rc;
}

/* --- discovery ------------------------------------------------------------ */

/* <dir>/<name>/ holding credentials.json: a provider directory, and its account. */
static int found_provider(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                          void *realm)
{
    if (!atmos_realm_like(name) || atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return 0;
    char *pdir = atmos_path_join(dir, name);
    char *creds = pdir ? atmos_path_join(pdir, "credentials.json") : NULL;
    struct atmos_azure_account a;
    int rc = ATMOS_ENOMEM;
    memset(&a, 0, sizeof(a));
    if (creds == NULL || read_account(c, creds, &a) != 0)
        goto done;
    rc = 0;
    if (a.tenant == NULL && a.oid_tid == NULL)
        goto done; /* not a provider directory (or nothing to learn from it) */
    rc = add_account(c, &a, NULL, name) == 0 &&
                 atmos_cloud_add_dir(c, &provider_dir, pdir, NULL, name) &&
                 atmos_strv_push(&c->plan->providers, &c->plan->nproviders, name) == 0
             ? 0
             : ATMOS_ENOMEM;
    pdir = NULL;
    (void)realm;
done:
    atmos_azure_account_free(&a);
    free(pdir);
    free(creds);
    return rc;
}

/* ~/.azure/atmos/<entry>: a realm-less provider directory, or a realm. */
static int found_top(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                     void *arg)
{
    (void)arg;
    size_t before = c->plan->nitems;
    if (found_provider(c, dirfd, dir, name, NULL) != 0)
        return ATMOS_ENOMEM;
    if (c->plan->nitems != before || !atmos_realm_like(name) ||
        atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return 0;
    char *realm = atmos_path_join(dir, name);
    int rc = realm ? atmos_cloud_each_entry(c, realm, found_provider, (void *)name) : ATMOS_ENOMEM;
    /* The realm's own MSAL cache: atmos's file, all of it session data. */
    if (rc == 0)
        rc = atmos_cloud_add(c, ATMOS_ITEM_FILE, "atmos MSAL cache",
                             atmos_path_join(realm, "msal_token_cache.json"), NULL, NULL)
                 ? 0
                 : ATMOS_ENOMEM;
    free(realm);
    return rc;
}

static int found_token(struct atmos_cloud_ctx *c, int dirfd, const char *dir, const char *name,
                       void *arg)
{
    (void)arg;
    if (atmos_cloud_type(c, dirfd, name) != S_IFDIR)
        return 0;
    char *token = atmos_strfmt("%s/%s/token.json", dir, name);
    struct atmos_azure_account a;
    memset(&a, 0, sizeof(a));
    int rc = token ? read_account(c, token, &a) : ATMOS_ENOMEM;
    if (rc == 0)
        rc = add_account(c, &a, NULL, name);
    atmos_azure_account_free(&a);
    struct atmos_item *it =
        rc == 0 ? atmos_cloud_add(c, ATMOS_ITEM_FILE, "device-code token cache", token, NULL, name)
                : NULL;
    if (it == NULL) {
        if (rc == 0)
            return ATMOS_ENOMEM;
        free(token);
        return rc;
    }
    it->u.file.prune_parent = 1;
    return 0;
}

static int discover(struct atmos_cloud_ctx *c)
{
    char *dir = atmos_dir(c, NULL);
    char *cache = atmos_path_atmos_cache(c->env);
    char *dc = cache ? atmos_path_join(cache, "azure-device-code") : NULL;
    int rc = dir && dc && atmos_cloud_each_entry(c, dir, found_top, NULL) == 0 &&
                     atmos_cloud_each_entry(c, dc, found_token, NULL) == 0
                 ? 0
                 : ATMOS_ENOMEM;
    free(dir);
    free(cache);
    free(dc);
    return rc;
}

/* --- realms --------------------------------------------------------------- */

/* ~/.azure/atmos/<realm>/: atmos's MSAL cache and provider directories (azure/files.go). */
static const struct atmos_dir_entry realm_entries[] = {
    {.name = "msal_token_cache.json", .type = ATMOS_DIR_FILE},
    {.name = "*", .type = ATMOS_DIR_NESTED, .sub = &provider_rule},
    {.name = NULL},
};
static const struct atmos_dir_rule realm_rule = {.entries = realm_entries};
static const struct atmos_realm_place realm_place = {.sub = NULL,
                                                     .rule = &realm_rule,
                                                     .dir_label = "provider directory",
                                                     .file_label = "atmos MSAL cache"};

static int realm_places(struct atmos_cloud_ctx *c, atmos_place_fn fn, void *arg)
{
    return fn(c, atmos_dir(c, NULL), &realm_place, arg);
}

/*
 * --status: atmos's credentials.json "expiration" (atmos pkg/auth/cloud/azure/files.go
 * WriteCredentials of types/azure_credentials.go AzureCredentials); an MSAL cache's
 * AccessToken entries' "expires_on", Unix seconds in a string (cloud/azure/setup.go, as
 * MSAL writes them; a refresh token records none); the device-code cache's "expiresAt"
 * (providers/azure/device_code_cache.go).  A service principal entry records none.
 */
static const struct atmos_expiry expiries[] = {
    {.label = "provider directory", .format = ATMOS_EXPIRY_JSON, .file = "credentials.json",
     .keys = (const char *const[]){"expiration", NULL}, .field = "expiration"},
    {.label = "atmos credentials", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"expiration", NULL}, .field = "expiration"},
    {.label = "atmos MSAL cache", .format = ATMOS_EXPIRY_JSON, .each = "AccessToken",
     .keys = (const char *const[]){"expires_on", NULL}, .unix_time = 1, .field = "expires_on"},
    {.label = "Azure CLI tokens", .format = ATMOS_EXPIRY_JSON, .each = "AccessToken",
     .keys = (const char *const[]){"expires_on", NULL}, .unix_time = 1, .field = "expires_on"},
    {.label = "device-code token cache", .format = ATMOS_EXPIRY_JSON,
     .keys = (const char *const[]){"expiresAt", NULL}, .field = "expiresAt"},
    {.label = "Azure CLI subscription", .format = ATMOS_EXPIRY_NONE},
    {.label = "Azure CLI service principal", .format = ATMOS_EXPIRY_NOT_WRITTEN},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_azure = {.name = "azure",
                                              .display = "Azure",
                                              .kinds = kinds,
                                              .identity = identity,
                                              .provider = provider,
                                              .discover = discover,
                                              .realm_places = realm_places,
                                              .expiries = expiries};

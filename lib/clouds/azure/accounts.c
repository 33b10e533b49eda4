/*
 * Which account an Azure login of atmos's is for, and which entries of the
 * Azure CLI's files are that account's (clouds/azure/azure.h).
 *
 * MUST: read tokens only to learn the account (oid, tenant, user name),
 * never log or keep them.
 */
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>
#include <nettle/base64.h>

#include "base/strings.h"
#include "base/limits.h"
#include "clouds/azure/azure.h"
#include "formats/jsonverdict.h"

void atmos_azure_account_free(struct atmos_azure_account *a)
{
    free(a->home_account_id);
    free(a->oid_tid);
    free(a->tenant);
    free(a->client_id);
    free(a->subscription);
    free(a->username);
    memset(a, 0, sizeof(*a));
}

static const char *str(json_object *o, const char *key)
{
    json_object *v;
    if (o && json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) &&
        json_object_is_type(v, json_type_string) && json_object_get_string_len(v) > 0)
        return json_object_get_string(v);
    return NULL;
}

/* The whole string, as msal and az compare it: "O1.T1\u0000x" is not "O1.T1". */
static int same_str(json_object *o, const char *key, const char *want)
{
    json_object *v;
    const char *s = str(o, key);
    return s && want && json_object_object_get_ex(o, key, &v) &&
           (size_t)json_object_get_string_len(v) == strlen(want) && strcmp(s, want) == 0;
}

/* The claims of a JWT (its middle part, base64url), or NULL. */
static json_object *jwt_claims(const char *token)
{
    const char *a = token ? strchr(token, '.') : NULL;
    const char *b = a ? strchr(a + 1, '.') : NULL;
    if (b == NULL || (size_t)(b - a - 1) > ATMOS_JWT_MAX_BYTES)
        return NULL;
    size_t n = (size_t)(b - a - 1);
    char *padded = malloc(n + 4);
    uint8_t *out = malloc(BASE64_DECODE_LENGTH(n + 4) + 1);
    json_object *o = NULL;
    if (padded && out) {
        memcpy(padded, a + 1, n);
        while (n % 4)
            padded[n++] = '=';
        struct base64_decode_ctx ctx;
        size_t len = BASE64_DECODE_LENGTH(n);
        base64url_decode_init(&ctx);
        if (base64_decode_update(&ctx, &len, out, n, padded) && base64_decode_final(&ctx)) {
            out[len] = '\0';
            o = json_tokener_parse((const char *)out);
            if (o && !json_object_is_type(o, json_type_object)) {
                json_object_put(o);
                o = NULL;
            }
        }
    }
    free(padded);
    free(out);
    return o;
}

/* Fill `a` from atmos's credentials.json or the device-code token.json (camelCase). */
int atmos_azure_account_from(json_object *f, struct atmos_azure_account *a)
{
    const char *token = str(f, "access_token") ? str(f, "access_token") : str(f, "accessToken");
    const char *tenant = str(f, "tenant_id") ? str(f, "tenant_id") : str(f, "tenantId");
    const char *sub =
        str(f, "subscription_id") ? str(f, "subscription_id") : str(f, "subscriptionId");
    json_object *claims = jwt_claims(token), *sp;
    const char *oid = str(claims, "oid"), *tid = str(claims, "tid");
    const char *user = str(claims, "upn")           ? str(claims, "upn")
                       : str(claims, "unique_name") ? str(claims, "unique_name")
                                                    : str(claims, "email");
    memset(a, 0, sizeof(*a));
    if (tenant == NULL)
        tenant = tid;
    a->sp =
        json_object_object_get_ex(f, "is_service_principal", &sp) && json_object_get_boolean(sp);
    a->from_cli = same_str(f, "auth_method", "cli");
    int bad = (tenant && (a->tenant = strdup(tenant)) == NULL) ||
              (sub && (a->subscription = strdup(sub)) == NULL) ||
              (user && (a->username = strdup(user)) == NULL) ||
              (str(f, "client_id") && (a->client_id = strdup(str(f, "client_id"))) == NULL) ||
              (str(f, "home_account_id") &&
               (a->home_account_id = strdup(str(f, "home_account_id"))) == NULL) ||
              (oid && tenant && (a->oid_tid = atmos_strfmt("%s.%s", oid, tenant)) == NULL);
    json_object_put(claims);
    return bad ? ATMOS_ENOMEM : ATMOS_OK;
}

/* --- the rules: which entries of az's files belong to an account -------- */

/* m0: MSAL home_account_id, m1: <oid>.<tenant>. */
static int match_user(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                      json_object *e)
{
    (void)key;
    (void)key_len;
    return same_str(e, "home_account_id", ids[0]) || same_str(e, "home_account_id", ids[1]);
}

/* m0: client id, m1: tenant.  A service principal's entries have no home account. */
static int match_sp(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                    json_object *e)
{
    if (!same_str(e, "client_id", ids[0]))
        return 0;
    if (key && key_len >= 12 && memcmp(key, "appmetadata-", 12) == 0)
        return 1;
    return str(e, "home_account_id") == NULL && same_str(e, "realm", ids[1]);
}

/* m0: subscription id, m1: tenant, m2: user name (NULL: any). */
static int match_subscription(const char *const ids[ATMOS_JSON_IDS], const char *key,
                              size_t key_len, json_object *e)
{
    (void)key;
    (void)key_len;
    json_object *user = NULL;
    json_object_object_get_ex(e, "user", &user);
    return same_str(e, "id", ids[0]) && same_str(e, "tenantId", ids[1]) &&
           (ids[2] == NULL || same_str(user, "name", ids[2]));
}

/* m0: client id, m1: tenant. */
static int match_sp_entry(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                          json_object *e)
{
    (void)key;
    (void)key_len;
    return same_str(e, "client_id", ids[0]) && same_str(e, "tenant", ids[1]);
}

static const char *const msal_user_sections[] = {"AccessToken", "RefreshToken", "IdToken",
                                                 "Account", NULL};
static const char *const msal_sp_sections[] = {"AccessToken", "AppMetadata", NULL};
static const char *const subscriptions[] = {"subscriptions", NULL};
static const char *const root_array[] = {NULL};

/* MSAL caches: msal-extensions (the Azure CLI) also creates <file>.lockfile to change them
 * (CrossPlatLock, which takes over one left for 5 s: atmos_fs_lock_lockfile). */
static const char *const user_fields[] = {"home_account_id", NULL};
static const char *const sp_fields[] = {"client_id", "home_account_id", "realm", NULL};
static const char *const subscription_fields[] = {"id", "tenantId", "user", "user.name", NULL};
static const char *const sp_entry_fields[] = {"client_id", "tenant", NULL};
const struct atmos_json_rule atmos_azure_user_rule = {.containers = msal_user_sections,
                                                 .ids = {"home_account_id", "oid.tenant"},
                                                 .lockfile = 1,
                                                 .match = match_user,
                                                 .fields = user_fields,
                                                 .tool = "MSAL (the Azure CLI)",
                                                 .check = atmos_msal_check};
const struct atmos_json_rule atmos_azure_sp_rule = {.containers = msal_sp_sections,
                                               .ids = {"client id", "tenant"},
                                               .lockfile = 1,
                                               .match = match_sp,
                                               .fields = sp_fields,
                                               .tool = "MSAL (the Azure CLI)",
                                               .check = atmos_msal_check};
const struct atmos_json_rule atmos_azure_subscription_rule = {
    .containers = subscriptions,
    .ids = {"subscription id", "tenant", "user name"},
    .match = match_subscription,
    .fields = subscription_fields};
const struct atmos_json_rule atmos_azure_sp_entry_rule = {.containers = root_array,
                                                     .ids = {"client id", "tenant"},
                                                     .match = match_sp_entry,
                                                     .fields = sp_entry_fields};

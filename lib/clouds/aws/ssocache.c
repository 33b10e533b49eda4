/*
 * AWS CLI SSO cache files, parsed with json-c.  Only a JSON object holding an
 * accessToken and exactly the provider's startUrl is ours; anything else,
 * including files that do not parse, is left alone.
 */
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "clouds/aws/ssocache.h"
#include "base/limits.h"

/* The whole of `data` as one JSON object, as the AWS CLI reads it; NULL otherwise. */
static json_object *parse_object(const char *data, size_t len)
{
    if (len > ATMOS_TOKEN_FILE_MAX_BYTES || len > (size_t)INT32_MAX)
        return NULL;
    json_tokener *tok = json_tokener_new_ex(64);
    if (tok == NULL)
        return NULL;
    json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
    int ok = obj && json_tokener_get_error(tok) == json_tokener_success &&
             json_object_is_type(obj, json_type_object);
    /* Trailing non-space bytes make the file unparseable for the AWS CLI too. */
    for (size_t i = ok ? json_tokener_get_parse_end(tok) : len; i < len; i++)
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
            ok = 0;
    json_tokener_free(tok);
    if (!ok) {
        json_object_put(obj);
        return NULL;
    }
    return obj;
}

int atmos_sso_role_credentials(const char *data, size_t len)
{
    json_object *obj = parse_object(data, len), *pt = NULL;
    int yes = obj && json_object_object_get_ex(obj, "ProviderType", &pt) &&
              json_object_is_type(pt, json_type_string) &&
              strcmp(json_object_get_string(pt), "sso") == 0;
    json_object_put(obj);
    return yes;
}

enum atmos_sso_match atmos_sso_match(const char *data, size_t len, const char *start_url)
{
    json_object *obj = parse_object(data, len);
    if (obj == NULL)
        return ATMOS_SSO_UNPARSEABLE;
    enum atmos_sso_match m = ATMOS_SSO_OTHER;
    json_object *at = NULL, *su = NULL;
    if (json_object_object_get_ex(obj, "accessToken", &at) &&
        json_object_object_get_ex(obj, "startUrl", &su) &&
        json_object_is_type(su, json_type_string) &&
        (size_t)json_object_get_string_len(su) == strlen(start_url) &&
        memcmp(json_object_get_string(su), start_url, strlen(start_url)) == 0)
        m = ATMOS_SSO_MATCH;
    json_object_put(obj);
    return m;
}

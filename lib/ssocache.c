/*
 * AWS CLI SSO cache files, parsed with json-c.  Only a JSON object holding an
 * accessToken and exactly the provider's startUrl is ours; anything else,
 * including files that do not parse, is left alone.
 */
#include <stdint.h>
#include <string.h>

#include <json-c/json.h>

#include "ssocache.h"

enum atmos_sso_match atmos_sso_match(const char *data, size_t len, const char *start_url)
{
    if (len > ATMOS_SSO_MAX_BYTES || len > (size_t)INT32_MAX)
        return ATMOS_SSO_UNPARSEABLE;
    json_tokener *tok = json_tokener_new_ex(64);
    if (tok == NULL)
        return ATMOS_SSO_UNPARSEABLE;
    enum atmos_sso_match m = ATMOS_SSO_UNPARSEABLE;
    json_object *obj = json_tokener_parse_ex(tok, data, (int)len);
    if (obj == NULL || json_tokener_get_error(tok) != json_tokener_success)
        goto done;
    /* Trailing non-space bytes make the file unparseable for the AWS CLI too. */
    for (size_t i = json_tokener_get_parse_end(tok); i < len; i++)
        if (data[i] != ' ' && data[i] != '\t' && data[i] != '\n' && data[i] != '\r')
            goto done;
    if (!json_object_is_type(obj, json_type_object))
        goto done;
    m = ATMOS_SSO_OTHER;
    json_object *at = NULL, *su = NULL;
    if (json_object_object_get_ex(obj, "accessToken", &at) &&
        json_object_object_get_ex(obj, "startUrl", &su) && json_object_is_type(su, json_type_string) &&
        (size_t)json_object_get_string_len(su) == strlen(start_url) &&
        memcmp(json_object_get_string(su), start_url, strlen(start_url)) == 0)
        m = ATMOS_SSO_MATCH;
done:
    json_object_put(obj);
    json_tokener_free(tok);
    return m;
}

/*
 * Recognising AWS CLI SSO token cache files.
 */
#ifndef ATMOS_SSOCACHE_H
#define ATMOS_SSOCACHE_H

#include <stddef.h>

enum atmos_sso_match {
    ATMOS_SSO_MATCH,       /* a JSON object with accessToken and this startUrl */
    ATMOS_SSO_OTHER,       /* a JSON object, but not a token for this startUrl */
    ATMOS_SSO_UNPARSEABLE, /* not JSON, or not an object */
};


enum atmos_sso_match atmos_sso_match(const char *data, size_t len, const char *start_url);

/* A JSON object with "ProviderType": "sso": role credentials botocore cached from SSO. */
int atmos_sso_role_credentials(const char *data, size_t len);

#endif

/*
 * libFuzzer target: the AWS CLI SSO cache matcher (json-c).  Any bytes must
 * give match, other or unparseable without a crash; a match must really be a
 * JSON object naming the start URL and holding an accessToken.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "clouds/aws/ssocache.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char url[] = "https://x.awsapps.com/start";
    enum atmos_sso_match m = atmos_sso_match((const char *)data, size, url);
    if (m == ATMOS_SSO_MATCH &&
        (memmem(data, size, "accessToken", 11) == NULL || size < sizeof(url) - 1))
        abort();
    return 0;
}

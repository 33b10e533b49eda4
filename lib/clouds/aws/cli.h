/*
 * Reading the AWS CLI's config file: the role-credential cache files botocore
 * made from an SSO login.
 */
#ifndef ATMOS_AWSCLI_H
#define ATMOS_AWSCLI_H

#include <stddef.h>


/*
 * The cache keys of every profile in an AWS CLI config file (`data`) whose
 * start URL, direct or through its [sso-session], is `start_url`: a malloc'd
 * array of hex strings.  *bad_line is the first line that is not INI (0: none);
 * the profiles of the other lines are still read.  0, or -1 on allocation failure.
 */
int atmos_awscli_role_keys(const char *data, size_t len, const char *start_url, char ***hexes,
                           size_t *n, unsigned *bad_line);

#endif

/*
 * The AWS CLI's caches an SSO login leaves (clouds/aws/files.c), planned as
 * checked files for the AWS cloud (clouds/aws/aws.c).
 */
#ifndef ATMOS_CLOUD_AWS_FILES_H
#define ATMOS_CLOUD_AWS_FILES_H

#include "clouds/cloud.h"

/*
 * The token files one hook planned (indexes into plan->items: adding items
 * moves the array), signed out once they are all planned (add_signouts).
 */
struct atmos_aws_tokens {
    size_t *v;
    size_t n;
};

/* An AWS CLI SSO token file: its startUrl (or start_url) is the item's u.file.arg. */
extern const struct atmos_file_check atmos_aws_sso_token;

/* Note `it` in `t` when it is new (items[before..]); ATMOS_ENOMEM when it is NULL. */
int atmos_aws_note_token(struct atmos_cloud_ctx *c, struct atmos_aws_tokens *t, size_t before,
                         const struct atmos_item *it);
/* A CHECKED_FILE item for the AWS CLI's file `path`; takes ownership of `path`. */
struct atmos_item *atmos_aws_add_checked(struct atmos_cloud_ctx *c, const char *label, char *path,
                                         const struct atmos_file_check *check, const char *arg,
                                         const char *provider);
/* Every token of the AWS CLI's SSO cache for start_url (noted in t, to sign out). */
int atmos_aws_scan_sso_cache(struct atmos_cloud_ctx *c, const char *start_url, const char *provider,
                             struct atmos_aws_tokens *t);
/* The role credentials the AWS CLI cached from a login to start_url. */
int atmos_aws_add_role_credentials(struct atmos_cloud_ctx *c, const char *start_url,
                                   const char *provider);

#endif

/*
 * Signing out of IAM Identity Center sessions (see cloud_aws_signout.c).
 */
#ifndef ATMOS_CLOUD_AWS_SIGNOUT_H
#define ATMOS_CLOUD_AWS_SIGNOUT_H

#include <stddef.h>

#include <atmos/env.h>
#include <atmos/log.h>
#include <atmos/plan.h>

struct atmos_signout {
    char *token;  /* the access token: sent, never logged; wiped when freed */
    char *region; /* the token file's region */
    enum atmos_signout_result result;
    char *why; /* FAILED: the reason, no secret */
};

/*
 * The token and region of an SSO token file; with start_url, only a token for it.
 * ATMOS_OK, ATMOS_ABSENT for a file of another start URL, ATMOS_EINVAL for one with no
 * access token, or ATMOS_ENOMEM.
 */
int atmos_signout_read(const char *data, size_t len, const char *start_url,
                       struct atmos_signout *out);
/* The Logout endpoint for a region (malloc'd). */
char *atmos_signout_url(const struct atmos_env *env, const char *region);
void atmos_signout_free(struct atmos_signout *s);

/* The AWS sign-out kind's start and finish (struct atmos_signout_kind). */
struct atmos_http_batch;
void *atmos_aws_signout_start(struct atmos_item **items, size_t n, const char *home,
                              const struct atmos_exec_opts *opts, struct atmos_http_batch *http);
void atmos_aws_signout_finish(void *state, const struct atmos_http_batch *http);

#endif

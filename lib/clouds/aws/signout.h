/*
 * Signing out of IAM Identity Center sessions (see clouds/aws/signout.c).
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


/* The AWS sign-out kind's start and finish (struct atmos_signout_kind). */
struct atmos_http_batch;
void *atmos_aws_signout_start(struct atmos_item **items, size_t n, const char *home,
                              const struct atmos_exec_opts *opts, struct atmos_http_batch *http);
void atmos_aws_signout_finish(void *state, const struct atmos_http_batch *http);

#endif

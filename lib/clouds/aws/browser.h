/*
 * The AWS browser logins' session data (clouds/aws/browser.c), for clouds/aws/aws.c.
 */
#ifndef ATMOS_CLOUD_AWS_BROWSER_H
#define ATMOS_CLOUD_AWS_BROWSER_H

#include <stddef.h>

#include "clouds/cloud.h"

/* aws/user: the browser login's refresh token of `identity` in the realm c->realm. */
int atmos_aws_add_refresh_token(struct atmos_cloud_ctx *c, const char *identity);
/* aws/saml: saml2aws's browser state (shared by every aws/saml provider), and the
 * legacy per-provider copy under atmos's cache. */
int atmos_aws_add_saml_state(struct atmos_cloud_ctx *c, const char *provider);
/* No configuration: every refresh token and legacy browser state under atmos's cache. */
int atmos_aws_discover_browser(struct atmos_cloud_ctx *c);
/* 1: `data` is a Playwright storage state (a JSON object with a "cookies" array). */
int atmos_aws_is_storage_state(const char *data, size_t len);

#endif

/*
 * GitHub's github/sts integration (clouds/github/github.c) and the revocation of its
 * installation tokens (clouds/github/revoke.c).
 */
#ifndef ATMOS_CLOUD_GITHUB_H
#define ATMOS_CLOUD_GITHUB_H

#include <atmos/plan.h>

/* Our own variable: the GitHub REST API's base URL instead of https://api.github.com
 * (https:// only), for a test server or a TLS-inspecting gateway. */
#define ATMOS_GITHUB_API_VAR "ATMOS_LOGOUT_GITHUB_API_URL"


/* The sign-out kind of github/sts: a SIGNOUT item's path is a state.json, its arg the
 * integration's name. */
extern const struct atmos_signout_kind atmos_github_tokens;

/* sanitizePathSegment: `/`, `\`, `:` and `..` become `_`, in one pass (malloc'd). */
char *atmos_github_sanitize(const char *s);

#endif

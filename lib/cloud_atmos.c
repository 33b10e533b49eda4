/*
 * atmos's own kinds: the ones of no cloud.  An ambient identity's
 * credentials come from the environment, and an atmos/pro login is kept in
 * the keychain only, so neither leaves anything on disk for a logout to
 * remove; they are declared so that a logout of them is complete rather than
 * "of an unknown kind".
 */
#include <stddef.h>

#include "cloud.h"

static const struct atmos_kind kinds[] = {
    {.name = "ambient",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_NOTHING_KEPT | ATMOS_KIND_STANDALONE},
    {.name = "atmos/pro",
     .roles = ATMOS_ROLE_PROVIDER | ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_NOTHING_KEPT},
    {.name = NULL},
};

/* <cfg>/atmos/profiles/ holds atmos's configuration profiles (pkg/config/profiles.go):
 * a profile named aws is not a realm's aws/. */
static const char *const not_realms[] = {"profiles", NULL};

/* No hooks: nothing of these kinds is planned but their keychain entries (keyring.c). */
const struct atmos_cloud atmos_cloud_atmos = {
    .name = "atmos", .display = "atmos", .kinds = kinds, .not_realms = not_realms};

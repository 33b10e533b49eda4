/*
 * The engine's own group in reports: keychain entries, whatever cloud they
 * were for (plan/keyring.c plans them).
 */
#include "clouds/cloud.h"

const struct atmos_cloud atmos_cloud_keychain = {.name = "keychain", .display = "Keychain"};

/*
 * The keyring types atmos.yaml and $ATMOS_KEYRING_TYPE name
 * (pkg/auth/credentials/store.go).
 */
#include <stddef.h>
#include <string.h>

#include <atmos/error.h>
#include <atmos/keyring.h>

static const char *const names[] = {"system", "file", "keyctl", "memory", "noop"};

int atmos_keyring_parse(const char *name, enum atmos_keyring *out)
{
    for (size_t i = 0; i < sizeof(names) / sizeof(*names); i++) {
        if (strcmp(name, names[i]) == 0) {
            *out = (enum atmos_keyring)i;
            return ATMOS_OK;
        }
    }
    return ATMOS_EINVAL;
}

const char *atmos_keyring_name(enum atmos_keyring k)
{
    return (size_t)k < sizeof(names) / sizeof(*names) ? names[k] : "?";
}

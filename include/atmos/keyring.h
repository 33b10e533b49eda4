/*
 * Keychain backends and entry names.
 *
 * atmos keeps long-lived credentials in a keyring under names
 * atmos_<realm>_<alias> (atmos_<alias> without a realm), alias being an
 * identity or provider name.  Backends:
 *  - system: the Secret Service (D-Bus), items with attributes
 *    service=<key>, username=atmos-auth, in any collection;
 *  - file:   ${ATMOS_XDG_DATA_HOME:-${XDG_DATA_HOME:-~/.local/share}}/atmos/keyring/<key>,
 *            '%' and '/' percent-encoded;
 *  - keyctl: the Linux kernel keyring: a keyring "atmos-auth" linked into the
 *            user's persistent keyring (else the user keyring), holding "user"
 *            keys described by the key name;
 *  - memory, noop: nothing persistent.
 */
#ifndef ATMOS_KEYRING_H
#define ATMOS_KEYRING_H

#include <stddef.h>

enum atmos_keyring {
    ATMOS_KEYRING_SYSTEM,
    ATMOS_KEYRING_FILE,
    ATMOS_KEYRING_KEYCTL,
    ATMOS_KEYRING_MEMORY,
    ATMOS_KEYRING_NOOP,
};

#define ATMOS_KEYRING_USER "atmos-auth"

/* ATMOS_OK and *out set, or ATMOS_EINVAL for an unknown name. */
int atmos_keyring_parse(const char *name, enum atmos_keyring *out);
const char *atmos_keyring_name(enum atmos_keyring k);

#endif

/*
 * The kernel keyring backend (libkeyutils).
 *
 * Layout, documented for users and other tools: a keyring of type "keyring"
 * described "atmos-auth", linked into the user's persistent keyring (or the
 * user keyring where persistent keyrings are unavailable), holding "user"
 * keys described by the entry name:
 *     keyctl padd user atmos_dev-admin %:atmos-auth < secret
 * Deleting a key invalidates it.  Only direct "user" children of atmos-auth
 * with exactly the entry name are touched; nothing else in any keyring.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>

#include "internal.h"
#include "keyring_internal.h"

/* The atmos-auth keyrings reachable from the persistent and the user keyring. */
static size_t find_rings(key_serial_t rings[2], const struct atmos_logger *lg)
{
    size_t n = 0;
    /* The persistent keyring is linked into our process keyring, which dies with us. */
    key_serial_t roots[2] = {keyctl_get_persistent(-1, KEY_SPEC_PROCESS_KEYRING),
                             keyctl_get_keyring_ID(KEY_SPEC_USER_KEYRING, 0)};
    if (roots[0] < 0)
        atmos_log(lg, ATMOS_LOG_DEBUG, "no persistent keyring (%s); using the user keyring",
                  strerror(errno));
    for (int i = 0; i < 2; i++) {
        if (roots[i] < 0)
            continue;
        long r = keyctl_search(roots[i], "keyring", ATMOS_KEYRING_USER, 0);
        if (r >= 0 && (n == 0 || rings[0] != (key_serial_t)r))
            rings[n++] = (key_serial_t)r;
    }
    return n;
}

/* The direct "user" child of `ring` described exactly `name`, or -1. */
static key_serial_t find_key(key_serial_t ring, const char *name)
{
    void *buf = NULL;
    long len = keyctl_read_alloc(ring, &buf);
    key_serial_t found = -1;
    for (long i = 0; len > 0 && found < 0 && i < len / (long)sizeof(key_serial_t); i++) {
        key_serial_t id = ((key_serial_t *)buf)[i];
        char *desc = NULL;
        if (keyctl_describe_alloc(id, &desc) < 0)
            continue;
        /* "type;uid;gid;perm;description" */
        const char *d = desc;
        for (int f = 0; f < 4 && d; f++) {
            d = strchr(d, ';');
            if (d)
                d++;
        }
        if (strncmp(desc, "user;", 5) == 0 && d && strcmp(d, name) == 0)
            found = id;
        free(desc);
    }
    free(buf);
    return found;
}

void atmos_keyctl_run(struct atmos_item **items, size_t n, int dry_run,
                      const struct atmos_logger *lg)
{
    key_serial_t rings[2];
    size_t nr = find_rings(rings, lg);
    for (size_t i = 0; i < n; i++) {
        struct atmos_item *it = items[i];
        it->outcome = ATMOS_OUTCOME_ABSENT;
        for (size_t r = 0; r < nr; r++) {
            key_serial_t k = find_key(rings[r], it->u.keyring.key);
            if (k < 0)
                continue;
            if (dry_run) {
                it->outcome = ATMOS_OUTCOME_WOULD_REMOVE;
            } else if (keyctl_invalidate(k) == 0) {
                atmos_log(lg, ATMOS_LOG_DEBUG, "Removed kernel key key=%s", it->u.keyring.key);
                it->outcome = ATMOS_OUTCOME_REMOVED;
            } else {
                it->outcome = ATMOS_OUTCOME_FAILED;
                free(it->error);
                it->error = atmos_strfmt("kernel key %s: %s", it->u.keyring.key, strerror(errno));
            }
        }
    }
}

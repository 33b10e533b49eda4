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
 *
 * libkeyutils is loaded when a keyctl entry is looked for, as libsecret and
 * libcurl are: the logouts that touch no kernel key (nearly all of them) do
 * not pay for mapping it (about 70 us of every run, most of it page faults).
 */
#include <dlfcn.h>
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <keyutils.h>

#include "base/strings.h"
#include "sys/keyrings.h"

#define LIBKEYUTILS "libkeyutils.so.1"

/* What we call of libkeyutils, typed from its header. */
struct keyutils {
    __typeof__(keyctl_get_persistent) *get_persistent;
    __typeof__(keyctl_get_keyring_ID) *get_keyring_id;
    __typeof__(keyctl_search) *search;
    __typeof__(keyctl_read_alloc) *read_alloc;
    __typeof__(keyctl_describe_alloc) *describe_alloc;
    __typeof__(keyctl_invalidate) *invalidate;
};

/* NULL, or why the library is not usable (then *h is NULL). */
static const char *load(void **h, struct keyutils *k)
{
    *h = dlopen(LIBKEYUTILS, RTLD_NOW | RTLD_LOCAL);
    if (*h == NULL)
        return LIBKEYUTILS " is not installed";
    k->get_persistent = (__typeof__(k->get_persistent))dlsym(*h, "keyctl_get_persistent");
    k->get_keyring_id = (__typeof__(k->get_keyring_id))dlsym(*h, "keyctl_get_keyring_ID");
    k->search = (__typeof__(k->search))dlsym(*h, "keyctl_search");
    k->read_alloc = (__typeof__(k->read_alloc))dlsym(*h, "keyctl_read_alloc");
    k->describe_alloc = (__typeof__(k->describe_alloc))dlsym(*h, "keyctl_describe_alloc");
    k->invalidate = (__typeof__(k->invalidate))dlsym(*h, "keyctl_invalidate");
    if (k->get_persistent && k->get_keyring_id && k->search && k->read_alloc && k->describe_alloc &&
        k->invalidate)
        return NULL;
    dlclose(*h);
    *h = NULL;
    return LIBKEYUTILS " lacks a function it should have";
}

/* The atmos-auth keyrings reachable from the persistent and the user keyring. */
static size_t find_rings(const struct keyutils *k, key_serial_t rings[2],
                         const struct atmos_logger *lg)
{
    size_t n = 0;
    /* The persistent keyring is linked into our process keyring, which dies with us. */
    key_serial_t roots[2] = {(key_serial_t)k->get_persistent((uid_t)-1, KEY_SPEC_PROCESS_KEYRING),
                             k->get_keyring_id(KEY_SPEC_USER_KEYRING, 0)};
    if (roots[0] < 0)
        atmos_log(lg, ATMOS_LOG_DEBUG, "no persistent keyring (%s); using the user keyring",
                  strerror(errno));
    for (int i = 0; i < 2; i++) {
        if (roots[i] < 0)
            continue;
        long r = k->search(roots[i], "keyring", ATMOS_KEYRING_USER, 0);
        if (r >= 0 && (n == 0 || rings[0] != (key_serial_t)r))
            rings[n++] = (key_serial_t)r;
    }
    return n;
}

/* The direct "user" child of `ring` described exactly `name`: ATMOS_OK with *key, or
 * ATMOS_ABSENT (none, or the ring could not be read). */
static int find_key(const struct keyutils *k, key_serial_t ring, const char *name,
                    key_serial_t *key)
{
    void *buf = NULL;
    long len = k->read_alloc(ring, &buf);
    int rc = ATMOS_ABSENT;
    for (long i = 0; len > 0 && rc != ATMOS_OK && i < len / (long)sizeof(key_serial_t); i++) {
        key_serial_t id = ((key_serial_t *)buf)[i];
        char *desc = NULL;
        if (k->describe_alloc(id, &desc) < 0)
            continue;
        /* "type;uid;gid;perm;description" */
        const char *d = desc;
        for (int f = 0; f < 4 && d; f++) {
            d = strchr(d, ';');
            if (d)
                d++;
        }
        if (strncmp(desc, "user;", 5) == 0 && d && strcmp(d, name) == 0) {
            *key = id;
            rc = ATMOS_OK;
        }
        free(desc);
    }
    free(buf);
    return rc;
}

void atmos_keyctl_run(struct atmos_item **items, size_t n, int dry_run,
                      const struct atmos_logger *lg)
{
    void *h;
    struct keyutils k = {0};
    const char *why = load(&h, &k);
    key_serial_t rings[2];
    size_t nr = h ? find_rings(&k, rings, lg) : 0;
    for (size_t i = 0; i < n; i++) {
        struct atmos_item *it = items[i];
        it->outcome = ATMOS_OUTCOME_ABSENT;
        if (why) {
            it->outcome = ATMOS_OUTCOME_FAILED;
            free(it->error);
            it->error = atmos_strfmt("kernel key %s: %s", it->u.keyring.key, why);
        }
        for (size_t r = 0; r < nr; r++) {
            key_serial_t key;
            if (find_key(&k, rings[r], it->u.keyring.key, &key) != ATMOS_OK)
                continue;
            if (dry_run) {
                it->outcome = ATMOS_OUTCOME_WOULD_REMOVE;
            } else if (k.invalidate(key) == 0) {
                atmos_log(lg, ATMOS_LOG_DEBUG, "Removed kernel key key=%s", it->u.keyring.key);
                it->outcome = ATMOS_OUTCOME_REMOVED;
            } else {
                it->outcome = ATMOS_OUTCOME_FAILED;
                free(it->error);
                it->error = atmos_strfmt("kernel key %s: %s", it->u.keyring.key, strerror(errno));
            }
        }
    }
    if (h)
        dlclose(h);
}

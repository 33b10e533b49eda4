/*
 * Keyring backends, as the executor calls them.
 */
#ifndef ATMOS_KEYRING_INTERNAL_H
#define ATMOS_KEYRING_INTERNAL_H

#include <atmos/plan.h>

/* Add the keychain entries of the plan's identities and providers, named for `realm`
 * (atmos_<realm>_<name>; NULL: atmos_<name>).  ATMOS_OK, or ATMOS_ENOMEM. */
int atmos_keyring_plan(struct atmos_plan *plan, const struct atmos_config *cfg,
                       const struct atmos_env *env, int keychain, const char *realm);

/* Kernel keyring: find and (unless dry) invalidate each item's key. */
void atmos_keyctl_run(struct atmos_item **items, size_t n, int dry_run,
                      const struct atmos_logger *lg);

/*
 * Secret Service: in a child process that loads libsecret at run time, so the
 * caller never maps GLib; the whole exchange is bounded by timeout_ms.
 */
void atmos_secret_run(struct atmos_item **items, size_t n, int dry_run, int timeout_ms,
                      const struct atmos_logger *lg);

#endif

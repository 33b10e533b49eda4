/*
 * The identities' checks, which need the clouds' kinds: a loaded
 * configuration is finished here (plan/resolve.c).
 */
#ifndef ATMOS_PLAN_RESOLVE_H
#define ATMOS_PLAN_RESOLVE_H

#include <atmos/config.h>

/* After the last merge: validate (atmos_config_validate), then check every identity and
 * its chain; the _logged one says through `lg` which entries are skipped. */
int atmos_config_finish(struct atmos_config *cfg, const struct atmos_env *env,
                        struct atmos_err *err);


/*
 * Whether identity i's chain resolves (atmos_chain_resolve would return
 * ATMOS_OK), found without building it: 1 it does, and each identity on the
 * way gets its root (struct atmos_identity); 0 it does not (ask
 * atmos_chain_resolve why).  state[] and path[] have one entry per identity;
 * state[] starts zeroed and is kept from one call to the next, remembering
 * each identity whose chain resolves: a chain through one stops there, so
 * asking of every identity in turn costs each link once.  Valid while no
 * identity gains a problem other than by its chain failing.
 */
int atmos_chain_good(struct atmos_config *cfg, size_t i, unsigned *state, unsigned *path);

#endif

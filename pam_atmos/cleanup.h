/*
 * What the helper does once it runs as the user: the engine's logout.
 */
#ifndef PAM_ATMOS_CLEANUP_H
#define PAM_ATMOS_CLEANUP_H

#include <pwd.h>
#include <stddef.h>

#include "protocol.h"

/* The helper's arguments: the module's options, as root's PAM configuration set them. */
struct pa_job {
    int debug, dry_run, keychain, revoke;
    int network_clean; /* network_home=clean */
    const char *config;
    const char *identity[PA_MAX_TARGETS];
    int nidentity;
    const char *provider[PA_MAX_TARGETS];
    int nprovider;
    const char *runtime_dir; /* the session's XDG_RUNTIME_DIR, not yet checked */
    const char *revoke_ca_bundle, *revoke_endpoint, *revoke_proxy;
};

struct pa_result {
    enum pa_status status;
    size_t removed, failed, revoked;
    size_t signout_failed; /* sign-outs the server did not confirm: the files went all the same */
    size_t realms; /* the named realms the cleanup covered (the realm-less layout always is) */
};

/* A log line to the module (level 0-3: error, warning, info, debug). */
void pa_log(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

void pa_cleanup(const struct pa_job *j, const struct passwd *pw, struct pa_result *r);

#endif

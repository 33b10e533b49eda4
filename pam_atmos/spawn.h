/*
 * Running the helper for a user: fork, become the user, exec, bounded wait.
 */
#ifndef PAM_ATMOS_SPAWN_H
#define PAM_ATMOS_SPAWN_H

#include <pwd.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "options.h"
#include "protocol.h"

struct pa_outcome {
    int started;         /* the helper was exec'd (or its child ran out of time before) */
    int completed;       /* the helper sent its result */
    int timed_out;       /* killed at the timeout */
    int failed_step;     /* enum pa_step that failed before the helper ran (the step pipe), or 0 */
    int step_errno;      /* its errno */
    int exit_status;     /* the helper's exit status, or -1 */
    int signal;          /* the signal that ended it, or 0 */
    int protocol_error;  /* the result pipe carried something that is not a frame of ours */
    enum pa_status status; /* from the result */
    size_t removed, failed, revoked, signout_failed, realms;
    long duration_ms;
};

/*
 * Run opts->helper for pw (as pw when we are root), its XDG_RUNTIME_DIR
 * candidate from the PAM environment passed on for the helper to check.
 * Its log lines go to syslog, quoted behind a marker (frames.h).  0 with
 * *out filled (out->failed_step when becoming the user failed), or -1 when
 * no child could be started (the helper refused or missing; logged).
 */
int pa_spawn(pam_handle_t *pamh, const struct pa_opts *o, const struct passwd *pw,
             const char *runtime_dir, struct pa_outcome *out);

#endif

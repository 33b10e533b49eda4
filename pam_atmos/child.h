/*
 * The forked, privilege-dropped, time-bounded cleanup (see child.c).
 */
#ifndef PAM_ATMOS_CHILD_H
#define PAM_ATMOS_CHILD_H

#include <pwd.h>
#include <stddef.h>

#include <security/pam_modules.h>

#include "options.h"

struct pa_session {
    pam_handle_t *pamh;
    const struct pa_opts *opts;
    const struct passwd *pw;
    const char *runtime_dir; /* XDG_RUNTIME_DIR from the PAM environment, or NULL */
};

struct pa_outcome {
    int completed;   /* the child reported a result */
    int timed_out;   /* killed at the timeout */
    int drop_failed; /* the child could not become the user */
    size_t removed, failed, revoked;
    char scope[16];
    char detail[256]; /* drop failure reason, or the child's note */
    long duration_ms;
};

/* 0 with *out filled, or -1 when no child could be started. */
int pa_run_child(const struct pa_session *s, struct pa_outcome *out);

#endif

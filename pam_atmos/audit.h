/*
 * One audit event per close that ran, or could not run, a cleanup: the journal with structured fields where
 * journald runs, else one syslog line (LOG_AUTHPRIV).
 */
#ifndef PAM_ATMOS_AUDIT_H
#define PAM_ATMOS_AUDIT_H

#include <stddef.h>

#include <security/pam_modules.h>

/* The MESSAGE_ID of every pam_atmos audit event (journalctl MESSAGE_ID=...). */
#define PA_AUDIT_MESSAGE_ID "e0f9e4750ec74c7bb30f9b9bde774e13"

struct pa_audit {
    /*
     * "logout.success" (this host cleaned, nothing known left) or "logout.failed";
     * "logout.all_devices" is only for a server-confirmed sign-out of every session,
     * which the module does not make.
     */
    const char *event;
    const char *scope; /* "all", "identity", "provider", "identity+provider" or "none" */
    const char *user;
    unsigned long uid;
    size_t removed, failed, revoked;
    size_t signout_failed; /* sign-outs not confirmed by the server (not part of failed) */
    size_t realms;
    long duration_ms;
    int timed_out;
};

/* Session and remote host come from the handle (XDG_SESSION_ID or PAM_TTY, PAM_RHOST). */
void pa_audit(pam_handle_t *pamh, const struct pa_audit *a);

#endif

/*
 * pam_atmos options: one sorted, typed table with defaults.
 */
#ifndef PAM_ATMOS_OPTIONS_H
#define PAM_ATMOS_OPTIONS_H

#include <security/pam_modules.h>

#define PA_MAX_TARGETS 32

struct pa_opts {
    const char *config; /* config=PATH; "~/" is the user's home */
    int debug;          /* debug: one syslog line per removed item */
    int dry_run;        /* dry_run: log the plan, remove nothing */
    int every_session;  /* every_session: clean at every close, not only the last */
    const char *identity[PA_MAX_TARGETS]; /* identity=NAME, repeatable */
    int nidentity;
    int keychain;         /* keychain: also delete keychain entries (admin opt-in) */
    unsigned minimum_uid; /* minimum_uid=N, default 1000 */
    int network_home;     /* network_home=skip|clean: PA_NETWORK_SKIP (default) or _CLEAN */
    const char *provider[PA_MAX_TARGETS]; /* provider=NAME, repeatable */
    int nprovider;
    int quiet;             /* quiet: never message the user */
    int revoke;            /* revoke: sign SSO sessions out with IAM Identity Center */
    const char *state_dir; /* state_dir=PATH, default /run/pam_atmos */
    unsigned timeout;      /* timeout=SECONDS, default 10 */
};

#define PA_STATE_DIR "/run/pam_atmos"

enum { PA_NETWORK_SKIP, PA_NETWORK_CLEAN };

/* Parse argv into opts (defaults first); problems are logged and skipped. */
void pa_opts_parse(pam_handle_t *pamh, int argc, const char **argv, struct pa_opts *opts);

#endif

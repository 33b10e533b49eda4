/*
 * pam_atmos options: one sorted, typed table with defaults.
 */
#ifndef PAM_ATMOS_OPTIONS_H
#define PAM_ATMOS_OPTIONS_H

#include <security/pam_modules.h>

#include "protocol.h"

/*
 * Options that pam-auth-update cannot drop; the arguments override them.  A
 * fixed path, as pam_faillock's faillock.conf is: only the fake-libpam tests
 * find it elsewhere, under their own host directory (hostroot.h).
 */
#define PA_CONF_FILE "/etc/security/pam_atmos.conf"
#define PA_CONF_MAX 8192 /* bytes: a larger file is ignored */
#define PA_XSTR(x) #x
#define PA_STR(x) PA_XSTR(x)

/*
 * Every value comes from root's PAM configuration (the module's arguments)
 * or root's PA_CONF_FILE, never from the user.  Strings point into argv or
 * into conf.
 */
struct pa_opts {
    const char *config; /* config=PATH; "~/" is the user's home */
    int debug;          /* debug: one syslog line per removed item */
    int dry_run;        /* dry_run: log the plan, remove nothing */
    int every_session;  /* every_session: clean at every close, not only the last */
    const char *helper; /* helper=PATH: the cleanup program, default PA_HELPER */
    const char *identity[PA_MAX_TARGETS]; /* identity=NAME, repeatable */
    int nidentity;
    int keychain;          /* keychain: also delete keychain entries (admin opt-in) */
    unsigned maximum_uid;  /* maximum_uid=N, default 60000 (nobody is 65534) */
    unsigned memory_limit; /* memory_limit=MiB: the helper's address space, 0 = none */
    unsigned minimum_uid;  /* minimum_uid=N, default 1000 */
    int network_home;      /* network_home=skip|clean: PA_NETWORK_SKIP (default) or _CLEAN */
    const char *provider[PA_MAX_TARGETS]; /* provider=NAME, repeatable */
    int nprovider;
    int quiet;                    /* quiet: never message the user */
    int revoke;                   /* revoke: sign SSO sessions out with IAM Identity Center */
    const char *revoke_ca_bundle; /* revoke_ca_bundle=PATH: trust these CAs, not the system's */
    const char *revoke_endpoint;  /* revoke_endpoint=URL: the IAM Identity Center endpoint */
    const char *revoke_proxy;     /* revoke_proxy=URL: an HTTPS proxy for the sign-out */
    const char *state_dir;        /* state_dir=PATH, default /run/pam_atmos */
    unsigned timeout;             /* timeout=SECONDS, default 10 */
    int tty_only;                 /* tty_only: a close without a terminal never cleans */
    char conf[PA_CONF_MAX + 1];   /* PA_CONF_FILE's text, cut into the file's values */
};

#define PA_STATE_DIR "/run/pam_atmos"
#ifndef PA_HELPER
#define PA_HELPER "/usr/local/libexec/pam_atmos/pam_atmos_helper" /* make sets it */
#endif
#define PA_MEMORY_LIMIT_MIB 2048

enum { PA_NETWORK_SKIP, PA_NETWORK_CLEAN };

/* The defaults, then PA_CONF_FILE, then argv, into opts; problems are logged and skipped. */
void pa_opts_parse(pam_handle_t *pamh, int argc, const char **argv, struct pa_opts *opts);

#endif

/*
 * pam_atmos: when a user's last session closes, remove the atmos session data
 * that `atmos-logout --all` would remove (keychain preserved), by running the
 * cleanup helper as the user, within a time bound, never breaking the logout.
 *
 *   session optional pam_atmos.so [debug] [quiet] [dry_run] [every_session]
 *       [config=PATH] [identity=NAME]... [provider=NAME]... [keychain]
 *       [revoke] [revoke_proxy=URL] [revoke_ca_bundle=PATH] [revoke_endpoint=URL]
 *       [timeout=SECONDS] [minimum_uid=N] [maximum_uid=N] [state_dir=PATH]
 *       [memory_limit=MiB] [helper=PATH] [network_home=skip|clean] [tty_only]
 *
 * The same options, one a line, in /etc/security/pam_atmos.conf, which
 * pam-auth-update never rewrites; the arguments override it (options.c).
 *
 * Returns PAM_SUCCESS after a cleanup (even a partial one), PAM_IGNORE when
 * skipped by policy or when no cleanup could run, PAM_SESSION_ERR only when
 * the user or the privilege drop cannot be established.  Nothing of the
 * user's is read or parsed in this process: the helper does that, as the
 * user.  Messages to the user never name paths or internals.
 */
#include <pwd.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "audit.h"
#include "hostroot.h"
#include "options.h"
#include "records.h"
#include "sessions.h"
#include "spawn.h"

/* Set at open when the session could not be recorded: its close must not clean. */
#define UNRECORDED "pam_atmos_unrecorded"

enum policy { RUN, SKIP, ERROR };

/* Resolve PAM_USER and apply the uid policy. */
static enum policy who(pam_handle_t *pamh, const struct pa_opts *o, struct passwd **pw)
{
    const char *user = NULL;
    if (pam_get_item(pamh, PAM_USER, (const void **)&user) != PAM_SUCCESS || user == NULL ||
        *user == '\0') {
        pam_syslog(pamh, LOG_ERR, "no user name; nothing removed");
        return ERROR;
    }
    *pw = pam_modutil_getpwnam(pamh, user);
    if (*pw == NULL) {
        pam_syslog(pamh, LOG_ERR, "unknown user; nothing removed");
        return ERROR;
    }
    uid_t uid = (*pw)->pw_uid;
    if (uid == 0 || uid < o->minimum_uid || uid > o->maximum_uid) {
        if (o->debug)
            pam_syslog(pamh, LOG_DEBUG, "uid %lu outside minimum_uid %u - maximum_uid %u: skipped",
                       (unsigned long)uid, o->minimum_uid, o->maximum_uid);
        return SKIP;
    }
    return RUN;
}

PAM_EXTERN int pam_sm_open_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    struct pa_opts o;
    struct passwd *pw;
    (void)flags;
    pa_opts_parse(pamh, argc, argv, &o);
    enum policy p = who(pamh, &o, &pw);
    if (p != RUN)
        return p == SKIP ? PAM_IGNORE : PAM_SESSION_ERR;
    if (o.every_session || !pa_as_root())
        return PAM_IGNORE; /* nothing to count */
    if (pa_record_open(pamh, o.state_dir, pw->pw_uid) != 0) {
        /* Without a record, a close cannot know whether other sessions remain. */
        pam_set_data(pamh, UNRECORDED, (void *)UNRECORDED, NULL);
        pam_syslog(pamh, LOG_ERR, "session not recorded; its close will remove nothing");
    }
    return PAM_SUCCESS;
}

/* The scope the options ask for, as the audit names it. */
static const char *scope_of(const struct pa_opts *o)
{
    if (o->nidentity && o->nprovider)
        return "identity+provider";
    return o->nidentity ? "identity" : o->nprovider ? "provider" : "all";
}

/*
 * The close's one audit event, whatever happened: from the module's own
 * knowledge only (the helper's counts are the helper's claim, and no more).
 */
static void audit(pam_handle_t *pamh, const struct pa_opts *o, const struct passwd *pw,
                  const struct pa_outcome *out)
{
    int refused = out->completed && out->status != PA_DONE;
    int ok = out->completed && !refused && out->failed == 0 && !out->protocol_error;
    struct pa_audit a = {
        /*
         * A cleanup of this host, "logged out" only when nothing we know of
         * remains; never logout.all_devices: no server confirmed that every
         * session everywhere was signed out.
         */
        .event = ok ? "logout.success" : "logout.failed",
        .scope = refused ? "none" : scope_of(o),
        .user = pw->pw_name,
        .uid = (unsigned long)pw->pw_uid,
        .removed = out->removed,
        .failed = out->failed + (out->completed ? 0 : 1), /* no result: the whole cleanup */
        .revoked = out->revoked,
        /* Its own count: the files went all the same, so not "failed"; but the session
         * at the provider stays valid until it expires, which the administrator must see. */
        .signout_failed = out->signout_failed,
        .realms = out->realms,
        .duration_ms = out->duration_ms,
        .timed_out = out->timed_out,
    };
    pa_audit(pamh, &a);
}

/* How the helper's run went, in syslog; 1 when the user should hear of trouble. */
static int judge(pam_handle_t *pamh, const struct pa_opts *o, const struct passwd *pw,
                 const struct pa_outcome *out)
{
    static const char *const step[] = {
        [PA_STEP_SESSION] = "setsid",   [PA_STEP_FDS] = "descriptors",
        [PA_STEP_GROUPS] = "setgroups", [PA_STEP_GID] = "setresgid",
        [PA_STEP_UID] = "setresuid",    [PA_STEP_REGAIN] = "root could be regained",
        [PA_STEP_NNP] = "prctl",        [PA_STEP_LIMIT] = "RLIMIT_AS",
        [PA_STEP_EXEC] = "execveat"};
    /* failed_step came over the step pipe, which only the module's own child holds. */
    if (out->failed_step > 0 && out->failed_step <= PA_STEP_LAST)
        pam_syslog(pamh, LOG_ERR, "cannot run the helper %s as %s (%s: %s): nothing removed",
                   o->helper, pw->pw_name, step[out->failed_step], strerror(out->step_errno));
    else if (out->timed_out)
        pam_syslog(pamh, LOG_ERR, "cleanup for %s killed after the %u s timeout", pw->pw_name,
                   o->timeout);
    else if (out->protocol_error)
        pam_syslog(pamh, LOG_ERR, "the helper's pipe for %s carried something unreadable "
                   "(its frames after that were not read)", pw->pw_name);
    else if (!out->completed && out->signal)
        pam_syslog(pamh, LOG_ERR, "cleanup for %s ended by signal %d without a result",
                   pw->pw_name, out->signal);
    else if (!out->completed)
        pam_syslog(pamh, LOG_ERR, "cleanup for %s ended with status %d without a result",
                   pw->pw_name, out->exit_status);
    else if (out->exit_status != 0)
        pam_syslog(pamh, LOG_ERR, "cleanup helper for %s exited with status %d", pw->pw_name,
                   out->exit_status);
    return !out->completed || out->status != PA_DONE || out->failed > 0 || out->exit_status != 0 ||
           out->protocol_error;
}

/*
 * May this close clean up?  Only as root or as the user, and only when no other
 * session of the user is open: none recorded (records.c), none that logind or
 * utmp shows (sessions.c), unless every_session; with tty_only, only a session
 * with a terminal.  Anything unknown means no (nothing lost).
 */
static int is_last_session(pam_handle_t *pamh, const struct pa_opts *o, const struct passwd *pw)
{
    const void *unrecorded = NULL;
    int as_root = pa_as_root();
    /* As the user already (the systemd-user stack) is fine; any other uid is not. */
    if (!as_root && geteuid() != pw->pw_uid) {
        pam_syslog(pamh, LOG_WARNING, "running as uid %lu, neither root nor the user: skipped",
                   (unsigned long)geteuid());
        return 0;
    }
    if (!o->every_session && as_root) { /* only root keeps session records */
        int unknown = pam_get_data(pamh, UNRECORDED, &unrecorded) == PAM_SUCCESS;
        int others = pa_record_close(pamh, o->state_dir, pw->pw_uid);
        if (others > 0 && o->debug)
            pam_syslog(pamh, LOG_DEBUG, "%d other session(s) of %s still open: nothing removed",
                       others, pw->pw_name);
        if (others < 0 || unknown)
            pam_syslog(pamh, LOG_ERR, "%s: nothing removed",
                       unknown ? "this session was not recorded at open"
                               : "session records unavailable");
        if (others != 0 || unknown)
            return 0;
    }
    if (o->tty_only && !pa_has_terminal(pamh, pw->pw_name)) {
        if (o->debug)
            pam_syslog(pamh, LOG_DEBUG, "a session without a terminal (tty_only): nothing removed");
        return 0;
    }
    if (o->every_session)
        return 1;
    /* Sessions opened before the module was in the stack, or by a stack without it. */
    int others = pa_unrecorded_sessions(pamh, pw->pw_name, pw->pw_uid);
    if (others < 0)
        pam_syslog(pamh, LOG_ERR, "cannot tell whether other sessions of %s are open: "
                                  "nothing removed", pw->pw_name);
    else if (others > 0)
        pam_syslog(pamh, LOG_NOTICE,
                   "%d other session(s) of %s open (logind or utmp), not recorded by "
                   "pam_atmos: nothing removed", others, pw->pw_name);
    return others == 0;
}

PAM_EXTERN int pam_sm_close_session(pam_handle_t *pamh, int flags, int argc, const char **argv)
{
    struct pa_opts o;
    struct passwd *pw;
    struct pa_outcome out;
    pa_opts_parse(pamh, argc, argv, &o);
    enum policy p = who(pamh, &o, &pw);
    if (p != RUN)
        return p == SKIP ? PAM_IGNORE : PAM_SESSION_ERR;

    if (!is_last_session(pamh, &o, pw))
        return PAM_IGNORE; /* logged why */

    if (o.keychain) /* an administrator's opt-in that destroys credentials: say so every time */
        pam_syslog(pamh, LOG_WARNING,
                   "keychain option set: deleting %s's keychain credentials as well", pw->pw_name);
    if (pa_spawn(pamh, &o, pw, pam_getenv(pamh, "XDG_RUNTIME_DIR"), &out) != 0) {
        audit(pamh, &o, pw, &out); /* no helper (logged why): still this close's one event */
        return PAM_IGNORE;         /* the logout goes on */
    }
    int trouble = judge(pamh, &o, pw, &out);
    audit(pamh, &o, pw, &out);
    if (out.failed_step > 0)
        /* Not becoming the user is an error of the session; a helper that would not start is not. */
        return out.failed_step == PA_STEP_EXEC ? PAM_IGNORE : PAM_SESSION_ERR;
    if (trouble && !o.quiet && !o.dry_run && !(flags & PAM_SILENT))
        pam_error(pamh, "Some atmos credentials could not be removed at logout; "
                        "run 'atmos-logout --all-realms' to finish.");
    return PAM_SUCCESS;
}

/*
 * pam_atmos: when a user's last session closes, remove the atmos session data
 * that `atmos-logout --all` would remove (keychain preserved), as the user, in
 * a child, within a time bound, never breaking the logout.
 *
 *   session optional pam_atmos.so [debug] [quiet] [dry_run] [every_session]
 *       [config=PATH] [identity=NAME]... [provider=NAME]... [keychain]
 *       [timeout=SECONDS] [minimum_uid=N] [state_dir=PATH]
 *
 * Returns PAM_SUCCESS after a cleanup (even a partial one), PAM_IGNORE when
 * skipped by policy, PAM_SESSION_ERR only when the user or the privilege drop
 * cannot be established.  Messages to the user never name paths or internals.
 */
#include <pwd.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include <atmos/plan.h>

#include "child.h"
#include "options.h"
#include "records.h"

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
    if ((*pw)->pw_uid == 0 || (*pw)->pw_uid < o->minimum_uid) {
        if (o->debug)
            pam_syslog(pamh, LOG_DEBUG, "uid %lu below minimum_uid %u: skipped",
                       (unsigned long)(*pw)->pw_uid, o->minimum_uid);
        return SKIP;
    }
    return RUN;
}

/* Host names and tty names go into key=value audit fields: keep them to safe bytes. */
static void field(char *out, size_t len, const char *in)
{
    size_t o = 0;
    for (; in && *in && o + 1 < len; in++)
        out[o++] = (strchr("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-/",
                           *in) != NULL)
                       ? *in
                       : '_';
    if (o == 0 && len > 1)
        out[o++] = '-';
    out[o] = '\0';
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
    if (o.every_session || geteuid() != 0)
        return PAM_IGNORE; /* nothing to count */
    if (pa_record_open(pamh, o.state_dir, pw->pw_uid) != 0)
        pam_syslog(pamh, LOG_ERR, "session not recorded; its close will clean up regardless");
    return PAM_SUCCESS;
}

static void audit(pam_handle_t *pamh, const struct passwd *pw, const struct pa_outcome *out)
{
    char sid[64], host[128], extra[400], line[1024];
    const char *s = pam_getenv(pamh, "XDG_SESSION_ID"), *rhost = NULL;
    if (s == NULL)
        pam_get_item(pamh, PAM_TTY, (const void **)&s);
    pam_get_item(pamh, PAM_RHOST, (const void **)&rhost);
    field(sid, sizeof(sid), s);
    field(host, sizeof(host), rhost);
    snprintf(extra, sizeof(extra), "session=%s rhost=%s duration_ms=%ld%s", sid, host,
             out->duration_ms, out->timed_out ? " timed_out=1" : "");
    struct atmos_counts c = {out->removed, 0, out->failed, 0, out->revoked};
    enum atmos_scope scope = strcmp(out->scope, "identity") == 0   ? ATMOS_SCOPE_IDENTITY
                             : strcmp(out->scope, "provider") == 0 ? ATMOS_SCOPE_PROVIDER
                                                                   : ATMOS_SCOPE_ALL;
    atmos_audit_format(line, sizeof(line), scope, NULL, &c, pw->pw_name, (unsigned long)pw->pw_uid,
                       extra);
    pam_syslog(pamh, LOG_AUTHPRIV | LOG_INFO, "%s", line);
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

    int as_root = geteuid() == 0;
    /* As the user already (the systemd-user stack) is fine; any other uid is not. */
    if (!as_root && geteuid() != pw->pw_uid) {
        pam_syslog(pamh, LOG_WARNING, "running as uid %lu, neither root nor the user: skipped",
                   (unsigned long)geteuid());
        return PAM_IGNORE;
    }
    if (!o.every_session && as_root) { /* only root keeps session records */
        int others = pa_record_close(pamh, o.state_dir, pw->pw_uid);
        if (others > 0) {
            if (o.debug)
                pam_syslog(pamh, LOG_DEBUG, "%d other session(s) of %s still open: nothing removed",
                           others, pw->pw_name);
            return PAM_IGNORE;
        }
        if (others < 0) {
            pam_syslog(pamh, LOG_ERR, "session records unavailable: nothing removed");
            return PAM_IGNORE;
        }
    }

    if (o.keychain) /* an administrator's opt-in that destroys credentials: say so every time */
        pam_syslog(pamh, LOG_WARNING,
                   "keychain option set: deleting %s's keychain credentials as well", pw->pw_name);
    struct pa_session s = {pamh, &o, pw, pam_getenv(pamh, "XDG_RUNTIME_DIR")};
    if (pa_run_child(&s, &out) != 0)
        return PAM_SUCCESS; /* logged; the logout goes on */
    if (out.drop_failed) {
        pam_syslog(pamh, LOG_ERR, "cannot become %s (%s): nothing removed", pw->pw_name,
                   out.detail);
        return PAM_SESSION_ERR;
    }
    if (out.timed_out)
        pam_syslog(pamh, LOG_ERR, "cleanup for %s killed after the %u s timeout", pw->pw_name,
                   o.timeout);
    else if (!out.completed)
        pam_syslog(pamh, LOG_ERR, "cleanup for %s ended without a result", pw->pw_name);
    audit(pamh, pw, &out);
    int trouble = out.timed_out || !out.completed || out.failed > 0;
    if (trouble && !o.quiet && !o.dry_run && !(flags & PAM_SILENT))
        pam_error(pamh, "Some atmos credentials could not be removed at logout; "
                        "run 'atmos-logout --all' to finish.");
    return PAM_SUCCESS;
}

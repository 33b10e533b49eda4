/*
 * The audit event of a cleanup, for a fleet's log pipeline: where journald
 * runs, a journal entry with structured fields (MESSAGE_ID and ATMOS_*);
 * elsewhere, or when the journal refuses it, the same text as one
 * LOG_AUTHPRIV syslog line.  libsystemd is loaded only here, only when the
 * journal's socket exists, so the module links libpam and libc alone.
 *
 * MUST: every value is escaped or reduced to safe bytes (a field holding a
 * newline would forge a line of its own in syslog); no secret is ever part
 * of an event.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <string.h>
#include <sys/uio.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include <atmos/escape.h>

#include "audit.h"
#include "hostroot.h"

#define JOURNAL_SOCKET "/run/systemd/journal/socket"

/* Host and tty names go into key=value fields: keep them to bytes that cannot split a field. */
static void field(char *out, size_t len, const char *in)
{
    static const char ok[] = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789._:-/";
    size_t o = 0;
    for (; in && *in && o + 1 < len; in++)
        out[o++] = strchr(ok, *in) ? *in : '_';
    if (o == 0 && len > 1)
        out[o++] = '-';
    out[o] = '\0';
}

struct fields {
    char user[200], session[64], rhost[128], service[64];
};

/* 0 when the journal took the entry. */
static int journal(const struct pa_audit *a, const struct fields *f, const char *message)
{
    if (access(PA_HOST_PATH(JOURNAL_SOCKET), W_OK) != 0)
        return -1;
    void *lib = dlopen("libsystemd.so.0", RTLD_NOW | RTLD_LOCAL);
    if (lib == NULL)
        return -1;
    int (*sendv)(const struct iovec *, int) =
        (int (*)(const struct iovec *, int))dlsym(lib, "sd_journal_sendv");
    char v[18][1300];
    int n = 0;
#define PUT(...) snprintf(v[n++], sizeof(v[0]), __VA_ARGS__)
    PUT("MESSAGE=%s", message);
    PUT("MESSAGE_ID=%s", PA_AUDIT_MESSAGE_ID);
    PUT("PRIORITY=%d", LOG_INFO);
    PUT("SYSLOG_FACILITY=%d", LOG_AUTHPRIV >> 3);
    PUT("SYSLOG_IDENTIFIER=pam_atmos");
    PUT("ATMOS_EVENT=%s", a->event);
    PUT("ATMOS_USER=%s", f->user);
    PUT("ATMOS_UID=%lu", a->uid);
    PUT("ATMOS_SERVICE=%s", f->service);
    PUT("ATMOS_SESSION=%s", f->session);
    PUT("ATMOS_RHOST=%s", f->rhost);
    PUT("ATMOS_SCOPE=%s", a->scope);
    PUT("ATMOS_REMOVED=%zu", a->removed);
    PUT("ATMOS_FAILED=%zu", a->failed);
    PUT("ATMOS_REVOKED=%zu", a->revoked);
    PUT("ATMOS_SIGNOUT_FAILED=%zu", a->signout_failed);
    PUT("ATMOS_REALMS=%zu", a->realms);
    PUT("ATMOS_DURATION_MS=%ld", a->duration_ms);
#undef PUT
    struct iovec iov[18];
    for (int i = 0; i < n; i++)
        iov[i] = (struct iovec){.iov_base = v[i], .iov_len = strlen(v[i])};
    int rc = sendv ? sendv(iov, n) : -1;
    dlclose(lib);
    return rc < 0 ? -1 : 0;
}

void pa_audit(pam_handle_t *pamh, const struct pa_audit *a)
{
    struct fields f;
    const char *s = pam_getenv(pamh, "XDG_SESSION_ID"), *rhost = NULL, *service = NULL;
    char line[1024], message[1200];
    if (s == NULL)
        pam_get_item(pamh, PAM_TTY, (const void **)&s);
    pam_get_item(pamh, PAM_RHOST, (const void **)&rhost);
    pam_get_item(pamh, PAM_SERVICE, (const void **)&service);
    field(f.session, sizeof(f.session), s);
    field(f.rhost, sizeof(f.rhost), rhost);
    field(f.service, sizeof(f.service), service);
    atmos_escape(f.user, sizeof(f.user), a->user);
    snprintf(line, sizeof(line),
             "event=%s user=%s uid=%lu scope=%s removed=%zu failed=%zu revoked=%zu "
             "signout_failed=%zu realms=%zu session=%s rhost=%s duration_ms=%ld%s",
             a->event, f.user, a->uid, a->scope, a->removed, a->failed, a->revoked,
             a->signout_failed, a->realms, f.session, f.rhost, a->duration_ms,
             a->timed_out ? " timed_out=1" : "");
    /* The journal's copy reads as pam_syslog's would. */
    snprintf(message, sizeof(message), "pam_atmos(%s:session): %s", f.service, line);
    if (journal(a, &f, message) != 0)
        pam_syslog(pamh, LOG_AUTHPRIV | LOG_INFO, "%s", line);
}

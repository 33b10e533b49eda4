/*
 * "What am I logged into?": the session data a plan finds present, and when
 * each expires (atmos-logout --status).
 *
 * The plan is the one place that knows what is present: a status is a plan
 * (--all-realms, or discovered) probed as a dry run does, then, for each
 * item present, the expiry its cloud declares (lib/clouds/expiry.h), read from the
 * file that holds it.  Nothing on disk is changed, nothing is signed out,
 * and no token, key or secret is read into the result: only times.
 */
#ifndef ATMOS_STATUS_H
#define ATMOS_STATUS_H

#include <stddef.h>

#include <atmos/log.h>
#include <atmos/plan.h>

enum atmos_state {
    ATMOS_STATE_LIVE,          /* an expiry later than now */
    ATMOS_STATE_NO_EXPIRY,     /* a credential whose files record no expiry: counted live */
    ATMOS_STATE_EXPIRED,       /* every expiry written is past */
    ATMOS_STATE_NO_CREDENTIAL, /* present, but holds no credential (settings, names, locks) */
    ATMOS_STATE_UNCHECKED,     /* could not be looked at: `error` says why */
};
#define ATMOS_STATES 5

struct atmos_status_entry {
    const struct atmos_item *item; /* the plan's: where, whose, which realm and cloud */
    /* A directory's files holding several identities (a provider directory's credentials
     * sections, GCP's adc/<identity>/): the one this entry is for, and the file it was
     * read from; NULL: the item as a whole. */
    char *name;
    char *path;
    enum atmos_state state;
    int has_expiry;      /* `expires` holds the latest time written */
    long long expires;   /* Unix seconds */
    const char *field;   /* static: where the time was read ("expiresAt"), or NULL */
    char *error;         /* UNCHECKED: why (no secrets) */
};

struct atmos_status_view {
    long long now; /* the time compared against */
    struct atmos_status_entry *v;
    size_t n;
    size_t count[ATMOS_STATES];
};

/*
 * Probe `plan` (built, not executed) as a dry run and fill *st with every
 * item present, as of `now` (Unix seconds).  Keychain entries and
 * sign-outs are not part of it (left alone).  0, or -1 out of memory.
 */
int atmos_status_probe(struct atmos_status_view *st, struct atmos_plan *plan, long long now,
                       const struct atmos_logger *lg);
void atmos_status_free(struct atmos_status_view *st);

/* "live", "no_expiry", "expired", "no_credential", "not_checked". */
const char *atmos_state_name(enum atmos_state s);

/* 1: something live remains (LIVE or NO_EXPIRY); else 2 when something could not be
 * checked; else 0. */
int atmos_status_exit(const struct atmos_status_view *st);

/* Parse an RFC 3339 time ("2026-12-08T09:12:00Z", fractions, offsets, a space for 'T',
 * "UTC"); 0 and *out, or -1. */
int atmos_time_parse(const char *s, long long *out);

#endif

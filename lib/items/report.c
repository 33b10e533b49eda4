/*
 * Reading an executed plan: counts, exit status, names, the audit line.
 *
 * MUST: the audit line goes to LOG_AUTHPRIV: every string in it that is not
 * ours (target, user) is escaped here, where the line is made, and only here.
 */
#include <stdio.h>
#include <string.h>

#include <atmos/escape.h>
#include <atmos/plan.h>

#include "base/strings.h"
#include "items/kinds.h"

void atmos_plan_count(const struct atmos_plan *plan, struct atmos_counts *out)
{
    memset(out, 0, sizeof(*out));
    for (size_t i = 0; i < plan->nitems; i++) {
        /* Signing out is on top of the logout: it never counts for or against it. */
        if (plan->items[i].kind == ATMOS_ITEM_SIGNOUT) {
            out->revoked += plan->items[i].u.signout.result == ATMOS_SIGNOUT_DONE;
            continue;
        }
        switch (plan->items[i].outcome) {
        case ATMOS_OUTCOME_REMOVED:
        case ATMOS_OUTCOME_WOULD_REMOVE:
            out->removed++;
            break;
        case ATMOS_OUTCOME_ABSENT:
            out->absent++;
            break;
        case ATMOS_OUTCOME_FAILED:
            out->failed++;
            break;
        case ATMOS_OUTCOME_UNCHECKED:
            out->unchecked++;
            break;
        case ATMOS_OUTCOME_SKIPPED:
        case ATMOS_OUTCOME_PENDING:
            break;
        }
    }
}

int atmos_plan_exit_status(const struct atmos_plan *plan)
{
    struct atmos_counts c;
    atmos_plan_count(plan, &c);
    /* A name given to log out of is not configured: the others went, but not what was asked
     * (as rm of a missing file among others). */
    for (size_t i = 0; i < plan->nitems; i++)
        if (plan->items[i].kind == ATMOS_ITEM_UNKNOWN && plan->items[i].u.unknown.skipped == 3)
            return 1;
    /* Nothing removed here, and the target's login is in another realm: not logged out. */
    if (c.removed == 0 && c.failed == 0 && plan->nelsewhere)
        return 1;
    return c.removed == 0 && c.failed > 0 ? 1 : 0;
}

const char *atmos_scope_name(enum atmos_scope scope)
{
    switch (scope) {
    case ATMOS_SCOPE_IDENTITY:
        return "identity";
    case ATMOS_SCOPE_PROVIDER:
        return "provider";
    case ATMOS_SCOPE_ALL:
        return "all";
    case ATMOS_SCOPE_TAGS:
        return "tags";
    case ATMOS_SCOPE_ALL_REALMS:
        return "all-realms";
    }
    return "?";
}

const char *atmos_outcome_name(enum atmos_outcome outcome)
{
    switch (outcome) {
    case ATMOS_OUTCOME_PENDING:
        return "pending";
    case ATMOS_OUTCOME_REMOVED:
        return "removed";
    case ATMOS_OUTCOME_WOULD_REMOVE:
        return "would_remove";
    case ATMOS_OUTCOME_ABSENT:
        return "absent";
    case ATMOS_OUTCOME_FAILED:
        return "failed";
    case ATMOS_OUTCOME_UNCHECKED:
        return "not_checked";
    case ATMOS_OUTCOME_SKIPPED:
        return "skipped";
    }
    return "?";
}

const char *atmos_item_kind_name(const struct atmos_item *it)
{
    const struct atmos_item_type *t = atmos_item_type(it);
    return t->json_of ? t->json_of(it) : t->json;
}

char *atmos_item_text(const struct atmos_item *it, const char *shown, int dry_run)
{
    struct atmos_buf b = {0};
    const struct atmos_item_type *t = atmos_item_type(it);
    int rc = t->text ? t->text(it, shown ? shown : "", dry_run, &b)
                     : atmos_buf_printf(&b, "%s %s", it->label, shown ? shown : "");
    if (rc == ATMOS_OK && b.data == NULL)
        rc = atmos_buf_append(&b, "", 0) == ATMOS_OK && b.data ? ATMOS_OK : ATMOS_ENOMEM;
    if (rc != ATMOS_OK)
        atmos_buf_free(&b);
    return rc == ATMOS_OK ? b.data : NULL;
}

const char *atmos_item_what(const struct atmos_item *it)
{
    const struct atmos_item_type *t = atmos_item_type(it);
    return t->what ? t->what(it) : NULL;
}

/*
 * target="...": the name escaped (atmos_escape: no line break to forge a
 * second audit line, no control byte, valid UTF-8), and a quote as \" so that
 * a name cannot end the field and forge another.
 */
static void quote(char *out, size_t len, const char *s)
{
    char esc[256];
    if (len < 3)
        return;
    size_t o = 0, room = (len - 3) / 2 + 1;
    /* At most half the room: with every quote doubled the field still fits, never cut
     * inside an escape or a character. */
    atmos_escape(esc, room < sizeof(esc) ? room : sizeof(esc), s);
    out[o++] = '"';
    for (const char *p = esc; *p; p++) {
        if (*p == '"')
            out[o++] = '\\';
        out[o++] = *p;
    }
    out[o++] = '"';
    out[o] = '\0';
}

void atmos_audit_format(char *buf, size_t len, enum atmos_scope scope, const char *target,
                        const struct atmos_counts *c, const char *user, unsigned long uid,
                        const char *extra)
{
    char t[600] = "", u[128];
    if (target) {
        strcpy(t, " target=");
        quote(t + 8, sizeof(t) - 8, target);
    }
    /* A name from passwd (NSS, LDAP) is not ours either: escaped as the target is. */
    atmos_escape(u, sizeof(u), user ? user : "?");
    /* A cleanup of this host, as the module names it: never logout.all_devices, which says a
     * server confirmed that every session everywhere was signed out. */
    snprintf(buf, len, "event=%s user=%s uid=%lu scope=%s%s removed=%zu failed=%zu revoked=%zu%s%s",
             c->failed ? "logout.failed" : "logout.success",
             u, uid, atmos_scope_name(scope), t, c->removed, c->failed, c->revoked,
             extra ? " " : "", extra ? extra : "");
}

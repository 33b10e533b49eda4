/*
 * atmos-logout --status: what session data is on disk and when it expires,
 * for people (text, grouped by realm and cloud) and programs (JSON, schema
 * in docs/atmos-logout.md).  What is present and when it expires is the
 * engine's (lib/plan/status.c); this file only shows it.
 *
 * MUST: every string from a user's files or disk (names, realms, paths,
 * errors) is escaped here, at the sink (atmos_show, atmos_json_string), as in render.c.
 * No token, key or secret reaches this file: the engine hands it times.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <atmos/escape.h>
#include <atmos/status.h>
#include <json-c/json.h>

#include "render.h"
#include "show.h"
#include "status.h"

/* "2026-12-08 09:12 UTC" (text) or "2026-12-08T09:12:00Z" (JSON). */
static const char *when(long long t, int json, char *buf, size_t len)
{
    time_t tt = (time_t)t;
    struct tm tm;
    if ((long long)tt != t || gmtime_r(&tt, &tm) == NULL ||
        strftime(buf, len, json ? "%Y-%m-%dT%H:%M:%SZ" : "%Y-%m-%d %H:%M UTC", &tm) == 0)
        snprintf(buf, len, "%lld", t);
    return buf;
}

/* "7h 22m", "3d 4h", "45m", "less than a minute". */
static const char *span(long long s, char *buf, size_t len)
{
    if (s < 0)
        s = -s;
    if (s >= 86400)
        snprintf(buf, len, "%lldd %lldh", s / 86400, s % 86400 / 3600);
    else if (s >= 3600)
        snprintf(buf, len, "%lldh %lldm", s / 3600, s % 3600 / 60);
    else if (s >= 60)
        snprintf(buf, len, "%lldm", s / 60);
    else
        snprintf(buf, len, "less than a minute");
    return buf;
}

static const char *dash(void)
{
    return atmos_utf8() ? "—" : "-";
}

/* Whose: "identity dev-admin", "provider aws-sso", or what atmos wrote under no name. */
static void print_whose(FILE *out, const struct atmos_status_entry *e)
{
    const struct atmos_item *it = e->item;
    if (e->name && it->provider)
        fprintf(out, "identity %s (provider %s)", atmos_show(e->name), atmos_show(it->provider));
    else if (e->name)
        fprintf(out, "identity %s", atmos_show(e->name));
    else if (it->identity)
        fprintf(out, "identity %s", atmos_show(it->identity));
    else if (it->provider)
        fprintf(out, "provider %s", atmos_show(it->provider));
    else
        fprintf(out, "atmos's, of no name");
}

/* The engine's sentence, its paths under the home as ~/..., as the rest of the text says them. */
static void print_tilded(FILE *out, const char *home, const char *msg)
{
    size_t hl = strlen(home);
    const char *shown = atmos_show(msg ? msg : "");
    while (hl > 1 && *shown) {
        const char *at = strstr(shown, home);
        if (at == NULL || at[hl] != '/')
            break;
        fprintf(out, "%.*s~", (int)(at - shown), shown);
        shown = at + hl;
    }
    fputs(shown, out);
}

static void print_state(FILE *out, const struct atmos_status_view *st, const char *home,
                        const struct atmos_status_entry *e, const struct atmos_style *style)
{
    char t[64], d[64];
    const char *red = style->color ? "\033[31m" : "", *green = style->color ? "\033[32m" : "",
               *off = style->color ? "\033[0m" : "";
    switch (e->state) {
    case ATMOS_STATE_LIVE:
        fprintf(out, "%slive%s, expires %s (in %s)", green, off, when(e->expires, 0, t, sizeof(t)),
                span(e->expires - st->now, d, sizeof(d)));
        break;
    case ATMOS_STATE_EXPIRED:
        fprintf(out, "%sEXPIRED%s %s (%s ago)", red, off, when(e->expires, 0, t, sizeof(t)),
                span(st->now - e->expires, d, sizeof(d)));
        break;
    case ATMOS_STATE_NO_EXPIRY:
        fprintf(out, "%slive%s: no expiry written", green, off);
        if (e->has_expiry) /* an earlier time is written too, for part of it */
            fprintf(out, " for part of it (the rest expired %s)",
                    when(e->expires, 0, t, sizeof(t)));
        break;
    case ATMOS_STATE_NO_CREDENTIAL:
        fprintf(out, "no credential in it");
        break;
    case ATMOS_STATE_UNCHECKED:
        fprintf(out, "not checked: ");
        print_tilded(out, home, e->error);
        break;
    }
}

/* Where: "[dev-admin] in ~/...", "docker login: registry ... in ~/...", "label ~/...". */
static void print_where(FILE *out, const char *home, const struct atmos_status_entry *e)
{
    const struct atmos_item *it = e->item;
    char buf[4096];
    const char *path = e->path ? e->path : it->path;
    const char *p = path ? atmos_tilde(home, path, buf, sizeof(buf)) : "";
    if (e->name && it->kind == ATMOS_ITEM_DIRECTORY && e->field && e->field[0] == ';') {
        fprintf(out, "[%s] in %s", atmos_show(e->name), atmos_show(p)); /* a credentials section */
    } else if (e->path) {
        fprintf(out, "%s", atmos_show(p));
    } else if (it->kind == ATMOS_ITEM_INI_SECTION) {
        int profile = it->u.section.flavor == ATMOS_INI_CONFIG &&
                      strcmp(it->u.section.name, "default") != 0;
        fprintf(out, "%s%s] in %s", profile ? "[profile " : "[", atmos_show(it->u.section.name),
                atmos_show(p));
    } else if (atmos_item_what(it)) {
        fprintf(out, "%s: %s in %s", atmos_show(it->label), atmos_show(atmos_item_what(it)),
                atmos_show(p));
    } else {
        fprintf(out, "%s %s", atmos_show(it->label), atmos_show(p));
    }
}

static int same_realm(const char *a, const char *b)
{
    return a == b || (a && b && strcmp(a, b) == 0);
}

/* The entries of one realm (NULL: no realm), by cloud. */
static void print_realm(FILE *out, const struct atmos_status_view *st, const char *home,
                        const char *realm, const char *configured, int every_realm,
                        const struct atmos_style *style)
{
    int header = 0;
    for (size_t g = 0; g <= atmos_cloud_count(); g++) {
        int cloud = 0;
        for (size_t i = 0; i < st->n; i++) {
            const struct atmos_status_entry *e = &st->v[i];
            const struct atmos_item *it = e->item;
            if (!same_realm(it->realm, realm) || atmos_cloud_rank(it->cloud) != g)
                continue;
            if (!header++ && every_realm) {
                if (realm)
                    fprintf(out, "Realm %s%s\n", atmos_show(realm),
                            configured && strcmp(realm, configured) == 0
                                ? " (this configuration's)"
                                : "");
                else
                    fprintf(out, "In no realm (shared by every realm, or atmos's layout before "
                                 "realms)\n");
            }
            if (!cloud++)
                fprintf(out, "  %s\n", atmos_show(atmos_cloud_display(it->cloud)));
            fprintf(out, "    ");
            print_whose(out, e);
            fprintf(out, " %s ", dash());
            print_state(out, st, home, e, style);
            fprintf(out, "\n      ");
            print_where(out, home, e);
            fputc('\n', out);
        }
    }
    if (header)
        fputc('\n', out);
}

static void print_text(FILE *out, const struct atmos_plan *plan, const struct atmos_status_view *st,
                       const char *configured, const struct atmos_style *style)
{
    char t[64];
    const size_t *c = st->count;
    fprintf(out, "%s, checked %s:\n\n",
            plan->discovered ? "No atmos.yaml found: session data atmos wrote on disk"
                             : "Session data on disk, in every realm",
            when(st->now, 0, t, sizeof(t)));
    if (st->n == 0) {
        fprintf(out, "No atmos session data on disk.\n");
        return;
    }
    /* The configuration's realm first, then the others found, then no realm.  A discovered
     * plan's items do not carry their realm: the realms found are named once. */
    int every = plan->every_realm;
    if (!every) {
        fprintf(out, "Realms on disk: ");
        for (size_t r = 0; r < plan->nrealms; r++)
            fprintf(out, "%s%s", r ? ", " : "", atmos_show(plan->realms[r]));
        fprintf(out, "%s\n\n", plan->nrealms ? "" : "none");
    }
    if (configured && every)
        print_realm(out, st, plan->home, configured, configured, every, style);
    for (size_t r = 0; every && r < plan->nrealms; r++)
        if (!configured || strcmp(plan->realms[r], configured) != 0)
            print_realm(out, st, plan->home, plan->realms[r], configured, every, style);
    print_realm(out, st, plan->home, NULL, configured, every, style);
    fprintf(out, "Live: %zu", c[ATMOS_STATE_LIVE] + c[ATMOS_STATE_NO_EXPIRY]);
    if (c[ATMOS_STATE_NO_EXPIRY])
        fprintf(out, " (%zu with no expiry written)", c[ATMOS_STATE_NO_EXPIRY]);
    fprintf(out, ". Expired: %zu. No credential: %zu. Not checked: %zu.\n",
            c[ATMOS_STATE_EXPIRED], c[ATMOS_STATE_NO_CREDENTIAL], c[ATMOS_STATE_UNCHECKED]);
    int rc = atmos_status_exit(st);
    if (rc == 1)
        fprintf(out,
                "Live session data remains: 'atmos-logout --all-realms' logs out of it all.\n");
    else if (rc == 2)
        fprintf(out, "Nothing known to be live, but not everything could be checked (above).\n");
    else if (c[ATMOS_STATE_EXPIRED])
        fprintf(out, "Nothing live: what remains has expired ('atmos-logout --all-realms' "
                     "removes it).\n");
    else
        fprintf(out, "Nothing live: no credential remains.\n");
}

static json_object *entry_json(const struct atmos_status_view *st,
                               const struct atmos_status_entry *e)
{
    const struct atmos_item *it = e->item;
    char t[64];
    json_object *j = json_object_new_object();
    json_object_object_add(j, "cloud", atmos_json_string(it->cloud));
    json_object_object_add(j, "kind", atmos_json_string(atmos_item_kind_name(it)));
    json_object_object_add(j, "label", atmos_json_string(it->label ? it->label : ""));
    json_object_object_add(j, "identity", atmos_json_string(e->name ? e->name : it->identity));
    json_object_object_add(j, "provider", atmos_json_string(it->provider));
    json_object_object_add(j, "realm", atmos_json_string(it->realm));
    json_object_object_add(j, "path", atmos_json_string(e->path ? e->path : it->path));
    int ini_unit = e->name && e->field && e->field[0] == ';';
    const char *section = it->kind == ATMOS_ITEM_INI_SECTION ? it->u.section.name
                          : ini_unit                         ? e->name
                                                             : NULL;
    json_object_object_add(j, "section", atmos_json_string(section));
    json_object_object_add(j, "what", atmos_json_string(atmos_item_what(it)));
    json_object_object_add(j, "state", json_object_new_string(atmos_state_name(e->state)));
    json_object_object_add(j, "expires", e->has_expiry ? atmos_json_string(when(e->expires, 1, t, sizeof(t)))
                                                       : NULL);
    json_object_object_add(j, "expires_in",
                           e->has_expiry ? json_object_new_int64(e->expires - st->now) : NULL);
    json_object_object_add(j, "expiry_field", atmos_json_string(e->field));
    json_object_object_add(j, "error", atmos_json_string(e->error));
    return j;
}

static void print_json(FILE *out, const struct atmos_plan *plan, const struct atmos_status_view *st,
                       const char *configured)
{
    char t[64];
    json_object *o = json_object_new_object(), *items = json_object_new_array(),
                *realms = json_object_new_array();
    json_object_object_add(o, "checked_at", atmos_json_string(when(st->now, 1, t, sizeof(t))));
    json_object_object_add(o, "discovered", json_object_new_boolean(plan->discovered));
    json_object_object_add(o, "realm", atmos_json_string(configured));
    for (size_t r = 0; r < plan->nrealms; r++)
        json_object_array_add(realms, atmos_json_string(plan->realms[r]));
    json_object_object_add(o, "realms", realms);
    for (size_t i = 0; i < st->n; i++)
        json_object_array_add(items, entry_json(st, &st->v[i]));
    json_object_object_add(o, "items", items);
    for (int s = 0; s < ATMOS_STATES; s++)
        json_object_object_add(o, atmos_state_name((enum atmos_state)s),
                               json_object_new_int64((int64_t)st->count[s]));
    json_object_object_add(o, "exit_code", json_object_new_int(atmos_status_exit(st)));
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

int atmos_cli_status(FILE *out, struct atmos_plan *plan, const char *configured, int json,
                     int quiet, const struct atmos_style *style, const struct atmos_logger *lg)
{
    struct atmos_status_view st;
    if (atmos_status_probe(&st, plan, (long long)time(NULL), lg) != 0) {
        atmos_status_free(&st);
        fprintf(stderr, "Error: out of memory\n");
        return ATMOS_STATUS_EXIT_ERROR;
    }
    if (json)
        print_json(out, plan, &st, configured);
    else if (!quiet)
        print_text(out, plan, &st, configured, style);
    int rc = atmos_status_exit(&st);
    atmos_status_free(&st);
    return rc;
}

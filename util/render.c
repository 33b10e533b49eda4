/*
 * Rendering a plan or an executed plan for people (text) and programs (JSON).
 *
 * MUST: every string that can come from a user's file or disk (names, kinds,
 * paths, sections, keys, error messages) is escaped here, at the sink:
 * atmos_show for text, jstr for JSON (json-c escapes controls but passes
 * invalid UTF-8 through, which makes the document invalid JSON).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/escape.h>
#include <json-c/json.h>

#include "render.h"
#include "show.h"

static const char *plural(size_t n, const char *one, const char *many)
{
    return n == 1 ? one : many;
}

/* "[profile dev] from ~/.config/atmos/<base>/<provider>/config" and the like: as the item's
 * kind says it (atmos_item_text), the whole line escaped. */
static void describe(FILE *out, const struct atmos_plan *plan, const struct atmos_item *it)
{
    char buf[4096];
    const char *p = it->path ? atmos_tilde(plan->home, it->path, buf, sizeof(buf)) : "";
    char *text = atmos_item_text(it, p, plan->dry_run);
    fputs(text ? atmos_show(text) : "?", out);
    free(text);
    if (plan->every_realm)
        fprintf(out, " [%s%s]", it->realm ? "realm " : "",
                it->realm ? atmos_show(it->realm) : "no realm");
}

static const char *dot(void)
{
    return atmos_utf8() ? "•" : "-";
}

/* "✓ " in green on a terminal, nothing when piped. */
static const char *mark(const struct atmos_style *st, int ok)
{
    if (!st->marks)
        return "";
    if (!atmos_utf8())
        return ok ? "ok: " : "failed: ";
    if (!st->color)
        return ok ? "✓ " : "✗ ";
    return ok ? "\033[32m✓\033[0m " : "\033[31m✗\033[0m ";
}

void atmos_render_keyring_list(FILE *out, const struct atmos_plan *plan)
{
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        if (it->kind == ATMOS_ITEM_KEYRING && it->outcome == ATMOS_OUTCOME_WOULD_REMOVE) {
            fprintf(out, "  %s ", dot());
            describe(out, plan, it);
            fputc('\n', out);
        }
    }
}

/* The realm a configured logout covered, and where atmos's default realm comes from. */
static void print_realm(FILE *out, const struct atmos_plan *plan)
{
    char tmp[4096];
    if (plan->every_realm || plan->discovered) { /* every realm found on disk */
        fprintf(out, "Realms: no realm");
        for (size_t i = 0; i < plan->nrealms; i++)
            fprintf(out, ", %s", atmos_show(plan->realms[i]));
        fprintf(out, "\n\n");
        return;
    }
    if (plan->nrealms == 0)
        return;
    fprintf(out, "Realm: %s", atmos_show(plan->realms[0]));
    if (plan->realm_dir)
        fprintf(out, " (the default realm of %s)",
                atmos_show(atmos_tilde(plan->home, plan->realm_dir, tmp, sizeof(tmp))));
    fprintf(out, "\n\n");
}

static void print_target(FILE *out, const struct atmos_plan *plan, const struct atmos_style *st)
{
    switch (plan->scope) {
    case ATMOS_SCOPE_IDENTITY:
        if (plan->target == NULL) { /* several: each as an identity logout, no one chain */
            fprintf(out, "Logging out from %zu %s:", plan->nidentities,
                    plural(plan->nidentities, "identity", "identities"));
            for (size_t i = 0; i < plan->nidentities; i++)
                fprintf(out, "%s %s", i ? "," : "", atmos_show(plan->identities[i]));
            fprintf(out, "\n\n");
            print_realm(out, plan);
            break;
        }
        fprintf(out, "Logging out from identity: %s\n\n", atmos_show(plan->target));
        fprintf(out, "Building authentication chain...\n%sChain: ", mark(st, 1));
        for (size_t i = 0; i < plan->chain.n; i++)
            fprintf(out, "%s%s", i ? " → " : "", atmos_show(plan->chain.names[i]));
        fprintf(out, "\n\n");
        print_realm(out, plan);
        break;
    case ATMOS_SCOPE_PROVIDER:
        fprintf(out, "Logging out from provider: %s\n", atmos_show(plan->target));
        fprintf(out, "Identities using it: %zu\n\n", plan->nidentities);
        print_realm(out, plan);
        break;
    case ATMOS_SCOPE_ALL:
        if (plan->discovered) {
            fprintf(out,
                    "No atmos.yaml found: logging out of what atmos wrote on disk "
                    "(%zu provider %s)\n\n",
                    plan->nproviders, plural(plan->nproviders, "directory", "directories"));
            print_realm(out, plan);
            break;
        }
        fprintf(out, "Logging out from all identities (%zu %s, %zu %s)\n\n", plan->nidentities,
                plural(plan->nidentities, "identity", "identities"), plan->nproviders,
                plural(plan->nproviders, "provider", "providers"));
        print_realm(out, plan);
        break;
    case ATMOS_SCOPE_TAGS:
        fprintf(out, "Logging out by tags: %s (%zu %s, %zu %s)\n\n", atmos_show(plan->target),
                plan->nproviders, plural(plan->nproviders, "provider", "providers"),
                plan->nidentities, plural(plan->nidentities, "identity", "identities"));
        print_realm(out, plan);
        break;
    case ATMOS_SCOPE_ALL_REALMS:
        fprintf(out, "Logging out from all identities in every realm (%zu %s, %zu %s)\n",
                plan->nidentities, plural(plan->nidentities, "identity", "identities"),
                plan->nproviders, plural(plan->nproviders, "provider", "providers"));
        print_realm(out, plan);
        break;
    }
}

/*
 * A keychain entry planned only because its chain is ambient (no --keychain) that could not be
 * checked: no Secret Service here, so atmos could not have stored it here either.  Not a
 * problem of the logout, and on a server it would be said at every logout: text shows it with
 * --verbose only; JSON always (status not_checked).
 */
static int quiet_unchecked(const struct atmos_item *it, const struct atmos_style *st)
{
    return it->kind == ATMOS_ITEM_KEYRING && it->outcome == ATMOS_OUTCOME_UNCHECKED &&
           it->u.keyring.implicit && !st->verbose;
}

static int shown(const struct atmos_item *it, const struct atmos_style *st)
{
    if (quiet_unchecked(it, st))
        return 0;
    return it->outcome == ATMOS_OUTCOME_REMOVED || it->outcome == ATMOS_OUTCOME_WOULD_REMOVE ||
           it->outcome == ATMOS_OUTCOME_FAILED || it->outcome == ATMOS_OUTCOME_UNCHECKED;
}

/*
 * The engine's own sentence as the start of a line: "not signed out ..."
 * reads "Not signed out ...".
 */
static void print_sentence(FILE *out, const char *s)
{
    if (s[0] >= 'a' && s[0] <= 'z')
        fprintf(out, "%c%s", s[0] - 'a' + 'A', s + 1);
    else
        fputs(s, out);
}

/* A sign-out: never an error of the logout, whatever happened. */
static void print_signout(FILE *out, const struct atmos_plan *plan, const struct atmos_item *it,
                          const struct atmos_style *st)
{
    const char *r = atmos_show(it->u.signout.where);
    const char *session = atmos_show(it->u.signout.how ? it->u.signout.how->session : it->label);
    if (it->outcome == ATMOS_OUTCOME_WOULD_REMOVE)
        fprintf(out, "    %s Would sign out of the %s (%s)\n", dot(), session, r);
    else if (it->outcome == ATMOS_OUTCOME_REMOVED)
        fprintf(out, "    %s%s of the %s (%s)\n", mark(st, 1),
                it->u.signout.result == ATMOS_SIGNOUT_ALREADY ? "Already signed out" : "Signed out",
                session, r);
    else if (it->error && strncmp(it->error, "not ", 4) == 0) {
        fprintf(out, "    %s", mark(st, 0));
        print_sentence(out, atmos_show_home(plan->home, it->error));
        fputc('\n', out);
    } else if (it->error) {
        /* Any other reason (the token file could not be read) is not a sentence of that form. */
        fprintf(out, "    %sNot signed out of the %s: %s\n", mark(st, 0), session,
                atmos_show_home(plan->home, it->error));
    }
}

/* Every item that did something or could not, grouped by cloud. */
static void print_items(FILE *out, const struct atmos_plan *plan, const struct atmos_style *st)
{
    /* In the clouds' order; items of no cloud known come last. */
    for (size_t g = 0; g <= atmos_cloud_count(); g++) {
        int header = 0;
        for (size_t i = 0; i < plan->nitems; i++) {
            const struct atmos_item *it = &plan->items[i];
            if (atmos_cloud_rank(it->cloud) != g || !shown(it, st))
                continue;
            if (!header++)
                fprintf(out, "  %s\n", atmos_show(atmos_cloud_display(it->cloud)));
            if (it->kind == ATMOS_ITEM_SIGNOUT) {
                print_signout(out, plan, it, st);
                continue;
            }
            if (it->kind == ATMOS_ITEM_UNKNOWN && it->u.unknown.skipped == 3) {
                fprintf(out, "    %sNot found: identity \"%s\"\n", mark(st, 0),
                        atmos_show(it->u.unknown.what));
                continue;
            }
            if (it->outcome == ATMOS_OUTCOME_WOULD_REMOVE)
                fprintf(out, "    %s ", dot());
            else if (it->outcome == ATMOS_OUTCOME_REMOVED)
                /* A browser session's data: what went is a session, not a credential file. */
                fprintf(out, "    %s%s ", mark(st, 1), it->browser ? "Ended" : "Removed");
            else if (it->outcome == ATMOS_OUTCOME_UNCHECKED)
                fprintf(out, "    - Not checked: ");
            else
                fprintf(out, "    %sCould not %s ", mark(st, 0),
                        plan->dry_run ? "check" : "remove");
            describe(out, plan, it);
            fputc('\n', out);
        }
    }
}

size_t atmos_render_preview(FILE *out, const struct atmos_plan *probe,
                            const struct atmos_style *st)
{
    struct atmos_counts c;
    atmos_plan_count(probe, &c);
    if (c.removed == 0 && c.failed == 0)
        return 0;
    fprintf(out, "This removes:\n");
    print_items(out, probe, st);
    return c.removed + c.failed;
}

static void print_unchecked(FILE *out, const struct atmos_plan *plan, const struct atmos_style *st)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->nitems; i++)
        n += plan->items[i].outcome == ATMOS_OUTCOME_UNCHECKED &&
             plan->items[i].kind != ATMOS_ITEM_SIGNOUT && !quiet_unchecked(&plan->items[i], st);
    if (n)
        fprintf(out,
                "%zu keychain %s not checked: no Secret Service here (a desktop session "
                "has one).\n",
                n, plural(n, "entry was", "entries were"));
}

/* The browser sessions whose data went (or would go), by kind: refresh token, console profile,
 * IdP cookies, in the order they first appear. */
static void print_browser(FILE *out, const struct atmos_plan *plan)
{
    const char *kinds[8];
    size_t count[8] = {0}, nk = 0, total = 0;
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        if (it->browser == NULL ||
            (it->outcome != ATMOS_OUTCOME_REMOVED && it->outcome != ATMOS_OUTCOME_WOULD_REMOVE))
            continue;
        size_t k = 0;
        while (k < nk && strcmp(kinds[k], it->browser) != 0)
            k++;
        if (k == nk && nk < sizeof(kinds) / sizeof(*kinds))
            kinds[nk++] = it->browser;
        if (k < nk)
            count[k]++;
        total++;
    }
    if (total == 0)
        return;
    fprintf(out, "Browser sessions %s on this machine: %zu (", plan->dry_run ? "to end" : "ended",
            total);
    for (size_t k = 0; k < nk; k++)
        fprintf(out, "%s%s: %zu", k ? ", " : "", atmos_show(kinds[k]), count[k]);
    fprintf(out, ").\n");
}

/*
 * Credentials a logout does not touch that the environment still points tools at, as atmos
 * warns of them after every logout (cmd/auth/logout.go detectExternalCredentials).
 */
const char *atmos_render_external(size_t *at, const char **value)
{
    static const char *const vars[] = {"GOOGLE_APPLICATION_CREDENTIALS", "AZURE_CERTIFICATE_PATH",
                                       "AWS_SHARED_CREDENTIALS_FILE"};
    while (*at < sizeof(vars) / sizeof(*vars)) {
        const char *name = vars[(*at)++];
        if ((*value = getenv(name)) != NULL && **value)
            return name;
    }
    return NULL;
}

static void print_external(FILE *out)
{
    int n = 0;
    size_t at = 0;
    const char *name, *v;
    while ((name = atmos_render_external(&at, &v)) != NULL) {
        if (n++ == 0)
            fprintf(out, "\nWarning: external credentials may still be active:\n\n");
        fprintf(out, "  %s %s=%s\n", dot(), name, atmos_show(v));
    }
    if (n)
        fprintf(out, "\nTo log out fully, unset the variable, or remove the credentials file.\n");
}

/* Nothing in the realm covered, but the target's files are in others (atmos_plan_find_elsewhere). */
static void print_elsewhere(FILE *out, const struct atmos_plan *plan)
{
    char tmp[4096];
    int id = plan->scope == ATMOS_SCOPE_IDENTITY, all = plan->scope == ATMOS_SCOPE_ALL;
    const char *realm = plan->nrealms ? atmos_show(plan->realms[0]) : "(none)";
    int here = 0;
    for (size_t i = 0; plan->nrealms && i < plan->nelsewhere; i++)
        here |= strcmp(plan->elsewhere[i], plan->realms[0]) == 0;
    if (all)
        fprintf(out, "Nothing %s in realm %s.\natmos session data remains in %s:\n",
                here ? "this configuration names is left" : "to remove", realm,
                here && plan->nelsewhere == 1 ? "it"
                : here                        ? "it and other realms"
                                              : "other realms");
    else
        fprintf(out, "%s \"%s\" has nothing to remove in realm %s.\nIt is still logged in elsewhere:\n",
                id ? "Identity" : "Provider", atmos_show(plan->target), realm);
    for (size_t i = 0; i < plan->nelsewhere; i++) {
        fprintf(out, "  %s realm %s", dot(), atmos_show(plan->elsewhere[i]));
        if (plan->nrealms && strcmp(plan->elsewhere[i], plan->realms[0]) == 0)
            fprintf(out, " (this realm: logins this configuration does not name)");
        else if (plan->elsewhere_dir[i])
            fprintf(out, " (the default realm of %s)",
                    atmos_show(atmos_tilde(plan->home, plan->elsewhere_dir[i], tmp, sizeof(tmp))));
        fputc('\n', out);
    }
    if (all)
        fprintf(out, "Run 'atmos-logout --all-realms' to log out in every realm.\n");
    else
        fprintf(out, "Run 'atmos-logout --all-realms %s%s' to log out of it in every realm.\n",
                id ? "" : "--provider ", atmos_show(plan->target));
}

static void print_already(FILE *out, const struct atmos_plan *plan)
{
    if (plan->nelsewhere) {
        print_elsewhere(out, plan);
        return;
    }
    switch (plan->scope) {
    case ATMOS_SCOPE_IDENTITY:
        if (plan->target) {
            fprintf(out, "Identity \"%s\" is already logged out.\n", atmos_show(plan->target));
            break;
        }
        fprintf(out, "%s", plan->nidentities == 1 ? "Identity" : "Identities");
        for (size_t i = 0; i < plan->nidentities; i++)
            fprintf(out, "%s \"%s\"", i ? "," : "", atmos_show(plan->identities[i]));
        fprintf(out, " %s already logged out.\n", plan->nidentities == 1 ? "is" : "are");
        break;
    case ATMOS_SCOPE_PROVIDER:
        fprintf(out, "Provider \"%s\" is already logged out.\n", atmos_show(plan->target));
        break;
    case ATMOS_SCOPE_ALL:
        fprintf(out, "All identities are already logged out.\n");
        break;
    case ATMOS_SCOPE_TAGS:
        fprintf(out, "Everything tagged %s is already logged out.\n", atmos_show(plan->target));
        break;
    case ATMOS_SCOPE_ALL_REALMS:
        fprintf(out, "All identities are already logged out in every realm.\n");
        break;
    }
}

static int plan_ends_browser(const struct atmos_plan *plan)
{
    for (size_t i = 0; i < plan->nitems; i++)
        if (plan->items[i].browser && plan->items[i].outcome == ATMOS_OUTCOME_REMOVED)
            return 1;
    return 0;
}

/* The line that sums a run up. */
static void print_summary(FILE *out, const struct atmos_plan *plan, const struct atmos_counts *cnt)
{
    struct atmos_counts c = *cnt;
    size_t n = plan->nidentities;
    if (plan->dry_run) {
        fprintf(out, "Dry run: %zu %s would be removed; nothing was changed.\n", c.removed,
                plural(c.removed, "item", "items"));
        if (c.failed)
            fprintf(out, "%zu %s could not be checked.\n", c.failed,
                    plural(c.failed, "item", "items"));
    } else if (c.failed == 0 && plan->discovered) {
        fprintf(out, "Successfully logged out (%zu %s removed)\n", c.removed,
                plural(c.removed, "item", "items"));
    } else if (c.failed == 0) {
        fprintf(out, "Successfully logged out from %zu %s\n", n,
                plural(n, "identity", "identities"));
    } else {
        /* Partly: warnings, unless a name given was not found (exit 1: errors). */
        fprintf(out, "%s (%zu/%zu successful)\n",
                !c.removed                        ? "Logout failed"
                : atmos_plan_exit_status(plan) != 0 ? "Logged out with errors"
                                                    : "Logged out with warnings",
                c.removed, c.removed + c.failed);
    }
}

void atmos_render_text(FILE *out, const struct atmos_plan *plan, int quiet,
                       const struct atmos_style *st)
{
    struct atmos_counts c;
    atmos_plan_count(plan, &c);
    if (quiet) {
        for (size_t i = 0; i < plan->nitems; i++)
            if (plan->items[i].outcome == ATMOS_OUTCOME_FAILED &&
                plan->items[i].kind != ATMOS_ITEM_SIGNOUT)
                fprintf(stderr, "Error: %s\n", atmos_show_home(plan->home, plan->items[i].error));
        return;
    }
    if (plan->dry_run)
        fprintf(out, "Dry run: nothing will be removed.\n\n");
    print_target(out, plan, st);
    if (c.removed == 0 && c.failed == 0) {
        print_already(out, plan);
        print_unchecked(out, plan, st);
        if (!plan->dry_run)
            print_external(out);
        return;
    }
    fprintf(out, plan->dry_run ? "Would remove:\n" : "Removing credentials...\n");
    print_items(out, plan, st);
    fputc('\n', out);
    print_summary(out, plan, &c);
    print_browser(out, plan);
    print_unchecked(out, plan, st);
    if (c.failed) {
        fprintf(out, "\nErrors encountered:\n");
        for (size_t i = 0; i < plan->nitems; i++)
            if (plan->items[i].outcome == ATMOS_OUTCOME_FAILED &&
                plan->items[i].kind != ATMOS_ITEM_SIGNOUT)
                fprintf(out, "  %s %s\n", dot(), atmos_show_home(plan->home, plan->items[i].error));
    }
    if (!plan->dry_run)
        fprintf(out,
                "\nNote: browser sessions with the identity provider stay active; "
                "sign out there too%s.\n",
                plan_ends_browser(plan) ? " (what was ended above is this machine's copy)" : "");
    if (!plan->dry_run)
        print_external(out);
}

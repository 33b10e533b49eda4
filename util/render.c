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

/* "[profile dev] from ~/.config/atmos/<base>/<provider>/config" and the like. */
static void describe(FILE *out, const struct atmos_plan *plan, const struct atmos_item *it)
{
    char buf[4096];
    const char *p = it->path ? atmos_tilde(plan->home, it->path, buf, sizeof(buf)) : "";
    if (it->kind == ATMOS_ITEM_INI_SECTION) {
        const struct atmos_item_section *sec = &it->u.section;
        if (sec->flavor == ATMOS_INI_CONFIG && strcmp(sec->name, "default") != 0)
            fprintf(out, "[profile %s] from %s", atmos_show(sec->name), atmos_show(p));
        else
            fprintf(out, "[%s] from %s", atmos_show(sec->name), atmos_show(p));
        if (sec->file_removed)
            fprintf(out, " (%s)", plan->dry_run ? "file would be deleted" : "file deleted");
    } else if (it->kind == ATMOS_ITEM_JSON_ENTRIES) {
        const struct atmos_item_json *js = &it->u.json;
        fprintf(out, "%s: %s", atmos_show(it->label), js->what ? atmos_show(js->what) : "entries");
        if (js->entries)
            fprintf(out, " (%zu %s)", js->entries, plural(js->entries, "entry", "entries"));
        fprintf(out, " in %s", atmos_show(p));
        /* The documented difference: a reader that keeps the last of a name sees the earlier. */
        if (js->unmasked)
            fprintf(out, " (%zu %s of the same name, not the login's, now read in %s place)",
                    js->unmasked, plural(js->unmasked, "earlier entry", "earlier entries"),
                    js->unmasked == 1 ? "its" : "their");
    } else if (it->kind == ATMOS_ITEM_KUBECONFIG) {
        const struct atmos_item_kube *kb = &it->u.kube;
        fprintf(out, "%s: %s", atmos_show(it->label), kb->what ? atmos_show(kb->what) : "entries");
        if (kb->entries)
            fprintf(out, " (%zu %s)", kb->entries, plural(kb->entries, "entry", "entries"));
        fprintf(out, " in %s", atmos_show(p));
        if (kb->file_removed)
            fprintf(out, " (%s)", plan->dry_run ? "file would be deleted" : "file deleted");
        /* A shape not cut by byte ranges: written whole, kubectl's view the same. */
        else if (kb->rewritten)
            fprintf(out, " (%s)",
                    plan->dry_run ? "would be rewritten whole: its comments would not be kept"
                                  : "rewritten whole: its comments were not kept");
    } else if (it->kind == ATMOS_ITEM_UNKNOWN) {
        fprintf(out, "%s %s", atmos_show(it->label), atmos_show(it->u.unknown.what));
    } else if (it->kind == ATMOS_ITEM_KEYRING) {
        fprintf(out, "keychain entry %s (%s)", atmos_show(it->u.keyring.key),
                atmos_show(atmos_keyring_label(it, plan->home, buf, sizeof(buf))));
    } else {
        fprintf(out, "%s %s", atmos_show(it->label), atmos_show(p));
    }
    if (plan->every_realm)
        fprintf(out, " [%s%s]", it->realm ? "realm " : "",
                it->realm ? atmos_show(it->realm) : "no realm");
}

const char *atmos_keyring_label(const struct atmos_item *it, const char *home, char *buf,
                                size_t len)
{
    switch (it->u.keyring.backend) {
    case ATMOS_KEYRING_SYSTEM:
        return "Secret Service";
    case ATMOS_KEYRING_KEYCTL:
        return "kernel keyring";
    case ATMOS_KEYRING_FILE: {
        char tmp[4096];
        snprintf(buf, len, "file keyring %s", atmos_tilde(home, it->path, tmp, sizeof(tmp)));
        return buf;
    }
    default:
        return atmos_keyring_name(it->u.keyring.backend);
    }
}

/* "•" in a UTF-8 locale, "-" in any other (LC_ALL=C). */
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
static const char *const external_vars[] = {"GOOGLE_APPLICATION_CREDENTIALS",
                                            "AZURE_CERTIFICATE_PATH", "AWS_SHARED_CREDENTIALS_FILE"};

static void print_external(FILE *out)
{
    int n = 0;
    for (size_t i = 0; i < sizeof(external_vars) / sizeof(*external_vars); i++) {
        const char *v = getenv(external_vars[i]);
        if (v == NULL || *v == '\0')
            continue;
        if (n++ == 0)
            fprintf(out, "\nWarning: external credentials may still be active:\n\n");
        fprintf(out, "  %s %s=%s\n", dot(), external_vars[i], atmos_show(v));
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

/* A JSON string of `s` escaped (NULL stays JSON null): valid UTF-8, no controls. */
static json_object *jstr(const char *s)
{
    if (s == NULL)
        return NULL;
    char *e = atmos_escape_dup(s);
    json_object *j = json_object_new_string(e ? e : "?");
    free(e);
    return j;
}

static json_object *strv(char **v, size_t n)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < n; i++)
        json_object_array_add(a, jstr(v[i]));
    return a;
}

static const char *signout_status(const struct atmos_item *it)
{
    return it->outcome == ATMOS_OUTCOME_WOULD_REMOVE       ? "would_sign_out"
           : it->u.signout.result == ATMOS_SIGNOUT_DONE    ? "signed_out"
           : it->u.signout.result == ATMOS_SIGNOUT_ALREADY ? "already_signed_out"
           : it->outcome == ATMOS_OUTCOME_ABSENT           ? "not_needed"
                                                           : "not_signed_out";
}

/* One item, with the same keys whatever its kind (null where its kind has none). */
static json_object *item_json(const struct atmos_item *it, int all_realms)
{
    int ini = it->kind == ATMOS_ITEM_INI_SECTION, key = it->kind == ATMOS_ITEM_KEYRING;
    json_object *j = json_object_new_object();
    json_object_object_add(j, "kind", jstr(atmos_item_kind_name(it)));
    json_object_object_add(j, "cloud", jstr(it->cloud));
    json_object_object_add(j, "label", jstr(it->label ? it->label : ""));
    json_object_object_add(j, "what", jstr(atmos_item_what(it)));
    json_object_object_add(
        j, "entries",
        it->kind == ATMOS_ITEM_JSON_ENTRIES ? json_object_new_int64((int64_t)it->u.json.entries)
        : it->kind == ATMOS_ITEM_KUBECONFIG ? json_object_new_int64((int64_t)it->u.kube.entries)
                                            : NULL);
    json_object_object_add(j, "path", jstr(it->path));
    json_object_object_add(j, "section", jstr(ini ? it->u.section.name : NULL));
    json_object_object_add(j, "key", jstr(key ? it->u.keyring.key : NULL));
    json_object_object_add(j, "backend",
                           key ? json_object_new_string(atmos_keyring_name(it->u.keyring.backend))
                               : NULL);
    /* The browser session removing it ends ("refresh token", ...), or null. */
    json_object_object_add(j, "browser_session", jstr(it->browser));
    json_object_object_add(j, "identity", jstr(it->identity));
    json_object_object_add(j, "provider", jstr(it->provider));
    if (all_realms)
        json_object_object_add(j, "realm", jstr(it->realm));
    json_object_object_add(j, "status", json_object_new_string(atmos_outcome_name(it->outcome)));
    json_object_object_add(
        j, "file_removed",
        json_object_new_boolean((ini && it->u.section.file_removed) ||
                                (it->kind == ATMOS_ITEM_KUBECONFIG && it->u.kube.file_removed)));
    /* Written whole again: the file's comments and layout were not kept. */
    int rewritten = it->kind == ATMOS_ITEM_KUBECONFIG && it->u.kube.rewritten &&
                    !it->u.kube.file_removed;
    json_object_object_add(j, "rewritten", json_object_new_boolean(rewritten));
    if (it->kind == ATMOS_ITEM_SIGNOUT)
        json_object_object_add(j, "signout", json_object_new_string(signout_status(it)));
    json_object_object_add(j, "error", jstr(it->error));
    return j;
}

/* The same, for JSON: [{"variable": ..., "value": ...}]. */
static json_object *external_json(void)
{
    json_object *a = json_object_new_array();
    for (size_t i = 0; i < sizeof(external_vars) / sizeof(*external_vars); i++) {
        const char *v = getenv(external_vars[i]);
        if (v && *v) {
            json_object *e = json_object_new_object();
            json_object_object_add(e, "variable", json_object_new_string(external_vars[i]));
            json_object_object_add(e, "value", jstr(v));
            json_object_array_add(a, e);
        }
    }
    return a;
}

/* {"kind": ..., "via": {"provider"|"identity": ...}} of one entry (via null when it has none). */
static json_object *entry_json(const struct atmos_field *kind, const struct atmos_field *via_p,
                               const struct atmos_field *via_i)
{
    json_object *e = json_object_new_object();
    json_object_object_add(e, "kind", jstr(kind->value));
    json_object *via = NULL;
    if ((via_p && via_p->value) || (via_i && via_i->value)) {
        via = json_object_new_object();
        if (via_p && via_p->value)
            json_object_object_add(via, "provider", jstr(via_p->value));
        if (via_i && via_i->value)
            json_object_object_add(via, "identity", jstr(via_i->value));
    }
    if (via_p)
        json_object_object_add(e, "via", via);
    return e;
}

void atmos_render_config_json(FILE *out, const struct atmos_config *cfg)
{
    json_object *o = json_object_new_object(), *ids = json_object_new_object(),
                *provs = json_object_new_object(), *skipped = json_object_new_array();
    for (size_t i = 0; i < cfg->nidentities; i++) {
        const struct atmos_identity *id = &cfg->identities[i];
        json_object *e =
            id->problem ? NULL : entry_json(&id->kind, &id->via_provider, &id->via_identity);
        if (e)
            json_object_object_add(ids, atmos_show(id->name), e);
        else {
            json_object *k = json_object_new_object();
            json_object_object_add(k, "identity", jstr(id->name));
            json_object_object_add(k, "reason", jstr(id->problem));
            json_object_array_add(skipped, k);
        }
    }
    for (size_t i = 0; i < cfg->nproviders; i++) {
        const struct atmos_provider *p = &cfg->providers[i];
        if (p->problem == NULL) {
            json_object_object_add(provs, atmos_show(p->name), entry_json(&p->kind, NULL, NULL));
            continue;
        }
        json_object *k = json_object_new_object();
        json_object_object_add(k, "provider", jstr(p->name));
        json_object_object_add(k, "reason", jstr(p->problem));
        json_object_array_add(skipped, k);
    }
    json_object_object_add(o, "identities", ids);
    json_object_object_add(o, "providers", provs);
    json_object_object_add(o, "realm", jstr(cfg->realm.value));
    json_object_object_add(o, "skipped", skipped);
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

void atmos_render_json(FILE *out, const struct atmos_plan *plan)
{
    struct atmos_counts c;
    atmos_plan_count(plan, &c);
    json_object *o = json_object_new_object();
    json_object_object_add(o, "scope", jstr(atmos_scope_name(plan->scope)));
    json_object_object_add(o, "target", jstr(plan->target));
    json_object_object_add(o, "dry_run", json_object_new_boolean(plan->dry_run));
    json_object_object_add(o, "discovered", json_object_new_boolean(plan->discovered));
    json_object *chain = json_object_new_array();
    for (size_t i = 0; i < plan->chain.n; i++)
        json_object_array_add(chain, jstr(plan->chain.names[i]));
    json_object_object_add(o, "chain", chain);
    json_object_object_add(o, "identities", strv(plan->identities, plan->nidentities));
    json_object_object_add(o, "providers", strv(plan->providers, plan->nproviders));
    /* Besides the realm-less layout ("realm": null on items). */
    json_object_object_add(o, "realms", strv(plan->realms, plan->nrealms));
    json_object_object_add(o, "realm_directory", jstr(plan->realm_dir));
    json_object *elsewhere = json_object_new_array();
    for (size_t i = 0; i < plan->nelsewhere; i++) {
        json_object *e = json_object_new_object();
        json_object_object_add(e, "realm", jstr(plan->elsewhere[i]));
        json_object_object_add(e, "directory", jstr(plan->elsewhere_dir[i]));
        json_object_array_add(elsewhere, e);
    }
    json_object_object_add(o, "elsewhere", elsewhere);
    /* What atmos warns of after a logout: the environment still points tools at these. */
    json_object_object_add(o, "external_credentials", external_json());
    json_object *items = json_object_new_array();
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        json_object_array_add(items, item_json(it, plan->every_realm));
    }
    json_object_object_add(o, "items", items);
    /* A dry run removes nothing: what it would remove is said as such. */
    size_t removed = plan->dry_run ? 0 : c.removed, would = plan->dry_run ? c.removed : 0;
    json_object_object_add(o, "removed", json_object_new_int64((int64_t)removed));
    json_object_object_add(o, "would_remove", json_object_new_int64((int64_t)would));
    json_object_object_add(o, "absent", json_object_new_int64((int64_t)c.absent));
    json_object_object_add(o, "failed", json_object_new_int64((int64_t)c.failed));
    json_object_object_add(o, "not_checked", json_object_new_int64((int64_t)c.unchecked));
    json_object_object_add(o, "revoked", json_object_new_int64((int64_t)c.revoked));
    size_t browser = 0;
    for (size_t i = 0; i < plan->nitems; i++)
        browser += plan->items[i].browser && (plan->items[i].outcome == ATMOS_OUTCOME_REMOVED ||
                                              plan->items[i].outcome == ATMOS_OUTCOME_WOULD_REMOVE);
    json_object_object_add(o, "browser_sessions", json_object_new_int64((int64_t)browser));
    const char *status = c.removed == 0 && c.failed == 0 && plan->nelsewhere ? "elsewhere"
                         : c.removed == 0 && c.failed == 0 ? "already_logged_out"
                         : plan->dry_run && c.failed == 0 ? "dry_run"
                         : c.failed == 0                 ? "success"
                         : c.removed == 0                ? "failed"
                                                         : "partial";
    json_object_object_add(o, "status", json_object_new_string(status));
    json_object_object_add(o, "exit_code", json_object_new_int(atmos_plan_exit_status(plan)));
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

void atmos_render_error_json(FILE *out, const char *msg, const char *what, char **names, size_t n,
                             const char *hint)
{
    json_object *o = json_object_new_object();
    json_object_object_add(o, "error", jstr(msg ? msg : ""));
    if (hint)
        json_object_object_add(o, "hint", jstr(hint));
    if (what)
        json_object_object_add(o, what, strv(names, n));
    fprintf(out, "%s\n",
            json_object_to_json_string_ext(o, JSON_C_TO_STRING_PRETTY |
                                                  JSON_C_TO_STRING_NOSLASHESCAPE));
    json_object_put(o);
}

/*
 * The cleanup itself, run by the helper as the user: the same engine calls
 * as `atmos-logout --all-realms` (or the configured identities/providers),
 * keychain preserved unless the administrator opted in.  Every realm, because
 * atmos's default realm is a hash of the directory of the atmos.yaml it read:
 * a user who logged in from ~/infra keeps credentials in that directory's
 * realm, which the configuration found here (~/.atmos) does not name.
 * Details go to the module as log lines; it escapes and logs them.
 *
 * Each item of a plan is logged once, from its outcome, in one style
 * (report_items): the engine's own trace of each step ("Removing file
 * path=...") and its warning for each failed item, which say the same
 * items again in the engine's style, are not passed on (log_engine).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/config.h>
#include <atmos/plan.h>

#include "cleanup.h"

struct ctx {
    const struct pa_job *job;
    const struct passwd *pw;
    struct atmos_env env;
    struct atmos_logger lg;
    struct pa_result *r;
    size_t network_skipped;   /* items left on a network filesystem (network_home=skip) */
    size_t realms;            /* the named realms covered, by the widest plan */
    const char *network_kind; /* the first such filesystem ("nfs", "sshfs"), static */
    const struct atmos_plan *running; /* the plan being executed, or NULL */
};

/* An item of the plan that failed for exactly this reason. */
static int failed_item(const struct atmos_plan *plan, const char *msg)
{
    for (size_t i = 0; i < plan->nitems; i++)
        if (plan->items[i].outcome == ATMOS_OUTCOME_FAILED && plan->items[i].error &&
            strcmp(plan->items[i].error, msg) == 0)
            return 1;
    return 0;
}

static void log_engine(void *ctx, enum atmos_log_level level, const char *msg)
{
    const struct ctx *c = ctx;
    /*
     * While a plan runs, report_items speaks for its items afterwards, once
     * each: the engine's step trace (debug) and its line per failed item
     * would log every item a second time, in another style.  Its other
     * warnings (a child that timed out, ...) still go through.
     */
    if (c->running && (level == ATMOS_LOG_DEBUG || failed_item(c->running, msg)))
        return;
    pa_log((int)level, "%s", msg);
}

/* A server-side sign-out (or token revocation): never a removal, and never counted as one. */
static void report_signout(const struct ctx *c, const struct atmos_item *it)
{
    const char *session = it->u.signout.how ? it->u.signout.how->session : it->label;
    const char *where = it->u.signout.where, *lp = where ? " (" : "", *rp = where ? ")" : "";
    if (where == NULL)
        where = "";
    if (it->outcome == ATMOS_OUTCOME_WOULD_REMOVE)
        pa_log(2, "dry_run: would sign out of the %s%s%s%s", session, lp, where, rp);
    else if (it->outcome == ATMOS_OUTCOME_REMOVED && c->job->debug)
        pa_log(3, "%s of the %s%s%s%s",
               it->u.signout.result == ATMOS_SIGNOUT_ALREADY ? "already signed out" : "signed out",
               session, lp, where, rp);
    else if (it->outcome == ATMOS_OUTCOME_FAILED && it->error && strncmp(it->error, "not ", 4) == 0)
        pa_log(1, "%s", it->error); /* the engine's sentence: "not signed out of ..." */
    else if (it->outcome == ATMOS_OUTCOME_FAILED)
        pa_log(1, "not signed out of the %s: %s", session, it->error ? it->error : "failed");
}

static void report_items(const struct ctx *c, const struct atmos_plan *plan)
{
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        if (it->kind == ATMOS_ITEM_SIGNOUT) {
            report_signout(c, it);
            continue;
        }
        const char *key = it->kind == ATMOS_ITEM_KEYRING ? it->u.keyring.key : NULL;
        const char *section = it->kind == ATMOS_ITEM_INI_SECTION ? it->u.section.name : NULL;
        const char *what = atmos_item_what(it) ? atmos_item_what(it) : it->path ? it->path : key;
        const char *sec = section ? " section " : "", *name = section ? section : "";
        if (it->outcome == ATMOS_OUTCOME_WOULD_REMOVE)
            pa_log(2, "dry_run: would remove %s %s%s%s", it->label, what, sec, name);
        else if (it->outcome == ATMOS_OUTCOME_REMOVED && c->job->debug)
            pa_log(3, "removed %s %s%s%s", it->label, what, sec, name);
        else if (it->outcome == ATMOS_OUTCOME_FAILED)
            pa_log(1, "could not remove: %s", it->error);
        else if (it->outcome == ATMOS_OUTCOME_UNCHECKED && c->job->debug)
            pa_log(3, "%s", it->error);
        /* A kubeconfig written whole (a shape byte ranges cannot cut): its comments went. */
        if (it->kind == ATMOS_ITEM_KUBECONFIG && it->u.kube.rewritten && !it->u.kube.file_removed &&
            it->outcome == ATMOS_OUTCOME_REMOVED)
            pa_log(1, "rewrote %s whole as kubectl reads it: its comments were not kept", it->path);
        else if (it->kind == ATMOS_ITEM_KUBECONFIG && it->u.kube.rewritten &&
                 !it->u.kube.file_removed && it->outcome == ATMOS_OUTCOME_WOULD_REMOVE)
            pa_log(2, "dry_run: would rewrite %s whole: its comments would not be kept", it->path);
    }
}

static void run_plan(struct ctx *c, struct atmos_plan *plan)
{
    struct atmos_exec_opts eo = {.dry_run = c->job->dry_run, .log = &c->lg, .env = &c->env};
    struct atmos_counts n;
    if (!c->job->network_clean) {
        /* A shared home is in use on other hosts too: this host's last session is not theirs. */
        const char *kind;
        size_t skipped = atmos_plan_skip_network(plan, &kind);
        if (skipped && c->network_kind == NULL)
            c->network_kind = kind;
        c->network_skipped += skipped;
    }
    c->running = plan;
    atmos_plan_execute(plan, &eo);
    c->running = NULL;
    report_items(c, plan);
    if (plan->nrealms > c->realms) /* every plan of one configuration covers the same or fewer */
        c->realms = plan->nrealms;
    atmos_plan_count(plan, &n);
    c->r->removed += n.removed;
    c->r->failed += n.failed;
    c->r->revoked += n.revoked;
    for (size_t i = 0; i < plan->nitems; i++)
        c->r->signout_failed += plan->items[i].kind == ATMOS_ITEM_SIGNOUT &&
                                plan->items[i].outcome == ATMOS_OUTCOME_FAILED;
}

static void one_target(struct ctx *c, const struct atmos_config *cfg, enum atmos_scope scope,
                       const char *target)
{
    struct atmos_plan plan;
    struct atmos_err err;
    /* identity= and provider= too: in every realm on disk, as the rest of the close. */
    struct atmos_plan_opts po = {.keychain = c->job->keychain,
                                 .revoke = c->job->revoke,
                                 .every_realm = 1,
                                 .log = &c->lg};
    if (atmos_plan_build(&plan, cfg, &c->env, scope, target, &po, &err) != ATMOS_OK) {
        pa_log(1, "%s", err.msg);
        c->r->failed++;
        return;
    }
    run_plan(c, &plan);
    atmos_plan_free(&plan);
}

/* No configuration: what atmos wrote, found on disk. */
static void discovered(struct ctx *c)
{
    struct atmos_plan plan;
    struct atmos_err err;
    struct atmos_plan_opts po = {.revoke = c->job->revoke, .log = &c->lg};
    if (c->job->nidentity || c->job->nprovider)
        pa_log(1, "no atmos.yaml: identity=/provider= need one; "
                  "cleaning what atmos wrote on disk instead");
    if (atmos_plan_discover(&plan, &c->env, &po, &err) != ATMOS_OK) {
        pa_log(1, "%s", err.msg);
        c->r->failed++;
        return;
    }
    run_plan(c, &plan);
    atmos_plan_free(&plan);
}

static void configured(struct ctx *c, const struct atmos_config *cfg)
{
    if (c->job->nidentity == 0 && c->job->nprovider == 0) {
        one_target(c, cfg, ATMOS_SCOPE_ALL_REALMS, NULL);
        return;
    }
    for (int i = 0; i < c->job->nidentity; i++)
        one_target(c, cfg, ATMOS_SCOPE_IDENTITY, c->job->identity[i]);
    for (int i = 0; i < c->job->nprovider; i++)
        one_target(c, cfg, ATMOS_SCOPE_PROVIDER, c->job->provider[i]);
}

void pa_cleanup(const struct pa_job *j, const struct passwd *pw, struct pa_result *r)
{
    struct ctx c = {.job = j, .pw = pw, .r = r};
    struct atmos_source_list sources = {0};
    struct atmos_config *cfg = NULL;
    struct atmos_err err;
    char *explicit_path = NULL;
    memset(r, 0, sizeof(*r));
    c.lg = (struct atmos_logger){.fn = log_engine,
                                 .ctx = &c,
                                 .max_level = j->debug ? ATMOS_LOG_DEBUG : ATMOS_LOG_WARN};
    c.env.home = pw->pw_dir;
    c.env.system_config = ATMOS_SYSTEM_CONFIG;
    /* Signing out: only what root's PAM configuration says, never the user's environment. */
    c.env.https_proxy = j->revoke_proxy;
    c.env.signout_ca_bundle = j->revoke_ca_bundle;
    c.env.signout_endpoint = j->revoke_endpoint;
    const char *cp = j->config;
    if (cp && cp[0] == '~' && cp[1] == '/') {
        if (asprintf(&explicit_path, "%s%s", c.env.home, cp + 1) < 0)
            explicit_path = NULL;
    } else if (cp) {
        explicit_path = strdup(cp);
    }
    /* config= replaces the search path; else the user's own search path,
     * minus ./atmos.yaml and $ATMOS_CLI_CONFIG_PATH (not trusted here). */
    if ((cp && explicit_path == NULL) ||
        atmos_config_search_path(&sources, &c.env, ATMOS_SEARCH_EXPLICIT_ONLY, explicit_path,
                                 &err) != ATMOS_OK) {
        pa_log(0, "out of memory");
        r->status = PA_HELPER_ERROR;
        goto done;
    }
    int st = atmos_config_load_logged(&cfg, &sources, &c.env, &c.lg, &err);
    if (st == ATMOS_ENOCONFIG) {
        discovered(&c);
    } else if (st != ATMOS_OK) {
        /* Fail closed for this configuration: nothing is removed. */
        pa_log(0, "configuration not used: %s", err.msg);
        r->status = PA_CONFIG_REFUSED;
        r->failed = 1;
    } else {
        atmos_env_promote(&c.env, cfg->env_promoted); /* as atmos: the environment wins */
        configured(&c, cfg);
    }
done:
    r->realms = c.realms;
    if (c.network_skipped)
        pa_log(2 /* a notice */,
               "left %zu item%s of %s's session data on a network filesystem (%s), in use "
               "from other hosts too; network_home=clean removes it",
               c.network_skipped, c.network_skipped == 1 ? "" : "s", pw->pw_name, c.network_kind);
    atmos_config_free(cfg);
    atmos_source_list_free(&sources);
    free(explicit_path);
}

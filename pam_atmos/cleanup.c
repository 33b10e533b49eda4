/*
 * The cleanup itself, run in the child as the user: the same engine calls as
 * `atmos-logout --all` (or the configured identities/providers), keychain
 * preserved unless the administrator opted in.  Details go to syslog.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

#include <atmos/config.h>
#include <atmos/plan.h>

#include "cleanup.h"

static void log_pam(void *ctx, enum atmos_log_level level, const char *msg)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    pam_syslog((pam_handle_t *)ctx, prio[level], "%s", msg);
}

static void report_items(const struct pa_session *s, const struct atmos_plan *plan)
{
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        const char *what = it->what ? it->what : it->path ? it->path : it->key;
        if (it->outcome == ATMOS_OUTCOME_WOULD_REMOVE)
            pam_syslog(s->pamh, LOG_INFO, "dry_run: would remove %s %s%s%s", it->label, what,
                       it->section ? " section " : "", it->section ? it->section : "");
        else if (it->outcome == ATMOS_OUTCOME_REMOVED && s->opts->debug)
            pam_syslog(s->pamh, LOG_DEBUG, "removed %s %s%s%s", it->label, what,
                       it->section ? " section " : "", it->section ? it->section : "");
        else if (it->outcome == ATMOS_OUTCOME_FAILED)
            pam_syslog(s->pamh, LOG_WARNING, "could not remove: %s", it->error);
        else if (it->outcome == ATMOS_OUTCOME_UNCHECKED && s->opts->debug)
            pam_syslog(s->pamh, LOG_DEBUG, "%s", it->error);
    }
}

static void run_plan(const struct pa_session *s, struct atmos_plan *plan, struct pa_result *r,
                     const struct atmos_env *env, const struct atmos_logger *lg)
{
    struct atmos_exec_opts eo = {s->opts->dry_run, 0, lg, 0, 0, env};
    struct atmos_counts c;
    if (s->opts->network_home == PA_NETWORK_SKIP) {
        /* A shared home is in use on other hosts too: this host's last session is not theirs. */
        const char *kind;
        size_t n = atmos_plan_skip_network(plan, &kind);
        if (n && r->network_kind == NULL)
            r->network_kind = kind;
        r->network_skipped += n;
    }
    atmos_plan_execute(plan, &eo);
    report_items(s, plan);
    atmos_plan_count(plan, &c);
    r->removed += c.removed;
    r->failed += c.failed;
    r->revoked += c.revoked;
}

static void one_target(const struct pa_session *s, const struct atmos_config *cfg,
                       const struct atmos_env *env, enum atmos_scope scope, const char *target,
                       struct pa_result *r, const struct atmos_logger *lg)
{
    struct atmos_plan plan;
    struct atmos_err err;
    struct atmos_plan_opts po = {s->opts->keychain, s->opts->revoke, lg};
    if (atmos_plan_build(&plan, cfg, env, scope, target, &po, &err) != ATMOS_OK) {
        pam_syslog(s->pamh, LOG_WARNING, "%s", err.msg);
        r->failed++;
        return;
    }
    run_plan(s, &plan, r, env, lg);
    atmos_plan_free(&plan);
}

/* The PAM environment's value of the first name set (the child has no other environment). */
static const char *pam_env(const struct pa_session *s, const char *a, const char *b)
{
    const char *v = pam_getenv(s->pamh, a);
    return v || b == NULL ? v : pam_getenv(s->pamh, b);
}

void pa_cleanup(const struct pa_session *s, struct pa_result *r)
{
    struct atmos_env env = {0};
    struct atmos_source_list sources = {0};
    struct atmos_config *cfg = NULL;
    struct atmos_err err;
    struct atmos_logger lg = {log_pam, s->pamh, s->opts->debug ? ATMOS_LOG_DEBUG : ATMOS_LOG_WARN};
    char *explicit_path = NULL;
    memset(r, 0, sizeof(*r));
    snprintf(r->scope, sizeof(r->scope), "all");
    env.home = s->pw->pw_dir;
    env.system_config = ATMOS_SYSTEM_CONFIG;
    /* Signing out, with revoke: the proxy, CA bundle and endpoint of the session's environment. */
    env.https_proxy = pam_env(s, "HTTPS_PROXY", "https_proxy");
    env.no_proxy = pam_env(s, "NO_PROXY", "no_proxy");
    env.aws_ca_bundle = pam_env(s, "AWS_CA_BUNDLE", NULL);
    env.aws_endpoint_url_sso = pam_env(s, "AWS_ENDPOINT_URL_SSO", NULL);
    env.aws_endpoint_url = pam_env(s, "AWS_ENDPOINT_URL", NULL);
    const char *c = s->opts->config;
    if (c && c[0] == '~' && c[1] == '/') {
        if (asprintf(&explicit_path, "%s%s", env.home, c + 1) < 0)
            explicit_path = NULL;
    } else if (c) {
        explicit_path = strdup(c);
    }
    /* config= replaces the search path; else the user's own search path,
     * minus ./atmos.yaml and $ATMOS_CLI_CONFIG_PATH (not trusted here). */
    if ((c && explicit_path == NULL) ||
        atmos_config_search_path(&sources, &env, ATMOS_SEARCH_EXPLICIT_ONLY, explicit_path, &err) !=
            ATMOS_OK) {
        snprintf(r->note, sizeof(r->note), "out of memory");
        goto done;
    }
    int st = atmos_config_load(&cfg, &sources, &env, &err);
    if (st == ATMOS_ENOCONFIG) {
        struct atmos_plan plan;
        struct atmos_plan_opts po = {0, s->opts->revoke, &lg};
        if (s->opts->nidentity || s->opts->nprovider)
            pam_syslog(s->pamh, LOG_WARNING,
                       "no atmos.yaml: identity=/provider= need one; "
                       "cleaning what atmos wrote on disk instead");
        if (atmos_plan_discover(&plan, &env, &po, &err) == ATMOS_OK) {
            run_plan(s, &plan, r, &env, &lg);
            atmos_plan_free(&plan);
        }
        goto done;
    }
    if (st != ATMOS_OK) {
        /* Fail closed for this configuration: nothing is removed. */
        pam_syslog(s->pamh, LOG_ERR, "configuration not used: %s", err.msg);
        snprintf(r->note, sizeof(r->note), "invalid atmos.yaml");
        snprintf(r->scope, sizeof(r->scope), "none");
        r->failed = 1;
        goto done;
    }
    if (s->opts->nidentity == 0 && s->opts->nprovider == 0) {
        one_target(s, cfg, &env, ATMOS_SCOPE_ALL, NULL, r, &lg);
        goto done;
    }
    snprintf(r->scope, sizeof(r->scope), "%s",
             s->opts->nprovider == 0   ? "identity"
             : s->opts->nidentity == 0 ? "provider"
                                       : "mixed");
    for (int i = 0; i < s->opts->nidentity; i++)
        one_target(s, cfg, &env, ATMOS_SCOPE_IDENTITY, s->opts->identity[i], r, &lg);
    for (int i = 0; i < s->opts->nprovider; i++)
        one_target(s, cfg, &env, ATMOS_SCOPE_PROVIDER, s->opts->provider[i], r, &lg);
done:
    if (r->network_skipped)
        pam_syslog(s->pamh, LOG_NOTICE,
                   "left %zu item%s of %s's session data on a network filesystem (%s), in use "
                   "from other hosts too; network_home=clean removes it",
                   r->network_skipped, r->network_skipped == 1 ? "" : "s", s->pw->pw_name,
                   r->network_kind);
    atmos_config_free(cfg);
    atmos_source_list_free(&sources);
    free(explicit_path);
}

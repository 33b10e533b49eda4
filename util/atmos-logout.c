/*
 * atmos-logout: remove atmos session data for an identity, a provider or
 * everything.  Argument parsing, configuration lookup and the exit status
 * live here; what to remove and how is the engine's (libatmos).
 *
 * Exit status: 0 something was removed or nothing was there; 1 every attempted
 * removal failed, an identity named (of several) is not configured, or the target or
 * configuration is invalid; 2 usage error; 130 Ctrl-C in the selector.
 * With --user: 124 the user's run did not end within --timeout and was
 * killed; 128+N it was ended by signal N.
 */
#include <errno.h>
#include <limits.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <time.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atmos/config.h>
#include <atmos/plan.h>
#include <atmos/privdrop.h>

#include "asuser.h"
#include "elsewhere.h"
#include "options.h"
#include "render.h"
#include "select.h"
#include "show.h"
#include "status.h"
#include "suggest.h"

static void log_stderr(void *ctx, enum atmos_log_level level, const char *msg)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char ts[32];
    (void)ctx;
    atmos_log_timestamp(ts, sizeof(ts), (long long)time(NULL));
    /* The whole line is escaped: engine messages carry paths and names from a user's files. */
    fprintf(stderr, "%s %s %s\n", ts, names[level], atmos_show(msg));
}

/* The home, once known: a path under it in a message reads "~", as in the report. */
static const char *msg_home;

static int config_error_hint(const struct atmos_args *a, const char *msg, const char *hint)
{
    if (a->json)
        atmos_render_error_json(stdout, msg, NULL, NULL, 0, hint);
    else
        /* msg names a user's file and its bytes: shown escaped */
        fprintf(stderr, "Error: %s\n%s%s", atmos_show_home(msg_home, msg), hint ? hint : "",
                hint ? "\n" : "");
    return EXIT_FAIL;
}

static int config_error(const struct atmos_args *a, const char *msg)
{
    return config_error_hint(a, msg, NULL);
}

/* The plan's target; several identities: their names joined by `sep`; NULL for all. */
static const char *target_of(const struct atmos_plan *plan, const char *sep, char *buf,
                             size_t len)
{
    if (plan->target || plan->scope != ATMOS_SCOPE_IDENTITY)
        return plan->target;
    buf[0] = '\0';
    for (size_t i = 0, o = 0; i < plan->nidentities && o < len; i++)
        o += (size_t)snprintf(buf + o, len - o, "%s%s", i ? sep : "", plan->identities[i]);
    return buf[0] ? buf : NULL;
}

/*
 * --keychain deletes credentials that cannot be recovered: ask on a terminal,
 * refuse without one unless --force.  Returns -1 to stop (exit status in *rc).
 */
static int confirm_keychain(const struct atmos_args *a, struct atmos_plan *plan,
                            const struct atmos_logger *lg, int *rc)
{
    if (!a->keychain || a->dry_run || a->force)
        return 0;
    /* The question goes to the terminal: stdout when it is one and not a JSON report,
     * else stderr when that is one (stdout redirected to a file or a pipe). */
    FILE *ask = !a->json && isatty(STDOUT_FILENO) ? stdout
                : isatty(STDERR_FILENO)           ? stderr
                                                  : NULL;
    if (!isatty(STDIN_FILENO) || ask == NULL) {
        static const char msg[] = "--keychain permanently deletes keychain credentials and needs "
                                  "confirmation on a terminal; add --force to delete without "
                                  "asking. Nothing was removed.";
        if (a->json)
            atmos_render_error_json(stdout, msg, NULL, NULL, 0, NULL);
        else
            fprintf(stderr, "Error: %s\n", msg);
        *rc = EXIT_FAIL;
        return -1;
    }
    struct atmos_exec_opts probe = {.dry_run = 1, .log = lg, .only_keyring = 1};
    atmos_plan_execute(plan, &probe);
    size_t n = 0;
    for (size_t i = 0; i < plan->nitems; i++)
        n += plan->items[i].kind == ATMOS_ITEM_KEYRING &&
             plan->items[i].outcome == ATMOS_OUTCOME_WOULD_REMOVE;
    if (n == 0)
        return 0; /* nothing in the keychain to lose */
    fprintf(ask, "These keychain credentials will be permanently removed:\n");
    atmos_render_keyring_list(ask, plan);
    char names[512];
    const char *target = target_of(plan, ", ", names, sizeof(names));
    fprintf(ask, "Delete keychain credentials for %s? [y/N] ",
            target ? atmos_show(target) : "all identities");
    fflush(ask);
    char line[64] = "";
    if (fgets(line, sizeof(line), stdin) == NULL ||
        (strcmp(line, "y\n") != 0 && strcmp(line, "Y\n") != 0 && strcmp(line, "yes\n") != 0)) {
        fprintf(ask, "%sLogout cancelled - credentials preserved\n", line[0] ? "" : "\n");
        *rc = EXIT_OK;
        return -1;
    }
    return 0;
}

static void audit(const struct atmos_plan *plan)
{
    char line[1024];
    uid_t uid = getuid();
    struct passwd *pw = getpwuid(uid);
    struct atmos_counts c;
    atmos_plan_count(plan, &c);
    char names[512];
    atmos_audit_format(line, sizeof(line), plan->scope, target_of(plan, ",", names, sizeof(names)),
                       &c, pw ? pw->pw_name : NULL, (unsigned long)uid, NULL);
    openlog("atmos-logout", LOG_PID, LOG_AUTHPRIV);
    syslog(LOG_AUTHPRIV | LOG_INFO, "%s", line);
    closelog();
}

static int list_names(const struct atmos_config *cfg, int which)
{
    if (which == 't') {
        char **tags;
        size_t n;
        if (atmos_tags_available(cfg, &tags, &n) != 0)
            return EXIT_FAIL;
        for (size_t i = 0; i < n; i++)
            printf("%s\n", atmos_show(tags[i]));
        atmos_tags_free(tags, n);
        return EXIT_OK;
    }
    size_t n = which == 'i' ? cfg->nidentities : cfg->nproviders;
    /* Only names a logout can be given: an entry skipped for its problem would be refused. */
    for (size_t i = 0; i < n; i++)
        if (!(which == 'i' ? cfg->identities[i].problem : cfg->providers[i].problem))
            printf("%s\n",
                   atmos_show(which == 'i' ? cfg->identities[i].name : cfg->providers[i].name));
    return EXIT_OK;
}

/* No target given: the selector on a terminal, else the choices.  -1: go on. */
static int choose_target(struct atmos_args *a, const struct atmos_config *cfg,
                         const struct atmos_style *st)
{
    struct atmos_choice c;
    if (cfg->nidentities == 0) {
        if (a->json)
            atmos_render_error_json(stdout, "no identities configured in atmos.yaml", "identities",
                                    NULL, 0, NULL);
        else
            printf("No identities configured in atmos.yaml\n");
        return EXIT_OK;
    }
    if (a->json || !isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        if (!a->json) {
            atmos_print_choices(stderr, cfg);
            return EXIT_USAGE;
        }
        /* A script asked for JSON: the error and the names it may give, on stdout. */
        char **names = calloc(cfg->nidentities, sizeof(*names));
        size_t n = 0;
        for (size_t i = 0; names && i < cfg->nidentities; i++)
            if (!cfg->identities[i].problem)
                names[n++] = cfg->identities[i].name;
        atmos_render_error_json(stdout, "no identity given: name one, --provider NAME or --all",
                                "identities", names, n, NULL);
        free(names);
        return EXIT_USAGE;
    }
    int r = atmos_select(cfg, &c, st->color);
    if (r < 0) {
        fprintf(stderr, "Error: the terminal cannot be used for a selection; name a target.\n");
        return EXIT_USAGE;
    }
    if (r == 0 || r == 2) {
        printf("Logout cancelled - nothing removed\n");
        return r == 2 ? 128 + SIGINT : EXIT_OK; /* Ctrl-C: as the shell reports an interrupt */
    }
    a->identity = c.kind == ATMOS_CHOICE_IDENTITY ? c.name : NULL;
    a->provider = c.kind == ATMOS_CHOICE_PROVIDER ? c.name : NULL;
    a->all = c.kind == ATMOS_CHOICE_ALL;
    return -1;
}

/* One run: what main's steps share.  Each step returns GO_ON, or the exit status. */
enum { GO_ON = -1 };

struct run {
    struct atmos_args a;
    struct atmos_env env;
    char cwd[PATH_MAX];
    struct atmos_style style;
    struct atmos_logger lg;
    struct atmos_err err;
    struct atmos_source_list sources;
    struct atmos_config *cfg;
    struct atmos_plan plan;
    struct atmos_plan_opts popts;
    int built; /* plan holds something to free */
};

/* Output style, environment and logger, from the terminal and the environment. */
static void setup(struct run *r)
{
    /* Marks and colour only on a terminal; NO_COLOR turns colour off. */
    struct atmos_style style = {isatty(STDOUT_FILENO), 0, r->a.verbose};
    const char *nc = getenv("NO_COLOR");
    style.color =
        style.marks && !(nc && *nc) && !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));
    r->style = style;

    atmos_env_from_environ(&r->env);
    msg_home = r->env.home;
    if (r->a.profile)
        r->env.profile = r->a.profile; /* --profile, then $ATMOS_PROFILE (atmos's load.go) */
    r->env.cwd = getcwd(r->cwd, sizeof(r->cwd));
    if (r->a.as_other) {
        /* The other user's own search path: not root's directory or variables. */
        r->env.cwd = NULL;
        r->env.cli_config_path = NULL;
    }
    struct atmos_logger lg = {
        .fn = log_stderr,
        .max_level = atmos_log_level_parse(getenv("ATMOS_LOGS_LEVEL"), ATMOS_LOG_ERROR)};
    r->lg = lg;
}

/* "no atmos.yaml found (searched: ...)". */
static int no_config(struct run *r)
{
    char msg[2048];
    size_t o = (size_t)snprintf(msg, sizeof(msg), "no atmos.yaml found (searched:");
    for (size_t i = 0; i < r->sources.n && o < sizeof(msg); i++)
        o += (size_t)snprintf(msg + o, sizeof(msg) - o, " %s", r->sources.v[i].path);
    if (o < sizeof(msg))
        snprintf(msg + o, sizeof(msg) - o, ")");
    return config_error_hint(&r->a, msg,
                             "Run it from the project directory that holds atmos.yaml, or name "
                             "the file with --config PATH (or $ATMOS_CLI_CONFIG_PATH).");
}

/*
 * A profile did not load, and the configuration loads without it: the name was likely an AWS
 * habit (aws --profile dev-admin).  atmos's profiles are overlays of the configuration
 * (profiles/NAME/ beside atmos.yaml, as `atmos --profile`), not identities: say so, with the
 * next step.  Returns the exit status, or GO_ON when the profile was not the problem.
 */
static int profile_error(struct run *r)
{
    struct atmos_env env = r->env;
    struct atmos_config *cfg = NULL;
    struct atmos_err err;
    char **names = NULL, hint[768] = "";
    size_t n = 0;
    const char *from = r->a.profile ? "--profile" : "$ATMOS_PROFILE";
    env.profile = NULL;
    if (atmos_config_load(&cfg, &r->sources, &env, &err) != ATMOS_OK ||
        atmos_tags_parse(r->env.profile, &names, &n) != 0) {
        atmos_config_free(cfg);
        return GO_ON;
    }
    char **ids = calloc(cfg->nidentities ? cfg->nidentities : 1, sizeof(*ids));
    for (size_t i = 0; ids && i < cfg->nidentities; i++)
        ids[i] = cfg->identities[i].name;
    for (size_t i = 0; i < n && !hint[0]; i++) {
        /* atmos keeps identity names lowercase, as a typed name is looked up. */
        for (char *c = names[i]; *c; c++)
            if (*c >= 'A' && *c <= 'Z')
                *c = (char)(*c - 'A' + 'a');
        const char *unset = r->a.profile ? "" : "unset ATMOS_PROFILE; ";
        int id = atmos_config_identity(cfg, names[i]) != NULL;
        const char *near = id || !ids ? NULL : atmos_suggest(names[i], ids, cfg->nidentities);
        if (!id && atmos_config_provider(cfg, names[i]))
            snprintf(hint, sizeof(hint),
                     "\"%s\" is a provider, not an atmos profile (%s): %satmos-logout "
                     "--provider %s",
                     atmos_show(names[i]), from, unset, atmos_show(names[i]));
        else if (id)
            snprintf(hint, sizeof(hint),
                     "\"%s\" is an identity, not an atmos profile (%s): %satmos-logout %s",
                     atmos_show(names[i]), from, unset, atmos_show(names[i]));
        else if (near)
            snprintf(hint, sizeof(hint),
                     "\"%s\" looks like the identity \"%s\", not an atmos profile (%s): "
                     "%satmos-logout %s",
                     atmos_show(names[i]), atmos_show(near), from, unset, atmos_show(near));
    }
    if (!hint[0])
        snprintf(hint, sizeof(hint),
                 "%s names atmos profiles (profiles/NAME/ beside atmos.yaml, as atmos --profile), "
                 "not AWS profiles; an identity is named alone: atmos-logout IDENTITY "
                 "(atmos-logout --list-identities lists them)",
                 from);
    int named = hint[0] && strncmp(hint, from, strlen(from)) != 0;
    free(ids);
    atmos_tags_free(names, n);
    atmos_config_free(cfg);
    config_error_hint(&r->a, r->err.msg, hint);
    if (named && !r->a.json)
        fprintf(stderr, "(%s names atmos profiles: profiles/NAME/ beside atmos.yaml, as atmos "
                        "--profile; not AWS profiles.)\n",
                from);
    return EXIT_FAIL;
}

/* The configuration into r->cfg; GO_ON with r->cfg NULL: none anywhere, and --all. */
static int load_config(struct run *r)
{
    const struct atmos_args *a = &r->a;
    if (r->env.home == NULL || r->env.home[0] != '/')
        return config_error(a, "HOME is not set to an absolute path");
    /* --config replaces the search path, as in atmos (load_config_args.go
     * mergeConfigFromCLIArgs): a logout of "everything" in that file must not reach
     * identities only ~/.atmos/atmos.yaml names. */
    if (atmos_config_search_path(&r->sources, &r->env,
                                 ATMOS_SEARCH_CWD | ATMOS_SEARCH_ENVPATH |
                                     ATMOS_SEARCH_EXPLICIT_ONLY,
                                 a->config, &r->err) != ATMOS_OK)
        return config_error(a, r->err.msg);
    /* Root's refusal of a file on the search path is shown whatever ATMOS_LOGS_LEVEL says. */
    struct atmos_logger notice = {.fn = log_stderr,
                                  .max_level = r->lg.max_level > ATMOS_LOG_WARN ? r->lg.max_level
                                                                                : ATMOS_LOG_WARN};
    int st = atmos_config_load_logged(&r->cfg, &r->sources, &r->env, &notice, &r->err);
    struct atmos_plan_opts popts = {.keychain = a->keychain,
                                    .revoke = !a->no_revoke,
                                    .every_realm = a->all_realms,
                                    .log = &r->lg};
    r->popts = popts;
    /* With no configuration, what is found on disk covers every realm already. */
    if (st == ATMOS_ENOCONFIG &&
        (a->all || a->status || (a->all_realms && !a->identity && !a->provider)))
        return GO_ON;
    if (st == ATMOS_ENOCONFIG)
        return no_config(r);
    if (st != ATMOS_OK && r->env.profile && (st = profile_error(r)) != GO_ON)
        return st;
    if (st != ATMOS_OK)
        return config_error(a, r->err.msg);
    atmos_env_promote(&r->env, r->cfg->env_promoted); /* as atmos: the environment wins */
    for (size_t i = 0; i < r->cfg->nsources; i++)
        atmos_log(&r->lg, ATMOS_LOG_DEBUG, "Loaded configuration path=%s", r->cfg->sources[i]);
    return GO_ON;
}

/* No atmos.yaml anywhere, and --all: clean what atmos wrote, found on disk. */
static int plan_discovered(struct run *r)
{
    if (r->a.keychain)
        return config_error(&r->a, "--keychain needs an atmos.yaml to name the keychain entries; "
                                   "none was found");
    if (atmos_plan_discover(&r->plan, &r->env, &r->popts, &r->err) != ATMOS_OK)
        return config_error(&r->a, r->err.msg);
    r->built = 1;
    return GO_ON;
}

/*
 * A target chosen in the selector is confirmed before anything is removed: what a dry run of
 * the same plan finds is listed, then one key answers (default no).  Nothing to remove: no
 * question (the report says so).  GO_ON, or the exit status.
 */
static int confirm_choice(struct run *r)
{
    const struct atmos_plan *plan = &r->plan;
    struct atmos_plan probe;
    struct atmos_err err;
    if (!r->a.select || r->a.dry_run)
        return GO_ON;
    if (atmos_plan_build(&probe, r->cfg, &r->env, plan->scope, plan->target, &r->popts, &err) !=
        ATMOS_OK)
        return config_error(&r->a, err.msg);
    struct atmos_exec_opts dry = {.dry_run = 1, .log = &r->lg, .env = &r->env};
    atmos_plan_execute(&probe, &dry);
    size_t n = atmos_render_preview(stdout, &probe, &r->style);
    atmos_plan_free(&probe);
    if (n == 0)
        return GO_ON;
    char q[512];
    if (plan->scope == ATMOS_SCOPE_IDENTITY)
        snprintf(q, sizeof(q), "Log out of identity \"%s\"?", atmos_show(plan->target));
    else if (plan->scope == ATMOS_SCOPE_PROVIDER)
        snprintf(q, sizeof(q), "Log out of provider \"%s\" and every identity it roots?",
                 atmos_show(plan->target));
    else
        snprintf(q, sizeof(q), "Log out of all identities?");
    int yes = atmos_confirm(q, r->style.color);
    if (yes == 1)
        return GO_ON;
    if (yes < 0) {
        fprintf(stderr, "Error: the terminal cannot be used for a confirmation; name a target.\n");
        return EXIT_USAGE;
    }
    printf("Logout cancelled - nothing removed\n");
    return yes == 2 ? 128 + SIGINT : EXIT_OK; /* Ctrl-C: as the shell reports an interrupt */
}

/* The target from the configuration: listed, chosen, or planned (and confirmed). */
static int plan_configured(struct run *r)
{
    struct atmos_args *a = &r->a;
    int rc;
    if (a->list && a->json && a->list != 't') {
        atmos_render_config_json(stdout, r->cfg);
        return EXIT_OK;
    }
    if (a->list)
        return list_names(r->cfg, a->list);
    if (a->select && (rc = choose_target(a, r->cfg, &r->style)) >= 0)
        return rc;
    int everything = a->all_realms && !a->identity && !a->provider;
    enum atmos_scope scope = everything    ? ATMOS_SCOPE_ALL_REALMS
                             : a->tags     ? ATMOS_SCOPE_TAGS
                             : a->all      ? ATMOS_SCOPE_ALL
                             : a->provider ? ATMOS_SCOPE_PROVIDER
                                           : ATMOS_SCOPE_IDENTITY;
    const char *target = everything ? NULL
                         : a->tags     ? a->tags
                         : a->all      ? NULL
                         : a->provider ? a->provider
                                       : a->identity;
    if (scope == ATMOS_SCOPE_IDENTITY && a->nnames > 1) {
        /* Several identities: one plan; a name not configured is an item of it. */
        target = NULL;
        r->popts.names = a->names;
        r->popts.nnames = a->nnames;
    }
    int st = atmos_plan_build(&r->plan, r->cfg, &r->env, scope, target, &r->popts, &r->err);
    if (st == ATMOS_ENOTFOUND)
        return atmos_cli_not_found(a, r->cfg, r->err.msg);
    if (st != ATMOS_OK)
        return config_error(a, r->err.msg);
    r->built = 1;
    if ((rc = confirm_choice(r)) != GO_ON)
        return rc;
    if (confirm_keychain(a, &r->plan, &r->lg, &rc) != 0)
        return rc;
    return GO_ON;
}

/*
 * --status: the plan of --all-realms (with no atmos.yaml, what atmos wrote on disk), probed
 * and shown with when each item expires; nothing is changed, nothing audited.
 */
static int status(struct run *r)
{
    r->popts.revoke = 0; /* nothing is signed out: no sign-out is planned */
    int st = r->cfg ? atmos_plan_build(&r->plan, r->cfg, &r->env, ATMOS_SCOPE_ALL_REALMS, NULL,
                                       &r->popts, &r->err)
                    : atmos_plan_discover(&r->plan, &r->env, &r->popts, &r->err);
    if (st != ATMOS_OK)
        return config_error(&r->a, r->err.msg);
    r->built = 1;
    return atmos_cli_status(stdout, &r->plan, r->cfg ? r->cfg->realm.value : NULL, r->a.json,
                            r->a.quiet, &r->style, &r->lg);
}

/* Several identities, some not configured: the one configured name a typo is near, each. */
static void suggest_not_found(const struct run *r)
{
    char **ids = calloc(r->cfg->nidentities ? r->cfg->nidentities : 1, sizeof(*ids));
    for (size_t i = 0; ids && i < r->cfg->nidentities; i++)
        ids[i] = r->cfg->identities[i].name;
    for (size_t i = 0; ids && i < r->plan.nitems; i++) {
        const struct atmos_item *it = &r->plan.items[i];
        const char *near = it->kind == ATMOS_ITEM_UNKNOWN && it->u.unknown.skipped == 3
                               ? atmos_suggest(it->u.unknown.what, ids, r->cfg->nidentities)
                               : NULL;
        int listed = 0; /* a name logged out already in this run is no guess */
        for (size_t k = 0; near && k < r->plan.nidentities; k++)
            listed |= strcmp(r->plan.identities[k], near) == 0;
        if (near && !listed)
            printf("Did you mean \"%s\" for \"%s\"?\n", atmos_show(near),
                   atmos_show(it->u.unknown.what));
    }
    free(ids);
}

/* Remove (or, dry, look), report, and audit. */
static int execute(struct run *r)
{
    struct atmos_exec_opts opts = {.dry_run = r->a.dry_run, .log = &r->lg, .env = &r->env};
    atmos_plan_execute(&r->plan, &opts);
    if (r->cfg && !r->plan.every_realm) /* nothing here: is the target's login in another realm? */
        atmos_cli_find_elsewhere(&r->plan, r->cfg, &r->env, &r->popts);
    if (r->a.json)
        atmos_render_json(stdout, &r->plan);
    else
        atmos_render_text(stdout, &r->plan, r->a.quiet, &r->style);
    if (r->cfg && !r->a.json && !r->a.quiet)
        suggest_not_found(r);
    if (!r->a.dry_run)
        audit(&r->plan);
    return atmos_plan_exit_status(&r->plan);
}

static int finish(struct run *r, int rc)
{
    if (r->built)
        atmos_plan_free(&r->plan);
    free(r->a.names);
    atmos_config_free(r->cfg);
    atmos_source_list_free(&r->sources);
    atmos_show_release();
    if (fflush(stdout) != 0 && rc == EXIT_OK)
        rc = EXIT_FAIL;
    return rc;
}

int main(int argc, char **argv)
{
    static struct run r; /* zeroed: nothing loaded, nothing planned */
    int rc = atmos_parse_args(argc, argv, &r.a);
    if (rc != EXIT_OK)
        return rc;
    if (r.a.user && (rc = atmos_cli_run_as_user(&r.a)) >= 0)
        return rc;
    /* Past a file-size limit, write(2) should fail with EFBIG, not kill us mid-rewrite. */
    signal(SIGXFSZ, SIG_IGN);
    setup(&r);
    rc = load_config(&r);
    if (rc == GO_ON && r.a.status) {
        rc = status(&r);
        /* 1 says that something live remains: a configuration it could not read is not that,
         * nor is output that could not be written. */
        rc = rc == EXIT_FAIL && !r.built ? ATMOS_STATUS_EXIT_ERROR : rc;
        int out = finish(&r, rc);
        return out != rc ? ATMOS_STATUS_EXIT_ERROR : rc;
    }
    if (rc == GO_ON)
        rc = r.cfg ? plan_configured(&r) : plan_discovered(&r);
    if (rc == GO_ON)
        rc = execute(&r);
    /* --status that could not load its configuration: 2, never the 1 of "live". */
    if (r.a.status && rc == EXIT_FAIL)
        rc = ATMOS_STATUS_EXIT_ERROR;
    return finish(&r, rc);
}

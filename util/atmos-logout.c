/*
 * atmos-logout: remove atmos session data for an identity, a provider or
 * everything.  Argument parsing, configuration lookup and the exit status
 * live here; what to remove and how is the engine's (libatmos).
 *
 * Exit status: 0 something was removed or nothing was there; 1 every attempted
 * removal failed, or the target or configuration is invalid; 2 usage error.
 */
#include <errno.h>
#include <getopt.h>
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

#include "render.h"
#include "select.h"
#include "show.h"

enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2 };

struct args {
    const char *identity;
    const char *provider;
    const char *config;
    const char *user;
    int all, dry_run, json, quiet, keychain, force, no_revoke;
    int select;   /* --identity without a value: choose interactively */
    int list;     /* 'i' --list-identities, 'p' --list-providers */
    int as_other; /* running for --user in a child: no ./atmos.yaml, no $ATMOS_CLI_CONFIG_PATH */
};

static void usage(FILE *out)
{
    fprintf(out,
            "Usage: atmos-logout [OPTIONS] [IDENTITY]\n"
            "       atmos-logout [OPTIONS] --identity   (choose on a terminal)\n"
            "       atmos-logout --provider NAME [OPTIONS]\n"
            "       atmos-logout --all [OPTIONS]\n"
            "\n"
            "Remove the session data (AWS credentials and config profiles, SSO token\n"
            "caches) that `atmos auth login` left for an identity, a provider, or all.\n"
            "\n"
            "Options:\n"
            "  -i, --identity NAME  log out of one identity (also the IDENTITY argument)\n"
            "  -p, --provider NAME  log out of a provider and every identity it roots\n"
            "  -a, --all            log out of every provider and identity\n"
            "  -n, --dry-run        print what would be removed; change nothing\n"
            "  -k, --keychain       also delete long-lived keychain credentials (asks first)\n"
            "  -f, --force          with --keychain: do not ask (needed without a terminal)\n"
            "      --no-revoke      do not sign SSO sessions out with IAM Identity Center\n"
            "  -c, --config PATH    read this atmos.yaml last (wins over the search path)\n"
            "  -u, --user NAME      root only: log out another user (runs as that user)\n"
            "      --list-identities, --list-providers\n"
            "                       print the configured names, one per line\n"
            "  -o, --output FORMAT  text (default) or json\n"
            "  -q, --quiet          print errors only\n"
            "  -h, --help           this help\n"
            "  -V, --version        print the version\n"
            "\n"
            "With no target, a terminal offers a selector of identities and providers.\n"
            "\n"
            "Environment: ATMOS_IDENTITY, IDENTITY (default identity), ATMOS_CLI_CONFIG_PATH,\n"
            "ATMOS_AUTH_REALM, ATMOS_XDG_CONFIG_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME,\n"
            "ATMOS_KEYRING_TYPE (system, file, keyctl, memory, noop), ATMOS_XDG_DATA_HOME,\n"
            "XDG_DATA_HOME, DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR,\n"
            "ATMOS_LOGS_LEVEL=Debug (timestamped debug lines on stderr), NO_COLOR.\n"
            "\n"
            "Exit status: 0 removed, or nothing to remove; 1 every removal failed, or an\n"
            "invalid target or configuration; 2 usage error.\n");
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "atmos-logout: %s\nTry 'atmos-logout --help'.\n", msg);
    return EXIT_USAGE;
}

static int parse_args(int argc, char **argv, struct args *a)
{
    static const struct option opts[] = {
        {"identity", required_argument, NULL, 'i'},
        {"provider", required_argument, NULL, 'p'},
        {"all", no_argument, NULL, 'a'},
        {"dry-run", no_argument, NULL, 'n'},
        {"config", required_argument, NULL, 'c'},
        {"output", required_argument, NULL, 'o'},
        {"quiet", no_argument, NULL, 'q'},
        {"help", no_argument, NULL, 'h'},
        {"version", no_argument, NULL, 'V'},
        {"keychain", no_argument, NULL, 'k'},
        {"force", no_argument, NULL, 'f'},
        {"user", required_argument, NULL, 'u'},
        {"list-identities", no_argument, NULL, 'L'},
        {"list-providers", no_argument, NULL, 'P'},
        {"no-revoke", no_argument, NULL, 'R'},
        {NULL, 0, NULL, 0},
    };
    int c;
    opterr = 0;
    while ((c = getopt_long(argc, argv, ":i:p:anc:o:qhVkfu:", opts, NULL)) != -1) {
        switch (c) {
        case 'i':
            if (optarg[0] == '-' && optarg[1] != '\0') {
                /* "--identity --dry-run": the identity was left out; choose. */
                a->select = 1;
                optind--;
                break;
            }
            if (a->identity && strcmp(a->identity, optarg) != 0)
                return usage_error("more than one identity given");
            a->identity = optarg;
            break;
        case 'u':
            a->user = optarg;
            break;
        case 'L':
            a->list = 'i';
            break;
        case 'P':
            a->list = 'p';
            break;
        case 'p':
            a->provider = optarg;
            break;
        case 'a':
            a->all = 1;
            break;
        case 'n':
            a->dry_run = 1;
            break;
        case 'c':
            a->config = optarg;
            break;
        case 'o':
            if (strcmp(optarg, "json") == 0)
                a->json = 1;
            else if (strcmp(optarg, "text") != 0)
                return usage_error("--output takes text or json");
            break;
        case 'q':
            a->quiet = 1;
            break;
        case 'k':
            a->keychain = 1;
            break;
        case 'R':
            a->no_revoke = 1;
            break;
        case 'f':
            a->force = 1;
            break;
        case 'h':
            usage(stdout);
            exit(EXIT_OK);
        case 'V':
            printf("atmos-logout %s\n", ATMOS_VERSION);
            exit(EXIT_OK);
        case ':': {
            if (optopt == 'i') { /* --identity as the last word: choose */
                a->select = 1;
                break;
            }
            char msg[128];
            snprintf(msg, sizeof(msg), "option '%s' needs a value", argv[optind - 1]);
            return usage_error(msg);
        }
        default: {
            char msg[128];
            snprintf(msg, sizeof(msg), "unknown option '%s'", argv[optind - 1]);
            return usage_error(msg);
        }
        }
    }
    if (optind < argc) {
        if (argc - optind > 1)
            return usage_error("more than one identity given");
        if (a->identity && strcmp(a->identity, argv[optind]) != 0)
            return usage_error("more than one identity given");
        a->identity = argv[optind];
    }
    if (a->all && (a->identity || a->provider))
        return usage_error("--all cannot be combined with an identity or --provider");
    if (a->identity && a->provider)
        return usage_error("an identity and --provider cannot be combined");
    if (a->select && (a->identity || a->provider || a->all))
        return usage_error("--identity without a name chooses interactively; give no other target");
    if (!a->identity && !a->provider && !a->all && !a->select) {
        const char *e = getenv("ATMOS_IDENTITY");
        if (e == NULL || *e == '\0')
            e = getenv("IDENTITY");
        if (e && *e)
            a->identity = e;
        else
            a->select = 1; /* no target at all: the selector, or a list of choices */
    }
    return EXIT_OK;
}

static void log_stderr(void *ctx, enum atmos_log_level level, const char *msg)
{
    static const char *const names[] = {"ERROR", "WARN", "INFO", "DEBUG"};
    char ts[32];
    (void)ctx;
    atmos_log_timestamp(ts, sizeof(ts), (long long)time(NULL));
    /* The whole line is escaped: engine messages carry paths and names from a user's files. */
    fprintf(stderr, "%s %s %s\n", ts, names[level], atmos_show(msg));
}

static int not_found(const struct args *a, const struct atmos_config *cfg, const char *msg)
{
    int provider = a->provider != NULL;
    size_t n = provider ? cfg->nproviders : cfg->nidentities;
    char **names = calloc(n ? n : 1, sizeof(*names));
    if (names == NULL)
        return EXIT_FAIL;
    /* The configuration keeps both lists sorted by name. */
    for (size_t i = 0; i < n; i++)
        names[i] = provider ? cfg->providers[i].name : cfg->identities[i].name;
    if (a->json) {
        atmos_render_error_json(
            stdout, msg, provider ? "available_providers" : "available_identities", names, n);
    } else {
        fprintf(stderr, "Error: %s\n", atmos_show(msg));
        fprintf(stderr, "\nAvailable %s:\n", provider ? "providers" : "identities");
        for (size_t i = 0; i < n; i++)
            fprintf(stderr, "  - %s\n", atmos_show(names[i]));
        if (n == 0)
            fprintf(stderr, "  (none configured)\n");
    }
    free(names);
    return EXIT_FAIL;
}

static int config_error(const struct args *a, const char *msg)
{
    if (a->json)
        atmos_render_error_json(stdout, msg, NULL, NULL, 0);
    else
        fprintf(stderr, "Error: %s\n", atmos_show(msg)); /* names a user's file and its bytes */
    return EXIT_FAIL;
}

/*
 * --keychain deletes credentials that cannot be recovered: ask on a terminal,
 * refuse without one unless --force.  Returns -1 to stop (exit status in *rc).
 */
static int confirm_keychain(const struct args *a, struct atmos_plan *plan,
                            const struct atmos_logger *lg, int *rc)
{
    if (!a->keychain || a->dry_run || a->force)
        return 0;
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        fprintf(stderr, "Error: --keychain permanently deletes keychain credentials and needs "
                        "confirmation on a terminal; add --force to delete without asking.\n"
                        "Nothing was removed.\n");
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
    printf("These keychain credentials will be permanently removed:\n");
    atmos_render_keyring_list(stdout, plan);
    printf("Delete keychain credentials for %s? [y/N] ",
           plan->target ? atmos_show(plan->target) : "all identities");
    fflush(stdout);
    char line[64] = "";
    if (fgets(line, sizeof(line), stdin) == NULL ||
        (strcmp(line, "y\n") != 0 && strcmp(line, "Y\n") != 0 && strcmp(line, "yes\n") != 0)) {
        printf("%sLogout cancelled - credentials preserved\n", line[0] ? "" : "\n");
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
    atmos_audit_format(line, sizeof(line), plan->scope, plan->target, &c, pw ? pw->pw_name : NULL,
                       (unsigned long)uid, NULL);
    openlog("atmos-logout", LOG_PID, LOG_AUTHPRIV);
    syslog(LOG_AUTHPRIV | LOG_INFO, "%s", line);
    closelog();
}

/*
 * --user NAME as root: the rest runs in a child that has become that user
 * for good; the parent only waits and passes on the exit status.  Returns -1
 * in the child (carry on), or the exit status in the parent.
 */
static int run_as_user(struct args *a)
{
    struct passwd *pw = getpwnam(a->user);
    char why[256];
    if (pw == NULL) {
        fprintf(stderr, "Error: no such user: %s\n", atmos_show(a->user));
        return EXIT_FAIL;
    }
    if (getuid() != 0 || geteuid() != 0) {
        if (pw->pw_uid == getuid())
            return -1; /* oneself: nothing to switch */
        fprintf(stderr, "Error: only root can log out another user (--user %s).\n",
                atmos_show(a->user));
        return EXIT_FAIL;
    }
    if (pw->pw_uid == 0)
        return -1;
    fflush(stdout);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "Error: fork: %s\n", strerror(errno));
        return EXIT_FAIL;
    }
    if (pid == 0) {
        /* Keep only what shapes the output and how the clouds' servers are reached;
         * everything else comes from passwd. */
        static const char *const own[] = {"TERM",        "NO_COLOR", "ATMOS_LOGS_LEVEL",
                                          "LANG",        "LC_ALL",   "HTTPS_PROXY",
                                          "https_proxy", "NO_PROXY", "no_proxy"};
        const char *keep[sizeof(own) / sizeof(*own) + 16];
        size_t nkeep = 0;
        for (size_t i = 0; i < sizeof(own) / sizeof(*own); i++)
            keep[nkeep++] = own[i];
        for (size_t i = 0; nkeep < sizeof(keep) / sizeof(*keep) && atmos_env_transport_var(i); i++)
            keep[nkeep++] = atmos_env_transport_var(i);
        char *vals[sizeof(keep) / sizeof(*keep)];
        for (size_t i = 0; i < nkeep; i++)
            vals[i] = getenv(keep[i]) ? strdup(getenv(keep[i])) : NULL;
        if (atmos_become_user(pw, why, sizeof(why)) != 0 || atmos_user_environment(pw) != 0) {
            fprintf(stderr, "Error: cannot become %s: %s\n", atmos_show(a->user), why);
            _exit(EXIT_FAIL);
        }
        for (size_t i = 0; i < nkeep; i++) {
            if (vals[i])
                setenv(keep[i], vals[i], 1);
            free(vals[i]);
        }
        if (chdir(pw->pw_dir) != 0 && chdir("/") != 0)
            _exit(EXIT_FAIL);
        a->as_other = 1;
        return -1;
    }
    /* Like system(3): the child owns the terminal's signals while we wait. */
    signal(SIGINT, SIG_IGN);
    signal(SIGQUIT, SIG_IGN);
    int status;
    while (waitpid(pid, &status, 0) < 0)
        if (errno != EINTR)
            return EXIT_FAIL;
    return WIFEXITED(status) ? WEXITSTATUS(status) : EXIT_FAIL;
}

static int list_names(const struct atmos_config *cfg, int which)
{
    size_t n = which == 'i' ? cfg->nidentities : cfg->nproviders;
    for (size_t i = 0; i < n; i++)
        printf("%s\n", atmos_show(which == 'i' ? cfg->identities[i].name : cfg->providers[i].name));
    return EXIT_OK;
}

/* No target given: the selector on a terminal, else the choices.  -1: go on. */
static int choose_target(struct args *a, const struct atmos_config *cfg,
                         const struct atmos_style *st)
{
    struct atmos_choice c;
    if (cfg->nidentities == 0) {
        printf("No identities configured in atmos.yaml\n");
        return EXIT_OK;
    }
    if (!isatty(STDIN_FILENO) || !isatty(STDOUT_FILENO)) {
        atmos_print_choices(stderr, cfg);
        return EXIT_USAGE;
    }
    int r = atmos_select(cfg, &c, st->color);
    if (r < 0) {
        fprintf(stderr, "Error: the terminal cannot be used for a selection; name a target.\n");
        return EXIT_USAGE;
    }
    if (r == 0) {
        printf("Logout cancelled - nothing removed\n");
        return EXIT_OK;
    }
    a->identity = c.kind == ATMOS_CHOICE_IDENTITY ? c.name : NULL;
    a->provider = c.kind == ATMOS_CHOICE_PROVIDER ? c.name : NULL;
    a->all = c.kind == ATMOS_CHOICE_ALL;
    return -1;
}

int main(int argc, char **argv)
{
    struct args a = {0};
    struct atmos_env env;
    struct atmos_err err = {{0}};
    struct atmos_source_list sources = {0};
    struct atmos_config *cfg = NULL;
    struct atmos_plan plan = {0};
    char cwd[PATH_MAX];
    int built = 0;
    int rc = parse_args(argc, argv, &a);
    if (rc != EXIT_OK)
        return rc;
    if (a.user && (rc = run_as_user(&a)) >= 0)
        return rc;
    /* Past a file-size limit, write(2) should fail with EFBIG, not kill us mid-rewrite. */
    signal(SIGXFSZ, SIG_IGN);

    /* Marks and colour only on a terminal; NO_COLOR turns colour off. */
    struct atmos_style style = {isatty(STDOUT_FILENO), 0};
    const char *nc = getenv("NO_COLOR");
    style.color =
        style.marks && !(nc && *nc) && !(getenv("TERM") && !strcmp(getenv("TERM"), "dumb"));

    atmos_env_from_environ(&env);
    env.cwd = getcwd(cwd, sizeof(cwd));
    if (a.as_other) {
        /* The other user's own search path: not root's directory or variables. */
        env.cwd = NULL;
        env.cli_config_path = NULL;
    }
    struct atmos_logger lg = {
        .fn = log_stderr,
        .max_level = atmos_log_level_parse(getenv("ATMOS_LOGS_LEVEL"), ATMOS_LOG_ERROR)};
    if (env.home == NULL || env.home[0] != '/') {
        rc = config_error(&a, "HOME is not set to an absolute path");
        goto done;
    }
    rc = EXIT_FAIL;
    if (atmos_config_search_path(&sources, &env, ATMOS_SEARCH_CWD | ATMOS_SEARCH_ENVPATH, a.config,
                                 &err) != ATMOS_OK) {
        config_error(&a, err.msg);
        goto done;
    }
    /* Root's refusal of a file on the search path is shown whatever ATMOS_LOGS_LEVEL says. */
    struct atmos_logger notice = {.fn = log_stderr,
                                  .max_level = lg.max_level > ATMOS_LOG_WARN ? lg.max_level
                                                                             : ATMOS_LOG_WARN};
    int st = atmos_config_load_logged(&cfg, &sources, &env, &notice, &err);
    struct atmos_plan_opts popts = {.keychain = a.keychain, .revoke = !a.no_revoke, .log = &lg};
    if (st == ATMOS_ENOCONFIG && a.all) {
        /* No atmos.yaml anywhere: clean what atmos wrote, found on disk. */
        if (a.keychain) {
            config_error(&a, "--keychain needs an atmos.yaml to name the keychain entries; "
                             "none was found");
            goto done;
        }
        if (atmos_plan_discover(&plan, &env, &popts, &err) != ATMOS_OK) {
            config_error(&a, err.msg);
            goto done;
        }
        built = 1;
        goto execute;
    }
    if (st == ATMOS_ENOCONFIG) {
        char msg[2048];
        size_t o = (size_t)snprintf(msg, sizeof(msg), "no atmos.yaml found (searched:");
        for (size_t i = 0; i < sources.n && o < sizeof(msg); i++)
            o += (size_t)snprintf(msg + o, sizeof(msg) - o, " %s", sources.v[i].path);
        if (o < sizeof(msg))
            snprintf(msg + o, sizeof(msg) - o, ")");
        config_error(&a, msg);
        goto done;
    }
    if (st != ATMOS_OK) {
        config_error(&a, err.msg);
        goto done;
    }
    for (size_t i = 0; i < cfg->nsources; i++)
        atmos_log(&lg, ATMOS_LOG_DEBUG, "Loaded configuration path=%s", cfg->sources[i]);
    if (a.list) {
        rc = list_names(cfg, a.list);
        goto done;
    }
    if (a.select && (rc = choose_target(&a, cfg, &style)) >= 0)
        goto done;
    rc = EXIT_FAIL;

    enum atmos_scope scope = a.all        ? ATMOS_SCOPE_ALL
                             : a.provider ? ATMOS_SCOPE_PROVIDER
                                          : ATMOS_SCOPE_IDENTITY;
    const char *target = a.all ? NULL : a.provider ? a.provider : a.identity;
    st = atmos_plan_build(&plan, cfg, &env, scope, target, &popts, &err);
    if (st == ATMOS_ENOTFOUND) {
        not_found(&a, cfg, err.msg);
        goto done;
    }
    if (st != ATMOS_OK) {
        config_error(&a, err.msg);
        goto done;
    }
    built = 1;
    if (confirm_keychain(&a, &plan, &lg, &rc) != 0)
        goto done;
execute:;
    struct atmos_exec_opts opts = {.dry_run = a.dry_run, .log = &lg, .env = &env};
    atmos_plan_execute(&plan, &opts);
    if (a.json)
        atmos_render_json(stdout, &plan);
    else
        atmos_render_text(stdout, &plan, a.quiet, &style);
    if (!a.dry_run)
        audit(&plan);
    rc = atmos_plan_exit_status(&plan);
done:
    if (built)
        atmos_plan_free(&plan);
    atmos_config_free(cfg);
    atmos_source_list_free(&sources);
    atmos_show_release();
    if (fflush(stdout) != 0 && rc == EXIT_OK)
        rc = EXIT_FAIL;
    return rc;
}

/*
 * atmos-logout's options: one sorted, typed table (name, short letter,
 * argument, help text, field), from which getopt's arguments, the parsing
 * and the --help text come; the bash completion reads its option list from
 * --help.  A new option is one line here.
 */
#include <getopt.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/plan.h>

#include "options.h"

enum kind {
    FLAG,     /* sets the int field to `value` */
    STRING,   /* stores the argument */
    CHOICE,   /* one of `choices` (the first is the default); stores its index */
    IDENTITY, /* a name, or none given: choose on a terminal */
    SECONDS,  /* a whole number of seconds, 1 to ATMOS_USER_TIMEOUT_MAX, into an unsigned */
    HELP,
    VERSION,
};

struct opt {
    const char *name;           /* the long option, without "--" */
    char letter;                /* the short option, or 0 */
    const char *arg;            /* the argument as --help names it; NULL: takes none */
    enum kind kind;             /* what it does to `field` */
    size_t field;               /* offset in struct atmos_args */
    int value;                  /* FLAG: the value set */
    const char *const *choices; /* CHOICE: the values, NULL-terminated */
    const char *help;
};

static const char *const output_formats[] = {"text", "json", NULL};

#define F(f) offsetof(struct atmos_args, f)

/*
 * name, letter, argument, kind, field, value, choices, help.  Sorted by name;
 * --help lists them in this order (test_cli.sh checks both).
 */
static const struct opt table[] = {
    {"all", 'a', NULL, FLAG, F(all), 1, NULL, "log out of every provider and identity"},
    {"all-realms", 0, NULL, FLAG, F(all_realms), 1, NULL,
     "log out of everything in every realm holding atmos's data"},
    {"config", 'c', "PATH", STRING, F(config), 0, NULL,
     "read this atmos.yaml instead of the search path"},
    {"dry-run", 'n', NULL, FLAG, F(dry_run), 1, NULL,
     "print what would be removed; change nothing"},
    {"force", 'f', NULL, FLAG, F(force), 1, NULL,
     "with --keychain: do not ask (needed without a terminal)"},
    {"help", 'h', NULL, HELP, 0, 0, NULL, "this help"},
    {"identity", 'i', "NAME", IDENTITY, F(identity), 0, NULL,
     "log out of an identity (also IDENTITY...; each in one report)"},
    {"keychain", 'k', NULL, FLAG, F(keychain), 1, NULL,
     "also delete long-lived keychain credentials (asks first)"},
    {"list-identities", 0, NULL, FLAG, F(list), 'i', NULL,
     "print the configured identities, one per line"},
    {"list-providers", 0, NULL, FLAG, F(list), 'p', NULL,
     "print the configured providers, one per line"},
    {"list-tags", 0, NULL, FLAG, F(list), 't', NULL,
     "print the tags of providers and identities, one per line"},
    {"no-revoke", 0, NULL, FLAG, F(no_revoke), 1, NULL,
     "do not sign the sessions out server-side first"},
    {"output", 'o', "FORMAT", CHOICE, F(json), 0, output_formats, "text (default) or json"},
    {"profile", 0, "NAMES", STRING, F(profile), 0, NULL,
     "atmos profiles to load, comma-separated (else $ATMOS_PROFILE)"},
    {"provider", 'p', "NAME", STRING, F(provider), 0, NULL,
     "log out of a provider and every identity it roots"},
    {"quiet", 'q', NULL, FLAG, F(quiet), 1, NULL, "print errors only"},
    {"status", 's', NULL, FLAG, F(status), 1, NULL,
     "show the session data on disk and when it expires"},
    {"tags", 0, "TAGS", STRING, F(tags), 0, NULL,
     "log out of what carries any of these tags (a,b)"},
    {"timeout", 0, "SECONDS", SECONDS, F(timeout), 0, NULL,
     "with --user: kill the user's run after this long (default 60)"},
    {"user", 'u', "NAME", STRING, F(user), 0, NULL,
     "root only: log out another user (runs as that user)"},
    {"verbose", 'v', NULL, FLAG, F(verbose), 1, NULL,
     "also show what was not checked and is no problem"},
    {"version", 'V', NULL, VERSION, 0, 0, NULL, "print the version"},
};

#define NOPTS (sizeof(table) / sizeof(*table))
/* getopt's code for an option with no letter: past every char. */
#define LONG_ONLY 256

static void usage(FILE *out)
{
    fprintf(out, "Usage: atmos-logout [OPTIONS] [IDENTITY...]\n"
                 "       atmos-logout [OPTIONS] --identity   (choose on a terminal)\n"
                 "       atmos-logout --provider NAME [OPTIONS]\n"
                 "       atmos-logout --all [OPTIONS]\n"
                 "       atmos-logout --all-realms [OPTIONS]\n"
                 "       atmos-logout --tags TAG[,TAG...] [OPTIONS]\n"
                 "       atmos-logout --status [-o json] [OPTIONS]\n"
                 "\n"
                 "Remove the session data (credentials, token caches, other tools' entries)\n"
                 "that `atmos auth login` left for an identity, a provider, or all.\n"
                 "\n"
                 "Options:\n");
    for (size_t i = 0; i < NOPTS; i++) {
        const struct opt *o = &table[i];
        char letter[8] = "", name[64];
        if (o->letter)
            snprintf(letter, sizeof(letter), "-%c,", o->letter);
        snprintf(name, sizeof(name), "--%s%s%s", o->name, o->arg ? " " : "", o->arg ? o->arg : "");
        /* A name too long for its column (two spaces before the help) gets a line of its own. */
        if (strlen(name) > 15)
            fprintf(out, "  %-4s%s\n%23s%s\n", letter, name, "", o->help);
        else
            fprintf(out, "  %-4s%-16s %s\n", letter, name, o->help);
    }
    fprintf(out,
            "\n"
            "With no target, a terminal offers a selector of identities and providers.\n"
            "\n"
            "Environment: ATMOS_IDENTITY, IDENTITY (default identity), ATMOS_CLI_CONFIG_PATH,\n"
            "ATMOS_AUTH_REALM, ATMOS_XDG_CONFIG_HOME, XDG_CONFIG_HOME, XDG_CACHE_HOME,\n"
            "ATMOS_KEYRING_TYPE (system, file, keyctl, memory, noop), ATMOS_XDG_DATA_HOME,\n"
            "XDG_DATA_HOME, DBUS_SESSION_BUS_ADDRESS, XDG_RUNTIME_DIR,\n"
            "ATMOS_LOGS_LEVEL=Debug (timestamped debug lines on stderr), NO_COLOR.\n"
            "\n"
            "Exit status: 0 removed, or nothing to remove; 1 every removal failed, an\n"
            "identity named is not configured, or an invalid configuration; 2 usage error;\n"
            "130 Ctrl-C in the selector; with --user, 124 the user's run was killed at the\n"
            "timeout, 128+N it was ended by signal N.\n"
            "With --status: 0 nothing live, 1 live session data remains, 2 usage or\n"
            "configuration error, or something could not be checked and nothing is live.\n");
}

static int usage_error(const char *msg)
{
    fprintf(stderr, "Error: %s\nTry 'atmos-logout --help'.\n", msg);
    return EXIT_USAGE;
}

/* getopt_long's arguments, from the table: short letters first, then the long names. */
static void getopt_tables(char *shorts, size_t len, struct option *longs)
{
    size_t k = 0;
    shorts[k++] = ':'; /* a missing value is ':', not '?': it has its own message */
    for (size_t i = 0; i < NOPTS; i++) {
        if (table[i].letter && k + 3 < len) {
            shorts[k++] = table[i].letter;
            if (table[i].arg)
                shorts[k++] = ':';
        }
        longs[i] = (struct option){table[i].name, table[i].arg ? required_argument : no_argument,
                                   NULL, table[i].letter ? table[i].letter : LONG_ONLY + (int)i};
    }
    shorts[k] = '\0';
    longs[NOPTS] = (struct option){NULL, 0, NULL, 0};
}

/* The table entry getopt_long's code c stands for, or NULL. */
static const struct opt *lookup(int c)
{
    if (c >= LONG_ONLY && c < LONG_ONLY + (int)NOPTS)
        return &table[c - LONG_ONLY];
    for (size_t i = 0; i < NOPTS; i++)
        if (table[i].letter && table[i].letter == c)
            return &table[i];
    return NULL;
}

/* One more identity to log out of (a name given twice counts once). */
static int add_identity(struct atmos_args *a, char *value)
{
    for (size_t i = 0; i < a->nnames; i++)
        if (strcmp(a->names[i], value) == 0)
            return EXIT_OK;
    char **v = realloc(a->names, (a->nnames + 1) * sizeof(*v));
    if (v == NULL) {
        fprintf(stderr, "Error: out of memory\n");
        return EXIT_FAIL;
    }
    a->names = v;
    a->names[a->nnames++] = value;
    if (a->identity == NULL)
        a->identity = value;
    return EXIT_OK;
}

static int set_identity(struct atmos_args *a, char *value)
{
    if (value[0] == '-' && value[1] != '\0') {
        /* "--identity --dry-run": the identity was left out; choose. */
        a->select = 1;
        optind--;
        return EXIT_OK;
    }
    return add_identity(a, value);
}

static int apply(const struct opt *o, struct atmos_args *a, char *value)
{
    char *field = (char *)a + o->field;
    char msg[128];
    switch (o->kind) {
    case FLAG:
        *(int *)field = o->value;
        return EXIT_OK;
    case STRING:
        *(const char **)field = value;
        return EXIT_OK;
    case CHOICE:
        for (int i = 0; o->choices[i]; i++) {
            if (strcmp(value, o->choices[i]) == 0) {
                /* The default leaves an earlier choice standing ("-o json -o text" is JSON). */
                if (i > 0)
                    *(int *)field = i;
                return EXIT_OK;
            }
        }
        snprintf(msg, sizeof(msg), "--%s takes %s or %s", o->name, o->choices[0], o->choices[1]);
        return usage_error(msg);
    case IDENTITY:
        return set_identity(a, value);
    case SECONDS: {
        /* Digits only: strtoul would take "-1" as a huge number. */
        char *end;
        unsigned long v = value[0] >= '0' && value[0] <= '9' ? strtoul(value, &end, 10) : 0;
        if (v == 0 || *end != '\0' || v > ATMOS_USER_TIMEOUT_MAX) {
            snprintf(msg, sizeof(msg), "--%s takes a whole number of seconds, 1 to %d", o->name,
                     ATMOS_USER_TIMEOUT_MAX);
            return usage_error(msg);
        }
        *(unsigned *)field = (unsigned)v;
        return EXIT_OK;
    }
    case HELP:
        usage(stdout);
        exit(EXIT_OK);
    case VERSION:
        printf("atmos-logout %s\n", ATMOS_VERSION);
        exit(EXIT_OK);
    }
    return EXIT_OK;
}

/* The targets given, checked against each other; none: the environment's, or choose. */
static int check_targets(int argc, char **argv, struct atmos_args *a)
{
    /* Several identities: one plan, each an identity logout (atmos_plan_opts.names). */
    for (int i = optind; i < argc; i++)
        if (add_identity(a, argv[i]) != EXIT_OK)
            return EXIT_FAIL;
    if (a->status) {
        /* A view of everything on disk: no target, and nothing a logout would do. */
        if (a->identity || a->nnames || a->provider || a->all || a->tags || a->select ||
            a->list || a->dry_run || a->keychain || a->force || a->no_revoke)
            return usage_error("--status shows everything on disk and changes nothing: give no "
                               "target and no logout option");
        if (a->timeout && !a->user)
            return usage_error("--timeout bounds a run for --user; give --user NAME");
        return EXIT_OK;
    }
    if (a->tags) {
        /* Split as the engine splits it: a list of nothing is no target at all. */
        char **v;
        size_t n;
        if (atmos_tags_parse(a->tags, &v, &n) != 0)
            return EXIT_FAIL;
        atmos_tags_free(v, n);
        if (n == 0)
            return usage_error("--tags names no tag");
    }
    /* atmos lets --all-realms win over every other target (cmd/auth/logout.go); here it
     * widens an identity or a provider to every realm on disk, --all is part of it, and
     * tags or the selector beside it are a contradiction. */
    if (a->all_realms && (a->tags || a->select))
        return usage_error("--all-realms cannot be combined with --tags or a chooser; "
                           "with an identity or --provider it logs that one out in every realm");
    if (a->all_realms && a->identity && a->provider)
        return usage_error("an identity and --provider cannot be combined");
    if (a->tags && (a->identity || a->provider || a->all || a->select))
        return usage_error("--tags cannot be combined with an identity, --provider or --all");
    if (a->all && (a->identity || a->provider))
        return usage_error("--all cannot be combined with an identity or --provider");
    if (a->identity && a->provider)
        return usage_error("an identity and --provider cannot be combined");
    if (a->select && (a->identity || a->provider || a->all))
        return usage_error("--identity without a name chooses interactively; give no other target");
    if (a->timeout && !a->user)
        return usage_error("--timeout bounds a run for --user; give --user NAME");
    if ((a->all_realms && !a->identity && !a->provider) || a->tags)
        return EXIT_OK;
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

int atmos_parse_args(int argc, char **argv, struct atmos_args *a)
{
    char shorts[3 * NOPTS + 2];
    struct option longs[NOPTS + 1];
    char msg[128];
    int c;
    getopt_tables(shorts, sizeof(shorts), longs);
    opterr = 0;
    while ((c = getopt_long(argc, argv, shorts, longs, NULL)) != -1) {
        const struct opt *o = c == ':' || c == '?' ? NULL : lookup(c);
        if (o != NULL) {
            int rc = apply(o, a, optarg);
            if (rc != EXIT_OK)
                return rc;
            continue;
        }
        if (c == ':' && lookup(optopt) && lookup(optopt)->kind == IDENTITY) {
            a->select = 1; /* --identity as the last word: choose */
            continue;
        }
        if (c == ':')
            snprintf(msg, sizeof(msg), "option \"%s\" needs a value", argv[optind - 1]);
        else
            snprintf(msg, sizeof(msg), "unknown option \"%s\"", argv[optind - 1]);
        return usage_error(msg);
    }
    return check_targets(argc, argv, a);
}

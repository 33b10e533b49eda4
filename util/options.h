/*
 * atmos-logout's command line (see options.c): one sorted table of options,
 * from which parsing and --help come.
 */
#ifndef ATMOS_OPTIONS_H
#define ATMOS_OPTIONS_H

/* atmos-logout's exit status. */
enum { EXIT_OK = 0, EXIT_FAIL = 1, EXIT_USAGE = 2, EXIT_TIMEOUT = 124 };

/* --user: how long the user's run may take by default, in seconds (atmos-logout(1)). */
#define ATMOS_USER_TIMEOUT 60
#define ATMOS_USER_TIMEOUT_MAX 86400

struct atmos_args {
    const char *identity; /* the first identity named */
    char **names;         /* every identity named (IDENTITY arguments, -i), once each */
    size_t nnames;
    const char *provider;
    const char *config;
    const char *profile; /* --profile: wins over $ATMOS_PROFILE */
    const char *user;
    const char *tags; /* --tags, as given */
    int all_realms;
    int all, dry_run, json, quiet, verbose, keychain, force, no_revoke;
    int status;   /* --status: what is on disk and when it expires; changes nothing */
    int select;   /* --identity without a value: choose interactively */
    int list;     /* 'i' --list-identities, 'p' --list-providers, 't' --list-tags */
    int as_other; /* running for --user in a child: no ./atmos.yaml, no $ATMOS_CLI_CONFIG_PATH */
    unsigned timeout; /* --timeout: the bound on --user's run, in seconds; 0: not given */
};

/*
 * Parse argv into *a (zeroed by the caller): EXIT_OK, or EXIT_USAGE after
 * saying why on stderr.  --help and --version print and exit here.  With no
 * target, $ATMOS_IDENTITY or $IDENTITY names one, else a->select is set.
 */
int atmos_parse_args(int argc, char **argv, struct atmos_args *a);

#endif

/*
 * Configuration loading, merging, validation and chain resolution, on real
 * YAML files written to a temporary directory.
 */
#include "testutil.h"

#include <atmos/config.h>

#include "clouds/aws/paths.h"
#include "base/strings.h"
#include "config/paths.h"

#define dir tu_home

static struct atmos_env env_for(const char *home)
{
    struct atmos_env e = {0};
    e.home = home;
    return e;
}

/* Load one or two files (b may be NULL); returns the status, err filled. */
static int load2(const char *a, const char *b, struct atmos_config **cfg, struct atmos_err *err,
                 const struct atmos_env *env)
{
    struct atmos_source_list l = {0};
    char *pa = tu_path(dir, "a.yaml"), *pb = tu_path(dir, "b.yaml");
    tu_write(pa, a);
    if (b)
        tu_write(pb, b);
    struct atmos_source src[2] = {{.path = pa, .kind = ATMOS_SOURCE_REQUIRED},
                                  {.path = pb, .kind = ATMOS_SOURCE_REQUIRED}};
    l.v = src;
    l.n = b ? 2 : 1;
    *cfg = NULL;
    int rc = atmos_config_load(cfg, &l, env, err);
    free(pa);
    free(pb);
    return rc;
}

static int load(const char *yaml, struct atmos_config **cfg, struct atmos_err *err)
{
    struct atmos_env e = env_for(dir);
    return load2(yaml, NULL, cfg, err, &e);
}

static void expect_error(const char *yaml, const char *needle)
{
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    int rc = load(yaml, &cfg, &err);
    if (rc == ATMOS_OK || strstr(err.msg, needle) == NULL)
        fail_msg("expected an error containing '%s', got rc=%d '%s'", needle, rc, err.msg);
    assert_null(cfg);
}

/* Loads, and some entry is skipped for a problem containing `needle` (the rest is kept). */
static void expect_problem(const char *yaml, const char *needle)
{
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    int rc = load(yaml, &cfg, &err);
    if (rc != ATMOS_OK)
        fail_msg("expected a load with a skipped entry '%s', got rc=%d '%s'", needle, rc, err.msg);
    int found = 0;
    for (size_t i = 0; i < cfg->nproviders; i++)
        found |= cfg->providers[i].problem && strstr(cfg->providers[i].problem, needle);
    for (size_t i = 0; i < cfg->nidentities; i++)
        found |= cfg->identities[i].problem && strstr(cfg->identities[i].problem, needle);
    for (size_t i = 0; i < cfg->nintegrations; i++)
        found |= cfg->integrations[i].problem && strstr(cfg->integrations[i].problem, needle);
    atmos_config_free(cfg);
    if (!found)
        fail_msg("no entry skipped with '%s'", needle);
}

static const char example[] = "components: {ignored: true}\n"
                              "auth:\n"
                              "  realm: team-a\n"
                              "  providers:\n"
                              "    sso:\n"
                              "      kind: aws/iam-identity-center\n"
                              "      region: us-east-1\n"
                              "      start_url: https://x.awsapps.com/start\n"
                              "  identities:\n"
                              "    org: {kind: aws/permission-set, via: {provider: sso}}\n"
                              "    dev: {kind: aws/assume-role, via: {identity: org}}\n"
                              "    keys: {kind: aws/user}\n"
                              "    amb: {kind: ambient}\n";

static void loads_fields_and_sorts(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    assert_int_equal(load(example, &cfg, &err), ATMOS_OK);
    assert_int_equal(cfg->nproviders, 1);
    assert_int_equal(cfg->nidentities, 4);
    assert_string_equal(cfg->identities[0].name, "amb");
    assert_string_equal(cfg->identities[3].name, "org");
    assert_string_equal(cfg->realm.value, "team-a");
    const struct atmos_provider *p = atmos_config_provider(cfg, "sso");
    assert_non_null(p);
    assert_string_equal(atmos_spec_value(&p->spec, "start_url"), "https://x.awsapps.com/start");
    assert_int_equal(atmos_spec_get(&p->spec, "region")->mark.line, 7);
    assert_int_equal(atmos_spec_get(&p->spec, "region")->mark.column, 15);
    atmos_config_free(cfg);
}

static void chain_resolution(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    struct atmos_chain ch;
    assert_int_equal(load(example, &cfg, &err), ATMOS_OK);
    assert_int_equal(atmos_chain_resolve(cfg, "dev", &ch, &err), ATMOS_OK);
    assert_int_equal(ch.n, 3);
    assert_string_equal(ch.names[0], "sso");
    assert_string_equal(ch.names[1], "org");
    assert_string_equal(ch.names[2], "dev");
    assert_string_equal(ch.provider, "sso");
    atmos_chain_free(&ch);
    assert_int_equal(atmos_chain_resolve(cfg, "keys", &ch, &err), ATMOS_OK);
    assert_string_equal(ch.provider, "aws-user");
    assert_int_equal(ch.n, 2);
    atmos_chain_free(&ch);
    assert_int_equal(atmos_chain_resolve(cfg, "amb", &ch, &err), ATMOS_OK);
    assert_null(ch.provider);
    atmos_chain_free(&ch);
    assert_int_equal(atmos_chain_resolve(cfg, "nope", &ch, &err), ATMOS_ENOTFOUND);
    atmos_config_free(cfg);
}

static void later_file_wins_key_by_key(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    struct atmos_env e = env_for(dir);
    assert_int_equal(load2(example,
                           "auth:\n  providers:\n    sso:\n      region: eu-west-1\n"
                           "  identities:\n    extra: {kind: aws/user}\n",
                           &cfg, &err, &e),
                     ATMOS_OK);
    const struct atmos_provider *p = atmos_config_provider(cfg, "sso");
    assert_string_equal(atmos_spec_value(&p->spec, "region"), "eu-west-1");
    assert_string_equal(atmos_spec_value(&p->spec, "start_url"), "https://x.awsapps.com/start");
    assert_non_null(strstr(atmos_spec_get(&p->spec, "region")->mark.file, "b.yaml"));
    assert_int_equal(cfg->nidentities, 5);
    atmos_config_free(cfg);
}

static void realm_env_overrides_and_env_tag(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    struct atmos_env e = env_for(dir);
    e.realm = "from-env";
    setenv("ATMOS_TEST_URL", "https://env.awsapps.com/start", 1);
    assert_int_equal(load2("auth:\n  realm: file\n  providers:\n    p:\n      kind: aws/saml\n"
                           "      start_url: !env ATMOS_TEST_URL\n",
                           NULL, &cfg, &err, &e),
                     ATMOS_OK);
    assert_string_equal(cfg->realm.value, "from-env");
    assert_string_equal(atmos_spec_value(&cfg->providers[0].spec, "start_url"),
                        "https://env.awsapps.com/start");
    atmos_config_free(cfg);
}

/* `!env NAME [DEFAULT]` as atmos reads it (ProcessTagEnv, ParseEnv): the variable when set
 * (even empty), else the default (a word or a quoted string, '' or "" for one quote), the
 * result trimmed; no argument, three, or an unterminated quote read as empty. */
static void env_tag_default_and_quotes(void **state)
{
    (void)state;
    static const struct {
        const char *arg, *set, *want; /* set: NULL to unset ATMOS_TEST_V */
    } cases[] = {
        {"ATMOS_TEST_V us-west-2", NULL, "us-west-2"},
        {"ATMOS_TEST_V us-west-2", "  eu-north-1 \t", "eu-north-1"},
        {"ATMOS_TEST_V us-west-2", "", ""},
        {"ATMOS_TEST_V", NULL, ""},
        {"'ATMOS_TEST_V' \"it\"\"s here\"", NULL, "it\"s here"},
        {"ATMOS_TEST_V 'it''s'", NULL, "it's"},
        {"ATMOS_TEST_V a b", NULL, ""},
        {"ATMOS_TEST_V|x", NULL, ""},
        {"ATMOS_TEST_V 'open", NULL, ""},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        if (cases[i].set)
            setenv("ATMOS_TEST_V", cases[i].set, 1);
        else
            unsetenv("ATMOS_TEST_V");
        /* The arguments as one single-quoted YAML scalar (a ' doubled). */
        char yaml[256], quoted[96];
        size_t o = 0;
        for (const char *a = cases[i].arg; *a && o + 2 < sizeof(quoted); a++)
            o += (size_t)snprintf(quoted + o, sizeof(quoted) - o, *a == '\'' ? "''" : "%c", *a);
        snprintf(yaml, sizeof(yaml),
                 "auth:\n  providers:\n    p:\n      kind: aws/saml\n      region: !env '%s'\n",
                 quoted);
        struct atmos_config *cfg;
        struct atmos_err err = {{0}};
        assert_int_equal(load(yaml, &cfg, &err), ATMOS_OK);
        const char *got = atmos_spec_value(&cfg->providers[0].spec, "region");
        if (got == NULL || strcmp(got, cases[i].want) != 0)
            fail_msg("!env %s: got \"%s\", want \"%s\"", cases[i].arg, got ? got : "(none)",
                     cases[i].want);
        atmos_config_free(cfg);
    }
    unsetenv("ATMOS_TEST_V");
}

static void errors_name_file_line_column(void **state)
{
    (void)state;
    expect_error("auth:\n  providers: [\n", "a.yaml:3:1:");
    expect_problem(
        "auth:\n  identities:\n    x: {kind: aws/permission-set, via: {provider: nope}}\n",
        "a.yaml:3:");
    expect_problem(
        "auth:\n  identities:\n    x: {kind: aws/permission-set, via: {provider: nope}}\n",
        "via.provider \"nope\" is not a configured provider");
    expect_error("auth:\n  providers: 3\n", "a.yaml:2:14: auth.providers must be a mapping");
}

/* A key given twice is refused as yaml.v3 refuses it, in a small mapping and in a large one
 * (hashed); a quoted "5" is not the number 5, and merge keys are no keys. */
static void duplicate_keys(void **state)
{
    (void)state;
    expect_error("auth:\n  realm: a\n  realm: b\n",
                 "a.yaml:3:3: mapping key \"realm\" already defined at line 2");
    struct atmos_buf b = {0};
    assert_int_equal(atmos_buf_printf(&b, "auth:\n  identities:\n"), ATMOS_OK);
    for (int i = 0; i < 100; i++)
        assert_int_equal(atmos_buf_printf(&b, "    id%d: {kind: aws/user}\n", i), ATMOS_OK);
    assert_int_equal(atmos_buf_printf(&b, "    'id42': {kind: aws/user}\n"), ATMOS_OK);
    expect_error(b.data, "a.yaml:103:5: mapping key \"id42\" already defined at line 45");
    atmos_buf_free(&b);
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    const char *ok = "auth:\n  identities:\n    5: {kind: aws/user}\n    \"5\": {kind: aws/user}\n"
                     "  providers: {p: &a {kind: aws/saml}, q: {<<: *a, <<: *a}}\n";
    assert_int_equal(load(ok, &cfg, &err), ATMOS_OK);
    atmos_config_free(cfg);
}

/* "components: " then n `[` and n `]`: the top mapping is level 1. */
static char *nested(int n)
{
    char *s = malloc(16 + 2 * (size_t)n);
    assert_non_null(s);
    int len = sprintf(s, "components: ");
    memset(s + len, '[', n);
    memset(s + len + n, ']', n);
    strcpy(s + len + 2 * n, "\n");
    return s;
}

/* "components: [a,a,...]": n scalars and 3 other nodes. */
static char *wide(int n)
{
    char *s = malloc(16 + 2 * (size_t)n);
    assert_non_null(s);
    int len = sprintf(s, "components: [");
    for (int i = 0; i < n; i++)
        memcpy(s + len + 2 * i, "a,", 2);
    strcpy(s + len + 2 * n, "]\n");
    return s;
}

static void nesting_and_size_are_bounded(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    char *y = nested(63);
    assert_int_equal(load(y, &cfg, &err), ATMOS_OK);
    atmos_config_free(cfg);
    free(y);
    y = nested(64); /* the 64th `[` opens level 65, at column 12 + 64 */
    expect_error(y, "a.yaml:1:76: nested deeper than 64 levels");
    free(y);
    y = nested(100000);
    expect_error(y, "a.yaml:1:76: nested deeper than 64 levels");
    free(y);
    /* Block style counts the same. */
    char block[8192] = "auth:\n";
    for (int i = 1; i <= 64; i++)
        sprintf(block + strlen(block), "%*sk:\n", 2 * i, "");
    expect_error(block, "a.yaml:65:");
    expect_error(block, "nested deeper than 64 levels");

    y = wide(250000 - 3);
    assert_int_equal(load(y, &cfg, &err), ATMOS_OK);
    atmos_config_free(cfg);
    free(y);
    y = wide(250000 - 2); /* the last scalar, at column 14 + 2 * (250000 - 3) */
    expect_error(y, "a.yaml:1:500008: more than 250000 YAML nodes");
    free(y);
}

static void semantic_errors(void **state)
{
    (void)state;
    expect_problem("auth:\n  providers: {p: {kind: k}}\n  identities:\n"
                   "    x: {kind: aws/permission-set, via: {provider: p, identity: y}}\n"
                   "    y: {kind: aws/user}\n",
                   "both via.provider and via.identity");
    expect_problem("auth:\n  identities:\n    x: {kind: aws/permission-set}\n",
                   "needs via.provider or via.identity");
    expect_problem("auth:\n  identities:\n    x: {kind: aws/assume-role, via: {identity: ghost}}\n",
                   "via.identity \"ghost\" is not a configured identity");
    expect_problem("auth:\n  identities:\n    a: {kind: aws/assume-role, via: {identity: b}}\n"
                   "    b: {kind: aws/assume-role, via: {identity: a}}\n",
                   "via cycle a → b → a");
    expect_problem("auth:\n  identities:\n    a: {kind: aws/assume-role, via: {identity: a}}\n",
                   "via cycle a → a");
    expect_error("auth:\n  realm: Team_A\n", "realm \"Team_A\" is invalid");
    expect_error("auth:\n  realm: a/b\n", "realm \"a/b\" is invalid");
    expect_problem("auth:\n  identities:\n    x: {via: {provider: p}}\n", "kind is required");
}

static void bad_names(void **state)
{
    (void)state;
    expect_problem("auth:\n  providers:\n    ../etc: {kind: k}\n", "must not start with '.'");
    expect_problem("auth:\n  providers:\n    a/b: {kind: k}\n", "must not contain '/'");
    expect_problem("auth:\n  identities:\n    \"a\\nb\": {kind: aws/user}\n", "control character");
    expect_problem("auth:\n  identities:\n    \".hidden\": {kind: aws/user}\n", "must not start");
    expect_error("auth:\n  identities:\n    \"a\\0b\": {kind: aws/user}\n", "NUL byte");
}

/* What atmos accepts and we used to refuse: an integration named with '/', an unknown keyring type.
 */
static void accepted_as_atmos_accepts(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    assert_int_equal(load("auth:\n  providers: {sso: {kind: aws/iam-identity-center}}\n"
                          "  identities: {dev: {kind: aws/permission-set, via: {provider: sso}}}\n"
                          "  integrations:\n"
                          "    dev/ecr/primary: {kind: aws/ecr, via: {identity: dev},\n"
                          "                      spec: {registry: {account_id: '1', region: r}}}\n"
                          "  keyring: {type: vault}\n",
                          &cfg, &err),
                     ATMOS_OK);
    assert_int_equal(cfg->nintegrations, 1);
    assert_string_equal(cfg->integrations[0].name, "dev/ecr/primary");
    assert_int_equal(cfg->keyring, ATMOS_KEYRING_SYSTEM); /* atmos: "using system keyring" */
    atmos_config_free(cfg);
}

static void bad_base_paths(void **state)
{
    (void)state;
    expect_problem(
        "auth:\n  providers:\n    p:\n      kind: k\n      spec: {files: {base_path: ''}}\n",
        "base_path is empty");
    expect_problem(
        "auth:\n  providers:\n    p:\n      kind: k\n      spec: {files: {base_path: '  '}}\n",
        "base_path is empty");
    expect_problem(
        "auth:\n  providers:\n    p:\n      kind: k\n      spec: {files: {base_path: }}\n",
        "base_path is empty");
    expect_problem("auth:\n  providers:\n    p:\n      kind: k\n"
                   "      spec: {files: {base_path: \"/a\\nb\"}}\n",
                   "line break");
    expect_problem("auth:\n  providers:\n    p:\n      kind: k\n"
                   "      spec: {files: {base_path: \"/a\\rb\"}}\n",
                   "line break");
    expect_error("auth:\n  providers:\n    p:\n      kind: k\n"
                 "      spec: {files: {base_path: \"/a\\0b\"}}\n",
                 "NUL byte");
    expect_problem(
        "auth:\n  providers:\n    p:\n      kind: k\n      spec: {files: {base_path: rel}}\n",
        "must be absolute");
}

/*
 * As root every file is walked from /, and the directories checked are kept
 * open for the next file of the load (config/trust.c): none may outlive it,
 * whatever the load's outcome (a privilege drop can follow).
 */
static void load_closes_what_it_walked(void **state)
{
    (void)state;
    char *b = tu_path(dir, "sub/deep/b.yaml");
    tu_write(b, "auth:\n  providers:\n    deep:\n      kind: aws/iam-identity-center\n"
                "      region: us-east-1\n      start_url: https://d.awsapps.com/start\n");
    int before = tu_open_fds();
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    assert_int_equal(load("import: [sub/deep/b.yaml, sub/none.yaml]\n", &cfg, &err), ATMOS_OK);
    assert_non_null(atmos_config_provider(cfg, "deep"));
    assert_int_equal(tu_open_fds(), before);
    atmos_config_free(cfg);
    expect_error("auth: [not, a, mapping]\nimport: [sub/deep/b.yaml]\n", "auth");
    assert_int_equal(tu_open_fds(), before);
    free(b);
}

static void missing_files(void **state)
{
    (void)state;
    struct atmos_source_list l = {0};
    struct atmos_env e = env_for(dir);
    struct atmos_config *cfg = NULL;
    struct atmos_err err = {{0}};
    char *p = tu_path(dir, "nothing-here.yaml");
    struct atmos_source src = {.path = p, .kind = ATMOS_SOURCE_OPTIONAL};
    l.v = &src;
    l.n = 1;
    assert_int_equal(atmos_config_load(&cfg, &l, &e, &err), ATMOS_ENOCONFIG);
    src.kind = ATMOS_SOURCE_REQUIRED;
    assert_int_equal(atmos_config_load(&cfg, &l, &e, &err), ATMOS_EINVAL);
    assert_non_null(strstr(err.msg, "nothing-here.yaml"));
    free(p);
}

static void search_path_order(void **state)
{
    (void)state;
    struct atmos_source_list l;
    struct atmos_err err;
    struct atmos_env e = env_for("/home/u");
    e.system_config = "/usr/local/etc/atmos/atmos.yaml";
    e.cwd = "/work";
    e.cli_config_path = "/nonexistent/cfg.yaml";
    assert_int_equal(atmos_config_search_path(&l, &e, ATMOS_SEARCH_CWD | ATMOS_SEARCH_ENVPATH,
                                              "/x/explicit.yaml", &err),
                     ATMOS_OK);
    assert_int_equal(l.n, 5);
    assert_string_equal(l.v[0].path, "/usr/local/etc/atmos/atmos.yaml");
    assert_string_equal(l.v[1].path, "/home/u/.atmos/atmos.yaml");
    assert_string_equal(l.v[2].path, "/work/atmos.yaml");
    assert_string_equal(l.v[3].path, "/nonexistent/cfg.yaml");
    assert_int_equal(l.v[3].kind, ATMOS_SOURCE_REQUIRED);
    assert_string_equal(l.v[4].path, "/x/explicit.yaml");
    atmos_source_list_free(&l);
    /* Without CWD and ENVPATH (the PAM module's search path). */
    assert_int_equal(atmos_config_search_path(&l, &e, 0, NULL, &err), ATMOS_OK);
    assert_int_equal(l.n, 2);
    atmos_source_list_free(&l);
    /* config= in the PAM module: the one file, instead of the search path. */
    assert_int_equal(
        atmos_config_search_path(&l, &e, ATMOS_SEARCH_EXPLICIT_ONLY, "/x/only.yaml", &err),
        ATMOS_OK);
    assert_int_equal(l.n, 1);
    assert_string_equal(l.v[0].path, "/x/only.yaml");
    atmos_source_list_free(&l);
    assert_int_equal(atmos_config_search_path(&l, &e, ATMOS_SEARCH_EXPLICIT_ONLY, NULL, &err),
                     ATMOS_OK);
    assert_int_equal(l.n, 2); /* no explicit path: the search path as usual */
    atmos_source_list_free(&l);
}

static void paths_follow_xdg_and_realm(void **state)
{
    (void)state;
    struct atmos_env e = env_for("/home/u");
    char *p = atmos_path_default_aws_base(&e, NULL);
    assert_string_equal(p, "/home/u/.config/atmos/aws");
    free(p);
    e.xdg_config_home = "/xdg";
    p = atmos_path_default_aws_base(&e, "team");
    assert_string_equal(p, "/xdg/atmos/team/aws");
    free(p);
    e.atmos_xdg_config_home = "/atmosxdg";
    p = atmos_path_default_aws_base(&e, NULL);
    assert_string_equal(p, "/atmosxdg/atmos/aws");
    free(p);
    e.atmos_xdg_config_home = "relative"; /* ignored, as XDG says */
    p = atmos_path_default_aws_base(&e, NULL);
    assert_string_equal(p, "/xdg/atmos/aws");
    free(p);
    /* Expected values from coreutils sha1sum of "https://x|us-east-1" and "https://x". */
    p = atmos_path_sso_session(&e, "https://x", "us-east-1");
    assert_string_equal(p, "/home/u/.cache/atmos/aws-sso/sessions/"
                           "7b449b0bbecd8e3d9a8d12c612d1f37bd3729809.json");
    free(p);
    p = atmos_path_aws_sso_token(&e, "https://x");
    assert_string_equal(p, "/home/u/.aws/sso/cache/98383e6608d65e46b24bbd92582bc8d916605a21.json");
    free(p);
}

/* Anchors and YAML merge keys, as atmos's yaml.v3 reads them; one outside auth: too. */
static void anchors_and_merge_keys(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    assert_int_equal(load("defaults: &d {kind: aws/saml, region: us-east-2}\n"
                          "components: {big: [1, 2, 3]}\n"
                          "auth:\n  providers:\n    p: *d\n"
                          "    base: &b {kind: aws/iam-identity-center, region: r1, start_url: u}\n"
                          "    q:\n      <<: *b\n      region: r2\n",
                          &cfg, &err),
                     ATMOS_OK);
    const struct atmos_provider *p = atmos_config_provider(cfg, "p");
    assert_non_null(p);
    assert_string_equal(p->kind.value, "aws/saml");
    assert_string_equal(atmos_spec_value(&p->spec, "region"), "us-east-2");
    const struct atmos_provider *q = atmos_config_provider(cfg, "q");
    assert_non_null(q);
    assert_null(q->problem);
    assert_string_equal(atmos_spec_value(&q->spec, "region"), "r2"); /* its own key wins */
    assert_string_equal(atmos_spec_value(&q->spec, "start_url"), "u");
    atmos_config_free(cfg);
}

/* `<<: [A, B]` in an entry: the earlier mapping wins (YAML 1.1's merge, yaml.v3's), for the
 * entry's own keys (kind) and its spec (region) alike; the entry's own keys win over both. */
static void merge_sequence_earlier_wins(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    assert_int_equal(load("auth:\n  providers:\n    p:\n"
                          "      <<: [{kind: aws/saml, region: a, url: x},\n"
                          "           {kind: aws/iam-identity-center, region: b, start_url: u}]\n"
                          "      url: own\n",
                          &cfg, &err),
                     ATMOS_OK);
    const struct atmos_provider *p = atmos_config_provider(cfg, "p");
    assert_non_null(p);
    assert_string_equal(p->kind.value, "aws/saml");
    assert_string_equal(atmos_spec_value(&p->spec, "region"), "a");
    assert_string_equal(atmos_spec_value(&p->spec, "start_url"), "u"); /* only B says it */
    assert_string_equal(atmos_spec_value(&p->spec, "url"), "own");
    atmos_config_free(cfg);
}

/* The configuration's env: value of the promoted variable `name` (NULL: none said it). */
static const char *promoted(const struct atmos_config *cfg, const char *name)
{
    for (size_t i = 0; atmos_env_promoted_name(i); i++)
        if (strcmp(atmos_env_promoted_name(i), name) == 0)
            return cfg->env_promoted[i];
    fail_msg("%s is not a promoted variable", name);
    return NULL;
}

/* env:'s `<<: [A, B]`: the earlier mapping wins, as yaml.v3 merges (atmos), and own keys win. */
static void env_merge_sequence_earlier_wins(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    assert_int_equal(load("env:\n"
                          "  <<: [{ATMOS_XDG_CACHE_HOME: /a, ATMOS_XDG_DATA_HOME: /d1},\n"
                          "       {ATMOS_XDG_CACHE_HOME: /b, ATMOS_XDG_DATA_HOME: /d2,\n"
                          "        ATMOS_XDG_CONFIG_HOME: /c}]\n"
                          "  ATMOS_XDG_DATA_HOME: /own\n",
                          &cfg, &err),
                     ATMOS_OK);
    assert_string_equal(promoted(cfg, "ATMOS_XDG_CACHE_HOME"), "/a");
    assert_string_equal(promoted(cfg, "ATMOS_XDG_DATA_HOME"), "/own");
    assert_string_equal(promoted(cfg, "ATMOS_XDG_CONFIG_HOME"), "/c");
    atmos_config_free(cfg);
    /* !env in env: reads as everywhere (its default when unset); !exec is never run. */
    unsetenv("ATMOS_TEST_V");
    assert_int_equal(load("env:\n  ATMOS_AUTH_REALM: !env ATMOS_TEST_V team-d\n"
                          "  ATMOS_PROFILE: !exec echo planted\n",
                          &cfg, &err),
                     ATMOS_OK);
    assert_string_equal(promoted(cfg, "ATMOS_AUTH_REALM"), "team-d");
    assert_null(promoted(cfg, "ATMOS_PROFILE"));
    assert_string_equal(cfg->realm.value, "team-d");
    atmos_config_free(cfg);
}

/* Dotenv files count against the load's budget: one big file named over and over in env:'s
 * merge list is read until MAX_LOAD_BYTES (32 MiB), not 200 times, and what comes after it
 * is left out (the list is applied from its end, so small.env comes last). */
static void env_dotenv_include_budget(void **state)
{
    (void)state;
    struct atmos_config *cfg;
    struct atmos_err err = {{0}};
    struct atmos_buf big = {0}, yaml = {0};
    for (int i = 0; big.len < 200 * 1024; i++) {
        char line[300];
        int n = snprintf(line, sizeof(line), "V%d=%0200d\n", i % 900, i);
        assert_int_equal(atmos_buf_append(&big, line, (size_t)n), 0);
    }
    assert_int_equal(atmos_buf_append(&big, "", 1), 0);
    char *pb = tu_path(dir, "big.env"), *ps = tu_path(dir, "small.env");
    tu_write(pb, big.data);
    tu_write(ps, "ATMOS_XDG_CACHE_HOME=/s\n");
    const char *head = "env:\n  <<: [!include small.env";
    assert_int_equal(atmos_buf_append(&yaml, head, strlen(head)), 0);
    for (int i = 0; i < 200; i++)
        assert_int_equal(atmos_buf_append(&yaml, ", !include big.env", 18), 0);
    assert_int_equal(atmos_buf_append(&yaml, "]\n", 3), 0);
    assert_int_equal(atmos_buf_append(&yaml, "", 1), 0);
    assert_int_equal(load(yaml.data, &cfg, &err), ATMOS_OK);
    assert_null(promoted(cfg, "ATMOS_XDG_CACHE_HOME")); /* small.env: past the budget */
    atmos_config_free(cfg);
    free(pb);
    free(ps);
    atmos_buf_free(&big);
    atmos_buf_free(&yaml);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(loads_fields_and_sorts),
        cmocka_unit_test(anchors_and_merge_keys),
        cmocka_unit_test(merge_sequence_earlier_wins),
        cmocka_unit_test(env_merge_sequence_earlier_wins),
        cmocka_unit_test(env_dotenv_include_budget),
        cmocka_unit_test(chain_resolution),
        cmocka_unit_test(later_file_wins_key_by_key),
        cmocka_unit_test(realm_env_overrides_and_env_tag),
        cmocka_unit_test(env_tag_default_and_quotes),
        cmocka_unit_test(errors_name_file_line_column),
        cmocka_unit_test(duplicate_keys),
        cmocka_unit_test(nesting_and_size_are_bounded),
        cmocka_unit_test(semantic_errors),
        cmocka_unit_test(bad_names),
        cmocka_unit_test(accepted_as_atmos_accepts),
        cmocka_unit_test(bad_base_paths),
        cmocka_unit_test(missing_files),
        cmocka_unit_test(load_closes_what_it_walked),
        cmocka_unit_test(search_path_order),
        cmocka_unit_test(paths_follow_xdg_and_realm),
    };
    return cmocka_run_group_tests(tests, tu_home_setup, tu_home_teardown);
}

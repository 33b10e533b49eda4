/*
 * Which realms a plan cleans: a pinned realm alone, no realm alone, or
 * atmos's derived default realm (cfg->realm_derived) and the realm-less
 * legacy layout both, every item planned once.
 */
#include "testutil.h"

#include <atmos/config.h>
#include <atmos/plan.h>

#include "clouds/cloud.h"

static const char yaml[] = "auth:\n"
                           "  providers:\n"
                           "    sso: {kind: aws/iam-identity-center, region: us-east-1,"
                           " start_url: https://x.awsapps.com/start, tags: [t1, T2]}\n"
                           "    g: {kind: gcp/adc}\n"
                           "    z: {kind: azure/device-code, spec: {tenant_id: T1}}\n"
                           "    odd: {kind: acme/sso}\n"
                           "  identities:\n"
                           "    dev: {kind: aws/permission-set, via: {provider: sso}}\n"
                           "    sa: {kind: gcp/service-account, via: {provider: g}, tags: [t2]}\n"
                           "    kind-dev: {kind: kubernetes/emulator, emulator: kind}\n"
                           "    keys: {kind: aws/user}\n"
                           "  integrations:\n"
                           "    reg: {kind: aws/ecr, via: {identity: dev},"
                           " spec: {registry: {account_id: \"111111111111\", region: us-east-1}}}\n"
                           "    weird: {kind: acme/registry, via: {provider: sso}}\n";

/* One line per item: what makes it itself (kind, path, section, key, what). */
static char *line_of(const struct atmos_item *it)
{
    const char *p = it->path ? it->path : "-";
    if (strncmp(p, tu_home, strlen(tu_home)) == 0)
        p += strlen(tu_home) + 1;
    const char *extra = it->kind == ATMOS_ITEM_INI_SECTION    ? it->u.section.name
                        : it->kind == ATMOS_ITEM_KEYRING      ? it->u.keyring.key
                        : it->kind == ATMOS_ITEM_UNKNOWN      ? it->u.unknown.what
                        : it->kind == ATMOS_ITEM_JSON_ENTRIES ? it->u.json.ids[0]
                                                              : "";
    char *s = NULL;
    assert_true(asprintf(&s, "%d %s %s %s", (int)it->kind, it->label, p, extra ? extra : "") > 0);
    return s;
}

static int by_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

/*
 * The plan of `scope`/`target` with ATMOS_AUTH_REALM=realm (NULL: none) and
 * realm_derived set as given, as newline-separated lines; the test fails
 * if any item is planned twice.
 */
static char *plan_of(const char *realm, int derived, enum atmos_scope scope, const char *target)
{
    struct atmos_env env = {0};
    struct atmos_err err = {{0}};
    struct atmos_plan plan;
    env.home = tu_home;
    env.realm = realm;
    struct atmos_config *cfg = tu_load(tu_home, yaml, &env);
    /* What the loader sets when no realm is configured (atmos's hash of the config directory). */
    cfg->realm_derived = derived;
    struct atmos_plan_opts o = {.keychain = 1, .log = NULL};
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, scope, target, &o, &err), ATMOS_OK);
    char **v = calloc(plan.nitems + 1, sizeof(*v));
    size_t len = 1;
    for (size_t i = 0; i < plan.nitems; i++)
        len += strlen(v[i] = line_of(&plan.items[i])) + 1;
    qsort(v, plan.nitems, sizeof(*v), by_str);
    char *out = calloc(1, len);
    for (size_t i = 0; i < plan.nitems; i++) {
        if (i > 0 && strcmp(v[i], v[i - 1]) == 0)
            fail_msg("planned twice: %s", v[i]);
        strcat(strcat(out, v[i]), "\n");
    }
    for (size_t i = 0; i < plan.nitems; i++)
        free(v[i]);
    free(v);
    atmos_plan_free(&plan);
    atmos_config_free(cfg);
    return out;
}

/* How many lines of `plan` contain `s`. */
static int count(const char *plan, const char *s)
{
    int n = 0;
    for (const char *p = plan; (p = strstr(p, s)) != NULL; p += strlen(s))
        n++;
    return n;
}

static void pinned_realm_alone(void **state)
{
    (void)state;
    char *p = plan_of("r1", 0, ATMOS_SCOPE_IDENTITY, "dev");
    assert_int_equal(count(p, ".config/atmos/r1/aws/sso/credentials dev"), 1);
    assert_int_equal(count(p, ".config/atmos/aws/sso/"), 0);
    assert_int_equal(count(p, " atmos_r1_dev\n"), 1);
    assert_int_equal(count(p, " atmos_dev\n"), 1);
    free(p);
    p = plan_of("r1", 0, ATMOS_SCOPE_ALL, NULL);
    assert_int_equal(count(p, ".config/atmos/gcp/"), 0);
    assert_int_equal(count(p, ".config/atmos/emulator/"), 0);
    assert_int_equal(count(p, ".azure/atmos/z "), 0);
    assert_int_equal(count(p, ".config/atmos/r1/gcp/g "), 1);
    free(p);
}

static void no_realm_alone(void **state)
{
    (void)state;
    char *p = plan_of(NULL, 0, ATMOS_SCOPE_ALL, NULL);
    assert_int_equal(count(p, "/r1/"), 0);
    assert_int_equal(count(p, ".config/atmos/aws/sso "), 1);
    assert_int_equal(count(p, " atmos_dev\n"), 1);
    assert_int_equal(count(p, " atmos_r1_"), 0);
    free(p);
}

/* cfg->realm_derived: the realm and the realm-less layout, nothing twice (plan_of checks). */
static void derived_realm_and_legacy_layout(void **state)
{
    (void)state;
    char *p = plan_of("r1", 1, ATMOS_SCOPE_IDENTITY, "dev");
    assert_int_equal(count(p, ".config/atmos/r1/aws/sso/credentials dev"), 1);
    assert_int_equal(count(p, ".config/atmos/aws/sso/credentials dev"), 1);
    assert_int_equal(count(p, ".config/atmos/aws/sso/config dev"), 1);
    assert_int_equal(count(p, "111111111111.dkr.ecr.us-east-1.amazonaws.com"), 1);
    /* The keychain names stay atmos's two: the realm's and the legacy one. */
    assert_int_equal(count(p, " atmos_r1_dev\n"), 1);
    assert_int_equal(count(p, " atmos_dev\n"), 1);
    assert_int_equal(count(p, " atmos_"), 2);
    free(p);
    p = plan_of("r1", 1, ATMOS_SCOPE_ALL, NULL);
    static const char *const both[] = {"aws/sso ", "aws/aws-user ", "gcp/g ",
                                       "emulator/kind-dev.kubeconfig "};
    for (size_t i = 0; i < sizeof(both) / sizeof(*both); i++) {
        char *r = NULL, *n = NULL;
        assert_true(asprintf(&r, ".config/atmos/r1/%s", both[i]) > 0);
        assert_true(asprintf(&n, ".config/atmos/%s", both[i]) > 0);
        assert_int_equal(count(p, r), 1);
        assert_int_equal(count(p, n), 1);
        free(r);
        free(n);
    }
    assert_int_equal(count(p, ".azure/atmos/r1/z "), 1);
    assert_int_equal(count(p, ".azure/atmos/z "), 1);
    assert_int_equal(count(p, "odd (kind acme/sso)"), 1);
    assert_int_equal(count(p, "weird (kind acme/registry)"), 1);
    assert_int_equal(count(p, "provisioned-identities.yaml"), 1);
    assert_int_equal(count(p, " atmos_r1_sso\n"), 1);
    assert_int_equal(count(p, " atmos_sso\n"), 1);
    free(p);
}

/* atmos's realm.Validate, rule by rule. */
static void realm_validation(void **state)
{
    (void)state;
    static const char *const good[] = {"a", "r1", "my-realm", "a_b", "0", "a-b_c"};
    static const char *const bad[] = {"",     "A",    "-a",   "a-",  "_a",  "a_", "a--b",
                                      "a__b", "a-_b", "a_-b", "a.b", "a/b", "..", "a b"};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        assert_true(atmos_realm_valid(good[i]));
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        assert_false(atmos_realm_valid(bad[i]));
    char long_name[66];
    memset(long_name, 'a', 65);
    long_name[65] = '\0';
    assert_false(atmos_realm_valid(long_name));
    long_name[64] = '\0';
    assert_true(atmos_realm_valid(long_name));
}

/* --tags: split on ',', trimmed, empty dropped, nothing else changed. */
static void tags_parsing(void **state)
{
    (void)state;
    char **v;
    size_t n;
    assert_int_equal(atmos_tags_parse(" a , ,b\t,, c d ,", &v, &n), 0);
    assert_int_equal(n, 3);
    assert_string_equal(v[0], "a");
    assert_string_equal(v[1], "b");
    assert_string_equal(v[2], "c d");
    atmos_tags_free(v, n);
    assert_int_equal(atmos_tags_parse(" , ,", &v, &n), 0);
    assert_int_equal(n, 0);
    assert_null(v);
}

/* --tags: a provider logout of sso (and its identity dev), an identity logout of sa. */
static void tags_scope(void **state)
{
    (void)state;
    char *p = plan_of(NULL, 0, ATMOS_SCOPE_TAGS, "T2,t2");
    assert_int_equal(count(p, ".config/atmos/aws/sso "), 1); /* the provider directory */
    assert_int_equal(count(p, ".config/atmos/gcp/g/adc/sa "), 1);
    assert_int_equal(count(p, ".config/atmos/gcp/g "), 0); /* not g's provider logout */
    assert_int_equal(count(p, " atmos_sso\n"), 1);
    assert_int_equal(count(p, " atmos_sa\n"), 1);
    assert_int_equal(count(p, " atmos_g\n"), 0);
    free(p);
    struct atmos_env env = {0};
    struct atmos_err err = {{0}};
    struct atmos_plan plan;
    env.home = tu_home;
    struct atmos_config *cfg = tu_load(tu_home, yaml, &env);
    /* Case-sensitive, exact: "t" and "T1" carry nothing; the error names what is configured. */
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_TAGS, "T1,t", NULL, &err),
                     ATMOS_ENOTFOUND);
    assert_non_null(strstr(err.msg, "available tags: T2, t1, t2"));
    atmos_config_free(cfg);
}

/* --all-realms: every realm on disk, each thing once, each item marked with its realm. */
static void all_realms_scope(void **state)
{
    (void)state;
    char path[512];
    snprintf(path, sizeof(path), "%s/.config/atmos/other/aws/their/credentials", tu_home);
    tu_write(path, "[x]\n");
    snprintf(path, sizeof(path), "%s/.config/atmos/gonly/gcp/gp/g.identity.lock", tu_home);
    tu_write(path, "");
    snprintf(path, sizeof(path), "%s/.config/atmos/profiles/aws/p/credentials", tu_home);
    tu_write(path, "[x]\n");
    snprintf(path, sizeof(path), "%s/.config/atmos/Bad/aws/p/credentials", tu_home);
    tu_write(path, "[x]\n");
    char *p = plan_of("r1", 0, ATMOS_SCOPE_ALL_REALMS, NULL);
    assert_int_equal(count(p, ".config/atmos/other/aws/their "), 1);
    assert_int_equal(count(p, ".config/atmos/other/aws/sso "), 1); /* the configured names too */
    assert_int_equal(count(p, ".config/atmos/gonly/gcp/gp "), 1);
    assert_int_equal(count(p, ".config/atmos/r1/aws/sso "), 1);
    assert_int_equal(count(p, ".config/atmos/aws/sso "), 1); /* no realm */
    assert_int_equal(count(p, "/profiles/"), 0);
    assert_int_equal(count(p, "/Bad/"), 0);
    assert_int_equal(count(p, " atmos_other_dev\n"), 1);
    assert_int_equal(count(p, " atmos_gonly_sso\n"), 1);
    assert_int_equal(count(p, " atmos_profiles_"), 0);
    free(p);
    struct atmos_env env = {0};
    struct atmos_err err = {{0}};
    struct atmos_plan plan;
    env.home = tu_home;
    env.realm = "r1";
    struct atmos_config *cfg = tu_load(tu_home, yaml, &env);
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_ALL_REALMS, NULL, NULL, &err),
                     ATMOS_OK);
    assert_int_equal(plan.nrealms, 3);
    assert_string_equal(plan.realms[0], "gonly");
    assert_string_equal(plan.realms[1], "other");
    assert_string_equal(plan.realms[2], "r1");
    for (size_t i = 0; i < plan.nitems; i++) {
        const struct atmos_item *it = &plan.items[i];
        if (it->path && strstr(it->path, "/other/"))
            assert_string_equal(it->realm, "other");
        if (it->path && strstr(it->path, ".config/atmos/aws/"))
            assert_null(it->realm);
    }
    atmos_plan_free(&plan);
    atmos_config_free(cfg);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_home_setup, tu_home_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(pinned_realm_alone), T(no_realm_alone), T(derived_realm_and_legacy_layout),
        T(realm_validation),   T(tags_parsing),   T(tags_scope),
        T(all_realms_scope),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

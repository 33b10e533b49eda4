/*
 * Which realms a plan cleans: a pinned realm alone, no realm alone, or
 * atmos's derived default realm (cfg->realm_derived) and the realm-less
 * legacy layout both, every item planned once.
 */
#include "testutil.h"

#include <atmos/config.h>
#include <atmos/plan.h>

static const char yaml[] = "auth:\n"
                           "  providers:\n"
                           "    sso: {kind: aws/iam-identity-center, region: us-east-1,"
                           " start_url: https://x.awsapps.com/start}\n"
                           "    g: {kind: gcp/adc}\n"
                           "    z: {kind: azure/device-code, spec: {tenant_id: T1}}\n"
                           "    odd: {kind: acme/sso}\n"
                           "  identities:\n"
                           "    dev: {kind: aws/permission-set, via: {provider: sso}}\n"
                           "    sa: {kind: gcp/service-account, via: {provider: g}}\n"
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

#define T(f) cmocka_unit_test_setup_teardown(f, tu_home_setup, tu_home_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(pinned_realm_alone),
        T(no_realm_alone),
        T(derived_realm_and_legacy_layout),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

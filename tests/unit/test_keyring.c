/*
 * Which keychain entries a plan holds, per scope, realm, provider kind and
 * keyring type.  (The backends themselves are tested end to end against a
 * real Secret Service, kernel keyring and file keyring.)
 */
#include "testutil.h"

#include <atmos/config.h>
#include <atmos/plan.h>

static const char yaml[] = "auth:\n"
                           "  providers:\n"
                           "    sso: {kind: aws/iam-identity-center}\n"
                           "    gcp: {kind: gcp/adc}\n"
                           "  identities:\n"
                           "    dev: {kind: aws/permission-set, via: {provider: sso}}\n"
                           "    sa: {kind: gcp/service-account, via: {provider: gcp}}\n"
                           "    keys: {kind: aws/user}\n";

/* The planned keys, space-separated, in plan order. */
static char *keys(const char *realm, const char *type, enum atmos_scope scope, const char *target,
                  int keychain)
{
    struct atmos_env env = {0};
    struct atmos_err err;
    struct atmos_plan plan;
    env.home = tu_home;
    env.realm = realm;
    env.keyring_type = type;
    struct atmos_config *cfg = tu_load(tu_home, yaml, &env);
    struct atmos_plan_opts o = {.keychain = keychain, .log = NULL};
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, scope, target, &o, &err), ATMOS_OK);
    char *out = calloc(1, 4096);
    for (size_t i = 0; i < plan.nitems; i++) {
        if (plan.items[i].kind != ATMOS_ITEM_KEYRING)
            continue;
        strcat(out, out[0] ? " " : "");
        strcat(out, plan.items[i].u.keyring.key);
        if (plan.items[i].path)
            strcat(out, "@file");
    }
    atmos_plan_free(&plan);
    atmos_config_free(cfg);
    return out;
}

static void expect(char *got, const char *want)
{
    assert_string_equal(got, want);
    free(got);
}

static void default_logout_only_ambient_chains(void **state)
{
    (void)state;
    expect(keys(NULL, NULL, ATMOS_SCOPE_IDENTITY, "dev", 0), "");
    expect(keys(NULL, NULL, ATMOS_SCOPE_IDENTITY, "sa", 0), "atmos_sa");
    expect(keys(NULL, NULL, ATMOS_SCOPE_PROVIDER, "gcp", 0), "atmos_gcp atmos_sa");
    expect(keys(NULL, NULL, ATMOS_SCOPE_PROVIDER, "sso", 0), "");
    expect(keys(NULL, NULL, ATMOS_SCOPE_ALL, NULL, 0), "atmos_gcp atmos_sa");
}

static void keychain_scopes(void **state)
{
    (void)state;
    expect(keys(NULL, NULL, ATMOS_SCOPE_IDENTITY, "dev", 1), "atmos_dev");
    expect(keys(NULL, NULL, ATMOS_SCOPE_PROVIDER, "sso", 1), "atmos_sso atmos_dev");
    expect(keys(NULL, NULL, ATMOS_SCOPE_ALL, NULL, 1),
           "atmos_gcp atmos_sso atmos_dev atmos_keys atmos_sa");
}

static void realm_adds_legacy_name(void **state)
{
    (void)state;
    expect(keys("team", NULL, ATMOS_SCOPE_IDENTITY, "dev", 1), "atmos_team_dev atmos_dev");
}

static void backends(void **state)
{
    (void)state;
    expect(keys(NULL, "file", ATMOS_SCOPE_IDENTITY, "dev", 1), "atmos_dev@file");
    expect(keys(NULL, "memory", ATMOS_SCOPE_ALL, NULL, 1), "");
    expect(keys(NULL, "noop", ATMOS_SCOPE_ALL, NULL, 1), "");
    expect(keys(NULL, "keyctl", ATMOS_SCOPE_IDENTITY, "dev", 1), "atmos_dev");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(default_logout_only_ambient_chains, tu_home_setup,
                                        tu_home_teardown),
        cmocka_unit_test_setup_teardown(keychain_scopes, tu_home_setup, tu_home_teardown),
        cmocka_unit_test_setup_teardown(realm_adds_legacy_name, tu_home_setup, tu_home_teardown),
        cmocka_unit_test_setup_teardown(backends, tu_home_setup, tu_home_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

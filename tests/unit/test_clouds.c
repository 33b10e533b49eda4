/*
 * The table of kinds and the JSON entry editor, through plans built and run
 * against real files in a temporary HOME.
 */
#include "testutil.h"

#include <sys/stat.h>

#include <atmos/config.h>
#include <atmos/plan.h>

#include "clouds/cloud.h"
#include "clouds/github/github.h"

static char *home;
static struct atmos_config *cfg;
static struct atmos_env env;

static const char yaml[] =
    "auth:\n"
    "  providers:\n"
    "    dc: {kind: azure/device-code}\n"
    "    g: {kind: gcp/adc}\n"
    "    pro: {kind: atmos/pro}\n"
    "    odd: {kind: someday/cloud}\n"
    "  identities:\n"
    "    sub: {kind: azure/subscription, via: {provider: dc}, principal: {subscription_id: S1}}\n"
    "    sa: {kind: gcp/service-account, via: {provider: g}}\n"
    "    weird: {kind: new/thing, via: {provider: g}}\n"
    "  integrations:\n"
    "    acr: {kind: azure/acr, via: {identity: sub}, spec: {registry: {name: reg}}}\n"
    "    ecr: {kind: aws/ecr, via: {provider: g}, spec: {registry: {account_id: '1', region: r}}}\n"
    "    half: {kind: aws/ecr, via: {identity: sub}, spec: {registry: {account_id: '2'}}}\n"
    "    gh: {kind: github/sts, via: {identity: sub}}\n"
    "    gh2: {kind: github/sts, via: {provider: g}}\n";

static int setup(void **state)
{
    tu_home_setup(state);
    home = tu_home;
    env = (struct atmos_env){0};
    env.home = home;
    cfg = tu_load(home, yaml, &env);
    return 0;
}

static int teardown(void **state)
{
    atmos_config_free(cfg);
    return tu_home_teardown(state);
}

static void build(struct atmos_plan *plan, enum atmos_scope scope, const char *target)
{
    struct atmos_err err = {{0}};
    assert_int_equal(atmos_plan_build(plan, cfg, &env, scope, target, NULL, &err), ATMOS_OK);
}

static void execute(struct atmos_plan *plan, int dry)
{
    struct atmos_exec_opts o = {.dry_run = dry, .lock_timeout_ms = 300, .log = NULL};
    atmos_plan_execute(plan, &o);
}

static size_t count(const struct atmos_plan *plan, enum atmos_item_kind kind, const char *cloud)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->nitems; i++)
        n += plan->items[i].kind == kind &&
             (cloud == NULL || (plan->items[i].cloud && strcmp(plan->items[i].cloud, cloud) == 0));
    return n;
}

static void kinds_table(void **state)
{
    (void)state;
    const struct atmos_cloud *c;
    assert_true(atmos_cloud_of_provider("azure/oidc", &c) && c == &atmos_cloud_azure);
    assert_true(atmos_cloud_of_provider("gcp/workload-identity-federation", &c) &&
                c == &atmos_cloud_gcp);
    assert_true(atmos_cloud_of_provider("aws/saml", &c) && c == &atmos_cloud_aws);
    assert_true(atmos_cloud_of_provider("atmos/pro", &c) && c == NULL);
    assert_false(atmos_cloud_of_provider("someday/cloud", &c));
    assert_false(atmos_cloud_of_provider(NULL, &c));
    assert_true(atmos_cloud_of_identity("gcp/project", &c) && c == &atmos_cloud_gcp);
    assert_true(atmos_cloud_of_identity("aws/ambient", &c) && c == NULL);
    assert_false(atmos_cloud_of_identity("new/thing", &c));
}

static void integrations_are_loaded(void **state)
{
    (void)state;
    assert_int_equal(cfg->nintegrations, 5);
    assert_string_equal(cfg->integrations[0].name, "acr"); /* sorted */
    assert_string_equal(atmos_spec_value(&cfg->integrations[0].spec, "spec.registry.name"), "reg");
    assert_string_equal(cfg->integrations[1].via_provider.value, "g");
    assert_string_equal(atmos_spec_value(&cfg->integrations[1].spec, "spec.registry.account_id"),
                        "1");
    assert_string_equal(
        atmos_spec_value(&atmos_config_identity(cfg, "sub")->spec, "principal.subscription_id"),
        "S1");
}

static void github_sts(void **state)
{
    (void)state;
    const struct atmos_cloud *c;
    assert_non_null(atmos_kind_find("github/sts", ATMOS_ROLE_INTEGRATION, &c));
    assert_ptr_equal(c, &atmos_cloud_github); /* no longer docker's */
    /* sanitizePathSegment: one pass, `..` as one match, argument order. */
    static const char *const cases[][2] = {{"a/b\\c:d", "a_b_c_d"}, {"...", "_."}, {"....", "__"},
                                           {"a..b", "a_b"},         {"", ""},      {"ci", "ci"}};
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *s = atmos_github_sanitize(cases[i][0]);
        assert_string_equal(s, cases[i][1]);
        free(s);
    }
    /* Identity sub: its own integration (gh), not the provider g's (gh2), in the realm-less
     * layout (tu_load); revoke adds the sign-out. */
    for (int revoke = 0; revoke <= 1; revoke++) {
        struct atmos_plan plan;
        struct atmos_err err = {{0}};
        struct atmos_plan_opts po = {.revoke = revoke};
        assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_IDENTITY, "sub", &po, &err),
                         ATMOS_OK);
        assert_int_equal(count(&plan, ATMOS_ITEM_SIGNOUT, "github"), revoke ? 1 : 0);
        assert_int_equal(count(&plan, ATMOS_ITEM_FILE, "github"), 2);
        for (size_t i = 0; i < plan.nitems; i++)
            if (plan.items[i].cloud && strcmp(plan.items[i].cloud, "github") == 0)
                assert_non_null(
                    strstr(plan.items[i].path, "/.local/share/atmos/auth/github-sts/gh/"));
        atmos_plan_free(&plan);
    }
    /* A dry run reads state.json: how many tokens, nothing sent, nothing removed. */
    char *dir = tu_path(home, ".local/share/atmos/auth/github-sts/gh");
    char *sj = tu_path(dir, "state.json");
    tu_write(
        sj,
        "{\"tokens\":[{\"token\":\"t1\"},{\"token\":\"\"},{\"token\":\"t2\"},{\"token\":\"t1\"}]}");
    struct atmos_plan plan;
    struct atmos_err err = {{0}};
    struct atmos_plan_opts po = {.revoke = 1};
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_IDENTITY, "sub", &po, &err),
                     ATMOS_OK);
    execute(&plan, 1);
    size_t would = 0;
    for (size_t i = 0; i < plan.nitems; i++)
        if (plan.items[i].kind == ATMOS_ITEM_SIGNOUT &&
            strstr(plan.items[i].path, "/gh/state.json") &&
            !strstr(plan.items[i].path, "/github-sts/gh/") == 0) {
            assert_int_equal(plan.items[i].outcome, ATMOS_OUTCOME_WOULD_REMOVE);
            assert_string_equal(atmos_item_what(&plan.items[i]), "integration gh, 2 tokens");
            would++;
        }
    assert_int_equal(would, 1);
    assert_true(tu_exists(sj));
    atmos_plan_free(&plan);
    /* Not the JSON atmos writes: the sign-out fails and says why. */
    tu_write(sj, "{\"tokens\": {}}");
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_IDENTITY, "sub", &po, &err),
                     ATMOS_OK);
    execute(&plan, 1);
    for (size_t i = 0; i < plan.nitems; i++)
        if (plan.items[i].kind == ATMOS_ITEM_SIGNOUT &&
            strstr(plan.items[i].path, "/github-sts/gh/")) {
            assert_int_equal(plan.items[i].outcome, ATMOS_OUTCOME_FAILED);
            assert_non_null(strstr(plan.items[i].error, "is not the JSON atmos writes"));
        }
    atmos_plan_free(&plan);
    free(sj);
    free(dir);
}

static void unknown_kinds_are_items(void **state)
{
    (void)state;
    struct atmos_plan plan;
    build(&plan, ATMOS_SCOPE_PROVIDER, "odd");
    assert_int_equal(count(&plan, ATMOS_ITEM_UNKNOWN, NULL), 1);
    assert_int_equal(count(&plan, ATMOS_ITEM_DIRECTORY, NULL), 0); /* not treated as AWS */
    execute(&plan, 1);
    assert_int_equal(atmos_plan_exit_status(&plan), 1);
    assert_non_null(strstr(plan.items[0].error, "odd (kind someday/cloud)"));
    atmos_plan_free(&plan);

    build(&plan, ATMOS_SCOPE_IDENTITY, "weird");
    assert_int_equal(count(&plan, ATMOS_ITEM_UNKNOWN, NULL), 1);
    atmos_plan_free(&plan);

    build(&plan, ATMOS_SCOPE_PROVIDER, "pro"); /* known, nothing on disk */
    assert_int_equal(count(&plan, ATMOS_ITEM_UNKNOWN, NULL), 0);
    atmos_plan_free(&plan);
}

static void registries_by_scope(void **state)
{
    (void)state;
    struct atmos_plan plan;
    build(&plan, ATMOS_SCOPE_IDENTITY, "sub");
    /* acr only: "half" lacks a region, ecr is the provider g's */
    assert_int_equal(count(&plan, ATMOS_ITEM_JSON_ENTRIES, "docker"), 1);
    atmos_plan_free(&plan);
    build(&plan, ATMOS_SCOPE_PROVIDER, "g");
    assert_int_equal(count(&plan, ATMOS_ITEM_JSON_ENTRIES, "docker"), 1);
    assert_int_equal(count(&plan, ATMOS_ITEM_DIRECTORY, "gcp"), 1);
    atmos_plan_free(&plan);
}

/* docker's file: only the entry goes; key order, other keys, newline and mode stay.  (No
 * BOM: docker refuses one, and so the file is left, bad-input.md B106.) */
static void json_entries_removed_precisely(void **state)
{
    (void)state;
    char *path = tu_path(home, ".docker/config.json");
    tu_write(path,
             "{\"credsStore\": \"pass\", \"auths\": {\"a.io\": {\"auth\": \"dXNlcjpw\"}, "
             "\"reg.azurecr.io\": {\"auth\": \"YWNyOnB3\"}, \"z.io\": {}}, \"n\": 1.50, "
             "\"u\": \"https://x/y\"}\n");
    chmod(path, 0640);
    struct atmos_plan plan;
    build(&plan, ATMOS_SCOPE_IDENTITY, "sub");
    execute(&plan, 1);
    char *before = tu_read(path);
    for (size_t i = 0; i < plan.nitems; i++)
        if (plan.items[i].kind == ATMOS_ITEM_JSON_ENTRIES)
            assert_int_equal(plan.items[i].outcome, ATMOS_OUTCOME_WOULD_REMOVE);
    execute(&plan, 0);
    char *after = tu_read(path);
    assert_non_null(strstr(before, "reg.azurecr.io")); /* the dry run changed nothing */
    assert_null(strstr(after, "reg.azurecr.io"));
    assert_int_equal(after[0], '{');
    assert_int_equal(after[strlen(after) - 1], '\n');
    const char *a = strstr(after, "credsStore"), *b = strstr(after, "a.io"),
               *z = strstr(after, "z.io"), *n = strstr(after, "1.50"),
               *u = strstr(after, "https://x/y");
    assert_true(a && b && z && n && u && a < b && b < z && z < n);
    struct stat st;
    assert_int_equal(stat(path, &st), 0);
    assert_int_equal(st.st_mode & 0777, 0640);
    atmos_plan_free(&plan);
    /* Nothing left of ours: absent, and the file is not rewritten. */
    build(&plan, ATMOS_SCOPE_IDENTITY, "sub");
    execute(&plan, 0);
    char *again = tu_read(path);
    assert_string_equal(again, after);
    atmos_plan_free(&plan);
    free(before);
    free(after);
    free(again);
    free(path);
}

static void json_that_does_not_parse_is_left(void **state)
{
    (void)state;
    char *path = tu_path(home, ".docker/config.json");
    static const char *const bad[] = {"{\"auths\": {\"reg.azurecr.io\": {}}", "",
                                      "{\"auths\": {}} trailing", "[1,2"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        tu_write(path, bad[i]);
        struct atmos_plan plan;
        build(&plan, ATMOS_SCOPE_IDENTITY, "sub");
        execute(&plan, 0);
        size_t failed = 0;
        for (size_t k = 0; k < plan.nitems; k++)
            if (plan.items[k].kind == ATMOS_ITEM_JSON_ENTRIES) {
                failed += plan.items[k].outcome == ATMOS_OUTCOME_FAILED;
                assert_non_null(strstr(plan.items[k].error, "does not parse as JSON"));
            }
        assert_int_equal(failed, 1);
        char *now = tu_read(path);
        assert_string_equal(now, bad[i]);
        free(now);
        atmos_plan_free(&plan);
    }
    free(path);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(kinds_table),
        T(integrations_are_loaded),
        T(github_sts),
        T(unknown_kinds_are_items),
        T(registries_by_scope),
        T(json_entries_removed_precisely),
        T(json_that_does_not_parse_is_left),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

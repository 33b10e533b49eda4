/*
 * Where an AWS logout looks, as atmos lays its files out
 * (pkg/auth/cloud/aws/files.go): <root>/[<realm>/]aws/<provider>/, root being
 * spec.files.base_path or the atmos config home, plus the legacy
 * ~/.aws/atmos/<provider>/ and <cache>/aws-sso/<provider>/token.json.
 */
#include "testutil.h"

#include <atmos/config.h>
#include <atmos/plan.h>

#include "clouds/aws/paths.h"

static const char yaml[] = "auth:\n"
                           "  providers:\n"
                           "    sso:\n"
                           "      kind: aws/iam-identity-center\n"
                           "      region: us-east-1\n"
                           "      start_url: https://x.awsapps.com/start\n"
                           "      spec: {files: {base_path: ~/.aws}}\n"
                           "    saml: {kind: aws/saml, spec: {files: {base_path: /srv/aws}}}\n"
                           "    plain: {kind: aws/saml}\n"
                           "  identities:\n"
                           "    dev: {kind: aws/permission-set, via: {provider: sso}}\n";

static void provider_dir_has_realm_and_aws(void **state)
{
    (void)state;
    struct atmos_env e = {0};
    e.home = "/home/u";
    char *p = atmos_path_aws_provider_dir(&e, "~/custom", NULL, "p");
    assert_string_equal(p, "/home/u/custom/aws/p");
    free(p);
    p = atmos_path_aws_provider_dir(&e, "~", "team", "p");
    assert_string_equal(p, "/home/u/team/aws/p");
    free(p);
    p = atmos_path_aws_provider_dir(&e, "/srv/x/", "team", "p");
    assert_string_equal(p, "/srv/x/team/aws/p");
    free(p);
    p = atmos_path_aws_provider_dir(&e, NULL, NULL, "q");
    assert_string_equal(p, "/home/u/.config/atmos/aws/q");
    free(p);
    p = atmos_path_aws_legacy_dir(&e, "q");
    assert_string_equal(p, "/home/u/.aws/atmos/q");
    free(p);
    p = atmos_path_sso_legacy_token(&e, "q");
    assert_string_equal(p, "/home/u/.cache/atmos/aws-sso/q/token.json");
    free(p);
}

/* The paths of the plan's items of `kind`, relative to HOME, one per line. */
static char *paths(const char *realm, enum atmos_scope scope, const char *target,
                   enum atmos_item_kind kind)
{
    struct atmos_env env = {0};
    struct atmos_err err = {{0}};
    struct atmos_plan plan;
    env.home = tu_home;
    env.realm = realm;
    struct atmos_config *cfg = tu_load(tu_home, yaml, &env);
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, scope, target, NULL, &err), ATMOS_OK);
    char *out = calloc(1, 8192);
    for (size_t i = 0; i < plan.nitems; i++) {
        const struct atmos_item *it = &plan.items[i];
        /* Browser sessions (a console profile is a directory too) have tests of their own. */
        if (it->kind != kind || it->browser)
            continue;
        const char *p = it->path;
        if (strncmp(p, tu_home, strlen(tu_home)) == 0)
            p += strlen(tu_home);
        strcat(strcat(out, p), "\n");
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

/* base_path: ~/.aws and a provider named sso: never ~/.aws/sso, the AWS CLI's own. */
static void base_path_is_a_root(void **state)
{
    (void)state;
    expect(paths(NULL, ATMOS_SCOPE_PROVIDER, "sso", ATMOS_ITEM_DIRECTORY),
           "/.config/atmos/aws/sso\n/.aws/aws/sso\n/.aws/atmos/sso\n");
    expect(paths("r1", ATMOS_SCOPE_PROVIDER, "sso", ATMOS_ITEM_DIRECTORY),
           "/.config/atmos/r1/aws/sso\n/.aws/r1/aws/sso\n/.aws/atmos/sso\n");
    expect(paths("r1", ATMOS_SCOPE_PROVIDER, "plain", ATMOS_ITEM_DIRECTORY),
           "/.config/atmos/r1/aws/plain\n/.aws/atmos/plain\n");
    /* An absolute base_path (outside HOME, shown as is). */
    expect(paths(NULL, ATMOS_SCOPE_PROVIDER, "saml", ATMOS_ITEM_DIRECTORY),
           "/.config/atmos/aws/saml\n/srv/aws/aws/saml\n/.aws/atmos/saml\n");
}

static void identity_sections_in_every_directory(void **state)
{
    (void)state;
    expect(paths("r1", ATMOS_SCOPE_IDENTITY, "dev", ATMOS_ITEM_INI_SECTION),
           "/.config/atmos/r1/aws/sso/credentials\n/.config/atmos/r1/aws/sso/config\n"
           "/.aws/r1/aws/sso/credentials\n/.aws/r1/aws/sso/config\n"
           "/.aws/atmos/sso/credentials\n/.aws/atmos/sso/config\n");
}

static void legacy_sso_token_with_the_session(void **state)
{
    (void)state;
    char *files = paths("r1", ATMOS_SCOPE_PROVIDER, "sso", ATMOS_ITEM_FILE);
    assert_non_null(strstr(files, "/.cache/atmos/aws-sso/sso/token.json\n"));
    assert_non_null(strstr(files, "/.cache/atmos/aws-sso/sessions/"));
    free(files);
    files = paths(NULL, ATMOS_SCOPE_PROVIDER, "saml", ATMOS_ITEM_FILE);
    assert_null(strstr(files, "token.json")); /* only IAM Identity Center wrote one */
    free(files);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_home_setup, tu_home_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(provider_dir_has_realm_and_aws),
        T(base_path_is_a_root),
        T(identity_sections_in_every_directory),
        T(legacy_sso_token_with_the_session),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

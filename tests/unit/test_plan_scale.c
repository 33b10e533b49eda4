/*
 * The plan of a configuration with 40,000 providers: every item once, in the
 * order the providers are planned (building it was quadratic: 23 s).  No
 * timing is asserted; an alarm only ends a hang.
 */
#include "testutil.h"

#include <signal.h>

#include <atmos/config.h>
#include <atmos/plan.h>

#include "base/strings.h"

#define NPROVIDERS 40000

/* Every fourth provider an ambient gcp/adc (a directory and a keychain entry of the file
 * keyring), two SSO providers sharing a start URL (one session and token file), the rest
 * aws/saml (its directories and the provisioned-identities file). */
static char *config_text(void)
{
    struct atmos_buf b = {0};
    char line[200];
    int n = snprintf(line, sizeof(line), "auth:\n  keyring: {type: file}\n  providers:\n");
    atmos_buf_append(&b, line, (size_t)n);
    for (int i = 0; i < NPROVIDERS - 2; i++) {
        n = snprintf(line, sizeof(line), "    p%05d: {kind: %s}\n", i,
                     i % 4 == 1 ? "gcp/adc" : "aws/saml");
        assert_int_equal(atmos_buf_append(&b, line, (size_t)n), 0);
    }
    for (int i = 0; i < 2; i++) {
        n = snprintf(line, sizeof(line),
                     "    sso%d: {kind: aws/iam-identity-center, region: us-east-1, "
                     "start_url: \"https://x.awsapps.com/start\"}\n",
                     i);
        assert_int_equal(atmos_buf_append(&b, line, (size_t)n), 0);
    }
    assert_int_equal(atmos_buf_append(&b, "", 1), 0);
    return b.data;
}

static int by_key(const void *a, const void *b)
{
    const struct atmos_item *x = *(const struct atmos_item *const *)a;
    const struct atmos_item *y = *(const struct atmos_item *const *)b;
    if (x->kind != y->kind)
        return (int)x->kind - (int)y->kind;
    int c = strcmp(x->path ? x->path : "", y->path ? y->path : "");
    const char *kx = x->kind == ATMOS_ITEM_KEYRING ? x->u.keyring.key : NULL;
    const char *ky = y->kind == ATMOS_ITEM_KEYRING ? y->u.keyring.key : NULL;
    return c ? c : strcmp(kx ? kx : "", ky ? ky : "");
}

static size_t count(const struct atmos_plan *plan, enum atmos_item_kind kind)
{
    size_t n = 0;
    for (size_t i = 0; i < plan->nitems; i++)
        n += plan->items[i].kind == kind;
    return n;
}

static void forty_thousand_providers(void **state)
{
    (void)state;
    struct atmos_env env = {0};
    env.home = tu_home;
    char *text = config_text();
    struct atmos_config *cfg = tu_load(tu_home, text, &env);
    free(text);
    struct atmos_plan plan;
    struct atmos_err err = {{0}};
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_ALL, NULL, NULL, &err),
                     ATMOS_OK);
    assert_int_equal(plan.nproviders, NPROVIDERS);

    const size_t gcp = (NPROVIDERS - 2 + 2) / 4; /* i % 4 == 1 for i < 39998 */
    const size_t aws = NPROVIDERS - 2 - gcp;
    /* aws/saml: 4 items (its directory, the legacy ~/.aws/atmos one, provisioned, its legacy
     * saml2aws state), and once for all of them saml2aws's own state; gcp/adc: 2; sso0: 2
     * directories, session, legacy token, AWS CLI token, provisioned; sso1 finds the session
     * and AWS CLI token planned by sso0 and adds only its own 4. */
    assert_int_equal(count(&plan, ATMOS_ITEM_DIRECTORY), 2 * aws + gcp + 4);
    assert_int_equal(count(&plan, ATMOS_ITEM_KEYRING), gcp);
    assert_int_equal(count(&plan, ATMOS_ITEM_CHECKED_FILE), 1 + aws + 1);
    assert_int_equal(count(&plan, ATMOS_ITEM_FILE), aws + 2 + 1 + 2);
    assert_int_equal(plan.nitems, 4 * aws + 2 * gcp + 11);

    /* The order is the providers' order: p00000's directory first, the keychain entries last. */
    char *p0 = tu_path(tu_home, ".config/atmos/aws/p00000");
    assert_string_equal(plan.items[0].path, p0);
    assert_string_equal(plan.items[0].provider, "p00000");
    free(p0);
    const struct atmos_item *last = &plan.items[plan.nitems - 1];
    assert_int_equal(last->kind, ATMOS_ITEM_KEYRING);
    assert_string_equal(last->u.keyring.key, "atmos_p39997");
    /* p00000: 2 directories, its legacy and the shared saml2aws state, provisioned. */
    assert_int_equal(plan.items[5].kind, ATMOS_ITEM_DIRECTORY);
    assert_string_equal(plan.items[5].provider, "p00001");
    assert_string_equal(plan.items[5].cloud, "gcp");
    for (size_t i = 0; i < plan.nitems; i++)
        if (plan.items[i].kind == ATMOS_ITEM_CHECKED_FILE && plan.items[i].browser == NULL)
            assert_string_equal(plan.items[i].provider, "sso0");

    /* No two items the same. */
    const struct atmos_item **v = calloc(plan.nitems, sizeof(*v));
    assert_non_null(v);
    for (size_t i = 0; i < plan.nitems; i++)
        v[i] = &plan.items[i];
    qsort(v, plan.nitems, sizeof(*v), by_key);
    for (size_t i = 1; i < plan.nitems; i++)
        assert_int_not_equal(by_key(&v[i - 1], &v[i]), 0);
    free(v);
    atmos_plan_free(&plan);
    atmos_config_free(cfg);
}

int main(void)
{
    /* Only a bound on a hang (valgrind included), never a measure of speed. */
    alarm(900);
    const struct CMUnitTest tests[] = {
        cmocka_unit_test_setup_teardown(forty_thousand_providers, tu_home_setup, tu_home_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * atmos-logout --status's engine (lib/plan/status.c): times as the writers spell
 * them, the clouds' expiry tables, and a probe of a real plan in a temporary
 * HOME: which state each item gets, one entry per identity of a provider
 * directory, a section's own comment only, and nothing changed on disk.
 */
#include "testutil.h"

#include <time.h>

#include <atmos/config.h>
#include <atmos/plan.h>
#include <atmos/status.h>

#include "clouds/cloud.h"

static void expect_time(const char *s, long long want)
{
    long long v = -1;
    if (atmos_time_parse(s, &v) != 0)
        fail_msg("not parsed: %s", s);
    if (v != want)
        fail_msg("%s: %lld, want %lld", s, v, want);
}

static void times_as_written(void **state)
{
    (void)state;
    expect_time("2030-01-01T00:00:00Z", 1893456000);             /* botocore, atmos's INI */
    expect_time("2030-01-01T00:00:00.123456789Z", 1893456000);   /* Go's time.Time */
    expect_time("2030-01-01T01:30:00+01:30", 1893456000);        /* an offset */
    expect_time("2029-12-31T19:00:00-05:00", 1893456000);
    expect_time("2030-01-01T00:00:00+0000", 1893456000);
    expect_time("2030-01-01 00:00:00 UTC", 1893456000);          /* AWS CLI v1 */
    expect_time("2030-01-01T00:00:00UTC", 1893456000);
    expect_time("1970-01-01T00:00:00Z", 0);
    expect_time("2024-02-29T12:00:00Z", 1709208000);             /* a leap day */
    long long v;
    static const char *const bad[] = {"",
                                      "2030-01-01",
                                      "2030-13-01T00:00:00Z",
                                      "2030-01-01T24:00:00Z",
                                      "2030-01-01T00:00:00Zjunk",
                                      "2030-01-01T00:00:00.Z",
                                      "1893456000",
                                      "2030-01-01T00:00:00+1",
                                      "x030-01-01T00:00:00Z"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        if (atmos_time_parse(bad[i], &v) == 0)
            fail_msg("parsed: '%s'", bad[i]);
    assert_int_not_equal(atmos_time_parse(NULL, &v), 0);
}

/* Every cloud's table: labels once each, and a JSON rule always says where its time is. */
static void tables_are_whole(void **state)
{
    (void)state;
    size_t n = 0;
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++) {
        for (const struct atmos_expiry *e = (*cl)->expiries; e && e->label; e++, n++) {
            for (const struct atmos_expiry *f = e + 1; f->label; f++)
                if (strcmp(e->label, f->label) == 0)
                    fail_msg("%s: '%s' twice", (*cl)->name, e->label);
            if (e->format == ATMOS_EXPIRY_JSON && (e->keys == NULL || e->keys[0] == NULL))
                fail_msg("%s: '%s' has no keys", (*cl)->name, e->label);
            if ((e->format == ATMOS_EXPIRY_JSON || e->format == ATMOS_EXPIRY_INI) && !e->field)
                fail_msg("%s: '%s' names no field", (*cl)->name, e->label);
        }
    }
    assert_true(n >= 20);
}

static const char yaml[] = "auth:\n"
                           "  realm: r1\n"
                           "  providers:\n"
                           "    sso: {kind: aws/iam-identity-center, region: us-east-1,"
                           " start_url: https://x.awsapps.com/start}\n"
                           "    g: {kind: gcp/adc}\n"
                           "  identities:\n"
                           "    dev: {kind: aws/permission-set, via: {provider: sso}}\n"
                           "    ops: {kind: aws/permission-set, via: {provider: sso}}\n"
                           "    sa: {kind: gcp/service-account, via: {provider: g}}\n";

static char *at(const char *rel)
{
    char *p = NULL;
    assert_true(asprintf(&p, "%s/%s", tu_home, rel) > 0);
    return p;
}

static void put(const char *rel, const char *data)
{
    char *p = at(rel);
    tu_write(p, data);
    free(p);
}

/* The entry for `who` (an entry's identity, else its item's) of the item labelled `label`. */
static const struct atmos_status_entry *find(const struct atmos_status_view *st, const char *who,
                                             const char *label)
{
    const struct atmos_status_entry *found = NULL;
    for (size_t i = 0; i < st->n; i++) {
        const struct atmos_status_entry *e = &st->v[i];
        const char *name = e->name      ? e->name
                           : e->item->identity ? e->item->identity
                                               : e->item->provider;
        if (name && strcmp(name, who) == 0 && strcmp(e->item->label, label) == 0) {
            if (found)
                fail_msg("%s / %s twice", who, label);
            found = e;
        }
    }
    if (found == NULL)
        fail_msg("no entry for %s / %s", who, label);
    return found;
}

static void probe_a_home(void **state)
{
    (void)state;
    const long long now = 1893456000; /* 2030-01-01T00:00:00Z: the fixture's clock */
    /* dev live, ops expired; [ops] carries a live comment of the section *below* it only. */
    put(".config/atmos/r1/aws/sso/credentials",
        "; atmos: expiration=2030-01-01T02:00:00Z\n[dev]\naws_secret_access_key = S\n\n"
        "; atmos: expiration=2029-12-31T21:00:00Z\n[ops]\naws_secret_access_key = S\n"
        "; atmos: expiration=2099-01-01T00:00:00Z\n");
    put(".config/atmos/r1/aws/sso/config", "[profile dev]\nregion = us-east-1\n");
    put(".config/atmos/r1/gcp/g/adc/sa/application_default_credentials.json",
        "{\"access_token\":\"S\",\"token_expiry\":\"2029-12-31T23:00:00.5+00:00\"}");
    put(".cache/atmos/auth/sso/provisioned-identities.yaml", "auth: {}\n");
    struct atmos_env env = {0};
    struct atmos_err err = {{0}};
    struct atmos_plan plan;
    env.home = tu_home;
    struct atmos_config *cfg = tu_load(tu_home, yaml, &env);
    /* After the configuration is written: from here on, nothing may change. */
    char *before = NULL;
    {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "cd '%s' && find . -printf '%%p %%s %%T@\\n' | sort", tu_home);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        size_t cap = 0;
        assert_true(getdelim(&before, &cap, '\0', f) > 0);
        pclose(f);
    }
    struct atmos_plan_opts o = {.log = NULL};
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_ALL_REALMS, NULL, &o, &err),
                     ATMOS_OK);
    struct atmos_status_view st;
    assert_int_equal(atmos_status_probe(&st, &plan, now, NULL), 0);

    const struct atmos_status_entry *e = find(&st, "dev", "provider directory");
    assert_int_equal(e->state, ATMOS_STATE_LIVE);
    assert_true(e->has_expiry && e->expires == now + 7200);
    assert_string_equal(e->field, "; atmos: expiration=");
    assert_non_null(strstr(e->path, "/r1/aws/sso/credentials"));
    e = find(&st, "ops", "provider directory");
    assert_int_equal(e->state, ATMOS_STATE_EXPIRED); /* the trailing comment belongs to no one */
    assert_int_equal(e->expires, now - 3 * 3600);
    e = find(&st, "sa", "GCP provider directory");
    assert_int_equal(e->state, ATMOS_STATE_EXPIRED);
    assert_int_equal(e->expires, now - 3600);
    assert_int_equal(find(&st, "sso", "provisioned identities")->state,
                     ATMOS_STATE_NO_CREDENTIAL);
    assert_int_equal(st.count[ATMOS_STATE_LIVE], 1);
    assert_int_equal(st.count[ATMOS_STATE_UNCHECKED], 0);
    assert_int_equal(atmos_status_exit(&st), 1);
    /* A later clock: everything has expired. */
    atmos_status_free(&st);
    for (size_t i = 0; i < plan.nitems; i++)
        plan.items[i].skip = 0;
    assert_int_equal(atmos_status_probe(&st, &plan, now + 86400, NULL), 0);
    assert_int_equal(st.count[ATMOS_STATE_LIVE] + st.count[ATMOS_STATE_NO_EXPIRY], 0);
    assert_int_equal(atmos_status_exit(&st), 0);
    atmos_status_free(&st);
    atmos_plan_free(&plan);
    atmos_config_free(cfg);

    char *after = NULL;
    {
        char cmd[600];
        snprintf(cmd, sizeof(cmd), "cd '%s' && find . -printf '%%p %%s %%T@\\n' | sort", tu_home);
        FILE *f = popen(cmd, "r");
        assert_non_null(f);
        size_t cap = 0;
        assert_true(getdelim(&after, &cap, '\0', f) > 0);
        pclose(f);
    }
    assert_string_equal(before, after); /* nothing created, removed or written */
    free(before);
    free(after);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(times_as_written),
        cmocka_unit_test(tables_are_whole),
        cmocka_unit_test_setup_teardown(probe_a_home, tu_home_setup, tu_home_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The entries of a loaded configuration: sorted by name exactly as strcmp
 * orders them, every chain judged as atmos_chain_resolve judges it (the
 * check that skips resolving the chains that hold), and the strings the
 * configuration shares between entries never changed by one of them.
 */
#include "testutil.h"

#include <atmos/config.h>

#include "config/internal.h"
#include "plan/resolve.h"
#include "base/strings.h"

#define NNAMES 400

static struct atmos_config *merged(const char *yaml)
{
    struct atmos_config *cfg = calloc(1, sizeof(*cfg));
    struct atmos_env env = {0};
    struct atmos_err err = {{0}};
    assert_non_null(cfg);
    env.home = "/nonexistent";
    if (atmos_config_merge_buffer(cfg, "x.yaml", yaml, strlen(yaml), &err) != ATMOS_OK ||
        atmos_config_finish(cfg, &env, &err) != ATMOS_OK)
        fail_msg("load failed: %s", err.msg);
    return cfg;
}

static void append(struct atmos_buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void append(struct atmos_buf *b, const char *fmt, ...)
{
    char line[1024];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line), fmt, ap);
    va_end(ap);
    assert_true(n >= 0 && (size_t)n < sizeof(line));
    assert_int_equal(atmos_buf_append(b, line, strlen(line)), 0);
}

/* Names that share their first 8 bytes, are shorter than 8, have bytes above 0x7f, capitals. */
static void make_name(char *out, size_t len, unsigned i)
{
    switch (i % 6) {
    case 0:
        snprintf(out, len, "p0-id%u", i);
        break;
    case 1:
        snprintf(out, len, "%.*s", 1 + (int)(i % 7), "abcdefgh");
        snprintf(out + strlen(out), len - strlen(out), "%u", i);
        break;
    case 2:
        snprintf(out, len, "abcdefgh%s%u", i % 4 ? "-" : "", i);
        break;
    case 3:
        snprintf(out, len, "\xc3\xa9t\xc3\xa9-%u", i); /* é: 0xc3 sorts after every ASCII byte */
        break;
    case 4:
        snprintf(out, len, "Team-%u-Admin", i); /* kept lowercase, written as given */
        break;
    default:
        snprintf(out, len, "%u", i * 7919u % 1000u);
        snprintf(out + strlen(out), len - strlen(out), "-%u", i);
    }
}

static void names_sorted_as_strcmp(void **state)
{
    (void)state;
    struct atmos_buf y = {0};
    unsigned order[NNAMES];
    for (unsigned i = 0; i < NNAMES; i++)
        order[i] = i;
    /* Written in a shuffled order (a fixed one: the test must say the same every time). */
    for (unsigned i = NNAMES - 1, r = 12345; i > 0; i--) {
        r = r * 1103515245u + 12345u;
        unsigned j = (r >> 8) % (i + 1), t = order[i];
        order[i] = order[j];
        order[j] = t;
    }
    append(&y, "auth:\n  providers:\n    p: {kind: aws/iam-identity-center, start_url: u}\n");
    append(&y, "  identities:\n");
    for (unsigned i = 0; i < NNAMES; i++) {
        char name[64];
        make_name(name, sizeof(name), order[i]);
        append(&y, "    \"%s\": {kind: aws/permission-set, via: {provider: p}}\n", name);
    }
    assert_int_equal(atmos_buf_append(&y, "", 1), 0);
    struct atmos_config *cfg = merged(y.data);
    assert_int_equal(cfg->nidentities, NNAMES);
    for (size_t i = 1; i < cfg->nidentities; i++)
        if (strcmp(cfg->identities[i - 1].name, cfg->identities[i].name) >= 0)
            fail_msg("not sorted: \"%s\" before \"%s\"", cfg->identities[i - 1].name,
                     cfg->identities[i].name);
    for (unsigned i = 0; i < NNAMES; i++) {
        char name[64], low[64];
        make_name(name, sizeof(name), i);
        for (size_t k = 0; k <= strlen(name); k++)
            low[k] = name[k] >= 'A' && name[k] <= 'Z' ? (char)(name[k] - 'A' + 'a') : name[k];
        const struct atmos_identity *id = atmos_config_identity(cfg, low);
        if (id == NULL)
            fail_msg("identity \"%s\" not found", low);
        if (strcmp(name, low) != 0)
            assert_string_equal(id->written, name);
        else
            assert_null(id->written);
        assert_null(id->problem);
    }
    atmos_config_free(cfg);
    atmos_buf_free(&y);
}

/* Problems as atmos_chain_resolve words them; the order of the checks (sorted by name) counts:
 * x1 is found in the cycle first, and x2 then runs into x1, skipped. */
static const struct {
    const char *name, *problem; /* NULL: it resolves */
} expected[] = {
    {"amb", NULL},
    {"g", "identity \"g\": via.provider \"q\" is skipped"},
    {"k0", "identity \"k0\": kind is required"},
    {"k1", "identity \"k1\": via.identity \"k0\" is skipped"},
    {"m", "identity \"m\": via.identity \"nope\" is not a configured identity"},
    {"u", NULL},
    {"w", NULL},
    {"x1", "identity \"x1\": via cycle x1 → x2 → x1"},
    {"x2", "identity \"x2\": via.identity \"x1\" is skipped"},
    {"y", "identity \"y\": via.identity \"x2\" is skipped"},
};

static void chains_judged_as_resolved(void **state)
{
    (void)state;
    struct atmos_buf y = {0};
    append(&y, "auth:\n  providers:\n    p: {kind: aws/iam-identity-center, start_url: u}\n"
               "    q: {start_url: u}\n  identities:\n"
               "    amb: {kind: ambient}\n"
               "    g: {kind: aws/permission-set, via: {provider: q}}\n"
               "    k0: {via: {provider: p}}\n"
               "    k1: {kind: aws/assume-role, via: {identity: k0}}\n"
               "    m: {kind: aws/assume-role, via: {identity: nope}}\n"
               "    u: {kind: aws/user}\n"
               "    w: {kind: aws/assume-role, via: {identity: u}}\n"
               "    x1: {kind: aws/assume-role, via: {identity: x2}}\n"
               "    x2: {kind: aws/assume-role, via: {identity: x1}}\n"
               "    y: {kind: aws/assume-role, via: {identity: x2}}\n");
    /* Two long chains: c000 needs all of the ones after it, d299 all of the ones before. */
    for (unsigned i = 0; i < 300; i++) {
        if (i < 299)
            append(&y, "    c%03u: {kind: aws/assume-role, via: {identity: c%03u}}\n", i, i + 1);
        if (i > 0)
            append(&y, "    d%03u: {kind: aws/assume-role, via: {identity: d%03u}}\n", i, i - 1);
    }
    append(&y, "    c299: {kind: aws/permission-set, via: {provider: p}}\n"
               "    d000: {kind: aws/permission-set, via: {provider: p}}\n");
    assert_int_equal(atmos_buf_append(&y, "", 1), 0);
    struct atmos_config *cfg = merged(y.data);
    assert_int_equal(cfg->nidentities, 610);
    for (size_t i = 0; i < sizeof(expected) / sizeof(*expected); i++) {
        const struct atmos_identity *id = atmos_config_identity(cfg, expected[i].name);
        assert_non_null(id);
        if (expected[i].problem == NULL && id->problem)
            fail_msg("%s: unexpected problem %s", expected[i].name, id->problem);
        if (expected[i].problem &&
            (id->problem == NULL || !strstr(id->problem, expected[i].problem)))
            fail_msg("%s: expected \"%s\", got \"%s\"", expected[i].name, expected[i].problem,
                     id->problem ? id->problem : "(none)");
    }
    /* Every identity: no problem exactly when its chain resolves, and harmless with a chain
     * problem. */
    for (size_t i = 0; i < cfg->nidentities; i++) {
        struct atmos_chain ch;
        struct atmos_err err = {{0}};
        const struct atmos_identity *id = &cfg->identities[i];
        int rc = atmos_chain_resolve(cfg, id->name, &ch, &err);
        if ((rc == ATMOS_OK) != (id->problem == NULL))
            fail_msg("%s: resolve says %d, problem %s", id->name, rc,
                     id->problem ? id->problem : "(none)");
        if (rc == ATMOS_OK) {
            assert_int_equal(id->harmless, 0);
            if (id->name[0] == 'c' || id->name[0] == 'd') /* the whole chain, provider first */
                assert_int_equal(ch.n, (id->name[0] == 'c' ? 300 - (size_t)atoi(id->name + 1)
                                                           : 1 + (size_t)atoi(id->name + 1)) +
                                           1);
            atmos_chain_free(&ch);
        } else {
            assert_int_equal(id->harmless, 1);
        }
    }
    atmos_config_free(cfg);
    atmos_buf_free(&y);
}

/* Equal strings may be kept once: lowercasing one use (a via, a name) must not change another
 * (a spec value, the written spelling, a second file's value). */
static void shared_strings_stay_as_written(void **state)
{
    (void)state;
    struct atmos_config *cfg = calloc(1, sizeof(*cfg));
    struct atmos_env env = {0};
    struct atmos_err err = {{0}};
    static const char a[] =
        "auth:\n  providers:\n    SSO: {kind: aws/iam-identity-center, start_url: SSO}\n"
        "  identities:\n"
        "    Dev: {kind: aws/permission-set, via: {provider: SSO}, note: Dev, tags: [SSO, Dev]}\n"
        "    ops: {kind: aws/permission-set, via: {provider: SSO}, note: SSO}\n";
    static const char b[] =
        "auth:\n  identities:\n"
        "    OPS: {kind: aws/permission-set, via: {provider: Sso}, note: Dev}\n";
    assert_non_null(cfg);
    env.home = "/nonexistent";
    assert_int_equal(atmos_config_merge_buffer(cfg, "a.yaml", a, strlen(a), &err), ATMOS_OK);
    assert_int_equal(atmos_config_merge_buffer(cfg, "b.yaml", b, strlen(b), &err), ATMOS_OK);
    assert_int_equal(atmos_config_finish(cfg, &env, &err), ATMOS_OK);
    assert_int_equal(cfg->nproviders, 1);
    assert_string_equal(cfg->providers[0].name, "sso");
    assert_string_equal(atmos_spec_value(&cfg->providers[0].spec, "start_url"), "SSO");
    const struct atmos_identity *dev = atmos_config_identity(cfg, "dev");
    const struct atmos_identity *ops = atmos_config_identity(cfg, "ops");
    assert_non_null(dev);
    assert_non_null(ops);
    assert_string_equal(dev->written, "Dev");
    assert_string_equal(dev->via_provider.value, "sso");
    assert_string_equal(atmos_spec_value(&dev->spec, "note"), "Dev");
    assert_string_equal(atmos_spec_value(&dev->spec, "tags.0"), "SSO");
    assert_string_equal(atmos_spec_value(&dev->spec, "tags.1"), "Dev");
    assert_null(dev->problem);
    /* b.yaml's OPS replaced a.yaml's ops whole. */
    assert_string_equal(ops->written, "OPS");
    assert_string_equal(ops->via_provider.value, "sso");
    assert_string_equal(atmos_spec_value(&ops->spec, "note"), "Dev");
    assert_non_null(strstr(ops->mark.file, "b.yaml"));
    assert_null(ops->problem);
    atmos_config_free(cfg);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(names_sorted_as_strcmp),
        cmocka_unit_test(chains_judged_as_resolved),
        cmocka_unit_test(shared_strings_stay_as_written),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

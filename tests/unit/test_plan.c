/*
 * Plans and their execution against real files in a temporary HOME.
 */
#include "testutil.h"

#include <fcntl.h>
#include <sys/file.h>

#include <atmos/config.h>
#include <atmos/plan.h>

static char *home;
static struct atmos_config *cfg;
static struct atmos_env env;

static const char yaml[] = "auth:\n"
                           "  providers:\n"
                           "    sso:\n"
                           "      kind: aws/iam-identity-center\n"
                           "      region: us-east-1\n"
                           "      start_url: https://x.awsapps.com/start\n"
                           "  identities:\n"
                           "    org: {kind: aws/permission-set, via: {provider: sso}}\n"
                           "    dev: {kind: aws/assume-role, via: {identity: org}}\n"
                           "    keys: {kind: aws/user}\n";

static char *hp(const char *rel)
{
    return tu_path(home, rel);
}

static void put(const char *rel, const char *data)
{
    char *p = hp(rel);
    tu_write(p, data);
    free(p);
}

static char *get(const char *rel)
{
    char *p = hp(rel);
    char *d = tu_read(p);
    free(p);
    return d;
}

static int exists(const char *rel)
{
    char *p = hp(rel);
    int e = tu_exists(p);
    free(p);
    return e;
}

static int setup(void **state)
{
    tu_home_setup(state);
    home = tu_home;
    env = (struct atmos_env){0};
    env.home = home;
    cfg = tu_load(home, yaml, &env);
    put(".config/atmos/aws/sso/credentials",
        "; atmos: expiration=2030-01-01T00:00:00Z\n[org]\naws_access_key_id = A\n\n"
        "; atmos: expiration=2030-01-01T00:00:00Z\n[dev]\naws_access_key_id = B\n");
    put(".config/atmos/aws/sso/config",
        "[profile org]\nregion = us-east-1\n\n[profile dev]\nregion = x\n");
    put(".aws/sso/cache/named.json",
        "{\"accessToken\":\"t\",\"startUrl\":\"https://x.awsapps.com/start\"}\n");
    put(".aws/sso/cache/other.json",
        "{\"accessToken\":\"t\",\"startUrl\":\"https://y.awsapps.com/start\"}");
    put(".aws/sso/cache/broken.json", "{\"accessToken\":");
    put(".aws/sso/cache/nottoken.json", "{\"startUrl\":\"https://x.awsapps.com/start\"}");
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

static const struct atmos_item *find(const struct atmos_plan *plan, const char *suffix)
{
    size_t ls = strlen(suffix);
    for (size_t i = 0; i < plan->nitems; i++) {
        size_t lp = strlen(plan->items[i].path);
        if (lp >= ls && strcmp(plan->items[i].path + lp - ls, suffix) == 0)
            return &plan->items[i];
    }
    return NULL;
}

static void identity_plan_and_run(void **state)
{
    (void)state;
    struct atmos_plan plan;
    char *p = hp(".config/atmos/aws/sso/credentials");
    assert_int_equal(chmod(p, 0640), 0);
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    assert_int_equal(plan.nitems, 4); /* and the same two in the legacy ~/.aws/atmos/sso/ */
    assert_string_equal(plan.chain.names[0], "sso");
    assert_string_equal(plan.chain.names[2], "dev");
    execute(&plan, 1);
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_WOULD_REMOVE);
    char *c = get(".config/atmos/aws/sso/credentials");
    assert_non_null(strstr(c, "[dev]")); /* dry run changed nothing */
    free(c);
    execute(&plan, 0);
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_REMOVED);
    assert_int_equal(plan.items[1].outcome, ATMOS_OUTCOME_REMOVED);
    c = get(".config/atmos/aws/sso/credentials");
    assert_string_equal(
        c, "; atmos: expiration=2030-01-01T00:00:00Z\n[org]\naws_access_key_id = A\n\n");
    free(c);
    c = get(".config/atmos/aws/sso/config");
    assert_string_equal(c, "[profile org]\nregion = us-east-1\n\n");
    free(c);
    struct stat st;
    assert_int_equal(stat(p, &st), 0);
    assert_int_equal(st.st_mode & 07777, 0640);       /* mode kept */
    assert_true(exists(".aws/sso/cache/named.json")); /* tokens stay on identity logout */
    /* Again: already logged out. */
    execute(&plan, 0);
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_ABSENT);
    assert_int_equal(atmos_plan_exit_status(&plan), 0);
    atmos_plan_free(&plan);
    free(p);
}

static void last_identity_deletes_files_and_directory(void **state)
{
    (void)state;
    struct atmos_plan plan;
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    execute(&plan, 0);
    atmos_plan_free(&plan);
    build(&plan, ATMOS_SCOPE_IDENTITY, "org");
    execute(&plan, 0);
    assert_true(plan.items[0].u.section.file_removed);
    assert_true(plan.items[1].u.section.file_removed);
    assert_false(exists(".config/atmos/aws/sso")); /* lock files and directory gone */
    assert_true(exists(".config/atmos/aws"));
    atmos_plan_free(&plan);
}

static void directory_kept_when_it_holds_other_files(void **state)
{
    (void)state;
    struct atmos_plan plan;
    put(".config/atmos/aws/sso/notes.txt", "mine");
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    execute(&plan, 0);
    atmos_plan_free(&plan);
    build(&plan, ATMOS_SCOPE_IDENTITY, "org");
    execute(&plan, 0);
    assert_false(exists(".config/atmos/aws/sso/credentials"));
    assert_true(exists(".config/atmos/aws/sso/notes.txt"));
    atmos_plan_free(&plan);
}

static void provider_plan_matches_only_its_tokens(void **state)
{
    (void)state;
    struct atmos_plan plan;
    build(&plan, ATMOS_SCOPE_PROVIDER, "sso");
    assert_int_equal(plan.nidentities, 2);
    assert_non_null(find(&plan, "/.config/atmos/aws/sso"));
    assert_non_null(find(&plan, "/.aws/sso/cache/named.json"));
    assert_null(find(&plan, "/.aws/sso/cache/other.json"));
    assert_null(find(&plan, "/.aws/sso/cache/broken.json"));
    assert_null(find(&plan, "/.aws/sso/cache/nottoken.json"));
    assert_non_null(find(&plan, "/provisioned-identities.yaml"));
    execute(&plan, 0);
    assert_false(exists(".config/atmos/aws/sso"));
    assert_false(exists(".aws/sso/cache/named.json"));
    assert_true(exists(".aws/sso/cache/other.json"));
    assert_true(exists(".aws/sso/cache/broken.json"));
    assert_true(exists(".aws/sso/cache/nottoken.json"));
    atmos_plan_free(&plan);
}

static void token_rechecked_before_unlink(void **state)
{
    (void)state;
    struct atmos_plan plan;
    build(&plan, ATMOS_SCOPE_PROVIDER, "sso");
    /* Between plan and execution the file becomes another start URL's token. */
    put(".aws/sso/cache/named.json", "{\"accessToken\":\"t\",\"startUrl\":\"https://z\"}");
    execute(&plan, 0);
    assert_int_equal(find(&plan, "/named.json")->outcome, ATMOS_OUTCOME_ABSENT);
    assert_true(exists(".aws/sso/cache/named.json"));
    atmos_plan_free(&plan);
}

static void all_includes_aws_user(void **state)
{
    (void)state;
    struct atmos_plan plan;
    put(".config/atmos/aws/aws-user/credentials", "[keys]\naws_access_key_id = K\n");
    build(&plan, ATMOS_SCOPE_ALL, NULL);
    assert_int_equal(plan.nidentities, 3);
    assert_int_equal(plan.nproviders, 2);
    execute(&plan, 0);
    assert_false(exists(".config/atmos/aws/aws-user"));
    assert_false(exists(".config/atmos/aws/sso"));
    atmos_plan_free(&plan);
}

static void symlinked_provider_dir_is_refused(void **state)
{
    (void)state;
    struct atmos_plan plan;
    put("victim/credentials", "[dev]\nk = v\n");
    char *sso = hp(".config/atmos/aws/sso"), *victim = hp("victim");
    tu_rmrf(sso);
    assert_int_equal(symlink(victim, sso), 0);
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    execute(&plan, 0);
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_FAILED);
    assert_non_null(strstr(plan.items[0].error, "symlink"));
    assert_int_equal(atmos_plan_exit_status(&plan), 1);
    char *c = get("victim/credentials");
    assert_string_equal(c, "[dev]\nk = v\n");
    free(c);
    atmos_plan_free(&plan);
    build(&plan, ATMOS_SCOPE_PROVIDER, "sso");
    execute(&plan, 0);
    assert_int_equal(find(&plan, "/.config/atmos/aws/sso")->outcome, ATMOS_OUTCOME_FAILED);
    assert_true(exists("victim/credentials"));
    atmos_plan_free(&plan);
    free(sso);
    free(victim);
}

static void fifo_and_directory_as_credentials_are_refused(void **state)
{
    (void)state;
    struct atmos_plan plan;
    char *p = hp(".config/atmos/aws/sso/credentials");
    unlink(p);
    assert_int_equal(mkfifo(p, 0600), 0);
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    execute(&plan, 0); /* must not block on the FIFO */
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_FAILED);
    assert_non_null(strstr(plan.items[0].error, "FIFO"));
    assert_int_equal(plan.items[1].outcome, ATMOS_OUTCOME_REMOVED); /* best effort */
    assert_int_equal(atmos_plan_exit_status(&plan), 0);
    unlink(p);
    assert_int_equal(mkdir(p, 0700), 0);
    execute(&plan, 0);
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_FAILED);
    assert_non_null(strstr(plan.items[0].error, "directory"));
    atmos_plan_free(&plan);
    free(p);
}

static void lock_held_times_out(void **state)
{
    (void)state;
    struct atmos_plan plan;
    char *lock = hp(".config/atmos/aws/sso/credentials.lock");
    int fd = open(lock, O_RDWR | O_CREAT, 0600);
    assert_true(fd >= 0);
    assert_int_equal(flock(fd, LOCK_EX), 0);
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    execute(&plan, 0); /* 300 ms timeout in these tests */
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_FAILED);
    assert_non_null(strstr(plan.items[0].error, "timed out"));
    char *c = get(".config/atmos/aws/sso/credentials");
    assert_non_null(strstr(c, "[dev]"));
    free(c);
    close(fd);
    execute(&plan, 0);
    assert_int_equal(plan.items[0].outcome, ATMOS_OUTCOME_REMOVED);
    atmos_plan_free(&plan);
    free(lock);
}

static void stale_temporaries_are_cleaned(void **state)
{
    (void)state;
    struct atmos_plan plan;
    put(".config/atmos/aws/sso/.credentials.atmos-tmp.0011223344556677", "[dev]\npartial");
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    execute(&plan, 0);
    assert_false(exists(".config/atmos/aws/sso/.credentials.atmos-tmp.0011223344556677"));
    atmos_plan_free(&plan);
}

static void not_found_and_missing_home(void **state)
{
    (void)state;
    struct atmos_plan plan;
    struct atmos_err err;
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_IDENTITY, "ghost", NULL, &err),
                     ATMOS_ENOTFOUND);
    assert_string_equal(err.msg, "identity \"ghost\" not found in configuration");
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_PROVIDER, "ghost", NULL, &err),
                     ATMOS_ENOTFOUND);
    struct atmos_env bad = env;
    bad.home = "relative";
    assert_int_equal(atmos_plan_build(&plan, cfg, &bad, ATMOS_SCOPE_ALL, NULL, NULL, &err),
                     ATMOS_EINVAL);
}

/* Several identities in one plan: each one's sections go, a name not configured is an item
 * that fails the run, the sibling and the provider's files stay. */
static void several_identities(void **state)
{
    (void)state;
    struct atmos_plan plan;
    struct atmos_err err = {{0}};
    char *names[] = {"DEV", "ghost", "keys", "dev"};
    struct atmos_plan_opts o = {.names = names, .nnames = 4};
    put(".config/atmos/aws/aws-user/credentials", "[keys]\naws_access_key_id = K\n");
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_IDENTITY, NULL, &o, &err),
                     ATMOS_OK);
    assert_int_equal(plan.nidentities, 2);
    assert_string_equal(plan.identities[0], "dev");
    assert_string_equal(plan.identities[1], "keys");
    assert_int_equal(plan.chain.n, 0);
    size_t ghosts = 0;
    for (size_t i = 0; i < plan.nitems; i++)
        ghosts += plan.items[i].kind == ATMOS_ITEM_UNKNOWN;
    assert_int_equal(ghosts, 1);
    execute(&plan, 0);
    char *c = get(".config/atmos/aws/sso/credentials");
    assert_null(strstr(c, "[dev]"));
    assert_non_null(strstr(c, "[org]"));
    free(c);
    assert_false(exists(".config/atmos/aws/aws-user/credentials"));
    assert_true(exists(".aws/sso/cache/named.json")); /* an identity logout keeps tokens */
    for (size_t i = 0; i < plan.nitems; i++)
        if (plan.items[i].kind == ATMOS_ITEM_UNKNOWN) {
            assert_int_equal(plan.items[i].outcome, ATMOS_OUTCOME_FAILED);
            assert_string_equal(plan.items[i].error,
                                "identity \"ghost\" not found in configuration");
            assert_string_equal(atmos_item_kind_name(&plan.items[i]), "not_found");
        }
    assert_int_equal(atmos_plan_exit_status(&plan), 1); /* the others went; one did not */
    atmos_plan_free(&plan);
    /* Every name configured: a plain success. */
    put(".config/atmos/aws/aws-user/credentials", "[keys]\naws_access_key_id = K\n");
    char *two[] = {"org", "keys"};
    o.names = two;
    o.nnames = 2;
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_IDENTITY, NULL, &o, &err),
                     ATMOS_OK);
    execute(&plan, 0);
    assert_int_equal(atmos_plan_exit_status(&plan), 0);
    atmos_plan_free(&plan);
}

static void audit_line(void **state)
{
    (void)state;
    struct atmos_plan plan;
    char line[512];
    build(&plan, ATMOS_SCOPE_IDENTITY, "dev");
    execute(&plan, 0);
    struct atmos_counts c;
    atmos_plan_count(&plan, &c);
    atmos_audit_format(line, sizeof(line), plan.scope, plan.target, &c, "alice", 1000, NULL);
    assert_string_equal(line, "event=logout.success user=alice uid=1000 scope=identity "
                              "target=\"dev\" removed=2 failed=0 revoked=0");
    atmos_plan_free(&plan);
    build(&plan, ATMOS_SCOPE_ALL, NULL);
    atmos_plan_count(&plan, &c);
    atmos_audit_format(line, sizeof(line), plan.scope, plan.target, &c, "alice", 1000, "tty=pts/1");
    assert_string_equal(line, "event=logout.success user=alice uid=1000 scope=all "
                              "removed=0 failed=0 revoked=0 tty=pts/1");
    atmos_plan_free(&plan);
    /* A name cannot forge a line or a field: line breaks, ESC, C1 and bad bytes as \xNN. */
    static const char target[] = "x\n<86>sshd: event=logout.all_devices user=bob\" a=\\\x1b"
                                 "\xc2\x9b\xff";
    static const char user[] = "al\x1b"
                               "ce";
    struct atmos_counts z = {0};
    atmos_audit_format(line, sizeof(line), ATMOS_SCOPE_IDENTITY, target, &z, user, 7, NULL);
    assert_string_equal(line, "event=logout.success user=al\\x1bce uid=7 scope=identity "
                              "target=\"x\\x0a<86>sshd: event=logout.all_devices user=bob\\\" "
                              "a=\\\\\\x1b\\xc2\\x9b\\xff\" removed=0 failed=0 revoked=0");
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(identity_plan_and_run),
        T(last_identity_deletes_files_and_directory),
        T(directory_kept_when_it_holds_other_files),
        T(provider_plan_matches_only_its_tokens),
        T(token_rechecked_before_unlink),
        T(all_includes_aws_user),
        T(symlinked_provider_dir_is_refused),
        T(fifo_and_directory_as_credentials_are_refused),
        T(lock_held_times_out),
        T(stale_temporaries_are_cleaned),
        T(not_found_and_missing_home),
        T(several_identities),
        T(audit_line),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

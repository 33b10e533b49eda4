/*
 * Directories removed only as far as their rule declares: the walker
 * (fs/declared.c) on rules of the test's own, then each cloud's
 * declarations through plans built and run against real files.
 */
#include "testutil.h"

#include <fcntl.h>

#include <atmos/config.h>
#include <atmos/plan.h>

#include "fs/safefs.h"

static void put(const char *rel, const char *data)
{
    char *p = tu_path(tu_home, rel);
    tu_write(p, data);
    free(p);
}

static int there(const char *rel)
{
    char *p = tu_path(tu_home, rel);
    int e = tu_exists(p);
    free(p);
    return e;
}

static const struct atmos_dir_entry inner_entries[] = {
    {.name = "token", .type = ATMOS_DIR_FILE},
    {.name = NULL},
};
static const struct atmos_dir_rule inner = {.entries = inner_entries};
static const struct atmos_dir_entry per_id_entries[] = {
    {.name = "*", .type = ATMOS_DIR_NESTED, .sub = &inner},
    {.name = NULL},
};
static const struct atmos_dir_rule per_id = {.entries = per_id_entries};
static const struct atmos_dir_entry test_entries[] = {
    {.name = "creds", .type = ATMOS_DIR_FILE},
    {.name = ".creds#", .type = ATMOS_DIR_FILE},
    {.name = "*.lock", .type = ATMOS_DIR_FILE},
    {.name = "logs", .type = ATMOS_DIR_TREE},
    {.name = "ids", .type = ATMOS_DIR_NESTED, .sub = &per_id},
    {.name = NULL},
};
static const struct atmos_dir_rule rule = {.entries = test_entries};

/* Run the walker on ~/d; returns its status, *k what it kept. */
static int clean(int dry, struct atmos_fs_kept *k, char *msg, size_t len)
{
    struct atmos_fs fs = {.home = tu_home, .uid = geteuid()};
    struct atmos_err why = {""};
    char *path = tu_path(tu_home, "d");
    int fd = open(tu_home, O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    assert_true(fd >= 0);
    int rc = atmos_fs_remove_declared(&fs, fd, "d", path, &rule, dry, k, &why);
    snprintf(msg, len, "%s", why.msg);
    close(fd);
    free(path);
    return rc;
}

static void only_declared_entries_go_with_the_directory(void **state)
{
    (void)state;
    struct atmos_fs_kept k;
    char msg[512];
    put("d/creds", "c");
    put("d/.creds123", "tmp");
    put("d/creds.lock", "");
    put("d/logs/2026/x.log", "log");
    put("d/ids/a/token", "t");
    assert_int_equal(clean(1, &k, msg, sizeof(msg)), ATMOS_OK);
    assert_true(there("d/ids/a/token")); /* a dry run changes nothing */
    assert_int_equal(clean(0, &k, msg, sizeof(msg)), ATMOS_OK);
    assert_int_equal(k.kept, 0);
    assert_int_equal(k.removed, 5);
    assert_false(there("d"));
}

static void anything_else_stays_with_the_directory(void **state)
{
    (void)state;
    struct atmos_fs_kept k;
    char msg[512];
    put("d/creds", "c");
    put("d/notes", "mine");
    put("d/.creds", "no digits: not a temporary");
    put("d/.creds12x", "not only digits");
    put("d/.lock", "'*' needs a character");
    put("d/logs/x.log", "log");
    put("d/ids/a/token", "t");
    put("d/ids/a/mine/keep", "nested and unknown");
    put("d/ids/b/token", "t");
    assert_int_equal(clean(1, &k, msg, sizeof(msg)), ATMOS_KEPT);
    assert_int_equal(k.kept, 5);
    assert_true(there("d/creds"));
    assert_int_equal(clean(0, &k, msg, sizeof(msg)), ATMOS_KEPT);
    assert_int_equal(k.kept, 5);
    assert_int_equal(k.removed, 4); /* creds, logs/, ids/a/token, ids/b/token */
    assert_false(there("d/creds"));
    assert_false(there("d/logs"));
    assert_false(there("d/ids/a/token"));
    assert_false(there("d/ids/b")); /* emptied: its own directory goes */
    assert_true(there("d/notes"));
    assert_true(there("d/.creds"));
    assert_true(there("d/.creds12x"));
    assert_true(there("d/.lock"));
    assert_true(there("d/ids/a/mine/keep"));
    /* The first three are named (readdir's order), the count says the rest. */
    const char *comma = strchr(k.names, ',');
    assert_non_null(comma);
    assert_non_null(comma = strchr(comma + 1, ','));
    assert_null(strchr(comma + 1, ','));
}

static void a_type_or_owner_that_does_not_fit_stays(void **state)
{
    (void)state;
    struct atmos_fs_kept k;
    char msg[512];
    char *target = tu_path(tu_home, "target"), *link = tu_path(tu_home, "d/creds");
    put("target", "elsewhere");
    put("d/logs", "a file where the rule wants a directory");
    assert_int_equal(symlink(target, link), 0);
    put("d/ids/a/token", "t");
    char *tok = tu_path(tu_home, "d/ids/a/token");
    int other = geteuid() == 0 && chown(tok, 4242, 4242) == 0;
    assert_int_equal(clean(0, &k, msg, sizeof(msg)), ATMOS_KEPT);
    assert_true(there("d/creds")); /* the link itself */
    char *t = tu_read(target);
    assert_string_equal(t, "elsewhere");
    free(t);
    assert_true(there("d/logs"));
    if (other) /* another user's file under a declared name is not the user's to lose */
        assert_true(there("d/ids/a/token"));
    assert_int_equal(k.kept, other ? 3 : 2);
    free(tok);
    free(target);
    free(link);
}

static void a_symlinked_directory_is_refused(void **state)
{
    (void)state;
    struct atmos_fs_kept k;
    char msg[512];
    char *real = tu_path(tu_home, "real"), *link = tu_path(tu_home, "d");
    put("real/creds", "c");
    assert_int_equal(symlink(real, link), 0);
    assert_int_equal(clean(0, &k, msg, sizeof(msg)), ATMOS_ESYS);
    assert_non_null(strstr(msg, "a symlink"));
    assert_true(there("real/creds"));
    free(real);
    free(link);
}

/* A missing directory remembered during a run: paths below it are absent without a walk, a
 * sibling whose name merely starts with it is still walked. */
static void a_missing_directory_is_remembered_and_only_it(void **state)
{
    (void)state;
    struct atmos_fs_memo gone = {.absent_len = 0};
    const struct atmos_fs fs = {.home = tu_home, .uid = geteuid(), .memo = &gone};
    struct atmos_err why = {{0}};
    char *miss = tu_path(tu_home, "sess/a/b"), *dir = tu_path(tu_home, "sess"),
         *sib = tu_path(tu_home, "sessions/x");
    const char *leaf;
    int fd = -1;
    put("sessions/x", "x");
    assert_int_equal(atmos_fs_open_parent(&fs, miss, &fd, &leaf, &why), ATMOS_ABSENT);
    assert_string_equal(gone.absent, dir);
    /* Now there, but a run never creates a directory: still taken as absent. */
    put("sess/a/b", "b");
    assert_int_equal(atmos_fs_open_parent(&fs, miss, &fd, &leaf, &why), ATMOS_ABSENT);
    assert_int_equal(atmos_fs_open_parent(&fs, sib, &fd, &leaf, &why), ATMOS_OK);
    close(fd);
    const struct atmos_fs plain = {.home = tu_home, .uid = geteuid(), .memo = NULL};
    assert_int_equal(atmos_fs_open_parent(&plain, miss, &fd, &leaf, &why), ATMOS_OK);
    close(fd);
    atmos_fs_memo_release(&gone);
    free(miss);
    free(dir);
    free(sib);
}

/* The directory fd names, as a path (readlink of /proc/self/fd/N). */
static void assert_fd_is(int fd, const char *want)
{
    char link[64], got[4096];
    snprintf(link, sizeof(link), "/proc/self/fd/%d", fd);
    ssize_t n = readlink(link, got, sizeof(got) - 1);
    assert_true(n > 0);
    got[n] = '\0';
    assert_string_equal(got, want);
}

/*
 * The directories above the last one opened are kept for the next walk: a
 * walk below them starts there, one beside them (a name that merely starts
 * with theirs) does not, a link below them is still refused, what the caller
 * gets is its own to close, and the run's end closes the rest.
 */
static void opened_directories_are_remembered_and_only_them(void **state)
{
    (void)state;
    struct atmos_fs_memo memo = {.absent_len = 0};
    const struct atmos_fs fs = {.home = tu_home, .uid = geteuid(), .memo = &memo};
    struct atmos_err why = {{0}};
    const char *leaf;
    int fd = -1, before = tu_open_fds();
    put("m/aws/p1/credentials", "1");
    put("m/aws/p2/credentials", "2");
    put("m/awsx/p1/credentials", "x");
    put("real/credentials", "r");
    char *p1 = tu_path(tu_home, "m/aws/p1/credentials"), *p2 = tu_path(tu_home, "m/aws/p2/config"),
         *px = tu_path(tu_home, "m/awsx/p1/credentials"), *aws = tu_path(tu_home, "m/aws"),
         *lnk = tu_path(tu_home, "m/aws/link/credentials"), *dp2 = tu_path(tu_home, "m/aws/p2"),
         *dpx = tu_path(tu_home, "m/awsx/p1"), *real = tu_path(tu_home, "real");
    char *at = tu_path(tu_home, "m/aws/link");
    assert_int_equal(symlink(real, at), 0);
    free(at);
    assert_int_equal(atmos_fs_open_parent(&fs, p1, &fd, &leaf, &why), ATMOS_OK);
    close(fd);
    assert_true(memo.dirs.n >= 3); /* the home, m, m/aws */
    assert_int_equal(atmos_fs_open_parent(&fs, p2, &fd, &leaf, &why), ATMOS_OK);
    assert_fd_is(fd, dp2);
    close(fd);
    assert_int_equal(atmos_fs_open_parent(&fs, px, &fd, &leaf, &why), ATMOS_OK);
    assert_fd_is(fd, dpx);
    close(fd);
    assert_int_equal(atmos_fs_open_dir(&fs, aws, &fd, &why), ATMOS_OK);
    assert_fd_is(fd, aws);
    close(fd);
    assert_int_equal(atmos_fs_open_parent(&fs, lnk, &fd, &leaf, &why), ATMOS_ESYS);
    assert_non_null(strstr(why.msg, "refusing to follow it"));
    atmos_fs_memo_release(&memo);
    assert_int_equal(memo.dirs.n, 0);
    assert_int_equal(tu_open_fds(), before);
    free(p1);
    free(p2);
    free(px);
    free(aws);
    free(lnk);
    free(dp2);
    free(dpx);
    free(real);
}

/* --- the clouds' declarations, through a plan ----------------------------------- */

static const char yaml[] = "auth:\n"
                           "  providers:\n"
                           "    a: {kind: aws/saml}\n"
                           "    z: {kind: azure/device-code, spec: {tenant_id: T1}}\n"
                           "    g: {kind: gcp/adc}\n"
                           "    Documents: {kind: aws/saml, spec: {files: {base_path: \"~\"}}}\n"
                           "  identities:\n"
                           "    sa: {kind: gcp/service-account, via: {provider: g}}\n";

static const struct atmos_item *item(const struct atmos_plan *plan, const char *rel)
{
    char *p = tu_path(tu_home, rel);
    const struct atmos_item *found = NULL;
    for (size_t i = 0; i < plan->nitems; i++)
        if (plan->items[i].path && strcmp(plan->items[i].path, p) == 0)
            found = &plan->items[i];
    free(p);
    assert_non_null(found);
    return found;
}

static void every_cloud_declares_its_directories(void **state)
{
    (void)state;
    struct atmos_env env = {0};
    env.home = tu_home;
    struct atmos_config *cfg = tu_load(tu_home, yaml, &env);
    put(".config/atmos/aws/a/credentials", "[x]\n");
    put(".config/atmos/aws/a/config.lock", "");
    put(".config/atmos/aws/a/.config.atmos-tmp.0011223344556677", "");
    put(".azure/atmos/z/credentials.json", "{}");
    put(".azure/atmos/z/credentials.json.lock", "");
    put(".azure/atmos/z/.credentials.json5577006791947779410", "{}");
    put(".config/atmos/gcp/g/adc/sa/application_default_credentials.json", "{}");
    put(".config/atmos/gcp/g/adc/sa/.access_token8674665223082153551", "");
    put(".config/atmos/gcp/g/config/sa/properties", "[core]\n");
    put(".config/atmos/gcp/g/config/sa/credentials.db", "");
    put(".config/atmos/gcp/g/config/sa/configurations/config_atmos", "");
    put(".config/atmos/gcp/g/config/sa/logs/2026.01.01/x.log", "");
    put(".config/atmos/gcp/g/config/sa/.last_update_check.json", "{}");
    put(".config/atmos/gcp/g/sa.identity.lock", "");
    put("Documents/report.odt", "mine");
    put("aws/documents/report.odt", "mine"); /* <base_path>/aws/<provider>, a user's after all */
    struct atmos_plan plan;
    struct atmos_err err = {{0}};
    assert_int_equal(atmos_plan_build(&plan, cfg, &env, ATMOS_SCOPE_ALL, NULL, NULL, &err),
                     ATMOS_OK);
    struct atmos_exec_opts o = {.dry_run = 0, .lock_timeout_ms = 300, .log = NULL};
    atmos_plan_execute(&plan, &o);
    assert_int_equal(item(&plan, ".config/atmos/aws/a")->outcome, ATMOS_OUTCOME_REMOVED);
    assert_int_equal(item(&plan, ".azure/atmos/z")->outcome, ATMOS_OUTCOME_REMOVED);
    assert_int_equal(item(&plan, ".config/atmos/gcp/g")->outcome, ATMOS_OUTCOME_REMOVED);
    /* base_path names a root, never the provider directory: ~/Documents is not planned. */
    char *home_docs = tu_path(tu_home, "Documents");
    for (size_t i = 0; i < plan.nitems; i++)
        assert_true(plan.items[i].path == NULL || strcmp(plan.items[i].path, home_docs) != 0);
    free(home_docs);
    const struct atmos_item *docs = item(&plan, "aws/documents");
    assert_int_equal(docs->outcome, ATMOS_OUTCOME_FAILED);
    assert_non_null(strstr(docs->error, "was not removed: it holds 1 entry atmos did not write "
                                        "(report.odt), left as it is; nothing of atmos's"));
    assert_false(there(".config/atmos/aws/a"));
    assert_false(there(".azure/atmos/z"));
    assert_false(there(".config/atmos/gcp/g"));
    assert_true(there("Documents/report.odt"));
    assert_true(there("aws/documents/report.odt"));
    for (size_t i = 0; i < plan.nitems; i++)
        if (plan.items[i].kind == ATMOS_ITEM_DIRECTORY)
            assert_non_null(plan.items[i].u.dir.contents);
    atmos_plan_free(&plan);
    atmos_config_free(cfg);
}

#define T(f) cmocka_unit_test_setup_teardown(f, tu_home_setup, tu_home_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        T(only_declared_entries_go_with_the_directory),
        T(anything_else_stays_with_the_directory),
        T(a_type_or_owner_that_does_not_fit_stays),
        T(a_symlinked_directory_is_refused),
        T(every_cloud_declares_its_directories),
        T(a_missing_directory_is_remembered_and_only_it),
        T(opened_directories_are_remembered_and_only_them),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

/*
 * The kubeconfig editor: which entries go, the exact bytes left, and the
 * files it refuses (left for the caller to keep as they are).
 */
#include "testutil.h"

#include <atmos/plan.h>

#include "fs/safefs.h"
#include "formats/yamledit.h"

/* Cut (cluster, context, user) from `in`: the result must be `want`, with `entries` gone. */
static void cuts_to(const char *in, const char *cl, const char *ctx, const char *user,
                    const char *want, size_t entries, int empty)
{
    struct atmos_kube_doc doc;
    struct atmos_err why;
    struct atmos_buf out = {0};
    struct atmos_kube_names n = {(char *)cl, (char *)ctx, (char *)user};
    size_t got = 99;
    int e = -1;
    int rc = atmos_kube_scan(in, strlen(in), &doc, &why);
    if (rc != ATMOS_OK)
        fail_msg("scan refused: %s", why.msg);
    rc = atmos_kube_cut(in, strlen(in), &doc, &n, &out, &got, &e, &why);
    if (rc != ATMOS_OK)
        fail_msg("cut refused: %s", why.msg);
    assert_int_equal(got, entries);
    assert_int_equal(e, empty);
    if (entries == 0)
        assert_null(out.data);
    else {
        assert_non_null(out.data);
        assert_int_equal(out.len, strlen(want));
        assert_memory_equal(out.data, want, out.len);
    }
    atmos_buf_free(&out);
    atmos_kube_doc_free(&doc);
}

/* The scan or the cut refuses, with a reason. */
static void refused(const char *in, const char *reason)
{
    struct atmos_kube_doc doc;
    struct atmos_err why = {{0}};
    struct atmos_buf out = {0};
    struct atmos_kube_names n = {"c", "x", "u"};
    size_t got;
    int e;
    int rc = atmos_kube_scan(in, strlen(in), &doc, &why);
    if (rc == ATMOS_OK) {
        rc = atmos_kube_cut(in, strlen(in), &doc, &n, &out, &got, &e, &why);
        atmos_kube_doc_free(&doc);
    }
    if (rc != ATMOS_EINVAL)
        fail_msg("not refused (rc %d): %s", rc, in);
    if (strstr(why.msg, reason) == NULL)
        fail_msg("reason \"%s\", not \"%s\"", why.msg, reason);
    assert_null(out.data);
}

#define ATMOS_ENTRIES                                                                              \
    "- cluster:\n    server: https://c\n  name: c\n"                                               \
    "- cluster:\n    server: https://mine\n  name: mine\n"

static const char client_go[] = "apiVersion: v1\nclusters:\n" ATMOS_ENTRIES
                                "contexts:\n- context:\n    cluster: c\n    user: u\n  name: x\n"
                                "- context:\n    cluster: mine\n    user: me\n  name: kind\n"
                                "current-context: x\nkind: Config\npreferences: {}\nusers:\n"
                                "- name: u\n  user:\n    exec:\n      command: atmos\n"
                                "- name: me\n  user: {token: t}\n";

static void removes_client_go_entries(void **state)
{
    (void)state;
    cuts_to(client_go, "c", "x", "u",
            "apiVersion: v1\nclusters:\n"
            "- cluster:\n    server: https://mine\n  name: mine\n"
            "contexts:\n- context:\n    cluster: mine\n    user: me\n  name: kind\n"
            "current-context: \"\"\nkind: Config\npreferences: {}\nusers:\n"
            "- name: me\n  user: {token: t}\n",
            3, 0);
    /* Nothing of it: no change, and nothing written. */
    cuts_to(client_go, "zz", "x", "u", NULL, 0, 0);
}

static void last_entries_empty_the_file(void **state)
{
    (void)state;
    const char *in = "clusters:\n- name: c\n  cluster: {server: s}\ncontexts:\n"
                     "- name: x\n  context: {cluster: c, user: u}\nusers:\n- name: u\n"
                     "current-context: 'x' # atmos\n";
    cuts_to(in, "c", "x", "u", "clusters:\ncontexts:\nusers:\ncurrent-context: \"\" # atmos\n", 3,
            1);
    /* What kubectl shows besides entries keeps the file: preferences, extensions, another
     * current-context.  apiVersion, kind and empty preferences do not. */
    cuts_to("apiVersion: v1\nkind: Config\npreferences: {}\nclusters:\n- name: c\n", "c", "x", "u",
            "apiVersion: v1\nkind: Config\npreferences: {}\nclusters:\n", 1, 1);
    cuts_to("clusters:\n- name: c\npreferences: {colors: true}\n", "c", "x", "u",
            "clusters:\npreferences: {colors: true}\n", 1, 0);
    cuts_to("clusters:\n- name: c\nextensions:\n- name: e\n", "c", "x", "u",
            "clusters:\nextensions:\n- name: e\n", 1, 0);
    cuts_to("clusters:\n- name: c\ncurrent-context: mine\n", "c", "x", "u",
            "clusters:\ncurrent-context: mine\n", 1, 0);
}

static void comments_crlf_and_utf8_kept(void **state)
{
    (void)state;
    const char *in = "# é top\r\nclusters: # list\r\n  # before\r\n  - name: \"ünï\"\r\n"
                     "    cluster: {server: s} # atmos's\r\n  # between\r\n"
                     "  -\r\n    name: c\r\n    cluster:\r\n      server: x\r\n  - name: yy # z\r\n"
                     "contexts: []\r\nusers: [{name: u}]\r\n";
    cuts_to(in, "c", "x", "nobody",
            "# é top\r\nclusters: # list\r\n  # before\r\n  - name: \"ünï\"\r\n"
            "    cluster: {server: s} # atmos's\r\n  # between\r\n  - name: yy # z\r\n"
            "contexts: []\r\nusers: [{name: u}]\r\n",
            1, 0);
    /* The user is in a flow sequence: refused, not guessed at. */
    refused(in, "flow style");
}

static void flow_items_in_a_block_list(void **state)
{
    (void)state;
    cuts_to("clusters:\n- {name: a, cluster: {server: s}}\n- {name: c,\n   cluster: {}}\n"
            "- name: b\n",
            "c", "x", "u", "clusters:\n- {name: a, cluster: {server: s}}\n- name: b\n", 1, 0);
}

static void what_others_still_name_stays(void **state)
{
    (void)state;
    /* The user's own context "x" names another cluster: it stays, and so does user u. */
    const char *in = "clusters:\n- name: c\n- name: d\ncontexts:\n"
                     "- name: x\n  context: {cluster: d, user: u}\n"
                     "- name: yy\n  context: {cluster: c, user: me}\n"
                     "users:\n- name: u\n- name: me\ncurrent-context: x\n";
    cuts_to(in, "c", "x", "u", NULL, 0, 0);
    /* atmos's context goes; the cluster a context of the user's names stays. */
    const char *in2 = "clusters:\n- name: c\ncontexts:\n"
                      "- name: x\n  context: {cluster: c, user: u}\n"
                      "- name: yy\n  context: {cluster: c, user: me}\n"
                      "users:\n- name: u\n- name: me\ncurrent-context: x\n";
    cuts_to(in2, "c", "x", "u",
            "clusters:\n- name: c\ncontexts:\n- name: yy\n  context: {cluster: c, user: me}\n"
            "users:\n- name: me\ncurrent-context: \"\"\n",
            2, 0);
}

static void refuses_what_it_cannot_cut_exactly(void **state)
{
    (void)state;
    refused("clusters: [{name: c}]\n", "flow style");
    refused("{clusters: [{name: c}]}\n", "flow style");
    refused("clusters:\n- &a {name: c}\nusers:\n- *a\n", "alias");
    refused("clusters: !!seq\n- name: c\n", "tag");
    refused("clusters:\n- name: c\n---\nusers: []\n", "more than one document");
    refused("clusters:\n- name: c\nclusters:\n- name: d\n", "appears twice");

    refused("clusters:\n- name: d\n- <<: {name: c}\n", "merge key");
    refused("contexts:\n- name: x\n  context:\n    <<: {cluster: c}\n    user: u\n", "merge key");

    refused("clusters: {name: c}\n", "where a list goes");
    refused("- a\n", "not a mapping");
    refused("clusters:\n- name: c\n  x: [\n", "not YAML");
    refused("\x01\n", "not YAML");
    refused("current-context: |-\n  x\ncontexts:\n- name: x\n  context: {cluster: c, user: u}\n",
            "block scalar");
    refused("clusters:\n- name: d\n  data: |+\n    text\n- name: c\n\n", "|+");
    refused("clusters:\n- name: b\n  data: |\n- name: c\n #\n", "cannot be cut out exactly");
    char deep[300];
    memset(deep, '[', 200);
    strcpy(deep + 200, "\n");
    refused(deep, "");
}

/* What kubectl itself refuses (checked against it in test_editors_diff.sh): never edited. */
static void refuses_what_kubectl_refuses(void **state)
{
    (void)state;
    refused("clusters:\n- name: c\n  cluster: {server: a}\n- name: c\n  cluster: {server: b}\n",
            "two clusters have the same name (lines 2 and 4)");
    refused("users:\n- name: u\n- name: me\n- name: u\n", "two users have the same name");
    refused("contexts:\n- name: x\n  context: {cluster: c, user: u}\n- name: x\n",
            "two contexts have the same name");
    refused("users:\n- name: u\n- user: {}\n- name: ~\n", "two users have the same name");
    refused("users:\n- name: u\n- ~\n- name: \"\"\n", "two users have the same name");
    refused("current-context: yes\nusers:\n- name: u\n", "a bool or a number");
    refused("current-context: [x]\nusers:\n- name: u\n", "where a string goes");
    refused("contexts:\n- name: [x]\n  context: {cluster: c, user: u}\n", "where a string goes");
    refused("contexts:\n- name: x\n  context: {cluster: c, user: 0x1F}\n", "a bool or a number");
    refused("users:\n- name: 1_000\n- name: u\n", "a bool or a number");
    refused("users:\n- name: .5e3\n- name: u\n", "a bool or a number");
    refused("users:\n- name: -.Inf\n- name: u\n", "an infinity or NaN");
    refused("users:\n- name: u\n- just a string\n", "where a mapping goes");
    refused("clusters: 5\n", "where a list goes");
    /* A key yaml.v2 cannot hash, wherever it is, even under a key given again. */
    refused("users:\n- name: u\n  user: {{a: b}: c}\n",
            "kubectl refuses it: a key that is a list");
    refused("users:\n- name: u\n  user: {[a]: c}\n  user: {}\n",
            "a key that is a list or a mapping");
    refused("users:\n- name: u\n  user: {~: c}\n", "kubectl refuses it: a null key");
    /* Any field of client-go's schema, not only names; unknown fields are not read. */
    refused("users:\n- name: u\n  user: {token: 12345}\n", "a bool or a number where a string goes");
    refused("users:\n- name: u\n  user: {exec: {args: [eks, 5]}}\n", "where a string goes");
    refused("users:\n- name: u\n  user: {exec: {provideClusterInfo: maybe}}\n", "where a bool goes");
    refused("clusters:\n- name: c\n  cluster: {certificate-authority-data: \"!!\"}\n", "not base64");
    refused("preferences: {colors: 5}\n", "where a bool goes");
    refused("clusters:\n- name: c\n  cluster: {server: [a]}\n", "where a string goes");
    refused("users:\n- name: u\n  user: {as-user-extra: {k: v}}\n", "where a list goes");
    refused("x-mine: {a: .nan}\n", "an infinity or NaN");
    cuts_to("clusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: yes, foo: 5, "
            "certificate-authority-data: TFM=}\n- name: d\n  cluster: {x: [1]}\n"
            "x-mine: 5\nextensions:\n- name: e\n  extension: {a: 1}\n",
            "c", "x", "u",
            "clusters:\n- name: d\n  cluster: {x: [1]}\nx-mine: 5\nextensions:\n- name: e\n"
            "  extension: {a: 1}\n",
            1, 0);
    refused("apiVersion: v1\nclusters: [unclosed\n", "not YAML");
    /* What kubectl reads as strings: cut as any other name. */
    static const char *const strings[] = {"tRue", "yES", "0o8", "0b2", "1.2.3", "_1", "0x",
                                          "1e", "2001-12-14", "1:20", "nan", "\"yes\"", "'5'"};
    for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++) {
        char in[128];
        snprintf(in, sizeof(in), "users:\n- name: %s\n- name: u\n", strings[i]);
        struct atmos_kube_doc doc;
        struct atmos_err why;
        if (atmos_kube_scan(in, strlen(in), &doc, &why) != ATMOS_OK)
            fail_msg("%s refused: %s", strings[i], why.msg);
        atmos_kube_doc_free(&doc);
    }
    /* Names compared whole: "u\0x" is neither "u" nor a duplicate of it. */
    cuts_to("users:\n- name: \"u\\0x\"\n- name: u\n- name: \"u\\0y\"\n", NULL, "x", "u",
            "users:\n- name: \"u\\0x\"\n- name: \"u\\0y\"\n", 1, 0);
    refused("users:\n- name: \"u\\0x\"\n- name: \"u\\0x\"\n", "two users have the same name");
}

/* A key twice in an entry: the last value, as kubectl reads it. */
static void last_of_a_key_twice(void **state)
{
    (void)state;
    cuts_to("clusters:\n- name: d\n  name: c\n- name: c2\n", "c", "x", "u", "clusters:\n- name: c2\n", 1,
            0);
    cuts_to("clusters:\n- name: c\n  name: d\n", "c", "x", "u", NULL, 0, 0);
    /* A second `context` replaces the first: its cluster and user only. */
    const char *ctx = "contexts:\n- name: x\n  context: {cluster: c, user: u}\n  context: {cluster: c}\n";
    cuts_to(ctx, "c", "x", "u", NULL, 0, 0);
    cuts_to("contexts:\n- name: x\n  context: {cluster: d}\n  context: {cluster: c, user: u}\n"
            "users:\n- name: u\n",
            "c", "x", "u", "contexts:\nusers:\n", 2, 1);
    cuts_to("contexts:\n- name: x\n  context: {cluster: c, cluster: d, user: u}\n", "c", "x", "u",
            NULL, 0, 0);
}

/* !!str makes a string of any scalar, to kubectl too; any other tag stays refused. */
static void str_tags(void **state)
{
    (void)state;
    cuts_to("users:\n- name: !!str 5\n- name: !!str u\n- name: !!str ~\ncurrent-context: !!str yes\n",
            NULL, "x", "u", "users:\n- name: !!str 5\n- name: !!str ~\ncurrent-context: !!str yes\n", 1,
            0);
    refused("users:\n- name: !!str\n- name: \"\"\n", "two users have the same name");
    refused("clusters:\n- name: c\n  cluster: {insecure-skip-tls-verify: !!str true}\n",
            "where a bool goes");
    refused("users:\n- name: !!int 5\n", "tag");
    refused("users:\n- name: !custom u\n", "tag");
}

static void bom_and_odd_breaks(void **state)
{
    (void)state;
    cuts_to("\xEF\xBB\xBFusers:\n- name: \"\xC3\xA9\xC3\xA9\"\n- name: u\n- name: v\n", NULL, "x",
            "u", "\xEF\xBB\xBFusers:\n- name: \"\xC3\xA9\xC3\xA9\"\n- name: v\n", 1, 0);
    refused("clusters:\n- name: c #\r- name: d\n", "line breaks");
    refused("clusters:\n- name: c #\xC2\x85- name: d\n", "line breaks");
}

static void empty_and_null_files(void **state)
{
    (void)state;
    cuts_to("", "c", "x", "u", NULL, 0, 1);
    cuts_to("# nothing\n", "c", "x", "u", NULL, 0, 1);
    cuts_to("clusters: null\nusers:\n", "c", "x", "u", NULL, 0, 1);
}

/* --- the file side (formats/kubeedit.c): the rewrite goes through client-go's lock file ---------- */

static const char kube_yaml[] = "auth:\n"
                                "  providers:\n"
                                "    p: {kind: aws/iam-identity-center, region: us-east-1, "
                                "start_url: https://p.awsapps.com/start}\n"
                                "  identities:\n"
                                "    i: {kind: aws/permission-set, via: {provider: p}}\n"
                                "  integrations:\n"
                                "    eks: {kind: aws/eks, via: {identity: i}, spec: {cluster: "
                                "{name: prod, region: us-east-1}}}\n";

#define ARN "arn:aws:eks:us-east-1:111122223333:cluster/prod"
static const char kubeconfig[] =
    "apiVersion: v1\nclusters:\n- cluster:\n    server: https://p\n"
    "  name: " ARN "\n- cluster:\n    server: https://k\n  name: kind\n"
    "contexts:\n- context:\n    cluster: " ARN "\n"
    "    user: atmos-eks-prod-us-east-1\n  name: " ARN "\n"
    "kind: Config\nusers:\n- name: atmos-eks-prod-us-east-1\n"
    "  user:\n    exec: {command: atmos}\n";

/* The kubeconfig item of identity i's plan. */
static struct atmos_item *kube_item(struct atmos_plan *plan)
{
    struct atmos_env env = {0};
    env.home = tu_home;
    struct atmos_config *cfg = tu_load(tu_home, kube_yaml, &env);
    struct atmos_err err = {{0}};
    assert_int_equal(atmos_plan_build(plan, cfg, &env, ATMOS_SCOPE_IDENTITY, "i", NULL, &err),
                     ATMOS_OK);
    atmos_config_free(cfg);
    for (size_t k = 0; k < plan->nitems; k++)
        if (plan->items[k].kind == ATMOS_ITEM_KUBECONFIG)
            return &plan->items[k];
    fail_msg("no kubeconfig item");
    return NULL;
}

/*
 * Staged, the new contents are in <file>.lock (the lock held, no temporary
 * made); committed, the lock file is the file.  A file replaced meanwhile is
 * kept, and the lock goes with the staged contents.
 */
static void staged_in_the_lock_and_renamed_over(void **state)
{
    (void)state;
    char *k = tu_path(tu_home, ".config/atmos/kube/config");
    char *lock = tu_path(tu_home, ".config/atmos/kube/config.lock");
    char *other = tu_path(tu_home, ".config/atmos/kube/other");
    for (int replaced = 0; replaced < 2; replaced++) {
        struct atmos_plan plan;
        struct atmos_item *it = kube_item(&plan);
        tu_write(k, kubeconfig);
        const struct atmos_fs fs = {.home = tu_home, .uid = geteuid(), .memo = NULL};
        struct atmos_kube_later later;
        struct atmos_err why = {{0}};
        int dfd = -1;
        assert_int_equal(atmos_kube_edit(&fs, it, 0, &dfd, &later, &why), ATMOS_OK);
        assert_true(later.staged);
        char *staged = tu_read(lock);
        assert_non_null(staged);
        assert_null(strstr(staged, ARN));
        assert_non_null(strstr(staged, "name: kind"));
        free(staged);
        if (replaced) {
            tu_write(other, "mine\n");
            assert_int_equal(rename(other, k), 0);
        }
        int rc = atmos_kube_commit(&fs, it, dfd, &later, &why);
        close(dfd);
        char *now = tu_read(k);
        if (replaced) {
            assert_int_equal(rc, ATMOS_ESYS);
            assert_non_null(strstr(why.msg, "changed while being rewritten"));
            assert_string_equal(now, "mine\n");
        } else {
            assert_int_equal(rc, ATMOS_OK);
            assert_null(strstr(now, ARN));
        }
        assert_false(tu_exists(lock));
        free(now);
        atmos_plan_free(&plan);
    }
    free(k);
    free(lock);
    free(other);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(removes_client_go_entries),
        cmocka_unit_test(last_entries_empty_the_file),
        cmocka_unit_test(comments_crlf_and_utf8_kept),
        cmocka_unit_test(flow_items_in_a_block_list),
        cmocka_unit_test(what_others_still_name_stays),
        cmocka_unit_test(refuses_what_it_cannot_cut_exactly),
        cmocka_unit_test(refuses_what_kubectl_refuses),
        cmocka_unit_test(last_of_a_key_twice),
        cmocka_unit_test(str_tags),
        cmocka_unit_test(bom_and_odd_breaks),
        cmocka_unit_test(empty_and_null_files),
        cmocka_unit_test_setup_teardown(staged_in_the_lock_and_renamed_over, tu_home_setup,
                                        tu_home_teardown),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

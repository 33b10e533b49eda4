/*
 * The kubeconfig rewrite (formats/kubenorm.c): a file written out again as kubectl
 * reads it, every scalar what it was, and what kubectl's reader refuses.
 * Whether kubectl agrees is tests/e2e/test_editors_diff.sh's to judge.
 */
#include "testutil.h"

#include "formats/kubenorm.h"
#include "formats/yamledit.h"

static void normalizes_to(const char *in, const char *want)
{
    struct atmos_buf out = {0};
    struct atmos_err why = {{0}};
    int rc = atmos_kube_normalize(in, strlen(in), &out, &why);
    if (rc != ATMOS_OK)
        fail_msg("refused: %s", why.msg);
    const char *got = out.data ? out.data : "";
    if (out.len != strlen(want) || memcmp(got, want, out.len) != 0)
        fail_msg("got:\n%.*s\nwant:\n%s", (int)out.len, got, want);
    atmos_buf_free(&out);
}

static void refused(const char *in, const char *reason)
{
    struct atmos_buf out = {0};
    struct atmos_err why = {{0}};
    int rc = atmos_kube_normalize(in, strlen(in), &out, &why);
    if (rc != ATMOS_EINVAL)
        fail_msg("not refused (rc %d): %s", rc, in);
    if (strstr(why.msg, reason) == NULL)
        fail_msg("reason \"%s\", not \"%s\"", why.msg, reason);
    atmos_buf_free(&out);
}

static void flow_style_written_in_block_style(void **state)
{
    (void)state;
    normalizes_to("# gone\n{apiVersion: v1, clusters: [{name: a, cluster: {server: s}}],  # c\n"
                  " contexts: [], users: [{name: u, user: {}}]}\n",
                  "apiVersion: v1\nclusters:\n- name: a\n  cluster:\n    server: s\n"
                  "contexts: []\nusers:\n- name: u\n  user: {}\n");
}

static void aliases_copied_and_merges_merged(void **state)
{
    (void)state;
    /* yaml.v2: a merge is where it stands (it beats what came before); of a merged list
     * the first wins; of a key twice, the last. */
    normalizes_to("a: &x {k: 1, name: a}\nb: *x\nc:\n  <<: *x\n  k: 2\n"
                  "d:\n  k: 0\n  <<: [*x, {k: 9, j: 1}]\ne: 1\ne: 2\n",
                  "a:\n  k: 1\n  name: a\nb:\n  k: 1\n  name: a\nc:\n  name: a\n  k: 2\n"
                  "d:\n  j: 1\n  k: 1\n  name: a\ne: 2\n");
    /* A quoted << is a key like another; keys equal as strings are one key. */
    normalizes_to("\"<<\": {a: b}\nk: 1\n'k': 2\n5: x\n\"5\": y\n",
                  "'<<':\n  a: b\nk: 2\n5: x\n'5': y\n");
}

static void scalars_stay_what_they_were(void **state)
{
    (void)state;
    /* Strings that plain would read as something else are quoted; tags go, !!str, ! and
     * the user's own making strings; a plain non-string keeps its text. */
    normalizes_to("a: !!str 5\nb: ! yes\nc: !mine x\nd: '0x1F'\ne: \"2001-01-01\"\nf: ~\n"
                  "g: 0o17\nh: \"\"\ni: |\n  two\n  lines\nj: !!str\nk: \"a\\0b\"\n"
                  "l: plain words\n",
                  "a: '5'\nb: 'yes'\nc: x\nd: '0x1F'\ne: '2001-01-01'\nf: ~\ng: 0o17\nh: ''\n"
                  "i: \"two\\nlines\\n\"\nj: ''\nk: \"a\\0b\"\nl: plain words\n");
    /* Breaks formats/yamledit.c does not count (CR, NEL, LS, PS) written escaped, never raw. */
    normalizes_to("a: \"x\\Ly\\rz\\Nw\"\nb: \"\\u2029\"\n", "a: \"x\\Ly\\rz\\Nw\"\nb: \"\\P\"\n");
    /* Tags on lists and mappings change nothing to kubectl's reader. */
    normalizes_to("a: !mine {b: !!seq [c]}\n", "a:\n  b:\n  - c\n");
}

static void first_document_only(void **state)
{
    (void)state;
    normalizes_to("a: 1\n---\nb: 2\n", "a: 1\n");
    normalizes_to("a: 1\n---\nb: [\n", "a: 1\n"); /* kubectl never reads the second */
    normalizes_to("", "");
    normalizes_to("---\n...\n", "");
    normalizes_to("~\n", "");
}

static void refuses_what_kubectl_refuses(void **state)
{
    (void)state;
    refused("a: *nope\n", "kubectl refuses it: an alias of no anchor");
    refused("a: &s [1, *s]\n", "kubectl refuses it: an anchor's value holds an alias of itself");
    refused("a: {<<: x}\n", "kubectl refuses it: a merge key (<<) not followed by a mapping");
    refused("a: {<<: [{b: c}, x]}\n", "kubectl refuses it: a merge key (<<) not followed");
    refused("{[a]: b}\n", "kubectl refuses it: a key that is a list or a mapping");
    refused("a: [\n", "not YAML");
    refused("a: {~: b}\n", "kubectl refuses it: a null key");
    /* A value a later key replaces is read first, and refused for the same. */
    refused("a: [{{b: c}: d}]\na: 1\n", "kubectl refuses it: a key that is a list or a mapping");
    refused("x: {<<: 5}\nx: 1\n", "kubectl refuses it: a merge key (<<) not followed");
}

static void refuses_what_it_does_not_rewrite(void **state)
{
    (void)state;
    refused("a: !!int 5\n", "a standard tag other than !!str on a scalar");
    refused("a: !!binary YWJj\n", "a standard tag other than !!str on a scalar");
    refused("a: !!str [b]\n", "a standard tag on a list or mapping that is not its own");
    /* An alias bomb: nine levels of nine aliases, past what yaml.v2 takes. */
    char bomb[2048];
    size_t n = (size_t)snprintf(bomb, sizeof(bomb), "l0: &l0 [x, x, x, x, x, x, x, x, x]\n");
    for (int i = 1; i < 9; i++) {
        n += (size_t)snprintf(bomb + n, sizeof(bomb) - n, "l%d: &l%d [", i, i);
        for (int j = 0; j < 9; j++)
            n += (size_t)snprintf(bomb + n, sizeof(bomb) - n, "*l%d%s", i - 1,
                                  j < 8 ? ", " : "]\n");
    }
    refused(bomb, "(excessive aliasing)");
    /* Aliases of a big string: fewer copies, but more bytes than a kubeconfig atmos edits. */
    size_t big = 1024 * 1024;
    char *p = malloc(big + 4096);
    assert_non_null(p);
    n = (size_t)snprintf(p, 4096, "a: &a ");
    memset(p + n, 'x', big);
    n += big;
    n += (size_t)snprintf(p + n, 4096, "\nb: [");
    for (int i = 0; i < 20; i++)
        n += (size_t)snprintf(p + n, 4096, "*a, ");
    snprintf(p + n, 4096, "*a]\n");
    refused(p, "larger than a kubeconfig atmos edits");
    free(p);
}

/* What the byte ranges then cut from the rewrite is what kubectl sees of the file. */
static void rewrite_then_cut(void **state)
{
    (void)state;
    const char *in = "{clusters: [{name: c, cluster: &s {server: s}}, {name: m, cluster: *s}],"
                     " contexts: [{name: x, context: {cluster: c, user: u}}],"
                     " users: [{<<: {name: u}}], current-context: x}\n";
    struct atmos_buf norm = {0}, out = {0};
    struct atmos_err why = {{0}};
    struct atmos_kube_doc doc;
    struct atmos_kube_names n = {"c", "x", "u"};
    size_t entries = 0;
    int empty = -1;
    assert_int_equal(atmos_kube_normalize(in, strlen(in), &norm, &why), ATMOS_OK);
    assert_int_equal(atmos_kube_scan(norm.data, norm.len, &doc, &why), ATMOS_OK);
    assert_int_equal(atmos_kube_cut(norm.data, norm.len, &doc, &n, &out, &entries, &empty, &why),
                     ATMOS_OK);
    assert_int_equal(entries, 3);
    assert_int_equal(empty, 0);
    const char *want = "clusters:\n- name: m\n  cluster:\n    server: s\ncontexts:\nusers:\n"
                       "current-context: \"\"\n";
    if (out.len != strlen(want) || memcmp(out.data, want, out.len) != 0)
        fail_msg("got:\n%.*s", (int)out.len, out.data);
    atmos_kube_doc_free(&doc);
    atmos_buf_free(&norm);
    atmos_buf_free(&out);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(flow_style_written_in_block_style),
        cmocka_unit_test(aliases_copied_and_merges_merged),
        cmocka_unit_test(scalars_stay_what_they_were),
        cmocka_unit_test(first_document_only),
        cmocka_unit_test(refuses_what_kubectl_refuses),
        cmocka_unit_test(refuses_what_it_does_not_rewrite),
        cmocka_unit_test(rewrite_then_cut),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

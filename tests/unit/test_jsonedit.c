/*
 * The JSON scanner and the entry editor: what parses and what does not, where
 * values are, and the exact bytes of a real file after entries are cut out.
 */
#include "testutil.h"

#include <json-c/json.h>

#include <atmos/plan.h>

#include "formats/jsonedit.h"
#include "formats/jsonscan.h"
#include "formats/jsonverdict.h"

/* --- the scanner ---------------------------------------------------------- */

static int ignore(void *arg, const struct atmos_jscan_value *v)
{
    (void)arg;
    (void)v;
    return 0;
}

static int scans(const char *doc)
{
    struct atmos_jscan_error err;
    return atmos_jscan(doc, strlen(doc), ignore, NULL, &err);
}

static char *nested(size_t depth)
{
    char *s = malloc(2 * depth + 1);
    assert_non_null(s);
    memset(s, '[', depth);
    memset(s + depth, ']', depth);
    s[2 * depth] = '\0';
    return s;
}

static void scanner_accepts_json(void **state)
{
    (void)state;
    static const char *const good[] = {"1",
                                       "-0",
                                       "-0.5e+10",
                                       "1E-2",
                                       "0.0",
                                       "\"\"",
                                       "true",
                                       "false",
                                       "null",
                                       "[]",
                                       "{}",
                                       " [true ,false,null ] ",
                                       "\xef\xbb\xbf{}",
                                       "{\r\n\t\"a\" : {\"b\":[{}]}\r\n}\r\n",
                                       "\"\\\"\\\\\\/\\b\\f\\n\\r\\t\\u00e9\\ud83d\\ude00\\ud800\"",
                                       "\"caf\xc3\xa9 \xf0\x9f\x98\x80 \xe2\x82\xac\"",
                                       "{\"a\":1,\"a\":2}"};
    for (size_t i = 0; i < sizeof(good) / sizeof(*good); i++)
        if (scans(good[i]) != 0)
            fail_msg("rejected: %s", good[i]);
    char *deep = nested(ATMOS_JSCAN_MAX_DEPTH);
    assert_int_equal(scans(deep), 0);
    free(deep);
}

static void scanner_rejects_what_is_not_json(void **state)
{
    (void)state;
    static const char *const bad[] = {"",
                                      "  ",
                                      "\xef\xbb\xbf",
                                      "{",
                                      "[1,]",
                                      "{\"a\":1,}",
                                      "[,1]",
                                      "01",
                                      "1.",
                                      ".5",
                                      "-",
                                      "+1",
                                      "1e",
                                      "tru",
                                      "nul",
                                      "NaN",
                                      "Infinity",
                                      "'a'",
                                      "{a:1}",
                                      "[1 2]",
                                      "{\"a\" 1}",
                                      "{\"a\":}",
                                      "1 2",
                                      "/*c*/1",
                                      "[1]//",
                                      "\"\\x\"",
                                      "\"\\u12g4\"",
                                      "\"\\u12\"",
                                      "\"a\x01\"",
                                      "\"tab\t\"",
                                      "\"abc",
                                      "\"\xc0\xaf\"",
                                      "\"\xed\xa0\x80\"",
                                      "\"\xf4\x90\x80\x80\"",
                                      "\"\xe2\x82\"",
                                      "\"\x80\"",
                                      "\"\xff\"",
                                      "[1]]",
                                      "{\"a\":1}}",
                                      "{]",
                                      "[}",
                                      "{\"a\":1 \"b\":2}",
                                      "\x01"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++)
        if (scans(bad[i]) != ATMOS_EINVAL)
            fail_msg("accepted bad input %zu: %s", i, bad[i]);
}

static void scanner_error_position(void **state)
{
    (void)state;
    struct atmos_jscan_error err;
    const char *doc = "{\n  \"a\": 1,\n  \"b\": tru\n}";
    assert_int_equal(atmos_jscan(doc, strlen(doc), ignore, NULL, &err), ATMOS_EINVAL);
    assert_int_equal(err.line, 3);
    assert_int_equal(err.column, 8);
    assert_string_equal(err.reason, "unexpected character");
}

/* No recursion: a million '[' end in an error, not a crash; one past the bound is refused. */
static void scanner_depth_is_bounded(void **state)
{
    (void)state;
    struct atmos_jscan_error err;
    char *deep = nested(ATMOS_JSCAN_MAX_DEPTH + 1);
    assert_int_equal(atmos_jscan(deep, strlen(deep), ignore, NULL, &err), ATMOS_EINVAL);
    assert_string_equal(err.reason, "nested too deep");
    free(deep);
    size_t n = 1000000;
    char *open = malloc(n);
    assert_non_null(open);
    memset(open, '[', n);
    assert_int_equal(atmos_jscan(open, n, ignore, NULL, &err), ATMOS_EINVAL);
    assert_string_equal(err.reason, "nested too deep");
    free(open);
}

struct seen {
    char text[1024];
    size_t len;
};

static int record(void *arg, const struct atmos_jscan_value *v)
{
    struct seen *s = arg;
    int n = snprintf(s->text + s->len, sizeof(s->text) - s->len, "%u:%.*s:%.*s:%zu-%zu-%zu:%zu\n",
                     v->depth, (int)v->parent_key_len, v->parent_key ? v->parent_key : "",
                     v->key ? (int)v->key_len : 1, v->key ? v->key : "-", v->start, v->value,
                     v->end, v->nvalues);
    s->len += (size_t)n;
    return 0;
}

static void scanner_reports_where_values_are(void **state)
{
    (void)state;
    /* Strings holding the structural characters, escapes, a deeper level not reported. */
    const char *doc = "\xef\xbb\xbf{\"a\": [1, {\"x\": \"}\"}], \"b\\\"\" : {\"k\": \"v,]\\\"\"}}";
    struct seen s = {{0}, 0};
    struct atmos_jscan_error err;
    assert_int_equal(atmos_jscan(doc, strlen(doc), record, &s, &err), 0);
    assert_string_equal(s.text, "2:a:-:10-10-11:1\n"
                                "2:a:-:13-13-23:2\n"
                                "1::a:4-9-24:4\n"
                                "2:b\\\":k:35-40-47:1\n"
                                "1::b\\\":26-34-48:2\n"
                                "0::-:3-3-49:7\n");
}

static int stop_at_second(void *arg, const struct atmos_jscan_value *v)
{
    (void)v;
    return ++*(int *)arg == 2 ? 7 : 0;
}

static void scanner_stops_when_told(void **state)
{
    (void)state;
    int calls = 0;
    struct atmos_jscan_error err;
    assert_int_equal(atmos_jscan("[1,2,3]", 7, stop_at_second, &calls, &err), 7);
    assert_int_equal(calls, 2);
}

static void key_is_decodes_escapes(void **state)
{
    (void)state;
#define K(raw, s) atmos_jscan_key_is(raw, strlen(raw), s)
    assert_true(K("AccessToken", "AccessToken"));
    assert_true(K("\\u0041ccess\\u0054oken", "AccessToken"));
    assert_true(K("a\\\"b\\\\c\\/d\\n", "a\"b\\c/d\n"));
    assert_true(K("caf\\u00e9", "caf\xc3\xa9"));
    assert_true(K("\\u20ac\\ud83d\\ude00", "\xe2\x82\xac\xf0\x9f\x98\x80"));
    assert_false(K("\\ud83d", "\xf0\x9f\x98\x80"));
    assert_false(K("Access", "AccessToken"));
    assert_false(K("AccessTokens", "AccessToken"));
    assert_false(K("a\\u0000", "a"));
    assert_true(K("", ""));
#undef K
}

/* --- the editor, on real files ------------------------------------------- */

static const char *home;

/* An entry is ours when its "id" is ids[0], or its name is ids[1]. */
static int match_id(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                    struct json_object *e)
{
    json_object *id;
    if (key && ids[1] && key_len == strlen(ids[1]) && memcmp(key, ids[1], key_len) == 0)
        return 1;
    return json_object_is_type(e, json_type_object) && json_object_object_get_ex(e, "id", &id) &&
           json_object_is_type(id, json_type_string) && ids[0] &&
           (size_t)json_object_get_string_len(id) == strlen(ids[0]) &&
           strcmp(json_object_get_string(id), ids[0]) == 0;
}

static const char *const named[] = {"c", "d", NULL};
static const char *const root[] = {NULL};
static const char *const id_field[] = {"id", NULL};
static const struct atmos_json_rule named_rule = {
    .containers = named, .ids = {"id", "name"}, .match = match_id, .fields = id_field};
static const struct atmos_json_rule root_rule = {
    .containers = root, .ids = {"id", "name"}, .match = match_id, .fields = id_field};

struct result {
    int rc;
    size_t entries;
    char *after;
    char why[512];
};

/* Write `doc` to a file, run the editor with the rule on it, read it back. */
static struct result run_edit(const struct atmos_json_rule *rule, const char *doc, const char *id,
                              const char *key, int dry)
{
    struct result r = {0, 0, NULL, {0}};
    char *path = tu_path(home, "f.json");
    tu_write(path, doc);
    struct atmos_fs fs = {.home = home, .uid = getuid()};
    struct atmos_item it = {
        .kind = ATMOS_ITEM_JSON_ENTRIES,
        .path = path,
        .u.json = {.rule = rule, .ids = {(char *)id, (char *)key}},
    };
    struct atmos_err why = {{0}};
    int dfd = -1;
    r.rc = atmos_json_edit(&fs, &it, dry, 300, &dfd, &why);
    if (dfd >= 0)
        close(dfd);
    r.entries = it.u.json.entries;
    r.after = tu_read(path);
    memcpy(r.why, why.msg, sizeof(r.why));
    free(path);
    return r;
}

#define EDIT(rule, doc, id, key, want, n)                                                          \
    do {                                                                                           \
        struct result r_ = run_edit(rule, doc, id, key, 0);                                        \
        const char *w_ = (want) ? (want) : (doc);                                                  \
        if (r_.rc != ((n) ? ATMOS_OK : ATMOS_ABSENT) || r_.entries != (n) ||                       \
            strcmp(r_.after, w_) != 0)                                                             \
            fail_msg("rc %d entries %zu (%s)\n got: [%s]\nwant: [%s]", r_.rc, r_.entries, r_.why,  \
                     r_.after, w_);                                                                \
        free(r_.after);                                                                            \
    } while (0)

static int setup(void **state)
{
    tu_home_setup(state);
    home = tu_home;
    return 0;
}

static void removes_at_start_middle_end(void **state)
{
    (void)state;
    const char *doc = "{\"c\": {\"k1\": {\"id\": \"A\"}, \"k2\": {\"id\": \"B\"}, \"k3\": {\"id\": "
                      "\"C\"}}, \"x\": 1}";
    EDIT(&named_rule, doc, "A", NULL,
         "{\"c\": {\"k2\": {\"id\": \"B\"}, \"k3\": {\"id\": \"C\"}}, \"x\": 1}", 1);
    EDIT(&named_rule, doc, "B", NULL,
         "{\"c\": {\"k1\": {\"id\": \"A\"}, \"k3\": {\"id\": \"C\"}}, \"x\": 1}", 1);
    EDIT(&named_rule, doc, "C", NULL,
         "{\"c\": {\"k1\": {\"id\": \"A\"}, \"k2\": {\"id\": \"B\"}}, \"x\": 1}", 1);
    /* By name: match gets the decoded name. */
    EDIT(&named_rule, "{\"c\": {\"k\\u0031\": 5, \"k2\": 6}}", NULL, "k1", "{\"c\": {\"k2\": 6}}",
         1);
    /* Several, not next to each other; then all of them. */
    EDIT(&named_rule,
         "{\"c\":{\"a\":{\"id\":\"A\"},\"b\":2,\"c\":{\"id\":\"A\"},\"d\":4,\"e\":{\"id\":\"A\"}}}",
         "A", NULL, "{\"c\":{\"b\":2,\"d\":4}}", 3);
    EDIT(&named_rule, "{\"c\": { \"a\": {\"id\":\"A\"} , \"b\" : {\"id\":\"A\"} }, \"d\": [ ]}",
         "A", NULL, "{\"c\": {}, \"d\": [ ]}", 2);
}

static void removes_from_arrays(void **state)
{
    (void)state;
    EDIT(&root_rule, "[{\"id\":\"A\"}, {\"id\":\"B\"}, 3]", "A", NULL, "[{\"id\":\"B\"}, 3]", 1);
    EDIT(&root_rule, "[{\"id\":\"B\"}, {\"id\":\"A\"}, 3]", "A", NULL, "[{\"id\":\"B\"}, 3]", 1);
    EDIT(&root_rule, "[{\"id\":\"B\"}, 3, {\"id\":\"A\"}]", "A", NULL, "[{\"id\":\"B\"}, 3]", 1);
    EDIT(&root_rule, "[ {\"id\":\"A\"} ]\n", "A", NULL, "[]\n", 1);
    /* A named container may be an array too. */
    EDIT(&named_rule, "{\"d\": [\"s\", {\"id\":\"A\"}]}", "A", NULL, "{\"d\": [\"s\"]}", 1);
}

/* The only entry, pretty-printed with CRLF and a BOM: the rest byte for byte. */
static void pretty_crlf_bom_kept(void **state)
{
    (void)state;
    const char *doc =
        "\xef\xbb\xbf{\r\n  \"c\": {\r\n    \"only\": {\r\n      \"id\": \"A\"\r\n    "
        "}\r\n  },\r\n  \"n\": 1.50e0,\r\n  \"s\": \"caf\\u00e9 \\/\"\r\n}\r\n";
    EDIT(
        &named_rule, doc, "A", NULL,
        "\xef\xbb\xbf{\r\n  \"c\": {},\r\n  \"n\": 1.50e0,\r\n  \"s\": \"caf\\u00e9 \\/\"\r\n}\r\n",
        1);
    const char *two = "{\r\n  \"c\": {\r\n    \"a\": {\"id\": \"B\"},\r\n    \"b\": {\"id\": "
                      "\"A\"}\r\n  }\r\n}";
    EDIT(&named_rule, two, "A", NULL, "{\r\n  \"c\": {\r\n    \"a\": {\"id\": \"B\"}\r\n  }\r\n}",
         1);
    EDIT(&named_rule, two, "B", NULL, "{\r\n  \"c\": {\r\n    \"b\": {\"id\": \"A\"}\r\n  }\r\n}",
         1);
}

/* Entries whose strings hold } , " ] and escapes; a deeper value with the same id is no entry. */
static void nested_values_and_tricky_strings(void **state)
{
    (void)state;
    const char *doc =
        "{\"c\": {\"x\": {\"s\": \"}\\\",{[\", \"id\": \"A\", \"n\": {\"deep\": [\"]\", "
        "\"\\\\\\\"}\", {\"id\": \"B\"}]}}, \"y\": {\"id\": \"B\", \"t\": \"\\u007d,\"}}, "
        "\"z\": {\"c\": {\"id\": \"A\"}}}";
    EDIT(&named_rule, doc, "A", NULL,
         "{\"c\": {\"y\": {\"id\": \"B\", \"t\": \"\\u007d,\"}}, \"z\": {\"c\": {\"id\": \"A\"}}}",
         1);
    EDIT(&named_rule, doc, "B", NULL,
         "{\"c\": {\"x\": {\"s\": \"}\\\",{[\", \"id\": \"A\", \"n\": {\"deep\": [\"]\", "
         "\"\\\\\\\"}\", {\"id\": \"B\"}]}}}, \"z\": {\"c\": {\"id\": \"A\"}}}",
         1);
}

/* Duplicate names: each occurrence judged on its own; a container named twice is edited twice. */
static void duplicate_names(void **state)
{
    (void)state;
    EDIT(&named_rule, "{\"c\": {\"k\": {\"id\": \"A\"}, \"k\": {\"id\": \"B\"}}}", "A", NULL,
         "{\"c\": {\"k\": {\"id\": \"B\"}}}", 1);
    EDIT(&named_rule, "{\"c\": {\"k\": {\"id\": \"B\"}, \"k\": {\"id\": \"A\"}}}", "A", NULL,
         "{\"c\": {\"k\": {\"id\": \"B\"}}}", 1);
    EDIT(&named_rule, "{\"c\": {\"k\": {\"id\": \"A\"}, \"k\": {\"id\": \"A\"}}}", "A", NULL,
         "{\"c\": {}}", 2);
    EDIT(&named_rule,
         "{\"c\": {\"a\": {\"id\": \"A\"}}, \"o\": 1, \"\\u0063\": {\"b\": 2, \"a\": {\"id\": "
         "\"A\"}}}",
         "A", NULL, "{\"c\": {}, \"o\": 1, \"\\u0063\": {\"b\": 2}}", 2);
}

/* A copy cut that was the last of its name shows an earlier one kept to last-wins readers: counted. */
static void unmasked_copies_counted(void **state)
{
    (void)state;
    static const struct {
        const char *doc;
        size_t entries, unmasked;
    } cases[] = {
        {"{\"c\": {\"k\": {\"id\": \"B\"}, \"k\": {\"id\": \"A\"}}}", 1, 1},
        {"{\"c\": {\"k\": {\"id\": \"A\"}, \"k\": {\"id\": \"B\"}}}", 1, 0},
        {"{\"c\": {\"k\": {\"id\": \"A\"}, \"\\u006b\": {\"id\": \"A\"}}}", 2, 0},
        {"{\"c\": {\"k\": {\"id\": \"B\"}, \"x\": {\"id\": \"A\"}, \"\\u006b\": {\"id\": \"A\"}}, "
         "\"d\": {\"x\": 1, \"x\": {\"id\": \"A\"}}}",
         3, 2},
    };
    for (size_t i = 0; i < sizeof(cases) / sizeof(*cases); i++) {
        char *path = tu_path(home, "f.json");
        tu_write(path, cases[i].doc);
        struct atmos_fs fs = {.home = home, .uid = getuid()};
        struct atmos_item it = {.kind = ATMOS_ITEM_JSON_ENTRIES,
                                .path = path,
                                .u.json = {.rule = &named_rule, .ids = {"A", NULL}}};
        struct atmos_err why = {{0}};
        int dfd = -1;
        assert_int_equal(atmos_json_edit(&fs, &it, 0, 300, &dfd, &why), ATMOS_OK);
        if (dfd >= 0)
            close(dfd);
        if (it.u.json.entries != cases[i].entries || it.u.json.unmasked != cases[i].unmasked)
            fail_msg("case %zu: %zu entries, %zu unmasked", i, it.u.json.entries,
                     it.u.json.unmasked);
        free(path);
    }
}

/* Containers the rule does not name, a named one that is a string, a root of the other shape. */
static void only_named_containers(void **state)
{
    (void)state;
    struct result r =
        run_edit(&named_rule, "{\"e\": {\"a\": {\"id\": \"A\"}}, \"c\": \"A\"}", "A", NULL, 0);
    assert_int_equal(r.rc, ATMOS_ABSENT);
    assert_string_equal(r.after, "{\"e\": {\"a\": {\"id\": \"A\"}}, \"c\": \"A\"}");
    free(r.after);
    r = run_edit(&root_rule, "{\"c\": [{\"id\": \"A\"}]}", "A", NULL, 0);
    assert_int_equal(r.rc, ATMOS_ABSENT);
    free(r.after);
    r = run_edit(&named_rule, "[{\"c\": {\"a\": {\"id\": \"A\"}}}]", "A", NULL, 0);
    assert_int_equal(r.rc, ATMOS_ABSENT);
    free(r.after);
}

static void dry_run_counts_and_keeps(void **state)
{
    (void)state;
    const char *doc = "[{\"id\":\"A\"},{\"id\":\"A\"},{\"id\":\"B\"}]";
    struct result r = run_edit(&root_rule, doc, "A", NULL, 1);
    assert_int_equal(r.rc, ATMOS_OK);
    assert_int_equal(r.entries, 2);
    assert_string_equal(r.after, doc);
    free(r.after);
}

static void invalid_is_left_as_it_is(void **state)
{
    (void)state;
    static const char *const bad[] = {"{\"c\": {\"a\": {\"id\": \"A\"},}}",
                                      "{\"c\": {\"a\": {\"id\": \"A\"}}",
                                      "",
                                      "{\"c\": {\"a\": {\"id\": \"A\"}}} x",
                                      "{\"c\": {\"a\": {\"id\": 'A'}}}",
                                      "{\"c\": {\"a\": {\"id\": \"A\", \"s\": \"\xff\"}}}"};
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct result r = run_edit(&named_rule, bad[i], "A", NULL, 0);
        assert_int_equal(r.rc, ATMOS_ESYS);
        assert_non_null(strstr(r.why, "does not parse as JSON (line 1, column "));
        assert_non_null(strstr(r.why, "left as it is"));
        assert_string_equal(r.after, bad[i]);
        free(r.after);
    }
    /* Deeper than the bound, inside an entry. */
    char *deep = nested(ATMOS_JSCAN_MAX_DEPTH);
    char *doc = NULL;
    assert_true(asprintf(&doc, "{\"c\": {\"a\": {\"id\": \"A\", \"d\": %s}}}", deep) > 0);
    struct result r = run_edit(&named_rule, doc, "A", NULL, 0);
    assert_int_equal(r.rc, ATMOS_ESYS);
    assert_non_null(strstr(r.why, "nested too deep"));
    assert_string_equal(r.after, doc);
    free(r.after);
    free(doc);
    /* At the bound, an entry still parses in json-c and is removed. */
    char *fits = nested(ATMOS_JSCAN_MAX_DEPTH - 3);
    assert_true(asprintf(&doc, "{\"c\": {\"a\": {\"id\": \"A\", \"d\": %s}, \"b\": 1}}", fits) > 0);
    EDIT(&named_rule, doc, "A", NULL, "{\"c\": {\"b\": 1}}", 1);
    free(doc);
    free(fits);
    free(deep);
}

/* An entry of any size is judged from the members the rule reads: ours goes, another stays. */
static void giant_entries_are_judged(void **state)
{
    (void)state;
    struct atmos_buf b = {0}, want = {0};
    atmos_buf_printf(&b, "{\"c\": {\"other\": {\"id\": \"B\", \"v\": [0");
    for (int i = 0; i < 30000; i++)
        atmos_buf_append(&b, ",0", 2);
    atmos_buf_printf(&b, "], \"s\": \"");
    for (int i = 0; i < 1100 * 1024; i++)
        atmos_buf_append(&b, "x", 1);
    atmos_buf_printf(&b, "\"}, \"a\": {\"id\": \"A\"}}}");
    atmos_buf_append(&want, b.data, strstr(b.data, ", \"a\"") - b.data);
    atmos_buf_printf(&want, "}}");
    EDIT(&named_rule, b.data, "A", NULL, want.data, 1);
    /* Atmos's own, as large: judged from its id, and removed. */
    EDIT(&named_rule, b.data, "B", NULL, "{\"c\": {\"a\": {\"id\": \"A\"}}}", 1);
    atmos_buf_free(&b);
    atmos_buf_free(&want);
}

/* Names and members compared whole, as the tool decodes them: a NUL ends nothing. */
static void names_compared_whole(void **state)
{
    (void)state;
    /* docker's key "<ecr host>\u0000evil" is another registry. */
    const char *nul_key = "{\"c\": {\"k1\\u0000evil\": 1, \"k1\": 2}}";
    EDIT(&named_rule, nul_key, NULL, "k1", "{\"c\": {\"k1\\u0000evil\": 1}}", 1);
    EDIT(&named_rule, "{\"c\": {\"k1\\u0000\": 1}}", NULL, "k1", NULL, 0);
    /* A member "id\u0000x" is not "id" (json-c's keys would stop at the NUL). */
    const char *nul_member = "{\"c\": {\"a\": {\"id\": \"B\", \"id\\u0000x\": \"A\"}}}";
    EDIT(&named_rule, nul_member, "A", NULL, NULL, 0);
    /* A value "A\u0000B" is not "A". */
    EDIT(&named_rule, "{\"c\": {\"a\": {\"id\": \"A\\u0000B\"}}}", "A", NULL, NULL, 0);
    /* The last of a member spelt twice is the one readers see. */
    EDIT(&named_rule, "{\"c\": {\"a\": {\"id\": \"A\", \"\\u0069d\": \"B\"}}}", "A", NULL,
         NULL, 0);
    EDIT(&named_rule, "{\"c\": {\"a\": {\"id\": \"B\", \"id\": \"A\"}, \"b\": 1}}", "A",
         NULL, "{\"c\": {\"b\": 1}}", 1);
    /* A member null is read as null (json-c's NULL), the last one too. */
    EDIT(&named_rule, "{\"c\": {\"a\": {\"id\": null}, \"b\": {\"id\": \"A\"}}}", "A", NULL,
         "{\"c\": {\"a\": {\"id\": null}}}", 1);
    EDIT(&named_rule, "{\"c\": {\"a\": {\"id\": \"A\", \"id\": null}}}", "A", NULL, NULL, 0);
}

static int by_key(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                  struct json_object *e)
{
    (void)e;
    return key && key_len == strlen(ids[1]) && memcmp(key, ids[1], key_len) == 0;
}

static const char *const auths[] = {"auths", NULL};
static const char *const msal_types[] = {"AccessToken", "RefreshToken", "IdToken", "Account",
                                         NULL};
static const struct atmos_json_rule docker_rule = {.containers = auths,
                                                   .ids = {"host"},
                                                   .match = by_key,
                                                   .tool = "docker",
                                                   .check = atmos_docker_check,
                                                   .container_is = atmos_go_name_is};
static const struct atmos_json_rule msal_rule = {.containers = msal_types,
                                                 .ids = {"id", "name"},
                                                 .match = match_id,
                                                 .fields = id_field,
                                                 .tool = "MSAL",
                                                 .check = atmos_msal_check};

/* What docker's and MSAL's readers refuse (checked against them in test_editors_diff.sh). */
static void tool_rejections_left_as_they_are(void **state)
{
    (void)state;
    static const struct {
        const struct atmos_json_rule *rule;
        const char *doc, *reason;
    } bad[] = {
        {&docker_rule, "\xef\xbb\xbf{\"auths\": {\"E\": {\"auth\": \"dXNlcjpw\"}}}", "byte order mark"},
        {&docker_rule, "{\"auths\": {\"E\": \"dXNlcjpw\"}}", "not an object"},
        {&docker_rule, "{\"auths\": {\"E\": {}, \"o\": {\"auth\": 5}}}", "must be a string"},
        {&docker_rule, "{\"auths\": {\"E\": {}, \"o\": {\"AUTH\": \"%%%%\"}}}", "not base64"},
        {&docker_rule, "{\"auths\": {\"E\": {}, \"o\": {\"auth\": \"OnA=\"}}}", "user:password"},
        {&docker_rule, "{\"auths\": {\"E\": {}}, \"psFormat\": {}}", "another type"},
        {&docker_rule, "{\"Auths\": [], \"auths\": {\"E\": {}}}", "another type"},
        {&docker_rule, "{\"auths\": {\"E\": {}}, \"pruneFilters\": [1]}", "another type"},
        {&docker_rule, "{\"auths\": {\"E\": {}}, \"proxies\": {\"d\": {\"noProxy\": 1}}}",
         "must be a string"},
        {&docker_rule, "[{\"auths\": {\"E\": {}}}]", "top level"},
        {&msal_rule, "\xef\xbb\xbf{\"Account\": {\"a\": {\"id\": \"id\"}}}", "byte order mark"},
        {&msal_rule, "{\"Account\": {\"a\": {\"id\": \"id\"}, \"b\": \"x\"}}", "not an object"},
        {&msal_rule, "{\"Account\": {\"a\": {\"id\": \"id\"}}, \"RefreshToken\": null}",
         "credential type"},
        {&msal_rule, "{\"Account\": {\"a\": {\"id\": \"id\"}}, \"AppMetadata\": []}",
         "credential type"},
    };
    for (size_t i = 0; i < sizeof(bad) / sizeof(*bad); i++) {
        struct result r = run_edit(bad[i].rule, bad[i].doc, "id", "E", 0);
        if (r.rc != ATMOS_ESYS || strstr(r.why, bad[i].reason) == NULL ||
            strstr(r.why, "would refuse this file") == NULL || strcmp(r.after, bad[i].doc) != 0)
            fail_msg("case %zu: rc %d (%s)", i, r.rc, r.why);
        free(r.after);
    }
    /* What they take: null anywhere, CR/LF in an auth, an earlier bad auth replaced, [] entries. */
    EDIT(&docker_rule,
         "{\"auths\": {\"E\": {\"auth\": null}, \"o\": {\"auth\": \"bad\", \"Auth\": "
         "\"dXNl\\ncjpw\", \"auth\": null}, \"n\": null}, \"credsStore\": null, \"x\": 5}",
         "id", "E",
         "{\"auths\": {\"o\": {\"auth\": \"bad\", \"Auth\": \"dXNl\\ncjpw\", \"auth\": null}, "
         "\"n\": null}, \"credsStore\": null, \"x\": 5}",
         0 + 1);
    /* A real ECR login's auth is some 2.5 KB: taken at any length, as docker takes it. */
    struct atmos_buf big = {0}, big_want = {0};
    atmos_buf_printf(&big, "{\"auths\": {\"o\": {\"auth\": \"dXNlcjpw");
    for (int i = 0; i < 800; i++)
        atmos_buf_printf(&big, "QUFB");
    atmos_buf_printf(&big, "\"}, \"E\": {}}}");
    atmos_buf_append(&big_want, big.data, strstr(big.data, ", \"E\"") - big.data);
    atmos_buf_printf(&big_want, "}}");
    EDIT(&docker_rule, big.data, "id", "E", big_want.data, 1);
    atmos_buf_free(&big);
    atmos_buf_free(&big_want);
    /* docker's Go finds `auths` by any case (and U+017F for s): each spelling is edited. */
    EDIT(&docker_rule,
         "{\"Auths\": {\"E\": {}, \"o\": {}}, \"AUTH\u017f\": {\"E\": {}}, \"auth\": {\"E\": {}}}",
         "id", "E", "{\"Auths\": {\"o\": {}}, \"AUTH\u017f\": {}, \"auth\": {\"E\": {}}}", 2);
    EDIT(&msal_rule, "{\"Account\": {\"a\": {\"id\": \"id\"}, \"b\": []}, \"Other\": null}", "id",
         NULL, "{\"Account\": {\"b\": []}, \"Other\": null}", 1);
}

/* Every byte outside the removed entries and their separators is the original's. */
static void other_bytes_unchanged(void **state)
{
    (void)state;
    struct atmos_buf doc = {0}, want = {0};
    atmos_buf_printf(&doc, "\xef\xbb\xbf {\"pre\" :[1,2.0e-3 ,\"\\u00e9\"],\n\"c\":{\n");
    atmos_buf_printf(&want, "\xef\xbb\xbf {\"pre\" :[1,2.0e-3 ,\"\\u00e9\"],\n\"c\":{\n");
    for (int i = 0; i < 300; i++) {
        int ours = i % 3 == 1;
        char entry[128];
        snprintf(entry, sizeof(entry), "\t\"k%d\"  :  {\"id\": \"%s\", \"pad\": \"%*s\\t\"}", i,
                 ours ? "A" : "B", i % 17, "");
        atmos_buf_printf(&doc, "%s%s", entry, i < 299 ? " ,\r\n" : "\n");
        if (!ours)
            atmos_buf_printf(&want, "%s%s", entry, i < 299 ? " ,\r\n" : "\n");
    }
    atmos_buf_printf(&doc, "} , \"post\": {\"c\": null}}\n\n");
    atmos_buf_printf(&want, "} , \"post\": {\"c\": null}}\n\n");
    EDIT(&named_rule, doc.data, "A", NULL, want.data, 100);
    atmos_buf_free(&doc);
    atmos_buf_free(&want);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, tu_home_teardown)

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(scanner_accepts_json),
        cmocka_unit_test(scanner_rejects_what_is_not_json),
        cmocka_unit_test(scanner_error_position),
        cmocka_unit_test(scanner_depth_is_bounded),
        cmocka_unit_test(scanner_reports_where_values_are),
        cmocka_unit_test(scanner_stops_when_told),
        cmocka_unit_test(key_is_decodes_escapes),
        T(removes_at_start_middle_end),
        T(removes_from_arrays),
        T(pretty_crlf_bom_kept),
        T(nested_values_and_tricky_strings),
        T(duplicate_names),
        T(unmasked_copies_counted),
        T(only_named_containers),
        T(dry_run_counts_and_keeps),
        T(invalid_is_left_as_it_is),
        T(giant_entries_are_judged),
        T(names_compared_whole),
        T(tool_rejections_left_as_they_are),
        T(other_bytes_unchanged),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

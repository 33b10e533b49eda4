/*
 * libFuzzer target: the strict JSON scanner the editor cuts entries by.  Any
 * bytes must scan or be refused without a crash; every reported value must
 * lie inside the document, nested as its depth says; and a document the
 * scanner accepts (within json-c's default depth) must parse with json-c
 * too, since the editor hands members of entries to json-c to be judged.
 *
 * Then the editor's output is judged by a small oracle of the reader's view
 * (json-c's tree, which keeps the last of a name spelt twice, as Python's
 * json, msal's reader, does): with the rule "the entries of `auths` named E
 * or whose id is A", the output must parse, and its tree must be the
 * input's less those entries.  Left out of the comparison, as json-c cannot
 * be the oracle there: names holding \u escapes (json-c's keys stop at a
 * NUL, and it folds lone surrogates together), and an `auths` naming an
 * entry twice (removing a later copy shows the earlier to last-wins
 * readers: the documented difference).
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include <atmos/plan.h>

#include "formats/jsonedit.h"
#include "formats/jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    const char *doc;
    size_t len;
    unsigned max_depth;
    int dup_in_auths; /* an entry of an `auths` named twice */
    char *names;      /* the decoded names seen in the current `auths`, NUL-separated */
    size_t names_len;
};

/* Remember an entry's name of an `auths` container; a name seen before marks a duplicate. */
static void auths_name(struct seen *s, const struct atmos_jscan_value *v)
{
    char *k = malloc(v->key_len + 1);
    size_t n;
    if (k == NULL || atmos_jscan_decode(v->key, v->key_len, k, &n) != 0 || strlen(k) != n) {
        s->dup_in_auths = 1; /* no oracle for it */
        free(k);
        return;
    }
    for (size_t at = 0; at < s->names_len; at += strlen(s->names + at) + 1)
        if (strcmp(s->names + at, k) == 0)
            s->dup_in_auths = 1;
    char *grown = realloc(s->names, s->names_len + n + 1);
    if (grown) {
        memcpy(grown + s->names_len, k, n + 1);
        s->names = grown;
        s->names_len += n + 1;
    }
    free(k);
}

static int check(void *arg, const struct atmos_jscan_value *v)
{
    struct seen *s = arg;
    if (v->depth > 2 || v->start > v->value || v->value >= v->end || v->end > s->len ||
        (v->key && (v->key < s->doc || v->key + v->key_len > s->doc + s->len)))
        abort();
    if (v->depth > s->max_depth)
        s->max_depth = v->depth;
    if (v->depth == 2 && v->key && v->parent_key &&
        atmos_jscan_key_is(v->parent_key, v->parent_key_len, "auths"))
        auths_name(s, v);
    if (v->depth == 1)
        s->names_len = 0; /* the next container's names */
    return 0;
}

static int str_is(json_object *o, const char *key, const char *want)
{
    json_object *v;
    return json_object_is_type(o, json_type_object) && json_object_object_get_ex(o, key, &v) &&
           json_object_is_type(v, json_type_string) &&
           (size_t)json_object_get_string_len(v) == strlen(want) &&
           strcmp(json_object_get_string(v), want) == 0;
}

static int match(const char *const ids[ATMOS_JSON_IDS], const char *key, size_t key_len,
                 struct json_object *e)
{
    (void)ids;
    return (key && key_len == 1 && key[0] == 'E') || str_is(e, "id", "A");
}

static const char *const auths[] = {"auths", NULL};
static const char *const id_field[] = {"id", NULL};
static const struct atmos_json_rule rule = {
    .containers = auths, .ids = {"x"}, .match = match, .fields = id_field};

/* The oracle: json-c's tree of the input, less the entries the rule names. */
static void expected(json_object *root)
{
    json_object *a;
    if (!json_object_is_type(root, json_type_object) ||
        !json_object_object_get_ex(root, "auths", &a))
        return;
    if (json_object_is_type(a, json_type_object)) {
        const char *gone[64];
        size_t n = 0;
        json_object_object_foreach(a, k, v)
        {
            if (n == 64)
                abort(); /* inputs are small: never */
            if (strcmp(k, "E") == 0 || str_is(v, "id", "A"))
                gone[n++] = k;
        }
        for (size_t i = 0; i < n; i++)
            json_object_object_del(a, gone[i]);
    } else if (json_object_is_type(a, json_type_array)) {
        for (size_t i = json_object_array_length(a); i-- > 0;)
            if (str_is(json_object_array_get_idx(a, i), "id", "A"))
                json_object_array_del_idx(a, i, 1);
    }
}

/* With a NUL after it, as json-c needs at the end of a number. */
static json_object *parse(const char *p, size_t len)
{
    size_t skip = len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    char *doc = malloc(len - skip + 1);
    json_tokener *tok = doc ? json_tokener_new_ex(ATMOS_JSCAN_MAX_DEPTH + 1) : NULL;
    json_object *o = NULL;
    if (tok) {
        memcpy(doc, p + skip, len - skip);
        doc[len - skip] = '\0';
        o = json_tokener_parse_ex(tok, doc, (int)(len - skip + 1));
        json_tokener_free(tok);
    }
    free(doc);
    return o;
}

static void oracle(const char *p, size_t len, const struct seen *s)
{
    if (s->dup_in_auths || memmem(p, len, "\\u", 2))
        return;
    struct atmos_item it = {
        .kind = ATMOS_ITEM_JSON_ENTRIES, .path = "f.json", .u.json = {.rule = &rule}};
    struct atmos_buf out = {0};
    struct atmos_err why;
    size_t n = 0;
    if (atmos_json_cut(p, len, &it, &out, &n, &why) != ATMOS_OK)
        abort(); /* a document that scans, with no check: always edited */
    json_object *want = parse(p, len), *got = parse(out.data ? out.data : "", out.len);
    if (want) { /* else deeper than json-c goes: not this oracle's */
        expected(want);
        if (got == NULL || !json_object_equal(want, got))
            abort();
    }
    json_object_put(want);
    json_object_put(got);
    atmos_buf_free(&out);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen s = {(const char *)data, size, 0, 0, NULL, 0};
    struct atmos_jscan_error err;
    const char *p = (const char *)data;
    if (atmos_jscan(p, size, check, &s, &err) != 0) {
        if (err.offset > size || err.reason == NULL)
            abort();
        free(s.names);
        return 0;
    }
    oracle(p, size, &s);
    free(s.names);
    /* Accepted: json-c must agree (its default depth is 32; deeper input is ours alone). */
    size_t skip = size >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    /* With its NUL: json-c cannot tell "12" from the start of "123" without an end. */
    char *doc = malloc(size - skip + 1);
    json_tokener *tok = doc ? json_tokener_new() : NULL;
    if (tok == NULL) {
        free(doc);
        return 0;
    }
    memcpy(doc, p + skip, size - skip);
    doc[size - skip] = '\0';
    json_object *o = json_tokener_parse_ex(tok, doc, (int)(size - skip + 1));
    enum json_tokener_error e = json_tokener_get_error(tok);
    if (e != json_tokener_success && e != json_tokener_error_depth)
        abort();
    json_object_put(o);
    json_tokener_free(tok);
    free(doc);
    return 0;
}

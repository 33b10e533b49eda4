/*
 * libFuzzer target: the strict JSON scanner the editor cuts entries by.  Any
 * bytes must scan or be refused without a crash; every reported value must
 * lie inside the document, nested as its depth says; and a document the
 * scanner accepts (within json-c's default depth) must parse with json-c
 * too, since the editor hands each entry to json-c to be judged.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <json-c/json.h>

#include "jsonscan.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    const char *doc;
    size_t len;
    unsigned max_depth;
};

static int check(void *arg, const struct atmos_jscan_value *v)
{
    struct seen *s = arg;
    if (v->depth > 2 || v->start > v->value || v->value >= v->end || v->end > s->len ||
        (v->key && (v->key < s->doc || v->key + v->key_len > s->doc + s->len)))
        abort();
    if (v->depth > s->max_depth)
        s->max_depth = v->depth;
    return 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    struct seen s = {(const char *)data, size, 0};
    struct atmos_jscan_error err;
    const char *p = (const char *)data;
    if (atmos_jscan(p, size, check, &s, &err) != 0) {
        if (err.offset > size || err.reason == NULL)
            abort();
        return 0;
    }
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

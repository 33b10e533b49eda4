/*
 * libFuzzer target: the INI section remover.
 *
 * Input: one byte of flavour, a profile name up to the first NUL, then the
 * file.  Asserted against the documented rule, restated here independently
 * of the remover's own bookkeeping:
 *  - the output is the input without exactly these lines: each target header,
 *    the lines after it up to the next header except the comment block just
 *    above that header, and an atmos expiration comment directly above it
 *    (a leading byte order mark always stays);
 *  - the output holds no section for the name;
 *  - unless the remover refused (an indented header would turn into a
 *    continuation line), the output's headers are the input's other headers.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/ini.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct line {
    size_t off, len;
    enum atmos_ini_line kind;
    int target;
};

struct lines {
    size_t n, cap;
    struct line *v;
    enum atmos_ini_flavor flavor;
    const char *name;
};

static void collect(void *ctx, size_t off, size_t n, enum atmos_ini_line kind, const char *name,
                    size_t name_len)
{
    struct lines *ls = ctx;
    if (ls->n == ls->cap) {
        ls->cap = ls->cap ? ls->cap * 2 : 64;
        ls->v = realloc(ls->v, ls->cap * sizeof(*ls->v));
        if (ls->v == NULL)
            abort();
    }
    int target =
        kind == ATMOS_INI_HEADER && atmos_ini_header_matches(name, name_len, ls->flavor, ls->name);
    ls->v[ls->n++] = (struct line){off, n, kind, target};
}

/* "; atmos: expiration=" after leading blanks (and the file's BOM on line 0). */
static int atmos_comment(const char *buf, const struct line *l)
{
    static const char c[] = "; atmos: expiration=";
    const char *p = buf + l->off, *end = p + l->len;
    if (l->kind != ATMOS_INI_COMMENT)
        return 0;
    if (l->off == 0 && l->len >= 3 && memcmp(p, "\xEF\xBB\xBF", 3) == 0)
        p += 3;
    while (p < end && (*p == ' ' || *p == '\t' || *p == '\r' || *p == '\f' || *p == '\v'))
        p++;
    return (size_t)(end - p) >= sizeof(c) - 1 && memcmp(p, c, sizeof(c) - 1) == 0;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    enum atmos_ini_flavor fl = data[0] & 1 ? ATMOS_INI_CONFIG : ATMOS_INI_CREDENTIALS;
    const char *rest = (const char *)data + 1;
    const char *nul = memchr(rest, '\0', size - 1);
    if (nul == NULL || nul == rest)
        return 0;
    char *name = strndup(rest, (size_t)(nul - rest));
    const char *in = nul + 1;
    size_t len = size - 1 - (size_t)(nul - rest) - 1;

    struct atmos_buf out = {0};
    struct atmos_ini_result res;
    if (atmos_ini_remove(in, len, fl, name, &out, &res) != 0)
        abort();
    const char *o = out.data ? out.data : "";

    struct lines a = {0, 0, NULL, fl, name};
    atmos_ini_scan(in, len, collect, &a);
    char *drop = calloc(a.n + 1, 1);
    size_t found = 0;
    for (size_t i = 0; i < a.n; i++) {
        if (!a.v[i].target)
            continue;
        found++;
        size_t start = i, end = i + 1;
        if (i > 0 && atmos_comment(in, &a.v[i - 1]))
            start = i - 1;
        while (end < a.n && a.v[end].kind != ATMOS_INI_HEADER)
            end++;
        if (end < a.n)
            while (end - 1 > i && a.v[end - 1].kind == ATMOS_INI_COMMENT)
                end--;
        memset(drop + start, 1, end - start);
    }
    if ((size_t)res.found != found)
        abort();
    struct atmos_buf want = {0};
    int bom = len >= 3 && memcmp(in, "\xEF\xBB\xBF", 3) == 0;
    if (bom && a.n > 0 && drop[0])
        atmos_buf_append(&want, in, 3);
    for (size_t i = 0; i < a.n; i++)
        if (!drop[i])
            atmos_buf_append(&want, in + a.v[i].off, a.v[i].len);
    if (want.len != out.len || (out.len && memcmp(want.data, o, out.len) != 0))
        abort(); /* not exactly the input minus the target's lines */

    if (!res.unsafe) {
        struct lines b = {0, 0, NULL, fl, name};
        atmos_ini_scan(o, out.len, collect, &b);
        size_t j = 0;
        for (size_t i = 0; i < b.n; i++) {
            if (b.v[i].target)
                abort(); /* the section is still there */
            if (b.v[i].kind != ATMOS_INI_HEADER)
                continue;
            while (j < a.n && (a.v[j].kind != ATMOS_INI_HEADER || drop[j]))
                j++;
            if (j == a.n)
                abort(); /* a header the input did not have */
            j++;
        }
        free(b.v);
    }
    free(a.v);
    free(drop);
    atmos_buf_free(&want);
    atmos_buf_free(&out);
    free(name);
    return 0;
}

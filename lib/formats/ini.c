/*
 * Removing one profile section from an AWS credentials or config file while
 * keeping every other byte as it was.
 *
 * Lines are classified the way Python's configparser (used by botocore) reads
 * them, so that what we call a section is what the AWS CLI calls a section:
 *  - blank and full-line comment lines (# or ;) change nothing;
 *  - a line indented deeper than the option above it continues that option's
 *    value (nested blocks such as `s3 =` then indented keys), even if it looks
 *    like a header;
 *  - otherwise a stripped line of the form [...] is a header, the name being
 *    everything between the first '[' and the last ']'.
 * A section runs from its header to the next header, minus the comment lines
 * directly above the next header (they describe that section).  The atmos
 * comment `; atmos: expiration=...` directly above a header belongs to it.
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/error.h>

#include "formats/ini.h"
#include "base/strings.h"

enum line_kind { L_BLANK, L_COMMENT, L_HEADER, L_OPTION, L_CONT };

struct line {
    size_t off, len;           /* whole line including its terminator */
    size_t name_off, name_len; /* header name */
    enum line_kind kind;
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v';
}

static const char atmos_comment[] = "; atmos: expiration=";

static int is_default(const char *h, size_t hlen)
{
    return hlen == 7 && memcmp(h, "DEFAULT", 7) == 0;
}

/* What the line s[off..end) is, as configparser reads it. */
static void kind_of(const char *s, size_t off, size_t end, struct line *l, int *in_value,
                    size_t *value_indent)
{
    size_t a = off, b = end;
    const char *rb;
    while (a < b && is_ws(s[a]))
        a++;
    size_t indent = a - off;
    while (b > a && (is_ws(s[b - 1]) || s[b - 1] == '\n'))
        b--;
    if (a == b) {
        l->kind = L_BLANK;
    } else if (s[a] == '#' || s[a] == ';') {
        l->kind = L_COMMENT;
    } else if (*in_value && indent > *value_indent) {
        l->kind = L_CONT;
    } else if (s[a] == '[' && (rb = memrchr(s + a + 1, ']', b - a - 1)) != NULL &&
               rb > s + a + 1) {
        /* configparser's \[(.+)\] is greedy: the name ends at the last ']'. */
        l->kind = L_HEADER;
        l->name_off = a + 1;
        l->name_len = (size_t)(rb - (s + a + 1));
        *in_value = 0;
    } else {
        l->kind = L_OPTION;
        *in_value = 1;
        *value_indent = indent;
    }
}

/* Split and classify into *out (*nout lines): ATMOS_OK, or ATMOS_ENOMEM with *out NULL. */
static int classify(const char *s, size_t len, struct line **out, size_t *nout)
{
    size_t cap = 64, n = 0;
    struct line *v = malloc(cap * sizeof(*v));
    int in_value = 0; /* after an option: a deeper indented line continues its value */
    size_t value_indent = 0;
    *out = NULL;
    *nout = 0;
    if (v == NULL)
        return ATMOS_ENOMEM;
    for (size_t off = 0; off < len;) {
        const char *nl = memchr(s + off, '\n', len - off);
        size_t end = nl ? (size_t)(nl - s) + 1 : len;
        if (n == cap) {
            struct line *p = realloc(v, (cap *= 2) * sizeof(*v));
            if (p == NULL) {
                free(v);
                return ATMOS_ENOMEM;
            }
            v = p;
        }
        struct line *l = &v[n++];
        memset(l, 0, sizeof(*l));
        l->off = off;
        l->len = end - off;

        /* A UTF-8 byte order mark at the start of the file is not content. */
        if (off == 0)
            off = atmos_bom_len(s, len);
        kind_of(s, off, end, l, &in_value, &value_indent);
        off = end;
    }
    *out = v;
    *nout = n;
    return ATMOS_OK;
}

/*
 * Split a header like shlex (POSIX mode) into at most 3 tokens: *ntok of
 * them, 4 when there are more.  ATMOS_OK, or ATMOS_EINVAL for unbalanced
 * quotes or a trailing backslash (botocore skips such sections).
 */
static int shlex3(const char *s, size_t len, char tok[3][512], int *ntok)
{
    int n = 0;
    size_t i = 0;
    *ntok = 0;
    while (i < len) {
        while (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        if (i >= len)
            break;
        if (n == 3) {
            *ntok = 4;
            return ATMOS_OK;
        }
        size_t o = 0;
        while (i < len && s[i] != ' ' && s[i] != '\t') {
            char c = s[i++];
            if (c == '\'' || c == '"') {
                char q = c;
                for (;;) {
                    if (i >= len)
                        return ATMOS_EINVAL;
                    c = s[i++];
                    if (c == q)
                        break;
                    if (q == '"' && c == '\\' && i < len && (s[i] == '"' || s[i] == '\\'))
                        c = s[i++];
                    if (o < 511)
                        tok[n][o++] = c;
                }
                continue;
            }
            if (c == '\\') {
                if (i >= len)
                    return ATMOS_EINVAL;
                c = s[i++];
            }
            if (o < 511)
                tok[n][o++] = c;
        }
        tok[n++][o] = '\0';
    }
    *ntok = n;
    return ATMOS_OK;
}

int atmos_ini_header_matches(const char *h, size_t hlen, enum atmos_ini_flavor flavor,
                             const char *name)
{
    size_t nlen = strlen(name);
    /* [DEFAULT] holds defaults for every profile: never ours to remove. */
    if (is_default(h, hlen))
        return 0;
    if (flavor == ATMOS_INI_CREDENTIALS)
        return hlen == nlen && memcmp(h, name, nlen) == 0;
    if (strcmp(name, "default") == 0 && hlen == 7 && memcmp(h, "default", 7) == 0)
        return 1;
    if (hlen < 7 || memcmp(h, "profile", 7) != 0 || hlen >= 1024)
        return 0;
    char tok[3][512];
    int n;
    return shlex3(h, hlen, tok, &n) == ATMOS_OK && n == 2 && strcmp(tok[0], "profile") == 0 &&
           strcmp(tok[1], name) == 0;
}

static int is_atmos_comment(const char *s, const struct line *l)
{
    const char *p = s + l->off;
    size_t len = l->len;
    size_t bom = l->off == 0 ? atmos_bom_len(p, len) : 0; /* as classify() reads line 0 */
    p += bom, len -= bom;
    while (len > 0 && is_ws(*p))
        p++, len--;
    return l->kind == L_COMMENT && len >= sizeof(atmos_comment) - 1 &&
           memcmp(p, atmos_comment, sizeof(atmos_comment) - 1) == 0;
}

/*
 * The output must read as the input minus the removed sections: the same
 * headers, in the same order.  Removing lines can change how the next lines
 * read (an indented "[next]" after an option is a continuation of it), so
 * read the output again rather than trust the line arithmetic.
 */
static int same_headers(const char *in, const struct line *v, size_t n, const char *drop,
                        const char *out, size_t olen)
{
    struct line *w = NULL;
    size_t m, j = 0;
    int ok = classify(out, olen, &w, &m) == ATMOS_OK; /* out of memory: not shown safe */
    for (size_t i = 0; ok && i < n; i++) {
        if (drop[i] || v[i].kind != L_HEADER)
            continue;
        while (j < m && w[j].kind != L_HEADER)
            j++;
        ok = j < m && w[j].name_len == v[i].name_len &&
             memcmp(out + w[j].name_off, in + v[i].name_off, v[i].name_len) == 0;
        j++;
    }
    while (ok && j < m)
        ok = w[j++].kind != L_HEADER;
    free(w);
    return ok;
}

int atmos_ini_remove(const char *in, size_t len, enum atmos_ini_flavor flavor, const char *name,
                     struct atmos_buf *out, struct atmos_ini_result *res)
{
    struct line *v = NULL;
    size_t n;
    char *drop = NULL;
    memset(res, 0, sizeof(*res));
    int rc = classify(in, len, &v, &n);
    if (rc != ATMOS_OK)
        goto done;
    rc = ATMOS_ENOMEM;
    if ((drop = calloc(n + 1, 1)) == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (v[i].kind != L_HEADER)
            continue;
        if (!atmos_ini_header_matches(in + v[i].name_off, v[i].name_len, flavor, name))
            continue;
        res->found++;
        size_t start = i, end = i + 1;
        if (start > 0 && is_atmos_comment(in, &v[start - 1]))
            start--;
        while (end < n && v[end].kind != L_HEADER)
            end++;
        if (end < n)
            while (end - 1 > i && v[end - 1].kind == L_COMMENT)
                end--;
        memset(drop + start, 1, end - start);
    }
    /* A byte order mark stays even when the first section goes. */
    size_t bom = atmos_bom_len(in, len);
    if (n > 0 && drop[0] && bom && atmos_buf_append(out, in, bom) != 0)
        goto done;
    for (size_t i = 0; i < n; i++) {
        if (drop[i])
            continue;
        if (v[i].kind == L_HEADER && !is_default(in + v[i].name_off, v[i].name_len))
            res->sections_left++;
        if (atmos_buf_append(out, in + v[i].off, v[i].len) != 0)
            goto done;
    }
    res->unsafe = !same_headers(in, v, n, drop, out->data ? out->data : "", out->len);
    rc = ATMOS_OK;
done:
    free(drop);
    free(v);
    return rc;
}

void atmos_ini_scan(const char *in, size_t len,
                    void (*fn)(void *ctx, size_t off, size_t n, enum atmos_ini_line kind,
                               const char *name, size_t name_len),
                    void *ctx)
{
    static const enum atmos_ini_line kinds[] = {ATMOS_INI_BLANK, ATMOS_INI_COMMENT,
                                                ATMOS_INI_HEADER, ATMOS_INI_OPTION,
                                                ATMOS_INI_CONTINUATION};
    struct line *v = NULL;
    size_t n = 0;
    /* Out of memory: no line is reported (n stays 0). */
    (void)classify(in, len, &v, &n);
    for (size_t i = 0; i < n; i++)
        fn(ctx, v[i].off, v[i].len, kinds[v[i].kind], in + v[i].name_off, v[i].name_len);
    free(v);
}

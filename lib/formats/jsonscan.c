/*
 * The strict JSON scanner (see formats/jsonscan.h).  One pass, no allocation, no
 * recursion: a stack of ATMOS_JSCAN_MAX_DEPTH bytes remembers which
 * containers are open, and the positions of the values of depth 0 to 2 are
 * kept for the callback.  Exactly RFC 8259's grammar: no comments, no
 * trailing commas, no single quotes, no NaN, no leading zeros or '+', no
 * control characters in strings; strings are UTF-8 (no overlong forms, no
 * encoded surrogates).
 */
#include <stdint.h>
#include <string.h>

#include <atmos/error.h>

#include "base/strings.h"
#include "formats/jsonscan.h"

#define TRACKED 3 /* depths 0, 1, 2 */

struct level {
    size_t start, value, count0;
    const char *key;
    size_t key_len;
};

struct scan {
    const char *p;
    size_t len, i;
    unsigned depth; /* open containers */
    unsigned char open[ATMOS_JSCAN_MAX_DEPTH];
    struct level lv[TRACKED];
    size_t count; /* values begun */
    const char *reason;
};

static int is_ws(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r';
}

static void skip_ws(struct scan *s)
{
    while (s->i < s->len && is_ws(s->p[s->i]))
        s->i++;
}

/* Every failure of the scan is the document's: ATMOS_EINVAL, the reason kept for the error. */
static int fail(struct scan *s, const char *reason)
{
    s->reason = reason;
    return ATMOS_EINVAL;
}

static int is_hex(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* Length of the UTF-8 sequence at q (n bytes left), 0 when it is not one. */
static size_t utf8_len(const unsigned char *q, size_t n)
{
    unsigned char c = q[0], lo = 0x80, hi = 0xbf;
    size_t need;
    if (c >= 0xc2 && c <= 0xdf)
        need = 1;
    else if (c >= 0xe0 && c <= 0xef) {
        need = 2;
        if (c == 0xe0)
            lo = 0xa0; /* overlong */
        if (c == 0xed)
            hi = 0x9f; /* a surrogate */
    } else if (c >= 0xf0 && c <= 0xf4) {
        need = 3;
        if (c == 0xf0)
            lo = 0x90; /* overlong */
        if (c == 0xf4)
            hi = 0x8f; /* above U+10FFFF */
    } else
        return 0;
    if (n < need + 1 || q[1] < lo || q[1] > hi)
        return 0;
    for (size_t k = 2; k <= need; k++)
        if ((q[k] & 0xc0) != 0x80)
            return 0;
    return need + 1;
}

/* s->i at the opening quote; on return just past the closing one. */
static int string(struct scan *s)
{
    const unsigned char *q = (const unsigned char *)s->p;
    for (s->i++; s->i < s->len;) {
        unsigned char c = q[s->i];
        if (c == '"') {
            s->i++;
            return ATMOS_OK;
        }
        if (c < 0x20)
            return fail(s, "a control character in a string");
        if (c == '\\') {
            if (s->i + 1 >= s->len)
                break;
            c = q[s->i + 1];
            if (c == 'u') {
                if (s->i + 6 > s->len)
                    break;
                for (size_t k = 2; k < 6; k++)
                    if (!is_hex(q[s->i + k]))
                        return fail(s, "a bad \\u escape");
                s->i += 6;
            } else if (c && strchr("\"\\/bfnrt", c)) {
                s->i += 2;
            } else
                return fail(s, "a bad escape in a string");
        } else if (c < 0x80) {
            s->i++;
        } else {
            size_t n = utf8_len(q + s->i, s->len - s->i);
            if (n == 0)
                return fail(s, "a string that is not UTF-8");
            s->i += n;
        }
    }
    return fail(s, "an unterminated string");
}

static int digits(struct scan *s)
{
    size_t from = s->i;
    while (s->i < s->len && s->p[s->i] >= '0' && s->p[s->i] <= '9')
        s->i++;
    return s->i > from ? ATMOS_OK : fail(s, "a bad number");
}

/* -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)? */
static int number(struct scan *s)
{
    if (s->p[s->i] == '-')
        s->i++;
    if (s->i < s->len && s->p[s->i] == '0')
        s->i++;
    else if (digits(s) != 0)
        return ATMOS_EINVAL;
    if (s->i < s->len && s->p[s->i] == '.') {
        s->i++;
        if (digits(s) != 0)
            return ATMOS_EINVAL;
    }
    if (s->i < s->len && (s->p[s->i] == 'e' || s->p[s->i] == 'E')) {
        s->i++;
        if (s->i < s->len && (s->p[s->i] == '+' || s->p[s->i] == '-'))
            s->i++;
        if (digits(s) != 0)
            return ATMOS_EINVAL;
    }
    return ATMOS_OK;
}

static int literal(struct scan *s, const char *word)
{
    size_t n = strlen(word);
    if (s->len - s->i < n || memcmp(s->p + s->i, word, n) != 0)
        return fail(s, "unexpected character");
    s->i += n;
    return ATMOS_OK;
}

/* A member's name and colon; s->i at the name's quote.  Leaves s->i at the value. */
static int member_name(struct scan *s, struct level *l)
{
    if (s->i >= s->len || s->p[s->i] != '"')
        return fail(s, s->i >= s->len ? "unexpected end" : "expected a member name");
    l->start = s->i;
    if (string(s) != 0)
        return ATMOS_EINVAL;
    l->key = s->p + l->start + 1;
    l->key_len = s->i - l->start - 2;
    skip_ws(s);
    if (s->i >= s->len || s->p[s->i] != ':')
        return fail(s, "expected ':'");
    s->i++;
    skip_ws(s);
    return ATMOS_OK;
}

/* Before a member's name or an element: where it starts, at the current depth. */
static struct level *next_level(struct scan *s, struct level *untracked)
{
    struct level *l = s->depth < TRACKED ? &s->lv[s->depth] : untracked;
    memset(l, 0, sizeof(*l));
    l->start = s->i;
    return l;
}

static int ended(struct scan *s, atmos_jscan_fn fn, void *arg)
{
    if (s->depth >= TRACKED)
        return 0;
    const struct level *l = &s->lv[s->depth];
    struct atmos_jscan_value v = {
        .depth = s->depth,
        .key = l->key,
        .key_len = l->key_len,
        .parent_key = s->depth == 2 ? s->lv[1].key : NULL,
        .parent_key_len = s->depth == 2 ? s->lv[1].key_len : 0,
        .start = l->start,
        .value = l->value,
        .end = s->i,
        .nvalues = s->count - l->count0,
    };
    return fn(arg, &v);
}

/* After a value: the containers it ends, then a ',' and the next member's name (*more 1), or
 * the end of the text (*more 0). */
static int after_value(struct scan *s, atmos_jscan_fn fn, void *arg, struct level *untracked,
                       int *more)
{
    int rc;
    *more = 0;
    for (;;) {
        if ((rc = ended(s, fn, arg)) != 0)
            return rc;
        skip_ws(s);
        if (s->depth == 0)
            return s->i == s->len ? ATMOS_OK : fail(s, "text after the end");
        if (s->i >= s->len)
            return fail(s, "unexpected end");
        char close = s->open[s->depth - 1] == '{' ? '}' : ']';
        if (s->p[s->i] == close) {
            s->i++;
            s->depth--;
            continue;
        }
        if (s->p[s->i] != ',')
            return fail(s, close == '}' ? "expected ',' or '}'" : "expected ',' or ']'");
        s->i++;
        skip_ws(s);
        struct level *l = next_level(s, untracked);
        *more = 1;
        return close == '}' && member_name(s, l) != 0 ? ATMOS_EINVAL : ATMOS_OK;
    }
}

static int scan(struct scan *s, atmos_jscan_fn fn, void *arg)
{
    int rc;
    s->i = atmos_bom_len(s->p, s->len); /* a byte order mark is not the value */
    skip_ws(s);
    if (s->i >= s->len)
        return fail(s, "no value");
    struct level untracked;
    next_level(s, &untracked);
    for (;;) {
        /* A value begins at s->i (its member's name, if any, is read). */
        if (s->i >= s->len)
            return fail(s, "unexpected end");
        if (s->depth < TRACKED) {
            s->lv[s->depth].value = s->i;
            s->lv[s->depth].count0 = s->count;
        }
        s->count++;
        char c = s->p[s->i];
        if (c == '{' || c == '[') {
            if (s->depth == ATMOS_JSCAN_MAX_DEPTH)
                return fail(s, "nested too deep");
            s->open[s->depth++] = (unsigned char)c;
            s->i++;
            skip_ws(s);
            if (s->i < s->len && s->p[s->i] == (c == '{' ? '}' : ']')) {
                s->i++;
                s->depth--;
            } else {
                struct level *l = next_level(s, &untracked);
                if (c == '{' && member_name(s, l) != 0)
                    return ATMOS_EINVAL;
                continue;
            }
        } else if (c == '"') {
            if (string(s) != 0)
                return ATMOS_EINVAL;
        } else if (c == '-' || (c >= '0' && c <= '9')) {
            if (number(s) != 0)
                return ATMOS_EINVAL;
        } else if (literal(s, c == 't' ? "true" : c == 'f' ? "false" : "null") != 0)
            return ATMOS_EINVAL;
        /* The value just read ended; so may the containers around it. */
        int more;
        if ((rc = after_value(s, fn, arg, &untracked, &more)) != ATMOS_OK || !more)
            return rc;
    }
}

int atmos_jscan(const char *p, size_t len, atmos_jscan_fn fn, void *arg,
                struct atmos_jscan_error *err)
{
    struct scan s;
    memset(&s, 0, sizeof(s));
    s.p = p;
    s.len = len;
    int rc = scan(&s, fn, arg);
    if (rc < 0) {
        err->offset = s.i;
        err->reason = s.reason;
        atmos_jscan_where(p, s.i, &err->line, &err->column);
    }
    return rc;
}

void atmos_jscan_where(const char *p, size_t offset, size_t *line, size_t *column)
{
    size_t l = 1, bol = 0;
    for (size_t k = 0; k < offset; k++)
        if (p[k] == '\n')
            l++, bol = k + 1;
    *line = l;
    *column = offset - bol + 1;
}

static unsigned hex4(const char *q)
{
    unsigned v = 0;
    for (int k = 0; k < 4; k++) {
        char c = q[k];
        v = v * 16 + (unsigned)(c <= '9' ? c - '0' : (c | 0x20) - 'a' + 10);
    }
    return v;
}

/* Encode code point `cp` as UTF-8 into out (4 bytes); its length. */
static size_t put_utf8(uint32_t cp, unsigned char *out)
{
    size_t n = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
    static const unsigned char lead[] = {0, 0, 0xc0, 0xe0, 0xf0};
    for (size_t k = n; k-- > 1; cp >>= 6)
        out[k] = (unsigned char)(0x80 | (cp & 0x3f));
    out[0] = (unsigned char)(lead[n] | cp);
    return n;
}

/*
 * One character of a string as written (escapes included) at key[*i], as
 * UTF-8 into buf; its length, 0 for a lone surrogate.  The string was checked
 * by the scanner: every escape in it is complete.
 */
static size_t next_char(const char *key, size_t key_len, size_t *i, unsigned char buf[4])
{
    if (key[*i] != '\\') {
        buf[0] = (unsigned char)key[(*i)++];
        return 1;
    }
    if (key[*i + 1] != 'u') {
        static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
        buf[0] = (unsigned char)to[strchr(from, key[*i + 1]) - from];
        *i += 2;
        return 1;
    }
    uint32_t cp = hex4(key + *i + 2);
    *i += 6;
    if (cp >= 0xd800 && cp <= 0xdbff && *i + 6 <= key_len && key[*i] == '\\' &&
        key[*i + 1] == 'u') {
        uint32_t lo = hex4(key + *i + 2);
        if (lo >= 0xdc00 && lo <= 0xdfff) {
            cp = 0x10000 + ((cp - 0xd800) << 10) + (lo - 0xdc00);
            *i += 6;
        }
    }
    if (cp >= 0xd800 && cp <= 0xdfff)
        return 0;
    return put_utf8(cp, buf);
}

int atmos_jscan_key_is(const char *key, size_t key_len, const char *s)
{
    size_t i = 0, n = strlen(s), at = 0;
    while (i < key_len) {
        unsigned char buf[4];
        size_t blen = next_char(key, key_len, &i, buf);
        if (blen == 0)
            return 0; /* a lone surrogate is no C string of ours */
        if (at + blen > n || memcmp(s + at, buf, blen) != 0)
            return 0;
        at += blen;
    }
    return at == n;
}

int atmos_jscan_decode(const char *raw, size_t raw_len, char *out, size_t *out_len)
{
    size_t i = 0, at = 0;
    while (i < raw_len) {
        unsigned char buf[4];
        size_t blen = next_char(raw, raw_len, &i, buf);
        if (blen == 0)
            return ATMOS_EINVAL; /* a lone surrogate */
        memcpy(out + at, buf, blen);
        at += blen;
    }
    out[at] = '\0';
    *out_len = at;
    return ATMOS_OK;
}

/*
 * Reading a dotenv file the way atmos does: atmos parses `env: !include .env`
 * with github.com/joho/godotenv v1.5.1 Parse (parser.go: parseBytes and the
 * functions it calls).  If we read a byte differently, a user's ATMOS_* setting
 * would mean one thing to atmos and another to us, so this follows godotenv's
 * rules, its quirks included, and refuses only where noted:
 *  - CRLF is LF everywhere; a lone CR ends an unquoted value;
 *  - statements are separated by (Unicode) white space and `#` comment lines,
 *    so `A="x" B=y` sets two variables;
 *  - `export ` (export and a blank) may precede a name; the name runs to the
 *    first `=` or `:`, its bytes read one at a time as Latin-1: letters,
 *    digits, `_`, `.` and blanks, the trailing blanks trimmed;
 *  - an unquoted value runs to the end of the line, is cut at the last `#`
 *    that follows a blank, is trimmed, has invalid UTF-8 replaced by U+FFFD
 *    and is expanded;
 *  - a quoted value runs to the first matching quote whose preceding byte is
 *    not a backslash (even when that backslash is itself escaped), may span
 *    lines, and loses any further quote characters at either end; single
 *    quotes are literal; double quotes turn \n and \r into their characters,
 *    drop the backslash before any other character but `$`, then expand;
 *  - expansion: \$ leaves `$` literal; otherwise $NAME, ${NAME}, $(NAME and
 *    any mix of those brackets with NAME in [A-Z0-9_]+ become the value set
 *    earlier in the file, else nothing (v1.5.1 never reads the environment);
 *    any other `$` stays.
 * Refused although godotenv accepts them: an empty name (`=x`, or a last line
 * with no `=`, which godotenv files under ""), a NUL byte, and what exceeds
 * the bounds in formats/dotenv.h.  godotenv rejects a byte order mark (its 0xBB is
 * not a name character), and so do we.
 *
 * Error messages name the file, line and column, never the file's text: a
 * value, or a misplaced piece of one, may be a secret.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dotenv.h"
#include "base/strings.h"

#define SLOTS (2 * ATMOS_DOTENV_MAX_VARS) /* a power of two, at most half full */

struct parser {
    const char *path;
    const char *s; /* the data with CRLF made LF */
    size_t len;
    size_t nl_pos, line_start; /* how far lines have been counted */
    unsigned line;
    struct atmos_dotenv_var *v;
    size_t n;
    uint16_t slot[SLOTS]; /* index + 1 into v by name hash; 0: empty */
    struct atmos_err *err;
};

/* The line of offset `off`; offsets asked for never go backwards. */
static unsigned line_at(struct parser *p, size_t off)
{
    while (p->nl_pos < off) {
        const char *nl = memchr(p->s + p->nl_pos, '\n', off - p->nl_pos);
        if (nl == NULL) {
            p->nl_pos = off;
            break;
        }
        p->line++;
        p->nl_pos = p->line_start = (size_t)(nl - p->s) + 1;
    }
    return p->line;
}

static unsigned col_at(struct parser *p, size_t off)
{
    line_at(p, off);
    return (unsigned)(off - p->line_start + 1);
}

/* Go's unicode.IsSpace on the rune at i (as utf8 decodes it): its length, or 0. */
static size_t uspace_len(const unsigned char *s, size_t i, size_t len)
{
    unsigned char c = s[i];
    if ((c >= '\t' && c <= '\r') || c == ' ')
        return 1;
    if (c == 0xC2 && i + 1 < len && (s[i + 1] == 0x85 || s[i + 1] == 0xA0))
        return 2;
    if (i + 2 >= len || (c != 0xE1 && c != 0xE2 && c != 0xE3))
        return 0;
    unsigned r = (unsigned)c << 16 | (unsigned)s[i + 1] << 8 | s[i + 2];
    if (r == 0xE19A80 || (r >= 0xE28080 && r <= 0xE2808A) || r == 0xE280A8 || r == 0xE280A9 ||
        r == 0xE280AF || r == 0xE2819F || r == 0xE38080)
        return 3;
    return 0;
}

/* godotenv's isSpace (a blank, never a line feed) on the decoded rune at i: its length, or 0. */
static size_t blank_len(const unsigned char *s, size_t i, size_t len)
{
    unsigned char c = s[i];
    if (c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ')
        return 1;
    if (c == 0xC2 && i + 1 < len && (s[i + 1] == 0x85 || s[i + 1] == 0xA0))
        return 2;
    return 0;
}

/*
 * The name loop takes each byte as the rune of that number (Latin-1), so a
 * lone 0x85 or 0xA0 is a blank there and é's lead byte 0xC3 is a letter.
 */
static int name_blank(unsigned char c)
{
    return c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ' || c == 0x85 || c == 0xA0;
}

/* Go's unicode.IsLetter || unicode.IsNumber on runes 0..255, or '_' or '.'. */
static int name_char(unsigned char c)
{
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' ||
        c == '.')
        return 1;
    return c == 0xAA || c == 0xB5 || c == 0xBA || (c >= 0xC0 && c != 0xD7 && c != 0xF7) ||
           c == 0xB2 || c == 0xB3 || c == 0xB9 || (c >= 0xBC && c <= 0xBE);
}

/* The length of the valid UTF-8 sequence at i (Go's rules), or 0 when it is not one. */
static size_t utf8_len(const unsigned char *s, size_t i, size_t len)
{
    unsigned char c = s[i];
    size_t n;
    unsigned char lo = 0x80, hi = 0xBF;
    if (c < 0x80)
        return 1;
    if (c >= 0xC2 && c <= 0xDF)
        n = 2;
    else if (c >= 0xE0 && c <= 0xEF)
        n = 3;
    else if (c >= 0xF0 && c <= 0xF4)
        n = 4;
    else
        return 0;
    if (c == 0xE0)
        lo = 0xA0;
    else if (c == 0xED)
        hi = 0x9F; /* no surrogates */
    else if (c == 0xF0)
        lo = 0x90;
    else if (c == 0xF4)
        hi = 0x8F; /* nothing past U+10FFFF */
    if (len - i < n || s[i + 1] < lo || s[i + 1] > hi)
        return 0;
    for (size_t k = 2; k < n; k++)
        if (s[i + k] < 0x80 || s[i + k] > 0xBF)
            return 0;
    return n;
}

/* How many bytes Go's regexp takes for one character at i (an invalid byte is one). */
static size_t char_len(const unsigned char *s, size_t i, size_t len)
{
    size_t n = utf8_len(s, i, len);
    return n ? n : 1;
}

static uint32_t hash(const char *s, size_t n)
{
    uint32_t h = 2166136261u;
    for (size_t i = 0; i < n; i++)
        h = (h ^ (unsigned char)s[i]) * 16777619u;
    return h;
}

/* The slot that holds `name` or the empty one where it would go. */
static uint16_t *find_slot(struct parser *p, const char *name, size_t n)
{
    for (uint32_t h = hash(name, n);; h++) {
        uint16_t *sl = &p->slot[h & (SLOTS - 1)];
        if (*sl == 0)
            return sl;
        const char *have = p->v[*sl - 1].name;
        if (strlen(have) == n && memcmp(have, name, n) == 0)
            return sl;
    }
}

static int too_long(struct parser *p, unsigned line)
{
    return atmos_fail(p->err, ATMOS_EINVAL, "%s:%u: a value longer than %d KiB", p->path, line,
                      ATMOS_DOTENV_MAX_VALUE / 1024);
}

static int put(struct parser *p, struct atmos_buf *b, const void *d, size_t n, unsigned line)
{
    if (b->len + n > ATMOS_DOTENV_MAX_VALUE)
        return too_long(p, line);
    if (atmos_buf_append(b, d, n) != 0)
        return atmos_fail(p->err, ATMOS_ENOMEM, "%s: out of memory", p->path);
    return ATMOS_OK;
}

/* A variable's value for expansion: the file's so far, else nothing. */
static int value_of(struct parser *p, const char *name, size_t n, const char **out)
{
    uint16_t *sl = find_slot(p, name, n);
    *out = *sl != 0 ? p->v[*sl - 1].value : "";
    return ATMOS_OK;
}

static int is_expand_name(unsigned char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_';
}

/*
 * godotenv's expandVariables: each match of \\?\$\(?\{?([A-Z0-9_]+)?\}? is
 * replaced, its optional parts taken whenever present.  (godotenv means to
 * leave $( alone too, but tests the wrong group, so $(NAME expands.)
 */
static int expand(struct parser *p, const char *in, size_t n, struct atmos_buf *out, unsigned line)
{
    int rc;
    for (size_t i = 0; i < n;) {
        size_t m = i;
        int escaped = in[m] == '\\' && m + 1 < n && in[m + 1] == '$';
        if (!escaped && in[m] != '$') {
            if ((rc = put(p, out, in + i, 1, line)) != ATMOS_OK)
                return rc;
            i++;
            continue;
        }
        m += escaped ? 2 : 1;
        if (m < n && in[m] == '(')
            m++;
        if (m < n && in[m] == '{')
            m++;
        size_t name = m;
        while (m < n && is_expand_name((unsigned char)in[m]))
            m++;
        size_t name_len = m - name;
        if (m < n && in[m] == '}')
            m++;
        if (escaped)
            rc = put(p, out, in + i + 1, m - i - 1, line);
        else if (name_len == 0)
            rc = put(p, out, in + i, m - i, line);
        else {
            const char *v;
            if ((rc = value_of(p, in + name, name_len, &v)) == ATMOS_OK)
                rc = put(p, out, v, strlen(v), line);
        }
        if (rc != ATMOS_OK)
            return rc;
        i = m;
    }
    return ATMOS_OK;
}

/*
 * godotenv's expandEscapes, in its two passes: \n and \r become LF and CR
 * (a backslash before any other character but a line feed is kept), then a
 * backslash before anything but `$` goes.
 */
static size_t unescape(char *s, size_t n)
{
    const unsigned char *u = (const unsigned char *)s;
    size_t o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] != '\n') {
            size_t k = char_len(u, i + 1, n);
            if (s[i + 1] == 'n' || s[i + 1] == 'r') {
                s[o++] = s[i + 1] == 'n' ? '\n' : '\r';
            } else {
                memmove(s + o, s + i, 1 + k);
                o += 1 + k;
            }
            i += 1 + k;
        } else {
            s[o++] = s[i++];
        }
    }
    n = o;
    o = 0;
    for (size_t i = 0; i < n;) {
        if (s[i] == '\\' && i + 1 < n && s[i + 1] != '$') {
            size_t k = char_len(u, i + 1, n);
            memmove(s + o, s + i + 1, k);
            o += k;
            i += 1 + k;
        } else {
            s[o++] = s[i++];
        }
    }
    return o;
}

/* A quoted value at q; *end is set past its closing quote. */
static int quoted(struct parser *p, size_t q, size_t *end, struct atmos_buf *val, unsigned line)
{
    const char *s = p->s;
    char quote = s[q];
    size_t i = q + 1;
    while (i < p->len && (s[i] != quote || s[i - 1] == '\\'))
        i++;
    if (i >= p->len)
        return atmos_fail(p->err, ATMOS_EINVAL, "%s:%u:%u: a quoted value with no closing quote",
                          p->path, line_at(p, q), col_at(p, q));
    *end = i + 1;
    size_t a = q, b = i;
    while (b > a && s[b - 1] == quote)
        b--;
    while (a < b && s[a] == quote)
        a++;
    if (quote == '\'') /* literal, no expansion */
        return put(p, val, s + a, b - a, line);

    char *tmp = malloc(b - a + 1);
    if (tmp == NULL)
        return atmos_fail(p->err, ATMOS_ENOMEM, "%s: out of memory", p->path);
    memcpy(tmp, s + a, b - a);
    size_t n = unescape(tmp, b - a);
    int rc = expand(p, tmp, n, val, line);
    free(tmp);
    return rc;
}

static int is_blank_rune(const char *s, size_t end)
{
    unsigned char c = (unsigned char)s[end - 1];
    if (c == '\t' || c == '\v' || c == '\f' || c == '\r' || c == ' ')
        return 1;
    return end >= 2 && (unsigned char)s[end - 2] == 0xC2 && (c == 0x85 || c == 0xA0);
}

/* An unquoted value at q, to the end of its line; *end is set to that line end. */
static int unquoted(struct parser *p, size_t q, size_t *end, struct atmos_buf *val, unsigned line)
{
    const unsigned char *u = (const unsigned char *)p->s;
    size_t e = q;
    while (e < p->len && p->s[e] != '\n' && p->s[e] != '\r')
        e++;
    *end = e;

    /* godotenv reads the line as runes: an invalid byte becomes U+FFFD. */
    struct atmos_buf line_buf = {0};
    int rc = ATMOS_OK;
    for (size_t i = q; i < e && rc == ATMOS_OK;) {
        size_t k = utf8_len(u, i, e);
        if (k == 0) {
            rc = atmos_buf_append(&line_buf, "\xEF\xBF\xBD", 3);
            i++;
        } else {
            rc = atmos_buf_append(&line_buf, u + i, k);
            i += k;
        }
    }
    if (rc != 0) {
        atmos_buf_free(&line_buf);
        return atmos_fail(p->err, ATMOS_ENOMEM, "%s: out of memory", p->path);
    }
    const char *s = line_buf.data ? line_buf.data : "";
    size_t n = line_buf.len;
    /* The last `#` after a blank starts a comment; an earlier one is content. */
    for (size_t i = n; i-- > 1;)
        if (s[i] == '#' && is_blank_rune(s, i)) {
            n = i;
            break;
        }
    const unsigned char *su = (const unsigned char *)s;
    size_t a = 0, k;
    while (n > 0 && is_blank_rune(s, n))
        n -= (unsigned char)s[n - 1] < 0x80 ? 1 : 2;
    while (a < n && (k = blank_len(su, a, n)) > 0)
        a += k;
    rc = expand(p, s + a, n - a, val, line);
    atmos_buf_free(&line_buf);
    return rc;
}

/* Set name (n bytes) to the value in val, which it takes over. */
static int set(struct parser *p, const char *name, size_t n, struct atmos_buf *val, unsigned line)
{
    uint16_t *sl = find_slot(p, name, n);
    char *value = val->data ? val->data : strdup("");
    if (value == NULL)
        return atmos_fail(p->err, ATMOS_ENOMEM, "%s: out of memory", p->path);
    *val = (struct atmos_buf){0};
    if (*sl != 0) {
        struct atmos_dotenv_var *v = &p->v[*sl - 1];
        free(v->value);
        v->value = value;
        v->line = line;
        return ATMOS_OK;
    }
    if (p->n == ATMOS_DOTENV_MAX_VARS) {
        free(value);
        return atmos_fail(p->err, ATMOS_EINVAL, "%s:%u: more than %d variables", p->path, line,
                          ATMOS_DOTENV_MAX_VARS);
    }
    char *nm = strndup(name, n);
    if (nm == NULL) {
        free(value);
        return atmos_fail(p->err, ATMOS_ENOMEM, "%s: out of memory", p->path);
    }
    p->v[p->n] = (struct atmos_dotenv_var){nm, value, line};
    *sl = (uint16_t)++p->n;
    return ATMOS_OK;
}

/* One statement at pos (not white space, not a comment); *next is set past it. */
static int statement(struct parser *p, size_t pos, size_t *next)
{
    const char *s = p->s;
    const unsigned char *u = (const unsigned char *)s;
    size_t k, i = pos;
    if (p->len - i >= 6 && memcmp(s + i, "export", 6) == 0 && i + 6 < p->len &&
        blank_len(u, i + 6, p->len) > 0) {
        i += 6;
        while (i < p->len && (k = blank_len(u, i, p->len)) > 0)
            i += k;
    }
    size_t name = i;
    unsigned line = line_at(p, name);
    for (; i < p->len && s[i] != '=' && s[i] != ':'; i++)
        if (!name_blank(u[i]) && !name_char(u[i]))
            return atmos_fail(p->err, ATMOS_EINVAL,
                              "%s:%u:%u: a variable name holds a character other than a letter, "
                              "digit, '_' or '.'",
                              p->path, line_at(p, i), col_at(p, i));
    if (i == p->len)
        return atmos_fail(p->err, ATMOS_EINVAL,
                          name == i ? "%s:%u: 'export' with no variable after it"
                                    : "%s:%u: a variable name with no '=' or ':' after it",
                          p->path, line);
    /* Trailing white space is not part of the name (Go's unicode.IsSpace). */
    size_t ne = i;
    while (ne > name) {
        unsigned char c = u[ne - 1];
        if ((c >= '\t' && c <= '\r') || c == ' ')
            ne--;
        else if (ne - name >= 2 && u[ne - 2] == 0xC2 && (c == 0x85 || c == 0xA0))
            ne -= 2;
        else
            break;
    }
    if (ne == name)
        return atmos_fail(p->err, ATMOS_EINVAL, "%s:%u:%u: a variable with an empty name", p->path,
                          line, col_at(p, i));

    size_t q = i + 1;
    while (q < p->len && (k = blank_len(u, q, p->len)) > 0)
        q += k;
    struct atmos_buf val = {0};
    int rc = q < p->len && (s[q] == '"' || s[q] == '\'') ? quoted(p, q, next, &val, line)
                                                         : unquoted(p, q, next, &val, line);
    if (rc == ATMOS_OK)
        rc = set(p, s + name, ne - name, &val, line);
    atmos_buf_free(&val);
    return rc;
}

/* godotenv's getStatementStart: past white space and `#` lines; len at the end. */
static size_t statement_start(struct parser *p, size_t i)
{
    const unsigned char *u = (const unsigned char *)p->s;
    for (;;) {
        size_t k;
        while (i < p->len && (k = uspace_len(u, i, p->len)) > 0)
            i += k;
        if (i == p->len || p->s[i] != '#')
            return i;
        const char *nl = memchr(p->s + i, '\n', p->len - i);
        if (nl == NULL)
            return p->len;
        i = (size_t)(nl - p->s);
    }
}

static int refuse_nul(const char *path, const char *data, size_t len, struct atmos_err *err)
{
    const char *z = memchr(data, '\0', len);
    if (z == NULL)
        return ATMOS_OK;
    unsigned line = 1;
    const char *ls = data;
    for (const char *c = data; c < z; c++)
        if (*c == '\n') {
            line++;
            ls = c + 1;
        }
    return atmos_fail(err, ATMOS_EINVAL, "%s:%u:%u: a NUL byte, which no text file holds", path,
                      line, (unsigned)(z - ls + 1));
}

int atmos_dotenv_parse(const char *path, const char *data, size_t len,
                       struct atmos_dotenv_var **out, size_t *n, struct atmos_err *err)
{
    struct parser *p = NULL;
    char *s = NULL;
    int rc;
    *out = NULL;
    *n = 0;
    if (len > 0 && (rc = refuse_nul(path, data, len, err)) != ATMOS_OK)
        return rc;
    if ((p = calloc(1, sizeof(*p))) == NULL || (s = malloc(len + 1)) == NULL ||
        (p->v = calloc(ATMOS_DOTENV_MAX_VARS, sizeof(*p->v))) == NULL) {
        rc = atmos_fail(err, ATMOS_ENOMEM, "%s: out of memory", path);
        goto done;
    }
    size_t sl = 0;
    for (size_t i = 0; i < len; i++)
        if (!(data[i] == '\r' && i + 1 < len && data[i + 1] == '\n'))
            s[sl++] = data[i];
    s[sl] = '\0';
    p->path = path;
    p->s = s;
    p->len = sl;
    p->line = 1;
    p->err = err;

    rc = ATMOS_OK;
    for (size_t pos = statement_start(p, 0); pos < p->len && rc == ATMOS_OK;) {
        size_t next = p->len;
        rc = statement(p, pos, &next);
        pos = statement_start(p, next);
    }
    if (rc == ATMOS_OK) {
        *out = p->v;
        *n = p->n;
        p->v = NULL;
    }
done:
    if (p != NULL)
        atmos_dotenv_free(p->v, p->n);
    free(p);
    free(s);
    return rc;
}

void atmos_dotenv_free(struct atmos_dotenv_var *v, size_t n)
{
    if (v == NULL)
        return;
    for (size_t i = 0; i < n; i++) {
        free(v[i].name);
        free(v[i].value);
    }
    free(v);
}

/*
 * `!env NAME [DEFAULT]` in atmos.yaml, evaluated as atmos evaluates it
 * (config/internal.h, atmos_yaml_env_value).
 */
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"

/* Go's \s, which atmos's argument lexer splits on. */
static int go_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

/* The next argument of s[*i..n) into dst (cap bytes, NUL-terminated), unquoted as atmos's
 * lexer and unquote() do: a word (up to white space or '|'), a lone '|', or a string quoted
 * with " or ' on one line, a doubled quote standing for one.  ATMOS_OK (*got: 1, or 0 when
 * there is no more), or ATMOS_EINVAL for what atmos refuses (an unterminated quote) or what
 * does not fit. */
static int env_arg(const char *s, size_t n, size_t *i, char *dst, size_t cap, int *got)
{
    size_t o = 0, j = *i;
    while (j < n && go_space(s[j]))
        j++;
    *got = j < n;
    if (j == n)
        return ATMOS_OK;
    char q = s[j];
    if (q == '"' || q == '\'') {
        for (j++; j < n && s[j] != '\r' && s[j] != '\n'; j++) {
            if (s[j] == q && !(j + 1 < n && s[j + 1] == q)) {
                dst[o] = '\0';
                *i = j + 1;
                return ATMOS_OK;
            }
            if (o + 1 >= cap)
                return ATMOS_EINVAL;
            dst[o++] = s[j];
            j += s[j] == q; /* a doubled quote: one */
        }
        return ATMOS_EINVAL;
    }
    do {
        if (o + 1 >= cap)
            return ATMOS_EINVAL;
        dst[o++] = s[j++];
    } while (q != '|' && j < n && !go_space(s[j]) && s[j] != '|');
    dst[o] = '\0';
    *i = j;
    return ATMOS_OK;
}

static void trim_slice(const char **s, size_t *len)
{
    while (*len && (go_space(**s) || **s == '\v'))
        (*s)++, (*len)--;
    while (*len && (go_space((*s)[*len - 1]) || (*s)[*len - 1] == '\v'))
        (*len)--;
}

void atmos_yaml_env_value(const char *args, size_t n, struct atmos_env_arg *buf, const char **out,
                          size_t *len)
{
    size_t i = 0;
    char extra[2];
    *out = "";
    *len = 0;
    int has_name, has_default, more;
    /* One or two arguments; anything else atmos refuses (ErrInvalidAtmosYAMLFunction): empty. */
    if (env_arg(args, n, &i, buf->name, sizeof(buf->name), &has_name) != ATMOS_OK || !has_name ||
        env_arg(args, n, &i, buf->dflt, sizeof(buf->dflt), &has_default) != ATMOS_OK)
        return;
    if (has_default && (env_arg(args, n, &i, extra, sizeof(extra), &more) != ATMOS_OK || more))
        return;
    const char *val = getenv(buf->name);
    *out = val ? val : has_default ? buf->dflt : "";
    *len = strlen(*out);
    trim_slice(out, len);
}

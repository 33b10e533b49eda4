/*
 * Small helpers: growable buffers, string vectors, path joining, SHA-1 and SHA-256 in hex.
 */
#include <errno.h>
#include <unistd.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <nettle/nettle-meta.h>
#include <nettle/sha1.h>
#include <nettle/sha2.h>

#include <atmos/env.h>
#include <atmos/error.h>
#include <atmos/privdrop.h>

#include "base/strings.h"

int atmos_buf_reserve(struct atmos_buf *b, size_t extra)
{
    if (b->len + extra + 1 > b->cap) {
        size_t cap = b->cap ? b->cap : 256;
        while (cap < b->len + extra + 1) {
            if (cap > SIZE_MAX / 2)
                return ATMOS_ENOMEM; /* more than any allocation could hold */
            cap *= 2;
        }
        char *p = realloc(b->data, cap);
        if (p == NULL)
            return ATMOS_ENOMEM;
        b->data = p;
        b->cap = cap;
    }
    return ATMOS_OK;
}

int atmos_buf_append(struct atmos_buf *b, const void *data, size_t len)
{
    if (len == 0)
        return ATMOS_OK;
    int rc = atmos_buf_reserve(b, len);
    if (rc != ATMOS_OK)
        return rc;
    memcpy(b->data + b->len, data, len);
    b->len += len;
    b->data[b->len] = '\0';
    return ATMOS_OK;
}

int atmos_buf_printf(struct atmos_buf *b, const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ATMOS_ENOMEM; /* vasprintf fails when it cannot allocate */
    int rc = atmos_buf_append(b, s, (size_t)n);
    free(s);
    return rc;
}

void atmos_buf_free(struct atmos_buf *b)
{
    /* Buffers hold the files we read: credentials, tokens, caches.  Nothing of
     * them is left in freed memory (a copy json-c makes while parsing one is). */
    if (b->data)
        explicit_bzero(b->data, b->cap);
    free(b->data);
    b->data = NULL;
    b->len = b->cap = 0;
}

char *atmos_strfmt(const char *fmt, ...)
{
    va_list ap;
    char *s = NULL;
    va_start(ap, fmt);
    int n = vasprintf(&s, fmt, ap);
    va_end(ap);
    return n < 0 ? NULL : s;
}

char *atmos_path_join(const char *a, const char *b)
{
    size_t la = strlen(a);
    while (la > 1 && a[la - 1] == '/')
        la--;
    return atmos_strfmt("%.*s/%s", (int)la, a, b);
}

char *atmos_strdup0(const char *s)
{
    return s ? strdup(s) : NULL;
}

int atmos_strv_push(char ***v, size_t *n, const char *s)
{
    char *copy = strdup(s);
    if (copy == NULL)
        return ATMOS_ENOMEM;
    char **p = realloc(*v, (*n + 1) * sizeof(**v));
    if (p == NULL) {
        free(copy);
        return ATMOS_ENOMEM;
    }
    p[(*n)++] = copy;
    *v = p;
    return ATMOS_OK;
}

static int cmp_str(const void *a, const void *b)
{
    return strcmp(*(char *const *)a, *(char *const *)b);
}

void atmos_strv_sort_unique(char **v, size_t *n)
{
    if (*n == 0)
        return;
    qsort(v, *n, sizeof(*v), cmp_str);
    size_t out = 1;
    for (size_t i = 1; i < *n; i++) {
        if (strcmp(v[i], v[out - 1]) == 0)
            free(v[i]);
        else
            v[out++] = v[i];
    }
    *n = out;
}

void atmos_strv_free(char **v, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(v[i]);
    free(v);
}

size_t atmos_bom_len(const char *p, size_t len)
{
    return len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
}

/*
 * The first `bytes` bytes of the digest of data by h (SHA-1 or SHA-256: the
 * context is sized for those) as 2 * bytes lowercase hex digits and a NUL.
 * Not snprintf: 10,000 identities hash 20,000 names.
 */
static void digest_hex(const struct nettle_hash *h, const void *data, size_t len, size_t bytes,
                       char *out)
{
    static const char hex[] = "0123456789abcdef";
    union {
        struct sha1_ctx sha1;
        struct sha256_ctx sha256;
    } ctx;
    uint8_t digest[SHA256_DIGEST_SIZE];
    h->init(&ctx);
    h->update(&ctx, len, data);
    h->digest(&ctx, h->digest_size, digest);
    for (size_t i = 0; i < bytes; i++) {
        out[2 * i] = hex[digest[i] >> 4];
        out[2 * i + 1] = hex[digest[i] & 15];
    }
    out[2 * bytes] = '\0';
}

void atmos_sha1_hex(const void *data, size_t len, char out[41])
{
    digest_hex(&nettle_sha1, data, len, SHA1_DIGEST_SIZE, out);
}

void atmos_sha256_hex16(const void *data, size_t len, char out[17])
{
    digest_hex(&nettle_sha256, data, len, 8, out);
}

const char *atmos_tilde(const char *home, const char *path, char *buf, size_t len)
{
    size_t lh = home ? strlen(home) : 0;
    if (lh > 1 && strncmp(path, home, lh) == 0 && path[lh] == '/') {
        snprintf(buf, len, "~%s", path + lh);
        return buf;
    }
    return path;
}

int atmos_write_line(int fd, const char *fmt, ...)
{
    char line[600];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(line, sizeof(line) - 1, fmt, ap);
    va_end(ap);
    if (n < 0)
        return ATMOS_EINVAL; /* a conversion the format cannot make */
    if ((size_t)n > sizeof(line) - 2)
        n = (int)sizeof(line) - 2;
    /* One record per line: an embedded newline would split it. */
    for (int i = 0; i < n; i++)
        if (line[i] == '\n')
            line[i] = ' ';
    line[n++] = '\n';
    /* A short write fails too: half a record is no record. */
    return write(fd, line, (size_t)n) == (ssize_t)n ? ATMOS_OK : ATMOS_ESYS;
}

void atmos_ascii_lower(char *dst, const char *src, size_t n)
{
    for (size_t i = 0; i < n; i++)
        dst[i] = src[i] >= 'A' && src[i] <= 'Z' ? (char)(src[i] - 'A' + 'a') : src[i];
}

void atmos_ascii_lower_str(char *s)
{
    if (s)
        atmos_ascii_lower(s, s, strlen(s));
}

int atmos_ascii_upper(const char *s, size_t n)
{
    for (size_t i = 0; i < n; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            return 1;
    return 0;
}

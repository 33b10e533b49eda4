/*
 * The AWS CLI's own files, read-only: which role credentials it cached from
 * an SSO login.  botocore (SSOCredentialFetcher) names them
 * ~/.aws/cli/cache/<sha1>.json, sha1 of json.dumps(args, sort_keys=True,
 * separators=(',', ':')) with args {accountId, roleName, startUrl} for a
 * profile with sso_start_url, or {accountId, roleName, sessionName} for a
 * profile with sso_session.  The profiles come from the AWS CLI config file,
 * read with the same line rules as the INI remover (formats/ini.c).
 *
 * MUST: never change the AWS CLI config file; keep no value but the five
 * settings read here (the file may hold secrets in other keys).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "clouds/aws/cli.h"
#include "formats/ini.h"
#include "base/strings.h"

enum { K_URL, K_ACCOUNT, K_ROLE, K_SESSION, NKEYS };
static const char *const keys[NKEYS] = {"sso_start_url", "sso_account_id", "sso_role_name",
                                        "sso_session"};

struct section {
    char *name;
    int is_session; /* [sso-session NAME], else a profile */
    char *v[NKEYS];
};

struct reader {
    const char *in;
    struct section *s;
    size_t n;
    int oom;
    unsigned bad_line; /* first line that is neither blank, comment, header nor key = value */
    unsigned line;
};

static char *trimmed(const char *p, size_t n)
{
    while (n && (*p == ' ' || *p == '\t'))
        p++, n--;
    while (n && strchr(" \t\r\n", p[n - 1]))
        n--;
    return strndup(p, n);
}

static void on_line(void *ctx, size_t off, size_t n, enum atmos_ini_line kind, const char *name,
                    size_t name_len)
{
    struct reader *r = ctx;
    const char *p = r->in + off;
    r->line++;
    if (r->oom)
        return;
    if (kind == ATMOS_INI_HEADER) {
        struct section *v = realloc(r->s, (r->n + 1) * sizeof(*v));
        if (v == NULL) {
            r->oom = 1;
            return;
        }
        r->s = v;
        struct section *s = &v[r->n++];
        memset(s, 0, sizeof(*s));
        /* botocore: [profile NAME], [default], [sso-session NAME]. */
        if (name_len > 8 && strncmp(name, "profile ", 8) == 0)
            s->name = trimmed(name + 8, name_len - 8);
        else if (name_len > 12 && strncmp(name, "sso-session ", 12) == 0)
            s->name = trimmed(name + 12, name_len - 12), s->is_session = 1;
        else
            s->name = trimmed(name, name_len);
        r->oom = s->name == NULL;
        return;
    }
    if (kind != ATMOS_INI_OPTION)
        return;
    const char *eq = memchr(p, '=', n), *colon = memchr(p, ':', n);
    const char *d = eq && (!colon || eq < colon) ? eq : colon;
    if (d == NULL) {
        if (r->bad_line == 0)
            r->bad_line = r->line;
        return;
    }
    if (r->n == 0)
        return; /* before any section: configparser refuses the file; nothing of ours */
    struct section *s = &r->s[r->n - 1];
    char *k = trimmed(p, (size_t)(d - p));
    for (int i = 0; k && i < NKEYS; i++) {
        if (strcasecmp(k, keys[i]) == 0) {
            free(s->v[i]);
            if ((s->v[i] = trimmed(d + 1, n - (size_t)(d + 1 - p))) == NULL)
                r->oom = 1;
        }
    }
    r->oom |= k == NULL;
    free(k);
}

/* One UTF-8 code point at p (a malformed sequence: its first byte alone); *len its bytes. */
static unsigned decode(const unsigned char *p, unsigned *len)
{
    unsigned cp = *p, n = cp >= 0xf0 ? 4 : cp >= 0xe0 ? 3 : cp >= 0xc0 ? 2 : 1;
    *len = 1;
    if (n == 1)
        return cp;
    cp &= n == 4 ? 0x07 : n == 3 ? 0x0f : 0x1f;
    for (unsigned i = 1; i < n; i++) {
        if ((p[i] & 0xc0) != 0x80)
            return *p; /* stops at the terminating NUL too */
        cp = (cp << 6) | (p[i] & 0x3f);
    }
    *len = n;
    return cp;
}

/* Python's json.dumps of a string (ensure_ascii): what botocore hashes. */
static int json_str(struct atmos_buf *b, const char *s)
{
    static const char esc[][3] = {['"'] = "\\\"", ['\\'] = "\\\\", ['\n'] = "\\n", ['\r'] = "\\r",
                                  ['\t'] = "\\t", ['\b'] = "\\b",  ['\f'] = "\\f"};
    int rc = atmos_buf_append(b, "\"", 1);
    for (const unsigned char *p = (const unsigned char *)s; rc == 0 && *p;) {
        unsigned len, cp = decode(p, &len);
        if (cp < sizeof(esc) / sizeof(*esc) && esc[cp][0])
            rc = atmos_buf_append(b, esc[cp], 2);
        else if (cp < 0x20 || (cp >= 0x80 && cp < 0x10000))
            rc = atmos_buf_printf(b, "\\u%04x", cp);
        else if (cp >= 0x10000)
            rc = atmos_buf_printf(b, "\\u%04x\\u%04x", 0xd800 + ((cp - 0x10000) >> 10),
                                  0xdc00 + ((cp - 0x10000) & 0x3ff));
        else
            rc = atmos_buf_append(b, p, 1);
        p += len;
    }
    return rc == 0 ? atmos_buf_append(b, "\"", 1) : rc;
}

/* botocore's cache key (lowercase hex SHA-1): session NULL for a profile with sso_start_url. */
static int cache_key(const char *account, const char *role, const char *session,
                           const char *start_url, char out[41])
{
    struct atmos_buf b = {0};
    int rc = atmos_buf_append(&b, "{\"accountId\":", 13) || json_str(&b, account) ||
             atmos_buf_append(&b, ",\"roleName\":", 12) || json_str(&b, role) ||
             (session ? atmos_buf_append(&b, ",\"sessionName\":", 15) || json_str(&b, session)
                      : atmos_buf_append(&b, ",\"startUrl\":", 12) || json_str(&b, start_url)) ||
             atmos_buf_append(&b, "}", 1);
    if (rc == 0)
        atmos_sha1_hex(b.data, b.len, out);
    atmos_buf_free(&b);
    return rc ? -1 : 0;
}

int atmos_awscli_role_keys(const char *data, size_t len, const char *start_url, char ***hexes,
                           size_t *n, unsigned *bad_line)
{
    struct reader r = {data, NULL, 0, 0, 0, 0};
    *hexes = NULL;
    *n = 0;
    atmos_ini_scan(data, len, on_line, &r);
    *bad_line = r.bad_line;
    int rc = r.oom ? -1 : 0;
    for (size_t i = 0; rc == 0 && i < r.n; i++) {
        const struct section *s = &r.s[i];
        const char *url = s->v[K_URL], *session = s->v[K_SESSION];
        if (s->is_session || !s->v[K_ACCOUNT] || !s->v[K_ROLE])
            continue;
        if (session) {
            url = NULL; /* the session's start URL is what botocore uses */
            for (size_t k = r.n; k-- > 0;)
                if (r.s[k].is_session && strcmp(r.s[k].name, session) == 0) {
                    url = r.s[k].v[K_URL];
                    break;
                }
        }
        if (url == NULL || strcmp(url, start_url) != 0)
            continue;
        char hex[41];
        if (cache_key(s->v[K_ACCOUNT], s->v[K_ROLE], session, url, hex) != 0 ||
            atmos_strv_push(hexes, n, hex) != 0)
            rc = -1;
    }
    for (size_t i = 0; i < r.n; i++) {
        free(r.s[i].name);
        for (int k = 0; k < NKEYS; k++)
            free(r.s[i].v[k]);
    }
    free(r.s);
    if (rc != 0) {
        atmos_strv_free(*hexes, *n);
        *hexes = NULL;
        *n = 0;
    }
    return rc;
}

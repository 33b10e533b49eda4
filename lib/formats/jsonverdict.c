/*
 * Whether the tool that owns a JSON file would refuse it: the `check` of the
 * rules of docker's config.json and of the Azure CLI's MSAL cache (see
 * struct atmos_json_rule).  A file its own tool refuses is not ours to edit,
 * nor to make "more valid": formats/jsonedit.c leaves it byte for byte and says why.
 *
 * docker (cli/config/configfile, Go's encoding/json into ConfigFile):
 *  - a byte order mark, or a top level other than an object or null;
 *  - a field of ConfigFile of another type than its own (names matched as
 *    Go matches them: exactly, else case-insensitively); null is always fine;
 *  - an `auths` entry that is not an object, a field of it that is not a
 *    string, an `auth` (the last one not null) that is not base64 of
 *    "user:password" with a user (LoadFromReader -> decodeAuth).
 * Checked against docker 28's own reader (tests/e2e/test_editors_diff.sh).
 *
 * MSAL (msal.SerializableTokenCache: json.loads, then every search walks a
 * credential type's entries as dicts):
 *  - a byte order mark (json.loads refuses one), a top level not an object;
 *  - a credential type (Account, AccessToken, RefreshToken, IdToken,
 *    AppMetadata) that is not an object, null included;
 *  - an entry of one that is not an object (an empty list, which dict()
 *    takes, aside).
 *
 * MUST: look, never change; keep no byte of the file (reasons are static).
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/error.h>

#include "base/strings.h"
#include "formats/jsonscan.h"
#include "formats/jsonverdict.h"

enum kind { STR, MAP_STR, ARR_STR, AUTHS, PROXIES, PLUGINS };

struct field {
    const char *name;
    enum kind kind;
};

/* cli/config/configfile/file.go, ConfigFile (docker 28); Filename is json:"-". */
static const struct field config_fields[] = {
    {"auths", AUTHS},
    {"HttpHeaders", MAP_STR},
    {"psFormat", STR},
    {"imagesFormat", STR},
    {"networksFormat", STR},
    {"pluginsFormat", STR},
    {"volumesFormat", STR},
    {"statsFormat", STR},
    {"detachKeys", STR},
    {"credsStore", STR},
    {"credHelpers", MAP_STR},
    {"serviceInspectFormat", STR},
    {"servicesFormat", STR},
    {"tasksFormat", STR},
    {"secretFormat", STR},
    {"configFormat", STR},
    {"nodesFormat", STR},
    {"pruneFilters", ARR_STR},
    {"proxies", PROXIES},
    {"experimental", STR},
    {"currentContext", STR},
    {"cliPluginsExtraDirs", ARR_STR},
    {"plugins", PLUGINS},
    {"aliases", MAP_STR},
    {"features", MAP_STR},
    {NULL, STR},
};

/* types.AuthConfig and ProxyConfig: all strings. */
static const struct field auth_fields[] = {
    {"username", STR},      {"password", STR},      {"auth", STR},
    {"email", STR},         {"serveraddress", STR}, {"identitytoken", STR},
    {"registrytoken", STR}, {NULL, STR},
};
static const struct field proxy_fields[] = {
    {"httpProxy", STR}, {"httpsProxy", STR}, {"noProxy", STR},
    {"ftpProxy", STR},  {"allProxy", STR},   {NULL, STR},
};

/*
 * Go's bytes.EqualFold of a decoded name and an ASCII field name: letters
 * in either case, and the two non-ASCII letters that fold into ASCII ones
 * (U+017F long s into s, U+212A Kelvin into k).
 */
static int go_fold_eq(const char *a, size_t n, const char *field)
{
    size_t i = 0;
    for (const char *f = field; *f; f++) {
        char lf = (char)(*f | 0x20);
        if (i < n && (a[i] == *f || ((a[i] | 0x20) == lf && lf >= 'a' && lf <= 'z'))) {
            i++;
        } else if (lf == 's' && i + 1 < n && memcmp(a + i, "\xc5\xbf", 2) == 0) {
            i += 2;
        } else if (lf == 'k' && i + 2 < n && memcmp(a + i, "\xe2\x84\xaa", 3) == 0) {
            i += 3;
        } else
            return 0;
    }
    return i == n;
}

/* The field a member name (as written) is, as Go's decoder finds it: exact, else folded. */
static const struct field *lookup(const struct field *t, const char *raw, size_t raw_len)
{
    char name[128];
    size_t n;
    if (raw == NULL || raw_len >= sizeof(name) || atmos_jscan_decode(raw, raw_len, name, &n) != 0)
        return NULL; /* longer than any field's name, even written with escapes */
    for (const struct field *f = t; f->name; f++)
        if (strlen(f->name) == n && memcmp(f->name, name, n) == 0)
            return f;
    for (const struct field *f = t; f->name; f++)
        if (go_fold_eq(name, n, f->name))
            return f;
    return NULL;
}

int atmos_go_name_is(const char *raw, size_t raw_len, const char *field)
{
    const struct field t[] = {{field, STR}, {NULL, STR}};
    return lookup(t, raw, raw_len) != NULL;
}

static int b64(unsigned char c)
{
    if (c >= 'A' && c <= 'Z')
        return c - 'A';
    if (c >= 'a' && c <= 'z')
        return c - 'a' + 26;
    if (c >= '0' && c <= '9')
        return c - '0' + 52;
    return c == '+' ? 62 : c == '/' ? 63 : -1;
}

/*
 * Go's base64.StdEncoding.Decode: padded, CR and LF skipped, nothing after
 * the padding.  ATMOS_OK when s[0, n) decodes, else ATMOS_EINVAL; *colon is
 * the offset of the first ':' decoded, or -1.
 */
int atmos_go_base64(const char *s, size_t n, long *colon)
{
    int q[4], done = 0;
    size_t k = 0, decoded = 0;
    *colon = -1;
    for (size_t i = 0; i < n; i++) {
        if (s[i] == '\r' || s[i] == '\n')
            continue;
        if (done)
            return ATMOS_EINVAL; /* data after the padding */
        int d = s[i] == '=' ? -1 : b64((unsigned char)s[i]);
        if ((d < 0 && s[i] != '=') || (d >= 0 && k > 0 && q[k - 1] < 0))
            return ATMOS_EINVAL;
        q[k++] = d;
        if (k < 4)
            continue;
        if (q[0] < 0 || q[1] < 0)
            return ATMOS_EINVAL;
        int nbytes = q[2] < 0 ? 1 : q[3] < 0 ? 2 : 3;
        unsigned v = (unsigned)q[0] << 18 | (unsigned)q[1] << 12 |
                     (unsigned)(q[2] < 0 ? 0 : q[2]) << 6 | (unsigned)(q[3] < 0 ? 0 : q[3]);
        for (int j = 0; j < nbytes; j++, decoded++)
            if (((v >> (16 - 8 * j)) & 0xff) == ':' && *colon < 0)
                *colon = (long)decoded;
        done = nbytes < 3;
        k = 0;
    }
    return k == 0 ? ATMOS_OK : ATMOS_EINVAL;
}

/* decodeAuth: base64 (above), then "user:password" with a user.  `s` is the decoded string. */
static const char *auth_value(const char *s, size_t n)
{
    long colon;
    if (atmos_go_base64(s, n, &colon) != 0)
        return "an auth that is not base64";
    return colon > 0 ? NULL : "an auth that is not \"user:password\" in base64";
}

/* The members of one object value (depth 1 of its own scan) against a table of string fields. */
struct sub {
    const char *p;
    const struct field *fields; /* NULL: every member must be a string */
    const char *reason;
    size_t auth, auth_end; /* the last `auth` not null, as written */
};

static int sub_member(void *arg, const struct atmos_jscan_value *v)
{
    struct sub *s = arg;
    if (v->depth != 1 || v->key == NULL)
        return 0;
    const struct field *f = s->fields ? lookup(s->fields, v->key, v->key_len) : NULL;
    char c = s->p[v->value];
    if ((s->fields && f == NULL) || c == 'n')
        return 0;
    if (c != '"') {
        s->reason = "a field that must be a string is not one";
        return 1;
    }
    if (f && strcmp(f->name, "auth") == 0) {
        s->auth = v->value + 1;
        s->auth_end = v->end - 1;
    }
    return 0;
}

static const char *sub_check(const char *p, const struct atmos_jscan_value *v,
                             const struct field *fields, int auth)
{
    struct sub s = {.p = p + v->value, .fields = fields};
    struct atmos_jscan_error err;
    if (atmos_jscan(p + v->value, v->end - v->value, sub_member, &s, &err) < 0)
        return "unreadable";
    if (s.reason || !auth || s.auth_end <= s.auth)
        return s.reason;
    /* An ECR login's auth is some 2.5 KB; any length docker takes is taken. */
    size_t n = s.auth_end - s.auth, len;
    char *buf = malloc(n + 1);
    const char *why;
    if (buf == NULL)
        return "out of memory";
    if (atmos_jscan_decode(s.p + s.auth, n, buf, &len) != 0)
        why = "an auth that is not base64";
    else
        why = auth_value(buf, len);
    free(buf);
    return why;
}

const char *atmos_docker_check(const char *p, size_t len, const struct atmos_jscan_value *v)
{
    if (v == NULL)
        return atmos_bom_len(p, len) ? "a byte order mark, which docker's reader refuses" : NULL;
    char c = p[v->value];
    if (v->depth == 0)
        return c == '{' || c == 'n' ? NULL : "the top level is not an object";
    if (c == 'n')
        return NULL; /* null leaves any field as it is */
    const struct field *f =
        lookup(config_fields, v->depth == 1 ? v->key : v->parent_key,
               v->depth == 1 ? v->key_len : v->parent_key_len);
    if (f == NULL)
        return NULL;
    if (v->depth == 1) {
        int ok = f->kind == STR ? c == '"' : f->kind == ARR_STR ? c == '[' : c == '{';
        return ok ? NULL : "a field of another type than docker's";
    }
    switch (f->kind) {
    case STR:
        return NULL; /* refused at its own level */
    case MAP_STR:
    case ARR_STR:
        return c == '"' ? NULL : "a field of another type than docker's";
    case AUTHS:
        return c != '{' ? "a registry entry that is not an object" : sub_check(p, v, auth_fields, 1);
    case PROXIES:
        return c != '{' ? "a proxy entry that is not an object" : sub_check(p, v, proxy_fields, 0);
    case PLUGINS:
        return c != '{' ? "a plugin entry that is not an object" : sub_check(p, v, NULL, 0);
    }
    return NULL;
}

static const char *const msal_types[] = {"Account", "AccessToken", "RefreshToken", "IdToken",
                                         "AppMetadata", NULL};

static int msal_type(const char *raw, size_t n)
{
    for (const char *const *t = msal_types; raw && *t; t++)
        if (atmos_jscan_key_is(raw, n, *t))
            return 1;
    return 0;
}

const char *atmos_msal_check(const char *p, size_t len, const struct atmos_jscan_value *v)
{
    if (v == NULL)
        return atmos_bom_len(p, len) ? "a byte order mark, which MSAL's reader refuses" : NULL;
    char c = p[v->value];
    if (v->depth == 0)
        return c == '{' ? NULL : "the top level is not an object";
    if (v->depth == 1)
        return !msal_type(v->key, v->key_len) || c == '{'
                   ? NULL
                   : "a credential type that is not an object";
    if (!msal_type(v->parent_key, v->parent_key_len) || c == '{' ||
        (c == '[' && v->nvalues == 1))
        return NULL;
    return "an entry that is not an object";
}

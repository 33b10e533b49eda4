/*
 * The auth section of one parsed atmos.yaml (yamltree.c), merged into a
 * configuration, and what a file says about where more configuration is
 * (import:, base_path, profiles:).  Everything else is ignored.
 *
 * Merging follows atmos (pkg/config/load.go): providers, integrations and the
 * auth settings key by key, later files winning, a list replaced whole (viper
 * MergeConfig); an identity replaced whole by a later file's definition
 * (fixAuthIdentities re-reads auth.identities file by file).  Names are
 * lowercased as viper lowercases every map key.
 *
 * MUST: a shape that cannot be read (auth or one of its maps not a mapping, a
 * NUL in a string) fails the file with file:line:col; an entry atmos would
 * refuse only when used is kept with its `problem` and the rest still loads;
 * walks over aliases are bounded (ATMOS_YAML_MAX_NODES per file).
 */
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "config/internal.h"
#include "base/strings.h"

#define MAX_SPEC_FIELDS 256
#define MAX_PATH_BYTES 512

/*
 * The tree keeps equal short scalars once (yamltree.c), so the same `value`
 * pointer comes back for each identity's kind and provider: what was kept
 * for it is remembered by that pointer, for as long as the tree lives (one
 * atmos_config_apply).
 */
#define KEPT_SLOTS 16u
struct kept {
    const char *from; /* a tree node's value */
    int lower;
    char *kept;
};

struct ctx {
    const char *file;
    struct atmos_err *err;
    struct atmos_config *cfg; /* NULL: nothing is kept in its arena (atmos_config_file_meta) */
    unsigned budget;          /* nodes a walk may still visit */
    unsigned problems;        /* entry problems set so far (set_problem) */
    struct kept *kept;        /* KEPT_SLOTS, or NULL */
};

static struct atmos_mark mark_of(const struct ctx *c, const struct atmos_ynode *n)
{
    return (struct atmos_mark){c->file, n->line, n->column};
}

static int oom(const struct ctx *c)
{
    return atmos_fail(c->err, ATMOS_ENOMEM, "out of memory");
}

static int fail_at(const struct ctx *c, const struct atmos_ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(const struct ctx *c, const struct atmos_ynode *n, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return atmos_fail(c->err, ATMOS_EINVAL, "%s:%u:%u: %s", c->file, n->line, n->column, what);
}

/* An entry's problem, "file:line:col: what", replacing any earlier one. */
static int set_problem(struct ctx *c, char **problem, const struct atmos_ynode *n, const char *fmt,
                       ...) __attribute__((format(printf, 4, 5)));
static int set_problem(struct ctx *c, char **problem, const struct atmos_ynode *n, const char *fmt,
                       ...)
{
    c->problems++;
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    free(*problem);
    *problem = atmos_strfmt("%s:%u:%u: %s", c->file, n->line, n->column, what);
    return *problem ? ATMOS_OK : oom(c);
}

static int visit(struct ctx *c, const struct atmos_ynode *n)
{
    if (c->budget-- > 0)
        return ATMOS_OK;
    c->budget = 0;
    return fail_at(c, n, "more than %u YAML nodes, aliases included", ATMOS_YAML_MAX_NODES);
}

/* Go's \s, which atmos's argument lexer splits on. */
static int go_space(char ch)
{
    return ch == ' ' || ch == '\t' || ch == '\n' || ch == '\f' || ch == '\r';
}

/* The next argument of s[*i..n) into dst (cap bytes, NUL-terminated), unquoted as atmos's
 * lexer and unquote() do: a word (up to white space or '|'), a lone '|', or a string quoted
 * with " or ' on one line, a doubled quote standing for one.  1; 0: no more; -1: what atmos
 * refuses (an unterminated quote) or what does not fit. */
static int env_arg(const char *s, size_t n, size_t *i, char *dst, size_t cap)
{
    size_t o = 0, j = *i;
    while (j < n && go_space(s[j]))
        j++;
    if (j == n)
        return 0;
    char q = s[j];
    if (q == '"' || q == '\'') {
        for (j++; j < n && s[j] != '\r' && s[j] != '\n'; j++) {
            if (s[j] == q && !(j + 1 < n && s[j + 1] == q)) {
                dst[o] = '\0';
                *i = j + 1;
                return 1;
            }
            if (o + 1 >= cap)
                return -1;
            dst[o++] = s[j];
            j += s[j] == q; /* a doubled quote: one */
        }
        return -1;
    }
    do {
        if (o + 1 >= cap)
            return -1;
        dst[o++] = s[j++];
    } while (q != '|' && j < n && !go_space(s[j]) && s[j] != '|');
    dst[o] = '\0';
    *i = j;
    return 1;
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
    /* One or two arguments; anything else atmos refuses (ErrInvalidAtmosYAMLFunction): empty. */
    if (env_arg(args, n, &i, buf->name, sizeof(buf->name)) != 1)
        return;
    int has_default = env_arg(args, n, &i, buf->dflt, sizeof(buf->dflt));
    if (has_default < 0 || (has_default && env_arg(args, n, &i, extra, sizeof(extra)) != 0))
        return;
    const char *val = getenv(buf->name);
    *out = val ? val : has_default ? buf->dflt : "";
    *len = strlen(*out);
    trim_slice(out, len);
}

/*
 * The text of a scalar (*len bytes), with `!env NAME [DEFAULT]` resolved
 * (atmos_yaml_env_value, into buf); NULL for a YAML null.  It is the tree's,
 * the environment's or buf's: copy what is kept.  A NUL byte fails the file:
 * no string we keep may hide one.
 */
static int scalar_text(const struct ctx *c, const struct atmos_ynode *n, const char *what,
                       struct atmos_env_arg *buf, const char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (n->type != ATMOS_Y_SCALAR)
        return fail_at(c, n, "%s must be a scalar", what);
    if (memchr(n->value, '\0', n->len) != NULL)
        return fail_at(c, n, "%s contains a NUL byte", what);
    if (n->env) {
        atmos_yaml_env_value(n->value, n->len, buf, out, len);
    } else if (!atmos_ynode_is_null(n)) {
        *out = n->value;
        *len = n->len;
    }
    return ATMOS_OK;
}

/* The string value of a scalar, malloc'd (what a file says about the load, realm, keyring). */
static int scalar(const struct ctx *c, const struct atmos_ynode *n, const char *what, char **out)
{
    const char *t;
    size_t len;
    struct atmos_env_arg buf;
    int rc = scalar_text(c, n, what, &buf, &t, &len);
    *out = NULL;
    if (rc != ATMOS_OK || t == NULL)
        return rc;
    *out = strndup(t, len);
    return *out ? ATMOS_OK : oom(c);
}

static int has_upper(const char *s, size_t len)
{
    for (size_t i = 0; i < len; i++)
        if (s[i] >= 'A' && s[i] <= 'Z')
            return 1;
    return 0;
}

/* s (lowercased with `lower`: viper lowercases map keys) kept in the configuration's arena. */
static int keep(const struct ctx *c, const char *s, size_t len, int lower, char **out)
{
    char buf[256], *tmp = NULL;
    if (lower && has_upper(s, len)) {
        if ((tmp = len < sizeof(buf) ? buf : malloc(len + 1)) == NULL)
            return oom(c);
        for (size_t i = 0; i < len; i++)
            tmp[i] = s[i] >= 'A' && s[i] <= 'Z' ? (char)(s[i] - 'A' + 'a') : s[i];
        tmp[len] = '\0';
        s = tmp;
    }
    *out = atmos_config_keep(c->cfg, s, len);
    if (tmp && tmp != buf)
        free(tmp);
    return *out ? ATMOS_OK : oom(c);
}

/* An entry's scalar, kept in the configuration's arena (atmos_config_keep); NULL for null. */
static int scalar_kept(const struct ctx *c, const struct atmos_ynode *n, const char *what,
                       int lower, char **out)
{
    const char *t;
    size_t len;
    struct atmos_env_arg buf;
    int rc = scalar_text(c, n, what, &buf, &t, &len);
    *out = NULL;
    if (rc != ATMOS_OK || t == NULL)
        return rc;
    /* Not for !env: the environment's strings are not the tree's. */
    uint64_t h = ((uint64_t)(uintptr_t)t + (unsigned)lower) * 0x9E3779B97F4A7C15ull;
    struct kept *k = c->kept && t == n->value ? &c->kept[h >> 60 & (KEPT_SLOTS - 1)] : NULL;
    if (k && k->from == t && k->lower == lower) {
        *out = k->kept;
        return ATMOS_OK;
    }
    if ((rc = keep(c, t, len, lower, out)) == ATMOS_OK && k)
        *k = (struct kept){t, lower, *out};
    return rc;
}

/* A field of the configuration itself (realm, keyring): malloc'd, the earlier value freed. */
static int set_field(const struct ctx *c, const struct atmos_ynode *n, const char *what,
                     struct atmos_field *f)
{
    char *v = NULL;
    int rc = scalar(c, n, what, &v);
    if (rc != ATMOS_OK)
        return rc;
    free(f->value);
    *f = (struct atmos_field){v, mark_of(c, n), 1};
    return ATMOS_OK;
}

/* A field of an entry: in the arena, where the value it replaces stays until the end. */
static int entry_field(const struct ctx *c, const struct atmos_ynode *n, const char *what,
                       int lower, struct atmos_field *f)
{
    char *v = NULL;
    int rc = scalar_kept(c, n, what, lower, &v);
    if (rc == ATMOS_OK)
        *f = (struct atmos_field){v, mark_of(c, n), 1};
    return rc;
}

static int want_map(const struct ctx *c, const struct atmos_ynode *n, const char *what)
{
    if (n->type == ATMOS_Y_MAP)
        return ATMOS_OK;
    return fail_at(c, n, "%s must be a mapping", what);
}

/* --- an entry's spec ------------------------------------------------------- */

/* Its paths and values are the configuration's arena's: only the array is the spec's. */
void atmos_spec_free(struct atmos_spec *s)
{
    if (s->v)
        free(s->v);
    s->v = NULL;
    s->n = 0;
}

/* Drop `path` and everything below it (a later file's list or scalar replaces it). */
static void spec_drop(struct atmos_spec *s, const char *path)
{
    size_t len = strlen(path), k = 0;
    for (size_t i = 0; i < s->n; i++) {
        const char *p = s->v[i].path;
        if (!(strncmp(p, path, len) == 0 && (p[len] == '\0' || p[len] == '.')))
            s->v[k++] = s->v[i];
    }
    s->n = k;
}

static int spec_set(struct ctx *c, struct atmos_spec *s, char **problem, const char *path,
                    const struct atmos_ynode *n)
{
    char *v = NULL, *p = NULL;
    int rc = scalar_kept(c, n, path, 0, &v);
    if (rc != ATMOS_OK)
        return rc;
    spec_drop(s, path);
    if (s->n == MAX_SPEC_FIELDS)
        return *problem ? ATMOS_OK
                        : set_problem(c, problem, n, "sets more than %d values", MAX_SPEC_FIELDS);
    /* Room for twice as many when n reaches a power of two (the array holds at least n). */
    if ((s->n & (s->n - 1)) == 0) {
        struct atmos_spec_field *nv = realloc(s->v, (s->n ? 2 * s->n : 2) * sizeof(*nv));
        if (nv == NULL)
            return oom(c);
        s->v = nv;
    }
    if ((rc = keep(c, path, strlen(path), 0, &p)) != ATMOS_OK)
        return rc;
    s->v[s->n++] = (struct atmos_spec_field){p, {v, mark_of(c, n), 1}};
    return ATMOS_OK;
}

static int flatten(struct ctx *c, struct atmos_spec *s, char **problem, const char *prefix,
                   const struct atmos_ynode *n);

static int flatten_child(struct ctx *c, struct atmos_spec *s, char **problem, const char *prefix,
                         const char *key, const struct atmos_ynode *v)
{
    char path[MAX_PATH_BYTES];
    int len = snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
    if (len < 0 || (size_t)len >= sizeof(path))
        return *problem ? ATMOS_OK : set_problem(c, problem, v, "a key path is too long");
    return flatten(c, s, problem, path, v);
}

/* A mapping: `<<` merge keys first (YAML 1.1, which atmos's yaml.v3 reads), then its own keys. */
static int flatten_map(struct ctx *c, struct atmos_spec *s, char **problem, const char *prefix,
                       const struct atmos_ynode *n)
{
    int rc = ATMOS_OK;
    for (int own = 0; own <= 1 && rc == ATMOS_OK; own++)
        for (size_t i = 0; rc == ATMOS_OK && i + 1 < n->n; i += 2) {
            const struct atmos_ynode *k = n->kids[i], *v = n->kids[i + 1];
            if (k->type != ATMOS_Y_SCALAR)
                continue; /* atmos's keys are strings; a complex key configures nothing */
            int merge = atmos_ynode_is_merge_key(k);
            /* Each merge key costs a visit, as in entry_body: chains of aliases that only
             * merge (a1: {<<: [*a0, *a0]}, ...) would otherwise take 2^n steps. */
            if (merge && !own && (rc = visit(c, k)) != ATMOS_OK)
                break;
            if (merge && !own && v->type == ATMOS_Y_MAP)
                rc = flatten_map(c, s, problem, prefix, v);
            else if (merge && !own && v->type == ATMOS_Y_SEQ)
                /* <<: [a, b]: the earlier mapping wins (YAML 1.1), so b goes first */
                for (size_t j = v->n; rc == ATMOS_OK && j-- > 0;)
                    rc = v->kids[j]->type == ATMOS_Y_MAP
                             ? flatten_map(c, s, problem, prefix, v->kids[j])
                             : ATMOS_OK;
            else if (!merge && own)
                rc = visit(c, k) != ATMOS_OK ? ATMOS_EINVAL
                                             : flatten_child(c, s, problem, prefix, k->value, v);
        }
    return rc;
}

static int flatten(struct ctx *c, struct atmos_spec *s, char **problem, const char *prefix,
                   const struct atmos_ynode *n)
{
    int rc = visit(c, n);
    if (rc != ATMOS_OK)
        return rc;
    if (n->type == ATMOS_Y_SCALAR)
        return spec_set(c, s, problem, prefix, n);
    if (n->type == ATMOS_Y_MAP) {
        /* A mapping where a scalar was: the scalar goes. */
        for (size_t i = 0; i < s->n; i++)
            if (strcmp(s->v[i].path, prefix) == 0)
                spec_drop(s, prefix);
        return flatten_map(c, s, problem, prefix, n);
    }
    spec_drop(s, prefix); /* a list replaces the list before it, as in viper */
    for (size_t i = 0; rc == ATMOS_OK && i < n->n; i++) {
        char idx[24];
        snprintf(idx, sizeof(idx), "%zu", i);
        rc = flatten_child(c, s, problem, prefix, idx, n->kids[i]);
    }
    return rc;
}

/* --- entries --------------------------------------------------------------- */

enum entry_role {
    ROLE_PROVIDER = ATMOS_ENTRY_PROVIDER,
    ROLE_IDENTITY = ATMOS_ENTRY_IDENTITY,
    ROLE_INTEGRATION = ATMOS_ENTRY_INTEGRATION,
};
static const char *const role_name[] = {"provider", "identity", "integration"};

/* The fields every entry has, wherever its struct keeps them. */
struct entry_view {
    struct atmos_field *kind, *via_provider, *via_identity;
    struct atmos_spec *spec;
    char **problem;
    char **problem_key; /* merged entries (providers, integrations); NULL: replaced whole */
};

/* A later file's `key` (NULL: the whole entry) replaces the earlier value, and so the problem
 * that was found in it. */
static void forget_problem(struct entry_view *e, const char *key)
{
    if (e->problem_key == NULL || *e->problem_key == NULL)
        return;
    if (key ? strcmp(*e->problem_key, key) != 0 : **e->problem_key != '\0')
        return;
    free(*e->problem);
    free(*e->problem_key);
    *e->problem = *e->problem_key = NULL;
}

/* The problem set since `before` (c->problems) was found under `key` ("": the entry). */
static int note_problem(struct ctx *c, struct entry_view *e, unsigned before, const char *key)
{
    if (e->problem_key == NULL || c->problems == before)
        return ATMOS_OK;
    free(*e->problem_key);
    *e->problem_key = strdup(key);
    return *e->problem_key ? ATMOS_OK : oom(c);
}

/*
 * What atmos cannot keep as a name (a problem: the entry is reported, not
 * acted on).  Provider names become a directory, so no '/'; identity names
 * become INI sections and, for some clouds, nested directories, as atmos
 * joins them ("Account/Role" of a provisioned identity), so '/' separates
 * segments that must not be empty, "." or "..".  Integrations: any, as atmos.
 * A '.' splits a provider's or integration's name in viper (load.go: only
 * identities are re-read whole).
 */
static const char *name_problem(enum entry_role role, const char *name, char *buf, size_t len)
{
    const char *why = NULL;
    size_t n = strlen(name);
    for (const unsigned char *p = (const unsigned char *)name; *p && !why; p++)
        if (*p < 0x20 || *p == 0x7f)
            why = "contains a control character";
    if (why)
        ;
    else if (n == 0)
        why = "is empty";
    else if (n > 255)
        why = "is longer than 255 bytes";
    else if (role != ROLE_INTEGRATION && name[0] == '.')
        why = "must not start with '.'";
    else if (role == ROLE_PROVIDER && strchr(name, '/'))
        why = "must not contain '/'";
    else if (role != ROLE_IDENTITY && strchr(name, '.'))
        why = "contains '.', which atmos reads as nesting";
    else if (role == ROLE_INTEGRATION)
        return NULL;
    for (const char *seg = name; !why && seg;
         seg = strchr(seg, '/') ? strchr(seg, '/') + 1 : NULL) {
        size_t sl = strcspn(seg, "/");
        if (sl == 0 || (sl == 1 && seg[0] == '.') || (sl == 2 && seg[0] == '.' && seg[1] == '.'))
            why = "has an empty, \".\" or \"..\" segment between '/'";
    }
    if (why == NULL)
        return NULL;
    snprintf(buf, len, "name \"%.*s\" %s", n > 255 ? 40 : (int)n, name, why);
    return buf;
}

/* An entry's fields are the arena's: the ones replaced stay there until the end. */
static void entry_reset(struct entry_view *e)
{
    struct atmos_field *f[] = {e->kind, e->via_provider, e->via_identity};
    for (size_t i = 0; i < 3; i++)
        if (f[i])
            *f[i] = (struct atmos_field){0};
    atmos_spec_free(e->spec);
    free(*e->problem);
    *e->problem = NULL;
}

static int entry_via(struct ctx *c, struct entry_view *e, const struct atmos_ynode *via)
{
    if (atmos_ynode_is_null(via))
        return ATMOS_OK;
    if (via->type != ATMOS_Y_MAP)
        return set_problem(c, e->problem, via, "via must be a mapping");
    const struct atmos_ynode *f = NULL, *id = NULL;
    int rc = ATMOS_OK;
    /* The first of each, as atmos_ynode_get finds it: one pass for both. */
    for (size_t i = 0; i + 1 < via->n && !(f && id); i += 2) {
        const struct atmos_ynode *k = via->kids[i];
        if (k->type != ATMOS_Y_SCALAR)
            continue;
        if (f == NULL && strcmp(k->value, "provider") == 0)
            f = via->kids[i + 1];
        else if (id == NULL && strcmp(k->value, "identity") == 0)
            id = via->kids[i + 1];
    }
    /* Lowercased: they name entries, whose names are (load_entry). */
    if (f)
        rc = f->type == ATMOS_Y_SCALAR
                 ? entry_field(c, f, "via.provider", 1, e->via_provider)
                 : set_problem(c, e->problem, f, "via.provider must be a scalar");
    if (rc == ATMOS_OK && (f = id))
        rc = f->type == ATMOS_Y_SCALAR
                 ? entry_field(c, f, "via.identity", 1, e->via_identity)
                 : set_problem(c, e->problem, f, "via.identity must be a scalar");
    return rc;
}

static int entry_value(struct ctx *c, struct entry_view *e, const char *key,
                       const struct atmos_ynode *val)
{
    if (strcmp(key, "kind") == 0)
        return val->type == ATMOS_Y_SCALAR
                   ? entry_field(c, val, "kind", 0, e->kind)
                   : set_problem(c, e->problem, val, "kind must be a scalar");
    if (strcmp(key, "via") == 0 && e->via_provider)
        return entry_via(c, e, val);
    return flatten_child(c, e->spec, e->problem, "", key, val);
}

static int entry_key(struct ctx *c, struct entry_view *e, const char *key,
                     const struct atmos_ynode *val)
{
    unsigned before = c->problems;
    forget_problem(e, key);
    int rc = entry_value(c, e, key, val);
    return rc == ATMOS_OK ? note_problem(c, e, before, key) : rc;
}

/* An entry's keys: those a `<<` merge key brings first, then its own (which win). */
static int entry_body(struct ctx *c, struct entry_view *e, const struct atmos_ynode *v, int depth)
{
    int rc = ATMOS_OK;
    for (int own = 0; own <= 1 && rc == ATMOS_OK; own++)
        for (size_t i = 0; rc == ATMOS_OK && i + 1 < v->n; i += 2) {
            const struct atmos_ynode *k = v->kids[i], *val = v->kids[i + 1];
            if (k->type != ATMOS_Y_SCALAR || (own && (rc = visit(c, k)) != ATMOS_OK))
                continue;
            int merge = atmos_ynode_is_merge_key(k);
            if (own && !merge)
                rc = entry_key(c, e, k->value, val);
            else if (!own && merge && depth < ATMOS_YAML_MAX_DEPTH && val->type == ATMOS_Y_MAP)
                rc = entry_body(c, e, val, depth + 1);
            else if (!own && merge && depth < ATMOS_YAML_MAX_DEPTH && val->type == ATMOS_Y_SEQ)
                for (size_t j = val->n; rc == ATMOS_OK && j-- > 0;) /* the earlier wins */
                    if (val->kids[j]->type == ATMOS_Y_MAP)
                        rc = entry_body(c, e, val->kids[j], depth + 1);
        }
    return rc;
}

/* The entry named by key k, found or added (NULL on allocation failure). */
static struct entry_view find_entry(const struct ctx *c, enum entry_role role, const char *name,
                                    struct atmos_mark m, char *written)
{
    struct entry_view e = {0};
    if (role == ROLE_PROVIDER) {
        struct atmos_provider *p = atmos_config_add_provider(c->cfg, name, m);
        if (p)
            e = (struct entry_view){&p->kind, NULL, NULL, &p->spec, &p->problem, &p->problem_key};
    } else if (role == ROLE_IDENTITY) {
        struct atmos_identity *id = atmos_config_add_identity(c->cfg, name, m);
        if (id) {
            e = (struct entry_view){&id->kind, &id->via_provider, &id->via_identity,
                                    &id->spec, &id->problem,      NULL};
            entry_reset(&e); /* a later file's identity replaces the earlier one whole */
            id->mark = m;
            id->written = written; /* the spelling of the definition that holds */
        }
    } else {
        struct atmos_integration *in = atmos_config_add_integration(c->cfg, name, m);
        if (in)
            e = (struct entry_view){&in->kind, &in->via_provider, &in->via_identity,
                                    &in->spec, &in->problem,      &in->problem_key};
    }
    return e;
}

static int load_entry(struct ctx *c, enum entry_role role, const struct atmos_ynode *k,
                      const struct atmos_ynode *v)
{
    char buf[300], low[256], *name = NULL, *written = NULL;
    const char *raw;
    size_t len;
    struct atmos_env_arg ebuf;
    int rc = scalar_text(c, k, role_name[role], &ebuf, &raw, &len);
    if (rc != ATMOS_OK)
        return rc;
    if (raw == NULL)
        raw = ""; /* a null key names the entry "" (which name_problem refuses) */
    /* Judged as written (and so named in the problem), kept as atmos keys it. */
    const char *bad = name_problem(role, raw, buf, sizeof(buf));
    /* viper lowercases every map key: what atmos writes is named in lowercase. */
    int upper = has_upper(raw, len);
    if (upper && role == ROLE_IDENTITY && (rc = keep(c, raw, len, 0, &written)) != ATMOS_OK)
        return rc;
    if (upper && (name = len < sizeof(low) ? low : malloc(len + 1)) == NULL)
        return oom(c);
    for (size_t i = 0; upper && i <= len; i++)
        name[i] = raw[i] >= 'A' && raw[i] <= 'Z' ? (char)(raw[i] - 'A' + 'a') : raw[i];
    struct entry_view e = find_entry(c, role, upper ? name : raw, mark_of(c, k), written);
    if (name && name != low)
        free(name);
    if (e.kind == NULL)
        return oom(c);
    if (bad) {
        if (e.problem_key) { /* the name's problem outlasts every file */
            free(*e.problem_key);
            *e.problem_key = NULL;
        }
        return set_problem(c, e.problem, k, "%s %s", role_name[role], bad);
    }
    if (atmos_ynode_is_null(v))
        return ATMOS_OK;
    if (v->type != ATMOS_Y_MAP) {
        unsigned before = c->problems;
        rc = set_problem(c, e.problem, v, "%s must be a mapping", role_name[role]);
        return rc == ATMOS_OK ? note_problem(c, &e, before, "") : rc;
    }
    forget_problem(&e, NULL);
    return entry_body(c, &e, v, 0);
}

static int load_entries(struct ctx *c, const struct atmos_ynode *map, const char *what,
                        enum entry_role role)
{
    if (atmos_ynode_is_null(map))
        return ATMOS_OK;
    int rc = want_map(c, map, what);
    /* Room for them all at once: 10,000 identities grown one by one were copied 11 times. */
    if (rc == ATMOS_OK &&
        atmos_config_reserve(c->cfg, (enum atmos_entry_role)role, map->n / 2) != 0)
        rc = oom(c);
    for (size_t i = 0; rc == ATMOS_OK && i + 1 < map->n; i += 2)
        if ((rc = visit(c, map->kids[i])) == ATMOS_OK)
            rc = load_entry(c, role, map->kids[i], map->kids[i + 1]);
    return rc;
}

static int load_keyring(struct ctx *c, struct atmos_config *cfg, const struct atmos_ynode *kr)
{
    int rc;
    const struct atmos_ynode *n, *spec;
    if (atmos_ynode_is_null(kr))
        return ATMOS_OK;
    if ((rc = want_map(c, kr, "auth.keyring")) != ATMOS_OK)
        return rc;
    if ((n = atmos_ynode_get(kr, "type")) &&
        (rc = set_field(c, n, "auth.keyring.type", &cfg->keyring_type)))
        return rc;
    spec = atmos_ynode_get(kr, "spec");
    if (spec == NULL || atmos_ynode_is_null(spec))
        return ATMOS_OK;
    if ((rc = want_map(c, spec, "auth.keyring.spec")) != ATMOS_OK)
        return rc;
    if ((n = atmos_ynode_get(spec, "path")))
        return set_field(c, n, "auth.keyring.spec.path", &cfg->keyring_path);
    return ATMOS_OK;
}

static int load_auth(struct ctx *c, struct atmos_config *cfg, const struct atmos_ynode *auth,
                     unsigned parts)
{
    static const struct {
        const char *key, *what;
        enum entry_role role;
        unsigned part;
    } maps[] = {
        {"providers", "auth.providers", ROLE_PROVIDER, ATMOS_APPLY_SETTINGS},
        {"identities", "auth.identities", ROLE_IDENTITY, ATMOS_APPLY_IDENTITIES},
        {"integrations", "auth.integrations", ROLE_INTEGRATION, ATMOS_APPLY_SETTINGS},
    };
    int rc;
    if (atmos_ynode_is_null(auth))
        return ATMOS_OK;
    if ((rc = want_map(c, auth, "auth")) != ATMOS_OK)
        return rc;
    const struct atmos_ynode *n;
    for (size_t i = 0; i < sizeof(maps) / sizeof(*maps); i++)
        if ((parts & maps[i].part) && (n = atmos_ynode_get(auth, maps[i].key)) &&
            (rc = load_entries(c, n, maps[i].what, maps[i].role)) != ATMOS_OK)
            return rc;
    if (!(parts & ATMOS_APPLY_SETTINGS))
        return ATMOS_OK;
    if ((n = atmos_ynode_get(auth, "realm")) && (rc = set_field(c, n, "auth.realm", &cfg->realm)))
        return rc;
    if ((n = atmos_ynode_get(auth, "keyring")))
        return load_keyring(c, cfg, n);
    return ATMOS_OK;
}

int atmos_config_apply(struct atmos_config *cfg, const char *path, const struct atmos_ynode *root,
                       unsigned parts, struct atmos_err *err)
{
    struct kept kept[KEPT_SLOTS] = {{0}};
    struct ctx c = {path, err, cfg, ATMOS_YAML_MAX_NODES, 0, kept};
    if (root == NULL || atmos_ynode_is_null(root))
        return ATMOS_OK; /* an empty file configures nothing */
    int rc = want_map(&c, root, "the top level");
    const struct atmos_ynode *auth = rc == ATMOS_OK ? atmos_ynode_get(root, "auth") : NULL;
    return auth ? load_auth(&c, cfg, auth, parts) : rc;
}

/* --- where more configuration is ------------------------------------------- */

static int opt_string(struct ctx *c, const struct atmos_ynode *map, const char *key,
                      const char *what, char **out)
{
    const struct atmos_ynode *n = atmos_ynode_get(map, key);
    return n ? scalar(c, n, what, out) : ATMOS_OK;
}

int atmos_config_file_meta(const char *path, const struct atmos_ynode *root,
                           struct atmos_file_meta *m, struct atmos_err *err)
{
    struct ctx c = {path, err, NULL, ATMOS_YAML_MAX_NODES, 0, NULL};
    int rc = ATMOS_OK;
    *m = (struct atmos_file_meta){0};
    if (root == NULL || root->type != ATMOS_Y_MAP)
        return ATMOS_OK;
    const struct atmos_ynode *imp = atmos_ynode_get(root, "import");
    const struct atmos_ynode *prof = atmos_ynode_get(root, "profiles");
    m->has_imports = imp != NULL && !atmos_ynode_is_null(imp);
    if (m->has_imports && imp->type == ATMOS_Y_SEQ) {
        for (size_t i = 0; rc == ATMOS_OK && i < imp->n; i++) {
            char *s = NULL;
            rc = scalar(&c, imp->kids[i], "import", &s);
            if (rc == ATMOS_OK && s && *s && atmos_strv_push(&m->imports, &m->nimports, s) != 0)
                rc = atmos_fail(err, ATMOS_ENOMEM, "out of memory");
            free(s);
        }
    } else if (m->has_imports) {
        rc = fail_at(&c, imp, "import must be a list");
    }
    if (rc == ATMOS_OK)
        rc = opt_string(&c, root, "base_path", "base_path", &m->base_path);
    if (rc == ATMOS_OK && prof && prof->type == ATMOS_Y_MAP) {
        rc = opt_string(&c, prof, "base_path", "profiles.base_path", &m->profiles_base_path);
        if (rc == ATMOS_OK)
            rc = opt_string(&c, prof, "default", "profiles.default", &m->profile_default);
    }
    if (rc != ATMOS_OK)
        atmos_file_meta_free(m);
    return rc;
}

void atmos_file_meta_free(struct atmos_file_meta *m)
{
    atmos_strv_free(m->imports, m->nimports);
    free(m->base_path);
    free(m->profiles_base_path);
    free(m->profile_default);
    *m = (struct atmos_file_meta){0};
}

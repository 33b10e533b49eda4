/*
 * The auth section of one parsed atmos.yaml (formats/yamltree.c), merged into a
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
#include "config/yaml.h"
#include "base/strings.h"

#define MAX_SPEC_FIELDS 256
#define MAX_PATH_BYTES 512

struct atmos_mark atmos_y_mark(const struct atmos_yctx *c, const struct atmos_ynode *n)
{
    return (struct atmos_mark){c->file, n->line, n->column};
}

int atmos_y_oom(const struct atmos_yctx *c)
{
    return atmos_fail(c->err, ATMOS_ENOMEM, "out of memory");
}

int atmos_y_fail(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *fmt, ...)
{
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return atmos_fail(c->err, ATMOS_EINVAL, "%s:%u:%u: %s", c->file, n->line, n->column, what);
}

/* An entry's problem, "file:line:col: what", replacing any earlier one. */
int atmos_y_problem(struct atmos_yctx *c, char **problem, const struct atmos_ynode *n, const char *fmt,
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
    return *problem ? ATMOS_OK : atmos_y_oom(c);
}

int atmos_y_visit(struct atmos_yctx *c, const struct atmos_ynode *n)
{
    if (c->budget-- > 0)
        return ATMOS_OK;
    c->budget = 0;
    return atmos_y_fail(c, n, "more than %u YAML nodes, aliases included", ATMOS_YAML_MAX_NODES);
}

/*
 * The text of a scalar (*len bytes), with `!env NAME [DEFAULT]` resolved
 * (atmos_yaml_env_value, into buf); NULL for a YAML null.  It is the tree's,
 * the environment's or buf's: copy what is kept.  A NUL byte fails the file:
 * no string we keep may hide one.
 */
int atmos_y_scalar_text(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what,
                       struct atmos_env_arg *buf, const char **out, size_t *len)
{
    *out = NULL;
    *len = 0;
    if (n->type != ATMOS_Y_SCALAR)
        return atmos_y_fail(c, n, "%s must be a scalar", what);
    if (memchr(n->value, '\0', n->len) != NULL)
        return atmos_y_fail(c, n, "%s contains a NUL byte", what);
    if (n->env) {
        atmos_yaml_env_value(n->value, n->len, buf, out, len);
    } else if (!atmos_ynode_is_null(n)) {
        *out = n->value;
        *len = n->len;
    }
    return ATMOS_OK;
}

/* The string value of a scalar, malloc'd (what a file says about the load, realm, keyring). */
int atmos_y_scalar(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what, char **out)
{
    const char *t;
    size_t len;
    struct atmos_env_arg buf;
    int rc = atmos_y_scalar_text(c, n, what, &buf, &t, &len);
    *out = NULL;
    if (rc != ATMOS_OK || t == NULL)
        return rc;
    *out = strndup(t, len);
    return *out ? ATMOS_OK : atmos_y_oom(c);
}

/* s (lowercased with `lower`: viper lowercases map keys) kept in the configuration's arena. */
int atmos_y_keep(const struct atmos_yctx *c, const char *s, size_t len, int lower, char **out)
{
    char buf[256], *tmp = NULL;
    if (lower && atmos_ascii_upper(s, len)) {
        if ((tmp = len < sizeof(buf) ? buf : malloc(len + 1)) == NULL)
            return atmos_y_oom(c);
        atmos_ascii_lower(tmp, s, len);
        tmp[len] = '\0';
        s = tmp;
    }
    *out = atmos_config_keep(c->cfg, s, len);
    if (tmp && tmp != buf)
        free(tmp);
    return *out ? ATMOS_OK : atmos_y_oom(c);
}

/* An entry's scalar, kept in the configuration's arena (atmos_config_keep); NULL for null. */
static int scalar_kept(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what,
                       int lower, char **out)
{
    const char *t;
    size_t len;
    struct atmos_env_arg buf;
    int rc = atmos_y_scalar_text(c, n, what, &buf, &t, &len);
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
    if ((rc = atmos_y_keep(c, t, len, lower, out)) == ATMOS_OK && k)
        *k = (struct kept){t, lower, *out};
    return rc;
}

/* A field of the configuration itself (realm, keyring): malloc'd, the earlier value freed. */
int atmos_y_set_field(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what,
                     struct atmos_field *f)
{
    char *v = NULL;
    int rc = atmos_y_scalar(c, n, what, &v);
    if (rc != ATMOS_OK)
        return rc;
    free(f->value);
    *f = (struct atmos_field){v, atmos_y_mark(c, n), 1};
    return ATMOS_OK;
}

/* A field of an entry: in the arena, where the value it replaces stays until the end. */
int atmos_y_entry_field(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what,
                       int lower, struct atmos_field *f)
{
    char *v = NULL;
    int rc = scalar_kept(c, n, what, lower, &v);
    if (rc == ATMOS_OK)
        *f = (struct atmos_field){v, atmos_y_mark(c, n), 1};
    return rc;
}

int atmos_y_want_map(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what)
{
    if (n->type == ATMOS_Y_MAP)
        return ATMOS_OK;
    return atmos_y_fail(c, n, "%s must be a mapping", what);
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

static int spec_set(struct atmos_yctx *c, struct atmos_spec *s, char **problem, const char *path,
                    const struct atmos_ynode *n)
{
    char *v = NULL, *p = NULL;
    int rc = scalar_kept(c, n, path, 0, &v);
    if (rc != ATMOS_OK)
        return rc;
    spec_drop(s, path);
    if (s->n == MAX_SPEC_FIELDS)
        return *problem ? ATMOS_OK
                        : atmos_y_problem(c, problem, n, "sets more than %d values", MAX_SPEC_FIELDS);
    /* Room for twice as many when n reaches a power of two (the array holds at least n). */
    if ((s->n & (s->n - 1)) == 0) {
        struct atmos_spec_field *nv = realloc(s->v, (s->n ? 2 * s->n : 2) * sizeof(*nv));
        if (nv == NULL)
            return atmos_y_oom(c);
        s->v = nv;
    }
    if ((rc = atmos_y_keep(c, path, strlen(path), 0, &p)) != ATMOS_OK)
        return rc;
    s->v[s->n++] = (struct atmos_spec_field){p, {v, atmos_y_mark(c, n), 1}};
    return ATMOS_OK;
}

static int flatten(struct atmos_yctx *c, struct atmos_spec *s, char **problem, const char *prefix,
                   const struct atmos_ynode *n);

int atmos_y_flatten_child(struct atmos_yctx *c, struct atmos_spec *s, char **problem, const char *prefix,
                         const char *key, const struct atmos_ynode *v)
{
    char path[MAX_PATH_BYTES];
    int len = snprintf(path, sizeof(path), "%s%s%s", prefix, *prefix ? "." : "", key);
    if (len < 0 || (size_t)len >= sizeof(path))
        return *problem ? ATMOS_OK : atmos_y_problem(c, problem, v, "a key path is too long");
    return flatten(c, s, problem, path, v);
}

/* A mapping: `<<` merge keys first (YAML 1.1, which atmos's yaml.v3 reads), then its own keys. */
static int flatten_map(struct atmos_yctx *c, struct atmos_spec *s, char **problem, const char *prefix,
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
            if (merge && !own && (rc = atmos_y_visit(c, k)) != ATMOS_OK)
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
                rc = atmos_y_visit(c, k) != ATMOS_OK ? ATMOS_EINVAL
                                             : atmos_y_flatten_child(c, s, problem, prefix, k->value, v);
        }
    return rc;
}

static int flatten(struct atmos_yctx *c, struct atmos_spec *s, char **problem, const char *prefix,
                   const struct atmos_ynode *n)
{
    int rc = atmos_y_visit(c, n);
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
        rc = atmos_y_flatten_child(c, s, problem, prefix, idx, n->kids[i]);
    }
    return rc;
}

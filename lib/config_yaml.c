/*
 * Reading one atmos.yaml with libyaml and merging its auth section into a
 * configuration.  Only `auth` is looked at; everything else is ignored.
 *
 * MUST: bound what is read (size cap, regular files only, no blocking open of
 * a FIFO) and what parsing it costs (nesting depth, node count); name file,
 * line and column in every error; never store a string that holds a NUL byte.
 */
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <yaml.h>

#include "config_internal.h"
#include "internal.h"

#define MAX_CONFIG_BYTES (8u * 1024 * 1024)
/*
 * libyaml 0.2.5's scanner checks every open flow level at every token, so a
 * file of nested `[` costs time quadratic in its depth (10,000 levels: 0.45 s,
 * 40,000: 7.8 s, 8 MiB of them: days), and its document model takes about 170
 * bytes a node (8 MiB of `a,`: 680 MiB).  atmos's own atmos.yaml nests 7
 * levels (custom commands' arguments); 10,000 identities are 80,000 nodes.
 */
#define MAX_YAML_DEPTH 64
#define MAX_YAML_NODES 250000u

struct ctx {
    yaml_document_t *doc;
    const char *file;
    struct atmos_err *err;
};

static struct atmos_mark mark_of(const struct ctx *c, const yaml_node_t *n)
{
    struct atmos_mark m = {c->file, (unsigned)n->start_mark.line + 1,
                           (unsigned)n->start_mark.column + 1};
    return m;
}

static int fail_at(const struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_at(const struct ctx *c, const yaml_node_t *n, const char *fmt, ...)
{
    struct atmos_mark m = mark_of(c, n);
    char what[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return atmos_fail(c->err, ATMOS_EINVAL, "%s:%u:%u: %s", m.file, m.line, m.column, what);
}

static yaml_node_t *node(const struct ctx *c, int id)
{
    return yaml_document_get_node(c->doc, id);
}

/* A plain ~, null or empty scalar is YAML's null. */
static int is_null(const yaml_node_t *n)
{
    if (n->type != YAML_SCALAR_NODE || n->data.scalar.style != YAML_PLAIN_SCALAR_STYLE)
        return 0;
    const char *v = (const char *)n->data.scalar.value;
    return n->data.scalar.length == 0 || strcmp(v, "~") == 0 || strcmp(v, "null") == 0 ||
           strcmp(v, "Null") == 0 || strcmp(v, "NULL") == 0;
}

/*
 * The string value of a scalar, with `!env VAR` resolved.  *out is NULL for a
 * YAML null.  Returns ATMOS_OK or an error naming where.
 */
static int scalar(const struct ctx *c, const yaml_node_t *n, const char *what, char **out)
{
    *out = NULL;
    if (n->type != YAML_SCALAR_NODE)
        return fail_at(c, n, "%s must be a scalar", what);
    const char *v = (const char *)n->data.scalar.value;
    size_t len = n->data.scalar.length;
    if (memchr(v, '\0', len) != NULL)
        return fail_at(c, n, "%s contains a NUL byte", what);
    const char *tag = (const char *)n->tag;
    if (tag != NULL && strcmp(tag, "!env") == 0) {
        /* The variable name is the scalar; an unset variable reads as empty. */
        const char *val = getenv(v);
        *out = strdup(val ? val : "");
    } else if (is_null(n)) {
        return ATMOS_OK;
    } else {
        *out = strndup(v, len);
    }
    return *out ? ATMOS_OK : atmos_fail(c->err, ATMOS_ENOMEM, "out of memory");
}

static int set_field(const struct ctx *c, const yaml_node_t *n, const char *what,
                     struct atmos_field *f)
{
    char *v = NULL;
    int rc = scalar(c, n, what, &v);
    if (rc != ATMOS_OK)
        return rc;
    free(f->value);
    f->value = v;
    f->mark = mark_of(c, n);
    f->present = 1;
    return ATMOS_OK;
}

/* Look up `key` in a mapping node; NULL when absent. */
static yaml_node_t *map_get(const struct ctx *c, const yaml_node_t *map, const char *key)
{
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start; p < map->data.mapping.pairs.top;
         p++) {
        yaml_node_t *k = node(c, p->key);
        if (k != NULL && k->type == YAML_SCALAR_NODE &&
            strcmp((const char *)k->data.scalar.value, key) == 0)
            return node(c, p->value);
    }
    return NULL;
}

static int want_map(const struct ctx *c, const yaml_node_t *n, const char *what)
{
    if (n->type == YAML_MAPPING_NODE)
        return ATMOS_OK;
    return fail_at(c, n, "%s must be a mapping", what);
}

/*
 * Provider and identity names become path segments and INI section names.
 * Integration names do not (here): atmos accepts any, "dev/ecr/primary" in its
 * own examples (examples/container-step/atmos.yaml), so '/' is theirs to use.
 */
static int check_name(const struct ctx *c, const yaml_node_t *k, const char *what, const char *name)
{
    size_t len = strlen(name);
    if (len == 0)
        return fail_at(c, k, "%s name is empty", what);
    if (len > 255)
        return fail_at(c, k, "%s name is longer than 255 bytes", what);
    if (name[0] == '.')
        return fail_at(c, k, "%s name \"%s\" must not start with '.'", what, name);
    for (const unsigned char *p = (const unsigned char *)name; *p; p++) {
        if (*p == '/' && strcmp(what, "integration") != 0)
            return fail_at(c, k, "%s name \"%s\" must not contain '/'", what, name);
        if (*p < 0x20 || *p == 0x7f)
            return fail_at(c, k, "%s name \"%s\" contains a control character", what, name);
    }
    return ATMOS_OK;
}

static int entry_name(const struct ctx *c, const yaml_node_t *k, const char *what, char **out)
{
    int rc = scalar(c, k, what, out);
    if (rc != ATMOS_OK)
        return rc;
    if (*out == NULL)
        return fail_at(c, k, "%s name is empty", what);
    rc = check_name(c, k, what, *out);
    if (rc != ATMOS_OK) {
        free(*out);
        *out = NULL;
    }
    return rc;
}

static int load_provider(const struct ctx *c, struct atmos_config *cfg, const yaml_node_t *k,
                         const yaml_node_t *v)
{
    char *name = NULL;
    int rc = entry_name(c, k, "provider", &name);
    if (rc != ATMOS_OK)
        return rc;
    struct atmos_provider *p = atmos_config_add_provider(cfg, name, mark_of(c, k));
    free(name);
    if (p == NULL)
        return atmos_fail(c->err, ATMOS_ENOMEM, "out of memory");
    if (is_null(v))
        return ATMOS_OK;
    if ((rc = want_map(c, v, "a provider")) != ATMOS_OK)
        return rc;
    const yaml_node_t *f;
    if ((f = map_get(c, v, "kind")) && (rc = set_field(c, f, "kind", &p->kind)))
        return rc;
    if ((f = map_get(c, v, "region")) && (rc = set_field(c, f, "region", &p->region)))
        return rc;
    if ((f = map_get(c, v, "start_url")) && (rc = set_field(c, f, "start_url", &p->start_url)))
        return rc;
    const yaml_node_t *spec = map_get(c, v, "spec");
    if (spec == NULL || is_null(spec))
        return ATMOS_OK;
    if ((rc = want_map(c, spec, "spec")) != ATMOS_OK)
        return rc;
    const yaml_node_t *files = map_get(c, spec, "files");
    if (files == NULL || is_null(files))
        return ATMOS_OK;
    if ((rc = want_map(c, files, "spec.files")) != ATMOS_OK)
        return rc;
    if ((f = map_get(c, files, "base_path")))
        return set_field(c, f, "spec.files.base_path", &p->base_path);
    return ATMOS_OK;
}

static int load_identity(const struct ctx *c, struct atmos_config *cfg, const yaml_node_t *k,
                         const yaml_node_t *v)
{
    char *name = NULL;
    int rc = entry_name(c, k, "identity", &name);
    if (rc != ATMOS_OK)
        return rc;
    struct atmos_identity *id = atmos_config_add_identity(cfg, name, mark_of(c, k));
    free(name);
    if (id == NULL)
        return atmos_fail(c->err, ATMOS_ENOMEM, "out of memory");
    if (is_null(v))
        return ATMOS_OK;
    if ((rc = want_map(c, v, "an identity")) != ATMOS_OK)
        return rc;
    const yaml_node_t *f;
    if ((f = map_get(c, v, "kind")) && (rc = set_field(c, f, "kind", &id->kind)))
        return rc;
    const yaml_node_t *pr = map_get(c, v, "principal");
    if (pr != NULL && !is_null(pr)) {
        if ((rc = want_map(c, pr, "principal")) != ATMOS_OK)
            return rc;
        if ((f = map_get(c, pr, "subscription_id")) &&
            (rc = set_field(c, f, "principal.subscription_id", &id->subscription_id)))
            return rc;
    }
    const yaml_node_t *via = map_get(c, v, "via");
    if (via == NULL || is_null(via))
        return ATMOS_OK;
    if ((rc = want_map(c, via, "via")) != ATMOS_OK)
        return rc;
    if ((f = map_get(c, via, "provider")) &&
        (rc = set_field(c, f, "via.provider", &id->via_provider)))
        return rc;
    if ((f = map_get(c, via, "identity")) &&
        (rc = set_field(c, f, "via.identity", &id->via_identity)))
        return rc;
    return ATMOS_OK;
}

/* A child mapping of `v`, or NULL when absent or null. */
static int sub_map(const struct ctx *c, const yaml_node_t *v, const char *key, const char *what,
                   const yaml_node_t **out)
{
    const yaml_node_t *n = map_get(c, v, key);
    *out = NULL;
    if (n == NULL || is_null(n))
        return ATMOS_OK;
    *out = n;
    return want_map(c, n, what);
}

static int load_integration(const struct ctx *c, struct atmos_config *cfg, const yaml_node_t *k,
                            const yaml_node_t *v)
{
    char *name = NULL;
    int rc = entry_name(c, k, "integration", &name);
    if (rc != ATMOS_OK)
        return rc;
    struct atmos_integration *in = atmos_config_add_integration(cfg, name, mark_of(c, k));
    free(name);
    if (in == NULL)
        return atmos_fail(c->err, ATMOS_ENOMEM, "out of memory");
    if (is_null(v))
        return ATMOS_OK;
    if ((rc = want_map(c, v, "an integration")) != ATMOS_OK)
        return rc;
    const yaml_node_t *f, *via, *spec, *reg = NULL;
    if ((f = map_get(c, v, "kind")) && (rc = set_field(c, f, "kind", &in->kind)))
        return rc;
    if ((rc = sub_map(c, v, "via", "via", &via)) != ATMOS_OK ||
        (rc = sub_map(c, v, "spec", "spec", &spec)) != ATMOS_OK ||
        (spec && (rc = sub_map(c, spec, "registry", "spec.registry", &reg)) != ATMOS_OK))
        return rc;
    static const struct {
        int in_via;
        const char *key, *what;
        size_t off;
    } fields[] = {
        {1, "identity", "via.identity", offsetof(struct atmos_integration, via_identity)},
        {1, "provider", "via.provider", offsetof(struct atmos_integration, via_provider)},
        {0, "account_id", "spec.registry.account_id",
         offsetof(struct atmos_integration, account_id)},
        {0, "region", "spec.registry.region", offsetof(struct atmos_integration, region)},
        {0, "name", "spec.registry.name", offsetof(struct atmos_integration, registry_name)},
    };
    for (size_t i = 0; i < sizeof(fields) / sizeof(*fields); i++) {
        const yaml_node_t *m = fields[i].in_via ? via : reg;
        struct atmos_field *dst = (struct atmos_field *)((char *)in + fields[i].off);
        if (m && (f = map_get(c, m, fields[i].key)) &&
            (rc = set_field(c, f, fields[i].what, dst)) != ATMOS_OK)
            return rc;
    }
    return ATMOS_OK;
}

typedef int (*entry_fn)(const struct ctx *, struct atmos_config *, const yaml_node_t *,
                        const yaml_node_t *);

static int load_entries(const struct ctx *c, struct atmos_config *cfg, const yaml_node_t *map,
                        const char *what, entry_fn fn)
{
    if (is_null(map))
        return ATMOS_OK;
    int rc = want_map(c, map, what);
    for (yaml_node_pair_t *p = map->data.mapping.pairs.start;
         rc == ATMOS_OK && p < map->data.mapping.pairs.top; p++)
        rc = fn(c, cfg, node(c, p->key), node(c, p->value));
    return rc;
}

static int load_auth(const struct ctx *c, struct atmos_config *cfg, const yaml_node_t *auth)
{
    int rc;
    if (is_null(auth))
        return ATMOS_OK;
    if ((rc = want_map(c, auth, "auth")) != ATMOS_OK)
        return rc;
    const yaml_node_t *n;
    if ((n = map_get(c, auth, "providers")) &&
        (rc = load_entries(c, cfg, n, "auth.providers", load_provider)))
        return rc;
    if ((n = map_get(c, auth, "identities")) &&
        (rc = load_entries(c, cfg, n, "auth.identities", load_identity)))
        return rc;
    if ((n = map_get(c, auth, "integrations")) &&
        (rc = load_entries(c, cfg, n, "auth.integrations", load_integration)))
        return rc;
    if ((n = map_get(c, auth, "realm")) && (rc = set_field(c, n, "auth.realm", &cfg->realm)))
        return rc;
    const yaml_node_t *kr = map_get(c, auth, "keyring");
    if (kr != NULL && !is_null(kr)) {
        if ((rc = want_map(c, kr, "auth.keyring")) != ATMOS_OK)
            return rc;
        if ((n = map_get(c, kr, "type")) &&
            (rc = set_field(c, n, "auth.keyring.type", &cfg->keyring_type)))
            return rc;
        const yaml_node_t *spec = map_get(c, kr, "spec");
        if (spec && !is_null(spec) && (rc = want_map(c, spec, "auth.keyring.spec")) != ATMOS_OK)
            return rc;
        if (spec && !is_null(spec) && (n = map_get(c, spec, "path")) &&
            (rc = set_field(c, n, "auth.keyring.spec.path", &cfg->keyring_path)))
            return rc;
    }
    return ATMOS_OK;
}

/*
 * Read a whole regular file, at most MAX_CONFIG_BYTES, from the descriptor
 * atmos_config_open checked.  ENOENT is reported as such.
 */
static int read_config_file(const char *path, char **data, size_t *len, struct atmos_err *err)
{
    int fd;
    /* As root, the file and every directory above it are checked (config_trust.c). */
    int rc = atmos_config_open(path, &fd, err);
    char *buf = NULL;
    if (rc != ATMOS_OK)
        return rc;
    rc = ATMOS_ESYS;
    struct stat st;
    if (fstat(fd, &st) != 0) {
        atmos_fail(err, rc, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st.st_mode)) {
        atmos_fail(err, rc, "%s: not a regular file", path);
        goto done;
    }
    if (st.st_size > (off_t)MAX_CONFIG_BYTES) {
        atmos_fail(err, rc, "%s: file is larger than %u bytes", path, MAX_CONFIG_BYTES);
        goto done;
    }
    buf = malloc((size_t)st.st_size + 1);
    if (buf == NULL) {
        rc = atmos_fail(err, ATMOS_ENOMEM, "out of memory");
        goto done;
    }
    size_t got = 0;
    for (;;) {
        ssize_t n = read(fd, buf + got, (size_t)st.st_size + 1 - got);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            atmos_fail(err, rc, "%s: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        got += (size_t)n;
        if (got > (size_t)st.st_size) {
            atmos_fail(err, rc, "%s: file grew while being read", path);
            goto done;
        }
    }
    *data = buf;
    *len = got;
    buf = NULL;
    rc = ATMOS_OK;
done:
    free(buf);
    close(fd);
    return rc;
}

int atmos_config_merge_file(struct atmos_config *cfg, const char *path, struct atmos_err *err)
{
    char *data = NULL;
    size_t len = 0;
    int rc = read_config_file(path, &data, &len, err);
    if (rc != ATMOS_OK)
        return rc;
    rc = atmos_config_merge_buffer(cfg, path, data, len, err);
    free(data);
    return rc;
}

/*
 * libyaml's error, naming where the construct began (its context mark) as
 * well as where it went wrong: an unclosed `[` is noticed only at the end of
 * the file, a line the user never wrote (PyYAML prints both marks too).
 */
static int parse_error(const yaml_parser_t *p, const char *path, const char *data, size_t len,
                       struct atmos_err *err)
{
    size_t pl = p->problem_mark.line + 1, pc = p->problem_mark.column + 1;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (p->context == NULL)
        return atmos_fail(err, ATMOS_EINVAL, "%s:%zu:%zu: %s", path, pl, pc, problem);
    size_t lines = 0;
    for (size_t i = 0; i < len; i++)
        lines += data[i] == '\n';
    if (len && data[len - 1] != '\n')
        lines++;
    return atmos_fail(err, ATMOS_EINVAL, "%s:%zu:%zu: %s: %s at %zu:%zu%s", path,
                      p->context_mark.line + 1, p->context_mark.column + 1, p->context, problem, pl,
                      pc, pl > lines ? " (the end of the file)" : "");
}

/*
 * A pass over libyaml's events before it builds the document: stops at the
 * first level deeper than MAX_YAML_DEPTH, before the scanner has seen more
 * than that many, and at the node after MAX_YAML_NODES.  A syntax error is
 * left for the load to report the usual way.
 */
static int check_shape(const char *path, const char *data, size_t len, struct atmos_err *err)
{
    yaml_parser_t p;
    if (!yaml_parser_initialize(&p))
        return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&p, (const unsigned char *)data, len);
    int rc = ATMOS_OK, depth = 0;
    unsigned nodes = 0;
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e))
            break;
        yaml_event_type_t t = e.type;
        size_t line = e.start_mark.line + 1, col = e.start_mark.column + 1;
        yaml_event_delete(&e);
        if (t == YAML_STREAM_END_EVENT)
            break;
        if (t == YAML_SEQUENCE_END_EVENT || t == YAML_MAPPING_END_EVENT)
            depth--;
        if (t != YAML_SCALAR_EVENT && t != YAML_SEQUENCE_START_EVENT &&
            t != YAML_MAPPING_START_EVENT && t != YAML_ALIAS_EVENT)
            continue;
        if (++nodes > MAX_YAML_NODES) {
            rc = atmos_fail(err, ATMOS_EINVAL, "%s:%zu:%zu: more than %u YAML nodes", path, line,
                            col, MAX_YAML_NODES);
            break;
        }
        if (t != YAML_SCALAR_EVENT && t != YAML_ALIAS_EVENT && ++depth > MAX_YAML_DEPTH) {
            rc = atmos_fail(err, ATMOS_EINVAL, "%s:%zu:%zu: nested deeper than %d levels", path,
                            line, col, MAX_YAML_DEPTH);
            break;
        }
    }
    yaml_parser_delete(&p);
    return rc;
}

int atmos_config_merge_buffer(struct atmos_config *cfg, const char *path, const char *data,
                              size_t len, struct atmos_err *err)
{
    int rc = ATMOS_OK;
    if (len > MAX_CONFIG_BYTES)
        return atmos_fail(err, ATMOS_EINVAL, "%s: file is larger than %u bytes", path,
                          MAX_CONFIG_BYTES);
    /* libyaml rejects a NUL at 1:1; say where it really is. */
    const char *nul = memchr(data, '\0', len);
    if (nul != NULL) {
        unsigned line = 1, col = 1;
        for (const char *p = data; p < nul; p++, col++)
            if (*p == '\n')
                line++, col = 0;
        return atmos_fail(err, ATMOS_EINVAL, "%s:%u:%u: a NUL byte is not allowed in YAML", path,
                          line, col);
    }
    if ((rc = check_shape(path, data, len, err)) != ATMOS_OK)
        return rc;
    yaml_parser_t parser;
    yaml_document_t doc;
    int have_doc = 0;
    if (!yaml_parser_initialize(&parser))
        return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    yaml_parser_set_input_string(&parser, (const unsigned char *)data, len);
    if (!yaml_parser_load(&parser, &doc)) {
        rc = parse_error(&parser, path, data, len, err);
        goto done;
    }
    have_doc = 1;
    struct ctx c = {&doc, path, err};
    yaml_node_t *root = yaml_document_get_root_node(&doc);
    if (root == NULL || is_null(root))
        goto done; /* an empty file configures nothing */
    if ((rc = want_map(&c, root, "the top level")) != ATMOS_OK)
        goto done;
    yaml_node_t *auth = map_get(&c, root, "auth");
    if (auth != NULL)
        rc = load_auth(&c, cfg, auth);
done:
    if (have_doc)
        yaml_document_delete(&doc);
    yaml_parser_delete(&parser);
    return rc;
}

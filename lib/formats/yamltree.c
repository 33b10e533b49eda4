/*
 * libyaml events to a bounded tree, in one pass (see formats/yamltree.h).
 *
 * MUST: stop at the first level deeper than ATMOS_YAML_MAX_DEPTH and at the
 * node after ATMOS_YAML_MAX_NODES, before libyaml has scanned much further;
 * never keep a scalar that holds a NUL byte unnoticed (callers refuse them:
 * `len` is kept); name file, line and column in every error.
 */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <unistd.h>

#include <yaml.h>

#include "base/strings.h"
#include "formats/yamltree.h"

#define MAX_ANCHORS 4096u

_Static_assert(sizeof(void *) != 8 || sizeof(struct atmos_ynode) == 24,
               "a node is three words: 100,000 of them for 10,000 identities");

/* An open mapping or sequence and the children gathered so far. */
struct level {
    struct atmos_ynode *node; /* NULL: not built (a top-level key not kept) */
    struct atmos_ynode **kids;
    size_t n, cap;
    size_t pos;          /* children seen, built or not: a mapping's keys are the even ones */
    int keep_val;        /* the top mapping: the value after this key is kept */
    int built_by_parent; /* attached when closed (else built only for its anchor) */
    int is_key;          /* it is a key of the top mapping (building() said -1) */
};

struct anchor {
    const char *name;
    struct atmos_ynode *node;
};

struct builder {
    const char *path;
    struct atmos_err *err;
    struct atmos_arena arena;
    struct atmos_strcache strings; /* "kind", "via", a kind's name: one copy each */
    struct level stack[ATMOS_YAML_MAX_DEPTH];
    int depth;
    unsigned nodes;
    struct anchor *anchors; /* grown as needed: most files have none, and every load zeroes
                               the builder */
    unsigned nanchors, cap_anchors;
    struct atmos_ynode *root;
    const char *const *keep; /* top-level keys to build; NULL: all */
};

static int fail(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail(struct builder *b, const yaml_mark_t *m, const char *fmt, ...)
{
    char what[256];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    return atmos_fail(b->err, ATMOS_EINVAL, "%s:%zu:%zu: %s", b->path, m->line + 1, m->column + 1,
                      what);
}

static int oom(struct builder *b)
{
    return atmos_fail(b->err, ATMOS_ENOMEM, "out of memory");
}

/*
 * Whether the next node is built: inside a built container, except the
 * values of the top mapping's keys that are not kept (and those keys).
 */
static int building(const struct builder *b)
{
    if (b->depth == 0)
        return 1;
    const struct level *l = &b->stack[b->depth - 1];
    if (l->node == NULL)
        return 0;
    if (b->depth == 1 && b->keep && l->node->type == ATMOS_Y_MAP)
        return l->pos % 2 ? l->keep_val : -1; /* -1: a key, decided when seen */
    return 1;
}

static int key_kept(const struct builder *b, const yaml_event_t *e)
{
    if (e->type != YAML_SCALAR_EVENT)
        return 0;
    for (const char *const *k = b->keep; *k; k++)
        if (strcmp(*k, (const char *)e->data.scalar.value) == 0)
            return 1;
    return 0;
}

/* Hand a finished node (NULL: not built) to the enclosing container, or make it the root;
 * `key`: building() said -1 for it (a key of the top mapping). */
static int attach(struct builder *b, struct atmos_ynode *n, int key)
{
    if (b->depth == 0) {
        if (b->root == NULL)
            b->root = n;
        return ATMOS_OK;
    }
    struct level *l = &b->stack[b->depth - 1];
    l->pos++;
    if (n == NULL || l->node == NULL ||
        (b->depth == 1 && b->keep && !key && !l->keep_val && l->node->type == ATMOS_Y_MAP))
        return ATMOS_OK;
    if (l->n == l->cap) {
        size_t cap = l->cap ? l->cap * 2 : 8;
        struct atmos_ynode **k = realloc(l->kids, cap * sizeof(*k));
        if (k == NULL)
            return oom(b);
        l->kids = k;
        l->cap = cap;
    }
    l->kids[l->n++] = n;
    return ATMOS_OK;
}

/* The node an anchor names (callers ask only for an anchor given). */
static int remember(struct builder *b, const yaml_char_t *anchor, struct atmos_ynode *n,
                    const yaml_mark_t *m)
{
    if (b->nanchors == MAX_ANCHORS)
        return fail(b, m, "more than %u anchors", MAX_ANCHORS);
    if (b->nanchors == b->cap_anchors) {
        unsigned cap = b->cap_anchors ? 2 * b->cap_anchors : 16;
        struct anchor *v = realloc(b->anchors, cap * sizeof(*v));
        if (v == NULL)
            return oom(b);
        b->anchors = v;
        b->cap_anchors = cap;
    }
    const char *name =
        atmos_arena_strndup(&b->arena, (const char *)anchor, strlen((const char *)anchor));
    if (name == NULL)
        return oom(b);
    b->anchors[b->nanchors++] = (struct anchor){name, n};
    return ATMOS_OK;
}

static int alias(struct builder *b, const yaml_event_t *e)
{
    const char *name = (const char *)e->data.alias.anchor;
    int build = building(b);
    if (build == -1) /* an alias as a top-level key: never kept */
        b->stack[0].keep_val = 0;
    if (build != 1)
        return attach(b, NULL, build == -1);
    for (unsigned i = b->nanchors; i-- > 0;) {
        if (strcmp(b->anchors[i].name, name) != 0)
            continue;
        struct atmos_ynode *n = b->anchors[i].node;
        for (int d = 0; d < b->depth; d++)
            if (b->stack[d].node == n)
                return fail(b, &e->start_mark, "alias *%s refers to a node that contains it", name);
        return attach(b, n, 0);
    }
    return fail(b, &e->start_mark, "unknown anchor *%s", name);
}

static struct atmos_ynode *new_node(struct builder *b, enum atmos_ynode_type t,
                                    const yaml_mark_t *m)
{
    struct atmos_ynode *n = atmos_arena_alloc(&b->arena, sizeof(*n));
    if (n != NULL)
        *n = (struct atmos_ynode){
            .type = t, .line = (unsigned)m->line + 1, .column = (unsigned)m->column + 1};
    return n;
}

static int scalar(struct builder *b, const yaml_event_t *e)
{
    int build = building(b), key = build == -1;
    if (key) /* a key of the top mapping: kept, or its value is skipped */
        build = b->stack[0].keep_val = key_kept(b, e);
    if (!build && e->data.scalar.anchor == NULL)
        return attach(b, NULL, key);
    struct atmos_ynode *n = new_node(b, ATMOS_Y_SCALAR, &e->start_mark);
    if (n == NULL ||
        (n->value = atmos_arena_intern(&b->arena, &b->strings, (const char *)e->data.scalar.value,
                                       e->data.scalar.length)) == NULL)
        return oom(b);
    n->len = (unsigned)e->data.scalar.length;
    n->plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    const char *tag = (const char *)e->data.scalar.tag;
    n->env = tag && strcmp(tag, "!env") == 0;
    n->include = tag && strcmp(tag, "!include") == 0;
    n->function = tag && tag[0] == '!' && !n->env && !n->include;
    int rc = e->data.scalar.anchor ? remember(b, e->data.scalar.anchor, n, &e->start_mark) : 0;
    return rc != ATMOS_OK ? rc : attach(b, build ? n : NULL, key);
}

static int open_level(struct builder *b, const yaml_event_t *e)
{
    int map = e->type == YAML_MAPPING_START_EVENT;
    if (b->depth == ATMOS_YAML_MAX_DEPTH)
        return fail(b, &e->start_mark, "nested deeper than %d levels", ATMOS_YAML_MAX_DEPTH);
    const yaml_char_t *anchor = map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
    int build = building(b), key = build == -1;
    if (key) /* a complex key of the top mapping: never kept */
        build = b->stack[0].keep_val = 0;
    struct atmos_ynode *n = NULL;
    if (build || anchor) {
        /* An anchor below a skipped key is built all the same: an alias may need it. */
        if ((n = new_node(b, map ? ATMOS_Y_MAP : ATMOS_Y_SEQ, &e->start_mark)) == NULL)
            return oom(b);
        int rc = anchor ? remember(b, anchor, n, &e->start_mark) : ATMOS_OK;
        if (rc != ATMOS_OK)
            return rc;
    }
    struct level *l = &b->stack[b->depth++];
    *l = (struct level){
        .node = n, .kids = l->kids, .cap = l->cap, .built_by_parent = build, .is_key = key};
    return ATMOS_OK;
}

/* A plain scalar yaml.v3 resolves to something else than a string: a number, a bool, null. */
static int plain_typed(const struct atmos_ynode *n)
{
    static const char *const words[] = {"true", "True", "TRUE", "false", "False", "FALSE",
                                        "null", "Null", "NULL", "~",    NULL};
    const char *v = n->value;
    if (!n->plain)
        return 0;
    for (const char *const *w = words; *w; w++)
        if (strcmp(v, *w) == 0)
            return 1;
    v += *v == '-' || *v == '+';
    return (*v >= '0' && *v <= '9') || (*v == '.' && v[1] >= '0' && v[1] <= '9');
}

/* Keys yaml.v3 takes for the same: the same text and the same resolved type (a quoted "5" is
 * not the number 5); a merge key `<<` is not a key. */
static int same_key(const struct atmos_ynode *a, const struct atmos_ynode *k)
{
    return a->type == ATMOS_Y_SCALAR && k->type == ATMOS_Y_SCALAR && a->env == k->env &&
           a->include == k->include && a->function == k->function && a->len == k->len &&
           memcmp(a->value, k->value, a->len) == 0 && plain_typed(a) == plain_typed(k) &&
           !(a->plain && a->len == 2 && memcmp(a->value, "<<", 2) == 0);
}

static uint32_t key_hash(const struct atmos_ynode *k)
{
    uint32_t h = 2166136261u;
    for (unsigned i = 0; i < k->len; i++)
        h = (h ^ (unsigned char)k->value[i]) * 16777619u;
    return h;
}

/* The first key of the mapping `kids` (n of them: key, value, ...) given again, or NULL; *first
 * the earlier one.  A hash of the keys past a few (10,000 identities are one mapping). */
static const struct atmos_ynode *again(struct atmos_ynode **kids, size_t n,
                                       const struct atmos_ynode **first, int *oom_out)
{
    size_t slots = 16;
    while (slots < n)
        slots *= 2;
    uint32_t *seen = n > 32 ? calloc(slots, sizeof(*seen)) : NULL;
    const struct atmos_ynode *dup = NULL;
    *oom_out = n > 32 && seen == NULL;
    for (size_t i = 0; !*oom_out && dup == NULL && i + 1 < n; i += 2) {
        if (kids[i]->type != ATMOS_Y_SCALAR)
            continue;
        if (seen == NULL) {
            for (size_t j = 0; dup == NULL && j < i; j += 2)
                if (same_key(kids[j], kids[i]))
                    dup = kids[i], *first = kids[j];
            continue;
        }
        size_t at = key_hash(kids[i]) & (slots - 1);
        for (; seen[at] && dup == NULL; at = (at + 1) & (slots - 1))
            if (same_key(kids[seen[at] - 1], kids[i]))
                dup = kids[i], *first = kids[seen[at] - 1];
        if (dup == NULL)
            seen[at] = (uint32_t)i + 1;
    }
    free(seen);
    return dup;
}

static int close_level(struct builder *b)
{
    struct level *l = &b->stack[--b->depth];
    struct atmos_ynode *n = l->node;
    const struct atmos_ynode *first = NULL, *dup;
    int no_room;
    if (n == NULL)
        return attach(b, NULL, l->is_key);
    /* yaml.v3, which atmos reads atmos.yaml with, refuses a key given twice; so do we. */
    if (n->type == ATMOS_Y_MAP && (dup = again(l->kids, l->n, &first, &no_room)) != NULL)
        return atmos_fail(b->err, ATMOS_EINVAL,
                          "%s:%u:%u: mapping key \"%.64s\" already defined at line %u (atmos "
                          "refuses the file too)",
                          b->path, dup->line, dup->column, dup->value, first->line);
    if (n->type == ATMOS_Y_MAP && no_room)
        return oom(b);
    n->n = (unsigned)l->n;
    if (l->n) {
        if ((n->kids = atmos_arena_alloc(&b->arena, l->n * sizeof(*n->kids))) == NULL)
            return oom(b);
        memcpy(n->kids, l->kids, l->n * sizeof(*n->kids));
    }
    return attach(b, l->built_by_parent ? n : NULL, l->is_key);
}

/*
 * What libyaml reads: a string, or a descriptor read in chunks (a file's
 * bytes never all in memory at once), watched on the way for a NUL byte
 * (libyaml would say 1:1) and for more than `limit` bytes.
 */
struct source {
    const char *data;
    size_t len, off;
    int fd;
    size_t limit, total;
    size_t lines, col; /* lines begun so far; bytes since the last line break */
    int nul, ioerr;    /* a NUL seen (at nul_line:nul_col), errno of a failed read */
    size_t nul_line, nul_col;
};

static void watch(struct source *s, const unsigned char *buf, size_t n)
{
    const unsigned char *nul = s->nul ? NULL : memchr(buf, '\0', n);
    /* A line begins at the first byte and after each line break: counted a line at a time. */
    for (const unsigned char *p = buf, *end = nul ? nul : buf + n; p < end;) {
        if (s->col == 0)
            s->lines++;
        const unsigned char *nl = memchr(p, '\n', (size_t)(end - p));
        if (nl == NULL) {
            s->col += (size_t)(end - p);
            break;
        }
        s->col = 0;
        p = nl + 1;
    }
    if (nul) {
        s->nul = 1;
        s->nul_line = s->lines + (s->col == 0);
        s->nul_col = s->col + 1;
    }
}

static int read_source(void *ctx, unsigned char *buf, size_t size, size_t *got)
{
    struct source *s = ctx;
    ssize_t n;
    if (s->fd < 0) {
        n = (ssize_t)(s->len - s->off < size ? s->len - s->off : size);
        memcpy(buf, s->data + s->off, (size_t)n);
        s->off += (size_t)n;
    } else {
        do
            n = read(s->fd, buf, size);
        while (n < 0 && errno == EINTR);
        if (n < 0) {
            s->ioerr = errno;
            return 0;
        }
    }
    s->total += (size_t)n;
    watch(s, buf, (size_t)n);
    *got = (size_t)n;
    /* Stop libyaml at once: the reason is ours to say. */
    return !(s->nul || s->total > s->limit);
}

/*
 * libyaml's error, naming where the construct began (its context mark) as
 * well as where it went wrong: an unclosed `[` is noticed only at the end of
 * the file, a line the user never wrote (PyYAML prints both marks too).
 */
static int parse_error(const yaml_parser_t *p, const char *path, const struct source *s,
                       struct atmos_err *err)
{
    size_t pl = p->problem_mark.line + 1, pc = p->problem_mark.column + 1;
    const char *problem = p->problem ? p->problem : "invalid YAML";
    if (s->nul)
        return atmos_fail(err, ATMOS_EINVAL, "%s:%zu:%zu: a NUL byte is not allowed in YAML", path,
                          s->nul_line, s->nul_col);
    if (s->total > s->limit)
        return atmos_fail(err, ATMOS_EINVAL, "%s: file is larger than %zu bytes", path, s->limit);
    if (s->ioerr)
        return atmos_fail(err, ATMOS_ESYS, "%s: %s", path, strerror(s->ioerr));
    /* libyaml's words for a tab where YAML wants spaces (or a '@' or '`'). */
    const char *hint = strcmp(problem, "found character that cannot start any token") == 0
                           ? " (a tab, '@' or '`' cannot start one: YAML indents with spaces)"
                           : "";
    if (p->context == NULL)
        return atmos_fail(err, ATMOS_EINVAL, "%s:%zu:%zu: %s%s", path, pl, pc, problem, hint);
    return atmos_fail(err, ATMOS_EINVAL, "%s:%zu:%zu: %s: %s at %zu:%zu%s%s", path,
                      p->context_mark.line + 1, p->context_mark.column + 1, p->context, problem, pl,
                      pc, pl > s->lines ? " (the end of the file)" : "", hint);
}

static int on_event(struct builder *b, const yaml_event_t *e, int *docs)
{
    switch (e->type) {
    case YAML_DOCUMENT_START_EVENT:
        ++*docs;
        return ATMOS_OK;
    case YAML_SCALAR_EVENT:
    case YAML_ALIAS_EVENT:
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (++b->nodes > ATMOS_YAML_MAX_NODES)
            return fail(b, &e->start_mark, "more than %u YAML nodes", ATMOS_YAML_MAX_NODES);
        if (*docs > 1)
            return ATMOS_OK; /* only the first document counts (as for viper): bounded all the same
                              */
        if (e->type == YAML_SCALAR_EVENT)
            return scalar(b, e);
        if (e->type == YAML_ALIAS_EVENT)
            return alias(b, e);
        return open_level(b, e);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        return *docs > 1 ? ATMOS_OK : close_level(b);
    default:
        return ATMOS_OK;
    }
}

static int load(struct atmos_ytree *t, const char *path, struct source *src,
                const char *const *keep, struct atmos_err *err)
{
    struct builder *b = calloc(1, sizeof(*b));
    yaml_parser_t p;
    int rc = ATMOS_OK, docs = 0;
    t->root = NULL;
    t->arena = (struct atmos_arena){0};
    if (b == NULL)
        return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    /* calloc zeroed the rest (the string cache is 8 KiB: not cleared twice per file). */
    b->path = path;
    b->err = err;
    b->keep = keep;
    if (!yaml_parser_initialize(&p)) {
        free(b);
        return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    }
    yaml_parser_set_input(&p, read_source, src);
    for (;;) {
        yaml_event_t e;
        if (!yaml_parser_parse(&p, &e)) {
            rc = parse_error(&p, path, src, err);
            break;
        }
        int end = e.type == YAML_STREAM_END_EVENT;
        if (!end)
            rc = on_event(b, &e, &docs);
        yaml_event_delete(&e);
        if (end || rc != ATMOS_OK)
            break;
    }
    yaml_parser_delete(&p);
    /* Levels still open after an error: their gathered children are freed here. */
    for (size_t i = 0; i < ATMOS_YAML_MAX_DEPTH; i++)
        free(b->stack[i].kids);
    free(b->anchors);
    t->arena = b->arena;
    t->root = rc == ATMOS_OK ? b->root : NULL;
    t->bytes = src->total;
    t->nodes = b->nodes;
    free(b);
    if (rc != ATMOS_OK)
        atmos_yaml_free(t);
    return rc;
}

int atmos_yaml_load(struct atmos_ytree *t, const char *path, const char *data, size_t len,
                    size_t limit, const char *const *keep, struct atmos_err *err)
{
    struct source src = {.data = data, .len = len, .fd = -1, .limit = limit};
    return load(t, path, &src, keep, err);
}

int atmos_yaml_load_fd(struct atmos_ytree *t, const char *path, int fd, size_t limit,
                       const char *const *keep, struct atmos_err *err)
{
    struct source src = {.fd = fd, .limit = limit};
    return load(t, path, &src, keep, err);
}

void atmos_yaml_free(struct atmos_ytree *t)
{
    atmos_arena_free(&t->arena);
    t->root = NULL;
}

int atmos_ynode_is_null(const struct atmos_ynode *n)
{
    if (n->type != ATMOS_Y_SCALAR || !n->plain || n->env)
        return 0;
    /* By length first: asked of every entry and value, most of which are not null. */
    const char *v = n->value;
    if (n->len == 0 || (n->len == 1 && v[0] == '~'))
        return 1;
    return n->len == 4 &&
           (memcmp(v, "null", 4) == 0 || memcmp(v, "Null", 4) == 0 || memcmp(v, "NULL", 4) == 0);
}

int atmos_ynode_is_merge_key(const struct atmos_ynode *n)
{
    return n->type == ATMOS_Y_SCALAR && n->plain && n->len == 2 && n->value[0] == '<' &&
           n->value[1] == '<';
}

const struct atmos_ynode *atmos_ynode_get(const struct atmos_ynode *map, const char *key)
{
    if (map == NULL || map->type != ATMOS_Y_MAP)
        return NULL;
    for (size_t i = 0; i + 1 < map->n; i += 2) {
        const struct atmos_ynode *k = map->kids[i];
        if (k->type == ATMOS_Y_SCALAR && strcmp(k->value, key) == 0)
            return map->kids[i + 1];
    }
    return NULL;
}

/*
 * A kubeconfig's entries by byte range, from one libyaml parse (see
 * formats/yamledit.h).
 *
 * libyaml's marks count characters (a CRLF as two), not bytes: `off` turns
 * them into byte offsets by walking the UTF-8 text once, forward.
 *
 * An entry is cut with its whole lines: from the start of the line of its
 * `-` to the line break after its last value (a comment on that line goes
 * with it).  Comments and blank lines between entries stay.  What makes
 * that inexact is refused, not guessed at: a flow sequence, an alias (its
 * anchor may be in a cut range), a tag (but !!str on a scalar), a second document, a top-level key
 * twice (a reader takes the last list, the cut would be in both), anything
 * but blanks and a comment
 * between an entry and the next, a block scalar that keeps its trailing
 * blank lines (`|+`: a cut after it would add to its value), an entry right
 * after one ending in a block scalar (the lines after the cut could join it).
 * A key twice inside an entry is read as kubectl reads it: the last value.
 *
 * MUST: stop at the first level deeper than ATMOS_YAML_MAX_DEPTH and after
 * ATMOS_YAML_MAX_NODES nodes; keep no name holding a NUL byte; never put a
 * byte of the file into a message (only line and column).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "formats/kubeverdict.h"
#include "formats/yamledit.h"
#include "formats/yamltree.h"

#define MAX_ROOT_KEYS 1024u

enum role { R_OTHER, R_ROOT, R_SECTION, R_ENTRY, R_CTX, R_PREFS };

struct level {
    int map, flow, role, section;
    int want_key;
    char *key; /* ROOT, ENTRY, CTX: the key whose value comes next */
    struct atmos_kube_entry *entry; /* SECTION: the item being read */
    const struct atmos_kube_type *type; /* what client-go reads it as (NULL: not read) */
};

struct scan {
    const char *p;
    size_t len;
    struct atmos_kube_doc *doc;
    struct atmos_err *why;
    struct level stack[ATMOS_YAML_MAX_DEPTH];
    int depth, docs, root_seen;
    size_t nodes;
    char *root_keys[MAX_ROOT_KEYS];
    size_t nroot;
    int ascii;
    size_t base;                 /* a UTF-8 byte order mark: libyaml's count starts after it */
    size_t cur_chars, cur_bytes; /* off(): the last position turned into bytes */
    size_t last_end;             /* bytes: the end of the last scalar or flow collection */
    int after_block;             /* that was a block scalar (| or >) */
    size_t gap;                  /* bytes: where the next item's `-` is looked for */
    size_t cap[ATMOS_KUBE_SECTIONS];
    char tool_msg[160]; /* the first thing kubectl refuses, or "" */
};

/* Byte offset of a character index (marks only move forward, but for a restart). */
static size_t off(struct scan *s, size_t chars)
{
    if (s->ascii)
        return chars + s->base < s->len ? chars + s->base : s->len;
    if (chars < s->cur_chars || s->cur_bytes < s->base) {
        s->cur_chars = 0;
        s->cur_bytes = s->base;
    }
    while (s->cur_chars < chars && s->cur_bytes < s->len) {
        unsigned char c = (unsigned char)s->p[s->cur_bytes];
        /* A CRLF is one break but two characters in libyaml's count: no special case. */
        size_t w = c < 0x80 ? 1 : c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
        s->cur_bytes += w;
        s->cur_chars++;
    }
    return s->cur_bytes < s->len ? s->cur_bytes : s->len;
}

/*
 * What kubectl itself refuses: noted (the first), and the parse goes on, so
 * that a file that is not YAML at all says so first.
 */
static int tool_refuse(struct scan *s, const yaml_mark_t *m, const char *what)
{
    if (s->tool_msg[0] == '\0')
        snprintf(s->tool_msg, sizeof(s->tool_msg), "line %zu, column %zu: kubectl refuses it: %s",
                 m->line + 1, m->column + 1, what);
    return ATMOS_OK;
}

static int refuse(struct scan *s, const yaml_mark_t *m, const char *what)
{
    return atmos_fail(s->why, ATMOS_EINVAL, "line %zu, column %zu: %s", m->line + 1, m->column + 1,
                      what);
}

static char *scalar(struct scan *s, const yaml_event_t *e, int *bad)
{
    const char *v = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    *bad = memchr(v, '\0', n) != NULL;
    char *out = *bad ? NULL : strndup(v, n);
    (void)s;
    return out;
}

/* The `-` of the item starting at byte `item`, looked for from s->gap. */
static void item_start(struct scan *s, struct atmos_kube_entry *en, size_t item)
{
    size_t i = s->gap;
    en->exact = 0;
    for (;;) {
        while (i < item && strchr(" \t\r\n", s->p[i]) && s->p[i] != '\0')
            i++;
        if (i < item && s->p[i] == '#') {
            while (i < item && s->p[i] != '\n')
                i++;
            continue;
        }
        break;
    }
    if (i >= item || s->p[i] != '-' || (i + 1 < s->len && !strchr(" \t\r\n", s->p[i + 1])))
        return;
    size_t j = i;
    while (j > 0 && s->p[j - 1] == ' ')
        j--;
    if (j > 0 && s->p[j - 1] != '\n')
        return;
    en->start = j;
    en->exact = 1;
}

/* After the item's last value: the rest of its line must be blanks and a comment. */
static void item_end(struct scan *s, struct atmos_kube_entry *en)
{
    size_t i = s->last_end;
    if (i > 0 && s->p[i - 1] == '\n') { /* a block scalar ends at the next line */
        en->end = s->gap = i;
        return;
    }
    while (i < s->len && (s->p[i] == ' ' || s->p[i] == '\t'))
        i++;
    if (i < s->len && s->p[i] == '#')
        while (i < s->len && s->p[i] != '\n')
            i++;
    if (i < s->len && s->p[i] == '\r' && i + 1 < s->len && s->p[i + 1] == '\n')
        i++;
    if (i < s->len && s->p[i] == '\n')
        i++;
    else if (i < s->len)
        en->exact = 0;
    en->end = s->gap = i;
}

static int section_of(const char *key)
{
    static const char *const names[] = {"clusters", "contexts", "users"};
    int i = 0;
    while (i < ATMOS_KUBE_SECTIONS && !(key && strcmp(key, names[i]) == 0))
        i++;
    return i; /* ATMOS_KUBE_SECTIONS: none */
}

static int root_key(struct scan *s, const yaml_mark_t *m, const char *key)
{
    for (size_t i = 0; i < s->nroot; i++)
        if (strcmp(s->root_keys[i], key) == 0)
            return refuse(s, m, "a top-level key appears twice");
    if (s->nroot == MAX_ROOT_KEYS)
        return refuse(s, m, "more top-level keys than a kubeconfig has");
    if ((s->root_keys[s->nroot] = strdup(key)) == NULL)
        return ATMOS_ENOMEM;
    s->nroot++;
    return ATMOS_OK;
}

/* A key of ROOT, ENTRY or CTX: a string; the root's each once. */
static int on_key(struct scan *s, struct level *pl, const yaml_event_t *e)
{
    int bad = 0;
    if (e->type != YAML_SCALAR_EVENT)
        return refuse(s, &e->start_mark, "a key that is not a string");
    free(pl->key);
    if ((pl->key = scalar(s, e, &bad)) == NULL)
        return bad ? refuse(s, &e->start_mark, "a key holding a NUL byte") : ATMOS_ENOMEM;
    /* kubectl's reader merges `<<` (YAML 1.1): where names are read, it could bring one. */
    if (strcmp(pl->key, "<<") == 0 && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE)
        return refuse(s, &e->start_mark, "a merge key (<<) where names are read");
    if (pl->role == R_ROOT)
        return root_key(s, &e->start_mark, pl->key);
    /* A key twice in an entry: kubectl's reader takes the last value, so does keep(); a
     * second `context` is a new one, of no cluster or user until it names them. */
    if (strcmp(pl->key, "context") == 0 && pl->role == R_ENTRY &&
        pl->section == ATMOS_KUBE_CONTEXTS) {
        struct atmos_kube_entry *en = &s->doc->e[pl->section][s->doc->n[pl->section] - 1];
        free(en->cluster);
        free(en->user);
        en->cluster = en->user = NULL;
    }
    return ATMOS_OK;
}

static int is_null(const yaml_event_t *e)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    if (e->type != YAML_SCALAR_EVENT || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE ||
        e->data.scalar.tag) /* !!str ~ is the string "~" */
        return 0;
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        if (strcmp((const char *)e->data.scalar.value, nulls[i]) == 0)
            return 1;
    return 0;
}

static struct atmos_kube_entry *last(struct scan *s, int sec)
{
    return &s->doc->e[sec][s->doc->n[sec] - 1];
}

static int new_entry(struct scan *s, int sec, const yaml_event_t *e)
{
    struct atmos_kube_doc *d = s->doc;
    if (d->n[sec] == s->cap[sec]) {
        size_t cap = s->cap[sec] ? 2 * s->cap[sec] : 8;
        struct atmos_kube_entry *v = realloc(d->e[sec], cap * sizeof(*v));
        if (v == NULL)
            return ATMOS_ENOMEM;
        d->e[sec] = v;
        s->cap[sec] = cap;
    }
    struct atmos_kube_entry *en = &d->e[sec][d->n[sec]++];
    memset(en, 0, sizeof(*en));
    en->line = e->start_mark.line + 1;
    /* After a block scalar, the indented comment lines that follow the item would become the
     * scalar's lines once the item is cut: it stays where it is. */
    if (!d->flow[sec] && !s->after_block)
        item_start(s, en, off(s, e->start_mark.index));
    return ATMOS_OK;
}

/*
 * A name (or a context's cluster or user, or current-context) the scan
 * keeps: *dst, once.  kubectl compares names whole: one holding a NUL is
 * kept as 0xFF and its bytes in hex, which no UTF-8 name can spell, so it
 * is equal only to itself.
 */
static int keep(struct scan *s, const yaml_event_t *e, char **dst)
{
    if (e->type != YAML_SCALAR_EVENT)
        return tool_refuse(s, &e->start_mark, "a name that is not a string");
    if (atmos_kube_not_a_string(e))
        return tool_refuse(s, &e->start_mark, "a name YAML reads as a bool or a number");
    free(*dst);
    *dst = NULL;
    if (is_null(e))
        return ATMOS_OK; /* "" to kubectl */
    const char *v = (const char *)e->data.scalar.value;
    size_t n = e->data.scalar.length;
    if (memchr(v, '\0', n) == NULL)
        return (*dst = strndup(v, n)) ? ATMOS_OK : ATMOS_ENOMEM;
    if ((*dst = malloc(2 * n + 2)) == NULL)
        return ATMOS_ENOMEM;
    (*dst)[0] = '\xff';
    for (size_t i = 0; i < n; i++)
        snprintf(*dst + 1 + 2 * i, 3, "%02x", (unsigned char)v[i]);
    return ATMOS_OK;
}

/* A value of the root mapping: what the role of a collection value is. */
static int root_value(struct scan *s, const struct level *pl, const yaml_event_t *e, int *role,
                      int *sec)
{
    int k = section_of(pl->key);
    if (k < ATMOS_KUBE_SECTIONS) {
        if (e->type == YAML_SEQUENCE_START_EVENT) {
            *role = R_SECTION;
            *sec = k;
            s->doc->flow[k] |= e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
            return ATMOS_OK;
        }
        return is_null(e) ? ATMOS_OK : tool_refuse(s, &e->start_mark, "a list of entries is not a list");
    }
    if (strcmp(pl->key, "current-context") != 0) {
        /* What else kubectl shows: deleting the file would lose it. */
        if (strcmp(pl->key, "preferences") == 0 && e->type == YAML_MAPPING_START_EVENT)
            *role = R_PREFS; /* {} is what kubectl shows of none */
        else if (strcmp(pl->key, "apiVersion") != 0 && strcmp(pl->key, "kind") != 0 &&
                 strcmp(pl->key, "preferences") != 0 && !is_null(e))
            s->doc->other = 1;
        return ATMOS_OK;
    }
    if (e->type != YAML_SCALAR_EVENT)
        return tool_refuse(s, &e->start_mark, "current-context is not a string");
    struct atmos_kube_doc *d = s->doc;
    d->cur_start = off(s, e->start_mark.index);
    d->cur_end = off(s, e->end_mark.index);
    yaml_scalar_style_t st = e->data.scalar.style;
    d->cur_replaceable = st == YAML_PLAIN_SCALAR_STYLE || st == YAML_SINGLE_QUOTED_SCALAR_STYLE ||
                         st == YAML_DOUBLE_QUOTED_SCALAR_STYLE;
    return keep(s, e, &d->current);
}

/* A key of the mapping pl. */
static int node_key(struct scan *s, struct level *pl, const yaml_event_t *e)
{
    pl->want_key = 0;
    /* A null key is no JSON field name: sigs.k8s.io/yaml refuses the file.  (Under a
     * key given again it would be gone first: refused here all the same.) */
    if (is_null(e))
        tool_refuse(s, &e->start_mark, "a null key");
    if (pl->role != R_OTHER)
        return on_key(s, pl, e);
    /* yaml.v2 refuses a map key it cannot hash, wherever it is, replaced or not. */
    if (e->type != YAML_SCALAR_EVENT)
        return tool_refuse(s, &e->start_mark, "a key that is a list or a mapping");
    /* What a merge brings, and whether kubectl takes it, is known once it is merged. */
    if (e->type == YAML_SCALAR_EVENT && e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
        e->data.scalar.tag == NULL && strcmp((const char *)e->data.scalar.value, "<<") == 0)
        s->doc->merges = 1;
    /* For the type of the value (formats/kubeverdict.c); no field's name holds a NUL. */
    free(pl->key);
    pl->key = NULL;
    if (pl->type && e->type == YAML_SCALAR_EVENT &&
        memchr(e->data.scalar.value, '\0', e->data.scalar.length) == NULL &&
        (pl->key = strndup((const char *)e->data.scalar.value, e->data.scalar.length)) == NULL)
        return ATMOS_ENOMEM;
    return ATMOS_OK;
}

/* A node starts below the level pl (NULL: the document's root): its role. */
static int node(struct scan *s, struct level *pl, const yaml_event_t *e, int *role, int *sec)
{
    int map = e->type == YAML_MAPPING_START_EVENT;
    *role = R_OTHER;
    *sec = pl ? pl->section : 0;
    if (pl == NULL) {
        if (s->root_seen++)
            return refuse(s, &e->start_mark, "more than one document");
        if (map)
            *role = R_ROOT;
        return map || is_null(e) ? ATMOS_OK : refuse(s, &e->start_mark, "not a mapping");
    }
    if (pl->role == R_PREFS)
        s->doc->other = 1;
    if (pl->map && pl->want_key)
        return node_key(s, pl, e);
    if (pl->map) {
        pl->want_key = 1;
        if (pl->role == R_ROOT)
            return root_value(s, pl, e, role, sec);
        if (pl->role == R_ENTRY && strcmp(pl->key, "name") == 0)
            return keep(s, e, &last(s, pl->section)->name);
        if (pl->role == R_ENTRY && strcmp(pl->key, "context") == 0 &&
            pl->section == ATMOS_KUBE_CONTEXTS && map)
            *role = R_CTX;
        if (pl->role == R_CTX && strcmp(pl->key, "cluster") == 0)
            return keep(s, e, &last(s, pl->section)->cluster);
        if (pl->role == R_CTX && strcmp(pl->key, "user") == 0)
            return keep(s, e, &last(s, pl->section)->user);
        return ATMOS_OK;
    }
    if (pl->role != R_SECTION)
        return ATMOS_OK;
    if (map)
        *role = R_ENTRY;
    else if (!is_null(e)) /* null is an entry named "" to kubectl */
        tool_refuse(s, &e->start_mark, "an entry that is not a mapping");
    return new_entry(s, pl->section, e);
}

/* |+ or >+: the blank lines after it are its value, and an entry cut after it would add some. */
static int keeps_trailing_lines(struct scan *s, const yaml_event_t *e)
{
    yaml_scalar_style_t st = e->data.scalar.style;
    if (st != YAML_LITERAL_SCALAR_STYLE && st != YAML_FOLDED_SCALAR_STYLE)
        return 0;
    for (size_t i = off(s, e->start_mark.index) + 1; i < s->len; i++) {
        if (s->p[i] == '+')
            return 1;
        if (s->p[i] != '-' && (s->p[i] < '0' || s->p[i] > '9'))
            return 0;
    }
    return 0;
}

static int start(struct scan *s, const yaml_event_t *e)
{
    struct level *pl = s->depth ? &s->stack[s->depth - 1] : NULL;
    const yaml_char_t *tag = e->type == YAML_SCALAR_EVENT           ? e->data.scalar.tag
                             : e->type == YAML_SEQUENCE_START_EVENT ? e->data.sequence_start.tag
                                                                    : e->data.mapping_start.tag;
    /* !!str on a scalar is a string to any reader; what another tag makes is the reader's. */
    if (tag && !(e->type == YAML_SCALAR_EVENT && strcmp((const char *)tag, YAML_STR_TAG) == 0))
        return refuse(s, &e->start_mark, "a tag (what it makes of the value is the reader's)");
    if (++s->nodes > ATMOS_YAML_MAX_NODES)
        return refuse(s, &e->start_mark, "more YAML nodes than a kubeconfig has");
    /* kubectl's verdict on the node, where it is a value (a key is its mapping's business). */
    const struct atmos_kube_type *type = NULL;
    if (!(pl && pl->map && pl->want_key)) {
        type = pl ? atmos_kube_type_of(pl->type, pl->map ? pl->key : NULL) : atmos_kube_type_root();
        const char *wrong = atmos_kube_type_check(type, e);
        if (wrong)
            tool_refuse(s, &e->start_mark, wrong);
    }
    int role, sec, rc = node(s, pl, e, &role, &sec);
    if (rc != ATMOS_OK)
        return rc;
    if (e->type == YAML_SCALAR_EVENT) {
        if (keeps_trailing_lines(s, e))
            return refuse(s, &e->start_mark,
                          "a block scalar keeping its trailing blank lines "
                          "(|+): a cut after it would change its value");
        s->last_end = off(s, e->end_mark.index);
        s->after_block = e->data.scalar.style == YAML_LITERAL_SCALAR_STYLE ||
                         e->data.scalar.style == YAML_FOLDED_SCALAR_STYLE;
        if (pl && !pl->map && pl->role == R_SECTION)
            item_end(s, last(s, pl->section));
        return ATMOS_OK;
    }
    if (s->depth == ATMOS_YAML_MAX_DEPTH)
        return refuse(s, &e->start_mark, "nested deeper than a kubeconfig is");
    struct level *l = &s->stack[s->depth++];
    memset(l, 0, sizeof(*l));
    l->map = e->type == YAML_MAPPING_START_EVENT;
    l->flow = l->map ? e->data.mapping_start.style == YAML_FLOW_MAPPING_STYLE
                     : e->data.sequence_start.style == YAML_FLOW_SEQUENCE_STYLE;
    l->want_key = l->map;
    l->role = role;
    l->section = sec;
    l->type = type;
    if (role == R_SECTION)
        s->gap = off(s, e->start_mark.index);
    return ATMOS_OK;
}

static void end(struct scan *s, const yaml_event_t *e)
{
    struct level *l = &s->stack[--s->depth];
    if (l->flow) {
        s->last_end = off(s, e->end_mark.index);
        s->after_block = 0;
    }
    free(l->key);
    l->key = NULL;
    struct level *pl = s->depth ? &s->stack[s->depth - 1] : NULL;
    if (pl && !pl->map && pl->role == R_SECTION)
        item_end(s, last(s, pl->section));
}

static int on_event(struct scan *s, const yaml_event_t *e)
{
    switch (e->type) {
    case YAML_STREAM_START_EVENT:
        if (e->data.stream_start.encoding != YAML_UTF8_ENCODING &&
            e->data.stream_start.encoding != YAML_ANY_ENCODING)
            return refuse(s, &e->start_mark, "not UTF-8");
        return ATMOS_OK;
    case YAML_DOCUMENT_START_EVENT:
        return s->docs++ ? refuse(s, &e->start_mark, "more than one document") : ATMOS_OK;
    case YAML_ALIAS_EVENT:
        return refuse(s, &e->start_mark, "an alias (its anchor may be in an entry removed)");
    case YAML_SCALAR_EVENT:
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        return start(s, e);
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        end(s, e);
        return ATMOS_OK;
    default:
        return ATMOS_OK;
    }
}

/*
 * A lone CR, NEL, LS or PS: line breaks to libyaml (YAML 1.1) that the line
 * arithmetic here does not count; no kubeconfig writer makes them.
 */
static int odd_breaks(const char *p, size_t len)
{
    for (size_t i = 0; i < len; i++) {
        if (p[i] == '\r' && (i + 1 == len || p[i + 1] != '\n'))
            return 1;
        if (i + 1 < len && (unsigned char)p[i] == 0xc2 && (unsigned char)p[i + 1] == 0x85)
            return 1;
        if (i + 2 < len && (unsigned char)p[i] == 0xe2 && (unsigned char)p[i + 1] == 0x80 &&
            ((unsigned char)p[i + 2] == 0xa8 || (unsigned char)p[i + 2] == 0xa9))
            return 1;
    }
    return 0;
}

static int by_name(const void *a, const void *b)
{
    const struct atmos_kube_entry *x = *(const struct atmos_kube_entry *const *)a,
                                  *y = *(const struct atmos_kube_entry *const *)b;
    int c = strcmp(x->name ? x->name : "", y->name ? y->name : "");
    return c ? c : x->line < y->line ? -1 : x->line > y->line;
}

/*
 * client-go turns each list into a map by name and refuses a name twice
 * (a missing or null name is ""): so does this, whichever copy is whose.
 */
static int unique_names(struct atmos_kube_doc *d, struct atmos_err *why)
{
    static const char *const what[] = {"clusters", "contexts", "users"};
    int rc = ATMOS_OK;
    for (int k = 0; k < ATMOS_KUBE_SECTIONS && rc == ATMOS_OK; k++) {
        if (d->n[k] < 2)
            continue;
        struct atmos_kube_entry **v = malloc(d->n[k] * sizeof(*v));
        if (v == NULL)
            return ATMOS_ENOMEM;
        for (size_t i = 0; i < d->n[k]; i++)
            v[i] = &d->e[k][i];
        qsort(v, d->n[k], sizeof(*v), by_name);
        for (size_t i = 1; i < d->n[k] && rc == ATMOS_OK; i++)
            if (strcmp(v[i - 1]->name ? v[i - 1]->name : "", v[i]->name ? v[i]->name : "") == 0)
                rc = atmos_fail(why, ATMOS_EINVAL,
                                "kubectl refuses it: two %s have the same name (lines %zu and %zu)",
                                what[k], v[i - 1]->line, v[i]->line);
        free(v);
    }
    return rc;
}

int atmos_kube_scan(const char *p, size_t len, struct atmos_kube_doc *doc, struct atmos_err *why)
{
    struct scan *s = calloc(1, sizeof(*s));
    yaml_parser_t parser;
    yaml_event_t e;
    int rc = ATMOS_OK, done = 0;
    memset(doc, 0, sizeof(*doc));
    if (s == NULL || !yaml_parser_initialize(&parser)) {
        free(s);
        return ATMOS_ENOMEM;
    }
    s->p = p ? p : "";
    s->len = len;
    s->doc = doc;
    s->why = why;
    if (odd_breaks(s->p, len)) {
        rc = atmos_fail(why, ATMOS_EINVAL, "line breaks other than LF and CRLF");
        goto out;
    }
    s->ascii = 1;
    s->base = len >= 3 && memcmp(s->p, "\xEF\xBB\xBF", 3) == 0 ? 3 : 0;
    for (size_t i = s->base; i < len && s->ascii; i++)
        s->ascii = (unsigned char)p[i] < 0x80;
    yaml_parser_set_input_string(&parser, (const unsigned char *)s->p, len);
    while (rc == ATMOS_OK && !done) {
        if (!yaml_parser_parse(&parser, &e)) {
            rc = atmos_fail(why, ATMOS_EINVAL, "line %zu, column %zu: not YAML (%s)",
                            parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                            parser.problem ? parser.problem : "a syntax error");
            break;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        rc = on_event(s, &e);
        yaml_event_delete(&e);
    }
    if (rc == ATMOS_OK && s->tool_msg[0])
        rc = atmos_fail(why, ATMOS_EINVAL, "%s", s->tool_msg);
    if (rc == ATMOS_OK)
        rc = unique_names(doc, why);
out:
    yaml_parser_delete(&parser);
    for (int i = 0; i < s->depth; i++)
        free(s->stack[i].key);
    for (size_t i = 0; i < s->nroot; i++)
        free(s->root_keys[i]);
    free(s);
    if (rc != ATMOS_OK)
        atmos_kube_doc_free(doc);
    return rc;
}

/*
 * A kubeconfig written out again as kubectl reads it (see formats/kubenorm.h): the
 * fallback for the shapes formats/yamledit.c cannot cut by byte ranges.  What goes
 * is still cut by formats/yamledit.c, from this file's output, which it can cut.
 *
 * kubectl reads a kubeconfig with yaml.v2 into Go maps and lists, then as
 * JSON (sigs.k8s.io/yaml); each rule below is what that reader does,
 * checked against kubectl in tests/e2e/test_editors_diff.sh:
 *  - the first document only (a second is never read, even a broken one);
 *  - an alias is a copy of its anchor's node (the latest anchor of the
 *    name); one of no anchor, or inside its own anchor, refuses the file;
 *  - `<<` (plain) merges a mapping, or a list of them (the earlier ones
 *    win), where it stands: what comes after it wins, what came before loses
 *    to it; anything else after `<<` refuses the file;
 *  - of a key given twice, the last; keys are equal when they are the same
 *    string (a plain one as YAML 1.1 reads it: `5` is no string);
 *  - a tag on a list or mapping changes nothing; a scalar's `!!str`, `!`
 *    and the user's own tags (`!mine`) make it a string.  Other standard
 *    tags (`!!int`, `!!binary`, ...) are refused here (they convert).
 *
 * Every scalar stays what it was: a plain one that is not a string is written
 * with its own text, plain; a string plain only when YAML 1.1 cannot read it
 * as anything else, else quoted.  The output is parsed again and compared
 * scalar by scalar before it is used.
 *
 * MUST: build at most ATMOS_YAML_MAX_NODES nodes, nested at most
 * ATMOS_YAML_MAX_DEPTH, and expand aliases to at most that many nodes and
 * ATMOS_KUBE_MAX_BYTES of output; refuse what yaml.v2 refuses as excessive
 * aliasing (never make a file it rejects readable); never put a byte of the
 * file into a message (only line and column).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "formats/kubenorm.h"
#include "base/limits.h"
#include "formats/kubenorm_tree.h"
#include "formats/kubeverdict.h"
#include "formats/yamledit.h"

/* --- what yaml.v2 makes of it ---------------------------------------------------- */

/* A plain scalar YAML 1.1 reads as null, a bool or a number, or `<<`: not a string. */
static int plain_not_string(const char *v, size_t len)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL", "<<"};
    yaml_event_t e;
    if (memchr(v, '\0', len))
        return 0; /* never plain */
    for (size_t i = 0; i < sizeof(nulls) / sizeof(nulls[0]); i++)
        if (strcmp(v, nulls[i]) == 0)
            return 1;
    memset(&e, 0, sizeof(e));
    e.type = YAML_SCALAR_EVENT;
    e.data.scalar.value = (yaml_char_t *)(uintptr_t)v;
    e.data.scalar.length = len;
    e.data.scalar.style = YAML_PLAIN_SCALAR_STYLE;
    return atmos_kube_not_a_string(&e);
}

/* A string that can be written plain and still read as that string: it starts with a
 * letter (no number, timestamp or indicator does) and is no null or bool word. */
static int plain_string_ok(const char *v, size_t len)
{
    return len > 0 && ((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')) &&
           memchr(v, '\0', len) == NULL && !plain_not_string(v, len);
}

static int is_string(const struct nnode *n)
{
    return n->kind == N_SCALAR && (n->str || !plain_not_string(n->value, n->len));
}

static int is_null(const struct nnode *n)
{
    static const char *const nulls[] = {"", "~", "null", "Null", "NULL"};
    for (size_t i = 0; n->kind == N_SCALAR && !n->str && i < sizeof(nulls) / sizeof(nulls[0]); i++)
        if (strcmp(n->value, nulls[i]) == 0)
            return 1;
    return 0;
}

static int is_merge(const struct nnode *k)
{
    return k->kind == N_SCALAR && !k->str && strcmp(k->value, "<<") == 0;
}

/* yaml.v2's guard against alias bombs: it refuses a file past this ratio. */
static double alias_ratio(size_t decodes)
{
    if (decodes <= 400000)
        return 0.99;
    if (decodes >= 4000000)
        return 0.10;
    return 0.99 - 0.89 * ((double)(decodes - 400000) / 3600000.0);
}

/* One node read by yaml.v2: counted, as it counts (an alias's copy as aliased). */
static int visit(struct norm *z, const struct nnode *n, int aliased)
{
    z->decodes++;
    z->aliased += aliased != 0;
    /* A margin below yaml.v2's own limit: counting differs a little, and a file it might
     * refuse must never be made one it reads. */
    if (z->aliased > 50 && z->decodes > 500 &&
        (double)z->aliased / (double)z->decodes > alias_ratio(z->decodes) - 0.2)
        return atmos_knorm_refuse(z, n->line, n->column,
                         "aliases copying more than kubectl's reader may take "
                         "(excessive aliasing)");
    if (++z->emitted > ATMOS_YAML_MAX_NODES)
        return atmos_knorm_refuse(z, n->line, n->column,
                         "aliases copying more YAML nodes than a kubeconfig has");
    return ATMOS_OK;
}

struct pairs {
    struct nnode **kv; /* key, value, ... */
    size_t n, cap;     /* pairs; kv's room */
};

/* A node is shared by its aliases: a visit is a copy when the node was visited before. */
static int flatten(struct norm *z, struct nnode *m, struct pairs *out, int depth, int aliased);

static int merge(struct norm *z, const struct nnode *k, struct nnode *v, struct pairs *out,
                 int depth, int aliased)
{
    int rc = visit(z, v, aliased |= v->seen);
    v->seen = 1;
    if (rc != ATMOS_OK)
        return rc;
    if (v->kind == N_MAP)
        return flatten(z, v, out, depth + 1, aliased);
    if (v->kind != N_SEQ)
        return atmos_knorm_refuse(z, k->line, k->column,
                         "kubectl refuses it: a merge key (<<) not followed by a mapping or a list "
                         "of them");
    for (size_t i = v->n; i-- > 0;) { /* the earlier ones win: they are merged last */
        if (v->kids[i]->kind != N_MAP)
            return atmos_knorm_refuse(z, k->line, k->column,
                             "kubectl refuses it: a merge key (<<) not followed by a mapping or "
                             "a list of them");
        rc = flatten(z, v->kids[i], out, depth + 1, aliased | v->kids[i]->seen);
        v->kids[i]->seen = 1;
        if (rc != ATMOS_OK)
            return rc;
    }
    return ATMOS_OK;
}

/* The assignments yaml.v2 makes reading mapping m, in its order, merges included. */
static int flatten(struct norm *z, struct nnode *m, struct pairs *out, int depth, int aliased)
{
    if (depth > ATMOS_YAML_MAX_DEPTH)
        return atmos_knorm_refuse(z, m->line, m->column, "merge keys nested deeper than a kubeconfig is");
    for (size_t i = 0; i + 1 < m->n; i += 2) {
        struct nnode *k = m->kids[i], *v = m->kids[i + 1];
        int rc = visit(z, k, aliased);
        if (rc == ATMOS_OK && is_merge(k))
            rc = merge(z, k, v, out, depth, aliased);
        else if (rc == ATMOS_OK && k->kind != N_SCALAR)
            rc = atmos_knorm_refuse(z, k->line, k->column,
                           "kubectl refuses it: a key that is a list or a mapping");
        else if (rc == ATMOS_OK) {
            if (atmos_knorm_grow((void **)&out->kv, &out->cap, 2 * (out->n + 1), sizeof(*out->kv)) != 0)
                return ATMOS_ENOMEM;
            out->kv[2 * out->n] = k;
            out->kv[2 * out->n + 1] = v;
            out->n++;
        }
        if (rc != ATMOS_OK)
            return rc;
    }
    return ATMOS_OK;
}

struct keyref {
    const struct nnode *k;
    size_t at;
};

static int by_key(const void *a, const void *b)
{
    const struct keyref *x = a, *y = b;
    size_t n = x->k->len < y->k->len ? x->k->len : y->k->len;
    int c = memcmp(x->k->value, y->k->value, n);
    if (c == 0)
        c = x->k->len < y->k->len ? -1 : x->k->len > y->k->len;
    return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* Of a string key given twice, only the last assignment counts: keep[i] says which. */
static int last_wins(const struct pairs *p, unsigned char *keep)
{
    struct keyref *v = malloc((p->n + 1) * sizeof(*v));
    size_t n = 0;
    if (v == NULL)
        return ATMOS_ENOMEM;
    for (size_t i = 0; i < p->n; i++) {
        keep[i] = 1;
        if (is_string(p->kv[2 * i]))
            v[n++] = (struct keyref){p->kv[2 * i], i};
    }
    qsort(v, n, sizeof(*v), by_key);
    for (size_t i = 0; i + 1 < n; i++)
        if (v[i].k->len == v[i + 1].k->len &&
            memcmp(v[i].k->value, v[i + 1].k->value, v[i].k->len) == 0)
            keep[v[i].at] = 0;
    free(v);
    return ATMOS_OK;
}

/*
 * A value a later key replaces: never written, but yaml.v2 reads it before it is
 * replaced, and refuses the file for what it refuses there (a key that is a list, a
 * merge of no mapping), counting its nodes.
 */
static int validate(struct norm *z, struct nnode *n, int depth, int aliased)
{
    struct pairs p = {NULL, 0, 0};
    int rc;
    if (depth > ATMOS_YAML_MAX_DEPTH)
        return atmos_knorm_refuse(z, n->line, n->column, "aliases nesting deeper than a kubeconfig is");
    aliased |= n->seen;
    n->seen = 1;
    if ((rc = visit(z, n, aliased)) != ATMOS_OK || n->kind == N_SCALAR)
        return rc;
    if (n->kind == N_SEQ) {
        for (size_t i = 0; rc == ATMOS_OK && i < n->n; i++)
            rc = validate(z, n->kids[i], depth + 1, aliased);
        return rc;
    }
    rc = flatten(z, n, &p, depth, aliased);
    for (size_t i = 0; rc == ATMOS_OK && i < p.n; i++)
        rc = validate(z, p.kv[2 * i + 1], depth + 1, aliased);
    free(p.kv);
    return rc;
}

/* --- writing it -------------------------------------------------------------- */

static int emit(struct norm *z, yaml_emitter_t *em, yaml_event_t *e)
{
    if (yaml_emitter_emit(em, e))
        return ATMOS_OK;
    if (z->too_big)
        return atmos_fail(z->why, ATMOS_EINVAL,
                          "rewritten without its aliases it would be larger than a kubeconfig "
                          "atmos edits (at most %u MiB)",
                          ATMOS_KUBE_MAX_BYTES / ATMOS_MIB);
    return em->error == YAML_MEMORY_ERROR
               ? ATMOS_ENOMEM
               : atmos_fail(z->why, ATMOS_EINVAL, "it cannot be written again as YAML (%s)",
                            em->problem ? em->problem : "libyaml's emitter");
}

static int note(struct norm *z, int type, const struct nnode *n)
{
    if (atmos_knorm_grow((void **)&z->w, &z->capw, z->nw + 1, sizeof(*z->w)) != 0)
        return ATMOS_ENOMEM;
    z->w[z->nw++] = (struct wrote){type, n};
    return ATMOS_OK;
}

static int has_break(const struct nnode *n)
{
    for (size_t i = 0; i < n->len; i++) {
        unsigned char c = (unsigned char)n->value[i];
        const unsigned char *v = (const unsigned char *)n->value + i;
        size_t left = n->len - i;
        if (c == '\n' || c == '\r' || (c == 0xc2 && left > 1 && v[1] == 0x85) ||
            (c == 0xe2 && left > 2 && v[1] == 0x80 && (v[2] == 0xa8 || v[2] == 0xa9)))
            return 1;
    }
    return 0;
}

static int write_scalar(struct norm *z, yaml_emitter_t *em, const struct nnode *n)
{
    yaml_event_t e;
    /* A string is written plain only where YAML 1.1 reads it back as a string; a plain
     * non-string keeps its text, plain (null, 5, true, .inf read back as they were). */
    int plain = n->str ? plain_string_ok(n->value, n->len) : 1;
    /* Lines of a string on one line, escaped: no block scalar for the cut to end after, and
     * no CR, NEL, LS or PS written raw (formats/yamledit.c counts LF and CRLF only). */
    yaml_scalar_style_t style = !n->str            ? YAML_PLAIN_SCALAR_STYLE
                                : has_break(n) ? YAML_DOUBLE_QUOTED_SCALAR_STYLE
                                               : YAML_ANY_SCALAR_STYLE;
    if (!yaml_scalar_event_initialize(&e, NULL, NULL, (yaml_char_t *)n->value, (int)n->len, plain,
                                      n->str, style))
        return ATMOS_ENOMEM;
    int rc = note(z, YAML_SCALAR_EVENT, n);
    return rc == ATMOS_OK ? emit(z, em, &e) : (yaml_event_delete(&e), rc);
}

static int write_node(struct norm *z, yaml_emitter_t *em, struct nnode *n, int depth, int aliased);

static int write_map(struct norm *z, yaml_emitter_t *em, struct nnode *n, int depth, int aliased)
{
    struct pairs p = {NULL, 0, 0};
    unsigned char *keep = NULL;
    yaml_event_t e;
    int rc = flatten(z, n, &p, depth, aliased);
    if (rc == ATMOS_OK && (keep = malloc(p.n + 1)) == NULL)
        rc = ATMOS_ENOMEM;
    if (rc == ATMOS_OK)
        rc = last_wins(&p, keep);
    if (rc == ATMOS_OK && (rc = note(z, YAML_MAPPING_START_EVENT, n)) == ATMOS_OK) {
        yaml_mapping_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_MAPPING_STYLE);
        rc = emit(z, em, &e);
    }
    for (size_t i = 0; rc == ATMOS_OK && i < p.n; i++)
        if (!keep[i])
            rc = validate(z, p.kv[2 * i + 1], depth + 1, aliased);
        else if (is_null(p.kv[2 * i]))
            rc = atmos_knorm_refuse(z, p.kv[2 * i]->line, p.kv[2 * i]->column,
                           "kubectl refuses it: a null key");
        else if ((rc = write_scalar(z, em, p.kv[2 * i])) == ATMOS_OK)
            rc = write_node(z, em, p.kv[2 * i + 1], depth + 1, aliased);
    if (rc == ATMOS_OK && (rc = note(z, YAML_MAPPING_END_EVENT, n)) == ATMOS_OK) {
        yaml_mapping_end_event_initialize(&e);
        rc = emit(z, em, &e);
    }
    free(p.kv);
    free(keep);
    return rc;
}

static int write_node(struct norm *z, yaml_emitter_t *em, struct nnode *n, int depth, int aliased)
{
    yaml_event_t e;
    int rc;
    if (depth > ATMOS_YAML_MAX_DEPTH)
        return atmos_knorm_refuse(z, n->line, n->column, "aliases nesting deeper than a kubeconfig is");
    /* A node written a second time is an alias's copy (an anchor comes before its
     * aliases, and the writing follows the file, but for merges and keys given twice). */
    aliased |= n->seen;
    n->seen = 1;
    if ((rc = visit(z, n, aliased)) != ATMOS_OK)
        return rc;
    if (n->kind == N_SCALAR)
        return write_scalar(z, em, n);
    if (n->kind == N_MAP)
        return write_map(z, em, n, depth, aliased);
    if ((rc = note(z, YAML_SEQUENCE_START_EVENT, n)) == ATMOS_OK) {
        yaml_sequence_start_event_initialize(&e, NULL, NULL, 1, YAML_BLOCK_SEQUENCE_STYLE);
        rc = emit(z, em, &e);
    }
    for (size_t i = 0; rc == ATMOS_OK && i < n->n; i++)
        rc = write_node(z, em, n->kids[i], depth + 1, aliased);
    if (rc == ATMOS_OK && (rc = note(z, YAML_SEQUENCE_END_EVENT, n)) == ATMOS_OK) {
        yaml_sequence_end_event_initialize(&e);
        rc = emit(z, em, &e);
    }
    return rc;
}

static int to_buf(void *data, unsigned char *bytes, size_t size)
{
    struct norm *z = data;
    if (z->out->len - z->out_start + size > ATMOS_KUBE_MAX_BYTES) {
        z->too_big = 1;
        return 0;
    }
    return atmos_buf_append(z->out, bytes, size) == 0;
}

static int write_all(struct norm *z)
{
    yaml_emitter_t em;
    yaml_event_t e;
    int rc;
    if (!z->have_root || is_null(z->root))
        return ATMOS_OK; /* nothing, or null: kubectl reads nothing, nor from no file */
    if (!yaml_emitter_initialize(&em))
        return ATMOS_ENOMEM;
    yaml_emitter_set_output(&em, to_buf, z);
    yaml_emitter_set_unicode(&em, 1);
    yaml_emitter_set_width(&em, -1);
    yaml_emitter_set_indent(&em, 2);
    yaml_emitter_set_break(&em, YAML_LN_BREAK);
    yaml_stream_start_event_initialize(&e, YAML_UTF8_ENCODING);
    rc = emit(z, &em, &e);
    if (rc == ATMOS_OK) {
        yaml_document_start_event_initialize(&e, NULL, NULL, NULL, 1);
        rc = emit(z, &em, &e);
    }
    if (rc == ATMOS_OK)
        rc = write_node(z, &em, z->root, 0, 0);
    if (rc == ATMOS_OK) {
        yaml_document_end_event_initialize(&e, 1);
        rc = emit(z, &em, &e);
    }
    if (rc == ATMOS_OK) {
        yaml_stream_end_event_initialize(&e);
        rc = emit(z, &em, &e);
    }
    yaml_emitter_delete(&em);
    return rc;
}

/* --- the output, read back: the same events, each scalar as it was meant ------- */

static int same_scalar(const struct nnode *n, const yaml_event_t *e)
{
    if (e->data.scalar.tag || e->data.scalar.anchor || e->data.scalar.length != n->len ||
        memcmp(e->data.scalar.value, n->value, n->len) != 0)
        return 0;
    int plain = e->data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
    if (n->str) /* a string: quoted, or plain where it reads as one */
        return !plain || plain_string_ok(n->value, n->len);
    return plain; /* not a string, or maybe not: plain with the same text */
}

static int check(struct norm *z, const char *p, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t e;
    size_t i = 0;
    int ok = 1, done = 0;
    if (!yaml_parser_initialize(&parser))
        return ATMOS_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)p, len);
    while (ok && !done) {
        if (!yaml_parser_parse(&parser, &e)) {
            ok = 0;
            break;
        }
        done = e.type == YAML_STREAM_END_EVENT;
        switch (e.type) {
        case YAML_SCALAR_EVENT:
            ok = i < z->nw && z->w[i].type == YAML_SCALAR_EVENT && same_scalar(z->w[i].n, &e);
            i++;
            break;
        case YAML_SEQUENCE_START_EVENT:
        case YAML_SEQUENCE_END_EVENT:
        case YAML_MAPPING_START_EVENT:
        case YAML_MAPPING_END_EVENT:
            ok = i < z->nw && z->w[i].type == (int)e.type;
            i++;
            break;
        case YAML_ALIAS_EVENT:
            ok = 0;
            break;
        default:
            break;
        }
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&parser);
    if (ok && i == z->nw)
        return ATMOS_OK;
    return atmos_fail(z->why, ATMOS_EINVAL,
                      "written again, it would not read as it did (a value libyaml cannot write "
                      "back as it was)");
}

int atmos_kube_normalize(const char *p, size_t len, struct atmos_buf *out, struct atmos_err *why)
{
    struct norm *z = calloc(1, sizeof(*z));
    if (z == NULL)
        return ATMOS_ENOMEM;
    z->why = why;
    z->out = out;
    z->out_start = out->len;
    int rc = atmos_knorm_load(z, p ? p : "", len);
    if (rc == ATMOS_OK)
        rc = write_all(z);
    if (rc == ATMOS_OK)
        rc = check(z, out->data ? out->data + z->out_start : "", out->len - z->out_start);
    for (size_t i = 0; i < z->nall; i++) {
        free(z->all[i]->kids);
        free(z->all[i]->value);
        free(z->all[i]);
    }
    for (size_t i = 0; i < z->capanchors; i++)
        free(z->anchors[i].name);
    free(z->anchors);
    free(z->all);
    free(z->w);
    free(z);
    return rc;
}

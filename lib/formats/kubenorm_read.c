/*
 * Reading a kubeconfig's first document into kubenorm's tree, as yaml.v2
 * reads it (formats/kubenorm.c says the rules): aliases as copies of their anchor's
 * node, the latest anchor of a name, tags as kubectl sees them.
 *
 * MUST: build at most ATMOS_YAML_MAX_NODES nodes, nested at most
 * ATMOS_YAML_MAX_DEPTH; never put a byte of the file into a message.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "formats/kubenorm_tree.h"
#include "formats/kubeverdict.h"
#include "formats/yamledit.h"

int atmos_knorm_refuse(struct norm *z, unsigned line, unsigned column, const char *what)
{
    return atmos_fail(z->why, ATMOS_EINVAL, "line %u, column %u: %s", line, column, what);
}

int atmos_knorm_grow(void **v, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return ATMOS_OK;
    size_t c = *cap ? *cap : 8;
    while (c < need)
        c *= 2;
    void *nv = realloc(*v, c * size);
    if (nv == NULL)
        return ATMOS_ENOMEM;
    *v = nv;
    *cap = c;
    return ATMOS_OK;
}

/* --- reading the first document --------------------------------------------- */

static uint64_t hash(const char *s)
{
    uint64_t h = 1469598103934665603ull;
    for (; *s; s++)
        h = (h ^ (unsigned char)*s) * 1099511628211ull;
    return h;
}

static struct anchor *anchor_slot(struct norm *z, const char *name)
{
    size_t mask = z->capanchors - 1, i = (size_t)hash(name) & mask;
    while (z->anchors[i].name && strcmp(z->anchors[i].name, name) != 0)
        i = (i + 1) & mask;
    return &z->anchors[i];
}

/* yaml.v2 keeps the latest node of an anchor's name. */
static int anchor_set(struct norm *z, const yaml_char_t *name, struct nnode *n)
{
    if (name == NULL)
        return ATMOS_OK;
    if (2 * (z->nanchors + 1) > z->capanchors) {
        struct anchor *old = z->anchors;
        size_t oldcap = z->capanchors;
        z->capanchors = oldcap ? 2 * oldcap : 64;
        if ((z->anchors = calloc(z->capanchors, sizeof(*z->anchors))) == NULL) {
            z->anchors = old;
            z->capanchors = oldcap;
            return ATMOS_ENOMEM;
        }
        for (size_t i = 0; i < oldcap; i++)
            if (old[i].name)
                *anchor_slot(z, old[i].name) = old[i];
        free(old);
    }
    struct anchor *a = anchor_slot(z, (const char *)name);
    if (a->name == NULL) {
        if ((a->name = strdup((const char *)name)) == NULL)
            return ATMOS_ENOMEM;
        z->nanchors++;
    }
    a->node = n;
    return ATMOS_OK;
}

static int add_kid(struct norm *z, struct nnode *n)
{
    if (z->depth == 0) {
        z->root = n;
        z->have_root = 1;
        return ATMOS_OK;
    }
    struct nnode *pl = z->stack[z->depth - 1];
    if (atmos_knorm_grow((void **)&pl->kids, &pl->cap, pl->n + 1, sizeof(*pl->kids)) != 0)
        return ATMOS_ENOMEM;
    pl->kids[pl->n++] = n;
    return ATMOS_OK;
}

static int is_yaml_tag(const yaml_char_t *tag)
{
    return tag && strncmp((const char *)tag, "tag:yaml.org,2002:", 18) == 0;
}

static int new_node(struct norm *z, const yaml_event_t *e, struct nnode **np)
{
    const yaml_char_t *tag = NULL, *anchor = NULL;
    struct nnode *n;
    if (z->nall >= ATMOS_YAML_MAX_NODES)
        return atmos_knorm_refuse(z, (unsigned)e->start_mark.line + 1, (unsigned)e->start_mark.column + 1,
                         "more YAML nodes than a kubeconfig has");
    if (atmos_knorm_grow((void **)&z->all, &z->capall, z->nall + 1, sizeof(*z->all)) != 0 ||
        (n = calloc(1, sizeof(*n))) == NULL)
        return ATMOS_ENOMEM;
    z->all[z->nall++] = n;
    n->line = (unsigned)e->start_mark.line + 1;
    n->column = (unsigned)e->start_mark.column + 1;
    if (e->type == YAML_SCALAR_EVENT) {
        tag = e->data.scalar.tag;
        anchor = e->data.scalar.anchor;
        n->kind = N_SCALAR;
        /* A standard tag other than !!str converts the text (!!binary decodes it, !!int
         * checks it): not taken here.  `!`, !!str and the user's own make a string. */
        if (is_yaml_tag(tag) && strcmp((const char *)tag, YAML_STR_TAG) != 0)
            return atmos_knorm_refuse(z, n->line, n->column,
                             "a standard tag other than !!str on a scalar (it converts the value)");
        n->str = tag != NULL || e->data.scalar.style != YAML_PLAIN_SCALAR_STYLE;
        n->len = e->data.scalar.length;
        if ((n->value = malloc(n->len + 1)) == NULL)
            return ATMOS_ENOMEM;
        memcpy(n->value, e->data.scalar.value, n->len);
        n->value[n->len] = '\0';
    } else {
        int map = e->type == YAML_MAPPING_START_EVENT;
        tag = map ? e->data.mapping_start.tag : e->data.sequence_start.tag;
        anchor = map ? e->data.mapping_start.anchor : e->data.sequence_start.anchor;
        n->kind = map ? N_MAP : N_SEQ;
        n->open = 1;
        /* yaml.v2 reads a list or mapping whatever its tag, but !!null makes it null. */
        if (is_yaml_tag(tag) && strcmp((const char *)tag, map ? YAML_MAP_TAG : YAML_SEQ_TAG) != 0)
            return atmos_knorm_refuse(z, n->line, n->column,
                             "a standard tag on a list or mapping that is not its own");
    }
    *np = n;
    int rc = anchor_set(z, anchor, n);
    return rc == ATMOS_OK ? add_kid(z, n) : rc;
}

static int on_event(struct norm *z, const yaml_event_t *e, int *done)
{
    struct nnode *n = NULL;
    int rc;
    switch (e->type) {
    case YAML_STREAM_START_EVENT:
        if (e->data.stream_start.encoding != YAML_UTF8_ENCODING &&
            e->data.stream_start.encoding != YAML_ANY_ENCODING)
            return atmos_knorm_refuse(z, 1, 1, "not UTF-8");
        return ATMOS_OK;
    case YAML_DOCUMENT_END_EVENT:
    case YAML_STREAM_END_EVENT:
        *done = 1; /* kubectl reads no further than its first document */
        return ATMOS_OK;
    case YAML_ALIAS_EVENT: {
        unsigned line = (unsigned)e->start_mark.line + 1, col = (unsigned)e->start_mark.column + 1;
        const char *name = (const char *)e->data.alias.anchor;
        struct anchor *a = z->capanchors ? anchor_slot(z, name) : NULL;
        if (a == NULL || a->name == NULL)
            return atmos_knorm_refuse(z, line, col, "kubectl refuses it: an alias of no anchor");
        if (a->node->open)
            return atmos_knorm_refuse(z, line, col,
                             "kubectl refuses it: an anchor's value holds an alias of itself");
        return add_kid(z, a->node);
    }
    case YAML_SCALAR_EVENT:
        return new_node(z, e, &n);
    case YAML_SEQUENCE_START_EVENT:
    case YAML_MAPPING_START_EVENT:
        if (z->depth == ATMOS_YAML_MAX_DEPTH)
            return atmos_knorm_refuse(z, (unsigned)e->start_mark.line + 1,
                             (unsigned)e->start_mark.column + 1,
                             "nested deeper than a kubeconfig is");
        if ((rc = new_node(z, e, &n)) != ATMOS_OK)
            return rc;
        z->stack[z->depth++] = n;
        return ATMOS_OK;
    case YAML_SEQUENCE_END_EVENT:
    case YAML_MAPPING_END_EVENT:
        z->stack[--z->depth]->open = 0;
        return ATMOS_OK;
    default:
        return ATMOS_OK;
    }
}

int atmos_knorm_load(struct norm *z, const char *p, size_t len)
{
    yaml_parser_t parser;
    yaml_event_t e;
    int rc = ATMOS_OK, done = 0;
    if (!yaml_parser_initialize(&parser))
        return ATMOS_ENOMEM;
    yaml_parser_set_input_string(&parser, (const unsigned char *)p, len);
    while (rc == ATMOS_OK && !done) {
        if (!yaml_parser_parse(&parser, &e)) {
            rc = atmos_fail(z->why, ATMOS_EINVAL, "line %zu, column %zu: not YAML (%s)",
                            parser.problem_mark.line + 1, parser.problem_mark.column + 1,
                            parser.problem ? parser.problem : "a syntax error");
            break;
        }
        rc = on_event(z, &e, &done);
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&parser);
    return rc;
}

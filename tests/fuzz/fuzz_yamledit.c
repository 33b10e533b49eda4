/*
 * libFuzzer target: the kubeconfig editor (yamledit.c).
 *
 * Input: a kubeconfig; the login's names are fixed (cluster c, context x,
 * user u) and the seeds use them.  Unless the editor refuses (then nothing
 * is written), asserted independently of its bookkeeping:
 *  - the output parses again (libyaml, through the same scan);
 *  - no context x naming c and u is left; no cluster c unless a context
 *    left names it, no user u unless a context left names it;
 *  - every other entry is still there, in order, with the same name,
 *    cluster, user and the same bytes; nothing else changed: the output is
 *    exactly as long as the input less the entries cut (and current-context
 *    "" where it named x);
 *  - *empty says whether nothing kubectl shows is left (no entry, no other
 *    top-level content, no current-context but "").
 * And by a small oracle of the reader's view, libyaml's document tree: the
 * output's is the input's with the entries that go taken out of their lists
 * (a list left empty reads as null) and current-context "" where it named
 * the context that went; every other node the same, in order.
 *
 * Where the byte ranges refuse a shape (not kubectl's refusal), the fallback
 * (kubenorm.c) writes the file again and the same checks judge the cut of
 * that text; a second oracle, on libyaml's document trees read as yaml.v2
 * reads them (merge keys merged, a key twice the last, aliases followed,
 * scalars strings or not), says the rewrite is the input as kubectl sees it:
 * so the output's view is the input's less the entries that go.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <yaml.h>

#include "formats/kubenorm.h"
#include "formats/yamledit.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int eq(const char *a, const char *b)
{
    return (a == NULL && b == NULL) || (a && b && strcmp(a, b) == 0);
}

/* Is entry e of the output the input's entry o, bytes included? */
static int same_entry(const char *in, const struct atmos_kube_entry *o, const char *out,
                      const struct atmos_kube_entry *e)
{
    /* A flow item's place is not known, nor one after a block scalar (never cut, and a cut
     * before it may make it cuttable): its names must match. */
    if (!o->exact || !e->exact)
        return eq(o->name, e->name) && eq(o->cluster, e->cluster) && eq(o->user, e->user);
    /* An entry ending in a block scalar reaches over the blank lines after it: a cut that
     * follows may give it more of them, never other bytes. */
    size_t a = o->end - o->start, b = e->end - e->start;
    if (!eq(o->name, e->name) || !eq(o->cluster, e->cluster) || !eq(o->user, e->user) || b < a ||
        memcmp(in + o->start, out + e->start, a) != 0)
        return 0;
    for (size_t i = a; i < b; i++)
        if (!strchr(" \r\n", out[e->start + i]))
            return 0;
    return 1;
}

static void check(const char *in, size_t len, const struct atmos_kube_doc *d,
                  const struct atmos_buf *out, size_t entries, int empty)
{
    static const struct atmos_kube_names n = {"c", "x", "u"};
    struct atmos_kube_doc a;
    struct atmos_err why;
    const char *o = out->data ? out->data : in;
    size_t olen = out->data ? out->len : len;
    if (atmos_kube_scan(o, olen, &a, &why) != ATMOS_OK)
        abort(); /* the result must parse */
    size_t before = 0, left = 0, cut = 0;
    for (int k = 0; k < ATMOS_KUBE_SECTIONS; k++) {
        before += d->n[k];
        left += a.n[k];
        for (size_t i = 0; i < a.n[k]; i++) {
            const struct atmos_kube_entry *e = &a.e[k][i];
            if (k == ATMOS_KUBE_CONTEXTS && eq(e->name, n.context) && eq(e->cluster, n.cluster) &&
                eq(e->user, n.user))
                abort();
            int named = 0;
            for (size_t j = 0; j < a.n[ATMOS_KUBE_CONTEXTS]; j++) {
                const struct atmos_kube_entry *c = &a.e[ATMOS_KUBE_CONTEXTS][j];
                named |= eq(k == ATMOS_KUBE_USERS ? c->user : c->cluster, e->name);
            }
            if (((k == ATMOS_KUBE_CLUSTERS && eq(e->name, n.cluster)) ||
                 (k == ATMOS_KUBE_USERS && eq(e->name, n.user))) &&
                !named)
                abort();
        }
        /* The entries left are the input's, in order: each matched to the next input entry. */
        size_t j = 0;
        for (size_t i = 0; i < a.n[k]; i++, j++) {
            while (j < d->n[k] && !same_entry(in, &d->e[k][j], o, &a.e[k][i])) {
                cut += d->e[k][j].end - d->e[k][j].start;
                j++;
            }
            if (j == d->n[k])
                abort();
        }
        for (; j < d->n[k]; j++)
            cut += d->e[k][j].end - d->e[k][j].start;
    }
    /* The file goes only when nothing kubectl shows is left. */
    if (before - left != entries ||
        empty != (left == 0 && !a.other && (a.current == NULL || a.current[0] == '\0')))
        abort();
    size_t want = len - cut;
    if (d->current && a.current && strcmp(d->current, a.current) != 0) {
        if (strcmp(d->current, "x") != 0 || a.current[0] != '\0')
            abort();
        want = want - (d->cur_end - d->cur_start) + 2;
    } else if (!eq(d->current, a.current))
        abort();
    if (olen != want)
        abort();
    atmos_kube_doc_free(&a);
}


/* --- the oracle: libyaml's document trees -------------------------------- */

static yaml_node_t *nd(yaml_document_t *d, int i)
{
    return yaml_document_get_node(d, i);
}

static int scalar_is(yaml_node_t *n, const char *s)
{
    return n && n->type == YAML_SCALAR_NODE && n->data.scalar.length == strlen(s) &&
           memcmp(n->data.scalar.value, s, n->data.scalar.length) == 0;
}

/* The value of key `k` in mapping node m: the last, as kubectl's reader takes it. */
static yaml_node_t *get(yaml_document_t *d, yaml_node_t *m, const char *k)
{
    yaml_node_t *v = NULL;
    if (m == NULL || m->type != YAML_MAPPING_NODE)
        return NULL;
    for (yaml_node_pair_t *p = m->data.mapping.pairs.start; p < m->data.mapping.pairs.top; p++)
        if (scalar_is(nd(d, p->key), k))
            v = nd(d, p->value);
    return v;
}

static int same_node(yaml_document_t *a, yaml_node_t *x, yaml_document_t *b, yaml_node_t *y)
{
    if (x == NULL || y == NULL || x->type != y->type)
        return x == y;
    if (x->type == YAML_SCALAR_NODE)
        return x->data.scalar.length == y->data.scalar.length &&
               memcmp(x->data.scalar.value, y->data.scalar.value, x->data.scalar.length) == 0 &&
               (x->data.scalar.style == YAML_PLAIN_SCALAR_STYLE) ==
                   (y->data.scalar.style == YAML_PLAIN_SCALAR_STYLE);
    if (x->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *i = x->data.sequence.items.start, *j = y->data.sequence.items.start;
        for (; i < x->data.sequence.items.top && j < y->data.sequence.items.top; i++, j++)
            if (!same_node(a, nd(a, *i), b, nd(b, *j)))
                return 0;
        return i == x->data.sequence.items.top && j == y->data.sequence.items.top;
    }
    yaml_node_pair_t *i = x->data.mapping.pairs.start, *j = y->data.mapping.pairs.start;
    for (; i < x->data.mapping.pairs.top && j < y->data.mapping.pairs.top; i++, j++)
        if (!same_node(a, nd(a, i->key), b, nd(b, j->key)) ||
            !same_node(a, nd(a, i->value), b, nd(b, j->value)))
            return 0;
    return i == x->data.mapping.pairs.top && j == y->data.mapping.pairs.top;
}

/* Does the context item n go (named x, naming cluster c and user u)? */
static int ctx_goes(yaml_document_t *d, yaml_node_t *n)
{
    yaml_node_t *c = get(d, n, "context");
    return scalar_is(get(d, n, "name"), "x") && scalar_is(get(d, c, "cluster"), "c") &&
           scalar_is(get(d, c, "user"), "u");
}

/* Does a context that stays name `what` as its `key` (cluster or user)? */
static int still_named(yaml_document_t *d, yaml_node_t *root, const char *key, const char *what)
{
    yaml_node_t *l = get(d, root, "contexts");
    if (l == NULL || l->type != YAML_SEQUENCE_NODE)
        return 0;
    for (yaml_node_item_t *i = l->data.sequence.items.start; i < l->data.sequence.items.top; i++)
        if (!ctx_goes(d, nd(d, *i)) && scalar_is(get(d, get(d, nd(d, *i), "context"), key), what))
            return 1;
    return 0;
}

/* Does item n of list `sec` of the input go? */
static int goes(yaml_document_t *d, yaml_node_t *root, const char *sec, yaml_node_t *n, int *ctx)
{
    if (strcmp(sec, "contexts") == 0)
        return (*ctx |= ctx_goes(d, n), ctx_goes(d, n));
    int users = strcmp(sec, "users") == 0;
    const char *name = users ? "u" : "c";
    return scalar_is(get(d, n, "name"), name) && !still_named(d, root, users ? "user" : "cluster", name);
}

/* The input's list less the items that go, against the output's (null when none is left). */
static int same_list(yaml_document_t *a, yaml_node_t *ra, const char *sec, yaml_node_t *x,
                     yaml_document_t *b, yaml_node_t *y, int *ctx)
{
    yaml_node_item_t *i = x->data.sequence.items.start, *j = NULL, *jt = NULL;
    if (y->type == YAML_SEQUENCE_NODE) {
        j = y->data.sequence.items.start;
        jt = y->data.sequence.items.top;
    } else if (!(y->type == YAML_SCALAR_NODE && y->data.scalar.length == 0))
        return 0;
    for (; i < x->data.sequence.items.top; i++) {
        if (goes(a, ra, sec, nd(a, *i), ctx))
            continue;
        if (j == NULL || j == jt || !same_node(a, nd(a, *i), b, nd(b, *j)))
            return 0;
        j++;
    }
    return j == jt;
}

static void view_check(const char *in, size_t len, const char *out, size_t olen)
{
    yaml_parser_t p;
    yaml_document_t a, b;
    int la = 0, lb = 0;
    if (yaml_parser_initialize(&p)) {
        yaml_parser_set_input_string(&p, (const unsigned char *)in, len);
        la = yaml_parser_load(&p, &a);
        yaml_parser_delete(&p);
    }
    if (la && yaml_parser_initialize(&p)) {
        yaml_parser_set_input_string(&p, (const unsigned char *)out, olen);
        lb = yaml_parser_load(&p, &b);
        yaml_parser_delete(&p);
    }
    if (!la)
        return; /* the loader refuses what the event parser takes (an anchor named twice) */
    if (!lb)
        abort(); /* what loaded before loads after */
    yaml_node_t *x = yaml_document_get_root_node(&a), *y = yaml_document_get_root_node(&b);
    int ctx = 0, ok = 1;
    if (x == NULL || y == NULL || x->type != YAML_MAPPING_NODE)
        ok = (x == NULL) == (y == NULL) && same_node(&a, x, &b, y);
    else if (y->type != YAML_MAPPING_NODE ||
             y->data.mapping.pairs.top - y->data.mapping.pairs.start !=
                 x->data.mapping.pairs.top - x->data.mapping.pairs.start)
        ok = 0;
    /* The lists first (whether a context went), then the rest, pair by pair. */
    for (int pass = 0; ok && pass < 2 && x && x->type == YAML_MAPPING_NODE; pass++)
        for (yaml_node_pair_t *i = x->data.mapping.pairs.start, *j = y->data.mapping.pairs.start;
             ok && i < x->data.mapping.pairs.top; i++, j++) {
            yaml_node_t *k = nd(&a, i->key), *v = nd(&a, i->value), *w = nd(&b, j->value);
            int list = (scalar_is(k, "clusters") || scalar_is(k, "contexts") ||
                        scalar_is(k, "users")) && v->type == YAML_SEQUENCE_NODE;
            if (!same_node(&a, k, &b, nd(&b, j->key)))
                ok = 0;
            else if (pass == 0 && list)
                ok = same_list(&a, x, (const char *)k->data.scalar.value, v, &b, w, &ctx);
            else if (pass == 1 && scalar_is(k, "current-context") && ctx && scalar_is(v, "x"))
                ok = scalar_is(w, "");
            else if (pass == 1 && !list)
                ok = same_node(&a, v, &b, w);
        }
    if (!ok)
        abort();
    yaml_document_delete(&a);
    yaml_document_delete(&b);
}

/* --- the rewrite's oracle: the trees as yaml.v2 reads them ------------------ */

struct onode {
    int kind;              /* a yaml_node_type_t */
    const char *v;         /* scalars */
    size_t len;            /* scalars: bytes; collections: kids */
    int cls;               /* scalars: 'S' a string, 'N' plain text read as YAML 1.1 reads it */
    struct onode **kids;   /* maps: key, value, ... (merged, the last of a key); lists */
};

struct otree {
    yaml_document_t *d;
    struct onode **all;
    size_t n, cap;
    int bad;  /* what kubectl's reader refuses (a merge of no mapping, a key that is none) */
    int over; /* past the oracle's budget: no verdict */
};

static int letter_string(const char *v, size_t len)
{
    static const char *const words[] = {"y", "Y", "yes", "Yes", "YES", "n", "N", "no", "No", "NO",
                                        "true", "True", "TRUE", "false", "False", "FALSE", "on",
                                        "On", "ON", "off", "Off", "OFF", "null", "Null", "NULL"};
    if (len == 0 || !((v[0] >= 'a' && v[0] <= 'z') || (v[0] >= 'A' && v[0] <= 'Z')) ||
        memchr(v, '\0', len))
        return 0;
    for (size_t i = 0; i < sizeof(words) / sizeof(words[0]); i++)
        if (strlen(words[i]) == len && memcmp(v, words[i], len) == 0)
            return 0;
    return 1;
}

static struct onode *onew(struct otree *t)
{
    if (t->n == t->cap && t->n < 200000) {
        struct onode **v = realloc(t->all, (t->cap = t->cap ? 2 * t->cap : 64) * sizeof(*v));
        if (v == NULL) {
            t->over = 1;
            return NULL;
        }
        t->all = v;
    }
    if (t->n >= 200000 || t->n == t->cap) {
        t->over = 1;
        return NULL;
    }
    struct onode *o = calloc(1, sizeof(*o));
    if (o == NULL) {
        t->over = 1;
        return NULL;
    }
    return t->all[t->n++] = o;
}

static int push(struct otree *t, struct onode *o, struct onode *k)
{
    struct onode **v = realloc(o->kids, (o->len + 1) * sizeof(*v));
    if (v == NULL) {
        t->over = 1;
        return 0;
    }
    o->kids = v;
    o->kids[o->len++] = k;
    return 1;
}

static struct onode *otree_of(struct otree *t, yaml_node_t *n, int depth);

static int same_key(const struct onode *a, const struct onode *b)
{
    return a->kind == YAML_SCALAR_NODE && b->kind == YAML_SCALAR_NODE && a->cls == b->cls &&
           a->len == b->len && memcmp(a->v, b->v, a->len) == 0;
}

/* The assignments of mapping n, merges in place, into o (a key again replaces it). */
static void assign(struct otree *t, struct onode *o, yaml_node_t *n, int depth)
{
    for (yaml_node_pair_t *p = n->data.mapping.pairs.start; p < n->data.mapping.pairs.top; p++) {
        yaml_node_t *k = nd(t->d, p->key), *v = nd(t->d, p->value);
        if (t->bad || t->over || depth > 200) {
            t->over |= depth > 200;
            return;
        }
        if (k->type == YAML_SCALAR_NODE && k->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
            strcmp((const char *)k->tag, YAML_DEFAULT_SCALAR_TAG) == 0 && scalar_is(k, "<<")) {
            if (v->type == YAML_MAPPING_NODE)
                assign(t, o, v, depth + 1);
            else if (v->type != YAML_SEQUENCE_NODE)
                t->bad = 1;
            yaml_node_item_t *i = v->type == YAML_SEQUENCE_NODE ? v->data.sequence.items.top : NULL;
            for (; i && i > v->data.sequence.items.start && !t->bad; i--) {
                yaml_node_t *m = nd(t->d, i[-1]);
                if (m->type != YAML_MAPPING_NODE)
                    t->bad = 1;
                else
                    assign(t, o, m, depth + 1);
            }
            continue;
        }
        if (k->type != YAML_SCALAR_NODE) {
            t->bad = 1;
            return;
        }
        struct onode *ko = otree_of(t, k, depth + 1), *vo = otree_of(t, v, depth + 1);
        if (ko == NULL || vo == NULL)
            return;
        size_t i = 0;
        while (i < o->len && !same_key(o->kids[i], ko))
            i += 2;
        if (i < o->len)
            o->kids[i + 1] = vo;
        else if (!push(t, o, ko) || !push(t, o, vo))
            return;
    }
}

static struct onode *otree_of(struct otree *t, yaml_node_t *n, int depth)
{
    struct onode *o = onew(t);
    if (o == NULL || depth > 200) {
        t->over = 1;
        return NULL;
    }
    o->kind = n->type;
    if (n->type == YAML_SCALAR_NODE) {
        o->v = (const char *)n->data.scalar.value;
        o->len = n->data.scalar.length;
        int plain = n->data.scalar.style == YAML_PLAIN_SCALAR_STYLE &&
                    strcmp((const char *)n->tag, YAML_DEFAULT_SCALAR_TAG) == 0;
        o->cls = plain && !letter_string(o->v, o->len) ? 'N' : 'S';
    } else if (n->type == YAML_SEQUENCE_NODE) {
        yaml_node_item_t *i = n->data.sequence.items.start;
        for (; i < n->data.sequence.items.top; i++) {
            struct onode *k = otree_of(t, nd(t->d, *i), depth + 1);
            if (k == NULL || !push(t, o, k))
                return NULL;
        }
    } else
        assign(t, o, n, depth);
    return t->bad || t->over ? NULL : o;
}

static int same_view(const struct onode *a, const struct onode *b)
{
    if (a->kind != b->kind || a->len != b->len)
        return 0;
    if (a->kind == YAML_SCALAR_NODE)
        return same_key(a, b);
    if (a->kind == YAML_SEQUENCE_NODE) {
        for (size_t i = 0; i < a->len; i++)
            if (!same_view(a->kids[i], b->kids[i]))
                return 0;
        return 1;
    }
    for (size_t i = 0; i < a->len; i += 2) { /* keys are unique: in any order */
        size_t j = 0;
        while (j < b->len && !same_key(a->kids[i], b->kids[j]))
            j += 2;
        if (j == b->len || !same_view(a->kids[i + 1], b->kids[j + 1]))
            return 0;
    }
    return 1;
}

static void otree_free(struct otree *t)
{
    for (size_t i = 0; i < t->n; i++) {
        free(t->all[i]->kids);
        free(t->all[i]);
    }
    free(t->all);
}

/* An explicit !!str or ! on a plain scalar, which libyaml's loader does not tell apart. */
static int plain_str_tags(const char *in, size_t len)
{
    yaml_parser_t p;
    yaml_event_t e;
    int found = 0, done = 0;
    if (!yaml_parser_initialize(&p))
        return 1;
    yaml_parser_set_input_string(&p, (const unsigned char *)in, len);
    while (!found && !done && yaml_parser_parse(&p, &e)) {
        done = e.type == YAML_STREAM_END_EVENT || e.type == YAML_DOCUMENT_END_EVENT;
        found = e.type == YAML_SCALAR_EVENT && e.data.scalar.tag &&
                e.data.scalar.style == YAML_PLAIN_SCALAR_STYLE;
        yaml_event_delete(&e);
    }
    yaml_parser_delete(&p);
    return found;
}

/* The rewrite of `in` reads, to yaml.v2, as `in` does; and kubectl takes one as the other. */
static void rewrite_check(const char *in, size_t len, const char *norm, size_t nlen)
{
    yaml_parser_t p;
    yaml_document_t a, b;
    int la = 0, lb = 0;
    if (plain_str_tags(in, len))
        return;
    if (yaml_parser_initialize(&p)) {
        yaml_parser_set_input_string(&p, (const unsigned char *)in, len);
        la = yaml_parser_load(&p, &a);
        yaml_parser_delete(&p);
    }
    if (!la)
        return; /* the loader refuses what the event parser takes (an anchor named twice) */
    if (yaml_parser_initialize(&p)) {
        yaml_parser_set_input_string(&p, (const unsigned char *)norm, nlen);
        lb = yaml_parser_load(&p, &b);
        yaml_parser_delete(&p);
    }
    if (!lb)
        abort();
    struct otree ta = {&a, NULL, 0, 0, 0, 0}, tb = {&b, NULL, 0, 0, 0, 0};
    yaml_node_t *x = yaml_document_get_root_node(&a), *y = yaml_document_get_root_node(&b);
    struct onode *ox = x ? otree_of(&ta, x, 0) : NULL, *oy = y ? otree_of(&tb, y, 0) : NULL;
    if (ta.bad || tb.bad)
        abort(); /* kubectl refuses it: never rewritten */
    if (!ta.over && !tb.over) {
        /* Nothing (or null) reads as no file. */
        int xnull = ox == NULL || (ox->kind == YAML_SCALAR_NODE && ox->cls == 'N' &&
                                   (ox->len == 0 || scalar_is(x, "~") || scalar_is(x, "null") ||
                                    scalar_is(x, "Null") || scalar_is(x, "NULL")));
        if (xnull ? oy != NULL : oy == NULL || !same_view(ox, oy))
            abort();
    }
    otree_free(&ta);
    otree_free(&tb);
    yaml_document_delete(&a);
    yaml_document_delete(&b);
}

/* The byte ranges refused the shape: the rewrite, checked, then cut and checked as a cut. */
static void fallback(const char *in, size_t size)
{
    static const struct atmos_kube_names n = {"c", "x", "u"};
    struct atmos_buf norm = {0}, out = {0};
    struct atmos_kube_doc d;
    struct atmos_err why;
    size_t entries = 0;
    int empty = 0;
    if (atmos_kube_normalize(in, size, &norm, &why) != ATMOS_OK) {
        atmos_buf_free(&norm);
        return;
    }
    const char *t = norm.data ? norm.data : "";
    rewrite_check(in, size, t, norm.len);
    if (atmos_kube_scan(t, norm.len, &d, &why) == ATMOS_OK) {
        if (atmos_kube_cut(t, norm.len, &d, &n, &out, &entries, &empty, &why) == ATMOS_OK) {
            check(t, norm.len, &d, &out, entries, empty);
            view_check(t, norm.len, out.data ? out.data : t, out.data ? out.len : norm.len);
        } else if (!strstr(why.msg, "kubectl refuses it: "))
            abort(); /* the rewrite is always one the byte ranges cut */
        atmos_kube_doc_free(&d);
    } else if (!strstr(why.msg, "kubectl refuses it: ") && !strstr(why.msg, "more than") &&
               !strstr(why.msg, "deeper than") && !strstr(why.msg, "not a mapping") &&
               !strstr(why.msg, "line breaks") && !strstr(why.msg, "a key that is not") &&
               !strstr(why.msg, "appears twice") && !strstr(why.msg, "a merge key"))
        abort(); /* the rewrite scans, but for kubectl's refusals and the bounds */
    atmos_buf_free(&out);
    atmos_buf_free(&norm);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct atmos_kube_names n = {"c", "x", "u"};
    const char *in = (const char *)data;
    struct atmos_kube_doc d;
    struct atmos_err why;
    struct atmos_buf out = {0};
    size_t entries = 0;
    int empty = 0;
    if (size > 65536)
        return 0;
    if (atmos_kube_scan(in, size, &d, &why) != ATMOS_OK) {
        if (!strstr(why.msg, "kubectl refuses it: "))
            fallback(in, size);
        return 0;
    }
    if (atmos_kube_cut(in, size, &d, &n, &out, &entries, &empty, &why) == ATMOS_OK) {
        check(in, size, &d, &out, entries, empty);
        view_check(in, size, out.data ? out.data : in, out.data ? out.len : size);
    } else if (out.data != NULL)
        abort(); /* refused: nothing written */
    else
        fallback(in, size);
    atmos_buf_free(&out);
    atmos_kube_doc_free(&d);
    return 0;
}

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
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "yamledit.h"

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

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const struct atmos_kube_names n = {"c", "x", "u"};
    const char *in = (const char *)data;
    struct atmos_kube_doc d;
    struct atmos_err why;
    struct atmos_buf out = {0};
    size_t entries = 0;
    int empty = 0;
    if (size > 65536 || atmos_kube_scan(in, size, &d, &why) != ATMOS_OK)
        return 0;
    if (atmos_kube_cut(in, size, &d, &n, &out, &entries, &empty, &why) == ATMOS_OK)
        check(in, size, &d, &out, entries, empty);
    else if (out.data != NULL)
        abort(); /* refused: nothing written */
    atmos_buf_free(&out);
    atmos_kube_doc_free(&d);
    return 0;
}

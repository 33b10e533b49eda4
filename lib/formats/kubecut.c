/*
 * Cutting one login's entries out of a kubeconfig by byte ranges
 * (formats/yamledit.h): the cluster and user go only when no context that stays
 * names them, current-context is emptied when its context goes, and the
 * rest of the file stays byte for byte.
 */
#include <stdlib.h>
#include <string.h>

#include "formats/yamledit.h"

void atmos_kube_doc_free(struct atmos_kube_doc *doc)
{
    for (int k = 0; k < ATMOS_KUBE_SECTIONS; k++) {
        for (size_t i = 0; i < doc->n[k]; i++) {
            free(doc->e[k][i].name);
            free(doc->e[k][i].cluster);
            free(doc->e[k][i].user);
        }
        free(doc->e[k]);
    }
    free(doc->current);
    memset(doc, 0, sizeof(*doc));
}

void atmos_kube_names_free(struct atmos_kube_names *n)
{
    free(n->cluster);
    free(n->context);
    free(n->user);
    memset(n, 0, sizeof(*n));
}

static int same(const char *a, const char *b)
{
    return a && b && strcmp(a, b) == 0;
}

/* Is a context named `ctx` (one of atmos's: names cluster and user) going? */
static int context_goes(const struct atmos_kube_entry *en, const struct atmos_kube_names *n)
{
    return same(en->name, n->context) && same(en->cluster, n->cluster) && same(en->user, n->user);
}

/* Does a context that stays name `what` as its cluster (user: its user)? */
static int still_named(const struct atmos_kube_doc *d, const struct atmos_kube_names *n,
                       const char *what, int user)
{
    for (size_t i = 0; i < d->n[ATMOS_KUBE_CONTEXTS]; i++) {
        const struct atmos_kube_entry *en = &d->e[ATMOS_KUBE_CONTEXTS][i];
        if (!context_goes(en, n) && same(user ? en->user : en->cluster, what))
            return 1;
    }
    return 0;
}

struct cut {
    size_t start, end;
    const char *with;
};

static int by_start(const void *a, const void *b)
{
    const struct cut *x = a, *y = b;
    return x->start < y->start ? -1 : x->start > y->start;
}

/* Which entries go: marks[k][i], *count of them; ATMOS_EINVAL when one cannot be cut exactly. */
static int choose(const struct atmos_kube_doc *d, const struct atmos_kube_names *n,
                  unsigned char *marks[ATMOS_KUBE_SECTIONS], size_t *count, int *ctx_gone)
{
    int cluster_stays = n->cluster == NULL || still_named(d, n, n->cluster, 0);
    int user_stays = n->user == NULL || still_named(d, n, n->user, 1);
    *ctx_gone = 0;
    *count = 0;
    for (int k = 0; k < ATMOS_KUBE_SECTIONS; k++)
        for (size_t i = 0; i < d->n[k]; i++) {
            const struct atmos_kube_entry *en = &d->e[k][i];
            int go = k == ATMOS_KUBE_CONTEXTS   ? n->cluster && context_goes(en, n)
                     : k == ATMOS_KUBE_CLUSTERS ? !cluster_stays && same(en->name, n->cluster)
                                                : !user_stays && same(en->name, n->user);
            marks[k][i] = (unsigned char)go;
            if (go && !en->exact)
                return ATMOS_EINVAL;
            if (go && k == ATMOS_KUBE_CONTEXTS)
                *ctx_gone = 1;
            *count += (size_t)go;
        }
    return ATMOS_OK;
}

/* p without the marked entries (and current-context emptied when `clear`), into out. */
static int write_cut(const char *p, size_t len, const struct atmos_kube_doc *d,
                     unsigned char *const marks[ATMOS_KUBE_SECTIONS], size_t count, int clear,
                     struct atmos_buf *out, struct atmos_err *why)
{
    size_t ncuts = 0, at = 0;
    struct cut *cuts = calloc(count + 1, sizeof(*cuts));
    int rc = cuts ? ATMOS_OK : ATMOS_ENOMEM;
    for (int k = 0; cuts && k < ATMOS_KUBE_SECTIONS; k++)
        for (size_t i = 0; i < d->n[k]; i++)
            if (marks[k][i])
                cuts[ncuts++] = (struct cut){d->e[k][i].start, d->e[k][i].end, ""};
    if (cuts && clear)
        cuts[ncuts++] = (struct cut){d->cur_start, d->cur_end, "\"\""};
    if (cuts)
        qsort(cuts, ncuts, sizeof(*cuts), by_start);
    for (size_t i = 0; rc == ATMOS_OK && i < ncuts; i++) {
        if (cuts[i].start < at) /* entries never overlap; if they did, no guess */
            rc = atmos_fail(why, ATMOS_EINVAL, "entries to remove overlap");
        else if (atmos_buf_append(out, p + at, cuts[i].start - at) != 0 ||
                 atmos_buf_append(out, cuts[i].with, strlen(cuts[i].with)) != 0)
            rc = ATMOS_ENOMEM;
        at = cuts[i].end;
    }
    if (rc == ATMOS_OK && atmos_buf_append(out, p + at, len - at) != 0)
        rc = ATMOS_ENOMEM;
    free(cuts);
    return rc;
}

int atmos_kube_cut(const char *p, size_t len, const struct atmos_kube_doc *d,
                   const struct atmos_kube_names *n, struct atmos_buf *out, size_t *entries,
                   int *empty, struct atmos_err *why)
{
    unsigned char *marks[ATMOS_KUBE_SECTIONS] = {NULL};
    size_t total = 0, count = 0;
    int rc = ATMOS_ENOMEM, ctx_gone = 0;
    for (int k = 0; k < ATMOS_KUBE_SECTIONS; k++) {
        total += d->n[k];
        if ((marks[k] = calloc(d->n[k] + 1, 1)) == NULL)
            goto done;
    }
    if ((rc = choose(d, n, marks, &count, &ctx_gone)) != ATMOS_OK) {
        rc = atmos_fail(why, ATMOS_EINVAL,
                        "an entry to remove is in flow style or shares its lines with others: "
                        "it cannot be cut out exactly");
        goto done;
    }
    int clear = ctx_gone && same(d->current, n->context);
    if (clear && !d->cur_replaceable) {
        rc = atmos_fail(why, ATMOS_EINVAL,
                        "current-context is a block scalar: it cannot be "
                        "cleared exactly");
        goto done;
    }
    *entries = count;
    /* The file goes only when kubectl would show nothing of it (atmos's RemoveClusterConfig). */
    *empty = count == total && !d->other && (d->current == NULL || d->current[0] == '\0' || clear);
    rc = ATMOS_OK;
    if (out != NULL && count > 0)
        rc = write_cut(p, len, d, marks, count, clear, out, why);
done:
    for (int k = 0; k < ATMOS_KUBE_SECTIONS; k++)
        free(marks[k]);
    return rc;
}

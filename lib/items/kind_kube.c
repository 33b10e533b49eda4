/*
 * Executing a KUBECONFIG item: one login's cluster, context and user in a
 * kubeconfig (formats/yamledit.c).  A rewrite is staged with the INI ones
 * (one journal commit for all); a deletion is done at once.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/yamledit.h"
#include "items/kinds.h"
#include "items/run.h"

static void commit_kube(struct atmos_run *r, struct atmos_pending *p)
{
    struct atmos_err why;
    int rc = atmos_kube_commit(&r->fs, p->it, p->dfd, &p->kube, &why);
    rc = atmos_run_note_change(r, p->it, p->dfd, rc, &why);
    close(p->dfd);
    atmos_run_set(p->it, rc, &why, ATMOS_OUTCOME_REMOVED);
}

/* A rewrite is staged with the INI ones (one journal commit for all); a deletion is done now. */
void atmos_run_kube(struct atmos_run *r, struct atmos_item *it)
{
    struct atmos_err why;
    int dfd = -1;
    /* Its lock is ours while a rewrite of the same file is staged: that one goes in first. */
    for (size_t i = 0; i < r->staged.n; i++)
        if (r->staged.v[i].commit == commit_kube && strcmp(r->staged.v[i].it->path, it->path) == 0)
            atmos_run_commit(r);
    struct atmos_pending *p = atmos_run_slot(r);
    int rc = atmos_kube_edit(&r->fs, it, r->opts->dry_run, &dfd, &p->kube, &why);
    if (rc == ATMOS_OK && p->kube.staged) {
        p->it = it;
        p->commit = commit_kube;
        p->dfd = dfd;
        r->staged.n++;
        return;
    }
    if (dfd >= 0) {
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removed %zu kubeconfig entries path=%s",
                  it->u.kube.entries, it->path);
        rc = atmos_run_note_change(r, it, dfd, rc, &why);
        close(dfd);
    }
    atmos_run_outcome(r, it, rc, &why);
}

void atmos_free_kube(struct atmos_item *it)
{
    for (int m = 0; m < ATMOS_KUBE_IDS; m++)
        free(it->u.kube.ids[m]);
    free(it->u.kube.what);
}

const char *atmos_what_kube(const struct atmos_item *it)
{
    return it->u.kube.what;
}

int atmos_text_kube(const struct atmos_item *it, const char *shown, int dry,
                    struct atmos_buf *out)
{
    const struct atmos_item_kube *kb = &it->u.kube;
    int rc = atmos_text_entries(it, kb->what, kb->entries, shown, out);
    if (rc == ATMOS_OK && kb->file_removed)
        rc = atmos_buf_printf(out, " (%s)", dry ? "file would be deleted" : "file deleted");
    /* A shape not cut by byte ranges: written whole, kubectl's view the same. */
    else if (rc == ATMOS_OK && kb->rewritten)
        rc = atmos_buf_printf(out, " (%s)",
                              dry ? "would be rewritten whole: its comments would not be kept"
                                  : "rewritten whole: its comments were not kept");
    return rc;
}

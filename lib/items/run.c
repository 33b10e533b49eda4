/*
 * What the kinds' executors share while a plan runs (items/run.h).
 *
 * MUST: reach every path through safefs (descriptor walk, no symlink
 * followed, owner checked).
 */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strings.h"
#include "items/run.h"

void atmos_run_set(struct atmos_item *it, int fs_rc, const struct atmos_err *why,
                   enum atmos_outcome ok)
{
    if (fs_rc == ATMOS_OK) {
        it->outcome = ok;
    } else if (fs_rc == ATMOS_ABSENT) {
        it->outcome = ATMOS_OUTCOME_ABSENT;
    } else {
        it->outcome = ATMOS_OUTCOME_FAILED;
        it->error = strdup(why->msg);
    }
}

void atmos_run_outcome(const struct atmos_run *r, struct atmos_item *it, int fs_rc,
                       const struct atmos_err *why)
{
    atmos_run_set(it, fs_rc, why,
                  r->opts->dry_run ? ATMOS_OUTCOME_WOULD_REMOVE : ATMOS_OUTCOME_REMOVED);
}

int atmos_run_open_dir_of(const struct atmos_run *r, const char *file_path, char **dir, int *pfd,
                          const char **leaf)
{
    struct atmos_err why;
    char *d = strdup(file_path);
    char *slash = d ? strrchr(d, '/') : NULL;
    *pfd = -1;
    if (slash == NULL || slash == d) {
        int rc = d ? ATMOS_EINVAL : ATMOS_ENOMEM;
        free(d);
        return rc;
    }
    *slash = '\0';
    int rc = atmos_fs_open_parent(&r->fs, d, pfd, leaf, &why);
    if (rc != ATMOS_OK) {
        free(d);
        return rc;
    }
    *dir = d;
    return ATMOS_OK;
}

int atmos_run_note_change(const struct atmos_run *r, struct atmos_item *it, int dfd, int rc,
                          struct atmos_err *why)
{
    if (rc == ATMOS_OK && atmos_fs_note_dir(r->dirs, dfd, it) != 0 && fsync(dfd) != 0) {
        rc = ATMOS_ESYS;
        snprintf(why->msg, sizeof(why->msg), "%s: changed, but syncing the directory failed: %s",
                 it->path, strerror(errno));
    }
    return rc;
}

int atmos_run_lock_ms(const struct atmos_run *r)
{
    return r->opts->lock_timeout_ms > 0 ? r->opts->lock_timeout_ms : ATMOS_LOCK_TIMEOUT_MS;
}

struct atmos_pending *atmos_run_slot(struct atmos_run *r)
{
    if (r->staged.n == ATMOS_RUN_PENDING)
        atmos_run_commit(r);
    struct atmos_pending *p = &r->staged.v[r->staged.n];
    memset(p, 0, sizeof(*p));
    p->dfd = p->lockfd = -1;
    return p;
}

void atmos_run_commit(struct atmos_run *r)
{
    for (size_t i = 0; i < r->staged.n; i++)
        r->staged.v[i].commit(r, &r->staged.v[i]);
    r->staged.n = 0;
}

/*
 * Executing a DIRECTORY item: what its rule declares atmos (or the tool it
 * points there) writes is removed, then the directory if that left it empty
 * (fs/declared.c); anything else stays, and the directory with it.
 *
 * MUST: reach every path through safefs; never a top-level directory; never
 * a directory without a declaration of its contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "base/strings.h"
#include "items/kinds.h"
#include "items/run.h"

/* Held while a directory is removed, when atmos takes a lock to change it (GCP). */
static int lock_for(const struct atmos_run *r, const struct atmos_item *it, int *lockfd,
                    struct atmos_err *why)
{
    const char *leaf;
    int pfd = -1;
    *lockfd = -1;
    if (it->u.dir.lock == NULL || r->opts->dry_run)
        return ATMOS_OK;
    int rc = atmos_fs_open_parent(&r->fs, it->u.dir.lock, &pfd, &leaf, why);
    if (rc == ATMOS_OK) {
        rc = atmos_fs_lock(&r->fs, pfd, leaf, it->u.dir.lock, atmos_run_lock_ms(r), lockfd, why);
    }
    if (pfd >= 0)
        close(pfd);
    return rc;
}

/*
 * A directory that keeps what atmos did not write stays: the item fails,
 * saying what was kept and what of atmos's went, never "removed".
 */
static void kept_outcome(const struct atmos_run *r, struct atmos_item *it, int rc,
                         const struct atmos_err *why, const struct atmos_fs_kept *k)
{
    int dry = r->opts->dry_run, one = k->kept == 1;
    const char *more = k->kept > ATMOS_FS_KEPT_NAMES ? ", ..." : "";
    char took[160];
    if (k->removed)
        snprintf(took, sizeof(took), "%s atmos's %zu %s in it", dry ? "would remove" : "removed",
                 k->removed, k->removed == 1 ? "entry" : "entries");
    else
        snprintf(took, sizeof(took), "nothing of atmos's %s in it", dry ? "is" : "was");
    it->outcome = ATMOS_OUTCOME_FAILED;
    if (rc == ATMOS_ESYS) /* an error, and something kept besides */
        it->error = atmos_strfmt("%s; also kept: %zu %s atmos did not write (%s%s)", why->msg,
                                 k->kept, one ? "entry" : "entries", k->names, more);
    else
        it->error = atmos_strfmt(
            "%s %s: it holds %zu %s atmos did not write (%s%s), %s as %s; %s", it->path,
            dry ? "would not be removed" : "was not removed", k->kept, one ? "entry" : "entries",
            k->names, more, dry ? "which would be left" : "left", one ? "it is" : "they are", took);
}

void atmos_run_directory(struct atmos_run *r, struct atmos_item *it)
{
    const char *leaf;
    struct atmos_err why;
    struct atmos_fs_kept kept = {.names = ""};
    int dfd = -1, lockfd = -1, rc;
    /* A provider directory is never a top-level directory (/etc, /tmp, ...). */
    const char *p = it->path + strspn(it->path, "/");
    if (strchr(p, '/') == NULL || it->u.dir.contents == NULL) {
        snprintf(why.msg, sizeof(why.msg), "%s %s; not removed", it->path,
                 it->u.dir.contents ? "is a top-level directory"
                                    : "has no declaration of what atmos writes in it");
        atmos_run_set(it, ATMOS_ESYS, &why, ATMOS_OUTCOME_REMOVED);
        return;
    }
    rc = atmos_fs_open_parent(&r->fs, it->path, &dfd, &leaf, &why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_check(&r->fs, dfd, leaf, it->path, S_IFDIR, NULL, &why);
    if (rc == ATMOS_OK)
        rc = lock_for(r, it, &lockfd, &why);
    if (rc == ATMOS_OK) {
        if (!r->opts->dry_run)
            atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removing directory path=%s", it->path);
        /* Only what the cloud declares atmos (or the tool it points there) writes. */
        rc = atmos_fs_remove_declared(&r->fs, dfd, leaf, it->path, it->u.dir.contents,
                                      r->opts->dry_run, &kept, &why);
    }
    if (rc == ATMOS_KEPT || (rc == ATMOS_ESYS && kept.kept))
        kept_outcome(r, it, rc, &why, &kept);
    else
        atmos_run_outcome(r, it, rc, &why);
    if (lockfd >= 0)
        close(lockfd);
    if (dfd >= 0)
        close(dfd);
}

void atmos_free_dir(struct atmos_item *it)
{
    free(it->u.dir.lock);
}

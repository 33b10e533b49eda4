/*
 * Executing a FILE or CHECKED_FILE item (and a file keyring's entry, which
 * is a file): unlinked, a checked one only while it holds what the cloud
 * that planned it said; then its parent when asked and empty.
 *
 * MUST: reach every path through safefs (descriptor walk, no symlink
 * followed, owner checked); log paths, never contents.
 */
#include <stdlib.h>
#include <unistd.h>

#include "base/strings.h"
#include "items/kinds.h"
#include "items/run.h"

void atmos_run_file(struct atmos_run *r, struct atmos_item *it)
{
    const char *leaf;
    struct atmos_err why;
    struct atmos_buf buf = {0};
    struct stat st;
    int dfd = -1;
    int rc = atmos_fs_open_parent(&r->fs, it->path, &dfd, &leaf, &why);
    if (rc == ATMOS_OK && it->kind == ATMOS_ITEM_CHECKED_FILE) {
        /* Check what the file is: only what the cloud that planned it said it holds. */
        const struct atmos_file_check *check = it->u.file.check;
        rc = atmos_fs_read(&r->fs, dfd, leaf, it->path, check->max_bytes, &buf, &st, &why);
        if (rc == ATMOS_OK && !check->holds(it->u.file.arg, buf.data ? buf.data : "", buf.len))
            rc = ATMOS_ABSENT;
    } else if (rc == ATMOS_OK) {
        rc = atmos_fs_check(&r->fs, dfd, leaf, it->path, S_IFREG, NULL, &why);
    }
    if (rc == ATMOS_OK && !r->opts->dry_run) {
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removing file path=%s", it->path);
        rc = atmos_fs_unlink(&r->fs, dfd, leaf, it->path, &why);
    }
    atmos_run_outcome(r, it, rc, &why);
    atmos_buf_free(&buf);
    if (dfd >= 0)
        close(dfd);
    char *dir = NULL;
    int pfd = -1;
    int files = it->kind == ATMOS_ITEM_FILE || it->kind == ATMOS_ITEM_CHECKED_FILE;
    if (files && it->u.file.prune_parent && it->outcome == ATMOS_OUTCOME_REMOVED &&
        atmos_run_open_dir_of(r, it->path, &dir, &pfd, &leaf) == ATMOS_OK) {
        atmos_fs_rmdir_if_empty(pfd, leaf);
        close(pfd);
        free(dir);
    }
}

void atmos_free_file(struct atmos_item *it)
{
    free(it->u.file.arg);
}

const char *atmos_json_file(const struct atmos_item *it)
{
    return it->u.file.check ? it->u.file.check->name : "checked_file";
}

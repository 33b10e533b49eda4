/*
 * Executing an INI_SECTION item: one section of an INI file another tool
 * (or atmos) reads, removed under atmos's lock by an atomic replace; the
 * file goes when nothing is left in it, and its provider directory when
 * only atmos's lock files are.
 *
 * MUST: reach every path through safefs (descriptor walk, no symlink
 * followed, owner checked); rewrite only under atmos's lock and only by
 * atomic replace; log paths and names, never contents.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/strings.h"
#include "base/limits.h"
#include "formats/ini.h"
#include "items/kinds.h"
#include "items/run.h"

#define MAX_DIR_LOCKS 8

/* Which of `names` (NULL-terminated) `name` is; MAX_DIR_LOCKS for none. */
static int lock_slot(const char *const *names, const char *name)
{
    int i = 0;
    while (names[i] && i < MAX_DIR_LOCKS && strcmp(names[i], name) != 0)
        i++;
    return names[i] && i < MAX_DIR_LOCKS ? i : MAX_DIR_LOCKS;
}

/*
 * After an identity logout deleted a provider's last file: remove the lock
 * files atmos left (the section's dir_locks) and the directory, but only if
 * nothing else is in it and no one holds a lock.
 */
static void prune_provider_dir(const struct atmos_run *r, const struct atmos_item *it)
{
    const char *const *names = it->u.section.dir_locks;
    char *dir = NULL;
    int pfd = -1, dfd = -1, locks[MAX_DIR_LOCKS];
    const char *leaf;
    struct atmos_err why;
    DIR *d = NULL;
    for (int i = 0; i < MAX_DIR_LOCKS; i++)
        locks[i] = -1;
    if (names == NULL || atmos_run_open_dir_of(r, it->path, &dir, &pfd, &leaf) != ATMOS_OK ||
        atmos_fs_check(&r->fs, pfd, leaf, dir, S_IFDIR, NULL, &why) != ATMOS_OK)
        goto done;
    dfd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || (d = fdopendir(dup(dfd))) == NULL)
        goto done;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        int slot = lock_slot(names, de->d_name);
        if (slot == MAX_DIR_LOCKS || locks[slot] >= 0)
            goto done; /* something else lives here: keep the directory */
        locks[slot] = openat(dfd, de->d_name, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
        if (locks[slot] < 0 || flock(locks[slot], LOCK_EX | LOCK_NB) != 0)
            goto done; /* a login is under way */
    }
    for (int i = 0; i < MAX_DIR_LOCKS; i++)
        if (locks[i] >= 0)
            unlinkat(dfd, names[i], 0);
    if (atmos_fs_rmdir_if_empty(pfd, leaf) == ATMOS_OK)
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removed empty directory path=%s", dir);
done:
    for (int i = 0; i < MAX_DIR_LOCKS; i++)
        if (locks[i] >= 0)
            close(locks[i]);
    if (d)
        closedir(d);
    if (dfd >= 0)
        close(dfd);
    if (pfd >= 0)
        close(pfd);
    free(dir);
}

static void finish_section(const struct atmos_run *r, struct atmos_item *it, int rc,
                           const struct atmos_err *why, int lockfd, int dfd)
{
    atmos_run_outcome(r, it, rc, why);
    if (it->outcome != ATMOS_OUTCOME_REMOVED && it->outcome != ATMOS_OUTCOME_WOULD_REMOVE)
        it->u.section.file_removed = 0;
    if (lockfd >= 0)
        close(lockfd); /* releases the flock */
    if (dfd >= 0)
        close(dfd);
    if (it->outcome == ATMOS_OUTCOME_REMOVED && it->u.section.file_removed)
        prune_provider_dir(r, it);
}

/* Read the file and remove the section from a copy of it: ATMOS_OK and *res, or why not. */
static int cut(const struct atmos_run *r, struct atmos_item *it, int dfd, const char *leaf,
               struct atmos_buf *in, struct atmos_buf *out, struct atmos_ini_result *res,
               struct stat *st, struct atmos_err *why)
{
    in->len = out->len = 0;
    int rc = atmos_fs_read(&r->fs, dfd, leaf, it->path, ATMOS_INI_MAX_BYTES, in, st, why);
    if (rc == ATMOS_OK && atmos_ini_remove(in->data ? in->data : "", in->len,
                                           it->u.section.flavor, it->u.section.name, out, res) != 0)
        rc = atmos_fail(why, ATMOS_ENOMEM, "%s: out of memory", it->path);
    if (rc == ATMOS_OK && res->found == 0)
        rc = ATMOS_ABSENT;
    else if (rc == ATMOS_OK && res->unsafe)
        rc = atmos_fail(why, ATMOS_ESYS,
                        "%s: removing [%s] would change how the lines after it are read (an "
                        "indented section header); left as it is, edit it by hand",
                        it->path, it->u.section.name);
    return rc;
}

/* The first look needs no lock: nothing to remove means nothing to lock (or create).  Then
 * again under the lock (*lockfd): what is rewritten is what atmos last wrote. */
static int cut_locked(const struct atmos_run *r, struct atmos_item *it, int dfd, const char *leaf,
                      int may_wait, int *lockfd, struct atmos_buf *in, struct atmos_buf *out,
                      struct atmos_ini_result *res, struct stat *st, struct atmos_err *why)
{
    int rc = cut(r, it, dfd, leaf, in, out, res, st, why);
    if (rc != ATMOS_OK || r->opts->dry_run)
        return rc;
    rc = atmos_fs_lock(&r->fs, dfd, leaf, it->path, may_wait ? atmos_run_lock_ms(r) : 0, lockfd,
                       why);
    if (rc != ATMOS_OK)
        return rc;
    atmos_fs_clean_temps(&r->fs, dfd, leaf);
    return cut(r, it, dfd, leaf, in, out, res, st, why);
}

static void commit_section(struct atmos_run *r, struct atmos_pending *p)
{
    struct atmos_err why;
    int rc = atmos_fs_commit(&r->fs, p->dfd, p->leaf, p->it->path, &p->st, &p->tmp, &why);
    rc = atmos_run_note_change(r, p->it, p->dfd, rc, &why);
    finish_section(r, p->it, rc, &why, p->lockfd, p->dfd);
}

/*
 * Everything up to the new contents: read, lock, read again, remove the
 * section.  A removal that empties the file unlinks it here and is done; a
 * rewrite is staged in *p for commit_section (p->it set).  `may_wait` 0 only
 * tries the lock: whoever already holds one file's lock must not wait for
 * another (the other holder might be waiting for ours); ATMOS_BUSY then, with
 * nothing done and the item untouched.  Otherwise ATMOS_OK: done or staged.
 */
static int stage_section(struct atmos_run *r, struct atmos_item *it, struct atmos_pending *p,
                         int may_wait)
{
    const char *leaf;
    struct atmos_err why;
    struct atmos_buf in = {0}, out = {0};
    struct atmos_ini_result res;
    struct stat st;
    struct atmos_fs_staged tmp;
    int dfd = -1, lockfd = -1;
    int rc = atmos_fs_open_parent(&r->fs, it->path, &dfd, &leaf, &why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_check(&r->fs, dfd, leaf, it->path, S_IFREG, NULL, &why);
    if (rc == ATMOS_OK)
        rc = cut_locked(r, it, dfd, leaf, may_wait, &lockfd, &in, &out, &res, &st, &why);
    if (rc == ATMOS_OK)
        it->u.section.file_removed = res.sections_left == 0;
    if (rc == ATMOS_OK && !r->opts->dry_run) {
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removing section [%s] path=%s",
                  it->u.section.name, it->path);
        if (it->u.section.file_removed) {
            rc = atmos_fs_unlink(&r->fs, dfd, leaf, it->path, &why);
            rc = atmos_run_note_change(r, it, dfd, rc, &why);
        } else if ((rc = atmos_fs_stage(dfd, leaf, it->path, out.data ? out.data : "", out.len,
                                        &st, &tmp, &why)) == ATMOS_OK) {
            *p = (struct atmos_pending){.it = it, .commit = commit_section, .dfd = dfd,
                                        .lockfd = lockfd, .leaf = leaf, .st = st, .tmp = tmp};
            atmos_buf_free(&in);
            atmos_buf_free(&out);
            return ATMOS_OK;
        }
    }
    atmos_buf_free(&in);
    atmos_buf_free(&out);
    if (rc == ATMOS_BUSY) {
        close(dfd);
        return ATMOS_BUSY;
    }
    finish_section(r, it, rc, &why, lockfd, dfd);
    return ATMOS_OK;
}

/* Staged with the other rewrites; when its lock is held elsewhere, ours go in before we wait. */
void atmos_run_section(struct atmos_run *r, struct atmos_item *it)
{
    struct atmos_pending *p = atmos_run_slot(r);
    if (stage_section(r, it, p, r->staged.n == 0) == ATMOS_BUSY) {
        atmos_run_commit(r);
        p = atmos_run_slot(r);
        stage_section(r, it, p, 1);
    }
    if (p->it != NULL)
        r->staged.n++;
}

void atmos_free_section(struct atmos_item *it)
{
    free(it->u.section.name);
}

int atmos_text_section(const struct atmos_item *it, const char *shown, int dry,
                       struct atmos_buf *out)
{
    const struct atmos_item_section *sec = &it->u.section;
    int profile = sec->flavor == ATMOS_INI_CONFIG && strcmp(sec->name, "default") != 0;
    int rc = atmos_buf_printf(out, "[%s%s] from %s", profile ? "profile " : "", sec->name, shown);
    if (rc == ATMOS_OK && sec->file_removed)
        rc = atmos_buf_printf(out, " (%s)", dry ? "file would be deleted" : "file deleted");
    return rc;
}

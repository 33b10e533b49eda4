/*
 * Executing a plan, best-effort: every item runs even when an earlier one
 * failed, and ends as removed, absent or failed with the reason.  In a dry run
 * the same checks run and nothing is changed.
 *
 * MUST: reach every path through safefs (descriptor walk, no symlink
 * followed, owner checked); rewrite INI files only under atmos's lock and only
 * by atomic replace; log paths and names, never contents.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include <atmos/plan.h>

#include "http.h"
#include "ini.h"
#include "jsonedit.h"
#include "internal.h"
#include "keyring_internal.h"
#include "safefs.h"
#include "yamledit.h"

/* Credentials files with 10,000 profiles are about 2 MiB. */
#define MAX_INI_BYTES (64u * 1024u * 1024u)

struct run {
    struct atmos_fs fs;
    const struct atmos_exec_opts *opts;
    struct atmos_dirsync *dirs; /* synced once each at the end */
};

static void set_outcome(struct atmos_item *it, int fs_rc, const struct atmos_err *why,
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

/*
 * The directory holding `file_path`, opened by its parent: *dir is malloc'd
 * (the directory's path), *leaf points into it.  0, or -1 with nothing open.
 */
static int open_dir_of(const struct run *r, const char *file_path, char **dir, int *pfd,
                       const char **leaf)
{
    struct atmos_err why;
    char *d = strdup(file_path);
    char *slash = d ? strrchr(d, '/') : NULL;
    *pfd = -1;
    if (slash == NULL || slash == d) {
        free(d);
        return -1;
    }
    *slash = '\0';
    if (atmos_fs_open_parent(&r->fs, d, pfd, leaf, &why) != ATMOS_OK) {
        free(d);
        return -1;
    }
    *dir = d;
    return 0;
}

#define MAX_DIR_LOCKS 8

/* Which of `names` (NULL-terminated) `name` is; -1 for none. */
static int lock_slot(const char *const *names, const char *name)
{
    for (int i = 0; names[i] && i < MAX_DIR_LOCKS; i++)
        if (strcmp(names[i], name) == 0)
            return i;
    return -1;
}

/*
 * After an identity logout deleted a provider's last file: remove the lock
 * files atmos left (the section's dir_locks) and the directory, but only if
 * nothing else is in it and no one holds a lock.
 */
static void prune_provider_dir(const struct run *r, const struct atmos_item *it)
{
    const char *const *names = it->u.section.dir_locks;
    char *dir = NULL;
    int pfd = -1, dfd = -1, locks[MAX_DIR_LOCKS];
    const char *leaf;
    struct atmos_err why;
    DIR *d = NULL;
    for (int i = 0; i < MAX_DIR_LOCKS; i++)
        locks[i] = -1;
    if (names == NULL || open_dir_of(r, it->path, &dir, &pfd, &leaf) != 0 ||
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
        if (slot < 0 || locks[slot] >= 0)
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

/*
 * An INI rewrite on its way: the file's lock is held and the new contents are
 * staged beside it.  Rewrites are staged together and then committed, so
 * that one journal commit carries all their data instead of one each.
 */
struct pending {
    struct atmos_item *it;
    int dfd, lockfd;
    const char *leaf; /* inside it->path */
    struct stat st;   /* the file that was read */
    struct atmos_fs_staged tmp;
    struct atmos_kube_later kube; /* a KUBECONFIG item's rewrite: the fields above unused */
};

#define MAX_PENDING 8

struct batch {
    struct pending v[MAX_PENDING];
    size_t n;
};

/* A rename or unlink in `dfd` is durable once the directory is synced (at the end of the run). */
static int note_change(const struct run *r, struct atmos_item *it, int dfd, int rc,
                       struct atmos_err *why)
{
    if (rc == ATMOS_OK && atmos_fs_note_dir(r->dirs, dfd, it) != 0 && fsync(dfd) != 0) {
        rc = ATMOS_ESYS;
        snprintf(why->msg, sizeof(why->msg), "%s: changed, but syncing the directory failed: %s",
                 it->path, strerror(errno));
    }
    return rc;
}

static void finish_section(const struct run *r, struct atmos_item *it, int rc,
                           const struct atmos_err *why, int lockfd, int dfd)
{
    set_outcome(it, rc, why, r->opts->dry_run ? ATMOS_OUTCOME_WOULD_REMOVE : ATMOS_OUTCOME_REMOVED);
    if (it->outcome != ATMOS_OUTCOME_REMOVED && it->outcome != ATMOS_OUTCOME_WOULD_REMOVE)
        it->u.section.file_removed = 0;
    if (lockfd >= 0)
        close(lockfd); /* releases the flock */
    if (dfd >= 0)
        close(dfd);
    if (it->outcome == ATMOS_OUTCOME_REMOVED && it->u.section.file_removed)
        prune_provider_dir(r, it);
}

/*
 * Everything up to the new contents: read, lock, read again, remove the
 * section.  A removal that empties the file unlinks it here and is done; a
 * rewrite is staged in *p for commit_section (p->it set).  `may_wait` 0 only
 * tries the lock: whoever already holds one file's lock must not wait for
 * another (the other holder might be waiting for ours); ATMOS_BUSY then, with
 * nothing done and the item untouched.  Otherwise ATMOS_OK: done or staged.
 */
static int stage_section(const struct run *r, struct atmos_item *it, struct pending *p,
                         int may_wait)
{
    const char *leaf;
    struct atmos_err why;
    struct atmos_buf in = {0}, out = {0};
    struct atmos_ini_result res;
    struct stat st;
    int dfd = -1, lockfd = -1, staged = 0;
    int rc = atmos_fs_open_parent(&r->fs, it->path, &dfd, &leaf, &why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_check(&r->fs, dfd, leaf, it->path, S_IFREG, NULL, &why);
    if (rc != ATMOS_OK)
        goto done;
    /* A first look without the lock: nothing to remove means nothing to lock (or create). */
    if ((rc = atmos_fs_read(&r->fs, dfd, leaf, it->path, MAX_INI_BYTES, &in, &st, &why)) !=
        ATMOS_OK)
        goto done;
    if (atmos_ini_remove(in.data ? in.data : "", in.len, it->u.section.flavor, it->u.section.name,
                         &out, &res) != 0)
        goto oom;
    if (res.found && !r->opts->dry_run) {
        int t = r->opts->lock_timeout_ms > 0 ? r->opts->lock_timeout_ms : ATMOS_LOCK_TIMEOUT_MS;
        if ((rc = atmos_fs_lock(&r->fs, dfd, leaf, it->path, may_wait ? t : 0, &lockfd, &why)) !=
            ATMOS_OK)
            goto done;
        atmos_fs_clean_temps(&r->fs, dfd, leaf);
        /* Again under the lock: what we rewrite is what atmos last wrote. */
        in.len = out.len = 0;
        if ((rc = atmos_fs_read(&r->fs, dfd, leaf, it->path, MAX_INI_BYTES, &in, &st, &why)) !=
            ATMOS_OK)
            goto done;
        if (atmos_ini_remove(in.data ? in.data : "", in.len, it->u.section.flavor,
                             it->u.section.name, &out, &res) != 0)
            goto oom;
    }
    if (res.found == 0) {
        rc = ATMOS_ABSENT;
        goto done;
    }
    if (res.unsafe) {
        rc = ATMOS_ESYS;
        snprintf(why.msg, sizeof(why.msg),
                 "%s: removing [%s] would change how the lines after it are read (an indented "
                 "section header); left as it is, edit it by hand",
                 it->path, it->u.section.name);
        goto done;
    }
    it->u.section.file_removed = res.sections_left == 0;
    if (r->opts->dry_run)
        goto done;
    atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removing section [%s] path=%s", it->u.section.name,
              it->path);
    if (it->u.section.file_removed) {
        rc = note_change(r, it, dfd, atmos_fs_unlink(&r->fs, dfd, leaf, it->path, &why), &why);
        goto done;
    }
    struct atmos_fs_staged tmp;
    rc = atmos_fs_stage(dfd, leaf, it->path, out.data ? out.data : "", out.len, &st, &tmp, &why);
    if (rc == ATMOS_OK) {
        *p = (struct pending){it, dfd, lockfd, leaf, st, tmp, {.staged = 0}};
        staged = 1;
    }
done:
    atmos_buf_free(&in);
    atmos_buf_free(&out);
    if (staged)
        return ATMOS_OK;
    if (rc == ATMOS_BUSY) {
        close(dfd);
        return ATMOS_BUSY;
    }
    finish_section(r, it, rc, &why, lockfd, dfd);
    return ATMOS_OK;
oom:
    rc = ATMOS_ESYS;
    snprintf(why.msg, sizeof(why.msg), "%s: out of memory", it->path);
    goto done;
}

static void commit_kube(const struct run *r, struct pending *p)
{
    struct atmos_err why;
    int rc = atmos_kube_commit(&r->fs, p->it, p->dfd, &p->kube, &why);
    rc = note_change(r, p->it, p->dfd, rc, &why);
    close(p->dfd);
    set_outcome(p->it, rc, &why, ATMOS_OUTCOME_REMOVED);
}

static void commit_section(const struct run *r, struct pending *p)
{
    struct atmos_err why;
    if (p->it->kind == ATMOS_ITEM_KUBECONFIG) {
        commit_kube(r, p);
        return;
    }
    int rc = atmos_fs_commit(&r->fs, p->dfd, p->leaf, p->it->path, &p->st, &p->tmp, &why);
    rc = note_change(r, p->it, p->dfd, rc, &why);
    finish_section(r, p->it, rc, &why, p->lockfd, p->dfd);
}

static void commit_batch(const struct run *r, struct batch *b)
{
    for (size_t i = 0; i < b->n; i++)
        commit_section(r, &b->v[i]);
    b->n = 0;
}

static void run_section(const struct run *r, struct atmos_item *it, struct batch *b)
{
    if (b->n == MAX_PENDING)
        commit_batch(r, b);
    b->v[b->n].it = NULL;
    if (stage_section(r, it, &b->v[b->n], b->n == 0) == ATMOS_BUSY) {
        /* Let go of the locks we hold before waiting for this one. */
        commit_batch(r, b);
        b->v[0].it = NULL;
        stage_section(r, it, &b->v[0], 1);
    }
    if (b->v[b->n].it != NULL)
        b->n++;
}

static void run_file(const struct run *r, struct atmos_item *it)
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
    set_outcome(it, rc, &why,
                r->opts->dry_run ? ATMOS_OUTCOME_WOULD_REMOVE : ATMOS_OUTCOME_REMOVED);
    atmos_buf_free(&buf);
    if (dfd >= 0)
        close(dfd);
    char *dir = NULL;
    int pfd = -1;
    int files = it->kind == ATMOS_ITEM_FILE || it->kind == ATMOS_ITEM_CHECKED_FILE;
    if (files && it->u.file.prune_parent && it->outcome == ATMOS_OUTCOME_REMOVED &&
        open_dir_of(r, it->path, &dir, &pfd, &leaf) == 0) {
        atmos_fs_rmdir_if_empty(pfd, leaf);
        close(pfd);
        free(dir);
    }
}

static void run_json(const struct run *r, struct atmos_item *it)
{
    struct atmos_err why;
    int dfd = -1;
    int rc = atmos_json_edit(&r->fs, it, r->opts->dry_run, r->opts->lock_timeout_ms, &dfd, &why);
    if (dfd >= 0) {
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removed %zu entries path=%s", it->u.json.entries,
                  it->path);
        rc = note_change(r, it, dfd, rc, &why);
        close(dfd);
    }
    set_outcome(it, rc, &why,
                r->opts->dry_run ? ATMOS_OUTCOME_WOULD_REMOVE : ATMOS_OUTCOME_REMOVED);
}

/* A rewrite is staged with the INI ones (one journal commit for all); a deletion is done now. */
static void run_kube(const struct run *r, struct atmos_item *it, struct batch *b)
{
    struct atmos_err why;
    int dfd = -1;
    /* Its lock is ours while a rewrite of the same file is staged: that one goes in first. */
    for (size_t i = 0; i < b->n && b->n < MAX_PENDING; i++)
        if (b->v[i].it->kind == ATMOS_ITEM_KUBECONFIG && strcmp(b->v[i].it->path, it->path) == 0)
            commit_batch(r, b);
    if (b->n == MAX_PENDING)
        commit_batch(r, b);
    struct pending *p = &b->v[b->n];
    int rc = atmos_kube_edit(&r->fs, it, r->opts->dry_run, &dfd, &p->kube, &why);
    if (rc == ATMOS_OK && p->kube.staged) {
        p->it = it;
        p->dfd = dfd;
        b->n++;
        return;
    }
    if (dfd >= 0) {
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removed %zu kubeconfig entries path=%s",
                  it->u.kube.entries, it->path);
        rc = note_change(r, it, dfd, rc, &why);
        close(dfd);
    }
    set_outcome(it, rc, &why,
                r->opts->dry_run ? ATMOS_OUTCOME_WOULD_REMOVE : ATMOS_OUTCOME_REMOVED);
}

/* Held while a directory is removed, when atmos takes a lock to change it (GCP). */
static int lock_for(const struct run *r, const struct atmos_item *it, int *lockfd,
                    struct atmos_err *why)
{
    const char *leaf;
    int pfd = -1;
    *lockfd = -1;
    if (it->u.dir.lock == NULL || r->opts->dry_run)
        return ATMOS_OK;
    int rc = atmos_fs_open_parent(&r->fs, it->u.dir.lock, &pfd, &leaf, why);
    if (rc == ATMOS_OK) {
        int t = r->opts->lock_timeout_ms > 0 ? r->opts->lock_timeout_ms : ATMOS_LOCK_TIMEOUT_MS;
        rc = atmos_fs_lock(&r->fs, pfd, leaf, it->u.dir.lock, t, lockfd, why);
    }
    if (pfd >= 0)
        close(pfd);
    return rc;
}

/* An item of a kind this build does not know how to clean: said, never skipped quietly. */
static void run_unknown(struct atmos_item *it)
{
    it->outcome = ATMOS_OUTCOME_FAILED;
    if (it->u.unknown.skipped == 2) {
        /* atmos cannot have logged in with it: said on stderr at load, in JSON here. */
        it->outcome = ATMOS_OUTCOME_SKIPPED;
        it->error = atmos_strfmt("%s: %s; atmos cannot log in with it, so it left nothing",
                                 it->label, it->u.unknown.what ? it->u.unknown.what : "");
    } else if (it->u.unknown.skipped == 3) /* a name given that is not configured */
        it->error = atmos_strfmt("%s \"%s\" not found in configuration", it->label,
                                 it->u.unknown.what ? it->u.unknown.what : "");
    else if (it->u.unknown.skipped)
        it->error = atmos_strfmt("%s: %s; nothing of it was removed", it->label,
                                 it->u.unknown.what ? it->u.unknown.what : "");
    else
        it->error = atmos_strfmt("%s %s: atmos-logout does not know what its logins leave; nothing "
                                 "of it was removed",
                                 it->label, it->u.unknown.what ? it->u.unknown.what : "");
}

/*
 * A directory that keeps what atmos did not write stays: the item fails,
 * saying what was kept and what of atmos's went, never "removed".
 */
static void kept_outcome(const struct run *r, struct atmos_item *it, int rc,
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

static void run_directory(const struct run *r, struct atmos_item *it)
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
        set_outcome(it, ATMOS_ESYS, &why, ATMOS_OUTCOME_REMOVED);
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
        set_outcome(it, rc, &why,
                    r->opts->dry_run ? ATMOS_OUTCOME_WOULD_REMOVE : ATMOS_OUTCOME_REMOVED);
    if (lockfd >= 0)
        close(lockfd);
    if (dfd >= 0)
        close(dfd);
}

/* After `it` went: the empty directories above it, up to it->prune_up of them. */
static void prune_up(const struct run *r, const struct atmos_item *it)
{
    char *dir = it->outcome == ATMOS_OUTCOME_REMOVED ? strdup(it->path) : NULL;
    for (unsigned i = 0; dir && i < it->prune_up; i++) {
        char *slash = strrchr(dir, '/');
        const char *leaf;
        int pfd;
        struct atmos_err why;
        if (slash == NULL || slash == dir)
            break;
        *slash = '\0';
        if (atmos_fs_open_parent(&r->fs, dir, &pfd, &leaf, &why) != ATMOS_OK)
            break;
        int rc = atmos_fs_rmdir_if_empty(pfd, leaf);
        close(pfd);
        if (rc != ATMOS_OK)
            break;
        atmos_log(r->opts->log, ATMOS_LOG_DEBUG, "Removed empty directory path=%s", dir);
    }
    free(dir);
}

/* Keyring items, batched per backend: the Secret Service is one bounded child. */
static void run_keyrings(struct atmos_plan *plan, const struct run *r)
{
    struct atmos_item **batch = calloc(plan->nitems ? plan->nitems : 1, sizeof(*batch));
    if (batch == NULL) {
        for (size_t i = 0; i < plan->nitems; i++)
            if (plan->items[i].kind == ATMOS_ITEM_KEYRING) {
                plan->items[i].outcome = ATMOS_OUTCOME_FAILED;
                plan->items[i].error = strdup("out of memory");
            }
        return;
    }
    for (int b = ATMOS_KEYRING_SYSTEM; b <= ATMOS_KEYRING_KEYCTL; b++) {
        size_t n = 0;
        for (size_t i = 0; i < plan->nitems; i++)
            if (plan->items[i].kind == ATMOS_ITEM_KEYRING &&
                (int)plan->items[i].u.keyring.backend == b)
                batch[n++] = &plan->items[i];
        if (n == 0)
            continue;
        if (b == ATMOS_KEYRING_FILE)
            for (size_t i = 0; i < n; i++)
                run_file(r, batch[i]);
        else if (b == ATMOS_KEYRING_KEYCTL)
            atmos_keyctl_run(batch, n, r->opts->dry_run, r->opts->log);
        else
            atmos_secret_run(batch, n, r->opts->dry_run, r->opts->keyring_timeout_ms, r->opts->log);
    }
    free(batch);
}

/*
 * Sign-outs come first, while the token files still exist: each kind of
 * sign-out (its cloud's) is given all its items at once and queues its
 * requests, and every kind's requests then go out together (http.c), so
 * the phase has one bound however many clouds take part.  Whatever happens
 * there, the files are removed afterwards, and no outcome of it is part of
 * the exit status.
 */
struct started {
    const struct atmos_signout_kind *how;
    void *state;
};

static void run_signouts(struct atmos_plan *plan, const struct run *r)
{
    static const struct atmos_env none;
    struct atmos_item **batch = NULL;
    struct started *kinds = NULL;
    struct atmos_http_batch http = {0};
    size_t nkinds = 0, used = 0;
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_signout_kind *how = plan->items[i].u.signout.how;
        size_t n = 0, j;
        if (plan->items[i].kind != ATMOS_ITEM_SIGNOUT || how == NULL)
            continue;
        for (j = 0; j < i; j++) /* a kind already started */
            if (plan->items[j].kind == ATMOS_ITEM_SIGNOUT && plan->items[j].u.signout.how == how)
                break;
        if (j < i)
            continue;
        /* One array for every kind's items (each item is of one kind): nitems in all. */
        if ((batch == NULL && (batch = calloc(plan->nitems, sizeof(*batch))) == NULL) ||
            (kinds == NULL && (kinds = calloc(plan->nitems, sizeof(*kinds))) == NULL))
            break;
        for (j = i; j < plan->nitems; j++)
            if (plan->items[j].kind == ATMOS_ITEM_SIGNOUT && plan->items[j].u.signout.how == how &&
                !plan->items[j].skip)
                batch[used + n++] = &plan->items[j];
        kinds[nkinds].how = how;
        kinds[nkinds++].state = how->start(batch + used, n, plan->home, r->opts, &http);
        used += n;
    }
    atmos_http_run(&http, r->opts->env ? r->opts->env : &none, r->opts->log);
    for (size_t k = 0; k < nkinds; k++)
        if (kinds[k].state)
            kinds[k].how->finish(kinds[k].state, &http);
    atmos_http_free(&http);
    free(kinds);
    free(batch);
}

static void dir_sync_failed(void *owner, int err)
{
    struct atmos_item *it = owner;
    it->outcome = ATMOS_OUTCOME_FAILED;
    free(it->error);
    it->error =
        atmos_strfmt("%s: changed, but syncing the directory failed: %s", it->path, strerror(err));
}

void atmos_plan_execute(struct atmos_plan *plan, const struct atmos_exec_opts *opts)
{
    /* HOME was checked to be absolute when the plan was built. */
    struct atmos_dirsync dirs = {.v = NULL};
    struct atmos_fs_memo memo = {.absent_len = 0};
    struct run r = {{plan->home, geteuid(), &memo}, opts, &dirs};
    struct batch staged = {.n = 0};
    plan->dry_run = opts->dry_run;
    for (size_t i = 0; i < plan->nitems; i++) {
        struct atmos_item *it = &plan->items[i];
        if (opts->only_keyring && it->kind != ATMOS_ITEM_KEYRING)
            continue;
        free(it->error);
        it->error = NULL;
        it->outcome = it->skip ? ATMOS_OUTCOME_SKIPPED : ATMOS_OUTCOME_PENDING;
    }
    if (!opts->only_keyring)
        run_signouts(plan, &r);
    for (size_t i = 0; i < plan->nitems; i++) {
        struct atmos_item *it = &plan->items[i];
        if ((opts->only_keyring && it->kind != ATMOS_ITEM_KEYRING) || it->skip)
            continue;
        switch (it->kind) {
        case ATMOS_ITEM_INI_SECTION:
            run_section(&r, it, &staged);
            break;
        case ATMOS_ITEM_FILE:
        case ATMOS_ITEM_CHECKED_FILE:
            run_file(&r, it);
            break;
        case ATMOS_ITEM_DIRECTORY:
            run_directory(&r, it);
            break;
        case ATMOS_ITEM_JSON_ENTRIES:
            run_json(&r, it);
            break;
        case ATMOS_ITEM_KUBECONFIG:
            run_kube(&r, it, &staged);
            break;
        case ATMOS_ITEM_UNKNOWN:
            run_unknown(it);
            break;
        case ATMOS_ITEM_KEYRING:
        case ATMOS_ITEM_SIGNOUT:
            break; /* keyrings below, batched; sign-outs done first */
        }
    }
    commit_batch(&r, &staged);
    /* Once everything went: a realm's directories may hold several items' parents. */
    for (size_t i = 0; i < plan->nitems; i++)
        if (plan->items[i].prune_up && !plan->items[i].skip)
            prune_up(&r, &plan->items[i]);
    atmos_fs_sync_dirs(&dirs, dir_sync_failed);
    run_keyrings(plan, &r);
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        if (it->outcome == ATMOS_OUTCOME_FAILED)
            atmos_log(opts->log, ATMOS_LOG_WARN, "%s", it->error ? it->error : "failed");
    }
    atmos_fs_memo_release(&memo);
}

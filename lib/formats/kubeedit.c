/*
 * Removing one login's entries from a kubeconfig file: the file side of
 * formats/yamledit.c (which says what goes, and writes the rest byte for byte).
 *
 * The file is rewritten under client-go's own writers' lock: `<file>.lock`
 * created exclusively, never waited for or taken over (one that exists fails
 * the item: someone is writing the file).  It is read again under the lock;
 * the new contents are written into the lock file itself, with the file's
 * mode, fsynced and renamed over the file: the lock is held until the
 * rename, which makes the new contents appear and releases the lock at one
 * instant, and one file is created, not two.  With no entry left, the file is deleted, as atmos's
 * RemoveClusterConfig does (pkg/auth/cloud/kube/config.go).
 *
 * MUST: reach the file through safefs (no symlink followed, owner checked);
 * refuse a file larger than ATMOS_KUBE_MAX_BYTES before reading it; leave a
 * file the editor refuses exactly as it is; never log its contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "formats/kubenorm.h"
#include "base/limits.h"
#include "fs/safefs.h"
#include "formats/yamledit.h"

/*
 * A merge key the byte ranges leave in place: kubectl's verdict on what it
 * brings (a field of the wrong type, a value that is no mapping) is taken on
 * the file as kubectl reads it, merged (formats/kubenorm.c).  The cut stays a cut.
 */
static int merged_verdict(const char *data, size_t len, struct atmos_err *e)
{
    struct atmos_buf norm = {0};
    struct atmos_kube_doc doc;
    struct atmos_err e2;
    int rc = atmos_kube_normalize(data, len, &norm, &e2);
    if (rc == ATMOS_OK) {
        rc = atmos_kube_scan(norm.data ? norm.data : "", norm.len, &doc, &e2);
        if (rc == ATMOS_OK)
            atmos_kube_doc_free(&doc);
    }
    atmos_buf_free(&norm);
    /* Only kubectl's refusal counts here: the file itself can be cut. */
    if (rc == ATMOS_ENOMEM || (rc != ATMOS_OK && strstr(e2.msg, "kubectl refuses it: "))) {
        *e = e2;
        return rc;
    }
    return ATMOS_OK;
}

/* Count what goes in data[0, len) (and with out, write it without that). */
static int cut_text(const char *data, size_t len, struct atmos_item *it, struct atmos_buf *out,
                    struct atmos_err *e)
{
    struct atmos_kube_doc doc;
    struct atmos_kube_names names = {NULL, NULL, NULL};
    int rc = atmos_kube_scan(data, len, &doc, e);
    it->u.kube.entries = 0;
    it->u.kube.file_removed = 0;
    if (rc == ATMOS_OK && doc.merges) {
        rc = merged_verdict(data, len, e);
        if (rc != ATMOS_OK)
            atmos_kube_doc_free(&doc);
    }
    if (rc == ATMOS_OK) {
        rc = it->u.kube.rule->pick((const char *const *)it->u.kube.ids, &doc, &names, e);
        if (rc == ATMOS_OK && names.cluster)
            rc = atmos_kube_cut(data, len, &doc, &names, out, &it->u.kube.entries,
                                &it->u.kube.file_removed, e);
        atmos_kube_doc_free(&doc);
    }
    atmos_kube_names_free(&names);
    return rc;
}

static int tool_refuses(const struct atmos_err *e)
{
    return strstr(e->msg, "kubectl refuses it: ") != NULL;
}

/* Count what goes (and with out, write the file without it). */
static int cut(const struct atmos_buf *in, struct atmos_item *it, struct atmos_buf *out,
               struct atmos_err *why)
{
    struct atmos_err e, e2;
    struct atmos_buf norm = {0};
    const char *data = in->data ? in->data : "";
    int rc = cut_text(data, in->len, it, out, &e);
    it->u.kube.rewritten = 0;
    /*
     * A shape byte ranges cannot cut exactly: the whole file written again as kubectl
     * reads it (formats/kubenorm.c), then cut.  kubectl's verdict is taken on that text, which
     * it reads as it reads the file: a file it refuses is still left as it is, and so
     * is one the rewrite refuses (its reason is the one that stands: the rewrite reads
     * further than the byte ranges could).
     */
    if (rc == ATMOS_EINVAL && !tool_refuses(&e)) {
        if (out)
            out->len = 0;
        int r2 = atmos_kube_normalize(data, in->len, &norm, &e2);
        if (r2 == ATMOS_OK)
            r2 = cut_text(norm.data ? norm.data : "", norm.len, it, out, &e2);
        rc = r2;
        e = e2;
        it->u.kube.rewritten = r2 == ATMOS_OK && it->u.kube.entries > 0;
        if (r2 != ATMOS_OK && out)
            out->len = 0;
    }
    atmos_buf_free(&norm);
    if (rc == ATMOS_ENOMEM)
        return atmos_fail(why, ATMOS_ESYS, "%s: out of memory", it->path);
    /* kubectl's own verdict first: the file is the user's to fix, not ours. */
    if (rc != ATMOS_OK && tool_refuses(&e))
        return atmos_fail(why, ATMOS_ESYS, "%s: kubectl would refuse this file (%s); left as it is",
                          it->path, e.msg);
    if (rc != ATMOS_OK)
        return atmos_fail(why, ATMOS_ESYS,
                          "%s is not a kubeconfig atmos can edit exactly (%s); "
                          "left as it is",
                          it->path, e.msg);
    return ATMOS_OK;
}

static int size_ok(const struct atmos_item *it, const struct stat *st, struct atmos_err *why)
{
    if ((size_t)st->st_size <= ATMOS_KUBE_MAX_BYTES)
        return ATMOS_OK;
    return atmos_fail(why, ATMOS_ESYS,
                      "%s is larger than a kubeconfig atmos edits (%lld bytes, at most %u MiB); "
                      "left as it is",
                      it->path, (long long)st->st_size, ATMOS_KUBE_MAX_BYTES / ATMOS_MIB);
}

/*
 * Under the lock: the new contents in place of the old (or staged in *later), or no file.
 * A rewrite takes *lockfd over (the lock file becomes the file, or is removed on failure).
 */
static int replace(const struct atmos_fs *fs, int dfd, const char *leaf, struct atmos_item *it,
                   const struct atmos_buf *out, const struct stat *st, int *lockfd,
                   struct atmos_kube_later *later, struct atmos_err *why)
{
    if (it->u.kube.file_removed)
        return atmos_fs_unlink(fs, dfd, leaf, it->path, why);
    char lock[NAME_MAX + 1];
    struct atmos_fs_staged tmp;
    int fd = *lockfd;
    *lockfd = -1;
    atmos_fs_lock_name(lock, leaf, ".lock"); /* atmos_fs_lock_exclusive made it: it fits */
    int rc = atmos_fs_stage_into(dfd, fd, lock, it->path, out->data, out->len, st, &tmp, why);
    if (rc != ATMOS_OK || later == NULL)
        return rc == ATMOS_OK ? atmos_fs_commit(fs, dfd, leaf, it->path, st, &tmp, why) : rc;
    later->staged = 1;
    later->leaf = leaf;
    later->st = *st;
    later->tmp = tmp;
    return ATMOS_OK;
}

int atmos_kube_commit(const struct atmos_fs *fs, struct atmos_item *it, int dfd,
                      struct atmos_kube_later *later, struct atmos_err *why)
{
    later->staged = 0;
    return atmos_fs_commit(fs, dfd, later->leaf, it->path, &later->st, &later->tmp, why);
}

int atmos_kube_edit(const struct atmos_fs *fs, struct atmos_item *it, int dry_run, int *dfd_out,
                    struct atmos_kube_later *later, struct atmos_err *why)
{
    if (later)
        later->staged = 0;
    const char *leaf;
    struct atmos_buf in = {0}, out = {0};
    struct stat st;
    int dfd = -1, lockfd = -1;
    *dfd_out = -1;
    int rc = atmos_fs_open_parent(fs, it->path, &dfd, &leaf, why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_check(fs, dfd, leaf, it->path, S_IFREG, &st, why);
    if (rc == ATMOS_OK)
        rc = size_ok(it, &st, why);
    /* A first look without the lock: nothing to remove means nothing to lock. */
    if (rc == ATMOS_OK)
        rc = atmos_fs_read(fs, dfd, leaf, it->path, ATMOS_KUBE_MAX_BYTES, &in, &st, why);
    if (rc == ATMOS_OK)
        rc = cut(&in, it, NULL, why);
    if (rc != ATMOS_OK || it->u.kube.entries == 0 || dry_run) {
        rc = rc != ATMOS_OK ? rc : it->u.kube.entries ? ATMOS_OK : ATMOS_ABSENT;
        goto done;
    }
    if ((rc = atmos_fs_lock_exclusive(fs, dfd, leaf, it->path, &lockfd, why)) != ATMOS_OK)
        goto done;
    atmos_fs_clean_temps(fs, dfd, leaf);
    /* Again under the lock: what is rewritten is what its writers last wrote. */
    in.len = 0;
    if ((rc = atmos_fs_read(fs, dfd, leaf, it->path, ATMOS_KUBE_MAX_BYTES, &in, &st, why)) !=
            ATMOS_OK ||
        (rc = cut(&in, it, &out, why)) != ATMOS_OK)
        goto done;
    if (it->u.kube.entries == 0) {
        rc = ATMOS_ABSENT;
        goto done;
    }
    if ((rc = replace(fs, dfd, leaf, it, &out, &st, &lockfd, later, why)) == ATMOS_OK) {
        *dfd_out = dfd; /* the caller makes the rename durable */
        dfd = -1;
    }
done:
    if (lockfd >= 0)
        atmos_fs_unlock_exclusive(*dfd_out >= 0 ? *dfd_out : dfd, leaf, lockfd);
    if (dfd >= 0)
        close(dfd);
    atmos_buf_free(&in);
    atmos_buf_free(&out);
    return rc;
}

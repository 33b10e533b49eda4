/*
 * Walking and changing paths under a user's home through descriptors.
 *
 * MUST, for every path we touch:
 *  - open the trusted anchor (the home directory from passwd/$HOME, or "/")
 *    by path, and every component below it with openat(O_NOFOLLOW|O_DIRECTORY);
 *  - refuse a symlink, FIFO, device or socket anywhere on the way, never follow it;
 *  - check with fstat that each directory is owned by the user or root and that
 *    what we change is owned by the user;
 *  - operate on the descriptor we checked (openat/unlinkat/renameat relative
 *    to it), never on a path string again;
 *  - never open a file in a way that can block (O_NONBLOCK until fstat says
 *    it is a regular file).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "fs/safefs.h"
#include "fs/walk.h"

#define MAX_DEPTH 64

static const char *type_name(mode_t m)
{
    if (S_ISLNK(m))
        return "a symlink";
    if (S_ISFIFO(m))
        return "a FIFO";
    if (S_ISDIR(m))
        return "a directory";
    if (S_ISSOCK(m))
        return "a socket";
    if (S_ISCHR(m) || S_ISBLK(m))
        return "a device";
    return "a regular file";
}

/* Explain why openat(O_NOFOLLOW|O_DIRECTORY) of `name` failed. */
static int explain(int dirfd, const char *name, const char *shown, int e, struct atmos_err *why)
{
    struct stat st;
    if (e == ENOENT)
        return ATMOS_ABSENT;
    if ((e == ELOOP || e == ENOTDIR) && fstatat(dirfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0)
        return atmos_fs_say(why, "%s is %s, refusing to follow it", shown, type_name(st.st_mode));
    return atmos_fs_say(why, "%s: %s", shown, strerror(e));
}

/* --- the run's memo (struct atmos_fs_memo) --------------------------------- */

void atmos_fs_memo_release(struct atmos_fs_memo *m)
{
    if (m)
        atmos_dirstack_release(&m->dirs);
}

static int memo_absent(const struct atmos_fs_memo *m, const char *path, size_t upto)
{
    return m && m->absent_len && m->absent_len <= upto &&
           memcmp(path, m->absent, m->absent_len) == 0 &&
           (upto == m->absent_len || path[m->absent_len] == '/');
}

static void memo_note_absent(struct atmos_fs_memo *m, const char *shown)
{
    size_t len = strlen(shown);
    if (m && len < sizeof(m->absent)) {
        m->absent_len = len;
        memcpy(m->absent, shown, len + 1);
    }
}

/* Where a walk of path[0..upto) starts: a remembered directory, the home, or /. */
static int walk_start(const struct atmos_fs *fs, const char *path, size_t upto, int *fd, int *owned,
                      const char **rest, struct atmos_err *why)
{
    size_t hl = fs->home ? strlen(fs->home) : 0;
    struct atmos_dirstack *dirs = fs->memo ? &fs->memo->dirs : NULL;
    const struct atmos_dirstack_entry *up = atmos_dirstack_above(dirs, path, upto);
    if (up) {
        *fd = up->fd, *owned = 0;
        *rest = path + up->len;
        return ATMOS_OK;
    }
    /* The home directory itself is trusted (it comes from passwd or $HOME). */
    int at_home = hl > 1 && strncmp(path, fs->home, hl) == 0 && (path[hl] == '/' || hl == upto);
    *fd = open(at_home ? fs->home : "/", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    /* A home that does not exist holds nothing to remove. */
    if (*fd < 0 && at_home && errno == ENOENT)
        return ATMOS_ABSENT;
    if (*fd < 0)
        return atmos_fs_say(why, "%s: %s", at_home ? fs->home : "/", strerror(errno));
    *rest = at_home ? path + hl : path;
    *owned = !(at_home && hl < upto && atmos_dirstack_keep(dirs, path, hl, *fd, NULL));
    return ATMOS_OK;
}

/* Under a home: each directory on the way is the user's or root's (one of another user's
 * could be swapped under us). */
static int owner_ok(const struct atmos_walk *w, const struct stat *st, const char *shown,
                    struct atmos_err *why)
{
    const struct atmos_fs *fs = w->arg;
    if (st->st_uid == fs->uid || st->st_uid == 0)
        return ATMOS_OK;
    return atmos_fs_say(why, "%s is owned by uid %lu, not by uid %lu; not touched", shown,
                        (unsigned long)st->st_uid, (unsigned long)fs->uid);
}

static int open_failed(const struct atmos_walk *w, int dirfd, const char *name, const char *shown,
                       int e, struct atmos_err *why)
{
    const struct atmos_fs *fs = w->arg;
    int rc = explain(dirfd, name, shown, e, why);
    if (rc == ATMOS_ABSENT)
        memo_note_absent(fs->memo, shown);
    return rc;
}

static int refused(const struct atmos_walk *w, const char *path, const char *what,
                   struct atmos_err *why)
{
    (void)w;
    return atmos_fs_say(why, "%s: %s", path, what);
}

static int walk(const struct atmos_fs *fs, const char *path, size_t upto, int *out,
                struct atmos_err *why)
{
    const char *rest = path;
    int fd = -1, owned = 0;
    struct stat st;
    const struct atmos_walk w = {
        .dirs = fs->memo ? &fs->memo->dirs : NULL,
        .open_flags = O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NONBLOCK,
        .check = owner_ok,
        .failed = open_failed,
        .refused = refused,
        .arg = fs,
    };
    if (path[0] != '/')
        return atmos_fs_say(why, "%s: not an absolute path", path);
    if (memo_absent(fs->memo, path, upto))
        return ATMOS_ABSENT;
    int rc = walk_start(fs, path, upto, &fd, &owned, &rest, why);
    if (rc == ATMOS_OK)
        rc = atmos_walk_down(&w, path, (size_t)(rest - path), upto, &fd, &owned, &st, why);
    if (rc == ATMOS_OK && !owned && (fd = dup(fd)) < 0)
        rc = atmos_fs_say(why, "%s: %s", path, strerror(errno));
    if (rc == ATMOS_OK)
        *out = fd;
    return rc;
}

int atmos_fs_open_dir(const struct atmos_fs *fs, const char *path, int *fd, struct atmos_err *why)
{
    return walk(fs, path, strlen(path), fd, why);
}

int atmos_fs_open_parent(const struct atmos_fs *fs, const char *path, int *fd, const char **leaf,
                         struct atmos_err *why)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL || slash[1] == '\0')
        return atmos_fs_say(why, "%s: not a file path", path);
    *leaf = slash + 1;
    return walk(fs, path, (size_t)(slash - path), fd, why);
}

int atmos_fs_check(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                   mode_t type, struct stat *st, struct atmos_err *why)
{
    struct stat tmp;
    if (st == NULL)
        st = &tmp;
    if (fstatat(dirfd, leaf, st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? ATMOS_ABSENT : atmos_fs_say(why, "%s: %s", path, strerror(errno));
    if ((st->st_mode & S_IFMT) != type)
        return atmos_fs_say(why, "%s is %s, not %s; not touched", path, type_name(st->st_mode),
                            type_name(type));
    if (st->st_uid != fs->uid)
        return atmos_fs_say(why, "%s is owned by uid %lu, not by uid %lu; not touched", path,
                            (unsigned long)st->st_uid, (unsigned long)fs->uid);
    return ATMOS_OK;
}

int atmos_fs_read(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                  size_t max, struct atmos_buf *out, struct stat *st, struct atmos_err *why)
{
    int rc = ATMOS_ESYS;
    int fd = openat(dirfd, leaf, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        if (errno == ENOENT)
            return ATMOS_ABSENT;
        return explain(dirfd, leaf, path, errno, why);
    }
    if (fstat(fd, st) != 0) {
        atmos_fs_say(why, "%s: %s", path, strerror(errno));
        goto done;
    }
    if (!S_ISREG(st->st_mode)) {
        atmos_fs_say(why, "%s is %s, not a regular file; not touched", path,
                     type_name(st->st_mode));
        goto done;
    }
    if (st->st_uid != fs->uid) {
        atmos_fs_say(why, "%s is owned by uid %lu, not by uid %lu; not touched", path,
                     (unsigned long)st->st_uid, (unsigned long)fs->uid);
        goto done;
    }
    if ((size_t)st->st_size > max) {
        atmos_fs_say(why, "%s is larger than %zu bytes; not touched", path, max);
        goto done;
    }
    /* Straight into the buffer, sized by fstat; the file may still grow, so until EOF.  (A
     * 64 KiB chunk on the stack cost 16 page faults per process under stack-clash probing.) */
    for (size_t room = (size_t)st->st_size + 1;;) {
        if (out->cap - out->len <= 1 && atmos_buf_reserve(out, room) != 0) {
            atmos_fs_say(why, "%s: out of memory", path);
            goto done;
        }
        ssize_t n = read(fd, out->data + out->len, out->cap - out->len - 1);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0) {
            atmos_fs_say(why, "%s: %s", path, strerror(errno));
            goto done;
        }
        if (n == 0)
            break;
        out->len += (size_t)n;
        out->data[out->len] = '\0';
        if (out->len > max) {
            atmos_fs_say(why, "%s is larger than %zu bytes; not touched", path, max);
            goto done;
        }
        room = out->len; /* it grew: double */
    }
    rc = ATMOS_OK;
done:
    close(fd);
    return rc;
}

int atmos_fs_unlink(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                    struct atmos_err *why)
{
    int rc = atmos_fs_check(fs, dirfd, leaf, path, S_IFREG, NULL, why);
    if (rc != ATMOS_OK)
        return rc;
    /* unlinkat never follows a link, so a swap after the check cannot redirect it. */
    if (unlinkat(dirfd, leaf, 0) != 0)
        return errno == ENOENT ? ATMOS_ABSENT : atmos_fs_say(why, "%s: %s", path, strerror(errno));
    return ATMOS_OK;
}

/*
 * A tree walk's bounds: depth (one descriptor per level is open) and entries
 * (a browser profile holds thousands; a tree of millions would hold a logout
 * for minutes).  Past either, the walk stops and says so: what it removed
 * stays removed, the rest is left.
 */
struct tree {
    const struct atmos_fs *fs;
    size_t left; /* entries that may still be removed */
    struct atmos_err *why;
};

static int rmtree_at(struct tree *t, int dirfd, const char *leaf, const char *path, int depth);

static int rmtree_fd(struct tree *t, int dfd, const char *path, int depth)
{
    if (depth > MAX_DEPTH) {
        close(dfd);
        return atmos_fs_say(t->why, "%s: nested more than %d levels; not removed", path, MAX_DEPTH);
    }
    DIR *d = fdopendir(dfd);
    if (d == NULL) {
        close(dfd);
        return atmos_fs_say(t->why, "%s: %s", path, strerror(errno));
    }
    int rc = ATMOS_OK;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        const char *n = de->d_name;
        if (strcmp(n, ".") == 0 || strcmp(n, "..") == 0)
            continue;
        if (t->left == 0) {
            rc = atmos_fs_say(t->why, "%s: more than %d entries; the rest was left", path,
                              ATMOS_FS_MAX_ENTRIES);
            break;
        }
        t->left--;
        char sub[4096];
        snprintf(sub, sizeof(sub), "%s/%s", path, n);
        struct stat st;
        if (fstatat(dirfd(d), n, &st, AT_SYMLINK_NOFOLLOW) != 0) {
            if (errno != ENOENT)
                rc = atmos_fs_say(t->why, "%s: %s", sub, strerror(errno));
            continue;
        }
        if (S_ISDIR(st.st_mode)) {
            int r = rmtree_at(t, dirfd(d), n, sub, depth + 1);
            if (r == ATMOS_ESYS)
                rc = r;
        } else if (unlinkat(dirfd(d), n, 0) != 0 && errno != ENOENT) {
            /* Links, FIFOs and sockets are removed as entries, never opened. */
            rc = atmos_fs_say(t->why, "%s: %s", sub, strerror(errno));
        }
    }
    closedir(d);
    return rc;
}

static int rmtree_at(struct tree *t, int dirfd, const char *leaf, const char *path, int depth)
{
    int rc = atmos_fs_check(t->fs, dirfd, leaf, path, S_IFDIR, NULL, t->why);
    if (rc != ATMOS_OK)
        return rc;
    int fd = openat(dirfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return explain(dirfd, leaf, path, errno, t->why);
    struct stat st;
    if (fstat(fd, &st) != 0 || st.st_uid != t->fs->uid) {
        close(fd);
        return atmos_fs_say(t->why, "%s changed while being removed; not touched", path);
    }
    rc = rmtree_fd(t, fd, path, depth);
    if (rc != ATMOS_OK)
        return rc;
    if (unlinkat(dirfd, leaf, AT_REMOVEDIR) != 0 && errno != ENOENT)
        return atmos_fs_say(t->why, "%s: %s", path, strerror(errno));
    return ATMOS_OK;
}

int atmos_fs_rmtree_within(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                           size_t *left, struct atmos_err *why)
{
    struct tree t = {fs, *left, why};
    int rc = rmtree_at(&t, dirfd, leaf, path, 0);
    *left = t.left;
    return rc;
}

int atmos_fs_rmdir_if_empty(int dirfd, const char *leaf)
{
    return unlinkat(dirfd, leaf, AT_REMOVEDIR) == 0 ? ATMOS_OK : ATMOS_ABSENT;
}


/*
 * Opening a configuration file, and, as root, refusing one that anyone but
 * root could have written or swapped.
 *
 * A configuration names directories that are removed whole, so whoever can
 * write root's configuration can make root delete what they choose (issue 21:
 * a user's ./atmos.yaml with base_path /etc, run by root in that user's
 * directory).  The rule is OpenSSH's StrictModes/safe_path, applied to every
 * file of the search path, on descriptors:
 *
 * MUST (effective uid 0):
 *  1. walk the path from / one component at a time with openat(O_NOFOLLOW),
 *     and decide on fstat of the descriptor just opened, never on a path that
 *     is looked up again (no stat-then-open race); a directory checked earlier
 *     in the same load is started from by the descriptor that was checked,
 *     held open since, and every descriptor is closed when the load ends;
 *  2. refuse the file when it, or any directory above it, is owned by anyone
 *     but root, or is a symbolic link;
 *  3. refuse the file when it is writable by group or others, and a directory
 *     that is, unless that directory is sticky (see sticky_ok);
 *  4. read the file from the descriptor that was checked.
 * As any other user nothing changes: a user reading their own files needs no
 * such rule, and `--user` runs the engine as that user after the drop.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/internal.h"
#include "fs/walk.h"
#include "base/strings.h"

/* O_NONBLOCK: a FIFO planted at the path must not block us before fstat. */
#define FILE_FLAGS (O_RDONLY | O_CLOEXEC | O_NONBLOCK | O_NOCTTY)
/* O_PATH: only search permission is needed, as for open(2) of the whole path
 * (root squashed on NFS may search a directory it cannot read). */
#define DIR_FLAGS (O_PATH | O_CLOEXEC | O_DIRECTORY | O_NOFOLLOW)

/*
 * A directory that others may write is trusted only when it is sticky and
 * root's (as /tmp is): there, others can add names but cannot rename, remove
 * or replace an entry they do not own (sticky bit, unlink(2)/rename(2)).  The
 * entry we look up must then be root's, which every component must be anyway:
 * a name a user planted in /tmp is the user's and is refused.  What a user can
 * still put there is a hard link to a file of root's, when
 * fs.protected_hardlinks is off: so a file in such a directory must have a
 * single link (see check_file).  A group-writable directory that is not sticky
 * lets the group swap any entry, root's included: refused.
 */
static int sticky_ok(const struct stat *st)
{
    return (st->st_mode & S_ISVTX) && st->st_uid == 0;
}

static int refuse(struct atmos_err *err, const char *file, const char *dir, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
static int refuse(struct atmos_err *err, const char *file, const char *dir, const char *fmt, ...)
{
    char reason[128];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(reason, sizeof(reason), fmt, ap);
    va_end(ap);
    if (dir == NULL)
        return atmos_fail(err, ATMOS_EREFUSED, "%s: not read as root: %s", file, reason);
    return atmos_fail(err, ATMOS_EREFUSED, "%s: not read as root: its directory %s %s", file, dir,
                      reason);
}

/* A directory on the way down: root's, and no one else can change its entries. */
static int check_dir(const struct stat *st, const char *file, const char *dir,
                     struct atmos_err *err)
{
    if (st->st_uid != 0)
        return refuse(err, file, dir, "is owned by uid %lu", (unsigned long)st->st_uid);
    if ((st->st_mode & (S_IWGRP | S_IWOTH)) && !sticky_ok(st))
        return refuse(err, file, dir, "is writable by group or others");
    return ATMOS_OK;
}

/* The file itself, given the directory that holds it. */
static int check_file(const struct stat *st, const struct stat *parent, const char *file,
                      struct atmos_err *err)
{
    if (st->st_uid != 0)
        return refuse(err, file, NULL, "owned by uid %lu", (unsigned long)st->st_uid);
    if (st->st_mode & (S_IWGRP | S_IWOTH))
        return refuse(err, file, NULL, "writable by group or others");
    /* In a sticky directory a second link may be a user's hard link to a file of root's. */
    if ((parent->st_mode & (S_IWGRP | S_IWOTH)) && S_ISREG(st->st_mode) && st->st_nlink != 1)
        return refuse(err, file, NULL, "has %lu links in a directory others can write",
                      (unsigned long)st->st_nlink);
    return ATMOS_OK;
}

/* Why openat of `name` failed: a symbolic link is refused, absence is ENOCONFIG. */
static int open_failed(int dfd, const char *name, const char *file, const char *dir, int e,
                       struct atmos_err *err)
{
    struct stat st;
    if ((e == ELOOP || e == ENOTDIR) && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
        S_ISLNK(st.st_mode))
        return dir ? refuse(err, file, dir, "is a symbolic link")
                   : refuse(err, file, NULL, "it is a symbolic link");
    return atmos_fail(err, e == ENOENT || e == ENOTDIR ? ATMOS_ENOCONFIG : ATMOS_ESYS, "%s: %s",
                      file, strerror(e));
}

/*
 * The checked entry dfd/name (st, held by *pfd as O_PATH) opened for reading:
 * a regular file or a directory, and the same inode that was checked.  Any
 * other type keeps the O_PATH descriptor, which fstat answers and read
 * refuses: the callers name the type.
 */
static int reopen(int dfd, const char *name, const struct stat *st, int *pfd, int *fd,
                  const char *file, struct atmos_err *err)
{
    struct stat now;
    if (!S_ISREG(st->st_mode) && !S_ISDIR(st->st_mode)) {
        *fd = *pfd, *pfd = -1;
        return ATMOS_OK;
    }
    int flags = S_ISDIR(st->st_mode) ? O_RDONLY | O_CLOEXEC | O_DIRECTORY : FILE_FLAGS;
    *fd = openat(dfd, name, flags | O_NOFOLLOW);
    if (*fd < 0)
        return open_failed(dfd, name, file, NULL, errno, err);
    if (fstat(*fd, &now) == 0 && now.st_dev == st->st_dev && now.st_ino == st->st_ino)
        return ATMOS_OK;
    close(*fd);
    *fd = -1;
    return refuse(err, file, NULL, "it changed while it was checked");
}

/* --- the directories already checked in this load (struct atmos_trust) -------- */

void atmos_trust_release(struct atmos_trust *t)
{
    if (t)
        atmos_dirstack_release(&t->dirs);
}

/* / opened and checked: the first directory of a walk that has none in t. */
static int walk_root(struct atmos_trust *t, const char *file, int *dfd, struct stat *st, int *owned,
                     struct atmos_err *err)
{
    *dfd = open("/", DIR_FLAGS);
    if (*dfd < 0)
        return atmos_fail(err, ATMOS_ESYS, "/: %s", strerror(errno));
    *owned = 1;
    if (fstat(*dfd, st) != 0)
        return atmos_fail(err, ATMOS_ESYS, "/: %s", strerror(errno));
    int rc = check_dir(st, file, "/", err);
    if (rc == ATMOS_OK && t && atmos_dirstack_keep(&t->dirs, "", 0, *dfd, st))
        *owned = 0;
    return rc;
}

static int dir_ok(const struct atmos_walk *w, const struct stat *st, const char *shown,
                  struct atmos_err *err)
{
    return check_dir(st, w->arg, shown, err);
}

static int dir_failed(const struct atmos_walk *w, int dfd, const char *name, const char *shown,
                      int e, struct atmos_err *err)
{
    return open_failed(dfd, name, w->arg, shown, e, err);
}

static int too_long(const struct atmos_walk *w, const char *path, const char *what,
                    struct atmos_err *err)
{
    (void)path;
    return atmos_fail(err, ATMOS_EINVAL, "%s: %s", (const char *)w->arg, what);
}

/* MUST 1: the last name is looked at without following a link and checked before it is
 * opened for reading, so a device or FIFO planted there is never opened as root (opening
 * one can have effects: a tape rewinds, a modem hangs up). */
static int open_last(int dfd, const char *name, const struct stat *parent, const char *file,
                     int *fd, struct atmos_err *err)
{
    struct stat st;
    int rc, pfd = openat(dfd, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
    if (pfd < 0)
        return open_failed(dfd, name, file, NULL, errno, err);
    if (fstat(pfd, &st) != 0)
        rc = atmos_fail(err, ATMOS_ESYS, "%s: %s", file, strerror(errno));
    else if (S_ISLNK(st.st_mode))
        rc = refuse(err, file, NULL, "it is a symbolic link");
    else
        rc = check_file(&st, parent, file, err);
    if (rc == ATMOS_OK)
        rc = reopen(dfd, name, &st, &pfd, fd, file, err);
    if (pfd >= 0)
        close(pfd);
    return rc;
}

/*
 * The walk of MUST 1-3 over an absolute path `abs`; `file` is the name the
 * user gave, for messages.  *fd is the file's.  The walk starts at the
 * deepest directory of `trust` above abs: checked in this load, by the same
 * rules, and held open since (so it is the same directory).  ".." is opened
 * and checked like any name: reached without links from /, a directory's
 * parent is the one checked.
 */
static int walk(const char *abs, const char *file, struct atmos_trust *trust, int *fd,
                struct atmos_err *err)
{
    struct stat parent;
    int dfd = -1, owned = 0, rc = ATMOS_OK;
    size_t at = 0, last = (size_t)(strrchr(abs, '/') - abs);
    const struct atmos_walk w = {.dirs = trust ? &trust->dirs : NULL,
                                 .open_flags = DIR_FLAGS,
                                 .dotdot = 1,
                                 .keep_last = 1,
                                 .check = dir_ok,
                                 .failed = dir_failed,
                                 .refused = too_long,
                                 .arg = file};
    const struct atmos_dirstack_entry *up =
        trust ? atmos_dirstack_above(&trust->dirs, abs, strlen(abs)) : NULL;
    if (up) {
        dfd = up->fd, parent = up->st;
        at = up->len;
    } else {
        rc = walk_root(trust, file, &dfd, &parent, &owned, err);
    }
    if (rc == ATMOS_OK)
        rc = atmos_walk_down(&w, abs, at, last, &dfd, &owned, &parent, err);
    if (rc == ATMOS_OK)
        rc = open_last(dfd, abs + last + 1, &parent, file, fd, err);
    if (owned)
        close(dfd);
    return rc;
}

/*
 * Open a configuration file for reading (*fd; -1 on failure).  As root,
 * ATMOS_EREFUSED with err naming the file and the reason when it or a
 * directory above it is not root's or others can write it.  ATMOS_ENOCONFIG
 * when it does not exist.  `trust` (may be NULL) carries checked directories
 * from one call to the next.
 */
static int open_checked(const char *path, struct atmos_trust *trust, int *fd, struct atmos_err *err)
{
    *fd = -1;
    if (geteuid() != 0) {
        /* As oneself: one's own files, symbolic links (dotfile managers) included. */
        *fd = open(path, FILE_FLAGS);
        if (*fd >= 0)
            return ATMOS_OK;
        int e = errno;
        return atmos_fail(err, e == ENOENT ? ATMOS_ENOCONFIG : ATMOS_ESYS, "%s: %s", path,
                          strerror(e));
    }
    /* A relative --config is read from the current directory, which the walk must cover too. */
    char cwd[PATH_MAX], *abs;
    if (path[0] == '/')
        abs = strdup(path);
    else if (getcwd(cwd, sizeof(cwd)) != NULL)
        abs = atmos_path_join(cwd, path);
    else
        return atmos_fail(err, ATMOS_ESYS, "%s: the current directory: %s", path, strerror(errno));
    if (abs == NULL)
        return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    int rc = walk(abs, path, trust, fd, err);
    free(abs);
    return rc;
}

int atmos_config_open_dir(const char *path, struct atmos_trust *trust, int *fd,
                          struct atmos_err *err)
{
    struct stat st;
    int rc = open_checked(path, trust, fd, err);
    if (rc != ATMOS_OK)
        return rc;
    if (fstat(*fd, &st) == 0 && S_ISDIR(st.st_mode))
        return ATMOS_OK;
    close(*fd);
    *fd = -1;
    return atmos_fail(err, ATMOS_ENOCONFIG, "%s: not a directory", path);
}

/*
 * A regular file of at most ATMOS_CONFIG_MAX_BYTES, opened as
 * open_checked does.  A FIFO or device is refused before a read can
 * block; the reader still stops past the limit (the file may grow).
 */
int atmos_config_open_file(const char *path, struct atmos_trust *trust, int *fd,
                           struct atmos_err *err)
{
    struct stat st;
    int rc = open_checked(path, trust, fd, err);
    if (rc != ATMOS_OK)
        return rc;
    if (fstat(*fd, &st) != 0)
        rc = atmos_fail(err, ATMOS_ESYS, "%s: %s", path, strerror(errno));
    else if (!S_ISREG(st.st_mode))
        rc = atmos_fail(err, ATMOS_ESYS, "%s: not a regular file", path);
    else if (st.st_size > (off_t)ATMOS_CONFIG_MAX_BYTES)
        rc = atmos_fail(err, ATMOS_ESYS, "%s: file is larger than %u bytes", path,
                        ATMOS_CONFIG_MAX_BYTES);
    if (rc != ATMOS_OK) {
        close(*fd);
        *fd = -1;
    }
    return rc;
}

/*
 * The locks the tools whose files we change take, taken as they take them:
 * atmos's flock on <file>.lock, msal-extensions' <file>.lockfile, and
 * client-go's exclusive <file>.lock.
 *
 * MUST: open a lock file only below a directory walked by safefs, never
 * following a link, and use it only when it is a regular file of the user's.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <sys/file.h>
#include <unistd.h>

#include "base/strings.h"
#include "fs/safefs.h"

/* Open (creating 0600 unless `excl` says it exists) and check a lock file of ours. */
static int open_lock(const struct atmos_fs *fs, int dirfd, const char *name, const char *shown,
                     int flags, int *out, struct atmos_err *why)
{
    int fd =
        openat(dirfd, name, O_RDWR | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY | flags, 0600);
    if (fd < 0)
        return errno == EEXIST ? ATMOS_BUSY : atmos_fs_say(why, "%s: %s", shown, strerror(errno));
    struct stat st;
    if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != fs->uid) {
        close(fd);
        return atmos_fs_say(why, "%s is not a regular file of uid %lu; not touched", shown,
                            (unsigned long)fs->uid);
    }
    *out = fd;
    return ATMOS_OK;
}

/* flock fd, retrying until timeout_ms (0: one try, ATMOS_BUSY); closes fd on failure. */
static int flock_wait(int fd, const char *shown, int timeout_ms, long long start_ms,
                      struct atmos_err *why)
{
    for (;;) {
        if (flock(fd, LOCK_EX | LOCK_NB) == 0)
            return ATMOS_OK;
        if (errno != EWOULDBLOCK && errno != EINTR) {
            int e = errno;
            close(fd);
            return atmos_fs_say(why, "%s: %s", shown, strerror(e));
        }
        if (timeout_ms == 0 && errno == EWOULDBLOCK) {
            close(fd);
            return ATMOS_BUSY;
        }
        if (atmos_now_ms() - start_ms >= timeout_ms) {
            close(fd);
            return atmos_fs_say(why, "timed out after %d.%d s waiting for the lock %s",
                                timeout_ms / 1000, (timeout_ms % 1000) / 100, shown);
        }
        atmos_nap_ms(20);
    }
}

/* A lock file's name beside `leaf`, and its path for messages. */
struct lock_name {
    char name[NAME_MAX + 1];
    char shown[PATH_MAX + sizeof(".lockfile")];
};

static int lock_name(struct lock_name *n, const char *leaf, const char *path, const char *suffix,
                     struct atmos_err *why)
{
    if (atmos_fs_lock_name(n->name, leaf, suffix) != ATMOS_OK)
        return atmos_fs_say(why, "%s: name too long", path);
    snprintf(n->shown, sizeof(n->shown), "%s%s", path, suffix);
    return ATMOS_OK;
}

int atmos_fs_lock_name(char out[NAME_MAX + 1], const char *leaf, const char *suffix)
{
    int n = snprintf(out, NAME_MAX + 1, "%s%s", leaf, suffix);
    return n >= 0 && n <= NAME_MAX ? ATMOS_OK : ATMOS_EINVAL;
}

/* Remove the lock file `<leaf><suffix>` we created and hold (lockfd), and let it go. */
static void unlock_removing(int dirfd, const char *leaf, const char *suffix, int lockfd)
{
    char name[NAME_MAX + 1];
    if (lockfd < 0)
        return;
    if (atmos_fs_lock_name(name, leaf, suffix) == ATMOS_OK)
        unlinkat(dirfd, name, 0);
    close(lockfd);
}

int atmos_fs_lock(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                  int timeout_ms, int *lockfd, struct atmos_err *why)
{
    struct lock_name n;
    int fd = -1;
    int rc = lock_name(&n, leaf, path, ".lock", why);
    if (rc == ATMOS_OK)
        rc = open_lock(fs, dirfd, n.name, n.shown, O_CREAT, &fd, why);
    if (rc != ATMOS_OK)
        return rc;
    if ((rc = flock_wait(fd, n.shown, timeout_ms, atmos_now_ms(), why)) == ATMOS_OK)
        *lockfd = fd;
    return rc;
}

/* How long the writers of such lock files wait for one to go before taking it over. */
#define LOCKFILE_TAKEOVER_MS 5000

int atmos_fs_lock_lockfile(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                           int timeout_ms, int *lockfd, struct atmos_err *why)
{
    struct lock_name n;
    int fd = -1, rc = lock_name(&n, leaf, path, ".lockfile", why);
    if (rc != ATMOS_OK)
        return rc;
    long long start = atmos_now_ms();
    int wait = timeout_ms < LOCKFILE_TAKEOVER_MS ? timeout_ms : LOCKFILE_TAKEOVER_MS;
    /* Whoever holds it created it and removes it on release; a crashed
     * holder leaves it behind, and then it is taken over after the wait, as
     * its writers themselves do. */
    while ((rc = open_lock(fs, dirfd, n.name, n.shown, O_CREAT | O_EXCL, &fd, why)) ==
               ATMOS_BUSY &&
           atmos_now_ms() - start < wait)
        atmos_nap_ms(50);
    if (rc == ATMOS_BUSY)
        rc = open_lock(fs, dirfd, n.name, n.shown, 0, &fd, why);
    if (rc != ATMOS_OK)
        return rc;
    if ((rc = flock_wait(fd, n.shown, timeout_ms, start, why)) == ATMOS_OK)
        *lockfd = fd;
    return rc;
}

void atmos_fs_unlock_lockfile(int dirfd, const char *leaf, int lockfd)
{
    unlock_removing(dirfd, leaf, ".lockfile", lockfd);
}

int atmos_fs_lock_exclusive(const struct atmos_fs *fs, int dirfd, const char *leaf,
                            const char *path, int *lockfd, struct atmos_err *why)
{
    struct lock_name n;
    int rc = lock_name(&n, leaf, path, ".lock", why);
    if (rc != ATMOS_OK)
        return rc;
    /* No wait and no takeover: client-go's writers fail at once on a lock that exists, and a
     * stale one is for the user to judge (kubectl says the same). */
    rc = open_lock(fs, dirfd, n.name, n.shown, O_CREAT | O_EXCL, lockfd, why);
    if (rc == ATMOS_BUSY) {
        atmos_fail(why, ATMOS_BUSY, "%s exists: another program is writing %s; left as it is",
                   n.shown, path);
        return ATMOS_ESYS;
    }
    return rc;
}

void atmos_fs_unlock_exclusive(int dirfd, const char *leaf, int lockfd)
{
    unlock_removing(dirfd, leaf, ".lock", lockfd);
}

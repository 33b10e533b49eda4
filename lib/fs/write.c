/*
 * Writing under a user's home: a new version staged beside the file and
 * renamed over it (atomic), the directories changed synced once at the end,
 * and the temporaries a killed run left cleaned.
 *
 * MUST: write only through descriptors of directories safefs walked; never
 * follow a link; keep the replaced file's owner and mode.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>

#include "base/strings.h"
#include "fs/safefs.h"

#define TEMP_INFIX ".atmos-tmp."

static int write_all(int fd, const char *p, size_t len)
{
    while (len > 0) {
        ssize_t n = write(fd, p, len);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            return ATMOS_ESYS;
        p += n;
        len -= (size_t)n;
    }
    return 0;
}

static void unstage(int dirfd, struct atmos_fs_staged *st)
{
    if (st->fd < 0)
        return;
    close(st->fd);
    st->fd = -1;
    unlinkat(dirfd, st->name, 0);
}

/* The staged file st (created, empty) given data and orig's mode; unstaged on failure. */
static int fill(int dirfd, const char *path, const void *data, size_t len, const struct stat *orig,
                struct atmos_fs_staged *st, struct atmos_err *why)
{
    if (write_all(st->fd, data, len) != 0 || fchmod(st->fd, orig->st_mode & 07777) != 0) {
        atmos_fs_say(why, "%s: cannot write the new contents: %s", path, strerror(errno));
        unstage(dirfd, st);
        return ATMOS_ESYS;
    }
    /*
     * Only a hint, errors ignored: start writing now, so that when several
     * files are staged the first fsync commits them all and the later ones
     * find their data already on disk.  atmos_fs_commit's fsync decides.
     */
    (void)sync_file_range(st->fd, 0, 0, SYNC_FILE_RANGE_WRITE);
    return ATMOS_OK;
}

int atmos_fs_stage(int dirfd, const char *leaf, const char *path, const void *data, size_t len,
                   const struct stat *orig, struct atmos_fs_staged *st, struct atmos_err *why)
{
    unsigned char rnd[8];
    st->fd = -1;
    if (getrandom(rnd, sizeof(rnd), 0) != (ssize_t)sizeof(rnd))
        return atmos_fs_say(why, "%s: no randomness for a temporary name: %s", path,
                            strerror(errno));
    snprintf(st->name, sizeof(st->name), ".%s" TEMP_INFIX "%02x%02x%02x%02x%02x%02x%02x%02x", leaf,
             rnd[0], rnd[1], rnd[2], rnd[3], rnd[4], rnd[5], rnd[6], rnd[7]);
    st->fd = openat(dirfd, st->name, O_WRONLY | O_CREAT | O_EXCL | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (st->fd < 0)
        return atmos_fs_say(why, "%s: cannot create a temporary file: %s", path, strerror(errno));
    return fill(dirfd, path, data, len, orig, st, why);
}

int atmos_fs_stage_into(int dirfd, int fd, const char *name, const char *path, const void *data,
                        size_t len, const struct stat *orig, struct atmos_fs_staged *st,
                        struct atmos_err *why)
{
    st->fd = fd;
    if (snprintf(st->name, sizeof(st->name), "%s", name) >= (int)sizeof(st->name)) {
        unstage(dirfd, st);
        return atmos_fs_say(why, "%s: name too long", path);
    }
    return fill(dirfd, path, data, len, orig, st, why);
}

int atmos_fs_commit(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                    const struct stat *orig, struct atmos_fs_staged *st, struct atmos_err *why)
{
    /* The contents must reach the disk before the rename makes them the file. */
    int bad = fsync(st->fd) != 0;
    int e = errno;
    if (close(st->fd) != 0 && !bad) {
        bad = 1;
        e = errno;
    }
    st->fd = -1;
    if (bad) {
        atmos_fs_say(why, "%s: cannot write the new contents: %s", path, strerror(e));
        goto done;
    }
    /* Only replace the file we read: an unlocked writer may have renamed over it. */
    struct stat now;
    if (atmos_fs_check(fs, dirfd, leaf, path, S_IFREG, &now, why) != ATMOS_OK ||
        now.st_ino != orig->st_ino || now.st_dev != orig->st_dev) {
        atmos_fs_say(why, "%s changed while being rewritten; left as it is", path);
        goto done;
    }
    if (renameat(dirfd, st->name, dirfd, leaf) != 0) {
        atmos_fs_say(why, "%s: cannot replace: %s", path, strerror(errno));
        goto done;
    }
    /* The caller syncs the directory once all its renames are done (atmos_fs_sync_dirs). */
    return ATMOS_OK;
done:
    unlinkat(dirfd, st->name, 0);
    return ATMOS_ESYS;
}

int atmos_fs_note_dir(struct atmos_dirsync *ds, int dirfd, void *owner)
{
    struct stat st;
    if (fstat(dirfd, &st) != 0)
        return ATMOS_ESYS;
    for (size_t i = 0; i < ds->n; i++)
        if (ds->v[i].dev == st.st_dev && ds->v[i].ino == st.st_ino) {
            if (ds->v[i].nowners < sizeof(ds->v[i].owners) / sizeof(*ds->v[i].owners))
                ds->v[i].owners[ds->v[i].nowners++] = owner;
            return 0;
        }
    struct atmos_dirsync_entry *v = realloc(ds->v, (ds->n + 1) * sizeof(*v));
    if (v == NULL)
        return ATMOS_ENOMEM;
    ds->v = v;
    int fd = dup(dirfd);
    if (fd < 0)
        return ATMOS_ESYS;
    v[ds->n] = (struct atmos_dirsync_entry){fd, st.st_dev, st.st_ino, {owner}, 1};
    ds->n++;
    return 0;
}

void atmos_fs_sync_dirs(struct atmos_dirsync *ds, void (*failed)(void *owner, int err))
{
    for (size_t i = 0; i < ds->n; i++) {
        if (fsync(ds->v[i].fd) != 0)
            for (size_t k = 0; k < ds->v[i].nowners; k++)
                failed(ds->v[i].owners[k], errno);
        close(ds->v[i].fd);
    }
    free(ds->v);
    ds->v = NULL;
    ds->n = 0;
}

void atmos_fs_clean_temps(const struct atmos_fs *fs, int dirfd, const char *leaf)
{
    char prefix[300];
    int plen = snprintf(prefix, sizeof(prefix), ".%s" TEMP_INFIX, leaf);
    int fd = openat(dirfd, ".", O_RDONLY | O_DIRECTORY | O_CLOEXEC);
    if (fd < 0 || plen >= (int)sizeof(prefix))
        goto out;
    DIR *d = fdopendir(fd);
    if (d == NULL)
        goto out;
    fd = -1;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        struct stat st;
        if (strncmp(de->d_name, prefix, (size_t)plen) != 0)
            continue;
        if (fstatat(dirfd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) == 0 && S_ISREG(st.st_mode) &&
            st.st_uid == fs->uid)
            unlinkat(dirfd, de->d_name, 0);
    }
    closedir(d);
out:
    if (fd >= 0)
        close(fd);
}

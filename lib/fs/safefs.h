/*
 * Descriptor-based access to paths under a user's home.
 *
 * Every function returns an atmos_status (atmos/error.h): ATMOS_OK,
 * ATMOS_ABSENT (something on the way does not exist: nothing to do) or
 * ATMOS_ESYS with `why` filled in (a sentence naming the path and the
 * reason, no file contents).
 */
#ifndef ATMOS_SAFEFS_H
#define ATMOS_SAFEFS_H

#include <stddef.h>
#include <limits.h>
#include <sys/stat.h>
#include <sys/types.h>

#include <atmos/error.h>

#include "fs/dirstack.h"
#include "base/strings.h"

struct atmos_dir_rule;

/*
 * Fill in `why` and return ATMOS_ESYS: how every safefs function explains a
 * refusal or a failure (the engine's one error carrier, atmos_fail).
 */
#define atmos_fs_say(why, ...) atmos_fail((why), ATMOS_ESYS, __VA_ARGS__)

/*
 * What one run of a plan remembers of the directories it walked (a run
 * removes, it never creates a directory):
 *  - the last one found missing: every later path below it is absent without
 *    a walk;
 *  - the directories above the last one opened, kept open: the next walk
 *    below them starts at the deepest, opened and checked by the same rules
 *    (docs/design.md, "Measured", says what each saves).
 * atmos_fs_memo_release closes them at the end of the run.
 */
struct atmos_fs_memo {
    char absent[4096]; /* "" none yet */
    size_t absent_len;
    struct atmos_dirstack dirs;
};
void atmos_fs_memo_release(struct atmos_fs_memo *m);

struct atmos_fs {
    const char *home;           /* trusted anchor: opened by path, everything below by descriptor */
    uid_t uid;                  /* owner required of everything we change */
    struct atmos_fs_memo *memo; /* NULL: nothing remembered (outside a plan's run) */
};

/* Open directory `path` (absolute) component by component. */
int atmos_fs_open_dir(const struct atmos_fs *fs, const char *path, int *fd, struct atmos_err *why);
/* Open the parent of `path`; *leaf points at the last component inside `path`. */
int atmos_fs_open_parent(const struct atmos_fs *fs, const char *path, int *fd, const char **leaf,
                         struct atmos_err *why);
/* lstat the leaf: it must be of `type` (S_IFREG or S_IFDIR) and owned by fs->uid. */
int atmos_fs_check(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                   mode_t type, struct stat *st, struct atmos_err *why);
/* Read a regular file of at most `max` bytes without following a symlink. */
int atmos_fs_read(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                  size_t max, struct atmos_buf *out, struct stat *st, struct atmos_err *why);
int atmos_fs_unlink(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                    struct atmos_err *why);
/*
 * Remove a directory and everything below it, never leaving it through a link;
 * at most 64 levels and, shared with the caller's walk, *left entries (at
 * most ATMOS_FS_MAX_ENTRIES: a browser profile holds thousands; millions
 * would hold a logout for minutes).  Past either bound it stops and says so
 * (ATMOS_ESYS): what it removed stays removed.
 */
#define ATMOS_FS_MAX_ENTRIES 100000
int atmos_fs_rmtree_within(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                           size_t *left, struct atmos_err *why);

/* What atmos_fs_remove_declared left, and took; the first ATMOS_FS_KEPT_NAMES kept are named. */
#define ATMOS_FS_KEPT_NAMES 3
struct atmos_fs_kept {
    size_t kept;     /* entries the rule does not declare: left as they are */
    size_t removed;  /* declared entries removed (in a dry run: that would be) */
    char names[320]; /* the first kept ones, relative to the directory: "notes.txt, old/" */
};

/*
 * Remove from the directory dirfd/leaf the entries `rule` declares (fs/declared.c),
 * and then the directory when nothing else is in it.  ATMOS_OK: the
 * directory is gone (dry run: would be); ATMOS_KEPT: something the rule
 * does not declare is there, stays, and so does the directory (*kept says
 * what); ATMOS_ABSENT; ATMOS_ESYS with `why`.  A dry run changes nothing.
 */
int atmos_fs_remove_declared(const struct atmos_fs *fs, int dirfd, const char *leaf,
                             const char *path, const struct atmos_dir_rule *rule, int dry_run,
                             struct atmos_fs_kept *kept, struct atmos_err *why);
/* The entry of `rule` that declares `name` of type `mode` (S_IFREG, S_IFDIR), or NULL. */
const struct atmos_dir_entry *atmos_dir_rule_entry(const struct atmos_dir_rule *rule,
                                                   const char *name, mode_t mode);
/* rmdir when empty; ATMOS_ABSENT when missing or not empty. */
int atmos_fs_rmdir_if_empty(int dirfd, const char *leaf);

/* `<leaf><suffix>`, the name of a lock file beside leaf: ATMOS_EINVAL when too long. */
int atmos_fs_lock_name(char out[NAME_MAX + 1], const char *leaf, const char *suffix);

/*
 * Take the exclusive flock on `<leaf>.lock` (created 0600 if missing),
 * retrying until `timeout_ms`; with 0, one try and ATMOS_BUSY when another
 * process holds it.  *lockfd is closed by the caller to release.
 */
int atmos_fs_lock(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                  int timeout_ms, int *lockfd, struct atmos_err *why);

/*
 * The lock some tools take on a file they share (a JSON rule's `lockfile`,
 * declared by the cloud whose tool does): the file `<leaf>.lockfile`,
 * created exclusively (a leftover is taken over after 5 s, as those tools
 * do) and flock'ed.  atmos_fs_unlock_lockfile removes it and releases the lock.
 */
int atmos_fs_lock_lockfile(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                           int timeout_ms, int *lockfd, struct atmos_err *why);
void atmos_fs_unlock_lockfile(int dirfd, const char *leaf, int lockfd);

/*
 * client-go's lock on a kubeconfig: `<leaf>.lock` created exclusively, once
 * (ATMOS_BUSY with `why` when it exists: another program is writing the
 * file).  atmos_fs_unlock_exclusive removes it.
 */
int atmos_fs_lock_exclusive(const struct atmos_fs *fs, int dirfd, const char *leaf,
                            const char *path, int *lockfd, struct atmos_err *why);
void atmos_fs_unlock_exclusive(int dirfd, const char *leaf, int lockfd);

/*
 * Atomic replace of `leaf`, in two steps so that several files can be made
 * durable together:
 *  - atmos_fs_stage writes `data` to a 0600 O_EXCL temporary in the same
 *    directory with `orig`'s mode (nothing is durable or visible yet);
 *  - atmos_fs_commit fsyncs it and renames it over `leaf`, unless `leaf` is
 *    no longer the inode described by `orig` (then the original stays).
 * The temporary is gone after a failed stage and after commit, whatever the
 * outcome; the caller syncs the directory afterwards (atmos_fs_note_dir).
 */
struct atmos_fs_staged {
    int fd; /* the temporary, -1 when none */
    char name[320];
};

int atmos_fs_stage(int dirfd, const char *leaf, const char *path, const void *data, size_t len,
                   const struct stat *orig, struct atmos_fs_staged *st, struct atmos_err *why);
/*
 * The same staged in a file we created empty and exclusively and hold open
 * (fd, `name` in dirfd): client-go's `<file>.lock`, which the commit's rename
 * then makes the file, so the new contents appear and the lock goes at one
 * instant, and no second file is created.  fd is the staged file's from here
 * on: closed, and `name` removed, on any failure.
 */
int atmos_fs_stage_into(int dirfd, int fd, const char *name, const char *path, const void *data,
                        size_t len, const struct stat *orig, struct atmos_fs_staged *st,
                        struct atmos_err *why);
int atmos_fs_commit(const struct atmos_fs *fs, int dirfd, const char *leaf, const char *path,
                    const struct stat *orig, struct atmos_fs_staged *st, struct atmos_err *why);

/*
 * Directories whose entries were renamed, synced once each at the end of a
 * run (fsync of the directory makes the renames durable).  `owner` is told
 * if its directory could not be synced.
 */
struct atmos_dirsync_entry {
    int fd;
    dev_t dev;
    ino_t ino;
    void *owners[8];
    size_t nowners;
};

struct atmos_dirsync {
    struct atmos_dirsync_entry *v;
    size_t n;
};

/* 0, or -1 when the directory could not be noted (the caller syncs it now). */
int atmos_fs_note_dir(struct atmos_dirsync *ds, int dirfd, void *owner);
void atmos_fs_sync_dirs(struct atmos_dirsync *ds, void (*failed)(void *owner, int err));

/* Remove temporaries a killed run left for `leaf` (caller holds the lock). */
void atmos_fs_clean_temps(const struct atmos_fs *fs, int dirfd, const char *leaf);

#endif

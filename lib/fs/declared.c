/*
 * Removing a directory only as far as a rule says what in it belongs to the
 * tool that wrote it: a provider directory, a gcloud configuration directory.
 * Which names a directory may hold is the clouds' knowledge (lib/cloud_*.c);
 * this file only walks and matches.  Everything else is left, and reported.
 *
 * MUST, on top of fs/safefs.c's list:
 *  - never remove an entry the rule does not declare, nor the directory that
 *    holds one: a configuration that names ~/Documents removes nothing of it;
 *  - take a declared file only when it is a regular file of the user's (a
 *    symlink, FIFO or another user's file under a declared name stays), a
 *    declared link only when it is a symlink of the user's, removed as a link
 *    (unlinkat never follows it: its target, wherever it points, is untouched);
 *  - open each directory with openat(O_NOFOLLOW|O_DIRECTORY) relative to the
 *    descriptor of its checked parent, and check with fstat that it is the
 *    directory that was checked;
 *  - remove by unlinkat relative to that descriptor, never by path;
 *  - in a dry run, walk the same way and change nothing.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include <atmos/plan.h>

#include "fs/safefs.h"

/* Rules nest a few levels (gcp/<provider>/config/<identity>/); this only bounds a bad rule. */
#define MAX_RULE_DEPTH 8

struct walk {
    const struct atmos_fs *fs;
    size_t left; /* entries the whole walk may still look at (ATMOS_FS_MAX_ENTRIES) */
    int dry_run;
    struct atmos_fs_kept *kept;
    struct atmos_err *why;
};

/* '*': one or more characters; '#': one or more decimal digits; the rest literal. */
static int match(const char *p, const char *s)
{
    if (*p == '\0')
        return *s == '\0';
    if (*p == '*') {
        for (const char *t = s + 1; t <= s + strlen(s) && *s; t++)
            if (match(p + 1, t))
                return 1;
        return 0;
    }
    if (*p == '#') {
        const char *t = s;
        while (*t >= '0' && *t <= '9')
            if (match(p + 1, ++t))
                return 1;
        return 0;
    }
    return *p == *s && match(p + 1, s + 1);
}

/* The rule's entry for `name` of type `mode`, or NULL: not the tool's. */
static const struct atmos_dir_entry *declared(const struct atmos_dir_rule *rule, const char *name,
                                              mode_t mode)
{
    for (const struct atmos_dir_entry *e = rule->entries; e && e->name; e++) {
        int type_ok = e->type == ATMOS_DIR_FILE   ? S_ISREG(mode)
                      : e->type == ATMOS_DIR_LINK ? S_ISLNK(mode)
                                                  : S_ISDIR(mode);
        if (type_ok && match(e->name, name))
            return e;
    }
    return NULL;
}

const struct atmos_dir_entry *atmos_dir_rule_entry(const struct atmos_dir_rule *rule,
                                                   const char *name, mode_t mode)
{
    return declared(rule, name, mode);
}

static void note_kept(struct walk *w, const char *rel, int is_dir)
{
    struct atmos_fs_kept *k = w->kept;
    if (k->kept++ >= ATMOS_FS_KEPT_NAMES)
        return;
    size_t used = strlen(k->names);
    snprintf(k->names + used, sizeof(k->names) - used, "%s%s%s", used ? ", " : "", rel,
             is_dir ? "/" : "");
}

static int clean_dir(struct walk *w, int pfd, const char *leaf, const char *path, const char *rel,
                     const struct atmos_dir_rule *rule, int depth);

/* One entry of a directory being cleaned: 0, or ATMOS_ESYS (why says it). */
static int clean_entry(struct walk *w, int dfd, const char *name, const char *path, const char *rel,
                       const struct atmos_dir_rule *rule, int depth)
{
    char sub[4096], subrel[1024];
    struct stat st;
    snprintf(sub, sizeof(sub), "%s/%s", path, name);
    snprintf(subrel, sizeof(subrel), "%s%s%s", rel, *rel ? "/" : "", name);
    if (fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) != 0)
        return errno == ENOENT ? 0 : atmos_fs_say(w->why, "%s: %s", sub, strerror(errno));
    const struct atmos_dir_entry *e = declared(rule, name, st.st_mode);
    /* Not the tool's, or not the user's: left as it is, and said. */
    int leafy = e && (e->type == ATMOS_DIR_FILE || e->type == ATMOS_DIR_LINK);
    if (e == NULL || (leafy && st.st_uid != w->fs->uid)) {
        note_kept(w, subrel, S_ISDIR(st.st_mode));
        return 0;
    }
    int rc;
    if (e->type == ATMOS_DIR_NESTED) {
        rc = clean_dir(w, dfd, name, sub, subrel, e->sub, depth + 1);
        return rc == ATMOS_ESYS ? rc : 0;
    }
    if (e->type == ATMOS_DIR_LINK) {
        /* Checked above by lstat; a link swapped in since is still only a name removed. */
        rc = w->dry_run || unlinkat(dfd, name, 0) == 0 || errno == ENOENT
                 ? ATMOS_OK
                 : atmos_fs_say(w->why, "%s: %s", sub, strerror(errno));
    } else if (w->dry_run)
        rc = atmos_fs_check(w->fs, dfd, name, sub, e->type == ATMOS_DIR_FILE ? S_IFREG : S_IFDIR,
                            NULL, w->why);
    else if (e->type == ATMOS_DIR_FILE)
        rc = atmos_fs_unlink(w->fs, dfd, name, sub, w->why);
    else
        rc = atmos_fs_rmtree_within(w->fs, dfd, name, sub, &w->left, w->why);
    if (rc == ATMOS_OK)
        w->kept->removed++;
    return rc == ATMOS_ESYS ? rc : 0;
}

/* Open dirfd/leaf, a directory of the user's, and check it is the one lstat saw. */
static int open_checked(const struct walk *w, int pfd, const char *leaf, const char *path,
                        DIR **out)
{
    struct stat st, now;
    int rc = atmos_fs_check(w->fs, pfd, leaf, path, S_IFDIR, &st, w->why);
    if (rc != ATMOS_OK)
        return rc;
    int fd = openat(pfd, leaf, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC | O_NONBLOCK);
    if (fd < 0)
        return errno == ENOENT ? ATMOS_ABSENT
                               : atmos_fs_say(w->why, "%s: %s", path, strerror(errno));
    if (fstat(fd, &now) != 0 || now.st_dev != st.st_dev || now.st_ino != st.st_ino ||
        now.st_uid != w->fs->uid) {
        close(fd);
        return atmos_fs_say(w->why, "%s changed while being removed; not touched", path);
    }
    if ((*out = fdopendir(fd)) == NULL) {
        int e = errno;
        close(fd);
        return atmos_fs_say(w->why, "%s: %s", path, strerror(e));
    }
    return ATMOS_OK;
}

static int clean_dir(struct walk *w, int pfd, const char *leaf, const char *path, const char *rel,
                     const struct atmos_dir_rule *rule, int depth)
{
    DIR *d = NULL;
    if (depth > MAX_RULE_DEPTH)
        return atmos_fs_say(w->why, "%s: nested more than %d levels; not removed", path,
                            MAX_RULE_DEPTH);
    int rc = open_checked(w, pfd, leaf, path, &d);
    if (rc != ATMOS_OK)
        return rc;
    size_t kept_before = w->kept->kept;
    int failed = 0;
    struct dirent *de;
    while ((de = readdir(d)) != NULL) {
        if (strcmp(de->d_name, ".") == 0 || strcmp(de->d_name, "..") == 0)
            continue;
        /* Bounded as a tree is: a directory of millions of entries is not walked to its end. */
        if (w->left == 0) {
            atmos_fs_say(w->why, "%s: more than %d entries; the rest was left", path,
                         ATMOS_FS_MAX_ENTRIES);
            failed = 1;
            break;
        }
        w->left--;
        if (clean_entry(w, dirfd(d), de->d_name, path, rel, rule, depth) == ATMOS_ESYS)
            failed = 1; /* best-effort: the other entries still go */
    }
    closedir(d);
    if (failed)
        return ATMOS_ESYS;
    if (w->kept->kept > kept_before)
        return ATMOS_KEPT;
    if (w->dry_run)
        return ATMOS_OK;
    if (unlinkat(pfd, leaf, AT_REMOVEDIR) == 0 || errno == ENOENT)
        return ATMOS_OK;
    if (errno == ENOTEMPTY || errno == EEXIST) {
        /* Something was created meanwhile: it is not ours to take. */
        note_kept(w, *rel ? rel : "entries created meanwhile", *rel != '\0');
        return ATMOS_KEPT;
    }
    return atmos_fs_say(w->why, "%s: %s", path, strerror(errno));
}

int atmos_fs_remove_declared(const struct atmos_fs *fs, int dirfd, const char *leaf,
                             const char *path, const struct atmos_dir_rule *rule, int dry_run,
                             struct atmos_fs_kept *kept, struct atmos_err *why)
{
    struct walk w = {fs, ATMOS_FS_MAX_ENTRIES, dry_run, kept, why};
    memset(kept, 0, sizeof(*kept));
    return clean_dir(&w, dirfd, leaf, path, "", rule, 0);
}

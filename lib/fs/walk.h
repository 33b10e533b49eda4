/*
 * Going down an absolute path one directory at a time, by descriptor, never
 * following a link: the one walk of the engine's two trust rules.  What each
 * directory must be (the user's or root's under a home; root's and no one
 * else's for a file root reads) is the caller's policy.
 */
#ifndef ATMOS_FS_WALK_H
#define ATMOS_FS_WALK_H

#include <stddef.h>
#include <sys/stat.h>

#include <atmos/error.h>

#include "fs/dirstack.h"

struct atmos_walk {
    struct atmos_dirstack *dirs; /* directories checked so far, kept open; NULL: none kept */
    int open_flags;              /* each directory's openat flags; O_NOFOLLOW is added */
    int dotdot;                  /* ".." is opened and checked like any name (else refused) */
    int keep_last;               /* the last directory is kept in dirs as well */
    /* ATMOS_OK when the directory `shown` (path so far), as st says, may be walked through. */
    int (*check)(const struct atmos_walk *w, const struct stat *st, const char *shown,
                 struct atmos_err *why);
    /* Why `name` in dirfd did not open (errno e): a status, and why unless it is ABSENT. */
    int (*failed)(const struct atmos_walk *w, int dirfd, const char *name, const char *shown,
                  int e, struct atmos_err *why);
    /* Said of `path` for a refused "..", a name longer than NAME_MAX, a path too long. */
    int (*refused)(const struct atmos_walk *w, const char *path, const char *what,
                   struct atmos_err *why);
    const void *arg; /* the caller's */
};

/*
 * From the directory *fd (path[0..at); *owned: ours to close), each
 * directory named in path[at..upto) in turn.  ATMOS_OK: *fd is the last,
 * *st its fstat, *owned as before (0: dirs keeps it).  Otherwise what the
 * policy said, with nothing left open.
 */
int atmos_walk_down(const struct atmos_walk *w, const char *path, size_t at, size_t upto, int *fd,
                    int *owned, struct stat *st, struct atmos_err *why);

#endif

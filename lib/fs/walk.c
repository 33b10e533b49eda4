/*
 * The walk down a path (fs/walk.h).
 *
 * MUST: open every name with openat(O_NOFOLLOW) from the directory checked
 * before it, fstat what was opened and ask the policy before going on; never
 * look at a path string again once a descriptor stands for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <string.h>
#include <unistd.h>

#include "fs/walk.h"

/* One more directory: `name` below *fd, checked; *fd is it on ATMOS_OK. */
static int step(const struct atmos_walk *w, const char *name, const char *shown, int *fd,
                int *owned, struct stat *st, struct atmos_err *why)
{
    int next = openat(*fd, name, w->open_flags | O_NOFOLLOW);
    if (next < 0)
        return w->failed(w, *fd, name, shown, errno, why);
    if (*owned)
        close(*fd);
    *fd = next, *owned = 1;
    if (fstat(next, st) != 0)
        return w->failed(w, AT_FDCWD, shown, shown, errno, why);
    return w->check(w, st, shown, why);
}

int atmos_walk_down(const struct atmos_walk *w, const char *path, size_t at, size_t upto, int *fd,
                    int *owned, struct stat *st, struct atmos_err *why)
{
    char shown[PATH_MAX], name[NAME_MAX + 1];
    int rc = ATMOS_OK;
    if (upto >= sizeof(shown))
        rc = w->refused(w, path, "the path is too long", why);
    for (size_t i = at; rc == ATMOS_OK && i < upto;) {
        while (i < upto && path[i] == '/')
            i++;
        const char *slash = memchr(path + i, '/', upto - i);
        size_t end = slash ? (size_t)(slash - path) : upto, len = end - i;
        if (len == 0 || (len == 1 && path[i] == '.')) { /* "a//b" and "a/./b" name no new one */
            i = end;
            continue;
        }
        if (len >= sizeof(name) || (!w->dotdot && len == 2 && memcmp(path + i, "..", 2) == 0)) {
            rc = w->refused(w, path, len >= sizeof(name) ? "a name in it is too long" : "'..' is not allowed", why);
            break;
        }
        memcpy(name, path + i, len);
        name[len] = '\0';
        snprintf(shown, sizeof(shown), "%.*s", (int)end, path);
        rc = step(w, name, shown, fd, owned, st, why);
        /* Kept for the next walk below it (the last is the caller's, unless asked). */
        if (rc == ATMOS_OK && (end < upto || w->keep_last) && *owned &&
            atmos_dirstack_keep(w->dirs, path, end, *fd, st))
            *owned = 0;
        i = end;
    }
    if (rc != ATMOS_OK && *owned) {
        close(*fd);
        *owned = 0;
    }
    if (rc != ATMOS_OK)
        *fd = -1;
    return rc;
}

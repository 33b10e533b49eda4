/*
 * Resolving helper= to the program the module will run as the user.
 *
 * MUST:
 * 1. Walk the path once, from "/", one component at a time, each opened
 *    O_PATH|O_NOFOLLOW relative to the descriptor of the directory above it:
 *    no name is looked up twice, so nothing can be swapped between a check
 *    and the exec.
 * 2. Refuse a symlink anywhere (the walk would otherwise follow a link a user
 *    planted in /tmp and may flip at will), and "." or "..".
 * 3. Judge each component by fstat on the descriptor just opened: every
 *    directory root's and writable by no one else, the file a regular file
 *    of root's, writable by no one else, executable.
 * 4. Hand back the file's descriptor: the module execs it (execveat with
 *    AT_EMPTY_PATH), so what was checked is what runs.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "helperpath.h"
#include "hostroot.h"

/*
 * A directory only root can change the entries of.  A sticky one of root's
 * (/tmp) is writable by others, yet none of them can rename or unlink an
 * entry of root's there, and the entry we go on to is itself checked to be
 * root's on its own descriptor (MUST 3): a user's entry there is refused.
 */
static int dir_ok(const struct stat *st)
{
    return S_ISDIR(st->st_mode) && pa_roots(st->st_uid) &&
           (!(st->st_mode & 022) || (st->st_mode & S_ISVTX));
}

static int file_ok(const struct stat *st)
{
    return S_ISREG(st->st_mode) && pa_roots(st->st_uid) && !(st->st_mode & 022) &&
           (st->st_mode & 0111);
}

enum next { NAME_NEXT, NAME_END, NAME_BAD };

/* The next name of the path at *p into `name`, appended to walked (*w bytes of it so far). */
static enum next next_name(const char **p, char name[NAME_MAX + 1], char *walked, size_t *w)
{
    while (**p == '/')
        (*p)++;
    size_t n = strcspn(*p, "/");
    if (n == 0)
        return NAME_END;
    if (n > NAME_MAX || (n == 1 && (*p)[0] == '.') || (n == 2 && (*p)[0] == '.' && (*p)[1] == '.'))
        return NAME_BAD;
    memcpy(name, *p, n);
    name[n] = '\0';
    memcpy(walked + *w, *p, n); /* fits: walked is a prefix of path */
    *w += n;
    walked[*w] = '\0';
    *p += n;
    return NAME_NEXT;
}

enum found { FOUND_DIRECTORY, FOUND_PROGRAM, FOUND_REFUSED };

/* What `walked` (as st says) is on the way to the helper `path`: a refusal is logged. */
static enum found judge(pam_handle_t *pamh, const char *path, const char *walked,
                        const struct stat *st, int last)
{
    if (S_ISLNK(st->st_mode)) { /* MUST 2 */
        pam_syslog(pamh, LOG_ERR, "helper %s: %s is a symbolic link; not run, nothing removed",
                   path, walked);
        return FOUND_REFUSED;
    }
    if (last && !S_ISDIR(st->st_mode)) {
        if (file_ok(st)) /* MUST 3 */
            return FOUND_PROGRAM;
        pam_syslog(pamh, LOG_ERR, "helper %s is not a program of root's alone; nothing removed",
                   path);
        return FOUND_REFUSED;
    }
    if (dir_ok(st))
        return FOUND_DIRECTORY;
    pam_syslog(pamh, LOG_ERR, "helper %s: directory %s is not root's alone; nothing removed", path,
               walked);
    return FOUND_REFUSED;
}

int pa_helper_open(pam_handle_t *pamh, const char *path)
{
    char walked[PATH_MAX], name[NAME_MAX + 1];
    struct stat st;
    int dir = -1, fd = -1, rc = -1;
    size_t w = 0;
    if (path[0] != '/' || strlen(path) >= sizeof(walked)) {
        pam_syslog(pamh, LOG_ERR, "helper %s is not an absolute path; nothing removed", path);
        goto done;
    }
    dir = open("/", O_PATH | O_DIRECTORY | O_CLOEXEC);
    if (dir < 0 || fstat(dir, &st) != 0 || !dir_ok(&st)) {
        pam_syslog(pamh, LOG_ERR, "helper %s: / is not root's alone; nothing removed", path);
        goto done;
    }
    walked[w++] = '/';
    walked[w] = '\0';
    for (const char *p = path; *p;) {
        enum next got = next_name(&p, name, walked, &w);
        if (got == NAME_END)
            break; /* a trailing slash */
        if (got == NAME_BAD) {
            pam_syslog(pamh, LOG_ERR, "helper %s: a component is \".\", \"..\" or too long; "
                       "nothing removed", path);
            goto done;
        }
        int last = p[strspn(p, "/")] == '\0';
        /* MUST 1: relative to the directory checked just before; a symlink is opened, not followed. */
        fd = openat(dir, name, O_PATH | O_NOFOLLOW | O_CLOEXEC);
        if (fd < 0 && errno == ENOENT) {
            pam_syslog(pamh, LOG_ERR, "helper %s is not installed; nothing removed", path);
            goto done;
        }
        if (fd < 0 || fstat(fd, &st) != 0) {
            pam_syslog(pamh, LOG_ERR, "helper %s: %s: %s; nothing removed", path, walked,
                       strerror(errno));
            goto done;
        }
        enum found f = judge(pamh, path, walked, &st, last);
        if (f == FOUND_PROGRAM) {
            rc = fd; /* MUST 4 */
            fd = -1;
        }
        if (f != FOUND_DIRECTORY)
            goto done;
        close(dir);
        dir = fd;
        fd = -1;
        walked[w++] = '/';
        walked[w] = '\0';
    }
    pam_syslog(pamh, LOG_ERR, "helper %s is a directory; nothing removed", path);
done:
    if (fd >= 0)
        close(fd);
    if (dir >= 0)
        close(dir);
    return rc;
}

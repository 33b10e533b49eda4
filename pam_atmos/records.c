/*
 * Which sessions of a user are open: one empty file per session, named
 * "<pid>.<start time>", in the directory <state_dir>/<uid>.d (default state
 * directory /run/pam_atmos).  A process that died, or whose pid now belongs
 * to a process started at another time, no longer counts, so the records
 * survive crashes: stale entries are pruned at every close.
 *
 * One file per session rather than one list per user: a record is made by
 * creating a name and forgotten by removing it, both atomic, and no record
 * is ever rewritten, so neither a full disk, a short write nor the host's
 * RLIMIT_FSIZE (pam_limits' fsize) can drop another session's record, and
 * there is no cap.  A record that cannot be made is reported, and that
 * session's close then cleans nothing (pam_atmos.c).
 *
 * MUST:
 * 1. The state directory and each user's directory in it are root's, mode
 *    0700, not symlinks (created if missing), checked on their descriptors;
 *    every name is opened relative to them with O_NOFOLLOW.
 * 2. Every change happens under an exclusive flock on the user's directory.
 * 3. Only names of our own form count; nothing else in the directory is
 *    touched.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "hostroot.h"
#include "records.h"

/* Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
unsigned long long pa_process_start(pid_t pid)
{
    char path[64], buf[1024];
    snprintf(path, sizeof(path), "/proc/%ld/stat", (long)pid);
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0)
        return 0;
    ssize_t n = read(fd, buf, sizeof(buf) - 1);
    close(fd);
    if (n <= 0)
        return 0;
    buf[n] = '\0';
    /* The command name may hold spaces and parentheses: fields start after the last ')'. */
    char *p = strrchr(buf, ')');
    for (int field = 2; p && field < 22; field++)
        p = strchr(p + 1, ' ');
    return p ? strtoull(p + 1, NULL, 10) : 0;
}

static int alive(long pid, unsigned long long st)
{
    if (pid <= 0 || pid > INT_MAX || (kill((pid_t)pid, 0) != 0 && errno != EPERM))
        return 0;
    return pa_process_start((pid_t)pid) == st;
}

/* MUST 1: a directory of root's, mode 0700, created if missing, opened at `at`. */
static int open_private_dir(pam_handle_t *pamh, int at, const char *name, const char *shown)
{
    struct stat st;
    if (mkdirat(at, name, 0700) != 0 && errno != EEXIST) {
        pam_syslog(pamh, LOG_ERR, "cannot create %s: %s", shown, strerror(errno));
        return -1;
    }
    int fd = openat(at, name, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (fd < 0 || fstat(fd, &st) != 0 || !pa_roots(st.st_uid) || (st.st_mode & 077)) {
        /* Anyone else who can read or write here could learn or forge sessions. */
        pam_syslog(pamh, LOG_ERR, "%s is not a directory of root's with mode 0700", shown);
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* The user's record directory, locked (MUST 2); -1 when unavailable (logged). */
static int open_locked(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    char name[32], shown[PATH_MAX];
    if (dir[0] != '/') {
        pam_syslog(pamh, LOG_ERR, "state_dir %s is not absolute", dir);
        return -1;
    }
    int top = open_private_dir(pamh, AT_FDCWD, dir, dir);
    if (top < 0)
        return -1;
    snprintf(name, sizeof(name), "%lu.d", (unsigned long)uid);
    snprintf(shown, sizeof(shown), "%s/%s", dir, name);
    int fd = open_private_dir(pamh, top, name, shown);
    close(top);
    while (fd >= 0 && flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            pam_syslog(pamh, LOG_ERR, "cannot lock %s: %s", shown, strerror(errno));
            close(fd);
            return -1;
        }
    }
    return fd;
}

static void my_name(char *buf, size_t len)
{
    pid_t me = getpid();
    snprintf(buf, len, "%ld.%llu", (long)me, pa_process_start(me));
}

int pa_record_open(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    char name[64];
    if (!pa_as_root())
        return -1; /* only root keeps records */
    int dfd = open_locked(pamh, dir, uid);
    if (dfd < 0)
        return -1;
    my_name(name, sizeof(name));
    int fd = openat(dfd, name, O_WRONLY | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0600);
    if (fd < 0)
        pam_syslog(pamh, LOG_ERR, "cannot record the session in %s/%lu.d: %s", dir,
                   (unsigned long)uid, strerror(errno));
    else
        close(fd);
    close(dfd); /* releases the lock */
    return fd < 0 ? -1 : 0;
}

/* A record's name, "<pid>.<start time>"; 0 when it is not one (MUST 3). */
static int parse_name(const char *s, long *pid, unsigned long long *st)
{
    char *end;
    errno = 0;
    *pid = strtol(s, &end, 10);
    if (end == s || *end != '.' || errno)
        return 0;
    const char *t = end + 1;
    *st = strtoull(t, &end, 10);
    return end != t && *end == '\0' && errno == 0;
}

/*
 * Sessions opened by pam_atmos 0.1.0, still running after an upgrade, are in
 * the file <state_dir>/<uid> ("<pid> <start time>" lines): count the live
 * ones, read-only, so their credentials are not removed under them.
 */
static long legacy_sessions(const char *dir, uid_t uid)
{
    char path[PATH_MAX], line[64];
    struct stat st;
    long n = 0;
    snprintf(path, sizeof(path), "%s/%lu", dir, (unsigned long)uid);
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC);
    if (fd < 0)
        return 0;
    FILE *f = fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && pa_roots(st.st_uid) ? fdopen(fd, "r") : NULL;
    if (f == NULL) {
        close(fd);
        return 0;
    }
    while (fgets(line, sizeof(line), f)) {
        long pid;
        unsigned long long start;
        n += sscanf(line, "%ld %llu", &pid, &start) == 2 && alive(pid, start);
    }
    fclose(f);
    return n;
}

int pa_record_close(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    char me[64];
    long others = 0;
    if (!pa_as_root())
        return -1;
    int dfd = open_locked(pamh, dir, uid);
    if (dfd < 0)
        return -1;
    my_name(me, sizeof(me));
    if (unlinkat(dfd, me, 0) != 0 && errno != ENOENT)
        pam_syslog(pamh, LOG_ERR, "cannot forget the session in %s/%lu.d: %s", dir,
                   (unsigned long)uid, strerror(errno));
    int scan = dup(dfd); /* closedir closes its descriptor; the lock stays with dfd */
    DIR *d = scan >= 0 ? fdopendir(scan) : NULL;
    if (d == NULL) {
        pam_syslog(pamh, LOG_ERR, "cannot read %s/%lu.d: %s", dir, (unsigned long)uid,
                   strerror(errno));
        if (scan >= 0)
            close(scan);
        close(dfd);
        return -1;
    }
    struct dirent *e;
    while ((e = readdir(d)) != NULL) {
        long pid;
        unsigned long long st;
        if (!parse_name(e->d_name, &pid, &st))
            continue;
        if (alive(pid, st))
            others++;
        else
            unlinkat(dfd, e->d_name, 0); /* a session that died without a close */
    }
    closedir(d);
    close(dfd);
    others += legacy_sessions(dir, uid);
    return others > INT_MAX ? INT_MAX : (int)others;
}

/*
 * Which sessions of a user are open: one file per uid under the state
 * directory (default /run/pam_atmos), one line "<pid> <starttime>" per
 * session, changed only under flock.  A process that died, or whose pid now
 * belongs to a process started at another time, no longer counts, so the
 * records survive crashes: stale lines are pruned at every update.
 *
 * MUST: the state directory is root's (0700, not a symlink, created if
 * missing); record files are opened with O_NOFOLLOW relative to it; a file
 * that is not a regular root-owned file is not used.
 */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "records.h"

#define MAX_RECORDS 1024
#define LINE_MAX_LEN 48

/* Field 22 of /proc/<pid>/stat: start time in clock ticks since boot. */
static unsigned long long start_time(pid_t pid)
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

static int alive(pid_t pid, unsigned long long st)
{
    if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
        return 0;
    return start_time(pid) == st;
}

/* Open (creating) the user's record file, locked; -1 when unavailable. */
static int open_locked(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    int dfd = -1, fd = -1;
    struct stat st;
    if (geteuid() != 0)
        return -1; /* only root keeps records */
    if (dir[0] != '/') {
        pam_syslog(pamh, LOG_ERR, "state_dir %s is not absolute", dir);
        return -1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pam_syslog(pamh, LOG_ERR, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || fstat(dfd, &st) != 0 || st.st_uid != 0 || (st.st_mode & 022)) {
        /* Someone else's or writable by others: records there cannot be trusted. */
        pam_syslog(pamh, LOG_ERR, "state_dir %s is not a directory of root's, mode 0700", dir);
        goto fail;
    }
    char name[32];
    snprintf(name, sizeof(name), "%lu", (unsigned long)uid);
    fd = openat(dfd, name, O_RDWR | O_CREAT | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0) {
        pam_syslog(pamh, LOG_ERR, "session record %s/%s is unusable", dir, name);
        goto fail;
    }
    while (flock(fd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            pam_syslog(pamh, LOG_ERR, "cannot lock %s/%s: %s", dir, name, strerror(errno));
            goto fail;
        }
    }
    close(dfd);
    return fd;
fail:
    if (fd >= 0)
        close(fd);
    if (dfd >= 0)
        close(dfd);
    return -1;
}

struct rec {
    long pid;
    unsigned long long st;
};

/* Read the live records, dropping `drop` (pid) and stale ones. */
static size_t load(int fd, struct rec *v, pid_t drop, unsigned long long drop_st)
{
    size_t cap = MAX_RECORDS * LINE_MAX_LEN;
    char *buf = malloc(cap);
    size_t count = 0;
    ssize_t n = buf ? pread(fd, buf, cap - 1, 0) : -1;
    if (n <= 0) {
        free(buf);
        return 0;
    }
    buf[n] = '\0';
    for (char *line = strtok(buf, "\n"); line && count < MAX_RECORDS; line = strtok(NULL, "\n")) {
        struct rec r;
        if (sscanf(line, "%ld %llu", &r.pid, &r.st) != 2)
            continue; /* a torn line from a crash: ignore it */
        if (r.pid == drop && r.st == drop_st)
            continue;
        if (alive((pid_t)r.pid, r.st))
            v[count++] = r;
    }
    free(buf);
    return count;
}

static int store(int fd, const struct rec *v, size_t n)
{
    size_t cap = (MAX_RECORDS + 1) * LINE_MAX_LEN, len = 0;
    char *buf = malloc(cap);
    int rc = -1;
    if (buf == NULL)
        return -1;
    for (size_t i = 0; i < n; i++)
        len += (size_t)snprintf(buf + len, cap - len, "%ld %llu\n", v[i].pid, v[i].st);
    if (ftruncate(fd, 0) == 0 && pwrite(fd, buf, len, 0) == (ssize_t)len)
        rc = 0;
    free(buf);
    return rc;
}

int pa_record_open(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    struct rec *v = calloc(MAX_RECORDS + 1, sizeof(*v));
    int fd = v ? open_locked(pamh, dir, uid) : -1;
    if (fd < 0) {
        free(v);
        return -1;
    }
    pid_t me = getpid();
    unsigned long long st = start_time(me);
    size_t n = load(fd, v, me, st);
    v[n].pid = me;
    v[n].st = st;
    int rc = store(fd, v, n + 1);
    close(fd); /* releases the lock */
    free(v);
    return rc;
}

int pa_record_close(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    struct rec *v = calloc(MAX_RECORDS, sizeof(*v));
    int fd = v ? open_locked(pamh, dir, uid) : -1;
    if (fd < 0) {
        free(v);
        return -1;
    }
    pid_t me = getpid();
    size_t n = load(fd, v, me, start_time(me));
    int rc = store(fd, v, n) == 0 ? (int)n : -1;
    close(fd);
    free(v);
    return rc;
}

/*
 * Which sessions of a user are open: one file per uid under the state
 * directory (default /run/pam_atmos), one line "<pid> <starttime>" per
 * session.  A process that died, or whose pid now belongs to a process
 * started at another time, no longer counts, so the records survive crashes:
 * stale lines are pruned at every update.
 *
 * MUST:
 * 1. The state directory is root's, mode 0700, not a symlink (created if
 *    missing); every file in it is opened with O_NOFOLLOW relative to it, and
 *    one that is not a regular root-owned file is not used.
 * 2. Every change happens under an exclusive flock on <uid>.lock, and the
 *    records are read again under it.
 * 3. No record is ever dropped silently: the list grows as needed, and a
 *    list that cannot be written whole is not written at all.
 * 4. The file is replaced, never rewritten in place: <uid>.new is written
 *    whole, checked, then renamed over <uid>, so a short write (a full disk,
 *    the host's RLIMIT_FSIZE) leaves the previous records intact.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "records.h"

/* A million sessions of one user is a runaway, not a workload: refuse, and say so. */
#define MAX_BYTES (48u << 20)

struct recs {
    int dfd;       /* the state directory */
    int lockfd;    /* <uid>.lock, held exclusively */
    char name[24]; /* <uid> */
    struct rec {
        long pid;
        unsigned long long st;
    } *v;
    size_t n, cap;
};

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

static int push(struct recs *r, long pid, unsigned long long st)
{
    if (r->n == r->cap) {
        size_t cap = r->cap ? r->cap * 2 : 64;
        struct rec *v = realloc(r->v, cap * sizeof(*v));
        if (v == NULL)
            return -1;
        r->v = v;
        r->cap = cap;
    }
    r->v[r->n].pid = pid;
    r->v[r->n++].st = st;
    return 0;
}

static void release(struct recs *r)
{
    if (r->lockfd >= 0)
        close(r->lockfd); /* releases the lock */
    if (r->dfd >= 0)
        close(r->dfd);
    free(r->v);
}

/* MUST 1: the state directory, created if missing, checked on its descriptor. */
static int open_dir(pam_handle_t *pamh, const char *dir)
{
    struct stat st;
    if (dir[0] != '/') {
        pam_syslog(pamh, LOG_ERR, "state_dir %s is not absolute", dir);
        return -1;
    }
    if (mkdir(dir, 0700) != 0 && errno != EEXIST) {
        pam_syslog(pamh, LOG_ERR, "cannot create %s: %s", dir, strerror(errno));
        return -1;
    }
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    if (dfd < 0 || fstat(dfd, &st) != 0 || st.st_uid != 0 || (st.st_mode & 077)) {
        /* Anyone else who can read or write here could forge or learn sessions. */
        pam_syslog(pamh, LOG_ERR, "state_dir %s is not a directory of root's with mode 0700", dir);
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    return dfd;
}

/* A regular file of root's in the state directory, opened without following links. */
static int open_file(pam_handle_t *pamh, int dfd, const char *dir, const char *name, int flags)
{
    struct stat st;
    int fd = openat(dfd, name, flags | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC, 0600);
    if (fd < 0 && errno == ENOENT && !(flags & O_CREAT))
        return -2;
    if (fd < 0 || fstat(fd, &st) != 0 || !S_ISREG(st.st_mode) || st.st_uid != 0) {
        pam_syslog(pamh, LOG_ERR, "session record %s/%s is unusable: %s", dir, name,
                   fd < 0 ? strerror(errno) : "not a regular file of root's");
        if (fd >= 0)
            close(fd);
        return -1;
    }
    return fd;
}

/* Read the live records, minus this process's own (pid and start time). */
static int load(pam_handle_t *pamh, struct recs *r, const char *dir, pid_t me,
                unsigned long long me_st)
{
    int fd = open_file(pamh, r->dfd, dir, r->name, O_RDONLY);
    if (fd == -2)
        return 0; /* no sessions yet */
    if (fd < 0)
        return -1;
    FILE *f = fdopen(fd, "r");
    if (f == NULL) {
        close(fd);
        return -1;
    }
    char line[64];
    int rc = 0;
    while (rc == 0 && fgets(line, sizeof(line), f)) {
        long pid;
        unsigned long long st;
        if (sscanf(line, "%ld %llu", &pid, &st) != 2)
            continue; /* a torn line from before records were renamed into place */
        if ((pid == me && st == me_st) || !alive((pid_t)pid, st))
            continue;
        rc = push(r, pid, st);
    }
    if (rc != 0)
        pam_syslog(pamh, LOG_ERR, "session records of %s/%s: out of memory", dir, r->name);
    fclose(f);
    return rc;
}

static int lock_and_load(pam_handle_t *pamh, struct recs *r, const char *dir, uid_t uid)
{
    char lockname[32];
    if ((r->dfd = open_dir(pamh, dir)) < 0)
        return -1;
    snprintf(r->name, sizeof(r->name), "%lu", (unsigned long)uid);
    snprintf(lockname, sizeof(lockname), "%s.lock", r->name);
    if ((r->lockfd = open_file(pamh, r->dfd, dir, lockname, O_RDWR | O_CREAT)) < 0)
        return -1;
    while (flock(r->lockfd, LOCK_EX) != 0) {
        if (errno != EINTR) {
            pam_syslog(pamh, LOG_ERR, "cannot lock %s/%s: %s", dir, lockname, strerror(errno));
            return -1;
        }
    }
    pid_t me = getpid();
    return load(pamh, r, dir, me, start_time(me));
}

/* All of buf to fd, with the host's file-size limit lifted for the write if it is lower. */
static int write_all(int fd, const char *buf, size_t len)
{
    struct rlimit old, big;
    int raised = 0, rc = 0;
    if (getrlimit(RLIMIT_FSIZE, &old) == 0 && old.rlim_cur != RLIM_INFINITY &&
        old.rlim_cur < len) {
        /* pam_limits may have set fsize for the user's session: not for root's records.
         * Writing past the limit would raise SIGXFSZ in the host, so lift it first. */
        big.rlim_cur = big.rlim_max = RLIM_INFINITY;
        if (setrlimit(RLIMIT_FSIZE, &big) != 0)
            return -1;
        raised = 1;
    }
    for (size_t off = 0; rc == 0 && off < len;) {
        ssize_t w = write(fd, buf + off, len - off);
        if (w > 0)
            off += (size_t)w;
        else if (w < 0 && errno == EINTR)
            continue;
        else
            rc = -1;
    }
    if (raised)
        setrlimit(RLIMIT_FSIZE, &old);
    return rc;
}

/* MUST 3 and 4: the whole list to <uid>.new, then renamed over <uid>. */
static int store(pam_handle_t *pamh, struct recs *r, const char *dir)
{
    char tmp[32], *buf = NULL;
    size_t len = 0;
    int rc = -1, fd = -1;
    if (r->n == 0) { /* nobody left: no file */
        if (unlinkat(r->dfd, r->name, 0) == 0 || errno == ENOENT)
            return 0;
        pam_syslog(pamh, LOG_ERR, "cannot remove %s/%s: %s", dir, r->name, strerror(errno));
        return -1;
    }
    FILE *m = open_memstream(&buf, &len);
    for (size_t i = 0; m && i < r->n; i++)
        fprintf(m, "%ld %llu\n", r->v[i].pid, r->v[i].st);
    if (m == NULL || fclose(m) != 0 || len > MAX_BYTES) {
        pam_syslog(pamh, LOG_ERR, "session records of %s/%s: %s", dir, r->name,
                   len > MAX_BYTES ? "too many sessions" : "out of memory");
        goto done;
    }
    snprintf(tmp, sizeof(tmp), "%s.new", r->name);
    unlinkat(r->dfd, tmp, 0); /* a leftover of a crash, under our lock */
    fd = open_file(pamh, r->dfd, dir, tmp, O_WRONLY | O_CREAT | O_EXCL);
    if (fd < 0)
        goto done;
    /* No fsync: records describe live processes, and none outlives a reboot. */
    int werr = write_all(fd, buf, len) != 0 ? (errno ? errno : EIO) : 0;
    if (close(fd) != 0 && werr == 0)
        werr = errno;
    fd = -1;
    if (werr) {
        pam_syslog(pamh, LOG_ERR, "cannot write %s/%s: %s", dir, tmp, strerror(werr));
        unlinkat(r->dfd, tmp, 0);
        goto done;
    }
    if (renameat(r->dfd, tmp, r->dfd, r->name) != 0) {
        pam_syslog(pamh, LOG_ERR, "cannot rename %s/%s: %s", dir, tmp, strerror(errno));
        unlinkat(r->dfd, tmp, 0);
        goto done;
    }
    rc = 0;
done:
    if (fd >= 0)
        close(fd);
    free(buf);
    return rc;
}

int pa_record_open(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    struct recs r = {.dfd = -1, .lockfd = -1};
    int rc = -1;
    if (geteuid() == 0 && lock_and_load(pamh, &r, dir, uid) == 0) {
        pid_t me = getpid();
        if (push(&r, me, start_time(me)) == 0)
            rc = store(pamh, &r, dir);
    }
    release(&r);
    return rc;
}

int pa_record_close(pam_handle_t *pamh, const char *dir, uid_t uid)
{
    struct recs r = {.dfd = -1, .lockfd = -1};
    int rc = -1;
    if (geteuid() == 0 && lock_and_load(pamh, &r, dir, uid) == 0 && store(pamh, &r, dir) == 0)
        rc = r.n > (size_t)INT_MAX ? INT_MAX : (int)r.n;
    release(&r);
    return rc;
}

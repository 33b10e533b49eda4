/*
 * A bounded child for the engine (see sys/child.h): today the Secret Service
 * backend, which must keep GLib out of the calling process.
 *
 * MUST:
 * 1. The child holds only what it needs: /dev/null on 0-2, the report pipe,
 *    and no descriptor its owner marked close-on-exec.  It is a fork
 *    without exec, so O_CLOEXEC closes nothing by itself: an inherited lock
 *    descriptor would keep a flock held after the parent let it go, an
 *    inherited stdout would hold a reader's EOF back while the child is
 *    stuck.
 * 2. The child dies with its parent (PR_SET_PDEATHSIG), and ends at once if
 *    the parent was already gone before that was set.
 * 3. The parent waits for the child's lines until a deadline, then kills it.
 * 4. The reap is bounded: short naps, about a second, never a blocking
 *    waitpid (a child stuck in the kernel, on a dead network file system,
 *    never exits); one that will not go is reported and left.
 * 5. SIGCHLD is default from the fork to the reap, so that the child is not
 *    reaped behind our back (SIG_IGN, or a handler calling waitpid(-1)) and
 *    its pid cannot be reused while we may still kill it.  The engine runs
 *    in atmos-logout and the PAM helper, single-threaded programs of ours,
 *    never in the PAM host, so the disposition is ours to change for that
 *    moment.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atmos/error.h>

#include "sys/child.h"
#include "base/strings.h"

/* A line longer than this is dropped: the child speaks in short records. */
#define LINE_MAX_BYTES 8192
/* After EOF a child exits within moments; then SIGKILL, then about a second. */
#define EXIT_GRACE_MS 100
#define REAP_MS 1000

/* Close fd if it is marked close-on-exec, unless it is the report pipe. */
static void drop_cloexec(int fd, int keep)
{
    int flags = fcntl(fd, F_GETFD);
    if (fd != keep && flags >= 0 && (flags & FD_CLOEXEC))
        close(fd);
}

/*
 * MUST 1: /dev/null on 0-2, the pipe above them (*out), no descriptor an exec
 * would have closed.  The pipe keeps its number when it can: a fixed one
 * would replace whatever an inheritable descriptor there was.  ATMOS_OK, or
 * ATMOS_ESYS when a descriptor could not be set up.
 */
static int sanitize_fds(int *out)
{
    if (*out < 3 && (*out = fcntl(*out, F_DUPFD_CLOEXEC, 3)) < 0)
        return ATMOS_ESYS;
    int null = open("/dev/null", O_RDWR | O_CLOEXEC);
    if (null < 0)
        return ATMOS_ESYS;
    for (int i = 0; i < 3; i++)
        if (dup2(null, i) != i) /* GLib's own warnings are not ours to print */
            return ATMOS_ESYS;
    /*
     * What exec would do: close each descriptor its owner marked
     * close-on-exec (every one the engine opens is).  One left inheritable
     * on purpose stays, as it would for an exec'd program: the dynamic
     * loader's LD_DEBUG_OUTPUT, say.
     */
    DIR *d = opendir("/proc/self/fd");
    if (d == NULL) {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = 3; fd < (max > 0 && max < 65536 ? max : 65536); fd++)
            drop_cloexec((int)fd, *out);
        return ATMOS_OK;
    }
    for (struct dirent *e; (e = readdir(d)) != NULL;) {
        char *end;
        long fd = strtol(e->d_name, &end, 10);
        if (*end == '\0' && end != e->d_name && fd > 2 && fd != dirfd(d))
            drop_cloexec((int)fd, *out);
    }
    closedir(d);
    return ATMOS_OK;
}

static void in_child(const struct atmos_child *c, int pipe_fd, pid_t parent)
    __attribute__((noreturn));
static void in_child(const struct atmos_child *c, int pipe_fd, pid_t parent)
{
    /* MUST 2: a stuck call in the child never outlives the logout. */
    if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0 || getppid() != parent)
        _exit(1);
    if (sanitize_fds(&pipe_fd) != 0)
        _exit(1);
    c->run(pipe_fd, c->ctx);
    _exit(127);
}

/* Hand each whole line in buf to c->line; keep the rest.  Returns the bytes kept. */
static size_t take_lines(const struct atmos_child *c, char *buf, size_t have)
{
    char *nl;
    buf[have] = '\0';
    while ((nl = memchr(buf, '\n', have)) != NULL) {
        *nl = '\0';
        c->line(buf, c->ctx);
        have -= (size_t)(nl + 1 - buf);
        memmove(buf, nl + 1, have);
        buf[have] = '\0';
    }
    return have == LINE_MAX_BYTES - 1 ? 0 : have; /* an overlong line: dropped */
}

/* MUST 3: read lines until EOF or the deadline; 1 when the time ran out. */
static int read_lines(const struct atmos_child *c, int fd)
{
    char buf[LINE_MAX_BYTES];
    size_t have = 0;
    long long deadline = atmos_now_ms() + c->timeout_ms;
    for (;;) {
        int left = atmos_ms_left(deadline);
        if (left == 0)
            return 1;
        struct pollfd p = {fd, POLLIN, 0};
        int r = poll(&p, 1, left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0)
            return 1;
        if (r < 0) {
            atmos_log(c->lg, ATMOS_LOG_WARN, "%s: poll: %s", c->name, strerror(errno));
            return 0; /* treated as the end: the child is killed with the rest */
        }
        ssize_t got = read(fd, buf + have, sizeof(buf) - 1 - have);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0; /* EOF: the child is done */
        have = take_lines(c, buf, have + (size_t)got);
    }
}

/* MUST 4: whether our child could be reaped within about wait_ms, by pid, never blocking. */
static int reaped(pid_t pid, long wait_ms)
{
    long long end = atmos_now_ms() + wait_ms;
    for (int i = 0;; i++) {
        pid_t r = waitpid(pid, NULL, WNOHANG);
        if (r == pid)
            return 1;
        if (r < 0 && errno != EINTR)
            return errno == ECHILD; /* not ours to wait for any more: gone */
        if (atmos_now_ms() >= end)
            return 0;
        /* Exit comes a moment after EOF: short naps first. */
        atmos_nap_ms(i < 10 ? 1 : 10);
    }
}

enum atmos_child_end atmos_child_run(const struct atmos_child *c)
{
    struct sigaction dfl, old;
    int fds[2];
    if (pipe2(fds, O_CLOEXEC) != 0)
        return ATMOS_CHILD_NO_PIPE;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, &old); /* MUST 5 */
    pid_t parent = getpid(), pid = fork();
    if (pid < 0) {
        sigaction(SIGCHLD, &old, NULL);
        close(fds[0]);
        close(fds[1]);
        return ATMOS_CHILD_NO_FORK;
    }
    if (pid == 0) {
        close(fds[0]);
        in_child(c, fds[1], parent);
    }
    close(fds[1]);
    int timed_out = read_lines(c, fds[0]);
    close(fds[0]);
    if (timed_out)
        atmos_log(c->lg, ATMOS_LOG_WARN, "%s timed out after %d ms", c->name, c->timeout_ms);
    /* Killed while still unreaped, so the pid is still this child's. */
    if (!reaped(pid, timed_out ? 0 : EXIT_GRACE_MS)) {
        kill(pid, SIGKILL);
        if (!reaped(pid, REAP_MS))
            atmos_log(c->lg, ATMOS_LOG_WARN, "%s: child %ld did not exit after SIGKILL", c->name,
                      (long)pid);
    }
    sigaction(SIGCHLD, &old, NULL);
    return timed_out ? ATMOS_CHILD_TIMEOUT : ATMOS_CHILD_DONE;
}

/*
 * Running the cleanup for a user in a forked child, within a time bound.
 *
 * MUST, in the host process (sshd, gdm): never change credentials, never
 * start a thread, keep its signal handlers (SIGCHLD is set to default only
 * around fork/wait, then restored), never wait longer than the timeout.
 *
 * MUST, in the child, before touching any file, keyring or configuration:
 * default signal dispositions and an empty mask; every inherited descriptor
 * closed; initgroups, setgid, setuid, each checked; a check that root cannot
 * be regained; PR_SET_NO_NEW_PRIVS; an environment built from the passwd
 * entry only (the runtime directory and bus only once checked to be the
 * user's, as the user).
 */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "child.h"
#include "cleanup.h"

#include <atmos/privdrop.h>

#define RESULT_FD 3

static long elapsed_ms(const struct timespec *start)
{
    struct timespec now;
    clock_gettime(CLOCK_MONOTONIC, &now);
    return (now.tv_sec - start->tv_sec) * 1000 + (now.tv_nsec - start->tv_nsec) / 1000000;
}

/* Report to the parent; one that stopped listening ends the child. */
#define tell(...)                                                                                  \
    do {                                                                                           \
        if (atmos_write_line(RESULT_FD, __VA_ARGS__) != 0)                                         \
            _exit(3);                                                                              \
    } while (0)

static void reset_signals(void)
{
    struct sigaction dfl;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        sigaction(s, &dfl, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, RT internals */
    sigset_t none;
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/* Only the result pipe survives, as fd 3; 0-2 are /dev/null. */
static int sanitize_fds(int result_fd)
{
    if (result_fd != RESULT_FD && (dup2(result_fd, RESULT_FD) != RESULT_FD))
        return -1;
    int null = open("/dev/null", O_RDWR);
    if (null < 0)
        return -1;
    for (int fd = 0; fd < 3; fd++)
        if (null != fd && dup2(null, fd) != fd)
            return -1;
    if (null > RESULT_FD)
        close(null);
    if (close_range(RESULT_FD + 1, ~0U, 0) != 0) {
        long max = sysconf(_SC_OPEN_MAX);
        for (long fd = RESULT_FD + 1; fd < (max > 0 ? max : 65536); fd++)
            close((int)fd);
    }
    return 0;
}

/* Set XDG_RUNTIME_DIR and the bus address only if they are the user's (checked as the user). */
static void runtime_env(const struct pa_session *s)
{
    char dflt[64], bus[600];
    struct stat st;
    const char *rt = s->runtime_dir;
    snprintf(dflt, sizeof(dflt), "/run/user/%lu", (unsigned long)s->pw->pw_uid);
    if (rt == NULL || rt[0] != '/')
        rt = dflt;
    if (lstat(rt, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != s->pw->pw_uid ||
        (st.st_mode & 077))
        return;
    setenv("XDG_RUNTIME_DIR", rt, 1);
    if (snprintf(bus, sizeof(bus), "%s/bus", rt) >= (int)sizeof(bus))
        return;
    if (lstat(bus, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != s->pw->pw_uid)
        return;
    /* A session's own address is used only when it names this socket. */
    char addr[620];
    snprintf(addr, sizeof(addr), "unix:path=%s", bus);
    setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);
}

static void child_main(const struct pa_session *s, int result_fd) __attribute__((noreturn));
static void child_main(const struct pa_session *s, int result_fd)
{
    char why[256];
    reset_signals();
    signal(SIGXFSZ, SIG_IGN); /* a file-size limit fails the write instead of killing us */
    /* libc caches its syslog socket's descriptor: forget it before renumbering
     * descriptors, or log lines and our result would trade places.  syslog
     * reconnects on demand, above RESULT_FD. */
    closelog();
    if (sanitize_fds(result_fd) != 0)
        _exit(2);
    /* As root this switches for good; as the user already, it only checks. */
    if (atmos_become_user(s->pw, why, sizeof(why)) != 0) {
        tell("D %s", why);
        _exit(2);
    }
    if (atmos_user_environment(s->pw) != 0) {
        tell("D cannot build the environment");
        _exit(2);
    }
    runtime_env(s);
    struct pa_result r;
    pa_cleanup(s, &r);
    tell("R %zu %zu %zu %s %s", r.removed, r.failed, r.revoked, r.scope, r.note[0] ? r.note : "-");
    _exit(0);
}

int pa_run_child(const struct pa_session *s, struct pa_outcome *out)
{
    struct sigaction dfl, old;
    struct timespec start;
    int fds[2];
    char buf[2048];
    size_t have = 0;
    memset(out, 0, sizeof(*out));
    clock_gettime(CLOCK_MONOTONIC, &start);
    if (pipe2(fds, O_CLOEXEC) != 0) {
        pam_syslog(s->pamh, LOG_ERR, "pipe: %s", strerror(errno));
        return -1;
    }
    /* The host's SIGCHLD handler must not reap our child; restored below. */
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &dfl, &old);
    pid_t pid = fork();
    if (pid < 0) {
        pam_syslog(s->pamh, LOG_ERR, "fork: %s", strerror(errno));
        sigaction(SIGCHLD, &old, NULL);
        close(fds[0]);
        close(fds[1]);
        return -1;
    }
    if (pid == 0) {
        close(fds[0]);
        /* The pipe was O_CLOEXEC; the child execs nothing, so that is moot. */
        child_main(s, fds[1]);
    }
    close(fds[1]);
    long limit = (long)s->opts->timeout * 1000;
    for (;;) {
        long left = limit - elapsed_ms(&start);
        if (left <= 0) {
            out->timed_out = 1;
            break;
        }
        struct pollfd p = {fds[0], POLLIN, 0};
        int r = poll(&p, 1, (int)left);
        if (r < 0 && errno == EINTR)
            continue;
        if (r == 0) {
            out->timed_out = 1;
            break;
        }
        ssize_t got = r > 0 ? read(fds[0], buf + have, sizeof(buf) - 1 - have) : -1;
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            break;
        have += (size_t)got;
        if (have == sizeof(buf) - 1) {
            /* Drain to EOF, keeping the tail: our result is the last line. */
            memmove(buf, buf + have / 2, have - have / 2);
            have -= have / 2;
        }
    }
    close(fds[0]);
    if (out->timed_out)
        kill(pid, SIGKILL);
    /*
     * Reap, but never hang on a child stuck in the kernel (a dead NFS server):
     * about 1 s at most.  The pipe's EOF comes a moment before the child can
     * be reaped (a first try misses in about 1 of 250), so the first naps are
     * short: a 10 ms one would add 10 ms to that logout.
     */
    int status = 0, reaped = 0;
    for (int i = 0; i < 110 && !reaped; i++) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid || (w < 0 && errno != EINTR))
            reaped = 1;
        else
            usleep(i < 10 ? 1000 : 10000);
    }
    sigaction(SIGCHLD, &old, NULL);
    out->duration_ms = elapsed_ms(&start);
    buf[have] = '\0';
    /* Look for our line anywhere: only "D " and "R " lines are ours. */
    for (char *line = buf; line && *line;
         line = strchr(line, '\n') ? strchr(line, '\n') + 1 : NULL) {
        if (strncmp(line, "D ", 2) == 0) {
            out->drop_failed = 1;
            snprintf(out->detail, sizeof(out->detail), "%.*s", (int)strcspn(line + 2, "\n"),
                     line + 2);
        } else if (sscanf(line, "R %zu %zu %zu %15s %255[^\n]", &out->removed, &out->failed,
                          &out->revoked, out->scope, out->detail) >= 4) {
            out->completed = 1;
            if (strcmp(out->detail, "-") == 0)
                out->detail[0] = '\0';
        }
    }
    if (!reaped)
        pam_syslog(s->pamh, LOG_WARNING, "cleanup child %ld did not exit after SIGKILL", (long)pid);
    else if (!out->completed && !out->drop_failed && !out->timed_out)
        pam_syslog(s->pamh, LOG_ERR, "cleanup child %s %d without a result",
                   WIFSIGNALED(status) ? "was killed by signal" : "exited with status",
                   WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status));
    return 0;
}

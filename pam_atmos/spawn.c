/*
 * Running the cleanup helper for a user, within a time bound, as pam_unix
 * runs unix_chkpwd and pam_mkhomedir runs mkhomedir_helper.
 *
 * MUST, in the host process (sshd, gdm; maybe threaded):
 * 1. Change nothing the host owns: no signal disposition (our child is
 *    created with no exit signal, so the host's SIGCHLD handler never sees
 *    it, a SIG_IGN host never auto-reaps it, and only we reap it, by pid),
 *    no credentials, no thread.
 * 2. Prepare everything the child needs (argv, the environment, the group
 *    list, the checked helper path) before the fork: after it, the child
 *    makes async-signal-safe calls only, up to execve.
 * 3. Run only a helper that root controls: the file and every directory
 *    above it root's and writable by nobody else.
 * 4. Wait at most `timeout` seconds, then kill the helper's whole process
 *    group (it may have children); reap it within about a second more.
 * 5. Trust nothing it says: frames are bounded, text is escaped when logged.
 *
 * MUST, in the child before execve: default signal dispositions and an
 * empty mask; a session of its own; only descriptors 0-2 (/dev/null) and 3
 * (the result pipe); setgroups, setresgid, setresuid (each checked) and a
 * check that root cannot be regained; PR_SET_NO_NEW_PRIVS; an environment
 * built from the passwd entry only.  The helper itself runs in a child of
 * that child (see child()), which then only waits for it.
 */
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include <atmos/escape.h>

#include "spawn.h"

#define MAX_ARGS (2 * PA_MAX_TARGETS + 24)
#define MAX_LOG_LINES 500 /* of one helper run; the rest are counted */

/* Everything the child uses, built before the fork (MUST 2). */
struct job {
    const char *path;
    char *argv[MAX_ARGS];
    int argc;
    char *envp[8];
    gid_t *groups;
    int ngroups;
    uid_t uid;
    gid_t gid;
    int drop;        /* we are root: become the user */
    rlim_t as_limit; /* 0: none */
    int fd;          /* the pipe's write end */
};

static long now_ms(void)
{
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return (long)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* MUST 3: refuse a helper that anyone but root could have replaced. */
static int trusted_path(pam_handle_t *pamh, const char *path)
{
    char buf[PATH_MAX];
    struct stat st;
    if (path[0] != '/' || strlen(path) >= sizeof(buf)) {
        pam_syslog(pamh, LOG_ERR, "helper %s is not an absolute path", path);
        return -1;
    }
    strcpy(buf, path);
    for (char *slash = buf; slash; slash = strchr(slash + 1, '/')) {
        char keep = slash[1];
        errno = 0;
        slash[1] = '\0'; /* "/", "/usr/", "/usr/libexec/", ... */
        int bad = lstat(buf, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != 0 ||
                  /* A sticky directory of root's (/tmp) lets nobody else replace root's entries. */
                  ((st.st_mode & 022) && !(st.st_mode & S_ISVTX));
        slash[1] = keep;
        if (bad && errno == ENOENT) {
            pam_syslog(pamh, LOG_ERR, "helper %s is not installed; nothing removed", path);
            return -1;
        }
        if (bad) {
            slash[1] = '\0';
            pam_syslog(pamh, LOG_ERR, "helper %s: directory %s is not root's alone", path, buf);
            return -1;
        }
    }
    if (lstat(path, &st) != 0) {
        pam_syslog(pamh, LOG_ERR, "helper %s is not installed: %s; nothing removed", path,
                   strerror(errno));
        return -1;
    }
    if (!S_ISREG(st.st_mode) || st.st_uid != 0 || (st.st_mode & 022) || !(st.st_mode & 0111)) {
        pam_syslog(pamh, LOG_ERR, "helper %s is not a program of root's alone; nothing removed",
                   path);
        return -1;
    }
    return 0;
}

static int arg(struct job *j, const char *name, const char *value)
{
    if (j->argc >= MAX_ARGS - 1)
        return -1;
    if (value == NULL)
        j->argv[j->argc] = strdup(name);
    else if (asprintf(&j->argv[j->argc], "%s=%s", name, value) < 0)
        j->argv[j->argc] = NULL;
    return j->argv[j->argc++] ? 0 : -1;
}

static int build_args(struct job *j, const struct pa_opts *o, const char *runtime_dir)
{
    char proto[16];
    snprintf(proto, sizeof(proto), "%d", PA_PROTOCOL);
    int bad = arg(j, "pam_atmos_helper", NULL) | arg(j, "--protocol", proto);
    static const char *const network[] = {"skip", "clean"};
    bad |= arg(j, "--network-home", network[o->network_home ? 1 : 0]);
    if (o->debug)
        bad |= arg(j, "--debug", NULL);
    if (o->dry_run)
        bad |= arg(j, "--dry-run", NULL);
    if (o->keychain)
        bad |= arg(j, "--keychain", NULL);
    if (o->revoke)
        bad |= arg(j, "--revoke", NULL);
    const struct {
        const char *name, *value;
    } strings[] = {{"--config", o->config},
                   {"--runtime-dir", runtime_dir},
                   {"--revoke-ca-bundle", o->revoke_ca_bundle},
                   {"--revoke-endpoint", o->revoke_endpoint},
                   {"--revoke-proxy", o->revoke_proxy}};
    for (size_t i = 0; i < sizeof(strings) / sizeof(*strings); i++)
        if (strings[i].value)
            bad |= arg(j, strings[i].name, strings[i].value);
    for (int i = 0; i < o->nidentity; i++)
        bad |= arg(j, "--identity", o->identity[i]);
    for (int i = 0; i < o->nprovider; i++)
        bad |= arg(j, "--provider", o->provider[i]);
    j->argv[j->argc] = NULL;
    return bad ? -1 : 0;
}

/* The environment, from the passwd entry only. */
static int build_env(struct job *j, const struct passwd *pw)
{
    int bad = asprintf(&j->envp[0], "HOME=%s", pw->pw_dir) < 0;
    bad |= asprintf(&j->envp[1], "USER=%s", pw->pw_name) < 0;
    bad |= asprintf(&j->envp[2], "LOGNAME=%s", pw->pw_name) < 0;
    bad |= (j->envp[3] = strdup("PATH=/usr/bin:/bin")) == NULL;
    if (bad) /* asprintf leaves its pointer undefined on failure */
        j->envp[0] = j->envp[1] = j->envp[2] = j->envp[3] = NULL;
    j->envp[4] = NULL;
    return bad ? -1 : 0;
}

static int build_groups(struct job *j, const struct passwd *pw)
{
    int n = 32;
    for (int tries = 0; tries < 8; tries++) {
        gid_t *g = realloc(j->groups, (size_t)n * sizeof(*g));
        if (g == NULL)
            return -1;
        j->groups = g;
        int want = n;
        if (getgrouplist(pw->pw_name, pw->pw_gid, g, &want) >= 0) {
            j->ngroups = want;
            return 0;
        }
        n = want > n ? want : n * 2;
    }
    return -1;
}

static void job_free(struct job *j)
{
    for (int i = 0; i < j->argc; i++)
        free(j->argv[i]);
    for (int i = 0; j->envp[i]; i++)
        free(j->envp[i]);
    free(j->groups);
}

/* In the child: tell the parent which step failed, and end. */
static void fail_step(int fd, int step) __attribute__((noreturn));
static void fail_step(int fd, int step)
{
    int e = errno;
    unsigned char frame[4 + sizeof(int)] = {PA_FRAME_STEP, (unsigned char)step, 0,
                                            (unsigned char)sizeof(int)};
    memcpy(frame + 4, &e, sizeof(e));
    if (write(fd, frame, sizeof(frame)) < 0) {
        /* nothing more to do */
    }
    _exit(127);
}

/* The child, between fork and exec: async-signal-safe calls only (MUST 2). */
static void child(const struct job *j) __attribute__((noreturn));
static void child(const struct job *j)
{
    struct sigaction dfl;
    sigset_t none;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        sigaction(s, &dfl, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, RT internals */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
    int fd = j->fd;
    if (setsid() < 0)
        fail_step(fd, PA_STEP_SESSION);
    /* The pipe to descriptor 3, /dev/null on 0-2, nothing else survives exec. */
    if (fd != PA_RESULT_FD) {
        if (dup2(fd, PA_RESULT_FD) != PA_RESULT_FD)
            fail_step(fd, PA_STEP_FDS);
        fd = PA_RESULT_FD;
    } else if (fcntl(fd, F_SETFD, 0) != 0) {
        fail_step(fd, PA_STEP_FDS);
    }
    int null = open("/dev/null", O_RDWR); /* not 3: that is taken; closed below when above 3 */
    if (null < 0)
        fail_step(fd, PA_STEP_FDS);
    for (int i = 0; i < 3; i++)
        if (dup2(null, i) != i)
            fail_step(fd, PA_STEP_FDS);
    if (syscall(SYS_close_range, PA_RESULT_FD + 1, ~0U, 0) != 0)
        for (int i = PA_RESULT_FD + 1; i < 65536; i++)
            close(i);
    if (j->drop) {
        /* Raw system calls: they change this thread, which is all the child has. */
        uid_t r, e, s;
        if (syscall(SYS_setgroups, (size_t)j->ngroups, j->groups) != 0)
            fail_step(fd, PA_STEP_GROUPS);
        if (syscall(SYS_setresgid, j->gid, j->gid, j->gid) != 0)
            fail_step(fd, PA_STEP_GID);
        if (syscall(SYS_setresuid, j->uid, j->uid, j->uid) != 0)
            fail_step(fd, PA_STEP_UID);
        /* The drop must be irreversible: no saved root uid, no way back. */
        errno = EPERM;
        if (syscall(SYS_setresuid, 0, 0, 0) == 0 ||
            syscall(SYS_getresuid, &r, &e, &s) != 0 || r != j->uid || e != j->uid || s != j->uid)
            fail_step(fd, PA_STEP_REGAIN);
    }
    /* No setuid program can give the helper more; it dies with its caller. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        fail_step(fd, PA_STEP_NNP);
    if (j->as_limit) {
        /* Soft limit only: enough to turn a hostile file into a clean error. */
        struct rlimit lim;
        if (getrlimit(RLIMIT_AS, &lim) != 0)
            fail_step(fd, PA_STEP_LIMIT);
        if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max > j->as_limit)
            lim.rlim_cur = j->as_limit;
        if (setrlimit(RLIMIT_AS, &lim) != 0)
            fail_step(fd, PA_STEP_LIMIT);
    }
    /*
     * The helper is this child's child.  Exec would give a process the exit
     * signal SIGCHLD again (the kernel resets it), so the process the host
     * sees never execs: it waits for the helper and exits with its status.
     */
    pid_t helper = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, NULL, NULL, NULL, NULL);
    if (helper < 0)
        fail_step(fd, PA_STEP_EXEC);
    if (helper == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) /* not inherited across fork */
            fail_step(fd, PA_STEP_NNP);
        execve(j->path, j->argv, j->envp);
        fail_step(fd, PA_STEP_EXEC);
    }
    close(fd); /* the helper's copy alone: its exit is the module's EOF */
    int status;
    while (waitpid(helper, &status, 0) < 0)
        if (errno != EINTR)
            _exit(127);
    _exit(WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status));
}

/* fork(), but with no exit signal: the host's SIGCHLD handling never sees this child. */
static pid_t fork_quiet(void)
{
    return (pid_t)syscall(SYS_clone, 0UL /* no CLONE_* flags, exit signal 0 */, NULL, NULL, NULL,
                          NULL);
}

struct reader {
    pam_handle_t *pamh;
    struct pa_outcome *out;
    unsigned char buf[2 * (4 + PA_FRAME_MAX)];
    size_t have;
    int lines, dropped;
};

static void log_line(struct reader *r, int level, const unsigned char *text, size_t len)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    char raw[PA_FRAME_MAX + 1], safe[4 * PA_FRAME_MAX + 4];
    if (r->lines >= MAX_LOG_LINES) {
        r->dropped++;
        return;
    }
    r->lines++;
    memcpy(raw, text, len);
    raw[len] = '\0'; /* a NUL inside ends the line early: that is the helper's problem */
    atmos_escape(safe, sizeof(safe), raw); /* MUST 5 */
    pam_syslog(r->pamh, prio[level & 3], "%s", safe);
}

static void result(struct reader *r, const unsigned char *text, size_t len)
{
    char raw[PA_FRAME_MAX + 1];
    unsigned version, status;
    size_t removed, failed, revoked;
    memcpy(raw, text, len);
    raw[len] = '\0';
    if (sscanf(raw, "%u %u %zu %zu %zu", &version, &status, &removed, &failed, &revoked) != 5 ||
        version != PA_PROTOCOL || status >= PA_STATUS_COUNT) {
        r->out->protocol_error = 1;
        return;
    }
    r->out->completed = 1;
    r->out->status = (enum pa_status)status;
    r->out->removed = removed;
    r->out->failed = failed;
    r->out->revoked = revoked;
}

/* Take the whole frames out of the buffer; -1 on anything that is not one of ours. */
static int frames(struct reader *r)
{
    size_t off = 0;
    while (r->have - off >= 4) {
        const unsigned char *f = r->buf + off;
        size_t len = (size_t)f[2] << 8 | f[3];
        if (len > PA_FRAME_MAX || f[1] > 15)
            return -1;
        if (r->have - off < 4 + len)
            break;
        if (f[0] == PA_FRAME_LOG && f[1] <= 3) {
            log_line(r, f[1], f + 4, len);
        } else if (f[0] == PA_FRAME_RESULT && !r->out->completed) {
            result(r, f + 4, len);
        } else if (f[0] == PA_FRAME_STEP && len == sizeof(int) && !r->out->completed) {
            r->out->failed_step = f[1];
            memcpy(&r->out->step_errno, f + 4, sizeof(int));
        } else {
            return -1;
        }
        off += 4 + len;
    }
    memmove(r->buf, r->buf + off, r->have - off);
    r->have -= off;
    return 0;
}

/* Read frames until EOF or the deadline (MUST 4); 1 when the time ran out. */
static int read_frames(struct reader *r, int fd, long deadline)
{
    for (;;) {
        long left = deadline - now_ms();
        if (left <= 0)
            return 1;
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, (int)left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return 1;
        ssize_t got = n > 0 ? read(fd, r->buf + r->have, sizeof(r->buf) - r->have) : -1;
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0;
        r->have += (size_t)got;
        if (frames(r) != 0) {
            r->out->protocol_error = 1;
            return 0;
        }
    }
}

/* Wait about a second for our child to exit, leaving it unreaped (a zombie keeps its id ours). */
static int exited(pid_t pid)
{
    for (int i = 0; i < 110; i++) {
        siginfo_t si;
        memset(&si, 0, sizeof(si));
        /* By pid: only ours (MUST 1); __WALL: it has no exit signal. */
        if (waitid(P_PID, (id_t)pid, &si, WEXITED | WNOHANG | WNOWAIT | __WALL) == 0 &&
            si.si_pid == pid)
            return 1;
        if (errno == ECHILD)
            return 0;
        /* The pipe's EOF comes a moment before the child can be reaped: short naps first. */
        usleep(i < 10 ? 1000 : 10000);
    }
    return 0;
}

/*
 * End the helper's whole process group (MUST 4) and reap our child, never
 * hanging on one stuck in the kernel (a dead NFS server): a second or two at
 * most.  The group is killed while our child is still unreaped, so its id
 * cannot have been reused; a child that finished on its own is not killed.
 */
static int reap(pid_t pid, int timed_out, int *status)
{
    int done = !timed_out && exited(pid);
    kill(-pid, SIGKILL); /* stragglers (its keyring child), or everything at the timeout */
    if (!done) {
        kill(pid, SIGKILL); /* in case it had no group of its own yet */
        done = exited(pid);
    }
    return done && waitpid(pid, status, __WALL) == pid;
}

int pa_spawn(pam_handle_t *pamh, const struct pa_opts *o, const struct passwd *pw,
             const char *runtime_dir, struct pa_outcome *out)
{
    struct job j = {.path = o->helper, .uid = pw->pw_uid, .gid = pw->pw_gid, .fd = -1};
    int fds[2] = {-1, -1}, rc = -1, status = 0;
    long start = now_ms();
    memset(out, 0, sizeof(*out));
    out->exit_status = -1;
    j.drop = geteuid() == 0;
    j.as_limit = (rlim_t)o->memory_limit << 20;
    if (trusted_path(pamh, o->helper) != 0)
        goto done;
    if (build_args(&j, o, runtime_dir) != 0 || build_env(&j, pw) != 0 ||
        (j.drop && build_groups(&j, pw) != 0)) {
        pam_syslog(pamh, LOG_ERR, "cannot prepare the helper for %s: out of memory", pw->pw_name);
        goto done;
    }
    if (pipe2(fds, O_CLOEXEC) != 0) {
        pam_syslog(pamh, LOG_ERR, "pipe: %s", strerror(errno));
        goto done;
    }
    j.fd = fds[1];
    pid_t pid = fork_quiet();
    if (pid < 0) {
        pam_syslog(pamh, LOG_ERR, "fork: %s", strerror(errno));
        goto done;
    }
    if (pid == 0)
        child(&j);
    close(fds[1]);
    fds[1] = -1;
    struct reader r = {.pamh = pamh, .out = out};
    /* Out of time after its result came is only a slow exit: the work was done. */
    out->timed_out = read_frames(&r, fds[0], start + (long)o->timeout * 1000) && !out->completed;
    if (!reap(pid, out->timed_out, &status))
        pam_syslog(pamh, LOG_WARNING, "helper %ld did not exit after SIGKILL", (long)pid);
    else if (WIFEXITED(status) && WEXITSTATUS(status) > 128 && !out->timed_out)
        out->signal = WEXITSTATUS(status) - 128; /* relayed by our child (see child()) */
    else if (WIFEXITED(status))
        out->exit_status = WEXITSTATUS(status);
    if (r.dropped)
        pam_syslog(pamh, LOG_WARNING, "%d more lines from the helper not logged", r.dropped);
    out->duration_ms = now_ms() - start;
    rc = 0;
done:
    if (fds[0] >= 0)
        close(fds[0]);
    if (fds[1] >= 0)
        close(fds[1]);
    job_free(&j);
    return rc;
}

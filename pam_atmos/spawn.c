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
 * 3. Run only a helper that root controls, and exactly the file that was
 *    checked: helperpath.c resolves it once into a descriptor, and that
 *    descriptor is exec'd (execveat, AT_EMPTY_PATH).
 * 4. Wait at most `timeout` seconds, then kill the helper's whole process
 *    group (it may have children); reap it within about a second more.
 * 5. Trust nothing that comes over the result pipe (any process of the
 *    user's can write to it): frames.c parses it strictly, within a budget,
 *    and its lines are logged only quoted behind a marker.  What the module
 *    says of its own child (a step that failed) comes over the step pipe,
 *    which the helper never holds (see child()).
 *
 * MUST, in the child before execve: default signal dispositions and an
 * empty mask; a session of its own; only descriptors 0-2 (/dev/null), 3
 * (the result pipe), and, close-on-exec, 4 (the step pipe) and 5 (the
 * helper's descriptor); setgroups, setresgid, setresuid (each checked) and
 * a check that root cannot be regained; PR_SET_NO_NEW_PRIVS; an environment
 * built from the passwd entry only.  The helper itself runs in a child of
 * that child (see child()), which then only waits for it.
 *
 * The step pipe is the module's alone: it is close-on-exec, so the helper
 * never holds it, and the processes that hold it before exec changed their
 * credentials without exec'ing, which leaves them not dumpable: no process
 * of the user's may copy a descriptor of theirs (pidfd_getfd needs ptrace
 * rights).  A helper that is a script (#!) cannot be exec'd through a
 * close-on-exec descriptor (its interpreter opens /dev/fd/N after exec):
 * then, and only then, the descriptor is passed on to it (see child()).
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

#include "base/clock.h"
#include "frames.h"
#include "helperpath.h"
#include "spawn.h"

#define MAX_ARGS (2 * PA_MAX_TARGETS + 24)
#define STEP_FD (PA_RESULT_FD + 1) /* the step pipe, in the child */
#define EXEC_FD (PA_RESULT_FD + 2) /* the helper's descriptor, in the child */

/* Everything the child uses, built before the fork (MUST 2). */
struct job {
    int exe; /* the helper, resolved (MUST 3) */
    char *argv[MAX_ARGS];
    int argc;
    char *envp[8];
    gid_t *groups;
    int ngroups;
    uid_t uid;
    gid_t gid;
    int drop;        /* we are root: become the user */
    rlim_t as_limit; /* 0: none */
    int fd;          /* the result pipe's write end */
    int step_fd;     /* the step pipe's write end */
};

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

/* In the child: tell the module, over the step pipe, which step failed; and end. */
static void fail_step(int fd, int step) __attribute__((noreturn));
static void fail_step(int fd, int step)
{
    struct pa_step_report rep = {.step = step, .err = errno};
    if (write(fd, &rep, sizeof(rep)) < 0) {
        /* nothing more to do */
    }
    _exit(127);
}

/* The child, between fork and exec: async-signal-safe calls only (MUST 2). */
/* After fork: every signal's default, none blocked. */
static void reset_signals(void)
{
    struct sigaction dfl;
    sigset_t none;
    memset(&dfl, 0, sizeof(dfl));
    dfl.sa_handler = SIG_DFL;
    for (int s = 1; s < NSIG; s++)
        sigaction(s, &dfl, NULL); /* fails harmlessly for SIGKILL, SIGSTOP, RT internals */
    sigemptyset(&none);
    sigprocmask(SIG_SETMASK, &none, NULL);
}

/*
 * The result pipe to 3, the step pipe to 4 and the helper to 5, by way of
 * copies above them all, so that no dup2 overwrites another of the three;
 * /dev/null on 0-2, nothing else survives exec (the step pipe and the
 * helper's descriptor are close-on-exec).  Failures are said on the step
 * pipe; returns its new number.
 */
static int place_fds(const struct job *j)
{
    int st = j->step_fd;
    int r = fcntl(j->fd, F_DUPFD_CLOEXEC, 10), s = fcntl(st, F_DUPFD_CLOEXEC, 10),
        x = fcntl(j->exe, F_DUPFD_CLOEXEC, 10);
    if (r < 0 || s < 0 || x < 0 || dup3(s, STEP_FD, O_CLOEXEC) != STEP_FD)
        fail_step(st, PA_STEP_FDS);
    st = STEP_FD;
    if (dup2(r, PA_RESULT_FD) != PA_RESULT_FD || dup3(x, EXEC_FD, O_CLOEXEC) != EXEC_FD)
        fail_step(st, PA_STEP_FDS);
    int null = open("/dev/null", O_RDWR); /* 0-2 or above 5: 3-5 are taken */
    if (null < 0)
        fail_step(st, PA_STEP_FDS);
    for (int i = 0; i < 3; i++)
        if (dup2(null, i) != i)
            fail_step(st, PA_STEP_FDS);
    atmos_close_from(EXEC_FD + 1);
    return st;
}

/* Raw system calls: they change this thread, which is all the child has. */
static void drop_to_user(const struct job *j, int st)
{
    uid_t ru, eu, su;
    if (syscall(SYS_setgroups, (size_t)j->ngroups, j->groups) != 0)
        fail_step(st, PA_STEP_GROUPS);
    if (syscall(SYS_setresgid, j->gid, j->gid, j->gid) != 0)
        fail_step(st, PA_STEP_GID);
    if (syscall(SYS_setresuid, j->uid, j->uid, j->uid) != 0)
        fail_step(st, PA_STEP_UID);
    /* The drop must be irreversible: no saved root uid, no way back. */
    errno = EPERM;
    if (syscall(SYS_setresuid, 0, 0, 0) == 0 || syscall(SYS_getresuid, &ru, &eu, &su) != 0 ||
        ru != j->uid || eu != j->uid || su != j->uid)
        fail_step(st, PA_STEP_REGAIN);
}

/* Soft limit only: enough to turn a hostile file into a clean error. */
static void limit_memory(const struct job *j, int st)
{
    struct rlimit lim;
    if (getrlimit(RLIMIT_AS, &lim) != 0)
        fail_step(st, PA_STEP_LIMIT);
    if (lim.rlim_max == RLIM_INFINITY || lim.rlim_max > j->as_limit)
        lim.rlim_cur = j->as_limit;
    if (setrlimit(RLIMIT_AS, &lim) != 0)
        fail_step(st, PA_STEP_LIMIT);
}

static void child(const struct job *j) __attribute__((noreturn));
static void child(const struct job *j)
{
    reset_signals();
    if (setsid() < 0)
        fail_step(j->step_fd, PA_STEP_SESSION);
    int st = place_fds(j);
    if (j->drop)
        drop_to_user(j, st);
    /* No setuid program can give the helper more; it dies with its caller. */
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0 || prctl(PR_SET_PDEATHSIG, SIGKILL) != 0)
        fail_step(st, PA_STEP_NNP);
    if (j->as_limit)
        limit_memory(j, st);
    /*
     * The helper is this child's child.  Exec would give a process the exit
     * signal SIGCHLD again (the kernel resets it), so the process the host
     * sees never execs: it waits for the helper and exits with its status.
     */
    pid_t helper = (pid_t)syscall(SYS_clone, (unsigned long)SIGCHLD, NULL, NULL, NULL, NULL);
    if (helper < 0)
        fail_step(st, PA_STEP_EXEC);
    if (helper == 0) {
        if (prctl(PR_SET_PDEATHSIG, SIGKILL) != 0) /* not inherited across fork */
            fail_step(st, PA_STEP_NNP);
        /* MUST 3: the very file helperpath.c checked. */
        syscall(SYS_execveat, EXEC_FD, "", j->argv, j->envp, AT_EMPTY_PATH);
        if (errno == ENOENT && fcntl(EXEC_FD, F_SETFD, 0) == 0) {
            /* A script: its interpreter reopens /dev/fd/5, which must survive exec. */
            syscall(SYS_execveat, EXEC_FD, "", j->argv, j->envp, AT_EMPTY_PATH);
        }
        fail_step(st, PA_STEP_EXEC);
    }
    /* Only the helper's copies now: its exit is the module's EOF on both pipes. */
    close(PA_RESULT_FD);
    close(STEP_FD);
    close(EXEC_FD);
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

static void emit(void *ctx, int level, const char *line)
{
    static const int prio[] = {LOG_ERR, LOG_WARNING, LOG_INFO, LOG_DEBUG};
    pam_syslog((pam_handle_t *)ctx, prio[level & 3], "%s", line); /* MUST 5: quoted, escaped */
}

/*
 * The step pipe, until its end (the helper's exec, or its child's exit) or
 * the deadline: 1 with *rep filled when a step failed, 0 when none did, -1
 * when the time ran out.
 */
static int read_step(int fd, long long deadline, struct pa_step_report *rep)
{
    size_t have = 0;
    for (;;) {
        int left = atmos_ms_left(deadline);
        if (left == 0)
            return -1;
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return -1;
        ssize_t got = n > 0 ? read(fd, (char *)rep + have, sizeof(*rep) - have) : -1;
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0)
            return 0; /* a report cut short is none: our child writes it whole, or not at all */
        have += (size_t)got;
        if (have == sizeof(*rep))
            return rep->step >= 1 && rep->step <= PA_STEP_LAST;
    }
}

/*
 * Read frames until EOF or the deadline (MUST 4); 1 when the time ran out.
 * After a protocol error the pipe is still drained, so that the helper is
 * not cut off by it and finishes its work: nothing more is parsed.
 */
static int read_frames(pam_handle_t *pamh, struct pa_reader *r, int fd, long long deadline)
{
    unsigned char buf[4096];
    for (;;) {
        int left = atmos_ms_left(deadline);
        if (left == 0)
            return 1;
        struct pollfd p = {fd, POLLIN, 0};
        int n = poll(&p, 1, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n == 0)
            return 1;
        ssize_t got = n > 0 ? read(fd, buf, sizeof(buf)) : -1;
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            pa_reader_end(r);
            return 0;
        }
        pa_reader_feed(r, buf, (size_t)got, emit, pamh);
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

/* What the helper said, by the deadline: the step pipe first (it ends at the helper's exec,
 * before the helper writes anything), then its frames. */
static void collect(pam_handle_t *pamh, int step_fd, int frame_fd, long long deadline,
                    struct pa_reader *r, struct pa_outcome *out)
{
    struct pa_step_report rep = {0, 0};
    pa_reader_init(r);
    int step = read_step(step_fd, deadline, &rep);
    if (step == 1) {
        out->failed_step = rep.step;
        out->step_errno = rep.err;
    } else {
        out->started = 1;
        /* Out of time after its result came is only a slow exit: the work was done. */
        out->timed_out = (step < 0 || read_frames(pamh, r, frame_fd, deadline)) && !r->completed;
    }
    out->protocol_error = r->error;
    if (r->completed) {
        out->completed = 1;
        out->status = r->result.status;
        out->removed = r->result.removed;
        out->failed = r->result.failed;
        out->revoked = r->result.revoked;
        out->signout_failed = r->result.signout_failed;
        out->realms = r->result.realms;
    }
}

int pa_spawn(pam_handle_t *pamh, const struct pa_opts *o, const struct passwd *pw,
             const char *runtime_dir, struct pa_outcome *out)
{
    struct job j = {.exe = -1, .uid = pw->pw_uid, .gid = pw->pw_gid, .fd = -1, .step_fd = -1};
    int fds[2] = {-1, -1}, steps[2] = {-1, -1}, rc = -1, status = 0;
    long long start = atmos_now_ms(), deadline = start + (long long)o->timeout * 1000;
    struct pa_reader r;
    memset(out, 0, sizeof(*out));
    out->exit_status = -1;
    j.drop = geteuid() == 0;
    j.as_limit = (rlim_t)o->memory_limit << 20;
    j.exe = pa_helper_open(pamh, o->helper); /* MUST 3; logged */
    if (j.exe < 0)
        goto done;
    if (build_args(&j, o, runtime_dir) != 0 || build_env(&j, pw) != 0 ||
        (j.drop && build_groups(&j, pw) != 0)) {
        pam_syslog(pamh, LOG_ERR, "cannot prepare the helper for %s: out of memory", pw->pw_name);
        goto done;
    }
    if (pipe2(fds, O_CLOEXEC) != 0 || pipe2(steps, O_CLOEXEC) != 0) {
        pam_syslog(pamh, LOG_ERR, "pipe: %s", strerror(errno));
        goto done;
    }
    j.fd = fds[1];
    j.step_fd = steps[1];
    pid_t pid = fork_quiet();
    if (pid < 0) {
        pam_syslog(pamh, LOG_ERR, "fork: %s", strerror(errno));
        goto done;
    }
    if (pid == 0)
        child(&j);
    close(fds[1]);
    close(steps[1]);
    fds[1] = steps[1] = -1;
    collect(pamh, steps[0], fds[0], deadline, &r, out);
    if (!reap(pid, out->timed_out, &status))
        pam_syslog(pamh, LOG_WARNING, "helper %ld did not exit after SIGKILL", (long)pid);
    else if (WIFEXITED(status) && WEXITSTATUS(status) > 128 && !out->timed_out)
        out->signal = WEXITSTATUS(status) - 128; /* relayed by our child (see child()) */
    else if (WIFEXITED(status))
        out->exit_status = WEXITSTATUS(status);
    if (r.dropped)
        pam_syslog(pamh, LOG_WARNING,
                   "%u more lines from the helper not logged (at most %d lines, %d bytes a close)",
                   r.dropped, PA_LOG_LINES, PA_LOG_BYTES);
    out->duration_ms = atmos_now_ms() - start;
    rc = 0;
done:
    for (int i = 0; i < 2; i++) {
        if (fds[i] >= 0)
            close(fds[i]);
        if (steps[i] >= 0)
            close(steps[i]);
    }
    if (j.exe >= 0)
        close(j.exe);
    job_free(&j);
    return rc;
}

/*
 * atmos-logout --user NAME as root: the logout runs in a child that has
 * become that user for good; root's process only waits, within --timeout,
 * and passes on the exit status and the signals it is sent.
 */
#include <errno.h>
#include <pwd.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <termios.h>
#include <unistd.h>

#include <atmos/env.h>
#include <atmos/privdrop.h>

#include "asuser.h"
#include "base/clock.h"
#include "show.h"
#include "status.h"

/* --user: the user's run, for the signal handlers (its process group id). */
static volatile sig_atomic_t user_child;

/* Root's command is interrupted or told to stop: so is the user's run, which it waits for. */
static void forward(int sig)
{
    int e = errno;
    if (user_child > 0)
        kill(-(pid_t)user_child, sig);
    errno = e;
}

/* Give the terminal's foreground to process group pg (SIGTTOU held off while we do). */
static void give_terminal(int tty, pid_t pg)
{
    sigset_t ttou, old;
    sigemptyset(&ttou);
    sigaddset(&ttou, SIGTTOU);
    sigprocmask(SIG_BLOCK, &ttou, &old);
    if (tcsetpgrp(tty, pg) != 0) {
        /* not ours to give (a background job): the run simply has no terminal */
    }
    sigprocmask(SIG_SETMASK, &old, NULL);
}

/*
 * Wait for the user's run, at most `timeout` seconds: then its whole process
 * group is killed (SIGKILL also ends a stopped process) and reaped within
 * two seconds more.  A stopped child is not reported (no WUNTRACED): only
 * its end or the deadline ends the wait.  The exit status as atmos-logout(1)
 * documents it.
 */
static int wait_user(pid_t pid, const char *name, unsigned timeout)
{
    long long deadline = atmos_now_ms() + (long long)timeout * 1000;
    int status, killed = 0;
    for (;;) {
        pid_t w = waitpid(pid, &status, WNOHANG);
        if (w == pid) {
            user_child = 0; /* reaped: its id is no longer ours to signal */
            break;
        }
        if (w < 0 && errno != EINTR) {
            fprintf(stderr, "Error: waiting for the logout as %s: %s\n", atmos_show(name),
                    strerror(errno));
            return EXIT_FAIL;
        }
        if (!killed && atmos_now_ms() >= deadline) {
            /* The group while its leader is unreaped: the id cannot have been reused. */
            kill(-pid, SIGKILL);
            kill(pid, SIGKILL);
            killed = 1;
            deadline = atmos_now_ms() + 2000;
        } else if (killed && atmos_now_ms() >= deadline) {
            fprintf(stderr, "Error: the logout as %s did not end after SIGKILL (process %ld)\n",
                    atmos_show(name), (long)pid);
            return EXIT_TIMEOUT;
        }
        atmos_nap_ms(20);
    }
    if (killed) {
        fprintf(stderr, "Error: the logout as %s did not finish within %u s and was killed; "
                        "what it removed before is gone, the rest is left\n",
                atmos_show(name), timeout);
        return EXIT_TIMEOUT;
    }
    if (WIFSIGNALED(status)) {
        fprintf(stderr, "Error: the logout as %s was killed by signal %d (%s)\n", atmos_show(name),
                WTERMSIG(status), strsignal(WTERMSIG(status)));
        return 128 + WTERMSIG(status);
    }
    return WEXITSTATUS(status);
}

/* In the child: a process group of its own (with the terminal), the user for good, the
 * user's environment and home; exits on failure. */
static void become(struct atmos_args *a, const struct passwd *pw, int tty)
{
    char why[256];
    /* Both sides set the group and the terminal: whichever runs first, neither waits. */
    setpgid(0, 0);
    if (tty >= 0)
        give_terminal(tty, getpid());
    /* Keep only what shapes the output and how the clouds' servers are reached;
     * everything else comes from passwd. */
    static const char *const own[] = {"TERM",        "NO_COLOR", "ATMOS_LOGS_LEVEL",
                                      "LANG",        "LC_ALL",   "HTTPS_PROXY",
                                      "https_proxy", "NO_PROXY", "no_proxy"};
    const char *keep[sizeof(own) / sizeof(*own) + 16];
    size_t nkeep = 0;
    for (size_t i = 0; i < sizeof(own) / sizeof(*own); i++)
        keep[nkeep++] = own[i];
    for (size_t i = 0; nkeep < sizeof(keep) / sizeof(*keep) && atmos_env_transport_var(i); i++)
        keep[nkeep++] = atmos_env_transport_var(i);
    char *vals[sizeof(keep) / sizeof(*keep)];
    for (size_t i = 0; i < nkeep; i++)
        vals[i] = getenv(keep[i]) ? strdup(getenv(keep[i])) : NULL;
    if (atmos_become_user(pw, why, sizeof(why)) != 0 || atmos_user_environment(pw) != 0) {
        fprintf(stderr, "Error: cannot become %s: %s\n", atmos_show(a->user), why);
        _exit(EXIT_FAIL);
    }
    for (size_t i = 0; i < nkeep; i++) {
        if (vals[i])
            setenv(keep[i], vals[i], 1);
        free(vals[i]);
    }
    if (chdir(pw->pw_dir) != 0 && chdir("/") != 0)
        _exit(EXIT_FAIL);
    a->as_other = 1;
}

/* In root's process: the run's group and the terminal given, the signals passed on, and the
 * wait within the timeout; then all as it was. */
static int wait_passing_on(struct atmos_args *a, pid_t pid, int tty, const sigset_t *mask,
                           unsigned timeout)
{
    static const int passed_on[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    setpgid(pid, pid);
    if (tty >= 0)
        give_terminal(tty, pid);
    user_child = pid;
    struct sigaction fw, old[4];
    memset(&fw, 0, sizeof(fw));
    fw.sa_handler = forward;
    sigemptyset(&fw.sa_mask);
    for (int i = 0; i < 4; i++) {
        sigaction(passed_on[i], NULL, &old[i]);
        /* One the caller ignores (nohup, a shell's background job) stays ignored, for both. */
        if (old[i].sa_handler != SIG_IGN)
            sigaction(passed_on[i], &fw, NULL);
    }
    sigprocmask(SIG_SETMASK, mask, NULL);
    int rc = wait_user(pid, a->user, timeout);
    user_child = 0;
    for (int i = 0; i < 4; i++)
        sigaction(passed_on[i], &old[i], NULL);
    if (tty >= 0)
        give_terminal(tty, getpgrp());
    return rc;
}

/*
 * --user NAME as root: the rest runs in a child that has become that user
 * for good; the parent only waits, within --timeout, and passes on the exit
 * status.  Returns -1 in the child (carry on), or the exit status in the
 * parent.
 *
 * MUST, in root's process: never wait for the user's run without bound (the
 * user can stop it, SIGSTOP, and would stall root's command or a cron loop
 * over users); pass SIGINT, SIGTERM, SIGHUP and SIGQUIT on to it (those the
 * caller does not ignore); report a
 * run that was killed as killed.  The run gets a process group of its own
 * (so all of it can be killed) and, when root's command has the terminal,
 * the terminal's foreground (so its prompts and ^C work as before).
 */
int atmos_cli_run_as_user(struct atmos_args *a)
{
    struct passwd *pw = getpwnam(a->user);
    if (pw == NULL) {
        fprintf(stderr, "Error: no such user: %s\n", atmos_show(a->user));
        return a->status ? ATMOS_STATUS_EXIT_ERROR : EXIT_FAIL;
    }
    if (getuid() != 0 || geteuid() != 0) {
        if (pw->pw_uid == getuid())
            return -1; /* oneself: nothing to switch */
        fprintf(stderr, "Error: only root can log out another user (--user %s).\n",
                atmos_show(a->user));
        return a->status ? ATMOS_STATUS_EXIT_ERROR : EXIT_FAIL;
    }
    if (pw->pw_uid == 0)
        return -1;
    unsigned timeout = a->timeout ? a->timeout : ATMOS_USER_TIMEOUT;
    int tty = isatty(STDIN_FILENO) && tcgetpgrp(STDIN_FILENO) == getpgrp() ? STDIN_FILENO : -1;
    static const int passed_on[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT};
    sigset_t held, mask;
    sigemptyset(&held);
    for (int i = 0; i < 4; i++)
        sigaddset(&held, passed_on[i]);
    /* Held from before the fork until the handlers are in place: none is lost, none kills us early. */
    sigprocmask(SIG_BLOCK, &held, &mask);
    fflush(stdout);
    fflush(stderr);
    pid_t pid = fork();
    if (pid < 0) {
        fprintf(stderr, "Error: fork: %s\n", strerror(errno));
        sigprocmask(SIG_SETMASK, &mask, NULL);
        return EXIT_FAIL;
    }
    if (pid == 0) {
        sigprocmask(SIG_SETMASK, &mask, NULL); /* the caller's dispositions, as they were */
        become(a, pw, tty);
        return -1;
    }
    return wait_passing_on(a, pid, tty, &mask, timeout);
}

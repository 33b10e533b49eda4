/*
 * Drive a PAM session through the real libpam with a service file from a
 * test directory (pam_start_confdir).
 *
 *   pamtest CONFDIR SERVICE USER STEPS [NAME=VALUE...]
 *
 * STEPS is a string of: o (pam_open_session), c (pam_close_session),
 * w (wait for a line on stdin), s (use PAM_SILENT for what follows), and the
 * hosts' habits pam_atmos must survive:
 *   t  start a thread that calls syslog() in a loop (a threaded host: gdm)
 *   i  ignore SIGCHLD (SIG_IGN) and start a child of the host's own
 *   h  count SIGCHLD in a handler and start a child of the host's own
 *   f  ignore SIGXFSZ and set RLIMIT_FSIZE to 1 KiB (pam_limits' fsize=1)
 *   r  report on the host's child: "host child: reaped by the kernel" or
 *      "host child: zombie" (after i), "host handler: N signal(s), own child
 *      seen=0|1" (after h)
 * NAME=VALUE arguments go into the PAM environment (pam_putenv), except
 * RHOST= and TTY= which set PAM_RHOST and PAM_TTY.  Prints one line per call:
 * "open=<return code name>", "close=<...>", and "msg: <text>" for every
 * message the module sends to the user.
 *
 * A stack that ends in PAM_IGNORE everywhere has no result of its own, so the
 * test service files put a marker after pam_atmos:
 *     session [success=done ignore=ignore default=die] pam_atmos.so ...
 *     session required pam_debug.so open_session=cred_unavail close_session=cred_unavail
 * The marker runs only when pam_atmos returned PAM_IGNORE, and its
 * PAM_CRED_UNAVAIL (a code pam_atmos never returns, and one without the resume
 * semantics of PAM_INCOMPLETE) is printed as PAM_IGNORE.
 */
#include <errno.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/wait.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_appl.h>

static int conv(int n, const struct pam_message **msg, struct pam_response **resp, void *data)
{
    (void)data;
    for (int i = 0; i < n; i++)
        if (strncmp(msg[i]->msg, "open_session=", 13) != 0 &&
            strncmp(msg[i]->msg, "close_session=", 14) != 0) /* the marker's own chatter */
            printf("msg: %s\n", msg[i]->msg);
    fflush(stdout);
    *resp = calloc((size_t)n, sizeof(**resp));
    return *resp ? PAM_SUCCESS : PAM_BUF_ERR;
}

static const char *code(int rc)
{
    switch (rc) {
    case PAM_SUCCESS:
        return "PAM_SUCCESS";
    case PAM_IGNORE:
    case PAM_CRED_UNAVAIL: /* the marker: pam_atmos ignored */
        return "PAM_IGNORE";
    case PAM_SESSION_ERR:
        return "PAM_SESSION_ERR";
    default:
        return "OTHER";
    }
}

static void *busy_syslog(void *arg)
{
    (void)arg;
    for (;;) {
        syslog(LOG_DEBUG, "pamtest host thread: busy in syslog");
        usleep(200);
    }
    return NULL;
}

/* The host's own child: alive while the module works, exits during the close. */
static pid_t host_child = -1;
static volatile sig_atomic_t handled, own_seen;

static void on_chld(int sig, siginfo_t *si, void *ctx)
{
    (void)sig;
    (void)ctx;
    handled++;
    if (si->si_pid == host_child)
        own_seen = 1;
}

static void start_host_child(void)
{
    host_child = fork();
    if (host_child == 0) {
        usleep(300000);
        _exit(0);
    }
}

static void host_step(char step)
{
    struct sigaction sa;
    struct rlimit lim = {1024, 1024};
    pthread_t t;
    memset(&sa, 0, sizeof(sa));
    switch (step) {
    case 't':
        pthread_create(&t, NULL, busy_syslog, NULL);
        break;
    case 'i':
        sa.sa_handler = SIG_IGN;
        sigaction(SIGCHLD, &sa, NULL);
        start_host_child();
        break;
    case 'h':
        sa.sa_sigaction = on_chld;
        sa.sa_flags = SA_SIGINFO | SA_RESTART;
        sigaction(SIGCHLD, &sa, NULL);
        start_host_child();
        break;
    case 'f':
        signal(SIGXFSZ, SIG_IGN);
        setrlimit(RLIMIT_FSIZE, &lim);
        break;
    case 'r':
        usleep(400000); /* past the host child's exit */
        if (handled || own_seen) {
            printf("host handler: %d signal(s), own child seen=%d\n", (int)handled, (int)own_seen);
        } else {
            pid_t w = waitpid(host_child, NULL, WNOHANG);
            printf("host child: %s\n", w < 0 && errno == ECHILD ? "reaped by the kernel"
                                       : w == host_child        ? "zombie"
                                                                : "still running");
        }
        break;
    }
}

int main(int argc, char **argv)
{
    struct pam_conv c = {conv, NULL};
    pam_handle_t *pamh = NULL;
    if (argc < 5) {
        fprintf(stderr, "usage: pamtest CONFDIR SERVICE USER STEPS [NAME=VALUE...]\n");
        return 2;
    }
    int rc = pam_start_confdir(argv[2], argv[3], &c, argv[1], &pamh);
    if (rc != PAM_SUCCESS) {
        fprintf(stderr, "pam_start_confdir: %s\n", pam_strerror(pamh, rc));
        return 2;
    }
    for (int i = 5; i < argc; i++) {
        if (strncmp(argv[i], "RHOST=", 6) == 0)
            pam_set_item(pamh, PAM_RHOST, argv[i] + 6);
        else if (strncmp(argv[i], "TTY=", 4) == 0)
            pam_set_item(pamh, PAM_TTY, argv[i] + 4);
        else
            pam_putenv(pamh, argv[i]);
    }
    int flags = 0;
    for (const char *s = argv[4]; *s; s++) {
        char line[64];
        switch (*s) {
        case 'o':
            printf("open=%s\n", code(pam_open_session(pamh, flags)));
            break;
        case 'c':
            printf("close=%s\n", code(pam_close_session(pamh, flags)));
            break;
        case 'w':
            printf("waiting\n");
            fflush(stdout);
            if (fgets(line, sizeof(line), stdin) == NULL)
                break;
            break;
        case 's':
            flags |= PAM_SILENT;
            break;
        default:
            host_step(*s);
        }
        fflush(stdout);
    }
    pam_end(pamh, PAM_SUCCESS);
    return 0;
}

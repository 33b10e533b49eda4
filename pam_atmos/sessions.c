/*
 * The user's other live sessions that the module did not record: those
 * opened before pam_atmos was in the stack, or by a stack without it.  A
 * close must never clean under one of them.  Two witnesses, each read only
 * where it exists:
 *  - logind: /run/systemd/users/<uid> lists the user's sessions (SESSIONS=),
 *    and /run/systemd/sessions/<id> each one's CLASS= and STATE=; a session
 *    of a user class (user, user-early, user-incomplete) that is not closing
 *    counts, except this one (XDG_SESSION_ID).  The user's service manager
 *    (class manager) and background sessions do not.
 *  - utmp: a USER_PROCESS entry of the user whose process is alive and
 *    started no later than the entry's login (not a pid reused since),
 *    except this session's own terminal line.  sshd (with a terminal; the
 *    entry names its session process, root's), login and display managers
 *    write these.
 *
 * MUST:
 * 1. Read only root's files, not writable by others (utmp may be group
 *    utmp's), never through a symlink, never blocking (O_NONBLOCK: a FIFO
 *    where a file should be), and at most a bounded number of bytes.
 * 2. Anything unreadable or malformed is reported, and counts as "another
 *    session may be open": the close then removes nothing (nothing lost).
 * 3. Names taken from a file are checked before they become part of a path.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>
#include <utmp.h>

#include <security/pam_ext.h>

#include "hostroot.h"
#include "records.h"
#include "sessions.h"

#define LOGIND_MAX 8192 /* a user's or a session's state file (a few hundred bytes) */
#define UTMP_MAX (4096 * sizeof(struct utmp)) /* 1.5 MiB: far more logins than a host has */

/* The whole of a small file of root's into buf (NUL-terminated); its length, -2 when absent,
 * -1 on any other problem (why in *why). */
static ssize_t read_root_file(const char *path, char *buf, size_t cap, int group_ok,
                              const char **why)
{
    struct stat st;
    int fd = open(path, O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
    if (fd < 0) {
        *why = errno == ENOENT ? NULL : errno == ELOOP ? "a symlink" : strerror(errno);
        return errno == ENOENT ? -2 : -1;
    }
    ssize_t n = -1, got = 0;
    mode_t bad = group_ok ? S_IWOTH : (S_IWGRP | S_IWOTH);
    if (fstat(fd, &st) != 0)
        *why = strerror(errno);
    else if (!S_ISREG(st.st_mode))
        *why = "not a regular file";
    else if (!pa_roots(st.st_uid) || (st.st_mode & bad))
        *why = "not root's, or writable by others";
    else if ((size_t)st.st_size >= cap)
        *why = "too large";
    else {
        while ((size_t)got < cap - 1 && (n = read(fd, buf + got, cap - 1 - (size_t)got)) != 0) {
            if (n < 0 && errno == EINTR)
                continue;
            if (n < 0)
                break;
            got += n;
        }
        if (n < 0)
            *why = strerror(errno);
        else if ((size_t)got >= cap - 1)
            *why = "too large";
        n = n < 0 || (size_t)got >= cap - 1 ? -1 : got;
    }
    close(fd);
    if (n >= 0)
        buf[n] = '\0';
    return n;
}

/* The value of "KEY=" at the start of a line of buf, copied into out (cut at `len`); NULL
 * when no line has it.  buf is left as it is: a later key may be on any line. */
static const char *value_of(const char *buf, const char *key, char *out, size_t len)
{
    size_t k = strlen(key);
    for (const char *line = buf; line && *line;
         line = strchr(line, '\n'), line = line ? line + 1 : NULL) {
        if (strncmp(line, key, k) == 0 && line[k] == '=') {
            const char *v = line + k + 1;
            size_t n = strcspn(v, "\n");
            if (n >= len)
                n = len - 1;
            memcpy(out, v, n);
            out[n] = '\0';
            return out;
        }
    }
    return NULL;
}

/* logind's session ids are short alphanumeric names ("3", "c1"). */
static int session_id_ok(const char *s, size_t n)
{
    if (n == 0 || n > 32)
        return 0;
    for (size_t i = 0; i < n; i++)
        if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'z') ||
              (s[i] >= 'A' && s[i] <= 'Z')))
            return 0;
    return 1;
}

/* 1 when logind's session `id` is a user's session that is not closing; 0 if not; -1 unknown. */
static int logind_session_live(pam_handle_t *pamh, const char *id)
{
    char path[96], buf[LOGIND_MAX];
    const char *why = NULL;
    snprintf(path, sizeof(path), "/run/systemd/sessions/%s", id);
    ssize_t n = read_root_file(PA_HOST_PATH(path), buf, sizeof(buf), 0, &why);
    if (n == -2)
        return 0; /* gone since the user's file was written */
    if (n < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot read logind's %s (%s)", path, why);
        return -1;
    }
    char cbuf[64], sbuf[64];
    const char *class = value_of(buf, "CLASS", cbuf, sizeof(cbuf));
    const char *state = value_of(buf, "STATE", sbuf, sizeof(sbuf));
    if (state && strcmp(state, "closing") == 0)
        return 0;
    return class == NULL || strncmp(class, "user", 4) == 0;
}

static int logind_sessions(pam_handle_t *pamh, uid_t uid, long *others)
{
    char path[64], buf[LOGIND_MAX];
    const char *why = NULL, *self = pam_getenv(pamh, "XDG_SESSION_ID");
    snprintf(path, sizeof(path), "/run/systemd/users/%lu", (unsigned long)uid);
    ssize_t n = read_root_file(PA_HOST_PATH(path), buf, sizeof(buf), 0, &why);
    if (n == -2)
        return 0; /* no logind, or no session of the user's in it */
    if (n < 0) {
        pam_syslog(pamh, LOG_ERR, "cannot read logind's %s (%s)", path, why);
        return -1;
    }
    char sessions[LOGIND_MAX];
    const char *list = value_of(buf, "SESSIONS", sessions, sizeof(sessions));
    for (const char *p = list; p && *p;) {
        size_t len = strcspn(p, " ");
        char id[33];
        if (len > 0 && !session_id_ok(p, len)) { /* MUST 3 */
            pam_syslog(pamh, LOG_ERR, "logind's %s lists a session name it never makes", path);
            return -1;
        }
        if (len > 0) {
            memcpy(id, p, len);
            id[len] = '\0';
            int live = self && strcmp(self, id) == 0 ? 0 : logind_session_live(pamh, id);
            if (live < 0)
                return -1;
            *others += live;
        }
        p += len + (p[len] == ' ');
    }
    return 0;
}

/* The boot time, in seconds since the epoch ("btime" of /proc/stat); 0 if unknown. */
static long long boot_time(void)
{
    enum { STAT_MAX = 1 << 20 }; /* a line per CPU comes first */
    char *buf = malloc(STAT_MAX);
    const char *why = NULL, *b;
    long long t = 0;
    if (buf && read_root_file("/proc/stat", buf, STAT_MAX, 0, &why) >= 0 &&
        (b = strstr(buf, "\nbtime ")) != NULL && sscanf(b + 7, "%lld", &t) != 1)
        t = 0;
    free(buf);
    return t;
}

/*
 * The process of a utmp entry still runs: the pid is alive and its process
 * started no later than the entry's login time (sshd's entry names its own
 * session process, root's; a pid reused since started later).
 */
static int entry_alive(pid_t pid, long long login, long long boot)
{
    long ticks = sysconf(_SC_CLK_TCK);
    if (pid <= 0 || (kill(pid, 0) != 0 && errno != EPERM))
        return 0;
    unsigned long long start = pa_process_start(pid);
    if (start == 0 || boot == 0 || ticks <= 0)
        return 1; /* alive, and nothing says it is another process: it counts */
    return boot + (long long)(start / (unsigned long long)ticks) <= login + 2;
}

/* This session's terminal as utmp names it ("pts/3" for "/dev/pts/3"); "" when none. */
static const char *own_line(pam_handle_t *pamh)
{
    const char *tty = NULL;
    if (pam_get_item(pamh, PAM_TTY, (const void **)&tty) != PAM_SUCCESS || tty == NULL)
        return "";
    return strncmp(tty, "/dev/", 5) == 0 ? tty + 5 : tty;
}

/*
 * Walk utmp: count the user's other live entries into *others, and set *own when
 * an entry (live or already ended) is this process's: sshd names the process
 * that runs the PAM stack in the entry of a session with a terminal, and keeps
 * PAM_TTY "ssh" for it, so that entry is how a close knows it had one.
 * 0, or -1 when utmp cannot be read (logged).
 */
static int scan_utmp(pam_handle_t *pamh, const char *user, long *others, int *own)
{
    const char *why = NULL, *line = own_line(pamh);
    pid_t self = getpid();
    char *buf = malloc(UTMP_MAX + 1); /* not static: the host may be threaded */
    if (buf == NULL) {
        pam_syslog(pamh, LOG_ERR, "out of memory");
        return -1;
    }
    ssize_t n = read_root_file(PA_HOST_PATH(_PATH_UTMP), buf, UTMP_MAX + 1, 1, &why);
    if (n == -2) {
        free(buf);
        return 0; /* no utmp on this host */
    }
    if (n >= 0 && n % (ssize_t)sizeof(struct utmp) != 0)
        why = "its size is not a whole number of utmp records";
    if (n < 0 || why) {
        pam_syslog(pamh, LOG_ERR, "cannot read %s (%s)", _PATH_UTMP, why ? why : "?");
        free(buf);
        return -1;
    }
    long long boot = -1; /* read once, and only when an entry needs it */
    for (ssize_t off = 0; off < n; off += (ssize_t)sizeof(struct utmp)) {
        struct utmp u;
        memcpy(&u, buf + off, sizeof(u));
        if ((u.ut_type == USER_PROCESS || u.ut_type == DEAD_PROCESS) && u.ut_pid == self) {
            *own = 1; /* this session's own entry (an ended one has no user name left) */
            continue;
        }
        if (u.ut_type != USER_PROCESS || strncmp(u.ut_user, user, sizeof(u.ut_user)) != 0 ||
            (strlen(user) < sizeof(u.ut_user) && u.ut_user[strlen(user)] != '\0'))
            continue;
        if (*line && strncmp(u.ut_line, line, sizeof(u.ut_line)) == 0)
            continue; /* this session's own line */
        if (boot < 0)
            boot = boot_time();
        *others += entry_alive(u.ut_pid, u.ut_tv.tv_sec, boot);
    }
    free(buf);
    return 0;
}

int pa_unrecorded_sessions(pam_handle_t *pamh, const char *user, uid_t uid)
{
    long others = 0;
    int own = 0;
    if (logind_sessions(pamh, uid, &others) != 0 || scan_utmp(pamh, user, &others, &own) != 0)
        return -1;
    return others > INT_MAX ? INT_MAX : (int)others;
}

int pa_has_terminal(pam_handle_t *pamh, const char *user)
{
    const char *tty = NULL, *display = NULL;
    long others = 0;
    int own = 0;
    pam_get_item(pamh, PAM_TTY, (const void **)&tty);
    pam_get_item(pamh, PAM_XDISPLAY, (const void **)&display);
    if ((display && *display) ||
        (tty && (strncmp(tty, "/dev/", 5) == 0 || strncmp(tty, "tty", 3) == 0 ||
                 strncmp(tty, "pts/", 4) == 0 || tty[0] == ':')))
        return 1;
    /* An unreadable utmp was logged; the session is then taken to have no terminal. */
    return scan_utmp(pamh, user, &others, &own) == 0 && own;
}

/*
 * pam_atmos_helper: the cleanup that pam_atmos.so runs at a user's last
 * logout, exec'd by the module already as that user (as pam_unix runs
 * unix_chkpwd), with an environment built from the passwd entry and the
 * module's options as arguments.  It loads the user's configuration, runs
 * the engine and reports to the module over descriptor 3 (protocol.h).
 *
 * MUST: never run as root (root's own data is not cleaned by the module,
 * and this program is no tool for root); trust the session's runtime
 * directory only once it is checked, as the user, to be the user's; keep
 * every report bounded (PA_FRAME_MAX).  Run by hand it cleans up the
 * caller's own data only, which the caller may do anyway.
 */
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <pwd.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cleanup.h"

static int result_fd = -1;

static void frame(int type, int level, const char *text, size_t len)
{
    unsigned char buf[4 + PA_FRAME_MAX];
    if (result_fd < 0)
        return;
    if (len > PA_FRAME_MAX)
        len = PA_FRAME_MAX;
    buf[0] = (unsigned char)type;
    buf[1] = (unsigned char)level;
    buf[2] = (unsigned char)(len >> 8);
    buf[3] = (unsigned char)len;
    memcpy(buf + 4, text, len);
    /* One write per frame, below PIPE_BUF... not always; so loop until it is all out. */
    for (size_t off = 0; off < len + 4;) {
        ssize_t w = write(result_fd, buf + off, len + 4 - off);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            _exit(3); /* the module stopped listening */
        off += (size_t)w;
    }
}

void pa_log(int level, const char *fmt, ...)
{
    char msg[PA_FRAME_MAX + 1];
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(msg, sizeof(msg), fmt, ap);
    va_end(ap);
    if (n >= 0)
        frame(PA_FRAME_LOG, level < 0 ? 0 : level > 3 ? 3 : level, msg, strlen(msg));
}

/* The session's runtime directory and bus, only when they are the user's (checked as the user). */
static void runtime_env(const char *rt, uid_t uid)
{
    char dflt[64], bus[600], addr[620];
    struct stat st;
    snprintf(dflt, sizeof(dflt), "/run/user/%lu", (unsigned long)uid);
    if (rt == NULL || rt[0] != '/')
        rt = dflt;
    if (lstat(rt, &st) != 0 || !S_ISDIR(st.st_mode) || st.st_uid != uid || (st.st_mode & 077))
        return;
    setenv("XDG_RUNTIME_DIR", rt, 1);
    if (snprintf(bus, sizeof(bus), "%s/bus", rt) >= (int)sizeof(bus))
        return;
    if (lstat(bus, &st) != 0 || !S_ISSOCK(st.st_mode) || st.st_uid != uid)
        return;
    snprintf(addr, sizeof(addr), "unix:path=%s", bus);
    setenv("DBUS_SESSION_BUS_ADDRESS", addr, 1);
}

enum { O_PROTOCOL = 256, O_NETWORK, O_CONFIG, O_RUNTIME, O_CA, O_ENDPOINT, O_PROXY };

static const struct option longopts[] = {
    {"protocol", required_argument, NULL, O_PROTOCOL},
    {"network-home", required_argument, NULL, O_NETWORK},
    {"config", required_argument, NULL, O_CONFIG},
    {"runtime-dir", required_argument, NULL, O_RUNTIME},
    {"revoke-ca-bundle", required_argument, NULL, O_CA},
    {"revoke-endpoint", required_argument, NULL, O_ENDPOINT},
    {"revoke-proxy", required_argument, NULL, O_PROXY},
    {"identity", required_argument, NULL, 'i'},
    {"provider", required_argument, NULL, 'p'},
    {"debug", no_argument, NULL, 'd'},
    {"dry-run", no_argument, NULL, 'n'},
    {"keychain", no_argument, NULL, 'k'},
    {"revoke", no_argument, NULL, 'r'},
    {NULL, 0, NULL, 0},
};

/* 0, or -1 with the reason logged. */
static int parse(int argc, char **argv, struct pa_job *j)
{
    int c, protocol = 0;
    memset(j, 0, sizeof(*j));
    while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
        switch (c) {
        case O_PROTOCOL:
            protocol = atoi(optarg);
            break;
        case O_NETWORK:
            j->network_clean = strcmp(optarg, "clean") == 0;
            break;
        case O_CONFIG:
            j->config = optarg;
            break;
        case O_RUNTIME:
            j->runtime_dir = optarg;
            break;
        case O_CA:
            j->revoke_ca_bundle = optarg;
            break;
        case O_ENDPOINT:
            j->revoke_endpoint = optarg;
            break;
        case O_PROXY:
            j->revoke_proxy = optarg;
            break;
        case 'i':
        case 'p': {
            int *n = c == 'i' ? &j->nidentity : &j->nprovider;
            if (*n >= PA_MAX_TARGETS)
                return -1;
            (c == 'i' ? j->identity : j->provider)[(*n)++] = optarg;
            break;
        }
        case 'd':
            j->debug = 1;
            break;
        case 'n':
            j->dry_run = 1;
            break;
        case 'k':
            j->keychain = 1;
            break;
        case 'r':
            j->revoke = 1;
            break;
        default:
            return -1;
        }
    }
    if (protocol != PA_PROTOCOL || optind != argc) {
        pa_log(0, "helper arguments of another version (protocol %d, this is %d)", protocol,
               PA_PROTOCOL);
        return -1;
    }
    return 0;
}

int main(int argc, char **argv)
{
    struct stat st;
    struct pa_job j;
    struct pa_result r = {.status = PA_HELPER_ERROR};
    char line[128];
    /* Descriptor 3 is the module's pipe; anything else there is not ours to write to. */
    if (fstat(PA_RESULT_FD, &st) == 0 && S_ISFIFO(st.st_mode))
        result_fd = PA_RESULT_FD;
    /* Ours alone: a child the engine starts must not hold the module's EOF back. */
    if (result_fd >= 0)
        fcntl(result_fd, F_SETFD, FD_CLOEXEC);
    if (geteuid() == 0 || getuid() == 0) {
        pa_log(0, "the helper does not run as root");
        return 2;
    }
    struct passwd *pw = getpwuid(getuid());
    if (pw == NULL || pw->pw_dir == NULL || pw->pw_dir[0] != '/') {
        pa_log(0, "uid %lu has no passwd entry with a home directory", (unsigned long)getuid());
        return 2;
    }
    if (result_fd < 0)
        fprintf(stderr, "pam_atmos_helper: run by pam_atmos.so, which reads descriptor 3\n");
    if (parse(argc, argv, &j) == 0) {
        runtime_env(j.runtime_dir, pw->pw_uid);
        pa_cleanup(&j, pw, &r);
    }
    /* The module takes no count above PA_COUNT_MAX: a larger one says as much as the cap. */
    size_t counts[] = {r.removed, r.failed, r.revoked, r.signout_failed, r.realms};
    for (size_t i = 0; i < sizeof(counts) / sizeof(*counts); i++)
        if (counts[i] > PA_COUNT_MAX)
            counts[i] = PA_COUNT_MAX;
    int n = snprintf(line, sizeof(line), "%d %d %zu %zu %zu %zu %zu", PA_PROTOCOL, (int)r.status,
                     counts[0], counts[1], counts[2], counts[3], counts[4]);
    frame(PA_FRAME_RESULT, 0, line, (size_t)n);
    return r.status == PA_HELPER_ERROR ? 2 : 0;
}

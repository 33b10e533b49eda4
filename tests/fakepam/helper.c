/*
 * A stand-in for pam_atmos_helper that speaks the frame protocol
 * (pam_atmos/protocol.h) the way a case asks: the module passes config=
 * on as --config=SCENARIO, and the scenario says which frames to write to
 * descriptor 3 and how to end.  It is the module's side of the protocol
 * that is under test: good frames, bad ones, a helper that hangs.
 */
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "../../pam_atmos/protocol.h"

extern char **environ;

static void raw(const void *p, size_t n)
{
    const char *c = p;
    while (n > 0) {
        ssize_t w = write(PA_RESULT_FD, c, n);
        if (w <= 0)
            _exit(3);
        c += w;
        n -= (size_t)w;
    }
}

static void frame(char type, int level, const char *text, size_t len)
{
    unsigned char h[4] = {(unsigned char)type, (unsigned char)level, (unsigned char)(len >> 8),
                          (unsigned char)len};
    raw(h, 4);
    raw(text, len);
}

static void say(int level, const char *text)
{
    frame(PA_FRAME_LOG, level, text, strlen(text));
}

static void result(const char *text)
{
    frame(PA_FRAME_RESULT, 0, text, strlen(text));
}

int main(int argc, char **argv)
{
    const char *s = "good";
    for (int i = 1; i < argc; i++)
        if (strncmp(argv[i], "--config=", 9) == 0)
            s = argv[i] + 9;
    if (strcmp(s, "good") == 0) {
        say(2, "cleaned 3 items");
        result("3 0 3 0 0 0 1");
    } else if (strcmp(s, "args") == 0) {
        /* What the module passed: its arguments, the environment, the address-space limit. */
        char line[256];
        struct rlimit lim;
        for (int i = 1; i < argc; i++)
            say(3, argv[i]);
        for (char **e = environ; *e; e++)
            say(3, *e);
        getrlimit(RLIMIT_AS, &lim);
        snprintf(line, sizeof(line), "as=%lluMiB", lim.rlim_cur == RLIM_INFINITY
                                                       ? 0ULL
                                                       : (unsigned long long)lim.rlim_cur >> 20);
        say(3, line);
        result("3 0 0 0 0 0 0");
    } else if (strcmp(s, "failed") == 0) {
        say(1, "could not remove: x");
        result("3 0 1 2 0 0 0");
    } else if (strcmp(s, "signout-failed") == 0) {
        /* Every file removed, two server-side sign-outs failed (offline), one confirmed. */
        say(1, "not signed out of the IAM Identity Center session (us-east-1): connection refused");
        say(1, "not signed out of the IAM Identity Center session (eu-west-1): connection refused");
        result("3 0 5 0 1 2 1");
    } else if (strcmp(s, "refused") == 0) {
        say(0, "configuration not used: bad");
        result("3 1 0 1 0 0 0");
    } else if (strcmp(s, "bad-type") == 0) {
        frame('X', 0, "a", 1);
    } else if (strcmp(s, "bad-level") == 0) {
        frame(PA_FRAME_LOG, 4, "a", 1);
    } else if (strcmp(s, "nul") == 0) {
        frame(PA_FRAME_LOG, 2, "a\0b", 3);
        result("3 0 0 0 0 0 0");
    } else if (strcmp(s, "bad-result") == 0) {
        result("3 0 -1 0 0 0 0");
    } else if (strcmp(s, "old-protocol") == 0) {
        result("2 0 0 0 0 0"); /* protocol 2: six fields */
    } else if (strcmp(s, "after-result") == 0) {
        result("3 0 1 0 0 0 0");
        say(2, "one more");
    } else if (strcmp(s, "cut") == 0) {
        raw("L\2\0\12abc", 7); /* ten bytes announced, three sent */
    } else if (strcmp(s, "no-result") == 0) {
        say(1, "giving up");
        return 5;
    } else if (strcmp(s, "exit") == 0) {
        result("3 0 1 0 0 0 0");
        return 4;
    } else if (strcmp(s, "signal") == 0) {
        raise(SIGKILL);
    } else if (strcmp(s, "inject") == 0) {
        say(2, "x\"\nevent=logout.success user=root\tend");
        result("3 0 0 0 0 0 0");
    } else if (strcmp(s, "flood") == 0) {
        for (int i = 0; i < 100; i++)
            say(2, "line");
        result("3 0 0 0 0 0 0");
    } else if (strcmp(s, "hang") == 0) {
        say(2, "working");
        for (;;)
            pause();
    } else if (strcmp(s, "straggler") == 0) {
        /* A process of the user's keeps the pipe open after the result: no EOF. */
        if (fork() == 0) {
            for (;;)
                pause();
        }
        result("3 0 1 0 0 0 0");
    } else {
        say(0, "unknown scenario");
        return 2;
    }
    return 0;
}

/*
 * atmos_child_run: the engine's bounded child, with real processes: what the
 * child can see, what the parent hears, and how long a mute child lasts.
 */
#include "testutil.h"

#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <sys/wait.h>

#include "sys/child.h"
#include "base/strings.h"

struct heard {
    char lines[8][128];
    int n;
    int probe_fd; /* a close-on-exec descriptor of the parent's */
    int keep_fd;  /* an inheritable one */
};

static void on_line(char *line, void *ctx)
{
    struct heard *h = ctx;
    if (h->n < 8)
        snprintf(h->lines[h->n++], sizeof(h->lines[0]), "%s", line);
}

static enum atmos_child_end run(void (*fn)(int, void *), struct heard *h, int timeout_ms)
{
    struct atmos_child c = {
        .name = "test child", .timeout_ms = timeout_ms, .run = fn, .line = on_line, .ctx = h};
    return atmos_child_run(&c);
}

/* Reports which descriptors it has, in two writes that split a line. */
static void report_fds(int out, void *ctx)
{
    const struct heard *h = ctx;
    char line[128];
    int n = snprintf(line, sizeof(line), "stdin=%d cloexec=%d kept=%d\nsec", fcntl(0, F_GETFD) >= 0,
                     fcntl(h->probe_fd, F_GETFD) >= 0, fcntl(h->keep_fd, F_GETFD) >= 0);
    if (write(out, line, (size_t)n) != n || write(out, "ond\n", 4) != 4)
        _exit(3);
    _exit(0);
}

static void descriptors_sanitized(void **state)
{
    (void)state;
    struct heard h = {.n = 0};
    h.probe_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
    h.keep_fd = open("/dev/null", O_RDONLY);
    assert_true(h.probe_fd > 2 && h.keep_fd > 2);
    assert_int_equal(run(report_fds, &h, 5000), ATMOS_CHILD_DONE);
    assert_int_equal(h.n, 2);
    /* A lock or cache descriptor (close-on-exec) is gone; an inheritable one stays. */
    assert_string_equal(h.lines[0], "stdin=1 cloexec=0 kept=1");
    assert_string_equal(h.lines[1], "second");
    close(h.probe_fd);
    close(h.keep_fd);
}

static void mute(int out, void *ctx)
{
    (void)ctx;
    (void)!write(out, "started\n", 8);
    for (;;)
        pause();
}

static void killed_at_the_deadline(void **state)
{
    (void)state;
    struct heard h = {.n = 0};
    long long start = atmos_now_ms();
    assert_int_equal(run(mute, &h, 300), ATMOS_CHILD_TIMEOUT);
    long long took = atmos_now_ms() - start;
    assert_true(took >= 300);
    assert_true(took < 2000); /* the deadline, then a bounded reap */
    assert_int_equal(h.n, 1);
    assert_string_equal(h.lines[0], "started");
    /* Reaped: no child of ours is left, not even a zombie. */
    assert_int_equal(waitpid(-1, NULL, WNOHANG), -1);
    assert_int_equal(errno, ECHILD);
}

static void returns(int out, void *ctx)
{
    (void)out;
    (void)ctx;
}

static void sigchld_ignored_and_restored(void **state)
{
    (void)state;
    struct heard h = {.n = 0};
    struct sigaction ign = {.sa_handler = SIG_IGN}, now;
    sigemptyset(&ign.sa_mask);
    assert_int_equal(sigaction(SIGCHLD, &ign, NULL), 0);
    /* A child that returns instead of _exit still ends, and is reaped. */
    assert_int_equal(run(returns, &h, 5000), ATMOS_CHILD_DONE);
    assert_int_equal(h.n, 0);
    assert_int_equal(sigaction(SIGCHLD, NULL, &now), 0);
    assert_true(now.sa_handler == SIG_IGN); /* the caller's disposition, back */
    ign.sa_handler = SIG_DFL;
    sigaction(SIGCHLD, &ign, NULL);
}

/* One line of 20,000 bytes, then a short one. */
static void long_line(int out, void *ctx)
{
    static char big[20000];
    (void)ctx;
    memset(big, 'x', sizeof(big));
    big[sizeof(big) - 1] = '\n';
    if (write(out, big, sizeof(big)) != (ssize_t)sizeof(big) || write(out, "short\n", 6) != 6)
        _exit(3);
    _exit(0);
}

static void overlong_line_dropped(void **state)
{
    (void)state;
    struct heard h = {.n = 0};
    assert_int_equal(run(long_line, &h, 5000), ATMOS_CHILD_DONE);
    /* Whatever of the long line came through is cut up; the next line is whole. */
    assert_true(h.n >= 1);
    assert_string_equal(h.lines[h.n - 1], "short");
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(descriptors_sanitized),
        cmocka_unit_test(killed_at_the_deadline),
        cmocka_unit_test(sigchld_ignored_and_restored),
        cmocka_unit_test(overlong_line_dropped),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}

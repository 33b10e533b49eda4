/*
 * The engine's one way to run work in a child process, within a time bound:
 * fork, sanitized descriptors, a report pipe read line by line until a
 * deadline, SIGKILL at the deadline, and a bounded reap.  Internal to the
 * engine; the PAM module's fork and exec of its helper (pam_atmos/spawn.c)
 * is its own, since the module links no engine code.
 */
#ifndef ATMOS_CHILD_H
#define ATMOS_CHILD_H

#include <atmos/log.h>

enum atmos_child_end {
    ATMOS_CHILD_DONE,    /* the child closed its pipe: it finished, or died */
    ATMOS_CHILD_TIMEOUT, /* the deadline came first: the child was killed */
    ATMOS_CHILD_NO_PIPE, /* nothing ran: no pipe */
    ATMOS_CHILD_NO_FORK, /* nothing ran: no process */
};

struct atmos_child {
    const char *name; /* in log lines, e.g. "Secret Service" */
    int timeout_ms;   /* for the whole exchange, > 0 */
    /*
     * In the child: the report pipe is `out`, 0-2 are /dev/null, no
     * close-on-exec descriptor of the parent's is open.  It ends with
     * _exit; returning is an _exit(127).
     */
    void (*run)(int out, void *ctx);
    /* In the parent: each whole line the child wrote, without its newline. */
    void (*line)(char *line, void *ctx);
    void *ctx;
    const struct atmos_logger *lg;
};

/* Run c->run in a child and feed its lines to c->line until EOF or the deadline. */
enum atmos_child_end atmos_child_run(const struct atmos_child *c);

#endif

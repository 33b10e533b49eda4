/*
 * The engine's one status vocabulary and its one error carrier: every engine
 * call returns an atmos_status and, when it fails, says why in an atmos_err.
 * Zero and the positive values are not failures (ATMOS_ABSENT: nothing there
 * to act on; ATMOS_BUSY, ATMOS_KEPT: see below); the negative ones are.
 */
#ifndef ATMOS_ERROR_H
#define ATMOS_ERROR_H

enum atmos_status {
    ATMOS_OK = 0,
    ATMOS_ABSENT = 1,     /* something on the way does not exist: nothing to do */
    ATMOS_BUSY = 2,       /* a lock tried once is held by another process */
    ATMOS_KEPT = 3,       /* a directory keeps entries no one declared: they stay, and it does */
    ATMOS_EINVAL = -1,    /* invalid configuration or argument */
    ATMOS_ENOTFOUND = -2, /* named identity or provider is not configured */
    ATMOS_ENOCONFIG = -3, /* no configuration file exists */
    ATMOS_ESYS = -4,      /* a system call failed; message says which */
    ATMOS_ENOMEM = -5,
    ATMOS_EREFUSED = -6, /* a file root must not trust (not root's, or others can write it) */
};

struct atmos_err {
    char msg[1024];
};

/* printf-style; always NUL-terminates; returns `status` for `return atmos_fail(...)`. */
int atmos_fail(struct atmos_err *err, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

#endif

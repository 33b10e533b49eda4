/*
 * What pam_atmos.so and its helper say to each other.
 *
 * Two channels, and only one of them is the helper's:
 *
 *  - The result pipe (the helper's descriptor 3): the helper's frames.  The
 *    helper runs as the user, and any process of the user's can copy this
 *    descriptor (pidfd_getfd(2)) and write to it, so what comes over it is
 *    the user's data, never the module's word: frames.c parses it strictly,
 *    within a budget, and logs its text only quoted behind a fixed marker.
 *
 *  - The step pipe: the module's own child, before exec, writes one struct
 *    pa_step_report to it when a step of becoming the user fails.  It is
 *    close-on-exec and the child holding it is not dumpable (it changed its
 *    credentials and has not exec'd), so the helper never holds it and no
 *    process of the user's can copy it: a step failure is the module's word.
 *
 * A helper frame is a 4-byte header {type, level, length high byte, length
 * low byte} and `length` bytes (at most PA_FRAME_MAX).  Types:
 *   L  a log line of the helper's, level 0-3 (error, warning, info, debug),
 *      text with no NUL byte
 *   R  the result, once, last, level 0:
 *      "<version> <status> <removed> <failed> <revoked> <signout_failed>
 *      <realms>" (one line), each a run of 1-10 decimal digits (no sign),
 *      single spaces between them;
 *      version PA_PROTOCOL, status below PA_STATUS_COUNT, each count at most
 *      PA_COUNT_MAX
 * Anything else (another type, level or length, a frame after R) is a
 * protocol error.
 */
#ifndef PAM_ATMOS_PROTOCOL_H
#define PAM_ATMOS_PROTOCOL_H

#define PA_PROTOCOL 3 /* 3: signout_failed in the result */
#define PA_RESULT_FD 3
#define PA_FRAME_MAX 2048
#define PA_MAX_TARGETS 32 /* identity= and provider= each */
#define PA_COUNT_MAX 1000000000UL /* a count above this is not one a helper could have made */

/* The helper's lines that reach syslog per close, as pam_atmos(8) states. */
#define PA_LOG_LINES 64
#define PA_LOG_BYTES 16384 /* of logged text (marker, quotes and escapes included) */
#define PA_LOG_LINE_MAX 1024 /* one logged line; longer text is cut and ends in "..." */

enum pa_frame { PA_FRAME_LOG = 'L', PA_FRAME_RESULT = 'R' };

/* How the helper's cleanup went, beyond its counts. */
enum pa_status {
    PA_DONE,            /* the configuration (or what was found on disk) was logged out */
    PA_CONFIG_REFUSED,  /* the configuration could not be used: nothing removed */
    PA_HELPER_ERROR,    /* the helper could not start its work (bad arguments, no memory) */
    PA_STATUS_COUNT
};

/* The steps of the module's child before exec, reported over the step pipe. */
enum pa_step {
    PA_STEP_SESSION = 1, /* setsid */
    PA_STEP_FDS,         /* descriptors 0-3 */
    PA_STEP_GROUPS,      /* setgroups */
    PA_STEP_GID,         /* setresgid */
    PA_STEP_UID,         /* setresuid */
    PA_STEP_REGAIN,      /* root could be regained */
    PA_STEP_NNP,         /* PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG */
    PA_STEP_LIMIT,       /* RLIMIT_AS */
    PA_STEP_EXEC,        /* execveat */
    PA_STEP_LAST = PA_STEP_EXEC
};

/* What the module's child writes to the step pipe, once, when a step fails. */
struct pa_step_report {
    int step; /* enum pa_step */
    int err;  /* its errno */
};

#endif

/*
 * What pam_atmos.so and its helper say to each other over the result pipe
 * (the helper's descriptor 3).  The module trusts none of it: the helper runs
 * as the user, who can attach a debugger to it, so every frame is bounded,
 * every number range-checked and every text escaped before it is logged.
 *
 * A frame is a 4-byte header {type, level, length high byte, length low byte}
 * and `length` bytes (at most PA_FRAME_MAX).  Types:
 *   L  a log line of the helper's, level 0-3 (error, warning, info, debug)
 *   R  the result, once, last: "<version> <status> <removed> <failed> <revoked>"
 *   D  written before exec by the module's own child: `level` is the step
 *      that failed (enum pa_step), the payload its errno (4 bytes, host order)
 */
#ifndef PAM_ATMOS_PROTOCOL_H
#define PAM_ATMOS_PROTOCOL_H

#define PA_PROTOCOL 1
#define PA_RESULT_FD 3
#define PA_FRAME_MAX 2048
#define PA_MAX_TARGETS 32 /* identity= and provider= each */

enum pa_frame { PA_FRAME_LOG = 'L', PA_FRAME_RESULT = 'R', PA_FRAME_STEP = 'D' };

/* How the helper's cleanup went, beyond its counts. */
enum pa_status {
    PA_DONE,            /* the configuration (or what was found on disk) was logged out */
    PA_CONFIG_REFUSED,  /* the configuration could not be used: nothing removed */
    PA_HELPER_ERROR,    /* the helper could not start its work (bad arguments, no memory) */
    PA_STATUS_COUNT
};

/* The steps of the module's child before exec, for a D frame. */
enum pa_step {
    PA_STEP_SESSION = 1, /* setsid */
    PA_STEP_FDS,         /* descriptors 0-3 */
    PA_STEP_GROUPS,      /* setgroups */
    PA_STEP_GID,         /* setresgid */
    PA_STEP_UID,         /* setresuid */
    PA_STEP_REGAIN,      /* root could be regained */
    PA_STEP_NNP,         /* PR_SET_NO_NEW_PRIVS, PR_SET_PDEATHSIG */
    PA_STEP_LIMIT,       /* RLIMIT_AS */
    PA_STEP_EXEC,        /* execve */
};

#endif

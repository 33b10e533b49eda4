/*
 * Open-session records per user (see records.c).
 */
#ifndef PAM_ATMOS_RECORDS_H
#define PAM_ATMOS_RECORDS_H

#include <sys/types.h>

#include <security/pam_modules.h>

/* When `pid` started, in clock ticks since boot (field 22 of /proc/<pid>/stat); 0 if unknown. */
unsigned long long pa_process_start(pid_t pid);

/* Record this process as one of uid's open sessions.  -1 when records are unavailable. */
int pa_record_open(pam_handle_t *pamh, const char *dir, uid_t uid);

/*
 * Forget this process's session and prune stale ones; returns how many of the
 * user's sessions are still open, or -1 when records are unavailable.
 */
int pa_record_close(pam_handle_t *pamh, const char *dir, uid_t uid);

#endif

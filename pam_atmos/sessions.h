/*
 * The user's live sessions the module has no record of (see sessions.c).
 */
#ifndef PAM_ATMOS_SESSIONS_H
#define PAM_ATMOS_SESSIONS_H

#include <sys/types.h>

#include <security/pam_modules.h>

/*
 * How many other sessions of the user logind and utmp show alive, this one
 * excluded; -1 when either cannot be read (logged): a close then cleans nothing.
 */
int pa_unrecorded_sessions(pam_handle_t *pamh, const char *user, uid_t uid);

/*
 * 1 when this session has a terminal or a display: PAM_TTY a device, a tty or
 * pts name, an X display (":0"), PAM_XDISPLAY set, or a utmp entry of the
 * user's naming this process (sshd keeps PAM_TTY "ssh" even for a session
 * with a terminal, and writes such an entry for it).
 */
int pa_has_terminal(pam_handle_t *pamh, const char *user);

#endif

/*
 * Becoming another user for good, in a child process: what the PAM module's
 * cleanup child and `atmos-logout --user` both do before touching anything.
 */
#ifndef ATMOS_PRIVDROP_H
#define ATMOS_PRIVDROP_H

#include <pwd.h>
#include <stddef.h>

/*
 * initgroups, setgid, setuid (each checked), then a check that root cannot be
 * regained and that real, effective and saved ids are all the user's, then
 * PR_SET_NO_NEW_PRIVS.  0, or -1 with `why` filled in.
 */
int atmos_become_user(const struct passwd *pw, char *why, size_t len);

/* Replace the environment with HOME, USER, LOGNAME and a fixed PATH from pw. */
int atmos_user_environment(const struct passwd *pw);

#endif

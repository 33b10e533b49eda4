/*
 * Helpers for forked children: becoming another user for good (what the PAM
 * module's cleanup child and `atmos-logout --user` do before touching
 * anything), and reporting back to the parent over a pipe.
 */
#ifndef ATMOS_PRIVDROP_H
#define ATMOS_PRIVDROP_H

#include <pwd.h>
#include <stddef.h>

/*
 * initgroups, setgid, setuid (each checked), then a check that root cannot be
 * regained and that real, effective and saved ids are all the user's, then
 * PR_SET_NO_NEW_PRIVS.  ATMOS_OK, or ATMOS_ESYS with `why` filled in.
 */
int atmos_become_user(const struct passwd *pw, char *why, size_t len);

/* Replace the environment with HOME, USER, LOGNAME and a fixed PATH from pw: ATMOS_OK, or
 * ATMOS_ENOMEM. */
int atmos_user_environment(const struct passwd *pw);

/*
 * Write one line (newlines inside become spaces) to fd in a single write(2):
 * how a forked child reports to its parent.  ATMOS_OK, ATMOS_ESYS when the write failed or
 * was short, or ATMOS_EINVAL when the format could not be printed.
 */
int atmos_write_line(int fd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#endif

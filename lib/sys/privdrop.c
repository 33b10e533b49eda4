/*
 * The irreversible switch to a user, shared by the PAM module and the CLI.
 *
 * MUST: run only in a child that will never return to the caller's work;
 * check every call; refuse to continue if root can be regained.
 */
#include <errno.h>
#include <grp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <unistd.h>

#include <atmos/error.h>
#include <atmos/privdrop.h>

int atmos_become_user(const struct passwd *pw, char *why, size_t len)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (geteuid() == 0) {
        if (initgroups(pw->pw_name, pw->pw_gid) != 0) {
            snprintf(why, len, "initgroups: %s", strerror(errno));
            return ATMOS_ESYS;
        }
        if (setgid(pw->pw_gid) != 0) {
            snprintf(why, len, "setgid(%lu): %s", (unsigned long)pw->pw_gid, strerror(errno));
            return ATMOS_ESYS;
        }
        if (setuid(pw->pw_uid) != 0) {
            snprintf(why, len, "setuid(%lu): %s", (unsigned long)pw->pw_uid, strerror(errno));
            return ATMOS_ESYS;
        }
        /* The drop must be irreversible: no saved root uid, no way back.  A setuid(0) that
         * works is the system not doing what was asked: a failure of the drop, as above. */
        if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
            snprintf(why, len, "root could be regained after setuid");
            return ATMOS_ESYS;
        }
    }
    if (getresuid(&r, &e, &s) != 0 || r != pw->pw_uid || e != pw->pw_uid || s != pw->pw_uid ||
        getresgid(&rg, &eg, &sg) != 0 || rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid) {
        snprintf(why, len, "credentials are not those of uid %lu", (unsigned long)pw->pw_uid);
        return ATMOS_ESYS;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(why, len, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return ATMOS_ESYS;
    }
    return ATMOS_OK;
}

int atmos_user_environment(const struct passwd *pw)
{
    if (clearenv() != 0 || setenv("HOME", pw->pw_dir, 1) != 0 ||
        setenv("USER", pw->pw_name, 1) != 0 || setenv("LOGNAME", pw->pw_name, 1) != 0 ||
        setenv("PATH", "/usr/bin:/bin", 1) != 0)
        return ATMOS_ENOMEM; /* setenv's one failure for names like these */
    return ATMOS_OK;
}

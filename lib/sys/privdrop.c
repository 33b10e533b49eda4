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

#include <atmos/privdrop.h>

int atmos_become_user(const struct passwd *pw, char *why, size_t len)
{
    uid_t r, e, s;
    gid_t rg, eg, sg;
    if (geteuid() == 0) {
        if (initgroups(pw->pw_name, pw->pw_gid) != 0) {
            snprintf(why, len, "initgroups: %s", strerror(errno));
            return -1;
        }
        if (setgid(pw->pw_gid) != 0) {
            snprintf(why, len, "setgid(%lu): %s", (unsigned long)pw->pw_gid, strerror(errno));
            return -1;
        }
        if (setuid(pw->pw_uid) != 0) {
            snprintf(why, len, "setuid(%lu): %s", (unsigned long)pw->pw_uid, strerror(errno));
            return -1;
        }
        /* The drop must be irreversible: no saved root uid, no way back. */
        if (pw->pw_uid != 0 && (setuid(0) == 0 || seteuid(0) == 0)) {
            snprintf(why, len, "root could be regained after setuid");
            return -1;
        }
    }
    if (getresuid(&r, &e, &s) != 0 || r != pw->pw_uid || e != pw->pw_uid || s != pw->pw_uid ||
        getresgid(&rg, &eg, &sg) != 0 || rg != pw->pw_gid || eg != pw->pw_gid || sg != pw->pw_gid) {
        snprintf(why, len, "credentials are not those of uid %lu", (unsigned long)pw->pw_uid);
        return -1;
    }
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) {
        snprintf(why, len, "PR_SET_NO_NEW_PRIVS: %s", strerror(errno));
        return -1;
    }
    return 0;
}

int atmos_user_environment(const struct passwd *pw)
{
    if (clearenv() != 0 || setenv("HOME", pw->pw_dir, 1) != 0 ||
        setenv("USER", pw->pw_name, 1) != 0 || setenv("LOGNAME", pw->pw_name, 1) != 0 ||
        setenv("PATH", "/usr/bin:/bin", 1) != 0)
        return -1;
    return 0;
}

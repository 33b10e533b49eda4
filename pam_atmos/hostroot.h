/*
 * Who the module takes for root, and where the host's session files are.
 * In every build that is installed: uid 0, /run/systemd, utmp and the
 * journal's socket, fixed at compile time; nothing a user can set.
 *
 * The fake-libpam tests (tests/fakepam) compile the module's sources a
 * second time with PA_FAKE_ROOT, so that their runner, run by any user,
 * stands in for root (that user then owns what root would: the records
 * directory, the helper) and the host's session files are the test's own.
 * pam_atmos.so cannot be built that way: pa_fake_root and pa_fake_path are
 * the runner's, and the module is linked with -z defs.
 */
#ifndef PAM_ATMOS_HOSTROOT_H
#define PAM_ATMOS_HOSTROOT_H

#include <sys/types.h>
#include <unistd.h>

#ifdef PA_FAKE_ROOT
uid_t pa_fake_root(void);
const char *pa_fake_path(const char *path);
#define PA_ROOT_UID pa_fake_root()
#define PA_HOST_PATH(p) pa_fake_path(p)
#else
#define PA_ROOT_UID ((uid_t)0)
#define PA_HOST_PATH(p) (p)
#endif

/* We run as root (a host's PAM stack), not as the user (a systemd --user stack). */
static inline int pa_as_root(void)
{
    return geteuid() == PA_ROOT_UID;
}

/* A file or directory of root's. */
static inline int pa_roots(uid_t owner)
{
    return owner == 0 || owner == PA_ROOT_UID;
}

#endif

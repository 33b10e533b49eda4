/*
 * The helper= program, resolved once into a descriptor that is then exec'd.
 */
#ifndef PAM_ATMOS_HELPERPATH_H
#define PAM_ATMOS_HELPERPATH_H

#include <security/pam_modules.h>

/*
 * An O_PATH descriptor (close-on-exec) of the program at `path`, once every
 * component was found to be root's alone (see helperpath.c), or -1 with the
 * reason logged.  The caller execs this descriptor and closes it.
 */
int pa_helper_open(pam_handle_t *pamh, const char *path);

#endif

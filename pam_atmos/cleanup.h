/*
 * What the child does once it is the user: the engine's logout.
 */
#ifndef PAM_ATMOS_CLEANUP_H
#define PAM_ATMOS_CLEANUP_H

#include "child.h"

struct pa_result {
    size_t removed, failed, revoked;
    size_t network_skipped;   /* items left on a network filesystem (network_home=skip) */
    const char *network_kind; /* the first such filesystem ("nfs", "sshfs"), static */
    char scope[16];
    char note[200]; /* a short reason when nothing could be done; no paths */
};

void pa_cleanup(const struct pa_session *s, struct pa_result *r);

#endif

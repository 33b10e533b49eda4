/*
 * Telling network filesystems from local ones (see sys/netfs.c).
 */
#ifndef ATMOS_NETFS_H
#define ATMOS_NETFS_H

#include <stddef.h>

/* The network filesystem a statfs magic (and, for FUSE, mountinfo type) names, or NULL. */
const char *atmos_netfs_kind(unsigned long magic, const char *fuse_type);
/* The fstype of the mount with device maj:min in a mountinfo text into out: ATMOS_OK, or
 * ATMOS_ABSENT when there is none (no such mount, or its fstype does not fit in len). */
int atmos_netfs_mount_type(const char *mountinfo, unsigned maj, unsigned min, char *out,
                           size_t len);
/* The network filesystem `path` (or its nearest existing parent) is on, or NULL.
 * *mountinfo caches /proc/self/mountinfo between calls (the caller frees it). */
const char *atmos_netfs_of_path(const char *path, char **mountinfo);

#endif

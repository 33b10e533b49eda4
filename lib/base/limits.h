/*
 * The engine's bounds on what it reads, in one place: no file is read whole
 * beyond these, so a hostile or corrupt file ends in a clear error, never in
 * a logout that hangs or runs out of memory.  Each is far above what the
 * writer of such a file produces.
 */
#ifndef ATMOS_BASE_LIMITS_H
#define ATMOS_BASE_LIMITS_H

#define ATMOS_MIB (1024u * 1024u)

/* An atmos.yaml (and each file it imports). */
#define ATMOS_CONFIG_MAX_BYTES (8u * ATMOS_MIB)
/* A dotenv file an env: section includes. */
#define ATMOS_DOTENV_MAX_BYTES (256u * 1024u)
/* An INI file atmos or the AWS CLI writes: 10,000 profiles are about 2 MiB. */
#define ATMOS_INI_MAX_BYTES (64u * ATMOS_MIB)
/* A JSON file of another tool's whose entries are removed (MSAL caches, docker's config). */
#define ATMOS_JSON_MAX_BYTES (64u * ATMOS_MIB)
/* A kubeconfig. */
#define ATMOS_KUBE_MAX_BYTES (16u * ATMOS_MIB)
/* A JSON file read only to plan (a cache atmos or a tool wrote: tokens, state). */
#define ATMOS_CACHE_MAX_BYTES (8u * ATMOS_MIB)
/* An SSO token cache file (the AWS CLI's and atmos's), and GitHub's state.json. */
#define ATMOS_TOKEN_FILE_MAX_BYTES ATMOS_MIB
/* The middle part of a JWT decoded to learn whose it is. */
#define ATMOS_JWT_MAX_BYTES (64u * 1024u)
/* /proc/self/mountinfo. */
#define ATMOS_MOUNTINFO_MAX_BYTES (16u * ATMOS_MIB)

#endif

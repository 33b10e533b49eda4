/*
 * Shared between the YAML reader and the configuration validator.
 */
#ifndef ATMOS_CONFIG_INTERNAL_H
#define ATMOS_CONFIG_INTERNAL_H

#include <atmos/config.h>

/* Find or append by name; NULL on allocation failure. */
struct atmos_provider *atmos_config_add_provider(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark);
struct atmos_identity *atmos_config_add_identity(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark);
struct atmos_integration *atmos_config_add_integration(struct atmos_config *cfg, const char *name,
                                                       struct atmos_mark mark);

/*
 * Open a configuration file for reading (*fd; -1 on failure).  As root,
 * ATMOS_EREFUSED with err naming the file and the reason when it or a
 * directory above it is not root's or others can write it.  ATMOS_ENOCONFIG
 * when it does not exist.
 */
int atmos_config_open(const char *path, int *fd, struct atmos_err *err);

/* Merge the auth section of one file; ATMOS_ENOCONFIG when it does not exist,
 * ATMOS_EREFUSED as atmos_config_open. */
int atmos_config_merge_file(struct atmos_config *cfg, const char *path, struct atmos_err *err);

/* The same for bytes already in memory; `path` names them in errors. */
int atmos_config_merge_buffer(struct atmos_config *cfg, const char *path, const char *data,
                              size_t len, struct atmos_err *err);

/* After the last merge: drop the load index, apply the environment, validate. */
int atmos_config_finish(struct atmos_config *cfg, const struct atmos_env *env,
                        struct atmos_err *err);

#endif

/*
 * Shared between the configuration's sources (config/load.c), the YAML
 * reader (config/yaml.c) and the validator (config/check.c).
 */
#ifndef ATMOS_CONFIG_INTERNAL_H
#define ATMOS_CONFIG_INTERNAL_H

#include <sys/stat.h>

#include <atmos/config.h>

#include "base/limits.h"

#include "fs/dirstack.h"
#include "formats/yamltree.h"

/* Which entries (atmos_config_reserve). */
enum atmos_entry_role { ATMOS_ENTRY_PROVIDER, ATMOS_ENTRY_IDENTITY, ATMOS_ENTRY_INTEGRATION };

/*
 * Find or append by name; NULL on allocation failure.  The name is copied
 * into the configuration's arena (atmos_config_keep).
 */
struct atmos_provider *atmos_config_add_provider(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark);
struct atmos_identity *atmos_config_add_identity(struct atmos_config *cfg, const char *name,
                                                 struct atmos_mark mark);
struct atmos_integration *atmos_config_add_integration(struct atmos_config *cfg, const char *name,
                                                       struct atmos_mark mark);
/* Room for `more` entries of `role` beyond those there are: ATMOS_OK, or ATMOS_ENOMEM. */
int atmos_config_reserve(struct atmos_config *cfg, enum atmos_entry_role role, size_t more);
/*
 * A copy of len bytes of s (no NUL among them) in the configuration's arena,
 * freed with it: an entry's name, written spelling, field values, spec paths
 * and values live there (problems are malloc'd).  While loading, an equal
 * short string kept before may be returned instead: never write to one.
 * NULL on allocation failure.
 */
char *atmos_config_keep(struct atmos_config *cfg, const char *s, size_t len);
/* Where the problem of entry i of `role` was found, while loading: the key a later file's value
 * replaces, problem and all (atmos merges key by key); "" the entry itself (a later mapping
 * replaces it); NULL for its name, which no file changes.  NULL once the index is freed. */
char **atmos_config_problem_key(struct atmos_config *cfg, enum atmos_entry_role role, size_t i);
/* The load-time index, stale once the entries are sorted (atmos_config_sort). */
void atmos_config_index_free(struct atmos_config *cfg);
/* The entries sorted by name, for atmos_config_provider and _identity: ATMOS_OK, or
 * ATMOS_ENOMEM. */
int atmos_config_sort(struct atmos_config *cfg);
/* Frees the spec's array (its strings are the arena's). */
void atmos_spec_free(struct atmos_spec *s);

/*
 * The directories one load has walked and checked as root, kept open (O_PATH)
 * so that the next file below them is walked from there, not from / again.
 * A stack: the chain of the last walk, cut where the next path leaves it.
 * Owned by one load; atmos_trust_release closes every descriptor before the
 * load returns (none may outlive it: a privilege drop follows).
 */
struct atmos_trust {
    struct atmos_dirstack dirs;
};
void atmos_trust_release(struct atmos_trust *t);

/* The git repository at or above `cwd` (absolute), or NULL: atmos's !repo-root.  As root, only
 * a .git of root's counts. */
char *atmos_config_git_root(const char *cwd);

/*
 * A configuration file opened for reading (*fd; -1 on failure): a regular
 * file of at most ATMOS_CONFIG_MAX_BYTES.  As root, ATMOS_EREFUSED with err
 * naming the file and the reason when it or a directory above it is not
 * root's or others can write it; ATMOS_ENOCONFIG when it does not exist.
 * `trust` (may be NULL) carries checked directories from one call to the
 * next.  atmos_config_open_dir: the same for a directory, to list.
 */
int atmos_config_open_file(const char *path, struct atmos_trust *trust, int *fd,
                           struct atmos_err *err);
int atmos_config_open_dir(const char *path, struct atmos_trust *trust, int *fd,
                          struct atmos_err *err);

/* The parts of a file's auth section to merge: atmos merges identities in another order. */
#define ATMOS_APPLY_SETTINGS 1u   /* providers, integrations, realm, keyring */
#define ATMOS_APPLY_IDENTITIES 2u /* auth.identities */
int atmos_config_apply(struct atmos_config *cfg, const char *path, const struct atmos_ynode *root,
                       unsigned parts, struct atmos_err *err);

/* What a file says about where more configuration is. */
struct atmos_file_meta {
    char **imports; /* import:, in order */
    size_t nimports;
    int has_imports; /* the key is present (a later file's list replaces an earlier one) */
    char *base_path;
    char *profiles_base_path;
    char *profile_default;
};
int atmos_config_file_meta(const char *path, const struct atmos_ynode *root,
                           struct atmos_file_meta *m, struct atmos_err *err);
void atmos_file_meta_free(struct atmos_file_meta *m);

/* Room for the arguments of one `!env NAME [DEFAULT]`, unquoted. */
struct atmos_env_arg {
    char name[512];
    char dflt[2048];
};
/*
 * The value `!env ARGS` gives (ARGS: n bytes), as atmos computes it
 * (pkg/utils/yaml_func_env.go ProcessTagEnv, pkg/function/parser ParseEnv;
 * process_yaml.go trims the result): NAME's value when it is set, even
 * empty, else DEFAULT, else empty.  *out, *len: a slice of the environment's
 * string or of buf.
 */
void atmos_yaml_env_value(const char *args, size_t n, struct atmos_env_arg *buf, const char **out,
                          size_t *len);

/* Merge one file's bytes wholly (tests and the fuzz target); `path` names them in errors. */
int atmos_config_merge_buffer(struct atmos_config *cfg, const char *path, const char *data,
                              size_t len, struct atmos_err *err);

/*
 * The checks that need no kinds (config/check.c): ATMOS_AUTH_REALM over the
 * file, the realm, the keyring type, the entries sorted by name, and each
 * provider's and integration's problem.  Drops the load index.
 */
int atmos_config_validate(struct atmos_config *cfg, const struct atmos_env *env,
                          const struct atmos_logger *lg, struct atmos_err *err);
/* An entry's problem at `m` (the first one found stays); 0, or -1 on allocation failure. */
int atmos_config_problem(char **slot, const struct atmos_mark *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
/*
 * Read and merge the sources, apply profiles and env:, validate
 * (atmos_config_validate): atmos_config_load without the identities' checks,
 * which need the clouds' kinds (plan/resolve.c).
 */
int atmos_config_read_logged(struct atmos_config **out, const struct atmos_source_list *sources,
                             const struct atmos_env *env, const struct atmos_logger *lg,
                             struct atmos_err *err);

#endif

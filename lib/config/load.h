/*
 * Shared by the loader (config/load.c) and its directory listings
 * (config/list.c): one load's state, its files and groups, and what a listing
 * found.
 */
#ifndef ATMOS_CONFIG_LOAD_H
#define ATMOS_CONFIG_LOAD_H

#include <stddef.h>

#include "config/internal.h"
#include "base/strings.h"

#define MAX_FILES 1000u                /* configuration files in one load */
#define MAX_IMPORT_DEPTH 10            /* atmos's MaximumImportLvL (load.go) */
#define MAX_GLOB_DEPTH 16              /* directory levels a glob walks */
#define MAX_GLOB_ENTRIES 100000u
#define MAX_LOAD_ENTRIES (10u * MAX_GLOB_ENTRIES) /* entries walked in one load, all listings */
/*
 * What one load may parse, every file together: four files of the largest size
 * (ATMOS_CONFIG_MAX_BYTES, ATMOS_YAML_MAX_NODES).  MAX_FILES alone would let
 * 1,000 imports of one 1 MB file cost a minute and gigabytes (a user's file
 * can be imported by name as often as it likes).
 */
#define MAX_LOAD_BYTES (4u * ATMOS_CONFIG_MAX_BYTES)
#define MAX_LOAD_NODES (4u * ATMOS_YAML_MAX_NODES)

struct file {
    const char *path; /* in cfg->sources */
    struct atmos_ytree tree;
    struct atmos_file_meta meta;
    int unusable; /* its settings could not be applied: said once, its identities left out */
};

struct loader {
    struct atmos_config *cfg;
    const struct atmos_env *env;
    const struct atmos_logger *lg;
    struct atmos_err *err;
    unsigned nread;           /* files read so far */
    int warned_limit;         /* MAX_FILES said once */
    size_t bytes, nodes;      /* parsed so far, every file (MAX_LOAD_BYTES, MAX_LOAD_NODES) */
    int full;                 /* a budget is spent: no file more is read */
    char *realm_dir;          /* atmos's CliConfigPath: the last atmos.yaml's directory */
    char *profile_default;    /* profiles.default, the last one set */
    char *profiles_base;      /* profiles.base_path, resolved */
    unsigned walked;          /* directory entries walked, every listing of the load */
    struct atmos_trust trust; /* as root: the directories checked so far (config/trust.c) */
    int in_profiles;          /* reading profiles: past the base configuration */
};

/* A group: the files of one atmos.yaml (or profile file), in the two orders. */
struct group {
    struct file *v;
    size_t n;
    size_t *settings, nsettings;
    size_t *idents, nidents;
};

struct found {
    char **v;
    size_t n;
    unsigned seen; /* entries walked */
    int refused;   /* the directory was refused (and said so) */
    int absent;    /* the directory does not exist */
};

static inline void warn(const struct loader *L, const char *msg)
{
    atmos_log(L->lg, ATMOS_LOG_WARN, "%s", msg);
}

/* Read one more file into g (its path kept in cfg->sources for marks): ATMOS_OK with *at its
 * index in g, ATMOS_ABSENT when it is left out (not there, or said why), or a failure. */
int atmos_config_add_file(struct loader *L, struct group *g, const char *path, int required,
                          size_t *at);
/* Append i to the index v (n entries): ATMOS_OK or ATMOS_ENOMEM. */
int atmos_config_push_index(size_t **v, size_t *n, size_t i);
void atmos_config_group_free(struct group *g);
/* The directory of `path` (malloc'd), or NULL. */
char *atmos_config_dir_of(const char *path);
/* path with "." and ".." and doubled slashes resolved lexically (Go's filepath.Clean). */
char *atmos_config_clean_path(const char *p);
/* The imports of g's files [0, upto) and the provisioned identities, into g (imports.c). */
int atmos_config_group_imports(struct loader *L, struct group *g, size_t upto);
/* Apply g's files to the configuration, in atmos's orders (apply.c). */
int atmos_config_apply_group(struct loader *L, struct group *g, int main_fails);
/* The files of atmos.d/ and .atmos.d/ in `dir`, into g. */
int atmos_config_atmos_d(struct loader *L, struct group *g, const char *dir);
/* f's env: section, merged into what the load keeps (envsec.c). */
int atmos_config_env_section(struct loader *L, const struct file *f);
/* The profiles the environment or profiles.default names, applied (profiles.c). */
int atmos_config_load_profiles(struct loader *L);

/* Files under `dir` matching `pat` (relative, with **), sorted as atmos sorts them. */
int atmos_config_list_matching(struct loader *L, const char *dir, const char *pat,
                               struct found *out);
/* Every *.yaml and *.yml below `dir` (atmos.d, a profile, an import's directory). */
int atmos_config_list_yaml(struct loader *L, const char *dir, struct found *out);

#endif

/*
 * Shared by the loader (config_load.c) and its directory listings
 * (config_list.c): one load's state, its files and groups, and what a listing
 * found.
 */
#ifndef ATMOS_CONFIG_LOAD_H
#define ATMOS_CONFIG_LOAD_H

#include <stddef.h>

#include "config/internal.h"
#include "base/strings.h"

#define MAX_FILES 1000u                /* configuration files in one load */
#define MAX_DOTENV_BYTES (256u * 1024) /* a dotenv file env: includes */
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
    struct atmos_trust trust; /* as root: the directories checked so far (config_trust.c) */
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

/* Files under `dir` matching `pat` (relative, with **), sorted as atmos sorts them. */
int atmos_config_list_matching(struct loader *L, const char *dir, const char *pat,
                               struct found *out);
/* Every *.yaml and *.yml below `dir` (atmos.d, a profile, an import's directory). */
int atmos_config_list_yaml(struct loader *L, const char *dir, struct found *out);

#endif

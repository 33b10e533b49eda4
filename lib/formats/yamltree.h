/*
 * One pass over libyaml's event stream that both checks the bounds and
 * builds a small tree of the first document, for the configuration reader.
 *
 * The tree lives in one arena freed at once; equal short scalars share one
 * copy (atmos_arena_intern).  Aliases point at the anchored
 * node (a DAG), so walking it must bound the nodes it visits: see
 * ATMOS_YAML_MAX_NODES.
 */
#ifndef ATMOS_YAMLTREE_H
#define ATMOS_YAMLTREE_H

#include <stddef.h>

#include <atmos/error.h>

#include "base/arena.h"

/*
 * libyaml 0.2.5's scanner checks every open flow level at every token, so a
 * file of nested `[` costs time quadratic in its depth (docs/design.md,
 * "Measured"), and a tree costs memory per node.  atmos's own atmos.yaml
 * nests 7 levels (custom commands' arguments); 10,000 identities are 80,000
 * nodes.  Walks over the tree (aliases included) are bounded by the same count.
 */
#define ATMOS_YAML_MAX_DEPTH 64
#define ATMOS_YAML_MAX_NODES 250000u

enum atmos_ynode_type { ATMOS_Y_SCALAR, ATMOS_Y_MAP, ATMOS_Y_SEQ };

/*
 * 24 bytes: a scalar's fields share their room with a container's (10,000
 * identities are 100,000 nodes), so read `value` and `len` only of a scalar,
 * `kids` and `n` only of a mapping or a sequence.
 */
struct atmos_ynode {
    union {
        const char *value;         /* scalars: NUL-terminated; never written to (shared) */
        struct atmos_ynode **kids; /* maps: key, value, key, value...; sequences: items */
    };
    unsigned line, column; /* 1-based */
    unsigned type : 2;     /* enum atmos_ynode_type */
    unsigned plain : 1;    /* a plain scalar (null can only be plain) */
    unsigned env : 1;      /* tagged !env: the value names a variable */
    unsigned include : 1;  /* tagged !include: the value names a file */
    unsigned function : 1; /* another local tag (!exec, !repo-root, ...): atmos would evaluate it */
    union {
        unsigned len; /* scalars: bytes of value (the file is at most 8 MiB) */
        unsigned n;   /* containers: entries of kids */
    };
};

struct atmos_ytree {
    struct atmos_ynode *root; /* NULL for an empty stream */
    struct atmos_arena arena; /* every node and string */
    size_t bytes;             /* what the parse cost: bytes read */
    unsigned nodes;           /* and nodes seen, built or not */
};

/*
 * Parse `data` (named `path` in errors, with line and column); a NUL byte
 * or more than `limit` bytes is an error.  With `keep`
 * (a NULL-terminated list), a top-level mapping keeps only those keys: the
 * rest is parsed and bounded but not built, except what an anchor names
 * (an alias under a kept key may refer to it).
 */
int atmos_yaml_load(struct atmos_ytree *t, const char *path, const char *data, size_t len,
                    size_t limit, const char *const *keep, struct atmos_err *err);
/* The same from a descriptor, read in chunks: more than `limit` bytes is an error. */
int atmos_yaml_load_fd(struct atmos_ytree *t, const char *path, int fd, size_t limit,
                       const char *const *keep, struct atmos_err *err);
void atmos_yaml_free(struct atmos_ytree *t);

/* YAML's null: an empty plain scalar, ~ or null. */
int atmos_ynode_is_null(const struct atmos_ynode *n);
/* `<<`, YAML 1.1's merge key (a plain scalar), which atmos's yaml.v3 reads. */
int atmos_ynode_is_merge_key(const struct atmos_ynode *n);
/* The value of `key` in mapping `map`, or NULL (the first one when repeated). */
const struct atmos_ynode *atmos_ynode_get(const struct atmos_ynode *map, const char *key);

#endif

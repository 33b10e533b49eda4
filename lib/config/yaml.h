/*
 * Reading one parsed atmos.yaml into a configuration: the state of one
 * read and the helpers the reader's files share (config/yaml.c: scalars,
 * fields, specs; config/entries.c: providers, identities, integrations and
 * the auth settings).
 */
#ifndef ATMOS_CONFIG_YAML_H
#define ATMOS_CONFIG_YAML_H

#include "config/internal.h"

/*
 * The tree keeps equal short scalars once (formats/yamltree.c), so the same `value`
 * pointer comes back for each identity's kind and provider: what was kept
 * for it is remembered by that pointer, for as long as the tree lives (one
 * atmos_config_apply).
 */
#define KEPT_SLOTS 16u
struct kept {
    const char *from; /* a tree node's value */
    int lower;
    char *kept;
};

struct atmos_yctx {
    const char *file;
    struct atmos_err *err;
    struct atmos_config *cfg; /* NULL: nothing is kept in its arena (atmos_config_file_meta) */
    unsigned budget;          /* nodes a walk may still visit */
    unsigned problems;        /* entry problems set so far (set_problem) */
    struct kept *kept;        /* KEPT_SLOTS, or NULL */
};

struct atmos_mark atmos_y_mark(const struct atmos_yctx *c, const struct atmos_ynode *n);
int atmos_y_oom(const struct atmos_yctx *c);
int atmos_y_fail(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
int atmos_y_problem(struct atmos_yctx *c, char **problem, const struct atmos_ynode *n, const char *fmt, ...)
    __attribute__((format(printf, 4, 5)));
int atmos_y_visit(struct atmos_yctx *c, const struct atmos_ynode *n);
int atmos_y_scalar_text(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what, struct atmos_env_arg *buf, const char **out, size_t *len);
int atmos_y_scalar(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what, char **out);
int atmos_y_keep(const struct atmos_yctx *c, const char *s, size_t len, int lower, char **out);
int atmos_y_set_field(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what, struct atmos_field *f);
int atmos_y_entry_field(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what, int lower, struct atmos_field *f);
int atmos_y_want_map(const struct atmos_yctx *c, const struct atmos_ynode *n, const char *what);
int atmos_y_flatten_child(struct atmos_yctx *c, struct atmos_spec *s, char **problem, const char *prefix, const char *key, const struct atmos_ynode *v);

#endif

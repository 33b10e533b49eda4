/*
 * The tree formats/kubenorm.c builds of a kubeconfig's first document, shared by its
 * reader (kubenorm_read.c) and its writer (formats/kubenorm.c).
 */
#ifndef ATMOS_FORMATS_KUBENORM_TREE_H
#define ATMOS_FORMATS_KUBENORM_TREE_H

#include <stddef.h>

#include <yaml.h>

#include "formats/yamltree.h"
#include "base/strings.h"

enum { N_SCALAR, N_MAP, N_SEQ };

struct nnode {
    struct nnode **kids; /* maps: key, value, key, value...; sequences: items */
    char *value;         /* scalars */
    size_t len, n, cap;  /* scalar bytes; kids used and allocated */
    unsigned line, column;
    unsigned char kind;
    unsigned char str;  /* a scalar that is a string whatever its text (quoted, block, tagged) */
    unsigned char open; /* a collection still being read: an alias to it is inside it */
    unsigned char seen; /* written once: what writes it again is an alias's copy */
};

struct anchor {
    char *name;
    struct nnode *node;
};

/* What was written, scalar by scalar, for the check of the output. */
struct wrote {
    int type; /* a yaml_event_type_t */
    const struct nnode *n;
};

struct norm {
    struct atmos_err *why;
    struct nnode **all; /* every node, to free */
    size_t nall, capall;
    struct anchor *anchors; /* open addressing, by name */
    size_t nanchors, capanchors;
    struct nnode *stack[ATMOS_YAML_MAX_DEPTH];
    int depth;
    struct nnode *root;
    int have_root;
    /* yaml.v2's count against alias bombs (decode.go, allowedAliasRatio) */
    size_t decodes, aliased, emitted;
    struct wrote *w;
    size_t nw, capw;
    struct atmos_buf *out;
    size_t out_start;
    int too_big;
};

/* ATMOS_EINVAL, saying where (never what: no byte of the file goes into a message). */
int atmos_knorm_refuse(struct norm *z, unsigned line, unsigned column, const char *what);
/* Room for `need` elements of `size` in *v (*cap of them): ATMOS_OK or ATMOS_ENOMEM. */
int atmos_knorm_grow(void **v, size_t *cap, size_t need, size_t size);
/* Read the first document of p[0..len) into z: ATMOS_OK, or why not in z->why. */
int atmos_knorm_load(struct norm *z, const char *p, size_t len);

#endif

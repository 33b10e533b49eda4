/*
 * A kubeconfig written out again as kubectl reads it (formats/kubenorm.c): the
 * fallback of the byte-range editor (formats/yamledit.c) for the shapes it cannot
 * cut exactly (flow style, anchors and aliases, merge keys, tags, a second
 * document, a key twice, an entry after a block scalar).
 */
#ifndef ATMOS_KUBENORM_H
#define ATMOS_KUBENORM_H

#include <stddef.h>

#include <atmos/error.h>

#include "base/strings.h"

/*
 * p[0, len) as one plain document in block style that kubectl's reader
 * (yaml.v2, then encoding/json) reads exactly as it reads p: its first
 * document only, aliases expanded, merge keys merged, of a key given twice
 * the last, each scalar a string or not as it was.  Comments and layout are
 * not kept.  ATMOS_OK with *out (appended to), ATMOS_ENOMEM, or ATMOS_EINVAL
 * with why ("kubectl refuses it: ..." when kubectl's reader refuses p).
 */
int atmos_kube_normalize(const char *p, size_t len, struct atmos_buf *out, struct atmos_err *why);

#endif

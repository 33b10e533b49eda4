/*
 * What kubectl's reader refuses in a kubeconfig, node by node, as formats/yamledit.c
 * reads it (formats/kubeverdict.c): the schema of client-go's v1.Config.
 */
#ifndef ATMOS_KUBEVERDICT_H
#define ATMOS_KUBEVERDICT_H

#include <yaml.h>

struct atmos_kube_type;

/* The document's type; the type of a mapping's value of `key`, or of an item (key NULL).
 * NULL: a place client-go does not read (anything goes there but an infinity). */
const struct atmos_kube_type *atmos_kube_type_root(void);
const struct atmos_kube_type *atmos_kube_type_of(const struct atmos_kube_type *t, const char *key);

/* NULL when the node (a scalar or a collection's start) is what client-go takes there (t may
 * be NULL), else why it refuses the file (static). */
const char *atmos_kube_type_check(const struct atmos_kube_type *t, const yaml_event_t *e);

/* A plain scalar YAML 1.1 reads as a bool or a number (or an infinity, NaN). */
int atmos_kube_not_a_string(const yaml_event_t *e);

#endif

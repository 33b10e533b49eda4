/*
 * The verdicts of the tools that own the JSON files atmos edits: whether
 * docker, or the Azure CLI's MSAL, would refuse a file (formats/jsonverdict.c).
 * Each is a struct atmos_json_rule's `check`.
 */
#ifndef ATMOS_JSONVERDICT_H
#define ATMOS_JSONVERDICT_H

#include <stddef.h>

struct atmos_jscan_value;

const char *atmos_docker_check(const char *p, size_t len, const struct atmos_jscan_value *v);
const char *atmos_msal_check(const char *p, size_t len, const struct atmos_jscan_value *v);

/* Whether a member name as written is `field` to Go's encoding/json: exactly, else folded. */
int atmos_go_name_is(const char *raw, size_t raw_len, const char *field);

/* Whether s[0, n) is what Go's base64.StdEncoding decodes (ATMOS_OK, else ATMOS_EINVAL), and
 * where its first ':' is (*colon, -1 when none). */
int atmos_go_base64(const char *s, size_t n, long *colon);

#endif

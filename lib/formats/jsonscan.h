/*
 * A strict JSON scanner (RFC 8259): it checks a whole document and says where
 * the values near the top are, as byte offsets, without building them.  What
 * an editor needs to cut entries out of a file and keep every other byte.
 */
#ifndef ATMOS_JSONSCAN_H
#define ATMOS_JSONSCAN_H

#include <stddef.h>

/* Containers nested deeper than this make a document that does not parse. */
#define ATMOS_JSCAN_MAX_DEPTH 128

/* One value of depth 0 (the root), 1 (a member of the root) or 2 (a member of one of those). */
struct atmos_jscan_value {
    unsigned depth;
    const char *key; /* the member's name as written (escapes kept), NULL in an array */
    size_t key_len;
    const char *parent_key; /* depth 2: the name of the depth-1 container, NULL in a root array */
    size_t parent_key_len;
    size_t start;   /* the member's first byte: its name's quote, or the value in an array */
    size_t value;   /* the value's first byte: '{', '[', '"', a digit, '-', t, f or n */
    size_t end;     /* one past the value's last byte */
    size_t nvalues; /* values in it, itself included */
};

struct atmos_jscan_error {
    size_t offset, line, column; /* line and column count from 1, the column in bytes */
    const char *reason;          /* static: "unexpected character", ... */
};

/* 0 to go on; a positive value stops the scan, and atmos_jscan returns it. */
typedef int (*atmos_jscan_fn)(void *arg, const struct atmos_jscan_value *v);

/*
 * Check `p` (len bytes: an optional UTF-8 byte order mark, one JSON value,
 * whitespace) and call `fn` for each value of depth 2 or less once its last
 * byte is read, so a container comes after its members.  Strings must be
 * UTF-8.  Returns ATMOS_OK, fn's positive value, or ATMOS_EINVAL with `err`
 * when the document does not parse (fn may have been called for what came
 * before).
 * Iterative: the depth bound is the only stack it needs.
 */
int atmos_jscan(const char *p, size_t len, atmos_jscan_fn fn, void *arg,
                struct atmos_jscan_error *err);

/* Whether a member name as written (escapes included) is the string `s`. */
int atmos_jscan_key_is(const char *key, size_t key_len, const char *s);

/*
 * A string as written (escapes kept, no quotes) decoded into out, which has
 * room for raw_len + 1 bytes (no escape decodes longer than it is written):
 * the whole string, NULs included, *out_len its length (out also ends in a
 * NUL).  ATMOS_OK, or ATMOS_EINVAL for a lone surrogate (no UTF-8 string
 * holds one).
 */
int atmos_jscan_decode(const char *raw, size_t raw_len, char *out, size_t *out_len);

/* The line and column (from 1) of byte `offset`. */
void atmos_jscan_where(const char *p, size_t offset, size_t *line, size_t *column);

#endif

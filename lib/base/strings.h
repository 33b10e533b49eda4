/*
 * Helpers shared by the engine's files; not part of the public API.
 */
#ifndef ATMOS_INTERNAL_H
#define ATMOS_INTERNAL_H

#include <stddef.h>

#include "base/clock.h"

/*
 * How long the engine waits for a lock another writer holds, when the caller
 * sets no timeout: long enough for a real writer (an AWS CLI rewriting a
 * large file), short enough that a stuck one never hangs a logout.
 */
#define ATMOS_LOCK_TIMEOUT_MS 10000

/* A growable byte buffer. */
struct atmos_buf {
    char *data;
    size_t len;
    size_t cap;
};

/* Room for `extra` more bytes and the terminating NUL.  This and the two below return
 * ATMOS_OK, or ATMOS_ENOMEM when out of memory (the buffer is as it was). */
int atmos_buf_reserve(struct atmos_buf *b, size_t extra);
int atmos_buf_append(struct atmos_buf *b, const void *data, size_t len);
int atmos_buf_printf(struct atmos_buf *b, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
void atmos_buf_free(struct atmos_buf *b);

/* malloc'd "a/b"; NULL on allocation failure. */
char *atmos_path_join(const char *a, const char *b);
/* malloc'd printf result; NULL on failure. */
char *atmos_strfmt(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* strdup that accepts NULL. */
char *atmos_strdup0(const char *s);

/* Append a copy of s to a malloc'd array of strings (none of them NULL); ATMOS_OK, or
 * ATMOS_ENOMEM with the array as it was. */
int atmos_strv_push(char ***v, size_t *n, const char *s);
/* Sort and drop duplicates. */
void atmos_strv_sort_unique(char **v, size_t *n);
void atmos_strv_free(char **v, size_t n);

/*
 * ASCII letters lowercased, as the engine lowercases names (viper's keys,
 * realm directories): n bytes of src into dst (which may be src), or a
 * string in place.  atmos_ascii_upper says whether there is one to lower.
 */
void atmos_ascii_lower(char *dst, const char *src, size_t n);
void atmos_ascii_lower_str(char *s);
int atmos_ascii_upper(const char *s, size_t n);


/*
 * The length of a UTF-8 byte order mark at p (3), or 0: editors and the Azure
 * CLI write one, and it is never content (INI, JSON and YAML alike).
 */
size_t atmos_bom_len(const char *p, size_t len);

/* lowercase hex SHA-1 of data; out must hold 41 bytes. */
void atmos_sha1_hex(const void *data, size_t len, char out[41]);
/* lowercase hex of the first 8 bytes of SHA-256 (16 digits): how atmos names a realm
 * (auth_realm.go hashRealmFromPath) and a console profile (cmd/auth/console.go). */
void atmos_sha256_hex16(const void *data, size_t len, char out[17]);

#endif

/*
 * The dotenv reader: a file that atmos.yaml pulls in with `env: !include .env`,
 * read the way atmos reads it (github.com/joho/godotenv v1.5.1, Parse), so that
 * the ATMOS_* variables it sets can be honoured.  See formats/dotenv.c for the rules.
 */
#ifndef ATMOS_DOTENV_H
#define ATMOS_DOTENV_H

#include <stddef.h>

#include <atmos/error.h>

#define ATMOS_DOTENV_MAX_VARS 1024
#define ATMOS_DOTENV_MAX_VALUE (64 * 1024)

struct atmos_dotenv_var {
    char *name;
    char *value;
    unsigned line; /* 1-based line of its NAME */
};
/*
 * Parse `data` (`len` bytes; it need not be NUL-terminated) as godotenv.Parse does: into *out,
 * *n entries in first-appearance order, a name set twice keeps its place and takes the later value.
 * ATMOS_OK; ATMOS_EINVAL with err naming `path`:line and what is wrong (never echoing a value: it
 * may be a secret); ATMOS_ENOMEM.  Bounds: at most ATMOS_DOTENV_MAX_VARS (1024) variables and
 * values of at most 64 KiB (the caller bounds the file at 256 KiB); past them ATMOS_EINVAL.
 *
 * A name set twice reports the line of its later setting (where its value came from).
 * $NAME expands from the file itself alone, as in godotenv v1.5.1, the version atmos
 * pins (later releases consult the process environment too).
 */
int atmos_dotenv_parse(const char *path, const char *data, size_t len,
                       struct atmos_dotenv_var **out, size_t *n, struct atmos_err *err);
void atmos_dotenv_free(struct atmos_dotenv_var *v, size_t n);

#endif

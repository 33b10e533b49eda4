/*
 * libFuzzer target: the dotenv reader.
 *
 * Input: the file.
 * Asserted, restating godotenv's rules independently of the reader:
 *  - it never crashes or reads past the data (ASan), and answers only
 *    ATMOS_OK, ATMOS_EINVAL or ATMOS_ENOMEM; a NUL byte is always EINVAL;
 *  - on ATMOS_OK: at most ATMOS_DOTENV_MAX_VARS variables, names distinct and
 *    non-empty, each byte of a name a Latin-1 letter or digit, '_', '.' or a
 *    blank (tab, VT, FF, CR, space, 0x85, 0xA0), none ending in white space;
 *    values of at most 64 KiB; lines within the file;
 *  - an error message names the file.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "formats/dotenv.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static int name_byte(unsigned char c)
{
    if (strchr("\t\v\f\r _.", c) != NULL && c != '\0')
        return 1;
    if ((c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'))
        return 1;
    /* U+0085 and U+00A0 (blanks); ª µ º ² ³ ¹ ¼ ½ ¾; À-ÿ but × and ÷ */
    return c == 0x85 || c == 0xA0 || c == 0xAA || c == 0xB5 || c == 0xBA || c == 0xB2 ||
           c == 0xB3 || c == 0xB9 || (c >= 0xBC && c <= 0xBE) ||
           (c >= 0xC0 && c != 0xD7 && c != 0xF7);
}

static void check_name(const char *name)
{
    size_t n = strlen(name);
    if (n == 0)
        abort();
    for (size_t i = 0; i < n; i++)
        if (!name_byte((unsigned char)name[i]))
            abort();
    unsigned char last = (unsigned char)name[n - 1];
    if (strchr("\t\v\f\r ", last) != NULL)
        abort();
    if (n >= 2 && (unsigned char)name[n - 2] == 0xC2 && (last == 0x85 || last == 0xA0))
        abort(); /* U+0085 or U+00A0 at the end: godotenv trims it */
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    const char *in = (const char *)data;
    size_t len = size;

    struct atmos_dotenv_var *v = NULL;
    size_t n = 0;
    struct atmos_err err;
    int rc = atmos_dotenv_parse("f.env", in, len, &v, &n, &err);
    if (rc != ATMOS_OK) {
        if (rc != ATMOS_EINVAL && rc != ATMOS_ENOMEM)
            abort();
        if (v != NULL || n != 0 || strncmp(err.msg, "f.env", 5) != 0)
            abort();
        return 0;
    }
    if (len > 0 && memchr(in, '\0', len) != NULL)
        abort();
    if (n > ATMOS_DOTENV_MAX_VARS)
        abort();
    unsigned lines = 1;
    for (size_t i = 0; i < len; i++)
        lines += in[i] == '\n';
    for (size_t i = 0; i < n; i++) {
        check_name(v[i].name);
        if (strlen(v[i].value) > ATMOS_DOTENV_MAX_VALUE)
            abort();
        if (v[i].line < 1 || v[i].line > lines)
            abort();
        for (size_t j = 0; j < i; j++)
            if (strcmp(v[i].name, v[j].name) == 0)
                abort();
    }
    atmos_dotenv_free(v, n);
    return 0;
}

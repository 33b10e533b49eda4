/*
 * The one way a string that came from a user's file (or from a process the
 * user controls) is made safe for a log line, a terminal or JSON output.
 * Depends on libc only, so the PAM module links it without the engine.
 */
#ifndef ATMOS_ESCAPE_H
#define ATMOS_ESCAPE_H

#include <stddef.h>

/*
 * Copy `in` to `out` (at most `outlen` bytes with the NUL), with every byte
 * that could change how the text reads escaped as \xNN: C0 controls (newline
 * and tab included), DEL, the C1 controls (U+0080-U+009F, as their two UTF-8
 * bytes) and every byte that is not part of well-formed UTF-8 (overlong forms
 * and surrogates included).  A backslash becomes \\, so the escaped form can
 * always be read back.  Output that does not fit is cut at a whole escape and
 * ends in "...".  Returns the length written.  A NULL `in` reads as "".
 */
size_t atmos_escape(char *out, size_t outlen, const char *in);

/* The same, malloc'd and never cut; NULL only when out of memory. */
char *atmos_escape_dup(const char *in);

/* 1 when atmos_escape would change `in`; 0 when `in` reads as it is (NULL as ""). */
int atmos_escape_needed(const char *in);

#endif

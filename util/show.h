/*
 * Strings from a user's file (names, kinds, paths, error messages) as
 * atmos-logout shows them on a terminal, on stderr or in JSON: escaped once,
 * at the sink, with atmos_escape (see show.c).
 */
#ifndef ATMOS_SHOW_H
#define ATMOS_SHOW_H

/*
 * `s` with controls, C1 and invalid UTF-8 as \xNN ("" for NULL).  The copy
 * stays valid for the next ATMOS_SHOW_SLOTS - 1 calls: enough for the
 * arguments of one printf.
 */
#define ATMOS_SHOW_SLOTS 16
const char *atmos_show(const char *s);

/*
 * The same, for a message (the engine's, a configuration error): where a path in it starts
 * with `home`, the home reads "~", as in every path the report names.  JSON keeps messages
 * whole.
 */
const char *atmos_show_home(const char *home, const char *msg);

/* Frees the copies still held (at exit, so that nothing is left behind). */
void atmos_show_release(void);

/* Whether the locale says UTF-8 (LC_ALL, LC_CTYPE, LANG): else ASCII glyphs only. */
int atmos_utf8(void);

#endif

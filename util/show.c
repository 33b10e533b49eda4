/*
 * Escaping at atmos-logout's sinks.  The engine keeps a user's bytes as they
 * are (paths must stay exact to be removed); everything that prints them
 * goes through atmos_show, or atmos_escape_dup for JSON, so each string is
 * escaped exactly once, on its way out.
 *
 * MUST: no string from a user's file reaches the terminal, stderr or JSON
 * without passing here: no line break (a forged line), no ESC or CSI (a
 * terminal command), no invalid UTF-8 (broken JSON).
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/escape.h>

#include "show.h"

/* A small ring: atmos-logout is single-threaded, and a printf needs a few at once. */
static char *slots[ATMOS_SHOW_SLOTS];
static unsigned next;

const char *atmos_show(const char *s)
{
    if (s == NULL)
        return "";
    if (!atmos_escape_needed(s)) /* most names: no copy (10,000 of them listed: make bench) */
        return s;
    char **slot = &slots[next++ % ATMOS_SHOW_SLOTS];
    free(*slot);
    *slot = atmos_escape_dup(s);
    /* Out of memory: print a mark rather than the raw bytes. */
    return *slot ? *slot : "?";
}

void atmos_show_release(void)
{
    for (unsigned i = 0; i < ATMOS_SHOW_SLOTS; i++) {
        free(slots[i]);
        slots[i] = NULL;
    }
}

int atmos_utf8(void)
{
    static int utf8 = -1;
    if (utf8 < 0) {
        /* The locale's character set, as setlocale(LC_CTYPE, "") would pick it. */
        const char *l = getenv("LC_ALL");
        if (l == NULL || *l == '\0')
            l = getenv("LC_CTYPE");
        if (l == NULL || *l == '\0')
            l = getenv("LANG");
        utf8 = l && (strcasestr(l, "utf-8") || strcasestr(l, "utf8"));
    }
    return utf8;
}

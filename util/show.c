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

const char *atmos_show_home(const char *home, const char *msg)
{
    size_t hl = home ? strlen(home) : 0;
    if (msg == NULL)
        return "";
    if (hl < 2 || strstr(msg, home) == NULL)
        return atmos_show(msg);
    char *t = malloc(strlen(msg) + 1);
    if (t == NULL)
        return "?";
    size_t o = 0;
    for (const char *s = msg; *s;) {
        /* A path starts the message or follows a space, a quote, '(', '=' or ", ". */
        int starts = s == msg || strchr(" \"'(=", s[-1]) != NULL;
        if (starts && strncmp(s, home, hl) == 0 &&
            (s[hl] == '/' || s[hl] == '\0' || strchr(" \"':;,)", s[hl]))) {
            t[o++] = '~';
            s += hl;
        } else {
            t[o++] = *s++;
        }
    }
    t[o] = '\0';
    /* Escaped into a slot of the ring, as atmos_show does (t itself needs no escaping). */
    if (atmos_escape_needed(t)) {
        char *e = atmos_escape_dup(t);
        free(t);
        t = e;
    }
    char **slot = &slots[next++ % ATMOS_SHOW_SLOTS];
    free(*slot);
    *slot = t;
    return t ? t : "?";
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

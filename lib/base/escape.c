/*
 * Escaping untrusted text for logs, terminals and JSON (see atmos/escape.h).
 *
 * MUST: nothing a user wrote reaches syslog, the journal, a terminal or JSON
 * output unescaped: no line break (a forged log line), no ESC or CSI (a
 * terminal command), no invalid UTF-8 (broken JSON).  libc only.
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/escape.h>

/* Length of the well-formed, printable UTF-8 sequence at s, or 0 (RFC 3629 table 3-7). */
static size_t utf8_ok(const unsigned char *s)
{
    unsigned c = s[0];
    if (c >= 0x20 && c < 0x7f)
        return 1;
    if (c >= 0xc2 && c <= 0xdf) {
        if ((s[1] & 0xc0) != 0x80)
            return 0;
        return c == 0xc2 && s[1] < 0xa0 ? 0 : 2; /* U+0080-U+009F: C1 controls */
    }
    if (c >= 0xe0 && c <= 0xef) {
        unsigned lo = c == 0xe0 ? 0xa0 : 0x80, hi = c == 0xed ? 0x9f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 ? 3 : 0;
    }
    if (c >= 0xf0 && c <= 0xf4) {
        unsigned lo = c == 0xf0 ? 0x90 : 0x80, hi = c == 0xf4 ? 0x8f : 0xbf;
        return s[1] >= lo && s[1] <= hi && (s[2] & 0xc0) == 0x80 && (s[3] & 0xc0) == 0x80 ? 4
                                                                                           : 0;
    }
    return 0;
}

/*
 * The rule, in one place: how many bytes at s are kept as they are (a whole
 * printable character, not the backslash), or 0 when the byte at s is escaped.
 */
static size_t kept(const unsigned char *s)
{
    return *s == '\\' ? 0 : utf8_ok(s);
}

int atmos_escape_needed(const char *in)
{
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    for (size_t n; *s; s += n)
        if ((n = kept(s)) == 0)
            return 1;
    return 0;
}

/* Escape into out, writing at most `room` bytes (no NUL); returns the length. */
static size_t run(char *out, size_t room, const char *in)
{
    static const char hex[] = "0123456789abcdef";
    const unsigned char *s = (const unsigned char *)(in ? in : "");
    size_t o = 0;
    while (*s) {
        char piece[4];
        size_t n = kept(s), plen = n;
        const char *p = (const char *)s;
        if (*s == '\\') {
            p = "\\\\", plen = 2, n = 1;
        } else if (n == 0) {
            piece[0] = '\\', piece[1] = 'x', piece[2] = hex[*s >> 4], piece[3] = hex[*s & 15];
            p = piece, plen = 4, n = 1;
        }
        if (o + plen > room)
            break;
        if (out)
            memcpy(out + o, p, plen);
        o += plen;
        s += n;
    }
    return o;
}

size_t atmos_escape(char *out, size_t outlen, const char *in)
{
    if (outlen == 0)
        return 0;
    size_t full = run(NULL, (size_t)-1, in), o;
    if (full < outlen) {
        o = run(out, full, in);
    } else {
        /* Cut at a whole escape, leaving room for the "..." that says so. */
        o = run(out, outlen > 4 ? outlen - 4 : 0, in);
        size_t dots = outlen - 1 - o < 3 ? outlen - 1 - o : 3;
        memcpy(out + o, "...", dots);
        o += dots;
    }
    out[o] = '\0';
    return o;
}

char *atmos_escape_dup(const char *in)
{
    size_t n = run(NULL, (size_t)-1, in);
    char *out = malloc(n + 1);
    if (out != NULL)
        atmos_escape(out, n + 1, in);
    return out;
}

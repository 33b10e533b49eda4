/*
 * The module's reader of its helper's frames (protocol.h, frames.h).
 *
 * MUST, for every byte that came over the result pipe (the user's bytes:
 * any process of the user's can write to that pipe):
 * 1. Accept only the exact forms of protocol.h: a known type with its level,
 *    a length within PA_FRAME_MAX, a result once and last, every count a
 *    bounded run of digits; anything else is a protocol error, and nothing
 *    after it is parsed.
 * 2. Never let it speak for the module: a line of the helper's is logged only
 *    as a quoted, escaped value after PA_HELPER_MARKER, so that no text of
 *    the user's can start a line or pass for one of the module's fields.
 * 3. Keep what reaches syslog within PA_LOG_LINES lines and PA_LOG_BYTES
 *    bytes per close; the rest is only counted.
 */
#include <string.h>

#include <atmos/escape.h>

#include "frames.h"

void pa_reader_init(struct pa_reader *r)
{
    memset(r, 0, sizeof(*r));
}

int pa_result_parse(const unsigned char *text, size_t len, struct pa_counts *c)
{
    unsigned long long v[PA_RESULT_FIELDS];
    size_t i = 0;
    for (int f = 0; f < PA_RESULT_FIELDS; f++) {
        if (f > 0 && (i >= len || text[i++] != ' '))
            return -1;
        size_t start = i;
        unsigned long long n = 0;
        /* Ten digits at most: no overflow, and no "-1" or "+1" (strtoul would take them). */
        while (i < len && text[i] >= '0' && text[i] <= '9' && i - start < 10)
            n = n * 10 + (unsigned)(text[i++] - '0');
        if (i == start || (i < len && text[i] >= '0' && text[i] <= '9'))
            return -1;
        v[f] = n;
    }
    if (i != len || v[0] != PA_PROTOCOL || v[1] >= PA_STATUS_COUNT)
        return -1;
    for (int f = 2; f < PA_RESULT_FIELDS; f++)
        if (v[f] > PA_COUNT_MAX)
            return -1;
    c->status = (enum pa_status)v[1];
    c->removed = (size_t)v[2];
    c->failed = (size_t)v[3];
    c->revoked = (size_t)v[4];
    c->signout_failed = (size_t)v[5];
    c->realms = (size_t)v[6];
    return 0;
}

/* The length of the unit of atmos_escape's output at s: an escape, or a whole character. */
static size_t unit(const char *s)
{
    unsigned char c = (unsigned char)s[0];
    if (c == '\\')
        return s[1] == 'x' ? 4 : 2;
    if (c >= 0xf0)
        return 4;
    if (c >= 0xe0)
        return 3;
    return c >= 0xc0 ? 2 : 1;
}

size_t pa_quote(char *out, size_t outlen, const unsigned char *text, size_t len)
{
    static const char cut[] = "...\"";
    char raw[PA_FRAME_MAX + 1], esc[4 * PA_FRAME_MAX + 1];
    size_t o = sizeof(PA_HELPER_MARKER) - 1;
    if (len > PA_FRAME_MAX)
        len = PA_FRAME_MAX;
    memcpy(raw, text, len);
    raw[len] = '\0';
    atmos_escape(esc, sizeof(esc), raw); /* never cut: 4 bytes per byte at most */
    memcpy(out, PA_HELPER_MARKER, o);
    for (const char *s = esc; *s;) {
        size_t n = unit(s);
        /* A quote of the user's would end the value early (MUST 2). */
        const char *piece = *s == '"' ? "\\x22" : s;
        size_t plen = *s == '"' ? 4 : n;
        if (o + plen + sizeof(cut) > outlen) { /* room for "...\"" and the NUL */
            memcpy(out + o, cut, sizeof(cut));
            return o + sizeof(cut) - 1;
        }
        memcpy(out + o, piece, plen);
        o += plen;
        s += n;
    }
    out[o++] = '"';
    out[o] = '\0';
    return o;
}

static void log_line(struct pa_reader *r, int level, const unsigned char *text, size_t len,
                     pa_emit_fn emit, void *ctx)
{
    char line[PA_LOG_LINE_MAX];
    if (r->lines >= PA_LOG_LINES) { /* MUST 3 */
        r->dropped++;
        return;
    }
    size_t n = pa_quote(line, sizeof(line), text, len);
    if (r->bytes + n > PA_LOG_BYTES) {
        r->dropped++;
        return;
    }
    r->lines++;
    r->bytes += n;
    emit(ctx, level, line);
}

/* Take the whole frames out of the buffer; -1 on anything that is not one of ours (MUST 1). */
static int frames(struct pa_reader *r, pa_emit_fn emit, void *ctx)
{
    size_t off = 0;
    while (r->have - off >= 4) {
        const unsigned char *f = r->buf + off;
        size_t len = (size_t)f[2] << 8 | f[3];
        if (r->completed || len > PA_FRAME_MAX)
            return -1; /* the result is the last frame */
        if (!(f[0] == PA_FRAME_LOG && f[1] <= 3) && !(f[0] == PA_FRAME_RESULT && f[1] == 0))
            return -1;
        if (r->have - off < 4 + len)
            break;
        if (f[0] == PA_FRAME_LOG) {
            if (memchr(f + 4, '\0', len) != NULL)
                return -1;
            log_line(r, f[1], f + 4, len, emit, ctx);
        } else {
            if (pa_result_parse(f + 4, len, &r->result) != 0)
                return -1;
            r->completed = 1;
        }
        off += 4 + len;
    }
    memmove(r->buf, r->buf + off, r->have - off);
    r->have -= off;
    return 0;
}

int pa_reader_feed(struct pa_reader *r, const unsigned char *data, size_t len, pa_emit_fn emit,
                   void *ctx)
{
    while (len > 0 && !r->error) {
        /* After frames() the buffer holds less than one whole frame: there is room. */
        size_t take = sizeof(r->buf) - r->have;
        if (take > len)
            take = len;
        memcpy(r->buf + r->have, data, take);
        r->have += take;
        data += take;
        len -= take;
        if (frames(r, emit, ctx) != 0)
            r->error = 1;
    }
    return r->error ? -1 : 0;
}

int pa_reader_end(struct pa_reader *r)
{
    if (r->have != 0)
        r->error = 1;
    return r->error ? -1 : 0;
}

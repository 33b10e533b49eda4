/*
 * libFuzzer target: the module's reader of its helper's frames
 * (pam_atmos/frames.c), the bytes any process of the user's can write.
 *
 * Input: the first byte picks the size of the pieces the rest is fed in
 * (1-256 bytes, as reads of a pipe may split it); the rest is the pipe.
 * Asserted, restating protocol.h and pam_atmos(8) independently:
 *  - no crash, no read past the data (ASan);
 *  - every line handed to syslog starts with the marker `helper: "`, ends
 *    with its closing quote, has no other quote, no control byte (C0, DEL),
 *    no C1 control, and is shorter than PA_LOG_LINE_MAX;
 *  - at most PA_LOG_LINES lines and PA_LOG_BYTES bytes a close;
 *  - a result has a known status and every count at most PA_COUNT_MAX;
 *  - pa_result_parse accepts only seven runs of digits with single spaces;
 *  - after a protocol error, nothing more is logged or taken as a result.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "frames.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

struct seen {
    unsigned lines;
    size_t bytes;
    int after_error;
    const struct pa_reader *r;
};

static void emit(void *ctx, int level, const char *line)
{
    struct seen *s = ctx;
    size_t n = strlen(line), m = strlen(PA_HELPER_MARKER);
    if (level < 0 || level > 3 || s->r->error)
        abort();
    if (n >= PA_LOG_LINE_MAX || n < m + 1 || strncmp(line, PA_HELPER_MARKER, m) != 0 ||
        line[n - 1] != '"')
        abort();
    for (size_t i = m; i + 1 < n; i++) {
        unsigned char c = (unsigned char)line[i];
        if (c == '"' || c < 0x20 || c == 0x7f)
            abort();
        if (c == 0xc2 && (unsigned char)line[i + 1] >= 0x80 && (unsigned char)line[i + 1] < 0xa0)
            abort(); /* a C1 control */
    }
    s->lines++;
    s->bytes += n;
}

static void check_result_form(const uint8_t *d, size_t n)
{
    struct pa_counts c;
    if (pa_result_parse(d, n, &c) != 0)
        return;
    int spaces = 0;
    for (size_t i = 0; i < n; i++) {
        if (d[i] == ' ') {
            if (i == 0 || i + 1 == n || d[i - 1] == ' ')
                abort();
            spaces++;
        } else if (d[i] < '0' || d[i] > '9') {
            abort();
        }
    }
    if (spaces != 6 || c.status >= PA_STATUS_COUNT || c.removed > PA_COUNT_MAX ||
        c.failed > PA_COUNT_MAX || c.revoked > PA_COUNT_MAX || c.signout_failed > PA_COUNT_MAX ||
        c.realms > PA_COUNT_MAX)
        abort();
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static struct pa_reader r;
    struct seen s = {0, 0, 0, &r};
    if (size == 0)
        return 0;
    size_t piece = (size_t)data[0] + 1;
    data++, size--;
    check_result_form(data, size);
    pa_reader_init(&r);
    for (size_t off = 0; off < size; off += piece) {
        size_t n = size - off < piece ? size - off : piece;
        int was_error = r.error, was_completed = r.completed;
        struct pa_counts before = r.result;
        int rc = pa_reader_feed(&r, data + off, n, emit, &s);
        if (rc != (r.error ? -1 : 0))
            abort();
        if (was_error && (!r.error || r.completed != was_completed ||
                          memcmp(&before, &r.result, sizeof(before)) != 0))
            abort(); /* sticky */
    }
    pa_reader_end(&r);
    if (s.lines != r.lines || s.lines > PA_LOG_LINES || s.bytes != r.bytes || s.bytes > PA_LOG_BYTES)
        abort();
    if (r.completed && (r.result.status >= PA_STATUS_COUNT || r.result.removed > PA_COUNT_MAX ||
                        r.result.failed > PA_COUNT_MAX || r.result.revoked > PA_COUNT_MAX ||
                        r.result.realms > PA_COUNT_MAX))
        abort();
    return 0;
}

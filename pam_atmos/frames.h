/*
 * Reading the helper's result pipe (protocol.h): strict, bounded, and with
 * every line the helper sends made into a quoted value behind a marker.
 * Pure functions over bytes: no I/O, no PAM, so a fuzzer can drive them.
 */
#ifndef PAM_ATMOS_FRAMES_H
#define PAM_ATMOS_FRAMES_H

#include <stddef.h>

#include "protocol.h"

/* What comes first on every line of the helper's in syslog: no byte of the user's precedes it. */
#define PA_HELPER_MARKER "helper: \""

/* The R frame's fields: version, status and the counts. */
#define PA_RESULT_FIELDS 7
struct pa_counts {
    enum pa_status status;
    size_t removed, failed, revoked;
    size_t signout_failed; /* server-side sign-outs that did not happen (not in failed) */
    size_t realms;
};

struct pa_reader {
    unsigned char buf[4 + PA_FRAME_MAX]; /* one whole frame always fits */
    size_t have;
    int error;     /* a protocol error: sticky, nothing after it is parsed */
    int completed; /* the R frame came */
    struct pa_counts result;
    unsigned lines, dropped; /* lines logged, lines over the budget */
    size_t bytes;            /* logged bytes */
};

/* Called for each of the helper's lines within the budget: level 0-3, the line to log as it is. */
typedef void (*pa_emit_fn)(void *ctx, int level, const char *line);

void pa_reader_init(struct pa_reader *r);

/* Take `len` more bytes of the pipe; 0, or -1 once anything is not a frame of ours (sticky). */
int pa_reader_feed(struct pa_reader *r, const unsigned char *data, size_t len, pa_emit_fn emit,
                   void *ctx);

/* At the pipe's end: -1 when a frame was cut short (or an error came before). */
int pa_reader_end(struct pa_reader *r);

/* An R frame's payload: 0 with *c filled, or -1 for anything but the exact form in protocol.h. */
int pa_result_parse(const unsigned char *text, size_t len, struct pa_counts *c);

/*
 * `text` (no NUL inside) as it is logged: PA_HELPER_MARKER, the text escaped
 * (atmos_escape, and '"' as \x22), a closing '"'; cut at a whole escape with
 * "..." before the quote when it does not fit in outlen (at least 16) bytes
 * with the NUL.  Returns the length written.
 */
size_t pa_quote(char *out, size_t outlen, const unsigned char *text, size_t len);

#endif

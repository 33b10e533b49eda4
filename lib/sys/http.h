/*
 * The sign-out phase's HTTPS client (see sys/http.c): requests queued by every
 * sign-out kind, then sent all at once, bounded, over libcurl loaded only
 * then.
 */
#ifndef ATMOS_HTTP_H
#define ATMOS_HTTP_H

#include <stddef.h>

#include <atmos/env.h>
#include <atmos/log.h>

/* The phase's bounds, for every request of every kind together. */
#define ATMOS_HTTP_CONNECT_MS 2000
#define ATMOS_HTTP_PHASE_MS 5000

#define ATMOS_HTTP_HEADERS 4

struct atmos_http_req {
    char *url;          /* https:// only (anything else is not sent); freed with the batch */
    const char *method; /* static: "POST" (sent with an empty body) or "DELETE" (no body) */
    /* "Name: value" lines (a token among them): wiped and freed with the batch.
     * "Name:" with no value removes a header libcurl would add. */
    char *headers[ATMOS_HTTP_HEADERS];
    const char *ca_bundle; /* trust these CAs instead of the system's; NULL: the system's */
    /* Outcome: the HTTP status, or 0 and why no answer came (never a secret). */
    long status;
    char why[160];
};

struct atmos_http_batch {
    struct atmos_http_req *v;
    size_t n, cap;
};

/* A new request at the end of the batch (zeroed); NULL when out of memory.  Adding may
 * move the array: keep indices, not pointers, across calls. */
struct atmos_http_req *atmos_http_add(struct atmos_http_batch *b);
/*
 * Send every request at once; each ends with a status or a reason.  Nothing
 * is loaded when the batch is empty.  Proxy and no-proxy from `env`.
 */
void atmos_http_run(struct atmos_http_batch *b, const struct atmos_env *env,
                    const struct atmos_logger *lg);
/* Wipes every header, frees everything. */
void atmos_http_free(struct atmos_http_batch *b);

#endif

/*
 * The sign-out phase's HTTPS client: every sign-out kind (IAM Identity
 * Center's Logout, GitHub's installation-token revocation) queues its
 * requests, and they all go at once here (curl multi), so the phase costs
 * one bound however many clouds take part: 2 s to connect, 5 s in all.
 *
 * libcurl is loaded here, at run time, only when a batch holds a request: an
 * identity logout or --no-revoke never maps it (nor any TLS library).
 *
 * MUST: send only over HTTPS to a server whose certificate verifies (the
 * system's trust store, or the request's CA bundle), never follow a
 * redirect, never log a header (they carry tokens); wipe every header.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <curl/curl.h>

#include <atmos/error.h>

#include "sys/http.h"
#include "base/strings.h"

/* The few libcurl calls we make, resolved by dlsym. */
struct curl {
    void *dl;
    CURL *(*easy_init)(void);
    CURLcode (*easy_setopt)(CURL *, CURLoption, ...);
    CURLcode (*easy_getinfo)(CURL *, CURLINFO, ...);
    void (*easy_cleanup)(CURL *);
    const char *(*easy_strerror)(CURLcode);
    struct curl_slist *(*slist_append)(struct curl_slist *, const char *);
    void (*slist_free_all)(struct curl_slist *);
    CURLM *(*multi_init)(void);
    CURLMcode (*multi_add_handle)(CURLM *, CURL *);
    CURLMcode (*multi_remove_handle)(CURLM *, CURL *);
    CURLMcode (*multi_perform)(CURLM *, int *);
    CURLMcode (*multi_poll)(CURLM *, struct curl_waitfd *, unsigned, int, int *);
    CURLMsg *(*multi_info_read)(CURLM *, int *);
    CURLMcode (*multi_cleanup)(CURLM *);
};

/* libcurl mapped and its calls found: ATMOS_OK, or ATMOS_ABSENT when no usable one is installed. */
static int load_curl(struct curl *c)
{
    static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; c->dl == NULL && i < sizeof(names) / sizeof(*names); i++)
        c->dl = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (c->dl == NULL)
        return ATMOS_ABSENT;
#define SYM(f, n) (*(void **)&c->f = dlsym(c->dl, n)) == NULL
    if (SYM(easy_init, "curl_easy_init") || SYM(easy_setopt, "curl_easy_setopt") ||
        SYM(easy_getinfo, "curl_easy_getinfo") || SYM(easy_cleanup, "curl_easy_cleanup") ||
        SYM(easy_strerror, "curl_easy_strerror") || SYM(slist_append, "curl_slist_append") ||
        SYM(slist_free_all, "curl_slist_free_all") || SYM(multi_init, "curl_multi_init") ||
        SYM(multi_add_handle, "curl_multi_add_handle") ||
        SYM(multi_remove_handle, "curl_multi_remove_handle") ||
        SYM(multi_perform, "curl_multi_perform") || SYM(multi_poll, "curl_multi_poll") ||
        SYM(multi_info_read, "curl_multi_info_read") || SYM(multi_cleanup, "curl_multi_cleanup")) {
        dlclose(c->dl);
        c->dl = NULL;
        return ATMOS_ABSENT;
    }
#undef SYM
    return ATMOS_OK;
}

struct atmos_http_req *atmos_http_add(struct atmos_http_batch *b)
{
    if (b->n == b->cap) {
        size_t cap = b->cap ? 2 * b->cap : 8;
        struct atmos_http_req *v = realloc(b->v, cap * sizeof(*v));
        if (v == NULL)
            return NULL;
        b->v = v;
        b->cap = cap;
    }
    struct atmos_http_req *q = &b->v[b->n++];
    memset(q, 0, sizeof(*q));
    return q;
}

void atmos_http_free(struct atmos_http_batch *b)
{
    for (size_t i = 0; i < b->n; i++) {
        free(b->v[i].url);
        for (int k = 0; k < ATMOS_HTTP_HEADERS; k++)
            if (b->v[i].headers[k]) {
                explicit_bzero(b->v[i].headers[k], strlen(b->v[i].headers[k]));
                free(b->v[i].headers[k]);
            }
    }
    free(b->v);
    memset(b, 0, sizeof(*b));
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

/*
 * One transfer; its libcurl state in h and hdr (freed by the caller).  ATMOS_OK, or with
 * q->why: ATMOS_ENOMEM when libcurl could not allocate, ATMOS_EINVAL for a URL that is
 * not https:// (or a handle libcurl refuses).
 */
static int start(const struct curl *c, CURLM *m, const struct atmos_env *env,
                 struct atmos_http_req *q, CURL **hp, struct curl_slist **hdr, const char *ua)
{
    /* libcurl's lists and handles are NULL only when it could not allocate them. */
    int rc = ATMOS_ENOMEM;
    /* Checked here as well as by CURLOPT_PROTOCOLS_STR: a token never goes in clear text. */
    if (q->url == NULL || strncmp(q->url, "https://", 8) != 0) {
        snprintf(q->why, sizeof(q->why), "the endpoint is not an https:// URL; not sent");
        return ATMOS_EINVAL;
    }
    for (int k = 0; k < ATMOS_HTTP_HEADERS && q->headers[k]; k++) {
        struct curl_slist *n = c->slist_append(*hdr, q->headers[k]);
        if (n == NULL)
            goto fail;
        *hdr = n;
    }
    CURL *h = *hp = c->easy_init();
    if (h == NULL)
        goto fail;
    c->easy_setopt(h, CURLOPT_URL, q->url);
    if (strcmp(q->method, "POST") == 0) {
        c->easy_setopt(h, CURLOPT_POST, 1L);
        c->easy_setopt(h, CURLOPT_POSTFIELDS, "");
        c->easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    } else {
        c->easy_setopt(h, CURLOPT_CUSTOMREQUEST, q->method);
    }
    c->easy_setopt(h, CURLOPT_HTTPHEADER, *hdr);
    c->easy_setopt(h, CURLOPT_USERAGENT, ua);
    c->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* Never in clear text, never somewhere else: https only, no redirects. */
    c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    c->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    c->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    c->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    if (nonempty(q->ca_bundle))
        c->easy_setopt(h, CURLOPT_CAINFO, q->ca_bundle);
    /* The proxy of the environment we were given (the PAM child has no other). */
    c->easy_setopt(h, CURLOPT_PROXY, nonempty(env->https_proxy) ? env->https_proxy : "");
    if (nonempty(env->no_proxy))
        c->easy_setopt(h, CURLOPT_NOPROXY, env->no_proxy);
    c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)ATMOS_HTTP_CONNECT_MS);
    c->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)ATMOS_HTTP_PHASE_MS);
    c->easy_setopt(h, CURLOPT_PRIVATE, q);
    CURLMcode mc = c->multi_add_handle(m, h);
    if (mc == CURLM_OK)
        return ATMOS_OK;
    if (mc != CURLM_OUT_OF_MEMORY)
        rc = ATMOS_EINVAL; /* a handle libcurl calls bad */
fail:
    snprintf(q->why, sizeof(q->why), "could not start the request");
    return rc;
}

static void finish(const struct curl *c, CURL *h, struct atmos_http_req *q, CURLcode code)
{
    if (code != CURLE_OK) {
        snprintf(q->why, sizeof(q->why), "%s", c->easy_strerror(code));
        return;
    }
    c->easy_getinfo(h, CURLINFO_RESPONSE_CODE, &q->status);
    if (q->status == 0)
        snprintf(q->why, sizeof(q->why), "no HTTP status in the answer");
}

/* Every transfer started, until all are done or the phase's 5 s are up. */
static void perform(const struct curl *c, CURLM *m)
{
    long long deadline = atmos_now_ms() + ATMOS_HTTP_PHASE_MS;
    int running = 1;
    while (running) {
        if (c->multi_perform(m, &running) != CURLM_OK)
            break;
        CURLMsg *msg;
        int left;
        while ((msg = c->multi_info_read(m, &left)) != NULL) {
            struct atmos_http_req *q = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            c->easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&q);
            if (q)
                finish(c, msg->easy_handle, q, msg->data.result);
        }
        long long left_ms = deadline - atmos_now_ms();
        if (!running || left_ms <= 0)
            break;
        c->multi_poll(m, NULL, 0, (int)(left_ms < 100 ? left_ms : 100), NULL);
    }
}

void atmos_http_run(struct atmos_http_batch *b, const struct atmos_env *env,
                    const struct atmos_logger *lg)
{
    struct curl c;
    CURL **h = NULL;
    struct curl_slist **hdr = NULL;
    CURLM *m = NULL;
    if (b->n == 0)
        return;
    for (size_t i = 0; i < b->n; i++)
        b->v[i].status = 0, b->v[i].why[0] = '\0';
    if (load_curl(&c) != 0) {
        for (size_t i = 0; i < b->n; i++)
            snprintf(b->v[i].why, sizeof(b->v[i].why), "libcurl is not installed");
        return;
    }
    atmos_log(lg, ATMOS_LOG_DEBUG, "Sending %zu sign-out %s", b->n,
              b->n == 1 ? "request" : "requests");
    char ua[64];
    snprintf(ua, sizeof(ua), "atmos-logout/%s", ATMOS_VERSION);
    if ((h = calloc(b->n, sizeof(*h))) == NULL || (hdr = calloc(b->n, sizeof(*hdr))) == NULL ||
        (m = c.multi_init()) == NULL) {
        for (size_t i = 0; i < b->n; i++)
            snprintf(b->v[i].why, sizeof(b->v[i].why), "out of memory");
        goto done;
    }
    for (size_t i = 0; i < b->n; i++)
        start(&c, m, env, &b->v[i], &h[i], &hdr[i], ua);
    perform(&c, m);
    for (size_t i = 0; i < b->n; i++)
        if (b->v[i].status == 0 && b->v[i].why[0] == '\0')
            snprintf(b->v[i].why, sizeof(b->v[i].why), "no answer within %d s",
                     ATMOS_HTTP_PHASE_MS / 1000);
done:
    for (size_t i = 0; h && i < b->n; i++) {
        if (h[i]) {
            if (m)
                c.multi_remove_handle(m, h[i]);
            c.easy_cleanup(h[i]);
        }
        if (hdr && hdr[i]) {
            /* libcurl's copies of the headers hold the tokens too. */
            for (struct curl_slist *l = hdr[i]; l; l = l->next)
                explicit_bzero(l->data, strlen(l->data));
            c.slist_free_all(hdr[i]);
        }
    }
    if (m)
        c.multi_cleanup(m);
    free(h);
    free(hdr);
    /* libcurl stays mapped: unloading a TLS library mid-process is not safe. */
}

/*
 * Signing out of IAM Identity Center server-side, as `aws sso logout` does:
 * the SSO portal operation Logout, POST /logout to
 * https://portal.sso.<region>.amazonaws.com (amazonaws.com.cn for cn-*), the
 * token in the header x-amz-sso_bearer_token, empty body, no signature.
 * AWS_ENDPOINT_URL_SSO, then AWS_ENDPOINT_URL, replace the endpoint.
 *
 * libcurl is loaded here, at run time, only when a token is to be signed out:
 * an identity logout or --no-revoke never maps it (nor any TLS library).
 * Every token goes at once (curl multi) and the whole phase is bounded: 2 s
 * to connect, 5 s in all.  The outcome never changes what the local cleanup
 * does or the exit status.
 *
 * The AWS cloud's sign-out kind runs here too: each planned token file read
 * (through safefs, the buffer wiped), each distinct token sent once.
 *
 * MUST: send a token only over HTTPS to a server whose certificate verifies
 * (system trust store, or AWS_CA_BUNDLE), never follow a redirect, never log
 * or report a token; each distinct token once.
 */
#include <dlfcn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <curl/curl.h>
#include <json-c/json.h>

#include "internal.h"
#include "cloud_aws_signout.h"
#include "safefs.h"
#include "cloud_aws_ssocache.h"

#define CONNECT_MS 2000
#define PHASE_MS 5000

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

static int load_curl(struct curl *c)
{
    static const char *const names[] = {"libcurl.so.4", "libcurl-gnutls.so.4"};
    memset(c, 0, sizeof(*c));
    for (size_t i = 0; c->dl == NULL && i < sizeof(names) / sizeof(*names); i++)
        c->dl = dlopen(names[i], RTLD_NOW | RTLD_LOCAL);
    if (c->dl == NULL)
        return -1;
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
        return -1;
    }
#undef SYM
    return 0;
}

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

char *atmos_signout_url(const struct atmos_env *env, const char *region)
{
    const char *ep = nonempty(env->signout_endpoint);
    if (ep == NULL)
        ep = atmos_env_get(env, "AWS_ENDPOINT_URL_SSO");
    if (ep == NULL)
        ep = atmos_env_get(env, "AWS_ENDPOINT_URL");
    if (ep) {
        size_t n = strlen(ep);
        while (n && ep[n - 1] == '/')
            n--;
        return atmos_strfmt("%.*s/logout", (int)n, ep);
    }
    /* Partitions: China regions are under amazonaws.com.cn; GovCloud stays on amazonaws.com. */
    return atmos_strfmt("https://portal.sso.%s.amazonaws.com%s/logout", region,
                        strncmp(region, "cn-", 3) == 0 ? ".cn" : "");
}

/* A region is a name, never a way to change the host: [a-z0-9-] only. */
static int region_ok(const char *r)
{
    size_t n = strlen(r);
    return n > 0 && n < 64 && strspn(r, "abcdefghijklmnopqrstuvwxyz0123456789-") == n;
}

struct req {
    struct atmos_signout *s;
    CURL *h;
    struct curl_slist *hdr;
};

static size_t discard(char *p, size_t size, size_t n, void *ctx)
{
    (void)p;
    (void)ctx;
    return size * n;
}

static void set_result(struct atmos_signout *s, enum atmos_signout_result r, const char *why)
{
    s->result = r;
    free(s->why);
    s->why = why ? strdup(why) : NULL;
}

static int start(const struct curl *c, CURLM *m, const struct atmos_env *env, struct req *q,
                 const char *ua)
{
    struct atmos_signout *s = q->s;
    char *url = atmos_signout_url(env, s->region);
    char *hdr = atmos_strfmt("x-amz-sso_bearer_token: %s", s->token);
    int rc = -1;
    if (url == NULL || hdr == NULL || (q->h = c->easy_init()) == NULL ||
        (q->hdr = c->slist_append(NULL, hdr)) == NULL)
        goto done;
    /* An empty Content-Type: the operation has no body, as the AWS CLI sends it. */
    struct curl_slist *h2 = c->slist_append(q->hdr, "Content-Type:");
    if (h2 == NULL)
        goto done;
    q->hdr = h2;
    CURL *h = q->h;
    c->easy_setopt(h, CURLOPT_URL, url);
    c->easy_setopt(h, CURLOPT_POST, 1L);
    c->easy_setopt(h, CURLOPT_POSTFIELDS, "");
    c->easy_setopt(h, CURLOPT_POSTFIELDSIZE, 0L);
    c->easy_setopt(h, CURLOPT_HTTPHEADER, q->hdr);
    c->easy_setopt(h, CURLOPT_USERAGENT, ua);
    c->easy_setopt(h, CURLOPT_WRITEFUNCTION, discard);
    c->easy_setopt(h, CURLOPT_NOSIGNAL, 1L);
    /* Never in clear text, never somewhere else: https only, no redirects. */
    c->easy_setopt(h, CURLOPT_PROTOCOLS_STR, "https");
    c->easy_setopt(h, CURLOPT_FOLLOWLOCATION, 0L);
    c->easy_setopt(h, CURLOPT_SSL_VERIFYPEER, 1L);
    c->easy_setopt(h, CURLOPT_SSL_VERIFYHOST, 2L);
    const char *ca = nonempty(env->signout_ca_bundle);
    if (ca == NULL)
        ca = atmos_env_get(env, "AWS_CA_BUNDLE");
    if (ca)
        c->easy_setopt(h, CURLOPT_CAINFO, ca);
    /* The proxy of the environment we were given (the PAM child has no other). */
    c->easy_setopt(h, CURLOPT_PROXY, nonempty(env->https_proxy) ? env->https_proxy : "");
    if (nonempty(env->no_proxy))
        c->easy_setopt(h, CURLOPT_NOPROXY, env->no_proxy);
    c->easy_setopt(h, CURLOPT_CONNECTTIMEOUT_MS, (long)CONNECT_MS);
    c->easy_setopt(h, CURLOPT_TIMEOUT_MS, (long)PHASE_MS);
    c->easy_setopt(h, CURLOPT_PRIVATE, q);
    rc = c->multi_add_handle(m, h) == CURLM_OK ? 0 : -1;
done:
    if (hdr) {
        explicit_bzero(hdr, strlen(hdr));
        free(hdr);
    }
    free(url);
    if (rc != 0)
        set_result(s, ATMOS_SIGNOUT_FAILED, "could not start the request");
    return rc;
}

static void finish(const struct curl *c, struct req *q, CURLcode code)
{
    long status = 0;
    char why[160];
    if (code != CURLE_OK) {
        snprintf(why, sizeof(why), "%s", c->easy_strerror(code));
        set_result(q->s, ATMOS_SIGNOUT_FAILED, why);
        return;
    }
    c->easy_getinfo(q->h, CURLINFO_RESPONSE_CODE, &status);
    if (status >= 200 && status < 300) {
        set_result(q->s, ATMOS_SIGNOUT_DONE, NULL);
    } else if (status == 401) {
        /* UnauthorizedException: the token is no longer valid, the session already over. */
        set_result(q->s, ATMOS_SIGNOUT_ALREADY, NULL);
    } else {
        snprintf(why, sizeof(why), "the server answered HTTP %ld", status);
        set_result(q->s, ATMOS_SIGNOUT_FAILED, why);
    }
}

void atmos_signout_run(struct atmos_signout *v, size_t n, const struct atmos_env *env,
                       const struct atmos_logger *lg)
{
    struct curl c;
    struct req *q = NULL;
    CURLM *m = NULL;
    size_t want = 0;
    for (size_t i = 0; i < n; i++) {
        if (v[i].result != ATMOS_SIGNOUT_PENDING)
            continue;
        if (!region_ok(v[i].region))
            set_result(&v[i], ATMOS_SIGNOUT_FAILED, "the token's region is not a region name");
        else
            want++;
    }
    if (want == 0)
        return;
    if (load_curl(&c) != 0) {
        for (size_t i = 0; i < n; i++)
            if (v[i].result == ATMOS_SIGNOUT_PENDING)
                set_result(&v[i], ATMOS_SIGNOUT_FAILED, "libcurl is not installed");
        return;
    }
    atmos_log(lg, ATMOS_LOG_DEBUG, "Signing out of %zu IAM Identity Center %s", want,
              want == 1 ? "session" : "sessions");
    char ua[64];
    snprintf(ua, sizeof(ua), "atmos-logout/%s", ATMOS_VERSION);
    if ((q = calloc(n, sizeof(*q))) == NULL || (m = c.multi_init()) == NULL)
        goto done;
    for (size_t i = 0; i < n; i++) {
        q[i].s = &v[i];
        if (v[i].result == ATMOS_SIGNOUT_PENDING)
            start(&c, m, env, &q[i], ua);
    }
    long long deadline = atmos_now_ms() + PHASE_MS;
    int running = 1;
    while (running) {
        if (c.multi_perform(m, &running) != CURLM_OK)
            break;
        CURLMsg *msg;
        int left;
        while ((msg = c.multi_info_read(m, &left)) != NULL) {
            struct req *r = NULL;
            if (msg->msg != CURLMSG_DONE)
                continue;
            c.easy_getinfo(msg->easy_handle, CURLINFO_PRIVATE, (char **)&r);
            if (r)
                finish(&c, r, msg->data.result);
        }
        long long left_ms = deadline - atmos_now_ms();
        if (!running || left_ms <= 0)
            break;
        c.multi_poll(m, NULL, 0, (int)(left_ms < 100 ? left_ms : 100), NULL);
    }
done:
    for (size_t i = 0; q && i < n; i++) {
        if (q[i].h) {
            if (m)
                c.multi_remove_handle(m, q[i].h);
            c.easy_cleanup(q[i].h);
        }
        if (q[i].hdr)
            c.slist_free_all(q[i].hdr);
    }
    for (size_t i = 0; i < n; i++)
        if (v[i].result == ATMOS_SIGNOUT_PENDING)
            set_result(&v[i], ATMOS_SIGNOUT_FAILED, "no answer within 5 s");
    if (m)
        c.multi_cleanup(m);
    free(q);
    /* libcurl stays mapped: unloading a TLS library mid-process is not safe. */
}

void atmos_signout_free(struct atmos_signout *s)
{
    if (s->token) {
        explicit_bzero(s->token, strlen(s->token));
        free(s->token);
    }
    free(s->region);
    free(s->why);
    memset(s, 0, sizeof(*s));
}

int atmos_signout_read(const char *data, size_t len, const char *start_url,
                       struct atmos_signout *out)
{
    memset(out, 0, sizeof(*out));
    if (start_url && atmos_sso_match(data, len, start_url) != ATMOS_SSO_MATCH)
        return -1;
    json_object *o = json_tokener_parse(data);
    json_object *at = NULL, *rg = NULL;
    int rc = -1;
    if (o && json_object_is_type(o, json_type_object) &&
        json_object_object_get_ex(o, "accessToken", &at) &&
        json_object_is_type(at, json_type_string) && json_object_get_string_len(at) > 0) {
        out->token = strdup(json_object_get_string(at));
        if (json_object_object_get_ex(o, "region", &rg) &&
            json_object_is_type(rg, json_type_string) && json_object_get_string_len(rg) > 0)
            out->region = strdup(json_object_get_string(rg));
        rc = out->token ? 0 : -1;
    }
    json_object_put(o);
    return rc;
}

/* --- signing out the items a plan holds (struct atmos_signout_kind's run) ---- */

/* Read one SSO token file for signing out: ATMOS_OK with *s filled, ATMOS_ABSENT, or ATMOS_ESYS. */
static int read_token(const struct atmos_fs *fs, struct atmos_item *it, struct atmos_signout *s)
{
    const char *leaf;
    struct atmos_err why;
    struct atmos_buf buf = {0};
    struct stat st;
    int dfd = -1;
    int rc = atmos_fs_open_parent(fs, it->path, &dfd, &leaf, &why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_read(fs, dfd, leaf, it->path, ATMOS_SSO_MAX_BYTES, &buf, &st, &why);
    if (dfd >= 0)
        close(dfd);
    if (rc == ATMOS_ESYS)
        it->error = strdup(why.msg);
    /* Only a token for the provider's start URL (atmos's own session file names it too). */
    if (rc == ATMOS_OK &&
        atmos_signout_read(buf.data ? buf.data : "", buf.len, it->u.signout.arg, s) != 0)
        rc = ATMOS_ABSENT;
    if (buf.data)
        explicit_bzero(buf.data, buf.len);
    atmos_buf_free(&buf);
    return rc;
}

/* Every item's token read: PENDING with its region shown, or done (absent, failed). */
static void read_tokens(const struct atmos_fs *fs, struct atmos_item **its, size_t n,
                        struct atmos_signout *v, char (*hash)[41])
{
    for (size_t k = 0; k < n; k++) {
        struct atmos_item *it = its[k];
        struct atmos_signout *s = &v[k];
        int rc = read_token(fs, it, s);
        s->result = ATMOS_SIGNOUT_FAILED; /* not sent unless found pending below */
        if (rc != ATMOS_OK) {
            it->outcome = rc == ATMOS_ABSENT ? ATMOS_OUTCOME_ABSENT : ATMOS_OUTCOME_FAILED;
            continue;
        }
        atmos_sha1_hex(s->token, strlen(s->token), hash[k]);
        free(it->u.signout.where);
        it->u.signout.where = strdup(s->region ? s->region : "no region");
        it->outcome = ATMOS_OUTCOME_PENDING;
    }
}

/* One request per distinct token: the first file naming a region speaks for the rest. */
static void pick_requests(struct atmos_item **its, size_t k, struct atmos_signout *v,
                          char (*hash)[41], int dry_run)
{
    for (size_t a = 0; a < k; a++) {
        if (its[a]->outcome != ATMOS_OUTCOME_PENDING)
            continue;
        size_t rep = a;
        for (size_t b = a + 1; b < k; b++)
            if (its[b]->outcome == ATMOS_OUTCOME_PENDING && strcmp(hash[a], hash[b]) == 0 &&
                v[rep].region == NULL && v[b].region != NULL)
                rep = b;
        for (size_t b = a; b < k; b++)
            if (b != rep && its[b]->outcome == ATMOS_OUTCOME_PENDING &&
                strcmp(hash[b], hash[rep]) == 0)
                its[b]->outcome = ATMOS_OUTCOME_ABSENT; /* the same token, sent once */
        struct atmos_item *it = its[rep];
        if (v[rep].region == NULL) {
            it->outcome = ATMOS_OUTCOME_FAILED;
            it->error = strdup("not signed out of the IAM Identity Center session: the token names "
                               "no region (the AWS CLI does not sign it out either)");
        } else if (dry_run) {
            it->outcome = ATMOS_OUTCOME_WOULD_REMOVE;
        } else {
            v[rep].result = ATMOS_SIGNOUT_PENDING;
        }
    }
}

void atmos_aws_signout_items(struct atmos_item **its, size_t k, const char *home,
                             const struct atmos_exec_opts *opts)
{
    static const struct atmos_env none;
    const struct atmos_fs fs = {.home = home, .uid = geteuid()};
    if (k == 0)
        return;
    struct atmos_signout *v = calloc(k, sizeof(*v));
    char(*hash)[41] = calloc(k, sizeof(*hash));
    if (v == NULL || hash == NULL)
        goto done;
    read_tokens(&fs, its, k, v, hash);
    pick_requests(its, k, v, hash, opts->dry_run);
    atmos_signout_run(v, k, opts->env ? opts->env : &none, opts->log);
    for (size_t j = 0; j < k; j++) {
        struct atmos_item *it = its[j];
        if (it->outcome != ATMOS_OUTCOME_PENDING)
            continue;
        it->u.signout.result = v[j].result;
        it->outcome =
            v[j].result == ATMOS_SIGNOUT_FAILED ? ATMOS_OUTCOME_FAILED : ATMOS_OUTCOME_REMOVED;
        if (v[j].result == ATMOS_SIGNOUT_FAILED)
            it->error = atmos_strfmt("not signed out of the IAM Identity Center session (%s): %s",
                                     v[j].region, v[j].why ? v[j].why : "failed");
    }
done:
    for (size_t j = 0; v && j < k; j++)
        atmos_signout_free(&v[j]);
    free(v);
    free(hash);
}

/*
 * Signing out of IAM Identity Center server-side, as `aws sso logout` does:
 * the SSO portal operation Logout, POST /logout to
 * https://portal.sso.<region>.amazonaws.com (amazonaws.com.cn for cn-*), the
 * token in the header x-amz-sso_bearer_token, empty body, no signature.
 * AWS_ENDPOINT_URL_SSO, then AWS_ENDPOINT_URL, replace the endpoint.
 *
 * The requests go out with every other sign-out kind's, all at once and
 * bounded (sys/http.c: libcurl loaded only then; 2 s to connect, 5 s in all).
 * The outcome never changes what the local cleanup does or the exit status.
 *
 * The AWS cloud's sign-out kind runs here: each planned token file read
 * (through safefs, the buffer wiped), each distinct token sent once.
 *
 * MUST: send a token only over HTTPS to a server whose certificate verifies
 * (system trust store, or AWS_CA_BUNDLE), never follow a redirect, never log
 * or report a token; each distinct token once.
 */
#include <stdio.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clouds/aws/signout.h"
#include "base/limits.h"
#include "clouds/aws/ssocache.h"
#include "sys/http.h"
#include "base/strings.h"
#include "fs/safefs.h"

static const char *nonempty(const char *s)
{
    return s && *s ? s : NULL;
}

/* The Logout endpoint for a region (malloc'd). */
static char *signout_url(const struct atmos_env *env, const char *region)
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

static void set_result(struct atmos_signout *s, enum atmos_signout_result r, const char *why)
{
    s->result = r;
    free(s->why);
    s->why = why ? strdup(why) : NULL;
}

static void signout_free(struct atmos_signout *s)
{
    if (s->token) {
        explicit_bzero(s->token, strlen(s->token));
        free(s->token);
    }
    free(s->region);
    free(s->why);
    memset(s, 0, sizeof(*s));
}

/*
 * The token and region of an SSO token file; with start_url, only a token for it.
 * ATMOS_OK, ATMOS_ABSENT for a file of another start URL, ATMOS_EINVAL for one with no
 * access token, or ATMOS_ENOMEM.
 */
static int signout_read(const char *data, size_t len, const char *start_url,
                       struct atmos_signout *out)
{
    memset(out, 0, sizeof(*out));
    if (start_url && atmos_sso_match(data, len, start_url) != ATMOS_SSO_MATCH)
        return ATMOS_ABSENT;
    json_object *o = json_tokener_parse(data);
    json_object *at = NULL, *rg = NULL;
    int rc = ATMOS_EINVAL; /* no access token in it */
    if (o && json_object_is_type(o, json_type_object) &&
        json_object_object_get_ex(o, "accessToken", &at) &&
        json_object_is_type(at, json_type_string) && json_object_get_string_len(at) > 0) {
        out->token = strdup(json_object_get_string(at));
        if (json_object_object_get_ex(o, "region", &rg) &&
            json_object_is_type(rg, json_type_string) && json_object_get_string_len(rg) > 0)
            out->region = strdup(json_object_get_string(rg));
        rc = out->token ? ATMOS_OK : ATMOS_ENOMEM;
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
        rc = atmos_fs_read(fs, dfd, leaf, it->path, ATMOS_TOKEN_FILE_MAX_BYTES, &buf, &st, &why);
    if (dfd >= 0)
        close(dfd);
    if (rc == ATMOS_ESYS)
        it->error = strdup(why.msg);
    /* Only a token for the provider's start URL (atmos's own session file names it too). */
    if (rc == ATMOS_OK &&
        signout_read(buf.data ? buf.data : "", buf.len, it->u.signout.arg, s) != ATMOS_OK)
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

/* The state of one run, from start to finish. */
struct aws_run {
    struct atmos_item **its;
    size_t k;
    struct atmos_signout *v;
    char (*hash)[41];
    size_t *req; /* v[j]'s request in the batch, or SIZE_MAX: none sent */
};

static void aws_run_free(struct aws_run *st)
{
    for (size_t j = 0; st->v && j < st->k; j++)
        signout_free(&st->v[j]);
    free(st->v);
    free(st->hash);
    free(st->req);
    free(st->its);
    free(st);
}

/* The Logout request for v (PENDING, its region checked): ATMOS_OK, or ATMOS_ENOMEM. */
static int queue(struct atmos_http_batch *http, const struct atmos_env *env,
                 const struct atmos_signout *s, size_t *at)
{
    struct atmos_http_req *q = atmos_http_add(http);
    if (q == NULL)
        return ATMOS_ENOMEM;
    *at = http->n - 1;
    q->method = "POST";
    q->url = signout_url(env, s->region);
    q->headers[0] = atmos_strfmt("x-amz-sso_bearer_token: %s", s->token);
    /* An empty Content-Type: the operation has no body, as the AWS CLI sends it. */
    q->headers[1] = strdup("Content-Type:");
    q->ca_bundle = nonempty(env->signout_ca_bundle);
    if (q->ca_bundle == NULL)
        q->ca_bundle = atmos_env_get(env, "AWS_CA_BUNDLE");
    return q->url && q->headers[0] && q->headers[1] ? ATMOS_OK : ATMOS_ENOMEM;
}

void *atmos_aws_signout_start(struct atmos_item **its, size_t k, const char *home,
                              const struct atmos_exec_opts *opts, struct atmos_http_batch *http)
{
    static const struct atmos_env none;
    const struct atmos_env *env = opts->env ? opts->env : &none;
    const struct atmos_fs fs = {.home = home, .uid = geteuid()};
    struct aws_run *st = calloc(1, sizeof(*st));
    size_t want = 0;
    if (k == 0 || st == NULL || (st->its = calloc(k, sizeof(*st->its))) == NULL ||
        (st->v = calloc(k, sizeof(*st->v))) == NULL ||
        (st->hash = calloc(k, sizeof(*st->hash))) == NULL ||
        (st->req = calloc(k, sizeof(*st->req))) == NULL) {
        if (st)
            aws_run_free(st);
        return NULL;
    }
    memcpy(st->its, its, k * sizeof(*its));
    st->k = k;
    read_tokens(&fs, its, k, st->v, st->hash);
    pick_requests(its, k, st->v, st->hash, opts->dry_run);
    for (size_t j = 0; j < k; j++) {
        struct atmos_signout *s = &st->v[j];
        st->req[j] = SIZE_MAX;
        if (s->result != ATMOS_SIGNOUT_PENDING)
            continue;
        if (!region_ok(s->region))
            set_result(s, ATMOS_SIGNOUT_FAILED, "the token's region is not a region name");
        else if (queue(http, env, s, &st->req[j]) != 0)
            set_result(s, ATMOS_SIGNOUT_FAILED, "out of memory");
        else
            want++;
    }
    if (want)
        atmos_log(opts->log, ATMOS_LOG_DEBUG, "Signing out of %zu IAM Identity Center %s", want,
                  want == 1 ? "session" : "sessions");
    return st;
}

/* What the portal's answer means (UnauthorizedException: the session was already over). */
static void answered(struct atmos_signout *s, const struct atmos_http_req *q)
{
    char why[160];
    if (q->status == 0) {
        set_result(s, ATMOS_SIGNOUT_FAILED, q->why);
    } else if (q->status >= 200 && q->status < 300) {
        set_result(s, ATMOS_SIGNOUT_DONE, NULL);
    } else if (q->status == 401) {
        set_result(s, ATMOS_SIGNOUT_ALREADY, NULL);
    } else {
        snprintf(why, sizeof(why), "the server answered HTTP %ld", q->status);
        set_result(s, ATMOS_SIGNOUT_FAILED, why);
    }
}

void atmos_aws_signout_finish(void *state, const struct atmos_http_batch *http)
{
    struct aws_run *st = state;
    for (size_t j = 0; j < st->k; j++) {
        struct atmos_item *it = st->its[j];
        struct atmos_signout *s = &st->v[j];
        if (st->req[j] != SIZE_MAX && st->req[j] < http->n)
            answered(s, &http->v[st->req[j]]);
        if (it->outcome != ATMOS_OUTCOME_PENDING)
            continue;
        it->u.signout.result = s->result;
        it->outcome = s->result == ATMOS_SIGNOUT_DONE || s->result == ATMOS_SIGNOUT_ALREADY
                          ? ATMOS_OUTCOME_REMOVED
                          : ATMOS_OUTCOME_FAILED;
        if (it->outcome == ATMOS_OUTCOME_FAILED)
            it->error = atmos_strfmt("not signed out of the IAM Identity Center session (%s): %s",
                                     s->region, s->why ? s->why : "failed");
    }
    aws_run_free(st);
}

/*
 * Revoking the installation tokens of github/sts before its files go, as
 * atmos's Cleanup does (pkg/auth/integrations/github/sts.go revokeToken):
 * for each non-empty tokens[].token of state.json, DELETE /installation/token
 * at https://api.github.com with `Authorization: Bearer <token>` and
 * `Accept: application/vnd.github+json`, no body.  atmos always asks
 * api.github.com, even for a token whose host is a GitHub Enterprise
 * Server, and so do we.  204 is revoked; 401 and 404 mean the token was
 * already invalid; anything else is a warning.
 *
 * Unlike atmos (one at a time, 30 s each), every token goes at once with the
 * other sign-outs (sys/http.c: 2 s to connect, 5 s in all), each distinct token
 * once.  ATMOS_LOGOUT_GITHUB_API_URL replaces the base URL (https:// only);
 * the CA bundle is the PAM module's revoke_ca_bundle, else SSL_CERT_FILE (what
 * Go, and so atmos, reads).  The outcome never changes what the local
 * cleanup does or the exit status.
 *
 * MUST: read state.json through safefs (no symlink, a regular file of the
 * user's, at most ATMOS_TOKEN_FILE_MAX_BYTES bytes; a FIFO is refused without
 * blocking), wipe the buffer; send a token only as that header, only if it
 * is one (printable ASCII, no space: nothing that could end the header);
 * never log or report a token.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "clouds/github/github.h"
#include "base/limits.h"
#include "sys/http.h"
#include "base/strings.h"
#include "fs/safefs.h"

#define DEFAULT_API "https://api.github.com"
/* Distinct tokens sent in one logout (one connection each, all at once). */
#define MAX_TOKENS 100
#define MAX_TOKENS_S "100"
#define MAX_TOKEN_BYTES 1024

struct token {
    char *value; /* wiped when freed */
    size_t req;  /* its request in the batch; SIZE_MAX: not sent */
    enum atmos_signout_result result;
    char why[160];
};

/* Which item holds which token. */
struct pair {
    size_t item, tok;
};

struct gh_run {
    struct atmos_item **its;
    size_t k;
    struct token *tok;
    size_t ntok, captok;
    struct pair *pair;
    size_t npair, cappair;
    size_t *first; /* item j's pairs: first[j] to first[j + 1] (they are noted in order) */
};

static void run_free(struct gh_run *st)
{
    for (size_t t = 0; t < st->ntok; t++) {
        explicit_bzero(st->tok[t].value, strlen(st->tok[t].value));
        free(st->tok[t].value);
    }
    free(st->tok);
    free(st->pair);
    free(st->first);
    free(st->its);
    free(st);
}

/* What GitHub takes as a token: printable ASCII, nothing that ends or splits a header. */
static int token_ok(const char *s, size_t n)
{
    if (n == 0 || n > MAX_TOKEN_BYTES)
        return 0;
    for (size_t i = 0; i < n; i++)
        if ((unsigned char)s[i] <= 0x20 || (unsigned char)s[i] >= 0x7f)
            return 0;
    return 1;
}

/*
 * Note that item j holds token s: once per item (its pairs start at `first`), each
 * distinct token once in all, at most MAX_TOKENS of them (a pair past that is not
 * sent: tok SIZE_MAX).  Every scan is bounded by MAX_TOKENS.  ATMOS_OK, or
 * ATMOS_ENOMEM.
 */
static int note(struct gh_run *st, size_t j, size_t first, const char *s)
{
    size_t t = 0;
    while (t < st->ntok && strcmp(st->tok[t].value, s) != 0)
        t++;
    if (t == st->ntok && st->ntok >= MAX_TOKENS)
        t = SIZE_MAX;
    for (size_t p = first; p < st->npair; p++)
        if (st->pair[p].tok == t && t != SIZE_MAX)
            return 0;
    if (t == st->ntok) {
        if (st->ntok == st->captok) {
            size_t cap = st->captok ? 2 * st->captok : 8;
            struct token *v = realloc(st->tok, cap * sizeof(*v));
            if (v == NULL)
                return ATMOS_ENOMEM;
            st->tok = v, st->captok = cap;
        }
        st->tok[t] = (struct token){.value = strdup(s), .req = SIZE_MAX};
        if (st->tok[t].value == NULL)
            return ATMOS_ENOMEM;
        st->ntok++;
    }
    if (st->npair == st->cappair) {
        size_t cap = st->cappair ? 2 * st->cappair : 8;
        struct pair *v = realloc(st->pair, cap * sizeof(*v));
        if (v == NULL)
            return ATMOS_ENOMEM;
        st->pair = v, st->cappair = cap;
    }
    st->pair[st->npair++] = (struct pair){j, t};
    return ATMOS_OK;
}

/*
 * The tokens of a state.json ({"tokens":[{"token": ...}, ...]}) noted: ATMOS_OK with *noted
 * (and *bad: tokens that are not one), ATMOS_ENOMEM, or ATMOS_EINVAL with *reason when it is
 * not that JSON or lists more than MAX_TOKENS (atmos mints one per owner).
 */
static int parse_state(struct gh_run *st, size_t j, const char *data, size_t len, size_t *noted,
                       size_t *bad, const char **reason)
{
    json_tokener *tok = len <= INT32_MAX ? json_tokener_new_ex(32) : NULL;
    json_object *o = tok ? json_tokener_parse_ex(tok, data, (int)len) : NULL, *arr = NULL;
    int rc = ATMOS_EINVAL;
    *noted = 0;
    *reason = "is not the JSON atmos writes (no \"tokens\" list)";
    if (o == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        !json_object_is_type(o, json_type_object) ||
        !json_object_object_get_ex(o, "tokens", &arr) ||
        !(json_object_is_type(arr, json_type_array) || json_object_is_type(arr, json_type_null)))
        goto done;
    size_t before = st->npair;
    if (arr && json_object_array_length(arr) > MAX_TOKENS) {
        *reason = "lists more than " MAX_TOKENS_S " tokens; none sent";
        goto done;
    }
    for (size_t i = 0; arr && i < json_object_array_length(arr); i++) {
        json_object *e = json_object_array_get_idx(arr, i), *t = NULL;
        if (!json_object_is_type(e, json_type_object) ||
            !json_object_object_get_ex(e, "token", &t) ||
            !json_object_is_type(t, json_type_string) || json_object_get_string_len(t) == 0)
            continue; /* atmos skips an empty token too */
        const char *s = json_object_get_string(t);
        if (!token_ok(s, (size_t)json_object_get_string_len(t)) ||
            strlen(s) != (size_t)json_object_get_string_len(t)) {
            (*bad)++;
            continue;
        }
        if ((rc = note(st, j, before, s)) != ATMOS_OK)
            goto done;
    }
    *noted = st->npair - before;
    rc = ATMOS_OK;
done:
    json_object_put(o); /* json-c's copies are freed, not wiped (as for the SSO tokens) */
    if (tok)
        json_tokener_free(tok);
    return rc;
}

static void fail(struct atmos_item *it, char *msg)
{
    it->outcome = ATMOS_OUTCOME_FAILED;
    free(it->error);
    it->error = msg;
}

/* Item j's state.json read and its tokens noted: PENDING with some to revoke, or done. */
static void read_item(struct gh_run *st, const struct atmos_fs *fs, size_t j)
{
    struct atmos_item *it = st->its[j];
    const char *leaf, *name = it->u.signout.arg ? it->u.signout.arg : "?";
    struct atmos_err why;
    struct atmos_buf buf = {0};
    struct stat sb;
    size_t bad = 0, n = 0;
    const char *reason = NULL;
    int dfd = -1;
    int rc = atmos_fs_open_parent(fs, it->path, &dfd, &leaf, &why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_read(fs, dfd, leaf, it->path, ATMOS_TOKEN_FILE_MAX_BYTES, &buf, &sb, &why);
    if (dfd >= 0)
        close(dfd);
    int parsed = rc == ATMOS_OK
                     ? parse_state(st, j, buf.data ? buf.data : "", buf.len, &n, &bad, &reason)
                     : ATMOS_OK;
    if (buf.data)
        explicit_bzero(buf.data, buf.len);
    atmos_buf_free(&buf);
    if (rc == ATMOS_ABSENT) {
        it->outcome = ATMOS_OUTCOME_ABSENT;
    } else if (rc != ATMOS_OK) {
        fail(it, strdup(why.msg));
    } else if (parsed == ATMOS_ENOMEM) {
        fail(it, strdup("out of memory"));
    } else if (parsed != ATMOS_OK) {
        fail(it, atmos_strfmt("not revoked: %s %s", it->path, reason));
    } else if (bad) {
        fail(it, atmos_strfmt("not revoked: %zu of the tokens in %s %s not a token", bad, it->path,
                              bad == 1 ? "is" : "are"));
    } else {
        free(it->u.signout.where);
        it->u.signout.where =
            atmos_strfmt("integration %s, %zu %s", name, n, n == 1 ? "token" : "tokens");
        it->outcome = n ? ATMOS_OUTCOME_PENDING : ATMOS_OUTCOME_ABSENT;
    }
}

/* The revocation request for token t: ATMOS_OK, or ATMOS_ENOMEM. */
static int queue(struct atmos_http_batch *http, const struct atmos_env *env, struct token *t)
{
    const char *api = atmos_env_get(env, ATMOS_GITHUB_API_VAR);
    size_t n = strlen(api ? api : DEFAULT_API);
    struct atmos_http_req *q = atmos_http_add(http);
    if (q == NULL)
        return ATMOS_ENOMEM;
    t->req = http->n - 1;
    if (api == NULL)
        api = DEFAULT_API;
    while (n && api[n - 1] == '/') /* strings.TrimRight(githubAPIBaseURL, "/") */
        n--;
    q->method = "DELETE";
    q->url = atmos_strfmt("%.*s/installation/token", (int)n, api);
    q->headers[0] = atmos_strfmt("Authorization: Bearer %s", t->value);
    q->headers[1] = strdup("Accept: application/vnd.github+json");
    q->ca_bundle = env->signout_ca_bundle && *env->signout_ca_bundle
                       ? env->signout_ca_bundle
                       : atmos_env_get(env, "SSL_CERT_FILE");
    return q->url && q->headers[0] && q->headers[1] ? ATMOS_OK : ATMOS_ENOMEM;
}

static void *start(struct atmos_item **its, size_t k, const char *home,
                   const struct atmos_exec_opts *opts, struct atmos_http_batch *http)
{
    static const struct atmos_env none;
    const struct atmos_env *env = opts->env ? opts->env : &none;
    const struct atmos_fs fs = {.home = home, .uid = geteuid()};
    struct gh_run *st = calloc(1, sizeof(*st));
    if (k == 0 || st == NULL || (st->its = calloc(k, sizeof(*st->its))) == NULL ||
        (st->first = calloc(k + 1, sizeof(*st->first))) == NULL) {
        if (st)
            run_free(st);
        return NULL;
    }
    memcpy(st->its, its, k * sizeof(*its));
    st->k = k;
    for (size_t j = 0; j < k; j++) {
        st->first[j] = st->npair;
        read_item(st, &fs, j);
    }
    st->first[k] = st->npair;
    for (size_t j = 0; opts->dry_run && j < k; j++)
        if (its[j]->outcome == ATMOS_OUTCOME_PENDING)
            its[j]->outcome = ATMOS_OUTCOME_WOULD_REMOVE;
    for (size_t t = 0; !opts->dry_run && t < st->ntok; t++) {
        struct token *tk = &st->tok[t];
        tk->result = ATMOS_SIGNOUT_FAILED;
        if (queue(http, env, tk) != 0)
            snprintf(tk->why, sizeof(tk->why), "out of memory");
        else
            tk->result = ATMOS_SIGNOUT_PENDING;
    }
    if (!opts->dry_run && st->ntok)
        atmos_log(opts->log, ATMOS_LOG_DEBUG, "Revoking %zu GitHub installation %s", st->ntok,
                  st->ntok == 1 ? "token" : "tokens");
    return st;
}

/* GitHub's answer (revokeToken): 204 revoked; 401, 404 already invalid; else not revoked. */
static void answered(struct token *t, const struct atmos_http_req *q)
{
    if (q->status == 204)
        t->result = ATMOS_SIGNOUT_DONE;
    else if (q->status == 401 || q->status == 404)
        t->result = ATMOS_SIGNOUT_ALREADY;
    else if (q->status)
        snprintf(t->why, sizeof(t->why), "the server answered HTTP %ld", q->status);
    else
        snprintf(t->why, sizeof(t->why), "%s", q->why);
    if (t->result == ATMOS_SIGNOUT_PENDING)
        t->result = ATMOS_SIGNOUT_FAILED;
}

/* Item j's outcome from its tokens': revoked when every one is (or was already). */
static void settle(struct gh_run *st, size_t j)
{
    struct atmos_item *it = st->its[j];
    size_t held = 0, failed = 0, done = 0;
    static const char over[] = "more than " MAX_TOKENS_S " tokens in one logout; not sent";
    const char *why = NULL;
    for (size_t p = st->first[j]; p < st->first[j + 1]; p++) {
        held++;
        if (st->pair[p].tok == SIZE_MAX) {
            failed++;
            why = over; /* the reason that is ours comes first */
            continue;
        }
        const struct token *t = &st->tok[st->pair[p].tok];
        done += t->result == ATMOS_SIGNOUT_DONE;
        if (t->result != ATMOS_SIGNOUT_DONE && t->result != ATMOS_SIGNOUT_ALREADY) {
            failed++;
            if (why == NULL)
                why = t->why;
        }
    }
    if (failed == 0) {
        it->u.signout.result = done ? ATMOS_SIGNOUT_DONE : ATMOS_SIGNOUT_ALREADY;
        it->outcome = ATMOS_OUTCOME_REMOVED;
        return;
    }
    it->u.signout.result = ATMOS_SIGNOUT_FAILED;
    fail(it,
         atmos_strfmt("not revoked: %zu of %zu GitHub installation %s of integration %s (%s)",
                      failed, held, held == 1 ? "token" : "tokens",
                      it->u.signout.arg ? it->u.signout.arg : "?", why && *why ? why : "failed"));
}

static void finish(void *state, const struct atmos_http_batch *http)
{
    struct gh_run *st = state;
    for (size_t t = 0; t < st->ntok; t++)
        if (st->tok[t].req != SIZE_MAX && st->tok[t].req < http->n)
            answered(&st->tok[t], &http->v[st->tok[t].req]);
    for (size_t j = 0; j < st->k; j++)
        if (st->its[j]->outcome == ATMOS_OUTCOME_PENDING)
            settle(st, j);
    run_free(st);
}

const struct atmos_signout_kind atmos_github_tokens = {
    .name = "github_sts_signout",
    .session = "GitHub App installation tokens",
    .start = start,
    .finish = finish,
};

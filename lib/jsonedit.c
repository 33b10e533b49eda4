/*
 * Removing entries from another tool's JSON file (the Azure CLI's MSAL cache,
 * azureProfile.json, service_principal_entries.json, docker's config.json):
 * only the entries the item's rule matches go.  The file is never rebuilt:
 * jsonscan.c checks it and says where each entry's bytes are, an entry is
 * handed to json-c on its own only for the rule to judge it, and a matching
 * one is cut out with the comma and whitespace that separated it.  Every
 * other byte of the file stays exactly as it was (order, whitespace, CRLF,
 * escapes, number spellings, a byte order mark); a container left empty
 * reads {} or [].
 *
 * Memory: the file once, the new contents once, and one entry's json-c tree
 * at a time, the entry bounded (MAX_ENTRY_BYTES, MAX_ENTRY_VALUES): a few
 * times the file's size, where a whole json-c tree cost some 265 times it.
 *
 * A name that appears twice in a container is two entries, each judged on
 * its own: the matching ones go, the others stay.  (A reader that keeps the
 * last of duplicate names may then see an earlier one that did not match:
 * not the login's, so not ours to remove.)  A top-level container named
 * twice is edited in both places.
 *
 * MUST: reach the file through safefs (no symlink, owner checked); change it
 * only under the locks its writers take (atmos's <file>.lock flock, and for
 * an MSAL cache msal-extensions' <file>.lockfile), read it again under them,
 * and replace it atomically with its mode kept; leave a file that does not
 * parse, or holds an entry too large to judge, as it is; never log an
 * entry's contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "internal.h"
#include "jsonedit.h"
#include "jsonscan.h"

/* An MSAL cache with hundreds of accounts is a few MiB. */
#define MAX_JSON_BYTES (64u * 1024u * 1024u)
/*
 * One entry is an account, a token, a subscription or a registry: well under
 * a KiB of names and values.  json-c spends up to some 400 bytes a value, so
 * these keep one entry's tree under about 10 MiB.
 */
#define MAX_ENTRY_BYTES (1024u * 1024u)
#define MAX_ENTRY_VALUES 20000u

enum { STOP_TOO_BIG = 1, STOP_UNREADABLE, STOP_NOMEM };

struct edit {
    const char *p;
    size_t len;
    const struct atmos_item *it;
    json_tokener *tok;
    struct atmos_buf *out; /* NULL: count only */
    size_t copied;         /* p[0, copied) is in out, or was cut */
    size_t n;              /* entries matched */
    size_t stop_at;        /* the entry that stopped the edit */
    /* The container being walked: the run of matching entries not cut yet. */
    int in_run, any_kept;
    size_t run_start, run_end, kept_end;
};

static int is_container(const struct edit *e, const struct atmos_jscan_value *v)
{
    return e->p[v->value] == '{' || e->p[v->value] == '[';
}

static int named(const struct edit *e, const char *key, size_t len)
{
    for (const char *const *c = e->it->u.json.rule->containers; *c; c++)
        if (atmos_jscan_key_is(key, len, *c))
            return 1;
    return 0;
}

/* An entry: a member of a named top-level container, or of the root array. */
static int is_entry(const struct edit *e, const struct atmos_jscan_value *v)
{
    if (e->it->u.json.rule->containers[0] == NULL)
        return v->depth == 1 && v->key == NULL;
    return v->depth == 2 && v->parent_key && named(e, v->parent_key, v->parent_key_len);
}

/* The end of a container that holds entries. */
static int is_holder(const struct edit *e, const struct atmos_jscan_value *v)
{
    if (e->it->u.json.rule->containers[0] == NULL)
        return v->depth == 0 && e->p[v->value] == '[';
    return v->depth == 1 && v->key && is_container(e, v) && named(e, v->key, v->key_len);
}

/* Drop p[a, b) from the new contents. */
static int cut(struct edit *e, size_t a, size_t b)
{
    if (e->out == NULL)
        return 0;
    if (atmos_buf_append(e->out, e->p + e->copied, a - e->copied) != 0)
        return STOP_NOMEM;
    e->copied = b;
    return 0;
}

/*
 * The rule's verdict on one entry, parsed alone: a member as {name: value},
 * so json-c decodes the name as it always did; an element as [value].
 */
static int judge(struct edit *e, const struct atmos_jscan_value *v, int *match)
{
    const char *open = v->key ? "{" : "[", *close = v->key ? "}" : "]";
    size_t from = v->key ? v->start : v->value;
    /* Bounded before json-c sees it: its tree costs many times the text. */
    if (v->end - from > MAX_ENTRY_BYTES || v->nvalues > MAX_ENTRY_VALUES)
        return STOP_TOO_BIG;
    json_tokener_reset(e->tok);
    json_object *o = json_tokener_parse_ex(e->tok, open, 1);
    if (o == NULL && json_tokener_get_error(e->tok) == json_tokener_continue)
        o = json_tokener_parse_ex(e->tok, e->p + from, (int)(v->end - from));
    if (o == NULL && json_tokener_get_error(e->tok) == json_tokener_continue)
        o = json_tokener_parse_ex(e->tok, close, 1);
    if (o == NULL)
        return STOP_UNREADABLE;
    json_object *val = NULL;
    const char *key = NULL;
    if (v->key) {
        json_object_object_foreach(o, k, x)
        {
            key = k;
            val = x;
        }
    } else if (json_object_array_length(o) == 1)
        val = json_object_array_get_idx(o, 0);
    int rc = 0;
    if (v->key && key == NULL)
        rc = STOP_UNREADABLE;
    else
        *match = e->it->u.json.rule->match((const char *const *)e->it->u.json.ids, key, val) != 0;
    json_object_put(o);
    return rc;
}

static int visit(void *arg, const struct atmos_jscan_value *v)
{
    struct edit *e = arg;
    int rc = 0, match = 0;
    if (is_entry(e, v)) {
        if ((rc = judge(e, v, &match)) != 0) {
            e->stop_at = v->start;
            return rc;
        }
        if (match) {
            e->n++;
            if (!e->in_run)
                e->run_start = v->start;
            e->in_run = 1;
            e->run_end = v->end;
        } else {
            /* Matching entries before a kept one go with the separators after them. */
            if (e->in_run)
                rc = cut(e, e->run_start, v->start);
            e->in_run = 0;
            e->any_kept = 1;
            e->kept_end = v->end;
        }
    } else if (is_holder(e, v)) {
        /* Matching entries after the last kept one go with the separators before them;
         * when none is kept, the container becomes {} or []. */
        if (e->in_run)
            rc = e->any_kept ? cut(e, e->kept_end, e->run_end) : cut(e, v->value + 1, v->end - 1);
        e->in_run = e->any_kept = 0;
    }
    return rc;
}

/* Count the matching entries of p and, with `out`, write p without them there. */
static int edit(const char *p, size_t len, const struct atmos_item *it, struct atmos_buf *out,
                size_t *n, const char *path, struct atmos_err *why)
{
    struct edit e;
    struct atmos_jscan_error err;
    size_t line, col;
    memset(&e, 0, sizeof(e));
    e.p = p ? p : "";
    e.len = len;
    e.it = it;
    e.out = out;
    e.tok = json_tokener_new_ex(ATMOS_JSCAN_MAX_DEPTH + 1);
    if (e.tok == NULL) {
        snprintf(why->msg, sizeof(why->msg), "%s: out of memory", path);
        return -1;
    }
    int rc = atmos_jscan(e.p, len, visit, &e, &err);
    if (rc == 0 && out && atmos_buf_append(out, e.p + e.copied, len - e.copied) != 0)
        rc = STOP_NOMEM;
    json_tokener_free(e.tok);
    if (rc < 0) {
        snprintf(why->msg, sizeof(why->msg),
                 "%s does not parse as JSON (line %zu, column %zu: %s); left as it is", path,
                 err.line, err.column, err.reason);
        return -1;
    }
    if (rc > 0) {
        atmos_jscan_where(e.p, e.stop_at, &line, &col);
        if (rc == STOP_TOO_BIG)
            snprintf(why->msg, sizeof(why->msg),
                     "%s: the entry at line %zu, column %zu is larger than atmos judges "
                     "(%u KiB or %u values); left as it is",
                     path, line, col, MAX_ENTRY_BYTES / 1024, MAX_ENTRY_VALUES);
        else if (rc == STOP_UNREADABLE)
            snprintf(why->msg, sizeof(why->msg),
                     "%s: the entry at line %zu, column %zu could not be read; left as it is", path,
                     line, col);
        else
            snprintf(why->msg, sizeof(why->msg), "%s: out of memory", path);
        return -1;
    }
    *n = e.n;
    return 0;
}

int atmos_json_edit(const struct atmos_fs *fs, struct atmos_item *it, int dry_run, int timeout_ms,
                    int *dfd_out, struct atmos_err *why)
{
    const char *leaf;
    struct atmos_buf in = {0}, out = {0};
    struct stat st;
    int dfd = -1, lockfd = -1, extra_lockfd = -1;
    *dfd_out = -1;
    int rc = atmos_fs_open_parent(fs, it->path, &dfd, &leaf, why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_check(fs, dfd, leaf, it->path, S_IFREG, &st, why);
    if (rc == ATMOS_OK && (size_t)st.st_size > MAX_JSON_BYTES) {
        snprintf(why->msg, sizeof(why->msg),
                 "%s is larger than atmos edits (%lld bytes, at most %u MiB); left as it is",
                 it->path, (long long)st.st_size, MAX_JSON_BYTES / (1024u * 1024u));
        rc = ATMOS_ESYS;
    }
    /* A first look without the locks: nothing to remove means nothing to lock (or create). */
    if (rc == ATMOS_OK)
        rc = atmos_fs_read(fs, dfd, leaf, it->path, MAX_JSON_BYTES, &in, &st, why);
    if (rc != ATMOS_OK)
        goto done;
    if (edit(in.data, in.len, it, NULL, &it->u.json.entries, it->path, why) != 0) {
        rc = ATMOS_ESYS;
        goto done;
    }
    if (it->u.json.entries == 0 || dry_run) {
        rc = it->u.json.entries ? ATMOS_OK : ATMOS_ABSENT;
        goto done;
    }
    int t = timeout_ms > 0 ? timeout_ms : ATMOS_LOCK_TIMEOUT_MS;
    if ((rc = atmos_fs_lock(fs, dfd, leaf, it->path, t, &lockfd, why)) != ATMOS_OK ||
        (it->u.json.rule->lockfile &&
         (rc = atmos_fs_lock_lockfile(fs, dfd, leaf, it->path, t, &extra_lockfd, why)) != ATMOS_OK))
        goto done;
    atmos_fs_clean_temps(fs, dfd, leaf);
    /* Again under the locks: what we rewrite is what its writers last wrote. */
    in.len = 0;
    if ((rc = atmos_fs_read(fs, dfd, leaf, it->path, MAX_JSON_BYTES, &in, &st, why)) != ATMOS_OK)
        goto done;
    /* The new contents are never longer than the old: one allocation. */
    if ((out.data = malloc(in.len + 1)) == NULL) {
        snprintf(why->msg, sizeof(why->msg), "%s: out of memory", it->path);
        rc = ATMOS_ESYS;
        goto done;
    }
    out.cap = in.len + 1;
    if (edit(in.data, in.len, it, &out, &it->u.json.entries, it->path, why) != 0) {
        rc = ATMOS_ESYS;
        goto done;
    }
    if (it->u.json.entries == 0) {
        rc = ATMOS_ABSENT;
        goto done;
    }
    struct atmos_fs_staged tmp;
    rc = atmos_fs_stage(dfd, leaf, it->path, out.data, out.len, &st, &tmp, why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_commit(fs, dfd, leaf, it->path, &st, &tmp, why);
    if (rc == ATMOS_OK) {
        *dfd_out = dfd; /* the caller makes the rename durable */
        dfd = -1;
    }
done:
    if (extra_lockfd >= 0)
        atmos_fs_unlock_lockfile(*dfd_out >= 0 ? *dfd_out : dfd, leaf, extra_lockfd);
    if (lockfd >= 0)
        close(lockfd);
    if (dfd >= 0)
        close(dfd);
    atmos_buf_free(&in);
    atmos_buf_free(&out);
    return rc;
}

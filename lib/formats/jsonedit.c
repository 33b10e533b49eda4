/*
 * Removing entries from another tool's JSON file (the Azure CLI's MSAL cache,
 * azureProfile.json, service_principal_entries.json, docker's config.json):
 * only the entries the item's rule matches go.  The file is never rebuilt:
 * formats/jsonscan.c checks it and says where each entry's bytes are, the members
 * of an entry the rule reads (rule->fields) are handed to json-c only for the
 * rule to judge it, and a matching one is cut out with the comma and whitespace that separated it.  Every
 * other byte of the file stays exactly as it was (order, whitespace, CRLF,
 * escapes, number spellings, a byte order mark); a container left empty
 * reads {} or [].
 *
 * Memory: the file once, the new contents once, and the members the rule
 * reads of one entry at a time: a few times the file's size, where a whole
 * json-c tree cost some 265 times it.  So no entry is too large to judge,
 * another account's or registry's included.
 *
 * Names are compared as the file's readers decode them: whole, escapes
 * decoded, NULs included (json-c's own keys stop at a NUL, so names are
 * decoded here, never by json-c).  A file its tool would refuse
 * (rule->check: docker's and MSAL's rules, a BOM, a wrong type) is left as
 * it is and reported with the reason, never made "more valid".
 *
 * A name that appears twice in a container is two entries, each judged on
 * its own: the matching ones go, the others stay.  (A reader that keeps the
 * last of duplicate names may then see an earlier one that did not match:
 * not the login's, so not ours to remove; the report says so, u.json.unmasked.)  A top-level container named
 * twice is edited in both places.
 *
 * MUST: reach the file through safefs (no symlink, owner checked); change it
 * only under the locks its writers take (atmos's <file>.lock flock, and for
 * an MSAL cache msal-extensions' <file>.lockfile), read it again under them,
 * and replace it atomically with its mode kept; leave a file that does not
 * parse, or that its tool would refuse, as it is; never log an
 * entry's contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "base/strings.h"
#include "base/limits.h"
#include "formats/jsonedit.h"
#include "formats/jsonscan.h"


enum { STOP_REJECTED = 1, STOP_UNREADABLE, STOP_NOMEM };

struct edit {
    const char *p;
    size_t len;
    const struct atmos_item *it;
    json_tokener *tok;
    struct atmos_buf *out; /* NULL: count only */
    size_t copied;         /* p[0, copied) is in out, or was cut */
    size_t n;              /* entries matched */
    size_t stop_at;        /* the entry that stopped the edit */
    const char *reason;    /* STOP_REJECTED: why the file's tool would refuse it */
    /* The container being walked: the run of matching entries not cut yet. */
    int in_run, any_kept;
    size_t run_start, run_end, kept_end;
    /* Its entries' names, in order, to count what last-wins readers see in place of one cut. */
    struct name {
        char *k;
        size_t len, at;
        int cut;
    } *names;
    size_t nnames, cap;
    size_t unmasked;
};

static int by_name_then_place(const void *a, const void *b)
{
    const struct name *x = a, *y = b;
    size_t n = x->len < y->len ? x->len : y->len;
    int c = memcmp(x->k, y->k, n);
    if (c == 0 && x->len != y->len)
        c = x->len < y->len ? -1 : 1;
    return c ? c : x->at < y->at ? -1 : x->at > y->at;
}

/* A container ended: of each name spelt more than once, was the last copy cut and one kept? */
static void count_unmasked(struct edit *e)
{
    if (e->nnames == 0)
        return; /* (qsort's array may not be NULL) */
    qsort(e->names, e->nnames, sizeof(*e->names), by_name_then_place);
    for (size_t i = 0; i < e->nnames;) {
        size_t j = i;
        int kept = 0;
        while (j + 1 < e->nnames && e->names[j + 1].len == e->names[i].len &&
               memcmp(e->names[j + 1].k, e->names[i].k, e->names[i].len) == 0)
            j++; /* i..j: one name, in the order written; j the last, the one readers see */
        for (size_t k = i; k < j; k++)
            kept |= !e->names[k].cut;
        e->unmasked += e->names[j].cut && kept;
        for (size_t k = i; k <= j; k++)
            free(e->names[k].k);
        i = j + 1;
    }
    e->nnames = 0;
}

/* Remember an entry's name (decoded) and whether it goes. */
static int remember(struct edit *e, const struct atmos_jscan_value *v, int cut)
{
    if (v->key == NULL)
        return 0;
    if (e->nnames == e->cap) {
        size_t cap = e->cap ? 2 * e->cap : 64;
        struct name *n = realloc(e->names, cap * sizeof(*n));
        if (n == NULL)
            return STOP_NOMEM;
        e->names = n;
        e->cap = cap;
    }
    struct name *n = &e->names[e->nnames];
    if ((n->k = malloc(v->key_len + 1)) == NULL)
        return STOP_NOMEM;
    if (atmos_jscan_decode(v->key, v->key_len, n->k, &n->len) != 0) {
        free(n->k); /* a lone surrogate: Python keeps it as it is written */
        if ((n->k = strndup(v->key, v->key_len)) == NULL)
            return STOP_NOMEM;
        n->len = v->key_len;
    }
    n->at = v->start;
    n->cut = cut;
    e->nnames++;
    return 0;
}

static int is_container(const struct edit *e, const struct atmos_jscan_value *v)
{
    return e->p[v->value] == '{' || e->p[v->value] == '[';
}

static int named(const struct edit *e, const char *key, size_t len)
{
    const struct atmos_json_rule *r = e->it->u.json.rule;
    for (const char *const *c = r->containers; *c; c++)
        if (r->container_is ? r->container_is(key, len, *c) : atmos_jscan_key_is(key, len, *c))
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

/* One JSON value, alone, as json-c reads it (a number needs what follows it: "[v]"). */
static json_object *parse_value(json_tokener *tok, const char *p, size_t n)
{
    json_tokener_reset(tok);
    json_object *o = json_tokener_parse_ex(tok, "[", 1);
    if (o == NULL && json_tokener_get_error(tok) == json_tokener_continue)
        o = json_tokener_parse_ex(tok, p, (int)n);
    if (o == NULL && json_tokener_get_error(tok) == json_tokener_continue)
        o = json_tokener_parse_ex(tok, "]", 1);
    json_object *v = o && json_object_array_length(o) == 1 ? json_object_array_get_idx(o, 0) : NULL;
    json_object_get(v);
    json_object_put(o);
    return v;
}

/* What an entry's members hold for the rule, built as the sub-scan reads them. */
struct members {
    struct edit *e;
    const char *base;
    json_object *entry;   /* the rule's members: the last of each name, as readers take it */
    json_object *pending; /* the members of the depth-1 object being read */
    char *k, *pk;         /* decoded names, room for the longest */
    int nomem;
};

/* Whether the rule reads member `name` (parent: the member it is in, or NULL). */
static int wanted(const struct atmos_json_rule *r, const char *parent, size_t plen,
                  const char *name, size_t len)
{
    for (const char *const *f = r->fields; f && *f; f++) {
        const char *dot = strchr(*f, '.');
        if (parent == NULL && dot == NULL && strlen(*f) == len && memcmp(*f, name, len) == 0)
            return 1;
        if (parent && dot && (size_t)(dot - *f) == plen && memcmp(*f, parent, plen) == 0 &&
            strlen(dot + 1) == len && memcmp(dot + 1, name, len) == 0)
            return 1;
    }
    return 0;
}

/*
 * Put `name` in `into`, the value at v (a scalar, or `obj` for an object);
 * a later member of the same name replaces an earlier one, as readers take
 * the last.  A container the rule does not read into stands in as an empty
 * one of its kind.
 */
static void put(struct members *m, json_object *into, const char *name,
                const struct atmos_jscan_value *v, json_object *obj)
{
    char c = m->base[v->value];
    json_object *x = obj                       ? json_object_get(obj)
                     : c == '{'                ? json_object_new_object()
                     : c == '['                ? json_object_new_array()
                                               : parse_value(m->e->tok, m->base + v->value,
                                                             v->end - v->value);
    /* json-c's null is NULL: a member null is one, not a failure. */
    if ((x == NULL && c != 'n') || json_object_object_add(into, name, x) != 0) {
        json_object_put(x);
        m->nomem = 1;
    }
}

static int member(void *arg, const struct atmos_jscan_value *v)
{
    struct members *m = arg;
    const struct atmos_json_rule *r = m->e->it->u.json.rule;
    size_t klen = 0, plen = 0;
    if (v->depth == 0 || v->key == NULL)
        return 0;
    /* A name holding a NUL is no name the rule reads (and no json-c key). */
    if (atmos_jscan_decode(v->key, v->key_len, m->k, &klen) != 0 || strlen(m->k) != klen)
        klen = (size_t)-1;
    if (v->depth == 2) {
        if (atmos_jscan_decode(v->parent_key, v->parent_key_len, m->pk, &plen) != 0 ||
            strlen(m->pk) != plen || klen == (size_t)-1 || !wanted(r, m->pk, plen, m->k, klen))
            return 0;
        if (m->pending == NULL && (m->pending = json_object_new_object()) == NULL) {
            m->nomem = 1;
            return STOP_NOMEM;
        }
        put(m, m->pending, m->k, v, NULL);
        return m->nomem ? STOP_NOMEM : 0;
    }
    json_object *obj = m->pending;
    m->pending = NULL;
    if (klen != (size_t)-1 && wanted(r, NULL, 0, m->k, klen)) {
        if (m->base[v->value] == '{' && obj == NULL && (obj = json_object_new_object()) == NULL)
            m->nomem = 1;
        else
            put(m, m->entry, m->k, v, m->base[v->value] == '{' ? obj : NULL);
    }
    json_object_put(obj);
    return m->nomem ? STOP_NOMEM : 0;
}

/*
 * The rule's verdict on one entry.  Its name is decoded here, whole; of its
 * value json-c builds only the members the rule reads (their names decoded
 * here too: json-c's stop at a NUL), so an entry of any size is judged in
 * memory the size of those members, and a member spelt twice is the last.
 */
static int judge(struct edit *e, const struct atmos_jscan_value *v, int *match)
{
    struct members m = {.e = e, .base = e->p + v->value};
    char *key = NULL;
    size_t key_len = 0;
    int rc = STOP_NOMEM;
    struct atmos_jscan_error err;
    /* No name inside an entry is longer than the entry. */
    size_t room = v->end - v->value + 1;
    if ((m.entry = json_object_new_object()) == NULL || (m.k = malloc(room)) == NULL ||
        (m.pk = malloc(room)) == NULL)
        goto done;
    if (v->key) {
        if ((key = malloc(v->key_len + 1)) == NULL)
            goto done;
        if (atmos_jscan_decode(v->key, v->key_len, key, &key_len) != 0) {
            free(key); /* a lone surrogate: no name the rule looks for */
            key = NULL;
        }
    }
    if (e->p[v->value] == '{' &&
        atmos_jscan(m.base, v->end - v->value, member, &m, &err) != 0) {
        rc = m.nomem ? STOP_NOMEM : STOP_UNREADABLE;
        goto done;
    }
    *match = e->it->u.json.rule->match((const char *const *)e->it->u.json.ids, key, key_len,
                                       m.entry) != 0;
    rc = 0;
done:
    json_object_put(m.entry);
    json_object_put(m.pending);
    free(m.k);
    free(m.pk);
    free(key);
    return rc;
}

static int visit(void *arg, const struct atmos_jscan_value *v)
{
    struct edit *e = arg;
    int rc = 0, match = 0;
    /* The tool's verdict first: a file it would refuse is not ours to change. */
    if (e->it->u.json.rule->check && (e->reason = e->it->u.json.rule->check(e->p, e->len, v))) {
        e->stop_at = v->value;
        return STOP_REJECTED;
    }
    if (is_entry(e, v)) {
        if ((rc = judge(e, v, &match)) != 0) {
            e->stop_at = v->start;
            return rc;
        }
        if ((rc = remember(e, v, match)) != 0)
            return rc;
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
        count_unmasked(e);
    }
    return rc;
}

/*
 * Count the matching entries of p and, with `out`, write p without them
 * there.  ATMOS_OK, or with why: ATMOS_ENOMEM, or ATMOS_EINVAL for a file
 * that does not parse, that its tool would refuse, or with an entry that
 * could not be read.
 */
static int edit(const char *p, size_t len, const struct atmos_item *it, struct atmos_buf *out,
                size_t *n, size_t *unmasked, const char *path, struct atmos_err *why)
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
        return ATMOS_ENOMEM;
    }
    const struct atmos_json_rule *r = it->u.json.rule;
    int rc = r->check && (e.reason = r->check(e.p, len, NULL)) ? STOP_REJECTED
                                                                : atmos_jscan(e.p, len, visit, &e, &err);
    if (rc == 0 && out && atmos_buf_append(out, e.p + e.copied, len - e.copied) != 0)
        rc = STOP_NOMEM;
    json_tokener_free(e.tok);
    for (size_t i = 0; i < e.nnames; i++)
        free(e.names[i].k);
    free(e.names);
    if (rc < 0) {
        snprintf(why->msg, sizeof(why->msg),
                 "%s does not parse as JSON (line %zu, column %zu: %s); left as it is", path,
                 err.line, err.column, err.reason);
        return ATMOS_EINVAL;
    }
    if (rc > 0) {
        atmos_jscan_where(e.p, e.stop_at, &line, &col);
        if (rc == STOP_REJECTED)
            snprintf(why->msg, sizeof(why->msg),
                     "%s: %s would refuse this file (line %zu, column %zu: %s); left as it is",
                     path, r->tool ? r->tool : "its reader", line, col, e.reason);
        else if (rc == STOP_UNREADABLE)
            snprintf(why->msg, sizeof(why->msg),
                     "%s: the entry at line %zu, column %zu could not be read; left as it is", path,
                     line, col);
        else
            snprintf(why->msg, sizeof(why->msg), "%s: out of memory", path);
        return rc == STOP_NOMEM ? ATMOS_ENOMEM : ATMOS_EINVAL;
    }
    *n = e.n;
    *unmasked = e.unmasked;
    return ATMOS_OK;
}

int atmos_json_cut(const char *p, size_t len, const struct atmos_item *it, struct atmos_buf *out,
                   size_t *n, struct atmos_err *why)
{
    size_t unmasked;
    return edit(p, len, it, out, n, &unmasked, it->path, why);
}

/* Under the locks, again: what is rewritten is what its writers last wrote. */
static int rewrite(const struct atmos_fs *fs, int dfd, const char *leaf, struct atmos_item *it,
                   struct atmos_err *why)
{
    struct atmos_buf in = {0}, out = {0};
    struct atmos_fs_staged tmp;
    struct stat st;
    int rc = atmos_fs_read(fs, dfd, leaf, it->path, ATMOS_JSON_MAX_BYTES, &in, &st, why);
    /* The new contents are never longer than the old: one allocation. */
    if (rc == ATMOS_OK && (out.data = malloc(in.len + 1)) == NULL)
        rc = atmos_fail(why, ATMOS_ENOMEM, "%s: out of memory", it->path);
    out.cap = in.len + 1;
    if (rc == ATMOS_OK && (rc = edit(in.data, in.len, it, &out, &it->u.json.entries,
                                     &it->u.json.unmasked, it->path, why)) != ATMOS_OK)
        rc = rc == ATMOS_ENOMEM ? rc : ATMOS_ESYS;
    if (rc == ATMOS_OK && it->u.json.entries == 0)
        rc = ATMOS_ABSENT;
    if (rc == ATMOS_OK)
        rc = atmos_fs_stage(dfd, leaf, it->path, out.data, out.len, &st, &tmp, why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_commit(fs, dfd, leaf, it->path, &st, &tmp, why);
    atmos_buf_free(&in);
    atmos_buf_free(&out);
    return rc;
}

int atmos_json_edit(const struct atmos_fs *fs, struct atmos_item *it, int dry_run, int timeout_ms,
                    int *dfd_out, struct atmos_err *why)
{
    const char *leaf;
    struct atmos_buf in = {0};
    struct stat st;
    int dfd = -1, lockfd = -1, extra_lockfd = -1;
    *dfd_out = -1;
    int rc = atmos_fs_open_parent(fs, it->path, &dfd, &leaf, why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_check(fs, dfd, leaf, it->path, S_IFREG, &st, why);
    if (rc == ATMOS_OK && (size_t)st.st_size > ATMOS_JSON_MAX_BYTES) {
        snprintf(why->msg, sizeof(why->msg),
                 "%s is larger than atmos edits (%lld bytes, at most %u MiB); left as it is",
                 it->path, (long long)st.st_size, ATMOS_JSON_MAX_BYTES / ATMOS_MIB);
        rc = ATMOS_ESYS;
    }
    /* A first look without the locks: nothing to remove means nothing to lock (or create). */
    if (rc == ATMOS_OK)
        rc = atmos_fs_read(fs, dfd, leaf, it->path, ATMOS_JSON_MAX_BYTES, &in, &st, why);
    if (rc != ATMOS_OK)
        goto done;
    if ((rc = edit(in.data, in.len, it, NULL, &it->u.json.entries, &it->u.json.unmasked,
                   it->path, why)) != ATMOS_OK) {
        rc = rc == ATMOS_ENOMEM ? rc : ATMOS_ESYS; /* the file stays as it is, failed */
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
    if ((rc = rewrite(fs, dfd, leaf, it, why)) == ATMOS_OK) {
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
    return rc;
}

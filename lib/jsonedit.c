/*
 * Removing entries from another tool's JSON file (the Azure CLI's MSAL cache,
 * azureProfile.json, service_principal_entries.json, docker's config.json):
 * only the entries the item's rule matches go, every other entry and key is
 * kept in its order.  The file is re-serialized (json-c), so its whitespace
 * may change; a UTF-8 byte order mark and a final newline are kept.
 *
 * MUST: reach the file through safefs (no symlink, owner checked); change it
 * only under the locks its writers take (atmos's <file>.lock flock, and for
 * an MSAL cache msal-extensions' <file>.lockfile), read it again under them,
 * and replace it atomically with its mode kept; leave a file that does not
 * parse as it is; never log an entry's contents.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <json-c/json.h>

#include "jsonedit.h"

/* An MSAL cache with hundreds of accounts is a few MiB. */
#define MAX_JSON_BYTES (64u * 1024u * 1024u)
#define DEFAULT_LOCK_TIMEOUT_MS 10000

struct doc {
    json_object *root;
    int bom, newline;
};

static int parse(const struct atmos_buf *b, const char *path, struct doc *d, struct atmos_why *why)
{
    const char *p = b->data ? b->data : "";
    size_t len = b->len;
    memset(d, 0, sizeof(*d));
    d->bom = len >= 3 && memcmp(p, "\xef\xbb\xbf", 3) == 0;
    if (d->bom)
        p += 3, len -= 3;
    d->newline = len > 0 && p[len - 1] == '\n';
    json_tokener *tok = json_tokener_new();
    if (tok == NULL) {
        snprintf(why->msg, sizeof(why->msg), "%s: out of memory", path);
        return -1;
    }
    d->root = json_tokener_parse_ex(tok, p, (int)len);
    enum json_tokener_error e = json_tokener_get_error(tok);
    size_t end = json_tokener_get_parse_end(tok);
    json_tokener_free(tok);
    while (e == json_tokener_success && end < len && strchr(" \t\r\n", p[end]))
        end++;
    if (e != json_tokener_success || d->root == NULL || end != len) {
        json_object_put(d->root);
        d->root = NULL;
        snprintf(why->msg, sizeof(why->msg), "%s does not parse as JSON (%s); left as it is", path,
                 e != json_tokener_success ? json_tokener_error_desc(e)
                 : d->root == NULL         ? "empty"
                                           : "text after the end");
        return -1;
    }
    return 0;
}

/* The matching entries of one container: count them, and unless `count_only` remove them. */
static size_t strip_container(json_object *c, const struct atmos_item *it, int count_only)
{
    size_t n = 0;
    if (json_object_is_type(c, json_type_array)) {
        for (size_t i = json_object_array_length(c); i-- > 0;) {
            if (!it->rule->match(it, NULL, json_object_array_get_idx(c, i)))
                continue;
            n++;
            if (!count_only)
                json_object_array_del_idx(c, i, 1);
        }
    } else if (json_object_is_type(c, json_type_object)) {
        /* Keys are collected first: deleting while iterating is not allowed. */
        size_t cap = (size_t)json_object_object_length(c), k = 0;
        const char **keys = calloc(cap ? cap : 1, sizeof(*keys));
        if (keys == NULL)
            return 0;
        json_object_object_foreach(c, key, val)
        {
            if (k < cap && it->rule->match(it, key, val))
                keys[k++] = key;
        }
        n = k;
        /* json_object_object_del frees the key strings: copy each before use. */
        for (size_t i = 0; !count_only && i < k; i++) {
            char *copy = strdup(keys[i]);
            if (copy == NULL) {
                n = i;
                break;
            }
            json_object_object_del(c, copy);
            free(copy);
        }
        free(keys);
    }
    return n;
}

static size_t strip(json_object *root, const struct atmos_item *it, int count_only)
{
    const char *const *names = it->rule->containers;
    if (names[0] == NULL)
        return strip_container(root, it, count_only);
    size_t n = 0;
    json_object *c;
    for (size_t i = 0; names[i]; i++)
        if (json_object_is_type(root, json_type_object) &&
            json_object_object_get_ex(root, names[i], &c))
            n += strip_container(c, it, count_only);
    return n;
}

/* The new contents, in the shape the file had (BOM, final newline). */
static int serialize(const struct doc *d, struct atmos_buf *out)
{
    size_t len = 0;
    const char *s = json_object_to_json_string_length(
        d->root, JSON_C_TO_STRING_PRETTY | JSON_C_TO_STRING_NOSLASHESCAPE, &len);
    if (s == NULL)
        return -1;
    if ((d->bom && atmos_buf_append(out, "\xef\xbb\xbf", 3) != 0) ||
        atmos_buf_append(out, s, len) != 0 || (d->newline && atmos_buf_append(out, "\n", 1) != 0))
        return -1;
    return 0;
}

int atmos_json_edit(const struct atmos_fs *fs, struct atmos_item *it, int dry_run, int timeout_ms,
                    int *dfd_out, struct atmos_why *why)
{
    const char *leaf;
    struct atmos_buf in = {0}, out = {0};
    struct doc d = {NULL, 0, 0};
    struct stat st;
    int dfd = -1, lockfd = -1, msalfd = -1;
    *dfd_out = -1;
    int rc = atmos_fs_open_parent(fs, it->path, &dfd, &leaf, why);
    if (rc == ATMOS_FS_OK)
        rc = atmos_fs_check(fs, dfd, leaf, it->path, S_IFREG, NULL, why);
    /* A first look without the locks: nothing to remove means nothing to lock (or create). */
    if (rc == ATMOS_FS_OK)
        rc = atmos_fs_read(fs, dfd, leaf, it->path, MAX_JSON_BYTES, &in, &st, why);
    if (rc != ATMOS_FS_OK)
        goto done;
    if (parse(&in, it->path, &d, why) != 0) {
        rc = ATMOS_FS_FAIL;
        goto done;
    }
    it->entries = strip(d.root, it, 1);
    if (it->entries == 0 || dry_run) {
        rc = it->entries ? ATMOS_FS_OK : ATMOS_FS_ABSENT;
        goto done;
    }
    int t = timeout_ms > 0 ? timeout_ms : DEFAULT_LOCK_TIMEOUT_MS;
    if ((rc = atmos_fs_lock(fs, dfd, leaf, it->path, t, &lockfd, why)) != ATMOS_FS_OK ||
        (it->rule->msal_lock &&
         (rc = atmos_fs_lock_msal(fs, dfd, leaf, it->path, t, &msalfd, why)) != ATMOS_FS_OK))
        goto done;
    atmos_fs_clean_temps(fs, dfd, leaf);
    /* Again under the locks: what we rewrite is what its writers last wrote. */
    json_object_put(d.root);
    d.root = NULL;
    in.len = 0;
    if ((rc = atmos_fs_read(fs, dfd, leaf, it->path, MAX_JSON_BYTES, &in, &st, why)) != ATMOS_FS_OK)
        goto done;
    if (parse(&in, it->path, &d, why) != 0) {
        rc = ATMOS_FS_FAIL;
        goto done;
    }
    if ((it->entries = strip(d.root, it, 0)) == 0) {
        rc = ATMOS_FS_ABSENT;
        goto done;
    }
    if (serialize(&d, &out) != 0) {
        snprintf(why->msg, sizeof(why->msg), "%s: out of memory", it->path);
        rc = ATMOS_FS_FAIL;
        goto done;
    }
    struct atmos_fs_staged tmp;
    rc = atmos_fs_stage(dfd, leaf, it->path, out.data, out.len, &st, &tmp, why);
    if (rc == ATMOS_FS_OK)
        rc = atmos_fs_commit(fs, dfd, leaf, it->path, &st, &tmp, why);
    if (rc == ATMOS_FS_OK) {
        *dfd_out = dfd; /* the caller makes the rename durable */
        dfd = -1;
    }
done:
    if (msalfd >= 0)
        atmos_fs_unlock_msal(*dfd_out >= 0 ? *dfd_out : dfd, leaf, msalfd);
    if (lockfd >= 0)
        close(lockfd);
    if (dfd >= 0)
        close(dfd);
    json_object_put(d.root);
    atmos_buf_free(&in);
    atmos_buf_free(&out);
    return rc;
}

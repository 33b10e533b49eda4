/*
 * --tags: which providers and identities a list of tags selects.
 *
 * atmos's logout --tags matches provider tags only (cmd/auth/logout.go
 * performTagsLogout); the identity schema carries tags too (pkg/schema/
 * schema_auth.go Identity.Tags), and `atmos auth login --tags` selects
 * identities by them.  Both are selected here: a provider by its tags (a
 * provider logout, as atmos), an identity by its own (an identity logout).
 * A match is any-of, exact and case-sensitive (pkg/tags/tags.go MatchesTags
 * TagModeAny, lo.Intersect).  The configuration keeps a list's items as
 * spec paths "tags.0", "tags.1", ... (config.h atmos_spec).
 */
#include <stdlib.h>
#include <string.h>

#include <atmos/plan.h>

#include "base/strings.h"
#include "plan/tags.h"

/* " a, ,b " -> {"a", "b"} */
int atmos_tags_parse(const char *list, char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    for (const char *p = list; p && *p;) {
        const char *end = strchr(p, ',');
        size_t len = end ? (size_t)(end - p) : strlen(p);
        const char *s = p;
        /* strings.TrimSpace: ASCII space, tab, newline, CR, VT, FF. */
        while (len && strchr(" \t\n\r\v\f", *s)) {
            s++;
            len--;
        }
        while (len && strchr(" \t\n\r\v\f", s[len - 1]))
            len--;
        if (len) {
            char *t = strndup(s, len);
            int rc = t ? atmos_strv_push(v, n, t) : ATMOS_ENOMEM;
            free(t);
            if (rc != ATMOS_OK) {
                atmos_tags_free(*v, *n);
                *v = NULL;
                *n = 0;
                return rc;
            }
        }
        if (end == NULL)
            break;
        p = end + 1;
    }
    return ATMOS_OK;
}

void atmos_tags_free(char **v, size_t n)
{
    atmos_strv_free(v, n);
}

/* "tags.<digits>": an item of the entry's tags list. */
static int is_tag_path(const char *path)
{
    if (strncmp(path, "tags.", 5) != 0 || path[5] == '\0')
        return 0;
    return strspn(path + 5, "0123456789") == strlen(path + 5);
}

/* 1: the entry's tags list holds one of tags[] (exact, case-sensitive). */
static int tags_match(const struct atmos_spec *spec, char *const *tags, size_t ntags)
{
    for (size_t i = 0; i < spec->n; i++) {
        const struct atmos_spec_field *f = &spec->v[i];
        if (!is_tag_path(f->path) || f->f.value == NULL)
            continue;
        for (size_t k = 0; k < ntags; k++)
            if (strcmp(f->f.value, tags[k]) == 0)
                return 1;
    }
    return 0;
}

static int collect(const struct atmos_spec *spec, char ***v, size_t *n)
{
    for (size_t i = 0; i < spec->n; i++)
        if (is_tag_path(spec->v[i].path) && spec->v[i].f.value &&
            atmos_strv_push(v, n, spec->v[i].f.value) != ATMOS_OK)
            return ATMOS_ENOMEM;
    return ATMOS_OK;
}

int atmos_tags_available(const struct atmos_config *cfg, char ***v, size_t *n)
{
    *v = NULL;
    *n = 0;
    for (size_t i = 0; i < cfg->nproviders; i++)
        if (collect(&cfg->providers[i].spec, v, n) != 0)
            goto oom;
    for (size_t i = 0; i < cfg->nidentities; i++)
        if (collect(&cfg->identities[i].spec, v, n) != 0)
            goto oom;
    atmos_strv_sort_unique(*v, n);
    return ATMOS_OK;
oom:
    atmos_strv_free(*v, *n);
    *v = NULL;
    *n = 0;
    return ATMOS_ENOMEM;
}

/* "no provider or identity carries the tags a, b (available: x, y)" */
static int no_match(const struct atmos_config *cfg, char *const *tags, size_t ntags,
                    struct atmos_err *err)
{
    struct atmos_buf b = {0};
    char **av = NULL;
    size_t an = 0;
    int rc = atmos_buf_printf(&b, "no provider or identity carries the %s ",
                              ntags == 1 ? "tag" : "tags");
    for (size_t i = 0; rc == 0 && i < ntags; i++)
        rc = atmos_buf_printf(&b, "%s%s", i ? ", " : "", tags[i]);
    if (rc == 0 && atmos_tags_available(cfg, &av, &an) == 0)
        for (size_t i = 0; rc == 0 && i < an; i++)
            rc = atmos_buf_printf(&b, "%s%s", i ? ", " : " (available tags: ", av[i]);
    if (rc == 0 && an)
        rc = atmos_buf_printf(&b, ")");
    if (rc == 0 && an == 0)
        rc = atmos_buf_printf(&b, " (no tags are configured)");
    atmos_fail(err, ATMOS_ENOTFOUND, "%s", rc == 0 && b.data ? b.data : "no tag matches");
    atmos_strv_free(av, an);
    atmos_buf_free(&b);
    return ATMOS_ENOTFOUND;
}

int atmos_tags_select(const struct atmos_config *cfg, const char *list, struct atmos_tagged *out,
                      struct atmos_err *err)
{
    char **tags = NULL;
    size_t ntags = 0;
    int rc = ATMOS_ENOMEM;
    memset(out, 0, sizeof(*out));
    if (atmos_tags_parse(list, &tags, &ntags) != 0)
        goto oom;
    if (ntags == 0) {
        rc = atmos_fail(err, ATMOS_EINVAL, "--tags names no tag");
        goto done;
    }
    for (size_t i = 0; i < cfg->nproviders; i++)
        if (tags_match(&cfg->providers[i].spec, tags, ntags) &&
            atmos_strv_push(&out->providers, &out->nproviders, cfg->providers[i].name) != 0)
            goto oom;
    for (size_t i = 0; i < cfg->nidentities; i++)
        if (tags_match(&cfg->identities[i].spec, tags, ntags) &&
            atmos_strv_push(&out->identities, &out->nidentities, cfg->identities[i].name) != 0)
            goto oom;
    if (out->nproviders == 0 && out->nidentities == 0) {
        rc = no_match(cfg, tags, ntags, err);
        goto done;
    }
    atmos_strv_free(tags, ntags);
    return ATMOS_OK;
oom:
    rc = atmos_fail(err, ATMOS_ENOMEM, "out of memory");
done:
    atmos_strv_free(tags, ntags);
    atmos_tagged_free(out);
    return rc;
}

void atmos_tagged_free(struct atmos_tagged *t)
{
    atmos_strv_free(t->providers, t->nproviders);
    atmos_strv_free(t->identities, t->nidentities);
    memset(t, 0, sizeof(*t));
}

/*
 * import: as atmos follows it (pkg/config/imports.go): local files and
 * globs, relative to the importing file or base_path, nested to atmos's
 * depth; a remote import is read from atmos's own cached copy, never
 * fetched; the provisioned identities of the providers come first.
 *
 * MUST: an import cycle ends at the file that repeats; the depth and the
 * walk of a glob are bounded; every file goes through atmos_config_open_file.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "base/strings.h"
#include "config/internal.h"
#include "config/load.h"
#include "config/paths.h"
#include "formats/dotenv.h"

/* go-getter's prefixes (atmos adapters/gogetter_adapter.go): matched case-insensitively. */
static int is_remote(const char *s)
{
    static const char *const remote[] = {"http://", "https://",    "git::",          "git@",
                                         "s3::",    "s3://",       "gcs::",          "gcs://",
                                         "oci://",  "file://",     "hg::",           "scp://",
                                         "sftp://", "github.com/", "bitbucket.org/", NULL};
    for (const char *const *r = remote; *r; r++)
        if (strncasecmp(s, *r, strlen(*r)) == 0)
            return 1;
    return 0;
}


/*
 * Where a file's local imports are relative to (config.go resolveAbsolutePath):
 * an absolute base_path; one starting with . or .. from the file's directory;
 * none or a bare one from the git root when there is one, else the file's
 * directory.
 */
static char *import_base(const struct loader *L, const char *file, const char *base_path)
{
    char *dir = atmos_config_dir_of(file), *out = NULL;
    const char *b = base_path ? base_path : "";
    if (dir == NULL)
        return NULL;
    if (b[0] == '/') {
        out = strdup(b);
    } else if (strcmp(b, ".") == 0 || strcmp(b, "..") == 0 || strncmp(b, "./", 2) == 0 ||
               strncmp(b, "../", 3) == 0) {
        out = atmos_path_join(dir, b);
    } else {
        char *root = atmos_config_git_root(L->env->cwd);
        char *cand = root ? (*b ? atmos_path_join(root, b) : strdup(root)) : NULL;
        struct stat st;
        if (cand && stat(cand, &st) == 0)
            out = cand, cand = NULL;
        else
            out = *b ? atmos_path_join(dir, b) : strdup(dir);
        free(cand);
        free(root);
    }
    free(dir);
    return out;
}

/* An import's files (generatePatterns): a file; a directory's YAML; a name without extension; a
 * glob. */
static int import_targets(struct loader *L, const char *target, struct found *out)
{
    struct stat st;
    const char *base = strrchr(target, '/') ? strrchr(target, '/') + 1 : target;
    int there = stat(target, &st) == 0;
    /* A FIFO or device too: opening it (non-blocking) refuses it by name. */
    if (there && !S_ISDIR(st.st_mode))
        return atmos_strv_push(&out->v, &out->n, target)
                   ? atmos_fail(L->err, ATMOS_ENOMEM, "out of memory")
                   : ATMOS_OK;
    if (there)
        return atmos_config_list_yaml(L, target, out);
    if (strchr(base, '.') == NULL && strpbrk(target, "*?[") == NULL) {
        for (const char *ext = ".yaml"; ext; ext = strcmp(ext, ".yaml") == 0 ? ".yml" : NULL) {
            char *p = atmos_strfmt("%s%s", target, ext);
            int bad = p == NULL || (stat(p, &st) == 0 && atmos_strv_push(&out->v, &out->n, p) != 0);
            free(p);
            if (bad)
                return atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        }
        return ATMOS_OK;
    }
    /* A glob: the directories before the first wildcard, then the pattern below them. */
    const char *magic = strpbrk(target, "*?[");
    if (magic == NULL)
        return ATMOS_OK;
    const char *cut = magic;
    while (cut > target && cut[-1] != '/')
        cut--;
    char *dir =
        cut > target ? strndup(target, (size_t)(cut - target - (cut - target > 1))) : strdup(".");
    int rc = dir ? atmos_config_list_matching(L, dir, cut, out)
                 : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    free(dir);
    return rc;
}

struct chain {
    const char *path; /* clean (clean_path), as the files an import lists are */
    const struct chain *up;
};

static int expand_imports(struct loader *L, struct group *g, char **imports, size_t n,
                          const char *base, int depth, const struct chain *up);

/* One import target's files, each followed by what it imports in turn. */
/* One import target's files, each followed by what it imports in turn. */
static int import_one(struct loader *L, struct group *g, const char *spec, const char *base,
                      int depth, const struct chain *up)
{
    struct found f = {0};
    /* Cleaned as Go's filepath.Join does: "./x" and "x" are one file, so a cycle is seen. */
    char *joined = spec[0] == '/' ? strdup(spec) : atmos_path_join(base, spec);
    char *target = joined ? atmos_config_clean_path(joined) : NULL;
    free(joined);
    int rc =
        target ? import_targets(L, target, &f) : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    if (rc == ATMOS_OK && f.n == 0)
        atmos_log(L->lg, ATMOS_LOG_WARN, "import \"%s\" (%s) matches no file: skipped", spec,
                  target);
    for (size_t i = 0; rc == ATMOS_OK && i < f.n; i++) {
        int cycle = 0;
        for (const struct chain *c = up; c && !cycle; c = c->up)
            cycle = strcmp(c->path, f.v[i]) == 0;
        if (cycle) {
            atmos_log(L->lg, ATMOS_LOG_WARN, "import cycle: %s imports %s again: not read twice",
                      up->path, f.v[i]);
            continue;
        }
        size_t k;
        int st = atmos_config_add_file(L, g, f.v[i], 0, &k);
        if (st != ATMOS_OK) {
            rc = st == ATMOS_ABSENT ? ATMOS_OK : st;
            continue;
        }
        if (atmos_config_push_index(&g->settings, &g->nsettings, k) ||
            atmos_config_push_index(&g->idents, &g->nidents, k)) {
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
            break;
        }
        /* Its own imports come right after it, from its own base_path if it sets one. */
        struct file *fi = &g->v[k];
        if (fi->meta.nimports == 0)
            continue;
        char *nb = fi->meta.base_path ? import_base(L, fi->path, fi->meta.base_path) : strdup(base);
        struct chain here = {g->v[k].path, up};
        char **imps = g->v[k].meta.imports;
        size_t nimps = g->v[k].meta.nimports;
        g->v[k].meta.imports = NULL; /* g->v may move while they are expanded */
        g->v[k].meta.nimports = 0;
        rc = nb ? expand_imports(L, g, imps, nimps, nb, depth + 1, &here)
                : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        atmos_strv_free(imps, nimps);
        free(nb);
    }
    atmos_strv_free(f.v, f.n);
    free(target);
    return rc;
}

/*
 * Where atmos keeps its copy of a remote import (pkg/cache/file_cache.go keyToFilename,
 * extractExtension; pkg/stack/imports/remote.go): <cache>/stack-imports/<16 hex digits of
 * sha256(uri as written)><ext>, ext that of the last path element (cut at '?', then '#')
 * when a config file's (.yaml.tmpl kept whole), and reused with no expiry.  A go-getter
 * subdirectory ("//" after the host) is cloned, not cached under this name: NULL.
 */
static char *remote_cached(const struct loader *L, const char *uri)
{
    static const char *const exts[] = {".yaml", ".yml", ".json", ".toml",
                                       ".hcl",  ".tf",  ".tmpl", NULL};
    const char *host = strstr(uri, "://");
    if (strstr(host ? host + 3 : uri, "//"))
        return NULL;
    size_t end = strcspn(uri, "?");
    end = strcspn(uri, "#") < end ? strcspn(uri, "#") : end;
    while (end > 0 && uri[end - 1] == '/')
        end--;
    size_t b = end;
    while (b > 0 && uri[b - 1] != '/')
        b--;
    const char *dot = NULL, *inner = NULL;
    for (size_t i = b; i < end; i++)
        if (uri[i] == '.')
            inner = dot, dot = uri + i;
    const char *ext = "";
    size_t elen = 0;
    for (const char *const *e = exts; dot && *e; e++)
        if ((size_t)(uri + end - dot) == strlen(*e) && strncasecmp(dot, *e, strlen(*e)) == 0)
            ext = dot, elen = strlen(*e);
    if (elen && strncasecmp(dot, ".tmpl", 5) == 0 && inner)
        for (const char *const *e = exts; *e; e++)
            if ((size_t)(dot - inner) == strlen(*e) && strncasecmp(inner, *e, strlen(*e)) == 0)
                ext = inner, elen = (size_t)(uri + end - inner);
    char hex[17], *cache = atmos_path_atmos_cache(L->env);
    atmos_sha256_hex16(uri, strlen(uri), hex);
    char *out = cache ? atmos_strfmt("%s/stack-imports/%s%.*s", cache, hex, (int)elen, ext) : NULL;
    free(cache);
    return out;
}

static int expand_imports(struct loader *L, struct group *g, char **imports, size_t n,
                          const char *base, int depth, const struct chain *up)
{
    int rc = ATMOS_OK;
    if (depth > MAX_IMPORT_DEPTH) {
        atmos_log(L->lg, ATMOS_LOG_WARN,
                  "%s: imports nested deeper than %d levels are not read (as in atmos)", up->path,
                  MAX_IMPORT_DEPTH);
        return ATMOS_OK;
    }
    for (size_t i = 0; rc == ATMOS_OK && i < n; i++) {
        if (!is_remote(imports[i])) {
            rc = import_one(L, g, imports[i], base, depth, up);
            continue;
        }
        /* Never fetched: atmos's own copy, when an earlier atmos run downloaded it. */
        char *copy = remote_cached(L, imports[i]);
        struct stat st;
        if (copy && lstat(copy, &st) == 0 && S_ISREG(st.st_mode)) {
            atmos_log(L->lg, ATMOS_LOG_DEBUG, "Remote import %s read from atmos's copy path=%s",
                      imports[i], copy);
            rc = import_one(L, g, copy, base, depth, up);
        } else
            atmos_log(L->lg, ATMOS_LOG_WARN,
                      "%s: import \"%s\" is remote and atmos has no copy of it%s: not read "
                      "(remote imports are never fetched)",
                      up->path, imports[i], copy ? "" : " by that name");
        free(copy);
    }
    return rc;
}

/*
 * The provisioned identities of the providers this file and its atmos.d name
 * (injectProvisionedIdentityImports: <cache>/auth/<provider>/provisioned-identities.yaml,
 * no realm), as imports that come first.
 */
static int provisioned(struct loader *L, const struct group *g, size_t upto, char ***v, size_t *n)
{
    char *cache = atmos_path_atmos_cache(L->env);
    int rc = cache ? ATMOS_OK : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == ATMOS_OK && i < upto; i++) {
        const struct atmos_ynode *p =
            atmos_ynode_get(atmos_ynode_get(g->v[i].tree.root, "auth"), "providers");
        for (size_t j = 0; rc == ATMOS_OK && p && p->type == ATMOS_Y_MAP && j + 1 < p->n; j += 2) {
            const struct atmos_ynode *k = p->kids[j];
            if (k->type != ATMOS_Y_SCALAR || k->len == 0 || memchr(k->value, '\0', k->len) ||
                strchr(k->value, '/') || k->value[0] == '.')
                continue;
            char *name = strdup(k->value), *path;
            atmos_ascii_lower_str(name);
            path =
                name ? atmos_strfmt("%s/auth/%s/provisioned-identities.yaml", cache, name) : NULL;
            struct stat st;
            int dup = 0;
            for (size_t d = 0; path && d < *n && !dup; d++)
                dup = strcmp((*v)[d], path) == 0;
            if (path == NULL || (!dup && stat(path, &st) == 0 && atmos_strv_push(v, n, path) != 0))
                rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
            free(name);
            free(path);
        }
    }
    free(cache);
    return rc;
}

/* The imports of g's file 0 (or, when it has none, of the last atmos.d file that has). */
int atmos_config_group_imports(struct loader *L, struct group *g, size_t upto)
{
    char **imps = NULL;
    size_t nimps = 0;
    int rc = provisioned(L, g, upto, &imps, &nimps);
    const struct file *from = g->v[0].meta.has_imports ? &g->v[0] : NULL;
    for (size_t i = upto; i-- > 1 && from == NULL;)
        if (g->v[i].meta.has_imports)
            from = &g->v[i];
    for (size_t i = 0; rc == ATMOS_OK && from && i < from->meta.nimports; i++)
        if (atmos_strv_push(&imps, &nimps, from->meta.imports[i]) != 0)
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    const char *bp = g->v[0].meta.base_path;
    for (size_t i = upto; i-- > 1 && bp == NULL;)
        bp = g->v[i].meta.base_path;
    char *base = rc == ATMOS_OK ? import_base(L, g->v[0].path, bp) : NULL;
    char *top_path = rc == ATMOS_OK ? atmos_config_clean_path(g->v[0].path) : NULL;
    struct chain top = {top_path, NULL};
    if (rc == ATMOS_OK)
        rc = base && top_path ? expand_imports(L, g, imps, nimps, base, 1, &top)
                              : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    free(top_path);
    free(base);
    atmos_strv_free(imps, nimps);
    return rc;
}

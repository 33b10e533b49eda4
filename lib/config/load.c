/*
 * Loading a configuration as atmos does (cloudposse/atmos pkg/config/load.go,
 * read at 0a1cb448; docs/atmos-facts.md §1): each atmos.yaml of the search
 * path with the atmos.d/ and .atmos.d/ beside it, its local imports and the
 * provisioned identities of its providers, then the profiles.
 *
 * Order, for one atmos.yaml (processConfigImportsAndReapply):
 *  - settings (providers, integrations, realm, keyring), lowest first:
 *    atmos.d/ (every *.yaml below), .atmos.d/ (every *.yaml below), the file, its imports
 * (provisioned first, a nested import right after the file that imports it), the file again;
 *  - identities, replaced whole, later winning (fixAuthIdentities walks the
 *    files in the order they were tracked): the file, atmos.d/ (every *.yaml below),
 *    .atmos.d/ (every *.yaml below), the imports.
 * Profiles come after every atmos.yaml, each file's imports before it.
 *
 * MUST: every file goes through atmos_config_open (as root: root's alone,
 * no symbolic link on the way); a directory is listed from a descriptor
 * opened the same way; remote imports are never fetched; the number of
 * files, the depth of imports and the walk of a glob are bounded; an import
 * cycle ends at the file that repeats; a file we cannot use is named in a
 * warning and the rest still loads.
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/internal.h"
#include "config/load.h"
#include "formats/dotenv.h"
#include "base/strings.h"
#include "config/paths.h"

/* --- files ----------------------------------------------------------------- */

/* What the loader reads of a file: the rest is parsed (and bounded) but not kept. */
static const char *const top_keys[] = {"auth", "import", "base_path", "profiles", "env", NULL};

int atmos_config_merge_buffer(struct atmos_config *cfg, const char *path, const char *data,
                              size_t len, struct atmos_err *err)
{
    struct atmos_ytree t;
    int rc = atmos_yaml_load(&t, path, data, len, ATMOS_CONFIG_MAX_BYTES, top_keys, err);
    if (rc == ATMOS_OK) {
        rc = atmos_config_apply(cfg, path, t.root, ATMOS_APPLY_SETTINGS | ATMOS_APPLY_IDENTITIES,
                                err);
        atmos_yaml_free(&t);
    }
    return rc;
}

int atmos_config_read_tree(const char *path, struct atmos_trust *trust, struct atmos_ytree *t,
                           struct atmos_err *err)
{
    int fd;
    int rc = atmos_config_open_file(path, trust, &fd, err);
    if (rc != ATMOS_OK)
        return rc;
    rc = atmos_yaml_load_fd(t, path, fd, ATMOS_CONFIG_MAX_BYTES, top_keys, err);
    close(fd);
    return rc;
}

/* Counts what parsing f cost (read or refused); 1 when that spent a load budget: f and every
 * file after it are left out, said once. */
static int spent(struct loader *L, const struct file *f)
{
    L->bytes += f->tree.bytes;
    L->nodes += f->tree.nodes;
    if (L->bytes <= MAX_LOAD_BYTES && L->nodes <= MAX_LOAD_NODES)
        return 0;
    L->full = 1;
    atmos_log(L->lg, ATMOS_LOG_WARN,
              "configuration files hold more than %u bytes or %u YAML nodes in all: %s and "
              "those after it are not read",
              MAX_LOAD_BYTES, MAX_LOAD_NODES, f->path);
    return 1;
}

#define NOT_USED (-100) /* add_file: the file is left out (absent, or said why) */

/* Read one more file into g (its path kept in cfg->sources for marks); its index, NOT_USED or a
 * status. */
static int add_file(struct loader *L, struct group *g, const char *path, int required)
{
    if (L->nread == MAX_FILES || L->full) {
        if (!L->warned_limit++ && !L->full)
            atmos_log(L->lg, ATMOS_LOG_WARN,
                      "more than %u configuration files: %s and those after it are not read",
                      MAX_FILES, path);
        return required ? atmos_fail(L->err, ATMOS_EINVAL, "too many configuration files")
                        : NOT_USED;
    }
    struct file *v = realloc(g->v, (g->n + 1) * sizeof(*v));
    if (v == NULL || atmos_strv_push(&L->cfg->sources, &L->cfg->nsources, path) != 0) {
        if (v)
            g->v = v;
        return atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    }
    g->v = v;
    struct file *f = &g->v[g->n];
    *f = (struct file){.path = L->cfg->sources[L->cfg->nsources - 1]};
    int rc = atmos_config_read_tree(f->path, &L->trust, &f->tree, L->err);
    if (spent(L, f) && rc == ATMOS_OK) {
        atmos_yaml_free(&f->tree);
        rc =
            required ? atmos_fail(L->err, ATMOS_EINVAL, "too much configuration") : ATMOS_ENOCONFIG;
    }
    if (rc == ATMOS_OK && (rc = atmos_config_file_meta(f->path, f->tree.root, &f->meta, L->err)))
        atmos_yaml_free(&f->tree);
    if (rc == ATMOS_OK) {
        L->nread++;
        return (int)g->n++;
    }
    free(L->cfg->sources[--L->cfg->nsources]);
    if (required || rc == ATMOS_ENOMEM)
        return rc;
    if (rc != ATMOS_ENOCONFIG)
        warn(L, L->err->msg); /* a file we cannot read safely: it alone is left out */
    return NOT_USED;
}

static int push_index(size_t **v, size_t *n, size_t i)
{
    size_t *nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (nv == NULL)
        return -1;
    nv[(*n)++] = i;
    *v = nv;
    return 0;
}

static void group_free(struct group *g)
{
    for (size_t i = 0; i < g->n; i++) {
        atmos_yaml_free(&g->v[i].tree);
        atmos_file_meta_free(&g->v[i].meta);
    }
    free(g->v);
    free(g->settings);
    free(g->idents);
    *g = (struct group){0};
}

/* --- imports --------------------------------------------------------------- */

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

static char *dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

/*
 * Where a file's local imports are relative to (config.go resolveAbsolutePath):
 * an absolute base_path; one starting with . or .. from the file's directory;
 * none or a bare one from the git root when there is one, else the file's
 * directory.
 */
static char *import_base(const struct loader *L, const char *file, const char *base_path)
{
    char *dir = dir_of(file), *out = NULL;
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

static char *clean_path(const char *p);

static int expand_imports(struct loader *L, struct group *g, char **imports, size_t n,
                          const char *base, int depth, const struct chain *up);

/* One import target's files, each followed by what it imports in turn. */
static int import_one(struct loader *L, struct group *g, const char *spec, const char *base,
                      int depth, const struct chain *up)
{
    struct found f = {0};
    /* Cleaned as Go's filepath.Join does: "./x" and "x" are one file, so a cycle is seen. */
    char *joined = spec[0] == '/' ? strdup(spec) : atmos_path_join(base, spec);
    char *target = joined ? clean_path(joined) : NULL;
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
        int k = add_file(L, g, f.v[i], 0);
        if (k < 0) {
            rc = k == NOT_USED ? ATMOS_OK : k;
            continue;
        }
        if (push_index(&g->settings, &g->nsettings, (size_t)k) ||
            push_index(&g->idents, &g->nidents, (size_t)k)) {
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

/* --- one atmos.yaml and what comes with it ---------------------------------- */

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
            for (char *c = name; c && *c; c++)
                if (*c >= 'A' && *c <= 'Z')
                    *c = (char)(*c - 'A' + 'a');
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

/* atmos.d/ then .atmos.d/ beside the file (loadAtmosDFromDirectory): settings before it. */
static int atmos_d(struct loader *L, struct group *g, const char *dir)
{
    static const char *const subs[] = {"atmos.d", ".atmos.d"};
    int rc = ATMOS_OK;
    for (size_t s = 0; rc == ATMOS_OK && s < 2; s++) {
        struct found f = {0};
        char *d = atmos_path_join(dir, subs[s]);
        rc = d ? atmos_config_list_yaml(L, d, &f)
               : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        for (size_t i = 0; rc == ATMOS_OK && i < f.n; i++) {
            int k = add_file(L, g, f.v[i], 0);
            if (k < 0 && k != NOT_USED)
                rc = k;
            else if (k >= 0 && (push_index(&g->settings, &g->nsettings, (size_t)k) ||
                                push_index(&g->idents, &g->nidents, (size_t)k)))
                rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        }
        atmos_strv_free(f.v, f.n);
        free(d);
    }
    return rc;
}

/* The last file of g (in settings order) that says `key`: atmos's merged value. */
static const struct file *last_saying(const struct group *g, size_t off)
{
    const struct file *out = NULL;
    for (size_t i = 0; i < g->nsettings; i++) {
        const struct file *f = &g->v[g->settings[i]];
        if (*(char *const *)((const char *)&f->meta + off))
            out = f;
    }
    return out;
}

/* --- env: ------------------------------------------------------------------ */

/*
 * atmos sets the ATMOS_* variables of its base configuration's env: section
 * that the environment does not set, after every file of the search path is
 * merged and before it picks the profiles (pkg/config/load.go LoadConfig,
 * promoteAtmosEnvFromConfig; pkg/env/promote.go: the environment wins).  The
 * section is merged as the rest is, key by key, the later file winning; the
 * values are strings as viper gives them (a null is empty).  Of them, those
 * that move what a logout finds (atmos_env_promoted_name) are kept here, and
 * applied by atmos_env_promote().
 */
static size_t promoted_index(const char *name)
{
    size_t i = 0;
    while (atmos_env_promoted_name(i) && strcmp(name, atmos_env_promoted_name(i)) != 0)
        i++;
    return i; /* ATMOS_ENV_PROMOTED: not one of them */
}

static int env_take(struct loader *L, const char *name, const char *value, size_t len)
{
    size_t i = promoted_index(name);
    if (i == ATMOS_ENV_PROMOTED)
        return ATMOS_OK;
    char *v = strndup(value, len);
    if (v == NULL)
        return atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    free(L->cfg->env_promoted[i]);
    L->cfg->env_promoted[i] = v;
    return ATMOS_OK;
}

/* A dotenv file read as the configuration is (config_trust.c: as root, only its owner's or
 * root's), whole, at most MAX_DOTENV_BYTES.  godotenv v1.5.1 (atmos's go.mod) expands $NAME
 * from the file's own variables alone, never from the environment: so does this. */
static int read_dotenv(struct loader *L, const char *path, struct atmos_dotenv_var **vars,
                       size_t *n)
{
    int fd;
    int rc = atmos_config_open_file(path, &L->trust, &fd, L->err);
    if (rc == ATMOS_ENOCONFIG)
        return atmos_fail(L->err, ATMOS_EINVAL, "%s: no such file", path);
    if (rc != ATMOS_OK)
        return rc;
    char *data = malloc(MAX_DOTENV_BYTES + 1);
    size_t len = 0;
    ssize_t r = 0;
    while (
        data && len <= MAX_DOTENV_BYTES &&
        ((r = read(fd, data + len, MAX_DOTENV_BYTES + 1 - len)) > 0 || (r < 0 && errno == EINTR)))
        len += r > 0 ? (size_t)r : 0;
    close(fd);
    if (data == NULL)
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    else if (r < 0)
        rc = atmos_fail(L->err, ATMOS_ESYS, "%s: %s", path, strerror(errno));
    else if (len > MAX_DOTENV_BYTES)
        rc = atmos_fail(L->err, ATMOS_EINVAL, "%s: larger than %u bytes", path, MAX_DOTENV_BYTES);
    else
        rc = atmos_dotenv_parse(path, data, len, vars, n, L->err);
    free(data);
    /* The load's budget (MAX_LOAD_BYTES) counts what a dotenv file costs too, its expanded
     * values included: else `<<: [!include big.env, ...]` could name one 256 KiB file as often
     * as the YAML holds nodes.  Past it, this file is left out, and every file after it. */
    size_t cost = len;
    for (size_t i = 0; rc == ATMOS_OK && i < *n; i++)
        cost += strlen((*vars)[i].value);
    if (cost > MAX_LOAD_BYTES - (L->bytes < MAX_LOAD_BYTES ? L->bytes : MAX_LOAD_BYTES)) {
        L->bytes = MAX_LOAD_BYTES + 1;
        L->full = 1;
        atmos_dotenv_free(*vars, *n);
        *vars = NULL;
        *n = 0;
        rc = atmos_fail(L->err, ATMOS_EINVAL,
                        "configuration files hold more than %u bytes in all, with the dotenv "
                        "files they include: %s and the files after it are not read",
                        MAX_LOAD_BYTES, path);
    } else {
        L->bytes += cost;
    }
    return rc;
}

/* `!include FILE` where env: takes a mapping: atmos reads a dotenv file by its name
 * (pkg/filetype/filetype_by_extension.go: .env, .env.*, *.env), relative to the
 * including file.  Another kind of file, or one that cannot be read safely, is named. */
static int env_include(struct loader *L, const struct file *f, const struct atmos_ynode *v)
{
    const char *base = strrchr(v->value, '/') ? strrchr(v->value, '/') + 1 : v->value;
    size_t n = strlen(base);
    if (memchr(v->value, '\0', v->len) || v->len == 0 ||
        !(strcmp(base, ".env") == 0 || strncmp(base, ".env.", 5) == 0 ||
          (n > 4 && strcmp(base + n - 4, ".env") == 0))) {
        atmos_log(L->lg, ATMOS_LOG_WARN,
                  "%s:%u:%u: env: !include of a file that is not a dotenv file is not read",
                  f->path, v->line, v->column);
        return ATMOS_OK;
    }
    if (L->full) /* a load budget is spent (said once): nothing more is read */
        return ATMOS_OK;
    char *dir = v->value[0] == '/' ? NULL : dir_of(f->path);
    char *path = v->value[0] == '/' ? strdup(v->value)
                 : dir              ? atmos_path_join(dir, v->value)
                                    : NULL;
    free(dir);
    if (path == NULL)
        return atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    struct atmos_dotenv_var *vars = NULL;
    size_t nvars = 0;
    int rc = read_dotenv(L, path, &vars, &nvars);
    for (size_t i = 0; rc == ATMOS_OK && i < nvars; i++)
        rc = env_take(L, vars[i].name, vars[i].value, strlen(vars[i].value));
    atmos_dotenv_free(vars, nvars);
    if (rc != ATMOS_OK && rc != ATMOS_ENOMEM) {
        /* Left out, loudly: the rest of the configuration still applies. */
        atmos_log(L->lg, ATMOS_LOG_WARN, "%s:%u:%u: env: !include not read: %s", f->path, v->line,
                  v->column, L->err->msg);
        rc = ATMOS_OK;
    }
    free(path);
    return rc;
}

/* One entry of env: (a scalar value; a mapping or a list has no string form). */
static int env_entry(struct loader *L, const struct file *f, const struct atmos_ynode *k,
                     const struct atmos_ynode *v)
{
    if (k->type != ATMOS_Y_SCALAR || v->type != ATMOS_Y_SCALAR || memchr(k->value, '\0', k->len) ||
        memchr(v->value, '\0', v->len))
        return ATMOS_OK;
    if (v->function) { /* !exec, !repo-root, ...: never run here */
        if (promoted_index(k->value) < ATMOS_ENV_PROMOTED)
            atmos_log(L->lg, ATMOS_LOG_WARN,
                      "%s:%u:%u: env: %s is a YAML function atmos-logout does not evaluate: "
                      "left out",
                      f->path, v->line, v->column, k->value);
        return ATMOS_OK;
    }
    if (v->env) { /* !env NAME [DEFAULT] */
        struct atmos_env_arg buf;
        const char *val;
        size_t len;
        atmos_yaml_env_value(v->value, v->len, &buf, &val, &len);
        return env_take(L, k->value, val, len);
    }
    return atmos_ynode_is_null(v) ? env_take(L, k->value, "", 0)
                                  : env_take(L, k->value, v->value, v->len);
}

/* What a merge key brings into env: an !include, a mapping, or a list of them.  In a list
 * the earlier mapping wins (yaml.v3's merge: a key already merged is not taken again), so
 * the list is applied from its end, each over the ones after it. */
static int env_merged(struct loader *L, const struct file *f, const struct atmos_ynode *v)
{
    int rc = ATMOS_OK;
    size_t n = v->type == ATMOS_Y_SEQ ? v->n : 1;
    for (size_t m = n; rc == ATMOS_OK && m-- > 0;) {
        const struct atmos_ynode *x = v->type == ATMOS_Y_SEQ ? v->kids[m] : v;
        if (x->type == ATMOS_Y_SCALAR && x->include)
            rc = env_include(L, f, x);
        for (size_t i = 0; rc == ATMOS_OK && x->type == ATMOS_Y_MAP && i + 1 < x->n; i += 2)
            rc = env_entry(L, f, x->kids[i], x->kids[i + 1]);
    }
    return rc;
}

/* A base file's env: section, over what the files before it said: `env: !include .env`,
 * or a mapping whose merge keys (<<: !include x.env) lose to its own keys. */
static int env_section(struct loader *L, const struct file *f)
{
    const struct atmos_ynode *e = atmos_ynode_get(f->tree.root, "env");
    if (e && e->type == ATMOS_Y_SCALAR && e->include)
        return env_include(L, f, e);
    if (e == NULL || e->type != ATMOS_Y_MAP)
        return ATMOS_OK;
    int rc = ATMOS_OK;
    for (size_t j = 0; rc == ATMOS_OK && j + 1 < e->n; j += 2)
        if (atmos_ynode_is_merge_key(e->kids[j]))
            rc = env_merged(L, f, e->kids[j + 1]);
    for (size_t j = 0; rc == ATMOS_OK && j + 1 < e->n; j += 2)
        if (!atmos_ynode_is_merge_key(e->kids[j]))
            rc = env_entry(L, f, e->kids[j], e->kids[j + 1]);
    return rc;
}

/* ix[0] is not in ix[1..n): a file applied twice (the main file over its imports) has its
 * env: read once, where it wins. */
static int last_use(const size_t *ix, size_t n)
{
    for (size_t k = 1; k < n; k++)
        if (ix[k] == ix[0])
            return 0;
    return 1;
}

/* Merge a group: settings in their order, identities in theirs. */
static int apply_group(struct loader *L, struct group *g, int main_fails)
{
    int rc = ATMOS_OK;
    for (int pass = 0; pass < 2 && rc == ATMOS_OK; pass++) {
        size_t n = pass ? g->nidents : g->nsettings;
        const size_t *ix = pass ? g->idents : g->settings;
        for (size_t i = 0; rc == ATMOS_OK && i < n; i++) {
            struct file *f = &g->v[ix[i]];
            if (f->unusable)
                continue;
            if (!pass && !L->in_profiles && last_use(ix + i, n - i) &&
                (rc = env_section(L, f)) != ATMOS_OK)
                break;
            rc = atmos_config_apply(L->cfg, f->path, f->tree.root,
                                    pass ? ATMOS_APPLY_IDENTITIES : ATMOS_APPLY_SETTINGS, L->err);
            if (pass) /* its last use: the configuration keeps copies, the peak drops */
                atmos_yaml_free(&f->tree);
            /* A file of atmos.d or an import that cannot be used is left out, loudly, once. */
            if (rc == ATMOS_EINVAL && !(main_fails && ix[i] == 0)) {
                warn(L, L->err->msg);
                f->unusable = 1;
                rc = ATMOS_OK;
            }
        }
    }
    const struct file *pd = last_saying(g, offsetof(struct atmos_file_meta, profile_default));
    const struct file *pb = last_saying(g, offsetof(struct atmos_file_meta, profiles_base_path));
    if (rc == ATMOS_OK && pd) {
        free(L->profile_default);
        if ((L->profile_default = strdup(pd->meta.profile_default)) == NULL)
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    }
    if (rc == ATMOS_OK && pb) {
        /* Relative to the directory of the file that set it (profiles.go). */
        char *dir = dir_of(pb->path);
        free(L->profiles_base);
        L->profiles_base = dir && pb->meta.profiles_base_path[0] != '/'
                               ? atmos_path_join(dir, pb->meta.profiles_base_path)
                               : strdup(pb->meta.profiles_base_path);
        free(dir);
        if (L->profiles_base == NULL)
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    }
    return rc;
}

/* The imports of g's file 0 (or, when it has none, of the last atmos.d file that has). */
static int group_imports(struct loader *L, struct group *g, size_t upto)
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
    char *top_path = rc == ATMOS_OK ? clean_path(g->v[0].path) : NULL;
    struct chain top = {top_path, NULL};
    if (rc == ATMOS_OK)
        rc = base && top_path ? expand_imports(L, g, imps, nimps, base, 1, &top)
                              : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    free(top_path);
    free(base);
    atmos_strv_free(imps, nimps);
    return rc;
}

/* Go's filepath.Clean, lexically. */
static char *clean_path(const char *p)
{
    size_t len = strlen(p);
    char *out = malloc(len + 2), *o = out;
    int abs = p[0] == '/';
    size_t keep = 0; /* leading ".." of a relative path stay */
    if (out == NULL)
        return NULL;
    if (abs)
        *o++ = '/';
    char *start = o;
    for (const char *s = p; *s;) {
        size_t n = strcspn(s, "/");
        if (n == 0 || (n == 1 && s[0] == '.')) {
            /* nothing */
        } else if (n == 2 && s[0] == '.' && s[1] == '.') {
            if ((size_t)(o - start) > keep) {
                while (o > start && o[-1] != '/')
                    o--;
                if (o > start)
                    o--;
            } else if (!abs) {
                o += sprintf(o, "%s..", o > start ? "/" : "");
                keep = (size_t)(o - start);
            }
        } else {
            if (o > start)
                *o++ = '/';
            memcpy(o, s, n);
            o += n;
        }
        s += n;
        while (*s == '/')
            s++;
    }
    if (o == out)
        *o++ = '.';
    *o = '\0';
    return out;
}

void atmos_realm_of_dir(const char *dir, char out[17])
{
    atmos_realm_hash(dir, out);
}

void atmos_realm_hash(const char *dir, char out[17])
{
    char *c = clean_path(dir);
    for (char *p = c; p && *p; p++)
        if (*p >= 'A' && *p <= 'Z')
            *p = (char)(*p - 'A' + 'a');
    atmos_sha256_hex16(c ? c : "", c ? strlen(c) : 0, out);
    free(c);
}

/* atmos's CliConfigPath (load.go LoadConfig): the directory of the file, absolute; for --config as
 * given. */
static int note_realm_dir(struct loader *L, const struct atmos_source *s)
{
    char *dir = dir_of(s->path), *abs = NULL;
    if (dir && dir[0] != '/' && !(s->flags & ATMOS_SOURCE_ARGUMENT) && L->env->cwd)
        abs = atmos_path_join(L->env->cwd, dir);
    free(L->realm_dir);
    L->realm_dir = abs ? abs : dir;
    if (abs)
        free(dir);
    return L->realm_dir ? ATMOS_OK : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
}

/* One atmos.yaml of the search path with its atmos.d, imports and provisioned identities. */
static int load_main(struct loader *L, const struct atmos_source *s)
{
    struct group g = {0};
    int required = s->kind == ATMOS_SOURCE_REQUIRED;
    struct stat st;
    /* A file atmos finds in a directory above the CWD may be anyone's (a /tmp/atmos.yaml):
     * a logout acts only on configuration its user or root wrote. */
    if ((s->flags & ATMOS_SOURCE_ABOVE) && stat(s->path, &st) == 0 && st.st_uid != geteuid() &&
        st.st_uid != 0) {
        atmos_log(L->lg, ATMOS_LOG_WARN, "%s: not read: owned by uid %lu, not by you or root",
                  s->path, (unsigned long)st.st_uid);
        return ATMOS_OK;
    }
    int k = add_file(L, &g, s->path, 1);
    int rc = k >= 0 ? ATMOS_OK : k;
    if (rc == ATMOS_ENOCONFIG && !required) {
        rc = ATMOS_OK; /* not there: fine on the search path */
        goto done;
    }
    /*
     * Root refused a file it does not own (config_trust.c): a file found on
     * the search path is skipped, loudly, and root's own files still apply;
     * a file root named (--config, $ATMOS_CLI_CONFIG_PATH) fails the load, as
     * a missing one does: acting on another configuration than the one asked
     * for could remove what was not meant.
     */
    if (rc == ATMOS_EREFUSED && !required) {
        warn(L, L->err->msg);
        rc = ATMOS_OK;
        goto done;
    }
    if (rc == ATMOS_ENOCONFIG)
        rc = ATMOS_EINVAL; /* a file the user named must exist */
    if (rc != ATMOS_OK || (rc = note_realm_dir(L, s)) != ATMOS_OK)
        goto done;
    char *dir = dir_of(g.v[0].path);
    if (dir == NULL || push_index(&g.idents, &g.nidents, 0) != 0) {
        free(dir);
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        goto done;
    }
    /* The system file is read without its imports and atmos.d (readSystemConfig); a
     * --config file without atmos.d (mergeDefaultImports wants a directory). */
    if (!(s->flags & (ATMOS_SOURCE_PLAIN | ATMOS_SOURCE_ARGUMENT)))
        rc = atmos_d(L, &g, dir);
    free(dir);
    size_t upto = g.n;
    if (rc == ATMOS_OK && push_index(&g.settings, &g.nsettings, 0) != 0)
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    if (rc == ATMOS_OK && !(s->flags & ATMOS_SOURCE_PLAIN))
        rc = group_imports(L, &g, upto);
    /* The file again over its imports (it wins over what it imports). */
    if (rc == ATMOS_OK && g.nsettings > 1 && push_index(&g.settings, &g.nsettings, 0) != 0)
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    if (rc == ATMOS_OK)
        rc = apply_group(L, &g, 1);
done:
    group_free(&g);
    return rc;
}

/* --- profiles -------------------------------------------------------------- */

/* profiles/<name>/ in the first place that has it (profiles.go discoverProfileLocations). */
static char *profile_dir(struct loader *L, const char *name, struct atmos_buf *looked)
{
    char *cfgdir = atmos_path_atmos_config(L->env);
    const char *rd = L->realm_dir;
    char *locs[4] = {
        L->profiles_base ? strdup(L->profiles_base) : NULL,
        rd ? atmos_path_join(rd, ".atmos/profiles") : NULL,
        cfgdir ? atmos_path_join(cfgdir, "profiles") : NULL,
        rd ? atmos_path_join(rd, "profiles") : NULL,
    };
    char *out = NULL;
    for (size_t i = 0; i < 4; i++) {
        struct stat st;
        char *p = locs[i] ? atmos_path_join(locs[i], name) : NULL;
        if (locs[i])
            atmos_buf_printf(looked, "%s%s", looked->len ? ", " : "", locs[i]);
        if (out == NULL && p && stat(p, &st) == 0 && S_ISDIR(st.st_mode))
            out = p, p = NULL;
        free(p);
        free(locs[i]);
    }
    free(cfgdir);
    return out;
}

/* Every *.yaml|yml of the profile, each after its own imports (mergeConfigFileWithImports). */
static int load_profile(struct loader *L, const char *name)
{
    struct atmos_buf looked = {0};
    struct found f = {0};
    int rc = ATMOS_OK;
    if (*name == '.' || strchr(name, '/'))
        return atmos_fail(L->err, ATMOS_EINVAL, "profile \"%s\": not a profile name", name);
    char *dir = profile_dir(L, name, &looked);
    if (dir == NULL)
        rc = atmos_fail(L->err, ATMOS_EINVAL, "profile \"%s\" not found (looked in %s)", name,
                        looked.data ? looked.data : "no place");
    atmos_buf_free(&looked);
    if (rc == ATMOS_OK)
        rc = atmos_config_list_yaml(L, dir, &f);
    for (size_t i = 0; rc == ATMOS_OK && i < f.n; i++) {
        struct group g = {0};
        int k = add_file(L, &g, f.v[i], 0);
        if (k >= 0 && push_index(&g.idents, &g.nidents, 0) == 0) {
            rc = group_imports(L, &g, 1);
            if (rc == ATMOS_OK && push_index(&g.settings, &g.nsettings, 0) != 0)
                rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
            if (rc == ATMOS_OK)
                rc = apply_group(L, &g, 0);
        } else if (k < 0 && k != NOT_USED) {
            rc = k;
        }
        group_free(&g);
    }
    atmos_strv_free(f.v, f.n);
    free(dir);
    return rc;
}

/* --profile / $ATMOS_PROFILE (comma-separated, trimmed), else profiles.default. */
static int load_profiles(struct loader *L)
{
    L->in_profiles = 1;
    /* Taken once: a profile's own profiles.default replaces L->profile_default under us. */
    const char *from = L->env->profile && *L->env->profile ? L->env->profile : L->profile_default;
    char *list = from ? strdup(from) : NULL;
    int rc = from && list == NULL ? atmos_fail(L->err, ATMOS_ENOMEM, "out of memory") : ATMOS_OK;
    for (const char *p = list; rc == ATMOS_OK && p && *p;) {
        size_t n = strcspn(p, ",");
        const char *s = p, *e = p + n;
        while (s < e && (*s == ' ' || *s == '\t'))
            s++;
        while (e > s && (e[-1] == ' ' || e[-1] == '\t'))
            e--;
        if (e > s) {
            char *name = strndup(s, (size_t)(e - s));
            rc = name ? load_profile(L, name) : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
            free(name);
        }
        p += n + (p[n] == ',');
    }
    free(list);
    return rc;
}

/* --- the whole load -------------------------------------------------------- */

static int derive_realm(struct loader *L)
{
    struct atmos_config *cfg = L->cfg;
    const char *env_realm = L->env->realm;
    if ((env_realm && *env_realm) || (cfg->realm.value && *cfg->realm.value))
        return ATMOS_OK; /* pinned: ATMOS_AUTH_REALM, then auth.realm (auth_realm.go setAuthRealm)
                          */
    char hex[17];
    free(cfg->realm.value);
    if (L->realm_dir)
        atmos_realm_hash(L->realm_dir, hex);
    cfg->realm.value = strdup(L->realm_dir ? hex : "default");
    free(cfg->realm_dir);
    cfg->realm_dir = L->realm_dir ? strdup(L->realm_dir) : NULL;
    cfg->realm.mark = (struct atmos_mark){0};
    cfg->realm.present = 0;
    cfg->realm_derived = 1;
    return cfg->realm.value ? ATMOS_OK : atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
}

int atmos_config_read_logged(struct atmos_config **out, const struct atmos_source_list *sources,
                             const struct atmos_env *env, const struct atmos_logger *lg,
                             struct atmos_err *err)
{
    struct atmos_config *cfg = calloc(1, sizeof(*cfg));
    struct loader L = {.cfg = cfg, .env = env, .lg = lg, .err = err};
    int rc = cfg ? ATMOS_OK : atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    for (size_t i = 0; rc == ATMOS_OK && i < sources->n; i++)
        rc = load_main(&L, &sources->v[i]);
    if (rc == ATMOS_OK && cfg->nsources == 0)
        rc = atmos_fail(err, ATMOS_ENOCONFIG, "no atmos.yaml found");
    /* The profiles, the realm and the keyring see what env: promotes. */
    struct atmos_env promoted = *env;
    unsigned set = cfg ? atmos_env_promote(&promoted, cfg->env_promoted) : 0;
    for (size_t i = 0; i < ATMOS_ENV_PROMOTED; i++)
        if (set & (1u << i))
            atmos_log(lg, ATMOS_LOG_DEBUG, "Promoted %s from the configuration's env: section",
                      atmos_env_promoted_name(i));
    L.env = &promoted;
    if (rc == ATMOS_OK)
        rc = load_profiles(&L);
    atmos_trust_release(&L.trust); /* every file is read */
    if (rc == ATMOS_OK)
        rc = derive_realm(&L);
    if (rc == ATMOS_OK)
        rc = atmos_config_validate(cfg, L.env, lg, err);
    if (rc == ATMOS_OK) {
        *out = cfg;
        cfg = NULL;
    }
    free(L.realm_dir);
    free(L.profile_default);
    free(L.profiles_base);
    atmos_config_free(cfg);
    return rc;
}

/*
 * The loader's files and groups (config/load.h): one file read through
 * atmos_config_open_file and parsed, within the load's budgets; a group is one
 * atmos.yaml's files in the two orders atmos applies them.
 *
 * MUST: every file goes through atmos_config_open_file (as root: root's alone,
 * no symbolic link on the way); the number of files and what they hold in
 * all are bounded; a file we cannot use is named and the rest still loads.
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

/* Read and parse one file, bounded (size, nesting, nodes); ENOCONFIG when absent. */
static int read_tree(const char *path, struct atmos_trust *trust, struct atmos_ytree *t,
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

int atmos_config_add_file(struct loader *L, struct group *g, const char *path, int required,
                          size_t *at)
{
    if (L->nread == MAX_FILES || L->full) {
        if (!L->warned_limit++ && !L->full)
            atmos_log(L->lg, ATMOS_LOG_WARN,
                      "more than %u configuration files: %s and those after it are not read",
                      MAX_FILES, path);
        return required ? atmos_fail(L->err, ATMOS_EINVAL, "too many configuration files")
                        : ATMOS_ABSENT;
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
    int rc = read_tree(f->path, &L->trust, &f->tree, L->err);
    if (spent(L, f) && rc == ATMOS_OK) {
        atmos_yaml_free(&f->tree);
        rc =
            required ? atmos_fail(L->err, ATMOS_EINVAL, "too much configuration") : ATMOS_ENOCONFIG;
    }
    if (rc == ATMOS_OK && (rc = atmos_config_file_meta(f->path, f->tree.root, &f->meta, L->err)))
        atmos_yaml_free(&f->tree);
    if (rc == ATMOS_OK) {
        L->nread++;
        *at = g->n++;
        return ATMOS_OK;
    }
    free(L->cfg->sources[--L->cfg->nsources]);
    if (required || rc == ATMOS_ENOMEM)
        return rc;
    if (rc != ATMOS_ENOCONFIG)
        warn(L, L->err->msg); /* a file we cannot read safely: it alone is left out */
    return ATMOS_ABSENT;
}

int atmos_config_push_index(size_t **v, size_t *n, size_t i)
{
    size_t *nv = realloc(*v, (*n + 1) * sizeof(*nv));
    if (nv == NULL)
        return ATMOS_ENOMEM;
    nv[(*n)++] = i;
    *v = nv;
    return 0;
}

void atmos_config_group_free(struct group *g)
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

/* Go's filepath.Clean, lexically. */
char *atmos_config_clean_path(const char *p)
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

char *atmos_config_dir_of(const char *path)
{
    const char *slash = strrchr(path, '/');
    if (slash == NULL)
        return strdup(".");
    return slash == path ? strdup("/") : strndup(path, (size_t)(slash - path));
}

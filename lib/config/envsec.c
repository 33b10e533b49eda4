/*
 * The env: section of the base configuration (config/load.h).
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
#include "base/limits.h"
#include "config/internal.h"
#include "config/load.h"
#include "config/paths.h"
#include "formats/dotenv.h"

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

/* A dotenv file read as the configuration is (config/trust.c: as root, only its owner's or
 * root's), whole, at most ATMOS_DOTENV_MAX_BYTES.  godotenv v1.5.1 (atmos's go.mod) expands $NAME
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
    char *data = malloc(ATMOS_DOTENV_MAX_BYTES + 1);
    size_t len = 0;
    ssize_t r = 0;
    while (
        data && len <= ATMOS_DOTENV_MAX_BYTES &&
        ((r = read(fd, data + len, ATMOS_DOTENV_MAX_BYTES + 1 - len)) > 0 || (r < 0 && errno == EINTR)))
        len += r > 0 ? (size_t)r : 0;
    close(fd);
    if (data == NULL)
        rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    else if (r < 0)
        rc = atmos_fail(L->err, ATMOS_ESYS, "%s: %s", path, strerror(errno));
    else if (len > ATMOS_DOTENV_MAX_BYTES)
        rc = atmos_fail(L->err, ATMOS_EINVAL, "%s: larger than %u bytes", path, ATMOS_DOTENV_MAX_BYTES);
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
    char *dir = v->value[0] == '/' ? NULL : atmos_config_dir_of(f->path);
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
int atmos_config_env_section(struct loader *L, const struct file *f)
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

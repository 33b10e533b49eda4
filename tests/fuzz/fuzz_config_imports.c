/*
 * libFuzzer target: the whole loader (config_load.c) on a small tree of
 * files, imports, atmos.d/, provisioned identities and a profile included.
 *
 * The input is up to five files, split on lines that read "=====":
 *   0  <dir>/atmos.yaml        (found as ./atmos.yaml of the search path)
 *   1  <dir>/atmos.d/x.yaml
 *   2  <dir>/a.yaml            (also <dir>/profiles/dev/a.yaml: profile "dev")
 *   3  <dir>/sub/b.yaml        (also the provisioned identities of provider "p")
 *   4  <dir>/x.env             (a dotenv file: env: !include x.env)
 * A part that is not there is no file.  <dir> is a private directory made once.
 *
 * Any input must end in a configuration or an error that says why, never a
 * crash, a leak or a hang; on success every identity without a problem
 * resolves its chain.  Inputs that could name a path outside <dir> (".." or a
 * path starting with "/", a backslash escape) are skipped: what the loader
 * does beyond its own tree is bounded the same way, but walking the real
 * filesystem would only slow the fuzzer down.
 */
#include <ctype.h>
#include <fcntl.h>
#include <ftw.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/internal.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define NPARTS 5
static const char *const part_path[NPARTS] = {"atmos.yaml", "atmos.d/x.yaml", "a.yaml",
                                              "sub/b.yaml", "x.env"};
/* Second names of parts 2 and 3 (hard links; the directory is root's alone). */
static const char *const part_link[NPARTS] = {
    NULL, NULL, "profiles/dev/a.yaml", "cache/atmos/auth/p/provisioned-identities.yaml", NULL};

static char dir[64];
static char paths[NPARTS][128], links[NPARTS][128];
static char home[128], cache[128];

static int rm_one(const char *p, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st, (void)flag, (void)ftw;
    return remove(p);
}

static void cleanup(void)
{
    if (dir[0])
        nftw(dir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
}

static void mkdirs(const char *rel)
{
    char p[160];
    snprintf(p, sizeof(p), "%s/%s", dir, rel);
    for (char *s = p + strlen(dir) + 1; *s; s++)
        if (*s == '/') {
            *s = '\0';
            mkdir(p, 0755);
            *s = '/';
        }
    mkdir(p, 0755);
}

static void setup(void)
{
    const char *tmp = getenv("TMPDIR");
    snprintf(dir, sizeof(dir), "%s/fuzz_imports.XXXXXX", tmp && *tmp ? tmp : "/tmp");
    if (mkdtemp(dir) == NULL)
        abort();
    atexit(cleanup);
    umask(022);
    mkdirs("atmos.d");
    mkdirs("sub");
    mkdirs("profiles/dev");
    mkdirs("cache/atmos/auth/p");
    mkdirs("home");
    for (size_t i = 0; i < NPARTS; i++) {
        snprintf(paths[i], sizeof(paths[i]), "%s/%s", dir, part_path[i]);
        if (part_link[i])
            snprintf(links[i], sizeof(links[i]), "%s/%s", dir, part_link[i]);
    }
    snprintf(home, sizeof(home), "%s/home", dir);
    snprintf(cache, sizeof(cache), "%s/cache", dir);
}

/* A '/' that starts a path (not after a name character), "..", or an escape. */
static int reaches_out(const uint8_t *d, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        if (d[i] == '\\' || (d[i] == '.' && i + 1 < n && d[i + 1] == '.'))
            return 1;
        if (d[i] != '/' || (i > 0 && (isalnum(d[i - 1]) || strchr("_-*?]}.", d[i - 1]))))
            continue;
        /* "scheme://": a remote import is never read; its "//" is no path */
        if (i > 0 && d[i - 1] == ':' && i + 1 < n && d[i + 1] == '/' && i > 1 &&
            isalnum(d[i - 2])) {
            i++;
            continue;
        }
        return 1;
    }
    return 0;
}

static void write_file(const char *path, const uint8_t *d, size_t n)
{
    int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
    if (fd < 0)
        abort();
    for (size_t off = 0; off < n;) {
        ssize_t w = write(fd, d + off, n - off);
        if (w <= 0)
            abort();
        off += (size_t)w;
    }
    close(fd);
}

static int verbose; /* $FUZZ_VERBOSE: say what each input loaded to */

static void on_log(void *ctx, enum atmos_log_level level, const char *msg)
{
    (void)ctx, (void)level;
    if (msg == NULL || msg[0] == '\0')
        abort(); /* a warning says what it is about */
    if (verbose)
        fprintf(stderr, "log: %s\n", msg);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static const char sep[] = "\n=====\n";
    if (dir[0] == '\0') {
        setup();
        verbose = getenv("FUZZ_VERBOSE") != NULL;
    }
    if (reaches_out(data, size))
        return -1; /* not added to the corpus */

    /* Split, and lay the parts out (absent ones removed). */
    const uint8_t *p = data, *end = data + size;
    for (size_t i = 0; i < NPARTS; i++) {
        unlink(paths[i]);
        if (part_link[i])
            unlink(links[i]);
        if (p == NULL)
            continue;
        const uint8_t *cut =
            i + 1 < NPARTS ? memmem(p, (size_t)(end - p), sep, sizeof(sep) - 1) : NULL;
        size_t n = cut ? (size_t)(cut - p) : (size_t)(end - p);
        write_file(paths[i], p, n);
        if (part_link[i] && link(paths[i], links[i]) != 0)
            abort();
        p = cut ? cut + sizeof(sep) - 1 : NULL;
    }

    struct atmos_env env = {0};
    env.home = home;
    env.cwd = dir;
    env.xdg_cache_home = cache;
    struct atmos_source_list src = {0};
    struct atmos_err err;
    err.msg[0] = '\0';
    if (atmos_config_search_path(&src, &env, ATMOS_SEARCH_CWD, NULL, &err) != ATMOS_OK)
        abort();
    struct atmos_logger lg = {on_log, NULL, ATMOS_LOG_DEBUG};
    struct atmos_config *cfg = NULL;
    int rc = atmos_config_load_logged(&cfg, &src, &env, &lg, &err);
    atmos_source_list_free(&src);
    if (verbose) {
        fprintf(stderr, "rc %d%s%s\n", rc, rc ? ": " : "", rc ? err.msg : "");
        for (size_t i = 0; cfg && i < cfg->nsources; i++)
            fprintf(stderr, "source %s\n", cfg->sources[i] + strlen(dir));
        for (size_t i = 0; cfg && i < cfg->nidentities; i++)
            fprintf(stderr, "identity %s%s%s\n", cfg->identities[i].name,
                    cfg->identities[i].problem ? ": " : "",
                    cfg->identities[i].problem ? cfg->identities[i].problem : "");
    }
    if (rc != ATMOS_OK) {
        if (err.msg[0] == '\0' || cfg != NULL)
            abort(); /* every failure says why, and returns nothing */
        return 0;
    }
    if (cfg == NULL || cfg->nsources == 0)
        abort();
    /* A valid configuration resolves the chain of every identity it does not refuse. */
    for (size_t i = 0; i < cfg->nidentities; i++) {
        const struct atmos_identity *id = &cfg->identities[i];
        struct atmos_chain ch;
        if (id->problem) {
            if (id->problem[0] == '\0')
                abort();
            continue;
        }
        err.msg[0] = '\0';
        if (atmos_chain_resolve(cfg, id->name, &ch, &err) != ATMOS_OK) {
            fprintf(stderr, "identity %s: %s\n", id->name, err.msg);
            abort();
        }
        atmos_chain_free(&ch);
    }
    atmos_config_free(cfg);
    return 0;
}

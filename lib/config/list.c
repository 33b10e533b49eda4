/*
 * Listing the files a load reads from a directory: atmos.d/ and .atmos.d/
 * (every *.yaml below), a profile's directory, an import's glob
 * (cloudposse/atmos pkg/config/load.go, imports.go: doublestar patterns,
 * sorted by depth, foo.yaml before foo.yml).
 *
 * MUST: the directory is opened as the files are (atmos_config_open_dir: as
 * root, root's alone, no symbolic link on the way); as root nothing below it
 * is followed through a link; the depth and the entries walked are bounded,
 * per listing and for the whole load; a name a pattern takes that cannot be
 * read is named in a warning.
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "config/load.h"

static int depth_of(const char *p)
{
    int d = 0;
    for (; *p; p++)
        d += *p == '/';
    return d;
}

/* atmos's sortFilesByDepth: fewer components first, then byte order. */
static int by_depth(const void *a, const void *b)
{
    const char *x = *(char *const *)a, *y = *(char *const *)b;
    int dx = depth_of(x), dy = depth_of(y);
    return dx != dy ? (dx < dy ? -1 : 1) : strcmp(x, y);
}

/* Where foo.yaml and foo.yml are in one directory, foo.yaml (detectPriorityFiles). */
static void drop_yml_twins(struct found *f)
{
    size_t k = 0;
    for (size_t i = 0; i < f->n; i++) {
        size_t len = strlen(f->v[i]);
        int twin = 0;
        if (len > 4 && strcmp(f->v[i] + len - 4, ".yml") == 0)
            for (size_t j = 0; j < f->n && !twin; j++)
                twin = strlen(f->v[j]) == len + 1 && strncmp(f->v[j], f->v[i], len - 3) == 0 &&
                       strcmp(f->v[j] + len - 3, "yaml") == 0;
        if (twin)
            free(f->v[i]);
        else
            f->v[k++] = f->v[i];
    }
    f->n = k;
}

#define MAX_PAT_SEGS                                                                               \
    128 /* more, after "**" runs are merged, cannot match MAX_GLOB_DEPTH levels                    \
         */

/* One segment of each (no '/'), with * ? [..]. */
static int match_seg(const char *p, size_t pl, const char *r, size_t rl)
{
    char ps[256], rs[256];
    if (pl >= sizeof(ps) || rl >= sizeof(rs))
        return 0;
    memcpy(ps, p, pl);
    ps[pl] = '\0';
    memcpy(rs, r, rl);
    rs[rl] = '\0';
    return fnmatch(ps, rs, 0) == 0;
}

/*
 * Does `rel` (a/b/c.yaml) match `pat` (segments with * ? [..] and **)?  A "**"
 * stands for no segment or more, leaving at least one of what remains of rel.
 * Segment by segment over a table, not by backtracking, which took time
 * exponential in the number of "**" ("**" ten times over a tree 16 deep: minutes).
 */
static int match_path(const char *pat, const char *rel)
{
    const char *ps[MAX_PAT_SEGS], *rs[MAX_GLOB_DEPTH + 2];
    size_t pl[MAX_PAT_SEGS], rl[MAX_GLOB_DEPTH + 2], np = 0, nr = 0;
    for (const char *p = pat; *p;) {
        size_t n = strcspn(p, "/");
        int star2 = n == 2 && p[0] == '*' && p[1] == '*';
        if (!(star2 && np && pl[np - 1] == 2 && ps[np - 1][0] == '*' && ps[np - 1][1] == '*')) {
            if (np == MAX_PAT_SEGS)
                return 0;
            ps[np] = p, pl[np++] = n;
        }
        p += n + (p[n] == '/');
    }
    for (const char *r = rel; *r;) {
        size_t n = strcspn(r, "/");
        if (nr == MAX_GLOB_DEPTH + 2)
            return 0;
        rs[nr] = r, rl[nr++] = n;
        r += n + (r[n] == '/');
    }
    /* m[i][j]: the segments of pat from i match those of rel from j. */
    unsigned char m[MAX_PAT_SEGS + 1][MAX_GLOB_DEPTH + 3];
    for (size_t j = 0; j <= nr; j++)
        m[np][j] = j == nr;
    for (size_t i = np; i-- > 0;)
        for (size_t j = nr + 1; j-- > 0;) {
            if (pl[i] == 2 && ps[i][0] == '*' && ps[i][1] == '*' && i + 1 == np)
                m[i][j] = j < nr; /* a trailing "**": everything below (doublestar) */
            else if (pl[i] == 2 && ps[i][0] == '*' && ps[i][1] == '*')
                m[i][j] = m[i + 1][j] || (j + 1 < nr && m[i][j + 1]);
            else
                m[i][j] = j < nr && m[i + 1][j + 1] && match_seg(ps[i], pl[i], rs[j], rl[j]);
        }
    return m[0][0];
}

/* Each listing is bounded, and so is their number times their size (an import list of
 * 200,000 times one glob over a big tree is one small file): 1 when this one must stop. */
static int spent(struct loader *L, struct found *out, const char *dir)
{
    if (++out->seen > MAX_GLOB_ENTRIES)
        return 1;
    if (++L->walked <= MAX_LOAD_ENTRIES)
        return 0;
    if (L->walked == MAX_LOAD_ENTRIES + 1)
        atmos_log(L->lg, ATMOS_LOG_WARN,
                  "more than %u directory entries walked in this load: %s and the "
                  "listings after it are not looked at",
                  MAX_LOAD_ENTRIES, dir);
    L->walked = MAX_LOAD_ENTRIES + 2;
    return 1;
}

/* A directory below, to list; -1 when not.  As root it is listed only when it is root's
 * alone, as the directory listed first is (atmos_config_open_dir): not a user's tree. */
static int open_below(int dfd, const char *name, int nofollow)
{
    struct stat st;
    int sub = openat(dfd, name, O_RDONLY | O_DIRECTORY | O_CLOEXEC | nofollow);
    if (sub >= 0 && nofollow &&
        (fstat(sub, &st) != 0 || st.st_uid != 0 || (st.st_mode & (S_IWGRP | S_IWOTH)))) {
        close(sub);
        sub = -1;
    }
    return sub;
}

static int walk(struct loader *L, int dfd, const char *dir, const char *rel, const char *pat,
                int depth, struct found *out)
{
    /* As root no symbolic link is followed (the files are checked again on open). */
    int nofollow = geteuid() == 0 ? O_NOFOLLOW : 0;
    DIR *d = fdopendir(dfd);
    int rc = ATMOS_OK;
    if (d == NULL) {
        close(dfd);
        return ATMOS_OK;
    }
    for (struct dirent *e; rc == ATMOS_OK && (e = readdir(d)) != NULL;) {
        if (strcmp(e->d_name, ".") == 0 || strcmp(e->d_name, "..") == 0)
            continue;
        if (spent(L, out, dir))
            break;
        char *r = *rel ? atmos_strfmt("%s/%s", rel, e->d_name) : strdup(e->d_name);
        struct stat st;
        if (r == NULL) {
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
        } else if (fstatat(dirfd(d), e->d_name, &st, nofollow ? AT_SYMLINK_NOFOLLOW : 0) != 0) {
            /* gone, or a dangling link: nothing to read */
        } else if (S_ISDIR(st.st_mode) && depth < MAX_GLOB_DEPTH) {
            int sub = open_below(dirfd(d), e->d_name, nofollow);
            if (sub >= 0)
                rc = walk(L, sub, dir, r, pat, depth + 1, out);
        } else if (S_ISREG(st.st_mode) && match_path(pat, r)) {
            char *full = atmos_path_join(dir, r);
            if (full == NULL || atmos_strv_push(&out->v, &out->n, full) != 0)
                rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
            free(full);
        } else if (!S_ISDIR(st.st_mode) && match_path(pat, r)) {
            /* A name the pattern takes that cannot be read: said, not passed over in silence. */
            atmos_log(L->lg, ATMOS_LOG_WARN, "%s/%s: %s: not read", dir, r,
                      S_ISLNK(st.st_mode) ? "a symbolic link, not followed as root"
                                          : "not a regular file");
        }
        free(r);
    }
    closedir(d);
    return rc;
}

int atmos_config_list_matching(struct loader *L, const char *dir, const char *pat,
                               struct found *out)
{
    int fd;
    int rc = atmos_config_open_dir(dir, &L->trust, &fd, L->err);
    if (rc == ATMOS_ENOCONFIG) {
        out->absent = 1;
        return ATMOS_OK;
    }
    if (rc == ATMOS_EREFUSED) {
        warn(L, L->err->msg);
        out->refused = 1;
        return ATMOS_OK;
    }
    if (rc != ATMOS_OK)
        return rc;
    if ((rc = walk(L, fd, dir, "", pat, 0, out)) != ATMOS_OK)
        return rc;
    if (out->seen > MAX_GLOB_ENTRIES)
        atmos_log(L->lg, ATMOS_LOG_WARN, "%s: more than %u entries: the rest not looked at", dir,
                  MAX_GLOB_ENTRIES);
    drop_yml_twins(out);
    if (out->n)
        qsort(out->v, out->n, sizeof(*out->v), by_depth);
    return ATMOS_OK;
}

int atmos_config_list_yaml(struct loader *L, const char *dir, struct found *out)
{
    struct found yml = {0};
    int rc = atmos_config_list_matching(L, dir, "**/*.yaml", out);
    if (rc == ATMOS_OK && !out->refused && !out->absent) /* refused: said once */
        rc = atmos_config_list_matching(L, dir, "**/*.yml", &yml);
    for (size_t i = 0; rc == ATMOS_OK && i < yml.n; i++)
        if (atmos_strv_push(&out->v, &out->n, yml.v[i]) != 0)
            rc = atmos_fail(L->err, ATMOS_ENOMEM, "out of memory");
    atmos_strv_free(yml.v, yml.n);
    if (rc == ATMOS_OK && out->n) {
        drop_yml_twins(out);
        qsort(out->v, out->n, sizeof(*out->v), by_depth);
    }
    return rc;
}

/*
 * "What am I logged into?" (atmos-logout --status): a plan probed as a dry
 * run, then, for each item present, when it expires, read where its cloud
 * says (the `expiries` table of each lib/cloud_*.c, lib/clouds/expiry.h).  This
 * file knows formats (atmos's INI comment, a JSON time), never a cloud.
 *
 * MUST, as everything that reads a user's files:
 *  1. change nothing: the plan is executed as a dry run (keychain entries and
 *     sign-outs left alone), and everything here is a read;
 *  2. never follow a symlink or read another user's file: every file and
 *     directory goes through safefs (descriptor walks from the home,
 *     O_NOFOLLOW, the owner checked); a "*" walks entries that are
 *     directories by lstat, never a link;
 *  3. copy nothing out of a file but a time: a buffer a file was read into is
 *     wiped when freed (atmos_buf_free), an INI file's option lines are never
 *     looked into, and no message holds a file's contents.
 */
#include <dirent.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atmos/status.h>
#include <json-c/json.h>

#include "clouds/cloud.h"
#include "base/limits.h"
#include "formats/ini.h"
#include "base/strings.h"
#include "fs/safefs.h"

/* Entries of one "*" looked into. */
#define STATUS_MAX_ENTRIES 1000

/* What the files of one item (or of one identity in them) said. */
struct times {
    int files;        /* files read */
    int untimed;      /* credentials in them with no time written */
    int have;         /* `latest` holds a time */
    long long latest; /* the latest time written */
    int failed;       /* a file could not be read: `why` */
    struct atmos_err why;
};

/*
 * A directory's files hold several identities' credentials (the sections of
 * a provider directory's credentials file, the "*" of GCP's adc/<identity>/):
 * each is a unit of its own, shown by name.
 */
struct unit {
    char *name; /* the section, or the entry "*" stood for */
    char *path; /* the file it was read from */
    struct times t;
};

struct judging {
    const struct atmos_fs *fs;
    const struct atmos_expiry *e;
    const struct atmos_item *it;
    int split; /* one unit per section or per "*" entry */
    struct times all;
    struct unit *u;
    size_t nu, cap;
    int oom;
};

/* A new unit `name` (len bytes) of `path`; NULL out of memory.  A section written twice is
 * two units, each shown: no search, so 10,000 identities cost 10,000 steps. */
static struct times *unit_of(struct judging *j, const char *name, size_t len, const char *path)
{
    if (j->nu == j->cap) {
        size_t cap = j->cap ? j->cap * 2 : 8;
        struct unit *v = realloc(j->u, cap * sizeof(*v));
        if (v == NULL) {
            j->oom = 1;
            return NULL;
        }
        j->u = v;
        j->cap = cap;
    }
    struct unit *u = &j->u[j->nu];
    *u = (struct unit){.name = strndup(name, len), .path = strdup(path)};
    if (u->name == NULL || u->path == NULL) {
        free(u->name);
        free(u->path);
        j->oom = 1;
        return NULL;
    }
    j->nu++;
    return &u->t;
}

static void note_time(struct times *t, long long v)
{
    if (!t->have || v > t->latest)
        t->latest = v;
    t->have = 1;
}

static int digits(const char *s, int n, int *out)
{
    int v = 0;
    for (int i = 0; i < n; i++) {
        if (s[i] < '0' || s[i] > '9')
            return ATMOS_EINVAL;
        v = v * 10 + (s[i] - '0');
    }
    *out = v;
    return 0;
}

/* Days since 1970-01-01 of a proleptic Gregorian date (no timegm, no TZ). */
static long long days_from_civil(int y, int m, int d)
{
    y -= m <= 2;
    long long era = (y >= 0 ? y : y - 399) / 400;
    long long yoe = y - era * 400;
    long long doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
    long long doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    return era * 146097 + doe - 719468;
}

/*
 * RFC 3339 as the writers spell it: Go's time.Time (fractions, an offset),
 * botocore ("Z", "+00:00"), the AWS CLI v1's "UTC" suffix.
 */
int atmos_time_parse(const char *s, long long *out)
{
    int y, mo, d, h, mi, sec;
    if (s == NULL || strlen(s) < 19 || digits(s, 4, &y) || s[4] != '-' ||
        digits(s + 5, 2, &mo) || s[7] != '-' || digits(s + 8, 2, &d) ||
        (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || digits(s + 11, 2, &h) ||
        s[13] != ':' || digits(s + 14, 2, &mi) || s[16] != ':' || digits(s + 17, 2, &sec))
        return ATMOS_EINVAL;
    const char *p = s + 19;
    long long off = 0;
    if (*p == '.' || *p == ',') {
        if (p[1] < '0' || p[1] > '9')
            return ATMOS_EINVAL;
        for (p++; *p >= '0' && *p <= '9'; p++)
            ;
    }
    if (*p == 'Z' || *p == 'z') {
        p++;
    } else if (*p == '+' || *p == '-') {
        int oh, om;
        const char *q = p + 3;
        if (digits(p + 1, 2, &oh))
            return ATMOS_EINVAL;
        q += *q == ':';
        if (digits(q, 2, &om) || oh > 23 || om > 59)
            return ATMOS_EINVAL;
        off = (long long)(oh * 60 + om) * 60 * (*p == '-' ? -1 : 1);
        p = q + 2;
    } else if (strcmp(p, "UTC") == 0 || strcmp(p, " UTC") == 0) {
        p += strlen(p);
    }
    if (*p != '\0' || mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || sec > 60)
        return ATMOS_EINVAL;
    *out = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + sec - off;
    return 0;
}

/* The time at e->keys under o, into *v. */
static int json_time(json_object *o, const struct atmos_expiry *e, long long *v)
{
    for (const char *const *k = e->keys; k && *k; k++)
        if (!json_object_is_type(o, json_type_object) || !json_object_object_get_ex(o, *k, &o))
            return ATMOS_EINVAL;
    if (e->unix_time && json_object_is_type(o, json_type_int)) {
        *v = (long long)json_object_get_int64(o);
        return 0;
    }
    if (!json_object_is_type(o, json_type_string))
        return ATMOS_EINVAL;
    const char *s = json_object_get_string(o);
    if (!e->unix_time)
        return atmos_time_parse(s, v);
    /* MSAL's "expires_on": seconds, as a string of digits. */
    size_t n = strlen(s);
    if (n == 0 || n > 12 || strspn(s, "0123456789") != n)
        return ATMOS_EINVAL;
    *v = strtoll(s, NULL, 10);
    return 0;
}

static void json_member(json_object *m, const struct atmos_expiry *e, struct times *t)
{
    long long v;
    if (json_time(m, e, &v) == 0)
        note_time(t, v);
    else
        t->untimed++;
}

/* The times of a JSON file; for an item of another tool's entries, its entries only. */
static void read_json(const char *data, size_t len, const struct atmos_expiry *e,
                      const struct atmos_item *it, struct times *t)
{
    size_t skip = len >= 3 && memcmp(data, "\xef\xbb\xbf", 3) == 0 ? 3 : 0;
    json_tokener *tok = json_tokener_new();
    json_object *root = tok ? json_tokener_parse_ex(tok, data + skip, (int)(len - skip)) : NULL;
    json_object *c = NULL;
    if (tok == NULL || json_tokener_get_error(tok) != json_tokener_success ||
        !json_object_is_type(root, json_type_object)) {
        t->untimed++; /* present, and no time to be read from it */
    } else if (e->each == NULL) {
        json_member(root, e, t);
    } else if (!json_object_object_get_ex(root, e->each, &c)) {
        /* no such member: nothing of this kind in the file */
    } else if (json_object_is_type(c, json_type_array)) {
        for (size_t i = 0; i < json_object_array_length(c); i++)
            json_member(json_object_array_get_idx(c, i), e, t);
    } else if (json_object_is_type(c, json_type_object)) {
        const struct atmos_json_rule *rule =
            it->kind == ATMOS_ITEM_JSON_ENTRIES ? it->u.json.rule : NULL;
        json_object_object_foreach(c, key, val)
        {
            /* The entries the logout would remove: matched as the rule matches them. */
            if (rule && rule->match &&
                !rule->match((const char *const *)it->u.json.ids, key, strlen(key), val))
                continue;
            json_member(val, e, t);
        }
    }
    json_object_put(root);
    if (tok)
        json_tokener_free(tok);
}

/* Reading an INI file for atmos's "; atmos: expiration=" above its sections. */
struct ini_read {
    const char *in;
    const char *section; /* NULL: every section but [DEFAULT] */
    enum atmos_ini_flavor flavor;
    char pending[64]; /* the time of the comment directly above, or "" */
    struct times *t;
    struct judging *j; /* split: each section a unit of its own */
    const char *path;
};

static void ini_line(void *ctx, size_t off, size_t n, enum atmos_ini_line kind, const char *name,
                     size_t name_len)
{
    static const char mark[] = "; atmos: expiration=";
    struct ini_read *r = ctx;
    if (kind == ATMOS_INI_COMMENT) {
        const char *p = r->in + off;
        if (off == 0) {
            size_t bom = atmos_bom_len(p, n);
            p += bom, n -= bom;
        }
        while (n > 0 && (*p == ' ' || *p == '\t'))
            p++, n--;
        if (n < sizeof(mark) - 1 || memcmp(p, mark, sizeof(mark) - 1) != 0)
            return;
        p += sizeof(mark) - 1, n -= sizeof(mark) - 1;
        size_t k = 0;
        while (k < n && k + 1 < sizeof(r->pending) && p[k] != '\n' && p[k] != '\r' &&
               p[k] != ' ' && p[k] != '\t')
            k++;
        memcpy(r->pending, p, k);
        r->pending[k] = '\0';
        return;
    }
    if (kind == ATMOS_INI_BLANK)
        return;
    if (kind == ATMOS_INI_HEADER) {
        int is_default = name_len == 7 && memcmp(name, "DEFAULT", 7) == 0;
        int ours = r->section ? atmos_ini_header_matches(name, name_len, r->flavor, r->section)
                              : !is_default;
        long long v;
        struct times *t = ours && r->j ? unit_of(r->j, name, name_len, r->path) : r->t;
        if (ours && t && r->pending[0] && atmos_time_parse(r->pending, &v) == 0)
            note_time(t, v);
        else if (ours && t)
            t->untimed++;
        if (ours && t && r->j)
            t->files = 1;
    }
    r->pending[0] = '\0'; /* a comment belongs to the header right below it */
}

/* One file's times (`star`: the entry a "*" stood for, or NULL); an absent file adds nothing. */
static void read_one(struct judging *j, const char *path, const char *star)
{
    const struct atmos_expiry *e = j->e;
    const struct atmos_item *it = j->it;
    struct atmos_buf buf = {0};
    struct atmos_err why;
    struct stat st;
    const char *leaf;
    int dfd = -1;
    int rc = atmos_fs_open_parent(j->fs, path, &dfd, &leaf, &why);
    if (rc == ATMOS_OK)
        rc = atmos_fs_read(j->fs, dfd, leaf, path, ATMOS_CACHE_MAX_BYTES, &buf, &st, &why);
    if (rc == ATMOS_ESYS && !j->all.failed) {
        j->all.failed = 1;
        j->all.why = why;
    }
    if (rc == ATMOS_OK) {
        j->all.files++;
        if (e->format == ATMOS_EXPIRY_INI) {
            int section = it->kind == ATMOS_ITEM_INI_SECTION && e->file == NULL;
            struct ini_read r = {.in = buf.data ? buf.data : "",
                                 .section = section ? it->u.section.name : NULL,
                                 .flavor = section ? it->u.section.flavor : ATMOS_INI_CREDENTIALS,
                                 .pending = "",
                                 .t = &j->all,
                                 .j = j->split && !section ? j : NULL,
                                 .path = path};
            atmos_ini_scan(r.in, buf.len, ini_line, &r);
        } else {
            struct times *t = j->split && star ? unit_of(j, star, strlen(star), path) : &j->all;
            if (t) {
                t->files++;
                read_json(buf.data ? buf.data : "", buf.len, e, it, t);
            }
        }
    }
    atmos_buf_free(&buf); /* wiped: it held the file's secrets too */
    if (dfd >= 0)
        close(dfd);
}

/* `path` with a component "*": every directory there, by lstat (a link is never followed). */
static int read_path(struct judging *j, const char *path, const char *star_name)
{
    const char *star = strstr(path, "/*");
    if (star == NULL || (star[2] != '/' && star[2] != '\0')) {
        read_one(j, path, star_name);
        return j->oom ? ATMOS_ENOMEM : ATMOS_OK;
    }
    char *dir = strndup(path, (size_t)(star - path));
    const char *rest = star + 2;
    struct atmos_err why;
    int fd = -1, rc = 0;
    if (dir == NULL)
        return ATMOS_ENOMEM;
    int r = atmos_fs_open_dir(j->fs, dir, &fd, &why);
    if (r == ATMOS_ESYS && !j->all.failed) {
        j->all.failed = 1;
        j->all.why = why;
    }
    int dup_fd = fd >= 0 ? dup(fd) : -1;
    DIR *d = dup_fd >= 0 ? fdopendir(dup_fd) : NULL;
    if (d == NULL && dup_fd >= 0)
        close(dup_fd);
    struct dirent *de;
    size_t seen = 0;
    while (d && rc == 0 && seen < STATUS_MAX_ENTRIES && (de = readdir(d)) != NULL) {
        struct stat st;
        if (de->d_name[0] == '.' || fstatat(fd, de->d_name, &st, AT_SYMLINK_NOFOLLOW) != 0 ||
            !S_ISDIR(st.st_mode))
            continue;
        seen++;
        char *sub = atmos_strfmt("%s/%s%s", dir, de->d_name, rest);
        rc = sub ? read_path(j, sub, star_name ? star_name : de->d_name) : ATMOS_ENOMEM;
        free(sub);
    }
    if (d)
        closedir(d);
    if (fd >= 0)
        close(fd);
    free(dir);
    return rc;
}

/* The expiry the item's cloud declares for its label, or NULL. */
static const struct atmos_expiry *expiry_of(const struct atmos_item *it)
{
    for (const struct atmos_cloud *const *cl = atmos_clouds; *cl; cl++) {
        if (it->cloud == NULL || strcmp((*cl)->name, it->cloud) != 0 || (*cl)->expiries == NULL)
            continue;
        for (const struct atmos_expiry *e = (*cl)->expiries; e->label; e++)
            if (it->label && strcmp(e->label, it->label) == 0)
                return e;
    }
    return NULL;
}

/* The state `t` says, as of `now`. */
static void settle(struct atmos_status_entry *out, const struct times *t, long long now)
{
    out->has_expiry = t->have;
    out->expires = t->latest;
    if (t->have && t->latest > now)
        out->state = ATMOS_STATE_LIVE;
    else if (t->failed)
        out->state = ATMOS_STATE_UNCHECKED;
    else if (t->untimed)
        out->state = ATMOS_STATE_NO_EXPIRY;
    else if (t->have)
        out->state = ATMOS_STATE_EXPIRED;
    else if (t->files)
        out->state = ATMOS_STATE_NO_EXPIRY; /* read, and no time of a credential in it */
    else
        out->state = ATMOS_STATE_NO_CREDENTIAL; /* no file that holds a credential */
}

/* Room for one more entry; NULL out of memory. */
static struct atmos_status_entry *next_entry(struct atmos_status_view *st, size_t *cap)
{
    if (st->n == *cap) {
        size_t ncap = *cap ? *cap * 2 : 16;
        struct atmos_status_entry *v = realloc(st->v, ncap * sizeof(*v));
        if (v == NULL)
            return NULL;
        st->v = v;
        *cap = ncap;
    }
    memset(&st->v[st->n], 0, sizeof(st->v[st->n]));
    return &st->v[st->n];
}

static void add_entry(struct atmos_status_view *st)
{
    st->count[st->v[st->n].state]++;
    st->n++;
}

/*
 * When a present item expires, as its cloud declares: one entry, or one per
 * identity its files hold.  ATMOS_OK, or ATMOS_ENOMEM.
 */
static int judge_files(struct atmos_status_view *st, size_t *cap, const struct atmos_fs *fs,
                       const struct atmos_item *it, const struct atmos_expiry *e);

static int judge(struct atmos_status_view *st, size_t *cap, const struct atmos_fs *fs,
                 const struct atmos_item *it)
{
    const struct atmos_expiry *e = expiry_of(it);
    if (e && e->format != ATMOS_EXPIRY_NOT_WRITTEN && e->format != ATMOS_EXPIRY_NONE)
        return judge_files(st, cap, fs, it, e);
    struct atmos_status_entry *out = next_entry(st, cap);
    if (out == NULL)
        return ATMOS_ENOMEM;
    out->item = it;
    if (e == NULL) {
        out->state = ATMOS_STATE_UNCHECKED;
        out->error = atmos_strfmt("%s: no expiry is declared for it (cloud %s)", it->label,
                                  it->cloud ? it->cloud : "none");
        if (out->error == NULL)
            return ATMOS_ENOMEM;
    } else {
        out->state = e->format == ATMOS_EXPIRY_NONE ? ATMOS_STATE_NO_CREDENTIAL
                                                    : ATMOS_STATE_NO_EXPIRY;
    }
    add_entry(st);
    return ATMOS_OK;
}

/* The times its files hold: one entry per identity found, else one for the item. */
static int judge_files(struct atmos_status_view *st, size_t *cap, const struct atmos_fs *fs,
                       const struct atmos_item *it, const struct atmos_expiry *e)
{
    struct atmos_status_entry *out;
    char *path = NULL;
    if (e->file == NULL) {
        path = strdup(it->path);
    } else if (it->kind == ATMOS_ITEM_DIRECTORY) {
        path = atmos_path_join(it->path, e->file);
    } else {
        const char *slash = strrchr(it->path, '/');
        path = atmos_strfmt("%.*s/%s", (int)(slash - it->path), it->path, e->file);
    }
    /* Several identities' files under one directory: each said on its own. */
    int star = e->file && (strstr(e->file, "/*") || strncmp(e->file, "*/", 2) == 0);
    struct judging j = {.fs = fs,
                        .e = e,
                        .it = it,
                        .split = it->kind == ATMOS_ITEM_DIRECTORY &&
                                 (e->format == ATMOS_EXPIRY_INI || star)};
    int rc = path ? read_path(&j, path, NULL) : ATMOS_ENOMEM;
    free(path);
    for (size_t u = 0; rc == 0 && u < j.nu; u++) {
        if ((out = next_entry(st, cap)) == NULL) {
            rc = ATMOS_ENOMEM;
            break;
        }
        out->item = it;
        out->field = e->field;
        out->name = j.u[u].name;
        out->path = j.u[u].path;
        j.u[u].name = j.u[u].path = NULL;
        settle(out, &j.u[u].t, st->now);
        add_entry(st);
    }
    if (rc == 0 && (j.nu == 0 || j.all.failed)) {
        /* No identity found in it (or a file that could not be read): the item itself. */
        if ((out = next_entry(st, cap)) == NULL) {
            rc = ATMOS_ENOMEM;
        } else {
            out->item = it;
            out->field = e->field;
            settle(out, &j.all, st->now);
            if (j.nu)
                out->state = ATMOS_STATE_UNCHECKED;
            if (out->state == ATMOS_STATE_UNCHECKED && (out->error = strdup(j.all.why.msg)) == NULL)
                rc = ATMOS_ENOMEM;
            else
                add_entry(st);
        }
    }
    for (size_t u = 0; u < j.nu; u++) {
        free(j.u[u].name);
        free(j.u[u].path);
    }
    free(j.u);
    return rc;
}

/* A directory the dry run could not remove whole (it keeps a user's file) is still there. */
static int dir_present(const struct atmos_fs *fs, const struct atmos_item *it)
{
    struct atmos_err why;
    int fd = -1;
    int rc = it->kind == ATMOS_ITEM_DIRECTORY ? atmos_fs_open_dir(fs, it->path, &fd, &why)
                                              : ATMOS_ABSENT;
    if (fd >= 0)
        close(fd);
    return rc == ATMOS_OK;
}

static int left_alone(const struct atmos_item *it)
{
    return it->kind == ATMOS_ITEM_KEYRING || it->kind == ATMOS_ITEM_SIGNOUT;
}

int atmos_status_probe(struct atmos_status_view *st, struct atmos_plan *plan, long long now,
                       const struct atmos_logger *lg)
{
    size_t cap = 0;
    memset(st, 0, sizeof(*st));
    st->now = now;
    /* Keychain entries are long-lived logins, not session data on disk (and asking the
     * Secret Service costs seconds); sign-outs are a logout's, never a status's. */
    for (size_t i = 0; i < plan->nitems; i++)
        if (left_alone(&plan->items[i]))
            plan->items[i].skip = 1;
    struct atmos_exec_opts dry = {.dry_run = 1, .log = lg};
    atmos_plan_execute(plan, &dry);
    struct atmos_fs fs = {plan->home, geteuid(), NULL};
    for (size_t i = 0; i < plan->nitems; i++) {
        const struct atmos_item *it = &plan->items[i];
        if (left_alone(it) || (it->outcome != ATMOS_OUTCOME_WOULD_REMOVE &&
                               it->outcome != ATMOS_OUTCOME_FAILED))
            continue;
        if (it->outcome == ATMOS_OUTCOME_WOULD_REMOVE || dir_present(&fs, it)) {
            if (judge(st, &cap, &fs, it) != 0)
                return ATMOS_ENOMEM;
            continue;
        }
        struct atmos_status_entry *out = next_entry(st, &cap);
        if (out == NULL)
            return ATMOS_ENOMEM;
        out->item = it;
        out->state = ATMOS_STATE_UNCHECKED;
        out->error = it->kind == ATMOS_ITEM_UNKNOWN
                         ? atmos_strfmt("%s %s: atmos-logout does not know what its logins "
                                        "leave, so it could not be checked",
                                        it->label, it->u.unknown.what ? it->u.unknown.what : "")
                         : strdup(it->error ? it->error : "could not be checked");
        if (out->error == NULL)
            return ATMOS_ENOMEM;
        add_entry(st);
    }
    return 0;
}

void atmos_status_free(struct atmos_status_view *st)
{
    for (size_t i = 0; st->v && i < st->n; i++) {
        free(st->v[i].error);
        free(st->v[i].name);
        free(st->v[i].path);
    }
    free(st->v);
    memset(st, 0, sizeof(*st));
}
const char *atmos_state_name(enum atmos_state s)
{
    static const char *const names[ATMOS_STATES] = {"live", "no_expiry", "expired",
                                                    "no_credential", "not_checked"};
    return (unsigned)s < ATMOS_STATES ? names[s] : "unknown";
}

int atmos_status_exit(const struct atmos_status_view *st)
{
    if (st->count[ATMOS_STATE_LIVE] || st->count[ATMOS_STATE_NO_EXPIRY])
        return 1;
    return st->count[ATMOS_STATE_UNCHECKED] ? 2 : 0;
}

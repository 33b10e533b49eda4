/*
 * Run the module's cases over the fake libpam (tests/fakepam/README.md has
 * the case language): pam_atmos's sources linked here, as any user, with
 * what it logs matched line by line against the case.
 *
 *   runner HELPER CASE...
 *
 * HELPER is the test helper (tests/fakepam/helper.c); each case gets a
 * fresh directory with a copy of it.  Prints "ok - NAME" or "not ok - NAME"
 * per case, with the reasons as "#   " lines (tests/run.sh counts them).
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <regex.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <security/pam_modules.h>

#include "../../pam_atmos/hostroot.h"
#include "../../pam_atmos/options.h"
#include "../../pam_atmos/records.h"
#include "fakepam.h"

#define MAX_EXPECT 256
#define MAX_ARGS 64
#define MAX_KIDS 16

static uid_t runner_uid;        /* who stands in for root */
static char tmp[128];           /* this case's directory */

uid_t pa_fake_root(void)
{
    return runner_uid;
}

/* The host's session files (logind, utmp, the journal) are the case's, under @TMP@/host. */
const char *pa_fake_path(const char *path)
{
    static char buf[4096];
    snprintf(buf, sizeof(buf), "%s/host%s", tmp, path);
    return buf;
}

struct kase {
    const char *file;
    int lineno;
    int failed;
    const char *skipped; /* why the rest of the case did not run, or NULL */
    pam_handle_t h;
    char *args[MAX_ARGS];
    int nargs;
    struct pa_opts opts; /* of the last parse */
    int parsed;
    int mark; /* the first of the last call's lines */
    int called;
    char *expect[MAX_EXPECT];
    int nexpect;
    pid_t kids[MAX_KIDS];
    int nkids;
};

static void fail(struct kase *k, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void fail(struct kase *k, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    printf("#   %s:%d: ", k->file, k->lineno);
    vprintf(fmt, ap);
    printf("\n");
    va_end(ap);
    k->failed = 1;
}

/* s with @TMP@, @STATE@, @HELPER@, @UID@ and @USER@ replaced; to free. */
static char *expand(const struct kase *k, const char *s)
{
    char uid[24];
    snprintf(uid, sizeof(uid), "%lu", (unsigned long)k->h.pw.pw_uid);
    const char *from[] = {"@TMP@", "@STATE@", "@HELPER@", "@UID@", "@USER@"};
    char state[160], helper[160];
    snprintf(state, sizeof(state), "%s/state", tmp);
    snprintf(helper, sizeof(helper), "%s/bin/helper", tmp);
    const char *to[] = {tmp, state, helper, uid, k->h.user ? k->h.user : ""};
    size_t cap = strlen(s) * 8 + 256, o = 0;
    char *out = malloc(cap);
    while (*s) {
        size_t i;
        for (i = 0; i < 5; i++)
            if (strncmp(s, from[i], strlen(from[i])) == 0)
                break;
        if (i < 5) {
            size_t n = strlen(to[i]);
            memcpy(out + o, to[i], n);
            o += n;
            s += strlen(from[i]);
        } else {
            out[o++] = *s++;
        }
    }
    out[o] = '\0';
    return out;
}

/* The last call's lines against the case's "log" lines: all of them, in order. */
static void settle(struct kase *k)
{
    if (!k->called && k->nexpect == 0)
        return;
    int got = k->h.nlines - k->mark, bad = got != k->nexpect;
    for (int i = 0; !bad && i < got; i++) {
        regex_t re;
        char *pat = NULL;
        if (asprintf(&pat, "^(%s)$", k->expect[i]) < 0 || regcomp(&re, pat, REG_EXTENDED | REG_NOSUB)) {
            fail(k, "bad pattern: %s", k->expect[i]);
            free(pat);
            return;
        }
        bad = regexec(&re, k->h.lines[k->mark + i], 0, NULL, 0) != 0;
        if (bad)
            fail(k, "line %d of the output does not match: %s", i + 1, k->expect[i]);
        regfree(&re);
        free(pat);
    }
    if (got != k->nexpect)
        fail(k, "%d lines logged, %d expected", got, k->nexpect);
    if (bad) {
        for (int i = 0; i < got; i++)
            printf("#     got: %s\n", k->h.lines[k->mark + i]);
        for (int i = 0; i < k->nexpect; i++)
            printf("#     want: %s\n", k->expect[i]);
    }
    for (int i = 0; i < k->nexpect; i++)
        free(k->expect[i]);
    k->nexpect = 0;
    k->mark = k->h.nlines;
    k->called = 0;
}

static const struct {
    const char *name;
    int rc;
} codes[] = {{"PAM_SUCCESS", PAM_SUCCESS},         {"PAM_IGNORE", PAM_IGNORE},
             {"PAM_SESSION_ERR", PAM_SESSION_ERR}, {"PAM_SYSTEM_ERR", PAM_SYSTEM_ERR},
             {"PAM_USER_UNKNOWN", PAM_USER_UNKNOWN}};

static const char *code_name(int rc)
{
    for (size_t i = 0; i < sizeof(codes) / sizeof(*codes); i++)
        if (codes[i].rc == rc)
            return codes[i].name;
    return "another code";
}

/* A field of struct pa_opts, as text (lists joined with ','). */
static void field(const struct pa_opts *o, const char *name, char *out, size_t len)
{
    const struct {
        const char *name;
        int kind; /* 0 int, 1 unsigned, 2 string */
        const void *p;
    } f[] = {{"config", 2, &o->config},
             {"debug", 0, &o->debug},
             {"dry_run", 0, &o->dry_run},
             {"every_session", 0, &o->every_session},
             {"helper", 2, &o->helper},
             {"keychain", 0, &o->keychain},
             {"maximum_uid", 1, &o->maximum_uid},
             {"memory_limit", 1, &o->memory_limit},
             {"minimum_uid", 1, &o->minimum_uid},
             {"network_home", 0, &o->network_home},
             {"quiet", 0, &o->quiet},
             {"revoke", 0, &o->revoke},
             {"revoke_ca_bundle", 2, &o->revoke_ca_bundle},
             {"revoke_endpoint", 2, &o->revoke_endpoint},
             {"revoke_proxy", 2, &o->revoke_proxy},
             {"state_dir", 2, &o->state_dir},
             {"timeout", 1, &o->timeout},
             {"tty_only", 0, &o->tty_only}};
    if (strcmp(name, "identity") == 0 || strcmp(name, "provider") == 0) {
        const char *const *v = name[0] == 'i' ? o->identity : o->provider;
        int n = name[0] == 'i' ? o->nidentity : o->nprovider;
        size_t w = 0;
        out[0] = '\0';
        for (int i = 0; i < n && w < len; i++)
            w += (size_t)snprintf(out + w, len - w, "%s%s", i ? "," : "", v[i]);
        if (n == 0)
            snprintf(out, len, "(none)");
        return;
    }
    for (size_t i = 0; i < sizeof(f) / sizeof(*f); i++) {
        if (strcmp(f[i].name, name) != 0)
            continue;
        if (f[i].kind == 0)
            snprintf(out, len, "%d", *(const int *)f[i].p);
        else if (f[i].kind == 1)
            snprintf(out, len, "%u", *(const unsigned *)f[i].p);
        else
            snprintf(out, len, "%s", *(const char *const *)f[i].p ? *(const char *const *)f[i].p
                                                                  : "(null)");
        return;
    }
    snprintf(out, len, "(no such field)");
}

/* The option table: sorted, and each name found by the module's own lookup. */
static void check_table(struct kase *k)
{
    size_t n = fp_option_count();
    for (size_t i = 1; i < n; i++)
        if (strcmp(fp_option_name(i - 1), fp_option_name(i)) >= 0)
            fail(k, "option table out of order: %s before %s", fp_option_name(i - 1),
                 fp_option_name(i));
    for (size_t i = 0; i < n; i++) {
        const char *argv[] = {fp_option_name(i)};
        int before = k->h.nlines;
        struct pa_opts o;
        pa_opts_parse(&k->h, 1, argv, &o);
        for (int l = before; l < k->h.nlines; l++)
            if (strstr(k->h.lines[l], "unknown option"))
                fail(k, "option %s not found by the lookup", fp_option_name(i));
        char v[64];
        field(&o, fp_option_name(i), v, sizeof(v));
        if (strcmp(v, "(no such field)") == 0)
            fail(k, "option %s: the runner cannot read its field (add it to field())",
                 fp_option_name(i));
    }
    k->mark = k->h.nlines; /* the lines of these parses are not the case's */
}

static int records(const char *dir)
{
    int n = 0;
    DIR *d = opendir(dir);
    struct dirent *e;
    if (d == NULL)
        return errno == ENOENT ? 0 : -1;
    while ((e = readdir(d)) != NULL) {
        long pid;
        unsigned long long st;
        char c;
        n += sscanf(e->d_name, "%ld.%llu%c", &pid, &st, &c) == 2;
    }
    closedir(d);
    return n;
}

static void record(struct kase *k, const char *what)
{
    char dir[256], path[320];
    snprintf(dir, sizeof(dir), "%s/state", tmp);
    mkdir(dir, 0700);
    snprintf(dir, sizeof(dir), "%s/state/%lu.d", tmp, (unsigned long)k->h.pw.pw_uid);
    mkdir(dir, 0700);
    if (strcmp(what, "live") == 0 || strcmp(what, "stale") == 0) {
        pid_t pid = fork();
        if (pid == 0) {
            if (what[0] == 'l')
                pause();
            _exit(0);
        }
        unsigned long long start = pa_process_start(pid);
        if (what[0] == 's') {
            waitpid(pid, NULL, 0);
            start += 1; /* and should the pid be reused, it would have started later */
        } else if (k->nkids < MAX_KIDS) {
            k->kids[k->nkids++] = pid;
        }
        snprintf(path, sizeof(path), "%s/%ld.%llu", dir, (long)pid, start);
    } else {
        snprintf(path, sizeof(path), "%s/%s", dir, what);
    }
    int fd = open(path, O_WRONLY | O_CREAT | O_CLOEXEC, 0600);
    if (fd < 0)
        fail(k, "cannot make %s: %s", path, strerror(errno));
    else
        close(fd);
}

static void call(struct kase *k, const char *which, char *rest)
{
    char *want = strtok(rest, " \t"), *flag = strtok(NULL, " \t");
    int flags = flag && strcmp(flag, "silent") == 0 ? PAM_SILENT : 0;
    settle(k);
    int rc = which[0] == 'o' ? pam_sm_open_session(&k->h, flags, k->nargs, (const char **)k->args)
                             : pam_sm_close_session(&k->h, flags, k->nargs, (const char **)k->args);
    k->called = 1;
    if (want == NULL || strcmp(want, code_name(rc)) != 0)
        fail(k, "%s_session returned %s, expected %s", which, code_name(rc), want ? want : "?");
}

/* "\n" and "\t" in a file's text or a user's name are a newline and a tab. */
static void unescape(char *s)
{
    char *o = s;
    for (; *s; s++) {
        if (s[0] == '\\' && (s[1] == 'n' || s[1] == 't')) {
            *o++ = s[1] == 'n' ? '\n' : '\t';
            s++;
        } else {
            *o++ = *s;
        }
    }
    *o = '\0';
}

static void unescape(char *s);

static void directive(struct kase *k, char *line)
{
    char *cmd = strtok(line, " \t"), *rest = strtok(NULL, "");
    if (rest == NULL)
        rest = "";
    rest += strspn(rest, " \t");
    if (strcmp(cmd, "user") == 0) {
        char *name = strtok(rest, " \t"), *how = strtok(NULL, " \t"), *uid = strtok(NULL, " \t");
        unescape(name);
        pam_set_item(&k->h, PAM_USER, strcmp(name, "-") == 0 ? NULL : name);
        free(k->h.pw.pw_name);
        k->h.pw.pw_name = strdup(name);
        k->h.has_pw = !(how && strcmp(how, "unknown") == 0);
        if (how && strcmp(how, "uid") == 0 && uid)
            k->h.pw.pw_uid = k->h.pw.pw_gid = (uid_t)strtoul(uid, NULL, 10);
    } else if (strcmp(cmd, "item") == 0) {
        static const struct {
            const char *name;
            int type;
        } items[] = {{"tty", PAM_TTY}, {"rhost", PAM_RHOST}, {"service", PAM_SERVICE},
                     {"xdisplay", PAM_XDISPLAY}};
        char *name = strtok(rest, " \t"), *value = strtok(NULL, "");
        size_t i;
        for (i = 0; i < sizeof(items) / sizeof(*items); i++)
            if (name && strcmp(name, items[i].name) == 0)
                break;
        if (i == sizeof(items) / sizeof(*items))
            fail(k, "unknown item %s", name ? name : "");
        else
            pam_set_item(&k->h, items[i].type, value);
    } else if (strcmp(cmd, "env") == 0) {
        char *nv = expand(k, rest);
        pam_putenv(&k->h, nv);
        free(nv);
    } else if (strcmp(cmd, "options") == 0) {
        for (int i = 0; i < k->nargs; i++)
            free(k->args[i]);
        k->nargs = 0;
        for (char *a = strtok(rest, " \t"); a && k->nargs < MAX_ARGS; a = strtok(NULL, " \t"))
            k->args[k->nargs++] = expand(k, a);
    } else if (strcmp(cmd, "mkdir") == 0 || strcmp(cmd, "chmod") == 0) {
        char *path = strtok(rest, " \t"), *mode = strtok(NULL, " \t");
        char *p = expand(k, path ? path : "");
        mode_t m = (mode_t)strtoul(mode ? mode : "700", NULL, 8);
        if ((cmd[0] == 'm' && mkdir(p, m) != 0) || chmod(p, m) != 0)
            fail(k, "%s %s: %s", cmd, p, strerror(errno));
        free(p);
    } else if (strcmp(cmd, "file") == 0) {
        char *path = strtok(rest, " \t"), *text = strtok(NULL, "");
        char *p = expand(k, path ? path : ""), *t = expand(k, text ? text : "");
        unescape(t);
        FILE *f = fopen(p, "w");
        if (f == NULL || fputs(t, f) < 0 || fclose(f) != 0)
            fail(k, "file %s: %s", p, strerror(errno));
        free(p);
        free(t);
    } else if (strcmp(cmd, "chown") == 0) {
        char *path = strtok(rest, " \t"), *uid = strtok(NULL, " \t");
        char *p = expand(k, path ? path : ""), *u = expand(k, uid ? uid : "");
        /* Not as root, every file the runner makes is its own, and it stands in for root. */
        if (geteuid() != 0)
            k->skipped = "chown needs root (the runner's own files count as root's)";
        else if (chown(p, (uid_t)strtoul(u, NULL, 10), (gid_t)-1) != 0)
            fail(k, "chown %s: %s", p, strerror(errno));
        free(p);
        free(u);
    } else if (strcmp(cmd, "symlink") == 0) {
        char *to = expand(k, strtok(rest, " \t")), *at = expand(k, strtok(NULL, " \t"));
        if (symlink(to, at) != 0)
            fail(k, "symlink %s: %s", at, strerror(errno));
        free(to);
        free(at);
    } else if (strcmp(cmd, "record") == 0) {
        record(k, rest);
    } else if (strcmp(cmd, "records") == 0) {
        char dir[256];
        snprintf(dir, sizeof(dir), "%s/state/%lu.d", tmp, (unsigned long)k->h.pw.pw_uid);
        int n = records(dir);
        if (n != atoi(rest))
            fail(k, "%d session records, expected %s", n, rest);
    } else if (strcmp(cmd, "open") == 0 || strcmp(cmd, "close") == 0) {
        call(k, cmd, rest);
    } else if (strcmp(cmd, "parse") == 0) {
        settle(k);
        pa_opts_parse(&k->h, k->nargs, (const char **)k->args, &k->opts);
        k->parsed = k->called = 1;
    } else if (strcmp(cmd, "parsed") == 0) {
        char *name = strtok(rest, " \t"), *want = strtok(NULL, "");
        char got[512], *w = expand(k, want ? want : "");
        field(&k->opts, name ? name : "", got, sizeof(got));
        if (!k->parsed)
            fail(k, "parsed before parse");
        else if (strcmp(got, w) != 0)
            fail(k, "option %s is %s, expected %s", name, got, w);
        free(w);
    } else if (strcmp(cmd, "log") == 0) {
        if (k->nexpect < MAX_EXPECT)
            k->expect[k->nexpect++] = expand(k, rest);
    } else if (strcmp(cmd, "table") == 0) {
        check_table(k);
    } else {
        fail(k, "unknown directive %s", cmd);
    }
}

static int rm(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
    (void)st;
    (void)ftw;
    if (flag == FTW_DP)
        rmdir(path);
    else
        unlink(path);
    return 0;
}

static int copy(const char *from, const char *to)
{
    char buf[65536];
    int in = open(from, O_RDONLY | O_CLOEXEC), rc = -1;
    int out = open(to, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0755);
    ssize_t n;
    if (in < 0 || out < 0)
        goto done;
    while ((n = read(in, buf, sizeof(buf))) > 0)
        if (write(out, buf, (size_t)n) != n)
            goto done;
    rc = n == 0 && fchmod(out, 0755) == 0 ? 0 : -1;
done:
    if (in >= 0)
        close(in);
    if (out >= 0 && close(out) != 0)
        rc = -1;
    return rc;
}

static void free_handle(pam_handle_t *h)
{
    for (int i = 0; i < h->ndata; i++) {
        if (h->data[i].cleanup)
            h->data[i].cleanup(h, h->data[i].data, PAM_SUCCESS);
        free(h->data[i].name);
    }
    free(h->user);
    free(h->tty);
    free(h->rhost);
    free(h->service);
    free(h->xdisplay);
    free(h->ruser);
    for (int i = 0; h->env[i]; i++)
        free(h->env[i]);
    for (int i = 0; i < h->nlines; i++)
        free(h->lines[i]);
    free(h->pw.pw_name);
    free(h->pw.pw_dir);
}

static int run_case(const char *helper, const char *file)
{
    struct kase k;
    char line[4096], path[256];
    const char *name = strrchr(file, '/') ? strrchr(file, '/') + 1 : file;
    memset(&k, 0, sizeof(k));
    k.file = name;
    snprintf(tmp, sizeof(tmp), "/tmp/fakepam.XXXXXX");
    FILE *f = fopen(file, "r");
    if (f == NULL || mkdtemp(tmp) == NULL || chmod(tmp, 0755) != 0) {
        printf("not ok - %s: cannot set up: %s\n", name, strerror(errno));
        if (f)
            fclose(f);
        return 1;
    }
    snprintf(path, sizeof(path), "%s/bin", tmp);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/home", tmp);
    mkdir(path, 0755);
    snprintf(path, sizeof(path), "%s/bin/helper", tmp);
    if (copy(helper, path) != 0)
        fail(&k, "cannot copy the helper %s: %s", helper, strerror(errno));
    /* The session's user: the runner itself, or as root one that is not root. */
    k.h.pw.pw_uid = k.h.pw.pw_gid = runner_uid ? runner_uid : 59999;
    if (asprintf(&k.h.pw.pw_dir, "%s/home", tmp) < 0)
        k.h.pw.pw_dir = NULL;
    k.h.pw.pw_shell = "/bin/sh";
    k.h.pw.pw_passwd = "x";
    k.h.pw.pw_gecos = "";
    pam_set_item(&k.h, PAM_SERVICE, "fakepam");
    directive(&k, (char[]){"user alice"});
    /* Read whole before anything runs: a child forked meanwhile shares the file's offset. */
    char *text = NULL;
    size_t cap = 0;
    ssize_t n = getdelim(&text, &cap, '\0', f);
    fclose(f);
    for (char *l = n > 0 ? text : NULL, *next; l && *l; l = next) {
        next = l + strcspn(l, "\n");
        if (*next)
            *next++ = '\0';
        k.lineno++;
        snprintf(line, sizeof(line), "%s", l + strspn(l, " \t"));
        if (line[0] != '\0' && line[0] != '#' && !k.skipped)
            directive(&k, line);
    }
    free(text);
    k.lineno++;
    if (!k.skipped)
        settle(&k);
    for (int i = 0; k.skipped && i < k.nexpect; i++)
        free(k.expect[i]);
    for (int i = 0; i < k.nkids; i++) {
        kill(k.kids[i], SIGKILL);
        waitpid(k.kids[i], NULL, 0);
    }
    for (int i = 0; i < k.nargs; i++)
        free(k.args[i]);
    free_handle(&k.h);
    nftw(tmp, rm, 16, FTW_DEPTH | FTW_PHYS);
    if (k.skipped && !k.failed)
        printf("skip - %s: %s\n", name, k.skipped);
    else
        printf("%s - %s\n", k.failed ? "not ok" : "ok", name);
    fflush(stdout);
    return k.failed;
}

int main(int argc, char **argv)
{
    int failed = 0;
    if (argc < 3) {
        fprintf(stderr, "usage: %s HELPER CASE...\n", argv[0]);
        return 2;
    }
    runner_uid = geteuid();
    setvbuf(stdout, NULL, _IOLBF, 0);
    for (int i = 2; i < argc; i++)
        failed += run_case(argv[1], argv[i]);
    return failed ? 1 : 0;
}

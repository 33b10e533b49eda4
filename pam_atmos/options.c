/*
 * The module's options: the defaults, then PA_CONF_FILE, then the module's
 * arguments, which override the file (pam-auth-update rewrites the module's
 * line in /etc/pam.d/common-session, and an option added there is lost; the
 * file is where options stay).  One table for both.  Unknown options are
 * logged and ignored; a bad value is logged and the default kept (a typo
 * must not break logins).
 *
 * MUST, for the file (root's configuration, read by root in the host):
 * 1. Never follow a symbolic link to it (O_NOFOLLOW), and never block on
 *    what is not a regular file (O_NONBLOCK).
 * 2. Judge the descriptor that is read (fstat), not the name: a regular
 *    file, root's, writable by no group and no other user; otherwise the
 *    whole file is ignored, with one line saying why.
 * 3. Read at most PA_CONF_MAX bytes; a larger file is ignored whole.
 * A missing file is the normal case (no options there) and is not logged.
 */
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <syslog.h>
#include <unistd.h>

#include <security/pam_ext.h>

#include "hostroot.h"
#include "options.h"

enum kind { BOOL, STRING, UINT, LIST, CHOICE };

struct opt {
    const char *name;
    enum kind kind;
    size_t offset;              /* of the field in struct pa_opts */
    size_t count;               /* LIST: offset of the counter */
    unsigned min, max;          /* UINT range */
    const char *const *choices; /* CHOICE: the values, their index is stored */
};

/* network_home=: the order is PA_NETWORK_SKIP, PA_NETWORK_CLEAN. */
static const char *const network_home[] = {"skip", "clean", NULL};

#define F(field) offsetof(struct pa_opts, field)
#define NOPTS (sizeof(table) / sizeof(*table))

/* Sorted by name. */
static const struct opt table[] = {
    {"config", STRING, F(config), 0, 0, 0, NULL},
    {"debug", BOOL, F(debug), 0, 0, 0, NULL},
    {"dry_run", BOOL, F(dry_run), 0, 0, 0, NULL},
    {"every_session", BOOL, F(every_session), 0, 0, 0, NULL},
    {"helper", STRING, F(helper), 0, 0, 0, NULL},
    {"identity", LIST, F(identity), F(nidentity), 0, 0, NULL},
    {"keychain", BOOL, F(keychain), 0, 0, 0, NULL},
    {"maximum_uid", UINT, F(maximum_uid), 0, 0, UINT_MAX - 1, NULL},
    {"memory_limit", UINT, F(memory_limit), 0, 0, 1u << 20, NULL},
    {"minimum_uid", UINT, F(minimum_uid), 0, 0, UINT_MAX - 1, NULL},
    {"network_home", CHOICE, F(network_home), 0, 0, 0, network_home},
    {"provider", LIST, F(provider), F(nprovider), 0, 0, NULL},
    {"quiet", BOOL, F(quiet), 0, 0, 0, NULL},
    {"revoke", BOOL, F(revoke), 0, 0, 0, NULL},
    {"revoke_ca_bundle", STRING, F(revoke_ca_bundle), 0, 0, 0, NULL},
    {"revoke_endpoint", STRING, F(revoke_endpoint), 0, 0, 0, NULL},
    {"revoke_proxy", STRING, F(revoke_proxy), 0, 0, 0, NULL},
    {"state_dir", STRING, F(state_dir), 0, 0, 0, NULL},
    {"timeout", UINT, F(timeout), 0, 1, 3600, NULL},
    {"tty_only", BOOL, F(tty_only), 0, 0, 0, NULL},
};

static int cmp_opt(const void *key, const void *elem)
{
    const char *k = key;
    const struct opt *o = elem;
    size_t n = strcspn(k, "=");
    int c = strncmp(k, o->name, n);
    return c ? c : (o->name[n] ? -1 : 0);
}

/* Where an option came from, for its messages: "" (an argument) or "FILE:LINE: ". */
struct source {
    char where[sizeof(PA_CONF_FILE) + 24];
    int file;                    /* from PA_CONF_FILE */
    unsigned char listed[NOPTS]; /* LIST options whose values came from the file */
};

static void apply(pam_handle_t *pamh, struct pa_opts *opts, const struct opt *o, const char *arg,
                  const char *value, struct source *src)
{
    char *base = (char *)opts + o->offset;
    const char *at = src->where;
    switch (o->kind) {
    case BOOL:
        if (value)
            pam_syslog(pamh, LOG_WARNING, "%soption %s takes no value; ignored", at, arg);
        else
            *(int *)base = 1;
        return;
    case STRING:
        if (value == NULL || *value == '\0')
            pam_syslog(pamh, LOG_WARNING, "%soption %s needs a value; ignored", at, arg);
        else
            *(const char **)base = value;
        return;
    case UINT: {
        char *end;
        errno = 0;
        unsigned long v = value && *value ? strtoul(value, &end, 10) : 0;
        if (value == NULL || *value == '\0' || *end != '\0' || errno != 0 || value[0] == '-' ||
            v < o->min || v > o->max) {
            pam_syslog(pamh, LOG_WARNING, "%sbad value in %s (use %u-%u); keeping the default", at,
                       arg, o->min, o->max);
            return;
        }
        *(unsigned *)base = (unsigned)v;
        return;
    }
    case CHOICE:
        for (int i = 0; value && o->choices[i]; i++) {
            if (strcmp(value, o->choices[i]) == 0) {
                *(int *)base = i;
                return;
            }
        }
        pam_syslog(pamh, LOG_WARNING, "%sbad value in %s (use %s or %s); keeping the default", at,
                   arg, o->choices[0], o->choices[1]);
        return;
    case LIST: {
        int *n = (int *)((char *)opts + o->count);
        size_t i = (size_t)(o - table);
        /* An argument overrides the file: its first identity= replaces the file's list. */
        if (value && *value && !src->file && src->listed[i]) {
            *n = 0;
            src->listed[i] = 0;
        }
        if (value == NULL || *value == '\0' || *n >= PA_MAX_TARGETS) {
            pam_syslog(pamh, LOG_WARNING, "%soption %s: no value or too many; ignored", at, arg);
            return;
        }
        if (src->file)
            src->listed[i] = 1;
        ((const char **)base)[(*n)++] = value;
        return;
    }
    }
}

/* One option, "name" or "name=value" (value in the same string). */
static void one(pam_handle_t *pamh, struct pa_opts *opts, const char *arg, struct source *src)
{
    const struct opt *o = bsearch(arg, table, NOPTS, sizeof(*table), cmp_opt);
    if (o == NULL) {
        pam_syslog(pamh, LOG_WARNING, "%sunknown option %s; ignored", src->where, arg);
        return;
    }
    const char *eq = strchr(arg, '=');
    apply(pamh, opts, o, arg, eq ? eq + 1 : NULL, src);
}

/* The file's text in opts->conf, or -1 with the reason logged (MUST 1-3). */
static int read_file(pam_handle_t *pamh, struct pa_opts *opts)
{
    static const char path[] = PA_CONF_FILE;
    struct stat st;
    const char *why = NULL;
    size_t have = 0;
    int rc = -1;
    int fd = open(PA_HOST_PATH(path), O_RDONLY | O_NOFOLLOW | O_NONBLOCK | O_NOCTTY | O_CLOEXEC);
    if (fd < 0) {
        int e = errno;
        if (e == ELOOP) /* MUST 1 */
            pam_syslog(pamh, LOG_ERR, "%s: a symbolic link, not followed; its options are ignored",
                       path);
        else if (e != ENOENT) /* no file: no options there, the normal case */
            pam_syslog(pamh, LOG_ERR, "%s: cannot open it: %s; its options are ignored", path,
                       strerror(e));
        return -1;
    }
    /* MUST 2: this descriptor is the file that is read. */
    if (fstat(fd, &st) != 0)
        why = "cannot read it";
    else if (!S_ISREG(st.st_mode))
        why = "not a regular file";
    else if (!pa_roots(st.st_uid))
        why = "not root's";
    else if (st.st_mode & (S_IWGRP | S_IWOTH))
        why = "writable by group or others";
    while (why == NULL) {
        ssize_t n = read(fd, opts->conf + have, sizeof(opts->conf) - have);
        if (n < 0 && errno == EINTR)
            continue;
        if (n < 0)
            why = "cannot read it";
        else if (n == 0)
            break;
        else if ((have += (size_t)n) >= sizeof(opts->conf))
            why = "larger than " PA_STR(PA_CONF_MAX) " bytes"; /* MUST 3 */
    }
    if (why == NULL && memchr(opts->conf, '\0', have) != NULL)
        why = "holds a NUL byte";
    if (why != NULL) {
        pam_syslog(pamh, LOG_ERR, "%s: %s; its options are ignored", path, why);
        goto done;
    }
    opts->conf[have] = '\0';
    rc = 0;
done:
    close(fd);
    return rc;
}

static int blank(char c)
{
    return c == ' ' || c == '\t' || c == '\r' || c == '\v' || c == '\f';
}

/*
 * PA_CONF_FILE, as pam_faillock reads faillock.conf: one option a line,
 * "name = value" or a bare flag; '#' starts a comment to the end of the line.
 * Each line is made "name=value" in place, the form of an argument.
 */
static void parse_file(pam_handle_t *pamh, struct pa_opts *opts, struct source *src)
{
    char *line = opts->conf;
    src->file = 1;
    for (unsigned lineno = 1; line != NULL; lineno++) {
        char *next = strchr(line, '\n');
        if (next)
            *next++ = '\0';
        line[strcspn(line, "#")] = '\0';
        while (blank(*line))
            line++;
        char *end = line + strlen(line);
        while (end > line && blank(end[-1]))
            *--end = '\0';
        snprintf(src->where, sizeof(src->where), "%s:%u: ", PA_CONF_FILE, lineno);
        if (*line != '\0') {
            char *name_end = line + strcspn(line, " \t\r\v\f="), *p = name_end;
            while (blank(*p))
                p++;
            if (*p == '=') {
                p++;
                while (blank(*p))
                    p++;
                *name_end = '=';
                memmove(name_end + 1, p, strlen(p) + 1); /* the value moves left, or stays */
                one(pamh, opts, line, src);
            } else if (*p != '\0') {
                pam_syslog(pamh, LOG_WARNING,
                           "%sexpected NAME or NAME = VALUE, not \"%s\"; ignored", src->where,
                           line);
            } else {
                one(pamh, opts, line, src);
            }
        }
        line = next;
    }
    src->file = 0;
    src->where[0] = '\0';
}

void pa_opts_parse(pam_handle_t *pamh, int argc, const char **argv, struct pa_opts *opts)
{
    memset(opts, 0, sizeof(*opts));
    opts->minimum_uid = 1000;
    opts->maximum_uid = 60000;
    opts->memory_limit = PA_MEMORY_LIMIT_MIB;
    opts->timeout = 10;
    opts->state_dir = PA_STATE_DIR;
    opts->helper = PA_HELPER;
    struct source src;
    memset(&src, 0, sizeof(src));
    if (read_file(pamh, opts) == 0)
        parse_file(pamh, opts, &src);
    for (int i = 0; i < argc; i++) /* after the file: the arguments override it */
        one(pamh, opts, argv[i], &src);
}

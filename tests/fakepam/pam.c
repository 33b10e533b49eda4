/*
 * A fake libpam: the pam_* functions pam_atmos calls, over the handle of
 * fakepam.h, so that the module's sources run in a test program, as any
 * user, with what they log kept for the case to match (as pam-krb5's
 * tests/fakepam).  Only what the module needs, and strictly: an item the
 * fake does not know is PAM_BAD_ITEM.
 */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>
#include <security/pam_modules.h>
#include <security/pam_modutil.h>

#include "fakepam.h"

static char **item(const pam_handle_t *pamh, int type)
{
    pam_handle_t *h = (pam_handle_t *)pamh;
    switch (type) {
    case PAM_USER:
        return &h->user;
    case PAM_TTY:
        return &h->tty;
    case PAM_RHOST:
        return &h->rhost;
    case PAM_SERVICE:
        return &h->service;
    case PAM_XDISPLAY:
        return &h->xdisplay;
    case PAM_RUSER:
        return &h->ruser;
    default:
        return NULL;
    }
}

int pam_get_item(const pam_handle_t *pamh, int type, const void **out)
{
    char **p = item(pamh, type);
    if (p == NULL)
        return PAM_BAD_ITEM;
    *out = *p;
    return PAM_SUCCESS;
}

int pam_set_item(pam_handle_t *pamh, int type, const void *value)
{
    char **p = item(pamh, type);
    if (p == NULL)
        return PAM_BAD_ITEM;
    free(*p);
    *p = value ? strdup(value) : NULL;
    return PAM_SUCCESS;
}

int pam_get_user(pam_handle_t *pamh, const char **user, const char *prompt)
{
    (void)prompt;
    *user = pamh->user;
    return pamh->user ? PAM_SUCCESS : PAM_USER_UNKNOWN;
}

static int env_index(pam_handle_t *pamh, const char *name, size_t n)
{
    for (int i = 0; pamh->env[i]; i++)
        if (strncmp(pamh->env[i], name, n) == 0 && pamh->env[i][n] == '=')
            return i;
    return -1;
}

const char *pam_getenv(pam_handle_t *pamh, const char *name)
{
    int i = env_index(pamh, name, strlen(name));
    return i < 0 ? NULL : pamh->env[i] + strlen(name) + 1;
}

char **pam_getenvlist(pam_handle_t *pamh)
{
    int n = 0;
    while (pamh->env[n])
        n++;
    char **copy = calloc((size_t)n + 1, sizeof(*copy));
    for (int i = 0; copy && i < n; i++)
        copy[i] = strdup(pamh->env[i]);
    return copy;
}

/* NAME=VALUE sets, NAME= sets it empty, NAME alone removes it (as libpam). */
int pam_putenv(pam_handle_t *pamh, const char *nv)
{
    size_t n = strcspn(nv, "=");
    int i = env_index(pamh, nv, n), last = 0;
    while (pamh->env[last])
        last++;
    if (nv[n] == '\0') {
        if (i < 0)
            return PAM_BAD_ITEM;
        free(pamh->env[i]);
        pamh->env[i] = pamh->env[last - 1];
        pamh->env[last - 1] = NULL;
        return PAM_SUCCESS;
    }
    if (i < 0 && last >= FP_MAX_ENV)
        return PAM_BUF_ERR;
    if (i < 0)
        i = last;
    free(pamh->env[i]);
    pamh->env[i] = strdup(nv);
    return PAM_SUCCESS;
}

int pam_get_data(const pam_handle_t *pamh, const char *name, const void **data)
{
    for (int i = 0; i < pamh->ndata; i++)
        if (strcmp(pamh->data[i].name, name) == 0) {
            *data = pamh->data[i].data;
            return PAM_SUCCESS;
        }
    return PAM_NO_MODULE_DATA;
}

int pam_set_data(pam_handle_t *pamh, const char *name, void *data,
                 void (*cleanup)(pam_handle_t *, void *, int))
{
    for (int i = 0; i < pamh->ndata; i++)
        if (strcmp(pamh->data[i].name, name) == 0) {
            if (pamh->data[i].cleanup)
                pamh->data[i].cleanup(pamh, pamh->data[i].data, PAM_DATA_REPLACE);
            pamh->data[i].data = data;
            pamh->data[i].cleanup = cleanup;
            return PAM_SUCCESS;
        }
    if (pamh->ndata >= FP_MAX_DATA)
        return PAM_BUF_ERR;
    pamh->data[pamh->ndata++] = (struct fp_data){strdup(name), data, cleanup};
    return PAM_SUCCESS;
}

static void keep(const pam_handle_t *pamh, const char *prefix, const char *fmt, va_list ap)
{
    pam_handle_t *h = (pam_handle_t *)pamh;
    char *text = NULL, *line = NULL;
    if (vasprintf(&text, fmt, ap) < 0)
        abort();
    if (asprintf(&line, "%s %s", prefix, text) < 0)
        abort();
    free(text);
    if (h->nlines < FP_MAX_LINES)
        h->lines[h->nlines++] = line;
    else
        free(line);
}

void pam_vsyslog(const pam_handle_t *pamh, int priority, const char *fmt, va_list ap)
{
    static const char *const names[] = {"EMERG", "ALERT",  "CRIT", "ERR",
                                        "WARNING", "NOTICE", "INFO", "DEBUG"};
    keep(pamh, names[LOG_PRI(priority)], fmt, ap);
}

void pam_syslog(const pam_handle_t *pamh, int priority, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    pam_vsyslog(pamh, priority, fmt, ap);
    va_end(ap);
}

int pam_vprompt(pam_handle_t *pamh, int style, char **response, const char *fmt, va_list ap)
{
    if (response)
        *response = NULL;
    keep(pamh, style == PAM_ERROR_MSG ? "CONV_ERROR" : style == PAM_TEXT_INFO ? "CONV_INFO" : "CONV",
         fmt, ap);
    return PAM_SUCCESS;
}

int pam_prompt(pam_handle_t *pamh, int style, char **response, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int rc = pam_vprompt(pamh, style, response, fmt, ap);
    va_end(ap);
    return rc;
}

const char *pam_strerror(pam_handle_t *pamh, int errnum)
{
    (void)pamh;
    static char buf[32];
    snprintf(buf, sizeof(buf), "PAM error %d", errnum);
    return buf;
}

struct passwd *pam_modutil_getpwnam(pam_handle_t *pamh, const char *user)
{
    if (!pamh->has_pw || pamh->pw.pw_name == NULL ||
        strcmp(user, pamh->pw.pw_name) != 0)
        return NULL;
    return &pamh->pw;
}

/*
 * Parsing the module's arguments.  Unknown options are logged and ignored; a
 * bad value is logged and the default kept (a typo must not break logins).
 */
#include <errno.h>
#include <limits.h>
#include <stddef.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>

#include <security/pam_ext.h>

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

static void apply(pam_handle_t *pamh, struct pa_opts *opts, const struct opt *o, const char *arg,
                  const char *value)
{
    char *base = (char *)opts + o->offset;
    switch (o->kind) {
    case BOOL:
        if (value)
            pam_syslog(pamh, LOG_WARNING, "option %s takes no value; ignored", arg);
        else
            *(int *)base = 1;
        return;
    case STRING:
        if (value == NULL || *value == '\0')
            pam_syslog(pamh, LOG_WARNING, "option %s needs a value; ignored", arg);
        else
            *(const char **)base = value;
        return;
    case UINT: {
        char *end;
        errno = 0;
        unsigned long v = value && *value ? strtoul(value, &end, 10) : 0;
        if (value == NULL || *value == '\0' || *end != '\0' || errno != 0 || value[0] == '-' ||
            v < o->min || v > o->max) {
            pam_syslog(pamh, LOG_WARNING, "bad value in %s (use %u-%u); keeping the default", arg,
                       o->min, o->max);
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
        pam_syslog(pamh, LOG_WARNING, "bad value in %s (use %s or %s); keeping the default", arg,
                   o->choices[0], o->choices[1]);
        return;
    case LIST: {
        int *n = (int *)((char *)opts + o->count);
        if (value == NULL || *value == '\0' || *n >= PA_MAX_TARGETS) {
            pam_syslog(pamh, LOG_WARNING, "option %s: no value or too many; ignored", arg);
            return;
        }
        ((const char **)base)[(*n)++] = value;
        return;
    }
    }
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
    for (int i = 0; i < argc; i++) {
        const struct opt *o =
            bsearch(argv[i], table, sizeof(table) / sizeof(*table), sizeof(*table), cmp_opt);
        if (o == NULL) {
            pam_syslog(pamh, LOG_WARNING, "unknown option %s; ignored", argv[i]);
            continue;
        }
        const char *eq = strchr(argv[i], '=');
        apply(pamh, opts, o, argv[i], eq ? eq + 1 : NULL);
    }
}

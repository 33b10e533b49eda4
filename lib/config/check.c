/*
 * The checks that make a loaded configuration safe to act on, before any
 * chain is resolved: the realm, the keyring type, each provider's and
 * integration's own fields.  An entry atmos would refuse gets its problem
 * and is skipped by name; no problem refuses the rest.  What needs the
 * kinds (identities and their chains) is plan/resolve.c's.
 */
#include <ctype.h>
#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <atmos/keyring.h>

#include "base/strings.h"
#include "config/internal.h"

static int fail_mark(struct atmos_err *err, const struct atmos_mark *m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));
static int fail_mark(struct atmos_err *err, const struct atmos_mark *m, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (m->file == NULL)
        return atmos_fail(err, ATMOS_EINVAL, "%s", what);
    if (m->line == 0) /* an environment variable, not a file */
        return atmos_fail(err, ATMOS_EINVAL, "%s: %s", m->file, what);
    return atmos_fail(err, ATMOS_EINVAL, "%s:%u:%u: %s", m->file, m->line, m->column, what);
}

static int check_realm(const struct atmos_field *realm, struct atmos_err *err)
{
    const char *r = realm->value;
    size_t len = strlen(r);
    int ok = len >= 1 && len <= 64;
    for (const char *p = r; ok && *p; p++)
        ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' || *p == '-';
    if (ok)
        return ATMOS_OK;
    return fail_mark(err, &realm->mark, "realm \"%s\" is invalid: use 1-64 of [a-z0-9_-]", r);
}

int atmos_config_problem(char **slot, const struct atmos_mark *m, const char *fmt, ...)
{
    char what[768];
    va_list ap;
    if (*slot)
        return 0;
    va_start(ap, fmt);
    vsnprintf(what, sizeof(what), fmt, ap);
    va_end(ap);
    if (m->file == NULL)
        *slot = strdup(what);
    else if (m->line == 0)
        *slot = atmos_strfmt("%s: %s", m->file, what);
    else
        *slot = atmos_strfmt("%s:%u:%u: %s", m->file, m->line, m->column, what);
    return *slot ? 0 : -1;
}

/*
 * A base directory that a provider logout removes below: absolute or ~/, and
 * never one that makes that removal reach / or climb out with "..".
 */
static const char *base_path_problem(const char *v)
{
    const char *s = v;
    while (isspace((unsigned char)*s))
        s++;
    if (*s == '\0')
        return "spec.files.base_path is empty";
    if (strpbrk(v, "\r\n") != NULL)
        return "spec.files.base_path contains a line break";
    if (v[0] != '/' && !(v[0] == '~' && (v[1] == '\0' || v[1] == '/')))
        return "spec.files.base_path must be absolute or start with ~/";
    if (strspn(v, "/") == strlen(v))
        return "spec.files.base_path must not be the root directory";
    for (const char *c = v; (c = strstr(c, "..")) != NULL; c += 2)
        if ((c == v || c[-1] == '/') && (c[2] == '\0' || c[2] == '/'))
            return "spec.files.base_path must not contain '..'";
    return NULL;
}

static int check_provider(struct atmos_provider *p)
{
    const struct atmos_field *f = atmos_spec_get(&p->spec, "spec.files.base_path");
    const char *why = f ? base_path_problem(f->value ? f->value : "") : NULL;
    if (p->problem)
        return 0;
    if (p->kind.value == NULL || *p->kind.value == '\0') {
        p->harmless = 1; /* atmos refuses such a configuration at once (manager.go) */
        return atmos_config_problem(&p->problem, &p->mark, "provider \"%s\": kind is required", p->name);
    }
    if (why)
        return atmos_config_problem(&p->problem, &f->mark, "provider \"%s\": %s \"%s\"", p->name, why,
                       f->value ? f->value : "");
    return 0;
}

static int oom(struct atmos_err *err)
{
    return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
}


/* Providers and integrations atmos would refuse where they are used get their problem. */
static int check_entries(struct atmos_config *cfg, struct atmos_err *err)
{
    for (size_t i = 0; i < cfg->nproviders; i++)
        if (check_provider(&cfg->providers[i]) != 0)
            return oom(err);
    for (size_t i = 0; i < cfg->nintegrations; i++) {
        struct atmos_integration *in = &cfg->integrations[i];
        if (in->problem || (in->kind.value && *in->kind.value))
            continue;
        in->harmless = 1;
        if (atmos_config_problem(&in->problem, &in->mark, "integration \"%s\": kind is required", in->name))
            return oom(err);
    }
    return ATMOS_OK;
}

int atmos_config_validate(struct atmos_config *cfg, const struct atmos_env *env,
                          const struct atmos_logger *lg, struct atmos_err *err)
{
    /* Validation sorts the arrays: the load-time index is stale from here on. */
    atmos_config_index_free(cfg);
    int rc;
    if (env->realm && *env->realm) {
        /* ATMOS_AUTH_REALM overrides the file. */
        free(cfg->realm.value);
        if ((cfg->realm.value = strdup(env->realm)) == NULL)
            return oom(err);
        cfg->realm.mark = (struct atmos_mark){.file = "ATMOS_AUTH_REALM"};
        cfg->realm_derived = 0;
    }
    if (cfg->realm.value && *cfg->realm.value == '\0') {
        free(cfg->realm.value);
        cfg->realm.value = NULL;
    }
    /* An invalid realm makes atmos refuse every auth command (realm.go Validate). */
    if (cfg->realm.value && (rc = check_realm(&cfg->realm, err)) != ATMOS_OK)
        return rc;

    /* $ATMOS_KEYRING_TYPE > auth.keyring.type > system */
    const struct atmos_field *kt = &cfg->keyring_type;
    struct atmos_field envkt = {(char *)env->keyring_type, {"ATMOS_KEYRING_TYPE", 0, 0}, 1};
    if (env->keyring_type && *env->keyring_type)
        kt = &envkt;
    cfg->keyring = ATMOS_KEYRING_SYSTEM;
    if (kt->value && atmos_keyring_parse(kt->value, &cfg->keyring) != 0) {
        /* atmos warns and uses the system keyring (pkg/auth/credentials/store.go,
         * NewCredentialStore): so do we, rather than refuse the configuration. */
        cfg->keyring = ATMOS_KEYRING_SYSTEM;
        atmos_log(lg, ATMOS_LOG_WARN,
                  "keyring type \"%s\" is unknown (%s): using the system keyring, as atmos does",
                  kt->value, kt->mark.file ? kt->mark.file : "ATMOS_KEYRING_TYPE");
    }

    /* Sorted by name, for bsearch (the load-time index was freed: it would be stale). */
    if (atmos_config_sort(cfg) != 0)
        return oom(err);
    if ((rc = check_entries(cfg, err)) != ATMOS_OK)
        return rc;
    return ATMOS_OK;
}

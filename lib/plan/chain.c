/*
 * Resolving an identity's chain to the provider that roots it.
 * via.identity recurses, via.provider ends the chain; a cycle is an error that
 * names every member (a → b → a).
 */
#include <limits.h>
#include <stdlib.h>
#include <string.h>

#include <atmos/config.h>

#include "clouds/cloud.h"
#include "config/internal.h"
#include "plan/resolve.h"
#include "base/strings.h"

static int prepend(struct atmos_chain *c, const char *name)
{
    const char **v = realloc(c->names, (c->n + 1) * sizeof(*v));
    if (v == NULL)
        return ATMOS_ENOMEM;
    memmove(v + 1, v, c->n * sizeof(*v));
    v[0] = name;
    c->names = v;
    c->n++;
    return ATMOS_OK;
}

static int cycle_error(const struct atmos_chain *c, const struct atmos_identity *start,
                       const char *again, struct atmos_err *err)
{
    struct atmos_buf b = {0};
    /* names[] runs provider-first; print in the order the via links were followed. */
    for (size_t i = c->n; i-- > 0;)
        atmos_buf_printf(&b, "%s → ", c->names[i]);
    atmos_buf_printf(&b, "%s", again);
    int rc = atmos_fail(err, ATMOS_EINVAL, "%s:%u:%u: identity \"%s\": via cycle %s",
                        start->mark.file ? start->mark.file : "?", start->mark.line,
                        start->mark.column, start->name, b.data ? b.data : again);
    atmos_buf_free(&b);
    return rc;
}

/* id joins the chain that started at `start`: not again (a cycle), and not one skipped. */
static int link_in(struct atmos_chain *c, const struct atmos_identity *start,
                   const struct atmos_identity *id, struct atmos_err *err)
{
    for (size_t i = 0; i < c->n; i++)
        if (strcmp(c->names[i], id->name) == 0)
            return cycle_error(c, start, id->name, err);
    /* An identity skipped for its problem ends every chain through it. */
    if (id->problem && id != start)
        return atmos_fail(err, ATMOS_EINVAL, "identity \"%s\": via.identity \"%s\" is skipped",
                          start->name, id->name);
    if (id->problem)
        return atmos_fail(err, ATMOS_EINVAL, "identity \"%s\" is skipped: %s", id->name,
                          id->problem);
    return prepend(c, id->name) == ATMOS_OK ? ATMOS_OK
                                            : atmos_fail(err, ATMOS_ENOMEM, "out of memory");
}

/* Whether the chain ends at id (*ended), by its kind or its via.provider, and how. */
static int chain_end(const struct atmos_config *cfg, const struct atmos_identity *id,
                     struct atmos_chain *c, int *ended, struct atmos_err *err)
{
    const struct atmos_cloud *cl;
    const struct atmos_kind *k = atmos_kind_find(id->kind.value, ATMOS_ROLE_IDENTITY, &cl);
    const char *vp = id->via_provider.value;
    *ended = 1;
    if (k && (k->flags & ATMOS_KIND_OWN_DIRECTORY) && !k->own_provider) {
        /* Its own provider: atmos's emulator identities name themselves (GetProviderName). */
        c->provider = id->name;
        return ATMOS_OK;
    }
    if (k && (k->flags & ATMOS_KIND_STANDALONE) && !k->own_provider)
        return ATMOS_OK; /* ambient: credentials come from the environment, no provider */
    if (k && k->own_provider) {
        c->provider = k->own_provider; /* its cloud keeps its files in a directory of their own */
    } else if (vp == NULL) {
        *ended = 0; /* on to its via.identity */
        return ATMOS_OK;
    } else if ((c->provider_cfg = atmos_config_provider(cfg, vp)) == NULL) {
        return atmos_fail(err, ATMOS_EINVAL,
                          "identity \"%s\": via.provider \"%s\" is not a configured provider",
                          id->name, vp);
    } else if (c->provider_cfg->problem) {
        /* As a skipped identity: atmos refuses the provider, so no login went through it. */
        return atmos_fail(err, ATMOS_EINVAL, "identity \"%s\": via.provider \"%s\" is skipped",
                          id->name, c->provider_cfg->name);
    } else {
        c->provider = c->provider_cfg->name;
    }
    return prepend(c, c->provider) == ATMOS_OK ? ATMOS_OK
                                              : atmos_fail(err, ATMOS_ENOMEM, "out of memory");
}

int atmos_chain_resolve(const struct atmos_config *cfg, const char *identity,
                        struct atmos_chain *out, struct atmos_err *err)
{
    struct atmos_chain c = {0};
    const struct atmos_identity *id = atmos_config_identity(cfg, identity);
    const struct atmos_identity *start = id;
    int rc = ATMOS_OK, ended = 0;
    if (id == NULL)
        rc = atmos_fail(err, ATMOS_ENOTFOUND, "identity \"%s\" not found in configuration",
                        identity);
    while (rc == ATMOS_OK && (rc = link_in(&c, start, id, err)) == ATMOS_OK &&
           (rc = chain_end(cfg, id, &c, &ended, err)) == ATMOS_OK && !ended) {
        const char *next = id->via_identity.value;
        if ((id = next ? atmos_config_identity(cfg, next) : NULL) == NULL)
            rc = atmos_fail(err, ATMOS_EINVAL,
                            "identity \"%s\": via.identity \"%s\" is not a configured identity",
                            c.names[0], next ? next : "");
    }
    if (rc == ATMOS_OK) {
        *out = c;
        return ATMOS_OK;
    }
    free(c.names);
    return rc;
}

/*
 * Where a chain ends at this identity by its kind, without a provider of the
 * configuration: 1, with *root its directory name (NULL: none, ambient); else 0.
 */
static int ends_chain(const struct atmos_identity *id, const char **root)
{
    const struct atmos_cloud *cl;
    const struct atmos_kind *k = atmos_kind_find(id->kind.value, ATMOS_ROLE_IDENTITY, &cl);
    if (k == NULL)
        return 0;
    *root = k->own_provider                        ? k->own_provider
            : (k->flags & ATMOS_KIND_OWN_DIRECTORY) ? id->name
                                                    : NULL;
    return k->own_provider || (k->flags & (ATMOS_KIND_OWN_DIRECTORY | ATMOS_KIND_STANDALONE));
}

#define GOOD UINT_MAX

int atmos_chain_good(struct atmos_config *cfg, size_t i, unsigned *state, unsigned *path)
{
    struct atmos_identity *v = cfg->identities;
    const char *root = NULL;
    const struct atmos_provider *root_cfg = NULL;
    size_t j = i, n = 0;
    /* The links atmos_chain_resolve follows, in its order; any way it fails: undecided. */
    for (;;) {
        const struct atmos_identity *id = &v[j];
        if (state[j] == GOOD) {
            root = id->root;
            root_cfg = id->root_cfg;
            break;
        }
        if (state[j] == i + 1 || id->problem) /* a cycle, or through a skipped identity */
            return 0;
        state[j] = (unsigned)i + 1;
        path[n++] = (unsigned)j;
        if (ends_chain(id, &root))
            break;
        if (id->via_provider.value) {
            const struct atmos_provider *p = atmos_config_provider(cfg, id->via_provider.value);
            if (p == NULL || p->problem)
                return 0;
            root = p->name;
            root_cfg = p;
            break;
        }
        const char *next = id->via_identity.value;
        const struct atmos_identity *up = next ? atmos_config_identity(cfg, next) : NULL;
        if (up == NULL)
            return 0;
        j = (size_t)(up - v);
    }
    /* Every identity on the way resolves too, to the same root: its chain is the tail of this one. */
    while (n > 0) {
        struct atmos_identity *id = &v[path[--n]];
        state[path[n]] = GOOD;
        id->root = root;
        id->root_cfg = root_cfg;
    }
    return 1;
}


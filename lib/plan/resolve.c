/*
 * A configuration finished: the identities' checks, which need the clouds'
 * kinds (a standalone kind has no via; an own provider ends a chain), so
 * they sit above the clouds.  Each identity's chain is checked once, and
 * where it ends is kept (root, root_cfg): the planner, the keyring and the
 * clouds read that instead of resolving chains again.
 */
#include <stdlib.h>

#include <atmos/config.h>

#include "config/internal.h"
#include "plan/resolve.h"

/*
 * What atmos's login would fail on too (no kind; no chain, or a broken one, to
 * a provider: manager_chain.go buildChainRecursive, GetProviderName), so such
 * an identity cannot have left anything: `harmless`.
 */
static int check_identity(const struct atmos_config *cfg, struct atmos_identity *id)
{
    const char *prov = id->via_provider.value, *via = id->via_identity.value;
    if (id->problem)
        return 0; /* its name or shape: it may have a past under another configuration */
    id->harmless = 1;
    if (id->kind.value == NULL || *id->kind.value == '\0')
        return atmos_config_problem(&id->problem, &id->mark, "identity \"%s\": kind is required", id->name);
    if (atmos_identity_is_standalone(id->kind.value))
        return 0;
    if (prov && via)
        return atmos_config_problem(&id->problem, &id->via_identity.mark,
                                  "identity \"%s\": both via.provider and via.identity are set", id->name);
    /* pkg/auth reads via only: `provider:` attaches an identity to nothing (manager_logout.go). */
    if (!prov && !via && atmos_spec_get(&id->spec, "provider"))
        return atmos_config_problem(&id->problem, &id->mark,
                                  "identity \"%s\": has provider: but no via.provider (atmos reads via only)",
                                  id->name);
    if (!prov && !via)
        return atmos_config_problem(&id->problem, &id->mark,
                                  "identity \"%s\": needs via.provider or via.identity (kind %s)", id->name,
                                  id->kind.value);
    if (prov && !atmos_config_provider(cfg, prov))
        return atmos_config_problem(&id->problem, &id->via_provider.mark,
                                  "identity \"%s\": via.provider \"%s\" is not a configured provider",
                                  id->name, prov);
    if (via && !atmos_config_identity(cfg, via))
        return atmos_config_problem(&id->problem, &id->via_identity.mark,
                                  "identity \"%s\": via.identity \"%s\" is not a configured identity",
                                  id->name, via);
    id->harmless = 0;
    return 0;
}

/*
 * Cycles and links to an unusable identity: resolving every chain finds them.  Those that
 * resolve are found so without building them, each link once (atmos_chain_good).
 */
static int check_chains(struct atmos_config *cfg, struct atmos_err *err)
{
    size_t n = cfg->nidentities;
    unsigned *state = n ? calloc(2 * n, sizeof(*state)) : NULL;
    int rc = n && state == NULL ? ATMOS_ENOMEM : ATMOS_OK;
    for (size_t i = 0; rc == ATMOS_OK && i < n; i++) {
        struct atmos_identity *id = &cfg->identities[i];
        if (id->problem)
            continue;
        id->harmless = 1; /* a cycle, or a link to a skipped identity: no login went through */
        if (atmos_chain_good(cfg, i, state, state + n)) {
            id->harmless = 0;
            continue;
        }
        struct atmos_chain chain;
        struct atmos_err why = {{0}}; /* a kilobyte cleared: only for a chain that fails */
        rc = atmos_chain_resolve(cfg, id->name, &chain, &why);
        if (rc == ATMOS_OK) { /* atmos_chain_good says no only when this fails */
            atmos_chain_free(&chain);
            id->harmless = 0;
        } else if (rc != ATMOS_ENOMEM) {
            const struct atmos_mark *m = id->via_identity.present ? &id->via_identity.mark : &id->mark;
            rc = atmos_config_problem(&id->problem, m, "%s", why.msg) ? ATMOS_ENOMEM : ATMOS_OK;
        }
    }
    free(state);
    return rc == ATMOS_OK ? rc : atmos_fail(err, rc, "out of memory");
}

/* Said once here; the plan reports each again where it is in scope. */
static void log_skipped(const struct atmos_config *cfg, const struct atmos_logger *lg)
{
    for (size_t i = 0; i < cfg->nproviders; i++)
        if (cfg->providers[i].problem)
            atmos_log(lg, ATMOS_LOG_WARN, "provider skipped: %s", cfg->providers[i].problem);
    for (size_t i = 0; i < cfg->nidentities; i++)
        if (cfg->identities[i].problem)
            atmos_log(lg, ATMOS_LOG_WARN, "identity skipped: %s", cfg->identities[i].problem);
    for (size_t i = 0; i < cfg->nintegrations; i++)
        if (cfg->integrations[i].problem)
            atmos_log(lg, ATMOS_LOG_WARN, "integration skipped: %s", cfg->integrations[i].problem);
}

/* The identities' checks and chains of a validated configuration (atmos_config_validate);
 * says through `lg` which entries are skipped. */
static int resolve(struct atmos_config *cfg, const struct atmos_logger *lg,
                         struct atmos_err *err)
{
    for (size_t i = 0; i < cfg->nidentities; i++)
        if (check_identity(cfg, &cfg->identities[i]) != 0)
            return atmos_fail(err, ATMOS_ENOMEM, "out of memory");
    int rc = check_chains(cfg, err);
    if (rc == ATMOS_OK)
        log_skipped(cfg, lg);
    return rc;
}

static int finish_logged(struct atmos_config *cfg, const struct atmos_env *env,
                               const struct atmos_logger *lg, struct atmos_err *err)
{
    int rc = atmos_config_validate(cfg, env, lg, err);
    return rc == ATMOS_OK ? resolve(cfg, lg, err) : rc;
}

int atmos_config_finish(struct atmos_config *cfg, const struct atmos_env *env,
                        struct atmos_err *err)
{
    return finish_logged(cfg, env, NULL, err);
}


int atmos_config_load_logged(struct atmos_config **out, const struct atmos_source_list *sources,
                             const struct atmos_env *env, const struct atmos_logger *lg,
                             struct atmos_err *err)
{
    int rc = atmos_config_read_logged(out, sources, env, lg, err);
    if (rc == ATMOS_OK && (rc = resolve(*out, lg, err)) != ATMOS_OK) {
        atmos_config_free(*out);
        *out = NULL;
    }
    return rc;
}

int atmos_config_load(struct atmos_config **out, const struct atmos_source_list *sources,
                      const struct atmos_env *env, struct atmos_err *err)
{
    return atmos_config_load_logged(out, sources, env, NULL, err);
}

/*
 * Computing the plan: what a logout of an identity, a provider or everything
 * removes, and why.  Which files a kind of provider or identity leaves is the
 * clouds' knowledge (clouds/cloud.h); this file only decides who is logged out and
 * asks each cloud.  Building a plan reads (caches, atmos's own files) but
 * never changes anything.
 */
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <atmos/plan.h>

#include "clouds/cloud.h"
#include "base/strings.h"
#include "sys/keyrings.h"
#include "items/internal.h"
#include "plan/tags.h"

static int add_identities_of(struct atmos_plan *plan, const struct atmos_config *cfg,
                             const char *provider /* NULL: every identity */)
{
    for (size_t i = 0; i < cfg->nidentities; i++) {
        const struct atmos_identity *id = &cfg->identities[i];
        if (id->problem)
            continue; /* its chain does not resolve */
        int mine = provider == NULL || (id->root && strcmp(id->root, provider) == 0);
        if (mine &&
            atmos_strv_push(&plan->identities, &plan->nidentities, cfg->identities[i].name) != 0)
            return ATMOS_ENOMEM;
    }
    return 0;
}

/*
 * A kind we do not know: say so by name, so that no logout of it reads as
 * complete (its data, if any, is not removed).
 */
static int add_unknown(struct atmos_plan *plan, const char *what, const char *name,
                       const char *kind, int is_identity)
{
    return atmos_plan_add_unknown(plan, what, atmos_strfmt("%s (kind %s)", name, kind),
                                  is_identity ? name : NULL, is_identity ? NULL : name)
               ? ATMOS_OK
               : ATMOS_ENOMEM;
}

/* An entry atmos would refuse where it is used: named with its problem, so no logout reads as
 * complete. */
static int add_skipped(struct atmos_plan *plan, const char *what, const char *name, const char *why,
                       int is_identity, int harmless)
{
    struct atmos_item *it = atmos_plan_add_unknown(
        plan, what, strdup(why), is_identity ? name : NULL, is_identity ? NULL : name);
    if (it == NULL)
        return ATMOS_ENOMEM;
    /* Named as the target it fails the logout; in a wider scope a harmless one only warns. */
    it->u.unknown.skipped = harmless ? 2 : 1;
    return 0;
}

/* The skipped entries in scope: a provider's identities (NULL: every entry). */
static int add_skipped_entries(struct atmos_plan *plan, const struct atmos_config *cfg,
                               const char *provider)
{
    for (size_t i = 0; provider == NULL && i < cfg->nproviders; i++)
        if (cfg->providers[i].problem &&
            add_skipped(plan, "skipped provider", cfg->providers[i].name, cfg->providers[i].problem,
                        0, cfg->providers[i].harmless) != 0)
            return ATMOS_ENOMEM;
    for (size_t i = 0; i < cfg->nidentities; i++) {
        const struct atmos_identity *id = &cfg->identities[i];
        const char *vp = id->via_provider.value;
        if (id->problem && (provider == NULL || (vp && strcmp(vp, provider) == 0)) &&
            add_skipped(plan, "skipped identity", id->name, id->problem, 1, id->harmless) != 0)
            return ATMOS_ENOMEM;
    }
    for (size_t i = 0; provider == NULL && i < cfg->nintegrations; i++)
        if (cfg->integrations[i].problem &&
            add_skipped(plan, "skipped integration", cfg->integrations[i].name,
                        cfg->integrations[i].problem, 0, cfg->integrations[i].harmless) != 0)
            return ATMOS_ENOMEM;
    return 0;
}

/* The clouds an identity's logins wrote to; unknown kinds become items. */
static int identity_cloud(struct atmos_plan *plan, const struct atmos_config *cfg, const char *name,
                          const struct atmos_cloud **cloud)
{
    const struct atmos_identity *id = atmos_config_identity(cfg, name);
    const char *kind = id ? id->kind.value : NULL;
    if (!atmos_cloud_of_identity(kind, cloud))
        return add_unknown(plan, "identity of an unknown kind", name, kind ? kind : "?", 1);
    return 0;
}

static int provider_cloud(struct atmos_plan *plan, const struct atmos_provider *p,
                          const struct atmos_cloud **cloud)
{
    if (!atmos_cloud_of_provider(p->kind.value, cloud))
        return add_unknown(plan, "provider of an unknown kind", p->name,
                           p->kind.value ? p->kind.value : "?", 0);
    return 0;
}

/* Clouds that keep something of a provider: its own kind's and its identities'. */
static int plan_provider(struct atmos_cloud_ctx *c, const struct atmos_provider *p)
{
    const struct atmos_cloud *want[8] = {NULL};
    size_t n = 0;
    const struct atmos_cloud *cl;
    if (p->problem)
        return ATMOS_OK; /* reported by plan_who */
    if (provider_cloud(c->plan, p, &cl) != 0)
        return ATMOS_ENOMEM;
    if (cl)
        want[n++] = cl;
    for (size_t i = 0; i < c->plan->nidentities; i++) {
        int mine = c->roots && c->roots[i] && strcmp(c->roots[i], p->name) == 0;
        if (!mine || identity_cloud(c->plan, c->cfg, c->plan->identities[i], &cl) != 0 ||
            cl == NULL)
            continue;
        size_t k = 0;
        while (k < n && want[k] != cl)
            k++;
        if (k == n && n < sizeof(want) / sizeof(*want))
            want[n++] = cl;
    }
    for (size_t k = 0; k < n; k++) {
        int rc = want[k]->provider ? ATMOS_CLOUD_CALL(c, want[k], provider, p->name, p) : ATMOS_OK;
        if (rc != ATMOS_OK)
            return rc;
    }
    return ATMOS_OK;
}

/* An identity's logout: its cloud's files, and its root provider named when of an unknown kind. */
static int plan_identity(struct atmos_cloud_ctx *c, const char *name,
                         const struct atmos_chain *chain)
{
    const struct atmos_cloud *cl;
    if (identity_cloud(c->plan, c->cfg, name, &cl) != 0)
        return ATMOS_ENOMEM;
    const struct atmos_provider *root = chain->provider_cfg;
    const struct atmos_cloud *rcl;
    if (root && !atmos_cloud_of_provider(root->kind.value, &rcl) &&
        add_unknown(c->plan, "provider of an unknown kind", root->name,
                    root->kind.value ? root->kind.value : "?", 0) != 0)
        return ATMOS_ENOMEM;
    if (cl && cl->identity)
        return ATMOS_CLOUD_CALL(c, cl, identity, name, chain);
    return ATMOS_OK;
}

static int is_listed(char *const *v, size_t n, const char *s)
{
    for (size_t i = 0; s && i < n; i++)
        if (strcmp(v[i], s) == 0)
            return 1;
    return 0;
}

/* An identity logout of each of plan->identities (with `rooted_out`, not those whose root
 * provider plan->providers logs out as a provider: their files are part of its). */
static int plan_each_identity(struct atmos_cloud_ctx *c, int rooted_out)
{
    struct atmos_plan *plan = c->plan;
    int rc = ATMOS_OK;
    for (size_t i = 0; rc == ATMOS_OK && i < plan->nidentities; i++) {
        const struct atmos_identity *id = atmos_config_identity(c->cfg, plan->identities[i]);
        struct atmos_chain ch;
        if (id == NULL || id->problem ||
            (rooted_out &&
             is_listed(plan->providers, plan->nproviders, c->roots ? c->roots[i] : NULL)) ||
            atmos_chain_resolve(c->cfg, id->name, &ch, NULL) != ATMOS_OK)
            continue;
        rc = plan_identity(c, id->name, &ch);
        atmos_chain_free(&ch);
    }
    return rc;
}

/* --tags: a provider logout of each tagged provider, an identity logout of each identity
 * tagged itself (one a tagged provider roots is already part of that provider's). */
static int plan_tagged(struct atmos_cloud_ctx *c)
{
    struct atmos_plan *plan = c->plan;
    int rc = ATMOS_OK;
    for (size_t i = 0; rc == ATMOS_OK && i < plan->nproviders; i++)
        rc = plan_provider(c, atmos_config_provider(c->cfg, plan->providers[i]));
    return rc == ATMOS_OK ? plan_each_identity(c, 1) : rc;
}

/* Integrations and the like: every identity logged out, in every scope.  Each chain is
 * resolved once for all the clouds that ask (four clouds of 10,000 identities: 40,000). */
static int plan_every_identity(struct atmos_cloud_ctx *c)
{
    size_t n = c->plan->nidentities;
    struct atmos_chain *chains = n ? calloc(n, sizeof(*chains)) : NULL;
    int rc = n && chains == NULL ? ATMOS_ENOMEM : ATMOS_OK;
    for (size_t i = 0; rc == ATMOS_OK && i < n; i++)
        if (atmos_chain_resolve(c->cfg, c->plan->identities[i], &chains[i], NULL) != ATMOS_OK)
            chains[i].n = 0; /* unresolved: no cloud is asked about it */
    for (const struct atmos_cloud *const *cl = atmos_clouds; rc == ATMOS_OK && *cl; cl++) {
        if (!(*cl)->every_identity)
            continue;
        for (size_t i = 0; rc == ATMOS_OK && i < n; i++)
            if (chains[i].n)
                rc = ATMOS_CLOUD_CALL(c, *cl, identity, c->plan->identities[i], &chains[i]);
        for (size_t i = 0;
             rc == ATMOS_OK && c->plan->scope != ATMOS_SCOPE_IDENTITY && i < c->plan->nproviders;
             i++)
            rc = ATMOS_CLOUD_CALL(c, *cl, provider, c->plan->providers[i], NULL);
    }
    for (size_t i = 0; chains && i < n; i++)
        atmos_chain_free(&chains[i]);
    free(chains);
    return rc;
}

/* ENOMEM from the planner itself, or what the cloud that failed said (atmos_cloud_fail). */
static int cloud_failed(const struct atmos_cloud_ctx *c, int rc, struct atmos_err *err)
{
    if (rc >= 0)
        rc = ATMOS_ENOMEM;
    return atmos_fail(err, rc, "%s", c->err.msg[0] ? c->err.msg : "out of memory");
}

/* --tags: each tagged provider with its identities, and each tagged identity. */
static int plan_who_tags(struct atmos_cloud_ctx *c, const char *list, struct atmos_err *err)
{
    struct atmos_plan *plan = c->plan;
    struct atmos_tagged t;
    int rc = atmos_tags_select(c->cfg, list, &t, err);
    if (rc != ATMOS_OK)
        return rc;
    for (size_t i = 0; rc == ATMOS_OK && i < t.nproviders; i++) {
        const struct atmos_provider *p = atmos_config_provider(c->cfg, t.providers[i]);
        if ((p->problem && add_skipped(plan, "skipped provider", p->name, p->problem, 0, 0) != 0) ||
            add_identities_of(plan, c->cfg, p->name) != 0 ||
            add_skipped_entries(plan, c->cfg, p->name) != 0 ||
            atmos_strv_push(&plan->providers, &plan->nproviders, p->name) != 0)
            rc = ATMOS_ENOMEM;
    }
    for (size_t i = 0; rc == ATMOS_OK && i < t.nidentities; i++) {
        const struct atmos_identity *id = atmos_config_identity(c->cfg, t.identities[i]);
        if (id->problem ? add_skipped(plan, "skipped identity", id->name, id->problem, 1, 0) != 0
                        : atmos_strv_push(&plan->identities, &plan->nidentities, id->name) != 0)
            rc = ATMOS_ENOMEM;
    }
    atmos_tagged_free(&t);
    /* A tagged identity under a tagged provider is listed twice until plan_scope sorts. */
    return rc == ATMOS_OK ? ATMOS_OK : cloud_failed(c, rc, err);
}

/*
 * Several identities in one plan (opts->names): each configured one is logged out as an
 * identity (plan_what); a name not configured is said by an item that fails the run, an entry
 * atmos would refuse by a skipped one, and the others still go.  plan->chain stays empty.
 */
static int plan_who_names(struct atmos_cloud_ctx *c, const struct atmos_plan_opts *opts)
{
    struct atmos_plan *plan = c->plan;
    int rc = ATMOS_OK;
    for (size_t i = 0; rc == ATMOS_OK && i < opts->nnames; i++) {
        char *name = strdup(opts->names[i]);
        if (name == NULL)
            return ATMOS_ENOMEM;
        atmos_ascii_lower_str(name); /* as for one target (atmos_plan_build) */
        const struct atmos_identity *id = atmos_config_identity(c->cfg, name);
        struct atmos_item *it;
        if (id == NULL) {
            it = atmos_plan_add_unknown(plan, "identity", strdup(name), name, NULL);
            rc = it ? ATMOS_OK : ATMOS_ENOMEM;
            if (it)
                it->u.unknown.skipped = 3;
        } else if (id->problem) { /* its chain too was checked at load (plan/resolve.c) */
            rc = add_skipped(plan, "skipped identity", id->name, id->problem, 1, 0);
        } else {
            if (!is_listed(plan->identities, plan->nidentities, id->name))
                rc = atmos_strv_push(&plan->identities, &plan->nidentities, id->name);
            if (rc == ATMOS_OK && id->root && !is_listed(plan->providers, plan->nproviders, id->root))
                rc = atmos_strv_push(&plan->providers, &plan->nproviders, id->root);
        }
        free(name);
    }
    return rc == ATMOS_OK ? ATMOS_OK : ATMOS_ENOMEM;
}

/* Who is logged out in `scope`: plan->identities, ->providers and, for an identity, ->chain. */
static int plan_who(struct atmos_cloud_ctx *c, enum atmos_scope scope, const char *target,
                    const struct atmos_plan_opts *opts, struct atmos_err *err)
{
    struct atmos_plan *plan = c->plan;
    const struct atmos_config *cfg = c->cfg;
    int rc;
    /* An identity or a provider in every realm: the realms first (ALL_REALMS finds its own). */
    if (plan->every_realm && scope != ATMOS_SCOPE_ALL_REALMS &&
        (rc = atmos_realms_find(c)) != ATMOS_OK)
        return cloud_failed(c, rc, err);
    switch (scope) {
    case ATMOS_SCOPE_IDENTITY: {
        if (target == NULL && opts && opts->nnames)
            return (rc = plan_who_names(c, opts)) == ATMOS_OK ? rc : cloud_failed(c, rc, err);
        const struct atmos_identity *id = target ? atmos_config_identity(cfg, target) : NULL;
        if (id == NULL)
            return atmos_fail(err, ATMOS_ENOTFOUND, "identity \"%s\" not found in configuration",
                              target ? target : "");
        if (id->problem)
            return add_skipped(plan, "skipped identity", id->name, id->problem, 1, 0)
                       ? cloud_failed(c, ATMOS_ENOMEM, err)
                       : ATMOS_OK;
        if ((rc = atmos_chain_resolve(cfg, target, &plan->chain, err)) != ATMOS_OK)
            return rc;
        if (atmos_strv_push(&plan->identities, &plan->nidentities, target) != 0 ||
            (plan->chain.provider &&
             atmos_strv_push(&plan->providers, &plan->nproviders, plan->chain.provider) != 0))
            return cloud_failed(c, ATMOS_ENOMEM, err);
        return ATMOS_OK;
    }
    case ATMOS_SCOPE_PROVIDER: {
        const struct atmos_provider *p = target ? atmos_config_provider(cfg, target) : NULL;
        if (p == NULL)
            return atmos_fail(err, ATMOS_ENOTFOUND, "provider \"%s\" not found in configuration",
                              target ? target : "");
        if (p->problem && add_skipped(plan, "skipped provider", p->name, p->problem, 0, 0) != 0)
            return cloud_failed(c, ATMOS_ENOMEM, err);
        if (add_identities_of(plan, cfg, p->name) != 0 ||
            add_skipped_entries(plan, cfg, p->name) != 0 ||
            atmos_strv_push(&plan->providers, &plan->nproviders, p->name) != 0)
            return cloud_failed(c, ATMOS_ENOMEM, err);
        return ATMOS_OK;
    }
    case ATMOS_SCOPE_TAGS:
        return plan_who_tags(c, target, err);
    case ATMOS_SCOPE_ALL_REALMS:
        if ((rc = atmos_realms_find(c)) != ATMOS_OK)
            return cloud_failed(c, rc, err);
        /* everyone, as for ALL */
        __attribute__((fallthrough));
    case ATMOS_SCOPE_ALL:
        if (add_identities_of(plan, cfg, NULL) != 0 || add_skipped_entries(plan, cfg, NULL) != 0)
            return cloud_failed(c, ATMOS_ENOMEM, err);
        for (size_t i = 0; i < cfg->nproviders; i++)
            if (atmos_strv_push(&plan->providers, &plan->nproviders, cfg->providers[i].name) != 0)
                return cloud_failed(c, ATMOS_ENOMEM, err);
        return ATMOS_OK;
    }
    return atmos_fail(err, ATMOS_EINVAL, "unknown scope %d", (int)scope);
}

/* What each cloud keeps of them in the realm c->realm (plan_who ran). */
static int plan_what(struct atmos_cloud_ctx *c, enum atmos_scope scope)
{
    const struct atmos_config *cfg = c->cfg;
    int rc = ATMOS_OK;
    switch (scope) {
    case ATMOS_SCOPE_IDENTITY:
        if (c->plan->target == NULL) /* several (plan_who_names) */
            return plan_each_identity(c, 0);
        return atmos_config_identity(cfg, c->plan->target)->problem
                   ? ATMOS_OK
                   : plan_identity(c, c->plan->target, &c->plan->chain);
    case ATMOS_SCOPE_PROVIDER:
        return plan_provider(c, atmos_config_provider(cfg, c->plan->target));
    case ATMOS_SCOPE_TAGS:
        return plan_tagged(c);
    case ATMOS_SCOPE_ALL_REALMS:
        /* What the configuration names, then what is found on disk in the realm. */
        if ((rc = plan_what(c, ATMOS_SCOPE_ALL)) != ATMOS_OK)
            return rc;
        return atmos_realms_plan(c, c->realm);
    case ATMOS_SCOPE_ALL:
        for (size_t i = 0; rc == ATMOS_OK && i < cfg->nproviders; i++)
            rc = plan_provider(c, &cfg->providers[i]);
        for (const struct atmos_cloud *const *cl = atmos_clouds; rc == ATMOS_OK && *cl; cl++)
            if ((*cl)->all)
                rc = ATMOS_CLOUD_CALL(c, *cl, all);
        return rc;
    }
    return ATMOS_EINVAL;
}

/*
 * The realms whose files a logout removes, into v[2]; returns how many.
 * A realm pinned by ATMOS_AUTH_REALM or auth.realm is the only one atmos
 * writes.  atmos's own default (no realm configured) is a hash of the config
 * directory (pkg/config/auth_realm.go setAuthRealm, hashRealmFromPath), and
 * atmos versions before realms (c0ba043a5d, 2026-02-10) wrote the same logins
 * without one; atmos's logout deletes that layout's keychain names too
 * (pkg/auth/manager_logout.go deleteIdentityKeyringEntries, the legacy
 * atmos_<name>).  So a derived realm means that realm and no realm.
 */
static size_t realms_of(const struct atmos_config *cfg, const char *v[2])
{
    size_t n = 0;
    v[n++] = cfg->realm.value;
    if (cfg->realm.value && cfg->realm_derived)
        v[n++] = NULL;
    return n;
}

/*
 * Each of plan->identities' root provider, as the load found it (struct
 * atmos_identity's root): asking per provider would resolve every chain once
 * per provider (100 providers of 10,000 identities: a million resolutions).
 */
static int resolve_roots(struct atmos_cloud_ctx *c)
{
    if (c->plan->nidentities == 0)
        return ATMOS_OK;
    if ((c->roots = calloc(c->plan->nidentities, sizeof(*c->roots))) == NULL)
        return ATMOS_ENOMEM;
    for (size_t i = 0; i < c->plan->nidentities; i++) {
        const struct atmos_identity *id = atmos_config_identity(c->cfg, c->plan->identities[i]);
        c->roots[i] = id && !id->problem ? id->root : NULL;
    }
    return ATMOS_OK;
}

/*
 * The realms a plan covers, into *v (n of them; free it).  ALL_REALMS: no
 * realm, then each of plan->realms (which atmos_realms_find filled, the
 * configured realm among them); else realms_of.
 */
static int scope_realms(struct atmos_cloud_ctx *c, const char ***v, size_t *n)
{
    struct atmos_plan *plan = c->plan;
    if ((*v = calloc(plan->nrealms + 2, sizeof(**v))) == NULL)
        return ATMOS_ENOMEM;
    if (!plan->every_realm) {
        *n = realms_of(c->cfg, *v);
        /* The report names the realm it covered, whatever the scope. */
        if ((*v)[0] && atmos_strv_push(&plan->realms, &plan->nrealms, (*v)[0]) != 0)
            return ATMOS_ENOMEM;
        return ATMOS_OK;
    }
    (*v)[0] = NULL;
    for (size_t i = 0; i < plan->nrealms; i++)
        (*v)[i + 1] = plan->realms[i];
    *n = plan->nrealms + 1;
    return ATMOS_OK;
}

/* Every realm: the items planned since `from` were for `realm` (reports list them by realm). */
static void mark_realm(struct atmos_plan *plan, size_t from, const char *realm)
{
    for (size_t i = from; plan->every_realm && i < plan->nitems; i++)
        plan->items[i].realm = realm;
}

/* Who is logged out in `scope`, and what each cloud keeps of them in every realm. */
static int plan_scope(struct atmos_cloud_ctx *c, enum atmos_scope scope, const char *target,
                      const struct atmos_plan_opts *opts, struct atmos_err *err)
{
    struct atmos_plan *plan = c->plan;
    const char **realms = NULL;
    size_t n = 0;
    int rc = plan_who(c, scope, target, opts, err);
    if (rc == ATMOS_OK && (resolve_roots(c) != ATMOS_OK || scope_realms(c, &realms, &n) != 0))
        rc = cloud_failed(c, ATMOS_ENOMEM, err);
    for (size_t i = 0; rc == ATMOS_OK && i < n; i++) {
        size_t from = plan->nitems;
        c->realm = realms[i];
        if ((rc = plan_what(c, scope)) != ATMOS_OK)
            rc = cloud_failed(c, rc, err);
        mark_realm(plan, from, realms[i]);
    }
    free(c->roots); /* in the order of plan->identities, which is sorted next */
    c->roots = NULL;
    if (rc != ATMOS_OK)
        goto done;
    atmos_strv_sort_unique(plan->identities, &plan->nidentities);
    atmos_strv_sort_unique(plan->providers, &plan->nproviders);
    /* Integrations and the emulators' kubeconfigs, then keychain entries: every realm too. */
    for (size_t i = 0; rc == ATMOS_OK && i < n; i++) {
        size_t from = plan->nitems;
        c->realm = realms[i];
        if ((rc = plan_every_identity(c)) != ATMOS_OK)
            rc = cloud_failed(c, rc, err);
        mark_realm(plan, from, realms[i]);
    }
    for (size_t i = 0; rc == ATMOS_OK && i < n; i++) {
        size_t from = plan->nitems;
        /* Outside ALL_REALMS the keychain names follow the configured realm (plan/keyring.c). */
        const char *realm = plan->every_realm ? realms[i] : c->cfg->realm.value;
        if (atmos_keyring_plan(plan, c->cfg, c->env, opts && opts->keychain, realm) != 0)
            rc = cloud_failed(c, ATMOS_ENOMEM, err);
        mark_realm(plan, from, realms[i]);
        if (!plan->every_realm)
            break;
    }
    /* Every realm: also what atmos wrote that no configuration read here names (another
     * project's SSO sessions and the AWS CLI tokens of their start URLs, browser state). */
    if (rc == ATMOS_OK && scope == ATMOS_SCOPE_ALL_REALMS && (rc = atmos_discover_into(c)) != 0)
        rc = cloud_failed(c, rc, err);
done:
    free(realms);
    return rc;
}

int atmos_plan_build(struct atmos_plan *plan, const struct atmos_config *cfg,
                     const struct atmos_env *env, enum atmos_scope scope, const char *target,
                     const struct atmos_plan_opts *opts, struct atmos_err *err)
{
    memset(plan, 0, sizeof(*plan));
    struct atmos_cloud_ctx c = {.plan = plan,
                                .clouds = atmos_clouds,
                                .cfg = cfg,
                                .env = env,
                                .lg = opts ? opts->log : NULL,
                                .fs = {.home = env->home, .uid = geteuid()},
                                .realm = cfg->realm.value,
                                .revoke = opts && opts->revoke};
    plan->scope = scope;
    plan->every_realm = scope == ATMOS_SCOPE_ALL_REALMS ||
                        (opts && opts->every_realm &&
                         (scope == ATMOS_SCOPE_IDENTITY || scope == ATMOS_SCOPE_PROVIDER));
    int rc;
    if (target && (plan->target = strdup(target)) == NULL) {
        rc = cloud_failed(&c, ATMOS_ENOMEM, err);
        goto done;
    }
    if (env->home == NULL || env->home[0] != '/') {
        rc = atmos_fail(err, ATMOS_EINVAL, "HOME is not set to an absolute path");
        goto done;
    }
    if ((cfg->realm_derived && cfg->realm_dir && (plan->realm_dir = strdup(cfg->realm_dir)) == NULL) ||
        (plan->home = strdup(env->home)) == NULL) {
        rc = cloud_failed(&c, ATMOS_ENOMEM, err);
        goto done;
    }
    /* atmos keeps names lowercase (viper) and resolves a typed name to that key (manager.go);
     * tags are matched as written (pkg/tags/tags.go). */
    if (scope != ATMOS_SCOPE_TAGS)
        atmos_ascii_lower_str(plan->target);
    if ((rc = plan_scope(&c, scope, plan->target, opts, err)) != ATMOS_OK)
        goto done;
    return ATMOS_OK;
done:
    atmos_plan_free(plan);
    return rc;
}

/* What an item of its kind owns. */

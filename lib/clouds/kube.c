/*
 * Kubernetes: the kubeconfigs atmos writes.
 *
 *  - identity (any emulator kind, ATMOS_KIND_EMULATOR):
 *    <config home>/atmos/[<realm>/]emulator/<identity>.kubeconfig, the
 *    directory too once it is empty.  cloudposse/atmos
 *    pkg/auth/identities/emulator/identity.go: PrepareEnvironment writes it
 *    (kubeconfigPath), and Logout removes exactly it, for every emulator kind.
 *  - the cluster integrations aws/eks, azure/aks and gcp/gke: the cluster,
 *    context and user their login merged into spec.cluster.kubeconfig.path
 *    (used raw, as atmos does) or <config home>/atmos/kube/config (no realm:
 *    pkg/auth/cloud/kube/config.go DefaultKubeconfigPath), for the logouts
 *    that include the integration (clouds/registry.c atmos_cloud_identity_integrations:
 *    via.identity, or via.provider of the identity's root provider).
 *
 * Names, as atmos's writer makes them (kube/config.go BuildClusterConfig,
 * UserName): the context is spec.cluster.alias, or the cluster's id; the
 * user is atmos-<eks|aks|gke>-<name>-<region|group|project-location>, with
 * -<subscription> for AKS (cloud/azure/aks.go BuildKubeClusterInfo).
 *  - GKE: the id is projects/P/locations/L/clusters/N (cloud/gcp/gke.go).
 *  - AKS: the ARM id, found as atmos's Cleanup finds it (integrations/azure/
 *    aks.go findClusterID): the whole id with subscription_id, else the one
 *    id ending in /resourceGroups/G/providers/Microsoft.ContainerService/
 *    managedClusters/N, case-insensitively; more than one is ambiguous and
 *    nothing goes.
 *  - EKS: the ARN comes from DescribeCluster, which we do not call.  Ours is
 *    the cluster named arn:aws[-cn|-us-gov]:eks:<region>:<12 digits>:cluster/
 *    <name> with the integration's region and name (atmos takes the first
 *    key ending in cluster/<name>: any region) and, of several such, the
 *    one the context atmos wrote names (the alias, or the context named
 *    after the ARN whose user is atmos-eks-<name>-<region>); still several:
 *    ambiguous, nothing goes.  The user has no account suffix: atmos's EKS
 *    BuildKubeClusterInfo leaves AccountID unset.
 * A context goes only when it names that cluster and user; the cluster and
 * user go only when no context left names them (formats/yamledit.h).
 *
 * MUST: only those entries; the file walked by descriptor like every other
 * item (safefs); a relative kubeconfig path (relative to where atmos ran)
 * is not guessed at.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include <atmos/escape.h>

#include "clouds/cloud.h"
#include "base/strings.h"
#include "config/paths.h"
#include "formats/yamledit.h"

enum { ID_NAME, ID_WHERE, ID_EXTRA, ID_ALIAS };

static int found(struct atmos_kube_names *n, const char *cluster, const char *alias, char *user)
{
    n->cluster = strdup(cluster);
    n->context = strdup(alias ? alias : cluster);
    n->user = user;
    return n->cluster && n->context && n->user ? ATMOS_OK : ATMOS_ENOMEM;
}

static int gke(const char *const ids[ATMOS_KUBE_IDS], const struct atmos_kube_doc *doc,
               struct atmos_kube_names *n, struct atmos_err *why)
{
    (void)doc, (void)why;
    char *id = atmos_strfmt("projects/%s/locations/%s/clusters/%s", ids[ID_WHERE], ids[ID_EXTRA],
                            ids[ID_NAME]);
    char *user = atmos_strfmt("atmos-gke-%s-%s-%s", ids[ID_NAME], ids[ID_WHERE], ids[ID_EXTRA]);
    int rc = id && user ? found(n, id, ids[ID_ALIAS], user) : (free(user), ATMOS_ENOMEM);
    free(id);
    return rc;
}

static int ends_with_ci(const char *s, const char *suffix)
{
    size_t a = strlen(s), b = strlen(suffix);
    return a >= b && strcasecmp(s + a - b, suffix) == 0;
}

static int aks(const char *const ids[ATMOS_KUBE_IDS], const struct atmos_kube_doc *doc,
               struct atmos_kube_names *n, struct atmos_err *why)
{
    char *suffix =
        atmos_strfmt("/resourceGroups/%s/providers/Microsoft.ContainerService/managedClusters/%s",
                     ids[ID_WHERE], ids[ID_NAME]);
    char *full =
        ids[ID_EXTRA] && suffix ? atmos_strfmt("/subscriptions/%s%s", ids[ID_EXTRA], suffix) : NULL;
    const char *id = NULL;
    size_t hits = 0;
    int rc = ATMOS_ENOMEM;
    if (suffix == NULL || (ids[ID_EXTRA] && full == NULL))
        goto done;
    for (size_t i = 0; i < doc->n[ATMOS_KUBE_CLUSTERS]; i++) {
        const char *name = doc->e[ATMOS_KUBE_CLUSTERS][i].name;
        if (name && (full ? strcasecmp(name, full) == 0 : ends_with_ci(name, suffix)) &&
            (id == NULL || strcmp(id, name) != 0)) {
            id = name;
            hits++;
        }
    }
    rc = ATMOS_OK;
    if (hits > 1) {
        rc = atmos_fail(why, ATMOS_EINVAL,
                        "%zu AKS clusters named %s in resource group %s, in "
                        "subscriptions no subscription_id tells apart",
                        hits, ids[ID_NAME], ids[ID_WHERE]);
    } else if (hits == 1) {
        /* The subscription is the id's own: atmos's writer appends the one it looked up. */
        const char *sub = strncasecmp(id, "/subscriptions/", 15) == 0 ? id + 15 : NULL;
        size_t sublen = sub ? strcspn(sub, "/") : 0;
        char *user = sublen ? atmos_strfmt("atmos-aks-%s-%s-%.*s", ids[ID_NAME], ids[ID_WHERE],
                                           (int)sublen, sub)
                            : atmos_strfmt("atmos-aks-%s-%s", ids[ID_NAME], ids[ID_WHERE]);
        rc = user ? found(n, id, ids[ID_ALIAS], user) : ATMOS_ENOMEM;
    }
done:
    free(suffix);
    free(full);
    return rc;
}

/* arn:aws[-cn|-us-gov]:eks:<region>:<12 digits>:cluster/<name>, of this region and name. */
static int eks_arn(const char *s, const char *region, const char *name)
{
    static const char *const parts[] = {"arn:aws:eks:", "arn:aws-cn:eks:", "arn:aws-us-gov:eks:"};
    size_t rl = strlen(region);
    for (size_t i = 0; i < sizeof(parts) / sizeof(parts[0]); i++) {
        size_t pl = strlen(parts[i]);
        if (strncmp(s, parts[i], pl) != 0 || strncmp(s + pl, region, rl) != 0 || s[pl + rl] != ':')
            continue;
        const char *a = s + pl + rl + 1;
        for (int d = 0; d < 12; d++)
            if (a[d] < '0' || a[d] > '9')
                return 0;
        return strncmp(a + 12, ":cluster/", 9) == 0 && strcmp(a + 21, name) == 0;
    }
    return 0;
}

/* The context atmos would have written for `arn`: named alias or arn, naming arn and user. */
static int wrote_context(const struct atmos_kube_doc *doc, const char *arn, const char *alias,
                         const char *user)
{
    for (size_t i = 0; i < doc->n[ATMOS_KUBE_CONTEXTS]; i++) {
        const struct atmos_kube_entry *c = &doc->e[ATMOS_KUBE_CONTEXTS][i];
        if (c->name && strcmp(c->name, alias ? alias : arn) == 0 && c->cluster &&
            strcmp(c->cluster, arn) == 0 && c->user && strcmp(c->user, user) == 0)
            return 1;
    }
    return 0;
}

static int eks(const char *const ids[ATMOS_KUBE_IDS], const struct atmos_kube_doc *doc,
               struct atmos_kube_names *n, struct atmos_err *why)
{
    char *user = atmos_strfmt("atmos-eks-%s-%s", ids[ID_NAME], ids[ID_WHERE]);
    const char *any = NULL, *ctx = NULL;
    size_t nany = 0, nctx = 0;
    if (user == NULL)
        return ATMOS_ENOMEM;
    for (size_t i = 0; i < doc->n[ATMOS_KUBE_CLUSTERS]; i++) {
        const char *name = doc->e[ATMOS_KUBE_CLUSTERS][i].name;
        if (name == NULL || !eks_arn(name, ids[ID_WHERE], ids[ID_NAME]))
            continue;
        nany += any == NULL || strcmp(any, name) != 0;
        any = name;
        if (wrote_context(doc, name, ids[ID_ALIAS], user) && (ctx == NULL || strcmp(ctx, name))) {
            nctx++;
            ctx = name;
        }
    }
    const char *arn = nctx == 1 ? ctx : nctx == 0 && nany == 1 ? any : NULL;
    if (arn)
        return found(n, arn, ids[ID_ALIAS], user);
    free(user);
    if (nany > 1)
        return atmos_fail(why, ATMOS_EINVAL,
                          "%zu EKS clusters named %s in %s (other accounts), none told apart by "
                          "the context atmos wrote",
                          nany, ids[ID_NAME], ids[ID_WHERE]);
    return ATMOS_OK;
}

static const struct atmos_kube_rule eks_rule = {{"cluster name", "region", NULL, "alias"}, eks};
static const struct atmos_kube_rule aks_rule = {
    {"cluster name", "resource group", "subscription", "alias"}, aks};
static const struct atmos_kube_rule gke_rule = {{"cluster name", "project", "location", "alias"},
                                                gke};

/* Which spec fields make a cluster integration's ids, and its rule. */
struct cluster_kind {
    const char *where, *extra; /* spec.cluster.<where> (required), <extra> (EKS: none) */
    int extra_required;
    const struct atmos_kube_rule *rule;
};

static const struct cluster_kind eks_kind = {"region", NULL, 0, &eks_rule},
                                 aks_kind = {"resource_group", "subscription_id", 0, &aks_rule},
                                 gke_kind = {"project_id", "location", 1, &gke_rule};

/* kubernetes/emulator: a local cluster whose credentials atmos hands out as a kubeconfig. */
#define INTEGRATION ATMOS_ROLE_INTEGRATION
static const struct atmos_kind kinds[] = {
    {.name = "aws/eks", .roles = INTEGRATION, .spec = &eks_kind},
    {.name = "azure/aks", .roles = INTEGRATION, .spec = &aks_kind},
    {.name = "gcp/gke", .roles = INTEGRATION, .spec = &gke_kind},
    {.name = "kubernetes/emulator",
     .roles = ATMOS_ROLE_IDENTITY,
     .flags = ATMOS_KIND_STANDALONE | ATMOS_KIND_EMULATOR},
    {.name = NULL},
};

static char *kubeconfig(const struct atmos_cloud_ctx *c, const char *identity)
{
    char *base = atmos_path_atmos_config(c->env), *leaf = atmos_strfmt("%s.kubeconfig", identity);
    char *out = leaf ? atmos_path_realm_dir(base, c->realm, "emulator", leaf) : NULL;
    free(base);
    free(leaf);
    return out;
}

static const char *field(const struct atmos_integration *in, const char *name)
{
    char key[64];
    snprintf(key, sizeof(key), "spec.cluster.%s", name);
    const char *v = atmos_spec_value(&in->spec, key);
    return v && *v ? v : NULL;
}

/* One cluster integration's entries; nothing when its spec lacks what atmos's login needs. */
static int add_cluster(struct atmos_cloud_ctx *c, const struct atmos_integration *in,
                       const struct cluster_kind *ck, const char *provider)
{
    const char *ids[ATMOS_KUBE_IDS] = {field(in, "name"), field(in, ck->where),
                                       ck->extra ? field(in, ck->extra) : NULL, field(in, "alias")};
    const char *raw = field(in, "kubeconfig.path");
    if (ids[ID_NAME] == NULL || ids[ID_WHERE] == NULL || (ck->extra_required && !ids[ID_EXTRA]))
        return ATMOS_OK; /* atmos's login refuses it (Validate): it wrote nothing */
    if (raw && raw[0] != '/') {
        char *shown = atmos_escape_dup(in->name);
        atmos_log(c->lg, ATMOS_LOG_WARN,
                  "integration %s: kubeconfig.path is relative (to where atmos ran); not looked at",
                  shown ? shown : "?");
        free(shown);
        return ATMOS_OK;
    }
    char *path = raw ? strdup(raw) : NULL;
    if (raw == NULL) {
        char *base = atmos_path_atmos_config(c->env);
        path = base ? atmos_path_join(base, "kube/config") : NULL;
        free(base);
    }
    char *what = atmos_strfmt("cluster %s (integration %s)", ids[ID_NAME], in->name);
    struct atmos_item *it = what && path ? atmos_cloud_add_kube(c, "kubeconfig entries", path,
                                                                ck->rule, what, ids, provider)
                                         : (free(path), NULL);
    free(what);
    return it ? ATMOS_OK : ATMOS_ENOMEM;
}

static int add_integration(struct atmos_cloud_ctx *c, const struct atmos_integration *in,
                           const char *provider)
{
    const struct atmos_cloud *cl;
    const struct atmos_kind *k = atmos_kind_in(c->clouds, in->kind.value, ATMOS_ROLE_INTEGRATION, &cl);
    /* Only this file's integration kinds have a struct cluster_kind (docker's own are its). */
    if (k == NULL || cl != &atmos_cloud_kube || in->problem)
        return ATMOS_OK;
    return add_cluster(c, in, k->spec, provider);
}

static int emulator(struct atmos_cloud_ctx *c, const char *name)
{
    const struct atmos_identity *id = atmos_config_identity(c->cfg, name);
    const struct atmos_cloud *cl;
    const struct atmos_kind *k =
        id ? atmos_kind_in(c->clouds, id->kind.value, ATMOS_ROLE_IDENTITY, &cl) : NULL;
    if (k == NULL || !(k->flags & ATMOS_KIND_EMULATOR))
        return ATMOS_OK;
    struct atmos_item *it =
        atmos_cloud_add(c, ATMOS_ITEM_FILE, "emulator kubeconfig", kubeconfig(c, name), name, NULL);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    return ATMOS_OK;
}

/*
 * Called for every identity logged out: an emulator's own kubeconfig, and
 * the clusters of the integrations its logout cleans (clouds/registry.c says which).
 */
static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    if (emulator(c, name) != ATMOS_OK)
        return ATMOS_ENOMEM;
    return atmos_cloud_identity_integrations(c, name, chain, add_integration);
}

/* The clusters of the integrations via.provider it (its identities' come by identity()). */
static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)p;
    return atmos_cloud_provider_integrations(c, name, add_integration);
}

/* --all-realms: <cfg>/atmos/<realm>/emulator/<identity>.kubeconfig (emulator/identity.go). */
static const struct atmos_dir_entry realm_entries[] = {
    {.name = "*.kubeconfig", .type = ATMOS_DIR_FILE},
    {.name = NULL},
};
static const struct atmos_dir_rule realm_rule = {.entries = realm_entries};
static const struct atmos_realm_place realm_place = {
    .sub = "emulator", .rule = &realm_rule, .file_label = "emulator kubeconfig"};
/* The realm-less emulator/ and atmos's own kubeconfig directory (kube/config.go: <cfg>/atmos/kube).
 */
static const char *const not_realms[] = {"emulator", "kube", NULL};

static int realm_places(struct atmos_cloud_ctx *c, atmos_place_fn fn, void *arg)
{
    return fn(c, atmos_path_atmos_config(c->env), &realm_place, arg);
}

/*
 * --status: atmos's kubeconfig users run `atmos` as an exec plugin and hold no credential
 * (atmos pkg/auth/cloud/kube/config.go); an emulator's kubeconfig records no expiry.
 */
static const struct atmos_expiry expiries[] = {
    {.label = "kubeconfig entries", .format = ATMOS_EXPIRY_NONE},
    {.label = "emulator kubeconfig", .format = ATMOS_EXPIRY_NOT_WRITTEN},
    {.label = NULL},
};

const struct atmos_cloud atmos_cloud_kube = {.name = "kubernetes",
                                             .display = "Kubernetes",
                                             .kinds = kinds,
                                             .identity = identity,
                                             .provider = provider,
                                             .every_identity = 1,
                                             .realm_places = realm_places,
                                             .not_realms = not_realms,
                                             .expiries = expiries};

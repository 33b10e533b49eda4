/*
 * Kubernetes: the kubeconfig atmos writes for an emulator identity.
 *
 *  - identity (any emulator kind, ATMOS_KIND_EMULATOR):
 *    <config home>/atmos/[<realm>/]emulator/<identity>.kubeconfig, the
 *    directory too once it is empty.  cloudposse/atmos
 *    pkg/auth/identities/emulator/identity.go: PrepareEnvironment writes it
 *    (kubeconfigPath), and Logout removes exactly it, for every emulator kind.
 *  - provider: nothing (an emulator identity is its own provider).
 *
 * MUST: only the file named after the identity; the path is walked by
 * descriptor like every other item (safefs).
 */
#include <stdlib.h>

#include "cloud.h"
#include "internal.h"
#include "paths.h"

/* kubernetes/emulator: a local cluster whose credentials atmos hands out as a kubeconfig. */
static const struct atmos_kind kinds[] = {
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

/* Called for every identity logged out: only an emulator's has a kubeconfig of atmos's. */
static int identity(struct atmos_cloud_ctx *c, const char *name, const struct atmos_chain *chain)
{
    (void)chain;
    const struct atmos_identity *id = atmos_config_identity(c->cfg, name);
    const struct atmos_cloud *cl;
    const struct atmos_kind *k =
        id ? atmos_kind_find(id->kind.value, ATMOS_ROLE_IDENTITY, &cl) : NULL;
    if (k == NULL || !(k->flags & ATMOS_KIND_EMULATOR))
        return ATMOS_OK;
    struct atmos_item *it =
        atmos_cloud_add(c, ATMOS_ITEM_FILE, "emulator kubeconfig", kubeconfig(c, name), name, NULL);
    if (it == NULL)
        return ATMOS_ENOMEM;
    it->u.file.prune_parent = 1;
    return ATMOS_OK;
}

static int provider(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p)
{
    (void)c, (void)name, (void)p;
    return ATMOS_OK;
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

const struct atmos_cloud atmos_cloud_kube = {.name = "kubernetes",
                                             .display = "Kubernetes",
                                             .kinds = kinds,
                                             .identity = identity,
                                             .provider = provider,
                                             .every_identity = 1,
                                             .realm_places = realm_places,
                                             .not_realms = not_realms};

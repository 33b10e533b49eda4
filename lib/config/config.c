/*
 * A loaded configuration: looking entries up, reading their spec, and
 * freeing it.
 */
#include <stdlib.h>
#include <string.h>

#include "base/arena.h"
#include "base/strings.h"
#include "config/internal.h"

static void field_free(struct atmos_field *f)
{
    free(f->value);
}

/* The entries' names, fields and specs' strings are the arena's (atmos_config_keep). */
void atmos_config_free(struct atmos_config *cfg)
{
    if (cfg == NULL)
        return;
    free(cfg->realm_dir);
    for (size_t i = 0; i < cfg->nproviders; i++) {
        atmos_spec_free(&cfg->providers[i].spec);
        free(cfg->providers[i].problem);
    }
    for (size_t i = 0; i < cfg->nidentities; i++) {
        atmos_spec_free(&cfg->identities[i].spec);
        free(cfg->identities[i].problem);
    }
    for (size_t i = 0; i < cfg->nintegrations; i++) {
        atmos_spec_free(&cfg->integrations[i].spec);
        free(cfg->integrations[i].problem);
    }
    atmos_config_index_free(cfg);
    for (size_t i = 0; i < ATMOS_ENV_PROMOTED; i++)
        free(cfg->env_promoted[i]);
    if (cfg->arena) {
        atmos_arena_free(cfg->arena);
        free(cfg->arena);
    }
    free(cfg->providers);
    free(cfg->identities);
    free(cfg->integrations);
    field_free(&cfg->realm);
    field_free(&cfg->keyring_type);
    field_free(&cfg->keyring_path);
    atmos_strv_free(cfg->sources, cfg->nsources);
    free(cfg);
}

const struct atmos_field *atmos_spec_get(const struct atmos_spec *s, const char *path)
{
    for (size_t i = 0; i < s->n; i++)
        if (strcmp(s->v[i].path, path) == 0)
            return &s->v[i].f;
    return NULL;
}

const char *atmos_spec_value(const struct atmos_spec *s, const char *path)
{
    const struct atmos_field *f = atmos_spec_get(s, path);
    return f ? f->value : NULL;
}

/* Lookups run after validate() sorted the arrays: binary search by name. */
static int cmp_key_provider(const void *key, const void *elem)
{
    return strcmp(key, ((const struct atmos_provider *)elem)->name);
}

static int cmp_key_identity(const void *key, const void *elem)
{
    return strcmp(key, ((const struct atmos_identity *)elem)->name);
}

const struct atmos_provider *atmos_config_provider(const struct atmos_config *cfg, const char *name)
{
    if (cfg->nproviders == 0)
        return NULL;
    return bsearch(name, cfg->providers, cfg->nproviders, sizeof(*cfg->providers),
                   cmp_key_provider);
}

const struct atmos_identity *atmos_config_identity(const struct atmos_config *cfg, const char *name)
{
    if (cfg->nidentities == 0)
        return NULL;
    return bsearch(name, cfg->identities, cfg->nidentities, sizeof(*cfg->identities),
                   cmp_key_identity);
}

void atmos_chain_free(struct atmos_chain *chain)
{
    free(chain->names);
    memset(chain, 0, sizeof(*chain));
}

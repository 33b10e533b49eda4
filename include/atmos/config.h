/*
 * The auth section of atmos.yaml, as the engine sees it.
 *
 * Configuration is loaded from an ordered list of files; later files win field
 * by field.  Every field remembers where it was defined so that errors can name
 * file, line and column.  A configuration that fails validation is never
 * returned: the caller gets the reason instead (fail closed).
 */
#ifndef ATMOS_CONFIG_H
#define ATMOS_CONFIG_H

#include <stddef.h>

#include <atmos/env.h>
#include <atmos/error.h>
#include <atmos/keyring.h>
#include <atmos/log.h>

struct atmos_mark {
    const char *file; /* owned by the config's source list */
    unsigned line;    /* 1-based; 0 when unknown */
    unsigned column;  /* 1-based */
};

struct atmos_field {
    char *value; /* NULL when not set or set to YAML null */
    struct atmos_mark mark;
    int present; /* the key was given, even with a null value */
};

/*
 * What an entry says besides its kind and via: every scalar below it, by its
 * dotted path ("spec.files.base_path", "principal.subscription_id"; a list's
 * items as "tags.0", "tags.1").  Which paths mean something is the business
 * of the entry's cloud (its own file), not of the configuration.
 */
struct atmos_spec_field {
    char *path;
    struct atmos_field f;
};

struct atmos_spec {
    struct atmos_spec_field *v;
    size_t n;
};

/* The field at `path`, or NULL when the entry does not set it. */
const struct atmos_field *atmos_spec_get(const struct atmos_spec *s, const char *path);
/* Its value: NULL when not set or null. */
const char *atmos_spec_value(const struct atmos_spec *s, const char *path);

/*
 * Providers, identities and integrations.  `problem` is set when atmos would
 * refuse the entry where it is used (no kind, a dangling via, a name atmos
 * cannot keep): the entry is reported by that reason and nothing of it is
 * acted on, while the rest of the configuration is.  `harmless` says the
 * problem is one atmos's login fails on too (no kind, no chain to a
 * provider): nothing of it can be on disk, so a logout of everything only
 * warns about it.
 */
struct atmos_provider {
    char *name; /* lowercase, as atmos keeps it */
    struct atmos_mark mark;
    struct atmos_field kind;
    struct atmos_spec spec;
    char *problem;
    int harmless;
};

struct atmos_identity {
    char *name;
    struct atmos_mark mark;
    /* The name as the atmos.yaml that defines it spells it, when that is not all lowercase
     * (atmos's identity selector offers this spelling: IdentityCaseMap); else NULL. */
    char *written;
    struct atmos_field kind;
    struct atmos_field via_provider;
    struct atmos_field via_identity;
    struct atmos_spec spec;
    char *problem;
    int harmless;
    /* Where its chain ends, found once when the configuration is loaded (atmos_chain_good):
     * the provider's directory name (NULL: none, an ambient identity) and that provider's
     * entry (NULL: a directory its kind keeps, or none).  Both NULL while it has a problem. */
    const char *root;
    const struct atmos_provider *root_cfg;
};

/*
 * auth.integrations: what atmos derives from an identity's credentials, such
 * as a container registry login written into docker's config.json.
 */
struct atmos_integration {
    char *name;
    struct atmos_mark mark;
    struct atmos_field kind; /* aws/ecr, aws/ecr-public, azure/acr, ... */
    struct atmos_field via_provider;
    struct atmos_field via_identity;
    struct atmos_spec spec;
    char *problem;
    int harmless;
};

struct atmos_config {
    struct atmos_provider *providers; /* sorted by name after load */
    size_t nproviders;
    struct atmos_identity *identities; /* sorted by name after load */
    size_t nidentities;
    struct atmos_integration *integrations; /* sorted by name after load */
    size_t nintegrations;
    struct atmos_field realm; /* after ATMOS_AUTH_REALM override, or atmos's default */
    int realm_derived;        /* realm.value is atmos's default (hash of the config directory): the
                                 realm-less legacy layout is cleaned too */
    char *realm_dir;          /* derived: the directory whose atmos.yaml it hashes (NULL: none) */
    struct atmos_field keyring_type; /* auth.keyring.type */
    struct atmos_field keyring_path; /* auth.keyring.spec.path: the file keyring's directory */
    enum atmos_keyring keyring;      /* $ATMOS_KEYRING_TYPE > auth.keyring.type > system */
    /* The env: section's values of atmos_env_promoted_name(i), merged over the base
     * configuration's files (later wins), NULL where none says it: the caller's
     * atmos_env_promote() applies them as atmos does. */
    char *env_promoted[ATMOS_ENV_PROMOTED];
    char **sources; /* files actually read, in order */
    size_t nsources;
    /* The loader's own (lib/config/): its name index and the problems' keys while loading,
     * and the arena the entries' strings live in, freed with the configuration. */
    struct atmos_name_index *index;
    struct atmos_arena *arena;
};

/* atmos's default realm for an atmos.yaml in `dir` (an absolute path): 16 hex digits. */
void atmos_realm_of_dir(const char *dir, char out[17]);

/* Where a configuration file comes from; decides whether absence is an error. */
enum atmos_source_kind {
    ATMOS_SOURCE_OPTIONAL, /* skipped silently when missing */
    ATMOS_SOURCE_REQUIRED, /* missing is an error (--config, $ATMOS_CLI_CONFIG_PATH) */
};

/* How atmos reads a file of its search path (load.go). */
#define ATMOS_SOURCE_PLAIN 1u /* the system file: no atmos.d/, no imports (readSystemConfig) */
#define ATMOS_SOURCE_ARGUMENT                                                                      \
    2u /* --config: no atmos.d/; the realm hashes its directory as given */
/* Found above the CWD (a parent's or the git root's): read only when the user's or root's. */
#define ATMOS_SOURCE_ABOVE 4u

struct atmos_source {
    char *path;
    enum atmos_source_kind kind;
    unsigned flags; /* ATMOS_SOURCE_PLAIN, ATMOS_SOURCE_ARGUMENT, ATMOS_SOURCE_ABOVE */
};

struct atmos_source_list {
    struct atmos_source *v;
    size_t n;
};

/* What the search path may include. */
enum atmos_search_flags {
    ATMOS_SEARCH_CWD = 1 << 0,           /* ./atmos.yaml */
    ATMOS_SEARCH_ENVPATH = 1 << 1,       /* $ATMOS_CLI_CONFIG_PATH */
    ATMOS_SEARCH_EXPLICIT_ONLY = 1 << 2, /* only explicit_path: it replaces the search path */
};

/*
 * Build the list of configuration files to read, in merge order:
 * the system file, ~/.atmos/atmos.yaml, then (per flags) ./atmos.yaml and
 * $ATMOS_CLI_CONFIG_PATH, then `explicit_path` when not NULL.  With
 * ATMOS_SEARCH_EXPLICIT_ONLY and an explicit path, that path alone.
 */
int atmos_config_search_path(struct atmos_source_list *out, const struct atmos_env *env,
                             unsigned flags, const char *explicit_path, struct atmos_err *err);
void atmos_source_list_free(struct atmos_source_list *list);

/*
 * Load and validate.  Returns ATMOS_OK and sets *out, ATMOS_ENOCONFIG when no
 * file in the list exists, or ATMOS_EINVAL with err set.
 */
int atmos_config_load(struct atmos_config **out, const struct atmos_source_list *sources,
                      const struct atmos_env *env, struct atmos_err *err);
/*
 * The same, saying through `lg` (NULL: silently) which files of the search
 * path were skipped because root does not trust them.  As root (effective uid
 * 0) a file is read only when it and every directory above it are root's and
 * no one else can change them; a refused file named by --config or
 * $ATMOS_CLI_CONFIG_PATH is ATMOS_EREFUSED.
 */
int atmos_config_load_logged(struct atmos_config **out, const struct atmos_source_list *sources,
                             const struct atmos_env *env, const struct atmos_logger *lg,
                             struct atmos_err *err);
void atmos_config_free(struct atmos_config *cfg);

const struct atmos_provider *atmos_config_provider(const struct atmos_config *cfg,
                                                   const char *name);
const struct atmos_identity *atmos_config_identity(const struct atmos_config *cfg,
                                                   const char *name);

/* True for identity kinds that stand alone (no via), as their cloud declares. */
int atmos_identity_is_standalone(const char *kind);

/*
 * The chain of an identity, from provider to the identity itself:
 * names[0] is the provider (or the directory its kind keeps its files under,
 * or the identity for ambient kinds),
 * names[n-1] is the identity.  Strings point into cfg.
 */
struct atmos_chain {
    const char **names;
    size_t n;
    const char *provider;                      /* the provider's directory name; NULL when none */
    const struct atmos_provider *provider_cfg; /* NULL for an own provider and ambient */
};

int atmos_chain_resolve(const struct atmos_config *cfg, const char *identity,
                        struct atmos_chain *out, struct atmos_err *err);
void atmos_chain_free(struct atmos_chain *chain);

#endif

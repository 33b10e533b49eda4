/*
 * The clouds atmos logs in to.
 *
 * Each cloud_*.c declares its kinds (providers, identities, integrations)
 * with their properties, its names, and the hooks that turn its kinds into
 * plan items; the planner (plan/plan.c, plan/discover.c) only walks atmos_clouds.  A
 * new cloud is one new file and one line in clouds/registry.c's list.
 */
#ifndef ATMOS_CLOUD_H
#define ATMOS_CLOUD_H

#include <atmos/plan.h>

#include "clouds/expiry.h"
#include "fs/safefs.h"

struct atmos_cloud_ctx {
    struct atmos_plan *plan;
    const struct atmos_config *cfg; /* NULL when discovering */
    const struct atmos_env *env;
    const struct atmos_logger *lg;
    struct atmos_fs fs;
    const char *realm;    /* the configured realm, or NULL */
    const char *cloud;    /* the cloud being asked: its name goes on every item it adds */
    int revoke;           /* sign SSO sessions out server-side (atmos_plan_opts) */
    struct atmos_err err; /* why a hook failed, when it was not memory (atmos_cloud_fail) */
    /* The root provider of each of plan->identities (NULL: none), resolved once per plan. */
    const char **roots;
    /* Every cloud (atmos_clouds), for a cloud file asking of another's kinds (atmos_kind_in). */
    const struct atmos_cloud *const *clouds;
};

/* What a kind of provider, identity or integration is, as the cloud that has it declares. */
enum atmos_kind_role {
    ATMOS_ROLE_PROVIDER = 1 << 0,
    ATMOS_ROLE_IDENTITY = 1 << 1,
    ATMOS_ROLE_INTEGRATION = 1 << 2,
};

enum atmos_kind_flag {
    ATMOS_KIND_NOTHING_KEPT = 1 << 0, /* known, and its logins keep nothing on disk */
    ATMOS_KIND_STANDALONE = 1 << 1,   /* an identity with no via: its credentials are its own */
    ATMOS_KIND_AMBIENT = 1 << 2,      /* a provider whose keychain entries a plain logout deletes */
    /* An identity whose files go under a provider directory of its own name (aws/emulator). */
    ATMOS_KIND_OWN_DIRECTORY = 1 << 3,
    /* An emulator identity: atmos may write it a kubeconfig of its own (clouds/kube.c). */
    ATMOS_KIND_EMULATOR = 1 << 4,
    /* A chain rooted at this kind (a provider, or a standalone identity) is one
     * `atmos auth console` opens a browser for (clouds/console.c). */
    ATMOS_KIND_CONSOLE = 1 << 5,
};

struct atmos_kind {
    const char *name;         /* as atmos.yaml spells it; NULL ends a table */
    unsigned roles;           /* enum atmos_kind_role */
    unsigned flags;           /* enum atmos_kind_flag */
    const char *own_provider; /* identity: its files go under a provider directory of this name */
    const void *spec;         /* the cloud's own data about the kind */
};

/*
 * --all-realms: a place a cloud writes with a realm, <root>/<realm>/<sub>/
 * (lib/plan/realms.c).  `rule` says what atmos writes there: its FILE entries are
 * atmos's files, its NESTED entries directories of atmos's whose contents
 * are their `sub` rule.  A realm is a directory whose place holds at least
 * one of them; what the place holds is planned for that realm.
 */
struct atmos_realm_place {
    const char *sub; /* NULL: the realm directory itself */
    const struct atmos_dir_rule *rule;
    const char *dir_label;  /* for the directories found */
    const char *file_label; /* for the files found */
    /* A root the configuration chose outside atmos's own directories (a provider's
     * base_path: "~" makes every ~/<dir>/aws/ look like a realm): no realm is found
     * there and nothing is planned under any name; only what the configuration
     * names in its own realm is cleaned there, by the provider's hooks. */
    int named_only;
};
struct atmos_cloud_ctx;
/* Called by a cloud's realm_places hook for each root; takes `root`. */
typedef int (*atmos_place_fn)(struct atmos_cloud_ctx *c, char *root,
                              const struct atmos_realm_place *place, void *arg);

struct atmos_cloud {
    const char *name;               /* on items and in JSON (lowercase, one word) */
    const char *display;            /* for people, as the cloud calls itself */
    const struct atmos_kind *kinds; /* its kinds; ends with a NULL name */
    const char *const *env_vars;    /* the variables it reads (atmos_env_get); NULL-terminated */
    /* Of those, the ones that say how it reaches its servers (endpoint, CAs), not where the
     * user's files are: atmos-logout --user keeps them across the switch.  NULL-terminated. */
    const char *const *transport_vars;
    /* Identity logout: that identity's own files and entries, nothing shared. */
    int (*identity)(struct atmos_cloud_ctx *c, const char *identity,
                    const struct atmos_chain *chain);
    /* Provider logout: the provider's session and everything of its identities
     * (already listed in plan->identities).  p is NULL for a provider this
     * cloud adds by itself (an own_provider of its identity kinds). */
    int (*provider)(struct atmos_cloud_ctx *c, const char *name, const struct atmos_provider *p);
    /* Once for --all, after every provider. */
    int (*all)(struct atmos_cloud_ctx *c);
    /* No configuration: what this cloud's files on disk say atmos wrote. */
    int (*discover)(struct atmos_cloud_ctx *c);
    /* Called in every scope for every identity logged out (integrations). */
    int every_identity;
    /* --all-realms: fn for each root this cloud writes realms under (lib/plan/realms.c). */
    int (*realm_places)(struct atmos_cloud_ctx *c, atmos_place_fn fn, void *arg);
    /* Names directly under a root that are this cloud's own realm-less layout (its
     * <cfg>/atmos/aws/, ...): never taken for a realm.  NULL-terminated, or NULL. */
    const char *const *not_realms;
    /* --status: when the session data of each label of item it plans expires (clouds/expiry.h). */
    const struct atmos_expiry *expiries;
};

/* One per lib/cloud_*.c; atmos_cloud_keychain is the engine's own keychain entries. */
extern const struct atmos_cloud atmos_cloud_aws, atmos_cloud_azure, atmos_cloud_gcp,
    atmos_cloud_docker, atmos_cloud_kube, atmos_cloud_console, atmos_cloud_github, atmos_cloud_atmos,
    atmos_cloud_keychain;

/* Every cloud, in report order; NULL-terminated. */
extern const struct atmos_cloud *const atmos_clouds[];

/*
 * The kind `kind` in `role` (enum atmos_kind_role), and the cloud that
 * declares it; NULL (and *cloud NULL) for a kind no cloud has.  atmos_kind_find
 * asks every cloud (clouds/registry.c: for the layers above the clouds); a
 * cloud file asks the list its context carries (atmos_kind_in(c->clouds, ...)),
 * so that no cloud file depends on the list that names it.
 */
const struct atmos_kind *atmos_kind_find(const char *kind, unsigned role,
                                         const struct atmos_cloud **cloud);
const struct atmos_kind *atmos_kind_in(const struct atmos_cloud *const *clouds, const char *kind,
                                       unsigned role, const struct atmos_cloud **cloud);

/*
 * The cloud that keeps the session data of a provider or identity kind.
 * Returns 1 and sets *cloud (NULL: a kind known to keep nothing on disk,
 * such as ambient or atmos/pro), or 0 for a kind we do not know.
 */
int atmos_cloud_of_provider(const char *kind, const struct atmos_cloud **cloud);
int atmos_cloud_of_identity(const char *kind, const struct atmos_cloud **cloud);

/*
 * Call a cloud's hook with c->cloud set to its name.  Every hook returns an
 * atmos_status: ATMOS_OK, ATMOS_ENOMEM, or another failure it explained
 * with atmos_cloud_fail.
 */
#define ATMOS_CLOUD_CALL(c, cl, hook, ...) ((c)->cloud = (cl)->name, (cl)->hook((c), ##__VA_ARGS__))

/* A hook's failure other than memory: says why in c->err; returns `status`. */
int atmos_cloud_fail(struct atmos_cloud_ctx *c, int status, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* Adding items, for the cloud files (item->cloud is c->cloud).  Each takes ownership of `path`. */
struct atmos_item *atmos_cloud_add(struct atmos_cloud_ctx *c, enum atmos_item_kind kind,
                                   const char *label, char *path, const char *identity,
                                   const char *provider);
/*
 * A kind of directory a cloud removes: its label in reports, and what atmos
 * (or the tool atmos points at it) writes there.  Nothing else in it is
 * removed, and a directory holding anything else stays (fs/declared.c).
 */
struct atmos_cloud_dir {
    const char *label;
    const struct atmos_dir_rule *rule;
};
/* An ATMOS_ITEM_DIRECTORY item of that kind; takes ownership of `path`. */
struct atmos_item *atmos_cloud_add_dir(struct atmos_cloud_ctx *c,
                                       const struct atmos_cloud_dir *kind, char *path,
                                       const char *identity, const char *provider);
/* A kind nothing is known of, by `what` (taken): planned once under `label`. */
struct atmos_item *atmos_cloud_add_unknown(struct atmos_cloud_ctx *c, const char *label, char *what,
                                           const char *identity, const char *provider);
/* Section `name` of the INI file `path` (taken), planned once; dir_locks as in u.section. */
struct atmos_item *atmos_cloud_add_section(struct atmos_cloud_ctx *c, const char *label, char *path,
                                           const char *name, enum atmos_ini_flavor flavor,
                                           const char *const *dir_locks, const char *identity,
                                           const char *provider);
/* Entries of a JSON file; the same file, rule and arguments are planned once.
 * `what` is shown after the label; m0..m2 may be NULL. */
struct atmos_item *atmos_cloud_add_json(struct atmos_cloud_ctx *c, const char *label, char *path,
                                        const struct atmos_json_rule *rule, const char *what,
                                        const char *m0, const char *m1, const char *m2,
                                        const char *provider);

/* One integration's entries of a kubeconfig (formats/yamledit.h); the same file, rule and ids are
 * planned once.  `what` is shown after the label; ids as the rule names them (may be NULL). */
struct atmos_item *atmos_cloud_add_kube(struct atmos_cloud_ctx *c, const char *label, char *path,
                                        const struct atmos_kube_rule *rule, const char *what,
                                        const char *const ids[ATMOS_KUBE_IDS],
                                        const char *provider);

/*
 * For a cloud's identity and provider hooks: fn(c, in, provider) for every
 * integration the logout of `identity` (whose chain is `chain`), or of
 * `provider`, cleans (clouds/registry.c says which, after atmos); `provider` is the
 * one its items go under.  ATMOS_ENOMEM when fn fails, else ATMOS_OK.
 */
typedef int (*atmos_integration_fn)(struct atmos_cloud_ctx *c, const struct atmos_integration *in,
                                    const char *provider);
int atmos_cloud_identity_integrations(struct atmos_cloud_ctx *c, const char *identity,
                                      const struct atmos_chain *chain, atmos_integration_fn fn);
int atmos_cloud_provider_integrations(struct atmos_cloud_ctx *c, const char *provider,
                                      atmos_integration_fn fn);

/* Call fn for every entry of directory `dir` not starting with '.' (none when missing). */
typedef int (*atmos_entry_fn)(struct atmos_cloud_ctx *c, int dirfd, const char *dir,
                              const char *name, void *arg);
int atmos_cloud_each_entry(struct atmos_cloud_ctx *c, const char *dir, atmos_entry_fn fn,
                           void *arg);
/*
 * Every entry of <config home>/atmos/<sub>/ and of <config home>/atmos/<realm>/<sub>/
 * for every realm-shaped directory: what atmos wrote, with and without a realm.
 */
int atmos_cloud_each_base(struct atmos_cloud_ctx *c, const char *sub, atmos_entry_fn fn, void *arg);
/* fn for atmos_cloud_each_base: a directory <dir>/<name> is a provider directory
 * (arg: its struct atmos_cloud_dir). */
int atmos_cloud_add_provider_dir(struct atmos_cloud_ctx *c, int dirfd, const char *dir,
                                 const char *name, void *kind);
/* S_IFDIR or S_IFREG: a directory or a regular file of ours at dirfd/name; 0 otherwise. */
mode_t atmos_cloud_type(const struct atmos_cloud_ctx *c, int dirfd, const char *name);
/* [a-z0-9_-]{1,64}: could be a realm or a name atmos made a directory of. */
int atmos_realm_like(const char *s);
/* A realm atmos accepts (pkg/auth/realm/realm.go Validate). */
int atmos_realm_valid(const char *s);

/*
 * --all-realms (lib/plan/realms.c).  atmos_realms_find adds to plan->realms every
 * realm some cloud's place holds atmos's data of; atmos_realms_plan plans
 * what the places hold in `realm` (NULL: the realm-less layout), whatever
 * configuration wrote it.  Both return an atmos_status.
 */
int atmos_realms_find(struct atmos_cloud_ctx *c);
int atmos_realms_plan(struct atmos_cloud_ctx *c, const char *realm);
/*
 * What every cloud's discover hook finds of atmos's on disk, whatever
 * configuration wrote it, added to c->plan (lib/plan/discover.c): the whole of a
 * discovered plan, and the last part of an --all-realms one.
 */
int atmos_discover_into(struct atmos_cloud_ctx *c);

/* Read and parse a small JSON object of ours (at most 1 MiB); NULL when absent or not one. */
struct json_object *atmos_cloud_read_json(const struct atmos_cloud_ctx *c, const char *path);

#endif
